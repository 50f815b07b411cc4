"""The result store of a sweep: a directory that a killed sweep resumes from.

::

    manifest.json         provenance: sweep file text, effective settings, scenario, seeds, versions
    points.parquet        the sample: one row per point (the parameters' values)
    runs/part-FIRST-SHA256.parquet   one file per finished chunk: point, replicate, seed,
                          parameters, outputs; SHA256 is the SHA-256 of the file's bytes
    quarantine/           damaged parts (and a damaged points.parquet), moved aside on resume
    .lock                 held (flock) by the one sweep writing here

Every file goes through the one atomic writer (:mod:`cxsim.experiments.files`): written under a
temporary name, synced and renamed, so a crash never leaves a half-written file under a name that
is read. A part's checksum is in its own name, so the two cannot disagree after a crash; Parquet
page checksums (CRC-32 of each page) are written too and checked on every read.

Every read checks every part. A sweep started again on the same directory (which holds the lock)
moves a damaged part (a flipped bit, a truncated file, a part of another sweep) into
``quarantine/``, says so in one line and runs its runs again, then runs only the missing (point,
replicate) pairs; reading without the lock (``cxsim analyse``, :func:`read_runs`) refuses a
damaged store with one line that names the part and says to resume. A directory holding another
sweep's results is refused.
"""

from __future__ import annotations

import fcntl
import hashlib
import itertools
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cxsim.experiments.files import TEMPORARY_SUFFIX, fsync_directory, write_bytes
from cxsim.experiments.sweep.definition import FORMAT, Sweep, now
from cxsim.experiments.sweep.sampling import SEED_DERIVATION
from cxsim.model.errors import Placeholder, ScenarioError

MANIFEST = "manifest.json"
POINTS = "points.parquet"
RUNS = "runs"
QUARANTINE = "quarantine"
LOCK = ".lock"
PART = re.compile(r"^part-(\d{9})-([0-9a-f]{64})\.parquet$")
# keys a manifest must have for a sweep to be analysed or resumed, and their types
MANIFEST_KEYS: dict[str, type | tuple[type, ...]] = {
    "identity": str, "spec": dict, "parameters": list, "outputs": list, "points": int,
    "replicates": int, "runs": int, "samples_sha256": str, "sweep_file": str}


class DamagedFileError(Exception):
    """A stored file that fails its checks; ``str()`` says how."""


def parquet_bytes(table: Any) -> bytes:
    """A table as Parquet bytes, with a CRC-32 in every page header."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, write_page_checksum=True)
    return bytes(sink.getvalue())


def parse_parquet(data: bytes, columns: list[str] | None = None) -> Any:
    """Parquet bytes as a table, every page's checksum verified (else
    :class:`DamagedFileError`)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return pq.read_table(pa.BufferReader(data), columns=columns,
                             page_checksum_verification=True)
    except (pa.ArrowException, OSError, ValueError) as error:
        raise DamagedFileError(f"not readable Parquet ({str(error).strip()})") from None


def check_part(path: Path, identity: str | None, columns: list[str] | None = None) -> Any:
    """A part's table once its bytes match the SHA-256 in its name, its pages their checksums
    and its provenance ``identity`` (if given); :class:`DamagedFileError` otherwise."""
    match = PART.match(path.name)
    if match is None:
        raise DamagedFileError("no checksum in its name (written by an older cxsim)")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise DamagedFileError(f"unreadable ({error.strerror or error})") from None
    if hashlib.sha256(data).hexdigest() != match.group(2):
        raise DamagedFileError(f"its SHA-256 does not match its name (damaged or truncated; "
                               f"{len(data)} bytes)")
    table = parse_parquet(data, columns)
    if identity is not None:
        metadata = table.schema.metadata or {}
        try:
            written_for = json.loads(metadata[b"cxsim.provenance"])["identity"]
        except (KeyError, ValueError, TypeError):
            written_for = None
        if written_for != identity:
            raise DamagedFileError("written for another sweep (its provenance names another "
                                   "identity)")
    return table


def points_sha256(frame: pd.DataFrame, names: list[str]) -> str:
    """The digest the manifest records for the sample (``samples_sha256``) of a points table."""
    values = frame.sort_values("point")[names].to_numpy(dtype="<f8")
    return hashlib.sha256(np.ascontiguousarray(values).tobytes()).hexdigest()


@dataclass(frozen=True)
class Quarantined:
    """A damaged file moved aside on resume, and why."""

    original: Path
    moved_to: Path
    reason: str


class Store:
    """A sweep's result directory (see the module docstring)."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self.runs_dir = self.directory / RUNS
        self.quarantine_dir = self.directory / QUARANTINE
        self._lock: int | None = None
        self.identity: str | None = None
        self._metadata: dict[bytes, bytes] = {}
        self._done: np.ndarray | None = None
        self.quarantined: list[Quarantined] = []

    # writing
    def open(self, sweep: Sweep) -> None:
        """Lock the directory, write or check the manifest, check every stored part (moving a
        damaged one into quarantine/), check or write the points, drop temporary files."""
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
        try:
            self._open_locked(sweep, fd)
        except BaseException:
            self.close()
            raise

    def _open_locked(self, sweep: Sweep, fd: int) -> None:
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        # we hold the lock: a temporary file here is a killed writer's
        for folder in (self.directory, self.runs_dir):
            for stale in itertools.chain(folder.glob(f".*{TEMPORARY_SUFFIX}"),
                                         folder.glob(".tmp-*")):
                if not stale.is_dir():     # a folder is an analysis's staging: its own to clear
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
            old = self.manifest()
            if old.get("identity") != manifest["identity"]:
                raise ScenarioError("--out", "out", str(self.directory),
                                    "a new directory, or one holding this same sweep (it holds "
                                    f"results of {old.get('sweep_file', 'another sweep')} with "
                                    "other settings, sample, scenario or model code)")
            manifest["created"] = old.get("created", manifest["created"])
            manifest["resumed"] = [*old.get("resumed", []), now()]
            manifest["quarantined"] = list(old.get("quarantined", []))
        self._done = self._check_parts(sweep)
        if self.quarantined:
            manifest.setdefault("quarantined", []).extend(
                {"file": q.original.name, "moved_to": str(q.moved_to.relative_to(self.directory)),
                 "reason": q.reason, "when": now()} for q in self.quarantined)
        write_bytes(path, json.dumps(manifest, indent=2, default=str).encode())
        self._check_points(sweep)

    def _check_parts(self, sweep: Sweep) -> np.ndarray:
        """The run indices in the intact parts; damaged parts go to quarantine/."""
        runs = []
        for part in self.parts():
            try:
                table = check_part(part, self.identity, ["point", "replicate"])
            except DamagedFileError as damage:
                self._quarantine(part, str(damage))
                continue
            runs.append(table.column("point").to_numpy() * sweep.replicates
                        + table.column("replicate").to_numpy())
        if not runs:
            return np.empty(0, dtype=np.int64)
        done = np.unique(np.concatenate(runs).astype(np.int64))
        return done[(done >= 0) & (done < sweep.n_runs)]

    def _check_points(self, sweep: Sweep) -> None:
        """points.parquet must hold this sweep's sample: written if missing, replaced (the old
        one quarantined) if it does not."""
        path = self.directory / POINTS
        if path.exists():
            try:
                frame = parse_parquet(path.read_bytes()).to_pandas()
                if points_sha256(frame, sweep.names) == sweep.samples_sha256():
                    return
                reason = "its values are not this sweep's sample"
            except (DamagedFileError, OSError, KeyError, ValueError) as error:
                reason = str(error) or type(error).__name__
            self._quarantine(path, reason)
        write_bytes(path, parquet_bytes(self._points_table(sweep)))

    def _quarantine(self, path: Path, reason: str) -> None:
        """Move a damaged file into quarantine/ (kept for inspection, never read again)."""
        self.quarantine_dir.mkdir(exist_ok=True)
        target = self.quarantine_dir / path.name
        for n in itertools.count(1):
            if not target.exists():
                break
            target = self.quarantine_dir / f"{path.name}.{n}"
        os.replace(path, target)
        fsync_directory(path.parent)
        fsync_directory(self.quarantine_dir)
        self.quarantined.append(Quarantined(path, target, reason))

    def _points_table(self, sweep: Sweep) -> Any:
        import pyarrow as pa

        columns: dict[str, Any] = {"point": np.arange(sweep.n_points, dtype=np.int64)}
        for j, (name, is_int) in enumerate(zip(sweep.names, sweep.integer, strict=True)):
            columns[name] = (np.rint(sweep.points[:, j]).astype(np.int64) if is_int
                             else sweep.points[:, j])
        return pa.table(columns)

    def write(self, columns: dict[str, np.ndarray]) -> Path:
        """Store one finished chunk atomically, named by its first point and its SHA-256."""
        import pyarrow as pa

        table = pa.table(columns).replace_schema_metadata(self._metadata)
        data = parquet_bytes(table)
        first = int(columns["point"][0]) if len(columns["point"]) else 0
        path = self.runs_dir / f"part-{first:09d}-{hashlib.sha256(data).hexdigest()}.parquet"
        write_bytes(path, data)
        return path

    def close(self) -> None:
        if self._lock is not None:
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            os.close(self._lock)
            self._lock = None

    def mark_complete(self) -> None:
        manifest = self.manifest()
        manifest["completed"] = now()
        write_bytes(self.directory / MANIFEST, json.dumps(manifest, indent=2,
                                                          default=str).encode())

    # reading
    def manifest(self) -> dict[str, Any]:
        """The manifest; a missing, damaged or incomplete one is a one-line error."""
        path = self.directory / MANIFEST

        def refuse(value: str) -> ScenarioError:
            return ScenarioError(str(path), "<file>", Placeholder(value),
                                 "a manifest written by cxsim sweep; if it is damaged, move the "
                                 "folder aside and run the sweep again (or give another --out)")

        try:
            manifest = json.loads(path.read_bytes())
        except FileNotFoundError:
            raise ScenarioError(str(self.directory), "manifest.json", Placeholder("<missing>"),
                                "a sweep directory written by cxsim sweep") from None
        except OSError as error:
            raise refuse(f"<unreadable: {error.strerror or error}>") from None
        except ValueError:          # JSONDecodeError, or bytes that are not UTF-8
            raise refuse("<not valid JSON>") from None
        if not isinstance(manifest, dict):
            raise refuse(f"<a JSON {type(manifest).__name__}, not an object>")
        for key, kind in MANIFEST_KEYS.items():
            if not isinstance(manifest.get(key), kind) or isinstance(manifest.get(key), bool):
                raise refuse(f"<{key!r} missing or not a {getattr(kind, '__name__', kind)}>")
        return manifest

    def resume_command(self) -> str:
        """The command that resumes this sweep, for messages."""
        try:
            sweep_file = self.manifest()["sweep_file"]
        except ScenarioError:
            sweep_file = "SWEEP"
        return f"cxsim sweep {sweep_file} --out {self.directory}"

    def parts(self) -> list[Path]:
        return sorted(self.runs_dir.glob("part-*.parquet"))

    def _tables(self, columns: list[str] | None = None) -> list[Any]:
        """Every part's table, each checked; the first damaged part is a one-line error."""
        parts = self.parts()
        identity = (self.identity or self.manifest()["identity"]) if parts else None
        tables = []
        for part in parts:
            try:
                tables.append(check_part(part, identity, columns))
            except DamagedFileError as damage:
                raise ScenarioError(str(part), "<file>", Placeholder(f"<damaged: {damage}>"),
                                    f"an intact part; resume the sweep ({self.resume_command()}"
                                    f"): it moves damaged parts to {self.quarantine_dir} and "
                                    "runs their runs again") from None
        return tables

    def done_runs(self, replicates: int) -> np.ndarray:
        """Run indices already stored (checked when the store was opened)."""
        if self._done is not None:
            return self._done
        tables = self._tables(["point", "replicate"])
        if not tables:
            return np.empty(0, dtype=np.int64)
        import pyarrow as pa

        table = pa.concat_tables(tables)
        runs = (table.column("point").to_numpy() * replicates
                + table.column("replicate").to_numpy())
        return np.unique(runs.astype(np.int64))

    def read(self) -> pd.DataFrame:
        """All stored rows, sorted by (point, replicate), duplicates dropped; every part checked
        (a damaged one is a one-line :class:`ScenarioError`)."""
        import pyarrow as pa

        tables = self._tables()
        if not tables:
            return pd.DataFrame()
        frame = pa.concat_tables(tables, promote_options="default").to_pandas()
        frame = frame.sort_values(["point", "replicate"], kind="stable")
        frame = frame.drop_duplicates(["point", "replicate"]).reset_index(drop=True)
        return frame

    def points(self) -> pd.DataFrame:
        """The sample, checked against the manifest's ``samples_sha256``."""
        path = self.directory / POINTS
        manifest = self.manifest()

        def refuse(value: str) -> ScenarioError:
            return ScenarioError(str(path), "<file>", Placeholder(value),
                                 f"the sweep's sample; resume the sweep ({self.resume_command()}"
                                 ") to write it again")

        try:
            frame = parse_parquet(path.read_bytes()).to_pandas()
        except FileNotFoundError:
            raise refuse("<missing>") from None
        except OSError as error:
            raise refuse(f"<unreadable: {error.strerror or error}>") from None
        except DamagedFileError as damage:
            raise refuse(f"<damaged: {damage}>") from None
        try:
            intact = points_sha256(frame, list(manifest["parameters"])) == \
                manifest["samples_sha256"]
        except (KeyError, ValueError, TypeError):
            intact = False
        if not intact:
            raise refuse("<values that are not the manifest's sample>")
        return frame


def read_runs(directory: str | Path) -> pd.DataFrame:
    """A sweep directory's rows, one per (point, replicate), sorted; every part checked."""
    return Store(directory).read()
