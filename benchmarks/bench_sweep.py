"""Benchmark of the sweep machinery (issue 5): prints figures, asserts nothing.

    python -m benchmarks.bench_sweep            # the shipped 12-parameter Sobol sweep, N=256, 5
                                                # replicates (17,920 runs) on 2 workers, and
                                                # 1 vs 2 workers on N=32 (2,240 runs)
    python -m benchmarks.bench_sweep --quick    # N=16 (1,120 runs) on 2 workers; 1 vs 2 workers
                                                # on N=8 (560 runs); the full sweep's time is
                                                # projected from the measured throughput

Targets: the full sweep in at most 90 s on 2 cores (issue "Throughput"; 8 minutes before it);
2 workers give at least 1.8x the throughput of 1; the sweep machinery (sampling, dispatch,
storage: everything that is not the model itself) takes under 10% of the time (issue 5).

The machinery's share is measured from the workers' side: 1 - (time inside the model, summed
over workers) / (wall time x workers). It therefore also counts worker start-up and the idle
tail at the end, so it is an upper bound. Results go to a temporary directory, removed after.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

from cxsim.experiments.sweep import load_sweep, run_sweep

SWEEP = "sobol_levers"          # the shipped sweep, by name (experiments/sweep/files/)
FULL_SECONDS = 90.0


def one(sweep_n: int | None, workers: int, root: Path, replicates: int | None = None,
        progress: bool = False) -> dict[str, float]:
    """Run the shipped Sobol sweep (at ``sweep_n``) on ``workers`` and return its figures."""
    started = time.perf_counter()
    sweep = load_sweep(SWEEP, n=sweep_n, replicates=replicates)
    load_seconds = time.perf_counter() - started
    out = root / f"n{sweep.spec.n}_w{workers}"
    report = run_sweep(sweep, out, workers=workers, progress=progress)
    wall = load_seconds + report.wall_seconds
    capacity = wall * workers
    shutil.rmtree(out, ignore_errors=True)
    return {
        "n": sweep.spec.n, "runs": report.runs_done, "workers": workers, "wall": wall,
        "throughput": report.runs_done / wall,
        "model_ms": 1000 * report.model_seconds / report.runs_done,
        "machinery_share": 1 - report.model_seconds / capacity,
        "overhead_ms": 1000 * (capacity - report.model_seconds) / report.runs_done,
        "sampling": load_seconds + report.setup_seconds, "storage": report.store_seconds,
        "chunk_size": report.chunk_size, "chunks": report.chunks,
        "main_cpu": report.main_cpu_seconds,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sweeps, projected time")
    parser.add_argument("--progress", action="store_true", help="show the progress bars")
    args = parser.parse_args(argv)
    main_n, pair_n = (16, 8) if args.quick else (256, 32)
    full_runs = load_sweep(SWEEP).n_runs
    busy = os.getloadavg()[0]
    print(f"cores available: {len(os.sched_getaffinity(0))}; load average before: {busy:.2f}")
    if busy > 0.5:
        print("warning: other processes are using the cores; wall-clock figures below are "
              "slowed by them (the machinery share and the efficiency-based speed-up are not)")
    root = Path(tempfile.mkdtemp(prefix="bench_sweep_"))
    try:
        big = one(main_n, 2, root, progress=args.progress)
        single = one(pair_n, 1, root, progress=args.progress)
        double = one(pair_n, 2, root, progress=args.progress)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    speedup = double["throughput"] / single["throughput"]
    projected = full_runs / big["throughput"]
    print(f"load average after: {os.getloadavg()[0]:.2f} (other work on the machine slows "
          "every figure below)")
    print()
    print(f"12-parameter Sobol sweep, N={big['n']}, 5 replicates: {big['runs']:,} runs on 2 "
          f"workers in {big['wall']:.1f} s ({big['throughput']:.1f} runs/s; "
          f"{big['chunks']} chunks of {big['chunk_size']} runs)")
    label = "measured" if big["runs"] >= full_runs else "projected from the throughput"
    status = "OK" if projected <= FULL_SECONDS else "MISSED"
    print(f"  full sweep ({full_runs:,} runs), {label}: {projected:.0f} s "
          f"(target <= {FULL_SECONDS:.0f} s) {status}")
    print(f"  model time per run inside the workers: {big['model_ms']:.1f} ms")
    status = "OK" if big["machinery_share"] < 0.10 else "MISSED"
    print(f"  machinery share of the workers' time: {big['machinery_share']:.1%} "
          f"({big['overhead_ms']:.2f} ms per run; sampling and checks {big['sampling']:.2f} s, "
          f"storage {big['storage']:.2f} s, the rest dispatch, start-up and idle tail; "
          f"the dispatching process used {big['main_cpu']:.1f} s of CPU) "
          f"(target < 10%) {status}")
    print()
    status = "OK" if speedup >= 1.8 else "MISSED"
    print(f"throughput on N={pair_n} ({single['runs']:,} runs): 1 worker "
          f"{single['throughput']:.1f} runs/s, 2 workers {double['throughput']:.1f} runs/s: "
          f"{speedup:.2f}x (target >= 1.8x) {status}")
    print(f"  machinery share: 1 worker {single['machinery_share']:.1%}, 2 workers "
          f"{double['machinery_share']:.1%}")
    efficient = 2 * (1 - double["machinery_share"]) / (1 - single["machinery_share"])
    print(f"  speed-up on otherwise idle cores, from the machinery shares (2 x efficiency of 2 "
          f"workers / efficiency of 1): {efficient:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
