"""Shared helpers for the tests: small, fast organisations, and choosing a scenario in the
dashboard's page."""

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


# The scenario list is a virtual list: it renders only the items in view and re-renders them
# as it scrolls, so a pointer click aimed at an item's position can land on the item that takes
# its place on a loaded machine (seen in CI: the click chose the current scenario again). The
# item is found by its title and clicked in one step of the page's own script.
_CLICK_OPTION = """title => {
  const items = [...document.querySelectorAll('.v-overlay .v-list-item')];
  const item = items.find(
    (el) => el.querySelector('.v-list-item-title')?.textContent.trim() === title);
  if (item) item.click();
  return Boolean(item);
}"""


def choose_scenario(page: Any, expect: Any, title: str, timeout_ms: int) -> None:
    """Choose the dashboard's starting scenario by its title, as a person does (open the list
    unless it is open, scroll to its top, click the item), and wait until the selector shows
    it; a choice that did not take (the list still moving) is made again, at most three times."""
    selection = page.locator(".cx-scenario .v-select__selection-text")
    for attempt in range(3):
        listed = page.locator(".v-overlay .v-list")
        if not listed.is_visible():
            page.locator(".cx-controls .v-select").click()
        listed.evaluate("list => { list.scrollTop = 0; }")
        option = page.locator(".v-overlay .v-list-item-title").get_by_text(title, exact=True)
        expect(option).to_be_visible(timeout=timeout_ms)
        clicked = page.evaluate(_CLICK_OPTION, title)
        try:
            expect(selection).to_have_text(title, timeout=timeout_ms // 4)
            return
        except AssertionError:
            if attempt == 2:
                raise AssertionError(f"choosing {title!r} did not take (clicked: {clicked}); "
                                     f"the selector shows {selection.inner_text()!r}") from None
            page.keyboard.press("Escape")


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
