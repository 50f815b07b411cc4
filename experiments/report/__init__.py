"""The board pack (``cxsim report``): a scenario against a baseline for a non-technical board, in
HTML, PDF and PowerPoint.

What lives here:

* ``content`` — what the pack says, as plain data: :func:`analyse` turns a comparison into a
  :class:`Pack` (headline, culture dashboard with its red/amber/green status, maturity, early
  warnings, assumptions, provenance) and :func:`not_claimed` lists what the model does not claim;
  words, targets and colours come from ``model.catalogue``, every figure is the mean of the
  replicates (``experiments.statistics.headline``);
* ``charts`` — the pack's charts as PNG (matplotlib);
* ``html`` — the self-contained HTML page, from the Jinja2 templates in ``templates/``;
* ``pdf`` — that page printed by WeasyPrint; ``pptx`` — the slides (python-pptx);
* ``build`` — :func:`build_report`: check the input, run, render and write the files atomically.

The command (``cxsim report``, its arguments and progress bars) is ``experiments.cli_report``.
"""

from __future__ import annotations

from cxsim.experiments.report.build import FORMATS, build_report, check_pair, parse_formats
from cxsim.experiments.report.content import (
    DASHBOARD_METRICS,
    HEADLINE,
    LEVEL_NAMES,
    LEVELS,
    SECTIONS,
    WARNINGS,
    Pack,
    WarningRule,
    analyse,
    assumptions,
    month_of_week,
    not_claimed,
    not_claimed_markdown,
    warning_rows,
)

__all__ = [
    "DASHBOARD_METRICS", "FORMATS", "HEADLINE", "LEVELS", "LEVEL_NAMES", "SECTIONS", "WARNINGS",
    "Pack", "WarningRule", "analyse", "assumptions", "build_report", "check_pair",
    "month_of_week", "not_claimed", "not_claimed_markdown", "parse_formats", "warning_rows",
]
