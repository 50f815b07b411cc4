"""Parameter uncertainty in every forecast: the replicate plan (seed and posterior draw), the
draw's reach, the variance decomposition, and the ranges that come out of them."""

from __future__ import annotations

import json
import sys

import numpy as np
import pandas as pd
import pytest

from cxsim.experiments.compare import compare
from cxsim.experiments.runner import replicate_seeds, run_replicates
from cxsim.experiments.uncertainty import (
    CHANCE_PER_DRAW,
    POINT,
    drawn_keys,
    load_ensemble,
    plan_replicates,
    variance_shares,
    with_draw,
)
from cxsim.model import load_scenario

SMALL = {"organisation.employees": 120, "organisation.customers": 80}


@pytest.mark.fast
def test_the_plan_is_seed_determined_and_prefix_stable() -> None:
    long = plan_replicates(replicate_seeds(7, 20))
    assert long == plan_replicates(replicate_seeds(7, 20))
    short = plan_replicates(replicate_seeds(7, 9))
    assert short.draws == long.draws[:9] and short.seeds == long.seeds[:9]
    assert long.draws != plan_replicates(replicate_seeds(8, 20)).draws
    # each draw carries CHANCE_PER_DRAW consecutive seeds
    assert all(long.draws[i] == long.draws[i - i % CHANCE_PER_DRAW] for i in range(20))
    assert all(0 <= d < len(load_ensemble().weights) for d in long.draws)
    point = plan_replicates(replicate_seeds(7, 5), "point")
    assert point.draws == (POINT,) * 5 and point.record()["parameters"] == "point"
    with pytest.raises(ValueError, match="parameters"):
        plan_replicates([1], "both")


@pytest.mark.fast
def test_draws_follow_the_posterior_weights() -> None:
    ensemble = load_ensemble()
    draws = np.array(plan_replicates(replicate_seeds(0, 4000)).draws[::CHANCE_PER_DRAW])
    counts = np.bincount(draws, minlength=len(ensemble.weights))
    heavy = ensemble.weights > np.quantile(ensemble.weights, 0.9)
    # the heaviest tenth of the particles gets its weight's share of the draws, within noise
    assert abs(counts[heavy].sum() / draws.size - ensemble.weights[heavy].sum()) < 0.05


@pytest.mark.fast
def test_a_draw_replaces_only_what_the_shipped_baseline_sets() -> None:
    ensemble = load_ensemble()
    mine = ensemble.keys[0]
    scenario = load_scenario("techops_programme", {mine: 0.123})
    keys = drawn_keys(scenario, ensemble)
    assert mine not in keys and set(keys) == set(ensemble.keys) - {mine}
    drawn = with_draw(scenario, 3)
    section, name = mine.split(".")
    assert getattr(getattr(drawn.parameters, section), name) == 0.123  # the user's value stays
    for key in keys:
        section, name = key.split(".")
        assert getattr(getattr(drawn.parameters, section), name) == pytest.approx(
            ensemble.row(3)[key])
    assert drawn.overrides == scenario.overrides  # the draw is not recorded as the user's
    assert with_draw(scenario, POINT) is scenario


@pytest.mark.fast
def test_variance_shares_recover_a_known_split() -> None:
    rng = np.random.default_rng(1)
    groups, m = 4000, CHANCE_PER_DRAW
    theta = np.repeat(rng.normal(0, 2.0, groups), m)      # parameter variance 4
    y = theta + rng.normal(0, 1.0, groups * m)             # chance variance 1
    replicates = np.arange(groups * m)
    shares = variance_shares(y, replicates, replicates // m)
    assert shares.parameters == pytest.approx(0.8, abs=0.02)
    assert shares.parameters + shares.chance == pytest.approx(1.0)
    point = variance_shares(y, replicates, np.full(y.size, POINT))
    assert (point.parameters, point.chance) == (0.0, 1.0)
    flat = variance_shares(np.ones(8), np.arange(8), np.arange(8) // m)
    assert np.isnan(flat.parameters)


def test_arms_share_seeds_and_draws_and_workers_do_not_matter() -> None:
    scenarios = [load_scenario(n, SMALL) for n in ("baseline", "techops_programme")]
    one = compare(scenarios, replicates=6, seed=11, workers=1)
    two = compare(scenarios, replicates=6, seed=11, workers=2)
    pd.testing.assert_frame_equal(one.monthly, two.monthly)
    pd.testing.assert_frame_equal(one.differences, two.differences)
    arms = one.monthly.groupby(["scenario", "replicate"])[["seed", "draw"]].first()
    assert arms.loc["baseline"].equals(arms.loc["techops_programme"])
    assert list(arms.loc["baseline"]["draw"]) == list(one.plan.draws)
    # a replicate is the same whichever batch it ran in
    alone = run_replicates(scenarios[1], one.plan.seeds[4:], draws=one.plan.draws[4:])
    mine = one.monthly[(one.monthly["scenario"] == "techops_programme")
                       & (one.monthly["replicate"] >= 4)].drop(columns="replicate")
    pd.testing.assert_frame_equal(alone.drop(columns="replicate").reset_index(drop=True),
                                  mine.reset_index(drop=True))


def test_the_posterior_carries_parameter_spread_and_point_is_chance_alone() -> None:
    """The posterior's range has a parameter part, the point's none. Whether it is also wider
    is an empirical matter, not a law (total variance = E[chance | theta] + Var(mean | theta),
    and chance at the point estimate need not equal its posterior mean): in this 80-account
    organisation chance dominates, and at 96 replicates the revenue difference's range was 12.7
    (posterior) against 12.5 (point), 14.2 and 15.6 on two other seeds (2026-12-04)."""
    scenarios = [load_scenario(n, SMALL) for n in ("baseline", "techops_programme")]
    posterior = compare(scenarios, replicates=24, seed=0).differences
    point = compare(scenarios, replicates=24, seed=0, parameters="point").differences

    def row(frame: pd.DataFrame, outcome: str) -> pd.Series:
        return frame[(frame["scenario"] == "techops_programme")
                     & (frame["outcome"] == outcome)].iloc[0]

    for outcome in ("churn_annualised", "revenue_retained", "nps_true"):
        assert row(point, outcome)["parameter_share"] == 0.0
        assert row(posterior, outcome)["parameter_share"] > 0, outcome


@pytest.mark.fast
def test_cli_records_the_plan_and_point_runs_without_draws(tmp_path) -> None:
    import subprocess

    base = [sys.executable, "-m", "cxsim.experiments.cli", "run", "baseline", "--replicates",
            "4", "--set", "organisation.employees=120", "--set", "organisation.customers=80"]
    for flag, out in (([], tmp_path / "posterior"), (["--point"], tmp_path / "point")):
        done = subprocess.run([*base, *flag, "--out", str(out)], capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0, done.stderr
    posterior = json.loads((tmp_path / "posterior" / "summary.json").read_text())
    point = json.loads((tmp_path / "point" / "summary.json").read_text())
    plan = posterior["provenance"]["replicate_plan"]
    assert plan["parameters"] == "posterior" and len(plan["draws"]) == 4
    assert plan["draws"] == list(plan_replicates(replicate_seeds(0, 4)).draws)
    assert point["provenance"]["replicate_plan"]["parameters"] == "point"
    assert "--point" in " ".join(point["provenance"]["settings"]["reproduce"])
    monthly = pd.read_parquet(tmp_path / "point" / "monthly.parquet")
    assert (monthly["draw"] == POINT).all()


SWEEP = """
name = "{name}"
scenario = "techops_programme"
method = "oat"
levels = 2
replicates = 4
seed = 7
context = "{context}"

[overrides]
"organisation.employees" = 60
"organisation.customers" = 40

[[parameters]]
key = "levers.psychological_safety"
low = 0.2
high = 0.8

[[parameters]]
key = "churn.intercept"
low = -4.0
high = -2.0

[[outputs]]
name = "churn_m12"
column = "churn_annualised"
"""


def test_a_sweep_can_sample_its_context_from_the_posterior(tmp_path) -> None:
    from cxsim.experiments.sweep import load_sweep, read_runs, run_sweep
    from cxsim.experiments.uncertainty import draw_rows

    rows = {}
    for context in ("posterior", "point"):
        path = tmp_path / f"{context}.toml"
        path.write_text(SWEEP.format(name=context, context=context))
        sweep = load_sweep(path)
        run_sweep(sweep, tmp_path / context, workers=1, progress=False)
        rows[context] = read_runs(tmp_path / context).sort_values(["point", "replicate"])
        if context == "posterior":
            record = json.loads((tmp_path / context / "manifest.json").read_text())["context"]
            assert record["rows"] == list(draw_rows(4, 7))
            # the swept parameter is the sweep's, not the draw's
            assert "churn.intercept" not in record["keys"] and record["keys"]
            assert all(set(d) == set(record["keys"]) for d in sweep.draws)
            run_sweep(sweep, tmp_path / "two", workers=2, progress=False, chunk_size=3)
            pd.testing.assert_frame_equal(
                rows[context].reset_index(drop=True),
                read_runs(tmp_path / "two").sort_values(["point", "replicate"])
                .reset_index(drop=True))
    assert (rows["posterior"]["seed"].to_numpy() == rows["point"]["seed"].to_numpy()).all()
    assert not np.allclose(rows["posterior"]["churn_m12"], rows["point"]["churn_m12"])


@pytest.mark.fast
def test_a_posterior_context_needs_the_agent_based_model(tmp_path) -> None:
    from cxsim.experiments.sweep import load_sweep
    from cxsim.model import ScenarioError

    path = tmp_path / "ishigami.toml"
    path.write_text('name = "i"\nmodel = "ishigami"\nmethod = "oat"\ncontext = "posterior"\n'
                    '[[parameters]]\nkey = "x1"\nlow = -3.0\nhigh = 3.0\n'
                    '[[outputs]]\nname = "y"\ncolumn = "y"\n')
    with pytest.raises(ScenarioError, match="context"):
        load_sweep(path)


def test_patterns_and_team_rows_run_on_the_posterior_predictive_when_asked() -> None:
    """The patterns (validation, kept out of the fit) can be measured under the posterior
    predictive: replicate i on the plan's draw i, the same for every arm; the point mode is the
    calibrated point (draw -1), as the pattern tests use."""
    from cxsim.experiments import patterns
    from cxsim.experiments.team_patterns import frontline_rows

    seeds = replicate_seeds(0, 4)
    runs = patterns.Runs(4, 0, overrides=tuple(SMALL.items()), parameters="posterior")
    assert runs.draws == plan_replicates(seeds).draws
    assert set(patterns.Runs(4, 0).draws) == {-1}
    on_draws = runs.get([patterns.Arm("baseline")], "baseline")[0]
    alone = run_replicates(load_scenario("baseline", SMALL), seeds, draws=runs.draws)
    churn = alone.sort_values(["replicate", "month"])["churn_annualised"].to_numpy()
    assert np.array_equal(on_draws[:, :, 0].ravel(), churn)
    small = load_scenario("baseline", SMALL)
    point = frontline_rows(small, 2, 0)
    posterior = frontline_rows(small, 2, 0, parameters="posterior")
    assert len(point) == len(posterior)
    assert not np.allclose(point["customer_satisfaction"].fillna(0),
                           posterior["customer_satisfaction"].fillna(0))
