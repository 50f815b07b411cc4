"""Sobol indices (SALib) of a Saltelli sample, and the drivers they rank, in words.

Every share is a share of one thing: the variance of the replicate means of an output over the
sample. Replicate noise is part of that variance and of every parameter's total index ST (the
*noise floor*); a driver is ranked by how far its ST stands above the floor.
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pandas as pd

from cxsim.experiments.analysis.results import Results
from cxsim.experiments.analysis.statistics import (
    MATERIAL,
    direction_words,
    n_to_rank,
    noise_floor,
    noise_words,
    too_wide_to_rank,
)

VARIANCE = "the variance of the replicate means"
SLACK = 0.1            # S1 and noise adding up to at most this much over 100%: sampling error


def sobol_indices(results: Results) -> tuple[pd.DataFrame, pd.DataFrame]:
    """S1 and ST (one row per output and parameter) and S2 (per output and pair), with the
    half-widths of their bootstrap intervals (``*_conf``), from SALib on the replicate means."""
    from SALib.analyze import sobol

    spec = results.spec
    problem = results.problem()
    means = results.means()
    first, second = [], []
    for o in results.outputs:
        y = means[o.name].to_numpy(dtype=float)
        if np.ptp(y) == 0:
            si = {k: np.zeros(len(results.names)) for k in ("S1", "S1_conf", "ST", "ST_conf")}
            si["S2"] = si["S2_conf"] = np.full((len(results.names),) * 2, np.nan)
        else:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                si = sobol.analyze(problem, y, calc_second_order=spec.second_order,
                                   num_resamples=spec.bootstrap, conf_level=spec.conf_level,
                                   seed=spec.seed)
        for j, name in enumerate(results.names):
            first.append({"output": o.name, "parameter": name,
                          "S1": float(si["S1"][j]), "S1_conf": float(si["S1_conf"][j]),
                          "ST": float(si["ST"][j]), "ST_conf": float(si["ST_conf"][j])})
        if spec.second_order:
            for j, k in itertools.combinations(range(len(results.names)), 2):
                second.append({"output": o.name, "parameter_1": results.names[j],
                               "parameter_2": results.names[k], "S2": float(si["S2"][j, k]),
                               "S2_conf": float(si["S2_conf"][j, k])})
    return pd.DataFrame(first), pd.DataFrame(second)


def rank_sobol(results: Results, sobol: pd.DataFrame, dirs: pd.DataFrame,
               noise: pd.DataFrame) -> dict[str, list[str]]:
    """Per output: a summary line, the drivers by total index net of the noise floor (one line
    each), the parameters that barely matter, those the sample cannot place, and the noise.

    When the intervals are too wide to rank (:func:`too_wide_to_rank`, the rule the chart's
    warning uses too) nothing is ranked or classified: the summary says so, and why. Otherwise a
    parameter is *ranked* when its ST stands above the noise floor by more than its interval and
    by at least MATERIAL (or its S1 does); it *barely matters* when even the top of its ST
    interval is under MATERIAL beyond the floor, or it stands above the floor by less than
    MATERIAL with S1 under MATERIAL; the rest are *not placed* (their intervals span both).
    The summary's shares add up: sum of S1 (alone) + noise + interactions = all of the variance.
    """
    words: dict[str, list[str]] = {}
    n = results.spec.n
    for o in results.outputs:
        rows = sobol[sobol.output == o.name].sort_values("ST", ascending=False)
        rho = dirs[dirs.output == o.name].set_index("parameter").rho
        floor = noise_floor(noise, o.name)
        shown = floor >= 0.01
        alone = float(rows.S1.clip(lower=0).sum())
        noise_part = f", replicate noise {floor:.0%}" if shown else ""
        wide = too_wide_to_rank(rows)
        if wide:
            words[o.name] = [
                f"At N = {n} {wide}: they cannot say which parameters drive it or which "
                f"barely matter, and the shares they give (the S1 add up to {alone:.0%}"
                f"{noise_part}) are mostly sampling error. Rerun with a larger n (about "
                f"{n_to_rank(rows, n)}: intervals narrow about as 1 / sqrt(N)) before reading "
                "them.",
                noise_words(noise, o)]
            continue
        ranked, minor, unplaced = [], [], []
        for r in rows.itertuples():
            net = r.ST - floor
            above = r.ST - r.ST_conf > floor
            if above and (net >= MATERIAL or r.S1 >= MATERIAL):
                ranked.append(r)
            elif r.ST + r.ST_conf < floor + MATERIAL or (above and r.S1 < MATERIAL):
                minor.append(r)
            else:
                unplaced.append(r)
        alone_ranked = sum(max(r.S1, 0.0) for r in ranked)
        rest = 1 - alone - (floor if shown else 0.0)
        if rest >= 0:
            summary = (f"Of {VARIANCE}: the parameters explain {alone:.0%} on their own (sum of "
                       f"S1){noise_part}, and the rest, about {rest:.0%}, is interactions (and "
                       "sampling error where the intervals are wide).")
        elif rest >= -SLACK:
            explained = 1 - (floor if shown else 0.0)
            summary = (f"Of {VARIANCE}: the parameters explain all of it but the noise, about "
                       f"{explained:.0%}, on their own{noise_part}; their S1 add up to "
                       f"{alone:.0%}, within sampling error of that: no sign of interactions.")
        else:
            summary = (f"The parameters' S1 add up to {alone:.0%}"
                       + (f" and replicate noise is {floor:.0%} of {VARIANCE}" if shown else "")
                       + ": more than all of it, so at this sample size the indices are largely "
                       "sampling error.")
        if alone - alone_ranked >= MATERIAL:
            # the S1 sum can be large while no one parameter's is clear: say where it sits
            owners = (f"The {len(ranked)} driver(s) ranked below account for {alone_ranked:.0%}"
                      if ranked else "No single parameter's share is clear")
            summary += (f" {owners}; the other {alone - alone_ranked:.0%} of the S1 is spread "
                        "over parameters that each barely matter or that this sample cannot "
                        "place.")
        if shown:
            summary += (f" Noise shows in every total index: a parameter with no effect has ST "
                        f"of about {floor:.0%} (the noise floor).")
        lines = [summary]
        if not ranked:
            lines.append("No parameter stands clearly above the noise floor at this sample size.")
        for rank, r in enumerate(ranked, 1):
            net = r.ST - floor
            inter = max(net - max(r.S1, 0), 0)
            lines.append(f"{rank}. `{r.parameter}`: {net:.0%} of {VARIANCE} in all"
                         + (f" beyond noise (ST {r.ST:.0%} ±{r.ST_conf:.0%})" if shown
                            else f" (ST, ±{r.ST_conf:.0%})")
                         + f", {max(r.S1, 0):.0%} alone (S1, ±{r.S1_conf:.0%})"
                         + (f", {inter:.0%} through interactions" if inter >= MATERIAL else "")
                         + f"; {direction_words(float(rho.get(r.parameter, 0)))}.")
        if unplaced:
            lines.append("Not placed at this sample size (the total index's interval reaches "
                         f"from the noise floor to over {MATERIAL:.0%} beyond it; a larger n "
                         "would tell): " + ", ".join(f"`{m.parameter}`" for m in unplaced) + ".")
        if minor:
            lines.append("Barely matter (even the top of the total index's interval is under "
                         f"{MATERIAL:.0%} of {VARIANCE} beyond the noise floor, or both its "
                         f"total beyond noise and its S1 are under {MATERIAL:.0%}): "
                         + ", ".join(f"`{m.parameter}`" for m in minor) + ".")
        lines.append(noise_words(noise, o))
        words[o.name] = lines
    return words
