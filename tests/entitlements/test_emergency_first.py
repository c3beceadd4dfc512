"""An emergency is never sent to an office first: for every rules base, every situation and every set of answers
that can make a difference, the emergency area's first instruction (the first step, or for "We do not know yet" the
advice) is to call the country's emergency number or go to emergency care, and no text under it tells the person to
get a code, a card or a form before care."""

from __future__ import annotations

import datetime as dt
import itertools
import re

import pytest

from carebridge.entitlements import service
from carebridge.entitlements.rulebook import get_rulebooks
from carebridge.entitlements.vocabulary import STATUSES

ON_DATE = dt.date(2026, 12, 1)
CODES = sorted(get_rulebooks())
# What an office-first instruction looks like in the seeded texts (QA: "Go to the ASL… ask for an STP code", "Ask at
# a health centre… for the statement form", "Ask your local health insurance office (CPAM)…", "First get …").
OFFICE_FIRST = re.compile(r"^(Ask|Go to the local|Apply|Register|Call 1177)|\bFirst get\b|health centre|CPAM|ASL\b")


def emergency_results(code: str):
    rulebook = service.get_rulebook(code)
    names = sorted(set(rulebook.epoch(ON_DATE).reads["emergency"]) - {"status"})
    for status in STATUSES:
        for values in itertools.product(*(service._answer_values(rulebook, name, ON_DATE) for name in names)):
            person = {"status": status, **dict(zip(names, values, strict=True))}
            yield person, service.evaluate(code, person, ON_DATE).result("emergency")


@pytest.mark.parametrize("code", CODES)
def test_the_emergency_area_sends_people_to_emergency_care_first(code):
    numbers = [item.number for item in service.get_rulebook(code).emergency.numbers]
    checked = 0
    for person, result in emergency_results(code):
        assert result.determined, (code, person)
        first = result.steps[0] if result.steps else result.ask
        assert first, (code, person)
        assert any(number in first for number in numbers), (code, person, first)
        assert not OFFICE_FIRST.search(first), (code, person, first)
        for text in (result.explanation or "", result.cost or ""):
            assert "First get" not in text and "Ask at the ASL" not in text, (code, person, text)
        checked += 1
    assert checked >= len(STATUSES)


def test_the_office_comes_after_the_care_where_a_rule_has_an_office_step():
    _person, result = next((p, r) for p, r in emergency_results("IT") if p["status"] == "undocumented")
    assert result.rule_id == "it-stp-emergency"
    assert result.steps[0].startswith("In an emergency, call 112")
    assert "STP" in result.steps[1]
    assert not result.documents
