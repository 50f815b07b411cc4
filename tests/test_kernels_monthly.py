"""The month-end row's and the measurement mechanism's kernels against the plain numpy rules they
replaced, bit for bit.

Each ``reference_*`` below is the code as it was before the kernels (issue "Throughput"), written
with numpy: the monthly row (``metrics.monthly_row``, with the hazard of ``workforce`` and the
churn probability and recommend score of ``churn`` as they were), the realised churn, the
perception gap, the cultural assessment and the customer survey. Three steps changed on purpose,
to give the same bits on every machine, and the references take them as the kernels do (each
marked CHANGED): exp is the C library's (numpy's SIMD exp differs between CPUs in the last bit),
the value-weighted churn probability is summed in slot order and the severity loads hitting each
account in pain-point order (BLAS sums in a CPU-dependent order); ``test_the_changed_steps_*``
shows that they move the outputs by rounding only. Models are put in random states (vacancies,
recent hires, churned and new accounts, open, silent and fixed problems, beliefs anywhere in 0-1)
or run for some weeks, then the row (or the survey) is taken both ways from the same state and
the same random numbers; every output, and every state array a survey changes, must come out the
same to the bit.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from cxsim.model import CXCultureModel, load_scenario, metrics
from cxsim.model.catalogue import BY_NAME, MATURITY, MATURITY_GATE, TARGETS, maturity_score
from cxsim.model.mechanisms import measurement
from cxsim.model.mechanisms.rituals import ONBOARDING_WEEKS
from cxsim.model.metrics import COLUMNS, QUARTER_WEEKS, STILL_ACTIVE, YEAR_MONTHS, realised_churn
from cxsim.model.state import FIXED, NEVER, NOT_ARRIVED, OBSOLETE, SILENT, SURFACED

# -- the numpy rules (before the kernels) -------------------------------------------------------


def c_exp(values: np.ndarray) -> np.ndarray:
    """CHANGED: exp element by element with the C library's exp (numpy's: ``np.exp``)."""
    return np.array([math.exp(x) for x in values.tolist()], dtype=float).reshape(values.shape)


def slot_order_dot(x: np.ndarray, y: np.ndarray) -> float:
    """CHANGED: sum of x y in turn, in slot order (numpy's: ``x @ y``, BLAS)."""
    total = 0.0
    for a, b in zip(x.tolist(), y.tolist(), strict=True):
        total += a * b
    return total


def pain_order_loads(hits: np.ndarray, severity: np.ndarray) -> np.ndarray:
    """CHANGED: ``hits @ severity`` in float32, summed over the pain points in turn (numpy's:
    BLAS, in a CPU-dependent order)."""
    loads = np.zeros((hits.shape[0], severity.shape[1]), np.float32)
    for k in range(hits.shape[1]):
        loads += hits[:, k:k + 1] * severity[k]
    return loads


def reference_recommend_score(satisfaction: np.ndarray, bias: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(10.0 * satisfaction + bias), 0, 10)


def reference_churn_probability(record: np.ndarray, problem_record: np.ndarray,
                                params) -> np.ndarray:
    z = (params.intercept + params.satisfaction_weight * (params.reference_satisfaction
                                                          - record)
         + params.problem_weight * problem_record)
    return 1.0 / (1.0 + c_exp(-z))


def reference_weekly_hazard(people, p) -> np.ndarray:
    w, ini = p.workforce, p.initial
    h0 = 1.0 - (1.0 - w.attrition_base) ** (1.0 / 52.0)
    top_weight = w.fatigue_weight * (1 + (w.top_performer_fatigue_multiplier - 1))
    fatigue_weight = np.where(people.top_performer, top_weight, w.fatigue_weight)
    log_h = (w.engagement_weight * (ini.engagement_mean - people.engagement)
             + w.cynicism_weight * (people.cynicism - ini.cynicism_mean)
             + fatigue_weight * (people.fatigue - ini.fatigue_mean))
    return np.minimum(h0 * c_exp(log_h), 1.0)


def reference_net_promoter_score(scores: np.ndarray) -> float:
    if scores.size == 0:
        return float("nan")
    return 100.0 * (int(np.count_nonzero(scores >= 9)) / scores.size
                    - int(np.count_nonzero(scores <= 6)) / scores.size)


def reference_survey(model, uniforms: np.ndarray) -> None:
    p, customers = model.p, model.customers
    m = p.measurement
    active = customers.active
    respond = active & (uniforms < measurement.response_probability(
        customers.satisfaction, customers.survey_fatigue, m))
    scores = reference_recommend_score(customers.satisfaction[respond],
                                       customers.score_bias[respond])
    org = model.org
    org.survey_nps = reference_net_promoter_score(scores)
    org.survey_response_rate = 100.0 * np.count_nonzero(respond) / max(
        1, int(np.count_nonzero(active)))
    customers.survey_fatigue += m.survey_fatigue_gain * (1 - customers.survey_fatigue) * active
    customers.satisfaction -= (m.unheard_penalty * (1 - org.action)
                               * customers.satisfaction * respond)


def reference_item_noise(random_bytes: np.ndarray, sigma: float) -> np.ndarray:
    k = random_bytes.shape[0] // 2
    pair = random_bytes[:k].astype(np.float32) + random_bytes[k:]
    scale = np.float32(sigma * np.sqrt(6.0) / 256)
    return pair * scale - scale * np.float32(255)


def reference_response_probability(engagement: np.ndarray, fatigue: np.ndarray,
                                   params) -> np.ndarray:
    p = params.employee_response_base * np.maximum(
        1 + params.employee_response_engagement * (engagement - 0.5), 0.0)
    p = p * (1 - params.employee_response_fatigue * fatigue)
    return np.clip(p, 0.0, 1.0)


def reference_culture_items(orientation, safety, modelling, contact, collaboration,
                            stories_per_week, evidence, incentive, commitment) -> np.ndarray:
    def through_manager(start, now, m):
        return start + (now - start) * m

    items = np.empty((10, orientation.size), np.float32)
    items[0] = orientation
    items[1] = modelling
    items[2] = collaboration
    items[3] = safety
    items[4] = through_manager(*evidence, modelling)
    items[5] = contact
    items[6] = 0.5 * orientation + 0.5 * min(1.0, stories_per_week / 3.0)
    items[7] = np.minimum(1.0, through_manager(*incentive, modelling) / 0.5)
    items[8] = through_manager(*commitment, modelling)
    np.divide(items[:9].sum(axis=0), 9, out=items[9])
    return items


def reference_likert(latent: np.ndarray, noise: np.ndarray) -> np.ndarray:
    latent += noise
    return np.clip(np.rint(latent, out=latent), 1.0, 5.0, out=latent)


def reference_employee_survey(items, cynicism, safety, noise, params) -> tuple[float, float]:
    if cynicism.size == 0:
        return float("nan"), float("nan")
    floor = params.rating_floor
    tinted = ((5.0 - floor) * (1 - params.cynicism_tint * cynicism)).astype(np.float32)
    latent = items * tinted
    latent += np.float32(floor)
    answers = reference_likert(latent, noise[:10])
    culture = float(answers.sum(dtype=np.float64)) / answers.size
    safety_latent = (1.0 + 4.0 * safety).astype(np.float32)
    safety_answers = reference_likert(safety_latent, noise[10])
    return culture, float(safety_answers.sum(dtype=np.float64)) / safety_answers.size


def reference_assess_culture(model, contact, stories_per_week, draws):
    people, org, policy, t = model.people, model.org, model.policy, model.week
    m = model.p.measurement
    uniforms, random_bytes = draws
    invited = people.filled & (uniforms < m.culture_survey_share)
    answers = uniforms < m.culture_survey_share * reference_response_probability(
        people.engagement, people.fatigue, m)
    who = (invited & answers).nonzero()[0]
    items = reference_culture_items(
        people.orientation[who], people.safety[who], org.modelling[people.team[who]],
        contact[who], org.collaboration, stories_per_week,
        (float(policy.evidence[0]), float(policy.evidence[t])),
        (float(policy.incentive[0]), float(policy.incentive[t])),
        (float(policy.commitment[0]), float(policy.commitment[t])))
    culture, safety = reference_employee_survey(
        items, people.cynicism[who], people.safety[who],
        reference_item_noise(random_bytes[:, who], m.item_noise), m)
    asked = int(np.count_nonzero(invited))
    return measurement.EmployeeSurvey(culture, safety, 100.0 * who.size / asked if asked else 0.0,
                                      int(who.size))


def reference_team_news(account_team, satisfaction, bad_news, n_teams):
    counts = np.bincount(account_team, minlength=n_teams)
    if counts.sum() == 0:
        return np.zeros(n_teams), np.ones(n_teams)
    own = counts > 0
    per = np.maximum(counts, 1)
    sat = np.where(own, np.bincount(account_team, satisfaction, n_teams) / per,
                   float(satisfaction.sum()) / satisfaction.size)
    bad = np.where(own, np.bincount(account_team, bad_news, n_teams) / per,
                   np.count_nonzero(bad_news) / bad_news.size)
    return sat, 1.0 - bad


def reference_perceptions(model) -> tuple[np.ndarray, np.ndarray]:
    people, teams, customers, pain = model.people, model.teams, model.customers, model.pain
    severity = np.zeros((pain.status.size, 2), np.float32)
    severity[:, 0] = pain.severity * (pain.status == SURFACED)
    severity[:, 1] = severity[:, 0] + pain.severity * (pain.status == SILENT)
    active = customers.active.nonzero()[0]
    loads = pain_order_loads(customers.hits, severity)[active]
    satisfaction = customers.satisfaction[active]
    surfaced = loads[:, 0].astype(float)
    open_load = loads[:, 1].astype(float)
    heard = np.divide(surfaced, open_load, out=np.ones_like(satisfaction), where=open_load > 0)
    customers_view = satisfaction * np.minimum(heard, 1.0, out=heard)
    news, quiet = reference_team_news(customers.account_team[active], satisfaction,
                                      surfaced > 0, teams.size)
    managers = (people.filled & people.is_manager).nonzero()[0]
    team = people.team[managers]
    rhetoric = float(model.policy.rhetoric[model.week])
    managers_view = (teams.adoption[team] + rhetoric + news[team] + quiet[team]) / 4.0
    return managers_view, customers_view


def reference_realised_churn(exists, joined_month, renewal_month, churned_month, value,
                             month) -> tuple[float, float]:
    if month <= 0:
        return float("nan"), float("nan")
    start = max(0, month - YEAR_MONTHS)
    base = exists & (joined_month <= start) & (churned_month > start)
    if month < YEAR_MONTHS:
        base &= renewal_month < month
    in_base = np.count_nonzero(base)
    if not in_base:
        return float("nan"), float("nan")
    lost = base & (churned_month <= month)
    logo = 100.0 * np.count_nonzero(lost) / in_base
    return logo, 100.0 * float(value[lost].sum()) / float(value[base].sum())


def mean_of(values: np.ndarray) -> float:
    return float(values.sum()) / values.size if values.size else 0.0


def share(mask: np.ndarray) -> float:
    return share_of(mask, mask.size)


def share_of(mask: np.ndarray, size: int) -> float:
    return 100.0 * (int(np.count_nonzero(mask)) / size) if size else 0.0


def annualised(weekly_rates: np.ndarray) -> float:
    if weekly_rates.size == 0:
        return 0.0
    return 100.0 * (1.0 - (1.0 - float(weekly_rates.sum()) / weekly_rates.size) ** 52)


def reference_maturity_score(row: dict[str, float]) -> float:
    score, gate = 1.0, 1.0
    for rung in MATURITY[1:]:
        climbed = min(rung.progress(row), gate)
        score += climbed
        gate = min(1.0, max(0.0, (climbed - MATURITY_GATE) / (1.0 - MATURITY_GATE)))
        if gate == 0.0:
            break
    return score


def reference_monthly_row(model, month: int) -> dict[str, float]:
    p, people, customers, pain, policy = (model.p, model.people, model.customers, model.pain,
                                          model.policy)
    t, tally, org = model.week, model.tally, model.org
    filled = people.filled
    staff = filled.nonzero()[0]
    active = customers.active
    on_book = active.nonzero()[0]
    satisfaction = customers.satisfaction[on_book]
    scores = reference_recommend_score(satisfaction, customers.score_bias[on_book])
    churn_p = reference_churn_probability(customers.record[on_book],
                                          customers.problem_record[on_book], p.churn)
    value = customers.value[on_book]
    hazard = reference_weekly_hazard(people, p)
    orientation = people.orientation[staff]
    cynicism = people.cynicism[staff]
    engagement = people.engagement[staff]
    contact = filled & (people.last_interaction > t - measurement.INTERACTION_WINDOW_WEEKS)
    recent_hires = filled & (people.hired_week >= t - QUARTER_WEEKS) & (
        people.hired_week <= t - min(ONBOARDING_WEEKS, max(t, 1)))
    enps_scores = np.clip(np.rint(10 * (0.5 * engagement + 0.25 * (1 - cynicism)
                                        + 0.25 * orientation) + people.enps_bias[staff]), 0, 10)
    managers_view, customers_view = reference_perceptions(model)
    weeks_in_month = max(tally.weeks, 1)
    stories_per_week = tally.stories / weeks_in_month
    wave = reference_assess_culture(model, contact, stories_per_week,
                                    measurement.draw_employee_survey(model.employee_survey_rng,
                                                                     people.size))
    ledger = model.ledger.churned_month
    ledger[customers.churned & (ledger == STILL_ACTIVE)] = month
    churn_12m, revenue_churn_12m = reference_realised_churn(
        customers.exists, customers.joined_month, customers.renewal_month,
        model.ledger.churned_month, customers.value, month)
    silent = int(np.count_nonzero(pain.status == 1))
    staff_hazard = hazard[staff]
    row: dict[str, float] = {
        "month": month,
        "week": t,
        "nps_measured": org.survey_nps,
        "nps_true": reference_net_promoter_score(scores),
        "churn_monthly": 100.0 * tally.churned / max(tally.active_at_start, 1),
        "churn_annualised": 100.0 * mean_of(churn_p),
        "revenue_churn_annualised": (100.0 * slot_order_dot(churn_p, value)
                                     / float(value.sum()) if value.size else 0.0),
        "churn_realised_12m": churn_12m,
        "revenue_churn_realised_12m": revenue_churn_12m,
        "churned_customers": tally.churned,
        "customers_won": tally.won,
        "customers_active": on_book.size,
        "revenue_retained": 100.0 * (float(customers.value[active & customers.initial].sum())
                                     / org.initial_revenue),
        "csat": share(satisfaction >= 0.7),
        "satisfaction": 100.0 * mean_of(satisfaction),
        "survey_response_rate": org.survey_response_rate,
        "culture_score": wave.culture_score,
        "culture_survey_response_rate": wave.response_rate,
        "agree_customer_outcomes": share(orientation >= 0.5),
        "leadership_customer_time": 100.0 * float(policy.leadership_time[t]),
        "decision_evidence_ratio": 100.0 * float(policy.evidence[t]),
        "interaction_rate": share_of(contact, staff.size),
        "story_sharing_per_week": stories_per_week,
        "onboarding_immersion": share_of(people.immersed & recent_hires,
                                         np.count_nonzero(recent_hires)),
        "collaboration_index": 1.0 + 4.0 * org.collaboration,
        "psychological_safety_score": wave.safety_score,
        "recognition_share": 100.0 * float(policy.incentive[t]),
        "ritual_participation": share_of(org.ritual_participants & filled, staff.size),
        "postmortem_coverage": 100.0 * float(policy.intensity["blameless_postmortems"][t])
        * (1 - p.anti_patterns.blame_culture),
        "enps": reference_net_promoter_score(enps_scores),
        "engagement": 100.0 * mean_of(engagement),
        "cynicism": 100.0 * mean_of(cynicism),
        "change_fatigue": 100.0 * mean_of(people.fatigue[staff]),
        "orientation": 100.0 * mean_of(orientation),
        "load": 100.0 * org.load,
        "say_do_gap": 100.0 * org.say_do_gap,
        "attrition_annualised": annualised(staff_hazard),
        "frontline_attrition_annualised": annualised(staff_hazard[people.frontline[staff]]),
        "top_performer_attrition_annualised": annualised(
            staff_hazard[people.top_performer[staff]]),
        "leavers": tally.leavers,
        "headcount": staff.size,
        "problems_surfaced": tally.surfaced,
        "problems_fixed": tally.fixed,
        "problems_silent": silent,
        "problems_open": silent + int(np.count_nonzero(pain.status == 2)),
        "speak_up_rate": 100.0 * tally.spoke_up / tally.problems_met if tally.problems_met else 0.0,
        "blame_responses": tally.blamed,
        "managers_rate_highly_customer_centric": share(managers_view >= 0.8),
        "customers_rate_highly_customer_centric": share(customers_view >= 0.8),
    }
    row["perception_gap"] = (row["managers_rate_highly_customer_centric"]
                             - row["customers_rate_highly_customer_centric"])
    row["maturity_score"] = reference_maturity_score(row)
    row["maturity_level"] = int(row["maturity_score"])
    return {name: row[name] for name in COLUMNS}


# -- model states --------------------------------------------------------------------------------

def model_for(seed: int, scenario: str, employees: int = 60, customers: int = 40,
              **overrides: Any) -> CXCultureModel:
    dotted = {key.replace("__", "."): value for key, value in overrides.items()}
    p = load_scenario(scenario, overrides={"organisation.employees": employees,
                                           "organisation.customers": customers,
                                           **dotted}).parameters
    return CXCultureModel(p, seed=seed, agents=False)


def shuffle(model: CXCultureModel, seed: int, vacant: float = 0.1,
            churned: float = 0.2) -> CXCultureModel:
    """Put ``model`` in a random state (the same for the same seed): beliefs anywhere in 0-1,
    a share of the posts vacant, recent hires, contact, ritual participants; churned and new
    accounts, satisfaction and records anywhere, problems open, silent, fixed or not yet
    arrived, hits anywhere; a tally."""
    rng = np.random.default_rng(seed)
    people, customers, pain, org = model.people, model.customers, model.pain, model.org
    n, slots, k = people.size, customers.exists.size, pain.status.size
    model.week = int(rng.integers(0, 53))
    for name in ("orientation", "engagement", "safety", "cynicism", "fatigue"):
        getattr(people, name)[:] = rng.random(n)
    people.enps_bias[:] = rng.normal(0.0, 1.5, n)
    people.filled[:] = rng.random(n) >= vacant
    people.hired_week[:] = rng.integers(model.week - 20, model.week + 1, n)
    people.immersed[:] = rng.random(n) < 0.5
    people.top_performer[:] = rng.random(n) < 0.2
    people.last_interaction[:] = np.where(rng.random(n) < 0.6,
                                          rng.integers(model.week - 20, model.week + 1, n), NEVER)
    org.ritual_participants[:] = rng.random(n) < 0.4
    org.modelling[:] = rng.random(org.modelling.size)
    org.collaboration = float(rng.random())
    model.teams.adoption[:] = rng.random(model.teams.size)
    customers.exists[:] = rng.random(slots) < 0.9
    customers.churned[:] = customers.exists & (rng.random(slots) < churned)
    customers.initial[:] = customers.exists & (rng.random(slots) < 0.8)
    customers.joined_month[:] = np.where(customers.initial, NEVER, rng.integers(0, 13, slots))
    customers.renewal_month[:] = rng.integers(0, 12, slots)
    for name in ("satisfaction", "record"):
        getattr(customers, name)[:] = rng.random(slots)
    customers.problem_record[:] = rng.random(slots) * 3
    customers.score_bias[:] = rng.normal(0.0, 1.5, slots)
    customers.value[:] = rng.lognormal(3.0, 1.0, slots)
    customers.hits[:] = (rng.random(customers.hits.shape) < 0.2).astype(np.float32)
    pain.status[:] = rng.choice([NOT_ARRIVED, SILENT, SURFACED, FIXED, OBSOLETE], k)
    pain.severity[:] = rng.random(k)
    model.ledger.churned_month[:] = np.where(customers.churned & (rng.random(slots) < 0.7),
                                             rng.integers(0, 13, slots), STILL_ACTIVE)
    tally = model.tally
    tally.weeks, tally.stories = int(rng.integers(0, 6)), float(rng.random() * 10)
    tally.churned, tally.active_at_start = int(rng.integers(0, 5)), int(rng.integers(0, 40))
    tally.problems_met, tally.spoke_up = int(rng.integers(0, 30)), int(rng.integers(0, 10))
    return model


def same(a: dict[str, float], b: dict[str, float]) -> None:
    assert list(a) == list(b)
    for name in a:
        x, y = a[name], b[name]
        assert type(x) is type(y) or {type(x), type(y)} <= {int, float, np.float64}, name
        assert (x == y) or (x != x and y != y), f"{name}: {x!r} != {y!r}"


def both_rows(model: CXCultureModel, month: int) -> tuple[dict, dict]:
    """The row by the reference and by ``metrics.monthly_row`` from the same state and the same
    survey stream."""
    survey_state = model.employee_survey_rng.bit_generator.state
    ledger = model.ledger.churned_month.copy()
    reference = reference_monthly_row(model, month)
    after = model.ledger.churned_month.copy()
    model.employee_survey_rng.bit_generator.state = survey_state
    model.ledger.churned_month[:] = ledger
    row = metrics.monthly_row(model, month)
    assert np.array_equal(model.ledger.churned_month, after)
    return reference, row


CASES = [
    (0, "techops_programme", {}),
    (1, "baseline", {}),
    (2, "cx_theater", {"anti_patterns__survey_obsession": 0.8}),
    (3, "techops_programme", {"anti_patterns__change_fatigue": 1.0,
                              "workforce__attrition_base": 0.9}),
]


@pytest.mark.parametrize("seed, scenario, overrides", CASES)
def test_monthly_row_matches_the_numpy_rules_on_random_states(seed, scenario, overrides):
    model = model_for(seed, scenario, **overrides)
    for draw in range(12):
        shuffle(model, 10 * seed + draw, vacant=(0.0, 0.1, 0.5)[draw % 3])
        reference, row = both_rows(model, month=draw * 3 % 25)
        same(reference, row)


@pytest.mark.parametrize("seed, scenario, overrides", CASES)
def test_monthly_row_matches_the_numpy_rules_on_model_states(seed, scenario, overrides):
    model = model_for(seed, scenario, employees=200, customers=120, **overrides)
    month = 0
    while model.week < 52:
        model.step()
        if model.week % 4 == 0:
            month += 1
            same(*both_rows(model, month))


def test_monthly_row_of_an_empty_organisation():
    """Every post vacant, every account gone, no manager: the empty-group values."""
    model = shuffle(model_for(5, "techops_programme"), 5, vacant=1.0, churned=1.0)
    reference, row = both_rows(model, month=4)
    same(reference, row)
    assert row["headcount"] == 0 and row["customers_active"] == 0


@pytest.mark.parametrize("share", [0.7, 0.34])
def test_the_invitation_compares_in_float32(share):
    """u < s is decided in float32 (the uniform's type), u < s P in float64, as numpy did: at
    s = 0.7, float32(s) < s, so a uniform of float32(s) is not invited though it is below s."""
    model = shuffle(model_for(6, "techops_programme",
                              measurement__culture_survey_share=share), 6, vacant=0.0)
    model.people.engagement[:] = 1.0            # P(respond) high: the invited mostly answer
    model.people.fatigue[:] = 0.0
    n = model.people.size
    rng = np.random.default_rng(6)
    edge = np.float32(share)
    assert float(edge) != share
    for _ in range(5):
        uniforms, random_bytes = measurement.draw_employee_survey(rng, n)
        uniforms[: n // 3] = edge
        uniforms[n // 3: 2 * n // 3] = np.nextafter(edge, np.float32(0))
        contact = rng.random(n) < 0.5
        draws = (uniforms, random_bytes)
        expected = reference_assess_culture(model, contact, 1.7, draws)
        assert measurement.assess_culture(model, contact, 1.7, draws) == expected


@pytest.mark.parametrize("seed", range(6))
def test_assess_culture_matches_the_numpy_rule(seed):
    model = shuffle(model_for(seed, "techops_programme",
                              measurement__item_noise=(0.0, 0.6, 2.0)[seed % 3],
                              measurement__culture_survey_share=(0.3, 0.9)[seed % 2]), seed)
    rng = np.random.default_rng(seed)
    for stories in (0.0, 1.2, 4.0):
        draws = measurement.draw_employee_survey(rng, model.people.size)
        contact = rng.random(model.people.size) < 0.5
        expected = reference_assess_culture(model, contact, stories, draws)
        got = measurement.assess_culture(model, contact, stories, draws)
        assert got.respondents == expected.respondents
        assert got.response_rate == expected.response_rate
        for x, y in ((got.culture_score, expected.culture_score),
                     (got.safety_score, expected.safety_score)):
            assert x == y or (math.isnan(x) and math.isnan(y))


@pytest.mark.parametrize("seed", range(6))
def test_perceptions_match_the_numpy_rule(seed):
    model = shuffle(model_for(seed, ("techops_programme", "baseline")[seed % 2]), seed,
                    churned=(0.2, 0.9, 1.0)[seed % 3])
    managers, customers = measurement.perceptions(model)
    expected_managers, expected_customers = reference_perceptions(model)
    assert np.array_equal(managers, expected_managers)
    assert np.array_equal(customers, expected_customers)
    assert measurement.rated_highly(model) == (share(expected_managers >= 0.8),
                                               share(expected_customers >= 0.8))


@pytest.mark.parametrize("seed", range(8))
def test_realised_churn_matches_the_numpy_rule(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(0, 300))
    exists = rng.random(n) < 0.9
    joined = np.where(rng.random(n) < 0.6, NEVER, rng.integers(0, 30, n))
    renewal = rng.integers(0, 12, n)
    churned_month = np.where(rng.random(n) < 0.3, rng.integers(0, 30, n), STILL_ACTIVE)
    value = rng.lognormal(3.0, 1.0, n)
    for month in range(0, 30):
        got = realised_churn(exists, joined, renewal, churned_month, value, month)
        expected = reference_realised_churn(exists, joined, renewal, churned_month, value, month)
        for x, y in zip(got, expected, strict=True):
            assert x == y or (math.isnan(x) and math.isnan(y))


def survey_state(model: CXCultureModel) -> tuple:
    c, org = model.customers, model.org
    return (c.satisfaction.copy(), c.survey_fatigue.copy(), org.survey_nps,
            org.survey_response_rate)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_survey_matches_the_numpy_rule(seed, dtype):
    kernel, reference = (shuffle(model_for(seed, "techops_programme"), seed,
                                 churned=(0.2, 1.0)[seed == 5]) for _ in range(2))
    rng = np.random.default_rng(seed)
    slots = kernel.customers.exists.size
    for model in (kernel, reference):
        model.customers.survey_fatigue[:] = np.random.default_rng(seed).random(slots)
        model.org.action = 0.3
    for _ in range(4):
        uniforms = rng.random(slots).astype(dtype)
        uniforms[:3] = (0.0, 1.0, 0.5)
        reference_survey(reference, uniforms)
        measurement.survey(kernel, uniforms)
        for x, y in zip(survey_state(kernel), survey_state(reference), strict=True):
            assert np.array_equal(x, y, equal_nan=True)


def test_measurement_step_in_survey_weeks_matches():
    """The weekly step as a whole (fatigue recovery, surveys, the pulse under obsession)."""
    kernel, reference = (model_for(2, "cx_theater", anti_patterns__survey_obsession=0.8)
                         for _ in range(2))
    rng = np.random.default_rng(2)
    slots = kernel.customers.exists.size
    m = reference.p.measurement
    for week in range(1, 30):
        kernel.week = reference.week = week
        uniforms = rng.random(slots, dtype=np.float32)
        measurement.step(kernel, uniforms)
        reference.customers.survey_fatigue *= 1 - m.survey_fatigue_recovery
        if reference.policy.survey_weeks[week]:
            reference_survey(reference, uniforms)
            measurement.employee_pulse(reference.people.cynicism, reference.people.filled,
                                       reference.p.anti_patterns.survey_obsession,
                                       reference.org.action, m)
        for x, y in zip(survey_state(kernel), survey_state(reference), strict=True):
            assert np.array_equal(x, y, equal_nan=True)
        assert np.array_equal(kernel.people.cynicism, reference.people.cynicism)


@pytest.mark.parametrize("n", [0, 1, 7, 64, 333])
def test_culture_items_and_answers_match_the_numpy_rules(n):
    """The items, in float32 (the overall item a float32 sum), and the answers to them."""
    rng = np.random.default_rng(n)
    m = load_scenario("techops_programme").parameters.measurement
    for _ in range(20):
        orientation, safety, modelling = rng.random(n), rng.random(n), rng.random(n)
        contact = rng.random(n) < 0.5
        policies = [tuple(rng.random(2)) for _ in range(3)]
        args = (orientation, safety, modelling, contact, float(rng.random()),
                float(rng.random() * 5), *policies)
        items = measurement.culture_items(*args)
        expected = reference_culture_items(*args)
        assert items.dtype == expected.dtype and np.array_equal(items, expected)
        random_bytes = rng.integers(0, 256, (2 * measurement.NOISE_ROWS, n), dtype=np.uint8)
        sigma = float(rng.random() * 2)
        noise = measurement.item_noise(random_bytes, sigma)
        assert np.array_equal(noise, reference_item_noise(random_bytes, sigma))
        scale = measurement.noise_scale(sigma)
        pairs = [measurement.byte_noise(random_bytes[k, i],
                                        random_bytes[measurement.NOISE_ROWS + k, i], scale,
                                        scale * np.float32(255))
                 for k in range(measurement.NOISE_ROWS) for i in range(n)]
        assert np.array_equal(np.array(pairs, np.float32), noise.ravel())
        cynicism = rng.random(n)
        got = measurement.employee_survey(items, cynicism, safety, noise, m)
        want = reference_employee_survey(expected, cynicism, safety, noise, m)
        for x, y in zip(got, want, strict=True):
            assert x == y or (math.isnan(x) and math.isnan(y))


def test_answers_at_the_rounding_edges_match_the_numpy_rule():
    """Latent values at x.5 in float32 round half to even, as numpy's rint does."""
    m = load_scenario("techops_programme").parameters.measurement
    n = 200
    rng = np.random.default_rng(0)
    items = np.tile(np.linspace(0.0, 1.0, n, dtype=np.float32), (10, 1))
    cynicism = np.zeros(n)
    safety = rng.integers(0, 9, n) / 8.0 + 0.125 / 4      # 1 + 4 S on x.5 and x.0
    noise = np.tile(np.float32(0.5) * rng.integers(-2, 3, n).astype(np.float32), (11, 1))
    got = measurement.employee_survey(items, cynicism, safety, noise, m)
    assert got == reference_employee_survey(items, cynicism, safety, noise, m)


@pytest.mark.parametrize("seed", range(4))
def test_the_changed_steps_move_the_outputs_by_rounding_only(seed):
    """numpy's exp and BLAS against the C library's exp and sums in turn: the same to the last
    bits (exp, the value-weighted churn) or to float32 rounding (the severity loads)."""
    model = shuffle(model_for(seed, "techops_programme", employees=400, customers=300), seed)
    rng = np.random.default_rng(seed)
    x = rng.normal(0.0, 3.0, 1000)
    assert np.allclose(c_exp(x), np.exp(x), rtol=1e-15, atol=0)
    p, v = rng.random(400), rng.lognormal(3.0, 1.0, 400)
    assert slot_order_dot(p, v) == pytest.approx(float(p @ v), rel=1e-13)
    severity = rng.random((model.pain.status.size, 2)).astype(np.float32)
    blas = model.customers.hits @ severity
    assert np.allclose(pain_order_loads(model.customers.hits, severity), blas, rtol=1e-5,
                       atol=0)


def test_monthly_rows_are_the_same_without_the_cpus_vector_units(tmp_path):
    """The rows of random states, computed in a process kept from the CPU features numpy
    dispatches at run time (its SIMD exp), with OpenBLAS on its oldest kernels and numba
    compiling for a generic x86-64 CPU, are those of this process."""
    from numpy._core import _multiarray_umath as umath
    present = [f for f in umath.__cpu_dispatch__ if umath.__cpu_features__.get(f)]
    env = dict(os.environ, NPY_DISABLE_CPU_FEATURES=" ".join(present),
               OPENBLAS_CORETYPE="Nehalem", NUMBA_CPU_NAME="generic",
               NUMBA_CACHE_DIR=str(tmp_path / "numba"))
    code = ("import json, sys; sys.path.insert(0, sys.argv[1]); "
            "from test_kernels_monthly import portable_rows; print(json.dumps(portable_rows()))")
    done = subprocess.run([sys.executable, "-c", code, str(Path(__file__).parent)], env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.splitlines()[-1]) == portable_rows(), (
        f"disabled {present}: the monthly row depends on the CPU")


def portable_rows() -> list[str]:
    """The monthly rows of some random states, as the hex of each float (exact)."""
    out = []
    for seed in range(3):
        model = shuffle(model_for(seed, "techops_programme", employees=300, customers=200), seed)
        row = metrics.monthly_row(model, 5)
        out.append(" ".join(float(v).hex() for v in row.values()))
    return out


def test_maturity_score_matches_the_rubric():
    """The written-out score against ``Level.progress``, on rows anywhere on (and beyond) the
    columns' scales, with NaN surveys, at the rungs' thresholds and at the targets."""
    rng = np.random.default_rng(0)
    names = sorted({name for rung in MATURITY for name, _ in rung.minimums} | set(TARGETS))
    edges = {name: [low for rung in MATURITY for n, low in rung.minimums if n == name]
             + ([TARGETS[name], 0.8 * TARGETS[name]] if name in TARGETS else [])
             for name in names}
    for _ in range(20000):
        row = {}
        for name in names:
            low, high = BY_NAME[name].bounds or (0.0, 6.0)
            u = rng.random()
            if u < 0.05:
                value = float("nan")
            elif u < 0.3:
                value = float(rng.choice(edges[name])) if edges[name] else low
            else:
                value = float(low + (high - low) * rng.uniform(-0.1, 1.1))
            row[name] = value
        assert maturity_score(row) == reference_maturity_score(row)


@pytest.mark.parametrize("seed", range(6))
def test_severity_loads_are_float32_sums_in_pain_point_order(seed):
    """Any number of accounts, any pain statuses."""
    model = shuffle(model_for(seed, "techops_programme"), seed)
    c, pain = model.customers, model.pain
    severity = np.zeros((pain.status.size, 2), np.float32)
    severity[:, 0] = pain.severity * (pain.status == SURFACED)
    severity[:, 1] = severity[:, 0] + pain.severity * (pain.status == SILENT)
    expected = pain_order_loads(c.hits, severity)
    rng = np.random.default_rng(seed)
    for n in (0, 1, 3, 4, 5, 8, 11, c.exists.size):
        accounts = np.sort(rng.choice(c.exists.size, n, replace=False))
        surfaced, opened = measurement.severity_loads(pain.status, pain.severity, c.hits,
                                                      accounts)
        assert np.array_equal(surfaced, expected[accounts, 0])
        assert np.array_equal(opened, expected[accounts, 1])


def test_close_month_matches_the_numpy_rule():
    rng = np.random.default_rng(3)
    ledger = metrics.Ledger.start(500)
    expected = ledger.churned_month.copy()
    for month in range(1, 20):
        churned = rng.random(500) < month / 20
        expected[churned & (expected == STILL_ACTIVE)] = month
        ledger.close_month(churned, month)
        assert np.array_equal(ledger.churned_month, expected)
