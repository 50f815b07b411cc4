"""Sampling: a sweep's points (Saltelli, Morris, grids, one at a time) and every run's seed.

Both are deterministic given the sweep file: the points from its method, settings and seed, the
seed of run (point, replicate) from the sweep's seed and that pair only, so results do not depend
on the backend, the number of workers or the chunking.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np

from cxsim.experiments.sweep.schema import ParameterSpec, SweepFile

SEED_DERIVATION = ("numpy.random.SeedSequence(entropy=sweep seed, spawn_key=(point, replicate) "
                   "or (replicate,) with common random numbers).generate_state(1, uint64) >> 1")


def run_seed(sweep_seed: int, point: int, replicate: int, common: bool = False) -> int:
    """The seed of one (point, replicate): independent of chunking, workers and backend."""
    key = (replicate,) if common else (point, replicate)
    state = np.random.SeedSequence(entropy=sweep_seed, spawn_key=key).generate_state(
        1, dtype=np.uint64)
    return int(state[0] >> np.uint64(1))


def levels_of(p: ParameterSpec, default: int) -> list[float]:
    """The levels a grid or one-at-a-time sweep sets a parameter to."""
    if p.values is not None:
        return [float(v) for v in p.values]
    assert p.low is not None and p.high is not None
    count = p.levels or default
    if count == 1 or p.low == p.high:
        return [float(p.low)]
    return [float(v) for v in np.linspace(p.low, p.high, count)]


def count_points(spec: SweepFile) -> int:
    """How many points a spec's sample has, without drawing it."""
    d = len(spec.parameters)
    if spec.method == "sobol":
        return spec.n * (2 * d + 2 if spec.second_order else d + 2)
    if spec.method == "morris":
        return spec.n * (d + 1)
    counts = [len(levels_of(p, spec.levels)) for p in spec.parameters]
    return math.prod(counts) if spec.method == "grid" else 1 + sum(counts)


def _from_unit(u: np.ndarray, p: ParameterSpec) -> np.ndarray:
    """Map uniform [0, 1] draws to the parameter's distribution between low and high."""
    assert p.low is not None and p.high is not None
    lo, hi = float(p.low), float(p.high)
    if p.distribution == "uniform":
        return lo + u * (hi - lo)
    if p.distribution == "loguniform":
        return np.exp(np.log(lo) + u * (np.log(hi) - np.log(lo)))
    from scipy import stats
    if p.distribution == "triangular":
        c = (float(p.mode) - lo) / (hi - lo)  # type: ignore[arg-type]
        return stats.triang.ppf(u, c, loc=lo, scale=hi - lo)
    mean, sd = float(p.mean), float(p.sd)  # type: ignore[arg-type]
    return stats.truncnorm.ppf(u, (lo - mean) / sd, (hi - mean) / sd, loc=mean, scale=sd)


def _base_value(p: ParameterSpec, base: dict[str, Any] | None) -> float:
    if p.base is not None:
        return float(p.base)
    if base is not None:
        value: Any = base
        for part in p.key.split("."):
            value = value[part]
        return float(value)
    assert p.low is not None and p.high is not None
    return (float(p.low) + float(p.high)) / 2


def sample(spec: SweepFile, base: dict[str, Any] | None = None) -> np.ndarray:
    """The points of a sweep, (points, parameters); deterministic given the spec."""
    d = len(spec.parameters)
    if spec.method in ("sobol", "morris"):
        unit = {"num_vars": d, "names": [p.key for p in spec.parameters],
                "bounds": [[0.0, 1.0]] * d}
        if spec.method == "sobol":
            from SALib.sample import sobol as sobol_sample
            u = sobol_sample.sample(unit, spec.n, calc_second_order=spec.second_order,
                                    scramble=True, seed=spec.seed)
        else:
            from SALib.sample import morris as morris_sample
            u = morris_sample.sample(unit, spec.n, num_levels=spec.num_levels, seed=spec.seed)
        u = np.asarray(u, dtype=float)
        # lo + u (hi - lo) can land an ulp past hi; a value past a schema bound is refused
        return np.column_stack([np.clip(_from_unit(u[:, j], p), p.low, p.high)
                                for j, p in enumerate(spec.parameters)])
    levels = [levels_of(p, spec.levels) for p in spec.parameters]
    if spec.method == "grid":
        return np.array(list(itertools.product(*levels)), dtype=float).reshape(-1, d)
    centre = [_base_value(p, base) for p in spec.parameters]
    rows = [list(centre)]
    for j, values in enumerate(levels):
        for v in values:
            row = list(centre)
            row[j] = v
            rows.append(row)
    return np.array(rows, dtype=float)
