"""Charts for people: trajectories over the year with bands across replicates and the targets."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

from cxsim.model.catalogue import metric

PANELS: tuple[str, ...] = ("churn_annualised", "nps_measured", "nps_true", "culture_score",
                           "psychological_safety_score", "interaction_rate", "engagement",
                           "cynicism", "change_fatigue")
COLOURS = ["#1f5aa6", "#c0392b", "#2e8b57", "#8e44ad", "#d68910", "#17a589"]


def band(frame: pd.DataFrame, column: str, low: float, high: float) -> pd.DataFrame:
    """Median and a quantile band of ``column`` per month across replicates."""
    grouped = frame.groupby("month")[column]
    return pd.DataFrame({"median": grouped.median(), "low": grouped.quantile(low),
                         "high": grouped.quantile(high)})


def trajectories(frames: dict[str, pd.DataFrame], path: Path, title: str,
                 panels: Sequence[str] | None = None) -> None:
    """Fan charts: one panel per metric; per scenario the median across replicates with 50% and
    90% bands, on shared axes; the target of source 001's "Metrics That Matter" table (section 8)
    as a dashed line where there is one."""
    panels = panels or PANELS
    ncols = 3
    nrows = -(-len(panels) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(14, 3.4 * nrows), sharex=True,
                             squeeze=False)
    for ax in axes.flat[len(panels):]:
        ax.set_visible(False)
    for ax, column in zip(axes.flat, panels, strict=False):
        m = metric(column)
        for colour, (name, frame) in zip(COLOURS, frames.items(), strict=False):
            outer = band(frame, column, 0.05, 0.95)
            inner = band(frame, column, 0.25, 0.75)
            ax.fill_between(outer.index, outer["low"], outer["high"], color=colour, alpha=0.12,
                            linewidth=0)
            ax.fill_between(inner.index, inner["low"], inner["high"], color=colour, alpha=0.25,
                            linewidth=0)
            ax.plot(outer.index, outer["median"], color=colour, linewidth=2, label=name)
        if m.target is not None:
            ax.axhline(m.target, color="#555555", linestyle="--", linewidth=1)
            ax.annotate("target", (0, m.target), textcoords="offset points",
                        xytext=(2, 3), fontsize=8, color="#555555")
        ax.set_title(m.axis, fontsize=10)
        ax.grid(alpha=0.3)
        ax.set_xticks(range(0, int(max(f["month"].max() for f in frames.values())) + 1, 3))
    for ax in axes.flat:
        ax.set_xlabel("Month")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=min(len(labels), 6), frameon=False,
               fontsize=11)
    fig.suptitle(f"{title}\nline: median across replicates; shaded: 50% and 90% of replicates",
                 fontsize=12)
    fig.tight_layout(rect=(0, 0.05, 1, 0.95))
    fig.savefig(path, format="png", dpi=110, metadata={"Software": None})
    plt.close(fig)
