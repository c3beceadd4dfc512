"""Public pages where a person screens themselves on a one-use link (no account). Placeholder."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
