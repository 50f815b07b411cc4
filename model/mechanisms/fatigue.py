"""Mechanism 5: change load and fatigue (001 §10 Anti-Pattern 5; MODEL_BRIEF §3.5).

Every concurrent initiative adds load; load over capacity accumulates fatigue, which recovers
slowly toward each person's everyday level F0_i (their fatigue at the start; the initial mean for
newcomers) when the load fits. Strain is convex in the
overload: people absorb a small stretch for a while, a pile-up breaks them (001 §10 AP 5: "employees
overwhelmed"), which is why sequencing the same initiatives helps:

    L(t)  = load.base_load + sum_k load_k I_k(t)
    F'    = F + a max(0, L - C)^2 (1 - F) - r (F - F0) [L <= C]

Reads ``load.base_load`` (L0), ``load.capacity`` (C), ``load.fatigue_accumulation`` (a),
``load.fatigue_recovery`` (r).
"""

from __future__ import annotations

import numpy as np

from cxsim.model.parameters import Load


def weekly_load(base_load: float, initiative_load: float) -> float:
    """L(t): the day job plus every initiative running this week, in shares of capacity."""
    return base_load + initiative_load


def update_fatigue(fatigue: np.ndarray, load: float, params: Load,
                   floor: np.ndarray | float) -> np.ndarray:
    """F' = F + a max(0, L - C)^2 (1 - F) - r (F - F0)[L <= C], in place."""
    over = load - params.capacity
    if over > 0:
        fatigue += params.fatigue_accumulation * over * over * (1 - fatigue)
    else:
        fatigue -= params.fatigue_recovery * (fatigue - floor)
    np.clip(fatigue, 0.0, 1.0, out=fatigue)
    return fatigue


def step(model) -> None:
    p = model.p
    org = model.org
    org.load = weekly_load(p.load.base_load, model.policy.load[model.week])
    update_fatigue(model.people.fatigue, org.load, p.load, model.people.fatigue_anchor)
