"""Write the generated reference pages: ``python -m model.generate_docs [DOCS_DIR]``.

docs/parameters.md comes from the parameter schema, docs/outputs.md from the output columns; a
test fails when either is stale.
"""

from __future__ import annotations

import sys
from pathlib import Path

from model.metrics import markdown_columns
from model.parameters import markdown_table

PAGES = {"parameters.md": markdown_table, "outputs.md": markdown_columns}


def main(docs: Path) -> None:
    docs.mkdir(parents=True, exist_ok=True)
    for name, render in PAGES.items():
        (docs / name).write_text(render())
        print(f"wrote {docs / name}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1] / "docs")
