"""Every route of the app, taken from its own route table, against hostile and odd input: never a 500.

A new route is covered without editing this file. For each route the sweep knows its methods, its path parameters,
its declared query and body parameters (from FastAPI's dependant), and the query parameters it reads by hand
(recorded while it answers a plain request, and read from its module's `.get("name")` calls).

- Hostile: one parameter (query, path or JSON field) carries a control character (U+0000–U+001F, U+007F–U+009F; in a
  JSON field not a line break or tab, which are text there) or a broken percent-escape: a 422 (404 for a path parameter: no record has that address) problem document under /api/,
  the error page with its error summary elsewhere.
- Odd: any printable text in any parameter: never a 500; an error is a problem document (API) or an HTML page.
- Privacy: every route's answer is `Cache-Control: no-store` unless the route is on the short list of cacheable ones.
"""

from __future__ import annotations

import contextlib
import inspect
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.datastructures import QueryParams

from carebridge.app import CACHEABLE_ROUTES, create_app


@dataclass
class RouteInfo:
    method: str
    path: str
    path_params: list[str]
    query_params: set[str]
    body_fields: list[str]
    module: str

    @property
    def is_api(self) -> bool:
        return self.path.startswith("/api/")

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def _flatten(dependant, kind: str) -> list:  # noqa: ANN001
    found = list(getattr(dependant, kind))
    for sub in dependant.dependencies:
        found += _flatten(sub, kind)
    return found


_READ_BY_HAND = re.compile(r"""\.get\(\s*["']([a-z][a-z0-9_]{0,40})["']""")


def _names_read_in_module(module_name: str) -> set[str]:
    import importlib

    try:
        source = inspect.getsource(importlib.import_module(module_name))
    except (OSError, TypeError):
        return set()
    return set(_READ_BY_HAND.findall(source))


def _body_fields(route: APIRoute) -> list[str]:
    fields: list[str] = []
    for param in _flatten(route.dependant, "body_params"):
        model = getattr(param.field_info, "annotation", None) or getattr(param, "type_", None)
        model_fields = getattr(model, "model_fields", None)
        if model_fields:
            fields += [info.alias or name for name, info in model_fields.items()]
        else:
            fields.append(param.alias)
    return fields or ["value"]


def route_table() -> list[RouteInfo]:
    app = create_app(session_factory=lambda: None)  # type: ignore[arg-type]
    routes = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if not isinstance(route, APIRoute):
            continue
        for method in sorted(context.methods or ()):
            if method == "HEAD":
                continue
            routes.append(
                RouteInfo(
                    method=method,
                    path=context.path,
                    path_params=[param.alias for param in _flatten(route.dependant, "path_params")]
                    or re.findall(r"{(\w+)(?::\w+)?}", context.path),
                    query_params={param.alias for param in _flatten(route.dependant, "query_params")}
                    | _names_read_in_module(route.endpoint.__module__)
                    | {"lang"},
                    body_fields=_body_fields(route) if method in {"POST", "PUT", "PATCH"} else [],
                    module=route.endpoint.__module__,
                )
            )
    return routes


ROUTES = route_table()


def test_the_sweep_sees_the_whole_route_table() -> None:
    # Guards the sweep itself: if the route table reading broke, every parametrized test below would vanish.
    paths = {route.path for route in ROUTES}
    assert len(ROUTES) >= 25
    assert {"/find/results", "/api/hsds/services", "/services/{service_id}", "/entitlements/result.pdf"} <= paths
    assert any(route.body_fields != ["value"] and route.body_fields for route in ROUTES)


# Query names a route reads through request.query_params, recorded while it answers.
_recorded: set[str] | None = None


@contextlib.contextmanager
def _recording_query_names() -> Iterator[set[str]]:
    global _recorded
    names: set[str] = set()
    original_get, original_getitem, original_contains = QueryParams.get, QueryParams.__getitem__, QueryParams.__contains__

    def get(self, key, default=None):  # noqa: ANN001, ANN202
        names.add(key)
        return original_get(self, key, default)

    def getitem(self, key):  # noqa: ANN001, ANN202
        names.add(key)
        return original_getitem(self, key)

    def contains(self, key):  # noqa: ANN001, ANN202
        names.add(key)
        return original_contains(self, key)

    QueryParams.get, QueryParams.__getitem__, QueryParams.__contains__ = get, getitem, contains  # type: ignore[method-assign]
    try:
        yield names
    finally:
        QueryParams.get, QueryParams.__getitem__, QueryParams.__contains__ = (  # type: ignore[method-assign]
            original_get,
            original_getitem,
            original_contains,
        )


def _request(client, route: RouteInfo, path_values: dict[str, str], query: str, body: object = None):  # noqa: ANN001, ANN202
    path = route.path
    for name in route.path_params:
        path = re.sub(r"{" + name + r"(?::\w+)?}", path_values.get(name, "x1"), path)
    url = path + (f"?{query}" if query else "")
    if route.method == "GET":
        return client.get(url)
    return client.request(route.method, url, content=json.dumps(body if body is not None else {}), headers={"content-type": "application/json"})


def _known_query_names(client, route: RouteInfo) -> list[str]:  # noqa: ANN001
    with _recording_query_names() as names:
        _request(client, route, {}, "lang=en")
    return sorted((route.query_params | names) - {""})


# Hostile values: a control character or a broken escape, somewhere in an otherwise ordinary value.
CONTROL = st.one_of(st.characters(min_codepoint=0x00, max_codepoint=0x1F), st.characters(min_codepoint=0x7F, max_codepoint=0x9F))
# In a body, line breaks and tabs are text (notes run over several lines): every other control character is refused.
BODY_CONTROL = CONTROL.filter(lambda character: character not in "\t\n\r")
BROKEN_ESCAPES = st.sampled_from(["%", "%1", "%zz", "%G1", "%FF", "%C3", "%E2%82", "%ED%A0%80", "%C0%AF"])
ORDINARY = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), max_size=12)


@st.composite
def hostile_encoded(draw) -> str:  # noqa: ANN001
    """A percent-encoded value holding a control character or a broken escape."""
    before, after = draw(ORDINARY), draw(ORDINARY)
    if draw(st.booleans()):
        return quote(before + draw(CONTROL) + after, safe="")
    # A character that is no hex digit after the broken escape, or `after` could complete it ("%" + "41" is "A").
    return quote(before, safe="") + draw(BROKEN_ESCAPES) + "~" + quote(after, safe="")


def _assert_refused(response, route: RouteInfo, status: int) -> None:  # noqa: ANN001
    assert response.status_code == status, (str(route), response.status_code, response.text[:300])
    if route.is_api:
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert problem["status"] == status and problem["errors"], problem
    else:
        assert response.headers["content-type"].startswith("text/html")
        assert 'class="error-summary"' in response.text


def _assert_answered(response, route: RouteInfo) -> None:  # noqa: ANN001
    assert response.status_code < 500, (str(route), response.status_code, response.text[:300])
    if response.status_code >= 400:
        if route.is_api:
            assert response.headers["content-type"] == "application/problem+json", (str(route), response.status_code)
            assert response.json()["status"] == response.status_code
        else:
            assert response.headers["content-type"].startswith("text/html"), (str(route), response.status_code)
            assert "<h1" in response.text


SWEEP = settings(
    max_examples=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_a_control_character_or_broken_escape_in_any_parameter_is_refused(client, route: RouteInfo) -> None:  # noqa: ANN001
    names = _known_query_names(client, route)
    targets = [("query", name) for name in names] + [("path", name) for name in route.path_params]
    targets += [("body", name) for name in route.body_fields]
    ran = []

    @SWEEP
    @given(
        target=st.sampled_from(targets),
        value=hostile_encoded(),
        control=BODY_CONTROL,
        text=ORDINARY,
        others=st.dictionaries(st.sampled_from(names), ORDINARY, max_size=3),
    )
    def sweep(target: tuple[str, str], value: str, control: str, text: str, others: dict[str, str]) -> None:
        kind, name = target
        query_parts = [f"{quote(key, safe='')}={quote(other, safe='')}" for key, other in others.items() if key != name]
        path_values: dict[str, str] = {}
        body: dict[str, object] = {}
        if kind == "query":
            query_parts.append(f"{quote(name, safe='')}={value}")
        elif kind == "path":
            path_values[name] = value
        else:
            # JSON carries characters, not escapes: the control character itself, inside the field's text.
            body = {name: text[: len(text) // 2] + control + text[len(text) // 2 :]}
        response = _request(client, route, path_values, "&".join(query_parts), body)
        _assert_refused(response, route, 404 if kind == "path" else 422)
        ran.append(kind)

    sweep()
    assert ran  # hypothesis did run examples against this route


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_any_printable_value_in_any_parameter_is_never_a_500(client, route: RouteInfo) -> None:  # noqa: ANN001
    names = _known_query_names(client, route)
    ran = []
    values = st.one_of(
        ORDINARY,
        st.sampled_from(["0", "-1", "1e999", "99999999999999999999", "NaN", "inf", "true", "[]", "{}", "..", "../x", "%", "null"]),
    )

    @SWEEP
    @given(
        query=st.dictionaries(st.sampled_from(names), values, max_size=5),
        path_values=st.fixed_dictionaries({name: values for name in route.path_params}),
        body=st.dictionaries(st.sampled_from(route.body_fields or ["value"]), st.one_of(values, st.integers(), st.none()), max_size=3),
    )
    def sweep(query: dict[str, str], path_values: dict[str, str], body: dict[str, object]) -> None:
        encoded_path = {name: quote(value, safe="") or "x" for name, value in path_values.items()}
        query_string = "&".join(f"{quote(key, safe='')}={quote(text, safe='')}" for key, text in query.items())
        response = _request(client, route, encoded_path, query_string, body)
        _assert_answered(response, route)
        ran.append(1)

    sweep()
    assert ran


# Cache-Control: pages and answers that show what a person searched for or answered are never stored.

SHOWS_WHAT_A_PERSON_ENTERED = {
    "/find/results",  # finder results
    "/services/{service_id}",  # a service page reached from a search carries the search
    "/entitlements/question",  # checker questions
    "/entitlements/result",  # checker results
    "/entitlements/result.pdf",  # leaflet download
    "/entitlements/result.mp3",  # audio download
    "/staff/entitlements",  # clinician view
    "/api/v1/services/search",  # the API's search
    "/api/v1/entitlements/evaluate",
    "/api/v1/entitlements/next-question",
}


def test_the_pages_that_show_what_a_person_entered_are_in_the_route_table_and_not_cacheable() -> None:
    paths = {route.path for route in ROUTES}
    assert SHOWS_WHAT_A_PERSON_ENTERED <= paths
    assert not SHOWS_WHAT_A_PERSON_ENTERED & CACHEABLE_ROUTES


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_every_route_is_no_store_unless_listed_as_cacheable(client, route: RouteInfo) -> None:  # noqa: ANN001
    for query in ["lang=en", "lang=ar&near=FH1+1AA&category=gp&page=2&jurisdiction=DE&search=clinic"]:
        response = _request(client, route, {}, query)
        if route.path in CACHEABLE_ROUTES:
            assert "no-store" not in response.headers.get("cache-control", ""), str(route)
        else:
            assert response.headers.get("cache-control") == "no-store", (str(route), query, response.status_code)


def test_errors_and_unknown_pages_are_no_store_and_static_files_are_not() -> None:
    from fastapi.testclient import TestClient

    client = TestClient(create_app(session_factory=lambda: None), raise_server_exceptions=False)  # type: ignore[arg-type]
    assert client.get("/no-such-page?near=FH1").headers["cache-control"] == "no-store"
    assert client.get("/find/results?near=%00").headers["cache-control"] == "no-store"
    assert "no-store" not in client.get("/static/css/site.css").headers.get("cache-control", "")
    assert "no-store" not in client.get("/api/docs").headers.get("cache-control", "")
