"""Staff pages of the risk domain (issue 10): the person page's "Risk" section (open flags, what to do now, raise a
flag), raising a flag, adding "what I did", the clinician's list (/staff/risk) and flag page (close with an outcome),
and the service manager's oversight (open, escalated and recently closed flags; the duty rota).

Every route declares its permission; the services check it again and scope the record. Forms post, then redirect
(303) with a short result code, never personal data; a form with a problem is shown again (422) with an error summary
and what was typed. Lists of flags name people: each row is audited (`risk.list`).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from carebridge.accounts.access import Actor, requires
from carebridge.accounts.rendering import form_errors, render_staff
from carebridge.audit import service as audit
from carebridge.clients import service as clients
from carebridge.clients.models import Client
from carebridge.config import Settings
from carebridge.errors import N_, Conflict, InvalidInput
from carebridge.kit import clock
from carebridge.risk import guidance as risk_guidance
from carebridge.risk import service
from carebridge.risk.models import RiskFlag
from carebridge.web import SessionDep, SettingsDep, request_id

router = APIRouter(include_in_schema=False)

TRANSPORT_LIMIT = 20_000
Raiser = Annotated[Actor, Depends(requires("risk.raise"))]
Responder = Annotated[Actor, Depends(requires("risk.respond"))]
Overseer = Annotated[Actor, Depends(requires("risk.oversee"))]

SOURCE_LABELS = {
    "screening": N_("A screening answer (PHQ-9 item 9)"),
    "worker": N_("Risk to self or others (a worker’s judgement)"),
    "safeguarding": N_("A safeguarding concern"),
}
SOURCE_HINTS = {
    "worker": N_("You think the person may harm themselves or someone else."),
    "safeguarding": N_("A child or an adult at risk may be being harmed or neglected."),
}
OUTCOME_LABELS = {
    "risk-assessed": N_("Risk assessed"),
    "plan-made": N_("Safety plan made"),
    "referred-on": N_("Referred on"),
}
CHANNEL_LABELS = {
    "phone": N_("Phone"),
    "sms": N_("Text message"),
    "email": N_("E-mail"),
    "organisation": N_("Through an organisation"),
    "in-person": N_("In person only"),
}
# What the person page's risk section says after a form (?risk=...).
NOTICES = {
    "raised": N_("The risk flag was raised. The clinician on duty has been told."),
    "noted": N_("What you did was added to the risk flag."),
    "closed": N_("This risk flag is closed: nothing can be added to it."),
}
FLAG_NOTICES = {
    "closed": N_("The risk flag was closed."),
    "noted": N_("What you did was added to the risk flag."),
}
OVERSIGHT_NOTICES = {
    "added": N_("The duty rota was changed."),
    "removed": N_("The duty rota was changed."),
}


def _see_other(url: str) -> Response:
    return RedirectResponse(url, status_code=303)


def _local(settings: Settings, moment: dt.datetime | None) -> str:
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(ZoneInfo(settings.timezone)).strftime("%Y-%m-%d %H:%M")


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _describe(settings: Settings, flag: RiskFlag, names: dict[str, str], now: dt.datetime) -> dict[str, Any]:
    """What a list shows of a flag: nothing sealed."""
    return {
        "id": flag.id,
        "client_id": flag.client_id,
        "source": SOURCE_LABELS.get(flag.source, flag.source),
        "status": flag.status,
        "raised_at": _local(settings, flag.raised_at),
        "due_at": _local(settings, flag.due_at),
        "overdue": flag.status == "open" and _aware(flag.due_at) <= now,
        "escalated": flag.escalated_at is not None,
        "assigned_to": names.get(flag.assigned_to or ""),
        "assigned_to_id": flag.assigned_to,
        "raised_by": names.get(flag.raised_by or ""),
        "closed_at": _local(settings, flag.closed_at),
        "closed_by": names.get(flag.closed_by or ""),
        "outcome": OUTCOME_LABELS.get(flag.outcome or "", flag.outcome),
    }


def _guidance(session: Session, settings: Settings, actor: Actor, client_id: str | None = None) -> dict[str, Any]:
    found = risk_guidance.guidance(session, settings, actor)
    found["client_id"] = client_id
    return found


# --- The person page's section -------------------------------------------------------------------------------------------


def section(session: Session, settings: Settings, actor: Actor, client: Client, request: Request) -> dict[str, Any] | None:
    """The person page's risk section (clients.sections): what to do now if there is risk, the person's open flags
    (source, due, who answers), "what I did", and the link to raise one. Shown to whoever may raise or answer."""
    can_raise = actor.can("risk.raise")
    can_respond = actor.can("risk.respond")
    if not (can_raise or can_respond):
        return None
    flags = service.flags_of_client(session, client.id, limit=20)
    names = service.account_names(session, {flag.assigned_to for flag in flags} | {flag.closed_by for flag in flags})
    now = clock.utc_now()
    described = [_describe(settings, flag, names, now) for flag in flags]
    notice = request.query_params.get("risk")
    return {
        "risk_section": {
            "client_id": client.id,
            "open": [item for item in described if item["status"] == "open"],
            "closed": [item for item in described if item["status"] == "closed"],
            "can_raise": can_raise,
            "can_respond": can_respond,
            "notice": NOTICES.get(notice or ""),
            "notice_is_problem": notice == "closed",
            "csrf_token": getattr(request.state, "csrf_token", ""),
        },
        "risk_guidance": _guidance(session, settings, actor, client.id),
    }


# --- Raising a flag ------------------------------------------------------------------------------------------------------


def _raise_form(request: Request, session: Session, settings: Settings, actor: Actor, client: Client, *, values: dict[str, Any],
                errors: list, status_code: int = 200) -> Response:
    return render_staff(
        request,
        "staff/risk/raise.html",
        {
            "client_id": client.id,
            "values": values,
            "errors": errors,
            "sources": [(source, SOURCE_LABELS[source], SOURCE_HINTS[source]) for source in service.RAISED_BY_HAND],
            "risk_guidance": _guidance(session, settings, actor, None),
            "limit": service.TEXT_LIMIT,
        },
        status_code=status_code,
    )


@router.get("/staff/clients/{client_id}/risk-flags/new")
def raise_page(request: Request, session: SessionDep, settings: SettingsDep, actor: Raiser, client_id: str) -> Response:
    client = clients.find_client(session, actor, client_id, "risk.raise")
    return _raise_form(request, session, settings, actor, client, values={}, errors=[])


@router.post("/staff/clients/{client_id}/risk-flags/new")
def raise_flag(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: Raiser,
    client_id: str,
    source: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    seen: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    done: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
) -> Response:
    client = clients.find_client(session, actor, client_id, "risk.raise")
    try:
        service.raise_by_worker(session, settings, actor, client.id, source=source, seen=seen, done=done, request_id=request_id(request))
    except InvalidInput as problem:
        values = {"source": source, "seen": seen, "done": done}
        return _raise_form(request, session, settings, actor, client, values=values, errors=form_errors(request, problem.errors), status_code=422)
    return _see_other(f"/staff/clients/{client.id}?risk=raised#risk")


@router.post("/staff/clients/{client_id}/risk-flags/{flag_id}/notes")
def add_note(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: Raiser,
    client_id: str,
    flag_id: str,
    note: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    back: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    """"What I did", from the person's page (or, for a clinician, from the flag page: back=flag)."""
    flag = service.find_flag(session, actor, flag_id, "risk.respond" if actor.can("risk.respond") else "risk.raise")
    if flag.client_id != client_id:
        from carebridge.errors import NotFound

        raise NotFound(service.FLAG_NOT_FOUND)
    to_flag = back == "flag" and actor.can("risk.respond")
    try:
        service.add_note(session, settings, actor, flag.id, note, request_id=request_id(request))
    except Conflict:
        return _see_other(f"/staff/risk/flags/{flag.id}" if to_flag else f"/staff/clients/{client_id}?risk=closed#risk")
    except InvalidInput as problem:
        if to_flag:
            return _flag_page(request, session, settings, actor, flag.id, note_errors=form_errors(request, problem.errors), status_code=422)
        return render_staff(
            request,
            "staff/risk/note.html",
            {"client_id": client_id, "flag_id": flag.id, "errors": form_errors(request, problem.errors), "values": {"note": note},
             "limit": service.TEXT_LIMIT},
            status_code=422,
        )
    return _see_other(f"/staff/risk/flags/{flag.id}?done=noted" if to_flag else f"/staff/clients/{client_id}?risk=noted#risk")


# --- The clinician's list and flag page ---------------------------------------------------------------------------------------


@router.get("/staff/risk")
def risk_list(request: Request, session: SessionDep, settings: SettingsDep, actor: Responder) -> Response:
    """Open flags given to me or to nobody, soonest due (overdue) first; each row audited `risk.list`."""
    flags = service.open_flags_for(session, actor)
    names = service.account_names(session, {flag.assigned_to for flag in flags})
    rows = _with_names(session, settings, actor, request, flags, names)
    return render_staff(request, "staff/risk/index.html", {"rows": rows, "me": actor.account_id})


def _with_names(session: Session, settings: Settings, actor: Actor, request: Request, flags: list[RiskFlag],
                names: dict[str, str]) -> list[dict[str, Any]]:
    """Each flag with the person's name (opened from their profile), the people audited once each."""
    now = clock.utc_now()
    client_ids = list(dict.fromkeys(flag.client_id for flag in flags))
    people = {client.id: client for client in session.query(Client).filter(Client.id.in_(client_ids))} if client_ids else {}
    profiles = clients.open_profiles(session, settings, list(people.values()))
    if client_ids:
        audit.record_many(session, "risk.list", actor=actor, record_type=clients.RECORD_TYPE, record_ids=client_ids,
                          request_id=request_id(request))
    rows = []
    for flag in flags:
        item = _describe(settings, flag, names, now)
        profile = profiles.get(flag.client_id)
        item["name"] = profile.preferred_name if profile else ""
        rows.append(item)
    return rows


def _flag_page(request: Request, session: Session, settings: Settings, actor: Actor, flag_id: str, *,
               values: dict[str, Any] | None = None, errors: list | None = None, note_errors: list | None = None,
               status_code: int = 200) -> Response:
    view = service.read_flag(session, settings, actor, flag_id, request_id=request_id(request))
    names = view.names
    item = _describe(settings, view.flag, names, clock.utc_now())
    screening = dict(view.screening) if view.screening else None
    if screening:
        screening["completed_at"] = _local(settings, screening["completed_at"])
    return render_staff(
        request,
        "staff/risk/flag.html",
        {
            "flag": item,
            "view": view,
            "screening": screening,
            "notes": [{**note, "at": _local(settings, note["at"])} for note in view.notes],
            "channel_labels": CHANNEL_LABELS,
            "outcomes": list(OUTCOME_LABELS.items()),
            "values": values or {},
            "errors": errors or [],
            "note_errors": note_errors or [],
            "notice": FLAG_NOTICES.get(request.query_params.get("done") or ""),
            "limit": service.TEXT_LIMIT,
        },
        status_code=status_code,
    )


@router.get("/staff/risk/flags/{flag_id}")
def flag_page(request: Request, session: SessionDep, settings: SettingsDep, actor: Responder, flag_id: str) -> Response:
    """The minimum a clinician needs to act (organisation-wide for flags), audited `risk.read` on the person."""
    return _flag_page(request, session, settings, actor, flag_id)


@router.post("/staff/risk/flags/{flag_id}/close")
def close_flag(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: Responder,
    flag_id: str,
    outcome: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    outcome_notes: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
) -> Response:
    try:
        flag = service.close_flag(session, settings, actor, flag_id, outcome=outcome, notes=outcome_notes, request_id=request_id(request))
    except InvalidInput as problem:
        return _flag_page(request, session, settings, actor, flag_id, values={"outcome": outcome, "outcome_notes": outcome_notes},
                          errors=form_errors(request, problem.errors), status_code=422)
    except Conflict:
        return _see_other(f"/staff/risk/flags/{flag_id}")
    return _see_other(f"/staff/risk/flags/{flag.id}?done=closed")


# --- Oversight and the duty rota ---------------------------------------------------------------------------------------------


def _oversight(request: Request, session: Session, settings: Settings, actor: Actor, *, values: dict[str, Any] | None = None,
               errors: list | None = None, status_code: int = 200) -> Response:
    open_flags, closed_flags = service.oversight_flags(session, actor)
    names = service.account_names(
        session, {flag.assigned_to for flag in open_flags + closed_flags} | {flag.closed_by for flag in closed_flags}
    )
    rows = _with_names(session, settings, actor, request, open_flags + closed_flags, names)
    days = service.rota(session, settings, actor.organisation_id)
    clinicians = service.responders(session, actor.organisation_id)
    return render_staff(
        request,
        "staff/risk/oversight.html",
        {
            "open_rows": [row for row in rows if row["status"] == "open"],
            "closed_rows": [row for row in rows if row["status"] == "closed"],
            "days": [(day.isoformat(), [(duty.id, account.name, duty.phone) for duty, account in entries]) for day, entries in days],
            "nobody_today": not days[0][1],
            "clinicians": [(account.id, account.name) for account in clinicians],
            "values": values or {},
            "errors": errors or [],
            "notice": OVERSIGHT_NOTICES.get(request.query_params.get("done") or ""),
        },
        status_code=status_code,
    )


@router.get("/staff/risk/oversight")
def oversight(request: Request, session: SessionDep, settings: SettingsDep, actor: Overseer) -> Response:
    return _oversight(request, session, settings, actor)


@router.post("/staff/risk/duty")
def add_duty(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: Overseer,
    account_id: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    day: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    phone: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
) -> Response:
    try:
        service.add_duty(session, settings, actor, account_id=account_id, day=day, phone=phone, request_id=request_id(request))
    except InvalidInput as problem:
        return _oversight(request, session, settings, actor, values={"account_id": account_id, "day": day, "phone": phone},
                          errors=form_errors(request, problem.errors), status_code=422)
    return _see_other("/staff/risk/oversight?done=added#duty")


@router.post("/staff/risk/duty/{duty_id}/remove")
def remove_duty(request: Request, session: SessionDep, actor: Overseer, duty_id: str) -> Response:
    service.remove_duty(session, actor, duty_id, request_id=request_id(request))
    return _see_other("/staff/risk/oversight?done=removed#duty")
