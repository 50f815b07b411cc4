"""Sweeps (issue 5): identical rows whatever the backend, kill-and-resume of a real process,
Sobol indices of the Ishigami function through the same pipeline, bad sweep files, analysis files,
shipped sweeps by name, default folders, and what the report says.

Small sweeps on a small organisation keep this file fast.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxsim.experiments import cli_sweep
from cxsim.experiments.analysis import analyse, load_results, sobol_indices
from cxsim.experiments.sweep import (
    Store,
    build_sweep,
    copy_spec,
    count_points,
    default_out,
    load_sweep,
    read_runs,
    run_seed,
    run_sweep,
    shipped_sweeps,
)
from cxsim.model import ScenarioError

ROOT = Path(__file__).resolve().parents[1]
SMALL_ORG = """
[overrides]
organisation.employees = 60
organisation.customers = 40
"""
OUTPUTS = """
[[outputs]]
name = "churn_m12"
column = "churn_annualised"

[[outputs]]
name = "churn_auc"
column = "churn_annualised"
statistic = "auc"

[[outputs]]
name = "culture_m6"
column = "culture_score"
statistic = "month"
month = 6
"""
THREE_PARAMETERS = """
[[parameters]]
key = "levers.psychological_safety"
low = 0.1
high = 0.9

[[parameters]]
key = "levers.incentive_alignment"
low = 0.0
high = 0.6

[[parameters]]
key = "workforce.hiring_lag_weeks"
low = 2
high = 10
"""


def sobol_file(tmp: Path, n: int = 4, replicates: int = 2, name: str = "small") -> Path:
    path = tmp / f"{name}.toml"
    path.write_text(f"""
name = "{name}"
scenario = "techops_programme"
method = "sobol"
n = {n}
replicates = {replicates}
second_order = false
seed = 5
{SMALL_ORG}{THREE_PARAMETERS}{OUTPUTS}""")
    return path


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame]:
    """A 40-run Sobol sweep run serially: the reference rows."""
    tmp = tmp_path_factory.mktemp("small")
    path = sobol_file(tmp)
    report = run_sweep(load_sweep(path), tmp / "serial", workers=1, progress=False)
    assert report.complete and report.runs_done == 40
    return path, read_runs(tmp / "serial")


def test_rows_have_parameters_seeds_and_outputs(small: tuple[Path, pd.DataFrame]) -> None:
    path, rows = small
    sweep = load_sweep(path)
    assert len(rows) == sweep.n_runs == 40
    assert list(rows.columns[:3]) == ["point", "replicate", "seed"]
    assert set(sweep.names + sweep.outputs) <= set(rows.columns)
    assert rows["workforce.hiring_lag_weeks"].dtype == np.int64
    assert rows["seed"].tolist() == [run_seed(5, p, r) for p, r in zip(rows.point, rows.replicate,
                                                                       strict=True)]
    assert rows["seed"].nunique() == 40
    assert np.isfinite(rows[sweep.outputs].to_numpy()).all()


def test_two_workers_and_dask_give_identical_rows(small: tuple[Path, pd.DataFrame],
                                                  tmp_path: Path) -> None:
    from distributed import LocalCluster

    path, reference = small
    sweep = load_sweep(path)
    run_sweep(sweep, tmp_path / "pool", workers=2, progress=False, chunk_size=3)
    pd.testing.assert_frame_equal(read_runs(tmp_path / "pool"), reference, check_exact=True)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        report = run_sweep(sweep, tmp_path / "dask", scheduler=cluster.scheduler_address,
                           progress=False)
    assert report.backend == "dask" and report.complete
    pd.testing.assert_frame_equal(read_runs(tmp_path / "dask"), reference, check_exact=True)


def test_resume_runs_only_what_is_missing(small: tuple[Path, pd.DataFrame],
                                          tmp_path: Path) -> None:
    path, reference = small
    sweep = load_sweep(path)
    first = run_sweep(sweep, tmp_path / "out", workers=1, progress=False, chunk_size=4,
                      max_chunks=3)
    assert first.runs_done == 12 and not first.complete
    second = run_sweep(sweep, tmp_path / "out", workers=2, progress=False)
    assert second.runs_before == 12 and second.runs_done == 28 and second.complete
    pd.testing.assert_frame_equal(read_runs(tmp_path / "out"), reference, check_exact=True)
    again = run_sweep(sweep, tmp_path / "out", workers=1, progress=False)
    assert again.runs_done == 0


def test_store_refuses_a_different_sweep(small: tuple[Path, pd.DataFrame],
                                         tmp_path: Path) -> None:
    path, _ = small
    run_sweep(load_sweep(path), tmp_path / "out", workers=1, progress=False, max_chunks=1)
    with pytest.raises(ScenarioError, match="holds results of"):
        run_sweep(load_sweep(path, replicates=3), tmp_path / "out", workers=1, progress=False)


def test_kill_and_resume_of_a_real_process(tmp_path: Path) -> None:
    path = sobol_file(tmp_path, n=8, replicates=3, name="killme")   # 40 points x 3 = 120 runs
    out = tmp_path / "killed"
    command = [sys.executable, "-m", "cxsim.experiments.cli_sweep", "sweep", str(path), "--out",
               str(out), "--workers", "1", "--chunk-size", "2", "--no-analyse", "--quiet"]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            if len(list((out / "runs").glob("part-*.parquet"))) >= 5:
                break
            time.sleep(0.01)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    assert process.returncode == -signal.SIGKILL, process.stderr.read().decode()
    stored = len(read_runs(out))
    assert 10 <= stored < 120
    # a half-written chunk (a crash while writing) is left under a temporary name: never read
    (out / "runs" / ".part-000000000-x.parquet.deadbeef.tmp").write_bytes(b"PAR1 half written")
    resumed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{120 - stored} runs in" in resumed.stderr and f"({stored} already stored)" in \
        resumed.stderr
    assert not list((out / "runs").glob(".*.tmp"))
    run_sweep(load_sweep(path), tmp_path / "uninterrupted", workers=1, progress=False)
    pd.testing.assert_frame_equal(read_runs(out), read_runs(tmp_path / "uninterrupted"),
                                  check_exact=True)


def test_sobol_of_ishigami_matches_the_analytic_indices(tmp_path: Path) -> None:
    path = tmp_path / "ishigami.toml"
    bounds = "low = -3.141592653589793\nhigh = 3.141592653589793"
    path.write_text(f"""
name = "ishigami"
model = "ishigami"
method = "sobol"
n = 1024
seed = 3
[[parameters]]
key = "x1"
{bounds}
[[parameters]]
key = "x2"
{bounds}
[[parameters]]
key = "x3"
{bounds}
[[outputs]]
name = "y"
column = "y"
""")
    run_sweep(load_sweep(path), tmp_path / "out", workers=2, progress=False)
    first, second = sobol_indices(load_results(tmp_path / "out"))
    first = first.set_index("parameter")
    a, b = 7.0, 0.1
    variance = a ** 2 / 8 + b * np.pi ** 4 / 5 + b ** 2 * np.pi ** 8 / 18 + 0.5
    v1 = 0.5 * (1 + b * np.pi ** 4 / 5) ** 2
    v2 = a ** 2 / 8
    v13 = b ** 2 * np.pi ** 8 * (1 / 18 - 1 / 50)
    s1 = {"x1": v1 / variance, "x2": v2 / variance, "x3": 0.0}
    st = {"x1": (v1 + v13) / variance, "x2": v2 / variance, "x3": v13 / variance}
    assert s1["x1"] == pytest.approx(0.314, abs=1e-3) and st["x3"] == pytest.approx(0.244,
                                                                                    abs=1e-3)
    for name in ("x1", "x2", "x3"):
        row = first.loc[name]
        assert abs(row.S1 - s1[name]) <= row.S1_conf, (name, row.S1, row.S1_conf)
        assert abs(row.ST - st[name]) <= row.ST_conf, (name, row.ST, row.ST_conf)
    s13 = second[(second.parameter_1 == "x1") & (second.parameter_2 == "x3")].iloc[0]
    assert abs(s13.S2 - v13 / variance) <= s13.S2_conf


def test_analyse_writes_tables_charts_report_and_boxes(tmp_path: Path) -> None:
    grid = tmp_path / "grid.toml"
    grid.write_text(f"""
name = "grid"
scenario = "techops_programme"
method = "grid"
replicates = 2
{SMALL_ORG}
[[parameters]]
key = "levers.psychological_safety"
values = [0.0, 0.5, 1.0]
[[parameters]]
key = "levers.incentive_alignment"
low = 0.0
high = 1.0
levels = 3
{OUTPUTS}
[discovery]
outcome = "churn_m12 > 12"
threshold = 0.6
""")
    code = cli_sweep.main(["sweep", str(grid), "--out", str(tmp_path / "g"), "--workers", "1",
                           "--quiet"])
    assert code == 0
    files = {p.name for p in (tmp_path / "g" / "analysis").iterdir()}
    for name in ("REPORT.md", "noise.csv", "prim_boxes.csv", "whatif_churn_m12.png",
                 "whatif_churn_m12.html", "tornado_churn_m12.png"):
        assert name in files
    assert (tmp_path / "g" / "analysis" / "whatif_churn_m12.png").stat().st_size > 10_000
    report = (tmp_path / "g" / "analysis" / "REPORT.md").read_text()
    assert "## Scenario discovery: churn_m12 > 12" in report and "Noise:" in report
    morris = tmp_path / "morris.toml"
    morris.write_text(f"""
name = "morris"
scenario = "techops_programme"
method = "morris"
n = 3
{SMALL_ORG}{THREE_PARAMETERS}{OUTPUTS}""")
    run_sweep(load_sweep(morris), tmp_path / "m", workers=1, progress=False)
    result = analyse(tmp_path / "m")
    assert {"morris_churn_m12.png", "morris.csv", "tornado_culture_m6.png"} <= {
        f.name for f in result.files}
    assert set(result.rankings) == {"churn_m12", "churn_auc", "culture_m6"}
    assert any("one replicate per point" in w for w in result.warnings)


def test_analyse_of_an_unfinished_sweep_is_one_line(small: tuple[Path, pd.DataFrame],
                                                    tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    path, _ = small
    run_sweep(load_sweep(path), tmp_path / "part", workers=1, progress=False, max_chunks=1)
    assert cli_sweep.main(["analyse", str(tmp_path / "part")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("cxsim: error: ") and err.count("\n") == 1 and "runs" in err


BAD = {
    "malformed": ("name = 'x\n", "<malformed TOML>"),
    "unknown_key": ("name='x'\nscenario='baseline'\nmethod='sobol'\nsample=3\n", "sample"),
    "bad_method": ("name='x'\nscenario='baseline'\nmethod='fast'\n", "method = 'fast'"),
    "no_start": ("name='x'\nmethod='sobol'\n[[parameters]]\nkey='a'\nlow=0\nhigh=1\n"
                 "[[outputs]]\nname='y'\ncolumn='y'\n", "scenario"),
    "unknown_parameter": ("name='x'\nscenario='baseline'\nmethod='sobol'\n[[parameters]]\n"
                          "key='levers.psychological_safty'\nlow=0\nhigh=1\n[[outputs]]\n"
                          "name='c'\ncolumn='churn_annualised'\n", "did you mean"),
    "out_of_range": ("name='x'\nscenario='baseline'\nmethod='sobol'\n[[parameters]]\n"
                     "key='levers.psychological_safety'\nlow=0\nhigh=1.5\n[[outputs]]\n"
                     "name='c'\ncolumn='churn_annualised'\n", "parameters[0].high = 1.5"),
    "low_above_high": ("name='x'\nscenario='baseline'\nmethod='morris'\n[[parameters]]\n"
                       "key='levers.psychological_safety'\nlow=0.8\nhigh=0.2\n[[outputs]]\n"
                       "name='c'\ncolumn='churn_annualised'\n", "> low"),
    "bad_column": ("name='x'\nscenario='baseline'\nmethod='morris'\n[[parameters]]\n"
                   "key='levers.psychological_safety'\nlow=0\nhigh=1\n[[outputs]]\n"
                   "name='c'\ncolumn='churn'\n", "outputs[0].column = 'churn'"),
    "not_power_of_two": ("name='x'\nscenario='baseline'\nmethod='sobol'\nn=100\n"
                         "[[parameters]]\nkey='levers.psychological_safety'\nlow=0\nhigh=1\n"
                         "[[parameters]]\nkey='levers.incentive_alignment'\nlow=0\nhigh=1\n"
                         "[[outputs]]\nname='c'\ncolumn='churn_annualised'\n", "power of two"),
    "bad_outcome": ("name='x'\nscenario='baseline'\nmethod='grid'\n[[parameters]]\n"
                    "key='levers.psychological_safety'\nvalues=[0.1]\n[[outputs]]\nname='c'\n"
                    "column='churn_annualised'\n[discovery]\noutcome='churn is high'\n",
                    "discovery.outcome"),
    "bad_override": ("name='x'\nscenario='baseline'\nmethod='grid'\n[overrides]\n"
                     "organisation.employees=5\n[[parameters]]\n"
                     "key='levers.psychological_safety'\nvalues=[0.1]\n[[outputs]]\nname='c'\n"
                     "column='churn_annualised'\n", "organisation.employees = 5"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_sweep_file_is_one_line_and_exit_2(case: str, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    text, expected = BAD[case]
    path = tmp_path / f"{case}.toml"
    path.write_text(text)
    code = cli_sweep.main(["sweep", str(path), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("cxsim: error: ") and err.count("\n") == 1, err
    assert expected in err, err
    assert not (tmp_path / "out").exists()


def test_overriding_n_is_checked_like_the_file(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    path = sobol_file(tmp_path)
    assert cli_sweep.main(["sweep", str(path), "--n", "6", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("cxsim: error: --n: n = 6: a power of two")


def test_shipped_sweeps_load_by_name_and_by_path() -> None:
    assert shipped_sweeps() == ["morris_screening", "sobol_levers", "whatif_safety_incentives"]
    sobol = load_sweep("sobol_levers")
    assert len(sobol.names) == 12 and sobol.spec.n == 256 and sobol.replicates == 5
    assert 17_000 <= sobol.n_runs <= 19_000
    assert {"churn_m12", "nps_measured_m12", "nps_true_m12", "culture_m12", "churn_auc"} <= set(
        sobol.outputs)
    assert sobol.file == "sobol_levers" and default_out(sobol).name == "sobol_levers_n256_r5"
    by_path = load_sweep(ROOT / "experiments/sweep/files/sobol_levers.toml")
    assert by_path.samples_sha256() == sobol.samples_sha256()
    morris = load_sweep("morris_screening")
    assert morris.spec.method == "morris"
    grid = load_sweep("whatif_safety_incentives", replicates=2)
    assert grid.names == ["levers.psychological_safety", "levers.incentive_alignment"]
    assert grid.spec.method == "grid"
    # a grid has no n: its default folder says nothing of one
    assert default_out(grid) == Path("results/sweeps/whatif_safety_incentives_r2")
    for sweep in (sobol, morris, grid):
        assert count_points(sweep.spec) == sweep.n_points


@pytest.mark.parametrize("name", ["sobol_lever", "../sobol_levers", "sobol levers", ""])
def test_an_unknown_sweep_name_is_one_line(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_sweep.main(["sweep", name]) == 2
    err = capsys.readouterr().err
    assert err.startswith("cxsim: error: ") and err.count("\n") == 1, err
    assert "shipped sweep" in err and "sobol_levers" in err


@pytest.mark.parametrize("name", ["../../etc/x", "a/b", "..", ".hidden", "x" * 65, "a b"])
def test_default_folder_needs_a_safe_name(name: str, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    path = sobol_file(tmp_path)
    path.write_text(path.read_text().replace('name = "small"', f"name = {name!r}"))
    monkeypatch.chdir(tmp_path)
    assert cli_sweep.main(["sweep", str(path), "--quiet", "--no-analyse"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("cxsim: error: ") and err.count("\n") == 1, err
    assert "name = " in err and "--out" in err
    assert not (tmp_path / "results").exists()


def test_seeds_depend_only_on_the_sweep_seed_and_index() -> None:
    assert run_seed(1, 3, 2) == run_seed(1, 3, 2)
    seeds = {run_seed(1, p, r) for p in range(50) for r in range(4)}
    assert len(seeds) == 200 and all(0 <= s < 2 ** 63 for s in seeds)
    assert run_seed(1, 3, 2, common=True) == run_seed(1, 9, 2, common=True)
    assert run_seed(2, 3, 2) != run_seed(1, 3, 2)


def test_store_reads_only_finished_parts(small: tuple[Path, pd.DataFrame], tmp_path: Path) -> None:
    path, reference = small
    run_sweep(load_sweep(path), tmp_path / "out", workers=1, progress=False)
    (tmp_path / "out" / "runs" / ".part-000000001-abc.parquet.0.tmp").write_bytes(b"garbage")
    pd.testing.assert_frame_equal(Store(tmp_path / "out").read(), reference, check_exact=True)


def noisy_linear(params: dict[str, float], seed: int) -> dict[str, float]:
    """y = 4a + b + noise, c has no effect: a Python function passed through the API."""
    noise = np.random.default_rng(seed).normal(0.0, 0.3)
    return {"y": 4 * params["a"] + params["b"] + 0 * params["c"] + noise}


def test_a_python_function_runs_through_the_api_and_the_words_add_up(tmp_path: Path) -> None:
    path = tmp_path / "linear.toml"
    path.write_text("""
name = "linear"
method = "sobol"
n = 256
replicates = 3
second_order = false
seed = 1
[[outputs]]
name = "y"
column = "y"
""" + "".join(f"[[parameters]]\nkey = '{k}'\nlow = 0\nhigh = 1\n" for k in "abc"))
    with pytest.raises(ScenarioError, match="scenario = '<missing>': required for model 'cxsim'"):
        load_sweep(path)
    sweep = load_sweep(path, function=noisy_linear)
    assert sweep.provenance_scenario == {"function": f"{__name__}:noisy_linear"}
    assert sweep.spec.model == f"{__name__}:noisy_linear"          # a label, never imported
    run_sweep(sweep, tmp_path / "out", workers=2, progress=False)
    serial = tmp_path / "serial"
    run_sweep(sweep, serial, workers=1, progress=False)
    pd.testing.assert_frame_equal(read_runs(tmp_path / "out"), read_runs(serial),
                                  check_exact=True)
    result = analyse(tmp_path / "out")
    words = result.rankings["y"]
    ranked = [w for w in words if w[:1].isdigit()]
    assert ranked[0].startswith("1. `a`") and not any("`c`" in w for w in ranked)
    minor = next(w for w in words if w.startswith("Barely matter"))
    assert "`c`" in minor and "`a`" not in minor
    # the summary's shares add up to all of the variance
    shares = [int(v) for v in re.findall(r"(\d+)%", re.split(r"[.;] ", words[0])[0])]
    assert len(shares) in (2, 3) and abs(sum(shares) - 100) <= 1, words[0]
    assert load_results(tmp_path / "out").manifest["scenario"]["function"].endswith(
        ":noisy_linear")


def test_report_states_this_sweeps_size_not_the_files(tmp_path: Path) -> None:
    sweep = load_sweep("whatif_safety_incentives", replicates=1)
    spec = copy_spec(sweep.spec, overrides={"organisation.employees": 60,
                                            "organisation.customers": 40},
                     parameters=[p.model_copy(update={"levels": 2}) for p in sweep.spec.parameters],
                     outputs=sweep.spec.outputs[:1], discovery=None)
    small = build_sweep(spec, file=sweep.file, text=sweep.text)
    assert small.n_runs == 4
    run_sweep(small, tmp_path / "w", workers=1, progress=False)
    report = analyse(tmp_path / "w").report.read_text()
    assert "121 combinations" not in report and "605 runs, about" not in report  # description's
    assert "description is left out: it was written for the file's own settings (121 points, 5 " \
        "replicate(s))" in report
    assert "4 points x 1 replicate(s) = 4 runs" in report
    assert "a grid of 2 x 2 levels" in report
    # labels and the parameters' words come from the catalogue and the schema
    assert "## Logo churn, run-rate (hazard), month 12 (%) (`churn_m12`)" in report
    assert "Safety climate" in report


def test_analyse_of_another_outcome_keeps_the_first_and_warns_on_stderr(
        small: tuple[Path, pd.DataFrame], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    path, _ = small
    out = tmp_path / "out"
    run_sweep(load_sweep(path), out, workers=1, progress=False)
    assert cli_sweep.main(["analyse", str(out)]) == 0
    first = (out / "analysis" / "REPORT.md").read_text()
    captured = capsys.readouterr()
    assert "warning:" not in captured.out and "cxsim: warning: " in captured.err
    assert cli_sweep.main(["analyse", str(out), "--outcome", "churn_m12 > 12"]) == 0
    assert (out / "analysis" / "REPORT.md").read_text() == first
    other = out / "analysis" / "outcome_churn_m12_gt_12"
    assert "## Scenario discovery: churn_m12 > 12" in (other / "REPORT.md").read_text()
    assert (other / "prim_boxes.csv").exists()
    capsys.readouterr()
    assert cli_sweep.main(["analyse", str(out), "--outcome", "churn_m12 is high"]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_one_at_a_time_sweep_and_its_analysis(tmp_path: Path) -> None:
    path = tmp_path / "oat.toml"
    path.write_text(f"""
name = "oat"
scenario = "techops_programme"
method = "oat"
{SMALL_ORG}
[[parameters]]
key = "levers.psychological_safety"
values = [0.2, 0.8]
[[parameters]]
key = "workforce.hiring_lag_weeks"
values = [2, 10]
[[outputs]]
name = "churn_m12"
column = "churn_annualised"
""")
    sweep = load_sweep(path)
    assert sweep.n_points == 5 == count_points(sweep.spec)
    assert default_out(sweep).name == "oat_r1"
    run_sweep(sweep, tmp_path / "o", workers=1, progress=False)
    result = analyse(tmp_path / "o")
    assert {"oat_churn_m12.html", "tornado_churn_m12.png"} <= {f.name for f in result.files}
    html = (tmp_path / "o" / "analysis" / "oat_churn_m12.html").read_text()
    assert "psychological safety (levers)" in html          # words, not the dotted key


def test_a_second_sweep_on_a_locked_directory_is_refused(small: tuple[Path, pd.DataFrame],
                                                          tmp_path: Path) -> None:
    path, _ = small
    sweep = load_sweep(path)
    holder = Store(tmp_path / "out")
    holder.open(sweep)                                     # a running sweep holds the lock
    try:
        with pytest.raises(ScenarioError, match="no other running sweep"):
            run_sweep(sweep, tmp_path / "out", workers=1, progress=False)
    finally:
        holder.close()
    assert run_sweep(sweep, tmp_path / "out", workers=1, progress=False).complete
