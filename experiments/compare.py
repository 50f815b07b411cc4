"""Scenario comparison on common random numbers: what-if answers with uncertainty bands.

Replicate i of every scenario runs on the same seed (base seed + i), so the paired difference
``scenario - reference`` of replicate i removes the noise the two runs share. The 95% interval of a
mean difference is the t interval of the paired differences (``statistics.paired_interval``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxsim.experiments.runner import replicate_seeds, run_replicates
from cxsim.experiments.statistics import headline, paired_interval
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
    """Per scenario and outcome: the reference's mean, the scenario's mean, the mean paired
    difference and its 95% t interval."""
    at = monthly[monthly["month"] == month].set_index(["scenario", "replicate"])
    base = at.loc[reference]
    rows = []
    for name in monthly["scenario"].unique():
        mine = at.loc[name]
        for column in columns:
            diff = paired_interval(mine[column], base[column])
            rows.append({
                "scenario": name, "outcome": column, "month": month,
                "reference_mean": headline(base[column]),
                "scenario_mean": headline(mine[column]),
                "difference": diff.mean, "ci95_low": diff.low, "ci95_high": diff.high,
                "replicates": diff.n,
            })
    return pd.DataFrame(rows)


def compare(scenarios: Sequence[str | Scenario], replicates: int = 30, seed: int = 0,
            workers: int = 1, month: int | None = None,
            on_done: Callable[[int], None] | None = None) -> Comparison:
    """Run every scenario on the same seeds; differences against the first at ``month``
    (default: the last month)."""
    loaded = [s if isinstance(s, Scenario) else load_scenario(s) for s in scenarios]
    names = [s.name for s in loaded]
    if len(set(names)) != len(names):
        raise ValueError(f"scenario names must differ: {names}")
    seeds = replicate_seeds(seed, replicates)
    frames = []
    done = 0
    for scenario in loaded:
        def tick(n: int, offset: int = done) -> None:
            if on_done:
                on_done(offset + n)
        frames.append(run_replicates(scenario, seeds, workers=workers, on_done=tick))
        done += replicates
    monthly = pd.concat(frames, ignore_index=True)
    month = int(monthly["month"].max()) if month is None else month
    differences = paired_differences(monthly, names[0], month, OUTCOMES)
    return Comparison(monthly, differences, loaded, seeds, month)
