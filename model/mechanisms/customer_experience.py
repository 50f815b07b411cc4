"""Mechanism 8: customer experience (003 'What Does Consistency Look Like'; Anderson & Sullivan
1993; Mittal, Ross & Baldasare 1998; Brown & Lam 2008; MODEL_BRIEF §3.8).

Each month an account meets ``touches_per_month`` touchpoints. Their quality comes from the people
serving it and the problems still open:

    q_i   = (w_s skill + w_o orientation + (1 - w_s - w_o) engagement)
            max(0, 1 - l_s max(0, L - C))                 (per post, 0 if vacant; L: load)
    Q_c   = w_f mean_team(q) + (1 - w_f) mean_non_frontline(q) - w_p problems_c + sigma z
    d     = Q_c - expectation_c
    u     = clip(u0 + beta (max(d, 0) + lambda min(d, 0)), 0, 1)    (negativity bias lambda)
    sat'  = sat + m (u - sat)                                      (each touch)
    exp*  = exp0 + a (Qbar - Qbar0) + h R(t),   exp' = exp + k (exp* - exp)      (weekly)

so a shortfall weighs lambda times an excess of the same size and troughs drive satisfaction.
Expectations move (at rate k) toward a target: the expectation the account opened with (exp0),
plus a share a of any lasting change in its noise-free quality since then (Qbar - Qbar0: customers
get used to better service), plus what promises add, at most h at full rhetoric R(t). Both terms
are bounded, so expectations cannot run away over a long horizon.
When rituals and initiatives push the load L past capacity C, the hours come out of service
(``load.service_overload_loss``, l_s): a programme launched beside too much concurrent change can
make customers worse off before it makes them better off (Repenning & Sterman 2001). Each
account's expectation starts where its initial satisfaction is the long-run mean of u
(``expectation_for``), so an organisation that changes nothing stays where it is. A fixed pain
point lifts every active account it still hits (no workaround yet): sat += delight (1 - sat).

Reads every ``customer_experience.*`` parameter (promises: ``promise_headroom`` h,
``quality_adaptation`` a, ``expectation_rate`` k), ``load.capacity`` and
``load.service_overload_loss``.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from cxsim.model.mechanisms import workforce
from cxsim.model.parameters import CustomerExperience


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
    nodes, weights = np.polynomial.hermite_e.hermegauss(32)
    draws = mu[:, None] + params.quality_noise * nodes[None, :]
    mean_u = experience_utility(draws, params) @ (weights / math.sqrt(2 * math.pi))
    # E[u] is non-decreasing in mu; strictly increasing where it matters for interpolation.
    mean_u = np.maximum.accumulate(mean_u + 1e-12 * np.arange(mu.size))
    mean_u.setflags(write=False)  # shared between models through the cache
    mu.setflags(write=False)
    return mean_u, mu


def expectation_for(satisfaction: np.ndarray, expected_quality: np.ndarray,
                    table: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """The expectation at which ``satisfaction`` is the long-run mean of u under touchpoint noise:
    solves E[u(Q - e)] = sat for e, Q ~ N(expected_quality, sigma), with ``mean_utility_table``.
    A satisfaction outside the reachable range gets the nearest reachable margin."""
    mean_u, mu = table
    return expected_quality - np.interp(satisfaction, mean_u, mu)


def time_for_service(load: float, capacity: float, loss: float) -> float:
    """Share of service quality left when the load passes capacity: max(0, 1 - l_s (L - C)+)."""
    return max(0.0, 1.0 - loss * max(0.0, load - capacity))


def resting_satisfaction(expected_quality: np.ndarray, expectation: np.ndarray,
                         table: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """The long-run mean of u for touchpoints around ``expected_quality``: E[u(Q - e)]."""
    mean_u, mu = table
    return np.interp(expected_quality - expectation, mu, mean_u)


def without_team_differences(expected_quality: np.ndarray, team_quality: np.ndarray,
                             account_team: np.ndarray, frontline_teams: np.ndarray,
                             weight: float) -> np.ndarray:
    """Q_c with the account team's quality replaced by the mean frontline team's: what an
    account's expectation is formed against (the market's service, not its own team's), so a
    better team leaves its accounts more satisfied, from the start and for as long as it is
    better."""
    mean_team = (float(team_quality[frontline_teams].sum()) / frontline_teams.size
                 if frontline_teams.size else 0.0)
    return expected_quality - weight * (team_quality[account_team] - mean_team)


def post_quality(model, load: float | None = None) -> np.ndarray:
    """q_i for every post, with the time that service loses when load passes capacity."""
    p, people = model.p, model.people
    skill = workforce.skill(people, model.week, p)
    q = service_quality(skill, people.orientation, people.engagement, people.filled,
                        p.customer_experience)
    return q * time_for_service(model.org.load if load is None else load, p.load.capacity,
                                p.load.service_overload_loss)


def team_quality(model, load: float | None = None, q: np.ndarray | None = None) -> np.ndarray:
    """The frontline part of Q_c per team: mean q over the team's posts (vacant posts count 0)."""
    q = post_quality(model, load) if q is None else q
    teams = model.teams
    return np.bincount(model.people.team, weights=q, minlength=teams.size) / teams.nominal_size


def touchpoint_quality(model, load: float | None = None, q: np.ndarray | None = None,
                       team: np.ndarray | None = None) -> np.ndarray:
    """Q_c without the noise term, for every customer slot (``load``: this week's, by default
    ``model.org.load``; ``q``, ``team``: ``post_quality`` and ``team_quality`` of this state, if
    the caller has them)."""
    p, people, customers = model.p, model.people, model.customers
    cx = p.customer_experience
    q = post_quality(model, load) if q is None else q
    team = team_quality(model, load, q) if team is None else team
    back = ~people.frontline
    organisation_quality = float(q[back].sum()) / max(1, int(np.count_nonzero(back)))
    return (cx.frontline_weight * team[customers.account_team]
            + (1 - cx.frontline_weight) * organisation_quality
            - cx.problem_weight * customers.problem_load)


def step(model, normals: np.ndarray) -> None:
    """One month of touchpoints; ``normals`` has one row of quality noise per touch."""
    p, customers = model.p, model.customers
    cx = p.customer_experience
    model.refresh_problem_load()
    org = model.org
    q = post_quality(model)
    org.team_quality = team_quality(model, q=q)
    expected = org.expected_quality = touchpoint_quality(model, q=q, team=org.team_quality)
    active = customers.active
    for noise in normals:
        gap = expected + cx.quality_noise * noise - customers.expectation
        utility = experience_utility(gap, cx)
        customers.satisfaction += cx.memory * (utility - customers.satisfaction) * active


def expectation_target(anchor: np.ndarray, quality: np.ndarray, quality_anchor: np.ndarray,
                       rhetoric: float, params: CustomerExperience) -> np.ndarray:
    """exp* = exp0 + a (Qbar - Qbar0) + h R(t)."""
    return (anchor + params.quality_adaptation * (quality - quality_anchor)
            + params.promise_headroom * rhetoric)


def move_expectations(model) -> None:
    """exp' = exp + k (exp* - exp), weekly (every slot: accounts opened later are reset)."""
    customers, cx = model.customers, model.p.customer_experience
    target = expectation_target(customers.expectation_anchor, model.org.expected_quality,
                                customers.quality_anchor, float(model.policy.rhetoric[model.week]),
                                cx)
    customers.expectation += cx.expectation_rate * (target - customers.expectation)


def delight(satisfaction: np.ndarray, hit: np.ndarray, params: CustomerExperience) -> None:
    """A fixed pain point lifts the accounts it hit: sat += delight (1 - sat)."""
    satisfaction[hit] += params.fix_delight * (1 - satisfaction[hit])
