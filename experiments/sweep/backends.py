"""Where chunks run: in this process, on a local process pool, or on a Dask cluster.

Every backend runs the same :func:`.chunks.run_chunk` on the same chunks and yields their
results as they finish (in any order); the store sorts them, so the rows are bit-identical
whatever the backend or the number of workers. Each takes its chunks lazily and keeps only a few
per worker in flight, so memory does not grow with the size of a sweep.

Clean ends: the pool's workers are forked from the sweep process before any other thread starts
(``spawn`` if one is running already), never from a fork server, so nothing else is started and
no ``/tmp/pymp-*`` folder is made; they die with the sweep process (Linux
``prctl(PR_SET_PDEATHSIG, SIGKILL)``; elsewhere a thread that watches the parent), so a killed
sweep leaves no process behind; Ctrl-C reaches the sweep process only, which stops its workers
at once. On Dask a sweep whose workers are all gone,
or whose scheduler is lost, stops with one line (:class:`BackendLostError`) after a bounded wait.
"""

from __future__ import annotations

import contextlib
import itertools
import queue
import re
import time
import uuid
from collections.abc import Iterable, Iterator
from typing import Any

from cxsim.experiments.processes import BackendLostError, Pool, default_workers
from cxsim.experiments.sweep.chunks import Chunk, ChunkResult, run_chunk
from cxsim.model.errors import ScenarioError

IN_FLIGHT = 3                     # chunks per worker queued ahead, so no worker waits for work
SCHEMES = ("tcp", "tls", "ws", "wss", "ucx")
HOST = re.compile(r"^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})"
                  r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}))*\.?)$")
ADDRESS_RULE = "a Dask scheduler address, SCHEME://HOST:PORT or HOST:PORT, e.g. tcp://10.0.0.5:8786"


def local_workers(requested: int | None, chunks: int) -> int:
    """Processes for the local pool: the request (default: every core) capped to the cores this
    process may use and to the number of chunks (more would only start and wait)."""
    wanted = default_workers() if requested is None else max(1, int(requested))
    return max(1, min(wanted, default_workers(), chunks))


def serial(chunks: Iterable[Chunk]) -> Iterator[ChunkResult]:
    """Each chunk in this process, in order."""
    for chunk in chunks:
        yield run_chunk(chunk)


# -- the local pool ------------------------------------------------------------------------------

def pool(chunks: Iterable[Chunk], workers: int) -> Pool:
    """Chunks on ``workers`` local processes (see :class:`cxsim.experiments.processes.Pool`)."""
    return Pool(run_chunk, chunks, workers)


# -- Dask ----------------------------------------------------------------------------------------

def check_scheduler(address: str) -> str:
    """``address`` if it has the form of a Dask scheduler's address (checked before connecting,
    so a typo is one line at once); else a :class:`ScenarioError`."""
    text = str(address).strip()
    scheme, _, rest = text.rpartition("://")
    scheme = scheme or "tcp"
    if scheme == "inproc" and rest:          # an in-process cluster (the API, tests)
        return text
    host, _, port = rest.rpartition(":")
    valid = (scheme in SCHEMES and bool(HOST.match(host)) and port.isascii() and port.isdigit()
             and 0 < int(port) < 65536 and len(host) <= 255)
    if not valid:
        raise ScenarioError("--scheduler", "scheduler", str(address), ADDRESS_RULE)
    return text


def _client_class() -> type:
    from distributed import Client

    class QuietClient(Client):   # type: ignore[misc, valid-type]
        """A Client that, when it cannot connect, is closed at once: else its ``__del__``
        waits 20 s on a connection that never was and prints a traceback."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            try:
                super().__init__(*args, **kwargs)
            except BaseException:
                self.status = "closed"
                with contextlib.suppress(Exception):
                    self._loop_runner.stop()
                raise

    return QuietClient


def connect(scheduler: Any, timeout: float = 10.0) -> tuple[Any, bool]:
    """A ``distributed.Client`` for an address (or the given client); True if we opened it."""
    from distributed import Client

    if isinstance(scheduler, Client):
        return scheduler, False
    address = check_scheduler(getattr(scheduler, "scheduler_address", scheduler))  # a cluster
    try:
        return _client_class()(address, timeout=f"{timeout}s", set_as_default=False), True
    except (OSError, TimeoutError, ValueError) as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else \
            type(error).__name__
        raise ScenarioError("--scheduler", "scheduler", str(scheduler),
                            f"a reachable Dask scheduler, e.g. tcp://host:8786 (no connection "
                            f"within {timeout:g} s: {reason})") from None


def dask(chunks: Iterable[Chunk], client: Any, slots: int,
         timeout: float = 60.0) -> Iterator[ChunkResult]:
    """Chunks as tasks on a Dask cluster (its workers need cxsim installed), a few per thread in
    flight. Stops with :class:`BackendLostError` when the scheduler is lost, or when no worker
    has been there for ``timeout`` seconds."""
    finished: queue.Queue[Any] = queue.Queue()
    pending: dict[str, Any] = {}
    queue_ = iter(chunks)
    address = getattr(client, "scheduler", None) and client.scheduler.address

    def submit(chunk: Chunk) -> None:
        future = client.submit(run_chunk, chunk, pure=False, key=f"cxsim-chunk-{uuid.uuid4()}")
        pending[future.key] = future
        future.add_done_callback(finished.put)   # called in a Dask thread when it ends

    for chunk in itertools.islice(queue_, IN_FLIGHT * max(1, slots)):
        submit(chunk)
    poll = max(0.05, min(1.0, timeout / 4))
    waiting_since: float | None = None     # since when no worker (or no scheduler) was there
    try:
        while pending:
            try:
                future = finished.get(timeout=poll)
            except queue.Empty:
                waiting_since = _still_there(client, waiting_since, timeout, address)
                continue
            waiting_since = None
            pending.pop(future.key, None)
            if future.cancelled():
                raise BackendLostError(f"lost the Dask scheduler at {address} (its tasks "
                                       "were cancelled)")
            result = _result(future)
            future.release()
            yield result
            for chunk in itertools.islice(queue_, 1):
                submit(chunk)
    finally:
        if pending and client.status == "running":
            with contextlib.suppress(Exception):
                client.cancel(list(pending.values()))


def _result(future: Any) -> ChunkResult:
    from distributed import KilledWorker

    try:
        return future.result()
    except KilledWorker as error:
        raise BackendLostError(f"a chunk's task killed every Dask worker that ran it "
                               f"({error})") from None


def _still_there(client: Any, since: float | None, timeout: float, address: Any) -> float | None:
    """Whether the cluster still has workers and a scheduler; when it has had neither for
    ``timeout`` seconds, :class:`BackendLostError`. Returns since when it has not."""
    reachable = client.status == "running"
    workers = 0
    if reachable:
        try:
            workers = len(client.nthreads(callback_timeout=max(1.0, min(timeout, 10.0))))
        except (OSError, TimeoutError):
            reachable = False
    if reachable and workers:
        return None
    now = time.monotonic()
    since = now if since is None else since
    if now - since >= timeout:
        if not reachable:
            raise BackendLostError(f"lost the Dask scheduler at {address} (no answer for "
                                   f"{timeout:g} s)")
        raise BackendLostError(f"no Dask worker for {timeout:g} s: every worker of the "
                               f"scheduler at {address} is gone")
    return since
