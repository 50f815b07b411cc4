"""Starting a Solara page on this machine: the dashboard (:func:`serve`) and, through
:func:`serve_solara`, the Mesa app (``experiments.mesa_app``).

:func:`serve_solara` checks ``--host`` (an IP address or a host name), opens the listening socket
itself, so a port in use, an address that is not this machine's and a name that does not resolve
are each their own one-line error, warns on stderr when the address reaches beyond this machine,
keeps Solara off the network (no telemetry, no banner, scripts and styles only from the
solara-assets package, the CDN fallback pointed at a closed loopback port) and runs uvicorn on
solara-server's Starlette app wrapped in :class:`~cxsim.experiments.dashboard.guard.Guard` (Host
and Origin checked on every request and websocket handshake, the endpoints a user does not need
closed). The page's error details go to the server's log (stderr).
"""

from __future__ import annotations

import contextlib
import copy
import errno
import ipaddress
import logging
import os
import re
import socket
import sys
import warnings
from collections.abc import Mapping
from pathlib import Path

from cxsim.experiments.dashboard.compute import (
    DEFAULT_EXPORT_DIR,
    EXPORT_DIR_ENV,
    PARAMETERS_ENV,
    REPLICATES_ENV,
    check_export_folder,
    clean_runs,
)
from cxsim.experiments.dashboard.guard import ASGIApp, Guard, allowed_hosts, is_unspecified
from cxsim.experiments.statistics import DEFAULT_REPLICATES
from cxsim.model import ScenarioError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
PAGE_MODULE = "cxsim.experiments.dashboard.page"
OFFLINE_CDN = "http://127.0.0.1:9/"  # the discard port: nothing listens there
HOST_ALLOWED = "an IP address (127.0.0.1, ::1) or a host name (localhost)"
LOGGERS = ("cxsim.dashboard", "cxsim.server")
_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")


def check_host(text: str) -> str:
    """``text`` if it is an IP address or a host name (RFC 1123 labels, not all digits: so
    ``999.0.0.1`` is neither), else a ScenarioError; brackets round an IPv6 address dropped."""
    bare = text[1:-1] if text.startswith("[") and text.endswith("]") else text
    with contextlib.suppress(ValueError):
        return ipaddress.ip_address(bare).compressed
    labels = bare.removesuffix(".").split(".")
    if len(bare) <= 253 and all(map(_LABEL.match, labels)) and not labels[-1].isdigit():
        return bare
    raise ScenarioError("--host", "host", text, HOST_ALLOWED)


def is_loopback(host: str) -> bool:
    """Whether ``host`` is only reachable from this machine (127.0.0.0/8, ::1, localhost)."""
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        pass
    try:
        found = socket.getaddrinfo(host, None)
    except OSError:
        return False
    return bool(found) and all(ipaddress.ip_address(info[4][0]).is_loopback for info in found)


def listen(host: str, port: int) -> socket.socket:
    """A socket listening on ``host:port`` (port 0: a free one); each reason it cannot be is its
    own ScenarioError."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    except (socket.gaierror, UnicodeError):
        raise ScenarioError("--host", "host", host, "a name this machine can resolve") from None
    sock = socket.socket(family, kind, proto)
    try:
        # a restart may take over a port whose old connections linger (TIME_WAIT); a port another
        # server listens on still fails
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as error:
        sock.close()
        if error.errno == errno.EADDRINUSE:
            raise ScenarioError("--port", "port", port,
                                f"a port not already in use on {host}") from None
        if error.errno == errno.EADDRNOTAVAIL:
            raise ScenarioError("--host", "host", host, "an address of this machine") from None
        if error.errno == errno.EACCES:
            raise ScenarioError("--port", "port", port,
                                "a port this user may open (1024 and above)") from None
        raise ScenarioError("--host", "host", f"{host}:{port}",
                            f"an address to listen on ({error.strerror})") from None
    return sock


def url_host(host: str) -> str:
    """The host part of the address to open in a browser."""
    if is_unspecified(host):
        return DEFAULT_HOST
    return f"[{host}]" if ":" in host else host


class _Stderr(logging.StreamHandler):
    """A log handler writing to whatever ``sys.stderr`` is when a record comes."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def _log_to_stderr(label: str) -> None:
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not logger.handlers:
            handler = _Stderr()
            handler.setFormatter(logging.Formatter(f"cxsim {label}: %(levelname)s: %(message)s"))
            logger.addHandler(handler)
            logger.setLevel(logging.INFO)


def _offline() -> None:
    """Solara's settings that keep it off the network; set before Solara reads them."""
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "false")
    os.environ.setdefault("SOLARA_THEME_SHOW_BANNER", "false")
    os.environ.setdefault("SOLARA_ASSETS_CDN", OFFLINE_CDN)
    # plain http on this machine: Solara's advice about cookies behind https proxies is noise
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")


def solara_app(page_module: str, hosts: frozenset[tuple[str, int]]) -> ASGIApp:
    """solara-server's Starlette app serving ``page_module``, inside the :class:`Guard`."""
    os.environ["SOLARA_APP"] = page_module  # read when solara.server.app is first imported
    from solara.server import app as solara_apps
    from solara.server import settings
    from solara.server.starlette import app

    if "__default__" not in solara_apps.apps:
        solara_apps.apps["__default__"] = solara_apps.AppScript(page_module)
    settings.main.mode = "production"  # as `solara run --production`
    return Guard(app, hosts)


def run_uvicorn(app: ASGIApp, sock: socket.socket) -> None:
    """Serve ``app`` on the listening ``sock`` until interrupted (Ctrl-C, SIGTERM)."""
    import uvicorn
    from solara.__main__ import LOGGING_CONFIG

    # as `solara run --log-level-uvicorn warning`, without its proxy headers: no proxy here
    config = uvicorn.Config(app, log_config=copy.deepcopy(LOGGING_CONFIG), log_level="warning",
                            access_log=False, proxy_headers=False, server_header=False,
                            lifespan="on")
    uvicorn.Server(config).run(sockets=[sock])


def serve_solara(page_module: str, host: str, port: int, *, label: str, exposure: str,
                 note: str = "", environ: Mapping[str, str] | None = None) -> int:
    """Serve the Solara page ``page_module`` on ``host:port`` until interrupted.

    ``label`` names the server in its messages; ``exposure`` says what someone who can reach a
    port open beyond this machine could do; ``note`` ends the line saying where to open it;
    ``environ`` is set for the page once the port is open.
    """
    host = check_host(host)
    with listen(host, port) as sock:
        port = sock.getsockname()[1]
        os.environ.update(environ or {})
        _offline()
        if not is_loopback(host):
            sys.stderr.write(f"cxsim: warning: {label}: listening on {host}, beyond this "
                             f"machine: anyone who can reach the port can {exposure}; use "
                             "--host 127.0.0.1 to keep it local\n")
        _log_to_stderr(label)
        app = solara_app(page_module, allowed_hosts(host, port))
        sys.stderr.write(f"cxsim {label}: open http://{url_host(host)}:{port} in a browser "
                         f"(Ctrl-C stops it){note}\n")
        with contextlib.suppress(KeyboardInterrupt):
            run_uvicorn(app, sock)
    return 0


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
          exports: str | Path = DEFAULT_EXPORT_DIR, replicates: int = DEFAULT_REPLICATES,
          parameters: str = "posterior") -> int:
    """Serve the dashboard on ``host:port`` until interrupted; exported scenario files go to
    ``exports``; the page starts at ``replicates`` runs per setting, each on its own posterior
    draw unless ``parameters`` is "point". Bad arguments (a port in
    use, an export folder among the scenarios) are a ScenarioError before anything starts."""
    folder = check_export_folder(Path(exports).resolve(), "--export-dir")
    return serve_solara(PAGE_MODULE, host, port, label="dashboard",
                        exposure=f"run simulations and write files into {folder}",
                        note=f"; exported scenarios go to {folder}",
                        environ={EXPORT_DIR_ENV: str(folder),
                                 REPLICATES_ENV: str(clean_runs(replicates)),
                                 PARAMETERS_ENV: parameters})
