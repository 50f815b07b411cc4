"""The Mesa SolaraViz app (``python -m cxsim.experiments.mesa_app``) served and driven in
headless Chromium, like the dashboard's test (tests/test_dashboard_browser.py).

The server runs as a subprocess on a free loopback port; Playwright drives Debian's Chromium
(``/usr/bin/chromium``, with the flags that keep it off the network). The test steps the
organisation week by week with Mesa's Step button, plays and pauses it, then moves the
psychological-safety slider and resets, and checks that the week, the month so far, the team
means and both charts follow; the page must load nothing from outside this server. Screenshots
go to the test's temporary directory.

Without ``/usr/bin/chromium``, the ``playwright`` package or an importable ``mesa.visualization``
(it needs networkx and altair) the browser test is skipped with the reason, except under CI
(``CI`` set), where it fails.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
START_TIMEOUT = 40      # seconds for the server to answer
UI_TIMEOUT_MS = 20_000  # for the page to render or redraw
TRACK = ".v-slider__track-container, .v-slider-track"  # Vuetify 2 and 3


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _missing(reason: str) -> None:
    if _in_ci():
        pytest.fail(f"{reason}; CI must install it (the browser test cannot be skipped in CI)")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def playwright_api():
    """Playwright's sync API, once Chromium, Playwright and Mesa's visualization are there."""
    if not CHROMIUM.exists():
        _missing(f"{CHROMIUM} is missing (apt-get install chromium)")
    try:
        import mesa.visualization  # noqa: F401
    except ImportError as error:
        _missing(f"mesa.visualization does not import ({error}; pip install networkx altair)")
    try:
        from playwright import sync_api
    except ImportError:
        _missing("the playwright package is missing (pip install playwright)")
    return sync_api


@pytest.fixture
def server(tmp_path: Path):
    """The app on a free loopback port; stopped afterwards."""
    port = _free_port()
    log_path = tmp_path / "server.log"
    log = log_path.open("wb")
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "cxsim.experiments.mesa_app", "--host", "127.0.0.1",
         "--port", str(port)],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(f"the app's server exited with {process.returncode}:\n"
                            f"{log_path.read_text(errors='replace')}")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the app did not answer on {url} within {START_TIMEOUT} s:\n"
                            f"{log_path.read_text(errors='replace')}")
            time.sleep(0.25)
        yield url, log_path
    finally:
        # the server runs in its own session: stop its process group (it started no other)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        log.close()


def _week(page) -> int:
    return int(re.search(r"Week (\d+) of", page.locator(".cx-week").inner_text()).group(1))


def _means(page) -> dict[str, float]:
    text = page.locator(".cx-team-means").inner_text()
    return {name.strip(): float(value)
            for name, value in re.findall(r"([a-z ]+) (\d\.\d\d)", text)}


def test_mesa_app_in_chromium(playwright_api, server, tmp_path: Path) -> None:
    expect, sync_playwright = playwright_api.expect, playwright_api.sync_playwright
    url, log_path = server
    started = time.monotonic()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1200})
            outside: list[str] = []
            page.on("request", lambda request: outside.append(request.url)
                    if not request.url.startswith((url, "blob:", "data:")) else None)
            page.goto(url)
            week = page.locator(".cx-week")
            expect(week).to_contain_text("Week 0 of 52", timeout=UI_TIMEOUT_MS)
            expect(week).to_contain_text("techops_programme")
            teams_chart = page.locator(".cx-teams-chart img")
            voice_chart = page.locator(".cx-voice-chart img")
            expect(teams_chart).to_be_visible(timeout=UI_TIMEOUT_MS)
            expect(voice_chart).to_be_visible(timeout=UI_TIMEOUT_MS)
            page.screenshot(path=str(tmp_path / "mesa_app_week0.png"), full_page=True)
            means_at_start = _means(page)
            assert set(means_at_start) == {"psychological safety", "cynicism",
                                           "customer orientation"}
            teams_before = teams_chart.get_attribute("src")

            # Mesa's Step button: one week a click
            step = page.get_by_role("button", name="Step", exact=True)
            for expected in range(1, 7):
                step.click()
                expect(week).to_contain_text(f"Week {expected} of 52", timeout=UI_TIMEOUT_MS)
            expect(week).to_contain_text("(month 1 reported)")  # month 1 ends at week 4
            so_far = page.locator(".cx-month-so-far").inner_text()
            met = int(re.search(r"(\d+) customer problems met", so_far).group(1))
            assert met > 0, so_far  # weeks 5 and 6 of a new month: the voice loop ran
            expect(teams_chart).not_to_have_attribute("src", teams_before or "",
                                                      timeout=UI_TIMEOUT_MS)

            # play until a quarter is reported, then pause
            voice_before = voice_chart.get_attribute("src")
            page.get_by_role("button", name="▶").click()
            deadline = time.monotonic() + 40
            while _week(page) < 14:
                assert time.monotonic() < deadline, f"still at week {_week(page)}"
                page.wait_for_timeout(200)
            page.get_by_role("button", name="❚❚").click()
            # Mesa's play loop may take one more step after the click (it sleeps, then steps),
            # and a busy machine draws it late: wait until the week holds still for 3 s
            deadline, paused_at = time.monotonic() + 40, -1
            while _week(page) != paused_at:
                assert time.monotonic() < deadline, "the model kept stepping after pause"
                paused_at = _week(page)
                page.wait_for_timeout(3000)
            assert _week(page) == paused_at, "the model kept stepping after pause"
            expect(page.get_by_role("button", name="▶")).to_be_enabled()
            expect(voice_chart).not_to_have_attribute("src", voice_before or "",
                                                      timeout=UI_TIMEOUT_MS)
            page.screenshot(path=str(tmp_path / "mesa_app_played.png"), full_page=True)

            # a safer climate, then Reset: a new organisation from the parameters
            slider = page.locator(".v-input").filter(has_text="Psychological safety climate")
            thumb = slider.locator("[role=slider]")
            before = float(thumb.get_attribute("aria-valuenow"))
            box = slider.locator(TRACK).first.bounding_box()
            assert box is not None
            page.mouse.click(box["x"] + 0.9 * box["width"], box["y"] + box["height"] / 2)
            expect(thumb).not_to_have_attribute("aria-valuenow", str(before),
                                                timeout=UI_TIMEOUT_MS)
            moved_to = float(thumb.get_attribute("aria-valuenow"))
            assert moved_to > 0.7, f"the slider moved to {moved_to}"
            page.get_by_role("button", name="Reset", exact=True).click()
            expect(week).to_contain_text("Week 0 of 52", timeout=UI_TIMEOUT_MS)
            page.wait_for_timeout(500)
            safer = _means(page)
            assert safer["psychological safety"] > means_at_start["psychological safety"] + 0.2
            assert safer["cynicism"] == means_at_start["cynicism"]  # same seed, same people
            page.screenshot(path=str(tmp_path / "mesa_app_reset.png"), full_page=True)
            assert outside == [], f"the page requested addresses off this server: {outside}"
        finally:
            browser.close()
    log = log_path.read_text(errors="replace")
    assert "Traceback" not in log, log
    assert time.monotonic() - started < 120


# -- without a browser -------------------------------------------------------------------------

def test_model_params_are_model_keywords() -> None:
    try:
        from cxsim.experiments import mesa_app
    except ImportError as error:
        _missing(f"the app does not import ({error})")
    import inspect

    from cxsim.model import CXCultureModel, load_scenario

    params = mesa_app.model_params("cx_theater", seed=4)
    accepted = inspect.signature(CXCultureModel).parameters
    assert set(params) <= set(accepted)
    values = {name: spec["value"] for name, spec in params.items()}
    model = CXCultureModel(**values)
    assert model.scenario_name == "cx_theater" and model.seed == 4
    shipped = load_scenario("cx_theater").parameters.levers
    assert model.p.levers.psychological_safety == pytest.approx(shipped.psychological_safety)


def test_panels_draw_from_a_stepped_model() -> None:
    try:
        from cxsim.experiments import mesa_app
    except ImportError as error:
        _missing(f"the app does not import ({error})")
    from cxsim.model import CXCultureModel

    model = CXCultureModel("techops_programme", seed=0, overrides={
        "organisation.employees": 60, "organisation.customers": 40})
    for _ in range(9):
        model.step()
    rows = mesa_app.team_beliefs(model)
    assert rows.shape == (int(model.people.filled.sum()), 5)
    for figure in (mesa_app.voice_loop_figure(model), mesa_app.team_figure(model)):
        assert all(ax.get_xlabel() and ax.get_ylabel() for ax in figure.get_axes()[:1])
        figure.clf()
