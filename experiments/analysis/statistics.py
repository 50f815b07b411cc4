"""Statistics every method shares: replicate noise, tornado swings, directions, and the warnings
for indices a sample is too small to trust."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from cxsim.experiments.analysis.results import Results
from cxsim.experiments.sweep import OutputSpec

MATERIAL = 0.05        # an index whose interval reaches this share of variance could matter
NOISY = 0.2            # replicate noise above this share of the replicate means' variance
# Sobol intervals whose median half-width exceeds this share of the variance are too wide to rank
# parameters by: two indices that far apart still overlap, and a "driver" or a "barely matters"
# would be chance. The report's words, its warnings and the chart's warning all use this rule.
WIDE = 0.1


def noise_table(results: Results) -> pd.DataFrame:
    """Per output: variance between runs, within points (replicate noise) and between points.

    ``noise_share_runs``: share of the run-to-run variance that is replicate noise;
    ``noise_share_means``: share of the variance of the replicate means (what the indices are
    computed on) that is noise, i.e. (within variance / replicates) / variance of the means.
    """
    rows = []
    r = results.replicates
    for o in results.outputs:
        values = results.runs[o.name].to_numpy(dtype=float)
        total = float(np.var(values, ddof=1)) if values.size > 1 else 0.0
        means = results.runs.groupby("point")[o.name].mean().to_numpy()
        between = float(np.var(means, ddof=1)) if means.size > 1 else 0.0
        if r > 1:
            within = float(results.runs.groupby("point")[o.name].var(ddof=1).mean())
            share_runs = min(1.0, within / total) if total > 0 else 0.0
            share_means = min(1.0, within / r / between) if between > 0 else 0.0
        else:
            within = share_runs = share_means = float("nan")
        rows.append({"output": o.name, "replicates": r, "variance_runs": total,
                     "variance_within_points": within, "variance_of_point_means": between,
                     "noise_share_runs": share_runs, "noise_share_means": share_means})
    return pd.DataFrame(rows)


def noise_floor(noise: pd.DataFrame, output: str) -> float:
    """The share of the variance of an output's replicate means that is noise (0 if unknown)."""
    share = float(noise[noise.output == output].noise_share_means.iloc[0])
    return 0.0 if math.isnan(share) else share


def noise_words(noise: pd.DataFrame, o: OutputSpec) -> str:
    """The noise of an output in one sentence."""
    row = noise[noise.output == o.name].iloc[0]
    if math.isnan(row.noise_share_runs):
        return "Noise: one replicate per point, not separable."
    return (f"Noise: {row.noise_share_runs:.0%} of the run-to-run variance is between replicates "
            f"of the same point; {row.noise_share_means:.0%} of the variance of the replicate "
            f"means analysed here.")


def oat_group(results: Results) -> pd.Series:
    """For a one-at-a-time sample: which parameter each point varies (-1 for the base point)."""
    spec = results.spec
    group = [-1]
    for j, p in enumerate(spec.parameters):
        count = len(p.values) if p.values is not None else (p.levels or spec.levels)
        group += [j] * count
    return pd.Series(group, index=results.points.index)


def tornado_table(results: Results) -> pd.DataFrame:
    """Output (replicate means) at the low and the high end of each parameter.

    One-at-a-time sweeps: at the lowest and highest level, the others at their base. Other
    methods: the mean over the points whose value of the parameter is in its bottom or top fifth
    (grids: the lowest or highest level), all other parameters as sampled.
    """
    means = results.means()
    rows = []
    group = oat_group(results) if results.spec.method == "oat" else None
    for o in results.outputs:
        y = means[o.name]
        overall = float(y.mean())
        for j, name in enumerate(results.names):
            values = results.points[name].astype(float)
            if group is not None:
                base = float(y[group == -1].mean())
                varied = group == j
                lo_v, hi_v = values[varied].min(), values[varied].max()
                low = float(y[varied & (values == lo_v)].mean())
                high = float(y[varied & (values == hi_v)].mean())
                reference = base
            else:
                if values.nunique() <= 12:
                    lo_mask, hi_mask = values == values.min(), values == values.max()
                else:
                    lo_mask = values <= values.quantile(0.2)
                    hi_mask = values >= values.quantile(0.8)
                low, high = float(y[lo_mask].mean()), float(y[hi_mask].mean())
                lo_v, hi_v = float(values[lo_mask].mean()), float(values[hi_mask].mean())
                reference = overall
            rows.append({"output": o.name, "parameter": name, "reference": reference,
                         "low_value": float(lo_v), "high_value": float(hi_v),
                         "output_at_low": low, "output_at_high": high,
                         "swing": abs(high - low)})
    return pd.DataFrame(rows)


def directions(results: Results) -> pd.DataFrame:
    """Spearman rank correlation of each parameter with each output's replicate means."""
    means = results.means()
    ranks_x = results.points[results.names].rank()
    rows = []
    for o in results.outputs:
        ranks_y = means[o.name].rank()
        for name in results.names:
            rho = ranks_x[name].corr(ranks_y) if ranks_x[name].nunique() > 1 else 0.0
            rows.append({"output": o.name, "parameter": name,
                         "rho": 0.0 if pd.isna(rho) else float(rho)})
    return pd.DataFrame(rows)


def _ranking_width(rows: pd.DataFrame) -> float | None:
    """The median half-width of the S1 and ST intervals that could matter (index plus
    half-width at least MATERIAL): those a ranking would rest on; None when there are none."""
    values = np.concatenate([rows.S1.to_numpy(dtype=float), rows.ST.to_numpy(dtype=float)])
    widths = np.concatenate([rows.S1_conf.to_numpy(dtype=float),
                             rows.ST_conf.to_numpy(dtype=float)])
    candidates = widths[np.isfinite(values) & np.isfinite(widths) & (values + widths >= MATERIAL)]
    return float(np.median(candidates)) if candidates.size else None


def too_wide_to_rank(rows: pd.DataFrame) -> str | None:
    """Why the Sobol indices of one output (its rows of ``sobol_indices``) cannot rank its
    parameters, or None when they can: the intervals that could matter have a median
    half-width over WIDE. The report's words, its warnings and the chart's warning all ask
    this one function."""
    width = _ranking_width(rows)
    if width is None or width <= WIDE:
        return None
    return (f"the intervals are too wide to rank the parameters (the median half-width of those "
            f"of the indices that could matter is ±{width:.0%} of the variance, over the "
            f"±{WIDE:.0%} a ranking needs)")


def n_to_rank(rows: pd.DataFrame, n: int) -> int:
    """The power of two N at which the intervals would narrow to WIDE (they shrink about as
    1 / sqrt(N)); at least 4 n."""
    width = _ranking_width(rows) or WIDE
    need = n * (width / WIDE) ** 2
    return max(4 * n, 2 ** math.ceil(math.log2(max(need, 1.0))))


def index_warnings(results: Results, sobol: pd.DataFrame | None, morris: pd.DataFrame | None,
                   noise: pd.DataFrame) -> list[str]:
    """Warnings for indices the sample is too small to trust, and for heavy replicate noise."""
    notes: list[str] = []
    n = results.spec.n
    if sobol is not None and not sobol.empty:
        for o in results.outputs:
            rows = sobol[sobol.output == o.name]
            wide = []
            for _, row in rows.iterrows():
                for k in ("S1", "ST"):
                    value, conf = row[k], row[f"{k}_conf"]
                    if conf > abs(value) and value + conf >= MATERIAL:
                        wide.append(f"{k} of {row.parameter}")
            reason = too_wide_to_rank(rows)
            if reason:
                notes.append(f"{o.name}: {reason}, so the report does not rank them; raise n "
                             f"(about {n_to_rank(rows, n)}) or replicates")
            elif wide:
                notes.append(
                    f"{o.name}: {len(wide)} Sobol interval(s) are wider than the index itself "
                    f"({', '.join(wide[:6])}{', ...' if len(wide) > 6 else ''}): N = {n} is too "
                    f"small to trust them; raise n (a power of two, e.g. {4 * n}) or replicates")
    if morris is not None and not morris.empty:
        for o in results.outputs:
            rows = morris[morris.output == o.name]
            top = rows.mu_star.max()
            wide = [r.parameter for r in rows.itertuples()
                    if r.mu_star_conf > r.mu_star and r.mu_star >= 0.05 * top]
            if wide:
                notes.append(f"{o.name}: the mu* intervals of {', '.join(wide[:6])} are wider "
                             f"than mu* itself: {n} trajectories are too few; raise n")
    for row in noise.itertuples():
        if not math.isnan(row.noise_share_means) and row.noise_share_means > NOISY:
            effect = ("Sobol S1 is under-stated and ST over-stated" if sobol is not None
                      else "differences between points are partly chance")
            notes.append(f"{row.output}: replicate noise is {row.noise_share_means:.0%} of the "
                         f"variance of the replicate means ({results.replicates} replicates per "
                         f"point): {effect}; raise replicates")
    if results.replicates == 1:
        notes.append("one replicate per point: stochastic noise cannot be separated from the "
                     "parameters' effects (it is part of the indices)")
    return notes


def direction_words(rho: float) -> str:
    """What a rank correlation says about a parameter's direction."""
    if rho > 0.15:
        return "higher values raise it"
    if rho < -0.15:
        return "higher values lower it"
    return "no consistent direction (it depends on the other parameters)"
