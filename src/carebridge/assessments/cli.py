"""`carebridge assessments ...` commands: `check-rules` validates a category rules file and runs the tests beside it.
Placeholder until the assessments work lands."""

from __future__ import annotations

from typing import Any


def register(subparsers: Any) -> None:
    """No commands yet."""
