"""The consent API: list, record (201, problem documents on bad input), withdraw by consent id — scoped through
the consent's person."""

from __future__ import annotations

import pytest

from carebridge.config import Settings
from carebridge.consent import explanations
from carebridge.consent import service as consent
from factories import audit as audit_factories
from factories import clients
from factories import consent as consents

SETTINGS = Settings()


@pytest.fixture
def setup(session):  # noqa: ANN001, ANN201
    worker = clients.caseworker(session)
    person = clients.client(session, SETTINGS, worker.actor)
    session.commit()
    return worker, person


def test_record_list_and_withdraw(client, session, setup) -> None:  # noqa: ANN001
    worker, person = setup
    token = audit_factories.sign_in_as(client, worker.actor)
    headers = {"X-CSRF-Token": token}
    body = {"purpose": "share", "method": "written", "explanation_version": explanations.CURRENT,
            "explanation_language": "uk", "staff_organisation_id": worker.organisation.id}
    created = client.post(f"/api/v1/clients/{person.id}/consents", json=body, headers=headers)
    assert created.status_code == 201, created.text
    data = created.json()
    assert (data["purpose"], data["active"], data["organisation_name"]) == ("share", True, worker.organisation.name)
    assert data["recorded_by"] == worker.account.id
    listed = client.get(f"/api/v1/clients/{person.id}/consents")
    assert [item["id"] for item in listed.json()] == [data["id"]]
    withdrawn = client.post(f"/api/v1/consents/{data['id']}/withdraw", headers=headers)
    assert withdrawn.status_code == 200
    assert withdrawn.json()["active"] is False and withdrawn.json()["withdrawn_at"]
    session.expire_all()
    assert consent.active_consent(session, person.id, consent.SHARE, staff_organisation_id=worker.organisation.id) is None


def test_bad_input_is_a_problem_document_naming_the_fields(client, setup) -> None:  # noqa: ANN001
    worker, person = setup
    token = audit_factories.sign_in_as(client, worker.actor)
    response = client.post(
        f"/api/v1/clients/{person.id}/consents",
        json={"purpose": "reminders", "method": "interpreter", "explanation_version": explanations.CURRENT,
              "explanation_language": "en"},
        headers={"X-CSRF-Token": token},
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert {error["name"] for error in response.json()["errors"]} == {"interpreter_language", "channel_id"}
    response = client.post(
        f"/api/v1/clients/{person.id}/consents", json={"purpose": "x" * 100}, headers={"X-CSRF-Token": token}
    )
    assert response.status_code == 422


def test_a_consent_id_outside_scope_is_not_found(client, session, setup) -> None:  # noqa: ANN001
    worker, person = setup
    given = consents.given(session, worker.actor, person, consent.CASE_WORK)
    stranger = clients.caseworker(session)
    session.commit()
    token = audit_factories.sign_in_as(client, stranger.actor)
    assert client.post(f"/api/v1/consents/{given.id}/withdraw", headers={"X-CSRF-Token": token}).status_code == 404
    assert client.get(f"/api/v1/clients/{person.id}/consents").status_code == 404
    session.expire_all()
    assert consent.active_consent(session, person.id, consent.CASE_WORK) is not None


def test_without_sign_in_it_is_401(client, setup) -> None:  # noqa: ANN001
    _, person = setup
    assert client.get(f"/api/v1/clients/{person.id}/consents").status_code == 401


def test_a_method_the_path_does_not_have_lists_every_one_it_has(client, setup) -> None:  # noqa: ANN001
    _, person = setup
    response = client.request("DELETE", f"/api/v1/clients/{person.id}/consents")
    assert response.status_code == 405
    assert {method.strip() for method in response.headers["allow"].split(",")} >= {"GET", "POST"}
    assert response.headers["content-type"] == "application/problem+json"


def test_the_schema_enumerates_what_the_service_accepts() -> None:
    from typing import get_args

    from carebridge import i18n
    from carebridge.consent import api

    assert get_args(api.Purpose) == consent.PURPOSES
    assert get_args(api.Method) == consent.METHODS
    assert set(get_args(api.Language)) == set(i18n.LANGUAGES)
