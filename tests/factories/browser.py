"""Real headless Chromium with axe-core over pages the test's own app rendered (no server): the staff pages' WCAG 2.2
AA checks. The pages are rendered with the test's TestClient (signed in as it needs); Chromium asks for them by path
on a made-up origin, and every other URL (CSS, the same site's links) is answered by the same client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE_PATH = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
ORIGIN = "http://carebridge.test"


def chromium() -> Iterator[Any]:
    """The body of a module-scoped `chromium` fixture: a launched browser, or a skip saying what is missing."""
    if not CHROMIUM.exists() or not AXE_PATH.is_file():
        pytest.skip("Chromium (/usr/bin/chromium) or axe-core (npm ci) is missing")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        yield browser
        browser.close()


def check_pages(browser: Any, client: Any, pages: dict[str, tuple[int, bytes]], lang: str) -> None:
    """Each rendered page (path → (status, body)): 200 or 422, under 100 KB, no script, the language's direction,
    and no axe violation."""

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

    context = browser.new_context(java_script_enabled=True, bypass_csp=True, locale="en-GB")
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


def sign_in(page: Any, base: str, email: str, lang: str) -> None:
    """Sign a demo-style account in through the real pages (password, then the TOTP code), in `lang`."""
    from factories import accounts as account_factories

    page.goto(f"{base}/staff/sign-in?lang={lang}")
    page.fill("#email", email)
    page.fill("#password", account_factories.PASSWORD)
    page.click('form[action="/staff/sign-in"] button[type="submit"]')
    page.fill("#code", account_factories.totp_code())
    page.click('form[action="/staff/sign-in/code"] button[type="submit"]')
    assert page.url == f"{base}/staff"


def assert_axe_clean(page: Any, lang: str) -> None:
    """The page in the browser is in `lang` and axe-core finds no WCAG 2.2 AA violation on it."""
    assert page.get_attribute("html", "lang") == lang
    page.add_script_tag(content=AXE_PATH.read_text(encoding="utf-8"))
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", AXE_TAGS
    )
    problems = [
        f"{violation['id']}: {violation['help']} at {[' '.join(node['target']) for node in violation['nodes'][:5]]}"
        for violation in results["violations"]
    ]
    assert not problems, f"{page.url}:\n" + "\n".join(problems)
