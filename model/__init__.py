"""cxsim's model layer: an agent-based model of CX culture change, built on Mesa.

The stable API for notebooks and the other layers::

    from cxsim.model import load_scenario, simulate
    scenario = load_scenario("techops_programme", overrides={"levers.psychological_safety": 0.8})
    monthly = simulate(scenario, seed=0)   # one row per month, columns in cxsim.model.METRICS
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from cxsim.model.agents import Customer, Employee, Manager
from cxsim.model.catalogue import METRICS, TARGETS, Metric, metric
from cxsim.model.cx_model import CXCultureModel
from cxsim.model.metrics import COLUMNS
from cxsim.model.parameters import Parameters
from cxsim.model.scenario import Scenario, ScenarioError, load_scenario, shipped_scenarios

__all__ = [
    "COLUMNS", "METRICS", "TARGETS", "CXCultureModel", "Customer", "Employee", "Manager",
    "Metric", "Parameters", "Scenario", "ScenarioError", "load_scenario", "metric",
    "shipped_scenarios", "simulate",
]


def simulate(scenario: Scenario | Parameters | str | Path, seed: int = 0) -> pd.DataFrame:
    """Run one replicate: a scenario (object, shipped name or path) and a seed -> monthly table.

    The seed is always explicit (0 unless given), so the same call gives the same table; the
    model runs without Mesa agent objects, which the outputs never read (agents.py).
    """
    model = CXCultureModel(scenario, seed=seed, agents=False)
    try:
        return pd.DataFrame.from_records(model.run(), columns=list(COLUMNS))
    finally:
        model.release()
