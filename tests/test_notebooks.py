"""The notebooks in notebooks/ run top to bottom, at the small scale, within a time limit.

Each notebook is executed with nbclient in a fresh kernel of this interpreter (the .venv's Python,
through a kernel spec named ``python3`` written to a temporary JUPYTER_PATH, so that no kernel spec
installed elsewhere on the machine is picked up), with ``CXSIM_NOTEBOOK_SCALE=small`` and its files
written to a temporary directory. Any cell error fails the test. The committed notebooks carry no
outputs; clear them before committing, e.g.

    .venv/bin/python - notebooks/*.ipynb <<'EOF'
    import sys, nbformat
    for path in sys.argv[1:]:
        notebook = nbformat.read(path, as_version=4)
        for cell in notebook.cells:
            cell.metadata = {}
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        nbformat.write(notebook, path)
    EOF

Needs ``nbclient``, ``nbformat`` and ``ipykernel`` (pip).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
NAMES = ["strategist_what_if", "researcher_sensitivity", "leader_board_figures"]
LIMIT_SECONDS = 60          # per notebook, kernel start included
CELL_TIMEOUT = 120          # a stuck cell fails rather than hangs
MIN_FIGURES = {"strategist_what_if": 3, "researcher_sensitivity": 4, "leader_board_figures": 5}


@pytest.fixture(scope="module")
def kernel_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A JUPYTER_PATH holding a ``python3`` kernel spec that runs this interpreter."""
    home = tmp_path_factory.mktemp("jupyter")
    spec = home / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (cxsim tests)",
        "language": "python",
    }))
    return home


def execute(name: str, kernel_home: Path, out: Path,
            monkeypatch: pytest.MonkeyPatch) -> tuple[nbformat.NotebookNode, float]:
    monkeypatch.setenv("JUPYTER_PATH", str(kernel_home))
    monkeypatch.setenv("CXSIM_NOTEBOOK_SCALE", "small")
    monkeypatch.setenv("CXSIM_NOTEBOOK_OUT", str(out))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    notebook = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    client = NotebookClient(notebook, kernel_name="python3", timeout=CELL_TIMEOUT,
                            allow_errors=False, record_timing=False,
                            resources={"metadata": {"path": str(NOTEBOOKS)}})
    started = time.perf_counter()
    client.execute()
    return notebook, time.perf_counter() - started


@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_at_small_scale(name: str, kernel_home: Path, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    notebook, seconds = execute(name, kernel_home, tmp_path, monkeypatch)
    print(f"{name}: {seconds:.1f} s")
    assert seconds < LIMIT_SECONDS, f"{name} took {seconds:.0f} s (limit {LIMIT_SECONDS} s)"
    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    figures = sum("image/png" in o.get("data", {}) for o in outputs)
    assert figures >= MIN_FIGURES[name], f"{name}: {figures} figures shown"
    assert any(tmp_path.rglob("*.png")), f"{name} wrote no figure to CXSIM_NOTEBOOK_OUT"


@pytest.mark.parametrize("name", NAMES)
def test_notebook_is_committed_without_outputs(name: str) -> None:
    notebook = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    nbformat.validate(notebook)
    assert notebook.metadata.get("kernelspec", {}).get("name") == "python3"
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, (
                f"{name}: clear the outputs before committing")
        assert set(cell.metadata) <= {"tags"}, f"{name}: cell metadata {dict(cell.metadata)}"
