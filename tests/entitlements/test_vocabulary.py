"""The shared vocabulary."""

from __future__ import annotations

import pytest

from carebridge.directory.taxonomy import CATEGORY_CODES
from carebridge.entitlements.vocabulary import (
    CATEGORY_LABELS,
    FACTS,
    OUTCOME_LABELS,
    OUTCOMES,
    SERVICE_CATEGORIES,
    STATUS_LABELS,
    STATUSES,
    InvalidPerson,
    clean_person,
)


def test_the_identifiers_are_exactly_those_of_issue_3():
    assert set(STATUSES) == {"refugee", "asylum-seeker", "refused-asylum-seeker", "temporary-protection",
                             "undocumented", "labour-migrant", "student", "eu-citizen", "visitor"}
    assert set(FACTS) == {"age", "pregnant", "unaccompanied_minor", "months_in_country", "receives_asylum_support",
                          "paid_health_surcharge", "trafficking_victim", "torture_or_violence_survivor",
                          "registered_residence_months", "income_below_threshold", "has_health_insurance"}
    assert set(OUTCOMES) == {"covered-free", "covered-limited", "covered-with-charges", "charged-never-withheld",
                             "emergency-only", "not-covered", "unknown"}


def test_service_categories_are_codes_of_the_service_finder_taxonomy():
    assert set(SERVICE_CATEGORIES) <= set(CATEGORY_CODES)


def test_every_identifier_has_a_plain_label():
    assert set(STATUS_LABELS) == set(STATUSES)
    assert set(CATEGORY_LABELS) == set(SERVICE_CATEGORIES)
    assert set(OUTCOME_LABELS) == set(OUTCOMES)


def test_clean_person_drops_unanswered_and_checks_types():
    assert clean_person({"status": "student", "age": 20, "pregnant": None}) == {"status": "student", "age": 20}
    with pytest.raises(InvalidPerson) as caught:
        clean_person({"age": True, "months_in_country": -1, "pregnant": "yes"})
    assert {p.field for p in caught.value.problems} == {"age", "months_in_country", "pregnant"}


# Behaviour: what the engine accepts and what the checker's pages read back, for every identifier (a new status or
# fact is covered without editing these tests).


@pytest.mark.parametrize("status", STATUSES)
def test_every_status_is_accepted_and_survives_the_checkers_query_string(status):
    from carebridge.entitlements.presentation import format_value, parse_value

    assert clean_person({"status": status}) == {"status": status}
    assert parse_value("status", format_value(status)) == (status, None)
    assert parse_value("status", f"  {status.upper()} ") == (status, None)


def test_an_unknown_status_is_refused_with_the_allowed_list():
    with pytest.raises(InvalidPerson) as caught:
        clean_person({"status": "tourist"})
    (problem,) = caught.value.problems
    assert problem.field == "status" and problem.allowed == list(STATUSES)
    with pytest.raises(InvalidPerson) as caught:
        clean_person({"favourite_colour": "blue"})
    assert caught.value.problems[0].allowed == ["status", *FACTS]


@pytest.mark.parametrize("name", list(FACTS))
def test_every_fact_accepts_its_values_and_refuses_others(name):
    from carebridge.entitlements.presentation import format_value, parse_value

    fact = FACTS[name]
    if fact.kind == "boolean":
        good, bad = [True, False], [1, 0, "yes", None.__class__]
    else:
        low = fact.minimum if fact.minimum is not None else 0
        high = fact.maximum if fact.maximum is not None else 9999
        good, bad = [low, high, (low + high) // 2], [True, 1.5, "3", low - 1]
        if fact.maximum is not None:
            bad.append(high + 1)
    assert fact.kind in ("boolean", "integer")
    for value in good:
        assert fact.check(value) is None, (name, value)
        assert clean_person({name: value}) == {name: value}
        assert parse_value(name, format_value(value)) == (value, None), (name, value)  # the checker reads it back
    for value in bad:
        assert fact.check(value) is not None, (name, value)
        with pytest.raises(InvalidPerson):
            clean_person({name: value})
    assert len(good) >= 2 and len(bad) >= 4  # both branches ran


def test_every_problem_is_reported_at_once():
    raw = {name: "not a value" for name in FACTS} | {"status": "nobody"}
    with pytest.raises(InvalidPerson) as caught:
        clean_person(raw)
    assert sorted(problem.field for problem in caught.value.problems) == sorted(raw)
