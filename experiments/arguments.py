"""Moved: the argument types live in :mod:`cxsim.experiments.cli.parser` (with the one Parser)."""

from cxsim.experiments.cli.parser import non_negative_int, positive_int

__all__ = ["non_negative_int", "positive_int"]
