"""The cxsim command end to end, as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from cxsim.model import COLUMNS, shipped_scenarios

SMALL = ["--set", "organisation.employees=90", "--set", "organisation.customers=60"]


def cxsim(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cxsim.experiments.cli", *args],
                          capture_output=True, text=True, cwd=cwd, timeout=300)


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory) -> tuple[Path, Path, subprocess.CompletedProcess]:
    root = tmp_path_factory.mktemp("runs")
    first = cxsim("run", "techops_programme", "--seed", "1", "--replicates", "3",
                  "--workers", "1", "--out", str(root / "a"), *SMALL)
    second = cxsim("run", "techops_programme", "--seed", "1", "--replicates", "3",
                   "--workers", "2", "--out", str(root / "b"), *SMALL)
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    return root / "a", root / "b", first


def test_run_writes_every_output(two_runs) -> None:
    out, _, result = two_runs
    monthly = pd.read_parquet(out / "monthly.parquet")
    assert list(monthly.columns) == ["scenario", "replicate", "seed", *COLUMNS]
    assert sorted(monthly["replicate"].unique()) == [0, 1, 2]
    assert sorted(monthly["seed"].unique()) == [1, 2, 3]
    assert list(monthly.groupby("replicate").size()) == [13, 13, 13]
    csv = pd.read_csv(out / "monthly.csv")
    pd.testing.assert_frame_equal(csv, monthly, check_dtype=False, atol=1e-9)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["provenance"]["scenario"] == "techops_programme"
    assert summary["provenance"]["seeds"] == [1, 2, 3]
    assert summary["provenance"]["parameters"]["organisation"]["employees"] == 90
    churn = summary["summary"]["churn_annualised"]
    assert churn["start"]["month"] == 0 and churn["end"]["month"] == 12
    assert churn["end"]["p5"] <= churn["end"]["mean"] <= churn["end"]["p95"]
    png = (out / "trajectories.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 20_000
    assert "Logo churn" in result.stdout and "month 12" in result.stdout
    assert "replicates" in result.stderr  # the progress bar
    assert not list(out.glob(".*tmp"))


def test_same_seed_gives_identical_files_whatever_the_workers(two_runs) -> None:
    a, b, _ = two_runs
    for name in ("monthly.csv", "monthly.parquet", "trajectories.png"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    left = json.loads((a / "summary.json").read_text())
    right = json.loads((b / "summary.json").read_text())
    assert left["summary"] == right["summary"]


def test_different_seeds_differ(two_runs, tmp_path) -> None:
    a, _, _ = two_runs
    result = cxsim("run", "techops_programme", "--seed", "7", "--replicates", "3",
                   "--workers", "1", "--out", str(tmp_path), *SMALL)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "monthly.csv").read_bytes() != (a / "monthly.csv").read_bytes()


@pytest.mark.parametrize(("args", "expected"), [
    (["--set", "levers.psychological_safety=7"],
     "--set: levers.psychological_safety = 7: a number from 0.0 to 1.0"),
    (["--set", "levers.psychologcal_safety=0.5"], "did you mean 'levers.psychological_safety'"),
    (["--set", "levers.incentive_alignment=high"], "levers.incentive_alignment = 'high'"),
    (["--set", "organisation.employees=12.5"], "a whole number from 20 to 200000"),
    (["--set", "levers.psychological_safety"], "use key=value"),
    (["--seed", "-3"], "a whole number >= 0"),
])
def test_bad_input_is_one_line_exit_2_and_writes_nothing(args, expected, tmp_path) -> None:
    out = tmp_path / "out"
    result = cxsim("run", "techops_programme", "--out", str(out), *args)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("cxsim: error: ")
    assert expected in lines[0]
    assert not out.exists()


def test_bad_scenario_files(tmp_path) -> None:
    malformed = tmp_path / "malformed.toml"
    malformed.write_text("name = \n[levers\n")
    unknown = tmp_path / "unknown.toml"
    unknown.write_text('extends = "baseline"\n[levers]\nritual_participatio = 0.5\n')
    missing = tmp_path / "missing.toml"
    missing.write_text('extends = "no_such_scenario"\n')
    for path, expected in [(malformed, "malformed TOML"),
                           (unknown, "levers.ritual_participatio = 0.5: unknown parameter; did "
                                     "you mean 'levers.ritual_participation'?"),
                           (missing, "extends = 'no_such_scenario'")]:
        result = cxsim("run", str(path), "--out", str(tmp_path / "out"))
        assert result.returncode == 2, result.stderr
        assert result.stderr.count("\n") == 1 and str(path) in result.stderr
        assert expected in result.stderr
    result = cxsim("run", "techops_programm")
    assert result.returncode == 2 and "did you mean 'techops_programme'" in result.stderr
    assert not (tmp_path / "out").exists()


def test_scenarios_lists_every_shipped_scenario() -> None:
    result = cxsim("scenarios")
    assert result.returncode == 0, result.stderr
    for name in shipped_scenarios():
        assert name in result.stdout


def test_shipped_scenarios_all_load_and_run() -> None:
    from cxsim.model import load_scenario, simulate

    for name in shipped_scenarios():
        scenario = load_scenario(name, {"organisation.employees": 60,
                                        "organisation.customers": 40})
        assert scenario.description, name
        frame = simulate(scenario, seed=0)
        assert len(frame) == 13, name


def test_compare_end_to_end(tmp_path) -> None:
    """cxsim compare: common random numbers, paired differences, fan charts, files."""
    for name, parent in (("small_base", "baseline"), ("small_programme", "techops_programme"),
                         ("small_theater", "cx_theater")):
        (tmp_path / f"{name}.toml").write_text(
            f'name = "{name}"\ndescription = "A small {parent}."\nextends = "{parent}"\n'
            "[organisation]\nemployees = 120\ncustomers = 80\n")
    out = tmp_path / "out"
    result = cxsim("compare", *(str(tmp_path / f"{n}.toml") for n in
                                ("small_base", "small_programme", "small_theater")),
                   "--replicates", "4", "--workers", "2", "--out", str(out))
    assert result.returncode == 0, result.stderr
    differences = pd.read_csv(out / "differences.csv")
    assert set(differences["scenario"]) == {"small_base", "small_programme", "small_theater"}
    reference = differences[differences["scenario"] == "small_base"]
    assert (reference["difference"] == 0).all()  # the reference against itself
    row = differences[(differences["scenario"] == "small_theater")
                      & (differences["outcome"] == "cynicism")].iloc[0]
    assert row["ci95_low"] <= row["difference"] <= row["ci95_high"]
    monthly = pd.read_parquet(out / "monthly.parquet")
    seeds = monthly.groupby("scenario")["seed"].apply(lambda s: sorted(set(s)))
    assert all(s == [0, 1, 2, 3] for s in seeds)  # replicate i shares its seed across scenarios
    assert (out / "fan_charts.png").read_bytes().startswith(b"\x89PNG")
    summary = json.loads((out / "summary.json").read_text())
    assert summary["provenance"]["reference"] == "small_base"
    assert "small_programme" in result.stdout
    assert cxsim("compare", "baseline").returncode == 2
