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

import numpy as np
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


PANEL_SIZE = (360, 275)        # one chart's size in CSS pixels, title and axes included
TITLE_WIDTH = 38               # characters of a title's line
MONTH_STEP = 2                 # months between numbered ticks (``style.month_axis``'s, to 12)


@dataclass(frozen=True)
class Panel:
    """One metric's chart: its Vega-Lite spec (the numbers inlined), size in CSS pixels and the
    words a screen reader says."""

    metric: Metric
    spec: dict[str, Any]
    width: int
    height: int
    alt: str

    @property
    def key(self) -> str:
        """A short digest of the spec: the page marks a chart drawn from it with this."""
        text = json.dumps(self.spec, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:12]

    @property
    def shape(self) -> str:
        """A short digest of the chart without its numbers (the spec less its datasets and
        value-axis limits): two specs of one shape differ only in what a redraw fills in."""
        bare = {k: v for k, v in self.spec.items() if k != "datasets"}
        bare["layer"] = [{**layer, "encoding": {**layer["encoding"], "y": {
            **layer["encoding"]["y"], "scale": {
                k: v for k, v in layer["encoding"]["y"]["scale"].items() if k != "domain"}}}}
            for layer in bare["layer"]]
        text = json.dumps(bare, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:12]


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
    """Run the replicates of the settings and of the scenario as shipped; make the charts."""
    current = trajectories(name, changes, seed, replicates, stop)
    base = trajectories(name, {}, seed, replicates, stop)
    runs = clean_runs(replicates)
    state = (name, tuple(sorted(changes.items())), clean_seed(seed), runs)
    return View(state, panels(current, base, name), headline_rows(current, base),
                int(current["month"].max()), runs)


def panel_size() -> tuple[int, int]:
    """A chart's size in CSS pixels (at which its text has its designed size)."""
    return PANEL_SIZE


def panels(current: pd.DataFrame, base: pd.DataFrame, name: str) -> tuple[Panel, ...]:
    """Each metric of :data:`PANELS` as its own chart, so that the page can lay the charts out
    for the width it has (three a row on a wide screen, fewer on a narrow one); the browser
    draws them (Vega-Lite), the server only sends the numbers."""
    width, height = panel_size()
    made = []
    for m in PANELS:
        data = panel_data(current, base, m)
        made.append(Panel(m, panel_spec(m, data), width, height, panel_alt(m, data, name)))
    return tuple(made)


def _by_month(frame: pd.DataFrame, column: str) -> tuple[np.ndarray, np.ndarray]:
    """The months, and ``column`` as one row a month, one column a replicate (every replicate
    of a scenario has the same months)."""
    replicate, month = frame["replicate"].to_numpy(), frame["month"].to_numpy()
    order = np.lexsort((month, replicate))  # by replicate, then month
    values = frame[column].to_numpy(dtype=float)[order].reshape(len(np.unique(replicate)), -1)
    return month[order][:values.shape[1]], values.T


def _bands(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """By month: the headline (mean), the middle 50% and the 90% of the replicates."""
    months, values = _by_month(frame, column)
    q05, q25, q75, q95 = np.quantile(values, [0.05, 0.25, 0.75, 0.95], axis=1)
    return pd.DataFrame({"mean": [headline(row) for row in values], "q05": q05, "q25": q25,
                         "q75": q75, "q95": q95}, index=pd.Index(months, name="month"))


def panel_data(current: pd.DataFrame, base: pd.DataFrame, m: Metric) -> pd.DataFrame:
    """One row a month: the mean of the runs with the settings, the edges of their 50% and
    90% bands and the mean of the scenario as shipped (``shipped``)."""
    bands = _bands(current, m.name)
    months, shipped = _by_month(base, m.name)
    bands["shipped"] = pd.Series([headline(row) for row in shipped], index=months)
    return bands.reset_index()


def panel_spec(m: Metric, data: pd.DataFrame) -> dict[str, Any]:
    """One metric's chart as a Vega-Lite spec: :func:`chart_template` with this redraw's
    numbers (``data``, from ``panel_data``: the ``datasets``) and value axis
    (``style.value_limits``, the project's one rule)."""
    from cxsim.experiments import style

    data = data.round(6)
    seen = [*data["q05"], *data["q95"], *data["shipped"]]
    if m.target is not None:
        seen.append(m.target)
    finite = [float(v) for v in seen if math.isfinite(v)]
    low, high = style.value_limits(m, min(finite), max(finite)) if finite else (0.0, 1.0)
    spec = json.loads(chart_template(m, int(data["month"].max())))
    for layer in spec["layer"]:
        layer["encoding"]["y"]["scale"]["domain"] = [low, high]
    broken = m.bounds is not None and low > m.bounds[0] + 1e-9
    spec["datasets"] = {"months": data.to_dict("records"),
                        "foot": [{"at": low}] if broken else []}
    return spec


@lru_cache(maxsize=64)
def chart_template(m: Metric, last: int) -> str:
    """The Vega-Lite spec (JSON, made by Altair once a metric) that :func:`panel_spec` fills:
    the mean of the runs with the settings and their 50% and 90% bands, filled lightly and
    outlined (solid: 50%, dotted: 90%, as ``style.fan``), the scenario as shipped (its mean,
    dashed), the catalogue's target (dashed, labelled at the right), months 0..``last`` with
    numbered ticks, the unit as the value axis's title, two slashes at its foot when it does
    not start at the scale's bottom, and a tooltip a month."""
    import textwrap

    import altair as alt

    from cxsim.experiments import style

    x = alt.X("month:Q", title="month of the programme",
              scale=alt.Scale(domain=[0, last], nice=False),
              axis=alt.Axis(values=list(range(0, last + 1, MONTH_STEP)), format="d",
                            grid=False))

    def y(field: str) -> alt.Y:
        return alt.Y(f"{field}:Q", title=m.unit, scale=alt.Scale(domain=[0, 1], nice=False,
                                                                zero=False))

    months = alt.Chart(alt.Data(name="months")).encode(x=x)
    outer = months.mark_area(color=style.SCENARIO, opacity=style.OUTER_ALPHA).encode(
        y=y("q05"), y2="q95:Q")
    inner = months.mark_area(color=style.SCENARIO, opacity=style.INNER_ALPHA).encode(
        y=y("q25"), y2="q75:Q")
    edges = [months.mark_line(color=style.SCENARIO, strokeWidth=width, strokeDash=dash,
                              opacity=opacity).encode(y=y(field))
             for field, width, dash, opacity in (("q05", 0.8, [1.5, 2], 0.9),
                                                 ("q95", 0.8, [1.5, 2], 0.9),
                                                 ("q25", 0.7, [1, 0], 0.7),
                                                 ("q75", 0.7, [1, 0], 0.7))]
    shipped = months.mark_line(color=style.BASELINE, strokeWidth=1.6,
                               strokeDash=[5, 3]).encode(y=y("shipped"))
    decimals = f".{m.decimals}f"
    tips = [("month", "month"), ("mean", "your settings: mean"),
            ("q25", "middle 50% from"), ("q75", "middle 50% to"), ("q05", "90% from"),
            ("q95", "90% to"), ("shipped", "as shipped: mean")]
    mean = months.mark_line(color=style.SCENARIO, strokeWidth=2.2,
                            point=alt.OverlayMarkDef(size=22, filled=True)).encode(
        y=y("mean"), tooltip=[alt.Tooltip(f"{field}:Q", title=title,
                                          format="d" if field == "month" else decimals)
                              for field, title in tips])
    layers: list[Any] = [outer, inner, *edges, shipped, mean]
    if m.target is not None:
        mark = alt.Chart(alt.Data(values=[{"target": m.target}]))
        layers.append(mark.mark_rule(color=style.TARGET, strokeDash=[5, 3], strokeWidth=1.2)
                      .encode(y=y("target")))
        layers.append(mark.mark_text(color=style.TARGET, align="left", dx=4, fontSize=11,
                                     lineBreak="\n", text=f"target\n{m.target:g}")
                      .encode(x=alt.value("width"), y=y("target")))
    layers.append(alt.Chart(alt.Data(name="foot")).mark_text(
        text="//", fontSize=12, fontWeight="bold", color=style.TARGET, baseline="middle")
        .encode(x=alt.value(0), y=y("at")))
    title = textwrap.wrap(style.panel_title(m, plain=True), TITLE_WIDTH)
    chart = alt.layer(*layers).properties(
        width=PANEL_SIZE[0], height=PANEL_SIZE[1],
        title=alt.TitleParams(title, anchor="start", fontSize=14, fontWeight=500),
        autosize=alt.AutoSizeParams(type="fit", contains="padding"),
        padding={"left": 6, "right": 46, "top": 6, "bottom": 6},
    ).configure_view(stroke=None).configure(font="Roboto, sans-serif", aria=False
    ).configure_axis(labelFontSize=11, titleFontSize=12, gridOpacity=0.6)
    spec = chart.to_dict(validate=False)
    spec.pop("$schema", None)  # drawn by the Vega-Lite 5 that solara-assets serves
    return json.dumps(spec)


def panel_alt(m: Metric, data: pd.DataFrame, name: str) -> str:
    """What the panel shows, in words (the image's text alternative), from its numbers
    (``panel_data``)."""
    bands = data.set_index("month")
    shipped = bands["shipped"]
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
