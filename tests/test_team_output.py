"""The team-level output (``simulate_teams``, model/team_metrics.py): its shape and types, its
consistency with the organisation's monthly table, its definitions recomputed from the state, its
reproducibility, and that collecting it leaves ``simulate`` unchanged bit for bit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import cxsim
from cxsim.experiments.statistics import correlation_interval
from cxsim.experiments.team_patterns import PAIRS, team_correlations
from cxsim.model import COLUMNS, TEAM_COLUMNS, CXCultureModel, simulate, simulate_teams
from cxsim.model.generate_docs import PAGES
from cxsim.model.mechanisms.churn import recommend_score
from cxsim.model.mechanisms.measurement import net_promoter_score

pytestmark = pytest.mark.fast

SCENARIO, SEED = "techops_programme", 3
ACCOUNT_COLUMNS = ("accounts", "churned_customers", "customer_satisfaction", "nps_true",
                   "churn_realised")
INTEGER_COLUMNS = ("team", "month", "size", "leavers")


@pytest.fixture(scope="module")
def run() -> tuple[CXCultureModel, pd.DataFrame, pd.DataFrame]:
    """A finished model with team rows, its team table and the organisation's table."""
    model = CXCultureModel(SCENARIO, seed=SEED, agents=False, teams_output=True)
    model.run()
    teams = simulate_teams(SCENARIO, seed=SEED)
    return model, teams, simulate(SCENARIO, seed=SEED)


def test_columns_and_dtypes(run) -> None:
    _, teams, _ = run
    assert list(teams.columns) == list(TEAM_COLUMNS)
    for name in INTEGER_COLUMNS:
        assert teams[name].dtype == np.int64, name
    assert teams["frontline"].dtype == bool
    assert pd.api.types.is_string_dtype(teams["function"])
    assert set(teams["function"]) <= {"frontline", "product", "back_office"}
    for name in set(TEAM_COLUMNS) - {*INTEGER_COLUMNS, "frontline", "function"}:
        assert teams[name].dtype == np.float64, name


def test_one_row_per_team_per_month(run) -> None:
    model, teams, monthly = run
    months = monthly["month"].to_numpy()
    assert len(teams) == model.teams.size * months.size
    assert not teams.duplicated(["team", "month"]).any()
    ordered = teams.sort_values(["month", "team"])
    assert ordered.index.equals(teams.index)
    assert sorted(teams["month"].unique()) == months.tolist()
    assert (teams.groupby("month")["team"].apply(list)
            == [list(range(model.teams.size))] * months.size).all()


def test_frontline_flag_matches_function(run) -> None:
    model, teams, _ = run
    assert (teams["frontline"] == (teams["function"] == "frontline")).all()
    final = teams[teams["month"] == teams["month"].max()]
    assert (final["frontline"].to_numpy() == model.teams.frontline).all()


def test_sums_over_teams_are_the_organisation_columns(run) -> None:
    _, teams, monthly = run
    by_month = teams.groupby("month")
    for team_column, column in (("size", "headcount"), ("leavers", "leavers"),
                                ("accounts", "customers_active"),
                                ("churned_customers", "churned_customers")):
        summed = by_month[team_column].sum().to_numpy()  # NaN-skipping: teams without accounts
        assert (summed == monthly[column].to_numpy()).all(), team_column
    assert monthly["leavers"].sum() > 0 and monthly["churned_customers"].sum() > 0


def test_account_columns_nan_exactly_for_teams_without_accounts(run) -> None:
    model, teams, _ = run
    c = model.customers
    book = np.bincount(c.account_team[c.exists], minlength=model.teams.size) > 0
    final = teams[teams["month"] == teams["month"].max()]
    for name in ("accounts", "churned_customers"):
        assert (final[name].isna().to_numpy() == ~book).all(), name
    non_frontline = teams[~teams["frontline"]]
    assert non_frontline[list(ACCOUNT_COLUMNS)].isna().all().all()
    frontline = teams[teams["frontline"]]
    assert frontline["accounts"].notna().all()  # every frontline team here serves accounts


def test_team_figures_are_their_definitions(run) -> None:
    """At the last month, recomputed from the finished model's state, team by team."""
    model, teams, _ = run
    people, c = model.people, model.customers
    final = teams[teams["month"] == teams["month"].max()].set_index("team")
    for g in np.flatnonzero(model.teams.frontline)[:5]:
        staff = people.filled & (people.team == g)
        assert final.at[g, "size"] == staff.sum()
        assert final.at[g, "engagement"] == pytest.approx(100 * people.engagement[staff].mean())
        assert final.at[g, "psychological_safety"] == pytest.approx(
            1 + 4 * people.safety[staff].mean())
        assert final.at[g, "cynicism"] == pytest.approx(100 * people.cynicism[staff].mean())
        served = c.active & (c.account_team == g)
        assert final.at[g, "accounts"] == served.sum()
        assert final.at[g, "customer_satisfaction"] == pytest.approx(
            c.satisfaction[served].mean())
        scores = recommend_score(c.satisfaction[served], c.score_bias[served])
        assert final.at[g, "nps_true"] == net_promoter_score(scores)  # the same function
        # month 12: the window starts at month 0, whose active accounts are the initial book
        cohort = c.initial & (c.account_team == g)
        assert final.at[g, "churn_realised"] == pytest.approx(
            100 * (cohort & c.churned).sum() / cohort.sum())


def test_turnover_is_trailing_leavers_over_mean_size_annualised(run) -> None:
    _, teams, _ = run
    leavers = teams.pivot(index="month", columns="team", values="leavers").to_numpy()
    size = teams.pivot(index="month", columns="team", values="size").to_numpy()
    turnover = teams.pivot(index="month", columns="team", values="turnover_annualised")
    assert turnover.loc[0].isna().all()
    for m in range(1, len(size)):
        w = min(m, 12)
        expected = 100 * leavers[m - w + 1:m + 1].sum(0) / size[m - w:m + 1].mean(0) * 12 / w
        assert np.allclose(turnover.loc[m].to_numpy(), expected), m


def test_churn_realised_is_zero_at_month_0_and_grows_within_the_year(run) -> None:
    _, teams, _ = run
    frontline = teams[teams["frontline"]]
    churn = frontline.pivot(index="month", columns="team", values="churn_realised")
    assert (churn.loc[0] == 0).all()
    # Within the first 12 months the cohort is the month-0 book: its churned share only grows.
    assert (churn.diff().iloc[1:] >= 0).all().all()
    assert (churn.loc[12] > 0).any()


@pytest.mark.parametrize(("scenario", "seed"), [("baseline", 0), ("techops_programme", 3),
                                                ("cx_theater", 7)])
def test_simulate_is_unchanged_bit_for_bit_by_team_rows(scenario: str, seed: int) -> None:
    plain = simulate(scenario, seed=seed)
    model = CXCultureModel(scenario, seed=seed, agents=False, teams_output=True)
    with_teams = pd.DataFrame.from_records(model.run(), columns=list(COLUMNS))
    assert list(with_teams.columns) == list(plain.columns)
    assert (with_teams.to_numpy(dtype="float64").tobytes()
            == plain.to_numpy(dtype="float64").tobytes())
    without = CXCultureModel(scenario, seed=seed, agents=False)
    assert without.team_tally is None


def test_simulate_teams_is_reproducible() -> None:
    first, second = simulate_teams("cx_theater", seed=5), simulate_teams("cx_theater", seed=5)
    pd.testing.assert_frame_equal(first, second)
    other = simulate_teams("cx_theater", seed=6)
    assert not first["engagement"].equals(other["engagement"])


def test_exported_and_documented() -> None:
    assert cxsim.simulate_teams is simulate_teams
    assert "simulate_teams" in cxsim.__all__ and "simulate_teams" in cxsim.model.__all__
    doc = simulate_teams.__doc__
    for name in TEAM_COLUMNS:
        assert f"``{name}``" in doc, name
    outputs = PAGES["outputs.md"]()  # docs/outputs.md, kept fresh by tests/test_docs.py
    assert "## Team-level output (`simulate_teams`)" in outputs
    for name, (unit, _) in TEAM_COLUMNS.items():
        assert f"| `{name}` | {unit} |" in outputs, name


def test_correlation_interval_is_fisher_z() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=200)
    y = 0.5 * x + rng.normal(size=200)
    interval = correlation_interval(x, y)
    r = np.corrcoef(x, y)[0, 1]
    half = 1.959963984540054 / np.sqrt(197)
    assert interval.mean == pytest.approx(r)
    assert (interval.low, interval.high) == pytest.approx(
        (np.tanh(np.arctanh(r) - half), np.tanh(np.arctanh(r) + half)))
    assert interval.n == 200
    with_nan = correlation_interval(np.append(x, np.nan), np.append(y, 1.0))
    assert with_nan.n == 200 and with_nan.mean == pytest.approx(r)
    assert np.isnan(correlation_interval([1.0, 1.0, 1.0, 1.0], [1.0, 2.0, 3.0, 4.0]).mean)
    assert np.isnan(correlation_interval([1.0, 2.0, 3.0], [1.0, 3.0, 2.0]).low)


def test_correlation_within_groups_ignores_the_groups_levels() -> None:
    # two organisations whose levels differ along the same line, and within each no link
    # at all: the pooled r is large, the within-group r is that of the centred samples, ~0
    rng = np.random.default_rng(3)
    noise_x, noise_y = rng.normal(size=(2, 400))
    group = np.repeat([0, 1], 200)
    x, y = noise_x + 5.0 * group, noise_y + 5.0 * group
    assert correlation_interval(x, y).mean > 0.8     # 6.25 / (6.25 + 1) expected
    within = correlation_interval(x, y, groups=group)
    centred = [np.concatenate([v[:200] - v[:200].mean(), v[200:] - v[200:].mean()])
               for v in (x, y)]
    assert within.mean == pytest.approx(np.corrcoef(*centred)[0, 1])
    assert abs(within.mean) < 0.15 and within.n == 400
    # the interval is Fisher's with n - (G - 1) = 399 in place of n
    half = 1.959963984540054 / np.sqrt(399 - 3)
    assert within.high == pytest.approx(np.tanh(np.arctanh(within.mean) + half))
    # a NaN pair is dropped with its label; one group alone is the plain r
    assert correlation_interval(np.append(x, np.nan), np.append(y, 1.0),
                                groups=np.append(group, 1)).mean == pytest.approx(within.mean)
    assert correlation_interval(x[:200], y[:200], groups=group[:200]).mean == \
        pytest.approx(correlation_interval(x[:200], y[:200]).mean)
    with pytest.raises(ValueError, match="groups differ in size"):
        correlation_interval(x, y, groups=group[:10])


def test_team_correlations_table() -> None:
    table = team_correlations("baseline", replicates=2, seed=0)
    assert list(table.columns) == ["scenario", "month", "x", "y", "r", "low", "high", "n",
                                   "r_within", "low_within", "high_within"]
    assert list(zip(table["x"], table["y"], strict=True)) == list(PAIRS)
    assert (table["scenario"] == "baseline").all() and (table["month"] == 12).all()
    assert ((table["low"] <= table["r"]) & (table["r"] <= table["high"])).all()
    assert ((table["low_within"] <= table["r_within"])
            & (table["r_within"] <= table["high_within"])).all()
    assert (table["n"] > 0).all()
