"""The assessment pages in real headless Chromium with axe-core (WCAG 2.2 AA), in English and Arabic (right to left):
the new-assessment form, the same form with its error summary, the assessment page with its override form, the same
with an error, and the person's page with the section and its table of how each domain moved."""

from __future__ import annotations

import datetime as dt

import pytest
from factories import audit as audit_factories
from factories import browser
from factories import clients
from factories.assessments import answers

from carebridge.assessments import service
from carebridge.config import Settings


@pytest.fixture(autouse=True)
def _catalogs(compiled_catalogs):  # noqa: ANN001, ANN202
    return compiled_catalogs


@pytest.fixture(scope="module")
def chromium():  # noqa: ANN201
    yield from browser.chromium()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_assessment_pages_have_no_wcag_violations(chromium, client, session, fixed_clock, lang: str) -> None:  # noqa: ANN001
    settings = Settings()
    worker = clients.caseworker(session)
    person = clients.client(session, settings, worker.actor)
    service.create_assessment(session, settings, worker.actor, person, answers(housing=4, finances=3, language=2),
                              assessed_at=fixed_clock - dt.timedelta(days=40))
    latest = service.create_assessment(session, settings, worker.actor, person, answers(housing=2, finances=3))
    service.override_assessment(session, settings, worker.actor, latest.id, "critical", "Appointments missed.")
    session.commit()
    csrf = audit_factories.sign_in_as(client, worker.actor)

    pages: dict[str, tuple[int, bytes]] = {}
    for name, path in (
        ("/new", f"/staff/clients/{person.id}/assessments/new?lang={lang}"),
        ("/show", f"/staff/clients/{person.id}/assessments/{latest.id}?lang={lang}"),
        ("/person", f"/staff/clients/{person.id}?lang={lang}"),
    ):
        response = client.get(path)
        pages[name] = (response.status_code, response.content)
    response = client.post(f"/staff/clients/{person.id}/assessments/new?lang={lang}",
                           data={"csrf_token": csrf, "housing-score": "7", "what_matters": "x"})
    pages["/new-with-errors"] = (response.status_code, response.content)
    response = client.post(f"/staff/clients/{person.id}/assessments/{latest.id}/override?lang={lang}",
                           data={"csrf_token": csrf, "category": "", "reason": ""})
    pages["/show-with-errors"] = (response.status_code, response.content)

    browser.check_pages(chromium, client, pages, lang)
