"""``cxsim run``, ``compare`` and ``report`` write result sets that are whole or absent.

Attacks from the safe-by-default review: a second writer on the same ``--out``, stale files of
an earlier command, SIGKILL at any moment, a full disk, seeds and replicates out of range, an
``--out`` that holds somebody else's files; and the bounds (replicates, lazily made jobs).
"""

from __future__ import annotations

import errno
import itertools
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from cxsim.experiments import cli
from cxsim.experiments.files import MARKER, result_set
from cxsim.experiments.processes import Pool
from cxsim.experiments.statistics import MAX_REPLICATES, MAX_SEED

pytestmark = pytest.mark.fast
SMALL = ["--set", "organisation.employees=90", "--set", "organisation.customers=60"]
RUN_FILES = [MARKER, "monthly.csv", "monthly.parquet", "summary.json", "trajectories.png"]


def main(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    try:
        code = cli.main(argv)
    except SystemExit as stop:
        code = int(stop.code or 0)
    return code, capsys.readouterr().err


def one_line(err: str) -> str:
    lines = [line for line in err.strip().splitlines() if "error" in line]
    assert len(lines) == 1 and lines[0].startswith("cxsim: error: "), err
    return lines[0]


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_second_writer_on_the_same_out_is_refused_at_once(tmp_path):
    out = tmp_path / "run"
    with result_set(out):          # another cxsim writing this set
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "cxsim", "run", "baseline",
                               "--replicates", "2", "--out", str(out), *SMALL],
                              capture_output=True, text=True, timeout=120)
        elapsed = time.perf_counter() - started
        assert not out.exists()
    assert done.returncode == 2, done.stderr
    assert "being written by another process" in one_line(done.stderr)
    assert "replicates" not in done.stderr          # refused before any simulation
    assert elapsed < 60


def test_a_new_result_replaces_the_old_one_whole(tmp_path, capsys):
    out = tmp_path / "results"
    code, err = main(["compare", "baseline", "techops_programme", "--replicates", "2",
                      "--workers", "1", "--out", str(out)], capsys)
    assert code == 0, err
    assert "differences.csv" in listing(out) and "fan_charts.png" in listing(out)
    code, err = main(["run", "baseline", "--replicates", "2", "--workers", "1",
                      "--out", str(out), *SMALL], capsys)
    assert code == 0, err
    assert listing(out) == RUN_FILES            # no stale differences.csv or fan_charts.png
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_an_out_with_other_files_is_refused_before_running(tmp_path, capsys):
    out = tmp_path / "home"
    out.mkdir()
    (out / "thesis.tex").write_text("mine")
    code, err = main(["run", "baseline", "--replicates", "2", "--out", str(out)], capsys)
    assert code == 2 and "not an earlier cxsim result" in one_line(err)
    assert listing(out) == ["thesis.tex"] and "replicates" not in err


@pytest.mark.parametrize("args", [
    ["--seed", str(2**64)],
    ["--seed", str(MAX_SEED + 1)],
    ["--seed", "-1"],
    ["--replicates", str(MAX_REPLICATES + 1)],
    ["--replicates", "10000000"],
    ["--replicates", "9" * 5000],
])
@pytest.mark.parametrize("command", [["run", "baseline"],
                                     ["compare", "baseline", "techops_programme"],
                                     ["report", "techops_programme", "--format", "html"]])
def test_seeds_and_replicates_out_of_range_are_one_line(tmp_path, capsys, command, args):
    out = tmp_path / "out"
    code, err = main([*command, *args, "--out", str(out)], capsys)
    assert code == 2, err
    assert "--seed" in one_line(err) or "--replicates" in one_line(err)
    assert not out.exists() and listing(tmp_path) == []


def test_full_disk_is_one_line_and_leaves_the_previous_set(tmp_path, capsys, monkeypatch):
    out = tmp_path / "run"
    code, err = main(["run", "baseline", "--replicates", "2", "--workers", "1",
                      "--out", str(out), *SMALL], capsys)
    assert code == 0, err
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def full(table, path, *args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    import pyarrow.parquet

    monkeypatch.setattr(pyarrow.parquet, "write_table", full)
    code, err = main(["run", "baseline", "--replicates", "3", "--seed", "9", "--workers", "1",
                      "--out", str(out), *SMALL], capsys)
    assert code == 1, err
    line = [x for x in err.splitlines() if x.startswith("cxsim: error:")]
    assert len(line) == 1 and "No space left on device" in line[0], err
    assert "Traceback" not in err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_unwritable_out_is_one_line(tmp_path, capsys):
    code, err = main(["run", "baseline", "--out", "/proc/cxsim-results"], capsys)
    assert code in (1, 2) and "cxsim-results" in one_line(err)    # 1 as root: access() says yes
    assert "replicates" not in err and "Traceback" not in err


def _run_command(out: Path, seed: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "cxsim", "run", "baseline", "--replicates", "8", "--workers", "2",
         "--seed", str(seed), "--out", str(out), *SMALL],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def _alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


def test_sigkill_at_any_moment_leaves_the_previous_set_or_nothing(tmp_path):
    out = tmp_path / "run"
    first = _run_command(out, seed=100)
    assert first.wait(timeout=300) == 0
    previous = {p.name: p.read_bytes() for p in out.iterdir()}
    assert sorted(previous) == RUN_FILES
    for delay in (0.5, 1.5, 2.5, 3.5, 5.0):
        process = _run_command(out, seed=int(delay * 10))
        time.sleep(delay)
        process.kill()
        process.wait()
        deadline = time.monotonic() + 10
        while _alive(process.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _alive(process.pid), f"a worker outlived its SIGKILLed parent ({delay} s)"
        now = {p.name: p.read_bytes() for p in out.iterdir()}
        if now != previous:                       # it finished before the kill: a whole set
            assert sorted(now) == RUN_FILES
            summary = json.loads(now["summary.json"])
            assert summary["provenance"]["seeds"][0] == int(delay * 10)
            previous = now
    restart = _run_command(out, seed=1)           # stale temporary folders go on the next start
    assert restart.wait(timeout=300) == 0
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_pool_takes_its_work_lazily():
    with Pool(abs, itertools.count(), 2) as pool:       # an endless supply of work
        first = list(itertools.islice(pool, 20))
    assert len(first) == 20 and len(set(first)) == 20     # it did not try to take them all


def test_replicates_run_in_order_through_simulate_many(monkeypatch):
    """Serially, the replicates are one ``simulate_many`` call on the seeds, in order, numbered
    from 0 (with workers, chunks of consecutive replicates go out as workers take them)."""
    from cxsim.experiments import runner

    calls: list[list[int]] = []

    def fake(scenario, seeds, on_run=None):
        calls.append(list(seeds))
        return pd.DataFrame({"run": range(len(seeds)), "seed": list(seeds)})

    class Named:
        name = "s"

    monkeypatch.setattr(runner, "simulate_many", fake)
    frame = runner.run_replicates(Named(), range(5, 8), workers=1)  # type: ignore[arg-type]
    assert calls == [[5, 6, 7]]
    assert list(frame["replicate"]) == [0, 1, 2] and list(frame["seed"]) == [5, 6, 7]


def test_a_worker_that_dies_is_one_line_and_writes_nothing(tmp_path, capsys, monkeypatch):
    from cxsim.experiments import runner
    from cxsim.experiments.processes import BackendLostError

    def lost(*args, **kwargs):
        raise BackendLostError("a worker process died (killed, or out of memory?)")

    monkeypatch.setattr(runner, "run_replicates", lost)
    out = tmp_path / "run"
    code, err = main(["run", "baseline", "--replicates", "2", "--out", str(out)], capsys)
    assert code == 1 and "a worker process died" in one_line(err) and "Traceback" not in err
    assert not out.exists() and not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
