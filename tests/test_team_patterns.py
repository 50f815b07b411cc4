"""Cross-team patterns (issue 11 item 2), reproduced by mechanism, not fitted.

Across the frontline teams at month 12 (20 replicates pooled, baseline and the programme), team
engagement correlates with its own accounts' satisfaction within 0.20 to 0.45 and with the team's
turnover within -0.45 to -0.15 (Harter, Schmidt & Hayes 2002: about .33 and -.30 across business
units): the baseline's r inside each band, the programme's consistent with it (its 95% interval
reaching in; its engagement-satisfaction r does not yet: the xfail below says why). Knockout
twins: with the team's service cut from its accounts the first link goes; with engagement out of
attrition and no vacancy load on the team the second goes.
"""

from __future__ import annotations

from functools import cache

import pytest

from cxsim.experiments.patterns import (
    BANDS,
    KNOCKOUT_R,
    SATISFACTION,
    SATISFACTION_CUT,
    TURNOVER,
    TURNOVER_CUT,
    in_band,
)
from cxsim.experiments.patterns import TEAM_REPLICATES as REPLICATES
from cxsim.experiments.statistics import Interval
from cxsim.experiments.team_patterns import team_correlations
from cxsim.model import load_scenario


@cache
def correlations(name: str, overrides: tuple = ()) -> dict[tuple[str, str], Interval]:
    table = team_correlations(load_scenario(name, dict(overrides) or None), REPLICATES)
    return {(row.x, row.y): Interval(row.r, row.low, row.high, row.n)
            for row in table.itertuples()}


# Open (issue 11): under the programme the team link to customers is stronger than the band
# (r about 0.59 [0.53, 0.64]). Measured 2026-12-04 (20 replicates): the team's service carries it
# (with customer_experience.frontline_weight = 0, r = 0.09; with voice.recovery_gain = 0, 0.55),
# and the baseline sits in the band only because the pain points its accounts still meet vary
# from team to team (12 replicates at month 12: SD of the team-mean problem load 0.65, r with
# satisfaction -0.65), a source the programme removes by fixing them (SD 0.21, r -0.27). At
# month 0 r is 0.56 in both arms; from month 12 to 36 the baseline's moves within 0.44-0.56, the
# continued programme's rises to 0.70: the model lacks a lasting source of differences between
# teams' accounts outside the team (segment, product fit), which is a model change and a
# recalibration, not a fit of this band.
PROGRAMME_SATISFACTION = pytest.param(
    "techops_programme", SATISFACTION, marks=pytest.mark.xfail(
        strict=True, reason="issue 11, open: programme r(engagement, satisfaction) above band"))


@pytest.mark.parametrize("name, pair", [("baseline", SATISFACTION), ("baseline", TURNOVER),
                                        PROGRAMME_SATISFACTION,
                                        ("techops_programme", TURNOVER)])
def test_team_engagement_goes_with_its_accounts_satisfaction_and_against_its_turnover(name, pair):
    """r is consistent with the band (experiments/patterns.py: its 95% interval reaches in)."""
    assert in_band(correlations(name)[pair], BANDS[pair]), (pair, correlations(name)[pair])


def test_the_baseline_correlations_sit_inside_their_bands():
    """Without a programme the pooled r itself is inside each band."""
    for pair in (SATISFACTION, TURNOVER):
        low, high = BANDS[pair]
        assert low <= correlations("baseline")[pair].mean <= high, correlations("baseline")


def test_knockout_without_the_serving_team_the_satisfaction_link_goes():
    r = correlations("baseline", SATISFACTION_CUT)[SATISFACTION].mean
    assert abs(r) < KNOCKOUT_R, r


def test_knockout_without_engagement_in_attrition_the_turnover_link_goes():
    r = correlations("baseline", TURNOVER_CUT)[TURNOVER].mean
    assert abs(r) < KNOCKOUT_R, r
