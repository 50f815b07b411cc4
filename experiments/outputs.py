"""Writing results: whole or absent, with provenance, as tables and charts.

A command's files are one result set (:func:`cxsim.experiments.files.result_set`): written into a
temporary folder beside ``--out`` and moved into place in one rename, under a lock, so a reader
(or a crash at any moment) finds the previous complete set or the new one, never a mix, and a
run that fails writes nothing under the final name.
"""

from __future__ import annotations

import json
import platform
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import cxsim
from cxsim.experiments.statistics import range_of_futures
from cxsim.experiments.uncertainty import variance_shares
from cxsim.model import Scenario
from cxsim.model.catalogue import metric

# The columns summarised by `cxsim run` (labels and units from the catalogue).
SUMMARY_COLUMNS = (
    "churn_annualised", "revenue_churn_annualised", "nps_measured", "nps_true", "csat",
    "revenue_retained", "culture_score", "agree_customer_outcomes", "interaction_rate",
    "psychological_safety_score", "enps", "engagement", "cynicism", "change_fatigue",
    "attrition_annualised", "top_performer_attrition_annualised", "maturity_level",
)


def provenance(scenario: Scenario, seeds: list[int], command: list[str] | None = None) -> dict:
    """What produced a result: scenario, parameters, seeds, versions. No clock time, no worker
    count and no output folder, so the same inputs give byte-identical files. ``command`` is
    recorded only when given."""
    import mesa

    return {
        "cxsim_version": cxsim.__version__,
        "mesa_version": mesa.__version__,
        "numpy_version": np.__version__,
        "python_version": platform.python_version(),
        **({"command": command} if command is not None else {}),
        "seeds": seeds,
        **scenario.provenance(),
    }


def settings(scenario: str, seed: int, replicates: int, assignments: list[str],
             parameters: str = "posterior") -> dict[str, Any]:
    """The command-line settings that change a run's results, and the command that repeats it
    (``--workers`` and ``--out`` do not change results and are not recorded)."""
    sets = [part for text in assignments for part in ("--set", text)]
    point = ["--point"] if parameters == "point" else []
    return {"scenario": scenario, "seed": seed, "replicates": replicates, "set": assignments,
            "parameters": parameters,
            "reproduce": ["cxsim", "run", scenario, "--seed", str(seed), "--replicates",
                          str(replicates), *sets, *point]}


def summarise(monthly: pd.DataFrame, first: int = 0, last: int | None = None) -> dict[str, Any]:
    """Month ``first`` vs month ``last`` (default: the last) of the headline metrics, with the
    spread across replicates (mean, standard deviation, the range of 90% of futures as the 5th
    and 95th percentiles) and, at ``last``, the parameters' share of its variance
    (``uncertainty.variance_shares``; 0 when every replicate is on the calibrated point)."""
    last = int(monthly["month"].max()) if last is None else last
    out: dict[str, Any] = {}
    for column in SUMMARY_COLUMNS:
        m = metric(column)
        entry: dict[str, Any] = {"label": m.title, "unit": m.unit, "better": m.better}
        for name, month in (("start", first), ("end", last)):
            at = monthly.loc[monthly["month"] == month]
            values = at[column].to_numpy(float)
            futures = range_of_futures(values)
            entry[name] = {
                "month": month,
                "mean": round(futures.mean, 4),
                "sd": round(float(values.std(ddof=1)) if values.size > 1 else 0.0, 4),
                # no range from one replicate (JSON null, not a zero-width range)
                "p5": round(futures.low, 4) if futures.has_bounds() else None,
                "p95": round(futures.high, 4) if futures.has_bounds() else None,
            }
            if name == "end" and {"replicate", "draw"} <= set(at.columns):
                share = variance_shares(values, at["replicate"], at["draw"]).parameters
                entry[name]["parameter_share"] = None if share != share else round(share, 4)
        entry["change"] = round(entry["end"]["mean"] - entry["start"]["mean"], 4)
        out[column] = entry
    return out


# The columns a result adds to the model's monthly table (the model's are in the catalogue).
RUN_COLUMNS = {
    "scenario": ("", "the scenario's name"),
    "replicate": ("", "the replicate's number i; it ran on seed base + i"),
    "seed": ("", "the seed the run used"),
    "draw": ("", "the posterior row (scenarios/posterior.csv) the run's parameters came from; "
                 "-1: the calibrated point"),
    "run": ("", "the run's position in its batch"),
}


def write_parquet(frame: pd.DataFrame, path: Path, provenance_: dict) -> None:
    """``frame`` as Parquet, self-describing: each column's unit, meaning and, for outcomes, which
    way is better (from the catalogue) in its field metadata, and the run's provenance (version,
    seeds, settings: what summary.json records) in the file's key-value metadata under
    ``cxsim``, beside pandas' own."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    fields = []
    for field in table.schema:
        try:
            m = metric(field.name)
            described = {"unit": m.unit, "meaning": m.meaning, "label": m.title,
                         "better": m.better or ""}
        except KeyError:
            unit, meaning = RUN_COLUMNS.get(field.name, ("", ""))
            described = {"unit": unit, "meaning": meaning, "label": field.name, "better": ""}
        fields.append(field.with_metadata({k: str(v) for k, v in described.items()}))
    metadata = dict(table.schema.metadata or {})
    metadata[b"cxsim"] = json.dumps({"version": cxsim.__version__, "provenance": provenance_},
                                    sort_keys=True).encode()
    pq.write_table(table.cast(pa.schema(fields, metadata=metadata)), path)


def write_run(folder: Path, monthly: pd.DataFrame, summary: dict, provenance_: dict,
              chart: Callable[[Path], None], chart_name: str = "trajectories.png",
              extra: dict[str, Callable[[Path], None]] | None = None) -> list[str]:
    """monthly.csv, monthly.parquet, summary.json, the chart and ``extra`` files into
    ``folder`` (a result set's staging folder: see :func:`~cxsim.experiments.files.result_set`);
    returns their names."""
    files = {
        "monthly.csv": lambda p: monthly.to_csv(p, index=False, float_format="%.10g"),
        "monthly.parquet": lambda p: write_parquet(monthly, p, provenance_),
        "summary.json": lambda p: p.write_text(
            json.dumps({"provenance": provenance_, "summary": summary}, indent=2) + "\n"),
        **(extra or {}),
        chart_name: chart,
    }
    for name, write in files.items():
        write(folder / name)
    return list(files)
