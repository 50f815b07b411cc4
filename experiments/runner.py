"""Replicates of one scenario: the experiments layer's one way into the model.

Replicate i of a run with base seed s uses seed s + i (numpy's SeedSequence hashes the seed, so
consecutive seeds give independent streams). Every scenario compared on the same base seed
therefore runs replicate i on the same seed: common random numbers.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor

import pandas as pd

from cxsim.model import Scenario, simulate


def replicate_seeds(base_seed: int, replicates: int) -> list[int]:
    """The recorded seed of each replicate."""
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

    The result does not depend on ``workers``: each replicate is a separate, seeded run.
    ``on_done`` is called with the number of replicates finished so far (for progress).
    """
    jobs = [(scenario, i, seed) for i, seed in enumerate(seeds)]
    workers = max(1, min(workers, len(jobs), os.cpu_count() or 1))
    frames: list[pd.DataFrame] = []
    if workers == 1:
        for job in jobs:
            frames.append(_one(job))
            if on_done:
                on_done(len(frames))
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for frame in pool.map(_one, jobs, chunksize=max(1, len(jobs) // (4 * workers))):
                frames.append(frame)
                if on_done:
                    on_done(len(frames))
    return pd.concat(frames, ignore_index=True)
