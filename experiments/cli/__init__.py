"""The ``cxsim`` command line, apart from the library code it calls.

What lives here:

- ``parser``: the one argparse :class:`~cxsim.experiments.cli.parser.Parser` every subcommand
  uses, the argument types (``positive_int``, ``non_negative_int``, ``output_directory``) and the
  one-line messages (``cxsim: error: ...``, ``cxsim: warning: ...``, ``wrote ...``);
- ``simulation``: ``cxsim run``, ``cxsim compare``, ``cxsim scenarios``;
- ``posterior``: ``cxsim calibrate`` (the ABC-SMC posterior; alias ``cxsim posterior``) and
  ``cxsim recovery``; ``calibration``: ``cxsim fit-point`` (the least-squares point that
  ``--point`` runs on); ``screening``: ``cxsim screen``;
- this module: :func:`build_parser` (the global options ``--version`` and ``--scenarios DIR``,
  and the subcommands; ``sweep``/``analyse``, ``report`` and ``dashboard`` are registered by
  ``experiments.cli_sweep``, ``cli_report`` and ``cli_dashboard``, beside their library code) and
  :func:`main`, the ``cxsim`` entry point.

Bad input prints one line, ``cxsim: error: WHAT (see cxsim COMMAND --help)``, on stderr and exits
with 2 before anything runs or is written.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from cxsim.experiments.cli.parser import Parser, error_line, folder

SCENARIOS_HELP = ("a folder of your scenario files, searched before the shipped ones "
                  "(repeatable; default: the folders in the environment variable "
                  f"CXSIM_SCENARIOS, separated by {os.pathsep!r})")


def build_parser() -> Parser:
    """The ``cxsim`` parser with every subcommand."""
    import cxsim
    from cxsim.experiments import cli_dashboard, cli_report, cli_sweep
    from cxsim.experiments.cli import calibration, posterior, screening, simulation

    parser = Parser(prog="cxsim", description="Simulate customer-experience culture change "
                    "(an agent-based model built on Mesa).",
                    epilog="Run 'cxsim COMMAND --help' for a command's options and defaults.")
    parser.add_argument("--version", action="version", version=f"cxsim {cxsim.__version__}")
    parser.add_argument("--scenarios", action="append", dest="scenario_dirs", metavar="DIR",
                        type=folder, help=SCENARIOS_HELP)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND",
                                     parser_class=Parser)
    for module in (simulation, posterior, calibration, screening, cli_sweep, cli_report,
                   cli_dashboard):
        module.register(commands)
    for sub in commands.choices.values():  # --scenarios after the subcommand's name too
        if "--scenarios" not in sub._option_string_actions:
            sub.add_argument("--scenarios", action="append", dest="subcommand_scenario_dirs",
                             metavar="DIR", type=folder, default=argparse.SUPPRESS,
                             help=SCENARIOS_HELP)
    return parser


def os_error_text(error: OSError) -> str:
    """'PATH: REASON' for an operating-system error (a full disk, a folder that cannot be
    written), without a traceback. Result sets are whole or absent, so nothing half-written
    is left under the final name."""
    reason = error.strerror or str(error) or type(error).__name__
    return f"{error.filename}: {reason}" if error.filename is not None else reason


def main(argv: Sequence[str] | None = None) -> int:
    """``cxsim ...``: parse, run the subcommand, turn bad input into one line and exit code 2."""
    from cxsim.experiments.files import NotAResultSetError, ResultSetBusyError
    from cxsim.experiments.processes import BackendLostError
    from cxsim.model import ScenarioError
    from cxsim.model.errors import one_line
    from cxsim.model.scenario import use_scenario_dirs

    parser = build_parser()
    args = parser.parse_args(None if argv is None else list(argv))
    command = parser.subcommand(args)
    minimum = getattr(args, "minimum_scenarios", 0)
    if minimum and len(args.scenarios) < minimum:
        command.error(f"{args.command} needs at least {minimum} scenarios")
    folders = [*(args.scenario_dirs or []), *getattr(args, "subcommand_scenario_dirs", [])]
    use_scenario_dirs(folders or None)
    try:
        return int(args.handler(args))
    except ScenarioError as error:
        sys.stderr.write(error_line(str(error), command.prog))
        return 2
    except (ResultSetBusyError, NotAResultSetError) as error:
        sys.stderr.write(error_line(f"--out: {error}", command.prog))
        return 2
    except OSError as error:      # a full disk, a folder that cannot be written: not a bug
        sys.stderr.write(f"cxsim: error: {one_line(os_error_text(error))}\n")
        return 1
    except BackendLostError as error:   # a worker killed (out of memory?): nothing was written
        sys.stderr.write(f"cxsim: error: {one_line(str(error))}; nothing was written\n")
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("cxsim: interrupted\n")
        return 130
    finally:
        use_scenario_dirs(None)
