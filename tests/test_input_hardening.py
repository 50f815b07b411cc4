"""Every bad scenario input is one line (ScenarioError), never a traceback; fuzzed to keep it true.

The named cases are those a reliability review found giving tracebacks, several lines or silent
acceptance; the hypothesis tests throw arbitrary bytes, TOML and ``--set`` text at the loader
with a fixed example budget (about 1,500 inputs in all, well under a minute).
"""

from __future__ import annotations

import pickle
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxsim.model import ScenarioError, load_scenario
from cxsim.model.scenario import (
    MAX_EXTENDS,
    ScenarioWarning,
    parse_assignment,
    parse_assignments,
)

pytestmark = pytest.mark.fast


def fails(scenario: str | Path, overrides: dict | None = None) -> str:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(scenario, overrides=overrides)
    text = str(caught.value)
    assert "\n" not in text and "\r" not in text and "\x00" not in text, text
    return text


def scenario_file(tmp_path: Path, text: str | bytes, name: str = "s.toml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


# -- named cases ---------------------------------------------------------------------------------

def test_binary_file_is_one_line(tmp_path):
    assert "not UTF-8" in fails(scenario_file(tmp_path, b"\xff\xfe\x00extends = 1\x80"))


def test_deep_table_is_one_line(tmp_path):
    text = "x = " + "{a = " * 3000 + "1" + "}" * 3000 + "\n"
    assert "nested too deeply" in fails(scenario_file(tmp_path, text))


def test_deep_array_is_one_line(tmp_path):
    text = "x = " + "[" * 5000 + "]" * 5000 + "\n"
    assert "nested too deeply" in fails(scenario_file(tmp_path, text))


def test_long_extends_chain_is_bounded(tmp_path):
    scenario_file(tmp_path, 'extends = "baseline"\n', "s0.toml")
    for i in range(1, MAX_EXTENDS + 5):
        scenario_file(tmp_path, f'extends = "s{i - 1}"\n', f"s{i}.toml")
    assert f"at most {MAX_EXTENDS} files" in fails(tmp_path / f"s{MAX_EXTENDS + 4}.toml")


def test_newline_in_key_or_value_cannot_forge_a_second_line(tmp_path):
    text = fails("baseline", {"levers.psychological_safety": "0.5\nfake.toml: x = 1: forged"})
    assert "\\n" in text
    text = fails("baseline", {"levers.x\nforged": 1})
    assert "\\n" in text


def test_value_starting_with_angle_bracket_is_quoted():
    assert "'<script>'" in fails("baseline", {"levers.psychological_safety": "<script>"})


def test_empty_file_is_refused(tmp_path):
    assert "<empty>" in fails(scenario_file(tmp_path, ""))


def test_file_without_extends_warns_in_one_line(tmp_path):
    path = scenario_file(tmp_path, "[levers]\npsychological_safety = 0.5\n")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        load_scenario(path)
    messages = [str(w.message) for w in caught if issubclass(w.category, ScenarioWarning)]
    assert len(messages) == 1 and "\n" not in messages[0] and "schema defaults" in messages[0]


def test_timeline_beyond_the_horizon_is_refused(tmp_path):
    path = scenario_file(tmp_path, 'extends = "baseline"\ntimeline_mode = "replace"\n'
                         '[[timeline]]\nkind = "story_sharing"\nstart_week = 60\n')
    assert "within the horizon" in fails(path)


def test_duplicated_timeline_entry_is_refused(tmp_path):
    entry = '[[timeline]]\nkind = "story_sharing"\nstart_week = 3\n'
    path = scenario_file(tmp_path, 'extends = "baseline"\ntimeline_mode = "replace"\n'
                         + entry + entry)
    assert "same initiative in the same week" in fails(path)


def test_shares_that_do_not_add_up_are_refused():
    text = fails("baseline", {"organisation.frontline_share": 0.9,
                              "organisation.product_share": 0.9})
    assert "organisation.product_share" in text and "back office" in text


def test_same_set_key_twice_is_refused():
    with pytest.raises(ScenarioError) as caught:
        parse_assignments(["levers.psychological_safety=0.2", "levers.psychological_safety=0.8"])
    assert "given twice" in str(caught.value)


@pytest.mark.parametrize("name", ["../../x", "/etc/passwd", "", ".hidden", "a" * 300, "a\x00b",
                                  "a b"])
def test_unsafe_scenario_names_are_refused(tmp_path, name):
    path = scenario_file(tmp_path, f'extends = "baseline"\nname = {name!r}\n'.replace(
        "\x00", "\\u0000"))
    assert "name" in fails(path)


@pytest.mark.parametrize("name", ["a\x00b", "x" * 300, "..", "../baseline"])
def test_bad_names_given_as_scenario_are_one_line(name):
    fails(name)


def test_extends_refuses_a_file_that_is_not_a_scenario_without_echoing_it(tmp_path):
    secret = scenario_file(tmp_path, 'api_token = "s3cr3t"\n', "secrets.toml")
    child = scenario_file(tmp_path, f'extends = "{secret}"\n', "child.toml")
    text = fails(child)
    assert "not a scenario file" in text and "s3cr3t" not in text and "api_token" not in text


def test_local_file_does_not_shadow_a_shipped_name(tmp_path, monkeypatch):
    scenario_file(tmp_path, 'extends = "baseline"\n[levers]\npsychological_safety = 0.99\n',
                  "techops_programme.toml")
    monkeypatch.chdir(tmp_path)
    assert load_scenario("techops_programme").parameters.levers.psychological_safety != 0.99
    as_path = load_scenario("./techops_programme.toml")
    assert as_path.parameters.levers.psychological_safety == 0.99


def test_scenario_error_pickles():
    error = ScenarioError("f.toml", "levers.x", 1, "a number")
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is ScenarioError and str(again) == str(error)
    assert (again.file, again.key, again.value, again.allowed) == ("f.toml", "levers.x", 1,
                                                                   "a number")


# -- fuzzing -------------------------------------------------------------------------------------

FUZZ = settings(max_examples=400, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

toml_scalars = st.one_of(st.integers(-10**20, 10**20), st.floats(allow_nan=True),
                         st.booleans(), st.text(max_size=20))
keys = st.sampled_from(["levers", "anti_patterns", "organisation", "timeline", "extends",
                        "name", "simulation", "psychological_safety", "employees", "x"])


def _toml_line(key: str, value: object) -> str:
    if isinstance(value, str):
        return f"{key} = {value!r}\n".replace("\\x", "\\u00")
    if isinstance(value, bool):
        return f"{key} = {str(value).lower()}\n"
    if isinstance(value, float) and value != value:
        return f"{key} = nan\n"
    return f"{key} = {value}\n"


@FUZZ
@given(data=st.binary(max_size=200))
def test_fuzz_arbitrary_bytes(tmp_path, data):
    _only_scenario_errors(scenario_file(tmp_path, b'extends = "baseline"\n' + data))


@FUZZ
@given(lines=st.lists(st.tuples(keys, keys, toml_scalars), max_size=6),
       extends=st.sampled_from(["baseline", "cx_theater", "", "nope", "../x"]))
def test_fuzz_structured_toml(tmp_path, lines, extends):
    text = f'extends = "{extends}"\n' if extends else ""
    for section, key, value in lines:
        text += f"[{section}]\n" + _toml_line(key, value)
    _only_scenario_errors(scenario_file(tmp_path, text))


@FUZZ
@given(text=st.text(max_size=60))
def test_fuzz_set_assignments(text):
    try:
        key, value = parse_assignment(text)
        load_scenario("baseline", {key: value})
    except ScenarioError as error:
        assert "\n" not in str(error) and "\r" not in str(error)


def _only_scenario_errors(path: Path) -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ScenarioWarning)
            load_scenario(path)
    except ScenarioError as error:
        assert "\n" not in str(error) and "\r" not in str(error)
