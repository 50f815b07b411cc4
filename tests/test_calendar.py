"""The one month calendar agrees with itself and with the model's month ends."""

from __future__ import annotations

import pytest

from cxsim.model.calendar import month_end_week, month_end_weeks, month_of_week

pytestmark = pytest.mark.fast


def test_a_year_has_twelve_month_ends():
    assert list(month_end_weeks(52)) == [4, 9, 13, 17, 22, 26, 30, 35, 39, 43, 48, 52]


@pytest.mark.parametrize("week", range(1, 157))
def test_every_week_falls_in_the_month_that_ends_first_after_it(week):
    month = month_of_week(week)
    assert month_end_week(month - 1) < week <= month_end_week(month)


def test_month_end_weeks_belong_to_their_own_month():
    for week, month in month_end_weeks(104).items():
        assert month_of_week(week) == month
