"""cxsim's model layer: an agent-based model of CX culture change, built on Mesa.

The stable API for notebooks and the other layers::

    from model import load_scenario, simulate
    scenario = load_scenario("techops_programme", overrides={"levers.psychological_safety": 0.8})
    monthly = simulate(scenario, seed=0)   # one row per month, columns in model.metrics.COLUMNS
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from model.agents import Customer, Employee, Manager
from model.cx_model import CXCultureModel
from model.metrics import COLUMNS, TARGETS
from model.parameters import Parameters
from model.scenario import Scenario, ScenarioError, load_scenario, shipped_scenarios

__all__ = [
    "COLUMNS", "TARGETS", "CXCultureModel", "Customer", "Employee", "Manager", "Parameters",
    "Scenario", "ScenarioError", "load_scenario", "shipped_scenarios", "simulate",
]
__version__ = "0.1.0"


def simulate(scenario: Scenario | Parameters | str | Path, seed: int = 0) -> pd.DataFrame:
    """Run one replicate: a scenario (object, shipped name or path) and a seed -> monthly table."""
    if isinstance(scenario, (str, Path)):
        scenario = load_scenario(scenario)
    parameters = scenario.parameters if isinstance(scenario, Scenario) else scenario
    model = CXCultureModel(parameters, seed=seed)
    try:
        return pd.DataFrame.from_records(model.run(), columns=list(COLUMNS))
    finally:
        model.release()
