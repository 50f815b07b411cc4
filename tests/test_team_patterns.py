"""Cross-team patterns (issue 11 item 2), reproduced by mechanism, not fitted.

Across the frontline teams at month 12 (20 replicates pooled, baseline and the programme), team
engagement correlates with its own accounts' satisfaction within 0.20 to 0.45 and with the team's
turnover within -0.45 to -0.15 (Harter, Schmidt & Hayes 2002: about .33 and -.30 across business
units): the baseline's r inside each band, the programme's consistent with it (its 95% interval
reaching in). Knockout twins: with the team's service cut from its accounts the first link goes;
with engagement out of attrition and no vacancy load on the team the second goes.
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


# The programme's satisfaction link is the pattern nearest its edge (measured 2026-12-04, 20
# replicates): r = 0.51 [0.45, 0.57], its interval reaching the band's top by 0.002. It was 0.59
# [0.53, 0.64] while teams' accounts differed only through the team (and the pain points the
# programme fixes); what brought it down is structure, with no parameter fitted to it: accounts
# get used to a share of their own segment's service as of any lasting change (7.10), each
# segment's product teams add their service, and a share of satisfaction lies between segments
# (initial.segment_share, 0.10, assumed before this was measured; at 0, r = 0.54 [0.48, 0.60]).
@pytest.mark.parametrize("name, pair", [("baseline", SATISFACTION), ("baseline", TURNOVER),
                                        ("techops_programme", SATISFACTION),
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
