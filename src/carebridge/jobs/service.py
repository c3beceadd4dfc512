"""Enqueueing jobs. (Interface fixed here; the table and the worker are being built.)"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session


def enqueue(session: Session, kind: str, payload: dict[str, Any] | None = None, *, run_at: datetime | None = None) -> None:
    """Add a job in the caller's transaction: it runs (once, after run_at if given) only if that transaction commits.
    The payload is JSON and carries ids, never personal data."""
