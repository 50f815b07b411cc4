"""``cxsim sweep`` and ``cxsim analyse``.

    cxsim sweep FILE [--n N] [--replicates R] [--workers N] [--scheduler ADDRESS] [--out DIR]
    cxsim analyse DIR [--outcome "churn_m12 > 15"]

``experiments.cli`` adds these with :func:`register`; ``python -m cxsim.experiments.sweep_cli`` runs
them on their own. Bad input prints one line, ``cxsim: error: FILE: KEY = VALUE: allowed``, on
stderr and exits with 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cxsim.experiments.arguments import positive_int
from cxsim.model.scenario import ScenarioError


def _guarded(handler: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        try:
            return int(handler(args))
        except ScenarioError as error:
            sys.stderr.write(f"cxsim: error: {error}\n")
            return 2
    run.__name__ = handler.__name__
    run.__doc__ = handler.__doc__
    return run


def command_sweep(args: argparse.Namespace) -> int:
    """Run (or resume) a sweep, then analyse it."""
    from rich.console import Console

    from cxsim.experiments.sweep import default_out, default_workers, load_sweep, run_sweep

    console = Console(stderr=True, soft_wrap=True)
    sweep = load_sweep(args.file, n=args.n, replicates=args.replicates)
    out = Path(args.out) if args.out else default_out(sweep)
    where = f"Dask scheduler {args.scheduler}" if args.scheduler else (
        f"{args.workers} worker(s)" if args.workers else f"all {default_workers()} cores")
    console.print(f"{sweep.spec.name}: {sweep.spec.method}, {sweep.n_points} points x "
                  f"{sweep.replicates} replicate(s) = {sweep.n_runs} runs on {where} -> {out}")
    report = run_sweep(sweep, out, workers=args.workers, scheduler=args.scheduler,
                       progress=not args.quiet, chunk_size=args.chunk_size)
    console.print(f"{report.runs_done} runs in {report.wall_seconds:.1f} s "
                  f"({report.runs_before} already stored); results in {out}")
    if not report.complete:
        console.print("incomplete: run the same command again to finish")
        return 1
    if args.no_analyse:
        return 0
    from cxsim.experiments.sweep_analysis import analyse

    result = analyse(out, outcome=args.outcome)
    console.print(f"analysis: {result.report}")
    return 0


def command_analyse(args: argparse.Namespace) -> int:
    """Analyse a sweep directory: indices, charts, ranking, scenario discovery."""
    from rich.console import Console

    from cxsim.experiments.sweep_analysis import analyse

    result = analyse(args.directory, outcome=args.outcome)
    print(result.summary())
    Console(stderr=True, soft_wrap=True).print(
        f"wrote {result.report} and {len(result.files) - 1} other files in "
        f"{result.report.parent}")
    return 0


def register(subparsers: Any) -> None:
    """Add ``sweep`` and ``analyse`` to an argparse subparsers object."""
    sweep = subparsers.add_parser(
        "sweep", help="run a sensitivity sweep file (parallel, resumable), then analyse it",
        description="Run every (point, replicate) of a sweep file not yet stored in --out; a "
                    "killed sweep started again runs only what is missing.")
    sweep.add_argument("file", metavar="FILE", help="a sweep file (experiments/sweeps/*.toml)")
    sweep.add_argument("--n", type=positive_int, help="override the sample size (a quick look)")
    sweep.add_argument("--replicates", type=positive_int, metavar="R",
                       help="override replicates per point")
    sweep.add_argument("--workers", type=positive_int, metavar="N",
                       help="local worker processes (default: all cores)")
    sweep.add_argument("--scheduler", metavar="ADDRESS",
                       help="a Dask scheduler address, e.g. tcp://10.0.0.5:8786 (instead of "
                            "local processes)")
    sweep.add_argument("--out", metavar="DIR",
                       help="result directory (default results/sweeps/NAME_nN_rR)")
    sweep.add_argument("--chunk-size", type=positive_int, metavar="RUNS",
                       help="runs per task (default: automatic)")
    sweep.add_argument("--outcome", metavar="EXPR",
                       help="PRIM outcome, e.g. 'churn_m12 > 15' (default: the file's "
                            "[discovery])")
    sweep.add_argument("--no-analyse", action="store_true", help="do not analyse at the end")
    sweep.add_argument("--quiet", action="store_true", help="no progress bar")
    sweep.set_defaults(handler=_guarded(command_sweep))
    analyse = subparsers.add_parser(
        "analyse", help="Sobol/Morris indices, what-if grids, charts and scenario discovery "
                        "for a sweep directory",
        description="Write tables, charts and REPORT.md into DIR/analysis.")
    analyse.add_argument("directory", metavar="DIR", help="a directory written by cxsim sweep")
    analyse.add_argument("--outcome", metavar="EXPR", help="PRIM outcome, e.g. 'churn_m12 > 15'")
    analyse.set_defaults(handler=_guarded(command_analyse))


class _Parser(argparse.ArgumentParser):
    """argparse with one-line usage errors (exit 2), as ``cxsim`` itself."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"cxsim: error: {self.prog}: {message} (see {self.prog} --help)\n")
        raise SystemExit(2)


def main(argv: list[str] | None = None) -> int:
    """``python -m cxsim.experiments.sweep_cli sweep|analyse ...``."""
    parser = _Parser(prog="cxsim")
    register(parser.add_subparsers(dest="command", required=True, parser_class=_Parser))
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except KeyboardInterrupt:
        sys.stderr.write("cxsim: interrupted\n")
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
