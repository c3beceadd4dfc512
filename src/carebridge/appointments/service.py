"""Appointments for a person: booking, changing, cancelling, and marking attended or missed; the organisation's day.

    appointment = appointments.create_appointment(session, settings, actor, client_id, AppointmentInput(...))
    appointments.update_appointment(session, settings, actor, appointment_id, data, version=appointment.version)
    appointments.set_status(session, settings, actor, appointment_id, "attended", version=...)
    views = appointments.appointments_of(session, settings, actor, client_id)
    day = appointments.day_list(session, settings, actor, dt.date(2026, 11, 24))

Writing needs person.write and reading person.read, on a record in the actor's scope (clients.find_client); every
read and write is audited. Edits carry the version the form was shown (Conflict when someone changed it since).
The time, modality, status and "interpreter needed" are in clear; where, with whom, what to bring and a note are
sealed with the person's data key (`appointment.details`). Each change (re)schedules the appointment's reminder
(reminders.service). Staff are not notified of appointment changes: the person's caseworker or a colleague in the
same team makes them, and the day list and person page show them; interpreters hear of their bookings through the
interpreters domain.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from carebridge.accounts.access import Actor
from carebridge.appointments.models import MODALITIES, STATUSES, Appointment
from carebridge.audit import service as audit
from carebridge.clients import service as clients
from carebridge.clients.models import Client
from carebridge.config import Settings
from carebridge.db import new_id
from carebridge.errors import N_, Conflict, FieldError, InvalidInput, NotFound
from carebridge.keys import service as keys
from carebridge.kit import clock
from carebridge.kit.text import clean_text

ID_MAXIMUM = 36
PLACE_MAXIMUM = 300
WITH_MAXIMUM = 200
BRING_MAXIMUM = 500
NOTE_MAXIMUM = 2000
LONGEST = 12 * 60  # minutes
# How far ahead and back an appointment may be booked or recorded.
FURTHEST = dt.timedelta(days=2 * 366)
STALE = N_("Someone else changed this appointment while you were editing it. Check what it says now and make your change again.")
NOT_FOUND = N_("We could not find that appointment.")
# Where an appointment can go from where it is: a booked one is cancelled, attended or missed; a mistake in marking
# attended or missed can be put right (back to booked, or the other).
MOVES = {
    "booked": ("cancelled", "attended", "missed"),
    "attended": ("booked", "missed"),
    "missed": ("booked", "attended"),
    "cancelled": ("booked",),
}


@dataclass(frozen=True)
class AppointmentInput:
    """What a form or an API call says: the day (YYYY-MM-DD) and time (HH:MM) in the deployment's zone, how long,
    how, the referral it belongs to (optional), whether an interpreter is needed, and the sealed details."""

    day: str
    time: str
    duration_minutes: int | str = 60
    modality: str = "in-person"
    referral_id: str | None = None
    interpreter_needed: bool = False
    place: str | None = None
    with_whom: str | None = None
    what_to_bring: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class AppointmentView:
    """An appointment as pages and the API show it, details opened."""

    id: str
    client_id: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    modality: str
    status: str
    interpreter_needed: bool
    referral_id: str | None
    place: str | None
    with_whom: str | None
    what_to_bring: str | None
    note: str | None
    version: int


@dataclass(frozen=True)
class _Cleaned:
    starts_at: dt.datetime
    ends_at: dt.datetime
    modality: str
    referral_id: str | None
    interpreter_needed: bool
    details: dict[str, Any]


def _clean(session: Session, settings: Settings, client: Client, data: AppointmentInput) -> _Cleaned:
    errors: list[FieldError] = []
    zone = clock.zone(settings.timezone)
    day = time = None
    try:
        day = dt.date.fromisoformat((data.day or "").strip())
    except ValueError:
        errors.append(FieldError("day", N_("Enter the day of the appointment, like 2026-11-24.")))
    try:
        text = (data.time or "").strip()
        if len(text) != 5:
            raise ValueError
        time = dt.time.fromisoformat(text)
    except ValueError:
        errors.append(FieldError("time", N_("Enter the time of the appointment, like 14:30.")))
    try:
        duration = int(str(data.duration_minutes).strip())
        if not 5 <= duration <= LONGEST:
            raise ValueError
    except ValueError:
        errors.append(FieldError("duration_minutes", N_("Enter how long it lasts, in minutes, from 5 to 720.")))
        duration = 60
    if data.modality not in MODALITIES:
        errors.append(FieldError("modality", N_("Choose how the appointment takes place."), allowed=list(MODALITIES)))
    starts_at = None
    if day is not None and time is not None:
        starts_at = dt.datetime.combine(day, time, tzinfo=zone).astimezone(dt.UTC)
        if abs(starts_at - clock.utc_now()) > FURTHEST:
            errors.append(FieldError("day", N_("Enter a day within two years of today.")))
    referral_id = (data.referral_id or "").strip() or None
    if referral_id is not None:
        from carebridge.referrals.models import Referral

        if len(referral_id) > ID_MAXIMUM or session.scalar(
            select(Referral.id).where(Referral.id == referral_id, Referral.client_id == client.id)
        ) is None:
            errors.append(FieldError("referral_id", N_("Choose one of the person's referrals.")))
    details: dict[str, Any] = {}
    for name, value, maximum in (
        ("place", data.place, PLACE_MAXIMUM),
        ("with", data.with_whom, WITH_MAXIMUM),
        ("what_to_bring", data.what_to_bring, BRING_MAXIMUM),
        ("note", data.note, NOTE_MAXIMUM),
    ):
        field = "with_whom" if name == "with" else name
        try:
            details[name] = clean_text(value, field, maximum=maximum, multiline=name in ("what_to_bring", "note"))
        except InvalidInput as problem:
            errors.extend(problem.errors)
    if errors:
        raise InvalidInput(errors=errors)
    assert starts_at is not None
    return _Cleaned(
        starts_at, starts_at + dt.timedelta(minutes=duration), data.modality, referral_id,
        bool(data.interpreter_needed), details,
    )


def _view(key: keys.DataKey, appointment: Appointment) -> AppointmentView:
    details = key.open_json("appointment", "details", appointment.id, appointment.details) if appointment.details else {}
    return AppointmentView(
        id=appointment.id, client_id=appointment.client_id, starts_at=_aware(appointment.starts_at),
        ends_at=_aware(appointment.ends_at), modality=appointment.modality, status=appointment.status,
        interpreter_needed=appointment.interpreter_needed, referral_id=appointment.referral_id,
        place=details.get("place"), with_whom=details.get("with"), what_to_bring=details.get("what_to_bring"),
        note=details.get("note"), version=appointment.version,
    )


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def find_appointment(session: Session, actor: Actor, appointment_id: str, permission: str = "person.read") -> Appointment:
    """The appointment if its person is in the actor's scope for `permission`; NotFound otherwise (not audited)."""
    clients.check(actor, permission)
    if not appointment_id or len(appointment_id) > ID_MAXIMUM:
        raise NotFound(NOT_FOUND)
    appointment = session.scalar(
        select(Appointment).join(Client, Client.id == Appointment.client_id)
        .where(Appointment.id == appointment_id, clients.scope(actor, permission))
    )
    if appointment is None:
        raise NotFound(NOT_FOUND)
    return appointment


def _reschedule(session: Session, settings: Settings, appointment: Appointment) -> None:
    from carebridge.reminders import service as reminders

    reminders.schedule_for_appointment(session, settings, appointment)


def create_appointment(
    session: Session, settings: Settings, actor: Actor, client_id: str, data: AppointmentInput, *,
    request_id: str | None = None, fictional: bool = False,
) -> Appointment:
    """Book an appointment for the person (person.write, scoped; audited `appointment.create`)."""
    clients.check(actor, "person.write")
    client = clients.find_client(session, actor, client_id, "person.write")
    cleaned = _clean(session, settings, client, data)
    now = clock.utc_now()
    appointment = Appointment(
        id=new_id(), client_id=client.id, organisation_id=client.organisation_id, referral_id=cleaned.referral_id,
        created_by=actor.account_id, starts_at=cleaned.starts_at, ends_at=cleaned.ends_at, modality=cleaned.modality,
        status="booked", interpreter_needed=cleaned.interpreter_needed, fictional=fictional, version=1,
        created_at=now, updated_at=now,
    )
    key = keys.data_key(session, settings, clients.SUBJECT, client.id)
    appointment.details = key.seal_json("appointment", "details", appointment.id, cleaned.details)
    session.add(appointment)
    session.flush()
    audit.record(session, "appointment.create", actor=actor, record_type=clients.RECORD_TYPE, record_id=client.id,
                 request_id=request_id)
    _reschedule(session, settings, appointment)
    return appointment


def _change(session: Session, appointment: Appointment, version: int, values: dict[str, Any]) -> None:
    if appointment.version != version:
        raise Conflict(STALE)
    changed = session.execute(
        update(Appointment)
        .where(Appointment.id == appointment.id, Appointment.version == version)
        .values(**values, version=version + 1, updated_at=clock.utc_now())
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        raise Conflict(STALE)
    session.refresh(appointment)


def update_appointment(
    session: Session, settings: Settings, actor: Actor, appointment_id: str, data: AppointmentInput, *,
    version: int, request_id: str | None = None,
) -> Appointment:
    """Change an appointment's time, way, referral or details (person.write, scoped; audited `appointment.update`);
    Conflict when it changed since `version`. Its reminder is scheduled again."""
    appointment = find_appointment(session, actor, appointment_id, "person.write")
    client = session.get(Client, appointment.client_id)
    assert client is not None
    cleaned = _clean(session, settings, client, data)
    key = keys.data_key(session, settings, clients.SUBJECT, client.id)
    _change(session, appointment, version, {
        "starts_at": cleaned.starts_at, "ends_at": cleaned.ends_at, "modality": cleaned.modality,
        "referral_id": cleaned.referral_id, "interpreter_needed": cleaned.interpreter_needed,
        "details": key.seal_json("appointment", "details", appointment.id, cleaned.details),
    })
    audit.record(session, "appointment.update", actor=actor, record_type=clients.RECORD_TYPE, record_id=client.id,
                 request_id=request_id)
    _reschedule(session, settings, appointment)
    return appointment


def set_status(
    session: Session, settings: Settings, actor: Actor, appointment_id: str, status: str, *,
    version: int, request_id: str | None = None,
) -> Appointment:
    """Cancel, mark attended or missed, or put back to booked (person.write, scoped; audited `appointment.<status>`
    — appointment.cancel, appointment.attended, appointment.missed, appointment.rebook). A cancelled appointment's
    reminders not yet sent are cancelled."""
    appointment = find_appointment(session, actor, appointment_id, "person.write")
    if status not in STATUSES:
        raise InvalidInput(errors=[FieldError("status", N_("Choose what happened."), allowed=list(STATUSES))])
    if status == appointment.status and appointment.version == version:
        return appointment  # a form sent twice
    if status not in MOVES[appointment.status]:
        raise InvalidInput(errors=[FieldError("status", N_("An appointment cannot be changed that way."),
                                              allowed=list(MOVES[appointment.status]))])
    _change(session, appointment, version, {"status": status})
    action = {"cancelled": "appointment.cancel", "booked": "appointment.rebook"}.get(status, f"appointment.{status}")
    audit.record(session, action, actor=actor, record_type=clients.RECORD_TYPE, record_id=appointment.client_id,
                 request_id=request_id)
    _reschedule(session, settings, appointment)
    return appointment


def get_appointment(
    session: Session, settings: Settings, actor: Actor, appointment_id: str, *, permission: str = "person.read",
    request_id: str | None = None,
) -> AppointmentView:
    """One appointment, opened (scoped; audited `appointment.read`)."""
    appointment = find_appointment(session, actor, appointment_id, permission)
    audit.record(session, "appointment.read", actor=actor, record_type=clients.RECORD_TYPE,
                 record_id=appointment.client_id, request_id=request_id)
    return _view(keys.data_key(session, settings, clients.SUBJECT, appointment.client_id), appointment)


def views_of(session: Session, settings: Settings, client_id: str) -> list[AppointmentView]:
    """The person's appointments, soonest ahead first then the past newest first (no check, no audit: for callers
    that found the record in scope and audit reading it)."""
    rows = list(session.scalars(
        select(Appointment).where(Appointment.client_id == client_id).order_by(Appointment.starts_at.desc()).limit(200)
    ))
    if not rows:
        return []
    key = keys.data_key(session, settings, clients.SUBJECT, client_id)
    now = clock.utc_now()
    ahead = sorted((row for row in rows if _aware(row.starts_at) >= now), key=lambda row: row.starts_at)
    past = [row for row in rows if _aware(row.starts_at) < now]
    return [_view(key, row) for row in ahead + past]


def appointments_of(
    session: Session, settings: Settings, actor: Actor, client_id: str, *, request_id: str | None = None
) -> list[AppointmentView]:
    """The person's appointments for an actor who may read the record (scoped; audited `appointment.read`)."""
    clients.check(actor, "person.read")
    client = clients.find_client(session, actor, client_id, "person.read")
    audit.record(session, "appointment.read", actor=actor, record_type=clients.RECORD_TYPE, record_id=client.id,
                 request_id=request_id)
    return views_of(session, settings, client.id)


@dataclass(frozen=True)
class DayEntry:
    appointment: AppointmentView
    client_id: str
    name: str


DAY_PAGE = 50


def day_list(
    session: Session, settings: Settings, actor: Actor, day: dt.date, *, page: int = 1,
    request_id: str | None = None,
) -> tuple[list[DayEntry], bool]:
    """The appointments on one day (deployment zone) of the people in the actor's scope (person.read), in time
    order, with the person's name, DAY_PAGE a page; and whether there is another page. Each person seen is audited
    `appointment.list`."""
    clients.check(actor, "person.read")
    zone = clock.zone(settings.timezone)
    start = dt.datetime.combine(day, dt.time(0), tzinfo=zone).astimezone(dt.UTC)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=zone).astimezone(dt.UTC)
    rows = list(session.execute(
        select(Appointment, Client)
        .join(Client, Client.id == Appointment.client_id)
        .where(Appointment.starts_at >= start, Appointment.starts_at < end, clients.scope(actor, "person.read"))
        .order_by(Appointment.starts_at, Appointment.id)
        .offset((max(1, page) - 1) * DAY_PAGE)
        .limit(DAY_PAGE + 1)
    ).all())
    more = len(rows) > DAY_PAGE
    rows = rows[:DAY_PAGE]
    profiles = clients.open_profiles(session, settings, [client for _, client in rows])
    entries = []
    for appointment, client in rows:
        key = keys.data_key(session, settings, clients.SUBJECT, client.id)
        profile = profiles.get(client.id)
        entries.append(DayEntry(_view(key, appointment), client.id, profile.preferred_name if profile else ""))
    audit.record_many(
        session, "appointment.list", actor=actor, record_type=clients.RECORD_TYPE,
        record_ids=[entry.client_id for entry in entries], request_id=request_id,
    )
    return entries, more
