"""The SolaraViz app trusts nothing the page sends (its Reset builds AppModel from page values)."""

from __future__ import annotations

import pytest

pytest.importorskip("mesa.visualization")

from cxsim.experiments.mesa_app import DEFAULT_SCENARIO, AppModel


@pytest.mark.parametrize("value", ["/etc/passwd", "../../x", "baseline.toml", 7, None])
def test_a_scenario_not_on_the_list_falls_back_to_the_default(value):
    assert AppModel(value, seed=0).scenario_name == DEFAULT_SCENARIO


def test_levers_and_seed_are_clamped_and_unknown_inputs_ignored():
    model = AppModel("cx_theater", seed=10**12, psychological_safety=7.0,
                     incentive_alignment="0.3")
    assert model.scenario_name == "cx_theater" and model.seed == 99
    assert model.p.levers.psychological_safety == 1.0
    with pytest.raises(TypeError):
        AppModel("cx_theater", **{"organisation.employees": 10**6})
