"""Mechanism 7: workforce flow (001 §10 AP 5, hiring mismatch, §11 hiring for empathy;
Harrison & Carroll 1991; Harter et al. 2002; MODEL_BRIEF §3.7).

Skill rises with tenure tau (weeks since hire), from s0 for a newcomer, faster for top performers:
S = min(1, 1 - (1 - s0) exp(-g tau) + 0.15 top). Each week a person leaves with hazard

    h = h0 exp(w_e (E0 - E) + w_c (C - C0) + w_f (F - F0) (1 + (m - 1) top))

with h0 = 1 - (1 - ``workforce.attrition_base``)^(1/52) and E0, C0, F0 the initial means, so the
base rate is the attrition of the organisation as it starts. Fatigue drives top performers out
first (m). A leaver's post stays vacant for the hiring lag, then a newcomer takes it: low skill,
orientation drawn around

    O_hire = ``new_hire_orientation`` + ``empathy_hiring_gain`` I_hiring(t) (1 - mismatch)
             - ``mismatch_loss`` mismatch

where mismatch = ``risks.hiring_mismatch``: hiring keeps selecting for technical skill only, so
revised criteria do not take hold and newcomers arrive less oriented than today's staff.
Onboarding immersion (rituals.py) then lifts them. Reads every ``workforce.*`` parameter.

The week is one compiled kernel (``flow``), post by post: the holder leaves or stays; a vacant post
counts down; one whose lag is over takes a newcomer. ``weekly_hazard`` is the same hazard over
arrays (the monthly row's expected turnover, and tests).
"""

from __future__ import annotations

import math

import numpy as np

from cxsim.model.compiled import kernel
from cxsim.model.parameters import Parameters
from cxsim.model.state import NEVER, People

TOP_PERFORMER_SKILL = 0.15


@kernel
def skill_at(tenure: float, top_performer: bool, new_hire_skill: float,
             skill_growth: float) -> float:
    """S = min(1, 1 - (1 - s0) exp(-g tau) + 0.15 top) for one person of tenure tau."""
    grown = 1.0 - (1.0 - new_hire_skill) * math.exp(-skill_growth * tenure)
    return min(grown + TOP_PERFORMER_SKILL * top_performer, 1.0)


@kernel
def skills(week: int, hired_week: np.ndarray, top_performer: np.ndarray,
           new_hire_skill: float, skill_growth: float) -> np.ndarray:
    """``skill_at`` for every post."""
    out = np.empty(hired_week.size)
    for i in range(hired_week.size):
        out[i] = skill_at(float(week - hired_week[i]), top_performer[i], new_hire_skill,
                          skill_growth)
    return out


def skill(people: People, week: int, p: Parameters) -> np.ndarray:
    """S = min(1, 1 - (1 - s0) exp(-g tau) + 0.15 top), tau = weeks since hire, per post."""
    w = p.workforce
    return skills(week, people.hired_week, people.top_performer, w.new_hire_skill,
                  w.skill_growth)


def base_hazard(p: Parameters) -> float:
    """h0 = 1 - (1 - ``workforce.attrition_base``)^(1/52)."""
    return 1.0 - (1.0 - p.workforce.attrition_base) ** (1.0 / 52.0)


def top_fatigue_weight(p: Parameters) -> float:
    """w_f (1 + (m - 1)): the fatigue weight of a top performer."""
    w = p.workforce
    return w.fatigue_weight * (1 + (w.top_performer_fatigue_multiplier - 1))


@kernel
def hazard(engagement: float, cynicism: float, fatigue: float, top_performer: bool, h0: float,
           engagement_weight: float, cynicism_weight: float, fatigue_weight: float,
           top_fatigue_weight: float, engagement_mean: float, cynicism_mean: float,
           fatigue_mean: float) -> float:
    """h = min(1, h0 exp(w_e (E0 - E) + w_c (C - C0) + w_f (F - F0) (1 + (m - 1) top))) for one
    holder (the C library's exp)."""
    weight = top_fatigue_weight if top_performer else fatigue_weight
    log_h = (engagement_weight * (engagement_mean - engagement)
             + cynicism_weight * (cynicism - cynicism_mean)
             + weight * (fatigue - fatigue_mean))
    return min(h0 * math.exp(log_h), 1.0)


@kernel
def hazards(engagement: np.ndarray, cynicism: np.ndarray, fatigue: np.ndarray,
            top_performer: np.ndarray, h0: float, engagement_weight: float,
            cynicism_weight: float, fatigue_weight: float, top_fatigue_weight: float,
            engagement_mean: float, cynicism_mean: float, fatigue_mean: float) -> np.ndarray:
    """h = min(1, h0 exp(w_e (E0 - E) + w_c (C - C0) + w_f (F - F0) (1 + (m - 1) top))) per
    post (the rule ``flow`` applies to each holder)."""
    out = np.empty(engagement.size)
    for i in range(engagement.size):
        out[i] = hazard(engagement[i], cynicism[i], fatigue[i], top_performer[i], h0,
                        engagement_weight, cynicism_weight, fatigue_weight, top_fatigue_weight,
                        engagement_mean, cynicism_mean, fatigue_mean)
    return out


def weekly_hazard(people: People, p: Parameters) -> np.ndarray:
    """h: each post's chance that its holder leaves this week."""
    w, ini = p.workforce, p.initial
    return hazards(people.engagement, people.cynicism, people.fatigue, people.top_performer,
                   base_hazard(p), w.engagement_weight, w.cynicism_weight, w.fatigue_weight,
                   top_fatigue_weight(p), ini.engagement_mean, ini.cynicism_mean,
                   ini.fatigue_mean)


def hire_orientation(p: Parameters, empathy_hiring: float) -> float:
    """Mean orientation of this week's hires."""
    w = p.workforce
    mismatch = p.risks.hiring_mismatch
    empathy_hiring = float(empathy_hiring)   # the same value; Python arithmetic is faster
    mean = (w.new_hire_orientation + w.empathy_hiring_gain * empathy_hiring * (1 - mismatch)
            - w.mismatch_loss * mismatch)
    return min(max(mean, 0.02), 0.98)


@kernel
def flow(t: int, leave_draw: np.ndarray, top_draw: np.ndarray, orientation_draw: np.ndarray,
         h0: float, engagement_weight: float, cynicism_weight: float, fatigue_weight: float,
         top_fatigue_weight: float, engagement_mean: float, cynicism_mean: float,
         fatigue_mean: float, hiring_lag: int, top_share: np.floating, hire_orientation: float,
         hire_cynicism: float, hire_anchor_cynicism: float, hire_anchor_fatigue: float,
         hire_anchor_meaning: float, climate: float, team: np.ndarray, is_manager: np.ndarray,
         engagement_shift: np.ndarray, climate_shift: np.ndarray, adoption: np.ndarray,
         adoption_anchor: np.ndarray, filled: np.ndarray, vacancy_weeks: np.ndarray,
         top_performer: np.ndarray, ambassador: np.ndarray, orientation: np.ndarray,
         orientation_anchor: np.ndarray, engagement: np.ndarray,
         engagement_anchor: np.ndarray, safety: np.ndarray, safety_offset: np.ndarray,
         cynicism: np.ndarray, cynicism_anchor: np.ndarray, fatigue: np.ndarray,
         fatigue_anchor: np.ndarray, meaning: np.ndarray, hired_week: np.ndarray,
         immersed: np.ndarray, last_interaction: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Week ``t``'s leavers, vacancies and hires, post by post, in place; returns the slots of
    the leavers and of the hires (ascending). A hire's engagement anchor is
    ``engagement.anchor_for``'s, with ``hire_anchor_*`` its three terms w_c C, w_f F0 and w_m 0."""
    leavers = np.empty(team.size, np.int64)
    hires = np.empty(team.size, np.int64)
    n_leavers, n_hires = 0, 0
    for i in range(team.size):
        if filled[i]:
            weight = top_fatigue_weight if top_performer[i] else fatigue_weight
            log_h = (engagement_weight * (engagement_mean - engagement[i])
                     + cynicism_weight * (cynicism[i] - cynicism_mean)
                     + weight * (fatigue[i] - fatigue_mean))
            # exp(x) <= 1 / (1 - x) for x < 1: a draw above h0 / (1 - x) (with a margin far
            # wider than rounding) is above h, and most are, so exp is seldom needed.
            if log_h < 0.5 and leave_draw[i] >= h0 / (1.0 - log_h) * (1.0 + 1e-9):
                continue
            if leave_draw[i] < min(h0 * math.exp(log_h), 1.0):     # the holder leaves
                filled[i] = False
                vacancy_weeks[i] = hiring_lag
                leavers[n_leavers] = i
                n_leavers += 1
        if filled[i]:
            continue
        vacancy_weeks[i] -= 1           # a vacant post counts down
        if vacancy_weeks[i] >= 0:
            continue
        # The lag is over: a newcomer takes the post, in their team's climate and engagement
        # (its manager's: state.py).
        g = team[i]
        o = min(max(hire_orientation + 0.15 * orientation_draw[i], 0.0), 1.0)
        e = min(max(engagement_mean + engagement_shift[g], 0.0), 1.0)
        filled[i] = True
        vacancy_weeks[i] = 0
        top_performer[i] = top_draw[i] < top_share
        ambassador[i] = False
        orientation[i] = o
        orientation_anchor[i] = o
        engagement[i] = e
        cynicism[i] = hire_cynicism
        cynicism_anchor[i] = hire_cynicism
        safety_offset[i] = climate_shift[g]
        fatigue[i] = fatigue_mean
        fatigue_anchor[i] = fatigue_mean
        meaning[i] = 0.0
        engagement_anchor[i] = (e + hire_anchor_cynicism + hire_anchor_fatigue
                                - hire_anchor_meaning)
        safety[i] = min(max(climate + climate_shift[g], 0.0), 1.0)
        hired_week[i] = t
        immersed[i] = False
        last_interaction[i] = NEVER
        if is_manager[i]:               # a new manager starts from the team's first adoption
            adoption[g] = adoption_anchor[g]
        hires[n_hires] = i
        n_hires += 1
    return leavers[:n_leavers], hires[:n_hires]


def step(model, uniforms: np.ndarray, normals: np.ndarray) -> None:
    """Draw leavers, fill posts whose lag is over. ``uniforms`` rows: leave, top."""
    p, people, teams, t = model.p, model.people, model.teams, model.week
    w, ini, e = p.workforce, p.initial, p.engagement
    hire_cynicism = 0.5 * ini.cynicism_mean
    leave, hire = flow(
        t, uniforms[0], uniforms[1], normals, base_hazard(p), w.engagement_weight,
        w.cynicism_weight, w.fatigue_weight, top_fatigue_weight(p), ini.engagement_mean,
        ini.cynicism_mean, ini.fatigue_mean, w.hiring_lag_weeks,
        # numpy compares the draws with a Python float share in the draws' precision
        uniforms.dtype.type(p.organisation.top_performer_share),
        hire_orientation(p, model.policy.intensity["hiring_for_empathy"][t]), hire_cynicism,
        e.cynicism_weight * hire_cynicism, e.fatigue_weight * ini.fatigue_mean,
        e.meaning_weight * 0.0, float(model.org.climate), people.team, people.is_manager,
        teams.engagement_shift, teams.climate_shift, teams.adoption, teams.adoption_anchor,
        people.filled, people.vacancy_weeks, people.top_performer, people.ambassador,
        people.orientation, people.orientation_anchor, people.engagement,
        people.engagement_anchor, people.safety, people.safety_offset, people.cynicism,
        people.cynicism_anchor, people.fatigue, people.fatigue_anchor, people.meaning,
        people.hired_week, people.immersed, people.last_interaction)
    if leave.size:
        model.tally.leavers += leave.size
        if model.team_tally is not None:  # team rows asked for (team_metrics.py)
            model.team_tally.count_leavers(people.team[leave])
        model.remove_agents(leave)
    if hire.size:
        model.add_people_agents(hire)
