"""cxsim: an agent-based model of customer-experience culture change, built on Mesa.

The repository root is the ``cxsim`` package (``pyproject.toml`` maps it with setuptools'
``package-dir``), so the required top-level folders are its subpackages:

- ``cxsim.model``: the Mesa model, its agents, parameters, scenarios and metric catalogue; it
  knows nothing of sweeps, charts or commands.
- ``cxsim.experiments``: what is done with the model through its public functions: replicates,
  comparisons, sweeps and their analysis, calibration, the board pack, the dashboard, the command
  line.
- ``cxsim.scenarios``: the shipped scenario files (package data).

The curated API::

    import cxsim
    scenario = cxsim.load_scenario("techops_programme", {"levers.psychological_safety": 0.8})
    monthly = cxsim.simulate(scenario, seed=0)          # one row per month
    many = cxsim.simulate_many(scenario, range(30))     # run, seed, then the same columns
    teams = cxsim.simulate_teams(scenario, seed=0)      # one row per team per month
    result = cxsim.compare(["baseline", "techops_programme"], replicates=30, seed=0)

The experiments layer is imported on first use, so ``import cxsim`` costs only the model.
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from cxsim.model import (
    Customer,
    CXCultureModel,
    Employee,
    Manager,
    Parameters,
    Scenario,
    ScenarioError,
    load_scenario,
    shipped_scenarios,
    simulate,
    simulate_many,
    simulate_teams,
)

try:
    __version__ = version("cxsim")
except PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0+unknown"

# name -> module of the experiments layer that defines it (imported lazily, PEP 562).
_LAZY = {
    "compare": "cxsim.experiments.compare",
    "Comparison": "cxsim.experiments.compare",
    "paired_differences": "cxsim.experiments.compare",
    "run_replicates": "cxsim.experiments.runner",
    "replicate_seeds": "cxsim.experiments.runner",
    "load_sweep": "cxsim.experiments.sweep",
    "run_sweep": "cxsim.experiments.sweep",
    "read_runs": "cxsim.experiments.sweep",
    "analyse": "cxsim.experiments.analysis",
    "build_report": "cxsim.experiments.report",
}

__all__ = [
    "CXCultureModel", "Customer", "Employee", "Manager", "Parameters", "Scenario",
    "ScenarioError", "__version__", "load_scenario", "shipped_scenarios", "simulate",
    "simulate_many", "simulate_teams", *_LAZY,
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'cxsim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
