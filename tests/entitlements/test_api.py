"""The entitlements JSON API."""

from __future__ import annotations

import pytest

from carebridge.entitlements import schemas
from carebridge.entitlements.vocabulary import SERVICE_CATEGORIES, STATUSES

ISSUE_EXAMPLE = {"jurisdiction": "GB-ENG", "on_date": "2026-11-23", "language": "en",
                 "person": {"status": "undocumented", "age": 34, "pregnant": True}}


def evaluate(client, **changes):
    response = client.post("/api/v1/entitlements/evaluate", json={**ISSUE_EXAMPLE, **changes})
    return response


def test_evaluate_answers_in_the_shape_of_the_issue(client):
    response = evaluate(client, person={**ISSUE_EXAMPLE["person"], "trafficking_victim": False})
    assert response.status_code == 200
    body = response.json()
    schemas.EvaluateResponse.model_validate(body)
    assert body["jurisdiction"] == "GB-ENG" and body["on_date"] == "2026-11-23"
    assert [r["service_category"] for r in body["results"]] == list(SERVICE_CATEGORIES)
    maternity = next(r for r in body["results"] if r["service_category"] == "maternity")
    assert maternity["outcome"] == "charged-never-withheld"
    assert maternity["upfront_payment"] is False
    assert maternity["confidence"] == "primary"
    assert maternity["last_reviewed"] == "2026-11-22"
    assert maternity["rule_id"] == "gb-eng-maternity-chargeable"
    assert maternity["sources"][0]["citation"] and maternity["sources"][0]["url"].startswith("https://")
    for key in ("cost", "conditions", "documents", "steps", "explanation"):
        assert key in maternity
    assert body["notice"] == "This is information, not legal advice."
    assert any(entry["verdict"] == "applied" for entry in maternity["trace"])


def test_the_issue_example_itself_gets_charged_never_withheld_with_what_trafficking_would_change(client):
    response = evaluate(client)
    assert response.status_code == 200
    body = response.json()
    schemas.EvaluateResponse.model_validate(body)
    maternity = next(r for r in body["results"] if r["service_category"] == "maternity")
    assert maternity["outcome"] == "charged-never-withheld" and maternity["determined"] is True
    assert maternity["upfront_payment"] is False
    assert maternity["rule_id"] == "gb-eng-maternity-chargeable" and maternity["confidence"] == "primary"
    assert maternity["last_reviewed"] == "2026-11-22"
    assert any("SI 2017/756" in source["citation"] for source in maternity["sources"])
    assert maternity["cost"] and maternity["steps"] and maternity["explanation"]
    assert maternity["missing_facts"] == []
    assert maternity["assumptions"] == [{"fact": "trafficking_victim", "assumed": False}]
    [better] = maternity["better_if"]
    assert better["fact"] == "trafficking_victim" and better["value"] is True
    assert better["outcome"] == "covered-free" and better["determined"] is True
    assert better["outcome_label"] == "You can get this care for free"
    assert better["rule_id"] == "gb-eng-exempt-modern-slavery" and better["rule_kind"] == "rule"
    assert "trafficking" in better["explanation"] and better["upfront_payment"] is False

    hospital = next(r for r in body["results"] if r["service_category"] == "hospital-care")
    assert hospital["outcome"] == "covered-with-charges"
    assert {(b["fact"], b["outcome"]) for b in hospital["better_if"]} == {
        ("trafficking_victim", "covered-free"), ("torture_or_violence_survivor", "covered-limited")}

    primary = next(r for r in body["results"] if r["service_category"] == "primary-care")
    assert primary["assumptions"] == [] and primary["better_if"] == []


def test_a_yes_to_trafficking_is_used_as_given(client):
    body = evaluate(client, person={**ISSUE_EXAMPLE["person"], "trafficking_victim": True}).json()
    maternity = next(r for r in body["results"] if r["service_category"] == "maternity")
    assert maternity["outcome"] == "covered-free" and maternity["rule_id"] == "gb-eng-exempt-modern-slavery"
    assert maternity["assumptions"] == [] and maternity["better_if"] == []


def test_better_if_is_in_the_requested_language(client):
    body = evaluate(client, language="ar").json()
    maternity = next(r for r in body["results"] if r["service_category"] == "maternity")
    [better] = maternity["better_if"]
    assert better["outcome_label"] != "You can get this care for free"
    assert any("\u0600" <= character <= "\u06ff" for character in better["explanation"])


def test_evaluate_does_not_guess_an_unanswered_fact(client):
    body = evaluate(client, person={"status": "refused-asylum-seeker", "age": 40}).json()
    hospital = next(r for r in body["results"] if r["service_category"] == "hospital-care")
    assert hospital["outcome"] == "unknown" and hospital["determined"] is False
    assert hospital["missing_facts"] == ["receives_asylum_support"]
    assert {p["outcome"] for p in hospital["possible_outcomes"]} == {"covered-free", "covered-with-charges"}
    torture = next(b for b in hospital["better_if"] if b["fact"] == "torture_or_violence_survivor")
    assert torture["outcome"] == "unknown" and torture["determined"] is False
    assert torture["missing_facts"] == ["receives_asylum_support"]
    assert {p["outcome"] for p in torture["possible_outcomes"]} == {"covered-free", "covered-limited"}


def test_the_trace_can_be_left_out(client):
    body = evaluate(client, include_trace=False).json()
    assert all("trace" not in result for result in body["results"])


@pytest.mark.parametrize(
    ("changes", "field", "allowed"),
    [
        ({"jurisdiction": "XX"}, "jurisdiction", ["DE", "ES", "FR", "GB-ENG", "IT", "SE"]),
        ({"person": {"status": "tourist"}}, "status", list(STATUSES)),
        ({"language": "tlh"}, "language", ["en", "ar", "fa", "uk", "fr", "es"]),
    ],
)
def test_unknown_values_get_a_problem_document_listing_the_allowed_values(client, changes, field, allowed):
    response = evaluate(client, **changes)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == 422 and problem["title"]
    [error] = [e for e in problem["errors"] if e["name"] == field]
    assert error["allowed"] == allowed


def test_an_unknown_fact_gets_the_list_of_facts(client):
    problem = evaluate(client, person={"shoe_size": 42, "age": "old"}).json()
    errors = {e["name"]: e for e in problem["errors"]}
    assert "pregnant" in errors["shoe_size"]["allowed"] and "status" in errors["shoe_size"]["allowed"]
    assert errors["age"]["pointer"] == "/person/age"


def test_next_question_asks_only_what_matters(client):
    response = client.post("/api/v1/entitlements/next-question",
                           json={"jurisdiction": "DE", "on_date": "2026-11-23", "person": {}})
    assert response.status_code == 200
    body = response.json()
    assert body["done"] is False and body["question"]["fact"] == "receives_asylum_support"
    assert body["question"]["kind"] == "boolean" and "AsylbLG" in body["question"]["text"]

    body = client.post("/api/v1/entitlements/next-question",
                       json={"jurisdiction": "GB-ENG", "on_date": "2026-11-23", "person": {}}).json()
    assert body["question"]["fact"] == "status"
    assert [choice["value"] for choice in body["question"]["choices"]] == list(STATUSES)

    body = client.post("/api/v1/entitlements/next-question",
                       json={"jurisdiction": "DE", "on_date": "2026-11-23",
                             "person": {"receives_asylum_support": False}}).json()
    assert body == {"jurisdiction": "DE", "on_date": "2026-11-23", "language": "en", "done": True, "question": None}


def test_a_disclosure_question_is_marked_sensitive_and_optional_and_can_be_declined(client):
    def ask(**changes):
        return client.post("/api/v1/entitlements/next-question",
                           json={"jurisdiction": "GB-ENG", "on_date": "2026-11-23",
                                 "person": ISSUE_EXAMPLE["person"], **changes})

    question = ask().json()["question"]
    assert question["fact"] == "trafficking_victim"
    assert question["sensitive"] is True and question["optional"] is True and question["assumed"] is False
    schemas.NextQuestionResponse.model_validate(ask().json())
    question = ask(declined=["trafficking_victim"]).json()["question"]
    assert question["fact"] == "torture_or_violence_survivor" and question["optional"] is True
    body = ask(declined=["trafficking_victim", "torture_or_violence_survivor"]).json()
    assert body["done"] is True and body["question"] is None

    plain = client.post("/api/v1/entitlements/next-question",
                        json={"jurisdiction": "GB-ENG", "on_date": "2026-11-23",
                              "person": {"status": "undocumented"}}).json()["question"]
    assert plain["fact"] == "age" and plain["optional"] is False and plain["assumed"] is None

    response = ask(declined=["shoe_size"])
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["name"] == "declined" and "trafficking_victim" in error["allowed"]


def test_next_question_rejects_unknown_facts(client):
    response = client.post("/api/v1/entitlements/next-question",
                           json={"jurisdiction": "GB-ENG", "person": {"favourite_colour": "blue"}})
    assert response.status_code == 422


def test_jurisdictions_are_listed_with_their_review_dates(client):
    body = client.get("/api/v1/entitlements/jurisdictions").json()
    codes = [j["code"] for j in body["jurisdictions"]]
    assert codes == ["DE", "ES", "FR", "GB-ENG", "IT", "SE"]
    england = body["jurisdictions"][codes.index("GB-ENG")]
    assert england["name"] == "England" and england["rules_last_reviewed"] == "2026-11-22"
    assert england["rule_count"] > 10 and england["gap_count"] >= 1


def test_rules_are_published_with_conditions_in_jsonlogic(client):
    body = client.get("/api/v1/entitlements/rules", params={"jurisdiction": "DE", "on_date": "2020-01-01"}).json()
    rules = {rule["id"]: rule for rule in body["rules"]}
    after = rules["de-asylblg-after-18-months"]
    assert after["when"] == "receives_asylum_support and months_in_country >= 18"
    assert after["when_jsonlogic"] == {"and": [{"var": "receives_asylum_support"},
                                               {">=": [{"var": "months_in_country"}, 18]}]}
    assert after["in_force"] is True and rules["de-asylblg-after-36-months"]["in_force"] is False
    assert rules["de-gap-without-asylblg"]["kind"] == "gap" and rules["de-gap-without-asylblg"]["ask"]


def test_rules_need_a_known_jurisdiction(client):
    for params in ({}, {"jurisdiction": "Narnia"}):
        response = client.get("/api/v1/entitlements/rules", params=params)
        assert response.status_code == 422
        assert response.json()["errors"][0]["allowed"] == ["DE", "ES", "FR", "GB-ENG", "IT", "SE"]


def test_the_openapi_document_describes_the_person(client):
    document = client.get("/api/openapi.json").json()
    assert "/api/v1/entitlements/evaluate" in document["paths"]
    person = document["components"]["schemas"]["EvaluateRequest"]["properties"]["person"]
    # null is "not answered", which the API accepts, so the description says so too.
    assert person["properties"]["status"]["enum"] == [*STATUSES, None]
    assert "assumed false" in person["properties"]["trafficking_victim"]["description"]
    assert "assumed" not in person["properties"]["receives_asylum_support"]["description"]


def test_the_openapi_document_describes_assumptions_and_better_if(client):
    components = client.get("/api/openapi.json").json()["components"]["schemas"]
    result = components["CategoryResult"]["properties"]
    assert {"assumptions", "better_if", "missing_facts", "determined"} <= set(result)
    assert {"fact", "assumed"} <= set(components["Assumption"]["properties"])
    assert {"fact", "value", "outcome", "rule_id", "explanation"} <= set(components["BetterIf"]["properties"])
    question = components["Question"]["properties"]
    assert {"sensitive", "optional", "assumed"} <= set(question)
    assert "declined" in components["NextQuestionRequest"]["properties"]
