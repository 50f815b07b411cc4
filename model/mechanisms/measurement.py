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

The survey wave (``survey_wave``), the cultural assessment (``culture_wave``) and the perception
gap (``views``) are compiled kernels, agent by agent; the severity hitting each account is a
float32 sum over the pain points in turn (``severity_loads``), not a BLAS product, so that the
outcome is the same on every machine. The vectorised helpers (``response_probability``,
``employee_response_probability``, ``item_noise``, ``customer_view``, ``team_news``,
``manager_view``) state the same rules over arrays.

Reads every ``measurement.*`` parameter.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from cxsim.model.compiled import kernel, pairwise_sum
from cxsim.model.mechanisms.customer_experience import problem_loads
from cxsim.model.parameters import Measurement
from cxsim.model.state import SILENT, SURFACED

PROMOTER, DETRACTOR = 9, 6      # NPS: scores of 9-10 promote, 0-6 detract


def net_promoter_score(scores: np.ndarray) -> float:
    """% scores of 9-10 minus % scores of 0-6; NaN when nobody answered (no score, not 0)."""
    return promoter_score(int(np.count_nonzero(scores >= PROMOTER)),
                          int(np.count_nonzero(scores <= DETRACTOR)), scores.size)


@kernel
def promoter_score(promoters: int, detractors: int, scores: int) -> float:
    """NPS from the counts: 100 (promoters / scores - detractors / scores); NaN with no score."""
    if scores == 0:
        return np.nan
    return 100.0 * (promoters / scores - detractors / scores)


@kernel
def recommend(satisfaction: float, bias: float) -> float:
    """One account's 0-10 recommend score, clip(rint(10 sat + bias), 0, 10) (as
    ``churn.recommend_score``)."""
    return min(max(np.rint(10.0 * satisfaction + bias), 0.0), 10.0)


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


@kernel
def survey_wave(uniforms: np.ndarray, exists: np.ndarray, churned: np.ndarray,
                satisfaction: np.ndarray, survey_fatigue: np.ndarray, score_bias: np.ndarray,
                keep: float, response_base: float, satisfied_response_bias: float,
                fatigue_gain: float, unheard_loss: float) -> tuple[int, int, int, int]:
    """One survey wave, account by account, in place: every account's fatigue phi *= ``keep``
    (1 - the week's recovery; 1 on its own); an active account responds if u < P(respond)
    (``response_probability``), its recommend score counted; every active account's fatigue
    phi += g (1 - phi); a respondent's sat -= ``unheard_loss`` sat (penalty (1 - alpha)).
    Returns (active accounts, respondents, promoters, detractors)."""
    n_active, respondents, promoters, detractors = 0, 0, 0, 0
    for i in range(exists.size):
        phi = survey_fatigue[i] * keep
        survey_fatigue[i] = phi
        if not exists[i] or churned[i]:
            continue
        n_active += 1
        sat = satisfaction[i]
        p = response_base * (1 - phi)
        p = min(max(p * (1 + satisfied_response_bias * (sat - 0.5)), 0.0), 1.0)
        survey_fatigue[i] = phi + fatigue_gain * (1 - phi)
        respond = np.float64(uniforms[i]) < p       # (no branch: who responds is random)
        score = recommend(sat, score_bias[i])
        respondents += respond
        promoters += respond & (score >= PROMOTER)
        detractors += respond & (score <= DETRACTOR)
        satisfaction[i] = sat - unheard_loss * sat if respond else sat
    return n_active, respondents, promoters, detractors


def survey(model, uniforms: np.ndarray, recovery: float = 0.0) -> None:
    """Send a survey wave to every active account and record what comes back (``survey_wave``;
    ``recovery``: the week's recovery of survey fatigue, applied to every account first)."""
    customers, org, m = model.customers, model.org, model.p.measurement
    n_active, respondents, promoters, detractors = survey_wave(
        uniforms, customers.exists, customers.churned, customers.satisfaction,
        customers.survey_fatigue, customers.score_bias, 1 - recovery, m.response_base,
        m.satisfied_response_bias, m.survey_fatigue_gain, m.unheard_penalty * (1 - org.action))
    org.survey_nps = promoter_score(promoters, detractors, respondents)
    org.survey_response_rate = 100.0 * respondents / max(1, n_active)


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
    if not model.policy.survey_weeks[model.week]:
        model.customers.survey_fatigue *= 1 - m.survey_fatigue_recovery
        return
    survey(model, uniforms, m.survey_fatigue_recovery)     # the recovery first, in the wave
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
N_ITEMS = len(CULTURE_ITEMS)
NOISE_ROWS = N_ITEMS + 1
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
    scale = noise_scale(sigma)
    return pair * scale - scale * np.float32(255)


def noise_scale(sigma: float) -> np.float32:
    """sigma sqrt(6) / 256 in float32: the noise per unit of b + b' (``item_noise``)."""
    return np.float32(sigma * math.sqrt(6.0) / 256)


def employee_response_probability(engagement: np.ndarray, fatigue: np.ndarray,
                                  params: Measurement) -> np.ndarray:
    """P(respond) = clip(r_e [1 + w_E (E - 1/2)]+ (1 - w_F F), 0, 1)."""
    p = params.employee_response_base * np.maximum(
        1 + params.employee_response_engagement * (engagement - 0.5), 0.0)
    p = p * (1 - params.employee_response_fatigue * fatigue)
    return np.clip(p, 0.0, 1.0)


@kernel
def through_manager(start: float, now: float, modelling: float) -> float:
    """A policy as a respondent meets it: its start plus its change, as far as their manager
    takes the change up and models it (M)."""
    return start + (now - start) * modelling


@kernel
def respondent_items(items: np.ndarray, orientation: float, safety: float, modelling: float,
                     contact: bool, collaboration: float, stories: float,
                     evidence_start: float, evidence_now: float, incentive_start: float,
                     incentive_now: float, commitment_start: float, commitment_now: float,
                     alone: bool) -> None:
    """d_k of one respondent into ``items`` (float32, ``CULTURE_ITEMS`` order), each in [0, 1] by
    construction: ``modelling`` is their manager's, ``stories`` = min(1, stories per week / 3),
    the policies go from their start to now; (10) is the mean of (1)-(9), summed in float32 as
    numpy summed them over the respondents (in turn; pairwise for a respondent ``alone``)."""
    items[0] = orientation
    items[1] = modelling
    items[2] = collaboration
    items[3] = safety
    items[4] = through_manager(evidence_start, evidence_now, modelling)
    items[5] = 1.0 if contact else 0.0
    items[6] = 0.5 * orientation + 0.5 * stories
    items[7] = min(1.0, through_manager(incentive_start, incentive_now, modelling)
                   / RECOGNITION_TARGET)
    items[8] = through_manager(commitment_start, commitment_now, modelling)
    if alone:       # one column: numpy summed the nine as one run, in eight partial sums
        overall = (((items[0] + items[1]) + (items[2] + items[3]))
                   + ((items[4] + items[5]) + (items[6] + items[7]))) + items[8]
    else:           # row by row, over the respondents
        overall = items[0]
        for k in range(1, N_ITEMS - 1):
            overall += items[k]
    items[N_ITEMS - 1] = overall / np.float32(N_ITEMS - 1)


@kernel
def items_of(orientation: np.ndarray, safety: np.ndarray, modelling: np.ndarray,
             contact: np.ndarray, collaboration: float, stories: float, evidence_start: float,
             evidence_now: float, incentive_start: float, incentive_now: float,
             commitment_start: float, commitment_now: float) -> np.ndarray:
    """``respondent_items`` of each person (columns)."""
    items = np.empty((N_ITEMS, orientation.size), np.float32)
    column = np.empty(N_ITEMS, np.float32)
    for i in range(orientation.size):
        respondent_items(column, orientation[i], safety[i], modelling[i], contact[i],
                         collaboration, stories, evidence_start, evidence_now, incentive_start,
                         incentive_now, commitment_start, commitment_now, orientation.size == 1)
        items[:, i] = column
    return items


def culture_items(orientation: np.ndarray, safety: np.ndarray, modelling: np.ndarray,
                  contact: np.ndarray, collaboration: float, stories_per_week: float,
                  evidence: tuple[float, float], incentive: tuple[float, float],
                  commitment: tuple[float, float]) -> np.ndarray:
    """d_ik: the ten items (rows, in ``CULTURE_ITEMS`` order) for each person (columns), each in
    [0, 1] (``respondent_items``). ``modelling`` is that of each person's manager (team); the
    policy arguments are (week 0, now) pairs."""
    return items_of(orientation, safety, modelling, contact, float(collaboration),
                    min(1.0, stories_per_week / STORIES_TARGET), *evidence, *incentive,
                    *commitment)


@kernel
def tinted_range(cynicism: float, rating_floor: float, cynicism_tint: float) -> np.float32:
    """(5 - floor) (1 - tint C): the span of the answers of a respondent of cynicism C, float32."""
    return np.float32((5.0 - rating_floor) * (1 - cynicism_tint * cynicism))


@kernel
def likert(latent: np.float32, noise: np.float32) -> int:
    """An answer on the 1-5 scale: clip(rint(latent + noise), 1, 5) (float32)."""
    return int(min(max(np.rint(latent + noise), 1.0), 5.0))


@kernel
def byte_noise(byte: np.uint8, other: np.uint8, scale: np.float32,
               offset: np.float32) -> np.float32:
    """``item_noise`` of one pair of random bytes: scale (b + b') - offset, float32."""
    return (np.float32(byte) + np.float32(other)) * scale - offset


@kernel
def answer_sums(items: np.ndarray, cynicism: np.ndarray, safety: np.ndarray,
                noise: np.ndarray, rating_floor: float, cynicism_tint: float) -> tuple[int, int]:
    """``employee_survey``'s answers, respondent by respondent: (sum of the item answers, sum of
    the safety answers); whole numbers, so exact."""
    floor = np.float32(rating_floor)
    item_total, safety_total = 0, 0
    for i in range(cynicism.size):
        tinted = tinted_range(cynicism[i], rating_floor, cynicism_tint)
        for k in range(N_ITEMS):
            item_total += likert(items[k, i] * tinted + floor, noise[k, i])
        safety_total += likert(np.float32(1.0 + 4.0 * safety[i]), noise[N_ITEMS, i])
    return item_total, safety_total


def employee_survey(items: np.ndarray, cynicism: np.ndarray, safety: np.ndarray,
                    noise: np.ndarray, params: Measurement) -> tuple[float, float]:
    """The respondents' (columns') mean answer to the ten items, a_ik = likert(floor + (5 - floor)
    d_ik (1 - tint C_i), e_ik), and to the safety item, likert(1 + 4 S_i, e_i); ``noise`` holds
    e (item rows, then the safety row). NaN for both with no respondent."""
    if cynicism.size == 0:
        return float("nan"), float("nan")
    item_total, safety_total = answer_sums(items, cynicism, safety, noise, params.rating_floor,
                                           params.cynicism_tint)
    return item_total / items.size, safety_total / cynicism.size


@kernel
def culture_wave(uniforms: np.ndarray, random_bytes: np.ndarray, filled: np.ndarray,
                 engagement: np.ndarray, fatigue: np.ndarray, orientation: np.ndarray,
                 safety: np.ndarray, cynicism: np.ndarray, team: np.ndarray,
                 modelling: np.ndarray, contact: np.ndarray, share: float,
                 response_base: float, response_engagement: float, response_fatigue: float,
                 collaboration: float, stories: float, evidence: np.ndarray,
                 incentive: np.ndarray, commitment: np.ndarray, t: int, rating_floor: float,
                 cynicism_tint: float, noise_scale: np.float32) -> tuple[int, int, int, int]:
    """One wave of the cultural assessment, post by post: a filled post is invited if u < s (in
    float32, as the uniform is) and answers if u < s P(respond) (``employee_response_probability``);
    a respondent's items (``respondent_items``; the policies of week 0 and week ``t``) and
    safety are answered as in ``employee_survey``, with the noise of their random bytes
    (``byte_noise``, ``noise_scale`` (b + b') - 255 ``noise_scale``). Returns (invited,
    respondents, sum of the item answers, sum of the safety answers); the answers are whole
    numbers, so the sums are exact."""
    rows = random_bytes.shape[0] // 2
    invite = np.float32(share)
    who = np.empty(filled.size, np.int64)
    asked, respondents = 0, 0
    for i in range(filled.size):       # no branches: who is invited and answers is random
        invited = filled[i] & (uniforms[i] < invite)
        p = response_base * max(1 + response_engagement * (engagement[i] - 0.5), 0.0)
        p = min(max(p * (1 - response_fatigue * fatigue[i]), 0.0), 1.0)
        who[respondents] = i
        respondents += invited & (np.float64(uniforms[i]) < share * p)
        asked += invited
    evidence_start, evidence_now = np.float64(evidence[0]), np.float64(evidence[t])
    incentive_start, incentive_now = np.float64(incentive[0]), np.float64(incentive[t])
    commitment_start, commitment_now = np.float64(commitment[0]), np.float64(commitment[t])
    noise_offset = noise_scale * np.float32(255)
    items = np.empty(N_ITEMS, np.float32)
    floor = np.float32(rating_floor)
    item_total, safety_total = 0, 0
    for j in range(respondents):
        i = who[j]
        respondent_items(items, orientation[i], safety[i], modelling[team[i]], contact[i],
                         collaboration, stories, evidence_start, evidence_now, incentive_start,
                         incentive_now, commitment_start, commitment_now, respondents == 1)
        tinted = tinted_range(cynicism[i], rating_floor, cynicism_tint)
        for k in range(N_ITEMS):
            noise = byte_noise(random_bytes[k, i], random_bytes[rows + k, i], noise_scale,
                               noise_offset)
            item_total += likert(items[k] * tinted + floor, noise)
        noise = byte_noise(random_bytes[N_ITEMS, i], random_bytes[rows + N_ITEMS, i],
                           noise_scale, noise_offset)                   # the safety item
        safety_total += likert(np.float32(1.0 + 4.0 * safety[i]), noise)
    return asked, respondents, item_total, safety_total


def assess_culture(model, contact: np.ndarray, stories_per_week: float,
                   draws: tuple[np.ndarray, np.ndarray]) -> EmployeeSurvey:
    """This month's cultural assessment of the model's workforce (``contact``: customer contact in
    the interaction window, per post; ``draws``: one ``draw_employee_survey`` block), by
    ``culture_wave``."""
    people, org, policy, t = model.people, model.org, model.policy, model.week
    m = model.p.measurement
    uniforms, random_bytes = draws
    asked, respondents, item_total, safety_total = culture_wave(
        uniforms, random_bytes, people.filled, people.engagement, people.fatigue,
        people.orientation, people.safety, people.cynicism, people.team, org.modelling, contact,
        m.culture_survey_share, m.employee_response_base, m.employee_response_engagement,
        m.employee_response_fatigue, float(org.collaboration),
        min(1.0, stories_per_week / STORIES_TARGET), policy.evidence, policy.incentive,
        policy.commitment, t, m.rating_floor, m.cynicism_tint, noise_scale(m.item_noise))
    if respondents:
        culture = item_total / (respondents * N_ITEMS)
        safety = safety_total / respondents
    else:
        culture = safety = float("nan")
    return EmployeeSurvey(culture, safety, 100.0 * respondents / asked if asked else 0.0,
                          respondents)


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


@kernel
def severity_loads(status: np.ndarray, severity: np.ndarray, hits: np.ndarray,
                   accounts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per account (slots ``accounts``): the severity of the surfaced and of the open (surfaced or
    silent) pain points hitting it: ``customer_experience.problem_loads`` (float32 as ``hits``,
    over the pain points in turn) of each."""
    surfaced_severity = np.zeros(status.size, np.float32)
    open_severity = np.zeros(status.size, np.float32)
    for k in range(status.size):
        if status[k] == SURFACED or status[k] == SILENT:
            open_severity[k] = severity[k]
            if status[k] == SURFACED:
                surfaced_severity[k] = severity[k]
    return (problem_loads(hits, surfaced_severity)[accounts],
            problem_loads(hits, open_severity)[accounts])


@kernel
def views(status: np.ndarray, severity: np.ndarray, hits: np.ndarray, exists: np.ndarray,
          churned: np.ndarray, satisfaction: np.ndarray, account_team: np.ndarray,
          n_teams: int, filled: np.ndarray, is_manager: np.ndarray, team: np.ndarray,
          adoption: np.ndarray, rhetoric: float,
          high: float) -> tuple[np.ndarray, np.ndarray, int, int]:
    """The perception gap, account by account, then manager by manager: each active account's
    v_c (``customer_view``, from its ``severity_loads``), the news reaching each team
    (``team_news``; the whole book's satisfaction as numpy sums it, ``pairwise_sum``), each
    staffed manager's v_m (``manager_view``). Returns (managers' views, customers' views, how
    many of each rate the organisation >= ``high``)."""
    book = np.empty(exists.size, np.int64)          # the active accounts' slots
    n = 0
    for a in range(exists.size):
        book[n] = a
        n += exists[a] & (not churned[a])
    book = book[:n]
    surfaced_loads, open_loads = severity_loads(status, severity, hits, book)
    customers_view = np.empty(n)
    book_satisfaction = np.empty(n)
    accounts = np.zeros(n_teams, np.int64)
    satisfaction_sum = np.zeros(n_teams)
    bad_news = np.zeros(n_teams)
    n_bad, customers_high = 0, 0
    for q in range(n):
        a = book[q]
        sat = satisfaction[a]
        surfaced = np.float64(surfaced_loads[q])
        heard = surfaced / np.float64(open_loads[q]) if open_loads[q] > 0 else 1.0
        view = sat * min(heard, 1.0)
        customers_view[q] = view
        customers_high += view >= high
        book_satisfaction[q] = sat
        g = account_team[a]
        accounts[g] += 1
        satisfaction_sum[g] += sat
        bad = surfaced > 0                          # bad news has reached the team's manager
        bad_news[g] += 1.0 if bad else 0.0
        n_bad += bad
    news = np.zeros(n_teams)
    quiet = np.ones(n_teams)
    if n:
        whole_book = pairwise_sum(book_satisfaction) / n
        for g in range(n_teams):
            if accounts[g]:
                news[g] = satisfaction_sum[g] / accounts[g]
                quiet[g] = 1.0 - bad_news[g] / accounts[g]
            else:                                   # a team serving none hears of every account
                news[g] = whole_book
                quiet[g] = 1.0 - n_bad / n
    managers_view = np.empty(filled.size)
    m, managers_high = 0, 0
    for i in range(filled.size):
        if filled[i] and is_manager[i]:
            g = team[i]
            view = (adoption[g] + rhetoric + news[g] + quiet[g]) / 4.0
            managers_view[m] = view
            managers_high += view >= high
            m += 1
    return managers_view[:m], customers_view, managers_high, customers_high


def perceive(model) -> tuple[np.ndarray, np.ndarray, int, int]:
    """``views`` of the model's state: (managers' views, customers' views, how many of each rate
    the organisation highly)."""
    people, customers, pain = model.people, model.customers, model.pain
    return views(pain.status, pain.severity, customers.hits, customers.exists, customers.churned,
                 customers.satisfaction, customers.account_team, model.teams.size,
                 people.filled, people.is_manager, people.team, model.teams.adoption,
                 float(model.policy.rhetoric[model.week]), HIGH_RATING)


def perceptions(model) -> tuple[np.ndarray, np.ndarray]:
    """(views of the staffed managers, views of the active customers), each 0-1."""
    managers_view, customers_view, _, _ = perceive(model)
    return managers_view, customers_view


def rated_highly(model) -> tuple[float, float]:
    """% of the staffed managers and % of the active customers who rate the organisation highly
    (v >= ``HIGH_RATING``); 0 for an empty group."""
    managers_view, customers_view, managers_high, customers_high = perceive(model)
    return (100.0 * (managers_high / managers_view.size) if managers_view.size else 0.0,
            100.0 * (customers_high / customers_view.size) if customers_view.size else 0.0)
