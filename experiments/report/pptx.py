"""The board pack as PowerPoint (python-pptx): one slide per section, every chart and table native
(PowerPoint line and bar charts with their numbers in the chart's own data sheet, PowerPoint
tables), and the plain-words explanation of each slide in its speaker notes.

The charts take their colours from the presentation's theme, not from fixed colours: the theme's
accents are set to the project's colour-blind-safe style (:data:`THEME`: accent 1 the option,
2 what it is compared against, 3 targets, 4 warnings), so a consultant who applies a client's
theme recolours every chart at once, and can relabel, restyle or edit the numbers of any chart
with "Edit Data". Axes are those of the HTML/PDF pack's charts (``style.value_limits``).
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import Any

import pandas as pd
from matplotlib.ticker import MaxNLocator

from cxsim.experiments import style
from cxsim.experiments.report.charts import fan_series
from cxsim.experiments.report.content import (
    AVERAGE,
    FAN_PANELS,
    GLOSSARY,
    HEADLINE,
    LEVEL_NAMES,
    SECTION_TITLES,
    WARNINGS,
    Pack,
    label,
    maturity_rows,
    maturity_sentence,
    monthly_figures,
    rag_rule_words,
    title_case,
    value_text,
    warnings_seen,
)
from cxsim.model.catalogue import RAG_COLOURS, Metric

Lines = str | list[str | tuple[str, str]]
# the theme's colour slots and what the charts use them for
THEME: dict[str, str] = {"dk2": "#12335F", "accent1": style.SCENARIO, "accent2": style.BASELINE,
                         "accent3": style.TARGET, "accent4": style.WARNING,
                         "accent5": style.SERIES[2], "accent6": style.SERIES[4]}
ROLES: dict[str, tuple[str, float, str | None]] = {   # theme slot, line width (pt), dash
    "scenario": ("accent1", 2.25, None), "scenario range": ("accent1", 0.75, "round_dot"),
    "baseline": ("accent2", 2.25, None), "baseline range": ("accent2", 0.75, "round_dot"),
    "target": ("accent3", 1.25, "dash"), "warning": ("accent4", 1.5, "round_dot"),
}


def set_theme(prs: Any) -> None:
    """Write :data:`THEME` into the presentation's colour scheme (named "cxsim")."""
    from pptx.opc.constants import RELATIONSHIP_TYPE as RT

    part = prs.slide_master.part.part_related_by(RT.THEME)
    xml = part.blob.decode("utf-8")
    for slot, colour in THEME.items():
        xml = re.sub(rf"<a:{slot}>.*?</a:{slot}>",
                     f'<a:{slot}><a:srgbClr val="{colour[1:].upper()}"/></a:{slot}>', xml,
                     count=1, flags=re.S)
    xml = re.sub(r'(<a:clrScheme name=")[^"]*', r"\g<1>cxsim", xml, count=1)
    part._blob = xml.encode("utf-8")    # a theme is a plain part: python-pptx has no setter


def nice_limits(m: Metric, values: Sequence[float]) -> tuple[float, float, float]:
    """The value axis of the HTML/PDF charts (``style.value_limits``), widened to the round ticks
    around it: (low, high, step)."""
    low, high = style.value_limits(m, min(values), max(values))
    ticks = MaxNLocator(5, steps=[1, 2, 2.5, 5, 10]).tick_values(low, high)
    step = float(ticks[1] - ticks[0])
    low = float(max(t for t in ticks if t <= low + 1e-9))
    high = float(min(t for t in ticks if t >= high - 1e-9))
    if m.bounds is not None:
        low, high = max(low, m.bounds[0]), min(high, m.bounds[1])
    return low, high, step


def notes(pack: Pack) -> dict[str, str]:
    """The speaker notes of each slide, by section key."""
    s, b = label(pack.scenario), label(pack.against)
    c = pack.dashboard_counts["scenario"]
    seen = warnings_seen(pack)
    words = rag_rule_words()
    return {
        "headline": " ".join(f"{r['sentence']} {r['range_sentence']} {r['uncertainty_words']}"
                             for r in pack.headline) + " " + pack.range_explained
        + f" Each option was simulated {pack.replicates} times with the same chance events; the "
        f"bars are the {AVERAGE} of the simulated years at month {pack.month}. "
        "Net Promoter Score is the percentage of customers who would recommend us minus the "
        "percentage who would not.",
        "trajectories": f"Blue is {s}, grey is {b}. The solid line is the {AVERAGE} of the "
        "simulated years; the dotted lines either side hold nine in ten of them. Culture "
        "measures move within months; churn follows as contracts come up for renewal. The dark "
        "dashed lines are the culture targets from the Metrics That Matter table; churn, NPS "
        "and revenue have none there.",
        "dashboard": f"The {len(pack.dashboard)} culture measures with their targets, month by "
        f"month under {s} ({AVERAGE} of the simulated years). Green: {words['green']}; amber: "
        f"{words['amber']}; red: {words['red']}; grey: {words['input']}. By month {pack.month}, "
        f"{c.get('green', 0)} of {len(pack.dashboard) - c.get('input', 0)} outcome targets are "
        f"met. The last column shows {b} at month "
        f"{pack.month} for comparison.",
        "maturity": maturity_sentence(pack)
        + " The levels follow the five-level maturity model of the source chapter; the model "
        "decides the level from the dashboard measures, as listed on the slide.",
        "warnings": (f"{len(seen)} warning signs appear under {s}: "
                     + "; ".join(f"{w['title'].lower()} from month {w['scenario_first_month']} "
                                 f"({w['rule']})" for w in seen) + "."
                     if seen else f"None of the warning signs appears under {s}.")
        + f" The rules are applied to the {AVERAGE} of the simulated years, each against the "
        "option's own starting level: " + "; ".join(f"{w['title']}: {w['rule']}"
                                                    for w in pack.warnings)
        + ". Each sign is typical of an anti-pattern: saying without doing (CX theater), surveys "
        "without action, too much change at once, a blame culture.",
        "assumptions": f"{s}: {pack.scenario.description} Compared with {b}: "
        f"{pack.against.description} Both simulate the same organisation; the slide lists what "
        "differs.",
        "limits": " ".join(f"{head} {text}" for head, text in pack.not_claimed),
        "provenance": "The command, seeds, scenario files, parameter fingerprints and software "
        "versions that reproduce this pack exactly. All parameter values are in report.json.",
    }


def render_pptx(pack: Pack, monthly: pd.DataFrame) -> bytes:
    """The slides as .pptx bytes, their charts drawn natively from ``monthly`` (the comparison's
    monthly table, both scenarios)."""
    from pptx import Presentation
    from pptx.chart.data import CategoryChartData
    from pptx.dml.color import RGBColor
    from pptx.enum.chart import (
        XL_CHART_TYPE,
        XL_LABEL_POSITION,
        XL_MARKER_STYLE,
        XL_TICK_LABEL_POSITION,
    )
    from pptx.enum.dml import MSO_LINE_DASH_STYLE, MSO_THEME_COLOR
    from pptx.util import Inches, Pt

    prs = Presentation()
    set_theme(prs)
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    months = sorted(int(m) for m in monthly["month"].unique())
    layout = prs.slide_layouts[5]         # title only
    spoken = notes(pack)
    navy, blue = (RGBColor.from_string(THEME[k][1:].upper()) for k in ("dk2", "accent1"))
    grey = RGBColor(0x55, 0x55, 0x55)

    def slide(key: str, title: str, subtitle: str = "") -> Any:
        new = prs.slides.add_slide(layout)
        heading = new.shapes.title
        heading.left, heading.top = Inches(0.4), Inches(0.25)
        heading.width, heading.height = Inches(12.5), Inches(0.7)
        heading.text = title
        para = heading.text_frame.paragraphs[0]
        para.font.size, para.font.bold = Pt(26), True
        para.font.color.theme_color = MSO_THEME_COLOR.TEXT_2      # dk2: the theme's navy
        para.alignment = 1
        if subtitle:
            text(new, subtitle, 0.4, 0.95, 12.5, 0.75, 13)
        new.notes_slide.notes_text_frame.text = spoken[key]
        return new

    def text(target: Any, body: Lines, left: float, top: float, width: float, height: float,
             size: float = 12, bold: bool = False, colour: Any = None, space: float = 0) -> Any:
        """A text box; a (head, rest) item is a paragraph with a bold head."""
        box = target.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
        frame = box.text_frame
        frame.word_wrap = True
        lines = body if isinstance(body, list) else [body]
        for i, line in enumerate(lines):
            para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
            parts = ([(line[0], True), (" " + line[1], bold)] if isinstance(line, tuple)
                     else [(line, bold)])
            for words, strong in parts:
                run = para.add_run()
                run.text = words
                run.font.size, run.font.bold = Pt(size), strong
                if colour is not None:
                    run.font.color.rgb = colour
            if space:
                para.space_after = Pt(space)
        return box

    def theme(slot: str) -> Any:
        return getattr(MSO_THEME_COLOR, f"ACCENT_{slot[-1]}")

    def line_chart(target: Any, months: Sequence[int], lines: list[tuple[str, Any, str]],
                   box: tuple[float, float, float, float], title: str,
                   axis: tuple[float, float, float], unit: str, size: float = 9) -> Any:
        """A native line chart: ``lines`` of (series name, values by month, role)."""
        data = CategoryChartData(number_format="0.0")
        data.categories = [str(m) for m in months]
        for name, values, _ in lines:
            data.add_series(name, [round(float(v), 4) for v in values])
        left, top, width, height = (Inches(v) for v in box)
        chart = target.shapes.add_chart(XL_CHART_TYPE.LINE, left, top, width, height,
                                        data).chart
        chart.has_legend = False
        chart.font.size = Pt(size)
        chart.has_title = True
        chart.chart_title.text_frame.text = title
        chart.chart_title.text_frame.paragraphs[0].font.size = Pt(size + 1)
        chart.chart_title.text_frame.paragraphs[0].font.bold = True
        values_axis = chart.value_axis
        values_axis.minimum_scale, values_axis.maximum_scale, values_axis.major_unit = axis
        values_axis.has_major_gridlines = True
        values_axis.major_gridlines.format.line.color.rgb = RGBColor(0xDD, 0xDD, 0xDD)
        values_axis.has_title = True
        values_axis.axis_title.text_frame.text = unit
        values_axis.axis_title.text_frame.paragraphs[0].font.size = Pt(size)
        months_axis = chart.category_axis
        months_axis.has_title = True
        months_axis.axis_title.text_frame.text = "Month"
        months_axis.axis_title.text_frame.paragraphs[0].font.size = Pt(size)
        months_axis.tick_label_position = XL_TICK_LABEL_POSITION.LOW
        for series, (_, _, role) in zip(chart.plots[0].series, lines, strict=True):
            slot, points, dash = ROLES[role]
            series.smooth = False
            series.marker.style = XL_MARKER_STYLE.NONE
            series.format.line.color.theme_color = theme(slot)
            series.format.line.width = Pt(points)
            if dash is not None:
                series.format.line.dash_style = getattr(MSO_LINE_DASH_STYLE, dash.upper())
        return chart

    def fan_lines(metric: Metric) -> tuple[list[tuple[str, Any, str]], list[float]]:
        """The average and 90% range of the option and of the baseline, and the target."""
        lines, seen = [], []
        for sc, role in ((pack.against, "baseline"), (pack.scenario, "scenario")):
            fan = fan_series(monthly, sc.name, metric.name)
            lines += [(f"{label(sc)}: 5% of simulated years", fan["p5"], f"{role} range"),
                      (f"{label(sc)}: 95% of simulated years", fan["p95"], f"{role} range")]
            seen += [float(fan["p5"].min()), float(fan["p95"].max())]
            lines.append((f"{label(sc)}: {AVERAGE}", fan["average"], role))
            seen += [float(fan["average"].min()), float(fan["average"].max())]
        if metric.target is not None:
            lines.append((f"target {metric.target:g}", [metric.target] * len(months), "target"))
            seen.append(float(metric.target))
        return lines, seen

    def table(target: Any, rows: list[list[str]], left: float, top: float, widths: list[float],
              size: float = 10, row_height: float = 0.3,
              fills: dict[tuple[int, int], str] | None = None) -> float:
        """A table, ``fills`` colouring cells by (row, column); returns its height in inches."""
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
                if fills and (i, j) in fills:
                    cell.fill.solid()
                    cell.fill.fore_color.rgb = RGBColor.from_string(fills[i, j][1:].upper())
                    for para in cell.text_frame.paragraphs:
                        para.font.color.rgb = RGBColor(0, 0, 0)
        return row_height * len(rows)

    def bar_chart(target: Any, m: Metric, row: dict[str, Any],
                  box: tuple[float, float, float, float]) -> Any:
        """The option's and the baseline's month-12 average as two native bars, labelled."""
        data = CategoryChartData(number_format=f"0.{'0' * m.decimals}" if m.decimals else "0")
        data.categories = [b, s]
        data.add_series(f"{m.plain_label}, month {row['month']} ({AVERAGE})",
                        [round(float(row["against_mean"]), 4),
                         round(float(row["scenario_mean"]), 4)])
        left, top, width, height = (Inches(v) for v in box)
        chart = target.shapes.add_chart(XL_CHART_TYPE.BAR_CLUSTERED, left, top, width, height,
                                        data).chart
        chart.has_legend = False
        chart.font.size = Pt(10)
        plot = chart.plots[0]
        plot.gap_width = 55
        plot.has_data_labels = True
        plot.data_labels.font.size, plot.data_labels.font.bold = Pt(11), True
        plot.data_labels.position = XL_LABEL_POSITION.OUTSIDE_END
        for point, slot in zip(plot.series[0].points, ("accent2", "accent1"), strict=True):
            point.format.fill.solid()
            point.format.fill.fore_color.theme_color = theme(slot)
        values = [float(row["against_mean"]), float(row["scenario_mean"])]
        bottom = m.bounds[0] if m.bounds is not None and m.bounds[0] < 0 else 0.0
        chart.value_axis.minimum_scale = min(bottom, *values)
        chart.value_axis.maximum_scale = nice_limits(m, [*values, bottom])[1]
        chart.value_axis.has_major_gridlines = True
        chart.value_axis.major_gridlines.format.line.color.rgb = RGBColor(0xDD, 0xDD, 0xDD)
        chart.value_axis.has_title = True
        chart.value_axis.axis_title.text_frame.text = m.unit
        chart.value_axis.axis_title.text_frame.paragraphs[0].font.size = Pt(9)
        return chart

    s, b = label(pack.scenario), label(pack.against)
    # 1 headline
    one = slide("headline", f"{title_case(s)} against {b}: the headline",
                f"Month-{pack.month} outcomes, the {AVERAGE} of {pack.replicates} simulated "
                "years of each option (same chance events). Net Promoter Score (NPS): % of "
                "customers who would recommend us minus % who would not (-100 to +100).")
    for i, (row, m) in enumerate(zip(pack.headline, HEADLINE, strict=True)):
        left = 0.4 + i * 4.25
        text(one, m.plain_label, left, 1.6, 4.0, 0.6, 13, True, navy)   # room for two lines
        text(one, f"{m.fmt(row['scenario_mean'])}  vs  {m.fmt(row['against_mean'])}",
             left, 2.2, 4.0, 0.5, 24, True, blue)
        text(one, f"{row['unit']}: {s} vs {b}, month {row['month']}", left, 2.7, 4.0, 0.35,
             10, colour=grey)
        text(one, [row["sentence"], row["range_sentence"]], left, 3.05, 4.0, 1.5, 11, space=3)
        bar_chart(one, m, row, (left, 4.6, 4.0, 2.7))
    # 2 trajectories
    two = slide("trajectories", SECTION_TITLES["trajectories"][3:],
                f"Blue: {s}; grey: {b}. Solid: the {AVERAGE} of the simulated years; dotted: "
                "the range of 90% of simulated years; dark dashed: target. Each chart is "
                "editable (right-click, Edit Data).")
    for i, m in enumerate(FAN_PANELS):
        lines_, seen_ = fan_lines(m)
        title = style.panel_title(m, plain=True)
        line_chart(two, months, lines_, (0.4 + (i % 3) * 4.2, 1.75 + (i // 3) * 2.85, 4.1,
                                         2.8), title, nice_limits(m, seen_), m.unit)
    # 3 dashboard
    c = pack.dashboard_counts["scenario"]
    words = rag_rule_words()
    three = slide("dashboard", SECTION_TITLES["dashboard"][3:],
                  f"The 'Metrics That Matter' of the source chapter, {AVERAGE} of the simulated "
                  f"years under {s}. By month {pack.month}: {c.get('green', 0)} of "
                  f"{len(pack.dashboard) - c.get('input', 0)} outcome targets met (grey rows "
                  "are scenario inputs, not rated). Green: {words['green']}; amber: "
                  f"{words['amber']}; red: {words['red']}.")
    grid = [["Measure (unit)", "Target", *(str(m) for m in range(len(pack.dashboard[0]
                                                                      ["months"]))),
             f"{b}, month {len(pack.dashboard[0]['months']) - 1}"]]
    fills: dict[tuple[int, int], str] = {}
    for i, row in enumerate(pack.dashboard, start=1):
        cells = [*zip(row["months"], row["status"], strict=True),
                 (row["against_last"], row["against_last_status"])]
        grid.append([f"{row['label']} ({row['unit']})", f"{row['target']:g}",
                     *(f"{value:.{row['decimals']}f}" for value, _ in cells)])
        fills.update({(i, j + 2): RAG_COLOURS[state] for j, (_, state) in enumerate(cells)})
    n = len(grid[0]) - 3
    table(three, grid, 0.4, 1.75, [4.0, 0.6, *([0.53] * n), 7.9 - 0.53 * n], 8,
          min(0.4, 5.0 / len(grid)), fills)
    text(three, "  ".join(f"{k}: {words[k]}." for k in ("green", "amber", "red", "input")),
         0.4, 7.05, 12.5, 0.35, 10, colour=grey)
    # 4 maturity
    four = slide("maturity", SECTION_TITLES["maturity"][3:], maturity_sentence(pack))
    typical = [(f"{label(sc)} (typical year)", pack.maturity[key]["median"], role)
               for key, sc, role in (("against", pack.against, "baseline"),
                                     ("scenario", pack.scenario, "scenario"))]
    chart = line_chart(four, months, typical, (0.4, 1.65, 12.5, 3.55),
                       "Maturity level month by month (the middle simulated year)",
                       (min(LEVEL_NAMES), max(LEVEL_NAMES), 1), "level (1-5)", 10)
    chart.has_legend = True
    chart.legend.include_in_layout = False
    rows = [["Level", "How the model decides it", f"Typical year reaches it: {s}"]]
    rows += [[f"{r['level']} {r['name']}", r["rule"], r["scenario_reaches"]]
             for r in maturity_rows(pack)]
    table(four, rows, 0.4, 5.3, [2.0, 8.4, 2.1], 9, 0.33)
    # 5 warnings
    seen = warnings_seen(pack)
    five = slide("warnings", "Early warnings in the leading measures",
                 (f"{len(seen)} of {len(pack.warnings)} warning signs appear" if seen else
                  f"None of the {len(pack.warnings)} warning signs appears")
                 + f" under {s} ({AVERAGE} of the simulated years). Blue: {s}; grey: {b}; "
                 "dotted: the warning line.")
    for i, (rule, row) in enumerate(zip(WARNINGS, pack.warnings, strict=True)):
        series = {sc.name: monthly_figures(monthly, sc.name, [rule.column])[rule.column]
                  for sc in (pack.against, pack.scenario)}
        lines_ = [(f"{label(pack.against)}", series[pack.against.name], "baseline"),
                  (f"{label(pack.scenario)}", series[pack.scenario.name], "scenario"),
                  ("warning line", [row["threshold"]] * len(months), "warning")]
        seen_ = [row["threshold"], *(float(v) for x in series.values() for v in x)]
        first = row["scenario_first_month"]
        title = rule.title + (f" (month {first})" if first is not None else "")
        line_chart(five, months, lines_, (0.3 + (i % 3) * 2.9, 1.6 + (i // 3) * 1.95, 2.85,
                                          1.9), title, nice_limits(rule.metric, seen_),
                   rule.metric.unit, 9)
    lines: list[str | tuple[str, str]] = [
        (f"{w['title']}: " + (f"month {w['scenario_first_month']}." if w["scenario_first_month"]
                              is not None else "not seen."), f"Rule: {w['rule']}.")
        for w in pack.warnings]
    text(five, lines, 9.0, 1.65, 4.1, 5.7, 10, space=4)
    # 6 assumptions
    a = pack.assumptions
    six = slide("assumptions", SECTION_TITLES["assumptions"][3:], f"{s}: {a['description']}")
    rows = [["Setting", f"{b} → {s}"]] + [
        [f"{x['group']}: {x['name']}",
         f"{value_text(x['against'])} → {value_text(x['scenario'])}"]
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
    seven = slide("limits", SECTION_TITLES["limits"][3:],
                  "Read the figures as a comparison of options in a model, not as a promise.")
    text(seven, list(pack.not_claimed), 0.5, 1.65, 12.3, 5.7, 12, space=5)
    # 8 provenance
    p = pack.provenance
    eight = slide("provenance", SECTION_TITLES["provenance"][3:],
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
