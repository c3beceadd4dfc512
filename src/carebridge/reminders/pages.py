"""Staff pages of reminders: the person's reminder settings (which channel, details or not, the safe window), "send
a reminder now" for the next appointment, and the organisation's neutral sender name (organisation.manage).
The reminders, and what the person texted back, are shown in the person page's appointments section."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from carebridge.accounts.access import Actor, requires
from carebridge.accounts.rendering import form_errors, render_staff
from carebridge.clients import service as clients
from carebridge.config import Settings
from carebridge.consent import service as consent
from carebridge.errors import N_, Conflict, FieldError, InvalidInput
from carebridge.reminders import service
from carebridge.web import SessionDep, SettingsDep, request_id

router = APIRouter(include_in_schema=False)

Writer = Annotated[Actor, Depends(requires("person.write"))]
Manager = Annotated[Actor, Depends(requires("organisation.manage"))]
Short = Annotated[str, Form(max_length=40)]

DAYS = (
    N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"), N_("Saturday"), N_("Sunday"),
)
KIND_LABELS = {"sms": N_("Text message"), "email": N_("E-mail")}


def _see_other(url: str) -> Response:
    return RedirectResponse(url, status_code=303)


def _channel_options(session: Session, client_id: str) -> list[tuple[str, str, Any]]:
    return [
        (channel.id, KIND_LABELS[channel.kind], consent.active_consent(
            session, client_id, consent.REMINDERS, channel_id=channel.id) is not None)
        for channel in service.channels_for_reminders(session, client_id)
    ]


def _form(request: Request, session: Session, settings: Settings, client_id: str, *, values: dict[str, Any],
          errors: list, status_code: int = 200) -> Response:
    return render_staff(
        request,
        "staff/reminders/preferences.html",
        {
            "client_id": client_id,
            "values": values,
            "errors": errors,
            "channels": _channel_options(session, client_id),
            "days": list(enumerate(DAYS)),
            "hours_before": settings.reminder_hours_before,
            "quiet_start": settings.reminder_quiet_start,
            "quiet_end": settings.reminder_quiet_end,
        },
        status_code=status_code,
    )


def _values(preference: service.PreferenceView | None) -> dict[str, Any]:
    if preference is None:
        return {"channel_id": "", "with_details": "", "days": [], "start": "", "end": "", "version": ""}
    window = preference.window
    return {
        "channel_id": preference.channel_id or "",
        "with_details": "1" if preference.with_details else "",
        "days": [str(day) for day in window.days] if window else [],
        "start": window.start.strftime("%H:%M") if window else "",
        "end": window.end.strftime("%H:%M") if window else "",
        "version": str(preference.version),
    }


@router.get("/staff/clients/{client_id}/reminder-settings")
def preferences_page(request: Request, session: SessionDep, settings: SettingsDep, actor: Writer, client_id: str) -> Response:
    client = clients.get_client(session, settings, actor, client_id, permission="person.write",
                                request_id=request_id(request))
    return _form(request, session, settings, client.id, values=_values(service.preference_of(session, settings, client.id)),
                 errors=[])


@router.post("/staff/clients/{client_id}/reminder-settings")
def save_preferences(
    request: Request, session: SessionDep, settings: SettingsDep, actor: Writer, client_id: str,
    channel_id: Short = "", with_details: Short = "", days: Annotated[list[str] | None, Form(max_length=8)] = None,
    start: Short = "", end: Short = "", version: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    client = clients.find_client(session, actor, client_id, "person.write")
    days = days or []
    values = {"channel_id": channel_id, "with_details": with_details, "days": days[:7], "start": start, "end": end,
              "version": version}
    chosen = tuple(int(day) for day in days[:7] if day.isdigit() and len(day) == 1)
    try:
        if len(chosen) != len(days[:7]):
            raise InvalidInput(errors=[FieldError("days", N_("Choose days of the week from the list."))])
        service.set_preferences(
            session, settings, actor, client.id,
            service.PreferenceInput(channel_id or None, with_details == "1", chosen, start, end),
            version=int(version) if version.isdigit() else None, request_id=request_id(request),
        )
    except InvalidInput as problem:
        return _form(request, session, settings, client.id, values=values, errors=form_errors(request, problem.errors),
                     status_code=422)
    except Conflict:
        errors = form_errors(request, [FieldError("channel_id", service.STALE)])
        return _form(request, session, settings, client.id,
                     values=_values(service.preference_of(session, settings, client.id)), errors=errors, status_code=409)
    return _see_other(f"/staff/clients/{client.id}?appointments=preferences#appointments")


@router.post("/staff/clients/{client_id}/reminder-settings/now")
def remind_now(
    request: Request, session: SessionDep, settings: SettingsDep, actor: Writer, client_id: str,
    channel_id: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Send a reminder of the next appointment by one channel, at the next safe moment."""
    client = clients.find_client(session, actor, client_id, "person.write")
    try:
        service.queue_reminder(session, settings, actor, client.id, channel_id, request_id=request_id(request))
    except (InvalidInput, consent.ContactNotAllowed) as problem:
        errors = problem.errors or [FieldError("channel_id", problem.title)]
        return _form(request, session, settings, client.id,
                     values=_values(service.preference_of(session, settings, client.id)),
                     errors=form_errors(request, errors), status_code=problem.status_code)
    return _see_other(f"/staff/clients/{client.id}?appointments=reminded#appointments")


# --- The sender name ------------------------------------------------------------------------------------------------


def _sender_form(request: Request, session: Session, settings: Settings, actor: Actor, *, value: str, errors: list,
                 saved: bool = False, status_code: int = 200) -> Response:
    return render_staff(
        request,
        "staff/reminders/sender.html",
        {"value": value, "errors": errors, "saved": saved, "default": settings.sms_sender},
        status_code=status_code,
    )


@router.get("/staff/reminders/sender")
def sender_page(request: Request, session: SessionDep, settings: SettingsDep, actor: Manager) -> Response:
    return _sender_form(request, session, settings, actor,
                        value=service.sender_name(session, settings, actor.organisation_id),
                        errors=[], saved=request.query_params.get("saved") == "1")


@router.post("/staff/reminders/sender")
def save_sender(
    request: Request, session: SessionDep, settings: SettingsDep, actor: Manager,
    name: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    try:
        service.set_sender_name(session, actor, name, request_id=request_id(request))
    except InvalidInput as problem:
        return _sender_form(request, session, settings, actor, value=name, errors=form_errors(request, problem.errors),
                            status_code=422)
    return _see_other("/staff/reminders/sender?saved=1")
