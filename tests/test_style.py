"""The one chart style: colours that stay apart for readers with colour-vision deficiency, text
that can be read on the red/amber/green cells, value maps whose order survives, and every chart
module drawing with it."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from colorspacious import cspace_convert, deltaE
from matplotlib import colormaps
from matplotlib.colors import to_rgb

from cxsim.experiments import style
from cxsim.model.catalogue import RAG_COLOURS

ROOT = Path(__file__).resolve().parents[1]
VISION = (None, "protanomaly", "deuteranomaly", "tritanomaly")
# CAM02-UCS distance below which two flat colours are hard to tell apart in a chart's legend
APART = 10.0


def seen(colour: str | tuple[float, ...], vision: str | None) -> np.ndarray:
    """sRGB as a reader with full (severity 100) deficiency ``vision`` sees it (Machado 2009)."""
    rgb = to_rgb(colour)
    if vision is None:
        return np.asarray(rgb)
    space = {"name": "sRGB1+CVD", "cvd_type": vision, "severity": 100}
    return np.clip(cspace_convert(rgb, space, "sRGB1"), 0, 1)


def closest_pair(colours: list[str]) -> tuple[float, str, str, str | None]:
    """The smallest CAM02-UCS distance between any two of ``colours`` under any vision."""
    return min((float(deltaE(seen(a, v), seen(b, v), input_space="sRGB1")), a, b, v)
               for a, b in itertools.combinations(colours, 2) for v in VISION)


DRAWN_TOGETHER = {
    "scenario series, the baseline and targets (small multiples)": [*style.SERIES,
                                                                     style.BASELINE,
                                                                     style.TARGET],
    "scenario against baseline, target, warning": [style.SCENARIO, style.BASELINE, style.TARGET,
                                                  style.WARNING],
    "red/amber/green cells": list(RAG_COLOURS.values()),
}


@pytest.mark.parametrize("name", DRAWN_TOGETHER)
def test_colours_drawn_together_stay_apart_under_colour_vision_deficiency(name: str) -> None:
    distance, a, b, vision = closest_pair(DRAWN_TOGETHER[name])
    assert distance >= APART, f"{name}: {a} and {b} are {distance:.1f} apart ({vision})"


def test_the_check_rejects_a_red_green_pair() -> None:
    # the dashboard's former green and red cells: far apart to most, close to deuteranopes
    distance, *_, vision = closest_pair(["#a5d6a7", "#ef9a9a"])
    assert distance < APART and vision == "deuteranomaly"


@pytest.mark.parametrize("status", list(RAG_COLOURS))
def test_black_text_reads_on_every_status_colour(status: str) -> None:
    assert style.contrast(RAG_COLOURS[status]) >= 4.5          # WCAG AA, normal text


def lightness_order(cmap: str, vision: str | None) -> np.ndarray:
    """CAM02-UCS lightness J' of 11 steps of ``cmap`` as seen under ``vision``."""
    steps = colormaps[cmap](np.linspace(0, 1, 11))[:, :3]
    return np.array([cspace_convert(seen(tuple(c), vision), "sRGB1", "CAM02-UCS")[0]
                     for c in steps])


@pytest.mark.parametrize("vision", VISION)
def test_the_value_map_keeps_its_order_under_colour_vision_deficiency(vision: str | None) -> None:
    assert np.all(np.diff(lightness_order(style.SEQUENTIAL, vision)) > 2)
    # a red-yellow-green map does not: its two ends are about as light as each other
    assert not np.all(np.diff(lightness_order("RdYlGn", vision)) > 2)


CHART_CODE = ["experiments/plots.py", "experiments/report/charts.py",
              "experiments/analysis/charts.py", "experiments/dashboard/compute.py",
              *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "notebooks").glob("*.ipynb"))]


@pytest.mark.parametrize("path", CHART_CODE)
def test_chart_code_takes_its_colours_from_the_style(path: str) -> None:
    text = (ROOT / path).read_text()
    if path.endswith(".ipynb"):
        text = "\n".join("".join(cell["source"]) for cell in json.loads(text)["cells"])
    literals = re.findall(r"['\"]#[0-9a-fA-F]{6}['\"]|cmap=['\"]\w+['\"]", text)
    assert not literals, f"{path} draws with its own colours: {literals}"


def _frames(n: int) -> dict[str, pd.DataFrame]:

    from cxsim.experiments.plots import COMPARE_PANELS

    rng = np.random.default_rng(1)
    rows = [{"month": m, "replicate": r, **{c: 10 + m + rng.normal() for c in COMPARE_PANELS}}
            for m in range(13) for r in range(5)]
    return {f"option_{i}": pd.DataFrame(rows) for i in range(n)}


@pytest.mark.parametrize("options", [1, 2, 4])
def test_fan_charts_number_every_panels_months_and_say_when_there_is_no_target(
        options: int) -> None:
    import matplotlib.pyplot as plt

    from cxsim.experiments.plots import COMPARE_PANELS, trajectory_figure
    from cxsim.model.catalogue import metric

    fig = trajectory_figure(_frames(options), "test", COMPARE_PANELS)
    shown = [ax for ax in fig.axes if ax.get_visible()]
    # more than two options: small multiples, one row per measure, one column per option after
    # the first, each panel holding the first option and one other
    assert len(shown) == len(COMPARE_PANELS) * (1 if options <= 2 else options - 1)
    for ax in shown:
        labels = [t.get_text() for t in ax.get_xticklabels() if t.get_visible()]
        assert labels and labels[0] == "0", ax.get_title()
        centres = [line for line in ax.get_lines() if line.get_linewidth() >= 2]
        assert len(centres) == min(options, 2)
        m = next(metric(c) for c in COMPARE_PANELS if ax.get_title().startswith(metric(c).title))
        dashed = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
        assert bool(dashed) == (m.target is not None)
        assert ("no target set" in ax.get_title()) == (m.target is None and m.better is not None)
    plt.close(fig)
