"""Mesa agents: employees, first-line managers and customer accounts.

Each agent is a view on one slot of the model's state arrays (state.py): reading
``employee.orientation`` reads ``model.people.orientation[employee.slot]`` and writing it writes
the array. Every attribute read or write costs O(1), so ``model.agents.get("orientation")`` over
all agents is linear in their number. The agents are there to be found, inspected, counted and
edited the way Mesa users expect (``model.agents_by_type[Manager]``, ``model.agents.select(...)``,
a DataCollector's agent reporters); the weekly step updates the arrays of all agents at once.

Why views and not agents that step themselves: the vectorised year of the default organisation
(800 posts, 400 accounts, 52 weeks) takes about 30 ms (``python -m benchmarks.bench_model``), and
merely calling one empty Python method per agent per week (``agents.do("step")``) adds about a
third of that again, before any agent does any work; a per-agent step doing the mechanisms' work
in Python would cost many times the whole vectorised year. Creating the 1,200 agent objects costs
more than a compiled run, so a model makes them only when something first asks for them
(``model.agents``, ``agents_by_type``, ``agent_types``), and ``simulate`` and every experiment run
never do (``agents=False``). From then on Employee and Manager agents are removed when their
holder leaves and created at hire; a Customer agent is created when its account opens and
removed when the account churns.
"""

from __future__ import annotations

import mesa

from cxsim.model.mechanisms.workforce import skill_at


def _view(group: str, attribute: str, index: str = "slot") -> property:
    def get(self):
        return getattr(getattr(self.model, group), attribute)[getattr(self, index)].item()

    def set_(self, value) -> None:
        getattr(getattr(self.model, group), attribute)[getattr(self, index)] = value

    return property(get, set_, doc=f"``model.{group}.{attribute}`` of this agent.")


class SlotAgent(mesa.Agent):
    """An agent that is a view on slot ``slot`` of the model's arrays."""

    def __init__(self, model: mesa.Model, slot: int) -> None:
        super().__init__(model)
        self.slot = int(slot)

    def step(self) -> None:
        """Does nothing, by design: the week is the model's. ``model.step()`` applies every
        mechanism to all agents at once (vectorised over the arrays this agent views, in the order
        of ``cxsim.model.cx_model.WEEKLY_ORDER``), so ``model.agents.do("step")`` changes nothing;
        step the model instead."""


class Employee(SlotAgent):
    """An individual contributor in a team, in a function (MODEL_BRIEF §2)."""

    team = _view("people", "team")
    function = _view("people", "function")
    frontline = _view("people", "frontline")
    orientation = _view("people", "orientation")
    engagement = _view("people", "engagement")
    psychological_safety = _view("people", "safety")
    cynicism = _view("people", "cynicism")
    change_fatigue = _view("people", "fatigue")
    top_performer = _view("people", "top_performer")
    ambassador = _view("people", "ambassador")

    @property
    def tenure_weeks(self) -> int:
        """Weeks since this person joined."""
        return int(self.model.week - self.model.people.hired_week[self.slot])

    @property
    def skill(self) -> float:
        """Skill, 0-1, from tenure: ``workforce.skill`` for this slot alone (O(1))."""
        w = self.model.p.workforce
        people, s = self.model.people, self.slot
        return skill_at(float(self.model.week - people.hired_week[s]),
                        bool(people.top_performer[s]), w.new_hire_skill, w.skill_growth)


class Manager(Employee):
    """A first-line manager: an employee who also leads a team (001 §10: managers hold keys)."""

    adoption = _view("teams", "adoption", "team")
    team_fear = _view("teams", "fear", "team")

    @property
    def modelling(self) -> float:
        """How much the manager models customer-centric behaviour, 0-1."""
        return float(self.model.org.modelling[self.team])


class Customer(SlotAgent):
    """A B2B account (MODEL_BRIEF §2); its agent leaves the model when the account churns."""

    contract_value = _view("customers", "value")
    renewal_month = _view("customers", "renewal_month")
    satisfaction = _view("customers", "satisfaction")
    expectation = _view("customers", "expectation")
    satisfaction_record = _view("customers", "record")
    survey_fatigue = _view("customers", "survey_fatigue")
    unresolved_problems = _view("customers", "problem_load")
    churned = _view("customers", "churned")
    account_team = _view("customers", "account_team")
