"""One scenario, one number: the board pack, the dashboard and the leader notebook print the same
month-12 churn for ``techops_programme``: the mean of the same replicates (DEFAULT_REPLICATES
from DEFAULT_SEED, the calibrated organisation).

The notebook is executed as ``tests/test_notebooks.py`` does (nbclient, a kernel of this
interpreter), but at full scale, and its headline figure's numbers are read from the
``1_headline.json`` it saves beside the figure. Needs ``nbclient``, ``nbformat`` and ``ipykernel``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from cxsim.experiments.compare import compare
from cxsim.experiments.dashboard import compute
from cxsim.experiments.report import content
from cxsim.experiments.statistics import DEFAULT_REPLICATES, DEFAULT_SEED
from cxsim.model import load_scenario
from cxsim.model.catalogue import metric

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "leader_board_figures.ipynb"
SCENARIO, BASELINE, COLUMN = "techops_programme", "baseline", "churn_annualised"


def notebook_figures(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[dict, str]:
    """Run the leader notebook at full scale: (the numbers of its headline figure, its text)."""
    spec = tmp_path / "jupyter" / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (cxsim tests)", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("CXSIM_NOTEBOOK_SCALE", "full")
    monkeypatch.setenv("CXSIM_NOTEBOOK_OUT", str(tmp_path / "out"))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(notebook, kernel_name="python3", timeout=300, allow_errors=False,
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    shown = "\n".join(output.get("data", {}).get("text/markdown", "")
                      for cell in notebook.cells if cell.cell_type == "code"
                      for output in cell.get("outputs", []))
    numbers = json.loads((tmp_path / "out" / "board" / "1_headline.json").read_text())
    return numbers, shown


def test_pack_dashboard_and_notebook_show_the_same_month12_churn(tmp_path, monkeypatch) -> None:
    scenario, baseline = load_scenario(SCENARIO), load_scenario(BASELINE)
    result = compare([baseline, scenario], replicates=DEFAULT_REPLICATES, seed=DEFAULT_SEED,
                     workers=2)
    pack = content.analyse(result, scenario, baseline)
    in_pack = next(row for row in pack.headline if row["column"] == COLUMN)["scenario_mean"]

    runs = compute.trajectories(SCENARIO, {}, seed=DEFAULT_SEED, replicates=DEFAULT_REPLICATES)
    in_dashboard = next(row for row in compute.headline_rows(runs, runs)
                        if row.metric.name == COLUMN).now

    numbers, shown = notebook_figures(tmp_path, monkeypatch)
    assert (numbers["replicates"], numbers["seed"], numbers["month"]) == (
        DEFAULT_REPLICATES, DEFAULT_SEED, 12)
    in_notebook = numbers["scenarios"][SCENARIO][COLUMN]["mean"]

    assert in_pack == pytest.approx(in_dashboard, abs=1e-6)   # the pack rounds to 6 decimals
    assert in_notebook == pytest.approx(in_dashboard, abs=1e-9)
    m = metric(COLUMN)
    printed = {m.fmt(value) for value in (in_pack, in_dashboard, in_notebook)}
    assert len(printed) == 1
    assert f"**{printed.pop()}%** with the programme" in shown
