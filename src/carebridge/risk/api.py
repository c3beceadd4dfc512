"""JSON API of the risk domain under /api/v1 (issue 10): a person's risk flags and raising one, the clinician's open
flags, one flag, closing it with an outcome, adding "what I did", and the duty rota.

The same services, permissions and scope as the pages: raising and adding notes need risk.raise (the person in the
caller's scope), reading a flag and closing it risk.respond (organisation-wide for flags), the rota risk.oversee. A
flag or person out of reach is 404 like a missing one. Every error is a problem document (RFC 9457).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from carebridge.accounts.access import Actor, requires
from carebridge.audit import service as audit
from carebridge.clients import service as clients
from carebridge.clients.models import Client
from carebridge.problems import problem_responses
from carebridge.risk import service
from carebridge.risk.models import RiskFlag
from carebridge.web import SessionDep, SettingsDep, request_id

router = APIRouter(prefix="/api/v1", tags=["staff: risk flags"])
Raiser = Annotated[Actor, Depends(requires("risk.raise"))]
Responder = Annotated[Actor, Depends(requires("risk.respond"))]
Overseer = Annotated[Actor, Depends(requires("risk.oversee"))]

S401 = "Not signed in (no valid staff session, or the second factor is not done yet)."
S403 = "Signed in, but the account's roles do not hold the permission."
S404 = "No such person or flag, or not one the caller may see (the same answer)."
S409 = "The flag is already closed."
TRANSPORT_LIMIT = 20_000
MULTILINE = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$"
VISIBLE = r"^[^\x00-\x1F\x7F-\x9F]*$"
LongText = Annotated[str | None, Field(max_length=TRANSPORT_LIMIT, pattern=MULTILINE)]

Source = Literal["screening", "worker", "safeguarding"]
Outcome = Literal["risk-assessed", "plan-made", "referred-on"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RaiseIn(_Model):
    """`seen`: what the worker saw or heard (needed); `done`: what they did."""

    source: Literal["worker", "safeguarding"]
    seen: LongText = None
    done: LongText = None


class NoteIn(_Model):
    note: str = Field(max_length=TRANSPORT_LIMIT, pattern=MULTILINE, description="What I did; at most 5,000 characters.")


class CloseIn(_Model):
    outcome: Outcome
    notes: str = Field(max_length=TRANSPORT_LIMIT, pattern=MULTILINE, description="What the clinician found and did.")


class FlagOut(BaseModel):
    id: str
    client_id: str
    source: Source
    status: Literal["open", "closed"]
    raised_at: dt.datetime
    due_at: dt.datetime
    assigned_to_me: bool
    unassigned: bool = Field(description="Nobody was on duty: every clinician of the organisation sees it.")
    escalated_at: dt.datetime | None
    closed_at: dt.datetime | None
    outcome: Outcome | None


class FlagList(BaseModel):
    items: list[FlagOut]


class OpenFlagOut(FlagOut):
    preferred_name: str


class OpenFlagList(BaseModel):
    items: list[OpenFlagOut] = Field(description="Open flags given to the caller or to nobody, soonest due first.")


class NoteOut(BaseModel):
    by: str | None
    at: dt.datetime
    text: str


class ScreeningOut(BaseModel):
    instrument: str
    completed_at: dt.datetime
    total: int
    item9: Any = None


class FlagDetail(FlagOut):
    preferred_name: str
    languages: list[str]
    interpreter_needed: bool
    interpreter_language: str | None
    do_not_contact: bool
    contact: list[dict[str, str | None]] = Field(description="Kinds of contact and their safe times (no numbers).")
    seen: str
    done: str
    notes: list[NoteOut]
    outcome_notes: str | None
    screening: ScreeningOut | None


class DutyEntry(_Model):
    account_id: str = Field(max_length=36, pattern=VISIBLE)
    day: dt.date
    phone: str | None = Field(None, max_length=40, pattern=VISIBLE)


class DutyOut(BaseModel):
    account_id: str
    name: str
    day: dt.date
    phone: str | None


class Rota(BaseModel):
    items: list[DutyOut] = Field(description="The next 14 days of the deployment's time zone, today first.")


def _out(flag: RiskFlag, actor: Actor) -> dict[str, Any]:
    return {
        "id": flag.id,
        "client_id": flag.client_id,
        "source": flag.source,
        "status": flag.status,
        "raised_at": flag.raised_at,
        "due_at": flag.due_at,
        "assigned_to_me": flag.assigned_to == actor.account_id,
        "unassigned": flag.assigned_to is None,
        "escalated_at": flag.escalated_at,
        "closed_at": flag.closed_at,
        "outcome": flag.outcome,
    }


@router.get(
    "/clients/{client_id}/risk-flags",
    response_model=FlagList,
    summary="A person's risk flags",
    description="Newest first, without what was seen or done. Audited `risk.list`. Needs `risk.raise` (the person in scope).",
    responses=problem_responses(401, 403, 404, 422, s401=S401, s403=S403, s404=S404),
)
def list_client_flags(request: Request, session: SessionDep, actor: Raiser, client_id: str) -> FlagList:
    client = clients.find_client(session, actor, client_id, "risk.raise")
    audit.record(session, "risk.list", actor=actor, record_type=clients.RECORD_TYPE, record_id=client.id, request_id=request_id(request))
    return FlagList(items=[FlagOut(**_out(flag, actor)) for flag in service.flags_of_client(session, client.id)])


@router.post(
    "/clients/{client_id}/risk-flags",
    status_code=201,
    response_model=FlagOut,
    summary="Raise a risk flag",
    description="Risk to self or others (the worker's judgement) or a safeguarding concern. Given to the clinician on "
    "duty today, who is told (payload-free). Audited `risk.raise-worker` / `risk.raise-safeguarding`. Needs `risk.raise`.",
    responses=problem_responses(401, 403, 404, 422, s401=S401, s403=S403, s404=S404),
)
def raise_flag(request: Request, session: SessionDep, settings: SettingsDep, actor: Raiser, client_id: str, body: RaiseIn) -> FlagOut:
    flag = service.raise_by_worker(
        session, settings, actor, client_id, source=body.source, seen=body.seen, done=body.done, request_id=request_id(request)
    )
    return FlagOut(**_out(flag, actor))


@router.get(
    "/risk-flags",
    response_model=OpenFlagList,
    summary="The clinician's open risk flags",
    description="Open flags of the caller's organisation given to them or to nobody. Each person audited `risk.list`. "
    "Needs `risk.respond`.",
    responses=problem_responses(401, 403, 422, s401=S401, s403=S403),
)
def open_flags(request: Request, session: SessionDep, settings: SettingsDep, actor: Responder) -> OpenFlagList:
    flags = service.open_flags_for(session, actor)
    client_ids = list(dict.fromkeys(flag.client_id for flag in flags))
    people = list(session.query(Client).filter(Client.id.in_(client_ids))) if client_ids else []
    profiles = clients.open_profiles(session, settings, people)
    if client_ids:
        audit.record_many(session, "risk.list", actor=actor, record_type=clients.RECORD_TYPE, record_ids=client_ids,
                          request_id=request_id(request))
    return OpenFlagList(
        items=[
            OpenFlagOut(**_out(flag, actor), preferred_name=profiles[flag.client_id].preferred_name if flag.client_id in profiles else "")
            for flag in flags
        ]
    )


def _detail(view: service.FlagView, actor: Actor) -> FlagDetail:
    return FlagDetail(
        **_out(view.flag, actor),
        preferred_name=view.preferred_name,
        languages=view.languages,
        interpreter_needed=view.interpreter_needed,
        interpreter_language=view.interpreter_language,
        do_not_contact=view.do_not_contact,
        contact=view.contact,
        seen=view.seen,
        done=view.done,
        notes=[NoteOut(**note) for note in view.notes],
        outcome_notes=view.outcome_notes,
        screening=ScreeningOut(**{key: view.screening[key] for key in ("instrument", "completed_at", "total", "item9")}) if view.screening else None,
    )


@router.get(
    "/risk-flags/{flag_id}",
    response_model=FlagDetail,
    summary="One risk flag, for the clinician",
    description="What the clinician needs to act. Audited `risk.read` on the person. Needs `risk.respond`.",
    responses=problem_responses(401, 403, 404, 422, s401=S401, s403=S403, s404=S404),
)
def read_flag(request: Request, session: SessionDep, settings: SettingsDep, actor: Responder, flag_id: str) -> FlagDetail:
    return _detail(service.read_flag(session, settings, actor, flag_id, request_id=request_id(request)), actor)


@router.post(
    "/risk-flags/{flag_id}/close",
    response_model=FlagOut,
    summary="Close a risk flag with an outcome",
    description="Only a clinician. Audited `risk.close`. Needs `risk.respond`.",
    responses=problem_responses(401, 403, 404, 409, 422, s401=S401, s403=S403, s404=S404, s409=S409),
)
def close_flag(request: Request, session: SessionDep, settings: SettingsDep, actor: Responder, flag_id: str, body: CloseIn) -> FlagOut:
    flag = service.close_flag(session, settings, actor, flag_id, outcome=body.outcome, notes=body.notes, request_id=request_id(request))
    return FlagOut(**_out(flag, actor))


@router.post(
    "/risk-flags/{flag_id}/notes",
    response_model=FlagOut,
    summary="Add what I did to an open risk flag",
    description="Anyone who may raise a flag for the person (or a clinician). Audited `risk.note`. Needs `risk.raise`.",
    responses=problem_responses(401, 403, 404, 409, 422, s401=S401, s403=S403, s404=S404, s409=S409),
)
def add_note(request: Request, session: SessionDep, settings: SettingsDep, actor: Raiser, flag_id: str, body: NoteIn) -> FlagOut:
    flag = service.add_note(session, settings, actor, flag_id, body.note, request_id=request_id(request))
    return FlagOut(**_out(flag, actor))


def _rota(session: Any, settings: Any, actor: Actor) -> Rota:
    return Rota(
        items=[
            DutyOut(account_id=account.id, name=account.name, day=day, phone=duty.phone)
            for day, entries in service.rota(session, settings, actor.organisation_id)
            for duty, account in entries
        ]
    )


@router.get(
    "/duty",
    response_model=Rota,
    summary="The duty rota",
    description="Which clinicians are on duty on each of the next 14 days. Needs `risk.oversee`.",
    responses=problem_responses(401, 403, 422, s401=S401, s403=S403),
)
def get_rota(session: SessionDep, settings: SettingsDep, actor: Overseer) -> Rota:
    return _rota(session, settings, actor)


@router.put(
    "/duty",
    response_model=Rota,
    summary="Replace the duty rota",
    description="The next 14 days become exactly the entries given (each a clinician of the caller's organisation). "
    "Audited `risk.duty.add` / `risk.duty.remove`. Needs `risk.oversee`.",
    responses=problem_responses(401, 403, 422, s401=S401, s403=S403),
)
def put_rota(request: Request, session: SessionDep, settings: SettingsDep, actor: Overseer,
             body: list[DutyEntry]) -> Rota:
    service.replace_rota(session, settings, actor, [entry.model_dump() for entry in body], request_id=request_id(request))
    return _rota(session, settings, actor)
