"""A finished sweep read back from its directory, with the words for its outputs and parameters.

Outputs take their labels, units and direction (which way is better) from the metric catalogue
(:mod:`cxsim.model.catalogue`) unless the sweep file gives its own; parameters take their words
from the parameter schema (:mod:`cxsim.model.parameters`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import ValidationError

from cxsim.experiments.sweep import OutputSpec, Store, SweepFile
from cxsim.model.catalogue import BY_NAME
from cxsim.model.errors import ScenarioError, translate


@cache
def _parameter_rows() -> dict[str, dict[str, Any]]:
    from cxsim.model.parameters import parameter_table

    return {row["key"]: row for row in parameter_table()}


def parameter_label(key: str) -> str:
    """A model parameter in words, ``'psychological safety (levers)'``; other keys as given."""
    if key not in _parameter_rows():
        return key
    section, _, name = key.rpartition(".")
    words = name.replace("_", " ")
    return f"{words} ({section.replace('_', ' ').replace('.', ', ')})" if section else words


def parameter_axis(key: str) -> str:
    """A parameter's label with its unit, for an axis."""
    row = _parameter_rows().get(key)
    return f"{parameter_label(key)}, {row['unit']}" if row and row["unit"] else key


def parameter_meaning(key: str) -> tuple[str, str]:
    """(unit, description) of a model parameter from its schema; empty for other keys."""
    row = _parameter_rows().get(key)
    return (row["unit"], row["description"]) if row else ("", "")


@dataclass
class Results:
    """A finished sweep read back from its directory."""

    directory: Path
    manifest: dict[str, Any]
    spec: SweepFile
    names: list[str]
    points: pd.DataFrame      # one row per point, the parameters (index = point)
    runs: pd.DataFrame        # one row per (point, replicate), sorted

    @property
    def outputs(self) -> list[OutputSpec]:
        return list(self.spec.outputs)

    @property
    def replicates(self) -> int:
        return int(self.manifest["replicates"])

    @property
    def months(self) -> int:
        return int(self.manifest.get("months", 12))

    def means(self) -> pd.DataFrame:
        """Replicate means of each output, one row per point (in point order)."""
        names = [o.name for o in self.outputs]
        return self.runs.groupby("point", sort=True)[names].mean()

    def x(self) -> np.ndarray:
        return self.points[self.names].to_numpy(dtype=float)

    def problem(self) -> dict[str, Any]:
        """The SALib problem (names and ranges)."""
        return {"num_vars": len(self.names), "names": list(self.names),
                "bounds": [[p.low, p.high] for p in self.spec.parameters]}

    def label(self, o: OutputSpec) -> str:
        """An output in words with its unit: the file's label, else from the catalogue."""
        if o.label:
            return o.label
        m = BY_NAME.get(o.column)
        if m is None:
            return o.name
        last, title = self.months, m.title
        inner = title[0].lower() + title[1:] if title[1:2].islower() else title
        return {
            "final": f"{title}, month {last} ({m.unit})",
            "month": f"{title}, month {o.month} ({m.unit})",
            "mean": f"{title}, mean over months 1-{last} ({m.unit})",
            "min": f"{title}, lowest over months 1-{last} ({m.unit})",
            "max": f"{title}, highest over months 1-{last} ({m.unit})",
            "auc": f"Area under {inner}, months 0-{last} ({m.unit} x months)",
        }.get(o.statistic or "final", m.axis)

    def better(self, o: OutputSpec) -> str | None:
        """Which way is better, ``'higher'`` or ``'lower'``: the file's ``better``, else the
        catalogue's; None when neither says."""
        if o.better is not None:
            return o.better
        m = BY_NAME.get(o.column)
        return m.better if m is not None else None

    def lower_better(self, o: OutputSpec) -> bool:
        """Whether a lower value is better: the file's ``better``, else the catalogue's."""
        return self.better(o) == "lower"


def _spec_of(manifest: dict[str, Any], file: str = "manifest.json") -> SweepFile:
    """The sweep file's settings as the manifest records them (a one-line error if damaged)."""
    data = dict(manifest["spec"])
    # directories written before the model registry named a function; it is only a label here
    legacy = data.pop("function", None)
    if legacy is not None:
        data["model"] = str(legacy)
    try:
        return SweepFile.model_validate(data)
    except ValidationError as error:
        raise translate(error, SweepFile, file) from None


def load_results(directory: str | Path) -> Results:
    """Read a sweep directory; every run must be stored, every part and the sample intact (else
    one line naming the damaged file and saying to resume the sweep)."""
    directory = Path(directory)
    if not directory.is_dir():
        raise ScenarioError(str(directory), "DIR", str(directory),
                            "a directory written by cxsim sweep")
    store = Store(directory)
    manifest = store.manifest()
    spec = _spec_of(manifest, str(directory / "manifest.json"))
    points = store.points().set_index("point").sort_index()
    runs = store.read()
    expected = int(manifest["runs"])
    if len(runs) < expected:
        raise ScenarioError(str(directory), "runs", f"<{len(runs)} of {expected} stored>",
                            f"a finished sweep; run `cxsim sweep {manifest['sweep_file']} --out "
                            f"{directory}` again to finish it")
    return Results(directory, manifest, spec, list(manifest["parameters"]), points, runs)
