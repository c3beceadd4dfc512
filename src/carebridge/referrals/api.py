"""JSON API of the referrals domain under /api/v1: create a draft, send it, move it, read it, the referrals sent and
the inbox — the same services, permissions, consent gate and minimum necessary as the pages.

One address per side: /api/v1/referrals/... is the referrer's (referral.send), /api/v1/referrals/inbox/... the
receiving organisation's (referral.receive), which sees only what the referral shares while it is open and the
person's consent is in force. A referral or person out of reach is 404 like a missing one; a stale version or a move
the state does not allow 409; a missing consent 409 (consent-required). Every error is a problem document (RFC 9457).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from carebridge.accounts.access import Actor, requires
from carebridge.problems import problem_responses
from carebridge.referrals import service
from carebridge.referrals.models import Referral
from carebridge.referrals.states import Party
from carebridge.web import SessionDep, SettingsDep, request_id

router = APIRouter(prefix="/api/v1", tags=["staff: referrals"])
Sender = Annotated[Actor, Depends(requires("referral.send"))]
Receiver = Annotated[Actor, Depends(requires("referral.receive"))]

S401 = "Not signed in (no valid staff session, or the second factor is not done yet)."
S403 = "Signed in, but the account's roles (or the party it plays) do not allow it."
S404 = "No such referral or person, or not one the caller may see (the same answer)."
S409 = "Stale version, a move the referral's state does not allow now, or no consent to share (consent-required)."
TRANSPORT_LIMIT = 10_000
MULTILINE = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$"
VISIBLE = r"^[^\x00-\x1F\x7F-\x9F]*$"
Text = Annotated[str | None, Field(max_length=TRANSPORT_LIMIT, pattern=MULTILINE)]

StateName = Literal["draft", "requested", "accepted", "rejected", "cancelled", "in-progress", "on-hold", "completed",
                    "failed", "entered-in-error"]
MoveTarget = Literal["accepted", "rejected", "cancelled", "in-progress", "on-hold", "completed", "failed", "entered-in-error"]
ReasonCode = Literal["not-eligible", "no-capacity", "person-declined", "person-unreachable", "duplicate", "safeguarding", "other"]
ShareItem = Literal["name", "languages", "reason", "contact", "immigration"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CreateIn(_Model):
    client_id: str = Field(max_length=36, pattern=VISIBLE)
    service_at_location_id: str = Field(max_length=64, pattern=VISIBLE, description="The directory's service at a location.")
    kind: Literal["referral", "social-prescribing"] = "referral"
    priority: Literal["routine", "urgent"] = "routine"
    reason: str = Field(max_length=TRANSPORT_LIMIT, pattern=MULTILINE, description="Why the person is referred (shareable).")
    note: Text = Field(None, description="For the person's printout: what to bring. Never shared with the receiver.")


class SendIn(_Model):
    version: int = Field(ge=1, le=1_000_000)
    share: list[ShareItem] = Field(default_factory=list, max_length=5, description="What the receiver may see.")
    channel_id: str | None = Field(None, max_length=36, pattern=VISIBLE, description="The contact route to share.")
    eligibility_needs_immigration: bool = False
    override_reason: Text = Field(None, description="Only without consent, in a safeguarding emergency (needs "
                                                    "referral.consent-override).")


class MoveIn(_Model):
    to: MoveTarget
    version: int = Field(ge=1, le=1_000_000)
    reason: ReasonCode | None = None
    words: Text = None
    outcome: Text = Field(None, description="What was done (needed to complete).")


class EventOut(BaseModel):
    at: dt.datetime
    party: Literal["referrer", "receiver", "system"]
    from_status: StateName | None
    to_status: StateName
    reason: str | None
    note: str | None


class ReferralOut(BaseModel):
    id: str
    kind: str
    status: StateName
    priority: Literal["routine", "urgent"]
    status_reason: str | None
    service_at_location_id: str
    service_name: str
    organization_name: str
    tracked_by_referrer: bool = Field(description="The receiving organisation does not use Carebridge.")
    contact_prohibited: bool = Field(description="Do not contact the person directly: contact the referrer.")
    shared_fields: list[str]
    version: int
    created_at: dt.datetime
    requested_at: dt.datetime | None
    closed_at: dt.datetime | None


class ReferralDetail(ReferralOut):
    client_id: str | None = Field(description="The referrer's side only.")
    shared: dict[str, Any] = Field(description="What the receiver sees (empty once access ended or consent was withdrawn).")
    reason_for_referral: str | None = Field(description="The referrer's side only.")
    note: str | None = Field(description="The referrer's side only.")
    outcome: str | None
    consent_override: bool
    moves: list[str] = Field(description="The moves the caller may make now, from this side.")
    events: list[EventOut]


class ReferralRow(ReferralOut):
    name: str | None = Field(description="The name to use: from the record (referrer) or as shared (receiver).")
    needs_attention: bool


class ReferralList(BaseModel):
    items: list[ReferralRow]
    total: int
    page: int
    per_page: int


def _out(referral: Referral, contact_prohibited: bool) -> dict[str, Any]:
    return {
        "id": referral.id, "kind": referral.kind, "status": referral.status, "priority": referral.priority,
        "status_reason": referral.status_reason, "service_at_location_id": referral.service_at_location_id,
        "service_name": referral.service_name, "organization_name": referral.organization_name,
        "tracked_by_referrer": referral.receiving_organisation_id is None, "contact_prohibited": contact_prohibited,
        "shared_fields": [item for item in (referral.shared_fields or "").split(",") if item], "version": referral.version,
        "created_at": referral.created_at, "requested_at": referral.requested_at, "closed_at": referral.closed_at,
    }


def _detail(view: service.ReferralView) -> ReferralDetail:
    return ReferralDetail(
        **_out(view.referral, view.contact_prohibited),
        client_id=view.client_id,
        shared=view.shared,
        reason_for_referral=view.details.get("reason") if view.referrer_side else None,
        note=view.details.get("note") if view.referrer_side else None,
        outcome=view.outcome,
        consent_override=view.referral.consent_override,
        moves=[move for move in view.moves if move != "requested"],
        events=[EventOut(at=event.at, party=event.party, from_status=event.from_status, to_status=event.to_status,  # type: ignore[arg-type]
                         reason=event.reason, note=event.note) for event in view.events],
    )


def _list(listing: service.Listing) -> ReferralList:
    return ReferralList(
        items=[ReferralRow(**_out(row.referral, row.contact_prohibited), name=row.name, needs_attention=row.needs_attention)
               for row in listing.rows],
        total=listing.total, page=listing.page, per_page=listing.per_page,
    )


@router.post(
    "/referrals",
    status_code=201,
    response_model=ReferralDetail,
    summary="Start a referral (a draft)",
    description="A draft from a person's record (in the caller's referral.send scope) to a directory service at a "
    "location. Audited `referral.create`. Needs `referral.send`.",
    responses=problem_responses(401, 403, 404, 422, s401=S401, s403=S403, s404=S404),
)
def create_referral(request: Request, session: SessionDep, settings: SettingsDep, actor: Sender, body: CreateIn) -> ReferralDetail:
    referral = service.create_referral(session, settings, actor, body.client_id, service_at_location_id=body.service_at_location_id,
                                       kind=body.kind, priority=body.priority, reason=body.reason, note=body.note,
                                       request_id=request_id(request))
    return _detail(service.read_referral(session, settings, actor, referral.id, side=Party.REFERRER, request_id=request_id(request)))


@router.get(
    "/referrals",
    response_model=ReferralList,
    summary="Referrals sent",
    description="Referrals of the caller's people (referral.send scope), those needing the referrer first, 50 a page. "
    "Each person named is audited `referral.list`. Needs `referral.send`.",
    responses=problem_responses(401, 403, 422, s401=S401, s403=S403),
)
def referrals_sent(request: Request, session: SessionDep, settings: SettingsDep, actor: Sender,
                   status: Annotated[StateName | None, Query()] = None,
                   page: Annotated[int, Query(ge=1, le=9999)] = 1) -> ReferralList:
    return _list(service.referrals_sent(session, settings, actor, status=status, page=page, request_id=request_id(request)))


@router.get(
    "/referrals/inbox",
    response_model=ReferralList,
    summary="Referrals received",
    description="Referrals sent to the caller's organisation: open ones urgent first then oldest first (closed=true: "
    "the ended ones, shells only), 50 a page. Needs `referral.receive`.",
    responses=problem_responses(401, 403, 422, s401=S401, s403=S403),
)
def inbox(request: Request, session: SessionDep, settings: SettingsDep, actor: Receiver,
          page: Annotated[int, Query(ge=1, le=9999)] = 1, closed: bool = False) -> ReferralList:
    return _list(service.inbox(session, settings, actor, page=page, closed=closed, request_id=request_id(request)))


@router.get(
    "/referrals/inbox/{referral_id}",
    response_model=ReferralDetail,
    summary="A referral received",
    description="Only what the referral shares, while it is open and the consent is in force. Audited "
    "`referral.read`. Needs `referral.receive`.",
    responses=problem_responses(401, 403, 404, 422, s401=S401, s403=S403, s404=S404),
)
def read_received(request: Request, session: SessionDep, settings: SettingsDep, actor: Receiver, referral_id: str) -> ReferralDetail:
    return _detail(service.read_referral(session, settings, actor, referral_id, side=Party.RECEIVER, request_id=request_id(request)))


@router.post(
    "/referrals/inbox/{referral_id}/move",
    response_model=ReferralDetail,
    summary="Answer a referral received",
    description="Accept, refuse, progress, hold, complete (with the outcome) or fail it, as the state table allows the "
    "receiver. Audited `referral.move`; the referrer is told. Needs `referral.receive`.",
    responses=problem_responses(401, 403, 404, 409, 422, s401=S401, s403=S403, s404=S404, s409=S409),
)
def move_received(request: Request, session: SessionDep, settings: SettingsDep, actor: Receiver, referral_id: str,
                  body: MoveIn) -> ReferralDetail:
    service.move(session, settings, actor, referral_id, body.to, version=body.version, reason=body.reason,
                 words=body.words, outcome=body.outcome, side=Party.RECEIVER, request_id=request_id(request))
    return _detail(service.read_referral(session, settings, actor, referral_id, side=Party.RECEIVER, request_id=request_id(request)))


@router.get(
    "/referrals/{referral_id}",
    response_model=ReferralDetail,
    summary="A referral sent",
    description="The referrer's view: everything, with the outcome. Audited `referral.read`. Needs `referral.send`.",
    responses=problem_responses(401, 403, 404, 422, s401=S401, s403=S403, s404=S404),
)
def read_sent(request: Request, session: SessionDep, settings: SettingsDep, actor: Sender, referral_id: str) -> ReferralDetail:
    return _detail(service.read_referral(session, settings, actor, referral_id, side=Party.REFERRER, request_id=request_id(request)))


@router.post(
    "/referrals/{referral_id}/send",
    response_model=ReferralDetail,
    summary="Send a draft referral",
    description="Copies the chosen items, sealed, for the receiver. Needs the person's share consent for the receiving "
    "organisation (409 consent-required), unless the caller holds referral.consent-override and gives a safeguarding "
    "reason. Audited `referral.send`. Needs `referral.send`.",
    responses=problem_responses(401, 403, 404, 409, 422, s401=S401, s403=S403, s404=S404, s409=S409),
)
def send_referral(request: Request, session: SessionDep, settings: SettingsDep, actor: Sender, referral_id: str,
                  body: SendIn) -> ReferralDetail:
    service.send_referral(session, settings, actor, referral_id, version=body.version, share=list(body.share),
                          channel_id=body.channel_id, eligibility_needs_immigration=body.eligibility_needs_immigration,
                          override_reason=body.override_reason, request_id=request_id(request))
    return _detail(service.read_referral(session, settings, actor, referral_id, side=Party.REFERRER, request_id=request_id(request)))


@router.post(
    "/referrals/{referral_id}/move",
    response_model=ReferralDetail,
    summary="Move a referral sent",
    description="Cancel it or mark it entered in error (and, for a referral tracked by the referrer, record the "
    "service's answers). Audited `referral.move`; the receiving organisation is told. Needs `referral.send`.",
    responses=problem_responses(401, 403, 404, 409, 422, s401=S401, s403=S403, s404=S404, s409=S409),
)
def move_sent(request: Request, session: SessionDep, settings: SettingsDep, actor: Sender, referral_id: str,
              body: MoveIn) -> ReferralDetail:
    service.move(session, settings, actor, referral_id, body.to, version=body.version, reason=body.reason,
                 words=body.words, outcome=body.outcome, side=Party.REFERRER, request_id=request_id(request))
    return _detail(service.read_referral(session, settings, actor, referral_id, side=Party.REFERRER, request_id=request_id(request)))
