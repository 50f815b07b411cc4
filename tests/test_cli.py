"""The cxsim command end to end, as a user runs it.

Subprocesses where the process matters (exit codes, stdout against stderr, workers, ``-m``); the
rest calls :func:`cxsim.experiments.cli.main` in this process, which is the same code and faster.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import cxsim as package
from cxsim.experiments import cli
from cxsim.experiments.cli.parser import HelpFormatter, Parser
from cxsim.model import COLUMNS, shipped_scenarios

pytestmark = pytest.mark.fast
SMALL = ["--set", "organisation.employees=90", "--set", "organisation.customers=60"]


def cxsim(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
          module: str = "cxsim.experiments.cli") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", module, *args], capture_output=True, text=True,
                          cwd=cwd, timeout=300, env=None if env is None else {**os.environ, **env})


def check_error(returncode: int, stderr: str, command: str = "cxsim run") -> str:
    """The single error line of a failed command: one prefix, exit 2, and where help is."""
    assert returncode == 2, (returncode, stderr)
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("cxsim: error: ") and lines[0].count("error:") == 1, lines[0]
    assert lines[0].endswith(f"(see {command} --help)"), lines[0]
    return lines[0]


def one_error_line(result: subprocess.CompletedProcess, command: str = "cxsim run") -> str:
    return check_error(result.returncode, result.stderr, command)


def exit_code(argv: list[str]) -> int:
    """``cli.main(argv)``'s exit code, in this process."""
    try:
        return cli.main(argv)
    except SystemExit as stop:
        return int(stop.code or 0)


def subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = cli.build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


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
    assert list(monthly.columns) == ["scenario", "replicate", "draw", "seed", *COLUMNS]
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
    assert "wrote " not in result.stdout and "wrote " in result.stderr
    assert not list(out.glob(".*tmp"))


def test_parquet_describes_its_columns_and_carries_the_provenance(two_runs) -> None:
    """monthly.parquet is self-describing: units and meanings from the catalogue per column, and
    summary.json's provenance (version, seeds) in the file's key-value metadata."""
    import pyarrow.parquet as pq

    from cxsim.model.catalogue import metric

    out, _, _ = two_runs
    schema = pq.read_schema(out / "monthly.parquet")
    churn = schema.field("churn_annualised").metadata
    assert churn[b"unit"] == b"%" and churn[b"better"] == b"lower"
    assert churn[b"meaning"].decode() == metric("churn_annualised").meaning
    assert schema.field("culture_score").metadata[b"unit"] == b"1-5"
    assert b"posterior row" in schema.field("draw").metadata[b"meaning"]
    assert all(field.metadata and field.metadata[b"label"] for field in schema)
    stored = json.loads(schema.metadata[b"cxsim"])
    summary = json.loads((out / "summary.json").read_text())
    assert stored["provenance"] == summary["provenance"]
    assert stored["version"] == summary["provenance"]["cxsim_version"]
    assert stored["provenance"]["seeds"] == [1, 2, 3]


def test_summary_and_files_identical_whatever_the_workers(two_runs) -> None:
    a, b, _ = two_runs
    for name in ("monthly.csv", "monthly.parquet", "trajectories.png", "summary.json"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    settings = json.loads((a / "summary.json").read_text())["provenance"]["settings"]
    assert settings["seed"] == 1 and settings["replicates"] == 3
    assert settings["reproduce"][:3] == ["cxsim", "run", "techops_programme"]
    assert "--workers" not in settings["reproduce"] and "--out" not in settings["reproduce"]


def test_different_seeds_differ(two_runs, tmp_path, capsys) -> None:
    a, _, _ = two_runs
    assert exit_code(["run", "techops_programme", "--seed", "7", "--replicates", "3",
                      "--workers", "1", "--out", str(tmp_path), *SMALL]) == 0
    assert (tmp_path / "monthly.csv").read_bytes() != (a / "monthly.csv").read_bytes()


@pytest.mark.parametrize(("args", "expected"), [
    (["--set", "levers.psychological_safety=7"],
     "--set: levers.psychological_safety = 7: a number from 0.0 to 1.0"),
    (["--set", "levers.psychologcal_safety=0.5"], "did you mean 'levers.psychological_safety'"),
    (["--set", "levers.incentive_alignment=high"], "levers.incentive_alignment = 'high'"),
    (["--set", "organisation.employees=12.5"], "a whole number from 20 to 200000"),
    (["--set", "levers.psychological_safety"], "use key=value"),
    (["--seed", "-3"], "argument --seed: '-3': a whole number from 0 to 4611686018427387904"),
    (["--replicates", "0"], "argument --replicates: '0': a whole number from 1 to 10000 expected"),
    (["--workers", "-1"], "argument --workers: '-1': a whole number >= 1 expected"),
    (["--replicates", "many"], "argument --replicates: 'many': a whole number from 1 to 10000"),
    (["--no-such-option"], "unrecognized arguments: --no-such-option"),
])
def test_bad_input_is_one_line_exit_2_and_writes_nothing(args, expected, tmp_path,
                                                        capsys) -> None:
    out = tmp_path / "out"
    code = exit_code(["run", "techops_programme", "--out", str(out), *args])
    captured = capsys.readouterr()
    assert expected in check_error(code, captured.err)
    assert captured.out == ""
    assert not out.exists()


def test_bad_input_in_a_real_process() -> None:
    """The same line from the installed command's process, on stderr only."""
    result = cxsim("run", "--set", "levers.psychological_safety=7")
    line = one_error_line(result)
    assert line == ("cxsim: error: --set: levers.psychological_safety = 7: a number from 0.0 to "
                    "1.0 (see cxsim run --help)")
    assert result.stdout == ""


def test_version() -> None:
    result = cxsim("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"cxsim {package.__version__}"
    assert package.__version__ != "0+unknown"


def test_python_dash_m_cxsim_is_the_command() -> None:
    result = cxsim("--version", module="cxsim")
    assert result.returncode == 0 and result.stdout.strip() == f"cxsim {package.__version__}"


@pytest.mark.parametrize(("args", "command"), [
    (["bogus"], "cxsim"),
    ([], "cxsim"),
    (["compare", "baseline"], "cxsim compare"),
    (["compare", "--replicates", "0", "a", "b"], "cxsim compare"),
    (["compare", "--seed", "x", "a", "b"], "cxsim compare"),
    (["compare", "baseline", "baseline"], "cxsim compare"),
    (["run", "techops_programm"], "cxsim run"),
    (["run", "a", "b"], "cxsim run"),
    (["report", "techops_programme", "--replicates", "0"], "cxsim report"),
    (["sweep", "x.toml", "--n", "0"], "cxsim sweep"),
    (["--scenarios", "/no/such/folder", "scenarios"], "cxsim"),
    (["scenarios", "--scenarios", "/no/such/folder"], "cxsim scenarios"),
])
def test_every_error_has_one_prefix_and_names_the_help(args, command, capsys) -> None:
    code = exit_code(args)
    check_error(code, capsys.readouterr().err, command)


def test_out_is_checked_before_any_simulation(tmp_path) -> None:
    """A bad --out fails at once (1000 replicates would take a minute), one line, exit 2."""
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder\n")
    out = blocker / "below" / "it"
    started = time.perf_counter()
    version = cxsim("--version")
    startup = time.perf_counter() - started
    started = time.perf_counter()
    result = cxsim("run", "--replicates", "1000", "--workers", "1", "--out", str(out))
    seconds = time.perf_counter() - started
    line = one_error_line(result)
    assert version.returncode == 0
    assert f"below {blocker}, which is a file" in line and str(out) in line
    assert seconds < startup + 3, (seconds, startup)
    assert blocker.read_text() == "not a folder\n"


def test_out_is_checked_in_process_within_a_second(tmp_path, monkeypatch, capsys) -> None:
    """No replicate runs when --out cannot be written: also for the default folder."""
    from cxsim.experiments import runner

    def no_simulation(*args, **kwargs):
        raise AssertionError("a simulation ran before --out was checked")

    monkeypatch.setattr(runner, "run_replicates", no_simulation)
    monkeypatch.chdir(tmp_path)
    cli.build_parser()  # the imports, once: what is timed is the check
    (tmp_path / "runs").write_text("a file where the default output folder would go")
    for argv, command in (
            (["run", "--replicates", "1000", "--out", str(tmp_path / "runs")], "run"),
            (["run", "--replicates", "1000", "--out", str(tmp_path / "runs" / "x")], "run"),
            (["run", "--replicates", "1000"], "run"),
            (["compare", "baseline", "techops_programme", "--replicates", "1000"], "compare")):
        started = time.perf_counter()
        code = exit_code(argv)
        assert time.perf_counter() - started < 1.0
        line = check_error(code, capsys.readouterr().err, f"cxsim {command}")
        assert "runs" in line and ("which is a file" in line or "not a directory" in line), line


def test_warnings_and_wrote_lines_go_to_stderr_unwrapped(tmp_path) -> None:
    out = tmp_path / ("a-long-folder-name-" * 6) / "run"
    result = cxsim("run", "techops_programme", "--replicates", "1", "--workers", "1",
                   "--out", str(out), *SMALL)
    assert result.returncode == 0, result.stderr
    assert "cxsim: warning: one replicate" in result.stderr
    assert "warning" not in result.stdout
    wrote = [line for line in result.stderr.splitlines() if line.startswith("wrote ")]
    assert wrote == [f"wrote {out / 'monthly.csv'}, {out / 'monthly.parquet'}, "
                     f"{out / 'summary.json'}, {out / 'trajectories.png'}"]


def test_help_shows_every_default() -> None:
    commands = subcommands()
    for name in ("run", "compare", "calibrate", "fit-point", "scenarios"):
        sub = commands[name]
        assert sub.formatter_class is HelpFormatter, name
        for action in sub._actions:
            if not action.option_strings or action.nargs == 0:
                continue
            help_text = sub._get_formatter()._get_help_string(action)
            assert "default" in help_text, (name, action.option_strings)
    compare = commands["compare"].format_help()
    for option in ("--seed N", "--replicates R", "--workers N"):
        assert option in compare
    assert "(default: 30)" in compare and "(default: 0)" in compare and "all cores" in compare
    assert "(default: 30)" in commands["run"].format_help()


def test_every_subcommand_uses_the_one_parser() -> None:
    commands = subcommands()
    assert {"run", "compare", "calibrate", "posterior", "fit-point", "scenarios", "sweep",
            "analyse", "report", "dashboard"} <= set(commands)
    # the calibration is the posterior; ``posterior`` is its other name
    assert commands["posterior"] is commands["calibrate"]
    assert isinstance(cli.build_parser(), Parser)
    for name, sub in commands.items():
        assert isinstance(sub, Parser), name


def test_user_scenario_folders(tmp_path, monkeypatch, capsys) -> None:
    """--scenarios DIR (before or after the command) and CXSIM_SCENARIOS name the user's folders."""
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "my_programme.toml").write_text(
        'name = "my_programme"\ndescription = "Our own variant of the programme."\n'
        'extends = "techops_programme"\n[levers]\npsychological_safety = 0.6\n')
    monkeypatch.delenv("CXSIM_SCENARIOS", raising=False)
    assert exit_code(["--scenarios", str(mine), "scenarios"]) == 0
    listed = capsys.readouterr().out
    assert "my_programme" in listed and "Our own variant" in listed and "baseline" in listed
    assert exit_code(["scenarios"]) == 0
    assert "my_programme" not in capsys.readouterr().out  # the option lasts one command
    monkeypatch.setenv("CXSIM_SCENARIOS", str(mine))
    assert exit_code(["scenarios"]) == 0
    assert "my_programme" in capsys.readouterr().out
    monkeypatch.delenv("CXSIM_SCENARIOS")
    out = tmp_path / "out"
    assert exit_code(["run", "my_programme", "--scenarios", str(mine), "--replicates", "2",
                      "--workers", "1", "--out", str(out), *SMALL]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["provenance"]["scenario"] == "my_programme"
    assert summary["provenance"]["parameters"]["levers"]["psychological_safety"] == 0.6
    help_text = cli.build_parser().format_help()
    assert "--scenarios DIR" in help_text and "CXSIM_SCENARIOS" in help_text


def test_bad_scenario_files(tmp_path, capsys) -> None:
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
        code = exit_code(["run", str(path), "--out", str(tmp_path / "out")])
        line = check_error(code, capsys.readouterr().err)
        assert str(path) in line and expected in line
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
    # no rows of the reference against itself
    assert set(differences["scenario"]) == {"small_programme", "small_theater"}
    row = differences[(differences["scenario"] == "small_theater")
                      & (differences["outcome"] == "cynicism")].iloc[0]
    assert row["low"] <= row["difference"] <= row["high"]
    assert row["mean_ci95_low"] <= row["difference"] <= row["mean_ci95_high"]
    assert 0 <= row["parameter_share"] <= 1
    monthly = pd.read_parquet(out / "monthly.parquet")
    seeds = monthly.groupby("scenario")["seed"].apply(lambda s: sorted(set(s)))
    assert all(s == [0, 1, 2, 3] for s in seeds)  # replicate i shares its seed across scenarios
    plans = monthly.groupby(["scenario", "replicate"])["draw"].first().unstack("scenario")
    assert (plans.nunique(axis=1) == 1).all()  # ... and its posterior draw
    assert (plans.iloc[:, 0] >= 0).all()
    assert (out / "fan_charts.png").read_bytes().startswith(b"\x89PNG")
    summary = json.loads((out / "summary.json").read_text())
    assert summary["provenance"]["reference"] == "small_base"
    assert summary["provenance"]["settings"]["replicates"] == 4
    assert "command" not in json.dumps(summary["provenance"]["scenarios"])
    assert "small_programme" in result.stdout
    # levels and differences in two tables, under their own titles
    assert "each scenario's level" in result.stdout
    assert "difference from small_base" in result.stdout
