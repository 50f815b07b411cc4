"""The interval functions (experiments/statistics.py): no interval or range from fewer than 2
replicates, so nothing shows a zero-width interval that only means 'one run'."""

from __future__ import annotations

import math

import pytest

from cxsim.experiments.statistics import mean_interval, paired_interval, range_of_futures


@pytest.mark.fast
@pytest.mark.parametrize("interval", [mean_interval, range_of_futures])
def test_one_replicate_has_no_interval(interval) -> None:
    one = interval([3.7])
    assert one.mean == 3.7 and one.n == 1
    assert math.isnan(one.low) and math.isnan(one.high)
    assert not one.has_bounds() and not one.excludes_zero()
    assert one.text(signed=True) == "+3.7 (one replicate: no interval)"


@pytest.mark.fast
def test_two_replicates_have_one_and_equal_values_a_zero_width_one() -> None:
    two = mean_interval([1.0, 3.0])
    assert two.has_bounds() and two.low < 2.0 < two.high
    assert paired_interval([2.0, 2.0], [1.0, 1.0]).text() == "1.0 [1.0, 1.0]"
    futures = range_of_futures([0.0, 10.0])
    assert (futures.low, futures.high) == (pytest.approx(0.5), pytest.approx(9.5))
    assert math.isnan(mean_interval([]).mean)
