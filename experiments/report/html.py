"""The board pack as one self-contained HTML file, from the Jinja2 templates in ``templates/``.

The templates (package data, ``templates/*.html.j2``) hold the page's words around the numbers;
autoescaping is on, so every scenario name, description and note is escaped. Charts are inlined
as base64 PNG and the CSS as a ``<style>`` element: no scripts, no external requests. The same
HTML is what ``pdf.render_pdf`` prints.
"""

from __future__ import annotations

import base64
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from cxsim.experiments.report.content import (
    AVERAGE,
    GLOSSARY,
    HEADLINE,
    SECTION_TITLES,
    SECTIONS,
    VERDICT_WORDS,
    Pack,
    first_sentence,
    label,
    maturity_rows,
    maturity_sentence,
    provenance_rows,
    rag_rule_words,
    title_case,
    value_text,
    warnings_seen,
    warnings_summary,
)
from cxsim.model.catalogue import AMBER_SHARE, RAG_COLOURS


def data_uri(data: bytes) -> str:
    """A PNG as a data: URI for an <img src>."""
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def fixed(value: float, decimals: int = 1) -> str:
    return f"{value:.{decimals}f}"


@cache
def environment() -> Environment:
    """The templates' environment: autoescaped, and an undefined name is an error."""
    env = Environment(loader=PackageLoader("cxsim.experiments.report", "templates"),
                      autoescape=True, undefined=StrictUndefined, trim_blocks=True,
                      lstrip_blocks=True, keep_trailing_newline=True)
    env.filters.update(fixed=fixed, g=lambda value: f"{value:g}", setting=value_text,
                       percent=lambda share: f"{share:.0%}")
    env.globals["zip"] = zip
    return env


def context(pack: Pack) -> dict[str, Any]:
    """Everything the templates read: the pack and the words derived from it."""
    return {
        "pack": pack, "s": label(pack.scenario), "b": label(pack.against),
        "title": f"Board pack: {title_case(label(pack.scenario))} against {label(pack.against)}",
        "heading": f"{title_case(label(pack.scenario))} against {label(pack.against)}",
        "scenario_intro": first_sentence(pack.scenario.description),
        "against_intro": first_sentence(pack.against.description),
        "sections": SECTIONS, "titles": SECTION_TITLES,
        "cards": list(zip(pack.headline, HEADLINE, strict=True)),
        "verdict_words": VERDICT_WORDS, "average": AVERAGE,
        "images": {name: data_uri(data) for name, data in pack.charts.items()},
        "rag_colours": RAG_COLOURS, "rag_words": rag_rule_words(), "amber_share": AMBER_SHARE,
        "all_higher": all(row["better"] == "higher" for row in pack.dashboard),
        "months": len(pack.dashboard[0]["months"]),
        "maturity_sentence": maturity_sentence(pack), "maturity_rows": maturity_rows(pack),
        "warnings_seen": warnings_seen(pack), "warnings_summary": warnings_summary(pack),
        "not_claimed": pack.not_claimed, "glossary": GLOSSARY,
        "provenance_rows": provenance_rows(pack),
    }


def render_html(pack: Pack) -> str:
    """The pack as one HTML document (charts must be drawn: ``charts.draw_charts``)."""
    return environment().get_template("report.html.j2").render(context(pack))
