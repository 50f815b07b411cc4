"""The voice loop's kernels against the plain numpy rules they replace, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from cxsim.model import CXCultureModel
from cxsim.model import cx_model as cxm
from cxsim.model.mechanisms import customer_experience, measurement, voice
from cxsim.model.parameters import Voice
from cxsim.model.state import FIXED, NOT_ARRIVED, OBSOLETE, SILENT, SURFACED

# -- the numpy rules (the voice loop before its kernels) -----------------------------------------


def numpy_accounts_of_teams(account_team, active, n_teams, order):
    accounts = order[active[order]]
    count = np.bincount(account_team[accounts], minlength=n_teams)
    return accounts, count.cumsum() - count, count


def numpy_pick_account_problems(accounts_by_team, team_start, team_count, teams, uniforms, hits,
                                severity_open):
    count = team_count[teams]
    scaled = uniforms * count
    index = np.minimum(scaled.astype(np.int64), np.maximum(count - 1, 0))
    rest = scaled - index
    candidates = severity_open.nonzero()[0]
    if accounts_by_team.size and candidates.size:
        account = accounts_by_team[np.minimum(team_start[teams] + index,
                                              accounts_by_team.size - 1)]
        weights = hits.take(account, axis=0)[:, candidates] * severity_open[candidates]
        cumulative = weights.cumsum(axis=1)
        total = cumulative[:, -1]
        pick = (cumulative <= (rest * total)[:, None]).sum(axis=1)
    else:
        total = np.zeros(teams.size, np.float32)
        pick = np.zeros(teams.size, np.int64)
    met = (count > 0) & (total > 0)
    return np.concatenate((candidates, (severity_open.size - 1,)))[pick], met


def numpy_service_recovery(model, teams, problems, uniforms, active):
    customers = model.customers
    lucky = ((uniforms < model.p.voice.recovery_gain) & active).nonzero()[0]
    if lucky.size == 0:
        return
    n_problems = model.pain.status.size
    reported = np.zeros(model.teams.size * n_problems, bool)
    reported[teams * n_problems + problems] = True
    helped = (reported.reshape(-1, n_problems)[customers.account_team[lucky]]
              & (customers.hits[lucky] > 0))
    rows, cols = helped.nonzero()
    if rows.size:
        customers.hits[lucky[rows], cols] = 0.0
        model.org.problems_changed = True


def numpy_on_fixed(model, fixed):
    hit = (model.customers.hits[:, fixed].sum(axis=1) > 0) & model.customers.active
    customer_experience.delight(model.customers.satisfaction, hit, model.p.customer_experience)
    measurement.visible_change(model.customers.survey_fatigue, hit, model.p.measurement)
    model.org.problems_changed = True


def numpy_step(model, uniforms, fix_uniforms, recovery_uniforms):
    """voice.step as numpy array code (cxsim before the kernels)."""
    p, people, teams, pain, t = model.p, model.people, model.teams, model.pain, model.week
    org, v, tally, status = model.org, p.voice, model.tally, model.pain.status
    arrived = (status == NOT_ARRIVED) & (pain.arrival_week <= t)
    if np.count_nonzero(arrived):
        status[arrived] = SILENT
        org.problems_changed = True
    postmortems = model.policy.intensity["blameless_postmortems"][t]
    climate = voice.safety_climate(p.levers.psychological_safety,
                                   postmortems * (1 - p.anti_patterns.blame_culture), v)
    org.climate = climate
    pain.evidence *= v.evidence_memory
    open_ = (status == SILENT) | (status == SURFACED)
    weights = (pain.weight * open_).cumsum()
    if weights[-1] > 0:
        meet = model.meet_chance + v.meet_in_ritual * org.contact
        who = (people.filled & (uniforms[0] < meet)).nonzero()[0]
        pick = uniforms[1][who]
        problem = weights.searchsorted(pick * weights[-1], side="right")
        at_front = people.frontline[who].nonzero()[0]
        customers = model.customers
        active = customers.active
        if at_front.size:
            accounts, start, count = numpy_accounts_of_teams(
                customers.account_team, active, teams.size, model.account_order)
            local, met = numpy_pick_account_problems(
                accounts, start, count, people.team[who[at_front]], pick[at_front],
                customers.hits, (pain.severity * open_).astype(np.float32))
            problem[at_front] = local
            if np.count_nonzero(met) < met.size:
                keep = np.ones(who.size, bool)
                keep[at_front[~met]] = False
                who, problem = who[keep], problem[keep]
        team = people.team[who]
        speak = voice.speak_up_probability(people.safety[who], people.orientation[who],
                                           people.cynicism[who], teams.fear[team], v)
        spoke = uniforms[2][who] < speak
        learn = voice.learn_probability(climate, teams.adoption, teams.disposition,
                                        p.managers.disposition_mean,
                                        p.anti_patterns.blame_culture, v)
        learned = spoke & (uniforms[3][who] < learn[team])
        heard = learned.nonzero()[0]
        blamed = (spoke & ~learned).nonzero()[0]
        messengers, scapegoats = who[heard], who[blamed]
        reported = problem[heard]
        pain.evidence += np.bincount(reported, minlength=pain.evidence.size)
        newly_surfaced = (status == SILENT) & (pain.evidence >= v.evidence_threshold)
        newly = np.count_nonzero(newly_surfaced)
        if newly:
            status[newly_surfaced] = SURFACED
        frontline = people.frontline[messengers].nonzero()[0]
        if frontline.size:
            numpy_service_recovery(model, team[heard[frontline]], reported[frontline],
                                   recovery_uniforms, active)
        if messengers.size:
            safety = people.safety[messengers]
            people.safety[messengers] = safety + v.learn_safety_gain * (1 - safety)
        teams.fear *= v.fear_memory
        if scapegoats.size:
            safety = people.safety[scapegoats]
            people.safety[scapegoats] = safety - v.blame_safety_loss * safety
            cynicism = people.cynicism[scapegoats]
            people.cynicism[scapegoats] = cynicism + v.blame_cynicism_gain * (1 - cynicism)
            blames = np.bincount(team[blamed], minlength=teams.size)
            teams.fear += blames
            people.safety -= (v.blame_team_safety_loss * blames)[people.team] * people.safety
        tally.problems_met += who.size
        tally.spoke_up += int(np.count_nonzero(spoke))
        tally.blamed += scapegoats.size
        tally.surfaced += int(newly)
    else:
        teams.fear *= v.fear_memory
    org.safety_anchor = voice.safety_target(people.safety_offset, climate)
    people.safety += v.safety_relaxation * (org.safety_anchor - people.safety)
    np.minimum(np.maximum(people.safety, 0.0, out=people.safety), 1.0, out=people.safety)
    fixed = (status == SURFACED) & (fix_uniforms < v.fix_rate * org.fix_capacity[pain.owner])
    n_fixed = np.count_nonzero(fixed)
    if n_fixed:
        status[fixed] = FIXED
        tally.fixed += int(n_fixed)
        numpy_on_fixed(model, fixed)
    obsolete = (open_ & (status != FIXED)) & (
        fix_uniforms >= 1.0 - p.pain_points.obsolescence_per_week) & (fix_uniforms < 1.0)
    if np.count_nonzero(obsolete):
        status[obsolete] = OBSOLETE
        org.problems_changed = True


def numpy_problem_load(customers, pain):
    open_ = (pain.status == SILENT) | (pain.status == SURFACED)
    # summed over the problems in order, in float32 (as the kernel does; not BLAS's order)
    terms = customers.hits * (pain.severity * open_).astype(np.float32)
    return np.add.accumulate(terms, axis=1)[:, -1].astype(float)


# -- the state the voice loop writes ---------------------------------------------------------


def voice_state(model) -> dict[str, object]:
    people, teams, pain, customers, org = (model.people, model.teams, model.pain,
                                           model.customers, model.org)
    return {
        "safety": people.safety, "cynicism": people.cynicism, "fear": teams.fear,
        "status": pain.status, "evidence": pain.evidence, "hits": customers.hits,
        "satisfaction": customers.satisfaction, "survey_fatigue": customers.survey_fatigue,
        "safety_anchor": org.safety_anchor, "climate": org.climate,
        "problems_changed": org.problems_changed, "tally": vars(model.tally),
    }


def assert_same_state(a, b) -> None:
    for key, value in voice_state(a).items():
        other = voice_state(b)[key]
        if isinstance(value, np.ndarray):
            assert value.dtype == other.dtype, key
            np.testing.assert_array_equal(value, other, err_msg=key, strict=True)
        else:
            assert value == other, key


OVERRIDES = [
    {},
    {"anti_patterns__blame_culture": 0.6, "voice__recovery_gain": 0.9},
    {"voice__meet_frontline": 1.0, "voice__meet_other": 0.5, "voice__evidence_threshold": 1.0,
     "voice__fix_rate": 0.8, "pain_points__obsolescence_per_week": 0.1},
]


@pytest.mark.parametrize("overrides", OVERRIDES)
@pytest.mark.parametrize("scenario", ["baseline", "techops_programme"])
def test_step_is_the_numpy_rule_bit_for_bit(small_params, scenario, overrides) -> None:
    params = small_params(scenario, **overrides)
    kernels, arrays = (CXCultureModel(params, seed=5, agents=False) for _ in range(2))
    rng = np.random.default_rng(11)
    for week in range(1, 40):
        for model in (kernels, arrays):
            model.week = week
            model.org.contact[:] = False
        contact = rng.random(kernels.people.size) < 0.2
        uniforms = rng.random((4, kernels.people.size), dtype=np.float32)
        fix_u = rng.random(kernels.pain.status.size, dtype=np.float32)
        recovery_u = rng.random(kernels.customers.exists.size, dtype=np.float32)
        kernels.org.contact[:] = contact
        arrays.org.contact[:] = contact
        voice.step(kernels, uniforms, fix_u, recovery_u)
        numpy_step(arrays, uniforms, fix_u, recovery_u)
        assert_same_state(kernels, arrays)
        if week % 5 == 0:   # churn some accounts: teams with fewer (or no) active accounts
            churned = rng.random(kernels.customers.exists.size) < 0.3
            for model in (kernels, arrays):
                model.customers.churned |= churned
        np.testing.assert_array_equal(cxm.problem_load(kernels.customers, kernels.pain),
                                      numpy_problem_load(arrays.customers, arrays.pain))


def test_step_with_no_open_problem_only_fades_fear(small_model) -> None:
    model = small_model(seed=3)
    model.pain.status[:] = FIXED
    model.teams.fear[:] = 2.0
    met_before = model.tally.problems_met
    uniforms = np.zeros((4, model.people.size), np.float32)
    voice.step(model, uniforms, np.ones(model.pain.status.size, np.float32),
               np.zeros(model.customers.exists.size, np.float32))
    assert model.tally.problems_met == met_before
    np.testing.assert_array_equal(model.teams.fear, np.full(model.teams.size, 2.0 * 0.85))


def test_pick_account_problem_is_the_numpy_rule() -> None:
    rng = np.random.default_rng(0)
    for trial in range(200):
        n_slots, n_pain, n_teams = rng.integers(1, 40), rng.integers(1, 30), rng.integers(1, 6)
        account_team = rng.integers(0, n_teams, n_slots)
        active = rng.random(n_slots) < 0.7
        order = np.argsort(account_team, kind="stable")
        hits = (rng.random((n_slots, n_pain)) < rng.random()).astype(np.float32)
        severity_open = rng.random(n_pain).astype(np.float32)
        severity_open[rng.random(n_pain) < 0.4] = 0
        if trial % 7 == 0:   # ties: equal severities
            severity_open[severity_open > 0] = np.float32(0.25)
        teams = rng.integers(0, n_teams, 50)
        uniforms = rng.random(50, dtype=np.float32)
        uniforms[:3] = (0.0, np.float32(0.5), np.float32(1 - 2 ** -24))
        accounts, start, count = numpy_accounts_of_teams(account_team, active, n_teams, order)
        expected, met = numpy_pick_account_problems(accounts, start, count, teams, uniforms,
                                                    hits, severity_open)
        k_accounts, k_start, k_count = voice.accounts_of_teams(order, active, account_team,
                                                               n_teams)
        np.testing.assert_array_equal(k_accounts[:accounts.size], accounts)
        np.testing.assert_array_equal(k_start, start)
        np.testing.assert_array_equal(k_count, count)
        candidates = np.flatnonzero(severity_open)
        running = np.empty(candidates.size, np.float32)
        got = np.array([voice.pick_account_problem(u, g, k_accounts, k_start, k_count, hits,
                                                   candidates, severity_open, running)
                        for u, g in zip(uniforms, teams, strict=True)])
        np.testing.assert_array_equal(got >= 0, met)
        np.testing.assert_array_equal(got[met], expected[met])


def test_per_person_rules_are_the_array_rules() -> None:
    rng = np.random.default_rng(1)
    v = Voice()
    s, o, c, f = rng.random(1000), rng.random(1000), rng.random(1000), 3 * rng.random(1000)
    speak = voice.speak_up_probability(s, o, c, f, v)
    one = np.array([voice.speak_up(*x, v.intercept, v.safety_weight, v.orientation_weight,
                                   v.cynicism_weight, v.fear_weight)
                    for x in zip(s, o, c, f, strict=True)])
    # the same expression; only exp may differ in the last bit (numpy's own vs the C library's)
    np.testing.assert_allclose(one, speak, rtol=4e-16, atol=0)
    adoption, disposition = rng.random(1000), rng.random(1000)
    for climate, blame in ((0.1, 0.0), (0.9, 0.3), (1.0, 1.0)):
        learn = voice.learn_probability(climate, adoption, disposition, 0.5, blame, v)
        one = np.array([voice.learn_chance(climate, a, d, 0.5, blame, v.learn_floor,
                                           v.adoption_learn_gain, v.disposition_learn_weight)
                        for a, d in zip(adoption, disposition, strict=True)])
        np.testing.assert_array_equal(one, learn)


def test_service_recovery_is_the_numpy_rule(small_model) -> None:
    rng = np.random.default_rng(2)
    for seed in range(5):
        kernels, arrays = small_model(seed=seed), small_model(seed=seed)
        customers = kernels.customers
        customers.churned[:] = arrays.customers.churned[:] = rng.random(customers.exists.size) < .2
        n = 12
        teams = rng.choice(np.unique(customers.account_team), n)
        problems = rng.integers(0, kernels.pain.status.size, n)
        uniforms = rng.random(customers.exists.size, dtype=np.float32)
        voice.service_recovery(kernels, teams, problems, uniforms)
        numpy_service_recovery(arrays, teams, problems, uniforms, arrays.customers.active)
        np.testing.assert_array_equal(kernels.customers.hits, arrays.customers.hits)
        assert kernels.org.problems_changed == arrays.org.problems_changed


def test_on_fixed_is_the_numpy_rule(small_model) -> None:
    rng = np.random.default_rng(3)
    kernels, arrays = small_model(seed=4), small_model(seed=4)
    for _ in range(5):
        fixed = rng.random(kernels.pain.status.size) < 0.1
        churned = rng.random(kernels.customers.exists.size) < 0.1
        kernels.customers.churned |= churned
        arrays.customers.churned |= churned
        kernels.on_fixed(fixed)
        numpy_on_fixed(arrays, fixed)
        assert_same_state(kernels, arrays)
