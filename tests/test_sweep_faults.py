"""Sweeps under faults ("safe by default"): damaged stores, killed and interrupted sweeps, lost
Dask clusters, oversized requests, damaged manifests, and an analysis that is whole or absent.

- integrity: a flipped bit in a part's data page, a truncated part, a part of another sweep or
  without a checksum is refused by every reader (one line naming it), moved to quarantine/ and
  run again on resume; the sample and the manifest are checked too;
- clean ends: SIGKILL leaves no process of the sweep alive and no /tmp/pymp-* folder; SIGINT and
  SIGTERM stop with one line and exit 130 or 143, keeping what was stored; a Dask cluster whose
  workers or scheduler go away stops the sweep with one line after a bounded wait, and a
  malformed or unreachable scheduler address is one line at once;
- bounds: local workers capped to the cores and the chunks, at most MAX_RUNS runs, chunks made
  lazily;
- the analysis folder is written whole (a failure leaves the previous one) by one writer.

The sweeps are the Ishigami function (instant) except where processes must be busy.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cxsim.experiments import cli_sweep
from cxsim.experiments.analysis import analyse
from cxsim.experiments.files import result_set
from cxsim.experiments.sweep import (
    MAX_RUNS,
    QUARANTINE,
    Store,
    SweepStoppedError,
    default_workers,
    load_sweep,
    make_chunks,
    missing_runs,
    read_runs,
    run_sweep,
)
from cxsim.experiments.sweep.store import DamagedFileError, check_part
from cxsim.model import ScenarioError

ROOT = Path(__file__).resolve().parents[1]
BOUNDS = "low = -3.141592653589793\nhigh = 3.141592653589793"
ISHIGAMI = f"""
name = "ishi"
model = "ishigami"
method = "sobol"
n = 16
replicates = 2
second_order = false
seed = 3
bootstrap = 100
[[parameters]]
key = "x1"
{BOUNDS}
[[parameters]]
key = "x2"
{BOUNDS}
[[parameters]]
key = "x3"
{BOUNDS}
[[outputs]]
name = "y"
column = "y"
"""
# the agent-based model on a small organisation: slow enough (tens of ms a run) to be caught
# mid-sweep by a signal
BUSY = """
name = "busy"
scenario = "techops_programme"
method = "sobol"
n = 32
replicates = 2
second_order = false
[overrides]
organisation.employees = 60
organisation.customers = 40
[[parameters]]
key = "levers.psychological_safety"
low = 0.1
high = 0.9
[[parameters]]
key = "levers.incentive_alignment"
low = 0.0
high = 0.6
[[outputs]]
name = "churn_m12"
column = "churn_annualised"
"""


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame]:
    """The Ishigami sweep file (80 points x 2 = 160 runs) and its rows, run in this process."""
    tmp = tmp_path_factory.mktemp("reference")
    path = tmp / "ishi.toml"
    path.write_text(ISHIGAMI)
    run_sweep(load_sweep(path), tmp / "out", workers=1, progress=False)
    return path, read_runs(tmp / "out")


def stored(path: Path, out: Path) -> list[Path]:
    """A complete store of the Ishigami sweep in ``out``, 10 parts of 16 runs; its parts."""
    report = run_sweep(load_sweep(path), out, workers=1, progress=False, chunk_size=16)
    assert report.complete and report.chunks == 10
    return Store(out).parts()


def resume(path: Path, out: Path) -> int:
    return cli_sweep.main(["sweep", str(path), "--out", str(out), "--workers", "1", "--quiet",
                           "--no-analyse"])


def one_line(err: str) -> str:
    """The one error line of a command's stderr (after, for a sweep, the line saying what it
    runs), without a traceback."""
    lines = err.splitlines()
    assert lines and lines[-1].startswith("cxsim: error: ") and err.endswith("\n"), err
    assert err.count("cxsim: error: ") == 1 and "Traceback" not in err, err
    return lines[-1]


def silent_flip(part: Path, column: str = "y") -> tuple[int, int]:
    """(byte, bit) inside the data pages of ``column`` whose flip a plain Parquet reader (no
    checks) reads back as changed values without any error: the review's silent corruption."""
    data = part.read_bytes()
    original = pq.read_table(part)
    meta = pq.ParquetFile(part).metadata.row_group(0)
    chunk = next(meta.column(i) for i in range(meta.num_columns)
                 if meta.column(i).path_in_schema == column)
    start = chunk.dictionary_page_offset or chunk.data_page_offset
    end = start + chunk.total_compressed_size          # the column's pages, not the footer
    probe = part.with_name("probe.parquet")
    try:
        for byte in range(end - 1, start, -1):          # from the values backwards
            for bit in range(8):
                flipped = bytearray(data)
                flipped[byte] ^= 1 << bit
                probe.write_bytes(bytes(flipped))
                try:
                    changed = not pq.read_table(probe).equals(original)
                except Exception:  # a flip the plain reader notices is not silent
                    continue
                if changed:
                    return byte, bit
    finally:
        probe.unlink(missing_ok=True)
    raise AssertionError("no silent flip found")


def flip(part: Path, byte: int, bit: int) -> None:
    data = bytearray(part.read_bytes())
    data[byte] ^= 1 << bit
    part.write_bytes(bytes(data))


# -- integrity --------------------------------------------------------------------------------

def test_a_bit_flip_in_a_data_page_is_refused_quarantined_and_run_again(
        reference: tuple[Path, pd.DataFrame], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    path, rows = reference
    out = tmp_path / "out"
    part = stored(path, out)[3]
    byte, bit = silent_flip(part)
    flip(part, byte, bit)
    # every reader refuses it, in one line naming the part and saying to resume
    with pytest.raises(ScenarioError) as caught:
        read_runs(out)
    assert part.name in str(caught.value) and "\n" not in str(caught.value)
    capsys.readouterr()
    assert cli_sweep.main(["analyse", str(out)]) == 2
    err = one_line(capsys.readouterr().err)
    assert part.name in err and "resume the sweep" in err and f"--out {out}" in err
    assert not (out / "analysis").exists()
    # resuming moves it aside, says so once, and runs its 16 runs again
    assert resume(path, out) == 0
    err = capsys.readouterr().err
    warnings = [line for line in err.splitlines() if line.startswith("cxsim: warning: ")]
    assert len(warnings) == 1 and part.name in warnings[0] and QUARANTINE in warnings[0], err
    assert "16 runs in" in err and "(144 already stored)" in err
    assert (out / QUARANTINE / part.name).exists() and not part.exists()
    pd.testing.assert_frame_equal(read_runs(out), rows, check_exact=True)
    manifest = json.loads((out / "manifest.json").read_text())
    assert [q["file"] for q in manifest["quarantined"]] == [part.name]
    assert cli_sweep.main(["analyse", str(out)]) == 0


@pytest.mark.fast
def test_every_bit_flip_in_the_data_pages_is_caught(reference: tuple[Path, pd.DataFrame],
                                                    tmp_path: Path) -> None:
    """400 single-bit flips at random places in the data pages of a part: all refused (the old
    store read back 59% of them as other values, without an error)."""
    path, _ = reference
    part = stored(path, tmp_path / "out")[0]
    data = part.read_bytes()
    check_part(part, None)
    meta = pq.ParquetFile(part).metadata.row_group(0)
    places = [p for i in range(meta.num_columns) for c in [meta.column(i)]
              for p in range(c.dictionary_page_offset or c.data_page_offset,
                             (c.dictionary_page_offset or c.data_page_offset)
                             + c.total_compressed_size)]
    rng = random.Random(0)
    caught = 0
    for byte in rng.sample(places, 400):
        flip(part, byte, rng.randrange(8))
        try:
            check_part(part, None)
        except DamagedFileError:
            caught += 1
        part.write_bytes(data)
    assert caught == 400


@pytest.mark.parametrize("damage", ["truncated", "footer", "foreign", "no_checksum", "empty"])
def test_damaged_parts_are_quarantined_and_run_again(damage: str,
                                                     reference: tuple[Path, pd.DataFrame],
                                                     tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    path, rows = reference
    out = tmp_path / "out"
    parts = stored(path, out)
    part = parts[5]
    if damage == "truncated":
        part.write_bytes(part.read_bytes()[: part.stat().st_size // 2])
    elif damage == "footer":
        flip(part, part.stat().st_size - 12, 0)
    elif damage == "foreign":      # a part of another sweep (other seed), under a valid name
        other = tmp_path / "other.toml"
        other.write_text(ISHIGAMI.replace("seed = 3", "seed = 4"))
        alien = stored(other, tmp_path / "other")[5]
        part.unlink()
        part = out / "runs" / alien.name
        part.write_bytes(alien.read_bytes())
    elif damage == "no_checksum":  # the name an older cxsim gave: nothing to check it against
        part = part.rename(part.with_name("part-000000040-0123456789ab.parquet"))
    else:
        part.write_bytes(b"")
    with pytest.raises(ScenarioError, match="damaged"):
        read_runs(out)
    assert resume(path, out) == 0
    err = capsys.readouterr().err
    assert err.count("cxsim: warning: ") == 1 and "16 runs in" in err, err
    assert (out / QUARANTINE / part.name).exists()
    pd.testing.assert_frame_equal(read_runs(out), rows, check_exact=True)


def test_the_sample_is_checked_and_written_again_on_resume(
        reference: tuple[Path, pd.DataFrame], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    path, rows = reference
    out = tmp_path / "out"
    stored(path, out)
    points = out / "points.parquet"
    points.unlink()                                  # removed: one line, exit 2
    assert cli_sweep.main(["analyse", str(out)]) == 2
    assert "points.parquet" in one_line(capsys.readouterr().err)
    assert resume(path, out) == 0 and points.exists()
    assert "0 runs in" in capsys.readouterr().err
    assert cli_sweep.main(["analyse", str(out)]) == 0
    capsys.readouterr()
    table = pq.read_table(points).to_pandas()        # other values, a well-formed file
    table.loc[3, "x1"] += 0.5
    pq.write_table(pa.Table.from_pandas(table, preserve_index=False), points)
    assert cli_sweep.main(["analyse", str(out)]) == 2
    assert "not the manifest's sample" in one_line(capsys.readouterr().err)
    assert resume(path, out) == 0
    assert (out / QUARANTINE / "points.parquet").exists()
    assert analyse(out).report.exists()
    pd.testing.assert_frame_equal(read_runs(out), rows, check_exact=True)


@pytest.mark.parametrize("text", ['{"identity": "abc", "spec": ', "[1, 2]", "\xff\xfe",
                                  '{"identity": "abc"}'])
def test_a_damaged_manifest_is_one_line(text: str, reference: tuple[Path, pd.DataFrame],
                                        tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    path, _ = reference
    out = tmp_path / "out"
    stored(path, out)
    (out / "manifest.json").write_bytes(text.encode("latin-1"))
    assert resume(path, out) == 2
    assert "manifest.json" in one_line(capsys.readouterr().err)
    assert cli_sweep.main(["analyse", str(out)]) == 2
    assert "manifest.json" in one_line(capsys.readouterr().err)


# -- clean ends -------------------------------------------------------------------------------

def _session(sid: int) -> list[str]:
    """Live processes (not zombies) in session ``sid`` or descended from process ``sid``."""
    found = []
    parents: dict[int, int] = {}
    sessions: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] in "ZX":
            continue
        parents[int(entry)], sessions[int(entry)] = int(fields[1]), int(fields[3])
    for pid in parents:
        ancestor, seen = pid, 0
        while ancestor > 1 and ancestor != sid and seen < 64:
            ancestor, seen = parents.get(ancestor, 0), seen + 1
        if sessions[pid] == sid or ancestor == sid:
            try:
                found.append(f"{pid}: " + Path(f"/proc/{pid}/cmdline").read_bytes()
                             .replace(b"\0", b" ").decode(errors="replace")[:100])
            except OSError:
                continue
    return found


@pytest.fixture
def busy_sweep(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], Path, Path]]:
    """``cxsim sweep`` of the agent-based model on 2 workers, in its own session, with its own
    TMPDIR; yielded once two chunks are stored. Anything of it left is killed after."""
    if default_workers() < 2:
        pytest.skip("worker processes need 2 cores here")
    path = tmp_path / "busy.toml"
    path.write_text(BUSY)
    out, tmpdir = tmp_path / "out", tmp_path / "tmpdir"
    tmpdir.mkdir()
    command = [sys.executable, "-m", "cxsim.experiments.cli_sweep", "sweep", str(path), "--out",
               str(out), "--workers", "2", "--chunk-size", "2", "--no-analyse", "--quiet"]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, start_new_session=True,
                               env={**os.environ, "TMPDIR": str(tmpdir)})
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and process.poll() is None:
            if len(list((out / "runs").glob("part-*.parquet"))) >= 2:
                break
            time.sleep(0.02)
        assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
        assert len(_session(process.pid)) >= 3          # the sweep and its 2 workers
        yield process, out, tmpdir
    finally:
        for line in _session(process.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(line.split(":")[0]), signal.SIGKILL)
        if process.poll() is None:
            process.kill()
        process.wait()


def _gone(sid: int, seconds: float = 10.0) -> list[str]:
    deadline = time.monotonic() + seconds
    while (left := _session(sid)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def test_sigkill_leaves_no_process_and_no_temporary_folder(
        busy_sweep: tuple[subprocess.Popen[bytes], Path, Path]) -> None:
    process, out, tmpdir = busy_sweep
    os.kill(process.pid, signal.SIGKILL)            # the sweep only: its workers must follow
    process.wait()
    assert _gone(process.pid) == []
    assert not list(tmpdir.glob("pymp-*"))
    assert len(read_runs(out)) >= 4                 # what was stored is intact


@pytest.mark.parametrize(("signum", "code", "word"), [(signal.SIGINT, 130, "interrupted"),
                                                      (signal.SIGTERM, 143, "terminated")])
def test_sigint_and_sigterm_stop_cleanly_with_one_line(
        signum: int, code: int, word: str,
        busy_sweep: tuple[subprocess.Popen[bytes], Path, Path]) -> None:
    process, out, tmpdir = busy_sweep
    started = time.monotonic()
    os.kill(process.pid, signum)
    assert process.wait(timeout=30) == code
    assert time.monotonic() - started < 10
    err = process.stderr.read().decode() if process.stderr else ""
    assert "Traceback" not in err, err
    last = err.splitlines()[-1]
    assert last.startswith(f"cxsim: {word}: ") and "runs are stored in" in last, err
    kept = int(last.split(": ")[2].split()[0])
    assert len(read_runs(out)) == kept >= 4
    assert _gone(process.pid) == [] and not list(tmpdir.glob("pymp-*"))


def slow_linear(params: dict[str, float], seed: int) -> dict[str, float]:
    """A function model slow enough for a cluster to lose its workers mid-sweep."""
    time.sleep(0.01)
    return {"y": params["x1"] + 2 * params["x2"] - params["x3"]}


@pytest.fixture
def cluster() -> Iterator[object]:
    """A Dask cluster in this process (threads), reached over TCP on 127.0.0.1."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp://",
                      host="127.0.0.1", dashboard_address=None) as local:
        yield local


def _when_stored(out: Path, count: int, action: object) -> threading.Thread:
    def wait_then_act() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and \
                len(list((out / "runs").glob("part-*.parquet"))) < count:
            time.sleep(0.01)
        action()  # type: ignore[operator]

    thread = threading.Thread(target=wait_then_act, daemon=True)
    thread.start()
    return thread


@pytest.mark.filterwarnings("ignore:Port 8787 is already in use")
@pytest.mark.parametrize("loss", ["workers", "scheduler"])
def test_a_dask_cluster_that_goes_away_stops_the_sweep_with_one_line(
        loss: str, cluster: object, reference: tuple[Path, pd.DataFrame],
        tmp_path: Path) -> None:
    from distributed import LocalCluster

    path, _ = reference
    sweep = load_sweep(path, function=slow_linear)
    out = tmp_path / "out"
    _when_stored(out, 2, (lambda: cluster.scale(0)) if loss == "workers"  # type: ignore
                 else cluster.close)  # type: ignore[attr-defined]
    started = time.monotonic()
    with pytest.raises(SweepStoppedError) as caught:
        run_sweep(sweep, out, scheduler=cluster.scheduler_address,  # type: ignore[attr-defined]
                  progress=False, chunk_size=4, dask_timeout=1.5)
    assert time.monotonic() - started < 20
    message = str(caught.value)
    assert "\n" not in message and "run the same command again" in message
    assert ("every worker" in message) if loss == "workers" else ("lost the Dask scheduler"
                                                                  in message)
    kept = caught.value.report.runs_done + caught.value.report.runs_before
    assert len(read_runs(out)) == kept >= 8
    # what was stored is kept: a new cluster finishes the sweep, the rows as if never stopped
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                      dashboard_address=None) as again:
        report = run_sweep(sweep, out, scheduler=again.scheduler_address, progress=False)
    assert report.complete and report.runs_before == kept
    serial = tmp_path / "serial"
    run_sweep(sweep, serial, workers=1, progress=False)
    pd.testing.assert_frame_equal(read_runs(out), read_runs(serial), check_exact=True)


def test_a_cluster_without_workers_is_one_line_from_the_command(
        reference: tuple[Path, pd.DataFrame], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    from distributed import LocalCluster

    path, _ = reference
    with LocalCluster(n_workers=0, processes=False, protocol="tcp://", host="127.0.0.1",
                      dashboard_address=None) as empty:
        started = time.monotonic()
        code = cli_sweep.main(["sweep", str(path), "--out", str(tmp_path / "out"), "--quiet",
                               "--scheduler", empty.scheduler_address, "--dask-timeout", "1"])
    assert code == 1 and time.monotonic() - started < 15
    err = capsys.readouterr().err
    last = err.splitlines()[-1]
    assert err.count("cxsim: error: ") == 1 and last.startswith("cxsim: error: no Dask worker")
    assert "0 of 160 runs are stored" in last


def test_a_lost_scheduler_is_one_line_from_the_command(cluster: object,
                                                        tmp_path: Path) -> None:
    """Dask logs a lost connection as a many-line traceback: not on the command's stderr."""
    path = tmp_path / "busy.toml"
    path.write_text(BUSY)
    out = tmp_path / "out"
    _when_stored(out, 2, cluster.close)  # type: ignore[attr-defined]
    done = subprocess.run([sys.executable, "-m", "cxsim.experiments.cli_sweep", "sweep",
                           str(path), "--out", str(out), "--quiet", "--no-analyse",
                           "--chunk-size", "2", "--scheduler",
                           cluster.scheduler_address],  # type: ignore[attr-defined]
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    last = one_line(done.stderr)
    assert done.stderr.count("\n") == 2                 # what it runs, then why it stopped
    assert "lost the Dask scheduler" in last and "runs are stored" in last
    assert len(read_runs(out)) == int(last.split("; ")[1].split()[0]) >= 4


@pytest.mark.parametrize("address", ["not an address", "tcp://127.0.0.1:1"])
def test_a_bad_scheduler_address_is_one_line_at_once(address: str, reference: tuple[Path,
                                                                                    pd.DataFrame],
                                                     tmp_path: Path) -> None:
    path, _ = reference
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "cxsim.experiments.cli_sweep", "sweep",
                           str(path), "--out", str(tmp_path / "out"), "--quiet", "--scheduler",
                           address, "--dask-timeout", "1"], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert time.monotonic() - started < 15          # was 22 s, then a Client.__del__ traceback
    assert done.returncode == 2
    one_line(done.stderr)
    assert "--scheduler" in done.stderr and "Exception ignored" not in done.stderr
    assert not (tmp_path / "out").exists() or address != "not an address"


# -- bounds -----------------------------------------------------------------------------------

@pytest.mark.fast
def test_workers_are_capped_to_the_cores_and_the_chunks(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """``--workers 1000`` on a 16-run sweep started 16 worker processes (19 in all)."""
    from cxsim.experiments.sweep import backends

    started: list[int] = []

    def pool(chunks: Iterator[object], workers: int) -> Iterator[object]:
        started.append(workers)                     # the processes the pool would start
        return backends.serial(chunks)  # type: ignore[arg-type]

    monkeypatch.setattr(backends, "pool", pool)
    grid = tmp_path / "grid.toml"
    grid.write_text("name = 'g'\nmodel = 'ishigami'\nmethod = 'grid'\n[[outputs]]\nname = 'y'\n"
                    "column = 'y'\n" + "".join(f"[[parameters]]\nkey = '{k}'\nvalues = {v}\n"
                                               for k, v in (("x1", [0, 1, 2, 3]),
                                                            ("x2", [0, 1, 2, 3]), ("x3", [0]))))
    report = run_sweep(load_sweep(grid), tmp_path / "a", workers=1000, progress=False)
    assert report.complete and report.workers == min(default_workers(), report.chunks)
    report = run_sweep(load_sweep(grid), tmp_path / "b", workers=1000, progress=False,
                       chunk_size=8)
    assert report.chunks == 2 and report.workers == min(default_workers(), 2)
    assert cli_sweep.main(["sweep", str(grid), "--out", str(tmp_path / "c"), "--workers",
                           "1000", "--quiet", "--no-analyse"]) == 0
    err = capsys.readouterr().err
    assert f"--workers 1000 is more than the {default_workers()} cores here" in err
    assert all(w <= default_workers() for w in started) and len(started) == \
        3 * (default_workers() > 1)


@pytest.mark.fast
@pytest.mark.parametrize(("sweep", "n", "replicates"), [("sobol_levers", 1 << 20, None),
                                                        ("morris_screening", 1 << 20, None),
                                                        ("sobol_levers", 1 << 14, 9999)])
def test_more_than_max_runs_is_refused_before_sampling(sweep: str, n: int,
                                                       replicates: int | None) -> None:
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(ScenarioError) as caught:
            load_sweep(sweep, n=n, replicates=replicates)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    message = str(caught.value)
    assert "\n" not in message and f"n = {n}" in message and f"at most {MAX_RUNS:,} runs" in \
        message and "replicate(s) = " in message
    assert peak < 50 * 2 ** 20 and time.monotonic() - started < 5   # was 2.9 GB and 85 s


@pytest.mark.fast
def test_a_grid_over_max_runs_is_refused(tmp_path: Path) -> None:
    grid = tmp_path / "grid.toml"
    grid.write_text("name = 'g'\nmodel = 'ishigami'\nmethod = 'grid'\nreplicates = 3\n"
                    "[[outputs]]\nname = 'y'\ncolumn = 'y'\n" + "".join(
                        f"[[parameters]]\nkey = '{k}'\nlow = 0\nhigh = 1\nlevels = 100\n"
                        for k in ("x1", "x2", "x3")))
    with pytest.raises(ScenarioError, match="1,000,000 points x 3 replicate"):
        load_sweep(grid)


@pytest.mark.fast
def test_chunks_are_made_lazily_as_the_missing_runs_in_order() -> None:
    rng = np.random.default_rng(1)
    for n_runs, size in ((0, 3), (1, 1), (97, 5), (1000, 64), (70_000, 7)):
        done = np.unique(rng.integers(0, max(n_runs, 1), n_runs // 3))
        missing = np.setdiff1d(np.arange(n_runs), done)
        expected = [missing[i:i + size] for i in range(0, len(missing), size)]
        got = list(missing_runs(n_runs, done, size, block=1000))
        assert len(got) == len(expected)
        assert all(np.array_equal(a, b) for a, b in zip(got, expected, strict=True))


def test_memory_does_not_grow_with_the_runs_requested(tmp_path: Path) -> None:
    """The first chunk of a 1,966,080-run sweep costs what a small one's does (the old list of
    every chunk, with every seed, took 110 MB and 41 s for 1.6 million runs)."""
    path = tmp_path / "big.toml"
    path.write_text(ISHIGAMI.replace("n = 16", "n = 131072").replace("replicates = 2",
                                                                     "replicates = 3"))
    sweep = load_sweep(path)
    assert sweep.n_runs == 1_966_080 <= MAX_RUNS
    tracemalloc.start()
    try:
        chunks = make_chunks(sweep, missing_runs(sweep.n_runs, np.empty(0, np.int64), 64))
        first = next(chunks)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(first.runs) == 64 and not isinstance(chunks, list)
    assert peak < 4 * 2 ** 20, peak


# -- the analysis folder ----------------------------------------------------------------------

def test_a_failed_analysis_leaves_the_previous_one_or_none(
        reference: tuple[Path, pd.DataFrame], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from cxsim.experiments.analysis import report as report_module

    path, _ = reference
    out = tmp_path / "out"
    stored(path, out)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the disk is full")

    with monkeypatch.context() as patch:
        patch.setattr(report_module, "plot_tornado", broken)
        with pytest.raises(RuntimeError):
            analyse(out)
    assert not (out / "analysis").exists()              # none: not a half of one
    first = analyse(out)
    other = analyse(out, outcome="y > 5")
    assert other.folder == out / "analysis" / "outcome_y_gt_5"
    before = {p.relative_to(out): p.read_bytes() for p in (out / "analysis").rglob("*")
              if p.is_file()}
    with monkeypatch.context() as patch:
        patch.setattr(report_module, "plot_tornado", broken)
        with pytest.raises(RuntimeError):
            analyse(out)
    after = {p.relative_to(out): p.read_bytes() for p in (out / "analysis").rglob("*")
             if p.is_file()}
    assert after == before
    assert not [p for p in out.iterdir() if p.name.startswith(".analysis.") and
                p.name.endswith(".tmp")]
    # the sweep's own analysis again: the other outcome's folder is kept
    again = analyse(out)
    assert again.files == first.files and (other.folder / "REPORT.md").exists()
    assert all(f.exists() for f in again.files + other.files)


def test_a_concurrent_analysis_is_refused_with_one_line(
        reference: tuple[Path, pd.DataFrame], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    path, _ = reference
    out = tmp_path / "out"
    stored(path, out)
    with result_set(out / "analysis"):             # another analyse is writing it
        assert cli_sweep.main(["analyse", str(out)]) == 2
        assert "being written" in one_line(capsys.readouterr().err)
        assert cli_sweep.main(["analyse", str(out), "--outcome", "y > 5"]) == 2
        assert "being written" in one_line(capsys.readouterr().err)
    assert cli_sweep.main(["analyse", str(out)]) == 0
