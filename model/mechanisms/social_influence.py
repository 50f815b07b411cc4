"""Mechanism 6: social influence (001 §5 Week 4 ambassadors, §10 managers and remote work;
March 1991; MODEL_BRIEF §3.6).

Orientation, safety and cynicism spread through one's circle: the manager, the team and, more
weakly, the whole organisation (cross-team ties). What spreads is the shift of a belief away from
each person's disposition (their anchor), D = X - anchor, so that individual differences persist
(Harrison & Carroll 1991) while a change that reaches some people reaches their circle too:

    D' = D + s (1 - l remote) (w_m D_manager + w_o mean_org(D) + (1 - w_m - w_o) mean_team(D) - D)

means weighted by 1 + (a - 1) [ambassador] over filled posts (if w_m + w_o > 1 both are scaled to
sum to 1). Reads ``social.influence_rate`` (s),
``social.manager_weight`` (w_m), ``social.organisation_weight`` (w_o), ``social.ambassador_weight``
(a), ``social.remote_tie_loss`` (l), ``risks.remote_work``.

The weekly step is one compiled kernel (``influence_week``): the weights and the teams' weights,
then, for each belief in turn, the shifts' team sums and organisation mean, and each person's move
toward their team's circle.
"""

from __future__ import annotations

import numpy as np

from cxsim.model.compiled import kernel, pairwise_sum
from cxsim.model.parameters import Social


def team_means(values: np.ndarray, team: np.ndarray, weights: np.ndarray, team_weight: np.ndarray,
               n_teams: int) -> np.ndarray:
    """Weighted mean of ``values`` per team."""
    sums = np.bincount(team, weights=weights * values, minlength=n_teams)
    return sums / team_weight


def circle_weights(params: Social) -> tuple[float, float, float]:
    """(manager, organisation, team) weights summing to 1: the team gets what is left; if the
    manager's and the organisation's exceed 1 together, both are scaled down."""
    total = params.manager_weight + params.organisation_weight
    scale = 1.0 / total if total > 1.0 else 1.0
    w_manager, w_organisation = params.manager_weight * scale, params.organisation_weight * scale
    return w_manager, w_organisation, 1.0 - w_manager - w_organisation


@kernel
def influence_by_team(values: np.ndarray, anchors: np.ndarray, teams_manager: np.ndarray,
                      manager_present: np.ndarray, team: np.ndarray, weights: np.ndarray,
                      team_weight: np.ndarray, total_weight: float, rate: float,
                      w_manager: float, w_organisation: float, w_team: float) -> None:
    """D' = D + rate (w_m D_manager + w_o mean_org(D) + w_t mean_team(D) - D) with D = X - anchor,
    X clipped to 0-1, in place (``teams_manager``, ``manager_present``: per team, its manager's
    slot and whether it is filled; ``total_weight``: the sum of ``team_weight``, numpy's). Everyone
    in a team has the same circle: the target is computed once per team."""
    n_teams = team_weight.size
    shift = values - anchors
    means = np.zeros(n_teams)           # summed in slot order, as bincount sums
    weighted = 0.0                      # in slot order too: the same bits on every machine
    for i in range(values.size):
        means[team[i]] += weights[i] * shift[i]
        weighted += weights[i] * shift[i]
    organisation = w_organisation * (weighted / total_weight)
    target = np.empty(n_teams)
    for g in range(n_teams):
        means[g] /= team_weight[g]
        # the manager's shift; the team's mean where the post is vacant
        manager_view = shift[teams_manager[g]] if manager_present[g] else means[g]
        target[g] = w_manager * manager_view + organisation + w_team * means[g]
    for i in range(values.size):
        x = values[i] + rate * (target[team[i]] - shift[i])
        values[i] = min(max(x, 0.0), 1.0)


def influence(values: np.ndarray, anchors: np.ndarray, manager_slot: np.ndarray,
              manager_present: np.ndarray, team: np.ndarray, weights: np.ndarray,
              team_weight: np.ndarray, rate: float, params: Social) -> None:
    """Move each shift from the anchor toward the circle's weighted shift, in place
    (``manager_slot``, ``manager_present``: per post, its manager's slot and whether that post is
    filled; ``influence_by_team`` with them per team)."""
    teams_manager = np.zeros(team_weight.size, np.int64)
    teams_manager[team] = manager_slot
    present = np.zeros(team_weight.size, bool)
    present[team] = manager_present
    influence_by_team(values, anchors, teams_manager, present, team, weights, team_weight,
                      float(team_weight.sum()), rate, *circle_weights(params))


@kernel
def influence_week(orientation: np.ndarray, orientation_anchor: np.ndarray,
                   safety: np.ndarray, safety_anchor: np.ndarray, cynicism: np.ndarray,
                   cynicism_anchor: np.ndarray, filled: np.ndarray, ambassador: np.ndarray,
                   team: np.ndarray, teams_manager: np.ndarray, ambassador_weight: float,
                   rate: float, w_manager: float, w_organisation: float,
                   w_team: float) -> None:
    """The week's influence on orientation, safety and cynicism, in place: weights
    1 + (a - 1) [ambassador] over filled posts, then ``influence_by_team`` on each belief."""
    n_teams = teams_manager.size
    weights = np.empty(team.size)
    team_weight = np.zeros(n_teams)     # summed in slot order, as bincount sums
    for i in range(team.size):
        weights[i] = ((1.0 if filled[i] else 0.0)
                      * (1 + (ambassador_weight - 1) * (1.0 if ambassador[i] else 0.0)))
        team_weight[team[i]] += weights[i]
    manager_present = np.empty(n_teams, np.bool_)
    for g in range(n_teams):
        team_weight[g] = max(team_weight[g], 1e-9)     # an empty team: no division by zero
        manager_present[g] = filled[teams_manager[g]]
    total_weight = pairwise_sum(team_weight)     # numpy's sum, for the same bits
    influence_by_team(orientation, orientation_anchor, teams_manager, manager_present, team,
                      weights, team_weight, total_weight, rate, w_manager, w_organisation, w_team)
    influence_by_team(safety, safety_anchor, teams_manager, manager_present, team,
                      weights, team_weight, total_weight, rate, w_manager, w_organisation, w_team)
    influence_by_team(cynicism, cynicism_anchor, teams_manager, manager_present, team,
                      weights, team_weight, total_weight, rate, w_manager, w_organisation, w_team)


def step(model) -> None:
    p, people = model.p, model.people
    s = p.social
    rate = s.influence_rate * (1 - s.remote_tie_loss * p.risks.remote_work)
    influence_week(people.orientation, people.orientation_anchor, people.safety,
                   model.org.safety_anchor, people.cynicism, people.cynicism_anchor,
                   people.filled, people.ambassador, people.team, model.teams.manager_slot,
                   s.ambassador_weight, rate, *circle_weights(s))
