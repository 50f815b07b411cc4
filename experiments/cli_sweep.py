"""``cxsim sweep`` and ``cxsim analyse``: the argparse side of the sweep and analysis packages.

    cxsim sweep SWEEP [--n N] [--replicates R] [--workers N] [--scheduler ADDRESS] [--out DIR]
    cxsim analyse DIR [--outcome "churn_m12 > 15"]

SWEEP is a sweep file's path or a shipped sweep's name (``sobol_levers``, ...). The ``cxsim``
command adds these with :func:`register`; :func:`main` runs them on their own (``python -m
cxsim.experiments.cli_sweep``). Results and the report go to files, progress and warnings to
stderr, rankings to stdout. Bad input raises :class:`~cxsim.model.errors.ScenarioError`, which
``cxsim`` (and :func:`main`) prints as one line, ``cxsim: error: FILE: KEY = VALUE: allowed (see
cxsim sweep --help)``, on stderr, exiting with 2. A sweep stopped by Ctrl-C or SIGTERM keeps what
was stored and says so in one line (exit 130 or 143); one whose Dask workers or scheduler went
away likewise (exit 1).
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cxsim.experiments.cli.parser import Parser, error_line, positive_int, warn
from cxsim.model.errors import ScenarioError, one_line


def positive_number(text: str) -> float:
    """An argument type: a finite number > 0 (seconds)."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"{one_line(repr(text))}: a number > 0 expected")
    return value


def _headless() -> None:
    """Charts are written to files: no window system needed."""
    import matplotlib

    matplotlib.use("Agg")


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread like Ctrl-C so that everything stops the same way."""


@contextlib.contextmanager
def _stops_cleanly() -> Iterator[None]:
    """SIGTERM raises :class:`Terminated` while the block runs (in the main thread only)."""
    def terminate(signum: int, frame: Any) -> None:
        raise Terminated()

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _stopped(error: KeyboardInterrupt, out: Path | None) -> int:
    """One line for an interrupted command, and its exit code (130 Ctrl-C, 143 SIGTERM)."""
    what, code = ("terminated", 143) if isinstance(error, Terminated) else ("interrupted", 130)
    report = getattr(error, "sweep_report", None)
    if report is not None:
        stored = report.runs_before + report.runs_done
        kept = (f": {stored} of {report.runs_total} runs are stored in {report.directory}; run "
                "the same command again to finish")
    elif out is not None:
        kept = f"; what was stored in {out} is kept"
    else:
        kept = ""
    sys.stderr.write(f"cxsim: {what}{one_line(kept)}\n")
    return code


def command_sweep(args: argparse.Namespace) -> int:
    """Run (or resume) a sweep, then analyse it; SIGINT and SIGTERM stop it cleanly."""
    out: list[Path] = []          # the result directory, once known (for the last line)
    try:
        with _stops_cleanly():
            return _sweep(args, out)
    except KeyboardInterrupt as error:
        return _stopped(error, out[0] if out else None)


def _sweep(args: argparse.Namespace, known: list[Path]) -> int:
    from rich.console import Console
    from rich.markup import escape

    from cxsim.experiments.sweep import (
        SweepStoppedError,
        check_scheduler,
        default_out,
        default_workers,
        load_sweep,
        run_sweep,
    )

    console = Console(stderr=True, soft_wrap=True, highlight=False)
    if args.scheduler is not None:
        check_scheduler(args.scheduler)         # a malformed address: one line, before anything
    sweep = load_sweep(args.sweep, n=args.n, replicates=args.replicates)
    out = Path(args.out) if args.out else default_out(sweep)
    known.append(out)
    if args.outcome:
        from cxsim.experiments.sweep import parse_outcome

        parse_outcome(args.outcome, sweep.spec, file="--outcome", key="outcome")
    cores = default_workers()
    workers = args.workers
    if workers and workers > cores and not args.scheduler:
        warn(f"--workers {workers} is more than the {cores} cores here; using {cores}")
        workers = cores
    where = f"Dask scheduler {args.scheduler}" if args.scheduler else (
        f"{workers} worker(s)" if workers else f"all {cores} cores")
    console.print(escape(f"{sweep.spec.name}: {sweep.spec.method}, {sweep.n_points} points x "
                         f"{sweep.replicates} replicate(s) = {sweep.n_runs} runs on {where} -> "
                         f"{out}"))
    try:
        with _quiet_dask(args.scheduler is not None):
            report = run_sweep(sweep, out, workers=workers, scheduler=args.scheduler,
                               progress=not args.quiet, chunk_size=args.chunk_size,
                               dask_timeout=args.dask_timeout)
    except SweepStoppedError as error:
        sys.stderr.write(f"cxsim: error: {error}\n")
        return 1
    console.print(escape(f"{report.runs_done} runs in {report.wall_seconds:.1f} s "
                         f"({report.runs_before} already stored); results in {out}"))
    if not report.complete:
        console.print("incomplete: run the same command again to finish")
        return 1
    if args.no_analyse:
        return 0
    _headless()
    from cxsim.experiments.analysis import analyse

    result = analyse(out, outcome=args.outcome)
    for warning in result.warnings:
        warn(warning)
    console.print(escape(f"analysis: {result.report}"))
    return 0


@contextlib.contextmanager
def _quiet_dask(quiet: bool) -> Iterator[None]:
    """Dask's own log lines (a lost connection is a many-line traceback) would break the one
    line this command prints for it: held back while the sweep runs."""
    import logging

    if not quiet:
        yield
        return
    import distributed  # noqa: F401 - its loggers (each with its own level and handler) exist now

    loggers = [logger for name, logger in logging.root.manager.loggerDict.items()
               if name.split(".")[0] == "distributed" and isinstance(logger, logging.Logger)]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def command_analyse(args: argparse.Namespace) -> int:
    """Analyse a sweep directory: indices, charts, ranking, scenario discovery."""
    try:
        with _stops_cleanly():
            return _analyse(args)
    except KeyboardInterrupt as error:
        return _stopped(error, None)


def _analyse(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.markup import escape

    _headless()
    from cxsim.experiments.analysis import analyse

    result = analyse(args.directory, outcome=args.outcome)
    print(result.summary())
    for warning in result.warnings:
        warn(warning)
    Console(stderr=True, soft_wrap=True, highlight=False).print(escape(
        f"wrote {result.report} and {len(result.files) - 1} other files in {result.folder}"))
    return 0


def register(subparsers: Any) -> None:
    """Add ``sweep`` and ``analyse`` to an argparse subparsers object."""
    sweep = subparsers.add_parser(
        "sweep", help="run a sensitivity sweep (parallel, resumable), then analyse it",
        description="Run every (point, replicate) of a sweep not yet stored in --out; a killed "
                    "sweep started again runs only what is missing.")
    sweep.add_argument("sweep", metavar="SWEEP",
                       help="a sweep file (.toml) or a shipped sweep's name: sobol_levers, "
                            "morris_screening, whatif_safety_incentives")
    sweep.add_argument("--n", type=positive_int, help="override the sample size (a quick look)")
    sweep.add_argument("--replicates", type=positive_int, metavar="R",
                       help="override replicates per point")
    sweep.add_argument("--workers", type=positive_int, metavar="N",
                       help="local worker processes (default: all cores)")
    sweep.add_argument("--scheduler", metavar="ADDRESS",
                       help="a Dask scheduler address, e.g. tcp://10.0.0.5:8786 (instead of "
                            "local processes)")
    sweep.add_argument("--out", metavar="DIR",
                       help="result directory (default results/sweeps/NAME_nN_rR; grid and "
                            "one-at-a-time sweeps: NAME_rR)")
    sweep.add_argument("--chunk-size", type=positive_int, metavar="RUNS",
                       help="runs per task (default: automatic)")
    sweep.add_argument("--outcome", metavar="EXPR",
                       help="PRIM outcome, e.g. 'churn_m12 > 15' (default: the file's "
                            "[discovery]; another outcome's analysis goes to "
                            "DIR/analysis/outcome_...)")
    sweep.add_argument("--dask-timeout", type=positive_number, default=60.0, metavar="SECONDS",
                       help="with --scheduler: how long to wait for a Dask worker, or for the "
                            "scheduler, before stopping (what was stored is kept)")
    sweep.add_argument("--no-analyse", action="store_true", help="do not analyse at the end")
    sweep.add_argument("--quiet", action="store_true", help="no progress bar")
    sweep.set_defaults(handler=command_sweep)
    analyse = subparsers.add_parser(
        "analyse", help="Sobol/Morris indices, what-if grids, charts and scenario discovery "
                        "for a sweep directory",
        description="Write tables, charts and REPORT.md into DIR/analysis; with an --outcome "
                    "other than the sweep file's, into DIR/analysis/outcome_NAME_OP_VALUE (an "
                    "earlier analysis is never replaced by one of another outcome).")
    analyse.add_argument("directory", metavar="DIR", help="a directory written by cxsim sweep")
    analyse.add_argument("--outcome", metavar="EXPR", help="PRIM outcome, e.g. 'churn_m12 > 15'")
    analyse.set_defaults(handler=command_analyse)


def main(argv: list[str] | None = None) -> int:
    """``python -m cxsim.experiments.cli_sweep sweep|analyse ...``, as ``cxsim`` runs them."""
    parser = Parser(prog="cxsim")
    register(parser.add_subparsers(dest="command", required=True, parser_class=Parser))
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except ScenarioError as error:
        sys.stderr.write(error_line(str(error), parser.subcommand(args).prog))
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("cxsim: interrupted\n")
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
