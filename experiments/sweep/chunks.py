"""Tasks: a chunk of consecutive runs, and what a worker does with it.

Run ``k = point * replicates + replicate``. A chunk carries plain, picklable data (the runner's
settings, the run indices, their seeds and parameter values), so it runs the same in this
process, a local pool or a Dask worker; each worker imports the model once and returns only the
requested outputs.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from cxsim.experiments.sweep.models import Function

if TYPE_CHECKING:
    from cxsim.experiments.sweep.definition import Sweep


@dataclass(frozen=True)
class Runner:
    """What a worker needs to turn (values, seed) into outputs: plain, picklable data."""

    names: tuple[str, ...]
    integer: tuple[bool, ...]
    outputs: tuple[tuple[str, str, str, int | None], ...]   # name, column, statistic, month
    base: dict[str, Any] | None = None
    function: Function | None = None                        # None: the agent-based model
    draws: tuple[dict[str, float], ...] | None = None       # per replicate (context posterior)

    @classmethod
    def of(cls, sweep: Sweep) -> Runner:
        return cls(tuple(sweep.names), tuple(sweep.integer),
                   tuple((o.name, o.column, o.statistic or "final", o.month)
                         for o in sweep.spec.outputs),
                   sweep.base, sweep.function, sweep.draws)


@dataclass(frozen=True)
class Chunk:
    """A task: consecutive runs (indices into point * replicates + replicate)."""

    runner: Runner
    runs: np.ndarray        # int64 run indices
    points: np.ndarray      # int64 point of each run
    replicates: np.ndarray  # int64 replicate of each run
    seeds: np.ndarray       # int64 seed of each run
    values: np.ndarray      # float64 (runs, parameters)


@dataclass
class ChunkResult:
    columns: dict[str, np.ndarray]
    model_seconds: float    # time inside the model (or function) itself
    worker_seconds: float   # time inside run_chunk


def statistic(values: np.ndarray, name: str, month: int | None) -> float:
    """One number from a monthly series (months 0..end): see OutputSpec.statistic."""
    if name == "final":
        return float(values[-1])
    if name == "month":
        return float(values[int(month or 0)])
    if name == "auc":
        return float(np.sum((values[1:] + values[:-1]) / 2.0))
    if name == "mean":
        return float(np.mean(values[1:] if values.size > 1 else values))
    if name == "min":
        return float(np.min(values[1:] if values.size > 1 else values))
    if name == "max":
        return float(np.max(values[1:] if values.size > 1 else values))
    raise ValueError(name)


def _parameters_for(runner: Runner, values: np.ndarray, replicate: int) -> Any:
    """The scenario's parameters with replicate ``replicate``'s posterior draw (if any) and the
    point's swept ``values``."""
    from cxsim.model.parameters import Parameters

    assert runner.base is not None
    data = dict(runner.base)
    copied: set[tuple[str, ...]] = set()
    drawn = runner.draws[replicate] if runner.draws else {}
    settings = [*((key, value, False) for key, value in drawn.items()),
                *zip(runner.names, values, runner.integer, strict=True)]
    for key, value, is_int in settings:
        parts = key.split(".")
        target = data
        for depth in range(1, len(parts)):
            path = tuple(parts[:depth])
            if path not in copied:
                target[parts[depth - 1]] = dict(target[parts[depth - 1]])
                copied.add(path)
            target = target[parts[depth - 1]]
        target[parts[-1]] = round(float(value)) if is_int else float(value)
    return Parameters.model_validate(data)


def run_chunk(chunk: Chunk) -> ChunkResult:
    """Run a chunk (in a worker): the outputs of each run, and where the time went."""
    start = time.perf_counter()
    runner = chunk.runner
    n = len(chunk.runs)
    outputs = np.empty((n, len(runner.outputs)), dtype=float)
    model_seconds = 0.0
    if runner.function is not None:
        for i in range(n):
            params = dict(zip(runner.names, (float(v) for v in chunk.values[i]), strict=True))
            t0 = time.perf_counter()
            result = runner.function(params, int(chunk.seeds[i]))
            model_seconds += time.perf_counter() - t0
            outputs[i] = [float(result[column]) for _, column, _, _ in runner.outputs]
    else:
        from cxsim.model import simulate_many

        points, last = [], None
        for i in range(n):
            replicate = int(chunk.replicates[i])
            key = (chunk.values[i].tobytes(), replicate if runner.draws else None)
            if key != last:   # consecutive runs of a point share its (validated) parameters
                params, last = _parameters_for(runner, chunk.values[i], replicate), key
            points.append(params)
        t0 = time.perf_counter()
        monthly = simulate_many(points, chunk.seeds.tolist())
        model_seconds = time.perf_counter() - t0
        bounds = np.searchsorted(monthly["run"].to_numpy(), np.arange(n + 1))
        for j, (_, column, name, month) in enumerate(runner.outputs):
            values = monthly[column].to_numpy(dtype=float)
            for i in range(n):
                outputs[i, j] = statistic(values[bounds[i]:bounds[i + 1]], name, month)
    columns: dict[str, np.ndarray] = {
        "point": chunk.points.astype(np.int64), "replicate": chunk.replicates.astype(np.int64),
        "seed": chunk.seeds.astype(np.int64)}
    for j, (name, is_int) in enumerate(zip(runner.names, runner.integer, strict=True)):
        columns[name] = (np.rint(chunk.values[:, j]).astype(np.int64) if is_int
                         else chunk.values[:, j].astype(float))
    for j, (name, *_rest) in enumerate(runner.outputs):
        columns[name] = outputs[:, j]
    return ChunkResult(columns, model_seconds, time.perf_counter() - start)


def make_chunks(sweep: Sweep, runs: np.ndarray | Iterable[np.ndarray],
                size: int | None = None) -> Iterator[Chunk]:
    """Tasks, made one at a time as they are asked for: ``runs`` (ascending run indices) split
    into pieces of at most ``size``, or an iterable of such pieces (``size`` then unused).

    Each chunk's seeds and values are drawn when it is made, so memory holds only the chunks
    in flight, however many runs a sweep has."""
    runner = Runner.of(sweep)
    if isinstance(runs, np.ndarray):
        if size is None:
            raise TypeError("make_chunks needs a size to split an array of runs")
        runs = np.asarray(runs, dtype=np.int64)
        pieces: Iterable[np.ndarray] = (runs[start:start + size]
                                        for start in range(0, len(runs), size))
    else:
        pieces = runs
    for part in pieces:
        part = np.asarray(part, dtype=np.int64)
        points = part // sweep.replicates
        yield Chunk(runner, part, points, part % sweep.replicates, sweep.seeds(part),
                    sweep.points[points])


def missing_runs(n_runs: int, done: np.ndarray, size: int,
                 block: int = 1 << 16) -> Iterator[np.ndarray]:
    """The run indices from 0 to ``n_runs`` not in ``done`` (sorted, unique), in consecutive
    pieces of ``size`` (the last may be shorter); made a block at a time, never all at once."""
    done = np.asarray(done, dtype=np.int64)
    block = max(block, size)
    carry = np.empty(0, dtype=np.int64)
    for start in range(0, n_runs, block):
        stop = min(start + block, n_runs)
        ids = np.arange(start, stop, dtype=np.int64)
        low, high = np.searchsorted(done, [start, stop])
        if high > low:
            ids = ids[~np.isin(ids, done[low:high], assume_unique=True)]
        if carry.size:
            ids = np.concatenate([carry, ids])
        whole = len(ids) - len(ids) % size
        for first in range(0, whole, size):
            yield ids[first:first + size]
        carry = ids[whole:]
    if carry.size:
        yield carry


def default_chunk_size(runs: int, workers: int) -> int:
    """About 20 tasks per worker, at most 64 runs a task (a couple of seconds of model time)."""
    return max(1, min(64, math.ceil(runs / (max(workers, 1) * 20))))
