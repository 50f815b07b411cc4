"""What the board pack says: its numbers, verdicts and words, as plain data.

:func:`analyse` turns a comparison (``experiments.compare``) of a scenario against a baseline into
a :class:`Pack`; every renderer (``html``, ``pptx``) reads the pack and adds no number of its own.
Labels, units, targets, directions and the red/amber/green rule come from the metric catalogue
(``model.catalogue``); the headline figure of a set of replicates is ``statistics.headline`` (the
mean); the maturity rubric is ``catalogue.MATURITY``; a week's month is the model's calendar
(:func:`month_of_week`); the counts in "what the model does not claim" come from the calibration
record (:func:`not_claimed`).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import cxsim
from cxsim.experiments.compare import Comparison
from cxsim.experiments.outputs import provenance
from cxsim.experiments.statistics import HEADLINE_STATISTIC, headline
from cxsim.experiments.uncertainty import ReplicatePlan
from cxsim.model import Scenario
from cxsim.model.calendar import month_of_week
from cxsim.model.catalogue import (
    AMBER_SHARE,
    DASHBOARD,
    MATURITY,
    RAG_WORDS,
    Metric,
    metric,
)
from cxsim.model.catalogue import HEADLINE as HEADLINE_COLUMNS
from cxsim.model.parameters import Parameters
from cxsim.model.scenario import SCENARIO_DIR, flatten_keys

PACKAGE_ROOT = Path(cxsim.__file__).resolve().parent
CALIBRATION_RECORD = SCENARIO_DIR / "calibration_record.json"

HEADLINE: tuple[Metric, ...] = tuple(metric(name) for name in HEADLINE_COLUMNS)
DASHBOARD_METRICS: tuple[Metric, ...] = tuple(metric(name) for name in DASHBOARD)
FAN_PANELS: tuple[Metric, ...] = (*HEADLINE, metric("culture_score"),
                                  metric("psychological_safety_score"),
                                  metric("interaction_rate"))
# The maturity rubric (001 §4), from the catalogue: the words and the rule the model checks.
LEVEL_NAMES: dict[int, str] = {level.number: level.name for level in MATURITY}
LEVELS: dict[int, tuple[str, str]] = {level.number: (level.description, level.rule())
                                      for level in MATURITY}
AVERAGE = "average" if HEADLINE_STATISTIC == "mean" else HEADLINE_STATISTIC

SECTIONS: tuple[tuple[str, str], ...] = (
    ("headline", "1. The headline"),
    ("trajectories", "2. How the year unfolds"),
    ("dashboard", "3. The culture dashboard against its targets"),
    ("maturity", "4. Customer-experience maturity over the year"),
    ("warnings", "5. Early warnings"),
    ("assumptions", "6. What the scenario assumes"),
    ("limits", "7. What the model does not claim"),
    ("provenance", "8. Where these numbers come from"),
)
SECTION_TITLES: dict[str, str] = dict(SECTIONS)


@dataclass(frozen=True)
class WarningRule:
    """An early warning: ``column``'s monthly average crosses ``threshold(month-0 value)``."""

    column: str
    title: str
    meaning: str
    rule: str
    threshold: Callable[[float], float]
    above: bool = True          # warn when the series goes above (True) or below the threshold

    @property
    def metric(self) -> Metric:
        return metric(self.column)

    def first_month(self, series: pd.Series) -> int | None:
        """The first month (1..12) in which the rule holds, or None."""
        limit = self.threshold(float(series.loc[0]))
        for month, value in series.items():
            if month > 0 and (value > limit if self.above else value < limit):
                return int(month)
        return None


WARNINGS: tuple[WarningRule, ...] = (
    WarningRule("say_do_gap", "Saying without doing",
                "Leaders' words about customers run ahead of real budgets, incentives and "
                "action. Staff notice and grow cynical: the mark of 'CX theater' and of a "
                "leadership team that is not aligned.",
                "say-do gap above 20 (on its 0-100 scale)", lambda start: 20.0),
    WarningRule("survey_response_rate", "Customers stop answering surveys",
                "Customers who see nothing done with their feedback stop giving it: the mark of "
                "measuring more without acting more ('survey obsession').",
                "response rate more than 5 percentage points below its month-0 level",
                lambda start: start - 5.0, above=False),
    WarningRule("load", "Workload above capacity",
                "More change at once than people can carry (for example a reorganisation, a new "
                "tool and cost cutting launched with the programme). Fatigue follows.",
                "weekly load above 100% of capacity (day job plus initiatives)",
                lambda start: 100.0),
    WarningRule("change_fatigue", "Change fatigue building up",
                "People are tiring of change; they take part less and some leave.",
                "change fatigue more than 5 points above its month-0 level (0-100 scale)",
                lambda start: start + 5.0),
    WarningRule("cynicism", "Cynicism rising",
                "Staff stop believing the programme; later initiatives land less well.",
                "cynicism more than 2 points above its month-0 level (0-100 scale)",
                lambda start: start + 2.0),
    WarningRule("engagement", "Engagement falling",
                "People put in less discretionary effort; attrition follows.",
                "engagement more than 3 points below its month-0 level (0-100 scale)",
                lambda start: start - 3.0, above=False),
    WarningRule("psychological_safety_score", "Fear of speaking up",
                "People feel less safe to raise customer problems (for example when messengers "
                "are blamed), so problems stay hidden.",
                "psychological safety more than 0.1 below its month-0 level (1-5 score)",
                lambda start: start - 0.1, above=False),
    WarningRule("problems_silent", "Customer problems left unspoken",
                "Problems staff have met but nobody has raised: they hurt customers and nobody "
                "fixes them.",
                "silent problems more than 25% (and more than 2) above their month-0 number",
                lambda start: max(1.25 * start, start + 2.0)),
    WarningRule("top_performer_attrition_annualised", "Best people leaving",
                "Top performers, who have the most options, leave first when the culture sours.",
                "top performers' yearly leaving rate more than 2 percentage points above its "
                "month-0 level", lambda start: start + 2.0),
)
KIND_NAMES: dict[str, str] = {
    "cx_programme_announcement": "The CEO announces the programme",
    "ceo_listening": "CEO customer listening sessions",
    "story_sharing": "Customer stories in all-hands meetings",
    "customer_friday": "Customer Friday (time with customers for everyone)",
    "immersion_rotations": "Customer immersion rotations for managers",
    "advisory_board": "Customer advisory board",
    "blameless_postmortems": "No-blame reviews after customer escalations",
    "journey_maps": "Customer journey maps on display",
    "onboarding_immersion": "Customer immersion in onboarding",
    "hiring_for_empathy": "Hiring for customer empathy",
    "customer_evidence_required": "Customer evidence required for decisions",
    "performance_reviews": "Customer outcomes in performance reviews",
    "promotions_for_customer_impact": "Promotions for customer impact",
    "celebrate_killed_feature": "A feature killed on customer evidence is celebrated",
    "protected_research": "Customer research protected from budget cuts",
    "culture_measurement": "Culture measured quarterly",
    "reorganisation": "Reorganisation",
    "tool_rollout": "New tool roll-out",
    "cost_cutting": "Cost cutting",
}
GROUPS: dict[str, str] = {"levers": "Lever", "anti_patterns": "Anti-pattern", "risks": "Risk",
                          "organisation": "Organisation"}
GLOSSARY: tuple[tuple[str, str], ...] = (
    ("CX", "customer experience"),
    ("NPS", "Net Promoter Score: the percentage of customers who would recommend us minus the "
            "percentage who would not, from -100 to +100"),
    ("eNPS", "employee Net Promoter Score: the same question asked of employees"),
    ("CSAT", "customer satisfaction: the percentage of customers who are satisfied"),
    ("B2B", "business-to-business"),
    ("SaaS", "software as a service"),
    ("CEO", "chief executive officer"),
    ("HR", "human resources"),
    ("001", "the practitioner chapter 'Building a CX-First Culture' that the model is built "
            "from; § numbers are its sections"),
)
# a verdict always says against what ({against}: the other option's label)
VERDICT_WORDS: dict[str, str] = {"better": "better than {against}",
                                 "worse": "worse than {against}",
                                 "unclear": "no clear difference from {against}"}


# -- the model's calendar and the calibration record -----------------------------------------------

def calibration_counts(record: Path = CALIBRATION_RECORD) -> tuple[int, int] | None:
    """(free parameters, case figures) of the calibration record; None without a record."""
    try:
        data = json.loads(record.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    return len(data["free_parameters"]), len(data["targets"])


def not_claimed(record: Path = CALIBRATION_RECORD, parameters: str = "posterior"
                ) -> list[tuple[str, str]]:
    """What the model does not claim, as (head, text) pairs in plain words; the numbers of
    fitted settings and case figures come from the calibration record; ``parameters`` is how
    the ranges were made ("posterior": each pair of futures on its own posterior draw; "point":
    chance alone, ``experiments.uncertainty``)."""
    counts = calibration_counts(record)
    if counts is None:
        fitted = ("No setting has been tuned to the TechOps Pro case yet (there is no "
                  "calibration record); every setting is an informed assumption.")
    else:
        free, figures = counts
        fitted = (f"{free} settings were tuned so that the model reproduces {figures} figures "
                  "of the TechOps Pro case; every other setting is an informed assumption. "
                  "The case pins down only a few of the tuned ones: many combinations fit it "
                  "about as well.")
    if parameters == "point":
        ranges = ("The ranges are narrower than the real uncertainty.",
                  "This pack was run on the single best-fitting description of the "
                  "organisation (--point): its ranges show only chance variation between "
                  "simulated years, not what the case leaves uncertain.")
    else:
        ranges = ("The ranges do not cover everything that is uncertain.",
                  "They cover chance and every description of the organisation that fits "
                  "the TechOps case, within this model; not mechanisms the model lacks or "
                  "gets wrong, the settings held at informed values, or how our company "
                  "differs from the one modelled.")
    return [
        ("It is not a forecast for our company.",
         "It shows what tends to happen, and why, in an organisation like the one modelled "
         "(about 800 people and 400 business customers, set up to match one published case, "
         "TechOps Pro). Use it to compare options against each other, not to predict exact "
         "figures."),
        ("The size of each effect is plausible, not measured.", fitted),
        ranges,
        ("Sales, pricing, competitors and the economy are not in the model.",
         "New customers arrive at a steady rate whatever the culture; contract values do not "
         "change."),
        ("Money spent is not in the model.",
         "There are no programme costs and no return on investment; revenue retained is the "
         "share of today's contract value still with us."),
        ("Leaders follow the plan as written.",
         "They do not react to the results during the year."),
        ("The culture scores are a simulated survey, not a validated questionnaire.",
         "The culture assessment is the model's version of the ten-item survey of the source "
         "chapter: simulated staff who answer it score each item from their own experience, so "
         "it has sampling error like a real survey, but its items have not been validated "
         "against real survey data."),
        ("The measured NPS comes from the customers who answer the survey.",
         "Satisfied customers answer more often, as in real surveys; it can differ from the "
         "view of all customers."),
        ("The comparison line drifts a little on its own.",
         "Even the organisation doing nothing changes slightly over the year in the model (it "
         "is held only near a steady state); compare the two options with each other rather "
         "than either with today's figures."),
        ("The often-quoted claim that '70% of change programmes fail' is not used.",
         "There is no valid evidence for it."),
    ]


def not_claimed_markdown(record: Path = CALIBRATION_RECORD, parameters: str = "posterior"
                         ) -> str:
    """:func:`not_claimed` as a Markdown list (for docs/validation.md and the notebooks)."""
    return "".join(f"- **{head}** {text}\n" for head, text in not_claimed(record, parameters))


# -- words -------------------------------------------------------------------------------------

def label(scenario: Scenario) -> str:
    """A scenario's name as words: 'cx_theater' -> 'CX theater'."""
    return " ".join("CX" if word.lower() == "cx" else word for word in scenario.name.split("_"))


def title_case(text: str) -> str:
    return text[:1].upper() + text[1:]


def first_sentence(text: str) -> str:
    text = " ".join(text.split())
    return text.split(". ")[0].rstrip(".") + "." if text else ""


def value_text(value: Any) -> str:
    """A setting's value as shown: floats without trailing zeros."""
    return f"{value:g}" if isinstance(value, float) else str(value)


def verdict(m: Metric, low: float, high: float) -> str:
    """'better', 'worse' or 'unclear' (than the option compared with) from the range of 90% of
    the paired futures' differences: clear only when that whole range is on one side of 0."""
    if low > 0 or high < 0:
        return "better" if m.change_is_better(low if low > 0 else high) else "worse"
    return "unclear"


RANGE_NAME = "9 in 10 paired simulated futures"
RANGE_EXPLAINED = (
    "Likely size of the difference: where the difference falls in 9 of 10 paired simulated "
    "futures; a pair runs both options on the same chance events and the same plausible "
    "description of the organisation, so the range holds what the TechOps case leaves uncertain "
    "(how strongly customers and people respond) as well as chance.")
RANGE_EXPLAINED_POINT = (
    "Likely size of the difference: the range that holds the difference in 9 of every 10 "
    "paired simulated futures, each pair on the same chance events; every future uses the single "
    "best-fitting description of the organisation, so the range shows chance alone.")


def range_explained(plan: ReplicatePlan | None) -> str:
    """The footnote that says what the headline ranges are."""
    return RANGE_EXPLAINED_POINT if plan is None or plan.parameters == "point" \
        else RANGE_EXPLAINED


def interval_words(low: float, high: float, up: str, down: str, unit: str) -> str:
    """A range of a difference in words: '3.9 to 5.4 points fewer'."""
    if low >= 0:
        return f"{low:.1f} to {high:.1f} {unit} {up}"
    if high <= 0:
        return f"{-high:.1f} to {-low:.1f} {unit} {down}"
    return f"between {-low:.1f} {unit} {down} and {high:.1f} {unit} {up}"


# -- the pack ----------------------------------------------------------------------------------

@dataclass
class Pack:
    """Everything a rendering needs: the numbers, the words and the charts."""

    scenario: Scenario
    against: Scenario
    replicates: int
    seeds: list[int]
    month: int
    headline: list[dict[str, Any]]
    dashboard: list[dict[str, Any]]
    dashboard_counts: dict[str, dict[str, int]]
    maturity: dict[str, Any]
    range_explained: str
    warnings: list[dict[str, Any]]
    assumptions: dict[str, Any]
    provenance: dict[str, Any]
    not_claimed: list[tuple[str, str]] = field(default_factory=not_claimed)
    charts: dict[str, bytes] = field(default_factory=dict)

    def data(self) -> dict[str, Any]:
        """The pack's numbers, as written to report.json."""
        return {
            "scenario": self.scenario.name, "against": self.against.name,
            "replicates": self.replicates, "month": self.month,
            "statistic": HEADLINE_STATISTIC,
            "headline": self.headline, "dashboard": self.dashboard,
            "dashboard_counts": self.dashboard_counts, "amber_share": AMBER_SHARE,
            "maturity": self.maturity, "range_explained": self.range_explained,
            "warnings": self.warnings,
            "assumptions": self.assumptions,
            "not_claimed": [list(item) for item in self.not_claimed],
            "provenance": self.provenance,
        }


def monthly_figures(monthly: pd.DataFrame, name: str, columns: Sequence[str]) -> pd.DataFrame:
    """Month by month, the headline figure (``statistics.headline``) of each column's
    replicates of scenario ``name``."""
    frame = monthly[monthly["scenario"] == name]
    return frame.groupby("month")[list(columns)].agg(headline)


def at_month(monthly: pd.DataFrame, name: str, month: int, column: str) -> np.ndarray:
    """Every replicate's value of ``column`` for scenario ``name`` at ``month``."""
    selected = (monthly["scenario"] == name) & (monthly["month"] == month)
    return monthly.loc[selected, column].to_numpy(float)


def headline_numbers(result: Comparison, scenario: Scenario, against: Scenario) -> list[dict]:
    monthly, month = result.monthly, result.month
    diffs = result.differences.set_index(["scenario", "outcome"])
    s_name, b_name = label(scenario), label(against)
    rows = []
    for m in HEADLINE:
        mine = at_month(monthly, scenario.name, month, m.name)
        base = at_month(monthly, against.name, month, m.name)
        start = at_month(monthly, scenario.name, 0, m.name)
        diff = diffs.loc[(scenario.name, m.name)]
        d, low, high = float(diff["difference"]), float(diff["low"]), float(diff["high"])
        s, b = headline(mine), headline(base)
        paired = mine - base
        better = float(np.mean(paired < 0 if m.better == "lower" else paired > 0))
        if m.name == "churn_annualised":
            sentence = (f"By month {month}, customers are leaving at a rate of {s:.1f}% a year "
                        f"under {s_name}, against {b:.1f}% under {b_name}: "
                        f"{abs(d):.1f} percentage points {'fewer' if d < 0 else 'more'} "
                        f"customers lost a year.")
            words = interval_words(low, high, "more", "fewer", "points")
        elif m.name == "nps_measured":
            sentence = (f"By month {month}, the Net Promoter Score (NPS) from the customer survey "
                        f"is {s:+.1f} under {s_name}, against {b:+.1f} under {b_name}: "
                        f"{abs(d):.1f} points {'higher' if d >= 0 else 'lower'}.")
            words = interval_words(low, high, "higher", "lower", "points")
        else:
            sentence = (f"After {month} months, {s:.1f}% of the annual contract value of today's "
                        f"customers is still with us under {s_name}, against {b:.1f}% under "
                        f"{b_name}: {abs(d):.1f} percentage points "
                        f"{'more' if d >= 0 else 'less'}.")
            words = interval_words(low, high, "more", "less", "points")
        rows.append({
            "column": m.name, "label": m.plain_label, "unit": m.unit,
            "month": month, "start": round(headline(start), 6),
            "scenario_mean": round(s, 6), "against_mean": round(b, 6),
            "scenario_p5": round(float(np.percentile(mine, 5)), 6),
            "scenario_p95": round(float(np.percentile(mine, 95)), 6),
            "against_p5": round(float(np.percentile(base, 5)), 6),
            "against_p95": round(float(np.percentile(base, 95)), 6),
            "difference": round(d, 6), "low": round(low, 6), "high": round(high, 6),
            "level": float(diff["level"]),
            "parameter_share": _share(diff["parameter_share"]),
            "chance_share": _share(diff["chance_share"]),
            "share_better": round(better, 6),
            "verdict": verdict(m, low, high), "sentence": sentence,
            "interval_words": words,
            "range_sentence": f"Likely size of the difference: {words} ({RANGE_NAME}).",
            "uncertainty_words": uncertainty_words(diff, better, result.plan),
        })
    return rows


def _share(value: Any) -> float | None:
    return None if value != value else round(float(value), 4)


def uncertainty_words(diff: pd.Series, better: float, plan: ReplicatePlan | None) -> str:
    """How often the option is better, and where the range's spread comes from, in a line."""
    times = f"Better in {better:.0%} of them"
    if plan is None or plan.parameters == "point":
        return f"{times}; chance alone (one calibrated organisation)."
    p = diff["parameter_share"]
    if p != p:
        return f"{times}."
    return (f"{times}; {p:.0%} of their spread from what the case leaves uncertain, "
            f"{1 - p:.0%} from chance.")


def dashboard_rows(result: Comparison, scenario: Scenario, against: Scenario
                   ) -> tuple[list[dict], dict[str, dict[str, int]]]:
    """The 001 §8 dashboard: each metric's monthly figure and its catalogue status."""
    columns = [m.name for m in DASHBOARD_METRICS]
    mine = monthly_figures(result.monthly, scenario.name, columns)
    base = monthly_figures(result.monthly, against.name, columns)
    rows = []
    for m in DASHBOARD_METRICS:
        last = float(base[m.name].iloc[-1])
        rows.append({
            "column": m.name, "label": m.plain_label, "unit": m.unit,
            "decimals": m.decimals, "target": m.target, "better": m.better,
            "months": [round(float(v), 3) for v in mine[m.name]],
            "status": [m.status(float(v)) for v in mine[m.name]],
            "against_last": round(last, 3),
            "against_last_status": m.status(last),
        })
    counts = {"scenario": dict(Counter(row["status"][-1] for row in rows)),
              "against": dict(Counter(row["against_last_status"] for row in rows))}
    return rows, counts


def maturity_summary(result: Comparison, scenario: Scenario, against: Scenario) -> dict:
    """The maturity level month by month: the typical (median) level, as levels are ranks."""
    out: dict[str, Any] = {"levels": {k: {"name": LEVEL_NAMES[k], "looks_like": LEVELS[k][0],
                                          "rule": LEVELS[k][1]} for k in LEVELS}}
    top = max(LEVELS)
    for key, sc in (("scenario", scenario), ("against", against)):
        frame = result.monthly[result.monthly["scenario"] == sc.name]
        grouped = frame.groupby("month")["maturity_level"]
        median = grouped.quantile(0.5, interpolation="lower").astype(int)
        first = {}
        for level in range(int(median.iloc[0]) + 1, top + 1):
            reached = median[median >= level]
            first[level] = int(reached.index[0]) if len(reached) else None
        last = frame[frame["month"] == frame["month"].max()]["maturity_level"]
        out[key] = {
            "median": [int(v) for v in median],
            "low": [int(v) for v in grouped.quantile(0.05, interpolation="lower")],
            "high": [int(v) for v in grouped.quantile(0.95, interpolation="higher")],
            "first_month": first,
            "share_at_least": {level: round(float((last >= level).mean()) * 100, 1)
                               for level in LEVELS},
        }
    return out


def maturity_sentence(pack: Pack) -> str:
    """The maturity path of both options in one plain sentence."""
    def one(key: str, sc: Scenario) -> str:
        m = pack.maturity[key]
        start, end = m["median"][0], m["median"][-1]
        if end == start:
            return (f"under {label(sc)} the organisation stays at level {start} "
                    f"({LEVEL_NAMES[start]}) all year")
        steps = ", ".join(f"level {lv} ({LEVEL_NAMES[lv]}) in month {mo}"
                          for lv, mo in m["first_month"].items() if mo is not None)
        return (f"under {label(sc)} the organisation moves from level {start} "
                f"({LEVEL_NAMES[start]}) to level {end} ({LEVEL_NAMES[end]}), reaching {steps}")
    return title_case(one("scenario", pack.scenario) + "; " + one("against", pack.against) + ".")


def maturity_rows(pack: Pack) -> list[dict[str, Any]]:
    """One row per level: what it looks like, the rule, when each option's typical year reaches
    it, and the share of the scenario's simulated years at or above it at the last month."""
    def when(key: str, level: int) -> str:
        m = pack.maturity[key]
        if level <= m["median"][0]:
            return "from the start"
        month = m["first_month"].get(level)
        return f"month {month}" if month is not None else "not reached"
    return [{"level": level, "name": info["name"], "looks_like": info["looks_like"],
             "rule": info["rule"], "scenario_reaches": when("scenario", level),
             "against_reaches": when("against", level),
             "share": pack.maturity["scenario"]["share_at_least"][level]}
            for level, info in pack.maturity["levels"].items()]


def warning_rows(result: Comparison, scenario: Scenario, against: Scenario) -> list[dict]:
    """Each warning rule on both options' monthly figures."""
    columns = [w.column for w in WARNINGS]
    mine = monthly_figures(result.monthly, scenario.name, columns)
    base = monthly_figures(result.monthly, against.name, columns)
    rows = []
    for w in WARNINGS:
        first = w.first_month(mine[w.column])
        rows.append({
            "column": w.column, "title": w.title, "meaning": w.meaning, "rule": w.rule,
            "unit": w.metric.unit,
            "threshold": round(w.threshold(float(mine[w.column].iloc[0])), 3),
            "scenario_first_month": first,
            "scenario_value": (round(float(mine[w.column].loc[first]), 3) if first is not None
                               else None),
            "against_first_month": w.first_month(base[w.column]),
        })
    return rows


def warnings_seen(pack: Pack) -> list[dict[str, Any]]:
    return [w for w in pack.warnings if w["scenario_first_month"] is not None]


def warnings_summary(pack: Pack) -> str:
    """Which warning signs appear under the scenario, and from when."""
    seen, s = warnings_seen(pack), label(pack.scenario)
    if not seen:
        return f"None of the {len(pack.warnings)} warning signs appears under {s}."
    return (f"{len(seen)} of {len(pack.warnings)} warning signs appear under {s}: "
            + "; ".join(f"{w['title'].lower()} from month {w['scenario_first_month']}"
                        for w in seen) + ".")


def _field_info(key: str) -> tuple[str, str]:
    """(description, unit) of a dotted parameter key, from the schema."""
    section, _, name = key.partition(".")
    try:
        info = Parameters.model_fields[section].annotation.model_fields[name]
    except (KeyError, AttributeError):
        return "", ""
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    return info.description or "", str(extra.get("unit", ""))


def timeline_row(entry: dict[str, Any]) -> dict[str, Any]:
    """A timeline entry in words, with the months it covers by the model's calendar."""
    start, end = entry["start_week"], entry["start_week"] + entry["duration_weeks"] - 1
    first, last = month_of_week(start), month_of_week(end)
    strength = entry["intensity"]
    return {
        "what": KIND_NAMES.get(entry["kind"], entry["kind"].replace("_", " ")),
        "kind": entry["kind"],
        "months": f"month {first}" if first == last else f"months {first}-{last}",
        "weeks": f"weeks {start}-{end}",
        "strength": "full" if strength >= 1 else f"{strength:.0%} of full",
        "note": entry.get("note", ""),
    }


def assumptions(scenario: Scenario, against: Scenario) -> dict[str, Any]:
    """What differs between the two scenarios: settings and timeline entries, in words."""
    mine = scenario.parameters.model_dump(mode="json")
    base = against.parameters.model_dump(mode="json")
    flat_mine = flatten_keys({k: v for k, v in mine.items() if k != "timeline"})
    flat_base = flatten_keys({k: v for k, v in base.items() if k != "timeline"})
    settings = []
    for key in sorted(set(flat_mine) | set(flat_base)):
        if flat_mine.get(key) == flat_base.get(key):
            continue
        section, _, name = key.partition(".")
        description, unit = _field_info(key)
        if unit == "intensity":
            unit = "intensity: 0 = absent, 1 = full"
        settings.append({
            "key": key, "group": GROUPS.get(section, "Model setting"),
            "name": name.replace("_", " ").replace("cx ", "CX ").capitalize()
            .replace("Cx ", "CX "),
            "description": description, "unit": unit,
            "against": flat_base.get(key), "scenario": flat_mine.get(key),
        })
    order = [*GROUPS.values(), "Model setting"]
    settings.sort(key=lambda s: order.index(s["group"]))

    def key_of(entry: dict) -> tuple:
        return tuple(sorted(entry.items()))
    count_mine, count_base = (Counter(key_of(e) for e in mine["timeline"]),
                              Counter(key_of(e) for e in base["timeline"]))
    added = [timeline_row(dict(k)) for k in (count_mine - count_base).elements()]
    removed = [timeline_row(dict(k)) for k in (count_base - count_mine).elements()]
    org = scenario.parameters.organisation
    return {
        "description": scenario.description, "source": scenario.source,
        "against_description": against.description, "against_source": against.source,
        "settings": settings, "timeline_added": added, "timeline_removed": removed,
        "organisation": (f"{org.employees} people in teams of about {org.team_size} with a "
                         f"manager, {org.frontline_share:.0%} of teams serving customers "
                         f"directly, and {org.customers} business customer accounts (median "
                         f"contract {org.contract_value_median:.0f} thousand dollars a year)"),
    }


def relative(path: str) -> str:
    """A file's path inside the package, else as given."""
    try:
        return str(Path(path).resolve().relative_to(PACKAGE_ROOT))
    except ValueError:
        return path


def provenance_record(result: Comparison, scenario: Scenario, against: Scenario,
                      command: list[str] | None) -> dict[str, Any]:
    records = {}
    for sc in (against, scenario):
        record = provenance(sc, result.seeds, command)
        record["files"] = [relative(f) for f in record["files"]]
        records[sc.name] = record
    first = records[scenario.name]
    return {
        "command": command or [],
        "cxsim_version": first["cxsim_version"], "mesa_version": first["mesa_version"],
        "numpy_version": first["numpy_version"], "python_version": first["python_version"],
        "seeds": result.seeds,
        "common_random_numbers": "replicate i of both scenarios uses seed base + i"
                                 + ("" if result.plan is None or result.plan.parameters == "point"
                                    else " and the same posterior draw"),
        "replicate_plan": result.plan.record() if result.plan else None,
        "scenarios": records,
    }


def provenance_rows(pack: Pack) -> list[tuple[str, str]]:
    """(item, value) rows of the provenance table."""
    p = pack.provenance
    seeds = p["seeds"]
    seed_text = f"{seeds[0]} to {seeds[-1]}" if len(seeds) > 1 else str(seeds[0])
    rows = [
        ("Command", " ".join(p["command"]) or "(called from Python)"),
        ("Simulated years per option", f"{pack.replicates}, seeds {seed_text}; "
                                       f"{p['common_random_numbers']}"),
        ("Software", f"cxsim {p['cxsim_version']}, Mesa {p['mesa_version']}, "
                     f"Python {p['python_version']}, NumPy {p['numpy_version']}"),
    ]
    plan = p.get("replicate_plan") or {}
    if plan.get("parameters") == "posterior":
        rows.append(("Organisation descriptions",
                     f"{-(-len(plan['draws']) // plan['chance_per_draw'])} draws from "
                     f"{plan['posterior']} (SHA-256 {plan['posterior_sha256']}), up to "
                     f"{plan['chance_per_draw']} simulated years each; the same draws for both "
                     "options"))
    elif plan:
        rows.append(("Organisation descriptions", "the calibrated point of baseline.toml only "
                     "(--point): the ranges show chance alone"))
    for name, record in p["scenarios"].items():
        overrides = ", ".join(f"{k} = {v}" for k, v in record["overrides"].items()) or "none"
        rows.append((f"Scenario {name}",
                     f"files: {', '.join(record['files'])}; overrides: {overrides}; parameters "
                     f"fingerprint (SHA-256, first 16 hex digits): {record['parameters_sha256']}"))
    return rows


def rag_rule_words() -> dict[str, str]:
    """The red/amber/green rule in words, from the catalogue's AMBER_SHARE and RAG_WORDS."""
    share = f"{AMBER_SHARE:.0%}"
    return {"green": RAG_WORDS["green"],
            "amber": f"at least {share} of the target, not yet met",
            "red": f"below {share} of the target",
            "input": RAG_WORDS["input"]}


def analyse(result: Comparison, scenario: Scenario, against: Scenario,
            command: list[str] | None = None) -> Pack:
    """The pack's numbers and words from a comparison of ``against`` (first) and ``scenario``."""
    dashboard, counts = dashboard_rows(result, scenario, against)
    return Pack(
        scenario=scenario, against=against, replicates=len(result.seeds), seeds=result.seeds,
        month=result.month, headline=headline_numbers(result, scenario, against),
        dashboard=dashboard, dashboard_counts=counts,
        maturity=maturity_summary(result, scenario, against),
        range_explained=range_explained(result.plan),
        not_claimed=not_claimed(parameters=result.plan.parameters if result.plan else "point"),
        warnings=warning_rows(result, scenario, against),
        assumptions=assumptions(scenario, against),
        provenance=provenance_record(result, scenario, against, command),
    )
