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

The row is read in a few compiled passes (``workforce_tally`` over the posts, ``book_tally`` and
``churn_window`` over the accounts, ``measurement``'s ``views`` and ``culture_wave``), with the
C library's exp and sums of values as numpy's (``pairwise_sum``) or in slot order, never numpy's
SIMD exp or BLAS, so that a row has the same bits on every machine.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from cxsim.model.catalogue import METRICS, maturity_score
from cxsim.model.compiled import kernel, pairwise_sum
from cxsim.model.mechanisms.churn import churn_chance
from cxsim.model.mechanisms.measurement import (
    DETRACTOR,
    INTERACTION_WINDOW_WEEKS,
    PROMOTER,
    assess_culture,
    draw_employee_survey,
    promoter_score,
    rated_highly,
    recommend,
)
from cxsim.model.mechanisms.rituals import ONBOARDING_WEEKS
from cxsim.model.mechanisms.workforce import base_hazard, hazard, top_fatigue_weight
from cxsim.model.state import SILENT, SURFACED

QUARTER_WEEKS = 13
YEAR_MONTHS = 12
SATISFIED = 0.7         # csat: satisfaction of 4-5 on a 5-point scale
ORIENTED = 0.5          # agree_customer_outcomes: orientation at least this
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


def annualised(total: float, size: int) -> float:
    """100 (1 - (1 - mean weekly rate)^52), from the sum of a group's weekly rates and its size;
    0 for an empty group."""
    if size == 0:
        return 0.0
    return 100.0 * (1.0 - (1.0 - total / size) ** 52)


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
        """Date the accounts that churned since the last row (``date_churns``)."""
        date_churns(self.churned_month, churned, month)


@kernel
def date_churns(churned_month: np.ndarray, churned: np.ndarray, month: int) -> None:
    """Account by account: one churned and not yet dated churned in ``month``, in place."""
    for a in range(churned.size):
        if churned[a] and churned_month[a] == STILL_ACTIVE:
            churned_month[a] = month


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
    return churn_shares(*churn_window(exists, joined_month, renewal_month, churned_month, value,
                                      max(0, month - YEAR_MONTHS), month))


@kernel
def churn_shares(in_base: int, lost: int, lost_value: float,
                 base_value: float) -> tuple[float, float]:
    """``realised_churn`` from ``churn_window``'s counts: % lost, by count and by value (NaN with
    nobody in the base)."""
    if not in_base:
        return np.nan, np.nan
    return 100.0 * lost / in_base, 100.0 * lost_value / base_value


@kernel
def churn_window(exists: np.ndarray, joined_month: np.ndarray, renewal_month: np.ndarray,
                 churned_month: np.ndarray, value: np.ndarray, start: int,
                 month: int) -> tuple[int, int, float, float]:
    """``realised_churn``'s window, account by account: the base (accounts active at the end of
    ``start``; before month 12 only those renewed in months 0 .. month - 1) and those of it lost
    by ``month``. Returns (base, lost, value lost, value of the base); the values are summed
    as numpy sums them (``pairwise_sum``). (Each value is written to the next free place and
    counted only if it belongs, with ``&`` rather than branches: which accounts belong follows no
    pattern the CPU could predict.)"""
    base_values = np.empty(exists.size)
    lost_values = np.empty(exists.size)
    renewed_only = month < YEAR_MONTHS
    in_base, lost = 0, 0
    for a in range(exists.size):
        in_window = (exists[a] & (joined_month[a] <= start) & (churned_month[a] > start)
                     & ((not renewed_only) | (renewal_month[a] < month)))
        base_values[in_base] = value[a]
        lost_values[lost] = value[a]
        lost += in_window & (churned_month[a] <= month)
        in_base += in_window
    return (in_base, lost, pairwise_sum(lost_values[:lost]),
            pairwise_sum(base_values[:in_base]))


@kernel
def mean_of(total: float, size: int) -> float:
    """A group's mean from its sum and size; 0 for an empty group (every post vacant)."""
    return total / size if size else 0.0


@kernel
def percent(count: int, size: int) -> float:
    """100 count / size: the share of a group of ``size`` that ``count`` are; 0 when ``size`` is."""
    return 100.0 * (count / size) if size else 0.0


@kernel
def workforce_tally(filled: np.ndarray, orientation: np.ndarray, cynicism: np.ndarray,
                    engagement: np.ndarray, fatigue: np.ndarray, enps_bias: np.ndarray,
                    last_interaction: np.ndarray, hired_week: np.ndarray, immersed: np.ndarray,
                    ritual_participants: np.ndarray, frontline: np.ndarray,
                    top_performer: np.ndarray, contact_after: int, hired_from: int,
                    hired_to: int, h0: float, engagement_weight: float, cynicism_weight: float,
                    fatigue_weight: float, top_weight: float, engagement_mean: float,
                    cynicism_mean: float, fatigue_mean: float, contact: np.ndarray):
    """The month's workforce columns, post by post over the filled posts: the sums of
    orientation, cynicism, engagement and fatigue; who agrees on customer outcomes (O >= 0.5);
    customer contact after week ``contact_after`` (written to ``contact``, every post); recent
    hires (hired in weeks ``hired_from`` .. ``hired_to``) and those of them immersed; ritual
    participants; eNPS promoters and detractors of clip(rint(10 (E/2 + (1 - C)/4 + O/4) + bias),
    0, 10); the sums of the weekly hazard h = min(h0 exp(w_e (E0 - E) + w_c (C - C0) + w_f
    (F - F0)), 1) (``workforce.weekly_hazard``'s rule, w_f the top performers' for them; the C
    library's exp) of all, of the frontline and of the top performers. Sums of values are
    numpy's (``pairwise_sum``) over the posts in slot order.

    Returns (staff; the columns orientation, cynicism, engagement, change_fatigue,
    agree_customer_outcomes, interaction_rate, onboarding_immersion, ritual_participation and
    enps; the hazard sum; frontline staff and their hazard sum; top performers and theirs)."""
    values = np.empty((7, filled.size))     # per staff member: O, C, E, F, h; h of frontline, top
    staff, oriented, in_contact, recent, recent_immersed, participants = 0, 0, 0, 0, 0, 0
    promoters, detractors, n_frontline, n_top = 0, 0, 0, 0
    for i in range(filled.size):
        contact[i] = filled[i] & (last_interaction[i] > contact_after)
        if not filled[i]:
            continue
        o, c, e, f = orientation[i], cynicism[i], engagement[i], fatigue[i]
        values[0, staff] = o
        values[1, staff] = c
        values[2, staff] = e
        values[3, staff] = f
        oriented += o >= ORIENTED
        in_contact += contact[i]
        if hired_from <= hired_week[i] <= hired_to:
            recent += 1
            recent_immersed += immersed[i]
        participants += ritual_participants[i]
        score = min(max(np.rint(10 * (0.5 * e + 0.25 * (1 - c) + 0.25 * o) + enps_bias[i]),
                        0.0), 10.0)
        promoters += score >= PROMOTER
        detractors += score <= DETRACTOR
        h = hazard(e, c, f, top_performer[i], h0, engagement_weight, cynicism_weight,
                   fatigue_weight, top_weight, engagement_mean, cynicism_mean, fatigue_mean)
        values[4, staff] = h
        staff += 1
        values[5, n_frontline] = h          # kept if frontline (no branch: see churn_window)
        n_frontline += frontline[i]
        values[6, n_top] = h
        n_top += top_performer[i]
    return (staff, 100.0 * mean_of(pairwise_sum(values[0, :staff]), staff),
            100.0 * mean_of(pairwise_sum(values[1, :staff]), staff),
            100.0 * mean_of(pairwise_sum(values[2, :staff]), staff),
            100.0 * mean_of(pairwise_sum(values[3, :staff]), staff), percent(oriented, staff),
            percent(in_contact, staff), percent(recent_immersed, recent),
            percent(participants, staff), promoter_score(promoters, detractors, staff),
            pairwise_sum(values[4, :staff]), n_frontline, pairwise_sum(values[5, :n_frontline]),
            n_top, pairwise_sum(values[6, :n_top]))


@kernel
def book_tally(exists: np.ndarray, churned: np.ndarray, initial: np.ndarray,
               satisfaction: np.ndarray, score_bias: np.ndarray, record: np.ndarray,
               problem_record: np.ndarray, value: np.ndarray, intercept: float,
               satisfaction_weight: float, reference_satisfaction: float,
               problem_weight: float, initial_revenue: float, joined_month: np.ndarray,
               renewal_month: np.ndarray, churned_month: np.ndarray, month: int):
    """The month's customer columns, account by account over the active accounts: the sum of
    satisfaction, the satisfied (sat >= 0.7), NPS promoters and detractors of the recommend
    score, the sum of the renewal churn probability P = 1 / (1 + exp(-z)), z = b0 + w_s (R* - R)
    + w_q Q (``churn.churn_probability``'s rule, with the C library's exp), that of P x value
    (summed in turn, in slot order), the book's value and that of the initial accounts still
    active. The other sums of values are numpy's (``pairwise_sum``) in slot order. On the way
    it dates the accounts that churned since the last row in ``churned_month`` (the ledger's,
    ``Ledger.close_month``), then reads ``month``'s realised churn window (``churn_window``).

    Returns (active accounts; the columns nps_true, churn_annualised, revenue_churn_annualised,
    revenue_retained (of ``initial_revenue``), csat, satisfaction, churn_realised_12m and
    revenue_churn_realised_12m)."""
    values = np.empty((4, exists.size))     # per active account: sat, P, value; initial's value
    active, satisfied, promoters, detractors, retained = 0, 0, 0, 0, 0
    value_at_risk = 0.0
    date_churns(churned_month, churned, month)
    for a in range(exists.size):
        if not exists[a] or churned[a]:
            continue
        sat = satisfaction[a]
        values[0, active] = sat
        satisfied += sat >= SATISFIED
        score = recommend(sat, score_bias[a])
        promoters += score >= PROMOTER
        detractors += score <= DETRACTOR
        p = churn_chance(record[a], problem_record[a], intercept, satisfaction_weight,
                         reference_satisfaction, problem_weight)
        values[1, active] = p
        values[2, active] = value[a]
        value_at_risk += p * value[a]
        active += 1
        if initial[a]:
            values[3, retained] = value[a]
            retained += 1
    if month > 0:
        churn_12m, revenue_churn_12m = churn_shares(*churn_window(
            exists, joined_month, renewal_month, churned_month, value,
            max(0, month - YEAR_MONTHS), month))
    else:
        churn_12m, revenue_churn_12m = np.nan, np.nan
    book_value = pairwise_sum(values[2, :active])
    return (active, promoter_score(promoters, detractors, active),
            100.0 * mean_of(pairwise_sum(values[1, :active]), active),
            100.0 * value_at_risk / book_value if active else 0.0,
            100.0 * (pairwise_sum(values[3, :retained]) / initial_revenue),
            percent(satisfied, active), 100.0 * mean_of(pairwise_sum(values[0, :active]), active),
            churn_12m, revenue_churn_12m)


def monthly_row(model, month: int) -> dict[str, float]:
    """All outputs of one month, read off the model's state and the month's tally, with this
    month's employee survey (its draws from ``model.employee_survey_rng``)."""
    p, people, customers, pain, policy = (model.p, model.people, model.customers, model.pain,
                                          model.policy)
    t, tally, org = model.week, model.tally, model.org
    w, ini, churn = p.workforce, p.initial, p.churn
    contact = np.empty(people.size, np.bool_)
    (staff, orientation, cynicism, engagement, fatigue, agree, interaction, immersion,
     participation, enps, hazard, frontline, frontline_hazard, top, top_hazard) = workforce_tally(
        people.filled, people.orientation, people.cynicism, people.engagement, people.fatigue,
        people.enps_bias, people.last_interaction, people.hired_week, people.immersed,
        org.ritual_participants, people.frontline, people.top_performer,
        t - INTERACTION_WINDOW_WEEKS,
        # tenure t - hired_week within [min(ONBOARDING_WEEKS, max(t, 1)), QUARTER_WEEKS]
        t - QUARTER_WEEKS, t - min(ONBOARDING_WEEKS, max(t, 1)),
        base_hazard(p), w.engagement_weight, w.cynicism_weight, w.fatigue_weight,
        top_fatigue_weight(p), ini.engagement_mean, ini.cynicism_mean, ini.fatigue_mean, contact)
    (accounts, nps_true, churn_annualised, revenue_churn_annualised, revenue_retained, csat,
     satisfaction, churn_12m, revenue_churn_12m) = book_tally(
        customers.exists, customers.churned, customers.initial, customers.satisfaction,
        customers.score_bias, customers.record, customers.problem_record, customers.value,
        churn.intercept, churn.satisfaction_weight, churn.reference_satisfaction,
        churn.problem_weight, org.initial_revenue, customers.joined_month,
        customers.renewal_month, model.ledger.churned_month, month)   # dates the ledger's churns
    managers_high, customers_high = rated_highly(model)
    weeks_in_month = max(tally.weeks, 1)
    stories_per_week = tally.stories / weeks_in_month
    wave = assess_culture(model, contact, stories_per_week,
                          draw_employee_survey(model.employee_survey_rng, people.size))
    problems = np.bincount(pain.status, minlength=SURFACED + 1)
    silent = int(problems[SILENT])
    row: dict[str, float] = {
        "month": month,
        "week": t,
        "nps_measured": org.survey_nps,
        "nps_true": nps_true,
        "churn_monthly": 100.0 * tally.churned / max(tally.active_at_start, 1),
        "churn_annualised": churn_annualised,
        "revenue_churn_annualised": revenue_churn_annualised,
        "churn_realised_12m": churn_12m,
        "revenue_churn_realised_12m": revenue_churn_12m,
        "churned_customers": tally.churned,
        "customers_won": tally.won,
        "customers_active": accounts,
        "revenue_retained": revenue_retained,
        "csat": csat,
        "satisfaction": satisfaction,
        "survey_response_rate": org.survey_response_rate,
        "culture_score": wave.culture_score,
        "culture_survey_response_rate": wave.response_rate,
        "agree_customer_outcomes": agree,
        "leadership_customer_time": 100.0 * float(policy.leadership_time[t]),
        "decision_evidence_ratio": 100.0 * float(policy.evidence[t]),
        "interaction_rate": interaction,
        "story_sharing_per_week": stories_per_week,
        "onboarding_immersion": immersion,
        "collaboration_index": 1.0 + 4.0 * org.collaboration,
        "psychological_safety_score": wave.safety_score,
        "recognition_share": 100.0 * float(policy.incentive[t]),
        "ritual_participation": participation,
        "postmortem_coverage": 100.0 * float(policy.intensity["blameless_postmortems"][t])
        * (1 - p.anti_patterns.blame_culture),
        "enps": enps,
        "engagement": engagement,
        "cynicism": cynicism,
        "change_fatigue": fatigue,
        "orientation": orientation,
        "load": 100.0 * org.load,
        "say_do_gap": 100.0 * org.say_do_gap,
        "attrition_annualised": annualised(hazard, staff),
        "frontline_attrition_annualised": annualised(frontline_hazard, frontline),
        "top_performer_attrition_annualised": annualised(top_hazard, top),
        "leavers": tally.leavers,
        "headcount": staff,
        "problems_surfaced": tally.surfaced,
        "problems_fixed": tally.fixed,
        "problems_silent": silent,
        "problems_open": silent + int(problems[SURFACED]),
        "speak_up_rate": 100.0 * tally.spoke_up / tally.problems_met if tally.problems_met else 0.0,
        "blame_responses": tally.blamed,
    }
    # the rest in ``COLUMNS`` order; the maturity rubric reads none of them
    row["maturity_score"] = maturity_score(row)
    row["maturity_level"] = int(row["maturity_score"])     # the floor (catalogue.maturity_level)
    row["managers_rate_highly_customer_centric"] = managers_high
    row["customers_rate_highly_customer_centric"] = customers_high
    row["perception_gap"] = managers_high - customers_high
    return row
