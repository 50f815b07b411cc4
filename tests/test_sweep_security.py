"""No code from data: a sweep file chooses among the models cxsim ships and imports nothing.

A sweep file once said ``function = "module:callable"``, which was imported while the file was
validated and called for every run: with ``function = "subprocess:call"`` a shared sweep file ran
shell commands. Such a file is now refused with one line (exit 2) before anything is imported; a
Python function of one's own goes through the API (``load_sweep(path, function=...)``).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from cxsim.experiments import cli_sweep
from cxsim.experiments.sweep import MODELS, load_sweep
from cxsim.model import ScenarioError

ROOT = Path(__file__).resolve().parents[1]
BODY = """
name = "x"
method = "sobol"
n = 4
[[parameters]]
key = "x1"
low = 0
high = 1
[[parameters]]
key = "x2"
low = 0
high = 1
[[outputs]]
name = "y"
column = "y"
"""
# Modules nothing in cxsim imports; importing either has a visible effect (a browser, a poem).
PROBE = """
import importlib.abc, json, sys
from cxsim.experiments import cli_sweep

asked = []
class Spy(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("antigravity", "this"):
            asked.append(name)
        return None
sys.meta_path.insert(0, Spy())
before = {"antigravity", "this"} & set(sys.modules)
code = cli_sweep.main(["sweep", sys.argv[1], "--out", sys.argv[2], "--quiet"])
after = {"antigravity", "this"} & set(sys.modules)
print(json.dumps({"code": code, "asked": asked, "before": sorted(before),
                  "after": sorted(after)}))
"""


def _file(tmp_path: Path, line: str) -> Path:
    path = tmp_path / "shared.toml"
    path.write_text(line + "\n" + BODY)
    return path


@pytest.mark.parametrize("line", ['function = "antigravity:fly"', 'function = "this:x"',
                                  'model = "antigravity:fly"', 'model = "this"'])
def test_a_sweep_file_naming_code_is_refused_and_imports_nothing(line: str,
                                                                 tmp_path: Path) -> None:
    path = _file(tmp_path, line)
    done = subprocess.run([sys.executable, "-c", PROBE, str(path), str(tmp_path / "out")],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["code"] == 2, done.stderr
    assert result["asked"] == [] and result["before"] == [] and result["after"] == []
    err = done.stderr
    assert err.startswith("cxsim: error: ") and err.count("\n") == 1, err
    key = line.split()[0]
    assert f"{key} = " in err
    assert not (tmp_path / "out").exists()


def test_function_key_says_what_to_do_instead(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    path = _file(tmp_path, 'function = "subprocess:call"')
    assert cli_sweep.main(["sweep", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "function = 'subprocess:call'" in err and "names no code" in err
    assert "function=" in err and "model = 'cxsim'" in err


def test_model_must_be_a_shipped_one(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_sweep(_file(tmp_path, 'model = "os:system"'))
    assert str(caught.value).count("\n") == 0
    assert "model = 'os:system'" in str(caught.value)
    assert all(repr(name) in str(caught.value) for name in MODELS)


def test_the_registry_holds_functions_not_import_paths() -> None:
    assert set(MODELS) == {"cxsim", "ishigami"}
    assert MODELS["cxsim"].function is None
    assert callable(MODELS["ishigami"].function)
    assert MODELS["ishigami"].function({"x1": 0.0, "x2": 0.0, "x3": 0.0}) == {"y": 0.0}


def test_a_shipped_model_checks_its_inputs(tmp_path: Path) -> None:
    path = tmp_path / "ishigami.toml"
    path.write_text('model = "ishigami"\n' + BODY.replace('key = "x1"', 'key = "z"'))
    with pytest.raises(ScenarioError, match=r"parameters\[0\]\.key = 'z': one of model"):
        load_sweep(path)
    path.write_text('model = "ishigami"\n' + BODY)
    with pytest.raises(ScenarioError, match="every input of model 'ishigami'"):
        load_sweep(path)
