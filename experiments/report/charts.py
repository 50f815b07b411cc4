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
from matplotlib.patches import Patch, Rectangle

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
    rag_rule_words,
)
from cxsim.experiments.statistics import headline
from cxsim.model.catalogue import RAG_COLOURS, Metric

SCENARIO_COLOUR = "#1f5aa6"
BASELINE_COLOUR = "#7f7f7f"
TARGET_COLOUR = "#2e7d32"
WARNING_COLOUR = "#c62828"
MIN_SPAN = 0.2          # a value axis shows at least this share of the metric's scale


def png(fig: plt.Figure, dpi: int = 150) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    plt.close(fig)
    return buffer.getvalue()


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) in pixels from a PNG's header."""
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def value_limits(m: Metric, low: float, high: float) -> tuple[float, float]:
    """Axis limits around [low, high], padded, at least MIN_SPAN of the metric's scale and within
    its ends (``Metric.bounds``); unbounded metrics are only padded."""
    pad = 0.06 * (high - low) if high > low else max(abs(high) * 0.05, 0.5)
    low, high = low - pad, high + pad
    if m.bounds is None:
        return low, high
    bottom, top = m.bounds
    span = MIN_SPAN * (top - bottom)
    if high - low < span:
        centre = (low + high) / 2
        low, high = centre - span / 2, centre + span / 2
    if low < bottom:
        low, high = bottom, min(top, high + bottom - low)
    if high > top:
        low, high = max(bottom, low - (high - top)), top
    return low, high


def _month_axis(ax: plt.Axes, last: int) -> None:
    ax.set_xlim(0, last)
    ax.set_xticks(range(0, last + 1, 2 if last <= 12 else 3))
    ax.set_xlabel("Month (0 = start)")
    ax.grid(alpha=0.3)


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


def chart_fans(monthly: pd.DataFrame, pack: Pack) -> bytes:
    """Fan charts, scenario against baseline: the average, 50% and 90% of runs, targets dashed."""
    fig, axes = plt.subplots(2, 3, figsize=(13, 6.6))
    last = int(monthly["month"].max())
    for ax, m in zip(axes.flat, FAN_PANELS, strict=True):
        seen: list[float] = []
        for sc, colour in ((pack.against, BASELINE_COLOUR), (pack.scenario, SCENARIO_COLOUR)):
            frame = monthly[monthly["scenario"] == sc.name]
            outer = _band(frame, m.name, 0.05, 0.95)
            inner = _band(frame, m.name, 0.25, 0.75)
            line = monthly_figures(monthly, sc.name, [m.name])[m.name]
            ax.fill_between(outer.index, outer["low"], outer["high"], color=colour, alpha=0.13,
                            linewidth=0)
            ax.fill_between(inner.index, inner["low"], inner["high"], color=colour, alpha=0.28,
                            linewidth=0)
            ax.plot(line.index, line.to_numpy(), color=colour, linewidth=2.2)
            seen += [float(outer["low"].min()), float(outer["high"].max())]
        if m.target is not None:
            ax.axhline(m.target, color=TARGET_COLOUR, linestyle="--", linewidth=1.4)
            ax.annotate(f"target {m.target:g}", (last, m.target), xytext=(-3, 3),
                        textcoords="offset points", ha="right", va="bottom", fontsize=8.5,
                        color=TARGET_COLOUR, fontweight="bold")
            seen.append(m.target)
            seen.append(m.target + 0.12 * (max(seen) - min(seen)))   # room for the label
        ax.set_ylim(*value_limits(m, min(seen), max(seen)))
        ax.set_title(m.plain_label, fontsize=10)
        ax.set_ylabel(m.unit)
        _month_axis(ax, last)
    handles = [
        Line2D([], [], color=SCENARIO_COLOUR, linewidth=2.2, label=label(pack.scenario)),
        Line2D([], [], color=BASELINE_COLOUR, linewidth=2.2, label=label(pack.against)),
        Patch(color="#9aa7b8", alpha=0.6, label="middle 50% of simulated years"),
        Patch(color="#9aa7b8", alpha=0.25, label="90% of simulated years"),
        Line2D([], [], color=TARGET_COLOUR, linestyle="--", label="target"),
    ]
    fig.legend(handles=handles, loc="lower center", ncol=5, frameon=False, fontsize=10)
    fig.suptitle(f"Lines: the {AVERAGE} of the simulated years; shaded: where most simulated "
                 "years fall", fontsize=11)
    fig.tight_layout(rect=(0, 0.05, 1, 0.97))
    return png(fig)


def chart_dashboard(pack: Pack) -> bytes:
    """The red/amber/green dashboard as a picture (for the slides)."""
    rows = pack.dashboard
    months = len(rows[0]["months"])
    fig, ax = plt.subplots(figsize=(13, 6.0))
    label_w, target_w, cell_w, base_w = 6.2, 1.1, 0.72, 1.4
    width = label_w + target_w + months * cell_w + base_w
    ax.set_xlim(0, width)
    ax.set_ylim(len(rows) + 1.2, 0)
    ax.axis("off")
    y0 = 0.6
    ax.text(label_w - 0.1, y0, "metric (unit)", ha="right", va="center", fontsize=9,
            fontweight="bold")
    ax.text(label_w + target_w / 2, y0, "target", ha="center", va="center", fontsize=9,
            fontweight="bold")
    for m in range(months):
        ax.text(label_w + target_w + (m + 0.5) * cell_w, y0, f"{m}", ha="center", va="center",
                fontsize=9, fontweight="bold")
    ax.text(label_w + target_w + months * cell_w / 2, y0 - 0.45,
            f"month ({label(pack.scenario)}, {AVERAGE} of the simulated years)", ha="center",
            va="center", fontsize=9)
    ax.text(width - base_w / 2, y0, f"{label(pack.against)}\nmonth {months - 1}", ha="center",
            va="center", fontsize=8)
    for i, row in enumerate(rows):
        y = i + 1.2
        ax.text(label_w - 0.1, y + 0.5, f"{row['label']} ({row['unit']})", ha="right",
                va="center", fontsize=8.5)
        ax.text(label_w + target_w / 2, y + 0.5, f"{row['target']:g}", ha="center", va="center",
                fontsize=8.5)
        cells = [*zip(row["months"], row["status"], strict=True),
                 (row["against_last"], row["against_last_status"])]
        for j, (value, state) in enumerate(cells):
            x = label_w + target_w + j * cell_w + (0.15 if j == months else 0)
            w = base_w - 0.3 if j == months else cell_w
            ax.add_patch(Rectangle((x, y), w, 1, facecolor=RAG_COLOURS[state],
                                   edgecolor="white", linewidth=1.2))
            ax.text(x + w / 2, y + 0.5, f"{value:.{row['decimals']}f}", ha="center",
                    va="center", fontsize=8)
    words = rag_rule_words()
    handles = [Patch(color=RAG_COLOURS[k], label=f"{k}: {words[k]}")
               for k in ("green", "amber", "red", "input")]
    ax.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, -0.06), ncol=4,
              frameon=False, fontsize=9)
    fig.tight_layout()
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
        ax.set_ylim(*value_limits(rule.metric, min(seen), max(seen)))
        ax.set_title(rule.title, fontsize=10,
                     color=WARNING_COLOUR if first is not None else "black")
        ax.set_ylabel(rule.metric.unit)
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
    """Draw the charts the chosen formats need into ``pack.charts``."""
    charts: dict[str, Callable[[], bytes]] = {
        "headline": lambda: chart_headline(monthly, pack),
        "trajectories": lambda: chart_fans(monthly, pack),
        "maturity": lambda: chart_maturity(monthly, pack),
        "warnings": lambda: chart_warnings(monthly, pack),
    }
    if "pptx" in formats:
        charts["dashboard"] = lambda: chart_dashboard(pack)
    for name, draw in charts.items():
        tick(f"chart: {name}")
        pack.charts[name] = draw()
