"""The engine: evaluate() and next_question(), on the seeded rules bases."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carebridge.entitlements import service
from carebridge.entitlements.rulebook import get_rulebooks
from carebridge.entitlements.vocabulary import FACTS, PERSON_FIELDS, SERVICE_CATEGORIES, STATUSES
from carebridge.errors import InvalidInput

TODAY = dt.date(2026, 11, 23)
RULEBOOKS = get_rulebooks()


def test_every_category_is_answered_with_the_fields_the_api_promises():
    evaluation = service.evaluate("GB-ENG", {"status": "undocumented", "age": 34, "pregnant": True,
                                             "trafficking_victim": False}, TODAY)
    assert [r.service_category for r in evaluation.results] == list(SERVICE_CATEGORIES)
    maternity = evaluation.result("maternity")
    assert maternity.outcome == "charged-never-withheld"
    assert maternity.upfront_payment is False
    assert maternity.sources and all(s["citation"] and s["url"].startswith("https://") for s in maternity.sources)
    assert maternity.confidence == "primary"
    assert maternity.last_reviewed == dt.date(2026, 11, 22)
    assert maternity.rule_id == "gb-eng-maternity-chargeable"
    assert maternity.explanation and maternity.steps and maternity.cost


def test_the_trace_says_which_rules_applied_and_why_others_did_not():
    evaluation = service.evaluate("DE", {"receives_asylum_support": True, "months_in_country": 20}, TODAY)
    trace = {entry.rule_id: entry for entry in evaluation.result("hospital-care").trace}
    assert trace["de-asylblg-acute-care"].verdict == "applied"
    assert trace["de-asylblg-after-36-months"].verdict == "not-applicable"
    assert "months_in_country >= 36 (months_in_country = 20)" in trace["de-asylblg-after-36-months"].reason()
    assert trace["de-asylblg-after-18-months"].verdict == "not-in-force"
    assert "2019-08-21 to 2024-02-26" in trace["de-asylblg-after-18-months"].reason()


def test_a_missing_fact_makes_the_result_unknown_with_what_would_settle_it():
    result = service.evaluate("DE", {"receives_asylum_support": True}, TODAY).result("hospital-care")
    assert result.outcome == "unknown" and not result.determined
    assert {p.outcome for p in result.possible_outcomes} == {"covered-limited", "covered-with-charges"}
    assert result.missing_facts == ["months_in_country"]
    assert result.rule_id is None


def test_a_declared_gap_says_what_to_ask_and_where():
    result = service.evaluate("IT", {"status": "eu-citizen"}, TODAY).result("primary-care")
    assert result.outcome == "unknown" and result.determined and result.kind == "gap"
    assert "ASL" in result.ask


def test_unknown_jurisdiction_lists_the_allowed_values():
    with pytest.raises(InvalidInput) as caught:
        service.evaluate("XX", {}, TODAY)
    assert caught.value.errors[0].allowed == ["DE", "ES", "FR", "GB-ENG", "IT", "SE"]


def test_unknown_status_or_fact_lists_the_allowed_values():
    with pytest.raises(InvalidInput) as caught:
        service.evaluate("GB-ENG", {"status": "tourist", "shoe_size": 42, "age": "old"}, TODAY)
    errors = {error.name: error for error in caught.value.errors}
    assert errors["status"].allowed == list(STATUSES)
    assert "age" in errors["shoe_size"].allowed
    assert errors["age"].pointer == "/person/age"


def test_texts_are_translated_when_a_translator_is_given():
    evaluation = service.evaluate("GB-ENG", {"status": "refugee"}, TODAY, translate=str.upper)
    assert evaluation.result("hospital-care").cost == "FREE. YOU DO NOT HAVE TO PAY FOR HOSPITAL CARE."


def test_the_status_is_not_asked_where_it_changes_nothing():
    # In Germany every rule is about AsylbLG benefits, never about the status.
    answers: dict = {}
    asked = []
    while (question := service.next_question("DE", answers, TODAY)) is not None:
        asked.append(question.fact)
        answers[question.fact] = True if FACTS[question.fact].kind == "boolean" else 40
    assert "status" not in asked and asked[0] == "receives_asylum_support"


def test_the_question_text_names_the_country_and_uses_local_wording():
    question = service.next_question("SE", {"status": "undocumented"}, TODAY)
    assert question.fact == "age" and question.kind == "integer" and question.unit == "years"
    question = service.next_question("FR", {"status": "undocumented", "age": 40}, TODAY)
    assert question.fact == "months_in_country" and "France" in question.text


# ---------------------------------------------------------------------------------------------------------------
# Properties that hold for every rules base, person and date


def interesting_values(code, name):
    values = {FACTS[name].minimum or 0}
    for rule in RULEBOOKS[code].entries:
        values |= rule.representative_values.get(name, frozenset())
    return sorted(values)


def value_strategy(code, name):
    if FACTS[name].kind == "boolean":
        return st.booleans()
    return st.one_of(st.sampled_from(interesting_values(code, name)), st.integers(0, 120))


def dates(code):
    points = []
    for boundary in RULEBOOKS[code].boundaries:
        points += [boundary - dt.timedelta(days=1), boundary]
    return st.one_of(st.sampled_from(points or [TODAY]), st.dates(dt.date(2010, 1, 1), dt.date(2030, 12, 31)))


@st.composite
def cases(draw):
    code = draw(st.sampled_from(sorted(RULEBOOKS)))
    fields = {"status": st.sampled_from(STATUSES)} | {name: value_strategy(code, name) for name in FACTS}
    partial = draw(st.fixed_dictionaries({}, optional=fields))
    completion = draw(st.fixed_dictionaries(fields))
    return code, draw(dates(code)), partial, {**completion, **partial}


FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(cases())
def test_evaluation_is_deterministic(case):
    code, on_date, partial, _ = case
    first = service.evaluate(code, partial, on_date)
    again = service.evaluate(code, dict(reversed(list(partial.items()))), on_date)
    assert [(r.outcome, r.rule_id, r.missing_facts) for r in first.results] == [
        (r.outcome, r.rule_id, r.missing_facts) for r in again.results
    ]


@FAST
@given(cases())
def test_a_determined_outcome_holds_whatever_the_unanswered_facts_turn_out_to_be(case):
    code, on_date, partial, complete = case
    now = service.evaluate(code, partial, on_date)
    later = service.evaluate(code, complete, on_date)
    for before, after in zip(now.results, later.results, strict=True):
        assert after.determined, "a fully answered person always gets a determined result"
        if before.determined:
            assert after.outcome == before.outcome, before.service_category
        else:
            assert after.outcome in {p.outcome for p in before.possible_outcomes}, before.service_category


@FAST
@given(cases())
def test_no_next_question_means_everything_is_settled(case):
    code, on_date, partial, _ = case
    if service.next_question(code, partial, on_date) is None:
        assert all(result.determined for result in service.evaluate(code, partial, on_date).results)


def category_outcome(code, on_date, category, person):
    for rule in RULEBOOKS[code].epoch(on_date).candidates[category]:
        if rule.applies(person) is True:
            return rule.outcome
    return "unknown"


def can_change(code, on_date, category, person, fact):
    """Brute force: do two completions that differ only in `fact` get different outcomes for the category?"""
    candidates = RULEBOOKS[code].epoch(on_date).candidates[category]
    names = sorted({n for rule in candidates for n in rule.facts} | {"status"} - set(person))
    domains = [STATUSES if n == "status" else (False, True) if FACTS[n].kind == "boolean"
               else interesting_values(code, n) for n in names]
    if fact not in names:
        return False
    size = 1
    for domain in domains:
        size *= len(domain)
    if size > 5000:
        return True  # too big to brute-force here; other properties still cover the engine
    index = names.index(fact)
    by_rest: dict = {}
    for point in itertools.product(*domains):
        outcome = category_outcome(code, on_date, category, {**person, **dict(zip(names, point))})
        rest = point[:index] + point[index + 1:]
        if by_rest.setdefault(rest, outcome) != outcome:
            return True
    return False


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_the_suggested_question_can_change_an_outcome(case):
    code, on_date, partial, _ = case
    question = service.next_question(code, partial, on_date)
    if question is None:
        return
    assert question.fact not in partial
    assert question.service_categories
    assert any(can_change(code, on_date, category, partial, question.fact) for category in question.service_categories)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_following_the_questions_always_ends_with_everything_settled(case):
    code, on_date, _, complete = case
    answers: dict = {}
    for _ in range(len(PERSON_FIELDS) + 1):
        question = service.next_question(code, answers, on_date)
        if question is None:
            break
        assert question.fact not in answers
        answers[question.fact] = complete[question.fact]
    else:
        pytest.fail("the questions did not stop")
    assert all(result.determined for result in service.evaluate(code, answers, on_date).results)
