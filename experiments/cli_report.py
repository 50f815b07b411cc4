"""The ``cxsim report`` command: arguments and progress bars.

    cxsim report SCENARIO [--against BASELINE] [--replicates R] [--seed N]
                 [--format html,pdf,pptx] [--out DIR] [--workers N]

It runs SCENARIO and BASELINE on common random numbers and writes, into ``--out`` (default
``runs/report-SCENARIO``), ``report.html``, ``report.pdf``, ``report.pptx`` and ``report.json``
(``experiments.report``). :func:`register` adds the command to the ``cxsim`` parser;
:func:`main` runs it on its own (``python -m cxsim.experiments.cli_report``), through the
``cxsim`` entry point, so bad input is the same one line and exit code 2.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from cxsim.experiments.cli.parser import (
    add_parameters,
    add_workers,
    base_seed,
    cap_workers,
    check_output,
    checked_seeds,
    output_directory,
    progress_bar,
    replicate_count,
    wrote,
)
from cxsim.experiments.report.build import FORMATS, build_report, check_pair, parse_formats
from cxsim.experiments.statistics import DEFAULT_REPLICATES, DEFAULT_SEED
from cxsim.model import load_scenario


def command_report(args: argparse.Namespace) -> int:
    """Handler of ``cxsim report``."""
    formats = parse_formats(args.format)
    scenario = load_scenario(args.scenario)
    against = load_scenario(args.against)
    check_pair(scenario, against)
    checked_seeds(args.seed, args.replicates)
    out = args.out if args.out is not None else check_output(
        Path("runs") / f"report-{scenario.name}")
    workers = cap_workers(args.workers)
    # what reproduces the pack (not the raw command line: --workers does not change it)
    command = ["cxsim", "report", args.scenario, "--against", args.against,
               "--replicates", str(args.replicates), "--seed", str(args.seed)] \
        + (["--point"] if args.parameters == "point" else [])
    started = time.perf_counter()
    steps = 7 + ("pdf" in formats) + ("pptx" in formats)
    with progress_bar(remaining=False) as progress:
        runs = progress.add_task("replicates (both scenarios)", total=2 * args.replicates)
        build = progress.add_task("report", total=steps)

        def on_step(name: str) -> None:
            progress.update(build, advance=1, description=f"report: {name}", refresh=True)

        written = build_report(scenario, against, replicates=args.replicates, seed=args.seed,
                               workers=workers, formats=formats, out=out,
                               command=command, parameters=args.parameters,
                               on_done=lambda n: progress.update(runs, completed=n, refresh=True),
                               on_step=on_step)
        progress.update(build, completed=steps, description="report: done", refresh=True)
    wrote(written.values(), f" in {time.perf_counter() - started:.1f} s")
    return 0


def register(subparsers: Any) -> None:
    """Add ``report`` to an argparse subparsers object (the ``cxsim`` command)."""
    parser = subparsers.add_parser(
        "report", help="a board pack (HTML, PDF, PowerPoint) of a scenario against a baseline",
        description="Run SCENARIO and BASELINE on common random numbers and write a board pack "
                    "for a non-technical board: headline, fan charts, the culture dashboard "
                    "against its targets, maturity, early warnings, assumptions, limits and "
                    "provenance.")
    parser.add_argument("scenario", metavar="SCENARIO",
                        help="a shipped scenario's name or a TOML file")
    parser.add_argument("--against", default="baseline", metavar="BASELINE",
                        help="the scenario to compare with (default baseline)")
    parser.add_argument("--replicates", type=replicate_count, default=DEFAULT_REPLICATES,
                        metavar="R", help="simulated years per scenario")
    parser.add_argument("--seed", type=base_seed, default=DEFAULT_SEED, metavar="N",
                        help="base seed; replicate i uses seed + i")
    parser.add_argument("--format", default=",".join(FORMATS), metavar="LIST",
                        help="comma-separated: html, pdf, pptx (default all three)")
    parser.add_argument("--out", type=output_directory, metavar="DIR",
                        help="output directory (default runs/report-SCENARIO); writes "
                             "report.html, report.pdf, report.pptx and report.json")
    add_parameters(parser)
    add_workers(parser)
    parser.set_defaults(handler=command_report)


def main(argv: list[str] | None = None) -> int:
    """``cxsim report SCENARIO ...`` on its own."""
    from cxsim.experiments.cli import main as cxsim_main

    return cxsim_main(["report", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    raise SystemExit(main())
