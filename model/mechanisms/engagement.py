"""Engagement, the state through which cynicism, fatigue and customer contact act on attrition,
participation and service quality (MODEL_BRIEF §3.4, §3.5, §3.7; Harter et al. 2002).

Engagement relaxes toward a target that cynicism and fatigue lower and recent customer contact
(meaning) raises; each person's anchor is set at hire so that the target equals their engagement
then:

    E* = anchor - w_c C - w_f F + w_m meaning,   E' = E + r (E* - E)

Reads ``engagement.relaxation`` (r), ``engagement.cynicism_weight`` (w_c),
``engagement.fatigue_weight`` (w_f), ``engagement.meaning_weight`` (w_m). The weekly update is a
compiled kernel (``engagement_week``), person by person.
"""

from __future__ import annotations

import numpy as np

from cxsim.model.compiled import kernel
from cxsim.model.parameters import Engagement


def anchor_for(engagement: np.ndarray, cynicism: np.ndarray | float, fatigue: np.ndarray | float,
               meaning: np.ndarray | float, params: Engagement) -> np.ndarray:
    """The anchor that makes the current engagement the target (cynicism, fatigue, meaning:
    per person, or one value for all)."""
    return (engagement + params.cynicism_weight * cynicism + params.fatigue_weight * fatigue
            - params.meaning_weight * meaning)


@kernel
def engagement_week(engagement: np.ndarray, anchor: np.ndarray, cynicism: np.ndarray,
                    fatigue: np.ndarray, meaning: np.ndarray, relaxation: float,
                    cynicism_weight: float, fatigue_weight: float,
                    meaning_weight: float) -> None:
    """E* = anchor - w_c C - w_f F + w_m meaning, E' = E + r (E* - E), clipped to 0-1, in place."""
    for i in range(engagement.size):
        target = (anchor[i] - cynicism_weight * cynicism[i] - fatigue_weight * fatigue[i]
                  + meaning_weight * meaning[i])
        e = engagement[i] + relaxation * (target - engagement[i])
        engagement[i] = min(max(e, 0.0), 1.0)


def update_engagement(engagement: np.ndarray, anchor: np.ndarray, cynicism: np.ndarray,
                      fatigue: np.ndarray, meaning: np.ndarray, params: Engagement) -> None:
    """E' = E + r (E* - E), in place."""
    engagement_week(engagement, anchor, cynicism, fatigue, meaning, params.relaxation,
                    params.cynicism_weight, params.fatigue_weight, params.meaning_weight)


def step(model) -> None:
    people = model.people
    update_engagement(people.engagement, people.engagement_anchor, people.cynicism,
                      people.fatigue, people.meaning, model.p.engagement)
