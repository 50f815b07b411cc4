"""``cxsim report``: a board pack for a non-technical board, in HTML, PDF and PowerPoint.

    cxsim report SCENARIO [--against BASELINE] [--replicates R] [--seed N]
                 [--format html,pdf,pptx] [--out DIR] [--workers N]

It runs SCENARIO and BASELINE on common random numbers (``experiments.compare``) and writes, into
``--out`` (default ``runs/report-SCENARIO``), ``report.html`` (one self-contained file: charts as
base64 PNG, CSS inline, no scripts, no external requests), ``report.pdf`` (the same HTML through
weasyprint), ``report.pptx`` (python-pptx: one slide per section, charts as pictures, the
plain-words explanation in the speaker notes) and ``report.json`` (the numbers and rules behind
the pack, and its provenance). The sections:

1. the headline: month-12 churn, NPS and revenue retained against the baseline, with ranges;
2. the trajectories as fan charts (median, 50% and 90% of runs) with the targets drawn;
3. the culture dashboard: the "Metrics That Matter" of 001 §8 (``model.TARGETS``) with a
   red/amber/green status per metric and month (:data:`AMBER_SHARE`);
4. the maturity level over the year (001 §4);
5. early warnings of anti-patterns in the leading metrics (:data:`WARNINGS`), from the monthly
   medians, with the month they first appear;
6. what the scenario assumes; 7. what the model does not claim; 8. provenance.

Every file is rendered in memory first and then written atomically, so a failure leaves nothing
half-written; bad input (an unknown scenario, a bad format name) raises
:class:`model.ScenarioError` before anything runs. ``experiments.cli`` adds the command with
:func:`register`; ``python -m cxsim.experiments.report`` runs it on its own.
"""

from __future__ import annotations

import argparse
import base64
import html
import io
import json
import logging
import math
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from cxsim.experiments.arguments import non_negative_int, positive_int
from cxsim.experiments.compare import Comparison, compare
from cxsim.experiments.outputs import provenance, write_atomic
from cxsim.model import TARGETS, Scenario, ScenarioError, load_scenario
from cxsim.model.parameters import Parameters
from cxsim.model.scenario import flatten_keys

ROOT = Path(__file__).resolve().parents[1]
FORMATS = ("html", "pdf", "pptx")
AMBER_SHARE = 0.8          # amber: at least 80% of the target (all targets are "higher is better")
SCENARIO_COLOUR = "#1f5aa6"
BASELINE_COLOUR = "#7f7f7f"
TARGET_COLOUR = "#2e7d32"
WARNING_COLOUR = "#c62828"
RAG = {"green": "#a5d6a7", "amber": "#ffe082", "red": "#ef9a9a"}
RAG_WORD = {"green": "target met", "amber": "close (at least 80% of target)",
            "red": "short of target"}
LEVEL_NAMES = {1: "Product-Centric", 2: "CX-Aware", 3: "CX-Enabled", 4: "CX-Driven",
               5: "CX-First"}
# 001 §4 in one line each, and the model's rule for the level (model.metrics.maturity_level).
LEVELS = {
    1: ("customer experience is the job of marketing or support; success is features shipped",
        "the starting point"),
    2: ("customer satisfaction is tracked but not acted on systematically; pockets of excellence",
        "culture assessment score at least 2.0 of 5"),
    3: ("customer immersion for all roles; leaders share customer stories; customer outcomes "
        "shape the roadmap",
        "culture score at least 2.75; at least 30% of employees meet customers each quarter; at "
        "least 1 customer story a week; leaders spend at least 5% of their time with customers"),
    4: ("incentives aligned to customer outcomes; customer needs drive strategic decisions",
        "culture score at least 3.5; at least 40% of recognition tied to customer impact; at "
        "least 60% of decisions backed by customer evidence; leaders at least 15% of their time "
        "with customers"),
    5: ("customer evidence required for every initiative; hiring and promotion reward "
        "customer-centricity",
        "culture score at least 4.2 and at least 10 of the 12 dashboard targets met"),
}


@dataclass(frozen=True)
class Metric:
    """A column as a board reads it: a plain label, its unit, and which way is better."""

    column: str
    label: str
    unit: str           # for axes and tables
    decimals: int = 0
    higher_is_better: bool = True
    short_label: str = ""

    @property
    def short(self) -> str:
        return self.short_label or self.label

    @property
    def axis(self) -> str:
        return f"{self.label} ({self.unit})"

    def fmt(self, value: float) -> str:
        return f"{value:.{self.decimals}f}"


HEADLINE = [
    Metric("churn_annualised", "Customers leaving per year (churn)", "% of customers", 1,
           higher_is_better=False, short_label="Customers leaving per year"),
    Metric("nps_measured", "Net Promoter Score (NPS), customer survey", "score, -100 to +100",
           1, short_label="Net Promoter Score (NPS)"),
    Metric("revenue_retained", "Revenue retained from today's customers",
           "% of today's annual contract value", 1, short_label="Revenue retained"),
]
DASHBOARD = {
    "culture_score": Metric("culture_score", "Culture assessment score", "score 1-5", 1),
    "leadership_customer_time": Metric("leadership_customer_time",
                                       "Leaders' time with customers", "% of calendar"),
    "decision_evidence_ratio": Metric("decision_evidence_ratio",
                                      "Decisions backed by customer evidence", "% of decisions"),
    "interaction_rate": Metric("interaction_rate", "Employees who met customers this quarter",
                               "% of employees"),
    "story_sharing_per_week": Metric("story_sharing_per_week", "Customer stories shared",
                                     "stories per week", 1),
    "onboarding_immersion": Metric("onboarding_immersion",
                                   "New hires who met customers in onboarding", "% of new hires"),
    "collaboration_index": Metric("collaboration_index",
                                  "Collaboration across teams on customer outcomes",
                                  "score 1-5", 1),
    "psychological_safety_score": Metric("psychological_safety_score",
                                         "Psychological safety: safe to raise customer problems",
                                         "score 1-5", 1),
    "recognition_share": Metric("recognition_share", "Recognition tied to customer impact",
                                "% of recognition"),
    "ritual_participation": Metric("ritual_participation",
                                   "Employees taking part in customer rituals this month",
                                   "% of employees"),
    "postmortem_coverage": Metric("postmortem_coverage",
                                  "Customer escalations followed by a no-blame review",
                                  "% of escalations"),
    "enps": Metric("enps", "Employee Net Promoter Score (eNPS) for the customer culture",
                   "-100 to +100"),
}
FAN_PANELS = [
    HEADLINE[0], HEADLINE[1], HEADLINE[2],
    DASHBOARD["culture_score"], DASHBOARD["psychological_safety_score"],
    DASHBOARD["interaction_rate"],
]


@dataclass(frozen=True)
class WarningRule:
    """An early warning: ``column``'s monthly median crosses ``threshold(month-0 value)``."""

    column: str
    title: str
    meaning: str
    rule: str
    unit: str
    threshold: Callable[[float], float]
    above: bool = True          # warn when the median goes above (True) or below the threshold
    decimals: int = 1

    def first_month(self, medians: pd.Series) -> int | None:
        """The first month (1..12) in which the rule holds, or None."""
        limit = self.threshold(float(medians.loc[0]))
        for month, value in medians.items():
            if month > 0 and (value > limit if self.above else value < limit):
                return int(month)
        return None


WARNINGS = [
    WarningRule("say_do_gap", "Saying without doing",
                "Leaders' words about customers run ahead of real budgets, incentives and "
                "action. Staff notice and grow cynical: the mark of 'CX theater' and of a "
                "leadership team that is not aligned.",
                "say-do gap above 20 (on its 0-100 scale)", "0-100", lambda start: 20.0),
    WarningRule("survey_response_rate", "Customers stop answering surveys",
                "Customers who see nothing done with their feedback stop giving it: the mark of "
                "measuring more without acting more ('survey obsession').",
                "response rate more than 5 percentage points below its month-0 level",
                "% of customers", lambda start: start - 5.0, above=False),
    WarningRule("load", "Workload above capacity",
                "More change at once than people can carry (for example a reorganisation, a new "
                "tool and cost cutting launched with the programme). Fatigue follows.",
                "weekly load above 100% of capacity (day job plus initiatives)",
                "% of capacity", lambda start: 100.0, decimals=0),
    WarningRule("change_fatigue", "Change fatigue building up",
                "People are tiring of change; they take part less and some leave.",
                "change fatigue more than 5 points above its month-0 level (0-100 scale)",
                "0-100", lambda start: start + 5.0),
    WarningRule("cynicism", "Cynicism rising",
                "Staff stop believing the programme; later initiatives land less well.",
                "cynicism more than 2 points above its month-0 level (0-100 scale)", "0-100",
                lambda start: start + 2.0),
    WarningRule("engagement", "Engagement falling",
                "People put in less discretionary effort; attrition follows.",
                "engagement more than 3 points below its month-0 level (0-100 scale)", "0-100",
                lambda start: start - 3.0, above=False),
    WarningRule("psychological_safety_score", "Fear of speaking up",
                "People feel less safe to raise customer problems (for example when messengers "
                "are blamed), so problems stay hidden.",
                "psychological safety more than 0.1 below its month-0 level (1-5 score)",
                "score 1-5", lambda start: start - 0.1, above=False, decimals=2),
    WarningRule("problems_silent", "Customer problems left unspoken",
                "Problems staff have met but nobody has raised: they hurt customers and nobody "
                "fixes them.",
                "silent problems more than 25% (and more than 2) above their month-0 number",
                "problems", lambda start: max(1.25 * start, start + 2.0)),
    WarningRule("top_performer_attrition_annualised", "Best people leaving",
                "Top performers, who have the most options, leave first when the culture sours.",
                "top performers' yearly leaving rate more than 2 percentage points above its "
                "month-0 level", "% per year", lambda start: start + 2.0),
]
KIND_NAMES = {
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
GROUPS = {"levers": "Lever", "anti_patterns": "Anti-pattern", "risks": "Risk",
          "organisation": "Organisation"}
GLOSSARY = [
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
]
NOT_CLAIMED = [
    ("It is not a forecast for our company.",
     "It shows what tends to happen, and why, in an organisation like the one modelled (about "
     "800 people and 400 business customers, set up to match one published case, TechOps Pro). "
     "Use it to compare options against each other, not to predict exact figures."),
    ("The size of each effect is plausible, not measured.",
     "A handful of settings were tuned so that the model reproduces the TechOps Pro case; every "
     "other setting is an informed assumption. Other settings could fit the case as well."),
    ("The ranges are narrower than the real uncertainty.",
     "They show only chance variation between simulated years, not the uncertainty in the "
     "model's assumptions."),
    ("Sales, pricing, competitors and the economy are not in the model.",
     "New customers arrive at a steady rate whatever the culture; contract values do not change."),
    ("Money spent is not in the model.",
     "There are no programme costs and no return on investment; revenue retained is the share "
     "of today's contract value still with us."),
    ("Leaders follow the plan as written.",
     "They do not react to the results during the year."),
    ("Culture scores are read from the simulated staff, not from a survey sample.",
     "The culture assessment score is a constructed measure, not a validated questionnaire."),
    ("The measured NPS comes from the customers who answer the survey.",
     "Satisfied customers answer more often, as in real surveys; it can differ from the view of "
     "all customers."),
    ("The comparison line drifts a little on its own.",
     "Even the organisation doing nothing changes slightly over the year in the model (it is "
     "held only near a steady state); compare the two options with each other rather than "
     "either with today's figures."),
    ("The often-quoted claim that '70% of change programmes fail' is not used.",
     "There is no valid evidence for it."),
]
SECTIONS = [
    ("headline", "1. The headline"),
    ("trajectories", "2. How the year unfolds"),
    ("dashboard", "3. The culture dashboard against its targets"),
    ("maturity", "4. Customer-experience maturity over the year"),
    ("warnings", "5. Early warnings"),
    ("assumptions", "6. What the scenario assumes"),
    ("limits", "7. What the model does not claim"),
    ("provenance", "8. Where these numbers come from"),
]


# -- input ---------------------------------------------------------------------------------------

def parse_formats(text: str | Sequence[str]) -> tuple[str, ...]:
    """'html,pdf' -> ('html', 'pdf'); an unknown or missing name is a ScenarioError."""
    items = text.split(",") if isinstance(text, str) else list(text)
    names = [item.strip().lower() for item in items if item.strip()]
    bad = [n for n in names if n not in FORMATS]
    if bad or not names:
        raise ScenarioError("--format", "format", ",".join(bad) if bad else str(text),
                            f"a comma-separated list of {', '.join(FORMATS)}")
    missing = [(n, module) for n, module in (("pdf", "weasyprint"), ("pptx", "pptx"))
               if n in names and not _importable(module)]
    if missing:
        name, module = missing[0]
        package = "python-pptx" if module == "pptx" else module
        raise ScenarioError("--format", "format", name,
                            f"needs the Python package {package} (pip install it) or leave "
                            "it out")
    return tuple(dict.fromkeys(names))


def _importable(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def label(scenario: Scenario) -> str:
    """A scenario's name as words: 'cx_theater' -> 'CX theater'."""
    return " ".join("CX" if word.lower() == "cx" else word for word in scenario.name.split("_"))


def title_case(text: str) -> str:
    return text[:1].upper() + text[1:]


def first_sentence(text: str) -> str:
    text = " ".join(text.split())
    return text.split(". ")[0].rstrip(".") + "." if text else ""


# -- analysis ------------------------------------------------------------------------------------

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
    warnings: list[dict[str, Any]]
    assumptions: dict[str, Any]
    provenance: dict[str, Any]
    charts: dict[str, bytes] = field(default_factory=dict)

    def data(self) -> dict[str, Any]:
        """The pack's numbers, as written to report.json."""
        return {
            "scenario": self.scenario.name, "against": self.against.name,
            "replicates": self.replicates, "month": self.month,
            "headline": self.headline, "dashboard": self.dashboard,
            "dashboard_counts": self.dashboard_counts, "amber_share": AMBER_SHARE,
            "maturity": self.maturity, "warnings": self.warnings,
            "assumptions": self.assumptions, "provenance": self.provenance,
        }


def status(value: float, target: float) -> str:
    """green: target met; amber: at least AMBER_SHARE of the target; red: below that."""
    if value >= target:
        return "green"
    if value >= AMBER_SHARE * target:
        return "amber"
    return "red"


def medians(monthly: pd.DataFrame, name: str, columns: Sequence[str]) -> pd.DataFrame:
    return monthly[monthly["scenario"] == name].groupby("month")[list(columns)].median()


def verdict(metric: Metric, low: float, high: float) -> str:
    """'better', 'worse' or 'unclear' from the 95% interval of the difference."""
    if low > 0 or high < 0:
        up = low > 0
        return "better" if up == metric.higher_is_better else "worse"
    return "unclear"


def interval_words(low: float, high: float, up: str, down: str, unit: str) -> str:
    """A 95% interval of a difference in words: '3.9 to 5.4 points fewer'."""
    if low >= 0:
        return f"{low:.1f} to {high:.1f} {unit} {up}"
    if high <= 0:
        return f"{-high:.1f} to {-low:.1f} {unit} {down}"
    return f"between {-low:.1f} {unit} {down} and {high:.1f} {unit} {up}"


def headline_numbers(result: Comparison, scenario: Scenario, against: Scenario) -> list[dict]:
    monthly, month = result.monthly, result.month
    diffs = result.differences.set_index(["scenario", "outcome"])
    s_name, b_name = label(scenario), label(against)
    rows = []
    for metric in HEADLINE:
        def values(name: str, at: int, column: str = metric.column) -> np.ndarray:
            sel = (monthly["scenario"] == name) & (monthly["month"] == at)
            return monthly.loc[sel, column].to_numpy(float)

        mine, base = values(scenario.name, month), values(against.name, month)
        start = values(scenario.name, 0)
        diff = diffs.loc[(scenario.name, metric.column)]
        d, low, high = float(diff["difference"]), float(diff["ci95_low"]), float(diff["ci95_high"])
        s, b = float(mine.mean()), float(base.mean())
        if metric.column == "churn_annualised":
            sentence = (f"By month {month}, customers are leaving at a rate of {s:.1f}% a year "
                        f"under {s_name}, against {b:.1f}% under {b_name}: "
                        f"{abs(d):.1f} percentage points {'fewer' if d < 0 else 'more'} "
                        f"customers lost a year.")
            words = interval_words(low, high, "more", "fewer", "points")
        elif metric.column == "nps_measured":
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
            "column": metric.column, "label": metric.label, "unit": metric.unit,
            "month": month, "start": round(float(start.mean()), 6),
            "scenario_mean": round(s, 6), "against_mean": round(b, 6),
            "scenario_p5": round(float(np.percentile(mine, 5)), 6),
            "scenario_p95": round(float(np.percentile(mine, 95)), 6),
            "against_p5": round(float(np.percentile(base, 5)), 6),
            "against_p95": round(float(np.percentile(base, 95)), 6),
            "difference": round(d, 6), "ci95_low": round(low, 6), "ci95_high": round(high, 6),
            "verdict": verdict(metric, low, high), "sentence": sentence,
            "interval_words": words,
        })
    return rows


def dashboard_rows(result: Comparison, scenario: Scenario, against: Scenario
                   ) -> tuple[list[dict], dict[str, dict[str, int]]]:
    columns = list(TARGETS)
    mine = medians(result.monthly, scenario.name, columns)
    base = medians(result.monthly, against.name, columns)
    rows = []
    for column, target in TARGETS.items():
        metric = DASHBOARD.get(column) or Metric(column, column.replace("_", " "), "")
        rows.append({
            "column": column, "label": metric.label, "unit": metric.unit,
            "decimals": metric.decimals, "target": target,
            "months": [round(float(v), 3) for v in mine[column]],
            "status": [status(float(v), target) for v in mine[column]],
            "against_last": round(float(base[column].iloc[-1]), 3),
            "against_last_status": status(float(base[column].iloc[-1]), target),
        })
    counts = {"scenario": dict(Counter(row["status"][-1] for row in rows)),
              "against": dict(Counter(row["against_last_status"] for row in rows))}
    return rows, counts


def maturity_summary(result: Comparison, scenario: Scenario, against: Scenario) -> dict:
    out: dict[str, Any] = {"levels": {k: {"name": LEVEL_NAMES[k], "looks_like": LEVELS[k][0],
                                          "rule": LEVELS[k][1]} for k in LEVELS}}
    for key, sc in (("scenario", scenario), ("against", against)):
        frame = result.monthly[result.monthly["scenario"] == sc.name]
        grouped = frame.groupby("month")["maturity_level"]
        median = grouped.quantile(0.5, interpolation="lower").astype(int)
        first = {}
        for level in range(int(median.iloc[0]) + 1, 6):
            reached = median[median >= level]
            first[level] = int(reached.index[0]) if len(reached) else None
        last = frame[frame["month"] == frame["month"].max()]["maturity_level"]
        out[key] = {
            "median": [int(v) for v in median],
            "low": [int(v) for v in grouped.quantile(0.05, interpolation="lower")],
            "high": [int(v) for v in grouped.quantile(0.95, interpolation="higher")],
            "first_month": first,
            "share_at_least": {level: round(float((last >= level).mean()) * 100, 1)
                               for level in range(1, 6)},
        }
    return out


def maturity_sentence(pack: Pack) -> str:
    def one(key: str, sc: Scenario) -> str:
        m = pack.maturity[key]
        start, end = m["median"][0], m["median"][-1]
        name = f"<b>{html.escape(label(sc))}</b>"
        if end == start:
            return (f"under {name} the organisation stays at level {start} "
                    f"({LEVEL_NAMES[start]}) all year")
        steps = ", ".join(f"level {lv} ({LEVEL_NAMES[lv]}) in month {mo}"
                          for lv, mo in m["first_month"].items() if mo is not None)
        return (f"under {name} the organisation moves from level {start} "
                f"({LEVEL_NAMES[start]}) to level "
                f"{end} ({LEVEL_NAMES[end]}), reaching {steps}")
    text = one("scenario", pack.scenario) + "; " + one("against", pack.against) + "."
    return text[0].upper() + text[1:]


def warning_rows(result: Comparison, scenario: Scenario, against: Scenario) -> list[dict]:
    columns = [w.column for w in WARNINGS]
    mine = medians(result.monthly, scenario.name, columns)
    base = medians(result.monthly, against.name, columns)
    rows = []
    for w in WARNINGS:
        first = w.first_month(mine[w.column])
        rows.append({
            "column": w.column, "title": w.title, "meaning": w.meaning, "rule": w.rule,
            "threshold": round(w.threshold(float(mine[w.column].iloc[0])), 3),
            "scenario_first_month": first,
            "scenario_value": (round(float(mine[w.column].loc[first]), 3) if first is not None
                               else None),
            "against_first_month": w.first_month(base[w.column]),
        })
    return rows


def _field_info(key: str) -> tuple[str, str]:
    """(description, unit) of a dotted parameter key, from the schema."""
    section, _, name = key.partition(".")
    try:
        info = Parameters.model_fields[section].annotation.model_fields[name]
    except (KeyError, AttributeError):
        return "", ""
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    return info.description or "", str(extra.get("unit", ""))


def month_of(week: int) -> int:
    """The month (1..) in which a week (1..) falls."""
    return max(1, math.ceil(week * 12 / 52))


def timeline_row(entry: dict[str, Any]) -> dict[str, Any]:
    first = month_of(entry["start_week"])
    last = month_of(entry["start_week"] + entry["duration_weeks"] - 1)
    strength = entry["intensity"]
    return {
        "what": KIND_NAMES.get(entry["kind"], entry["kind"].replace("_", " ")),
        "kind": entry["kind"],
        "months": f"month {first}" if first == last else f"months {first}-{last}",
        "weeks": f"weeks {entry['start_week']}-{entry['start_week'] + entry['duration_weeks'] - 1}",
        "strength": "full" if strength >= 1 else f"{strength:.0%} of full",
        "note": entry.get("note", ""),
    }


def assumptions(scenario: Scenario, against: Scenario) -> dict[str, Any]:
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
    try:
        return str(Path(path).resolve().relative_to(ROOT))
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
        "common_random_numbers": "replicate i of both scenarios uses seed base + i",
        "scenarios": records,
    }


def analyse(result: Comparison, scenario: Scenario, against: Scenario,
            command: list[str] | None = None) -> Pack:
    """The pack's numbers and words from a comparison of ``against`` (first) and ``scenario``."""
    dashboard, counts = dashboard_rows(result, scenario, against)
    return Pack(
        scenario=scenario, against=against, replicates=len(result.seeds), seeds=result.seeds,
        month=result.month, headline=headline_numbers(result, scenario, against),
        dashboard=dashboard, dashboard_counts=counts,
        maturity=maturity_summary(result, scenario, against),
        warnings=warning_rows(result, scenario, against),
        assumptions=assumptions(scenario, against),
        provenance=provenance_record(result, scenario, against, command),
    )


# -- charts --------------------------------------------------------------------------------------

def png(fig: plt.Figure, dpi: int = 150) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    plt.close(fig)
    return buffer.getvalue()


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) in pixels from a PNG's header."""
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def _month_axis(ax: plt.Axes, last: int) -> None:
    ax.set_xlim(0, last)
    ax.set_xticks(range(0, last + 1, 2 if last <= 12 else 3))
    ax.set_xlabel("Month (0 = start)")
    ax.grid(alpha=0.3)


def chart_headline(monthly: pd.DataFrame, pack: Pack) -> bytes:
    """Month-12 outcomes: each dot one simulated year; bar: the average."""
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.1))
    rng = np.random.default_rng(0)
    at = monthly[monthly["month"] == pack.month]
    names = [(pack.against, BASELINE_COLOUR, 0), (pack.scenario, SCENARIO_COLOUR, 1)]
    for ax, metric in zip(axes, HEADLINE, strict=True):
        for sc, colour, y in names:
            values = at.loc[at["scenario"] == sc.name, metric.column].to_numpy(float)
            jitter = y + rng.uniform(-0.13, 0.13, values.size)
            ax.scatter(values, jitter, s=16, color=colour, alpha=0.55, linewidth=0)
            mean = float(values.mean())
            ax.plot([mean, mean], [y - 0.3, y + 0.3], color=colour, linewidth=3)
            ax.annotate(f"{mean:.1f}", (mean, y + 0.32), ha="center", va="bottom", fontsize=9,
                        color=colour, fontweight="bold")
        ax.set_yticks([0, 1], [label(pack.against), label(pack.scenario)])
        ax.set_ylim(-0.5, 1.75)
        ax.set_xlabel(metric.unit)
        ax.set_title(metric.short, fontsize=10)
        ax.grid(alpha=0.3, axis="x")
    fig.suptitle(f"Month {pack.month}: each dot is one simulated year; the bar and number are "
                 "the average", fontsize=10)
    fig.tight_layout()
    return png(fig)


def _band(frame: pd.DataFrame, column: str, low: float, high: float) -> pd.DataFrame:
    grouped = frame.groupby("month")[column]
    return pd.DataFrame({"median": grouped.median(), "low": grouped.quantile(low),
                         "high": grouped.quantile(high)})


def chart_fans(monthly: pd.DataFrame, pack: Pack) -> bytes:
    """Fan charts, scenario against baseline: median, 50% and 90% of runs, targets dashed."""
    fig, axes = plt.subplots(2, 3, figsize=(13, 6.6))
    last = int(monthly["month"].max())
    for ax, metric in zip(axes.flat, FAN_PANELS, strict=True):
        for sc, colour in ((pack.against, BASELINE_COLOUR), (pack.scenario, SCENARIO_COLOUR)):
            frame = monthly[monthly["scenario"] == sc.name]
            outer = _band(frame, metric.column, 0.05, 0.95)
            inner = _band(frame, metric.column, 0.25, 0.75)
            ax.fill_between(outer.index, outer["low"], outer["high"], color=colour, alpha=0.13,
                            linewidth=0)
            ax.fill_between(inner.index, inner["low"], inner["high"], color=colour, alpha=0.28,
                            linewidth=0)
            ax.plot(outer.index, outer["median"], color=colour, linewidth=2.2)
        if metric.column in TARGETS:
            target = TARGETS[metric.column]
            ax.axhline(target, color=TARGET_COLOUR, linestyle="--", linewidth=1.4)
            ax.annotate(f"target {metric.fmt(target)}", (last, target), xytext=(-3, 3),
                        textcoords="offset points", ha="right", va="bottom", fontsize=8.5,
                        color=TARGET_COLOUR, fontweight="bold")
            low, high = ax.get_ylim()
            ax.set_ylim(min(low, target - 0.05 * abs(high - low)),
                        max(high, target + 0.08 * abs(high - low)))
        ax.set_title(metric.label, fontsize=10)
        ax.set_ylabel(metric.unit)
        _month_axis(ax, last)
    handles = [
        Line2D([], [], color=SCENARIO_COLOUR, linewidth=2.2, label=label(pack.scenario)),
        Line2D([], [], color=BASELINE_COLOUR, linewidth=2.2, label=label(pack.against)),
        Patch(color="#9aa7b8", alpha=0.6, label="middle 50% of simulated years"),
        Patch(color="#9aa7b8", alpha=0.25, label="90% of simulated years"),
        Line2D([], [], color=TARGET_COLOUR, linestyle="--", label="target"),
    ]
    fig.legend(handles=handles, loc="lower center", ncol=5, frameon=False, fontsize=10)
    fig.suptitle("Lines: the typical (median) simulated year; shaded: where most simulated "
                 "years fall", fontsize=11)
    fig.tight_layout(rect=(0, 0.05, 1, 0.97))
    return png(fig)


def chart_dashboard(pack: Pack) -> bytes:
    """The red/amber/green dashboard as a picture (for the slides)."""
    rows = pack.dashboard
    months = len(rows[0]["months"])
    fig, ax = plt.subplots(figsize=(13, 6.0))
    label_w, target_w, cell_w, base_w = 6.2, 1.1, 0.72, 1.4
    width = label_w + target_w + months * cell_w + base_w
    ax.set_xlim(0, width)
    ax.set_ylim(len(rows) + 1.2, 0)
    ax.axis("off")
    y0 = 0.6
    ax.text(label_w - 0.1, y0, "metric (unit)", ha="right", va="center", fontsize=9,
            fontweight="bold")
    ax.text(label_w + target_w / 2, y0, "target", ha="center", va="center", fontsize=9,
            fontweight="bold")
    for m in range(months):
        ax.text(label_w + target_w + (m + 0.5) * cell_w, y0, f"{m}", ha="center", va="center",
                fontsize=9, fontweight="bold")
    ax.text(label_w + target_w + months * cell_w / 2, y0 - 0.45,
            f"month ({label(pack.scenario)}, median of runs)", ha="center", va="center",
            fontsize=9)
    ax.text(width - base_w / 2, y0, f"{label(pack.against)}\nmonth {months - 1}", ha="center",
            va="center", fontsize=8)
    for i, row in enumerate(rows):
        y = i + 1.2
        ax.text(label_w - 0.1, y + 0.5, f"{row['label']} ({row['unit']})", ha="right",
                va="center", fontsize=8.5)
        ax.text(label_w + target_w / 2, y + 0.5, f"{row['target']:g}", ha="center", va="center",
                fontsize=8.5)
        cells = [*zip(row["months"], row["status"], strict=True),
                 (row["against_last"], row["against_last_status"])]
        for j, (value, state) in enumerate(cells):
            x = label_w + target_w + j * cell_w + (0.15 if j == months else 0)
            w = base_w - 0.3 if j == months else cell_w
            ax.add_patch(Rectangle((x, y), w, 1, facecolor=RAG[state], edgecolor="white",
                                   linewidth=1.2))
            ax.text(x + w / 2, y + 0.5, f"{value:.{row['decimals']}f}", ha="center",
                    va="center", fontsize=8)
    handles = [Patch(color=RAG[k], label=RAG_WORD[k]) for k in ("green", "amber", "red")]
    ax.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, -0.06), ncol=3,
              frameon=False, fontsize=9)
    fig.tight_layout()
    return png(fig)


def chart_maturity(monthly: pd.DataFrame, pack: Pack) -> bytes:
    fig, ax = plt.subplots(figsize=(12, 3.4))
    months = np.arange(len(pack.maturity["scenario"]["median"]))
    for key, sc, colour, offset in (("against", pack.against, BASELINE_COLOUR, -0.04),
                                    ("scenario", pack.scenario, SCENARIO_COLOUR, 0.04)):
        m = pack.maturity[key]
        ax.fill_between(months, np.array(m["low"]) - 0.2, np.array(m["high"]) + 0.2,
                        step="mid", color=colour, alpha=0.12, linewidth=0)
        ax.plot(months, np.array(m["median"]) + offset, drawstyle="steps-mid", color=colour,
                linewidth=2.6, marker="o", markersize=4, label=f"{label(sc)} (typical year)")
    ax.set_yticks(range(1, 6), [f"{k} {v}" for k, v in LEVEL_NAMES.items()])
    ax.set_ylim(0.6, 5.4)
    ax.set_ylabel("maturity level (1-5)")
    _month_axis(ax, int(months[-1]))
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(handles[::-1], labels[::-1], loc="upper left", frameon=False, fontsize=9)
    ax.set_title("Maturity level, month by month; shaded: 90% of simulated years", fontsize=10)
    fig.tight_layout()
    return png(fig)


def chart_warnings(monthly: pd.DataFrame, pack: Pack) -> bytes:
    fig, axes = plt.subplots(3, 3, figsize=(13, 7.2))
    last = int(monthly["month"].max())
    for ax, rule, row in zip(axes.flat, WARNINGS, pack.warnings, strict=True):
        for sc, colour in ((pack.against, BASELINE_COLOUR), (pack.scenario, SCENARIO_COLOUR)):
            series = monthly[monthly["scenario"] == sc.name].groupby("month")[rule.column]
            series = series.median()
            ax.plot(series.index, series.to_numpy(), color=colour, linewidth=2)
        ax.axhline(row["threshold"], color=WARNING_COLOUR, linestyle=":", linewidth=1.4)
        first = row["scenario_first_month"]
        if first is not None:
            ax.plot([first], [row["scenario_value"]], marker="o", markersize=9,
                    markerfacecolor="none", markeredgecolor=WARNING_COLOUR, markeredgewidth=2)
            ax.annotate(f"month {first}", (first, row["scenario_value"]), xytext=(6, 4),
                        textcoords="offset points", fontsize=8.5, color=WARNING_COLOUR,
                        fontweight="bold")
        ax.set_title(rule.title, fontsize=10,
                     color=WARNING_COLOUR if first is not None else "black")
        ax.set_ylabel(rule.unit)
        _month_axis(ax, last)
    handles = [
        Line2D([], [], color=SCENARIO_COLOUR, linewidth=2, label=label(pack.scenario)),
        Line2D([], [], color=BASELINE_COLOUR, linewidth=2, label=label(pack.against)),
        Line2D([], [], color=WARNING_COLOUR, linestyle=":", label="warning line"),
        Line2D([], [], marker="o", linestyle="", markerfacecolor="none",
               markeredgecolor=WARNING_COLOUR, markeredgewidth=2,
               label=f"first month over the line ({label(pack.scenario)})"),
    ]
    fig.legend(handles=handles, loc="lower center", ncol=4, frameon=False, fontsize=10)
    fig.suptitle("Leading indicators, typical (median) simulated year", fontsize=11)
    fig.tight_layout(rect=(0, 0.05, 1, 0.97))
    return png(fig)


def draw_charts(monthly: pd.DataFrame, pack: Pack, formats: Sequence[str],
                tick: Callable[[str], None] = lambda step: None) -> None:
    charts = {
        "headline": lambda: chart_headline(monthly, pack),
        "trajectories": lambda: chart_fans(monthly, pack),
        "maturity": lambda: chart_maturity(monthly, pack),
        "warnings": lambda: chart_warnings(monthly, pack),
    }
    if "pptx" in formats:
        charts["dashboard"] = lambda: chart_dashboard(pack)
    for name, draw in charts.items():
        tick(f"chart: {name}")
        pack.charts[name] = draw()


# -- HTML ----------------------------------------------------------------------------------------

CSS = """
@page { size: A4 landscape; margin: 11mm 13mm 13mm 13mm;
  @bottom-left { content: string(packtitle); font-size: 7.5pt; color: #666;
                 font-family: "DejaVu Sans", Arial, sans-serif; }
  @bottom-right { content: "page " counter(page) " of " counter(pages); font-size: 7.5pt;
                  color: #666; font-family: "DejaVu Sans", Arial, sans-serif; } }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color: #1d1d1d;
       font-size: 9.6pt; line-height: 1.38; margin: 0; }
@media screen { body { max-width: 1180px; margin: 0 auto; padding: 24px; font-size: 15px; }
                section { border-top: 2px solid #d0d7e2; padding-top: 10px; margin-top: 28px; } }
h1 { font-size: 19pt; margin: 0 0 2px 0; color: #12335f; string-set: packtitle content(); }
h2 { font-size: 15pt; margin: 0 0 6px 0; color: #12335f; }
h3 { font-size: 11pt; margin: 10px 0 4px 0; color: #12335f; }
p { margin: 4px 0 6px 0; }
section { page-break-before: always; }
section#headline { page-break-before: avoid; }
table.small td { padding: 1px 5px; }
.lead { font-size: 11pt; }
.muted { color: #555; }
.small { font-size: 8.3pt; }
img.chart { width: 100%; display: block; margin: 4px 0; }
img.half { width: 66%; }
table { border-collapse: collapse; width: 100%; margin: 4px 0 8px 0; }
th, td { text-align: left; vertical-align: top; padding: 3px 5px;
         border-bottom: 1px solid #dde3ea; }
th { background: #eef2f7; font-weight: bold; }
table.cards td { width: 33.3%; border: none; padding: 0 6px 0 0; }
.card { border: 1px solid #c9d3e0; border-radius: 6px; padding: 7px 10px; min-height: 52mm; }
.card .what { font-weight: bold; color: #12335f; font-size: 10pt; }
.card .big { font-size: 20pt; font-weight: bold; color: #1f5aa6; margin: 2px 0 0 0; }
.card .vs { font-size: 9pt; color: #555; }
.chip { display: inline-block; border-radius: 9px; padding: 1px 8px; font-size: 8.5pt;
        font-weight: bold; }
.better { background: #c8e6c9; color: #1b5e20; } .worse { background: #ffcdd2; color: #b71c1c; }
.unclear { background: #e0e0e0; color: #333; }
table.rag { font-size: 8.2pt; }
table.rag td, table.rag th { text-align: center; padding: 3px 2px; border: 1px solid #fff; }
table.rag td.name, table.rag th.name { text-align: left; padding-left: 4px; }
td.green { background: #a5d6a7; } td.amber { background: #ffe082; } td.red { background: #ef9a9a; }
td.gap { background: #fff; width: 6px; border: none; }
.legend span { display: inline-block; padding: 1px 8px; margin-right: 8px; border-radius: 3px; }
table.warn td.seen { color: #b71c1c; font-weight: bold; white-space: nowrap; }
table.warn td.none { color: #2e7d32; white-space: nowrap; }
ul.limits li { margin-bottom: 4px; }
.box { background: #f4f6f9; border-left: 4px solid #1f5aa6; padding: 6px 10px; margin: 6px 0; }
code { font-family: "DejaVu Sans Mono", monospace; font-size: 8.5pt; }
table.prov td { font-size: 8.5pt; word-break: break-all; }
"""


def esc(text: Any) -> str:
    return html.escape(str(text))


def img(data: bytes, alt: str, css: str = "chart") -> str:
    encoded = base64.b64encode(data).decode("ascii")
    return f'<img class="{css}" alt="{esc(alt)}" src="data:image/png;base64,{encoded}">'


def headline_html(pack: Pack) -> str:
    s, b = esc(label(pack.scenario)), esc(label(pack.against))
    cards = []
    for row, metric in zip(pack.headline, HEADLINE, strict=True):
        chip = {"better": "better", "worse": "worse", "unclear": "no clear difference"}
        cards.append(
            f'<td><div class="card"><div class="what">{esc(row["label"])}</div>'
            f'<div class="big">{metric.fmt(row["scenario_mean"])}'
            f'<span class="small"> {esc(row["unit"])}</span></div>'
            f'<div class="vs">under {s}, month {row["month"]}; {b}: '
            f'{metric.fmt(row["against_mean"])}; today: {metric.fmt(row["start"])} '
            f'<span class="chip {row["verdict"]}">{chip[row["verdict"]]}</span></div>'
            f'<p>{esc(row["sentence"])}</p>'
            f'<p class="small muted">Likely size of the difference: {esc(row["interval_words"])}'
            f' (95% confidence). Simulated years range from {metric.fmt(row["scenario_p5"])} to '
            f'{metric.fmt(row["scenario_p95"])} under {s} and from '
            f'{metric.fmt(row["against_p5"])} to {metric.fmt(row["against_p95"])} under {b} '
            f'(90% of runs).</p></div></td>')
    return f"""
<h1>{esc(title_case(label(pack.scenario)))} against {esc(label(pack.against))}: what the
simulation says</h1>
<p class="lead">A simulation of customer-experience (CX) culture change over
{pack.month} months, run {pack.replicates} times for each option with the same chance events, so
that the two differ only by what the scenario changes.</p>
<p><b>{s}</b>: {esc(first_sentence(pack.scenario.description))}<br>
<b>{b}</b> (what we compare with): {esc(first_sentence(pack.against.description))}</p>
<table class="cards"><tr>{''.join(cards)}</tr></table>
{img(pack.charts['headline'], 'month-12 outcomes of every simulated year')}
<p class="small muted">Net Promoter Score (NPS): the percentage of customers who would recommend
us minus the percentage who would not (-100 to +100). Churn: the share of customers who leave in
a year, at the rate reached by month {pack.month}. "95% confidence": the range in which the
average difference lies, given the {pack.replicates} paired simulated years. Both options start
from the same organisation; compare them with each other rather than with today's figures.</p>
"""


def trajectories_html(pack: Pack) -> str:
    churn = pack.headline[0]
    return f"""
<h2>{SECTIONS[1][1]}</h2>
<p>Each panel follows one measure month by month under <b>{esc(label(pack.scenario))}</b>
(blue) and <b>{esc(label(pack.against))}</b> (grey). The line is the typical simulated year
(the median); the darker band holds the middle half of the simulated years and the lighter band
nine in ten. Green dashed lines are the targets of the "Metrics That Matter" table. Culture
measures move first; churn follows as contracts come up for renewal.</p>
{img(pack.charts['trajectories'], 'fan charts of churn, NPS, revenue retained and culture')}
<p class="small muted">Today's churn is {churn['start']:.1f}% a year. Revenue retained counts
only today's customers: it falls in both options as some of them leave, and new customers are not
counted.</p>
"""


def dashboard_html(pack: Pack) -> str:
    rows = pack.dashboard
    months = len(rows[0]["months"])
    head = "".join(f"<th>{m}</th>" for m in range(months))
    body = []
    for row in rows:
        d = row["decimals"]
        cells = "".join(f'<td class="{st}">{v:.{d}f}</td>'
                        for v, st in zip(row["months"], row["status"], strict=True))
        body.append(
            f'<tr><td class="name">{esc(row["label"])} <span class="muted">({esc(row["unit"])})'
            f'</span></td><td>{row["target"]:g}</td>{cells}<td class="gap"></td>'
            f'<td class="{row["against_last_status"]}">{row["against_last"]:.{d}f}</td></tr>')
    c, a = pack.dashboard_counts["scenario"], pack.dashboard_counts["against"]
    n = len(rows)
    return f"""
<h2>{SECTIONS[2][1]}</h2>
<p>The {n} culture measures of the "Metrics That Matter" table, with its targets, from the
practitioner chapter the model is built from ("Building a CX-First Culture", section 8), month by
month under
<b>{esc(label(pack.scenario))}</b> (typical simulated year), with
<b>{esc(label(pack.against))}</b> at month {months - 1} on the right for comparison. By month
{months - 1}, <b>{c.get('green', 0)} of {n}</b> targets are met under {esc(label(pack.scenario))}
({c.get('amber', 0)} close, {c.get('red', 0)} short), against {a.get('green', 0)} under
{esc(label(pack.against))} ({a.get('amber', 0)} close, {a.get('red', 0)} short).</p>
<table class="rag"><tr><th class="name">Measure (unit)</th><th>Target</th>
<th colspan="{months}">Month: {esc(label(pack.scenario))}</th><th class="gap"></th>
<th>{esc(label(pack.against))}</th></tr>
<tr><th class="name"></th><th></th>{head}<th class="gap"></th><th>{months - 1}</th></tr>
{''.join(body)}</table>
<p class="legend"><span style="background:{RAG['green']}">green: target met</span>
<span style="background:{RAG['amber']}">amber: at least {AMBER_SHARE:.0%} of the target, not
yet met</span><span style="background:{RAG['red']}">red: below {AMBER_SHARE:.0%} of the
target</span></p>
<p class="small muted">The rule: a measure is green when its typical (median) simulated value
reaches the target; amber when it reaches {AMBER_SHARE:.0%} of the target (for example 3.2 or
more for a score whose target is 4.0; 32 or more for the eNPS target of 40); red otherwise. For
every measure, higher is better. eNPS: employee Net Promoter Score, the share of employees who
would recommend the company for its customer culture minus the share who would not. Some measures
follow directly from what leaders decide (leaders' time, evidence in decisions, recognition,
no-blame reviews); the others are how the staff respond.</p>
"""


def maturity_html(pack: Pack) -> str:
    rows = []
    first_s = pack.maturity["scenario"]["first_month"]
    first_b = pack.maturity["against"]["first_month"]
    share = pack.maturity["scenario"]["share_at_least"]

    def when(first: dict, level: int, start: int) -> str:
        if level <= start:
            return "from the start"
        return f"month {first[level]}" if first.get(level) is not None else "not reached"
    start_s = pack.maturity["scenario"]["median"][0]
    start_b = pack.maturity["against"]["median"][0]
    for level, info in pack.maturity["levels"].items():
        rows.append(
            f"<tr><td><b>{level} {esc(info['name'])}</b></td><td>{esc(info['looks_like'])}</td>"
            f"<td class='small'>{esc(info['rule'])}</td>"
            f"<td>{when(first_s, level, start_s)}</td><td>{when(first_b, level, start_b)}</td>"
            f"<td>{share[level]:.0f}%</td></tr>")
    s, b = esc(label(pack.scenario)), esc(label(pack.against))
    return f"""
<h2>{SECTIONS[3][1]}</h2>
<p>{maturity_sentence(pack)}</p>
{img(pack.charts['maturity'], 'maturity level month by month')}
<table class="small"><tr><th>Level</th><th>What it looks like (source chapter)</th>
<th>How the model decides it</th><th>Typical year reaches it: {s}</th><th>{b}</th>
<th>Simulated years at or above it by month {pack.month}: {s}</th></tr>{''.join(rows)}</table>
"""


def warnings_html(pack: Pack) -> str:
    s, b = esc(label(pack.scenario)), esc(label(pack.against))
    seen = [w for w in pack.warnings if w["scenario_first_month"] is not None]
    if seen:
        summary = (f"{len(seen)} of {len(pack.warnings)} warning signs appear under {s}: "
                   + "; ".join(f"{esc(w['title']).lower()} from month {w['scenario_first_month']}"
                               for w in seen) + ".")
    else:
        summary = f"None of the {len(pack.warnings)} warning signs appears under {s}."
    rows = []
    for w in pack.warnings:
        def cell(month: int | None) -> str:
            return (f'<td class="seen">month {month}</td>' if month is not None
                    else '<td class="none">not seen</td>')
        rows.append(f"<tr><td><b>{esc(w['title'])}</b></td><td>{esc(w['meaning'])}</td>"
                    f"<td class='small'>{esc(w['rule'])}</td>{cell(w['scenario_first_month'])}"
                    f"{cell(w['against_first_month'])}</tr>")
    return f"""
<h2>{SECTIONS[4][1]}</h2>
<p>Culture problems show in a few leading measures months before customers leave. Each row is a
warning sign of a known anti-pattern (a common way such programmes go wrong), the rule that
raises it, and the first month the typical (median) simulated year breaks the rule.
<b>{summary}</b></p>
<table class="warn"><tr><th>Warning sign</th><th>What it means</th><th>Rule (month-0 level =
this option's own starting point)</th><th>First seen: {s}</th><th>{b}</th></tr>
{''.join(rows)}</table>
<h3>The leading measures month by month</h3>
<p>Blue: {s}; grey: {b}; the dotted red line is each warning line, drawn from {s}'s own
starting point; a red circle marks the first month over the line.</p>
{img(pack.charts['warnings'], 'leading indicators with warning lines')}
<p class="small muted">The rules catch the anti-patterns that move these measures; others (for
example a central CX team that the rest of the organisation leaves the work to) show mainly as
slower progress on the dashboard. A warning under {b} too means the problem exists without the
scenario's changes.</p>
"""


def _value(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else esc(value)


def assumptions_html(pack: Pack) -> str:
    a = pack.assumptions
    s, b = esc(label(pack.scenario)), esc(label(pack.against))
    settings = "".join(
        f"<tr><td>{esc(x['group'])}: <b>{esc(x['name'])}</b></td><td>{esc(x['description'])}</td>"
        f"<td>{_value(x['against'])} &rarr; <b>{_value(x['scenario'])}</b> "
        f"<span class='muted'>({esc(x['unit'])})</span></td></tr>" for x in a["settings"])
    settings_html = (f"<table><tr><th>Setting</th><th>What it means</th><th>{b} &rarr; {s}"
                     f"</th></tr>{settings}</table>" if settings else
                     "<p>No lever, anti-pattern or risk setting differs.</p>")

    def timeline(entries: list[dict]) -> str:
        body = "".join(f"<tr><td>{esc(e['what'])}</td><td>{esc(e['months'])}</td>"
                       f"<td>{esc(e['strength'])}</td><td>{esc(e['note'])}</td></tr>"
                       for e in entries)
        return ("<table class='small'><tr><th>Initiative or change</th><th>When</th>"
                f"<th>Strength</th><th>What it stands for</th></tr>{body}</table>")
    added = (f"<h3>Initiatives and changes added ({len(a['timeline_added'])})</h3>"
             + timeline(a["timeline_added"])) if a["timeline_added"] else ""
    removed = (f"<h3>Initiatives and changes of {b} left out</h3>"
               + timeline(a["timeline_removed"])) if a["timeline_removed"] else ""
    if not added and not removed:
        added = "<p>The plan of initiatives is the same in both.</p>"
    return f"""
<h2>{SECTIONS[5][1]}</h2>
<div class="box"><b>{s}</b>: {esc(a['description'])}<br>
<span class="muted small">Source: {esc(a['source'])}</span></div>
<p><b>{b}</b>: {esc(a['against_description'])} <span class="muted small">Source:
{esc(a['against_source'])}</span></p>
<p>Both simulate the same organisation: {esc(a['organisation'])}. They differ only in the
following.</p>
<h3>Levers, anti-patterns and risks</h3>
{settings_html}
{added}{removed}
<p class="small muted">"001" in a source is the practitioner chapter the model is built from
("Building a CX-First Culture"); § numbers are its sections. Abbreviations are explained at the
end of the pack.</p>
"""


def limits_html(pack: Pack) -> str:
    items = "".join(f"<li><b>{esc(head)}</b> {esc(text)}</li>" for head, text in NOT_CLAIMED)
    return f"""
<h2>{SECTIONS[6][1]}</h2>
<p>Read the figures in this pack as a comparison of options in a model, not as a promise.</p>
<ul class="limits">{items}</ul>
<p class="small muted">The full technical statement is in the model's documentation
(docs/validation.md and docs/ODD.md, section 8).</p>
<h3>Abbreviations used in this pack</h3>
<p class="small">{"; ".join(f"<b>{esc(k)}</b>: {esc(v)}" for k, v in GLOSSARY)}.</p>
"""


def provenance_html(pack: Pack) -> str:
    p = pack.provenance
    seeds = p["seeds"]
    seed_text = (f"{seeds[0]} to {seeds[-1]}" if len(seeds) > 1 else str(seeds[0]))
    rows = [
        ("Command", " ".join(p["command"]) or "(called from Python)"),
        ("Simulated years per option", f"{pack.replicates}, seeds {seed_text}; "
                                      f"{p['common_random_numbers']}"),
        ("Software", f"cxsim {p['cxsim_version']}, Mesa {p['mesa_version']}, "
                     f"Python {p['python_version']}, NumPy {p['numpy_version']}"),
    ]
    for name, record in p["scenarios"].items():
        overrides = ", ".join(f"{k} = {v}" for k, v in record["overrides"].items()) or "none"
        rows.append((f"Scenario {name}",
                     f"files: {', '.join(record['files'])}; overrides: {overrides}; parameters "
                     f"fingerprint (SHA-256, first 16 hex digits): {record['parameters_sha256']}"))
    body = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in rows)
    return f"""
<h2>{SECTIONS[7][1]}</h2>
<p>Everything needed to reproduce this pack exactly: the same command on the same version gives
the same numbers. All parameter values are in report.json beside this file.</p>
<table class="prov">{body}</table>
"""


def render_html(pack: Pack) -> str:
    parts = [headline_html(pack), trajectories_html(pack), dashboard_html(pack),
             maturity_html(pack), warnings_html(pack), assumptions_html(pack), limits_html(pack),
             provenance_html(pack)]
    sections = "\n".join(f'<section id="{key}">{part}</section>'
                         for (key, _), part in zip(SECTIONS, parts, strict=True))
    title = f"Board pack: {title_case(label(pack.scenario))} against {label(pack.against)}"
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n{sections}\n"
            f"</body>\n</html>\n")


def render_pdf(document: str) -> bytes:
    for name in ("weasyprint", "fontTools"):
        logging.getLogger(name).setLevel(logging.ERROR)
    from weasyprint import HTML

    return HTML(string=document).write_pdf()


# -- PowerPoint ----------------------------------------------------------------------------------

def _notes(pack: Pack) -> dict[str, str]:
    s, b = label(pack.scenario), label(pack.against)
    c = pack.dashboard_counts["scenario"]
    seen = [w for w in pack.warnings if w["scenario_first_month"] is not None]
    strip = html.unescape
    return {
        "headline": " ".join(r["sentence"] + " Likely size of the difference: "
                             + r["interval_words"] + " (95% confidence)." for r in pack.headline)
        + f" Each option was simulated {pack.replicates} times with the same chance events; the "
        "dots on the chart are the individual simulated years. Net Promoter Score is the "
        "percentage of customers who would recommend us minus the percentage who would not.",
        "trajectories": f"Blue is {s}, grey is {b}. The line is the typical simulated year; the "
        "bands show where the middle half and nine in ten of the simulated years fall. Culture "
        "measures move within months; churn follows as contracts come up for renewal. The green "
        "dashed lines are the culture targets from the Metrics That Matter table.",
        "dashboard": f"The twelve culture measures with their targets, month by month under {s}. "
        f"Green: target met; amber: at least {AMBER_SHARE:.0%} of the target; red: below that. "
        f"By month {pack.month}, {c.get('green', 0)} of {len(pack.dashboard)} targets are met. "
        f"The last column shows {b} at month {pack.month} for comparison.",
        "maturity": strip(maturity_sentence(pack).replace("<b>", "").replace("</b>", ""))
        + " The levels follow the five-level maturity model of the source chapter; the model "
        "decides the level from the dashboard measures, as listed on the slide.",
        "warnings": (f"{len(seen)} warning signs appear under {s}: "
                     + "; ".join(f"{w['title'].lower()} from month {w['scenario_first_month']} "
                                 f"({w['rule']})" for w in seen) + "."
                     if seen else f"None of the warning signs appears under {s}.")
        + " The rules are applied to the typical (median) simulated year, each against the "
        "option's own starting level: " + "; ".join(f"{w['title']}: {w['rule']}"
                                                    for w in pack.warnings)
        + ". Each sign is typical of an anti-pattern: saying without doing (CX theater), surveys "
        "without action, too much change at once, a blame culture.",
        "assumptions": f"{s}: {pack.scenario.description} Compared with {b}: "
        f"{pack.against.description} Both simulate the same organisation; the slide lists what "
        "differs.",
        "limits": " ".join(f"{head} {text}" for head, text in NOT_CLAIMED),
        "provenance": "The command, seeds, scenario files, parameter fingerprints and software "
        "versions that reproduce this pack exactly. All parameter values are in report.json.",
    }


def render_pptx(pack: Pack) -> bytes:
    from pptx import Presentation
    from pptx.dml.color import RGBColor
    from pptx.util import Emu, Inches, Pt

    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    layout = prs.slide_layouts[5]         # title only
    notes = _notes(pack)
    navy, blue = RGBColor(0x12, 0x33, 0x5F), RGBColor(0x1F, 0x5A, 0xA6)

    def slide(key: str, title: str, subtitle: str = ""):
        new = prs.slides.add_slide(layout)
        heading = new.shapes.title
        heading.left, heading.top = Inches(0.4), Inches(0.25)
        heading.width, heading.height = Inches(12.5), Inches(0.7)
        heading.text = title
        para = heading.text_frame.paragraphs[0]
        para.font.size, para.font.bold, para.font.color.rgb = Pt(26), True, navy
        para.alignment = 1
        if subtitle:
            text(new, subtitle, 0.4, 0.95, 12.5, 0.75, 13)
        new.notes_slide.notes_text_frame.text = notes[key]
        return new

    def text(target, body: str | list[str | tuple[str, str]], left: float, top: float,
             width: float, height: float, size: float = 12, bold: bool = False, colour=None,
             space: float = 0):
        """A text box; a (head, rest) item is a paragraph with a bold head."""
        box = target.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
        frame = box.text_frame
        frame.word_wrap = True
        lines = body if isinstance(body, list) else [body]
        for i, line in enumerate(lines):
            para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
            parts = [(line[0], True), (" " + line[1], bold)] if isinstance(line, tuple) else [
                (line, bold)]
            for words, strong in parts:
                run = para.add_run()
                run.text = words
                run.font.size, run.font.bold = Pt(size), strong
                if colour is not None:
                    run.font.color.rgb = colour
            if space:
                para.space_after = Pt(space)
        return box

    def picture(target, data: bytes, left: float, top: float, width: float, height: float):
        w, h = png_size(data)
        scale = min(width / w, height / h)
        pw, ph = w * scale, h * scale
        return target.shapes.add_picture(io.BytesIO(data), Inches(left + (width - pw) / 2),
                                         Inches(top), Emu(int(Inches(pw))), Emu(int(Inches(ph))))

    def table(target, rows: list[list[str]], left: float, top: float, widths: list[float],
              size: float = 10, row_height: float = 0.3) -> float:
        """A table; returns its height in inches."""
        shape = target.shapes.add_table(len(rows), len(rows[0]), Inches(left), Inches(top),
                                        Inches(sum(widths)), Inches(row_height * len(rows)))
        grid = shape.table
        for j, w in enumerate(widths):
            grid.columns[j].width = Inches(w)
        for i, row in enumerate(rows):
            grid.rows[i].height = Inches(row_height)
            for j, value in enumerate(row):
                cell = grid.cell(i, j)
                cell.text = value
                cell.margin_top = cell.margin_bottom = Inches(0.01)
                for para in cell.text_frame.paragraphs:
                    para.font.size = Pt(size)
                    para.font.bold = i == 0
        return row_height * len(rows)

    s, b = label(pack.scenario), label(pack.against)
    # 1 headline
    one = slide("headline", f"{title_case(s)} against {b}: the headline",
                f"Month-{pack.month} outcomes of {pack.replicates} simulated years of each option "
                "(same chance events). Net Promoter Score (NPS): % of customers who would "
                "recommend us minus % who would not (-100 to +100).")
    for i, (row, metric) in enumerate(zip(pack.headline, HEADLINE, strict=True)):
        left = 0.4 + i * 4.25
        text(one, metric.short, left, 1.7, 4.0, 0.35, 14, True, navy)
        text(one, f"{metric.fmt(row['scenario_mean'])}  vs  {metric.fmt(row['against_mean'])}",
             left, 2.05, 4.0, 0.5, 24, True, blue)
        text(one, f"{row['unit']}: {s} vs {b}, month {row['month']}", left, 2.55, 4.0, 0.45,
             10, colour=RGBColor(0x55, 0x55, 0x55))
        text(one, [row["sentence"], f"Likely difference: {row['interval_words']} (95% "
                   "confidence)."], left, 3.0, 4.0, 1.5, 11, space=3)
    picture(one, pack.charts["headline"], 0.4, 4.6, 12.5, 2.8)
    # 2 trajectories
    two = slide("trajectories", SECTIONS[1][1][3:],
                f"Blue: {s}; grey: {b}. Line: typical simulated year; bands: middle 50% and 90% "
                "of simulated years; green dashed: target.")
    picture(two, pack.charts["trajectories"], 0.4, 1.6, 12.5, 5.8)
    # 3 dashboard
    c = pack.dashboard_counts["scenario"]
    three = slide("dashboard", "The culture dashboard against its targets",
                  f"The 'Metrics That Matter' of the source chapter, typical year under {s}. By "
                  f"month {pack.month}: {c.get('green', 0)} of {len(pack.dashboard)} targets "
                  f"met. Green: met; amber: at least {AMBER_SHARE:.0%} of the target; red: "
                  "below that.")
    picture(three, pack.charts["dashboard"], 0.4, 1.6, 12.5, 5.8)
    # 4 maturity
    four = slide("maturity", "Customer-experience maturity over the year",
                 html.unescape(maturity_sentence(pack).replace("<b>", "").replace("</b>", "")))
    picture(four, pack.charts["maturity"], 0.4, 1.65, 12.5, 3.6)
    first_s = pack.maturity["scenario"]["first_month"]
    rows = [["Level", "How the model decides it", f"Typical year reaches it: {s}"]]
    for level in LEVELS:
        month = first_s.get(level)
        reached = ("from the start" if level <= pack.maturity["scenario"]["median"][0]
                   else f"month {month}" if month is not None else "not reached")
        rows.append([f"{level} {LEVEL_NAMES[level]}", LEVELS[level][1], reached])
    table(four, rows, 0.4, 5.3, [2.0, 8.4, 2.1], 9, 0.33)
    # 5 warnings
    seen = [w for w in pack.warnings if w["scenario_first_month"] is not None]
    five = slide("warnings", "Early warnings in the leading measures",
                 (f"{len(seen)} of {len(pack.warnings)} warning signs appear" if seen else
                  f"None of the {len(pack.warnings)} warning signs appears")
                 + f" under {s} (typical simulated year); a circle marks the first month over "
                 "the warning line.")
    picture(five, pack.charts["warnings"], 0.3, 1.6, 8.6, 5.8)
    lines: list[str | tuple[str, str]] = [
        (f"{w['title']}: " + (f"month {w['scenario_first_month']}." if w["scenario_first_month"]
                              is not None else "not seen."), f"Rule: {w['rule']}.")
        for w in pack.warnings]
    text(five, lines, 9.0, 1.65, 4.1, 5.7, 10, space=4)
    # 6 assumptions
    a = pack.assumptions
    six = slide("assumptions", "What the scenario assumes", f"{s}: {a['description']}")
    rows = [["Setting", f"{b} → {s}"]] + [
        [f"{x['group']}: {x['name']}", f"{_value(x['against'])} → {_value(x['scenario'])}"]
        for x in a["settings"]]
    top = 1.95
    if len(rows) > 1:
        top += table(six, rows, 0.4, top, [6.25, 6.25], 11, 0.3) + 0.15
    entries = a["timeline_added"] + a["timeline_removed"]
    if entries:
        heading = ("Initiatives and changes added" if a["timeline_added"] else
                   f"Initiatives of {b} left out")
        text(six, heading, 0.4, top, 12.5, 0.35, 12, True, navy)
        height = min(0.3, (7.35 - top - 0.4) / (len(entries) + 1))
        table(six, [["Initiative or change", "When", "Strength", "What it stands for"]]
              + [[e["what"], e["months"], e["strength"], e["note"]] for e in entries],
              0.4, top + 0.4, [4.0, 1.4, 1.3, 5.8], 10 if height >= 0.26 else 8, height)
    elif len(rows) == 1:
        text(six, "No lever, anti-pattern, risk or initiative differs.", 0.4, top, 12.5, 0.4)
    # 7 limits
    seven = slide("limits", "What the model does not claim",
                  "Read the figures as a comparison of options in a model, not as a promise.")
    text(seven, list(NOT_CLAIMED), 0.5, 1.65, 12.3, 5.7, 12, space=5)
    # 8 provenance
    p = pack.provenance
    eight = slide("provenance", "Where these numbers come from",
                  "The same command on the same version reproduces this pack exactly.")
    rows = [["Item", "Value"], ["Command", " ".join(p["command"]) or "(called from Python)"],
            ["Simulated years", f"{pack.replicates} per option, seeds {p['seeds'][0]}-"
                                f"{p['seeds'][-1]} (the same for both options)"],
            ["Software", f"cxsim {p['cxsim_version']}, Mesa {p['mesa_version']}, Python "
                         f"{p['python_version']}"]]
    for name, record in p["scenarios"].items():
        rows.append([f"Scenario {name}", f"{', '.join(record['files'])}; parameters "
                                         f"fingerprint {record['parameters_sha256']}"])
    top = 1.8 + table(eight, rows, 0.4, 1.8, [3.0, 9.5], 11, 0.4) + 0.3
    text(eight, [(f"{k}:", v) for k, v in GLOSSARY], 0.4, top, 12.5, 7.3 - top, 10)
    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()


# -- the command ---------------------------------------------------------------------------------

def check_pair(scenario: Scenario, against: Scenario) -> None:
    if scenario.name == against.name:
        raise ScenarioError("<command line>", "--against", against.name,
                            f"a scenario other than {scenario.name!r}")


def build_report(scenario: str | Scenario, against: str | Scenario = "baseline",
                 replicates: int = 30, seed: int = 0, workers: int = 1,
                 formats: str | Sequence[str] = FORMATS, out: str | Path | None = None,
                 command: list[str] | None = None,
                 on_done: Callable[[int], None] | None = None,
                 on_step: Callable[[str], None] | None = None) -> dict[str, Path]:
    """Run the comparison and write the board pack; returns {format: path} (and 'json').

    ``on_done(n)`` reports replicates finished (of ``2 * replicates``); ``on_step(name)`` each
    rendering step. Bad input raises :class:`model.ScenarioError` before anything runs.
    """
    chosen = parse_formats(formats)
    loaded = [s if isinstance(s, Scenario) else load_scenario(s) for s in (scenario, against)]
    scenario_, against_ = loaded
    check_pair(scenario_, against_)
    out = Path(out) if out is not None else Path("runs") / f"report-{scenario_.name}"
    step = on_step or (lambda name: None)
    result = compare([against_, scenario_], replicates=replicates, seed=seed, workers=workers,
                     on_done=on_done)
    step("analysis")
    pack = analyse(result, scenario_, against_, command)
    draw_charts(result.monthly, pack, chosen, step)
    rendered: dict[str, bytes] = {}
    document = render_html(pack) if {"html", "pdf"} & set(chosen) else ""
    if "html" in chosen:
        rendered["html"] = document.encode("utf-8")
    if "pdf" in chosen:
        step("PDF")
        rendered["pdf"] = render_pdf(document)
    if "pptx" in chosen:
        step("PowerPoint")
        rendered["pptx"] = render_pptx(pack)
    rendered["json"] = (json.dumps(pack.data(), indent=2, default=str) + "\n").encode("utf-8")
    step("writing")
    umask = os.umask(0o022)
    os.umask(umask)
    written = {}
    for kind, data in rendered.items():
        path = out / f"report.{kind}"

        def write(temporary: Path, data: bytes = data) -> None:
            temporary.write_bytes(data)
            temporary.chmod(0o666 & ~umask)      # a pack is for sharing: not mkstemp's 0600
        write_atomic(path, write)
        written[kind] = path
    return written


def command_report(args: argparse.Namespace) -> int:
    """Handler of ``cxsim report``."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    console = Console(stderr=True)
    formats = parse_formats(args.format)
    scenario = load_scenario(args.scenario)
    against = load_scenario(args.against)
    check_pair(scenario, against)
    command = (["cxsim", "report", *args.argv] if args.argv is not None
               else ["cxsim", *sys.argv[1:]])
    started = time.perf_counter()
    steps = 7 + ("pdf" in formats) + ("pptx" in formats)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console) as progress:
        runs = progress.add_task("replicates (both scenarios)", total=2 * args.replicates)
        build = progress.add_task("report", total=steps)

        def on_step(name: str) -> None:
            progress.update(build, advance=1, description=f"report: {name}")

        written = build_report(scenario, against, replicates=args.replicates, seed=args.seed,
                               workers=args.workers, formats=formats, out=args.out,
                               command=command,
                               on_done=lambda n: progress.update(runs, completed=n),
                               on_step=on_step)
        progress.update(build, completed=steps, description="report: done")
    console.print(f"wrote {', '.join(str(p) for p in written.values())} in "
                  f"{time.perf_counter() - started:.1f} s")
    return 0


def _guarded(args: argparse.Namespace) -> int:
    try:
        return command_report(args)
    except ScenarioError as error:
        sys.stderr.write(f"cxsim: error: {error}\n")
        return 2


def register(commands: Any) -> None:
    """Add ``report`` to an argparse subparsers object (``experiments.cli``)."""
    parser = commands.add_parser(
        "report", help="a board pack (HTML, PDF, PowerPoint) of a scenario against a baseline",
        description="Run SCENARIO and BASELINE on common random numbers and write a board pack "
                    "for a non-technical board: headline, fan charts, the culture dashboard "
                    "against its targets, maturity, early warnings, assumptions, limits and "
                    "provenance.")
    parser.add_argument("scenario", metavar="SCENARIO",
                        help="a shipped scenario's name or a TOML file")
    parser.add_argument("--against", default="baseline", metavar="BASELINE",
                        help="the scenario to compare with (default baseline)")
    parser.add_argument("--replicates", type=positive_int, default=30, metavar="R",
                        help="simulated years per scenario (default 30)")
    parser.add_argument("--seed", type=non_negative_int, default=0, metavar="N",
                        help="base seed; replicate i uses seed + i (default 0)")
    parser.add_argument("--format", default=",".join(FORMATS), metavar="LIST",
                        help="comma-separated: html, pdf, pptx (default all three)")
    parser.add_argument("--out", metavar="DIR",
                        help="output directory (default runs/report-SCENARIO); writes "
                             "report.html, report.pdf, report.pptx and report.json")
    parser.add_argument("--workers", type=positive_int, default=os.cpu_count() or 1, metavar="N",
                        help="processes for the replicates (default: all cores)")
    parser.set_defaults(handler=_guarded, argv=None)


class _Parser(argparse.ArgumentParser):
    """argparse with one-line usage errors (exit 2), as ``cxsim`` itself."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"cxsim: error: {self.prog}: {message} (see {self.prog} --help)\n")
        raise SystemExit(2)


def main(argv: list[str] | None = None) -> int:
    """``python -m cxsim.experiments.report SCENARIO ...`` (the same as ``cxsim report``)."""
    argv = sys.argv[1:] if argv is None else argv
    parser = _Parser(prog="cxsim")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    register(commands)
    args = parser.parse_args(["report", *argv])
    args.argv = argv
    return int(args.handler(args))


if __name__ == "__main__":
    raise SystemExit(main())
