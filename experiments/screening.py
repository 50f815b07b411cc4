"""Which parameters the TechOps case can inform: Morris screening of the behavioural parameters
on the calibration's targets (``calibrate.TARGETS``).

Every numeric parameter of the behavioural sections (``SECTIONS``; not the organisation's size, the
timeline, the initiative catalogue, the anti-patterns or risks, which are scenario settings) is
varied by Morris elementary effects (Morris 1991; Campolongo, Cariboni & Saltelli 2007: mu*, with
SALib) over its screening range: a free parameter's prior (``calibrate.FREE``), every other one
``value x (1 +- SPAN)`` (its value in the shipped ``baseline.toml``) within its schema bounds (SPAN
= 0.5, assumption: "half as large or half as large again"). A parameter whose default is 0 (a
mechanism off by default) or whose range holds one whole number is left out, and listed so.

Two sweeps (``experiments.sweep``, Morris, ``trajectories`` x (D + 1) points, ``replicates``
runs per point on common random numbers): one of ``baseline`` for its targets, one of
``techops_programme`` for its. A parameter's effect on a target is mu* / tolerance: how many of
the target's tolerances it moves the figure, on average, per Morris step. It *moves* a target
when that is at least ``MOVES`` (1.0, assumption: a step of two thirds of its range moves the
figure by its tolerance or more) and mu* minus its bootstrap half-width is above
the replicate-noise floor. The free parameters should be those that move a target; one that moves
none is one the case cannot inform (the posterior will show it), one that moves a target but is
fixed is a candidate to free.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import cxsim
from cxsim.experiments.calibrate import FREE, TARGETS
from cxsim.experiments.files import write_record
from cxsim.model.scenario import SCENARIO_DIR

SCREENING_RECORD = SCENARIO_DIR / "screening_record.json"
SECTIONS = ("churn", "customer_experience", "voice", "measurement", "initial", "pain_points",
            "incentives", "workforce", "engagement", "social", "say_do", "rituals", "managers",
            "load", "leadership")
EXTRA = ("levers.ritual_participation",)   # a lever the calibration frees (calibrate.FREE)
SPAN = 0.5
MOVES = 1.0
SEED = 1991


@dataclass(frozen=True)
class ScreeningSettings:
    trajectories: int = 8
    replicates: int = 2
    num_levels: int = 4
    seed: int = SEED


def output_name(target: Any) -> str:
    return f"{target.column}_m{target.month}"


def screening_ranges() -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """The parameters screened (key, low, high, from) and those left out (key, why)."""
    from cxsim.model import load_scenario
    from cxsim.model.parameters import parameter_table

    free = {f.key: f for f in FREE}
    shipped = load_scenario(SCENARIO_DIR / "baseline.toml").parameters
    chosen, left = [], []
    for row in parameter_table():
        key = row["key"]
        if key.split(".")[0] not in SECTIONS and key not in EXTRA:
            continue
        if row["low"] is None or isinstance(row["default"], bool) \
                or not isinstance(row["default"], int | float):
            continue
        section, name = key.split(".", 1)
        default = getattr(getattr(shipped, section), name)   # the shipped organisation's
        if key in free:
            chosen.append({"key": key, "low": free[key].low, "high": free[key].high,
                           "from": "prior (calibrate.FREE)"})
            continue
        if default == 0:
            left.append({"key": key, "why": "default 0: a mechanism off by default"})
            continue
        a, b = sorted((default * (1 - SPAN), default * (1 + SPAN)))
        low, high = max(a, row["low"]), min(b, row["high"])
        if isinstance(default, int):
            low, high = float(round(low)), float(round(high))
        if not high > low:
            left.append({"key": key, "why": "its screening range holds one value"})
            continue
        chosen.append({"key": key, "low": float(low), "high": float(high),
                       "from": f"default {default:g} x (1 +- {SPAN:g}), within the schema"})
    return chosen, left


def sweep_of(scenario: str, ranges: list[dict[str, Any]], settings: ScreeningSettings) -> Any:
    """The Morris sweep of ``scenario`` on its targets."""
    from cxsim.experiments.sweep import build_sweep
    from cxsim.experiments.sweep.schema import SweepFile

    targets = [t for t in TARGETS if t.scenario == scenario]
    spec = SweepFile.model_validate({
        "name": f"screening_{scenario}", "scenario": str(SCENARIO_DIR / f"{scenario}.toml"),
        "method": "morris", "n": settings.trajectories, "num_levels": settings.num_levels,
        "replicates": settings.replicates, "seed": settings.seed,
        "common_random_numbers": True,
        "parameters": [{"key": r["key"], "low": r["low"], "high": r["high"]} for r in ranges],
        "outputs": [{"name": output_name(t), "column": t.column, "statistic": "month",
                     "month": t.month} for t in targets],
    })
    return build_sweep(spec, file=f"<screening {scenario}>")


def effects(folder: Path) -> list[dict[str, Any]]:
    """mu*, its half-width and the noise floor of every (target, parameter) of a finished
    screening sweep in ``folder``, in tolerances of the target."""
    from cxsim.experiments.analysis.morris import morris_indices, morris_noise_floor
    from cxsim.experiments.analysis.results import load_results
    from cxsim.experiments.analysis.statistics import noise_table

    results = load_results(folder)
    table, noise = morris_indices(results), noise_table(results)
    scenario = results.spec.name.removeprefix("screening_")
    tolerances = {output_name(t): t for t in TARGETS if t.scenario == scenario}
    rows = []
    for r in table.itertuples():
        target = tolerances[r.output]
        floor = morris_noise_floor(results, noise, r.output)
        rows.append({"scenario": scenario, "target": r.output, "parameter": r.parameter,
                     "mu_star": r.mu_star / target.tolerance,
                     "mu_star_conf": r.mu_star_conf / target.tolerance,
                     "noise_floor": floor / target.tolerance})
    return rows


def summarise(rows: list[dict[str, Any]], ranges: list[dict[str, Any]],
              left: list[dict[str, str]]) -> dict[str, Any]:
    """Per parameter: its largest effect and the targets it moves; the free ones that move
    none and the fixed ones that move one."""
    free = {f.key for f in FREE}
    by: dict[str, dict[str, Any]] = {r["key"]: {**r, "free": r["key"] in free, "largest": 0.0,
                                                "largest_on": None, "moves": []}
                                     for r in ranges}
    for row in rows:
        entry = by[row["parameter"]]
        name = f"{row['scenario']}.{row['target']}"
        if row["mu_star"] > entry["largest"]:
            entry["largest"], entry["largest_on"] = row["mu_star"], name
        if row["mu_star"] >= MOVES and row["mu_star"] - row["mu_star_conf"] > row["noise_floor"]:
            entry["moves"].append(name)
    parameters = sorted(by.values(), key=lambda e: -e["largest"])
    for entry in parameters:
        entry["largest"] = round(entry["largest"], 3)
    return {
        "parameters": parameters, "left_out": left,
        "moving": [e["key"] for e in parameters if e["moves"]],
        "free_moving_none": [e["key"] for e in parameters if e["free"] and not e["moves"]],
        "fixed_moving": [e["key"] for e in parameters if not e["free"] and e["moves"]],
    }


def run_screening(settings: ScreeningSettings, folder: Path, workers: int = 1,
                  on_sweep: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Both sweeps into ``folder/<scenario>`` (resumed if there), their effects and the
    record."""
    from cxsim.experiments.sweep import run_sweep

    started = time.perf_counter()
    ranges, left = screening_ranges()
    rows, runs = [], 0
    for scenario in sorted({t.scenario for t in TARGETS}):
        if on_sweep is not None:
            on_sweep(scenario)
        sweep = sweep_of(scenario, ranges, settings)
        run_sweep(sweep, folder / scenario, workers=workers, progress=True)
        rows += effects(folder / scenario)
        runs += sweep.n_runs
    return {
        "method": "Morris elementary effects (SALib), mu* over the screening ranges, in "
                  "tolerances of each calibration target; one sweep per scenario of the "
                  "targets, common random numbers",
        "settings": asdict(settings), "span": SPAN, "moves": MOVES,
        "versions": {"cxsim": cxsim.__version__},
        "runs": runs, "seconds": round(time.perf_counter() - started, 1),
        "summary": summarise(rows, ranges, left),
        "effects": [{k: (round(v, 4) if isinstance(v, float) else v) for k, v in row.items()}
                    for row in rows],
    }


def write_screening(rec: dict[str, Any], out: Path) -> Path:
    """``screening_record.json`` into ``out``, one result set."""
    return write_record(rec, out, SCREENING_RECORD.name)
