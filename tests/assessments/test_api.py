"""The assessment API: list, create, read, override, the rules in force; problem documents (RFC 9457) for bad input
and out of scope; every route answers 4xx to junk, never 500."""

from __future__ import annotations

import pytest
from factories import audit as audit_factories
from factories import clients as factories


@pytest.fixture
def world(app, session):  # noqa: ANN001, ANN201
    settings = app.state.settings
    worker = factories.caseworker(session)
    person = factories.client(session, settings, worker.actor)
    session.commit()
    return {"settings": settings, "worker": worker, "client": person}


def _signed_in(client, world) -> str:  # noqa: ANN001
    token = audit_factories.sign_in_as(client, world["worker"].actor)
    client.headers["X-CSRF-Token"] = token
    return token


BODY = {
    "domains": {
        "housing": {"score": 4, "words": "Notice to leave", "strengths": "Good neighbours"},
        "finances": {"score": 3},
        "language": {"score": None},
    },
    "what_matters": "A safe home",
}


def test_create_list_read_and_override(client, session, world) -> None:
    _signed_in(client, world)
    base = f"/api/v1/clients/{world['client'].id}/assessments"
    created = client.post(base, json=BODY)
    assert created.status_code == 201, created.text
    data = created.json()
    assert data["category"] == data["rules_category"] == "critical"
    assert data["basis"]["rule"] == "eviction-compounded" and data["basis"]["used"] == {"housing": 4, "finances": 3}
    assert data["domains"]["housing"]["words"] == "Notice to leave" and data["domains"]["safety"]["score"] is None
    assert data["override"] is None and data["what_matters"] == "A safe home"

    listed = client.get(base)
    assert listed.status_code == 200 and [item["id"] for item in listed.json()["items"]] == [data["id"]]
    read = client.get(f"/api/v1/assessments/{data['id']}")
    assert read.status_code == 200 and read.json()["id"] == data["id"]

    override = client.post(f"/api/v1/assessments/{data['id']}/override",
                           json={"category": "complex", "reason": "Rehoused this morning"})
    assert override.status_code == 200, override.text
    assert override.json()["category"] == "complex" and override.json()["rules_category"] == "critical"
    assert override.json()["override"]["reason"] == "Rehoused this morning"
    actions = factories.audit_actions(session, world["client"].id)
    assert {"assessment.create", "assessment.read", "assessment.override"} <= set(actions)


@pytest.mark.parametrize(
    "body",
    [
        {"domains": {}},
        {"domains": {"housing": {"score": 5}}},
        {"domains": {"immigration": {"score": 1}}},
        {"domains": {"housing": {"score": 1, "colour": "red"}}},
        {"domains": {"housing": {"score": "x"}}},
        {"domains": "housing"},
        {},
        [],
    ],
)
def test_bad_answers_are_problems(client, world, body) -> None:  # noqa: ANN001
    _signed_in(client, world)
    response = client.post(f"/api/v1/clients/{world['client'].id}/assessments", json=body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


def test_override_problems_and_out_of_scope(client, session, world) -> None:
    _signed_in(client, world)
    created = client.post(f"/api/v1/clients/{world['client'].id}/assessments", json=BODY).json()
    url = f"/api/v1/assessments/{created['id']}/override"
    for body in ({"category": "urgent", "reason": "x"}, {"category": "critical", "reason": "   "}, {"category": "critical"}):
        response = client.post(url, json=body)
        assert response.status_code == 422 and response.headers["content-type"].startswith("application/problem+json")
    assert client.get("/api/v1/assessments/00000000-0000-4000-8000-000000000000").status_code == 404
    other = factories.caseworker(session, organisation_=world["worker"].organisation)
    session.commit()
    client.headers["X-CSRF-Token"] = audit_factories.sign_in_as(client, other.actor)
    assert client.get(f"/api/v1/assessments/{created['id']}").status_code == 404
    assert client.post(url, json={"category": "critical", "reason": "x"}).status_code == 404
    assert client.get(f"/api/v1/clients/{world['client'].id}/assessments").status_code == 404


def test_the_rules_in_force_are_published_to_staff(client, world) -> None:
    assert client.get("/api/v1/assessment-rules").status_code == 401
    _signed_in(client, world)
    rules = client.get("/api/v1/assessment-rules").json()
    assert [item["id"] for item in rules["categories"]] == ["resilience", "guidance", "complex", "critical"]
    assert rules["rules"][-1]["otherwise"] is True and rules["version"]
    assert rules["categories"][0]["meaning"]["en"].startswith("Managing well")
