"""Replicates of one scenario: the experiments layer's one way into the model.

Replicate i of a run with base seed s uses seed s + i (numpy's SeedSequence hashes the seed, so
consecutive seeds give independent streams), and a posterior draw of the calibrated parameters
from the plan of that base seed (``experiments.uncertainty``). Every scenario compared on the same
base seed therefore runs replicate i on the same seed and the same draw: common random numbers.
"""

from __future__ import annotations

import contextlib
import itertools
import math
from collections.abc import Callable, Sequence

import pandas as pd

from cxsim.experiments.processes import Pool, default_workers
from cxsim.experiments.statistics import MAX_REPLICATES, MAX_SEED
from cxsim.experiments.uncertainty import POINT, with_draw
from cxsim.model import Scenario, simulate_many


def replicate_seeds(base_seed: int, replicates: int) -> list[int]:
    """The recorded seed of each replicate: ``base_seed + i``, for 1 to ``MAX_REPLICATES``
    replicates from a base seed of 0 to ``MAX_SEED`` (else ValueError)."""
    if not 1 <= replicates <= MAX_REPLICATES:
        raise ValueError(f"replicates must be from 1 to {MAX_REPLICATES:,}, not {replicates}")
    if not 0 <= base_seed <= MAX_SEED:
        raise ValueError(f"the base seed must be from 0 to 2**62, not {base_seed}")
    return [base_seed + i for i in range(replicates)]


def _replicates(job: tuple[Scenario, int, Sequence[int], Sequence[int]]) -> pd.DataFrame:
    """Replicates ``first``, ``first + 1``, ... of ``scenario`` on ``seeds`` and posterior
    ``draws`` (in this process or a worker): one call of ``simulate_many`` per run of
    consecutive replicates on the same draw."""
    scenario, first, seeds, draws = job
    frames = []
    for start, stop in _runs_of(draws):
        frame = simulate_many(with_draw(scenario, draws[start]), seeds[start:stop])
        frame.insert(0, "draw", draws[start])
        frame.insert(0, "replicate", frame.pop("run") + first + start)
        frames.append(frame)
    monthly = pd.concat(frames, ignore_index=True)
    monthly.insert(0, "scenario", scenario.name)
    return monthly


def _runs_of(draws: Sequence[int]) -> list[tuple[int, int]]:
    """[start, stop) of each run of equal consecutive draws."""
    edges = [0, *(i for i in range(1, len(draws)) if draws[i] != draws[i - 1]), len(draws)]
    return list(itertools.pairwise(edges))


def run_replicates(scenario: Scenario, seeds: Sequence[int], workers: int = 1,
                   on_done: Callable[[int], None] | None = None,
                   draws: Sequence[int] | None = None) -> pd.DataFrame:
    """All replicates of ``scenario``, one row per replicate and month, ordered by replicate:
    columns ``scenario``, ``replicate``, ``draw``, ``seed``, then the model's.

    Replicate i runs on ``seeds[i]`` and on posterior row ``draws[i]`` of the calibrated
    parameters (``uncertainty.with_draw``; default: every replicate on the calibrated point,
    ``uncertainty.POINT``). The result does not depend on ``workers``: each replicate is a
    separate, seeded run (``simulate_many``). With several workers the replicates go out in
    chunks of consecutive ones, made as workers take them
    (:class:`~cxsim.experiments.processes.Pool`), about four per worker; workers are capped to
    the cores. ``on_done`` is called with the number of replicates finished so far (for
    progress).
    """
    seeds = list(seeds)
    draws = [POINT] * len(seeds) if draws is None else [int(d) for d in draws]
    if len(draws) != len(seeds):
        raise ValueError(f"{len(draws)} draws for {len(seeds)} seeds")
    workers = max(1, min(workers, len(seeds), default_workers()))
    if workers == 1:
        return _replicates_in_order(scenario, seeds, draws, on_done)
    size = max(1, math.ceil(len(seeds) / (4 * workers)))
    jobs = ((scenario, first, seeds[first:first + size], draws[first:first + size])
            for first in range(0, len(seeds), size))
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


def _replicates_in_order(scenario: Scenario, seeds: list[int], draws: list[int],
                         on_done: Callable[[int], None] | None) -> pd.DataFrame:
    if all(d == POINT for d in draws):
        frame = simulate_many(scenario, seeds, on_run=on_done)
        frame.insert(0, "draw", POINT)
        frame.insert(0, "replicate", frame.pop("run"))
        frame.insert(0, "scenario", scenario.name)
        return frame
    frames = []
    for start, stop in _runs_of(draws):
        frames.append(_replicates((scenario, start, seeds[start:stop], draws[start:stop])))
        if on_done:
            on_done(stop)
    return pd.concat(frames, ignore_index=True)
