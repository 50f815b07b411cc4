"""The people mechanisms' kernels against the plain numpy rules they replaced, bit for bit.

Each ``reference_*`` below is the vectorised weekly step as it was before the kernels (issue 12),
written with numpy over all posts. Two models built alike are put in the same random state
(vacancies, newcomers, top performers, ambassadors, beliefs anywhere in 0-1), then one steps with
the reference and the other with the mechanism's kernel, on the same random numbers; every state
array must come out the same to the bit.
"""

from __future__ import annotations

import numpy as np
import pytest

from cxsim.model import CXCultureModel, compiled, load_scenario
from cxsim.model.leadership import RITUALS
from cxsim.model.mechanisms import (
    engagement,
    fatigue,
    incentives,
    rituals,
    say_do,
    social_influence,
    workforce,
)
from cxsim.model.state import NEVER

# -- the numpy rules (the weekly step before the kernels) ------------------------------------


def reference_fatigue(model) -> float:
    p, org, people = model.p, model.org, model.people
    org.load = fatigue.weekly_load(p.load.base_load, model.policy.load[model.week])
    load = org.load * fatigue.team_staffing_load(people.team, people.filled,
                                                 model.teams.nominal_size, p.load.vacancy_cover)
    fatigue.update_fatigue(people.fatigue, load, p.load, people.fatigue_anchor, people.team)
    staff = np.count_nonzero(people.filled)
    # summed in slot order (np.add.accumulate is sequential), as the kernel sums
    return float(np.add.accumulate(people.fatigue[people.filled])[-1]) / staff if staff else 0.0


def reference_incentives(model) -> None:
    p, people, teams, policy, t = model.p, model.people, model.teams, model.policy, model.week
    org = model.org
    gap = policy.incentive[t] - p.incentives.reference_alignment
    incentives.orientation_pull(people.orientation, gap, p.incentives.orientation_pull)
    signal = incentives.adoption_signal(policy.commitment[t], gap,
                                        policy.evidence[t] - p.leadership.decision_evidence_base)
    resisting = teams.resistance_draw < p.risks.middle_management_resistance
    incentives.update_adoption(teams.adoption, teams.adoption_anchor, signal, resisting,
                               p.managers.adoption_rate)
    org.modelling = incentives.manager_modelling(teams.adoption,
                                                 people.fatigue[teams.manager_slot],
                                                 p.managers.modelling_weight)
    staffed = people.filled.astype(float)
    count = np.bincount(people.team, weights=staffed, minlength=teams.size)
    orientation = incentives.team_means(people.orientation, people.team, staffed, teams.size,
                                        count)
    mean_fatigue = incentives.team_means(people.fatigue, people.team, staffed, teams.size, count)
    org.fix_capacity = incentives.fix_capacity(teams.adoption, orientation, mean_fatigue,
                                               org.load, p.anti_patterns.cx_police,
                                               float(policy.budget_cut[t]), p)
    org.action = incentives.visible_action(org.fix_capacity, model.owner_teams)


def reference_rituals(model, uniforms: np.ndarray) -> None:
    p, people, t = model.p, model.people, model.week
    kinds, org, policy = p.initiative_kinds, model.org, model.policy
    sessions = [(row, name, policy.sessions[name][t]) for row, name in enumerate(RITUALS)]
    sessions = [(row, name, session) for row, name, session in sessions if session > 0]
    onboarding = policy.intensity["onboarding_immersion"][t]
    contact = np.zeros(people.size, bool)
    if sessions or onboarding > 0:
        pi = rituals.participation_propensity(p.levers.ritual_participation, people.engagement,
                                              people.fatigue, people.cynicism,
                                              org.modelling[people.team], p.rituals)
    if sessions:
        scope = model.ritual_reach * people.filled
        remote_scale = 1.0 - p.social.remote_ritual_loss * p.risks.remote_work
    for row, name, session in sessions:
        kind = getattr(kinds, name)
        invited = scope * kind.reach
        if kind.managers_only:
            invited = invited * people.is_manager
        took_part = uniforms[row] < session * pi * invited
        rituals.expose(people.orientation, people.orientation_anchor, took_part,
                       kind.exposure * remote_scale, p.rituals.anchor_drift)
        org.ritual_participants |= took_part
        if kind.interaction:
            contact |= took_part
        if name == "story_sharing":
            model.tally.stories += (p.leadership.stories_per_session * session *
                                    np.count_nonzero(took_part)
                                    / max(1, np.count_nonzero(people.filled)))
    if onboarding > 0:
        newcomer = people.filled & ~people.immersed & (
            people.hired_week > t - rituals.ONBOARDING_WEEKS)
        immersed = newcomer & (uniforms[len(RITUALS)] < onboarding * pi)
        rituals.expose(people.orientation, people.orientation_anchor, immersed,
                       kinds.onboarding_immersion.exposure, p.rituals.anchor_drift)
        people.immersed |= immersed
        contact |= immersed
    np.putmask(people.last_interaction, contact, t)
    lead = p.leadership
    outside = people.filled & ~people.frontline
    recent = outside & (people.last_interaction >= t - 13)
    share = np.count_nonzero(recent) / max(1, np.count_nonzero(outside))
    target = min(1.0, lead.collaboration_base * (1 - p.anti_patterns.cx_police)
                 + lead.collaboration_ritual_gain * share)
    org.collaboration += lead.collaboration_rate * (target - org.collaboration)
    org.contact = contact
    people.meaning *= 0.9
    people.meaning += 0.1 * contact
    rituals.decay_orientation(people.orientation, people.orientation_anchor,
                              p.rituals.orientation_decay)


def reference_say_do(model) -> None:
    p, policy, t, org, people = model.p, model.policy, model.week, model.org, model.people
    done = say_do.doing(policy.commitment[t],
                        policy.incentive[t] - p.incentives.reference_alignment,
                        org.action - org.action_at_start, p.say_do.action_weight)
    params, rhetoric = p.say_do, policy.rhetoric[t]
    gap = max(0.0, rhetoric - done)
    backed = min(rhetoric, done)
    cynicism = people.cynicism
    strain = params.fatigue_cynicism * np.maximum(people.fatigue - params.fatigue_threshold, 0.0)
    cynicism += (params.cynicism_gain * gap + strain) * (1 - cynicism)
    cynicism -= params.cynicism_relief * backed * cynicism
    np.minimum(np.maximum(cynicism, 0.0, out=cynicism), 1.0, out=cynicism)
    org.say_do_gap = gap


def reference_engagement(model) -> None:
    people, params = model.people, model.p.engagement
    target = (people.engagement_anchor - params.cynicism_weight * people.cynicism
              - params.fatigue_weight * people.fatigue + params.meaning_weight * people.meaning)
    people.engagement += params.relaxation * (target - people.engagement)
    np.minimum(np.maximum(people.engagement, 0.0, out=people.engagement), 1.0,
               out=people.engagement)


def reference_social_influence(model) -> None:
    p, people, teams = model.p, model.people, model.teams
    s = p.social
    rate = s.influence_rate * (1 - s.remote_tie_loss * p.risks.remote_work)
    weights = people.filled * (1 + (s.ambassador_weight - 1) * people.ambassador)
    team_weight = np.maximum(np.bincount(people.team, weights=weights, minlength=teams.size),
                             1e-9)
    total_weight = float(team_weight.sum())
    manager_present = people.filled[teams.manager_slot]
    w_manager, w_organisation, w_team = social_influence.circle_weights(s)
    for values, anchors in ((people.orientation, people.orientation_anchor),
                            (people.safety, model.org.safety_anchor),
                            (people.cynicism, people.cynicism_anchor)):
        shift = values - anchors
        means = social_influence.team_means(shift, people.team, weights, team_weight, teams.size)
        manager_view = np.where(manager_present, shift[teams.manager_slot], means)
        organisation = float(np.add.accumulate(weights * shift)[-1]) / total_weight
        target = w_manager * manager_view + w_organisation * organisation + w_team * means
        values += rate * (target[people.team] - shift)
        np.minimum(np.maximum(values, 0.0, out=values), 1.0, out=values)


def reference_workforce(model, uniforms: np.ndarray, normals: np.ndarray) -> None:
    p, people, t = model.p, model.people, model.week
    w, ini = p.workforce, p.initial
    leave = people.filled & (uniforms[0] < workforce.weekly_hazard(people, p))
    if leave.any():
        leave = leave.nonzero()[0]
        model.tally.leavers += leave.size
        if model.team_tally is not None:
            model.team_tally.count_leavers(people.team[leave])
        people.filled[leave] = False
        people.vacancy_weeks[leave] = w.hiring_lag_weeks
        model.remove_agents(leave)
    vacant = ~people.filled
    people.vacancy_weeks -= vacant
    slots = (vacant & (people.vacancy_weeks < 0)).nonzero()[0]
    if not slots.size:
        return
    top = uniforms[1][slots] < p.organisation.top_performer_share
    mean = workforce.hire_orientation(p, model.policy.intensity["hiring_for_empathy"][t])
    orientation = np.minimum(np.maximum(mean + 0.15 * normals[slots], 0.0), 1.0)
    people.filled[slots] = True
    people.vacancy_weeks[slots] = 0
    people.top_performer[slots] = top
    people.ambassador[slots] = False
    people.orientation[slots] = orientation
    people.orientation_anchor[slots] = orientation
    team = people.team[slots]
    engaged = np.minimum(np.maximum(ini.engagement_mean + model.teams.engagement_shift[team],
                                    0.0), 1.0)
    cynicism = 0.5 * ini.cynicism_mean
    offset = model.teams.climate_shift[team]
    people.engagement[slots] = engaged
    people.cynicism[slots] = cynicism
    people.cynicism_anchor[slots] = cynicism
    people.safety_offset[slots] = offset
    people.fatigue[slots] = ini.fatigue_mean
    people.fatigue_anchor[slots] = ini.fatigue_mean
    people.meaning[slots] = 0.0
    people.engagement_anchor[slots] = engagement.anchor_for(engaged, cynicism, ini.fatigue_mean,
                                                            0.0, p.engagement)
    people.safety[slots] = np.minimum(np.maximum(model.org.climate + offset, 0.0), 1.0)
    people.hired_week[slots] = t
    people.immersed[slots] = False
    people.last_interaction[slots] = NEVER
    managers = slots[people.is_manager[slots]]
    if managers.size:
        led = people.team[managers]
        model.teams.adoption[led] = model.teams.adoption_anchor[led]
    model.add_people_agents(slots)


# -- twin models in a shuffled state -----------------------------------------------------------

PEOPLE = ("filled", "vacancy_weeks", "top_performer", "ambassador", "orientation",
          "orientation_anchor", "engagement", "engagement_anchor", "safety", "safety_offset",
          "cynicism", "cynicism_anchor", "fatigue", "fatigue_anchor", "hired_week", "immersed",
          "last_interaction", "meaning")
TEAMS = ("adoption", "adoption_anchor")
ORG = ("load", "modelling", "fix_capacity", "action", "say_do_gap", "collaboration", "contact",
       "ritual_participants", "mean_fatigue")


def shuffled(seed: int, scenario: str, **overrides) -> CXCultureModel:
    """A model in a random state (the same for the same seed): beliefs anywhere in 0-1, a tenth
    of the posts vacant, recent hires, ambassadors, top performers, some ritual contact."""
    dotted = {key.replace("__", "."): value for key, value in overrides.items()}
    p = load_scenario(scenario, overrides={"organisation.employees": 60,
                                           "organisation.customers": 40, **dotted}).parameters
    model = CXCultureModel(p, seed=seed)
    rng = np.random.default_rng(seed)
    people, n = model.people, model.people.size
    for name in ("orientation", "orientation_anchor", "engagement", "safety", "cynicism",
                 "fatigue", "fatigue_anchor", "meaning"):
        getattr(people, name)[:] = rng.random(n)
    people.filled[:] = rng.random(n) > 0.1
    people.vacancy_weeks[:] = np.where(people.filled, 0, rng.integers(0, 4, n))
    people.hired_week[:] = rng.integers(-30, 2, n)
    people.immersed[:] = rng.random(n) < 0.5
    people.top_performer[:] = rng.random(n) < 0.2
    people.ambassador[:] = rng.random(n) < 0.1
    people.last_interaction[:] = np.where(rng.random(n) < 0.5, rng.integers(-20, 2, n), NEVER)
    model.teams.adoption[:] = rng.random(model.teams.size)
    model.org.safety_anchor = rng.random(n)
    model.org.mean_fatigue = 0.0
    return model


def assert_same_state(a: CXCultureModel, b: CXCultureModel) -> None:
    for group, names in (("people", PEOPLE), ("teams", TEAMS), ("org", ORG)):
        for name in names:
            x, y = getattr(getattr(a, group), name), getattr(getattr(b, group), name)
            assert np.array_equal(np.asarray(x), np.asarray(y)), f"{group}.{name}"
            assert np.asarray(x).dtype == np.asarray(y).dtype, f"{group}.{name} dtype"
    assert a.tally == b.tally


def week_of_people(model: CXCultureModel, uniforms: np.ndarray, normals: np.ndarray,
                   reference: bool) -> None:
    """The people mechanisms of one week, in the weekly order, by reference or kernel."""
    rows = len(RITUALS) + 1
    if reference:
        model.org.mean_fatigue = reference_fatigue(model)
        reference_incentives(model)
        reference_rituals(model, uniforms[:rows])
        reference_say_do(model)
        reference_engagement(model)
        reference_social_influence(model)
        reference_workforce(model, uniforms[rows:], normals)
    else:
        model.org.mean_fatigue = fatigue.step(model)
        incentives.step(model)
        rituals.step(model, uniforms[:rows])
        say_do.step(model)
        engagement.step(model)
        social_influence.step(model)
        workforce.step(model, uniforms[rows:], normals)


CASES = [
    (0, "techops_programme", {}),
    (1, "baseline", {}),
    (2, "techops_programme", {"anti_patterns__cx_police": 0.7, "risks__remote_work": 0.5,
                              "social__ambassador_weight": 4.5}),
    (3, "techops_programme", {"anti_patterns__change_fatigue": 1.0,
                              "risks__middle_management_resistance": 0.5,
                              "workforce__hiring_lag_weeks": 0,
                              "workforce__attrition_base": 0.9}),
    (4, "cx_theater", {"workforce__attrition_base": 0.6, "workforce__hiring_lag_weeks": 2,
                       "organisation__top_performer_share": 0.45}),
]


@pytest.mark.parametrize("seed, scenario, overrides", CASES)
def test_people_kernels_match_the_numpy_rules(seed, scenario, overrides):
    kernel, reference = shuffled(seed, scenario, **overrides), shuffled(seed, scenario,
                                                                         **overrides)
    rng = np.random.default_rng(100 + seed)
    n = kernel.people.size
    hires = leavers = 0
    for week in range(1, 40):
        kernel.week = reference.week = week
        uniforms = rng.random((len(RITUALS) + 3, n), dtype=np.float32)
        uniforms[-1] = rng.random(n, dtype=np.float32)  # top-performer draws right at the share
        uniforms[-1][:5] = np.float32(kernel.p.organisation.top_performer_share)
        normals = rng.standard_normal(n)
        before = reference.people.hired_week.copy()
        week_of_people(reference, uniforms, normals, reference=True)
        week_of_people(kernel, uniforms, normals, reference=False)
        assert_same_state(kernel, reference)
        hires += np.count_nonzero(reference.people.hired_week != before)
    leavers = reference.tally.leavers
    assert hires > 0 and leavers > 0     # the cases exercise hiring and leaving


def test_people_kernels_with_agents_keep_the_agents_of_the_posts():
    """Leavers' agents leave and hires' agents arrive, as before."""
    kernel, reference = (shuffled(5, "techops_programme", workforce__attrition_base=0.9,
                                  workforce__hiring_lag_weeks=0) for _ in range(2))
    rng = np.random.default_rng(5)
    n = kernel.people.size
    for week in range(1, 10):
        kernel.week = reference.week = week
        uniforms = rng.random((len(RITUALS) + 3, n), dtype=np.float32)
        normals = rng.standard_normal(n)
        week_of_people(reference, uniforms, normals, reference=True)
        week_of_people(kernel, uniforms, normals, reference=False)
        assert_same_state(kernel, reference)
        held = [[agent is not None and agent.slot for agent in model._people_agents]
                for model in (kernel, reference)]
        assert held[0] == held[1]
        assert (sorted(a.unique_id for a in kernel.agents)
                == sorted(a.unique_id for a in reference.agents))


@pytest.mark.parametrize("size", [*range(0, 140), 255, 256, 257, 799, 800, 1000, 5000])
def test_pairwise_sum_is_numpys_sum(size):
    rng = np.random.default_rng(size)
    values = rng.standard_normal(size) * 10.0 ** rng.uniform(-6, 6, size)
    assert compiled.pairwise_sum(values) == values.sum()
