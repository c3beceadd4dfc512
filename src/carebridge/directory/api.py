"""The directory's JSON routes: the service search."""

from __future__ import annotations

from time import perf_counter

from fastapi import APIRouter, Request
from fastapi.responses import Response
from isal import isal_zlib
from starlette.concurrency import run_in_threadpool

from carebridge.directory import schemas
from carebridge.directory.search import parse_search_query, run_search
from carebridge.directory.search_index import search_index_for
from carebridge.web import GZIP_MINIMUM_SIZE

router = APIRouter(tags=["directory"])


@router.get(
    "/api/v1/services/search",
    summary="Search services",
    description="Services near a place, in a language, of a category, open now, free, without status checks or "
    "documents; all parameters optional and combined with AND. Sorted by distance when a point is given, else by "
    "name; a search for urgent or emergency care (category `emergency`) puts the services open now first, then "
    "sorts each group so. Each result's `status_check` says `checks`, `no-check` or `unknown`. Bad values get a 422 problem document naming the parameter and what is allowed.",
    response_model=None,
    responses={
        200: {"model": schemas.SearchResponse, "description": "One page of results."},
        422: {"description": "A parameter has a bad value (application/problem+json)."},
    },
    openapi_extra={"parameters": schemas.openapi_parameters()},
)
async def search_services(request: Request) -> Response:
    # async and reading the query string itself: the search is a few hundred microseconds of in-memory work, so a
    # thread hop and per-parameter validation would cost more than the search.
    started = perf_counter()
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
