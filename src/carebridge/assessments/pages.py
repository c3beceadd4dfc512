"""Staff pages of the assessments domain (issue 10). Placeholder: the routes come with the domain's work."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)


def section(session, settings, actor, client, request):  # noqa: ANN001, ANN201 - placeholder
    """The person's page section of this domain (clients.sections); None until the domain's work lands."""
    return None
