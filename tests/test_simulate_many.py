"""``simulate_many``: many runs in one call, each exactly the run ``simulate`` makes alone, whatever
the batch it shares (issue "Throughput": batch invariance, bit for bit)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxsim.model import COLUMNS, load_scenario, simulate, simulate_many

SMALL = {"organisation.employees": 80, "organisation.customers": 40}


def scenario(name: str = "techops_programme", **overrides: float):
    return load_scenario(name, overrides={**SMALL, **overrides})


def run_rows(frame: pd.DataFrame, run: int) -> pd.DataFrame:
    return frame[frame["run"] == run].drop(columns=["run", "seed"]).reset_index(drop=True)


@pytest.mark.fast
def test_columns_order_and_one_run_equal_to_simulate() -> None:
    s = scenario()
    frame = simulate_many(s, [4])
    assert list(frame.columns) == ["run", "seed", *COLUMNS]
    assert frame["run"].dtype == np.int64 and frame["seed"].dtype == np.int64
    pd.testing.assert_frame_equal(run_rows(frame, 0), simulate(s, seed=4), check_exact=True)


@pytest.mark.fast
def test_a_run_is_the_same_bit_for_bit_in_any_batch() -> None:
    s = scenario()
    alone = simulate_many(s, [5])
    batches = ([5, 6], [1, 2, 5], [9, 8, 7, 6, 5, 4, 3], [5, 5, 0])
    for seeds in batches:
        frame = simulate_many(s, seeds)
        assert frame["run"].is_monotonic_increasing
        assert list(frame.groupby("run")["seed"].first()) == seeds
        for run in np.flatnonzero(np.array(seeds) == 5):
            pd.testing.assert_frame_equal(run_rows(frame, int(run)), run_rows(alone, 0),
                                          check_exact=True)


@pytest.mark.fast
def test_one_scenario_per_seed_is_each_scenarios_own_run() -> None:
    points = [scenario(**{"levers.psychological_safety": v}) for v in (0.2, 0.5, 0.9)]
    seeds = [3, 3, 11]
    frame = simulate_many(points, seeds)
    for run, (point, seed) in enumerate(zip(points, seeds, strict=True)):
        pd.testing.assert_frame_equal(run_rows(frame, run), simulate(point, seed=seed),
                                      check_exact=True)
    # common random numbers: the same seed under two settings differs only by the setting
    assert not run_rows(frame, 0).equals(run_rows(frame, 1))


@pytest.mark.fast
def test_names_parameters_and_progress() -> None:
    done: list[int] = []
    by_name = simulate_many("baseline", range(2), on_run=done.append)
    by_parameters = simulate_many(load_scenario("baseline").parameters, range(2))
    assert done == [1, 2]
    pd.testing.assert_frame_equal(by_name, by_parameters, check_exact=True)


@pytest.mark.fast
def test_one_scenario_per_seed_or_an_error() -> None:
    with pytest.raises(ValueError, match="2 scenarios for 3 seeds"):
        simulate_many([scenario(), scenario()], [1, 2, 3])
    assert simulate_many(scenario(), []).empty
