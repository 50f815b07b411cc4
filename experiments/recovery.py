"""Parameter recovery: does the ABC-SMC calibration (``experiments.posterior``) find parameters
it is given?

For each of ``truths`` synthetic organisations (the "truths": parameter sets drawn by weight from
the shipped posterior, ``scenarios/posterior.csv``, so they lie where the model is used), one
realisation of the case's figures is simulated from the truth (``posterior.case_statistics`` on
seed ``TRUTH_SEED + k``, one run of each arm, as the case is one organisation's one year); ABC-SMC
is run to those figures with the shipped priors, distance and tolerances, and each parameter's
central ``LEVEL`` = 90% credible interval (weighted quantiles of the last generation's particles)
is checked for the truth (Talts et al. 2018, simulation-based calibration; McCulloch et al. 2022
for ABMs). Coverage is the share of (truth, parameter) pairs inside; a calibrated procedure
covers about 90%. A parameter the case does not inform has an interval about as wide as its
prior and covers its truth trivially, so each parameter's contraction (1 - posterior variance /
prior variance) is reported beside it and coverage is also given over the informed parameters
alone (mean contraction >= ``INFORMED``).

The recovery runs are smaller than the shipped calibration (``RecoverySettings``; the shipped
one is 500 particles x 8 generations), so their epsilon stops higher and their intervals are
wider: coverage here is of the reduced procedure. Seeded: truth k's ABC uses seed ``seed + k``;
each truth has its own pyabc history database and is resumed from it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import cxsim
from cxsim.experiments import posterior
from cxsim.experiments.calibrate import FREE
from cxsim.experiments.files import write_record
from cxsim.model.scenario import SCENARIO_DIR

RECOVERY_RECORD = SCENARIO_DIR / "recovery_record.json"
TRUTH_SEED = 50_000   # the synthetic cases' runs: seeds apart from the fit's and the checks'
LEVEL = 0.90
INFORMED = 0.3        # mean contraction at which a parameter counts as informed (assumption)


@dataclass(frozen=True)
class RecoverySettings:
    """A recovery study's settings (all in its record)."""

    truths: int = 6
    population: int = 200
    generations: int = 6
    min_acceptance: float = 0.02
    seed: int = posterior.SEED

    def abc(self, k: int) -> posterior.Settings:
        """Truth k's ABC-SMC settings."""
        return posterior.Settings(population=self.population, generations=self.generations,
                                  min_acceptance=self.min_acceptance, seed=self.seed + k)


def synthetic_truths(n: int, seed: int, draws: Path = posterior.POSTERIOR) -> pd.DataFrame:
    """``n`` parameter sets drawn by weight from the posterior draws in ``draws``."""
    table = pd.read_csv(draws)
    return posterior.resample(table, n, seed)[[f.key for f in FREE]]


def credible_interval(values: np.ndarray, weights: np.ndarray, level: float = LEVEL
                      ) -> tuple[float, float]:
    """The central ``level`` interval of weighted particles (inverted-CDF weighted quantiles)."""
    low, high = np.quantile(values, [(1 - level) / 2, (1 + level) / 2], weights=weights,
                            method="inverted_cdf")
    return float(low), float(high)


def check_truth(truth: dict[str, float], table: pd.DataFrame) -> list[dict[str, Any]]:
    """Per free parameter: the truth, its posterior interval in ``table`` (``posterior.draws``)
    and whether the truth is inside, with the contraction."""
    weights = table["weight"].to_numpy(float)
    told = {row["key"]: row for row in posterior.identifiability(table)["parameters"]}
    rows = []
    for f in FREE:
        low, high = credible_interval(table[f.key].to_numpy(float), weights)
        rows.append({"key": f.key, "true": round(truth[f.key], 6), "low": round(low, 6),
                     "high": round(high, 6), "inside": bool(low <= truth[f.key] <= high),
                     "width_of_prior": round((high - low) / (f.high - f.low), 3),
                     "contraction": told[f.key]["contraction"]})
    return rows


def recover(k: int, truth: dict[str, float], settings: RecoverySettings, folder: Path,
            map_: Callable = map,
            on_generation: Callable[[int, float, float], None] | None = None,
            on_particle: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Truth k: its synthetic case, the ABC-SMC fit to it (history in ``folder/truth-k.db``)
    and the check of each parameter."""
    observed = posterior.case_statistics(truth, TRUTH_SEED + k)
    calibration = posterior.run_abc(settings.abc(k), folder / f"truth-{k}.db", map_,
                                    on_generation, on_particle, observed=observed)
    history = calibration.history
    last = history.get_all_populations().iloc[-1]
    return {"truth": k, "seed": TRUTH_SEED + k,
            "observed": {key: round(v, 4) for key, v in observed.items()},
            "generations": int(history.max_t) + 1,
            "final_epsilon": round(float(last["epsilon"]), 4),
            "simulations": int(history.total_nr_simulations),
            "seconds": round(calibration.seconds, 1),
            "parameters": check_truth(truth, posterior.draws(history))}


def summarise(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Coverage over all (truth, parameter) pairs, per parameter, and over the informed ones."""
    rows = pd.DataFrame([{"truth": r["truth"], **p} for r in results for p in r["parameters"]])
    if rows.empty:
        return {"coverage": math.nan, "pairs": 0, "by_parameter": [], "informed": []}
    by = rows.groupby("key", sort=False).agg(coverage=("inside", "mean"),
                                             contraction=("contraction", "mean"),
                                             width_of_prior=("width_of_prior", "mean"))
    informed = by.index[by["contraction"] >= INFORMED].tolist()
    chosen = rows[rows["key"].isin(informed)]
    return {
        "coverage": round(float(rows["inside"].mean()), 3), "pairs": len(rows),
        "informed": informed,
        "informed_coverage": round(float(chosen["inside"].mean()), 3) if len(chosen) else None,
        "informed_pairs": len(chosen),
        "by_parameter": [{"key": key, "coverage": round(float(row["coverage"]), 3),
                          "mean_contraction": round(float(row["contraction"]), 3),
                          "mean_width_of_prior": round(float(row["width_of_prior"]), 3)}
                         for key, row in by.iterrows()],
    }


def record(settings: RecoverySettings, results: list[dict[str, Any]], seconds: float
           ) -> dict[str, Any]:
    """The recovery study's record: method, settings, versions, each truth and the coverage."""
    import pyabc

    return {
        "method": "parameter recovery: truths drawn by weight from the shipped posterior "
                  "(posterior.csv), one simulated case each (seed TRUTH_SEED + k), ABC-SMC as "
                  "`cxsim calibrate` with the settings below; central 90% weighted credible "
                  "intervals of the last generation",
        "settings": asdict(settings), "level": LEVEL, "informed_contraction": INFORMED,
        "versions": {"cxsim": cxsim.__version__, "pyabc": pyabc.__version__,
                     "numpy": np.__version__},
        "posterior_sha256": posterior_fingerprint(),
        "simulations": sum(r["simulations"] for r in results),
        "seconds": round(seconds, 1),
        "summary": summarise(results),
        "truths": results,
    }


def posterior_fingerprint(path: Path = posterior.POSTERIOR) -> str:
    import hashlib
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def run_recovery(settings: RecoverySettings, folder: Path, map_: Callable = map,
                 on_truth: Callable[[int, dict[str, Any]], None] | None = None,
                 on_generation: Callable[[int, float, float], None] | None = None,
                 on_particle: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Every truth in turn (``on_truth(k, result)`` after each); the record."""
    started = time.perf_counter()
    truths = synthetic_truths(settings.truths, settings.seed)
    results = []
    for k, row in truths.iterrows():
        result = recover(int(k), {key: float(v) for key, v in row.items()}, settings, folder,
                         map_, on_generation, on_particle)
        results.append(result)
        if on_truth is not None:
            on_truth(int(k), result)
    return record(settings, results, time.perf_counter() - started)


def write_recovery(rec: dict[str, Any], out: Path) -> Path:
    """``recovery_record.json`` into ``out``, one result set."""
    return write_record(rec, out, RECOVERY_RECORD.name)
