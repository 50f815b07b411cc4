"""The one chart style of cxsim: colours, matplotlib settings and the helpers every chart uses.

Run and compare charts, the board pack, sweep analyses, the dashboard and the notebooks draw with
these, so that a colour, a band or a target means the same thing everywhere:

- **Colours** are the categorical palette of Okabe & Ito, "Color Universal Design" (2008), chosen
  to stay apart for readers with red-green or blue-yellow colour vision deficiency.
  ``tests/test_style.py`` checks every set of colours drawn together under simulated protan,
  deuteran and tritan vision (Machado, Oliveira & Fernandes 2009, through colorspacious) and
  the contrast of text on the red/amber/green cells (WCAG 2.1, 1.4.3). Maps of a value use
  ``cividis`` (Nuñez, Anderton & Renslow 2018), oriented so that brighter is better.
- **Bands** (:func:`fan`) are filled lightly and outlined in their own colour, so two scenarios'
  bands that overlap can still be told apart (their fills mix, their outlines do not).
- **Value axes** (:func:`value_axis`) show at least :data:`MIN_SPAN` of a bounded metric's scale
  (``Metric.bounds``) and, when they do not start at the scale's bottom, mark the cut with a
  break on the axis, so chance wiggles do not look like trends.
- **Targets** (:func:`target_line`) come from the metric catalogue; a panel of a metric without
  one says so in its title (:func:`panel_title`).
- **Months** (:func:`month_axis`) are numbered on every panel, not only the bottom row.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import numpy as np
from cycler import cycler
from matplotlib import rc_context
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
from matplotlib.transforms import blended_transform_factory

from cxsim.model.catalogue import Metric

# Okabe & Ito (2008): blue, vermillion, bluish green, reddish purple, orange, sky blue
SERIES: tuple[str, ...] = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
SCENARIO = SERIES[0]            # the option under discussion
BASELINE = "#666666"            # what it is compared against: a grey apart from every series
TARGET = "#222222"              # target lines: dark, dashed
WARNING = SERIES[1]             # warning lines and the marks where they are crossed
NEUTRAL = "#9AA7B8"             # legend swatches for bands of any colour
SEQUENTIAL = "cividis"          # a map of one value; brighter is better (see better_cmap)
MIN_SPAN = 0.2                  # a value axis shows at least this share of the metric's scale
INNER_ALPHA, OUTER_ALPHA = 0.22, 0.09

RC: dict[str, object] = {
    "font.size": 10, "axes.titlesize": 10.5, "axes.labelsize": 9.5, "xtick.labelsize": 9,
    "ytick.labelsize": 9, "legend.fontsize": 9.5, "legend.frameon": False,
    "axes.grid": True, "grid.alpha": 0.3, "axes.spines.top": False, "axes.spines.right": False,
    "axes.prop_cycle": cycler(color=list(SERIES)),
    "savefig.dpi": 150, "figure.dpi": 100,
}


@contextmanager
def styled() -> Iterator[None]:
    """Draw inside this context to use the project's settings (fonts, grid, colour cycle)."""
    with rc_context(RC):
        yield


def colours(n: int) -> list[str]:
    """The first ``n`` series colours (beyond six they repeat, and only the legend tells the
    scenarios apart)."""
    return [SERIES[i % len(SERIES)] for i in range(n)]


def better_cmap(lower_is_better: bool) -> str:
    """The value map for a metric, oriented so that the bright end is the better one."""
    return SEQUENTIAL + ("_r" if lower_is_better else "")


def contrast(background: str | Sequence[float], ink: str | Sequence[float] = "black") -> float:
    """WCAG 2.1 contrast ratio of text colour ``ink`` on ``background`` (1 to 21)."""
    def luminance(colour: str | Sequence[float]) -> float:
        c = np.asarray(to_rgb(colour if isinstance(colour, str) else tuple(colour[:3])))
        c = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
        return float(0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2])
    high, low = sorted((luminance(background), luminance(ink)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def ink(background: str | Sequence[float]) -> str:
    """Black or white text, whichever reads better on ``background`` (no white on light)."""
    return max(("black", "white"), key=lambda text: contrast(background, text))


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


def mark_break(ax: Axes) -> None:
    """Two short slashes across the bottom of the value axis: the axis does not start at the
    scale's bottom."""
    kw = {"transform": ax.transAxes, "color": "black", "clip_on": False, "linewidth": 1}
    for y in (0.015, 0.045):
        ax.plot([-0.018, 0.018], [y - 0.012, y + 0.012], **kw)


def value_axis(ax: Axes, m: Metric, values: Sequence[float]) -> tuple[float, float]:
    """Set the value axis of metric ``m`` to hold ``values`` (:func:`value_limits`), label it
    with the unit, and mark a break when it does not start at the scale's bottom."""
    finite = [float(v) for v in values if np.isfinite(v)]
    low, high = value_limits(m, min(finite), max(finite)) if finite else (0.0, 1.0)
    ax.set_ylim(low, high)
    ax.set_ylabel(m.unit)
    if m.bounds is not None and low > m.bounds[0] + 1e-9:
        mark_break(ax)
    return low, high


def month_axis(ax: Axes, last: int, label: str = "Month") -> None:
    """Months 0..last with numbered ticks on this panel (also when axes are shared)."""
    ax.set_xlim(0, last)
    step = 2 if last <= 12 else 3 if last <= 36 else 6
    ax.set_xticks(range(0, last + 1, step))
    ax.tick_params(axis="x", labelbottom=True)
    ax.set_xlabel(label)


def fan(ax: Axes, months: Sequence[float], centre: Sequence[float],
        inner: tuple[Sequence[float], Sequence[float]],
        outer: tuple[Sequence[float], Sequence[float]], colour: str, label: str | None = None,
        width: float = 2.2) -> None:
    """A centre line with its 50% (``inner``) and 90% (``outer``) bands: light fills, each band
    outlined in the line's colour (solid: 50%, dotted: 90%)."""
    ax.fill_between(months, *outer, color=colour, alpha=OUTER_ALPHA, linewidth=0)
    ax.fill_between(months, *inner, color=colour, alpha=INNER_ALPHA, linewidth=0)
    for edge in outer:
        ax.plot(months, edge, color=colour, linewidth=0.8, linestyle=":", alpha=0.9)
    for edge in inner:
        ax.plot(months, edge, color=colour, linewidth=0.7, alpha=0.7)
    ax.plot(months, centre, color=colour, linewidth=width, label=label)


def target_line(ax: Axes, m: Metric) -> bool:
    """The catalogue's target of ``m`` as a dashed line, labelled in the right margin (off the
    data); False when ``m`` has none."""
    if m.target is None:
        return False
    ax.axhline(m.target, color=TARGET, linestyle="--", linewidth=1.2)
    ax.annotate(f"target\n{m.target:g}", (1.0, m.target),
                xycoords=blended_transform_factory(ax.transAxes, ax.transData),
                xytext=(3, 0), textcoords="offset points", ha="left", va="center",
                fontsize=8, color=TARGET, annotation_clip=False)
    return True


def panel_title(m: Metric, plain: bool = False) -> str:
    """A panel's title: the metric's label, and "no target" where the catalogue sets none, so a
    missing target line is not read as an oversight."""
    name = m.plain_label if plain else m.title
    return name if m.target is not None or m.better is None else f"{name} (no target set)"


def band_legend(runs: str = "runs", colour: str = NEUTRAL) -> list[object]:
    """Legend entries for the bands drawn by :func:`fan` and the target line; ``runs`` names
    what the bands are made of ("simulated years" for a board)."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    return [Patch(facecolor=colour, alpha=0.5, edgecolor="#555555", linewidth=0.7,
                  label=f"middle 50% of {runs}"),
            Patch(facecolor=colour, alpha=0.2, edgecolor="#555555", linestyle=":",
                  linewidth=0.8, label=f"90% of {runs}"),
            Line2D([], [], color=TARGET, linestyle="--", label="target")]
