"""The analysis's charts: Sobol bars and pair matrix, Morris mu*-sigma plot, tornado, what-if
heat maps, PRIM trade-off.

Every chart is drawn inside :func:`cxsim.experiments.style.styled` with the style's colours
(value maps: cividis, brighter = better). Outputs are labelled from the metric catalogue (or the
sweep file's label), parameters in words from the parameter schema. Each ``*_figure`` function
returns the Figure (tests read its texts), each ``plot_*`` saves it. Figures are drawn without
pyplot's global state, so importing this module leaves the caller's matplotlib backend alone.
"""

from __future__ import annotations

import itertools
import math
import textwrap
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import Colormap, Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text

from cxsim.experiments import style
from cxsim.experiments.analysis.results import Results, parameter_axis, parameter_label
from cxsim.experiments.analysis.statistics import too_wide_to_rank
from cxsim.experiments.analysis.writing import save_figure
from cxsim.experiments.style import ink
from cxsim.experiments.sweep import OutputSpec

LOW_COLOUR, HIGH_COLOUR = style.SERIES[0], style.SERIES[4]     # blue and orange stay apart
# a Sobol index lies in [0, 1]; the axis shows a little either side, where sampling error puts
# estimates, and marks intervals that run further
AXIS_LOW, AXIS_HIGH = -0.1, 1.1


def decimals(values: np.ndarray) -> int:
    """Decimals that show three significant digits of the largest value (0 to 2)."""
    finite = np.abs(values[np.isfinite(values)])
    top = float(finite.max()) if finite.size else 0.0
    return 2 if top < 1 else max(0, min(2, 2 - math.floor(math.log10(top))))


def level_text(value: float) -> str:
    """A parameter level for a tick or a header: three significant digits, float noise such as
    -4.4e-16 shown as 0."""
    return f"{round(float(value), 10) + 0.0:.3g}"


def value_map(results: Results, o: OutputSpec) -> tuple[Colormap, str]:
    """The map of an output's values (brighter = better) and the words for its colour bar."""
    better = results.better(o)
    words = f"brighter = better ({better})" if better else "brighter = higher"
    return colormaps[style.better_cmap(better == "lower")], words


# -- Sobol ---------------------------------------------------------------------------------------

def _interval(ax: Axes, y: np.ndarray, low: np.ndarray, high: np.ndarray,
              limits: tuple[float, float]) -> bool:
    """Intervals as lines, capped inside the axis, an arrow head where they run past it; True
    when one does."""
    lo, hi = limits
    ax.hlines(y, np.clip(low, lo, hi), np.clip(high, lo, hi), color=style.TARGET, lw=0.9,
              zorder=3)
    past = False
    for end, beyond, edge, marker in ((low, low < lo, lo, "<"), (high, high > hi, hi, ">")):
        ax.plot(end[~beyond], y[~beyond], "|", color=style.TARGET, ms=5, zorder=3)
        if beyond.any():
            past = True
            ax.plot(np.full(int(beyond.sum()), edge), y[beyond], marker, color=style.WARNING,
                    ms=6, clip_on=False, zorder=4)
    return past


def sobol_figure(rows: pd.DataFrame, o: OutputSpec, results: Results,
                 floor: float = 0.0) -> Figure:
    """S1 and ST bars with their intervals on an axis around [0, 1]; a warning on the chart when
    the intervals are too wide to rank (:func:`too_wide_to_rank`)."""
    rows = rows.sort_values("ST")
    y = np.arange(len(rows), dtype=float)
    series = [(y + 0.2, rows.S1.to_numpy(float), rows.S1_conf.to_numpy(float), LOW_COLOUR,
               "first order S1 (alone)"),
              (y - 0.2, rows.ST.to_numpy(float), rows.ST_conf.to_numpy(float), HIGH_COLOUR,
               "total ST (with interactions)")]
    ends = np.concatenate([np.concatenate([v - c, v + c]) for _, v, c, _, _ in series])
    ends = ends[np.isfinite(ends)]
    lo = max(AXIS_LOW, min(0.0, float(ends.min(initial=0.0))) - 0.02)
    hi = min(AXIS_HIGH, max(0.25, float(ends.max(initial=0.0)) + 0.03))
    wide = too_wide_to_rank(rows)
    spec = results.spec
    fig = Figure(figsize=(9.5, 0.42 * len(rows) + 2.2))
    ax = fig.subplots()
    past = False
    for at, values, conf, colour, label in series:
        ax.barh(at, np.clip(values, lo, hi), 0.4, color=colour, label=label,
                alpha=0.45 if wide else 1.0, zorder=2)
        past |= _interval(ax, at, values - conf, values + conf, (lo, hi))
    ax.set_yticks(y, [parameter_label(p) for p in rows.parameter])
    ax.set_xlim(lo, hi)
    ax.axvline(0, color=style.TARGET, lw=0.8)
    handles: list[object] = []
    if lo < 0 or hi > 1:
        for a, b in ((lo, 0.0), (1.0, hi)):
            if b > a:
                ax.axvspan(a, b, color=style.NEUTRAL, alpha=0.25, lw=0, zorder=0)
        handles.append(Patch(color=style.NEUTRAL, alpha=0.25,
                             label="outside 0 to 1: only by sampling error"))
    if floor >= 0.01:
        ax.axvline(floor, color=style.BASELINE, ls="--", lw=1,
                   label=f"noise floor of ST ({floor:.0%}: replicate noise)")
    if past:
        handles.append(Line2D([], [], marker=">", ls="", color=style.WARNING,
                              label="interval runs past the axis"))
    ax.set_xlabel("share of the variance of the replicate means (an index lies in 0 to 1)")
    ax.grid(axis="y", visible=False)
    title = (f"Sobol indices: {results.label(o)}\nN = {spec.n}, {results.replicates} "
             f"replicate(s) per point, {spec.conf_level:.0%} bootstrap intervals")
    if wide:
        warning = textwrap.fill(f"Warning: at N = {spec.n} {wide}. Do not rank them by these "
                                "bars; rerun with a larger n.", 95)
        ax.text(0.5, 1.015, warning, transform=ax.transAxes, ha="center", va="bottom",
                color=style.WARNING, fontweight="bold", fontsize=9)
        ax.set_title(title, pad=14 + 12 * (warning.count("\n") + 1))
    else:
        ax.set_title(title)
    ax.legend(handles=[*ax.get_legend_handles_labels()[0], *handles], loc="upper left",
              bbox_to_anchor=(1.01, 1.0), fontsize=8.5)
    return fig


def plot_sobol(rows: pd.DataFrame, o: OutputSpec, results: Results, path: Path,
               floor: float = 0.0) -> Path:
    with style.styled():
        return save_figure(sobol_figure(rows, o, results, floor), path)


def plot_sobol_s2(rows: pd.DataFrame, o: OutputSpec, results: Results, path: Path) -> Path:
    with style.styled():
        names = results.names
        index = {n: i for i, n in enumerate(names)}
        matrix = np.full((len(names), len(names)), np.nan)
        for r in rows.itertuples():
            matrix[index[r.parameter_1], index[r.parameter_2]] = r.S2
        fig = Figure(figsize=(0.55 * len(names) + 3, 0.5 * len(names) + 2))
        ax = fig.subplots()
        image = ax.imshow(matrix, cmap=style.SEQUENTIAL, vmin=0)
        labels = [parameter_label(n) for n in names]
        ax.set_xticks(range(len(names)), labels, rotation=60, ha="right", fontsize=8)
        ax.set_yticks(range(len(names)), labels, fontsize=8)
        ax.grid(False)
        fig.colorbar(image, ax=ax, label="S2 (share of the variance; brighter = larger)")
        ax.set_title(f"Second-order Sobol indices (pair interactions)\n{results.label(o)}")
        return save_figure(fig, path)


# -- Morris --------------------------------------------------------------------------------------

def place_labels(ax: Axes, xs: Sequence[float], ys: Sequence[float], texts: Sequence[str],
                 fontsize: float = 8, iterations: int = 500) -> list[Text]:
    """Label every point, the labels pushed apart (and off the markers) until none overlap; a
    thin leader line joins a label moved far from its point."""
    canvas = ax.figure.canvas if isinstance(ax.figure.canvas, FigureCanvasAgg) else \
        FigureCanvasAgg(ax.figure)
    renderer = canvas.get_renderer()
    points = ax.transData.transform(np.column_stack([xs, ys]))
    # a light backing keeps a number readable where it sits on an error bar
    backing = {"boxstyle": "square,pad=0.05", "facecolor": "white", "edgecolor": "none",
               "alpha": 0.8}
    labels = [ax.text(0, 0, t, fontsize=fontsize, ha="left", va="bottom", color=style.TARGET,
                      zorder=5, bbox=backing) for t in texts]
    pad = 1.5
    size = np.array([[e.width + 2 * pad, e.height + 2 * pad]
                     for e in (t.get_window_extent(renderer) for t in labels)])
    box = points + np.array([4.0, 3.0])             # lower-left corners, in pixels
    frame = ax.get_window_extent(renderer)
    marker = 5.0
    n = len(labels)
    for step in range(iterations):
        moved = False
        for i in range(n):
            for j in range(n):
                others = [(box[j], size[j], True)] if j > i else []
                # every label also keeps off every marker (a small square around the point)
                others.append((points[j] - marker, np.array([2 * marker, 2 * marker]), False))
                for corner, extent, label in others:
                    dx = min(box[i][0] + size[i][0], corner[0] + extent[0]) - max(box[i][0],
                                                                                  corner[0])
                    dy = min(box[i][1] + size[i][1], corner[1] + extent[1]) - max(box[i][1],
                                                                                  corner[1])
                    if dx <= 0 or dy <= 0:
                        continue
                    moved = True
                    centre_i = box[i] + size[i] / 2
                    centre_j = corner + extent / 2
                    axis = 0 if dx < dy else 1
                    sign = 1.0 if centre_i[axis] > centre_j[axis] or (
                        centre_i[axis] == centre_j[axis] and (i + step) % 2) else -1.0
                    shift = (dx if axis == 0 else dy) / 2 + 0.5
                    box[i][axis] += sign * shift
                    if label:
                        box[j][axis] -= sign * shift
            # inside the frame, clear of its spines
            box[i] = np.clip(box[i], [frame.x0 + 3, frame.y0 + 3],
                             [frame.x1 - size[i][0] - 3, frame.y1 - size[i][1] - 3])
        if not moved:
            break
    inverse = ax.transData.inverted()
    for t, corner, extent, point in zip(labels, box, size, points, strict=True):
        t.set_position(inverse.transform(corner + pad))
        nearest = np.clip(point, corner, corner + extent)
        if np.hypot(*(nearest - point)) > 9:
            a, b = inverse.transform(point), inverse.transform(nearest)
            ax.plot([a[0], b[0]], [a[1], b[1]], color=style.BASELINE, lw=0.6, zorder=4)
    return labels


def morris_figure(rows: pd.DataFrame, o: OutputSpec, results: Results,
                  floor: float = 0.0) -> Figure:
    """mu* against sigma, every point numbered (largest mu* first), the numbers' key beside."""
    rows = rows.sort_values("mu_star", ascending=False).reset_index(drop=True)
    fig = Figure(figsize=(12, max(6.0, 0.2 * len(rows) + 1.5)))
    FigureCanvasAgg(fig)
    ax, key = fig.subplots(1, 2, gridspec_kw={"width_ratios": [2.3, 1]})
    if floor > 0:
        ax.axvspan(0, floor, color=style.NEUTRAL, alpha=0.25, lw=0,
                   label="mu* of replicate noise alone")
    ax.errorbar(rows.mu_star, rows.sigma, xerr=rows.mu_star_conf, fmt="o", ms=5,
                color=style.SCENARIO, ecolor=style.NEUTRAL, capsize=2, zorder=3)
    top = max(float(rows.mu_star.max()), 1e-12)
    limit = max(float((rows.mu_star + rows.mu_star_conf).max()), float(rows.sigma.max()),
                top) * 1.1
    for ratio, line in ((0.1, ":"), (0.5, "--"), (1.0, "-.")):
        ax.plot([0, limit], [0, ratio * limit], line, color=style.BASELINE, lw=0.8,
                label=f"sigma / mu* = {ratio}")
    ax.set_xlim(0, limit)
    ax.set_ylim(0, limit)
    ax.set_xlabel("mu* (mean absolute elementary effect)")
    ax.set_ylabel("sigma (spread: non-linearity or interactions)")
    ax.set_title(f"Morris screening: {results.label(o)}\n{results.spec.n} trajectories, "
                 f"{results.replicates} replicate(s) per point")
    ax.legend(fontsize=8, loc="upper left")
    place_labels(ax, rows.mu_star, rows.sigma, [str(i + 1) for i in range(len(rows))])
    key.axis("off")
    key.set_title("Points, by mu* (largest first)", loc="left")
    step = min(0.045, 0.97 / max(len(rows), 1))
    for i, r in enumerate(rows.itertuples()):
        key.text(0.0, 0.97 - i * step, f"{i + 1:>2}", fontsize=8, ha="right", va="top",
                 transform=key.transAxes, fontweight="bold", color=style.TARGET)
        key.text(0.04, 0.97 - i * step, f"{parameter_label(r.parameter)}  (mu* {r.mu_star:.3g})",
                 fontsize=8, ha="left", va="top", transform=key.transAxes, color=style.TARGET)
    return fig


def plot_morris(rows: pd.DataFrame, o: OutputSpec, results: Results, path: Path,
                floor: float = 0.0) -> Path:
    with style.styled():
        return save_figure(morris_figure(rows, o, results, floor), path)


# -- tornado -------------------------------------------------------------------------------------

def plot_tornado(rows: pd.DataFrame, o: OutputSpec, results: Results, path: Path) -> Path:
    with style.styled():
        rows = rows.sort_values("swing")
        reference = float(rows.reference.iloc[0])
        y = np.arange(len(rows))
        fig = Figure(figsize=(8, 0.42 * len(rows) + 1.6))
        ax = fig.subplots()
        ax.barh(y + 0.18, rows.output_at_low - reference, 0.36, left=reference,
                color=LOW_COLOUR, label="parameter low")
        ax.barh(y - 0.18, rows.output_at_high - reference, 0.36, left=reference,
                color=HIGH_COLOUR, label="parameter high")
        ax.axvline(reference, color=style.TARGET, lw=0.8)
        ax.set_yticks(y, [f"{parameter_label(r.parameter)}\n[{r.low_value:.3g} .. "
                          f"{r.high_value:.3g}]" for r in rows.itertuples()], fontsize=8)
        how = ("others at their base" if results.spec.method == "oat" else
               "mean over the points at each end (bottom/top fifth, or lowest/highest level)")
        ax.set_xlabel(results.label(o))
        ax.set_title(f"Tornado: {results.label(o)}\n{how}")
        ax.grid(axis="y", visible=False)
        ax.legend(fontsize=8)
        return save_figure(fig, path)


# -- what-if grids -------------------------------------------------------------------------------

def _level_ticks(ax: Axes, grid: pd.DataFrame) -> None:
    """Every level as a tick (every other one past 12), as numbers, not keys."""
    for setter, values in ((ax.set_xticks, grid.columns), (ax.set_yticks, grid.index)):
        every = 1 if len(values) <= 12 else 2
        at = list(range(0, len(values), every))
        setter(at, [level_text(values[i]) for i in at])


def heatmap_figure(grid: pd.DataFrame, o: OutputSpec, rows_key: str, cols_key: str,
                   results: Results, others: int = 0) -> Figure:
    """The what-if grid: rows (``rows_key``) upwards, columns (``cols_key``) rightwards, each
    cell's mean in text that reads on its colour; ``others`` parameters are averaged over."""
    values = grid.to_numpy(dtype=float)
    cmap, words = value_map(results, o)
    norm = Normalize(float(np.nanmin(values)), float(np.nanmax(values)))
    fig = Figure(figsize=(0.7 * grid.shape[1] + 3.4, 0.5 * grid.shape[0] + 2.2))
    ax = fig.subplots()
    image = ax.imshow(values, cmap=cmap, norm=norm, origin="lower", aspect="auto")
    _level_ticks(ax, grid)
    ax.set_xlabel(parameter_axis(cols_key))
    ax.set_ylabel(parameter_axis(rows_key))
    ax.grid(False)
    places = decimals(values)
    if grid.shape[0] * grid.shape[1] <= 400:
        for i, j in itertools.product(range(grid.shape[0]), range(grid.shape[1])):
            if np.isfinite(values[i, j]):
                ax.text(j, i, f"{values[i, j]:.{places}f}", ha="center", va="center",
                        fontsize=7, color=ink(cmap(norm(values[i, j]))))
    fig.colorbar(image, ax=ax, label=f"{results.label(o)}\n{words}")
    over = (f"mean over the other {others} parameter(s)' levels and " if others else
            "mean of ")
    ax.set_title(f"What-if: {results.label(o)}\n{over}{results.replicates} replicate(s) per "
                 "cell")
    return fig


def plot_heatmap(grid: pd.DataFrame, o: OutputSpec, rows_key: str, cols_key: str,
                 results: Results, path: Path, others: int = 0) -> Path:
    with style.styled():
        return save_figure(heatmap_figure(grid, o, rows_key, cols_key, results, others), path)


def pairs_figure(grids: dict[tuple[str, str], pd.DataFrame], o: OutputSpec,
                 results: Results) -> Figure:
    """One small heat map per pair of grid parameters (rows upwards, columns rightwards, as the
    main heat map), each the mean over the other parameters; one colour bar for all."""
    cmap, words = value_map(results, o)
    every = np.concatenate([g.to_numpy(dtype=float).ravel() for g in grids.values()])
    norm = Normalize(float(np.nanmin(every)), float(np.nanmax(every)))
    columns = min(3, len(grids))
    lines = math.ceil(len(grids) / columns)
    fig = Figure(figsize=(4.2 * columns + 1.2, 3.6 * lines + 0.8), layout="constrained")
    axes = np.atleast_1d(fig.subplots(lines, columns, squeeze=False)).ravel()
    image = None
    for ax, ((rows_key, cols_key), grid) in zip(axes, grids.items(), strict=False):
        image = ax.imshow(grid.to_numpy(dtype=float), cmap=cmap, norm=norm, origin="lower",
                          aspect="auto")
        _level_ticks(ax, grid)
        ax.set_xlabel(parameter_label(cols_key), fontsize=8.5)
        ax.set_ylabel(parameter_label(rows_key), fontsize=8.5)
        ax.grid(False)
    for ax in axes[len(grids):]:
        ax.axis("off")
    if image is not None:
        fig.colorbar(image, ax=list(axes[:len(grids)]), label=f"{results.label(o)}\n{words}")
    fig.suptitle(f"What-if, every pair of parameters: {results.label(o)}\neach panel the mean "
                 "over the other parameters' levels")
    return fig


def plot_pairs(grids: dict[tuple[str, str], pd.DataFrame], o: OutputSpec, results: Results,
               path: Path) -> Path:
    with style.styled():
        return save_figure(pairs_figure(grids, o, results), path)


# -- PRIM ----------------------------------------------------------------------------------------

def plot_prim(trajectory: pd.DataFrame, outcome: str, path: Path) -> Path:
    with style.styled():
        fig = Figure(figsize=(7, 5))
        ax = fig.subplots()
        points = ax.scatter(trajectory.coverage, trajectory.density, c=trajectory.res_dim,
                            cmap=style.SEQUENTIAL, s=22, zorder=3)
        chosen = trajectory[trajectory.selected]
        ax.scatter(chosen.coverage, chosen.density, s=140, facecolors="none",
                   edgecolors=style.WARNING, linewidths=1.6, label="reported box", zorder=4)
        fig.colorbar(points, ax=ax, label="restricted dimensions",
                     ticks=sorted(int(v) for v in trajectory.res_dim.unique()))
        ax.set_xlabel("coverage (share of the cases of interest inside the box)")
        ax.set_ylabel("density (share of the box's runs that are cases)")
        ax.set_xlim(0, 1.02)
        ax.set_ylim(0, 1.02)
        ax.set_title(f"PRIM peeling trajectory, first box: {outcome}")
        ax.legend(fontsize=8)
        return save_figure(fig, path)
