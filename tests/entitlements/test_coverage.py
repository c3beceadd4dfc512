"""Coverage per situation: the country list says which groups of people a rules base answers, computed here by
evaluating the engine for every situation and every set of answers that can make a difference (not hand-counted),
and the counts agree between the country list, the API and the result page."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from html import unescape

import pytest

from carebridge.entitlements import presentation, service
from carebridge.entitlements.presentation import STATUS_GROUP_NAMES
from carebridge.entitlements.rulebook import get_rulebooks
from carebridge.entitlements.vocabulary import FACTS, SERVICE_CATEGORIES, STATUSES

ON_DATE = dt.date(2026, 12, 1)
CODES = sorted(get_rulebooks())


def values(rulebook, name: str) -> tuple:
    return service._answer_values(rulebook, name, ON_DATE)


def engine_coverage(code: str) -> dict[str, tuple[set[str], set[str]]]:
    """Per status: (areas some full set of answers gets an answer for, areas every full set of answers does)."""
    rulebook = service.get_rulebook(code)
    epoch = rulebook.epoch(ON_DATE)
    names = sorted({name for category in SERVICE_CATEGORIES for name in epoch.reads[category]} - {"status"})
    assert set(names) <= set(FACTS)
    coverage = {}
    for status in STATUSES:
        some: set[str] = set()
        every = set(SERVICE_CATEGORIES)
        for combination in itertools.product(*(values(rulebook, name) for name in names)):
            person = {"status": status, **dict(zip(names, combination, strict=True))}
            outcomes = service.evaluate(code, person, ON_DATE).outcomes()
            answered = {category for category, outcome in outcomes.items() if outcome != "unknown"}
            some |= answered
            every &= answered
        coverage[status] = (some, every)
    return coverage


@pytest.mark.parametrize("code", CODES)
def test_coverage_per_situation_is_what_the_engine_answers(code):
    expected = engine_coverage(code)
    situations = {s.status: s for s in service.get_rulebook(code).coverage_on(ON_DATE).situations}
    assert list(situations) == list(STATUSES)
    for status, (some, every) in expected.items():
        assert set(situations[status].answered) == some, (code, status)
        assert set(situations[status].always) == every, (code, status)


def test_thin_bases_cover_only_the_groups_their_rules_answer():
    covered = {code: service.get_rulebook(code).coverage_on(ON_DATE).covered_statuses for code in CODES}
    # Computed by the engine above; spelt out here so that a change in what the rules cover is seen in review.
    assert covered["IT"] == covered["ES"] == covered["SE"] == ("undocumented",)
    assert covered["FR"] == ("asylum-seeker", "undocumented")
    assert covered["GB-ENG"] == covered["DE"] == STATUSES


@pytest.mark.parametrize("code", CODES)
def test_the_coverage_sentence_names_exactly_the_covered_groups(code):
    rulebook = service.get_rulebook(code)
    coverage = rulebook.coverage_on(ON_DATE)
    text = presentation.coverage_text(rulebook, "en", ON_DATE)
    assert "Areas of care our rules answer" not in text
    if len(coverage.covered_statuses) < len(STATUSES):
        assert "For other situations we do not know yet." in text
        for status in STATUSES:
            assert (STATUS_GROUP_NAMES[status] in text) == (status in coverage.covered_statuses), (code, status)
    else:
        assert "every situation" in text
    # Someone answering "no" to a gate question (DE: asylum benefits; ES: other health cover) gets nothing: say so.
    gated = any(s.covered and not s.always for s in coverage.situations)
    assert ("only for some answers" in text) == gated
    # The same counts as on the result page.
    assert presentation.rules_review_text(rulebook, "en") in text


def test_italy_is_not_shown_as_complete_and_the_counts_agree(client):
    page = unescape(client.get("/entitlements", params={"lang": "en"}).text)
    italy = presentation.coverage_text(service.get_rulebook("IT"), "en")
    assert italy.startswith("Our rules cover people without papers (10 of 10 areas of care). For other situations "
                            "we do not know yet.")
    assert italy in page
    entries = service.get_rulebook("IT").entries
    pending = sum(1 for entry in entries if entry.review != "checked")
    counts = f"Rules not yet checked by a lawyer: {pending} of {len(entries)}."
    assert counts in italy
    result = unescape(client.get(presentation.RESULT_PATH, params={
        "lang": "en", "jurisdiction": "IT", "status": "undocumented"}).text)
    assert counts in re.sub(r"\s+", " ", result)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_api_lists_the_situations_each_base_answers(client, lang):
    response = client.get("/api/v1/entitlements/jurisdictions", headers={"Accept-Language": lang})
    assert response.status_code == 200
    listed = {j["code"]: j for j in response.json()["jurisdictions"]}
    assert sorted(listed) == CODES
    for code in CODES:
        coverage = service.get_rulebook(code).coverage
        entry = listed[code]
        assert entry["covered_statuses"] == list(coverage.covered_statuses)
        assert [s["status"] for s in entry["situations"]] == list(STATUSES)
        for situation, out in zip(coverage.situations, entry["situations"], strict=True):
            assert out["areas_answered"] == len(situation.answered)
            assert out["service_categories"] == list(situation.answered)
        assert entry["coverage_text"] == presentation.coverage_text(service.get_rulebook(code), lang)
    assert listed["IT"]["covered_statuses"] == ["undocumented"]
