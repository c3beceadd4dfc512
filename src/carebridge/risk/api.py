"""JSON API of the risk domain under /api/v1 (issue 10). Placeholder: the routes come with the domain's work."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
