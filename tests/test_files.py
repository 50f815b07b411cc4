"""The one atomic writer and result sets that are whole or absent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from cxsim.experiments.files import (
    MARKER,
    NotAResultSetError,
    ResultSetBusyError,
    _exchange,
    result_set,
    write_text,
)

pytestmark = pytest.mark.fast


def test_atomic_file_is_0644_and_leaves_no_temporary(tmp_path):
    write_text(tmp_path / "a.txt", "x")
    assert oct((tmp_path / "a.txt").stat().st_mode & 0o777) == "0o644"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]


def test_failed_atomic_write_leaves_the_old_file(tmp_path):
    write_text(tmp_path / "a.txt", "old")
    from cxsim.experiments.files import write_atomic

    def broken(path: Path) -> None:
        path.write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_atomic(tmp_path / "a.txt", broken)
    assert (tmp_path / "a.txt").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]


def test_result_set_replaces_the_whole_set(tmp_path):
    target = tmp_path / "run"
    with result_set(target) as staging:
        (staging / "monthly.csv").write_text("old")
        (staging / "differences.csv").write_text("stale")
    with result_set(target) as staging:
        (staging / "monthly.csv").write_text("new")
    assert sorted(p.name for p in target.iterdir()) == [MARKER, "monthly.csv"]
    assert (target / "monthly.csv").read_text() == "new"


def test_a_folder_of_other_files_is_never_replaced(tmp_path):
    target = tmp_path / "home"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    with pytest.raises(NotAResultSetError, match="not an earlier cxsim result"), \
            result_set(target) as staging:
        (staging / "monthly.csv").write_text("new")
    assert sorted(p.name for p in target.iterdir()) == ["notes.txt"]
    empty = tmp_path / "empty"
    empty.mkdir()
    with result_set(empty) as staging:           # an empty folder is fine
        (staging / "a.csv").write_text("x")
    assert (empty / "a.csv").read_text() == "x"


def test_failed_result_set_keeps_the_previous_one(tmp_path):
    target = tmp_path / "run"
    with result_set(target) as staging:
        (staging / "monthly.csv").write_text("old")
    with pytest.raises(RuntimeError), result_set(target) as staging:
        (staging / "monthly.csv").write_text("new")
        raise RuntimeError("simulation failed")
    assert (target / "monthly.csv").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".run.lock", "run"]


def test_refuses_to_replace_without_permission(tmp_path):
    (tmp_path / "run").mkdir()
    with pytest.raises(FileExistsError), result_set(tmp_path / "run", replace=False):
        pass


def test_second_writer_is_refused_at_once(tmp_path):
    target = tmp_path / "run"
    with result_set(target), pytest.raises(ResultSetBusyError), result_set(target):
        pass


def test_exchange_is_atomic_on_linux(tmp_path):
    if not sys.platform.startswith("linux"):
        pytest.skip("renameat2 is Linux only")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "x").write_text("a")
    assert _exchange(tmp_path / "a", tmp_path / "b")
    assert (tmp_path / "b" / "x").read_text() == "a"


def test_sigkill_while_writing_leaves_the_previous_set_and_stale_files_go(tmp_path):
    target = tmp_path / "run"
    with result_set(target) as staging:
        (staging / "monthly.csv").write_text("previous")
    script = textwrap.dedent(f"""
        import os, signal
        from pathlib import Path
        from cxsim.experiments.files import result_set
        with result_set(Path({str(target)!r})) as staging:
            (staging / "monthly.csv").write_text("half")
            os.kill(os.getpid(), signal.SIGKILL)
    """)
    done = subprocess.run([sys.executable, "-c", script], timeout=60)
    assert done.returncode == -signal.SIGKILL
    assert (target / "monthly.csv").read_text() == "previous"
    assert any(p.name.endswith(".tmp") for p in tmp_path.iterdir())   # the dead writer's
    with result_set(target) as staging:
        (staging / "monthly.csv").write_text("next")
    assert not any(p.name.endswith(".tmp") for p in tmp_path.iterdir())
    assert sorted(os.listdir(target)) == [MARKER, "monthly.csv"]
