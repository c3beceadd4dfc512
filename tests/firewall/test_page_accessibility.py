"""The register's and the figures' pages in real headless Chromium with axe-core (WCAG 2.2 AA), in English and Arabic
(right to left), error summaries included. Chromium fetches every URL through the test's own app."""

from __future__ import annotations

from pathlib import Path

import pytest
from factories import accounts
from factories import clients as client_factories

from carebridge.config import Settings
from carebridge.firewall import service

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE_PATH = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
ORIGIN = "http://carebridge.test"


@pytest.fixture(scope="module")
def chromium():  # noqa: ANN201
    if not CHROMIUM.exists() or not AXE_PATH.is_file():
        pytest.skip("Chromium (/usr/bin/chromium) or axe-core (npm ci) is missing")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        yield browser
        browser.close()


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

    def answer(route):  # noqa: ANN001, ANN202
        url = route.request.url
        if not url.startswith(ORIGIN):
            return route.abort()
        path = url.removeprefix(ORIGIN).split("?")[0]
        if path in pages:
            status, body = pages[path]
            return route.fulfill(status=status, headers={"content-type": "text/html; charset=utf-8"}, body=body)
        response = client.get(url.removeprefix(ORIGIN))
        return route.fulfill(status=response.status_code, headers=dict(response.headers), body=response.content)

    context = chromium.new_context(java_script_enabled=True, bypass_csp=True, locale="en-GB")
    try:
        page = context.new_page()
        page.route("**/*", answer)
        for path, (status, body) in pages.items():
            assert status in (200, 422), (path, status)
            assert len(body) < 100_000 and b"<script" not in body
            page.goto(f"{ORIGIN}{path}")
            assert page.get_attribute("html", "dir") == ("rtl" if lang == "ar" else "ltr")
            page.add_script_tag(content=AXE_PATH.read_text(encoding="utf-8"))
            results = page.evaluate(
                "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", AXE_TAGS
            )
            assert results["violations"] == [], (
                path, [(v["id"], v["help"], [n["html"] for n in v["nodes"]][:3]) for v in results["violations"]]
            )
    finally:
        context.close()
