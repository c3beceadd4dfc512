"""Finding community activities in the demo city by the social-prescribing facts (taxonomy 1.2 / 1.1)."""

from __future__ import annotations

import pytest

from carebridge.directory import service as directory
from carebridge.errors import InvalidInput
from carebridge.prescribing import service


@pytest.fixture
def holder(session):
    """The demo city loaded; the searches read the index of this session's database."""
    directory.load_demo_data(session)
    session.commit()
    return session


def _names(found) -> set[str]:
    return {item["name"] for item in found.results}


def test_women_only_arabic_sewing_group(holder) -> None:
    found = service.search_activities(holder, need="arts-culture", language="ar", women_only=True)
    assert "Women's sewing circle" in _names(found)
    assert all(item["eligible_gender"] == "female" for item in found.results)
    [sewing] = [item for item in found.results if item["name"] == "Women's sewing circle"]
    assert sewing["childcare"] is True and sewing["faith_sensitive"] == "all faiths welcome"
    assert sewing["service_at_location_id"]


def test_free_football_for_young_men_and_transport(holder) -> None:
    found = service.search_activities(holder, need="sport-exercise", men_only=True, low_cost=True, transport_help=True)
    assert _names(found) == {"Free football for young men"}


def test_childcare_faith_and_transport_filters(holder) -> None:
    with_childcare = service.search_activities(holder, childcare=True, per_page=50)
    assert {"Parent and toddler group", "Women's sewing circle"} <= _names(with_childcare)
    assert all(item["childcare"] for item in with_childcare.results)
    faith = service.search_activities(holder, need="cooking-eating-together", faith_sensitive=True)
    assert {"Cooking club: food from home", "Sisters' kitchen"} <= _names(faith)
    transport = service.search_activities(holder, need="language-classes", transport_help=True)
    assert "English conversation class with transport" in _names(transport)
    assert all(item["transport_help"] for item in transport.results)


def test_low_cost_includes_free_and_low_cost(holder) -> None:
    found = service.search_activities(holder, need="cooking-eating-together", low_cost=True)
    results = {item["name"]: item for item in found.results}
    assert "Cooking club: food from home" in results and not results["Cooking club: food from home"]["free"]
    assert all(item["low_cost"] for item in found.results)


def test_an_unknown_need_is_refused(holder) -> None:
    with pytest.raises(InvalidInput):
        service.search_activities(holder, need="dental")
