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
"""

from __future__ import annotations

import numpy as np

from cxsim.model.leadership import RITUALS
from cxsim.model.parameters import Rituals

ONBOARDING_WEEKS = 4


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


def update_collaboration(model) -> None:
    """K' = K + r (clip(k0 (1 - police) + g share, 0, 1) - K): customer rituals bring functions
    together; a central CX team deepens silos. ``share`` is the share of staff outside the
    frontline with customer contact in the last 13 weeks. Reads ``leadership.collaboration_*``."""
    p, people = model.p, model.people
    lead = p.leadership
    outside = people.filled & ~people.frontline
    recent = outside & (people.last_interaction >= model.week - 13)   # within 13 weeks
    share = np.count_nonzero(recent) / max(1, np.count_nonzero(outside))
    target = min(1.0, lead.collaboration_base * (1 - p.anti_patterns.cx_police)
                 + lead.collaboration_ritual_gain * share)
    org = model.org
    org.collaboration += lead.collaboration_rate * (target - org.collaboration)


def step(model, uniforms: np.ndarray) -> None:
    """Hold this week's sessions; ``uniforms`` has one row per ritual kind plus onboarding."""
    p, people, t = model.p, model.people, model.week
    kinds = p.initiative_kinds
    org = model.org
    policy = model.policy
    sessions = [(row, name, policy.sessions[name][t]) for row, name in enumerate(RITUALS)]
    sessions = [(row, name, session) for row, name, session in sessions if session > 0]
    onboarding = policy.intensity["onboarding_immersion"][t]
    contact = np.zeros(people.size, bool)
    if sessions or onboarding > 0:     # else nobody is offered anything: pi is not needed
        modelling = org.modelling[people.team]
        pi = participation_propensity(p.levers.ritual_participation, people.engagement,
                                      people.fatigue, people.cynicism, modelling, p.rituals)
    if sessions:
        scope = model.ritual_reach * people.filled
        tally = model.tally
        # Distributed teams miss what happens around a ritual in the room (001 §10).
        remote_scale = 1.0 - p.social.remote_ritual_loss * p.risks.remote_work
    for row, name, session in sessions:
        kind = getattr(kinds, name)
        invited = scope * kind.reach
        if kind.managers_only:
            invited = invited * people.is_manager
        took_part = uniforms[row] < session * pi * invited
        expose(people.orientation, people.orientation_anchor, took_part,
               kind.exposure * remote_scale, p.rituals.anchor_drift)
        org.ritual_participants |= took_part
        if kind.interaction:
            contact |= took_part
        if name == "story_sharing":
            tally.stories += (p.leadership.stories_per_session * session *
                              np.count_nonzero(took_part) / max(1, np.count_nonzero(people.filled)))
    if onboarding > 0:
        newcomer = people.filled & ~people.immersed & (
            people.hired_week > t - ONBOARDING_WEEKS)     # hired in the last weeks
        immersed = newcomer & (uniforms[len(RITUALS)] < onboarding * pi)
        expose(people.orientation, people.orientation_anchor, immersed,
               kinds.onboarding_immersion.exposure, p.rituals.anchor_drift)
        people.immersed |= immersed
        contact |= immersed
    np.putmask(people.last_interaction, contact, t)
    update_collaboration(model)
    org.contact = contact
    people.meaning *= 0.9
    people.meaning += 0.1 * contact     # + 0.1 for contact, + 0 (no change) for the others
    decay_orientation(people.orientation, people.orientation_anchor, p.rituals.orientation_decay)
