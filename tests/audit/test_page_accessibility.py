"""The audit page in real headless Chromium with axe-core (WCAG 2.2 AA), in English and Arabic (right to left).

Until sign-in exists on this branch the live server cannot show a staff page, so Chromium fetches every URL through
the test's own app (a Playwright route answering from the TestClient), signed in as a service manager."""

from pathlib import Path

import pytest
from factories import accounts as account_factories
from factories import audit as factories

from carebridge.audit import service

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE_PATH = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
ORIGIN = "http://carebridge.test"


@pytest.fixture(scope="module")
def chromium():
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
def test_the_audit_page_has_no_wcag_violations(chromium, app, client, session, compiled_catalogs, lang):
    organisation = account_factories.organisation(session)
    manager = factories.actor(session, roles=("service-manager",), organisation_=organisation)
    worker = factories.actor(session, roles=("link-worker",), organisation_=organisation, name="Ali Worker")
    service.record(session, "person.read", actor=worker, record_type="person", record_id="p-1", request_id="r1")
    session.commit()
    factories.sign_in_as(client, manager)

    def answer(route):  # noqa: ANN001, ANN202
        url = route.request.url
        if not url.startswith(ORIGIN):
            return route.abort()
        response = client.get(url.removeprefix(ORIGIN))
        return route.fulfill(status=response.status_code, headers=dict(response.headers), body=response.content)

    context = chromium.new_context(java_script_enabled=True, bypass_csp=True, locale="en-GB")
    try:
        page = context.new_page()
        page.route("**/*", answer)
        response = page.goto(f"{ORIGIN}/staff/audit?lang={lang}&date_from=bad")
        assert response is not None and response.status == 422  # the error summary is checked too
        assert page.get_attribute("html", "dir") == ("rtl" if lang == "ar" else "ltr")
        page.add_script_tag(content=AXE_PATH.read_text(encoding="utf-8"))
        results = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", AXE_TAGS
        )
        assert results["violations"] == [], [(v["id"], v["help"], [n["html"] for n in v["nodes"]][:3]) for v in results["violations"]]

        page.goto(f"{ORIGIN}/staff/audit?lang={lang}")
        assert page.locator("table.audit-table tbody tr").count() >= 1
        page.add_script_tag(content=AXE_PATH.read_text(encoding="utf-8"))
        results = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", AXE_TAGS
        )
        assert results["violations"] == [], [(v["id"], v["help"], [n["html"] for n in v["nodes"]][:3]) for v in results["violations"]]
    finally:
        context.close()
