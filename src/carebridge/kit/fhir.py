"""Walking a FHIR resource (as JSON) for our own checks: every Coding and every reference in it, however deep.
Shared by the FHIR exports (screening.fhir, referrals.fhir), which check that codes come from the right systems and
that references resolve inside the bundle."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def codings(value: Any) -> Iterable[dict[str, Any]]:
    """Every object with a `system` and a `code` (a Coding), depth first."""
    if isinstance(value, dict):
        if "system" in value and "code" in value:
            yield value
        for child in value.values():
            yield from codings(child)
    elif isinstance(value, list):
        for child in value:
            yield from codings(child)


def references(value: Any) -> Iterable[str]:
    """Every `reference` string (Reference.reference), depth first."""
    if isinstance(value, dict):
        if isinstance(value.get("reference"), str):
            yield value["reference"]
        for child in value.values():
            yield from references(child)
    elif isinstance(value, list):
        for child in value:
            yield from references(child)
