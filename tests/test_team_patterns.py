"""Cross-team patterns (issue 11 item 2), reproduced by mechanism, not fitted.

Across the frontline teams at month 12 (20 replicates pooled, baseline and the programme), team
engagement correlates with its own accounts' satisfaction within 0.20 to 0.45 and with the team's
turnover within -0.45 to -0.15 (Harter, Schmidt & Hayes 2002: about .33 and -.30 across business
units). Knockout twins: with the team's service cut from its accounts the first link goes; with
engagement out of attrition and no vacancy load on the team the second goes.
"""

from __future__ import annotations

from functools import cache

import pytest

from cxsim.experiments.team_patterns import team_correlations
from cxsim.model import load_scenario

REPLICATES = 20
SATISFACTION = ("engagement", "customer_satisfaction")
TURNOVER = ("engagement", "turnover_annualised")


@cache
def correlations(name: str, overrides: tuple = ()) -> dict[tuple[str, str], float]:
    table = team_correlations(load_scenario(name, dict(overrides) or None), REPLICATES)
    return {(row.x, row.y): row.r for row in table.itertuples()}


@pytest.mark.parametrize("name", ["baseline", "techops_programme"])
def test_team_engagement_goes_with_its_accounts_satisfaction(name):
    assert 0.20 <= correlations(name)[SATISFACTION] <= 0.45, correlations(name)


@pytest.mark.parametrize("name", ["baseline", "techops_programme"])
def test_team_engagement_goes_against_its_turnover(name):
    assert -0.45 <= correlations(name)[TURNOVER] <= -0.15, correlations(name)


def test_knockout_without_the_serving_team_the_satisfaction_link_goes():
    cut = (("customer_experience.frontline_weight", 0.0), ("voice.recovery_gain", 0.0))
    assert abs(correlations("baseline", cut)[SATISFACTION]) < 0.12, correlations("baseline", cut)


def test_knockout_without_engagement_in_attrition_the_turnover_link_goes():
    cut = (("workforce.engagement_weight", 0.0), ("load.vacancy_cover", 0.0))
    assert abs(correlations("baseline", cut)[TURNOVER]) < 0.12, correlations("baseline", cut)
