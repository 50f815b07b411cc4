"""The ``cxsim`` command.

    cxsim run [SCENARIO] [--seed N] [--replicates R] [--set key=value ...] [--out DIR]
    cxsim compare A B ... [--replicates R] [--seed N] [--out DIR]
    cxsim calibrate [--trials N] [--replicates R] [--validate R] [--seed S]
    cxsim sweep FILE ... | cxsim analyse DIR
    cxsim report SCENARIO [--against BASELINE] [--format html,pdf,pptx]
    cxsim dashboard [--port P]
    cxsim scenarios

Bad input prints one line (``cxsim: error: FILE: KEY = VALUE: what is allowed``) on stderr and
exits with 2, before anything is written.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from cxsim.experiments import outputs, plots
from cxsim.experiments.arguments import non_negative_int, positive_int
from cxsim.experiments.runner import replicate_seeds, run_replicates
from cxsim.model import ScenarioError, load_scenario, shipped_scenarios
from cxsim.model.catalogue import metric
from cxsim.model.scenario import parse_assignment, scenario_summary

DEFAULT_SCENARIO = "techops_programme"
console = Console(stderr=True)


class Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"cxsim: error: {self.prog}: {message} (see {self.prog} --help)\n")
        raise SystemExit(2)


def progress_bar() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeRemainingColumn(), console=console, transient=False)


def command_run(args: argparse.Namespace) -> int:
    overrides = dict(parse_assignment(text) for text in args.set)
    scenario = load_scenario(args.scenario, overrides, origin="--set")
    seeds = replicate_seeds(args.seed, args.replicates)
    out = Path(args.out) if args.out else Path("runs") / scenario.name
    with progress_bar() as progress:
        task = progress.add_task(f"{scenario.name}: replicates", total=len(seeds))
        monthly = run_replicates(scenario, seeds, workers=args.workers,
                                 on_done=lambda n: progress.update(task, completed=n))
    summary = outputs.summarise(monthly)
    record = outputs.provenance(scenario, seeds, ["cxsim", *sys.argv[1:]])
    files = outputs.write_run(
        out, monthly, summary, record,
        lambda path: plots.trajectories({scenario.name: monthly}, path,
                                        f"{scenario.name}: {len(seeds)} replicate(s)"))
    print_summary(scenario.name, summary, len(seeds))
    console.print("wrote " + ", ".join(str(f) for f in files))
    return 0


def command_compare(args: argparse.Namespace) -> int:
    from cxsim.experiments.compare import OUTCOMES, compare

    scenarios = [load_scenario(name) for name in args.scenarios]
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        raise ScenarioError("<command line>", "scenarios", " ".join(args.scenarios),
                            "scenarios with different names")
    out = Path(args.out) if args.out else Path("runs") / ("compare-" + "-vs-".join(names[:4]))
    total = len(scenarios) * args.replicates
    with progress_bar() as progress:
        task = progress.add_task("replicates (all scenarios)", total=total)
        result = compare(scenarios, args.replicates, args.seed, args.workers,
                         on_done=lambda n: progress.update(task, completed=n))
    record = {
        "reference": names[0], "month": result.month, "seeds": result.seeds,
        "common_random_numbers": "replicate i of every scenario uses seed base + i",
        "scenarios": {s.name: outputs.provenance(s, result.seeds, ["cxsim", *sys.argv[1:]])
                      for s in scenarios},
        "differences": result.differences.round(4).to_dict(orient="records"),
    }
    frames = {name: result.monthly[result.monthly["scenario"] == name] for name in names}
    files = outputs.write_run(
        out, result.monthly, {}, record,
        lambda path: plots.trajectories(frames, path, f"{len(names)} scenarios, "
                                        f"{args.replicates} replicates each", OUTCOMES),
        chart_name="fan_charts.png")
    table_path = out / "differences.csv"
    outputs.write_atomic(table_path, lambda p: result.differences.to_csv(p, index=False,
                                                                        float_format="%.6g"))
    print_differences(result, names, {c: metric(c).axis for c in OUTCOMES})
    console.print("wrote " + ", ".join(str(f) for f in [*files, table_path]))
    return 0


def print_differences(result, names: list[str], labels: dict[str, str]) -> None:
    table = Table(title=f"Month {result.month}: each scenario minus {names[0]} "
                  f"(mean of {len(result.seeds)} paired replicates, 95% interval)")
    table.add_column("outcome")
    table.add_column(names[0], justify="right")
    for name in names[1:]:
        table.add_column(name, justify="right")
    diffs = result.differences.set_index(["scenario", "outcome"])
    for column, label in labels.items():
        cells = [f"{diffs.loc[(names[0], column), 'scenario_mean']:.1f}"]
        for name in names[1:]:
            row = diffs.loc[(name, column)]
            cells.append(f"{row['difference']:+.1f} [{row['ci95_low']:+.1f}, "
                         f"{row['ci95_high']:+.1f}]")
        table.add_row(label, *cells)
    Console(width=max(120, 30 + 26 * len(names))).print(table)


def print_summary(name: str, summary: dict, replicates: int) -> None:
    spread = replicates > 1
    table = Table(title=f"{name}: month 0 -> month 12"
                  + (f" (mean over {replicates} replicates; 90% range)" if spread else ""))
    table.add_column("metric")
    table.add_column("unit")
    table.add_column("month 0", justify="right")
    table.add_column("month 12", justify="right")
    table.add_column("change", justify="right")
    for entry in summary.values():
        start, end = entry["start"], entry["end"]
        end_text = f"{end['mean']:.1f}"
        if spread:
            end_text += f" ({end['p5']:.1f} to {end['p95']:.1f})"
        table.add_row(entry["label"], entry["unit"], f"{start['mean']:.1f}", end_text,
                      f"{entry['change']:+.1f}")
    Console().print(table)


def command_scenarios(args: argparse.Namespace) -> int:
    table = Table(title="Shipped scenarios (scenarios/*.toml)")
    table.add_column("name")
    table.add_column("what it represents")
    for name, path in shipped_scenarios().items():
        table.add_row(name, scenario_summary(path)[1])
    Console(width=max(100, Console().width)).print(table)
    return 0


def build_parser() -> Parser:
    parser = Parser(prog="cxsim", description="Simulate CX culture change (Mesa ABM).")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    run = commands.add_parser("run", help="run a scenario's replicates and write the results")
    run.add_argument("scenario", nargs="?", default=DEFAULT_SCENARIO,
                     help=f"a shipped scenario's name or a TOML file (default {DEFAULT_SCENARIO})")
    run.add_argument("--seed", type=non_negative_int, default=0,
                     help="base seed; replicate i uses seed + i (default 0)")
    run.add_argument("--replicates", type=positive_int, default=1, help="runs (default 1)")
    run.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                     help="override a parameter, e.g. levers.psychological_safety=0.8")
    run.add_argument("--out", help="output directory (default runs/SCENARIO)")
    run.add_argument("--workers", type=positive_int, default=os.cpu_count() or 1,
                     help="processes for the replicates (default: all cores)")
    run.set_defaults(handler=command_run)
    comparison = commands.add_parser(
        "compare", help="run scenarios on common random numbers and compare them with the first")
    comparison.add_argument("scenarios", nargs="+", help="two or more scenarios (names or files)")
    comparison.add_argument("--replicates", type=positive_int, default=30)
    comparison.add_argument("--seed", type=non_negative_int, default=0)
    comparison.add_argument("--out", help="output directory (default runs/compare-...)")
    comparison.add_argument("--workers", type=positive_int, default=os.cpu_count() or 1)
    comparison.set_defaults(handler=command_compare)
    calibration = commands.add_parser(
        "calibrate", help="fit the default organisation to the TechOps Pro case")
    from cxsim.experiments import calibrate
    calibrate.add_arguments(calibration)
    calibration.set_defaults(handler=calibrate.run)
    listing = commands.add_parser("scenarios", help="list the shipped scenarios")
    listing.set_defaults(handler=command_scenarios)
    from cxsim.experiments import dashboard, report, sweep_cli

    sweep_cli.register(commands)
    report.register(commands)
    dashboard.register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "compare" and len(args.scenarios) < 2:
        parser.error("compare needs at least two scenarios")
    try:
        return int(args.handler(args))
    except ScenarioError as error:
        sys.stderr.write(f"cxsim: error: {error}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("cxsim: interrupted\n")
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
