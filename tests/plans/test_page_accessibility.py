"""The action plan pages in real headless Chromium with axe-core (WCAG 2.2 AA), in English and Arabic (right to left),
JavaScript not needed: the person's page with its plan section, a goal's page, the goal and step forms (also with
their error summaries), finding services, and the printed plan. Chromium fetches every URL through the test's app."""

from __future__ import annotations

import datetime as dt

import pytest
from factories import audit as audit_factories
from factories import browser
from factories import clients
from factories import plans as factories


@pytest.fixture(scope="module")
def connection(demo_city_connection):  # noqa: ANN001, ANN201 - the demo directory, for "find services"
    return demo_city_connection


@pytest.fixture(autouse=True)
def _catalogs(compiled_catalogs):  # noqa: ANN001, ANN202
    return compiled_catalogs


@pytest.fixture(scope="module")
def chromium():  # noqa: ANN201
    yield from browser.chromium()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_plan_pages_have_no_wcag_violations(chromium, client, session, app, lang: str) -> None:  # noqa: ANN001
    settings = app.state.settings
    worker = clients.caseworker(session)
    person = clients.client(session, settings, worker.actor, languages=["ar"])
    goal = factories.goal(session, settings, worker.actor, person, domain="health", text="Find a family doctor")
    factories.step(session, settings, worker.actor, goal, description="Register at the health centre",
                   due_on=dt.date(2026, 11, 20))
    factories.step(session, settings, worker.actor, goal, description="Ask for an interpreter", who="organisation",
                   organisation="Fairhaven Refugee Council", due_on=dt.date(2026, 12, 20))
    session.commit()
    csrf = audit_factories.sign_in_as(client, worker.actor)
    client.follow_redirects = False
    base = f"/staff/clients/{person.id}/plan/goals/{goal.id}"
    from carebridge.directory import search

    result = search.search_services(session, category="primary-care", per_page=1).results[0]
    client.post(f"{base}/services?lang={lang}", data={"csrf_token": csrf, "service_id": result["service_id"],
                                                       "location_id": result["location_id"] or ""})

    pages: dict[str, tuple[int, bytes]] = {}
    for name, path in (
        ("/person", f"/staff/clients/{person.id}?lang={lang}"),
        ("/goal", f"{base}?lang={lang}"),
        ("/goal-new", f"/staff/clients/{person.id}/plan/goals/new?lang={lang}"),
        ("/goal-edit", f"{base}/edit?lang={lang}"),
        ("/step-new", f"{base}/steps/new?lang={lang}"),
        ("/services", f"{base}/services?lang={lang}"),
        ("/print", f"/staff/clients/{person.id}/plan/print?lang={lang}"),
    ):
        response = client.get(path)
        pages[name] = (response.status_code, response.content)
    for name, path, data in (
        ("/goal-new-errors", f"/staff/clients/{person.id}/plan/goals/new?lang={lang}", {"text": "", "review_on": "x"}),
        ("/step-new-errors", f"{base}/steps/new?lang={lang}", {"who": "organisation"}),
        ("/services-errors", f"{base}/services/search?lang={lang}", {"near": "Atlantis", "category": "housing"}),
    ):
        response = client.post(path, data={"csrf_token": csrf, **data})
        pages[name] = (response.status_code, response.content)

    browser.check_pages(chromium, client, pages, lang)
