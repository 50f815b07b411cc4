"""Sensitivity sweeps: sweep files, sampling, parallel execution and a resumable result store.

A *sweep file* (TOML, ``experiments/sweeps/*.toml``) names the scenario to start from (or, for
checking the pipeline, a plain Python function), the parameters to vary with their ranges or
distributions, the method (``sobol``, ``morris``, ``grid`` or ``oat``), the sample size, the
replicates per point and the outputs to analyse. :func:`load_sweep` validates it like a scenario
file: every error is a :class:`model.scenario.ScenarioError` whose text is one line naming the
file, the key, the value and what is allowed.

:func:`run_sweep` runs every (point, replicate) that is not yet stored, on a local process pool
(default: all cores) or on a Dask distributed cluster (``scheduler=`` address or ``Client``).
Runs are dispatched in chunks of many runs, each worker imports the model once and returns only
the requested outputs. Run ``k = point * replicates + replicate`` has the seed
``SeedSequence(entropy=sweep_seed, spawn_key=(point, replicate))`` (a 63-bit integer), so results
do not depend on the backend, the number of workers or the chunking.

The store is a directory::

    manifest.json     provenance: sweep file text, effective settings, scenario, seeds, versions
    points.parquet    the sample: one row per point (the parameters' values)
    runs/part-*.parquet   one file per finished chunk: point, replicate, seed, parameters, outputs

Every file is written under a temporary name (``.tmp-*``) and renamed (``os.replace``) once it is
complete and synced, so a crash never leaves a half-written file under a name that is read. A
sweep started again on the same directory runs only the missing (point, replicate) pairs;
:func:`read_runs` returns the rows sorted by (point, replicate), identical whatever the backend.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as _dt
import fcntl
import hashlib
import importlib
import itertools
import json
import math
import os
import platform
import re
import sys
import time
import tomllib
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cxsim.model.scenario import ScenarioError, flatten_keys

MANIFEST = "manifest.json"
POINTS = "points.parquet"
RUNS = "runs"
LOCK = ".lock"
FORMAT = "cxsim-sweep/1"
RESERVED = ("point", "replicate", "seed")
SEED_DERIVATION = ("numpy.random.SeedSequence(entropy=sweep seed, spawn_key=(point, replicate) "
                   "or (replicate,) with common random numbers).generate_state(1, uint64) >> 1")
LOWER_IS_BETTER = ("churn", "attrition", "cynicism", "fatigue", "gap", "problems_open",
                   "problems_silent", "blame", "leavers", "load")
OUTCOME = re.compile(r"^\s*([A-Za-z_][\w.]*)\s*(>=|<=|>|<)\s*([-+]?(?:\d+\.?\d*|\.\d+)"
                     r"(?:[eE][-+]?\d+)?)\s*$")


# -- the sweep file schema ------------------------------------------------------------------------

class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class ParameterSpec(_Strict):
    """One parameter to vary."""

    key: str = Field(description="dotted parameter key (or a function argument's name)")
    low: float | None = Field(None, description="lower end of the range")
    high: float | None = Field(None, description="upper end of the range")
    distribution: Literal["uniform", "triangular", "truncnormal", "loguniform"] = Field(
        "uniform", description="how values are drawn between low and high (sobol, morris)")
    mode: float | None = Field(None, description="peak of a triangular distribution")
    mean: float | None = Field(None, description="mean of a truncated normal distribution")
    sd: float | None = Field(None, gt=0, description="sd of a truncated normal distribution")
    values: list[float] | None = Field(None, min_length=1,
                                       description="explicit levels (grid, oat)")
    levels: int | None = Field(None, ge=1, le=10_000,
                               description="evenly spaced levels from low to high (grid, oat)")
    base: float | None = Field(None, description="value held while others vary (oat)")


class OutputSpec(_Strict):
    """One output to analyse: a statistic of a monthly column."""

    name: str = Field(description="output name, e.g. churn_m12")
    column: str = Field(description="monthly column (model.metrics.COLUMNS) or function key")
    statistic: Literal["final", "month", "mean", "auc", "min", "max", "value"] | None = Field(
        None, description="final (last month), month (needs month), mean/min/max over months "
        "1..end, auc (trapezoid area over months 0..end, unit x months), value (functions)")
    month: int | None = Field(None, ge=0, le=1200, description="month for statistic 'month'")
    label: str | None = Field(None, description="words for charts and the report")
    better: Literal["higher", "lower"] | None = Field(None, description="colours of the tables")


class DiscoverySpec(_Strict):
    """Scenario discovery with PRIM."""

    outcome: str = Field(description="e.g. 'churn_m12 > 15'")
    threshold: float = Field(0.8, gt=0, le=1, description="density a box must reach")
    max_boxes: int = Field(3, ge=1, le=20)
    mass_min: float = Field(0.05, gt=0, lt=1)
    peel_alpha: float = Field(0.05, gt=0, lt=1)


class SweepFile(_Strict):
    """A sweep file."""

    name: str = Field(min_length=1)
    description: str = ""
    scenario: str | None = Field(None, description="shipped scenario name or path")
    function: str | None = Field(None, description="'module:function' instead of the model")
    overrides: dict[str, Any] = Field(default_factory=dict,
                                      description="fixed dotted-key overrides of the scenario")
    method: Literal["sobol", "morris", "grid", "oat"]
    n: int = Field(64, ge=1, le=1 << 20,
                   description="sobol: base sample size (a power of two); morris: trajectories")
    replicates: int = Field(1, ge=1, le=10_000)
    seed: int = Field(0, ge=0, le=(1 << 63) - 1)
    second_order: bool = Field(True, description="sobol: second-order indices (N(2D+2) points "
                                                 "instead of N(D+2))")
    num_levels: int = Field(4, ge=2, le=100, description="morris: grid levels")
    levels: int = Field(5, ge=1, le=10_000, description="grid, oat: default levels per parameter")
    common_random_numbers: bool = Field(False, description="replicate r uses the same seed at "
                                                           "every point")
    chunk_size: int | None = Field(None, ge=1, le=1_000_000, description="runs per task")
    bootstrap: int = Field(1000, ge=10, le=1_000_000, description="bootstrap resamples")
    conf_level: float = Field(0.95, gt=0, lt=1)
    parameters: list[ParameterSpec] = Field(min_length=1)
    outputs: list[OutputSpec] = Field(min_length=1)
    discovery: DiscoverySpec | None = None


# keys that do not change which runs a sweep makes (may change between a run and its resumption)
ANALYSIS_KEYS = ("description", "chunk_size", "bootstrap", "conf_level", "discovery")


def _loc(loc: Sequence[Any]) -> str:
    return ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in loc).replace(".[", "[")


def _words(error: dict[str, Any]) -> str:
    kind, ctx = error["type"], error.get("ctx", {})
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "missing":
        return "required"
    if kind == "literal_error":
        return f"one of {ctx.get('expected')}"
    bounds = {"greater_than_equal": ">= {ge}", "greater_than": "> {gt}",
              "less_than_equal": "<= {le}", "less_than": "< {lt}"}
    if kind in bounds:
        return "a number " + bounds[kind].format(**ctx)
    names = {"int_type": "a whole number", "float_type": "a number", "bool_type": "true or false",
             "string_type": "a string", "list_type": "an array", "dict_type": "a table",
             "model_type": "a table", "too_short": "at least {min_length} entries",
             "int_from_float": "a whole number", "none_required": "nothing"}
    if kind in names:
        return names[kind].format(**ctx)
    return error["msg"]


def _parse_spec(data: dict[str, Any], file: str) -> SweepFile:
    try:
        return SweepFile.model_validate(data)
    except ValidationError as error:
        errors = error.errors()
        first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
        loc = tuple(p for p in first["loc"] if not (isinstance(p, str) and p in
                                                     ("float", "int", "str", "list[float]",
                                                      "DiscoverySpec", "function-after")))
        value = first.get("input")
        if first["type"] == "missing":
            value = "<missing>"
        elif isinstance(value, dict):
            value = "<table>"
        words = _words(first)
        if first["type"] == "extra_forbidden":
            import difflib
            section = {"parameters": ParameterSpec, "outputs": OutputSpec,
                       "discovery": DiscoverySpec}.get(str(loc[0]) if len(loc) > 1 else "",
                                                       SweepFile)
            near = difflib.get_close_matches(str(loc[-1]), list(section.model_fields), n=1)
            words += f"; did you mean {near[0]!r}?" if near else (
                f"; allowed: {', '.join(section.model_fields)}")
        raise ScenarioError(file, _loc(loc), value, words) from None


# -- a validated sweep ----------------------------------------------------------------------------

@dataclass
class Sweep:
    """A validated sweep: its settings, where it starts from and its sample of points."""

    spec: SweepFile
    file: str
    text: str
    names: list[str]
    integer: list[bool]
    points: np.ndarray                      # (points, parameters), the values each point uses
    months: int = 12
    base: dict[str, Any] | None = None      # the scenario's parameters (model_dump), or None
    provenance_scenario: dict[str, Any] = field(default_factory=dict)
    overrides: dict[str, Any] = field(default_factory=dict)

    @property
    def replicates(self) -> int:
        return self.spec.replicates

    @property
    def n_points(self) -> int:
        return int(self.points.shape[0])

    @property
    def n_runs(self) -> int:
        return self.n_points * self.replicates

    @property
    def outputs(self) -> list[str]:
        return [o.name for o in self.spec.outputs]

    def problem(self) -> dict[str, Any]:
        """The SALib problem (names and ranges)."""
        return {"num_vars": len(self.names), "names": list(self.names),
                "bounds": [[p.low, p.high] for p in self.spec.parameters]}

    def seeds(self, runs: np.ndarray | None = None) -> np.ndarray:
        """The seed of each run index (default: all runs), as int64."""
        runs = np.arange(self.n_runs) if runs is None else np.asarray(runs)
        return np.array([run_seed(self.spec.seed, int(k) // self.replicates,
                                  int(k) % self.replicates, self.spec.common_random_numbers)
                         for k in runs], dtype=np.int64)

    def samples_sha256(self) -> str:
        return hashlib.sha256(np.ascontiguousarray(self.points, dtype="<f8").tobytes()
                              ).hexdigest()

    def identity(self) -> str:
        """A digest of everything that decides the runs and their results."""
        from cxsim import __version__
        spec = self.spec.model_dump(mode="json", exclude=set(ANALYSIS_KEYS))
        payload = {"format": FORMAT, "spec": spec, "base": self.base, "samples":
                   self.samples_sha256(), "months": self.months, "version": __version__,
                   "model_source": model_source_sha256() if self.base is not None else None}
        return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()
                              ).hexdigest()

    def manifest(self) -> dict[str, Any]:
        """The provenance written next to the results."""
        from cxsim import __version__
        return {
            "format": FORMAT,
            "identity": self.identity(),
            "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
            "cxsim_version": __version__,
            "model_source_sha256": model_source_sha256(),
            "sweep_file": self.file,
            "sweep_file_sha256": hashlib.sha256(self.text.encode()).hexdigest(),
            "sweep_file_text": self.text,
            "spec": self.spec.model_dump(mode="json"),
            "scenario": self.provenance_scenario,
            "fixed_overrides": self.overrides,
            "parameters": self.names,
            "integer_parameters": [n for n, i in zip(self.names, self.integer, strict=True) if i],
            "outputs": self.outputs,
            "months": self.months,
            "points": self.n_points,
            "replicates": self.replicates,
            "runs": self.n_runs,
            "samples_sha256": self.samples_sha256(),
            "seeds": {"sweep_seed": self.spec.seed,
                      "common_random_numbers": self.spec.common_random_numbers,
                      "derivation": SEED_DERIVATION},
            "environment": _environment(),
        }


def model_source_sha256() -> str:
    """A digest of the model's source files: results of other model code are not mixed in."""
    import cxsim.model as model

    root = Path(model.__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def run_seed(sweep_seed: int, point: int, replicate: int, common: bool = False) -> int:
    """The seed of one (point, replicate): independent of chunking, workers and backend."""
    key = (replicate,) if common else (point, replicate)
    state = np.random.SeedSequence(entropy=sweep_seed, spawn_key=key).generate_state(
        1, dtype=np.uint64)
    return int(state[0] >> np.uint64(1))


def _environment() -> dict[str, str]:
    from importlib import metadata

    versions = {"python": platform.python_version(), "platform": platform.platform()}
    for name in ("numpy", "pandas", "pyarrow", "SALib", "mesa", "pydantic", "distributed"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:  # pragma: no cover - optional
            continue
    return versions


def load_sweep(path: str | Path, n: int | None = None, replicates: int | None = None) -> Sweep:
    """Read and validate a sweep file; ``n`` and ``replicates`` override the file's values."""
    path = Path(path)
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError(file, "<file>", "<malformed TOML>",
                            f"valid TOML expected ({error})") from None
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise ScenarioError(file, "<file>", "<unreadable>", f"a readable file ({reason})") from None
    spec = _parse_spec(data, file)
    if n is not None:
        if n < 1:
            raise ScenarioError("--n", "n", n, "a whole number >= 1")
        spec = spec.model_copy(update={"n": n})
    if replicates is not None:
        if replicates < 1:
            raise ScenarioError("--replicates", "replicates", replicates, "a whole number >= 1")
        spec = spec.model_copy(update={"replicates": replicates})
    return build_sweep(spec, file, text, relative_to=path.parent,
                       n_origin="--n" if n is not None else file)


def build_sweep(spec: SweepFile, file: str = "<sweep>", text: str = "",
                relative_to: Path | None = None, n_origin: str | None = None) -> Sweep:
    """Check a parsed sweep against the model and draw its sample."""
    n_origin = n_origin or file
    if (spec.scenario is None) == (spec.function is None):
        raise ScenarioError(file, "scenario", spec.scenario or "<missing>",
                            "exactly one of 'scenario' (a shipped name or a path) and "
                            "'function' ('module:function') is required")
    keys = [p.key for p in spec.parameters]
    for i, key in enumerate(keys):
        if key in keys[:i]:
            raise ScenarioError(file, f"parameters[{i}].key", key, "each parameter once")
    names = [o.name for o in spec.outputs]
    for i, name in enumerate(names):
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) or name in RESERVED:
            raise ScenarioError(file, f"outputs[{i}].name", name, "a name of letters, digits "
                                "and _ (not point, replicate or seed)")
        if name in names[:i]:
            raise ScenarioError(file, f"outputs[{i}].name", name, "each output name once")
    integer = [False] * len(keys)
    months = 12
    base: dict[str, Any] | None = None
    prov: dict[str, Any]
    overrides = flatten_keys(spec.overrides)
    if spec.scenario is not None:
        from cxsim.model.cx_model import month_end_weeks
        from cxsim.model.metrics import COLUMNS
        from cxsim.model.parameters import parameter_table
        from cxsim.model.scenario import load_scenario, resolve

        path = resolve(spec.scenario, relative_to, file=file, key="scenario")
        scenario = load_scenario(path)
        if overrides:
            scenario = scenario.with_overrides(overrides, origin=file)
        base = scenario.parameters.model_dump(mode="python")
        prov = scenario.provenance()
        months = len(month_end_weeks(scenario.parameters.simulation.weeks))
        table = {row["key"]: row for row in parameter_table()}
        for i, p in enumerate(spec.parameters):
            row = table.get(p.key)
            if row is None or row["low"] is None or isinstance(row["default"], bool):
                import difflib
                sweepable = sorted(k for k, r in table.items() if r["low"] is not None
                                   and not isinstance(r["default"], bool))
                near = difflib.get_close_matches(p.key, sweepable, n=1, cutoff=0.6)
                hint = f"did you mean {near[0]!r}?" if near else "see docs/parameters.md"
                raise ScenarioError(file, f"parameters[{i}].key", p.key,
                                    f"a numeric model parameter; {hint}")
            if p.key in overrides:
                raise ScenarioError(file, f"parameters[{i}].key", p.key,
                                    "not also fixed in [overrides]")
            integer[i] = isinstance(row["default"], int)
            _check_range(p, i, file, spec.method, (row["low"], row["high"]), integer[i])
        for i, o in enumerate(spec.outputs):
            if o.column not in COLUMNS:
                import difflib
                near = difflib.get_close_matches(o.column, list(COLUMNS), n=1, cutoff=0.6)
                hint = f" (did you mean {near[0]!r}?)" if near else ""
                raise ScenarioError(file, f"outputs[{i}].column", o.column,
                                    f"a monthly column of model.metrics.COLUMNS{hint}")
            statistic = o.statistic or "final"
            if statistic == "value":
                raise ScenarioError(file, f"outputs[{i}].statistic", statistic,
                                    "one of final, month, mean, auc, min, max for a scenario")
            if statistic == "month" and (o.month is None or o.month > months):
                raise ScenarioError(file, f"outputs[{i}].month", o.month,
                                    f"a month from 0 to {months} with statistic 'month'")
    else:
        prov = {"function": spec.function}
        if overrides:
            raise ScenarioError(file, "overrides", "<table>", "only with a scenario")
        if not re.fullmatch(r"[A-Za-z_][\w.]*:[A-Za-z_]\w*", spec.function or ""):
            raise ScenarioError(file, "function", spec.function, "'module:function'")
        try:
            _import_function(spec.function or "")
        except (ImportError, AttributeError) as error:
            raise ScenarioError(file, "function", spec.function,
                                f"an importable function ({error})") from None
        for i, p in enumerate(spec.parameters):
            _check_range(p, i, file, spec.method, (None, None), False)
        for i, o in enumerate(spec.outputs):
            if (o.statistic or "value") != "value":
                raise ScenarioError(file, f"outputs[{i}].statistic", o.statistic,
                                    "'value' for a function")
    spec = spec.model_copy(update={"outputs": [
        o.model_copy(update={"statistic": o.statistic or (
            "value" if spec.function else "final")}) for o in spec.outputs]})
    if spec.method == "sobol":
        if spec.n < 2 or spec.n & (spec.n - 1):
            raise ScenarioError(n_origin, "n", spec.n,
                                "a power of two for Sobol sampling (e.g. 64, 256, 1024)")
        if len(keys) < 2:
            raise ScenarioError(file, "parameters", len(keys), "at least 2 for sobol")
    if spec.method == "morris" and spec.n < 2:
        raise ScenarioError(n_origin, "n", spec.n, "at least 2 Morris trajectories")
    if spec.discovery is not None:
        parse_outcome(spec.discovery.outcome, spec, file)
    if spec.method in ("grid", "oat"):
        counts = [len(_levels(p, spec.levels)) for p in spec.parameters]
        total = math.prod(counts) if spec.method == "grid" else 1 + sum(counts)
        if total * spec.replicates > 50_000_000:
            raise ScenarioError(file, "parameters", f"<{total} points>",
                                "at most 50 million runs in all")
    points = sample(spec, base)
    for j, is_int in enumerate(integer):
        if is_int:
            points[:, j] = np.rint(points[:, j])
    return Sweep(spec=spec, file=file, text=text, names=keys, integer=integer, points=points,
                 months=months, base=base, provenance_scenario=prov, overrides=overrides)


def _check_range(p: ParameterSpec, i: int, file: str, method: str,
                 allowed: tuple[float | None, float | None], integer: bool) -> None:
    where = f"parameters[{i}]"
    lo, hi = allowed
    span = f"from {lo} to {hi} ({p.key}'s range)" if lo is not None else "a number"

    def inside(name: str, value: float | None) -> None:
        if value is None:
            return
        if not math.isfinite(value) or (lo is not None and not lo <= value <= hi):
            raise ScenarioError(file, f"{where}.{name}", value, f"a number {span}")

    for name in ("low", "high", "mode", "base"):
        inside(name, getattr(p, name))
    for value in p.values or []:
        inside("values", value)
    if method in ("grid", "oat"):
        if p.distribution != "uniform":
            raise ScenarioError(file, f"{where}.distribution", p.distribution,
                                "only sobol and morris draw from a distribution")
        if p.values is None and (p.low is None or p.high is None):
            raise ScenarioError(file, f"{where}.values", "<missing>",
                                "a list of values, or low and high (with levels)")
        if p.values is None and p.low is not None and p.high is not None and p.low > p.high:
            raise ScenarioError(file, f"{where}.high", p.high, f"a number >= low ({p.low})")
        if integer and p.values is not None and any(v != round(v) for v in p.values):
            raise ScenarioError(file, f"{where}.values", p.values, "whole numbers")
        return
    if p.values is not None or p.levels is not None:
        key = "values" if p.values is not None else "levels"
        raise ScenarioError(file, f"{where}.{key}", getattr(p, key),
                            "only grid and oat sweeps take levels; give low and high")
    for name in ("low", "high"):
        if getattr(p, name) is None:
            raise ScenarioError(file, f"{where}.{name}", "<missing>", f"required for {method}")
    assert p.low is not None and p.high is not None
    if not p.low < p.high:
        raise ScenarioError(file, f"{where}.high", p.high, f"a number > low ({p.low})")
    if p.distribution == "triangular" and (p.mode is None or not p.low <= p.mode <= p.high):
        raise ScenarioError(file, f"{where}.mode", p.mode if p.mode is not None else "<missing>",
                            f"the peak, from low ({p.low}) to high ({p.high})")
    if p.distribution == "truncnormal" and (p.mean is None or p.sd is None):
        key = "mean" if p.mean is None else "sd"
        raise ScenarioError(file, f"{where}.{key}", "<missing>", "required for truncnormal")
    if p.distribution == "loguniform" and p.low <= 0:
        raise ScenarioError(file, f"{where}.low", p.low, "a number > 0 for loguniform")


def parse_outcome(text: str, spec: SweepFile, file: str = "<outcome>",
                  key: str = "discovery.outcome") -> tuple[str, str, float]:
    """``'churn_m12 > 15'`` -> (output name, operator, threshold).

    The name is an output's name, or a column that exactly one output takes at its final month.
    """
    match = OUTCOME.match(text)
    names = [o.name for o in spec.outputs]
    if not match:
        raise ScenarioError(file, key, text, f"NAME OP NUMBER with OP one of > >= < <= and NAME "
                            f"one of {', '.join(names)} (e.g. '{names[0]} > 15')")
    name, op, number = match.group(1), match.group(2), float(match.group(3))
    if name not in names:
        by_column = [o.name for o in spec.outputs
                     if o.column == name and o.statistic in (None, "final", "value")]
        if len(by_column) != 1:
            raise ScenarioError(file, key, text, f"an outcome on one of the outputs "
                                f"{', '.join(names)}")
        name = by_column[0]
    return name, op, number


# -- sampling -------------------------------------------------------------------------------------

def _levels(p: ParameterSpec, default: int) -> list[float]:
    if p.values is not None:
        return [float(v) for v in p.values]
    assert p.low is not None and p.high is not None
    count = p.levels or default
    if count == 1 or p.low == p.high:
        return [float(p.low)]
    return [float(v) for v in np.linspace(p.low, p.high, count)]


def _from_unit(u: np.ndarray, p: ParameterSpec) -> np.ndarray:
    """Map uniform [0, 1] draws to the parameter's distribution between low and high."""
    assert p.low is not None and p.high is not None
    lo, hi = float(p.low), float(p.high)
    if p.distribution == "uniform":
        return lo + u * (hi - lo)
    if p.distribution == "loguniform":
        return np.exp(np.log(lo) + u * (np.log(hi) - np.log(lo)))
    from scipy import stats
    if p.distribution == "triangular":
        c = (float(p.mode) - lo) / (hi - lo)  # type: ignore[arg-type]
        return stats.triang.ppf(u, c, loc=lo, scale=hi - lo)
    mean, sd = float(p.mean), float(p.sd)  # type: ignore[arg-type]
    return stats.truncnorm.ppf(u, (lo - mean) / sd, (hi - mean) / sd, loc=mean, scale=sd)


def _base_value(p: ParameterSpec, base: dict[str, Any] | None) -> float:
    if p.base is not None:
        return float(p.base)
    if base is not None:
        value: Any = base
        for part in p.key.split("."):
            value = value[part]
        return float(value)
    assert p.low is not None and p.high is not None
    return (float(p.low) + float(p.high)) / 2


def sample(spec: SweepFile, base: dict[str, Any] | None = None) -> np.ndarray:
    """The points of a sweep, (points, parameters); deterministic given the spec."""
    d = len(spec.parameters)
    if spec.method in ("sobol", "morris"):
        unit = {"num_vars": d, "names": [p.key for p in spec.parameters],
                "bounds": [[0.0, 1.0]] * d}
        if spec.method == "sobol":
            from SALib.sample import sobol as sobol_sample
            u = sobol_sample.sample(unit, spec.n, calc_second_order=spec.second_order,
                                    scramble=True, seed=spec.seed)
        else:
            from SALib.sample import morris as morris_sample
            u = morris_sample.sample(unit, spec.n, num_levels=spec.num_levels, seed=spec.seed)
        u = np.asarray(u, dtype=float)
        return np.column_stack([_from_unit(u[:, j], p) for j, p in enumerate(spec.parameters)])
    levels = [_levels(p, spec.levels) for p in spec.parameters]
    if spec.method == "grid":
        return np.array(list(itertools.product(*levels)), dtype=float).reshape(-1, d)
    centre = [_base_value(p, base) for p in spec.parameters]
    rows = [list(centre)]
    for j, values in enumerate(levels):
        for v in values:
            row = list(centre)
            row[j] = v
            rows.append(row)
    return np.array(rows, dtype=float)


# -- running --------------------------------------------------------------------------------------

def _import_function(ref: str) -> Callable[[dict[str, float], int], dict[str, float]]:
    module, _, name = ref.partition(":")
    return getattr(importlib.import_module(module), name)


def ishigami(params: dict[str, float], seed: int = 0) -> dict[str, float]:
    """The Ishigami function (a = 7, b = 0.1), a check with known Sobol indices.

    Inputs ``x1``, ``x2``, ``x3`` uniform on [-pi, pi]; output ``y``. Analytic indices:
    S1 = 0.3139, 0.4424, 0; ST = 0.5576, 0.4424, 0.2437; S13 = 0.2437.
    """
    x1, x2, x3 = params["x1"], params["x2"], params["x3"]
    y = math.sin(x1) + 7.0 * math.sin(x2) ** 2 + 0.1 * x3 ** 4 * math.sin(x1)
    return {"y": y}


def _statistic(values: np.ndarray, statistic: str, month: int | None) -> float:
    if statistic == "final":
        return float(values[-1])
    if statistic == "month":
        return float(values[int(month or 0)])
    if statistic == "auc":
        return float(np.sum((values[1:] + values[:-1]) / 2.0))
    if statistic == "mean":
        return float(np.mean(values[1:] if values.size > 1 else values))
    if statistic == "min":
        return float(np.min(values[1:] if values.size > 1 else values))
    if statistic == "max":
        return float(np.max(values[1:] if values.size > 1 else values))
    raise ValueError(statistic)


@dataclass(frozen=True)
class Runner:
    """What a worker needs to turn (values, seed) into outputs: plain, picklable data."""

    names: tuple[str, ...]
    integer: tuple[bool, ...]
    outputs: tuple[tuple[str, str, str, int | None], ...]   # name, column, statistic, month
    base: dict[str, Any] | None = None
    function: str | None = None

    @classmethod
    def of(cls, sweep: Sweep) -> Runner:
        return cls(tuple(sweep.names), tuple(sweep.integer),
                   tuple((o.name, o.column, o.statistic or "final", o.month)
                         for o in sweep.spec.outputs),
                   sweep.base, sweep.spec.function)


@dataclass(frozen=True)
class Chunk:
    """A task: consecutive runs (indices into point * replicates + replicate)."""

    runner: Runner
    runs: np.ndarray        # int64 run indices
    points: np.ndarray      # int64 point of each run
    replicates: np.ndarray  # int64 replicate of each run
    seeds: np.ndarray       # int64 seed of each run
    values: np.ndarray      # float64 (runs, parameters)


@dataclass
class ChunkResult:
    columns: dict[str, np.ndarray]
    model_seconds: float    # time inside the model (or function) itself
    worker_seconds: float   # time inside run_chunk


def _parameters_for(runner: Runner, values: np.ndarray) -> Any:
    from cxsim.model.parameters import Parameters

    assert runner.base is not None
    data = dict(runner.base)
    copied: set[tuple[str, ...]] = set()
    for key, value, is_int in zip(runner.names, values, runner.integer, strict=True):
        parts = key.split(".")
        target = data
        for depth in range(1, len(parts)):
            path = tuple(parts[:depth])
            if path not in copied:
                target[parts[depth - 1]] = dict(target[parts[depth - 1]])
                copied.add(path)
            target = target[parts[depth - 1]]
        target[parts[-1]] = round(float(value)) if is_int else float(value)
    return Parameters.model_validate(data)


def run_chunk(chunk: Chunk) -> ChunkResult:
    """Run a chunk (in a worker): the outputs of each run, and where the time went."""
    start = time.perf_counter()
    runner = chunk.runner
    n = len(chunk.runs)
    outputs = np.empty((n, len(runner.outputs)), dtype=float)
    model_seconds = 0.0
    if runner.function is not None:
        func = _import_function(runner.function)
        for i in range(n):
            params = dict(zip(runner.names, (float(v) for v in chunk.values[i]), strict=True))
            t0 = time.perf_counter()
            result = func(params, int(chunk.seeds[i]))
            model_seconds += time.perf_counter() - t0
            outputs[i] = [float(result[column]) for _, column, _, _ in runner.outputs]
    else:
        from cxsim.model.cx_model import CXCultureModel

        params, last = None, None
        for i in range(n):
            key = chunk.values[i].tobytes()
            if key != last:
                params, last = _parameters_for(runner, chunk.values[i]), key
            t0 = time.perf_counter()
            model = CXCultureModel(params, seed=int(chunk.seeds[i]))
            records = model.run()
            model.release()
            model_seconds += time.perf_counter() - t0
            for j, (_, column, statistic, month) in enumerate(runner.outputs):
                series = np.fromiter((r[column] for r in records), dtype=float,
                                     count=len(records))
                outputs[i, j] = _statistic(series, statistic, month)
    columns: dict[str, np.ndarray] = {
        "point": chunk.points.astype(np.int64), "replicate": chunk.replicates.astype(np.int64),
        "seed": chunk.seeds.astype(np.int64)}
    for j, (name, is_int) in enumerate(zip(runner.names, runner.integer, strict=True)):
        columns[name] = (np.rint(chunk.values[:, j]).astype(np.int64) if is_int
                         else chunk.values[:, j].astype(float))
    for j, (name, *_rest) in enumerate(runner.outputs):
        columns[name] = outputs[:, j]
    return ChunkResult(columns, model_seconds, time.perf_counter() - start)


def make_chunks(sweep: Sweep, runs: np.ndarray, size: int) -> list[Chunk]:
    """Split run indices (ascending) into tasks of at most ``size`` runs."""
    runner = Runner.of(sweep)
    runs = np.asarray(runs, dtype=np.int64)
    seeds = sweep.seeds(runs)
    chunks = []
    for start in range(0, len(runs), size):
        part = runs[start:start + size]
        points = part // sweep.replicates
        chunks.append(Chunk(runner, part, points, part % sweep.replicates,
                            seeds[start:start + size], sweep.points[points]))
    return chunks


def default_chunk_size(runs: int, workers: int) -> int:
    """About 20 tasks per worker, at most 64 runs a task (a couple of seconds of model time)."""
    return max(1, min(64, math.ceil(runs / (max(workers, 1) * 20))))


def default_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


# -- backends -------------------------------------------------------------------------------------

def _serial(chunks: list[Chunk]) -> Iterator[ChunkResult]:
    for chunk in chunks:
        yield run_chunk(chunk)


def _pool(chunks: list[Chunk], workers: int) -> Iterator[ChunkResult]:
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    context = multiprocessing.get_context("forkserver")
    with contextlib.suppress(Exception):
        context.set_forkserver_preload(["cxsim.experiments.sweep", "cxsim.model"])
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
    try:
        pending = set()
        queue = iter(chunks)
        # keep a few tasks per worker in flight; submit the rest as they finish
        for chunk in itertools.islice(queue, 3 * workers):
            pending.add(pool.submit(run_chunk, chunk))
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()
                for chunk in itertools.islice(queue, 1):
                    pending.add(pool.submit(run_chunk, chunk))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def connect(scheduler: Any) -> tuple[Any, bool]:
    """A ``distributed.Client`` for an address (or the given client); True if we opened it."""
    from distributed import Client

    if isinstance(scheduler, Client):
        return scheduler, False
    try:
        return Client(scheduler, timeout="10s", set_as_default=False), True
    except (OSError, TimeoutError, ValueError) as error:
        raise ScenarioError("--scheduler", "scheduler", str(scheduler),
                            f"a reachable Dask scheduler, e.g. tcp://host:8786 ({error})"
                            ) from None


def _dask(chunks: list[Chunk], client: Any) -> Iterator[ChunkResult]:
    """Chunks as tasks on a Dask cluster; its workers need cxsim importable (installed)."""
    from distributed import as_completed

    futures = [client.submit(run_chunk, chunk, pure=False, key=f"cxsim-chunk-{uuid.uuid4()}")
               for chunk in chunks]
    try:
        for future in as_completed(futures, loop=client.loop):
            result = future.result()
            future.release()
            yield result
    finally:
        client.cancel([f for f in futures if not f.done()])


# -- the store ------------------------------------------------------------------------------------

def _atomic_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".tmp-{uuid.uuid4().hex}-{path.name}")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def _atomic_table(path: Path, table: Any) -> None:
    import pyarrow.parquet as pq

    tmp = path.with_name(f".tmp-{uuid.uuid4().hex}-{path.name}")
    with open(tmp, "wb") as handle:
        pq.write_table(table, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


class Store:
    """A sweep's result directory (see the module docstring)."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self.runs_dir = self.directory / RUNS
        self._lock: int | None = None
        self.identity: str | None = None
        self._metadata: dict[bytes, bytes] = {}

    # writing
    def open(self, sweep: Sweep) -> None:
        """Lock the directory, write or check the manifest and the points, drop temp files."""
        self.directory.mkdir(parents=True, exist_ok=True)
        self.runs_dir.mkdir(exist_ok=True)
        fd = os.open(self.directory / LOCK, os.O_CREAT | os.O_RDWR, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise ScenarioError("--out", "out", str(self.directory),
                                "a directory no other running sweep is writing to") from None
        self._lock = fd
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        for stale in itertools.chain(self.directory.glob(".tmp-*"), self.runs_dir.glob(".tmp-*")):
            stale.unlink(missing_ok=True)
        manifest = sweep.manifest()
        self.identity = manifest["identity"]
        self._metadata = {b"cxsim.format": FORMAT.encode(), b"cxsim.provenance": json.dumps({
            "identity": manifest["identity"], "sweep": sweep.spec.name,
            "sweep_file": manifest["sweep_file"],
            "sweep_file_sha256": manifest["sweep_file_sha256"],
            "scenario": manifest["scenario"].get("scenario", manifest["scenario"].get("function")),
            "parameters_sha256": manifest["scenario"].get("parameters_sha256"),
            "cxsim_version": manifest["cxsim_version"], "sweep_seed": sweep.spec.seed,
            "seed_derivation": SEED_DERIVATION}).encode()}
        path = self.directory / MANIFEST
        if path.exists():
            old = json.loads(path.read_text())
            if old.get("identity") != manifest["identity"]:
                self.close()
                raise ScenarioError("--out", "out", str(self.directory),
                                    "a new directory, or one holding this same sweep (it holds "
                                    f"results of {old.get('sweep_file', 'another sweep')} with "
                                    "other settings, sample, scenario or model code)")
            manifest["created"] = old.get("created", manifest["created"])
            manifest["resumed"] = [*old.get("resumed", []), _now()]
        _atomic_bytes(path, json.dumps(manifest, indent=2, default=str).encode())
        if not (self.directory / POINTS).exists():
            _atomic_table(self.directory / POINTS, self._points_table(sweep))

    def _points_table(self, sweep: Sweep) -> Any:
        import pyarrow as pa

        columns: dict[str, Any] = {"point": np.arange(sweep.n_points, dtype=np.int64)}
        for j, (name, is_int) in enumerate(zip(sweep.names, sweep.integer, strict=True)):
            columns[name] = (np.rint(sweep.points[:, j]).astype(np.int64) if is_int
                             else sweep.points[:, j])
        return pa.table(columns)

    def write(self, columns: dict[str, np.ndarray]) -> Path:
        """Store one finished chunk atomically; its name is never reused."""
        import pyarrow as pa

        table = pa.table(columns).replace_schema_metadata(self._metadata)
        first = int(columns["point"][0]) if len(columns["point"]) else 0
        path = self.runs_dir / f"part-{first:09d}-{uuid.uuid4().hex[:12]}.parquet"
        _atomic_table(path, table)
        return path

    def close(self) -> None:
        if self._lock is not None:
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            os.close(self._lock)
            self._lock = None

    def mark_complete(self) -> None:
        path = self.directory / MANIFEST
        manifest = json.loads(path.read_text())
        manifest["completed"] = _now()
        _atomic_bytes(path, json.dumps(manifest, indent=2, default=str).encode())

    # reading
    def manifest(self) -> dict[str, Any]:
        path = self.directory / MANIFEST
        try:
            return json.loads(path.read_text())
        except (OSError, json.JSONDecodeError):
            raise ScenarioError(str(self.directory), "manifest.json", "<missing or unreadable>",
                                "a sweep directory written by cxsim sweep") from None

    def parts(self) -> list[Path]:
        return sorted(self.runs_dir.glob("part-*.parquet"))

    def _tables(self, columns: list[str] | None = None) -> list[Any]:
        import pyarrow as pa
        import pyarrow.parquet as pq

        tables = []
        for part in self.parts():
            try:
                tables.append(pq.read_table(part, columns=columns))
            except (OSError, pa.ArrowInvalid) as error:
                sys.stderr.write(f"cxsim: warning: {part}: unreadable, ignored ({error})\n")
        return tables

    def done_runs(self, replicates: int) -> np.ndarray:
        """Run indices already stored."""
        tables = self._tables(["point", "replicate"])
        if not tables:
            return np.empty(0, dtype=np.int64)
        import pyarrow as pa

        table = pa.concat_tables(tables)
        runs = (table.column("point").to_numpy() * replicates
                + table.column("replicate").to_numpy())
        return np.unique(runs.astype(np.int64))

    def read(self) -> pd.DataFrame:
        """All stored rows, sorted by (point, replicate), duplicates dropped."""
        import pyarrow as pa

        tables = self._tables()
        if not tables:
            return pd.DataFrame()
        frame = pa.concat_tables(tables, promote_options="default").to_pandas()
        frame = frame.sort_values(["point", "replicate"], kind="stable")
        frame = frame.drop_duplicates(["point", "replicate"]).reset_index(drop=True)
        return frame

    def points(self) -> pd.DataFrame:
        import pyarrow.parquet as pq

        return pq.read_table(self.directory / POINTS).to_pandas()


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


def read_runs(directory: str | Path) -> pd.DataFrame:
    """A sweep directory's rows, one per (point, replicate), sorted."""
    return Store(directory).read()


# -- the sweep ------------------------------------------------------------------------------------

@dataclass
class SweepReport:
    """What a call of :func:`run_sweep` did and where the time went."""

    directory: Path
    runs_total: int
    runs_before: int
    runs_done: int
    workers: int
    backend: str
    chunk_size: int
    chunks: int
    wall_seconds: float = 0.0
    setup_seconds: float = 0.0       # sampling, seeds, store checks (main process)
    store_seconds: float = 0.0       # writing chunks (main process)
    model_seconds: float = 0.0       # inside the model (all workers)
    worker_seconds: float = 0.0      # inside run_chunk (all workers)
    main_cpu_seconds: float = 0.0    # CPU time of this process (sampling, dispatch, storage)

    @property
    def complete(self) -> bool:
        return self.runs_before + self.runs_done >= self.runs_total

    def as_dict(self) -> dict[str, Any]:
        data = {k: v for k, v in self.__dict__.items() if k != "directory"}
        data["directory"] = str(self.directory)
        return data


def _progress(enabled: bool) -> Any:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TaskProgressColumn(), TextColumn("elapsed"), TimeElapsedColumn(),
                    TextColumn("left"), TimeRemainingColumn(),
                    console=Console(stderr=True), disable=not enabled, transient=False)


def run_sweep(sweep: Sweep, out: str | Path, workers: int | None = None,
              scheduler: Any = None, progress: bool = True, chunk_size: int | None = None,
              max_chunks: int | None = None) -> SweepReport:
    """Run the runs of ``sweep`` not yet in ``out``; returns what was done.

    ``workers``: local processes (default all cores; 1 runs in this process). ``scheduler``: a
    Dask scheduler address or ``distributed.Client`` (then ``workers`` is ignored).
    ``max_chunks`` stops after that many chunks (for tests and benchmarks).
    """
    started, cpu_started = time.perf_counter(), time.process_time()
    client, own_client = connect(scheduler) if scheduler is not None else (None, False)
    store = Store(out)
    try:
        store.open(sweep)
        done = store.done_runs(sweep.replicates)
        missing = np.setdiff1d(np.arange(sweep.n_runs, dtype=np.int64), done)
        workers = default_workers() if workers is None else max(1, int(workers))
        if client is not None:
            backend = "dask"
            workers = max(1, sum(client.nthreads().values()))
        elif workers == 1 or len(missing) <= 1:
            backend = "serial"
        else:
            backend = "processes"
        size = chunk_size or sweep.spec.chunk_size or default_chunk_size(len(missing), workers)
        chunks = make_chunks(sweep, missing, size)
        if max_chunks is not None:
            chunks = chunks[:max_chunks]
        report = SweepReport(Path(out), sweep.n_runs, len(done), 0, workers, backend, size,
                             len(chunks))
        report.setup_seconds = time.perf_counter() - started
        if backend == "serial":
            results = _serial(chunks)
        elif backend == "processes":
            results = _pool(chunks, max(1, min(workers, len(chunks))))
        else:
            results = _dask(chunks, client)
        with _progress(progress) as bar, contextlib.closing(results):
            task = bar.add_task(f"{sweep.spec.name}: runs", total=sweep.n_runs,
                                completed=len(done))
            for result in results:
                t0 = time.perf_counter()
                store.write(result.columns)
                report.store_seconds += time.perf_counter() - t0
                count = len(result.columns["point"])
                report.runs_done += count
                report.model_seconds += result.model_seconds
                report.worker_seconds += result.worker_seconds
                bar.advance(task, count)
        if report.complete:
            store.mark_complete()
    finally:
        store.close()
        if own_client:
            client.close()
    report.wall_seconds = time.perf_counter() - started
    report.main_cpu_seconds = time.process_time() - cpu_started
    return report


def default_out(sweep: Sweep) -> Path:
    """``results/sweeps/NAME_nN_rR`` (so that a quick look does not clash with the full run)."""
    return Path("results") / "sweeps" / f"{sweep.spec.name}_n{sweep.spec.n}_r{sweep.replicates}"


def copy_spec(spec: SweepFile, **update: Any) -> SweepFile:
    """A copy of a spec with some settings changed (re-validated)."""
    data = copy.deepcopy(spec.model_dump(mode="python"))
    data.update(update)
    return SweepFile.model_validate(data)
