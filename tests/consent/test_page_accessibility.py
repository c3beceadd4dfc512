"""The consent pages in real headless Chromium with axe-core (WCAG 2.2 AA), in English and Arabic (right to left): the
printable explanation, the record-consent form and the same form with its error summary. Chromium fetches every URL
through the test's own app."""

from __future__ import annotations

import pytest

from carebridge.config import Settings
from factories import browser
from factories import audit as audit_factories
from factories import clients
from factories import consent as consents


@pytest.fixture(autouse=True)
def _catalogs(compiled_catalogs):  # noqa: ANN001, ANN202
    return compiled_catalogs


@pytest.fixture(scope="module")
def chromium():  # noqa: ANN201
    yield from browser.chromium()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_consent_pages_have_no_wcag_violations(chromium, client, session, lang: str) -> None:  # noqa: ANN001
    settings = Settings()
    worker = clients.caseworker(session)
    person = clients.client(session, settings, worker.actor)
    consents.channel(session, settings, person)
    session.commit()
    csrf = audit_factories.sign_in_as(client, worker.actor)

    pages: dict[str, tuple[int, bytes]] = {}
    for name, path in (
        ("/explanation", f"/staff/clients/{person.id}/consent/explanation?purpose=reminders&lang={lang}"),
        ("/new", f"/staff/clients/{person.id}/consent/new?lang={lang}"),
    ):
        response = client.get(path)
        pages[name] = (response.status_code, response.content)
    response = client.post(
        f"/staff/clients/{person.id}/consent/new?lang={lang}",
        data={"csrf_token": csrf, "purpose": "share", "method": "interpreter", "explanation_language": lang,
              "explanation_version": "2026-12"},
    )
    pages["/new-with-errors"] = (response.status_code, response.content)

    browser.check_pages(chromium, client, pages, lang)
