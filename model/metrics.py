"""Monthly outputs (MODEL_BRIEF §5): the customers, the culture dashboard, the workforce, the voice
loop, the maturity level and the perception gap. Every column is described in ``COLUMNS``.

Run-rates (``churn_annualised``, ``revenue_churn_annualised``, ``attrition_annualised``) are the
expected annual rates implied by the state at the month's end (the hazard: mean renewal churn
probability; 1 - (1 - mean weekly hazard)^52), so that month 0 has them and they are smooth.
Realised churn over the trailing twelve months (``churn_realised_12m``,
``revenue_churn_realised_12m``) counts the accounts that actually left (``Ledger``); monthly
counts are in ``churned_customers``, ``leavers`` and ``churn_monthly``.

The cultural assessment and the psychological safety score are an employee survey taken with the
row (``measurement.assess_culture``), on the run's own survey stream
(``model.employee_survey_rng``), so they have sampling error; the maturity score reads the row
(``catalogue.maturity_score``).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from cxsim.model.catalogue import METRICS, maturity_score
from cxsim.model.mechanisms.churn import churn_probability, recommend_score
from cxsim.model.mechanisms.measurement import (
    HIGH_RATING,
    INTERACTION_WINDOW_WEEKS,
    assess_culture,
    draw_employee_survey,
    net_promoter_score,
    perceptions,
)
from cxsim.model.mechanisms.rituals import ONBOARDING_WEEKS
from cxsim.model.mechanisms.workforce import weekly_hazard

QUARTER_WEEKS = 13
YEAR_MONTHS = 12
STILL_ACTIVE = np.iinfo(np.int64).max   # churn month of an account that has not churned

# column -> (unit, meaning), in table order; the words live in the catalogue.
COLUMNS: dict[str, tuple[str, str]] = {m.name: (m.unit, m.meaning) for m in METRICS}


@dataclass
class Tally:
    """Counts of the month so far; reset at each month's end."""

    stories: float = 0.0
    problems_met: int = 0
    spoke_up: int = 0
    blamed: int = 0
    surfaced: int = 0
    fixed: int = 0
    leavers: int = 0
    churned: int = 0
    won: int = 0
    weeks: int = 0
    active_at_start: int = 0

    def reset(self, active_customers: int) -> None:
        self.__dict__.update(_TALLY_ZEROS)
        self.active_at_start = active_customers


# Every count at zero, of its own type (as a new Tally has them).
_TALLY_ZEROS = {f.name: type(f.default)() for f in fields(Tally)}


def annualised(weekly_rates: np.ndarray) -> float:
    """100 (1 - (1 - mean weekly rate)^52); 0 for an empty group."""
    if weekly_rates.size == 0:
        return 0.0
    return 100.0 * (1.0 - (1.0 - float(weekly_rates.sum()) / weekly_rates.size) ** 52)


@dataclass
class Ledger:
    """What the outputs remember between months: the month each customer slot churned in
    (``STILL_ACTIVE`` until it does). Accounts churn only at month ends (renewals), so marking
    the newly churned at each row dates every churn exactly."""

    churned_month: np.ndarray

    @classmethod
    def start(cls, slots: int) -> Ledger:
        return cls(np.full(slots, STILL_ACTIVE, np.int64))

    def close_month(self, churned: np.ndarray, month: int) -> None:
        """Date the accounts that churned since the last row."""
        self.churned_month[churned & (self.churned_month == STILL_ACTIVE)] = month


def realised_churn(exists: np.ndarray, joined_month: np.ndarray, renewal_month: np.ndarray,
                   churned_month: np.ndarray, value: np.ndarray,
                   month: int) -> tuple[float, float]:
    """Trailing-twelve-month realised churn, logo and revenue, %: of the accounts active at the
    end of month s = month - 12, the share (by count; by value) that churned in months s+1 ..
    month. Before month 12 the window starts at month 0 and is annualised: the share of the
    month-0 book's renewals so far (renewal months 0 .. month - 1, churn.py) that ended in churn,
    which at month 12 is the twelve-month share (each account renews once a year; in
    expectation it is the book's share lost x 12 / month, but it stays within 0-100). NaN at
    month 0 and with nobody in the denominator."""
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


# The sum over the size is what ``ndarray.mean`` computes, to the bit, without its overhead.

def mean_of(values: np.ndarray) -> float:
    """Mean of a float64 array; 0 when it is empty (an organisation with every post vacant)."""
    return float(values.sum()) / values.size if values.size else 0.0


def share(mask: np.ndarray) -> float:
    """Percent of True in a boolean array; 0 when empty."""
    return share_of(mask, mask.size)


def share_of(mask: np.ndarray, size: int) -> float:
    """Percent that the True in ``mask`` are of ``size`` (a group that holds them all); 0 when
    ``size`` is."""
    return 100.0 * (int(np.count_nonzero(mask)) / size) if size else 0.0


def monthly_row(model, month: int) -> dict[str, float]:
    """All outputs of one month, read off the model's state and the month's tally, with this
    month's employee survey (its draws from ``model.employee_survey_rng``)."""
    p, people, customers, pain, policy = (model.p, model.people, model.customers, model.pain,
                                          model.policy)
    t, tally, org = model.week, model.tally, model.org
    filled = people.filled
    # Slots of the filled posts and of the active accounts: indexing with them is cheaper than
    # with the masks, and picks the same elements in the same order.
    staff = filled.nonzero()[0]
    active = customers.active
    on_book = active.nonzero()[0]
    satisfaction = customers.satisfaction[on_book]
    scores = recommend_score(satisfaction, customers.score_bias[on_book])
    churn_p = churn_probability(customers.record[on_book], customers.problem_record[on_book],
                                p.churn)
    value = customers.value[on_book]
    hazard = weekly_hazard(people, p)
    orientation = people.orientation[staff]
    cynicism = people.cynicism[staff]
    engagement = people.engagement[staff]
    contact = filled & (people.last_interaction > t - INTERACTION_WINDOW_WEEKS)
    # tenure t - hired_week within [min(ONBOARDING_WEEKS, max(t, 1)), QUARTER_WEEKS]
    recent_hires = filled & (people.hired_week >= t - QUARTER_WEEKS) & (
        people.hired_week <= t - min(ONBOARDING_WEEKS, max(t, 1)))
    enps_scores = np.clip(np.rint(10 * (0.5 * engagement + 0.25 * (1 - cynicism)
                                        + 0.25 * orientation) + people.enps_bias[staff]), 0, 10)
    managers_view, customers_view = perceptions(model)
    weeks_in_month = max(tally.weeks, 1)
    stories_per_week = tally.stories / weeks_in_month
    wave = assess_culture(model, contact, stories_per_week,
                          draw_employee_survey(model.employee_survey_rng, people.size))
    model.ledger.close_month(customers.churned, month)
    churn_12m, revenue_churn_12m = realised_churn(
        customers.exists, customers.joined_month, customers.renewal_month,
        model.ledger.churned_month, customers.value, month)
    silent = int(np.count_nonzero(pain.status == 1))
    staff_hazard = hazard[staff]
    row: dict[str, float] = {
        "month": month,
        "week": t,
        "nps_measured": org.survey_nps,
        "nps_true": net_promoter_score(scores),
        "churn_monthly": 100.0 * tally.churned / max(tally.active_at_start, 1),
        "churn_annualised": 100.0 * mean_of(churn_p),
        "revenue_churn_annualised": (100.0 * float(churn_p @ value) / float(value.sum())
                                     if value.size else 0.0),
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
        "interaction_rate": share_of(contact, staff.size),    # contact is within staff
        "story_sharing_per_week": stories_per_week,
        "onboarding_immersion": share_of(people.immersed & recent_hires,
                                         np.count_nonzero(recent_hires)),
        "collaboration_index": 1.0 + 4.0 * org.collaboration,
        "psychological_safety_score": wave.safety_score,
        "recognition_share": 100.0 * float(policy.incentive[t]),
        "ritual_participation": share_of(org.ritual_participants & filled, staff.size),
        "postmortem_coverage": 100.0 * float(policy.intensity["blameless_postmortems"][t])
        * (1 - p.anti_patterns.blame_culture),
        "enps": net_promoter_score(enps_scores),
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
        "managers_rate_highly_customer_centric": share(managers_view >= HIGH_RATING),
        "customers_rate_highly_customer_centric": share(customers_view >= HIGH_RATING),
    }
    row["perception_gap"] = (row["managers_rate_highly_customer_centric"]
                             - row["customers_rate_highly_customer_centric"])
    row["maturity_score"] = maturity_score(row)
    row["maturity_level"] = int(row["maturity_score"])     # the floor (catalogue.maturity_level)
    return {name: row[name] for name in COLUMNS}
