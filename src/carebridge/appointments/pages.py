"""Staff pages of appointments: the person page's "Appointments" section (appointments, their reminders, what the
person texted back, the reminder settings), booking and changing an appointment, marking what happened, and the
organisation's day list (/staff/appointments, the day posted or in the query as a date only).

Every route declares its permission; the services check it again and scope the record. Forms post, then redirect
(303) with a short result code, never personal data; a form with a problem is shown again (422) with an error summary
and what was typed; a stale edit is shown again (409) with the appointment as it is now.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from carebridge.accounts.access import Actor, requires
from carebridge.accounts.rendering import form_errors, render_staff
from carebridge.appointments import service
from carebridge.appointments.models import MODALITIES, Appointment
from carebridge.clients import service as clients
from carebridge.clients.models import Client
from carebridge.config import Settings
from carebridge.errors import N_, Conflict, FieldError, InvalidInput
from carebridge.kit import clock
from carebridge.web import SessionDep, SettingsDep, request_id

router = APIRouter(include_in_schema=False)

TRANSPORT_LIMIT = 5_000
Reader = Annotated[Actor, Depends(requires("person.read"))]
Writer = Annotated[Actor, Depends(requires("person.write"))]

MODALITY_LABELS = {"in-person": N_("In person"), "phone": N_("By phone"), "video": N_("By video")}
STATUS_LABELS = {
    "booked": N_("Booked"), "cancelled": N_("Cancelled"), "attended": N_("Attended"), "missed": N_("Missed"),
}
# The buttons that move an appointment (status -> label)
STATUS_ACTIONS = {
    "cancelled": N_("Cancel the appointment"), "attended": N_("Mark as attended"), "missed": N_("Mark as missed"),
    "booked": N_("Put back to booked"),
}
REMINDER_STATES = {
    "scheduled": N_("To be sent"), "queued": N_("Being sent"), "sent": N_("Sent"), "not-sent": N_("Not sent"),
    "cancelled": N_("Cancelled"),
}
REMINDER_REASONS = {
    "contact-not-allowed": N_("The person may not be contacted this way (no consent, or do not contact)."),
    "no-allowed-moment": N_("There was no safe time before the appointment."),
    "stop": N_("The person replied STOP."),
    "appointment-changed": N_("The appointment changed: a new reminder replaces it."),
    "appointment-cancelled": N_("The appointment was cancelled."),
}
NOTICES = {
    "booked": N_("The appointment was booked."),
    "changed": N_("The appointment was changed."),
    "status": N_("The appointment was updated."),
    "preferences": N_("The reminder settings were saved."),
    "reminded": N_("A reminder will be sent at the next safe time."),
    "stale": N_("Someone else changed this appointment while you were editing it. Check what it says now and make your change again."),
}


def _see_other(url: str) -> Response:
    return RedirectResponse(url, status_code=303)


def _local(settings: Settings, moment: dt.datetime | None) -> str:
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(clock.zone(settings.timezone)).strftime("%Y-%m-%d %H:%M")


def _row(settings: Settings, view: service.AppointmentView) -> dict[str, Any]:
    return {
        "id": view.id,
        "starts_at": _local(settings, view.starts_at),
        "ends_at": _local(settings, view.ends_at)[-5:],
        "modality": MODALITY_LABELS.get(view.modality, view.modality),
        "status": view.status,
        "status_label": STATUS_LABELS.get(view.status, view.status),
        "interpreter_needed": view.interpreter_needed,
        "referral_id": view.referral_id,
        "place": view.place,
        "with_whom": view.with_whom,
        "what_to_bring": view.what_to_bring,
        "note": view.note,
        "version": view.version,
        "moves": [(status, STATUS_ACTIONS[status]) for status in service.MOVES[view.status]],
    }


# --- The person page's section ---------------------------------------------------------------------------------------


def section(session: Session, settings: Settings, actor: Actor, client: Client, request: Request) -> dict[str, Any] | None:
    """The person page's appointments section: appointments (ahead first), their reminders and the person's replies,
    for whoever may read the record; booking and reminder settings for those who may write it. Not audited again:
    the person's page that shows it is audited `client.read`."""
    from carebridge.reminders import service as reminders

    if not actor.can("person.read"):
        return None
    views = service.views_of(session, settings, client.id)
    sent = reminders.reminders_of(session, client.id)
    replies = reminders.replies_of(session, settings, client.id)
    can_write = actor.can("person.write") and clients.can_write(session, actor, client)
    preference = reminders.preference_of(session, settings, client.id)
    return {
        "appointments_section": {
            "client_id": client.id,
            "rows": [_row(settings, view) for view in views],
            "reminders": [
                {
                    "due_at": _local(settings, reminder.due_at),
                    "state": REMINDER_STATES.get(reminder.state, reminder.state),
                    "reason": REMINDER_REASONS.get(reminder.reason or ""),
                    "kind": reminder.kind,
                }
                for reminder in sent[:10]
            ],
            "replies": [
                {"kind": reply.kind, "text": reply.text, "received_at": _local(settings, reply.received_at)}
                for reply in replies[:10]
            ],
            "preference": preference,
            "channels": reminders.channels_for_reminders(session, client.id),
            "can_write": can_write,
            "notice": NOTICES.get(request.query_params.get("appointments") or ""),
            "csrf_token": getattr(request.state, "csrf_token", ""),
        }
    }


# --- Booking and changing -----------------------------------------------------------------------------------------------


def _form(
    request: Request, client_id: str, *, values: dict[str, Any], errors: list, appointment_id: str | None = None,
    status_code: int = 200,
) -> Response:
    return render_staff(
        request,
        "staff/appointments/form.html",
        {
            "client_id": client_id,
            "appointment_id": appointment_id,
            "values": values,
            "errors": errors,
            "modalities": [(modality, MODALITY_LABELS[modality], None) for modality in MODALITIES],
        },
        status_code=status_code,
    )


def _data(values: dict[str, Any]) -> service.AppointmentInput:
    return service.AppointmentInput(
        day=values["day"], time=values["time"], duration_minutes=values["duration_minutes"] or "0",
        modality=values["modality"], referral_id=values["referral_id"] or None,
        interpreter_needed=values["interpreter_needed"] == "1", place=values["place"], with_whom=values["with_whom"],
        what_to_bring=values["what_to_bring"], note=values["note"],
    )


def _values_of(view: service.AppointmentView, settings: Settings) -> dict[str, Any]:
    local = view.starts_at.astimezone(clock.zone(settings.timezone))
    return {
        "day": local.date().isoformat(), "time": local.strftime("%H:%M"),
        "duration_minutes": str(int((view.ends_at - view.starts_at).total_seconds() // 60)),
        "modality": view.modality, "referral_id": view.referral_id or "",
        "interpreter_needed": "1" if view.interpreter_needed else "", "place": view.place or "",
        "with_whom": view.with_whom or "", "what_to_bring": view.what_to_bring or "", "note": view.note or "",
        "version": str(view.version),
    }


Text = Annotated[str, Form(max_length=TRANSPORT_LIMIT)]


@router.get("/staff/clients/{client_id}/appointments/new")
def new_page(request: Request, session: SessionDep, actor: Writer, client_id: str) -> Response:
    client = clients.find_client(session, actor, client_id, "person.write")
    return _form(request, client.id, values={"modality": "in-person", "duration_minutes": "60"}, errors=[])


@router.post("/staff/clients/{client_id}/appointments/new")
def book(
    request: Request, session: SessionDep, settings: SettingsDep, actor: Writer, client_id: str,
    day: Text = "", time: Text = "", duration_minutes: Text = "", modality: Text = "", referral_id: Text = "",
    interpreter_needed: Text = "", place: Text = "", with_whom: Text = "", what_to_bring: Text = "", note: Text = "",
) -> Response:
    client = clients.find_client(session, actor, client_id, "person.write")
    values = {
        "day": day, "time": time, "duration_minutes": duration_minutes, "modality": modality,
        "referral_id": referral_id, "interpreter_needed": interpreter_needed, "place": place, "with_whom": with_whom,
        "what_to_bring": what_to_bring, "note": note,
    }
    try:
        service.create_appointment(session, settings, actor, client.id, _data(values), request_id=request_id(request))
    except InvalidInput as problem:
        return _form(request, client.id, values=values, errors=form_errors(request, problem.errors), status_code=422)
    return _see_other(f"/staff/clients/{client.id}?appointments=booked#appointments")


def _appointment_of(session: Session, actor: Actor, client_id: str, appointment_id: str, permission: str) -> Appointment:
    appointment = service.find_appointment(session, actor, appointment_id, permission)
    if appointment.client_id != client_id:
        from carebridge.errors import NotFound

        raise NotFound(service.NOT_FOUND)
    return appointment


@router.get("/staff/clients/{client_id}/appointments/{appointment_id}/edit")
def edit_page(
    request: Request, session: SessionDep, settings: SettingsDep, actor: Writer, client_id: str, appointment_id: str
) -> Response:
    appointment = _appointment_of(session, actor, client_id, appointment_id, "person.write")
    view = service.get_appointment(session, settings, actor, appointment.id, permission="person.write",
                                   request_id=request_id(request))
    return _form(request, client_id, values=_values_of(view, settings), errors=[], appointment_id=appointment.id)


@router.post("/staff/clients/{client_id}/appointments/{appointment_id}/edit")
def change(
    request: Request, session: SessionDep, settings: SettingsDep, actor: Writer, client_id: str, appointment_id: str,
    day: Text = "", time: Text = "", duration_minutes: Text = "", modality: Text = "", referral_id: Text = "",
    interpreter_needed: Text = "", place: Text = "", with_whom: Text = "", what_to_bring: Text = "", note: Text = "",
    version: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    appointment = _appointment_of(session, actor, client_id, appointment_id, "person.write")
    values = {
        "day": day, "time": time, "duration_minutes": duration_minutes, "modality": modality,
        "referral_id": referral_id, "interpreter_needed": interpreter_needed, "place": place, "with_whom": with_whom,
        "what_to_bring": what_to_bring, "note": note, "version": version,
    }
    try:
        service.update_appointment(session, settings, actor, appointment.id, _data(values),
                                   version=int(version) if version.isdigit() else -1, request_id=request_id(request))
    except InvalidInput as problem:
        return _form(request, client_id, values=values, errors=form_errors(request, problem.errors),
                     appointment_id=appointment.id, status_code=422)
    except Conflict:
        view = service.get_appointment(session, settings, actor, appointment.id, permission="person.write",
                                       request_id=request_id(request))
        errors = form_errors(request, [FieldError("day", service.STALE)])
        return _form(request, client_id, values=_values_of(view, settings), errors=errors,
                     appointment_id=appointment.id, status_code=409)
    return _see_other(f"/staff/clients/{client_id}?appointments=changed#appointments")


@router.post("/staff/clients/{client_id}/appointments/{appointment_id}/status")
def change_status(
    request: Request, session: SessionDep, settings: SettingsDep, actor: Writer, client_id: str, appointment_id: str,
    status: Annotated[str, Form(max_length=16)] = "", version: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    appointment = _appointment_of(session, actor, client_id, appointment_id, "person.write")
    try:
        service.set_status(session, settings, actor, appointment.id, status,
                           version=int(version) if version.isdigit() else -1, request_id=request_id(request))
    except Conflict:
        return _see_other(f"/staff/clients/{client_id}?appointments=stale#appointments")
    return _see_other(f"/staff/clients/{client_id}?appointments=status#appointments")


# --- The organisation's day ----------------------------------------------------------------------------------------------


def _day_page(request: Request, session: Session, settings: Settings, actor: Actor, typed: str, page: int = 1) -> Response:
    errors: list = []
    day = clock.today(settings.timezone)
    if typed:
        try:
            day = dt.date.fromisoformat(typed.strip())
        except ValueError:
            errors = form_errors(request, [FieldError("day", N_("Enter a day, like 2026-11-24."))])
    entries, more = ([], False) if errors else service.day_list(
        session, settings, actor, day, page=page, request_id=request_id(request)
    )
    return render_staff(
        request,
        "staff/appointments/day.html",
        {
            "day": day.isoformat(),
            "typed": typed if errors else day.isoformat(),
            "previous": (day - dt.timedelta(days=1)).isoformat(),
            "next": (day + dt.timedelta(days=1)).isoformat(),
            "errors": errors,
            "page": page,
            "more": more,
            "entries": [{**_row(settings, entry.appointment), "client_id": entry.client_id, "name": entry.name}
                        for entry in entries],
        },
        status_code=422 if errors else 200,
    )


@router.get("/staff/appointments")
def day_page(request: Request, session: SessionDep, settings: SettingsDep, actor: Reader) -> Response:
    """The appointments of one day of the people in the actor's scope (the day in the query: a date, nothing else)."""
    typed = request.query_params.get("day", "")
    page = request.query_params.get("page", "1")
    return _day_page(request, session, settings, actor, typed[:40], int(page) if page.isdigit() and len(page) < 5 else 1)


@router.post("/staff/appointments")
def choose_day(
    request: Request, session: SessionDep, settings: SettingsDep, actor: Reader,
    day: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    try:
        chosen = dt.date.fromisoformat(day.strip())
    except ValueError:
        return _day_page(request, session, settings, actor, day or " ")
    return _see_other(f"/staff/appointments?day={chosen.isoformat()}")
