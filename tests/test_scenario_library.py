"""The scenario library: every shipped scenario differs from the calibrated organisation only in
its levers, and an intensity between 0 and 1 moves the outcome smoothly."""

from __future__ import annotations

import numpy as np
import pytest

from cxsim.experiments.compare import compare
from cxsim.model import load_scenario, shipped_scenarios
from cxsim.model.parameters import Parameters

# What a scenario may change: levers, anti-patterns, risks and the timeline.
LEVER_SECTIONS = {"levers", "anti_patterns", "risks", "timeline"}


def changed_sections(a: Parameters, b: Parameters) -> set[str]:
    left, right = a.model_dump(), b.model_dump()
    return {section for section in left if left[section] != right[section]}


@pytest.mark.fast
@pytest.mark.parametrize("name", sorted(shipped_scenarios()))
def test_scenarios_differ_from_the_organisation_only_in_levers(name) -> None:
    scenario = load_scenario(name)
    base = load_scenario("baseline")
    assert scenario.description and scenario.source, name
    assert len(scenario.description.split(". ")[0]) < 200, "first sentence is the one-liner"
    assert changed_sections(base.parameters, scenario.parameters) <= LEVER_SECTIONS, name
    if name != "baseline":
        assert "baseline.toml" in scenario.files[0]


@pytest.mark.fast
def test_levers_change_within_a_lever_section_only() -> None:
    base = load_scenario("baseline").parameters
    # The calibrated organisation's ritual propensity is a lever; no scenario but explicit
    # lever files may change it.
    for name in shipped_scenarios():
        params = load_scenario(name).parameters
        assert params.levers.ritual_participation == base.levers.ritual_participation, name


@pytest.mark.parametrize(("key", "outcome"), [
    ("anti_patterns.cx_theater", "cynicism"),
    ("anti_patterns.blame_culture", "problems_silent"),
    ("anti_patterns.change_fatigue", "change_fatigue"),
])
def test_intensity_moves_the_outcome_smoothly(key, outcome) -> None:
    levels = [0.0, 0.25, 0.5, 0.75, 1.0]
    variants = [load_scenario("techops_programme", {key: level}).named(f"at_{level}")
                for level in levels]
    result = compare(variants, replicates=8, seed=3)
    end = result.monthly[result.monthly["month"] == 12]
    means = np.array([end[end["scenario"] == v.name][outcome].mean() for v in variants])
    steps = np.diff(means)
    total = means[-1] - means[0]
    assert total > 0, means
    assert (steps > -0.1 * abs(total)).all(), means  # monotone, within noise
    assert (np.abs(steps) < 0.6 * abs(total)).all(), means  # no jump
