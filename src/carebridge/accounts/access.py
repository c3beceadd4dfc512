"""Who is asking, and may they: the `Actor` every staff route and service receives, and `requires(permission)`,
the dependency each staff route declares (carebridge.access walks the route table for it).

A request without a valid signed-in session (password and second factor) gets 401 on the staff API and a redirect to
sign-in on staff pages; one whose roles lack the permission gets 403. Services take the Actor as an argument and
repositories scope their queries by it (accounts.scopes).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Request


@dataclass(frozen=True)
class Actor:
    """The signed-in staff member acting in this request."""

    account_id: str
    organisation_id: str
    team_ids: frozenset[str]
    roles: frozenset[str]
    permissions: frozenset[str]
    session_id: str | None = None

    def can(self, permission: str) -> bool:
        return permission in self.permissions


def requires(permission: str) -> Callable[[Request], Actor]:
    """The dependency a staff route declares: the route runs only for a signed-in actor holding `permission`."""

    def dependency(request: Request) -> Actor:
        raise NotImplementedError("sign-in is not built yet")  # replaced by the sign-in work (issue 8)

    dependency.carebridge_access = permission  # type: ignore[attr-defined]
    return dependency
