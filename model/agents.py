"""Mesa agents: employees, first-line managers and customer accounts.

Each agent is a view on one slot of the model's state arrays (state.py): reading
``employee.orientation`` reads ``model.people.orientation[employee.slot]``. The weekly step updates
the arrays for all agents at once (vectorised mechanisms), so agents have no ``step`` of their own;
they are there to be found, inspected and counted the way Mesa users expect
(``model.agents_by_type[Manager]``, ``model.agents.select(...)``).
"""

from __future__ import annotations

import mesa

from cxsim.model.mechanisms import workforce


def _view(group: str, attribute: str, index: str = "slot") -> property:
    def get(self):
        return getattr(getattr(self.model, group), attribute)[getattr(self, index)].item()

    def set_(self, value) -> None:
        getattr(getattr(self.model, group), attribute)[getattr(self, index)] = value

    return property(get, set_, doc=f"``model.{group}.{attribute}`` of this agent.")


class Employee(mesa.Agent):
    """An individual contributor in a team, in a function (MODEL_BRIEF §2)."""

    def __init__(self, model: mesa.Model, slot: int) -> None:
        super().__init__(model)
        self.slot = int(slot)

    team = _view("people", "team")
    function = _view("people", "function")
    frontline = _view("people", "frontline")
    orientation = _view("people", "orientation")
    engagement = _view("people", "engagement")
    psychological_safety = _view("people", "safety")
    cynicism = _view("people", "cynicism")
    change_fatigue = _view("people", "fatigue")

    @property
    def tenure_weeks(self) -> int:
        """Weeks since this person joined."""
        return int(self.model.week - self.model.people.hired_week[self.slot])

    @property
    def skill(self) -> float:
        """Skill, 0-1, from tenure (workforce.py)."""
        return float(workforce.skill(self.model.people, self.model.week, self.model.p)[self.slot])
    top_performer = _view("people", "top_performer")
    ambassador = _view("people", "ambassador")


class Manager(Employee):
    """A first-line manager: an employee who also leads a team (001 §10: managers hold keys)."""

    adoption = _view("teams", "adoption", "team")
    team_fear = _view("teams", "fear", "team")

    @property
    def modelling(self) -> float:
        """How much the manager models customer-centric behaviour, 0-1."""
        return float(self.model.modelling[self.team])


class Customer(mesa.Agent):
    """A B2B account (MODEL_BRIEF §2)."""

    def __init__(self, model: mesa.Model, slot: int) -> None:
        super().__init__(model)
        self.slot = int(slot)

    contract_value = _view("customers", "value")
    renewal_month = _view("customers", "renewal_month")
    satisfaction = _view("customers", "satisfaction")
    expectation = _view("customers", "expectation")
    satisfaction_record = _view("customers", "record")
    survey_fatigue = _view("customers", "survey_fatigue")
    unresolved_problems = _view("customers", "problem_load")
    churned = _view("customers", "churned")
    account_team = _view("customers", "account_team")
