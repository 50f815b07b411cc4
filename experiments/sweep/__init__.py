"""Sensitivity sweeps: sweep files, sampling, parallel execution and a resumable result store.

A *sweep file* (TOML; the shipped ones are package data in ``files/`` and are named by their
stem, e.g. ``load_sweep("sobol_levers")``) names a model from the registry (``model = "cxsim"``,
the default, started from a ``scenario``; or a shipped test function such as ``ishigami``), the
parameters to vary with their ranges or distributions, the method (``sobol``, ``morris``,
``grid`` or ``oat``), the sample size, the replicates per point and the outputs to analyse. It
is data: it never names code to import. :func:`load_sweep` validates it like a scenario file;
every error is one line naming the file, the key, the value and what is allowed.

:func:`run_sweep` runs every (point, replicate) not yet stored, in this process, on a local
process pool (default: all cores) or on a Dask cluster (``scheduler=``). Run ``k = point *
replicates + replicate`` has the seed ``SeedSequence(entropy=sweep_seed, spawn_key=(point,
replicate))``, so results do not depend on the backend, the workers or the chunking; a sweep
started again on the same directory runs only what is missing. :func:`read_runs` returns the rows
sorted by (point, replicate).

Modules: ``schema`` (the file's keys), ``models`` (the registry), ``sampling`` (points and
seeds), ``definition`` (a validated :class:`Sweep`, shipped files, default folders), ``chunks``
(tasks, made lazily, and the worker), ``backends`` (serial, pool, Dask, and how each ends),
``store`` (manifest, checksummed Parquet parts, quarantine, resume), ``running``
(:func:`run_sweep`). A sweep has at most :data:`MAX_RUNS` runs. The analysis is
:mod:`cxsim.experiments.analysis`.
"""

from __future__ import annotations

from cxsim.experiments.sweep.backends import check_scheduler, connect, default_workers
from cxsim.experiments.sweep.chunks import (
    Chunk,
    ChunkResult,
    Runner,
    default_chunk_size,
    make_chunks,
    missing_runs,
    run_chunk,
)
from cxsim.experiments.sweep.definition import (
    FORMAT,
    MAX_RUNS,
    Sweep,
    build_sweep,
    default_out,
    load_sweep,
    model_source_sha256,
    safe_name,
    shipped_sweeps,
)
from cxsim.experiments.sweep.models import MODELS, SweepModel, ishigami, sweep_model
from cxsim.experiments.sweep.running import SweepReport, SweepStoppedError, run_sweep
from cxsim.experiments.sweep.sampling import SEED_DERIVATION, count_points, run_seed, sample
from cxsim.experiments.sweep.schema import (
    ANALYSIS_KEYS,
    DiscoverySpec,
    OutputSpec,
    ParameterSpec,
    SweepFile,
    copy_spec,
    parse_outcome,
    parse_spec,
)
from cxsim.experiments.sweep.store import MANIFEST, POINTS, QUARANTINE, RUNS, Store, read_runs

__all__ = [
    "ANALYSIS_KEYS", "FORMAT", "MANIFEST", "MAX_RUNS", "MODELS", "POINTS", "QUARANTINE", "RUNS",
    "SEED_DERIVATION", "Chunk", "ChunkResult", "DiscoverySpec", "OutputSpec", "ParameterSpec",
    "Runner", "Store", "Sweep", "SweepFile", "SweepModel", "SweepReport", "SweepStoppedError",
    "build_sweep", "check_scheduler", "connect", "copy_spec", "count_points",
    "default_chunk_size", "default_out", "default_workers", "ishigami", "load_sweep",
    "make_chunks", "missing_runs", "model_source_sha256", "parse_outcome", "parse_spec",
    "read_runs", "run_chunk", "run_seed", "run_sweep", "safe_name", "sample", "shipped_sweeps",
    "sweep_model",
]
