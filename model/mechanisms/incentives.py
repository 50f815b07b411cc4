"""Mechanism 3: incentives and recognition (001 §4 Pillar 2, §11; Kerr 1975; MODEL_BRIEF §3.3).

Incentive alignment A(t) (leadership.py) reinforces customer-centric behaviour, makes action on
surfaced problems likely and, through promotions and reviews, signals that the change is real, so
managers adopt it:

    O'     = O + k (A - a0) (1 - O)            (A >= a0: a programme only adds rewards)
    alpha  = clip(alpha0 + w_a A + w_e E + w_k K, 0, 1) (1 - b police) (1 - d mean(F))
    Q'     = Q + r (Q0 + (1 - Q0) s (1 - resistance) - Q),  s = clip((K + A - a0) / 2, 0, 1)
    M      = m Q (1 - F_manager)

with O orientation, a0 = ``levers.incentive_alignment``, E the decision evidence ratio, K the
commitment, alpha the propensity to act on a surfaced problem (voice.py), Q a manager's adoption and
Q0 its starting level, M the manager's modelling of customer-centric behaviour.

Reads ``incentives.orientation_pull`` (k), ``incentives.action_weight`` (w_a),
``incentives.evidence_weight`` (w_e), ``incentives.commitment_weight`` (w_k),
``voice.action_base`` (alpha0), ``voice.cx_police_bottleneck`` (b), ``voice.fatigue_drag`` (d),
``managers.adoption_rate`` (r), ``managers.modelling_weight`` (m),
``risks.middle_management_resistance``.
"""

from __future__ import annotations

import numpy as np


def orientation_pull(orientation: np.ndarray, incentive_change: float, pull: float) -> None:
    """Rewards added for customer outcomes pull orientation up toward 1."""
    if incentive_change > 0:
        orientation += pull * incentive_change * (1 - orientation)


def action_propensity(incentive: float, evidence: float, commitment: float, mean_fatigue: float,
                      model_params) -> float:
    """alpha: how likely the organisation acts on a surfaced problem this week."""
    p = model_params
    alpha = (p.voice.action_base + p.incentives.action_weight * incentive
             + p.incentives.evidence_weight * evidence
             + p.incentives.commitment_weight * commitment)
    alpha = min(max(alpha, 0.0), 1.0)
    alpha *= 1 - p.voice.cx_police_bottleneck * p.anti_patterns.cx_police
    alpha *= 1 - p.voice.fatigue_drag * mean_fatigue
    return alpha


def update_adoption(adoption: np.ndarray, anchor: np.ndarray, signal: float, resistance: float,
                    rate: float) -> None:
    """Q' = Q + r (Q0 + (1 - Q0) s (1 - resistance) - Q)."""
    target = anchor + (1 - anchor) * signal * (1 - resistance)
    adoption += rate * (target - adoption)


def manager_modelling(adoption: np.ndarray, manager_fatigue: np.ndarray,
                      weight: float) -> np.ndarray:
    """M = m Q (1 - F_manager), per team."""
    return weight * adoption * (1 - manager_fatigue)


def step(model) -> None:
    p, people, teams, policy, t = model.p, model.people, model.teams, model.policy, model.week
    org = model.org
    change = policy.incentive[t] - p.levers.incentive_alignment
    orientation_pull(people.orientation, change, p.incentives.orientation_pull)
    signal = float(np.clip(0.5 * (policy.commitment[t] + change), 0.0, 1.0))
    update_adoption(teams.adoption, teams.adoption_anchor, signal,
                    p.risks.middle_management_resistance, p.managers.adoption_rate)
    org.modelling = manager_modelling(teams.adoption, people.fatigue[teams.manager_slot],
                                      p.managers.modelling_weight)
    org.action = action_propensity(policy.incentive[t], policy.evidence[t],
                                   policy.commitment[t], org.mean_fatigue, p)
