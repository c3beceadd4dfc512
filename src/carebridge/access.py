"""Deny by default: every route declares who may use it, or the app does not start.

A route declares its access with a dependency carrying a `carebridge_access` attribute: `PublicAccess` for the
public side (information anybody may read: the finder, the checker, the directory's open data), or
`accounts.access.requires(permission)` for staff pages and the staff API. `check_routes` walks the app's route
table at start-up; tests/test_access.py walks it too and builds the route × role grid from it.
"""

from __future__ import annotations

from typing import Any

from fastapi import Depends
from fastapi.routing import APIRoute, iter_route_contexts

PUBLIC = "public"


def public_access() -> None:
    """Anyone may use this route: it shows information, never a person's data."""


public_access.carebridge_access = PUBLIC  # type: ignore[attr-defined]
PublicAccess = Depends(public_access)


def declared_access(route: APIRoute) -> str | None:
    """The access a route declares (a permission name or PUBLIC), found among its dependencies; None if none."""
    pending = [route.dependant]
    while pending:
        dependant = pending.pop()
        access = getattr(dependant.call, "carebridge_access", None)
        if access is not None:
            return access
        pending.extend(dependant.dependencies)
    return None


class UndeclaredAccess(RuntimeError):
    pass


def check_routes(app: Any) -> None:
    """Refuse to build an app in which any route leaves its access undeclared."""
    # iter_route_contexts: FastAPI keeps an included router as one entry of app.routes; its routes are inside it.
    undeclared = [
        f"{sorted(context.methods or ())} {context.path}"
        for context in iter_route_contexts(app.routes)
        if isinstance(context.original_route, APIRoute) and declared_access(context.original_route) is None
    ]
    if undeclared:
        raise UndeclaredAccess(
            "these routes declare no access (add PublicAccess or accounts.access.requires(...)): " + ", ".join(undeclared)
        )
