"""The appointments API: a person's appointments, booking, changing (with the version read: 409 when stale) and
marking what happened. Every route needs person.read or person.write on a person in the caller's scope; reads and
writes are audited (appointment.*). Times are aware ISO 8601 moments; the day list is a staff page only."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from carebridge.accounts.access import Actor, requires
from carebridge.appointments import service
from carebridge.kit import clock
from carebridge.problems import problem_responses
from carebridge.web import SessionDep, SettingsDep, request_id

router = APIRouter(prefix="/api/v1", tags=["staff: appointments"])
Reader = Annotated[Actor, Depends(requires("person.read"))]
Writer = Annotated[Actor, Depends(requires("person.write"))]

S401 = "Not signed in (no valid staff session, or the second factor is not done yet)."
S403 = "Signed in, but the account's roles do not hold the permission."
S404 = "No such person or appointment, or not one the caller may see (the same answer)."
S409 = "The appointment changed since the version given: read it again."
TRANSPORT_LIMIT = 5_000
MULTILINE = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$"
VISIBLE = r"^[^\x00-\x1F\x7F-\x9F]*$"
Modality = Literal["in-person", "phone", "video"]
Status = Literal["booked", "cancelled", "attended", "missed"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AppointmentIn(_Model):
    """`starts_at` is an aware moment (with its offset); the details (place, with_whom, what_to_bring, note) are
    sealed with the person's data key."""

    starts_at: dt.datetime
    duration_minutes: int = Field(60, ge=5, le=720)
    modality: Modality = "in-person"
    referral_id: str | None = Field(None, max_length=36, pattern=VISIBLE)
    interpreter_needed: bool = False
    place: str | None = Field(None, max_length=TRANSPORT_LIMIT, pattern=VISIBLE)
    with_whom: str | None = Field(None, max_length=TRANSPORT_LIMIT, pattern=VISIBLE)
    what_to_bring: str | None = Field(None, max_length=TRANSPORT_LIMIT, pattern=MULTILINE)
    note: str | None = Field(None, max_length=TRANSPORT_LIMIT, pattern=MULTILINE)


class AppointmentChange(AppointmentIn):
    version: int = Field(ge=1, le=2**31, description="The version read; 409 when the appointment changed since.")


class StatusIn(_Model):
    status: Status
    version: int = Field(ge=1, le=2**31)


class AppointmentOut(BaseModel):
    id: str
    client_id: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    modality: Modality
    status: Status
    interpreter_needed: bool
    interpreter_booking: str | None = Field(description="Where an interpreter is booked for it (ids only).")
    referral_id: str | None
    place: str | None
    with_whom: str | None
    what_to_bring: str | None
    note: str | None
    version: int


class AppointmentList(BaseModel):
    items: list[AppointmentOut] = Field(description="Appointments ahead, soonest first, then past ones, newest first.")


def _out(view: service.AppointmentView) -> AppointmentOut:
    values: dict[str, Any] = dict(view.__dict__)
    values["interpreter_booking"] = (
        f"/staff/interpreters/book?appointment_id={view.id}" if view.interpreter_needed else None
    )
    return AppointmentOut(**values)


def _input(body: AppointmentIn, settings: Any) -> service.AppointmentInput:
    starts_at = body.starts_at
    if starts_at.tzinfo is None:
        starts_at = starts_at.replace(tzinfo=clock.zone(settings.timezone))
    local = starts_at.astimezone(clock.zone(settings.timezone))
    return service.AppointmentInput(
        day=local.date().isoformat(), time=local.strftime("%H:%M"), duration_minutes=body.duration_minutes,
        modality=body.modality, referral_id=body.referral_id, interpreter_needed=body.interpreter_needed,
        place=body.place, with_whom=body.with_whom, what_to_bring=body.what_to_bring, note=body.note,
    )


@router.get(
    "/clients/{client_id}/appointments",
    response_model=AppointmentList,
    summary="A person's appointments",
    description="With their details opened. Audited `appointment.read`. Needs `person.read` (the person in scope).",
    responses=problem_responses(401, 403, 404, 422, s401=S401, s403=S403, s404=S404),
)
def list_appointments(request: Request, session: SessionDep, settings: SettingsDep, actor: Reader, client_id: str) -> AppointmentList:
    views = service.appointments_of(session, settings, actor, client_id, request_id=request_id(request))
    return AppointmentList(items=[_out(view) for view in views])


@router.post(
    "/clients/{client_id}/appointments",
    status_code=201,
    response_model=AppointmentOut,
    summary="Book an appointment for a person",
    description="Its reminder is scheduled from the person's reminder preferences. Audited `appointment.create`. "
    "Needs `person.write`.",
    responses=problem_responses(401, 403, 404, 422, s401=S401, s403=S403, s404=S404),
)
def create_appointment(
    request: Request, session: SessionDep, settings: SettingsDep, actor: Writer, client_id: str, body: AppointmentIn
) -> AppointmentOut:
    appointment = service.create_appointment(
        session, settings, actor, client_id, _input(body, settings), request_id=request_id(request)
    )
    return _out(service.get_appointment(session, settings, actor, appointment.id, permission="person.write",
                                        request_id=request_id(request)))


@router.get(
    "/appointments/{appointment_id}",
    response_model=AppointmentOut,
    summary="One appointment",
    description="Audited `appointment.read`. Needs `person.read` (its person in scope).",
    responses=problem_responses(401, 403, 404, 422, s401=S401, s403=S403, s404=S404),
)
def read_appointment(
    request: Request, session: SessionDep, settings: SettingsDep, actor: Reader, appointment_id: str
) -> AppointmentOut:
    return _out(service.get_appointment(session, settings, actor, appointment_id, request_id=request_id(request)))


@router.put(
    "/appointments/{appointment_id}",
    response_model=AppointmentOut,
    summary="Change an appointment",
    description="Replaces its time, way, referral and details, if unchanged since `version` (409 otherwise). Its "
    "reminder is scheduled again. Audited `appointment.update`. Needs `person.write`.",
    responses=problem_responses(401, 403, 404, 409, 422, s401=S401, s403=S403, s404=S404, s409=S409),
)
def change_appointment(
    request: Request, session: SessionDep, settings: SettingsDep, actor: Writer, appointment_id: str,
    body: AppointmentChange,
) -> AppointmentOut:
    service.update_appointment(session, settings, actor, appointment_id, _input(body, settings), version=body.version,
                               request_id=request_id(request))
    return _out(service.get_appointment(session, settings, actor, appointment_id, permission="person.write",
                                        request_id=request_id(request)))


@router.post(
    "/appointments/{appointment_id}/status",
    response_model=AppointmentOut,
    summary="Cancel an appointment, or mark it attended or missed",
    description="booked → cancelled | attended | missed; a mistaken mark can be put right. Cancelling cancels its "
    "reminder. Audited `appointment.cancel` / `.attended` / `.missed` / `.rebook`. Needs `person.write`.",
    responses=problem_responses(401, 403, 404, 409, 422, s401=S401, s403=S403, s404=S404, s409=S409),
)
def change_status(
    request: Request, session: SessionDep, settings: SettingsDep, actor: Writer, appointment_id: str, body: StatusIn
) -> AppointmentOut:
    service.set_status(session, settings, actor, appointment_id, body.status, version=body.version,
                       request_id=request_id(request))
    return _out(service.get_appointment(session, settings, actor, appointment_id, permission="person.write",
                                        request_id=request_id(request)))
