"""Replicates of one scenario: the experiments layer's one way into the model.

Replicate i of a run with base seed s uses seed s + i (numpy's SeedSequence hashes the seed, so
consecutive seeds give independent streams). Every scenario compared on the same base seed
therefore runs replicate i on the same seed: common random numbers.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Sequence

import pandas as pd

from cxsim.experiments.processes import Pool, default_workers
from cxsim.experiments.statistics import MAX_REPLICATES, MAX_SEED
from cxsim.model import Scenario, simulate_many


def replicate_seeds(base_seed: int, replicates: int) -> list[int]:
    """The recorded seed of each replicate: ``base_seed + i``, for 1 to ``MAX_REPLICATES``
    replicates from a base seed of 0 to ``MAX_SEED`` (else ValueError)."""
    if not 1 <= replicates <= MAX_REPLICATES:
        raise ValueError(f"replicates must be from 1 to {MAX_REPLICATES:,}, not {replicates}")
    if not 0 <= base_seed <= MAX_SEED:
        raise ValueError(f"the base seed must be from 0 to 2**62, not {base_seed}")
    return [base_seed + i for i in range(replicates)]


def _replicates(job: tuple[Scenario, int, Sequence[int]]) -> pd.DataFrame:
    """Replicates ``first``, ``first + 1``, ... of ``scenario`` on ``seeds``: one call of
    ``simulate_many`` (in this process or a worker)."""
    scenario, first, seeds = job
    frame = simulate_many(scenario, seeds)
    frame.insert(0, "replicate", frame.pop("run") + first)
    frame.insert(0, "scenario", scenario.name)
    return frame


def run_replicates(scenario: Scenario, seeds: Sequence[int], workers: int = 1,
                   on_done: Callable[[int], None] | None = None) -> pd.DataFrame:
    """All replicates of ``scenario``, one row per replicate and month, ordered by replicate:
    columns ``scenario``, ``replicate``, ``seed``, then the model's.

    The result does not depend on ``workers``: each replicate is a separate, seeded run
    (``simulate_many``). With several workers the replicates go out in chunks of consecutive
    ones, made as workers take them (:class:`~cxsim.experiments.processes.Pool`), about four per
    worker; workers are capped to the cores. ``on_done`` is called with the number of replicates
    finished so far (for progress).
    """
    seeds = list(seeds)
    workers = max(1, min(workers, len(seeds), default_workers()))
    if workers == 1:
        return _replicates_in_order(scenario, seeds, on_done)
    size = max(1, math.ceil(len(seeds) / (4 * workers)))
    jobs = ((scenario, first, seeds[first:first + size]) for first in range(0, len(seeds), size))
    frames: list[pd.DataFrame] = []
    finished = 0
    with contextlib.closing(Pool(_replicates, jobs, workers)) as results:
        for frame in results:
            frames.append(frame)
            finished += int(frame["replicate"].nunique())
            if on_done:
                on_done(finished)
    frames.sort(key=lambda frame: int(frame["replicate"].iat[0]))
    return pd.concat(frames, ignore_index=True)


def _replicates_in_order(scenario: Scenario, seeds: list[int],
                         on_done: Callable[[int], None] | None) -> pd.DataFrame:
    frame = simulate_many(scenario, seeds, on_run=on_done)
    frame.insert(0, "replicate", frame.pop("run"))
    frame.insert(0, "scenario", scenario.name)
    return frame
