"""Parameter recovery of the ABC-SMC calibration (experiments/recovery.py, ``cxsim recovery``):
intervals and coverage computed as documented, fits to a synthetic case kept apart from fits to
the real one, and the command's record whole, seeded and resumable."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from cxsim.experiments import calibrate, posterior, recovery


@pytest.mark.fast
def test_weighted_interval_and_the_truth_check() -> None:
    values = np.arange(100, dtype=float)
    low, high = recovery.credible_interval(values, np.ones(100))
    assert (low, high) == (4.0, 94.0)
    heavy = np.where(values < 50, 1.0, 0.0)       # all the weight on the lower half
    assert recovery.credible_interval(values, heavy)[1] < 50
    rng = np.random.default_rng(0)
    table = pd.DataFrame({f.key: rng.uniform(f.low, f.high, 400) for f in calibrate.FREE})
    table.insert(0, "weight", 1 / 400)
    first = calibrate.FREE[0]
    truth = {f.key: (f.low + f.high) / 2 for f in calibrate.FREE}
    truth[first.key] = first.high + 1.0           # outside the prior: never covered
    rows = recovery.check_truth(truth, table)
    assert [r["key"] for r in rows] == [f.key for f in calibrate.FREE]
    assert not rows[0]["inside"] and all(r["inside"] for r in rows[1:])
    assert all(0.8 < r["width_of_prior"] <= 1.0 for r in rows)


@pytest.mark.fast
def test_coverage_counts_pairs_and_the_informed_ones() -> None:
    def result(k: int, inside: list[bool], contraction: list[float]) -> dict:
        return {"truth": k, "parameters": [
            {"key": key, "inside": i, "contraction": c, "width_of_prior": 1 - c}
            for key, i, c in zip(("a", "b"), inside, contraction, strict=True)]}

    summary = recovery.summarise([result(0, [True, False], [0.6, 0.0]),
                                  result(1, [False, True], [0.4, 0.1])])
    assert summary["coverage"] == 0.5 and summary["pairs"] == 4
    assert summary["informed"] == ["a"] and summary["informed_coverage"] == 0.5
    assert [row["coverage"] for row in summary["by_parameter"]] == [0.5, 0.5]


def test_a_synthetic_case_is_its_own_run_in_the_database(tmp_path) -> None:
    settings = posterior.Settings(population=6, generations=1, seed=5)
    database = tmp_path / "h.db"
    case = posterior.draws(posterior.run_abc(settings, database).history)
    observed = {key: value + 1.0 for key, value in posterior.OBSERVED.items()}
    synthetic = posterior.run_abc(settings, database, observed=observed)
    stored = synthetic.history.observed_sum_stat()
    assert {k: float(v) for k, v in stored.items()} == pytest.approx(observed)
    assert synthetic.history.id != posterior.run_abc(settings, database).history.id
    assert not posterior.draws(synthetic.history).equals(case)
    again = posterior.run_abc(settings, database, observed=observed)   # resumed, not rerun
    assert again.history.id == synthetic.history.id


def test_command_writes_a_seeded_record_and_leaves_the_shipped_files(tmp_path) -> None:
    shipped = recovery.RECOVERY_RECORD.read_bytes() if recovery.RECOVERY_RECORD.exists() \
        else None
    args = [sys.executable, "-m", "cxsim", "recovery", "--truths", "2", "--population", "6",
            "--generations", "1", "--workers", "2"]
    records = []
    for name in ("a", "b"):
        out = tmp_path / name
        done = subprocess.run([*args, "--out", str(out)], capture_output=True, text=True,
                              timeout=600)
        assert done.returncode == 0, done.stderr
        assert "coverage of the 90% intervals" in done.stderr
        assert sorted(p.name for p in out.iterdir()) == [".cxsim-result-set",
                                                         "recovery_record.json"]
        records.append(json.loads((out / "recovery_record.json").read_text()))
    first, second = records
    assert len(first["truths"]) == 2 and first["summary"]["pairs"] == 2 * len(calibrate.FREE)
    strip = [{k: v for k, v in t.items() if k != "seconds"} for t in first["truths"]]
    assert strip == [{k: v for k, v in t.items() if k != "seconds"} for t in second["truths"]]
    truths = recovery.synthetic_truths(2, first["settings"]["seed"])
    for k, truth in enumerate(first["truths"]):
        assert [p["true"] for p in truth["parameters"]] == pytest.approx(
            truths.iloc[k].tolist(), abs=1e-6)
        assert truth["observed"] == pytest.approx(posterior.case_statistics(
            truths.iloc[k].to_dict(), recovery.TRUTH_SEED + k), abs=1e-4)
    assert (recovery.RECOVERY_RECORD.read_bytes() if recovery.RECOVERY_RECORD.exists()
            else None) == shipped


@pytest.mark.fast
def test_the_validation_page_reads_the_posterior_and_recovery_records(tmp_path) -> None:
    from cxsim.experiments import validation

    lines = "\n".join(validation.posterior_section())
    shipped = json.loads(posterior.POSTERIOR_RECORD.read_text())
    inside = sum(row["inside_90"] for row in shipped["predictive_check"])
    assert f"{inside} of {len(shipped['predictive_check'])} case figures inside" in lines
    for row in shipped["identifiability"]["parameters"]:
        assert f"| `{row['key']}` |" in lines
    quantiles = validation.point_quantiles()
    assert set(quantiles) == {f.key for f in calibrate.FREE}
    assert all(0.0 <= q <= 1.0 for q in quantiles.values())
    assert "Parameter recovery" in "\n".join(validation.recovery_lines(tmp_path / "none.json"))
    record = {"settings": {"truths": 2, "population": 6, "generations": 1}, "level": 0.9,
              "informed_contraction": 0.3, "simulations": 40, "seconds": 60.0,
              "summary": recovery.summarise([{"truth": 0, "parameters": [
                  {"key": "a", "inside": True, "contraction": 0.5, "width_of_prior": 0.4}]}])}
    path = tmp_path / "recovery_record.json"
    path.write_text(json.dumps(record))
    text = "\n".join(validation.recovery_lines(path))
    assert "in 100% of 1 (truth, parameter) pairs" in text and "| `a` | 100% | 0.50 | 40% |" in text
    assert "Out of date" in text and "did not record" in text
    shipped = recovery.posterior_fingerprint()
    for made, stale in (("0123456789abcdef", True), (shipped, False)):
        path.write_text(json.dumps({**record, "posterior_sha256": made}))
        text = "\n".join(validation.recovery_lines(path))
        assert ("Out of date" in text) == stale and (f"`{made}`" in text) == stale
