"""The calibration is a scripted, rerunnable procedure whose record the shipped defaults match."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import pickle
import re
import shutil
import subprocess
import sys
import warnings
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from cxsim.experiments import calibrate, cli
from cxsim.model import ScenarioError, load_scenario


@pytest.fixture(scope="module")
def record() -> dict:
    return json.loads(calibrate.RECORD.read_text())


def test_shipped_baseline_holds_the_calibrated_values(record) -> None:
    params = load_scenario("baseline").parameters
    for free in record["free_parameters"]:
        section, name = free["key"].split(".")
        assert getattr(getattr(params, section), name) == pytest.approx(free["calibrated"])
        assert free["low"] <= free["calibrated"] <= free["high"]


def test_record_means_reproduce_from_the_shipped_defaults(record) -> None:
    """Re-validating the shipped defaults on the recorded seeds gives the recorded means."""
    first, last = record["validation_seeds"]
    with ProcessPoolExecutor(max_workers=2) as pool:
        values = calibrate.replicate_means({}, list(range(first, last + 1)), pool.map)
    for target in record["targets"]:
        key = calibrate.Target(target["scenario"], target["month"], target["column"],
                               target["value"], target["tolerance"], target["meaning"])
        assert values[key].mean() == pytest.approx(target["mean"], abs=1e-3), target["column"]


def test_every_case_figure_within_tolerance(record) -> None:
    outside = [(t["scenario"], t["month"], t["column"], t["mean"], t["value"])
               for t in record["targets"] if not t["within_tolerance"]]
    assert not outside
    for t in record["targets"]:
        assert abs(t["mean"] - t["value"]) <= t["tolerance"]


def test_a_rerun_reproduces_the_record() -> None:
    """Two short calibrations with the same seed give the same record (the date aside)."""
    runs = [calibrate.calibrate(trials=4, replicates=2, validate=3, seed=7, workers=2, refine=4)
            for _ in range(2)]
    for run in runs:
        run.pop("date")
    assert runs[0] == runs[1]


# -- the command: what it writes, and when ---------------------------------------------------

TINY = ["--trials", "2", "--refine", "0", "--replicates", "1", "--validate", "2"]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def exit_code(argv: list[str]) -> int:
    try:
        return cli.main(argv)
    except SystemExit as stop:
        return int(stop.code or 0)


@pytest.fixture
def shipped_copy(tmp_path, monkeypatch) -> Path:
    """The shipped baseline and record copied to a folder that stands in for the shipped one."""
    folder = tmp_path / "shipped"
    folder.mkdir()
    for source in (calibrate.BASELINE, calibrate.RECORD):
        shutil.copyfile(source, folder / source.name)
    monkeypatch.setattr(calibrate, "BASELINE", folder / calibrate.BASELINE.name)
    monkeypatch.setattr(calibrate, "RECORD", folder / calibrate.RECORD.name)
    return folder


def test_calibrate_never_touches_the_shipped_files_without_write(tmp_path) -> None:
    """A short calibration misses its targets: it says which, exits 1, and writes only --out."""
    shipped = {path: digest(path) for path in (calibrate.BASELINE, calibrate.RECORD)}
    out = tmp_path / "calibration"
    result = subprocess.run([sys.executable, "-m", "cxsim", "fit-point", *TINY, "--workers", "2",
                             "--out", str(out)], capture_output=True, text=True, timeout=600)
    assert {path: digest(path) for path in shipped} == shipped
    assert result.returncode == 1, result.stderr
    assert "targets out of tolerance" in result.stderr
    assert re.search(r"churn_annualised \(\w+, month \d+\): mean [\d.]+, target \d+ \+/- "
                     r"[\d.]+, off by [+-][\d.]+ \([\d.]+x the tolerance\)", result.stderr)
    assert sorted(p.name for p in out.iterdir()) == [".cxsim-result-set", "baseline.toml",
                                                     "calibration_record.json"]
    record = json.loads((out / "calibration_record.json").read_text())
    assert record["trials"] == 2 and not record["all_within_tolerance"]
    with warnings.catch_warnings():  # a baseline extends nothing: the schema's defaults
        warnings.simplefilter("ignore")
        candidate = load_scenario(out / "baseline.toml").parameters
    for free in record["free_parameters"]:
        section, name = free["key"].split(".")
        assert getattr(getattr(candidate, section), name) == pytest.approx(free["calibrated"])


def test_write_refuses_a_calibration_out_of_tolerance(shipped_copy, tmp_path, capsys) -> None:
    before = {p.name: digest(p) for p in shipped_copy.iterdir()}
    assert exit_code(["fit-point", *TINY, "--workers", "1", "--write",
                      "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "targets out of tolerance; the shipped scenarios were not changed" in err
    assert {p.name: digest(p) for p in shipped_copy.iterdir()} == before
    assert not list((tmp_path / "out").glob("backup-*"))


def test_dry_run_with_workers_prints_the_record_and_writes_nothing(tmp_path, capsys) -> None:
    out = tmp_path / "out"
    assert exit_code(["fit-point", *TINY, "--workers", "2", "--dry-run", "--out", str(out)]) == 1
    captured = capsys.readouterr()
    record = json.loads(captured.out)
    assert record["trials"] == 2 and record["validation_replicates"] == 2
    assert "targets out of tolerance" in captured.err
    assert not out.exists()


def test_install_keeps_the_previous_files(shipped_copy, tmp_path) -> None:
    record = json.loads(calibrate.RECORD.read_text())
    record["date"] = "2099-01-01"
    for free in record["free_parameters"]:
        free["calibrated"] = round((free["low"] + free["high"]) / 2, 6)
    before = {p.name: p.read_bytes() for p in shipped_copy.iterdir()}
    candidate = calibrate.write_candidate(record, tmp_path / "candidate")
    kept = calibrate.install(record, candidate, tmp_path / "backup")
    assert {p.name: p.read_bytes() for p in kept} == before
    assert json.loads(calibrate.RECORD.read_text())["date"] == "2099-01-01"
    assert calibrate.BASELINE.read_bytes() == candidate[0].read_bytes()
    outside = {**record, "all_within_tolerance": False,
               "targets": [{**record["targets"][0], "within_tolerance": False,
                            "mean": record["targets"][0]["value"] + 10}]}
    with pytest.raises(ValueError, match="out of tolerance: churn_annualised"):
        calibrate.install(outside, candidate, tmp_path / "backup2")
    assert not (tmp_path / "backup2").exists()


@pytest.mark.fast
@pytest.mark.parametrize(("args", "expected"), [
    (["--trials", "0"], "argument --trials: '0': a whole number >= 1 expected"),
    (["--trials", "-1"], "argument --trials: '-1': a whole number >= 1 expected"),
    (["--replicates", "0"], "argument --replicates: '0': a whole number >= 1 expected"),
    (["--workers", "-1"], "argument --workers: '-1': a whole number >= 1 expected"),
    (["--validate", "0"], "argument --validate: '0': a whole number >= 2 expected"),
    (["--validate", "1"], "argument --validate: '1': a whole number >= 2 expected"),
    (["--refine", "-1"], "argument --refine: '-1': a whole number >= 0 expected"),
    (["--seed", "x"], "argument --seed: 'x': a whole number >= 0 expected"),
    (["--write", "--dry-run"], "not allowed with argument --write"),
    (["--out", "/dev/null"], "a file, not a directory"),
])
def test_bad_calibrate_numbers_are_one_line_exit_2(args, expected, capsys) -> None:
    assert exit_code(["fit-point", *args]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("cxsim: error: "), lines
    assert expected in lines[0] and lines[0].endswith("(see cxsim fit-point --help)")


@pytest.mark.fast
def test_calibrate_help_says_what_it_writes() -> None:
    result = subprocess.run([sys.executable, "-m", "cxsim", "fit-point", "--help"],
                            capture_output=True, text=True, timeout=120,
                            env={**os.environ, "COLUMNS": "100"})
    assert result.returncode == 0, result.stderr
    text = " ".join(result.stdout.split())
    for words in ("the shipped scenarios are not touched", "--write also replaces the shipped",
                  "only if every target is within its tolerance", "backup", "--dry-run prints",
                  "1 when one is not", "(default: 200)", "(default: 600)", "(default: 20)",
                  "(default: 50)", "default 2026", "default runs/calibration", "all cores"):
        assert words in text, words


# -- an input error raised in a worker process ----------------------------------------------

def _load_in_worker(value: float) -> None:
    load_scenario("baseline", {"levers.psychological_safety": value})


@pytest.mark.fast
def test_scenario_error_pickles_and_crosses_processes() -> None:
    error = ScenarioError("a\nfile.toml", "levers.x", "bad\x1b[31m", "a number from 0 to 1")
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is ScenarioError and str(again) == str(error)
    assert "\n" not in str(again) and "\x1b" not in str(again)
    with pytest.raises(ScenarioError) as here:
        _load_in_worker(7.0)
    spawn = multiprocessing.get_context("spawn")  # a fresh interpreter: only the pickle crosses
    with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as pool, \
            pytest.raises(ScenarioError) as there:
        pool.submit(_load_in_worker, 7.0).result()
    assert str(there.value) == str(here.value)


def test_an_error_in_a_calibration_worker_is_one_line(monkeypatch, tmp_path, capsys) -> None:
    """--dry-run with workers > 1: a bad parameter range fails in the worker processes and
    reaches the user as the one line, exit 2."""
    monkeypatch.setattr(calibrate, "FREE", [*calibrate.FREE[:-1], calibrate.Free(
        "levers.psychological_safety", 2.0, 3.0, "out of its schema range on purpose")])
    code = exit_code(["fit-point", *TINY, "--workers", "2", "--dry-run",
                      "--out", str(tmp_path / "out")])
    captured = capsys.readouterr()
    lines = [line for line in captured.err.splitlines() if "error" in line]
    assert code == 2, captured.err
    assert len(lines) == 1 and re.fullmatch(
        r"cxsim: error: overrides: levers\.psychological_safety = 2\.\d+: a number from 0\.0 to "
        r"1\.0 \(see cxsim fit-point --help\)", lines[0]), lines
    assert captured.out == "" and not (tmp_path / "out").exists()
