"""The one input error and the one translator from a pydantic validation error to it.

Every bad input (a scenario file, a ``--set``, a sweep file, a command-line number) becomes a
:class:`ScenarioError` whose ``str()`` is one line: the file, the key, the value and what is
allowed. Control characters in keys and values are escaped, so no input can print a second line.
The error pickles, so one raised in a worker process reaches the user as the same line.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ValidationError


def one_line(text: Any) -> str:
    """``text`` with control characters (newlines, NUL, escape, ...) written as escapes."""
    text = str(text)
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii")
                   for ch in text)


class Placeholder(str):
    """A value the program describes rather than quotes (``<missing>``, ``<not UTF-8 text>``):
    shown as it is. Every other value is shown by ``repr``, so input cannot pose as one."""


class ScenarioError(ValueError):
    """Bad input; ``str()`` is the one line a user sees: ``file: key = value: allowed``."""

    def __init__(self, file: Any, key: str, value: Any, allowed: str) -> None:
        self.file, self.key, self.value, self.allowed = str(file), str(key), value, str(allowed)
        shown = str(value) if isinstance(value, Placeholder) else repr(value)
        if len(shown) > 200:
            shown = shown[:197] + "..."
        super().__init__(one_line(f"{self.file}: {self.key} = {shown}: {self.allowed}"))

    def __reduce__(self) -> tuple[Callable[..., ScenarioError], tuple[Any, ...]]:
        return (ScenarioError, (self.file, self.key, self.value, self.allowed))


def dotted(loc: tuple[Any, ...]) -> str:
    """A pydantic location as a dotted key: ('timeline', 2, 'kind') -> 'timeline[2].kind'."""
    return ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in loc).replace(".[", "[")


_BOUNDS = {"greater_than_equal": "at least {ge}", "greater_than": "more than {gt}",
           "less_than_equal": "at most {le}", "less_than": "less than {lt}"}
_KINDS = {"int_type": "a whole number", "int_parsing": "a whole number",
          "int_from_float": "a whole number", "float_type": "a number",
          "float_parsing": "a number", "bool_type": "true or false",
          "bool_parsing": "true or false", "string_type": "a string", "list_type": "an array",
          "dict_type": "a table", "model_type": "a table", "model_attributes_type": "a table",
          "too_short": "at least {min_length} entries", "too_long": "at most {max_length} entries",
          "none_required": "nothing", "finite_number": "a finite number",
          "string_pattern_mismatch": "text matching {pattern}"}
# Tags pydantic puts in a location for unions and validators: not part of the user's key.
_TAGS = ("float", "int", "str", "bool", "list[float]", "function-after", "function-before",
         "function-wrap")


def _field(schema: type[BaseModel], loc: tuple[Any, ...]) -> Any:
    """The FieldInfo a location points to, or None."""
    model: Any = schema
    info = None
    for part in loc:
        if isinstance(part, int):
            continue
        if isinstance(model, type) and issubclass(model, BaseModel) and part in model.model_fields:
            info = model.model_fields[part]
            args = getattr(info.annotation, "__args__", ())
            nested = [a for a in (*args, *(getattr(a, "__args__", ()) for a in args))
                      if isinstance(a, type) and issubclass(a, BaseModel)]
            model = nested[0] if nested else info.annotation
        else:
            return None
    return info


def _section(schema: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model class that holds the last key of a location."""
    if len(loc) == 1:
        return schema
    info = _field(schema, loc[:-1])
    if info is None:
        return None
    candidates = (info.annotation, *getattr(info.annotation, "__args__", ()))
    for c in candidates:
        for a in (c, *getattr(c, "__args__", ())):
            if isinstance(a, type) and issubclass(a, BaseModel):
                return a
    return None


def allowed(schema: type[BaseModel], loc: tuple[Any, ...], error: dict[str, Any]) -> str:
    """What a field allows, in words: from the error and the schema's own bounds."""
    kind, ctx = error["type"], error.get("ctx", {})
    if kind == "extra_forbidden":
        section = _section(schema, loc)
        names = list(section.model_fields) if section else []
        near = difflib.get_close_matches(str(loc[-1]), names, n=1)
        return "unknown key; " + (f"did you mean {near[0]!r}?" if near
                                  else f"allowed: {', '.join(names)}" if names else "")
    if kind == "missing":
        return "required"
    if kind == "literal_error":
        return f"one of {ctx.get('expected')}"
    info = _field(schema, loc)
    if info is not None:
        what = {int: "a whole number", float: "a number", bool: "true or false",
                str: "a string"}.get(info.annotation)
        low = high = None
        for meta in info.metadata:
            low = getattr(meta, "ge", low)
            high = getattr(meta, "le", high)
        if what and low is not None and high is not None:
            return f"{what} from {low} to {high}"
        if what and kind in _BOUNDS:
            return f"{what}, {_BOUNDS[kind].format(**ctx)}"
        if what and kind not in _KINDS:
            return what
    if kind in _BOUNDS:
        return "a number " + _BOUNDS[kind].format(**ctx)
    if kind in _KINDS:
        return _KINDS[kind].format(**ctx)
    return one_line(error["msg"])


def translate(error: ValidationError, schema: type[BaseModel], file: str,
              origin_of: Callable[[str], str] | None = None) -> ScenarioError:
    """The one-line error for the first problem of a validation error (an unknown key first).

    ``origin_of(key)`` names the file a key came from (a scenario's ``extends`` chain);
    by default every key comes from ``file``."""
    errors = error.errors()
    first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    loc = tuple(p for p in first["loc"] if not (isinstance(p, str) and p in _TAGS))
    key = dotted(loc)
    value = first.get("input")
    if first["type"] == "missing":
        value = Placeholder("<missing>")
    elif isinstance(value, dict):
        value = Placeholder("<table>")
    where = origin_of(key) if origin_of is not None else file
    return ScenarioError(where, key, value, allowed(schema, loc, first))
