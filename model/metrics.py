"""Monthly outputs (MODEL_BRIEF §5): the customers, the culture dashboard, the workforce, the voice
loop, the maturity level and the perception gap. Every column is described in ``COLUMNS``.

Run-rates (``churn_annualised``, ``attrition_annualised``) are the expected annual rates implied
by the state at the month's end (mean renewal churn probability; 1 - (1 - mean weekly hazard)^52),
so that month 0 has them and they are smooth; realised counts are in ``churned_customers``,
``leavers`` and ``churn_monthly``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from cxsim.model.catalogue import METRICS, maturity_level
from cxsim.model.mechanisms.churn import churn_probability, recommend_score
from cxsim.model.mechanisms.measurement import manager_view, net_promoter_score
from cxsim.model.mechanisms.rituals import ONBOARDING_WEEKS
from cxsim.model.mechanisms.workforce import weekly_hazard

QUARTER_WEEKS = 13
HIGH_RATING = 0.8

# column -> (unit, meaning), in table order; the words live in the catalogue.
COLUMNS: dict[str, tuple[str, str]] = {m.name: (m.unit, m.meaning) for m in METRICS}


@dataclass
class Tally:
    """Counts of the month so far; reset at each month's end."""

    stories: float = 0.0
    problems_met: int = 0
    spoke_up: int = 0
    blamed: int = 0
    surfaced: int = 0
    fixed: int = 0
    leavers: int = 0
    churned: int = 0
    won: int = 0
    weeks: int = 0
    active_at_start: int = 0

    def reset(self, active_customers: int) -> None:
        for f in fields(self):
            setattr(self, f.name, type(getattr(self, f.name))())
        self.active_at_start = active_customers


def annualised(weekly_rates: np.ndarray) -> float:
    """100 (1 - (1 - mean weekly rate)^52); 0 for an empty group."""
    if weekly_rates.size == 0:
        return 0.0
    return 100.0 * (1.0 - (1.0 - float(weekly_rates.mean())) ** 52)


def mean_of(values: np.ndarray) -> float:
    """Mean of an array; 0 when it is empty (an organisation with every post vacant)."""
    return float(values.mean()) if values.size else 0.0


def share(mask: np.ndarray) -> float:
    """Percent of True in a boolean array; 0 when empty."""
    return 100.0 * float(mask.mean()) if mask.size else 0.0


def monthly_row(model, month: int) -> dict[str, float]:
    """All outputs of one month, read off the model's state and the month's tally."""
    p, people, teams, customers, pain, policy = (model.p, model.people, model.teams,
                                                 model.customers, model.pain, model.policy)
    t, tally, org = model.week, model.tally, model.org
    filled = people.filled
    staff = filled
    active = customers.active
    satisfaction = customers.satisfaction[active]
    scores = recommend_score(satisfaction, customers.score_bias[active])
    churn_p = churn_probability(customers.record[active], customers.problem_load[active], p.churn)
    value = customers.value[active]
    hazard = weekly_hazard(people, p)
    orientation = people.orientation[staff]
    safety = people.safety[staff]
    cynicism = people.cynicism[staff]
    engagement = people.engagement[staff]
    contact = staff & (t - people.last_interaction <= QUARTER_WEEKS)
    recent_hires = staff & (t - people.hired_week <= QUARTER_WEEKS) & (
        t - people.hired_week >= min(ONBOARDING_WEEKS, max(t, 1)))
    enps_scores = np.clip(np.rint(10 * (0.5 * engagement + 0.25 * (1 - cynicism)
                                        + 0.25 * orientation) + people.enps_bias[staff]), 0, 10)
    managers = staff & people.is_manager
    views = manager_view(people.orientation[managers], float(policy.rhetoric[t]),
                         teams.adoption[people.team[managers]], p.managers.optimism)
    weeks_in_month = max(tally.weeks, 1)
    open_ = (pain.status == 1) | (pain.status == 2)
    row: dict[str, float] = {
        "month": month,
        "week": t,
        "nps_measured": org.survey_nps,
        "nps_true": net_promoter_score(scores),
        "churn_monthly": 100.0 * tally.churned / max(tally.active_at_start, 1),
        "churn_annualised": 100.0 * mean_of(churn_p),
        "revenue_churn_annualised": (100.0 * float(churn_p @ value) / float(value.sum())
                                     if value.size else 0.0),
        "churned_customers": tally.churned,
        "customers_won": tally.won,
        "customers_active": int(active.sum()),
        "revenue_retained": 100.0 * (float(customers.value[active & customers.initial].sum())
                                     / org.initial_revenue),
        "csat": share(satisfaction >= 0.7),
        "satisfaction": 100.0 * mean_of(satisfaction),
        "survey_response_rate": org.survey_response_rate,
        "agree_customer_outcomes": share(orientation >= 0.5),
        "leadership_customer_time": 100.0 * float(policy.leadership_time[t]),
        "decision_evidence_ratio": 100.0 * float(policy.evidence[t]),
        "interaction_rate": share(contact[staff]),
        "story_sharing_per_week": tally.stories / weeks_in_month,
        "onboarding_immersion": share(people.immersed[recent_hires]),
        "collaboration_index": 1.0 + 4.0 * org.collaboration,
        "psychological_safety_score": 1.0 + 4.0 * mean_of(safety),
        "recognition_share": 100.0 * float(policy.incentive[t]),
        "ritual_participation": share(org.ritual_participants[staff]),
        "postmortem_coverage": 100.0 * float(policy.intensity["blameless_postmortems"][t])
        * (1 - p.anti_patterns.blame_culture),
        "enps": net_promoter_score(enps_scores),
        "engagement": 100.0 * mean_of(engagement),
        "cynicism": 100.0 * mean_of(cynicism),
        "change_fatigue": 100.0 * mean_of(people.fatigue[staff]),
        "orientation": 100.0 * mean_of(orientation),
        "load": 100.0 * org.load,
        "say_do_gap": 100.0 * org.say_do_gap,
        "attrition_annualised": annualised(hazard[staff]),
        "frontline_attrition_annualised": annualised(hazard[staff & people.frontline]),
        "top_performer_attrition_annualised": annualised(hazard[staff & people.top_performer]),
        "leavers": tally.leavers,
        "headcount": int(filled.sum()),
        "problems_surfaced": tally.surfaced,
        "problems_fixed": tally.fixed,
        "problems_silent": int((pain.status == 1).sum()),
        "problems_open": int(open_.sum()),
        "speak_up_rate": 100.0 * tally.spoke_up / tally.problems_met if tally.problems_met else 0.0,
        "blame_responses": tally.blamed,
        "managers_rate_highly_customer_centric": share(views >= HIGH_RATING),
        "customers_rate_highly_customer_centric": share(satisfaction >= HIGH_RATING),
    }
    row["perception_gap"] = (row["managers_rate_highly_customer_centric"]
                             - row["customers_rate_highly_customer_centric"])
    row["culture_score"] = culture_score(row, mean_of(orientation), mean_of(safety),
                                         mean_of(cynicism), org.views,
                                         p.measurement.rating_floor, p.measurement.cynicism_tint)
    row["maturity_level"] = maturity_level(row)
    return {name: row[name] for name in COLUMNS}


def culture_score(row: dict[str, float], orientation: float, safety: float, cynicism: float,
                  views: dict[str, float], floor: float, tint: float) -> float:
    """Cultural assessment, 1-5: the ten dimensions of 001 §12 template 1, each 0-1, rated from
    a floor (an absent dimension still scores ``floor``) and through cynicism:

        score = floor + (5 - floor) mean(dimensions) (1 - tint C)

    Dimensions about leaders use employees' lagged views of them (measurement.py), the others
    the state of the workforce.
    """
    dimensions = [
        orientation,                                              # outcome prioritisation
        min(1.0, views["leadership_time"] / 0.25),                # leadership visibility
        (row["collaboration_index"] - 1) / 4,                     # collaboration
        safety,                                                   # psychological safety
        views["evidence"],                                        # evidence accessibility
        row["interaction_rate"] / 100,                            # personal interaction
        0.5 * orientation + 0.5 * min(1.0, row["story_sharing_per_week"] / 3),  # clarity
        min(1.0, views["incentive"] / 0.5),                       # recognition
        views["commitment"],                                      # resource allocation
    ]
    dimensions.append(sum(dimensions) / len(dimensions))          # overall rating
    mean = sum(dimensions) / len(dimensions)
    return floor + (5.0 - floor) * float(mean) * (1 - tint * cynicism)
