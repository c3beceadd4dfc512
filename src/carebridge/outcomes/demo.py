"""Demo case work: assessments, plans and screenings over several months for the demo people (all fictional), so
that the charts and the outcomes page show something real-looking. Placeholder until the outcomes work lands."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session


def load_demo_casework(session: Session, settings: Any) -> str:
    """Add the demo people's case work where it is missing; say what was done ("" for nothing)."""
    return ""
