"""Parameter uncertainty in every forecast: a posterior draw and a seed for each replicate.

The shipped default organisation is not one parameter set but a posterior ensemble
(``scenarios/posterior.csv``, weighted ABC-SMC particles: ``experiments.posterior``). A forecast
therefore runs each replicate on its own draw of the calibrated parameters as well as its own
seed, so its spread holds both what the TechOps case cannot pin down (parameter uncertainty) and
chance (the stochastic weeks of one organisation).

- **Plan** (:func:`plan_replicates`). Replicate i runs on seed ``base + i`` and on draw
  ``draws[i // CHANCE_PER_DRAW]``: each draw carries ``CHANCE_PER_DRAW`` = 2 seeds, so the two
  sources can be told apart (below). The draws are the posterior's rows, sampled with replacement
  in proportion to their weights from a stream seeded by ``SeedSequence([DRAW_STREAM, base])``;
  the first k draws do not depend on how many replicates there are. A comparison gives every
  scenario the same plan: replicate i of each arm has the same draw and the same seed (common
  random numbers extended to parameters), and the result does not depend on the workers.
- **Which values a draw replaces** (:func:`with_draw`): only those of the calibrated parameters
  that the scenario takes from the shipped ``baseline.toml``. A value that a scenario file, a
  ``--set`` or a sweep sets itself is the user's and stays; a scenario that does not extend the
  shipped baseline gets no draw (its spread is chance alone).
- **Point** (``parameters="point"``, ``--point``): every replicate on the shipped calibrated
  point (the values in ``baseline.toml``, the least-squares fit of ``cxsim fit-point``): chance
  alone, for speed or for comparison. It is not the posterior's densest particle: that
  reproduces the case in one future, not on average (``posterior.point_standing``;
  docs/validation.md).
- **Variance decomposition** (:func:`variance_shares`): with m = 2 seeds per draw, the one-way
  random-effects estimate (law of total variance, Var Y = Var_theta E[Y | theta] +
  E_theta Var(Y | theta)): chance is the mean within-draw variance
  W = mean_j sum_k (y_jk - ybar_j)^2 / (m - 1), the parameters' share is
  max(0, Var Y - W) / Var Y, chance's the rest.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from cxsim.model import Scenario, ScenarioError
from cxsim.model.scenario import SCENARIO_DIR

Parameters = Literal["posterior", "point"]
PARAMETERS: tuple[str, ...] = ("posterior", "point")
POSTERIOR_DRAWS = SCENARIO_DIR / "posterior.csv"
CALIBRATED_FILE = SCENARIO_DIR / "baseline.toml"
CHANCE_PER_DRAW = 2
DRAW_STREAM = 0x5EED_D4A3   # tags the draws' stream apart from the model's seeds
POINT = -1                  # the ``draw`` of a replicate on the calibrated point


@dataclass(frozen=True)
class Ensemble:
    """A posterior ensemble: ``values[r]`` is draw r's value of each of ``keys``."""

    keys: tuple[str, ...]
    values: np.ndarray
    weights: np.ndarray
    source: str
    sha256: str

    def row(self, r: int) -> dict[str, float]:
        return {key: float(v) for key, v in zip(self.keys, self.values[r], strict=True)}


@functools.cache
def load_ensemble(path: Path = POSTERIOR_DRAWS) -> Ensemble:
    """The posterior draws of ``path`` (columns draw, weight, distance, then one per calibrated
    parameter); a missing or malformed file is a ScenarioError naming it."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ScenarioError(path, "<file>", "missing", "the posterior draws of `cxsim calibrate "
                            "--write`; or run with --point") from None
    table = pd.read_csv(path)
    keys = tuple(c for c in table.columns if c not in ("draw", "weight", "distance"))
    weights = table["weight"].to_numpy(float) if "weight" in table else np.array([])
    values = table[list(keys)].to_numpy(float)
    if not keys or weights.size == 0 or not np.all(np.isfinite(values)) \
            or not np.all(weights >= 0) or weights.sum() <= 0:
        raise ScenarioError(path, "weight", "<table>", "a weight column of non-negative numbers "
                            "and finite parameter values")
    return Ensemble(keys, values, weights / weights.sum(), str(path),
                    hashlib.sha256(data).hexdigest()[:16])


@dataclass(frozen=True)
class ReplicatePlan:
    """Replicate i's seed and its posterior draw (``POINT``: the calibrated point)."""

    seeds: tuple[int, ...]
    draws: tuple[int, ...]
    parameters: str

    def record(self) -> dict:
        """Plain data for a result's provenance."""
        out: dict = {"parameters": self.parameters, "seeds": list(self.seeds)}
        if self.parameters == "posterior":
            ensemble = load_ensemble()
            out.update(draws=list(self.draws), chance_per_draw=CHANCE_PER_DRAW,
                       posterior=Path(ensemble.source).name, posterior_sha256=ensemble.sha256,
                       rule="replicate i: seed base + i, posterior row draws[i]; "
                            f"{CHANCE_PER_DRAW} seeds per draw")
        return out


def draw_rows(replicates: int, stream: int) -> tuple[int, ...]:
    """The posterior row of each of ``replicates`` replicates: one row per ``CHANCE_PER_DRAW``
    consecutive replicates, sampled by weight from ``SeedSequence([DRAW_STREAM, stream])``."""
    ensemble = load_ensemble()
    groups = -(-replicates // CHANCE_PER_DRAW)
    uniforms = np.random.default_rng([DRAW_STREAM, stream]).random(groups)
    cumulative = np.cumsum(ensemble.weights)
    rows = np.minimum(np.searchsorted(cumulative / cumulative[-1], uniforms, side="right"),
                      len(cumulative) - 1)
    return tuple(int(rows[i // CHANCE_PER_DRAW]) for i in range(replicates))


def plan_replicates(seeds: Sequence[int], parameters: str = "posterior") -> ReplicatePlan:
    """The plan for replicates on ``seeds`` (``runner.replicate_seeds``): draws sampled by
    weight from the seeded stream of the first seed (:func:`draw_rows`)."""
    if parameters not in PARAMETERS:
        raise ValueError(f"parameters must be one of {PARAMETERS}, not {parameters!r}")
    seeds = tuple(int(s) for s in seeds)
    if parameters == "point" or not seeds:
        return ReplicatePlan(seeds, (POINT,) * len(seeds), "point")
    return ReplicatePlan(seeds, draw_rows(len(seeds), seeds[0]), "posterior")


def drawn_keys(scenario: Scenario, ensemble: Ensemble) -> list[str]:
    """The calibrated parameters this scenario takes from the shipped baseline.toml."""
    shipped = CALIBRATED_FILE.resolve()
    return [key for key in ensemble.keys
            if (origin := scenario.set_by(key)) is not None and Path(origin).resolve() == shipped]


def with_draw(scenario: Scenario, draw: int) -> Scenario:
    """``scenario`` with posterior row ``draw`` in place of the shipped calibrated values (the
    scenario as it is for ``POINT`` or when it takes none of them from baseline.toml)."""
    if draw == POINT:
        return scenario
    ensemble = load_ensemble()
    row = ensemble.row(draw)
    keys = drawn_keys(scenario, ensemble)
    if not keys:
        return scenario
    drawn = scenario.with_overrides({key: row[key] for key in keys},
                                    origin=f"{Path(ensemble.source).name} row {draw}")
    # The draw is the organisation, not a user's override: keep the recorded overrides the user's.
    return Scenario(drawn.name, drawn.description, drawn.source, drawn.files, drawn.parameters,
                    scenario.overrides, drawn.origins)


@dataclass(frozen=True)
class Shares:
    """How much of a spread each source gives (shares of the variance, summing to 1)."""

    parameters: float
    chance: float

    def text(self) -> str:
        return f"{100 * self.parameters:.0f}% parameters, {100 * self.chance:.0f}% chance"


def variance_shares(values: np.ndarray | pd.Series, replicates: np.ndarray | pd.Series,
                    draws: np.ndarray | pd.Series) -> Shares:
    """The parameters' and chance's shares of the variance of ``values``, one per replicate
    (``replicates`` their numbers, ``draws`` their posterior rows): the one-way random-effects
    estimate of the module docstring, replicates grouped by their draw's slot
    ``replicate // CHANCE_PER_DRAW`` (a row drawn twice is two groups). All chance when no
    replicate is on a posterior draw; NaN with no spread or no group of two."""
    y = np.asarray(values, dtype=float)
    if y.size < 2 or not np.var(y, ddof=1) > 0:
        return Shares(float("nan"), float("nan"))
    if np.all(np.asarray(draws) == POINT):
        return Shares(0.0, 1.0)
    frame = pd.DataFrame({"y": y, "slot": np.asarray(replicates) // CHANCE_PER_DRAW})
    sizes = frame.groupby("slot")["y"].transform("size")
    within = frame[sizes > 1].groupby("slot")["y"].var(ddof=1)
    if within.empty:
        return Shares(float("nan"), float("nan"))
    total = float(np.var(y, ddof=1))
    chance = min(float(within.mean()), total)
    return Shares((total - chance) / total, chance / total)
