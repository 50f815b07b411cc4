"""The ``cxsim dashboard`` command: its arguments.

    cxsim dashboard [--host 127.0.0.1] [--port 8765] [--export-dir DIR] [--replicates N]

:func:`register` adds the command to the ``cxsim`` parser; :func:`main` runs it on its own
(``python -m cxsim.experiments.cli_dashboard``). The server is ``experiments.dashboard.server``.
Bad arguments (``--host 999.0.0.1``, a port in use) are one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from cxsim.experiments.cli.parser import Parser, add_parameters
from cxsim.experiments.dashboard.compute import DEFAULT_EXPORT_DIR, MAX_REPLICATES
from cxsim.experiments.dashboard.server import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    HOST_ALLOWED,
    check_host,
    serve,
)
from cxsim.experiments.statistics import DEFAULT_REPLICATES
from cxsim.model import ScenarioError


def port(text: str) -> int:
    """A port number, 0 to 65535."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: a port number from 0 to 65535") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r}: a port number from 0 to 65535")
    return value


def host(text: str) -> str:
    """An IP address or a host name (checked before anything binds)."""
    try:
        return check_host(text)
    except ScenarioError:
        raise argparse.ArgumentTypeError(f"{text!r}: {HOST_ALLOWED}") from None


def replicates(text: str) -> int:
    """Runs per setting, 1 to MAX_REPLICATES."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= MAX_REPLICATES:
        raise argparse.ArgumentTypeError(f"{text!r}: a whole number from 1 to {MAX_REPLICATES}")
    return value


def command_dashboard(args: argparse.Namespace) -> int:
    """Serve the dashboard until interrupted."""
    try:
        return serve(args.host, args.port, args.export_dir,
                     getattr(args, "replicates", DEFAULT_REPLICATES),
                     getattr(args, "parameters", "posterior"))
    except ScenarioError as error:
        sys.stderr.write(f"cxsim: error: dashboard: {error}\n")
        return 2


def register(subparsers: Any) -> None:
    """Add ``dashboard`` to an argparse subparsers object (the ``cxsim`` command)."""
    parser = subparsers.add_parser(
        "dashboard", help="interactive dashboard in the browser: levers and anti-patterns as "
                          "sliders, trajectories redrawn, settings exported as a scenario file",
        description="Serve the dashboard (a Solara app) on HOST:PORT until interrupted. It "
                    "answers only requests addressed to 127.0.0.1, localhost or HOST, from "
                    "its own pages.")
    parser.add_argument("--host", type=host, default=DEFAULT_HOST,
                        help=f"IP address or host name to listen on (default {DEFAULT_HOST}, "
                             "this machine only; another address is warned about)")
    parser.add_argument("--port", type=port, default=DEFAULT_PORT,
                        help=f"port (default {DEFAULT_PORT}; 0: a free one)")
    parser.add_argument("--export-dir", metavar="DIR", default=str(DEFAULT_EXPORT_DIR),
                        help=f"where exported scenario files are written (default "
                             f"{DEFAULT_EXPORT_DIR}; not a scenario folder)")
    parser.add_argument("--replicates", metavar="N", type=replicates,
                        default=DEFAULT_REPLICATES,
                        help=f"runs per setting the page starts with (default "
                             f"{DEFAULT_REPLICATES}; the page has a slider up to "
                             f"{MAX_REPLICATES})")
    add_parameters(parser)
    parser.set_defaults(handler=command_dashboard)


def main(argv: list[str] | None = None) -> int:
    """``cxsim dashboard ...`` on its own."""
    parser = Parser(prog="cxsim")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    register(commands)
    args = parser.parse_args(["dashboard", *(sys.argv[1:] if argv is None else argv)])
    return int(args.handler(args))


if __name__ == "__main__":
    raise SystemExit(main())
