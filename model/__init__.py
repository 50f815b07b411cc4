"""cxsim's model layer: an agent-based model of CX culture change, built on Mesa.

The stable API for notebooks and the other layers::

    from cxsim.model import load_scenario, simulate, simulate_many, simulate_teams
    scenario = load_scenario("techops_programme", overrides={"levers.psychological_safety": 0.8})
    monthly = simulate(scenario, seed=0)   # one row per month, columns in cxsim.model.METRICS
    many = simulate_many(scenario, range(30))  # 30 replicates: run, seed, then the same columns
    teams = simulate_teams(scenario, seed=0)  # one row per team per month (TEAM_METRICS)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from cxsim.model.agents import Customer, Employee, Manager
from cxsim.model.catalogue import METRICS, TARGETS, TEAM_METRICS, Metric, metric
from cxsim.model.cx_model import CXCultureModel
from cxsim.model.leadership import Policy, weekly_policy
from cxsim.model.metrics import COLUMNS
from cxsim.model.parameters import Parameters
from cxsim.model.scenario import Scenario, ScenarioError, load_scenario, shipped_scenarios
from cxsim.model.team_metrics import TEAM_COLUMNS, team_frame

__all__ = [
    "COLUMNS", "METRICS", "TARGETS", "TEAM_COLUMNS", "TEAM_METRICS", "CXCultureModel",
    "Customer", "Employee", "Manager", "Metric", "Parameters", "Scenario", "ScenarioError",
    "load_scenario", "metric", "shipped_scenarios", "simulate", "simulate_many",
    "simulate_teams",
]

ScenarioLike = Scenario | Parameters | str | Path


def _records(scenario: ScenarioLike, seed: int,
             policy: Policy | None = None) -> list[dict[str, float]]:
    """The monthly rows of one run, without Mesa agent objects (the outputs never read them);
    ``policy``: the weekly series of its parameters, if made already."""
    model = CXCultureModel(scenario, seed=seed, agents=False, policy=policy)
    try:
        return model.run()
    finally:
        model.release()


def simulate(scenario: ScenarioLike, seed: int = 0) -> pd.DataFrame:
    """Run one replicate: a scenario (object, shipped name or path) and a seed -> monthly table.

    The seed is always explicit (0 unless given), so the same call gives the same table; the
    model runs without Mesa agent objects, which the outputs never read (agents.py).
    """
    return pd.DataFrame.from_records(_records(scenario, seed), columns=list(COLUMNS))


def simulate_many(scenario: ScenarioLike | Sequence[ScenarioLike], seeds: Iterable[int],
                  on_run: Callable[[int], None] | None = None) -> pd.DataFrame:
    """Many runs -> one monthly table: ``run`` (0, 1, ... in the order of ``seeds``), ``seed``,
    then the columns of ``simulate``, ordered by run, then month.

    ``scenario``: one scenario (object, shipped name, path or ``Parameters``) for every seed
    (replicates), or a sequence of them, one per seed (parameter points; each run is
    ``simulate(scenario[i], seeds[i])``). Run i's rows are exactly ``simulate``'s for its
    scenario and seed: every run draws from its own streams, seeded by its seed alone (docs/ODD.md
    section 4), so a run's result does not depend on which runs share the call, on their number
    or order, or on the process it runs in. A name or path is loaded once per call. ``on_run`` is
    called with the number of runs finished so far (progress).
    """
    seed_list = [int(s) for s in seeds]
    if isinstance(scenario, (str, Path, Scenario, Parameters)):
        scenarios: Sequence[ScenarioLike] = [scenario] * len(seed_list)
    else:
        scenarios = list(scenario)
        if len(scenarios) != len(seed_list):
            raise ValueError(f"simulate_many: {len(scenarios)} scenarios for {len(seed_list)} "
                             f"seeds: give one scenario, or one per seed")
    loaded: dict[str | Path, Scenario] = {}
    # leadership's weekly series, made once per parameters object (replicates share one)
    policies: dict[int, Policy] = {}
    records: list[dict[str, float]] = []
    runs: list[int] = []
    for run, (item, seed) in enumerate(zip(scenarios, seed_list, strict=True)):
        if isinstance(item, (str, Path)):
            item = loaded.setdefault(item, load_scenario(item))
        params = item if isinstance(item, Parameters) else item.parameters
        policy = policies.get(id(params))
        if policy is None or policy.parameters is not params:
            policy = policies[id(params)] = weekly_policy(params)
        rows = _records(item, seed, policy)
        records.extend(rows)
        runs.append(len(rows))
        if on_run is not None:
            on_run(run + 1)
    frame = pd.DataFrame.from_records(records, columns=list(COLUMNS))
    counts = np.array(runs, dtype=np.int64)
    frame.insert(0, "seed", np.repeat(np.array(seed_list, dtype=np.int64), counts))
    frame.insert(0, "run", np.repeat(np.arange(len(seed_list), dtype=np.int64), counts))
    return frame


def simulate_teams(scenario: ScenarioLike, seed: int = 0) -> pd.DataFrame:
    """Run one replicate, as ``simulate`` does, and return one row per team per month.

    Rows run over months 0 .. the last month, ordered by month, then team. The run is the one
    ``simulate(scenario, seed)`` reports: collecting team rows draws no random numbers and
    changes no state. Columns (docs/outputs.md, "Team-level output"; ``TEAM_METRICS``):

    - ``team`` (id, int): team index; ``month`` (int); ``function`` (name: frontline, product,
      back_office); ``frontline`` (bool): the team serves customer accounts.
    - ``size`` (people, int): filled posts at the month's end; summed over teams, ``headcount``.
    - ``leavers`` (people, int): the team's leavers in the month; summed, ``leavers``.
    - ``engagement`` (0-100) and ``cynicism`` (0-100): 100 x the mean over the team's filled
      posts; ``psychological_safety`` (1-5): 1 + 4 x their mean perceived safety (as
      ``psychological_safety_score``).
    - ``turnover_annualised`` (%): over the trailing window of w = min(month, 12) months after
      month end s = month - w, 100 x leavers in the window / mean of the team's sizes at month
      ends s .. month x 12 / w; NaN at month 0.
    - Of the accounts the team serves (``customers.account_team``), NaN for a team without
      accounts (every non-frontline team): ``accounts`` (accounts): active at the month's end;
      ``churned_customers`` (accounts): churned in the month; ``customer_satisfaction`` (0-1):
      mean satisfaction of the active ones; ``nps_true`` (-100..100): their NPS, computed as the
      organisation's ``nps_true``; ``churn_realised`` (%): of the accounts active at month end s,
      the share churned by the month's end (over w months, not annualised; 0 at month 0). The
      last three are NaN when their base is empty.
    """
    model = CXCultureModel(scenario, seed=seed, agents=False, teams_output=True)
    try:
        model.run()
        return team_frame(model.team_tally)
    finally:
        model.release()
