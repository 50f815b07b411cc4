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
