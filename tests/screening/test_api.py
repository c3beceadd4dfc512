"""The screening API: the Questionnaires, recording a screening with the person (201 with its score; 422 naming each
bad answer), listing and reading a person's screenings, and the FHIR export; who may and who may not; problem
documents for every error."""

from __future__ import annotations

import pytest
from factories import accounts as account_factories
from factories import clients as factories
from sqlalchemy import select

from carebridge.risk.models import RiskFlag
from carebridge.screening import fhir

PHQ9_ITEM9 = {f"item-{n}": 0 for n in range(1, 10)} | {"item-9": 1, "item-1": 3}


@pytest.fixture
def api_as(client, session, compiled_catalogs):  # noqa: ANN001, ANN201
    client.headers.update(account_factories.SAME_ORIGIN)

    def act_as(account):  # noqa: ANN001, ANN202
        client.cookies.clear()
        if account.totp_confirmed_at is None:
            account_factories.enrol(session, account)
            session.commit()
        assert account_factories.sign_in(client, account.email).status_code == 303
        client.headers["X-CSRF-Token"] = account_factories.form_token(client.get("/staff").text)
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


def test_questionnaires(api_as, world) -> None:  # noqa: ANN001
    _, worker, _ = world
    api = api_as(worker.account)
    listed = api.get("/api/v1/questionnaires")
    assert listed.status_code == 200
    items = {item["code"]: item for item in listed.json()["items"]}
    assert list(items) == ["phq-9", "gad-7", "pc-ptsd-5", "rhs-15"]
    assert items["phq-9"]["languages"] == ["en"] and items["phq-9"]["offered"] is True
    assert items["rhs-15"]["offered"] is False and items["rhs-15"]["languages"] == []
    assert "licensed" in items["rhs-15"]["unavailable_reason"]
    one = api.get("/api/v1/questionnaires/gad-7")
    assert one.status_code == 200 and one.headers["content-type"] == "application/fhir+json"
    assert one.json()["resourceType"] == "Questionnaire" and one.json()["code"][0]["code"] == "69737-5"
    assert api.get("/api/v1/questionnaires/gad-7", params={"language": "en"}).json()["language"] == "en"
    _problem(api.get("/api/v1/questionnaires/gad-7", params={"language": "ar"}), 404)
    _problem(api.get("/api/v1/questionnaires/phq-10"), 422)


def test_record_list_read_and_export(api_as, world, session) -> None:  # noqa: ANN001
    settings, worker, person = world
    api = api_as(worker.account)
    base = f"/api/v1/clients/{person.id}/screenings"
    created = api.post(base, json={"instrument": "phq-9", "language": "en", "answers": PHQ9_ITEM9 | {"difficulty": 1}})
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["total"], body["band"], body["positive"], body["risk"], body["mode"]) == (4, "minimal", False, True,
                                                                                           "staff")
    session.expire_all()
    [flag] = session.scalars(select(RiskFlag).where(RiskFlag.client_id == person.id)).all()
    assert flag.screening_id == body["id"]
    gad = api.post(base, json={"instrument": "gad-7", "language": "interpreter",
                               "answers": {f"item-{n}": 2 for n in range(1, 8)}})
    assert gad.status_code == 201 and gad.json()["band"] == "moderate"
    listed = api.get(base).json()["items"]
    assert {item["id"] for item in listed} == {body["id"], gad.json()["id"]}
    assert "answers" not in listed[0]
    assert [item["id"] for item in api.get(base, params={"instrument": "gad-7"}).json()["items"]] == [gad.json()["id"]]
    detail = api.get(f"/api/v1/screenings/{body['id']}").json()
    assert detail["answers"] == PHQ9_ITEM9 and detail["difficulty"] == 1
    exported = api.get(f"/api/v1/screenings/{body['id']}/fhir")
    assert exported.status_code == 200 and exported.headers["content-type"] == "application/fhir+json"
    assert exported.headers["cache-control"] == "no-store"
    assert fhir.problems(exported.json(), settings) == []
    whole = api.get(f"{base}/fhir")
    everything = whole.json()
    assert fhir.problems(everything, settings) == []
    assert sum(entry["resource"]["resourceType"] == "Observation" for entry in everything["entry"]) == 2
    assert "Amina" not in exported.text and "Amina" not in whole.text  # the person is their random id only


@pytest.mark.parametrize(("body", "names"), [
    ({"instrument": "phq-9", "language": "en", "answers": {f"item-{n}": 0 for n in range(1, 9)}}, ["answers.item-9"]),
    ({"instrument": "phq-9", "language": "en", "answers": {f"item-{n}": 0 for n in range(1, 10)} | {"item-2": 9}},
     ["answers.item-2"]),
    ({"instrument": "pc-ptsd-5", "language": "en", "answers": {"exposure": 0, "item-1": 1}}, ["answers.item-1"]),
    ({"instrument": "gad-7", "language": "ar", "answers": {}}, ["language"]),
    ({"instrument": "rhs-15", "language": "en", "answers": {}}, ["instrument"]),
])
def test_bad_screenings_are_422_problems_naming_the_field(api_as, world, body, names) -> None:  # noqa: ANN001
    _, worker, person = world
    api = api_as(worker.account)
    problem = _problem(api.post(f"/api/v1/clients/{person.id}/screenings", json=body), 422)
    assert [error["name"] for error in problem["errors"]] == names
    assert api.get(f"/api/v1/clients/{person.id}/screenings").json()["items"] == []


@pytest.mark.parametrize("body", [
    {"instrument": "phq-9", "language": "en", "answers": {"item-1": True}},
    {"instrument": "phq-9", "language": "en", "answers": {"item-1": "2"}},
    {"instrument": "phq-9", "language": "en", "answers": {"item-1": 1.5}},
    {"instrument": "phq-9", "language": "xx yy", "answers": {}},
    {"instrument": "phq-9", "language": "en", "answers": [1, 2]},
    {"instrument": "phq-9", "language": "en"},
    {"instrument": "phq-9", "language": "en", "answers": {}, "extra": 1},
])
def test_malformed_bodies_are_422(api_as, world, body) -> None:  # noqa: ANN001
    _, worker, person = world
    api = api_as(worker.account)
    _problem(api.post(f"/api/v1/clients/{person.id}/screenings", json=body), 422)


def test_who_may_and_who_may_not(api_as, world, session) -> None:  # noqa: ANN001
    _, worker, person = world
    first = api_as(worker.account).post(f"/api/v1/clients/{person.id}/screenings", json={
        "instrument": "gad-7", "language": "en", "answers": {f"item-{n}": 0 for n in range(1, 8)}}).json()
    clinician = factories.member(session, worker, roles=("clinician",))
    receptionist = factories.member(session, worker, roles=("receptionist",))
    peer = factories.member(session, worker, roles=("peer-supporter",))
    manager = account_factories.account(session, roles=("service-manager",), organisation_=worker.organisation)
    stranger = factories.caseworker(session)
    session.commit()
    urls = [f"/api/v1/clients/{person.id}/screenings", f"/api/v1/screenings/{first['id']}",
            f"/api/v1/screenings/{first['id']}/fhir", f"/api/v1/clients/{person.id}/screenings/fhir"]
    api = api_as(clinician.account)
    assert all(api.get(url).status_code == 200 for url in urls)
    for account, status in ((receptionist.account, 403), (manager, 403), (peer.account, 404), (stranger.account, 404)):
        api = api_as(account)
        for url in urls:
            _problem(api.get(url), status)
        _problem(api.post(urls[0], json={"instrument": "gad-7", "language": "en", "answers": {}}), status)
    api.cookies.clear()
    for url in urls:
        _problem(api.get(url), 401)
