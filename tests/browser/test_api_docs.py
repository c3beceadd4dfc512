"""/api/docs in real Chromium: Swagger UI renders from the app's own files, with every other origin blocked, and
breaks none of its content security policy."""

from __future__ import annotations


def test_api_docs_render_offline_within_their_content_security_policy(live_server: str, js_page) -> None:  # noqa: ANN001
    elsewhere: list[str] = []
    problems: list[str] = []

    def only_this_site(route) -> None:  # noqa: ANN001
        url = route.request.url
        if url.startswith(live_server) or url.startswith("data:"):
            route.continue_()
        else:
            elsewhere.append(url)
            route.abort()

    js_page.route("**/*", only_this_site)
    js_page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    js_page.on("pageerror", lambda error: problems.append(str(error)))
    js_page.goto(f"{live_server}/api/docs")
    js_page.wait_for_selector(".opblock", timeout=30_000)

    operations = js_page.locator(".opblock").count()
    assert operations >= 10, operations  # the whole API is listed: Swagger UI ran and read /api/openapi.json
    assert js_page.locator(".opblock-summary-path", has_text="/api/v1/services/search").count() == 1
    assert elsewhere == [], f"the docs asked another origin for {elsewhere}"
    assert not [text for text in problems if "Content Security Policy" in text], problems
    assert problems == [], problems
