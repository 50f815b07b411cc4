"""``cxsim calibrate`` (also ``cxsim posterior``): an ABC-SMC posterior of the default
organisation given the TechOps Pro case (experiments/posterior.py); ``cxsim recovery``: its
parameter recovery (experiments/recovery.py)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path
from typing import Any

from cxsim.experiments.cli.parser import (
    add_workers,
    cap_workers,
    check_output,
    check_record_outputs,
    install_record,
    non_negative_int,
    one_line,
    output_directory,
    positive_int,
    progress_bar,
    warn,
    wrote,
)

DEFAULT_OUT = Path("runs") / "posterior"
ASSUMED_ACCEPTANCE = 0.3   # the time estimate's, without a shipped posterior record

DESCRIPTION = f"""\
The calibration (also `cxsim posterior`). Approximate the posterior of the default
organisation's free parameters (the ranges of experiments/calibrate.py FREE as uniform priors)
given the figures of the TechOps Pro case (source 001, section 11) and the steady-baseline
assumption, by ABC-SMC (pyabc): each simulation runs baseline and techops_programme once on a
common seed; the distance scales each figure by its tolerance. Seeded: the same --seed gives
the same posterior with any --workers, and a run stopped part-way resumes from its database
(--db) where it stopped.

What it writes:
  by default  posterior.csv (the last generation's particles: weight, distance, parameters) and
              posterior_record.json (settings, versions, priors, data, each generation's epsilon,
              acceptance and simulations, run count, duration, and the posterior predictive
              check: each figure's 90% interval over --check fresh simulations) into --out
              (default {DEFAULT_OUT});
              pyabc's history database at --db (default: beside --out, OUT.db)
  --write     also copies both into the shipped scenarios folder (the previous ones are kept in
              --out/backup-DATE-TIME/), unless a case figure lies outside its posterior
              predictive 90% interval

Exit status: 0 when done; 1 when --write is refused because a case figure lies outside the
posterior predictive 90% interval (the draws are still written into --out); 2 for bad input,
before anything runs.

The point that --point runs on is the least-squares fit of `cxsim fit-point` (docs/validation.md
says where it lies in the posterior).

A quick look (about a minute on 2 cores): cxsim calibrate --population 20 --generations 2
"""


def _acceptances(generations: int) -> list[float]:
    """Each generation's expected acceptance: the shipped posterior's record's, where it has
    one (its last for any generation beyond), else ``ASSUMED_ACCEPTANCE``."""
    from cxsim.experiments import posterior

    seen: list[float] = []
    if posterior.POSTERIOR_RECORD.exists():
        try:
            record = json.loads(posterior.POSTERIOR_RECORD.read_text(encoding="utf-8"))
            seen = [float(g["acceptance"]) for g in record["generations"]]
        except (ValueError, KeyError, TypeError):
            seen = []
    seen = [a for a in seen if a > 0] or [ASSUMED_ACCEPTANCE]
    return [seen[min(t, len(seen) - 1)] for t in range(generations)]


def _estimate(population: int, generations: int, workers: int) -> tuple[int, float]:
    """Simulations (at the acceptances of ``_acceptances``) and seconds, from one simulation
    timed here."""
    from cxsim.experiments import posterior

    posterior.case_statistics({}, 0)            # loads the kernels and the scenarios
    started = time.perf_counter()
    posterior.case_statistics({}, 1)
    each = time.perf_counter() - started
    simulations = population + round(sum(population / a for a in _acceptances(generations)))
    return simulations, simulations * each / workers


SQLITE_HEADER = b"SQLite format 3\x00"


def _check_database(path: Path) -> None:
    """--db must be a new file or an SQLite database (pyabc's history), before anything runs."""
    from cxsim.model import ScenarioError

    if not path.exists():
        return
    try:
        with open(path, "rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as error:
        raise ScenarioError("<command line>", "--db", str(path),
                            f"a readable file ({error.strerror})") from None
    if header != SQLITE_HEADER:
        raise ScenarioError("<command line>", "--db", str(path),
                            "a new file or pyabc's history database from an earlier "
                            "cxsim calibrate (SQLite)")


def command_posterior(args: argparse.Namespace) -> int:
    from rich.console import Console

    from cxsim.experiments import posterior

    out = args.out if args.out is not None else DEFAULT_OUT
    check_output(out)
    if args.write:
        check_output(posterior.POSTERIOR.parent, "--write (the shipped scenarios folder)",
                     result_set=False)
    database = args.db if args.db is not None else out.with_name(out.name + ".db")
    _check_database(database)
    workers = cap_workers(args.workers)
    settings = posterior.Settings(population=args.population, generations=args.generations,
                                  min_acceptance=args.min_acceptance, seed=args.seed)
    console = Console(stderr=True, soft_wrap=True, highlight=False)
    simulations, seconds = _estimate(args.population, args.generations, workers)
    console.print(f"ABC-SMC: {args.population} particles, up to {args.generations} generations: "
                  f"about {simulations:,} simulations ({2 * simulations:,} runs) if the "
                  f"generations accept as the shipped posterior's did, at least "
                  f"{seconds / 60:.1f} min on {workers} worker{'s' * (workers > 1)} (the "
                  f"simulations alone); history in {database}", markup=False)
    with progress_bar() as bar, posterior.process_map(workers) as map_:
        task = bar.add_task("generation 0", total=args.population)

        def on_particle(done: int, n: int) -> None:
            bar.update(task, completed=done, total=n, refresh=True)

        def on_generation(t: int, epsilon: float, acceptance: float) -> None:
            console.print(f"generation {t}: epsilon {epsilon:.3f}, acceptance "
                          f"{acceptance:.1%}", markup=False)
            if t + 1 < args.generations:
                bar.update(task, description=f"generation {t + 1}", completed=0,
                           refresh=True)

        calibration = posterior.run_abc(settings, database, map_, on_generation, on_particle)
        predictive = None
        if args.check:
            bar.update(task, description="predictive check", completed=0, total=args.check,
                       refresh=True)
            predictive = posterior.predictive_check(posterior.draws(calibration.history),
                                                    args.check, map_)
            bar.update(task, completed=args.check, refresh=True)
        converged = None
        if args.check and calibration.history.max_t >= 1:
            bar.update(task, description="convergence", completed=0, total=1, refresh=True)
            converged = posterior.convergence(calibration.history, args.check, map_)
            bar.update(task, completed=1, refresh=True)
    rec = posterior.record(calibration, predictive, converged)
    console.print(f"{rec['simulations']:,} simulations ({rec['runs']:,} runs) in "
                  f"{rec['seconds']:.0f} s; {rec['draws']} draws, effective sample size "
                  f"{rec['effective_sample_size']:.0f}", markup=False)
    for row in predictive or []:
        flag = "ok" if row["inside_90"] else "OUT"
        console.print(f"{flag:>3} {row['name']:<42} observed {row['observed']:6.2f}  "
                      f"predicted 90% [{row['p05']:.2f}, {row['p95']:.2f}]", markup=False)
    told = rec["identifiability"]
    console.print("what the case tells of each parameter (contraction: 1 - posterior / prior "
                  "variance):", markup=False)
    for row in told["parameters"]:
        console.print(f"    {row['key']:<36} {row['contraction']:6.2f}", markup=False)
    console.print("strongest posterior correlations: " + "; ".join(
        f"{r['a']} ~ {r['b']} {r['correlation']:+.2f}" for r in told["strongest_correlations"]),
        markup=False)
    for row in converged or []:
        console.print(f"convergence, {row['headline']}: " + "; ".join(
            f"generation {key[1:]} mean {v['mean']:+.2f} [{v['p05']:+.2f}, {v['p95']:+.2f}]"
            for key, v in row.items() if key.startswith("t"))
            + f"; shift {row.get('shift_in_sd', float('nan')):+.2f} sd", markup=False)
    files = posterior.write_posterior(calibration, out, predictive, converged)
    wrote(files)
    outside = [row["name"] for row in predictive or [] if not row["inside_90"]]
    if args.write and outside:
        sys.stderr.write(f"cxsim: calibrate: {len(outside)} case figure(s) outside the posterior "
                         f"predictive 90% interval ({', '.join(outside)}); the shipped "
                         "posterior was not changed\n")
        return 1
    if args.write and not predictive:
        warn("--write without a predictive check (--check 0): the posterior is installed "
             "unchecked")
    if args.write:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        kept = posterior.install(files, out / f"backup-{stamp}")
        wrote([posterior.POSTERIOR, posterior.POSTERIOR_RECORD],
              f"; the previous ones are in {kept[0].parent}" if kept else "")
    return 0


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 <= value < 1.0:
        raise argparse.ArgumentTypeError(f"{one_line(repr(text))}: a number from 0 to below 1 "
                                         "expected")
    return value


def register(commands: Any) -> None:
    """Add ``calibrate`` (alias ``posterior``) and ``recovery`` to an argparse subparsers
    object."""
    from cxsim.experiments.posterior import SEED, Settings

    defaults = Settings()
    parser = commands.add_parser(
        "calibrate", aliases=["posterior"],
        help="the calibration: an ABC-SMC posterior of the default organisation given the "
             "TechOps Pro case (writes the draws; --write also into the shipped scenarios)",
        description=DESCRIPTION)
    parser.add_argument("--population", type=positive_int, default=defaults.population,
                        metavar="N", help="particles per generation")
    parser.add_argument("--generations", type=positive_int, default=defaults.generations,
                        metavar="G", help="generations at most")
    parser.add_argument("--min-acceptance", type=_share, default=defaults.min_acceptance,
                        metavar="SHARE", help="stop when a generation accepts less than this "
                                              "share of its candidates")
    parser.add_argument("--seed", type=non_negative_int, default=SEED, metavar="N",
                        help=f"the sampler's seed (default {SEED})")
    parser.add_argument("--out", type=output_directory, metavar="DIR",
                        help=f"where the draws and the record go (default {DEFAULT_OUT})")
    parser.add_argument("--db", type=Path, metavar="FILE",
                        help="pyabc's history database (default: OUT.db beside --out); a run "
                             "with the same settings in it is resumed")
    parser.add_argument("--check", type=non_negative_int, default=200, metavar="N",
                        help="posterior predictive check: N draws by weight simulated afresh; "
                             "each case figure inside their central 90%%? And convergence: the "
                             "headline effects under the last two generations, N draws each "
                             "(0: neither)")
    add_workers(parser, "simulations")
    parser.add_argument("--write", action="store_true",
                        help="also copy the draws and the record into the shipped scenarios "
                             "folder (the previous ones are kept)")
    parser.set_defaults(handler=command_posterior)
    register_recovery(commands)


DEFAULT_RECOVERY_OUT = Path("runs") / "recovery"

RECOVERY_DESCRIPTION = f"""\
Parameter recovery of the ABC-SMC calibration (experiments/recovery.py): draw --truths parameter
sets by weight from the shipped posterior, simulate one TechOps case from each (one run of
baseline and of techops_programme), run ABC-SMC to it with the shipped priors and tolerances, and
check whether each true value lies in its central 90% credible interval. Prints the coverage over
all (truth, parameter) pairs, per parameter and over the informed parameters (mean contraction
>= 0.3). Seeded; each truth's run resumes from its database in --db (default: OUT-db/ beside
--out).

What it writes:
  by default  recovery_record.json (settings, versions, each truth's values, its simulated case,
              each parameter's interval and contraction, the coverage) into --out (default
              {DEFAULT_RECOVERY_OUT})
  --write     also into the shipped scenarios folder (docs/validation.md reads it there)

A quick look (a few minutes on 2 cores): cxsim recovery --truths 2 --population 20 --generations 2
"""


def command_recovery(args: argparse.Namespace) -> int:
    from rich.console import Console

    from cxsim.experiments import posterior, recovery

    out = check_record_outputs(args.out if args.out is not None else DEFAULT_RECOVERY_OUT,
                               recovery.RECOVERY_RECORD, args.write)
    folder = args.db if args.db is not None else out.with_name(out.name + "-db")
    workers = cap_workers(args.workers)
    settings = recovery.RecoverySettings(truths=args.truths, population=args.population,
                                         generations=args.generations,
                                         min_acceptance=args.min_acceptance, seed=args.seed)
    console = Console(stderr=True, soft_wrap=True, highlight=False)
    simulations, seconds = _estimate(args.population, args.generations, workers)
    console.print(f"parameter recovery: {args.truths} truths x ABC-SMC of {args.population} "
                  f"particles, up to {args.generations} generations: about "
                  f"{args.truths * simulations:,} simulations, at least "
                  f"{args.truths * seconds / 60:.1f} min on {workers} worker"
                  f"{'s' * (workers > 1)}; histories in {folder}", markup=False)
    with progress_bar() as bar, posterior.process_map(workers) as map_:
        truths = bar.add_task("truths", total=args.truths)
        task = bar.add_task("truth 0, generation 0", total=args.population)
        current = {"truth": 0}

        def on_particle(done: int, n: int) -> None:
            bar.update(task, completed=done, total=n, refresh=True)

        def on_generation(t: int, epsilon: float, acceptance: float) -> None:
            bar.update(task, description=f"truth {current['truth']}, generation {t + 1}",
                       completed=0, refresh=True)

        def on_truth(k: int, result: dict[str, Any]) -> None:
            inside = sum(p["inside"] for p in result["parameters"])
            console.print(f"truth {k}: {inside} of {len(result['parameters'])} parameters "
                          f"inside their 90% interval; {result['simulations']:,} simulations, "
                          f"{result['seconds']:.0f} s, final epsilon "
                          f"{result['final_epsilon']:.2f}", markup=False)
            current["truth"] = k + 1
            bar.update(truths, completed=k + 1, refresh=True)
            if k + 1 < args.truths:
                bar.update(task, description=f"truth {k + 1}, generation 0", completed=0,
                           refresh=True)

        rec = recovery.run_recovery(settings, folder, map_, on_truth, on_generation,
                                    on_particle)
        bar.update(task, visible=False, refresh=True)
    summary = rec["summary"]
    console.print(f"coverage of the 90% intervals: {summary['coverage']:.0%} of "
                  f"{summary['pairs']} (truth, parameter) pairs; informed parameters "
                  f"({', '.join(summary['informed']) or 'none'}): "
                  + (f"{summary['informed_coverage']:.0%} of {summary['informed_pairs']}"
                     if summary["informed_coverage"] is not None else "none"), markup=False)
    for row in summary["by_parameter"]:
        console.print(f"    {row['key']:<36} coverage {row['coverage']:5.0%}  contraction "
                      f"{row['mean_contraction']:+.2f}  interval {row['mean_width_of_prior']:.0%}"
                      " of the prior range", markup=False)
    console.print(f"{rec['simulations']:,} simulations in {rec['seconds']:.0f} s", markup=False)
    install_record(recovery.write_recovery(rec, out), recovery.RECOVERY_RECORD, args.write)
    return 0


def register_recovery(commands: Any) -> None:
    """Add ``recovery`` to an argparse subparsers object."""
    from cxsim.experiments.recovery import RecoverySettings

    defaults = RecoverySettings()
    parser = commands.add_parser(
        "recovery", help="parameter recovery of the ABC-SMC calibration: coverage of the 90%% "
                         "credible intervals over synthetic cases with known parameters",
        description=RECOVERY_DESCRIPTION)
    parser.add_argument("--truths", type=positive_int, default=defaults.truths, metavar="K",
                        help=f"synthetic organisations (default {defaults.truths})")
    parser.add_argument("--population", type=positive_int, default=defaults.population,
                        metavar="N", help=f"particles per generation (default "
                                          f"{defaults.population})")
    parser.add_argument("--generations", type=positive_int, default=defaults.generations,
                        metavar="G", help=f"generations at most (default {defaults.generations})")
    parser.add_argument("--min-acceptance", type=_share, default=defaults.min_acceptance,
                        metavar="SHARE", help="stop a fit when a generation accepts less than "
                                              "this share of its candidates")
    parser.add_argument("--seed", type=non_negative_int, default=defaults.seed, metavar="N",
                        help=f"seed of the truths and the samplers (default {defaults.seed})")
    parser.add_argument("--out", type=output_directory, metavar="DIR",
                        help=f"where the record goes (default {DEFAULT_RECOVERY_OUT})")
    parser.add_argument("--db", type=Path, metavar="DIR",
                        help="folder of the truths' pyabc history databases (default: OUT-db "
                             "beside --out); a truth's run with the same settings is resumed")
    add_workers(parser, "simulations")
    parser.add_argument("--write", action="store_true",
                        help="also write the record into the shipped scenarios folder")
    parser.set_defaults(handler=command_recovery)
