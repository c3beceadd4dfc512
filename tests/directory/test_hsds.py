"""HSDS 3.1 import and export: file shapes, validation with paths, all-or-nothing writes, idempotent re-import,
official examples round-tripping, and every exported record valid against the official schemas.

The helpers at the top (`valid_service`, `directory_counts`, `official_validator`, ...) are shared with the other
HSDS test modules (`from test_hsds import ...`).
"""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from carebridge.directory import hsds, models, repository, service, taxonomy
from carebridge.directory.hsds import Record, plan_import, read_records
from carebridge.errors import InvalidInput

TEST_NAMESPACE = uuid.UUID("0d1f6b2e-8a7c-4c55-9d0e-3b6f5a1c2e47")
SECRET_STREET = "7 Secret Lane"
SECRET_POSTCODE = "FH9 9ZZ"
SECRET_LATITUDE = 54.2147
SECRET_LONGITUDE = 2.1261


# ------------------------------------------------------------------------------------------------------ helpers


def uid(*parts: str) -> str:
    return str(uuid.uuid5(TEST_NAMESPACE, "/".join(parts)))


def attribute(key: str, term: taxonomy.Term, value: str | None = None, link_type: str = "access") -> dict[str, Any]:
    record: dict[str, Any] = {"id": uid(key, "attribute", term.code, value or ""), "taxonomy_term_id": term.id, "link_type": link_type}
    if value is not None:
        record["value"] = value
    return record


def valid_service(key: str = "s1", *, confidential: bool = False) -> dict[str, Any]:
    """A full HSDS 3.1 service using most of what HSDS can nest, valid by the official schema and our rules."""
    service_id, organization_id, location_id = uid(key, "service"), uid(key, "organization"), uid(key, "location")
    schedule_id = uid(key, "schedule")
    location_attributes = [attribute(key, taxonomy.CONFIDENTIAL_ADDRESS)] if confidential else []
    street, postcode = (SECRET_STREET, SECRET_POSTCODE) if confidential else ("1 Harbour Street", "FH1 1AA")
    latitude, longitude = (SECRET_LATITUDE, SECRET_LONGITUDE) if confidential else (54.2001, 2.1003)
    return {
        "id": service_id,
        "name": f"Harbour Clinic {key}",
        "description": "Doctors and nurses for everyone in Fairhaven (fictional).",
        "url": "https://example.org/clinic",
        "email": "clinic@example.org",
        "status": "active",
        "interpretation_services": "Interpreters for Farsi.",
        "minimum_age": 0,
        "maximum_age": 120,
        "assured_date": "2026-09-01",
        "last_modified": "2026-10-01T09:30:00Z",
        "additional_urls": [{"id": uid(key, "url"), "url": "https://example.org/more", "label": "More"}],
        "organization": {
            "id": organization_id,
            "name": f"Harbour Health {key}",
            "description": "A fictional charity.",
            "email": "office@example.org",
            "year_incorporated": 1999,
            "funding": [{"id": uid(key, "funding"), "source": "Donations"}],
            "phones": [{"id": uid(key, "organization-phone"), "number": "01632 960000", "type": "voice"}],
        },
        "phones": [
            {
                "id": uid(key, "service-phone"),
                "number": "01632 960001",
                "type": "voice",
                "languages": [{"id": uid(key, "phone-language"), "name": "Arabic", "code": "ar"}],
            }
        ],
        "service_at_locations": [
            {
                "id": uid(key, "service-at-location"),
                "description": "At the harbour.",
                "schedules": [
                    {
                        "id": schedule_id,
                        "freq": "WEEKLY",
                        "byday": "MO,TU,WE,TH,FR",
                        "opens_at": "09:00",
                        "closes_at": "17:00",
                        "timezone": 0,
                        "attributes": [attribute(key + "-schedule", taxonomy.TIME_ZONE, "Europe/London")],
                    }
                ],
                "location": {
                    "id": location_id,
                    "location_type": "physical",
                    "name": f"Harbour building {key}",
                    "description": "Blue door next to the harbour master's office.",
                    "transportation": "Bus 4 to the harbour.",
                    "latitude": latitude,
                    "longitude": longitude,
                    "addresses": [
                        {
                            "id": uid(key, "address"),
                            "address_1": street,
                            "address_2": "Harbourside",
                            "city": "Fairhaven",
                            "region": "Harbourside",
                            "state_province": "England",
                            "postal_code": postcode,
                            "country": "GB",
                            "address_type": "physical",
                        }
                    ],
                    "phones": [{"id": uid(key, "location-phone"), "number": "01632 960002"}],
                    "accessibility": [{"id": uid(key, "accessibility"), "description": "Step-free entrance."}],
                    "attributes": location_attributes,
                },
            }
        ],
        "languages": [{"id": uid(key, "language"), "name": "English", "code": "en"}],
        "cost_options": [{"id": uid(key, "cost"), "option": "Everyone", "amount": 0, "currency": "GBP"}],
        "required_documents": [{"id": uid(key, "document"), "document": "Nothing"}],
        "contacts": [
            {
                "id": uid(key, "contact"),
                "name": "Reception",
                "phones": [{"id": uid(key, "contact-phone"), "number": "01632 960003"}],
            }
        ],
        "attributes": [
            attribute(key, taxonomy.NO_STATUS_CHECK),
            attribute(key, taxonomy.FREE),
            attribute(key, taxonomy.INTERPRETERS, "fa"),
            attribute(key, taxonomy.LAST_VERIFIED, "2026-09-01"),
            attribute(key, taxonomy.CATEGORY_TERMS[0], link_type="category"),
        ],
        "metadata": [
            {
                "id": uid(key, "metadata"),
                "last_action_date": "2026-10-01",
                "last_action_type": "update",
                "field_name": "name",
                "previous_value": "Old name",
                "replacement_value": f"Harbour Clinic {key}",
                "updated_by": "A tester",
            }
        ],
    }


DIRECTORY_MODELS = (
    models.Organization, models.Service, models.Location, models.ServiceAtLocation, models.Address, models.Phone,
    models.Contact, models.Schedule, models.Language, models.CostOption, models.RequiredDocument,
    models.Accessibility, models.Taxonomy, models.TaxonomyTerm, models.Attribute, models.MetadataRecord,
)


def directory_counts(session: Session) -> dict[str, int]:
    counts = {
        model.__tablename__: session.execute(select(func.count()).select_from(model)).scalar_one()
        for model in DIRECTORY_MODELS
    }
    counts["revision"] = repository.current_revision(session)
    return counts


def import_one(session: Session, *documents: dict[str, Any]) -> service.ImportSummary:
    return service.import_documents(session, [copy.deepcopy(document) for document in documents])


def problems(error: InvalidInput) -> list[str]:
    return hsds.problems_as_text(error.errors)


def official_registry(hsds_dir: Path) -> Registry:
    resources = [
        (path.name, Resource.from_contents(json.loads(path.read_text()), default_specification=DRAFT202012))
        for path in (hsds_dir / "schema").glob("*.json")
    ]
    return Registry().with_resources(resources)


def official_validator(hsds_dir: Path, relative: str) -> Draft202012Validator:
    """A validator built from the OFFICIAL files beside the project (never the vendored copy), checking formats
    (uuid, date, email, ...) as well."""
    schema = json.loads((hsds_dir / "schema" / relative).read_text())
    return Draft202012Validator(schema, registry=official_registry(hsds_dir), format_checker=Draft202012Validator.FORMAT_CHECKER)


def schema_errors(validator: Draft202012Validator, document: Any) -> list[str]:
    return [f"{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in validator.iter_errors(document)]


def official_example(hsds_dir: Path, name: str) -> dict[str, Any]:
    return json.loads((hsds_dir / "examples" / name).read_text())


def test_vendored_schemas_are_the_official_ones_byte_for_byte(hsds_dir: Path) -> None:
    vendored = hsds.SCHEMA_DIR
    official_schema = hsds_dir / "schema"
    compared = 0
    for path in sorted(vendored.rglob("*.json")):
        assert path.read_bytes() == (official_schema / path.relative_to(vendored)).read_bytes(), path
        compared += 1
    for name in ("LICENSE", "SOURCE"):
        assert (vendored / name).read_bytes() == (hsds_dir / name).read_bytes()
    official_compiled = {path.name for path in (official_schema / "compiled").glob("*.json")}
    assert {path.name for path in (vendored / "compiled").glob("*.json")} == official_compiled
    assert compared == len(list(official_schema.glob("*.json"))) - 1 + len(official_compiled)  # all but openapi.json


def test_the_published_taxonomy_documents_every_term() -> None:
    text = (Path(__file__).resolve().parents[2] / "docs" / "taxonomy.md").read_text()
    for record in (taxonomy.ACCESS_TAXONOMY, taxonomy.CATEGORY_TAXONOMY):
        assert f"`{record['id']}`" in text and record["uri"] in text
    rows = {line.split("|")[1].strip(" `"): line for line in text.splitlines() if line.startswith("| `")}
    for term in taxonomy.ALL_TERMS:
        assert term.code in rows, term.code
        cells = [cell.strip(" `") for cell in rows[term.code].split("|")]
        assert cells[2] == term.id and cells[3] == term.link_entity, term.code
        assert (cells[4] == "—") == (term.value is None), term.code
    assert len(rows) == len(taxonomy.ALL_TERMS)


# ------------------------------------------------------------------------------------------------------ reading


def _one_service_bytes() -> bytes:
    return orjson.dumps(valid_service())


def test_reads_a_single_object_an_array_a_page_and_ndjson() -> None:
    document = valid_service()
    other = valid_service("s2")
    single = read_records(orjson.dumps(document))
    assert [record.label for record in single] == ["record 1"] and single[0].document == document
    array = read_records(orjson.dumps([document, other]))
    assert [record.label for record in array] == ["record 1", "record 2"]
    wrapped = read_records(orjson.dumps(hsds.page([document, other], total=2, page_number=1, per_page=50)))
    assert [record.document["id"] for record in wrapped] == [document["id"], other["id"]]
    ndjson = orjson.dumps(document) + b"\n\n" + orjson.dumps(other) + b"\n"
    lines = read_records(ndjson)
    assert [record.label for record in lines] == ["line 1", "line 3"]
    assert read_records(b"\xef\xbb\xbf" + orjson.dumps(document))[0].document == document  # a UTF-8 BOM is fine


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "file: the file is empty"),
        (b"  \n\t ", "file: the file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "zero bytes"),
        ('{"id": "x"}'.encode("utf-16"), "zero bytes"),
        (b'{"name": "caf\xe9"}', "not UTF-8 text: invalid byte at position 14"),
        (b'{"id": "s1", "name": ', "the file is not valid JSON"),
        (b"42", "the file must hold an HSDS record"),
        (b'"a service"', "the file must hold an HSDS record"),
        (b"[]", "the file holds no records"),
        (b'{"contents": []}', "the file holds no records"),
        (b'{"contents": {"id": "x"}}', "contents must be an array"),
        (b'[{"id": "a"}, 3, "x"]', "record 2: expected an HSDS record (a JSON object), found a number"),
        (b'{"id": "a"}\n{"id": \n{"id": "c"}\n', "line 2: not valid JSON"),
        (b'{"id": "a"}\n[1]\n', "line 2: expected an HSDS record (a JSON object), found an array"),
        (b"[" * 5000, "the file is not valid JSON"),
    ],
)
def test_bad_files_get_a_clear_message(data: bytes, expected: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        read_records(data)
    assert any(expected in line for line in problems(raised.value)), problems(raised.value)


@pytest.mark.parametrize(
    ("example", "kind"),
    [
        ("service_full.json", "service"),
        ("organization_full.json", "organization"),
        ("service_at_location_full.json", "service_at_location"),
        ("location.json", "location"),
        ("taxonomy.json", "taxonomy"),
        ("taxonomy_term.json", "taxonomy_term"),
    ],
)
def test_record_kinds_are_told_apart_by_their_fields(hsds_dir: Path, example: str, kind: str) -> None:
    assert hsds.detect_kind(official_example(hsds_dir, example)) == kind


# ------------------------------------------------------------------------------------------------------ checking


def _mutated(change: Any) -> list[str]:
    document = valid_service()
    change(document)
    plan = plan_import([Record("record 1", document)])
    return hsds.problems_as_text(plan.errors)


def _location(document: dict[str, Any]) -> dict[str, Any]:
    return document["service_at_locations"][0]["location"]


def _schedule(document: dict[str, Any]) -> dict[str, Any]:
    return document["service_at_locations"][0]["schedules"][0]


def _set(getter: Any, name: str, value: Any) -> Any:
    return lambda document: getter(document).__setitem__(name, value)


def _root(document: dict[str, Any]) -> dict[str, Any]:
    return document


def _service_attribute(term: taxonomy.Term, value: str | None) -> Any:
    return lambda document: document["attributes"].append(attribute("extra", term, value))


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (_set(_location, "latitude", "north"), "record 1 /service_at_locations/0/location/latitude: 'north' is not of type 'number'"),
        (_set(_location, "longitude", "east"), "/service_at_locations/0/location/longitude: 'east' is not of type 'number'"),
        (lambda d: _location(d).pop("longitude"), "/service_at_locations/0/location: latitude and longitude must be given together"),
        (_set(_root, "status", "open"), "record 1 /status: 'open' is not one of"),
        (lambda d: d.pop("name"), "record 1: 'name' is a required property"),
        (_set(_root, "minimum_age", "twelve"), "/minimum_age: 'twelve' is not of type 'number'"),
        (_set(_root, "minimum_age", 130), "/minimum_age: minimum_age is greater than maximum_age"),
        (_set(_root, "maximum_age", -1), "/maximum_age: -1 is less than the minimum of 0"),
        (_set(_root, "assured_date", "2026-13-01"), '/assured_date: "2026-13-01" is not a date in the form YYYY-MM-DD'),
        (_set(_root, "last_modified", "yesterday"), '/last_modified: "yesterday" is not an ISO 8601 date-time'),
        (_set(_root, "id", "x" * 65), "/id: is 65 characters long; at most 64 are allowed"),
        (_set(_root, "id", " "), "/id: every record needs an id"),
        (_set(_root, "name", "Clinic\x00"), "/name: contains a NUL character"),
        (_set(_root, "email", "a" * 400), "/email: is 400 characters long; at most 320 are allowed"),
        (_set(_schedule, "opens_at", "9am"), '/service_at_locations/0/schedules/0/opens_at: "9am" is not a time of day'),
        (_set(_schedule, "opens_at", "24:00"), "/opens_at: a schedule cannot open at 24:00"),
        (lambda d: _schedule(d).pop("closes_at"), "/schedules/0/closes_at: opens_at and closes_at must be given together"),
        (_set(_schedule, "byday", "MO,XX"), '/byday: "MO,XX" is not a comma-separated list of days'),
        (_set(_schedule, "byday", "1SA"), '/byday: "1SA" numbers a week of the month, which needs freq MONTHLY'),
        (_set(_schedule, "bymonthday", "0,3"), '/bymonthday: "0,3" is not a comma-separated list of whole numbers from -31 to 31'),
        (_set(_schedule, "timezone", 20), "/timezone: 20 is greater than the maximum of 14"),
        (_set(_schedule, "interval", 0), "/interval: 0 is less than the minimum of 1"),
        (_set(_schedule, "count", 2.5), "/count: 2.5 is not a whole number"),
        (_set(_schedule, "valid_from", "2026-05-01"), None),
        (lambda d: _schedule(d).update(valid_from="2026-05-02", valid_to="2026-05-01"), "/valid_to: valid_to is before valid_from"),
        (_set(_schedule, "freq", "DAILY"), "/freq: 'DAILY' is not one of ['WEEKLY', 'MONTHLY']"),
        (lambda d: d["languages"][0].__setitem__("code", "Arabic"), '/languages/0/code: "Arabic" is not an ISO 639 language code'),
        (lambda d: d["cost_options"][0].__setitem__("currency", "£"), '/cost_options/0/currency: "£" is not a three-letter ISO 4217'),
        (lambda d: d["attributes"].append({"id": uid("no-term")}), "/attributes/5: an attribute needs a taxonomy term"),
        (
            lambda d: d["attributes"].append(attribute("x", taxonomy.CONFIDENTIAL_ADDRESS)),
            "/attributes/5: the Carebridge term confidential-address belongs on a location, not on a service",
        ),
        (_service_attribute(taxonomy.INTERPRETERS, "Farsi"), '/attributes/5/value: the value of interpreters must be an ISO 639 language code like ar, found "Farsi"'),
        (_service_attribute(taxonomy.ELIGIBLE_GENDER, "other"), "the value of eligible-gender must be female or male"),
        (_service_attribute(taxonomy.CONTENT_LANGUAGE, "Arabic language"), "the value of content-language must be a BCP 47 language tag"),
        (_service_attribute(taxonomy.OPEN_WEEKENDS, "false"), "open-weekends is a yes/no fact"),
        # social prescribing (taxonomy 1.2): faith-sensitive must say which faith; the others are yes/no facts
        (_service_attribute(taxonomy.FAITH_SENSITIVE, None), "the value of faith-sensitive must name the faith"),
        (_service_attribute(taxonomy.FAITH_SENSITIVE, "true"), "the value of faith-sensitive must name the faith"),
        (_service_attribute(taxonomy.FAITH_SENSITIVE, "all faiths welcome"), None),
        (_service_attribute(taxonomy.CHILDCARE, "sometimes"), "childcare is a yes/no fact"),
        (_service_attribute(taxonomy.TRANSPORT_HELP, None), None),
        (_service_attribute(taxonomy.FREE, None), "the Carebridge term free is given twice for the same record"),
        (
            lambda d: d["attributes"][3].__setitem__("value", "last week"),
            '/attributes/3/value: the value of last-verified must be a date in the form YYYY-MM-DD, found "last week"',
        ),
        (lambda d: d["attributes"][3].__setitem__("value", "2999-01-01"), "the value of last-verified is in the future"),
        (
            lambda d: _schedule(d)["attributes"][0].__setitem__("value", "Mars/Olympus"),
            "the value of time-zone must be an IANA time zone like Europe/London",
        ),
        (lambda d: d.__setitem__("organization_id", uid("another")), "/organization_id: is"),
        (
            lambda d: d["phones"][0].__setitem__("service_id", uid("another")),
            "/phones/0/service_id: is",
        ),
        (lambda d: d["phones"].append(dict(d["phones"][0], number="0000")), "appears more than once with different values of number"),
        (lambda d: d.__setitem__("minimum_age", float("nan")), "/minimum_age: nan is not a number JSON allows"),
        (lambda d: d.__setitem__("extra_field", {"key\x00": 1}), "/extra_field: contains a NUL character"),
        (lambda d: d.__setitem__("name", "\ud800"), "/name: contains characters that are not valid Unicode"),
    ],
)
def test_each_problem_is_reported_with_its_path(change: Any, expected: str | None) -> None:
    found = _mutated(change)
    if expected is None:
        assert found == []
    else:
        assert any(expected in line for line in found), found


def test_a_valid_record_has_no_problems_and_flattens_into_rows() -> None:
    plan = plan_import([Record("record 1", valid_service())])
    assert plan.errors == []
    assert plan.warnings == []
    assert len(plan.rows["service"]) == 1 and len(plan.rows["phone"]) == 4 and len(plan.rows["attribute"]) == 6
    schedule = next(iter(plan.rows["schedule"].values()))
    assert schedule.values["timezone_name"] == "Europe/London"
    assert schedule.parents == {"service_at_location_id": uid("s1", "service-at-location")}


def test_the_same_child_under_two_parents_of_one_kind_is_a_conflict() -> None:
    first, second = valid_service("a"), valid_service("b")
    second["phones"] = copy.deepcopy(first["phones"])
    plan = plan_import([Record("record 1", first), Record("record 2", second)])
    assert any("is listed under two different parents" in line for line in hsds.problems_as_text(plan.errors))


def test_placeholder_links_are_replaced_with_a_warning() -> None:
    document = valid_service()
    document["attributes"][0]["link_entity"] = "link_entity"
    plan = plan_import([Record("record 1", document)])
    assert plan.errors == []
    assert hsds.problems_as_text(plan.warnings) == [
        'record 1 /attributes/0/link_entity: "link_entity" was replaced by "service", where the record is nested'
    ]


@pytest.mark.parametrize(("hours", "name"), [(0, "UTC"), (1, "Etc/GMT-1"), (-5, "Etc/GMT+5"), (5.5, "UTC+05:30"), (-3.5, "UTC-03:30")])
def test_fixed_offsets_get_a_zone_name(hours: float, name: str) -> None:
    assert hsds.fixed_offset_zone_name(hours) == name


# ------------------------------------------------------------------------------------------------------ database


def test_import_writes_every_table_and_moves_the_revision(session: Session) -> None:
    before = directory_counts(session)
    summary = import_one(session, valid_service())
    after = directory_counts(session)
    assert summary.created["service"] == 1 and summary.created["organization"] == 1 and summary.created["location"] == 1
    assert after["revision"] == before["revision"] + 1 == summary.revision
    for table in ("phone", "address", "schedule", "language", "contact", "cost_option", "required_document", "attribute", "metadata"):
        assert after[table] > before[table], table
    assert after["taxonomy_term"] >= len(taxonomy.ALL_TERMS)  # Carebridge terms are seeded on import
    schedule = session.get(models.Schedule, uid("s1", "schedule"))
    assert schedule is not None and schedule.timezone_name == "Europe/London" and schedule.timezone == 0
    assert "services: 1 created, 0 updated" in str(summary) and "directory revision is now" in str(summary)


def test_reimport_is_idempotent(session: Session) -> None:
    import_one(session, valid_service(), valid_service("s2"))
    counts = directory_counts(session)
    exported = list(service.export_services(session))
    summary = import_one(session, valid_service(), valid_service("s2"))
    assert sum(summary.created.values()) == 0
    assert summary.updated["service"] == 2 and summary.removed == 0
    again = directory_counts(session)
    assert {key: value for key, value in again.items() if key != "revision"} == {
        key: value for key, value in counts.items() if key != "revision"
    }
    assert list(service.export_services(session)) == exported


def test_reimporting_an_export_changes_nothing(session: Session) -> None:
    import_one(session, valid_service(), valid_service("s2", confidential=True))
    exported = list(service.export_services(session, redact=False))
    counts = directory_counts(session)
    summary = service.import_documents(session, copy.deepcopy(exported))
    assert summary.warnings == [] and summary.removed == 0
    assert list(service.export_services(session, redact=False)) == exported
    assert directory_counts(session)["phone"] == counts["phone"]


def test_reimport_applies_updates_and_removes_children_no_longer_listed(session: Session) -> None:
    import_one(session, valid_service())
    changed = valid_service()
    changed["name"] = "Harbour Clinic (renamed)"
    del changed["email"]  # a top-level record states every field: a missing one is emptied
    changed["phones"] = []
    changed["cost_options"] = []
    changed["attributes"] = [attribute("s1", taxonomy.FREE)]
    changed["contacts"] = []
    changed["service_at_locations"][0]["schedules"] = []
    summary = import_one(session, changed)
    document = service.get_service(session, uid("s1", "service"))
    assert document is not None
    assert document["name"] == "Harbour Clinic (renamed)" and "email" not in document
    assert document["phones"] == [] and document["cost_options"] == [] and document["contacts"] == []
    assert [item["taxonomy_term_id"] for item in document["attributes"]] == [taxonomy.FREE.id]
    assert document["service_at_locations"][0]["schedules"] == []
    for model, removed_id in (
        (models.Phone, uid("s1", "service-phone")),
        (models.Language, uid("s1", "phone-language")),  # hung off the removed phone only
        (models.Contact, uid("s1", "contact")),
        (models.Phone, uid("s1", "contact-phone")),  # hung off the removed contact only
        (models.CostOption, uid("s1", "cost")),
        (models.Schedule, uid("s1", "schedule")),
        (models.Attribute, uid("s1-schedule", "attribute", "time-zone", "Europe/London")),  # the removed schedule's
        (models.Attribute, uid("s1", "attribute", "no-status-check", "")),
    ):
        assert session.get(model, removed_id) is None, (model.__name__, removed_id)
    assert summary.removed >= 8


def test_a_shared_child_survives_when_one_parent_stops_listing_it(session: Session) -> None:
    document = valid_service()
    shared_phone = copy.deepcopy(document["phones"][0])
    _location(document)["phones"].append(shared_phone)
    import_one(session, document)
    phone = session.get(models.Phone, shared_phone["id"])
    assert phone is not None and phone.service_id == document["id"] and phone.location_id == _location(document)["id"]
    document["phones"] = []
    import_one(session, document)
    session.expire_all()
    phone = session.get(models.Phone, shared_phone["id"])
    assert phone is not None and phone.service_id is None and phone.location_id == _location(document)["id"]
    assert session.get(models.Language, uid("s1", "phone-language")) is not None


def test_removing_a_service_at_location_keeps_the_location_and_its_shared_phone(session: Session) -> None:
    document = valid_service()
    import_one(session, document)
    document["service_at_locations"] = []
    import_one(session, document)
    assert session.get(models.ServiceAtLocation, uid("s1", "service-at-location")) is None
    assert session.get(models.Location, uid("s1", "location")) is not None  # locations are never deleted by import
    assert session.get(models.Phone, uid("s1", "location-phone")) is not None


def test_an_absent_collection_is_left_alone(session: Session) -> None:
    import_one(session, valid_service())
    listed = valid_service()
    for key in ("phones", "service_at_locations", "languages", "cost_options", "required_documents", "contacts", "attributes", "metadata"):
        del listed[key]
    import_one(session, listed)
    document = service.get_service(session, listed["id"])
    assert document is not None
    assert len(document["phones"]) == 1 and len(document["service_at_locations"]) == 1 and len(document["attributes"]) == 5


def test_a_nested_organisation_is_updated_only_in_what_it_states(session: Session) -> None:
    first = valid_service("a")
    import_one(session, first)
    second = valid_service("b")
    second["organization"] = {"id": first["organization"]["id"], "name": "Harbour Health (new name)", "description": "Same charity."}
    import_one(session, second)
    organization = service.get_organization(session, first["organization"]["id"])
    assert organization is not None
    assert organization["name"] == "Harbour Health (new name)"
    assert organization["email"] == "office@example.org"  # not stated by the second record: kept
    assert organization["funding"] == first["organization"]["funding"]  # kept in `extra`
    assert len(organization["phones"]) == 1  # `phones` not stated: kept
    assert {item["id"] for item in organization["services"]} == {first["id"], second["id"]}


def test_invalid_input_writes_nothing_and_reports_every_problem(session: Session) -> None:
    before = directory_counts(session)
    wrong_shape, impossible = valid_service("shape"), valid_service("place")
    wrong_shape["status"] = "open"
    del wrong_shape["name"]
    _location(impossible)["latitude"] = "north"
    with pytest.raises(InvalidInput) as raised:
        import_one(session, valid_service("good"), wrong_shape, impossible)
    assert problems(raised.value) == [
        "record 2: 'name' is a required property",
        "record 2 /status: 'open' is not one of ['active', 'inactive', 'defunct', 'temporarily closed']",
        "record 3 /service_at_locations/0/location/latitude: 'north' is not of type 'number'",
    ]
    assert raised.value.params["count"] == 3
    assert directory_counts(session) == before


def test_semantic_problems_are_all_reported_together(session: Session) -> None:
    before = directory_counts(session)
    bad = valid_service("bad")
    _location(bad)["latitude"] = 123.4  # a warning only: it must not hide the errors beside it
    _schedule(bad)["opens_at"] = "9am"
    bad["attributes"].append({"id": uid("unknown-term"), "taxonomy_term_id": uid("no-such-term")})
    bad["organization_id"] = bad["organization"]["id"]
    with pytest.raises(InvalidInput) as raised:
        import_one(session, valid_service("good"), bad)
    found = problems(raised.value)
    assert not any("/latitude" in line for line in found)
    assert any(line.startswith("record 2 /service_at_locations/0/schedules/0/opens_at:") for line in found)
    assert any(
        line.startswith("record 2 /attributes/5/taxonomy_term_id: no taxonomy_term with the id") for line in found
    ), found
    assert len(found) == 2
    assert directory_counts(session) == before


def test_references_may_point_at_records_already_in_the_directory(session: Session) -> None:
    import_one(session, valid_service())
    document = valid_service("s2")
    organization_id = uid("s1", "organization")
    del document["organization"]
    document["organization_id"] = organization_id
    import_one(session, document)
    assert session.get(models.Service, document["id"]).organization_id == organization_id
    document["organization_id"] = uid("nowhere")
    with pytest.raises(InvalidInput) as raised:
        import_one(session, document)
    assert problems(raised.value) == [f"record 1 /organization_id: no organization with the id {uid('nowhere')} exists in this file or in the directory"]


def test_schedule_time_zones(session: Session) -> None:
    document = valid_service()
    schedules = document["service_at_locations"][0]["schedules"]
    schedules.append({"id": uid("offset"), "freq": "WEEKLY", "byday": "SA", "opens_at": "10:00", "closes_at": "12:00", "timezone": 1})
    schedules.append({"id": uid("local"), "freq": "WEEKLY", "byday": "SU", "opens_at": "10:00", "closes_at": "12:00"})
    import_one(session, document)
    assert session.get(models.Schedule, uid("s1", "schedule")).timezone_name == "Europe/London"
    assert session.get(models.Schedule, uid("offset")).timezone_name == "Etc/GMT-1"
    assert session.get(models.Schedule, uid("local")).timezone_name is None
    # Re-imported without its attributes, a schedule keeps the zone its stored attribute names.
    del schedules[0]["attributes"]
    import_one(session, document)
    session.expire_all()
    assert session.get(models.Schedule, uid("s1", "schedule")).timezone_name == "Europe/London"


def test_last_modified_is_the_import_time_when_the_publisher_does_not_say(session: Session) -> None:
    from datetime import timedelta

    from carebridge.kit import clock

    given, unsaid = valid_service("given"), valid_service("unsaid")
    del unsaid["last_modified"]
    started = clock.utc_now() - timedelta(seconds=1)
    import_one(session, given, unsaid)
    stated = service.get_service(session, given["id"])
    stamped = service.get_service(session, unsaid["id"])
    assert stated is not None and stated["last_modified"] == "2026-10-01T09:30:00Z"
    assert stamped is not None and hsds.parse_datetime(stamped["last_modified"]) >= started
    _, items = service.list_services(session, repository.ListFilters(modified_after=started), 0, 50)
    assert [item["id"] for item in items] == [unsaid["id"]]


def test_export_streams_every_service_in_batches(session: Session) -> None:
    import_one(session, *(valid_service(f"s{number}") for number in range(7)))
    exported = list(service.export_services(session, batch_size=3))
    assert sorted(document["id"] for document in exported) == sorted(uid(f"s{number}", "service") for number in range(7))
    assert [document["id"] for document in exported] == sorted(document["id"] for document in exported)


def test_every_exported_record_validates_against_the_official_schema(session: Session, hsds_dir: Path) -> None:
    from carebridge.directory import demo

    service.load_demo_data(session)
    import_one(session, valid_service("plain"), valid_service("secret", confidential=True))
    official = official_example(hsds_dir, "service_full.json")
    service.import_documents(session, [official])
    validator = official_validator(hsds_dir, "compiled/service.json")
    exported = list(service.export_services(session)) + list(service.export_services(session, redact=False))
    assert len(exported) == 2 * (len(demo.load_services()) + 3)
    failures = {document["id"]: schema_errors(validator, document) for document in exported}
    assert {key: value for key, value in failures.items() if value} == {}


# ------------------------------------------------------------------------------------------------------ round trip

# Fields that say which record another hangs off. The importer takes them from where a record is nested (HSDS's
# own placeholders, such as "link_entity": "link_entity", are replaced) and the exporter writes all of them, so they
# are compared separately: `check_links` proves each exported one names the right record.
LINK_FIELDS = frozenset(
    {
        "organization_id", "service_id", "location_id", "contact_id", "service_at_location_id", "phone_id",
        "link_id", "link_entity", "taxonomy_term_id", "taxonomy_id", "resource_id", "resource_type",
    }
)


def normalised(value: Any) -> Any:
    """JSON compared as HSDS means it: key order ignored, nulls and empty arrays/objects dropped, arrays of records
    compared as sets (HSDS gives them no order), link fields set aside."""
    if isinstance(value, dict):
        kept = {key: normalised(item) for key, item in value.items() if key not in LINK_FIELDS}
        return {key: item for key, item in sorted(kept.items()) if item not in (None, [], {})}
    if isinstance(value, list):
        items = [normalised(item) for item in value]
        return sorted(items, key=lambda item: json.dumps(item, sort_keys=True))
    return value


def check_links(value: Any, parent: tuple[str, str] | None = None, key: str | None = None, top: str = "service") -> None:
    """Every link field in an exported document names the record it is nested under or nests."""
    if isinstance(value, list):
        for item in value:
            check_links(item, parent, key, top)
        return
    if not isinstance(value, dict):
        return
    entity = {
        None: top, "organization": "organization", "service_at_locations": "service_at_location",
        "location": "location", "locations": "location", "services": "service", "phones": "phone",
        "contacts": "contact", "schedules": "schedule", "languages": "language", "attributes": "attribute",
        "metadata": "metadata", "addresses": "address", "accessibility": "accessibility", "cost_options": "cost_option",
        "required_documents": "required_document", "taxonomy_term": "taxonomy_term", "taxonomy_detail": "taxonomy",
        "service": "service",
    }.get(key, key)
    if parent is not None:
        parent_entity, parent_id = parent
        if entity == "attribute":
            assert (value["link_entity"], value["link_id"]) == parent
        elif entity == "metadata":
            assert (value["resource_type"], value["resource_id"]) == parent
        elif entity not in ("organization", "taxonomy_term", "taxonomy") and f"{parent_entity}_id" in value:
            if not (entity == "service" and parent_entity == "service_at_location"):
                assert value[f"{parent_entity}_id"] == parent_id, (entity, parent_entity)
    for nested_key, nested, column in (
        ("organization", value.get("organization"), "organization_id"),
        ("location", value.get("location"), "location_id"),
        ("taxonomy_term", value.get("taxonomy_term"), "taxonomy_term_id"),
        ("taxonomy_detail", value.get("taxonomy_detail"), "taxonomy_id"),
    ):
        if isinstance(nested, dict):
            assert value.get(column) == nested["id"], (nested_key, column)
    for child_key, child in value.items():
        if isinstance(child, (list, dict)):
            check_links(child, (entity, value["id"]) if "id" in value else parent, child_key, top)


def assert_round_trip(original: dict[str, Any], read_back: dict[str, Any] | None) -> None:
    assert read_back is not None
    assert normalised(_without_added_terms(read_back, _attributes_with_terms(original))) == normalised(original)
    check_links(read_back, top=hsds.detect_kind(original))
    stated = _link_values(original) - {("link_entity", "link_entity"), ("resource_type", "location")}
    assert stated <= _link_values(read_back), stated - _link_values(read_back)


def _attributes_with_terms(value: Any) -> set[str]:
    """Ids of the attributes that nest their taxonomy_term."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "attributes" and isinstance(item, list):
                found |= {entry["id"] for entry in item if "taxonomy_term" in entry}
            found |= _attributes_with_terms(item)
    elif isinstance(value, list):
        for item in value:
            found |= _attributes_with_terms(item)
    return found


def _without_added_terms(value: Any, keep: set[str]) -> Any:
    """Export nests each attribute's term; an original that named the term by id only did not."""
    if isinstance(value, dict):
        return {
            key: (
                [
                    {name: part for name, part in entry.items() if name != "taxonomy_term" or entry["id"] in keep}
                    for entry in item
                ]
                if key == "attributes" and isinstance(item, list)
                else _without_added_terms(item, keep)
            )
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_without_added_terms(item, keep) for item in value]
    return value


def _link_values(value: Any) -> set[tuple[str, Any]]:
    found: set[tuple[str, Any]] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            if key in LINK_FIELDS:
                found.add((key, item))
            found |= _link_values(item)
    elif isinstance(value, list):
        for item in value:
            found |= _link_values(item)
    return found


def test_official_examples_with_impossible_coordinates_import_with_a_warning(session: Session, hsds_dir: Path) -> None:
    """The official examples put their location at latitude 100: not a place on Earth. The record
    is kept as published (so it round-trips) and the import says, at each path, that it won't be found by distance."""
    summary = service.import_documents(session, [official_example(hsds_dir, "service_full.json")])
    warned = sorted(hsds.problems_as_text(summary.warnings))
    assert [line for line in warned if "/latitude:" in line] == [
        "record 1 /organization/locations/0/latitude: 100 is not a position on Earth (from -90 to 90); it is kept as "
        "given, but the location will not be found by distance",
        "record 1 /service_at_locations/0/location/latitude: 100 is not a position on Earth (from -90 to 90); it is "
        "kept as given, but the location will not be found by distance",
    ]


def test_a_location_off_the_earth_is_never_placed_by_search(session: Session, hsds_dir: Path) -> None:
    from carebridge.directory import search

    official = official_example(hsds_dir, "service_full.json")
    service.import_documents(session, [official])
    assert service.get_service(session, official["id"])["service_at_locations"][0]["location"]["latitude"] == 100
    anywhere = search.search_services(session, q="Counselling")
    assert [result["service_id"] for result in anywhere.results] == [official["id"]]
    assert anywhere.results[0]["distance_km"] is None and anywhere.results[0]["latitude"] is None
    nearby = search.search_services(session, q="Counselling", lat=89.9, lon=101, radius_km=200)
    assert nearby.total == 0


def _read_service(session: Session, example: dict[str, Any]) -> Any:
    return service.get_service(session, example["id"])


def _read_organization(session: Session, example: dict[str, Any]) -> Any:
    return service.get_organization(session, example["id"], full_service=True)


def _read_service_at_location(session: Session, example: dict[str, Any]) -> Any:
    return service.get_service_at_location(session, example["id"])


def _read_location(session: Session, example: dict[str, Any]) -> Any:
    return service.get_location(session, example["id"])


def _read_taxonomy(session: Session, example: dict[str, Any]) -> Any:
    return service.get_taxonomy(session, example["id"])


def _read_taxonomy_term(session: Session, example: dict[str, Any]) -> Any:
    return service.get_taxonomy_term(session, example["id"])


def _read_listed(lister: Any) -> Any:
    def read(session: Session, example: dict[str, Any]) -> Any:
        _, items = lister(session, repository.ListFilters(), 0, 500)
        return next((item for item in items if item["id"] == example["id"]), None)

    return read


@pytest.mark.parametrize(
    ("example", "read"),
    [
        ("service_full.json", _read_service),
        ("organization_full.json", _read_organization),
        ("service_at_location_full.json", _read_service_at_location),
        ("location.json", _read_location),
        ("taxonomy.json", _read_taxonomy),
        ("taxonomy_term.json", _read_taxonomy_term),
        ("service_list.json", _read_listed(service.list_services)),
        ("organization_list.json", _read_listed(service.list_organizations)),
        ("taxonomy_list.json", _read_listed(service.list_taxonomies)),
        ("taxonomy_term_list.json", _read_listed(service.list_taxonomy_terms)),
        ("service_at_location_list.json", _read_listed(service.list_services_at_locations)),
    ],
)
def test_official_examples_import_and_read_back_equal(session: Session, hsds_dir: Path, example: str, read: Any) -> None:
    data = official_example(hsds_dir, example)
    records = data["contents"] if "contents" in data else [data]
    service.import_documents(session, copy.deepcopy(records))
    for record in records:
        assert_round_trip(record, read(session, record))


def test_an_organisation_example_reads_back_through_the_service_too(session: Session, hsds_dir: Path) -> None:
    organization = official_example(hsds_dir, "organization_full.json")
    service.import_documents(session, [copy.deepcopy(organization)])
    nested = organization["services"][0]
    document = service.get_service(session, nested["id"])
    assert document is not None and document["organization"]["id"] == organization["id"]
    without_organization = {key: value for key, value in document.items() if key != "organization"}
    assert_round_trip(nested, without_organization)


# ------------------------------------------------------------------------------------------------------ property


JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | st.text(max_size=40)
    | st.sampled_from(["", "2026-01-01", "09:00", "24:00", "MO,TU", "1SA", "Europe/London", "x" * 70, "\x00", "ar"])
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=6,
)


SAME_TYPE = {
    str: st.text(max_size=30) | st.sampled_from(["2026-02-03", "10:30", "SA,SU", "fa", "GB", "https://example.org"]),
    int: st.integers(min_value=-200, max_value=200),
    float: st.floats(min_value=-200, max_value=200, allow_nan=False),
    bool: st.booleans(),
    list: st.just([]),
    dict: st.fixed_dictionaries({"id": st.text(min_size=1, max_size=10)}),
}


def _at(document: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        document = document[part]
    return document


def _places(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _places(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _places(item, (*path, index))


def _mutate(document: dict[str, Any], path: tuple[Any, ...], action: str, value: Any, key: str) -> None:
    if not path:
        document[key] = value
        return
    *above, last = path
    container: Any = document
    for part in above:
        container = container[part]
    if action == "delete":
        del container[last]
    elif action == "replace":
        container[last] = value
    elif isinstance(container[last], dict):
        container[last][key] = value
    elif isinstance(container[last], list):
        container[last].append(value)
    else:
        container[last] = value


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_any_mutation_imports_or_is_refused_with_nothing_written(session: Session, data: st.DataObject) -> None:
    document = valid_service(data.draw(st.sampled_from(["p1", "p2"])), confidential=data.draw(st.booleans()))
    paths = list(_places(document))
    for _ in range(data.draw(st.integers(min_value=1, max_value=3))):
        paths = list(_places(document))
        path = data.draw(st.sampled_from(paths))
        action = data.draw(st.sampled_from(["same-type", "same-type", "replace", "delete", "add"] if path else ["add"]))
        if action == "same-type":  # a value of the same JSON type: often still valid, so writes get exercised
            current = _at(document, path)
            value = data.draw(SAME_TYPE.get(type(current), JSON_VALUES))
            action = "replace"
        else:
            value = data.draw(JSON_VALUES)
        _mutate(document, path, action, value, data.draw(st.sampled_from(["id", "name", "latitude", "phones", "attributes", "value", "x"])))
    savepoint = session.begin_nested()
    try:
        before = directory_counts(session)
        try:
            service.import_documents(session, [document])
        except InvalidInput as error:
            event("refused")
            assert error.errors, "a refusal names its problems"
            assert all(isinstance(line, str) for line in problems(error))
            assert directory_counts(session) == before
        else:
            event("imported")
            assert directory_counts(session)["revision"] == before["revision"] + 1
            list(service.export_services(session))
    finally:
        savepoint.rollback()
