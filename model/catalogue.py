"""The metric catalogue: the one home of every output's name, unit, meaning, labels, target and
direction, and of the rules that read them (red/amber/green, the maturity rubric).

Every table, chart, dashboard, board pack and notebook takes its words, units, targets and
colours from here (in the manner of EMA Workbench's outcomes, each metric says which way is
better). Targets are those of "Building a CX-First Culture" (seed 001, §8 "Metrics That Matter");
the maturity levels are its §4 model.

A metric is an *output* (a column of the monthly table that the model computes). The scenario's
*inputs* (levers, anti-patterns, risks) live in the parameter schema (``parameters.py``), with
their unit, range, default and source; :func:`input_label` gives their words from there. A few
columns report a scenario input as it unfolds, a policy series set by the timeline rather than an
outcome of the agents (``role="input"``: leaders' customer time, decision evidence, recognition,
post-mortem coverage, load, the say-do gap); the red/amber/green rule does not rate them
(:meth:`Metric.status` gives ``"input"``), though 001 §8 sets targets for some.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Direction = Literal["higher", "lower"]
Role = Literal["outcome", "input", "index"]
Status = Literal["green", "amber", "red", "input"]
TARGET_SOURCE = "001 §8 (Building a CX-First Culture, 'Metrics That Matter')"

# Red/amber/green: green when the target is met; amber when within AMBER_SHARE of it (at least
# 80% of a higher-is-better target, at most 1/0.8 of a lower-is-better one); red otherwise.
AMBER_SHARE = 0.8
# light enough for black text, apart under colour-vision deficiency (tests/test_style.py)
RAG_COLOURS: dict[Status, str] = {"green": "#5aae61", "amber": "#ffe082", "red": "#ef9a9a",
                                  "input": "#e0e0e0"}
RAG_WORDS: dict[Status, str] = {"green": "target met",
                                "amber": "close (within 80% of target)",
                                "red": "short of target",
                                "input": "a scenario input (set by the programme), not rated"}


@dataclass(frozen=True)
class Metric:
    """One output column and how people read it."""

    name: str                       # the column of the monthly table
    unit: str                       # as printed after a value: "%", "1-5", "-100..100", ...
    meaning: str                    # one sentence: what the number is (docs/outputs.md)
    label: str = ""                 # for tables and chart titles; defaults to the name
    short: str = ""                 # a few words, for tight spaces (defaults to label)
    plain: str = ""                 # for a board that knows no jargon (defaults to label)
    better: Direction | None = None  # which way is better; None: neither (a count, a clock)
    target: float | None = None     # the target, in the metric's unit
    target_source: str = ""         # where the target comes from
    decimals: int = 1               # decimals when shown
    bounds: tuple[float, float] | None = None  # the scale's ends, for axes that do not zoom
    role: Role = "outcome"          # "input": a policy series the scenario sets, not an outcome;
    #                                 "index": the row's clock (month, week)

    @property
    def title(self) -> str:
        return self.label or self.name

    @property
    def short_label(self) -> str:
        return self.short or self.title

    @property
    def plain_label(self) -> str:
        return self.plain or self.title

    @property
    def axis(self) -> str:
        """'Label (unit)', for an axis or a column header."""
        return f"{self.title} ({self.unit})"

    @property
    def is_input(self) -> bool:
        return self.role == "input"

    @property
    def higher_is_better(self) -> bool:
        return self.better == "higher"

    def fmt(self, value: float) -> str:
        return f"{value:.{self.decimals}f}"

    def status(self, value: float) -> Status | None:
        """The one red/amber/green rule; "input" for a scenario input, which is not rated
        against a target as if it were an outcome; None when the metric has no target or
        direction."""
        if self.is_input:
            return "input"
        if self.target is None or self.better is None:
            return None
        if self.better == "higher":
            if value >= self.target:
                return "green"
            return "amber" if value >= AMBER_SHARE * self.target else "red"
        if value <= self.target:
            return "green"
        return "amber" if value * AMBER_SHARE <= self.target else "red"

    def change_is_better(self, difference: float) -> bool | None:
        """Whether a positive-or-negative change is an improvement (None: no direction)."""
        if self.better is None or difference == 0:
            return None
        return (difference > 0) == (self.better == "higher")


_PCT = (0.0, 100.0)
_SCORE5 = (1.0, 5.0)
_NPS = (-100.0, 100.0)


def _t(name: str) -> dict:
    """The 001 §8 target of a dashboard metric, with its source."""
    return {"target": _TARGETS_001[name], "target_source": TARGET_SOURCE, "better": "higher"}


# 001 §8 "Metrics That Matter": the culture dashboard's targets (all higher is better).
_TARGETS_001: dict[str, float] = {
    "culture_score": 4.0,
    "leadership_customer_time": 20.0,
    "decision_evidence_ratio": 80.0,
    "interaction_rate": 60.0,
    "story_sharing_per_week": 3.0,
    "onboarding_immersion": 100.0,
    "collaboration_index": 4.0,
    "psychological_safety_score": 4.2,
    "recognition_share": 50.0,
    "ritual_participation": 70.0,
    "postmortem_coverage": 100.0,
    "enps": 40.0,
}

METRICS: tuple[Metric, ...] = (
    Metric("month", "month", "0 = the state before week 1, then 1..12 (end of each month)",
           "Month", decimals=0, role="index"),
    Metric("week", "week", "week at which the row is taken", "Week", decimals=0, role="index"),
    # -- customers
    Metric("nps_measured", "-100..100", "NPS of the latest customer survey's respondents; "
           "NaN when nobody has answered a survey (no score, rather than a made-up 0)",
           "NPS, measured (survey)", "NPS, measured", "Net Promoter Score (NPS), customer survey",
           "higher", bounds=_NPS),
    Metric("nps_true", "-100..100", "NPS over all active customers (what the survey estimates); "
           "NaN with no active customer",
           "NPS, true (all customers)", "NPS, true", "Net Promoter Score of all customers",
           "higher", bounds=_NPS),
    Metric("churn_monthly", "%", "customers active at the month's start who churned in the month",
           "Logo churn in the month", "Churn, month", "Customers lost this month", "lower",
           bounds=_PCT),
    Metric("churn_annualised", "%", "logo churn run-rate (hazard): mean renewal churn "
           "probability of active customers, from their satisfaction record and open problems; "
           "the annual churn the month's state implies, not accounts lost (churn_realised_12m)",
           "Logo churn, run-rate (hazard)", "Churn (hazard)",
           "Customers leaving per year (churn)", "lower", bounds=_PCT),
    Metric("revenue_churn_annualised", "%", "revenue churn run-rate (hazard): the same, weighted "
           "by value", "Revenue churn, run-rate (hazard)", "Revenue churn (hazard)",
           "Revenue lost per year (churn)", "lower", bounds=_PCT),
    Metric("churn_realised_12m", "%", "realised logo churn, trailing 12 months: of the accounts "
           "active at the end of month m - 12, the share that churned by month m; before month "
           "12 the window starts at month 0 and is annualised: the share of the month-0 book's "
           "renewals so far that ended in churn (each account renews once a year); NaN at month "
           "0", "Logo churn, realised (12 months)", "Churn (realised)",
           "Customers lost in the last 12 months (churn)", "lower", bounds=_PCT),
    Metric("revenue_churn_realised_12m", "%", "realised revenue churn, trailing 12 months: the "
           "same by annual contract value (annualised before month 12; NaN at month 0)",
           "Revenue churn, realised (12 months)", "Revenue churn (realised)",
           "Revenue lost in the last 12 months (churn)", "lower", bounds=_PCT),
    Metric("churned_customers", "accounts", "customers lost in the month", "Customers lost",
           better="lower", decimals=0),
    Metric("customers_won", "accounts", "new accounts won in the month (sales and referrals)",
           "Customers won", better="higher", decimals=0),
    Metric("customers_active", "accounts", "active customers at the month's end",
           "Active customers", better="higher", decimals=0),
    Metric("revenue_retained", "%", "annual contract value of the month-0 accounts still active, "
           "over their value at month 0", "Revenue retained (month-0 book)", "Revenue retained",
           "Revenue retained from today's customers", "higher", bounds=_PCT),
    Metric("csat", "%", "active customers with satisfaction >= 0.7 (4-5 on a 5-point scale)",
           "CSAT, satisfied customers", "CSAT", "Satisfied customers", "higher", bounds=_PCT),
    Metric("satisfaction", "0-100", "mean satisfaction of active customers",
           "Customer satisfaction", better="higher", bounds=_PCT),
    Metric("survey_response_rate", "%", "share of active customers who answered the latest "
           "survey", "Survey response rate", "Response rate", "Customers answering surveys",
           "higher", bounds=_PCT),
    # -- the culture dashboard (001 §8)
    Metric("culture_score", "1-5", "cultural assessment: a monthly employee survey of the ten "
           "items of 001 §12 template 1, the mean 1-5 answer over respondents and items; each "
           "answer from the respondent's own state and experience plus item noise, so the score "
           "has sampling error (measurement.py); NaN if nobody answers",
           "Cultural assessment score", "Culture score", "Culture assessment score",
           decimals=2, bounds=_SCORE5, **_t("culture_score")),
    Metric("culture_survey_response_rate", "%", "invited employees (a random share of the filled "
           "posts each month, measurement.culture_survey_share) who answered the month's cultural "
           "assessment; more with engagement, fewer with change fatigue",
           "Culture survey response rate", "Culture survey response",
           "Employees answering the culture survey", "higher", decimals=0, bounds=_PCT),
    Metric("agree_customer_outcomes", "%", "employees who agree 'we prioritise customer "
           "outcomes'", "Agree 'we prioritise customer outcomes'", "Agree: customer outcomes",
           better="higher", bounds=_PCT),
    Metric("leadership_customer_time", "%", "scenario input: executive calendar time with "
           "customers, as the timeline sets it (policy l(t))",
           "Leadership time with customers", "Leaders with customers",
           "Leaders' time with customers", decimals=0, bounds=_PCT, role="input",
           **_t("leadership_customer_time")),
    Metric("decision_evidence_ratio", "%", "scenario input: decisions backed by customer "
           "evidence, as the timeline sets it (policy EV(t))",
           "Decisions backed by customer evidence", "Evidence-based decisions", decimals=0,
           bounds=_PCT, role="input", **_t("decision_evidence_ratio")),
    Metric("interaction_rate", "%", "employees with direct customer contact beyond the day job "
           "(Customer Friday, rotations, advisory board, onboarding immersion) in the last 12 "
           "weeks: a quarter of three whole four-weekly ritual cycles, so the rate does not "
           "move with where a month end falls in the cycle; 0 with no such ritual, the case's "
           "'near zero' (docs/ODD.md 7.13)", "Employee customer interaction, quarterly",
           "Employees meeting customers", "Employees who met customers this quarter",
           decimals=0, bounds=_PCT, **_t("interaction_rate")),
    Metric("story_sharing_per_week", "stories/week", "customer stories shared company-wide",
           "Customer stories shared", "Stories per week", "Customer stories shared per week",
           **_t("story_sharing_per_week")),
    Metric("onboarding_immersion", "%", "hires of 4 to 13 weeks ago who completed customer "
           "immersion", "Onboarding customer immersion", "Onboarding immersion",
           "New hires who met customers in onboarding", decimals=0, bounds=_PCT,
           **_t("onboarding_immersion")),
    Metric("collaboration_index", "1-5", "cross-functional collaboration around customer "
           "outcomes", "Cross-functional collaboration", "Collaboration",
           "Collaboration across teams on customer outcomes", bounds=_SCORE5,
           **_t("collaboration_index")),
    Metric("psychological_safety_score", "1-5", "safety to surface customer problems: the mean "
           "1-5 answer of the cultural assessment's respondents, each from their perceived "
           "safety (1 + 4 S) plus item noise; NaN if nobody answers",
           "Psychological safety score", "Psychological safety",
           "Psychological safety: safe to raise customer problems", decimals=2, bounds=_SCORE5,
           **_t("psychological_safety_score")),
    Metric("recognition_share", "%", "scenario input: recognition tied to customer impact "
           "(incentive alignment, policy A(t))",
           "Recognition tied to customer impact", "Recognition for customers", decimals=0,
           bounds=_PCT, role="input", **_t("recognition_share")),
    Metric("ritual_participation", "%", "employees who took part in a customer ritual in the "
           "month", "Ritual participation", "Ritual participation",
           "Employees taking part in customer rituals this month", decimals=0, bounds=_PCT,
           **_t("ritual_participation")),
    Metric("postmortem_coverage", "%", "scenario input: customer escalations followed by a "
           "blameless post-mortem, the post-mortem intensity the timeline sets x (1 - blame "
           "culture)", "Post-mortem coverage", "Post-mortems",
           "Customer escalations followed by a no-blame review", decimals=0, bounds=_PCT,
           role="input", **_t("postmortem_coverage")),
    Metric("enps", "-100..100", "internal NPS for the customer-centric culture; NaN with no "
           "staff",
           "Internal NPS for CX culture", "eNPS",
           "Employee Net Promoter Score (eNPS) for the customer culture", decimals=0,
           bounds=_NPS, **_t("enps")),
    # -- the people
    Metric("engagement", "0-100", "mean engagement", "Engagement", better="higher",
           bounds=_PCT),
    Metric("cynicism", "0-100", "mean cynicism", "Cynicism", better="lower", bounds=_PCT),
    Metric("change_fatigue", "0-100", "mean change fatigue", "Change fatigue", better="lower",
           bounds=_PCT),
    Metric("orientation", "0-100", "mean customer orientation", "Customer orientation",
           better="higher", bounds=_PCT),
    Metric("load", "% of capacity", "scenario input: weekly load, day job plus the initiatives "
           "the timeline runs", "Workload", better="lower", decimals=0, role="input",
           bounds=(0.0, 150.0)),  # an axis scale, not a limit: 0 to half again the capacity
    Metric("say_do_gap", "0-100", "scenario input: rhetoric not backed by what leaders do, "
           "max(0, R - D), from the policy series (D reads the fix capacity too)", "Say-do gap",
           better="lower", bounds=_PCT, role="input"),
    Metric("attrition_annualised", "%", "attrition run-rate of all staff",
           "Attrition, annualised", "Attrition", "Staff leaving per year", "lower", bounds=_PCT),
    Metric("frontline_attrition_annualised", "%", "attrition run-rate of frontline staff",
           "Frontline attrition, annualised", "Frontline attrition", better="lower",
           bounds=_PCT),
    Metric("top_performer_attrition_annualised", "%", "attrition run-rate of top performers",
           "Top-performer attrition, annualised", "Top-performer attrition",
           "Top performers leaving per year", "lower", bounds=_PCT),
    Metric("leavers", "people", "people who left in the month", "Leavers", better="lower",
           decimals=0),
    Metric("headcount", "people", "filled posts at the month's end", "Headcount", decimals=0),
    # -- the voice loop
    Metric("problems_surfaced", "pain points", "problems surfaced by voice in the month",
           "Problems surfaced", better="higher", decimals=0),
    Metric("problems_fixed", "pain points", "problems fixed in the month", "Problems fixed",
           better="higher", decimals=0),
    Metric("problems_silent", "pain points", "open problems nobody has surfaced (month's end)",
           "Silent problems", better="lower", decimals=0),
    Metric("problems_open", "pain points", "open problems, surfaced or silent (month's end)",
           "Open problems", better="lower", decimals=0),
    Metric("speak_up_rate", "%", "problems met that were voiced, in the month", "Speak-up rate",
           better="higher", bounds=_PCT),
    Metric("blame_responses", "events", "messengers blamed in the month", "Blame responses",
           better="lower", decimals=0),
    # -- maturity and perception
    Metric("maturity_score", "1-5", "CX culture maturity score (001 §4): 1 plus the rungs of "
           "the rubric MATURITY climbed, each counted as far as its conditions are met and no "
           "further than the rung below it; continuous in every column it reads",
           "Maturity score", "Maturity score", "CX maturity score", "higher", decimals=2,
           bounds=_SCORE5),
    Metric("maturity_level", "1-5", "CX culture maturity level (001 §4): the floor of "
           "maturity_score", "Maturity level", "Maturity", "CX maturity level", "higher",
           decimals=0, bounds=_SCORE5),
    Metric("managers_rate_highly_customer_centric", "%", "staffed managers whose view of the "
           "organisation is >= 0.8: the mean of their adoption, the rhetoric, the satisfaction "
           "of the accounts they hear of and the share of those with no bad news reported "
           "(measurement.py)", "Managers rating us highly customer-centric", "Managers: highly "
           "customer-centric", bounds=_PCT),
    Metric("customers_rate_highly_customer_centric", "%", "active customers whose view is >= "
           "0.8: their satisfaction x the share of their open problems the organisation has "
           "heard (surfaced)", "Customers rating us highly customer-centric",
           "Customers: highly customer-centric", better="higher", bounds=_PCT),
    Metric("perception_gap", "points", "managers' minus customers' share rating it highly",
           "Perception gap (managers minus customers)", "Perception gap", better="lower"),
)

# -- the team-level output (``simulate_teams``) -------------------------------------------------
# A separate group: METRICS are the columns of the organisation's monthly table (metrics.COLUMNS,
# checked by every consumer of ``simulate``); these are the columns of the team table, one row per
# team per month (team_metrics.TEAM_COLUMNS). A trailing window at month m covers the w = min(m, 12)
# months after month end s = m - w.
TEAM_METRICS: tuple[Metric, ...] = (
    Metric("team", "id", "team index, 0 .. teams - 1 (people.team; the team's first post is its "
           "manager)", "Team", decimals=0),
    Metric("month", "month", "0 = the state before week 1, then 1..12 (end of each month)",
           "Month", decimals=0),
    Metric("function", "name", "the team's function: frontline, product or back_office",
           "Function"),
    Metric("frontline", "bool", "the team is frontline (only frontline teams serve accounts)",
           "Frontline team"),
    Metric("size", "people", "filled posts of the team at the month's end, manager included "
           "(summed over teams: headcount)", "Team size", decimals=0),
    Metric("leavers", "people", "people of the team who left in the month (summed over teams: "
           "leavers)", "Leavers", better="lower", decimals=0),
    Metric("engagement", "0-100", "100 x mean engagement of the team's filled posts; NaN with "
           "every post vacant", "Team engagement", better="higher", bounds=_PCT),
    Metric("psychological_safety", "1-5", "1 + 4 x mean perceived safety of the team's filled "
           "posts, read off the state (the organisation's psychological_safety_score is a "
           "sampled survey answer on the same scale); NaN with every post vacant",
           "Team psychological safety", better="higher", decimals=2, bounds=_SCORE5),
    Metric("cynicism", "0-100", "100 x mean cynicism of the team's filled posts; NaN with every "
           "post vacant", "Team cynicism", better="lower", bounds=_PCT),
    Metric("turnover_annualised", "%", "realised turnover, annualised: 100 x (the team's leavers "
           "in the trailing window) / (mean of its sizes at the w + 1 month ends s .. m) x 12 / w; "
           "NaN at month 0 (no window yet) and with a mean size of 0",
           "Team turnover, annualised", "Turnover", better="lower"),
    Metric("accounts", "accounts", "active accounts the team serves (customers.account_team) at "
           "the month's end; NaN for a team without accounts (no account, active or churned, in "
           "its book: every non-frontline team)", "Accounts served", decimals=0),
    Metric("churned_customers", "accounts", "the team's accounts that churned in the month "
           "(summed over teams: churned_customers); NaN for a team without accounts",
           "Accounts lost", better="lower", decimals=0),
    Metric("customer_satisfaction", "0-1", "mean satisfaction of the team's active accounts; "
           "NaN with none", "Satisfaction of the team's accounts", "Account satisfaction",
           better="higher", decimals=3, bounds=(0.0, 1.0)),
    Metric("nps_true", "-100..100", "NPS over the team's active accounts, as the organisation's "
           "nps_true (metrics.py: recommend scores, then net_promoter_score); NaN with none",
           "NPS of the team's accounts, true", "Team NPS, true", better="higher", bounds=_NPS),
    Metric("churn_realised", "%", "realised logo churn over the trailing window: of the team's "
           "accounts active at month end s, the share churned by the month's end (not "
           "annualised: over w months); 0 at month 0; NaN with no account active at s",
           "Realised churn of the team's accounts", "Team churn, realised", better="lower",
           bounds=_PCT),
)

BY_NAME: dict[str, Metric] = {m.name: m for m in METRICS}
TARGETS: dict[str, float] = {m.name: m.target for m in METRICS if m.target is not None}
DASHBOARD: tuple[str, ...] = tuple(_TARGETS_001)      # the 001 §8 culture dashboard, in order
HEADLINE: tuple[str, ...] = ("churn_annualised", "nps_measured", "revenue_retained")


def metric(name: str) -> Metric:
    """The catalogue entry of a column (KeyError names the column)."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(f"{name!r} is not an output column; see docs/outputs.md") from None


# -- the maturity rubric (001 §4) --------------------------------------------------------------
#
# Each rung above the first lists conditions "column at least x". Its progress is that of its
# weakest condition, each condition's progress running linearly from where the column stood at the
# rung below (its threshold there, or the bottom of its scale) to x; the dashboard-target condition
# counts each target met in part, from AMBER_SHARE of it (0) to the target (1). A rung starts to
# count once the rung below is half climbed and counts in full only once that one is complete,
#
#     c_2 = p_2,   c_k = min(p_k, clip(2 c_{k-1} - 1, 0, 1)),
#     maturity_score = 1 + c_2 + c_3 + c_4 + c_5,     maturity_level = floor(maturity_score),
#
# so the score is continuous in every column (no cliff where one crosses a threshold) and progress
# on an upper rung cannot stand in for a lower one (without the gate, half of rung 4 and half of
# rung 5 would make level 4).

@dataclass(frozen=True)
class Level:
    """A rung of the maturity model: its conditions and how far a row has climbed it."""

    number: int
    name: str
    description: str                              # 001 §4 in one line
    minimums: tuple[tuple[str, float], ...] = ()  # (column, at least this value)
    targets_met: int = 0                          # at least this many dashboard targets met

    def starts(self) -> dict[str, float]:
        """Where each condition's progress starts: the column's threshold at the nearest rung
        below that names it, else the bottom of its scale."""
        start = {name: (BY_NAME[name].bounds or (0.0, 0.0))[0] for name, _ in self.minimums}
        for rung in MATURITY:
            if rung.number < self.number:
                start.update({name: low for name, low in rung.minimums if name in start})
        return start

    def progress(self, row: dict[str, float]) -> float:
        """How far the row has climbed this rung, 0-1: its weakest condition's progress."""
        start = _STARTS[self.number]
        parts = [_ramp(row[name], start[name], low) for name, low in self.minimums]
        if self.targets_met:
            parts.append(min(1.0, targets_met(row) / self.targets_met))
        return min(parts, default=1.0)

    def rule(self) -> str:
        """The rung's conditions in words, from the same numbers the model reads."""
        start = self.starts()

        def unit(name: str) -> str:
            u = BY_NAME[name].unit
            return "" if u in ("1-5", "stories/week") else f" {u}".replace(" %", "%")

        words = [f"{BY_NAME[name].title.lower()} {start[name]:g}{unit(name)} → {low:g}{unit(name)}"
                 for name, low in self.minimums]
        if self.targets_met:
            words.append(f"{self.targets_met} of the {len(TARGETS)} dashboard targets met (each "
                         f"in part from {AMBER_SHARE:.0%} of it)")
        return "; ".join(words) if words else "the starting point"


def _ramp(value: float, start: float, end: float) -> float:
    """Linear progress from start (0) to end (1), clipped; a missing value (NaN) is 0."""
    if value != value:          # NaN: nobody answered a survey
        return 0.0
    return min(1.0, max(0.0, (value - start) / (end - start)))


def targets_met(row: dict[str, float]) -> float:
    """Dashboard targets met, each counted in part: 0 at AMBER_SHARE of the target (the amber
    line), 1 at the target (every dashboard target is higher-is-better)."""
    return sum(_ramp(row[name], amber, target) for name, amber, target in _TARGET_RAMPS)


# (column, amber line, target) of each dashboard target, in TARGETS order
_TARGET_RAMPS = tuple((name, AMBER_SHARE * target, target) for name, target in TARGETS.items())


MATURITY: tuple[Level, ...] = (
    Level(1, "Product-Centric", "customer experience is the job of marketing or support; "
          "success is features shipped"),
    Level(2, "CX-Aware", "customer satisfaction is tracked but not acted on systematically; "
          "pockets of excellence", (("culture_score", 2.0),)),
    Level(3, "CX-Enabled", "customer immersion for all roles; leaders share customer stories; "
          "customer outcomes shape the roadmap",
          (("culture_score", 2.75), ("interaction_rate", 30), ("story_sharing_per_week", 1),
           ("leadership_customer_time", 5))),
    # 001 §4 Level 4: "Leadership team spends 25%+ time with customers".
    Level(4, "CX-Driven", "incentives aligned to customer outcomes; customer needs drive "
          "strategic decisions",
          (("culture_score", 3.5), ("recognition_share", 40), ("decision_evidence_ratio", 60),
           ("leadership_customer_time", 25))),
    Level(5, "CX-First", "customer evidence required for every initiative; hiring and promotion "
          "reward customer-centricity", (("culture_score", 4.2),), targets_met=10),
)


_STARTS: dict[int, dict[str, float]] = {rung.number: rung.starts() for rung in MATURITY}
MATURITY_GATE = 0.5     # a rung starts to count once the rung below is this far climbed


# Each rung above the first as ``maturity_score`` reads it: ((column, start, threshold) of each
# condition, dashboard targets to meet), so that the score is the same arithmetic as
# ``Level.progress`` without its lookups.
_RUNGS = tuple((tuple((name, _STARTS[rung.number][name], low) for name, low in rung.minimums),
                rung.targets_met) for rung in MATURITY[1:])


def maturity_score(row: dict[str, float]) -> float:
    """1 + the rungs of MATURITY climbed, each counted once the rung below is half climbed and in
    full once that one is complete (001 §4), 1-5. A rung's climb is min(``Level.progress``,
    gate); ``_ramp`` and ``targets_met`` are written out, as comparisons, since the score is read
    off every monthly row (the same numbers, faster)."""
    score, gate = 1.0, 1.0
    for conditions, targets in _RUNGS:
        climbed = gate
        for name, start, low in conditions:
            value = row[name]
            if value != value:              # NaN: nobody answered a survey
                climbed = 0.0
                continue
            part = (value - start) / (low - start)
            part = part if part > 0.0 else 0.0
            if part < climbed:
                climbed = part              # (climbed <= 1, so part is clipped at 1 too)
        if targets:
            met = 0
            for name, amber, target in _TARGET_RAMPS:
                value = row[name]
                if value == value:
                    part = (value - amber) / (target - amber)
                    part = part if part > 0.0 else 0.0
                    met += part if part < 1.0 else 1.0
                else:
                    met += 0.0
            part = met / targets
            if part < climbed:
                climbed = part
        score += climbed
        gate = (climbed - MATURITY_GATE) / (1.0 - MATURITY_GATE)
        gate = gate if gate > 0.0 else 0.0
        gate = gate if gate < 1.0 else 1.0
        if gate == 0.0:         # no rung above can count
            break
    return score


def maturity_level(row: dict[str, float]) -> int:
    """The maturity level (001 §4): the floor of ``maturity_score``."""
    return int(maturity_score(row))


def markdown_columns() -> str:
    """docs/outputs.md: every output column with its unit, meaning, direction and target."""
    lines = [
        "# Output columns",
        "",
        "Generated from `model/catalogue.py` by `python -m cxsim.model.generate_docs`; do not "
        "edit.",
        "One row per month: month 0 is the state before week 1, month m is taken at the end of",
        "week round(52 m / 12). Targets are those of 001 §8 (\"Metrics That Matter\").",
        "",
        "*kind*: an *outcome* comes out of the agents' interaction; an *input* reports a",
        "scenario input as the timeline sets it (a policy series), so the red/amber/green rule",
        "does not rate it, whatever 001 §8's target; an *index* is the row's clock.",
        "",
        "A result's `monthly.parquet` carries this table in itself: each column's unit,",
        "meaning, label and better direction in its field metadata, and the run's provenance",
        "(what `summary.json` records) as JSON under the file's key-value metadata `cxsim`.",
        "",
        "| column | unit | meaning | kind | better | target |",
        "|---|---|---|---|---|---|",
    ]
    for m in METRICS:
        target = "" if m.target is None else f"{m.target:g}"
        lines.append(f"| `{m.name}` | {m.unit} | {m.meaning} | {m.role} | {m.better or ''} "
                     f"| {target} |")
    lines += ["", "## Maturity rubric (001 §4)", "",
              "Each rung's progress is that of its weakest condition, each running linearly over",
              "the range given. A rung starts to count once the rung below is half climbed and",
              "counts in full once that one is complete:",
              "c_k = min(p_k, clip(2 c_(k-1) - 1, 0, 1)), maturity_score = 1 + c_2 + ... + c_5,",
              "and maturity_level is its floor.", "",
              "| level | name | climbed as (each condition from where the rung below leaves it) |",
              "|---|---|---|"]
    lines += [f"| {lv.number} | {lv.name} | {lv.rule()} |" for lv in MATURITY]
    return "\n".join(lines) + "\n"


def markdown_team_columns() -> str:
    """The team-level section of docs/outputs.md: every column of ``simulate_teams``."""
    lines = [
        "## Team-level output (`simulate_teams`)",
        "",
        "`simulate_teams(scenario, seed)` returns one row per team per month (month 0 .. the last",
        "month, as `simulate`), ordered by month, then team. The account columns describe the",
        "accounts a team serves (`customers.account_team`; only frontline teams serve accounts).",
        "A *trailing window* at month m covers the w = min(m, 12) months after month end",
        "s = m - w (since month 0 while fewer than 12 months have passed). Collecting team rows",
        "leaves the organisation's table unchanged: `simulate` gives the same numbers either way.",
        "",
        "| column | unit | meaning | better |",
        "|---|---|---|---|",
    ]
    lines += [f"| `{m.name}` | {m.unit} | {m.meaning} | {m.better or ''} |" for m in TEAM_METRICS]
    return "\n".join(lines) + "\n"
