"""GET /api/v1/staff/audit-events: the audit trail as JSON, with the page's filters and permission."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel

from carebridge.accounts.access import Actor, requires
from carebridge.audit import service
from carebridge.audit.pages import DATES_REVERSED, dates_reversed
from carebridge.errors import FieldError, InvalidInput
from carebridge.problems import problem_responses
from carebridge.web import SessionDep, SettingsDep, request_id

router = APIRouter(prefix="/api/v1/staff", tags=["staff: audit trail"])
ActorDep = Annotated[Actor, Depends(requires("audit.read-organisation"))]


class AuditEventOut(BaseModel):
    seq: int  # display order (gaps allowed)
    stripe: int  # which of the parallel hash chains
    stripe_seq: int  # its place in that chain (1, 2, 3, ... no gap)
    at: datetime
    account_id: str | None
    account_name: str | None
    organisation_id: str | None
    organisation_name: str | None
    action: str
    record_type: str | None
    record_id: str | None
    outcome: str
    request_id: str | None
    previous_hash: str
    hash: str


class ChainHead(BaseModel):
    # The newest event's display number.
    seq: int
    # The trail's head as one line: the combined SHA-256, then each stripe's `stripe:stripe_seq:hash-prefix`.
    value: str


class AuditEventPage(BaseModel):
    events: list[AuditEventOut]
    # Give as `before` to get the next (older) page; null on the last page.
    next_before: int | None
    # The head of the whole trail (keep it elsewhere; `carebridge audit verify --expect-head`).
    head: ChainHead


@router.get(
    "/audit-events",
    response_model=AuditEventPage,
    summary="Read the audit trail",
    description="Audit events, newest first, of the caller's organisation (every organisation with "
    "`audit.read-all`), filtered by ids, action and dates (whole days in the deployment's time zone, both "
    "included; a `date_from` after `date_to` is refused with 422); one page at a time by keyset (`before`). Events hold ids, never a person's data. Reading is itself "
    "recorded (`audit.read`). Needs `audit.read-organisation`.",
    responses=problem_responses(401, 403, 422),
)
def list_audit_events(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: ActorDep,
    organisation_id: Annotated[str | None, Query(max_length=36, pattern=service.IDENTIFIER.pattern)] = None,
    action: Annotated[str | None, Query(max_length=64, pattern=service.ACTION.pattern)] = None,
    account_id: Annotated[str | None, Query(max_length=36, pattern=service.IDENTIFIER.pattern)] = None,
    record_type: Annotated[str | None, Query(max_length=32, pattern=service.WORD.pattern)] = None,
    record_id: Annotated[str | None, Query(max_length=64, pattern=service.IDENTIFIER.pattern)] = None,
    date_from: Annotated[date | None, Query(description="YYYY-MM-DD, included")] = None,
    date_to: Annotated[date | None, Query(description="YYYY-MM-DD, included")] = None,
    before: Annotated[int | None, Query(ge=1, le=9_223_372_036_854_775_807, description="only events older than this sequence number")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = service.PAGE_SIZE,
) -> AuditEventPage:
    if dates_reversed(date_from, date_to):
        raise InvalidInput(errors=[FieldError("date_from", DATES_REVERSED)])
    event_filter = service.build_filter(
        actor,
        timezone=settings.timezone,
        organisation_id=organisation_id,
        action=action,
        account_id=account_id,
        record_type=record_type,
        record_id=record_id,
        date_from=date_from.isoformat() if date_from else None,
        date_to=date_to.isoformat() if date_to else None,
        before=before,
    )
    page = service.read_events(session, actor, event_filter, limit=limit, request_id=request_id(request))
    return AuditEventPage(
        events=[
            AuditEventOut(
                seq=row.event.seq,
                stripe=row.event.stripe,
                stripe_seq=row.event.stripe_seq,
                at=row.event.at,
                account_id=row.event.account_id,
                account_name=row.account_name,
                organisation_id=row.event.organisation_id,
                organisation_name=row.organisation_name,
                action=row.event.action,
                record_type=row.event.record_type,
                record_id=row.event.record_id,
                outcome=row.event.outcome,
                request_id=row.event.request_id,
                previous_hash=row.event.previous_hash,
                hash=row.event.hash,
            )
            for row in page.rows
        ],
        next_before=page.next_before,
        head=ChainHead(seq=page.head_seq, value=page.head),
    )
