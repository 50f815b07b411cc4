"""Where chunks run: in this process, on a local process pool, or on a Dask cluster.

Every backend runs the same :func:`.chunks.run_chunk` on the same chunks and yields their
results as they finish (in any order); the store sorts them, so the rows are bit-identical
whatever the backend or the number of workers.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import uuid
from collections.abc import Iterator
from typing import Any

from cxsim.experiments.sweep.chunks import Chunk, ChunkResult, run_chunk
from cxsim.model.errors import ScenarioError


def default_workers() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def serial(chunks: list[Chunk]) -> Iterator[ChunkResult]:
    """Each chunk in this process, in order."""
    for chunk in chunks:
        yield run_chunk(chunk)


def pool(chunks: list[Chunk], workers: int) -> Iterator[ChunkResult]:
    """Chunks on ``workers`` local processes (forkserver, the model imported once each)."""
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    context = multiprocessing.get_context("forkserver")
    with contextlib.suppress(Exception):
        context.set_forkserver_preload(["cxsim.experiments.sweep.chunks",
                                        "cxsim.model.cx_model"])
    executor = ProcessPoolExecutor(max_workers=workers, mp_context=context)
    try:
        pending = set()
        queue = iter(chunks)
        # keep a few tasks per worker in flight; submit the rest as they finish
        for chunk in itertools.islice(queue, 3 * workers):
            pending.add(executor.submit(run_chunk, chunk))
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()
                for chunk in itertools.islice(queue, 1):
                    pending.add(executor.submit(run_chunk, chunk))
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


def connect(scheduler: Any) -> tuple[Any, bool]:
    """A ``distributed.Client`` for an address (or the given client); True if we opened it."""
    from distributed import Client

    if isinstance(scheduler, Client):
        return scheduler, False
    try:
        return Client(scheduler, timeout="10s", set_as_default=False), True
    except (OSError, TimeoutError, ValueError) as error:
        raise ScenarioError("--scheduler", "scheduler", str(scheduler),
                            f"a reachable Dask scheduler, e.g. tcp://host:8786 ({error})"
                            ) from None


def dask(chunks: list[Chunk], client: Any) -> Iterator[ChunkResult]:
    """Chunks as tasks on a Dask cluster; its workers need cxsim importable (installed)."""
    from distributed import as_completed

    futures = [client.submit(run_chunk, chunk, pure=False, key=f"cxsim-chunk-{uuid.uuid4()}")
               for chunk in chunks]
    try:
        for future in as_completed(futures, loop=client.loop):
            result = future.result()
            future.release()
            yield result
    finally:
        client.cancel([f for f in futures if not f.done()])
