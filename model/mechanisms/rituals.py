"""Mechanism 2: rituals (001 §4 Pillar 3, §5, §11; MODEL_BRIEF §3.2).

A ritual session (story sharing, Customer Friday, immersion rotations, advisory board, blameless
post-mortems, visible journey maps) is offered at intensity S_k(t) (leadership.py) to its audience
(everyone, or managers only; a share ``reach`` of them each session). Person i takes part with
probability S_k(t) reach_k pi_i (times 1 - police outside the frontline, 001 §10 AP 2), where

    pi_i = min(1, rho [1 + w_e (E_i - 1/2)]+ (1 - w_f F_i) (1 - w_c C_i) [1 + w_m (M - 1/2)]+)

([x]+ = max(x, 0)) and M is the manager's modelling (incentives.py). Taking part exposes one to
the customer's voice: orientation gains g_k (1 - l_r remote) (1 - O); a share d of the gain
becomes lasting (the anchor). Remote work (``risks.remote_work``) takes a share l_r
(``social.remote_ritual_loss``) of a ritual's exposure away: distributed teams miss the
transmission around it (001 §10). Without reinforcement orientation decays to its anchor:
O' = O - delta (O - anchor). New hires complete onboarding immersion with probability
I_onboarding(t) pi_i in each of their first weeks (hired in week h, they have the chances of weeks
h+1 to h+3: hiring comes after rituals in a week).

Reads ``levers.ritual_participation`` (rho), ``rituals.engagement_weight`` (w_e),
``rituals.fatigue_weight`` (w_f), ``rituals.cynicism_weight`` (w_c), ``rituals.manager_weight``
(w_m), ``rituals.orientation_decay`` (delta), ``rituals.anchor_drift`` (d),
``initiative_kinds.<k>.exposure`` (g_k), ``anti_patterns.cx_police``,
``social.remote_ritual_loss`` (l_r), ``risks.remote_work``.

The week is one compiled kernel (``hold_sessions``) applying these rules one person at a time: pi,
then each session held, in turn (``RITUALS`` order), then onboarding, then contact, meaning and
decay; the run's session schedule is turned into arrays once (``schedule``). The array functions
below are the same rules vectorised (tests, and the reference the kernel is tested against).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cxsim.model.compiled import kernel
from cxsim.model.leadership import RITUALS, Policy
from cxsim.model.parameters import Parameters, Rituals

ONBOARDING_WEEKS = 4
STORY_ROW = RITUALS.index("story_sharing")   # its participants are counted (stories told)
COLLABORATION_WEEKS = 13                     # contact this recent counts for collaboration


def participation_propensity(lever: float, engagement: np.ndarray, fatigue: np.ndarray,
                             cynicism: np.ndarray, modelling: np.ndarray,
                             params: Rituals) -> np.ndarray:
    """pi_i: the chance a person takes part in a session offered at full intensity."""
    pi = lever * np.maximum(1 + params.engagement_weight * (engagement - 0.5), 0.0)
    pi *= 1 - params.fatigue_weight * fatigue
    pi *= 1 - params.cynicism_weight * cynicism
    pi *= np.maximum(1 + params.manager_weight * (modelling - 0.5), 0.0)
    return np.minimum(pi, 1.0, out=pi)


def reach(frontline: np.ndarray, police: float) -> np.ndarray:
    """The share of each post's sessions it can join: 1 on the frontline, 1 - police elsewhere
    (fixed for a run)."""
    return np.where(frontline, 1.0, 1.0 - police)


def expose(orientation: np.ndarray, anchor: np.ndarray, who: np.ndarray, gain: float,
           drift: float) -> None:
    """O += g (1 - O) for participants (``who``, a boolean mask); a share d of the gain moves
    their anchor too."""
    delta = (gain * who) * (1 - orientation)
    orientation += delta
    anchor += drift * delta


def decay_orientation(orientation: np.ndarray, anchor: np.ndarray, rate: float) -> None:
    """O' = O - delta (O - anchor): socialisation decays without reinforcement."""
    orientation -= rate * (orientation - anchor)


def update_collaboration(model, recent: int, outside: int) -> None:
    """K' = K + r (clip(k0 (1 - police) + g share, 0, 1) - K): customer rituals bring functions
    together; a central CX team deepens silos. ``share`` = ``recent`` / ``outside``: of the
    ``outside`` filled posts outside the frontline, the share with customer contact in the last 13
    weeks. Reads ``leadership.collaboration_*``."""
    p = model.p
    lead = p.leadership
    share = recent / max(1, outside)
    target = min(1.0, lead.collaboration_base * (1 - p.anti_patterns.cx_police)
                 + lead.collaboration_ritual_gain * share)
    org = model.org
    org.collaboration += lead.collaboration_rate * (target - org.collaboration)


@dataclass(frozen=True)
class Schedule:
    """The run's ritual sessions as arrays, one column per kind of ``RITUALS``."""

    p: Parameters                 # what it was built from (``schedule`` rebuilds if either changes)
    policy: Policy
    sessions: np.ndarray          # (weeks + 1, kinds): S_k(t), 0 without a session
    gain: np.ndarray              # g_k (1 - l_r remote): exposure of one participation
    reach: np.ndarray             # share of the invited group asked to each session
    managers_only: np.ndarray     # bool: only first-line managers are invited
    interaction: np.ndarray       # bool: taking part is customer contact
    onboarding: np.ndarray        # (weeks + 1,): I_onboarding(t)
    offered: np.ndarray           # (weeks + 1,) bool: a session or onboarding that week


def schedule(model) -> Schedule:
    """The model's ``Schedule``, built at its first week of rituals."""
    built = getattr(model, "_ritual_schedule", None)
    if built is not None and built.p is model.p and built.policy is model.policy:
        return built
    p, policy = model.p, model.policy
    kinds = [getattr(p.initiative_kinds, name) for name in RITUALS]
    # Distributed teams miss what happens around a ritual in the room (001 §10).
    remote_scale = 1.0 - p.social.remote_ritual_loss * p.risks.remote_work
    sessions = np.stack([policy.sessions[name] for name in RITUALS], axis=1)
    onboarding = policy.intensity["onboarding_immersion"]
    built = Schedule(
        p=p, policy=policy, sessions=sessions,
        gain=np.array([kind.exposure * remote_scale for kind in kinds]),
        reach=np.array([kind.reach for kind in kinds]),
        managers_only=np.array([kind.managers_only for kind in kinds]),
        interaction=np.array([kind.interaction for kind in kinds]),
        onboarding=onboarding, offered=(sessions > 0).any(axis=1) | (onboarding > 0))
    model._ritual_schedule = built
    return built


@kernel
def propensity(lever: float, engagement: float, fatigue: float, cynicism: float,
               modelling: float, engagement_weight: float, fatigue_weight: float,
               cynicism_weight: float, manager_weight: float) -> float:
    """pi_i of one person (``participation_propensity``)."""
    pi = lever * max(1 + engagement_weight * (engagement - 0.5), 0.0)
    pi *= 1 - fatigue_weight * fatigue
    pi *= 1 - cynicism_weight * cynicism
    pi *= max(1 + manager_weight * (modelling - 0.5), 0.0)
    return min(pi, 1.0)


@kernel
def hold_sessions(t: int, sessions: np.ndarray, gain: np.ndarray, kind_reach: np.ndarray,
                  managers_only: np.ndarray, interaction: np.ndarray, onboarding: float,
                  onboarding_gain: float, offered: bool, uniforms: np.ndarray, lever: float,
                  engagement_weight: float, fatigue_weight: float, cynicism_weight: float,
                  manager_weight: float, drift: float, decay: float, modelling: np.ndarray,
                  team: np.ndarray, filled: np.ndarray, is_manager: np.ndarray,
                  frontline: np.ndarray, ritual_reach: np.ndarray, hired_week: np.ndarray,
                  engagement: np.ndarray, fatigue: np.ndarray, cynicism: np.ndarray,
                  orientation: np.ndarray, anchor: np.ndarray, meaning: np.ndarray,
                  immersed: np.ndarray, last_interaction: np.ndarray,
                  participants: np.ndarray, contact: np.ndarray) -> tuple[int, int, int, int]:
    """Week ``t``'s sessions (``sessions[t, k]``, kind k of ``RITUALS``; ``uniforms`` one row per
    kind, then onboarding) and onboarding, in place; ``contact`` is written for every post.
    Returns the story-sharing participants, the filled posts, and the filled posts outside the
    frontline: with contact in the last 13 weeks, and all."""
    n = team.size
    stories = 0
    contact[:] = False
    if offered:                 # else nobody is offered anything: pi is not needed
        pi = np.empty(n)
        for i in range(n):
            pi[i] = propensity(lever, engagement[i], fatigue[i], cynicism[i], modelling[team[i]],
                               engagement_weight, fatigue_weight, cynicism_weight,
                               manager_weight)
        for k in range(gain.size):      # each session held, in turn
            session = sessions[t, k]
            if session <= 0:
                continue
            for i in range(n):
                invited = ritual_reach[i] * filled[i] * kind_reach[k]
                if managers_only[k]:
                    invited = invited * is_manager[i]
                took_part = uniforms[k, i] < session * pi[i] * invited
                # exposure, a share d of it lasting; arithmetic rather than a branch: who takes
                # part is a coin toss the processor cannot predict
                delta = (gain[k] * took_part) * (1 - orientation[i])
                orientation[i] += delta
                anchor[i] += drift * delta
                participants[i] |= took_part
                if interaction[k]:
                    contact[i] |= took_part
                if k == STORY_ROW:
                    stories += took_part
        if onboarding > 0:
            for i in range(n):
                if (filled[i] and not immersed[i]
                        and hired_week[i] > t - ONBOARDING_WEEKS      # hired in the last weeks
                        and uniforms[gain.size, i] < onboarding * pi[i]):
                    delta = onboarding_gain * (1 - orientation[i])
                    orientation[i] += delta
                    anchor[i] += drift * delta
                    immersed[i] = True
                    contact[i] = True
    staff, recent, outside = 0, 0, 0
    for i in range(n):
        if contact[i]:
            last_interaction[i] = t
        if filled[i]:
            staff += 1
            if not frontline[i]:
                outside += 1
                recent += last_interaction[i] >= t - COLLABORATION_WEEKS
        meaning[i] = meaning[i] * 0.9 + 0.1 * contact[i]
        # without reinforcement orientation decays toward the anchor
        orientation[i] -= decay * (orientation[i] - anchor[i])
    return stories, staff, recent, outside


def step(model, uniforms: np.ndarray) -> None:
    """Hold this week's sessions; ``uniforms`` has one row per ritual kind plus onboarding."""
    p, people, t, org = model.p, model.people, model.week, model.org
    plan = schedule(model)
    r = p.rituals
    contact = np.empty(people.size, bool)
    stories, staff, recent, outside = hold_sessions(
        t, plan.sessions, plan.gain, plan.reach, plan.managers_only, plan.interaction,
        float(plan.onboarding[t]), p.initiative_kinds.onboarding_immersion.exposure,
        bool(plan.offered[t]), uniforms, p.levers.ritual_participation, r.engagement_weight,
        r.fatigue_weight, r.cynicism_weight, r.manager_weight, r.anchor_drift,
        r.orientation_decay, org.modelling, people.team, people.filled, people.is_manager,
        people.frontline, model.ritual_reach, people.hired_week, people.engagement,
        people.fatigue, people.cynicism, people.orientation, people.orientation_anchor,
        people.meaning, people.immersed, people.last_interaction, org.ritual_participants,
        contact)
    session = plan.sessions[t, STORY_ROW]
    if session > 0:
        model.tally.stories += (p.leadership.stories_per_session * session * stories
                                / max(1, staff))
    update_collaboration(model, recent, outside)
    org.contact = contact
