"""The ``cxsim report`` command: arguments, progress bars and the one-line error.

    cxsim report SCENARIO [--against BASELINE] [--replicates R] [--seed N]
                 [--format html,pdf,pptx] [--out DIR] [--workers N]

It runs SCENARIO and BASELINE on common random numbers and writes, into ``--out`` (default
``runs/report-SCENARIO``), ``report.html``, ``report.pdf``, ``report.pptx`` and ``report.json``
(``experiments.report``). :func:`register` adds the command to the ``cxsim`` parser;
:func:`main` runs it on its own (``python -m cxsim.experiments.cli_report``).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Any

from cxsim.experiments.cli.parser import non_negative_int, positive_int
from cxsim.experiments.report.build import FORMATS, build_report, check_pair, parse_formats
from cxsim.experiments.statistics import DEFAULT_REPLICATES, DEFAULT_SEED
from cxsim.model import ScenarioError, load_scenario


def command_report(args: argparse.Namespace) -> int:
    """Handler of ``cxsim report``."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    console = Console(stderr=True)
    formats = parse_formats(args.format)
    scenario = load_scenario(args.scenario)
    against = load_scenario(args.against)
    check_pair(scenario, against)
    command = (["cxsim", "report", *args.argv] if args.argv is not None
               else ["cxsim", *sys.argv[1:]])
    started = time.perf_counter()
    steps = 7 + ("pdf" in formats) + ("pptx" in formats)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console) as progress:
        runs = progress.add_task("replicates (both scenarios)", total=2 * args.replicates)
        build = progress.add_task("report", total=steps)

        def on_step(name: str) -> None:
            progress.update(build, advance=1, description=f"report: {name}")

        written = build_report(scenario, against, replicates=args.replicates, seed=args.seed,
                               workers=args.workers, formats=formats, out=args.out,
                               command=command,
                               on_done=lambda n: progress.update(runs, completed=n),
                               on_step=on_step)
        progress.update(build, completed=steps, description="report: done")
    console.print(f"wrote {', '.join(str(p) for p in written.values())} in "
                  f"{time.perf_counter() - started:.1f} s")
    return 0


def _guarded(args: argparse.Namespace) -> int:
    try:
        return command_report(args)
    except ScenarioError as error:
        sys.stderr.write(f"cxsim: error: {error}\n")
        return 2


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
    parser.add_argument("--replicates", type=positive_int, default=DEFAULT_REPLICATES,
                        metavar="R",
                        help=f"simulated years per scenario (default {DEFAULT_REPLICATES})")
    parser.add_argument("--seed", type=non_negative_int, default=DEFAULT_SEED, metavar="N",
                        help=f"base seed; replicate i uses seed + i (default {DEFAULT_SEED})")
    parser.add_argument("--format", default=",".join(FORMATS), metavar="LIST",
                        help="comma-separated: html, pdf, pptx (default all three)")
    parser.add_argument("--out", metavar="DIR",
                        help="output directory (default runs/report-SCENARIO); writes "
                             "report.html, report.pdf, report.pptx and report.json")
    parser.add_argument("--workers", type=positive_int, default=os.cpu_count() or 1, metavar="N",
                        help="processes for the replicates (default: all cores)")
    parser.set_defaults(handler=_guarded, argv=None)


class _Parser(argparse.ArgumentParser):
    """argparse with one-line usage errors (exit 2), as ``cxsim`` itself."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"cxsim: error: {self.prog}: {message} (see {self.prog} --help)\n")
        raise SystemExit(2)


def main(argv: list[str] | None = None) -> int:
    """``cxsim report SCENARIO ...`` on its own."""
    argv = sys.argv[1:] if argv is None else argv
    parser = _Parser(prog="cxsim")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    register(commands)
    args = parser.parse_args(["report", *argv])
    args.argv = argv
    return int(args.handler(args))


if __name__ == "__main__":
    raise SystemExit(main())
