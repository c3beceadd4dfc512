"""The staff JSON API of the firewall domain (problem documents; response models)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1", tags=["staff"])
