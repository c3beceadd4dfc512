"""Who is asking, and may they: the `Actor` every staff route and service receives, and `requires(permission)`,
the dependency each staff route declares (carebridge.access walks the route table for it).

A request without a valid signed-in session (password and second factor) gets 401 on the staff API and a redirect to
sign-in on staff pages; one whose roles lack the permission gets 403. Services take the Actor as an argument and
repositories scope their queries by it (accounts.scopes). A signed-in actor refused for lacking the permission is
audited `access.denied` (record_type "permission", record_id the permission); a session found past its idle or
absolute limit is ended and audited `session.expired`, once. Both are committed before the refusal is raised.

What `requires()` costs per request: one indexed query (session + account + roles + teams, accounts.sessions), a
write of `last_seen_at` at most once a minute, an HMAC for the form token; no password hashing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from carebridge.web import SessionDep, is_api_path, request_id, route_path

SIGN_IN_PATH = "/staff/sign-in"
CODE_PATH = "/staff/sign-in/code"
ENROL_PATH = "/staff/sign-in/enrol"
HOME_PATH = "/staff"
# Where a person may be sent back to after signing in: a staff page of this site, by path only.
_NEXT = re.compile(r"/staff(/[A-Za-z0-9_.~-]+)*/?")


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


def safe_next(value: str | None) -> str:
    """A path on this site's staff side to return to, or the staff home page."""
    if value and len(value) <= 200 and _NEXT.fullmatch(value) and ".." not in value:
        return value
    return HOME_PATH


def redirect(location: str) -> StarletteHTTPException:
    """A 303 to `location`, raised from a dependency (the app's HTTP error handler keeps its Location header)."""
    return StarletteHTTPException(status_code=303, headers={"Location": location})


def sign_in_location(request: Request) -> str:
    if request.method == "GET":
        path = route_path(request)
        target = safe_next(path)
        if target != HOME_PATH and target == path:
            return f"{SIGN_IN_PATH}?next={quote(target, safe='/')}"
    return SIGN_IN_PATH


@lru_cache(maxsize=256)
def _grants(roles: frozenset[str]) -> tuple[frozenset[str], bool]:
    from carebridge.accounts.permissions import needs_second_factor, permissions_of

    return permissions_of(roles), needs_second_factor(roles)


def needs_second_factor_step(current: Any) -> bool:
    """Whether this session still has to pass the second factor: it has not, and the account has one or must."""
    if current.second_factor_at is not None:
        return False
    return current.totp_confirmed or _grants(current.roles)[1]


def _commit_after(session: Any, write: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Run `write` and commit now: for what must be kept although the request then fails (its error rolls back the
    unit of work). Only requires() calls it, before the route has written anything."""
    write(*args, **kwargs)
    session.commit()


def requires(permission: str) -> Callable[..., Actor]:
    """The dependency a staff route declares: the route runs only for a signed-in actor holding `permission`."""

    async def dependency(request: Request, session: SessionDep) -> Actor:
        from carebridge.accounts import csrf, sessions
        from carebridge.audit import service as audit
        from carebridge.errors import Forbidden, NotSignedIn

        settings = request.app.state.settings
        api = is_api_path(request.url.path)
        # In the thread pool, like every other database call here: on the event loop, a checkout from an exhausted
        # connection pool blocked the loop itself while the connections' holders waited for it (bench/staff_mix.py).
        found = await run_in_threadpool(
            sessions.lookup, session, request.cookies.get(sessions.cookie_name(settings, request)), settings
        )
        if isinstance(found, sessions.Expired):
            # Ended and audited in a transaction of its own making: the 401/redirect below rolls the request back.
            await run_in_threadpool(_commit_after, session, sessions.expire, session, found, request_id(request))
            found = None
        current = found
        if current is not None and sessions.needs_touch(current):
            await run_in_threadpool(sessions.touch, session, current.session_id)
        if current is None or not current.active:
            if api:
                raise NotSignedIn()
            raise redirect(sign_in_location(request))
        if needs_second_factor_step(current):
            if api:
                raise NotSignedIn()
            raise redirect(CODE_PATH if current.totp_confirmed else ENROL_PATH)
        permissions, _ = _grants(current.roles)
        actor = Actor(
            account_id=current.account_id,
            organisation_id=current.organisation_id,
            team_ids=current.team_ids,
            roles=current.roles,
            permissions=permissions,
            session_id=current.session_id,
        )
        request.state.actor = actor
        request.state.staff_name = current.name
        request.state.csrf_token = csrf.session_token(current.csrf_secret)
        await csrf.check_session_request(request, current.csrf_secret)
        if not actor.can(permission):
            # Audited and committed before the 403 (which rolls the request's unit of work back).
            await run_in_threadpool(
                _commit_after,
                session,
                audit.record,
                session,
                "access.denied",
                actor=actor,
                record_type="permission",
                record_id=permission,
                outcome="denied",
                request_id=request_id(request),
            )
            raise Forbidden()
        return actor

    dependency.carebridge_access = permission  # type: ignore[attr-defined]
    return dependency
