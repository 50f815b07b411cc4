"""The model as Mesa users drive it: keyword arguments, seeds, batch_run, the DataCollector, the
step counter as the clock, agents as O(1) views, and the weekly order as data."""

from __future__ import annotations

import dataclasses
import inspect
import tracemalloc
import warnings
from pathlib import Path

import mesa
import numpy as np
import pandas as pd
import pytest

from cxsim.model import Customer, CXCultureModel, Employee, Manager, ScenarioError, simulate
from cxsim.model.agents import SlotAgent
from cxsim.model.cx_model import WEEKLY_ORDER, month_end_weeks, weekly_order_markdown
from cxsim.model.mechanisms import workforce
from cxsim.model.state import Organisation

ROOT = Path(__file__).resolve().parents[1]
SMALL = {"organisation.employees": 60, "organisation.customers": 40}


def small(scenario: str = "baseline", **kwargs) -> CXCultureModel:
    return CXCultureModel(scenario, overrides=SMALL, **kwargs)


def same(rows: list[dict], other: list[dict]) -> bool:
    """The same monthly rows, a NaN (no score, no window yet) matching a NaN."""
    return pd.DataFrame(rows).equals(pd.DataFrame(other))


def batch_run(*args, **kwargs) -> pd.DataFrame:
    """mesa.batch_run as a frame; Mesa 3.5 deprecates ``iterations`` (in favour of ``rng``)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return pd.DataFrame(mesa.batch_run(*args, display_progress=False, **kwargs))


# -- batch_run ---------------------------------------------------------------------------------

@pytest.mark.fast
def test_batch_run_varies_the_lever_and_the_iterations() -> None:
    rows = batch_run(CXCultureModel, parameters={"psychological_safety": [0.2, 0.8]},
                     iterations=3, max_steps=52, number_processes=1)
    assert len(rows) == 6
    assert (rows["month"] == 12).all() and (rows["week"] == 52).all()  # the last month's row
    for level, same_lever in rows.groupby("psychological_safety"):
        assert same_lever["iteration"].nunique() == 3
        assert same_lever["nps_true"].nunique() == 3, f"iterations repeat a run at {level}"
    means = rows.groupby("psychological_safety")["psychological_safety_score"].mean()
    assert means[0.8] > means[0.2] + 1


@pytest.mark.fast
def test_batch_run_takes_dotted_keys_and_a_scenario() -> None:
    rows = batch_run(CXCultureModel, parameters={
        "scenario": "techops_programme", "levers.psychological_safety": [0.2, 0.8],
        "organisation.employees": 60, "organisation.customers": 40,
        "risks__remote_work": np.array([0.0, 1.0]),  # numpy items, as from an array
    }, iterations=1, max_steps=52, number_processes=1)
    assert len(rows) == 4 and (rows["month"] == 12).all()
    # every combination ran once (the scores may tie: 60 posts, a fresh seed for each run)
    combinations = set(zip(rows["levers.psychological_safety"], rows["risks__remote_work"],
                           strict=True))
    assert combinations == {(0.2, 0.0), (0.2, 1.0), (0.8, 0.0), (0.8, 1.0)}
    low = rows[rows["levers.psychological_safety"] == 0.2]["psychological_safety_score"]
    high = rows[rows["levers.psychological_safety"] == 0.8]["psychological_safety_score"]
    assert high.min() > low.max()


@pytest.mark.fast
def test_batch_run_collection_period_gives_the_monthly_rows() -> None:
    rows = batch_run(CXCultureModel, parameters={**SMALL, "seed": 3}, iterations=1,
                     max_steps=52, number_processes=1, data_collection_period=1)
    # Mesa 3.5 returns the rows collected (months 0-12); Mesa 3.3 one per step (weeks 1-52),
    # each the month's row as of that week. Either way every month is there, in order.
    assert sorted(rows["month"].unique()) == list(range(13))
    assert rows["month"].is_monotonic_increasing
    assert rows["month"].iloc[-1] == 12


# -- keyword arguments and seeds ---------------------------------------------------------------

@pytest.mark.fast
def test_scenario_name_and_seed() -> None:
    model = CXCultureModel("techops_programme", seed=1, agents=False)
    model.run()
    frame = model.datacollector.get_model_vars_dataframe()
    pd.testing.assert_frame_equal(frame, simulate("techops_programme", seed=1),
                                  check_exact=True)
    assert model.seed == 1 and model.scenario_name == "techops_programme"


@pytest.mark.fast
def test_rng_is_the_seed() -> None:
    by_rng, by_seed = small(rng=3), small(seed=3)
    by_rng.run()
    by_seed.run()
    assert by_rng.seed == by_seed.seed == 3
    assert same(by_rng.records, by_seed.records)
    generator = small(rng=np.random.default_rng(3))
    assert generator.seed is None
    generator.run()
    assert same(generator.records, by_rng.records)  # default_rng(3) is the generator seed 3 makes
    with pytest.raises(ValueError, match="not both"):
        small(seed=1, rng=1)


@pytest.mark.fast
def test_no_seed_draws_a_fresh_one_and_records_it() -> None:
    first, second = small(), small()
    assert isinstance(first.seed, int) and isinstance(second.seed, int)
    assert first.seed != second.seed
    first.run()
    second.run()
    assert not same(first.records, second.records)
    again = small(seed=first.seed)
    again.run()
    assert same(again.records, first.records)  # the recorded seed reproduces the run


@pytest.mark.fast
def test_simulate_seeds_explicitly() -> None:
    pd.testing.assert_frame_equal(simulate("baseline"), simulate("baseline", seed=0),
                                  check_exact=True)


@pytest.mark.fast
def test_levers_by_name_dotted_key_double_underscore_and_overrides() -> None:
    expected = CXCultureModel(seed=0, overrides={**SMALL, "levers.psychological_safety": 0.9}).p
    assert small(seed=0, psychological_safety=0.9).p == expected
    assert CXCultureModel(seed=0, **{**SMALL, "levers.psychological_safety": 0.9}).p == expected
    assert CXCultureModel(seed=0, levers__psychological_safety=0.9, organisation__employees=60,
                          organisation__customers=40).p == expected
    assert CXCultureModel(seed=0).p == CXCultureModel("baseline", seed=0).p  # the default


@pytest.mark.fast
def test_bad_keywords_are_refused() -> None:
    with pytest.raises(TypeError, match="unexpected keyword argument 'safety'"):
        CXCultureModel(safety=0.5)
    with pytest.raises(ScenarioError, match=r"levers\.safety"):
        CXCultureModel(**{"levers.safety": 0.5})
    with pytest.raises(ScenarioError):
        CXCultureModel(psychological_safety=2.0)


# -- the DataCollector and the clock -----------------------------------------------------------

@pytest.mark.fast
def test_datacollector_holds_the_monthly_rows() -> None:
    model = small("techops_programme", seed=5)
    collector = model.datacollector
    assert isinstance(collector, mesa.DataCollector)
    assert len(collector.get_model_vars_dataframe()) == 1  # month 0, before the first step
    model.run()
    frame = collector.get_model_vars_dataframe()
    assert list(frame["month"]) == list(range(13)) and list(frame.index) == list(range(13))
    assert same(frame.to_dict("records"), model.records)
    assert collector._collection_steps == [0, *month_end_weeks(52)]
    pd.testing.assert_frame_equal(
        frame, simulate(small("techops_programme", seed=5).p, seed=5), check_exact=True)


@pytest.mark.fast
def test_mesa_step_counter_is_the_clock() -> None:
    model = small(seed=2)
    assert model.week == model.steps == 0
    for week in range(1, 10):
        model.step()
        assert model.week == model.steps == week
    model.run()
    assert model.steps == model.weeks == 52 and not model.running
    assert [row["week"] for row in model.records] == [0, *month_end_weeks(52)]


# -- agents ------------------------------------------------------------------------------------

VIEWS = {Employee: ["skill", "tenure_weeks", "orientation", "psychological_safety", "team"],
         Manager: ["skill", "modelling", "adoption", "team_fear"],
         Customer: ["satisfaction", "expectation", "unresolved_problems", "churned"]}


def _largest_read_allocation(employees: int, customers: int) -> int:
    """Peak bytes numpy and Python allocate for one read of any view attribute."""
    model = CXCultureModel(seed=0, overrides={"organisation.employees": employees,
                                              "organisation.customers": customers})
    worst = 0
    for kind, names in VIEWS.items():
        agent = next(iter(model.agents_by_type[kind]))
        for name in names:
            getattr(agent, name)  # warm caches before measuring
            tracemalloc.start()
            try:
                getattr(agent, name)
                worst = max(worst, tracemalloc.get_traced_memory()[1])
            finally:
                tracemalloc.stop()
    return worst


@pytest.mark.fast
def test_agent_views_cost_constant_work_per_read() -> None:
    """One attribute read allocates the same few bytes whatever the organisation's size, so
    AgentSet.get over all agents is linear. Counted, not timed: when ``skill`` computed every
    person's skill on each read, a read allocated arrays of the organisation's size (3.7 KB at
    100 posts, 205 KB at 6,400)."""
    small_org, large_org = _largest_read_allocation(100, 50), _largest_read_allocation(3200, 1600)
    assert large_org < small_org + 1024, (small_org, large_org)
    assert large_org < 2048, large_org


@pytest.mark.fast
def test_agent_skill_is_the_mechanisms_skill() -> None:
    model = small("techops_programme", seed=4)
    for _ in range(20):
        model.step()
    skill = workforce.skill(model.people, model.week, model.p)
    employees = list(model.agents_by_type[Employee]) + list(model.agents_by_type[Manager])
    assert employees
    for agent in employees:
        assert agent.skill == pytest.approx(skill[agent.slot], rel=1e-12)


@pytest.mark.fast
def test_agent_step_is_a_documented_no_op() -> None:
    model = small("techops_programme", seed=1)
    for _ in range(5):
        model.step()
    people = {f.name: getattr(model.people, f.name).copy()
              for f in dataclasses.fields(model.people)}
    satisfaction = model.customers.satisfaction.copy()
    model.agents.do("step")
    assert model.steps == 5
    for name, before in people.items():
        assert np.array_equal(getattr(model.people, name), before), name
    assert np.array_equal(model.customers.satisfaction, satisfaction)
    doc = inspect.getdoc(SlotAgent.step)
    assert "nothing" in doc and "model.step()" in doc
    for kind in (Employee, Manager, Customer):
        assert kind.step is SlotAgent.step


@pytest.mark.fast
def test_churned_customers_leave_the_agentset() -> None:
    model = small(seed=0, **{"churn.intercept": 3.0, "churn.acquisition_rate": 1.0})
    churn_seen = False
    while model.running:
        model.step()
        customers = model.customers
        agents = list(model.agents_by_type[Customer])
        assert sorted(a.slot for a in agents) == np.flatnonzero(customers.active).tolist()
        assert not any(a.churned for a in agents)
        churn_seen |= bool(customers.churned.any())
    assert churn_seen
    assert sum(isinstance(a, Customer) for a in model.agents) == int(model.customers.active.sum())


@pytest.mark.fast
def test_agents_are_made_at_first_use_and_then_kept_in_step() -> None:
    model = small("techops_programme", seed=4)
    for _ in range(20):
        model.step()
    assert len(mesa.Model.agents.fget(model)) == 0, "agent objects made before anyone asked"

    def check() -> None:
        people = sorted(a.slot for a in model.agents if isinstance(a, Employee))
        accounts = sorted(a.slot for a in model.agents_by_type[Customer])
        assert people == np.flatnonzero(model.people.filled).tolist()
        assert accounts == np.flatnonzero(model.customers.active).tolist()
        assert Manager in model.agent_types

    check()
    hires_before = model.people.hired_week.copy()
    while model.running:   # hires, leavers and churn after the agents exist
        model.step()
    assert (model.people.hired_week != hires_before).any()
    check()
    with pytest.raises(AttributeError, match=r"model\.agents"):
        model.agents = []


@pytest.mark.fast
def test_without_agents_the_outputs_are_the_same() -> None:
    with_agents, without = small(seed=9), small(seed=9, agents=False)
    assert len(with_agents.agents) > 0 and len(without.agents) == 0
    assert same(with_agents.run(), without.run())


# -- the weekly order and the organisation's state ---------------------------------------------

@pytest.mark.fast
def test_step_applies_the_weekly_order(monkeypatch: pytest.MonkeyPatch) -> None:
    from cxsim.model import cx_model

    calls: list[str] = []
    recorded = tuple(entry._replace(function=lambda m, e=entry: (calls.append(e.name),
                                                                  e.function(m)))
                     for entry in WEEKLY_ORDER)
    monkeypatch.setattr(cx_model, "WEEKLY_ORDER", recorded)
    model = small(seed=0)
    model.step()
    model.step()
    assert calls == [e.name for e in WEEKLY_ORDER] * 2
    assert {e.mechanism for e in WEEKLY_ORDER} - {None} == set(range(1, 11))
    assert all(callable(e.function) and e.description for e in WEEKLY_ORDER)


@pytest.mark.fast
def test_odd_process_overview_is_the_weekly_order() -> None:
    text = (ROOT / "docs" / "ODD.md").read_text(encoding="utf-8")
    assert weekly_order_markdown() in text, "docs/ODD.md section 3 differs from WEEKLY_ORDER"


@pytest.mark.fast
def test_organisation_state_is_declared_and_set() -> None:
    model = small(seed=0)
    assert isinstance(model.org, Organisation)
    for field in dataclasses.fields(Organisation):
        assert getattr(model.org, field.name) is not None, field.name
        assert not hasattr(model, field.name), f"model.{field.name} beside model.org"
    source = inspect.getsource(Organisation)
    for field in dataclasses.fields(Organisation):
        line = next(x for x in source.splitlines() if x.strip().startswith(f"{field.name}:"))
        assert "#" in line, f"Organisation.{field.name} has no comment"
