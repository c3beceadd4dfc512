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


def api_routes(app: Any) -> list[Any]:
    """Every API route of the app, as FastAPI's RouteContext (path, methods, endpoint, dependant), routers included.

    Since FastAPI 0.163 `app.routes` holds an included router as one `_IncludedRouter` entry, not its routes: a walk
    of `app.routes` for APIRoute finds only the routes declared on the app itself (two, not the hundred behind the
    routers). `iter_route_contexts` expands them, with each route's dependencies as included (router-level ones too).
    """
    return [context for context in iter_route_contexts(app.routes) if isinstance(context.original_route, APIRoute)]


def declared_access(route: Any) -> str | None:
    """The access a route declares (a permission name or PUBLIC), found among its dependencies; None if none.
    `route` is an APIRoute or a RouteContext from api_routes()."""
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        dependant = getattr(getattr(route, "original_route", None), "dependant", None)
    pending = [dependant] if dependant is not None else []
    while pending:
        dependant = pending.pop()
        access = getattr(dependant.call, "carebridge_access", None)
        if access is not None:
            return access
        pending.extend(dependant.dependencies)
    return None


class UndeclaredAccess(RuntimeError):
    pass


# The sets of routers already checked in this process (kept referenced, so that an id is never reused). Checking walks
# every route's dependencies through FastAPI's route contexts (~0.5 s for the whole app); the same routers give the
# same answer, so an app built again from them (every test builds its own app) is not walked again.
_CHECKED: list[tuple[Any, ...]] = []


def check_routes(app: Any, routers: tuple[Any, ...] | None = None) -> None:
    """Refuse to build an app in which any route leaves its access undeclared. `routers`: the routers the app was
    built from (create_app passes domains.routers()); an app built from routers already checked passes at once."""
    if routers is not None and any(len(done) == len(routers) and all(a is b for a, b in zip(done, routers, strict=True))
                                   for done in _CHECKED):
        return
    undeclared = [
        f"{sorted(route.methods or ())} {route.path}" for route in api_routes(app) if declared_access(route) is None
    ]
    if undeclared:
        raise UndeclaredAccess(
            "these routes declare no access (add PublicAccess or accounts.access.requires(...)): " + ", ".join(undeclared)
        )
    if routers is not None:
        _CHECKED.append(routers)
