"""Mechanism 10: measurement (001 §8, §10 AP 3, §11, §12; de Haan et al. 2015; MODEL_BRIEF §3.10).

**Customer surveys.** A customer survey goes out every ``survey_interval_weeks`` (more often under
survey obsession). An active account answers with probability

    P(respond) = clip(r0 (1 - phi) (1 + b (sat - 1/2)), 0, 1)

where phi is its survey fatigue: each survey adds g (1 - phi); phi recovers by ``recovery`` a week
and by ``action_recovery`` when a problem that hit the account is fixed (visible change). It starts
at its steady state under the organisation's usual cadence and rate of fixes
(``steady_survey_fatigue``).
Respondents who see nothing acted on lose satisfaction: sat -= penalty (1 - alpha) sat. Measured NPS
is the NPS of the respondents (satisfied accounts answer more, as an advisory board does), true NPS
that of every account; NPS = % promoters (9-10) - % detractors (0-6).

**Survey obsession's employee side** (001 §10 AP 3: measuring without acting). Under survey
obsession (intensity x) staff get a pulse survey in every survey week, and being asked while
nothing is done breeds cynicism: C += g x (1 - alpha) (1 - C) for every filled post, g =
``pulse_cynicism_gain``, alpha the visible action on problems (incentives.py). Cynicism then acts
as it does everywhere (engagement, speaking up, ritual participation, attrition).

**The cultural assessment** (001 §12 template 1: ten questions, 1-5) is an employee survey taken
with each monthly row (month 0 and every month end; 001 §11 measured it quarterly, which is months
0, 3, 6, 9, 12 of this series; a monthly pulse keeps the dashboard monthly, as 001 §5 Week 4's
monthly culture review reads it). Each wave invites a random share s of the filled posts, from
all departments (001 §5 Week 1), so that each employee is asked about once a quarter at the
default s (the case's cadence); an invited person i answers with

    P(respond) = clip(r_e [1 + w_E (E_i - 1/2)]+ (1 - w_F F_i), 0, 1)

(E engagement, F change fatigue) and gives each item k an answer on the 1-5 scale,

    a_ik = clip(rint(floor + (5 - floor) d_ik (1 - tint C_i) + e_ik), 1, 5)

from d_ik in [0, 1], what the item asks, read off their own state and experience:
(1) outcome prioritisation O_i; (2) leadership visibility M_g, their own manager's modelling of
customer time and stories (MODEL_BRIEF §2); (3) collaboration, the organisation's collab, which
every respondent meets; (4) psychological safety S_i; (6) personal interaction frequency: their
own customer contact in the interaction window (``INTERACTION_WINDOW_WEEKS``); (7) clarity of the
value proposition (O_i + min(1, stories per week / 3)) / 2; (10) overall rating: the mean of their
own (1)-(9). Items (5) evidence accessibility, (8) recognition and (9) resource allocation ask
about organisation-wide policies that have no per-person state in the model (decision evidence
EV(t), incentive alignment A(t) and commitment K(t) are one number each, docs/ODD.md section 9), so
they must read the policy series; a respondent meets a change of them as far as their own
manager has taken it up and models it, M_g (001 §10: first-line managers hold cultural keys):
(5) EV(0) + (EV(t) - EV(0)) M_g; (8) min(1, (A(0) + (A(t) - A(0)) M_g) / 0.5), 0.5 being the
recognition target of 001 §8; (9) K(0) + (K(t) - K(0)) M_g. With no programme these equal the
policy's level, and a manager who resists the change (low adoption, so low M) holds their team's
answers there. The culture score is the mean answer over respondents and items, so it has
sampling error; the psychological safety score (001 §8) is the mean over the same respondents of
clip(rint(1 + 4 S_i + e_i), 1, 5). Both are NaN when nobody answers. The survey's random numbers
are one block per survey from its own stream, drawn whether or not a post is filled, invited or
answers (common random numbers): per post, a float32 uniform u (invited if u < s; answers if
u < s P(respond)) and two random bytes for each item and for the safety item. Item noise is
triangular with standard deviation sigma, e = sigma sqrt(6) (u + u' - 1) with u, u' uniform on
256 levels: like a normal it leaves the mean answer within 0.01 of the latent value away from the
scale's ends (a uniform would not), and random bytes cost a quarter of a normal to draw.

**The perception gap.** Customers rate the organisation from what they experience of being heard
and of problems fixed: v_c = sat_c h_c, h_c the share (by severity) of the open problems hitting
the account that the organisation has surfaced (heard and queued; 1 when none is open: a fixed
problem leaves the open set and lifts sat), so an account rates it as its satisfaction does only
when nothing it suffers goes unheard. Managers rate it from their own beliefs and the
news that reaches them: v_m = (Q_g + R(t) + n_g + q_g) / 4, with their adoption Q_g, the rhetoric
R(t), n_g the mean satisfaction of the accounts they hear of (their team's active accounts, or the
whole book for a team serving none) and q_g the share of those accounts of which no bad news has
reached them (not hit by a surfaced open problem: their team's reports they heard; silent problems
never reach them, so an organisation that silences bad news "operates on false positives", 001
§3). Either side rates the organisation highly when v >= 0.8. No term is a constant.

Reads every ``measurement.*`` parameter.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from cxsim.model.mechanisms.churn import recommend_score
from cxsim.model.parameters import Measurement
from cxsim.model.state import SILENT, SURFACED


def net_promoter_score(scores: np.ndarray) -> float:
    """% scores of 9-10 minus % scores of 0-6; NaN when nobody answered (no score, not 0)."""
    if scores.size == 0:
        return float("nan")
    return 100.0 * (int(np.count_nonzero(scores >= 9)) / scores.size
                    - int(np.count_nonzero(scores <= 6)) / scores.size)


def response_probability(satisfaction: np.ndarray, survey_fatigue: np.ndarray,
                         params: Measurement) -> np.ndarray:
    """P(respond) to a survey."""
    p = params.response_base * (1 - survey_fatigue)
    p = p * (1 + params.satisfied_response_bias * (satisfaction - 0.5))
    return np.clip(p, 0.0, 1.0)


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
    org.survey_response_rate = 100.0 * np.count_nonzero(respond) / max(
        1, int(np.count_nonzero(active)))
    customers.survey_fatigue += m.survey_fatigue_gain * (1 - customers.survey_fatigue) * active
    customers.satisfaction -= (m.unheard_penalty * (1 - org.action)
                               * customers.satisfaction * respond)


def employee_pulse(cynicism: np.ndarray, filled: np.ndarray, obsession: float, action: float,
                   params: Measurement) -> None:
    """Survey obsession's employee side: each survey week staff also get a pulse survey, and
    being asked while nothing is done breeds cynicism, C += g x obsession (1 - alpha) (1 - C),
    in place (alpha: the visible action on problems, incentives.py)."""
    cynicism += params.pulse_cynicism_gain * obsession * (1 - action) * (1 - cynicism) * filled


def step(model, uniforms: np.ndarray) -> None:
    """Survey fatigue recovers; a customer survey (and, under survey obsession, an employee
    pulse) goes out in survey weeks."""
    p = model.p
    m = p.measurement
    model.customers.survey_fatigue *= 1 - m.survey_fatigue_recovery
    if model.policy.survey_weeks[model.week]:
        survey(model, uniforms)
        if p.anti_patterns.survey_obsession > 0:
            employee_pulse(model.people.cynicism, model.people.filled,
                           p.anti_patterns.survey_obsession, model.org.action, m)


def visible_change(survey_fatigue: np.ndarray, hit: np.ndarray, params: Measurement) -> None:
    """A fix the account can see lowers its survey fatigue."""
    survey_fatigue[hit] *= 1 - params.action_recovery


# -- the cultural assessment: an employee survey (001 §12 template 1) -----------------------------

CULTURE_ITEMS = ("outcome prioritisation", "leadership visibility", "collaboration",
                 "psychological safety", "evidence accessibility", "personal interaction",
                 "clarity of the value proposition", "recognition", "resource allocation",
                 "overall rating")
# One survey's random numbers per post: a float32 uniform (response), then two random bytes for
# the noise of each of the ten items and of the safety item.
NOISE_ROWS = len(CULTURE_ITEMS) + 1
# Customer contact counts in interaction_rate and item 6 if it fell in the last 12 weeks: three
# whole cycles of the four-weekly contact rituals (Customer Friday, rotations), so the window holds
# the same number of sessions whatever the month end (a 13- or 14-week window holds 3 or 4).
INTERACTION_WINDOW_WEEKS = 12
RECOGNITION_TARGET = 0.5                        # 001 §8: 50%+ of recognition for customer impact
STORIES_TARGET = 3.0                            # 001 §8: 3+ stories a week


class EmployeeSurvey(NamedTuple):
    """One wave of the cultural assessment."""

    culture_score: float        # mean answer over respondents and the ten items, 1-5 (NaN: none)
    safety_score: float         # mean answer to the safety item, 1-5 (NaN: none)
    response_rate: float        # % of the invited (filled) posts that answered
    respondents: int


def draw_employee_survey(rng: np.random.Generator,
                         posts: int) -> tuple[np.ndarray, np.ndarray]:
    """One survey's random numbers, in a fixed shape: a float32 uniform per post (response) and
    ``2 NOISE_ROWS`` rows of random bytes per post (item noise)."""
    uniforms = rng.random(posts, dtype=np.float32)
    size = 2 * NOISE_ROWS * posts
    # The bit generator's raw 64-bit words, read as bytes: five times faster than rng.bytes.
    noise = rng.bit_generator.random_raw(-(-size // 8)).view(np.uint8)[:size]
    return uniforms, noise.reshape(2 * NOISE_ROWS, posts)


def item_noise(random_bytes: np.ndarray, sigma: float) -> np.ndarray:
    """Triangular noise, mean 0 and standard deviation sigma, from 2 k rows of random bytes (k
    rows of noise, row i from rows i and k + i): sigma sqrt(6) (u + u' - 1), u = (b + 1/2) / 256."""
    k = random_bytes.shape[0] // 2
    pair = random_bytes[:k].astype(np.float32) + random_bytes[k:]
    scale = np.float32(sigma * np.sqrt(6.0) / 256)
    return pair * scale - scale * np.float32(255)


def employee_response_probability(engagement: np.ndarray, fatigue: np.ndarray,
                                  params: Measurement) -> np.ndarray:
    """P(respond) = clip(r_e [1 + w_E (E - 1/2)]+ (1 - w_F F), 0, 1)."""
    p = params.employee_response_base * np.maximum(
        1 + params.employee_response_engagement * (engagement - 0.5), 0.0)
    p = p * (1 - params.employee_response_fatigue * fatigue)
    return np.clip(p, 0.0, 1.0)


def through_manager(start: float, now: float, modelling: np.ndarray) -> np.ndarray:
    """A policy as a respondent meets it: its start plus its change, as far as their manager
    takes the change up and models it (M)."""
    return start + (now - start) * modelling


def culture_items(orientation: np.ndarray, safety: np.ndarray, modelling: np.ndarray,
                  contact: np.ndarray, collaboration: float, stories_per_week: float,
                  evidence: tuple[float, float], incentive: tuple[float, float],
                  commitment: tuple[float, float]) -> np.ndarray:
    """d_ik: the ten items (rows, in ``CULTURE_ITEMS`` order) for each person (columns), each in
    [0, 1]. ``modelling`` is that of each person's manager (team); the policy arguments are
    (week 0, now) pairs."""
    items = np.empty((len(CULTURE_ITEMS), orientation.size), np.float32)
    items[0] = orientation
    items[1] = modelling
    items[2] = collaboration
    items[3] = safety
    items[4] = through_manager(*evidence, modelling)
    items[5] = contact
    items[6] = 0.5 * orientation + 0.5 * min(1.0, stories_per_week / STORIES_TARGET)
    items[7] = np.minimum(1.0, through_manager(*incentive, modelling) / RECOGNITION_TARGET)
    items[8] = through_manager(*commitment, modelling)
    np.divide(items[:9].sum(axis=0), 9, out=items[9])     # their mean (ndarray.mean's steps)
    return items                # each row is in [0, 1] by construction (no clip needed)


def likert(latent: np.ndarray, noise: np.ndarray) -> np.ndarray:
    """An answer on the 1-5 scale: the latent value plus noise, rounded and clipped (in place:
    ``latent`` is overwritten)."""
    latent += noise
    return np.clip(np.rint(latent, out=latent), 1.0, 5.0, out=latent)


def employee_survey(items: np.ndarray, cynicism: np.ndarray, safety: np.ndarray,
                    noise: np.ndarray, params: Measurement) -> tuple[float, float]:
    """The respondents' (columns') mean answer to the ten items, a_ik = likert(floor + (5 - floor)
    d_ik (1 - tint C_i), e_ik), and to the safety item, likert(1 + 4 S_i, e_i); ``noise`` holds
    e (item rows, then the safety row). NaN for both with no respondent."""
    if cynicism.size == 0:
        return float("nan"), float("nan")
    floor = params.rating_floor
    tinted = ((5.0 - floor) * (1 - params.cynicism_tint * cynicism)).astype(np.float32)
    latent = items * tinted
    latent += np.float32(floor)
    answers = likert(latent, noise[:len(CULTURE_ITEMS)])
    culture = float(answers.sum(dtype=np.float64)) / answers.size
    safety_latent = (1.0 + 4.0 * safety).astype(np.float32)
    safety_answers = likert(safety_latent, noise[len(CULTURE_ITEMS)])
    return culture, float(safety_answers.sum(dtype=np.float64)) / safety_answers.size


def assess_culture(model, contact: np.ndarray, stories_per_week: float,
                   draws: tuple[np.ndarray, np.ndarray]) -> EmployeeSurvey:
    """This month's cultural assessment of the model's workforce (``contact``: customer contact in
    the interaction window, per post; ``draws``: one ``draw_employee_survey`` block)."""
    people, org, policy, t = model.people, model.org, model.policy, model.week
    m = model.p.measurement
    uniforms, random_bytes = draws
    # One uniform decides both: invited if u < s, and answers if u < s P(respond).
    invited = people.filled & (uniforms < m.culture_survey_share)
    answers = uniforms < m.culture_survey_share * employee_response_probability(
        people.engagement, people.fatigue, m)
    who = (invited & answers).nonzero()[0]
    items = culture_items(
        people.orientation[who], people.safety[who], org.modelling[people.team[who]],
        contact[who], org.collaboration, stories_per_week,
        (float(policy.evidence[0]), float(policy.evidence[t])),
        (float(policy.incentive[0]), float(policy.incentive[t])),
        (float(policy.commitment[0]), float(policy.commitment[t])))
    culture, safety = employee_survey(items, people.cynicism[who], people.safety[who],
                                      item_noise(random_bytes[:, who], m.item_noise), m)
    asked = int(np.count_nonzero(invited))
    return EmployeeSurvey(culture, safety, 100.0 * who.size / asked if asked else 0.0,
                          int(who.size))


# -- the perception gap: managers' view against customers' --------------------------------------

HIGH_RATING = 0.8


def customer_view(satisfaction: np.ndarray, surfaced_load: np.ndarray,
                  open_load: np.ndarray) -> np.ndarray:
    """v_c = sat h, h = surfaced / open severity hitting the account (1 if none open)."""
    heard = np.divide(surfaced_load, open_load, out=np.ones_like(satisfaction),
                      where=open_load > 0)
    return satisfaction * np.minimum(heard, 1.0, out=heard)


def team_news(account_team: np.ndarray, satisfaction: np.ndarray, bad_news: np.ndarray,
              n_teams: int) -> tuple[np.ndarray, np.ndarray]:
    """Per team, over the (active) accounts whose news reaches its manager: the team's own, or
    every account for a team serving none: (mean satisfaction n_g, share without bad news q_g)."""
    counts = np.bincount(account_team, minlength=n_teams)
    if counts.sum() == 0:
        return np.zeros(n_teams), np.ones(n_teams)
    own = counts > 0
    per = np.maximum(counts, 1)
    sat = np.where(own, np.bincount(account_team, satisfaction, n_teams) / per,
                   float(satisfaction.sum()) / satisfaction.size)
    bad = np.where(own, np.bincount(account_team, bad_news, n_teams) / per,
                   np.count_nonzero(bad_news) / bad_news.size)
    return sat, 1.0 - bad


def manager_view(adoption: np.ndarray, rhetoric: float, news_satisfaction: np.ndarray,
                 no_bad_news: np.ndarray) -> np.ndarray:
    """v_m = (Q + R + n + q) / 4: how customer-centric a manager rates the organisation, 0-1."""
    return (adoption + rhetoric + news_satisfaction + no_bad_news) / 4.0


def perceptions(model) -> tuple[np.ndarray, np.ndarray]:
    """(views of the staffed managers, views of the active customers), each 0-1."""
    people, teams, customers, pain = model.people, model.teams, model.customers, model.pain
    severity = np.zeros((pain.status.size, 2), np.float32)     # [surfaced, open] severity
    severity[:, 0] = pain.severity * (pain.status == SURFACED)
    severity[:, 1] = severity[:, 0] + pain.severity * (pain.status == SILENT)
    active = customers.active.nonzero()[0]
    loads = (customers.hits @ severity)[active]          # (active accounts, [surfaced, open])
    satisfaction = customers.satisfaction[active]
    surfaced = loads[:, 0].astype(float)
    customers_view = customer_view(satisfaction, surfaced, loads[:, 1].astype(float))
    news, quiet = team_news(customers.account_team[active], satisfaction, surfaced > 0,
                            teams.size)
    managers = (people.filled & people.is_manager).nonzero()[0]
    team = people.team[managers]
    managers_view = manager_view(teams.adoption[team], float(model.policy.rhetoric[model.week]),
                                 news[team], quiet[team])
    return managers_view, customers_view
