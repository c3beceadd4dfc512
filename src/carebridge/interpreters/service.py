"""Interpreters and cultural mediators: the register, named exclusions, finding one, booking, answering, cancelling,
and the demand report.

Contract for other domains (appointments, referrals):

    service.bookings_for_appointment(session, appointment_id) -> list[InterpreterBooking]
    service.video_link(session, settings, booking) -> str | None          # opened with the person's key
    service.cancel_for_appointment(session, settings, actor, appointment_id) -> int   # when an appointment is cancelled

No double booking, whatever the concurrency: a live booking holds one `interpreter_booking_slot` row per 15-minute
slot it covers (primary key interpreter + slot start), inserted in the booking's own transaction; a second booking
of an overlapping time fails on that key (Conflict: "just booked by someone else"). Declining or cancelling frees the
slots.

Services never commit; every read or write of a person's data is audited on the person's record.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from carebridge.accounts.access import Actor
from carebridge.accounts.models import StaffAccount, StaffRole
from carebridge.appointments.models import Appointment
from carebridge.audit import service as audit
from carebridge.clients import service as clients
from carebridge.clients.models import Client
from carebridge.config import Settings
from carebridge.directory import schedules
from carebridge.errors import N_, Conflict, FieldError, Forbidden, InvalidInput, NotFound
from carebridge.firewall import reports
from carebridge.interpreters import matching, video
from carebridge.interpreters.models import (
    GENDERS,
    KINDS,
    LIVE,
    MODALITIES,
    Interpreter,
    InterpreterBooking,
    InterpreterBookingSlot,
    InterpreterExclusion,
    InterpretingRequest,
)
from carebridge.keys import service as keys
from carebridge.kit import clock
from carebridge.notifications import service as notifications
from carebridge.referrals.models import Referral

SUBJECT = "interpreter"
SLOT = dt.timedelta(minutes=15)
LONGEST = dt.timedelta(hours=12)
TEXT_LIMIT = 500
NAME_LIMIT = 200
LANGUAGES_MAXIMUM = 12
AREAS_MAXIMUM = 20
RULES_MAXIMUM = 14
PAGE = 200
WEEKDAYS = schedules.WEEKDAY_CODES
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
_TIME = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])|24:00")

INTERPRETER_NOT_FOUND = N_("We could not find that interpreter.")
BOOKING_NOT_FOUND = N_("We could not find that interpreting booking.")
JUST_BOOKED = N_("This interpreter was just booked by someone else for that time. Search again.")
STALE = N_("Someone else changed this while you were editing it. Check what it says now and make your change again.")
NO_LONGER_LIVE = N_("This booking was already answered or cancelled.")


def _clean(value: str | None, limit: int) -> str:
    return _CONTROL.sub("", (value or "").replace("\r\n", "\n")).strip()[: limit + 1]


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _id_ok(value: Any) -> bool:
    return isinstance(value, str) and 0 < len(value) <= 36


# --- The register ---------------------------------------------------------------------------------------------------


@dataclass
class InterpreterInput:
    """What the register form or the API gives (strings as typed; checked by `check_input`)."""

    kind: str = "interpreter"
    account_id: str | None = None
    name: str = ""
    contact: str = ""
    gender: str | None = None
    # [{"tag": "ar-SY", "community": bool}]
    languages: list[dict[str, Any]] = field(default_factory=list)
    modalities: list[str] = field(default_factory=list)
    areas: list[str] = field(default_factory=list)
    # [{"byday": "MO,TU", "opens_at": "09:00", "closes_at": "17:00"}]
    availability: list[dict[str, Any]] = field(default_factory=list)
    accreditation_body: str = ""
    accreditation_level: str = ""
    accreditation_expires: dt.date | None = None
    active: bool = True


def _check_rule(rule: dict[str, Any], index: int, errors: list[FieldError]) -> dict[str, Any] | None:
    days = [day.strip().upper() for day in str(rule.get("byday") or "").split(",") if day.strip()]
    opens, closes = str(rule.get("opens_at") or "").strip(), str(rule.get("closes_at") or "").strip()
    if not days and not opens and not closes:
        return None
    if not days or any(day not in WEEKDAYS for day in days):
        errors.append(FieldError(f"availability.{index}.byday", N_("Choose at least one day of the week.")))
        return None
    if not _TIME.fullmatch(opens) or not _TIME.fullmatch(closes) or closes <= opens:
        errors.append(FieldError(f"availability.{index}.opens_at", N_("Give the hours as HH:MM, the end after the start.")))
        return None
    checked = {"freq": "WEEKLY", "byday": ",".join(dict.fromkeys(days)), "opens_at": opens, "closes_at": closes}
    if schedules.compile_schedule(checked) is None:
        errors.append(FieldError(f"availability.{index}.opens_at", N_("Give the hours as HH:MM, the end after the start.")))
        return None
    return checked


def check_input(session: Session, actor: Actor, data: InterpreterInput) -> InterpreterInput:
    errors: list[FieldError] = []
    if data.kind not in KINDS:
        errors.append(FieldError("kind", N_("Choose interpreter or cultural mediator."), allowed=list(KINDS)))
    account_id = (data.account_id or "").strip() or None
    name = _clean(data.name, NAME_LIMIT)
    contact = _clean(data.contact, TEXT_LIMIT)
    if account_id:
        account = session.scalar(
            select(StaffAccount).where(StaffAccount.id == account_id, StaffAccount.organisation_id == actor.organisation_id)
        ) if _id_ok(account_id) else None
        roles = set(session.scalars(select(StaffRole.role).where(StaffRole.account_id == account_id))) if account else set()
        if account is None or not roles & {"interpreter", "cultural-mediator"}:
            errors.append(FieldError("account_id", N_("Choose a member of staff with the interpreter or cultural mediator role.")))
        name, contact = "", ""
    elif not name:
        errors.append(FieldError("name", N_("Give the interpreter’s name.")))
    elif len(name) > NAME_LIMIT:
        errors.append(FieldError("name", N_("Write at most %(limit)s characters."), params={"limit": NAME_LIMIT}))
    if len(contact) > TEXT_LIMIT:
        errors.append(FieldError("contact", N_("Write at most %(limit)s characters."), params={"limit": TEXT_LIMIT}))
    gender = (data.gender or "").strip() or None
    if gender is not None and gender not in GENDERS:
        errors.append(FieldError("gender", N_("Choose female, male, other or not said."), allowed=list(GENDERS)))
    languages: list[dict[str, Any]] = []
    for index, entry in enumerate(data.languages[: LANGUAGES_MAXIMUM + 1]):
        raw = str(entry.get("tag") or "").strip()
        if not raw:
            continue
        tag = clients.normalise_language_tag(raw)
        if tag is None:
            errors.append(FieldError(f"languages.{index}.tag", N_("Give a language tag such as ar-SY, prs, ckb or kmr.")))
            continue
        if all(item["tag"] != tag for item in languages):
            languages.append({"tag": tag, "community": bool(entry.get("community"))})
    if not languages and not any(error.name.startswith("languages") for error in errors):
        errors.append(FieldError("languages.0.tag", N_("Give at least one language.")))
    if len(languages) > LANGUAGES_MAXIMUM:
        errors.append(FieldError("languages.0.tag", N_("Give at most %(limit)s languages."), params={"limit": LANGUAGES_MAXIMUM}))
    modalities = [item for item in dict.fromkeys(data.modalities) if item]
    if not modalities or any(item not in MODALITIES for item in modalities):
        errors.append(FieldError("modalities", N_("Choose at least one way of working."), allowed=list(MODALITIES)))
    areas = [_clean(area, 80) for area in data.areas if _clean(area, 80)][: AREAS_MAXIMUM + 1]
    if len(areas) > AREAS_MAXIMUM or any(len(area) > 80 for area in areas):
        errors.append(FieldError("areas", N_("Give at most %(limit)s areas of at most 80 characters."), params={"limit": AREAS_MAXIMUM}))
    rules = []
    for index, rule in enumerate(data.availability[: RULES_MAXIMUM + 1]):
        checked = _check_rule(rule if isinstance(rule, dict) else {}, index, errors)
        if checked:
            rules.append(checked)
    if len(rules) > RULES_MAXIMUM:
        errors.append(FieldError("availability.0.byday", N_("Give at most %(limit)s times of availability."), params={"limit": RULES_MAXIMUM}))
    body = _clean(data.accreditation_body, 120)
    level = _clean(data.accreditation_level, 60)
    if len(body) > 120 or len(level) > 60:
        errors.append(FieldError("accreditation_body", N_("Write at most %(limit)s characters."), params={"limit": 120}))
    if data.accreditation_expires is not None and not body:
        errors.append(FieldError("accreditation_body", N_("Give the accrediting body.")))
    if errors:
        raise InvalidInput(errors=errors)
    return InterpreterInput(
        kind=data.kind, account_id=account_id, name=name, contact=contact, gender=gender, languages=languages,
        modalities=modalities, areas=areas, availability=rules, accreditation_body=body, accreditation_level=level,
        accreditation_expires=data.accreditation_expires, active=bool(data.active),
    )


def _seal_identity(session: Session, settings: Settings, interpreter: Interpreter, data: InterpreterInput, *, new: bool) -> None:
    if interpreter.account_id:
        interpreter.identity = None
        return
    try:
        key = keys.data_key(session, settings, SUBJECT, interpreter.id) if not new else None
    except keys.KeyDestroyed:
        key = None
    if key is None:
        key = keys.create_data_key(session, settings, SUBJECT, interpreter.id)
    interpreter.identity = key.seal_json(Interpreter.__tablename__, "identity", interpreter.id, {"name": data.name, "contact": data.contact})


def macros_of(languages: list[dict[str, Any]]) -> str:
    return " " + " ".join(sorted({matching.macro_language(entry.get("tag") or "") for entry in languages})) + " "


def _apply(interpreter: Interpreter, data: InterpreterInput) -> None:
    interpreter.kind = data.kind
    interpreter.account_id = data.account_id
    interpreter.gender = data.gender
    interpreter.languages = data.languages
    interpreter.macros = macros_of(data.languages)
    interpreter.modalities = data.modalities
    interpreter.areas = data.areas
    interpreter.availability = data.availability
    interpreter.accreditation_body = data.accreditation_body or None
    interpreter.accreditation_level = data.accreditation_level or None
    interpreter.accreditation_expires = data.accreditation_expires
    interpreter.active = data.active


def create_interpreter(session: Session, settings: Settings, actor: Actor, data: InterpreterInput, *, fictional: bool = False,
                       request_id: str | None = None) -> Interpreter:
    """A new entry of the actor's organisation's register (interpreter.manage); audited `interpreter.create`."""
    clients.check(actor, "interpreter.manage")
    data = check_input(session, actor, data)
    if data.account_id and session.scalar(select(Interpreter.id).where(Interpreter.account_id == data.account_id)):
        raise InvalidInput(errors=[FieldError("account_id", N_("This member of staff is already on the register."))])
    now = clock.utc_now()
    interpreter = Interpreter(id=_new_id(), organisation_id=actor.organisation_id, fictional=fictional, version=1, created_at=now, updated_at=now)
    _apply(interpreter, data)
    session.add(interpreter)
    session.flush()
    _seal_identity(session, settings, interpreter, data, new=True)
    audit.record(session, "interpreter.create", actor=actor, record_type="interpreter", record_id=interpreter.id, request_id=request_id)
    return interpreter


def update_interpreter(session: Session, settings: Settings, actor: Actor, interpreter_id: str, data: InterpreterInput, *,
                       version: int, request_id: str | None = None) -> Interpreter:
    """Change an entry (interpreter.manage); a stale `version` is Conflict; audited `interpreter.update`."""
    clients.check(actor, "interpreter.manage")
    interpreter = find_interpreter(session, actor, interpreter_id)
    if interpreter.version != version:
        raise Conflict(STALE)
    data = check_input(session, actor, data)
    if data.account_id and session.scalar(
        select(Interpreter.id).where(Interpreter.account_id == data.account_id, Interpreter.id != interpreter.id)
    ):
        raise InvalidInput(errors=[FieldError("account_id", N_("This member of staff is already on the register."))])
    _apply(interpreter, data)
    _seal_identity(session, settings, interpreter, data, new=False)
    interpreter.version += 1
    interpreter.updated_at = clock.utc_now()
    session.flush()
    audit.record(session, "interpreter.update", actor=actor, record_type="interpreter", record_id=interpreter.id, request_id=request_id)
    return interpreter


def _new_id() -> str:
    from carebridge.db import new_id

    return new_id()


def find_interpreter(session: Session, actor: Actor, interpreter_id: str) -> Interpreter:
    """An entry of the actor's organisation's register; NotFound otherwise."""
    found = session.scalar(
        select(Interpreter).where(Interpreter.id == interpreter_id, Interpreter.organisation_id == actor.organisation_id)
    ) if _id_ok(interpreter_id) else None
    if found is None:
        raise NotFound(INTERPRETER_NOT_FOUND)
    return found


@dataclass
class Entry:
    """An entry of the register as the pages and the API show it (name and contact opened)."""

    interpreter: Interpreter
    name: str
    contact: str
    staff: bool
    accredited: bool


def identities(session: Session, settings: Settings, interpreters: list[Interpreter]) -> dict[str, tuple[str, str]]:
    """(name, contact) of each: the staff account's name, or the sealed identity opened with its own key."""
    staff_ids = {item.account_id for item in interpreters if item.account_id}
    names = dict(session.execute(select(StaffAccount.id, StaffAccount.name).where(StaffAccount.id.in_(staff_ids))).all()) if staff_ids else {}
    external = [item for item in interpreters if not item.account_id and item.identity is not None]
    found = keys.data_keys(session, settings, SUBJECT, [item.id for item in external]) if external else {}
    out: dict[str, tuple[str, str]] = {}
    for item in interpreters:
        if item.account_id:
            out[item.id] = (names.get(item.account_id, ""), "")
        elif item.id in found:
            opened = found[item.id].open_json(Interpreter.__tablename__, "identity", item.id, item.identity)
            out[item.id] = (opened.get("name", ""), opened.get("contact", ""))
        else:
            out[item.id] = ("", "")
    return out


def register(session: Session, settings: Settings, actor: Actor, *, include_inactive: bool = False) -> list[Entry]:
    """The organisation's register (interpreter.book or interpreter.manage), by name."""
    if not (actor.can("interpreter.book") or actor.can("interpreter.manage")):
        raise Forbidden(N_("You do not have permission to do that."))
    statement = select(Interpreter).where(Interpreter.organisation_id == actor.organisation_id)
    if not include_inactive:
        statement = statement.where(Interpreter.active.is_(True))
    rows = list(session.scalars(statement.order_by(Interpreter.created_at, Interpreter.id).limit(PAGE)))
    named = identities(session, settings, rows)
    today = local_today(settings)
    entries = [
        Entry(row, named[row.id][0], named[row.id][1], row.account_id is not None, matching.accredited(row.accreditation_expires, today))
        for row in rows
    ]
    return sorted(entries, key=lambda entry: (entry.name.casefold(), entry.interpreter.id))


def entry(session: Session, settings: Settings, actor: Actor, interpreter_id: str) -> Entry:
    if not (actor.can("interpreter.book") or actor.can("interpreter.manage")):
        raise Forbidden(N_("You do not have permission to do that."))
    row = find_interpreter(session, actor, interpreter_id)
    name, contact = identities(session, settings, [row])[row.id]
    return Entry(row, name, contact, row.account_id is not None, matching.accredited(row.accreditation_expires, local_today(settings)))


def local_today(settings: Settings) -> dt.date:
    return clock.utc_now().astimezone(ZoneInfo(settings.timezone)).date()


# --- Named exclusions ---------------------------------------------------------------------------------------------------


def exclusions_of(session: Session, settings: Settings, client: Client) -> list[tuple[InterpreterExclusion, str]]:
    """The person's named exclusions with the reason opened (the caller has checked scope and audits)."""
    rows = list(session.scalars(
        select(InterpreterExclusion).where(InterpreterExclusion.client_id == client.id).order_by(InterpreterExclusion.created_at, InterpreterExclusion.id)
    ))
    if not rows:
        return []
    key = keys.data_key(session, settings, clients.SUBJECT, client.id)
    return [(row, key.open_text(InterpreterExclusion.__tablename__, "reason", row.id, row.reason) or "") for row in rows]


def add_exclusion(session: Session, settings: Settings, actor: Actor, client_id: str, interpreter_id: str, reason: str, *,
                  request_id: str | None = None) -> InterpreterExclusion:
    """"Not this interpreter" for the person (interpreter.book, in scope); audited `interpreting.exclusion.add`."""
    clients.check(actor, "interpreter.book")
    client = clients.find_client(session, actor, client_id, "interpreter.book")
    errors: list[FieldError] = []
    interpreter = session.scalar(
        select(Interpreter).where(Interpreter.id == interpreter_id, Interpreter.organisation_id == actor.organisation_id)
    ) if _id_ok(interpreter_id) else None
    if interpreter is None:
        errors.append(FieldError("interpreter_id", N_("Choose an interpreter from the list.")))
    text = _clean(reason, TEXT_LIMIT)
    if len(text) > TEXT_LIMIT:
        errors.append(FieldError("reason", N_("Write at most %(limit)s characters."), params={"limit": TEXT_LIMIT}))
    if errors:
        raise InvalidInput(errors=errors)
    existing = session.scalar(select(InterpreterExclusion).where(
        InterpreterExclusion.client_id == client.id, InterpreterExclusion.interpreter_id == interpreter.id  # type: ignore[union-attr]
    ))
    if existing is not None:
        return existing
    row = InterpreterExclusion(id=_new_id(), client_id=client.id, interpreter_id=interpreter.id, created_by=actor.account_id,  # type: ignore[union-attr]
                               created_at=clock.utc_now())
    key = keys.data_key(session, settings, clients.SUBJECT, client.id)
    row.reason = key.seal_text(InterpreterExclusion.__tablename__, "reason", row.id, text) if text else None
    session.add(row)
    session.flush()
    audit.record(session, "interpreting.exclusion.add", actor=actor, record_type=clients.RECORD_TYPE, record_id=client.id, request_id=request_id)
    return row


def remove_exclusion(session: Session, actor: Actor, client_id: str, exclusion_id: str, *, request_id: str | None = None) -> None:
    clients.check(actor, "interpreter.book")
    client = clients.find_client(session, actor, client_id, "interpreter.book")
    row = session.scalar(select(InterpreterExclusion).where(
        InterpreterExclusion.id == exclusion_id, InterpreterExclusion.client_id == client.id
    )) if _id_ok(exclusion_id) else None
    if row is None:
        raise NotFound(N_("We could not find that exclusion."))
    session.delete(row)
    session.flush()
    audit.record(session, "interpreting.exclusion.remove", actor=actor, record_type=clients.RECORD_TYPE, record_id=client.id, request_id=request_id)


# --- Finding an interpreter ----------------------------------------------------------------------------------------------


@dataclass
class Search:
    """What the booker asks for (as typed) and, once checked, the window in UTC."""

    language: str = ""
    modality: str = "in-person"
    gender: str = "any"
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None
    allow_unaccredited: bool = False
    appointment_id: str | None = None
    referral_id: str | None = None


@dataclass
class Found:
    search: Search
    request: matching.Request
    matches: list[tuple[matching.Match, Entry]]
    refusals: list[tuple[matching.Refusal, Entry]]
    community_excluded: bool


_CANDIDATE_COLUMNS = (Interpreter.id, Interpreter.languages, Interpreter.modalities, Interpreter.gender, Interpreter.availability,
                      Interpreter.accreditation_expires)


def _busy(session: Session, ids: list[str], starts_at: dt.datetime, ends_at: dt.datetime) -> dict[str, list[tuple[dt.datetime, dt.datetime]]]:
    """Live bookings of these interpreters from the Monday before the window to a week after (for overlaps and the
    week's hours)."""
    busy: dict[str, list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
    week_start = starts_at - dt.timedelta(days=starts_at.weekday(), hours=24)
    week_end = week_start + dt.timedelta(days=9)
    for chunk in range(0, len(ids), 500):
        for interpreter_id, start, end in session.execute(
            select(InterpreterBooking.interpreter_id, InterpreterBooking.starts_at, InterpreterBooking.ends_at).where(
                InterpreterBooking.interpreter_id.in_(ids[chunk:chunk + 500]),
                InterpreterBooking.status.in_(LIVE),
                InterpreterBooking.starts_at < max(week_end, ends_at),
                InterpreterBooking.ends_at > min(week_start, starts_at),
            )
        ):
            busy[interpreter_id].append((_aware(start), _aware(end)))
    return busy


_REGISTER_CACHE: dict[tuple[str, str], tuple[Any, list[tuple[Any, ...]]]] = {}
_REGISTER_CACHE_SIZE = 256


def _register_rows(session: Session, organisation_id: str, macro: str) -> list[tuple[Any, ...]]:
    """The active register rows of a macro-language, as plain tuples, kept in process while the organisation's
    register is unchanged: one cheap query (how many entries, the last change, the sum of their versions — every
    change adds one) says whether the copy is current."""
    stamp = tuple(session.execute(select(func.count(), func.max(Interpreter.updated_at), func.sum(Interpreter.version)).where(
        Interpreter.organisation_id == organisation_id)).one())
    key = (organisation_id, macro)
    cached = _REGISTER_CACHE.get(key)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    rows = [tuple(row) for row in session.execute(select(*_CANDIDATE_COLUMNS).where(
        Interpreter.organisation_id == organisation_id, Interpreter.active.is_(True), Interpreter.macros.like(f"% {macro} %")
    ))]
    if len(_REGISTER_CACHE) >= _REGISTER_CACHE_SIZE:
        _REGISTER_CACHE.clear()
    _REGISTER_CACHE[key] = (stamp, rows)
    return rows


def match(session: Session, settings: Settings, organisation_id: str, request: matching.Request
          ) -> tuple[list[matching.Match], list[matching.Refusal]]:
    """The organisation's interpreters for a request, proposed (best first) and left out. Reads only the register's
    rows of the request's macro-language (the `macros` column), judges them without bookings first, then reads the
    live bookings of those still proposed and judges them again (overlaps, the week's hours). No person is read."""
    candidates = [matching.Candidate(*row) for row in _register_rows(session, organisation_id, matching.macro_language(request.language))]
    today = local_today(settings)
    first, refusals = matching.rank(request, candidates, zone=settings.timezone, today=today)
    proposed = {item.candidate_id for item in first}
    busy = _busy(session, sorted(proposed), request.starts_at, request.ends_at) if proposed else {}
    for candidate in candidates:
        candidate.busy = busy.get(candidate.id, [])
    matches, late = matching.rank(request, [c for c in candidates if c.id in proposed], zone=settings.timezone, today=today)
    return matches, refusals + late


def check_search(session: Session, actor: Actor, client: Client, search: Search) -> Search:
    """Check the request; an appointment gives its own times and modality, a referral must be the person's."""
    errors: list[FieldError] = []
    language = clients.normalise_language_tag(search.language or "") if search.language else None
    if language is None:
        errors.append(FieldError("language", N_("Choose the language the interpreter should speak.")))
    if search.gender not in clients.INTERPRETER_GENDERS:
        errors.append(FieldError("gender", N_("Choose any, female or male."), allowed=list(clients.INTERPRETER_GENDERS)))
    starts_at, ends_at, modality = search.starts_at, search.ends_at, search.modality
    if search.appointment_id:
        appointment = session.scalar(select(Appointment).where(
            Appointment.id == search.appointment_id, Appointment.client_id == client.id
        )) if _id_ok(search.appointment_id) else None
        if appointment is None or appointment.status != "booked":
            errors.append(FieldError("appointment_id", N_("Choose one of the person’s booked appointments.")))
        else:
            starts_at, ends_at, modality = _aware(appointment.starts_at), _aware(appointment.ends_at), appointment.modality
    elif search.referral_id:
        referral = session.scalar(select(Referral.id).where(
            Referral.id == search.referral_id, Referral.client_id == client.id
        )) if _id_ok(search.referral_id) else None
        if referral is None:
            errors.append(FieldError("referral_id", N_("Choose one of the person’s referrals.")))
    if modality not in MODALITIES:
        errors.append(FieldError("modality", N_("Choose in person, phone or video."), allowed=list(MODALITIES)))
    if starts_at is None or ends_at is None:
        errors.append(FieldError("starts_at", N_("Give the day and the start and end times.")))
    else:
        starts_at, ends_at = _aware(starts_at).astimezone(dt.UTC), _aware(ends_at).astimezone(dt.UTC)
        if ends_at <= starts_at or ends_at - starts_at > LONGEST:
            errors.append(FieldError("ends_at", N_("The end must be after the start, at most 12 hours later.")))
        elif starts_at < clock.utc_now() - dt.timedelta(days=1):
            errors.append(FieldError("starts_at", N_("Choose a time that has not passed.")))
    if errors:
        raise InvalidInput(errors=errors)
    return Search(language or "", modality, search.gender, starts_at, ends_at, bool(search.allow_unaccredited),
                  search.appointment_id or None, search.referral_id or None)


def find(session: Session, settings: Settings, actor: Actor, client_id: str, search: Search, *, record: bool = True,
         request_id: str | None = None) -> Found:
    """The interpreters who can interpret for the person at that time, best first, and who was left out and why.
    Reads the person's interpreter needs (gender, "not someone from my community") and named exclusions; audited
    `interpreting.search` on the person. A search that found nobody is counted (language, modality, time; no person)."""
    clients.check(actor, "interpreter.book")
    client = clients.find_client(session, actor, client_id, "interpreter.book")
    search = check_search(session, actor, client, search)
    profile = clients.open_profile(session, settings, client)
    gender = search.gender if search.gender != "any" else (profile.interpreter_gender or "any")
    excluded = frozenset(session.scalars(select(InterpreterExclusion.interpreter_id).where(InterpreterExclusion.client_id == client.id)))
    request = matching.Request(
        starts_at=search.starts_at, ends_at=search.ends_at, language=search.language, modality=search.modality,  # type: ignore[arg-type]
        gender=gender, not_from_community=profile.interpreter_not_from_community, excluded_ids=excluded,
        allow_unaccredited=search.allow_unaccredited,
    )
    matches, refusals = match(session, settings, actor.organisation_id, request)
    wanted = [m.candidate_id for m in matches] + [r.candidate_id for r in refusals]
    by_id = {row.id: row for row in session.scalars(select(Interpreter).where(Interpreter.id.in_(wanted)))} if wanted else {}
    shown = [by_id[item] for item in wanted]
    named = identities(session, settings, shown)
    today = local_today(settings)

    def as_entry(row: Interpreter) -> Entry:
        return Entry(row, named[row.id][0], named[row.id][1], row.account_id is not None, matching.accredited(row.accreditation_expires, today))

    audit.record(session, "interpreting.search", actor=actor, record_type=clients.RECORD_TYPE, record_id=client.id, request_id=request_id)
    if record and not matches:
        _count_request(session, actor.organisation_id, search, "unmet")
    return Found(
        search, request,
        [(m, as_entry(by_id[m.candidate_id])) for m in matches],
        [(r, as_entry(by_id[r.candidate_id])) for r in refusals],
        profile.interpreter_not_from_community,
    )


def _count_request(session: Session, organisation_id: str, search: Search, outcome: str) -> None:
    session.add(InterpretingRequest(
        id=_new_id(), organisation_id=organisation_id, language=search.language, modality=search.modality,
        wanted_at=search.starts_at, outcome=outcome, created_at=clock.utc_now(),
    ))
    session.flush()


# --- Booking ---------------------------------------------------------------------------------------------------------------


def slots(starts_at: dt.datetime, ends_at: dt.datetime) -> list[dt.datetime]:
    """The 15-minute slots [starts_at, ends_at) touches (UTC, on the quarter hour)."""
    start = _aware(starts_at).astimezone(dt.UTC)
    first = start.replace(minute=start.minute - start.minute % 15, second=0, microsecond=0)
    out, moment = [], first
    end = _aware(ends_at).astimezone(dt.UTC)
    while moment < end:
        out.append(moment)
        moment += SLOT
    return out


def _hold(session: Session, booking: InterpreterBooking) -> None:
    """Insert the booking and its slots in a savepoint: a slot already held (a concurrent booking) is Conflict."""
    try:
        with session.begin_nested():
            session.add(booking)
            session.flush()
            session.add_all(InterpreterBookingSlot(interpreter_id=booking.interpreter_id, slot_start=moment, booking_id=booking.id)
                            for moment in slots(booking.starts_at, booking.ends_at))
            session.flush()
    except IntegrityError:
        raise Conflict(JUST_BOOKED) from None


def _free(session: Session, booking: InterpreterBooking) -> None:
    session.execute(delete(InterpreterBookingSlot).where(InterpreterBookingSlot.booking_id == booking.id))


def _notify_interpreter(session: Session, booking: InterpreterBooking) -> None:
    account_id = session.scalar(select(Interpreter.account_id).where(Interpreter.id == booking.interpreter_id))
    if account_id:
        notifications.notify_staff_later(session, account_id, notifications.BOOKING)


def book(session: Session, settings: Settings, actor: Actor, client_id: str, interpreter_id: str, search: Search, *,
         name_to_use: str = "", where: str = "", fictional: bool = False, request_id: str | None = None) -> InterpreterBooking:
    """Book the interpreter for the person (interpreter.book, in scope): they must still be proposed by matching for
    that time (so never excluded, unavailable, double-booked or of another language); the database's slot key settles
    a race (Conflict). Video: a meeting link from the template, sealed. The interpreter is told (payload-free).
    Audited `interpreting.book`."""
    clients.check(actor, "interpreter.book")
    client = clients.find_client(session, actor, client_id, "interpreter.book")
    errors: list[FieldError] = []
    name_text, where_text = _clean(name_to_use, NAME_LIMIT), _clean(where, TEXT_LIMIT)
    if len(name_text) > NAME_LIMIT:
        errors.append(FieldError("name_to_use", N_("Write at most %(limit)s characters."), params={"limit": NAME_LIMIT}))
    if len(where_text) > TEXT_LIMIT:
        errors.append(FieldError("where", N_("Write at most %(limit)s characters."), params={"limit": TEXT_LIMIT}))
    if errors:
        raise InvalidInput(errors=errors)
    found = find(session, settings, actor, client.id, search, record=False, request_id=request_id)
    chosen = next((m for m, _ in found.matches if m.candidate_id == interpreter_id), None)
    if chosen is None:
        refused = next((r for r, _ in found.refusals if r.candidate_id == interpreter_id), None)
        if refused is not None and refused.reason == "booked":
            raise Conflict(JUST_BOOKED)
        raise InvalidInput(errors=[FieldError("interpreter_id", N_("This interpreter cannot be booked for that time. Search again."))])
    checked = found.search
    now = clock.utc_now()
    booking = InterpreterBooking(
        id=_new_id(), organisation_id=client.organisation_id, interpreter_id=interpreter_id, client_id=client.id,
        appointment_id=checked.appointment_id, referral_id=checked.referral_id, starts_at=checked.starts_at,
        ends_at=checked.ends_at, language=checked.language, modality=checked.modality, status="requested",
        unaccredited_allowed=checked.allow_unaccredited and not chosen.accredited, booked_by=actor.account_id,
        fictional=fictional, version=1, created_at=now, updated_at=now,
    )
    if not name_text:
        name_text = clients.open_profile(session, settings, client).preferred_name
    key = keys.data_key(session, settings, clients.SUBJECT, client.id)
    booking.details = key.seal_json(InterpreterBooking.__tablename__, "details", booking.id, {"name_to_use": name_text, "where": where_text})
    if checked.modality == "video":
        link = video.make_link(settings)
        if link:
            booking.video_link = key.seal_text(InterpreterBooking.__tablename__, "video_link", booking.id, link)
    _hold(session, booking)
    _count_request(session, client.organisation_id, checked, "booked")
    audit.record(session, "interpreting.book", actor=actor, record_type=clients.RECORD_TYPE, record_id=client.id, request_id=request_id)
    _notify_interpreter(session, booking)
    return booking


def find_booking(session: Session, actor: Actor, booking_id: str, permission: str) -> InterpreterBooking:
    """interpreter.book: a booking of a person in the actor's scope; interpreting.respond: the actor's own booking
    (they are the interpreter). NotFound otherwise."""
    clients.check(actor, permission)
    booking = session.scalar(select(InterpreterBooking).where(
        InterpreterBooking.id == booking_id, InterpreterBooking.organisation_id == actor.organisation_id
    )) if _id_ok(booking_id) else None
    if booking is None:
        raise NotFound(BOOKING_NOT_FOUND)
    if permission == "interpreting.respond":
        mine = session.scalar(select(Interpreter.id).where(Interpreter.id == booking.interpreter_id, Interpreter.account_id == actor.account_id))
        if mine is None:
            raise NotFound(BOOKING_NOT_FOUND)
    else:
        try:
            clients.find_client(session, actor, booking.client_id, permission)
        except NotFound:
            raise NotFound(BOOKING_NOT_FOUND) from None
    return booking


def answer(session: Session, settings: Settings, actor: Actor, booking_id: str, *, accept: bool, as_booker: bool = False,
           request_id: str | None = None) -> InterpreterBooking:
    """Accept or decline a requested booking: the interpreter themselves (interpreting.respond, own bookings), or the
    booker recording an external interpreter's answer (interpreter.book; only for interpreters without an account).
    Declining frees the slots. The other side is told. Audited `interpreting.accept` / `interpreting.decline`."""
    booking = find_booking(session, actor, booking_id, "interpreter.book" if as_booker else "interpreting.respond")
    if as_booker:
        account_id = session.scalar(select(Interpreter.account_id).where(Interpreter.id == booking.interpreter_id))
        if account_id:
            raise Forbidden(N_("This interpreter answers in Carebridge themselves."))
    if booking.status != "requested":
        raise Conflict(NO_LONGER_LIVE)
    booking.status = "accepted" if accept else "declined"
    booking.answered_by = actor.account_id
    booking.answered_at = clock.utc_now()
    booking.version += 1
    booking.updated_at = booking.answered_at
    if not accept:
        _free(session, booking)
    session.flush()
    audit.record(session, "interpreting.accept" if accept else "interpreting.decline", actor=actor,
                 organisation_id=booking.organisation_id, record_type=clients.RECORD_TYPE, record_id=booking.client_id, request_id=request_id)
    if booking.booked_by and not as_booker:
        notifications.notify_staff_later(session, booking.booked_by, notifications.BOOKING)
    return booking


def cancel(session: Session, settings: Settings, actor: Actor, booking_id: str, *, request_id: str | None = None) -> InterpreterBooking:
    """The booker cancels a live booking (interpreter.book, in scope); the slots are freed, the interpreter told.
    Audited `interpreting.cancel`."""
    booking = find_booking(session, actor, booking_id, "interpreter.book")
    if booking.status not in LIVE:
        raise Conflict(NO_LONGER_LIVE)
    booking.status = "cancelled"
    booking.version += 1
    booking.updated_at = clock.utc_now()
    _free(session, booking)
    session.flush()
    audit.record(session, "interpreting.cancel", actor=actor, record_type=clients.RECORD_TYPE, record_id=booking.client_id, request_id=request_id)
    _notify_interpreter(session, booking)
    return booking


def cancel_for_appointment(session: Session, settings: Settings, actor: Actor, appointment_id: str) -> int:
    """Contract for appointments: cancel the live bookings of a cancelled appointment; how many."""
    ids = list(session.scalars(select(InterpreterBooking.id).where(
        InterpreterBooking.appointment_id == appointment_id, InterpreterBooking.status.in_(LIVE)
    )))
    for booking_id in ids:
        cancel(session, settings, actor, booking_id)
    return len(ids)


def bookings_for_appointment(session: Session, appointment_id: str) -> list[InterpreterBooking]:
    """Contract for appointments: the bookings of an appointment (the caller has checked scope)."""
    return list(session.scalars(select(InterpreterBooking).where(InterpreterBooking.appointment_id == appointment_id)
                                .order_by(InterpreterBooking.created_at, InterpreterBooking.id)))


def bookings_of_client(session: Session, client_id: str, *, limit: int = 50) -> list[InterpreterBooking]:
    return list(session.scalars(select(InterpreterBooking).where(InterpreterBooking.client_id == client_id)
                                .order_by(InterpreterBooking.starts_at.desc(), InterpreterBooking.id).limit(limit)))


def details(session: Session, settings: Settings, booking: InterpreterBooking) -> dict[str, str]:
    """{"name_to_use", "where"} opened with the person's key."""
    if booking.details is None:
        return {"name_to_use": "", "where": ""}
    key = keys.data_key(session, settings, clients.SUBJECT, booking.client_id)
    opened = key.open_json(InterpreterBooking.__tablename__, "details", booking.id, booking.details)
    return {"name_to_use": opened.get("name_to_use", ""), "where": opened.get("where", "")}


def video_link(session: Session, settings: Settings, booking: InterpreterBooking) -> str | None:
    if booking.video_link is None:
        return None
    key = keys.data_key(session, settings, clients.SUBJECT, booking.client_id)
    return key.open_text(InterpreterBooking.__tablename__, "video_link", booking.id, booking.video_link)


# --- The interpreter's own bookings ---------------------------------------------------------------------------------------


@dataclass
class MyBooking:
    """All an interpreter sees of a booking: when, how and where, the language, the name to use."""

    booking: InterpreterBooking
    name_to_use: str
    where: str
    video_link: str | None


def my_bookings(session: Session, settings: Settings, actor: Actor, *, request_id: str | None = None) -> list[MyBooking]:
    """The interpreter's bookings from a day ago on, requested first then by time (interpreting.respond); each person
    audited `interpreting.list`."""
    clients.check(actor, "interpreting.respond")
    interpreter_ids = list(session.scalars(select(Interpreter.id).where(Interpreter.account_id == actor.account_id)))
    if not interpreter_ids:
        return []
    rows = list(session.scalars(
        select(InterpreterBooking).where(
            InterpreterBooking.interpreter_id.in_(interpreter_ids),
            InterpreterBooking.status.in_(LIVE),
            InterpreterBooking.ends_at >= clock.utc_now() - dt.timedelta(days=1),
        ).order_by(InterpreterBooking.starts_at, InterpreterBooking.id).limit(50)
    ))
    if rows:
        audit.record_many(session, "interpreting.list", actor=actor, record_type=clients.RECORD_TYPE,
                          record_ids=list(dict.fromkeys(row.client_id for row in rows)), request_id=request_id)
    found = keys.data_keys(session, settings, clients.SUBJECT, {row.client_id for row in rows})
    out = []
    for row in rows:
        key = found.get(row.client_id)
        opened = key.open_json(InterpreterBooking.__tablename__, "details", row.id, row.details) if key and row.details else {}
        link = key.open_text(InterpreterBooking.__tablename__, "video_link", row.id, row.video_link) if key and row.video_link else None
        out.append(MyBooking(row, opened.get("name_to_use", ""), opened.get("where", ""), link))
    out.sort(key=lambda item: (item.booking.status != "requested", _aware(item.booking.starts_at), item.booking.id))
    return out


# --- The demand report -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemandRow:
    month: str
    language: str
    booked_hours: float | None
    delivered_hours: float | None
    bookings: int | None
    unmet: int | None


@dataclass(frozen=True)
class DemandReport:
    organisation_id: str | None
    rows: list[DemandRow]
    threshold: int = reports.THRESHOLD


def demand(session: Session, settings: Settings, actor: Actor, *, organisation_id: str | None = None,
           months: int = 6, request_id: str | None = None) -> DemandReport:
    """Interpreter hours by month and language (booked: requested or accepted; delivered: accepted and over), and
    unmet requests; any figure resting on fewer than 10 bookings or requests is suppressed (firewall.reports).
    report.aggregate: the actor's organisation; report.all-organisations: every one, or the one chosen. Audited
    `report.interpreting`."""
    if not actor.can("report.aggregate"):
        raise Forbidden(N_("You do not have permission to do that."))
    if organisation_id and organisation_id != actor.organisation_id and not actor.can("report.all-organisations"):
        raise Forbidden(N_("You do not have permission to do that."))
    everyone = actor.can("report.all-organisations") and not organisation_id
    scope_id = None if everyone else (organisation_id or actor.organisation_id)
    zone = ZoneInfo(settings.timezone)
    now = clock.utc_now()
    local = now.astimezone(zone)
    first_month = (local.year * 12 + local.month - 1) - (max(1, min(months, 24)) - 1)
    since = dt.datetime(first_month // 12, first_month % 12 + 1, 1, tzinfo=zone).astimezone(dt.UTC)

    def month_of(moment: dt.datetime) -> str:
        return _aware(moment).astimezone(zone).strftime("%Y-%m")

    booked: dict[tuple[str, str], float] = defaultdict(float)
    delivered: dict[tuple[str, str], float] = defaultdict(float)
    count: dict[tuple[str, str], int] = defaultdict(int)
    statement = select(InterpreterBooking.language, InterpreterBooking.starts_at, InterpreterBooking.ends_at, InterpreterBooking.status).where(
        InterpreterBooking.starts_at >= since, InterpreterBooking.status.in_(LIVE)
    )
    if scope_id:
        statement = statement.where(InterpreterBooking.organisation_id == scope_id)
    for language, start, end, status in session.execute(statement):
        key = (month_of(start), language)
        hours = (_aware(end) - _aware(start)).total_seconds() / 3600
        booked[key] += hours
        count[key] += 1
        if status == "accepted" and _aware(end) <= now:
            delivered[key] += hours
    unmet: dict[tuple[str, str], int] = defaultdict(int)
    requests = select(InterpretingRequest.language, InterpretingRequest.wanted_at).where(
        InterpretingRequest.wanted_at >= since, InterpretingRequest.outcome == "unmet"
    )
    if scope_id:
        requests = requests.where(InterpretingRequest.organisation_id == scope_id)
    for language, wanted in session.execute(requests):
        unmet[(month_of(wanted), language)] += 1
    rows = []
    for key in sorted(set(count) | set(unmet)):
        shown_count = reports.shown(count.get(key, 0))
        rows.append(DemandRow(
            key[0], key[1],
            round(booked[key], 1) if shown_count is not None else None,
            round(delivered[key], 1) if shown_count is not None else None,
            shown_count,
            reports.shown(unmet.get(key, 0)),
        ))
    audit.record(session, "report.interpreting", actor=actor, record_type="organisation", record_id=scope_id or actor.organisation_id,
                 request_id=request_id)
    return DemandReport(scope_id, rows)


def organisations_to_choose(session: Session, actor: Actor) -> list[tuple[str, str]]:
    from carebridge.accounts.models import Organisation

    if not actor.can("report.all-organisations"):
        return []
    return [(row.id, row.name) for row in session.scalars(select(Organisation).order_by(Organisation.name).limit(500))]


def counts(session: Session, organisation_id: str) -> dict[str, int]:
    """Live bookings by status (for a quick figure; no person)."""
    return dict(session.execute(select(InterpreterBooking.status, func.count()).where(
        InterpreterBooking.organisation_id == organisation_id).group_by(InterpreterBooking.status)).all())
