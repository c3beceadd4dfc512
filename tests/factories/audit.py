"""Audit events and signed-in actors for the audit tests, made through audit.service and accounts.service."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session

from carebridge import domains
from carebridge.accounts import service as accounts
from carebridge.accounts.access import Actor
from carebridge.accounts.models import Organisation
from carebridge.audit import service
from carebridge.errors import Forbidden

from factories import accounts as account_factories


def events(
    session: Session, count: int, action: str = "sign-in.success", *, commit_each: bool = False, **fields: Any
) -> list[int]:
    """`count` events appended to the trail; their (display) sequence numbers. All in the session's transaction (so
    one stripe), or with `commit_each` each in a transaction of its own (spread over the stripes, on PostgreSQL)."""
    numbers = []
    for number in range(count):
        service.record(session, action, request_id=f"request-{number}", **fields)
        numbers.append(service.latest_seq(session))
        if commit_each:
            session.commit()
    return numbers


def striped(session: Session, stripes: int, each: int, **fields: Any) -> dict[int, list[int]]:
    """`each` events in each of `stripes` stripes on PostgreSQL (SQLite: all in stripe 0), each event in its own
    transaction; stripe -> the events' (display) sequence numbers in stripe order."""
    from sqlalchemy import select

    from carebridge.audit.models import AuditEvent

    session.info["audit_stripes"] = stripes
    numbers = events(session, stripes * each, commit_each=True, **fields)
    rows = session.execute(
        select(AuditEvent.stripe, AuditEvent.seq).where(AuditEvent.seq.in_(numbers)).order_by(AuditEvent.stripe_seq)
    )
    by_stripe: dict[int, list[int]] = {}
    for stripe, seq in rows:
        by_stripe.setdefault(stripe, []).append(seq)
    return by_stripe


def actor(
    session: Session,
    roles: tuple[str, ...] = ("service-manager",),
    organisation_: Organisation | None = None,
    name: str = "Sam Tester",
) -> Actor:
    account = account_factories.account(session, roles=roles, organisation_=organisation_, name=name)
    session.flush()
    loaded = accounts.account_by_id(session, account.id)
    assert loaded is not None
    return accounts.actor_for(loaded)


def sign_in_as(app: Any, who: Actor, name: str = "Sam Tester") -> None:
    """Stand in for the sign-in work's session check: every staff route of `app` sees `who` as signed in (403 for
    a permission they lack), with the request state `requires()` sets. CSRF is not checked here.

    Walks the registry's routers themselves: FastAPI 0.163 wraps included routers (app.routes holds
    `_IncludedRouter`s, not their APIRoutes)."""
    routes = [route for router in domains.routers() for route in router.routes] + list(app.routes)
    for route in routes:
        if not isinstance(route, APIRoute):
            continue
        pending = [route.dependant]
        while pending:
            dependant = pending.pop()
            permission = getattr(dependant.call, "carebridge_access", None)
            if permission is not None and permission != "public":
                app.dependency_overrides[dependant.call] = _signed_in(who, name, permission)
            pending.extend(dependant.dependencies)


def _signed_in(who: Actor, name: str, permission: str):  # noqa: ANN202
    def dependency(request: Request) -> Actor:
        if not who.can(permission):
            raise Forbidden()
        request.state.actor = who
        request.state.staff_name = name
        request.state.csrf_token = "test-csrf-token"
        return who

    return dependency
