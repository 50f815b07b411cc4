"""The one atomic writer: every file cxsim writes goes through it.

A file is written under a temporary name in its target folder, flushed and fsynced, given mode
0644 (readable by all, as an ordinary file), renamed over the target (``os.replace``) and the
folder fsynced, so a reader sees the old file or the new one, never half of one, and a failed
write leaves nothing under the final name.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

FILE_MODE = 0o644
TEMPORARY_SUFFIX = ".tmp"


def fsync_directory(folder: Path) -> None:
    """Make a rename inside ``folder`` durable (a no-op where folders cannot be opened)."""
    with suppress(OSError):
        handle = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """A temporary path beside ``path``; when the block succeeds its file is fsynced, made 0644
    and moved to ``path``. On failure nothing is left behind."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMPORARY_SUFFIX,
                                    dir=path.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        with open(temporary, "rb+") as written:
            os.fsync(written.fileno())
        os.chmod(temporary, FILE_MODE)
        os.replace(temporary, path)
        fsync_directory(path.parent)
    finally:
        with suppress(FileNotFoundError):
            temporary.unlink()


def write_atomic(path: str | Path, write: Callable[[Path], None]) -> None:
    """Call ``write(temporary_path)`` and move the result to ``path`` atomically."""
    with atomic_path(path) as temporary:
        write(temporary)


def write_bytes(path: str | Path, data: bytes) -> None:
    """``data`` to ``path``, atomically."""
    write_atomic(path, lambda temporary: temporary.write_bytes(data))


def write_text(path: str | Path, text: str) -> None:
    """``text`` (UTF-8) to ``path``, atomically."""
    write_bytes(path, text.encode("utf-8"))


# -- result sets: whole or absent ---------------------------------------------------------------

def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    import ctypes
    import sys

    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    done = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return done == 0


MARKER = ".cxsim-result-set"      # in every result set: the folder may be replaced whole


class ResultSetBusyError(OSError):
    """Another process is writing the same result set."""


class NotAResultSetError(FileExistsError):
    """The target is a folder with other things in it: cxsim does not replace it."""


def replaceable(target: Path) -> bool:
    """Whether ``target`` may be replaced by a result set: absent, empty, or a result set."""
    if not target.exists():
        return True
    return (target / MARKER).is_file() or not any(target.iterdir())


@contextmanager
def result_set(target: str | Path, replace: bool = True) -> Iterator[Path]:
    """A fresh folder beside ``target`` to write a whole result set into; when the block
    succeeds it takes ``target``'s place in one rename, so a reader (or a crash at any moment)
    finds the previous complete set or the new complete set, never a mix.

    A lock file beside the target (``flock``) keeps a second writer out: it gets
    :class:`ResultSetBusyError` at once. Temporary folders left by a killed writer are removed on
    start. Only an empty folder or an earlier result set (it holds the file ``MARKER``) is
    replaced: any other folder is :class:`NotAResultSetError`, before anything is written, and
    so is an existing target with ``replace=False``. On failure the temporary folder is removed
    and ``target`` is untouched.
    """
    import fcntl
    import shutil

    target = Path(target)
    parent = target.parent
    parent.mkdir(parents=True, exist_ok=True)
    if target.exists() and not target.is_dir():
        raise NotADirectoryError(f"{target} exists and is not a folder")
    if target.exists() and not replace:
        raise NotAResultSetError(f"{target} exists; give a new folder")
    if not replaceable(target):
        raise NotAResultSetError(f"{target} is a folder with other files in it, not an earlier "
                                 "cxsim result; give a new or empty folder")
    lock_path = parent / f".{target.name}.lock"
    lock = open(lock_path, "a+")  # noqa: SIM115 - held for the block's lifetime
    try:
        try:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ResultSetBusyError(f"{target} is being written by another process") from None
        # We hold the lock: anything temporary left for this target is a dead writer's.
        for stale in parent.glob(f".{target.name}.*{TEMPORARY_SUFFIX}"):
            if stale.is_dir():
                shutil.rmtree(stale, ignore_errors=True)
            else:
                stale.unlink(missing_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=TEMPORARY_SUFFIX,
                                        dir=parent))
        try:
            yield staging
            (staging / MARKER).write_text("a cxsim result set: replaced whole by the next "
                                          "run into this folder\n")
            for written in staging.rglob("*"):
                if written.is_file():
                    with open(written, "rb") as handle:
                        os.fsync(handle.fileno())
                    os.chmod(written, FILE_MODE)
            os.chmod(staging, 0o755)
            fsync_directory(staging)
            if target.exists():
                if not _exchange(staging, target):
                    # No atomic exchange here: the old set moves aside, then the new one in;
                    # a crash between the two leaves nothing under the final name.
                    aside = staging.with_name(staging.name + ".old" + TEMPORARY_SUFFIX)
                    os.replace(target, aside)
                    os.replace(staging, target)
                    staging = aside
                fsync_directory(parent)
                shutil.rmtree(staging, ignore_errors=True)
            else:
                os.replace(staging, target)
                fsync_directory(parent)
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)
    finally:
        lock.close()


def write_record(record: dict, out: str | Path, name: str) -> Path:
    """A JSON record as the one file ``name`` of a result set in ``out``."""
    import json

    with result_set(out) as staging:
        (staging / name).write_text(json.dumps(record, indent=2) + "\n")
    return Path(out) / name
