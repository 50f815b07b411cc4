"""Sweeps (issue 5): identical rows whatever the backend, kill-and-resume of a real process,
Sobol indices of the Ishigami function through the same pipeline, bad sweep files, analysis files.

Small sweeps on a small organisation keep this file fast.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxsim.experiments import sweep_cli
from cxsim.experiments.sweep import Store, load_sweep, read_runs, run_seed, run_sweep
from cxsim.experiments.sweep_analysis import analyse, load_results, sobol_indices
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
    command = [sys.executable, "-m", "cxsim.experiments.sweep_cli", "sweep", str(path), "--out",
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
    (out / "runs" / ".tmp-deadbeef-part-000000000-x.parquet").write_bytes(b"PAR1 half written")
    resumed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{120 - stored} runs in" in resumed.stderr and f"({stored} already stored)" in \
        resumed.stderr
    assert not list((out / "runs").glob(".tmp-*"))
    run_sweep(load_sweep(path), tmp_path / "uninterrupted", workers=1, progress=False)
    pd.testing.assert_frame_equal(read_runs(out), read_runs(tmp_path / "uninterrupted"),
                                  check_exact=True)


def test_sobol_of_ishigami_matches_the_analytic_indices(tmp_path: Path) -> None:
    path = tmp_path / "ishigami.toml"
    bounds = "low = -3.141592653589793\nhigh = 3.141592653589793"
    path.write_text(f"""
name = "ishigami"
function = "cxsim.experiments.sweep:ishigami"
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
    code = sweep_cli.main(["sweep", str(grid), "--out", str(tmp_path / "g"), "--workers", "1",
                           "--quiet"])
    assert code == 0
    files = {p.name for p in (tmp_path / "g" / "analysis").iterdir()}
    for name in ("REPORT.md", "noise.csv", "prim_boxes.csv", "whatif_churn_m12.png",
                 "whatif_churn_m12.html", "whatif_churn_m12_hexbin.png", "tornado_churn_m12.png"):
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
    assert sweep_cli.main(["analyse", str(tmp_path / "part")]) == 2
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
    code = sweep_cli.main(["sweep", str(path), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("cxsim: error: ") and err.count("\n") == 1, err
    assert expected in err, err
    assert not (tmp_path / "out").exists()


def test_overriding_n_is_checked_like_the_file(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    path = sobol_file(tmp_path)
    assert sweep_cli.main(["sweep", str(path), "--n", "6", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("cxsim: error: --n: n = 6: a power of two")


def test_shipped_sweep_files_are_valid() -> None:
    sobol = load_sweep(ROOT / "experiments/sweeps/sobol_levers.toml")
    assert len(sobol.names) == 12 and sobol.spec.n == 256 and sobol.replicates == 5
    assert 17_000 <= sobol.n_runs <= 19_000
    assert {"churn_m12", "nps_measured_m12", "nps_true_m12", "culture_m12", "churn_auc"} <= set(
        sobol.outputs)
    morris = load_sweep(ROOT / "experiments/sweeps/morris_screening.toml")
    assert morris.spec.method == "morris"
    grid = load_sweep(ROOT / "experiments/sweeps/whatif_safety_incentives.toml")
    assert grid.names == ["levers.psychological_safety", "levers.incentive_alignment"]
    assert grid.spec.method == "grid"


def test_seeds_depend_only_on_the_sweep_seed_and_index() -> None:
    assert run_seed(1, 3, 2) == run_seed(1, 3, 2)
    seeds = {run_seed(1, p, r) for p in range(50) for r in range(4)}
    assert len(seeds) == 200 and all(0 <= s < 2 ** 63 for s in seeds)
    assert run_seed(1, 3, 2, common=True) == run_seed(1, 9, 2, common=True)
    assert run_seed(2, 3, 2) != run_seed(1, 3, 2)


def test_store_reads_only_finished_parts(small: tuple[Path, pd.DataFrame], tmp_path: Path) -> None:
    path, reference = small
    run_sweep(load_sweep(path), tmp_path / "out", workers=1, progress=False)
    (tmp_path / "out" / "runs" / ".tmp-0-part-000000001-abc.parquet").write_bytes(b"garbage")
    pd.testing.assert_frame_equal(Store(tmp_path / "out").read(), reference, check_exact=True)
