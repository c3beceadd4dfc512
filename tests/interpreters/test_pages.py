"""The interpreters pages and API through the real app (signed in, CSRF, scope): the register kept by the receptionist
and browsed by a link worker, finding and booking from the person's page, a race lost shown as 409 with the
results again, the interpreter answering their own bookings (and seeing only what the booking needs), named
exclusions from the person's section, the demand figures, and junk answered with 4xx."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from carebridge.interpreters.models import Interpreter, InterpreterBooking
from factories import audit as audit_factories
from factories import interpreters as factories
from factories.interpreters import at, search


@pytest.fixture(autouse=True)
def _catalogs(compiled_catalogs):  # noqa: ANN001, ANN202
    return compiled_catalogs


@pytest.fixture
def world(app, session):  # noqa: ANN001, ANN201
    found = factories.world(session, app.state.settings)
    session.commit()
    return found


FIND = {"language": "ar-SY", "day": "2026-11-24", "start": "10:00", "end": "11:00", "modality": "in-person", "gender": "any"}


def test_the_receptionist_adds_an_external_interpreter_and_a_bad_form_keeps_what_was_typed(client, session, world) -> None:
    token = audit_factories.sign_in_as(client, world.actor("receptionist"))
    assert client.get("/staff/interpreters/new").status_code == 200
    bad = client.post("/staff/interpreters/new", data={"csrf_token": token, "kind": "interpreter", "name": "Kept Name", "lang_0": "zz-!!"})
    assert bad.status_code == 422
    assert 'href="#lang_0"' in bad.text and 'href="#modalities"' in bad.text and "Kept Name" in bad.text
    done = client.post("/staff/interpreters/new", data={
        "csrf_token": token, "kind": "interpreter", "name": "Samira Pageadded", "contact": "samira@example.org", "gender": "female",
        "lang_0": "ar-SY", "community_0": "1", "lang_1": "ar-IQ", "modalities": ["in-person", "video"], "areas": "Northside, Eastgate",
        "days_0": "MO,TU", "opens_0": "09:00", "closes_0": "13:00", "accreditation_body": "NRPSI", "accreditation_expires": "2028-05-01",
    }, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/staff/interpreters?done=added"
    row = session.scalar(select(Interpreter).where(Interpreter.organisation_id == world.organisation.id))
    assert row.languages == [{"tag": "ar-SY", "community": True}, {"tag": "ar-IQ", "community": False}]
    assert row.availability == [{"freq": "WEEKLY", "byday": "MO,TU", "opens_at": "09:00", "closes_at": "13:00"}]
    listing = client.get("/staff/interpreters")
    assert "Samira Pageadded" in listing.text and "Community member" in listing.text
    edit = client.get(f"/staff/interpreters/{row.id}")
    assert edit.status_code == 200 and 'value="Samira Pageadded"' in edit.text
    stale = client.post(f"/staff/interpreters/{row.id}", data={"csrf_token": token, "version": "99", "kind": "interpreter", "name": "X",
                                                               "lang_0": "ar", "modalities": "phone"})
    assert stale.status_code == 409


def test_a_link_worker_browses_but_cannot_keep_the_register(client, session, world) -> None:
    factories.interpreter(session, client.app.state.settings, world, name="Browsed Person")
    session.commit()
    audit_factories.sign_in_as(client, world.actor("worker"))
    assert "Browsed Person" in client.get("/staff/interpreters").text
    assert client.get("/staff/interpreters/new").status_code == 403
    api = client.get("/api/v1/interpreters")
    assert api.status_code == 200 and [item["name"] for item in api.json()["items"]] == ["Browsed Person"]


def test_book_from_the_persons_page_then_the_interpreter_accepts(client, session, world) -> None:
    settings = client.app.state.settings
    staff = factories.interpreter(session, settings, world, account=world.interpreter_account)
    session.commit()
    token = audit_factories.sign_in_as(client, world.actor("worker"))
    person = client.get(f"/staff/clients/{world.person.id}")
    assert 'id="interpreting"' in person.text and f"/staff/clients/{world.person.id}/interpreting/find" in person.text
    found = client.get(f"/staff/clients/{world.person.id}/interpreting/find", params=FIND)
    assert found.status_code == 200 and "Ines Interpreter" in found.text and "Speaks this dialect" in found.text
    missing = client.post(f"/staff/clients/{world.person.id}/interpreting/bookings", data={"csrf_token": token, **FIND})
    assert missing.status_code == 422 and 'href="#interpreter_id"' in missing.text
    booked = client.post(f"/staff/clients/{world.person.id}/interpreting/bookings",
                         data={"csrf_token": token, **FIND, "interpreter_id": staff.id, "where": "Room 4, Eastgate centre"}, follow_redirects=False)
    assert booked.status_code == 303 and booked.headers["location"].endswith("?interpreting=booked#interpreting")
    again = client.post(f"/staff/clients/{world.person.id}/interpreting/bookings",
                        data={"csrf_token": token, **FIND, "interpreter_id": staff.id})
    assert again.status_code == 409 and "just booked by someone else" in again.text
    section = client.get(f"/staff/clients/{world.person.id}")
    assert "Asked, waiting for an answer" in section.text

    token = audit_factories.sign_in_as(client, world.actor("interpreter_account"))
    mine = client.get("/staff/interpreting")
    assert mine.status_code == 200 and "Huda Testperson" in mine.text and "Room 4, Eastgate centre" in mine.text
    assert client.get(f"/staff/clients/{world.person.id}").status_code in (403, 404)
    booking = session.scalar(select(InterpreterBooking).where(InterpreterBooking.client_id == world.person.id))
    answered = client.post(f"/staff/interpreting/{booking.id}/answer", data={"csrf_token": token, "answer": "accept"}, follow_redirects=False)
    assert answered.headers["location"] == "/staff/interpreting?done=accepted"
    session.refresh(booking)
    assert booking.status == "accepted"
    api = client.get("/api/v1/interpreting/bookings")
    assert api.status_code == 200 and set(api.json()["items"][0]) == {
        "id", "starts_at", "ends_at", "language", "modality", "status", "name_to_use", "where", "video_link"}


def test_exclusions_from_the_persons_section(client, session, world) -> None:
    nadia = factories.interpreter(session, client.app.state.settings, world, name="Nadia Excluded")
    session.commit()
    token = audit_factories.sign_in_as(client, world.actor("worker"))
    bad = client.post(f"/staff/clients/{world.person.id}/interpreting/exclusions", data={"csrf_token": token, "reason": "Typed reason"})
    assert bad.status_code == 422 and "Typed reason" in bad.text
    done = client.post(f"/staff/clients/{world.person.id}/interpreting/exclusions",
                       data={"csrf_token": token, "interpreter_id": nadia.id, "reason": "Neighbours"}, follow_redirects=False)
    assert done.status_code == 303
    found = client.get(f"/staff/clients/{world.person.id}/interpreting/find", params=FIND)
    assert "The person asked not to have this interpreter" in found.text
    page = client.get(f"/staff/clients/{world.person.id}")
    assert "Neighbours" in page.text


def test_the_api_books_and_a_lost_race_is_409(client, session, world) -> None:
    nadia = factories.interpreter(session, client.app.state.settings, world)
    session.commit()
    token = audit_factories.sign_in_as(client, world.actor("worker"))
    headers = {"X-CSRF-Token": token}
    body = {"client_id": world.person.id, "interpreter_id": nadia.id, "language": "ar-SY", "modality": "phone",
            "starts_at": at(10).isoformat(), "ends_at": at(11).isoformat()}
    first = client.post("/api/v1/interpreting/bookings", headers=headers, json=body)
    assert first.status_code == 201, first.text
    second = client.post("/api/v1/interpreting/bookings", headers=headers, json={**body, "starts_at": at(10, 30).isoformat(), "ends_at": at(11, 30).isoformat()})
    assert second.status_code == 409 and second.headers["content-type"].startswith("application/problem+json")
    junk = client.post("/api/v1/interpreting/bookings", headers=headers, json={**body, "language": "??"})
    assert junk.status_code == 422
    assert client.post(f"/api/v1/interpreting/bookings/{'x' * 40}/cancel", headers=headers).status_code == 404
    searched = client.post(f"/api/v1/clients/{world.person.id}/interpreting/search", headers=headers, json={
        "language": "ar-SY", "starts_at": at(10).isoformat(), "ends_at": at(11).isoformat(), "modality": "phone"})
    assert searched.status_code == 200 and searched.json()["not_proposed"][0]["reason"] == "booked"
    cancelled = client.post(f"/api/v1/interpreting/bookings/{first.json()['id']}/cancel", headers=headers)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"


def test_an_outsider_sees_nothing_of_the_person(client, session, world) -> None:
    audit_factories.sign_in_as(client, world.actor("outsider"))
    assert client.get(f"/staff/clients/{world.person.id}/interpreting/find", params=FIND).status_code == 404
    assert client.get(f"/api/v1/clients/{world.person.id}/interpreting/bookings").status_code == 404


def test_the_demand_page_and_api(client, session, world) -> None:
    settings = client.app.state.settings
    from factories import accounts

    manager = accounts.account(session, roles=("service-manager",), organisation_=world.organisation, teams=(world.team,), name="Mo Manager")
    nadia = factories.interpreter(session, settings, world)
    from carebridge.interpreters import service

    service.book(session, settings, world.actor("worker"), world.person.id, nadia.id, search())
    session.commit()
    audit_factories.sign_in_as(client, accounts.actor_for(manager))
    page = client.get("/staff/interpreters/demand")
    assert page.status_code == 200 and "Fewer than 10" in page.text
    api = client.get("/api/v1/reports/interpreting")
    assert api.status_code == 200 and api.json()["items"][0]["bookings"] is None
