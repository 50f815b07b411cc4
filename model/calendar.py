"""The one month calendar: weeks are the model's clock, months are what people read.

Month m (1..) ends at week ``round(52 m / 12)``: weeks 4, 9, 13, 17, 22, 26, 30, 35, 39, 43, 48
and 52 in a year. Month 0 is the state before week 1. Week w (1..) belongs to the first month
that ends at or after it.
"""

from __future__ import annotations

import math

WEEKS_PER_YEAR = 52
MONTHS_PER_YEAR = 12


def month_end_week(month: int) -> int:
    """The week at whose end month ``month`` ends (0 for month 0)."""
    return round(WEEKS_PER_YEAR * month / MONTHS_PER_YEAR)


def month_end_weeks(weeks: int) -> dict[int, int]:
    """Week -> month, for every month that ends within a horizon of ``weeks`` weeks."""
    ends: dict[int, int] = {}
    month = 1
    while month_end_week(month) <= weeks:
        ends[month_end_week(month)] = month
        month += 1
    return ends


def month_of_week(week: int) -> int:
    """The month week ``week`` belongs to (week 0, the start, is month 0)."""
    if week <= 0:
        return 0
    month = max(1, math.floor(week * MONTHS_PER_YEAR / WEEKS_PER_YEAR))
    while month_end_week(month) < week:
        month += 1
    while month > 1 and month_end_week(month - 1) >= week:
        month -= 1
    return month
