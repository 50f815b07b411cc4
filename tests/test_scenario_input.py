"""Scenario input through the API: bad input fails with one clear line, good input composes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cxsim.model import Parameters, ScenarioError, load_scenario, simulate
from cxsim.model.scenario import SCENARIO_DIR

pytestmark = pytest.mark.fast

def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def fails(scenario: str | Path, overrides: dict[str, Any] | None = None) -> ScenarioError:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(scenario, overrides=overrides)
    return caught.value


def check_message(error: ScenarioError, file: str | Path, key: str, value: str,
                  *allowed: str) -> str:
    """The error is ONE line naming the file, the key, the value and what is allowed."""
    text = str(error)
    assert "\n" not in text and "\r" not in text, text
    assert error.file == str(file) and error.key == key
    # file first, then key, then the value and what is allowed
    prefix = f"{file}: {key}"
    assert text.startswith(prefix), text
    rest = text[len(prefix):]
    assert value in rest, text
    for fragment in allowed:
        assert fragment in rest, text
    return text


# -- bad input -----------------------------------------------------------------------------

class TestUnknownKeys:
    def test_override_typo_suggests_the_key(self):
        error = fails("baseline", {"levers.psychologcal_safety": 0.5})
        check_message(error, "overrides", "levers.psychologcal_safety", "0.5",
                      "unknown parameter", "did you mean 'levers.psychological_safety'?")

    def test_section_typo_suggests_the_key(self):
        error = fails("baseline", {"lever.ritual_participation": 0.5})
        check_message(error, "overrides", "lever.ritual_participation", "0.5",
                      "did you mean 'levers.ritual_participation'?")

    def test_file_typo_names_the_file(self, tmp_path):
        path = write(tmp_path, "typo.toml",
                     'extends = "baseline"\n[levers]\nincentive_alignmnet = 0.4\n')
        check_message(fails(path), path, "levers.incentive_alignmnet", "0.4",
                      "unknown parameter", "did you mean 'levers.incentive_alignment'?")

    def test_nonsense_key_has_a_pointer_not_a_bad_guess(self, tmp_path):
        path = write(tmp_path, "nonsense.toml", 'extends = "baseline"\n[zzz]\nqqq = 1\n')
        check_message(fails(path), path, "zzz.qqq", "1", "unknown parameter",
                      "docs/parameters.md")


class TestValues:
    @pytest.mark.parametrize("value", [7, -0.1, 1.5])
    def test_out_of_range_override(self, value):
        error = fails("baseline", {"levers.psychological_safety": value})
        check_message(error, "overrides", "levers.psychological_safety", repr(value),
                      "a number from 0.0 to 1.0")

    def test_out_of_range_in_file(self, tmp_path):
        path = write(tmp_path, "range.toml",
                     'extends = "baseline"\n[levers]\npsychological_safety = 7\n')
        check_message(fails(path), path, "levers.psychological_safety", "7",
                      "a number from 0.0 to 1.0")

    def test_integer_out_of_range(self):
        error = fails("baseline", {"organisation.employees": 5})
        check_message(error, "overrides", "organisation.employees", "5",
                      "a whole number from 20 to 200000")

    def test_string_for_a_number(self, tmp_path):
        error = fails("baseline", {"levers.psychological_safety": "high"})
        check_message(error, "overrides", "levers.psychological_safety", "'high'",
                      "a number from 0.0 to 1.0")
        path = write(tmp_path, "high.toml",
                     'extends = "baseline"\n[levers]\npsychological_safety = "high"\n')
        check_message(fails(path), path, "levers.psychological_safety", "'high'", "a number")

    @pytest.mark.parametrize("value", [800.0, 80.5, True, "800"])
    def test_not_a_whole_number_for_employees(self, value):
        error = fails("baseline", {"organisation.employees": value})
        check_message(error, "overrides", "organisation.employees", repr(value),
                      "a whole number from 20 to 200000")

    def test_float_for_employees_in_file(self, tmp_path):
        path = write(tmp_path, "float.toml",
                     'extends = "baseline"\n[organisation]\nemployees = 800.5\n')
        check_message(fails(path), path, "organisation.employees", "800.5", "a whole number")

    def test_value_where_a_section_belongs(self, tmp_path):
        path = write(tmp_path, "flat.toml", 'extends = "baseline"\nlevers = 3\n')
        check_message(fails(path), path, "levers", "3")

    def test_error_names_the_file_that_set_the_value(self, tmp_path):
        write(tmp_path, "parent.toml",
              'extends = "baseline"\n[levers]\nritual_participation = 2.0\n')
        child = write(tmp_path, "child.toml",
                      'extends = "parent"\n[levers]\nincentive_alignment = 0.5\n')
        check_message(fails(child), tmp_path / "parent.toml", "levers.ritual_participation",
                      "2.0", "a number from 0.0 to 1.0")


class TestFiles:
    def test_missing_extends_target(self, tmp_path):
        path = write(tmp_path, "orphan.toml", 'extends = "no_such_parent"\n')
        check_message(fails(path), path, "extends", "'no_such_parent'",
                      "not a known scenario name", "baseline")

    def test_extends_typo_suggests_shipped_name(self, tmp_path):
        path = write(tmp_path, "near.toml", 'extends = "baselin"\n')
        check_message(fails(path), path, "extends", "'baselin'", "did you mean 'baseline'?")

    def test_extends_must_be_a_string(self, tmp_path):
        path = write(tmp_path, "number.toml", "extends = 3\n")
        check_message(fails(path), path, "extends", "3", "a scenario name or path")

    def test_circular_extends(self, tmp_path):
        a = write(tmp_path, "a.toml", 'extends = "b"\n')
        write(tmp_path, "b.toml", 'extends = "a"\n')
        text = check_message(fails(a), a, "extends", "'a'", "circular")
        assert "a.toml -> b.toml -> a.toml" in text

    def test_self_extends(self, tmp_path):
        me = write(tmp_path, "me.toml", 'extends = "me"\n')
        check_message(fails(me), me, "extends", "'me'", "circular")

    def test_unknown_scenario_name(self):
        error = fails("no_such_scenario_anywhere")
        check_message(error, "<command line>", "scenario", "'no_such_scenario_anywhere'",
                      "not a known scenario name", "baseline")

    def test_unknown_scenario_name_suggests(self):
        error = fails("techops_programe")
        check_message(error, "<command line>", "scenario", "'techops_programe'",
                      "did you mean 'techops_programme'?")

    def test_unknown_scenario_through_simulate(self):
        with pytest.raises(ScenarioError):
            simulate("no_such_scenario_anywhere")

    def test_malformed_toml(self, tmp_path):
        path = write(tmp_path, "broken.toml", 'extends = "baseline"\n[levers\nx = 1\n')
        check_message(fails(path), path, "<file>", "<malformed TOML>", "valid TOML expected",
                      "line 2")

    def test_malformed_parent(self, tmp_path):
        write(tmp_path, "bad_parent.toml", "name = \n")
        child = write(tmp_path, "good_child.toml", 'extends = "bad_parent"\n')
        check_message(fails(child), tmp_path / "bad_parent.toml", "<file>", "<malformed TOML>",
                      "valid TOML expected")


class TestTimeline:
    def test_unknown_kind(self, tmp_path):
        path = write(tmp_path, "kind.toml",
                     'extends = "baseline"\n[[timeline]]\nkind = "pizza_party"\n')
        check_message(fails(path), path, "timeline[0].kind", "'pizza_party'", "one of",
                      "'story_sharing'", "'customer_friday'")

    def test_unknown_kind_after_parent_entries(self, tmp_path):
        parent = len(load_scenario("techops_programme").parameters.timeline)
        path = write(tmp_path, "kind2.toml",
                     'extends = "techops_programme"\n[[timeline]]\nkind = "pizza_party"\n')
        check_message(fails(path), path, f"timeline[{parent}].kind", "'pizza_party'", "one of")

    def test_timeline_entry_out_of_range(self, tmp_path):
        path = write(tmp_path, "week.toml",
                     'extends = "baseline"\n[[timeline]]\nkind = "story_sharing"\n'
                     "start_week = 0\n")
        check_message(fails(path), path, "timeline[0].start_week", "0",
                      "a whole number from 1 to 520")

    @pytest.mark.parametrize("mode", ["merge", "REPLACE", ""])
    def test_bad_timeline_mode(self, tmp_path, mode):
        path = write(tmp_path, "mode.toml", f'extends = "baseline"\ntimeline_mode = "{mode}"\n')
        check_message(fails(path), path, "timeline_mode", repr(mode), "'append'", "'replace'")

    def test_timeline_not_an_array(self, tmp_path):
        path = write(tmp_path, "scalar.toml", 'extends = "baseline"\ntimeline = 3\n')
        check_message(fails(path), path, "timeline", "3", "array of tables")


# -- good input ----------------------------------------------------------------------------

def dump_without(parameters: Parameters, *keys: str) -> dict:
    data = parameters.model_dump()
    for key in keys:
        section, name = key.split(".")
        data[section].pop(name)
    return data


class TestGoodInput:
    def test_child_gets_its_lever_and_inherits_the_rest(self, tmp_path):
        path = write(tmp_path, "safer.toml",
                     'name = "safer"\nextends = "baseline"\n[levers]\npsychological_safety = 0.8\n')
        child = load_scenario(path)
        parent = load_scenario("baseline")
        assert child.name == "safer"
        assert child.parameters.levers.psychological_safety == 0.8
        assert parent.parameters.levers.psychological_safety != 0.8
        assert dump_without(child.parameters, "levers.psychological_safety") == \
            dump_without(parent.parameters, "levers.psychological_safety")
        assert child.files == (str(SCENARIO_DIR / "baseline.toml"), str(path))

    def test_whole_number_accepted_for_a_float(self, tmp_path):
        path = write(tmp_path, "one.toml",
                     'extends = "baseline"\n[levers]\nritual_participation = 1\n')
        assert load_scenario(path).parameters.levers.ritual_participation == 1.0

    def test_extends_a_sibling_file_by_name(self, tmp_path):
        write(tmp_path, "mid.toml", 'extends = "baseline"\n[levers]\nincentive_alignment = 0.6\n')
        leaf = write(tmp_path, "leaf.toml",
                     'extends = "mid"\n[anti_patterns]\nblame_culture = 0.4\n')
        params = load_scenario(leaf).parameters
        assert params.levers.incentive_alignment == 0.6
        assert params.anti_patterns.blame_culture == 0.4

    def test_child_overrides_parent_value(self, tmp_path):
        write(tmp_path, "p.toml", 'extends = "baseline"\n[levers]\nincentive_alignment = 0.6\n')
        leaf = write(tmp_path, "c.toml", 'extends = "p"\n[levers]\nincentive_alignment = 0.2\n')
        assert load_scenario(leaf).parameters.levers.incentive_alignment == 0.2

    def test_timeline_entries_append_to_the_parent(self, tmp_path):
        parent = load_scenario("techops_programme").parameters.timeline
        assert parent
        path = write(tmp_path, "more.toml",
                     'extends = "techops_programme"\n[[timeline]]\nkind = "reorganisation"\n'
                     "start_week = 10\nduration_weeks = 20\n")
        timeline = load_scenario(path).parameters.timeline
        assert len(timeline) == len(parent) + 1
        assert timeline[:-1] == parent
        assert timeline[-1].kind == "reorganisation" and timeline[-1].start_week == 10

    def test_explicit_append_mode(self, tmp_path):
        parent = load_scenario("techops_programme").parameters.timeline
        path = write(tmp_path, "append.toml",
                     'extends = "techops_programme"\ntimeline_mode = "append"\n'
                     '[[timeline]]\nkind = "tool_rollout"\n')
        assert len(load_scenario(path).parameters.timeline) == len(parent) + 1

    def test_replace_mode_replaces_the_timeline(self, tmp_path):
        path = write(tmp_path, "only.toml",
                     'extends = "techops_programme"\ntimeline_mode = "replace"\n'
                     '[[timeline]]\nkind = "story_sharing"\nstart_week = 5\n')
        params = load_scenario(path).parameters
        assert [(i.kind, i.start_week) for i in params.timeline] == [("story_sharing", 5)]
        # only the timeline is replaced; the rest is still inherited
        parent = load_scenario("techops_programme").parameters
        assert params.levers == parent.levers and params.organisation == parent.organisation

    def test_replace_with_an_empty_array(self, tmp_path):
        path = write(tmp_path, "none.toml",
                     'extends = "techops_programme"\ntimeline_mode = "replace"\ntimeline = []\n')
        assert load_scenario(path).parameters.timeline == []

    def test_replace_without_entries_starts_afresh(self, tmp_path):
        path = write(tmp_path, "afresh.toml",
                     'extends = "techops_programme"\ntimeline_mode = "replace"\n')
        assert load_scenario(path).parameters.timeline == []

    def test_grandchild_appends_to_a_replaced_timeline(self, tmp_path):
        write(tmp_path, "replaced.toml",
              'extends = "techops_programme"\ntimeline_mode = "replace"\n'
              '[[timeline]]\nkind = "story_sharing"\n')
        leaf = write(tmp_path, "appended.toml",
                     'extends = "replaced"\n[[timeline]]\nkind = "customer_friday"\n')
        kinds = [i.kind for i in load_scenario(leaf).parameters.timeline]
        assert kinds == ["story_sharing", "customer_friday"]

    def test_overrides_win_over_file_values(self, tmp_path):
        path = write(tmp_path, "file.toml",
                     'extends = "baseline"\n[levers]\npsychological_safety = 0.7\n')
        scenario = load_scenario(path, overrides={"levers.psychological_safety": 0.9,
                                                  "organisation.employees": 100})
        assert scenario.parameters.levers.psychological_safety == 0.9
        assert scenario.parameters.organisation.employees == 100
        assert scenario.overrides == {"levers.psychological_safety": 0.9,
                                      "organisation.employees": 100}

    def test_overrides_reach_the_simulation(self):
        small = {"organisation.employees": 60, "organisation.customers": 40}
        table = simulate(load_scenario("baseline", overrides=small), seed=0)
        assert table["headcount"].iloc[0] == 60
        assert table["customers_active"].iloc[0] == 40

    def test_with_overrides_matches_load_overrides(self):
        overrides = {"levers.ritual_participation": 0.9}
        a = load_scenario("techops_programme", overrides=overrides)
        b = load_scenario("techops_programme").with_overrides(overrides)
        assert a.parameters == b.parameters
        assert a.provenance()["parameters_sha256"] == b.provenance()["parameters_sha256"]
        assert a.provenance()["parameters_sha256"] != \
            load_scenario("techops_programme").provenance()["parameters_sha256"]


@pytest.mark.parametrize("how", ["overrides", "--set", "file"])
def test_overriding_one_attribute_of_an_initiative_kind_keeps_the_others(tmp_path, how):
    """Issue 11 item 8: a partial override of a kind used to reset its other attributes (setting
    customer_friday.exposure to its own default deleted the ritual: interaction -58 points)."""
    from cxsim.model import load_scenario, simulate
    from cxsim.model.scenario import parse_assignment

    shipped = load_scenario("techops_programme")
    kind = shipped.parameters.initiative_kinds.customer_friday
    key, value = "initiative_kinds.customer_friday.exposure", kind.exposure
    if how == "overrides":
        same = load_scenario("techops_programme", {key: value})
    elif how == "--set":
        same = load_scenario("techops_programme", dict([parse_assignment(f"{key}={value}")]),
                             origin="--set")
    else:
        path = tmp_path / "friday.toml"
        path.write_text('name = "friday"\ndescription = "d"\nextends = "techops_programme"\n'
                        f"[initiative_kinds.customer_friday]\nexposure = {value}\n")
        same = load_scenario(path)
    assert same.parameters.initiative_kinds == shipped.parameters.initiative_kinds
    assert simulate(same, seed=3)["interaction_rate"].equals(
        simulate(shipped, seed=3)["interaction_rate"])
    changed = load_scenario("techops_programme", {key: 0.1}).parameters.initiative_kinds
    assert changed.customer_friday.exposure == 0.1
    assert changed.customer_friday.model_dump(exclude={"exposure"}) == \
        kind.model_dump(exclude={"exposure"})
