"""The result store of a sweep: a directory that a killed sweep resumes from.

::

    manifest.json         provenance: sweep file text, effective settings, scenario, seeds, versions
    points.parquet        the sample: one row per point (the parameters' values)
    runs/part-*.parquet   one file per finished chunk: point, replicate, seed, parameters, outputs
    .lock                 held (flock) by the one sweep writing here

Every file goes through the one atomic writer (:mod:`cxsim.experiments.files`): written under a
temporary name, synced and renamed, so a crash never leaves a half-written file under a name that
is read. A sweep started again on the same directory runs only the missing (point, replicate)
pairs; a directory holding another sweep's results is refused.
"""

from __future__ import annotations

import fcntl
import itertools
import json
import os
import sys
import uuid
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cxsim.experiments.files import TEMPORARY_SUFFIX, write_atomic, write_bytes
from cxsim.experiments.sweep.definition import FORMAT, Sweep, now
from cxsim.experiments.sweep.sampling import SEED_DERIVATION
from cxsim.model.errors import ScenarioError

MANIFEST = "manifest.json"
POINTS = "points.parquet"
RUNS = "runs"
LOCK = ".lock"


def _write_table(path: Path, table: Any) -> None:
    import pyarrow.parquet as pq

    write_atomic(path, lambda temporary: pq.write_table(table, temporary))


class Store:
    """A sweep's result directory (see the module docstring)."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self.runs_dir = self.directory / RUNS
        self._lock: int | None = None
        self.identity: str | None = None
        self._metadata: dict[bytes, bytes] = {}

    # writing
    def open(self, sweep: Sweep) -> None:
        """Lock the directory, write or check the manifest and the points, drop temp files."""
        self.directory.mkdir(parents=True, exist_ok=True)
        self.runs_dir.mkdir(exist_ok=True)
        fd = os.open(self.directory / LOCK, os.O_CREAT | os.O_RDWR, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise ScenarioError("--out", "out", str(self.directory),
                                "a directory no other running sweep is writing to") from None
        self._lock = fd
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        # we hold the lock: a temporary file here is a killed writer's
        for folder in (self.directory, self.runs_dir):
            for stale in itertools.chain(folder.glob(f".*{TEMPORARY_SUFFIX}"),
                                         folder.glob(".tmp-*")):
                stale.unlink(missing_ok=True)
        manifest = sweep.manifest()
        self.identity = manifest["identity"]
        start = manifest["scenario"]
        self._metadata = {b"cxsim.format": FORMAT.encode(), b"cxsim.provenance": json.dumps({
            "identity": manifest["identity"], "sweep": sweep.spec.name,
            "sweep_file": manifest["sweep_file"],
            "sweep_file_sha256": manifest["sweep_file_sha256"],
            "scenario": start.get("scenario", start.get("model", start.get("function"))),
            "parameters_sha256": start.get("parameters_sha256"),
            "cxsim_version": manifest["cxsim_version"], "sweep_seed": sweep.spec.seed,
            "seed_derivation": SEED_DERIVATION}).encode()}
        path = self.directory / MANIFEST
        if path.exists():
            old = json.loads(path.read_text())
            if old.get("identity") != manifest["identity"]:
                self.close()
                raise ScenarioError("--out", "out", str(self.directory),
                                    "a new directory, or one holding this same sweep (it holds "
                                    f"results of {old.get('sweep_file', 'another sweep')} with "
                                    "other settings, sample, scenario or model code)")
            manifest["created"] = old.get("created", manifest["created"])
            manifest["resumed"] = [*old.get("resumed", []), now()]
        write_bytes(path, json.dumps(manifest, indent=2, default=str).encode())
        if not (self.directory / POINTS).exists():
            _write_table(self.directory / POINTS, self._points_table(sweep))

    def _points_table(self, sweep: Sweep) -> Any:
        import pyarrow as pa

        columns: dict[str, Any] = {"point": np.arange(sweep.n_points, dtype=np.int64)}
        for j, (name, is_int) in enumerate(zip(sweep.names, sweep.integer, strict=True)):
            columns[name] = (np.rint(sweep.points[:, j]).astype(np.int64) if is_int
                             else sweep.points[:, j])
        return pa.table(columns)

    def write(self, columns: dict[str, np.ndarray]) -> Path:
        """Store one finished chunk atomically; its name is never reused."""
        import pyarrow as pa

        table = pa.table(columns).replace_schema_metadata(self._metadata)
        first = int(columns["point"][0]) if len(columns["point"]) else 0
        path = self.runs_dir / f"part-{first:09d}-{uuid.uuid4().hex[:12]}.parquet"
        _write_table(path, table)
        return path

    def close(self) -> None:
        if self._lock is not None:
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            os.close(self._lock)
            self._lock = None

    def mark_complete(self) -> None:
        path = self.directory / MANIFEST
        manifest = json.loads(path.read_text())
        manifest["completed"] = now()
        write_bytes(path, json.dumps(manifest, indent=2, default=str).encode())

    # reading
    def manifest(self) -> dict[str, Any]:
        path = self.directory / MANIFEST
        try:
            return json.loads(path.read_text())
        except (OSError, json.JSONDecodeError):
            raise ScenarioError(str(self.directory), "manifest.json", "<missing or unreadable>",
                                "a sweep directory written by cxsim sweep") from None

    def parts(self) -> list[Path]:
        return sorted(self.runs_dir.glob("part-*.parquet"))

    def _tables(self, columns: list[str] | None = None) -> list[Any]:
        import pyarrow as pa
        import pyarrow.parquet as pq

        tables = []
        for part in self.parts():
            try:
                tables.append(pq.read_table(part, columns=columns))
            except (OSError, pa.ArrowInvalid) as error:
                sys.stderr.write(f"cxsim: warning: {part}: unreadable, ignored ({error})\n")
        return tables

    def done_runs(self, replicates: int) -> np.ndarray:
        """Run indices already stored."""
        tables = self._tables(["point", "replicate"])
        if not tables:
            return np.empty(0, dtype=np.int64)
        import pyarrow as pa

        table = pa.concat_tables(tables)
        runs = (table.column("point").to_numpy() * replicates
                + table.column("replicate").to_numpy())
        return np.unique(runs.astype(np.int64))

    def read(self) -> pd.DataFrame:
        """All stored rows, sorted by (point, replicate), duplicates dropped."""
        import pyarrow as pa

        tables = self._tables()
        if not tables:
            return pd.DataFrame()
        frame = pa.concat_tables(tables, promote_options="default").to_pandas()
        frame = frame.sort_values(["point", "replicate"], kind="stable")
        frame = frame.drop_duplicates(["point", "replicate"]).reset_index(drop=True)
        return frame

    def points(self) -> pd.DataFrame:
        import pyarrow.parquet as pq

        return pq.read_table(self.directory / POINTS).to_pandas()


def read_runs(directory: str | Path) -> pd.DataFrame:
    """A sweep directory's rows, one per (point, replicate), sorted."""
    return Store(directory).read()
