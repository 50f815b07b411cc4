""":func:`analyse`: every table, chart and the REPORT.md of a finished sweep, in one folder.

The analysis of the sweep file's own outcome (its ``[discovery]``, or none) goes to
``DIR/analysis``; an analysis for another outcome (``analyse(DIR, outcome=...)``, ``cxsim
analyse DIR --outcome ...``) goes to ``DIR/analysis/outcome_NAME_OP_VALUE`` so that it never
replaces the first. REPORT.md is rendered from ``templates/report.md.j2``. The folder is a result
set (:func:`cxsim.experiments.files.result_set`): whole or absent, one writer at a time.
"""

from __future__ import annotations

import json
import os
import shutil
import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from importlib.resources import files
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, StrictUndefined

from cxsim.experiments.analysis.charts import (
    plot_morris,
    plot_prim,
    plot_sobol,
    plot_sobol_s2,
    plot_tornado,
)
from cxsim.experiments.analysis.grids import one_at_a_time, rank_swings, whatif
from cxsim.experiments.analysis.morris import morris_indices, morris_noise_floor, rank_morris
from cxsim.experiments.analysis.prim import canonical_outcome, discover
from cxsim.experiments.analysis.results import Results, load_results, parameter_meaning
from cxsim.experiments.analysis.sobol import rank_sobol, sobol_indices
from cxsim.experiments.analysis.statistics import (
    directions,
    index_warnings,
    noise_floor,
    noise_table,
    tornado_table,
)
from cxsim.experiments.analysis.writing import write_csv, write_page
from cxsim.experiments.files import ResultSetBusyError, result_set
from cxsim.experiments.sweep import MODELS, count_points, parse_spec
from cxsim.model.errors import Placeholder, ScenarioError

ANALYSIS = "analysis"
REPORT = "REPORT.md"
CHART_PREFIXES = ("sobol", "sobol_s2", "morris", "tornado", "whatif", "oat")
PRIM_COLUMNS = ["box", "coverage", "density", "mass", "parameter", "low", "high", "full_low",
                "full_high", "range_kept", "qp"]
METHODS = {"sobol": "Sobol (Saltelli sampling, SALib)", "morris": "Morris elementary effects "
           "(SALib)", "grid": "what-if grid", "oat": "one at a time"}


@dataclass
class Analysis:
    """What :func:`analyse` computed and wrote."""

    directory: Path                  # the sweep's directory
    report: Path                     # REPORT.md (its folder holds every other file)
    files: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    rankings: dict[str, list[str]] = field(default_factory=dict)
    discovery: dict[str, Any] | None = None

    @property
    def folder(self) -> Path:
        return self.report.parent

    def summary(self) -> str:
        """The first lines of each output's ranking and the discovery (no warnings: those are
        in :attr:`warnings`, for stderr)."""
        lines = []
        for output, words in self.rankings.items():
            lines.append(f"{output}:")
            lines += [f"  {w}" for w in words[:5]]
        if self.discovery:
            lines.append(f"scenario discovery, {self.discovery['outcome']}: "
                         f"{len(self.discovery['boxes'])} box(es)")
        return "\n".join(lines)


def analysis_folder(results: Results, outcome: str | None) -> tuple[Path, str | None]:
    """Where an analysis for ``outcome`` goes, and the outcome it runs (None: no discovery)."""
    own = results.spec.discovery.outcome if results.spec.discovery else None
    base = results.directory / ANALYSIS
    if outcome is None:
        return base, own
    text, slug = canonical_outcome(outcome, results.spec)
    if own is not None and canonical_outcome(own, results.spec, key="discovery.outcome")[0] == text:
        return base, own
    return base / f"outcome_{slug}", outcome


def analyse(directory: str | Path, outcome: str | None = None) -> Analysis:
    """Analyse a finished sweep; writes the folder :func:`analysis_folder` names.

    ``DIR/analysis`` is written whole or not at all (:func:`cxsim.experiments.files.result_set`):
    a failed or killed analysis leaves the previous one as it was, and a second analysis of the
    same sweep while one runs is refused with one line. Analyses of other outcomes (its
    ``outcome_*`` folders) are kept when the sweep's own is redone, and the reverse."""
    results = load_results(directory)
    final, outcome = analysis_folder(results, outcome)
    base = results.directory / ANALYSIS
    try:
        with result_set(base) as staging:
            _carry_over(base, staging, None if final == base else final.name)
            out = staging / final.relative_to(base)
            out.mkdir(parents=True, exist_ok=True)
            analysis = _write(results, outcome, out, final)
    except ResultSetBusyError:
        raise ScenarioError(str(base), "<folder>", Placeholder("<being written>"),
                            "a folder no other cxsim analyse is writing; wait for that one to "
                            "finish") from None
    except NotADirectoryError:
        raise ScenarioError(str(base), "<folder>", Placeholder("<a file>"),
                            "a folder for the analysis (move the file aside)") from None
    return analysis


def _link_or_copy(source: str, target: str) -> None:
    """Files of an earlier analysis are never changed in place (each is replaced by a rename),
    so the new set may share them: a hard link, else a copy."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _carry_over(base: Path, staging: Path, replacing: str | None) -> None:
    """Into the new set, what it does not replace: for the sweep's own analysis
    (``replacing=None``) the ``outcome_*`` folders of other outcomes; for another outcome's,
    everything but that outcome's folder."""
    if not base.is_dir():
        return
    for entry in base.iterdir():
        if replacing is None:
            keep = entry.is_dir() and entry.name.startswith("outcome_")
        else:
            keep = entry.name != replacing and not entry.name.startswith(".")
        if not keep:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.copytree(entry, staging / entry.name, symlinks=True,
                            copy_function=_link_or_copy)
        elif entry.is_file() and not entry.is_symlink():
            _link_or_copy(str(entry), str(staging / entry.name))


def _write(results: Results, outcome: str | None, out: Path, final: Path) -> Analysis:
    """Every table, chart and REPORT.md into ``out``; the paths reported are under ``final``
    (where ``out`` will be once the set is whole)."""
    spec = results.spec
    analysis = Analysis(results.directory, final / REPORT)
    files = analysis.files
    noise = noise_table(results)
    analysis.tables["noise"] = noise
    files.append(write_csv(out / "noise.csv", noise))
    sobol = morris = None
    grids: dict[str, pd.DataFrame] = {}
    tornado = tornado_table(results)
    analysis.tables["tornado"] = tornado
    files.append(write_csv(out / "tornado.csv", tornado))
    if spec.method == "sobol":
        sobol, second = sobol_indices(results)
        analysis.tables["sobol"], analysis.tables["sobol_second_order"] = sobol, second
        files.append(write_csv(out / "sobol_indices.csv", sobol))
        if not second.empty:
            files.append(write_csv(out / "sobol_second_order.csv", second))
        for o in results.outputs:
            files.append(plot_sobol(sobol[sobol.output == o.name], o, results,
                                    out / f"sobol_{o.name}.png", noise_floor(noise, o.name)))
            if not second.empty:
                files.append(plot_sobol_s2(second[second.output == o.name], o, results,
                                           out / f"sobol_s2_{o.name}.png"))
        analysis.rankings = rank_sobol(results, sobol, directions(results), noise)
    elif spec.method == "morris":
        morris = morris_indices(results)
        analysis.tables["morris"] = morris
        files.append(write_csv(out / "morris.csv", morris))
        for o in results.outputs:
            files.append(plot_morris(morris[morris.output == o.name], o, results,
                                     out / f"morris_{o.name}.png",
                                     morris_noise_floor(results, noise, o.name)))
        analysis.rankings = rank_morris(results, morris, noise)
    elif spec.method == "grid":
        grid_files, grids = whatif(results, out)
        files += grid_files
        analysis.rankings = rank_swings(results, tornado, noise, grids)
    else:
        files += one_at_a_time(results, out)
        analysis.rankings = rank_swings(results, tornado, noise)
    for o in results.outputs:
        files.append(plot_tornado(tornado[tornado.output == o.name], o, results,
                                  out / f"tornado_{o.name}.png"))
    analysis.warnings = index_warnings(results, sobol, morris, noise)
    if outcome:
        found = discover(results, outcome)
        analysis.discovery = found
        rows = [{**{k: b[k] for k in PRIM_COLUMNS[:4]}, **{k: r[k] for k in PRIM_COLUMNS[4:]}}
                for b in found["boxes"] for r in b["restrictions"]]
        files.append(write_csv(out / "prim_boxes.csv", pd.DataFrame(rows, columns=PRIM_COLUMNS)))
        if found["trajectory"] is not None:
            files.append(plot_prim(found["trajectory"], found["outcome"],
                                   out / "prim_tradeoff.png"))
    files.append(write_page(out / REPORT, render_report(results, analysis)))
    files.append(write_page(out / "analysis.json", json.dumps({
        "outcome": outcome, "warnings": analysis.warnings, "rankings": analysis.rankings,
        "discovery": None if analysis.discovery is None else {
            k: v for k, v in analysis.discovery.items() if k != "trajectory"},
        "files": [str(f.name) for f in files]}, indent=2, default=str)))
    analysis.files = [final / f.relative_to(out) for f in files]
    return analysis


# -- REPORT.md ------------------------------------------------------------------------------------

def _template() -> Any:
    text = files("cxsim.experiments.analysis").joinpath("templates", "report.md.j2").read_text(
        encoding="utf-8")
    environment = Environment(autoescape=False, trim_blocks=True, lstrip_blocks=True,
                              keep_trailing_newline=True, undefined=StrictUndefined)
    return environment.from_string(text)


def _size(results: Results, points: int) -> str:
    spec, d = results.spec, len(results.names)
    if spec.method == "sobol":
        design = "N (2D + 2)" if spec.second_order else "N (D + 2)"
        return f"N = {spec.n} base samples, D = {d} parameters, {design} = {points:,} points"
    if spec.method == "morris":
        return (f"{spec.n} trajectories of D + 1 = {d + 1} points, {spec.num_levels} levels, "
                f"D = {d} parameters")
    if spec.method == "grid":
        counts = [results.points[n].nunique() for n in results.names]
        return ("a grid of " + " x ".join(str(c) for c in counts) + f" levels of D = {d} "
                f"parameters = {points:,} points")
    return f"one at a time: the base point and {points - 1} levels"


def _description(results: Results) -> tuple[str | None, str | None]:
    """The sweep file's description, or why it is left out: it is left out when it was written
    for another size (its run counts would be wrong here)."""
    spec, manifest = results.spec, results.manifest
    if not spec.description:
        return None, None
    description = " ".join(spec.description.split())
    try:
        original = parse_spec(tomllib.loads(manifest.get("sweep_file_text") or ""), "<file>")
    except (tomllib.TOMLDecodeError, ScenarioError, ValueError):
        return description, None
    points, replicates = int(manifest["points"]), results.replicates
    planned = count_points(original)
    if (planned, original.replicates) == (points, replicates):
        return description, None
    size = (f"n = {original.n}" if original.method in ("sobol", "morris") else
            f"{planned:,} points")
    return None, (f"The sweep file's description is left out: it was written for the file's own "
                  f"settings ({size}, {original.replicates} replicate(s)), not for this sweep's; "
                  "the figures here are measured from this sweep's results.")


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def timing(manifest: dict[str, Any]) -> str:
    """The sweep's wall time from its manifest's timestamps (``created``, ``resumed``,
    ``completed``), or why it is not known."""
    created, completed = manifest.get("created"), manifest.get("completed")
    try:
        span = (datetime.fromisoformat(str(completed))
                - datetime.fromisoformat(str(created))).total_seconds()
    except ValueError:
        return "not recorded in the manifest"
    resumed = manifest.get("resumed") or []
    created, completed = (datetime.fromisoformat(str(t)).strftime("%Y-%m-%d %H:%M:%S %Z")
                          for t in (created, completed))
    if not resumed:
        return f"{_duration(span)} of wall time (started {created}, completed {completed})"
    # each session's own running time is not stored, only when it started
    return (f"started {created}, resumed {len(resumed)} time(s), last completed {completed}: "
            f"{_duration(span)} from start to completion, pauses included")


def _blocks(lines: list[str]) -> list[str]:
    """Ranking lines as Markdown blocks: consecutive numbered lines form one list."""
    blocks: list[str] = []
    for line in lines:
        numbered = line[:1].isdigit()
        if numbered and blocks and blocks[-1][:1].isdigit():
            blocks[-1] += "\n" + line
        else:
            blocks.append(line)
    return blocks


def render_report(results: Results, analysis: Analysis) -> str:
    """REPORT.md: the sweep as run, its parameters, warnings, each output's drivers, and the
    scenario discovery."""
    spec, manifest = results.spec, results.manifest
    start = manifest.get("scenario", {})
    model = start.get("model", spec.model)
    origin = (f"scenario `{start['scenario']}`" if "scenario" in start else
              f"Python function `{start['function']}`" if "function" in start else
              f"`{model}`" + (f" ({MODELS[model].description})" if model in MODELS else ""))
    description, note = _description(results)
    parameters = []
    for name in results.names:
        unit, meaning = parameter_meaning(name)
        values = results.points[name].astype(float)
        parameters.append({"key": name, "low": float(values.min()), "high": float(values.max()),
                           "unit": unit, "description": meaning})
    outputs = []
    for o in results.outputs:
        stems = {f"{prefix}_{o.name}" for prefix in CHART_PREFIXES} | {f"whatif_{o.name}_pairs"}
        charts = [f.name for f in analysis.files if f.suffix in (".png", ".html")
                  and f.stem in stems]
        outputs.append({"name": o.name, "label": results.label(o), "charts": charts,
                        "blocks": _blocks(analysis.rankings.get(o.name, []))})
    return _template().render(
        name=spec.name, description=description, description_note=note,
        method=METHODS[spec.method], size=_size(results, int(manifest["points"])),
        points=int(manifest["points"]), replicates=results.replicates,
        runs=int(manifest["runs"]), seed=spec.seed, origin=origin, timing=timing(manifest),
        version=manifest["cxsim_version"], sweep_file=manifest["sweep_file"],
        outcome_folder=analysis.folder != results.directory / ANALYSIS,
        parameters=parameters, warnings=analysis.warnings, outputs=outputs,
        discovery=analysis.discovery)
