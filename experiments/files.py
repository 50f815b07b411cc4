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
