"""No code from data: a sweep file chooses among the models cxsim ships and imports nothing.

A sweep file once said ``function = "module:callable"``, which was imported while the file was
validated and called for every run: with ``function = "subprocess:call"`` a shared sweep file ran
shell commands. Such a file is now refused with one line (exit 2) before anything is imported; a
Python function of one's own goes through the API (``load_sweep(path, function=...)``).

The loader is fuzzed too: arbitrary bytes and generated sweep files give a sweep or one line.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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


# -- fuzzing the loader: any bytes, any table gives a Sweep or one line --------------------------

FUZZ = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow, HealthCheck.data_too_large])

NUMBERS = st.one_of(st.sampled_from([0, 1, 2, 3, -1, 0.5, 1e300, -1e-300, 2 ** 63, 1e999,
                                     -1e999, float("nan")]),
                    st.floats(-10, 10), st.integers(-5, 12))
TEXT = st.text(max_size=12)
SCALAR = st.one_of(NUMBERS, TEXT, st.booleans())
PARAMETER_KEYS = st.sampled_from(["x1", "x2", "x3", "levers.psychological_safety",
                                  "levers.incentive_alignment", "workforce.hiring_lag_weeks",
                                  "levers.nope", ""])
PARAMETER = st.fixed_dictionaries(
    {"key": st.one_of(PARAMETER_KEYS, TEXT, NUMBERS)},
    optional={"low": NUMBERS, "high": NUMBERS, "mode": NUMBERS, "mean": NUMBERS, "sd": NUMBERS,
              "base": NUMBERS, "levels": st.sampled_from([0, 1, 2, 3, 10_000, 2.5, "3"]),
              "values": st.lists(NUMBERS, max_size=4),
              "distribution": st.sampled_from(["uniform", "triangular", "truncnormal",
                                               "loguniform", "normal", 3])})
OUTPUT = st.fixed_dictionaries(
    {"name": st.one_of(st.sampled_from(["y", "churn_m12", "point", "1x", ""]), TEXT),
     "column": st.one_of(st.sampled_from(["y", "churn_annualised", "culture_score", "z"]),
                         TEXT)},
    optional={"statistic": st.sampled_from(["final", "month", "mean", "auc", "value", "x"]),
              "month": st.sampled_from([0, 6, 12, 13, -1, 10 ** 6]), "label": TEXT,
              "better": st.sampled_from(["higher", "lower", "up"])})
SWEEP = st.fixed_dictionaries(
    {"name": st.one_of(st.just("f"), TEXT),
     "method": st.sampled_from(["sobol", "morris", "grid", "oat", "fast", ""]),
     "parameters": st.lists(PARAMETER, max_size=4), "outputs": st.lists(OUTPUT, max_size=3)},
    optional={"model": st.sampled_from(["cxsim", "ishigami", "os:system", ""]),
              "scenario": st.sampled_from(["techops_programme", "baseline", "nope", "../x",
                                           "", "/dev/null"]),
              "n": st.sampled_from([0, 1, 2, 3, 4, 8, 100, 1 << 20, 1 << 40, -4, 2.0]),
              "replicates": st.sampled_from([0, 1, 2, 10_000, 10 ** 9, -1]),
              "seed": st.sampled_from([0, 1, -1, 2 ** 63, 2 ** 63 - 1]),
              "second_order": st.booleans(), "num_levels": st.sampled_from([1, 2, 4, 101]),
              "levels": st.sampled_from([0, 1, 3, 10_000, 10 ** 5]),
              "chunk_size": st.sampled_from([0, 1, 10 ** 7]),
              "common_random_numbers": SCALAR, "conf_level": NUMBERS, "bootstrap": NUMBERS,
              "overrides": st.dictionaries(st.sampled_from(["organisation.employees",
                                                            "levers", "x"]), SCALAR, max_size=2),
              "discovery": st.fixed_dictionaries(
                  {"outcome": st.one_of(st.sampled_from(["y > 1", "churn_m12 > 1e999",
                                                         "y >", "z < 2"]), TEXT)},
                  optional={"threshold": NUMBERS, "max_boxes": NUMBERS})})
# valid sweeps, to be changed in a few places: the checks past the schema are reached too
VALID = [
    {"name": "i", "model": "ishigami", "method": "sobol", "n": 4, "outputs": [
        {"name": "y", "column": "y"}], "parameters": [
        {"key": k, "low": -3.0, "high": 3.0} for k in ("x1", "x2", "x3")]},
    {"name": "g", "scenario": "techops_programme", "method": "grid", "replicates": 2,
     "overrides": {"organisation.employees": 60}, "outputs": [
         {"name": "churn_m12", "column": "churn_annualised"},
         {"name": "c6", "column": "culture_score", "statistic": "month", "month": 6}],
     "parameters": [{"key": "levers.psychological_safety", "values": [0.1, 0.5]},
                    {"key": "workforce.hiring_lag_weeks", "low": 2, "high": 10, "levels": 3}],
     "discovery": {"outcome": "churn_m12 > 12"}},
    {"name": "m", "scenario": "baseline", "method": "morris", "n": 2, "outputs": [
        {"name": "churn_m12", "column": "churn_annualised", "statistic": "auc"}],
     "parameters": [{"key": "levers.psychological_safety", "low": 0.1, "high": 0.9,
                     "distribution": "triangular", "mode": 0.5},
                    {"key": "levers.incentive_alignment", "low": 0.1, "high": 0.9,
                     "distribution": "truncnormal", "mean": 0.5, "sd": 0.2}]},
]
WHERE = st.sampled_from(["name", "model", "scenario", "method", "n", "replicates", "seed",
                         "levels", "overrides", "discovery", "second_order", "parameters",
                         "outputs", "function", "extends"])
FIELDS = {"parameters": st.sampled_from(["key", "low", "high", "mode", "mean", "sd", "values",
                                         "levels", "distribution", "base", "x"]),
          "outputs": st.sampled_from(["name", "column", "statistic", "month", "better", "x"])}


@st.composite
def changed_sweeps(draw: st.DrawFn) -> dict[str, object]:
    """A valid sweep with one to three keys set to other values, dropped, or added."""
    import copy

    data = copy.deepcopy(draw(st.sampled_from(VALID)))
    for _ in range(draw(st.integers(1, 3))):
        where = draw(WHERE)
        value = data.get(where)
        if isinstance(value, list) and value and isinstance(value[0], dict):
            entry = value[draw(st.integers(0, len(value) - 1))]
            field = draw(FIELDS[where])
            if draw(st.booleans()):
                entry.pop(field, None)
            else:
                entry[field] = draw(st.one_of(NUMBERS, SCALAR, st.lists(NUMBERS, max_size=3)))
        elif isinstance(value, dict):
            value[draw(st.sampled_from(["organisation.employees", "outcome", "threshold",
                                        "levers.psychological_safety"]))] = draw(SCALAR)
        elif draw(st.booleans()) and where in data:
            del data[where]
        else:
            data[where] = draw(st.one_of(NUMBERS, SCALAR))
    return data


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if value != value else ("inf" if value > 0 else "-inf") \
            if value in (float("inf"), float("-inf")) else repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        # a JSON string is a TOML basic string (or, for a few characters, a TOML error)
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(value)


def _toml(data: dict[str, object]) -> str:
    lines, tables = [], []
    for key, value in data.items():
        if isinstance(value, dict):
            tables.append((f"[{key}]", value))
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            tables += [(f"[[{key}]]", entry) for entry in value]
        else:
            lines.append(f"{json.dumps(key)} = {_toml_value(value)}")
    for header, table in tables:
        lines.append(header)
        lines += [f"{json.dumps(k)} = {_toml_value(v)}" for k, v in table.items()]
    return "\n".join(lines) + "\n"


def _only_one_line_errors(path: Path) -> None:
    try:
        load_sweep(path)
    except ScenarioError as error:
        assert "\n" not in str(error) and "\r" not in str(error), str(error)


@pytest.mark.fast
@FUZZ
@given(data=st.binary(max_size=300))
def test_fuzz_arbitrary_bytes_give_a_sweep_or_one_line(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "fuzz.toml"
    path.write_bytes(data)
    _only_one_line_errors(path)
    path.write_bytes(b'name = "x"\nmethod = "grid"\n' + data)
    _only_one_line_errors(path)


@settings(FUZZ, max_examples=300)
@given(data=st.one_of(SWEEP, changed_sweeps()))
def test_fuzz_structured_sweep_files_give_a_sweep_or_one_line(tmp_path: Path,
                                                             data: dict[str, object]) -> None:
    path = tmp_path / "fuzz.toml"
    path.write_text(_toml(data), encoding="utf-8", errors="surrogatepass")
    _only_one_line_errors(path)
