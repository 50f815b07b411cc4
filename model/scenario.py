"""Scenario files: TOML that ``extends`` a named scenario and overrides only what differs.

A scenario file has the metadata keys ``name``, ``description``, ``source``, ``extends`` and
``timeline_mode`` ("append", the default, adds its ``[[timeline]]`` entries to the parent's;
"replace" starts the timeline afresh), and any section of
:class:`cxsim.model.parameters.Parameters`.
Every error is a :class:`ScenarioError` whose text is one line naming the file, the key, the value
and what is allowed.

Where scenarios are found: a name (``techops_programme``) is looked up in the user's scenario
folders, then among the shipped scenarios (package data of ``cxsim.scenarios``, read through
:mod:`importlib.resources`); a path (anything with a ``/`` or ending in ``.toml``) is that file.
The user's folders are those named by :func:`use_scenario_dirs` (the ``--scenarios DIR`` option)
or, failing that, by the environment variable ``CXSIM_SCENARIOS`` (folders separated by
``os.pathsep``). A scenario's ``extends`` by name looks first in the extending file's own folder,
so a folder of scenarios can extend each other and the shipped ones.
"""

from __future__ import annotations

import copy
import dataclasses
import difflib
import hashlib
import json
import os
import re
import tomllib
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from cxsim.model.errors import Placeholder, ScenarioError, translate
from cxsim.model.parameters import Parameters, valid_keys

METADATA_KEYS = ("name", "description", "source", "extends", "timeline_mode")
# A scenario's name becomes a folder name under the output root: letters, digits, "_", "-", ".".
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
MAX_EXTENDS = 32        # files in one extends chain
MAX_DEPTH = 6           # nesting of tables and arrays in a scenario file (the schema needs 3)
# The shipped scenarios. pip installs packages as plain files, so the resource folder is a path.
SCENARIO_DIR = Path(str(files("cxsim.scenarios")))
SCENARIOS_ENV = "CXSIM_SCENARIOS"
_user_dirs: tuple[Path, ...] | None = None


@dataclass(frozen=True)
class Scenario:
    """A validated scenario: its parameters and where they came from."""

    name: str
    description: str
    source: str
    files: tuple[str, ...]
    parameters: Parameters
    overrides: dict[str, Any] = field(default_factory=dict)
    # Where each key that is not a schema default was set: a file's path or an override origin.
    origins: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def provenance(self) -> dict[str, Any]:
        """Plain data that identifies this scenario exactly."""
        params = self.parameters.model_dump(mode="json")
        digest = hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()[:16]
        return {
            "scenario": self.name,
            "files": list(self.files),
            "overrides": self.overrides,
            "parameters_sha256": digest,
            "parameters": params,
        }

    def named(self, name: str, description: str | None = None) -> Scenario:
        """A copy under another name (for comparing variants of one scenario)."""
        return dataclasses.replace(self, name=name,
                                   description=self.description if description is None
                                   else description)

    def with_overrides(self, overrides: dict[str, Any], origin: str = "overrides") -> Scenario:
        """A copy with dotted-key overrides applied and validated."""
        data = self.parameters.model_dump()
        origins = dict(self.origins)
        _apply_overrides(data, overrides, origins, origin)
        params = _validate(data, origins, origin)
        return Scenario(self.name, self.description, self.source, self.files, params,
                        {**self.overrides, **overrides}, origins)

    def set_by(self, key: str) -> str | None:
        """The file (path) or override origin that set the dotted ``key``; None for a schema
        default."""
        return self.origins.get(key)


def use_scenario_dirs(dirs: Sequence[str | Path] | None) -> None:
    """Name the user's scenario folders for this process (``None``: back to ``CXSIM_SCENARIOS``)."""
    global _user_dirs
    _user_dirs = None if dirs is None else tuple(Path(d) for d in dirs)


def user_scenario_dirs() -> tuple[Path, ...]:
    """The user's scenario folders, searched before the shipped scenarios."""
    if _user_dirs is not None:
        return _user_dirs
    return tuple(Path(d) for d in os.environ.get(SCENARIOS_ENV, "").split(os.pathsep) if d)


def shipped_scenarios() -> dict[str, Path]:
    """Scenario names and files: the shipped ones and, in their place where a name repeats, those
    of the user's scenario folders."""
    found = {p.stem: p for p in sorted(SCENARIO_DIR.glob("*.toml"))}
    for folder in reversed(user_scenario_dirs()):
        found.update({p.stem: p for p in sorted(folder.glob("*.toml"))})
    return dict(sorted(found.items()))


def scenario_summary(path: Path) -> tuple[str, str]:
    """(name, first sentence of the description) of a scenario file, without validating it."""
    data = _read_toml(path)
    description = " ".join(str(data.get("description", "")).split())
    first = description.split(". ")[0].rstrip(".")
    return str(data.get("name", path.stem)), first


def resolve(scenario: str | Path, relative_to: Path | None = None, *, file: str = "<command line>",
            key: str = "scenario") -> Path:
    """A scenario name or path to an existing file."""
    text = str(scenario)
    if isinstance(scenario, Path) or "/" in text or os.sep in text or text.endswith(".toml"):
        path = Path(text)
        if relative_to is not None and not path.is_absolute():
            path = relative_to / path
        if _is_file(path):
            return path
        raise ScenarioError(file, key, text, "no such scenario file")
    if not SAFE_NAME.match(text) or ".." in text:
        raise ScenarioError(file, key, text, "a scenario name (letters, digits, '_', '-', '.'; "
                            "up to 64) or a path to a .toml file")
    folders = [*([relative_to] if relative_to is not None else []), *user_scenario_dirs(),
               SCENARIO_DIR]
    for candidate in (folder / f"{text}.toml" for folder in folders):
        if _is_file(candidate):
            return candidate
    names = sorted(shipped_scenarios())
    near = difflib.get_close_matches(text, names, n=1)
    hint = f" (did you mean {near[0]!r}?)" if near else ""
    raise ScenarioError(file, key, text,
                        f"not a known scenario name; known: {', '.join(names)}{hint}")


def load_scenario(scenario: str | Path, overrides: dict[str, Any] | None = None,
                  origin: str = "overrides") -> Scenario:
    """Load a scenario by shipped name or path, follow ``extends``, apply dotted overrides."""
    path = resolve(scenario)
    data, origins, files = _load_chain(path, ())
    overrides = dict(overrides or {})
    _apply_overrides(data, overrides, origins, origin)
    params = _validate(data, origins, str(path))
    own = _read_toml(path)
    name = own.get("name", path.stem)
    if not isinstance(name, str) or not SAFE_NAME.match(name) or ".." in name:
        raise ScenarioError(path, "name", name, "a name of letters, digits, '_', '-' and '.' "
                            "(up to 64, not starting with '.' or '-')")
    if "extends" not in own and path.resolve() != (SCENARIO_DIR / "baseline.toml").resolve():
        warnings.warn(ScenarioWarning(
            f"{path}: no 'extends': it starts from the schema defaults, not the calibrated "
            "organisation (add extends = \"baseline\")"), stacklevel=2)
    return Scenario(
        name=name,
        description=" ".join(str(own.get("description", "")).split()),
        source=str(own.get("source", "")),
        files=tuple(files),
        parameters=params,
        overrides=overrides,
        origins=origins,
    )


class ScenarioWarning(UserWarning):
    """A scenario that loads but may not be what its author meant (one line)."""


def parse_assignments(texts: Sequence[str]) -> dict[str, Any]:
    """Every ``--set key=value``; a key given twice is an error."""
    out: dict[str, Any] = {}
    for text in texts:
        key, value = parse_assignment(text)
        if key in out:
            raise ScenarioError("--set", key, value, f"given twice (first as {out[key]!r}); "
                                "give each key once")
        out[key] = value
    return out


def parse_assignment(text: str) -> tuple[str, Any]:
    """``key=value`` from the command line; the value is read as TOML, else as a string."""
    if "=" not in text:
        raise ScenarioError("--set", text, Placeholder("<missing '='>"), "use key=value, "
                            "for example levers.psychological_safety=0.8")
    key, raw = text.split("=", 1)
    try:
        value = tomllib.loads(f"v = {raw.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw.strip()
    return key.strip(), value


# -- internals ----------------------------------------------------------------------------------

def _is_file(path: Path) -> bool:
    """Whether ``path`` is a file; False for names the OS refuses (NUL, too long)."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def _depth(value: Any) -> int:
    """Nesting depth of tables and arrays (iterative: no recursion limit to hit)."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > MAX_DEPTH:
            break
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return deepest


def _read_toml(path: Path) -> dict[str, Any]:
    """A scenario file's data; every failure is one line."""
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError(path, "<file>", Placeholder("<malformed TOML>"),
                            f"valid TOML expected ({error})") from None
    except UnicodeDecodeError:
        raise ScenarioError(path, "<file>", Placeholder("<not UTF-8 text>"),
                            "a TOML text file") from None
    except RecursionError:
        raise ScenarioError(path, "<file>", Placeholder("<nested too deeply>"),
                            f"at most {MAX_DEPTH} levels of tables and arrays") from None
    except (OSError, ValueError) as error:
        reason = getattr(error, "strerror", None) or "not a readable file"
        raise ScenarioError(path, "<file>", Placeholder("<unreadable>"),
                            f"a readable file ({reason})") from None
    if _depth(data) > MAX_DEPTH:
        raise ScenarioError(path, "<file>", Placeholder("<nested too deeply>"),
                            f"at most {MAX_DEPTH} levels of tables and arrays")
    return data


def _load_chain(path: Path, stack: tuple[Path, ...]) -> tuple[dict, dict[str, str], list[str]]:
    """The merged parameter data of a file and its ancestors, with each key's origin file."""
    real = path.resolve()
    if real in stack:
        cycle = " -> ".join(p.name for p in (*stack, real))
        raise ScenarioError(path, "extends", path.stem, f"no circular extends ({cycle})")
    if len(stack) >= MAX_EXTENDS:
        raise ScenarioError(path, "extends", path.stem,
                            f"an extends chain of at most {MAX_EXTENDS} files")
    raw = _read_toml(path)
    if stack and not set(raw) <= set(METADATA_KEYS) | set(Parameters.model_fields):
        # Reached through extends: say nothing of a file that is not a scenario.
        raise ScenarioError(stack[-1], "extends", str(path), "not a scenario file")
    mode = raw.get("timeline_mode", "append")
    if mode not in ("append", "replace"):
        raise ScenarioError(path, "timeline_mode", mode, "one of 'append', 'replace'")
    own = {k: v for k, v in raw.items() if k not in METADATA_KEYS}
    if mode == "replace":
        own.setdefault("timeline", [])
    if not raw and not stack:
        raise ScenarioError(path, "<file>", Placeholder("<empty>"),
                            "a scenario: at least extends = \"baseline\" and what differs")
    if "extends" in raw:
        if not isinstance(raw["extends"], str):
            raise ScenarioError(path, "extends", raw["extends"], "a scenario name or path")
        parent = resolve(raw["extends"], path.parent, file=str(path), key="extends")
        data, origins, files = _load_chain(parent, (*stack, real))
    else:
        data, origins, files = {}, {}, []
    _merge(data, own, origins, str(path), "", replace_timeline=(mode == "replace"))
    return data, origins, [*files, str(path)]


def _merge(base: dict, new: dict, origins: dict[str, str], origin: str, prefix: str,
           replace_timeline: bool) -> None:
    for key, value in new.items():
        dotted = f"{prefix}{key}"
        if dotted == "timeline":
            if not isinstance(value, list):
                raise ScenarioError(origin, "timeline", value, "an array of tables "
                                    "([[timeline]] entries)")
            start = 0 if replace_timeline else len(base.get("timeline", []))
            base["timeline"] = ([] if replace_timeline else base.get("timeline", [])) + \
                copy.deepcopy(value)
            for i in range(len(value)):
                origins[f"timeline[{start + i}]"] = origin
            continue
        if isinstance(value, dict):
            target = base.setdefault(key, {})
            if not isinstance(target, dict):
                raise ScenarioError(origin, dotted, value, "a value, not a table")
            _merge(target, value, origins, origin, dotted + ".", replace_timeline)
        else:
            base[key] = value
            origins[dotted] = origin


def _apply_overrides(data: dict, overrides: dict[str, Any], origins: dict[str, str],
                     origin: str) -> None:
    for key, value in overrides.items():
        for stale in [k for k in origins if k.startswith((f"{key}.", f"{key}["))]:
            del origins[stale]
        parts = key.split(".")
        target = data
        for part in parts[:-1]:
            nxt = target.setdefault(part, {})
            if not isinstance(nxt, dict):
                raise ScenarioError(origin, key, value, f"{part!r} is a value, not a section")
            target = nxt
        target[parts[-1]] = value
        origins[key] = origin


def flatten_keys(data: dict, prefix: str = "") -> dict[str, Any]:
    """Nested tables to dotted keys: {"levers": {"x": 1}} -> {"levers.x": 1}."""
    flat: dict[str, Any] = {}
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten_keys(value, dotted + "."))
        else:
            flat[dotted] = value
    return flat


def _origin_of(key: str, origins: dict[str, str], default: str) -> str:
    parts = key.replace("[", ".[").split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end]).replace(".[", "[")
        if candidate in origins:
            return origins[candidate]
    return default


def _validate(data: dict, origins: dict[str, str], default_origin: str) -> Parameters:
    known = frozenset(valid_keys())
    for key, value in flatten_keys({k: v for k, v in data.items() if k != "timeline"}).items():
        if key not in known:
            near = difflib.get_close_matches(key, valid_keys(), n=1, cutoff=0.6)
            hint = f"did you mean {near[0]!r}?" if near else "see docs/parameters.md"
            raise ScenarioError(_origin_of(key, origins, default_origin), key, value,
                                f"unknown parameter; {hint}")
    try:
        params = Parameters.model_validate(data)
    except ValidationError as error:
        raise translate(error, Parameters, default_origin,
                        lambda key: _origin_of(key, origins, default_origin)) from None
    for key, value, allowed in params.inconsistencies():
        raise ScenarioError(_origin_of(key, origins, default_origin), key, value, allowed)
    return params
