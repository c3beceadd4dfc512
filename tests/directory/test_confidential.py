"""A confidential location (a refuge, a safe house) never shows its street address, postcode, exact position or
anything else that could lead someone to it, in ANY output of the HSDS side: get_service (the service page), the
export, and every HSDS API endpoint. Only the area and a phone number remain. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import copy
import io
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from test_hsds import SECRET_LATITUDE, SECRET_LONGITUDE, SECRET_POSTCODE, SECRET_STREET, uid, valid_service

from carebridge.directory import cli, service, taxonomy

SECRETS = (
    SECRET_STREET,
    SECRET_POSTCODE,
    str(SECRET_LATITUDE),
    str(SECRET_LONGITUDE),
    "Flat 3 Secret Court",
    "Behind the red door",
    "Bus 9 stops outside",
    "UPRN-SECRET-123",
    "c/o the refuge manager",
    "12 Old Secret Road",
    "FH9 8YY",
)
SAFE_HOUSE = uid("secret", "service")
SAFE_LOCATION = uid("secret", "location")
OPEN_CLINIC = uid("open", "service")


def _confidential_service() -> dict[str, Any]:
    document = valid_service("secret", confidential=True)
    location = document["service_at_locations"][0]["location"]
    location["description"] = "Behind the red door"
    location["transportation"] = "Bus 9 stops outside"
    location["external_identifier"] = "UPRN-SECRET-123"
    location["external_identifier_type"] = "UPRN"
    location["extra_directions"] = "Behind the red door"  # an unknown field, kept in `extra`
    address = location["addresses"][0]
    address["address_2"] = "Flat 3 Secret Court"
    address["attention"] = "c/o the refuge manager"
    location["metadata"] = [_change("location-moved", "address_1", "12 Old Secret Road")]
    document["metadata"].append(_change("postcode-changed", "postal_code", "FH9 8YY"))
    # The organisation lists the same location too: another way to reach it.
    document["organization"]["locations"] = [copy.deepcopy(location)]
    return document


def _change(key: str, field_name: str, previous: str) -> dict[str, Any]:
    return {
        "id": uid(key),
        "last_action_date": "2026-09-01",
        "last_action_type": "update",
        "field_name": field_name,
        "previous_value": previous,
        "replacement_value": "(changed)",
        "updated_by": "Caseworker",
    }


@pytest.fixture
def directory(session: Session) -> None:
    service.import_documents(session, [_confidential_service(), valid_service("open")])


def assert_no_secrets(output: Any) -> None:
    text = output if isinstance(output, str) else orjson.dumps(output).decode()
    leaked = [secret for secret in SECRETS if secret in text]
    assert leaked == [], f"confidential details leaked: {leaked}"


def _confidential_location(document: dict[str, Any]) -> dict[str, Any]:
    return document["service_at_locations"][0]["location"]


def test_the_service_page_record_keeps_only_area_and_phone(session: Session, directory: None) -> None:
    document = service.get_service(session, SAFE_HOUSE)
    assert document is not None
    assert_no_secrets(document)
    location = _confidential_location(document)
    assert "latitude" not in location and "longitude" not in location
    assert "description" not in location and "transportation" not in location
    address = location["addresses"][0]
    assert address["address_1"] == "" and address["postal_code"] == "" and "address_2" not in address
    assert address["city"] == "Fairhaven" and address["region"] == "Harbourside"
    # Only the service's published phone numbers: the location's own line is about the place.
    assert [phone["number"] for phone in document["phones"]] == ["01632 960001"]
    assert location["phones"] == [] and "01632 960002" not in orjson.dumps(document).decode()
    assert taxonomy.CONFIDENTIAL_ADDRESS.id in {item["taxonomy_term_id"] for item in location["attributes"]}
    assert [entry["last_action_type"] for entry in location["metadata"]] == ["redacted"]  # it says it is redacted
    assert [item["field_name"] for item in document["metadata"]] == ["name"]  # the postcode change is gone


def test_an_ordinary_location_shows_everything(session: Session, directory: None) -> None:
    document = service.get_service(session, OPEN_CLINIC)
    assert document is not None
    location = _confidential_location(document)
    assert location["latitude"] == 54.2001 and location["addresses"][0]["address_1"] == "1 Harbour Street"


def test_the_export_redacts_unless_a_backup_is_asked_for(session: Session, directory: None) -> None:
    exported = list(service.export_services(session))
    assert {document["id"] for document in exported} == {SAFE_HOUSE, OPEN_CLINIC}
    assert_no_secrets(exported)
    for export_format in ("json", "ndjson"):
        out = io.BytesIO()
        assert cli.write_export(session, out, export_format) == 2
        assert_no_secrets(out.getvalue().decode())
    backup = orjson.dumps(list(service.export_services(session, redact=False))).decode()
    assert all(secret in backup for secret in SECRETS)  # the check above can fail


@pytest.mark.parametrize(
    "url",
    [
        "/api/hsds/services",
        "/api/hsds/services?full=true",
        "/api/hsds/services?full=true&format=ndjson",
        f"/api/hsds/services/{SAFE_HOUSE}",
        "/api/hsds/service_at_locations",
        "/api/hsds/service_at_locations?format=ndjson",
        "/api/hsds/service_at_locations?full=true",
        f"/api/hsds/service_at_locations/{uid('secret', 'service-at-location')}",
        f"/api/hsds/organizations/{uid('secret', 'organization')}",
        f"/api/hsds/organizations/{uid('secret', 'organization')}?full_service=true",
        "/api/hsds/organizations?full=true",
    ],
)
def test_no_hsds_api_response_reveals_a_confidential_place(client: TestClient, directory: None, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200
    assert SAFE_HOUSE in response.text or uid("secret", "organization") in response.text  # the record is there...
    assert_no_secrets(response.text)  # ...without its whereabouts


def test_the_service_at_location_list_keeps_the_area(client: TestClient, directory: None) -> None:
    body = client.get("/api/hsds/service_at_locations", params={"search": "clinic secret"}).json()
    location = body["contents"][0]["location"]
    assert location["id"] == SAFE_LOCATION and "name" not in location  # the name is withheld too
    assert location["addresses"][0]["city"] == "Fairhaven"
    assert "latitude" not in location and "description" not in location
