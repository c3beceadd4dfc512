"""The risk pages in real headless Chromium with axe-core (WCAG 2.2 AA), in English and Arabic (right to left): the
clinician's list, a flag page, the same with its closing form's error summary, the raise form with its errors, the
oversight page with the rota, and the person's page with its risk section."""

from __future__ import annotations

import pytest

from carebridge.config import Settings
from carebridge.kit import clock
from factories import audit as audit_factories
from factories import browser
from factories import risk as factories


@pytest.fixture(autouse=True)
def _catalogs(compiled_catalogs):  # noqa: ANN001, ANN202
    return compiled_catalogs


@pytest.fixture(scope="module")
def chromium():  # noqa: ANN201
    yield from browser.chromium()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_risk_pages_have_no_wcag_violations(chromium, client, session, lang: str) -> None:  # noqa: ANN001
    settings = Settings()
    world = factories.world(session, settings)
    factories.on_duty(session, world.clinician, clock.today(), phone="020 7946 0000")
    flag = factories.flag(session, settings, world.person, world.actor("peer"))
    session.commit()
    pages: dict[str, tuple[int, bytes]] = {}

    csrf = audit_factories.sign_in_as(client, world.actor("clinician"))
    for name, path in (("/list", "/staff/risk"), ("/flag", f"/staff/risk/flags/{flag.id}"), ("/person", f"/staff/clients/{world.person.id}")):
        response = client.get(path, params={"lang": lang})
        pages[name] = (response.status_code, response.content)
    response = client.post(f"/staff/risk/flags/{flag.id}/close?lang={lang}", data={"csrf_token": csrf, "outcome_notes": ""})
    pages["/flag-with-errors"] = (response.status_code, response.content)

    csrf = audit_factories.sign_in_as(client, world.actor("peer"))
    response = client.post(f"/staff/clients/{world.person.id}/risk-flags/new?lang={lang}", data={"csrf_token": csrf})
    pages["/raise-with-errors"] = (response.status_code, response.content)

    audit_factories.sign_in_as(client, world.actor("manager"))
    response = client.get("/staff/risk/oversight", params={"lang": lang})
    pages["/oversight"] = (response.status_code, response.content)

    browser.check_pages(chromium, client, pages, lang)
