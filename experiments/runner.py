"""Replicates of one scenario: the experiments layer's one way into the model.

Replicate i of a run with base seed s uses seed s + i (numpy's SeedSequence hashes the seed, so
consecutive seeds give independent streams). Every scenario compared on the same base seed
therefore runs replicate i on the same seed: common random numbers.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence

import pandas as pd

from cxsim.experiments.processes import Pool, default_workers
from cxsim.experiments.statistics import MAX_REPLICATES, MAX_SEED
from cxsim.model import Scenario, simulate


def replicate_seeds(base_seed: int, replicates: int) -> list[int]:
    """The recorded seed of each replicate: ``base_seed + i``, for 1 to ``MAX_REPLICATES``
    replicates from a base seed of 0 to ``MAX_SEED`` (else ValueError)."""
    if not 1 <= replicates <= MAX_REPLICATES:
        raise ValueError(f"replicates must be from 1 to {MAX_REPLICATES:,}, not {replicates}")
    if not 0 <= base_seed <= MAX_SEED:
        raise ValueError(f"the base seed must be from 0 to 2**62, not {base_seed}")
    return [base_seed + i for i in range(replicates)]


def _one(args: tuple[Scenario, int, int]) -> pd.DataFrame:
    scenario, replicate, seed = args
    frame = simulate(scenario, seed=seed)
    frame.insert(0, "seed", seed)
    frame.insert(0, "replicate", replicate)
    frame.insert(0, "scenario", scenario.name)
    return frame


def run_replicates(scenario: Scenario, seeds: Sequence[int], workers: int = 1,
                   on_done: Callable[[int], None] | None = None) -> pd.DataFrame:
    """All replicates of ``scenario``, one row per replicate and month, ordered by replicate.

    The result does not depend on ``workers``: each replicate is a separate, seeded run. The
    jobs are made as workers take them (:class:`~cxsim.experiments.processes.Pool`), and workers
    are capped to the cores. ``on_done`` is called with the number of replicates finished so far
    (for progress).
    """
    jobs = ((scenario, i, seed) for i, seed in enumerate(seeds))
    workers = max(1, min(workers, len(seeds), default_workers()))
    frames: list[pd.DataFrame] = []
    results = map(_one, jobs) if workers == 1 else Pool(_one, jobs, workers)
    with contextlib.closing(results) if isinstance(results, Pool) else contextlib.nullcontext():
        for frame in results:
            frames.append(frame)
            if on_done:
                on_done(len(frames))
    frames.sort(key=lambda frame: int(frame["replicate"].iat[0]))
    return pd.concat(frames, ignore_index=True)
