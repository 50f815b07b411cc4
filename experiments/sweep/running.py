"""Running a sweep: the runs not yet stored, on the chosen backend, into the store."""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from rich.markup import escape

from cxsim.experiments.sweep import backends
from cxsim.experiments.sweep.chunks import default_chunk_size, make_chunks
from cxsim.experiments.sweep.definition import Sweep
from cxsim.experiments.sweep.store import Store


@dataclass
class SweepReport:
    """What a call of :func:`run_sweep` did and where the time went."""

    directory: Path
    runs_total: int
    runs_before: int
    runs_done: int
    workers: int
    backend: str
    chunk_size: int
    chunks: int
    wall_seconds: float = 0.0
    setup_seconds: float = 0.0       # sampling, seeds, store checks (main process)
    store_seconds: float = 0.0       # writing chunks (main process)
    model_seconds: float = 0.0       # inside the model (all workers)
    worker_seconds: float = 0.0      # inside run_chunk (all workers)
    main_cpu_seconds: float = 0.0    # CPU time of this process (sampling, dispatch, storage)

    @property
    def complete(self) -> bool:
        return self.runs_before + self.runs_done >= self.runs_total

    def as_dict(self) -> dict[str, Any]:
        data = {k: v for k, v in self.__dict__.items() if k != "directory"}
        data["directory"] = str(self.directory)
        return data


def _progress(enabled: bool) -> Any:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TaskProgressColumn(), TextColumn("elapsed"), TimeElapsedColumn(),
                    TextColumn("left"), TimeRemainingColumn(),
                    console=Console(stderr=True), disable=not enabled, transient=False)


def run_sweep(sweep: Sweep, out: str | Path, workers: int | None = None,
              scheduler: Any = None, progress: bool = True, chunk_size: int | None = None,
              max_chunks: int | None = None) -> SweepReport:
    """Run the runs of ``sweep`` not yet in ``out``; returns what was done.

    ``workers``: local processes (default all cores; 1 runs in this process). ``scheduler``: a
    Dask scheduler address or ``distributed.Client`` (then ``workers`` is ignored).
    ``max_chunks`` stops after that many chunks (for tests and benchmarks).
    """
    started, cpu_started = time.perf_counter(), time.process_time()
    client, own_client = backends.connect(scheduler) if scheduler is not None else (None, False)
    store = Store(out)
    try:
        store.open(sweep)
        done = store.done_runs(sweep.replicates)
        missing = np.setdiff1d(np.arange(sweep.n_runs, dtype=np.int64), done)
        workers = backends.default_workers() if workers is None else max(1, int(workers))
        if client is not None:
            backend = "dask"
            workers = max(1, sum(client.nthreads().values()))
        elif workers == 1 or len(missing) <= 1:
            backend = "serial"
        else:
            backend = "processes"
        size = chunk_size or sweep.spec.chunk_size or default_chunk_size(len(missing), workers)
        chunks = make_chunks(sweep, missing, size)
        if max_chunks is not None:
            chunks = chunks[:max_chunks]
        report = SweepReport(Path(out), sweep.n_runs, len(done), 0, workers, backend, size,
                             len(chunks))
        report.setup_seconds = time.perf_counter() - started
        if backend == "serial":
            results = backends.serial(chunks)
        elif backend == "processes":
            results = backends.pool(chunks, max(1, min(workers, len(chunks))))
        else:
            results = backends.dask(chunks, client)
        with _progress(progress) as bar, contextlib.closing(results):
            task = bar.add_task(f"{escape(sweep.spec.name)}: runs", total=sweep.n_runs,
                                completed=len(done))
            for result in results:
                t0 = time.perf_counter()
                store.write(result.columns)
                report.store_seconds += time.perf_counter() - t0
                count = len(result.columns["point"])
                report.runs_done += count
                report.model_seconds += result.model_seconds
                report.worker_seconds += result.worker_seconds
                bar.advance(task, count)
        if report.complete:
            store.mark_complete()
    finally:
        store.close()
        if own_client:
            client.close()
    report.wall_seconds = time.perf_counter() - started
    report.main_cpu_seconds = time.process_time() - cpu_started
    return report
