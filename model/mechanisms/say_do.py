"""Mechanism 4: the say-do gap and cynicism (001 §10 AP 1, §11 Key Insight; Bromley & Powell
2012; Hughes 2011; MODEL_BRIEF §3.4).

Employees compare what leaders say, R(t), with what they do, D(t): real commitment, changed
incentives and visible action on insights. A gap grows cynicism; rhetoric backed by action shrinks
it; fatigue above a threshold feeds it:

    D(t) = clip(K(t) + (A(t) - a_ref) + w (alpha(t) - alpha(0)), 0, 1)
    gap  = max(0, R - D),  backed = min(R, D)
    C'   = C + g gap (1 - C) - r backed C + f max(0, F - F*) (1 - C)

Reads ``say_do.cynicism_gain`` (g), ``say_do.cynicism_relief`` (r), ``say_do.fatigue_cynicism``
(f), ``say_do.fatigue_threshold`` (F*), ``say_do.action_weight`` (w),
``incentives.reference_alignment`` (a_ref). alpha(t) is the visible action on problems: the owning
teams' mean capacity to fix (incentives.py). The cynicism update is a compiled kernel
(``cynicism_week``), person by person.
"""

from __future__ import annotations

import numpy as np

from cxsim.model.compiled import kernel
from cxsim.model.parameters import SayDo


def doing(commitment: float, incentive_change: float, action_change: float, weight: float) -> float:
    """D(t): what leaders visibly do."""
    return min(max(float(commitment + incentive_change + weight * action_change), 0.0), 1.0)


@kernel
def cynicism_week(cynicism: np.ndarray, fatigue: np.ndarray, gap: float, backed: float,
                  gain: float, relief: float, fatigue_gain: float, threshold: float) -> None:
    """C' = C + (g gap + f max(0, F - F*)) (1 - C) - r backed C, clipped to 0-1, in place."""
    grow = gain * gap
    ease = relief * backed
    for i in range(cynicism.size):
        strain = fatigue[i] - threshold
        if strain < 0.0:
            strain = 0.0
        c = cynicism[i]
        c += (grow + fatigue_gain * strain) * (1 - c)
        c -= ease * c
        cynicism[i] = min(max(c, 0.0), 1.0)


def update_cynicism(cynicism: np.ndarray, fatigue: np.ndarray, rhetoric: float, done: float,
                    params: SayDo) -> float:
    """C' = C + g gap (1 - C) - r backed C + f max(0, F - F*)(1 - C), in place; returns gap."""
    gap = max(0.0, rhetoric - done)
    backed = min(rhetoric, done)
    cynicism_week(cynicism, fatigue, float(gap), float(backed), params.cynicism_gain,
                  params.cynicism_relief, params.fatigue_cynicism, params.fatigue_threshold)
    return gap


def step(model) -> None:
    p, policy, t, org = model.p, model.policy, model.week, model.org
    # Python floats: the same values, without numpy's slower scalar arithmetic
    done = doing(float(policy.commitment[t]),
                 float(policy.incentive[t] - p.incentives.reference_alignment),
                 org.action - org.action_at_start, p.say_do.action_weight)
    org.say_do_gap = update_cynicism(model.people.cynicism, model.people.fatigue,
                                       policy.rhetoric[t], done, p.say_do)
