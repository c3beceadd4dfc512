"""The register's and the figures' pages in real headless Chromium with axe-core (WCAG 2.2 AA), in English and Arabic
(right to left), error summaries included. Chromium fetches every URL through the test's own app."""

from __future__ import annotations

import pytest
from factories import accounts, browser
from factories import clients as client_factories

from carebridge.config import Settings
from carebridge.firewall import service


@pytest.fixture(scope="module")
def chromium():  # noqa: ANN201
    yield from browser.chromium()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_firewall_pages_have_no_wcag_violations(chromium, client, session, sign_in, lang):  # noqa: ANN001
    settings = Settings()
    worker = client_factories.caseworker(session)
    admin_one = accounts.account(session, roles=("administrator",), organisation_=worker.organisation)
    admin_two = accounts.account(session, roles=("administrator",), organisation_=worker.organisation)
    planner = accounts.account(session, roles=("planner",), organisation_=worker.organisation)
    person = client_factories.client(session, settings, worker.actor)
    manager = accounts.actor_for(accounts.account(session, roles=("service-manager",), organisation_=worker.organisation))
    entry = service.record_request(
        session, settings, manager,
        service.RequestInput("immigration-enforcement", "Officer", asked_for="Address", client_id=person.id),
    )
    service.propose(session, settings, accounts.actor_for(admin_one), entry.id, "refuse", "Refused by rule")
    session.commit()

    pages: dict[str, tuple[int, bytes]] = {}
    csrf = sign_in(admin_two)
    for path in ("/staff/disclosure-requests", "/staff/disclosure-requests/new", f"/staff/disclosure-requests/{entry.id}"):
        response = client.get(path, params={"lang": lang})
        pages[path] = (response.status_code, response.content)
    response = client.post(
        "/staff/disclosure-requests/new", params={"lang": lang},
        data={"requester_kind": "", "asked_for": "", "received_on": "tomorrow", "csrf_token": csrf},
    )
    pages["/errors/new"] = (response.status_code, response.content)
    response = client.post(f"/staff/disclosure-requests/{entry.id}/confirm", params={"lang": lang}, data={"csrf_token": csrf})
    pages["/errors/confirm"] = (response.status_code, response.content)
    sign_in(planner)
    response = client.get("/staff/reports", params={"lang": lang})
    pages["/staff/reports"] = (response.status_code, response.content)
    sign_in(worker.account)
    response = client.get(f"/staff/clients/{person.id}/disclosure-requests/{entry.id}/told", params={"lang": lang})
    pages["/told"] = (response.status_code, response.content)

    browser.check_pages(chromium, client, pages, lang)
