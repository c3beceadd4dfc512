"""GET /api/v1/services/search over HTTP: shape, errors as problem documents, no 500 for any input."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from search_directory import DirectoryBuilder, bump_revision, weekly
from sqlalchemy.orm import Session

from carebridge.directory.search_index import search_index_for
from carebridge.web import GZIP_MINIMUM_SIZE

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
URL = "/api/v1/services/search"


@pytest.fixture
def api(app, client, session: Session):  # noqa: ANN001, ANN201
    build = DirectoryBuilder(session)
    build.place("FH1 1AA", "postcode", 54.2001, 2.1003)
    build.place("Town Centre", "neighbourhood", 54.2000, 2.1000)
    build.place("Fairhaven", "city", 54.2100, 2.1100)  # the Refuge's area: where it counts as being for search
    build.service(
        "Harbour Health Centre", 54.2000, 2.1000, languages=("en", "ar"), categories=("primary-care",), free=True,
        schedules=(weekly("MO,TU,WE,TH,FR", "09:00", "17:00"),), last_verified="2026-09-01",
    )
    build.service(
        "Refuge", 54.2147, 2.1261, categories=("housing",), confidential=True, street="7 Secret Lane",
        postcode="FH2 9ZZ", phone="01632 960999",
    )
    build.service("عيادة الأسرة", 54.2001, 2.1003, languages=("ar",), categories=("primary-care",), content_language="ar")
    build.done()
    search_index_for(app).clock = lambda: NOW
    return client


def test_search_returns_the_published_shape(api) -> None:  # noqa: ANN001
    response = api.get(URL, params={"near": "FH1 1AA", "radius_km": 5, "open_now": "true"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.headers["server-timing"].startswith("search;dur=")
    body = response.json()
    assert (body["total"], body["page"], body["per_page"]) == (1, 1, 20)
    result = body["results"][0]
    assert result["name"] == "Harbour Health Centre" and result["open_now"] is True
    assert result["distance_km"] == 0.0 and result["languages"] == ["ar", "en"]


def test_response_is_gzipped_when_asked_and_plain_otherwise(api) -> None:  # noqa: ANN001
    compressed = api.get(URL, params={"per_page": 100}, headers={"Accept-Encoding": "gzip"})
    assert compressed.headers["content-encoding"] == "gzip" and "Accept-Encoding" in compressed.headers["vary"]
    plain = api.get(URL, params={"per_page": 100}, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert compressed.json() == plain.json() and plain.json()["total"] == 3  # the client decoded the gzip body
    # A small body (no results) goes as it is: compressing it would save nothing worth the work.
    empty = api.get(URL, params={"q": "nothing-matches-this"}, headers={"Accept-Encoding": "gzip"})
    assert empty.json()["total"] == 0 and len(empty.content) < GZIP_MINIMUM_SIZE
    assert "content-encoding" not in empty.headers


def test_arabic_free_text(api) -> None:  # noqa: ANN001
    response = api.get(URL + "?" + urlencode({"q": "العيادة"}))
    assert [result["name"] for result in response.json()["results"]] == ["عيادة الأسرة"]
    assert response.json()["results"][0]["content_language"] == "ar"


def test_unknown_parameters_are_ignored(api) -> None:  # noqa: ANN001
    assert api.get(URL, params={"colour": "blue", "lang": "ar"}).json()["total"] == 3


def test_confidential_location_never_leaks_over_http(api) -> None:  # noqa: ANN001
    for params in ({}, {"near": "FH1 1AA"}, {"lat": 54.2147, "lon": 2.1261, "radius_km": 3}, {"q": "refuge"}):
        text = api.get(URL, params=params).text
        assert "Refuge" in text
        for secret in ("7 Secret Lane", "FH2 9ZZ", "54.2147", "2.1261"):
            assert secret not in text


def test_index_rebuilds_after_a_revision_bump(api, app, session: Session) -> None:  # noqa: ANN001
    holder = search_index_for(app)
    holder.check_seconds = 0  # check on every request, as a second process would after its interval
    assert api.get(URL, params={"q": "pantry"}).json()["total"] == 0
    DirectoryBuilder(session).service("Harbour Pantry", 54.2, 2.1, categories=("food",))
    session.flush()
    assert api.get(URL, params={"q": "pantry"}).json()["total"] == 0  # revision unchanged
    bump_revision(session)
    session.flush()
    assert api.get(URL, params={"q": "pantry"}).json()["total"] == 1
    assert holder.index is not None and holder.index.size == 4


BAD_VALUES = [
    ("radius_km", {"near": "FH1 1AA", "radius_km": "500"}, "between 0.1 and 200"),
    ("radius_km", {"near": "FH1 1AA", "radius_km": "far"}, "between 0.1 and 200"),
    ("radius_km", {"radius_km": "5"}, "near, or lat and lon"),
    ("lat", {"lat": "91", "lon": "0"}, "between -90 and 90"),
    ("lat", {"lat": "nan", "lon": "0"}, "between -90 and 90"),
    ("lon", {"lat": "54", "lon": "200"}, "between -180 and 180"),
    ("lon", {"lat": "54"}, "together with lat"),
    ("lat", {"lon": "2"}, "together with lon"),
    ("near", {"near": "Atlantis"}, "neighbourhood or a full postcode"),
    ("near", {"near": "FH1 1AA", "lat": "54", "lon": "2"}, "not both"),
    ("near", {"near": "x" * 101}, "at most 100"),
    ("q", {"q": "x" * 201}, "at most 200"),
    ("language", {"language": "klingon"}, "ISO 639"),
    ("language", {"language": "zz"}, "ISO 639"),
    ("category", {"category": "astrology"}, "category codes"),
    ("open_now", {"open_now": "maybe"}, "true or false"),
    ("free", {"free": "2"}, "true or false"),
    ("no_status_check", {"no_status_check": "yes please"}, "true or false"),
    ("no_documents", {"no_documents": "-"}, "true or false"),
    ("interpreter", {"interpreter": "x"}, "true or false"),
    ("open_at", {"open_at": "tomorrow"}, "ISO 8601"),
    ("open_at", {"open_at": "0001-01-01T00:00"}, "ISO 8601"),
    ("age", {"age": "-1"}, "whole number between 0 and 130"),
    ("age", {"age": "12.5"}, "whole number between 0 and 130"),
    ("gender", {"gender": "robot"}, "allowed"),
    ("page", {"page": "0"}, "whole number between 1 and 10000"),
    ("per_page", {"per_page": "101"}, "whole number between 1 and 100"),
    ("per_page", {"per_page": "ten"}, "whole number between 1 and 100"),
]


@pytest.mark.parametrize(("name", "params", "says"), BAD_VALUES, ids=[f"{n}-{i}" for i, (n, _p, _s) in enumerate(BAD_VALUES)])
def test_bad_values_are_422_problem_documents_naming_the_parameter(api, name: str, params: dict, says: str) -> None:  # noqa: ANN001
    response = api.get(URL, params=params)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 422
    error = next(error for error in body["errors"] if error["name"] == name)
    assert says in error["reason"] or says == "allowed" and error["allowed"]


def test_category_error_lists_the_allowed_codes(api) -> None:  # noqa: ANN001
    error = api.get(URL, params={"category": "astrology"}).json()["errors"][0]
    assert "housing" in error["allowed"] and "primary-care" in error["allowed"]


def test_unknown_place_suggests_known_ones(api) -> None:  # noqa: ANN001
    error = api.get(URL, params={"near": "FH9 9ZZ"}).json()["errors"][0]
    assert error["name"] == "near" and "FH1 1AA" in error["allowed"]


def test_openapi_documents_every_parameter(api) -> None:  # noqa: ANN001
    operation = api.get("/api/openapi.json").json()["paths"][URL]["get"]
    documented = {parameter["name"] for parameter in operation["parameters"]}
    assert documented == {
        "q", "lat", "lon", "near", "radius_km", "language", "category", "open_now", "open_at", "free",
        "no_status_check", "no_documents", "interpreter", "age", "gender", "page", "per_page",
        "low_cost", "childcare", "faith_sensitive", "transport_help", "women_only", "men_only",
    }


PARAMETER_NAMES = [
    "q", "lat", "lon", "near", "radius_km", "language", "category", "open_now", "open_at", "free", "no_status_check",
    "no_documents", "interpreter", "age", "gender", "page", "per_page",
]
INTERESTING = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", "0", "-0", "1e309", "nan", "inf", "-inf", "0.05", "200.0001", "54.2", "2.1", "true",
                     "FH1 1AA", "ar", "ara", "housing", "2026-03-29T01:30", "2026-10-25T01:30:00+01:00", "9999999999",
                     "1" * 40, "\x00", "%", "\u202e", "عيادة", "female"]),
    st.integers(-(10**12), 10**12).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(PARAMETER_NAMES), INTERESTING, max_size=6))
def test_no_input_produces_a_server_error(api, params: dict[str, str]) -> None:  # noqa: ANN001
    response = api.get(URL, params=params)
    assert response.status_code in (200, 422), (params, response.text)
    if response.status_code == 422:
        assert all(error["name"] in PARAMETER_NAMES for error in response.json()["errors"])


@pytest.mark.parametrize(("name", "value", "expected"), [("age", "60.0", 60), ("page", "1.00", 1), ("per_page", "5.0", 5)])
def test_whole_numbers_written_with_a_zero_fraction_are_accepted(api, name: str, value: str, expected: int) -> None:  # noqa: ANN001
    # JSON Schema counts 60.0 as an integer, and the API description says integer: the schema-valid form is accepted.
    response = api.get(URL, params={name: value})
    assert response.status_code == 200, response.text
    if name != "age":
        assert response.json()[name] == expected
