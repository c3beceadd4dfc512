"""Record scopes: which people's records an actor may see, as a WHERE clause every repository applies.

A role holds a record permission (`person.read`, `person.write`, ...) with a scope (accounts.permissions):

- `own`: records whose owner (the staff member who works on them) is the actor;
- `team`: records of one of the actor's teams, and their own;
- `organisation`: records of the actor's organisation, and of their teams, and their own.

On top of that, an unexpired break-the-glass grant of the actor for one record (accounts.break_glass) opens that
record, provided the actor still holds the permission at all. An actor without the permission, or a permission that
concerns no record, gets a clause that is always false: deny by default.

    query = select(Client).where(
        scope_clause(actor, "person.read", record_type="client", record_id=Client.id,
                     owner=Client.owner_account_id, team=Client.team_id, organisation=Client.organisation_id)
    )

A record that belongs to several teams passes `team` as a function of the actor's team ids that returns the clause
(e.g. an IN over a membership table). Build the clause per request: it holds the actor's ids and the current time.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, false, or_, select
from sqlalchemy.orm import QueryableAttribute

from carebridge.accounts.access import Actor
from carebridge.accounts.models import BreakGlassGrant
from carebridge.accounts.permissions import Scope, scope_of
from carebridge.kit import clock

TeamClause = ColumnElement[Any] | Callable[[Collection[str]], ColumnElement[bool]]


def _team_clause(team: TeamClause | None, team_ids: frozenset[str]) -> ColumnElement[bool] | None:
    if team is None or not team_ids:
        return None
    if isinstance(team, (ColumnElement, QueryableAttribute)):
        return team.in_(sorted(team_ids))
    return team(sorted(team_ids))


def grant_clause(actor: Actor, record_type: str, record_id: ColumnElement[Any]) -> ColumnElement[bool]:
    """An unexpired break-the-glass grant of the actor for this record exists."""
    return exists(
        select(BreakGlassGrant.id).where(
            BreakGlassGrant.account_id == actor.account_id,
            BreakGlassGrant.record_type == record_type,
            BreakGlassGrant.record_id == record_id,
            BreakGlassGrant.expires_at > clock.now(),
        )
    )


def scope_clause(
    actor: Actor | None,
    permission: str,
    *,
    record_type: str,
    record_id: ColumnElement[Any],
    owner: ColumnElement[Any] | None = None,
    team: TeamClause | None = None,
    organisation: ColumnElement[Any] | None = None,
) -> ColumnElement[bool]:
    """The WHERE clause limiting a query of `record_type` rows to those `actor` may use with `permission`.

    `owner`, `team` and `organisation` are the record's columns (leave out what a record type does not have: that
    part then matches nothing). Always false for no actor, a permission not held, or one held without a scope."""
    if actor is None or not actor.can(permission):
        return false()
    scope = scope_of(actor.roles, permission)
    if scope is None:
        return false()
    parts: list[ColumnElement[bool]] = []
    if owner is not None:
        parts.append(owner == actor.account_id)
    if scope in (Scope.TEAM, Scope.ORGANISATION):
        clause = _team_clause(team, actor.team_ids)
        if clause is not None:
            parts.append(clause)
    if scope is Scope.ORGANISATION and organisation is not None:
        parts.append(organisation == actor.organisation_id)
    if actor.can("break-glass.use"):
        parts.append(grant_clause(actor, record_type, record_id))
    if not parts:
        return false()
    return or_(*parts) if len(parts) > 1 else and_(parts[0])
