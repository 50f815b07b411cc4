"""``cxsim screen``: which parameters the TechOps case can inform, by Morris screening on the
calibration's targets (experiments/screening.py)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from cxsim.experiments.cli.parser import (
    add_workers,
    cap_workers,
    check_record_outputs,
    install_record,
    non_negative_int,
    output_directory,
    positive_int,
)

DEFAULT_OUT = Path("runs") / "screening"

DESCRIPTION = f"""\
Morris screening of the behavioural parameters (about 140) on the calibration's targets: one Morris
sweep of baseline and one of techops_programme, each parameter over its prior (the free ones) or
its shipped value +-50%, each effect in tolerances of the target it moves. Prints the parameters
that move a target by at least its tolerance per step, the free ones that move none and the fixed
ones that move one. Seeded; the sweeps resume from their folders (OUT-sweeps beside --out).

What it writes:
  by default  screening_record.json (settings, ranges, every effect, the summary) into --out
              (default {DEFAULT_OUT})
  --write     also into the shipped scenarios folder (docs/validation.md reads it there)
"""


def command_screen(args: argparse.Namespace) -> int:
    from rich.console import Console

    from cxsim.experiments import screening

    out = check_record_outputs(args.out if args.out is not None else DEFAULT_OUT,
                               screening.SCREENING_RECORD, args.write)
    settings = screening.ScreeningSettings(trajectories=args.trajectories,
                                           replicates=args.replicates, seed=args.seed)
    console = Console(stderr=True, soft_wrap=True, highlight=False)
    ranges, left = screening.screening_ranges()
    console.print(f"Morris screening of {len(ranges)} parameters ({len(left)} left out): "
                  f"{args.trajectories} trajectories x {len(ranges) + 1} points x "
                  f"{args.replicates} replicates x 2 scenarios = "
                  f"{2 * args.trajectories * (len(ranges) + 1) * args.replicates:,} runs",
                  markup=False)
    rec = screening.run_screening(
        settings, out.with_name(out.name + "-sweeps"), cap_workers(args.workers),
        lambda name: console.print(f"sweep of {name}", markup=False))
    summary = rec["summary"]
    console.print(f"{rec['runs']:,} runs in {rec['seconds']:.0f} s. Largest effects (in "
                  "tolerances of a target, per Morris step):", markup=False)
    for entry in summary["parameters"][:args.show]:
        console.print(f"  {'free ' if entry['free'] else 'fixed'} {entry['key']:<44} "
                      f"{entry['largest']:7.2f} on {entry['largest_on']}; moves "
                      f"{len(entry['moves'])} target(s)", markup=False)
    console.print("free, moving no target: " + (", ".join(summary["free_moving_none"])
                                                or "none"), markup=False)
    console.print("fixed, moving a target: " + (", ".join(summary["fixed_moving"]) or "none"),
                  markup=False)
    install_record(screening.write_screening(rec, out), screening.SCREENING_RECORD, args.write)
    return 0


def register(commands: Any) -> None:
    """Add ``screen`` to an argparse subparsers object."""
    from cxsim.experiments.screening import ScreeningSettings

    defaults = ScreeningSettings()
    parser = commands.add_parser(
        "screen", help="Morris screening: which parameters move the calibration's targets",
        description=DESCRIPTION)
    parser.add_argument("--trajectories", type=positive_int, default=defaults.trajectories,
                        metavar="N", help=f"Morris trajectories (default {defaults.trajectories})")
    parser.add_argument("--replicates", type=positive_int, default=defaults.replicates,
                        metavar="R", help=f"runs per point, on common random numbers (default "
                                          f"{defaults.replicates}; 1 gives no noise floor)")
    parser.add_argument("--seed", type=non_negative_int, default=defaults.seed, metavar="N",
                        help=f"the sweeps' seed (default {defaults.seed})")
    parser.add_argument("--show", type=non_negative_int, default=25, metavar="K",
                        help="parameters printed, largest effect first (default 25)")
    parser.add_argument("--out", type=output_directory, metavar="DIR",
                        help=f"where the record goes (default {DEFAULT_OUT})")
    add_workers(parser, "runs")
    parser.add_argument("--write", action="store_true",
                        help="also write the record into the shipped scenarios folder")
    parser.set_defaults(handler=command_screen)
