"""The board pack's charts, drawn from a :class:`~.content.Pack` and the monthly table as PNG.

Lines are the headline figure of the replicates (``statistics.headline``, the mean); bands are the
middle 50% and 90% of the simulated years; targets, units and red/amber/green colours come from
the metric catalogue. Value axes stay within each metric's scale (``Metric.bounds``) and never
zoom in to less than a fifth of it, so chance wiggles do not look like trends.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Callable, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D

from cxsim.experiments import style
from cxsim.experiments.report.content import (
    AVERAGE,
    FAN_PANELS,
    HEADLINE,
    LEVEL_NAMES,
    WARNINGS,
    Pack,
    at_month,
    label,
    monthly_figures,
)
from cxsim.experiments.statistics import headline

SCENARIO_COLOUR, BASELINE_COLOUR = style.SCENARIO, style.BASELINE
WARNING_COLOUR = style.WARNING


def png(fig: plt.Figure, dpi: int = 150) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    plt.close(fig)
    return buffer.getvalue()


def _month_axis(ax: plt.Axes, last: int) -> None:
    style.month_axis(ax, last, "Month (0 = start)")


def chart_headline(monthly: pd.DataFrame, pack: Pack) -> bytes:
    """Month-12 outcomes: each dot one simulated year; bar and number: the average."""
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.1))
    rng = np.random.default_rng(0)
    names = [(pack.against, BASELINE_COLOUR, 0), (pack.scenario, SCENARIO_COLOUR, 1)]
    for ax, m in zip(axes, HEADLINE, strict=True):
        for sc, colour, y in names:
            values = at_month(monthly, sc.name, pack.month, m.name)
            jitter = y + rng.uniform(-0.13, 0.13, values.size)
            ax.scatter(values, jitter, s=16, color=colour, alpha=0.55, linewidth=0)
            figure = headline(values)
            ax.plot([figure, figure], [y - 0.3, y + 0.3], color=colour, linewidth=3)
            ax.annotate(m.fmt(figure), (figure, y + 0.32), ha="center", va="bottom",
                        fontsize=9, color=colour, fontweight="bold")
        ax.set_yticks([0, 1], [label(pack.against), label(pack.scenario)])
        ax.set_ylim(-0.5, 1.75)
        ax.set_xlabel(m.unit)
        ax.set_title(textwrap.fill(m.plain_label, 34), fontsize=10)
        ax.grid(alpha=0.3, axis="x")
    fig.suptitle(f"Month {pack.month}: each dot is one simulated year; the bar and number are "
                 f"the {AVERAGE}", fontsize=10)
    fig.tight_layout()
    return png(fig)


def _band(frame: pd.DataFrame, column: str, low: float, high: float) -> pd.DataFrame:
    grouped = frame.groupby("month")[column]
    return pd.DataFrame({"low": grouped.quantile(low), "high": grouped.quantile(high)})


def fan_series(monthly: pd.DataFrame, name: str, column: str) -> pd.DataFrame:
    """Month by month for scenario ``name``: the average line and the 50% and 90% bands of
    ``column`` across simulated years (columns average, p5, p25, p75, p95): the numbers of the
    fan charts, drawn here and as native PowerPoint charts."""
    frame = monthly[monthly["scenario"] == name]
    outer, inner = _band(frame, column, 0.05, 0.95), _band(frame, column, 0.25, 0.75)
    return pd.DataFrame({"average": monthly_figures(monthly, name, [column])[column],
                         "p5": outer["low"], "p25": inner["low"], "p75": inner["high"],
                         "p95": outer["high"]})


def chart_fans(monthly: pd.DataFrame, pack: Pack) -> bytes:
    """Fan charts, scenario against baseline: the average, 50% and 90% of runs, targets dashed."""
    fig, axes = plt.subplots(2, 3, figsize=(13, 6.6))
    last = int(monthly["month"].max())
    for ax, m in zip(axes.flat, FAN_PANELS, strict=True):
        seen: list[float] = []
        for sc, colour in ((pack.against, BASELINE_COLOUR), (pack.scenario, SCENARIO_COLOUR)):
            fan = fan_series(monthly, sc.name, m.name)
            style.fan(ax, fan.index, fan["average"], (fan["p25"], fan["p75"]),
                      (fan["p5"], fan["p95"]), colour)
            seen += [float(fan["p5"].min()), float(fan["p95"].max())]
        if style.target_line(ax, m):
            seen.append(float(m.target))  # type: ignore[arg-type]
        style.value_axis(ax, m, seen)
        ax.set_title(style.panel_title(m, plain=True), fontsize=10)
        _month_axis(ax, last)
    handles = [
        Line2D([], [], color=SCENARIO_COLOUR, linewidth=2.2, label=label(pack.scenario)),
        Line2D([], [], color=BASELINE_COLOUR, linewidth=2.2, label=label(pack.against)),
        *style.band_legend("simulated years"),
    ]
    fig.legend(handles=handles, loc="lower center", ncol=5, frameon=False, fontsize=10)
    fig.suptitle(f"Lines: the {AVERAGE} of the simulated years; shaded: where most simulated "
                 "years fall", fontsize=11)
    fig.tight_layout(rect=(0, 0.05, 1, 0.97))
    return png(fig)


def chart_maturity(monthly: pd.DataFrame, pack: Pack) -> bytes:
    """The typical maturity level month by month, with the levels of 90% of simulated years."""
    fig, ax = plt.subplots(figsize=(12, 3.4))
    months = np.arange(len(pack.maturity["scenario"]["median"]))
    for key, sc, colour, offset in (("against", pack.against, BASELINE_COLOUR, -0.04),
                                    ("scenario", pack.scenario, SCENARIO_COLOUR, 0.04)):
        m = pack.maturity[key]
        ax.fill_between(months, np.array(m["low"]) - 0.2, np.array(m["high"]) + 0.2,
                        step="mid", color=colour, alpha=0.12, linewidth=0)
        ax.plot(months, np.array(m["median"]) + offset, drawstyle="steps-mid", color=colour,
                linewidth=2.6, marker="o", markersize=4, label=f"{label(sc)} (typical year)")
    ax.set_yticks(list(LEVEL_NAMES), [f"{k} {v}" for k, v in LEVEL_NAMES.items()])
    ax.set_ylim(min(LEVEL_NAMES) - 0.4, max(LEVEL_NAMES) + 0.4)
    ax.set_ylabel("maturity level (1-5)")
    _month_axis(ax, int(months[-1]))
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(handles[::-1], labels[::-1], loc="upper left", frameon=False, fontsize=9)
    ax.set_title("Maturity level, month by month (the level of the middle simulated year); "
                 "shaded: 90% of simulated years", fontsize=10)
    fig.tight_layout()
    return png(fig)


def chart_warnings(monthly: pd.DataFrame, pack: Pack) -> bytes:
    """The leading measures behind the early warnings, each with its warning line."""
    fig, axes = plt.subplots(3, 3, figsize=(13, 7.2))
    last = int(monthly["month"].max())
    for ax, rule, row in zip(axes.flat, WARNINGS, pack.warnings, strict=True):
        seen = [row["threshold"]]
        for sc, colour in ((pack.against, BASELINE_COLOUR), (pack.scenario, SCENARIO_COLOUR)):
            series = monthly_figures(monthly, sc.name, [rule.column])[rule.column]
            ax.plot(series.index, series.to_numpy(), color=colour, linewidth=2)
            seen += [float(series.min()), float(series.max())]
        ax.axhline(row["threshold"], color=WARNING_COLOUR, linestyle=":", linewidth=1.4)
        first = row["scenario_first_month"]
        if first is not None:
            ax.plot([first], [row["scenario_value"]], marker="o", markersize=9,
                    markerfacecolor="none", markeredgecolor=WARNING_COLOUR, markeredgewidth=2)
            ax.annotate(f"month {first}", (first, row["scenario_value"]), xytext=(6, 4),
                        textcoords="offset points", fontsize=8.5, color=WARNING_COLOUR,
                        fontweight="bold")
        style.value_axis(ax, rule.metric, seen)
        ax.set_title(rule.title, fontsize=10,
                     color=WARNING_COLOUR if first is not None else "black")
        _month_axis(ax, last)
    handles = [
        Line2D([], [], color=SCENARIO_COLOUR, linewidth=2, label=label(pack.scenario)),
        Line2D([], [], color=BASELINE_COLOUR, linewidth=2, label=label(pack.against)),
        Line2D([], [], color=WARNING_COLOUR, linestyle=":", label="warning line"),
        Line2D([], [], marker="o", linestyle="", markerfacecolor="none",
               markeredgecolor=WARNING_COLOUR, markeredgewidth=2,
               label=f"first month over the line ({label(pack.scenario)})"),
    ]
    fig.legend(handles=handles, loc="lower center", ncol=4, frameon=False, fontsize=10)
    fig.suptitle(f"Leading indicators, the {AVERAGE} of the simulated years", fontsize=11)
    fig.tight_layout(rect=(0, 0.05, 1, 0.97))
    return png(fig)


def draw_charts(monthly: pd.DataFrame, pack: Pack, formats: Sequence[str],
                tick: Callable[[str], None] = lambda step: None) -> None:
    """Draw the pictures the HTML and PDF packs show into ``pack.charts`` (the PowerPoint pack
    draws its own native charts: ``pptx.render_pptx``)."""
    if not {"html", "pdf"} & set(formats):
        return
    charts: dict[str, Callable[[], bytes]] = {
        "headline": lambda: chart_headline(monthly, pack),
        "trajectories": lambda: chart_fans(monthly, pack),
        "maturity": lambda: chart_maturity(monthly, pack),
        "warnings": lambda: chart_warnings(monthly, pack),
    }
    with style.styled():
        for name, draw in charts.items():
            tick(f"chart: {name}")
            pack.charts[name] = draw()
