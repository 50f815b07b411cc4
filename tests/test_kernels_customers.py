"""The customer mechanisms' kernels against the plain numpy rules they replaced, bit for bit.

Each ``reference_*`` below is the vectorised rule as it was before the kernels (issue
"Throughput"), written with numpy over all slots. Two models built alike are put in the same random
state (vacancies, hires, beliefs anywhere in 0-1, open problems, churned accounts, accounts due to
renew, promoters, load past capacity), then one runs the reference and the other the mechanism's
kernel, on the same random numbers; every state array must come out the same to the bit.

Three rules changed on purpose, for the same bits on every machine (numpy's SIMD exp and
OpenBLAS's kernels depend on the CPU): the problem loads are float32 sums over the problems in
turn (BLAS summed in its own order), P(churn) uses the C library's exp, and the utility table
uses a fixed Gauss-Hermite rule (hermegauss calls LAPACK) summed in turn. The references state the
new rules with numpy (``np.add.accumulate`` sums in turn; Python's ``math.exp`` is the C
library's), and ``test_*_close_to_the_old_rule`` checks each against the old one.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pytest

from cxsim.model import CXCultureModel, cx_model, load_scenario
from cxsim.model.mechanisms import churn, customer_experience, voice, workforce
from cxsim.model.state import BACK_OFFICE, FIXED, NEVER, NOT_ARRIVED, PRODUCT, SILENT, SURFACED

# -- the numpy rules (before the kernels) -------------------------------------------------------


def reference_post_quality(model, load: float | None = None) -> np.ndarray:
    p, people = model.p, model.people
    skill = workforce.skill(people, model.week, p)
    q = customer_experience.service_quality(skill, people.orientation, people.engagement,
                                            people.filled, p.customer_experience)
    return q * customer_experience.time_for_service(
        model.org.load if load is None else load, p.load.capacity, p.load.service_overload_loss)


def reference_team_quality(model, load: float | None = None,
                           q: np.ndarray | None = None) -> np.ndarray:
    q = reference_post_quality(model, load) if q is None else q
    teams = model.teams
    return np.bincount(model.people.team, weights=q, minlength=teams.size) / teams.nominal_size


def reference_served_quality(model, load: float | None = None, q: np.ndarray | None = None,
                             team: np.ndarray | None = None) -> np.ndarray:
    p, people, teams = model.p, model.people, model.teams
    cx = p.customer_experience
    q = reference_post_quality(model, load) if q is None else q
    team = reference_team_quality(model, load, q) if team is None else team
    product, back = people.function == PRODUCT, people.function == BACK_OFFICE
    n_product, n_back = int(np.count_nonzero(product)), int(np.count_nonzero(back))
    back_office = float(q[back].sum()) / max(1, n_back)
    # the product posts' sums in post order (np.add.accumulate and np.bincount are sequential)
    product_mean = float(np.add.accumulate(q[product])[-1]) / n_product if n_product else 0.0
    segment = teams.segment[people.team]
    building = product & (segment >= 0)
    posts = np.bincount(segment[building], minlength=teams.size).astype(float)
    sums = np.bincount(segment[building], weights=q[building], minlength=teams.size)
    segment_product = np.where(posts > 0, sums / np.maximum(posts, 1.0), product_mean)
    share = n_product / max(1, n_product + n_back)
    return (cx.frontline_weight * team + (1 - cx.frontline_weight)
            * (share * segment_product + (1 - share) * back_office))


def reference_touchpoint_quality(model, load: float | None = None, q: np.ndarray | None = None,
                                 served: np.ndarray | None = None) -> np.ndarray:
    cx, customers = model.p.customer_experience, model.customers
    served = reference_served_quality(model, load, q) if served is None else served
    return served[customers.account_team] - cx.problem_weight * customers.problem_load


def old_problem_load(customers, pain) -> np.ndarray:
    """Before: BLAS's float32 matrix-vector product."""
    return (customers.hits @ voice.open_severity(pain.status, pain.severity)).astype(float)


def reference_problem_load(customers, pain) -> np.ndarray:
    """Now: float32 sums over the problems in turn (np.add.accumulate is sequential)."""
    terms = customers.hits * voice.open_severity(pain.status, pain.severity)
    if terms.shape[1] == 0:
        return np.zeros(terms.shape[0])
    return np.add.accumulate(terms, axis=1)[:, -1].astype(float)


def old_churn_probability(record, problem_record, params) -> np.ndarray:
    """Before: numpy's exp."""
    z = (params.intercept + params.satisfaction_weight * (params.reference_satisfaction
                                                          - record)
         + params.problem_weight * problem_record)
    return 1.0 / (1.0 + np.exp(-z))


def reference_churn_probability(record, problem_record, params) -> np.ndarray:
    """Now: the C library's exp (Python's math.exp)."""
    z = (params.intercept + params.satisfaction_weight * (params.reference_satisfaction
                                                          - record)
         + params.problem_weight * problem_record)
    return 1.0 / (1.0 + np.array([math.exp(v) for v in -np.asarray(z).ravel()]).reshape(
        np.shape(z)))


def old_utility_table(params) -> np.ndarray:
    """Before: hermegauss's rule, BLAS's matrix-vector product."""
    mu = np.linspace(-2.0, 2.0, 401)
    nodes, weights = np.polynomial.hermite_e.hermegauss(32)
    draws = mu[:, None] + params.quality_noise * nodes[None, :]
    mean_u = customer_experience.experience_utility(draws, params) @ (
        weights / math.sqrt(2 * math.pi))
    return np.maximum.accumulate(mean_u + 1e-12 * np.arange(mu.size))


def reference_utility_table(params) -> np.ndarray:
    """Now: the fixed rule, summed in turn."""
    mu = np.linspace(-2.0, 2.0, 401)
    nodes, weights = customer_experience.hermite_rule()
    draws = mu[:, None] + params.quality_noise * nodes[None, :]
    terms = customer_experience.experience_utility(draws, params) * (
        weights / math.sqrt(2 * math.pi))
    mean_u = np.add.accumulate(terms, axis=1)[:, -1]
    return np.maximum.accumulate(mean_u + 1e-12 * np.arange(mu.size))


def reference_touchpoints(model, normals: np.ndarray) -> None:
    """customer_experience.step as it was (with CXCultureModel.refresh_problem_load)."""
    customers = model.customers
    cx = model.p.customer_experience
    if model.org.problems_changed:
        customers.problem_load = reference_problem_load(customers, model.pain)
        model.org.problems_changed = False
    org = model.org
    q = reference_post_quality(model)
    org.served_quality = reference_served_quality(model, q=q)
    expected = org.expected_quality = reference_touchpoint_quality(model, q=q,
                                                                   served=org.served_quality)
    active = customers.active
    for noise in normals:
        gap = expected + cx.quality_noise * noise - customers.expectation
        utility = customer_experience.experience_utility(gap, cx)
        customers.satisfaction += cx.memory * (utility - customers.satisfaction) * active


def reference_move_expectations(model) -> None:
    customers, cx = model.customers, model.p.customer_experience
    target = customer_experience.expectation_target(
        customers.expectation_anchor, model.org.expected_quality, customers.quality_anchor,
        float(model.policy.rhetoric[model.week]), cx)
    customers.expectation += cx.expectation_rate * (target - customers.expectation)


def reference_expectation_for(satisfaction, expected_quality, table) -> np.ndarray:
    mean_u, mu = table
    return expected_quality - np.interp(satisfaction, mean_u, mu)


def reference_resting_satisfaction(expected_quality, expectation, table) -> np.ndarray:
    mean_u, mu = table
    return np.interp(expected_quality - expectation, mu, mean_u)


def reference_without_team_differences(expected_quality, served, account_team,
                                       frontline_teams) -> np.ndarray:
    mean_team = (float(served[frontline_teams].sum()) / frontline_teams.size
                 if frontline_teams.size else 0.0)
    return expected_quality - (served[account_team] - mean_team)


@contextmanager
def numpy_expectation_device() -> Iterator[None]:
    """The numpy rules in place of the kernels that win_customers calls."""
    names = {"expectation_for": reference_expectation_for,
             "resting_satisfaction": reference_resting_satisfaction,
             "without_team_differences": reference_without_team_differences}
    saved = {name: getattr(customer_experience, name) for name in names}
    try:
        for name, function in names.items():
            setattr(customer_experience, name, function)
        yield
    finally:
        for name, function in saved.items():
            setattr(customer_experience, name, function)


def reference_renewals(model, month: int, uniforms: np.ndarray) -> None:
    """cx_model.renewals with churn.step as they were."""
    p, customers = model.p, model.customers
    churned_before = customers.churned.copy()
    churn.update_record(customers.record, customers.satisfaction, p.churn.record_weight)
    churn.update_record(customers.problem_record, customers.problem_load, p.churn.record_weight)
    active = customers.active
    due = (active & (customers.renewal_month == (month - 1) % 12)
           & (month - customers.joined_month >= 12))
    if np.count_nonzero(due):
        probability = reference_churn_probability(customers.record, customers.problem_record,
                                                  p.churn)
        churned = due & (uniforms[0] < probability)
        customers.churned |= churned
        model.tally.churned += int(np.count_nonzero(churned))
    promoter = active & (churn.recommend_score(customers.satisfaction, customers.score_bias) >= 9)
    referrals = int(np.count_nonzero(promoter & (uniforms[1] < p.churn.referral_rate)))
    org = model.org
    org.acquisition_due += p.churn.acquisition_rate * p.organisation.customers / 12.0
    sales = int(org.acquisition_due)
    org.acquisition_due -= sales
    won = referrals + sales
    if won:
        free = (~customers.exists).nonzero()[0][:won]
        if free.size:
            with numpy_expectation_device():
                model.win_customers(free, month)
    model.remove_customer_agents((customers.churned & ~churned_before).nonzero()[0])


# -- models in a random state -------------------------------------------------------------------

CUSTOMERS = ("exists", "churned", "renewal_month", "satisfaction", "expectation",
             "expectation_anchor", "quality_anchor", "record", "problem_record", "survey_fatigue",
             "problem_load", "joined_month", "hits")
ORG = ("served_quality", "expected_quality", "acquisition_due", "problems_changed")


def shuffled(seed: int, scenario: str, agents: bool = False, **overrides) -> CXCultureModel:
    """A model in a random state (the same for the same seed): beliefs anywhere in 0-1, a tenth
    of the posts vacant, hires of every tenure, top performers, open and fixed problems, churned
    accounts, accounts opened during the run, load past capacity."""
    dotted = {key.replace("__", "."): value for key, value in overrides.items()}
    p = load_scenario(scenario, overrides={"organisation.employees": 60,
                                           "organisation.customers": 40, **dotted}).parameters
    model = CXCultureModel(p, seed=seed, agents=agents)
    if agents:
        assert len(model.agents) > 0    # the agents exist from here on
    rng = np.random.default_rng(seed)
    people, n = model.people, model.people.size
    for name in ("orientation", "engagement"):
        getattr(people, name)[:] = rng.random(n)
    people.filled[:] = rng.random(n) > 0.1
    people.hired_week[:] = rng.integers(-3000, 2, n)
    people.top_performer[:] = rng.random(n) < 0.2
    c, slots = model.customers, model.customers.exists.size
    c.exists[:] = np.arange(slots) < 40 + rng.integers(0, max(1, slots - 45))
    c.churned[:] = c.exists & (rng.random(slots) < 0.1)
    c.renewal_month[:] = rng.integers(0, 3, slots)     # many renewals due in the first months
    c.joined_month[:] = np.where(rng.random(slots) < 0.7, NEVER, rng.integers(-14, 3, slots))
    for name in ("satisfaction", "record", "problem_record", "survey_fatigue"):
        getattr(c, name)[:] = rng.random(slots)
    c.satisfaction[:5] = [0.0, 1.0, 0.85, 0.95, 0.5]
    for name in ("expectation", "expectation_anchor", "quality_anchor"):
        getattr(c, name)[:] = rng.normal(0.6, 0.2, slots)
    c.score_bias[:] = rng.normal(0.0, 1.0, slots)
    c.hits[rng.random(c.hits.shape) < 0.2] = 0.0
    pain = model.pain
    pain.status[:] = rng.choice([NOT_ARRIVED, SILENT, SURFACED, FIXED], pain.status.size)
    org = model.org
    org.problems_changed = True
    org.load = float(rng.uniform(0.8, 1.6))
    org.acquisition_due = float(rng.random())
    org.expected_quality = rng.normal(0.6, 0.2, slots)
    return model


def assert_same_state(a: CXCultureModel, b: CXCultureModel) -> None:
    for group, names in (("customers", CUSTOMERS), ("org", ORG)):
        for name in names:
            x, y = getattr(getattr(a, group), name), getattr(getattr(b, group), name)
            assert np.array_equal(np.asarray(x), np.asarray(y)), f"{group}.{name}"
            assert np.asarray(x).dtype == np.asarray(y).dtype, f"{group}.{name} dtype"
    assert a.tally == b.tally


def month_of_customers(model: CXCultureModel, month: int, normals: np.ndarray,
                       uniforms: np.ndarray, reference: bool) -> None:
    """Four weeks of expectations, then a month end's touchpoints and renewals, by reference or
    kernel."""
    for week in range(4 * month - 3, 4 * month + 1):
        model.week = 1 + (week - 1) % model.weeks       # the second year replays the policy
        if reference:
            reference_move_expectations(model)
        else:
            customer_experience.move_expectations(model)
    if reference:
        reference_touchpoints(model, normals)
        reference_renewals(model, month, uniforms)
    else:
        customer_experience.step(model, normals)
        churned = churn.step(model, month, uniforms)
        model.remove_customer_agents(churned)


CASES = [
    (0, "techops_programme", {}),
    (1, "baseline", {"churn__referral_rate": 0.3}),
    (2, "techops_programme", {"churn__referral_rate": 0.5, "churn__acquisition_rate": 2.0,
                              "load__service_overload_loss": 0.8}),
    (3, "cx_theater", {"customer_experience__negativity_bias": 1.0,
                       "customer_experience__touches_per_month": 5, "churn__intercept": 2.0}),
    (4, "baseline", {"customer_experience__quality_noise": 0.0, "churn__record_weight": 1.0,
                     "organisation__customer_headroom": 0.0}),
]


@pytest.mark.parametrize("seed, scenario, overrides", CASES)
def test_customer_kernels_match_the_numpy_rules(seed, scenario, overrides):
    kernel, reference = (shuffled(seed, scenario, **overrides) for _ in range(2))
    rng = np.random.default_rng(100 + seed)
    slots = kernel.customers.exists.size
    touches = kernel.p.customer_experience.touches_per_month
    for month in range(1, 25):
        normals = rng.standard_normal((touches, slots))
        uniforms = rng.random((2, slots))
        month_of_customers(reference, month, normals, uniforms, reference=True)
        month_of_customers(kernel, month, normals, uniforms, reference=False)
        assert_same_state(kernel, reference)
        if month % 5 == 0:          # problems change: arrivals, fixes, workarounds
            arrived = rng.integers(0, kernel.pain.status.size, 5)
            fixed = rng.integers(0, kernel.pain.status.size, 5)
            workaround = rng.integers(0, slots, 5)
            for model in (kernel, reference):
                model.pain.status[arrived] = SILENT
                model.pain.status[fixed] = FIXED
                model.customers.hits[workaround, 0] = 0.0
                model.org.problems_changed = True
    tally = reference.tally
    if overrides.get("churn__referral_rate", 0) >= 0.3:
        assert tally.churned > 0 and tally.won > 0   # the cases exercise churn and growth


def test_customer_kernels_with_agents_keep_the_agents_of_the_accounts():
    """Churned accounts' agents leave and won accounts' agents arrive, as before."""
    kernel, reference = (shuffled(5, "techops_programme", agents=True, churn__referral_rate=0.4)
                         for _ in range(2))
    rng = np.random.default_rng(5)
    slots = kernel.customers.exists.size
    for month in range(1, 14):
        normals = rng.standard_normal((2, slots))
        uniforms = rng.random((2, slots))
        month_of_customers(reference, month, normals, uniforms, reference=True)
        month_of_customers(kernel, month, normals, uniforms, reference=False)
        assert_same_state(kernel, reference)
        held = [[agent is not None and agent.slot for agent in model._customer_agents]
                for model in (kernel, reference)]
        assert held[0] == held[1]
    assert reference.tally.churned > 0 and reference.tally.won > 0


def test_weekly_order_steps_match_the_numpy_rules():
    """cx_model's touchpoints and renewals steps draw as before and change the state alike."""
    kernel, reference = (shuffled(6, "techops_programme", churn__referral_rate=0.3)
                         for _ in range(2))
    for week in sorted(kernel.month_ends)[:3]:
        for model in (kernel, reference):
            model.week = week
        assert kernel.month_ending is not None
        cx_model.touchpoints(kernel)
        cx_model.renewals(kernel)
        touches = reference.p.customer_experience.touches_per_month
        slots = reference.customers.exists.size
        reference_touchpoints(reference, reference.step_rng.standard_normal((touches, slots)))
        reference_renewals(reference, reference.month_ending,
                           reference.step_rng.random((2, slots)))
        assert_same_state(kernel, reference)
        assert (kernel.step_rng.bit_generator.state == reference.step_rng.bit_generator.state)


@pytest.mark.parametrize("seed", range(4))
def test_quality_functions_match_the_numpy_rules(seed):
    model = shuffled(seed, "techops_programme")
    model.customers.problem_load = cx_model.problem_load(model.customers, model.pain)
    for load in (None, 0.5, 1.3, 3.0):
        q = customer_experience.post_quality(model, load)
        assert np.array_equal(q, reference_post_quality(model, load))
        team = customer_experience.team_quality(model, load)
        assert np.array_equal(team, reference_team_quality(model, load))
        served = customer_experience.served_quality(model, load, q, team)
        assert np.array_equal(served, reference_served_quality(model, load, q, team))
        assert np.array_equal(customer_experience.served_quality(model, load),
                              reference_served_quality(model, load))
        assert np.array_equal(customer_experience.touchpoint_quality(model, load),
                              reference_touchpoint_quality(model, load))
        assert np.array_equal(customer_experience.touchpoint_quality(model, load, q, served),
                              reference_touchpoint_quality(model, load, q, served))


def test_expectation_device_matches_numpy():
    """expectation_for, resting_satisfaction and without_team_differences: np.interp and the
    numpy sums, on the utility tables of several parameter sets and on awkward inputs."""
    rng = np.random.default_rng(0)
    for noise, bias in ((0.12, 3.0), (0.0, 1.0), (0.5, 5.0)):
        p = load_scenario("baseline", overrides={
            "customer_experience.quality_noise": noise,
            "customer_experience.negativity_bias": bias}).parameters
        table = customer_experience.mean_utility_table(p.customer_experience)
        mean_u, mu = table
        satisfaction = np.concatenate([rng.random(500), mean_u, mean_u[:-1] + 1e-13,
                                       [-1.0, 2.0, 0.0, 1.0, np.nan, np.inf, -np.inf]])
        expected = rng.normal(0.6, 0.3, satisfaction.size)
        assert np.array_equal(customer_experience.expectation_for(satisfaction, expected, table),
                              reference_expectation_for(satisfaction, expected, table),
                              equal_nan=True)
        expectation = np.concatenate([rng.normal(0.6, 1.5, 500), expected[500:520] - mu[:20],
                                      [np.nan, np.inf]])
        expectation = np.resize(expectation, expected.size)
        assert np.array_equal(
            customer_experience.resting_satisfaction(expected, expectation, table),
            reference_resting_satisfaction(expected, expectation, table), equal_nan=True)
    for n_front in (0, 1, 7, 200):
        served = rng.random(250)
        frontline = np.sort(rng.choice(250, n_front, replace=False))
        account_team = rng.integers(0, 250, 300)
        expected = rng.random(300)
        assert np.array_equal(
            customer_experience.without_team_differences(expected, served, account_team,
                                                         frontline),
            reference_without_team_differences(expected, served, account_team, frontline))


@pytest.mark.parametrize("seed", range(20))
def test_interpolate_is_np_interp(seed):
    """On random increasing grids, short ones included, and x at, between and beyond nodes."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 12)) if seed % 2 else int(rng.integers(12, 600))
    xp = np.cumsum(rng.random(n) + (0.0 if seed % 3 else 1e-12))
    fp = rng.normal(0, 1, n)
    x = np.concatenate([rng.uniform(xp[0] - 1, xp[-1] + 1, 300), xp, [np.nan, np.inf, -np.inf]])
    ours = np.array([customer_experience.interpolate(v, xp, fp) for v in x])
    assert np.array_equal(ours, np.interp(x, xp, fp), equal_nan=True)


def test_month_of_renewals_runs_out_of_free_slots():
    """More wins than free slots: every free slot is opened, in slot order."""
    model = shuffled(7, "techops_programme", churn__referral_rate=0.5)
    c, slots = model.customers, model.customers.exists.size
    c.exists[:] = np.arange(slots) < slots - 3
    free_before = np.flatnonzero(~c.exists)
    won = []
    model.win_customers = lambda free, month: won.append(free.copy())
    model.org.acquisition_due = 50.0
    churn.step(model, 1, np.ones((2, slots)) * 0.0)
    assert len(won) == 1 and np.array_equal(won[0], free_before)


@pytest.mark.parametrize("seed", range(8))
def test_problem_loads_are_sums_in_turn_close_to_the_old_rule(seed):
    model = shuffled(seed, "techops_programme" if seed % 2 else "baseline")
    c, pain = model.customers, model.pain
    if seed == 3:
        pain.status[:] = FIXED                       # nothing open
    if seed == 5:
        c.hits[:] = 1.0                              # every problem hits every account
    load = cx_model.problem_load(c, pain)
    assert load.dtype == np.float64 and load.shape == c.exists.shape
    assert np.array_equal(load, reference_problem_load(c, pain))
    np.testing.assert_allclose(load, old_problem_load(c, pain), rtol=1e-6, atol=0)
    # the sum voice.pick_account_problem makes for one account, account by account
    severity_open = voice.open_severity(pain.status, pain.severity)
    for account in range(0, c.exists.size, 7):
        total = np.float32(0.0)
        for k in np.flatnonzero(severity_open):
            total += c.hits[account, k] * severity_open[k]
        assert load[account] == total
    rng = np.random.default_rng(seed)
    for n in (0, 1, 7, 8, 9, 801):                   # every remainder of the eight at a time
        hits = (rng.random((n, 30)) < 0.4).astype(np.float32)
        severity = np.where(rng.random(30) < 0.5, rng.random(30), 0).astype(np.float32)
        expected = (np.add.accumulate(hits * severity, axis=1)[:, -1].astype(float) if n
                    else np.zeros(0))
        assert np.array_equal(customer_experience.problem_loads(hits, severity), expected)


def test_churn_probability_is_the_c_librarys_exp_close_to_the_old_rule():
    rng = np.random.default_rng(1)
    params = load_scenario("techops_programme").parameters.churn
    record, problem_record = rng.random(5000) * 1.4 - 0.2, rng.random(5000) * 3
    probability = churn.churn_probability(record, problem_record, params)
    assert np.array_equal(probability,
                          reference_churn_probability(record, problem_record, params))
    np.testing.assert_allclose(probability,
                               old_churn_probability(record, problem_record, params),
                               rtol=1e-15, atol=0)
    # any shape, lists and scalars included, as the array rule took them
    grid = np.linspace(0, 1, 12).reshape(3, 4)
    assert churn.churn_probability(grid, 0.5, params).shape == (3, 4)
    assert churn.churn_probability([0.7], [0.0], params).shape == (1,)
    assert np.array_equal(churn.churn_probability(grid, 0.5, params),
                          reference_churn_probability(grid, np.full((3, 4), 0.5), params))


@pytest.mark.parametrize("noise, bias, slope", [(0.12, 3.0, 1.27), (0.0, 1.0, 1.0),
                                                (0.5, 5.0, 3.0), (1.0, 2.0, 0.2)])
def test_utility_table_is_summed_in_turn_close_to_the_old_rule(noise, bias, slope):
    p = load_scenario("baseline", overrides={
        "customer_experience.quality_noise": noise, "customer_experience.negativity_bias": bias,
        "customer_experience.utility_slope": slope}).parameters.customer_experience
    mean_u, mu = customer_experience.mean_utility_table(p)
    assert np.array_equal(mu, np.linspace(-2.0, 2.0, 401))
    assert np.array_equal(mean_u, reference_utility_table(p))
    np.testing.assert_allclose(mean_u, old_utility_table(p), rtol=1e-13, atol=1e-15)


def test_hermite_rule_is_hermegauss():
    nodes, weights = customer_experience.hermite_rule()
    x, w = np.polynomial.hermite_e.hermegauss(32)
    np.testing.assert_allclose(nodes, x, rtol=1e-14, atol=0)
    np.testing.assert_allclose(weights, w, rtol=1e-12, atol=0)
    assert np.array_equal(nodes, -nodes[::-1]) and np.array_equal(weights, weights[::-1])
    # the rule integrates polynomials up to degree 63 against exp(-x^2 / 2) / sqrt(2 pi)
    for degree, moment in ((0, 1.0), (2, 1.0), (4, 3.0), (6, 15.0)):
        assert abs(weights @ nodes ** degree / math.sqrt(2 * math.pi) - moment) < 1e-12 * moment
