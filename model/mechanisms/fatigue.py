"""Mechanism 5: change load and fatigue (001 §10 Anti-Pattern 5; MODEL_BRIEF §3.5).

Every concurrent initiative adds load; load over capacity accumulates fatigue, which recovers
slowly toward each person's everyday level F0_i (their fatigue at the start; the initial mean for
newcomers) when the load fits. Strain is convex in the
overload: people absorb a small stretch for a while, a pile-up breaks them (001 §10 AP 5: "employees
overwhelmed"), which is why sequencing the same initiatives helps:

    L(t)  = load.base_load + sum_k load_k I_k(t)
    L_i   = L(t) (1 + v (n_g / filled_g - 1))     (a vacancy's work carried by the team)
    F'    = F + a max(0, L_i - C)^2 (1 - F) - r (F - F0) [L_i <= C]

A vacancy loads the rest of the team (n_g posts, filled_g of them filled; a share v of its work)
until it is filled, so turnover tires the people who stay: the link from turnover back to
engagement (Schneider, White & Paul 1998: the link runs both ways).

Reads ``load.base_load`` (L0), ``load.capacity`` (C), ``load.fatigue_accumulation`` (a),
``load.fatigue_recovery`` (r), ``load.vacancy_cover`` (v).

The weekly step is one compiled kernel (``load_week``): L_i per team, then F' post by post, then
the mean fatigue of filled posts. ``update_fatigue`` and ``team_staffing_load`` are the same rules
over arrays (for a load given in other shapes, and the reference the kernel is tested against).
"""

from __future__ import annotations

import numpy as np

from cxsim.model.compiled import kernel
from cxsim.model.parameters import Load


def weekly_load(base_load: float, initiative_load: float) -> float:
    """L(t): the day job plus every initiative running this week, in shares of capacity."""
    return base_load + initiative_load


def update_fatigue(fatigue: np.ndarray, load: float | np.ndarray, params: Load,
                   floor: np.ndarray | float, team: np.ndarray | None = None) -> np.ndarray:
    """F' = F + a max(0, L - C)^2 (1 - F) - r (F - F0)[L <= C], in place (L one value, one per
    post, or one per team with ``team`` the team of each post)."""
    over = np.asarray(load, dtype=float) - params.capacity
    strained = over > 0
    n_strained = np.count_nonzero(strained)
    # Each branch is computed only if some post is on it (usually every post is on one).
    if n_strained < strained.size:
        recovery = -params.fatigue_recovery * (fatigue - floor)
    if n_strained:
        pull = params.fatigue_accumulation * over * over
        if team is not None:
            pull, strained = pull[team], strained[team]
        strain = pull * (1 - fatigue)
        change = strain if n_strained == over.size else np.where(strained, strain, recovery)
    else:
        change = recovery
    fatigue += change
    np.minimum(np.maximum(fatigue, 0.0, out=fatigue), 1.0, out=fatigue)
    return fatigue


def team_staffing_load(team: np.ndarray, filled: np.ndarray, nominal_size: np.ndarray,
                       cover: float) -> np.ndarray:
    """1 + v (n_g / filled_g - 1) per team: how much of the team's work each person there
    carries (n_g / filled_g at most 2)."""
    present = np.bincount(team, weights=filled, minlength=nominal_size.size)
    share = np.minimum(nominal_size / np.maximum(present, 1.0), 2.0)
    return 1.0 + cover * (share - 1.0)


def staffing_load(team: np.ndarray, filled: np.ndarray, nominal_size: np.ndarray,
                  cover: float) -> np.ndarray:
    """``team_staffing_load`` for each post."""
    return team_staffing_load(team, filled, nominal_size, cover)[team]


@kernel
def load_week(fatigue: np.ndarray, fatigue_anchor: np.ndarray, team: np.ndarray,
              filled: np.ndarray, nominal_size: np.ndarray, load: float, cover: float,
              capacity: float, accumulation: float, recovery: float) -> float:
    """F' = F + a max(0, L_i - C)^2 (1 - F) - r (F - F0)[L_i <= C] for every post, in place, with
    L_i = L(t) (1 + v (n_g / filled_g - 1)) of its team; returns the mean fatigue of the filled
    posts (0 if none)."""
    n_teams = nominal_size.size
    present = np.zeros(n_teams)                 # filled_g, summed in slot order (bincount's)
    for i in range(team.size):
        present[team[i]] += 1.0 if filled[i] else 0.0
    over = np.empty(n_teams)                    # L_i - C: everyone in a team carries the same
    for g in range(n_teams):
        share = min(nominal_size[g] / max(present[g], 1.0), 2.0)
        over[g] = load * (1.0 + cover * (share - 1.0)) - capacity
    total = 0.0                         # over filled posts, in slot order
    staff = 0
    for i in range(team.size):
        o = over[team[i]]
        f = fatigue[i]
        if o > 0:
            f += accumulation * o * o * (1 - f)
        else:
            f += -recovery * (f - fatigue_anchor[i])
        fatigue[i] = min(max(f, 0.0), 1.0)
        if filled[i]:
            total += fatigue[i]
            staff += 1
    return total / staff if staff else 0.0


def step(model) -> float:
    """L(t), then every post's fatigue; returns the mean fatigue of filled posts."""
    p = model.p
    org = model.org
    org.load = weekly_load(p.load.base_load, model.policy.load[model.week])
    people, load = model.people, p.load
    return load_week(people.fatigue, people.fatigue_anchor, people.team, people.filled,
                     model.teams.nominal_size, float(org.load), load.vacancy_cover,
                     load.capacity, load.fatigue_accumulation, load.fatigue_recovery)
