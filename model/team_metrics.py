"""Team-level outputs: one row per team per month, read off the state (``simulate_teams``).

Every column, with its unit, is in ``catalogue.TEAM_METRICS`` (docs/outputs.md). For team g at
month m, with F_g the team's filled posts and A_g the active accounts it serves
(``customers.account_team``):

    engagement            = 100 mean_{i in F_g} E_i       (cynicism likewise)
    psychological_safety  = 1 + 4 mean_{i in F_g} S_i     (the state, not a survey)
    customer_satisfaction = mean_{c in A_g} sat_c
    nps_true              = net_promoter_score(recommend_score(sat_c, b_c), c in A_g)

and over the trailing window of w = min(m, 12) months after month end s = m - w:

    turnover_annualised = 100 (leavers of months s+1..m) / mean(size_s, ..., size_m) x 12 / w
    churn_realised      = 100 |active at s and churned at m| / |active at s|

Leavers are counted as they leave (``TeamTally.count_leavers``, called by workforce.step), since
a post can be vacated and refilled between month ends. Churn needs no such count: accounts churn
only at month ends (renewals), and once churned an account stays churned, so a snapshot of the
active accounts at each month end gives every count exactly.

Nothing here runs unless the model was built with ``teams_output=True``; it reads the state and
draws no random numbers, so the organisation's output is the same with or without team rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from cxsim.model.catalogue import TEAM_METRICS
from cxsim.model.mechanisms.churn import recommend_score
from cxsim.model.mechanisms.measurement import net_promoter_score
from cxsim.model.state import BACK_OFFICE, FRONTLINE, PRODUCT

if TYPE_CHECKING:
    from cxsim.model.cx_model import CXCultureModel

WINDOW_MONTHS = 12
FUNCTION_NAMES: dict[int, str] = {FRONTLINE: "frontline", PRODUCT: "product",
                                  BACK_OFFICE: "back_office"}
_FUNCTION_LABELS = np.array([FUNCTION_NAMES[k] for k in sorted(FUNCTION_NAMES)], dtype=object)

# column -> (unit, meaning), in table order; the words live in the catalogue.
TEAM_COLUMNS: dict[str, tuple[str, str]] = {m.name: (m.unit, m.meaning) for m in TEAM_METRICS}


@dataclass
class TeamTally:
    """What team rows need from earlier in the run, held on the model as ``model.team_tally``.

    ``leavers`` counts this month's leavers per team (workforce.step adds them); ``rows`` holds
    the team rows of months 0, 1, ... so far; ``active`` the active accounts at each month end.
    """

    leavers: np.ndarray                                    # int per team, this month so far
    rows: list[dict[str, np.ndarray]] = field(default_factory=list)
    active: list[np.ndarray] = field(default_factory=list)  # bool per customer slot, per month

    @classmethod
    def start(cls, model: CXCultureModel) -> TeamTally:
        """An empty tally with the month-0 rows (taken when the model is built)."""
        tally = cls(np.zeros(model.teams.size, np.int64))
        model.team_tally = tally
        tally.close_month(model, 0)
        return tally

    def count_leavers(self, teams: np.ndarray) -> None:
        """Add leavers, given the team of each."""
        self.leavers += np.bincount(teams, minlength=self.leavers.size)

    def close_month(self, model: CXCultureModel, month: int) -> None:
        """At a month end: the month's rows, the active accounts, a fresh leaver count."""
        self.rows.append(team_rows(model, month))
        self.active.append(model.customers.active.copy())
        self.leavers[:] = 0


def _ratio(numerator: np.ndarray, denominator: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """scale x numerator / denominator, NaN where the denominator is 0."""
    out = np.full(denominator.shape, np.nan)
    np.divide(numerator, denominator, out=out, where=denominator > 0)
    return scale * out


def team_rows(model: CXCultureModel, month: int) -> dict[str, np.ndarray]:
    """Every team's row at the end of ``month``: column -> array over teams (``TEAM_COLUMNS``).

    Reads the state and ``model.team_tally`` (this month's leavers and the earlier months'
    rows and active accounts); changes nothing.
    """
    people, teams, customers, tally = model.people, model.teams, model.customers, model.team_tally
    n = teams.size
    filled = people.filled
    team_of = people.team[filled]
    size = np.bincount(team_of, minlength=n)

    def staff_mean(values: np.ndarray) -> np.ndarray:
        return _ratio(np.bincount(team_of, weights=values[filled], minlength=n), size)

    # Trailing window: months s+1 .. m (rows[s] is month s's row; this month's is not in yet).
    earlier = tally.rows
    window = min(len(earlier), WINDOW_MONTHS)
    start = len(earlier) - window
    sizes = [row["size"] for row in earlier[start:]] + [size]
    leavers = sum((row["leavers"] for row in earlier[start + 1:]), tally.leavers.copy())
    turnover = (_ratio(leavers, np.mean(sizes, axis=0), 100.0 * 12 / window) if window
                else np.full(n, np.nan))

    account_team = customers.account_team
    active = customers.active
    book = np.bincount(account_team[customers.exists], minlength=n) > 0
    accounts = np.bincount(account_team[active], minlength=n)
    previous = tally.active[-1] if tally.active else active
    churned = np.bincount(account_team[previous & customers.churned], minlength=n)
    # Accounts never come back once churned: active at s and churned now = churned within.
    cohort = tally.active[start] if window else active
    lost = np.bincount(account_team[cohort & customers.churned], minlength=n)
    cohort_size = np.bincount(account_team[cohort], minlength=n)
    satisfaction = customers.satisfaction[active]
    # The organisation's NPS function, one call per team with active accounts (a loop over
    # teams, not accounts), so the team figure is nps_true's definition by construction.
    order = np.argsort(account_team[active], kind="stable")
    scores = recommend_score(satisfaction[order], customers.score_bias[active][order])
    bounds = np.concatenate(([0], np.cumsum(accounts)))
    nps = np.full(n, np.nan)
    for g in np.flatnonzero(accounts):
        nps[g] = net_promoter_score(scores[bounds[g]:bounds[g + 1]])

    no_book = np.where(book, 0.0, np.nan)  # + no_book: NaN for a team without accounts
    return {
        "team": np.arange(n),
        "month": np.full(n, month),
        "function": _FUNCTION_LABELS[teams.function],
        "frontline": teams.frontline.copy(),
        "size": size,
        "leavers": tally.leavers.copy(),
        "engagement": 100.0 * staff_mean(people.engagement),
        "psychological_safety": 1.0 + 4.0 * staff_mean(people.safety),
        "cynicism": 100.0 * staff_mean(people.cynicism),
        "turnover_annualised": turnover,
        "accounts": accounts + no_book,
        "churned_customers": churned + no_book,
        "customer_satisfaction": _ratio(np.bincount(account_team[active], weights=satisfaction,
                                                    minlength=n), accounts) + no_book,
        "nps_true": nps + no_book,
        "churn_realised": _ratio(lost, cohort_size, 100.0) + no_book,
    }


def team_frame(tally: TeamTally) -> pd.DataFrame:
    """The team rows of a run as one table, ordered by month, then team."""
    return pd.DataFrame({name: np.concatenate([row[name] for row in tally.rows])
                         for name in TEAM_COLUMNS})
