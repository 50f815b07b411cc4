"""Writing results: atomically, with provenance, as tables and charts.

Every file is first written under a temporary name in the target directory and then renamed
(``os.replace``), so a reader never sees a half-written file; a run that fails before writing
leaves nothing behind.
"""

from __future__ import annotations

import json
import os
import platform
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import model
from model import Scenario

HEADLINE = [
    ("churn_annualised", "Logo churn, annualised", "%"),
    ("revenue_churn_annualised", "Revenue churn, annualised", "%"),
    ("nps_measured", "NPS, measured (survey)", "-100..100"),
    ("nps_true", "NPS, true (all customers)", "-100..100"),
    ("csat", "CSAT, satisfied customers", "%"),
    ("revenue_retained", "Revenue retained (month-0 book)", "%"),
    ("culture_score", "Cultural assessment score", "1-5"),
    ("agree_customer_outcomes", "Agree 'we prioritise customer outcomes'", "%"),
    ("interaction_rate", "Employee customer interaction, quarterly", "%"),
    ("psychological_safety_score", "Psychological safety score", "1-5"),
    ("enps", "Internal NPS for CX culture", "-100..100"),
    ("engagement", "Engagement", "0-100"),
    ("cynicism", "Cynicism", "0-100"),
    ("change_fatigue", "Change fatigue", "0-100"),
    ("attrition_annualised", "Attrition, annualised", "%"),
    ("top_performer_attrition_annualised", "Top-performer attrition, annualised", "%"),
    ("maturity_level", "Maturity level", "1-5"),
]


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path`` that replaces it only if the block succeeds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    try:
        yield Path(temporary)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write(temporary_path)`` and move the result to ``path``."""
    with atomic_path(path) as temporary:
        write(temporary)


def provenance(scenario: Scenario, seeds: list[int], command: list[str] | None = None) -> dict:
    """What produced a result: scenario, parameters, seeds, versions. No clock time, so the same
    inputs give byte-identical files."""
    import mesa

    return {
        "cxsim_version": model.__version__,
        "mesa_version": mesa.__version__,
        "numpy_version": np.__version__,
        "python_version": platform.python_version(),
        "command": command or [],
        "seeds": seeds,
        **scenario.provenance(),
    }


def summarise(monthly: pd.DataFrame, first: int = 0, last: int | None = None) -> dict[str, Any]:
    """Month ``first`` vs month ``last`` (default: the last) of the headline metrics, with the
    spread across replicates (mean, standard deviation, 5th and 95th percentiles)."""
    last = int(monthly["month"].max()) if last is None else last
    out: dict[str, Any] = {}
    for column, label, unit in HEADLINE:
        entry: dict[str, Any] = {"label": label, "unit": unit}
        for name, month in (("start", first), ("end", last)):
            values = monthly.loc[monthly["month"] == month, column].to_numpy(float)
            entry[name] = {
                "month": month,
                "mean": round(float(values.mean()), 4),
                "sd": round(float(values.std(ddof=1)) if values.size > 1 else 0.0, 4),
                "p5": round(float(np.percentile(values, 5)), 4),
                "p95": round(float(np.percentile(values, 95)), 4),
            }
        entry["change"] = round(entry["end"]["mean"] - entry["start"]["mean"], 4)
        out[column] = entry
    return out


def write_run(out: Path, monthly: pd.DataFrame, summary: dict, provenance_: dict,
              chart: Callable[[Path], None], chart_name: str = "trajectories.png") -> list[Path]:
    """monthly.csv, monthly.parquet, summary.json and the chart, each atomically."""
    files = {
        out / "monthly.csv": lambda p: monthly.to_csv(p, index=False, float_format="%.10g"),
        out / "monthly.parquet": lambda p: monthly.to_parquet(p, index=False),
        out / "summary.json": lambda p: p.write_text(
            json.dumps({"provenance": provenance_, "summary": summary}, indent=2) + "\n"),
        out / chart_name: chart,
    }
    for path, write in files.items():
        write_atomic(path, write)
    return list(files)
