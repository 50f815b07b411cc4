"""The interval functions and the one headline statistic.

Every figure a person reads is the **mean across replicates** (``HEADLINE_STATISTIC``). A
forecast's range is the central 90% of its replicates (``range_of_futures``): each replicate on
its own posterior draw and seed, so the range holds parameter and chance uncertainty together; a
difference between two scenarios is the mean of the paired differences of replicates run on the same
seeds and draws (common random numbers), with the range of those differences. The 95% t interval of
a mean (``mean_interval``, ``paired_interval``) says how precisely the replicates pin the mean down
(Monte Carlo error), nothing more; a correlation between two outputs, pooled over replicates, has
the Fisher-z interval. Every command, the dashboard, the board pack and the notebooks run
``DEFAULT_REPLICATES`` replicates from seed ``DEFAULT_SEED`` unless told otherwise, so that they
print the same number for the same scenario.

Limits: at most ``MAX_REPLICATES`` replicates per scenario and a base seed from 0 to
``MAX_SEED``, so that every replicate's seed (base + i) fits the int64 ``seed`` column of the
result files.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

HEADLINE_STATISTIC = "mean"
DEFAULT_REPLICATES = 30
DEFAULT_SEED = 0
MAX_REPLICATES = 10_000
MAX_SEED = 2**62
CONFIDENCE = 0.95
FUTURES = 0.90   # the central share of simulated futures a forecast's range holds


@dataclass(frozen=True)
class Interval:
    """A mean and its two-sided interval."""

    mean: float
    low: float
    high: float
    n: int
    level: float = CONFIDENCE

    def excludes_zero(self) -> bool:
        return self.low > 0 or self.high < 0

    def text(self, decimals: int = 1, signed: bool = False) -> str:
        """'mean [low, high]', or 'mean (one replicate: no interval)' without bounds."""
        f = f"{{:{'+' if signed else ''}.{decimals}f}}"
        if not self.has_bounds():
            return f"{f.format(self.mean)} ({'one replicate: ' * (self.n == 1)}no interval)"
        return f"{f.format(self.mean)} [{f.format(self.low)}, {f.format(self.high)}]"

    def has_bounds(self) -> bool:
        """Whether there is an interval at all: none from fewer than 2 replicates."""
        return self.n >= 2 and self.low == self.low and self.high == self.high


def mean_interval(values: np.ndarray | pd.Series | list[float],
                  level: float = CONFIDENCE) -> Interval:
    """The mean of ``values`` and its t interval (scipy.stats.t); a single value has no interval
    (NaN bounds: one replicate says nothing of its spread), no value a NaN mean too."""
    x = np.asarray(values, dtype=float)
    n = x.size
    if n < 2:
        return Interval(float(x.mean()) if n else float("nan"), float("nan"), float("nan"), n,
                        level)
    mean = float(x.mean())
    if np.all(x == x[0]):
        return Interval(mean, mean, mean, n, level)
    low, high = stats.t.interval(level, n - 1, loc=mean, scale=stats.sem(x))
    return Interval(mean, float(low), float(high), n, level)


def range_of_futures(values: np.ndarray | pd.Series | list[float],
                     level: float = FUTURES) -> Interval:
    """The mean of replicates and the central ``level`` share of them: the (1 - level) / 2 and
    (1 + level) / 2 quantiles (numpy's linear rule). With each replicate on its own posterior
    draw and seed (``experiments.uncertainty``) this is the forecast's range: parameter and
    chance uncertainty together. Not an interval of the mean: it does not shrink with more
    replicates. Fewer than 2 replicates have no range (NaN bounds)."""
    x = np.asarray(values, dtype=float)
    if x.size < 2:
        return Interval(float(x.mean()) if x.size else float("nan"), float("nan"),
                        float("nan"), int(x.size), level)
    low, high = np.quantile(x, [(1 - level) / 2, (1 + level) / 2])
    return Interval(float(x.mean()), float(low), float(high), int(x.size), level)


def paired_interval(scenario: np.ndarray | pd.Series, reference: np.ndarray | pd.Series,
                    level: float = CONFIDENCE) -> Interval:
    """The mean paired difference ``scenario - reference`` (replicate i of each on the same
    seed) and its t interval."""
    a, b = np.asarray(scenario, dtype=float), np.asarray(reference, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"paired samples differ in size: {a.size} and {b.size}")
    return mean_interval(a - b, level)


def correlation_interval(x: np.ndarray | pd.Series, y: np.ndarray | pd.Series,
                         level: float = CONFIDENCE,
                         groups: np.ndarray | pd.Series | None = None) -> Interval:
    """Pearson's r of paired samples and its Fisher-z interval (``mean`` holds r):

        z = artanh(r),  z +- q / sqrt(n - 3),  back-transformed with tanh,

    q the normal quantile of (1 + level) / 2. Pairs with a NaN are dropped; r is NaN with fewer
    than 2 pairs or a constant sample, the interval NaN with fewer than 4 pairs.

    With ``groups`` (a label per pair: the replicate, an organisation), r is the pooled
    within-group correlation: x and y are centred on their group's means before r is taken,
    so differences between the groups' levels do not count, and each of the G groups' means
    costs a degree of freedom: the interval uses n - (G - 1) in place of n (``n`` stays the
    number of pairs).
    """
    a, b = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"paired samples differ in size: {a.size} and {b.size}")
    keep = ~(np.isnan(a) | np.isnan(b))
    a, b = a[keep], b[keep]
    n = freedom = a.size
    if groups is not None:
        labels = np.asarray(groups)
        if labels.shape != keep.shape:
            raise ValueError(f"groups differ in size from the samples: {labels.size} and "
                             f"{keep.size}")
        _, group = np.unique(labels[keep], return_inverse=True)
        count = np.bincount(group)
        a = a - (np.bincount(group, weights=a) / count)[group]
        b = b - (np.bincount(group, weights=b) / count)[group]
        freedom -= count.size - 1
    if n < 2 or np.all(a == a[0]) or np.all(b == b[0]):
        return Interval(float("nan"), float("nan"), float("nan"), n, level)
    r = float(np.clip(np.corrcoef(a, b)[0, 1], -1.0, 1.0))
    if freedom < 4:
        return Interval(r, float("nan"), float("nan"), n, level)
    half = float(stats.norm.ppf((1 + level) / 2)) / np.sqrt(freedom - 3)
    with np.errstate(divide="ignore"):
        z = np.arctanh(r)  # +-inf when |r| = 1: the interval collapses to r
    return Interval(r, float(np.tanh(z - half)), float(np.tanh(z + half)), n, level)


def headline(values: np.ndarray | pd.Series) -> float:
    """The headline figure of a set of replicates (the mean; see HEADLINE_STATISTIC)."""
    return float(np.mean(np.asarray(values, dtype=float)))
