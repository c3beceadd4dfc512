"""Demo data for this domain (issue 11): fictional, made through the services, idempotent."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session


def load_demo(session: Session, settings: Any) -> str:
    """Placeholder: nothing yet."""
    return ""
