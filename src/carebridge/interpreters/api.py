"""JSON API of the interpreters domain under /api/v1 (issue 11): the register, finding and booking an interpreter for a
person, cancelling, recording an external interpreter's answer, the interpreter's own bookings and answering them,
and the demand figures.

The same services, permissions and scope as the pages. A person, booking or interpreter out of reach is 404 like a
missing one; a booking that lost a race for the interpreter's time is 409. Every error is a problem document
(RFC 9457).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from carebridge.accounts.access import Actor, requires
from carebridge.audit import service as audit
from carebridge.clients import service as clients
from carebridge.interpreters import service
from carebridge.interpreters.models import InterpreterBooking
from carebridge.problems import problem_responses
from carebridge.web import SessionDep, SettingsDep, request_id

router = APIRouter(prefix="/api/v1", tags=["staff: interpreters"])
Booker = Annotated[Actor, Depends(requires("interpreter.book"))]
Keeper = Annotated[Actor, Depends(requires("interpreter.manage"))]
Responder = Annotated[Actor, Depends(requires("interpreting.respond"))]
Reporter = Annotated[Actor, Depends(requires("report.aggregate"))]

S401 = "Not signed in (no valid staff session, or the second factor is not done yet)."
S403 = "Signed in, but the account's roles do not hold the permission."
S404 = "No such person, booking or interpreter, or not one the caller may see (the same answer)."
S409 = "The interpreter was just booked by someone else for that time, or the booking was already answered or cancelled."
VISIBLE = r"^[^\x00-\x1F\x7F-\x9F]*$"
MULTILINE = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$"
Id = Annotated[str, Field(max_length=36, pattern=VISIBLE)]
Short = Annotated[str, Field(max_length=200, pattern=VISIBLE)]
Modality = Literal["in-person", "phone", "video"]
Status = Literal["requested", "accepted", "declined", "cancelled"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LanguageIn(_Model):
    tag: Annotated[str, Field(max_length=35, pattern=VISIBLE, description="BCP 47 with the dialect: ar-SY, prs, ckb, kmr...")]
    community: bool = Field(False, description="A member of the local community that speaks this language.")


class RuleIn(_Model):
    byday: Annotated[str, Field(max_length=40, pattern=VISIBLE, description="MO,TU,WE,TH,FR,SA,SU")]
    opens_at: Annotated[str, Field(max_length=5, pattern=VISIBLE, description="HH:MM, the deployment's time zone")]
    closes_at: Annotated[str, Field(max_length=5, pattern=VISIBLE)]


class InterpreterIn(_Model):
    kind: Literal["interpreter", "cultural-mediator"] = "interpreter"
    account_id: Id | None = Field(None, description="A member of staff with the interpreter or cultural-mediator role; "
                                  "omit for an external interpreter.")
    name: Short = Field("", description="External interpreters only; sealed with their own key.")
    contact: Annotated[str, Field(max_length=500, pattern=VISIBLE)] = ""
    gender: Literal["female", "male", "other"] | None = None
    languages: list[LanguageIn] = Field(max_length=12)
    modalities: list[Modality] = Field(max_length=3)
    areas: list[Annotated[str, Field(max_length=80, pattern=VISIBLE)]] = Field(default_factory=list, max_length=20)
    availability: list[RuleIn] = Field(default_factory=list, max_length=14)
    accreditation_body: Annotated[str, Field(max_length=120, pattern=VISIBLE)] = ""
    accreditation_level: Annotated[str, Field(max_length=60, pattern=VISIBLE)] = ""
    accreditation_expires: dt.date | None = None
    active: bool = True


class InterpreterChange(InterpreterIn):
    version: int = Field(ge=1, description="The version read; a stale one is 409.")


class LanguageOut(BaseModel):
    tag: str
    community: bool


class InterpreterOut(BaseModel):
    id: str
    kind: str
    staff: bool
    name: str
    gender: str | None
    languages: list[LanguageOut]
    modalities: list[str]
    areas: list[str]
    availability: list[dict[str, str]]
    accreditation_body: str | None
    accreditation_level: str | None
    accreditation_expires: dt.date | None
    accredited: bool = Field(description="Accreditation valid today.")
    active: bool
    version: int


class InterpreterList(BaseModel):
    items: list[InterpreterOut]


class SearchIn(_Model):
    language: Annotated[str, Field(max_length=35, pattern=VISIBLE)]
    modality: Modality = "in-person"
    gender: Literal["any", "female", "male"] = "any"
    starts_at: dt.datetime | None = Field(None, description="Needed unless appointment_id is given (which gives the time and modality).")
    ends_at: dt.datetime | None = None
    appointment_id: Id | None = None
    referral_id: Id | None = None
    allow_unaccredited: bool = False


class MatchOut(BaseModel):
    interpreter: InterpreterOut
    match: Literal["exact", "macro"] = Field(description="exact: the dialect asked for; macro: same macro-language, another dialect.")
    language: str
    booked_hours_that_week: float


class RefusalOut(BaseModel):
    interpreter_id: str
    name: str
    reason: Literal["language", "modality", "gender", "unavailable", "booked", "excluded", "community", "unaccredited", "inactive"]


class SearchOut(BaseModel):
    matches: list[MatchOut]
    not_proposed: list[RefusalOut]


class BookIn(SearchIn):
    client_id: Id
    interpreter_id: Id
    name_to_use: Short = Field("", description="What the interpreter calls the person; empty: their preferred name.")
    where: Annotated[str, Field(max_length=500, pattern=MULTILINE)] = ""


class BookingOut(BaseModel):
    id: str
    client_id: str
    interpreter_id: str
    appointment_id: str | None
    referral_id: str | None
    starts_at: dt.datetime
    ends_at: dt.datetime
    language: str
    modality: str
    status: Status
    unaccredited_allowed: bool
    has_video_link: bool


class BookingList(BaseModel):
    items: list[BookingOut]


class MyBookingOut(BaseModel):
    id: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    language: str
    modality: str
    status: Status
    name_to_use: str
    where: str
    video_link: str | None


class MyBookingList(BaseModel):
    items: list[MyBookingOut] = Field(description="The caller's live bookings from a day ago on; nothing else about the people.")


class AnswerIn(_Model):
    answer: Literal["accept", "decline"]


class ExclusionIn(_Model):
    interpreter_id: Id
    reason: Annotated[str, Field(max_length=500, pattern=MULTILINE)] = ""


class ExclusionOut(BaseModel):
    id: str
    interpreter_id: str


class DemandRowOut(BaseModel):
    month: str
    language: str
    bookings: int | None = Field(description="None: fewer than the threshold (suppressed).")
    booked_hours: float | None
    delivered_hours: float | None
    unmet: int | None = Field(description="Searches that found nobody; None: fewer than the threshold.")


class DemandOut(BaseModel):
    organisation_id: str | None = Field(description="None: every organisation.")
    threshold: int
    items: list[DemandRowOut]


def _interpreter(entry: service.Entry) -> InterpreterOut:
    row = entry.interpreter
    return InterpreterOut(
        id=row.id, kind=row.kind, staff=entry.staff, name=entry.name, gender=row.gender,
        languages=[LanguageOut(tag=item.get("tag", ""), community=bool(item.get("community"))) for item in row.languages or []],
        modalities=list(row.modalities or []), areas=list(row.areas or []),
        availability=[{key: str(value) for key, value in rule.items()} for rule in row.availability or []],
        accreditation_body=row.accreditation_body, accreditation_level=row.accreditation_level,
        accreditation_expires=row.accreditation_expires, accredited=entry.accredited, active=row.active, version=row.version,
    )


def _booking(booking: InterpreterBooking) -> BookingOut:
    return BookingOut(
        id=booking.id, client_id=booking.client_id, interpreter_id=booking.interpreter_id, appointment_id=booking.appointment_id,
        referral_id=booking.referral_id, starts_at=booking.starts_at, ends_at=booking.ends_at, language=booking.language,
        modality=booking.modality, status=booking.status, unaccredited_allowed=booking.unaccredited_allowed,  # type: ignore[arg-type]
        has_video_link=booking.video_link is not None,
    )


def _input(body: InterpreterIn) -> service.InterpreterInput:
    return service.InterpreterInput(
        kind=body.kind, account_id=body.account_id, name=body.name, contact=body.contact, gender=body.gender,
        languages=[item.model_dump() for item in body.languages], modalities=list(body.modalities), areas=list(body.areas),
        availability=[item.model_dump() for item in body.availability], accreditation_body=body.accreditation_body,
        accreditation_level=body.accreditation_level, accreditation_expires=body.accreditation_expires, active=body.active,
    )


def _search(body: SearchIn) -> service.Search:
    return service.Search(
        language=body.language, modality=body.modality, gender=body.gender, starts_at=body.starts_at, ends_at=body.ends_at,
        allow_unaccredited=body.allow_unaccredited, appointment_id=body.appointment_id, referral_id=body.referral_id,
    )


@router.get(
    "/interpreters",
    response_model=InterpreterList,
    summary="The register of interpreters and cultural mediators",
    description="The caller's organisation's register, by name (no person). Needs `interpreter.book`.",
    responses=problem_responses(401, 403, 422, s401=S401, s403=S403),
)
def list_interpreters(session: SessionDep, settings: SettingsDep, actor: Booker) -> InterpreterList:
    return InterpreterList(items=[_interpreter(entry) for entry in service.register(session, settings, actor,
                                                                                    include_inactive=actor.can("interpreter.manage"))])


@router.post(
    "/interpreters",
    status_code=201,
    response_model=InterpreterOut,
    summary="Add an interpreter or cultural mediator to the register",
    description="A member of staff (by account) or an external interpreter (name and contact sealed with their own key). "
    "Audited `interpreter.create`. Needs `interpreter.manage`.",
    responses=problem_responses(401, 403, 422, s401=S401, s403=S403),
)
def create_interpreter(request: Request, session: SessionDep, settings: SettingsDep, actor: Keeper, body: InterpreterIn) -> InterpreterOut:
    row = service.create_interpreter(session, settings, actor, _input(body), request_id=request_id(request))
    return _interpreter(service.entry(session, settings, actor, row.id))


@router.put(
    "/interpreters/{interpreter_id}",
    response_model=InterpreterOut,
    summary="Change an entry of the register",
    description="The whole entry, with the version read. Audited `interpreter.update`. Needs `interpreter.manage`.",
    responses=problem_responses(401, 403, 404, 409, 422, s401=S401, s403=S403, s404=S404, s409="Someone else changed the entry."),
)
def update_interpreter(request: Request, session: SessionDep, settings: SettingsDep, actor: Keeper, interpreter_id: str,
                       body: InterpreterChange) -> InterpreterOut:
    row = service.update_interpreter(session, settings, actor, interpreter_id, _input(body), version=body.version, request_id=request_id(request))
    return _interpreter(service.entry(session, settings, actor, row.id))


@router.post(
    "/clients/{client_id}/interpreting/search",
    response_model=SearchOut,
    summary="Find an interpreter for a person",
    description="Who can interpret at that time, best first (exact dialect, then the same macro-language), and who was "
    "left out and why. Applies the person's gender wish, 'not someone from my community' and named exclusions. A search "
    "that finds nobody is counted (no person). Audited `interpreting.search`. Needs `interpreter.book` (the person in scope).",
    responses=problem_responses(401, 403, 404, 422, s401=S401, s403=S403, s404=S404),
)
def search(request: Request, session: SessionDep, settings: SettingsDep, actor: Booker, client_id: str, body: SearchIn) -> SearchOut:
    found = service.find(session, settings, actor, client_id, _search(body), request_id=request_id(request))
    return SearchOut(
        matches=[MatchOut(interpreter=_interpreter(entry), match=match.match, language=match.language,  # type: ignore[arg-type]
                          booked_hours_that_week=match.booked_hours) for match, entry in found.matches],
        not_proposed=[RefusalOut(interpreter_id=refusal.candidate_id, name=entry.name, reason=refusal.reason)  # type: ignore[arg-type]
                      for refusal, entry in found.refusals],
    )


@router.get(
    "/clients/{client_id}/interpreting/bookings",
    response_model=BookingList,
    summary="A person's interpreter bookings",
    description="Newest first. Audited `interpreting.read`. Needs `interpreter.book` (the person in scope).",
    responses=problem_responses(401, 403, 404, 422, s401=S401, s403=S403, s404=S404),
)
def client_bookings(request: Request, session: SessionDep, actor: Booker, client_id: str) -> BookingList:
    client = clients.find_client(session, actor, client_id, "interpreter.book")
    audit.record(session, "interpreting.read", actor=actor, record_type=clients.RECORD_TYPE, record_id=client.id, request_id=request_id(request))
    return BookingList(items=[_booking(booking) for booking in service.bookings_of_client(session, client.id)])


@router.post(
    "/clients/{client_id}/interpreting/exclusions",
    status_code=201,
    response_model=ExclusionOut,
    summary="Never propose this interpreter for the person",
    description="The reason is sealed with the person's key. Audited `interpreting.exclusion.add`. Needs `interpreter.book`.",
    responses=problem_responses(401, 403, 404, 422, s401=S401, s403=S403, s404=S404),
)
def add_exclusion(request: Request, session: SessionDep, settings: SettingsDep, actor: Booker, client_id: str, body: ExclusionIn) -> ExclusionOut:
    row = service.add_exclusion(session, settings, actor, client_id, body.interpreter_id, body.reason, request_id=request_id(request))
    return ExclusionOut(id=row.id, interpreter_id=row.interpreter_id)


@router.delete(
    "/clients/{client_id}/interpreting/exclusions/{exclusion_id}",
    status_code=204,
    summary="Take an interpreter off the person's exclusions",
    description="Audited `interpreting.exclusion.remove`. Needs `interpreter.book`.",
    responses=problem_responses(401, 403, 404, 422, s401=S401, s403=S403, s404=S404),
)
def remove_exclusion(request: Request, session: SessionDep, actor: Booker, client_id: str, exclusion_id: str) -> None:
    service.remove_exclusion(session, actor, client_id, exclusion_id, request_id=request_id(request))


@router.post(
    "/interpreting/bookings",
    status_code=201,
    response_model=BookingOut,
    summary="Book an interpreter for a person",
    description="For an appointment (its time and modality) or a referral or a time given. The interpreter must still be "
    "proposed for that time; the database holds each 15-minute slot once, so of two bookings racing for the same time "
    "one is 409. Video: a meeting link from the configured template, sealed. The interpreter is told (payload-free). "
    "Audited `interpreting.book`. Needs `interpreter.book` (the person in scope).",
    responses=problem_responses(401, 403, 404, 409, 422, s401=S401, s403=S403, s404=S404, s409=S409),
)
def book(request: Request, session: SessionDep, settings: SettingsDep, actor: Booker, body: BookIn) -> BookingOut:
    booking = service.book(session, settings, actor, body.client_id, body.interpreter_id, _search(body), name_to_use=body.name_to_use,
                           where=body.where, request_id=request_id(request))
    return _booking(booking)


@router.get(
    "/interpreting/bookings",
    response_model=MyBookingList,
    summary="The interpreter's own bookings",
    description="When, how and where, the language and the name to use: nothing else. Each person audited "
    "`interpreting.list`. Needs `interpreting.respond`.",
    responses=problem_responses(401, 403, 422, s401=S401, s403=S403),
)
def my_bookings(request: Request, session: SessionDep, settings: SettingsDep, actor: Responder) -> MyBookingList:
    return MyBookingList(items=[
        MyBookingOut(id=item.booking.id, starts_at=item.booking.starts_at, ends_at=item.booking.ends_at, language=item.booking.language,
                     modality=item.booking.modality, status=item.booking.status, name_to_use=item.name_to_use,  # type: ignore[arg-type]
                     where=item.where, video_link=item.video_link)
        for item in service.my_bookings(session, settings, actor, request_id=request_id(request))
    ])


@router.post(
    "/interpreting/bookings/{booking_id}/answer",
    response_model=MyBookingOut,
    summary="Accept or decline one's own booking",
    description="Declining frees the time. The booker is told (payload-free). Audited `interpreting.accept` / "
    "`interpreting.decline`. Needs `interpreting.respond` (own bookings only).",
    responses=problem_responses(401, 403, 404, 409, 422, s401=S401, s403=S403, s404=S404, s409=S409),
)
def answer(request: Request, session: SessionDep, settings: SettingsDep, actor: Responder, booking_id: str, body: AnswerIn) -> MyBookingOut:
    booking = service.answer(session, settings, actor, booking_id, accept=body.answer == "accept", request_id=request_id(request))
    shown = service.details(session, settings, booking)
    return MyBookingOut(id=booking.id, starts_at=booking.starts_at, ends_at=booking.ends_at, language=booking.language,
                        modality=booking.modality, status=booking.status, name_to_use=shown["name_to_use"],  # type: ignore[arg-type]
                        where=shown["where"], video_link=service.video_link(session, settings, booking))


@router.post(
    "/interpreting/bookings/{booking_id}/record-answer",
    response_model=BookingOut,
    summary="Record an external interpreter's answer",
    description="For interpreters without an account only. Audited `interpreting.accept` / `interpreting.decline`. "
    "Needs `interpreter.book` (the person in scope).",
    responses=problem_responses(401, 403, 404, 409, 422, s401=S401, s403=S403, s404=S404, s409=S409),
)
def record_answer(request: Request, session: SessionDep, settings: SettingsDep, actor: Booker, booking_id: str, body: AnswerIn) -> BookingOut:
    return _booking(service.answer(session, settings, actor, booking_id, accept=body.answer == "accept", as_booker=True,
                                   request_id=request_id(request)))


@router.post(
    "/interpreting/bookings/{booking_id}/cancel",
    response_model=BookingOut,
    summary="Cancel a booking",
    description="Frees the time; the interpreter is told (payload-free). Audited `interpreting.cancel`. Needs "
    "`interpreter.book` (the person in scope).",
    responses=problem_responses(401, 403, 404, 409, 422, s401=S401, s403=S403, s404=S404, s409=S409),
)
def cancel(request: Request, session: SessionDep, settings: SettingsDep, actor: Booker, booking_id: str) -> BookingOut:
    return _booking(service.cancel(session, settings, actor, booking_id, request_id=request_id(request)))


@router.get(
    "/reports/interpreting",
    response_model=DemandOut,
    summary="Interpreting demand",
    description="Hours booked and delivered and searches that found nobody, by month and language, for the last six "
    "months; counts under the threshold are null. The caller's organisation (`report.aggregate`); with "
    "`report.all-organisations`, every organisation or the one named. Audited `report.interpreting`.",
    responses=problem_responses(401, 403, 422, s401=S401, s403=S403),
)
def demand(request: Request, session: SessionDep, settings: SettingsDep, actor: Reporter,
           organisation: Annotated[str | None, Field(max_length=36, pattern=VISIBLE)] = None) -> Any:
    report = service.demand(session, settings, actor, organisation_id=organisation or None, request_id=request_id(request))
    return DemandOut(organisation_id=report.organisation_id, threshold=report.threshold,
                     items=[DemandRowOut(**row.__dict__) for row in report.rows])
