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
Reads every ``churn.*`` parameter.
"""

from __future__ import annotations

import numpy as np

from cxsim.model.parameters import Churn


def churn_probability(record: np.ndarray, problem_record: np.ndarray,
                      params: Churn) -> np.ndarray:
    """P(churn) at renewal, from the satisfaction record R and the problem record Q."""
    z = (params.intercept + params.satisfaction_weight * (params.reference_satisfaction
                                                          - record)
         + params.problem_weight * problem_record)
    return 1.0 / (1.0 + np.exp(-z))


def recommend_score(satisfaction: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """The 0-10 'would you recommend' score an account would give."""
    return np.clip(np.rint(10.0 * satisfaction + bias), 0, 10)


def update_record(record: np.ndarray, value: np.ndarray, weight: float) -> None:
    """R' = R + w (value - R), in place (the satisfaction record and the problem record)."""
    record += weight * (value - record)


def step(model, month: int, uniforms: np.ndarray) -> None:
    """Renewals and new accounts at the end of ``month``. ``uniforms`` rows: churn, referral."""
    p, customers = model.p, model.customers
    update_record(customers.record, customers.satisfaction, p.churn.record_weight)
    update_record(customers.problem_record, customers.problem_load, p.churn.record_weight)
    active = customers.active
    due = (active & (customers.renewal_month == (month - 1) % 12)
           & (month - customers.joined_month >= 12))
    if np.count_nonzero(due):
        probability = churn_probability(customers.record, customers.problem_record, p.churn)
        churned = due & (uniforms[0] < probability)
        customers.churned |= churned
        model.tally.churned += int(np.count_nonzero(churned))
    promoter = active & (recommend_score(customers.satisfaction, customers.score_bias) >= 9)
    referrals = int(np.count_nonzero(promoter & (uniforms[1] < p.churn.referral_rate)))
    # Sales wins arrive at a steady rate, independent of culture; deterministic, so they do not
    # consume random numbers.
    org = model.org
    org.acquisition_due += p.churn.acquisition_rate * p.organisation.customers / 12.0
    sales = int(org.acquisition_due)
    org.acquisition_due -= sales
    won = referrals + sales
    if won:
        free = (~customers.exists).nonzero()[0][:won]
        if free.size:
            model.win_customers(free, month)
