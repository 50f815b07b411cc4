"""Local worker processes that end with their parent: the one process pool of cxsim.

``cxsim run``, ``compare``, ``report`` and ``sweep`` spread their runs over :class:`Pool`. It
takes its work lazily and keeps only a few items per worker in flight, so memory does not grow
with the number of runs asked for, and yields results as they finish (in any order; callers sort
them, so results do not depend on the number of workers).

Clean ends: the workers are forked before any other thread starts (``spawn`` if one is running
already), never from a fork server, so nothing else is started and no ``/tmp/pymp-*`` folder is
made; they die with their parent (Linux ``prctl(PR_SET_PDEATHSIG, SIGKILL)``; elsewhere a thread
that watches the parent), so a killed command leaves no process behind; Ctrl-C reaches the parent
only, which stops its workers at once.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

IN_FLIGHT = 3                     # items per worker queued ahead, so no worker waits for work
PR_SET_PDEATHSIG = 1              # linux/prctl.h


class BackendLostError(RuntimeError):
    """The workers or the scheduler went away; ``str()`` is one line saying which."""


def default_workers() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _die_with_parent(parent: int) -> None:
    """Make this process end when ``parent`` does, however it ends (SIGKILL included)."""
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0:
                if os.getppid() != parent:      # the parent died before prctl took hold
                    os._exit(1)
                return
        except (OSError, AttributeError):
            pass

    def watch() -> None:        # no prctl here: poll for the parent instead
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="cxsim-parent-watch", daemon=True).start()


def _worker_start(parent: int) -> None:
    """The pool's initializer, in each worker: Ctrl-C is the parent's to handle (it stops the
    workers), SIGTERM ends a worker (not a handler forked from the parent); die with the
    parent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):
        # started with these blocked (see _blocked); a Ctrl-C pending since is dropped (ignored)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    _die_with_parent(parent)


@contextlib.contextmanager
def _blocked() -> Iterator[None]:
    """SIGINT and SIGTERM held back while workers start: a child inherits the mask, so a Ctrl-C
    during their start-up cannot reach them (and print their tracebacks); it reaches this process
    as soon as the block ends."""
    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover - not POSIX
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _kill_workers(executor: Any) -> None:
    """Stop a pool's workers now (an interrupted command does not wait for their work)."""
    processes = getattr(executor, "_processes", None) or {}
    for process in list(processes.values()):
        with contextlib.suppress(Exception):
            process.kill()


def start_method() -> str:
    """'fork' when this process has no other thread (workers then start at once, the model
    already imported), else 'spawn' (forking beside running threads can deadlock the child)."""
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return "fork"
    return "spawn"


class Pool:
    """``function(item)`` for each of ``items`` on ``workers`` local processes, results as they
    finish (an iterator).

    The workers start when the pool is made, so make it before starting any thread (a progress
    bar); :meth:`close` stops them, at once if the pool did not finish. A worker that dies
    (killed, out of memory) is :class:`BackendLostError`."""

    def __init__(self, function: Callable[[Any], Any], items: Iterable[Any],
                 workers: int) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self._function = function
        self._queue = iter(items)
        self._finished = False
        self.method = start_method()
        with _blocked():
            self._executor = ProcessPoolExecutor(
                max_workers=workers, mp_context=multiprocessing.get_context(self.method),
                initializer=_worker_start, initargs=(os.getpid(),))
            try:
                # the first submissions start the workers, under the same block
                self._pending = {self._executor.submit(function, item) for item in
                                 itertools.islice(self._queue, IN_FLIGHT * workers)}
            except BaseException:
                self.close()
                raise
        self._results = self._run()

    def _run(self) -> Iterator[Any]:
        from concurrent.futures import FIRST_COMPLETED, wait
        from concurrent.futures.process import BrokenProcessPool

        while self._pending:
            done, self._pending = wait(self._pending, return_when=FIRST_COMPLETED)
            for future in done:
                try:
                    result = future.result()
                except BrokenProcessPool:
                    raise BackendLostError("a worker process died (killed, or out of "
                                           "memory?)") from None
                yield result
                for item in itertools.islice(self._queue, 1):
                    self._pending.add(self._executor.submit(self._function, item))
        self._finished = True

    def __iter__(self) -> Iterator[Any]:
        return self

    def __next__(self) -> Any:
        try:
            return next(self._results)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        if not self._finished:
            _kill_workers(self._executor)
            self._finished = True
        self._executor.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
