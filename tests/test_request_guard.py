"""The request guard (carebridge.middleware): control characters, broken percent-escapes, links built from the route.

The sweep over every route is tests/test_route_sweep.py; bodies on the wire and logging are tests/test_server.py.
"""

from __future__ import annotations

import re

import httpx2
import pytest
from fastapi import APIRouter, Request
from fastapi.testclient import TestClient

from carebridge.app import create_app
from carebridge.web import render


def make_client() -> TestClient:
    # These tests never reach the database: the guard answers before any route does.
    return TestClient(create_app(session_factory=lambda: None), raise_server_exceptions=False)  # type: ignore[arg-type]


# One of each kind: C0 controls (NUL, the `?page=0%1D` of the issue, newline), DEL, and C1 controls (UTF-8 encoded).
CONTROL_ESCAPES = ["%00", "%1D", "%0A", "%7F", "%C2%80", "%C2%85", "%C2%9F"]
BROKEN_ESCAPES = ["%", "%1", "%zz", "%G0", "%FF", "%C3", "%C3%28", "%ED%A0%80"]


def _assert_problem(response, name: str, status: int = 422) -> None:  # noqa: ANN001
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["title"]
    assert [error["name"] for error in body["errors"]] == [name]


def _assert_error_page(response, language: str = "en", status: int = 422) -> None:  # noqa: ANN001
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert f'<html lang="{language}"' in response.text
    assert 'class="error-summary"' in response.text and "error-summary__list" in response.text


@pytest.mark.parametrize("escape", CONTROL_ESCAPES + BROKEN_ESCAPES)
def test_a_bad_query_value_is_a_422_problem_document_naming_the_parameter(escape: str) -> None:
    response = make_client().get(f"/api/hsds/services?page=0{escape}")
    _assert_problem(response, "page")


@pytest.mark.parametrize("escape", CONTROL_ESCAPES + BROKEN_ESCAPES)
def test_a_bad_query_value_on_a_page_is_the_error_page_with_its_summary(escape: str) -> None:
    response = make_client().get(f"/find/results?lang=ar&near=FH1{escape}&page=2")
    _assert_error_page(response, "ar")


def test_the_refused_value_is_never_echoed() -> None:
    response = make_client().get("/find/results?near=SECRET%00PLACE")
    _assert_error_page(response)
    assert "SECRET" not in response.text
    api = make_client().get("/api/hsds/services?search=SECRET%00PLACE")
    assert "SECRET" not in api.text


@pytest.mark.parametrize("query", ["na%00me=1", "%zz=1", "a%0Ab=1"])
def test_a_bad_parameter_name_is_refused_too(query: str) -> None:
    _assert_problem(make_client().get(f"/api/v1/services/search?{query}"), "request")


@pytest.mark.parametrize(
    "path",
    ["/services/%00", "/services/abc%1F", "/services/%C2%85", "/services/%zz", "/services/%FF", "/entitlements%0A"],
)
def test_a_bad_path_is_the_404_error_page_with_its_summary(path: str) -> None:
    _assert_error_page(make_client().get(path), status=404)


@pytest.mark.parametrize("path", ["/api/hsds/services/%00", "/api/hsds/services/%E9", "/api/v1/%7F"])
def test_a_bad_api_path_is_a_404_problem_document(path: str) -> None:
    _assert_problem(make_client().get(path), "path", status=404)


@pytest.mark.parametrize(
    ("body", "name"),
    [
        ({"jurisdiction": "DE\u0001"}, "jurisdiction"),
        ({"jurisdiction": "DE", "answers": {"age": "3\u009b"}}, "answers.age"),
        ({"jurisdiction": "DE", "answers": {"a\u0000ge": "3"}}, "answers"),
        ({"list": ["ok", "bell\u0007here"]}, "list.1"),
        ({"note": "vertical\u000btab"}, "note"),
        ({"a\nb": "a key is a name, never text"}, "body"),
    ],
)
def test_a_control_character_in_a_json_field_is_a_422_naming_the_field(body: dict, name: str) -> None:
    response = make_client().post("/api/v1/entitlements/evaluate", json=body)
    _assert_problem(response, name)


def test_a_control_character_in_a_form_body_is_refused() -> None:
    response = make_client().post(
        "/api/v1/entitlements/evaluate",
        content=b"jurisdiction=DE%07",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    _assert_problem(response, "jurisdiction")


@pytest.mark.parametrize("escape", ["%0B", "%0C", "%1B", "%C2%85"])
def test_other_control_characters_in_a_form_body_are_still_refused(escape: str) -> None:
    response = make_client().post(
        "/api/v1/entitlements/evaluate",
        content=f"note=line{escape}break".encode(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    _assert_problem(response, "note")


def test_a_line_break_in_a_form_field_name_is_refused() -> None:
    response = make_client().post(
        "/api/v1/entitlements/evaluate", content=b"a%0Ab=1", headers={"content-type": "application/x-www-form-urlencoded"}
    )
    _assert_problem(response, "request")


def test_line_breaks_and_tabs_in_body_text_pass_the_guard_but_not_in_the_url() -> None:
    """Notes and safe times are several lines long: a body may carry \\n, \\r and \\t; a URL never."""
    app = create_app(session_factory=lambda: None)  # type: ignore[arg-type]

    @app.post("/api/v1/test-echo")
    def echo_body(body: dict) -> dict:
        return body

    @app.post("/api/v1/test-form")
    async def echo_form(request: Request) -> dict:
        return dict(await request.form())

    client = TestClient(app, raise_server_exceptions=False)
    text = "first line\r\nsecond\tline\nthird"
    posted = client.post("/api/v1/test-echo", json={"note": text, "list": ["a\tb"]})
    assert posted.status_code == 200 and posted.json() == {"note": text, "list": ["a\tb"]}
    form = client.post(
        "/api/v1/test-form",
        content=b"note=first+line%0D%0Asecond%09line%0Athird",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert form.status_code == 200 and form.json() == {"note": text}
    _assert_problem(client.post("/api/v1/test-form?note=a%0Ab"), "note")


def test_clean_input_passes_the_guard() -> None:
    app = create_app(session_factory=lambda: None)  # type: ignore[arg-type]

    @app.get("/api/v1/test-echo")
    def echo(q: str) -> dict[str, str]:
        return {"q": q}

    @app.post("/api/v1/test-echo")
    def echo_body(body: dict) -> dict:
        return body

    client = TestClient(app)
    # Letters in any script, spaces (as + and %20), punctuation and emoji are all someone's ordinary search.
    response = client.get("/api/v1/test-echo?q=caf%C3%A9+%D8%B9%D9%8A%D8%A7%D8%AF%D8%A9%20%F0%9F%8F%A5%25%2B")
    assert response.status_code == 200
    assert response.json() == {"q": "café عيادة 🏥%+"}
    # JSON may be pretty-printed: whitespace between tokens is not a value.
    posted = client.post("/api/v1/test-echo", content=b'{\n\t"a": "b"\r\n}', headers={"content-type": "application/json"})
    assert posted.status_code == 200 and posted.json() == {"a": "b"}


def test_a_declared_body_over_1_mb_is_a_413_problem_document() -> None:
    response = make_client().post(
        "/api/v1/entitlements/evaluate", content=b"{" + b" " * (1024 * 1024) + b"}", headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["name"] == "body"


def test_a_body_over_1_mb_on_a_page_is_the_error_page() -> None:
    response = make_client().post("/find/results", content=b"x" * (1024 * 1024 + 1))
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("text/html")
    assert "error-summary" in response.text


# Links the pages build come from the route, never from the raw request path.

HOSTILE_PATHS = [
    "//evil.example/x",
    "//evil.example",
    "///evil.example/x",
    "/\\evil.example/x",
    "/%5Cevil.example/x",
    "/%2F%2Fevil.example/x",
    "/%2F/evil.example",
    "/.//evil.example/x",
    "//evil.example/%2e%2e",
]


def _raw_url(path_and_query: str) -> httpx2.URL:
    """The path exactly as given: a client would read `//evil.example/x` as another host, a server gets it as a path."""
    return httpx2.URL("http://testserver").copy_with(raw_path=path_and_query.encode())


def _links(html: str) -> list[str]:
    return re.findall(r'(?:href|action|src)="([^"]*)"', html)


@pytest.mark.parametrize("path", HOSTILE_PATHS)
def test_the_404_page_links_only_to_this_site(path: str) -> None:
    response = make_client().get(_raw_url(f"{path}?lang=ar"))
    assert response.status_code == 404
    assert response.url.host == "testserver" and "evil" in response.url.path  # the hostile path really was sent
    links = _links(response.text)
    language_links = [link for link in links if "lang=" in link]
    assert len(language_links) >= 6  # the switcher is there: the check below did run
    for link in links:
        assert "evil" not in link, link
        assert link.startswith(("/", "#", "data:")), link
        assert not link.startswith(("//", "/\\")), link


def test_language_links_keep_the_route_and_its_parameters() -> None:
    app = create_app(session_factory=lambda: None)  # type: ignore[arg-type]
    router = APIRouter(prefix="/things")

    @router.get("/{thing_id}")
    def thing(request: Request, thing_id: str):  # noqa: ANN202
        return render(request, "public/error.html", {"status": 200, "title": "Thing", "detail": None, "errors": []})

    app.include_router(router)
    response = TestClient(app).get("/things/a%20b%3F?x=1&lang=fr")
    assert response.status_code == 200
    switcher = [link for link in _links(response.text) if link.startswith("/things/")]
    assert len(switcher) == 6
    assert "/things/a%20b%3F?x=1&amp;lang=ar" in switcher


def test_the_refusal_is_explained_in_the_readers_language() -> None:
    page = make_client().get("/find/results?lang=ar&near=FH1%00")
    _assert_error_page(page, "ar")
    assert "يحتوي هذا على حرف لا يمكن استخدامه هنا" in page.text
    problem = make_client().post(
        "/api/v1/entitlements/evaluate?lang=fr", content=b"x" * (1024 * 1024 + 1), headers={"content-type": "text/plain"}
    )
    assert problem.status_code == 413
    assert problem.json()["errors"][0]["reason"] == "Ce qui a été envoyé dépasse 1 Mo, le maximum que nous acceptons."
