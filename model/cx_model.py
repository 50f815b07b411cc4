"""The Mesa model of CX culture change."""

from __future__ import annotations

import mesa
import numpy as np

from cxsim.model.agents import Customer, Employee, Manager
from cxsim.model.leadership import RITUALS, weekly_policy
from cxsim.model.mechanisms import (
    churn,
    customer_experience,
    engagement,
    fatigue,
    incentives,
    measurement,
    rituals,
    say_do,
    social_influence,
    voice,
    workforce,
)
from cxsim.model.metrics import Tally, monthly_row
from cxsim.model.parameters import Parameters
from cxsim.model.state import SILENT, SURFACED, init_customers, init_pain_points, init_people


def month_end_weeks(weeks: int) -> dict[int, int]:
    """Week at which each month ends: month m ends at week round(52 m / 12), for every month that
    ends within the horizon."""
    ends: dict[int, int] = {}
    month = 1
    while round(52 * month / 12) <= weeks:
        ends[round(52 * month / 12)] = month
        month += 1
    return ends


class CXCultureModel(mesa.Model):
    """Customer-experience culture change in a B2B organisation, week by week.

    The conceptual model is MODEL_BRIEF.md; its sources are "Building a CX-First Culture" (001:
    pillars, maturity model, anti-patterns, the TechOps Pro case), "Customer Experience Leaders"
    (003: closing the loop, frontline culture, the negativity of troughs) and "How Do You Define CX
    Success?" (004: acting on scores). docs/ODD.md describes it in the ODD protocol.

    Args:
        parameters: every parameter (model/parameters.py); the three levers are
            ``levers.psychological_safety`` (S, the safety climate), ``levers.ritual_participation``
            (rho, the propensity to join an offered customer ritual) and
            ``levers.incentive_alignment`` (a0, the share of rewards tied to customer outcomes);
            ``anti_patterns.*`` are intensities 0-1 of CX theater, change fatigue, CX police,
            survey obsession and blame culture; ``timeline`` is leadership's policy.
        seed: seeds the one random generator of the run (``self.rng``).

    Each week (``step``) applies the mechanisms in this order: change load and fatigue (5),
    incentives and managers' adoption (3), rituals (2), the voice loop (1), the say-do gap (4),
    engagement, social influence (6), workforce flow (7), promises raising customers'
    expectations (8); at a month's end, customers' touchpoints (8) and renewals (9); then
    measurement (10), and at a month's end a row of outputs (metrics.py).
    """

    def __init__(self, parameters: Parameters | None = None, seed: int = 0) -> None:
        super().__init__(seed=seed)
        # One seeded generator per run (Mesa's self.rng). Initialisation (people, pain points,
        # customers, the first survey), the weekly step and the pain points' weekly draws use
        # streams spawned from it, so how much randomness one part consumes (the Beta sampler's
        # rejections depend on parameters; the pool's size on the arrival rate) cannot shift the
        # others: common random numbers across scenarios.
        people_rng, pain_rng, customer_rng, survey_rng, self.step_rng, self.pain_rng = (
            self.rng.spawn(6))
        self.p = parameters if parameters is not None else Parameters()
        self.weeks = self.p.simulation.weeks
        self.policy = weekly_policy(self.p)
        self.people, self.teams = init_people(self.p, people_rng)
        self.pain = init_pain_points(self.p, pain_rng)
        self.customers = init_customers(self.p, self.teams, self.pain, customer_rng)
        self.week = 0
        self.month_ends = month_end_weeks(self.weeks)
        self.tally = Tally()
        self.load = self.p.load.base_load + float(self.policy.load[0])
        self.say_do_gap = 0.0
        self.contact = np.zeros(self.people.size, bool)
        self.collaboration = self.p.leadership.collaboration_base
        self.climate = self.p.levers.psychological_safety
        self.safety_anchor = voice.safety_target(self.people.safety_offset, self.climate)
        self.problems_changed = True
        self.refresh_problem_load()
        p, people, customers = self.p, self.people, self.customers
        people.engagement_anchor = engagement.anchor_for(
            people.engagement, people.cynicism, people.fatigue, people.meaning, p.engagement)
        self.utility_table = customer_experience.mean_utility_table(p.customer_experience)
        self.expected_quality = customer_experience.touchpoint_quality(self)
        customers.expectation = customer_experience.expectation_for(
            customers.satisfaction, self.expected_quality, self.utility_table)
        self.mean_fatigue = float(people.fatigue.mean())
        incentives.step(self)
        self.action_at_start = self.action
        self.initial_revenue = float(customers.value[customers.active].sum())
        customers.record[:] = customers.satisfaction
        # Expected weekly relief from fixes at the start: fix hazard x surfaced problems x reach.
        surfaced = self.pain.status == SURFACED
        reach = float(customers.hits[customers.exists][:, surfaced].mean()) if surfaced.any() else 0
        self.fix_relief = (p.measurement.action_recovery * p.voice.fix_rate * self.action
                           * int(surfaced.sum()) * reach)
        customers.survey_fatigue[:] = measurement.steady_survey_fatigue(p.measurement,
                                                                        self.fix_relief)

        self._people_agents: list[Employee | None] = [None] * people.size
        self._customer_agents: list[Customer | None] = [None] * customers.exists.size
        self.add_people_agents(np.arange(people.size))
        self._add_customer_agents(np.flatnonzero(customers.exists))

        self.views = measurement.initial_views(self.policy)
        self.survey_nps = 0.0
        self.survey_response_rate = 0.0
        if self.policy.survey_weeks[0]:
            measurement.survey(self, survey_rng.random(customers.exists.size))
        self.ritual_participants = np.zeros(people.size, bool)
        self.acquisition_due = 0.0
        self.tally.reset(int(customers.active.sum()))
        self.records: list[dict[str, float]] = [monthly_row(self, 0)]
        self.running = True

    # -- the weekly step ---------------------------------------------------------------------

    def step(self) -> None:
        """One week: every mechanism once, vectorised over all agents."""
        self.week += 1
        n_people = self.people.size
        n_customers = self.customers.exists.size
        # Fixed-size draws every week keep scenarios on common random numbers.
        rng = self.step_rng
        person_u = rng.random((len(RITUALS) + 7, n_people), dtype=np.float32)
        person_z = rng.standard_normal(n_people)
        survey_u = rng.random(n_customers, dtype=np.float32)
        recovery_u = rng.random(n_customers, dtype=np.float32)
        # The pool's size depends on the arrival rate: its draws come from their own stream.
        pain_u = self.pain_rng.random(self.pain.status.size, dtype=np.float32)
        r = len(RITUALS) + 1

        fatigue.step(self)
        filled = self.people.filled
        staff = np.count_nonzero(filled)
        self.mean_fatigue = float(self.people.fatigue @ filled) / staff if staff else 0.0
        incentives.step(self)
        rituals.step(self, person_u[:r])
        voice.step(self, person_u[r:r + 4], pain_u, recovery_u)
        say_do.step(self)
        engagement.step(self)
        social_influence.step(self)
        workforce.step(self, person_u[r + 4:r + 6], person_z)
        customer_experience.raise_expectations(self)
        month = self.month_ends.get(self.week)
        if month is not None:
            touches = self.p.customer_experience.touches_per_month
            customer_experience.step(self, rng.standard_normal((touches, n_customers)))
            churn.step(self, month, rng.random((2, n_customers)))
        measurement.step(self, survey_u)

        self.tally.weeks += 1
        if month is not None:
            self.records.append(monthly_row(self, month))
            self.tally.reset(int(self.customers.active.sum()))
            self.ritual_participants[:] = False
        if self.week >= self.weeks:
            self.running = False

    def run(self) -> list[dict[str, float]]:
        """Step to the horizon; the monthly rows."""
        while self.running:
            self.step()
        return self.records

    def release(self) -> None:
        """Let the model be garbage-collected once the caller drops it. Mesa 3.3 keeps every
        model in a class-level dict of agent-id counters (mesa#3179, fixed after 3.3, which needs
        Python 3.12), so each model would otherwise stay in memory for the life of the process.
        Call it when no more agents will be added."""
        mesa.Agent._ids.pop(self, None)

    # -- state changes that touch several mechanisms ------------------------------------------

    def refresh_problem_load(self) -> None:
        """Severity of the open pain points that hit each account, after arrivals or fixes."""
        if not self.problems_changed:
            return
        pain = self.pain
        open_ = (pain.status == SILENT) | (pain.status == SURFACED)
        self.customers.problem_load = self.customers.hits @ (pain.severity * open_).astype(
            np.float32)
        self.customers.problem_load = self.customers.problem_load.astype(float)
        self.problems_changed = False

    def on_fixed(self, fixed: np.ndarray) -> None:
        """Fixed pain points lift the accounts they still hit and show them visible change."""
        hit = (self.customers.hits[:, fixed].sum(axis=1) > 0) & self.customers.active
        customer_experience.delight(self.customers.satisfaction, hit,
                                    self.p.customer_experience)
        measurement.visible_change(self.customers.survey_fatigue, hit, self.p.measurement)
        self.problems_changed = True

    def win_customers(self, slots: np.ndarray, month: int) -> None:
        """Open accounts won by sales or referral in free slots."""
        c = self.customers
        c.exists[slots] = True
        c.record[slots] = c.satisfaction[slots]
        c.joined_month[slots] = month
        c.renewal_month[slots] = (month - 1) % 12
        c.expectation[slots] = customer_experience.expectation_for(
            c.satisfaction[slots], self.expected_quality[slots], self.utility_table)
        c.survey_fatigue[slots] = measurement.steady_survey_fatigue(self.p.measurement,
                                                                    self.fix_relief)
        self.tally.won += slots.size
        self._add_customer_agents(slots)

    # -- Mesa agents as views on the arrays ----------------------------------------------------

    def add_people_agents(self, slots: np.ndarray) -> None:
        for slot in slots:
            kind = Manager if self.people.is_manager[slot] else Employee
            self._people_agents[slot] = kind(self, slot)

    def remove_agents(self, slots: np.ndarray) -> None:
        for slot in slots:
            agent = self._people_agents[slot]
            if agent is not None:
                agent.remove()
                self._people_agents[slot] = None

    def _add_customer_agents(self, slots: np.ndarray) -> None:
        for slot in slots:
            self._customer_agents[slot] = Customer(self, slot)
