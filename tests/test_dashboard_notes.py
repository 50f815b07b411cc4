"""What the dashboard tells its user beside the sliders."""

from __future__ import annotations

import pytest

from cxsim.experiments.dashboard import compute
from cxsim.model import load_scenario
from cxsim.model.leadership import offers_rituals

pytestmark = pytest.mark.fast


def test_the_dashboard_says_when_a_lever_has_nothing_to_act_on():
    """The baseline offers no ritual: ritual participation changes nothing there, and the
    dashboard says so beside its slider; the programme offers rituals, and it says nothing."""
    assert not offers_rituals(load_scenario("baseline").parameters)
    assert "levers.ritual_participation" in compute.inert_levers("baseline")
    assert offers_rituals(load_scenario("techops_programme").parameters)
    assert compute.inert_levers("techops_programme") == {}
