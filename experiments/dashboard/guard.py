"""An ASGI middleware that lets only this server's own pages talk to it.

Wrapped round solara-server's Starlette app (``server.solara_app``), :class:`Guard` checks every
HTTP request and websocket handshake before Solara sees it:

* the ``Host`` header must name the address the server was started on (127.0.0.1:PORT,
  localhost:PORT or the ``--host`` given, with its port): another name is a DNS-rebinding page
  that resolved its own domain to this machine, and gets 403;
* an ``Origin`` header, where there is one, must be one of those addresses with ``http://``; a
  websocket handshake must carry one (browsers always send it): a page from another site opening
  the kernel's websocket (cross-site websocket hijacking) or posting to the server gets 403;
* Solara's endpoints a user of the page never needs (:data:`CLOSED_PATHS`) answer 404;
* every response forbids framing by another site (clickjacking the page's buttons).

A refusal is one line in the server's log (``cxsim.server``), the offending values quoted and
cut short. No Solara import here: the middleware is tested on its own.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import socket
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

log = logging.getLogger("cxsim.server")

LOOPBACK_NAMES = ("127.0.0.1", "localhost")
# Solara 1.58.2's routes (solara/server/starlette.py) that the page never requests: server
# internals (/resourcez: websockets, threads, kernels, limiter, memory), the readiness probe
# (/readyz), a placeholder kernel-info answer (/jupyter/api/kernels/{id}) and the dev-only kernel
# eviction (/_solara/api/evict/{kernel_id}). Starlette's path syntax: {name} is one segment.
CLOSED_PATHS = ("/resourcez", "/readyz", "/jupyter/api/kernels/{id}",
                "/_solara/api/evict/{kernel_id}")
# Added to every HTTP response: no other site may frame the page.
FRAMING_HEADERS = ((b"x-frame-options", b"DENY"),
                   (b"content-security-policy", b"frame-ancestors 'none'"))
HTTP_DEFAULT_PORT = 80


def _pattern(path: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", path)
    return re.compile("^" + "".join("[^/]+" if p.startswith("{") else re.escape(p)
                                    for p in parts) + "/*$")


def normal_name(name: str) -> str:
    """A host name or address as compared: lower case, no brackets or final dot, an IP address
    in its short form."""
    bare = name.strip().strip("[]").rstrip(".").lower()
    try:
        return ipaddress.ip_address(bare).compressed
    except ValueError:
        return bare


def is_unspecified(host: str) -> bool:
    """Whether ``host`` is 0.0.0.0 or ``::`` (every interface)."""
    try:
        return ipaddress.ip_address(normal_name(host)).is_unspecified
    except ValueError:
        return False


def _machine_names() -> set[str]:
    """This machine's own names and the addresses they resolve to."""
    names = {socket.gethostname(), socket.getfqdn(), "::1"}
    for name in list(names):
        try:
            names.update(str(info[4][0]) for info in socket.getaddrinfo(name, None))
        except OSError:
            continue
    return names


def allowed_hosts(host: str, port: int) -> frozenset[tuple[str, int]]:
    """The (name, port) pairs a request may be addressed to: 127.0.0.1, localhost and ``host``.

    Listening on every interface (0.0.0.0, ::) adds this machine's host names and their
    addresses, the names another machine would use; any other name stays refused.
    """
    names = {*LOOPBACK_NAMES, host}
    if is_unspecified(host):
        names |= _machine_names()
    return frozenset((normal_name(name), port) for name in names if name)


def parse_authority(text: str) -> tuple[str, int] | None:
    """``name[:port]`` or ``[v6]:port`` (a Host header) as (name, port); None if malformed."""
    text = text.strip()
    if text.startswith("["):
        end = text.find("]")
        if end < 0:
            return None
        name, rest = text[1:end], text[end + 1:]
        if rest and not rest.startswith(":"):
            return None
        port_text = rest[1:]
    else:
        name, _, port_text = text.partition(":")
        if ":" in port_text:  # an IPv6 address without brackets is not a Host
            return None
    if not name or (port_text and not (port_text.isdigit() and len(port_text) <= 5)):
        return None
    port = int(port_text) if port_text else HTTP_DEFAULT_PORT
    return (normal_name(name), port) if 0 < port < 65536 else None


def parse_origin(text: str) -> tuple[str, int] | None:
    """An ``Origin`` header (``http://name[:port]``) as (name, port); None for anything else,
    ``null`` and https included (this server speaks plain http)."""
    try:
        parts = urlsplit(text.strip())
        port = parts.port
    except ValueError:
        return None
    if (parts.scheme != "http" or not parts.hostname or parts.username is not None
            or parts.path not in ("", "/") or parts.query or parts.fragment):
        return None
    return normal_name(parts.hostname), port or HTTP_DEFAULT_PORT


def _shown(value: str, limit: int = 80) -> str:
    """A value from a request, safe for one log line: quoted (so no line breaks) and cut."""
    return repr(value if len(value) <= limit else value[:limit] + "...")


class Guard:
    """ASGI middleware: refuse (403) requests not addressed to ``hosts`` or sent from another
    origin, answer 404 for :data:`CLOSED_PATHS`, forbid framing; pass the rest to ``app``."""

    def __init__(self, app: ASGIApp, hosts: Iterable[tuple[str, int]],
                 closed: Iterable[str] = CLOSED_PATHS) -> None:
        self.app = app
        self.hosts = frozenset((normal_name(name), port) for name, port in hosts)
        self.closed = tuple(_pattern(path) for path in closed)

    def refusal(self, scope: Scope) -> str | None:
        """Why this request is refused, or None."""
        hosts = [v.decode("latin-1") for k, v in scope.get("headers", ()) if k == b"host"]
        origins = [v.decode("latin-1") for k, v in scope.get("headers", ()) if k == b"origin"]
        if len(hosts) != 1:
            return f"{len(hosts)} Host headers"
        if parse_authority(hosts[0]) not in self.hosts:
            return f"Host {_shown(hosts[0])} is not this server"
        if len(origins) > 1:
            return f"{len(origins)} Origin headers"
        if not origins:
            # browsers send Origin with every websocket handshake: one without it is no page's
            return "a websocket handshake without Origin" if scope["type"] == "websocket" else None
        if parse_origin(origins[0]) not in self.hosts:
            return f"Origin {_shown(origins[0])} is not this server"
        return None

    def is_closed(self, path: str) -> bool:
        return any(pattern.match(path) for pattern in self.closed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind not in ("http", "websocket"):  # lifespan: startup and shutdown
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        refusal = self.refusal(scope)
        if refusal is not None:
            log.warning("refused %s %s: %s", kind, _shown(path), refusal)
            await _deny(kind, send, 403, b"Forbidden")
            return
        if self.is_closed(path):
            log.info("refused %s %s: an endpoint this server does not offer", kind, _shown(path))
            await _deny(kind, send, 404, b"Not Found")
            return
        if kind == "websocket":
            await self.app(scope, receive, send)
            return

        async def send_unframed(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name.lower() for name, _ in FRAMING_HEADERS}
                message["headers"] = [*[(k, v) for k, v in message.get("headers", ())
                                        if k.lower() not in names], *FRAMING_HEADERS]
            await send(message)

        await self.app(scope, receive, send_unframed)


async def _deny(kind: str, send: Send, status: int, text: bytes) -> None:
    if kind == "websocket":
        # closing before accepting: the server answers the handshake with 403
        await send({"type": "websocket.close", "code": 1008})
        return
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(text) + 1).encode()),
                            *FRAMING_HEADERS]})
    await send({"type": "http.response.body", "body": text + b"\n"})
