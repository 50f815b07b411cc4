"""Building a board pack: check the input, run the comparison, analyse, draw, render, write.

Every file is rendered in memory first and then written with the one atomic writer
(``experiments.files``, mode 0644), so a failure leaves nothing half-written; bad input (an
unknown scenario, a bad format name, a scenario against itself) raises
:class:`model.ScenarioError` before anything runs. The renderers are imported when they are
needed, so importing this module (as the command line does) stays cheap.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Callable, Sequence
from pathlib import Path

from cxsim.experiments.compare import compare
from cxsim.experiments.files import result_set
from cxsim.experiments.report.content import analyse
from cxsim.experiments.statistics import DEFAULT_REPLICATES, DEFAULT_SEED
from cxsim.model import Scenario, ScenarioError, load_scenario

FORMATS = ("html", "pdf", "pptx")
_NEEDS = {"pdf": ("weasyprint", "weasyprint"), "pptx": ("pptx", "python-pptx")}


def parse_formats(text: str | Sequence[str]) -> tuple[str, ...]:
    """'html,pdf' -> ('html', 'pdf'); an unknown or missing name is a ScenarioError, and so is
    a format whose Python package is not installed."""
    items = text.split(",") if isinstance(text, str) else list(text)
    names = [item.strip().lower() for item in items if item.strip()]
    bad = [n for n in names if n not in FORMATS]
    if bad or not names:
        raise ScenarioError("--format", "format", ",".join(bad) if bad else str(text),
                            f"a comma-separated list of {', '.join(FORMATS)}")
    for name in names:
        module, package = _NEEDS.get(name, (None, None))
        if module is not None and importlib.util.find_spec(module) is None:
            raise ScenarioError("--format", "format", name,
                                f"needs the Python package {package} (pip install it) or leave "
                                "it out")
    return tuple(dict.fromkeys(names))


def check_pair(scenario: Scenario, against: Scenario) -> None:
    """A scenario is compared with another one, not with itself."""
    if scenario.name == against.name:
        raise ScenarioError("<command line>", "--against", against.name,
                            f"a scenario other than {scenario.name!r}")


def build_report(scenario: str | Scenario, against: str | Scenario = "baseline",
                 replicates: int = DEFAULT_REPLICATES, seed: int = DEFAULT_SEED,
                 workers: int = 1, formats: str | Sequence[str] = FORMATS,
                 out: str | Path | None = None, command: list[str] | None = None,
                 on_done: Callable[[int], None] | None = None,
                 on_step: Callable[[str], None] | None = None,
                 parameters: str = "posterior") -> dict[str, Path]:
    """Run the comparison and write the board pack into ``out`` as one result set (whole or
    absent, one writer at a time: :func:`~cxsim.experiments.files.result_set`); returns
    {format: path} (and 'json').

    ``on_done(n)`` reports replicates finished (of ``2 * replicates``); ``on_step(name)`` each
    rendering step. ``parameters`` is "posterior" (each pair of replicates on its own posterior
    draw) or "point" (``experiments.uncertainty``). Bad input raises :class:`model.ScenarioError`
    before anything runs.
    """
    from cxsim.experiments.report.charts import draw_charts
    from cxsim.experiments.report.html import render_html

    chosen = parse_formats(formats)
    scenario_, against_ = (s if isinstance(s, Scenario) else load_scenario(s)
                           for s in (scenario, against))
    check_pair(scenario_, against_)
    out = Path(out) if out is not None else Path("runs") / f"report-{scenario_.name}"
    step = on_step or (lambda name: None)
    with result_set(out) as staging:
        result = compare([against_, scenario_], replicates=replicates, seed=seed,
                         workers=workers, on_done=on_done, parameters=parameters)
        step("analysis")
        pack = analyse(result, scenario_, against_, command)
        draw_charts(result.monthly, pack, chosen, step)
        rendered: dict[str, bytes] = {}
        document = render_html(pack) if {"html", "pdf"} & set(chosen) else ""
        if "html" in chosen:
            rendered["html"] = document.encode("utf-8")
        if "pdf" in chosen:
            from cxsim.experiments.report.pdf import render_pdf

            step("PDF")
            rendered["pdf"] = render_pdf(document)
        if "pptx" in chosen:
            from cxsim.experiments.report.pptx import render_pptx

            step("PowerPoint")
            rendered["pptx"] = render_pptx(pack, result.monthly)
        rendered["json"] = (json.dumps(pack.data(), indent=2, default=str) + "\n").encode()
        step("writing")
        for kind, data in rendered.items():
            (staging / f"report.{kind}").write_bytes(data)
    return {kind: out / f"report.{kind}" for kind in rendered}
