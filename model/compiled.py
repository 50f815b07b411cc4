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

import math
from collections.abc import Callable
from typing import TypeVar

import numba
import numpy as np

F = TypeVar("F", bound=Callable)


def kernel(function: F) -> F:
    """Compile ``function`` as one of the model's kernels (see the module docstring)."""
    return numba.njit(cache=True, nogil=True, error_model="numpy")(function)


# numpy's float64 ``sum`` (pairwise), for the same bits inside a kernel.

@kernel
def _block_sum(values: np.ndarray, start: int, n: int) -> float:
    """numpy's sum of at most 128 values: eight accumulators, then the rest in turn."""
    if n < 8:
        total = 0.0
        for i in range(start, start + n):
            total += values[i]
        return total
    r = values[start:start + 8].copy()
    end = start + n - n % 8
    for i in range(start + 8, end, 8):
        for j in range(8):
            r[j] += values[i + j]
    total = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
    for i in range(end, start + n):
        total += values[i]
    return total


@kernel
def pairwise_sum(values: np.ndarray) -> float:
    """``values.sum()`` as numpy sums a float64 array, for the same bits: blocks of at most 128
    (``_block_sum``), a longer run split in two halves (the first a multiple of 8) whose sums are
    added. The halving is done with a stack, not recursion (a recursive kernel cannot be cached)."""
    starts = np.empty(192, np.int64)    # pending runs: 3 per level of at most 64 levels
    counts = np.empty(192, np.int64)
    split = np.empty(192, np.bool_)     # True: the run's two halves are done, add them
    sums = np.empty(128)                # sums of finished runs, the latest on top
    top, done = 0, 0
    starts[0], counts[0], split[0] = 0, values.size, False
    top = 1
    while top:
        top -= 1
        start, n = starts[top], counts[top]
        if split[top]:
            done -= 1
            sums[done - 1] += sums[done]
        elif n <= 128:
            sums[done] = _block_sum(values, start, n)
            done += 1
        else:
            half = n // 2
            half -= half % 8
            split[top] = True           # stays: popped again after both halves
            top += 1
            starts[top], counts[top], split[top] = start + half, n - half, False
            top += 1
            starts[top], counts[top], split[top] = start, half, False
            top += 1
    return sums[0]


@kernel
def exp(values: np.ndarray) -> np.ndarray:
    """``np.exp(values)`` with the C library's exp, element by element: numpy's own uses SIMD code
    chosen by the CPU (AVX-512 or not), whose last bits differ between machines."""
    out = np.empty_like(values)
    flat_in, flat_out = values.ravel(), out.ravel()
    for i in range(flat_in.size):
        flat_out[i] = math.exp(flat_in[i])
    return out
