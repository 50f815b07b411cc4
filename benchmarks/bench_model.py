"""Benchmark of the model's weekly step: prints figures, asserts nothing.

    python -m benchmarks.bench_model            # default, 10x and 100x the organisation
    python -m benchmarks.bench_model --quick    # fewer runs

Each size runs in a fresh process pinned to one core, so its peak memory (max RSS, interpreter
and imports included) is its own. A run is ``simulate``'s work: building the model (without Mesa
agent objects, which its outputs never read) and stepping it 52 weeks, the DataCollector
included. The default size is also timed as a Mesa user builds it (``CXCultureModel(...)``, one
agent object per post and account), for information. Targets from issue 3: default <= 30 ms
median; 100x <= 3 s and <= 1 GiB; time per agent-week at 100x within 2x of that at 10x.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

SIZES = {"1x": 1, "10x": 10, "100x": 100}


def measure(scale: int, runs: int, scenario: str, agents: bool = False) -> dict[str, float]:
    """Time ``runs`` runs of ``scenario`` at ``scale`` times the organisation, in this process;
    ``agents``: with the Mesa agent objects."""
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    from cxsim.model import CXCultureModel, load_scenario

    base = load_scenario(scenario)
    org = base.parameters.organisation
    scenario_obj = base.with_overrides({
        "organisation.employees": org.employees * scale,
        "organisation.customers": org.customers * scale,
    })
    params = scenario_obj.parameters
    CXCultureModel(params, seed=10_000, agents=agents).run()  # warm-up: imports, caches
    times = []
    for seed in range(runs):
        start = time.perf_counter()
        model = CXCultureModel(params, seed=seed, agents=agents)
        model.run()
        model.release()
        del model
        times.append(time.perf_counter() - start)
    agents = params.organisation.employees + params.organisation.customers
    median = statistics.median(times)
    return {
        "scale": scale,
        "runs": runs,
        "employees": params.organisation.employees,
        "customers": params.organisation.customers,
        "median_ms": 1000 * median,
        "p90_ms": 1000 * sorted(times)[max(0, int(0.9 * len(times)) - 1)],
        "agent_weeks_per_s": agents * params.simulation.weeks / median,
        "us_per_agent_week": 1e6 * median / (agents * params.simulation.weeks),
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs per size")
    parser.add_argument("--scenario", default="techops_programme")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--runs", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--agents", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.runs, args.scenario, args.agents)))
        return
    runs = {1: 15 if args.quick else 60, 10: 3 if args.quick else 10, 100: 1 if args.quick else 3}
    results = {}
    sizes = [(label, scale, False) for label, scale in SIZES.items()] + [("1x+agents", 1, True)]
    for label, scale, agents in sizes:
        out = subprocess.run(
            [sys.executable, "-m", "benchmarks.bench_model", "--child", str(scale),
             "--runs", str(runs[scale]), "--scenario", args.scenario,
             *(["--agents"] if agents else [])],
            check=True, capture_output=True, text=True)
        results[label] = json.loads(out.stdout)
        r = results[label]
        print(f"{label:>9}: {r['employees']:>6} employees, {r['customers']:>6} customers, "
              f"{r['runs']:>3} runs: median {r['median_ms']:9.1f} ms, p90 {r['p90_ms']:9.1f} ms, "
              f"{r['agent_weeks_per_s'] / 1e6:6.2f} M agent-weeks/s, "
              f"{r['us_per_agent_week']:.3f} us/agent-week, peak RSS {r['peak_rss_mib']:7.0f} MiB",
              flush=True)
    ratio = results["100x"]["us_per_agent_week"] / results["10x"]["us_per_agent_week"]
    checks = [
        ("default run median <= 30 ms", results["1x"]["median_ms"], 30.0),
        ("100x run median <= 3000 ms", results["100x"]["median_ms"], 3000.0),
        ("100x peak RSS <= 1024 MiB", results["100x"]["peak_rss_mib"], 1024.0),
        ("time per agent-week 100x / 10x <= 2", ratio, 2.0),
    ]
    print()
    for name, value, limit in checks:
        print(f"{'met ' if value <= limit else 'MISSED'}  {name}: {value:.2f}")


if __name__ == "__main__":
    main()
