"""Shared helpers for the model tests: small, fast organisations."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from cxsim.model import CXCultureModel, Parameters, load_scenario

SMALL = {"organisation.employees": 60, "organisation.customers": 40}


def small_parameters(scenario: str = "baseline", **overrides: Any) -> Parameters:
    """Parameters of a shipped scenario on a 60-person, 40-account organisation.

    Keyword names use ``__`` for the dot: ``anti_patterns__blame_culture=1.0``.
    """
    dotted = {key.replace("__", "."): value for key, value in overrides.items()}
    return load_scenario(scenario, overrides={**SMALL, **dotted}).parameters


@pytest.fixture
def small_model() -> Callable[..., CXCultureModel]:
    """Factory: ``small_model(seed=0, scenario="baseline", **overrides)``."""

    def make(seed: int = 0, scenario: str = "baseline", **overrides: Any) -> CXCultureModel:
        return CXCultureModel(small_parameters(scenario, **overrides), seed=seed)

    return make


@pytest.fixture
def small_params() -> Callable[..., Parameters]:
    """Factory: ``small_params(scenario="baseline", **overrides)``, see ``small_parameters``."""
    return small_parameters
