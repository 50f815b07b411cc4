"""The analysis's charts: Sobol bars and pair matrix, Morris mu*-sigma plot, tornado, what-if
heat map, PRIM trade-off.

Outputs are labelled from the metric catalogue (or the sweep file's label), parameters in words
from the parameter schema; figures are drawn without pyplot's global state, so importing this
module leaves the caller's matplotlib backend alone.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from cxsim.experiments.analysis.results import Results, parameter_axis, parameter_label
from cxsim.experiments.analysis.writing import save_figure
from cxsim.experiments.sweep import OutputSpec

BLUE, ORANGE = "#4C72B0", "#DD8452"


def plot_sobol(rows: pd.DataFrame, o: OutputSpec, results: Results, path: Path,
               floor: float = 0.0) -> Path:
    rows = rows.sort_values("ST")
    y = np.arange(len(rows))
    fig = Figure(figsize=(8, 0.42 * len(rows) + 1.6))
    ax = fig.subplots()
    ax.barh(y - 0.2, rows.S1, 0.4, xerr=rows.S1_conf, label="first order S1 (alone)",
            color=BLUE, capsize=2, error_kw={"elinewidth": 0.8})
    ax.barh(y + 0.2, rows.ST, 0.4, xerr=rows.ST_conf, label="total ST (with interactions)",
            color=ORANGE, capsize=2, error_kw={"elinewidth": 0.8})
    ax.set_yticks(y, [parameter_label(p) for p in rows.parameter])
    ax.axvline(0, color="black", lw=0.8)
    if floor >= 0.01:
        ax.axvline(floor, color="grey", ls="--", lw=1,
                   label=f"noise floor of ST ({floor:.0%}: replicate noise)")
    ax.set_xlabel("share of the variance of the replicate means")
    spec = results.spec
    ax.set_title(f"Sobol indices: {results.label(o)}\nN = {spec.n}, {results.replicates} "
                 f"replicate(s) per point, {spec.conf_level:.0%} bootstrap intervals",
                 fontsize=10)
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    return save_figure(fig, path)


def plot_sobol_s2(rows: pd.DataFrame, o: OutputSpec, results: Results, path: Path) -> Path:
    names = results.names
    index = {n: i for i, n in enumerate(names)}
    matrix = np.full((len(names), len(names)), np.nan)
    for r in rows.itertuples():
        matrix[index[r.parameter_1], index[r.parameter_2]] = r.S2
    fig = Figure(figsize=(0.55 * len(names) + 3, 0.5 * len(names) + 2))
    ax = fig.subplots()
    image = ax.imshow(matrix, cmap="viridis", vmin=0)
    labels = [parameter_label(n) for n in names]
    ax.set_xticks(range(len(names)), labels, rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(len(names)), labels, fontsize=8)
    fig.colorbar(image, ax=ax, label="S2")
    ax.set_title(f"Second-order Sobol indices (pair interactions)\n{results.label(o)}",
                 fontsize=10)
    return save_figure(fig, path)


def plot_morris(rows: pd.DataFrame, o: OutputSpec, results: Results, path: Path,
                floor: float = 0.0) -> Path:
    fig = Figure(figsize=(8, 6))
    ax = fig.subplots()
    if floor > 0:
        ax.axvspan(0, floor, color="grey", alpha=0.15, label="mu* of replicate noise alone")
    ax.errorbar(rows.mu_star, rows.sigma, xerr=rows.mu_star_conf, fmt="o", color=BLUE,
                ecolor="#999999", capsize=2)
    top = max(float(rows.mu_star.max()), 1e-12)
    labelled = set(rows.nlargest(8, "mu_star").parameter) | set(rows.nlargest(3, "sigma").parameter)
    for r in rows.itertuples():
        if r.parameter in labelled:
            ax.annotate(parameter_label(r.parameter), (r.mu_star, r.sigma), fontsize=8,
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
    ax.set_title(f"Morris screening: {results.label(o)}\n{results.spec.n} trajectories, "
                 f"{results.replicates} replicate(s) per point", fontsize=10)
    ax.legend(fontsize=8, loc="upper left")
    ax.grid(alpha=0.3)
    return save_figure(fig, path)


def plot_tornado(rows: pd.DataFrame, o: OutputSpec, results: Results, path: Path) -> Path:
    rows = rows.sort_values("swing")
    reference = float(rows.reference.iloc[0])
    y = np.arange(len(rows))
    fig = Figure(figsize=(8, 0.42 * len(rows) + 1.6))
    ax = fig.subplots()
    ax.barh(y + 0.18, rows.output_at_low - reference, 0.36, left=reference, color=BLUE,
            label="parameter low")
    ax.barh(y - 0.18, rows.output_at_high - reference, 0.36, left=reference, color=ORANGE,
            label="parameter high")
    ax.axvline(reference, color="black", lw=0.8)
    ax.set_yticks(y, [f"{parameter_label(r.parameter)}\n[{r.low_value:.3g} .. "
                      f"{r.high_value:.3g}]" for r in rows.itertuples()], fontsize=8)
    how = ("others at their base" if results.spec.method == "oat" else
           "mean over the points at each end (bottom/top fifth, or lowest/highest level)")
    ax.set_xlabel(results.label(o))
    ax.set_title(f"Tornado: {results.label(o)}\n{how}", fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    return save_figure(fig, path)


def plot_heatmap(grid: pd.DataFrame, o: OutputSpec, rows_key: str, cols_key: str,
                 results: Results, path: Path) -> Path:
    fig = Figure(figsize=(0.7 * grid.shape[1] + 3, 0.5 * grid.shape[0] + 2))
    ax = fig.subplots()
    cmap = "RdYlGn_r" if results.lower_better(o) else "RdYlGn"
    image = ax.imshow(grid.to_numpy(dtype=float), cmap=cmap, origin="lower", aspect="auto")
    ax.set_xticks(range(grid.shape[1]), [f"{v:.3g}" for v in grid.columns])
    ax.set_yticks(range(grid.shape[0]), [f"{v:.3g}" for v in grid.index])
    ax.set_xlabel(parameter_axis(cols_key))
    ax.set_ylabel(parameter_axis(rows_key))
    values = grid.to_numpy(dtype=float)
    middle = np.nanmean(values)
    for i in range(grid.shape[0]):
        for j in range(grid.shape[1]):
            ax.text(j, i, f"{values[i, j]:.1f}", ha="center", va="center", fontsize=7,
                    color="black" if abs(values[i, j] - middle) < np.nanstd(values) else "white")
    fig.colorbar(image, ax=ax, label=results.label(o))
    ax.set_title(f"What-if: {results.label(o)}\nmean of {results.replicates} replicate(s) per "
                 "cell", fontsize=10)
    return save_figure(fig, path)


def plot_prim(trajectory: pd.DataFrame, outcome: str, path: Path) -> Path:
    fig = Figure(figsize=(7, 5))
    ax = fig.subplots()
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
    return save_figure(fig, path)
