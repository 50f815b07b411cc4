"""The models a sweep file may name: the agent-based model and the test functions cxsim ships.

A sweep file says ``model = "cxsim"`` (the default: the agent-based model, started from a
scenario) or the name of a shipped test function with known answers (``ishigami``). It never
names code to import: a file shared by someone else can choose among these and nothing else. A
Python user with a function of their own passes it to ``build_sweep(spec, function=...)`` or
``load_sweep(path, function=...)``; it is called as ``function(params, seed)`` and returns a
dict of outputs.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from cxsim.model.errors import ScenarioError

Function = Callable[[dict[str, float], int], dict[str, float]]
AGENT_BASED = "cxsim"


def ishigami(params: dict[str, float], seed: int = 0) -> dict[str, float]:
    """The Ishigami function (a = 7, b = 0.1), a check with known Sobol indices.

    Inputs ``x1``, ``x2``, ``x3`` uniform on [-pi, pi]; output ``y``. Analytic indices:
    S1 = 0.3139, 0.4424, 0; ST = 0.5576, 0.4424, 0.2437; S13 = 0.2437.
    """
    x1, x2, x3 = params["x1"], params["x2"], params["x3"]
    y = math.sin(x1) + 7.0 * math.sin(x2) ** 2 + 0.1 * x3 ** 4 * math.sin(x1)
    return {"y": y}


@dataclass(frozen=True)
class SweepModel:
    """A model a sweep file may name."""

    name: str
    description: str
    function: Function | None = None      # None: the agent-based model (needs a scenario)
    inputs: tuple[str, ...] = ()          # a function's parameter keys
    outputs: tuple[str, ...] = ()         # the keys a function returns

    @property
    def agent_based(self) -> bool:
        return self.function is None


MODELS: dict[str, SweepModel] = {m.name: m for m in (
    SweepModel(AGENT_BASED, "the agent-based model of cxsim, started from a scenario"),
    SweepModel("ishigami", "the Ishigami test function (known Sobol indices)", ishigami,
               ("x1", "x2", "x3"), ("y",)),
)}


def sweep_model(name: str, file: str = "<sweep>") -> SweepModel:
    """The registry entry of ``name``; a one-line error names the models there are."""
    try:
        return MODELS[name]
    except KeyError:
        raise ScenarioError(file, "model", name, f"one of {', '.join(map(repr, MODELS))} (the "
                            "models cxsim ships; pass a Python function to build_sweep(spec, "
                            "function=...))") from None


def function_name(function: Function) -> str:
    """``module:qualname`` of a function, for provenance (never imported from)."""
    module = getattr(function, "__module__", None) or "?"
    name = getattr(function, "__qualname__", None) or type(function).__qualname__
    return f"{module}:{name}"
