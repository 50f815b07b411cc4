"""Agent state as arrays: one numpy array per attribute, one slot per person or account.

People (employees and first-line managers) occupy fixed slots: a leaver's slot stays vacant for the
hiring lag, then a newcomer takes it. Customer slots include headroom for accounts won by referral.
Everything random that an account or pain point will ever need is drawn here, once, so the weekly
step draws the same number of random values whatever happens (common random numbers). Each
attribute is drawn from its own stream spawned from the run's generator: the Beta sampler consumes
a parameter-dependent amount of randomness, and separate streams keep one parameter's value from
shifting the draws of every other attribute. ``Organisation`` holds what there is one of for the
whole organisation (climate, load, the latest survey...), written by several mechanisms.

Why arrays, and the Mesa agents only views on them (agents.py): the mechanisms update every person
and account at once in compiled loops over the arrays, so the default year (800 posts, 400
accounts, 52 weeks) runs in about 12 ms (benchmarks/bench_model.py). Merely calling one empty
Python method per agent per week (``agents.do("step")``) adds 7 ms, before any agent does any work,
and creating and tracking the 1,200 agent objects about 4 ms, which is why ``simulate`` runs
without them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from cxsim.model import compiled
from cxsim.model.compiled import kernel
from cxsim.model.parameters import Initial, Parameters

FRONTLINE, PRODUCT, BACK_OFFICE = 0, 1, 2
NOT_ARRIVED, SILENT, SURFACED, FIXED, OBSOLETE = 0, 1, 2, 3, 4
NEVER = -10_000


def beta(rng: np.random.Generator, mean: float | np.ndarray, concentration: float | np.ndarray,
         size: int) -> np.ndarray:
    """Beta draws with a given mean and concentration a + b (each one, or one per draw;
    degenerate means allowed)."""
    mean = np.clip(mean, 1e-3, 1 - 1e-3)
    if mean.ndim == 0:
        mean = float(mean)
    return rng.beta(mean * concentration, (1 - mean) * concentration, size)


_FLOAT32_STEP = np.float32(1.0 / 16777216.0)   # 2^-24


def uniforms32(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """``rng.random(shape, dtype=np.float32)``: the same numbers, leaving the generator in the
    same state, about twice as fast. numpy makes each float32 uniform from the next 32-bit half
    of the PCG64 stream (the low half of a 64-bit word first), its top 24 bits x 2^-24; taking
    the words whole does the same for an even count when no half word is pending. Otherwise
    (another bit generator, an odd count, a pending half) it calls ``rng.random``."""
    count = math.prod(shape)
    bit_generator = rng.bit_generator
    if (count % 2 or type(bit_generator) is not np.random.PCG64
            or bit_generator.state["has_uint32"]):
        return rng.random(shape, dtype=np.float32)
    return _top_24_bits(bit_generator.random_raw(count // 2).view(np.uint32)).reshape(shape)


@kernel
def _top_24_bits(halves: np.ndarray) -> np.ndarray:
    """Each 32-bit word's top 24 bits x 2^-24, as float32 (exact: an integer below 2^24 times a
    power of two)."""
    uniforms = np.empty(halves.size, np.float32)
    for i in range(halves.size):
        uniforms[i] = np.float32(halves[i] >> 8) * _FLOAT32_STEP
    return uniforms


@dataclass
class People:
    """Employees and managers; managers are the slots with ``is_manager``."""

    team: np.ndarray            # int: team index
    function: np.ndarray        # int: FRONTLINE, PRODUCT, BACK_OFFICE
    is_manager: np.ndarray      # bool
    frontline: np.ndarray       # bool
    manager_slot: np.ndarray    # int: slot of this person's manager (a manager's is their own)
    filled: np.ndarray          # bool: someone holds the post
    vacancy_weeks: np.ndarray   # int: weeks until a vacant post is filled
    top_performer: np.ndarray   # bool
    ambassador: np.ndarray      # bool
    orientation: np.ndarray     # customer orientation, 0-1
    orientation_anchor: np.ndarray  # what orientation returns to without reinforcement
    engagement: np.ndarray
    engagement_anchor: np.ndarray   # engagement with no cynicism, fatigue or customer contact
    safety: np.ndarray          # perceived psychological safety, 0-1
    safety_offset: np.ndarray   # disposition: where safety settles relative to the climate
    cynicism: np.ndarray
    cynicism_anchor: np.ndarray  # disposition: cynicism before any change
    fatigue: np.ndarray
    fatigue_anchor: np.ndarray  # everyday fatigue the person recovers to
    hired_week: np.ndarray      # int: week the holder joined (negative for the initial workforce)
    immersed: np.ndarray        # bool: completed onboarding immersion
    last_interaction: np.ndarray  # int: last week of direct customer contact (rituals)
    meaning: np.ndarray         # recent customer contact, decays weekly
    enps_bias: np.ndarray       # individual offset of the 0-10 recommend score

    @property
    def size(self) -> int:
        return self.team.size


@dataclass
class Teams:
    manager_slot: np.ndarray    # int
    function: np.ndarray        # int
    frontline: np.ndarray       # bool
    nominal_size: np.ndarray    # posts in the team, manager included
    adoption: np.ndarray        # manager's adoption of the change, 0-1
    adoption_anchor: np.ndarray
    fear: np.ndarray            # recent blame events, decaying
    disposition: np.ndarray     # manager's trait: learn from bad news (1) rather than blame (0)
    climate_shift: np.ndarray   # the team's safety climate relative to the organisation's
    engagement_shift: np.ndarray  # the team's engagement relative to the organisation's
    resistance_draw: np.ndarray  # uniform: the manager resists when below the resistance risk
    segment: np.ndarray         # int: the frontline team whose segment a product team builds
                                # for (product teams dealt round-robin over them); -1 otherwise

    @property
    def size(self) -> int:
        return self.manager_slot.size


@dataclass
class Customers:
    exists: np.ndarray          # bool: an account (active or churned) occupies the slot
    churned: np.ndarray         # bool
    initial: np.ndarray         # bool: in the book at the start (the retained-revenue cohort)
    value: np.ndarray           # k$ per year
    renewal_month: np.ndarray   # int, 0-11: month of the year the contract renews
    account_team: np.ndarray    # int: frontline team serving the account
    satisfaction: np.ndarray
    expectation: np.ndarray
    expectation_anchor: np.ndarray  # the expectation the account opened with
    quality_anchor: np.ndarray  # the market's noise-free touchpoint quality it was formed against
    record: np.ndarray          # satisfaction record: what a renewal is decided on
    problem_record: np.ndarray  # record of the open problems' severity met (churn.py)
    survey_fatigue: np.ndarray
    score_bias: np.ndarray      # individual offset of the 0-10 recommend score
    hits: np.ndarray            # float32 (capacity x pain points): 1 where a pain point hits
    problem_load: np.ndarray    # severity of open pain points hitting the account
    joined_month: np.ndarray    # int: month the account was opened (NEVER for the initial book)

    @property
    def active(self) -> np.ndarray:
        return self.exists & ~self.churned


@dataclass
class PainPoints:
    severity: np.ndarray
    arrival_week: np.ndarray    # int: week it appears (<= 0: open at the start)
    status: np.ndarray          # int: NOT_ARRIVED, SILENT, SURFACED, FIXED
    weight: np.ndarray          # severity x reach: how often staff meet it
    evidence: np.ndarray        # reports acted on by managers, fading weekly
    owner: np.ndarray           # int: the (product or back-office) team that fixes it


@dataclass
class Organisation:
    """Organisation-level state: one value, or one per team or slot, shared by the mechanisms.

    Set explicitly in ``CXCultureModel.__init__`` (docs/ODD.md section 5, step 5) and then written
    only by the modules named in each comment; every other module only reads it.
    """

    load: float                 # L(t): day job plus initiatives, shares of capacity (fatigue)
    mean_fatigue: float         # mean fatigue of filled posts this week (fatigue step; incentives)
    climate: float              # psychological-safety climate this week (voice)
    safety_anchor: np.ndarray   # per post: where perceived safety settles, clip(climate + offset)
    #                             (voice; social influence pulls shifts away from it)
    modelling: np.ndarray       # per team: manager's modelling of customer-centric behaviour M
    #                             (incentives; read by rituals and Manager.modelling)
    fix_capacity: np.ndarray    # per team: its capacity to fix the problems it owns, 0-1
    #                             (incentives; read by voice's fixes)
    action: float               # mean fix capacity of the owning teams: visible action on
    #                             problems (incentives; read by say-do and measurement)
    action_at_start: float      # its value at the start: say-do's reference for visible action
    say_do_gap: float           # max(0, R - D) this week (say-do)
    collaboration: float        # cross-functional collaboration K, 0-1 (rituals)
    contact: np.ndarray         # per post, bool: direct customer contact in a ritual this week
    #                             (rituals; voice adds the chance to meet a problem)
    ritual_participants: np.ndarray  # per post, bool: took part in a ritual session this month
    #                             (rituals; reset at each month end after the row)
    problems_changed: bool      # open problems or hits changed since problem loads were computed
    #                             (voice, fixes; cleared by CXCultureModel.refresh_problem_load)
    expected_quality: np.ndarray  # per customer slot: noise-free touchpoint quality
    #                             (customer experience, monthly; new accounts' expectations)
    served_quality: np.ndarray  # per team: S_g, that quality before problems, from the team,
    #                             its segment's product teams and the back office (customer
    #                             experience, monthly; new accounts' expectations, opened at
    #                             the same month end)
    utility_table: tuple[np.ndarray, np.ndarray]  # E[u] on a grid of margins: the expectation
    #                             device (customer experience, fixed for the run)
    fix_relief: float           # expected weekly survey-fatigue relief from fixes at the start
    #                             (fixed; new accounts' survey fatigue)
    survey_nps: float           # NPS of the latest customer survey's respondents (measurement)
    survey_response_rate: float  # % of active accounts that answered it (measurement)
    acquisition_due: float      # fractional sales wins carried to the next month (churn)
    initial_revenue: float      # annual value of the month-0 book, k$ (fixed; revenue retained)


def product_segments(team_function: np.ndarray) -> np.ndarray:
    """Per team: for the k-th product team, the (k mod n)-th of the n frontline teams, whose
    segment it builds for (001 §4, level 3: cross-functional teams organised around customer
    segments); -1 for the other teams."""
    front = np.flatnonzero(team_function == FRONTLINE)
    product = np.flatnonzero(team_function == PRODUCT)
    segment = np.full(team_function.size, -1, np.int64)
    if front.size:
        segment[product] = front[np.arange(product.size) % front.size]
    return segment


def init_people(p: Parameters, rng: np.random.Generator) -> tuple[People, Teams]:
    """The workforce: teams under managers, in frontline, product and back-office functions."""
    draw = iter(rng.spawn(10))
    org, ini = p.organisation, p.initial
    n_teams = max(1, round(org.employees / (org.team_size + 1)))
    n = org.employees
    # Posts are dealt to teams round-robin so team sizes differ by at most one.
    team = np.arange(n) % n_teams
    team_function = np.full(n_teams, BACK_OFFICE)
    n_front = max(1, round(org.frontline_share * n_teams))
    n_product = min(n_teams - n_front, round(org.product_share * n_teams))
    team_function[:n_front] = FRONTLINE
    team_function[n_front:n_front + n_product] = PRODUCT
    is_manager = np.arange(n) < n_teams  # the first post of each team is its manager
    manager_of_team = np.arange(n_teams)
    function = team_function[team]
    c = ini.belief_concentration
    # Managers differ (a trait); their team's climate and engagement differ with them. Drawn from
    # three streams spawned after the ten of the people, so that those keep their draws.
    team_draw = iter(rng.spawn(3))
    m = p.managers
    disposition = beta(next(team_draw), m.disposition_mean, m.disposition_concentration, n_teams)
    deviation = disposition - m.disposition_mean
    climate_shift = m.team_safety_shift * deviation
    engagement_shift = m.team_engagement_shift * deviation
    orientation = beta(next(draw), ini.orientation_mean, c, n)
    engagement = beta(next(draw), ini.engagement_mean + engagement_shift[team], c, n)
    safety = beta(next(draw), p.levers.psychological_safety + climate_shift[team], c, n)
    cynicism = beta(next(draw), ini.cynicism_mean, c, n)
    fatigue = beta(next(draw), ini.fatigue_mean, c, n)
    # Tenure at the start is the steady state of a constant weekly hazard h0 (workforce.py):
    # exponential with mean 1 / h0, so skill does not drift in an organisation that changes nothing.
    h0 = 1.0 - (1.0 - p.workforce.attrition_base) ** (1.0 / 52.0)
    hired_week = -np.rint(next(draw).exponential(1.0 / max(h0, 1e-6), n)).astype(np.int64)
    top = next(draw).random(n) < org.top_performer_share
    ambassador = next(draw).random(n) < p.social.ambassador_share
    # Ambassadors are chosen for their customer orientation (001 §5 Week 4).
    orientation = np.where(ambassador, np.maximum(orientation, 0.8), orientation)
    enps_bias = next(draw).normal(p.measurement.enps_bias_mean, p.measurement.enps_bias_sd, n)
    people = People(
        team=team, function=function, is_manager=is_manager, frontline=function == FRONTLINE,
        manager_slot=manager_of_team[team], filled=np.ones(n, bool),
        vacancy_weeks=np.zeros(n, np.int64), top_performer=top, ambassador=ambassador,
        orientation=orientation, orientation_anchor=orientation.copy(), engagement=engagement,
        engagement_anchor=engagement.copy(), safety=safety,
        safety_offset=safety - p.levers.psychological_safety, cynicism=cynicism,
        cynicism_anchor=cynicism.copy(), fatigue=fatigue, fatigue_anchor=fatigue.copy(),
        hired_week=hired_week, immersed=np.zeros(n, bool),
        last_interaction=np.full(n, NEVER), meaning=np.zeros(n), enps_bias=enps_bias,
    )
    adoption = beta(next(draw), ini.manager_adoption, c, n_teams)
    teams = Teams(
        manager_slot=manager_of_team, function=team_function,
        frontline=team_function == FRONTLINE,
        nominal_size=np.bincount(team, minlength=n_teams).astype(float),
        adoption=adoption, adoption_anchor=adoption.copy(), fear=np.zeros(n_teams),
        disposition=disposition, climate_shift=climate_shift, engagement_shift=engagement_shift,
        resistance_draw=next(team_draw).random(n_teams),
        segment=product_segments(team_function),
    )
    return people, teams


def init_pain_points(p: Parameters, teams: Teams, rng: np.random.Generator) -> PainPoints:
    """The pool of systemic problems: those open at the start and all that can arrive within the
    horizon (sized at twice the expected arrivals plus ten, so it does not run dry). Each is owned
    by one product or back-office team (any team if there is none), which fixes it once it is
    surfaced."""
    pp = p.pain_points
    draw = iter(rng.spawn(4))
    n_open = p.initial.open_pain_points
    capacity = n_open + int(2 * pp.arrival_per_week * p.simulation.weeks) + 10
    severity = beta(next(draw), pp.severity_mean, 4.0, capacity)
    arrivals = np.cumsum(next(draw).exponential(1.0 / max(pp.arrival_per_week, 1e-9), capacity))
    arrival_week = np.ceil(arrivals).astype(np.int64)
    arrival_week = np.concatenate([np.zeros(n_open, np.int64), arrival_week[: capacity - n_open]])
    status = np.where(arrival_week <= 0, SILENT, NOT_ARRIVED)
    # Of the problems open at the start, the organisation already knows some.
    known = (next(draw).random(capacity) < p.initial.surfaced_share) & (status == SILENT)
    status = np.where(known, SURFACED, status)
    owners = np.flatnonzero(~teams.frontline)
    if owners.size == 0:
        owners = np.arange(teams.size)
    owner = owners[next(draw).integers(0, owners.size, capacity)]
    return PainPoints(severity=severity, arrival_week=arrival_week, status=status,
                      weight=np.zeros(capacity), evidence=np.zeros(capacity), owner=owner)


def init_customers(p: Parameters, teams: Teams, pain: PainPoints,
                   rng: np.random.Generator) -> Customers:
    """The book of accounts, with slots for accounts won later by referral."""
    org, ini = p.organisation, p.initial
    n = org.customers
    capacity = n + int(np.ceil(org.customer_headroom * n))
    front_teams = np.flatnonzero(teams.frontline)
    draw = iter(rng.spawn(8))
    reach = beta(next(draw), p.pain_points.reach_mean, 3.0, pain.severity.size)
    hits = (next(draw).random((capacity, pain.severity.size)) < reach).astype(np.float32)
    pain.weight = pain.severity * reach
    exists = np.arange(capacity) < n
    value = org.contract_value_median * compiled.exp(org.contract_value_sigma *
                                                     next(draw).standard_normal(capacity))
    renewal_month = next(draw).integers(0, 12, capacity)
    account_team = front_teams[next(draw).integers(0, front_teams.size, capacity)]
    satisfaction_draw = next(draw)
    score_bias = next(draw).normal(0.0, p.measurement.score_noise, capacity)
    # Accounts opened later take their satisfaction from the same distribution, their segment's.
    satisfaction = opening_satisfaction(satisfaction_draw, next(draw), account_team, teams.size,
                                        ini)
    return Customers(
        exists=exists, churned=np.zeros(capacity, bool), initial=exists.copy(),
        value=value, renewal_month=renewal_month, account_team=account_team,
        satisfaction=satisfaction,
        expectation=np.zeros(capacity), expectation_anchor=np.zeros(capacity),
        quality_anchor=np.zeros(capacity), record=np.zeros(capacity),
        problem_record=np.zeros(capacity),
        survey_fatigue=np.zeros(capacity),
        score_bias=score_bias,
        hits=hits, problem_load=np.zeros(capacity),
        joined_month=np.where(exists, NEVER, 0),
    )


def opening_satisfaction(rng: np.random.Generator, segment_rng: np.random.Generator,
                         account_team: np.ndarray, n_teams: int, ini: Initial) -> np.ndarray:
    """The satisfaction each account slot opens with, around its segment's mean.

    The accounts a frontline team serves form a segment (001 §4, level 3), whose circumstances
    and product fit set part of their satisfaction, outside the team. Of the spread across all
    accounts, V = mu (1 - mu) / (kappa + 1) (mean mu ``satisfaction_mean``, clipped to
    0.01-0.99; concentration kappa ``satisfaction_concentration``), a share rho
    (``segment_share``, an ICC(1)) lies between segments:

        mu_g  = clip(mu + sqrt(rho V) z_g, 0.01, 0.99),   z_g ~ N(0, 1), one per team
        sat_c ~ Beta(mean mu_g, variance (1 - rho) V)     for an account c of team g

    With rho = 0 every account draws from Beta(mu, kappa), as before segments. The segments'
    draws come from a stream of their own, so the other draws keep their values.
    """
    mean, concentration, share = (ini.satisfaction_mean, ini.satisfaction_concentration,
                                  ini.segment_share)
    z = segment_rng.standard_normal(n_teams)
    if share == 0.0:
        return beta(rng, mean, concentration, account_team.size)
    mean = min(max(mean, 0.01), 0.99)     # a degenerate mean has no spread to share
    spread = mean * (1.0 - mean) / (concentration + 1.0)
    segment_mean = np.clip(mean + math.sqrt(share * spread) * z, 0.01, 0.99)
    within = segment_mean * (1.0 - segment_mean) / ((1.0 - share) * spread) - 1.0
    return beta(rng, segment_mean[account_team], np.maximum(within, 1.0)[account_team],
                account_team.size)
