"""Mechanism 8: customer experience (003 'What Does Consistency Look Like'; Anderson & Sullivan
1993; Mittal, Ross & Baldasare 1998; Brown & Lam 2008; Ehrhart, Witt, Schneider & Perry 2011;
MODEL_BRIEF §3.8).

Each month an account meets ``touches_per_month`` touchpoints. Their quality comes from the people
serving its segment (its frontline team, the product teams building for the segment, the back
office) and the problems still open:

    q_i   = (w_s skill + w_o orientation + (1 - w_s - w_o) engagement)
            max(0, 1 - l_s max(0, L - C))                 (per post, 0 if vacant; L: load)
    S_g   = w_f mean_team(q) + (1 - w_f) (pi_p mean_segment_product(q) + (1 - pi_p) mean_back(q))
    Q_c   = S_{team_c} - w_p problems_c + sigma z
    d     = Q_c - expectation_c
    u     = clip(u0 + beta (max(d, 0) + lambda min(d, 0)), 0, 1)    (negativity bias lambda)
    sat'  = sat + m (u - sat)                                      (each touch)
    exp*  = exp0 + a (Qbar - Qbar0) + h R(t),   exp' = exp + k (exp* - exp)      (weekly)

so a shortfall weighs lambda times an excess of the same size and troughs drive satisfaction
(pi_p: the product posts' share of the posts outside the frontline). Expectations move (at rate
k) toward a target: the expectation the account opened with (exp0, formed against the market's
service Qbar0, not its own segment's), plus a share a of the lasting difference between the
noise-free quality it gets and that (Qbar - Qbar0: customers get used to better service, and to
their own segment's), plus what promises add, at most h at full rhetoric R(t). Both terms are
bounded, so expectations cannot run away over a long horizon.
When rituals and initiatives push the load L past capacity C, the hours come out of service
(``load.service_overload_loss``, l_s): a programme launched beside too much concurrent change can
make customers worse off before it makes them better off (Repenning & Sterman 2001). Each
account's anchor exp0 is where its drawn satisfaction is the long-run mean of u against the
market (``expectation_for``); an account of the month-0 book starts at its settled target and its
satisfaction at the resting point there, so an organisation that changes nothing stays where it
is. A fixed pain point lifts every active account it still hits (no workaround yet):
sat += delight (1 - sat).

Reads every ``customer_experience.*`` parameter (promises: ``promise_headroom`` h,
``quality_adaptation`` a, ``expectation_rate`` k), ``load.capacity`` and
``load.service_overload_loss``. The month's touchpoints (``month_of_touchpoints``), the weekly
expectations (``expectations_week``), the problem loads (``problem_loads``) and the expectation
device (``interpolate``) are compiled kernels, post by post and account by account. Every sum is
taken in a fixed order (the problem loads over the problems in turn, the utility table over a
fixed Gauss-Hermite rule in turn), so a run has the same bits on every machine.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from cxsim.model.compiled import kernel, pairwise_sum
from cxsim.model.mechanisms import workforce
from cxsim.model.parameters import CustomerExperience
from cxsim.model.state import BACK_OFFICE, PRODUCT


def service_quality(skill: np.ndarray, orientation: np.ndarray, engagement: np.ndarray,
                    filled: np.ndarray, params: CustomerExperience) -> np.ndarray:
    """q_i: what one post contributes to the touchpoints it shapes (0 when vacant)."""
    w_e = 1.0 - params.skill_weight - params.orientation_weight
    q = params.skill_weight * skill + params.orientation_weight * orientation + w_e * engagement
    return q * filled


def experience_utility(d: np.ndarray, params: CustomerExperience) -> np.ndarray:
    """u(d): satisfaction a touchpoint d above (or below) expectation leaves."""
    u = params.met_expectation_satisfaction + params.utility_slope * np.where(
        d > 0, d, params.negativity_bias * d)
    return np.minimum(np.maximum(u, 0.0, out=u), 1.0, out=u)


# The 32-node Gauss-Hermite rule (probabilists'): the positive nodes and their weights, as
# np.polynomial.hermite_e.hermegauss(32) gives them on an AVX-512 machine with OpenBLAS's
# SkylakeX kernels. Fixed here because hermegauss computes them with LAPACK and numpy's SIMD code,
# whose last bits differ between machines.
_HERMITE_NODES = (
    0.27554641923027584, 0.8272849037797652, 1.3809801992721442, 1.9380049059257174,
    2.4998404151873954, 3.0681351690131216, 3.644781249880833, 4.23202110999541,
    4.832604613244489, 5.450033273623428, 6.088964309076987, 6.755930830540705,
    7.460755754121519, 8.219728765382245, 9.064399210702405, 10.077422674229465)
_HERMITE_WEIGHTS = (
    0.5306671673592784, 0.39238506783508204, 0.21392770950775927, 0.0855007087535803,
    0.024824297119762057, 0.005168795468940913, 0.0007583979956013112, 7.660206641959775e-05,
    5.162707000824651e-06, 2.2262094416688942e-07, 5.796624037310071e-09,
    8.390941257048007e-11, 5.960924606398946e-13, 1.6933001477990107e-15,
    1.3055647014199522e-18, 1.0338857753728002e-22)


def hermite_rule() -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights of the 32-node Gauss-Hermite rule for weight exp(-x^2 / 2), ascending:
    ``hermegauss(32)`` as above, the same bits on every machine."""
    nodes = np.array(_HERMITE_NODES)
    weights = np.array(_HERMITE_WEIGHTS)
    return (np.concatenate([-nodes[::-1], nodes]), np.concatenate([weights[::-1], weights]))


def mean_utility_table(params: CustomerExperience) -> tuple[np.ndarray, np.ndarray]:
    """E[u(X)] for X ~ N(mu, sigma) on a grid of mu, clip included (Gauss-Hermite quadrature,
    32 nodes)."""
    return _mean_utility_table(params.quality_noise, params.met_expectation_satisfaction,
                               params.utility_slope, params.negativity_bias)


@functools.lru_cache(maxsize=64)
def _mean_utility_table(noise: float, met: float, slope: float,
                        bias: float) -> tuple[np.ndarray, np.ndarray]:
    params = CustomerExperience(quality_noise=noise, met_expectation_satisfaction=met,
                                utility_slope=slope, negativity_bias=bias)
    mu = np.linspace(-2.0, 2.0, 401)
    nodes, weights = hermite_rule()
    draws = mu[:, None] + params.quality_noise * nodes[None, :]
    terms = experience_utility(draws, params) * (weights / math.sqrt(2 * math.pi))
    # sum over the nodes in turn (np.add.accumulate is sequential): BLAS's matrix-vector
    # product would sum in an order that depends on the CPU
    mean_u = np.add.accumulate(terms, axis=1)[:, -1]
    # E[u] is non-decreasing in mu; strictly increasing where it matters for interpolation.
    mean_u = np.maximum.accumulate(mean_u + 1e-12 * np.arange(mu.size))
    mean_u.setflags(write=False)  # shared between models through the cache
    mu.setflags(write=False)
    return mean_u, mu


@kernel
def interpolate(x: float, xp: np.ndarray, fp: np.ndarray) -> float:
    """``np.interp(x, xp, fp)`` for one x and increasing xp, as numpy computes it (the same
    bits): fp[0] left of xp, fp[-1] right of it, fp[j] at a node, else
    slope (x - xp[j]) + fp[j] with slope = (fp[j+1] - fp[j]) / (xp[j+1] - xp[j])."""
    n = xp.size
    if np.isnan(x):
        return x
    if x < xp[0]:
        return fp[0]
    if x > xp[n - 1]:
        return fp[n - 1]
    low, high = 0, n - 1            # xp[low] <= x; the last j with xp[j] <= x is < high or n-1
    if x >= xp[high]:
        return fp[high]
    while high - low > 1:
        middle = (low + high) // 2
        if xp[middle] <= x:
            low = middle
        else:
            high = middle
    j = low
    if xp[j] == x:
        return fp[j]
    slope = (fp[j + 1] - fp[j]) / (xp[j + 1] - xp[j])
    result = slope * (x - xp[j]) + fp[j]
    if np.isnan(result):            # numpy's second try, from the other end
        result = slope * (x - xp[j + 1]) + fp[j + 1]
        if np.isnan(result) and fp[j] == fp[j + 1]:
            result = fp[j]
    return result


@kernel
def expectations_for(satisfaction: np.ndarray, expected_quality: np.ndarray,
                     mean_u: np.ndarray, mu: np.ndarray) -> np.ndarray:
    """e = expected_quality - interp(sat; mean_u -> mu), account by account."""
    expectation = np.empty(satisfaction.size)
    for c in range(satisfaction.size):
        expectation[c] = expected_quality[c] - interpolate(satisfaction[c], mean_u, mu)
    return expectation


def expectation_for(satisfaction: np.ndarray, expected_quality: np.ndarray,
                    table: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """The expectation at which ``satisfaction`` is the long-run mean of u under touchpoint noise:
    solves E[u(Q - e)] = sat for e, Q ~ N(expected_quality, sigma), with ``mean_utility_table``.
    A satisfaction outside the reachable range gets the nearest reachable margin."""
    mean_u, mu = table
    return expectations_for(satisfaction, expected_quality, mean_u, mu)


def time_for_service(load: float, capacity: float, loss: float) -> float:
    """Share of service quality left when the load passes capacity: max(0, 1 - l_s (L - C)+)."""
    return max(0.0, 1.0 - loss * max(0.0, load - capacity))


@kernel
def resting_satisfactions(expected_quality: np.ndarray, expectation: np.ndarray,
                          mu: np.ndarray, mean_u: np.ndarray) -> np.ndarray:
    """E[u] = interp(Q - e; mu -> mean_u), account by account."""
    satisfaction = np.empty(expected_quality.size)
    for c in range(expected_quality.size):
        satisfaction[c] = interpolate(expected_quality[c] - expectation[c], mu, mean_u)
    return satisfaction


def resting_satisfaction(expected_quality: np.ndarray, expectation: np.ndarray,
                         table: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """The long-run mean of u for touchpoints around ``expected_quality``: E[u(Q - e)]."""
    mean_u, mu = table
    return resting_satisfactions(expected_quality, expectation, mu, mean_u)


@kernel
def mean_team(served: np.ndarray, frontline_teams: np.ndarray) -> float:
    """Mean S_g of the frontline teams (numpy's sum over them, / their count; 0 if none)."""
    n = frontline_teams.size
    if n == 0:
        return 0.0
    values = np.empty(n)
    for k in range(n):
        values[k] = served[frontline_teams[k]]
    return pairwise_sum(values) / n


@kernel
def market_quality(expected_quality: np.ndarray, served: np.ndarray, account_team: np.ndarray,
                   frontline_teams: np.ndarray) -> np.ndarray:
    """Q_c - (S_{team_c} - mean frontline S), account by account."""
    mean = mean_team(served, frontline_teams)
    market = np.empty(expected_quality.size)
    for c in range(expected_quality.size):
        market[c] = expected_quality[c] - (served[account_team[c]] - mean)
    return market


def without_team_differences(expected_quality: np.ndarray, served: np.ndarray,
                             account_team: np.ndarray, frontline_teams: np.ndarray) -> np.ndarray:
    """Q_c with the service of the account's segment (its frontline team's and its product
    teams') replaced by the mean segment's: the market's service, what an account's
    expectation is formed against when it opens, so a better-served segment leaves its accounts
    more satisfied, less the share of the difference they get used to."""
    return market_quality(expected_quality, served, account_team, frontline_teams)


@kernel
def problem_loads(hits: np.ndarray, severity_open: np.ndarray) -> np.ndarray:
    """problems_c = sum_k hits[c, k] severity_k over the open problems k, in float32 as ``hits``,
    k in turn: the sum ``voice.pick_account_problem`` makes for an account (problems of severity
    0 add 0, so only the others are visited). Eight accounts at a time, each with its own
    running sum (t0 ... t7): the processor adds the eight at once, each still in turn."""
    n = hits.shape[0]
    candidates = np.empty(severity_open.size, np.int64)   # the open problems, in turn
    n_open = 0
    for k in range(severity_open.size):
        if severity_open[k] != 0:
            candidates[n_open] = k
            n_open += 1
    candidates = candidates[:n_open]
    load = np.empty(n)
    first = 0
    while first + 8 <= n:
        t0 = t1 = t2 = t3 = t4 = t5 = t6 = t7 = np.float32(0.0)
        for k in candidates:
            severity = severity_open[k]
            t0 += hits[first, k] * severity
            t1 += hits[first + 1, k] * severity
            t2 += hits[first + 2, k] * severity
            t3 += hits[first + 3, k] * severity
            t4 += hits[first + 4, k] * severity
            t5 += hits[first + 5, k] * severity
            t6 += hits[first + 6, k] * severity
            t7 += hits[first + 7, k] * severity
        load[first], load[first + 1], load[first + 2], load[first + 3] = t0, t1, t2, t3
        load[first + 4], load[first + 5], load[first + 6], load[first + 7] = t4, t5, t6, t7
        first += 8
    for c in range(first, n):
        total = np.float32(0.0)
        for k in candidates:
            total += hits[c, k] * severity_open[k]
        load[c] = total
    return load


@kernel
def post_qualities(skill: np.ndarray, orientation: np.ndarray, engagement: np.ndarray,
                   filled: np.ndarray, skill_weight: float, orientation_weight: float,
                   service_left: float) -> np.ndarray:
    """q_i = (w_s S + w_o O + (1 - w_s - w_o) E) filled x time for service, post by post."""
    engagement_weight = 1.0 - skill_weight - orientation_weight
    q = np.empty(skill.size)
    for i in range(skill.size):
        quality = (skill_weight * skill[i] + orientation_weight * orientation[i]
                   + engagement_weight * engagement[i])
        q[i] = quality * (1.0 if filled[i] else 0.0) * service_left
    return q


@kernel
def team_qualities(q: np.ndarray, team: np.ndarray, nominal_size: np.ndarray) -> np.ndarray:
    """Per team: the sum of q over its posts (in post order, as ``np.bincount``) / its size."""
    total = np.zeros(nominal_size.size)
    for i in range(q.size):
        total[team[i]] += q[i]
    for t in range(nominal_size.size):
        total[t] /= nominal_size[t]
    return total


@kernel
def served_qualities(q: np.ndarray, team_quality: np.ndarray, function: np.ndarray,
                     team: np.ndarray, segment: np.ndarray,
                     frontline_weight: float) -> np.ndarray:
    """Per team g, what its accounts get before their problems:
    S_g = w_f team_quality[g] + (1 - w_f) (pi_p P_g + (1 - pi_p) B), with P_g the mean q over
    the posts of the product teams building for g's segment (over every product post if none
    does), B the mean q over the back-office posts (numpy's sum, / their count), pi_p the
    product posts' share of the posts outside the frontline. With P_g the mean of every product
    post, the outside part is the mean q over all posts outside the frontline."""
    n_teams = team_quality.size
    segment_sum = np.zeros(n_teams)
    segment_posts = np.zeros(n_teams)
    back = np.empty(q.size)
    n_back = 0
    product_sum = 0.0
    n_product = 0
    for i in range(q.size):
        if function[i] == PRODUCT:
            product_sum += q[i]
            n_product += 1
            g = segment[team[i]]
            if g >= 0:
                segment_sum[g] += q[i]
                segment_posts[g] += 1.0
        elif function[i] == BACK_OFFICE:
            back[n_back] = q[i]
            n_back += 1
    back_office = pairwise_sum(back[:n_back]) / max(1, n_back)
    product_mean = product_sum / max(1, n_product)
    product_share = n_product / max(1, n_product + n_back)
    served = np.empty(n_teams)
    for g in range(n_teams):
        product = segment_sum[g] / segment_posts[g] if segment_posts[g] > 0 else product_mean
        served[g] = (frontline_weight * team_quality[g] + (1 - frontline_weight)
                     * (product_share * product + (1 - product_share) * back_office))
    return served


@kernel
def touchpoint_qualities(served: np.ndarray, account_team: np.ndarray,
                         problem_load: np.ndarray, problem_weight: float) -> np.ndarray:
    """Q_c = S_{team_c} - w_p problems_c, account by account (``served_qualities``: S)."""
    expected = np.empty(account_team.size)
    for c in range(account_team.size):
        expected[c] = served[account_team[c]] - problem_weight * problem_load[c]
    return expected


def post_quality(model, load: float | None = None) -> np.ndarray:
    """q_i for every post, with the time that service loses when load passes capacity."""
    p, people = model.p, model.people
    cx = p.customer_experience
    skill = workforce.skill(people, model.week, p)
    service_left = time_for_service(model.org.load if load is None else load, p.load.capacity,
                                    p.load.service_overload_loss)
    return post_qualities(skill, people.orientation, people.engagement, people.filled,
                          cx.skill_weight, cx.orientation_weight, float(service_left))


def team_quality(model, load: float | None = None, q: np.ndarray | None = None) -> np.ndarray:
    """The frontline part of Q_c per team: mean q over the team's posts (vacant posts count 0)."""
    q = post_quality(model, load) if q is None else q
    return team_qualities(q, model.people.team, model.teams.nominal_size)


def served_quality(model, load: float | None = None, q: np.ndarray | None = None,
                   team: np.ndarray | None = None) -> np.ndarray:
    """S_g per team: its own frontline team's, its segment's product teams' and the back
    office's service (``served_qualities``)."""
    q = post_quality(model, load) if q is None else q
    team = team_quality(model, load, q) if team is None else team
    people = model.people
    return served_qualities(q, team, people.function, people.team, model.teams.segment,
                            model.p.customer_experience.frontline_weight)


def touchpoint_quality(model, load: float | None = None, q: np.ndarray | None = None,
                       served: np.ndarray | None = None) -> np.ndarray:
    """Q_c without the noise term, for every customer slot (``load``: this week's, by default
    ``model.org.load``; ``q``, ``served``: ``post_quality`` and ``served_quality`` of this
    state, if the caller has them)."""
    served = served_quality(model, load, q) if served is None else served
    return touchpoint_qualities(served, model.customers.account_team,
                                model.customers.problem_load,
                                model.p.customer_experience.problem_weight)


@kernel
def touch_accounts(expected: np.ndarray, normals: np.ndarray, expectation: np.ndarray,
                   satisfaction: np.ndarray, exists: np.ndarray, churned: np.ndarray,
                   noise: float, met: float, slope: float, bias: float,
                   memory: float) -> None:
    """Each touch in turn, account by account: d = Q_c + sigma z - expectation_c,
    u = clip(u0 + beta (d if d > 0 else lambda d), 0, 1), sat += m (u - sat) (active accounts;
    the others add m (u - sat) x 0, as the array rule did)."""
    for c in range(expected.size):
        active = 1.0 if exists[c] and not churned[c] else 0.0
        sat = satisfaction[c]
        for touch in range(normals.shape[0]):
            gap = expected[c] + noise * normals[touch, c] - expectation[c]
            u = met + slope * (gap if gap > 0 else bias * gap)
            # np.maximum(u, 0), then np.minimum(u, 1): numba's max and min keep u when it is
            # nan (or -0.0), as numpy's do, and compile to selects rather than branches
            u = min(max(u, 0.0), 1.0)
            sat += memory * (u - sat) * active
        satisfaction[c] = sat


@kernel
def month_of_touchpoints(skill: np.ndarray, orientation: np.ndarray, engagement: np.ndarray,
                         filled: np.ndarray, team: np.ndarray, nominal_size: np.ndarray,
                         function: np.ndarray, segment: np.ndarray, account_team: np.ndarray,
                         problem_load: np.ndarray, normals: np.ndarray, expectation: np.ndarray,
                         satisfaction: np.ndarray, exists: np.ndarray, churned: np.ndarray,
                         skill_weight: float, orientation_weight: float, service_left: float,
                         frontline_weight: float, problem_weight: float, noise: float,
                         met: float, slope: float, bias: float,
                         memory: float) -> tuple[np.ndarray, np.ndarray]:
    """q, team quality, S_g and Q_c (``post_qualities``, ``team_qualities``,
    ``served_qualities``, ``touchpoint_qualities``), then the month's touches
    (``touch_accounts``). Returns S_g and Q_c."""
    q = post_qualities(skill, orientation, engagement, filled, skill_weight, orientation_weight,
                       service_left)
    team_quality = team_qualities(q, team, nominal_size)
    served = served_qualities(q, team_quality, function, team, segment, frontline_weight)
    expected = touchpoint_qualities(served, account_team, problem_load, problem_weight)
    touch_accounts(expected, normals, expectation, satisfaction, exists, churned, noise, met,
                   slope, bias, memory)
    return served, expected


def step(model, normals: np.ndarray) -> None:
    """One month of touchpoints; ``normals`` has one row of quality noise per touch."""
    p, people, customers = model.p, model.people, model.customers
    cx = p.customer_experience
    model.refresh_problem_load()
    org = model.org
    service_left = time_for_service(org.load, p.load.capacity, p.load.service_overload_loss)
    org.served_quality, org.expected_quality = month_of_touchpoints(
        workforce.skill(people, model.week, p), people.orientation, people.engagement,
        people.filled, people.team, model.teams.nominal_size, people.function,
        model.teams.segment, customers.account_team, customers.problem_load, normals,
        customers.expectation, customers.satisfaction, customers.exists, customers.churned,
        cx.skill_weight,
        cx.orientation_weight, float(service_left), cx.frontline_weight, cx.problem_weight,
        cx.quality_noise, cx.met_expectation_satisfaction, cx.utility_slope,
        cx.negativity_bias, cx.memory)


def expectation_target(anchor: np.ndarray, quality: np.ndarray, quality_anchor: np.ndarray,
                       rhetoric: float, params: CustomerExperience) -> np.ndarray:
    """exp* = exp0 + a (Qbar - Qbar0) + h R(t) (Qbar0: the market's quality when the account
    opened)."""
    return (anchor + params.quality_adaptation * (quality - quality_anchor)
            + params.promise_headroom * rhetoric)


@kernel
def expectations_week(expectation: np.ndarray, anchor: np.ndarray, quality: np.ndarray,
                      quality_anchor: np.ndarray, promised: float, adaptation: float,
                      rate: float) -> None:
    """exp* = exp0 + a (Qbar - Qbar0) + h R(t), exp' = exp + k (exp* - exp), slot by slot, in
    place (``promised``: h R(t))."""
    for c in range(expectation.size):
        target = anchor[c] + adaptation * (quality[c] - quality_anchor[c]) + promised
        expectation[c] += rate * (target - expectation[c])


def move_expectations(model) -> None:
    """exp' = exp + k (exp* - exp), weekly (every slot: accounts opened later are reset)."""
    customers, cx = model.customers, model.p.customer_experience
    expectations_week(customers.expectation, customers.expectation_anchor,
                      model.org.expected_quality, customers.quality_anchor,
                      cx.promise_headroom * float(model.policy.rhetoric[model.week]),
                      cx.quality_adaptation, cx.expectation_rate)


def delight(satisfaction: np.ndarray, hit: np.ndarray, params: CustomerExperience) -> None:
    """A fixed pain point lifts the accounts it hit: sat += delight (1 - sat)."""
    satisfaction[hit] += params.fix_delight * (1 - satisfaction[hit])
