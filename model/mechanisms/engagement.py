"""Engagement, the state through which cynicism, fatigue and customer contact act on attrition,
participation and service quality (MODEL_BRIEF §3.4, §3.5, §3.7; Harter et al. 2002).

Engagement relaxes toward a target that cynicism and fatigue lower and recent customer contact
(meaning) raises; each person's anchor is set at hire so that the target equals their engagement
then:

    E* = anchor - w_c C - w_f F + w_m meaning,   E' = E + r (E* - E)

Reads ``engagement.relaxation`` (r), ``engagement.cynicism_weight`` (w_c),
``engagement.fatigue_weight`` (w_f), ``engagement.meaning_weight`` (w_m).
"""

from __future__ import annotations

import numpy as np

from cxsim.model.parameters import Engagement


def anchor_for(engagement: np.ndarray, cynicism: np.ndarray | float, fatigue: np.ndarray | float,
               meaning: np.ndarray | float, params: Engagement) -> np.ndarray:
    """The anchor that makes the current engagement the target (cynicism, fatigue, meaning:
    per person, or one value for all)."""
    return (engagement + params.cynicism_weight * cynicism + params.fatigue_weight * fatigue
            - params.meaning_weight * meaning)


def update_engagement(engagement: np.ndarray, anchor: np.ndarray, cynicism: np.ndarray,
                      fatigue: np.ndarray, meaning: np.ndarray, params: Engagement) -> None:
    """E' = E + r (E* - E), in place."""
    target = (anchor - params.cynicism_weight * cynicism - params.fatigue_weight * fatigue
              + params.meaning_weight * meaning)
    engagement += params.relaxation * (target - engagement)
    np.minimum(np.maximum(engagement, 0.0, out=engagement), 1.0, out=engagement)


def step(model) -> None:
    people = model.people
    update_engagement(people.engagement, people.engagement_anchor, people.cynicism,
                      people.fatigue, people.meaning, model.p.engagement)
