"""The consent pages in real headless Chromium with axe-core (WCAG 2.2 AA), in English and Arabic (right to left): the
printable explanation, the record-consent form and the same form with its error summary. Chromium fetches every URL
through the test's own app."""

from __future__ import annotations

from pathlib import Path

import pytest

from carebridge.config import Settings
from factories import audit as audit_factories
from factories import clients
from factories import consent as consents

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE_PATH = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
ORIGIN = "http://carebridge.test"


@pytest.fixture(autouse=True)
def _catalogs(compiled_catalogs):  # noqa: ANN001, ANN202
    return compiled_catalogs


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
                "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
                AXE_TAGS,
            )
            assert results["violations"] == [], (
                path, [(v["id"], v["help"], [n["html"] for n in v["nodes"]][:3]) for v in results["violations"]]
            )
    finally:
        context.close()
