"""The app's shared behaviour: errors are problem documents or error pages, languages, headers. No 500s."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from carebridge.app import create_app


def make_client() -> TestClient:
    # These tests never reach the database.
    return TestClient(create_app(session_factory=lambda: None), raise_server_exceptions=False)  # type: ignore[arg-type]


def test_openapi_is_published() -> None:
    response = make_client().get("/api/openapi.json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Carebridge"


def test_unknown_api_path_is_a_problem_document() -> None:
    response = make_client().get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 404 and body["title"] and body["instance"] == "/api/v1/nothing-here"


def test_unknown_page_is_an_html_page_in_the_chosen_language() -> None:
    response = make_client().get("/no-such-page?lang=ar")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert '<html lang="ar" dir="rtl">' in response.text


def test_lang_choice_is_remembered_in_a_cookie() -> None:
    client = make_client()
    response = client.get("/api/v1/health?lang=uk")
    assert "carebridge_lang=uk" in response.headers["set-cookie"]
    page = client.get("/no-such-page")
    assert '<html lang="uk" dir="ltr">' in page.text


def test_unknown_language_falls_back_to_accept_language_then_default() -> None:
    client = make_client()
    assert '<html lang="fr"' in client.get("/x?lang=zz", headers={"Accept-Language": "de, fr;q=0.8"}).text
    assert '<html lang="en"' in client.get("/x", headers={"Accept-Language": "de"}).text


def test_privacy_headers_on_every_response() -> None:
    response = make_client().get("/api/v1/health")
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-content-type-options"] == "nosniff"


def test_health_allows_any_origin_for_get() -> None:
    response = make_client().get("/api/v1/health", headers={"Origin": "https://elsewhere.example"})
    assert response.headers["access-control-allow-origin"] == "*"


def test_a_page_error_with_field_errors_is_an_error_summary_in_the_readers_language() -> None:
    from carebridge.errors import FieldError, InvalidInput

    app = create_app(session_factory=lambda: None)  # type: ignore[arg-type]

    @app.get("/broken-form")
    def broken_form() -> None:
        raise InvalidInput(errors=[FieldError(name="near", message="%(value)s is not a number", params={"value": "x"})])

    response = TestClient(app, raise_server_exceptions=False).get("/broken-form?lang=fr")
    assert response.status_code == 422
    assert '<html lang="fr" dir="ltr">' in response.text
    assert "x n&#39;est pas un nombre" in response.text or "x n'est pas un nombre" in response.text


def test_an_unexpected_error_is_a_problem_document_and_its_message_is_not_logged(caplog) -> None:  # noqa: ANN001
    app = create_app(session_factory=lambda: None)  # type: ignore[arg-type]

    @app.get("/api/v1/explode")
    def explode(postcode: str) -> None:
        raise ValueError(f"could not read {postcode}")

    with caplog.at_level("ERROR", logger="carebridge"):
        response = TestClient(app, raise_server_exceptions=False).get("/api/v1/explode?postcode=FH1%201AA")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "ValueError" in caplog.text and "explode" in caplog.text
    assert "FH1 1AA" not in caplog.text and "FH1 1AA" not in response.text


# CORS: open for GET (and HEAD) on /api/hsds/ and /api/v1/ only.

CORS_ORIGIN = {"Origin": "https://elsewhere.example"}


def _preflight(client: TestClient, path: str, method: str = "GET"):  # noqa: ANN202
    return client.options(
        path, headers={**CORS_ORIGIN, "Access-Control-Request-Method": method, "Access-Control-Request-Headers": "accept"}
    )


def test_cors_preflight_for_get_is_allowed_on_the_open_api_paths() -> None:
    client = make_client()
    for path in ["/api/hsds/services", "/api/hsds/", "/api/v1/services/search", "/api/v1/health"]:
        response = _preflight(client, path)
        assert response.status_code == 200, path
        assert response.headers["access-control-allow-origin"] == "*"
        assert response.headers["access-control-allow-methods"] == "GET, HEAD"
        assert "access-control-allow-credentials" not in response.headers


def test_cors_preflight_is_refused_for_other_methods_and_other_paths() -> None:
    client = make_client()
    refused = [
        ("/api/v1/entitlements/evaluate", "POST"),
        ("/api/hsds/services", "DELETE"),
        ("/find/results", "GET"),
        ("/", "GET"),
        ("/entitlements/result.pdf", "GET"),
        ("/api/openapi.json", "GET"),
        ("/api/docs", "GET"),
        ("/static/css/site.css", "GET"),
    ]
    for path, method in refused:
        response = _preflight(client, path, method)
        assert "access-control-allow-origin" not in response.headers, (path, method)
        assert response.status_code >= 400 or path.startswith("/static/"), (path, method, response.status_code)


def test_cors_simple_requests_are_open_only_for_get_on_the_open_api_paths() -> None:
    client = make_client()
    assert client.get("/api/v1/health", headers=CORS_ORIGIN).headers["access-control-allow-origin"] == "*"
    assert client.get("/api/hsds/no-such-thing", headers=CORS_ORIGIN).headers["access-control-allow-origin"] == "*"
    closed = [
        client.get("/?lang=en", headers=CORS_ORIGIN),
        client.get("/no-such-page", headers=CORS_ORIGIN),
        client.get("/api/openapi.json", headers=CORS_ORIGIN),
        client.post("/api/v1/entitlements/evaluate", json={}, headers=CORS_ORIGIN),
    ]
    for response in closed:
        assert "access-control-allow-origin" not in response.headers, response.request.url


# /api/docs works offline: Swagger UI is served by the app, under a CSP that allows only 'self'.


def test_api_docs_load_nothing_from_elsewhere_and_their_assets_are_ours() -> None:
    import re

    client = make_client()
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.text
    assert "//" not in html.replace("<!doctype html>", ""), "an absolute or protocol-relative URL in the docs page"
    references = re.findall(r'(?:src|href)="([^"]+)"', html)
    assets = [reference for reference in references if not reference.startswith("data:")]
    assert any(asset.endswith("swagger-ui-bundle.js") for asset in assets)
    assert any(asset.endswith("swagger-ui.css") for asset in assets)
    assert "<script>" not in html and "style=" not in html  # nothing inline: the CSP needs no 'unsafe-inline'
    for asset in assets:
        assert asset.startswith("/") and not asset.startswith("//"), asset
        fetched = client.get(asset)
        assert fetched.status_code == 200, asset
        assert len(fetched.content) > 0
    assert client.get("/api/openapi.json").status_code == 200
    # Only what the docs use: not the package's demo page (inline script, an API on another site).
    assert client.get("/static/swagger-ui/index.html").status_code == 404
    assert client.get("/static/swagger-ui/swagger-initializer.js").status_code == 404


def test_api_docs_have_a_self_only_content_security_policy() -> None:
    policy = make_client().get("/api/docs").headers["content-security-policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'"
    for name, sources in directives.items():
        for source in sources.split():
            # 'self', 'none', and data: for Swagger UI's inline icons (data: loads nothing from anywhere).
            assert source in {"'self'", "'none'", "data:"}, (name, source)


def test_static_files_named_by_their_digest_are_kept_for_a_year(client) -> None:  # noqa: ANN001
    from carebridge.web import static_url

    versioned = client.get(static_url("css/site.css"))
    assert versioned.status_code == 200
    assert versioned.headers["cache-control"] == "public, max-age=31536000, immutable"
    plain = client.get("/static/css/site.css")
    assert plain.headers["cache-control"] == "public, max-age=86400"
    missing = client.get("/static/css/none.css?v=1")
    assert missing.status_code == 404 and "immutable" not in missing.headers.get("cache-control", "")
    # Pages that use it name it by its digest.
    assert static_url("css/site.css") in client.get("/").text


@pytest.mark.parametrize("header", ["prs", "prs-AF,en;q=0.5", "fa-AF", "pes"])
def test_dari_and_persian_readers_get_farsi_pages(client, header: str) -> None:  # noqa: ANN001
    page = client.get("/", headers={"Accept-Language": header})
    assert '<html lang="fa" dir="rtl">' in page.text


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/api/v1/clients", {"GET", "POST"}),
        ("/api/v1/clients/abc/channels", {"GET", "POST"}),
        ("/api/v1/clients/abc/consents", {"GET", "POST"}),
    ],
)
def test_a_method_a_path_does_not_have_is_405_listing_every_method_of_the_path(path: str, expected: set[str]) -> None:
    # Each method of a path is a route of its own; Starlette's 405 would name only the first route's methods.
    response = make_client().request("PUT", path)
    assert response.status_code == 405
    assert {method.strip() for method in response.headers["allow"].split(",")} == expected
    assert response.headers["content-type"] == "application/problem+json"
