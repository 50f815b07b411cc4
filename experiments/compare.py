"""Scenario comparison on common random numbers: what-if answers with uncertainty bands.

Replicate i of every scenario runs on the same seed (base seed + i) and the same posterior draw
of the calibrated parameters (``experiments.uncertainty``), so the paired difference
``scenario - reference`` of replicate i removes the noise and the parameter values the two runs
share. Each difference is reported as its mean, the central 90% of the paired differences
(``statistics.range_of_futures``: parameter and chance uncertainty together), the share of their
variance each source gives (``uncertainty.variance_shares``), and the 95% t interval of the mean
over the draws' slots (how precisely the replicates pin the mean down).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxsim.experiments.runner import replicate_seeds, run_replicates
from cxsim.experiments.statistics import headline, mean_interval, range_of_futures
from cxsim.experiments.uncertainty import (
    CHANCE_PER_DRAW,
    ReplicatePlan,
    plan_replicates,
    variance_shares,
)
from cxsim.model import Scenario, load_scenario

# The outcomes a comparison reports (words, units and direction from the catalogue).
OUTCOMES: tuple[str, ...] = ("churn_annualised", "revenue_churn_annualised", "nps_measured",
                             "nps_true", "revenue_retained", "culture_score",
                             "attrition_annualised", "cynicism")


@dataclass
class Comparison:
    """All replicates of every scenario, and month-``month`` differences against the first."""

    monthly: pd.DataFrame
    differences: pd.DataFrame
    scenarios: list[Scenario]
    seeds: list[int]
    month: int
    plan: ReplicatePlan | None = None


def covered_month(series: pd.Series, share: float) -> float:
    """Month (interpolated) at which a monthly trajectory first covers ``share`` of its change
    from the first month to the last: how early a metric moves."""
    covered = ((series - series.iloc[0]) / (series.iloc[-1] - series.iloc[0])).to_numpy()
    after = int(np.argmax(covered >= share))
    if after == 0:
        return 0.0
    before = covered[after - 1]
    return after - 1 + (share - before) / (covered[after] - before)


def paired_differences(monthly: pd.DataFrame, reference: str, month: int,
                       columns: Sequence[str]) -> pd.DataFrame:
    """Per scenario and outcome at ``month``: the reference's mean, the scenario's mean, the
    mean paired difference, the central 90% of the paired differences (``low``, ``high``), the
    parameters' and chance's shares of their variance, and the 95% t interval of the mean. No
    rows of the reference against itself; no interval or range from fewer than 2 replicates
    (NaN)."""
    at = monthly[monthly["month"] == month].set_index(["scenario", "replicate"])
    base = at.loc[reference]
    rows = []
    for name in monthly["scenario"].unique():
        if name == reference:
            continue
        mine = at.loc[name]
        replicates = mine.index.to_numpy()
        for column in columns:
            paired = mine[column].to_numpy(float) - base[column].to_numpy(float)
            futures = range_of_futures(paired)
            shares = variance_shares(paired, replicates, mine["draw"])
            slots = pd.Series(paired).groupby(replicates // CHANCE_PER_DRAW).mean()
            precision = mean_interval(slots)
            rows.append({
                "scenario": name, "outcome": column, "month": month,
                "reference_mean": headline(base[column]),
                "scenario_mean": headline(mine[column]),
                "difference": futures.mean, "low": futures.low, "high": futures.high,
                "level": futures.level,
                "parameter_share": shares.parameters, "chance_share": shares.chance,
                "mean_ci95_low": precision.low, "mean_ci95_high": precision.high,
                "replicates": futures.n,
            })
    return pd.DataFrame(rows)


def compare(scenarios: Sequence[str | Scenario], replicates: int = 30, seed: int = 0,
            workers: int = 1, month: int | None = None,
            on_done: Callable[[int], None] | None = None,
            parameters: str = "posterior") -> Comparison:
    """Run every scenario on the same seeds and posterior draws (``parameters="point"``: all on
    the calibrated point); differences against the first at ``month`` (default: the last)."""
    loaded = [s if isinstance(s, Scenario) else load_scenario(s) for s in scenarios]
    names = [s.name for s in loaded]
    if len(set(names)) != len(names):
        raise ValueError(f"scenario names must differ: {names}")
    seeds = replicate_seeds(seed, replicates)
    plan = plan_replicates(seeds, parameters)
    frames = []
    done = 0
    for scenario in loaded:
        def tick(n: int, offset: int = done) -> None:
            if on_done:
                on_done(offset + n)
        frames.append(run_replicates(scenario, seeds, workers=workers, on_done=tick,
                                     draws=plan.draws))
        done += replicates
    monthly = pd.concat(frames, ignore_index=True)
    month = int(monthly["month"].max()) if month is None else month
    differences = paired_differences(monthly, names[0], month, OUTCOMES)
    return Comparison(monthly, differences, loaded, seeds, month, plan)
