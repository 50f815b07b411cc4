"""``cxsim run``, ``cxsim compare`` and ``cxsim scenarios``."""

from __future__ import annotations

import argparse
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
    warn,
    wrote,
)
from cxsim.experiments.files import result_set
from cxsim.experiments.statistics import DEFAULT_REPLICATES, DEFAULT_SEED
from cxsim.model import ScenarioError

DEFAULT_SCENARIO = "techops_programme"


def _few_replicates(replicates: int) -> None:
    if replicates < 2:
        warn("one replicate: no range or interval; use --replicates 2 or more "
             f"(default {DEFAULT_REPLICATES})")


def command_run(args: argparse.Namespace) -> int:
    """Run a scenario's replicates, write the files, print month 0 against month 12."""
    from cxsim.experiments import outputs, plots
    from cxsim.experiments.runner import run_replicates
    from cxsim.experiments.uncertainty import plan_replicates
    from cxsim.model import load_scenario
    from cxsim.model.scenario import parse_assignment

    overrides = dict(parse_assignment(text) for text in args.set)
    scenario = load_scenario(args.scenario, overrides, origin="--set")
    out = args.out if args.out is not None else check_output(Path("runs") / scenario.name)
    seeds = checked_seeds(args.seed, args.replicates)
    workers = cap_workers(args.workers)
    _few_replicates(args.replicates)
    plan = plan_replicates(seeds, args.parameters)
    with result_set(out) as staging:
        with progress_bar() as progress:
            task = progress.add_task(f"{scenario.name}: replicates", total=len(seeds))
            monthly = run_replicates(
                scenario, seeds, workers=workers, draws=plan.draws,
                on_done=lambda n: progress.update(task, completed=n, refresh=True))
        summary = outputs.summarise(monthly)
        record = {**outputs.provenance(scenario, seeds), "replicate_plan": plan.record(),
                  "settings": outputs.settings(args.scenario, args.seed, args.replicates,
                                               args.set, args.parameters)}
        files = outputs.write_run(
            staging, monthly, summary, record,
            lambda path: plots.trajectories({scenario.name: monthly}, path,
                                            f"{scenario.name}: {len(seeds)} replicate(s)"))
    print_summary(scenario.name, summary, len(seeds))
    wrote(out / name for name in files)
    return 0


def command_compare(args: argparse.Namespace) -> int:
    """Run scenarios on common random numbers; differences against the first."""
    from cxsim.experiments import outputs, plots
    from cxsim.experiments.compare import OUTCOMES, compare
    from cxsim.model import load_scenario
    from cxsim.model.catalogue import metric

    scenarios = [load_scenario(name) for name in args.scenarios]
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        raise ScenarioError("<command line>", "scenarios", " ".join(args.scenarios),
                            "scenarios with different names")
    out = args.out if args.out is not None else check_output(
        Path("runs") / ("compare-" + "-vs-".join(names[:4])))
    checked_seeds(args.seed, args.replicates)
    workers = cap_workers(args.workers)
    _few_replicates(args.replicates)
    with result_set(out) as staging:
        with progress_bar() as progress:
            task = progress.add_task("replicates (all scenarios)",
                                     total=len(scenarios) * args.replicates)
            result = compare(scenarios, args.replicates, args.seed, workers,
                             on_done=lambda n: progress.update(task, completed=n, refresh=True),
                             parameters=args.parameters)
        point = ["--point"] if args.parameters == "point" else []
        record = {
            "reference": names[0], "month": result.month, "seeds": result.seeds,
            "common_random_numbers": "replicate i of every scenario uses seed base + i"
                                     + (" and the same posterior draw"
                                        if args.parameters == "posterior" else ""),
            "replicate_plan": result.plan.record(),
            "settings": {"scenarios": list(args.scenarios), "seed": args.seed,
                         "replicates": args.replicates, "parameters": args.parameters,
                         "reproduce": ["cxsim", "compare", *args.scenarios, "--seed",
                                       str(args.seed), "--replicates", str(args.replicates),
                                       *point]},
            "scenarios": {s.name: outputs.provenance(s, result.seeds) for s in scenarios},
            "differences": result.differences.round(4).to_dict(orient="records"),
        }
        frames = {name: result.monthly[result.monthly["scenario"] == name] for name in names}
        files = outputs.write_run(
            staging, result.monthly, {}, record,
            lambda path: plots.trajectories(frames, path, f"{len(names)} scenarios, "
                                            f"{args.replicates} replicates each",
                                            plots.COMPARE_PANELS),
            chart_name="fan_charts.png",
            extra={"differences.csv": lambda p: result.differences.to_csv(
                p, index=False, float_format="%.6g")})
    print_differences(result, names, {c: metric(c).axis for c in OUTCOMES})
    wrote(out / name for name in files)
    return 0


def print_differences(result: Any, names: list[str], labels: dict[str, str]) -> None:
    """Two month-12 tables (stdout), apart so that a level is never read as a difference: each
    scenario's level (mean and range of 90% of futures), then each scenario minus the first
    (mean paired difference, the range of 90% of the paired futures, and how much of that
    range's variance comes from the parameters; the rest is chance). No range from one
    replicate."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from cxsim.experiments.statistics import range_of_futures

    posterior = result.plan is not None and result.plan.parameters == "posterior"
    spread = "parameters and chance" if posterior else "chance alone, --point"
    n = len(result.seeds)
    console = Console(width=max(120, 30 + 30 * len(names)))
    at = result.monthly[result.monthly["month"] == result.month]
    replicates = f"{n} replicate{'s' * (n > 1)}"
    levels = Table(title=f"Month {result.month}: each scenario's level",
                   caption=escape(f"mean of {replicates}"
                                  + (f"; [range of 90% of futures: {spread}]" if n > 1
                                     else "; no range from one")))
    levels.add_column("outcome")
    for name in names:
        levels.add_column(name, justify="right")
    for column, label in labels.items():
        cells = []
        for name in names:
            futures = range_of_futures(at.loc[at["scenario"] == name, column])
            cells.append(f"{futures.mean:.1f}" + (f" [{futures.low:.1f}, {futures.high:.1f}]"
                                                  if futures.has_bounds() else ""))
        levels.add_row(label, *cells)
    console.print(levels)
    differences = Table(title=f"Month {result.month}: difference from {names[0]}",
                        caption=escape(f"scenario minus {names[0]}, mean of {replicates} "
                                       "paired on seeds"
                                       + (" and posterior draws" if posterior else "")
                                       + (f"; [range of 90% of paired futures: {spread}]"
                                          if n > 1 else "; no range from one")))
    differences.add_column("outcome")
    for name in names[1:]:
        differences.add_column(f"{name}\nminus {names[0]}", justify="right")
    diffs = result.differences.set_index(["scenario", "outcome"])
    for column, label in labels.items():
        cells = []
        for name in names[1:]:
            row = diffs.loc[(name, column)]
            cell = f"{row['difference']:+.1f}"
            if row["replicates"] > 1:
                cell += f" [{row['low']:+.1f}, {row['high']:+.1f}]"
            if posterior and row["parameter_share"] == row["parameter_share"]:
                cell += f"\n{100 * row['parameter_share']:.0f}% from parameters"
            cells.append(cell)
        differences.add_row(label, *cells)
    console.print(differences)


def print_summary(name: str, summary: dict, replicates: int) -> None:
    """Month 0 against month 12 of the headline metrics (stdout), with the range of 90% of
    futures and, when the replicates ran on posterior draws, the parameters' share of it."""
    from rich.console import Console
    from rich.table import Table

    spread = replicates > 1
    shares = spread and any((e["end"].get("parameter_share") or 0) > 0 for e in summary.values())
    table = Table(title=f"{name}: month 0 -> month 12"
                  + (f" (mean over {replicates} replicates; range: 90% of futures)"
                     if spread else ""))
    for column in ("metric", "unit"):
        table.add_column(column)
    for column in ("month 0", "month 12", "change"):
        table.add_column(column, justify="right")
    if shares:
        table.add_column("range from\nparameters", justify="right")
    for entry in summary.values():
        start, end = entry["start"], entry["end"]
        end_text = f"{end['mean']:.1f}"
        if spread:
            end_text += f" ({end['p5']:.1f} to {end['p95']:.1f})"
        cells = [entry["label"], entry["unit"], f"{start['mean']:.1f}", end_text,
                 f"{entry['change']:+.1f}"]
        if shares:
            share = end.get("parameter_share")
            cells.append("-" if share is None else f"{100 * share:.0f}%")
        table.add_row(*cells)
    Console(width=max(110, Console().width)).print(table)


def command_scenarios(args: argparse.Namespace) -> int:
    """List the scenarios a name can refer to: the user's folders', then the shipped ones."""
    from rich.console import Console
    from rich.table import Table

    from cxsim.model import shipped_scenarios
    from cxsim.model.scenario import scenario_summary, user_scenario_dirs

    folders = user_scenario_dirs()
    title = "Scenarios" + (f" (yours in {', '.join(map(str, folders))}, then the shipped ones)"
                           if folders else " (shipped)")
    table = Table(title=title)
    table.add_column("name")
    table.add_column("what it represents")
    for name, path in shipped_scenarios().items():
        table.add_row(name, scenario_summary(path)[1])
    Console(width=max(100, Console().width)).print(table)
    return 0


def register(commands: Any) -> None:
    """Add ``run``, ``compare`` and ``scenarios`` to an argparse subparsers object."""
    run = commands.add_parser(
        "run", help="run a scenario's replicates and write the results",
        description="Run SCENARIO's replicates (replicate i on seed N + i, N from --seed), write "
                    "monthly.csv, monthly.parquet, summary.json and trajectories.png into --out, "
                    "and print month 0 against month 12. The same scenario, seed and replicates "
                    "give identical files whatever --workers.")
    run.add_argument("scenario", nargs="?", default=DEFAULT_SCENARIO, metavar="SCENARIO",
                     help=f"a scenario's name (see cxsim scenarios) or a TOML file "
                          f"(default {DEFAULT_SCENARIO})")
    run.add_argument("--seed", type=base_seed, default=DEFAULT_SEED, metavar="N",
                     help="base seed; replicate i uses seed N + i")
    run.add_argument("--replicates", type=replicate_count, default=DEFAULT_REPLICATES, metavar="R",
                     help="simulated years of the scenario")
    run.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                     help="override a parameter, e.g. levers.psychological_safety=0.8 "
                          "(repeatable; default: none)")
    run.add_argument("--out", type=output_directory, metavar="DIR",
                     help="output directory (default runs/SCENARIO)")
    add_parameters(run)
    add_workers(run)
    run.set_defaults(handler=command_run)

    comparison = commands.add_parser(
        "compare", help="run scenarios on common random numbers and compare them with the first",
        description="Run every scenario on the same seeds (replicate i of each on seed N + i, "
                    "N from --seed) and report each one's month-12 difference from the first, "
                    "with the range of 90% of the paired futures (each replicate pair on its "
                    "own posterior draw and seed: parameter and chance uncertainty) and the "
                    "share of it the parameters give; writes differences.csv, "
                    "monthly.parquet, monthly.csv, summary.json and fan_charts.png into --out.")
    comparison.add_argument("scenarios", nargs="+", metavar="SCENARIO",
                            help="two or more scenarios (names or files); the first is the "
                                 "reference")
    comparison.add_argument("--replicates", type=replicate_count, default=DEFAULT_REPLICATES,
                            metavar="R", help="simulated years per scenario")
    comparison.add_argument("--seed", type=base_seed, default=DEFAULT_SEED, metavar="N",
                            help="base seed; replicate i of every scenario uses seed N + i")
    comparison.add_argument("--out", type=output_directory, metavar="DIR",
                            help="output directory (default runs/compare-A-vs-B...)")
    add_parameters(comparison)
    add_workers(comparison)
    comparison.set_defaults(handler=command_compare, minimum_scenarios=2)

    listing = commands.add_parser(
        "scenarios", help="list the scenarios (yours from --scenarios DIR, then the shipped)",
        description="List every scenario name a command accepts: those in the folders of "
                    "--scenarios DIR (or $CXSIM_SCENARIOS), then the shipped ones.")
    listing.set_defaults(handler=command_scenarios)
