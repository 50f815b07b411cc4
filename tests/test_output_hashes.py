"""`simulate` gives the same numbers as before, and the same on every machine.

tests/data/simulate_sha256.json holds, per shipped scenario and seed, the SHA-256 of the column
names and the float64 bytes of `simulate(name, seed)`. A change that is meant to alter the model's
output updates the file in the same commit (python tests/test_output_hashes.py) and says why.

The same bits on another machine: a run in a process that is kept from every CPU feature numpy
dispatches at run time (AVX2, AVX-512: its SIMD exp and log differ in the last bits between them),
with OpenBLAS on its SSE kernels (dot products sum in another order) and numba compiling for a
generic x86-64 CPU, gives the same hashes as this process on this machine's best code.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from cxsim import shipped_scenarios, simulate

STORED = Path(__file__).with_name("data") / "simulate_sha256.json"
SEEDS = (0, 7)


def digest(monthly: pd.DataFrame) -> str:
    h = hashlib.sha256()
    h.update(",".join(monthly.columns).encode())
    h.update(monthly.to_numpy(dtype="float64").tobytes())
    return h.hexdigest()


def current() -> dict[str, str]:
    return {f"{name}/{seed}": digest(simulate(name, seed=seed))
            for name in sorted(shipped_scenarios()) for seed in SEEDS}


@pytest.mark.fast
@pytest.mark.parametrize("case", sorted(json.loads(STORED.read_text())))
def test_simulate_output_unchanged(case: str) -> None:
    name, seed = case.split("/")
    assert digest(simulate(name, seed=int(seed))) == json.loads(STORED.read_text())[case]


# scenario, seed, overrides (those that switch on rarely used parts) and team rows or not
PORTABLE_CASES = (
    ("techops_programme", 0, {}, False),
    ("baseline", 3, {"anti_patterns.blame_culture": 0.6, "risks.remote_work": 1.0}, False),
    ("change_fatigue", 1, {"anti_patterns.survey_obsession": 0.8}, False),
    ("techops_programme", 2, {}, True),
)


def portable_digests() -> list[str]:
    """The digests of ``PORTABLE_CASES`` in this process."""
    from cxsim import load_scenario, simulate_teams
    out = []
    for name, seed, overrides, teams in PORTABLE_CASES:
        scenario = load_scenario(name).with_overrides(overrides) if overrides else name
        frame = simulate_teams(scenario, seed) if teams else simulate(scenario, seed)
        out.append(digest(frame.select_dtypes("number")))
    return out


def test_same_bits_without_the_cpus_vector_units(tmp_path: Path) -> None:
    from numpy._core import _multiarray_umath as umath
    present = [f for f in umath.__cpu_dispatch__ if umath.__cpu_features__.get(f)]
    env = dict(os.environ, NPY_DISABLE_CPU_FEATURES=" ".join(present),
               OPENBLAS_CORETYPE="Nehalem", NUMBA_CPU_NAME="generic",
               NUMBA_CACHE_DIR=str(tmp_path / "numba"))
    code = ("import json, sys; sys.path.insert(0, sys.argv[1]); "
            "from test_output_hashes import portable_digests; "
            "print(json.dumps(portable_digests()))")
    done = subprocess.run([sys.executable, "-c", code, str(Path(__file__).parent)], env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.splitlines()[-1]) == portable_digests(), (
        f"disabled {present}: outputs depend on the CPU")


if __name__ == "__main__":
    STORED.write_text(json.dumps(current(), indent=1, sort_keys=True) + "\n")
    print(f"wrote {STORED}", file=sys.stderr)
