"""The interpreters pages in real headless Chromium with axe-core (WCAG 2.2 AA), in English and Arabic (right to
left): the register, its form with errors, finding an interpreter with results, booking with an error, the person's
page with its interpreting section, the interpreter's own bookings and the demand figures."""

from __future__ import annotations

import pytest

from carebridge.config import Settings
from carebridge.interpreters import service
from factories import accounts
from factories import audit as audit_factories
from factories import browser
from factories import interpreters as factories
from factories.interpreters import search


@pytest.fixture(autouse=True)
def _catalogs(compiled_catalogs):  # noqa: ANN001, ANN202
    return compiled_catalogs


@pytest.fixture(scope="module")
def chromium():  # noqa: ANN201
    yield from browser.chromium()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_interpreters_pages_have_no_wcag_violations(chromium, client, session, lang: str) -> None:  # noqa: ANN001
    settings = Settings()
    world = factories.world(session, settings, interpreter_not_from_community=True)
    staff = factories.interpreter(session, settings, world, account=world.interpreter_account)
    external = factories.interpreter(session, settings, world, name="Nadia External", languages=(("ar-IQ", True),), expires=None)
    service.book(session, settings, world.actor("worker"), world.person.id, staff.id, search(), where="Room 2")
    service.add_exclusion(session, settings, world.actor("worker"), world.person.id, external.id, "Neighbours")
    manager = accounts.account(session, roles=("service-manager",), organisation_=world.organisation, teams=(world.team,))
    session.commit()
    pages: dict[str, tuple[int, bytes]] = {}
    find = {"language": "ar-SY", "day": "2026-11-24", "start": "14:00", "end": "15:00", "modality": "in-person", "gender": "any", "lang": lang}

    csrf = audit_factories.sign_in_as(client, world.actor("receptionist"))
    for name, path in (("/register", "/staff/interpreters"), ("/new", "/staff/interpreters/new"), ("/edit", f"/staff/interpreters/{external.id}")):
        response = client.get(path, params={"lang": lang})
        pages[name] = (response.status_code, response.content)
    response = client.post(f"/staff/interpreters/new?lang={lang}", data={"csrf_token": csrf, "kind": "interpreter", "lang_0": "??"})
    pages["/new-with-errors"] = (response.status_code, response.content)

    csrf = audit_factories.sign_in_as(client, world.actor("worker"))
    for name, path, params in (("/person", f"/staff/clients/{world.person.id}", {"lang": lang}),
                               ("/find", f"/staff/clients/{world.person.id}/interpreting/find", find)):
        response = client.get(path, params=params)
        pages[name] = (response.status_code, response.content)
    response = client.post(f"/staff/clients/{world.person.id}/interpreting/bookings?lang={lang}", data={"csrf_token": csrf, **find})
    pages["/book-with-errors"] = (response.status_code, response.content)

    audit_factories.sign_in_as(client, world.actor("interpreter_account"))
    response = client.get("/staff/interpreting", params={"lang": lang})
    pages["/mine"] = (response.status_code, response.content)

    audit_factories.sign_in_as(client, accounts.actor_for(manager))
    response = client.get("/staff/interpreters/demand", params={"lang": lang})
    pages["/demand"] = (response.status_code, response.content)

    browser.check_pages(chromium, client, pages, lang)
