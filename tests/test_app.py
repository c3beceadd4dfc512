"""The app's shared behaviour: errors are problem documents or error pages, languages, headers. No 500s."""

from __future__ import annotations

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
