"""The engine: evaluate() and next_question(), on the seeded rules bases."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carebridge.entitlements import service
from carebridge.entitlements.rulebook import get_rulebooks
from carebridge.entitlements.vocabulary import DISCLOSURE_FACTS, FACTS, PERSON_FIELDS, SERVICE_CATEGORIES, STATUSES
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


# ---------------------------------------------------------------------------------------------------------------
# Disclosure facts: assumed "no" when unanswered, with what a "yes" would change

ISSUE_PERSON = {"status": "undocumented", "age": 34, "pregnant": True}


def test_disclosure_facts_are_the_sensitive_special_circumstances_only():
    assert DISCLOSURE_FACTS == ("trafficking_victim", "torture_or_violence_survivor")
    # Facts whose "no" is not a safe base case are never assumed.
    for name in ("receives_asylum_support", "months_in_country", "has_health_insurance", "unaccompanied_minor",
                 "pregnant", "paid_health_surcharge", "income_below_threshold"):
        assert not FACTS[name].disclosure


def test_the_issue_example_gets_the_base_case_of_the_law_and_what_trafficking_would_change():
    maternity = service.evaluate("GB-ENG", ISSUE_PERSON, TODAY).result("maternity")
    assert maternity.outcome == "charged-never-withheld" and maternity.determined
    assert maternity.upfront_payment is False
    assert maternity.rule_id == "gb-eng-maternity-chargeable" and maternity.kind == "rule"
    assert any("SI 2017/756" in source["citation"] for source in maternity.sources)
    assert maternity.confidence == "primary" and maternity.last_reviewed == dt.date(2026, 11, 22)
    assert maternity.cost and maternity.steps and maternity.explanation
    assert maternity.missing_facts == []
    assert [(a.fact, a.assumed) for a in maternity.assumptions] == [("trafficking_victim", False)]
    [better] = maternity.better_if
    assert (better.fact, better.value, better.outcome, better.determined) == (
        "trafficking_victim", True, "covered-free", True)
    assert better.rule_id == "gb-eng-exempt-modern-slavery" and better.upfront_payment is False
    assert "trafficking" in better.explanation and better.cost


def test_hospital_care_could_be_better_after_trafficking_or_torture():
    hospital = service.evaluate("GB-ENG", ISSUE_PERSON, TODAY).result("hospital-care")
    assert hospital.outcome == "covered-with-charges" and hospital.determined
    assert hospital.rule_id == "gb-eng-hospital-chargeable"
    assert [a.fact for a in hospital.assumptions] == ["trafficking_victim", "torture_or_violence_survivor"]
    assert {b.fact: (b.outcome, b.rule_id) for b in hospital.better_if} == {
        "trafficking_victim": ("covered-free", "gb-eng-exempt-modern-slavery"),
        "torture_or_violence_survivor": ("covered-limited", "gb-eng-hospital-torture-violence"),
    }


def test_care_free_for_everyone_rests_on_no_assumption():
    evaluation = service.evaluate("GB-ENG", ISSUE_PERSON, TODAY)
    for category in ("primary-care", "emergency", "communicable-diseases"):
        result = evaluation.result(category)
        assert result.outcome == "covered-free" and not result.assumptions and not result.better_if


def test_an_answered_disclosure_fact_is_used_as_given():
    trafficked = service.evaluate("GB-ENG", {**ISSUE_PERSON, "trafficking_victim": True}, TODAY)
    maternity = trafficked.result("maternity")
    assert maternity.outcome == "covered-free" and maternity.rule_id == "gb-eng-exempt-modern-slavery"
    assert maternity.assumptions == [] and maternity.better_if == []
    hospital = trafficked.result("hospital-care")
    assert hospital.outcome == "covered-free"
    assert hospital.assumptions == [] and hospital.better_if == []  # torture cannot improve on free

    answered_no = service.evaluate("GB-ENG", {**ISSUE_PERSON, "trafficking_victim": False}, TODAY)
    maternity = answered_no.result("maternity")
    assert maternity.outcome == "charged-never-withheld" and maternity.assumptions == [] and maternity.better_if == []
    # The other disclosure fact is still assumed where it matters.
    assert [a.fact for a in answered_no.result("hospital-care").assumptions] == ["torture_or_violence_survivor"]


def test_a_result_that_still_depends_on_other_answers_stays_unknown_with_assumptions_inside():
    hospital = service.evaluate("GB-ENG", {"status": "refused-asylum-seeker", "age": 40}, TODAY).result("hospital-care")
    assert hospital.outcome == "unknown" and not hospital.determined and hospital.rule_id is None
    assert hospital.missing_facts == ["receives_asylum_support"]  # never a disclosure fact
    assert {p.outcome for p in hospital.possible_outcomes} == {"covered-free", "covered-with-charges"}
    assert [a.fact for a in hospital.assumptions] == ["trafficking_victim", "torture_or_violence_survivor"]
    better = {b.fact: b for b in hospital.better_if}
    assert better["trafficking_victim"].outcome == "covered-free" and better["trafficking_victim"].determined
    torture = better["torture_or_violence_survivor"]
    assert torture.outcome == "unknown" and not torture.determined
    assert {p.outcome for p in torture.possible_outcomes} == {"covered-free", "covered-limited"}
    assert torture.missing_facts == ["receives_asylum_support"]


def test_a_disclosure_fact_can_improve_a_declared_gap():
    mental = service.evaluate("GB-ENG", ISSUE_PERSON, TODAY).result("mental-health")
    assert mental.outcome == "unknown" and mental.determined and mental.kind == "gap"
    [better] = mental.better_if
    assert (better.fact, better.outcome) == ("torture_or_violence_survivor", "covered-limited")


def test_the_trace_says_which_values_were_assumed():
    trace = {entry.rule_id: entry.reason() for entry in
             service.evaluate("GB-ENG", ISSUE_PERSON, TODAY).result("maternity").trace}
    assert "(assuming trafficking_victim = no)" in trace["gb-eng-maternity-chargeable"]
    assert "trafficking_victim = no (assumed)" in trace["gb-eng-exempt-modern-slavery"]


def test_better_if_texts_are_translated_too():
    maternity = service.evaluate("GB-ENG", ISSUE_PERSON, TODAY, translate=str.upper).result("maternity")
    assert maternity.better_if[0].explanation.isupper() and maternity.better_if[0].cost.isupper()


def test_disclosure_questions_come_last_marked_sensitive_and_optional():
    question = service.next_question("GB-ENG", {"status": "undocumented"}, TODAY)
    assert question.fact == "age" and not question.sensitive and not question.optional and question.assumed is None
    question = service.next_question("GB-ENG", ISSUE_PERSON, TODAY)
    assert question.fact == "trafficking_victim"
    assert question.sensitive and question.optional and question.assumed is False
    assert question.service_categories == ["hospital-care", "maternity", "sexual-reproductive-health"]
    after = service.next_question("GB-ENG", {**ISSUE_PERSON, "trafficking_victim": False}, TODAY)
    assert after.fact == "torture_or_violence_survivor" and after.optional
    # After a "yes" to trafficking, hospital care is free whatever else; torture still matters for mental health.
    after = service.next_question("GB-ENG", {**ISSUE_PERSON, "trafficking_victim": True}, TODAY)
    assert after.fact == "torture_or_violence_survivor" and after.service_categories == ["mental-health"]
    assert service.next_question("GB-ENG", {**ISSUE_PERSON, "trafficking_victim": True,
                                            "torture_or_violence_survivor": False}, TODAY) is None


def test_a_declined_question_is_not_asked_again_and_keeps_its_assumption():
    question = service.next_question("GB-ENG", ISSUE_PERSON, TODAY, declined=["trafficking_victim"])
    assert question.fact == "torture_or_violence_survivor"
    assert service.next_question("GB-ENG", ISSUE_PERSON, TODAY,
                                 declined=["trafficking_victim", "torture_or_violence_survivor"]) is None
    with pytest.raises(InvalidInput) as caught:
        service.next_question("GB-ENG", {}, TODAY, declined=["shoe_size"])
    assert caught.value.errors[0].allowed[0] == "status"


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
# Properties that hold for every rules base, person and date, checked against a brute-force oracle


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
ORACLE_LIMIT = 5000  # completions the brute force tries for one category before it gives up on an example


def assume_disclosures(person):
    """The person as the engine reads it: each unanswered disclosure fact taken as "no"."""
    return {**{name: False for name in DISCLOSURE_FACTS}, **person}


def category_outcome(code, on_date, category, person):
    for rule in RULEBOOKS[code].epoch(on_date).candidates[category]:
        if rule.applies(person) is True:
            return rule.outcome
    return "unknown"


class Oracle:
    """Every completion of one category's unanswered facts, by brute force; None from each question if too many."""

    def __init__(self, code, on_date, category, person):
        candidates = RULEBOOKS[code].epoch(on_date).candidates[category]
        reads = {name for rule in candidates for name in rule.facts} | {"status"}
        self.names = sorted(reads - set(person))
        domains = [STATUSES if n == "status" else (False, True) if FACTS[n].kind == "boolean"
                   else interesting_values(code, n) for n in self.names]
        size = 1
        for domain in domains:
            size *= len(domain)
        self.table = None
        if size <= ORACLE_LIMIT:
            self.table = {point: category_outcome(code, on_date, category, {**person, **dict(zip(self.names, point))})
                          for point in itertools.product(*domains)}

    def outcomes(self):
        return None if self.table is None else set(self.table.values())

    def can_change(self, fact):
        """Do two completions that differ only in `fact` get different outcomes?"""
        if self.table is None:
            return None
        if fact not in self.names:
            return False
        index = self.names.index(fact)
        by_rest: dict = {}
        for point, outcome in self.table.items():
            if by_rest.setdefault(point[:index] + point[index + 1:], outcome) != outcome:
                return True
        return False


@FAST
@given(cases())
def test_evaluation_is_deterministic(case):
    code, on_date, partial, _ = case

    def summary(evaluation):
        return [(r.outcome, r.rule_id, r.missing_facts, [(a.fact, a.assumed) for a in r.assumptions],
                 [(b.fact, b.value, b.outcome, b.rule_id) for b in r.better_if]) for r in evaluation.results]

    first = service.evaluate(code, partial, on_date)
    service.clear_caches()
    again = service.evaluate(code, dict(reversed(list(partial.items()))), on_date)
    assert summary(first) == summary(again)


@FAST
@given(cases(), st.data())
def test_a_determined_outcome_holds_for_any_non_disclosure_answers_with_disclosures_absent_or_false(case, data):
    code, on_date, partial, complete = case
    later_person = dict(complete)
    for name in DISCLOSURE_FACTS:
        if name not in partial:
            if data.draw(st.booleans(), label=f"leave {name} unanswered"):
                del later_person[name]
            else:
                later_person[name] = False
    now = service.evaluate(code, partial, on_date)
    later = service.evaluate(code, later_person, on_date)
    for before, after in zip(now.results, later.results, strict=True):
        assert after.determined, "with every other fact answered, the result is determined"
        if before.determined:
            assert after.outcome == before.outcome, before.service_category
        else:
            assert after.outcome in {p.outcome for p in before.possible_outcomes}, before.service_category


@FAST
@given(cases(), st.data())
def test_one_true_disclosure_gives_what_better_if_said(case, data):
    code, on_date, partial, complete = case
    unanswered = [name for name in DISCLOSURE_FACTS if name not in partial]
    if not unanswered:
        return
    fact = data.draw(st.sampled_from(unanswered), label="disclosed")
    later_person = {**complete, **{name: False for name in unanswered}, fact: True}
    now = service.evaluate(code, partial, on_date)
    later = service.evaluate(code, later_person, on_date)
    for before, after in zip(now.results, later.results, strict=True):
        better = {b.fact: b for b in before.better_if}.get(fact)
        if better is None:  # a "yes" changes nothing: the headline still holds
            expected = {before.outcome} if before.determined else {p.outcome for p in before.possible_outcomes}
        elif better.determined:
            expected = {better.outcome}
        else:
            expected = {p.outcome for p in better.possible_outcomes}
        assert after.outcome in expected, (before.service_category, fact)


@FAST
@given(cases())
def test_a_result_without_assumptions_holds_whatever_anything_turns_out_to_be(case):
    code, on_date, partial, complete = case
    now = service.evaluate(code, partial, on_date)
    later = service.evaluate(code, complete, on_date)
    for before, after in zip(now.results, later.results, strict=True):
        assert after.determined and not after.assumptions and not after.better_if
        if before.determined and not before.assumptions:
            assert after.outcome == before.outcome, before.service_category


def check_against_oracle(code, on_date, partial):
    """Headline, missing_facts, assumptions and better_if, each against every completion of the answers."""
    evaluation = service.evaluate(code, partial, on_date)
    assumed = assume_disclosures(partial)
    for result in evaluation.results:
        category = result.service_category
        headline = Oracle(code, on_date, category, assumed)
        outcomes = headline.outcomes()
        if outcomes is None:
            continue
        assert result.determined == (len(outcomes) == 1), category
        if result.determined:
            assert {result.outcome} == outcomes, category
        else:
            assert {p.outcome for p in result.possible_outcomes} == outcomes, category
            assert set(result.missing_facts) == {n for n in headline.names if headline.can_change(n)}, category
        assert not set(result.missing_facts) & set(DISCLOSURE_FACTS)
        # An assumption: an unanswered disclosure fact that can change the outcome at all.
        as_answered = Oracle(code, on_date, category, partial)
        if as_answered.table is not None:
            assert [a.fact for a in result.assumptions] == [
                name for name in DISCLOSURE_FACTS if name not in partial and as_answered.can_change(name)
            ], category
        assert all(a.assumed is False for a in result.assumptions)
        # better_if: exactly the unanswered disclosure facts whose "yes" changes the outcome, the others assumed.
        expected = []
        for name in DISCLOSURE_FACTS:
            if name in partial:
                continue
            changes = Oracle(code, on_date, category, {k: v for k, v in assumed.items() if k != name}).can_change(name)
            if changes is None:
                break
            if changes:
                expected.append(name)
        else:
            assert [b.fact for b in result.better_if] == expected, category
        for better in result.better_if:
            assert better.value is True
            yes = Oracle(code, on_date, category, {**assumed, better.fact: True}).outcomes()
            if yes is not None:
                if better.determined:
                    assert {better.outcome} == yes, category
                else:
                    assert {p.outcome for p in better.possible_outcomes} == yes, category


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_the_result_is_exactly_what_brute_force_finds(case):
    code, on_date, partial, _ = case
    check_against_oracle(code, on_date, partial)


# The bases whose rules read a disclosure fact, and the dates their rules change on.
READS_DISCLOSURES = sorted(code for code, rulebook in RULEBOOKS.items()
                           if any(set(rule.facts) & set(DISCLOSURE_FACTS) for rule in rulebook.entries))


@st.composite
def disclosure_cases(draw):
    """Answers that leave the disclosure facts (and often the status) open, where assumptions matter."""
    code = draw(st.sampled_from(READS_DISCLOSURES))
    others = {"status": st.sampled_from(STATUSES)} | {
        name: value_strategy(code, name) for name in FACTS if name not in DISCLOSURE_FACTS}
    partial = draw(st.fixed_dictionaries({}, optional=others))
    for name in DISCLOSURE_FACTS:
        value = draw(st.sampled_from([None, None, None, False, True]), label=name)
        if value is not None:
            partial[name] = value
    on_date = draw(st.one_of(st.just(TODAY), dates(code)))
    return code, on_date, partial


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(disclosure_cases())
def test_assumptions_and_better_if_are_exactly_what_brute_force_finds(case):
    check_against_oracle(*case)


@pytest.mark.parametrize("code, partial", [
    ("GB-ENG", {}),
    ("GB-ENG", {"age": 30}),
    ("GB-ENG", {"status": "undocumented"}),
    ("GB-ENG", ISSUE_PERSON),
    ("GB-ENG", {**ISSUE_PERSON, "trafficking_victim": True}),
    ("GB-ENG", {**ISSUE_PERSON, "torture_or_violence_survivor": True}),
    ("GB-ENG", {"status": "refused-asylum-seeker", "age": 40}),
    ("GB-ENG", {"status": "labour-migrant", "age": 30}),
    ("GB-ENG", {"status": "visitor", "age": 16}),
    ("DE", {}),
    ("DE", {"receives_asylum_support": True}),
    ("DE", {"receives_asylum_support": True, "months_in_country": 6}),
])
def test_known_people_against_brute_force(code, partial):
    check_against_oracle(code, TODAY, partial)


@FAST
@given(cases())
def test_no_next_question_means_everything_is_settled(case):
    code, on_date, partial, _ = case
    if service.next_question(code, partial, on_date) is None:
        for result in service.evaluate(code, partial, on_date).results:
            assert result.determined and not result.assumptions and not result.better_if


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_the_suggested_question_can_change_an_outcome(case):
    code, on_date, partial, _ = case
    question = service.next_question(code, partial, on_date)
    if question is None:
        return
    assert question.fact not in partial
    assert question.service_categories
    changes = [Oracle(code, on_date, category, partial).can_change(question.fact)
               for category in question.service_categories]
    assert any(change is not False for change in changes)
    disclosure = question.fact in DISCLOSURE_FACTS
    assert (question.sensitive, question.optional, question.assumed) == (
        (True, True, False) if disclosure else (question.fact != "status" and FACTS[question.fact].sensitive,
                                                False, None))
    if disclosure:
        # Only when no other question could change any outcome, with the disclosure facts assumed.
        assumed = assume_disclosures(partial)
        for category in SERVICE_CATEGORIES:
            oracle = Oracle(code, on_date, category, assumed)
            assert not any(oracle.can_change(name) for name in oracle.names), category


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
    for result in service.evaluate(code, answers, on_date).results:
        assert result.determined and not result.assumptions and not result.better_if


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_declining_every_optional_question_still_ends_with_everything_determined(case):
    code, on_date, _, complete = case
    answers: dict = {}
    declined: list = []
    for _ in range(len(PERSON_FIELDS) + 1):
        question = service.next_question(code, answers, on_date, declined=declined)
        if question is None:
            break
        assert question.fact not in answers and question.fact not in declined
        if question.optional:
            declined.append(question.fact)
        else:
            answers[question.fact] = complete[question.fact]
    else:
        pytest.fail("the questions did not stop")
    assert set(declined) <= set(DISCLOSURE_FACTS)
    assert all(result.determined for result in service.evaluate(code, answers, on_date).results)


# ---------------------------------------------------------------------------------------------------------------
# A synthetic base where only the two disclosure facts together change an outcome (no seeded rule does this)

COMBINATION_BASE = """
jurisdiction: ZZ
name: Testland
country_name: Testland
where_to_ask: Ask the clinic.
rules:
  - id: zz-everyone-pays
    groups: everyone
    categories: all
    outcome: covered-with-charges
    upfront_payment: true
    cost: You pay.
    steps: [Go to the clinic.]
    explanation: Everyone pays.
    sources: [{citation: Test law, url: "https://example.org/law"}]
    confidence: primary
    last_reviewed: 2026-11-01
    reviewer: Test
    review: pending
    taken_from: Test guide
  - id: zz-refugees-limited
    groups: [refugee]
    categories: [hospital-care]
    outcome: covered-limited
    upfront_payment: false
    cost: Some care is free.
    steps: [Go to the clinic.]
    explanation: Refugees get some care.
    sources: [{citation: Test law, url: "https://example.org/law"}]
    confidence: primary
    last_reviewed: 2026-11-01
    reviewer: Test
    review: pending
    taken_from: Test guide
  - id: zz-both-free
    groups: [undocumented]
    when: trafficking_victim and torture_or_violence_survivor
    categories: [hospital-care]
    outcome: covered-free
    upfront_payment: false
    cost: Free.
    steps: [Go to the clinic.]
    explanation: People who were trafficked and tortured do not pay.
    sources: [{citation: Test law, url: "https://example.org/law"}]
    confidence: primary
    last_reviewed: 2026-11-01
    reviewer: Test
    review: pending
    taken_from: Test guide
"""


@pytest.fixture
def combination_rules(tmp_path):
    (tmp_path / "ZZ.yaml").write_text(COMBINATION_BASE, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("person", [{"status": "undocumented"}, {}], ids=["settled by ranking", "explored"])
def test_facts_that_matter_only_together_are_assumptions_but_no_single_yes_is_better(combination_rules, person):
    hospital = service.evaluate("ZZ", person, TODAY, rules_dir=combination_rules).result("hospital-care")
    assert [a.fact for a in hospital.assumptions] == ["trafficking_victim", "torture_or_violence_survivor"]
    assert hospital.better_if == []
    if "status" in person:
        assert hospital.outcome == "covered-with-charges" and hospital.determined
    else:
        assert not hospital.determined and hospital.missing_facts == ["status"]
    # One "yes" makes the other fact's "yes" matter on its own.
    one = service.evaluate("ZZ", {**person, "trafficking_victim": True}, TODAY,
                           rules_dir=combination_rules).result("hospital-care")
    [better] = one.better_if
    assert better.fact == "torture_or_violence_survivor"
    if "status" in person:
        assert (better.outcome, better.rule_id) == ("covered-free", "zz-both-free")
    else:
        assert not better.determined
        assert {p.outcome for p in better.possible_outcomes} == {"covered-free", "covered-limited",
                                                                 "covered-with-charges"}
    # And the questions still reach them, one at a time.
    question = service.next_question("ZZ", {"status": "undocumented"}, TODAY, rules_dir=combination_rules)
    assert question.fact == "trafficking_victim" and question.optional
