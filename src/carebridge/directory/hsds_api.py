"""The HSDS 3.1 API under /api/hsds/: the directory as Open Referral publishes it.

Lists return the HSDS page wrapper (`total_items`, `total_pages`, `page_number`, `size`, `first_page`, `last_page`,
`empty`, `contents`) holding the one-to-one fields of each record (`full=true` gives whole records); single records
are fully nested. `format=ndjson` returns the page's records one per line instead. Confidential locations are
redacted exactly as in the export. GET from any origin is allowed (CORS, set app-wide), as the Open Referral UK
profile requires.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from carebridge.access import PublicAccess
from carebridge.directory import hsds, service
from carebridge.directory.schemas import NO_CONTROLS
from carebridge.directory.repository import ListFilters
from carebridge.errors import N_, FieldError, InvalidInput, NotFound
from carebridge.middleware import CONTROL_CHARACTERS  # the request guard's own set; kept here for parsers called directly
from carebridge.problems import problem_responses
from carebridge.web import SessionDep

router = APIRouter(prefix="/api/hsds", tags=["hsds"], dependencies=[PublicAccess])

PROFILE_URL = "https://carebridge.example/hsds/profile"
DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 500
MAX_TEXT_LENGTH = 200
NDJSON = "application/x-ndjson"
WHOLE_NUMBER = re.compile(r"^\d{1,9}$")

MAX_PAGE = 999_999_999

# The routes read every query parameter as text and check it themselves (so that one 422 names every problem);
# FastAPI's own schema for them would say "any string", so they are hidden from it and described truthfully here.
Text = Annotated[str | None, Query(include_in_schema=False)]
PageParameter = PerPageParameter = FormatParameter = FullParameter = ModifiedAfterParameter = Text


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


def _text_schema(maximum: int) -> dict[str, Any]:
    return {"type": "string", "maxLength": maximum, "pattern": NO_CONTROLS}


BOOLEAN = {"type": "boolean"}
QUERY_PARAMETERS = {
    "page": _query("page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}, "Page number, from 1."),
    "per_page": _query(
        "per_page", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
        f"Records per page, 1 to {MAX_PER_PAGE} (default {DEFAULT_PER_PAGE}).",
    ),
    "search": _query("search", _text_schema(MAX_TEXT_LENGTH), "Words to look for in names and descriptions."),
    "taxonomy_term_id": _query("taxonomy_term_id", _text_schema(hsds.ID_MAX_LENGTH), "Only records with this term."),
    "taxonomy_id": _query("taxonomy_id", _text_schema(hsds.ID_MAX_LENGTH), "Only records with a term of this taxonomy."),
    "organization_id": _query("organization_id", _text_schema(hsds.ID_MAX_LENGTH), "Only this organisation's records."),
    "parent_id": _query("parent_id", _text_schema(hsds.ID_MAX_LENGTH), "Only the children of this term."),
    "modified_after": _query(
        "modified_after",
        {"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}]},
        "Only records whose last_modified is later than this ISO 8601 date or date-time.",
    ),
    "format": _query("format", {"type": "string", "enum": ["json", "ndjson"]}, "json (default) or ndjson (one record per line)."),
    "full": _query("full", BOOLEAN, "true returns whole records instead of one-to-one fields."),
    "full_service": _query("full_service", BOOLEAN, "true nests each service whole."),
    "top_only": _query("top_only", BOOLEAN, "true lists only terms without a parent."),
}
LIST_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "One page: the HSDS page wrapper as JSON, or (format=ndjson) one record per line with the "
        "paging in the X-Total-Items, X-Total-Pages and X-Page-Number headers.",
        "content": {"application/json": {"schema": {"type": "object"}}, NDJSON: {"schema": {"type": "string"}}},
    },
    **problem_responses(422),
}
RECORD_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "The record, fully nested.", "content": {"application/json": {"schema": {"type": "object"}}}},
    **problem_responses(404, 422),
}


def _described(*names: str) -> dict[str, Any]:
    return {"parameters": [QUERY_PARAMETERS[name] for name in names]}


class _Parameters:
    """Parses query parameters, collecting every problem so that one 422 names them all."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def whole_number(self, name: str, raw: str | None, default: int, maximum: int | None = None) -> int:
        if raw is None:
            return default
        if not WHOLE_NUMBER.match(raw) or int(raw) < 1 or (maximum is not None and int(raw) > maximum):
            if maximum is None:
                self.errors.append(FieldError(name=name, message=N_("must be a whole number, 1 or more"), allowed=["1, 2, 3, ..."]))
            else:
                self.errors.append(
                    FieldError(name=name, message=N_("must be a whole number from 1 to %(maximum)s"),
                               allowed=[f"1-{maximum}"], params={"maximum": maximum})
                )
            return default
        return int(raw)

    def boolean(self, name: str, raw: str | None) -> bool:
        if raw is None:
            return False
        if raw == "true":
            return True
        if raw == "false":
            return False
        self.errors.append(FieldError(name=name, message=N_("must be true or false"), allowed=["true", "false"]))
        return False

    def choice(self, name: str, raw: str | None, allowed: list[str]) -> str:
        if raw is None:
            return allowed[0]
        if raw not in allowed:
            self.errors.append(FieldError(name=name, message=N_("is not one of the allowed values"), allowed=allowed))
            return allowed[0]
        return raw

    def text(self, name: str, raw: str | None) -> str | None:
        if raw is None or (not raw.strip() and not CONTROL_CHARACTERS.search(raw)):
            return None
        if len(raw) > MAX_TEXT_LENGTH or not _storable_text(raw):
            self.errors.append(
                FieldError(name=name, message=N_("must be at most %(maximum)s characters of text"), params={"maximum": MAX_TEXT_LENGTH})
            )
            return None
        return raw.strip()

    def identifier(self, name: str, raw: str | None) -> str | None:
        if raw is None or (not raw.strip() and not CONTROL_CHARACTERS.search(raw)):
            return None
        if len(raw) > hsds.ID_MAX_LENGTH or CONTROL_CHARACTERS.search(raw) or not hsds.is_usable_id(raw.strip()):
            self.errors.append(
                FieldError(name=name, message=N_("is not an id: ids are at most %(maximum)s characters"), params={"maximum": hsds.ID_MAX_LENGTH})
            )
            return None
        return raw.strip()

    def moment(self, name: str, raw: str | None) -> Any:
        if raw is None:
            return None
        text = raw
        parsed = hsds.parse_datetime(text)
        if parsed is None and hsds.parse_date(text) is not None:
            parsed = hsds.parse_datetime(text + "T00:00:00Z")
        if parsed is None:
            parsed = _edge_of_time(text)
        if parsed is None:
            self.errors.append(
                FieldError(
                    name=name,
                    message=N_("must be an ISO 8601 date or date-time, for example 2026-11-01 or 2026-11-01T09:00:00Z"),
                    allowed=["YYYY-MM-DD", "YYYY-MM-DDThh:mm:ssZ", "YYYY-MM-DDThh:mm:ss+hh:mm"],
                )
            )
        return parsed

    def done(self) -> None:
        if self.errors:
            raise InvalidInput(errors=self.errors)


def _edge_of_time(text: str) -> Any:
    """A valid date-time so close to year 1 or 9999 that it cannot be moved to UTC: the earliest or latest
    moment there is (everything was modified after the one, nothing after the other)."""
    if not hsds.DATETIME_PATTERN.match(text):
        return None
    try:
        moment = datetime.fromisoformat(text.replace("z", "Z").replace("t", "T"))
    except ValueError:
        return None
    try:
        return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    except OverflowError:
        return datetime.min.replace(tzinfo=UTC) if moment.year < 2 else datetime.max.replace(tzinfo=UTC)


def _storable_text(text: str) -> bool:
    if CONTROL_CHARACTERS.search(text):
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _json(data: Any) -> Response:
    return Response(orjson.dumps(data), media_type="application/json")


def _listing(items: list[Any], total: int, page_number: int, per_page: int, output: str) -> Response:
    wrapper = hsds.page(items, total=total, page_number=page_number, per_page=per_page)
    if output == "ndjson":
        headers = {
            "X-Total-Items": str(total),
            "X-Total-Pages": str(wrapper["total_pages"]),
            "X-Page-Number": str(page_number),
        }
        return Response(b"".join(orjson.dumps(item) + b"\n" for item in items), media_type=NDJSON, headers=headers)
    return _json(wrapper)


def _paged_listing(
    session: Session,
    lister: Callable[..., tuple[int, list[Any]]],
    *,
    page: str | None,
    per_page: str | None,
    output_format: str | None,
    full: str | None,
    **filters: str | None,
) -> Response:
    """One HSDS list endpoint: parse paging, filters, format and fullness (every problem reported at once),
    then list one page."""
    parameters = _Parameters()
    page_number = parameters.whole_number("page", page, 1)
    size = parameters.whole_number("per_page", per_page, DEFAULT_PER_PAGE, MAX_PER_PAGE)
    parsed: dict[str, Any] = {}
    for name, value in filters.items():
        if name == "search":
            parsed[name] = parameters.text(name, value)
        elif name == "modified_after":
            parsed[name] = parameters.moment(name, value)
        else:
            parsed[name] = parameters.identifier(name, value)
    output = parameters.choice("format", output_format, ["json", "ndjson"])
    whole = parameters.boolean("full", full)
    parameters.done()
    total, items = lister(session, ListFilters(**parsed), (page_number - 1) * size, size, full=whole)
    return _listing(items, total, page_number, size, output)


def _not_found(kind: str, record_id: str) -> NotFound:
    return NotFound(N_("There is no %(kind)s with the id %(id)s."), kind=kind, id=record_id[:80])


@router.get(
    "/",
    summary="About this HSDS API",
    responses={
        200: {"description": "The HSDS version, profile and where this description is.",
              "content": {"application/json": {"schema": {"type": "object", "required": ["version", "profile", "openapi_url"]}}}},
        **problem_responses(),
    },
)
def root(request: Request) -> Response:
    return _json(
        {
            "version": hsds.HSDS_VERSION,
            "profile": PROFILE_URL,
            "openapi_url": str(request.base_url).rstrip("/") + (request.app.openapi_url or "/api/openapi.json"),
        }
    )


@router.get("/services", summary="Services, one page at a time", responses=LIST_RESPONSES, openapi_extra=_described("page", "per_page", "search", "taxonomy_term_id", "taxonomy_id", "organization_id", "modified_after", "format", "full"))
def services(
    session: SessionDep,
    page: PageParameter = None,
    per_page: PerPageParameter = None,
    search: Text = None,
    taxonomy_term_id: Text = None,
    taxonomy_id: Text = None,
    organization_id: Text = None,
    modified_after: ModifiedAfterParameter = None,
    format: FormatParameter = None,  # noqa: A002 - the HSDS parameter's name
    full: FullParameter = None,
) -> Response:
    return _paged_listing(
        session, service.list_services, page=page, per_page=per_page, output_format=format, full=full, search=search, taxonomy_term_id=taxonomy_term_id, taxonomy_id=taxonomy_id, organization_id=organization_id, modified_after=modified_after
    )


@router.get("/services/{service_id}", summary="One service with everything nested in it", responses=RECORD_RESPONSES)
def one_service(service_id: str, session: SessionDep) -> Response:
    document = service.get_service(session, service_id)
    if document is None:
        raise _not_found("service", service_id)
    return _json(document)


@router.get("/service_at_locations", summary="Services at locations, one page at a time", responses=LIST_RESPONSES, openapi_extra=_described("page", "per_page", "search", "taxonomy_term_id", "taxonomy_id", "organization_id", "modified_after", "format", "full"))
def services_at_locations(
    session: SessionDep,
    page: PageParameter = None,
    per_page: PerPageParameter = None,
    search: Text = None,
    taxonomy_term_id: Text = None,
    taxonomy_id: Text = None,
    organization_id: Text = None,
    modified_after: ModifiedAfterParameter = None,
    format: FormatParameter = None,  # noqa: A002
    full: FullParameter = None,
) -> Response:
    return _paged_listing(
        session, service.list_services_at_locations, page=page, per_page=per_page, output_format=format, full=full, search=search, taxonomy_term_id=taxonomy_term_id, taxonomy_id=taxonomy_id, organization_id=organization_id, modified_after=modified_after
    )


@router.get("/service_at_locations/{service_at_location_id}", summary="One service at one location, fully nested", responses=RECORD_RESPONSES)
def one_service_at_location(service_at_location_id: str, session: SessionDep) -> Response:
    document = service.get_service_at_location(session, service_at_location_id)
    if document is None:
        raise _not_found("service_at_location", service_at_location_id)
    return _json(document)


@router.get("/organizations", summary="Organisations, one page at a time", responses=LIST_RESPONSES, openapi_extra=_described("page", "per_page", "search", "taxonomy_term_id", "taxonomy_id", "format", "full"))
def organizations(
    session: SessionDep,
    page: PageParameter = None,
    per_page: PerPageParameter = None,
    search: Text = None,
    taxonomy_term_id: Text = None,
    taxonomy_id: Text = None,
    format: FormatParameter = None,  # noqa: A002
    full: FullParameter = None,
) -> Response:
    return _paged_listing(
        session, service.list_organizations, page=page, per_page=per_page, output_format=format, full=full, search=search, taxonomy_term_id=taxonomy_term_id, taxonomy_id=taxonomy_id
    )


@router.get("/organizations/{organization_id}", summary="One organisation, fully nested", responses=RECORD_RESPONSES, openapi_extra=_described("full_service"))
def one_organization(
    organization_id: str,
    session: SessionDep,
    full_service: Text = None,
) -> Response:
    parameters = _Parameters()
    whole = parameters.boolean("full_service", full_service)
    parameters.done()
    document = service.get_organization(session, organization_id, full_service=whole)
    if document is None:
        raise _not_found("organization", organization_id)
    return _json(document)


@router.get("/taxonomies", summary="Taxonomies, one page at a time", responses=LIST_RESPONSES, openapi_extra=_described("page", "per_page", "search", "format"))
def taxonomies(
    session: SessionDep,
    page: PageParameter = None,
    per_page: PerPageParameter = None,
    search: Text = None,
    format: FormatParameter = None,  # noqa: A002
) -> Response:
    parameters = _Parameters()
    page_number = parameters.whole_number("page", page, 1)
    size = parameters.whole_number("per_page", per_page, DEFAULT_PER_PAGE, MAX_PER_PAGE)
    filters = ListFilters(search=parameters.text("search", search))
    output = parameters.choice("format", format, ["json", "ndjson"])
    parameters.done()
    total, items = service.list_taxonomies(session, filters, (page_number - 1) * size, size)
    return _listing(items, total, page_number, size, output)


@router.get("/taxonomies/{taxonomy_id}", summary="One taxonomy", responses=RECORD_RESPONSES)
def one_taxonomy(taxonomy_id: str, session: SessionDep) -> Response:
    document = service.get_taxonomy(session, taxonomy_id)
    if document is None:
        raise _not_found("taxonomy", taxonomy_id)
    return _json(document)


@router.get("/taxonomy_terms", summary="Taxonomy terms, one page at a time", responses=LIST_RESPONSES, openapi_extra=_described("page", "per_page", "search", "taxonomy_id", "parent_id", "top_only", "format"))
def taxonomy_terms(
    session: SessionDep,
    page: PageParameter = None,
    per_page: PerPageParameter = None,
    search: Text = None,
    taxonomy_id: Text = None,
    parent_id: Text = None,
    top_only: Text = None,
    format: FormatParameter = None,  # noqa: A002
) -> Response:
    parameters = _Parameters()
    page_number = parameters.whole_number("page", page, 1)
    size = parameters.whole_number("per_page", per_page, DEFAULT_PER_PAGE, MAX_PER_PAGE)
    filters = ListFilters(
        search=parameters.text("search", search),
        taxonomy_id=parameters.identifier("taxonomy_id", taxonomy_id),
        parent_id=parameters.identifier("parent_id", parent_id),
        top_only=parameters.boolean("top_only", top_only),
    )
    output = parameters.choice("format", format, ["json", "ndjson"])
    parameters.done()
    total, items = service.list_taxonomy_terms(session, filters, (page_number - 1) * size, size)
    return _listing(items, total, page_number, size, output)


@router.get("/taxonomy_terms/{term_id}", summary="One taxonomy term", responses=RECORD_RESPONSES)
def one_taxonomy_term(term_id: str, session: SessionDep) -> Response:
    document = service.get_taxonomy_term(session, term_id)
    if document is None:
        raise _not_found("taxonomy term", term_id)
    return _json(document)
