"""What every ``cxsim`` subcommand shares: the one parser class, argument types, messages.

:class:`Parser` is the argparse parser of the command and of every subcommand (pass it as
``parser_class`` to ``add_subparsers``; ``add_parser`` then builds one). A usage error is one line
on stderr, ``cxsim: error: MESSAGE (see cxsim COMMAND --help)``, and exit code 2; every option's
help shows its default. The argument types turn a bad number into such a line before anything
runs; :func:`output_directory` checks an ``--out`` before any simulation.
"""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, NoReturn

from cxsim.experiments.files import replaceable
from cxsim.experiments.processes import default_workers
from cxsim.experiments.runner import replicate_seeds
from cxsim.experiments.statistics import MAX_REPLICATES, MAX_SEED
from cxsim.model.errors import ScenarioError, one_line

PROGRAM = "cxsim"


def error_line(message: str, prog: str = PROGRAM) -> str:
    """The one line a user sees for bad input: one ``cxsim: error:`` prefix and where help is."""
    return f"{PROGRAM}: error: {one_line(message)} (see {prog} --help)\n"


def warn(message: str) -> None:
    """A warning: one line on stderr, never on stdout (which may be piped)."""
    sys.stderr.write(f"{PROGRAM}: warning: {one_line(message)}\n")


def wrote(paths: Iterable[Path | str], suffix: str = "") -> None:
    """``wrote a, b, c`` on stderr, unwrapped (a path is never cut in two)."""
    sys.stderr.write(one_line("wrote " + ", ".join(str(p) for p in paths) + suffix) + "\n")
    sys.stderr.flush()


class HelpFormatter(argparse.HelpFormatter):
    """Every option's help ends with its default unless it names one; a description's paragraphs
    are filled to the terminal, except those with indented lines (kept as written)."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        paragraphs = []
        for paragraph in text.strip("\n").split("\n\n"):
            if any(line[:1].isspace() for line in paragraph.splitlines()):
                paragraphs.append("\n".join(indent + line for line in paragraph.splitlines()))
            else:
                paragraphs.append(textwrap.fill(" ".join(paragraph.split()), width,
                                                initial_indent=indent, subsequent_indent=indent))
        return "\n\n".join(paragraphs)

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if ("default" in text.lower() or action.default in (None, argparse.SUPPRESS)
                or isinstance(action.default, bool) or action.default == []
                or action.nargs == 0):
            return text
        return f"{text} (default: %(default)s)"


class Parser(argparse.ArgumentParser):
    """The parser of ``cxsim`` and of each of its subcommands.

    A usage error is one line and exit code 2, naming the subcommand whose help to read; the help
    shows every option's default (:class:`HelpFormatter`).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:  # type: ignore[override]
        sys.stderr.write(error_line(message, self.prog))
        raise SystemExit(2)

    def subcommand(self, args: argparse.Namespace) -> Parser:
        """The parser of the subcommand ``args`` were parsed for (else this one)."""
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction):
                chosen = action.choices.get(getattr(args, action.dest, None) or "")
                if isinstance(chosen, Parser):
                    return chosen.subcommand(args)
        return self

    def parse_args(self, args: Any = None, namespace: Any = None) -> argparse.Namespace:
        """As argparse, but an unknown argument is reported against its subcommand's help."""
        parsed, extra = self.parse_known_args(args, namespace)
        if extra:
            self.subcommand(parsed).error(f"unrecognized arguments: {' '.join(extra)}")
        return parsed


def whole_number(minimum: int, maximum: int | None = None) -> Callable[[str], int]:
    """An argument type: a whole number >= ``minimum`` (and <= ``maximum`` if given)."""

    def parse(text: str) -> int:
        try:
            value = int(text) if len(text) <= 40 else None
        except ValueError:
            value = None
        if value is None or value < minimum or (maximum is not None and value > maximum):
            allowed = f">= {minimum}" if maximum is None else f"from {minimum} to {maximum}"
            raise argparse.ArgumentTypeError(
                f"{one_line(repr(text))}: a whole number {allowed} expected")
        return value

    parse.__name__ = f"whole_number_from_{minimum}"
    return parse


positive_int = whole_number(1)
positive_int.__doc__ = "A whole number >= 1 (workers, trials)."
non_negative_int = whole_number(0)
non_negative_int.__doc__ = "A whole number >= 0 (budgets that may be zero)."
replicate_count = whole_number(1, MAX_REPLICATES)
replicate_count.__doc__ = f"Replicates per scenario: 1 to {MAX_REPLICATES:,}."
base_seed = whole_number(0, MAX_SEED)
base_seed.__doc__ = "A base seed: 0 to 2**62 (replicate i runs on seed + i)."


def directory_problem(path: Path, result_set: bool = True) -> str | None:
    """Why ``path`` cannot be an output directory (None if it can): it must be a writable
    directory or creatable below one, and, if it exists, empty or an earlier result set (which
    is replaced whole); a file, a path below a file, or a folder of other files is refused."""
    if not str(path):
        return "an empty path"
    if path.exists() and not path.is_dir():
        return "a file, not a directory"
    if result_set and path.is_dir() and not replaceable(path):
        return ("a folder with other files in it, not an earlier cxsim result (which would be "
                "replaced whole); give a new or empty folder")
    ancestor = path
    while not ancestor.exists():
        if ancestor.is_symlink():
            return "a broken link"
        if ancestor.parent == ancestor:
            break
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        return f"below {ancestor}, which is a file"
    if not os.access(ancestor, os.W_OK | os.X_OK):
        return f"{ancestor} is not writable" if ancestor != path else "not writable"
    return None


def check_output(path: str | Path, option: str = "--out", result_set: bool = True) -> Path:
    """``path`` as an output directory (for a result set unless ``result_set`` is False), or a
    :class:`ScenarioError` saying why it cannot be."""
    problem = directory_problem(Path(path), result_set)
    if problem:
        raise ScenarioError("<command line>", option, str(path),
                            problem if "give" in problem else f"{problem}; give a writable "
                            "directory")
    return Path(path)


def output_directory(text: str) -> Path:
    """An argument type for ``--out``: a directory that can be written (checked, not created)."""
    problem = directory_problem(Path(text))
    if problem:
        raise argparse.ArgumentTypeError(
            f"{one_line(repr(text))}: {problem}"
            + ("" if "give" in problem else "; give a writable directory"))
    return Path(text)


def folder(text: str) -> Path:
    """An argument type: an existing folder (``--scenarios DIR``)."""
    if not Path(text).is_dir():
        raise argparse.ArgumentTypeError(f"{one_line(repr(text))}: not a folder")
    return Path(text)


def workers_help(what: str = "replicates") -> str:
    return f"processes for the {what} (default: all cores, here {default_workers()})"


def add_workers(parser: argparse.ArgumentParser, what: str = "replicates") -> None:
    """The ``--workers N`` option (results do not depend on it)."""
    parser.add_argument("--workers", type=positive_int, default=default_workers(), metavar="N",
                        help=workers_help(what) + "; results do not depend on it")


def add_parameters(parser: argparse.ArgumentParser) -> None:
    """The ``--point`` option: every replicate on the calibrated point instead of its own
    posterior draw (``experiments.uncertainty``)."""
    parser.add_argument("--point", dest="parameters", action="store_const", const="point",
                        default="posterior",
                        help="run every replicate on the calibrated point (baseline.toml, "
                             "the least-squares fit of cxsim fit-point) instead of its own draw "
                             "from the posterior (scenarios/posterior.csv, cxsim calibrate): "
                             "chance alone in the ranges, for speed or comparison (default: a "
                             "posterior draw per pair of replicates)")


def cap_workers(workers: int) -> int:
    """``workers``, warned about and capped at the machine's cores."""
    cores = default_workers()
    if workers > cores:
        warn(f"--workers {workers} is more than the {cores} cores here; using {cores}")
        return cores
    return workers


def checked_seeds(seed: int, replicates: int) -> list[int]:
    """The replicates' seeds, or one line naming ``--seed`` when they leave the allowed range."""
    try:
        return replicate_seeds(seed, replicates)
    except ValueError as error:
        raise ScenarioError("<command line>", "--seed", str(seed), str(error)) from None


def progress_bar(remaining: bool = True) -> Any:
    """A rich progress bar on stderr (stdout may be piped). It has no refresh thread (callers
    pass ``refresh=True``), so worker processes started under it are forked, not spawned."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeRemainingColumn() if remaining else TimeElapsedColumn(),
                    console=Console(stderr=True), transient=False, auto_refresh=False)


def check_record_outputs(out: Path, shipped: Path, write: bool) -> Path:
    """``out`` as a result set's folder, and with ``write`` the shipped folder of ``shipped``
    as one it may write into (a :class:`ScenarioError` before anything runs)."""
    check_output(out)
    if write:
        check_output(shipped.parent, "--write (the shipped scenarios folder)", result_set=False)
    return out


def install_record(written: Path, shipped: Path, write: bool) -> None:
    """Report ``written``; with ``write`` copy it over ``shipped`` (atomically) and report that."""
    from cxsim.experiments.files import write_text

    wrote([written])
    if write:
        write_text(shipped, written.read_text(encoding="utf-8"))
        wrote([shipped])
