"""/api/v1/clients: the same rules as the pages, as JSON with problem documents."""

from __future__ import annotations

import re

import pytest
from factories import audit as audit_factories
from factories import clients as factories
from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st

PROBLEM = "application/problem+json"


@pytest.fixture
def world(app, session, client):
    settings = app.state.settings
    worker = factories.caseworker(session)
    record = factories.client(session, settings, worker.actor, preferred_name="Amina Api", languages=["ckb"])
    session.commit()
    token = audit_factories.sign_in_as(client, worker.actor)
    client.headers["X-CSRF-Token"] = token
    return {"settings": settings, "worker": worker, "client": record}


def test_create_answers_201_with_location_and_the_record(client, session, world):
    response = client.post(
        "/api/v1/clients",
        json={"preferred_name": "Hawre", "languages": ["ckb", "kmr"], "birth_year": 1985, "interpreter_needed": True,
              "interpreter_gender": "male", "interpreter_not_from_community": True},
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["location"] == f"/api/v1/clients/{body['id']}"
    assert body["preferred_name"] == "Hawre" and body["languages"] == ["ckb", "kmr"]
    assert body["interpreter"] == {"needed": True, "language": "ckb", "gender": "male", "not_from_community": True}
    assert body["version"] == 1 and body["status"] == "open" and body["team_id"] == world["worker"].team.id
    assert "immigration" not in response.text
    read = client.get(response.headers["location"])
    assert read.status_code == 200 and read.json()["id"] == body["id"]
    assert factories.audit_actions(session, body["id"]) == ["client.create", "client.read"]


def test_bad_input_is_a_problem_document_naming_each_field(client, world):
    response = client.post(
        "/api/v1/clients", json={"preferred_name": "Am\u202eina", "languages": ["klingon"], "birth_year": 1800}
    )
    assert response.status_code == 422 and response.headers["content-type"].startswith(PROBLEM)
    assert {error["name"] for error in response.json()["errors"]} == {"preferred_name", "languages", "birth_year"}
    unknown = client.post("/api/v1/clients", json={"preferred_name": "A", "nationality": "x"})
    assert unknown.status_code == 422 and unknown.headers["content-type"].startswith(PROBLEM)


def test_patch_changes_only_what_is_given_and_a_stale_version_is_409(client, world):
    path = f"/api/v1/clients/{world['client'].id}"
    response = client.patch(path, json={"version": 1, "gender": "woman"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["gender"], body["preferred_name"], body["languages"], body["version"]) == ("woman", "Amina Api", ["ckb"], 2)
    stale = client.patch(path, json={"version": 1, "gender": "other"})
    assert stale.status_code == 409 and stale.headers["content-type"].startswith(PROBLEM)
    assert "Someone else changed this record" in stale.json()["detail"]
    assert client.get(path).json()["gender"] == "woman"


def test_close_reopen_and_contact_made(client, session, world):
    path = f"/api/v1/clients/{world['client'].id}"
    made = client.post(f"{path}/contact-made")
    assert made.status_code == 200 and made.json()["last_contact_at"]
    closed = client.post(f"{path}/close").json()
    assert closed["status"] == "closed" and closed["erase_after"]
    again = client.post(f"{path}/close")
    assert again.status_code == 409 and again.headers["content-type"].startswith(PROBLEM)
    assert client.post(f"{path}/reopen").json()["erase_after"] is None
    flagged = client.post(f"{path}/needs-attention", json={"needs_attention": True}).json()
    assert flagged["needs_attention"] and flagged["attention"] == "flagged"


def test_the_list_has_the_caseload_and_its_filters(client, world):
    response = client.get("/api/v1/clients")
    assert response.status_code == 200
    body = response.json()
    assert [person["id"] for person in body["people"]] == [world["client"].id]
    assert body["people"][0]["preferred_name"] == "Amina Api" and body["has_next"] is False
    bad = client.get("/api/v1/clients", params={"last_contact": "yesterday"})
    assert bad.status_code == 422 and bad.headers["content-type"].startswith(PROBLEM)


def test_outside_scope_is_404_and_without_sign_in_401(app, client, session, world):
    other = factories.caseworker(session, organisation_=world["worker"].organisation)
    session.commit()
    path = f"/api/v1/clients/{world['client'].id}"
    token = audit_factories.sign_in_as(client, other.actor)
    client.headers["X-CSRF-Token"] = token
    for response in (client.get(path), client.patch(path, json={"version": 1}), client.post(f"{path}/close")):
        assert response.status_code == 404 and response.headers["content-type"].startswith(PROBLEM)
    assert client.get("/api/v1/clients").json()["people"] == []
    client.cookies.clear()
    assert client.get(path).status_code == 401


def test_no_personal_data_in_a_location_or_a_problem(client, world):
    response = client.post("/api/v1/clients", json={"preferred_name": "Zainab Marker", "birth_date": "2999-01-01"})
    assert response.status_code == 422 and "Zainab" not in response.text
    created = client.post("/api/v1/clients", json={"preferred_name": "Zainab Marker"})
    assert re.fullmatch(r"/api/v1/clients/[0-9a-f-]{36}", created.headers["location"])


@hypothesis_settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    body=st.fixed_dictionaries(
        {"preferred_name": st.text(max_size=300)},
        optional={
            "gender": st.none() | st.text(max_size=120),
            "languages": st.lists(st.text(max_size=15) | st.sampled_from(["prs", "ar-SY", "ckb", "xx"]), max_size=12),
            "birth_year": st.integers(min_value=-5, max_value=10_000),
            "birth_date": st.dates().map(str),
            "interpreter_gender": st.sampled_from(["any", "female", "male", "other"]),
            "interpreter_language": st.text(max_size=10),
        },
    )
)
def test_any_profile_is_201_or_a_422_problem_never_a_500(client, world, body):
    response = client.post("/api/v1/clients", json=body)
    assert response.status_code in (201, 422), response.text[:300]
    if response.status_code == 422:
        assert response.headers["content-type"].startswith(PROBLEM)
