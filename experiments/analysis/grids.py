"""What-if grids and one-at-a-time sweeps: heat maps, HTML tables, and the swings of each
parameter in words. The grids are evaluated by the ``sensitivity`` package
(:func:`sensitivity_grid`); the tables and charts are drawn here, in the project's style.

The HTML tables are laid out as the heat maps are (the row parameter's highest level at the
top), their numbers formatted for reading, and coloured cells carry black or white text,
whichever contrasts more with the cell (cividis, brighter = better, as the charts).
"""

from __future__ import annotations

import html
import itertools
import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.colors import Normalize, to_hex

from cxsim.experiments.analysis.charts import (
    decimals,
    level_text,
    plot_heatmap,
    plot_pairs,
    value_map,
)
from cxsim.experiments.analysis.results import Results, parameter_axis, parameter_label
from cxsim.experiments.analysis.statistics import noise_words, oat_group
from cxsim.experiments.analysis.writing import write_csv, write_page
from cxsim.experiments.style import ink
from cxsim.experiments.sweep import OutputSpec

PAGE_STYLE = """body { font-family: sans-serif; margin: 1.5em; color: #000; background: #fff; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { padding: 0.25em 0.6em; text-align: right; font-variant-numeric: tabular-nums; }
th { font-weight: 600; } td { border: 1px solid #fff; }
caption { text-align: left; padding-bottom: 0.4em; }"""


def _page(title: str, body: list[str]) -> str:
    title = html.escape(title)
    return "\n".join(["<!DOCTYPE html>", "<html lang='en'><head><meta charset='utf-8'>",
                      f"<title>{title}</title><style>{PAGE_STYLE}</style></head><body>",
                      f"<h1>{title}</h1>", *body, "</body></html>"])


def grid_table_html(grid: pd.DataFrame, o: OutputSpec, results: Results) -> str:
    """One what-if grid as an HTML table: the row parameter's levels downwards from the highest
    (as the heat map, whose rows rise), the column parameter's across."""
    values = grid.to_numpy(dtype=float)
    cmap, words = value_map(results, o)
    norm = Normalize(float(np.nanmin(values)), float(np.nanmax(values)))
    places = decimals(values)
    rows_key, cols_key = str(grid.index.name), str(grid.columns.name)
    head = "".join(f"<th scope='col'>{level_text(c)}</th>" for c in grid.columns)
    caption = (f"{results.label(o)}, by {parameter_axis(rows_key)} (rows, highest at the top) "
               f"and {parameter_axis(cols_key)} (columns); cell colour: {words}")
    lines = ["<table>", f"<caption>{html.escape(caption)}</caption>",
             f"<tr><td></td><th scope='colgroup' colspan='{grid.shape[1]}' "
             f"style='text-align:center'>{html.escape(parameter_axis(cols_key))}</th></tr>",
             f"<tr><th scope='col'>{html.escape(parameter_label(rows_key))}</th>{head}</tr>"]
    for i in reversed(range(grid.shape[0])):
        cells = []
        for j in range(grid.shape[1]):
            v = values[i, j]
            if not np.isfinite(v):
                cells.append("<td></td>")
                continue
            colour = cmap(norm(v))
            cells.append(f"<td style='background:{to_hex(colour)};color:{to_hex(ink(colour))}'>"
                         f"{v:.{places}f}</td>")
        lines.append(f"<tr><th scope='row'>{level_text(grid.index[i])}</th>{''.join(cells)}</tr>")
    lines.append("</table>")
    return "\n".join(lines)


def _levels_table(key: str, means: pd.Series, label: str, base: float | None = None,
                  places: int | None = None) -> str:
    """One parameter's levels (``means``' index, rising) and the output at each; with ``base``,
    the change from it."""
    means = means.sort_index()
    places = decimals(means.to_numpy(dtype=float)) if places is None else places
    head = f"<th scope='col'>{html.escape(parameter_label(key))}</th>" \
           f"<th scope='col'>{html.escape(label)}</th>"
    if base is not None:
        head += "<th scope='col'>change from the base</th>"
    rows = []
    for level, mean in means.items():
        change = "" if base is None else f"<td>{mean - base:+.{places}f}</td>"
        rows.append(f"<tr><th scope='row'>{level_text(level)}</th><td>{mean:.{places}f}</td>"
                    f"{change}</tr>")
    return (f"<table><caption>{html.escape(parameter_axis(key))}</caption><tr>{head}</tr>"
            + "".join(rows) + "</table>")


def _key(values: tuple[float, ...]) -> tuple[float, ...]:
    return tuple(round(float(v), 10) for v in values)


def sensitivity_grid(means: pd.Series, rows: str, columns: str, output: str) -> pd.DataFrame:
    """The what-if grid of stored ``means`` (indexed by the levels of ``rows`` and ``columns``)
    as the ``sensitivity`` package evaluates it: its SensitivityAnalyzer runs through every
    combination of the two parameters' levels and looks each one up (NaN where the sweep has no
    such point); rows and columns rise with the levels."""
    import sensitivity.df
    from sensitivity import SensitivityAnalyzer

    levels = {name: sorted(float(v) for v in means.index.get_level_values(name).unique())
              for name in (rows, columns)}
    lookup = {_key(point): float(value) for point, value in means.items()}

    def mean_at(**point: float) -> float:
        return lookup.get(_key((point[rows], point[columns])), math.nan)

    # the package shows a tqdm bar while it evaluates; here it only looks up stored means
    bar = sensitivity.df.tqdm
    sensitivity.df.tqdm = lambda iterable, **kwargs: iterable
    try:
        with warnings.catch_warnings():   # the package's own use of pandas' deprecated API
            warnings.simplefilter("ignore")
            analyzer = SensitivityAnalyzer(levels, mean_at, result_name=output,
                                           grid_size=max(len(v) for v in levels.values()))
    finally:
        sensitivity.df.tqdm = bar
    grid = analyzer.df.pivot(index=rows, columns=columns, values=output).sort_index()
    return grid.reindex(columns=sorted(grid.columns))


def pair_grids(table: pd.DataFrame, names: list[str], output: str
               ) -> dict[tuple[str, str], pd.DataFrame]:
    """The mean of ``output`` over every pair of parameters (rows, columns), averaged over the
    others, in the order of the sweep file (:func:`sensitivity_grid`)."""
    return {(a, b): sensitivity_grid(table.groupby([a, b])[output].mean(), a, b, output)
            for a, b in itertools.combinations(names, 2)}


def whatif(results: Results, out: Path) -> tuple[list[Path], dict[str, pd.DataFrame]]:
    """Grid sweeps: a heat map, a CSV and an HTML table of each output (of its first two
    parameters; with three or more, also one panel and one table per pair)."""
    files: list[Path] = []
    grids: dict[str, pd.DataFrame] = {}
    names = results.names
    table = results.points[names].astype(float).join(results.means())
    for o in results.outputs:
        label = results.label(o)
        if len(names) < 2:
            means = table.groupby(names[0])[o.name].mean()
            files.append(write_page(out / f"whatif_{o.name}.html", _page(
                f"What-if: {label}", [_levels_table(names[0], means, label)])))
            continue
        pairs = pair_grids(table, names, o.name)
        rows_key, cols_key = names[0], names[1]
        grid = pairs[(rows_key, cols_key)]
        grids[o.name] = grid
        files.append(write_csv(out / f"whatif_{o.name}.csv",
                               grid.reset_index().rename(columns=str)))
        files.append(plot_heatmap(grid, o, rows_key, cols_key, results,
                                  out / f"whatif_{o.name}.png", others=len(names) - 2))
        files.append(write_page(out / f"whatif_{o.name}.html", _page(
            f"What-if: {label}", [grid_table_html(g, o, results) for g in pairs.values()])))
        if len(pairs) > 1:
            files.append(plot_pairs(pairs, o, results, out / f"whatif_{o.name}_pairs.png"))
    return files, grids


def one_at_a_time(results: Results, out: Path) -> list[Path]:
    """One-at-a-time sweeps: per output, a table per parameter of the output at each level, the
    others at their base."""
    files = []
    means = results.means()
    group = oat_group(results)
    for o in results.outputs:
        label = results.label(o)
        y = means[o.name]
        places = decimals(y.to_numpy(dtype=float))
        base = float(y[group == -1].mean())
        body = [f"<p>Every other parameter at its base: {html.escape(label)} = "
                f"{base:.{places}f}.</p>"]
        for j, name in enumerate(results.names):
            mask = group == j
            values = results.points.loc[mask, name].astype(float).to_numpy()
            body.append(_levels_table(name, pd.Series(y[mask].to_numpy(), index=values), label,
                                      base, places))
        files.append(write_page(out / f"oat_{o.name}.html", _page(f"One at a time: {label}",
                                                                  body)))
    return files


def rank_swings(results: Results, tornado: pd.DataFrame, noise: pd.DataFrame,
                grids: dict[str, pd.DataFrame] | None = None) -> dict[str, list[str]]:
    """Per output: the best and worst point, each parameter's swing from its low to its high
    end, a grid's interaction, and the noise."""
    words: dict[str, list[str]] = {}
    means = results.means()
    for o in results.outputs:
        rows = tornado[tornado.output == o.name].sort_values("swing", ascending=False)
        lines = []
        y = means[o.name]
        lower = results.lower_better(o)
        best = y.idxmin() if lower else y.idxmax()
        worst = y.idxmax() if lower else y.idxmin()

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
        lines.append(noise_words(noise, o))
        words[o.name] = lines
    return words
