"""Leadership as a timeline: what is said, funded, rewarded and scheduled, week by week.

Leadership is not an agent; it is the scenario's policy (MODEL_BRIEF §2). The timeline's
initiatives are turned once, before the run, into weekly series. With ``I_k(t)`` the summed
intensity of initiative kind k active in week t (capped at 1) and the kind's catalogue values
(``initiative_kinds.<k>.*``):

    rhetoric(t)   = min(1, sum_k rhetoric_k I_k(t))
    commitment(t) = clip((1 - theater)(1 - misalignment/2) sum_k commitment_k I_k(t)
                         - sum_k budget_cut_k I_k(t) (1 - I_protected_research(t)), 0, 1)
    incentive(t)  = a0 + (1 - a0) min(1, sum_k incentive_k I_k(t)) (1 - theater)
    evidence(t)   = e0 + (1 - e0) min(1, sum_k evidence_k I_k(t)) (1 - theater)
    leader_time(t)= clip(l0 + sum_k leadership_time_k I_k(t), 0, 1)
    load(t)       = sum_k load_k I_k(t)
    budget_cut(t) = clip(sum_k budget_cut_k I_k(t) (1 - I_protected_research(t)), 0, 1)

where a0 = ``levers.incentive_alignment``, e0 = ``leadership.decision_evidence_base``, l0 =
``leadership.leadership_time_base``, theater = ``anti_patterns.cx_theater`` and misalignment =
``risks.executive_misalignment``. A ritual kind (``cadence_weeks`` > 0) holds a session in week t
when it is active and (t - start) is a multiple of its cadence. The change-fatigue anti-pattern adds
a reorganisation, a tool roll-out and cost cutting, each at its intensity, from the programme's
first week for ``leadership.concurrent_change_weeks`` (001 §10 Anti-Pattern 5).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cxsim.model.parameters import CX_INITIATIVES, Initiative, InitiativeKinds, Parameters

RITUALS = ("story_sharing", "customer_friday", "immersion_rotations", "advisory_board",
           "blameless_postmortems", "journey_maps")


@dataclass(frozen=True)
class Policy:
    """Weekly series, indexed by week 0..weeks (week 0 is the state before the run)."""

    rhetoric: np.ndarray
    commitment: np.ndarray
    incentive: np.ndarray
    evidence: np.ndarray
    leadership_time: np.ndarray
    load: np.ndarray
    budget_cut: np.ndarray             # unprotected budget cut: share of the means for CX work
    intensity: dict[str, np.ndarray]   # I_k(t) per initiative kind
    sessions: dict[str, np.ndarray]    # ritual kinds: session intensity in week t (0 = none)
    survey_weeks: np.ndarray           # bool: a customer survey goes out in week t
    parameters: Parameters             # what the series were made from


def effective_timeline(p: Parameters) -> list[Initiative]:
    """The scenario's timeline plus what the change-fatigue anti-pattern adds."""
    timeline = list(p.timeline)
    intensity = p.anti_patterns.change_fatigue
    if intensity > 0:
        cx_starts = [i.start_week for i in timeline if i.kind in CX_INITIATIVES]
        start = min(cx_starts, default=1)
        weeks = p.leadership.concurrent_change_weeks
        for kind in ("reorganisation", "tool_rollout", "cost_cutting"):
            timeline.append(Initiative(kind=kind, start_week=start, duration_weeks=weeks,
                                       intensity=intensity, note="change-fatigue anti-pattern"))
    return timeline


def survey_interval(p: Parameters) -> int:
    """Weeks between customer surveys; survey obsession shortens it."""
    m = p.measurement
    factor = 1 + (m.survey_obsession_frequency - 1) * p.anti_patterns.survey_obsession
    return max(1, round(m.survey_interval_weeks / factor))


def weekly_policy(p: Parameters) -> Policy:
    """Turn the timeline into the weekly series above."""
    weeks = p.simulation.weeks
    t = np.arange(weeks + 1)
    kinds: InitiativeKinds = p.initiative_kinds
    intensity = {name: np.zeros(weeks + 1) for name in InitiativeKinds.model_fields}
    sessions = {name: np.zeros(weeks + 1) for name in RITUALS}
    for item in effective_timeline(p):
        active = (t >= item.start_week) & (t < item.start_week + item.duration_weeks)
        intensity[item.kind] += item.intensity * active
        cadence = getattr(kinds, item.kind).cadence_weeks
        if item.kind in sessions and cadence > 0:
            on = active & ((t - item.start_week) % cadence == 0)
            sessions[item.kind] = np.maximum(sessions[item.kind], item.intensity * on)
    for name in intensity:
        np.minimum(intensity[name], 1.0, out=intensity[name])

    # A kind that is never active adds zeros: left out, every sum is the same to the bit.
    running = [(getattr(kinds, name), level) for name, level in intensity.items() if level.any()]

    def total(attribute: str) -> np.ndarray:
        return sum((getattr(kind, attribute) * level for kind, level in running),
                   np.zeros(weeks + 1))

    theater = p.anti_patterns.cx_theater
    misalignment = p.risks.executive_misalignment
    protected = intensity["protected_research"]
    cut = total("budget_cut") * (1 - protected)
    commitment = (1 - theater) * (1 - 0.5 * misalignment) * total("commitment") - cut
    a0 = p.levers.incentive_alignment
    e0 = p.leadership.decision_evidence_base
    incentive = a0 + (1 - a0) * np.minimum(1, total("incentive")) * (1 - theater)
    evidence = e0 + (1 - e0) * np.minimum(1, total("evidence")) * (1 - theater)
    survey_weeks = t % survey_interval(p) == 0
    return Policy(
        rhetoric=np.minimum(1, total("rhetoric")),
        commitment=np.clip(commitment, 0, 1),
        incentive=np.clip(incentive, 0, 1),
        evidence=np.clip(evidence, 0, 1),
        leadership_time=np.clip(p.leadership.leadership_time_base + total("leadership_time"),
                                0, 1),
        load=total("load"),
        budget_cut=np.clip(cut, 0, 1),
        intensity=intensity,
        sessions=sessions,
        survey_weeks=survey_weeks,
        parameters=p,
    )


def offers_rituals(p: Parameters) -> bool:
    """Whether the scenario offers any customer ritual or onboarding immersion: if not,
    ``levers.ritual_participation`` (the propensity to join one) has nothing to act on."""
    policy = weekly_policy(p)
    return (any(bool(session.any()) for session in policy.sessions.values())
            or bool(policy.intensity["onboarding_immersion"].any()))
