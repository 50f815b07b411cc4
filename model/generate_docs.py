"""Write the generated reference pages: ``python -m cxsim.model.generate_docs [DOCS_DIR]``
(default ``docs``, run from the checkout).

docs/parameters.md comes from the parameter schema, docs/outputs.md from the output columns
(the monthly table's, then the team table's); a test fails when either is stale.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from cxsim.model.catalogue import markdown_columns, markdown_team_columns
from cxsim.model.parameters import markdown_table
from cxsim.model.scenario import SCENARIO_DIR


def calibrated_values() -> dict[str, float]:
    """Calibrated parameter values from the calibration record (empty if there is none)."""
    record = SCENARIO_DIR / "calibration_record.json"
    if not record.exists():
        return {}
    return {p["key"]: p["calibrated"]
            for p in json.loads(record.read_text())["free_parameters"]}


PAGES = {"parameters.md": lambda: markdown_table(calibrated_values()),
         "outputs.md": lambda: markdown_columns() + "\n" + markdown_team_columns()}


def main(docs: Path) -> None:
    docs.mkdir(parents=True, exist_ok=True)
    for name, render in PAGES.items():
        (docs / name).write_text(render())
        print(f"wrote {docs / name}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs"))
