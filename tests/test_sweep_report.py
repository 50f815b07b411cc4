"""Honest sweep reports (issue 14): REPORT.md states what was run, its words agree with its
figures, the Sobol chart warns when intervals are too wide to rank, what-if maps and tables read
right, every Morris point is labelled without overlaps, and an analysis of another outcome never
touches the first.

Most sweeps here run the Ishigami test function (no agent-based model), so they take a second.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb

from cxsim.experiments import cli_sweep
from cxsim.experiments.analysis import analyse, load_results, sobol_indices
from cxsim.experiments.analysis.charts import (
    AXIS_HIGH,
    AXIS_LOW,
    heatmap_figure,
    morris_figure,
    sobol_figure,
)
from cxsim.experiments.analysis.grids import grid_table_html
from cxsim.experiments.analysis.report import timing
from cxsim.experiments.analysis.sobol import rank_sobol
from cxsim.experiments.analysis.statistics import directions, noise_table, too_wide_to_rank
from cxsim.experiments.style import contrast
from cxsim.experiments.sweep import build_sweep, copy_spec, load_sweep, run_sweep

BOUNDS = "low = -3.141592653589793\nhigh = 3.141592653589793"
ISHIGAMI = "".join(f"[[parameters]]\nkey = 'x{i}'\n{BOUNDS}\n" for i in (1, 2, 3)) + """
[[outputs]]
name = "y"
column = "y"
"""
DESCRIPTION = ('description = """Ishigami at N = 256 base samples: 1,280 points x 1 replicate = '
               '1,280 runs (5 to 8 minutes)."""')


def ishigami(tmp: Path, n: int = 256, name: str = "ish", extra: str = "") -> Path:
    path = tmp / f"{name}.toml"
    path.write_text(f'name = "{name}"\n{DESCRIPTION}\nmodel = "ishigami"\nmethod = "sobol"\n'
                    f"n = {n}\nseed = 3\nsecond_order = false\n{ISHIGAMI}{extra}")
    return path


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Ishigami run at N = 8 though its file (and description) says N = 256."""
    tmp = tmp_path_factory.mktemp("tiny")
    path = ishigami(tmp, extra='[discovery]\noutcome = "y > 5"\nthreshold = 0.5\n')
    run_sweep(load_sweep(path, n=8), tmp / "out", workers=1, progress=False)
    analyse(tmp / "out")
    return tmp / "out"


# -- what was run ---------------------------------------------------------------------------------

def test_report_states_the_size_and_time_of_the_store_not_the_files_description(
        tiny: Path) -> None:
    results = load_results(tiny)
    report = (tiny / "analysis" / "REPORT.md").read_text()
    manifest = results.manifest
    facts = report.split("## Parameters")[0]
    assert f"N = {results.spec.n} base samples" in facts and results.spec.n == 8
    assert (f"{manifest['points']} points x {manifest['replicates']} replicate(s) = "
            f"{manifest['runs']} runs") in facts
    assert manifest["runs"] == len(results.runs) == 40
    assert re.search(r"- time: \d+ s of wall time \(started ", facts)
    # the file's description (written for N = 256) is not repeated: neither its N, its run count
    # nor its time
    for claim in ("N = 256", "1,280", "5 to 8 minutes"):
        assert claim not in report, claim
    assert "description is left out: it was written for the file's own settings (n = 256" in report


def test_a_description_that_fits_is_quoted_after_the_measured_facts(tmp_path: Path) -> None:
    path = ishigami(tmp_path, n=8)
    path.write_text(path.read_text().replace("N = 256", "N = 8"))
    run_sweep(load_sweep(path), tmp_path / "out", workers=1, progress=False)
    report = analyse(tmp_path / "out").report.read_text()
    facts, rest = report.split("The sweep file describes it as follows")
    assert "- runs: 40 points x 1 replicate(s) = 40 runs" in facts
    assert rest.splitlines()[2].startswith("> Ishigami at N = 8")


def test_wall_time_comes_from_the_manifests_timestamps() -> None:
    once = {"created": "2026-01-01T10:00:00+00:00", "completed": "2026-01-01T10:07:30+00:00"}
    assert timing(once).startswith("7.5 min of wall time")
    resumed = {**once, "resumed": ["2026-01-01T10:05:00+00:00"]}
    assert "resumed 1 time(s)" in timing(resumed) and "pauses included" in timing(resumed)
    assert timing({"created": "2026-01-01T10:00:00+00:00"}) == "not recorded in the manifest"


# -- words that agree with the figures ---------------------------------------------------------

def test_intervals_too_wide_to_rank_give_no_ranking_and_a_warning(tiny: Path) -> None:
    results = load_results(tiny)
    sobol, _ = sobol_indices(results)
    assert too_wide_to_rank(sobol) is not None
    words = analyse(tiny).rankings["y"]
    assert "too wide to rank" in words[0]
    assert not any(w[:1].isdigit() or w.startswith(("Barely matter", "Not placed"))
                   for w in words), words
    assert any("too wide to rank" in w for w in analyse(tiny).warnings)


def test_a_large_s1_sum_is_not_followed_by_every_parameter_barely_mattering(tiny: Path) -> None:
    results = load_results(tiny)
    # S1 adding up to 90% with each total index uncertain, intervals narrow enough to read
    sobol = pd.DataFrame({"output": "y", "parameter": results.names, "S1": 0.3, "S1_conf": 0.09,
                          "ST": 0.08, "ST_conf": 0.09})
    assert too_wide_to_rank(sobol) is None
    words = rank_sobol(results, sobol, directions(results), noise_table(results))["y"]
    assert "explain 90% on their own" in words[0]
    assert "No single parameter's share is clear" in words[0]
    assert not any(w.startswith("Barely matter") for w in words)
    assert any(w.startswith("Not placed") and "`x1`" in w for w in words)


def test_a_narrow_sample_ranks_its_drivers(tmp_path: Path) -> None:
    run_sweep(load_sweep(ishigami(tmp_path, n=512)), tmp_path / "out", workers=1,
              progress=False)
    results = load_results(tmp_path / "out")
    sobol, _ = sobol_indices(results)
    assert too_wide_to_rank(sobol) is None
    words = analyse(tmp_path / "out").rankings["y"]
    ranked = [w for w in words if w[:1].isdigit()]
    assert ranked[0].startswith("1. `x1`") or ranked[0].startswith("1. `x2`")
    assert len(ranked) == 3                              # x3 acts through its interaction


# -- the Sobol chart ------------------------------------------------------------------------------

def chart_texts(fig: object) -> str:
    return " ".join(t.get_text() for ax in fig.axes for t in ax.texts)   # type: ignore[attr-defined]


def test_the_sobol_chart_warns_when_intervals_are_too_wide_and_keeps_its_axis(tiny: Path) -> None:
    results = load_results(tiny)
    sobol, _ = sobol_indices(results)
    fig = sobol_figure(sobol, results.outputs[0], results)
    ax = fig.axes[0]
    assert "too wide to rank" in chart_texts(fig).replace("\n", " ")
    low, high = ax.get_xlim()
    assert low >= AXIS_LOW and high <= AXIS_HIGH
    ends = np.concatenate([sobol.S1 - sobol.S1_conf, sobol.ST + sobol.ST_conf])
    assert (ends < low).any() or (ends > high).any()   # at N = 8 some run past it: marked
    assert "interval runs past the axis" in [t.get_text() for t in ax.get_legend().texts]
    narrow = sobol.assign(S1=0.4, S1_conf=0.02, ST=0.45, ST_conf=0.03)
    assert "too wide" not in chart_texts(sobol_figure(narrow, results.outputs[0], results))


# -- what-if grids --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def grid(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 3 x 2 what-if grid of the agent-based model on a small organisation."""
    tmp = tmp_path_factory.mktemp("grid")
    sweep = load_sweep("whatif_safety_incentives", replicates=1)
    levels = [3, 2]
    spec = copy_spec(sweep.spec, overrides={"organisation.employees": 60,
                                            "organisation.customers": 40},
                     parameters=[p.model_copy(update={"levels": k})
                                 for p, k in zip(sweep.spec.parameters, levels, strict=True)],
                     outputs=sweep.spec.outputs[:1], discovery=None)
    run_sweep(build_sweep(spec, file=sweep.file, text=sweep.text), tmp / "w", workers=1,
              progress=False)
    analyse(tmp / "w")
    return tmp / "w"


def test_the_heat_map_reads_in_words_on_a_colour_blind_safe_map(grid: Path) -> None:
    results = load_results(grid)
    o = results.outputs[0]
    table = results.points[results.names].join(results.means())
    frame = table.groupby(results.names)[o.name].mean().unstack(results.names[1])
    fig = heatmap_figure(frame, o, *results.names, results)
    ax, bar = fig.axes
    FigureCanvasAgg(fig).draw()
    labels = [ax.get_xlabel(), ax.get_ylabel()] + [t.get_text() for t in
                                                   ax.get_xticklabels() + ax.get_yticklabels()]
    assert not [text for text in labels if re.search(r"\w\.\w+_", text)], labels
    assert ax.get_ylabel().startswith("psychological safety (levers)")
    assert ax.get_xlabel().startswith("incentive alignment (levers)")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["0", "0.5", "1"]
    image = ax.images[0]
    assert image.cmap.name == "cividis_r" and image.origin == "lower"    # churn: lower is better
    assert "brighter = better (lower)" in bar.get_ylabel()
    for text in ax.texts:                             # every cell's number reads on its colour
        i, j = (round(v) for v in text.get_position()[::-1])
        background = image.cmap(image.norm(frame.to_numpy()[i, j]))
        assert contrast(background, text.get_color()) >= 4.5


def test_the_whatif_table_is_oriented_formatted_and_readable(grid: Path) -> None:
    results = load_results(grid)
    page = (grid / "analysis" / "whatif_churn_m12.html").read_text()
    assert "0.000000" not in page and "levers.psychological_safety" not in page
    rows = re.findall(r"<tr><th scope='row'>([^<]+)</th>", page)
    assert rows == ["1", "0.5", "0"]                   # highest at the top, as in the heat map
    cells = re.findall(r"background:(#[0-9a-f]{6});color:(#[0-9a-f]{6})", page)
    assert len(cells) == 6
    assert all(contrast(to_rgb(b), c) >= 4.5 for b, c in cells), cells
    assert "brighter = better (lower)" in page
    # the function gives the same table
    o = results.outputs[0]
    table = results.points[results.names].join(results.means())
    frame = table.groupby(results.names)[o.name].mean().unstack(results.names[1])
    assert grid_table_html(frame, o, results) in page


def test_no_hexbin_and_a_pairs_chart_only_with_three_parameters(grid: Path,
                                                                tmp_path: Path) -> None:
    names = {p.name for p in (grid / "analysis").iterdir()}
    assert not [n for n in names if "hexbin" in n or "pairs" in n]
    path = tmp_path / "g3.toml"
    path.write_text('name = "g3"\nmodel = "ishigami"\nmethod = "grid"\n'
                    + ISHIGAMI.replace(BOUNDS, f"{BOUNDS}\nlevels = 3"))
    run_sweep(load_sweep(path), tmp_path / "out", workers=1, progress=False)
    files = {f.name for f in analyse(tmp_path / "out").files}
    assert {"whatif_y.png", "whatif_y_pairs.png", "whatif_y.html"} <= files
    page = (tmp_path / "out" / "analysis" / "whatif_y.html").read_text()
    assert page.count("<table>") == 3                  # one table per pair
    assert "-4.44e-16" not in page and "e-1" not in page


# -- Morris ---------------------------------------------------------------------------------------

def test_every_morris_point_is_labelled_and_no_labels_overlap(tiny: Path) -> None:
    results = load_results(tiny)
    rng = np.random.default_rng(4)
    keys = load_sweep("morris_screening").names
    n = len(keys)
    # a dense cluster near the origin and a few points apart, as a real screening gives
    mu = np.concatenate([rng.uniform(5, 8, 16), rng.uniform(10, 35, n - 16)])
    rows = pd.DataFrame({"output": "y", "parameter": keys,
                         "mu": mu, "mu_star": mu, "mu_star_conf": 3.0,
                         "sigma": mu * rng.uniform(0.8, 1.4, n)})
    fig = morris_figure(rows, results.outputs[0], results, floor=4.0)
    chart = fig.axes[0]
    renderer = fig.canvas.get_renderer()
    fig.canvas.draw()
    numbers = [t for t in chart.texts if t.get_text().isdigit()]
    assert sorted(int(t.get_text()) for t in numbers) == list(range(1, n + 1))
    boxes = [t.get_window_extent(renderer) for t in numbers]
    overlapping = [(a.get_text(), b.get_text()) for (a, p), (b, q) in
                   itertools.combinations(zip(numbers, boxes, strict=True), 2) if p.overlaps(q)]
    assert not overlapping
    key = " ".join(t.get_text() for t in fig.axes[1].texts)
    assert n == 24 and "blame culture (anti patterns)" in key and "anti_patterns." not in key


# -- another outcome, another folder ------------------------------------------------------------

def test_another_outcome_leaves_the_first_analysis_byte_identical(tiny: Path) -> None:
    base = tiny / "analysis"
    assert (base / "prim_tradeoff.png").exists()
    before = {p.relative_to(base): p.read_bytes() for p in base.rglob("*") if p.is_file()
              and not p.relative_to(base).parts[0].startswith("outcome_")}
    assert cli_sweep.main(["analyse", str(tiny), "--outcome", "y > 8"]) == 0
    after = {p.relative_to(base): p.read_bytes() for p in base.rglob("*") if p.is_file()
             and not p.relative_to(base).parts[0].startswith("outcome_")}
    assert after == before
    other = base / "outcome_y_gt_8"
    assert (other / "REPORT.md").exists() and (other / "prim_boxes.csv").exists()
    assert "## Scenario discovery: y > 8" in (other / "REPORT.md").read_text()
    # the sweep's own outcome given again is the sweep's own folder, not a copy
    assert analyse(tiny, outcome="y > 5").folder == base
    assert (other / "REPORT.md").exists()
