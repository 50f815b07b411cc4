"""Morris elementary effects (SALib): mu, mu*, sigma, the mu* of replicate noise alone, and the
screening in words."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd

from cxsim.experiments.analysis.results import Results
from cxsim.experiments.analysis.statistics import noise_words


def morris_indices(results: Results) -> pd.DataFrame:
    """mu, mu*, the mu* interval half-width and sigma, per output and parameter (SALib)."""
    from SALib.analyze import morris

    spec = results.spec
    problem = results.problem()
    x = results.x()
    means = results.means()
    rows = []
    for o in results.outputs:
        y = means[o.name].to_numpy(dtype=float)
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            si = morris.analyze(problem, x, y, num_resamples=spec.bootstrap,
                                conf_level=spec.conf_level, num_levels=spec.num_levels,
                                seed=spec.seed)
        for j, name in enumerate(results.names):
            rows.append({"output": o.name, "parameter": name, "mu": float(si["mu"][j]),
                         "mu_star": float(si["mu_star"][j]),
                         "mu_star_conf": float(si["mu_star_conf"][j]),
                         "sigma": float(si["sigma"][j])})
    return pd.DataFrame(rows)


def step(results: Results) -> float:
    """A Morris step as a share of each parameter's range."""
    levels = results.spec.num_levels
    return levels / (2 * (levels - 1))


def morris_noise_floor(results: Results, noise: pd.DataFrame, output: str) -> float:
    """The mu* a parameter with no effect shows: the mean absolute difference of two replicate
    means, per Morris step (sqrt(2 s^2 / R) sqrt(2 / pi) / delta); 0 with one replicate."""
    within = float(noise[noise.output == output].variance_within_points.iloc[0])
    if math.isnan(within):
        return 0.0
    return math.sqrt(2 * within / results.replicates) * math.sqrt(2 / math.pi) / step(results)


def rank_morris(results: Results, morris: pd.DataFrame, noise: pd.DataFrame
                ) -> dict[str, list[str]]:
    """Per output: what mu* means here, the parameters that matter (by mu*), those not
    distinguishable from noise, those screened out, and the noise."""
    words: dict[str, list[str]] = {}
    for o in results.outputs:
        rows = morris[morris.output == o.name].sort_values("mu_star", ascending=False)
        top = max(float(rows.mu_star.max()), 1e-12)
        floor = morris_noise_floor(results, noise, o.name)
        lines, minor, noisy, rank = [], [], [], 0
        lines.append("mu* is the mean absolute change of the output when a parameter moves "
                     f"by {step(results):.0%} of its range; sigma its spread"
                     + (f"; replicate noise alone gives mu* of about {floor:.3g}"
                        if floor > 0 else "") + ".")
        for r in rows.itertuples():
            if r.mu_star < 0.1 * top:
                minor.append(r.parameter)
                continue
            if r.mu_star - r.mu_star_conf <= floor:
                noisy.append(r.parameter)
                continue
            rank += 1
            ratio = r.sigma / r.mu_star if r.mu_star > 0 else float("inf")
            shape = ("non-linear or interacting" if ratio > 1 else
                     "partly non-linear or interacting" if ratio > 0.5 else "nearly linear")
            sign = ("raises it" if r.mu > 0.8 * r.mu_star else
                    "lowers it" if r.mu < -0.8 * r.mu_star else "acts in both directions")
            lines.append(f"{rank}. `{r.parameter}`: mu* = {r.mu_star:.3g} (±{r.mu_star_conf:.2g})"
                         f", sigma = {r.sigma:.3g} ({shape}); a higher value {sign}.")
        if not rank:
            lines.append("No parameter stands clearly above replicate noise at this sample size.")
        if noisy:
            lines.append("Not distinguishable from replicate noise at this sample size (mu* "
                         "within its interval of the noise floor; more replicates or trajectories "
                         "would tell): " + ", ".join(f"`{m}`" for m in noisy) + ".")
        if minor:
            lines.append("Screened out (mu* under a tenth of the largest): "
                         + ", ".join(f"`{m}`" for m in minor) + ".")
        lines.append(noise_words(noise, o))
        words[o.name] = lines
    return words
