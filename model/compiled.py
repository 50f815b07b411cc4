"""Compiled kernels: the weekly step's per-agent rules, compiled with numba.

Every kernel is declared with ``@kernel``: numba's ``njit`` in nopython mode, cached on disk
(``cache=True``: compiled once per machine and Python, then loaded by every process, pool workers
included), without the global interpreter lock, and with numpy's floating-point error model (a
division by zero gives inf or nan, as the array code did, rather than raising). ``fastmath`` is off:
no reassociation or fused multiply-adds, so each kernel computes its equation in the order written
and the same inputs give the same bits on every machine with the same libm.

A kernel reads like the per-agent rule of its mechanism's docstring: a loop over agents (or
events) applying the equation to one at a time. Random numbers are never drawn inside a kernel:
the weekly step draws them in fixed-size blocks from the run's own streams (cx_model.draw) and
passes them in, so a run's numbers do not depend on what else runs in the process.

``NUMBA_DISABLE_JIT=1`` runs the same kernels as plain Python (slow; for debugging).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import numba
import numpy as np

F = TypeVar("F", bound=Callable)


def kernel(function: F) -> F:
    """Compile ``function`` as one of the model's kernels (see the module docstring)."""
    return numba.njit(cache=True, nogil=True, error_model="numpy")(function)


# Sums in a fixed order. numpy's ``@`` goes to BLAS, whose kernels (and so the order of the
# additions, and the last bits of the result) depend on the CPU; these do not.

@kernel
def dot(a: np.ndarray, b: np.ndarray) -> float:
    """sum_i a_i b_i, added in index order, in float64."""
    total = 0.0
    for i in range(a.size):
        total += a[i] * b[i]
    return total


@kernel
def matvec32(matrix: np.ndarray, vector: np.ndarray) -> np.ndarray:
    """(matrix @ vector) for float32 operands, as float64: each row's products added in column
    order in float32. Columns where the vector is 0 add exactly 0 and are skipped; the columns
    are taken in the outer loop so that the rows' sums advance side by side."""
    rows, cols = matrix.shape
    total = np.zeros(rows, np.float32)
    for c in range(cols):
        weight = vector[c]
        if weight != 0:
            for r in range(rows):
                total[r] += matrix[r, c] * weight
    return total.astype(np.float64)
