"""The Mesa model of CX culture change: its weekly order (``WEEKLY_ORDER``), its DataCollector and
the model class."""

from __future__ import annotations

import bisect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

import mesa
import numpy as np
import pandas as pd

from cxsim.model.agents import Customer, Employee, Manager
from cxsim.model.calendar import month_end_weeks
from cxsim.model.leadership import RITUALS, Policy, weekly_policy
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
from cxsim.model.metrics import COLUMNS, Ledger, Tally, monthly_row
from cxsim.model.parameters import Levers, Parameters
from cxsim.model.scenario import Scenario, load_scenario
from cxsim.model.state import (
    SURFACED,
    Customers,
    Organisation,
    PainPoints,
    init_customers,
    init_pain_points,
    init_people,
    uniforms32,
)
from cxsim.model.team_metrics import TeamTally

DEFAULT_SCENARIO = "baseline"
LEVERS = tuple(Levers.model_fields)  # keyword names accepted for ``levers.<name>``


def problem_load(customers: Customers, pain: PainPoints) -> np.ndarray:
    """Severity of the open pain points that hit each account: a float32 sum over the open
    problems in turn, as ``hits`` is float32 (``customer_experience.problem_loads``; BLAS's
    matrix-vector product sums in an order that depends on the CPU)."""
    return customer_experience.problem_loads(customers.hits,
                                             voice.open_severity(pain.status, pain.severity))


# -- the week, as data ---------------------------------------------------------------------------

# Rows of the weekly block of uniforms per post: one per ritual kind and onboarding, then voice
# (meet, pick, speak, learn), then workforce (leave, top performer).
_RITUAL_ROWS = len(RITUALS) + 1
_VOICE_ROWS = slice(_RITUAL_ROWS, _RITUAL_ROWS + 4)
_WORKFORCE_ROWS = slice(_RITUAL_ROWS + 4, _RITUAL_ROWS + 6)
PERSON_UNIFORM_ROWS = _RITUAL_ROWS + 6


@dataclass
class WeekDraws:
    """This week's random numbers, drawn in fixed shapes whatever happens (common random numbers:
    docs/ODD.md section 4, Stochasticity)."""

    person_u: np.ndarray    # (PERSON_UNIFORM_ROWS, posts) float32 uniforms
    person_z: np.ndarray    # (posts,) normals: hires' orientation
    survey_u: np.ndarray    # (customer slots,) float32 uniforms: survey response
    recovery_u: np.ndarray  # (customer slots,) float32 uniforms: service recovery
    pain_u: np.ndarray      # (pain points,) float32 uniforms from the pain points' stream: fixes


class WeeklyStep(NamedTuple):
    """One entry of the weekly order."""

    name: str
    function: Callable[[CXCultureModel], None]
    mechanism: int | None   # MODEL_BRIEF §3 number; None for bookkeeping and engagement
    description: str        # one line, with the docs/ODD.md section of its rules


def draw(model: CXCultureModel) -> None:
    """Draw the week's random numbers into ``model.draws``."""
    rng, n_people, n_customers = model.step_rng, model.people.size, model.customers.exists.size
    person_u = uniforms32(rng, (PERSON_UNIFORM_ROWS, n_people))
    person_z = rng.standard_normal(n_people)
    # one call for both: the same numbers as two in turn
    survey_u, recovery_u = rng.random((2, n_customers), dtype=np.float32)
    # The pool's size depends on the arrival rate: its draws come from their own stream.
    pain_u = model.pain_rng.random(model.pain.status.size, dtype=np.float32)
    model.draws = WeekDraws(person_u, person_z, survey_u, recovery_u, pain_u)


def load_and_fatigue(model: CXCultureModel) -> None:
    """``fatigue.step``: every post's fatigue, and the mean fatigue of filled posts."""
    model.org.mean_fatigue = fatigue.step(model)


def hold_rituals(model: CXCultureModel) -> None:
    """``rituals.step`` on this week's ritual and onboarding uniforms."""
    rituals.step(model, model.draws.person_u[:_RITUAL_ROWS])


def voice_loop(model: CXCultureModel) -> None:
    """``voice.step`` on this week's voice, fix and service-recovery uniforms."""
    d = model.draws
    voice.step(model, d.person_u[_VOICE_ROWS], d.pain_u, d.recovery_u)


def workforce_flow(model: CXCultureModel) -> None:
    """``workforce.step`` on this week's leave and top-performer uniforms and hires' normals."""
    d = model.draws
    workforce.step(model, d.person_u[_WORKFORCE_ROWS], d.person_z)


def touchpoints(model: CXCultureModel) -> None:
    """At a month end, ``customer_experience.step`` on fresh touchpoint noise."""
    if model.month_ending is None:
        return
    touches = model.p.customer_experience.touches_per_month
    customer_experience.step(
        model, model.step_rng.standard_normal((touches, model.customers.exists.size)))


def renewals(model: CXCultureModel) -> None:
    """At a month end, ``churn.step``; the agents of accounts that churned leave the model."""
    month = model.month_ending
    if month is None:
        return
    churned = churn.step(model, month, model.step_rng.random((2, model.customers.exists.size)))
    model.remove_customer_agents(churned)


def measure(model: CXCultureModel) -> None:
    """``measurement.step`` on this week's survey uniforms."""
    measurement.step(model, model.draws.survey_u)


def record(model: CXCultureModel) -> None:
    """At a month end, the month's row (``model.records``, the DataCollector) and, if asked
    for, the team rows (``model.team_tally``); stop after T."""
    model.tally.weeks += 1
    month = model.month_ending
    if month is not None:
        model.records.append(monthly_row(model, month))
        if model.team_tally is not None:  # team rows only when asked for (simulate_teams)
            model.team_tally.close_month(model, month)
        model.datacollector.collect(model)
        model.tally.reset(int(np.count_nonzero(model.customers.active)))
        model.org.ritual_participants[:] = False
    if model.week >= model.weeks:
        model.running = False


WEEKLY_ORDER: tuple[WeeklyStep, ...] = (
    WeeklyStep("draw", draw, None,
               "Draw the week's random numbers in fixed-size blocks (section 4, Stochasticity)."),
    WeeklyStep("load and fatigue", load_and_fatigue, 5,
               "Change load L(t), every post's fatigue, then the mean fatigue of filled posts "
               "(7.2)."),
    WeeklyStep("incentives", incentives.step, 3,
               "Incentive pull on orientation, managers' adoption (resisters hold theirs) and "
               "modelling M_g, each owning team's capacity to fix (7.3)."),
    WeeklyStep("rituals", hold_rituals, 2,
               "Sessions held, who takes part, exposure, onboarding immersion, customer contact, "
               "collaboration, meaning, orientation decay (7.4)."),
    WeeklyStep("voice loop", voice_loop, 1,
               "Arrivals; climate; who meets a problem, speaks up, is heard or blamed; evidence "
               "and surfacing; service recovery; safety and fear; fixes (7.5)."),
    WeeklyStep("say-do gap", say_do.step, 4,
               "What leaders do, D(t), against what they say; the gap; cynicism (7.6)."),
    WeeklyStep("engagement", engagement.step, None,
               "Engagement relaxes toward its target (7.7)."),
    WeeklyStep("social influence", social_influence.step, 6,
               "Orientation, safety and cynicism move toward the circle's (7.8)."),
    WeeklyStep("workforce flow", workforce_flow, 7,
               "Leavers, vacancies counting down, hires (7.9)."),
    WeeklyStep("expectations", customer_experience.move_expectations, 8,
               "Customers' expectations move toward their anchor plus a share of lasting "
               "quality changes plus what the rhetoric R(t) promises, bounded (7.10)."),
    WeeklyStep("touchpoints", touchpoints, 8,
               "At a month end: problem loads, noise-free touchpoint quality, then "
               "touches_per_month touches per account (7.10)."),
    WeeklyStep("renewals", renewals, 9,
               "At a month end: satisfaction records, renewals due, referrals, sales wins, new "
               "accounts; churned accounts' agents leave the model (7.11)."),
    WeeklyStep("measurement", measure, 10,
               "Customers' survey fatigue recovers; a customer survey in "
               "survey weeks (7.12)."),
    WeeklyStep("record", record, None,
               "At a month end: the employee survey and the month's output row (7.13), "
               "collected by the DataCollector; "
               "tallies and monthly ritual flags reset. After week T the run stops."),
)


def weekly_order_markdown(order: tuple[WeeklyStep, ...] = WEEKLY_ORDER) -> str:
    """The weekly order as the Markdown table of docs/ODD.md section 3."""
    lines = ["| # | Step | Mechanism | What happens |", "|---|---|---|---|"]
    for i, step in enumerate(order, 1):
        mechanism = "–" if step.mechanism is None else str(step.mechanism)
        lines.append(f"| {i} | {step.name} | {mechanism} | {step.description} |")
    return "\n".join(lines) + "\n"


# -- the DataCollector ---------------------------------------------------------------------------

# Mesa 3.5 records the step of each collection (``DataCollector._collection_steps``) and
# batch_run reads the rows collected; Mesa 3.3's batch_run reads ``model_vars[name][i]`` after
# the (i + 1)-th step, as if a row were collected at every step.
_MESA_RECORDS_STEPS = hasattr(mesa.DataCollector(), "_collection_steps")


def latest_output(model: CXCultureModel, column: str) -> float:
    """Model reporter: ``column`` of the latest monthly row."""
    return model.records[-1][column]


class _AsOfStep:
    """Mesa 3.3 only: ``model_vars[name]`` as its batch_run reads it. ``[i]`` is the value of the
    latest collection at or before the end of step i + 1, so a 52-week run's last row (month 12)
    is what batch_run reports, labelled Step 51."""

    __slots__ = ("_steps", "_values")

    def __init__(self, steps: list[int], values: list[float]) -> None:
        self._steps, self._values = steps, values

    def __getitem__(self, i: int) -> float:
        return self._values[bisect.bisect_right(self._steps, i + 1) - 1]


class MonthlyDataCollector(mesa.DataCollector):
    """Mesa's DataCollector with one model reporter per output column (``metrics.COLUMNS``),
    collected at month 0 and at every month end: ``get_model_vars_dataframe()`` is the monthly
    table ``simulate`` returns, indexed by month.

    ``collect`` appends the row the model has just computed instead of calling each reporter and
    deep-copying its value: the row holds plain numbers, and the generic path would add about
    0.5 ms to a 30 ms run. ``_collection_steps`` (the week of each row) is what Mesa 3.5's batch_run
    reads; on Mesa 3.3 ``model_vars`` is read by step instead (``_AsOfStep``).
    """

    def __init__(self) -> None:
        super().__init__(model_reporters={name: partial(latest_output, column=name)
                                          for name in COLUMNS})
        self._collection_steps: list[int] = []
        self._monthly: dict[str, list[float]] = self.model_vars
        if not _MESA_RECORDS_STEPS:
            self.model_vars = {name: _AsOfStep(self._collection_steps, values)
                               for name, values in self._monthly.items()}

    def collect(self, model: CXCultureModel) -> None:
        row = model.records[-1]
        for name, values in self._monthly.items():
            values.append(row[name])
        self._collection_steps.append(model.steps)

    def get_model_vars_dataframe(self) -> pd.DataFrame:
        return pd.DataFrame(self._monthly)


# -- the model -----------------------------------------------------------------------------------

def _dotted(key: str) -> str:
    """A keyword's dotted parameter key: dotted already, ``__`` for the dot, or a lever's name."""
    if "." in key:
        return key
    if "__" in key:
        return key.replace("__", ".")
    if key in LEVERS:
        return f"levers.{key}"
    raise TypeError(f"CXCultureModel() got an unexpected keyword argument {key!r}: give a lever "
                    f"({', '.join(LEVERS)}) or a dotted parameter key (docs/parameters.md)")


def _plain(value: Any) -> Any:
    """numpy scalars (batch_run passes the items of arrays) as Python numbers for validation."""
    return value.item() if isinstance(value, np.generic) else value


def resolve_scenario(scenario: Scenario | Parameters | str | Path | None,
                     overrides: Mapping[str, Any]) -> Scenario:
    """A scenario object, shipped name or file, or bare parameters, with overrides applied."""
    if scenario is None:
        scenario = DEFAULT_SCENARIO
    if not isinstance(scenario, (Scenario, Parameters, str, Path)):
        raise TypeError(f"scenario: a cxsim Scenario, a scenario's name or file, or Parameters; "
                        f"got {type(scenario).__name__} (Mesa's experimental Scenario is not "
                        f"used: pass levers and dotted keys as keyword arguments)")
    if isinstance(scenario, Parameters):
        scenario = Scenario("parameters", "parameters given directly", "", (), scenario)
    elif not isinstance(scenario, Scenario):
        return load_scenario(scenario, overrides=dict(overrides) or None)
    return scenario.with_overrides(dict(overrides)) if overrides else scenario


def fresh_seed() -> int:
    """A new seed from the operating system's entropy (128 bits), to be recorded."""
    return int(np.random.SeedSequence().entropy)


class CXCultureModel(mesa.Model):
    """Customer-experience culture change in a B2B organisation, week by week.

    The conceptual model is MODEL_BRIEF.md; its sources are "Building a CX-First Culture" (001:
    pillars, maturity model, anti-patterns, the TechOps Pro case), "Customer Experience Leaders"
    (003: closing the loop, frontline culture, the negativity of troughs) and "How Do You Define CX
    Success?" (004: acting on scores), with the literature of MODEL_BRIEF §8 for the functional
    forms. docs/ODD.md describes it in the ODD protocol; docs/parameters.md lists every parameter.

    Agents are views on the state arrays (agents.py: ``Employee``, ``Manager``, ``Customer``); each
    week applies ``WEEKLY_ORDER``, every mechanism vectorised over all agents; Mesa's step counter
    ``steps`` is the week.

    Args:
        scenario: a ``Scenario``, a shipped scenario's name (``"techops_programme"``), a scenario
            file, or bare ``Parameters``; default ``"baseline"``, the calibrated organisation.
        seed: seeds the run's one random generator (``self.rng``; the same as ``rng`` with an
            int). With neither ``seed`` nor ``rng`` a fresh seed is drawn and recorded in
            ``self.seed``, as Mesa does; pass one to reproduce a run.
        rng: Mesa's name for the seed: an int, or a ``numpy.random.Generator`` (``self.seed`` is
            then None).
        psychological_safety: lever S, the safety climate, 0-1 (``levers.psychological_safety``;
            None keeps the scenario's value).
        ritual_participation: lever rho, the propensity to join an offered customer ritual, 0-1.
        incentive_alignment: lever a0, the share of rewards tied to customer outcomes, 0-1.
        overrides: any parameters by dotted key (``{"anti_patterns.blame_culture": 0.5}``).
        agents: offer Mesa agents (default): they are made the first time something asks for
            them (``model.agents``, ``agents_by_type``, ``agent_types``: a Mesa user, the
            SolaraViz app, a DataCollector's agent reporters) and kept in step with hires,
            leavers and accounts from then on. False: never (``simulate`` and every experiment
            run read the arrays only).
        teams_output: also collect one row per team per month in ``team_tally``
            (team_metrics.py; ``simulate_teams``); the monthly rows are the same either way.
        policy: leadership's weekly series (``leadership.weekly_policy``), if the caller has
            made them already (``simulate_many`` does once for all runs of the same
            ``Parameters``); used only if made from this run's parameters object, else made.
        **kwargs: more overrides by dotted key (``**{"risks.remote_work": 1.0}``, as
            ``mesa.batch_run`` passes them) or with ``__`` for the dot (``risks__remote_work=1``).

    Attributes:
        p: the run's ``Parameters``; ``scenario_name``, ``seed``, ``weeks`` (the horizon T).
        people, teams, customers, pain, org: the state (state.py); ``policy``: leadership's weekly
            series (leadership.py); ``tally``: the month's counts; ``team_tally``: the team
            rows and their counts with ``teams_output``, else None.
        records: the monthly rows so far (month 0 first); ``datacollector`` holds the same rows
            (``datacollector.get_model_vars_dataframe()``).
        week: the current week, ``self.steps`` (0 before the first step).
    """

    def __init__(self, scenario: Scenario | Parameters | str | Path | None = None, *,
                 seed: int | None = None, rng: Any = None,
                 psychological_safety: float | None = None,
                 ritual_participation: float | None = None,
                 incentive_alignment: float | None = None,
                 overrides: Mapping[str, Any] | None = None, agents: bool = True,
                 teams_output: bool = False, policy: Policy | None = None,
                 **kwargs: Any) -> None:
        if seed is not None and rng is not None:
            raise ValueError("CXCultureModel: pass seed or rng, not both")
        given = fresh_seed() if seed is None and rng is None else (rng if seed is None else seed)
        given = _plain(given)
        self.seed: int | None = given if isinstance(given, int) else None
        super().__init__(rng=given)  # Mesa 3.5 deprecates seed=; rng= means the same with an int
        levers = {"psychological_safety": psychological_safety,
                  "ritual_participation": ritual_participation,
                  "incentive_alignment": incentive_alignment}
        changes = {f"levers.{k}": v for k, v in levers.items() if v is not None}
        changes.update(overrides or {})
        changes.update({_dotted(k): v for k, v in kwargs.items()})
        resolved = resolve_scenario(scenario, {k: _plain(v) for k, v in changes.items()})
        self.scenario_name = resolved.name
        self._agents_offered = agents
        self._with_agents = False   # the agent objects exist (made on first use)
        # One seeded generator per run (Mesa's self.rng). Initialisation (people, pain points,
        # customers, the first survey), the weekly step and the pain points' weekly draws use
        # streams spawned from it, so how much randomness one part consumes (the Beta sampler's
        # rejections depend on parameters; the pool's size on the arrival rate) cannot shift the
        # others: common random numbers across scenarios.
        people_rng, pain_rng, customer_rng, survey_rng, self.step_rng, self.pain_rng = (
            self.rng.spawn(6))
        # The employee survey (the cultural assessment, taken with each monthly row) draws from a
        # seventh stream, spawned after the six so that they keep their draws.
        self.employee_survey_rng = self.rng.spawn(1)[0]
        p = self.p = resolved.parameters
        self.weeks = p.simulation.weeks
        if policy is None or policy.parameters is not p:
            policy = weekly_policy(p)
        self.policy = policy
        self.people, self.teams = people, teams = init_people(p, people_rng)
        self.pain = init_pain_points(p, teams, pain_rng)
        self.owner_teams = np.unique(self.pain.owner)
        self.customers = customers = init_customers(p, teams, self.pain, customer_rng)
        # Every customer slot, sorted by the team serving it (fixed for the run): the active
        # accounts of each team, in slot order, without a sort each week (voice).
        self.account_order = np.argsort(customers.account_team, kind="stable")
        # Per post and fixed for the run: the chance of meeting a problem outside rituals (voice)
        # and the share of ritual sessions the post can join (rituals).
        self.meet_chance = voice.meet_chance(people.frontline, p.voice, p.anti_patterns.cx_police)
        self.ritual_reach = rituals.reach(people.frontline, p.anti_patterns.cx_police)
        self.month_ends = month_end_weeks(self.weeks)
        self.tally = Tally()
        self.ledger = Ledger.start(customers.exists.size)  # churn months: realised churn
        self.draws: WeekDraws | None = None
        self.datacollector = MonthlyDataCollector()

        # Stationarity devices (docs/ODD.md section 5, step 6): the state as it starts is each
        # mechanism's resting point.
        climate = p.levers.psychological_safety
        customers.problem_load = problem_load(customers, self.pain)
        people.engagement_anchor = engagement.anchor_for(
            people.engagement, people.cynicism, people.fatigue, people.meaning, p.engagement)
        utility_table = customer_experience.mean_utility_table(p.customer_experience)
        load = fatigue.weekly_load(p.load.base_load, float(policy.load[0]))
        q = customer_experience.post_quality(self, load)
        served_quality = customer_experience.served_quality(self, load, q)
        expected_quality = customer_experience.touchpoint_quality(self, load, q, served_quality)
        # Each account's drawn satisfaction fixes the expectation it opened with against the
        # market's service (the mean segment's); the month-0 book has since got used to a share
        # of its own segment's difference, and rests there, so team differences show in accounts.
        self.frontline_teams = np.flatnonzero(teams.frontline)
        market = customer_experience.without_team_differences(
            expected_quality, served_quality, customers.account_team, self.frontline_teams)
        customers.expectation_anchor[:] = customer_experience.expectation_for(
            customers.satisfaction, market, utility_table)
        customers.quality_anchor[:] = market
        customers.expectation[:] = customer_experience.expectation_target(
            customers.expectation_anchor, expected_quality, market, 0.0, p.customer_experience)
        customers.satisfaction[:] = customer_experience.resting_satisfaction(
            expected_quality, customers.expectation, utility_table)
        mean_fatigue = float(people.fatigue.mean())
        capacity = incentives.fix_capacity(
            teams.adoption, incentives.team_means(people.orientation, people.team, people.filled,
                                                  teams.size),
            incentives.team_means(people.fatigue, people.team, people.filled, teams.size),
            load, p.anti_patterns.cx_police, float(policy.budget_cut[0]), p)
        action = incentives.visible_action(capacity, self.owner_teams)
        customers.record[:] = customers.satisfaction
        customers.problem_record[:] = customers.problem_load
        # Expected weekly relief from fixes at the start: fix hazard x surfaced problems x reach.
        surfaced = self.pain.status == SURFACED
        reach = float(customers.hits[customers.exists][:, surfaced].mean()) if surfaced.any() else 0
        fix_hazard = p.voice.fix_rate * capacity[self.pain.owner[surfaced]]
        fix_relief = p.measurement.action_recovery * float(fix_hazard.sum()) * reach
        customers.survey_fatigue[:] = measurement.steady_survey_fatigue(p.measurement, fix_relief)
        self.org = Organisation(
            load=load,
            mean_fatigue=mean_fatigue,
            climate=climate,
            safety_anchor=voice.safety_target(people.safety_offset, climate),
            modelling=incentives.manager_modelling(teams.adoption,
                                                   people.fatigue[teams.manager_slot],
                                                   p.managers.modelling_weight),
            fix_capacity=capacity,
            action=action,
            action_at_start=action,
            say_do_gap=0.0,
            collaboration=p.leadership.collaboration_base,
            contact=np.zeros(people.size, bool),
            ritual_participants=np.zeros(people.size, bool),
            problems_changed=False,
            expected_quality=expected_quality,
            served_quality=served_quality,
            utility_table=utility_table,
            fix_relief=fix_relief,
            survey_nps=float("nan"),   # no survey yet: no score (the week-0 survey below)
            survey_response_rate=0.0,
            acquisition_due=0.0,
            initial_revenue=float(customers.value[customers.active].sum()),
        )

        self._people_agents: list[Employee | None] = [None] * people.size
        self._customer_agents: list[Customer | None] = [None] * customers.exists.size

        if policy.survey_weeks[0]:
            measurement.survey(self, survey_rng.random(customers.exists.size))
        self.tally.reset(int(np.count_nonzero(customers.active)))
        self.records: list[dict[str, float]] = [monthly_row(self, 0)]
        self.datacollector.collect(self)
        self.team_tally: TeamTally | None = TeamTally.start(self) if teams_output else None
        self.running = True

    # -- the clock and the weekly step --------------------------------------------------------

    @property
    def week(self) -> int:
        """The current week: Mesa's step counter (0 before the first step)."""
        return self.steps

    @week.setter
    def week(self, value: int) -> None:
        # unit tests set the clock to drive a single mechanism
        self.steps = value

    # Mesa 3.5 reserves ``scenario`` for its experimental Scenario (parameters and rng in one
    # object), and its SolaraViz rebuilds a model that has one with ``scenario=<that object>``.
    # Here ``scenario`` is a cxsim scenario, so the model declares none: SolaraViz then passes
    # the page's parameters back as they are.
    @property
    def scenario(self) -> None:
        """Mesa 3.5's experimental Scenario: none (this run's is ``scenario_name``, ``p``)."""
        return None

    @scenario.setter
    def scenario(self, value: Any) -> None:
        pass  # Mesa 3.5's Model.__init__ sets a default one; it has nothing this model reads

    @property
    def month_ending(self) -> int | None:
        """The month that ends this week, if one does."""
        return self.month_ends.get(self.steps)

    def step(self) -> None:
        """One week: ``WEEKLY_ORDER``, every mechanism vectorised over all agents (Mesa has
        already advanced ``steps``, the clock)."""
        for entry in WEEKLY_ORDER:
            entry.function(self)

    def run(self) -> list[dict[str, float]]:
        """Step to the horizon; the monthly rows."""
        while self.running:
            self.step()
        return self.records

    def release(self) -> None:
        """Let the model be garbage-collected once the caller drops it. Mesa 3.3 keeps every
        model in a class-level dict of agent-id counters (mesa#3179; Mesa 3.5 counts ids per
        model), so each model would otherwise stay in memory for the life of the process.
        Call it when no more agents will be added."""
        ids = getattr(mesa.Agent, "_ids", None)
        if ids is not None:
            ids.pop(self, None)

    # -- state changes that touch several mechanisms ------------------------------------------

    def refresh_problem_load(self) -> None:
        """Severity of the open pain points that hit each account, after arrivals or fixes."""
        if self.org.problems_changed:
            self.customers.problem_load = problem_load(self.customers, self.pain)
            self.org.problems_changed = False

    def on_fixed(self, fixed: np.ndarray) -> None:
        """Fixed pain points lift the accounts they still hit and show them visible change."""
        customers = self.customers
        hit = voice.hit_accounts(customers.hits, fixed, customers.exists, customers.churned)
        customer_experience.delight(customers.satisfaction, hit, self.p.customer_experience)
        measurement.visible_change(customers.survey_fatigue, hit, self.p.measurement)
        self.org.problems_changed = True

    def win_customers(self, slots: np.ndarray, month: int) -> None:
        """Open accounts won by sales or referral in free slots."""
        c, org = self.customers, self.org
        c.exists[slots] = True
        c.joined_month[slots] = month
        c.renewal_month[slots] = (month - 1) % 12
        market = customer_experience.without_team_differences(
            org.expected_quality[slots], org.served_quality, c.account_team[slots],
            self.frontline_teams)
        c.expectation[slots] = customer_experience.expectation_for(
            c.satisfaction[slots], market, org.utility_table)
        c.satisfaction[slots] = customer_experience.resting_satisfaction(
            org.expected_quality[slots], c.expectation[slots], org.utility_table)
        c.record[slots] = c.satisfaction[slots]
        c.problem_record[slots] = c.problem_load[slots]
        c.expectation_anchor[slots] = c.expectation[slots]
        c.quality_anchor[slots] = market
        c.survey_fatigue[slots] = measurement.steady_survey_fatigue(self.p.measurement,
                                                                    org.fix_relief)
        self.tally.won += slots.size
        self._add_customer_agents(slots)

    # -- Mesa agents as views on the arrays ----------------------------------------------------

    def _make_agents(self) -> None:
        """The agents, at first use: one per filled post and per active account."""
        if self._with_agents or not self._agents_offered:
            return
        self._with_agents = True
        self.add_people_agents(np.flatnonzero(self.people.filled))
        self._add_customer_agents(np.flatnonzero(self.customers.active))

    @property
    def agents(self) -> mesa.agent.AgentSet:
        """Mesa's AgentSet of all agents (made at first use: see ``agents`` in the class
        docstring)."""
        self._make_agents()
        return super().agents

    @agents.setter
    def agents(self, value: Any) -> None:
        mesa.Model.agents.fset(self, value)  # Mesa's own refusal

    @property
    def agents_by_type(self) -> dict[type, mesa.agent.AgentSet]:
        """Mesa's AgentSets by agent type (made at first use)."""
        self._make_agents()
        return super().agents_by_type

    @property
    def agent_types(self) -> list[type]:
        """The agent types present (made at first use)."""
        self._make_agents()
        return super().agent_types

    def add_people_agents(self, slots: np.ndarray) -> None:
        """Agents for the people who hold ``slots`` (at the start and at hire)."""
        if not self._with_agents:
            return
        for slot in slots:
            kind = Manager if self.people.is_manager[slot] else Employee
            self._people_agents[slot] = kind(self, slot)

    def remove_agents(self, slots: np.ndarray) -> None:
        """Leavers' agents leave the model."""
        if not self._with_agents:
            return
        for slot in slots:
            agent = self._people_agents[slot]
            if agent is not None:
                agent.remove()
                self._people_agents[slot] = None

    def remove_customer_agents(self, slots: np.ndarray) -> None:
        """Churned accounts' agents leave the model (the slot's arrays keep the account)."""
        if not self._with_agents:
            return
        for slot in slots:
            agent = self._customer_agents[slot]
            if agent is not None:
                agent.remove()
                self._customer_agents[slot] = None

    def _add_customer_agents(self, slots: np.ndarray) -> None:
        if not self._with_agents:
            return
        for slot in slots:
            self._customer_agents[slot] = Customer(self, slot)
