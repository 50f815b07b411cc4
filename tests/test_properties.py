"""Property tests over random valid parameters: outputs are finite and in range, churn is final,
and the monthly table has one row per month."""

from __future__ import annotations

import math
import os
import warnings
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxsim.model import COLUMNS, CXCultureModel, load_scenario, simulate
from cxsim.model.cx_model import month_end_weeks

unit = st.floats(0.0, 1.0, allow_nan=False)

LEVERS = ("levers.psychological_safety", "levers.ritual_participation",
          "levers.incentive_alignment")
ANTI_PATTERNS = ("anti_patterns.cx_theater", "anti_patterns.change_fatigue",
                 "anti_patterns.cx_police", "anti_patterns.survey_obsession",
                 "anti_patterns.blame_culture")
RISKS = ("risks.executive_misalignment", "risks.middle_management_resistance",
         "risks.hiring_mismatch", "risks.remote_work")


@st.composite
def scenarios(draw) -> tuple[str, dict[str, Any]]:
    """A shipped base scenario and schema-valid overrides on a small organisation."""
    name = draw(st.sampled_from(["baseline", "techops_programme"]))
    overrides: dict[str, Any] = {key: draw(unit) for key in (*LEVERS, *ANTI_PATTERNS, *RISKS)}
    overrides.update({
        "organisation.employees": draw(st.integers(20, 300)),
        "organisation.customers": draw(st.integers(10, 200)),
        "organisation.team_size": draw(st.integers(2, 30)),
        "organisation.frontline_share": draw(st.floats(0.05, 0.9)),
        "organisation.product_share": draw(st.floats(0.0, 1.0)),   # x (1 - frontline), below
        "organisation.top_performer_share": draw(st.floats(0.0, 0.5)),
        "organisation.customer_headroom": draw(st.floats(0.0, 3.0)),
        # At least to the last start of the base scenario's timeline (later ones are refused).
        "simulation.weeks": draw(st.integers(max((e.start_week for e in load_scenario(
            name).parameters.timeline), default=8), 60)),
        "social.ambassador_share": draw(st.floats(0.0, 0.5)),
        "workforce.hiring_lag_weeks": draw(st.integers(0, 52)),
        "workforce.attrition_base": draw(st.floats(0.0, 1.0)),
        "measurement.survey_interval_weeks": draw(st.integers(1, 52)),
        "customer_experience.touches_per_month": draw(st.integers(1, 10)),
        "initial.open_pain_points": draw(st.integers(0, 150)),
        "pain_points.arrival_per_week": draw(st.floats(0.0, 10.0)),
        "initial.satisfaction_mean": draw(unit),
        "initial.orientation_mean": draw(unit),
    })
    overrides["organisation.product_share"] = round(overrides["organisation.product_share"] * min(
        0.9, 1 - overrides["organisation.frontline_share"]), 12)
    return name, overrides


def column_range(name: str) -> tuple[float, float]:
    """The range a column's unit (model.metrics.COLUMNS) promises."""
    unit_ = COLUMNS[name][0]
    if name == "perception_gap" or unit_ == "-100..100":
        return -100.0, 100.0
    if unit_ in ("%", "0-100"):
        return 0.0, 100.0
    if unit_ == "1-5":
        return 1.0, 5.0
    if unit_ in ("month", "week", "accounts", "people", "pain points", "events", "stories/week",
                 "% of capacity"):
        return 0.0, math.inf
    raise AssertionError(f"no range known for column {name!r} (unit {unit_!r}); add it here")


EPS = 1e-9
COUNT_COLUMNS = [name for name, (u, _) in COLUMNS.items()
                 if u in ("month", "week", "accounts", "people", "pain points", "events")]

# CXSIM_EXAMPLES=500 for a longer search; 25 keeps the file well under a minute.
FAST = settings(max_examples=int(os.environ.get("CXSIM_EXAMPLES", "25")), deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def months_in(weeks: int) -> int:
    """Months whose end, week round(52 m / 12) (COLUMNS["month"]), falls within the horizon."""
    month = 0
    while round(52 * (month + 1) / 12) <= weeks:
        month += 1
    return month


def check_table(table: pd.DataFrame, overrides: dict[str, Any]) -> None:
    weeks = overrides["simulation.weeks"]
    months = months_in(weeks)
    assert list(table.columns) == list(COLUMNS)
    assert len(table) == months + 1
    assert table["month"].tolist() == list(range(months + 1))
    assert table["week"].is_monotonic_increasing and table["week"].iloc[-1] <= weeks
    # NaN only where a score has no respondent (documented in docs/outputs.md).
    no_answer = table["culture_survey_response_rate"] == 0
    # realised churn: no window at month 0; before month 12, none while no account of the
    # month-0 book has come up for renewal; none once the book has been empty
    no_window = (table["month"] < 12) | (table["customers_active"] == 0).cummax()
    undefined = {"nps_measured": table["survey_response_rate"] == 0,
                 "nps_true": table["customers_active"] == 0, "enps": table["headcount"] == 0,
                 "culture_score": no_answer, "psychological_safety_score": no_answer,
                 "churn_realised_12m": no_window, "revenue_churn_realised_12m": no_window}
    for name, allowed in undefined.items():
        assert (table[name].isna() <= allowed).all(), f"{name} NaN with respondents"
    defined = table.drop(columns=list(undefined))
    bad = ~np.isfinite(defined.to_numpy(dtype=float))
    assert not bad.any(), f"non-finite values in {list(defined.columns[bad.any(axis=0)])}"
    table = table.fillna({name: column_range(name)[0] for name in undefined})
    for name in COLUMNS:
        low, high = column_range(name)
        column = table[name]
        # EPS: a ratio such as 100 * b / a with b == a may round one ulp past 100
        assert column.between(low - EPS, high + EPS).all(), (
            f"{name} outside [{low}, {high}]: {column.min()}..{column.max()}")
    for name in COUNT_COLUMNS:
        assert (table[name] == np.round(table[name])).all(), f"{name} not whole"
    maturity = table["maturity_level"]
    assert (maturity == np.round(maturity)).all() and maturity.between(1, 5).all()
    assert table["headcount"].between(0, overrides["organisation.employees"]).all()
    customers = overrides["organisation.customers"]
    slots = customers + math.ceil(overrides["organisation.customer_headroom"] * customers)
    assert table["customers_active"].between(0, slots).all()
    assert table["revenue_retained"].is_monotonic_decreasing   # the month-0 book only shrinks
    assert table["problems_silent"].le(table["problems_open"]).all()


@FAST
@given(case=scenarios(), seed=st.integers(0, 2**32 - 1))
def test_outputs_finite_and_in_range(case, seed):
    name, overrides = case
    table = simulate(load_scenario(name, overrides=overrides), seed=seed)
    check_table(table, overrides)


@FAST
@given(case=scenarios(), seed=st.integers(0, 2**32 - 1))
def test_churned_customers_stay_churned(case, seed):
    name, overrides = case
    model = CXCultureModel(load_scenario(name, overrides=overrides).parameters, seed=seed)
    customers = model.customers
    churned = customers.churned.copy()
    existed = customers.exists.copy()
    headcount_cap = model.people.size
    while model.running:
        model.step()
        assert np.all(customers.churned[churned]), "a churned customer came back"
        assert np.all(customers.exists[existed]), "an account slot was emptied"
        assert not np.any(customers.churned & ~customers.exists)
        assert 0 <= int(model.people.filled.sum()) <= headcount_cap
        churned = customers.churned.copy()
        existed = customers.exists.copy()
    assert model.week == overrides["simulation.weeks"]
    assert len(model.records) == months_in(overrides["simulation.weeks"]) + 1


def test_empty_organisation_is_finite():
    overrides = {"organisation.employees": 60, "organisation.customers": 40,
                 "workforce.attrition_base": 1.0, "simulation.weeks": 16}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        table = simulate(load_scenario("baseline", overrides=overrides), seed=0)
    assert (table["headcount"] == 0).any()    # the situation under test happens
    # eNPS and the employee survey's scores have no respondent without staff: NaN there
    # (documented), finite everywhere else; realised churn has no window before month 12's
    # renewals have begun (month 0 here).
    scores = ["enps", "culture_score", "psychological_safety_score"]
    assert table.loc[table["headcount"] == 0, scores].isna().all().all()
    assert table.loc[table["month"] == 0, "churn_realised_12m"].isna().all()
    rest = table.drop(columns=[*scores, "churn_realised_12m", "revenue_churn_realised_12m"])
    assert np.isfinite(rest.to_numpy(dtype=float)).all(), list(rest.columns[rest.isna().any()])


@settings(max_examples=60, deadline=None)
@given(weeks=st.integers(4, 520))
def test_month_ends_one_per_month_within_horizon(weeks):
    ends = month_end_weeks(weeks)
    months = months_in(weeks)
    assert sorted(ends.values()) == list(range(1, months + 1))
    assert all(1 <= week <= weeks for week in ends)
    assert all(week == round(52 * month / 12) for week, month in ends.items())
    assert list(ends) == sorted(ends)   # months end in order, on distinct weeks
    assert months_in(52) == 12
