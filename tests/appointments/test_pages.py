"""The appointments and reminder pages and the appointments API through the real app (signed in, CSRF, scope):
booking from the person's page with errors kept, changing with a stale version (409), marking what happened, the
day list (the date only in the address, only people in scope), reminder settings and "send now", the sender name,
and the API's problem documents."""

from __future__ import annotations

import datetime as dt

import pytest
from factories import accounts
from factories import appointments as factories
from factories import audit as audit_factories
from factories import clients as client_factories
from factories import consent as consents
from sqlalchemy import select

from carebridge.appointments.models import Appointment
from carebridge.reminders.models import ReminderPreference, ReminderSender


@pytest.fixture(autouse=True)
def _catalogs(compiled_catalogs):
    return compiled_catalogs


@pytest.fixture
def world(app, session):
    settings = app.state.settings
    worker = client_factories.caseworker(session)
    person = client_factories.client(session, settings, worker.actor, preferred_name="Layla Testperson")
    session.commit()
    return worker, person


FORM = {"day": "2026-11-25", "time": "14:00", "duration_minutes": "45", "modality": "in-person",
        "place": "Room 2, 10 High Street", "with_whom": "Dr Amal", "what_to_bring": "", "note": "",
        "interpreter_needed": "1"}


def test_booking_from_the_persons_page(client, session, world) -> None:
    worker, person = world
    token = audit_factories.sign_in_as(client, worker.actor)
    page = client.get(f"/staff/clients/{person.id}")
    assert page.status_code == 200 and 'id="appointments"' in page.text
    assert f"/staff/clients/{person.id}/appointments/new" in page.text
    assert client.get(f"/staff/clients/{person.id}/appointments/new").status_code == 200
    bad = client.post(f"/staff/clients/{person.id}/appointments/new",
                      data={**FORM, "csrf_token": token, "day": "25/11", "place": "Kept place"})
    assert bad.status_code == 422 and 'href="#day"' in bad.text and "Kept place" in bad.text
    done = client.post(f"/staff/clients/{person.id}/appointments/new", data={**FORM, "csrf_token": token},
                       follow_redirects=False)
    assert done.status_code == 303
    assert done.headers["location"] == f"/staff/clients/{person.id}?appointments=booked#appointments"
    shown = client.get(done.headers["location"])
    assert "The appointment was booked." in shown.text and "Room 2, 10 High Street" in shown.text
    session.expire_all()
    appointment = session.scalars(select(Appointment).where(Appointment.client_id == person.id)).one()
    assert f"/staff/interpreters/book?appointment_id={appointment.id}" in shown.text
    assert b"Room 2" not in appointment.details
    assert appointment.interpreter_needed and appointment.modality == "in-person"


def test_a_stale_change_is_refused_and_marking_works(client, session, world) -> None:
    worker, person = world
    appointment = factories.booked(session, client_factories.settings(), worker.actor, person)
    session.commit()
    token = audit_factories.sign_in_as(client, worker.actor)
    path = f"/staff/clients/{person.id}/appointments/{appointment.id}"
    assert client.get(f"{path}/edit").status_code == 200
    changed = client.post(f"{path}/edit", data={**FORM, "csrf_token": token, "version": "1"}, follow_redirects=False)
    assert changed.status_code == 303
    stale = client.post(f"{path}/edit", data={**FORM, "csrf_token": token, "version": "1", "time": "09:30"})
    assert stale.status_code == 409 and "Someone else changed this appointment" in stale.text
    marked = client.post(f"{path}/status", data={"csrf_token": token, "version": "2", "status": "attended"},
                         follow_redirects=False)
    assert marked.status_code == 303
    session.expire_all()
    assert session.get(Appointment, appointment.id).status == "attended"
    junk = client.post(f"{path}/status", data={"csrf_token": token, "version": "3", "status": "exploded"})
    assert junk.status_code == 422


def test_the_day_list_shows_people_in_scope_only_with_the_date_alone_in_the_address(client, session, world) -> None:
    worker, person = world
    settings = client_factories.settings()
    factories.booked(session, settings, worker.actor, person)
    other = client_factories.caseworker(session)  # another organisation
    stranger = client_factories.client(session, settings, other.actor, preferred_name="Omar Elsewhere")
    factories.booked(session, settings, other.actor, stranger)
    session.commit()
    token = audit_factories.sign_in_as(client, worker.actor)
    chosen = client.post("/staff/appointments", data={"csrf_token": token, "day": "2026-11-25"}, follow_redirects=False)
    assert chosen.status_code == 303 and chosen.headers["location"] == "/staff/appointments?day=2026-11-25"
    day = client.get(chosen.headers["location"])
    assert day.status_code == 200 and "Layla Testperson" in day.text and "Omar Elsewhere" not in day.text
    assert client.get("/staff/appointments?day=not-a-day").status_code == 422
    assert "Layla Testperson" not in client.get("/staff/appointments").text  # today: nothing booked
    assert "appointment.list" in client_factories.audit_actions(session, person.id)


def test_reminder_settings_and_send_now(client, session, world) -> None:
    worker, person = world
    settings = client_factories.settings()
    channel = factories.sms_channel(session, settings, worker.actor, person)
    factories.booked(session, settings, worker.actor, person)
    session.commit()
    token = audit_factories.sign_in_as(client, worker.actor)
    path = f"/staff/clients/{person.id}/reminder-settings"
    assert client.get(path).status_code == 200
    refused = client.post(path, data={"csrf_token": token, "channel_id": channel.id}, follow_redirects=False)
    assert refused.status_code == 422 and "Record their consent first" in refused.text
    consents.given(session, worker.actor, person, "reminders", channel_id=channel.id)
    session.commit()
    bad = client.post(path, data={"csrf_token": token, "channel_id": channel.id, "start": "25:00", "end": "10:00"})
    assert bad.status_code == 422 and 'href="#start"' in bad.text
    saved = client.post(path, data={"csrf_token": token, "channel_id": channel.id, "days": ["0", "1"],
                                    "start": "10:00", "end": "16:00"}, follow_redirects=False)
    assert saved.status_code == 303
    session.expire_all()
    assert session.get(ReminderPreference, person.id).channel_id == channel.id
    now = client.post(f"{path}/now", data={"csrf_token": token, "channel_id": channel.id}, follow_redirects=False)
    assert now.status_code == 303
    shown = client.get(now.headers["location"])
    assert "A reminder will be sent at the next safe time." in shown.text


def test_the_sender_name_is_for_those_who_manage_the_organisation(client, session, world) -> None:
    worker, _ = world
    admin = accounts.account(session, roles=("administrator",), organisation_=worker.organisation)
    session.commit()
    audit_factories.sign_in_as(client, worker.actor)
    assert client.get("/staff/reminders/sender").status_code == 403
    token = audit_factories.sign_in_as(client, accounts.actor_for(admin))
    assert client.get("/staff/reminders/sender").status_code == 200
    bad = client.post("/staff/reminders/sender", data={"csrf_token": token, "name": "A name far too long"})
    assert bad.status_code == 422 and "A name far too long" in bad.text
    good = client.post("/staff/reminders/sender", data={"csrf_token": token, "name": "Clinic 4"}, follow_redirects=False)
    assert good.status_code == 303
    session.expire_all()
    assert session.get(ReminderSender, worker.organisation.id).name == "Clinic 4"


def test_the_api_books_reads_changes_and_refuses_stale_versions(client, session, world) -> None:
    worker, person = world
    client.headers["X-CSRF-Token"] = audit_factories.sign_in_as(client, worker.actor)
    body = {"starts_at": "2026-11-25T14:00:00+00:00", "duration_minutes": 30, "modality": "video",
            "place": "Online", "interpreter_needed": True}
    made = client.post(f"/api/v1/clients/{person.id}/appointments", json=body)
    assert made.status_code == 201, made.text
    appointment = made.json()
    assert appointment["interpreter_booking"] == f"/staff/interpreters/book?appointment_id={appointment['id']}"
    listed = client.get(f"/api/v1/clients/{person.id}/appointments").json()["items"]
    assert [item["id"] for item in listed] == [appointment["id"]]
    changed = client.put(f"/api/v1/appointments/{appointment['id']}", json={**body, "version": 1, "modality": "phone"})
    assert changed.status_code == 200 and changed.json()["version"] == 2
    stale = client.put(f"/api/v1/appointments/{appointment['id']}", json={**body, "version": 1})
    assert stale.status_code == 409 and stale.headers["content-type"].startswith("application/problem+json")
    cancelled = client.post(f"/api/v1/appointments/{appointment['id']}/status", json={"status": "cancelled", "version": 2})
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert client.post(f"/api/v1/clients/{person.id}/appointments", json={"starts_at": "soon"}).status_code == 422
    assert client.get(f"/api/v1/appointments/{'x' * 300}").status_code == 404
    assert client.get("/api/v1/appointments/unknown").status_code == 404
    when = dt.datetime.fromisoformat(appointment["starts_at"])
    assert when.utcoffset() is not None
