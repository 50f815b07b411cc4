"""Each mechanism's direction, in isolation (MODEL_BRIEF §3).

Every test names one direction the brief requires and compares two situations that differ only in
the driver under test; removing or reversing the mechanism makes the comparison fail.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxsim.model import TARGETS, Parameters
from cxsim.model.catalogue import maturity_level
from cxsim.model.mechanisms import (
    churn,
    customer_experience,
    engagement,
    fatigue,
    incentives,
    measurement,
    rituals,
    say_do,
    social_influence,
    voice,
    workforce,
)
from cxsim.model.parameters import (
    Churn,
    CustomerExperience,
    Initial,
    Load,
    Measurement,
    Rituals,
    SayDo,
    Social,
    Voice,
)
from cxsim.model.parameters import Engagement as EngagementParams
from cxsim.model.state import PRODUCT, SILENT, SURFACED, opening_satisfaction

GRID = np.linspace(0.0, 1.0, 11)
P = Parameters()
D = np.full(1, 0.5)   # a manager of average disposition


def strictly_increasing(values: np.ndarray) -> bool:
    return bool(np.all(np.diff(values) > 0))


def strictly_decreasing(values: np.ndarray) -> bool:
    return bool(np.all(np.diff(values) < 0))


# -- 1. voice loop ----------------------------------------------------------------------------

class TestVoice:
    def speak(self, safety=0.5, orientation=0.5, cynicism=0.3, fear=0.0):
        arrays = [np.broadcast_to(np.asarray(x, float), GRID.shape)
                  for x in (safety, orientation, cynicism, fear)]
        return voice.speak_up_probability(*arrays, Voice())

    def test_more_safety_more_speaking_up(self):
        assert strictly_increasing(self.speak(safety=GRID))

    def test_more_orientation_more_speaking_up(self):
        assert strictly_increasing(self.speak(orientation=GRID))

    def test_cynicism_and_fear_silence(self):
        assert strictly_decreasing(self.speak(cynicism=GRID))
        assert strictly_decreasing(self.speak(fear=GRID * 3))

    def test_probability_in_unit_interval(self):
        p = voice.speak_up_probability(np.ones(3), np.ones(3), np.zeros(3), np.zeros(3),
                                       Voice(intercept=10.0, safety_weight=10.0))
        assert np.all((p > 0) & (p <= 1))

    def test_better_climate_more_learning(self):
        adoption = np.full(1, 0.2)
        p = np.array([voice.learn_probability(c, adoption, D, 0.5, 0.0, Voice())[0]
                      for c in GRID])
        assert strictly_increasing(p)

    def test_adoption_raises_learning(self):
        p = voice.learn_probability(0.3, GRID, np.full(GRID.size, 0.5), 0.5, 0.0, Voice())
        assert strictly_increasing(p)

    def test_a_learning_disposition_raises_learning(self):
        """Managers differ: one more disposed to learn from bad news blames less."""
        p = voice.learn_probability(0.3, np.full(GRID.size, 0.2), GRID, 0.5, 0.0, Voice())
        assert strictly_increasing(p)

    def test_blame_culture_lowers_learning(self):
        adoption = np.full(1, 0.2)
        p = np.array([voice.learn_probability(0.5, adoption, D, 0.5, b, Voice())[0]
                      for b in GRID])
        assert strictly_decreasing(p)
        assert p[-1] == 0.0  # full blame culture: every messenger is blamed

    def test_postmortems_raise_climate(self):
        assert voice.safety_climate(0.3, 1.0, Voice()) > voice.safety_climate(0.3, 0.0, Voice())

    @staticmethod
    def one_messenger(model, messenger):
        """Run voice.step where only ``messenger`` meets a problem and speaks up."""
        n = model.people.size
        uniforms = np.ones((4, n), np.float32)
        uniforms[0, messenger] = 0.0   # meets a problem
        uniforms[1, messenger] = 0.5   # which one
        uniforms[2, messenger] = 0.0   # speaks up
        uniforms[3, messenger] = 0.0   # the manager learns if learning is at all possible
        no_fix = np.ones(model.pain.status.size, np.float32)
        no_recovery = np.ones(model.customers.exists.size, np.float32)
        voice.step(model, uniforms, no_fix, no_recovery)

    def messenger_and_team(self, model):
        people = model.people
        slot = int(np.flatnonzero(people.frontline & ~people.is_manager)[0])
        team = (people.team == people.team[slot]) & (np.arange(people.size) != slot)
        return slot, team

    def test_blaming_manager_lowers_messenger_and_team_safety(self, small_model):
        learner = small_model(seed=1, anti_patterns__blame_culture=0.0)
        blamer = small_model(seed=1, anti_patterns__blame_culture=1.0)
        np.testing.assert_array_equal(learner.people.safety, blamer.people.safety)
        slot, team = self.messenger_and_team(learner)
        self.one_messenger(learner, slot)
        self.one_messenger(blamer, slot)
        assert learner.tally.blamed == 0 and blamer.tally.blamed == 1
        assert blamer.people.safety[slot] < learner.people.safety[slot]
        assert np.all(blamer.people.safety[team] < learner.people.safety[team])
        assert blamer.people.cynicism[slot] > learner.people.cynicism[slot]
        t = learner.people.team[slot]
        assert blamer.teams.fear[t] > 0 and learner.teams.fear[t] == 0
        # other teams are untouched by this team's blame
        other = learner.people.team != t
        np.testing.assert_allclose(blamer.people.safety[other], learner.people.safety[other])

    def test_learning_surfaces_the_problem_blame_does_not(self, small_model):
        # one report the manager learns from is enough evidence to surface a problem
        learner = small_model(seed=2, anti_patterns__blame_culture=0.0,
                              voice__evidence_threshold=1.0)
        blamer = small_model(seed=2, anti_patterns__blame_culture=1.0,
                             voice__evidence_threshold=1.0)
        slot, _ = self.messenger_and_team(learner)
        assert (learner.pain.status == SILENT).any()
        for model in (learner, blamer):
            # make every open problem silent so that any surfacing is visible
            model.pain.status[model.pain.status == SURFACED] = SILENT
            self.one_messenger(model, slot)
        assert int((learner.pain.status == SURFACED).sum()) == 1
        assert int((blamer.pain.status == SURFACED).sum()) == 0

    def test_learning_raises_messenger_safety(self, small_model):
        model = small_model(seed=3)
        slot, _ = self.messenger_and_team(model)
        model.people.safety[slot] = 0.3
        model.people.safety_offset[slot] = 0.3 - model.org.climate
        self.one_messenger(model, slot)
        assert model.tally.blamed == 0
        assert model.people.safety[slot] > 0.3

    def test_fear_decays(self, small_model):
        model = small_model(seed=4)
        model.teams.fear[:] = 1.0
        voice.step(model, np.ones((4, model.people.size), np.float32),
                   np.ones(model.pain.status.size, np.float32),
                   np.ones(model.customers.exists.size, np.float32))
        assert np.all(model.teams.fear < 1.0)


# -- 2. rituals -------------------------------------------------------------------------------

class TestRituals:
    def pi(self, engagement=0.6, fatigue=0.1, cynicism=0.3, modelling=0.3, lever=0.5,
           params=None):
        arrays = [np.broadcast_to(np.asarray(x, float), GRID.shape).copy()
                  for x in (engagement, fatigue, cynicism, modelling)]
        return rituals.participation_propensity(lever, *arrays, params or Rituals())

    def test_rises_with_engagement(self):
        assert strictly_increasing(self.pi(engagement=GRID))

    def test_falls_with_fatigue_and_cynicism(self):
        assert strictly_decreasing(self.pi(fatigue=GRID))
        assert strictly_decreasing(self.pi(cynicism=GRID))

    def test_rises_with_manager_modelling_and_lever(self):
        assert strictly_increasing(self.pi(modelling=GRID))
        lever = np.array([self.pi(lever=x)[0] for x in GRID[1:]])
        assert strictly_increasing(lever)
        assert np.all(self.pi(lever=0.0) == 0.0)

    def test_probability_in_unit_interval(self):
        p = self.pi(engagement=1.0, modelling=1.0, fatigue=0.0, cynicism=0.0, lever=1.0)
        assert np.all((p >= 0) & (p <= 1))

    def test_rises_with_engagement_over_whole_schema_range(self):
        params = Rituals(engagement_weight=5.0, manager_weight=5.0)
        p = self.pi(engagement=GRID, modelling=0.0, params=params)
        assert np.all(np.diff(p) >= 0), p

    def test_exposure_raises_orientation_of_participants_only(self):
        orientation = np.full(4, 0.4)
        anchor = orientation.copy()
        who = np.array([True, False, True, False])
        rituals.expose(orientation, anchor, who, gain=0.1, drift=0.2)
        assert np.all(orientation[who] > 0.4)
        assert np.all(orientation[~who] == 0.4)
        # a share of the gain becomes lasting, the rest decays
        assert np.all((anchor[who] > 0.4) & (anchor[who] < orientation[who]))
        assert np.all(anchor[~who] == 0.4)

    def test_decay_returns_orientation_to_anchor(self):
        anchor = np.array([0.3, 0.5, 0.7])
        orientation = np.array([0.9, 0.2, 0.7])
        gaps = [np.abs(orientation - anchor).copy()]
        for _ in range(400):
            rituals.decay_orientation(orientation, anchor, 0.05)
            gaps.append(np.abs(orientation - anchor).copy())
        gaps = np.array(gaps)
        assert np.all(np.diff(gaps[:, :2], axis=0) < 0)  # strictly closing where there is a gap
        np.testing.assert_allclose(orientation, anchor, atol=1e-6)

    def test_sessions_expose_participants_in_a_model(self, small_model):
        """Customer Friday with everyone taking part raises mean orientation over no session."""
        with_ritual = small_model(seed=5, scenario="techops_programme")
        t = int(np.flatnonzero(with_ritual.policy.sessions["customer_friday"] > 0)[0])
        with_ritual.week = t
        without = small_model(seed=5, scenario="baseline")
        without.week = t
        n = with_ritual.people.size
        uniforms = np.zeros((7, n), np.float32)   # everyone offered a session takes part
        rituals.step(with_ritual, uniforms)
        rituals.step(without, uniforms)
        assert with_ritual.people.orientation.mean() > without.people.orientation.mean()
        assert with_ritual.org.contact.any() and not without.org.contact.any()


# -- 3. incentives ----------------------------------------------------------------------------

class TestIncentives:
    def test_changed_incentives_pull_orientation(self):
        up = np.array([0.2, 0.5, 0.9])
        incentives.orientation_pull(up, 0.5, 0.1)
        assert np.all(up > [0.2, 0.5, 0.9]) and np.all(up <= 1)
        same = np.array([0.2, 0.5, 0.9])
        incentives.orientation_pull(same, 0.0, 0.1)
        np.testing.assert_array_equal(same, [0.2, 0.5, 0.9])
        # incentives moved away from customer outcomes never pull orientation up
        down = np.array([0.2, 0.5, 0.9])
        incentives.orientation_pull(down, -0.5, 0.1)
        assert np.all(down <= [0.2, 0.5, 0.9]) and np.all(down >= 0)

    def test_stronger_change_pulls_more(self):
        moves = []
        for change in GRID:
            o = np.array([0.4])
            incentives.orientation_pull(o, change, 0.1)
            moves.append(o[0])
        assert strictly_increasing(np.array(moves))

    @staticmethod
    def capacity(adoption=0.3, orientation=0.4, fatigue=0.1, load=0.95, police=0.0, cut=0.0):
        return float(incentives.fix_capacity(np.array([adoption]), np.array([orientation]),
                                             np.array([fatigue]), load, police, cut, P)[0])

    def test_adoption_and_orientation_of_the_owners_raise_their_capacity_to_fix(self):
        """People fix problems: their manager's adoption and their orientation (incentives as
        experienced) raise it; no leadership series enters it."""
        assert strictly_increasing(np.array([self.capacity(adoption=a) for a in GRID]))
        assert strictly_increasing(np.array([self.capacity(orientation=o) for o in GRID]))

    def test_police_fatigue_overload_and_cuts_lower_the_capacity_to_fix(self):
        base = self.capacity()
        assert self.capacity(police=1.0) < base
        assert self.capacity(fatigue=0.9) < base
        assert self.capacity(load=1.2) < base == self.capacity(load=0.99)
        assert self.capacity(cut=0.5) < base

    def test_alignment_acts_as_named_whatever_the_programme(self):
        """More alignment means more reward for customer outcomes: orientation is pulled up
        above the reference alignment and down below it, with or without a programme."""
        moves = []
        for lever in GRID:
            o = np.array([0.4])
            incentives.orientation_pull(o, lever - P.incentives.reference_alignment, 0.1)
            moves.append(o[0])
        assert strictly_increasing(np.array(moves))

    def test_signal_raises_manager_adoption(self):
        a, b = np.full(3, 0.15), np.full(3, 0.15)
        anchor = np.full(3, 0.15)
        incentives.update_adoption(a, anchor, 0.8, np.zeros(3, bool), 0.1)
        incentives.update_adoption(b, anchor, 0.8, np.array([True, False, True]), 0.1)
        assert np.all(a > 0.15)
        np.testing.assert_allclose(b[[0, 2]], 0.15)             # the managers who resist
        assert b[1] == a[1]


# -- 4. say-do gap ----------------------------------------------------------------------------

class TestSayDo:
    def test_gap_grows_cynicism(self):
        c = np.full(3, 0.3)
        gap = say_do.update_cynicism(c, np.zeros(3), rhetoric=0.8, done=0.1, params=SayDo())
        assert gap == pytest.approx(0.7)
        assert np.all(c > 0.3)

    def test_backed_rhetoric_lowers_cynicism(self):
        c = np.full(3, 0.3)
        gap = say_do.update_cynicism(c, np.zeros(3), rhetoric=0.6, done=0.6, params=SayDo())
        assert gap == 0.0
        assert np.all(c < 0.3)

    def test_bigger_gap_more_cynicism(self):
        after = []
        for rhetoric in GRID:
            c = np.array([0.3])
            say_do.update_cynicism(c, np.zeros(1), rhetoric=rhetoric, done=0.0, params=SayDo())
            after.append(c[0])
        assert strictly_increasing(np.array(after))

    def test_fatigue_above_threshold_feeds_cynicism(self):
        low, high = np.full(1, 0.3), np.full(1, 0.3)
        say_do.update_cynicism(low, np.full(1, 0.1), 0.0, 0.0, SayDo())
        say_do.update_cynicism(high, np.full(1, 0.9), 0.0, 0.0, SayDo())
        assert high[0] > low[0] == pytest.approx(0.3)

    def test_doing_counts_commitment_incentives_and_action(self):
        assert say_do.doing(0.2, 0.1, 0.1, 0.3) > say_do.doing(0.2, 0.0, 0.0, 0.3)
        assert say_do.doing(0.4, 0.0, 0.0, 0.3) > say_do.doing(0.2, 0.0, 0.0, 0.3)


# -- 5. load and fatigue ----------------------------------------------------------------------

class TestFatigue:
    def test_overload_accumulates_fatigue(self):
        f = np.full(3, 0.2)
        fatigue.update_fatigue(f, load=1.2, params=Load(), floor=0.1)
        assert np.all(f > 0.2)

    def test_more_overload_more_fatigue(self):
        after = []
        for load in (1.05, 1.1, 1.3, 1.6):
            f = np.full(1, 0.2)
            fatigue.update_fatigue(f, load, Load(), 0.1)
            after.append(f[0])
        assert strictly_increasing(np.array(after))

    def test_under_capacity_fatigue_recovers_to_floor(self):
        f = np.full(3, 0.8)
        trace = [0.8]
        for _ in range(600):
            fatigue.update_fatigue(f, load=0.9, params=Load(), floor=0.1)
            trace.append(f[0])
        assert strictly_decreasing(np.array(trace[:50]))
        assert min(trace) >= 0.1
        np.testing.assert_allclose(f, 0.1, atol=1e-4)

    def test_weekly_load_adds_initiatives(self):
        assert fatigue.weekly_load(0.96, 0.1) > fatigue.weekly_load(0.96, 0.0)


# -- engagement -------------------------------------------------------------------------------

class TestEngagement:
    def run(self, cynicism=0.3, fatigue_level=0.1, meaning=0.0, weeks=30):
        params = EngagementParams()
        e0 = np.full(1, 0.6)
        anchor = engagement.anchor_for(e0, np.full(1, 0.3), np.full(1, 0.1), np.zeros(1),
                                       params)
        e = e0.copy()
        for _ in range(weeks):
            engagement.update_engagement(e, anchor, np.full(1, cynicism),
                                         np.full(1, fatigue_level), np.full(1, meaning), params)
        return e[0]

    def test_equilibrium_at_the_anchor(self):
        assert self.run() == pytest.approx(0.6)

    def test_cynicism_and_fatigue_lower_engagement(self):
        assert self.run(cynicism=0.7) < self.run()
        assert self.run(fatigue_level=0.7) < self.run()
        values = [self.run(cynicism=c) for c in GRID]
        assert strictly_decreasing(np.array(values))

    def test_customer_contact_raises_engagement(self):
        assert self.run(meaning=0.5) > self.run()


# -- 6. social influence ----------------------------------------------------------------------

class TestSocialInfluence:
    # two teams of four; slot 0 and slot 4 are their managers
    team = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    manager_slot = np.array([0, 0, 0, 0, 4, 4, 4, 4])

    def influence(self, shifts, params=None, weights=None, rate=0.2):
        anchors = np.full(8, 0.4)
        values = anchors + np.asarray(shifts, float)
        weights = np.ones(8) if weights is None else np.asarray(weights, float)
        team_weight = np.bincount(self.team, weights=weights)
        social_influence.influence(values, anchors, self.manager_slot, np.ones(8, bool),
                                   self.team, weights, team_weight, rate, params or Social())
        return values - anchors

    def test_moves_toward_the_circle(self):
        after = self.influence([0.3, 0.3, 0.3, 0.0, 0, 0, 0, 0])
        assert 0.0 < after[3] < 0.3

    def test_moves_down_too(self):
        after = self.influence([-0.3, -0.3, -0.3, 0.0, 0, 0, 0, 0])
        assert -0.3 < after[3] < 0.0

    def test_manager_weighs_more_than_a_peer(self):
        by_manager = self.influence([0.3, 0, 0, 0, 0, 0, 0, 0])
        by_peer = self.influence([0, 0.3, 0, 0, 0, 0, 0, 0])
        assert by_manager[3] > by_peer[3] > 0

    def test_ambassador_weighs_more_than_a_peer(self):
        shifts = [0, 0.3, 0, 0, 0, 0, 0, 0]
        plain = self.influence(shifts)
        weights = np.ones(8)
        weights[1] = Social().ambassador_weight
        ambassador = self.influence(shifts, weights=weights)
        assert ambassador[3] > plain[3] > 0

    def test_no_rate_no_influence(self):
        shifts = np.array([0.3, 0, -0.2, 0, 0.1, 0, 0, 0])
        np.testing.assert_allclose(self.influence(shifts, rate=0.0), shifts)

    def test_consensus_is_a_fixed_point_at_defaults(self):
        np.testing.assert_allclose(self.influence(np.full(8, 0.2)), 0.2)

    def test_consensus_is_a_fixed_point_for_all_valid_weights(self):
        params = Social(manager_weight=0.8, organisation_weight=0.6)
        np.testing.assert_allclose(self.influence(np.full(8, 0.2), params=params), 0.2)


# -- 7. workforce -----------------------------------------------------------------------------

def people(engagement=0.62, cynicism=0.3, fatigue_level=0.1, top=False, n=GRID.size):
    def full(x):
        return np.broadcast_to(np.asarray(x, float), (n,)).copy()
    return SimpleNamespace(engagement=full(engagement), cynicism=full(cynicism),
                           fatigue=full(fatigue_level),
                           top_performer=np.broadcast_to(np.asarray(top, bool), (n,)).copy())


class TestWorkforce:
    def test_low_engagement_raises_hazard(self):
        assert strictly_decreasing(workforce.weekly_hazard(people(engagement=GRID), P))

    def test_cynicism_and_fatigue_raise_hazard(self):
        assert strictly_increasing(workforce.weekly_hazard(people(cynicism=GRID), P))
        assert strictly_increasing(workforce.weekly_hazard(people(fatigue_level=GRID), P))

    def test_base_rate_at_initial_means(self):
        h = workforce.weekly_hazard(people(n=1), P)[0]
        assert 1 - (1 - h) ** 52 == pytest.approx(P.workforce.attrition_base)

    def test_fatigue_hits_top_performers_harder(self):
        top = workforce.weekly_hazard(people(fatigue_level=GRID, top=True), P)
        other = workforce.weekly_hazard(people(fatigue_level=GRID, top=False), P)
        ratio = top / other
        above = P.initial.fatigue_mean < GRID
        assert np.all(ratio[above] > 1)
        assert strictly_increasing(ratio[above])
        # at the everyday fatigue level the top performers leave at the same rate
        at_mean = workforce.weekly_hazard(people(n=1, top=True), P)
        assert at_mean[0] == pytest.approx(workforce.weekly_hazard(people(n=1), P)[0])

    def test_hazard_is_a_probability(self):
        h = workforce.weekly_hazard(people(engagement=0.0, cynicism=1.0, fatigue_level=1.0,
                                           top=True), P)
        assert np.all((h >= 0) & (h <= 1))

    def test_empathy_hiring_raises_new_hire_orientation(self):
        values = [workforce.hire_orientation(P, x) for x in GRID]
        assert strictly_increasing(np.array(values))

    def test_hiring_mismatch_lowers_new_hire_orientation(self):
        mismatch = P.model_copy(deep=True)
        mismatch.risks.hiring_mismatch = 1.0
        assert workforce.hire_orientation(mismatch, 0.0) < workforce.hire_orientation(P, 0.0)

    def test_skill_rises_with_tenure_and_is_low_for_newcomers(self):
        ns = SimpleNamespace(hired_week=np.array([0, -10, -100, -1000]),
                             top_performer=np.zeros(4, bool))
        s = workforce.skill(ns, 0, P)
        assert s[0] == pytest.approx(P.workforce.new_hire_skill)
        assert strictly_increasing(s) and s[-1] <= 1

    def test_leavers_are_replaced_after_the_lag(self, small_model):
        model = small_model(seed=6, workforce__hiring_lag_weeks=3)
        n = model.people.size
        leave = np.ones((2, n), np.float32)
        leave[0, 5] = 0.0   # slot 5 leaves this week
        model.week = 1
        workforce.step(model, leave, np.zeros(n))
        assert not model.people.filled[5] and model.tally.leavers == 1
        stay = np.ones((2, n), np.float32)
        weeks_vacant = 0
        while not model.people.filled[5]:
            model.week += 1
            weeks_vacant += 1
            workforce.step(model, stay, np.zeros(n))
            assert weeks_vacant < 10
        assert weeks_vacant >= 3
        assert model.people.hired_week[5] == model.week


# -- 8. customer experience -------------------------------------------------------------------

class TestCustomerExperience:
    @pytest.mark.parametrize("d", [0.02, 0.05, 0.1])
    def test_shortfall_weighs_more_than_equal_excess(self, d):
        cx = CustomerExperience()
        u0 = float(customer_experience.experience_utility(np.array([0.0]), cx)[0])
        up = float(customer_experience.experience_utility(np.array([d]), cx)[0]) - u0
        down = u0 - float(customer_experience.experience_utility(np.array([-d]), cx)[0])
        assert up > 0 and down > up
        assert down / up == pytest.approx(cx.negativity_bias)

    def test_utility_increases_with_experience(self):
        u = customer_experience.experience_utility(np.linspace(-0.2, 0.2, 21),
                                                   CustomerExperience())
        assert strictly_increasing(u)

    def test_service_quality_rises_with_skill_orientation_engagement(self):
        cx = CustomerExperience()
        ones = np.ones(len(GRID), bool)
        half = np.full(len(GRID), 0.5)
        for q in (customer_experience.service_quality(GRID, half, half, ones, cx),
                  customer_experience.service_quality(half, GRID, half, ones, cx),
                  customer_experience.service_quality(half, half, GRID, ones, cx)):
            assert strictly_increasing(q)
        vacant = customer_experience.service_quality(half, half, half, ~ones, cx)
        assert np.all(vacant == 0)

    def test_fix_delights_the_customers_it_hit(self):
        sat = np.array([0.5, 0.5])
        customer_experience.delight(sat, np.array([True, False]), CustomerExperience())
        assert sat[0] > 0.5 and sat[1] == 0.5

    def test_promises_raise_expectations_within_a_bound(self, small_model):
        model = small_model(seed=7, scenario="techops_programme")
        model.week = 1
        before = model.customers.expectation.copy()
        customer_experience.move_expectations(model)
        assert np.all(model.customers.expectation >= before)
        for _ in range(2000):                     # held at this week's rhetoric for ever
            customer_experience.move_expectations(model)
        cx, customers = model.p.customer_experience, model.customers
        # the anchor, what customers got used to of the service since they opened, the promises
        ceiling = (customers.expectation_anchor + cx.quality_adaptation
                   * (model.org.expected_quality - customers.quality_anchor)
                   + cx.promise_headroom * model.policy.rhetoric[1] + 1e-9)
        assert np.all(customers.expectation <= ceiling)

    def test_a_product_team_shapes_only_its_own_segments_service(self, small_model):
        """S_g: the product teams building for a segment reach its accounts, not the others'."""
        model = small_model(seed=3)
        teams, people = model.teams, model.people
        assert np.all(teams.segment[teams.function == PRODUCT] >= 0)
        assert np.all(teams.frontline[teams.segment[teams.segment >= 0]])
        assert np.all(teams.segment[teams.function != PRODUCT] == -1)
        before = customer_experience.served_quality(model)
        builder = int(np.flatnonzero(teams.function == PRODUCT)[0])
        people.engagement[people.team == builder] += 0.2
        change = customer_experience.served_quality(model) - before
        own = teams.segment[builder]
        assert change[own] > 0
        others = teams.frontline & (np.arange(teams.size) != own)
        assert np.all(np.abs(change[others]) < 1e-15)

    def test_the_book_has_got_used_to_a_share_of_its_segments_service(self, small_model):
        """Expectations are anchored on the market's service; the month-0 book starts at
        exp0 + a (Qbar - Qbar0), the share a of its own segment's difference it is used to."""
        model = small_model(seed=4)
        c, cx = model.customers, model.p.customer_experience
        market = customer_experience.without_team_differences(
            model.org.expected_quality, model.org.served_quality, c.account_team,
            model.frontline_teams)
        assert np.array_equal(c.quality_anchor, market)
        difference = model.org.expected_quality - market
        assert np.abs(difference[c.exists]).max() > 1e-3       # segments do differ
        assert np.allclose(c.expectation - c.expectation_anchor,
                           cx.quality_adaptation * difference, atol=1e-12)

    @pytest.mark.parametrize("share", [0.0, 0.1, 0.3])
    def test_opening_satisfaction_has_its_segment_share(self, share):
        """Between segments lies the share rho of the spread; the whole spread is Beta's."""
        ini = Initial(segment_share=share)
        teams, per_team = 400, 200
        account_team = np.repeat(np.arange(teams), per_team)
        sat = opening_satisfaction(np.random.default_rng(1), np.random.default_rng(2),
                                   account_team, teams, ini)
        spread = ini.satisfaction_mean * (1 - ini.satisfaction_mean) / (
            ini.satisfaction_concentration + 1)
        between = sat.reshape(teams, per_team).mean(axis=1).var() - (
            sat.reshape(teams, per_team).var(axis=1).mean() / per_team)
        assert sat.var() == pytest.approx(spread, rel=0.08)
        assert between / sat.var() == pytest.approx(share, abs=0.025)

    def test_open_problems_lower_touchpoint_quality(self, small_model):
        model = small_model(seed=8)
        clean = customer_experience.touchpoint_quality(model)
        model.customers.problem_load = model.customers.problem_load + 1.0
        assert np.all(customer_experience.touchpoint_quality(model) < clean)

    def test_nothing_changes_satisfaction_stays(self, small_model):
        """Expectations are set so that an unchanged organisation keeps its satisfaction."""
        model = small_model(seed=9, customer_experience__quality_noise=0.0)
        before = model.customers.satisfaction.copy()
        customer_experience.step(model, np.zeros((2, before.size)))
        active = model.customers.active
        cx = model.p.customer_experience
        # interior satisfaction levels (not at the utility clip) stay within interpolation error
        interior = active & (before > 0.05) & (before < min(1.0, cx.met_expectation_satisfaction
                                                            + 0.2))
        np.testing.assert_allclose(model.customers.satisfaction[interior], before[interior],
                                   atol=2e-3)


# -- 9. churn ---------------------------------------------------------------------------------

class TestChurn:
    def test_unresolved_problems_raise_churn(self):
        p = churn.churn_probability(np.full(len(GRID), 0.7), GRID * 3, Churn())
        assert strictly_increasing(p)

    def test_low_satisfaction_raises_churn(self):
        p = churn.churn_probability(GRID, np.zeros(len(GRID)), Churn())
        assert strictly_decreasing(p)
        assert np.all((p > 0) & (p < 1))

    def test_only_accounts_due_for_renewal_decide(self, small_model):
        model = small_model(seed=10)
        c = model.customers
        n = c.exists.size
        month = 3
        due = c.active & (c.renewal_month == month - 1)
        assert due.any() and (c.active & ~due).any()
        churn.step(model, month, np.vstack([np.zeros(n), np.ones(n)]))  # all due accounts go
        np.testing.assert_array_equal(c.churned, due)
        assert model.tally.churned == int(due.sum())

    def test_recommend_score_follows_satisfaction(self):
        s = churn.recommend_score(GRID, np.zeros(len(GRID)))
        np.testing.assert_array_equal(s, np.arange(11))
        assert np.all(np.diff(churn.recommend_score(GRID, np.full(len(GRID), 0.3))) >= 0)


# -- 10. measurement --------------------------------------------------------------------------

class TestMeasurement:
    def test_survey_fatigue_lowers_response(self):
        p = measurement.response_probability(np.full(len(GRID), 0.8), GRID, Measurement())
        assert strictly_decreasing(p)
        assert p[-1] == 0.0

    def test_satisfied_customers_answer_more(self):
        p = measurement.response_probability(GRID, np.zeros(len(GRID)), Measurement())
        assert strictly_increasing(p)

    def test_each_survey_adds_fatigue_and_action_removes_it(self, small_model):
        model = small_model(seed=11)
        c = model.customers
        before = c.survey_fatigue[c.active].copy()
        measurement.survey(model, np.ones(c.exists.size, np.float32))
        assert np.all(c.survey_fatigue[c.active] > before)
        after = c.survey_fatigue.copy()
        hit = c.active.copy()
        measurement.visible_change(c.survey_fatigue, hit, model.p.measurement)
        assert np.all(c.survey_fatigue[hit] < after[hit])

    def test_repeated_surveys_lower_response_probability(self, small_model):
        model = small_model(seed=12)
        c = model.customers
        rates = []
        for _ in range(6):
            rates.append(measurement.response_probability(
                c.satisfaction[c.active], c.survey_fatigue[c.active], model.p.measurement).mean())
            measurement.survey(model, np.ones(c.exists.size, np.float32))
        assert strictly_decreasing(np.array(rates))

    @pytest.mark.parametrize(("scores", "nps"), [
        ([10, 9, 8, 7, 6, 0], 0.0),
        ([10, 10, 10, 0], 50.0),
        ([9, 9, 9, 9], 100.0),
        ([6, 5, 0], -100.0),
        ([7, 8], 0.0),
        ([10, 7, 6, 6, 6], -40.0),
        ([], float("nan")),             # nobody answered: no score
    ])
    def test_net_promoter_score(self, scores, nps):
        assert measurement.net_promoter_score(np.array(scores)) == pytest.approx(nps,
                                                                                 nan_ok=True)


# -- maturity rubric --------------------------------------------------------------------------

RUBRIC_RANGES = {key: (1.0, 5.0) if key in ("culture_score", "collaboration_index",
                                            "psychological_safety_score")
                 else (-100.0, 100.0) if key == "enps"
                 else (0.0, 10.0) if key == "story_sharing_per_week"
                 else (0.0, 100.0)
                 for key in TARGETS}


def row_strategy():
    return st.fixed_dictionaries({
        key: st.floats(low, high, allow_nan=False) for key, (low, high) in RUBRIC_RANGES.items()})


class TestMaturity:
    def floor_row(self):
        return {key: low for key, (low, _) in RUBRIC_RANGES.items()}

    def top_row(self):
        return {key: high for key, (_, high) in RUBRIC_RANGES.items()}

    def test_extremes(self):
        assert maturity_level(self.floor_row()) == 1
        assert maturity_level(self.top_row()) == 5

    def test_every_level_is_reachable(self):
        levels = set()
        for culture in np.linspace(1, 5, 17):
            for rest in np.linspace(0, 1, 11):
                row = {key: low + rest * (high - low)
                       for key, (low, high) in RUBRIC_RANGES.items()}
                row["culture_score"] = float(culture)
                levels.add(maturity_level(row))
        assert levels == {1, 2, 3, 4, 5}

    @settings(max_examples=200, deadline=None)
    @given(row=row_strategy(), bump=st.dictionaries(st.sampled_from(sorted(TARGETS)),
                                                    st.floats(0, 1), min_size=1))
    def test_monotone(self, row, bump):
        better = dict(row)
        for key, share in bump.items():
            high = RUBRIC_RANGES[key][1]
            better[key] = row[key] + share * (high - row[key])
        low_level, high_level = maturity_level(row), maturity_level(better)
        assert 1 <= low_level <= high_level <= 5
        assert isinstance(low_level, int)


# -- additions: service recovery, the satisfaction record, employees' views of leadership --------

class TestServiceRecovery:
    def test_acted_on_report_gives_the_teams_hit_accounts_a_workaround(self, small_model) -> None:
        model = small_model(seed=2, voice__recovery_gain=1.0)
        customers = model.customers
        team = int(customers.account_team[np.flatnonzero(customers.active)[0]])
        problem = int(np.argmax(customers.hits[customers.account_team == team].sum(axis=0)))
        mine = customers.active & (customers.account_team == team)
        hit_before = customers.hits[:, problem].copy()
        assert hit_before[mine].sum() > 0
        voice.service_recovery(model, np.array([team]), np.array([problem]),
                               np.zeros(customers.exists.size, np.float32))
        assert customers.hits[mine, problem].sum() == 0          # the team's accounts: fixed
        others = ~(customers.account_team == team)
        assert (customers.hits[others, problem] == hit_before[others]).all()  # others: not
        assert model.org.problems_changed

    def test_no_workaround_when_the_draw_fails(self, small_model) -> None:
        model = small_model(seed=2, voice__recovery_gain=0.3)
        customers = model.customers
        before = customers.hits.copy()
        team = int(customers.account_team[0])
        voice.service_recovery(model, np.array([team]), np.array([0]),
                               np.ones(customers.exists.size, np.float32))
        assert (customers.hits == before).all()


class TestSatisfactionRecord:
    def test_record_follows_satisfaction_with_a_lag(self) -> None:
        record = np.array([0.5])
        churn.update_record(record, np.array([0.9]), 0.3)
        assert 0.5 < record[0] < 0.9
        assert record[0] == pytest.approx(0.62)

    def test_renewal_uses_the_record_not_todays_satisfaction(self) -> None:
        low_record = churn.churn_probability(np.array([0.6]), np.array([0.0]), Churn())
        high_record = churn.churn_probability(np.array([0.9]), np.array([0.0]), Churn())
        assert low_record[0] > high_record[0]


