"""The volunteers pages in real headless Chromium with axe-core (WCAG 2.2 AA), in English and Arabic (right to
left), no JavaScript needed: the register, its form (also with its error summary), removal, the person's page with
the volunteers section, finding and proposing (with its error summary), and the volunteer's own matches. Each page is
at most 100 KB."""

from __future__ import annotations

import pytest
from factories import accounts, browser, clients
from factories import audit as audit_factories
from factories import volunteers as factories
from fastapi.testclient import TestClient

PAGE_LIMIT = 100_000


@pytest.fixture(autouse=True)
def _catalogs(compiled_catalogs):
    return compiled_catalogs


@pytest.fixture(scope="module")
def chromium():
    yield from browser.chromium()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_volunteers_pages_have_no_wcag_violations(chromium, client, session, app, lang: str) -> None:
    settings = app.state.settings
    worker = clients.caseworker(session)
    person = clients.client(session, settings, worker.actor, preferred_name="Layla", languages=["ar-SY", "en"])
    volunteer_account = accounts.account(session, roles=("volunteer",), organisation_=worker.organisation)
    volunteer = factories.volunteer(session, settings, worker.actor, display_name="Grace Okafor",
                                    account_id=volunteer_account.id, interests=["football", "cooking"])
    factories.volunteer(session, settings, worker.actor, kind="family", display_name="The Haddads", languages=["ar"])
    factories.match(session, settings, worker.actor, person, volunteer)
    session.commit()
    csrf = audit_factories.sign_in_as(client, worker.actor)
    client.follow_redirects = False

    pages: dict[str, tuple[int, bytes]] = {}
    for name, path in (
        ("/register", f"/staff/volunteers?lang={lang}"),
        ("/new", f"/staff/volunteers/new?lang={lang}"),
        ("/edit", f"/staff/volunteers/{volunteer.id}/edit?lang={lang}"),
        ("/remove", f"/staff/volunteers/{volunteer.id}/remove?lang={lang}"),
        ("/person", f"/staff/clients/{person.id}?lang={lang}"),
        ("/find", f"/staff/clients/{person.id}/volunteers/find?lang={lang}"),
    ):
        response = client.get(path)
        pages[name] = (response.status_code, response.content)
    for name, path, data in (
        ("/new-errors", f"/staff/volunteers/new?lang={lang}", {"display_name": "", "languages": "x!", "check_on": "y"}),
        ("/found", f"/staff/clients/{person.id}/volunteers/find?lang={lang}", {"area": "Northside", "interests": ["football"]}),
        ("/propose-errors", f"/staff/clients/{person.id}/volunteers/propose?lang={lang}", {"area": "Northside"}),
    ):
        response = client.post(path, data={"csrf_token": csrf, **data})
        pages[name] = (response.status_code, response.content)

    volunteer_client = TestClient(app, follow_redirects=False)
    audit_factories.sign_in_as(volunteer_client, accounts.actor_for(volunteer_account))
    own = volunteer_client.get(f"/staff/volunteering?lang={lang}")
    assert b"Layla" in own.content
    pages["/own"] = (own.status_code, own.content)

    for name, (_status, content) in pages.items():
        assert len(content) <= PAGE_LIMIT, f"{name} is {len(content)} bytes"
    browser.check_pages(chromium, client, pages, lang)
