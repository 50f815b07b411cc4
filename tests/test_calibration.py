"""The calibration is a scripted, rerunnable procedure whose record the shipped defaults match."""

from __future__ import annotations

import json
from concurrent.futures import ProcessPoolExecutor

import pytest

from cxsim.experiments import calibrate
from cxsim.model import load_scenario


@pytest.fixture(scope="module")
def record() -> dict:
    return json.loads(calibrate.RECORD.read_text())


def test_shipped_baseline_holds_the_calibrated_values(record) -> None:
    params = load_scenario("baseline").parameters
    for free in record["free_parameters"]:
        section, name = free["key"].split(".")
        assert getattr(getattr(params, section), name) == pytest.approx(free["calibrated"])
        assert free["low"] <= free["calibrated"] <= free["high"]


def test_record_means_reproduce_from_the_shipped_defaults(record) -> None:
    """Re-validating the shipped defaults on the recorded seeds gives the recorded means."""
    first, last = record["validation_seeds"]
    with ProcessPoolExecutor(max_workers=2) as pool:
        values = calibrate.replicate_means({}, list(range(first, last + 1)), pool)
    for target in record["targets"]:
        key = calibrate.Target(target["scenario"], target["month"], target["column"],
                               target["value"], target["tolerance"], target["meaning"])
        assert values[key].mean() == pytest.approx(target["mean"], abs=1e-3), target["column"]


def test_every_case_figure_within_tolerance(record) -> None:
    outside = [(t["scenario"], t["month"], t["column"], t["mean"], t["value"])
               for t in record["targets"] if not t["within_tolerance"]]
    assert not outside
    for t in record["targets"]:
        assert abs(t["mean"] - t["value"]) <= t["tolerance"]


def test_a_rerun_reproduces_the_record() -> None:
    """Two short calibrations with the same seed give the same record (the date aside)."""
    runs = [calibrate.calibrate(trials=4, replicates=2, validate=3, seed=7, workers=2, refine=4)
            for _ in range(2)]
    for run in runs:
        run.pop("date")
    assert runs[0] == runs[1]
