"""The dashboard's Solara page: the controls, the charts and the month-12 table.

solara-server loads this module (``server.py`` starts it) and shows :func:`Page` in
:func:`Layout`. Everything the page shows comes from ``compute``; values from the browser go
through its checks (scenario allow-list, clamped settings, runs and seed), and one that fails
them is ignored. An error, a refused value included, reaches the page as one generic line
(:data:`ERROR_LINE`); its details go to the server's log. :func:`Page` catches whatever the
dashboard raises, so Solara never shows the page a traceback (with the text of the error).

Every control has a name a screen reader announces (a slider's is its label), each chart (a
:class:`Chart`, drawn in the browser by Vega-Lite from the server's copy of its scripts) is an
image to a screen reader with its content in words (``alt``), and the layout reflows: the controls
beside the charts on a wide screen, above them below :data:`NARROW` pixels, each chart shown at
its size (where its text is readable) and as many a row as fit.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Callable
from html import escape
from pathlib import Path
from string import Template
from typing import Any

import ipyvuetify
import solara
import traitlets

from cxsim.experiments import style
from cxsim.experiments.dashboard import compute
from cxsim.experiments.statistics import DEFAULT_SEED
from cxsim.model.catalogue import RAG_COLOURS, RAG_WORDS

log = logging.getLogger("cxsim.dashboard")
ERROR_LINE = "Something went wrong; the server's log has the details."
INVALID = (TypeError, ValueError, OverflowError)  # what checking a value from the page raises
# below this width (CSS px) the charts beside the controls would get one chart a row: the
# controls go above the charts instead (in columns), the charts below (two or three a row)
NARROW = 1180

CSS = Template("""
.cx-page { padding: 14px 24px 24px 24px; max-width: 1900px; font-family: Roboto, sans-serif; }
.cx-page h1 { font-size: 24px; font-weight: 500; margin: 0 0 2px 0; }
.cx-subtitle { color: #444; font-size: 14px; margin-bottom: 10px; }
.cx-main { flex-wrap: nowrap; }
.cx-controls { width: 370px; min-width: 370px; background: #f6f7f9; border-radius: 8px;
               padding: 10px 16px !important; }
.cx-controls h4 { font-size: 15px; font-weight: 600; margin: 12px 0 4px 0; }
.cx-setting-label { font-size: 14px; font-weight: 500; display: flex;
                    justify-content: space-between; }
.cx-setting-meaning { font-size: 12px; color: #555; line-height: 1.25; }
.cx-setting .v-input { margin-top: 0 !important; }
.cx-setting .v-messages { display: none; }
.cx-results { flex: 1 1 auto; min-width: 0; }
.cx-panels { display: flex; flex-wrap: wrap; gap: 10px 14px; }
/* a chart is shown at its size (where its smallest text is 11 px), as many a row as fit */
.cx-panel { flex: 0 0 auto; }
.cx-legend { list-style: none; padding: 0; margin: 0; display: flex; flex-wrap: wrap;
             gap: 4px 20px; font-size: 13px; color: #333; }
.cx-legend li { display: flex; align-items: center; gap: 6px; }
.cx-note { font-size: 13px; color: #444; line-height: 1.4; max-width: 1300px; }
.cx-error { font-size: 14px; color: #b03a2e; font-weight: 500; }
.cx-changes { font-size: 14px; }
.cx-headline table { border-collapse: collapse; font-size: 14px; }
.cx-headline th, .cx-headline td { padding: 4px 12px; border-bottom: 1px solid #ddd; }
.cx-headline th { text-align: left; font-weight: 600; }
.cx-headline td.num { text-align: right; font-variant-numeric: tabular-nums; }
.cx-headline td.better { color: #1e7b34; font-weight: 600; }
.cx-headline td.worse { color: #b03a2e; font-weight: 600; }
.cx-export-path code { font-size: 13px; }
.cx-download a { font-size: 14px; font-weight: 500; margin-left: 8px; }
@media (max-width: ${narrow}px) {
  .cx-page { padding: 12px 16px 20px 16px; }
  .cx-main { flex-wrap: wrap; }
  /* the controls take the page's width, their groups side by side, so that they are not one
     tall strip above the charts */
  .cx-controls { display: grid !important; grid-template-columns: 1fr 1fr; column-gap: 28px;
                 grid-template-areas: "scenario levers" "anti simulation";
                 width: 100%; min-width: 0; }
  .cx-group { align-self: start; }
  .cx-group .v-input { flex: 0 0 auto; }
  .cx-group-scenario { grid-area: scenario; }
  .cx-group-levers { grid-area: levers; }
  .cx-group-anti { grid-area: anti; }
  .cx-group-simulation { grid-area: simulation; }
  .cx-results { flex-basis: 100%; }
}
@media (min-width: 960px) and (max-width: ${narrow}px) {
  /* three columns: the simulation settings under the levers, beside the longer groups */
  .cx-controls { grid-template-columns: 1fr 1fr 1fr;
                 grid-template-areas: "scenario levers anti" "scenario simulation anti"; }
}
@media (max-width: 620px) {
  .cx-controls { grid-template-columns: 1fr;
                 grid-template-areas: "scenario" "levers" "anti" "simulation"; }
}
""").substitute(narrow=NARROW) + "".join(
    f".cx-headline td.{status} {{ background: {colour}; }}\n"
    for status, colour in RAG_COLOURS.items())


def headline_html(view: compute.View, name: str) -> str:
    """The table under the charts: each panel's metric at the last month."""
    runs = f"{view.replicates} run{'s' if view.replicates > 1 else ''}"
    head = (f"<tr><th>At month {view.month} (mean of {runs})</th><th>your settings</th>"
            f"<th>'{escape(compute.scenario_title(name))}' as shipped</th>"
            "<th>difference (green: better)</th>"
            "<th>target</th></tr>")
    body = ""
    for row in view.rows:
        tone = {True: " better", False: " worse", None: ""}[row.better]
        rag = f" {row.status}" if row.status else ""
        title = f" title='{escape(RAG_WORDS[row.status])}'" if row.status else ""
        body += (f"<tr><td>{escape(row.metric.plain_label)}</td>"
                 f"<td class='num{rag}'{title}><b>{escape(row.text(row.now))}</b></td>"
                 f"<td class='num'>{escape(row.text(row.was))}</td>"
                 f"<td class='num{tone}'>{escape(row.change_text)}</td>"
                 f"<td class='num'>{escape(row.target_text or '-')}</td></tr>")
    return f"<table>{head}{body}</table>"


def _swatch(body: str) -> str:
    return f"<svg width='30' height='14' aria-hidden='true'>{body}</svg>"


def legend_html(view: compute.View, name: str) -> str:
    """What the lines and bands of the charts are (one legend for all six, in the page)."""
    runs = f"{view.replicates} run{'s' if view.replicates > 1 else ''}"
    line = "<line x1='1' y1='7' x2='29' y2='7' stroke='{}' stroke-width='{}' {}/>"
    band = ("<rect x='1' y='2' width='28' height='10' fill='{0}' fill-opacity='{1}' "
            "stroke='{0}' {2}/>")
    items = [
        (line.format(style.SCENARIO, 2.6, ""), f"your settings: mean of {runs}"),
        (band.format(style.SCENARIO, 2 * style.INNER_ALPHA, ""), "middle 50% of the runs"),
        (band.format(style.SCENARIO, 2 * style.OUTER_ALPHA, "stroke-dasharray='1.5 2'"),
         "90% of the runs"),
        (line.format(style.BASELINE, 2, "stroke-dasharray='5 3'"),
         f"'{escape(compute.scenario_title(name))}' as shipped: mean"),
        (line.format(style.TARGET, 1.5, "stroke-dasharray='5 3'"),
         "target (Metrics That Matter)"),
    ]
    return "".join(f"<li>{_swatch(svg)}<span>{text}</span></li>" for svg, text in items)


def download_link(path: Path) -> str:
    """An HTML link that downloads the file (its content inlined as a data URL)."""
    payload = base64.b64encode(path.read_bytes()).decode("ascii")
    return (f"<a class='cx-download-link' download='{escape(path.name)}' "
            f"href='data:application/toml;base64,{payload}'>Download {escape(path.name)}</a>")


def html(text: str, classes: list[str] | None = None, tag: str = "div") -> Any:
    return solara.HTML(tag=tag, unsafe_innerHTML=text, classes=classes or [])


@solara.component
def Layout(children: Any = ()) -> Any:  # noqa: N802 (a component)
    # no app bar or drawer: the page lays itself out
    return solara.Column(children=list(children), style={"padding": "0"})


@solara.component
def SettingSlider(key: str, value: float, shipped: float, on_value: Any,  # noqa: N802
                  inert: str | None = None) -> None:
    label, meaning = compute.SETTINGS[key]
    name = key.split(".", 1)[1]
    mark = "" if abs(value - shipped) < 1e-9 else f" (shipped {shipped:.2f})"
    with solara.Column(gap="0px", classes=["cx-setting", f"cx-setting-{name}"]):
        html(f"<span>{escape(label)}</span><span class='cx-value'>{value:.2f}"
             f"<small>{mark}</small></span>", ["cx-setting-label"])
        html(escape(meaning), ["cx-setting-meaning"])
        if inert:
            html(escape(inert), ["cx-setting-meaning", "cx-inert"])
        named_slider(label, value, on_value, compute.SETTING_LOW, compute.SETTING_HIGH,
                     compute.SETTING_STEP)


class NamedSlider(ipyvuetify.VuetifyTemplate):
    """Vuetify's slider with an accessible name: the thumb (role "slider") is labelled by
    ``name`` (the Vuetify 3 build that Solara serves gives it no name, whatever its props).
    ``v_model`` is whatever the page sends; the callbacks check it."""

    v_model = traitlets.Any(0).tag(sync=True)
    name = traitlets.Unicode("").tag(sync=True)
    label = traitlets.Unicode("").tag(sync=True)
    min = traitlets.Float(0).tag(sync=True)
    max = traitlets.Float(1).tag(sync=True)
    step = traitlets.Float(0.01).tag(sync=True)
    template = traitlets.Unicode("""
<template>
  <v-slider v-model="v_model" :min="min" :max="max" :step="step" :label="label || undefined"
            :thumb-label="false" hide-details></v-slider>
</template>
<script>
module.exports = {
  mounted() { this.named(); },
  updated() { this.named(); },
  watch: { name() { this.named(); } },
  methods: {
    named() {
      const thumb = this.$el && this.$el.querySelector && this.$el.querySelector('[role=slider]');
      if (thumb) { thumb.setAttribute('aria-label', this.name); }
    },
  },
};
</script>
""").tag(sync=True)


class Chart(ipyvuetify.VuetifyTemplate):
    """One chart drawn in the browser by Vega-Lite (as ``solara.FigureAltair``, whose widget
    loads Vega from unpinned paths the offline asset cache does not hold): the scripts come
    from this server's ``_solara/cdn`` (the solara-assets copies of :data:`VEGA`). The frame is
    an image to a screen reader, named ``alt``; the drawing inside is hidden from it. When a
    spec is drawn the frame's ``data-drawn`` is its ``key``.

    The first spec of a ``shape`` (``Panel.shape``: the chart without its numbers) is compiled
    to Vega here, with the value axis's limits as two signals, and embedded; a later spec of the
    same shape only replaces the view's datasets and sets the signals (a Vega view's update,
    a few milliseconds, where compiling and embedding again takes tens)."""

    # JSON text, not a Dict: reacton walks every nested value of an element's props on each
    # render, and six specs of a few thousand values each made a render after a slider moved
    # take over 100 ms
    spec = traitlets.Unicode("{}").tag(sync=True)
    key = traitlets.Unicode("").tag(sync=True)
    shape = traitlets.Unicode("").tag(sync=True)
    alt = traitlets.Unicode("").tag(sync=True)
    name = traitlets.Unicode("").tag(sync=True)
    width = traitlets.Int(0).tag(sync=True)
    height = traitlets.Int(0).tag(sync=True)
    vega = traitlets.Dict({}).tag(sync=True)
    template = traitlets.Unicode("""
<template>
  <div :class="['cx-panel', 'cx-panel-' + name]" role="img" :aria-label="alt"
       :data-width="width" :data-drawn="drawn"
       :style="{width: width + 'px', minHeight: height + 'px'}">
    <div ref="plot" aria-hidden="true"></div>
  </div>
</template>
<script>
module.exports = {
  data() { return { drawn: "" }; },
  mounted() { this.draw(); },
  destroyed() { if (this.view) { this.view.finalize(); } },
  watch: { key() { this.draw(); } },
  methods: {
    cdn() {
      if (window.solara && window.solara.cdn) { return window.solara.cdn; }
      let base = document.body.dataset.baseUrl || document.baseURI;
      return (base.endsWith('/') ? base : base + '/') + '_solara/cdn';
    },
    load() {
      if (!window.cxVega) {
        const paths = {};
        for (const [name, path] of Object.entries(this.vega)) {
          paths[name] = this.cdn() + '/' + path;
        }
        requirejs.config({ map: { '*': paths } });
        window.cxVega = new Promise((resolve, reject) => {
          requirejs(['vega', 'vega-lite', 'vega-embed'],
                    (v, vl, embed) => resolve({ vl: vl, embed: embed }), reject);
        });
      }
      return window.cxVega;
    },
    async draw() {
      const key = this.key, spec = JSON.parse(this.spec), shape = this.shape;
      const vega = await this.load();
      if (key !== this.key) { return; }  // a newer spec came while Vega loaded
      const [low, high] = spec.layer[0].encoding.y.scale.domain;
      if (this.view && shape === this.viewShape) {
        // the same chart with new numbers: update the view in place
        this.view.signal('cx_low', low).signal('cx_high', high)
          .data('months', spec.datasets.months).data('foot', spec.datasets.foot);
        await this.view.runAsync();
        if (key === this.key) { this.drawn = key; }
        return;
      }
      const compiled = vega.vl.compile(spec).spec;
      for (const scale of compiled.scales) {
        if (scale.name === 'y') { scale.domain = { signal: '[cx_low, cx_high]' }; }
      }
      compiled.signals = (compiled.signals || []).concat(
        [{ name: 'cx_low', value: low }, { name: 'cx_high', value: high }]);
      const result = await vega.embed(this.$refs.plot, compiled,
                                      { actions: false, renderer: 'svg', mode: 'vega' });
      if (key !== this.key) { result.view.finalize(); return; }
      if (this.view) { this.view.finalize(); }
      this.view = result.view;
      this.viewShape = shape;
      this.drawn = key;
    },
  },
};
</script>
""").tag(sync=True)


# the Vega builds of solara-assets (share/solara/cdn), pinned: an unpinned path would be
# fetched from the CDN, which the server keeps closed
VEGA = {"vega": "vega@5.21.0/build/vega.min.js",
        "vega-lite": "vega-lite@5.2.0/build/vega-lite.min.js",
        "vega-embed": "vega-embed@6.20.2/build/vega-embed.min.js"}


def charts(view: compute.View) -> list[Any]:
    """The six charts, each at its size and described in words."""
    return [Chart.element(spec=json.dumps(panel.spec), key=panel.key, shape=panel.shape,
                          alt=panel.alt, name=panel.metric.name, width=panel.width,
                          height=panel.height, vega=VEGA)
            for panel in view.panels]


def named_slider(name: str, value: float, on_value: Callable[[Any], None], low: float,
                 high: float, step: float, label: str = "") -> Any:
    """A :class:`NamedSlider` in the page."""
    return NamedSlider.element(v_model=value, on_v_model=on_value, name=name, label=label,
                               min=low, max=high, step=step)


def quoted(value: Any) -> str:
    """A value from the page, safe for one log line: quoted and cut short."""
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


@solara.component
def Page() -> None:  # noqa: N802 (a component)
    """The dashboard inside an error boundary: whatever it raises is logged, and the page shows
    the generic line and a button that starts it afresh."""
    # uncaught, Solara would show the page the traceback, the error's text included
    error, clear = solara.use_exception()

    def report() -> None:
        if error is not None:
            log.error("the dashboard failed", exc_info=error)

    solara.use_effect(report, [error])
    if error is None:
        Dashboard()
        return
    with solara.Column(classes=["cx-page"], gap="6px"):
        html(ERROR_LINE, ["cx-error"])
        solara.Button("Start again", icon_name="mdi-restore", on_click=clear, outlined=True)


@solara.component
def Dashboard() -> None:  # noqa: N802 (a component)
    """The controls, the charts, the month-12 table and the export."""
    names = compute.scenario_names()
    default = compute.default_scenario()
    scenario = solara.use_reactive(default)
    values = solara.use_reactive(compute.base_values(default))
    replicates = solara.use_reactive(compute.initial_replicates())
    seed = solara.use_reactive(DEFAULT_SEED)
    exported = solara.use_reactive(None)
    export_failed = solara.use_reactive(False)
    refused = solara.use_reactive(False)    # the page sent a value the checks refused

    def choose(name: Any) -> None:
        if not isinstance(name, str) or name not in names:  # only allow-listed names go on
            log.warning("refused a scenario name not on the allow-list: %s", quoted(name))
            refused.set(True)
            return
        scenario.set(name)
        values.set(compute.base_values(name))
        exported.set(None)
        export_failed.set(False)
        refused.set(False)

    def setter(key: str) -> Callable[[Any], None]:
        def set_value(value: Any) -> None:
            try:
                values.set({**values.value, key: compute.clean_setting(value)})
            except INVALID:
                log.warning("refused a setting %s = %s", key, quoted(value))
                refused.set(True)
                return
            exported.set(None)
            export_failed.set(False)
            refused.set(False)
        return set_value

    def checked(target: solara.Reactive[int], clean: Callable[[Any], int],
                what: str) -> Callable[[Any], None]:
        def set_value(value: Any) -> None:
            try:
                target.set(clean(value))
            except INVALID:
                log.warning("refused %s = %s", what, quoted(value))
                refused.set(True)
                return
            refused.set(False)
        return set_value

    name = scenario.value
    title = compute.scenario_title(name)
    shipped = compute.base_values(name)
    changes = compute.changed_settings(name, values.value)
    runs = compute.clean_runs(replicates.value)
    first_seed = compute.clean_seed(seed.value)
    state = (name, tuple(sorted(changes.items())), first_seed, runs)

    def calculate(cancel: Any) -> compute.View:
        try:
            return compute.compute_view(name, changes, first_seed, runs, cancel.is_set)
        except compute.Abandoned:
            # newer settings have started their own computation: keep showing the last view
            raise solara.util.CancelledError() from None
        except Exception:
            log.exception("computing the view of %r failed", state)
            raise

    view = solara.use_thread(calculate, dependencies=[state], intrusive_cancel=False)
    shown = view.value
    failed = view.state == solara.ResultState.ERROR
    busy = view.state in (solara.ResultState.STARTING, solara.ResultState.WAITING,
                          solara.ResultState.RUNNING) or (shown and shown.state != state)

    def export() -> None:
        try:
            path = compute.export_scenario(name, changes, seed=first_seed, replicates=runs)
        except Exception:
            log.exception("exporting %r failed", state)
            exported.set(None)
            export_failed.set(True)
            return
        exported.set(str(path))
        export_failed.set(False)

    solara.Title("cxsim dashboard: what if we change the culture levers?")
    solara.Style(CSS)
    with solara.Column(classes=["cx-page"], gap="6px"):
        html("What if we change the culture levers? The next 12 months, simulated", tag="h1")
        html("Choose a starting scenario, move the levers and anti-patterns on the left, and "
             "the charts show how customer churn, Net Promoter Score (NPS) and the culture "
             "would move month by month, against the scenario as shipped.", ["cx-subtitle"])
        with solara.Row(gap="24px", style={"align-items": "flex-start"}, classes=["cx-main"]):
            with solara.Column(classes=["cx-controls"], gap="2px"):
                with solara.Column(gap="2px", classes=["cx-group", "cx-group-scenario"]):
                    html("1. Starting scenario", tag="h4")
                    # the items show the scenario's title and the first sentence of its
                    # description; the value that comes back is its name, checked in choose()
                    solara.v.Select(label="Scenario", v_model=name, on_v_model=choose,
                                    items=[{"title": item["title"], "value": item["value"],
                                            "props": {"subtitle": item["subtitle"],
                                                      "lines": "two"}}
                                           for item in compute.scenario_choices()],
                                    item_title="title", item_value="value",
                                    item_props="props", hide_details=True,
                                    attributes={"aria-label": "Starting scenario"},
                                    class_="cx-scenario")
                    if refused.value:
                        html(ERROR_LINE, ["cx-error", "cx-refused"])
                    html(escape(compute.scenario_description(name)), ["cx-setting-meaning"])
                with solara.Column(gap="2px", classes=["cx-group", "cx-group-levers"]):
                    html("2. Levers (0 = weakest, 1 = strongest)", tag="h4")
                    inert = compute.inert_levers(name)
                    # keyed by the scenario: a new scenario makes new sliders, whose thumbs
                    # start at its values (an existing Vuetify slider that a person moved keeps
                    # its thumb where it was when the value is set from the server)
                    for key in compute.LEVERS:
                        SettingSlider(key, values.value[key], shipped[key], setter(key),
                                      inert.get(key)).key(f"{name}:{key}")
                with solara.Column(gap="2px", classes=["cx-group", "cx-group-anti"]):
                    html("3. Anti-patterns (0 = absent, 1 = full strength)", tag="h4")
                    for key in compute.ANTI_PATTERNS:
                        SettingSlider(key, values.value[key], shipped[key],
                                      setter(key)).key(f"{name}:{key}")
                with solara.Column(gap="2px", classes=["cx-group", "cx-group-simulation"]):
                    html("4. Simulation", tag="h4")
                    named_slider("Runs per setting", runs,
                                 checked(replicates, compute.clean_runs, "runs"), 1,
                                 compute.MAX_REPLICATES, 1, label=f"Runs per setting: {runs}")
                    solara.InputInt("Random seed of the first run", value=first_seed,
                                    on_value=checked(seed, compute.clean_seed, "the seed"))
                    solara.Button("Reset to the scenario as shipped", icon_name="mdi-restore",
                                  on_click=lambda: choose(name), outlined=True,
                                  classes=["cx-reset"])
            with solara.Column(gap="8px", classes=["cx-results"]):
                if changes:
                    said = "; ".join(f"{escape(compute.SETTINGS[k][0])} <b>{v:.2f}</b> "
                                     f"(shipped {shipped[k]:.2f})"
                                     for k, v in sorted(changes.items()))
                    html(f"<b>Your changes to '{escape(title)}':</b> {said}.", ["cx-changes"])
                else:
                    html(f"<b>No changes yet:</b> move a slider to see how '{escape(title)}' "
                         "would differ.", ["cx-changes"])
                solara.ProgressLinear(bool(busy))
                if failed:
                    html(ERROR_LINE, ["cx-error"])
                if shown is None:
                    if not failed:
                        html("Running the simulation...", ["cx-note"])
                    return
                html(legend_html(shown, shown.state[0]), ["cx-legend"], tag="ul")
                solara.Div(classes=["cx-chart", "cx-panels"], children=charts(shown))
                html(f"Solid blue line: the mean of {shown.replicates} simulated run"
                     f"{'s' if shown.replicates > 1 else ''} with your settings; darker blue "
                     "band (solid edges): where the middle half of the runs fall; lighter band "
                     "(dotted edges): where 90% of them fall. Each pair of runs uses its own "
                     "plausible description of the organisation (a draw from the calibrated "
                     "posterior), so the bands show what the case leaves uncertain as well as "
                     "chance. Dashed grey line: the starting scenario as shipped, on the same "
                     "random seeds and descriptions. Black dashed line: the target from the "
                     "culture dashboard ('Metrics That Matter'); a chart without one says "
                     "'no target set'; two slashes at the foot of a value axis: it does not "
                     "start at the scale's bottom. In the table, a value's colour "
                     f"says how it stands against its target: green {RAG_WORDS['green']}, "
                     f"amber {RAG_WORDS['amber']}, red {RAG_WORDS['red']}. Churn is the share "
                     "of customers expected to leave over a year at the current rate; "
                     "customers decide at renewal, so churn moves months after the culture "
                     "does. NPS is the percentage of promoters minus the percentage of "
                     "detractors. These are simulations of a stylised organisation, not "
                     "forecasts.", ["cx-note"])
                html(headline_html(shown, shown.state[0]), ["cx-headline"])
                with solara.Row(classes=["cx-export"], style={"align-items": "center"}):
                    solara.Button("Export these settings as a scenario file",
                                  icon_name="mdi-content-save", color="primary",
                                  on_click=export, classes=["cx-export-button"])
                    if exported.value:
                        html(download_link(Path(exported.value)), ["cx-download"])
                if export_failed.value:
                    html(ERROR_LINE, ["cx-error"])
                if exported.value:
                    html(f"Written to <code class='cx-export-file'>{escape(exported.value)}"
                         f"</code>; run it with <code>cxsim run {escape(exported.value)}</code>.",
                         ["cx-export-path", "cx-note"])
