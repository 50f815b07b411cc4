"""Write docs/validation.md: the calibration fit, the posterior and its checks, the forecasts'
uncertainty, the stylised facts and the patterns of issue 11.

    python -m cxsim.experiments.validation [--replicates 30] [--seed 500] [--out docs/validation.md]
        [--pattern-replicates 8] [--team-replicates 20] [--pattern-seed 0] [--quick]

Every number in the page is measured by this script (or read from the calibration record), so
rerunning it regenerates the page. Effects are mean paired differences with the 95% t interval of
``statistics.paired_interval``; the patterns are measured by ``experiments.patterns`` with the
definitions, replicates and seeds of tests/test_model_v2.py and tests/test_team_patterns.py; "what
the model does not claim" is the board pack's text (``report.content.not_claimed_markdown``), its
counts read from the calibration record. The posterior's predictive check, identifiability,
convergence and parameter recovery are read from ``scenarios/posterior_record.json`` and
``scenarios/recovery_record.json`` (``cxsim calibrate``, ``cxsim recovery``); the forecast table
runs ``compare`` on posterior draws and on the point. The stylised facts and patterns are
measured on the calibrated point (``parameters="point"``, as their tests) and again under the
posterior predictive (each pair of replicates on its own draw). Progress goes to stderr.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from cxsim.experiments import patterns
from cxsim.experiments.calibrate import RECORD
from cxsim.experiments.cli.parser import (
    Parser,
    add_workers,
    base_seed,
    cap_workers,
    non_negative_int,
    positive_int,
    progress_bar,
    replicate_count,
)
from cxsim.experiments.compare import compare, covered_month, paired_differences
from cxsim.experiments.files import write_text
from cxsim.experiments.report.content import not_claimed_markdown
from cxsim.experiments.statistics import DEFAULT_REPLICATES, paired_interval
from cxsim.model import load_scenario

ROOT = Path(__file__).resolve().parents[1]


def paired(monthly: pd.DataFrame, a: str, b: str, column: str, month: int = 12) -> str:
    """'mean [low, high]' of a - b at ``month`` over paired replicates (95% t interval)."""
    at = monthly[monthly["month"] == month]
    left = at[at["scenario"] == a].sort_values("replicate")[column]
    right = at[at["scenario"] == b].sort_values("replicate")[column]
    return paired_interval(left, right).text(decimals=1, signed=True)


AT_BOUND = 0.05   # a calibrated value this close to either end of its prior range, as a share


def calibration_section() -> list[str]:
    if not RECORD.exists():
        return ["No calibration record yet: run `cxsim fit-point`.", ""]
    record = json.loads(RECORD.read_text())
    lines = [
        f"Method: {record['method']}. {record['trials']} search trials and up to "
        f"{record['refine_evaluations']} refinement evaluations, {record['search_replicates']} "
        f"replicates per scenario per evaluation (seeds {record['search_seeds'][0]}-"
        f"{record['search_seeds'][-1]}), sampler seed {record['sampler_seed']}; validated on "
        f"{record['validation_replicates']} fresh replicates (seeds "
        f"{record['validation_seeds'][0]}-{record['validation_seeds'][1]}); run on "
        f"{record['date']} (`cxsim fit-point`, record in `scenarios/calibration_record.json`).",
        "",
        "| case figure | scenario, month | target | tolerance | mean of replicates | 95% "
        "interval of the mean | within |",
        "|---|---|---|---|---|---|---|",
    ]
    for t in record["targets"]:
        lines.append(
            f"| {t['meaning']} (`{t['column']}`) | {t['scenario']}, {t['month']} | {t['value']} "
            f"| ±{t['tolerance']} | {t['mean']:.2f} | [{t['ci95'][0]:.2f}, {t['ci95'][1]:.2f}] "
            f"| {'yes' if t['within_tolerance'] else '**no**'} |")
    lines += ["", "Free parameters (every other parameter keeps its schema default):", "",
              "| parameter | prior | calibrated | what identifies it |", "|---|---|---|---|"]
    near = []
    for f in record["free_parameters"]:
        lines.append(f"| `{f['key']}` | {f['prior']} | {f['calibrated']:.4g} | {f['why']} |")
        where = (f["calibrated"] - f["low"]) / (f["high"] - f["low"])
        if min(where, 1 - where) <= AT_BOUND:
            near.append(f"`{f['key']}` ({f['calibrated']:.4g}, "
                        f"{'lower' if where < 0.5 else 'upper'} end of {f['prior']})")
    lines += ["", f"At a prior bound (within {AT_BOUND:.0%} of the range's width): "
              + ("; ".join(near) if near else "none") + ". A point estimate at a bound says the "
              "targets pull that way and the range stops them: the range is an assumption, and "
              "a parameter there is weakly identified (the posterior below measures how "
              "weakly).", ""]
    return lines


NOT_INFORMED = 0.25   # contraction below which the page says the case does not inform a parameter


def posterior_section(workers: int = 1, on_done: Callable[[int], None] | None = None
                      ) -> list[str]:
    """The ABC-SMC posterior (``scenarios/posterior_record.json``) and its parameter recovery
    (``scenarios/recovery_record.json``), read from their records: predictive check,
    identifiability, convergence and coverage; and, measured here, where the calibrated point
    stands against the posterior's densest particles (``posterior.point_standing``;
    ``on_done``: of 41 parameter sets)."""
    from cxsim.experiments.posterior import POSTERIOR_RECORD
    from cxsim.experiments.recovery import RECOVERY_RECORD

    if not POSTERIOR_RECORD.exists():
        return ["No posterior yet: run `cxsim calibrate --write`.", ""]
    rec = json.loads(POSTERIOR_RECORD.read_text())
    st = rec["settings"]
    lines = [
        f"Method: {rec['method']}. {st['population']} particles, {len(rec['generations'])} "
        f"generations (seed {st['seed']}), {rec['simulations']:,} simulations "
        f"({rec['runs']:,} runs) in {rec['seconds'] / 60:.0f} min; {rec['draws']} draws, "
        f"effective sample size {rec['effective_sample_size']:.0f}; run on {rec['date']} "
        "(`cxsim calibrate`, draws in `scenarios/posterior.csv`, record in "
        "`scenarios/posterior_record.json`). Every forecast (`run`, `compare`, `report`, the "
        "dashboard, the notebooks) runs each pair of replicates on its own draw of these "
        "(docs/ODD.md, section 6); the point that `--point` uses is the next section's.",
        "",
    ]
    check = rec.get("predictive_check") or []
    if check:
        inside = sum(row["inside_90"] for row in check)
        lines += [f"**Posterior predictive check**: {inside} of {len(check)} case figures inside "
                  "the central 90% of the figures simulated afresh from posterior draws "
                  f"(one run of each arm per draw).", "",
                  "| case figure | observed | tolerance | 5% | median | 95% | inside |",
                  "|---|---|---|---|---|---|---|"]
        lines += [f"| {row['meaning']} (`{row['name']}`) | {row['observed']:g} | "
                  f"±{row['tolerance']:g} | {row['p05']:.2f} | {row['median']:.2f} | "
                  f"{row['p95']:.2f} | {'yes' if row['inside_90'] else '**no**'} |"
                  for row in check]
        lines.append("")
    told = rec["identifiability"]
    priors = {p["key"]: p["distribution"] for p in rec["priors"]}
    where = point_quantiles()
    lines += ["**Identifiability**: contraction = 1 - posterior variance / prior variance (0: the "
              "case tells nothing, 1: it pins the value down); the last column is where the "
              "calibrated point (`baseline.toml`, what `--point` runs) lies in the posterior "
              "(its weighted quantile; inside the central 90% between 0.05 and 0.95).", "",
              "| parameter | prior | posterior mean | posterior sd | contraction | point's "
              "quantile |", "|---|---|---|---|---|---|"]
    lines += [f"| `{row['key']}` | {priors.get(row['key'], '')} | {row['posterior_mean']:.4g} | "
              f"{row['posterior_sd']:.3g} | {row['contraction']:.2f} | "
              f"{where.get(row['key'], float('nan')):.2f} |" for row in told["parameters"]]
    silent = [f"`{row['key']}`" for row in told["parameters"]
              if row["contraction"] < NOT_INFORMED]
    lines += ["", "Strongest posterior correlations (ridges the case cannot resolve): "
              + "; ".join(f"`{r['a']}` ~ `{r['b']}` {r['correlation']:+.2f}"
                          for r in told["strongest_correlations"]) + ".", "",
              f"**What the case cannot tell** (contraction below {NOT_INFORMED}): "
              + (", ".join(silent) or "none") + ". Their posterior is about their prior: "
              "a forecast that depends on them carries the width of their assumed ranges.", ""]
    lines += point_lines(where, workers, on_done)
    for row in rec.get("convergence") or []:
        parts = [f"generation {key[1:]}: {v['mean']:+.2f} [{v['p05']:+.2f}, {v['p95']:+.2f}]"
                 for key, v in row.items() if key.startswith("t") and isinstance(v, dict)]
        lines.append(f"- Convergence, {row['headline']} (mean [5%, 95%] over draws): "
                     + "; ".join(parts) + f"; shift {row.get('shift_in_sd', float('nan')):+.2f} "
                     "sd of the last.")
    lines.append("")
    lines += recovery_lines(RECOVERY_RECORD)
    lines += screening_lines()
    return lines


def screening_lines(shown: int = 20) -> list[str]:
    """The Morris screening of ``scenarios/screening_record.json``: which parameters move the
    targets, and how that agrees with the free parameters."""
    from cxsim.experiments.calibrate import FIXED_DESPITE_SCREENING, KEPT_FREE
    from cxsim.experiments.screening import SCREENING_RECORD

    if not SCREENING_RECORD.exists():
        return ["**Screening**: not yet run (`cxsim screen --write`).", ""]
    rec = json.loads(SCREENING_RECORD.read_text())
    st, summary = rec["settings"], rec["summary"]
    parameters = summary["parameters"]
    lines = [f"**Screening** (`cxsim screen`, record in `scenarios/screening_record.json`): "
             f"Morris elementary effects of {len(parameters)} behavioural parameters "
             f"({len(summary['left_out'])} left out: default 0 or a one-value range) on the "
             f"targets, {st['trajectories']} trajectories, {st['replicates']} replicates per "
             f"point, {rec['runs']:,} runs in {rec['seconds'] / 60:.0f} min; each parameter "
             f"over its prior (free) or its shipped value ±{rec['span']:.0%}. An effect is mu* "
             "in tolerances of the target; a parameter moves a target at "
             f"{rec['moves']:g} or more, above the replicate noise. "
             f"{len(summary['moving'])} parameters move a target. Free but moving none: "
             + (", ".join(f"`{k}`" for k in summary["free_moving_none"]) or "none")
             + f". Fixed but moving one ({len(summary['fixed_moving'])}): "
             + (", ".join(f"`{k}`" for k in summary["fixed_moving"]) or "none")
             + ". The posterior is conditional on the fixed ones at their shipped values. "
             f"Why each stays as it is ({KEPT_FREE}):", "",
             "| parameter | moves a target, yet fixed, because |", "|---|---|",
             *(f"| `{k}` | {FIXED_DESPITE_SCREENING.get(k, '**no reason recorded**')} |"
               for k in summary["fixed_moving"]), "",
             f"The {shown} largest effects:", "",
             "| parameter | free | largest effect (tolerances) | on | targets moved |",
             "|---|---|---|---|---|"]
    lines += [f"| `{e['key']}` | {'yes' if e['free'] else 'no'} | {e['largest']:.2f} | "
              f"`{e['largest_on']}` | {len(e['moves'])} |" for e in parameters[:shown]]
    return [*lines, ""]


def point_lines(where: dict[str, float], workers: int,
                on_done: Callable[[int], None] | None = None) -> list[str]:
    """Why ``--point`` runs the least-squares point and not the posterior's densest particle,
    measured (``posterior.point_standing``)."""
    import pandas as pd

    from cxsim.experiments.calibrate import shipped_point
    from cxsim.experiments.posterior import POSTERIOR, point_standing, process_map

    with process_map(workers) as map_:
        st = point_standing(pd.read_csv(POSTERIOR), shipped_point(), map_, on_done=on_done)
    inside = sum(0.05 <= q <= 0.95 for q in where.values())
    best = st["best_candidate"]
    return [f"**The point and the posterior.** `--point` runs every replicate on the "
            "least-squares point (`cxsim fit-point`, the next section), not on the "
            "posterior's densest particle. On the point fit's criterion (the loss of replicate "
            f"means over seeds {st['seeds'][0]}-{st['seeds'][1]}, "
            "sum(((mean - target) / tolerance)^2)) the point scores "
            f"{st['point_loss']:.2f}, every target "
            f"{'within' if st['point_within_tolerance'] else '**not** within'} tolerance; the "
            f"{st['candidates']} particles of highest posterior density (weighted kernel "
            f"density) score {st['candidate_loss_min']:.1f} to {st['candidate_loss_max']:.0f} "
            f"(median {st['candidate_loss_median']:.0f}; the best, draw {best['draw']}, "
            f"{best['loss']:.1f}), {st['candidates_within_tolerance']} of them with every "
            "target within tolerance. ABC accepts a particle when one realisation of the case "
            "lands near it, and one run's figures scatter by several tolerances, so the densest "
            "particles reproduce the case in one future, not on average; a single set for every "
            "replicate must do the latter. The point lies inside the posterior's central 90% "
            f"for {inside} of {len(where)} parameters (the quantiles above).", ""]


def point_quantiles() -> dict[str, float]:
    """Each calibrated parameter's shipped value as a weighted quantile of the posterior."""
    import numpy as np

    from cxsim.experiments.uncertainty import CALIBRATED_FILE, load_ensemble

    ensemble, shipped = load_ensemble(), load_scenario(CALIBRATED_FILE).parameters
    out = {}
    for i, key in enumerate(ensemble.keys):
        section, name = key.split(".")
        value = getattr(getattr(shipped, section), name)
        out[key] = float(np.sum(ensemble.weights * (ensemble.values[:, i] <= value)))
    return out


FORECAST_OUTCOMES = ("churn_annualised", "churn_realised_12m", "nps_measured", "revenue_retained",
                     "culture_score")


def forecast_lines(replicates: int, seed: int, workers: int,
                   on_done: Callable[[int], None] | None = None) -> list[str]:
    """The programme against the baseline at month 12, each replicate on its own posterior draw
    against all on the calibrated point (``--point``): the range of 90% of the paired futures and
    the parameters' share of its variance (``on_done``: of 4 x ``replicates``)."""
    from cxsim.model.catalogue import metric

    tables = {}
    for i, mode in enumerate(("posterior", "point")):
        def tick(n: int, offset: int = 2 * i * replicates) -> None:
            if on_done:
                on_done(offset + n)
        result = compare(["baseline", "techops_programme"], replicates=replicates, seed=seed,
                         workers=workers, on_done=tick, parameters=mode)
        table = paired_differences(result.monthly, "baseline", result.month, FORECAST_OUTCOMES)
        tables[mode] = table.set_index(["scenario", "outcome"]).loc["techops_programme"]
    lines = [f"**Forecast uncertainty**: `techops_programme` minus `baseline` at month 12, "
             f"{replicates} paired replicates from seed {seed}: the mean and the range of 90% of "
             "the paired futures, each pair on its own posterior draw (two seeds a draw) or all "
             "on the calibrated point (`--point`, chance alone). The share is of the posterior "
             "runs' variance; the point's chance spread is one organisation's and need not "
             "equal the posterior's mean within-draw spread, so the share and the width ratio "
             "answer different questions.", "",
             "| outcome | posterior draws | from the parameters | calibrated point | width, "
             "posterior / point |", "|---|---|---|---|---|"]
    for column in FORECAST_OUTCOMES:
        post, point = tables["posterior"].loc[column], tables["point"].loc[column]
        m = metric(column)
        width = (post["high"] - post["low"]) / (point["high"] - point["low"]) \
            if point["high"] > point["low"] else float("nan")
        lines.append(f"| {m.label} ({m.unit}) | {post['difference']:+.1f} [{post['low']:+.1f}, "
                     f"{post['high']:+.1f}] | {post['parameter_share']:.0%} | "
                     f"{point['difference']:+.1f} [{point['low']:+.1f}, {point['high']:+.1f}] "
                     f"| {width:.2f} |")
    return [*lines, ""]


def recovery_lines(path: Path) -> list[str]:
    """The parameter-recovery paragraph and table from its record."""
    if not path.exists():
        return ["**Parameter recovery**: not yet run (`cxsim recovery --write`).", ""]
    rec = json.loads(path.read_text())
    st, summary = rec["settings"], rec["summary"]
    informed = (f"{summary['informed_coverage']:.0%} of {summary['informed_pairs']} pairs of the "
                f"informed parameters (mean contraction >= {rec['informed_contraction']}: "
                + ", ".join(f"`{k}`" for k in summary["informed"]) + ")"
                if summary.get("informed_coverage") is not None else "no informed parameter")
    lines = [f"**Parameter recovery** (`cxsim recovery`, record in "
             f"`scenarios/recovery_record.json`): {st['truths']} synthetic organisations drawn "
             "from the posterior, one simulated case each, fitted by ABC-SMC with "
             f"{st['population']} particles and up to {st['generations']} generations (smaller "
             "than the shipped fit, so the intervals are wider); "
             f"{rec['simulations']:,} simulations in {rec['seconds'] / 60:.0f} min. The true "
             f"value lies in its central {rec['level']:.0%} credible interval in "
             f"{summary['coverage']:.0%} of {summary['pairs']} (truth, parameter) pairs, and in "
             f"{informed}. An uninformed parameter's interval spans most of its prior and "
             "covers its truth trivially; the table gives both." + stale_note(rec), "",
             "| parameter | coverage | mean contraction | interval, share of the prior range |",
             "|---|---|---|---|"]
    lines += [f"| `{row['key']}` | {row['coverage']:.0%} | {row['mean_contraction']:.2f} | "
              f"{row['mean_width_of_prior']:.0%} |" for row in summary["by_parameter"]]
    return [*lines, ""]


def stale_note(record: dict[str, Any]) -> str:
    """A warning when a recovery record was made against another posterior than the shipped
    one (the fingerprint it carries, ``recovery.posterior_fingerprint``), else nothing."""
    from cxsim.experiments.recovery import posterior_fingerprint

    made, shipped = record.get("posterior_sha256"), posterior_fingerprint()
    if made == shipped:
        return ""
    against = f"posterior `{made}`" if made else "a posterior it did not record"
    return (f" **Out of date:** the record was made against {against}, and the shipped "
            f"posterior is `{shipped}`: these figures describe the earlier fit until "
            "`cxsim recovery --write` is rerun.")


ATTITUDES = (("culture_score", "culture score"), ("psychological_safety_score",
              "psychological safety"), ("cynicism", "cynicism"), ("orientation", "orientation"))


def attitude_leads(mean: pd.DataFrame, churn_half: float) -> str:
    """Each attitude's half-change month and whether it comes before churn's."""
    parts = []
    for column, word in ATTITUDES:
        month = covered_month(mean[column], 0.5)
        when = "before churn" if month < churn_half else "after churn"
        parts.append(f"{word} at {month:.1f} ({when}, {churn_half - month:+.1f} months)")
    return ", ".join(parts)


FACT_SCENARIOS = ["baseline", "techops_programme", "cx_theater", "change_fatigue",
                  "sequenced_change", "survey_obsession", "blame_culture", "cx_police",
                  "executive_misalignment", "middle_management_resistance", "hiring_mismatch",
                  "short_term_pressure", "short_term_pressure_protected", "remote_work"]
FACTS = [
    "programme beats CX theater on churn", "... and on NPS",
    "theater is worse than doing nothing on cynicism", "... and on attrition",
    "initiatives beyond capacity lower engagement", "... and delay gains",
    "sequencing recovers most of them", "higher safety surfaces more problems",
    "... and lowers churn", "culture metrics move before churn",
    "measurement without action lowers response",
]


def fact_runs(replicates: int, workers: int, seed: int, parameters: str,
              on_done: Callable[[int], None] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The scenarios of the facts and the safety pair (low 0.2, high 0.7) on ``parameters``
    ("point" or "posterior"); ``on_done``: of 16 x ``replicates``."""
    n = len(FACT_SCENARIOS)
    m = compare(FACT_SCENARIOS, replicates=replicates, seed=seed, workers=workers,
                on_done=on_done, parameters=parameters).monthly
    low = load_scenario("techops_programme", {"levers.psychological_safety": 0.2}).named("low")
    high = load_scenario("techops_programme", {"levers.psychological_safety": 0.7}).named("high")

    def tick(done: int) -> None:
        if on_done:
            on_done(n * replicates + done)

    safety = compare([low, high], replicates=replicates, seed=seed, workers=workers,
                     on_done=tick, parameters=parameters).monthly
    return m, safety


def fact_cells(m: pd.DataFrame, safety: pd.DataFrame) -> list[str]:
    """The measured figure of each of ``FACTS``, in order."""
    mean = m[m["scenario"] == "techops_programme"].groupby("month").mean(numeric_only=True)
    churn_half = covered_month(mean["churn_annualised"], 0.5)
    churn_onset = covered_month(mean["churn_annualised"], 0.1)
    silent = {s: safety[(safety["scenario"] == s) & (safety["month"] > 0)]
              .groupby("replicate")["problems_silent"].sum().mean() for s in ("low", "high")}
    obsessed = m[m["scenario"] == "survey_obsession"].groupby("month")["survey_response_rate"]
    return [
        f"programme - theater, churn: "
        f"{paired(m, 'techops_programme', 'cx_theater', 'churn_annualised')} points",
        f"programme - theater, measured NPS: "
        f"{paired(m, 'techops_programme', 'cx_theater', 'nps_measured')}",
        f"theater - baseline, cynicism: {paired(m, 'cx_theater', 'baseline', 'cynicism')} "
        "(0-100)",
        f"theater - baseline, attrition: "
        f"{paired(m, 'cx_theater', 'baseline', 'attrition_annualised')} points",
        f"change fatigue - programme, engagement at month 6: "
        f"{paired(m, 'change_fatigue', 'techops_programme', 'engagement', 6)}",
        f"change fatigue - programme, churn: "
        f"{paired(m, 'change_fatigue', 'techops_programme', 'churn_annualised')} points",
        f"sequenced - programme, churn: "
        f"{paired(m, 'sequenced_change', 'techops_programme', 'churn_annualised')} points",
        f"silent problem-months over the year, safety 0.2 vs 0.7: {silent['low']:.1f} vs "
        f"{silent['high']:.1f}",
        f"safety 0.7 - 0.2, churn: {paired(safety, 'high', 'low', 'churn_annualised')} points",
        f"churn covers half its 12-month change at month {churn_half:.1f}; the leading "
        f"indicators of source 001, section 5, before it: ritual participation at "
        f"{covered_month(mean['ritual_participation'], 0.5):.1f}, interaction rate at "
        f"{covered_month(mean['interaction_rate'], 0.5):.1f}; the attitudes: "
        f"{attitude_leads(mean, churn_half)}. Onsets (10% of the change): churn "
        f"{churn_onset:.1f}, safety {covered_month(mean['psychological_safety_score'], 0.1):.1f}",
        f"survey obsession: response {obsessed.mean().iloc[0]:.1f}% at month 0, "
        f"{obsessed.mean().iloc[-1]:.1f}% at month 12; vs baseline at month 12: "
        f"{paired(m, 'survey_obsession', 'baseline', 'survey_response_rate')} points",
    ]


def facts_section(replicates: int, workers: int, seed: int = 500,
                  on_done: Callable[[int], None] | None = None) -> list[str]:
    """The stylised facts' table on the calibrated point and under the posterior predictive,
    and all scenarios against the baseline (``on_done``: replicates finished so far, of
    32 x ``replicates``)."""
    m, safety = fact_runs(replicates, workers, seed, "point", on_done)

    def later(done: int) -> None:
        if on_done:
            on_done(16 * replicates + done)

    # The facts are the mechanisms' (tests/test_stylised_facts.py checks them on the point); the
    # posterior predictive must reproduce them too, with each pair of replicates on its own draw.
    posterior_cells = fact_cells(*fact_runs(replicates, workers, seed, "posterior", later))
    base = m[m["scenario"] == "baseline"].groupby("month").mean(numeric_only=True)
    lines = [
        f"Each effect is the mean paired difference at month 12 over {replicates} replicates on "
        "common random numbers, with its 95% t interval, on the calibrated point and under the "
        "posterior predictive (each pair of replicates on its own posterior draw, the same for "
        "every scenario). `tests/test_stylised_facts.py` asserts each fact on the point and, for "
        "each, that it vanishes when its mechanism is switched off.",
        "",
        "| stylised fact (model brief, section 7: docs/sources.md) | calibrated point | "
        "posterior predictive |",
        "|---|---|---|",
        *(f"| {fact} | {a} | {b} |"
          for fact, a, b in zip(FACTS, fact_cells(m, safety), posterior_cells, strict=True)),
        "",
        "Baseline drift (the organisation doing nothing, mean of replicates, month 0 -> 12): "
        f"churn {base['churn_annualised'].iloc[0]:.1f} -> "
        f"{base['churn_annualised'].iloc[-1]:.1f}%, "
        f"measured NPS {base['nps_measured'].iloc[0]:.1f} -> {base['nps_measured'].iloc[-1]:.1f}, "
        f"culture {base['culture_score'].iloc[0]:.2f} -> {base['culture_score'].iloc[-1]:.2f}. "
        "The calibration holds it near zero on average (two steady-state targets); what remains "
        "comes from the voice loop (fixes and workarounds reach the most-met problems first) and "
        "from renewals selecting out the accounts problems hurt. Comparisons on common random "
        "numbers cancel it.",
        "",
        "All scenarios against the baseline, month 12 (paired difference, 95% interval; "
        "calibrated point):",
        "",
        "| scenario | churn (points) | measured NPS | culture score | cynicism | attrition |",
        "|---|---|---|---|---|---|",
    ]
    for name in FACT_SCENARIOS[1:]:
        cells = [paired(m, name, "baseline", c) for c in
                 ("churn_annualised", "nps_measured", "culture_score", "cynicism",
                  "attrition_annualised")]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return [*lines, ""]


# -- the patterns of issue 11 ---------------------------------------------------------------------

DECIMALS = {"points": 2, "NPS": 1, "r": 2, "problems": 1}


def figure(value: float, unit: str) -> str:
    return f"{value:+.{DECIMALS[unit]}f}"


def span(bounds: tuple[float, float] | None, unit: str) -> str:
    return "" if bounds is None else f"[{figure(bounds[0], unit)}, {figure(bounds[1], unit)}]"


def verdict(holds: bool | None) -> str:
    return {True: "yes", False: "**no**", None: "reported"}[holds]


def cell(text: str) -> str:
    """Text for a Markdown table cell (a '|' would end the cell)."""
    return text.replace("|", "\\|")


def pattern_table(rows: Sequence[patterns.Row]) -> list[str]:
    """A Markdown table, one line per row."""
    lines = ["| pattern | measured | 95% interval | band or rule | holds | knockout (mechanism "
             "off): figure, interval, holds |", "|---|---|---|---|---|---|"]
    for r in rows:
        knockout = "" if r["knockout"] is None else (
            f"{figure(r['knockout'], r['unit'])} {span(r['knockout_interval'], r['unit'])}: "
            f"{verdict(r['knockout_holds'])}")
        what = r["pattern"] + (f" ({r['detail']})" if r["detail"] else "")
        lines.append(f"| {cell(what)} | {figure(r['measured'], r['unit'])} | "
                     f"{span(r['interval'], r['unit'])} | {cell(r['band_or_rule'])} | "
                     f"{verdict(r['holds'])} | {knockout} |")
    return lines


def tally(rows: Sequence[patterns.Row]) -> str:
    """'k of n rows with a rule hold'."""
    ruled = [r for r in rows if r["holds"] is not None]
    return f"{sum(bool(r['holds']) for r in ruled)} of {len(ruled)} rows with a rule hold"


def failing(rows: Sequence[patterns.Row]) -> str:
    """The rows that do not hold, with their figures ('' if none)."""
    out = [f"{r['pattern']}: {figure(r['measured'], r['unit'])}"
           + (f", {r['detail']}" if r["detail"] else "") for r in rows if r["holds"] is False]
    return (" Not holding: " + "; ".join(out) + ".") if out else ""


def summary(group: str, rows: Sequence[patterns.Row]) -> str:
    """One generated sentence (or a few) on how the group came out, with the figures."""
    by = {r["id"]: r for r in rows}

    def f(key: str, field: str = "measured") -> str:
        return figure(by[key][field], by[key]["unit"])

    if group == "people carry the effect":
        parts = []
        for column, word in (("churn_annualised", "churn points"), ("nps_true", "true NPS")):
            r = by[f"freeze.{column}"]
            removed = 1 - r["knockout"] / r["measured"] if r["measured"] else float("nan")
            parts.append(f"from {f(r['id'])} to {f(r['id'], 'knockout')} {word} "
                         f"({removed:.0%} removed)")
        return (f"Holding every employee's and manager's state at month 0 moves the programme's "
                f"month-12 effect {' and '.join(parts)}; the issue asks for at least two thirds "
                f"removed. {tally(rows)}.")
    if group == "levers act as named":
        effects = "; ".join(
            f"`{lever}` {f(f'lever.techops_programme.{lever}.churn_annualised')} churn, "
            f"{f(f'lever.techops_programme.{lever}.nps_true')} true NPS"
            for lever in patterns.LEVERS
            if f"lever.techops_programme.{lever}.churn_annualised" in by)
        return (f"0 -> 1 on techops_programme: {effects}. {tally(rows)} (every 0.25 step "
                f"non-worsening beyond 2 SE).{failing(rows)}")
    if group == "anti-patterns and risks":
        steps = [r for r in rows if r["id"].startswith("never_helps.")]
        harm = [r for r in rows if r["id"].startswith("harm.") and r["unit"] == "points"]
        names = {True: [], False: []}
        for r in harm:
            key = r["id"][len("harm."):-len(".churn_annualised")]
            nps = by[f"harm.{key}.nps_true"]
            names[bool(r["holds"])].append(f"`{key}` ({figure(r['measured'], 'points')} churn, "
                                           f"{figure(nps['measured'], 'NPS')} NPS)")
        pressure = by["pressure.churn_annualised"]
        return (f"Raising an anti-pattern stepwise: {tally(steps)}.{failing(steps)} At intensity "
                f"1 on techops_programme, {len(names[True])} of {len(harm)} harm by the rule: "
                f"{', '.join(names[True]) or 'none'}; not yet: {', '.join(names[False]) or 'none'}."
                f" An unprotected late budget cut against a protected one: "
                f"{f('pressure.churn_annualised')} churn, {f('pressure.nps_true')} true NPS "
                f"({'differs' if pressure['holds'] else 'does not differ'} by the rule).")
    if group == "team level":
        def rs(x: str, y: str) -> str:
            return ", ".join(f"{f(f'team.{n}.{x}.{y}')} ({n})" for n in patterns.SCENARIOS
                             if f"team.{n}.{x}.{y}" in by)
        sat, turn = patterns.SATISFACTION, patterns.TURNOVER

        def segments() -> str:
            key = f"team.techops_programme.no_segments.{sat[0]}.{sat[1]}"
            if key not in by:
                return ""
            return (" Teams differ in their accounts for reasons outside the team too: each "
                    "serves a segment, whose circumstances hold a share of the accounts' "
                    "satisfaction (`initial.segment_share`, an assumption, 0.10, chosen before "
                    "these were measured) and whose product teams add their service; with no "
                    "share of satisfaction between segments (`initial.segment_share` = 0) the "
                    f"programme's engagement-satisfaction r would be {f(key)} (reported, no "
                    "rule).")
        return (f"Across frontline teams at month 12, team engagement vs its accounts' "
                f"satisfaction r = {rs(*sat)} (band +0.20 to +0.45); vs its turnover r = "
                f"{rs(*turn)} (band -0.45 to -0.15); team safety vs its accounts' satisfaction "
                f"r = {rs('psychological_safety', 'customer_satisfaction')} (reported). "
                f"Knockouts on the baseline: {f(f'team.baseline.{sat[0]}.{sat[1]}', 'knockout')}"
                f" and {f(f'team.baseline.{turn[0]}.{turn[1]}', 'knockout')} (must be within "
                f"±{patterns.KNOCKOUT_R}). {tally(rows)}.{segments()}")
    if group == "worse before better":
        dip = by["dip.early"]
        level = dict(patterns.BEYOND_CAPACITY)["anti_patterns.change_fatigue"]
        return (f"The programme launched beside concurrent change beyond capacity (change "
                f"fatigue at {level:g}: the load about 104% of capacity in months 1-4) has a "
                f"true-NPS advantage over doing nothing of "
                f"{f('dip.early')} {span(dip['interval'], 'NPS')} at its worst early month "
                f"({dip['detail']}) and {f('dip.recovery')} "
                f"{span(by['dip.recovery']['interval'], 'NPS')} at month 12; with overload off "
                f"its worst early month is {f('dip.early', 'knockout')}. {tally(rows)}."
                f"{failing(rows)}")
    if group == "36-month horizon":
        def at(prefix: str, column: str) -> str:
            return " / ".join(f(f"{prefix}.{column}.{m}") for m in (12, 24, 36))
        return (f"Baseline drift of the yearly mean from year 1: churn "
                f"{f('drift.churn_annualised')} "
                f"({by['drift.churn_annualised']['detail']}), true NPS "
                f"{f('drift.nps_true')} ({by['drift.nps_true']['detail']}). Programme "
                f"continued, advantage at months 12 / 24 / 36: churn "
                f"{at('continued', 'churn_annualised')}, true NPS {at('continued', 'nps_true')}. "
                f"Programme ended at week 52: churn {at('ended', 'churn_annualised')}, true NPS "
                f"{at('ended', 'nps_true')} ({by['ended.nps_true.24']['detail']} left at month "
                f"24, {by['ended.nps_true.36']['detail']} at 36); its largest month-to-month "
                f"change after month 12 {f('ended.cliff')} ({by['ended.cliff']['detail']}). "
                f"Baseline problem pool, month 12 / 36 - month 0: open {f('pool.open.12')} / "
                f"{f('pool.open.36')} ({by['pool.open.12']['detail']}), silent "
                f"{f('pool.silent.12')} / {f('pool.silent.36')} "
                f"({by['pool.silent.12']['detail']}): the problems surfaced at the start get "
                "fixed while new ones arrive silent (docs/ODD.md section 5). "
                f"{tally(rows)}.{failing(rows)}")
    return f"{tally(rows)}.{failing(rows)}"


def patterns_section(rows: Sequence[patterns.Row], replicates: int, team_replicates: int,
                     horizon_replicates: int, seed: int) -> list[str]:
    """One sentence and one table per group of ``patterns.GROUPS``."""
    lines = [
        f"Measured by `experiments/patterns.py` with the definitions of "
        f"`tests/test_model_v2.py` ({replicates} replicates, seeds {seed}-"
        f"{seed + replicates - 1}; the 156-week runs {horizon_replicates} replicates from seed "
        f"{seed}) and `tests/test_team_patterns.py` ({team_replicates} "
        f"replicates pooled from seed {seed}). Differences are paired on common seeds, month "
        "12 unless said, with the 95% t interval; correlations have the Fisher-z interval "
        "(pooled team rows are not independent within a replicate, so it is indicative). "
        "\"Beyond noise\" is two paired standard errors (SE), as in the tests; \"reported\" "
        "rows have no rule.",
        "",
    ]
    for group in patterns.GROUPS:
        mine = [r for r in rows if r["group"] == group]
        if mine:
            lines += [f"### {group[0].upper() + group[1:]}", "", summary(group, mine), "",
                      *pattern_table(mine), ""]
    return lines


def posterior_patterns_lines(point: Sequence[patterns.Row],
                             posterior: Sequence[patterns.Row]) -> list[str]:
    """The patterns with a rule on the calibrated point beside the same under the posterior
    predictive (the patterns are validation, kept out of the fit: the posterior must reproduce
    them too)."""
    under = {r["id"]: r for r in posterior}
    ruled = [r for r in point if r["holds"] is not None and r["id"] in under]
    lines = ["### Under the posterior predictive", "",
             "The same runs with each pair of replicates on its own posterior draw, the same draw "
             "for every arm (as every forecast): on the point "
             f"{tally(ruled)}; under the posterior predictive "
             f"{tally([under[r['id']] for r in ruled])}."
             + failing([under[r["id"]] for r in ruled]), "",
             "| pattern | calibrated point | holds | posterior predictive | holds |",
             "|---|---|---|---|---|"]
    for r in ruled:
        q = under[r["id"]]
        lines.append(f"| {cell(r['pattern'])} | {figure(r['measured'], r['unit'])} "
                     f"{span(r['interval'], r['unit'])} | {verdict(r['holds'])} | "
                     f"{figure(q['measured'], q['unit'])} {span(q['interval'], q['unit'])} | "
                     f"{verdict(q['holds'])} |")
    return [*lines, ""]


class Bars:
    """Progress on stderr: one bar per named stage (a ``patterns.Report``)."""

    def __init__(self, progress: Any) -> None:
        self.progress = progress
        self.tasks: dict[str, Any] = {}

    def __call__(self, what: str, done: int, total: int) -> None:
        if what not in self.tasks:
            self.tasks[what] = self.progress.add_task(what, total=total)
        self.progress.update(self.tasks[what], completed=done, total=total, refresh=True)


def main(argv: list[str] | None = None) -> int:
    parser = Parser(prog="python -m cxsim.experiments.validation",
                    description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--replicates", type=positive_int, default=DEFAULT_REPLICATES,
                        metavar="R", help="replicates per scenario")
    parser.add_argument("--seed", type=non_negative_int, default=500, metavar="N",
                        help="base seed of the stylised facts' replicates")
    parser.add_argument("--pattern-replicates", type=replicate_count,
                        default=patterns.REPLICATES, metavar="R",
                        help="replicates per arm of the patterns (tests/test_model_v2.py)")
    parser.add_argument("--team-replicates", type=replicate_count,
                        default=patterns.TEAM_REPLICATES, metavar="R",
                        help="replicates pooled per team correlation (tests/test_team_patterns.py)")
    parser.add_argument("--horizon-replicates", type=replicate_count,
                        default=patterns.HORIZON_REPLICATES, metavar="R",
                        help="replicates per arm of the 156-week runs (tests/test_model_v2.py)")
    parser.add_argument("--pattern-seed", type=base_seed, default=patterns.SEED, metavar="N",
                        help="base seed of the patterns (the tests' seed)")
    parser.add_argument("--forecast-replicates", type=replicate_count, default=60, metavar="R",
                        help="paired replicates per arm of the forecast-uncertainty table")
    parser.add_argument("--quick", action="store_true",
                        help="2 replicates everywhere: checks the page, not for the record")
    add_workers(parser)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "validation.md",
                        metavar="FILE", help="the page to write (default docs/validation.md)")
    args = parser.parse_args(argv)
    if args.quick:
        args.replicates = args.pattern_replicates = args.team_replicates = 2
        args.horizon_replicates = 2
        args.forecast_replicates = 4
    workers = cap_workers(args.workers)
    with progress_bar(remaining=False) as progress:
        bars = Bars(progress)
        posterior = posterior_section(workers, lambda n: bars("point vs posterior", n, 41))
        forecast = forecast_lines(args.forecast_replicates, args.seed, workers,
                                  lambda n: bars("forecast uncertainty", n,
                                                 4 * args.forecast_replicates))
        facts = facts_section(args.replicates, workers, args.seed,
                              lambda n: bars("stylised facts", n, 32 * args.replicates))
        rows = patterns.pattern_rows(args.pattern_replicates, args.team_replicates,
                                     args.horizon_replicates, args.pattern_seed, workers,
                                     report=bars)
        posterior_rows = patterns.pattern_rows(
            args.pattern_replicates, args.team_replicates, args.horizon_replicates,
            args.pattern_seed, workers, parameters="posterior",
            report=lambda what, done, total: bars(f"{what} (posterior)", done, total))
    lines = [
        "# Validation",
        "",
        "Generated by `python -m cxsim.experiments.validation`; rerun it after any change to "
        "the model.",
        "",
        *(["**Quick run** (`--quick`, 2 replicates): the figures check the page; they are not "
           "the record.", ""] if args.quick else []),
        "## The calibration: the posterior given the TechOps Pro case (source 001, section 11; "
        "docs/sources.md)",
        "",
        *posterior,
        "## The calibrated point (`--point`): the least-squares fit to the same figures",
        "",
        *calibration_section(),
        *forecast,
        "## Stylised facts",
        "",
        *facts,
        "## Patterns (issue 11)",
        "",
        *patterns_section(rows, args.pattern_replicates, args.team_replicates,
                          args.horizon_replicates, args.pattern_seed),
        *posterior_patterns_lines(rows, posterior_rows),
        "## What the model does not claim",
        "",
        not_claimed_markdown(RECORD),
    ]
    write_text(args.out, "\n".join(lines))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
