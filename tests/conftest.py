"""Shared helpers for the model tests: small, fast organisations."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from cxsim.model import CXCultureModel, Parameters, load_scenario
from cxsim.model.scenario import SCENARIO_DIR

SMALL = {"organisation.employees": 60, "organisation.customers": 40}


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Figures the tests measured (``record_property("measured", text)``), printed at the end:
    speed is reported, never asserted by a timed test."""
    lines = [value for report in terminalreporter.getreports("passed")
             for name, value in report.user_properties if name == "measured"]
    if lines:
        terminalreporter.section("measured")
        for line in lines:
            terminalreporter.line(line)


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


def _shipped_files() -> dict[str, str]:
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(SCENARIO_DIR.iterdir()) if path.is_file()}


@pytest.fixture(scope="session", autouse=True)
def shipped_scenarios_unchanged() -> Iterator[None]:
    """No test may add to, remove from or change the shipped scenarios (calibrate writes its
    candidate elsewhere)."""
    before = _shipped_files()
    yield
    assert _shipped_files() == before, "a test changed the shipped scenarios folder"
