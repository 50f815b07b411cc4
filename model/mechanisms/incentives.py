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

The weekly step is one compiled kernel (``incentives_week``): the pull post by post, adoption and
modelling team by team, the teams' means over their filled posts, their capacity and the visible
action. The array functions above it are the same rules vectorised (initialisation and tests).
"""

from __future__ import annotations

import numpy as np

from cxsim.model.compiled import kernel, pairwise_sum


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


@kernel
def incentives_week(orientation: np.ndarray, fatigue: np.ndarray, team: np.ndarray,
                    filled: np.ndarray, adoption: np.ndarray, adoption_anchor: np.ndarray,
                    resistance_draw: np.ndarray, manager_slot: np.ndarray, owners: np.ndarray,
                    modelling: np.ndarray, capacity: np.ndarray, gap: float, pull: float,
                    signal: float, resistance: float, adoption_rate: float,
                    modelling_weight: float, fix_base: float, fix_adoption: float,
                    fix_orientation: float, police_factor: float, fatigue_drag: float,
                    overload_factor: float, cut_factor: float) -> float:
    """The week's incentives, in place: orientation pulled by the gap A - a_ref; each team's
    adoption Q, modelling M (into ``modelling``) and capacity to fix (into ``capacity``, from its
    filled posts' mean orientation and fatigue); returns the visible action, the owning teams'
    mean capacity. ``police_factor`` = 1 - b police, ``overload_factor`` = max(0, 1 - l_fix
    max(0, L - C)), ``cut_factor`` = 1 - cut(t)."""
    step = pull * gap
    n_teams = adoption.size
    count = np.zeros(n_teams)           # filled posts per team, summed in slot order (bincount)
    orientation_total = np.zeros(n_teams)
    fatigue_total = np.zeros(n_teams)
    for i in range(orientation.size):
        if gap > 0:                     # rewards above the reference pull toward 1
            orientation[i] += step * (1 - orientation[i])
        elif gap < 0:                   # below it, toward 0
            orientation[i] += step * orientation[i]
        if filled[i]:                   # a vacant post adds 0 to every sum: left out
            g = team[i]
            count[g] += 1.0
            orientation_total[g] += orientation[i]
            fatigue_total[g] += fatigue[i]
    for g in range(n_teams):
        anchor = adoption_anchor[g]
        # a resisting manager's target is where they started
        target = anchor if resistance_draw[g] < resistance else anchor + (1 - anchor) * signal
        adoption[g] += adoption_rate * (target - adoption[g])
        modelling[g] = modelling_weight * adoption[g] * (1 - fatigue[manager_slot[g]])
        mean_orientation = orientation_total[g] / count[g] if count[g] > 0 else 0.0
        mean_fatigue = fatigue_total[g] / count[g] if count[g] > 0 else 0.0
        c = fix_base + fix_adoption * adoption[g]
        c += fix_orientation * mean_orientation
        c = min(max(c, 0.0), 1.0)
        c *= police_factor * (1 - fatigue_drag * mean_fatigue)
        c *= overload_factor
        capacity[g] = c * cut_factor
    if owners.size == 0:
        return 0.0
    owned = np.empty(owners.size)
    for k in range(owners.size):
        owned[k] = capacity[owners[k]]
    return pairwise_sum(owned) / owners.size


def step(model) -> None:
    p, people, teams, policy, t = model.p, model.people, model.teams, model.policy, model.week
    org = model.org
    # Python floats: the same values, without numpy's slower scalar arithmetic
    gap = float(policy.incentive[t] - p.incentives.reference_alignment)
    signal = adoption_signal(float(policy.commitment[t]), gap,
                             float(policy.evidence[t] - p.leadership.decision_evidence_base))
    v, load = p.voice, p.load
    org.modelling = np.empty(teams.size)
    org.fix_capacity = np.empty(teams.size)
    org.action = incentives_week(
        people.orientation, people.fatigue, people.team, people.filled, teams.adoption,
        teams.adoption_anchor, teams.resistance_draw, teams.manager_slot, model.owner_teams,
        org.modelling, org.fix_capacity, gap, p.incentives.orientation_pull, signal,
        p.risks.middle_management_resistance, p.managers.adoption_rate,
        p.managers.modelling_weight, v.fix_base, v.fix_adoption_weight, v.fix_orientation_weight,
        1 - v.cx_police_bottleneck * p.anti_patterns.cx_police, v.fatigue_drag,
        max(0.0, 1 - load.fix_overload_loss * max(0.0, org.load - load.capacity)),
        1 - float(policy.budget_cut[t]))
