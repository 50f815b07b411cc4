"""``cxsim fit-point``: the least-squares point of the default organisation given the TechOps Pro
case (the calibrated point, ``--point``; ``cxsim calibrate`` is the posterior)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from cxsim.experiments.cli.parser import (
    add_workers,
    cap_workers,
    check_output,
    non_negative_int,
    output_directory,
    positive_int,
    warn,
    whole_number,
    wrote,
)

DEFAULT_OUT = Path("runs") / "calibration"
SAMPLER_SEED = 2026  # the shipped record's: the defaults retrace it

DESCRIPTION = f"""\
The point calibration, which --point runs on (the posterior is `cxsim calibrate`). Fit the
free parameters of the default organisation (scenarios/baseline.toml, which every scenario
extends) to the figures of the TechOps Pro case (source 001, section 11; see
docs/sources.md): a seeded Bayesian-optimisation search (optuna), then trust-region least squares
(scipy), on replicate means of baseline and techops_programme; the best point is validated on
--validate fresh replicates.

What it writes:
  by default  a candidate baseline.toml and calibration_record.json into --out
              (default {DEFAULT_OUT}); the shipped scenarios are not touched
  --write     also replaces the shipped scenarios/baseline.toml and
              scenarios/calibration_record.json, and only if every target is within its
              tolerance; the previous files are kept in --out/backup-DATE-TIME/
  --dry-run   prints the record (JSON) on stdout and writes nothing

Exit status: 0 when every target is within tolerance; 1 when one is not (each such target is
listed on stderr with its mean, target, tolerance and how far off it is, and the shipped files
are left as they were); 2 for bad input, before anything runs.

The defaults are the budget of the shipped record (roughly half an hour on 2 cores); a quick look:
  cxsim fit-point --trials 3 --refine 0 --replicates 2 --validate 2
"""


def command_fit_point(args: argparse.Namespace) -> int:
    """Calibrate, report each target, write the candidate (and with --write, the shipped)."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    from cxsim.experiments import calibrate

    out = args.out if args.out is not None else DEFAULT_OUT
    if not args.dry_run:
        check_output(out)
    if args.write:
        check_output(calibrate.BASELINE.parent, "--write (the shipped scenarios folder)",
                     result_set=False)
    workers = cap_workers(args.workers)
    step = calibrate.refinement_step(args.trials)
    if 0 < args.refine < step:
        warn(f"--refine {args.refine} is less than one least-squares step ({step} "
             "evaluations): no refinement")
    console = Console(stderr=True, soft_wrap=True, highlight=False)
    with Progress(TextColumn("calibrating"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("best loss {task.fields[best]:.3f}"), TimeRemainingColumn(),
                  console=console) as bar:
        task = bar.add_task("trials", total=args.trials + args.refine, best=float("nan"))
        record = calibrate.calibrate(
            args.trials, args.replicates, args.validate, args.seed, workers, args.refine,
            lambda done, total, best: bar.update(task, completed=done, best=best))
    for row in record["targets"]:
        flag = "ok" if row["within_tolerance"] else "OUT"
        console.print(f"{flag:>3} {row['scenario']:>17} m{row['month']:<2} {row['column']:<24} "
                      f"target {row['value']:6.2f}  mean {row['mean']:6.2f} "
                      f"[{row['ci95'][0]:.2f}, {row['ci95'][1]:.2f}]  +/- {row['tolerance']}",
                      markup=False)
    outside = calibrate.out_of_tolerance(record)
    if args.dry_run:
        print(json.dumps(record, indent=2))
    else:
        candidate = calibrate.write_candidate(record, out)
        wrote(candidate, " (candidate; the shipped scenarios are unchanged)"
              if not (args.write and not outside) else "")
        if args.write and not outside:
            stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
            kept = calibrate.install(record, candidate, out / f"backup-{stamp}")
            wrote([calibrate.BASELINE, calibrate.RECORD],
                  f"; the previous ones are in {kept[0].parent}" if kept else "")
    if outside:
        sys.stderr.write(f"cxsim: fit-point: {len(outside)} of {len(record['targets'])} "
                         "targets out of tolerance"
                         + ("; the shipped scenarios were not changed" if args.write else "")
                         + ":\n" + "".join(f"  {line}\n" for line in outside))
        return 1
    return 0


def register(commands: Any) -> None:
    """Add ``fit-point`` to an argparse subparsers object."""
    parser = commands.add_parser(
        "fit-point", help="the least-squares point of the default organisation given the "
                          "TechOps Pro case, which --point runs on (writes a candidate; --write "
                          "replaces the shipped baseline)",
        description=DESCRIPTION)
    parser.add_argument("--trials", type=positive_int, default=200, metavar="N",
                        help="search trials (optuna TPE), one after another")
    parser.add_argument("--refine", type=non_negative_int, default=600, metavar="N",
                        help="model evaluations for the least-squares refinement (0: none)")
    parser.add_argument("--replicates", type=positive_int, default=20, metavar="R",
                        help="replicates per scenario per evaluation (seeds 0 to R-1)")
    parser.add_argument("--validate", type=whole_number(2), default=50, metavar="R",
                        help="fresh replicates to validate the best point (seeds 10000 + i; "
                             "at least 2 for an interval)")
    parser.add_argument("--seed", type=non_negative_int, default=SAMPLER_SEED, metavar="N",
                        help="the search's seed (default 2026, the shipped record's)")
    parser.add_argument("--out", type=output_directory, metavar="DIR",
                        help=f"where the candidate files go (default {DEFAULT_OUT})")
    add_workers(parser, "evaluations")
    what = parser.add_mutually_exclusive_group()
    what.add_argument("--write", action="store_true",
                      help="also replace the shipped baseline.toml and calibration record if "
                           "every target is within tolerance (the previous ones are kept)")
    what.add_argument("--dry-run", action="store_true",
                      help="print the record on stdout; write nothing")
    parser.set_defaults(handler=command_fit_point)
