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

Reads the ``voice.*`` parameters (``fix_base``, ``fix_*_weight``, ``cx_police_bottleneck`` and
``fatigue_drag`` are read in incentives.py), ``managers.disposition_mean``,
``levers.psychological_safety``,
``anti_patterns.blame_culture``, ``anti_patterns.cx_police``.
"""

from __future__ import annotations

import numpy as np

from cxsim.model.parameters import Voice
from cxsim.model.state import FIXED, NOT_ARRIVED, OBSOLETE, SILENT, SURFACED


def speak_up_probability(safety: np.ndarray, orientation: np.ndarray, cynicism: np.ndarray,
                         fear: np.ndarray, params: Voice) -> np.ndarray:
    """P(speak) = logistic(b0 + b_s S + b_o O - b_c C - b_f fear)."""
    z = (params.intercept + params.safety_weight * safety
         + params.orientation_weight * orientation - params.cynicism_weight * cynicism
         - params.fear_weight * fear)
    return 1.0 / (1.0 + np.exp(-z))


def learn_probability(climate: float, adoption: np.ndarray, disposition: np.ndarray,
                      disposition_mean: float, blame_culture: float,
                      params: Voice) -> np.ndarray:
    """P(learn) per team: how a manager answers bad customer news."""
    p = params.learn_floor + (1 - params.learn_floor) * climate
    p = (p + params.adoption_learn_gain * adoption
         + params.disposition_learn_weight * (disposition - disposition_mean)) * (1 - blame_culture)
    return np.minimum(np.maximum(p, 0.0), 1.0)


def pick_account_problems(accounts_by_team: np.ndarray, team_start: np.ndarray,
                          team_count: np.ndarray, teams: np.ndarray, uniforms: np.ndarray,
                          hits: np.ndarray, severity_open: np.ndarray
                          ) -> tuple[np.ndarray, np.ndarray]:
    """For each meeter of team ``teams[e]``: one of the team's active accounts at random, then one
    open problem hitting it, in proportion to severity. The uniform picks the account and its
    remainder the problem. Returns (problem, whether there was one)."""
    count = team_count[teams]
    scaled = uniforms * count
    index = np.minimum(scaled.astype(np.int64), np.maximum(count - 1, 0))
    rest = scaled - index                       # a fresh uniform in [0, 1)
    # Only problems of non-zero severity can be picked: the others add 0 to every running sum
    # below, so leaving their columns out changes no sum and no pick, and most of the pool is
    # closed or not yet arrived.
    candidates = severity_open.nonzero()[0]
    if accounts_by_team.size and candidates.size:
        account = accounts_by_team[np.minimum(team_start[teams] + index,
                                              accounts_by_team.size - 1)]
        weights = hits.take(account, axis=0)[:, candidates] * severity_open[candidates]
        cumulative = weights.cumsum(axis=1)
        total = cumulative[:, -1]
        # the first problem whose running sum passes rest x total
        pick = (cumulative <= (rest * total)[:, None]).sum(axis=1)
    else:
        total = np.zeros(teams.size, np.float32)
        pick = np.zeros(teams.size, np.int64)
    met = (count > 0) & (total > 0)
    # past the last candidate (no pick: total 0): the pool's last problem, as before the cut
    return np.concatenate((candidates, (severity_open.size - 1,)))[pick], met


def accounts_of_teams(account_team: np.ndarray, active: np.ndarray, n_teams: int,
                      order: np.ndarray | None = None
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Active accounts sorted by team, each team's first index into them and their count.
    ``order``: every slot sorted by team (``np.argsort(account_team, kind="stable")``), if the
    caller holds it: the active ones, in that order, are the answer."""
    if order is None:
        order = np.argsort(account_team, kind="stable")
    accounts = order[active[order]]
    count = np.bincount(account_team[accounts], minlength=n_teams)
    start = count.cumsum() - count
    return accounts, start, count


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


def service_recovery(model, teams: np.ndarray, problems: np.ndarray, uniforms: np.ndarray,
                     active: np.ndarray | None = None) -> None:
    """Each active account of ``teams[e]`` hit by ``problems[e]`` (events e) gets a workaround with
    probability ``recovery_gain``: that problem no longer hits that account. ``active``:
    ``customers.active``, if the caller has it."""
    customers = model.customers
    if active is None:
        active = customers.active
    # The account's draw comes first: it is cheap and usually fails, so only the few accounts
    # that pass are matched against this week's (team, problem) reports.
    lucky = ((uniforms < model.p.voice.recovery_gain) & active).nonzero()[0]
    if lucky.size == 0:
        return
    n_problems = model.pain.status.size
    # reported[g, k]: a report of problem k from team g was acted on this week
    reported = np.zeros(model.teams.size * n_problems, bool)
    reported[teams * n_problems + problems] = True
    helped = (reported.reshape(-1, n_problems)[customers.account_team[lucky]]
              & (customers.hits[lucky] > 0))
    rows, cols = helped.nonzero()
    if rows.size:
        customers.hits[lucky[rows], cols] = 0.0
        model.org.problems_changed = True


def step(model, uniforms: np.ndarray, fix_uniforms: np.ndarray,
         recovery_uniforms: np.ndarray) -> None:
    """Meet, speak, respond, surface, fix. ``uniforms`` rows: meet, pick, speak, learn;
    ``recovery_uniforms``: one per customer slot."""
    p, people, teams, pain, t = model.p, model.people, model.teams, model.pain, model.week
    org = model.org
    v = p.voice
    tally = model.tally
    status = pain.status
    arrived = (status == NOT_ARRIVED) & (pain.arrival_week <= t)
    if np.count_nonzero(arrived):
        status[arrived] = SILENT
        org.problems_changed = True
    postmortems = model.policy.intensity["blameless_postmortems"][t]
    climate = safety_climate(p.levers.psychological_safety,
                             postmortems * (1 - p.anti_patterns.blame_culture), v)
    org.climate = climate

    pain.evidence *= v.evidence_memory
    open_ = (status == SILENT) | (status == SURFACED)
    weights = (pain.weight * open_).cumsum()
    if weights[-1] > 0:
        meet = model.meet_chance + v.meet_in_ritual * org.contact
        who = (people.filled & (uniforms[0] < meet)).nonzero()[0]
        pick = uniforms[1][who]
        problem = weights.searchsorted(pick * weights[-1], side="right")
        at_front = people.frontline[who].nonzero()[0]
        customers = model.customers
        active = None
        if at_front.size:
            active = customers.active
            accounts, start, count = accounts_of_teams(customers.account_team, active,
                                                       teams.size, model.account_order)
            meeter = who[at_front]
            local, met = pick_account_problems(accounts, start, count, people.team[meeter],
                                               pick[at_front], customers.hits,
                                               (pain.severity * open_).astype(np.float32))
            problem[at_front] = local
            if np.count_nonzero(met) < met.size:  # no open problem hits their accounts
                keep = np.ones(who.size, bool)
                keep[at_front[~met]] = False
                who, problem = who[keep], problem[keep]
        team = people.team[who]
        speak = speak_up_probability(people.safety[who], people.orientation[who],
                                     people.cynicism[who], teams.fear[team], v)
        spoke = uniforms[2][who] < speak
        learn = learn_probability(climate, teams.adoption, teams.disposition,
                                  p.managers.disposition_mean, p.anti_patterns.blame_culture, v)
        learned = spoke & (uniforms[3][who] < learn[team])
        heard = learned.nonzero()[0]                 # the reports managers learn from
        blamed = (spoke & ~learned).nonzero()[0]     # and those they blame the messenger for
        messengers, scapegoats = who[heard], who[blamed]
        reported = problem[heard]
        pain.evidence += np.bincount(reported, minlength=pain.evidence.size)
        newly_surfaced = (status == SILENT) & (pain.evidence >= v.evidence_threshold)
        newly = np.count_nonzero(newly_surfaced)
        if newly:
            status[newly_surfaced] = SURFACED
        frontline = people.frontline[messengers].nonzero()[0]
        if frontline.size:
            service_recovery(model, team[heard[frontline]], reported[frontline],
                             recovery_uniforms, active)
        if messengers.size:
            safety = people.safety[messengers]
            people.safety[messengers] = safety + v.learn_safety_gain * (1 - safety)
        teams.fear *= v.fear_memory
        if scapegoats.size:
            safety = people.safety[scapegoats]
            people.safety[scapegoats] = safety - v.blame_safety_loss * safety
            cynicism = people.cynicism[scapegoats]
            people.cynicism[scapegoats] = cynicism + v.blame_cynicism_gain * (1 - cynicism)
            blames = np.bincount(team[blamed], minlength=teams.size)
            teams.fear += blames
            # each blame in the team costs everyone in it (computed per team)
            people.safety -= (v.blame_team_safety_loss * blames)[people.team] * people.safety
        tally.problems_met += who.size
        tally.spoke_up += int(np.count_nonzero(spoke))
        tally.blamed += scapegoats.size
        tally.surfaced += int(newly)
    else:
        teams.fear *= v.fear_memory
    # Social influence (later this week) pulls shifts away from the same target: computed once.
    org.safety_anchor = safety_target(people.safety_offset, climate)
    people.safety += v.safety_relaxation * (org.safety_anchor - people.safety)
    np.minimum(np.maximum(people.safety, 0.0, out=people.safety), 1.0, out=people.safety)

    fixed = (status == SURFACED) & (fix_uniforms < v.fix_rate * org.fix_capacity[pain.owner])
    n_fixed = np.count_nonzero(fixed)
    if n_fixed:
        status[fixed] = FIXED
        tally.fixed += int(n_fixed)
        model.on_fixed(fixed)
    # The top of the same uniform, disjoint from any fix (fix_rate x capacity < 1 - rate); a
    # uniform of exactly 1 (never drawn) means "nothing happens", as everywhere.
    obsolete = (open_ & (status != FIXED)) & (
        fix_uniforms >= 1.0 - p.pain_points.obsolescence_per_week) & (fix_uniforms < 1.0)
    if np.count_nonzero(obsolete):
        status[obsolete] = OBSOLETE
        org.problems_changed = True
