"""Staff pages of the interpreters domain (issue 11): the register (/staff/interpreters; browse with interpreter.book,
keep with interpreter.manage), finding and booking an interpreter for a person, the person page's "Interpreting"
section (bookings, named exclusions), the interpreter's own bookings (/staff/interpreting) and the demand report.

Every route declares its permission; the services check it again and scope the record. Forms post, then redirect
(303) with a short result code, never personal data; a form with a problem is shown again (422, or 409 when someone
else booked the interpreter first) with an error summary and what was typed. No JavaScript.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from sqlalchemy import select
from sqlalchemy.orm import Session

from carebridge.accounts.access import Actor, requires
from carebridge.accounts.models import StaffAccount, StaffRole
from carebridge.accounts.rendering import form_errors, render_staff
from carebridge.appointments.models import Appointment
from carebridge.clients import service as clients
from carebridge.clients.models import Client
from carebridge.config import Settings
from carebridge.errors import N_, Conflict, FieldError, InvalidInput, NotFound
from carebridge.interpreters import matching, service
from carebridge.interpreters.models import GENDERS, KINDS, MODALITIES, InterpreterBooking
from carebridge.kit import clock
from carebridge.web import SessionDep, SettingsDep, request_id

router = APIRouter(include_in_schema=False)

TRANSPORT_LIMIT = 20_000
LANGUAGE_ROWS = 4
RULE_ROWS = 3
Booker = Annotated[Actor, Depends(requires("interpreter.book"))]
Keeper = Annotated[Actor, Depends(requires("interpreter.manage"))]
Responder = Annotated[Actor, Depends(requires("interpreting.respond"))]
Reporter = Annotated[Actor, Depends(requires("report.aggregate"))]
Text = Annotated[str, Form(max_length=TRANSPORT_LIMIT)]

KIND_LABELS = {"interpreter": N_("Interpreter"), "cultural-mediator": N_("Cultural mediator")}
MODALITY_LABELS = {"in-person": N_("In person"), "phone": N_("By phone"), "video": N_("By video")}
GENDER_LABELS = {"female": N_("Female"), "male": N_("Male"), "other": N_("Another gender"), "": N_("Not said")}
WISH_LABELS = {"any": N_("Any gender"), "female": N_("A woman"), "male": N_("A man")}
STATUS_LABELS = {
    "requested": N_("Asked, waiting for an answer"),
    "accepted": N_("Accepted"),
    "declined": N_("Declined"),
    "cancelled": N_("Cancelled"),
}
MATCH_LABELS = {
    matching.EXACT: N_("Speaks this dialect"),
    matching.MACRO_MATCH: N_("Same language, another dialect"),
}
SECTION_NOTICES = {
    "booked": N_("The interpreter was asked. You will see their answer here."),
    "cancelled": N_("The booking was cancelled and the interpreter told."),
    "answered": N_("The interpreter’s answer was recorded."),
    "excluded": N_("This interpreter will not be proposed for the person."),
    "unexcluded": N_("This interpreter may be proposed for the person again."),
    "stale": N_("This booking was already answered or cancelled."),
}
REGISTER_NOTICES = {"added": N_("The interpreter was added to the register."), "changed": N_("The register was changed.")}
MINE_NOTICES = {"accepted": N_("You accepted the booking."), "declined": N_("You declined the booking."),
                "stale": N_("This booking was already answered or cancelled.")}


def _see_other(url: str) -> Response:
    return RedirectResponse(url, status_code=303)


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _local(settings: Settings, moment: dt.datetime | None, pattern: str = "%Y-%m-%d %H:%M") -> str:
    if moment is None:
        return ""
    return _aware(moment).astimezone(ZoneInfo(settings.timezone)).strftime(pattern)


def language_label(tag: str) -> str:
    """The form's label for a common tag (a msgid), else the tag itself."""
    return dict(clients.COMMON_LANGUAGES).get(tag, tag)


def _languages(tags: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"tag": entry.get("tag", ""), "label": language_label(entry.get("tag", "")), "community": bool(entry.get("community"))} for entry in tags]


def _describe_entry(settings: Settings, entry: service.Entry) -> dict[str, Any]:
    row = entry.interpreter
    return {
        "id": row.id,
        "name": entry.name,
        "contact": entry.contact,
        "staff": entry.staff,
        "kind": KIND_LABELS.get(row.kind, row.kind),
        "languages": _languages(row.languages or []),
        "modalities": [MODALITY_LABELS.get(item, item) for item in row.modalities or []],
        "gender": GENDER_LABELS.get(row.gender or "", row.gender),
        "areas": ", ".join(row.areas or []),
        "availability": [f"{rule.get('byday', '')} {rule.get('opens_at', '')}–{rule.get('closes_at', '')}" for rule in row.availability or []],
        "accreditation": " ".join(part for part in (row.accreditation_body, row.accreditation_level) if part),
        "expires": row.accreditation_expires.isoformat() if row.accreditation_expires else "",
        "accredited": entry.accredited,
        "active": row.active,
    }


# --- The register ------------------------------------------------------------------------------------------------------


@router.get("/staff/interpreters")
def register_page(request: Request, session: SessionDep, settings: SettingsDep, actor: Booker) -> Response:
    entries = service.register(session, settings, actor, include_inactive=actor.can("interpreter.manage"))
    return render_staff(request, "staff/interpreters/index.html", {
        "rows": [_describe_entry(settings, entry) for entry in entries],
        "can_manage": actor.can("interpreter.manage"),
        "can_report": actor.can("report.aggregate"),
        "notice": REGISTER_NOTICES.get(request.query_params.get("done") or ""),
    })


def _staff_choices(session: Session, actor: Actor) -> list[tuple[str, str]]:
    rows = session.execute(
        select(StaffAccount.id, StaffAccount.name).where(
            StaffAccount.organisation_id == actor.organisation_id,
            StaffAccount.active.is_(True),
            StaffAccount.id.in_(select(StaffRole.account_id).where(StaffRole.role.in_(("interpreter", "cultural-mediator")))),
        ).order_by(StaffAccount.name, StaffAccount.id).limit(500)
    ).all()
    return [(row.id, row.name) for row in rows]


def _values_of(entry: service.Entry | None) -> dict[str, Any]:
    if entry is None:
        return {"kind": "interpreter", "modalities": ["in-person"], "active": True}
    row = entry.interpreter
    values: dict[str, Any] = {
        "kind": row.kind, "account_id": row.account_id or "", "name": "" if entry.staff else entry.name,
        "contact": entry.contact, "gender": row.gender or "", "modalities": list(row.modalities or []),
        "areas": ", ".join(row.areas or []), "accreditation_body": row.accreditation_body or "",
        "accreditation_level": row.accreditation_level or "",
        "accreditation_expires": row.accreditation_expires.isoformat() if row.accreditation_expires else "",
        "active": row.active, "version": row.version,
    }
    for index, language in enumerate((row.languages or [])[:LANGUAGE_ROWS]):
        values[f"lang_{index}"] = language.get("tag", "")
        values[f"community_{index}"] = bool(language.get("community"))
    for index, rule in enumerate((row.availability or [])[:RULE_ROWS]):
        values[f"days_{index}"] = rule.get("byday", "")
        values[f"opens_{index}"] = rule.get("opens_at", "")
        values[f"closes_{index}"] = rule.get("closes_at", "")
    return values


def _interpreter_form(request: Request, session: Session, actor: Actor, *, values: dict[str, Any], errors: list,
                      interpreter_id: str | None = None, status_code: int = 200) -> Response:
    return render_staff(request, "staff/interpreters/form.html", {
        "interpreter_id": interpreter_id,
        "values": values,
        "errors": errors,
        "kinds": [(kind, KIND_LABELS[kind], None) for kind in KINDS],
        "genders": [(gender, GENDER_LABELS[gender], None) for gender in ("", *GENDERS)],
        "modalities": [(item, MODALITY_LABELS[item]) for item in MODALITIES],
        "staff": _staff_choices(session, actor),
        "language_rows": range(LANGUAGE_ROWS),
        "rule_rows": range(RULE_ROWS),
        "common_languages": clients.COMMON_LANGUAGES,
    }, status_code=status_code)


def _input_from(form: dict[str, Any]) -> tuple[service.InterpreterInput, list[FieldError]]:
    errors: list[FieldError] = []
    expires: dt.date | None = None
    raw = (form.get("accreditation_expires") or "").strip()
    if raw:
        try:
            expires = dt.date.fromisoformat(raw)
        except ValueError:
            errors.append(FieldError("accreditation_expires", N_("Give the date as year-month-day, for example 2027-03-31.")))
    data = service.InterpreterInput(
        kind=form.get("kind") or "",
        account_id=form.get("account_id") or None,
        name=form.get("name") or "",
        contact=form.get("contact") or "",
        gender=form.get("gender") or None,
        languages=[{"tag": form.get(f"lang_{index}") or "", "community": bool(form.get(f"community_{index}"))} for index in range(LANGUAGE_ROWS)],
        modalities=list(form.get("modalities") or []),
        areas=[part for part in (form.get("areas") or "").split(",")],
        availability=[{"byday": form.get(f"days_{index}") or "", "opens_at": form.get(f"opens_{index}") or "",
                       "closes_at": form.get(f"closes_{index}") or ""} for index in range(RULE_ROWS)],
        accreditation_body=form.get("accreditation_body") or "",
        accreditation_level=form.get("accreditation_level") or "",
        accreditation_expires=expires,
        active=bool(form.get("active")) if "version" in form else True,
    )
    return data, errors


async def _read_form(request: Request) -> dict[str, Any]:
    form = await request.form()
    values: dict[str, Any] = {}
    for key in form.keys():
        items = [item for item in form.getlist(key) if isinstance(item, str)]
        if key == "modalities":
            values[key] = [item[:20] for item in items][:5]
        elif items:
            values[key] = items[0][:TRANSPORT_LIMIT]
    return values


def _page_field(name: str) -> str:
    """The form field an error of the service points at (languages.0.tag -> lang_0)."""
    parts = name.split(".")
    if parts[0] == "languages" and len(parts) > 1:
        return f"lang_{parts[1]}"
    if parts[0] == "availability" and len(parts) > 2:
        return f"{'days' if parts[2] == 'byday' else 'opens'}_{parts[1]}"
    return name


def _problems(request: Request, errors: list[FieldError]) -> list[dict[str, str]]:
    return [{**item, "name": _page_field(item["name"])} for item in form_errors(request, errors)]


# --- Demand -----------------------------------------------------------------------------------------------------------------


@router.get("/staff/interpreters/demand")
def demand_page(request: Request, session: SessionDep, settings: SettingsDep, actor: Reporter) -> Response:
    choices = service.organisations_to_choose(session, actor)
    chosen = (request.query_params.get("organisation") or "")[:36] or None
    errors = []
    if chosen and chosen not in dict(choices):
        errors = form_errors(request, [FieldError("organisation", N_("Choose an organisation from the list."))])
        chosen = None
    report = service.demand(session, settings, actor, organisation_id=chosen, request_id=request_id(request))
    return render_staff(request, "staff/interpreters/demand.html", {
        "rows": [{**row.__dict__, "label": language_label(row.language)} for row in report.rows],
        "threshold": report.threshold,
        "organisations": choices,
        "chosen": chosen or "",
        "errors": errors,
    }, status_code=422 if errors else 200)


@router.get("/staff/interpreters/new")
def new_page(request: Request, session: SessionDep, actor: Keeper) -> Response:
    return _interpreter_form(request, session, actor, values=_values_of(None), errors=[])


@router.post("/staff/interpreters/new")
async def create(request: Request, session: SessionDep, settings: SettingsDep, actor: Keeper) -> Response:
    form = await _read_form(request)
    return await run_in_threadpool(_create, request, session, settings, actor, form)


def _create(request: Request, session: Session, settings: Settings, actor: Actor, form: dict[str, Any]) -> Response:
    data, errors = _input_from(form)
    try:
        if errors:
            raise InvalidInput(errors=errors)
        service.create_interpreter(session, settings, actor, data, request_id=request_id(request))
    except InvalidInput as problem:
        return _interpreter_form(request, session, actor, values=form, errors=_problems(request, problem.errors), status_code=422)
    return _see_other("/staff/interpreters?done=added")


@router.get("/staff/interpreters/{interpreter_id}")
def edit_page(request: Request, session: SessionDep, settings: SettingsDep, actor: Keeper, interpreter_id: str) -> Response:
    entry = service.entry(session, settings, actor, interpreter_id)
    return _interpreter_form(request, session, actor, values=_values_of(entry), errors=[], interpreter_id=entry.interpreter.id)


@router.post("/staff/interpreters/{interpreter_id}")
async def update(request: Request, session: SessionDep, settings: SettingsDep, actor: Keeper, interpreter_id: str) -> Response:
    form = await _read_form(request)
    return await run_in_threadpool(_update, request, session, settings, actor, interpreter_id, form)


def _update(request: Request, session: Session, settings: Settings, actor: Actor, interpreter_id: str, form: dict[str, Any]) -> Response:
    entry = service.entry(session, settings, actor, interpreter_id)
    form.setdefault("version", "")
    data, errors = _input_from(form)
    try:
        version = int(form.get("version") or 0)
    except ValueError:
        version = 0
    try:
        if errors:
            raise InvalidInput(errors=errors)
        service.update_interpreter(session, settings, actor, entry.interpreter.id, data, version=version, request_id=request_id(request))
    except InvalidInput as problem:
        return _interpreter_form(request, session, actor, values=form, errors=_problems(request, problem.errors),
                                 interpreter_id=entry.interpreter.id, status_code=422)
    except Conflict:
        return _interpreter_form(request, session, actor, values=_values_of(entry),
                                 errors=form_errors(request, [FieldError("name", service.STALE)]),
                                 interpreter_id=entry.interpreter.id, status_code=409)
    return _see_other("/staff/interpreters?done=changed")


# --- The person page's section ------------------------------------------------------------------------------------------


def _booking_rows(session: Session, settings: Settings, actor: Actor, bookings: list[InterpreterBooking]) -> list[dict[str, Any]]:
    interpreters = {}
    ids = {booking.interpreter_id for booking in bookings}
    if ids:
        from carebridge.interpreters.models import Interpreter

        rows = list(session.scalars(select(Interpreter).where(Interpreter.id.in_(ids))))
        named = service.identities(session, settings, rows)
        interpreters = {row.id: (named[row.id][0], row.account_id is None) for row in rows}
    out = []
    for booking in bookings:
        name, external = interpreters.get(booking.interpreter_id, ("", False))
        link = service.video_link(session, settings, booking) if booking.modality == "video" else None
        out.append({
            "id": booking.id,
            "when": _local(settings, booking.starts_at),
            "until": _local(settings, booking.ends_at, "%H:%M"),
            "language": language_label(booking.language),
            "modality": MODALITY_LABELS.get(booking.modality, booking.modality),
            "status": booking.status,
            "status_label": STATUS_LABELS.get(booking.status, booking.status),
            "interpreter": name,
            "external": external,
            "video": booking.modality == "video",
            "video_link": link,
            "unaccredited": booking.unaccredited_allowed,
            "live": booking.status in ("requested", "accepted"),
        })
    return out


def section(session: Session, settings: Settings, actor: Actor, client: Client, request: Request) -> dict[str, Any] | None:
    """The person page's interpreting section: the person's wishes, their bookings (cancel; record an external
    interpreter's answer), named exclusions, and "book an interpreter". Shown to those who may book. Not audited
    again: the person's page that shows it is audited `client.read`."""
    if not actor.can("interpreter.book"):
        return None
    try:
        clients.find_client(session, actor, client.id, "interpreter.book")
    except NotFound:
        return None
    bookings = service.bookings_of_client(session, client.id, limit=20)
    exclusions = service.exclusions_of(session, settings, client)
    profile = clients.open_profile(session, settings, client)
    register = service.register(session, settings, actor)
    names = {entry.interpreter.id: entry.name for entry in register}
    notice = request.query_params.get("interpreting")
    return {"interpreting_section": {
        "client_id": client.id,
        "needed": profile.interpreter_needed,
        "language": language_label(profile.interpreter_language or "") if profile.interpreter_language else "",
        "gender": WISH_LABELS.get(profile.interpreter_gender or "any"),
        "not_from_community": profile.interpreter_not_from_community,
        "bookings": _booking_rows(session, settings, actor, bookings),
        "exclusions": [{"id": row.id, "name": names.get(row.interpreter_id, ""), "reason": reason} for row, reason in exclusions],
        "choices": [(entry.interpreter.id, entry.name) for entry in register if entry.interpreter.id not in {row.interpreter_id for row, _ in exclusions}],
        "notice": SECTION_NOTICES.get(notice or ""),
        "notice_is_problem": notice == "stale",
        "csrf_token": getattr(request.state, "csrf_token", ""),
    }}


# --- Finding and booking ------------------------------------------------------------------------------------------------


def _window(settings: Settings, day: str, start: str, end: str, errors: list[FieldError]) -> tuple[dt.datetime | None, dt.datetime | None]:
    zone = ZoneInfo(settings.timezone)
    try:
        on = dt.date.fromisoformat(day.strip())
    except ValueError:
        errors.append(FieldError("day", N_("Give the date as year-month-day, for example 2027-03-31.")))
        return None, None
    moments = []
    for name, value in (("start", start), ("end", end)):
        try:
            moments.append(dt.datetime.combine(on, dt.time.fromisoformat(value.strip()), zone).astimezone(dt.UTC))
        except ValueError:
            errors.append(FieldError(name, N_("Give the time as HH:MM, for example 14:30.")))
    if len(moments) != 2:
        return None, None
    return moments[0], moments[1]


def _appointment_choices(session: Session, settings: Settings, client: Client) -> list[tuple[str, str]]:
    rows = session.scalars(select(Appointment).where(
        Appointment.client_id == client.id, Appointment.status == "booked", Appointment.ends_at >= clock.utc_now()
    ).order_by(Appointment.starts_at, Appointment.id).limit(20))
    return [(row.id, f"{_local(settings, row.starts_at)}–{_local(settings, row.ends_at, '%H:%M')}") for row in rows]


def _search_from(settings: Settings, values: dict[str, str], errors: list[FieldError]) -> service.Search:
    search = service.Search(
        language=values.get("language", ""), modality=values.get("modality", ""), gender=values.get("gender") or "any",
        allow_unaccredited=values.get("allow_unaccredited") == "1",
        appointment_id=values.get("appointment_id") or None, referral_id=values.get("referral_id") or None,
    )
    if not search.appointment_id:
        search.starts_at, search.ends_at = _window(settings, values.get("day", ""), values.get("start", ""), values.get("end", ""), errors)
    return search


FIND_FIELDS = ("language", "modality", "gender", "day", "start", "end", "appointment_id", "referral_id", "allow_unaccredited")


def _find_page(request: Request, session: Session, settings: Settings, actor: Actor, client: Client, values: dict[str, str], *,
               errors: list | None = None, run: bool = False, status_code: int = 200, book_values: dict[str, str] | None = None,
               conflict: list | None = None) -> Response:
    profile = clients.open_profile(session, settings, client)
    if not values.get("language") and profile.interpreter_language:
        values.setdefault("language", profile.interpreter_language)
    values.setdefault("modality", "in-person")
    values.setdefault("gender", profile.interpreter_gender or "any")
    errors = list(errors or [])
    found = None
    if run and not errors:
        field_errors: list[FieldError] = []
        search = _search_from(settings, values, field_errors)
        try:
            if field_errors:
                raise InvalidInput(errors=field_errors)
            found = service.find(session, settings, actor, client.id, search, request_id=request_id(request))
        except InvalidInput as problem:
            errors = form_errors(request, problem.errors)
            status_code = 422
    errors += conflict or []
    return render_staff(request, "staff/interpreters/find.html", {
        "client_id": client.id,
        "values": values,
        "book_values": book_values or {},
        "errors": errors,
        "language_choices": clients.COMMON_LANGUAGES,
        "modalities": [(item, MODALITY_LABELS[item], None) for item in MODALITIES],
        "genders": [(item, WISH_LABELS[item], None) for item in ("any", "female", "male")],
        "appointments": _appointment_choices(session, settings, client),
        "not_from_community": profile.interpreter_not_from_community,
        "found": found,
        "matches": [
            {**_describe_entry(settings, entry), "match": MATCH_LABELS[match.match], "offered": language_label(match.language),
             "booked_hours": match.booked_hours}
            for match, entry in (found.matches if found else [])
        ],
        "refusals": [
            {"name": entry.name, "reason": matching.REASONS.get(refusal.reason, refusal.reason)}
            for refusal, entry in (found.refusals if found else [])
        ],
        "video_template": bool((settings.video_link_template or "").strip()),
        "find_fields": FIND_FIELDS,
    }, status_code=status_code)


@router.get("/staff/clients/{client_id}/interpreting/find")
def find_page(request: Request, session: SessionDep, settings: SettingsDep, actor: Booker, client_id: str) -> Response:
    client = clients.find_client(session, actor, client_id, "interpreter.book")
    values = {name: (request.query_params.get(name) or "")[:200] for name in FIND_FIELDS if request.query_params.get(name)}
    return _find_page(request, session, settings, actor, client, values, run=bool(values.get("language")) and "day" in values or bool(values.get("appointment_id")))


@router.post("/staff/clients/{client_id}/interpreting/bookings")
def book(
    request: Request, session: SessionDep, settings: SettingsDep, actor: Booker, client_id: str,
    interpreter_id: Text = "", name_to_use: Text = "", where: Text = "",
    language: Text = "", modality: Text = "", gender: Text = "", day: Text = "", start: Text = "", end: Text = "",
    appointment_id: Text = "", referral_id: Text = "", allow_unaccredited: Text = "",
) -> Response:
    client = clients.find_client(session, actor, client_id, "interpreter.book")
    values = {"language": language, "modality": modality, "gender": gender, "day": day, "start": start, "end": end,
              "appointment_id": appointment_id, "referral_id": referral_id, "allow_unaccredited": allow_unaccredited}
    values = {key: value[:200] for key, value in values.items() if value}
    book_values = {"interpreter_id": interpreter_id[:40], "name_to_use": name_to_use, "where": where}
    errors: list[FieldError] = []
    search = _search_from(settings, values, errors)
    if not interpreter_id:
        errors.append(FieldError("interpreter_id", N_("Choose an interpreter.")))
    try:
        if errors:
            raise InvalidInput(errors=errors)
        service.book(session, settings, actor, client.id, interpreter_id, search, name_to_use=name_to_use, where=where, request_id=request_id(request))
    except InvalidInput as problem:
        return _find_page(request, session, settings, actor, client, values, errors=form_errors(request, problem.errors), status_code=422,
                          book_values=book_values)
    except Conflict:
        # The results again (whoever was just booked is now left out), with "just booked by someone else".
        message = form_errors(request, [FieldError("interpreter_id", service.JUST_BOOKED)])
        return _find_page(request, session, settings, actor, client, values, run=True, conflict=message, status_code=409,
                          book_values=book_values)
    return _see_other(f"/staff/clients/{client.id}?interpreting=booked#interpreting")


@router.post("/staff/clients/{client_id}/interpreting/bookings/{booking_id}/cancel")
def cancel(request: Request, session: SessionDep, settings: SettingsDep, actor: Booker, client_id: str, booking_id: str) -> Response:
    booking = service.find_booking(session, actor, booking_id, "interpreter.book")
    if booking.client_id != client_id:
        raise NotFound(service.BOOKING_NOT_FOUND)
    try:
        service.cancel(session, settings, actor, booking.id, request_id=request_id(request))
    except Conflict:
        return _see_other(f"/staff/clients/{client_id}?interpreting=stale#interpreting")
    return _see_other(f"/staff/clients/{client_id}?interpreting=cancelled#interpreting")


@router.post("/staff/clients/{client_id}/interpreting/bookings/{booking_id}/answer")
def record_answer(request: Request, session: SessionDep, settings: SettingsDep, actor: Booker, client_id: str, booking_id: str,
                  answer: Text = "") -> Response:
    """The booker records an external interpreter's answer (accept or decline)."""
    booking = service.find_booking(session, actor, booking_id, "interpreter.book")
    if booking.client_id != client_id:
        raise NotFound(service.BOOKING_NOT_FOUND)
    if answer not in ("accept", "decline"):
        raise InvalidInput(errors=[FieldError("answer", N_("Choose accept or decline."), allowed=["accept", "decline"])])
    try:
        service.answer(session, settings, actor, booking.id, accept=answer == "accept", as_booker=True, request_id=request_id(request))
    except Conflict:
        return _see_other(f"/staff/clients/{client_id}?interpreting=stale#interpreting")
    return _see_other(f"/staff/clients/{client_id}?interpreting=answered#interpreting")


@router.post("/staff/clients/{client_id}/interpreting/exclusions")
def add_exclusion(request: Request, session: SessionDep, settings: SettingsDep, actor: Booker, client_id: str,
                  interpreter_id: Text = "", reason: Text = "") -> Response:
    client = clients.find_client(session, actor, client_id, "interpreter.book")
    try:
        service.add_exclusion(session, settings, actor, client.id, interpreter_id, reason, request_id=request_id(request))
    except InvalidInput as problem:
        return render_staff(request, "staff/interpreters/exclusion.html", {
            "client_id": client.id, "errors": form_errors(request, problem.errors), "values": {"interpreter_id": interpreter_id, "reason": reason},
            "choices": [(entry.interpreter.id, entry.name) for entry in service.register(session, settings, actor)],
            "limit": service.TEXT_LIMIT,
        }, status_code=422)
    return _see_other(f"/staff/clients/{client.id}?interpreting=excluded#interpreting")


@router.post("/staff/clients/{client_id}/interpreting/exclusions/{exclusion_id}/remove")
def remove_exclusion(request: Request, session: SessionDep, actor: Booker, client_id: str, exclusion_id: str) -> Response:
    service.remove_exclusion(session, actor, client_id, exclusion_id, request_id=request_id(request))
    return _see_other(f"/staff/clients/{client_id}?interpreting=unexcluded#interpreting")


# --- The interpreter's own bookings --------------------------------------------------------------------------------------


@router.get("/staff/interpreting")
def mine(request: Request, session: SessionDep, settings: SettingsDep, actor: Responder) -> Response:
    rows = service.my_bookings(session, settings, actor, request_id=request_id(request))
    return render_staff(request, "staff/interpreters/mine.html", {
        "rows": [{
            "id": item.booking.id,
            "when": _local(settings, item.booking.starts_at),
            "until": _local(settings, item.booking.ends_at, "%H:%M"),
            "language": language_label(item.booking.language),
            "modality": MODALITY_LABELS.get(item.booking.modality, item.booking.modality),
            "status": item.booking.status,
            "status_label": STATUS_LABELS.get(item.booking.status, item.booking.status),
            "name_to_use": item.name_to_use,
            "where": item.where,
            "video_link": item.video_link,
            "video": item.booking.modality == "video",
        } for item in rows],
        "notice": MINE_NOTICES.get(request.query_params.get("done") or ""),
        "notice_is_problem": request.query_params.get("done") == "stale",
    })


@router.post("/staff/interpreting/{booking_id}/answer")
def answer(request: Request, session: SessionDep, settings: SettingsDep, actor: Responder, booking_id: str, answer: Text = "") -> Response:
    if answer not in ("accept", "decline"):
        service.find_booking(session, actor, booking_id, "interpreting.respond")
        raise InvalidInput(errors=[FieldError("answer", N_("Choose accept or decline."), allowed=["accept", "decline"])])
    try:
        service.answer(session, settings, actor, booking_id, accept=answer == "accept", request_id=request_id(request))
    except Conflict:
        return _see_other("/staff/interpreting?done=stale")
    return _see_other(f"/staff/interpreting?done={'accepted' if answer == 'accept' else 'declined'}")
