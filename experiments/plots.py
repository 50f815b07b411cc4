"""Charts for people: trajectories over the year with bands across replicates and the targets,
drawn in the project's one style (``experiments.style``)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.lines import Line2D

from cxsim.experiments import style
from cxsim.model.catalogue import metric

PANELS: tuple[str, ...] = ("churn_annualised", "nps_measured", "nps_true", "culture_score",
                           "psychological_safety_score", "interaction_rate", "engagement",
                           "cynicism", "change_fatigue")
# compare's chart: the outcomes people weigh options by, one panel each (logo and revenue churn
# nearly coincide, so only logo churn is drawn; differences.csv has both)
COMPARE_PANELS: tuple[str, ...] = ("churn_annualised", "nps_true", "nps_measured",
                                   "revenue_retained", "culture_score",
                                   "psychological_safety_score", "engagement", "cynicism",
                                   "attrition_annualised")
COLOURS = list(style.SERIES)


def band(frame: pd.DataFrame, column: str, low: float, high: float) -> pd.DataFrame:
    """Median and a quantile band of ``column`` per month across replicates."""
    grouped = frame.groupby("month")[column]
    return pd.DataFrame({"median": grouped.median(), "low": grouped.quantile(low),
                         "high": grouped.quantile(high)})


def _panel(ax, m, frames: dict[str, pd.DataFrame], colours: list[str], last: int,
           title: str) -> list[float]:
    """One metric's fans, target, value axis and month axis; returns the values the value axis
    must hold."""
    seen: list[float] = []
    for colour, (name, frame) in zip(colours, frames.items(), strict=True):
        outer = band(frame, m.name, 0.05, 0.95)
        inner = band(frame, m.name, 0.25, 0.75)
        style.fan(ax, outer.index, outer["median"], (inner["low"], inner["high"]),
                  (outer["low"], outer["high"]), colour, name)
        seen += [float(outer["low"].min()), float(outer["high"].max())]
    if style.target_line(ax, m):
        seen.append(float(m.target))  # type: ignore[arg-type]
    style.value_axis(ax, m, seen)
    ax.set_title(title, fontsize=10)
    style.month_axis(ax, last)
    return seen


def trajectories(frames: dict[str, pd.DataFrame], path: Path, title: str,
                 panels: Sequence[str] | None = None) -> None:
    """:func:`trajectory_figure` saved as a PNG at ``path``."""
    fig = trajectory_figure(frames, title, panels)
    fig.savefig(path, format="png", dpi=110, metadata={"Software": None})
    plt.close(fig)


def trajectory_figure(frames: dict[str, pd.DataFrame], title: str,
                      panels: Sequence[str] | None = None) -> plt.Figure:
    """Fan charts: per metric and scenario the median across replicates with its 50% and 90%
    bands (outlined); the target of source 001's "Metrics That Matter" table (section 8) as a
    dashed line where there is one, and "no target set" in the title where there is none. Month
    numbers on every panel; value axes that do not zoom below a fifth of the metric's scale, with
    a break mark where they do not start at its bottom.

    One or two scenarios share each metric's panel. With more, bands of three or more scenarios
    would cover each other, so the chart becomes small multiples: a row per metric, a column per
    scenario, each against the first scenario (grey), on the row's shared value axis."""
    panels = list(panels or PANELS)
    names = list(frames)
    last = int(max(f["month"].max() for f in frames.values()))
    overlay = len(names) <= 2
    with style.styled():
        if overlay:
            ncols = 3
            nrows = -(-len(panels) // ncols)
            fig, axes = plt.subplots(nrows, ncols, figsize=(14, 3.5 * nrows), squeeze=False)
            for ax in axes.flat[len(panels):]:
                ax.set_visible(False)
            colours = [style.SCENARIO] if len(names) == 1 else [style.BASELINE, style.SCENARIO]
            for ax, column in zip(axes.flat, panels, strict=False):
                m = metric(column)
                _panel(ax, m, frames, colours, last, style.panel_title(m))
            handles = [Line2D([], [], color=c, linewidth=2.2, label=name)
                       for c, name in zip(colours, names, strict=True)]
        else:
            reference, others = names[0], names[1:]
            colours = style.colours(len(others) + 1)[1:]
            fig, axes = plt.subplots(len(panels), len(others),
                                     figsize=(max(9.0, 4.4 * len(others)), 2.9 * len(panels)),
                                     squeeze=False, sharey="row")
            for row, column in zip(axes, panels, strict=True):
                m = metric(column)
                seen = [value for ax, name, colour in zip(row, others, colours, strict=True)
                        for value in _panel(ax, m, {reference: frames[reference],
                                                    name: frames[name]},
                                            [style.BASELINE, colour], last,
                                            f"{style.panel_title(m)}\n{name}")]
                for ax in row:          # one value axis per row, holding every panel's data
                    style.value_axis(ax, m, seen)
            handles = [Line2D([], [], color=style.BASELINE, linewidth=2.2,
                              label=f"{reference} (in every panel)")]
            handles += [Line2D([], [], color=c, linewidth=2.2, label=name)
                        for c, name in zip(colours, others, strict=True)]
        handles += style.band_legend("replicates")
        fig.legend(handles=handles, loc="lower center",
                   ncol=min(len(handles), 6 if overlay else 3), fontsize=10)
        fig.suptitle(f"{title}\nline: median across replicates; shaded and outlined: 50% "
                     "(solid edge) and 90% (dotted edge) of replicates", fontsize=12)
        bottom = (0.7 if overlay else 1.0) / fig.get_figheight()
        fig.tight_layout(rect=(0, bottom, 1, 1 - 0.75 / fig.get_figheight()))
    return fig
