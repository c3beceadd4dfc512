"""The social-prescribing pages in real headless Chromium with axe-core (WCAG 2.2 AA), in English and Arabic (right
to left), JavaScript off: the person's page with its section (conversation, wellbeing and change), each form with
its error summary, and the finder with results."""

from __future__ import annotations

import datetime as dt

import pytest
from factories import audit as audit_factories
from factories import browser
from factories import clients as client_factories
from factories import prescribing as factories

from carebridge.directory import service as directory
from carebridge.kit import clock


@pytest.fixture(autouse=True)
def _catalogs(compiled_catalogs):
    return compiled_catalogs


@pytest.fixture(scope="module")
def chromium():
    yield from browser.chromium()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_prescribing_pages_have_no_wcag_violations(chromium, client, session, lang: str) -> None:
    settings = client_factories.settings()
    directory.load_demo_data(session)
    worker = client_factories.caseworker(session)
    person = client_factories.client(session, settings, worker.actor, preferred_name="Amina", languages=["ar"])
    with clock.pinned(dt.datetime(2026, 12, 6, 12, 0, tzinfo=dt.UTC)):
        factories.conversation(session, settings, worker.actor, person)
        factories.wellbeing(session, settings, worker.actor, person, stage="start", taken_on=dt.date(2026, 9, 1))
        factories.wellbeing(session, settings, worker.actor, person, stage="follow-up", scores=(6, 7, 6, 3))
    session.commit()
    pages: dict[str, tuple[int, bytes]] = {}
    csrf = audit_factories.sign_in_as(client, worker.actor)
    base = f"/staff/clients/{person.id}/social-prescribing"
    for name, path in (("/person", f"/staff/clients/{person.id}"), ("/conversation", f"{base}/conversation"),
                       ("/wellbeing", f"{base}/wellbeing"), ("/find", f"{base}/find"), ("/concern", f"{base}/concern")):
        response = client.get(path, params={"lang": lang})
        pages[name] = (response.status_code, response.content)
    for name, path, data in (
        ("/conversation-with-errors", f"{base}/conversation", {"held_on": "x"}),
        ("/wellbeing-with-errors", f"{base}/wellbeing", {"life_satisfaction": "11"}),
        ("/concern-with-errors", f"{base}/concern", {}),
        ("/find-results", f"{base}/find", {"need": "arts-culture", "women_only": "1"}),
    ):
        response = client.post(f"{path}?lang={lang}", data={"csrf_token": csrf, **data})
        pages[name] = (response.status_code, response.content)
    assert pages["/find-results"][0] == 200 and b"referrals/new?service_at_location_id=" in pages["/find-results"][1]
    assert pages["/wellbeing-with-errors"][0] == 422
    browser.check_pages(chromium, client, pages, lang)
