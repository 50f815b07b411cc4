"""Cross-team patterns at month 12: do the model's teams show the unit-level correlations of
the literature (Harter, Schmidt & Hayes 2002: engagement with customer satisfaction about .33,
with turnover about -.30)?

    python -m cxsim.experiments.team_patterns [--replicates 20] [--seed 0] [--month 12]

For ``baseline`` and ``techops_programme``, the frontline teams' rows of ``simulate_teams`` at the
month are pooled over replicates (seeds base + i, as every command) and Pearson's r of each pair
in ``PAIRS`` is printed with its 95% Fisher-z interval (statistics.correlation_interval). Pooled
rows are not independent within a replicate (teams share the organisation's climate and policy),
so the interval is indicative. Prints figures; asserts nothing.

Beside the pooled r, the within-organisation r: each replicate is one organisation, and Harter,
Schmidt & Hayes (2002) correlate business units within each company before they combine
companies, so differences between the organisations' levels (one replicate's climate better
than another's) are not part of their figure. It centres each replicate's rows on that
replicate's means (the pooled within-group correlation).
"""

from __future__ import annotations

import pandas as pd

from cxsim.experiments.cli.parser import Parser, base_seed, non_negative_int, replicate_count
from cxsim.experiments.runner import replicate_seeds
from cxsim.experiments.statistics import CONFIDENCE, correlation_interval
from cxsim.experiments.uncertainty import plan_replicates, with_draw
from cxsim.model import Scenario, load_scenario, simulate_teams

SCENARIOS: tuple[str, ...] = ("baseline", "techops_programme")
MONTH = 12
# (x, y): team columns of simulate_teams (docs/outputs.md, "Team-level output").
PAIRS: tuple[tuple[str, str], ...] = (
    ("engagement", "customer_satisfaction"),
    ("engagement", "turnover_annualised"),
    ("psychological_safety", "customer_satisfaction"),
)


def frontline_rows(scenario: Scenario | str, replicates: int, seed: int = 0,
                   month: int = MONTH, parameters: str = "point") -> pd.DataFrame:
    """The frontline teams' rows at ``month``, pooled over replicates (column ``seed`` added);
    replicate i on posterior row ``draws[i]`` with ``parameters="posterior"``
    (``uncertainty.plan_replicates``)."""
    if isinstance(scenario, str):
        scenario = load_scenario(scenario)
    seeds = replicate_seeds(seed, replicates)
    frames = []
    for s, draw in zip(seeds, plan_replicates(seeds, parameters).draws, strict=True):
        teams = simulate_teams(with_draw(scenario, draw), seed=s)
        rows = teams[(teams["month"] == month) & teams["frontline"]]
        frames.append(rows.assign(seed=s))
    return pd.concat(frames, ignore_index=True)


def team_correlations(scenario: Scenario | str, replicates: int, seed: int = 0,
                      month: int = MONTH, parameters: str = "point") -> pd.DataFrame:
    """Pearson's r across frontline teams at ``month``, pooled over ``replicates`` replicates
    from ``seed``, for each pair in ``PAIRS``, with its 95% Fisher-z interval.

    One row per pair: ``scenario``, ``month``, ``x``, ``y``, ``r``, ``low``, ``high``, ``n``
    (team rows with both values; rows with a NaN, a team with no active account, are dropped),
    and the within-organisation r with its interval: ``r_within``, ``low_within``,
    ``high_within`` (rows centred on their replicate's means).
    """
    if isinstance(scenario, str):
        scenario = load_scenario(scenario)
    rows = frontline_rows(scenario, replicates, seed, month, parameters)
    records = []
    for x, y in PAIRS:
        interval = correlation_interval(rows[x], rows[y])
        within = correlation_interval(rows[x], rows[y], groups=rows["seed"])
        records.append({"scenario": scenario.name, "month": month, "x": x, "y": y,
                        "r": interval.mean, "low": interval.low, "high": interval.high,
                        "n": interval.n, "r_within": within.mean,
                        "low_within": within.low, "high_within": within.high})
    return pd.DataFrame.from_records(records)


def main(argv: list[str] | None = None) -> int:
    parser = Parser(prog="python -m cxsim.experiments.team_patterns",
                    description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=replicate_count, default=20, metavar="R",
                        help="replicates per scenario")
    parser.add_argument("--seed", type=base_seed, default=0, metavar="N", help="base seed")
    parser.add_argument("--month", type=non_negative_int, default=MONTH, metavar="M",
                        help="month")
    args = parser.parse_args(argv)
    table = pd.concat([team_correlations(name, args.replicates, args.seed, args.month)
                       for name in SCENARIOS], ignore_index=True)
    print(f"Pearson r across frontline teams at month {args.month}, {args.replicates} "
          f"replicates pooled (seeds {args.seed}..{args.seed + args.replicates - 1}), "
          f"{CONFIDENCE:.0%} Fisher-z interval; within: rows centred on their replicate's "
          "means (one organisation each, as Harter, Schmidt & Hayes 2002)")
    for row in table.itertuples():
        print(f"{row.scenario:<18} {row.x + ' vs ' + row.y:<45} r = {row.r:+.3f} "
              f"[{row.low:+.3f}, {row.high:+.3f}]  within r = {row.r_within:+.3f} "
              f"[{row.low_within:+.3f}, {row.high_within:+.3f}]  n = {row.n}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
