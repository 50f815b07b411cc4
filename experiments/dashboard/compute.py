"""What the dashboard computes, as plain functions (tested without a browser or a server).

Input from the page is never trusted: a scenario is one of the names of
:func:`shipped_scenarios`, an allow-list made on the server once (the shipped scenarios and those
of the folders the server was given with ``--scenarios DIR`` or ``$CXSIM_SCENARIOS``), and is
loaded from the server's own path for it, never from the page's text; a setting is one of
:data:`SETTINGS`, a number clamped to 0..1; the number of runs and the seed are clamped whole
numbers. Exported scenario files get a name made here, go only into the export folder (never a
scenario folder, where they would list as scenarios) and are written with the one atomic writer.

The figures are those of every other output: the mean of the replicates
(``statistics.headline``), ``DEFAULT_REPLICATES`` runs from ``DEFAULT_SEED`` unless the user
asks otherwise; labels, units, targets, directions and red/amber/green come from the metric
catalogue. Each run is :func:`model.simulate_many` of a loaded scenario, cached: no model logic
lives here.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from cxsim.experiments.files import write_text
from cxsim.experiments.statistics import DEFAULT_REPLICATES, DEFAULT_SEED, headline
from cxsim.experiments.uncertainty import PARAMETERS, plan_replicates, with_draw
from cxsim.model import Scenario, ScenarioError, load_scenario, simulate_many
from cxsim.model.catalogue import Metric, Status, metric
from cxsim.model.scenario import SCENARIO_DIR, user_scenario_dirs
from cxsim.model.scenario import shipped_scenarios as known_scenarios

DEFAULT_SCENARIO = "techops_programme"
MAX_REPLICATES = 50
MAX_SEED = 2**31 - 1
EXPORT_DIR_ENV = "CXSIM_DASHBOARD_EXPORT_DIR"
REPLICATES_ENV = "CXSIM_DASHBOARD_REPLICATES"
PARAMETERS_ENV = "CXSIM_DASHBOARD_PARAMETERS"
DEFAULT_EXPORT_DIR = Path("runs") / "dashboard"

# dotted parameter key -> (slider label, one line in plain words)
LEVERS: dict[str, tuple[str, str]] = {
    "levers.psychological_safety": (
        "Psychological safety climate",
        "how safe people feel to raise customer problems; managers learn rather than blame"),
    "levers.ritual_participation": (
        "Ritual participation",
        "how readily people take part in customer rituals that are offered"),
    "levers.incentive_alignment": (
        "Incentive alignment",
        "how far pay, recognition and promotion reward customer outcomes"),
}
ANTI_PATTERNS: dict[str, tuple[str, str]] = {
    "anti_patterns.cx_theater": (
        "Customer-experience theatre",
        "rhetoric and rituals, but budgets, incentives and promotions unchanged"),
    "anti_patterns.change_fatigue": (
        "Change fatigue",
        "reorganisation, tool roll-outs and cost cuts launched alongside"),
    "anti_patterns.cx_police": (
        "Customer-experience police",
        "one central team owns customer experience; others step back"),
    "anti_patterns.survey_obsession": (
        "Survey obsession",
        "more surveys, no more action"),
    "anti_patterns.blame_culture": (
        "Blame culture",
        "bearers of bad customer news are punished"),
}
SETTINGS: dict[str, tuple[str, str]] = {**LEVERS, **ANTI_PATTERNS}
SETTING_LOW, SETTING_HIGH, SETTING_STEP = 0.0, 1.0, 0.01
# how scenario titles spell these words of the scenario names
SPELLED: dict[str, str] = {"cx": "CX", "techops": "TechOps"}
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9'\"(])")
PANELS: tuple[Metric, ...] = tuple(metric(name) for name in (
    "churn_annualised", "nps_measured", "nps_true", "culture_score",
    "psychological_safety_score", "interaction_rate"))

_SIMULATE_LOCK = threading.Lock()


# -- what the page may ask for -----------------------------------------------------------------

@cache
def shipped_scenarios() -> dict[str, Path]:
    """The allow-list, made once: each scenario's name and the server's path to its file (the
    shipped ones and the server's own scenario folders, as ``cxsim scenarios`` lists them)."""
    return {name: path.resolve() for name, path in known_scenarios().items()}


def scenario_names() -> list[str]:
    return list(shipped_scenarios())


def default_scenario() -> str:
    names = scenario_names()
    return DEFAULT_SCENARIO if DEFAULT_SCENARIO in names else names[0]


def check_scenario(name: Any) -> str:
    """``name`` if it is a shipped scenario's name, else a ScenarioError."""
    if not isinstance(name, str) or name not in shipped_scenarios():
        raise ScenarioError("dashboard", "scenario", name,
                            "the name of a shipped scenario (cxsim scenarios)")
    return name


def scenario(name: str) -> Scenario:
    """A shipped scenario, loaded from the allow-list's path (never from a page's value)."""
    return _loaded(check_scenario(name))


@lru_cache(maxsize=64)
def _loaded(name: str) -> Scenario:
    return load_scenario(shipped_scenarios()[name])


def clean_setting(value: Any) -> float:
    """A slider value: a finite number clamped to 0..1 and rounded to the slider step."""
    number = float(value)
    if not math.isfinite(number):
        raise ScenarioError("dashboard", "setting", value, "a number from 0 to 1")
    return round(min(SETTING_HIGH, max(SETTING_LOW, number)), 2)


def clean_runs(value: Any) -> int:
    """The number of runs: a whole number from 1 to MAX_REPLICATES."""
    return max(1, min(MAX_REPLICATES, int(value or 1)))


def initial_replicates() -> int:
    """The runs per setting the page starts with: ``$CXSIM_DASHBOARD_REPLICATES`` (the server's
    ``--replicates``), else DEFAULT_REPLICATES."""
    try:
        return clean_runs(os.environ.get(REPLICATES_ENV) or DEFAULT_REPLICATES)
    except (TypeError, ValueError, OverflowError):
        return DEFAULT_REPLICATES


def served_parameters() -> str:
    """"posterior" or "point" (``experiments.uncertainty``): ``$CXSIM_DASHBOARD_PARAMETERS``
    (the server's ``--point``), else "posterior"."""
    value = os.environ.get(PARAMETERS_ENV, "posterior")
    return value if value in PARAMETERS else "posterior"


def clean_seed(value: Any) -> int:
    """The first seed: a whole number from 0 to MAX_SEED."""
    return max(0, min(MAX_SEED, int(value or 0)))


def base_values(name: str) -> dict[str, float]:
    """The scenario's own value of every slider (a fresh dict)."""
    params = scenario(name).parameters
    return {key: float(getattr(getattr(params, key.split(".")[0]), key.split(".")[1]))
            for key in SETTINGS}


def inert_levers(name: str) -> dict[str, str]:
    """Levers with nothing to act on in scenario ``name``, with the one line that says why."""
    from cxsim.model.leadership import offers_rituals

    if offers_rituals(scenario(name).parameters):
        return {}
    return {"levers.ritual_participation": "This scenario offers no customer ritual, so the "
            "propensity to join one has nothing to act on here."}


def scenario_description(name: str) -> str:
    return scenario(name).description


def scenario_title(name: str) -> str:
    """The scenario's name from its file, for people: words title-cased, the project's
    acronyms as they are written ("cx_theater": "CX Theater")."""
    words = re.split(r"[_\s]+", scenario(name).name.strip()) or [name]
    return " ".join(SPELLED.get(word.lower(), word[:1].upper() + word[1:]) for word in words)


def scenario_hint(name: str) -> str:
    """The first sentence of the scenario's description (a hint beside its title)."""
    text = " ".join(scenario(name).description.split())
    return SENTENCE_END.split(text, maxsplit=1)[0]


def scenario_choices() -> list[dict[str, str]]:
    """The drop-down's items: each scenario's title and hint shown, its name the value sent
    back (and checked against the allow-list again when it comes)."""
    return [{"title": scenario_title(n), "subtitle": scenario_hint(n), "value": n}
            for n in scenario_names()]


def changed_settings(name: str, values: Mapping[str, Any]) -> dict[str, float]:
    """The known slider values that differ from the scenario's own, cleaned; anything else in
    ``values`` is ignored."""
    base = base_values(name)
    cleaned = {key: clean_setting(values[key]) for key in SETTINGS if key in values}
    return {key: value for key, value in cleaned.items()
            if abs(value - round(base[key], 2)) > 1e-9}


# -- the runs and what the page shows of them ------------------------------------------------

@lru_cache(maxsize=4096)
def _one_run(name: str, changes: tuple[tuple[str, float], ...], seed: int, draw: int
             ) -> pd.DataFrame:
    loaded = with_draw(scenario(name).with_overrides(dict(changes), origin="dashboard"), draw)
    with _SIMULATE_LOCK:
        return simulate_many(loaded, [seed]).drop(columns=["run", "seed"])


class Abandoned(BaseException):  # not an Exception: the settings moved on
    """A computation overtaken by newer settings."""


def trajectories(name: str, changes: Mapping[str, Any], seed: int = DEFAULT_SEED,
                 replicates: int = DEFAULT_REPLICATES,
                 stop: Callable[[], bool] | None = None,
                 parameters: str | None = None) -> pd.DataFrame:
    """Monthly rows of ``replicates`` runs (seeds seed, seed+1, ...), with a ``replicate`` column.

    Run i is replicate i of ``cxsim compare`` on the same seed: its seed and, unless ``parameters``
    (default :func:`served_parameters`) is "point", its posterior draw come from
    ``uncertainty.plan_replicates``. ``changes`` are slider settings (:data:`SETTINGS`); the
    starting scenario and the changed settings run on the same seeds and draws (common random
    numbers), so a difference between them is the settings' doing, not chance. ``stop`` is asked
    before each run; when it answers true the computation is abandoned with :class:`Abandoned`.
    """
    check_scenario(name)
    unknown = sorted(set(changes) - set(SETTINGS))
    if unknown:
        raise ScenarioError("dashboard", unknown[0], changes[unknown[0]],
                            f"one of the sliders: {', '.join(SETTINGS)}")
    key = tuple(sorted((k, clean_setting(v)) for k, v in changes.items()))
    first, runs = clean_seed(seed), clean_runs(replicates)
    plan = plan_replicates(range(first, first + runs), parameters or served_parameters())
    frames = []
    for i, (one_seed, draw) in enumerate(zip(plan.seeds, plan.draws, strict=True)):
        if stop is not None and stop():
            raise Abandoned
        frame = _one_run(name, key, one_seed, draw).copy()
        frame["replicate"] = i
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def month_figure(frame: pd.DataFrame, column: str, month: int | None = None) -> float:
    """The headline figure (the mean of the replicates) of ``column`` at ``month`` (default:
    the last)."""
    month = int(frame["month"].max()) if month is None else month
    return headline(frame.loc[frame["month"] == month, column])


@dataclass(frozen=True)
class Row:
    """One metric of the table under the charts, at the last month."""

    metric: Metric
    now: float                  # your settings
    was: float                  # the scenario as shipped
    status: Status | None       # red/amber/green of ``now`` against the target

    @property
    def difference(self) -> float:
        return round(self.now - self.was, self.metric.decimals)

    @property
    def better(self) -> bool | None:
        return self.metric.change_is_better(self.difference)

    def text(self, value: float) -> str:
        return self.metric.fmt(value) + ("%" if self.metric.unit == "%" else "")

    @property
    def change_text(self) -> str:
        if self.difference == 0:
            return "no change"
        points = " pts" if self.metric.unit == "%" else ""
        return f"{self.difference:+.{self.metric.decimals}f}{points}"

    @property
    def target_text(self) -> str:
        return "" if self.metric.target is None else self.text(self.metric.target)


def headline_rows(current: pd.DataFrame, base: pd.DataFrame) -> list[Row]:
    """Each panel's metric at the last month: your settings, as shipped, the difference (of
    percentages in percentage points) and the target's status."""
    rows = []
    for m in PANELS:
        now, was = month_figure(current, m.name), month_figure(base, m.name)
        rows.append(Row(m, now, was, m.status(now)))
    return rows


PANEL_INCHES = (3.6, 2.75)    # one panel's size
PANEL_PX_PER_INCH = 100       # CSS pixels per inch at which a panel is shown (its natural size)
PANEL_DPI = 150               # pixels per inch of the PNG: crisp where a CSS pixel is 1.5 dots
TITLE_WIDTH = 38              # characters of a title's line (10.5 pt across the panel)
# fixed margins (figure fractions) rather than a layout engine: every panel's plot area the same
# size and place (also beside another panel), room for a two-line title, the unit and the target's
# label in the right margin; and a sixth of the time to draw
MARGINS = {"left": 0.15, "right": 0.86, "bottom": 0.17, "top": 0.80}


@dataclass(frozen=True)
class Panel:
    """One metric's chart: the PNG, its size in CSS pixels and the words a screen reader says."""

    metric: Metric
    png: bytes
    width: int
    height: int
    alt: str


@dataclass(frozen=True)
class View:
    """What the page shows for one set of settings."""

    state: tuple
    panels: tuple[Panel, ...]
    rows: list[Row]
    month: int
    replicates: int


def compute_view(name: str, changes: Mapping[str, Any], seed: int, replicates: int,
                 stop: Callable[[], bool] | None = None) -> View:
    """Run the replicates of the settings and of the scenario as shipped; draw the charts."""
    current = trajectories(name, changes, seed, replicates, stop)
    base = trajectories(name, {}, seed, replicates, stop)
    runs = clean_runs(replicates)
    state = (name, tuple(sorted(changes.items())), clean_seed(seed), runs)
    return View(state, panels(current, base, name), headline_rows(current, base),
                int(current["month"].max()), runs)


def panel_size() -> tuple[int, int]:
    """A panel's natural size in CSS pixels (at which its text has its drawn size)."""
    width, height = (round(side * PANEL_PX_PER_INCH) for side in PANEL_INCHES)
    return width, height


def panels(current: pd.DataFrame, base: pd.DataFrame, name: str) -> tuple[Panel, ...]:
    """Each metric of :data:`PANELS` drawn on its own, so that the page can lay the panels out
    for the width it has (three a row on a wide screen, fewer on a narrow one) and show each at
    its natural size, where its text is readable."""
    width, height = panel_size()
    drawn = []
    for m in PANELS:
        buffer = io.BytesIO()
        panel_figure(current, base, m).savefig(buffer, format="png", dpi=PANEL_DPI)
        drawn.append(Panel(m, buffer.getvalue(), width, height, panel_alt(current, base, m, name)))
    return tuple(drawn)


def _bands(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """By month: the headline (mean), the middle 50% and the 90% of the replicates."""
    grouped = frame.groupby("month")[column]
    return pd.DataFrame({"mean": grouped.agg(headline), "q05": grouped.quantile(0.05),
                         "q25": grouped.quantile(0.25), "q75": grouped.quantile(0.75),
                         "q95": grouped.quantile(0.95)})


def panel_figure(current: pd.DataFrame, base: pd.DataFrame, m: Metric) -> Any:
    """One metric: the mean of the runs with the settings and their 50% and 90% bands
    (``style.fan``), the scenario as shipped (its mean, dashed), the catalogue's target, month
    ticks, and a value axis that does not zoom into chance wiggles (``style.value_axis``)."""
    import textwrap

    from matplotlib.figure import Figure

    from cxsim.experiments import style

    with style.styled():
        fig = Figure(figsize=PANEL_INCHES, dpi=PANEL_PX_PER_INCH)
        fig.subplots_adjust(**MARGINS)
        ax = fig.subplots()
        bands, shipped = _bands(current, m.name), base.groupby("month")[m.name].agg(headline)
        months = list(bands.index)
        style.fan(ax, months, bands["mean"], (bands["q25"], bands["q75"]),
                  (bands["q05"], bands["q95"]), style.SCENARIO)
        ax.plot(shipped.index, shipped, color=style.BASELINE, linewidth=1.6, linestyle="--")
        seen = [*bands["q05"], *bands["q95"], *shipped]
        if m.target is not None:
            seen.append(m.target)
        style.value_axis(ax, m, seen)
        style.target_line(ax, m)
        style.month_axis(ax, int(max(months)), "month of the programme")
        ax.set_title(textwrap.fill(style.panel_title(m, plain=True), TITLE_WIDTH), loc="left")
    return fig


def panel_alt(current: pd.DataFrame, base: pd.DataFrame, m: Metric, name: str) -> str:
    """What the panel shows, in words (the image's text alternative)."""
    bands, shipped = _bands(current, m.name), base.groupby("month")[m.name].agg(headline)
    first, last = int(bands.index.min()), int(bands.index.max())
    unit = "%" if m.unit == "%" else ""
    said = f"{m.fmt(bands['mean'][first])}{unit} at month {first}"
    said += f" to {m.fmt(bands['mean'][last])}{unit} at month {last}"
    spread = (f"90% of runs from {m.fmt(bands['q05'][last])} to {m.fmt(bands['q95'][last])}"
              f"{unit}")
    target = ("no target set" if m.target is None else f"target {m.fmt(m.target)}{unit}")
    return (f"{m.plain_label}, month {first} to {last}: your settings {said} ({spread}); "
            f"'{scenario_title(name)}' as shipped {m.fmt(shipped[last])}{unit} at month "
            f"{last}; {target}.")


# -- exporting the settings as a scenario file ---------------------------------------------------

def _label(key: str) -> str:
    return SETTINGS[key][0].lower()


def export_name(name: str, changes: Mapping[str, float]) -> str:
    """The exported scenario's name (and file stem): letters, digits and underscores only."""
    digest = hashlib.sha256(json.dumps(sorted(changes.items())).encode()).hexdigest()[:8]
    return re.sub(r"[^A-Za-z0-9_]", "_", f"{check_scenario(name)}_dashboard_{digest}")


def scenario_toml(name: str, changes: Mapping[str, float], seed: int | None = None,
                  replicates: int | None = None, today: date | None = None) -> str:
    """A scenario file that extends ``name`` and sets only ``changes``."""
    base = base_values(name)
    said = ", ".join(f"{_label(k)} {v:.2f} (was {base[k]:.2f})" for k, v in sorted(changes.items()))
    description = (f"The '{name}' scenario with {said}." if said
                   else f"The '{name}' scenario unchanged.")
    description += " Exported from the cxsim dashboard."
    when = (today or date.today()).isoformat()
    lines = []
    if seed is not None and replicates is not None:
        lines.append(f"# viewed in the dashboard with {replicates} replicate(s) from seed {seed}")
    lines += [
        f"name = {json.dumps(export_name(name, changes))}",
        f"description = {json.dumps(description)}",
        f"source = {json.dumps(f'cxsim dashboard, {when}')}",
        f"extends = {json.dumps(name)}",
    ]
    for section in ("levers", "anti_patterns"):
        keys = sorted(k for k in changes if k.startswith(section + "."))
        if keys:
            lines += ["", f"[{section}]"]
            lines += [f"{k.split('.', 1)[1]} = {changes[k]!r}" for k in keys]
    return "\n".join(lines) + "\n"


def export_dir() -> Path:
    """The export folder: ``$CXSIM_DASHBOARD_EXPORT_DIR`` (set by the server), else
    runs/dashboard."""
    return Path(os.environ.get(EXPORT_DIR_ENV, DEFAULT_EXPORT_DIR)).resolve()


def check_export_folder(folder: Path, where: str = "dashboard") -> Path:
    """``folder`` unless it is in a scenario folder, where an export would list as a scenario
    (and could shadow one); then a ScenarioError."""
    for scenarios in (SCENARIO_DIR, *user_scenario_dirs()):
        if folder.resolve().is_relative_to(Path(scenarios).resolve()):
            raise ScenarioError(where, "export folder", str(folder),
                                f"a folder outside the scenario folder {scenarios}")
    return folder


def export_path(name: str, changes: Mapping[str, float], directory: Path | None = None) -> Path:
    """Where the export of these settings goes: a server-made name inside the export folder."""
    folder = check_export_folder(
        (Path(directory) if directory is not None else export_dir()).resolve())
    path = (folder / f"{export_name(name, changes)}.toml").resolve()
    if path.parent != folder:
        raise ScenarioError("dashboard", "export", str(path), f"a file directly in {folder}")
    return path


def export_scenario(name: str, values: Mapping[str, Any], directory: Path | None = None,
                    seed: int | None = None, replicates: int | None = None) -> Path:
    """Write the scenario file of the changed settings (atomically) and check that it loads;
    returns its path."""
    changes = changed_settings(check_scenario(name), values)
    path = export_path(name, changes, directory)
    write_text(path, scenario_toml(name, changes, seed, replicates))
    load_scenario(path)
    return path
