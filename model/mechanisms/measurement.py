"""Mechanism 10: measurement (001 §8, §10 AP 3, §11; de Haan et al. 2015; MODEL_BRIEF §3.10).

A customer survey goes out every ``survey_interval_weeks`` (more often under survey obsession). An
active account answers with probability

    P(respond) = clip(r0 (1 - phi) (1 + b (sat - 1/2)), 0, 1)

where phi is its survey fatigue: each survey adds g (1 - phi); phi recovers by ``recovery`` a week
and by ``action_recovery`` when a problem that hit the account is fixed (visible change). It starts
at its steady state under the organisation's usual cadence and rate of fixes
(``steady_survey_fatigue``).
Respondents who see nothing acted on lose satisfaction: sat -= penalty (1 - alpha) sat. Measured NPS
is the NPS of the respondents (satisfied accounts answer more, as an advisory board does), true NPS
that of every account; NPS = % promoters (9-10) - % detractors (0-6). Managers rate the
organisation from their own orientation, the rhetoric and their adoption, plus optimism; customers
from their satisfaction: the perception gap.

Employees' view of what leaders do follows it with a lag: for each of leadership customer time,
the decision evidence ratio, incentive alignment and commitment, V' = V + rate (policy(t) - V)
weekly (``perception_rate``); the cultural assessment (metrics.py) rates these views, not the
policy itself, so a programme's first announcements do not move it overnight.

Reads every ``measurement.*`` parameter and ``managers.optimism``.
"""

from __future__ import annotations

import numpy as np

from cxsim.model.mechanisms.churn import recommend_score
from cxsim.model.parameters import Measurement


def net_promoter_score(scores: np.ndarray) -> float:
    """% scores of 9-10 minus % scores of 0-6; NaN when nobody answered (no score, not 0)."""
    if scores.size == 0:
        return float("nan")
    return 100.0 * (float((scores >= 9).mean()) - float((scores <= 6).mean()))


def response_probability(satisfaction: np.ndarray, survey_fatigue: np.ndarray,
                         params: Measurement) -> np.ndarray:
    """P(respond) to a survey."""
    p = params.response_base * (1 - survey_fatigue)
    p = p * (1 + params.satisfied_response_bias * (satisfaction - 0.5))
    return np.clip(p, 0.0, 1.0)


def manager_view(orientation: np.ndarray, rhetoric: float, adoption: np.ndarray,
                 optimism: float) -> np.ndarray:
    """How customer-centric a manager rates the organisation, 0-1."""
    return np.clip(0.5 * orientation + 0.3 * rhetoric + 0.2 * adoption + optimism, 0.0, 1.0)


def steady_survey_fatigue(params: Measurement, fix_relief: float = 0.0) -> float:
    """Survey fatigue just before a survey when surveys have always come every
    ``survey_interval_weeks``: the fixed point of phi+ = d phi+ + g (1 - d phi+), d = (1 - r)^k,
    is phi+ = g / (1 - d + g d); the value before the survey is d phi+. ``fix_relief`` is the
    expected weekly share removed by fixes (visible change), added to the recovery r."""
    weekly = min(1.0, params.survey_fatigue_recovery + fix_relief)
    d = (1 - weekly) ** params.survey_interval_weeks
    g = params.survey_fatigue_gain
    if g == 0.0:
        return 0.0              # surveys tire nobody (and the formula would be 0/0 with d = 1)
    return d * g / (1 - d + g * d)


def survey(model, uniforms: np.ndarray) -> None:
    """Send a survey wave to every active account and record what comes back."""
    p, customers = model.p, model.customers
    m = p.measurement
    active = customers.active
    respond = active & (uniforms < response_probability(customers.satisfaction,
                                                        customers.survey_fatigue, m))
    scores = recommend_score(customers.satisfaction[respond], customers.score_bias[respond])
    org = model.org
    org.survey_nps = net_promoter_score(scores)
    org.survey_response_rate = 100.0 * respond.sum() / max(1, int(active.sum()))
    customers.survey_fatigue += m.survey_fatigue_gain * (1 - customers.survey_fatigue) * active
    customers.satisfaction -= (m.unheard_penalty * (1 - org.action)
                               * customers.satisfaction * respond)


PERCEIVED = ("leadership_time", "evidence", "incentive", "commitment")


def initial_views(policy) -> dict[str, float]:
    """Employees' views of leadership at the start: what leaders did in week 0."""
    return {name: float(getattr(policy, name)[0]) for name in PERCEIVED}


def update_views(views: dict[str, float], policy, week: int, rate: float) -> None:
    """V' = V + rate (policy(t) - V) for each perceived leadership behaviour."""
    for name in PERCEIVED:
        views[name] += rate * (float(getattr(policy, name)[week]) - views[name])


def step(model, uniforms: np.ndarray) -> None:
    """Views of leadership update; survey fatigue recovers; a survey goes out in survey weeks."""
    m = model.p.measurement
    update_views(model.org.views, model.policy, model.week, m.perception_rate)
    model.customers.survey_fatigue *= 1 - m.survey_fatigue_recovery
    if model.policy.survey_weeks[model.week]:
        survey(model, uniforms)


def visible_change(survey_fatigue: np.ndarray, hit: np.ndarray, params: Measurement) -> None:
    """A fix the account can see lowers its survey fatigue."""
    survey_fatigue[hit] *= 1 - params.action_recovery
