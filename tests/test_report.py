"""The board pack (``cxsim report``): HTML, PDF and PowerPoint, on a small organisation."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from markupsafe import escape

from cxsim.experiments import report
from cxsim.experiments.compare import compare
from cxsim.experiments.files import FILE_MODE, MARKER
from cxsim.experiments.report import content
from cxsim.experiments.report.charts import draw_charts
from cxsim.experiments.report.html import render_html
from cxsim.experiments.statistics import headline
from cxsim.model import ScenarioError, load_scenario
from cxsim.model.catalogue import DASHBOARD, MATURITY, RAG_COLOURS, metric
from cxsim.model.cx_model import month_end_weeks

SMALL = {"organisation.employees": 90, "organisation.customers": 60}


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def require_system(ok: bool, reason: str) -> None:
    """System packages (.ci/run installs them): skip without them, except in CI, where fail."""
    if not ok:
        if in_ci():
            pytest.fail(f"{reason}; CI must install it")
        pytest.skip(reason)


def weasyprint_loads() -> bool:
    try:
        import weasyprint  # noqa: F401  (needs Pango from the system)
    except (ImportError, OSError):
        return False
    return True


SECTION_IDS = [key for key, _ in report.SECTIONS]


@pytest.fixture(scope="module")
def pack(tmp_path_factory) -> tuple[dict[str, Path], dict]:
    require_system(weasyprint_loads(), "WeasyPrint cannot load Pango: apt-get install "
                   "libpango-1.0-0 libpangoft2-1.0-0 (bash .ci/run does)")
    out = tmp_path_factory.mktemp("report")
    written = report.build_report(load_scenario("techops_programme", SMALL),
                                  load_scenario("baseline", SMALL), replicates=4, seed=3,
                                  workers=1, out=out, command=["pytest"])
    data = json.loads(written["json"].read_text())
    return written, data


def test_writes_every_format_and_nothing_else(pack) -> None:
    written, data = pack
    assert set(written) == {"html", "pdf", "pptx", "json"}
    out = written["html"].parent
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "report.html", "report.json",
                                                     "report.pdf", "report.pptx"]
    assert data["replicates"] == 4 and data["provenance"]["seeds"] == [3, 4, 5, 6]
    assert data["scenario"] == "techops_programme" and data["against"] == "baseline"
    assert data["statistic"] == "mean"
    for path in out.iterdir():   # the one atomic writer: 0644, no temporary left behind
        assert path.stat().st_mode & 0o777 == FILE_MODE, path.name


def test_html_is_one_self_contained_file(pack) -> None:
    written, _ = pack
    text = written["html"].read_text()
    assert text.startswith("<!DOCTYPE html>")
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", text, re.IGNORECASE)
    assert not re.search(r"url\(\s*['\"]?\s*(https?:)?//", text, re.IGNORECASE)
    assert "<script" not in text.lower() and "<link" not in text.lower()
    assert "@import" not in text
    images = re.findall(r'<img [^>]*src="([^"]+)"', text)
    assert len(images) >= 4
    assert all(src.startswith("data:image/png;base64,") for src in images)


def test_html_has_every_section_and_the_headline_numbers(pack) -> None:
    written, data = pack
    text = written["html"].read_text()
    for key in SECTION_IDS:
        assert f'<section id="{key}">' in text
    for row, m in zip(data["headline"], report.HEADLINE, strict=True):
        assert row["column"] == m.name
        assert m.fmt(row["scenario_mean"]) in text
        assert m.fmt(row["against_mean"]) in text
        assert str(escape(row["sentence"])) in text
    for word in ("customer-experience (CX)", "Net Promoter Score (NPS)",
                 "employee Net Promoter Score", "CSAT</b>: customer satisfaction"):
        assert word in text
    # the dashboard: every 001 §8 metric, a status per month by the catalogue's one rule
    assert [row["column"] for row in data["dashboard"]] == list(DASHBOARD)
    for row in data["dashboard"]:
        assert len(row["status"]) == 13
        m = metric(row["column"])
        # a scenario input is shown as one, not rated against its target (catalogue role)
        assert set(row["status"]) <= ({"input"} if m.is_input else {"green", "amber", "red"})
        assert row["label"] == m.plain_label and row["target"] == m.target
    assert "at least 80% of the target" in text
    # the maturity rubric from the catalogue: names and the rules the model checks
    for level in MATURITY:
        assert level.name in text
        assert str(escape(level.rule())) in text
    for rule in report.WARNINGS:
        assert rule.title in text
    # what the model does not claim: the counts from the calibration record
    free, figures = content.calibration_counts()
    assert f"{free} settings were tuned so that the model reproduces {figures} figures" in text


def test_pdf_pages_render_and_are_not_blank(pack, tmp_path) -> None:
    from PIL import Image

    written, _ = pack
    assert written["pdf"].read_bytes().startswith(b"%PDF")
    pdftoppm = shutil.which("pdftoppm")
    require_system(bool(pdftoppm), "pdftoppm is missing: apt-get install poppler-utils "
                   "(bash .ci/run does)")
    subprocess.run([pdftoppm, "-png", "-r", "50", str(written["pdf"]), str(tmp_path / "page")],
                   check=True, timeout=120)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= len(SECTION_IDS)
    for page in pages:
        pixels = np.asarray(Image.open(page).convert("L"), dtype=float)
        assert pixels.std() > 8, f"{page.name} looks blank"
        assert (pixels < 128).mean() > 0.005, f"{page.name} has almost no ink"
        # no near-empty page: ink on more than a fifth of the pixel rows above the footer (a
        # page of text half full has about a quarter; the former provenance page alone, 0.18)
        body = pixels[: int(pixels.shape[0] * 0.92)]
        assert (body.min(axis=1) < 200).mean() > 0.22, f"{page.name} is nearly empty"


def test_pptx_charts_and_tables_are_native_and_hold_the_packs_numbers(pack) -> None:
    from pptx import Presentation
    from pptx.enum.shapes import MSO_SHAPE_TYPE
    from pptx.opc.constants import RELATIONSHIP_TYPE as RT

    from cxsim.experiments.report.pptx import THEME

    written, data = pack
    deck = Presentation(str(written["pptx"]))
    slides = dict(zip(SECTION_IDS, deck.slides, strict=True))
    for key, slide in slides.items():
        assert slide.shapes.title.text.strip()
        assert len(slide.notes_slide.notes_text_frame.text) > 80, key
        # no pictures: a consultant can restyle, relabel and re-colour everything
        assert not [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE], key
    charts = {key: [s.chart for s in slide.shapes if s.has_chart]
              for key, slide in slides.items()}
    assert [len(charts[k]) for k in ("headline", "trajectories", "maturity", "warnings")] == [
        len(report.HEADLINE), 6, 1, len(report.WARNINGS)]
    # the numbers behind each chart are in the chart: the headline bars are the pack's means
    for chart, row in zip(charts["headline"], data["headline"], strict=True):
        values = list(chart.plots[0].series[0].values)
        assert values == pytest.approx([row["against_mean"], row["scenario_mean"]], abs=1e-4)
    months = [str(m) for m in range(data["month"] + 1)]
    for chart in charts["trajectories"] + charts["warnings"]:
        assert list(chart.plots[0].categories) == months
    # the dashboard is a native table, each month's cell coloured by the catalogue's status
    table = next(s.table for s in slides["dashboard"].shapes if s.has_table)
    first = data["dashboard"][0]
    assert [table.cell(1, 2 + j).text for j in range(13)] == [
        f"{v:.{first['decimals']}f}" for v in first["months"]]
    colour = str(table.cell(1, 2).fill.fore_color.rgb)
    assert colour == RAG_COLOURS[first["status"][0]][1:].upper()
    # series take their colours from the theme, whose accents are the project's style
    theme = deck.slide_master.part.part_related_by(RT.THEME).blob.decode()
    for slot, value in THEME.items():
        assert re.search(rf'<a:{slot}><a:srgbClr val="{value[1:].upper()}"/>', theme), slot
    line = charts["trajectories"][0].plots[0].series[-1].format.line
    assert line.color.theme_color is not None


def test_pdf_is_tagged_and_keeps_headings_with_their_charts(pack) -> None:
    written, _ = pack
    pdfinfo = shutil.which("pdfinfo")
    require_system(bool(pdfinfo), "pdfinfo is missing: apt-get install poppler-utils "
                   "(bash .ci/run does)")
    info = subprocess.run([pdfinfo, str(written["pdf"])], capture_output=True, text=True,
                          check=True, timeout=60).stdout
    assert re.search(r"^Tagged:\s+yes", info, re.M), info
    assert re.search(r"^Title:\s+Board pack", info, re.M), info
    pages = subprocess.run([shutil.which("pdftotext"), "-layout", str(written["pdf"]), "-"],
                           capture_output=True, text=True, check=True,
                           timeout=60).stdout.split("\f")
    listed = subprocess.run([shutil.which("pdfimages"), "-list", str(written["pdf"])],
                            capture_output=True, text=True, check=True, timeout=60).stdout
    with_images = {int(line.split()[0]) for line in listed.splitlines()[2:] if line.strip()}
    # a heading is never the last thing on its page, cut from the chart it introduces
    heading = "The leading measures month by month"
    page = next(i for i, text in enumerate(pages, start=1) if heading in text)
    assert page in with_images, f"the heading on page {page} is cut from its chart"


def test_levels_come_from_the_catalogue() -> None:
    assert {level.number: level.name for level in MATURITY} == report.LEVEL_NAMES
    assert {level.number: (level.description, level.rule())
                             for level in MATURITY} == report.LEVELS


def test_warning_rules() -> None:
    rising = pd.Series([30.0, 30.5, 31.0, 32.5, 40.0], index=range(5))
    cynicism = next(r for r in report.WARNINGS if r.column == "cynicism")
    assert cynicism.first_month(rising) == 3
    assert cynicism.first_month(rising * 0 + 30) is None
    response = next(r for r in report.WARNINGS if r.column == "survey_response_rate")
    assert response.first_month(pd.Series([40.0, 38.0, 34.9], index=range(3))) == 2
    assert response.first_month(pd.Series([40.0, 45.0, 50.0], index=range(3))) is None


def test_month_of_week_is_the_model_calendar() -> None:
    ends = month_end_weeks(52)                 # month m ends at week round(52 m / 12)
    month, expected = 1, {}
    for week in range(1, 53):
        expected[week] = month
        if ends.get(week) == month:
            month += 1
    assert {week: report.month_of_week(week) for week in range(1, 53)} == expected
    # where the old ceil(12 w / 52) rule put the week a month late
    assert [report.month_of_week(w) for w in (9, 22, 35, 48)] == [2, 5, 8, 11]
    assert report.month_of_week(4) == 1 and report.month_of_week(5) == 2
    assert report.month_of_week(52) == 12 and report.month_of_week(0) == 0   # the start


def test_not_claimed_counts_come_from_the_calibration_record(tmp_path) -> None:
    record = json.loads(content.CALIBRATION_RECORD.read_text())
    words = dict(content.not_claimed())
    fitted = words["The size of each effect is plausible, not measured."]
    assert (f"{len(record['free_parameters'])} settings were tuned so that the model reproduces "
            f"{len(record['targets'])} figures") in fitted
    small = tmp_path / "record.json"
    small.write_text(json.dumps({"free_parameters": [{}] * 3, "targets": [{}] * 5}))
    assert "3 settings were tuned so that the model reproduces 5 figures" in \
        content.not_claimed_markdown(small)
    assert content.not_claimed_markdown(small).startswith("- **It is not a forecast")
    assert "no calibration record" in dict(content.not_claimed(tmp_path / "missing.json"))[
        "The size of each effect is plausible, not measured."]
    # what the ranges cover follows how they were made
    assert "every description of the organisation" in words[
        "The ranges do not cover everything that is uncertain."]
    point = dict(content.not_claimed(parameters="point"))
    assert "only chance" in point["The ranges are narrower than the real uncertainty."]


@pytest.fixture(scope="module")
def small_pack() -> content.Pack:
    """A pack of two replicates, HTML charts only (no files)."""
    scenario = load_scenario("techops_programme", SMALL)
    against = load_scenario("baseline", SMALL)
    result = compare([against, scenario], replicates=2, seed=0)
    pack = content.analyse(result, scenario, against)
    pack.result = result
    draw_charts(result.monthly, pack, ("html",))
    return pack


def test_pack_figures_are_means_and_statuses_the_catalogue_rule(small_pack) -> None:
    monthly = small_pack.result.monthly
    for row in small_pack.headline:
        values = monthly[(monthly["scenario"] == "techops_programme")
                         & (monthly["month"] == 12)][row["column"]]
        assert row["scenario_mean"] == pytest.approx(headline(values))
    mine = monthly[monthly["scenario"] == "techops_programme"]
    for row in small_pack.dashboard:
        m = metric(row["column"])
        means = mine.groupby("month")[row["column"]].mean().to_numpy()
        assert row["months"] == pytest.approx(np.round(means, 3), abs=1e-3)
        assert row["status"] == [m.status(v) for v in mine.groupby("month")[row["column"]]
                                 .agg(headline)]


def test_html_escapes_what_scenarios_say(small_pack) -> None:
    import dataclasses

    sneaky = small_pack.scenario.named("techops_programme",
                                       "A <script>alert('x')</script> & <b>bold</b> claim.")
    document = render_html(dataclasses.replace(small_pack, scenario=sneaky))
    assert "<script" not in document and "<b>bold</b>" not in document
    assert "&lt;script&gt;" in document and "&amp;" in document


def test_timeline_months_follow_the_model_calendar() -> None:
    row = content.timeline_row({"kind": "story_sharing", "start_week": 9, "duration_weeks": 14,
                                "intensity": 1.0})
    assert row["months"] == "months 2-5" and row["weeks"] == "weeks 9-22"


def test_warnings_catch_cx_theater() -> None:
    theater = load_scenario("cx_theater", SMALL)
    baseline = load_scenario("baseline", SMALL)
    result = compare([baseline, theater], replicates=3, seed=0)
    rows = {w["column"]: w for w in report.warning_rows(result, theater, baseline)}
    assert rows["say_do_gap"]["scenario_first_month"] in (1, 2)
    assert rows["cynicism"]["scenario_first_month"] is not None
    assert rows["say_do_gap"]["against_first_month"] is None
    described = report.assumptions(theater, baseline)
    assert [(s["group"], s["scenario"]) for s in described["settings"]] == [
        ("Anti-pattern", 1.0)]
    assert described["timeline_added"] and not described["timeline_removed"]


def small_scenarios(directory: Path) -> tuple[Path, Path]:
    base = directory / "small_baseline.toml"
    base.write_text('name = "small_baseline"\ndescription = "Small."\nextends = "baseline"\n'
                    "[organisation]\nemployees = 90\ncustomers = 60\n")
    programme = directory / "small_programme.toml"
    programme.write_text('name = "small_programme"\ndescription = "Small programme."\n'
                         'extends = "techops_programme"\n'
                         "[organisation]\nemployees = 90\ncustomers = 60\n")
    return programme, base


def run(*args: str, module: str = "cxsim.experiments.cli_report") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", module, *args], capture_output=True, text=True,
                          timeout=300)


def test_command_line_writes_html_with_progress(tmp_path) -> None:
    programme, base = small_scenarios(tmp_path)
    out = tmp_path / "pack"
    result = run(str(programme), "--against", str(base), "--replicates", "2", "--format",
                 "html", "--workers", "1", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "report.html", "report.json"]
    assert "replicates" in result.stderr and "wrote" in result.stderr
    data = json.loads((out / "report.json").read_text())
    assert data["provenance"]["command"][:2] == ["cxsim", "report"]


@pytest.mark.parametrize("args", [
    ["no_such_scenario"],
    ["techops_programme", "--against", "no_such_baseline"],
    ["techops_programme", "--format", "html,docx"],
    ["techops_programme", "--format", ""],
    ["techops_programme", "--against", "techops_programme"],
    ["techops_programme", "--replicates", "0"],
])
def test_bad_input_is_one_line_exit_2_and_writes_nothing(tmp_path, args) -> None:
    out = tmp_path / "pack"
    result = run(*args, "--out", str(out))
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("cxsim: error: "), result.stderr
    assert not out.exists()


def test_python_m_report_runs_the_command(tmp_path) -> None:
    result = run("no_such_scenario", "--out", str(tmp_path / "x"),
                 module="cxsim.experiments.report")
    assert result.returncode == 2
    assert result.stderr.startswith("cxsim: error: ") and len(result.stderr.splitlines()) == 1


def test_parse_formats() -> None:
    assert report.parse_formats("pdf, HTML") == ("pdf", "html")
    assert report.parse_formats(["pptx"]) == ("pptx",)
    with pytest.raises(ScenarioError, match="html, pdf, pptx"):
        report.parse_formats("word")


def test_cxsim_report_is_wired_into_the_cli(tmp_path) -> None:
    from cxsim.experiments.cli import build_parser

    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command")
    if "report" not in commands.choices:
        pytest.skip("experiments.cli does not register `report` yet")
    result = run("report", "no_such_scenario", "--out", str(tmp_path / "x"),
                 module="cxsim.experiments.cli")
    assert result.returncode == 2
    assert result.stderr.startswith("cxsim: error: ") and len(result.stderr.splitlines()) == 1
