"""Argument types shared by the cxsim subcommands: a bad value is one line and exit code 2."""

from __future__ import annotations

import argparse


def _whole_number(text: str, minimum: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: a whole number >= {minimum} expected") \
            from None
    if value < minimum:
        raise argparse.ArgumentTypeError(f"{text!r}: a whole number >= {minimum} expected")
    return value


def positive_int(text: str) -> int:
    """A whole number >= 1 (replicates, workers, sample sizes)."""
    return _whole_number(text, 1)


def non_negative_int(text: str) -> int:
    """A whole number >= 0 (seeds)."""
    return _whole_number(text, 0)
