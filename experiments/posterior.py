"""Calibration with uncertainty: an ABC-SMC posterior of the default organisation's free
parameters given the TechOps Pro case (source 001, "Building a CX-First Culture", section 11;
docs/sources.md).

The model has no likelihood one could write down, so the posterior is approximated by Approximate
Bayesian Computation with sequential Monte Carlo (ABC-SMC: Sisson, Fan & Tanaka 2007; Beaumont et
al. 2009; Toni et al. 2009), with pyabc (Klinger, Rickert & Hasenauer 2018; Schaelte et al. 2022),
which MODEL_BRIEF §8 asks for (McCulloch et al. 2022, ABC or history matching for agent-based
models). Each generation t keeps ``population`` particles (parameter sets) whose simulated case
figures lie within epsilon_t of the observed ones, epsilon_t the median distance of the previous
generation's particles; new candidates are drawn from the previous generation through a
multivariate normal kernel (twice the weighted covariance: ``transition``) and weighted by prior /
proposal.

- **Priors**: uniform on each free parameter's range (``calibrate.FREE``: the same ranges and
  reasons as the point calibration; a range is "assumption" unless its reason says otherwise).
- **Data** (summary statistics): the case figures of ``calibrate.TARGETS`` (before: churn 18%, NPS
  28, cultural assessment 2.1/5, 32% agreement, interaction near zero; after the programme's year:
  realised churn 12%, NPS 51, assessment 3.6/5, 68% interaction) and the steady-baseline
  assumption (with no programme, churn, NPS and the open problems stay where they are).
- **A simulation** of a particle is one run of ``baseline`` and one of ``techops_programme`` on the
  same seed (common random numbers between the arms), read at the targets' months: one
  realisation of the case, as the case itself is one.
- **Distance**: sqrt(sum_i ((s_i - s_obs_i) / tolerance_i)^2), each figure scaled by its
  tolerance (pyabc ``PNormDistance`` with fixed weights), so a distance of sqrt(13) ~ 3.6 is "each
  figure off by its tolerance on average".

Reproducible: generation t's candidates come from seeds ``SeedSequence([seed, t + 1])`` (t = -1
is the calibration sample that sets the first epsilon), one per accepted particle, each task
sampling from its own seeded stream until it has one accepted particle (``SeededSampler``), so the
posterior is a function of the seed alone: the same with 1 or 8 workers, and when resumed from
pyabc's history database after a stop (tests/test_posterior.py).

Nothing here writes into the shipped scenarios by itself: :func:`write_posterior` writes the draws
(``posterior.csv``) and the record (``posterior_record.json``) into a folder of the caller's as
one result set; :func:`install` copies them into ``scenarios/``.
"""

from __future__ import annotations

import ast
import datetime as dt
import functools
import json
import logging
import math
import random
import shutil
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import cxsim
from cxsim.experiments.calibrate import FREE, TARGETS, Target
from cxsim.experiments.files import result_set, write_atomic
from cxsim.model import Scenario, load_scenario, simulate_many
from cxsim.model.scenario import SCENARIO_DIR

POSTERIOR = SCENARIO_DIR / "posterior.csv"
POSTERIOR_RECORD = SCENARIO_DIR / "posterior_record.json"
SCENARIOS = tuple(sorted({t.scenario for t in TARGETS}))
SEED = 2026


def statistic_name(target: Target) -> str:
    """The summary statistic's name: ``scenario.mMONTH.column``."""
    return f"{target.scenario}.m{target.month}.{target.column}"


OBSERVED: dict[str, float] = {statistic_name(t): t.value for t in TARGETS}
WEIGHTS: dict[str, float] = {statistic_name(t): 1.0 / t.tolerance for t in TARGETS}


@functools.cache
def _shipped(name: str) -> Scenario:
    # The shipped files, by path: a user's scenario folder never stands in for them.
    return load_scenario(SCENARIO_DIR / f"{name}.toml")


def case_statistics(parameters: dict[str, float], seed: int) -> dict[str, float]:
    """One realisation of the case's figures with these free parameters: ``baseline`` and
    ``techops_programme``, one run each on ``seed``."""
    plain = {key: float(value) for key, value in parameters.items()}
    out: dict[str, float] = {}
    for name in SCENARIOS:
        monthly = simulate_many(_shipped(name).with_overrides(plain), [seed]).set_index("month")
        for t in TARGETS:
            if t.scenario == name:
                out[statistic_name(t)] = float(monthly.at[t.month, t.column])
    return out


def abc_model(parameters: dict[str, float]) -> dict[str, float]:
    """pyabc's model: the case statistics on a seed from the task's seeded stream."""
    return case_statistics(parameters, int(np.random.randint(0, 2**31 - 1)))


def _uniform_base() -> type:
    from pyabc import RV
    return RV


class Uniform(_uniform_base()):  # type: ignore[misc]
    """scipy's uniform(low, width) as pyabc's ``RV`` (the same draws), with its density worked
    out here: 1 / width on [low, low + width], else 0. scipy's ``pdf`` costs about 45 us a call,
    and a proposal outside the priors' box (most of them, with 14 parameters and a wide kernel)
    is checked against every prior before it is drawn again: that was a third of the time."""

    def __init__(self, low: float, width: float) -> None:
        super().__init__("uniform", low, width)

    def copy(self) -> Uniform:
        return Uniform(*self.args)

    def pdf(self, x: float, *args: Any, **kwargs: Any) -> float:
        low, width = self.args
        return 1.0 / width if low <= x <= low + width else 0.0


def prior() -> Any:
    """Uniform priors on the free parameters' ranges (``calibrate.FREE``)."""
    import pyabc
    return pyabc.Distribution(**{f.key: Uniform(f.low, f.high - f.low) for f in FREE})


def distance() -> Any:
    """The Euclidean distance of the figures, each scaled by its tolerance."""
    import pyabc
    return pyabc.PNormDistance(p=2, fixed_weights=WEIGHTS)


def unit_bandwidth(effective_sample_size: float, dimension: int) -> float:
    """No rule-of-thumb shrinking: the kernel's covariance is ``scaling`` x the particles'."""
    return 1.0


def transition() -> Any:
    """Beaumont et al. (2009)'s perturbation kernel: a multivariate normal with twice the
    weighted covariance of the previous generation. pyabc's default (Silverman's rule) shrinks
    the covariance to about a quarter of the particles' in 14 dimensions (an eighth of this),
    which left an effective sample size of 4 of 200 particles by the fourth generation
    (measured)."""
    import pyabc
    return pyabc.MultivariateNormalTransition(scaling=2.0, bandwidth_selector=unit_bandwidth)


def _sampler_base() -> type:
    from pyabc.sampler import MappingSampler
    return MappingSampler


_latest: tuple[bytes, Any] = (b"", None)


def _unpickled(pickled: bytes) -> Any:
    """The generation's ``simulate_one``, unpickled once per worker process, not once per task
    (it closes over the priors, the kernel and the distance: milliseconds to rebuild). Calling it
    again is what each task does anyway, until it has an accepted particle."""
    global _latest
    if _latest[0] != pickled:
        import cloudpickle

        # in a worker process too: the proposals outside the priors' box are expected (run_abc)
        logging.getLogger("ABC").setLevel(logging.ERROR)
        logging.getLogger("pyabc").setLevel(logging.ERROR)
        _latest = (pickled, cloudpickle.loads(pickled))
    return _latest[1]


class SeededSampler(_sampler_base()):  # type: ignore[misc]
    """pyabc's ``MappingSampler`` (each task samples until it has one accepted particle) with the
    tasks' seeds fixed: task i of generation t seeds numpy's and Python's global generators (which
    pyabc's proposals and ``abc_model`` draw from) with word i of ``SeedSequence([seed, t + 1])``.

    ``map_`` is a map that returns results in task order (the built-in one,
    ``ProcessPoolExecutor.map``), so scheduling cannot change them. ``on_particle`` (in the
    calling process) is told of each accepted particle."""

    def __init__(self, map_: Callable = map, seed: int = SEED,
                 on_particle: Callable[[int, int], None] | None = None) -> None:
        super().__init__(map_=map_)
        self.seed = seed
        self.on_particle = on_particle

    def map_function(self, simulate_one: bytes, task_seed: int) -> tuple[Any, int]:
        simulate_one = _unpickled(simulate_one)
        np.random.seed(task_seed)
        random.seed(task_seed)
        evaluations = 0
        sample = self._create_empty_sample()
        while True:
            particle = simulate_one()
            evaluations += 1
            sample.append(particle)
            if particle.accepted:
                return sample, evaluations

    def sample_until_n_accepted(self, n: int, simulate_one: Any, t: int, *,
                                max_eval: float = np.inf, all_accepted: bool = False,
                                ana_vars: Any = None) -> Any:
        seeds = np.random.SeedSequence([self.seed, t + 1]).generate_state(n).tolist()
        task = functools.partial(self.map_function, self.pickle(simulate_one))
        sample = self._create_empty_sample()
        self.nr_evaluations_ = 0
        for done, (result, evaluations) in enumerate(self.map_(task, seeds), 1):
            sample += result
            self.nr_evaluations_ += evaluations
            if self.on_particle is not None:
                self.on_particle(done, n)
        return sample


@dataclass(frozen=True)
class Settings:
    """One ABC-SMC calibration's settings (all in its record)."""

    population: int = 500
    generations: int = 8
    min_acceptance: float = 0.02     # stop when fewer than this share of candidates is accepted
    min_epsilon: float = 0.0         # stop once epsilon is at or below this
    seed: int = SEED


@dataclass
class Calibration:
    """A finished (or stopped) run: pyabc's history and what the record needs."""

    history: Any
    settings: Settings
    seconds: float
    database: Path


def run_abc(settings: Settings, database: Path, map_: Callable = map,
            on_generation: Callable[[int, float, float], None] | None = None,
            on_particle: Callable[[int, int], None] | None = None,
            observed: dict[str, float] | None = None) -> Calibration:
    """Run (or resume, if ``database`` holds a run with the same settings and data) ABC-SMC to
    ``settings.generations`` generations, or until a stopping rule holds (acceptance below
    ``min_acceptance``, epsilon at or below ``min_epsilon``). ``observed`` are the figures to
    fit (default the case's, ``OBSERVED``; a synthetic case for parameter recovery).
    ``on_generation(t, epsilon, acceptance)`` is called after each generation,
    ``on_particle(done, n)`` after each accepted particle.

    Each generation is run from the database (pyabc's ``load``), so an uninterrupted run and one
    resumed after any generation are the same run."""
    import pyabc

    # pyabc warns when many proposals fall outside the priors' ranges: with Beaumont's wide
    # kernel some do, and they are drawn again before any simulation.
    logging.getLogger("ABC").setLevel(logging.ERROR)
    logging.getLogger("pyabc").setLevel(logging.ERROR)
    url = f"sqlite:///{Path(database).resolve()}"

    def smc() -> Any:
        return pyabc.ABCSMC(abc_model, prior(), distance(), population_size=settings.population,
                            sampler=SeededSampler(map_, settings.seed, on_particle),
                            eps=pyabc.MedianEpsilon(), transitions=transition())

    started = time.perf_counter()
    meta = _meta(settings, observed)
    run_id = _matching_run(database, meta)
    if run_id is None:                 # a new run (beside any others in the database)
        database.parent.mkdir(parents=True, exist_ok=True)
        history = smc().new(url, observed or OBSERVED, meta_info={"cxsim": json.dumps(meta)})
        run_id = history.id
    history = pyabc.History(url, _id=run_id)
    while history.max_t + 1 < settings.generations and not _stopped(history, settings):
        abc = smc()
        history = abc.load(url, run_id)
        abc.run(max_nr_populations=1)
        if on_generation is not None:
            t, epsilon, acceptance = _last_generation(history)
            on_generation(t, epsilon, acceptance)
    return Calibration(history, settings, time.perf_counter() - started, Path(database))


def _last_generation(history: Any) -> tuple[int, float, float]:
    """The latest generation's t, epsilon and acceptance rate."""
    last = history.get_all_populations().iloc[-1]
    t = int(last["t"])
    return t, float(last["epsilon"]), float(
        history.get_nr_particles_per_population().loc[t] / last["samples"])


def _stopped(history: Any, settings: Settings) -> bool:
    """Whether the latest generation met a stopping rule."""
    if history.max_t < 0:
        return False
    _, epsilon, acceptance = _last_generation(history)
    return acceptance < settings.min_acceptance or epsilon <= settings.min_epsilon


def _meta(settings: Settings, observed: dict[str, float] | None) -> dict[str, Any]:
    """What a run is recorded with in its database: its settings, and its data when they are
    not the case's."""
    meta: dict[str, Any] = asdict(settings)
    if observed is not None:
        meta["observed"] = {key: float(observed[key]) for key in sorted(observed)}
    return meta


def _matching_run(database: Path, meta: dict[str, Any]) -> int | None:
    """The id of the run in ``database`` made with this meta (:func:`_meta`; bar the
    generations), if any. pyabc keeps a run's ``meta_info`` as the text of a Python dict: read
    as a literal, never run."""
    if not Path(database).exists():
        return None
    import pyabc
    history = pyabc.History(f"sqlite:///{Path(database).resolve()}")
    same = {k: v for k, v in meta.items() if k != "generations"}
    for run in history.all_runs():
        try:
            stored = json.loads(ast.literal_eval(run.json_parameters or "{}").get("cxsim", "{}"))
        except (TypeError, ValueError, SyntaxError, AttributeError):
            continue
        if {k: v for k, v in stored.items() if k != "generations"} == same:
            return int(run.id)
    return None


def draws(history: Any) -> pd.DataFrame:
    """The last generation's particles: ``draw``, ``weight`` (normalised), ``distance`` and the
    free parameters, in pyabc's order."""
    frame, weights = history.get_distribution(m=0, t=history.max_t)
    distances = history.get_weighted_distances(t=history.max_t)
    out = frame[[f.key for f in FREE]].reset_index(drop=True)
    out.insert(0, "distance", distances["distance"].to_numpy())
    out.insert(0, "weight", weights / weights.sum())
    out.insert(0, "draw", np.arange(len(out)))
    return out


PREDICTIVE_SEED = 30_000   # the predictive check's simulations: seeds apart from the fit's


def _simulate_draw(job: tuple[dict[str, float], int]) -> dict[str, float]:
    return case_statistics(*job)


def resample(table: pd.DataFrame, n: int, seed: int) -> pd.DataFrame:
    """``n`` draws by weight (systematic resampling on a seeded stream): equally weighted."""
    weights = table["weight"].to_numpy()
    u = (np.random.default_rng(seed).random() + np.arange(n)) / n
    index = np.minimum(np.searchsorted(np.cumsum(weights) / weights.sum(), u), len(table) - 1)
    return table.iloc[index].reset_index(drop=True)


def predictive_check(table: pd.DataFrame, n: int = 200, map_: Callable = map,
                     seed: int = PREDICTIVE_SEED) -> list[dict[str, Any]]:
    """The posterior predictive distribution of each case figure: ``n`` draws by weight, each
    simulated afresh (seeds ``seed + i``, none of the fit's), and whether the observed figure
    lies in the central 90% of the simulated ones."""
    chosen = resample(table, n, seed)
    keys = [f.key for f in FREE]
    jobs = [({k: float(row[k]) for k in keys}, seed + i) for i, row in chosen.iterrows()]
    simulated = pd.DataFrame(list(map_(_simulate_draw, jobs)))
    rows = []
    for t in TARGETS:
        values = simulated[statistic_name(t)].to_numpy(dtype=float)
        low, median, high = np.nanquantile(values, [0.05, 0.5, 0.95])
        rows.append({"name": statistic_name(t), "observed": t.value, "tolerance": t.tolerance,
                     "p05": round(float(low), 4), "median": round(float(median), 4),
                     "p95": round(float(high), 4),
                     "inside_90": bool(low <= t.value <= high), "meaning": t.meaning})
    return rows


HEADLINES = ("churn_realised_12m", "nps_measured")   # programme minus baseline, month 12
CONVERGENCE_SEED = 40_000


def _effects(job: tuple[dict[str, float], int]) -> dict[str, float]:
    """One draw's headline effects: techops_programme minus baseline at month 12, one run each
    on the same seed."""
    parameters, seed = job
    rows = {name: simulate_many(_shipped(name).with_overrides(parameters), [seed])
            .set_index("month").loc[12] for name in SCENARIOS}
    return {column: float(rows["techops_programme"][column] - rows["baseline"][column])
            for column in HEADLINES}


def convergence(history: Any, n: int = 200, map_: Callable = map,
                seed: int = CONVERGENCE_SEED) -> list[dict[str, Any]]:
    """The headline forecasts under the last two generations' posteriors: ``n`` draws of each
    by weight, each simulated on seeds ``seed + i`` (the same seeds for both, so the two differ
    by their parameters). Per headline and generation: mean, 5% and 95% of the effect, and the
    shift of the mean between the two in units of the last one's sd."""
    last = history.max_t
    out = []
    frames = {}
    for t in (last - 1, last):
        if t < 0:
            continue
        frame, weights = history.get_distribution(m=0, t=t)
        table = frame[[f.key for f in FREE]].reset_index(drop=True)
        table.insert(0, "weight", weights / weights.sum())
        chosen = resample(table, n, seed)
        jobs = [({f.key: float(row[f.key]) for f in FREE}, seed + i)
                for i, row in chosen.iterrows()]
        frames[t] = pd.DataFrame(list(map_(_effects, jobs)))
    for column in HEADLINES:
        row: dict[str, Any] = {"headline": f"{column}: techops_programme - baseline, month 12"}
        for t, frame in frames.items():
            values = frame[column].to_numpy(dtype=float)
            low, high = np.nanquantile(values, [0.05, 0.95])
            row[f"t{t}"] = {"mean": round(float(np.nanmean(values)), 3),
                            "p05": round(float(low), 3), "p95": round(float(high), 3)}
        if len(frames) == 2:
            before, after = (frames[t][column].to_numpy(dtype=float) for t in sorted(frames))
            row["shift_in_sd"] = round(float((np.nanmean(after) - np.nanmean(before))
                                             / np.nanstd(after, ddof=1)), 3)
        out.append(row)
    return out


def identifiability(table: pd.DataFrame, strongest: int = 5) -> dict[str, Any]:
    """What the case tells of each parameter: its prior and posterior sd (weighted) and the
    contraction 1 - posterior variance / prior variance (0: nothing learned, 1: pinned down),
    and the ``strongest`` pairwise posterior correlations (the ridges along which the data
    cannot tell parameters apart)."""
    weights = table["weight"].to_numpy()
    weights = weights / weights.sum()
    keys = [f.key for f in FREE]
    x = table[keys].to_numpy(dtype=float)
    mean = weights @ x
    centred = x - mean
    covariance = (centred * weights[:, None]).T @ centred
    sd = np.sqrt(np.diag(covariance))
    correlation = covariance / np.outer(sd, sd)
    parameters = []
    for i, f in enumerate(FREE):
        prior_sd = (f.high - f.low) / math.sqrt(12.0)
        parameters.append({"key": f.key, "posterior_mean": round(float(mean[i]), 6),
                           "posterior_sd": round(float(sd[i]), 6),
                           "prior_sd": round(prior_sd, 6),
                           "contraction": round(1.0 - float(sd[i]) ** 2 / prior_sd ** 2, 3)})
    pairs = [(abs(correlation[i, j]), i, j) for i in range(len(keys))
             for j in range(i + 1, len(keys))]
    ridges = [{"a": keys[i], "b": keys[j], "correlation": round(float(correlation[i, j]), 3)}
              for _, i, j in sorted(pairs, reverse=True)[:strongest]]
    return {"parameters": parameters, "strongest_correlations": ridges}


POINT_SEEDS = tuple(range(20))    # the point fit's search seeds (``cxsim fit-point``'s default)


def point_standing(table: pd.DataFrame, point: dict[str, float], map_: Callable = map,
                   candidates: int = 40, seeds: Sequence[int] = POINT_SEEDS,
                   on_done: Callable[[int], None] | None = None) -> dict[str, Any]:
    """Where the calibrated point (``baseline.toml``, the least-squares fit that ``--point``
    runs) stands against the posterior's densest particles, on the point fit's criterion: the
    loss sum(((mean - target) / tolerance)^2) of replicate means over ``seeds``
    (``calibrate.loss``), and whether every target's mean is within its tolerance.

    The ``candidates`` particles of highest posterior density (a weighted Gaussian kernel
    density, scipy's ``gaussian_kde`` with Scott's bandwidth, on the priors' unit cube) stand
    for the posterior's "best set". ABC accepts a particle when one realisation of the case
    lands within epsilon of it, so with run-to-run noise of several tolerances per figure the
    densest particles need not reproduce the case on average, which is what a single set used
    for every replicate (``--point``) must do. ``on_done``: sets judged so far, of
    ``candidates`` + 1."""
    from scipy.stats import gaussian_kde

    from cxsim.experiments.calibrate import loss, replicate_means

    keys = [f.key for f in FREE]
    low = np.array([f.low for f in FREE])
    span = np.array([f.high - f.low for f in FREE])
    unit = (table[keys].to_numpy(dtype=float) - low) / span
    density = gaussian_kde(unit.T, weights=table["weight"].to_numpy())(unit.T)
    densest = np.argsort(-density, kind="stable")[:candidates]

    def judged(parameters: dict[str, float]) -> tuple[float, bool]:
        values = replicate_means(parameters, list(seeds), map_)
        within = all(abs(v.mean() - t.value) <= t.tolerance for t, v in values.items())
        return loss(values), within

    point_loss, point_within = judged(point)
    rows: list[dict[str, Any]] = []
    for i in densest:
        if on_done:
            on_done(len(rows) + 1)
        value, within = judged({k: float(table[k].iloc[i]) for k in keys})
        rows.append({"draw": int(table["draw"].iloc[i]), "density_rank": len(rows) + 1,
                     "loss": round(value, 3), "within_tolerance": within})
    if on_done:
        on_done(len(rows) + 1)
    losses = np.array([r["loss"] for r in rows])
    best = rows[int(np.argmin(losses))]
    return {"seeds": [int(seeds[0]), int(seeds[-1])], "point_loss": round(point_loss, 3),
            "point_within_tolerance": point_within, "candidates": len(rows),
            "candidate_loss_min": float(losses.min()),
            "candidate_loss_median": float(np.median(losses)),
            "candidate_loss_max": float(losses.max()),
            "candidates_within_tolerance": sum(r["within_tolerance"] for r in rows),
            "best_candidate": best, "rows": rows}


def record(calibration: Calibration, predictive: list[dict[str, Any]] | None = None,
           converged: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The posterior's provenance: settings, versions, priors, data, distance and each
    generation's epsilon, acceptance and simulations."""
    import mesa
    import numba
    import pyabc

    history = calibration.history
    populations = history.get_all_populations()
    particles = history.get_nr_particles_per_population()
    generations = []
    for _, row in populations.iterrows():
        t = int(row["t"])
        if t < 0:
            continue
        generations.append({"t": t, "epsilon": float(row["epsilon"]),
                            "simulations": int(row["samples"]),
                            "accepted": int(particles.loc[t]),
                            "acceptance": float(particles.loc[t] / row["samples"])})
    table = draws(history)
    weights = table["weight"].to_numpy()
    return {
        "method": "ABC-SMC (pyabc ABCSMC): uniform priors, median epsilon schedule, "
                  "multivariate normal transition; one run of each arm per simulation on a "
                  "common seed; distance sqrt(sum(((s - s_obs) / tolerance)^2)); seeded "
                  "sampler (SeedSequence([seed, t + 1]) per generation)",
        "settings": asdict(calibration.settings),
        "versions": {"cxsim": cxsim.__version__, "pyabc": pyabc.__version__,
                     "numpy": np.__version__, "numba": numba.__version__,
                     "mesa": mesa.__version__},
        "priors": [{"key": f.key, "distribution": f"uniform({f.low}, {f.high})",
                    "why": f.why, "source": "assumption (range)"} for f in FREE],
        "data": [{"name": statistic_name(t), **asdict(t)} for t in TARGETS],
        "generations": generations,
        "simulations": int(history.total_nr_simulations),
        "runs": 2 * int(history.total_nr_simulations),
        "seconds": round(calibration.seconds, 1),
        "draws": len(table),
        "effective_sample_size": float(1.0 / np.sum(weights ** 2)),
        "predictive_check": predictive,
        "identifiability": identifiability(table),
        "convergence": converged,
        "date": dt.date.today().isoformat(),
    }


def write_posterior(calibration: Calibration, out: Path,
                    predictive: list[dict[str, Any]] | None = None,
                    converged: list[dict[str, Any]] | None = None) -> list[Path]:
    """``posterior.csv`` (the draws) and ``posterior_record.json`` into ``out``, one result
    set."""
    table, rec = draws(calibration.history), record(calibration, predictive, converged)
    with result_set(out) as staging:
        table.to_csv(staging / POSTERIOR.name, index=False, float_format="%.10g")
        (staging / POSTERIOR_RECORD.name).write_text(json.dumps(rec, indent=2) + "\n")
    return [out / POSTERIOR.name, out / POSTERIOR_RECORD.name]


def install(files: Iterable[Path], backup: Path) -> list[Path]:
    """Copy the shipped posterior files into ``backup``, then replace them with ``files`` (from
    :func:`write_posterior`); returns the backups."""
    kept = []
    for shipped in (POSTERIOR, POSTERIOR_RECORD):
        if shipped.exists():
            kept.append(backup / shipped.name)
            write_atomic(kept[-1], lambda p, source=shipped: shutil.copyfile(source, p))
    targets = {POSTERIOR.name: POSTERIOR, POSTERIOR_RECORD.name: POSTERIOR_RECORD}
    for path in files:
        write_atomic(targets[path.name], lambda p, source=path: shutil.copyfile(source, p))
    return kept


@contextmanager
def process_map(workers: int) -> Iterator[Callable]:
    """A map over ``workers`` processes, in order (the built-in map for one worker)."""
    if workers <= 1:
        yield map
        return
    from concurrent.futures import ProcessPoolExecutor
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield pool.map
