"""Server-side staff sessions (table `staff_session`).

The cookie carries a random 32-byte token (`secrets.token_urlsafe`); the database keeps only its SHA-256, so a copy
of the database cannot be used to sign in. The cookie is `__Host-carebridge_session` (Secure, HttpOnly,
SameSite=Lax, Path=/) whenever the request reached us over HTTPS (the request's scheme, after the proxy headers
uvicorn applies from a trusted proxy) or `settings.secure_cookies` forces it; only over plain HTTP (http://127.0.0.1
development, where browsers refuse a `__Host-` cookie without Secure) is it `carebridge_session` without Secure.

A session gets a new id (a new token, a new row; the old row ends as `replaced`) at sign-in and again once the
second factor is passed, so a token seen before sign-in is worth nothing after it. A session ends after
`staff_session_idle_minutes` without a request and `staff_session_absolute_hours` after it began; `last_seen_at` is
written at most once a minute. `end_sessions` ends every session of an account (sign out everywhere, an account
disabled, its roles changed).

`current(...)` is the per-request lookup: one indexed query for the session, its account, roles and teams.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from starlette.requests import HTTPConnection
from starlette.responses import Response

from carebridge.accounts.models import StaffAccount, StaffRole, StaffSession, TeamMembership
from carebridge.config import Settings
from carebridge.kit import clock

SECURE_COOKIE = "__Host-carebridge_session"
PLAIN_COOKIE = "carebridge_session"
# last_seen_at is written at most this often: a request within it costs no write.
TOUCH_EVERY = timedelta(minutes=1)


def secure(settings: Settings, request: HTTPConnection | None = None) -> bool:
    """Whether this request's cookies are Secure and `__Host-` prefixed: over HTTPS always; forced by the setting."""
    return settings.secure_cookies or (request is not None and request.url.scheme in ("https", "wss"))


def cookie_name(settings: Settings, request: HTTPConnection | None = None) -> str:
    return SECURE_COOKIE if secure(settings, request) else PLAIN_COOKIE


def hash_token(token: str) -> bytes:
    return hashlib.sha256(token.encode("ascii", "replace")).digest()


def set_cookie(response: Response, settings: Settings, token: str, request: HTTPConnection | None = None) -> None:
    # No Max-Age: the cookie lasts while the browser is open; the server's timeouts end the session anyway.
    response.set_cookie(
        cookie_name(settings, request), token, path="/", secure=secure(settings, request), httponly=True, samesite="lax"
    )


def clear_cookie(response: Response, settings: Settings, request: HTTPConnection | None = None) -> None:
    response.delete_cookie(
        cookie_name(settings, request), path="/", secure=secure(settings, request), httponly=True, samesite="lax"
    )


@dataclass(frozen=True)
class Current:
    """The session a request presented, with what `requires()` needs of its account."""

    session_id: str
    account_id: str
    name: str
    organisation_id: str
    active: bool
    roles: frozenset[str]
    team_ids: frozenset[str]
    csrf_secret: bytes
    created_at: datetime
    last_seen_at: datetime
    second_factor_at: datetime | None
    totp_confirmed: bool


def start(session: Session, account_id: str, *, second_factor: bool = False) -> tuple[StaffSession, str]:
    """A new session for the account; returns the row and the token for the cookie (never stored)."""
    token = secrets.token_urlsafe(32)
    moment = clock.utc_now()
    row = StaffSession(
        token_hash=hash_token(token),
        account_id=account_id,
        csrf_secret=secrets.token_bytes(32),
        created_at=moment,
        last_seen_at=moment,
        second_factor_at=moment if second_factor else None,
    )
    session.add(row)
    session.flush()
    return row, token


def end(session: Session, session_id: str, reason: str) -> None:
    session.execute(
        update(StaffSession)
        .where(StaffSession.id == session_id, StaffSession.ended_at.is_(None))
        .values(ended_at=clock.utc_now(), end_reason=reason)
    )


def end_sessions(session: Session, account_id: str, reason: str) -> int:
    """End every open session of an account (sign out everywhere, account disabled, roles changed); how many."""
    result = session.execute(
        update(StaffSession)
        .where(StaffSession.account_id == account_id, StaffSession.ended_at.is_(None))
        .values(ended_at=clock.utc_now(), end_reason=reason)
    )
    return result.rowcount or 0


_CURRENT = (
    select(
        StaffSession.id,
        StaffSession.csrf_secret,
        StaffSession.created_at,
        StaffSession.last_seen_at,
        StaffSession.second_factor_at,
        StaffAccount.id,
        StaffAccount.name,
        StaffAccount.organisation_id,
        StaffAccount.active,
        StaffAccount.totp_confirmed_at,
        StaffRole.role,
        TeamMembership.team_id,
    )
    .join(StaffAccount, StaffAccount.id == StaffSession.account_id)
    .outerjoin(StaffRole, StaffRole.account_id == StaffAccount.id)
    .outerjoin(TeamMembership, TeamMembership.account_id == StaffAccount.id)
)


@dataclass(frozen=True)
class Expired:
    """An open session that the token names but whose time is up (idle or absolute): `expire` ends it."""

    session_id: str
    account_id: str
    organisation_id: str
    reason: str  # "idle" or "absolute"


def current(session: Session, token: str | None, settings: Settings) -> Current | None:
    """The open, unexpired session this token belongs to, or None. One query (session, account, roles, teams),
    a read (which never waits for a writer in SQLite's WAL mode). The caller writes last_seen_at when `needs_touch`
    (at most once a minute)."""
    found = lookup(session, token, settings)
    return found if isinstance(found, Current) else None


def lookup(session: Session, token: str | None, settings: Settings) -> Current | Expired | None:
    """As `current`, but a session found still open and past its time is answered as `Expired` (for `expire`)."""
    if not token or len(token) > 128:
        return None
    # Core execution on the session's connection (same transaction): a third cheaper than the ORM path, per request.
    rows = session.connection().execute(
        _CURRENT.where(StaffSession.token_hash == hash_token(token), StaffSession.ended_at.is_(None))
    ).all()
    if not rows:
        return None
    first = rows[0]
    moment = clock.utc_now()
    if not is_live(first.created_at, first.last_seen_at, moment, settings):
        reason = "absolute" if moment - first.created_at >= timedelta(hours=settings.staff_session_absolute_hours) else "idle"
        return Expired(session_id=first[0], account_id=first[5], organisation_id=first.organisation_id, reason=reason)
    return Current(
        session_id=first[0],
        account_id=first[5],
        name=first.name,
        organisation_id=first.organisation_id,
        active=first.active,
        roles=frozenset(row.role for row in rows if row.role is not None),
        team_ids=frozenset(row.team_id for row in rows if row.team_id is not None),
        csrf_secret=first.csrf_secret,
        created_at=first.created_at,
        last_seen_at=first.last_seen_at,
        second_factor_at=first.second_factor_at,
        totp_confirmed=first.totp_confirmed_at is not None,
    )


def expire(session: Session, expired: Expired, request_id: str | None = None) -> bool:
    """End a session found past its time (`end_reason` "expired-idle" or "expired-absolute") and audit
    `session.expired`, once: only the request whose update ends the still-open row records the event (two requests
    arriving together do not both). Whether this call was the one."""
    from carebridge.audit import service as audit

    result = session.execute(
        update(StaffSession)
        .where(StaffSession.id == expired.session_id, StaffSession.ended_at.is_(None))
        .values(ended_at=clock.utc_now(), end_reason=f"expired-{expired.reason}")
    )
    if not result.rowcount:
        return False
    audit.record(
        session,
        "session.expired",
        account_id=expired.account_id,
        organisation_id=expired.organisation_id,
        record_type="staff_session",
        record_id=expired.session_id,
        request_id=request_id,
    )
    return True


def needs_touch(current: Current) -> bool:
    return clock.utc_now() - current.last_seen_at >= TOUCH_EVERY


def touch(session: Session, session_id: str) -> None:
    """last_seen_at = now, in a savepoint: if the database refuses the write just now (SQLite's snapshot of a
    concurrent writer), the request goes on and a later one touches it. Called from the thread pool (a write may wait
    for SQLite's lock)."""
    moment = clock.utc_now()
    try:
        with session.begin_nested():
            session.execute(update(StaffSession).where(StaffSession.id == session_id).values(last_seen_at=moment))
    except OperationalError:
        pass


def is_live(created_at: datetime, last_seen_at: datetime, moment: datetime, settings: Settings) -> bool:
    return moment - last_seen_at < timedelta(minutes=settings.staff_session_idle_minutes) and moment - created_at < timedelta(
        hours=settings.staff_session_absolute_hours
    )


def open_sessions(session: Session, account_id: str, settings: Settings) -> list[StaffSession]:
    """The account's sessions that are still live, the most recently active first (the account page)."""
    moment = clock.utc_now()
    rows = session.scalars(
        select(StaffSession)
        .where(
            StaffSession.account_id == account_id,
            StaffSession.ended_at.is_(None),
            StaffSession.last_seen_at > moment - timedelta(minutes=settings.staff_session_idle_minutes),
            StaffSession.created_at > moment - timedelta(hours=settings.staff_session_absolute_hours),
        )
        .order_by(StaffSession.last_seen_at.desc())
    ).all()
    return list(rows)
