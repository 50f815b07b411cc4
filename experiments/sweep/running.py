"""Running a sweep: the runs not yet stored, on the chosen backend, into the store."""

from __future__ import annotations

import contextlib
import itertools
import math
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.markup import escape

from cxsim.experiments.sweep import backends
from cxsim.experiments.sweep.chunks import default_chunk_size, make_chunks, missing_runs
from cxsim.experiments.sweep.definition import Sweep
from cxsim.experiments.sweep.store import Store
from cxsim.model.errors import one_line


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
    quarantined: int = 0             # damaged files moved to quarantine/ on opening the store

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


class SweepStoppedError(RuntimeError):
    """A sweep stopped before it finished (its Dask workers or scheduler went away, a worker
    process died); what was stored is kept. ``str()`` is one line; ``report`` says what was
    done."""

    def __init__(self, message: str, report: SweepReport) -> None:
        super().__init__(one_line(message))
        self.report = report


def run_sweep(sweep: Sweep, out: str | Path, workers: int | None = None,
              scheduler: Any = None, progress: bool = True, chunk_size: int | None = None,
              max_chunks: int | None = None, dask_timeout: float = 60.0) -> SweepReport:
    """Run the runs of ``sweep`` not yet in ``out``; returns what was done.

    ``workers``: local processes (default all cores; 1 runs in this process), at most the cores
    this process may use and the number of chunks. ``scheduler``: a Dask scheduler address or
    ``distributed.Client`` (then ``workers`` is ignored); ``dask_timeout``: seconds to wait for a
    Dask worker (or the scheduler) before stopping with :class:`SweepStoppedError`. ``max_chunks``
    stops after that many chunks (for tests and benchmarks).

    Damaged parts in ``out`` are moved to ``out/quarantine`` (one warning line) and their runs run
    again. An interruption (KeyboardInterrupt) keeps what was stored; the exception carries the
    report as ``sweep_report``.
    """
    started, cpu_started = time.perf_counter(), time.process_time()
    client, own_client = (backends.connect(scheduler, min(10.0, dask_timeout))
                          if scheduler is not None else (None, False))
    store = Store(out)
    report: SweepReport | None = None
    try:
        store.open(sweep)
        if store.quarantined:
            _warn_quarantined(store)
        done = store.done_runs(sweep.replicates)
        missing = sweep.n_runs - len(done)
        if client is not None:
            backend = "dask"
            workers = max(1, sum(client.nthreads().values()))
        else:
            workers = backends.local_workers(workers, max(missing, 1))
            backend = "serial" if workers == 1 or missing <= 1 else "processes"
        size = chunk_size or sweep.spec.chunk_size or default_chunk_size(missing, workers)
        count = math.ceil(missing / size)
        if max_chunks is not None:
            count = min(count, max_chunks)
        if backend == "processes":
            workers = backends.local_workers(workers, count)
            backend = "processes" if workers > 1 else "serial"
        chunks = itertools.islice(make_chunks(sweep, missing_runs(sweep.n_runs, done, size)),
                                  count)
        report = SweepReport(Path(out), sweep.n_runs, len(done), 0, workers, backend, size,
                             count, quarantined=len(store.quarantined))
        report.setup_seconds = time.perf_counter() - started
        if backend == "serial":
            results = backends.serial(chunks)
        elif backend == "processes":
            results = backends.pool(chunks, workers)
        else:
            results = backends.dask(chunks, client, workers, dask_timeout)
        # the pool's workers are running by now: the progress bar's thread starts after them
        with contextlib.closing(results), _progress(progress) as bar:
            task = bar.add_task(f"{escape(sweep.spec.name)}: runs", total=sweep.n_runs,
                                completed=len(done))
            try:
                for result in results:
                    runs = len(result.columns["point"])
                    with _deferred_signals():    # a stored chunk is a counted chunk
                        t0 = time.perf_counter()
                        store.write(result.columns)
                        report.store_seconds += time.perf_counter() - t0
                        report.runs_done += runs
                    report.model_seconds += result.model_seconds
                    report.worker_seconds += result.worker_seconds
                    bar.advance(task, runs)
            except backends.BackendLostError as lost:
                raise SweepStoppedError(f"{lost}; {_kept(report)}", report) from None
        if report.complete:
            store.mark_complete()
    except KeyboardInterrupt as interrupt:
        interrupt.sweep_report = report  # type: ignore[attr-defined]
        raise
    finally:
        store.close()
        if own_client:
            with contextlib.suppress(Exception):
                client.close(timeout=min(10.0, dask_timeout))
    report.wall_seconds = time.perf_counter() - started
    report.main_cpu_seconds = time.process_time() - cpu_started
    return report


@contextlib.contextmanager
def _deferred_signals() -> Iterator[None]:
    """SIGINT and SIGTERM wait until the block is done (then act as they would have), so that
    an interrupted sweep reports exactly the runs it stored. Main thread only (elsewhere signals
    are not handled anyway)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held: list[tuple[int, Any]] = []
    previous = {signum: signal.signal(signum, lambda number, frame: held.append((number,
                                                                                frame)))
                for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        for signum, frame in held[:1]:
            handler = previous[signum]
            if callable(handler):
                handler(signum, frame)
            elif handler == signal.SIG_DFL:
                os.kill(os.getpid(), signum)


def _kept(report: SweepReport) -> str:
    stored = report.runs_before + report.runs_done
    return (f"{stored} of {report.runs_total} runs are stored in {report.directory}; run the "
            "same command again to finish")


def _warn_quarantined(store: Store) -> None:
    """One line for every damaged file moved aside on opening the store."""
    first = store.quarantined[0]
    more = len(store.quarantined) - 1
    sys.stderr.write("cxsim: warning: " + one_line(
        f"{len(store.quarantined)} damaged file(s) moved to {store.quarantine_dir} "
        f"({first.original.name}: {first.reason}" + (f"; and {more} more" if more else "")
        + "); their runs will be run again") + "\n")
