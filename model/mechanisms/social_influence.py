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
"""

from __future__ import annotations

import numpy as np

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
                      float(team_weight.sum()), rate, circle_weights(params))


def influence_by_team(values: np.ndarray, anchors: np.ndarray, teams_manager: np.ndarray,
                      manager_present: np.ndarray, team: np.ndarray, weights: np.ndarray,
                      team_weight: np.ndarray, total_weight: float, rate: float,
                      circle: tuple[float, float, float]) -> None:
    """``influence`` with the manager's slot and presence given per team (``total_weight``:
    ``team_weight.sum()``; ``circle``: ``circle_weights(params)``). Everyone in a team has the
    same circle, so the target is computed once per team."""
    shift = values - anchors
    means = team_means(shift, team, weights, team_weight, team_weight.size)
    # the manager's shift; the team's mean where the post is vacant
    manager_view = np.where(manager_present, shift[teams_manager], means)
    organisation = float(weights @ shift) / total_weight
    w_manager, w_organisation, w_team = circle
    target = w_manager * manager_view + w_organisation * organisation + w_team * means
    values += rate * (target[team] - shift)
    np.minimum(np.maximum(values, 0.0, out=values), 1.0, out=values)


def step(model) -> None:
    p, people, teams = model.p, model.people, model.teams
    s = p.social
    rate = s.influence_rate * (1 - s.remote_tie_loss * p.risks.remote_work)
    weights = people.filled * (1 + (s.ambassador_weight - 1) * people.ambassador)
    team_weight = np.maximum(np.bincount(people.team, weights=weights,
                                         minlength=teams.size), 1e-9)
    total_weight = float(team_weight.sum())
    manager_present = people.filled[teams.manager_slot]
    circle = circle_weights(s)
    for values, anchors in ((people.orientation, people.orientation_anchor),
                            (people.safety, model.org.safety_anchor),
                            (people.cynicism, people.cynicism_anchor)):
        influence_by_team(values, anchors, teams.manager_slot, manager_present, people.team,
                          weights, team_weight, total_weight, rate, circle)
