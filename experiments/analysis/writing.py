"""The analysis's files, each written through the one atomic writer (cxsim.experiments.files)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pandas as pd

from cxsim.experiments.files import write_atomic, write_text


def write_csv(path: Path, frame: pd.DataFrame) -> Path:
    write_atomic(path, lambda temporary: frame.to_csv(temporary, index=False,
                                                      float_format="%.6g"))
    return path


def write_page(path: Path, text: str) -> Path:
    write_text(path, text)
    return path


def save_figure(fig: Any, path: Path) -> Path:
    """A matplotlib figure as PNG; a pyplot figure is closed after."""
    try:
        write_atomic(path, lambda temporary: fig.savefig(temporary, format="png", dpi=130,
                                                         bbox_inches="tight"))
    finally:
        if "matplotlib.pyplot" in sys.modules:
            sys.modules["matplotlib.pyplot"].close(fig)
    return path
