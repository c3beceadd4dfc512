"""Liveness, and the trivial endpoint the benchmark uses as the framework floor.

`async def` on purpose: a plain `def` route would be run in FastAPI's thread pool, which makes the floor slower than
the framework really is (and a ratio against it flattering); the search route is `async` too.
"""

from fastapi import APIRouter

from carebridge.access import PublicAccess
from carebridge.problems import problem_responses

router = APIRouter(tags=["health"], dependencies=[PublicAccess])


@router.get("/api/v1/health", responses=problem_responses())
async def health() -> dict[str, str]:
    return {"status": "ok"}
