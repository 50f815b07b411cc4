"""One organisation, week by week: a Mesa SolaraViz app over ``CXCultureModel``.

    python -m cxsim.experiments.mesa_app [--host 127.0.0.1] [--port 8766]

Mesa's SolaraViz gives the controls (Reset, play/pause, Step) and the model's parameters (the
scenario, the three levers and the seed, passed to ``CXCultureModel`` as keyword arguments on
Reset); beside it the page draws two panels from the model's public API after every step:

- the voice loop: the week, the month so far (problems met, voiced, blamed, surfaced, fixed;
  ``model.tally``) and the monthly rows of the model's DataCollector (problems surfaced, fixed and
  still silent; the speak-up rate);
- psychological safety, cynicism and customer orientation by team: each team's mean and its
  members' middle 80%, teams in order of their mean, frontline teams marked (from the Employee and
  Manager agents through ``AgentSet.get``), with the organisation's means as text.

``page(scenario, seed)`` builds the page inside a Solara component; solara-server serves
``Page``. Served like the dashboard (``dashboard.server.serve_solara``): on the loopback
interface by default, only requests addressed to this server from its own pages (Host and Origin
checked), Solara's debug endpoints closed, no telemetry, every script and style from the
``solara-assets`` package. Needs networkx and altair (Mesa's
visualization imports them). Solara 1.58 is built on Vuetify 2 (ipyvuetify 1.x); under
ipyvuetify 3 a style keeps its sidebar off the page.
"""

from __future__ import annotations

import argparse
import html
import sys
from typing import Any

import matplotlib

matplotlib.use("Agg")  # the server draws PNGs; no display

import logging

import matplotlib.pyplot as plt
import numpy as np
import solara
from matplotlib.figure import Figure

from cxsim.model import CXCultureModel, Employee, Manager, load_scenario, shipped_scenarios
from cxsim.model.cx_model import LEVERS

LOG = logging.getLogger("cxsim.mesa_app")
DEFAULT_SCENARIO = "techops_programme"
DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 8766
PLAY_INTERVAL_MS = 150
BELIEFS = (("psychological_safety", "Psychological safety"), ("cynicism", "Cynicism"),
           ("orientation", "Customer orientation"))
LEVER_LABELS = {"psychological_safety": "Psychological safety climate",
                "ritual_participation": "Ritual participation",
                "incentive_alignment": "Incentive alignment"}


class AppModel(CXCultureModel):
    """The model as the app builds it on Reset: it trusts nothing the page sends. The scenario
    must be a name on the server's list (never a path), the levers are clamped to 0-1 and the
    seed to the slider's range; anything else falls back to the default, and the page sees no
    error text (details go to the server log)."""

    # Explicit keywords: SolaraViz checks the page's inputs against this signature.
    def __init__(self, scenario: Any = DEFAULT_SCENARIO, *, seed: Any = 0,
                 psychological_safety: Any = None, ritual_participation: Any = None,
                 incentive_alignment: Any = None) -> None:
        if not isinstance(scenario, str) or scenario not in shipped_scenarios():
            LOG.warning("refused scenario %.80r from the page", scenario)
            scenario = DEFAULT_SCENARIO
        given = {"psychological_safety": psychological_safety,
                 "ritual_participation": ritual_participation,
                 "incentive_alignment": incentive_alignment}
        kept = {name: min(1.0, max(0.0, float(value))) for name, value in given.items()
                if isinstance(value, int | float) and value == value}
        ignored = sorted(name for name, value in given.items()
                         if value is not None and name not in kept)
        if ignored:
            LOG.warning("ignored page inputs for %s", ", ".join(ignored))
        seed = min(99, max(0, int(seed))) if isinstance(seed, int | float) else 0
        super().__init__(scenario, seed=seed, **kept)


def model_params(scenario: str = DEFAULT_SCENARIO, seed: int = 0) -> dict[str, Any]:
    """SolaraViz's user inputs: names are ``CXCultureModel`` keyword arguments."""
    levers = load_scenario(scenario).parameters.levers
    params: dict[str, Any] = {
        "scenario": {"type": "Select", "value": scenario, "label": "Scenario",
                     "values": sorted(shipped_scenarios())},
    }
    for name in LEVERS:
        params[name] = {"type": "SliderFloat", "value": round(getattr(levers, name), 2),
                        "min": 0.0, "max": 1.0, "step": 0.05, "label": LEVER_LABELS[name]}
    params["seed"] = {"type": "SliderInt", "value": seed, "min": 0, "max": 99, "step": 1,
                      "label": "Random seed"}
    return params


def _clock(model: CXCultureModel) -> str:
    months = [m for w, m in model.month_ends.items() if w <= model.week]
    return (f"Week {model.week} of {model.weeks} (month {max(months, default=0)} reported), "
            f"{model.scenario_name}, seed {model.seed}")


def voice_loop_figure(model: CXCultureModel) -> Figure:
    """Monthly voice-loop outputs from the model's DataCollector."""
    monthly = model.datacollector.get_model_vars_dataframe()
    figure, (counts, rate) = plt.subplots(1, 2, figsize=(9, 3.2), layout="constrained")
    months = monthly["month"].to_numpy()
    for column, label in (("problems_surfaced", "surfaced in the month"),
                          ("problems_fixed", "fixed in the month"),
                          ("problems_silent", "silent (open, unvoiced)")):
        counts.plot(months, monthly[column], marker="o", label=label)
    counts.set(xlabel="month", ylabel="pain points", xlim=(-0.3, model.weeks / 52 * 12 + 0.3))
    counts.legend(fontsize=8, loc="upper left")
    rate.plot(months, monthly["speak_up_rate"], marker="o", color="tab:purple")
    rate.set(xlabel="month", ylabel="% of problems met that were voiced", ylim=(0, 100),
             xlim=counts.get_xlim())
    figure.suptitle("Voice loop, month by month", fontsize=10)
    return figure


def team_beliefs(model: CXCultureModel) -> np.ndarray:
    """One row per person, from the Employee and Manager agents: team, frontline, then the
    beliefs of ``BELIEFS``."""
    names = ["team", "frontline", *(name for name, _ in BELIEFS)]
    rows = [row for kind in (Employee, Manager) if kind in model.agents_by_type
            for row in model.agents_by_type[kind].get(names)]
    return np.array(rows, dtype=float).reshape(-1, len(names))


def team_figure(model: CXCultureModel, rows: np.ndarray | None = None) -> Figure:
    """Each team's mean and its members' middle 80% for safety, cynicism and orientation."""
    rows = team_beliefs(model) if rows is None else rows
    teams = np.unique(rows[:, 0])
    members = [rows[rows[:, 0] == team] for team in teams]
    frontline = np.array([bool(m[0, 1]) for m in members])
    figure, axes = plt.subplots(1, len(BELIEFS), figsize=(11, 3.2), layout="constrained",
                                sharey=True)
    for column, (ax, (_, label)) in enumerate(zip(axes, BELIEFS, strict=True), start=2):
        means = np.array([m[:, column].mean() for m in members])
        low = np.array([np.quantile(m[:, column], 0.1) for m in members])
        high = np.array([np.quantile(m[:, column], 0.9) for m in members])
        order = np.argsort(means, kind="stable")
        x = np.arange(teams.size)
        ax.fill_between(x, low[order], high[order], color="tab:blue", alpha=0.2,
                        label="members, 10-90%")
        ax.plot(x, means[order], color="tab:blue", lw=1.2, label="team mean")
        front = frontline[order]
        ax.scatter(x[front], means[order][front], s=9, color="tab:orange", zorder=3,
                   label="frontline team")
        ax.set(ylim=(0, 1), xlabel="teams, in order of their mean")
        ax.set_title(f"{label}: mean {float(rows[:, column].mean()):.2f}", fontsize=10)
    axes[0].set_ylabel("0-1")
    axes[0].legend(fontsize=7, loc="upper left")
    figure.suptitle("By team, this week", fontsize=10)
    return figure


def _text(tag: str, text: str, css_class: str) -> Any:
    return solara.HTML(tag=tag, unsafe_innerHTML=html.escape(text), classes=[css_class])


def _png(figure: Figure, classes: list[str]) -> Any:
    with solara.Column(classes=classes):
        solara.FigureMatplotlib(figure, format="png")
    plt.close(figure)


def voice_loop(model: CXCultureModel) -> None:
    """The clock, the month so far and the monthly voice loop (in the current component)."""
    tally = model.tally
    with solara.Column(classes=["cx-voice-loop"]):
        _text("b", _clock(model), "cx-week")
        _text("div", f"This month so far: {tally.problems_met} customer problems met, "
                     f"{tally.spoke_up} voiced, {tally.blamed} messengers blamed, "
                     f"{tally.surfaced} problems surfaced, {tally.fixed} fixed.",
              "cx-month-so-far")
        _png(voice_loop_figure(model), ["cx-voice-chart"])


def team_distributions(model: CXCultureModel) -> None:
    """Safety, cynicism and orientation by team (in the current component)."""
    rows = team_beliefs(model)
    means = ", ".join(f"{label.lower()} {rows[:, i].mean():.2f}"
                      for i, (_, label) in enumerate(BELIEFS, start=2))
    with solara.Column(classes=["cx-teams"]):
        _text("div", f"Organisation means this week: {means}.", "cx-team-means")
        _png(team_figure(model, rows), ["cx-teams-chart"])


@solara.component
def Panels(model: CXCultureModel) -> None:  # noqa: N802 (a Solara component)
    from mesa.visualization.utils import update_counter

    update_counter.get()  # Mesa's signal after every step: redraw
    with solara.Column(classes=["cx-panels"], style={"padding": "12px"}):
        voice_loop(model)
        team_distributions(model)


def page(scenario: str = DEFAULT_SCENARIO, seed: int = 0) -> None:
    """Build the page inside the current Solara component: Mesa's SolaraViz (controls and model
    parameters) over one organisation of ``scenario`` seeded with ``seed``, then the panels.

    The panels are drawn beside SolaraViz rather than as its ``components``: SolaraViz lays those
    out with Solara's GridDraggable, a Vue 2 widget that shows nothing under ipyvuetify 3 (what the
    project's Solara runs on today). Both share one reactive model, so Reset (a new model from the
    parameters) and Step (Mesa's ``update_counter``) redraw them.
    """
    from mesa.visualization import SolaraViz

    initial = solara.use_memo(lambda: AppModel(scenario, seed=seed), [])
    model = solara.use_reactive(initial)
    SolaraViz(model, components=[], model_params=model_params(scenario, seed),
              play_interval=PLAY_INTERVAL_MS, name="cxsim: one organisation, week by week")
    Panels(model.value)


# Solara 1.58 is built on Vuetify 2; under ipyvuetify 3 its app layout gives the page a NaN left
# offset (--v-layout-left), so the sidebar covers the app bar and the page's left side.
_VUETIFY3_LAYOUT_CSS = """
.v-main.solara-content-main { --v-layout-left: 400px !important; }
.v-app-bar.v-toolbar { left: 400px !important; width: calc(100% - 400px) !important; }
"""


def _vuetify_major() -> int:
    import ipyvuetify

    return int(ipyvuetify.__version__.split(".")[0])


@solara.component
def Page() -> None:  # noqa: N802 (the name solara-server looks up)
    solara.Title("cxsim: one organisation, week by week")
    if _vuetify_major() >= 3:
        solara.Style(_VUETIFY3_LAYOUT_CSS)
    page()


# -- serving ------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    """Serve the app until interrupted, as the dashboard is served (``dashboard.server``): the
    host checked, Host and Origin of every request checked, Solara's debug endpoints closed."""
    from cxsim.experiments.dashboard.server import serve_solara
    from cxsim.model import ScenarioError

    parser = argparse.ArgumentParser(prog="python -m cxsim.experiments.mesa_app",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=DEFAULT_HOST,
                        help=f"interface to listen on (default {DEFAULT_HOST}, this machine only)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help=f"port (default {DEFAULT_PORT})")
    args = parser.parse_args(argv)
    try:
        return serve_solara("cxsim.experiments.mesa_app", args.host, args.port,
                            label="mesa app", exposure="run simulations on this machine")
    except ScenarioError as error:
        sys.stderr.write(f"cxsim: error: mesa app: {error}\n")
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
