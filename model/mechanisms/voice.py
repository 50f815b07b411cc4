"""Mechanism 1: the voice loop (001 §2, §3, §4 Pillar 4, §10 AP 4; Edmondson 1999;
MODEL_BRIEF §3.1).

A person meets a customer problem in a week with probability m (``meet_frontline`` on the
frontline, ``meet_other`` elsewhere, times 1 - police; plus ``meet_in_ritual`` after customer
contact in a ritual). Frontline staff meet the problems of their own team's accounts: one of the
team's active accounts at random, then one of the open problems that hit it, in proportion to
severity; the others meet any open problem in proportion to severity x reach. They speak up with
probability

    P(speak) = logistic(b0 + b_s S + b_o O - b_c C - b_f fear_team)

Their manager learns with probability

    P(learn) = clip((l0 + (1 - l0) climate + l_q Q_team + l_d (d_team - d_mean)) (1 - blame), 0, 1)
    climate  = min(1, psychological_safety + g_pm postmortems(t) (1 - blame))

(d: the manager's learn-or-blame disposition, a trait) and otherwise blames the messenger. A
report the manager learns from adds one to the problem's evidence, which fades by
``evidence_memory`` a week; a silent problem whose evidence reaches ``evidence_threshold`` is
surfaced (it enters the owning team's queue), so a problem nobody dares raise, or whose reports
are brushed off, stays silent. A frontline report acted on also brings service recovery: each of
the team's accounts hit by that problem gets a workaround with probability ``recovery_gain``,
after which that problem no longer hits it (the systemic problem stays for everyone else until it
is fixed). Learning raises the messenger's safety by u (1 - S); blame lowers it by v S, lowers the
safety of everyone in the team (messenger and manager included) by v_team S per blame, adds to the
messenger's cynicism and to the team's fear (which decays by ``fear_memory`` a week). Perceived
safety settles toward the climate plus the person's disposition o_i (their safety at the start
minus the lever's climate, which holds their team's climate shift: state.py):
S' = S + r (clip(climate + o_i) - S).
Each surfaced problem is fixed in a week with probability ``fix_rate`` x the capacity to fix of
the team that owns it (incentives.py). Silent problems keep hurting the customers they hit: the
organisation "operates on false positives" (001 §3). Every open problem also stops mattering with
weekly probability ``pain_points.obsolescence_per_week`` (products, processes and customers
change), so arrivals and departures give the pool a steady state over a long horizon.

The week is one compiled kernel (``week``) made of the rules above, each a loop over problems,
people, reports or accounts in turn: ``open_pool`` (arrivals, fading evidence, who can be met),
``meet_problems`` (who meets which problem; ``pick_account_problem`` on the frontline),
``respond`` (speaking up, learning or blame, evidence and surfacing, safety, cynicism, fear),
``recover`` (service recovery), ``settle_safety`` and ``fix_or_obsolete``. ``step`` draws
nothing: it passes this week's uniforms in.

Reads the ``voice.*`` parameters (``fix_base``, ``fix_*_weight``, ``cx_police_bottleneck`` and
``fatigue_drag`` are read in incentives.py), ``managers.disposition_mean``,
``levers.psychological_safety``,
``anti_patterns.blame_culture``, ``anti_patterns.cx_police``.
"""

from __future__ import annotations

import numpy as np

from cxsim.model.compiled import kernel
from cxsim.model.parameters import Voice
from cxsim.model.state import FIXED, NOT_ARRIVED, OBSOLETE, SILENT, SURFACED


def speak_up_probability(safety: np.ndarray, orientation: np.ndarray, cynicism: np.ndarray,
                         fear: np.ndarray, params: Voice) -> np.ndarray:
    """P(speak) = logistic(b0 + b_s S + b_o O - b_c C - b_f fear), over arrays (``speak_up`` is
    the same rule for one person)."""
    z = (params.intercept + params.safety_weight * safety
         + params.orientation_weight * orientation - params.cynicism_weight * cynicism
         - params.fear_weight * fear)
    return 1.0 / (1.0 + np.exp(-z))


def learn_probability(climate: float, adoption: np.ndarray, disposition: np.ndarray,
                      disposition_mean: float, blame_culture: float,
                      params: Voice) -> np.ndarray:
    """P(learn) per team: how a manager answers bad customer news (``learn_chance`` is the same
    rule for one team)."""
    p = params.learn_floor + (1 - params.learn_floor) * climate
    p = (p + params.adoption_learn_gain * adoption
         + params.disposition_learn_weight * (disposition - disposition_mean)) * (1 - blame_culture)
    return np.minimum(np.maximum(p, 0.0), 1.0)


def meet_chance(frontline: np.ndarray, params: Voice, police: float) -> np.ndarray:
    """Each post's chance of meeting a problem in a week outside rituals (fixed for a run)."""
    return np.where(frontline, params.meet_frontline, params.meet_other * (1 - police))


def safety_climate(lever: float, postmortems: float, params: Voice) -> float:
    """The level perceived safety settles toward."""
    return min(1.0, lever + params.postmortem_climate_gain * postmortems)


def safety_target(offset: np.ndarray, climate: float) -> np.ndarray:
    """Where each person's perceived safety settles: the climate plus their disposition."""
    target = climate + offset
    return np.minimum(np.maximum(target, 0.0, out=target), 1.0, out=target)


# -- the rules, one agent (problem, report, account) at a time ----------------------------------

@kernel
def speak_up(safety: float, orientation: float, cynicism: float, fear: float, intercept: float,
             safety_weight: float, orientation_weight: float, cynicism_weight: float,
             fear_weight: float) -> float:
    """P(speak) = logistic(b0 + b_s S + b_o O - b_c C - b_f fear) for one person."""
    z = (intercept + safety_weight * safety + orientation_weight * orientation
         - cynicism_weight * cynicism - fear_weight * fear)
    return 1.0 / (1.0 + np.exp(-z))


@kernel
def learn_chance(climate: float, adoption: float, disposition: float, disposition_mean: float,
                 blame_culture: float, learn_floor: float, adoption_learn_gain: float,
                 disposition_learn_weight: float) -> float:
    """P(learn) = clip((l0 + (1 - l0) climate + l_q Q + l_d (d - d_mean)) (1 - blame), 0, 1) for
    one team's manager."""
    p = learn_floor + (1 - learn_floor) * climate
    p = (p + adoption_learn_gain * adoption
         + disposition_learn_weight * (disposition - disposition_mean)) * (1 - blame_culture)
    # as np.minimum(np.maximum(p, 0), 1): a nan stays nan
    if p < 0.0:
        p = 0.0
    if p > 1.0:
        p = 1.0
    return p


@kernel
def is_open(status: int) -> bool:
    """A pain point's status: silent or surfaced (not yet arrived, fixed or obsolete: closed)."""
    return status in (SILENT, SURFACED)


@kernel
def open_pool(status: np.ndarray, arrival_week: np.ndarray, week: int, evidence: np.ndarray,
              evidence_memory: float, weight: np.ndarray, severity: np.ndarray,
              cumulative: np.ndarray, severity_open: np.ndarray) -> bool:
    """Per pain point: it arrives when due (NOT_ARRIVED -> SILENT), its evidence fades, and if it
    is open (silent or surfaced) it can be met: ``cumulative``, the running sum of the open
    problems' severity x reach (whom the staff off the frontline meet), and ``severity_open``,
    their severity in float32 (0 when closed; the frontline's pick). Returns whether any
    arrived."""
    arrived = False
    running = 0.0
    for k in range(status.size):
        if status[k] == NOT_ARRIVED and arrival_week[k] <= week:
            status[k] = SILENT
            arrived = True
        evidence[k] *= evidence_memory
        open_ = 1.0 if is_open(status[k]) else 0.0
        running += weight[k] * open_
        cumulative[k] = running
        severity_open[k] = np.float32(severity[k] * open_)
    return arrived


@kernel
def open_severity(status: np.ndarray, severity: np.ndarray) -> np.ndarray:
    """Per pain point: its severity in float32 if it is open (silent or surfaced), else 0."""
    severity_open = np.empty(status.size, np.float32)
    for k in range(status.size):
        open_ = 1.0 if is_open(status[k]) else 0.0
        severity_open[k] = np.float32(severity[k] * open_)
    return severity_open


@kernel
def accounts_of_teams(account_order: np.ndarray, active: np.ndarray, account_team: np.ndarray,
                      n_teams: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Active accounts sorted by team (``account_order``: every slot sorted by team, stably), each
    team's first index into them and their count."""
    accounts = np.empty(account_order.size, np.int64)
    count = np.zeros(n_teams, np.int64)
    n = 0
    for slot in account_order:
        if active[slot]:
            accounts[n] = slot
            n += 1
            count[account_team[slot]] += 1
    start = np.empty(n_teams, np.int64)
    first = 0
    for g in range(n_teams):
        start[g] = first
        first += count[g]
    return accounts, start, count         # accounts[:n]: the active ones


@kernel
def pick_account_problem(uniform: float, team: int, accounts: np.ndarray, start: np.ndarray,
                         count: np.ndarray, hits: np.ndarray, candidates: np.ndarray,
                         severity_open: np.ndarray, running: np.ndarray) -> int:
    """The problem a frontline meeter of ``team`` meets: one of the team's active accounts at
    random, then one open problem hitting it, in proportion to severity (float32, as ``hits``).
    The uniform picks the account and its remainder the problem. -1 if there is none (the team
    has no active account, or no open problem hits it).

    ``candidates``: the open problems of non-zero severity, the only ones that can be picked (the
    others add 0 to every running sum); ``running``: scratch, one per candidate."""
    n_accounts = count[team]
    if n_accounts == 0:
        return -1
    scaled = np.float64(uniform) * np.float64(n_accounts)
    index = min(np.int64(scaled), n_accounts - 1)
    rest = scaled - np.float64(index)                  # a fresh uniform in [0, 1)
    account = accounts[start[team] + index]
    total = np.float32(0.0)
    for j in range(candidates.size):
        k = candidates[j]
        total += hits[account, k] * severity_open[k]
        running[j] = total
    if not total > 0:
        return -1
    # the first problem whose running sum passes rest x total (the sums never decrease)
    threshold = rest * np.float64(total)
    pick = 0
    while pick < candidates.size and running[pick] <= threshold:
        pick += 1
    # past the last candidate (rest 1, a uniform of 1, never drawn): the pool's last problem
    return candidates[pick] if pick < candidates.size else severity_open.size - 1


@kernel
def meet_problems(uniforms: np.ndarray, filled: np.ndarray, meet_chance: np.ndarray,
                  contact: np.ndarray, meet_in_ritual: float, frontline: np.ndarray,
                  team: np.ndarray, cumulative: np.ndarray, severity_open: np.ndarray,
                  account_order: np.ndarray, active: np.ndarray, account_team: np.ndarray,
                  n_teams: int, hits: np.ndarray, who: np.ndarray, problem: np.ndarray) -> int:
    """Per post: whether its holder meets a problem this week (uniform row 0 < m, plus
    ``meet_in_ritual`` after customer contact in a ritual) and which one (row 1: off the
    frontline by severity x reach, on it by ``pick_account_problem``). Fills ``who[:n]`` and
    ``problem[:n]`` in post order; returns n. The pool must hold an open problem (total weight
    > 0)."""
    n_pain = cumulative.size
    total = cumulative[n_pain - 1]
    candidates = np.flatnonzero(severity_open)
    running = np.empty(candidates.size, np.float32)
    grouped = False                 # the accounts by team, once a frontline meeter needs them
    accounts = start = count = np.empty(0, np.int64)
    n = 0
    for i in range(filled.size):
        contacted = 1.0 if contact[i] else 0.0
        if not (filled[i] and uniforms[0, i] < meet_chance[i] + meet_in_ritual * contacted):
            continue
        uniform = uniforms[1, i]
        if frontline[i]:
            if not grouped:
                accounts, start, count = accounts_of_teams(account_order, active, account_team,
                                                           n_teams)
                grouped = True
            k = pick_account_problem(uniform, team[i], accounts, start, count, hits, candidates,
                                     severity_open, running)
            if k < 0:
                continue            # no open problem hits their team's accounts
        else:
            # the first problem whose running sum of weights passes uniform x total
            k = min(np.searchsorted(cumulative, uniform * total, side="right"), n_pain - 1)
        who[n] = i
        problem[n] = k
        n += 1
    return n


@kernel
def respond(who: np.ndarray, problem: np.ndarray, n: int, uniforms: np.ndarray,
            team: np.ndarray, frontline: np.ndarray, safety: np.ndarray,
            orientation: np.ndarray, cynicism: np.ndarray, fear: np.ndarray,
            adoption: np.ndarray, disposition: np.ndarray, evidence: np.ndarray,
            status: np.ndarray, climate: float, intercept: float, safety_weight: float,
            orientation_weight: float, cynicism_weight: float, fear_weight: float,
            learn_floor: float, adoption_learn_gain: float, disposition_learn_weight: float,
            disposition_mean: float, blame_culture: float, evidence_threshold: float,
            learn_safety_gain: float, blame_safety_loss: float, blame_cynicism_gain: float,
            fear_memory: float, blame_team_safety_loss: float, report_team: np.ndarray,
            report_problem: np.ndarray) -> tuple[int, int, int, int]:
    """Per meeting (``who[e]`` met ``problem[e]``): speak up (uniform row 2 < P(speak)); if so,
    the manager learns (row 3 < P(learn)) or blames the messenger. Learning adds to the problem's
    evidence and the messenger's safety; blame costs the messenger safety, adds cynicism, and
    adds to the team's fear and costs everyone in it safety. Then silent problems with enough
    evidence are surfaced. Frontline reports acted on are written to ``report_team[:r]`` and
    ``report_problem[:r]`` (service recovery). Returns (spoke, blamed, surfaced, r).

    Every decision reads the state before this week's responses (each person meets at most one
    problem; fear and the team's safety loss are applied after all of them)."""
    n_pain, n_teams = evidence.size, fear.size
    reports = np.zeros(n_pain, np.int64)
    blames = np.zeros(n_teams, np.int64)
    spoke = blamed = r = 0
    for e in range(n):
        i, g = who[e], team[who[e]]
        speak = speak_up(safety[i], orientation[i], cynicism[i], fear[g], intercept,
                         safety_weight, orientation_weight, cynicism_weight, fear_weight)
        if not uniforms[2, i] < speak:
            continue
        spoke += 1
        learn = learn_chance(climate, adoption[g], disposition[g], disposition_mean,
                             blame_culture, learn_floor, adoption_learn_gain,
                             disposition_learn_weight)
        if uniforms[3, i] < learn:
            reports[problem[e]] += 1
            safety[i] = safety[i] + learn_safety_gain * (1 - safety[i])
            if frontline[i]:
                report_team[r] = g
                report_problem[r] = problem[e]
                r += 1
        else:
            blamed += 1
            blames[g] += 1
            safety[i] = safety[i] - blame_safety_loss * safety[i]
            cynicism[i] = cynicism[i] + blame_cynicism_gain * (1 - cynicism[i])
    surfaced = 0
    for k in range(n_pain):
        evidence[k] += reports[k]          # the week's reports at once, as a count
        if status[k] == SILENT and evidence[k] >= evidence_threshold:
            status[k] = SURFACED
            surfaced += 1
    for g in range(n_teams):
        fear[g] *= fear_memory
        fear[g] += blames[g]
    if blamed:
        # each blame in the team costs everyone in it
        for i in range(team.size):
            safety[i] -= (blame_team_safety_loss * blames[team[i]]) * safety[i]
    return spoke, blamed, surfaced, r


@kernel
def recover(report_team: np.ndarray, report_problem: np.ndarray, n_reports: int,
            uniforms: np.ndarray, recovery_gain: float, active: np.ndarray,
            account_team: np.ndarray, hits: np.ndarray) -> bool:
    """Per account: with probability ``recovery_gain`` (its uniform) an active account of a team
    whose report of a problem that hits it was acted on (report e: ``report_team[e]``,
    ``report_problem[e]``) gets a workaround: that problem no longer hits it. Returns whether any
    hit changed."""
    changed = False
    if n_reports == 0:
        return changed
    # the reports by team (a counting sort): team g's are by_team[first[g]:first[g + 1]]
    n_teams = 0
    for e in range(n_reports):
        n_teams = max(n_teams, report_team[e] + 1)
    first = np.zeros(n_teams + 1, np.int64)
    for e in range(n_reports):
        first[report_team[e] + 1] += 1
    for g in range(n_teams):
        first[g + 1] += first[g]
    by_team = np.empty(n_reports, np.int64)
    filled = first[:n_teams].copy()
    for e in range(n_reports):
        by_team[filled[report_team[e]]] = report_problem[e]
        filled[report_team[e]] += 1
    for slot in range(active.size):
        if not (uniforms[slot] < recovery_gain and active[slot]):
            continue
        g = account_team[slot]
        if g >= n_teams:
            continue
        for j in range(first[g], first[g + 1]):
            k = by_team[j]
            if hits[slot, k] > 0:
                hits[slot, k] = 0.0
                changed = True
    return changed


@kernel
def settle_safety(safety: np.ndarray, safety_offset: np.ndarray, climate: float,
                  safety_relaxation: float, anchor: np.ndarray) -> None:
    """Per post: S' = clip(S + r (clip(climate + o_i) - S)); the target is kept in ``anchor``
    (social influence pulls shifts away from it)."""
    for i in range(safety.size):
        target = climate + safety_offset[i]
        # as np.minimum(np.maximum(x, 0), 1): a nan stays nan
        if target < 0.0:
            target = 0.0
        if target > 1.0:
            target = 1.0
        anchor[i] = target
        s = safety[i] + safety_relaxation * (target - safety[i])
        if s < 0.0:
            s = 0.0
        if s > 1.0:
            s = 1.0
        safety[i] = s


@kernel
def fix_or_obsolete(status: np.ndarray, owner: np.ndarray, fix_capacity: np.ndarray,
                    fix_rate: float, uniforms: np.ndarray, obsolescence: float,
                    fixed: np.ndarray) -> tuple[int, int]:
    """Per pain point: a surfaced one is fixed when its uniform < fix_rate x its owner's capacity
    to fix; any other open one becomes obsolete when its uniform falls in the top
    ``obsolescence`` of [0, 1) (disjoint from any fix, since fix_rate x capacity < 1 - rate; a
    uniform of exactly 1, never drawn, means nothing happens). ``fixed``: the fixed ones.
    Returns (fixed, obsolete)."""
    n_fixed = n_obsolete = 0
    for k in range(status.size):
        fixed[k] = False
        s, u = status[k], uniforms[k]
        if s == SURFACED and u < fix_rate * fix_capacity[owner[k]]:
            status[k] = FIXED
            fixed[k] = True
            n_fixed += 1
        elif is_open(s) and u >= 1.0 - obsolescence and u < 1.0:
            status[k] = OBSOLETE
            n_obsolete += 1
    return n_fixed, n_obsolete


@kernel
def hit_accounts(hits: np.ndarray, fixed: np.ndarray, exists: np.ndarray,
                 churned: np.ndarray) -> np.ndarray:
    """Per account: active and hit by at least one of the ``fixed`` problems."""
    hit = np.zeros(exists.size, np.bool_)
    for k in range(fixed.size):
        if fixed[k]:
            # down a column of hits: a constant stride, which the memory prefetches
            for slot in range(exists.size):
                if hits[slot, k] > 0:
                    hit[slot] = True
    for slot in range(exists.size):
        hit[slot] = hit[slot] and exists[slot] and not churned[slot]
    return hit


@kernel
def week(uniforms: np.ndarray, fix_uniforms: np.ndarray, recovery_uniforms: np.ndarray,
         t: int, status: np.ndarray, arrival_week: np.ndarray, weight: np.ndarray,
         severity: np.ndarray, evidence: np.ndarray, owner: np.ndarray, filled: np.ndarray,
         frontline: np.ndarray, team: np.ndarray, safety: np.ndarray, safety_offset: np.ndarray,
         orientation: np.ndarray, cynicism: np.ndarray, meet_chance: np.ndarray,
         contact: np.ndarray, fear: np.ndarray, adoption: np.ndarray, disposition: np.ndarray,
         exists: np.ndarray, churned: np.ndarray, account_team: np.ndarray,
         account_order: np.ndarray, hits: np.ndarray, fix_capacity: np.ndarray,
         safety_anchor: np.ndarray, fixed: np.ndarray, climate: float,
         evidence_memory: float, meet_in_ritual: float, intercept: float, safety_weight: float,
         orientation_weight: float, cynicism_weight: float, fear_weight: float,
         learn_floor: float, adoption_learn_gain: float, disposition_learn_weight: float,
         disposition_mean: float, blame_culture: float, evidence_threshold: float,
         learn_safety_gain: float, blame_safety_loss: float, blame_cynicism_gain: float,
         fear_memory: float, blame_team_safety_loss: float, recovery_gain: float,
         safety_relaxation: float, fix_rate: float, obsolescence: float
         ) -> tuple[bool, int, int, int, int, int]:
    """The voice loop's week, its rules in order (see the module docstring). Returns (problems
    changed, problems met, spoke up, blamed, surfaced, fixed); ``fixed`` marks the fixed ones."""
    n_pain = status.size
    cumulative = np.empty(n_pain)
    severity_open = np.empty(n_pain, np.float32)
    changed = open_pool(status, arrival_week, t, evidence, evidence_memory, weight, severity,
                        cumulative, severity_open)
    met = spoke = blamed = surfaced = 0
    if cumulative[n_pain - 1] > 0:              # an open problem to meet
        active = exists & ~churned
        who = np.empty(filled.size, np.int64)
        problem = np.empty(filled.size, np.int64)
        met = meet_problems(uniforms, filled, meet_chance, contact, meet_in_ritual, frontline,
                            team, cumulative, severity_open, account_order, active,
                            account_team, fear.size, hits, who, problem)
        report_team = np.empty(max(met, 1), np.int64)
        report_problem = np.empty(max(met, 1), np.int64)
        spoke, blamed, surfaced, reports = respond(
            who, problem, met, uniforms, team, frontline, safety, orientation, cynicism, fear,
            adoption, disposition, evidence, status, climate, intercept, safety_weight,
            orientation_weight, cynicism_weight, fear_weight, learn_floor, adoption_learn_gain,
            disposition_learn_weight, disposition_mean, blame_culture, evidence_threshold,
            learn_safety_gain, blame_safety_loss, blame_cynicism_gain, fear_memory,
            blame_team_safety_loss, report_team, report_problem)
        if recover(report_team, report_problem, reports, recovery_uniforms, recovery_gain,
                   active, account_team, hits):
            changed = True
    else:
        for g in range(fear.size):
            fear[g] *= fear_memory
    settle_safety(safety, safety_offset, climate, safety_relaxation, safety_anchor)
    n_fixed, n_obsolete = fix_or_obsolete(status, owner, fix_capacity, fix_rate, fix_uniforms,
                                          obsolescence, fixed)
    if n_obsolete:
        changed = True
    return changed, met, spoke, blamed, surfaced, n_fixed


# -- the wrappers ------------------------------------------------------------------------------

def service_recovery(model, teams: np.ndarray, problems: np.ndarray, uniforms: np.ndarray,
                     active: np.ndarray | None = None) -> None:
    """Each active account of ``teams[e]`` hit by ``problems[e]`` (events e) gets a workaround with
    probability ``recovery_gain``: that problem no longer hits that account. ``active``:
    ``customers.active``, if the caller has it."""
    customers = model.customers
    if active is None:
        active = customers.active
    teams, problems = np.asarray(teams, np.int64), np.asarray(problems, np.int64)
    if recover(teams, problems, teams.size, uniforms, model.p.voice.recovery_gain, active,
               customers.account_team, customers.hits):
        model.org.problems_changed = True


def step(model, uniforms: np.ndarray, fix_uniforms: np.ndarray,
         recovery_uniforms: np.ndarray) -> None:
    """Meet, speak, respond, surface, fix. ``uniforms`` rows: meet, pick, speak, learn;
    ``recovery_uniforms``: one per customer slot."""
    p, people, teams, pain, customers, org, t = (model.p, model.people, model.teams, model.pain,
                                                 model.customers, model.org, model.week)
    v, blame = p.voice, p.anti_patterns.blame_culture
    postmortems = model.policy.intensity["blameless_postmortems"][t]
    climate = org.climate = safety_climate(p.levers.psychological_safety,
                                           postmortems * (1 - blame), v)
    fixed = np.empty(pain.status.size, bool)
    changed, met, spoke, blamed, surfaced, n_fixed = week(
        uniforms, fix_uniforms, recovery_uniforms, t, pain.status, pain.arrival_week,
        pain.weight, pain.severity, pain.evidence, pain.owner, people.filled, people.frontline,
        people.team, people.safety, people.safety_offset, people.orientation, people.cynicism,
        model.meet_chance, org.contact, teams.fear, teams.adoption, teams.disposition,
        customers.exists, customers.churned, customers.account_team, model.account_order,
        customers.hits, org.fix_capacity, org.safety_anchor, fixed, climate,
        v.evidence_memory, v.meet_in_ritual, v.intercept, v.safety_weight,
        v.orientation_weight, v.cynicism_weight, v.fear_weight, v.learn_floor,
        v.adoption_learn_gain, v.disposition_learn_weight, p.managers.disposition_mean, blame,
        v.evidence_threshold, v.learn_safety_gain, v.blame_safety_loss, v.blame_cynicism_gain,
        v.fear_memory, v.blame_team_safety_loss, v.recovery_gain, v.safety_relaxation,
        v.fix_rate, p.pain_points.obsolescence_per_week)
    if changed:
        org.problems_changed = True
    tally = model.tally
    tally.problems_met += met
    tally.spoke_up += spoke
    tally.blamed += blamed
    tally.surfaced += surfaced
    if n_fixed:
        tally.fixed += n_fixed
        model.on_fixed(fixed)
