"""Scenario discovery with PRIM (EMA Workbench): boxes of the parameter space where an outcome
such as ``churn_m12 > 15`` is concentrated."""

from __future__ import annotations

import math
import operator
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from cxsim.experiments.analysis.results import Results
from cxsim.experiments.sweep import SweepFile, parse_outcome

OPS: dict[str, Callable[[Any, Any], Any]] = {">": operator.gt, ">=": operator.ge,
                                             "<": operator.lt, "<=": operator.le}
OP_WORDS = {">": "gt", ">=": "ge", "<": "lt", "<=": "le"}


def canonical_outcome(text: str, spec: SweepFile, file: str = "--outcome",
                      key: str = "outcome") -> tuple[str, str]:
    """(``'NAME OP VALUE'``, a folder-safe slug such as ``'churn_m12_gt_15'``) of an outcome."""
    name, op, value = parse_outcome(text, spec, file=file, key=key)
    return f"{name} {op} {value:g}", f"{name}_{OP_WORDS[op]}_{value:g}"


def discover(results: Results, outcome: str) -> dict[str, Any]:
    """PRIM boxes for ``outcome`` (e.g. ``'churn_m12 > 15'``) over the runs."""
    disc = results.spec.discovery
    threshold = disc.threshold if disc else 0.8
    max_boxes = disc.max_boxes if disc else 3
    mass_min = disc.mass_min if disc else 0.05
    peel_alpha = disc.peel_alpha if disc else 0.05
    name, op, value = parse_outcome(outcome, results.spec, file="--outcome", key="outcome")
    x = results.runs[results.names].astype(float).reset_index(drop=True)
    y = OPS[op](results.runs[name].to_numpy(dtype=float), value)
    found: dict[str, Any] = {"outcome": f"{name} {op} {value:g}", "runs": int(y.size),
                             "cases": int(y.sum()), "share": float(y.mean()) if y.size else 0.0,
                             "threshold": threshold, "boxes": [], "trajectory": None}
    if min(y.sum(), (~y).sum()) < 10:
        found["note"] = (f"only {int(y.sum())} run(s) meet the outcome" if y.sum() < 10 else
                         f"only {int((~y).sum())} run(s) miss the outcome") + \
            ": too few to find boxes; choose another threshold"
        return found
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim
        # y is 0/1, so any threshold in (0, 1] picks the same cases; a tiny one makes PRIM keep
        # every box it peels, and the density threshold is applied below to the peeling
        # trajectory, so that a miss can say how close PRIM came
        finder = prim.Prim(x, y.astype(int), threshold=1e-6, mass_min=mass_min,
                           peel_alpha=peel_alpha)
        for number in range(max_boxes):
            box = finder.find_box()
            if box is None:
                break
            trajectory = box.peeling_trajectory.reset_index(drop=True)
            density = trajectory["density"].to_numpy()
            ok = np.flatnonzero((density >= threshold) & (trajectory["res_dim"].to_numpy() > 0))
            if not ok.size:
                if number == 0:
                    best = int(np.argmax(density))
                    found["closest"] = {k: float(trajectory[k].iloc[best])
                                        for k in ("density", "coverage", "mass")}
                break
            choice = int(ok[np.argmax(trajectory["coverage"].to_numpy()[ok])])
            box.select(choice)
            stats, limits = box.inspect(choice, style="data")[0]
            restrictions = []
            for unc in limits.index:
                low, high = (float(v) for v in limits.loc[unc].iloc[:2])
                qp = [float(v) for v in limits.loc[unc].iloc[2:4] if not math.isnan(float(v))]
                full_low, full_high = float(x[unc].min()), float(x[unc].max())
                kept = (high - low) / (full_high - full_low) if full_high > full_low else 1.0
                restrictions.append({"parameter": str(unc), "low": low, "high": high,
                                     "full_low": full_low, "full_high": full_high,
                                     "range_kept": kept, "qp": max(qp) if qp else float("nan"),
                                     "weak": max(qp, default=0.0) > 0.05 or kept > 0.9})
            restrictions.sort(key=lambda r: r["range_kept"])
            if number == 0:
                found["trajectory"] = trajectory[["coverage", "density", "res_dim",
                                                  "mass"]].assign(selected=False)
                found["trajectory"].loc[choice, "selected"] = True
            found["boxes"].append({"box": number + 1, "coverage": float(stats["coverage"]),
                                   "density": float(stats["density"]),
                                   "mass": float(stats["mass"]),
                                   "restricted": int(stats["res_dim"]),
                                   "restrictions": restrictions})
    return found
