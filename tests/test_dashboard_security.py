"""The dashboard's server refusing what it must: each attack of the issue "Safe by default" played
against a real server (a subprocess on a free loopback port, one for the module) or against the
functions behind it.

* a websocket handshake from another site's page (cross-site websocket hijacking) and one with
  no Origin: 403; the page's own origin still connects (101);
* a request or handshake addressed to another host name (DNS rebinding, Host: evil.example): 403;
* a cross-site POST: 403; every response forbids framing;
* Solara's debug and ops endpoints (/resourcez, /readyz, ...): 404; every route of Solara's app
  is either needed by the page or closed, so a Solara upgrade that adds one fails here;
* a crafted scenario selector value (a TOML file outside the shipped folder, ``../../x``) sent
  through the page's own widget in Chromium: refused, the page shows only the generic line, the
  file's content appears nowhere; an export afterwards lands only in the export folder;
* an export with a traversal name, or into a scenario folder: refused, nothing written;
* ``--host 999.0.0.1``: one line, exit 2; a busy port and a foreign address: each its own line.

The browser part needs Debian's Chromium and Playwright, like tests/test_dashboard_browser.py
(skipped without them, failed under CI).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import choose_scenario

from cxsim.experiments import cli_dashboard
from cxsim.experiments.dashboard import compute, guard
from cxsim.experiments.dashboard import server as dashboard_server
from cxsim.model import ScenarioError
from cxsim.model.scenario import SCENARIO_DIR

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
START_TIMEOUT = 40
UI_TIMEOUT_MS = 20_000
SECRET = "TOP-SECRET-42"
WEBSOCKET = "/jupyter/api/kernels/k-test/channels?session_id=s-test"
ERROR_LINE = "Something went wrong; the server's log has the details."
# What a tampered page sends: a widget's value set in the browser's own widget state and synced
# to the server, as a real choice is (Solara's front-end keeps its widget manager at
# solara.debug.widgetManager()). The widget is found by a property: the scenario selector by its
# items (their values), the runs slider by its label.
SET_WIDGET = """async ([property, wanted, value]) => {
  const manager = solara.debug.widgetManager();
  for (const promise of Object.values(manager._models)) {
    const model = await promise;
    const has = model.get(property);
    const found = Array.isArray(has)
      ? has.some((item) => item === wanted || (item && item.value === wanted))
      : String(has).startsWith(wanted);
    if (found) {
      model.set('v_model', value);
      model.save_changes();
      return model.get('_model_name');
    }
  }
  return null;
}"""


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class Server:
    port: int
    exports: Path
    log: Path
    root: Path           # the module's temporary folder (the secret file lives here)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One dashboard for the module's attacks (two runs per setting: the attacks need no more)."""
    root = tmp_path_factory.mktemp("attacks")
    port = _free_port()
    exports = root / "exports"
    log_path = root / "server.log"
    log = log_path.open("wb")
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "cxsim.experiments.cli_dashboard", "--host", "127.0.0.1", "--port",
         str(port), "--export-dir", str(exports), "--replicates", "2"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    running = Server(port, exports, log_path, root)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(f"the server exited with {process.returncode}:\n"
                            f"{running.log_text()}")
            with contextlib.suppress(OSError), urllib.request.urlopen(running.url, timeout=2):
                break
            if time.monotonic() > deadline:
                pytest.fail(f"no answer on {running.url} in {START_TIMEOUT} s:\n"
                            f"{running.log_text()}")
            time.sleep(0.25)
        yield running
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        log.close()


def _request(server: Server, method: str, path: str,
             headers: dict[str, str] | None = None) -> http.client.HTTPResponse:
    """A raw request; ``headers`` may replace Host (http.client adds none of its own then)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    headers = {"Host": f"127.0.0.1:{server.port}", **(headers or {})}
    connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
    for name, value in headers.items():
        connection.putheader(name, value)
    connection.endheaders()
    response = connection.getresponse()
    if response.status != 101:  # an accepted upgrade has no body to read
        response.read()
    connection.close()
    return response


def _handshake(server: Server, origin: str | None, host: str | None = None) -> int:
    """The status of a websocket upgrade to the kernel's websocket (101: accepted)."""
    headers = {"Upgrade": "websocket", "Connection": "Upgrade",
               "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version": "13"}
    if origin is not None:
        headers["Origin"] = origin
    if host is not None:
        headers["Host"] = host
    return _request(server, "GET", WEBSOCKET, headers).status


# -- cross-site websocket hijacking and DNS rebinding --------------------------------------------

def test_websocket_from_another_origin_is_refused(server: Server) -> None:
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    address = f"ws://127.0.0.1:{server.port}{WEBSOCKET}"
    for origin in ("http://evil.example", f"http://evil.example:{server.port}",
                   f"http://127.0.0.1:{server.port + 1}", f"https://127.0.0.1:{server.port}",
                   "null"):
        with pytest.raises(InvalidStatus) as refused:
            connect(address, origin=origin, open_timeout=10).close()
        assert refused.value.response.status_code == 403, origin
    assert _handshake(server, origin=None) == 403          # browsers always send Origin
    assert _handshake(server, "http://evil.example") == 403
    # the page's own origins still connect
    for origin in (f"http://127.0.0.1:{server.port}", f"http://localhost:{server.port}"):
        with connect(address, origin=origin, open_timeout=10) as accepted:
            assert accepted.response.status_code == 101
    log = server.log_text()
    assert "refused websocket '/jupyter/api/kernels/k-test/channels': Origin " \
           "'http://evil.example' is not this server" in log
    assert "a websocket handshake without Origin" in log


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}",
                                  "127.0.0.1.evil.example:{port}", "127.0.0.1:{other}",
                                  "localhost.evil.example", "", "[::1:{port}"])
def test_a_request_for_another_host_is_refused(server: Server, host: str) -> None:
    host = host.format(port=server.port, other=server.port + 1)
    response = _request(server, "GET", "/", {"Host": host})
    assert response.status == 403
    # a rebinding page's websocket: its Host and its Origin are its own domain
    assert _handshake(server, f"http://{host}", host=host) == 403
    assert f"Host {host!r} is not this server" in server.log_text()


def test_the_own_addresses_are_served(server: Server) -> None:
    for host in (f"127.0.0.1:{server.port}", f"localhost:{server.port}",
                 f"LOCALHOST:{server.port}"):
        assert _request(server, "GET", "/", {"Host": host}).status == 200, host


def test_cross_site_post_is_refused_and_framing_forbidden(server: Server) -> None:
    closing = "/_solara/api/close/k-test?session_id=s-test"
    assert _request(server, "POST", closing, {"Origin": "http://evil.example",
                                              "Content-Length": "0"}).status == 403
    assert _request(server, "POST", closing, {"Origin": server.url.rstrip("/"),
                                              "Content-Length": "0"}).status == 200
    page = _request(server, "GET", "/")
    assert page.status == 200
    assert page.getheader("X-Frame-Options") == "DENY"
    assert page.getheader("Content-Security-Policy") == "frame-ancestors 'none'"


# -- endpoints a user does not need -------------------------------------------------------------

@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/resourcez"), ("GET", "/resourcez?verbose=1"), ("GET", "/resourcez/"),
    ("GET", "/readyz"), ("GET", "/jupyter/api/kernels/k-test"),
    ("POST", "/_solara/api/evict/k-test")])
def test_debug_endpoints_are_closed(server: Server, method: str, path: str) -> None:
    response = _request(server, method, path, {"Content-Length": "0"})
    assert response.status == 404
    assert response.getheader("Content-Type", "").startswith("text/plain")


def test_every_solara_route_is_needed_or_closed() -> None:
    """Solara's app, listed in a fresh interpreter (importing it patches ipywidgets)."""
    listing = subprocess.run(
        [sys.executable, "-c", "import json; from solara.server.starlette import app; "
         "print(json.dumps([r.path for r in app.routes]))"],
        env={**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false"},
        capture_output=True, text=True, check=True, timeout=120)
    routes = set(json.loads(listing.stdout.strip().splitlines()[-1]))
    needed = {"/", "/{fullpath}", "/{fullpath:path}",                  # the page
              "/jupyter/api/kernels/{kernel_id}/{name}",                # its websocket
              "/_solara/api/close/{kernel_id}",                         # the tab-close beacon
              "/_solara/cdn", "/static", "/static/public", "/static/assets",
              "/jupyter/nbextensions"}                                  # scripts and styles
    assert routes - needed == set(guard.CLOSED_PATHS), "classify Solara's new routes"


# -- the scenario selector and the export, through the page --------------------------------------

@pytest.fixture
def playwright_api():
    if not CHROMIUM.exists() or not _importable("playwright"):
        reason = "Chromium (/usr/bin/chromium) or the playwright package is missing"
        if _in_ci():
            pytest.fail(f"{reason}; CI must install both")
        pytest.skip(reason)
    from playwright import sync_api

    return sync_api


def _importable(name: str) -> bool:
    try:
        __import__(name)
    except ImportError:
        return False
    return True


def _wait_for_log(server: Server, text: str, seconds: float = 20.0) -> None:
    """Wait until the server has logged ``text``: the refusal line already on the page from an
    earlier value proves nothing about this one, and values sent in quick succession may be
    merged by the widget sync."""
    import time

    deadline = time.monotonic() + seconds
    while text not in server.log_text():
        assert time.monotonic() < deadline, f"the server never logged {text!r}"
        time.sleep(0.1)


def _tree(folder: Path) -> set[Path]:
    return {p.relative_to(folder) for p in folder.rglob("*")}


def test_crafted_selector_values_are_refused_in_the_page(playwright_api, server: Server) -> None:
    expect = playwright_api.expect
    secret = server.root / "outside" / "secret.toml"
    secret.parent.mkdir()
    secret.write_text(f'secret_key = "{SECRET}"\n', encoding="utf-8")
    shipped_before = sorted(p.name for p in SCENARIO_DIR.iterdir())
    outside_before = _tree(server.root)
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1100})
            page.goto(server.url)
            headline = page.locator(".cx-headline")
            expect(headline).to_contain_text("'TechOps Programme' as shipped",
                                             timeout=UI_TIMEOUT_MS)
            for crafted in (str(secret), "../../x", "../outside/secret", "baseline.toml", 7):
                assert page.evaluate(SET_WIDGET, ["items", "techops_programme", crafted]) \
                    == "SelectModel"
                expect(page.locator(".cx-refused")).to_have_text(ERROR_LINE,
                                                                 timeout=UI_TIMEOUT_MS)
                _wait_for_log(server, "refused a scenario name not on the allow-list: "
                              f"{crafted!r}")
                content = page.content()
                assert SECRET not in content and "secret_key" not in content, crafted
                assert "Traceback (most recent call last)" not in content
                expect(headline).to_contain_text("'TechOps Programme' as shipped")

            # the export after the attempts: the allow-listed scenario, in the export folder
            page.get_by_role("button", name="Export these settings as a scenario file").click()
            written = page.locator(".cx-export-file")
            expect(written).to_be_visible(timeout=UI_TIMEOUT_MS)
            path = Path(written.inner_text().strip())

            # the runs slider: a number beyond its range is clamped, text is refused
            page.evaluate(SET_WIDGET, ["label", "Runs per setting", 10**6])
            expect(page.get_by_text(f"Runs per setting: {compute.MAX_REPLICATES}")) \
                .to_be_visible(timeout=UI_TIMEOUT_MS)
            page.evaluate(SET_WIDGET, ["label", "Runs per setting", "1; rm -rf /"])
            expect(page.locator(".cx-refused")).to_have_text(ERROR_LINE, timeout=UI_TIMEOUT_MS)
            _wait_for_log(server, "refused runs = '1; rm -rf /'")
            content = page.content()
            assert "Traceback (most recent call last)" not in content and "rm -rf" not in content
            expect(page.get_by_text(f"Runs per setting: {compute.MAX_REPLICATES}")) \
                .to_be_visible()
            page.evaluate(SET_WIDGET, ["label", "Runs per setting", 2])
            expect(page.get_by_text("Runs per setting: 2")).to_be_visible(timeout=UI_TIMEOUT_MS)

            # a real choice still works, and clears the line
            choose_scenario(page, expect, "CX Theater", UI_TIMEOUT_MS)
            expect(headline).to_contain_text("'CX Theater' as shipped", timeout=UI_TIMEOUT_MS)
            expect(page.locator(".cx-refused")).to_have_count(0)
        finally:
            browser.close()
    assert path.parent == server.exports.resolve()
    assert path.name.startswith("techops_programme_dashboard_")
    assert sorted(p.name for p in server.exports.iterdir()) == [path.name]
    added = _tree(server.root) - outside_before
    assert added <= {Path("exports"), Path("exports") / path.name}, added
    assert sorted(p.name for p in SCENARIO_DIR.iterdir()) == shipped_before
    log = server.log_text()
    assert f"refused a scenario name not on the allow-list: {str(secret)!r}" in log
    assert "refused a scenario name not on the allow-list: '../../x'" in log
    assert SECRET not in log            # the file was never loaded


# -- without a server ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["../../x", "../scenarios/evil", "/tmp/evil", "a/../../b",
                                  "techops_programme/../../x", ".."])
def test_an_export_with_a_traversal_name_writes_nothing(tmp_path: Path, name: str) -> None:
    exports = tmp_path / "exports"
    with pytest.raises(ScenarioError):
        compute.export_scenario(name, {}, exports)
    assert list(tmp_path.iterdir()) == []


def test_an_export_lands_only_in_the_export_folder(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    exports = tmp_path / "exports"
    inside = compute.export_scenario("baseline", {"levers.psychological_safety": 0.9}, exports)
    assert inside.parent == exports.resolve()
    # even a name that escaped the checks cannot leave the folder
    monkeypatch.setattr(compute, "export_name", lambda name, changes: "../escaped")
    with pytest.raises(ScenarioError):
        compute.export_scenario("baseline", {}, exports)
    assert _tree(tmp_path) == {Path("exports"), Path("exports") / inside.name}


def test_no_export_into_a_scenario_folder(tmp_path: Path) -> None:
    for folder in (SCENARIO_DIR, SCENARIO_DIR / "dashboard"):
        with pytest.raises(ScenarioError):
            compute.export_scenario("baseline", {}, folder)
    assert not (SCENARIO_DIR / "dashboard").exists()
    assert not any(p.name.startswith("baseline_dashboard_") for p in SCENARIO_DIR.iterdir())
    with pytest.raises(ScenarioError, match="export folder"):
        dashboard_server.serve("127.0.0.1", 0, SCENARIO_DIR / "mine")


@pytest.mark.parametrize("host", ["999.0.0.1", "1.2.3", "256.1.1.1", "-bad.example",
                                  "bad_name.example", "a..b", "", "x" * 300, "host name"])
def test_a_host_that_is_neither_address_nor_name_is_one_line_exit_2(capsys, host: str) -> None:
    with pytest.raises(ScenarioError):
        dashboard_server.check_host(host)
    with pytest.raises(SystemExit) as exited:
        cli_dashboard.main(["--host", host, "--port", "0"])
    assert exited.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("cxsim: error: argument --host:"), err
    assert "in use" not in err[0]


@pytest.mark.parametrize(("host", "expected"), [
    ("127.0.0.1", "127.0.0.1"), ("::1", "::1"), ("[::1]", "::1"), ("localhost", "localhost"),
    ("0.0.0.0", "0.0.0.0"), ("my-host.example.org", "my-host.example.org"),
    ("::0001", "::1"), ("10.0.0.1", "10.0.0.1")])
def test_addresses_and_names_are_accepted(host: str, expected: str) -> None:
    assert dashboard_server.check_host(host) == expected


def test_each_reason_a_port_cannot_open_is_its_own_line(capsys) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        assert cli_dashboard.main(["--host", "127.0.0.1", "--port", str(busy)]) == 2
    assert capsys.readouterr().err.strip() == (
        f"cxsim: error: dashboard: --port: port = {busy}: a port not already in use on 127.0.0.1")
    # TEST-NET-1 (RFC 5737): an address, but not this machine's
    assert cli_dashboard.main(["--host", "192.0.2.1", "--port", "0"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["cxsim: error: dashboard: --host: host = '192.0.2.1': an address of this "
                   "machine"]


@pytest.mark.parametrize(("text", "parsed"), [
    ("127.0.0.1:8765", ("127.0.0.1", 8765)), ("LocalHost:8765", ("localhost", 8765)),
    ("[::1]:8765", ("::1", 8765)), ("localhost", ("localhost", 80)),
    ("localhost.:8765", ("localhost", 8765)), ("::1:8765", None), ("host:x", None),
    ("host:123456", None), ("[::1", None), ("[::1]x", None), (":8765", None), ("", None)])
def test_host_headers_are_parsed_strictly(text: str, parsed: tuple[str, int] | None) -> None:
    assert guard.parse_authority(text) == parsed


@pytest.mark.parametrize(("text", "parsed"), [
    ("http://127.0.0.1:8765", ("127.0.0.1", 8765)), ("http://localhost", ("localhost", 80)),
    ("http://[::1]:8765", ("::1", 8765)), ("https://127.0.0.1:8765", None), ("null", None),
    ("http://127.0.0.1:8765/path", None), ("http://user@127.0.0.1:8765", None),
    ("http://127.0.0.1:99999", None), ("file://", None)])
def test_origins_are_parsed_strictly(text: str, parsed: tuple[str, int] | None) -> None:
    assert guard.parse_origin(text) == parsed


def test_every_interface_adds_only_this_machines_names() -> None:
    local = guard.allowed_hosts("127.0.0.1", 8765)
    assert local == {("127.0.0.1", 8765), ("localhost", 8765)}
    everywhere = guard.allowed_hosts("0.0.0.0", 8765)
    assert local <= everywhere
    assert (socket.gethostname().lower(), 8765) in everywhere
    assert all(port == 8765 for _, port in everywhere)
    assert ("evil.example", 8765) not in everywhere


def test_explicitly_given_scenarios_are_allowed_and_nothing_else(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A folder given with --scenarios DIR joins the allow-list; a path to its file does not."""
    from cxsim.model import load_scenario
    from cxsim.model import scenario as scenarios

    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "my_plan.toml").write_text('name = "my_plan"\ndescription = "Mine."\n'
                                       'extends = "baseline"\n', encoding="utf-8")
    monkeypatch.setattr(scenarios, "_user_dirs", (mine,))
    compute.shipped_scenarios.cache_clear()
    try:
        assert compute.check_scenario("my_plan") == "my_plan"
        assert "baseline" in compute.scenario_names()
        for crafted in (str(mine / "my_plan.toml"), "mine/my_plan", "my_plan.toml"):
            with pytest.raises(ScenarioError):
                compute.check_scenario(crafted)
        exported = compute.export_scenario("my_plan", {"levers.psychological_safety": 0.9},
                                           tmp_path / "exports")
        assert load_scenario(exported).parameters.levers.psychological_safety == 0.9
        with pytest.raises(ScenarioError):             # nor into the user's scenario folder
            compute.export_scenario("my_plan", {}, mine)
    finally:
        compute.shipped_scenarios.cache_clear()
        compute._loaded.cache_clear()


def _call(app: guard.Guard, scope: dict) -> list[dict]:
    import asyncio

    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "websocket.connect" if scope["type"] == "websocket" else "http.request"}

    async def send(message: dict) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return sent


def test_the_guard_on_its_own() -> None:
    reached: list[str] = []

    async def inner(scope, receive, send) -> None:
        reached.append(scope["type"])
        if scope["type"] == "http":
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"x-frame-options", b"SAMEORIGIN")]})
            await send({"type": "http.response.body", "body": b"ok"})

    app = guard.Guard(inner, guard.allowed_hosts("127.0.0.1", 8765))
    own = (b"host", b"127.0.0.1:8765")

    def status(kind: str, *headers: tuple[bytes, bytes], path: str = "/") -> object:
        first = _call(app, {"type": kind, "path": path, "headers": list(headers)})
        return first[0].get("status", first[0]["type"]) if first else None

    assert status("http", own) == 200 and reached == ["http"]
    assert status("http") == 403                                   # HTTP/1.0, no Host
    assert status("http", own, (b"host", b"evil.example")) == 403  # two Hosts
    assert status("http", own, (b"origin", b"http://127.0.0.1:8765"),
                  (b"origin", b"http://evil.example")) == 403      # two Origins
    assert status("websocket", own, (b"origin", b"http://evil.example")) == "websocket.close"
    assert status("http", own, path="/readyz") == 404
    assert reached == ["http"]
    assert status("websocket", own, (b"origin", b"http://localhost:8765")) is None  # passed on
    assert reached == ["http", "websocket"]
    assert _call(app, {"type": "lifespan"}) == [] and reached[-1] == "lifespan"
    headers = dict(_call(app, {"type": "http", "path": "/", "headers": [own]})[0]["headers"])
    assert headers[b"x-frame-options"] == b"DENY"    # the app's own weaker value replaced
