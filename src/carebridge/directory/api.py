"""The directory's JSON routes: the service search."""

from __future__ import annotations

import re
from time import perf_counter

from fastapi import APIRouter, Request
from fastapi.responses import Response
from isal import isal_zlib
from starlette.concurrency import run_in_threadpool

from carebridge.access import PublicAccess
from carebridge.directory import schemas, search
from carebridge.directory.search import parse_search_query, run_search
from carebridge.directory.search_index import search_index_for
from carebridge.errors import FieldError, InvalidInput
from carebridge.problems import problem_responses
from carebridge.web import GZIP_MINIMUM_SIZE

router = APIRouter(tags=["directory"], dependencies=[PublicAccess])


NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][+-]?\d+)?")
WHOLE = re.compile(r"-?\d+(\.0+)?")  # JSON Schema counts 60.0 as an integer too
NUMBERS = {"lat": NUMBER, "lon": NUMBER, "radius_km": NUMBER, "age": WHOLE, "page": WHOLE, "per_page": WHOLE}
TEXTS = ("q", "near", "category")


def _exact_values() -> dict[str, tuple[frozenset[str], str, list[str] | None]]:
    flag = (frozenset(schemas.BOOLEAN_WORDS), search.BOOLEAN, ["true", "false"])
    return {
        "language": (frozenset(schemas.language_codes()), search.LANGUAGE_CODE, None),
        "gender": (frozenset(schemas.GENDER_VALUES), search.GENDER_VALUE, list(schemas.GENDER_VALUES)),
        **{name: flag for name in search.BOOLEAN_PARAMETERS},
    }


def _check_forms(request: Request) -> None:
    """Values in exactly the forms the API description gives (the parser, shared with the finder's pages, is more
    forgiving of case and spacing); an empty value or spaces is no filter. A few microseconds per search. Control
    characters never get here: the request guard (middleware.py) answers them before any route."""
    exact = None
    for name, value in request.query_params.multi_items():
        if name in TEXTS or not value.strip(" "):
            continue
        if name in NUMBERS:
            if not NUMBERS[name].fullmatch(value):
                message = search.WHOLE_NUMBER_RANGE if NUMBERS[name] is WHOLE else search.NUMBER_RANGE
                low, high = _RANGES[name]
                raise InvalidInput(errors=[FieldError(name, message, params={"name": name, "min": low, "max": high})])
            continue
        exact = exact or _exact_values()
        if name in exact and value not in exact[name][0]:
            allowed, message, listed = exact[name]
            raise InvalidInput(errors=[FieldError(name, message, allowed=listed, params={"name": name})])
        if name == "open_at" and value != value.strip():
            low, high = schemas.OPEN_AT_YEARS
            raise InvalidInput(errors=[FieldError(name, search.OPEN_AT_FORMAT, params={"min": low, "max": high})])


_RANGES = {
    "lat": (-90, 90), "lon": (-180, 180), "radius_km": schemas.RADIUS_RANGE, "age": schemas.AGE_RANGE,
    "page": (1, schemas.MAX_PAGE), "per_page": schemas.PER_PAGE_RANGE,
}


@router.get(
    "/api/v1/services/search",
    summary="Search services",
    description="Services near a place, in a language, of a category, open now, free, without status checks or "
    "documents; all parameters optional and combined with AND. Sorted by distance when a point is given, else by "
    "name; a search for urgent or emergency care (category `emergency`) puts the services open now first, then "
    "sorts each group so. Each result's `status_check` says `checks`, `no-check` or `unknown`. Bad values get a 422 "
    "problem document naming the parameter and what is allowed. Between parameters: "
    "lat and lon are given together or not at all; near is not given with lat and lon; radius_km needs a point "
    "(lat and lon, or near); a `near` that is not in the gazetteer is a 422.",
    response_model=None,
    responses={
        200: {"model": schemas.SearchResponse, "description": "One page of results."},
        **problem_responses(422),
    },
    openapi_extra={"parameters": schemas.openapi_parameters()},
)
async def search_services(request: Request) -> Response:
    # async and reading the query string itself: the search is a few hundred microseconds of in-memory work, so a
    # thread hop and per-parameter validation would cost more than the search.
    started = perf_counter()
    _check_forms(request)
    query = parse_search_query(request.query_params)
    holder = search_index_for(request.app)
    index = holder.ready()
    if index is None:
        index = await run_in_threadpool(holder.get)  # may read the database: not on the event loop
    page = run_search(index, query, now=holder.clock(), zone=holder.default_zone, stale_days=holder.stale_days)
    body = page.body
    headers = {"Cache-Control": "no-store", "Vary": "Accept-Encoding"}
    if len(body) >= GZIP_MINIMUM_SIZE and "gzip" in request.headers.get("accept-encoding", ""):
        # Compressed here with ISA-L's level 1 (the app-wide middleware then leaves it alone): as small as zlib's
        # fastest level on these bodies in a third of the time (docs/performance.md).
        body = isal_zlib.compress(body, 1, 16 + isal_zlib.MAX_WBITS)
        headers["Content-Encoding"] = "gzip"
    headers["Server-Timing"] = f"search;dur={(perf_counter() - started) * 1000:.3f}"
    return Response(body, media_type="application/json", headers=headers)
