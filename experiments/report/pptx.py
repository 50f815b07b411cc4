"""The board pack as PowerPoint (python-pptx): one slide per section, the charts as pictures and
the plain-words explanation of each slide in its speaker notes."""

from __future__ import annotations

import io
from typing import Any

from cxsim.experiments.report.charts import png_size
from cxsim.experiments.report.content import (
    AVERAGE,
    GLOSSARY,
    HEADLINE,
    SECTION_TITLES,
    Pack,
    label,
    maturity_rows,
    maturity_sentence,
    rag_rule_words,
    title_case,
    value_text,
    warnings_seen,
)

Lines = str | list[str | tuple[str, str]]


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
        f"dots on the chart are the individual simulated years and the bars their {AVERAGE}. "
        "Net Promoter Score is the percentage of customers who would recommend us minus the "
        "percentage who would not.",
        "trajectories": f"Blue is {s}, grey is {b}. The line is the {AVERAGE} of the simulated "
        "years; the bands show where the middle half and nine in ten of the simulated years "
        "fall. Culture measures move within months; churn follows as contracts come up for "
        "renewal. The green dashed lines are the culture targets from the Metrics That Matter "
        "table.",
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


def render_pptx(pack: Pack) -> bytes:
    """The slides as .pptx bytes (charts must be drawn, the dashboard's included)."""
    from pptx import Presentation
    from pptx.dml.color import RGBColor
    from pptx.util import Emu, Inches, Pt

    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    layout = prs.slide_layouts[5]         # title only
    spoken = notes(pack)
    navy, blue = RGBColor(0x12, 0x33, 0x5F), RGBColor(0x1F, 0x5A, 0xA6)
    grey = RGBColor(0x55, 0x55, 0x55)

    def slide(key: str, title: str, subtitle: str = "") -> Any:
        new = prs.slides.add_slide(layout)
        heading = new.shapes.title
        heading.left, heading.top = Inches(0.4), Inches(0.25)
        heading.width, heading.height = Inches(12.5), Inches(0.7)
        heading.text = title
        para = heading.text_frame.paragraphs[0]
        para.font.size, para.font.bold, para.font.color.rgb = Pt(26), True, navy
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

    def picture(target: Any, data: bytes, left: float, top: float, width: float,
                height: float) -> Any:
        w, h = png_size(data)
        scale = min(width / w, height / h)
        pw, ph = w * scale, h * scale
        return target.shapes.add_picture(io.BytesIO(data), Inches(left + (width - pw) / 2),
                                         Inches(top), Emu(int(Inches(pw))), Emu(int(Inches(ph))))

    def table(target: Any, rows: list[list[str]], left: float, top: float, widths: list[float],
              size: float = 10, row_height: float = 0.3) -> float:
        """A table; returns its height in inches."""
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
        return row_height * len(rows)

    s, b = label(pack.scenario), label(pack.against)
    # 1 headline
    one = slide("headline", f"{title_case(s)} against {b}: the headline",
                f"Month-{pack.month} outcomes, the {AVERAGE} of {pack.replicates} simulated "
                "years of each option (same chance events). Net Promoter Score (NPS): % of "
                "customers who would recommend us minus % who would not (-100 to +100).")
    for i, (row, m) in enumerate(zip(pack.headline, HEADLINE, strict=True)):
        left = 0.4 + i * 4.25
        text(one, m.plain_label, left, 1.7, 4.0, 0.35, 14, True, navy)
        text(one, f"{m.fmt(row['scenario_mean'])}  vs  {m.fmt(row['against_mean'])}",
             left, 2.05, 4.0, 0.5, 24, True, blue)
        text(one, f"{row['unit']}: {s} vs {b}, month {row['month']}", left, 2.55, 4.0, 0.45,
             10, colour=grey)
        text(one, [row["sentence"], row["range_sentence"]], left, 3.0, 4.0, 1.5, 11, space=3)
    picture(one, pack.charts["headline"], 0.4, 4.6, 12.5, 2.8)
    # 2 trajectories
    two = slide("trajectories", SECTION_TITLES["trajectories"][3:],
                f"Blue: {s}; grey: {b}. Line: the {AVERAGE} of the simulated years; bands: "
                "middle 50% and 90% of simulated years; green dashed: target.")
    picture(two, pack.charts["trajectories"], 0.4, 1.6, 12.5, 5.8)
    # 3 dashboard
    c = pack.dashboard_counts["scenario"]
    words = rag_rule_words()
    three = slide("dashboard", SECTION_TITLES["dashboard"][3:],
                  f"The 'Metrics That Matter' of the source chapter, {AVERAGE} of the simulated "
                  f"years under {s}. By month {pack.month}: {c.get('green', 0)} of "
                  f"{len(pack.dashboard)} targets met. Green: {words['green']}; amber: "
                  f"{words['amber']}; red: {words['red']}.")
    picture(three, pack.charts["dashboard"], 0.4, 1.6, 12.5, 5.8)
    # 4 maturity
    four = slide("maturity", SECTION_TITLES["maturity"][3:], maturity_sentence(pack))
    picture(four, pack.charts["maturity"], 0.4, 1.65, 12.5, 3.6)
    rows = [["Level", "How the model decides it", f"Typical year reaches it: {s}"]]
    rows += [[f"{r['level']} {r['name']}", r["rule"], r["scenario_reaches"]]
             for r in maturity_rows(pack)]
    table(four, rows, 0.4, 5.3, [2.0, 8.4, 2.1], 9, 0.33)
    # 5 warnings
    seen = warnings_seen(pack)
    five = slide("warnings", "Early warnings in the leading measures",
                 (f"{len(seen)} of {len(pack.warnings)} warning signs appear" if seen else
                  f"None of the {len(pack.warnings)} warning signs appears")
                 + f" under {s} ({AVERAGE} of the simulated years); a circle marks the first "
                 "month over the warning line.")
    picture(five, pack.charts["warnings"], 0.3, 1.6, 8.6, 5.8)
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
