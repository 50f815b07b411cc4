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
"""

from __future__ import annotations

import numpy as np

from cxsim.model.mechanisms.engagement import anchor_for
from cxsim.model.parameters import Parameters
from cxsim.model.state import NEVER, People

TOP_PERFORMER_SKILL = 0.15


def skill(people: People, week: int, p: Parameters) -> np.ndarray:
    """S = min(1, 1 - (1 - s0) exp(-g tau) + 0.15 top), tau = weeks since hire."""
    w = p.workforce
    tenure = week - people.hired_week
    grown = 1.0 - (1.0 - w.new_hire_skill) * np.exp(-w.skill_growth * tenure)
    return np.minimum(grown + TOP_PERFORMER_SKILL * people.top_performer, 1.0)


def weekly_hazard(people: People, p: Parameters) -> np.ndarray:
    """h: each post's chance that its holder leaves this week."""
    w, ini = p.workforce, p.initial
    h0 = 1.0 - (1.0 - w.attrition_base) ** (1.0 / 52.0)
    # w_f (1 + (m - 1) top), for top performers and for the others
    fatigue_weight = np.where(people.top_performer,
                              w.fatigue_weight * (1 + (w.top_performer_fatigue_multiplier - 1)),
                              w.fatigue_weight)
    log_h = (w.engagement_weight * (ini.engagement_mean - people.engagement)
             + w.cynicism_weight * (people.cynicism - ini.cynicism_mean)
             + fatigue_weight * (people.fatigue - ini.fatigue_mean))
    return np.minimum(h0 * np.exp(log_h), 1.0)


def hire_orientation(p: Parameters, empathy_hiring: float) -> float:
    """Mean orientation of this week's hires."""
    w = p.workforce
    mismatch = p.risks.hiring_mismatch
    mean = (w.new_hire_orientation + w.empathy_hiring_gain * empathy_hiring * (1 - mismatch)
            - w.mismatch_loss * mismatch)
    return min(max(mean, 0.02), 0.98)


def step(model, uniforms: np.ndarray, normals: np.ndarray) -> None:
    """Draw leavers, fill posts whose lag is over. ``uniforms`` rows: leave, top."""
    p, people = model.p, model.people
    w = p.workforce
    filled = people.filled
    hazard = weekly_hazard(people, p)
    leave = filled & (uniforms[0] < hazard)
    leavers = np.count_nonzero(leave)
    if leavers:
        leave = leave.nonzero()[0]
        tally = model.tally
        tally.leavers += leavers
        if model.team_tally is not None:  # team rows asked for (team_metrics.py)
            model.team_tally.count_leavers(people.team[leave])
        people.filled[leave] = False
        people.vacancy_weeks[leave] = w.hiring_lag_weeks
        model.remove_agents(leave)
    vacant = ~people.filled
    people.vacancy_weeks -= vacant      # vacant posts count down; filled ones stay at 0
    hire = (vacant & (people.vacancy_weeks < 0)).nonzero()[0]
    if hire.size:
        _hire(model, hire, uniforms[1][hire], normals[hire])


def _hire(model, slots: np.ndarray, top_draw: np.ndarray, orientation_draw: np.ndarray) -> None:
    p, people, t = model.p, model.people, model.week
    ini = p.initial
    top = top_draw < p.organisation.top_performer_share
    mean = hire_orientation(p, model.policy.intensity["hiring_for_empathy"][t])
    orientation = np.minimum(np.maximum(mean + 0.15 * orientation_draw, 0.0), 1.0)
    people.filled[slots] = True
    people.vacancy_weeks[slots] = 0
    people.top_performer[slots] = top
    people.ambassador[slots] = False
    people.orientation[slots] = orientation
    people.orientation_anchor[slots] = orientation
    # A newcomer joins their team's climate and engagement (its manager's: state.py).
    team = people.team[slots]
    engagement = np.minimum(np.maximum(ini.engagement_mean + model.teams.engagement_shift[team],
                                       0.0), 1.0)
    cynicism = 0.5 * ini.cynicism_mean
    offset = model.teams.climate_shift[team]
    people.engagement[slots] = engagement
    people.cynicism[slots] = cynicism
    people.cynicism_anchor[slots] = cynicism
    people.safety_offset[slots] = offset
    people.fatigue[slots] = ini.fatigue_mean
    people.fatigue_anchor[slots] = ini.fatigue_mean
    people.meaning[slots] = 0.0
    people.engagement_anchor[slots] = anchor_for(engagement, cynicism, ini.fatigue_mean, 0.0,
                                                 p.engagement)
    people.safety[slots] = np.minimum(np.maximum(model.org.climate + offset, 0.0), 1.0)
    people.hired_week[slots] = t
    people.immersed[slots] = False
    people.last_interaction[slots] = NEVER
    managers = slots[people.is_manager[slots]]
    if managers.size:
        teams = model.teams
        led = people.team[managers]
        teams.adoption[led] = teams.adoption_anchor[led]
    model.add_people_agents(slots)
