"""The rights API: who has seen (JSON, in a chosen language), the copy (POST, never cached), erasure (confirmed),
with problem documents for bad input, scope and permission."""

from __future__ import annotations

import pytest
from factories import audit as audit_factories
from factories import clients as client_factories
from factories import rights as factories

from carebridge.clients.models import Client
from carebridge.config import Settings


@pytest.fixture(autouse=True)
def _catalogs(compiled_catalogs):
    return compiled_catalogs


@pytest.fixture
def team(session):  # noqa: ANN001, ANN201
    worker = client_factories.caseworker(session)
    manager = client_factories.caseworker(session, roles=("service-manager",), organisation_=worker.organisation)
    record = factories.full_record(session, Settings(), worker.actor)
    session.commit()
    return {"worker": worker, "manager": manager, "id": record.client.id}


def _sign_in(client, actor) -> None:  # noqa: ANN001
    """Signed in for real; the API's unsafe requests carry the session's token in X-CSRF-Token."""
    client.headers["X-CSRF-Token"] = audit_factories.sign_in_as(client, actor)


def test_seen_by_as_json_in_a_chosen_language(client, team):
    _sign_in(client, team["worker"].actor)
    response = client.get(f"/api/v1/clients/{team['id']}/seen-by", params={"language": "en"})
    assert response.status_code == 200
    body = response.json()
    assert body["client_id"] == team["id"] and body["language"] == "en"
    assert body["events"][0]["action"] == "client.create"
    assert body["events"][0]["description"] == "Created the record."
    assert body["events"][0]["staff_name"] == team["worker"].account.name
    assert body["next_before"] is None
    # Its default is the person's language (Arabic), and the look itself is now in the history.
    again = client.get(f"/api/v1/clients/{team['id']}/seen-by").json()
    assert again["language"] == "ar"
    assert again["events"][0]["action"] == "client.seen-by"

    bad = client.get(f"/api/v1/clients/{team['id']}/seen-by", params={"language": "xx"})
    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/problem+json"


def test_scope_is_404_and_a_missing_permission_403(client, session, team):
    stranger = client_factories.caseworker(session, organisation_=team["worker"].organisation)
    session.commit()
    _sign_in(client, stranger.actor)
    assert client.get(f"/api/v1/clients/{team['id']}/seen-by").status_code == 404
    assert client.post(f"/api/v1/clients/{team['id']}/export").status_code == 404
    assert client.post(f"/api/v1/clients/{team['id']}/erase", json={"confirm": "erase"}).status_code == 403


def test_export_is_the_whole_record_never_cached(client, team):
    _sign_in(client, team["worker"].actor)
    response = client.post(f"/api/v1/clients/{team['id']}/export")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["version"] == 2 and len(body["notes"]) == 2 and body["immigration_situation"]


def test_erase_needs_the_word(client, session, team):
    _sign_in(client, team["manager"].actor)
    for body in ({"confirm": "no"}, {}, {"confirm": "x" * 51}):
        refused = client.post(f"/api/v1/clients/{team['id']}/erase", json=body)
        assert refused.status_code == 422, body
        assert refused.headers["content-type"] == "application/problem+json"
    session.expire_all()
    assert session.get(Client, team["id"]) is not None
    assert client.post(f"/api/v1/clients/{team['id']}/erase", json={"confirm": "erase"}).status_code == 204
    session.expire_all()
    assert session.get(Client, team["id"]) is None
    assert client.post(f"/api/v1/clients/{team['id']}/erase", json={"confirm": "erase"}).status_code == 404
