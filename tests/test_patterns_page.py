"""The patterns page machinery (experiments/patterns.py, validation.py): rows and their Markdown.

A tiny run (2 replicates, a 90-person organisation with 60 accounts, a subset of levers and
anti-patterns) checks the rows' shape and the rendering only; whether the patterns hold is for
tests/test_model_v2.py and tests/test_team_patterns.py.
"""

from __future__ import annotations

import math
import re

import pytest

from cxsim.experiments import patterns
from cxsim.experiments.validation import pattern_table, patterns_section

pytestmark = pytest.mark.fast

SMALL = (("organisation.employees", 90), ("organisation.customers", 60))


@pytest.fixture(scope="module")
def rows() -> list[patterns.Row]:
    runs = patterns.Runs(replicates=2, seed=0, overrides=SMALL)
    return [
        *patterns.people_rows(runs),
        *patterns.lever_rows(runs, levers=("ritual_participation",), steps=(0.0, 1.0)),
        *patterns.anti_pattern_rows(runs, scenarios=("techops_programme",),
                                    anti_patterns=("cx_theater",), risks=("remote_work",),
                                    steps=(0.0, 1.0)),
        *patterns.team_rows(runs, replicates=2),
        *patterns.worse_before_better_rows(runs),
        *patterns.horizon_rows(runs),
    ]


def test_every_group_has_rows_with_every_field(rows) -> None:
    assert {r["group"] for r in rows} == set(patterns.GROUPS)
    assert len({r["id"] for r in rows}) == len(rows)
    for r in rows:
        assert set(r) == set(patterns.Row.__annotations__), r
        assert r["pattern"] and r["band_or_rule"]
        assert r["unit"] in ("points", "NPS", "r", "problems"), r
        assert r["holds"] in (True, False, None)
        assert r["knockout_holds"] in (True, False, None)
        assert (r["knockout"] is None) == (r["knockout_interval"] is None), r


def test_figures_are_finite(rows) -> None:
    for r in rows:
        figures = [r["measured"], *r["interval"]]
        if r["knockout"] is not None:
            figures += [r["knockout"], *r["knockout_interval"]]
        assert all(math.isfinite(x) for x in figures), r
        assert r["interval"][0] <= r["measured"] <= r["interval"][1], r


def test_knockouts_are_where_the_tests_have_twins(rows) -> None:
    with_knockout = {r["id"] for r in rows if r["knockout"] is not None}
    assert with_knockout == {
        "freeze.churn_annualised", "freeze.nps_true", "dip.early",
        "team.baseline.engagement.customer_satisfaction",
        "team.baseline.engagement.turnover_annualised"}


def test_the_markdown_has_one_line_per_pattern(rows) -> None:
    table = pattern_table(rows)
    assert len(table) == 2 + len(rows)
    cells = [re.split(r"(?<!\\)\|", line)[1:-1] for line in table]   # unescaped '|'
    assert all(len(c) == 6 for c in cells), table
    section = patterns_section(rows, 2, 2, 2, 0)
    body = [line for line in section if line.startswith("| ") and not line.startswith(
        "| pattern |")]
    assert len(body) == len(rows)
    assert sum(line.startswith("### ") for line in section) == len(patterns.GROUPS)
    assert "nan" not in "\n".join(section).lower()


def test_the_frame_has_a_row_per_pattern(rows) -> None:
    table = patterns.frame(rows)
    assert len(table) == len(rows)
    assert list(table.columns) == list(patterns.Row.__annotations__)
