"""The interactive dashboard: ``cxsim dashboard [--port P] [--host 127.0.0.1] [--export-dir DIR]``.

A Solara app (served by solara-server on the loopback interface by default) for trying levers and
anti-pattern intensities on a shipped scenario and seeing the 12-month trajectories move:

* the scenario to start from, the three levers and the five anti-pattern intensities (sliders,
  0-1), the number of replicates and the first seed;
* six charts, redrawn whenever a setting changes: customer churn, NPS measured and true, the culture
  score, psychological safety and the customer interaction rate, each with the median and range of
  the replicates, the starting scenario as shipped as a dashed reference line and the target of
  001 §8 where there is one;
* a button that exports the settings as a scenario file that ``extends`` the starting scenario and
  sets only what was changed; it is written under ``--export-dir`` (shown on the page) and offered
  as a download, and loads with :func:`model.load_scenario`.

Mesa's SolaraViz steps one model instance; here every setting runs whole 12-month replicates, so the
app is a plain Solara page. It calls only :func:`model.load_scenario` and :func:`model.simulate`
(about 50 ms a run, cached): no model logic lives here.

``experiments.cli`` adds the subcommand with :func:`register`;
``python -m cxsim.experiments.dashboard`` runs it on its own. Solara is imported only when
the server starts or the page is built, so importing this module (as the CLI does) stays cheap.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import hashlib
import json
import os
import socket
import sys
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

DEFAULT_SCENARIO = "techops_programme"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
DEFAULT_REPLICATES = 5
MAX_REPLICATES = 10
EXPORT_DIR_ENV = "CXSIM_DASHBOARD_EXPORT_DIR"
DEFAULT_EXPORT_DIR = Path("runs") / "dashboard"
OFFLINE_CDN = "http://127.0.0.1:9/"  # the discard port: nothing listens there

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


@dataclass(frozen=True)
class Panel:
    column: str
    title: str
    unit: str
    target: float | None = None
    decimals: int = 1
    higher_is_better: bool = True


def _target(column: str) -> float | None:
    from cxsim.model import TARGETS

    return TARGETS.get(column)


PANELS: tuple[Panel, ...] = (
    Panel("churn_annualised", "Customer churn (annual run-rate)", "% of customers per year",
          higher_is_better=False),
    Panel("nps_measured", "Net Promoter Score, as the survey measures it", "NPS (-100 to 100)",
          None, 0),
    Panel("nps_true", "Net Promoter Score of all customers (true)", "NPS (-100 to 100)", None, 0),
    Panel("culture_score", "Culture assessment score", "score (1 to 5)", _target("culture_score"),
          2),
    Panel("psychological_safety_score", "Psychological safety", "score (1 to 5)",
          _target("psychological_safety_score"), 2),
    Panel("interaction_rate", "Employees in direct contact with customers",
          "% of employees (last 13 weeks)", _target("interaction_rate")),
)

_SIMULATE_LOCK = threading.Lock()


# -- the computations the page shows (plain functions, tested without a browser) --------------

def base_values(scenario: str) -> dict[str, float]:
    """The scenario's own value of every slider (a fresh dict)."""
    return dict(_base_values(scenario))


@lru_cache(maxsize=64)
def _base_values(scenario: str) -> tuple[tuple[str, float], ...]:
    from cxsim.model import load_scenario

    params = load_scenario(scenario).parameters
    return tuple((key, float(getattr(getattr(params, key.split(".")[0]), key.split(".")[1])))
                 for key in SETTINGS)


@lru_cache(maxsize=64)
def scenario_description(scenario: str) -> str:
    from cxsim.model import load_scenario

    return load_scenario(scenario).description


def changed_settings(scenario: str, values: dict[str, float]) -> dict[str, float]:
    """The slider values that differ from the scenario's own, rounded to the slider step."""
    base = base_values(scenario)
    return {key: round(float(values[key]), 2) for key in SETTINGS
            if key in values and abs(round(float(values[key]), 2) - round(base[key], 2)) > 1e-9}


@lru_cache(maxsize=2048)
def _one_run(scenario: str, overrides: tuple[tuple[str, float], ...], seed: int):
    from cxsim.model import load_scenario, simulate

    loaded = load_scenario(scenario, dict(overrides), origin="dashboard")
    with _SIMULATE_LOCK:
        return simulate(loaded, seed=seed)


def trajectories(scenario: str, overrides: dict[str, float], seed: int, replicates: int,
                 stop: Callable[[], bool] | None = None):
    """Monthly rows of ``replicates`` runs (seeds seed, seed+1, ...), with a ``replicate`` column.

    The starting scenario and the changed settings run on the same seeds (common random numbers),
    so a difference between them is the settings' doing, not chance. ``stop`` is asked before each
    run; when it answers true the computation is abandoned with :class:`Abandoned`.
    """
    import pandas as pd

    key = tuple(sorted(overrides.items()))
    frames = []
    for i in range(replicates):
        if stop is not None and stop():
            raise Abandoned
        frame = _one_run(scenario, key, seed + i).copy()
        frame["replicate"] = i
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


class Abandoned(BaseException):  # not an Exception: the settings moved on
    """A computation overtaken by newer settings."""


@dataclass(frozen=True)
class View:
    """What the page shows for one set of settings."""

    state: tuple
    png: bytes
    headline: str


def compute_view(scenario: str, changes: dict[str, float], seed: int, replicates: int,
                 stop: Callable[[], bool] | None = None) -> View:
    """Run the replicates of the settings and of the scenario as shipped; draw the charts."""
    import io

    current = trajectories(scenario, changes, seed, replicates, stop)
    base = trajectories(scenario, {}, seed, replicates, stop)
    buffer = io.BytesIO()
    figure(current, base, scenario, replicates).savefig(buffer, format="png")
    return View((scenario, tuple(sorted(changes.items())), seed, replicates), buffer.getvalue(),
                headline_html(current, base, scenario, replicates))


def _quantiles(frame, column: str):
    grouped = frame.groupby("month")[column]
    return grouped.median(), grouped.min(), grouped.max()


def figure(current, base, scenario: str, replicates: int):
    """Six panels: median and range of the current settings, the starting scenario, the targets."""
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    fig = Figure(figsize=(13.5, 7.4), dpi=100, layout="constrained")
    axes = fig.subplots(2, 3)
    colour, reference, target_colour = "#1f5fa8", "#555555", "#c0392b"
    for ax, panel in zip(axes.flat, PANELS, strict=True):
        median, low, high = _quantiles(current, panel.column)
        base_median = base.groupby("month")[panel.column].median()
        ax.fill_between(median.index, low, high, color=colour, alpha=0.22, linewidth=0)
        ax.plot(median.index, median, color=colour, linewidth=2.2)
        ax.plot(base_median.index, base_median, color=reference, linewidth=1.6, linestyle="--")
        if panel.target is not None:
            ax.axhline(panel.target, color=target_colour, linewidth=1.3, linestyle=":")
            ax.annotate(f"target {panel.target:g}", xy=(0.01, panel.target),
                        xycoords=("axes fraction", "data"), xytext=(0, 3),
                        textcoords="offset points", color=target_colour, fontsize=9)
            top = max(ax.get_ylim()[1], panel.target * 1.06 if panel.target > 0 else 1)
            ax.set_ylim(top=top)
        ax.set_title(panel.title, fontsize=11, loc="left")
        ax.set_xlabel("month of the programme")
        ax.set_ylabel(panel.unit)
        ax.set_xlim(0, 12)
        ax.set_xticks(range(0, 13, 2))
        ax.grid(alpha=0.3)
    handles = [
        Line2D([], [], color=colour, linewidth=2.2, label="your settings: median"),
        Patch(color=colour, alpha=0.22, label=f"your settings: range of {replicates} runs"),
        Line2D([], [], color=reference, linewidth=1.6, linestyle="--",
               label=f"'{scenario}' as shipped: median"),
        Line2D([], [], color=target_colour, linewidth=1.3, linestyle=":",
               label="target (Metrics That Matter)"),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncol=4, frameon=False, fontsize=10)
    return fig


def headline_rows(current, base) -> list[tuple[str, str, str, str, str]]:
    """(metric, your settings, as shipped, difference, target) at month 12, replicate medians.

    Differences of percentages are in percentage points ("pts").
    """
    rows = []
    for panel in PANELS:
        now = float(current[current["month"] == 12][panel.column].median())
        was = float(base[base["month"] == 12][panel.column].median())
        percent = panel.unit.startswith("%")
        fmt = f"{{:.{panel.decimals}f}}{'%' if percent else ''}"
        delta = round(now - was, panel.decimals)
        change = (f"{delta:+.{panel.decimals}f}{' pts' if percent else ''}"
                  if delta != 0 else "no change")
        target = "" if panel.target is None else fmt.format(panel.target)
        rows.append((panel.title, fmt.format(now), fmt.format(was), change, target))
    return rows


def _label(key: str) -> str:
    return SETTINGS[key][0].lower()


def scenario_toml(scenario: str, changes: dict[str, float], seed: int | None = None,
                  replicates: int | None = None, today: date | None = None) -> str:
    """A scenario file that extends ``scenario`` and sets only ``changes``."""
    base = base_values(scenario)
    said = ", ".join(f"{_label(k)} {v:.2f} (was {base[k]:.2f})" for k, v in sorted(changes.items()))
    description = (f"The '{scenario}' scenario with {said}." if said
                   else f"The '{scenario}' scenario unchanged.")
    description += " Exported from the cxsim dashboard."
    when = (today or date.today()).isoformat()
    lines = []
    if seed is not None and replicates is not None:
        lines.append(f"# viewed in the dashboard with {replicates} replicate(s) from seed {seed}")
    lines += [
        f"name = {json.dumps(export_name(scenario, changes))}",
        f"description = {json.dumps(description)}",
        f"source = {json.dumps(f'cxsim dashboard, {when}')}",
        f"extends = {json.dumps(scenario)}",
    ]
    for section in ("levers", "anti_patterns"):
        keys = sorted(k for k in changes if k.startswith(section + "."))
        if keys:
            lines += ["", f"[{section}]"]
            lines += [f"{k.split('.', 1)[1]} = {changes[k]!r}" for k in keys]
    return "\n".join(lines) + "\n"


def export_name(scenario: str, changes: dict[str, float]) -> str:
    digest = hashlib.sha256(json.dumps(sorted(changes.items())).encode()).hexdigest()[:8]
    return f"{scenario}_dashboard_{digest}"


def export_dir() -> Path:
    return Path(os.environ.get(EXPORT_DIR_ENV, DEFAULT_EXPORT_DIR)).resolve()


def export_scenario(scenario: str, changes: dict[str, float], directory: Path | None = None,
                    seed: int | None = None, replicates: int | None = None) -> Path:
    """Write the scenario file and check that it loads; returns its path."""
    from cxsim.model import load_scenario

    directory = Path(directory) if directory is not None else export_dir()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{export_name(scenario, changes)}.toml"
    path.write_text(scenario_toml(scenario, changes, seed, replicates), encoding="utf-8")
    load_scenario(path)
    return path


# -- the page ----------------------------------------------------------------------------------

_CSS = """
.cx-page { padding: 14px 24px 24px 24px; max-width: 1900px; font-family: Roboto, sans-serif; }
.cx-page h1 { font-size: 24px; font-weight: 500; margin: 0 0 2px 0; }
.cx-subtitle { color: #444; font-size: 14px; margin-bottom: 10px; }
.cx-controls { width: 370px; min-width: 370px; background: #f6f7f9; border-radius: 8px;
               padding: 10px 16px !important; }
.cx-controls h4 { font-size: 15px; font-weight: 600; margin: 12px 0 4px 0; }
.cx-setting-label { font-size: 14px; font-weight: 500; display: flex;
                    justify-content: space-between; }
.cx-setting-meaning { font-size: 12px; color: #555; line-height: 1.25; }
.cx-setting .v-input { margin-top: 0 !important; }
.cx-setting .v-messages { display: none; }
.cx-note { font-size: 13px; color: #444; line-height: 1.4; max-width: 1300px; }
.cx-changes { font-size: 14px; }
.cx-headline table { border-collapse: collapse; font-size: 14px; }
.cx-headline th, .cx-headline td { padding: 4px 12px; border-bottom: 1px solid #ddd; }
.cx-headline th { text-align: left; font-weight: 600; }
.cx-headline td.num { text-align: right; font-variant-numeric: tabular-nums; }
.cx-headline td.better { color: #1e7b34; font-weight: 600; }
.cx-headline td.worse { color: #b03a2e; font-weight: 600; }
.cx-export-path code { font-size: 13px; }
.cx-download a { font-size: 14px; font-weight: 500; margin-left: 8px; }
"""


def headline_html(current, base, scenario: str, replicates: int) -> str:
    """The month-12 table under the charts."""
    from html import escape

    head = (f"<tr><th>At month 12 (median of {replicates} run{'s' if replicates > 1 else ''})"
            f"</th><th>your settings</th><th>'{escape(scenario)}' as shipped</th>"
            f"<th>difference (green: better)</th><th>target</th></tr>")
    body = ""
    for panel, (a, b, c, d, e) in zip(PANELS, headline_rows(current, base), strict=True):
        better = None if d == "no change" else (d.startswith("+") == panel.higher_is_better)
        tone = {True: " better", False: " worse", None: ""}[better]
        body += (f"<tr><td>{escape(a)}</td><td class='num'><b>{b}</b></td>"
                 f"<td class='num'>{c}</td><td class='num{tone}'>{d}</td>"
                 f"<td class='num'>{e or '-'}</td></tr>")
    return f"<table>{head}{body}</table>"


def download_link(path: Path) -> str:
    """An HTML link that downloads the file (its content inlined as a data URL)."""
    from html import escape

    payload = base64.b64encode(path.read_bytes()).decode("ascii")
    return (f"<a class='cx-download-link' download='{escape(path.name)}' "
            f"href='data:application/toml;base64,{payload}'>Download {escape(path.name)}</a>")


def _build_page():
    from html import escape

    import solara

    from cxsim.model import shipped_scenarios

    names = sorted(shipped_scenarios())
    default = DEFAULT_SCENARIO if DEFAULT_SCENARIO in names else names[0]

    def html(text: str, classes: list[str] | None = None, tag: str = "div"):
        return solara.HTML(tag=tag, unsafe_innerHTML=text, classes=classes or [])

    @solara.component
    def Layout(children=()):  # noqa: N802 (a component)
        # no app bar or drawer: the page lays itself out
        return solara.Column(children=list(children), style={"padding": "0"})

    @solara.component
    def SettingSlider(key: str, value: float, shipped: float, on_value):  # noqa: N802 (a component)
        label, meaning = SETTINGS[key]
        name = key.split(".", 1)[1]
        mark = "" if abs(value - shipped) < 1e-9 else f" (shipped {shipped:.2f})"
        with solara.Column(gap="0px", classes=["cx-setting", f"cx-setting-{name}"]):
            html(f"<span>{escape(label)}</span><span class='cx-value'>{value:.2f}"
                 f"<small>{mark}</small></span>", ["cx-setting-label"])
            html(escape(meaning), ["cx-setting-meaning"])
            solara.SliderFloat("", value=value, min=0.0, max=1.0, step=0.01, on_value=on_value,
                               thumb_label=False)

    @solara.component
    def Page():  # noqa: N802 (a component)
        scenario = solara.use_reactive(default)
        values = solara.use_reactive(base_values(default))
        replicates = solara.use_reactive(DEFAULT_REPLICATES)
        seed = solara.use_reactive(0)
        exported = solara.use_reactive(None)

        def choose(name: str) -> None:
            scenario.set(name)
            values.set(base_values(name))
            exported.set(None)

        def setter(key: str):
            def set_value(value: float) -> None:
                values.set({**values.value, key: float(value)})
                exported.set(None)
            return set_value

        shipped = base_values(scenario.value)
        changes = changed_settings(scenario.value, values.value)
        runs = max(1, min(MAX_REPLICATES, int(replicates.value)))
        first_seed = max(0, int(seed.value or 0))
        state = (scenario.value, tuple(sorted(changes.items())), first_seed, runs)

        def compute(cancel):
            try:
                return compute_view(scenario.value, changes, first_seed, runs, cancel.is_set)
            except Abandoned:
                # newer settings have started their own computation: keep showing the last view
                raise solara.util.CancelledError() from None

        view = solara.use_thread(compute, dependencies=[state], intrusive_cancel=False)
        shown = view.value
        busy = view.state in (solara.ResultState.STARTING, solara.ResultState.WAITING,
                              solara.ResultState.RUNNING) or (shown and shown.state != state)
        if view.state == solara.ResultState.ERROR and view.error is not None:
            raise view.error

        def export() -> None:
            path = export_scenario(scenario.value, changes, seed=first_seed, replicates=runs)
            exported.set(str(path))

        solara.Title("cxsim dashboard: what if we change the culture levers?")
        solara.Style(_CSS)
        with solara.Column(classes=["cx-page"], gap="6px"):
            html("What if we change the culture levers? The next 12 months, simulated",
                 tag="h1")
            html("Choose a starting scenario, move the levers and anti-patterns on the left, and "
                 "the charts show how customer churn, Net Promoter Score (NPS) and the culture "
                 "would move month by month, against the scenario as shipped.",
                 ["cx-subtitle"])
            with solara.Row(gap="24px", style={"align-items": "flex-start"}):
                with solara.Column(classes=["cx-controls"], gap="2px"):
                    html("1. Starting scenario", tag="h4")
                    solara.Select("Scenario", value=scenario.value, values=names,
                                  on_value=choose)
                    html(escape(scenario_description(scenario.value)),
                         ["cx-setting-meaning"])
                    html("2. Levers (0 = weakest, 1 = strongest)", tag="h4")
                    for key in LEVERS:
                        SettingSlider(key, values.value[key], shipped[key], setter(key))
                    html("3. Anti-patterns (0 = absent, 1 = full strength)", tag="h4")
                    for key in ANTI_PATTERNS:
                        SettingSlider(key, values.value[key], shipped[key], setter(key))
                    html("4. Simulation", tag="h4")
                    solara.SliderInt(f"Runs per setting: {runs}", value=replicates, min=1,
                                     max=MAX_REPLICATES)
                    solara.InputInt("Random seed of the first run", value=seed)
                    solara.Button("Reset to the scenario as shipped", icon_name="mdi-restore",
                                  on_click=lambda: choose(scenario.value), outlined=True,
                                  classes=["cx-reset"])
                with solara.Column(gap="8px", style={"flex": "1 1 auto", "min-width": "0"}):
                    if changes:
                        said = "; ".join(f"{escape(SETTINGS[k][0])} <b>{v:.2f}</b> (shipped "
                                         f"{shipped[k]:.2f})" for k, v in sorted(changes.items()))
                        html(f"<b>Your changes to '{escape(scenario.value)}':</b> {said}.",
                             ["cx-changes"])
                    else:
                        html(f"<b>No changes yet:</b> move a slider to see how "
                             f"'{escape(scenario.value)}' would differ.", ["cx-changes"])
                    solara.ProgressLinear(bool(busy))
                    if shown is None:
                        html("Running the simulation...", ["cx-note"])
                        return
                    with solara.Column(classes=["cx-chart"]):
                        solara.Image(shown.png, format="png")
                    html(f"Solid blue line: the median of {runs} simulated run"
                         f"{'s' if runs > 1 else ''} with your settings; blue band: the lowest "
                         "to the highest run. Dashed grey line: the starting scenario as "
                         "shipped, on the same random seeds. Red dotted line: the target from "
                         "the culture dashboard ('Metrics That Matter'). Churn is the share of "
                         "customers expected to leave over a year at the current rate; customers "
                         "decide at renewal, so churn moves months after the culture does. NPS "
                         "is the percentage of promoters minus the percentage of detractors. "
                         "These are simulations of a stylised organisation, not forecasts.",
                         ["cx-note"])
                    html(shown.headline, ["cx-headline"])
                    with solara.Row(classes=["cx-export"], style={"align-items": "center"}):
                        solara.Button("Export these settings as a scenario file",
                                      icon_name="mdi-content-save", color="primary",
                                      on_click=export, classes=["cx-export-button"])
                        if exported.value:
                            html(download_link(Path(exported.value)), ["cx-download"])
                    if exported.value:
                        html(f"Written to <code class='cx-export-file'>"
                             f"{escape(exported.value)}</code>; run it with "
                             f"<code>cxsim run {escape(exported.value)}</code>.",
                             ["cx-export-path", "cx-note"])

    return {"Page": Page, "Layout": Layout}


_components: dict[str, Any] = {}


def __getattr__(name: str) -> Any:
    # solara-server looks up ``Page`` and ``Layout``; building them imports Solara, so do it only
    # when asked
    if name in ("Page", "Layout"):
        if not _components:
            _components.update(_build_page())
        return _components[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# -- the command -------------------------------------------------------------------------------

def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: a port number from 0 to 65535") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r}: a port number from 0 to 65535")
    return value


def _port_free(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def server_argv(host: str, port: int) -> list[str]:
    """The ``solara run`` arguments: this module, no browser opened, no version check online."""
    return ["run", "experiments.dashboard", "--host", host, "--port", str(port), "--no-open",
            "--no-check-version", "--production", "--log-level-uvicorn", "warning"]


def command_dashboard(args: argparse.Namespace) -> int:
    """Serve the dashboard until interrupted."""
    os.environ[EXPORT_DIR_ENV] = str(Path(args.export_dir).resolve())
    # Set before Solara reads its settings: no telemetry, no banner, and the page's scripts and
    # styles come only from the solara-assets package; the server's fallback to a public CDN for
    # anything missing is pointed at a closed loopback port, so it never leaves this machine.
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "false")
    os.environ.setdefault("SOLARA_THEME_SHOW_BANNER", "false")
    os.environ.setdefault("SOLARA_ASSETS_CDN", OFFLINE_CDN)
    if args.port and not _port_free(args.host, args.port):
        sys.stderr.write(f"cxsim: error: dashboard: --port {args.port}: already in use on "
                         f"{args.host}; choose another port\n")
        return 2
    # plain http on this machine: Solara's advice about cookies behind https proxies is noise
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")
    from solara.__main__ import cli as solara_cli

    sys.stderr.write(f"cxsim dashboard: open http://{args.host}:{args.port} in a browser "
                     f"(Ctrl-C stops it); exported scenarios go to {export_dir()}\n")
    with contextlib.suppress(KeyboardInterrupt):
        solara_cli.main(args=server_argv(args.host, args.port), prog_name="solara",
                        standalone_mode=False)
    return 0


def register(commands: Any) -> None:
    """Add ``dashboard`` to an argparse subparsers object."""
    parser = commands.add_parser(
        "dashboard", help="interactive dashboard in the browser: levers and anti-patterns as "
                          "sliders, trajectories redrawn, settings exported as a scenario file",
        description="Serve the dashboard (a Solara app) on HOST:PORT until interrupted.")
    parser.add_argument("--host", default=DEFAULT_HOST,
                        help=f"interface to listen on (default {DEFAULT_HOST}, this machine only)")
    parser.add_argument("--port", type=_port, default=DEFAULT_PORT,
                        help=f"port (default {DEFAULT_PORT})")
    parser.add_argument("--export-dir", metavar="DIR", default=str(DEFAULT_EXPORT_DIR),
                        help=f"where exported scenario files are written (default "
                             f"{DEFAULT_EXPORT_DIR})")
    parser.set_defaults(handler=command_dashboard)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="cxsim")
    commands = parser.add_subparsers(dest="command", required=True)
    register(commands)
    arguments = ["dashboard", *(sys.argv[1:] if argv is None else argv)]
    args = parser.parse_args(arguments)
    return int(args.handler(args))


if __name__ == "__main__":
    raise SystemExit(main())
