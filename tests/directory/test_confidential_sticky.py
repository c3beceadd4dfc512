"""Confidentiality is sticky and recognised in any taxonomy.

An import that would remove it (attributes left out, emptied, the attribute's id reused for another term, or the
term's code changed) keeps the location confidential and warns, naming the location. Only `carebridge directory
declassify` removes it, and every use is recorded. A term whose code is `confidential-address` marks a location
confidential whatever taxonomy it belongs to. Runs on SQLite and PostgreSQL (and the CLI on a SQLite file)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from test_hsds import SECRET_POSTCODE, SECRET_STREET, uid, valid_service
from test_import_cli import Carebridge, carebridge  # noqa: F401 - the fixture

from carebridge.directory import models, repository, service, taxonomy
from carebridge.errors import InvalidInput, NotFound

SAFE_HOUSE = uid("secret", "service")
SAFE_LOCATION = uid("secret", "location")
WHEN = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def _location(document: dict[str, Any]) -> dict[str, Any]:
    return document["service_at_locations"][0]["location"]


def _is_published(session: Session) -> bool:
    document = service.get_service(session, SAFE_HOUSE)
    assert document is not None
    return SECRET_STREET in orjson.dumps(document).decode()


def _warned_about(summary: service.ImportSummary, location_id: str) -> bool:
    return any(warning.params.get("id") == location_id and "confidential" in warning.message for warning in summary.warnings)


def _foreign_term(code: str, key: str = "their-term") -> dict[str, Any]:
    return {
        "id": uid(key),
        "code": code,
        "name": "Their term",
        "description": "A term of another taxonomy.",
        "taxonomy_detail": {"id": uid(key, "taxonomy"), "name": "Their taxonomy", "description": "Not ours."},
    }


@pytest.fixture
def confidential(session: Session) -> None:
    service.import_documents(session, [valid_service("secret", confidential=True)])
    assert not _is_published(session)


def _without_confidentiality(how: str) -> dict[str, Any]:
    document = valid_service("secret", confidential=True)
    location = _location(document)
    if how == "emptied":
        location["attributes"] = []
    elif how == "left out":
        del location["attributes"]
    elif how == "another term":  # the same attribute id, now pointing at another taxonomy's term
        location["attributes"][0].pop("taxonomy_term_id")
        location["attributes"][0]["taxonomy_term"] = _foreign_term("step-free")
    return document


@pytest.mark.parametrize("how", ["emptied", "left out", "another term"])
def test_an_import_cannot_remove_confidentiality(session: Session, confidential: None, how: str) -> None:
    summary = service.import_documents(session, [_without_confidentiality(how)])
    assert _warned_about(summary, SAFE_LOCATION), summary.warnings
    assert repository.confidential_location_ids(session, [SAFE_LOCATION]) == {SAFE_LOCATION}
    assert not _is_published(session)


def test_an_import_that_keeps_it_does_not_warn(session: Session, confidential: None) -> None:
    summary = service.import_documents(session, [valid_service("secret", confidential=True)])
    assert not _warned_about(summary, SAFE_LOCATION)


def test_a_term_that_marks_locations_confidential_keeps_its_code(session: Session) -> None:
    document = valid_service("secret")
    _location(document)["attributes"] = [{"id": uid("their-attribute"), "taxonomy_term": _foreign_term("confidential-address")}]
    service.import_documents(session, [document])
    assert not _is_published(session)
    renamed = _foreign_term("something-else")
    renamed.pop("taxonomy_detail")
    summary = service.import_documents(session, [renamed], record_type="taxonomy_term")
    assert any(warning.params.get("id") == uid("their-term") for warning in summary.warnings)
    assert not _is_published(session)


@pytest.mark.parametrize("code", ["confidential-address", "CONFIDENTIAL-ADDRESS"])
def test_confidential_address_in_any_taxonomy_is_confidential(session: Session, client: TestClient, code: str) -> None:
    document = valid_service("secret")
    street = _location(document)["addresses"][0]["address_1"]
    _location(document)["attributes"] = [{"id": uid("their-attribute"), "taxonomy_term": _foreign_term(code)}]
    service.import_documents(session, [document])
    session.commit()
    assert repository.confidential_location_ids(session, [SAFE_LOCATION]) == {SAFE_LOCATION}
    for url in (f"/api/hsds/services/{SAFE_HOUSE}", "/api/hsds/service_at_locations", "/api/hsds/services?full=true"):
        body = client.get(url).text
        assert SAFE_HOUSE in body and street not in body, url
    results = client.get("/api/v1/services/search", params={"per_page": 100}).json()["results"]
    mine = [item for item in results if item["service_id"] == SAFE_HOUSE]
    assert mine and all(item["confidential_address"] and item["address"] is None for item in mine)
    assert street not in orjson.dumps(results).decode()


def test_declassify_removes_it_and_records_why(session: Session, confidential: None) -> None:
    assert service.declassify(session, SAFE_LOCATION, "  The refuge moved; this is now an office.  ", WHEN) == 1
    assert _is_published(session)
    [record] = repository.declassifications(session, SAFE_LOCATION)
    assert record.reason == "The refuge moved; this is now an office." and record.declassified_at.replace(tzinfo=UTC) == WHEN
    # Declassified, an import without the attribute no longer warns and the location stays public.
    summary = service.import_documents(session, [_without_confidentiality("emptied")])
    assert not _warned_about(summary, SAFE_LOCATION)
    assert _is_published(session)


def test_declassify_needs_a_reason_and_a_confidential_location(session: Session, confidential: None) -> None:
    with pytest.raises(InvalidInput):
        service.declassify(session, SAFE_LOCATION, "   ", WHEN)
    with pytest.raises(NotFound):
        service.declassify(session, uid("nowhere"), "why", WHEN)
    assert not _is_published(session)
    assert repository.declassifications(session, SAFE_LOCATION) == []


def _declassified_rows(runner: Carebridge) -> list[tuple[str, str]]:
    from carebridge.db import make_engine

    engine = make_engine(runner.url)
    try:
        with engine.connect() as connection:
            table = models.LocationDeclassification.__table__
            return [tuple(row) for row in connection.execute(select(table.c.location_id, table.c.reason))]
    finally:
        engine.dispose()


def test_the_declassify_command_asks_and_records(carebridge: Carebridge) -> None:  # noqa: F811
    path = carebridge.file("secret.json", valid_service("secret", confidential=True))
    assert carebridge("directory", "import", path).returncode == 0
    emptied = carebridge.file("emptied.json", _without_confidentiality("emptied"))
    imported = carebridge("directory", "import", emptied)
    assert imported.returncode == 0 and f"{SAFE_LOCATION} stays confidential" in imported.stderr

    refused = carebridge("directory", "declassify", SAFE_LOCATION, "--reason", "moved", stdin=b"no\n")
    assert refused.returncode == 1 and "Nothing was changed" in refused.stderr
    assert _declassified_rows(carebridge) == []
    unknown = carebridge("directory", "declassify", uid("nowhere"), "--reason", "moved", "--yes")
    assert unknown.returncode == 1 and "no confidential location" in unknown.stderr

    confirmed = carebridge("directory", "declassify", SAFE_LOCATION, "--reason", "moved", stdin=b"yes\n")
    assert confirmed.returncode == 0, confirmed.stderr
    assert _declassified_rows(carebridge) == [(SAFE_LOCATION, "moved")]
    exported = carebridge("directory", "export")
    assert SECRET_POSTCODE in exported.stdout  # public now
    again = carebridge("directory", "declassify", SAFE_LOCATION, "--reason", "twice", "--yes")
    assert again.returncode == 1  # no longer confidential: nothing to do


def test_declassify_with_yes_does_not_ask(carebridge: Carebridge) -> None:  # noqa: F811
    document = copy.deepcopy(valid_service("secret", confidential=True))
    assert carebridge("directory", "import", carebridge.file("secret.json", document)).returncode == 0
    result = carebridge("directory", "declassify", SAFE_LOCATION, "--reason", "script", "--yes")
    assert result.returncode == 0 and "Type yes" not in result.stdout
    assert _declassified_rows(carebridge) == [(SAFE_LOCATION, "script")]
    assert SECRET_POSTCODE in carebridge("directory", "export").stdout
    assert taxonomy.CONFIDENTIAL_ADDRESS.code not in carebridge("directory", "export").stdout
