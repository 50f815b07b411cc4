"""The documentation says what the code does: generated pages are fresh, every parameter has a
unit and a source, every output column is documented."""

from __future__ import annotations

import re
from pathlib import Path

from cxsim.model.generate_docs import PAGES
from cxsim.model.metrics import COLUMNS
from cxsim.model.parameters import parameter_table

ROOT = Path(__file__).resolve().parents[1]


def test_generated_pages_are_fresh() -> None:
    for name, render in PAGES.items():
        assert (ROOT / "docs" / name).read_text() == render(), (
            f"docs/{name} is stale: run python -m cxsim.model.generate_docs")


def test_every_parameter_has_unit_range_and_source() -> None:
    for row in parameter_table():
        if row["key"].endswith(".interaction") or row["key"].endswith(".managers_only"):
            continue  # booleans: the range is true/false
        assert row["unit"], row["key"]
        assert row["source"], row["key"]
        assert row["low"] is not None and row["high"] is not None, row["key"]
        assert row["low"] <= row["default"] <= row["high"], row["key"]


def test_readme_names_only_real_columns_and_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    named = set(re.findall(r"^\| `([a-z_]+)`", readme, flags=re.M))
    levers = {n for n in named if "." in n}
    assert not levers
    for column in named:
        assert column in COLUMNS, column
    first_block = re.search(r"```bash\n(.+?)\n```", readme, flags=re.S).group(1)
    assert "cxsim run techops_programme" in first_block


def markdown_pages() -> list[Path]:
    """The pages a new reader starts from."""
    return [ROOT / "README.md", ROOT / "docs" / "sources.md"]


def test_links_stay_inside_the_repository_and_exist() -> None:
    for page in markdown_pages():
        text = page.read_text()
        assert "../shared" not in text and "shared/seeds" not in text, page.name
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
            if re.match(r"[a-z]+://", target):
                continue
            path = (page.parent / target).resolve()
            assert path.is_relative_to(ROOT), (page.name, target)
            assert path.exists(), (page.name, target)


def test_readme_test_command_is_what_ci_runs() -> None:
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```bash\n(.+?)\n```", readme, flags=re.S)
    test_command = blocks[1].strip()
    assert test_command == ".venv/bin/python -m pytest"
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(rf"^\s*(run_pytest )?{re.escape(test_command)}( \|\||$)", ci, flags=re.M), (
        "the README's test command is not the main suite of .ci/run")


def test_sources_cite_every_source_the_code_cites() -> None:
    sources = (ROOT / "docs" / "sources.md").read_text()
    for number, title in (("001", "Building a CX-First Culture"),
                          ("003", "Customer Experience Leaders: What They Do Differently"),
                          ("004", "How Do You Define CX Success?")):
        assert f"| {number} | \"{title}\"" in sources, number
    code = "".join(path.read_text() for path in (ROOT / "model").glob("**/*.py"))
    cited = set(re.findall(r"([A-Z][a-zé]+)(?: et al\.| & [A-Z][a-z]+|, [A-Z][a-z]+ & "
                           r"[A-Z][a-z]+)? ((?:19|20)\d\d)\b", code))
    assert len(cited) >= 10
    for author, year in cited:
        assert re.search(rf"{author}\b[^|]*\({year}\)", sources), f"{author} {year}"
    readme = (ROOT / "README.md").read_text()
    assert "docs/sources.md" in readme and "001 §11" in readme
