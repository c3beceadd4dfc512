"""Break the glass: opening one person's record outside one's scope, in an emergency, with a reason.

The grant lasts `settings.break_glass_minutes` (60 by default), is audited (`break-glass.open`) and is listed for
the actor's service manager (`/staff/break-glass`, permission `break-glass.review`). Record scopes
(accounts.scopes) honour an unexpired grant for that one record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from carebridge.accounts.access import Actor
from carebridge.accounts.models import BreakGlassGrant, StaffAccount
from carebridge.audit import service as audit
from carebridge.errors import N_, FieldError, Forbidden, InvalidInput
from carebridge.kit import clock

DEFAULT_MINUTES = 60
MINIMUM_REASON = 10
MAXIMUM_REASON = 2000


def open_record(
    session: Session,
    actor: Actor,
    record_type: str,
    record_id: str,
    reason: str,
    *,
    minutes: int = DEFAULT_MINUTES,
    request_id: str | None = None,
) -> BreakGlassGrant:
    """Grant `actor` access to one record for `minutes` (callers pass settings.break_glass_minutes)."""
    if actor is None or not actor.can("break-glass.use"):
        raise Forbidden(N_("You do not have permission to do that."))
    reason = " ".join(reason.split())
    if len(reason) < MINIMUM_REASON:
        raise InvalidInput(
            errors=[FieldError("reason", N_("Say why you need this record, in at least 10 characters."))]
        )
    if len(reason) > MAXIMUM_REASON:
        raise InvalidInput(errors=[FieldError("reason", N_("Use at most 2000 characters."))])
    if not record_type or not record_id:
        raise InvalidInput(errors=[FieldError("record", N_("Say which record you need to open."))])
    now = clock.now()
    grant = BreakGlassGrant(
        account_id=actor.account_id,
        organisation_id=actor.organisation_id,
        record_type=record_type,
        record_id=record_id,
        reason=reason,
        granted_at=now,
        expires_at=now + timedelta(minutes=minutes),
    )
    session.add(grant)
    session.flush()
    audit.record(
        session,
        "break-glass.open",
        actor=actor,
        organisation_id=actor.organisation_id,
        record_type=record_type,
        record_id=record_id,
        request_id=request_id,
    )
    return grant


def active_grant(session: Session, actor: Actor, record_type: str, record_id: str) -> BreakGlassGrant | None:
    """The actor's unexpired grant for this record, the one lasting longest; None if there is none."""
    return session.scalar(
        select(BreakGlassGrant)
        .where(
            BreakGlassGrant.account_id == actor.account_id,
            BreakGlassGrant.record_type == record_type,
            BreakGlassGrant.record_id == record_id,
            BreakGlassGrant.expires_at > clock.now(),
        )
        .order_by(BreakGlassGrant.expires_at.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class GrantRow:
    """One grant as the review page shows it."""

    id: str
    staff_name: str
    account_id: str
    record_type: str
    record_id: str
    reason: str
    granted_at: datetime
    expires_at: datetime
    active: bool


def grants_for_review(session: Session, actor: Actor, *, limit: int = 50, offset: int = 0) -> tuple[list[GrantRow], int]:
    """The actor's organisation's grants, newest first, and how many there are in all (permission
    `break-glass.review`)."""
    if actor is None or not actor.can("break-glass.review"):
        raise Forbidden(N_("You do not have permission to do that."))
    where = BreakGlassGrant.organisation_id == actor.organisation_id
    total = session.scalar(select(func.count()).select_from(BreakGlassGrant).where(where)) or 0
    now = clock.now()
    rows = session.execute(
        select(BreakGlassGrant, StaffAccount.name)
        .join(StaffAccount, StaffAccount.id == BreakGlassGrant.account_id)
        .where(where)
        .order_by(BreakGlassGrant.granted_at.desc(), BreakGlassGrant.id)
        .limit(limit)
        .offset(offset)
    ).all()
    return [
        GrantRow(
            id=grant.id,
            staff_name=name,
            account_id=grant.account_id,
            record_type=grant.record_type,
            record_id=grant.record_id,
            reason=grant.reason,
            granted_at=grant.granted_at,
            expires_at=grant.expires_at,
            active=grant.expires_at > now,
        )
        for grant, name in rows
    ], total
