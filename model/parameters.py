"""The parameter schema: the one home of every parameter of the model.

Each field carries its name, unit, range (``ge``/``le``), default and source (a seed file and
section, a reference from MODEL_BRIEF section 8, or the word "assumption"). Scenario files,
``--set`` and ``overrides`` use the dotted keys this schema defines, for example
``levers.psychological_safety``. ``docs/parameters.md`` is generated from it
(``python -m cxsim.model.generate_docs``).

Seed files are abbreviated: 001 = ``001_1394b532eeb39613.txt`` ("Building a CX-First Culture"),
003 = ``003_d9dd09060764bec0.txt`` ("Customer Experience Leaders"), 004 =
``004_bf5d0188ad3ae7d3.txt`` ("How Do You Define CX Success?").
"""

from __future__ import annotations

import functools
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

ASSUMPTION = "assumption"


def param(
    default: float,
    low: float,
    high: float,
    unit: str,
    source: str,
    description: str,
) -> Any:
    """A schema field with its unit, range, default and source."""
    return Field(
        default,
        ge=low,
        le=high,
        description=description,
        json_schema_extra={"unit": unit, "source": source},
    )


class Section(BaseModel):
    """A group of parameters; unknown keys and wrong types are errors, not coercions."""

    model_config = ConfigDict(extra="forbid", strict=True, validate_assignment=True)


class Organisation(Section):
    employees: int = param(
        800, 20, 200_000, "people", "001 §11 (TechOps Pro: 800 people)",
        "Headcount, managers included.")
    customers: int = param(
        400, 10, 100_000, "accounts", ASSUMPTION + " (mid-market B2B SaaS, 001 §11)",
        "Customer accounts at the start.")
    team_size: int = param(
        8, 2, 30, "people per manager", ASSUMPTION,
        "Individual contributors per first-line manager.")
    frontline_share: float = param(
        0.35, 0.05, 0.9, "share of teams", ASSUMPTION + " (functions from MODEL_BRIEF §2)",
        "Share of teams in frontline functions (support, customer success, account management).")
    product_share: float = param(
        0.40, 0.0, 0.9, "share of teams", ASSUMPTION,
        "Share of teams in product and engineering; the rest are back office.")
    top_performer_share: float = param(
        0.2, 0.0, 0.5, "share of employees", ASSUMPTION,
        "Share of employees flagged as top performers (more skill, more outside options).")
    contract_value_median: float = param(
        150.0, 1.0, 10_000.0, "k$ per year", ASSUMPTION,
        "Median annual contract value; values are lognormal (MODEL_BRIEF §2).")
    contract_value_sigma: float = param(
        0.9, 0.0, 3.0, "log-units", ASSUMPTION,
        "Standard deviation of log contract value (skew of the book).")
    customer_headroom: float = param(
        1.0, 0.0, 10.0, "share of initial customers", ASSUMPTION,
        "Room for new accounts (sales, referrals), as a share of the initial book; when it is "
        "full, no more accounts are opened.")


class Levers(Section):
    psychological_safety: float = param(
        0.35, 0.0, 1.0, "0-1 climate", "001 §2, §4 Pillar 4; Edmondson 1999",
        "Safety climate: where perceived safety starts and settles, and managers' readiness to "
        "learn from bad news rather than blame.")
    ritual_participation: float = param(
        0.35, 0.0, 1.0, "0-1 propensity", "calibrated (experiments/calibrate.py); 001 §8's "
        "70% is a target for participation, not an estimate of it",
        "Propensity to take part in a customer ritual that is offered, for a neutral employee.")
    incentive_alignment: float = param(
        0.15, 0.0, 1.0, "0-1 share", "001 §4 Pillar 2, §8 (recognition target 50%); Kerr 1975",
        "How far pay, recognition and promotion reward customer outcomes and teams before any "
        "programme changes them.")


class AntiPatterns(Section):
    cx_theater: float = param(
        0.0, 0.0, 1.0, "intensity", "001 §10 Anti-Pattern 1; Bromley & Powell 2012",
        "Rhetoric and rituals without changed budgets, incentives, promotions; insights ignored.")
    change_fatigue: float = param(
        0.0, 0.0, 1.0, "intensity", "001 §10 Anti-Pattern 5",
        "Reorganisation, tool roll-out and cost cutting launched with the programme, at this "
        "intensity.")
    cx_police: float = param(
        0.0, 0.0, 1.0, "intensity", "001 §10 Anti-Pattern 2",
        "One central team owns CX: others abdicate, the team is a bottleneck for fixes.")
    survey_obsession: float = param(
        0.0, 0.0, 1.0, "intensity", "001 §10 Anti-Pattern 3; 004",
        "Measurement without action: more frequent surveys, no more action.")
    blame_culture: float = param(
        0.0, 0.0, 1.0, "intensity", "001 §10 Anti-Pattern 4",
        "Messengers of bad customer news are punished despite the rhetoric.")


class Risks(Section):
    executive_misalignment: float = param(
        0.0, 0.0, 1.0, "intensity", "001 §10 Additional Risks",
        "Mixed leadership signals: commitment behind the rhetoric is diluted.")
    middle_management_resistance: float = param(
        0.0, 0.0, 1.0, "intensity", "001 §10 Additional Risks",
        "First-line managers see CX as extra work: they adopt and model it less.")
    hiring_mismatch: float = param(
        0.0, 0.0, 1.0, "intensity", "001 §10 Additional Risks",
        "Hiring keeps selecting for technical skill only: newcomers arrive less customer-oriented.")
    remote_work: float = param(
        0.0, 0.0, 1.0, "share remote", "001 §10 Additional Risks",
        "Distributed work weakens the ties through which culture spreads.")


class Simulation(Section):
    weeks: int = param(52, 4, 520, "weeks", "MODEL_BRIEF §2 (12-month horizon)",
                       "Horizon of a run; reports are monthly (52 weeks = 12 months).")


class Leadership(Section):
    """The policy side: what leaders say and do before and beyond the timeline (leadership.py)."""

    decision_evidence_base: float = param(
        0.1, 0.0, 1.0, "share of decisions", "001 §4 Level 1-2, §5 Week 1 (audit)",
        "Share of decisions backed by customer evidence with no programme.")
    leadership_time_base: float = param(
        0.03, 0.0, 1.0, "share of calendar", "001 §4 Level 1 (leaders rarely meet customers)",
        "Executive calendar time with customers with no programme.")
    collaboration_base: float = param(
        0.35, 0.0, 1.0, "0-1", ASSUMPTION, "Cross-functional collaboration with no programme.")
    collaboration_rate: float = param(0.05, 0.0, 1.0, "per week", ASSUMPTION,
                                      "Rate at which collaboration follows its drivers.")
    collaboration_ritual_gain: float = param(
        0.6, 0.0, 2.0, "per unit", "001 §6 (shared rituals)",
        "Collaboration gained per unit share of non-frontline staff in customer rituals.")
    concurrent_change_weeks: int = param(
        17, 1, 104, "weeks", "001 §10 Anti-Pattern 5; sequenced_change runs the same three, 17 "
        "weeks each, one after another",
        "Duration of the reorganisation, tool roll-out and cost cutting that the change-fatigue "
        "anti-pattern adds at the programme's start.")
    stories_per_session: float = param(
        4.0, 0.0, 20.0, "stories", "001 §12 (5-minute slot, rotating presenters)",
        "Stories told in one story-sharing session at full participation.")


class Initial(Section):
    orientation_mean: float = param(
        0.42, 0.0, 1.0, "0-1", "001 §11 (32% agree 'we prioritise customer outcomes')",
        "Mean customer orientation of employees at the start.")
    engagement_mean: float = param(0.62, 0.0, 1.0, "0-1", ASSUMPTION, "Mean engagement at start.")
    cynicism_mean: float = param(0.30, 0.0, 1.0, "0-1", ASSUMPTION, "Mean cynicism at start.")
    fatigue_mean: float = param(0.10, 0.0, 1.0, "0-1", ASSUMPTION, "Mean change fatigue at start.")
    belief_concentration: float = param(
        10.0, 1.0, 200.0, "Beta a+b", ASSUMPTION,
        "Concentration of the Beta distributions of the employee states (higher: less spread).")
    satisfaction_mean: float = param(
        0.80, 0.0, 1.0, "0-1", "001 §11 (NPS 28 before)", "Mean customer satisfaction at start.")
    satisfaction_concentration: float = param(
        20.0, 1.0, 200.0, "Beta a+b", ASSUMPTION, "Concentration of initial satisfaction.")
    segment_share: float = param(
        0.10, 0.0, 0.9, "share of variance",
        "001 §4 (maturity level 3: teams organised around customer segments); assumption for the "
        "size: a medium ICC(1) by the conventions in LeBreton & Senter 2008 (Organizational "
        "Research Methods 11(4)), chosen before the team patterns were measured",
        "Share of the spread of accounts' satisfaction that lies between the segments the "
        "frontline teams serve (their circumstances and product fit, outside the team).")
    open_pain_points: int = param(
        24, 0, 150, "pain points", ASSUMPTION, "Systemic problems open at the start.")
    surfaced_share: float = param(
        0.6, 0.0, 1.0, "share of open pain points", ASSUMPTION + " (above the voice loop's own "
        "split in the calibrated baseline, about 0.075: docs/ODD.md section 5, item 6)",
        "Share of the problems open at the start that the organisation already knows about.")
    manager_adoption: float = param(
        0.15, 0.0, 1.0, "0-1", ASSUMPTION, "Managers' adoption of the change at the start.")


class Voice(Section):
    """Mechanism 1: speaking up, the manager's response, fixing (voice.py)."""

    meet_frontline: float = param(
        0.3, 0.0, 1.0, "per week", ASSUMPTION,
        "Chance a frontline employee meets a customer suffering a systemic problem in a week.")
    meet_other: float = param(
        0.03, 0.0, 1.0, "per week", ASSUMPTION,
        "Chance an employee outside the frontline meets one (tickets, escalations).")
    meet_in_ritual: float = param(
        0.3, 0.0, 1.0, "per participation", "001 §4 Pillar 3, §11 (Customer Friday)",
        "Chance that taking part in a customer ritual exposes a problem.")
    evidence_threshold: float = param(
        6.0, 1.0, 100.0, "reports", "003 (leaders surface frontline intelligence; laggards "
        "report it upward and file it)",
        "Reports acted on by managers, net of fading, that put a problem in the action queue.")
    evidence_memory: float = param(0.85, 0.0, 0.999, "per week", ASSUMPTION,
                                   "Share of a problem's accumulated reports kept a week.")
    recovery_gain: float = param(
        0.3, 0.0, 1.0, "probability", "003 (frontline in the moments that matter)",
        "Chance that an account of the team hit by a problem gets a workaround when a frontline "
        "teammate's report of it is acted on (service recovery).")
    intercept: float = param(-2.2, -10.0, 10.0, "logit", ASSUMPTION,
                             "Log-odds of speaking up with no safety, orientation, cynicism or "
                             "fear.")
    safety_weight: float = param(
        3.0, 0.0, 10.0, "logit per unit", "direction from Edmondson 1999; Frazier et al. 2017",
        "Effect of perceived psychological safety on speaking up.")
    orientation_weight: float = param(1.5, 0.0, 10.0, "logit per unit", ASSUMPTION,
                                      "Effect of customer orientation on speaking up.")
    cynicism_weight: float = param(2.0, 0.0, 10.0, "logit per unit", "001 §10 Anti-Pattern 1",
                                   "Effect of cynicism on speaking up (negative).")
    fear_weight: float = param(1.5, 0.0, 10.0, "logit per blame", "001 §10 Anti-Pattern 4",
                               "Effect of recent blame in the team on speaking up (negative).")
    fear_memory: float = param(0.85, 0.0, 0.999, "per week", ASSUMPTION,
                               "Share of the team's fear of blame kept from one week to the next.")
    learn_safety_gain: float = param(0.06, 0.0, 1.0, "share of gap", "001 §4 Pillar 4",
                                     "Safety gain of a messenger whose manager learns.")
    blame_safety_loss: float = param(0.2, 0.0, 1.0, "share", "001 §10 Anti-Pattern 4",
                                     "Safety loss of a messenger who is blamed.")
    blame_team_safety_loss: float = param(0.03, 0.0, 1.0, "share", "001 §10 Anti-Pattern 4",
                                          "Safety loss of the messenger's teammates.")
    blame_cynicism_gain: float = param(0.05, 0.0, 1.0, "share of gap", ASSUMPTION,
                                       "Cynicism gain of a blamed messenger.")
    safety_relaxation: float = param(
        0.03, 0.0, 1.0, "per week", "assumption (a 23-week half-life: slower than the 'within "
        "weeks' of Frazier et al. 2017, which does not give a rate)",
        "Rate at which perceived safety settles toward the climate.")
    postmortem_climate_gain: float = param(
        0.25, 0.0, 1.0, "climate units", "001 §4 Pillar 4, §6",
        "Rise in the safety climate from blameless post-mortems at full intensity.")
    learn_floor: float = param(0.2, 0.0, 1.0, "probability", ASSUMPTION,
                               "Chance a manager learns rather than blames at zero climate.")
    adoption_learn_gain: float = param(0.3, 0.0, 1.0, "probability", "001 §10 (managers hold keys)",
                                       "Extra chance to learn for a manager who fully adopted.")
    fix_rate: float = param(0.06, 0.0, 1.0, "per week", ASSUMPTION,
                            "Weekly chance a surfaced problem is fixed when its owning team's "
                            "capacity to fix is 1.")
    fix_base: float = param(0.05, 0.0, 1.0, "0-1", "001 §4 Level 2 (tracked, not acted on)",
                            "Capacity to fix of an owning team with no adoption or orientation.")
    fix_adoption_weight: float = param(
        0.5, 0.0, 1.0, "per unit", "001 §10 ('middle managers hold the keys'); 001 §11",
        "Capacity to fix gained from the owning team's manager's adoption of the change.")
    fix_orientation_weight: float = param(
        0.2, 0.0, 1.0, "per unit", "001 §4 Pillar 2; Kerr 1975 (people do what is rewarded)",
        "Capacity to fix gained from the owning team's mean customer orientation (incentives as "
        "experienced).")
    cx_police_bottleneck: float = param(0.6, 0.0, 1.0, "share", "001 §10 Anti-Pattern 2",
                                        "Share of fixing capacity lost at full CX police "
                                        "(approvals take the owners' time).")
    fatigue_drag: float = param(0.5, 0.0, 1.0, "share", "001 §10 Anti-Pattern 5",
                                "Share of a team's fixing capacity lost at full team fatigue.")
    disposition_learn_weight: float = param(
        0.4, 0.0, 1.0, "probability per unit", "Edmondson 1999 (leader coaching and openness)",
        "Chance to learn rather than blame gained per unit of the manager's disposition above "
        "the mean.")


class PainPoints(Section):
    arrival_per_week: float = param(
        0.1, 0.0, 10.0, "per week", "calibrated (experiments/calibrate.py: the baseline stays "
        "where it is)",
        "Mean number of new systemic problems a week.")
    reach_mean: float = param(0.12, 0.0, 1.0, "share of customers", ASSUMPTION,
                              "Mean share of customers a pain point hits.")
    severity_mean: float = param(0.5, 0.0, 1.0, "0-1", ASSUMPTION, "Mean severity.")
    obsolescence_per_week: float = param(
        0.02, 0.0, 0.5, "per week", ASSUMPTION + " (a 50-week mean life)",
        "Weekly chance an open problem stops mattering whether or not anyone fixes it (products, "
        "processes and customers change): with arrivals it gives the pool a steady state.")


class Rituals(Section):
    """Mechanism 2 (rituals.py)."""

    engagement_weight: float = param(1.0, 0.0, 5.0, "multiplier", "MODEL_BRIEF §3.2",
                                     "How much engagement raises participation.")
    fatigue_weight: float = param(0.8, 0.0, 1.0, "share", "MODEL_BRIEF §3.5",
                                  "Share of participation lost at full fatigue.")
    cynicism_weight: float = param(0.7, 0.0, 1.0, "share", "MODEL_BRIEF §3.4",
                                   "Share of participation lost at full cynicism.")
    manager_weight: float = param(0.8, 0.0, 5.0, "multiplier", "001 §10 (managers hold keys)",
                                  "How much the manager's modelling raises participation.")
    orientation_decay: float = param(
        0.01, 0.0, 1.0, "per week", "Harrison & Carroll 1991 (socialisation decays)",
        "Rate at which orientation returns to its anchor without reinforcement.")
    anchor_drift: float = param(0.1, 0.0, 1.0, "share", ASSUMPTION,
                                "Share of an orientation gain that becomes lasting (anchor).")


class Incentives(Section):
    """Mechanism 3 (incentives.py)."""

    orientation_pull: float = param(0.006, 0.0, 0.2, "per week", "001 §11; Kerr 1975",
                                    "Weekly pull of aligned incentives on customer orientation.")
    reference_alignment: float = param(
        0.15, 0.0, 1.0, "0-1 share", ASSUMPTION,
        "Incentive alignment under which today's customer orientation formed (the default of "
        "levers.incentive_alignment): alignment above it pulls orientation up, below it down.")


class SayDo(Section):
    """Mechanism 4 (say_do.py)."""

    cynicism_gain: float = param(0.015, 0.0, 1.0, "per week per gap", "001 §10 Anti-Pattern 1",
                                 "Cynicism growth per unit of say-do gap.")
    cynicism_relief: float = param(0.02, 0.0, 1.0, "per week", "001 §11 (Key Insight)",
                                   "Cynicism decline per unit of rhetoric backed by action.")
    fatigue_cynicism: float = param(0.02, 0.0, 1.0, "per week",
                                    "assumption; direction from MODEL_BRIEF §8 (change fatigue "
                                    "harms change through cynicism)",
                                    "Cynicism growth per unit of fatigue above the threshold.")
    fatigue_threshold: float = param(0.35, 0.0, 1.0, "0-1", ASSUMPTION,
                                     "Fatigue above which it feeds cynicism.")
    action_weight: float = param(0.3, 0.0, 1.0, "share", "001 §10 (insights ignored)",
                                 "Weight of visible action on insights in what leaders 'do'.")


class Load(Section):
    """Mechanism 5 (fatigue.py)."""

    base_load: float = param(0.93, 0.0, 2.0, "share of capacity", ASSUMPTION,
                             "Day-job load before any initiative.")
    capacity: float = param(1.0, 0.1, 2.0, "share of capacity", ASSUMPTION,
                            "Load an employee carries without fatigue.")
    fatigue_accumulation: float = param(4.0, 0.0, 50.0, "per unit overload squared",
                                        "001 §10 AP 5",
                                        "Fatigue growth per squared unit of load above capacity.")
    fatigue_recovery: float = param(0.025, 0.0, 1.0, "per week", "MODEL_BRIEF §3.5 (slow)",
                                    "Share of fatigue that recovers each week under capacity.")
    vacancy_cover: float = param(
        1.0, 0.0, 1.0, "share", "assumption; Schneider, White & Paul 1998 (the link between "
        "staff and service runs both ways)",
        "Share of a vacant post's work that its teammates carry until it is filled.")
    service_overload_loss: float = param(
        0.5, 0.0, 5.0, "quality share per unit overload", "Repenning & Sterman 2001 (the "
        "capability trap: time for improvement is taken from the work)",
        "Share of service quality lost per unit of load above capacity: rituals and initiatives "
        "take hours that service needs.")
    fix_overload_loss: float = param(
        1.0, 0.0, 10.0, "capacity share per unit overload", "Repenning & Sterman 2001",
        "Share of fixing capacity lost per unit of load above capacity (fixing gives way "
        "first).")


class Engagement(Section):
    relaxation: float = param(0.05, 0.0, 1.0, "per week", ASSUMPTION,
                              "Rate at which engagement moves toward its target.")
    cynicism_weight: float = param(0.45, 0.0, 2.0, "per unit", "MODEL_BRIEF §3.4",
                                   "Engagement target lost per unit of cynicism.")
    fatigue_weight: float = param(0.45, 0.0, 2.0, "per unit", "MODEL_BRIEF §3.5",
                                  "Engagement target lost per unit of fatigue.")
    meaning_weight: float = param(0.15, 0.0, 2.0, "per unit", "001 §7 (customer purpose)",
                                  "Engagement target gained from recent customer contact.")


class Social(Section):
    """Mechanism 6 (social_influence.py)."""

    influence_rate: float = param(0.04, 0.0, 1.0, "per week", ASSUMPTION,
                                  "Weekly pull of one's circle on orientation, safety, cynicism.")
    manager_weight: float = param(0.45, 0.0, 1.0, "share", "001 §10 (managers hold keys)",
                                  "Weight of the manager in the circle.")
    organisation_weight: float = param(0.15, 0.0, 1.0, "share", ASSUMPTION,
                                       "Weight of the whole organisation (cross-team ties).")
    ambassador_share: float = param(0.0, 0.0, 0.5, "share of employees", "001 §5 Week 4",
                                    "Share of employees seeded as cultural ambassadors.")
    ambassador_weight: float = param(3.0, 1.0, 20.0, "multiplier", ASSUMPTION,
                                     "Influence of an ambassador relative to a peer.")
    remote_tie_loss: float = param(0.6, 0.0, 1.0, "share", "001 §10 (remote challenges)",
                                   "Share of influence lost at full remote work.")
    remote_ritual_loss: float = param(
        0.4, 0.0, 1.0, "share", "001 §10 Additional Risks (distributed teams miss water-cooler "
        "cultural transmission; rituals must be redesigned digital-first)",
        "Share of a ritual's exposure to the customer's voice lost at full remote work (rituals "
        "held as they were designed, not digital-first).")


class Workforce(Section):
    """Mechanism 7 (workforce.py)."""

    attrition_base: float = param(0.10, 0.0, 1.0, "per year", ASSUMPTION,
                                  "Annual attrition of a neutral employee.")
    engagement_weight: float = param(2.0, 0.0, 10.0, "log-hazard per unit",
                                     "Harter et al. 2002 (rho = -.30)",
                                     "Attrition log-hazard per unit of engagement below its "
                                     "initial mean.")
    cynicism_weight: float = param(1.2, 0.0, 10.0, "log-hazard per unit", "001 §10 AP 1",
                                   "Attrition log-hazard per unit of cynicism.")
    fatigue_weight: float = param(1.5, 0.0, 10.0, "log-hazard per unit", "001 §10 AP 5",
                                  "Attrition log-hazard per unit of fatigue.")
    top_performer_fatigue_multiplier: float = param(
        2.0, 1.0, 10.0, "multiplier", "001 §10 AP 5 (top performers leave)",
        "How much more fatigue drives top performers out.")
    hiring_lag_weeks: int = param(6, 0, 52, "weeks", ASSUMPTION, "Weeks a post stays vacant.")
    new_hire_skill: float = param(0.25, 0.0, 1.0, "0-1", "MODEL_BRIEF §2", "Skill of a new hire.")
    skill_growth: float = param(0.012, 0.0, 1.0, "per week", ASSUMPTION,
                                "Share of the remaining skill gap closed each week.")
    new_hire_orientation: float = param(0.36, 0.0, 1.0, "0-1", ASSUMPTION,
                                        "Mean orientation of new hires without empathy hiring.")
    empathy_hiring_gain: float = param(0.25, 0.0, 1.0, "0-1", "001 §11 (hiring for empathy)",
                                       "Orientation gain of hires under full empathy hiring.")
    mismatch_loss: float = param(0.2, 0.0, 1.0, "0-1", "001 §10 (hiring mismatch)",
                                 "Orientation loss of hires at full hiring mismatch.")


class Managers(Section):
    adoption_rate: float = param(0.04, 0.0, 1.0, "per week", ASSUMPTION,
                                 "Rate at which managers' adoption follows the signal.")
    modelling_weight: float = param(0.8, 0.0, 1.0, "share", "001 §10 (managers hold keys)",
                                    "How much adoption turns into modelling behaviour.")
    disposition_mean: float = param(
        0.5, 0.0, 1.0, "0-1", ASSUMPTION,
        "Mean of managers' disposition to learn from bad news rather than blame (a trait).")
    disposition_concentration: float = param(
        6.0, 1.0, 1000.0, "Beta a + b", "Edmondson 1999 (safety differs between teams of one "
        "firm)", "Concentration of the disposition's Beta distribution (6: sd about 0.19).")
    team_safety_shift: float = param(
        0.3, 0.0, 1.0, "climate per unit", "Edmondson 1999 (team-level safety, led by the team "
        "leader)", "Shift of a team's safety climate per unit of its manager's disposition "
        "above the mean.")
    team_engagement_shift: float = param(
        0.3, 0.0, 1.0, "engagement per unit", "Harter et al. 2002 (business-unit engagement "
        "varies with the manager); assumption for the size",
        "Shift of a team's engagement per unit of its manager's disposition above the mean.")


class CustomerExperience(Section):
    """Mechanism 8 (customer_experience.py)."""

    touches_per_month: int = param(2, 1, 10, "touchpoints per month", ASSUMPTION,
                                   "Touchpoints (support, billing, releases) an account meets a "
                                   "month.")
    skill_weight: float = param(0.4, 0.0, 1.0, "share", "MODEL_BRIEF §3.8; Brown & Lam 2008",
                                "Weight of skill in a post's contribution to quality.")
    orientation_weight: float = param(0.3, 0.0, 1.0, "share", "MODEL_BRIEF §3.8",
                                      "Weight of orientation in it (engagement: the rest).")
    frontline_weight: float = param(0.6, 0.0, 1.0, "share", "003 (frontline is foundational)",
                                    "Weight of the account team in touchpoint quality.")
    problem_weight: float = param(0.1, 0.0, 5.0, "quality per severity", "MODEL_BRIEF §3.1",
                                  "Quality lost per unit of open pain-point severity.")
    quality_noise: float = param(0.12, 0.0, 1.0, "0-1", "003 (customers remember troughs)",
                                 "Standard deviation of one touchpoint's quality.")
    negativity_bias: float = param(
        3.0, 1.0, 10.0, "ratio", "assumption for the value; the asymmetry from Anderson & "
        "Sullivan 1993 (003's 'a poor billing interaction outweighs three good support calls' "
        "counts events, not the slope ratio used here)",
        "Weight of a shortfall against an excess of the same size.")
    met_expectation_satisfaction: float = param(
        0.78, 0.0, 1.0, "0-1", ASSUMPTION,
        "Satisfaction that a touchpoint exactly meeting expectations leaves.")
    utility_slope: float = param(1.0, 0.0, 10.0, "per unit", ASSUMPTION,
                                 "Satisfaction per unit of quality above expectations.")
    memory: float = param(0.08, 0.0, 1.0, "per touch", "Mittal et al. 1998 (a record buffers)",
                          "Weight of one touchpoint in satisfaction.")
    promise_headroom: float = param(
        0.12, 0.0, 1.0, "quality units",
        "MODEL_BRIEF §3.8 (promises raise expectations); assumption for the size",
        "How far full rhetoric raises customers' expectations, at most (bounded: promises are "
        "believed only so far).")
    quality_adaptation: float = param(
        0.25, 0.0, 1.0, "share", "assumption (customers get used to better service; "
        "Anderson & Sullivan 1993 for expectations formed from experience)",
        "Share of a lasting change in an account's service quality that its expectation "
        "follows.")
    expectation_rate: float = param(
        0.02, 0.0, 1.0, "per week", ASSUMPTION,
        "Weekly rate at which expectations move toward their target (35-week half-life).")
    fix_delight: float = param(0.03, 0.0, 1.0, "0-1", "MODEL_BRIEF §3.1; 004",
                               "Satisfaction gain when a pain point that hit a customer is fixed.")


class Churn(Section):
    """Mechanism 9 (churn.py)."""

    intercept: float = param(-2.0, -10.0, 10.0, "logit", "001 §11 (18% annual churn before)",
                             "Log-odds of churn at renewal at reference satisfaction.")
    satisfaction_weight: float = param(6.0, 0.0, 30.0, "logit per unit",
                                       "direction from Anderson & Sullivan 1993 (satisfaction "
                                       "drives repurchase)",
                                       "Log-odds per unit of satisfaction below the reference.")
    problem_weight: float = param(0.3, 0.0, 10.0, "logit per severity", "MODEL_BRIEF §3.9",
                                  "Log-odds per unit of unresolved problem severity.")
    record_weight: float = param(
        0.3, 0.01, 1.0, "per month", "Mittal, Ross & Baldasare 1998 (a record of satisfaction "
        "buffers short-term swings); MODEL_BRIEF §3.9 (churn lags); assumption for the size",
        "Weight of this month's satisfaction and open problems in the records a renewal is "
        "decided on.")
    reference_satisfaction: float = param(0.80, 0.0, 1.0, "0-1", ASSUMPTION,
                                          "Satisfaction at which churn odds equal the intercept.")
    acquisition_rate: float = param(
        0.18, 0.0, 2.0, "share of initial book per year", ASSUMPTION + " (book size steady in "
        "the baseline: sales replaces the 18% churn of 001 §11)",
        "New accounts won by sales, independent of culture, spread evenly over the year.")
    referral_rate: float = param(0.004, 0.0, 0.5, "per promoter per month",
                                 "MODEL_BRIEF §3.9; assumption for the rate",
                                 "Chance a promoter brings a new account in a month.")


class Measurement(Section):
    """Mechanism 10 (measurement.py)."""

    survey_interval_weeks: int = param(13, 1, 52, "weeks",
                                       "assumption (001 §11's quarterly cadence is the culture "
                                       "assessment's, not the customer survey's)",
                                       "Weeks between customer surveys.")
    survey_obsession_frequency: float = param(5.0, 1.0, 20.0, "multiplier", "001 §10 AP 3",
                                              "How many times more often surveys run at full "
                                              "survey obsession.")
    response_base: float = param(0.45, 0.0, 1.0, "probability", ASSUMPTION,
                                 "Response probability of a fresh, satisfied customer.")
    survey_fatigue_gain: float = param(0.12, 0.0, 1.0, "per survey", "001 §10 AP 3",
                                       "Survey fatigue from one survey received.")
    survey_fatigue_recovery: float = param(0.01, 0.0, 1.0, "per week", ASSUMPTION,
                                           "Weekly recovery of survey fatigue.")
    action_recovery: float = param(0.25, 0.0, 1.0, "per fix", "001 §10 AP 3 (close loops)",
                                   "Survey fatigue removed when a problem that hit the customer "
                                   "is fixed (visible change).")
    unheard_penalty: float = param(0.01, 0.0, 1.0, "0-1", "001 §10 AP 3 (customers feel unheard)",
                                   "Satisfaction lost by a respondent when nothing is acted on.")
    score_noise: float = param(1.0, 0.0, 5.0, "score points", ASSUMPTION,
                               "Spread of a customer's 0-10 score around 10 x satisfaction.")
    rating_floor: float = param(
        1.5, 1.0, 3.0, "1-5 score", ASSUMPTION + " (Likert means rarely reach 1)",
        "Answer (before item noise) of a cultural assessment respondent to whom an item's "
        "dimension is wholly absent.")
    cynicism_tint: float = param(
        0.5, 0.0, 1.0, "share", "MODEL_BRIEF §3.4 (cynicism colours judgements)",
        "Share of a respondent's answers above the floor lost at full cynicism.")
    enps_bias_mean: float = param(1.0, -5.0, 5.0, "score points", ASSUMPTION,
                                  "Mean individual offset of employees' 0-10 recommend score.")
    enps_bias_sd: float = param(1.5, 0.0, 5.0, "score points", ASSUMPTION,
                                "Spread of that offset.")
    satisfied_response_bias: float = param(
        1.0, 0.0, 5.0, "multiplier", "001 §11 (advisory board NPS: engaged accounts)",
        "How much more likely satisfied customers are to answer.")
    # -- the employee survey: the cultural assessment of 001 §12 (measurement.py) --
    culture_survey_share: float = param(
        0.34, 0.01, 1.0, "share of staff per month", "001 §11 (culture measured quarterly: each "
        "employee asked about once a quarter)",
        "Share of filled posts invited, at random, to each monthly wave of the cultural "
        "assessment.")
    employee_response_base: float = param(
        0.6, 0.0, 1.0, "probability", ASSUMPTION,
        "Chance that an employee of middling engagement (0.5) and no change fatigue answers the "
        "monthly cultural assessment survey.")
    employee_response_engagement: float = param(
        1.0, 0.0, 4.0, "per unit engagement", ASSUMPTION + " (direction: engaged staff answer "
        "more)",
        "Relative rise of that chance per unit of engagement above 0.5 (fall below it).")
    employee_response_fatigue: float = param(
        0.5, 0.0, 1.0, "share", "001 §10 AP 3 and AP 5 (fatigue lowers response)",
        "Share of that chance lost at full change fatigue.")
    item_noise: float = param(
        0.5, 0.0, 2.0, "1-5 scale points", ASSUMPTION,
        "Standard deviation of one answer around what the respondent's state implies, before it "
        "is rounded to the 1-5 scale.")
    pulse_cynicism_gain: float = param(
        0.03, 0.0, 1.0, "per pulse", "001 §10 Anti-Pattern 3 (measuring without acting); "
        "assumption for the size",
        "Cynicism an employee pulse survey adds, at full survey obsession, for the share of "
        "surfaced problems nobody acts on.")


class InitiativeKind(Section):
    """What one initiative kind does at intensity 1 (leadership.py)."""

    load: float = param(0.0, 0.0, 1.0, "share of capacity", ASSUMPTION, "Time it takes.")
    rhetoric: float = param(0.0, 0.0, 1.0, "0-1", ASSUMPTION, "How loudly it is said.")
    commitment: float = param(0.0, 0.0, 1.0, "0-1", ASSUMPTION,
                              "Real means behind it (budget, decisions).")
    incentive: float = param(0.0, 0.0, 1.0, "0-1", ASSUMPTION,
                             "Shift of incentives toward customer outcomes.")
    evidence: float = param(0.0, 0.0, 1.0, "0-1", ASSUMPTION,
                            "Rise in the share of decisions backed by customer evidence.")
    leadership_time: float = param(0.0, 0.0, 1.0, "share of calendar", ASSUMPTION,
                                   "Executive calendar time with customers.")
    exposure: float = param(0.0, 0.0, 1.0, "orientation gain", ASSUMPTION,
                            "Orientation gain of one participation (rituals only).")
    budget_cut: float = param(0.0, 0.0, 1.0, "share", "001 §11 (Key Insight), §10 (short-term)",
                              "Share of the programme's means cut, unless research is protected.")
    cadence_weeks: int = param(0, 0, 52, "weeks", ASSUMPTION,
                               "Weeks between sessions; 0 = not a ritual.")
    interaction: bool = Field(False, description="Participation counts as customer interaction.")
    managers_only: bool = Field(False, description="Only first-line managers are invited.")
    reach: float = param(1.0, 0.0, 1.0, "share of staff", ASSUMPTION,
                         "Share of the invited group asked to each session.")


def _kind(**values: Any) -> Any:
    return Field(default_factory=lambda: InitiativeKind(**values))


class InitiativeKinds(Section):
    """The catalogue of leadership initiatives and other changes (001 §5, §11, §10).

    A kind given in part (``initiative_kinds.customer_friday.exposure = 0.1``, from a scenario
    file, ``--set`` or an override) changes those attributes of that kind's defaults and keeps
    the others."""

    @model_validator(mode="before")
    @classmethod
    def _partial_kinds_keep_their_defaults(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        merged = dict(data)
        for name, given in data.items():
            field = cls.model_fields.get(name)
            if isinstance(given, dict) and field is not None and field.default_factory:
                merged[name] = {**field.default_factory().model_dump(), **given}
        return merged

    ceo_listening: InitiativeKind = _kind(rhetoric=0.25, commitment=0.2, leadership_time=0.15)
    story_sharing: InitiativeKind = _kind(load=0.003, rhetoric=0.15, commitment=0.05,
                                          exposure=0.01, cadence_weeks=1)
    customer_friday: InitiativeKind = _kind(load=0.0125, rhetoric=0.05, commitment=0.15,
                                            exposure=0.05, cadence_weeks=4, interaction=True)
    immersion_rotations: InitiativeKind = _kind(load=0.001, commitment=0.1, leadership_time=0.05,
                                                exposure=0.06, cadence_weeks=4, interaction=True,
                                                managers_only=True)
    advisory_board: InitiativeKind = _kind(rhetoric=0.05, commitment=0.05, evidence=0.1,
                                           exposure=0.05, cadence_weeks=13, interaction=True,
                                           reach=0.05)
    blameless_postmortems: InitiativeKind = _kind(load=0.002, commitment=0.1, exposure=0.02,
                                                  cadence_weeks=4, reach=0.1)
    onboarding_immersion: InitiativeKind = _kind(commitment=0.05, exposure=0.15)
    hiring_for_empathy: InitiativeKind = _kind(commitment=0.05)
    customer_evidence_required: InitiativeKind = _kind(load=0.005, rhetoric=0.1, commitment=0.2,
                                                       evidence=0.6)
    journey_maps: InitiativeKind = _kind(rhetoric=0.1, commitment=0.02, exposure=0.003,
                                         cadence_weeks=1)
    # Promotions are the strongest signal of what is rewarded (MODEL_BRIEF §3.3): the larger
    # incentive shift is theirs.
    performance_reviews: InitiativeKind = _kind(rhetoric=0.05, commitment=0.2, incentive=0.25)
    promotions_for_customer_impact: InitiativeKind = _kind(commitment=0.25, incentive=0.45)
    celebrate_killed_feature: InitiativeKind = _kind(rhetoric=0.05, commitment=0.15,
                                                     incentive=0.05)
    protected_research: InitiativeKind = _kind(commitment=0.2, evidence=0.1)
    culture_measurement: InitiativeKind = _kind(load=0.001, rhetoric=0.05, commitment=0.02)
    cx_programme_announcement: InitiativeKind = _kind(rhetoric=0.3)
    reorganisation: InitiativeKind = _kind(load=0.08)
    tool_rollout: InitiativeKind = _kind(load=0.05)
    cost_cutting: InitiativeKind = _kind(load=0.05, budget_cut=0.5)


InitiativeName = Literal[
    "ceo_listening", "story_sharing", "customer_friday", "immersion_rotations", "advisory_board",
    "blameless_postmortems", "onboarding_immersion", "hiring_for_empathy",
    "customer_evidence_required", "journey_maps", "performance_reviews",
    "promotions_for_customer_impact", "celebrate_killed_feature", "protected_research",
    "culture_measurement", "cx_programme_announcement", "reorganisation", "tool_rollout",
    "cost_cutting",
]
CX_INITIATIVES = frozenset(
    name for name in InitiativeKinds.model_fields
    if name not in ("reorganisation", "tool_rollout", "cost_cutting")
)


class Initiative(Section):
    """One entry of the leadership timeline."""

    kind: InitiativeName
    start_week: int = Field(1, ge=1, le=520, description="First week it runs (1 = first week).")
    duration_weeks: int = Field(52, ge=1, le=520, description="Weeks it runs.")
    intensity: float = Field(1.0, ge=0.0, le=1.0, description="Share of its full effect.")
    note: str = Field("", description="What it stands for in the case.")


class Parameters(Section):
    """All parameters of one scenario."""

    organisation: Organisation = Field(default_factory=Organisation)
    levers: Levers = Field(default_factory=Levers)
    anti_patterns: AntiPatterns = Field(default_factory=AntiPatterns)
    risks: Risks = Field(default_factory=Risks)
    simulation: Simulation = Field(default_factory=Simulation)
    leadership: Leadership = Field(default_factory=Leadership)
    initial: Initial = Field(default_factory=Initial)
    voice: Voice = Field(default_factory=Voice)
    pain_points: PainPoints = Field(default_factory=PainPoints)
    rituals: Rituals = Field(default_factory=Rituals)
    incentives: Incentives = Field(default_factory=Incentives)
    say_do: SayDo = Field(default_factory=SayDo)
    load: Load = Field(default_factory=Load)
    engagement: Engagement = Field(default_factory=Engagement)
    social: Social = Field(default_factory=Social)
    workforce: Workforce = Field(default_factory=Workforce)
    managers: Managers = Field(default_factory=Managers)
    customer_experience: CustomerExperience = Field(default_factory=CustomerExperience)
    churn: Churn = Field(default_factory=Churn)
    measurement: Measurement = Field(default_factory=Measurement)
    initiative_kinds: InitiativeKinds = Field(default_factory=InitiativeKinds)
    timeline: list[Initiative] = Field(default_factory=list)

    def inconsistencies(self) -> list[tuple[str, Any, str]]:
        """Values that are each in range but do not fit together: (key, value, what is allowed).
        Scenario loading refuses the first; an empty list means the parameters are coherent."""
        found: list[tuple[str, Any, str]] = []
        o = self.organisation
        if o.frontline_share + o.product_share > 1.0 + 1e-12:
            found.append(("organisation.product_share", o.product_share,
                          f"at most 1 - frontline_share = {1 - o.frontline_share:g} (the rest "
                          "of the teams are back office)"))
        seen: dict[tuple[str, int], int] = {}
        for i, entry in enumerate(self.timeline):
            if entry.start_week > self.simulation.weeks:
                found.append((f"timeline[{i}].start_week", entry.start_week,
                              f"a week within the horizon, 1 to {self.simulation.weeks}"))
            if (entry.kind, entry.start_week) in seen:
                found.append((f"timeline[{i}]", f"<{entry.kind} from week {entry.start_week}>",
                              f"once: timeline[{seen[entry.kind, entry.start_week]}] starts "
                              "the same initiative in the same week"))
            seen.setdefault((entry.kind, entry.start_week), i)
        return found


def parameter_table() -> list[dict[str, Any]]:
    """Every scalar parameter as plain rows: key, unit, range, default, source, description."""
    rows: list[dict[str, Any]] = []

    def walk(model_cls: type[BaseModel], prefix: str, instance: BaseModel) -> None:
        for name, field in model_cls.model_fields.items():
            value = getattr(instance, name)
            key = f"{prefix}{name}"
            if isinstance(value, BaseModel):
                walk(type(value), key + ".", value)
                continue
            if isinstance(value, list):
                continue
            extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
            low = high = None
            for meta in field.metadata:
                low = getattr(meta, "ge", low)
                high = getattr(meta, "le", high)
            rows.append({
                "key": key, "unit": extra.get("unit", ""), "low": low, "high": high,
                "default": value, "source": extra.get("source", ""),
                "description": field.description or "",
            })

    walk(Parameters, "", Parameters())
    return rows


@functools.cache
def valid_keys() -> tuple[str, ...]:
    """All dotted keys a scenario file may set (sections and scalar parameters), sorted; made
    once per process (the schema is fixed, and every scenario load validates against it)."""
    keys = [row["key"] for row in parameter_table()]
    keys += list(Parameters.model_fields)
    keys += [f"initiative_kinds.{k}" for k in InitiativeKinds.model_fields]
    return tuple(sorted(set(keys)))


def markdown_table(calibrated: dict[str, float] | None = None) -> str:
    """docs/parameters.md: the schema as a table, with the calibrated value where there is one."""
    calibrated = calibrated or {}
    lines = [
        "# Parameters",
        "",
        "Generated from `model/parameters.py` and `scenarios/calibration_record.json` by",
        "`python -m cxsim.model.generate_docs`; do not edit. *default* is the schema's value;",
        "*calibrated* is the value `cxsim fit-point` fitted to the TechOps Pro case and wrote into",
        "`scenarios/baseline.toml`, which every shipped scenario extends (docs/validation.md).",
        "Seed files: 001 = `001_1394b532eeb39613.txt`, 003 = `003_d9dd09060764bec0.txt`,",
        "004 = `004_bf5d0188ad3ae7d3.txt` (in `shared/seeds/`); § = section.",
        "",
        "| key | unit | range | default | calibrated | source | meaning |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in parameter_table():
        rng = "" if row["low"] is None else f"{row['low']} – {row['high']}"
        fitted = f"**{calibrated[row['key']]:.4g}**" if row["key"] in calibrated else "no"
        lines.append(
            f"| `{row['key']}` | {row['unit']} | {rng} | {row['default']} | {fitted} "
            f"| {row['source']} | {row['description']} |"
        )
    return "\n".join(lines) + "\n"
