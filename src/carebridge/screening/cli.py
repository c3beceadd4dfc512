"""`carebridge screening ...` commands: `check-instruments` validates the instruments and the validated
translations in the data folder. Placeholder until the screening work lands."""

from __future__ import annotations

from typing import Any


def register(subparsers: Any) -> None:
    """No commands yet."""
