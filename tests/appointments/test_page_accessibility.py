"""The appointments and reminder pages in real headless Chromium with axe-core (WCAG 2.2 AA), in English and Arabic
(right to left): the person's page with its appointments section (an appointment, a reminder, a reply), the booking
form with its error summary, the day list, the reminder settings and the sender name."""

from __future__ import annotations

import pytest
from factories import accounts, browser
from factories import appointments as factories
from factories import audit as audit_factories
from factories import clients as client_factories

from carebridge.config import Settings


@pytest.fixture(autouse=True)
def _catalogs(compiled_catalogs):
    return compiled_catalogs


@pytest.fixture(scope="module")
def chromium():
    yield from browser.chromium()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_appointment_pages_have_no_wcag_violations(chromium, client, session, lang: str) -> None:
    settings = Settings()
    worker = client_factories.caseworker(session)
    person = client_factories.client(session, settings, worker.actor, preferred_name="Layla Testperson")
    factories.reminded(session, settings, worker.actor, person)
    appointment = factories.booked(session, settings, worker.actor, person, interpreter_needed=True)
    admin = accounts.account(session, roles=("administrator",), organisation_=worker.organisation)
    session.commit()
    pages: dict[str, tuple[int, bytes]] = {}

    csrf = audit_factories.sign_in_as(client, worker.actor)
    for name, path in (
        ("/person", f"/staff/clients/{person.id}"),
        ("/new", f"/staff/clients/{person.id}/appointments/new"),
        ("/edit", f"/staff/clients/{person.id}/appointments/{appointment.id}/edit"),
        ("/day", f"/staff/appointments?day={appointment.starts_at.date().isoformat()}"),
        ("/settings", f"/staff/clients/{person.id}/reminder-settings"),
    ):
        response = client.get(path, params={"lang": lang})
        assert response.status_code == 200, path
        pages[name] = (response.status_code, response.content)
    response = client.post(f"/staff/clients/{person.id}/appointments/new?lang={lang}", data={"csrf_token": csrf})
    assert response.status_code == 422
    pages["/new-with-errors"] = (response.status_code, response.content)

    audit_factories.sign_in_as(client, accounts.actor_for(admin))
    response = client.get("/staff/reminders/sender", params={"lang": lang})
    pages["/sender"] = (response.status_code, response.content)

    browser.check_pages(chromium, client, pages, lang)
    for _, (_, content) in pages.items():
        assert len(content) <= 100_000
