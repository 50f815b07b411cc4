"""Mechanism 9: churn at renewal and growth by referral (001 §11; 004; Keiningham et al. 2007;
MODEL_BRIEF §3.9).

An account decides at the end of its renewal month (once a year), on its record of the
relationship: a satisfaction record R and a problem record Q, which follow satisfaction and the
severity of the open problems hitting it month by month with weight w (a record of satisfaction
buffers swings; an unresolved problem is remembered after it is fixed):

    R'       = R + w (sat - R)                                  (monthly)
    Q'       = Q + w (problems - Q)
    P(churn) = logistic(c0 + c_s (s_ref - R) + c_p Q)

Churn is a lagging indicator: culture moves first, then satisfaction and the problems met, then
the records, and renewals come round later (with w = 1 the records are this month's values).
A promoter (recommend score clip(round(10 sat + bias), 0, 10) >= 9) brings a new account with
probability ``referral_rate`` a month; sales opens ``acquisition_rate`` x the initial book a
year, evenly, whatever the culture. A new account's satisfaction comes from the initial
distribution, its records start at its values, and it renews 12 months after it joins.
Reads every ``churn.*`` parameter. A month end's records, renewals and referrals are one compiled
kernel (``month_of_renewals``), account by account; P(churn) uses the C library's exp
(``churn_chance``), so it has the same bits on every machine.
"""

from __future__ import annotations

import math

import numpy as np

from cxsim.model.compiled import kernel
from cxsim.model.mechanisms.measurement import PROMOTER, recommend
from cxsim.model.parameters import Churn


@kernel
def churn_chance(record: float, problem_record: float, intercept: float,
                 satisfaction_weight: float, reference_satisfaction: float,
                 problem_weight: float) -> float:
    """P(churn) = logistic(c0 + c_s (s_ref - R) + c_p Q) for one account (the C library's exp:
    the same bits on every machine)."""
    z = (intercept + satisfaction_weight * (reference_satisfaction - record)
         + problem_weight * problem_record)
    return 1.0 / (1.0 + math.exp(-z))


@kernel
def churn_chances(record: np.ndarray, problem_record: np.ndarray, intercept: float,
                  satisfaction_weight: float, reference_satisfaction: float,
                  problem_weight: float) -> np.ndarray:
    """``churn_chance`` account by account."""
    probability = np.empty(record.size)
    for c in range(record.size):
        probability[c] = churn_chance(record[c], problem_record[c], intercept,
                                      satisfaction_weight, reference_satisfaction,
                                      problem_weight)
    return probability


def churn_probability(record: np.ndarray, problem_record: np.ndarray,
                      params: Churn) -> np.ndarray:
    """P(churn) at renewal, from the satisfaction record R and the problem record Q."""
    record, problem_record = np.broadcast_arrays(np.asarray(record, np.float64),
                                                 np.asarray(problem_record, np.float64))
    probability = churn_chances(record.ravel(), problem_record.ravel(), params.intercept,
                                params.satisfaction_weight, params.reference_satisfaction,
                                params.problem_weight)
    return probability.reshape(record.shape)


def recommend_score(satisfaction: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """The 0-10 'would you recommend' score an account would give."""
    return np.clip(np.rint(10.0 * satisfaction + bias), 0, 10)


def update_record(record: np.ndarray, value: np.ndarray, weight: float) -> None:
    """R' = R + w (value - R), in place (the satisfaction record and the problem record)."""
    record += weight * (value - record)


@kernel
def month_of_renewals(record: np.ndarray, problem_record: np.ndarray,
                      satisfaction: np.ndarray, problem_load: np.ndarray, exists: np.ndarray,
                      churned: np.ndarray, renewal_month: np.ndarray, joined_month: np.ndarray,
                      score_bias: np.ndarray, uniforms: np.ndarray, month: int,
                      record_weight: float, intercept: float, satisfaction_weight: float,
                      reference_satisfaction: float, problem_weight: float,
                      referral_rate: float, sales: int) -> tuple[np.ndarray, np.ndarray]:
    """Account by account: R' = R + w (sat - R), Q' = Q + w (problems - Q); an active account due
    to renew (its renewal month, a year in) churns if u_0 < ``churn_chance`` of R', Q'; an
    account active at the month end that is a promoter (recommend score >= 9) refers one if
    u_1 < referral rate. Returns the slots that churned and the first referrals + ``sales`` free
    slots (fewer if there are not that many): the accounts won."""
    n = record.size
    renewal = (month - 1) % 12
    gone = np.empty(n, np.int64)
    n_gone = 0
    referrals = 0
    for c in range(n):
        record[c] += record_weight * (satisfaction[c] - record[c])
        problem_record[c] += record_weight * (problem_load[c] - problem_record[c])
    for c in range(n):
        if not exists[c] or churned[c]:
            continue
        due = renewal_month[c] == renewal and month - joined_month[c] >= 12
        if due and uniforms[0, c] < churn_chance(record[c], problem_record[c], intercept,
                                                 satisfaction_weight, reference_satisfaction,
                                                 problem_weight):
            churned[c] = True
            gone[n_gone] = c
            n_gone += 1
        promoter = recommend(satisfaction[c], score_bias[c]) >= PROMOTER
        referrals += promoter & (uniforms[1, c] < referral_rate)   # no branch: ~ a coin toss
    free = np.empty(max(0, min(referrals + sales, n)), np.int64)
    n_free = 0
    for c in range(n):
        if n_free == free.size:
            break
        if not exists[c]:
            free[n_free] = c
            n_free += 1
    return gone[:n_gone], free[:n_free]


def step(model, month: int, uniforms: np.ndarray) -> np.ndarray:
    """Renewals and new accounts at the end of ``month``. ``uniforms`` rows: churn, referral.
    Returns the slots of the accounts that churned."""
    p, customers, org = model.p, model.customers, model.org
    params = p.churn
    # Sales wins arrive at a steady rate, independent of culture; deterministic, so they do not
    # consume random numbers.
    org.acquisition_due += params.acquisition_rate * p.organisation.customers / 12.0
    sales = int(org.acquisition_due)
    org.acquisition_due -= sales
    churned, won = month_of_renewals(
        customers.record, customers.problem_record, customers.satisfaction,
        customers.problem_load, customers.exists, customers.churned, customers.renewal_month,
        customers.joined_month, customers.score_bias, uniforms, month, params.record_weight,
        params.intercept, params.satisfaction_weight, params.reference_satisfaction,
        params.problem_weight, params.referral_rate, sales)
    model.tally.churned += churned.size
    if won.size:
        model.win_customers(won, month)
    return churned
