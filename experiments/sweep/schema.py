"""The sweep file's schema: what a sweep file may say, and its outcome expressions.

A sweep file is data. It names a model from the registry (:mod:`.models`) and, for the
agent-based model, a scenario; it never names code to import. Every error is one line
(:class:`cxsim.model.errors.ScenarioError`) naming the file, the key, the value and what is
allowed.
"""

from __future__ import annotations

import copy
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cxsim.model.errors import ScenarioError, translate

RESERVED = ("point", "replicate", "seed")
# keys that do not change which runs a sweep makes (may change between a run and its resumption)
ANALYSIS_KEYS = ("description", "chunk_size", "bootstrap", "conf_level", "discovery")
OUTCOME = re.compile(r"^\s*([A-Za-z_][\w.]*)\s*(>=|<=|>|<)\s*([-+]?(?:\d+\.?\d*|\.\d+)"
                     r"(?:[eE][-+]?\d+)?)\s*$")
OUTPUT_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
NO_CODE = ("not allowed: a sweep file is data and names no code to run; use model = 'cxsim' "
           "with a scenario, a shipped test model (model = 'ishigami'), or pass your own Python "
           "function to build_sweep(spec, function=...) or load_sweep(path, function=...)")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class ParameterSpec(_Strict):
    """One parameter to vary."""

    key: str = Field(description="dotted parameter key (or a function model's input name)")
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
    column: str = Field(description="monthly column (docs/outputs.md) or a function model's key")
    statistic: Literal["final", "month", "mean", "auc", "min", "max", "value"] | None = Field(
        None, description="final (last month), month (needs month), mean/min/max over months "
        "1..end, auc (trapezoid area over months 0..end, unit x months), value (functions)")
    month: int | None = Field(None, ge=0, le=1200, description="month for statistic 'month'")
    label: str | None = Field(None, description="words for charts and the report (default: "
                                                "from the metric catalogue)")
    better: Literal["higher", "lower"] | None = Field(
        None, description="which way is better (default: the metric catalogue's)")


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
    model: str = Field("cxsim", description="a shipped model: 'cxsim' (the agent-based model, "
                                            "from a scenario) or a test function ('ishigami')")
    scenario: str | None = Field(None, description="shipped scenario name or path (model cxsim)")
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
    context: Literal["point", "posterior"] = Field(
        "point", description="the calibrated values the scenario takes from the shipped "
                             "baseline.toml (those not swept): their calibrated point, or "
                             "replicate r at every point on posterior draw r of the sweep's "
                             "plan (scenarios/posterior.csv; model cxsim)")
    chunk_size: int | None = Field(None, ge=1, le=1_000_000, description="runs per task")
    bootstrap: int = Field(1000, ge=10, le=1_000_000, description="bootstrap resamples")
    conf_level: float = Field(0.95, gt=0, lt=1)
    parameters: list[ParameterSpec] = Field(min_length=1)
    outputs: list[OutputSpec] = Field(min_length=1)
    discovery: DiscoverySpec | None = None


def parse_spec(data: dict[str, Any], file: str) -> SweepFile:
    """A sweep file's parsed TOML, validated; refuses a ``function`` key before anything else
    (a sweep file once named ``module:function`` to import, which ran any code it named)."""
    if "function" in data:
        raise ScenarioError(file, "function", data["function"], NO_CODE)
    try:
        return SweepFile.model_validate(data)
    except ValidationError as error:
        raise translate(error, SweepFile, file) from None


def copy_spec(spec: SweepFile, **update: Any) -> SweepFile:
    """A copy of a spec with some settings changed (re-validated)."""
    data = copy.deepcopy(spec.model_dump(mode="python"))
    data.update(update)
    return SweepFile.model_validate(data)


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
