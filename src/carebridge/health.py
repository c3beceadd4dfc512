"""Liveness and the trivial endpoint that the benchmark uses as the framework floor."""

from fastapi import APIRouter

router = APIRouter(tags=["health"])


@router.get("/api/v1/health")
def health() -> dict[str, str]:
    return {"status": "ok"}
