"""Every parameter set inside the documented ranges gives finite internal state and outputs.

Hypothesis draws each of the schema's scalar parameters uniformly in its documented range (the
organisation kept small and the horizon short, so each example is cheap), runs the model and
checks every state array and every organisation-level field after every week.
"""

from __future__ import annotations

import dataclasses
import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxsim.model import CXCultureModel, ScenarioError, load_scenario
from cxsim.model.parameters import parameter_table

SIZE = {"organisation.employees": (20, 120), "organisation.customers": (10, 80),
        "simulation.weeks": (4, 26)}
ROWS = [row for row in parameter_table()
        if isinstance(row["default"], (int, float)) and not isinstance(row["default"], bool)]


@st.composite
def parameter_sets(draw) -> dict[str, Any]:
    chosen: dict[str, Any] = {}
    for row in ROWS:
        low, high = SIZE.get(row["key"], (row["low"], row["high"]))
        if not draw(st.booleans()):          # half the parameters keep their calibrated value
            continue
        if isinstance(row["default"], int):
            chosen[row["key"]] = draw(st.integers(int(low), int(high)))
        else:
            chosen[row["key"]] = draw(st.floats(float(low), float(high), allow_nan=False))
    return chosen


def _finite(value: Any) -> bool:
    if isinstance(value, float):
        return bool(np.isfinite(value))
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return bool(np.isfinite(value).all())
    return True


def finite_state(model: CXCultureModel) -> list[str]:
    """Names of state arrays or fields holding NaN or infinity."""
    holders = {group: getattr(model, group) for group in ("people", "teams", "customers", "pain",
                                                          "org")}
    return [f"{group}.{field.name}" for group, holder in holders.items()
            for field in dataclasses.fields(holder)
            if field.name != "survey_nps"      # NaN by design when nobody answered
            and not _finite(getattr(holder, field.name))]


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(chosen=parameter_sets(), seed=st.integers(0, 2**32 - 1))
def test_valid_parameters_give_finite_state(chosen, seed):
    base = {"organisation.employees": 60, "organisation.customers": 40, "simulation.weeks": 13}
    try:
        scenario = load_scenario("baseline", {**base, **chosen})
    except ScenarioError as error:           # in range one by one but inconsistent together
        assert "\n" not in str(error)
        return
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)     # 0/0 and overflow are failures
        model = CXCultureModel(scenario, seed=seed, agents=False)
        assert not finite_state(model), finite_state(model)
        while model.running:
            model.step()
            assert not finite_state(model), (model.week, finite_state(model))


@pytest.mark.fast
def test_zero_survey_fatigue_gain_is_not_zero_over_zero():
    scenario = load_scenario("baseline", {"measurement.survey_fatigue_gain": 0.0,
                                          "measurement.survey_fatigue_recovery": 0.0,
                                          "voice.fix_rate": 0.0})
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        model = CXCultureModel(scenario, seed=0, agents=False)
        model.run()
    table = model.datacollector.get_model_vars_dataframe()
    assert np.isfinite(model.customers.survey_fatigue).all()
    assert (table["survey_response_rate"] > 0).all() and table["nps_measured"].notna().all()
