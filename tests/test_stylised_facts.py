"""The stylised facts of MODEL_BRIEF §7, as statistical assertions over paired replicates.

Each fact has a knockout twin: with the mechanism behind it switched off (its parameter at zero)
the effect must vanish, which shows the test fails when that mechanism is removed. Differences are
paired by replicate (common random numbers); "clearly" means the 95% t interval of the mean paired
difference excludes zero.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxsim.experiments.compare import compare, covered_month
from cxsim.experiments.statistics import mean_interval
from cxsim.model import load_scenario

REPLICATES = 12


def interval(diff: np.ndarray) -> tuple[float, float]:
    """The 95% t interval of a mean paired difference (the one interval function)."""
    found = mean_interval(diff)
    return found.low, found.high


def at(monthly: pd.DataFrame, scenario: str, column: str, month: int) -> np.ndarray:
    rows = monthly[(monthly["scenario"] == scenario) & (monthly["month"] == month)]
    return rows.sort_values("replicate")[column].to_numpy(float)


def run(names: list[str], overrides: dict | None = None, replicates: int = REPLICATES
        ) -> pd.DataFrame:
    scenarios = [load_scenario(name, overrides or {}) for name in names]
    return compare(scenarios, replicates=replicates, seed=100, parameters="point").monthly


# -- 1. a genuine transformation beats CX theater; theater is worse than doing nothing ---------

@pytest.fixture(scope="module")
def theater() -> pd.DataFrame:
    return run(["baseline", "techops_programme", "cx_theater"])


def test_programme_beats_theater_on_churn_and_nps(theater) -> None:
    churn = at(theater, "techops_programme", "churn_annualised", 12) - at(
        theater, "cx_theater", "churn_annualised", 12)
    nps = at(theater, "techops_programme", "nps_measured", 12) - at(
        theater, "cx_theater", "nps_measured", 12)
    assert interval(churn)[1] < 0
    assert interval(nps)[0] > 0


def test_theater_is_worse_than_nothing_on_cynicism_and_attrition(theater) -> None:
    for column in ("cynicism", "attrition_annualised"):
        diff = at(theater, "cx_theater", column, 12) - at(theater, "baseline", column, 12)
        assert interval(diff)[0] > 0, column


def test_knockout_without_say_do_gap_theater_breeds_no_cynicism(theater) -> None:
    full = at(theater, "cx_theater", "cynicism", 12) - at(theater, "baseline", "cynicism", 12)
    monthly = run(["baseline", "cx_theater"], {"say_do.cynicism_gain": 0.0})
    diff = at(monthly, "cx_theater", "cynicism", 12) - at(monthly, "baseline", "cynicism", 12)
    assert diff.mean() < 0.1 * full.mean()


# -- 2. overload lowers engagement and delays gains; sequencing recovers most ------------------

@pytest.fixture(scope="module")
def overload() -> pd.DataFrame:
    return run(["techops_programme", "change_fatigue", "sequenced_change", "baseline"])


def test_concurrent_change_lowers_engagement_and_delays_gains(overload) -> None:
    engagement = at(overload, "change_fatigue", "engagement", 6) - at(
        overload, "techops_programme", "engagement", 6)
    assert interval(engagement)[1] < 0
    gain = {name: at(overload, "baseline", "churn_annualised", 12)
            - at(overload, name, "churn_annualised", 12)
            for name in ("techops_programme", "change_fatigue", "sequenced_change")}
    assert interval(gain["change_fatigue"] - gain["techops_programme"])[1] < 0


def test_sequencing_recovers_most_of_the_gains(overload) -> None:
    base = at(overload, "baseline", "churn_annualised", 12)
    full = base - at(overload, "techops_programme", "churn_annualised", 12)
    crammed = base - at(overload, "change_fatigue", "churn_annualised", 12)
    sequenced = base - at(overload, "sequenced_change", "churn_annualised", 12)
    recovered = (sequenced.mean() - crammed.mean()) / (full.mean() - crammed.mean())
    assert recovered > 0.6, recovered


def test_knockout_without_fatigue_overload_costs_little(overload) -> None:
    full = at(overload, "change_fatigue", "engagement", 6) - at(
        overload, "techops_programme", "engagement", 6)
    monthly = run(["techops_programme", "change_fatigue"], {"load.fatigue_accumulation": 0.0})
    engagement = at(monthly, "change_fatigue", "engagement", 6) - at(
        monthly, "techops_programme", "engagement", 6)
    # What is left is the cost cutting's budget cut (a say-do gap), not overload.
    assert abs(engagement.mean()) < 0.25 * abs(full.mean())


# -- 3. more psychological safety surfaces more problems and lowers churn ----------------------

def safety_pair(overrides: dict) -> pd.DataFrame:
    low = load_scenario("techops_programme", {**overrides, "levers.psychological_safety": 0.2})
    high = load_scenario("techops_programme", {**overrides, "levers.psychological_safety": 0.7})
    low, high = low.named("low_safety"), high.named("high_safety")
    return compare([low, high], replicates=REPLICATES, seed=100, parameters="point").monthly


def silence(monthly: pd.DataFrame, scenario: str) -> np.ndarray:
    """Problem-months of silence over the year: open problems nobody had surfaced."""
    rows = monthly[(monthly["scenario"] == scenario) & (monthly["month"] > 0)]
    return rows.groupby("replicate")["problems_silent"].sum().to_numpy(float)


@pytest.fixture(scope="module")
def safety() -> pd.DataFrame:
    return safety_pair({})


def test_safety_surfaces_more_problems_and_lowers_churn(safety) -> None:
    assert interval(silence(safety, "low_safety") - silence(safety, "high_safety"))[0] > 0
    churn = at(safety, "high_safety", "churn_annualised", 12) - at(
        safety, "low_safety", "churn_annualised", 12)
    assert interval(churn)[1] < 0


def test_knockout_without_voice_safety_surfaces_nothing_more(safety) -> None:
    full = silence(safety, "low_safety") - silence(safety, "high_safety")
    # Speaking up and the manager's response blind to safety: the climate changes little.
    monthly = safety_pair({"voice.safety_weight": 0.0, "voice.learn_floor": 1.0})
    blind = silence(monthly, "low_safety") - silence(monthly, "high_safety")
    assert abs(blind.mean()) < 0.2 * full.mean()


# -- 4. culture metrics move before churn -------------------------------------------------------

LEADING = ("interaction_rate", "ritual_participation", "story_sharing_per_week")


def culture_leads(monthly: pd.DataFrame) -> dict[str, float]:
    """Months by which the culture dashboard's leading indicators (001 §5 Days 46-60: the share
    of employees meeting customers, ritual participation, stories shared) reach half their
    12-month change before churn does. docs/validation.md reports the attitudes too."""
    mean = monthly.groupby("month").mean(numeric_only=True)
    churn = covered_month(mean["churn_annualised"], 0.5)
    return {c: churn - covered_month(mean[c], 0.5) for c in LEADING}


def test_culture_metrics_lead_churn() -> None:
    leads = culture_leads(run(["techops_programme"]))
    assert all(lead >= 1.0 for lead in leads.values()), leads


def test_knockout_without_a_satisfaction_record_churn_leads_less() -> None:
    fast = culture_leads(run(["techops_programme"], {"churn.record_weight": 1.0}))
    slow = culture_leads(run(["techops_programme"]))
    assert fast["interaction_rate"] < slow["interaction_rate"], (fast, slow)


# Least lead, in months: the surveyed attitudes by half a month; orientation, the state they
# read, ahead of churn at all (it follows promotions and reviews, which come later in the year).
ATTITUDES = {"culture_score": 0.5, "psychological_safety_score": 0.5, "cynicism": 0.5,
             "orientation": 0.0}


def attitudes_lead(monthly: pd.DataFrame) -> dict[str, float]:
    """Months by which the attitudes (the cultural assessment, the safety score, cynicism,
    orientation) reach half their 12-month change before churn does."""
    mean = monthly.groupby("month").mean(numeric_only=True)
    churn = covered_month(mean["churn_annualised"], 0.5)
    return {c: churn - covered_month(mean[c], 0.5) for c in ATTITUDES}


def test_attitudes_move_before_churn() -> None:
    leads = attitudes_lead(run(["techops_programme"]))
    assert all(leads[c] > least for c, least in ATTITUDES.items()), leads


def test_knockout_without_a_satisfaction_record_the_attitudes_lead_less() -> None:
    fast = attitudes_lead(run(["techops_programme"], {"churn.record_weight": 1.0}))
    slow = attitudes_lead(run(["techops_programme"]))
    assert all(fast[c] < slow[c] for c in ATTITUDES), (fast, slow)


# -- 5. measurement without action lowers survey response --------------------------------------

def test_measurement_without_action_lowers_response() -> None:
    monthly = run(["baseline", "survey_obsession"])
    drop = at(monthly, "survey_obsession", "survey_response_rate", 12) - at(
        monthly, "survey_obsession", "survey_response_rate", 0)
    versus = at(monthly, "survey_obsession", "survey_response_rate", 12) - at(
        monthly, "baseline", "survey_response_rate", 12)
    assert interval(drop)[1] < 0
    assert interval(versus)[1] < 0


def test_knockout_without_survey_fatigue_response_holds() -> None:
    def drop(overrides: dict) -> np.ndarray:
        monthly = run(["survey_obsession"], overrides)
        return at(monthly, "survey_obsession", "survey_response_rate", 12) - at(
            monthly, "survey_obsession", "survey_response_rate", 0)

    full = drop({})
    # What is left is the unheard respondents' lost satisfaction, not fatigue.
    assert abs(drop({"measurement.survey_fatigue_gain": 0.0}).mean()) < 0.2 * abs(full.mean())
