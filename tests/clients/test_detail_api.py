"""The details API (/api/v1/clients/{id}/...): the same services, permissions and scope as the pages; problem
documents for every error; the immigration situation one record at a time."""

from __future__ import annotations

import pytest
from factories import accounts as account_factories
from factories import clients as factories

from carebridge.consent import service as consent
from carebridge.consent.models import Consent
from carebridge.kit import clock


@pytest.fixture
def api_as(client, session, compiled_catalogs):  # noqa: ANN001, ANN201
    """Signs in through the pages and returns headers for the API: the form token for unsafe methods."""
    client.headers.update(account_factories.SAME_ORIGIN)

    def act_as(account):  # noqa: ANN001, ANN202
        client.cookies.clear()
        if account.totp_confirmed_at is None:
            account_factories.enrol(session, account)
            session.commit()
        assert account_factories.sign_in(client, account.email).status_code == 303
        token = account_factories.form_token(client.get("/staff").text)
        client.headers["X-CSRF-Token"] = token
        return client

    return act_as


@pytest.fixture
def world(session, app):  # noqa: ANN001, ANN201
    settings = app.state.settings
    worker = factories.caseworker(session)
    person = factories.client(session, settings, worker.actor, preferred_name="Amina")
    session.commit()
    return settings, worker, person


def _problem(response, status: int) -> dict:  # noqa: ANN001
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return response.json()


def test_channels_add_list_change_remove(api_as, world) -> None:  # noqa: ANN001
    _, worker, person = world
    api = api_as(worker.account)
    base = f"/api/v1/clients/{person.id}/channels"
    created = api.post(base, json={"kind": "phone", "value": "07700 900123", "safe_times": "mornings\nnot Sundays"})
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["value"] == "+44 7700 900123" and body["safe_times"] == "mornings\nnot Sundays"
    assert body["consent_to_contact"] is False
    assert [item["id"] for item in api.get(base).json()["items"]] == [body["id"]]
    patched = api.patch(f"{base}/{body['id']}", json={"safe_times": None})
    assert patched.status_code == 200 and patched.json()["safe_times"] is None and patched.json()["value"] == "+44 7700 900123"
    assert api.delete(f"{base}/{body['id']}").status_code == 204
    assert api.get(base).json()["items"] == []
    _problem(api.delete(f"{base}/{body['id']}"), 404)


def test_bad_channel_input_is_a_422_problem_document(api_as, world) -> None:  # noqa: ANN001
    _, worker, person = world
    api = api_as(worker.account)
    base = f"/api/v1/clients/{person.id}/channels"
    problem = _problem(api.post(base, json={"kind": "phone", "value": "not a number"}), 422)
    assert [error["name"] for error in problem["errors"]] == ["value"]
    _problem(api.post(base, json={"kind": "pigeon"}), 422)
    _problem(api.post(base, json={"kind": "email", "value": "a@example.org", "extra": 1}), 422)
    _problem(api.post(base, json={"kind": "in-person", "safe_times": "bell\u0007"}), 422)


def test_do_not_contact(api_as, world) -> None:  # noqa: ANN001
    _, worker, person = world
    api = api_as(worker.account)
    response = api.put(f"/api/v1/clients/{person.id}/do-not-contact", json={"do_not_contact": True})
    assert response.status_code == 200 and response.json() == {"do_not_contact": True}
    _problem(api.put(f"/api/v1/clients/{person.id}/do-not-contact", json={"do_not_contact": "maybe"}), 422)


def test_notes_and_their_sensitivity(api_as, session, world) -> None:  # noqa: ANN001
    _, worker, person = world
    receptionist = account_factories.account(session, roles=("receptionist",), organisation_=worker.organisation)
    session.commit()
    api = api_as(worker.account)
    base = f"/api/v1/clients/{person.id}/notes"
    created = api.post(base, json={"body": "Line one\nLine two", "sensitivity": "sensitive"})
    assert created.status_code == 201 and created.json()["body"] == "Line one\nLine two"
    assert created.json()["written_by_me"] is True
    _problem(api.post(base, json={"body": "x" * 10_001}), 422)
    _problem(api.post(base, json={"body": "hi", "sensitivity": "secret"}), 422)
    api = api_as(receptionist)
    listed = api.get(base).json()
    assert listed == {"items": [], "hidden_sensitive": 1}
    _problem(api.post(base, json={"body": "hello"}), 403)


def test_duplicates_and_links(api_as, session, world) -> None:  # noqa: ANN001
    settings, worker, person = world
    from carebridge.clients import contact

    twin = factories.client(session, settings, worker.actor, preferred_name="Amina K.")
    for record in (person, twin):
        contact.add_channel(session, settings, worker.actor, record.id, contact.ChannelInput("phone", value="07700 900123"))
    session.commit()
    api = api_as(worker.account)
    found = api.get(f"/api/v1/clients/{person.id}/duplicates").json()
    assert found == {"possible": [{"client_id": twin.id, "preferred_name": "Amina K.", "reasons": ["same-phone"]}],
                     "linked": []}
    link = api.post(f"/api/v1/clients/{person.id}/links", json={"other_client_id": twin.id, "decision": "same-person"})
    assert link.status_code == 201 and link.json()["reason"] == "same-phone"
    assert api.get(f"/api/v1/clients/{twin.id}/duplicates").json()["linked"][0]["client_id"] == person.id
    _problem(api.post(f"/api/v1/clients/{person.id}/links", json={"other_client_id": twin.id, "decision": "merge"}), 422)


def test_the_immigration_situation(api_as, session, world) -> None:  # noqa: ANN001
    _, worker, person = world
    api = api_as(worker.account)
    path = f"/api/v1/clients/{person.id}/immigration-situation"
    assert api.get(path).json() == {"matters": True, "consent": False, "status": None, "recorded_at": None}
    problem = _problem(api.put(path, json={"status": "undocumented"}), 409)
    assert problem["type"].endswith("consent-required")
    session.add(Consent(client_id=person.id, purpose=consent.IMMIGRATION_SITUATION, method="written",
                        explanation_version="1", explanation_language="en", given_at=clock.utc_now()))
    session.commit()
    saved = api.put(path, json={"status": "undocumented"})
    assert saved.status_code == 200 and saved.json()["status"] == "undocumented"
    _problem(api.put(path, json={"status": "alien"}), 422)
    assert api.delete(path).status_code == 204
    assert api.get(path).json()["status"] is None


def test_scope_and_signing_in(api_as, client, session, world) -> None:  # noqa: ANN001
    _, worker, person = world
    stranger = factories.caseworker(session)
    session.commit()
    for method, suffix in (("get", "channels"), ("get", "notes"), ("get", "duplicates"), ("get", "immigration-situation")):
        client.cookies.clear()
        _problem(getattr(client, method)(f"/api/v1/clients/{person.id}/{suffix}"), 401)
    api = api_as(stranger.account)
    for suffix in ("channels", "notes", "duplicates", "immigration-situation"):
        _problem(api.get(f"/api/v1/clients/{person.id}/{suffix}"), 404)
    _problem(api.post(f"/api/v1/clients/{person.id}/notes", json={"body": "x"}), 404)
