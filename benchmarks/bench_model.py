"""Benchmark of the model's weekly step: prints figures, asserts nothing.

    python -m benchmarks.bench_model            # default, 10x and 100x the organisation
    python -m benchmarks.bench_model --quick    # fewer runs

Each measurement runs in a fresh process pinned to one core, so its peak memory (max RSS,
interpreter and imports included) is its own; run it on a quiet machine (the load average is
printed). A run is what ``simulate_many`` does for each seed: build the model (without Mesa agent
objects, which its outputs never read) and step it 52 weeks, the monthly rows included. The
default size is also timed as a Mesa user builds it (``CXCultureModel(...)``; its agent objects
are made on first use of ``model.agents``), for information.

Beside the model, in the same process: Mesa's tutorial Boltzmann wealth model (one trivial rule
per agent, ``MoneyAgent.exchange``, over a cached agent list) as the yardstick of a per-agent
Python loop, and one core's floating-point rate on a compiled multiply-add loop (the best case
for the arithmetic of a kernel, vectorised). The floating-point operations of one agent-week are
counted from the kernels (``FLOPS``: each kernel's arithmetic per element, read off its code);
with the measured rate they give the runs per second the arithmetic alone would allow, and the
ratio achieved / limit.

Why compiled kernels and not a batched run axis (issue "Throughput"): the numpy model's cost per
agent-week falls from 0.53 us at the default size to 0.18 us at 10x and stays there at 100x
(measured before the kernels), so stacking 10 or 100 runs on a leading axis, which is what a
larger organisation already is to numpy, would at best give about 3x; the rest is temporaries and
passes over memory, which only fusing the per-agent arithmetic into compiled loops removes. A
kernel call costs about 0.4 us plus 0.06 us per array argument (measured), so one run's
few hundred calls a year cost well under a millisecond, and runs stay separate: a run's result
cannot depend on which others share its batch.

Where a default run's 9.2-9.6 ms go now (per-step timing, one core, quiet, 2026-12-07, after
the issue "Model v2" changes): set-up 1.8 ms (of which the people 1.1: 13 spawned streams and six
Beta draws of 800; the accounts 0.5, mostly the 800 x 105 hits matrix), the week's random
numbers 1.5 (PCG64 at about 2 ns a 64-bit word: numpy's own loops, which numba's Generator
support does not beat: 14 us against 10 us for 800 normals, the same bits), the voice loop 1.5,
the monthly rows 1.1, rituals 0.6, workforce 0.6, touchpoints 0.5, the rest under 0.45 each.
Inside the compiled kernels: 3.8 ms of a run (cProfile); numba's dispatch is not the cost
(1.7 us for 30 arrays and 10 floats a call). The random numbers and the set-up's draws are a
floor of about 2.5 ms with the present streams, so 6x (4.8 ms) needs both the whole week in one
compiled call (removing the ~3.5 ms of Python between kernels) and fewer, cheaper random numbers
(one documented change of streams, with the outputs re-validated). The shipped Sobol sweep is
11.3 ms a run inside its 2 workers (103 s in all, 2026-12-07): 2 busy cores slow each other by
about 20% on this machine.

Targets (issue "Throughput", against its measurement before this work: 28.7 ms a run, about 35
runs a second): at least 6x the runs per core-second at the default size, and 6x the Boltzmann
loop's agent-steps per second; 100x (80,000 posts, 40,000 accounts) <= 1.5 s and <= 1 GiB; cost
per agent-week at 100x within 1.5x of that at 10x.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

SIZES = {"1x": 1, "10x": 10, "100x": 100}
RUNS_PER_SECOND_BEFORE = 1000 / 28.7   # the measurement of the model before the work

# Floating-point operations per element of each kernel's loop, counted from its code (additions,
# subtractions, multiplications, divisions, negations, rint, comparisons with a float: 1 each;
# exp 20; integer, index and boolean work 0), and what it loops over each week: "post", "account",
# "problem", "team", or "account-problem" (the hits matrix). The weekly step's kernels only (none
# of the set-up); a kernel called by another is counted once, under the callee where its loop is
# over another kind (``voice.week``'s own work is O(1): its callees are listed), else in the
# caller. A kernel run only at a month end gives its per-element count x 12 / 52 a week (12
# month ends in the 52 weeks), one run in survey weeks only x 4 / 52. "account" is an account of
# the book (``organisation.customers``, which ``flops_per_week`` multiplies by), but the kernels
# loop over every customer slot, 2 per account by default (``customer_headroom`` 1): "2 *" is
# that, then the count per slot. A minor loop over another kind is folded into the main one at
# the default ratios (89 teams per 800 posts, 2 posts per account). Where the work depends on
# the state, the expected count in techops_programme (shares measured over 4-8 seeded runs):
FLOPS: dict[str, tuple[float, str]] = {
    # -- every week
    "state._top_24_bits": (13, "post"),         # 13 float32 uniforms a post (x 2^-24 each)
    # 10% of posts over capacity (strain 5, else recovery 4), 9 in all; 8 a team
    "fatigue.load_week": (9.1 + 8 * 89 / 800, "post"),
    # the pull in the 41 of 52 weeks with A > a_ref (3), team sums over filled posts (3); 26 a
    # team (adoption, modelling, capacity) + the owners' sum (44 of 89 teams)
    "incentives.incentives_week": (6.5 + 26.5 * 89 / 800, "post"),
    # propensity 17; 11 a session held, 139 sessions in 52 weeks (+1 in the 13 managers-only
    # ones); 6 (meaning, decay); onboarding: 0.5% of posts pass its first tests, ~0
    "rituals.hold_sessions": (17 + 11 * 139 / 52 + 13 / 52 + 6, "post"),
    "voice.open_pool": (4, "problem"),
    # 3 a filled post; 88 frontline meeters a week (pick_account_problem: 2 x 22 open
    # candidates + ~12 steps of the search, 57), 26 others (binary search, 8)
    "voice.meet_problems": (9.7, "post"),
    # 99 meetings a week x 32 (speak_up: exp), 29 spoke x 13 (learn_chance), 26 learned x 3, 3.7
    # blamed x 5; 3 a post in the 97% of weeks with a blame; 2 a team, 1.1 a problem
    "voice.respond": (7.8, "post"),
    # 1 a slot; 10% pass (u < recovery_gain, active) and check their team's reports, ~0.6 (about
    # 19 frontline reports acted on a week over 31 frontline teams)
    "voice.recover": (2 * 1.06, "account"),
    "voice.settle_safety": (8, "post"),
    "voice.fix_or_obsolete": (0.6, "problem"),  # 10% surfaced (4), 11% silent (2)
    "voice.hit_accounts": (2 * 0.35, "account"),   # 0.35 fixes a week: a pass down the slots each
    "say_do.cynicism_week": (11, "post"),
    "engagement.engagement_week": (11, "post"),
    # weights 5 a post; influence_by_team x 3 (10 a post, 5 a team); 2 a team (the weights' sum)
    "social_influence.influence_week": (35 + 17 * 89 / 800, "post"),
    # 9 a filled post; 90% of posts take the bound h0 / (1 - x) (4), 9% the exp (23); hires ~0
    "workforce.flow": (14.6, "post"),
    "customer_experience.expectations_week": (2 * 7, "account"),
    # -- at a month end: touchpoints (problem loads refreshed every month end; 20% of the pool open)
    "voice.open_severity": (1 * 12 / 52, "problem"),
    "customer_experience.problem_loads": (2 * 2 * 0.20 * 12 / 52, "account-problem"),
    "workforce.skills": (28 * 12 / 52, "post"),    # skill_at: exp
    "customer_experience.post_qualities": (7 * 12 / 52, "post"),
    "customer_experience.team_qualities": ((1 + 89 / 800) * 12 / 52, "post"),
    # 2 adds a product post (40%: all, its segment's), 1 a back-office post (25%: the pairwise
    # sum); 8 a team (the means, S_g)
    "customer_experience.served_qualities": ((0.40 * 2 + 0.25 + 8 * 89 / 800) * 12 / 52,
                                             "post"),
    "customer_experience.touchpoint_qualities": (2 * 2 * 12 / 52, "account"),  # 2 a slot
    # 2 touches of 12 each, + 1 for the 23% of gaps <= 0
    "customer_experience.touch_accounts": (2 * 2 * 12.23 * 12 / 52, "account"),
    # -- at a month end: renewals; 51% of slots active, 4.2% due to renew
    # 6 a slot (records); 5 an active slot (promoter, referral); 29 a due one (churn_chance: exp)
    "churn.month_of_renewals": (2 * 9.74 * 12 / 52, "account"),
    # 6.8 accounts won a month (of 400): interpolate 21 + 1 each; the mean of 31 frontline teams
    "customer_experience.expectations_for": (22 * 6.8 / 400 * 12 / 52, "account"),
    "customer_experience.resting_satisfactions": (22 * 6.8 / 400 * 12 / 52, "account"),
    "customer_experience.market_quality": ((2 * 6.8 + 31) / 400 * 12 / 52, "account"),
    # -- in the 4 survey weeks of 52: 1 a slot; 20 an active slot (44% respond)
    "measurement.survey_wave": (2 * 11.1 * 4 / 52, "account"),
    # -- at a month end: the row (99% of posts filled, 51% of slots active)
    # 44 a filled post (the hazard: exp) + 5.5 for the sums
    "metrics.workforce_tally": (49 * 12 / 52, "post"),
    # 42 an active slot (churn probability: exp); churn_window's sums 0.5 a slot
    "metrics.book_tally": (2 * 21.8 * 12 / 52, "account"),
    # 9 an active slot; 2.35 a team (89 per 400 accounts); 5 a staffed manager (11% of posts)
    "measurement.views": ((2 * 4.6 + 2.35 * 89 / 400 + 0.55 * 2) * 12 / 52, "account"),
    # problem_loads twice over every slot: the open problems (20% of the pool), the surfaced (10%)
    "measurement.severity_loads": (2 * 2 * (0.20 + 0.10) * 12 / 52, "account-problem"),
    # 13 a post; 126 a respondent (21% of posts: items, 11 answers)
    "measurement.culture_wave": ((13 + 0.21 * 126) * 12 / 52, "post"),
}


def _pin() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})


def measure(scale: int, runs: int, scenario: str, agents: bool = False) -> dict[str, float]:
    """Time ``runs`` runs of ``scenario`` at ``scale`` times the organisation, in this process;
    ``agents``: with the Mesa agent objects (made and looked at once per run)."""
    _pin()
    from cxsim.model import CXCultureModel, load_scenario

    base = load_scenario(scenario)
    org = base.parameters.organisation
    scenario_obj = base.with_overrides({
        "organisation.employees": org.employees * scale,
        "organisation.customers": org.customers * scale,
    })
    params = scenario_obj.parameters

    def one(seed: int) -> None:
        model = CXCultureModel(params, seed=seed, agents=agents)
        if agents:
            len(model.agents)
        model.run()
        model.release()

    one(10_000)  # warm-up: imports, compiled kernels loaded from the cache
    times = []
    for seed in range(runs):
        start = time.perf_counter()
        one(seed)
        times.append(time.perf_counter() - start)
    n_agents = params.organisation.employees + params.organisation.customers
    median = statistics.median(times)
    return {
        "scale": scale,
        "runs": runs,
        "employees": params.organisation.employees,
        "customers": params.organisation.customers,
        "weeks": params.simulation.weeks,
        "median_ms": 1000 * median,
        "p90_ms": 1000 * sorted(times)[max(0, int(0.9 * len(times)) - 1)],
        "agent_weeks_per_s": n_agents * params.simulation.weeks / median,
        "us_per_agent_week": 1e6 * median / (n_agents * params.simulation.weeks),
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def boltzmann(agents: int = 1200, steps: int = 52, repeats: int = 20) -> dict[str, float]:
    """Mesa's tutorial Boltzmann wealth model, its agents stepped in a Python loop over a cached
    list: agent-steps per second (median of ``repeats`` runs of ``steps`` steps)."""
    _pin()
    import mesa

    class MoneyAgent(mesa.Agent):
        def __init__(self, model: mesa.Model) -> None:
            super().__init__(model)
            self.wealth = 1

        def exchange(self) -> None:
            if self.wealth > 0:
                other = self.random.choice(self.model.agent_list)
                other.wealth += 1
                self.wealth -= 1

    class MoneyModel(mesa.Model):
        def __init__(self, n: int, seed: int) -> None:
            super().__init__(rng=seed)
            self.agent_list = [MoneyAgent(self) for _ in range(n)]

        def step(self) -> None:
            for agent in self.agent_list:
                agent.exchange()

    times = []
    for seed in range(repeats):
        model = MoneyModel(agents, seed)
        start = time.perf_counter()
        for _ in range(steps):
            model.step()
        times.append(time.perf_counter() - start)
    return {"agent_steps_per_s": agents * steps / statistics.median(times)}


def flop_rate(size: int = 4096, repeats: int = 2000) -> float:
    """One core's floating-point operations per second on a compiled loop of multiply-adds over
    arrays that stay in cache (2 operations per element, vectorised by the compiler)."""
    _pin()
    import numpy as np

    from cxsim.model.compiled import kernel

    @kernel
    def multiply_add(x: np.ndarray, y: np.ndarray, a: float, b: float, times: int) -> float:
        for _ in range(times):
            for i in range(x.size):
                y[i] = a * x[i] + b
            x, y = y, x
        return x[0]

    x, y = np.random.default_rng(0).random(size), np.zeros(size)
    multiply_add(x, y, 0.999, 0.001, 1)
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        multiply_add(x, y, 0.999, 0.001, repeats)
        best = min(best, time.perf_counter() - start)
    return 2 * size * repeats / best


def flops_per_week(employees: int, customers: int, problems: int, teams: int) -> float:
    """The arithmetic of one week, from ``FLOPS``."""
    count = {"post": employees, "account": customers, "problem": problems, "team": teams,
             "account-problem": customers * problems}
    return sum(per * count[over] for per, over in FLOPS.values())


def first_run() -> dict[str, float]:
    """Seconds to import the model and make its first run (a small organisation): with an empty
    kernel cache (``NUMBA_CACHE_DIR`` set by the caller) this includes compiling every kernel."""
    _pin()
    start = time.perf_counter()
    from cxsim.model import load_scenario, simulate

    simulate(load_scenario("techops_programme", overrides={
        "organisation.employees": 60, "organisation.customers": 30}), seed=0)
    return {"seconds": time.perf_counter() - start}


def child(args: argparse.Namespace) -> dict[str, float]:
    if args.child == "first-run":
        return first_run()
    if args.child == "boltzmann":
        return boltzmann()
    if args.child == "flops":
        return {"flop_rate": flop_rate()}
    return measure(int(args.child), args.runs, args.scenario, args.agents)


def run_child(*extra: str, env: dict[str, str] | None = None) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-m", "benchmarks.bench_model", "--child", *extra],
                         check=True, capture_output=True, text=True,
                         env=None if env is None else {**os.environ, **env})
    return json.loads(out.stdout)


def compile_times() -> tuple[float, float]:
    """Import and first run with an empty kernel cache (compiling), then with it filled."""
    with tempfile.TemporaryDirectory(prefix="cxsim-numba-") as cache:
        cold = run_child("first-run", env={"NUMBA_CACHE_DIR": cache})["seconds"]
        warm = run_child("first-run", env={"NUMBA_CACHE_DIR": cache})["seconds"]
    return cold, warm


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs per size")
    parser.add_argument("--scenario", default="techops_programme")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--runs", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--agents", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args)))
        return
    print(f"load average before: {os.getloadavg()[0]:.2f} (other work slows every figure)")
    cold, warm = compile_times()
    print(f"import and first run: {cold:.1f} s with an empty kernel cache (compiling the kernels, "
          f"once per machine and Python), {warm:.1f} s with the cache filled (every later "
          f"process)")
    runs = {1: 30 if args.quick else 100, 10: 3 if args.quick else 10,
            100: 1 if args.quick else 3}
    results = {}
    sizes = [(label, scale, False) for label, scale in SIZES.items()] + [("1x+agents", 1, True)]
    for label, scale, agents in sizes:
        results[label] = r = run_child(str(scale), "--runs", str(runs[scale]), "--scenario",
                                       args.scenario, *(["--agents"] if agents else []))
        print(f"{label:>9}: {r['employees']:>6} employees, {r['customers']:>6} customers, "
              f"{r['runs']:>3} runs: median {r['median_ms']:9.2f} ms, p90 {r['p90_ms']:9.2f} ms, "
              f"{r['agent_weeks_per_s'] / 1e6:6.2f} M agent-weeks/s, "
              f"{r['us_per_agent_week']:.4f} us/agent-week, peak RSS {r['peak_rss_mib']:6.0f} MiB",
              flush=True)
    mesa_loop = run_child("boltzmann")["agent_steps_per_s"]
    rate = run_child("flops")["flop_rate"]
    one = results["1x"]
    runs_per_s = 1000 / one["median_ms"]
    print(f"\nMesa Boltzmann loop (1,200 agents, one rule each, cached list): "
          f"{mesa_loop / 1e6:.2f} M agent-steps/s")
    print(f"one core's floating-point rate (compiled multiply-add loop): {rate / 1e9:.2f} GFLOP/s")
    problems, teams = _org_sizes(args.scenario)
    week = flops_per_week(one["employees"], one["customers"], problems, teams)
    if FLOPS:
        per_agent_week = week / (one["employees"] + one["customers"])
        limit = rate / (week * one["weeks"])
        print(f"arithmetic of the weekly step, counted from the kernels: {week:,.0f} FLOP a week "
              f"({per_agent_week:.0f} per agent-week); at that rate a run would take "
              f"{1000 / limit:.3f} ms: {limit:,.0f} runs/s; achieved / limit "
              f"{runs_per_s / limit:.1%}")
    ratio = results["100x"]["us_per_agent_week"] / results["10x"]["us_per_agent_week"]
    checks = [
        (f"default size: runs per core-second / before ({RUNS_PER_SECOND_BEFORE:.1f}) >= 6",
         runs_per_s / RUNS_PER_SECOND_BEFORE, 6.0, True),
        ("default size: agent-weeks per second / Mesa loop's agent-steps per second >= 6",
         one["agent_weeks_per_s"] / mesa_loop, 6.0, True),
        ("100x run median <= 1500 ms", results["100x"]["median_ms"], 1500.0, False),
        ("100x peak RSS <= 1024 MiB", results["100x"]["peak_rss_mib"], 1024.0, False),
        ("time per agent-week 100x / 10x <= 1.5", ratio, 1.5, False),
    ]
    print()
    for name, value, limit, at_least in checks:
        met = value >= limit if at_least else value <= limit
        print(f"{'met ' if met else 'MISSED'}  {name}: {value:.2f}")


def _org_sizes(scenario: str) -> tuple[int, int]:
    """Pain points and teams of the default organisation (for the arithmetic count)."""
    from cxsim.model import CXCultureModel

    model = CXCultureModel(scenario, seed=0, agents=False)
    try:
        return int(model.pain.status.size), int(model.teams.size)
    finally:
        model.release()


if __name__ == "__main__":
    main()
