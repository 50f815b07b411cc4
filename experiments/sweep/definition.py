"""A validated sweep: a sweep file (a path or a shipped name) checked against its model, with its
sample drawn; its identity and provenance; its default result directory."""

from __future__ import annotations

import datetime as _dt
import difflib
import hashlib
import json
import math
import os
import platform
import tomllib
from dataclasses import dataclass, field
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import numpy as np

from cxsim.experiments.sweep.models import AGENT_BASED, Function, function_name, sweep_model
from cxsim.experiments.sweep.sampling import (
    SEED_DERIVATION,
    count_points,
    run_seed,
    sample,
)
from cxsim.experiments.sweep.schema import (
    ANALYSIS_KEYS,
    OUTPUT_NAME,
    RESERVED,
    ParameterSpec,
    SweepFile,
    parse_outcome,
    parse_spec,
)
from cxsim.model.errors import Placeholder, ScenarioError
from cxsim.model.scenario import SAFE_NAME, flatten_keys

FORMAT = "cxsim-sweep/2"
# At most this many runs in one sweep (points x replicates), whatever the method: the sample
# (points x parameters floats) is held in memory, and 2,000,000 runs of the agent-based model are
# about 15 core-hours. docs/sweeps.md states it.
MAX_RUNS = 2_000_000
NAME_RULE = ("a name of letters, digits, '_', '-' and '.' (up to 64, not starting with '.' or "
             "'-', no '..')")


@dataclass
class Sweep:
    """A validated sweep: its settings, what it runs and its sample of points."""

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
    function: Function | None = None        # None: the agent-based model
    # context "posterior": replicate r's values of the calibrated parameters not swept
    draws: tuple[dict[str, float], ...] | None = None
    context: dict[str, Any] = field(default_factory=lambda: {"parameters": "point"})

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
                   "draws": self.draws,
                   "function": function_name(self.function) if self.function else None,
                   "model_source": model_source_sha256() if self.base is not None else None}
        return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()
                              ).hexdigest()

    def manifest(self) -> dict[str, Any]:
        """The provenance written next to the results."""
        from cxsim import __version__
        return {
            "format": FORMAT,
            "identity": self.identity(),
            "created": now(),
            "cxsim_version": __version__,
            "model_source_sha256": model_source_sha256(),
            "sweep_file": self.file,
            "sweep_file_sha256": hashlib.sha256(self.text.encode()).hexdigest(),
            "sweep_file_text": self.text,
            "spec": self.spec.model_dump(mode="json"),
            "scenario": self.provenance_scenario,
            "fixed_overrides": self.overrides,
            "context": self.context,
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


def now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


def model_source_sha256() -> str:
    """A digest of the model's source files: results of other model code are not mixed in."""
    import cxsim.model as model

    root = Path(model.__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _environment() -> dict[str, str]:
    from importlib import metadata

    versions = {"python": platform.python_version(), "platform": platform.platform()}
    for name in ("numpy", "pandas", "pyarrow", "SALib", "mesa", "pydantic", "distributed"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:  # pragma: no cover - optional
            continue
    return versions


# -- finding a sweep file --------------------------------------------------------------------------

def _shipped_folder() -> Traversable:
    return files("cxsim.experiments.sweep").joinpath("files")


def shipped_sweeps() -> list[str]:
    """The names of the sweep files cxsim ships (package data, ``experiments/sweep/files``)."""
    return sorted(entry.name.removesuffix(".toml") for entry in _shipped_folder().iterdir()
                  if entry.name.endswith(".toml") and entry.is_file())


def safe_name(name: str) -> bool:
    """Whether ``name`` may name a file or folder (a shipped sweep, a default result folder)."""
    return bool(SAFE_NAME.match(name)) and ".." not in name


def read_sweep_text(source: str | Path) -> tuple[str, str, Path | None]:
    """(label for messages, text, folder for relative scenario paths) of a sweep file's path or
    a shipped sweep's name."""
    text = str(source)
    if isinstance(source, Path) or "/" in text or os.sep in text or text.endswith(".toml"):
        path = Path(text)
        try:
            return text, path.read_text(encoding="utf-8"), path.parent
        except FileNotFoundError:
            raise ScenarioError("<command line>", "sweep", text, "an existing sweep file, or a "
                                f"shipped sweep: {', '.join(shipped_sweeps())}") from None
        except (OSError, UnicodeDecodeError, ValueError) as error:
            reason = getattr(error, "strerror", None) or str(error)
            raise ScenarioError(text, "<file>", "<unreadable>",
                                f"a readable sweep file ({reason})") from None
    names = shipped_sweeps()
    resource = _shipped_folder().joinpath(f"{text}.toml")
    if not safe_name(text) or not resource.is_file():
        near = difflib.get_close_matches(text, names, n=1)
        hint = f" (did you mean {near[0]!r}?)" if near else ""
        raise ScenarioError("<command line>", "sweep", text, "a sweep file (a path ending in "
                            f".toml) or a shipped sweep: {', '.join(names)}{hint}")
    return text, resource.read_text(encoding="utf-8"), None


def load_sweep(source: str | Path, n: int | None = None, replicates: int | None = None,
               function: Function | None = None) -> Sweep:
    """Read and validate a sweep file (a path, or a shipped sweep's name such as
    ``"sobol_levers"``); ``n`` and ``replicates`` override the file's values; ``function``
    runs a Python function of yours instead of the file's model (see :mod:`.models`)."""
    file, text, relative_to = read_sweep_text(source)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError(file, "<file>", "<malformed TOML>",
                            f"valid TOML expected ({error})") from None
    spec = parse_spec(data, file)
    if n is not None:
        if n < 1:
            raise ScenarioError("--n", "n", n, "a whole number >= 1")
        spec = spec.model_copy(update={"n": n})
    if replicates is not None:
        if replicates < 1:
            raise ScenarioError("--replicates", "replicates", replicates, "a whole number >= 1")
        spec = spec.model_copy(update={"replicates": replicates})
    return build_sweep(spec, file, text, relative_to=relative_to,
                       n_origin="--n" if n is not None else file, function=function)


def default_out(sweep: Sweep) -> Path:
    """``results/sweeps/NAME_nN_rR`` (sobol, morris) or ``results/sweeps/NAME_rR`` (grid, oat:
    no n), so that a quick look does not clash with the full run; the name is checked first."""
    name = sweep.spec.name
    if not safe_name(name):
        raise ScenarioError(sweep.file, "name", name, f"{NAME_RULE} to name the default result "
                            "folder; or give --out")
    size = f"_n{sweep.spec.n}" if sweep.spec.method in ("sobol", "morris") else ""
    return Path("results") / "sweeps" / f"{name}{size}_r{sweep.replicates}"


# -- checking a sweep against its model ------------------------------------------------------------

def build_sweep(spec: SweepFile, file: str = "<sweep>", text: str = "",
                relative_to: Path | None = None, n_origin: str | None = None,
                function: Function | None = None) -> Sweep:
    """Check a parsed sweep against its model and draw its sample.

    ``function``: a Python function ``function(params, seed) -> dict`` to run instead of the
    spec's model (the spec then names no scenario; its outputs' columns are the dict's keys).
    """
    n_origin = n_origin or file
    if function is not None and not callable(function):
        raise TypeError(f"function must be callable, not {type(function).__name__}")
    model = None if function is not None else sweep_model(spec.model, file)
    run = function if function is not None else model.function if model else None
    keys = [p.key for p in spec.parameters]
    for i, key in enumerate(keys):
        if key in keys[:i]:
            raise ScenarioError(file, f"parameters[{i}].key", key, "each parameter once")
    names = [o.name for o in spec.outputs]
    for i, name in enumerate(names):
        if not OUTPUT_NAME.match(name) or name in RESERVED:
            raise ScenarioError(file, f"outputs[{i}].name", name, "a name of letters, digits "
                                "and _ (not point, replicate or seed)")
        if name in names[:i]:
            raise ScenarioError(file, f"outputs[{i}].name", name, "each output name once")
    integer = [False] * len(keys)
    months = 12
    draws: tuple[dict[str, float], ...] | None = None
    context: dict[str, Any] = {"parameters": "point"}
    base: dict[str, Any] | None = None
    prov: dict[str, Any]
    overrides = flatten_keys(spec.overrides)
    if run is None:
        if spec.scenario is None:
            raise ScenarioError(file, "scenario", "<missing>", f"required for model "
                                f"{AGENT_BASED!r}: a shipped scenario name or a path")
        base, prov, months, integer, scenario = _check_scenario(spec, file, relative_to,
                                                                overrides)
        draws, context = _context(spec, file, scenario, keys)
    else:
        if spec.context != "point":
            raise ScenarioError(file, "context", spec.context,
                                f"'point' (a posterior draw needs model {AGENT_BASED!r})")
        if function is not None:
            prov = {"function": function_name(function)}
            what = "a Python function"
        else:
            prov = {"model": spec.model}
            what = f"model {spec.model!r}"
        if spec.scenario is not None:
            raise ScenarioError(file, "scenario", spec.scenario,
                                f"only with model {AGENT_BASED!r} (this sweep runs {what})")
        if overrides:
            raise ScenarioError(file, "overrides", "<table>",
                                f"only with model {AGENT_BASED!r} and a scenario")
        _check_function(spec, file, model.inputs if model else (),
                        model.outputs if model else ())
    spec = spec.model_copy(update={"outputs": [
        o.model_copy(update={"statistic": o.statistic or ("value" if run else "final")})
        for o in spec.outputs]})
    if function is not None:   # the spec records which function ran (a label, never imported)
        spec = spec.model_copy(update={"model": function_name(function)})
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
    _check_size(spec, file, n_origin)
    points = sample(spec, base)
    for j, is_int in enumerate(integer):
        if is_int:
            points[:, j] = np.rint(points[:, j])
    return Sweep(spec=spec, file=file, text=text, names=keys, integer=integer, points=points,
                 months=months, base=base, provenance_scenario=prov, overrides=overrides,
                 function=run, draws=draws, context=context)


def _context(spec: SweepFile, file: str, scenario: Any, swept: list[str]
             ) -> tuple[tuple[dict[str, float], ...] | None, dict[str, Any]]:
    """Each replicate's values of the calibrated parameters that the scenario takes from the
    shipped baseline.toml and the sweep does not vary (``context = "posterior"``): draws of
    ``uncertainty.draw_rows`` on the sweep's seed, the same at every point; and their record."""
    if spec.context == "point":
        return None, {"parameters": "point"}
    from cxsim.experiments.uncertainty import draw_rows, drawn_keys, load_ensemble

    ensemble = load_ensemble()
    keys = [key for key in drawn_keys(scenario, ensemble) if key not in swept]
    if not keys:
        raise ScenarioError(file, "context", spec.context,
                            "'point' for this scenario: it takes no calibrated value from the "
                            "shipped baseline.toml that the sweep does not vary")
    rows = draw_rows(spec.replicates, spec.seed)
    draws = tuple({key: ensemble.row(r)[key] for key in keys} for r in rows)
    return draws, {"parameters": "posterior", "posterior": Path(ensemble.source).name,
                   "posterior_sha256": ensemble.sha256, "keys": keys, "rows": list(rows),
                   "rule": "replicate r at every point on posterior row rows[r]"}


def _check_size(spec: SweepFile, file: str, n_origin: str) -> None:
    """At most MAX_RUNS runs, checked before anything is sampled."""
    points = count_points(spec)
    runs = points * spec.replicates
    if runs <= MAX_RUNS:
        return
    if spec.method in ("sobol", "morris"):
        design = ("N (2D + 2)" if spec.second_order else "N (D + 2)") \
            if spec.method == "sobol" else "N (D + 1)"
        raise ScenarioError(n_origin, "n", spec.n,
                            f"at most {MAX_RUNS:,} runs in a sweep, and this n gives {design} = "
                            f"{points:,} points x {spec.replicates} replicate(s) = {runs:,} "
                            "runs; lower n or replicates")
    raise ScenarioError(file, "parameters", Placeholder(f"<{points:,} points>"),
                        f"at most {MAX_RUNS:,} runs in a sweep: {points:,} points x "
                        f"{spec.replicates} replicate(s) = {runs:,} runs; fewer levels or "
                        "replicates")


def _check_scenario(spec: SweepFile, file: str, relative_to: Path | None,
                    overrides: dict[str, Any]
                    ) -> tuple[dict[str, Any], dict[str, Any], int, list[bool], Any]:
    """The scenario's parameters, provenance and months, which parameters are whole numbers,
    and the scenario; every parameter and output checked against the model's schema."""
    from cxsim.model.cx_model import month_end_weeks
    from cxsim.model.metrics import COLUMNS
    from cxsim.model.parameters import parameter_table
    from cxsim.model.scenario import load_scenario, resolve

    assert spec.scenario is not None
    scenario = load_scenario(resolve(spec.scenario, relative_to, file=file, key="scenario"))
    if overrides:
        scenario = scenario.with_overrides(overrides, origin=file)
    months = len(month_end_weeks(scenario.parameters.simulation.weeks))
    table = {row["key"]: row for row in parameter_table()}
    integer = []
    for i, p in enumerate(spec.parameters):
        row = table.get(p.key)
        if row is None or row["low"] is None or isinstance(row["default"], bool):
            sweepable = sorted(k for k, r in table.items() if r["low"] is not None
                               and not isinstance(r["default"], bool))
            near = difflib.get_close_matches(p.key, sweepable, n=1, cutoff=0.6)
            hint = f"did you mean {near[0]!r}?" if near else "see docs/parameters.md"
            raise ScenarioError(file, f"parameters[{i}].key", p.key,
                                f"a numeric model parameter; {hint}")
        if p.key in overrides:
            raise ScenarioError(file, f"parameters[{i}].key", p.key,
                                "not also fixed in [overrides]")
        integer.append(isinstance(row["default"], int))
        _check_range(p, i, file, spec.method, (row["low"], row["high"]), integer[-1])
    for i, o in enumerate(spec.outputs):
        if o.column not in COLUMNS:
            near = difflib.get_close_matches(o.column, list(COLUMNS), n=1, cutoff=0.6)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            raise ScenarioError(file, f"outputs[{i}].column", o.column,
                                f"a monthly column of docs/outputs.md{hint}")
        statistic = o.statistic or "final"
        if statistic == "value":
            raise ScenarioError(file, f"outputs[{i}].statistic", statistic,
                                "one of final, month, mean, auc, min, max for a scenario")
        if statistic == "month" and (o.month is None or o.month > months):
            raise ScenarioError(file, f"outputs[{i}].month", o.month,
                                f"a month from 0 to {months} with statistic 'month'")
    return (scenario.parameters.model_dump(mode="python"), scenario.provenance(), months,
            integer, scenario)


def _check_function(spec: SweepFile, file: str, inputs: tuple[str, ...],
                    outputs: tuple[str, ...]) -> None:
    """A function model's parameters and outputs (against its declared keys, if any)."""
    for i, p in enumerate(spec.parameters):
        if inputs and p.key not in inputs:
            raise ScenarioError(file, f"parameters[{i}].key", p.key,
                                f"one of model {spec.model!r}'s inputs: {', '.join(inputs)}")
        _check_range(p, i, file, spec.method, (None, None), False)
    missing = [k for k in inputs if k not in {p.key for p in spec.parameters}]
    if missing:
        raise ScenarioError(file, "parameters", f"<no {missing[0]}>",
                            f"every input of model {spec.model!r}: {', '.join(inputs)}")
    for i, o in enumerate(spec.outputs):
        if outputs and o.column not in outputs:
            raise ScenarioError(file, f"outputs[{i}].column", o.column,
                                f"one of model {spec.model!r}'s outputs: {', '.join(outputs)}")
        if (o.statistic or "value") != "value":
            raise ScenarioError(file, f"outputs[{i}].statistic", o.statistic,
                                "'value' for a function model")


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
