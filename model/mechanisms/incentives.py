"""Mechanism 3: incentives, managers' adoption and the capacity to fix (001 §4 Pillar 2, §10, §11;
Kerr 1975; Repenning & Sterman 2001; MODEL_BRIEF §3.3).

Leadership acts on people, and people fix problems. Incentive alignment A(t) (leadership.py: the
lever a0 plus what the programme adds) pulls customer orientation up when it rewards customer
outcomes more than the alignment under which today's orientation formed (a_ref), and down when it
rewards them less; real commitment, changed incentives and evidence-based decisions tell managers
that the change is real, and a manager who does not resist adopts it:

    O'    = O + k (A - a_ref) (1 - O)   if A >= a_ref,   O + k (A - a_ref) O   otherwise
    s     = clip((K + (A - a_ref) + (E - e0)) / 2, 0, 1)
    Q'    = Q + r (Q0 + (1 - Q0) s [not resisting] - Q)
    M     = m Q (1 - F_manager)

Whether a surfaced problem gets fixed depends on the team that owns it (a product or back-office
team, state.py): its manager's adoption Q_g, its people's customer orientation O_g (incentives as
experienced), their fatigue F_g, the time rituals and initiatives leave (load L over capacity C)
the CX police's approvals, and an unprotected budget cut, which takes the means (people, research)
of CX work away (cut(t), leadership.py; 001 §10 Short-Term Pressure):

    capacity_g = clip(f0 + f_q Q_g + f_o O_g, 0, 1) (1 - b police) (1 - d F_g)
                 max(0, 1 - l_fix max(0, L - C)) (1 - cut(t))

(voice.py fixes each surfaced problem with weekly probability ``fix_rate`` x capacity of its
owner). No leadership series enters the capacity directly. A manager resists when the team's
fixed uniform draw is below ``risks.middle_management_resistance``: at intensity r a share r of the
managers, at random, hold their adoption where it was.

Reads ``incentives.orientation_pull`` (k), ``incentives.reference_alignment`` (a_ref),
``leadership.decision_evidence_base`` (e0), ``managers.adoption_rate`` (r),
``managers.modelling_weight`` (m), ``voice.fix_base`` (f0), ``voice.fix_adoption_weight`` (f_q),
``voice.fix_orientation_weight`` (f_o), ``voice.cx_police_bottleneck`` (b),
``voice.fatigue_drag`` (d), ``load.capacity`` (C), ``load.fix_overload_loss`` (l_fix),
``anti_patterns.cx_police``, ``risks.middle_management_resistance``.
"""

from __future__ import annotations

import numpy as np


def orientation_pull(orientation: np.ndarray, incentive_gap: float, pull: float) -> None:
    """Rewards above the reference pull orientation toward 1, below it toward 0 (in place)."""
    if incentive_gap > 0:
        orientation += pull * incentive_gap * (1 - orientation)
    elif incentive_gap < 0:
        orientation += pull * incentive_gap * orientation


def adoption_signal(commitment: float, incentive_gap: float, evidence_gap: float) -> float:
    """s: how real the change looks to a manager."""
    return min(max(0.5 * float(commitment + incentive_gap + evidence_gap), 0.0), 1.0)


def update_adoption(adoption: np.ndarray, anchor: np.ndarray, signal: float,
                    resisting: np.ndarray, rate: float) -> None:
    """Q' = Q + r (Q0 + (1 - Q0) s [not resisting] - Q), in place."""
    target = anchor + (1 - anchor) * signal * ~resisting
    adoption += rate * (target - adoption)


def manager_modelling(adoption: np.ndarray, manager_fatigue: np.ndarray,
                      weight: float) -> np.ndarray:
    """M = m Q (1 - F_manager), per team."""
    return weight * adoption * (1 - manager_fatigue)


def team_means(values: np.ndarray, team: np.ndarray, filled: np.ndarray,
               n_teams: int, count: np.ndarray | None = None) -> np.ndarray:
    """Mean of ``values`` over each team's filled posts (0 for an empty team); ``count``: each
    team's filled posts, if the caller has them (``np.bincount(team, weights=filled)``)."""
    if count is None:
        count = np.bincount(team, weights=filled, minlength=n_teams)
    total = np.bincount(team, weights=values * filled, minlength=n_teams)
    return np.divide(total, count, out=np.zeros(n_teams), where=count > 0)


def fix_capacity(adoption: np.ndarray, orientation: np.ndarray, fatigue: np.ndarray,
                 load: float, police: float, cut: float, p) -> np.ndarray:
    """capacity_g: each team's capacity to fix the surfaced problems it owns, 0-1."""
    v = p.voice
    capacity = v.fix_base + v.fix_adoption_weight * adoption
    capacity += v.fix_orientation_weight * orientation
    np.minimum(np.maximum(capacity, 0.0, out=capacity), 1.0, out=capacity)
    capacity *= (1 - v.cx_police_bottleneck * police) * (1 - v.fatigue_drag * fatigue)
    capacity *= max(0.0, 1 - p.load.fix_overload_loss * max(0.0, load - p.load.capacity))
    return capacity * (1 - cut)


def visible_action(capacity: np.ndarray, owners: np.ndarray) -> float:
    """What employees see of action on problems: the owning teams' mean capacity to fix."""
    return float(capacity[owners].sum()) / owners.size if owners.size else 0.0


def update_fix_capacity(model) -> None:
    """The teams' capacity to fix this week and the visible action (``model.org``)."""
    p, people, teams, org = model.p, model.people, model.teams, model.org
    staffed = people.filled.astype(float)     # 1 for a filled post: cast once, used thrice
    count = np.bincount(people.team, weights=staffed, minlength=teams.size)
    orientation = team_means(people.orientation, people.team, staffed, teams.size, count)
    fatigue = team_means(people.fatigue, people.team, staffed, teams.size, count)
    org.fix_capacity = fix_capacity(teams.adoption, orientation, fatigue, org.load,
                                    p.anti_patterns.cx_police,
                                    float(model.policy.budget_cut[model.week]), p)
    org.action = visible_action(org.fix_capacity, model.owner_teams)


def step(model) -> None:
    p, people, teams, policy, t = model.p, model.people, model.teams, model.policy, model.week
    org = model.org
    gap = policy.incentive[t] - p.incentives.reference_alignment
    orientation_pull(people.orientation, gap, p.incentives.orientation_pull)
    signal = adoption_signal(policy.commitment[t], gap,
                             policy.evidence[t] - p.leadership.decision_evidence_base)
    resisting = teams.resistance_draw < p.risks.middle_management_resistance
    update_adoption(teams.adoption, teams.adoption_anchor, signal, resisting,
                    p.managers.adoption_rate)
    org.modelling = manager_modelling(teams.adoption, people.fatigue[teams.manager_slot],
                                      p.managers.modelling_weight)
    update_fix_capacity(model)
