"""What-if grids and one-at-a-time sweeps: heat maps, the ``sensitivity`` package's styled
tables and hex-bin plots, and the swings of each parameter in words."""

from __future__ import annotations

import html
import math
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from cxsim.experiments.analysis.charts import plot_heatmap
from cxsim.experiments.analysis.results import Results, parameter_label
from cxsim.experiments.analysis.statistics import noise_words, oat_group
from cxsim.experiments.analysis.writing import save_figure, write_csv, write_page


def _key(values: Any) -> tuple[float, ...]:
    return tuple(round(float(v), 10) for v in values)


def _analyzer(values: dict[str, list[float]], lookup: dict[tuple[float, ...], float],
              result: str, lower_better: bool) -> Any:
    """A SensitivityAnalyzer over stored means (``values`` keyed by the parameters' labels)."""
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
            return SensitivityAnalyzer(values, mean_at, result_name=result,
                                       reverse_colors=lower_better, num_fmt="{:.2f}",
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
    title = html.escape(title)
    parts = [f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>",
             f"<h1>{title}</h1>"]
    for pair, styler in items:
        if pair:
            parts.append(f"<h2>{html.escape(' x '.join(pair))}</h2>")
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
        label = results.label(o)
        lookup = {_key(row[:len(names)]): float(row[-1])
                  for row in table[[*names, o.name]].itertuples(index=False)}
        if len(names) >= 2:
            rows_key, cols_key = names[0], names[1]
            grid = table.groupby([rows_key, cols_key])[o.name].mean().unstack(cols_key)
            grids[o.name] = grid
            files.append(write_csv(out / f"whatif_{o.name}.csv",
                                   grid.reset_index().rename(columns=str)))
            files.append(plot_heatmap(grid, o, rows_key, cols_key, results,
                                      out / f"whatif_{o.name}.png"))
        analyzer = _analyzer({parameter_label(n): levels[n] for n in names}, lookup, label,
                             results.lower_better(o))
        styled = analyzer.styled_dfs(disp=False, agg_func=_frame_mean(label))
        files.append(write_page(out / f"whatif_{o.name}.html",
                                _styled_html(styled, f"What-if: {label}")))
        if len(names) >= 2:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fig = analyzer.plot()
            fig.suptitle(f"{label}: hex bins of the grid (sensitivity package)", x=0.02,
                         y=1.02, ha="left", fontsize=11)
            files.append(save_figure(fig, out / f"whatif_{o.name}_hexbin.png"))
    return files, grids


def one_at_a_time(results: Results, out: Path) -> list[Path]:
    """One-at-a-time sweeps: a styled table per parameter and output (sensitivity package)."""
    files = []
    means = results.means()
    group = oat_group(results)
    for o in results.outputs:
        label = results.label(o)
        tables = {}
        for j, name in enumerate(results.names):
            mask = group == j
            values = results.points.loc[mask, name].astype(float)
            lookup = {_key([v]): float(m) for v, m in zip(values, means.loc[mask, o.name],
                                                           strict=True)}
            analyzer = _analyzer({parameter_label(name): sorted(v[0] for v in lookup)}, lookup,
                                 label, results.lower_better(o))
            tables[(parameter_label(name),)] = analyzer.styled_dfs(disp=False)
        files.append(write_page(out / f"oat_{o.name}.html",
                                _styled_html(tables, f"One at a time: {label}")))
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
