"""The referral pages in real headless Chromium with axe-core (WCAG 2.2 AA), in English and Arabic (right to left):
the new referral form (blank, with search results, with a chosen service and its errors), a referral for the
referrer (sent, and a draft with its send form), the sent list, the person's page with its referrals section and the
printout; for the receiver the inbox, the referral and a move with its error summary."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from carebridge.config import Settings
from factories import audit as audit_factories
from factories import consent as consent_factories
from factories import referrals as factories


@pytest.fixture(scope="module")
def connection(demo_city_connection):  # noqa: ANN001, ANN201
    return demo_city_connection


@pytest.fixture(autouse=True)
def _catalogs(compiled_catalogs):  # noqa: ANN001, ANN202
    return compiled_catalogs


@pytest.fixture(scope="module")
def chromium():  # noqa: ANN201
    from factories import browser

    yield from browser.chromium()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_referral_pages_have_no_wcag_violations(chromium, app, client, session, lang: str) -> None:  # noqa: ANN001
    from factories import browser

    settings = Settings()
    world = factories.world(session, settings, person_name="Yusra Haddad", interpreter_needed=True, interpreter_language="ar")
    consent_factories.channel(session, settings, world.person, "sms", "+447700900123")
    sent = factories.sent(session, settings, world, priority="urgent")
    draft = factories.draft(session, settings, world)
    session.commit()
    pages: dict[str, tuple[int, bytes]] = {}
    person = world.person.id

    csrf = audit_factories.sign_in_as(client, world.actor("worker"))
    for name, path, params in (
        ("/new", f"/staff/clients/{person}/referrals/new", {}),
        ("/new-chosen", f"/staff/clients/{person}/referrals/new", {"service_at_location_id": world.service_at_location_id}),
        ("/referral", f"/staff/referrals/{sent.id}", {}),
        ("/draft", f"/staff/referrals/{draft.id}", {}),
        ("/sent", "/staff/referrals", {}),
        ("/person", f"/staff/clients/{person}", {}),
        ("/print", f"/staff/referrals/{sent.id}/print", {}),
    ):
        response = client.get(path, params={"lang": lang, **params})
        pages[name] = (response.status_code, response.content)
    response = client.post(f"/staff/clients/{person}/referrals/new/search?lang={lang}",
                           data={"csrf_token": csrf, "q": "doctor"})
    pages["/search"] = (response.status_code, response.content)
    response = client.post(f"/staff/clients/{person}/referrals/new?lang={lang}", data={
        "csrf_token": csrf, "service_at_location_id": world.service_at_location_id, "kind": "referral",
        "priority": "", "reason": "", "share": ["name", "contact"], "action": "send"})
    pages["/new-with-errors"] = (response.status_code, response.content)

    with TestClient(app, raise_server_exceptions=False) as receiver:
        csrf = audit_factories.sign_in_as(receiver, world.actor("receiver"))
        for name, path in (("/inbox", "/staff/referrals/inbox"), ("/received", f"/staff/referrals/inbox/{sent.id}")):
            response = receiver.get(path, params={"lang": lang})
            pages[name] = (response.status_code, response.content)
        response = receiver.post(f"/staff/referrals/inbox/{sent.id}/move?lang={lang}",
                                 data={"csrf_token": csrf, "to": "rejected", "version": str(sent.version)})
        pages["/move-with-errors"] = (response.status_code, response.content)
    assert pages["/new-with-errors"][0] == 422 and pages["/move-with-errors"][0] == 422
    browser.check_pages(chromium, client, pages, lang)
