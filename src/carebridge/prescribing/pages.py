"""Placeholder: filled in by the issue 11 work on this domain."""

from fastapi import APIRouter

router = APIRouter()


def section(session, settings, actor, client, request):  # type: ignore[no-untyped-def]
    """The person's page section (placeholder: not shown yet)."""
    return None
