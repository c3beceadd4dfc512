"""The HSDS 3.1 API under /api/hsds/ (SQLite and PostgreSQL): paging, filters, NDJSON, problem documents, CORS,
and every response checked against the OFFICIAL schemas beside the project."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session
from test_hsds import official_example, official_validator, schema_errors, uid, valid_service

from carebridge.directory import service, taxonomy


def _service(key: str, name: str, last_modified: str, organization: str | None = None) -> dict[str, Any]:
    document = valid_service(key)
    document["name"] = name
    document["last_modified"] = last_modified
    if organization is not None:
        document["organization"] = valid_service(organization)["organization"]
    return document


@pytest.fixture
def directory(session: Session, hsds_dir: Path) -> dict[str, Any]:
    dental = _service("dental", "Dental 100% care_plan", "2025-01-01T00:00:00Z")
    dental["attributes"] = [{"id": uid("dental-category"), "taxonomy_term_id": taxonomy.TERMS_BY_CODE["dental"].id, "link_type": "category"}]
    records = [
        _service("clinic", "Harbour Clinic", "2026-10-01T09:30:00Z"),
        _service("advice", "Advice Centre", "2026-11-01T12:00:00Z", organization="clinic"),
        dental,
        official_example(hsds_dir, "service_full.json"),
    ]
    service.import_documents(session, copy.deepcopy(records))
    return {"ids": [record["id"] for record in records], "records": records}


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return response.json()


def test_root_says_which_hsds_this_is(client: TestClient) -> None:
    response = client.get("/api/hsds/")
    assert response.status_code == 200
    body = response.json()
    assert body["version"] == "3.1"
    assert body["profile"].startswith("https://")
    assert body["openapi_url"].endswith("/api/openapi.json")
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in ("/api/hsds/services", "/api/hsds/services/{service_id}", "/api/hsds/service_at_locations", "/api/hsds/organizations", "/api/hsds/taxonomies", "/api/hsds/taxonomy_terms"):
        assert path in paths


def test_services_page_through_with_the_hsds_wrapper(client: TestClient, directory: dict[str, Any], hsds_dir: Path) -> None:
    first = client.get("/api/hsds/services", params={"per_page": 3}).json()
    assert {key: first[key] for key in ("total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty")} == {
        "total_items": 4, "total_pages": 2, "page_number": 1, "size": 3, "first_page": True, "last_page": False, "empty": False,
    }
    second = client.get("/api/hsds/services", params={"per_page": 3, "page": 2}).json()
    assert second["size"] == 1 and second["last_page"] is True and second["first_page"] is False
    ids = [item["id"] for item in first["contents"] + second["contents"]]
    assert sorted(ids) == sorted(directory["ids"])
    beyond = client.get("/api/hsds/services", params={"page": 9}).json()
    assert beyond["contents"] == [] and beyond["empty"] is True and beyond["total_items"] == 4
    default = client.get("/api/hsds/services").json()
    assert default["size"] == 4 and default["total_pages"] == 1
    validator = official_validator(hsds_dir, "compiled/service_list.json")
    for item in default["contents"]:
        assert schema_errors(validator, item) == []
        assert "phones" not in item and "service_at_locations" not in item  # one-to-one fields only


def test_full_records_on_request(client: TestClient, directory: dict[str, Any], hsds_dir: Path) -> None:
    body = client.get("/api/hsds/services", params={"full": "true"}).json()
    validator = official_validator(hsds_dir, "compiled/service.json")
    assert body["size"] == 4
    for item in body["contents"]:
        assert schema_errors(validator, item) == []
        assert "service_at_locations" in item


def test_one_service_is_fully_nested_and_valid(client: TestClient, directory: dict[str, Any], hsds_dir: Path) -> None:
    for service_id in directory["ids"]:
        response = client.get(f"/api/hsds/services/{service_id}")
        assert response.status_code == 200
        assert schema_errors(official_validator(hsds_dir, "compiled/service.json"), response.json()) == []
    record = client.get(f"/api/hsds/services/{uid('clinic', 'service')}").json()
    assert record["organization"]["id"] == uid("clinic", "organization")
    assert record["service_at_locations"][0]["location"]["addresses"][0]["address_1"] == "1 Harbour Street"


@pytest.mark.parametrize("path", ["services", "service_at_locations", "organizations", "taxonomies", "taxonomy_terms"])
def test_unknown_ids_are_404_problem_documents(client: TestClient, path: str) -> None:
    for record_id in ("no-such-id", "x" * 300, "%00"):
        body = _problem(client.get(f"/api/hsds/{path}/{record_id}"), 404)
        assert body["status"] == 404 and body["detail"].startswith("There is no ")


def test_search_matches_name_and_description_literally(client: TestClient, directory: dict[str, Any]) -> None:
    def names(**params: Any) -> list[str]:
        return sorted(item["name"] for item in client.get("/api/hsds/services", params=params).json()["contents"])

    assert names(search="HARBOUR clinic") == ["Harbour Clinic"]
    assert names(search="fairhaven (fictional)") == ["Advice Centre", "Dental 100% care_plan", "Harbour Clinic"]
    assert names(search="100%") == ["Dental 100% care_plan"]
    assert names(search="%") == ["Dental 100% care_plan"]  # not a wildcard
    assert names(search="e_p") == ["Dental 100% care_plan"]
    assert names(search="nothing like this") == []


def test_filters_by_term_taxonomy_organisation_and_modification_time(client: TestClient, directory: dict[str, Any]) -> None:
    def ids(**params: Any) -> set[str]:
        return {item["id"] for item in client.get("/api/hsds/services", params=params).json()["contents"]}

    clinic, advice, dental, official = directory["ids"]
    assert ids(taxonomy_term_id=taxonomy.FREE.id) == {clinic, advice}
    assert ids(taxonomy_term_id=taxonomy.TERMS_BY_CODE["dental"].id) == {dental}
    assert ids(taxonomy_id=taxonomy.CATEGORY_TAXONOMY_ID) == {clinic, advice, dental}
    assert ids(taxonomy_id="5c4d79d7-cc55-470e-9f1f-8cad074e4892") == {official}  # the example's own taxonomy
    assert ids(organization_id=uid("clinic", "organization")) == {clinic, advice}
    assert ids(modified_after="2026-01-01") == {clinic, advice}
    assert ids(modified_after="2026-10-15T00:00:00+02:00") == {advice}
    assert ids(modified_after="2026-11-01T12:00:00Z") == set()  # strictly after
    assert ids(taxonomy_term_id=taxonomy.FREE.id, modified_after="2026-10-15") == {advice}


def test_ndjson_gives_the_page_one_record_per_line(client: TestClient, directory: dict[str, Any]) -> None:
    response = client.get("/api/hsds/services", params={"format": "ndjson", "per_page": 3})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/x-ndjson"
    assert response.headers["x-total-items"] == "4" and response.headers["x-total-pages"] == "2"
    lines = response.content.splitlines()
    assert len(lines) == 3 and all(orjson.loads(line)["id"] in directory["ids"] for line in lines)


def test_services_at_locations(client: TestClient, directory: dict[str, Any], hsds_dir: Path) -> None:
    body = client.get("/api/hsds/service_at_locations", params={"search": "harbour clinic"}).json()
    assert body["total_items"] == 1
    item = body["contents"][0]
    assert schema_errors(official_validator(hsds_dir, "compiled/service_at_location_list.json"), item) == []
    assert item["service"]["name"] == "Harbour Clinic" and item["location"]["id"] == uid("clinic", "location")
    full = client.get(f"/api/hsds/service_at_locations/{item['id']}").json()
    assert schema_errors(official_validator(hsds_dir, "compiled/service_at_location.json"), full) == []
    assert full["service"]["id"] == uid("clinic", "service") and full["schedules"][0]["opens_at"] == "09:00"
    every = client.get("/api/hsds/service_at_locations", params={"full": "true"}).json()
    assert every["total_items"] == 4
    for record in every["contents"]:
        assert schema_errors(official_validator(hsds_dir, "compiled/service_at_location.json"), record) == []


def test_organizations(client: TestClient, directory: dict[str, Any], hsds_dir: Path) -> None:
    listing = client.get("/api/hsds/organizations").json()
    assert listing["total_items"] == 3
    for item in listing["contents"]:
        assert schema_errors(official_validator(hsds_dir, "compiled/organization_list.json"), item) == []
    assert [item["name"] for item in client.get("/api/hsds/organizations", params={"search": "example org"}).json()["contents"]] == [
        "Example Organization Inc."
    ]
    organization_id = uid("clinic", "organization")
    record = client.get(f"/api/hsds/organizations/{organization_id}").json()
    assert schema_errors(official_validator(hsds_dir, "organization.json"), record) == []
    assert sorted(item["name"] for item in record["services"]) == ["Advice Centre", "Harbour Clinic"]
    for item in record["services"]:
        assert schema_errors(official_validator(hsds_dir, "compiled/service_list.json"), item) == []
    full = client.get(f"/api/hsds/organizations/{organization_id}", params={"full_service": "true"}).json()
    for item in full["services"]:
        assert schema_errors(official_validator(hsds_dir, "compiled/service.json"), item) == []
        assert "organization" not in item and item["service_at_locations"]


def test_taxonomies_and_terms(client: TestClient, directory: dict[str, Any], hsds_dir: Path) -> None:
    taxonomies = client.get("/api/hsds/taxonomies").json()
    assert {item["id"] for item in taxonomies["contents"]} >= {taxonomy.ACCESS_TAXONOMY_ID, taxonomy.CATEGORY_TAXONOMY_ID}
    for item in taxonomies["contents"]:
        assert schema_errors(official_validator(hsds_dir, "taxonomy.json"), item) == []
    access = client.get(f"/api/hsds/taxonomies/{taxonomy.ACCESS_TAXONOMY_ID}").json()
    assert access["name"] == "Carebridge access facts"
    terms = client.get("/api/hsds/taxonomy_terms", params={"taxonomy_id": taxonomy.ACCESS_TAXONOMY_ID, "per_page": 500}).json()
    assert {item["code"] for item in terms["contents"]} == {term.code for term in taxonomy.ACCESS_TERMS}
    for item in terms["contents"]:
        assert schema_errors(official_validator(hsds_dir, "taxonomy_term.json"), item) == []
        assert item["taxonomy_detail"]["id"] == taxonomy.ACCESS_TAXONOMY_ID
    term = client.get(f"/api/hsds/taxonomy_terms/{taxonomy.FREE.id}").json()
    assert term["code"] == "free" and term["name"] == "Free of charge"
    assert [item["code"] for item in client.get("/api/hsds/taxonomy_terms", params={"search": "interpreters"}).json()["contents"]] == [
        "interpreters"
    ]
    with_parent = client.get("/api/hsds/taxonomy_terms", params={"parent_id": "0bc248fa-dc27-4650-9ba4-8f1a24ef16a2"}).json()
    assert [item["code"] for item in with_parent["contents"]] == ["code"]
    top = client.get("/api/hsds/taxonomy_terms", params={"top_only": "true", "per_page": 500}).json()
    assert "code" not in {item["code"] for item in top["contents"]} and top["total_items"] == len(taxonomy.ALL_TERMS)


@pytest.mark.parametrize(
    ("path", "params", "named"),
    [
        ("services", {"page": "0"}, ["page"]),
        ("services", {"page": "two"}, ["page"]),
        ("services", {"page": "9" * 40}, ["page"]),
        ("services", {"per_page": "501"}, ["per_page"]),
        ("services", {"per_page": "-1", "format": "xml"}, ["per_page", "format"]),
        ("services", {"modified_after": "last tuesday"}, ["modified_after"]),
        ("services", {"modified_after": "2026-02-30"}, ["modified_after"]),
        ("services", {"full": "maybe"}, ["full"]),
        ("services", {"search": "x" * 201}, ["search"]),
        ("services", {"search": "a\x00b"}, ["search"]),
        ("services", {"taxonomy_term_id": "t" * 65}, ["taxonomy_term_id"]),
        ("service_at_locations", {"per_page": "1.5", "organization_id": "o" * 65}, ["per_page", "organization_id"]),
        ("organizations", {"page": "", "full": "2"}, ["page", "full"]),
        ("taxonomies", {"format": "csv"}, ["format"]),
        ("taxonomy_terms", {"top_only": "sometimes", "parent_id": "p" * 100}, ["parent_id", "top_only"]),
    ],
)
def test_bad_parameters_are_422_naming_each_parameter(client: TestClient, path: str, params: dict[str, str], named: list[str]) -> None:
    body = _problem(client.get(f"/api/hsds/{path}", params=params), 422)
    assert sorted(error["name"] for error in body["errors"]) == sorted(named)
    assert all(error["reason"] for error in body["errors"])


def test_per_page_bounds_and_allowed_values(client: TestClient) -> None:
    body = _problem(client.get("/api/hsds/services", params={"per_page": "0"}), 422)
    assert body["errors"] == [{"name": "per_page", "reason": "must be a whole number from 1 to 500", "allowed": ["1-500"]}]
    assert client.get("/api/hsds/services", params={"per_page": "500"}).status_code == 200
    body = _problem(client.get("/api/hsds/organizations/x", params={"full_service": "perhaps"}), 422)
    assert body["errors"][0]["name"] == "full_service"


def test_get_is_open_to_any_origin(client: TestClient, directory: dict[str, Any]) -> None:
    response = client.get("/api/hsds/services", headers={"Origin": "https://another-directory.example"})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    preflight = client.options(
        "/api/hsds/services",
        headers={"Origin": "https://another-directory.example", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "GET" in preflight.headers["access-control-allow-methods"]


PARAMETER_NAMES = ["page", "per_page", "search", "taxonomy_term_id", "taxonomy_id", "organization_id", "modified_after", "format", "full", "parent_id", "top_only", "full_service"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    path=st.sampled_from(["services", "service_at_locations", "organizations", "taxonomies", "taxonomy_terms", "services/x", "organizations/x"]),
    params=st.dictionaries(st.sampled_from(PARAMETER_NAMES), st.text(max_size=30) | st.sampled_from(["1", "500", "true", "ndjson", "2026-01-01"]), max_size=4),
)
def test_no_parameters_make_a_server_error(client: TestClient, path: str, params: dict[str, str]) -> None:
    response = client.get(f"/api/hsds/{path}", params=params)
    assert response.status_code in (200, 404, 422), response.text
