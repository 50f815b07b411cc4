"""Analysis of a sweep directory: indices, noise, charts, a plain-words ranking, scenario discovery.

:func:`analyse` reads a directory written by :func:`cxsim.experiments.sweep.run_sweep` and writes
into ``DIR/analysis`` (or, for an outcome other than the sweep file's, into
``DIR/analysis/outcome_NAME_OP_VALUE``):

- ``noise.csv``: how much of each output's variance is stochastic noise between replicates
  rather than the parameters (one-way analysis of variance over points);
- Sobol sweeps: ``sobol_indices.csv`` (S1, ST with bootstrap intervals, SALib), and
  ``sobol_second_order.csv`` when the sample has them; ``sobol_OUTPUT.png`` bars with intervals;
- Morris sweeps: ``morris.csv`` (mu, mu*, its interval, sigma) and ``morris_OUTPUT.png``;
- every method: ``tornado.csv`` and ``tornado_OUTPUT.png`` (output at each parameter's ends);
- grids: ``whatif_OUTPUT.png`` (heat map of the first two parameters, cividis, brighter =
  better), ``whatif_OUTPUT.csv``, ``whatif_OUTPUT.html`` (the same grid as a table, laid out as
  the map; with three or more parameters one table per pair) and, with three or more,
  ``whatif_OUTPUT_pairs.png`` (a panel per pair); one at a time: ``oat_OUTPUT.html``;
- scenario discovery (PRIM, EMA Workbench) for an outcome such as ``churn_m12 > 15``:
  ``prim_boxes.csv`` and ``prim_tradeoff.png``;
- ``REPORT.md`` (from ``templates/report.md.j2``): the sweep as run (its N, points, runs and wall
  time, from the manifest), its parameters, the warnings, the drivers of each output in plain
  words (none ranked where the intervals are too wide to rank:
  :func:`~cxsim.experiments.analysis.statistics.too_wide_to_rank`, which the Sobol chart's
  warning uses too), the boxes; ``analysis.json``.

Modules: ``results`` (reading a directory; labels from the metric catalogue and the parameter
schema), ``statistics`` (noise, tornado, directions, warnings), ``sobol``, ``morris``, ``grids``
(what-if and one-at-a-time), ``prim``, ``charts``, ``writing`` (atomic files), ``report``
(:func:`analyse` and REPORT.md).
"""

from __future__ import annotations

from cxsim.experiments.analysis.grids import one_at_a_time, rank_swings, whatif
from cxsim.experiments.analysis.morris import morris_indices, morris_noise_floor, rank_morris
from cxsim.experiments.analysis.prim import canonical_outcome, discover
from cxsim.experiments.analysis.report import Analysis, analyse, analysis_folder, render_report
from cxsim.experiments.analysis.results import (
    Results,
    load_results,
    parameter_axis,
    parameter_label,
)
from cxsim.experiments.analysis.sobol import rank_sobol, sobol_indices
from cxsim.experiments.analysis.statistics import (
    MATERIAL,
    NOISY,
    directions,
    index_warnings,
    noise_table,
    too_wide_to_rank,
    tornado_table,
)

__all__ = [
    "MATERIAL", "NOISY", "Analysis", "Results", "analyse", "analysis_folder",
    "canonical_outcome", "directions", "discover", "index_warnings", "load_results",
    "morris_indices", "morris_noise_floor", "noise_table", "one_at_a_time", "parameter_axis",
    "parameter_label", "rank_morris", "rank_sobol", "rank_swings", "render_report",
    "sobol_indices", "too_wide_to_rank", "tornado_table", "whatif",
]
