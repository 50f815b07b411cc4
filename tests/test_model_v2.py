"""Model v2: culture carries the effect (issue 11).

People carry the programme's effect to customers (freeze them and it goes); levers act as named,
anti-patterns never help; each anti-pattern and risk harms through its mechanism; a programme
launched beside too much change can be worse before it is better. Paired replicates on common
seeds throughout; "beyond noise" is two paired standard errors.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

from cxsim.model import load_scenario
from cxsim.model.cx_model import CXCultureModel

SEEDS = range(8)
STEPS = (0.0, 0.25, 0.5, 0.75, 1.0)
LEVERS = ("psychological_safety", "ritual_participation", "incentive_alignment")
ANTI_PATTERNS = ("cx_theater", "change_fatigue", "cx_police", "survey_obsession",
                 "blame_culture")
RISKS = ("executive_misalignment", "middle_management_resistance", "hiring_mismatch",
         "remote_work")
PEOPLE_STATE = ("orientation", "engagement", "safety", "cynicism", "fatigue", "meaning")


def month12(name: str, seed: int, overrides: tuple = (), freeze: bool = False) -> np.ndarray:
    """(churn_annualised, nps_true) at month 12; ``freeze`` holds every employee's and
    manager's state at its month-0 value all year."""
    model = CXCultureModel(load_scenario(name, dict(overrides) or None), seed=seed,
                           agents=False)
    people, teams = model.people, model.teams
    held = {k: getattr(people, k).copy() for k in PEOPLE_STATE}
    adoption = teams.adoption.copy()
    while model.running:
        model.step()
        if freeze:
            for key, value in held.items():
                getattr(people, key)[:] = value
            teams.adoption[:] = adoption
    row = model.records[-1]
    return np.array([row["churn_annualised"], row["nps_true"]])


@cache
def runs(name: str, overrides: tuple = (), freeze: bool = False) -> np.ndarray:
    return np.array([month12(name, seed, overrides, freeze) for seed in SEEDS])


def paired(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard error of the paired differences a - b, per outcome."""
    d = a - b
    return d.mean(axis=0), d.std(axis=0, ddof=1) / np.sqrt(len(d))


def test_freezing_the_people_removes_most_of_the_programme_effect():
    """No leadership series reaches customers but through people: with every employee's and
    manager's state held at month 0, the programme's month-12 benefit shrinks by two thirds."""
    effect, _ = paired(runs("techops_programme"), runs("baseline"))
    frozen, _ = paired(runs("techops_programme", freeze=True), runs("baseline", freeze=True))
    assert effect[0] < -2.0 and effect[1] > 8.0, effect          # the programme works
    assert -frozen[0] <= -effect[0] / 3, (frozen, effect)        # churn benefit
    assert frozen[1] <= effect[1] / 3, (frozen, effect)          # true-NPS benefit


@pytest.mark.parametrize("scenario", ["baseline", "techops_programme"])
@pytest.mark.parametrize("lever", LEVERS)
def test_raising_a_lever_never_worsens_churn_or_nps(scenario, lever):
    series = [runs(scenario, ((f"levers.{lever}", v),)) for v in STEPS]
    for low, high, v in zip(series, series[1:], STEPS[1:], strict=False):
        mean, se = paired(high, low)
        assert mean[0] <= 2 * se[0] + 0.05, (lever, v, mean, se)    # churn does not rise
        assert mean[1] >= -2 * se[1] - 0.25, (lever, v, mean, se)   # NPS does not fall


@pytest.mark.parametrize("scenario", ["baseline", "techops_programme"])
@pytest.mark.parametrize("pattern", ANTI_PATTERNS)
def test_raising_an_anti_pattern_never_helps(scenario, pattern):
    series = [runs(scenario, ((f"anti_patterns.{pattern}", v),)) for v in STEPS]
    for low, high, v in zip(series, series[1:], STEPS[1:], strict=False):
        mean, se = paired(high, low)
        assert mean[0] >= -2 * se[0] - 0.05, (pattern, v, mean, se)
        assert mean[1] <= 2 * se[1] + 0.25, (pattern, v, mean, se)


# Not yet here (issue 11, open): hiring mismatch and remote work act in the harmful direction
# but below these sizes at month 12 (docs/validation.md gives their figures).
HARMFUL = [f"anti_patterns.{k}" for k in ANTI_PATTERNS] + [
    f"risks.{k}" for k in ("executive_misalignment", "middle_management_resistance")]


@pytest.mark.parametrize("key", HARMFUL)
def test_each_anti_pattern_and_risk_harms_at_full_intensity(key):
    """At intensity 1 on the programme: churn up at least 0.3 points or true NPS down at least
    1.5, beyond twice the paired standard error."""
    mean, se = paired(runs("techops_programme", ((key, 1.0),)), runs("techops_programme"))
    churn_harm = mean[0] >= 0.3 and mean[0] > 2 * se[0]
    nps_harm = mean[1] <= -1.5 and -mean[1] > 2 * se[1]
    assert churn_harm or nps_harm, (key, mean, se)


def test_protecting_customer_research_in_a_budget_cut_matters():
    mean, se = paired(runs("short_term_pressure"), runs("short_term_pressure_protected"))
    assert (mean[0] > 2 * se[0] and mean[0] >= 0.1) or (-mean[1] > 2 * se[1]), (mean, se)


def test_ritual_participation_has_nothing_to_act_on_without_rituals():
    """The baseline offers no ritual: the lever changes nothing (the dashboard says so)."""
    mean, _ = paired(runs("baseline", (("levers.ritual_participation", 1.0),)),
                     runs("baseline", (("levers.ritual_participation", 0.0),)))
    assert np.all(mean == 0.0)


# -- worse before better (Repenning & Sterman 2001) ----------------------------------------------

def monthly(name: str, seed: int, overrides: tuple = ()) -> np.ndarray:
    """(months x [churn_annualised, nps_true]) of one run."""
    from cxsim.model import simulate

    frame = simulate(load_scenario(name, dict(overrides) or None), seed=seed)
    return frame[["churn_annualised", "nps_true"]].to_numpy()


@cache
def trajectories(name: str, overrides: tuple = ()) -> np.ndarray:
    return np.array([monthly(name, seed, overrides) for seed in SEEDS])


def worse_then_better(overrides: tuple = ()) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard error, by month, of the paired NPS advantage of a programme launched
    beside concurrent change beyond capacity (change_fatigue) over doing nothing."""
    d = trajectories("change_fatigue", overrides)[:, :, 1] - \
        trajectories("baseline", overrides)[:, :, 1]
    return d.mean(axis=0), d.std(axis=0, ddof=1) / np.sqrt(len(d))


OVERLOAD_OFF = (("load.fatigue_accumulation", 0.0), ("load.service_overload_loss", 0.0),
                ("load.fix_overload_loss", 0.0))


def test_a_programme_beside_too_much_change_is_worse_before_it_is_better():
    mean, se = worse_then_better()
    early = mean[1:7] + 2 * se[1:7]
    assert early.min() < 0, (mean, se)                    # clearly worse in some early month
    assert mean[-1] > mean[1:7].min() + 5, mean           # and recovering by month 12


def test_knockout_without_overload_there_is_no_early_dip():
    full, _ = worse_then_better()
    mean, _ = worse_then_better(OVERLOAD_OFF)
    assert mean[1:7].min() > 0.5 * full[1:7].min(), (mean, full)


# -- a 36-month horizon that holds ---------------------------------------------------------------

HORIZON = 156


def over_three_years(name: str, continued: bool = False):
    """``name`` run for 156 weeks; ``continued``: every initiative still running at week 52
    runs to the end (the programme kept up), else it ends as the scenario says."""
    from cxsim.model.scenario import Scenario

    scenario = load_scenario(name, {"simulation.weeks": HORIZON})
    if continued:
        p = scenario.parameters
        timeline = [item.model_copy(update={"duration_weeks": HORIZON - item.start_week + 1})
                    if item.start_week + item.duration_weeks >= 52 else item
                    for item in p.timeline]
        scenario = Scenario(scenario.name, scenario.description, scenario.source,
                            scenario.files, p.model_copy(update={"timeline": timeline}))
    return scenario


@cache
def long_runs(name: str, continued: bool = False) -> np.ndarray:
    from cxsim.model import simulate

    scenario = over_three_years(name, continued)
    return np.array([simulate(scenario, seed=seed)[["churn_annualised", "nps_true"]].to_numpy()
                     for seed in SEEDS])


def test_the_baseline_holds_for_three_years():
    """Without a programme churn and NPS drift less than their 12-month tolerances (2.5 points,
    6 points: experiments/calibrate.py) over 36 months."""
    mean = long_runs("baseline").mean(axis=0)
    drift = np.abs(mean[12:] - mean[0])
    assert drift[:, 0].max() < 2.5 and drift[:, 1].max() < 6.0, drift.max(axis=0)


def test_a_continued_programme_keeps_its_month_12_advantage():
    d = long_runs("techops_programme", continued=True) - long_runs("baseline")
    mean, se = d.mean(axis=0), d.std(axis=0, ddof=1) / np.sqrt(len(d))
    for month in (24, 36):
        assert mean[month, 0] <= mean[12, 0] + 2 * (se[month, 0] + se[12, 0]), (month, mean)
        assert mean[month, 1] >= mean[12, 1] - 2 * (se[month, 1] + se[12, 1]), (month, mean)


def test_a_programme_that_ends_at_week_52_decays_gradually():
    d = (long_runs("techops_programme") - long_runs("baseline")).mean(axis=0)
    nps = d[:, 1]
    assert nps[12] > nps[24] > nps[36] > 0, nps[[12, 24, 36]]    # decays, but is not gone
    assert np.abs(np.diff(nps[12:])).max() < 0.25 * nps[12], nps  # no cliff


def test_the_dashboard_says_when_a_lever_has_nothing_to_act_on():
    from cxsim.experiments.dashboard import compute

    assert "levers.ritual_participation" in compute.inert_levers("baseline")
    assert compute.inert_levers("techops_programme") == {}


def test_knockout_with_the_people_frozen_the_programme_no_longer_beats_theater():
    """Stylised fact 1's knockout twin: the programme beats CX theater through what it does to
    people (incentives, managers, safety, time); with the people held, the gap closes."""
    gap, se = paired(runs("techops_programme"), runs("cx_theater"))
    frozen, _ = paired(runs("techops_programme", freeze=True), runs("cx_theater", freeze=True))
    assert gap[0] < -2 * se[0] and gap[1] > 2 * se[1], (gap, se)
    assert abs(frozen[0]) <= abs(gap[0]) / 3 and frozen[1] <= gap[1] / 3, (frozen, gap)
