"""Volunteers pages and API on both databases, signed in for real: the register (422 with an error summary keeping
what was typed, then 303), finding and proposing from the person's page (agreement required), the volunteer's own
page and API showing only what the match needs and nothing once it ends, and the worker recording an answer."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from factories import accounts
from factories import audit as audit_factories
from factories import clients as client_factories
from factories import volunteers as factories

from carebridge.volunteers.models import VolunteerMatch


@pytest.fixture(autouse=True)
def _catalogs(compiled_catalogs):
    return compiled_catalogs


@pytest.fixture
def world(session, app, client):
    client.follow_redirects = False
    settings = app.state.settings
    worker = client_factories.caseworker(session)
    person = client_factories.client(
        session, settings, worker.actor, preferred_name="Amina Quorraq", languages=["ar-SY", "ti"],
        birth_date=dt.date(1991, 4, 17), gender="Zorblegender", interpreter_needed=True, interpreter_language="ti",
    )
    from carebridge.clients import notes

    notes.add_note(session, settings, worker.actor, person.id, "Quillnotemarker: sleeps badly since the journey")
    volunteer_account = accounts.account(session, roles=("volunteer",), organisation_=worker.organisation,
                                         name="Vera Volunteer")
    session.commit()
    return settings, worker, person, volunteer_account


def _location(response) -> str:
    assert response.status_code == 303, response.text[:500]
    return response.headers["location"]


def test_add_change_pause_and_remove_on_the_register(client, session, world) -> None:
    _settings, worker, _person, volunteer_account = world
    csrf = audit_factories.sign_in_as(client, worker.actor)
    assert client.get("/staff/volunteers").status_code == 200
    form = client.get("/staff/volunteers/new")
    assert form.status_code == 200 and "Vera Volunteer" in form.text
    wrong = client.post("/staff/volunteers/new", data={
        "csrf_token": csrf, "kind": "volunteer", "display_name": "Rania Haddad", "languages": "ar xx!",
        "check_on": "2026-02-30", "max_matches": "1"})
    assert wrong.status_code == 422 and "error-summary" in wrong.text and "Rania Haddad" in wrong.text
    assert 'href="#languages"' in wrong.text and 'href="#check_on"' in wrong.text
    assert _location(client.post("/staff/volunteers/new", data={
        "csrf_token": csrf, "kind": "volunteer", "display_name": "Rania Haddad", "languages": "ar en",
        "area": "Northside", "interests": ["football", "cooking"], "check_on": "2026-02-01",
        "check_expires_on": "2029-02-01", "max_matches": "2", "account_id": volunteer_account.id,
    })) == "/staff/volunteers?done=added"
    listed = client.get("/staff/volunteers?done=added")
    assert "Rania Haddad" in listed.text and "The volunteer was added." in listed.text
    volunteer_id = re.search(r"/staff/volunteers/([0-9a-f-]{36})/edit", listed.text).group(1)
    edit = client.get(f"/staff/volunteers/{volunteer_id}/edit")
    assert edit.status_code == 200 and 'name="version" value="1"' in edit.text
    assert _location(client.post(f"/staff/volunteers/{volunteer_id}/edit", data={
        "csrf_token": csrf, "version": "1", "kind": "family", "display_name": "The Haddads", "languages": "ar",
        "check_on": "2026-02-01", "check_expires_on": "2029-02-01", "max_matches": "1"})) == "/staff/volunteers?done=changed"
    stale = client.post(f"/staff/volunteers/{volunteer_id}/edit", data={
        "csrf_token": csrf, "version": "1", "kind": "family", "display_name": "Typed again", "languages": "ar",
        "max_matches": "1"})
    assert stale.status_code == 409 and "Typed again" in stale.text
    assert _location(client.post(f"/staff/volunteers/{volunteer_id}/pause",
                                 data={"csrf_token": csrf, "paused": "1"})) == "/staff/volunteers?done=paused"
    assert client.post(f"/staff/volunteers/{volunteer_id}/remove", data={"csrf_token": csrf}).status_code == 422
    assert _location(client.post(f"/staff/volunteers/{volunteer_id}/remove",
                                 data={"csrf_token": csrf, "confirm": "1"})) == "/staff/volunteers?done=removed"
    assert "The Haddads" not in client.get("/staff/volunteers").text
    assert client.get(f"/staff/volunteers/{volunteer_id}/edit").status_code == 404


def test_find_propose_and_what_the_volunteer_sees(app, client, session, world) -> None:
    settings, worker, person, volunteer_account = world
    from fastapi.testclient import TestClient

    worker_client = client
    volunteer_client = TestClient(app, follow_redirects=False)
    volunteer = factories.volunteer(session, settings, worker.actor, display_name="Rania Haddad",
                                    languages=["ar", "en"], interests=["football", "music"], account_id=volunteer_account.id)
    session.commit()
    csrf = audit_factories.sign_in_as(client, worker.actor)
    page = client.get(f"/staff/clients/{person.id}")
    assert page.status_code == 200 and 'id="volunteers"' in page.text
    found = client.post(f"/staff/clients/{person.id}/volunteers/find",
                        data={"csrf_token": csrf, "area": "Northside", "interests": ["football"]})
    assert found.status_code == 200 and "Rania Haddad" in found.text
    assert "Same area" in found.text and "Football" in found.text and "Arabic (Syria)" in found.text
    refused = client.post(f"/staff/clients/{person.id}/volunteers/propose", data={
        "csrf_token": csrf, "area": "Northside", "interests": ["football"], "volunteer_id": volunteer.id,
        "how_to_meet": "Library, Tuesday 4pm", "agreed_how": "in-person"})
    assert refused.status_code == 422 and 'href="#person_agreed"' in refused.text and "Library, Tuesday 4pm" in refused.text
    where = _location(client.post(f"/staff/clients/{person.id}/volunteers/propose", data={
        "csrf_token": csrf, "area": "Northside", "interests": ["football"], "volunteer_id": volunteer.id,
        "how_to_meet": "Library, Tuesday 4pm", "person_agreed": "1", "agreed_how": "interpreter", "share_name": "1"}))
    assert "Northside" not in where and "football" not in where
    shown = client.get(where.split("#")[0])
    assert "The match was proposed." in shown.text and "Rania Haddad" in shown.text

    # The volunteer: only what the match needs, on the page and in the API.
    client = volunteer_client
    csrf_volunteer = audit_factories.sign_in_as(client, accounts.actor_for(volunteer_account))
    client.headers["X-CSRF-Token"] = csrf_volunteer
    own = client.get("/staff/volunteering")
    api = client.get("/api/v1/volunteering")
    assert own.status_code == 200 and api.status_code == 200
    for text in (own.text, api.text):
        assert "Amina Quorraq" in text and "Northside" in text and "Library, Tuesday 4pm" in text
        for absent in ("Zorblegender", "1991", "Quillnotemarker", person.id, "Tigrinya", '"ti"', "Music", "music"):
            assert absent not in text, absent
    assert set(api.json()["items"][0]) == {"id", "status", "name_to_use", "languages", "area", "shared_interests",
                                          "how_to_meet", "proposed_at"}
    assert client.get(f"/staff/clients/{person.id}").status_code == 403
    assert client.get(f"/api/v1/clients/{person.id}/volunteer-matches").status_code == 403
    match_id = api.json()["items"][0]["id"]
    assert _location(client.post(f"/staff/volunteering/{match_id}/answer",
                                 data={"csrf_token": csrf_volunteer, "answer": "accept"})) == "/staff/volunteering?done=accepted"
    assert session.get(VolunteerMatch, match_id).status == "active"

    # The worker ends it: the volunteer sees nothing of it any more.
    assert _location(worker_client.post(f"/staff/clients/{person.id}/volunteers/matches/{match_id}/end",
                                 data={"csrf_token": csrf, "reason": "goal-met"})).endswith("#volunteers")
    own = client.get("/staff/volunteering")
    assert own.status_code == 200 and "Amina Quorraq" not in own.text and "Library" not in own.text
    assert client.get("/api/v1/volunteering").json() == {"items": []}
    assert client.get(f"/api/v1/volunteering/{match_id}").status_code == 404


def test_the_api_register_and_matches(client, session, world) -> None:
    _settings, worker, person, _account = world
    client.headers["X-CSRF-Token"] = audit_factories.sign_in_as(client, worker.actor)
    created = client.post("/api/v1/volunteers", json={
        "kind": "family", "display_name": "The Okafors", "languages": ["ar", "en"], "area": "Northside",
        "interests": ["cooking"], "check_on": "2026-01-01", "check_expires_on": "2028-01-01", "max_matches": 1})
    assert created.status_code == 201, created.text
    volunteer_id = created.json()["id"]
    assert created.headers["location"] == f"/api/v1/volunteers/{volunteer_id}"
    bad = client.post("/api/v1/volunteers", json={"kind": "family", "display_name": "", "languages": ["zz!"]})
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("application/problem+json")
    candidates = client.post(f"/api/v1/clients/{person.id}/volunteer-candidates", json={"area": "northside"})
    assert candidates.status_code == 200
    assert candidates.json()["items"][0] == {"volunteer_id": volunteer_id, "name": "The Okafors", "kind": "family",
                                             "shared_languages": ["ar-SY"], "same_area": True, "shared_interests": []}
    proposed = client.post(f"/api/v1/clients/{person.id}/volunteer-matches", json={
        "volunteer_id": volunteer_id, "area": "Northside", "how_to_meet": "Phone first", "person_agreed": True,
        "agreed_how": "phone"})
    assert proposed.status_code == 201, proposed.text
    match = proposed.json()
    assert match["status"] == "proposed" and match["shared"]["name_to_use"] is None
    answered = client.post(f"/api/v1/clients/{person.id}/volunteer-matches/{match['id']}/answer", json={"answer": "decline"})
    assert answered.status_code == 200 and answered.json()["status"] == "declined"
    again = client.post(f"/api/v1/clients/{person.id}/volunteer-matches/{match['id']}/answer", json={"answer": "accept"})
    assert again.status_code == 409
    assert client.delete(f"/api/v1/volunteers/{volunteer_id}").status_code == 204
    assert client.get(f"/api/v1/volunteers/{volunteer_id}").status_code == 404
    assert client.get(f"/api/v1/volunteers/{'x' * 500}").status_code == 404
