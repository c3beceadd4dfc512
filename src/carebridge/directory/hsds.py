"""HSDS 3.1, the Open Referral Human Services Data Specification: reading, checking and writing it.

Import has three steps, all in memory and none touching the database:

1. `read_records(bytes)` finds the records in a file: one object, an array, an HSDS page (`{"contents": [...]}`) or
   NDJSON (one object per line).
2. `plan_import(records)` validates every record against the official schemas (vendored in hsds_schema/) and our own
   semantic checks, and flattens the nested documents into rows per table (`ImportPlan`). Every problem is reported
   with the record it is in and a JSON pointer to the field.
3. service.import_documents() checks the plan's references against the database and writes it in one transaction.

Export turns loaded rows (repository.DirectoryGraph) back into nested HSDS documents. Export, the HSDS API and the
service page all use the builders here, so what one shows the others show, including the redaction of confidential
locations.

How nesting maps to rows (see docs/data-model.md): a child's link to its parent comes from where it is nested, never
from the foreign-key fields written inside it. A collection that is present in a document replaces that collection
(rows no longer listed are removed); a collection that is absent is left as it is.
"""

from __future__ import annotations

import math
import re
import uuid
import zoneinfo
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any, NamedTuple

import orjson
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from sqlalchemy import Date, DateTime, Float, Integer, String

from carebridge.directory import models, taxonomy
from carebridge.errors import N_, FieldError, InvalidInput
from carebridge.kit import clock

SCHEMA_DIR = Path(__file__).resolve().parent / "hsds_schema"
HSDS_VERSION = "3.1"
MAX_REPORTED_PROBLEMS = 1000
ID_MAX_LENGTH = 64
INT32_MAX = 2**31 - 1


# ------------------------------------------------------------------------------------------------------ tables


class Child(NamedTuple):
    """A nested collection: `key` in the parent document holds `entity` rows linked by the child's `column`."""

    key: str
    entity: str
    column: str
    owned: bool  # owned rows have one parent and are deleted with it; shared rows may hang off several parents


@dataclass(frozen=True)
class Entity:
    name: str  # the HSDS table name, also an attribute's link_entity and a metadata resource_type
    model: type
    fields: tuple[str, ...]  # HSDS one-to-one fields stored in columns of the same name
    parent_columns: tuple[str, ...] = ()  # columns set from where the record is nested
    children: tuple[Child, ...] = ()
    has_extra: bool = False  # HSDS fields we have no column for are kept whole in `extra`
    references: tuple[str, ...] = ()  # keys holding other whole records (organization, location, ...)


def _with_annotations(children: tuple[Child, ...], attributes: bool = True) -> tuple[Child, ...]:
    extra = (Child("attributes", "attribute", "link_id", True),) if attributes else ()
    return children + extra + (Child("metadata", "metadata", "resource_id", True),)


ENTITIES: dict[str, Entity] = {
    entity.name: entity
    for entity in (
        Entity(
            "organization",
            models.Organization,
            (
                "id", "name", "alternate_name", "description", "email", "website", "tax_status", "tax_id",
                "year_incorporated", "legal_status", "logo", "uri", "parent_organization_id",
            ),
            children=_with_annotations(
                (Child("contacts", "contact", "organization_id", False), Child("phones", "phone", "organization_id", False))
            ),
            has_extra=True,
            references=("locations", "services"),
        ),
        Entity(
            "service",
            models.Service,
            (
                "id", "organization_id", "program_id", "name", "alternate_name", "description", "url", "email",
                "status", "interpretation_services", "application_process", "fees_description", "wait_time", "fees",
                "accreditations", "eligibility_description", "minimum_age", "maximum_age", "assured_date",
                "assurer_email", "licenses", "alert", "last_modified",
            ),
            children=_with_annotations(
                (
                    Child("phones", "phone", "service_id", False),
                    Child("schedules", "schedule", "service_id", False),
                    Child("service_at_locations", "service_at_location", "service_id", True),
                    Child("languages", "language", "service_id", False),
                    Child("cost_options", "cost_option", "service_id", True),
                    Child("required_documents", "required_document", "service_id", True),
                    Child("contacts", "contact", "service_id", False),
                )
            ),
            has_extra=True,
            references=("organization",),
        ),
        Entity(
            "service_at_location",
            models.ServiceAtLocation,
            ("id", "location_id", "description"),
            parent_columns=("service_id",),
            children=_with_annotations(
                (
                    Child("contacts", "contact", "service_at_location_id", False),
                    Child("phones", "phone", "service_at_location_id", False),
                    Child("schedules", "schedule", "service_at_location_id", False),
                )
            ),
            has_extra=True,
            references=("location", "service"),
        ),
        Entity(
            "location",
            models.Location,
            (
                "id", "location_type", "url", "organization_id", "name", "alternate_name", "description",
                "transportation", "latitude", "longitude", "external_identifier", "external_identifier_type",
            ),
            children=_with_annotations(
                (
                    Child("languages", "language", "location_id", False),
                    Child("addresses", "address", "location_id", True),
                    Child("contacts", "contact", "location_id", False),
                    Child("accessibility", "accessibility", "location_id", True),
                    Child("phones", "phone", "location_id", False),
                    Child("schedules", "schedule", "location_id", False),
                )
            ),
            has_extra=True,
        ),
        Entity(
            "contact",
            models.Contact,
            ("id", "name", "title", "department", "email"),
            parent_columns=("organization_id", "service_id", "service_at_location_id", "location_id"),
            children=_with_annotations((Child("phones", "phone", "contact_id", False),)),
        ),
        Entity(
            "phone",
            models.Phone,
            ("id", "number", "extension", "type", "description"),
            parent_columns=("location_id", "service_id", "organization_id", "contact_id", "service_at_location_id"),
            children=_with_annotations((Child("languages", "language", "phone_id", False),)),
        ),
        Entity(
            "schedule",
            models.Schedule,
            (
                "id", "valid_from", "valid_to", "dtstart", "timezone", "until", "count", "wkst", "freq", "interval",
                "byday", "byweekno", "bymonthday", "byyearday", "description", "opens_at", "closes_at",
                "schedule_link", "attending_type", "notes",
            ),
            parent_columns=("service_id", "location_id", "service_at_location_id"),
            children=_with_annotations(()),
        ),
        Entity(
            "language",
            models.Language,
            ("id", "name", "code", "note"),
            parent_columns=("service_id", "location_id", "phone_id"),
            children=_with_annotations(()),
        ),
        Entity(
            "address",
            models.Address,
            (
                "id", "attention", "address_1", "address_2", "city", "region", "state_province", "postal_code",
                "country", "address_type",
            ),
            parent_columns=("location_id",),
            children=_with_annotations(()),
        ),
        Entity(
            "accessibility",
            models.Accessibility,
            ("id", "description", "details", "url"),
            parent_columns=("location_id",),
            children=_with_annotations(()),
        ),
        Entity(
            "cost_option",
            models.CostOption,
            ("id", "valid_from", "valid_to", "option", "currency", "amount", "amount_description"),
            parent_columns=("service_id",),
            children=_with_annotations(()),
        ),
        Entity(
            "required_document",
            models.RequiredDocument,
            ("id", "document", "uri"),
            parent_columns=("service_id",),
            children=_with_annotations(()),
        ),
        Entity(
            "taxonomy",
            models.Taxonomy,
            ("id", "name", "description", "uri", "version"),
            children=_with_annotations((), attributes=False),
        ),
        Entity(
            "taxonomy_term",
            models.TaxonomyTerm,
            ("id", "code", "name", "description", "parent_id", "taxonomy", "taxonomy_id", "language", "term_uri"),
            children=_with_annotations((), attributes=False),
            references=("taxonomy_detail",),
        ),
        Entity(
            "attribute",
            models.Attribute,
            ("id", "link_type", "taxonomy_term_id", "value", "label"),
            parent_columns=("link_entity", "link_id"),
            children=_with_annotations((), attributes=False),
            references=("taxonomy_term",),
        ),
        Entity(
            "metadata",
            models.MetadataRecord,
            (
                "id", "last_action_date", "last_action_type", "field_name", "previous_value", "replacement_value",
                "updated_by",
            ),
            parent_columns=("resource_type", "resource_id"),
        ),
    )
}

# Tables whose rows can hang off several parents at once (the same phone under a service and its location):
# removing one link only deletes the row when no parent is left.
SHARED_PARENT_COLUMNS: dict[str, tuple[str, ...]] = {
    name: entity.parent_columns for name, entity in ENTITIES.items() if name in {"phone", "contact", "schedule", "language"}
}
# The order rows are written in, parents before the rows that point at them.
WRITE_ORDER = (
    "taxonomy", "taxonomy_term", "organization", "location", "service", "service_at_location", "contact", "phone",
    "language", "schedule", "address", "accessibility", "cost_option", "required_document", "attribute", "metadata",
)
TOP_LEVEL_KINDS = ("service", "organization", "service_at_location", "location", "taxonomy", "taxonomy_term")

CAREBRIDGE_TAXONOMY_IDS = frozenset({taxonomy.ACCESS_TAXONOMY_ID, taxonomy.CATEGORY_TAXONOMY_ID})

# Confidential locations are redacted by ALLOW-LIST (see docs/data-model.md, "Confidential locations"): these are the
# only fields of a confidential location that any output carries. Everything else about the location (name,
# alternate name, URLs, street, postcode, coordinates, accessibility, contacts, phones, schedules, languages,
# notes, change records, fields kept in `extra`) is withheld, including fields HSDS adds in a later version.
CONFIDENTIAL_LOCATION_ALLOWED = ("id", "organization_id", "location_type")
CONFIDENTIAL_AREA_FIELDS = ("city", "region", "state_province", "country")
# HSDS requires these address fields; an empty string says nothing about where the place is.
REDACTED_ADDRESS_BLANKS = ("address_1", "postal_code")
# A redacted location says so with one metadata entry of this action type (docs/data-model.md); the importer skips
# a location that carries it, so re-importing an export never overwrites the stored address with blanks.
REDACTED_ACTION = "redacted"
REDACTED_BY = "Carebridge"
# Change records elsewhere in a document that name one of these fields are dropped when the document shows a
# confidential location: their old or new value may be the address.
LOCATING_FIELD_NAMES = frozenset(
    {
        "latitude", "longitude", "description", "transportation", "external_identifier", "external_identifier_type",
        "address_1", "address_2", "postal_code", "attention",
    }
)
_REDACTION_NAMESPACE = uuid.UUID("5f0b6a52-8f0e-4a8e-9d38-2f1c3c4a9e11")


def is_confidential_term(term: Any) -> bool:
    """A term marks a confidential location when its code is confidential-address, in ANY taxonomy: a publisher
    using its own taxonomy's term for it is as clear as one using ours."""
    if term is None:
        return False
    if getattr(term, "id", None) == taxonomy.CONFIDENTIAL_ADDRESS.id:
        return True
    return str(getattr(term, "code", None) or "").strip().lower() == taxonomy.CONFIDENTIAL_ADDRESS.code


# ------------------------------------------------------------------------------------------------------ schemas


def _schema_json(relative: str) -> dict[str, Any]:
    return orjson.loads((SCHEMA_DIR / relative).read_bytes())


@lru_cache
def _registry() -> Registry:
    resources = [
        (path.name, Resource.from_contents(orjson.loads(path.read_bytes()), default_specification=DRAFT202012))
        for path in sorted(SCHEMA_DIR.glob("*.json"))
    ]
    return Registry().with_resources(resources)


SCHEMA_FILES = {
    "service": "compiled/service.json",
    "service_at_location": "compiled/service_at_location.json",
    "service_list": "compiled/service_list.json",
    "service_at_location_list": "compiled/service_at_location_list.json",
    "organization_list": "compiled/organization_list.json",
    "organization": "organization.json",
    "location": "location.json",
    "taxonomy": "taxonomy.json",
    "taxonomy_term": "taxonomy_term.json",
}


@lru_cache
def validator(kind: str) -> Draft202012Validator:
    """The official JSON schema for one kind of HSDS document, `$ref`s resolved among the vendored files.

    Formats (uuid, date, ...) are annotations in JSON Schema 2020-12; dates and times are checked by our own
    rules instead, and ids are kept as given even when they are not UUIDs.
    """
    return Draft202012Validator(_schema_json(SCHEMA_FILES[kind]), registry=_registry())


@lru_cache
def _key_order(entity: str) -> dict[str, int]:
    """The order HSDS lists an entity's fields in, so exported documents read like the specification."""
    path = SCHEMA_DIR / f"{entity}.json"
    if not path.is_file():
        return {}
    return {name: index for index, name in enumerate(orjson.loads(path.read_bytes()).get("properties", {}))}


def schema_problems(kind: str, document: Any) -> list[tuple[str, str]]:
    """Each way `document` breaks the official schema for `kind`, as (JSON pointer, message)."""
    problems = [
        (_pointer(error.absolute_path), _shorten(error.message))
        for error in validator(kind).iter_errors(document)
    ]
    if kind == "organization" and isinstance(document, dict) and isinstance(document.get("services"), list):
        # HSDS nests an organisation's services in its full form but its schema does not describe them.
        for index, service in enumerate(document["services"]):
            problems.extend(
                (f"/services/{index}{pointer}", message) for pointer, message in schema_problems("service", service)
            )
    return sorted(problems)


def _pointer(parts: Iterable[Any]) -> str:
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)


def _shorten(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ------------------------------------------------------------------------------------------------------ reading


class Record(NamedTuple):
    label: str  # "record 3" or, in NDJSON, "line 3"
    document: Any


def _file_error(message: str, **params: Any) -> InvalidInput:
    return InvalidInput(
        N_("The file could not be imported."), errors=[FieldError(name="file", message=message, params=params)]
    )


def read_records(data: bytes) -> list[Record]:
    """The records in an HSDS file: one object, an array, an HSDS page or NDJSON. Raises InvalidInput."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data.strip():
        raise _file_error(N_("the file is empty"))
    if b"\x00" in data:
        raise _file_error(N_("the file is not JSON text: it contains zero bytes (is it binary, or UTF-16?)"))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise _file_error(N_("the file is not UTF-8 text: invalid byte at position %(position)s"), position=error.start + 1) from None
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError as whole_file_error:
        return _read_ndjson(text, whole_file_error)
    if isinstance(value, dict) and "contents" in value and "id" not in value:
        contents = value["contents"]
        if not isinstance(contents, list):
            raise _file_error(N_("the page's contents must be an array of records"))
        items = contents
    elif isinstance(value, dict):
        items = [value]
    elif isinstance(value, list):
        items = value
    else:
        raise _file_error(
            N_("the file must hold an HSDS record, an array of records, a page with contents, or one record per line")
        )
    if not items:
        raise _file_error(N_("the file holds no records"))
    records = [Record(f"record {number}", item) for number, item in enumerate(items, 1)]
    _require_objects(records)
    return records


def _read_ndjson(text: str, whole_file_error: orjson.JSONDecodeError) -> list[Record]:
    lines = [(number, line) for number, line in enumerate(text.split("\n"), 1) if line.strip()]
    try:
        orjson.loads(lines[0][1])
        looks_like_ndjson = len(lines) > 1
    except orjson.JSONDecodeError:
        looks_like_ndjson = False
    if not looks_like_ndjson:
        raise _file_error(N_("the file is not valid JSON: %(reason)s"), reason=str(whole_file_error))
    records, errors = [], []
    for number, line in lines:
        try:
            records.append(Record(f"line {number}", orjson.loads(line)))
        except orjson.JSONDecodeError as error:
            errors.append(
                FieldError(name=f"line {number}", message=N_("not valid JSON: %(reason)s"), params={"reason": str(error)})
            )
    if errors:
        raise InvalidInput(N_("The file could not be imported."), errors=errors[:MAX_REPORTED_PROBLEMS])
    _require_objects(records)
    return records


def _require_objects(records: list[Record]) -> None:
    errors = [
        FieldError(
            name=record.label,
            pointer="",
            message=N_("expected an HSDS record (a JSON object), found %(found)s"),
            params={"found": _json_type(record.document)},
        )
        for record in records
        if not isinstance(record.document, dict)
    ]
    if errors:
        raise InvalidInput(N_("The file could not be imported."), errors=errors[:MAX_REPORTED_PROBLEMS])


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def detect_kind(document: dict[str, Any]) -> str:
    """Which HSDS table a top-level record belongs to. HSDS files do not say, so the fields decide."""
    keys = set(document)
    if "status" in keys or keys & {
        "service_at_locations", "program_id", "eligibility_description", "fees_description", "cost_options",
        "required_documents", "application_process", "interpretation_services",
    }:
        return "service"
    if keys & {"location_type", "addresses", "latitude", "longitude", "accessibility", "transportation"}:
        return "location"
    if "name" not in keys and keys & {"service", "location", "service_id", "location_id"}:
        return "service_at_location"
    if keys & {
        "website", "tax_status", "tax_id", "year_incorporated", "legal_status", "logo", "parent_organization_id",
        "services", "locations", "programs", "organization_identifiers", "additional_websites", "funding",
    }:
        return "organization"
    if keys & {"code", "parent_id", "taxonomy", "taxonomy_id", "taxonomy_detail", "term_uri", "language"}:
        return "taxonomy_term"
    if "version" in keys:
        return "taxonomy"
    return "service"


# ------------------------------------------------------------------------------------------------------ values

TIME_PATTERN = re.compile(
    r"^(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,6})?)?(?:Z|[+-](?:[01]\d|2[0-3]):?[0-5]\d)?$"
)
END_OF_DAY = frozenset({"24:00", "24:00:00"})
DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATETIME_PATTERN = re.compile(
    r"^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}(?::\d{2})?)(?:\.(\d+))?([Zz]|[+-]\d{2}:?\d{2})?$"
)
BYDAY_PATTERN = re.compile(r"^(?:([+-]?)([1-9]|[1-4]\d|5[0-3]))?(MO|TU|WE|TH|FR|SA|SU)$")
INTEGER_LIST_PATTERN = re.compile(r"^[+-]?\d{1,3}$")
LANGUAGE_TAG_PATTERN = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")
ISO_639_PATTERN = re.compile(r"^[a-z]{2,3}$")
COUNTRY_PATTERN = re.compile(r"^[A-Za-z]{2}$")
CURRENCY_PATTERN = re.compile(r"^[A-Za-z]{3}$")
FLAG_VALUES = (None, "", "true")


class Problem(NamedTuple):
    message: str
    params: dict[str, Any]
    # A warning keeps the value and imports the record; the problem is still reported.
    warning: bool = False


def _show(value: Any, limit: int = 80) -> str:
    try:
        text = orjson.dumps(value).decode()
    except (TypeError, orjson.JSONEncodeError):
        text = repr(value)
    return _shorten(text, limit)


def parse_date(value: Any) -> date | None:
    if not isinstance(value, str) or not DATE_PATTERN.match(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def parse_datetime(value: Any) -> datetime | None:
    """An ISO 8601 date-time as an aware UTC datetime; a time without an offset is taken as UTC."""
    if not isinstance(value, str):
        return None
    match = DATETIME_PATTERN.match(value)
    if not match:
        return None
    day, clock, fraction, offset = match.groups()
    text = f"{day}T{clock}"
    if fraction:
        text += "." + (fraction + "000000")[:6]
    if offset:
        text += "+00:00" if offset in ("Z", "z") else offset
    try:
        parsed = datetime.fromisoformat(text)
        if parsed.tzinfo is None:
            return parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_range(value: float, minimum: float | None, maximum: float | None) -> Problem | None:
    if minimum is not None and value < minimum:
        return Problem(N_("%(value)s is less than the minimum of %(minimum)s"), {"value": _show(value), "minimum": minimum})
    if maximum is not None and value > maximum:
        return Problem(N_("%(value)s is greater than the maximum of %(maximum)s"), {"value": _show(value), "maximum": maximum})
    return None


def _check_integer_list(value: str, limit: int) -> Problem | None:
    for token in value.split(","):
        token = token.strip()
        if not INTEGER_LIST_PATTERN.match(token) or int(token) == 0 or abs(int(token)) > limit:
            return Problem(
                N_("%(value)s is not a comma-separated list of whole numbers from -%(limit)s to %(limit)s, without 0"),
                {"value": _show(value), "limit": limit},
            )
    return None


# Extra rules for particular fields, beyond what the column type demands.
def _field_rule(entity: str, name: str, value: Any) -> Problem | None:  # noqa: PLR0911, C901 - a table of rules
    key = (entity, name)
    if key in {("location", "latitude"), ("location", "longitude")}:
        # Kept as the publisher wrote it (the official HSDS examples use latitude 100) so that the record
        # round-trips, but a position off the Earth is never used: search treats the location as unplaced.
        limit = 90 if name == "latitude" else 180
        if _check_range(value, -limit, limit):
            return Problem(
                N_("%(value)s is not a position on Earth (from -%(limit)s to %(limit)s); it is kept as given, "
                   "but the location will not be found by distance"),
                {"value": _show(value), "limit": limit},
                warning=True,
            )
        return None
    if key in {("service", "minimum_age"), ("service", "maximum_age")}:
        return _check_range(value, 0, 150)
    if key == ("schedule", "timezone"):
        return _check_range(value, -14, 14)
    if key in {("schedule", "interval"), ("schedule", "count")}:
        return _check_range(value, 1, None)
    if key in {("schedule", "opens_at"), ("schedule", "closes_at")}:
        if TIME_PATTERN.match(value) or (name == "closes_at" and value in END_OF_DAY):
            return None
        if value in END_OF_DAY:
            return Problem(N_("a schedule cannot open at 24:00; use 00:00"), {})
        return Problem(
            N_("%(value)s is not a time of day like 09:00, 17:30:00 or 09:00+01:00"), {"value": _show(value)}
        )
    if key == ("schedule", "byday"):
        for token in value.split(","):
            if not BYDAY_PATTERN.match(token.strip()):
                return Problem(
                    N_("%(value)s is not a comma-separated list of days like MO,TU or 1SA,-1SU"), {"value": _show(value)}
                )
        return None
    if key == ("schedule", "bymonthday"):
        return _check_integer_list(value, 31)
    if key == ("schedule", "byyearday"):
        return _check_integer_list(value, 366)
    if key == ("schedule", "byweekno"):
        return _check_integer_list(value, 53)
    if key == ("language", "code") and not LANGUAGE_TAG_PATTERN.match(value):
        return Problem(N_("%(value)s is not an ISO 639 language code like ar or fa"), {"value": _show(value)})
    if key == ("address", "country") and not COUNTRY_PATTERN.match(value):
        return Problem(N_("%(value)s is not a two-letter ISO 3166 country code like GB"), {"value": _show(value)})
    if key == ("cost_option", "currency") and not CURRENCY_PATTERN.match(value):
        return Problem(N_("%(value)s is not a three-letter ISO 4217 currency code like GBP"), {"value": _show(value)})
    if key == ("metadata", "last_action_date") and parse_date(value) is None and parse_datetime(value) is None:
        return Problem(N_("%(value)s is not a date (YYYY-MM-DD) or a date-time"), {"value": _show(value)})
    return None


@lru_cache
def _column_type(entity: str, name: str) -> Any:
    return ENTITIES[entity].model.__table__.c[name].type


def convert(entity: str, name: str, value: Any) -> tuple[Any, Problem | None]:
    """A field's JSON value as the Python value its column stores, or the problem with it."""
    column_type = _column_type(entity, name)
    if isinstance(column_type, Date):
        parsed = parse_date(value)
        if parsed is None:
            return None, Problem(N_("%(value)s is not a date in the form YYYY-MM-DD"), {"value": _show(value)})
        return parsed, None
    if isinstance(column_type, DateTime):
        parsed_time = parse_datetime(value)
        if parsed_time is None:
            return None, Problem(
                N_("%(value)s is not an ISO 8601 date-time like 2026-11-22T10:30:00Z"), {"value": _show(value)}
            )
        return parsed_time, None
    if isinstance(column_type, Integer):
        if not _is_number(value) or not math.isfinite(value) or value != int(value):
            return None, Problem(N_("%(value)s is not a whole number"), {"value": _show(value)})
        value = int(value)
        problem = _check_range(value, -INT32_MAX, INT32_MAX) or _field_rule(entity, name, value)
        return (None, problem) if problem else (value, None)
    if isinstance(column_type, Float):
        if not _is_number(value) or not math.isfinite(value):
            return None, Problem(N_("%(value)s is not a number"), {"value": _show(value)})
        problem = _field_rule(entity, name, value)
        return (None, problem) if problem and not problem.warning else (float(value), problem)
    if not isinstance(value, str):
        return None, Problem(N_("%(value)s is not a string"), {"value": _show(value)})
    length = getattr(column_type, "length", None) if isinstance(column_type, String) else None
    if length is not None and len(value) > length:
        return None, Problem(
            N_("is %(length)s characters long; at most %(maximum)s are allowed"), {"length": len(value), "maximum": length}
        )
    problem = _field_rule(entity, name, value)
    return (None, problem) if problem else (value, None)


def is_usable_id(value: Any) -> bool:
    """Whether an id from outside (a URL, a parameter) could name a record at all; anything else is simply not
    found, and never reaches the database (PostgreSQL refuses NUL characters, for one)."""
    if not isinstance(value, str) or not value or len(value) > ID_MAX_LENGTH or "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _unstorable_values(value: Any, pointer: str) -> Iterator[tuple[str, Problem]]:
    """Values no database can hold: NUL characters, lone surrogates, NaN and infinities, non-string keys."""
    if isinstance(value, str):
        if "\x00" in value:
            yield pointer, Problem(N_("contains a NUL character, which cannot be stored"), {})
        else:
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                yield pointer, Problem(N_("contains characters that are not valid Unicode"), {})
    elif isinstance(value, float):
        if not math.isfinite(value):
            yield pointer, Problem(N_("%(value)s is not a number JSON allows"), {"value": repr(value)})
    elif isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                yield pointer, Problem(N_("has a field name that is not a string: %(key)s"), {"key": repr(key)})
                continue
            yield from _unstorable_values(key, pointer)
            yield from _unstorable_values(item, f"{pointer}/{_pointer([key])[1:]}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _unstorable_values(item, f"{pointer}/{index}")
    elif value is not None and not isinstance(value, (bool, int)):
        yield pointer, Problem(N_("is not a JSON value"), {})


# ------------------------------------------------------------------------------------------------------ planning


@dataclass
class PlannedRow:
    entity: str
    id: str
    values: dict[str, Any]  # columns stated by the document (and derived ones)
    complete: bool  # a complete row states every field: fields it leaves out are emptied
    parents: dict[str, str]  # parent column -> parent id, from where the row is nested
    extra: dict[str, Any] | None
    where: tuple[str, str]  # (record label, JSON pointer) of the first place the row appears


@dataclass
class Membership:
    """A collection a document states in full: after import, the parent's `key` holds exactly `ids`."""

    parent_entity: str
    parent_id: str
    child: Child
    ids: set[str]


@dataclass
class Reference:
    entity: str
    id: str
    label: str
    pointer: str


@dataclass
class ImportPlan:
    rows: dict[str, dict[str, PlannedRow]] = field(default_factory=lambda: {name: {} for name in WRITE_ORDER})
    memberships: dict[tuple[str, str, str], Membership] = field(default_factory=dict)
    references: list[Reference] = field(default_factory=list)
    errors: list[FieldError] = field(default_factory=list)
    warnings: list[FieldError] = field(default_factory=list)
    records: int = 0
    kinds: dict[str, int] = field(default_factory=dict)
    problem_count: int = 0

    def error(self, label: str, pointer: str, message: str, **params: Any) -> None:
        self.problem_count += 1
        if len(self.errors) < MAX_REPORTED_PROBLEMS:
            self.errors.append(FieldError(name=label, pointer=pointer, message=message, params=params))

    def warn(self, label: str, pointer: str, message: str, **params: Any) -> None:
        if len(self.warnings) < MAX_REPORTED_PROBLEMS:
            self.warnings.append(FieldError(name=label, pointer=pointer, message=message, params=params))


def plan_import(records: Iterable[Record], record_type: str | None = None) -> ImportPlan:
    """Validate every record and flatten it into rows. Never raises for bad input: problems land in plan.errors."""
    plan = ImportPlan()
    planner = _Planner(plan)
    for record in records:
        plan.records += 1
        document = record.document
        if not isinstance(document, dict):
            plan.error(record.label, "", N_("expected an HSDS record (a JSON object), found %(found)s"), found=_json_type(document))
            continue
        kind = record_type or detect_kind(document)
        plan.kinds[kind] = plan.kinds.get(kind, 0) + 1
        unstorable = list(_unstorable_values(document, ""))
        for pointer, problem in unstorable:
            plan.error(record.label, pointer, problem.message, **problem.params)
        problems = schema_problems(kind, document) if not unstorable else []
        for pointer, message in problems:
            plan.error(record.label, pointer, message)
        if unstorable or problems:
            continue
        # An export withholds change records about confidential places: in such a document a metadata list is not
        # the whole collection, so it adds entries and removes none.
        planner.keep_metadata = _holds_redacted(document)
        planner.visit(kind, document, record.label, "", complete=True)
    planner.check_attributes()
    planner.derive_schedule_zones()
    return plan


def _holds_redacted(value: Any) -> bool:
    if isinstance(value, dict):
        return is_redacted(value) or any(_holds_redacted(item) for item in value.values() if isinstance(item, (dict, list)))
    if isinstance(value, list):
        return any(_holds_redacted(item) for item in value if isinstance(item, (dict, list)))
    return False


class _Planner:
    def __init__(self, plan: ImportPlan) -> None:
        self.plan = plan
        self.keep_metadata = False

    # The walk ----------------------------------------------------------------------------------------------

    def visit(  # noqa: C901, PLR0912 - one pass over a document, case by case
        self,
        entity_name: str,
        document: Any,
        label: str,
        pointer: str,
        *,
        complete: bool,
        parent: tuple[str, str, str] | None = None,
        forced: dict[str, str] | None = None,
    ) -> str | None:
        plan = self.plan
        entity = ENTITIES[entity_name]
        if not isinstance(document, dict):
            plan.error(label, pointer, N_("expected an object, found %(found)s"), found=_json_type(document))
            return None
        record_id = document.get("id")
        if not isinstance(record_id, str) or not record_id.strip():
            plan.error(label, f"{pointer}/id", N_("every record needs an id, a non-empty string"))
            return None
        if len(record_id) > ID_MAX_LENGTH:
            plan.error(
                label, f"{pointer}/id", N_("is %(length)s characters long; at most %(maximum)s are allowed"),
                length=len(record_id), maximum=ID_MAX_LENGTH,
            )
            return None
        if (entity_name == "taxonomy" and record_id in CAREBRIDGE_TAXONOMY_IDS) or (
            entity_name == "taxonomy_term" and record_id in taxonomy.TERMS_BY_ID
        ):
            return record_id  # Carebridge defines its own taxonomies; copies in a file are not stored.
        if entity_name == "location" and is_redacted(document):
            # A redacted location (from our own export) holds blanks where the address was: it only points at the
            # stored location, which keeps everything it has.
            plan.references.append(Reference("location", record_id, label, pointer or "/"))
            return record_id
        if entity_name == "service_at_location" and is_redacted(document.get("location")):
            complete = False  # its description, hours and contacts were withheld, not emptied

        values: dict[str, Any] = {}
        for name in entity.fields:
            if name in document:
                value, problem = convert(entity_name, name, document[name])
                if problem and not problem.warning:
                    plan.error(label, f"{pointer}/{name}", problem.message, **problem.params)
                    continue
                if problem:
                    plan.warn(label, f"{pointer}/{name}", problem.message, **problem.params)
                values[name] = value
        for name, expected in (forced or {}).items():
            self._agree(values, name, expected, label, pointer)
            values[name] = expected

        parents: dict[str, str] = {}
        if entity_name in ("attribute", "metadata"):
            self._derive_link(entity_name, document, parent, values, label, pointer)
        elif parent is not None:
            parents[parent[2]] = parent[1]
        for column in entity.parent_columns:
            if column in document and entity_name not in ("attribute", "metadata"):
                given = document[column]
                if column in parents:
                    if given != parents[column]:
                        plan.error(
                            label, f"{pointer}/{column}",
                            N_("is %(given)s but the record is nested under %(expected)s"),
                            given=_show(given), expected=_show(parents[column]),
                        )

        known = set(entity.fields) | set(entity.parent_columns) | {child.key for child in entity.children}
        known |= set(entity.references)
        unknown = {key: value for key, value in document.items() if key not in known}
        extra = None
        if entity.has_extra:
            extra = unknown
        elif unknown:
            plan.warn(
                label, pointer, N_("not stored, Carebridge has no place for: %(fields)s"), fields=", ".join(sorted(unknown))
            )

        for child in entity.children:
            if child.key not in document:
                continue
            items = document[child.key]
            if not isinstance(items, list):
                plan.error(label, f"{pointer}/{child.key}", N_("expected an array, found %(found)s"), found=_json_type(items))
                continue
            ids: set[str] = set()
            for index, item in enumerate(items):
                child_id = self.visit(
                    child.entity, item, label, f"{pointer}/{child.key}/{index}", complete=True,
                    parent=(entity_name, record_id, child.column),
                )
                if child_id is not None:
                    ids.add(child_id)
            if child.entity == "metadata" and self.keep_metadata:
                continue
            self._member(entity_name, record_id, child, ids)

        self._visit_references(entity_name, record_id, document, values, parents, label, pointer, parent)
        if record_id not in plan.rows[entity_name]:  # a record repeated in a file is checked once
            self._row_rules(entity_name, values, document, label, pointer)
        self._merge(
            PlannedRow(entity_name, record_id, values, complete, parents, extra, (label, pointer or "/"))
        )
        return record_id

    def _visit_references(  # noqa: C901, PLR0913 - each HSDS reference has its own rule
        self,
        entity_name: str,
        record_id: str,
        document: dict[str, Any],
        values: dict[str, Any],
        parents: dict[str, str],
        label: str,
        pointer: str,
        parent: tuple[str, str, str] | None,
    ) -> None:
        plan = self.plan

        def nested(key: str, entity: str, column: str, target: dict[str, Any]) -> None:
            if isinstance(document.get(key), dict):
                nested_id = self.visit(entity, document[key], label, f"{pointer}/{key}", complete=False)
                if nested_id is not None:
                    self._agree(target, column, nested_id, label, pointer)
                    target[column] = nested_id
            elif target.get(column) is not None:
                plan.references.append(Reference(entity, target[column], label, f"{pointer}/{column}"))

        if entity_name == "service":
            nested("organization", "organization", "organization_id", values)
        elif entity_name == "location" and "organization_id" in values and parent is None:
            plan.references.append(Reference("organization", values["organization_id"], label, f"{pointer}/organization_id"))
        elif entity_name == "service_at_location":
            nested("location", "location", "location_id", values)
            if parent is None:  # a service_at_location document of its own: it names or nests its service
                if isinstance(document.get("service_id"), str):
                    parents["service_id"] = document["service_id"]
                nested("service", "service", "service_id", parents)
                if not parents.get("service_id"):
                    plan.error(label, pointer or "", N_("a service_at_location needs its service: give service_id or service"))
        elif entity_name == "organization":
            for index, item in enumerate(_as_list(document.get("locations"))):
                self.visit(
                    "location", item, label, f"{pointer}/locations/{index}", complete=False,
                    forced={"organization_id": record_id},
                )
            for index, item in enumerate(_as_list(document.get("services"))):
                self.visit(
                    "service", item, label, f"{pointer}/services/{index}", complete=True,
                    forced={"organization_id": record_id},
                )
        elif entity_name == "attribute":
            nested("taxonomy_term", "taxonomy_term", "taxonomy_term_id", values)
            if not values.get("taxonomy_term_id"):
                plan.error(label, pointer, N_("an attribute needs a taxonomy term: give taxonomy_term_id or taxonomy_term"))
        elif entity_name == "taxonomy_term":
            nested("taxonomy_detail", "taxonomy", "taxonomy_id", values)

    def _agree(self, values: dict[str, Any], name: str, expected: str, label: str, pointer: str) -> None:
        given = values.get(name)
        if given is not None and given != expected:
            self.plan.error(
                label, f"{pointer}/{name}", N_("is %(given)s but the nested record's id is %(expected)s"),
                given=_show(given), expected=_show(expected),
            )

    def _derive_link(
        self,
        entity_name: str,
        document: dict[str, Any],
        parent: tuple[str, str, str] | None,
        values: dict[str, Any],
        label: str,
        pointer: str,
    ) -> None:
        """An attribute or metadata entry belongs to the record it is nested under, whatever it says itself."""
        if parent is None:
            return
        entity_column, id_column = ("link_entity", "link_id") if entity_name == "attribute" else ("resource_type", "resource_id")
        parent_entity, parent_id, _ = parent
        given_id = document.get(id_column)
        if given_id is not None and given_id != parent_id:
            self.plan.error(
                label, f"{pointer}/{id_column}", N_("is %(given)s but the record is nested under %(expected)s"),
                given=_show(given_id), expected=_show(parent_id),
            )
        given_entity = document.get(entity_column)
        if given_entity is not None and given_entity != parent_entity:
            self.plan.warn(
                label, f"{pointer}/{entity_column}", N_("%(given)s was replaced by %(expected)s, where the record is nested"),
                given=_show(given_entity), expected=_show(parent_entity),
            )
        values[entity_column] = parent_entity
        values[id_column] = parent_id

    def _member(self, entity_name: str, record_id: str, child: Child, ids: set[str]) -> None:
        key = (entity_name, record_id, child.key)
        membership = self.plan.memberships.get(key)
        if membership is None:
            self.plan.memberships[key] = Membership(entity_name, record_id, child, ids)
        else:  # the same record listed twice in a file: its collections are the union of both listings
            membership.ids |= ids

    def _merge(self, row: PlannedRow) -> None:
        plan = self.plan
        table = plan.rows[row.entity]
        earlier = table.get(row.id)
        if earlier is None:
            table[row.id] = row
            return
        label, pointer = row.where
        first = f"{earlier.where[0]} {earlier.where[1]}"
        for name in row.values.keys() & earlier.values.keys():
            if row.values[name] != earlier.values[name]:
                plan.error(
                    label, f"{pointer.rstrip('/')}/{name}",
                    N_("%(entity)s %(id)s appears more than once with different values of %(field)s (first at %(first)s)"),
                    entity=row.entity, id=row.id, field=name, first=first,
                )
        for column, parent_id in row.parents.items():
            if earlier.parents.get(column, parent_id) != parent_id:
                plan.error(
                    label, pointer,
                    N_("%(entity)s %(id)s is listed under two different parents (also at %(first)s); give each its own id"),
                    entity=row.entity, id=row.id, first=first,
                )
        if row.extra is not None and earlier.extra is not None:
            for name in row.extra.keys() & earlier.extra.keys():
                if row.extra[name] != earlier.extra[name]:
                    plan.error(
                        label, f"{pointer.rstrip('/')}/{name}",
                        N_("%(entity)s %(id)s appears more than once with different values of %(field)s (first at %(first)s)"),
                        entity=row.entity, id=row.id, field=name, first=first,
                    )
            earlier.extra = {**earlier.extra, **row.extra}
        elif row.extra is not None:
            earlier.extra = row.extra
        earlier.values.update(row.values)
        earlier.parents.update(row.parents)
        earlier.complete = earlier.complete or row.complete

    # Rules across fields and records -----------------------------------------------------------------------

    def _row_rules(
        self, entity_name: str, values: dict[str, Any], document: dict[str, Any], label: str, pointer: str
    ) -> None:
        plan = self.plan
        if entity_name == "location" and ("latitude" in document) != ("longitude" in document):
            plan.error(label, pointer or "", N_("latitude and longitude must be given together"))
        if entity_name == "service":
            low, high = values.get("minimum_age"), values.get("maximum_age")
            if low is not None and high is not None and low > high:
                plan.error(label, f"{pointer}/minimum_age", N_("minimum_age is greater than maximum_age"))
        if entity_name in ("schedule", "cost_option"):
            start, end = values.get("valid_from"), values.get("valid_to")
            if start is not None and end is not None and start > end:
                plan.error(label, f"{pointer}/valid_to", N_("valid_to is before valid_from"))
        if entity_name == "schedule":
            self._schedule_rules(values, document, label, pointer)

    def _schedule_rules(self, values: dict[str, Any], document: dict[str, Any], label: str, pointer: str) -> None:
        plan = self.plan
        if ("opens_at" in document) != ("closes_at" in document):
            missing = "closes_at" if "opens_at" in document else "opens_at"
            plan.error(label, f"{pointer}/{missing}", N_("opens_at and closes_at must be given together"))
        freq = values.get("freq")
        byday = values.get("byday")
        if byday and freq != "MONTHLY" and any(char.isdigit() for char in byday):
            plan.error(
                label, f"{pointer}/byday",
                N_("%(value)s numbers a week of the month, which needs freq MONTHLY"), value=_show(byday),
            )
        if values.get("until") is not None and values.get("count") is not None:
            plan.warn(label, pointer, N_("RFC 5545 allows until or count in a rule, not both"))
        if values.get("byweekno"):
            plan.warn(label, f"{pointer}/byweekno", N_("RFC 5545 allows byweekno only in a yearly rule"))
        if values.get("byyearday"):
            plan.warn(label, f"{pointer}/byyearday", N_("RFC 5545 does not allow byyearday in a weekly or monthly rule"))
        if values.get("bymonthday") and freq == "WEEKLY":
            plan.warn(label, f"{pointer}/bymonthday", N_("RFC 5545 does not allow bymonthday in a weekly rule"))
        if freq is None and (byday or values.get("bymonthday")):
            plan.warn(label, pointer, N_("the schedule has days but no freq; RFC 5545 needs one"))

    def check_attributes(self) -> None:  # noqa: C901 - one rule per Carebridge term
        """Carebridge's own terms have rules: where they may be attached and what their value holds."""
        plan = self.plan
        seen: dict[tuple[str, str, str, str | None], str] = {}
        today = clock.today()
        for row in plan.rows["attribute"].values():
            term = taxonomy.TERMS_BY_ID.get(row.values.get("taxonomy_term_id", ""))
            if term is None:
                continue
            label, pointer = row.where
            entity = row.values.get("link_entity")
            value = row.values.get("value")
            if entity != term.link_entity:
                plan.error(
                    label, pointer, N_("the Carebridge term %(term)s belongs on a %(expected)s, not on a %(actual)s"),
                    term=term.code, expected=term.link_entity, actual=entity,
                )
            problem: str | None = None
            if term in (taxonomy.INTERPRETERS,):
                if not isinstance(value, str) or not ISO_639_PATTERN.match(value):
                    problem = N_("the value of %(term)s must be an ISO 639 language code like ar, found %(value)s")
            elif term is taxonomy.LAST_VERIFIED:
                verified = parse_date(value)
                if verified is None:
                    problem = N_("the value of %(term)s must be a date in the form YYYY-MM-DD, found %(value)s")
                elif (verified - today).days > 1:
                    problem = N_("the value of %(term)s is in the future: %(value)s")
            elif term is taxonomy.ELIGIBLE_GENDER:
                if value not in ("female", "male"):
                    problem = N_("the value of %(term)s must be female or male, found %(value)s")
            elif term is taxonomy.CONTENT_LANGUAGE:
                if not isinstance(value, str) or not LANGUAGE_TAG_PATTERN.match(value):
                    problem = N_("the value of %(term)s must be a BCP 47 language tag like en or ar-SY, found %(value)s")
            elif term is taxonomy.TIME_ZONE:
                if value not in _time_zones():
                    problem = N_("the value of %(term)s must be an IANA time zone like Europe/London, found %(value)s")
            elif term in (taxonomy.SOURCE, taxonomy.STATUS_CHECK):  # free text (what is checked, and its source)
                pass
            elif term is taxonomy.FAITH_SENSITIVE:  # free text, but it must say which faith (or all faiths welcome)
                if not isinstance(value, str) or not value.strip() or value.strip().lower() in FLAG_VALUES:
                    problem = N_("the value of %(term)s must name the faith, or say all faiths welcome, found %(value)s")
            elif value not in FLAG_VALUES:
                problem = N_("%(term)s is a yes/no fact: leave value empty or write true (remove the attribute for no), found %(value)s")
            if problem:
                plan.error(label, f"{pointer.rstrip('/')}/value", problem, term=term.code, value=_show(value))
            key = (entity or "", row.values.get("link_id", ""), term.id, value if term is taxonomy.INTERPRETERS else None)
            if key in seen:
                plan.error(
                    label, pointer, N_("the Carebridge term %(term)s is given twice for the same record (also at %(first)s)"),
                    term=term.code, first=seen[key],
                )
            else:
                seen[key] = f"{label} {pointer}"

    def derive_schedule_zones(self) -> None:
        """The zone a schedule's times are in: its time-zone attribute, else its fixed UTC offset, else unknown
        (NULL, meaning the deployment's zone). A schedule whose attributes are not in the file keeps what the
        database knows (service.import_documents fills those in)."""
        zones = {
            row.values.get("link_id"): row.values.get("value")
            for row in self.plan.rows["attribute"].values()
            if row.values.get("link_entity") == "schedule" and row.values.get("taxonomy_term_id") == taxonomy.TIME_ZONE.id
        }
        for row in self.plan.rows["schedule"].values():
            if row.id in zones:
                row.values["timezone_name"] = zones[row.id]
            elif "timezone" in row.values:
                row.values["timezone_name"] = fixed_offset_zone_name(row.values["timezone"])
            elif row.complete:
                row.values["timezone_name"] = None


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


@lru_cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def fixed_offset_zone_name(hours: float) -> str:
    """A name for a fixed UTC offset: an IANA Etc/GMT zone for whole hours (note the inverted sign of those
    names), else `UTC+05:30`-style."""
    if hours == int(hours):
        whole = int(hours)
        return "UTC" if whole == 0 else f"Etc/GMT{-whole:+d}"
    sign = "+" if hours >= 0 else "-"
    minutes = round(abs(hours) * 60)
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def problems_as_text(errors: Iterable[FieldError]) -> list[str]:
    """`record 3 /service_at_locations/0/location/latitude: 123.4 is greater than the maximum of 90`."""
    lines = []
    for error in errors:
        data = error.as_dict()
        where = data["name"] + (f" {data['pointer']}" if data.get("pointer") else "")
        lines.append(f"{where}: {data['reason']}")
    return lines


# ------------------------------------------------------------------------------------------------------ export


def json_value(value: Any) -> Any:
    """A column value as HSDS JSON: dates ISO 8601, times in UTC with Z, whole-number floats as integers."""
    if isinstance(value, datetime):
        moment = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        if moment.microsecond == 0:
            text = moment.strftime("%Y-%m-%dT%H:%M:%S")
        elif moment.microsecond % 1000 == 0:
            text = moment.isoformat(timespec="milliseconds")[:23]
        else:
            text = moment.isoformat(timespec="microseconds")[:26]
        return text + "Z"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def _ordered(entity: str, document: dict[str, Any]) -> dict[str, Any]:
    order = _key_order(entity)
    if not order:
        return document
    last = len(order)
    return dict(sorted(document.items(), key=lambda item: order.get(item[0], last)))


@dataclass
class Render:
    """One rendering: the loaded rows, whether to redact, and whether a confidential location was shown."""

    graph: Any  # repository.DirectoryGraph
    redact: bool = True
    showed_confidential: bool = False


def _fields(entity: str, row: Any, names: Iterable[str] | None = None) -> dict[str, Any]:
    """The row's HSDS fields that have a value; for a nested child also the ids of the records it hangs off."""
    document: dict[str, Any] = {}
    if names is None:
        spec = ENTITIES[entity]
        names = spec.fields if entity in ("attribute", "metadata") else spec.fields + spec.parent_columns
    for name in names:
        value = getattr(row, name)
        if value is not None:
            document[name] = json_value(value)
    return document


def _with_extra(document: dict[str, Any], row: Any) -> dict[str, Any]:
    for key, value in (row.extra or {}).items():
        document.setdefault(key, value)
    return document


def _annotations(render: Render, entity: str, row_id: str, document: dict[str, Any], attributes: bool = True) -> None:
    graph = render.graph
    if attributes:
        document["attributes"] = [attribute_document(render, item) for item in graph.attributes_of(entity, row_id)]
    document["metadata"] = [metadata_document(item) for item in graph.metadata_of(entity, row_id)]


def metadata_document(row: models.MetadataRecord) -> dict[str, Any]:
    return _ordered("metadata", _fields("metadata", row, ("id", "resource_id", "resource_type", *ENTITIES["metadata"].fields[1:])))


def taxonomy_document(render: Render, row: Any) -> dict[str, Any]:
    document = _fields("taxonomy", row)
    _annotations(render, "taxonomy", row.id, document, attributes=False)
    return _ordered("taxonomy", document)


def taxonomy_term_document(render: Render, row: Any) -> dict[str, Any]:
    document = _fields("taxonomy_term", row)
    detail = render.graph.taxonomy(row.taxonomy_id) if row.taxonomy_id else None
    if detail is not None:
        document["taxonomy_detail"] = taxonomy_document(render, detail)
    _annotations(render, "taxonomy_term", row.id, document, attributes=False)
    return _ordered("taxonomy_term", document)


def attribute_document(render: Render, row: models.Attribute) -> dict[str, Any]:
    document = _fields("attribute", row, ("id", "link_id", "link_type", "link_entity", "taxonomy_term_id", "value", "label"))
    term = render.graph.term(row.taxonomy_term_id) if row.taxonomy_term_id else None
    if term is not None:
        document["taxonomy_term"] = taxonomy_term_document(render, term)
    _annotations(render, "attribute", row.id, document, attributes=False)
    return _ordered("attribute", document)


def _simple(render: Render, entity: str, row: Any) -> dict[str, Any]:
    document = _fields(entity, row)
    _annotations(render, entity, row.id, document)
    return _ordered(entity, document)


def language_document(render: Render, row: Any) -> dict[str, Any]:
    return _simple(render, "language", row)


def phone_document(render: Render, row: Any) -> dict[str, Any]:
    document = _fields("phone", row)
    document["languages"] = [language_document(render, item) for item in render.graph.children("language", "phone_id", row.id)]
    _annotations(render, "phone", row.id, document)
    return _ordered("phone", document)


def contact_document(render: Render, row: Any) -> dict[str, Any]:
    document = _fields("contact", row)
    document["phones"] = [phone_document(render, item) for item in render.graph.children("phone", "contact_id", row.id)]
    _annotations(render, "contact", row.id, document)
    return _ordered("contact", document)


def _collection(render: Render, entity: str, column: str, parent_id: str) -> list[dict[str, Any]]:
    build = {"phone": phone_document, "contact": contact_document, "language": language_document}.get(entity)
    rows = render.graph.children(entity, column, parent_id)
    if build is not None:
        return [build(render, row) for row in rows]
    return [_simple(render, entity, row) for row in rows]


def address_document(render: Render, row: Any) -> dict[str, Any]:
    document = _fields("address", row)
    _annotations(render, "address", row.id, document)
    return _ordered("address", document)


def location_document(render: Render, row: models.Location) -> dict[str, Any]:
    graph = render.graph
    document = _with_extra(_fields("location", row), row)
    document["languages"] = _collection(render, "language", "location_id", row.id)
    document["addresses"] = [address_document(render, item) for item in graph.children("address", "location_id", row.id)]
    document["contacts"] = _collection(render, "contact", "location_id", row.id)
    document["accessibility"] = _collection(render, "accessibility", "location_id", row.id)
    document["phones"] = _collection(render, "phone", "location_id", row.id)
    document["schedules"] = _collection(render, "schedule", "location_id", row.id)
    _annotations(render, "location", row.id, document)
    if render.redact and graph.is_confidential(row.id):
        render.showed_confidential = True
        return redact_location(document)
    return _ordered("location", document)


def _redaction_id(location_id: str, what: str) -> str:
    return str(uuid.uuid5(_REDACTION_NAMESPACE, f"{location_id}/{what}"))


def redact_location(location: dict[str, Any]) -> dict[str, Any]:
    """THE redaction of a confidential location, used by every output (HSDS API, export, service page, print view,
    reception card, search API and finder): a new document built from an ALLOW-LIST, so a field nobody thought of
    is withheld too. Only the location's id, organisation and type, and the area (city, region, state/province,
    country) of its first address go out, with Carebridge's confidential-address attribute and one metadata entry
    saying the record was redacted (`last_action_type` "redacted", docs/data-model.md). `location` is a location
    document (a dict shaped like HSDS); it is not changed."""
    location_id = str(location.get("id") or "")
    document: dict[str, Any] = {name: location[name] for name in CONFIDENTIAL_LOCATION_ALLOWED if location.get(name) is not None}
    document.setdefault("location_type", "physical")
    addresses = [item for item in location.get("addresses") or [] if isinstance(item, dict)]
    addresses.sort(key=lambda item: item.get("address_type", "physical") != "physical")
    area = {name: addresses[0].get(name) for name in CONFIDENTIAL_AREA_FIELDS} if addresses else {}
    document["addresses"] = []
    if any(area.values()):
        address: dict[str, Any] = {"id": _redaction_id(location_id, "area"), "location_id": location_id}
        address.update({name: "" for name in REDACTED_ADDRESS_BLANKS})
        address.update({name: value if isinstance(value, str) else "" for name, value in area.items()})
        if not address.get("region"):
            address.pop("region")
        address["address_type"] = "physical"
        address["attributes"] = []
        address["metadata"] = []
        document["addresses"] = [_ordered("address", address)]
    for key in ("languages", "contacts", "accessibility", "phones", "schedules"):
        document[key] = []
    term = taxonomy.CONFIDENTIAL_ADDRESS
    document["attributes"] = [
        {
            "id": _redaction_id(location_id, "confidential"),
            "link_id": location_id,
            "link_type": "location",
            "link_entity": "location",
            "taxonomy_term_id": term.id,
            "taxonomy_term": {
                "id": term.id,
                "code": term.code,
                "name": term.name,
                "description": term.description,
                "taxonomy_id": taxonomy.ACCESS_TAXONOMY_ID,
            },
            "metadata": [],
        }
    ]
    document["metadata"] = [
        {
            "id": _redaction_id(location_id, "redacted"),
            "resource_id": location_id,
            "resource_type": "location",
            "last_action_date": clock.utc_now().date().isoformat(),
            "last_action_type": REDACTED_ACTION,
            "field_name": "*",
            "previous_value": "",
            "replacement_value": "",
            "updated_by": REDACTED_BY,
        }
    ]
    return _ordered("location", document)


def is_redacted(location: Any) -> bool:
    """Whether a location document is a redacted one (as redact_location makes): it holds no whereabouts."""
    return isinstance(location, dict) and any(
        isinstance(entry, dict) and entry.get("last_action_type") == REDACTED_ACTION and entry.get("updated_by") == REDACTED_BY
        for entry in location.get("metadata") or []
    )


def is_confidential_location_document(location: Any) -> bool:
    """Whether a location document (HSDS-shaped dict) is confidential: redacted already, or carrying an attribute
    whose term (by our id, or nested with the code) is confidential-address."""
    if not isinstance(location, dict):
        return False
    if is_redacted(location):
        return True
    for item in location.get("attributes") or []:
        if not isinstance(item, dict):
            continue
        term = item.get("taxonomy_term") if isinstance(item.get("taxonomy_term"), dict) else {}
        if is_confidential_term(SimpleNamespace(id=item.get("taxonomy_term_id") or term.get("id"), code=term.get("code"))):
            return True
    return False


def service_at_location_document(render: Render, row: models.ServiceAtLocation, *, with_service: bool = False) -> dict[str, Any]:
    graph = render.graph
    location = graph.location(row.location_id) if row.location_id else None
    if location is not None and render.redact and graph.is_confidential(location.id):
        # The link to a confidential place says nothing of its own: its description, contacts, phones, hours and
        # annotations are about the place. Left out (not emptied), so re-importing this changes none of them.
        document: dict[str, Any] = {"id": row.id, "service_id": row.service_id, "location_id": row.location_id}
        document["location"] = location_document(render, location)
    else:
        document = _with_extra(
            {"id": row.id, "service_id": row.service_id, **_fields("service_at_location", row, ("location_id", "description"))}, row
        )
        document["contacts"] = _collection(render, "contact", "service_at_location_id", row.id)
        document["phones"] = _collection(render, "phone", "service_at_location_id", row.id)
        document["schedules"] = _collection(render, "schedule", "service_at_location_id", row.id)
        if location is not None:
            document["location"] = location_document(render, location)
        _annotations(render, "service_at_location", row.id, document)
    if with_service:
        service = graph.service(row.service_id)
        if service is not None:
            document["service"] = service_document(render, service, with_service_at_locations=False)
    return _ordered("service_at_location", document)


def organization_document(render: Render, row: models.Organization, *, services: str = "none") -> dict[str, Any]:
    """A full organisation. `services`: "none", "list" (one-to-one fields) or "full" (every nested record)."""
    graph = render.graph
    document = _with_extra(_fields("organization", row), row)
    document["contacts"] = _collection(render, "contact", "organization_id", row.id)
    document["phones"] = _collection(render, "phone", "organization_id", row.id)
    document["locations"] = [location_document(render, item) for item in graph.children("location", "organization_id", row.id)]
    _annotations(render, "organization", row.id, document)
    if services != "none":
        rows = graph.children("service", "organization_id", row.id)
        if services == "full":
            document["services"] = [service_document(render, item, with_organization=False) for item in rows]
        else:
            document["services"] = [_fields("service", item) for item in rows]
    return _ordered("organization", document)


def service_document(
    render: Render, row: models.Service, *, with_organization: bool = True, with_service_at_locations: bool = True
) -> dict[str, Any]:
    graph = render.graph
    document = _with_extra(_fields("service", row), row)
    document["phones"] = _collection(render, "phone", "service_id", row.id)
    document["schedules"] = _collection(render, "schedule", "service_id", row.id)
    if with_service_at_locations:
        document["service_at_locations"] = [
            service_at_location_document(render, item) for item in graph.children("service_at_location", "service_id", row.id)
        ]
    document["languages"] = _collection(render, "language", "service_id", row.id)
    organization = graph.organization(row.organization_id) if row.organization_id else None
    if with_organization and organization is not None:
        document["organization"] = organization_document(render, organization)
    document["cost_options"] = _collection(render, "cost_option", "service_id", row.id)
    document["required_documents"] = _collection(render, "required_document", "service_id", row.id)
    document["contacts"] = _collection(render, "contact", "service_id", row.id)
    _annotations(render, "service", row.id, document)
    return _ordered("service", document)


def finish(render: Render, document: dict[str, Any]) -> dict[str, Any]:
    """Last step of every redacted document: when it shows a confidential location, change records (metadata)
    anywhere in it that name a locating field are dropped, as their old or new value may be the address."""
    if render.redact and render.showed_confidential:
        _drop_locating_metadata(document)
    return document


def _drop_locating_metadata(value: Any) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "metadata" and isinstance(item, list):
                value[key] = [entry for entry in item if entry.get("field_name") not in LOCATING_FIELD_NAMES]
            else:
                _drop_locating_metadata(item)
    elif isinstance(value, list):
        for item in value:
            _drop_locating_metadata(item)


# List items: the one-to-one fields only, as HSDS API list endpoints return them.


def organization_list_item(row: models.Organization) -> dict[str, Any]:
    return _ordered("organization", _fields("organization", row))


def service_list_item(row: models.Service, organization: models.Organization | None) -> dict[str, Any]:
    document = _fields("service", row)
    if organization is not None:
        document["organization"] = organization_list_item(organization)
    program = (row.extra or {}).get("program")
    if isinstance(program, dict):
        document["program"] = program
    return _ordered("service", document)


def location_list_item(row: models.Location, confidential: bool, address: Any = None) -> dict[str, Any]:
    document = _fields("location", row)
    if confidential:
        # The list shows one-to-one fields only; redaction still goes through the one allow-list.
        full = {**document, "addresses": [_fields("address", address)] if address is not None else []}
        return redact_location(full)
    return _ordered("location", document)


def service_at_location_list_item(
    row: models.ServiceAtLocation,
    service: models.Service | None,
    organization: models.Organization | None,
    location: models.Location | None,
    confidential: bool,
    address: Any = None,
) -> dict[str, Any]:
    document: dict[str, Any] = {"id": row.id, "service_id": row.service_id, "location_id": row.location_id}
    if not confidential:
        document.update(_fields("service_at_location", row, ("location_id", "description")))
    if location is not None:
        document["location"] = location_list_item(location, confidential, address)
    if service is not None:
        document["service"] = service_list_item(service, organization)
    return _ordered("service_at_location", document)


def page(items: list[Any], *, total: int, page_number: int, per_page: int) -> dict[str, Any]:
    """The HSDS API page wrapper."""
    total_pages = max(1, -(-total // per_page)) if per_page else 1
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": page_number,
        "size": len(items),
        "first_page": page_number == 1,
        "last_page": page_number >= total_pages,
        "empty": len(items) == 0,
        "contents": items,
    }
