"""Analysis of a sweep directory: indices, noise, charts, plain-words ranking, scenario discovery.

:func:`analyse` reads a directory written by :func:`experiments.sweep.run_sweep` and writes into
``DIR/analysis``:

- ``noise.csv``: how much of each output's variance is stochastic noise between replicates
  rather than the parameters (one-way analysis of variance over points);
- Sobol sweeps: ``sobol_indices.csv`` (S1, ST with bootstrap intervals, SALib), and
  ``sobol_second_order.csv`` when the sample has them; ``sobol_OUTPUT.png`` bars with intervals;
- Morris sweeps: ``morris.csv`` (mu, mu*, its interval, sigma) and ``morris_OUTPUT.png``
  (mu*-sigma plot);
- every method: ``tornado_OUTPUT.png`` (output at the low and high end of each parameter);
- grids: ``whatif_OUTPUT.png`` (heat map), ``whatif_OUTPUT.html`` (the ``sensitivity`` package's
  gradient-styled table) and ``whatif_OUTPUT_hexbin.png`` (its hex-bin plots);
- one-at-a-time sweeps: ``oat_OUTPUT.html`` (styled tables of the ``sensitivity`` package);
- scenario discovery (PRIM, EMA Workbench) for an outcome such as ``churn_m12 > 15``:
  ``prim_boxes.csv`` and ``prim_tradeoff.png``;
- ``REPORT.md``: the drivers of each output ranked in plain words, the warnings, the boxes.

Indices are computed on the replicate means of each point. A warning is given when an interval is
wider than its index (for indices that could matter), or when replicate noise is a large share of
the variance of the replicate means.
"""

from __future__ import annotations

import itertools
import json
import math
import operator
import os
import uuid
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from cxsim.experiments.sweep import (
    LOWER_IS_BETTER,
    OutputSpec,
    Store,
    SweepFile,
    parse_outcome,
)
from cxsim.model.scenario import ScenarioError

MATERIAL = 0.05        # an index whose interval reaches this share of variance could matter
CHART_PREFIXES = ("sobol", "sobol_s2", "morris", "tornado", "whatif", "oat")
NOISY = 0.2            # replicate noise above this share of the replicate means' variance
OPS: dict[str, Callable[[Any, Any], Any]] = {">": operator.gt, ">=": operator.ge,
                                             "<": operator.lt, "<=": operator.le}


# -- loading --------------------------------------------------------------------------------------

@dataclass
class Results:
    """A finished sweep read back from its directory."""

    directory: Path
    manifest: dict[str, Any]
    spec: SweepFile
    names: list[str]
    points: pd.DataFrame      # one row per point, the parameters (index = point)
    runs: pd.DataFrame        # one row per (point, replicate), sorted

    @property
    def outputs(self) -> list[OutputSpec]:
        return list(self.spec.outputs)

    @property
    def replicates(self) -> int:
        return int(self.manifest["replicates"])

    def means(self) -> pd.DataFrame:
        """Replicate means of each output, one row per point (in point order)."""
        names = [o.name for o in self.outputs]
        return self.runs.groupby("point", sort=True)[names].mean()

    def x(self) -> np.ndarray:
        return self.points[self.names].to_numpy(dtype=float)


def load_results(directory: str | Path) -> Results:
    """Read a sweep directory; every run must be stored."""
    directory = Path(directory)
    if not directory.is_dir():
        raise ScenarioError(str(directory), "DIR", str(directory),
                            "a directory written by cxsim sweep")
    store = Store(directory)
    manifest = store.manifest()
    spec = SweepFile.model_validate(manifest["spec"])
    runs = store.read()
    points = store.points().set_index("point").sort_index()
    expected = int(manifest["runs"])
    if len(runs) < expected:
        raise ScenarioError(str(directory), "runs", f"<{len(runs)} of {expected} stored>",
                            f"a finished sweep; run `cxsim sweep {manifest['sweep_file']} --out "
                            f"{directory}` again to finish it")
    return Results(directory, manifest, spec, list(manifest["parameters"]), points, runs)


# -- statistics -----------------------------------------------------------------------------------

def noise_table(results: Results) -> pd.DataFrame:
    """Per output: variance between runs, within points (replicate noise) and between points.

    ``noise_share_runs``: share of the run-to-run variance that is replicate noise;
    ``noise_share_means``: share of the variance of the replicate means (what the indices are
    computed on) that is noise, i.e. (within variance / replicates) / variance of the means.
    """
    rows = []
    r = results.replicates
    for o in results.outputs:
        values = results.runs[o.name].to_numpy(dtype=float)
        total = float(np.var(values, ddof=1)) if values.size > 1 else 0.0
        means = results.runs.groupby("point")[o.name].mean().to_numpy()
        between = float(np.var(means, ddof=1)) if means.size > 1 else 0.0
        if r > 1:
            within = float(results.runs.groupby("point")[o.name].var(ddof=1).mean())
            share_runs = min(1.0, within / total) if total > 0 else 0.0
            share_means = min(1.0, within / r / between) if between > 0 else 0.0
        else:
            within = share_runs = share_means = float("nan")
        rows.append({"output": o.name, "replicates": r, "variance_runs": total,
                     "variance_within_points": within, "variance_of_point_means": between,
                     "noise_share_runs": share_runs, "noise_share_means": share_means})
    return pd.DataFrame(rows)


def sobol_indices(results: Results) -> tuple[pd.DataFrame, pd.DataFrame]:
    """S1 and ST (one row per output and parameter) and S2 (per output and pair), with the
    half-widths of their bootstrap intervals (``*_conf``), from SALib on the replicate means."""
    from SALib.analyze import sobol

    spec = results.spec
    problem = {"num_vars": len(results.names), "names": results.names,
               "bounds": [[p.low, p.high] for p in spec.parameters]}
    means = results.means()
    first, second = [], []
    for o in results.outputs:
        y = means[o.name].to_numpy(dtype=float)
        if np.ptp(y) == 0:
            si = {k: np.zeros(len(results.names)) for k in ("S1", "S1_conf", "ST", "ST_conf")}
            si["S2"] = si["S2_conf"] = np.full((len(results.names),) * 2, np.nan)
        else:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                si = sobol.analyze(problem, y, calc_second_order=spec.second_order,
                                   num_resamples=spec.bootstrap, conf_level=spec.conf_level,
                                   seed=spec.seed)
        for j, name in enumerate(results.names):
            first.append({"output": o.name, "parameter": name,
                          "S1": float(si["S1"][j]), "S1_conf": float(si["S1_conf"][j]),
                          "ST": float(si["ST"][j]), "ST_conf": float(si["ST_conf"][j])})
        if spec.second_order:
            for j, k in itertools.combinations(range(len(results.names)), 2):
                second.append({"output": o.name, "parameter_1": results.names[j],
                               "parameter_2": results.names[k], "S2": float(si["S2"][j, k]),
                               "S2_conf": float(si["S2_conf"][j, k])})
    return pd.DataFrame(first), pd.DataFrame(second)


def morris_indices(results: Results) -> pd.DataFrame:
    """mu, mu*, the mu* interval half-width and sigma, per output and parameter (SALib)."""
    from SALib.analyze import morris

    spec = results.spec
    problem = {"num_vars": len(results.names), "names": results.names,
               "bounds": [[p.low, p.high] for p in spec.parameters]}
    x = results.x()
    means = results.means()
    rows = []
    for o in results.outputs:
        y = means[o.name].to_numpy(dtype=float)
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            si = morris.analyze(problem, x, y, num_resamples=spec.bootstrap,
                                conf_level=spec.conf_level, num_levels=spec.num_levels,
                                seed=spec.seed)
        for j, name in enumerate(results.names):
            rows.append({"output": o.name, "parameter": name, "mu": float(si["mu"][j]),
                         "mu_star": float(si["mu_star"][j]),
                         "mu_star_conf": float(si["mu_star_conf"][j]),
                         "sigma": float(si["sigma"][j])})
    return pd.DataFrame(rows)


def tornado_table(results: Results) -> pd.DataFrame:
    """Output (replicate means) at the low and the high end of each parameter.

    One-at-a-time sweeps: at the lowest and highest level, the others at their base. Other
    methods: the mean over the points whose value of the parameter is in its bottom or top fifth
    (grids: the lowest or highest level), all other parameters as sampled.
    """
    means = results.means()
    rows = []
    for o in results.outputs:
        y = means[o.name]
        overall = float(y.mean())
        for j, name in enumerate(results.names):
            values = results.points[name].astype(float)
            if results.spec.method == "oat":
                mask_base = _oat_group(results) == -1
                base = float(y[mask_base].mean())
                group = _oat_group(results) == j
                lo_v, hi_v = values[group].min(), values[group].max()
                low = float(y[group & (values == lo_v)].mean())
                high = float(y[group & (values == hi_v)].mean())
                reference = base
            else:
                if values.nunique() <= 12:
                    lo_mask, hi_mask = values == values.min(), values == values.max()
                else:
                    lo_mask = values <= values.quantile(0.2)
                    hi_mask = values >= values.quantile(0.8)
                low, high = float(y[lo_mask].mean()), float(y[hi_mask].mean())
                lo_v, hi_v = float(values[lo_mask].mean()), float(values[hi_mask].mean())
                reference = overall
            rows.append({"output": o.name, "parameter": name, "reference": reference,
                         "low_value": float(lo_v), "high_value": float(hi_v),
                         "output_at_low": low, "output_at_high": high,
                         "swing": abs(high - low)})
    return pd.DataFrame(rows)


def _oat_group(results: Results) -> pd.Series:
    """For a one-at-a-time sample: which parameter each point varies (-1 for the base point)."""
    spec = results.spec
    group = [-1]
    for j, p in enumerate(spec.parameters):
        count = len(p.values) if p.values is not None else (p.levels or spec.levels)
        group += [j] * count
    return pd.Series(group, index=results.points.index)


def directions(results: Results) -> pd.DataFrame:
    """Spearman rank correlation of each parameter with each output's replicate means."""
    means = results.means()
    ranks_x = results.points[results.names].rank()
    rows = []
    for o in results.outputs:
        ranks_y = means[o.name].rank()
        for name in results.names:
            rho = ranks_x[name].corr(ranks_y) if ranks_x[name].nunique() > 1 else 0.0
            rows.append({"output": o.name, "parameter": name,
                         "rho": 0.0 if pd.isna(rho) else float(rho)})
    return pd.DataFrame(rows)


def index_warnings(results: Results, sobol: pd.DataFrame | None, morris: pd.DataFrame | None,
                   noise: pd.DataFrame) -> list[str]:
    """Warnings for indices the sample is too small to trust, and for heavy replicate noise."""
    notes: list[str] = []
    n = results.spec.n
    if sobol is not None and not sobol.empty:
        for o in results.outputs:
            rows = sobol[sobol.output == o.name]
            wide = []
            for _, row in rows.iterrows():
                for k in ("S1", "ST"):
                    value, conf = row[k], row[f"{k}_conf"]
                    if conf > abs(value) and value + conf >= MATERIAL:
                        wide.append(f"{k} of {row.parameter}")
            if wide:
                notes.append(
                    f"{o.name}: {len(wide)} Sobol interval(s) are wider than the index itself "
                    f"({', '.join(wide[:6])}{', ...' if len(wide) > 6 else ''}): N = {n} is too "
                    f"small to trust them; raise n (a power of two, e.g. {4 * n}) or replicates")
    if morris is not None and not morris.empty:
        for o in results.outputs:
            rows = morris[morris.output == o.name]
            top = rows.mu_star.max()
            wide = [r.parameter for r in rows.itertuples()
                    if r.mu_star_conf > r.mu_star and r.mu_star >= 0.05 * top]
            if wide:
                notes.append(f"{o.name}: the mu* intervals of {', '.join(wide[:6])} are wider "
                             f"than mu* itself: {n} trajectories are too few; raise n")
    for row in noise.itertuples():
        if not math.isnan(row.noise_share_means) and row.noise_share_means > NOISY:
            effect = ("Sobol S1 is under-stated and ST over-stated" if sobol is not None
                      else "differences between points are partly chance")
            notes.append(f"{row.output}: replicate noise is {row.noise_share_means:.0%} of the "
                         f"variance of the replicate means ({results.replicates} replicates per "
                         f"point): {effect}; raise replicates")
    if results.replicates == 1:
        notes.append("one replicate per point: stochastic noise cannot be separated from the "
                     "parameters' effects (it is part of the indices)")
    return notes


# -- scenario discovery ---------------------------------------------------------------------------

def discover(results: Results, outcome: str) -> dict[str, Any]:
    """PRIM boxes for ``outcome`` (e.g. ``'churn_m12 > 15'``) over the runs."""
    disc = results.spec.discovery
    threshold = disc.threshold if disc else 0.8
    max_boxes = disc.max_boxes if disc else 3
    mass_min = disc.mass_min if disc else 0.05
    peel_alpha = disc.peel_alpha if disc else 0.05
    name, op, value = parse_outcome(outcome, results.spec, file="--outcome", key="outcome")
    x = results.runs[results.names].astype(float).reset_index(drop=True)
    y = OPS[op](results.runs[name].to_numpy(dtype=float), value)
    found: dict[str, Any] = {"outcome": f"{name} {op} {value:g}", "runs": int(y.size),
                             "cases": int(y.sum()), "share": float(y.mean()) if y.size else 0.0,
                             "threshold": threshold, "boxes": [], "trajectory": None}
    if min(y.sum(), (~y).sum()) < 10:
        found["note"] = (f"only {int(y.sum())} run(s) meet the outcome" if y.sum() < 10 else
                         f"only {int((~y).sum())} run(s) miss the outcome") + \
            ": too few to find boxes; choose another threshold"
        return found
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim
        # y is 0/1, so any threshold in (0, 1] picks the same cases; a tiny one makes PRIM keep
        # every box it peels, and the density threshold is applied below to the peeling
        # trajectory, so that a miss can say how close PRIM came
        finder = prim.Prim(x, y.astype(int), threshold=1e-6, mass_min=mass_min,
                           peel_alpha=peel_alpha)
        for number in range(max_boxes):
            box = finder.find_box()
            if box is None:
                break
            trajectory = box.peeling_trajectory.reset_index(drop=True)
            density = trajectory["density"].to_numpy()
            ok = np.flatnonzero((density >= threshold) & (trajectory["res_dim"].to_numpy() > 0))
            if not ok.size:
                if number == 0:
                    best = int(np.argmax(density))
                    found["closest"] = {k: float(trajectory[k].iloc[best])
                                        for k in ("density", "coverage", "mass")}
                break
            choice = int(ok[np.argmax(trajectory["coverage"].to_numpy()[ok])])
            box.select(choice)
            stats, limits = box.inspect(choice, style="data")[0]
            restrictions = []
            for unc in limits.index:
                low, high = (float(v) for v in limits.loc[unc].iloc[:2])
                qp = [float(v) for v in limits.loc[unc].iloc[2:4] if not math.isnan(float(v))]
                full_low, full_high = float(x[unc].min()), float(x[unc].max())
                kept = (high - low) / (full_high - full_low) if full_high > full_low else 1.0
                restrictions.append({"parameter": str(unc), "low": low, "high": high,
                                     "full_low": full_low, "full_high": full_high,
                                     "range_kept": kept, "qp": max(qp) if qp else float("nan")})
            restrictions.sort(key=lambda r: r["range_kept"])
            if number == 0:
                found["trajectory"] = trajectory[["coverage", "density", "res_dim",
                                                  "mass"]].assign(selected=False)
                found["trajectory"].loc[choice, "selected"] = True
            found["boxes"].append({"box": number + 1, "coverage": float(stats["coverage"]),
                                   "density": float(stats["density"]),
                                   "mass": float(stats["mass"]),
                                   "restricted": int(stats["res_dim"]),
                                   "restrictions": restrictions})
    return found


# -- writing --------------------------------------------------------------------------------------

def _tmp(path: Path) -> Path:
    return path.with_name(f".tmp-{uuid.uuid4().hex}-{path.name}")


def _write_text(path: Path, text: str) -> Path:
    tmp = _tmp(path)
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return path


def _write_csv(path: Path, frame: pd.DataFrame) -> Path:
    tmp = _tmp(path)
    frame.to_csv(tmp, index=False, float_format="%.6g")
    os.replace(tmp, path)
    return path


def _save(fig: Any, path: Path) -> Path:
    tmp = _tmp(path)
    fig.savefig(tmp, format="png", dpi=130, bbox_inches="tight")
    plt.close(fig)
    os.replace(tmp, path)
    return path


def _lower_better(o: OutputSpec) -> bool:
    if o.better is not None:
        return o.better == "lower"
    return any(word in o.column for word in LOWER_IS_BETTER)


def _label(o: OutputSpec) -> str:
    if o.label:
        return o.label
    return f"{o.column} ({o.statistic}{'' if o.month is None else f' {o.month}'})"


def _short(key: str) -> str:
    return key.split(".")[-1].replace("_", " ")


def plot_sobol(rows: pd.DataFrame, o: OutputSpec, results: Results, path: Path,
               floor: float = 0.0) -> Path:
    rows = rows.sort_values("ST")
    y = np.arange(len(rows))
    fig, ax = plt.subplots(figsize=(8, 0.42 * len(rows) + 1.6))
    ax.barh(y - 0.2, rows.S1, 0.4, xerr=rows.S1_conf, label="first order S1 (alone)",
            color="#4C72B0", capsize=2, error_kw={"elinewidth": 0.8})
    ax.barh(y + 0.2, rows.ST, 0.4, xerr=rows.ST_conf, label="total ST (with interactions)",
            color="#DD8452", capsize=2, error_kw={"elinewidth": 0.8})
    ax.set_yticks(y, rows.parameter)
    ax.axvline(0, color="black", lw=0.8)
    if floor >= 0.01:
        ax.axvline(floor, color="grey", ls="--", lw=1,
                   label=f"noise floor of ST ({floor:.0%}: replicate noise)")
    ax.set_xlabel("share of the variance of the replicate means")
    spec = results.spec
    ax.set_title(f"Sobol indices: {_label(o)}\nN = {spec.n}, {results.replicates} replicate(s) "
                 f"per point, {spec.conf_level:.0%} bootstrap intervals", fontsize=10)
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    return _save(fig, path)


def plot_sobol_s2(rows: pd.DataFrame, o: OutputSpec, names: list[str], path: Path) -> Path:
    index = {n: i for i, n in enumerate(names)}
    matrix = np.full((len(names), len(names)), np.nan)
    for r in rows.itertuples():
        matrix[index[r.parameter_1], index[r.parameter_2]] = r.S2
    fig, ax = plt.subplots(figsize=(0.55 * len(names) + 3, 0.5 * len(names) + 2))
    image = ax.imshow(matrix, cmap="viridis", vmin=0)
    ax.set_xticks(range(len(names)), [_short(n) for n in names], rotation=60, ha="right",
                  fontsize=8)
    ax.set_yticks(range(len(names)), [_short(n) for n in names], fontsize=8)
    fig.colorbar(image, ax=ax, label="S2")
    ax.set_title(f"Second-order Sobol indices (pair interactions)\n{_label(o)}", fontsize=10)
    return _save(fig, path)


def plot_morris(rows: pd.DataFrame, o: OutputSpec, results: Results, path: Path,
                floor: float = 0.0) -> Path:
    fig, ax = plt.subplots(figsize=(8, 6))
    if floor > 0:
        ax.axvspan(0, floor, color="grey", alpha=0.15, label="mu* of replicate noise alone")
    ax.errorbar(rows.mu_star, rows.sigma, xerr=rows.mu_star_conf, fmt="o", color="#4C72B0",
                ecolor="#999999", capsize=2)
    top = max(float(rows.mu_star.max()), 1e-12)
    labelled = set(rows.nlargest(8, "mu_star").parameter) | set(rows.nlargest(3, "sigma").parameter)
    for r in rows.itertuples():
        if r.parameter in labelled:
            ax.annotate(_short(r.parameter), (r.mu_star, r.sigma), fontsize=8,
                        xytext=(4, 3), textcoords="offset points")
    limit = max(float((rows.mu_star + rows.mu_star_conf).max()), float(rows.sigma.max()),
                top) * 1.1
    for ratio, style in ((0.1, ":"), (0.5, "--"), (1.0, "-.")):
        ax.plot([0, limit], [0, ratio * limit], style, color="grey", lw=0.8,
                label=f"sigma / mu* = {ratio}")
    ax.set_xlim(0, limit)
    ax.set_ylim(0, limit)
    ax.set_xlabel("mu* (mean absolute elementary effect)")
    ax.set_ylabel("sigma (spread: non-linearity or interactions)")
    ax.set_title(f"Morris screening: {_label(o)}\n{results.spec.n} trajectories, "
                 f"{results.replicates} replicate(s) per point", fontsize=10)
    ax.legend(fontsize=8, loc="upper left")
    ax.grid(alpha=0.3)
    return _save(fig, path)


def plot_tornado(rows: pd.DataFrame, o: OutputSpec, results: Results, path: Path) -> Path:
    rows = rows.sort_values("swing")
    reference = float(rows.reference.iloc[0])
    y = np.arange(len(rows))
    fig, ax = plt.subplots(figsize=(8, 0.42 * len(rows) + 1.6))
    ax.barh(y + 0.18, rows.output_at_low - reference, 0.36, left=reference, color="#4C72B0",
            label="parameter low")
    ax.barh(y - 0.18, rows.output_at_high - reference, 0.36, left=reference, color="#DD8452",
            label="parameter high")
    ax.axvline(reference, color="black", lw=0.8)
    ax.set_yticks(y, [f"{r.parameter}\n[{r.low_value:.3g} .. {r.high_value:.3g}]"
                      for r in rows.itertuples()], fontsize=8)
    how = ("others at their base" if results.spec.method == "oat" else
           "mean over the points at each end (bottom/top fifth, or lowest/highest level)")
    ax.set_xlabel(_label(o))
    ax.set_title(f"Tornado: {_label(o)}\n{how}", fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    return _save(fig, path)


def plot_heatmap(grid: pd.DataFrame, o: OutputSpec, rows_key: str, cols_key: str,
                 results: Results, path: Path) -> Path:
    fig, ax = plt.subplots(figsize=(0.7 * grid.shape[1] + 3, 0.5 * grid.shape[0] + 2))
    cmap = "RdYlGn_r" if _lower_better(o) else "RdYlGn"
    image = ax.imshow(grid.to_numpy(dtype=float), cmap=cmap, origin="lower", aspect="auto")
    ax.set_xticks(range(grid.shape[1]), [f"{v:.3g}" for v in grid.columns])
    ax.set_yticks(range(grid.shape[0]), [f"{v:.3g}" for v in grid.index])
    ax.set_xlabel(cols_key)
    ax.set_ylabel(rows_key)
    values = grid.to_numpy(dtype=float)
    middle = np.nanmean(values)
    for i in range(grid.shape[0]):
        for j in range(grid.shape[1]):
            ax.text(j, i, f"{values[i, j]:.1f}", ha="center", va="center", fontsize=7,
                    color="black" if abs(values[i, j] - middle) < np.nanstd(values) else "white")
    fig.colorbar(image, ax=ax, label=_label(o))
    ax.set_title(f"What-if: {_label(o)}\nmean of {results.replicates} replicate(s) per cell",
                 fontsize=10)
    return _save(fig, path)


def plot_prim(trajectory: pd.DataFrame, outcome: str, path: Path) -> Path:
    fig, ax = plt.subplots(figsize=(7, 5))
    points = ax.scatter(trajectory.coverage, trajectory.density, c=trajectory.res_dim,
                        cmap="viridis", s=22)
    chosen = trajectory[trajectory.selected]
    ax.scatter(chosen.coverage, chosen.density, s=140, facecolors="none", edgecolors="red",
               label="reported box")
    fig.colorbar(points, ax=ax, label="restricted dimensions",
                 ticks=sorted(int(v) for v in trajectory.res_dim.unique()))
    ax.set_xlabel("coverage (share of the cases of interest inside the box)")
    ax.set_ylabel("density (share of the box's runs that are cases)")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.set_title(f"PRIM peeling trajectory, first box: {outcome}", fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return _save(fig, path)


# -- grids with the sensitivity package -----------------------------------------------------------

def _key(values: Any) -> tuple[float, ...]:
    return tuple(round(float(v), 10) for v in values)


def _analyzer(values: dict[str, list[float]], lookup: dict[tuple[float, ...], float],
              o: OutputSpec) -> Any:
    from sensitivity import SensitivityAnalyzer

    keys = list(values)

    def mean_at(**kwargs: float) -> float:
        return lookup[_key(kwargs[k] for k in keys)]

    import sensitivity.df

    # the package shows a tqdm bar while it evaluates; here it only looks up stored means
    bar = sensitivity.df.tqdm
    sensitivity.df.tqdm = lambda iterable, **kwargs: iterable
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return SensitivityAnalyzer(values, mean_at, result_name=o.name,
                                       reverse_colors=_lower_better(o), num_fmt="{:.2f}",
                                       grid_size=max(len(v) for v in values.values()))
    finally:
        sensitivity.df.tqdm = bar


def _frame_mean(name: str) -> Callable[[pd.DataFrame], pd.Series]:
    # the package's two-variable table groups with DataFrame.apply; under pandas >= 3 the result
    # must be a Series carrying the result's name
    def mean(frame: pd.DataFrame) -> pd.Series:
        return pd.Series({name: float(pd.to_numeric(frame[name]).mean())})
    return mean


def _styled_html(styled: Any, title: str) -> str:
    items = styled.items() if isinstance(styled, dict) else [((), styled)]
    parts = [f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>",
             f"<h1>{title}</h1>"]
    for pair, styler in items:
        if pair:
            parts.append(f"<h2>{' x '.join(pair)}</h2>")
        parts.append(styler.to_html())
    parts.append("</body></html>")
    return "\n".join(parts)


def whatif(results: Results, out: Path) -> tuple[list[Path], dict[str, pd.DataFrame]]:
    """Grid sweeps: heat maps, styled tables and hex-bin plots of each output."""
    files: list[Path] = []
    grids: dict[str, pd.DataFrame] = {}
    means = results.means()
    names = results.names
    levels = {n: sorted(results.points[n].astype(float).unique()) for n in names}
    table = results.points[names].astype(float).join(means)
    for o in results.outputs:
        lookup = {_key(row[:len(names)]): float(row[-1])
                  for row in table[[*names, o.name]].itertuples(index=False)}
        if len(names) >= 2:
            rows_key, cols_key = names[0], names[1]
            grid = table.groupby([rows_key, cols_key])[o.name].mean().unstack(cols_key)
            grids[o.name] = grid
            files.append(_write_csv(out / f"whatif_{o.name}.csv",
                                    grid.reset_index().rename(columns=str)))
            files.append(plot_heatmap(grid, o, rows_key, cols_key, results,
                                      out / f"whatif_{o.name}.png"))
        analyzer = _analyzer({n: levels[n] for n in names}, lookup, o)
        styled = analyzer.styled_dfs(disp=False, agg_func=_frame_mean(o.name))
        files.append(_write_text(out / f"whatif_{o.name}.html",
                                 _styled_html(styled, f"What-if: {_label(o)}")))
        if len(names) >= 2:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fig = analyzer.plot()
            fig.suptitle(f"{_label(o)}: hex bins of the grid (sensitivity package)", x=0.02,
                         y=1.02, ha="left", fontsize=11)
            files.append(_save(fig, out / f"whatif_{o.name}_hexbin.png"))
    return files, grids


def one_at_a_time(results: Results, out: Path) -> list[Path]:
    """One-at-a-time sweeps: a styled table per parameter and output (sensitivity package)."""
    files = []
    means = results.means()
    group = _oat_group(results)
    for o in results.outputs:
        tables = {}
        for j, name in enumerate(results.names):
            mask = group == j
            values = results.points.loc[mask, name].astype(float)
            lookup = {_key([v]): float(m) for v, m in zip(values, means.loc[mask, o.name],
                                                           strict=True)}
            analyzer = _analyzer({name: sorted(lookup_v[0] for lookup_v in lookup)}, lookup, o)
            tables[(name,)] = analyzer.styled_dfs(disp=False)
        files.append(_write_text(out / f"oat_{o.name}.html",
                                 _styled_html(tables, f"One at a time: {_label(o)}")))
    return files


# -- words ----------------------------------------------------------------------------------------

def _direction(rho: float) -> str:
    if rho > 0.15:
        return "higher values raise it"
    if rho < -0.15:
        return "higher values lower it"
    return "no consistent direction (it depends on the other parameters)"


def rank_sobol(results: Results, sobol: pd.DataFrame, dirs: pd.DataFrame,
               noise: pd.DataFrame) -> dict[str, list[str]]:
    """Drivers by total index, net of the replicate noise that every ST carries."""
    words: dict[str, list[str]] = {}
    for o in results.outputs:
        rows = sobol[sobol.output == o.name].sort_values("ST", ascending=False)
        rho = dirs[dirs.output == o.name].set_index("parameter").rho
        share = float(noise[noise.output == o.name].noise_share_means.iloc[0])
        floor = 0.0 if math.isnan(share) else share
        alone = min(float(rows.S1.clip(lower=0).sum()), 1.0)
        lines = [f"The parameters explain {alone:.0%} of the variance on their own (sum of S1)"
                 + (f"; replicate noise is {floor:.0%}, and it shows in every parameter's total "
                    f"index: a parameter with no effect has ST of about {floor:.0%}"
                    if floor >= 0.01 else "")
                 + f"; interactions account for about {max(1 - alone - floor, 0):.0%}."]
        rank, minor = 0, []
        for r in rows.itertuples():
            net = r.ST - floor
            if r.ST - r.ST_conf <= floor or (net < MATERIAL and r.S1 < MATERIAL):
                minor.append(r.parameter)
                continue
            rank += 1
            inter = max(net - max(r.S1, 0), 0)
            lines.append(f"{rank}. `{r.parameter}`: {net:.0%} of the variance in all "
                         + (f"beyond noise (ST {r.ST:.0%} ±{r.ST_conf:.0%})" if floor >= 0.01
                            else f"(±{r.ST_conf:.0%})")
                         + f", {max(r.S1, 0):.0%} alone (±{r.S1_conf:.0%})"
                         + (f", {inter:.0%} through interactions" if inter >= 0.05 else "")
                         + f"; {_direction(float(rho.get(r.parameter, 0)))}.")
        if minor:
            lines.append("Barely matter (total effect within its interval of the noise floor, "
                         f"or under {MATERIAL:.0%}): " + ", ".join(f"`{m}`" for m in minor) + ".")
        lines.append(_noise_words(noise, o))
        words[o.name] = lines
    return words


def morris_noise_floor(results: Results, noise: pd.DataFrame, output: str) -> float:
    """The mu* a parameter with no effect shows: the mean absolute difference of two replicate
    means, per Morris step (sqrt(2 s^2 / R) sqrt(2 / pi) / delta); 0 with one replicate."""
    within = float(noise[noise.output == output].variance_within_points.iloc[0])
    if math.isnan(within):
        return 0.0
    levels = results.spec.num_levels
    delta = levels / (2 * (levels - 1))
    return math.sqrt(2 * within / results.replicates) * math.sqrt(2 / math.pi) / delta


def rank_morris(results: Results, morris: pd.DataFrame, noise: pd.DataFrame
                ) -> dict[str, list[str]]:
    words: dict[str, list[str]] = {}
    for o in results.outputs:
        rows = morris[morris.output == o.name].sort_values("mu_star", ascending=False)
        top = max(float(rows.mu_star.max()), 1e-12)
        floor = morris_noise_floor(results, noise, o.name)
        lines, minor, noisy, rank = [], [], [], 0
        lines.append("mu* is the mean absolute change of the output when a parameter moves "
                     f"by {results.spec.num_levels / (2 * (results.spec.num_levels - 1)):.0%} "
                     "of its range; sigma its spread"
                     + (f"; replicate noise alone gives mu* of about {floor:.3g}"
                        if floor > 0 else "") + ".")
        for r in rows.itertuples():
            if r.mu_star < 0.1 * top:
                minor.append(r.parameter)
                continue
            if r.mu_star - r.mu_star_conf <= floor:
                noisy.append(r.parameter)
                continue
            rank += 1
            ratio = r.sigma / r.mu_star if r.mu_star > 0 else float("inf")
            shape = ("non-linear or interacting" if ratio > 1 else
                     "partly non-linear or interacting" if ratio > 0.5 else "nearly linear")
            sign = ("raises it" if r.mu > 0.8 * r.mu_star else
                    "lowers it" if r.mu < -0.8 * r.mu_star else "acts in both directions")
            lines.append(f"{rank}. `{r.parameter}`: mu* = {r.mu_star:.3g} (±{r.mu_star_conf:.2g})"
                         f", sigma = {r.sigma:.3g} ({shape}); a higher value {sign}.")
        if noisy:
            lines.append("Not distinguishable from replicate noise at this sample size (mu* "
                         "within its interval of the noise floor; more replicates or trajectories "
                         "would tell): " + ", ".join(f"`{m}`" for m in noisy) + ".")
        if minor:
            lines.append("Screened out (mu* under a tenth of the largest): "
                         + ", ".join(f"`{m}`" for m in minor) + ".")
        lines.append(_noise_words(noise, o))
        words[o.name] = lines
    return words


def rank_swings(results: Results, tornado: pd.DataFrame, noise: pd.DataFrame,
                grids: dict[str, pd.DataFrame] | None = None) -> dict[str, list[str]]:
    words: dict[str, list[str]] = {}
    means = results.means()
    for o in results.outputs:
        rows = tornado[tornado.output == o.name].sort_values("swing", ascending=False)
        lines = []
        y = means[o.name]
        best = y.idxmin() if _lower_better(o) else y.idxmax()
        worst = y.idxmax() if _lower_better(o) else y.idxmin()

        def at(point: int) -> str:
            return ", ".join(f"`{n}` = {results.points.loc[point, n]:.3g}"
                             for n in results.names)
        row = noise[noise.output == o.name].iloc[0]
        error = 1.96 * math.sqrt(row.variance_within_points / results.replicates)
        spread = ("" if math.isnan(error) else
                  f" (each point's mean carries ±{error:.2g} of replicate noise, 95%)")
        lines.append(f"Best {y[best]:.3g} at {at(best)}; worst {y[worst]:.3g} at {at(worst)}"
                     + spread + ".")
        for rank, r in enumerate(rows.itertuples(), 1):
            lines.append(f"{rank}. `{r.parameter}`: from {r.output_at_low:.3g} at "
                         f"{r.low_value:.3g} to {r.output_at_high:.3g} at {r.high_value:.3g} "
                         f"(swing {r.swing:.3g}).")
        grid = (grids or {}).get(o.name)
        if grid is not None and grid.shape[0] > 1 and grid.shape[1] > 1:
            low_rows = grid.iloc[0].to_numpy(dtype=float)
            high_rows = grid.iloc[-1].to_numpy(dtype=float)
            effect_low, effect_high = high_rows[0] - low_rows[0], high_rows[-1] - low_rows[-1]
            lines.append(f"Interaction: moving `{grid.index.name}` from {grid.index[0]:.3g} to "
                         f"{grid.index[-1]:.3g} changes it by {effect_low:+.3g} when "
                         f"`{grid.columns.name or results.names[1]}` = {grid.columns[0]:.3g} and "
                         f"by {effect_high:+.3g} when it is {grid.columns[-1]:.3g}.")
        lines.append(_noise_words(noise, o))
        words[o.name] = lines
    return words


def _noise_words(noise: pd.DataFrame, o: OutputSpec) -> str:
    row = noise[noise.output == o.name].iloc[0]
    if math.isnan(row.noise_share_runs):
        return "Noise: one replicate per point, not separable."
    return (f"Noise: {row.noise_share_runs:.0%} of the run-to-run variance is between replicates "
            f"of the same point; {row.noise_share_means:.0%} of the variance of the replicate "
            f"means analysed here.")


# -- the analysis ---------------------------------------------------------------------------------

@dataclass
class Analysis:
    """What :func:`analyse` computed and wrote."""

    directory: Path
    report: Path
    files: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    rankings: dict[str, list[str]] = field(default_factory=dict)
    discovery: dict[str, Any] | None = None

    def summary(self) -> str:
        lines = []
        for output, words in self.rankings.items():
            lines.append(f"{output}:")
            lines += [f"  {w}" for w in words[:5]]
        if self.discovery:
            lines.append(f"scenario discovery, {self.discovery['outcome']}: "
                         f"{len(self.discovery['boxes'])} box(es)")
        lines += [f"warning: {w}" for w in self.warnings]
        return "\n".join(lines)


def analyse(directory: str | Path, outcome: str | None = None) -> Analysis:
    """Analyse a finished sweep; writes ``DIR/analysis`` (see the module docstring)."""
    results = load_results(directory)
    spec = results.spec
    out = results.directory / "analysis"
    out.mkdir(exist_ok=True)
    report = out / "REPORT.md"
    analysis = Analysis(results.directory, report)
    files = analysis.files
    noise = noise_table(results)
    analysis.tables["noise"] = noise
    files.append(_write_csv(out / "noise.csv", noise))
    sobol = morris = None
    grids: dict[str, pd.DataFrame] = {}
    tornado = tornado_table(results)
    analysis.tables["tornado"] = tornado
    files.append(_write_csv(out / "tornado.csv", tornado))
    if spec.method == "sobol":
        sobol, second = sobol_indices(results)
        analysis.tables["sobol"], analysis.tables["sobol_second_order"] = sobol, second
        files.append(_write_csv(out / "sobol_indices.csv", sobol))
        if not second.empty:
            files.append(_write_csv(out / "sobol_second_order.csv", second))
        for o in results.outputs:
            share = float(noise[noise.output == o.name].noise_share_means.iloc[0])
            files.append(plot_sobol(sobol[sobol.output == o.name], o, results,
                                    out / f"sobol_{o.name}.png",
                                    0.0 if math.isnan(share) else share))
            if not second.empty:
                files.append(plot_sobol_s2(second[second.output == o.name], o, results.names,
                                           out / f"sobol_s2_{o.name}.png"))
        analysis.rankings = rank_sobol(results, sobol, directions(results), noise)
    elif spec.method == "morris":
        morris = morris_indices(results)
        analysis.tables["morris"] = morris
        files.append(_write_csv(out / "morris.csv", morris))
        for o in results.outputs:
            files.append(plot_morris(morris[morris.output == o.name], o, results,
                                     out / f"morris_{o.name}.png",
                                     morris_noise_floor(results, noise, o.name)))
        analysis.rankings = rank_morris(results, morris, noise)
    elif spec.method == "grid":
        grid_files, grids = whatif(results, out)
        files += grid_files
        analysis.rankings = rank_swings(results, tornado, noise, grids)
    else:
        files += one_at_a_time(results, out)
        analysis.rankings = rank_swings(results, tornado, noise)
    for o in results.outputs:
        files.append(plot_tornado(tornado[tornado.output == o.name], o, results,
                                  out / f"tornado_{o.name}.png"))
    analysis.warnings = index_warnings(results, sobol, morris, noise)
    outcome = outcome or (spec.discovery.outcome if spec.discovery else None)
    if outcome:
        found = discover(results, outcome)
        analysis.discovery = found
        columns = ["box", "coverage", "density", "mass", "parameter", "low", "high",
                   "full_low", "full_high", "range_kept", "qp"]
        rows = [{**{k: b[k] for k in columns[:4]}, **{k: r[k] for k in columns[4:]}}
                for b in found["boxes"] for r in b["restrictions"]]
        files.append(_write_csv(out / "prim_boxes.csv", pd.DataFrame(rows, columns=columns)))
        if found["trajectory"] is not None:
            files.append(plot_prim(found["trajectory"], found["outcome"],
                                   out / "prim_tradeoff.png"))
    files.append(_write_text(report, _report_text(results, analysis)))
    files.append(_write_text(out / "analysis.json", json.dumps({
        "warnings": analysis.warnings, "rankings": analysis.rankings,
        "discovery": None if analysis.discovery is None else {
            k: v for k, v in analysis.discovery.items() if k != "trajectory"},
        "files": [str(f.name) for f in files]}, indent=2, default=str)))
    return analysis


def _report_text(results: Results, analysis: Analysis) -> str:
    spec, manifest = results.spec, results.manifest
    method = {"sobol": "Sobol (Saltelli sampling, SALib)", "morris": "Morris elementary effects "
              "(SALib)", "grid": "what-if grid", "oat": "one at a time"}[spec.method]
    lines = [f"# Sweep `{spec.name}`: drivers of each output", ""]
    if spec.description:
        lines += [" ".join(spec.description.split()), ""]
    start = manifest.get("scenario", {})
    origin = (f"scenario `{start.get('scenario')}`" if "scenario" in start
              else f"function `{start.get('function')}`")
    lines += [f"- method: {method}; {manifest['points']} points x {results.replicates} "
              f"replicate(s) = {manifest['runs']} runs; sweep seed {spec.seed}",
              f"- starting from {origin}; cxsim {manifest['cxsim_version']}; sweep file "
              f"`{manifest['sweep_file']}`",
              f"- parameters: {', '.join(f'`{n}`' for n in results.names)}",
              "- indices and charts use the mean over the replicates of each point", ""]
    if analysis.warnings:
        lines += ["## Warnings", ""] + [f"- {w}" for w in analysis.warnings] + [""]
    for o in results.outputs:
        lines += [f"## {_label(o)} (`{o.name}`)", ""]
        lines += analysis.rankings.get(o.name, [])
        stems = {f"{prefix}_{o.name}" for prefix in CHART_PREFIXES} | {
            f"whatif_{o.name}_hexbin"}
        charts = [f.name for f in analysis.files if f.suffix in (".png", ".html")
                  and f.stem in stems]
        if charts:
            lines += ["", "Charts: " + ", ".join(f"[{c}]({c})" for c in charts)]
        lines.append("")
    found = analysis.discovery
    if found is not None:
        lines += [f"## Scenario discovery: {found['outcome']}", "",
                  f"{found['cases']} of {found['runs']} runs ({found['share']:.0%}) meet the "
                  f"outcome. PRIM (EMA Workbench) boxes, each the largest-coverage box on its "
                  f"peeling trajectory with density >= {found['threshold']:.0%}:", ""]
        if found.get("note"):
            lines.append(found["note"] + ".")
        if not found["boxes"] and not found.get("note"):
            lines.append("No box reaches the density threshold: the outcome is not confined to "
                         "a simple region of the parameters"
                         + (" (the densest box PRIM found has density "
                            f"{found['closest']['density']:.0%} at coverage "
                            f"{found['closest']['coverage']:.0%}); lower [discovery] threshold "
                            "to see it." if found.get("closest") else "."))
        for box in found["boxes"]:
            lines.append(f"- box {box['box']}: coverage {box['coverage']:.0%} (of the cases), "
                         f"density {box['density']:.0%} (of the runs in the box are cases), "
                         f"mass {box['mass']:.0%} of all runs; where")
            for r in box["restrictions"]:
                weak = r["qp"] > 0.05 or r["range_kept"] > 0.9
                lines.append(f"  - `{r['parameter']}` from {r['low']:.3g} to {r['high']:.3g} "
                             f"(sampled {r['full_low']:.3g} to {r['full_high']:.3g}; "
                             f"{r['range_kept']:.0%} of the range kept, quasi-p {r['qp']:.2g})"
                             + (": a weak restriction" if weak else ""))
        if found["trajectory"] is not None:
            lines += ["", "Trade-off chart: [prim_tradeoff.png](prim_tradeoff.png)"]
        lines.append("")
    return "\n".join(lines)
