"""Staff pages of the clients domain."""

from __future__ import annotations

from fastapi import APIRouter

# Pages, not API: kept out of the OpenAPI description.
router = APIRouter(include_in_schema=False)
