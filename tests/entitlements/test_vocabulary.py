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
