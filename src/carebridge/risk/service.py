"""Risk flags: raising one (any worker; a PHQ-9 item 9 answer above 0 raises one by itself), answering and closing
it (a clinician, with an outcome), escalating one still open at its deadline (the service manager).

The contract other domains use is `raise_flag`; screening calls it for an item-9 answer, social prescribing (issue 11)
for a safeguarding concern.

Who answers: the clinician on duty in the person's organisation on the day the flag is raised (DutyAssignment, the
deployment's time zone). Nobody on duty: the flag is unassigned, every clinician of the organisation (risk.respond)
sees it and is told, and so are the service managers (risk.oversee), who then know nobody is on duty.
Notifications carry nothing: a `notify.staff` job with the reason "risk-flag" ("Something needs your attention today
in Carebridge. Sign in to see it."): no name, no client, no risk word. What was seen and done, the notes and the
outcome notes are sealed with the person's data key.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from carebridge.accounts.access import Actor
from carebridge.accounts.models import StaffAccount, StaffRole
from carebridge.accounts.permissions import ROLES
from carebridge.audit import service as audit
from carebridge.clients import service as clients
from carebridge.clients.models import Client
from carebridge.config import Settings
from carebridge.errors import N_, Conflict, FieldError, Forbidden, InvalidInput, NotFound
from carebridge.keys import service as keys
from carebridge.kit import clock
from carebridge.notifications import service as notifications
from carebridge.screening.scoring import PHQ9_RISK_ITEM
from carebridge.risk.models import DutyAssignment, RiskFlag

SOURCES = ("screening", "worker", "safeguarding")
# What a worker may raise by hand (a screening's flag comes from the screening itself).
RAISED_BY_HAND = ("worker", "safeguarding")
OUTCOMES = ("risk-assessed", "plan-made", "referred-on")
# How far ahead the duty rota is planned on the oversight page.
ROTA_DAYS = 14
# Closed flags the oversight page still shows.
RECENTLY_CLOSED = dt.timedelta(days=7)
# One page of flags (a list of people: at most the caseload's page).
PAGE = 50
TEXT_LIMIT = 5000
PHONE = re.compile(r"\+?[0-9][0-9 ()-]{2,38}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

FLAG_NOT_FOUND = N_("We could not find that risk flag.")


def due_at(settings: Settings, raised_at: dt.datetime) -> dt.datetime:
    """The end of the day the flag was raised (the deployment's time zone), and never less than
    settings.risk_min_response_hours after it was raised."""
    zone = ZoneInfo(settings.timezone)
    local = raised_at.astimezone(zone)
    end_of_day = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(0, 0), tzinfo=zone)
    return max(end_of_day, raised_at + dt.timedelta(hours=settings.risk_min_response_hours)).astimezone(dt.UTC)


def local_today(settings: Settings) -> dt.date:
    return clock.utc_now().astimezone(ZoneInfo(settings.timezone)).date()


def _roles_granting(permission: str) -> list[str]:
    return [name for name, role in ROLES.items() if permission in role.grants]


def _accounts_with(session: Session, organisation_id: str, permission: str) -> list[StaffAccount]:
    """Active accounts of the organisation whose roles grant `permission`, by name."""
    return list(
        session.scalars(
            select(StaffAccount)
            .where(
                StaffAccount.organisation_id == organisation_id,
                StaffAccount.active.is_(True),
                StaffAccount.id.in_(select(StaffRole.account_id).where(StaffRole.role.in_(_roles_granting(permission)))),
            )
            .order_by(StaffAccount.name, StaffAccount.id)
        )
    )


def responders(session: Session, organisation_id: str) -> list[StaffAccount]:
    """The organisation's clinicians (risk.respond)."""
    return _accounts_with(session, organisation_id, "risk.respond")


def overseers(session: Session, organisation_id: str) -> list[StaffAccount]:
    """The organisation's service managers (risk.oversee)."""
    return _accounts_with(session, organisation_id, "risk.oversee")


def on_duty(session: Session, organisation_id: str, day: dt.date) -> list[tuple[DutyAssignment, StaffAccount]]:
    """Who is on duty on `day`, in the order they were put on the rota (still active, still a clinician)."""
    responder_ids = select(StaffRole.account_id).where(StaffRole.role.in_(_roles_granting("risk.respond")))
    rows = session.execute(
        select(DutyAssignment, StaffAccount)
        .join(StaffAccount, StaffAccount.id == DutyAssignment.account_id)
        .where(
            DutyAssignment.organisation_id == organisation_id,
            DutyAssignment.day == day,
            StaffAccount.active.is_(True),
            StaffAccount.id.in_(responder_ids),
        )
        .order_by(DutyAssignment.created_at, DutyAssignment.id)
    ).all()
    return [(duty, account) for duty, account in rows]


def _notify(session: Session, account_ids: list[str]) -> None:
    for account_id in dict.fromkeys(account_ids):
        notifications.notify_staff_later(session, account_id, notifications.RISK_FLAG)


def raise_flag(
    session: Session,
    settings: Settings,
    *,
    client: Client,
    source: str,
    actor: Actor | None = None,
    screening_id: str | None = None,
    seen: str | None = None,
    done: str | None = None,
) -> RiskFlag:
    """Raise a flag on `client` in the caller's transaction, give it to the clinician on duty today and tell them
    (payload-free). `actor` is None when the person raised it themselves (an item-9 answer on a self-screening link).
    Permission checks are the caller's (risk.raise for a worker's flag; screening.administer or a valid link for a
    screening's)."""
    if source not in SOURCES:
        raise ValueError(f"risk flag source must be one of {SOURCES}")
    now = clock.utc_now()
    duty = on_duty(session, client.organisation_id, now.astimezone(ZoneInfo(settings.timezone)).date())
    flag = RiskFlag(
        client_id=client.id,
        organisation_id=client.organisation_id,
        source=source,
        screening_id=screening_id,
        raised_by=actor.account_id if actor else None,
        raised_at=now,
        due_at=due_at(settings, now),
        assigned_to=duty[0][1].id if duty else None,
        status="open",
    )
    session.add(flag)
    session.flush()
    if seen or done:
        key = keys.data_key(session, settings, clients.SUBJECT, client.id)
        flag.details = key.seal_json(RiskFlag.__tablename__, "details", flag.id, {"seen": seen or "", "done": done or "", "notes": []})
    audit.record(
        session,
        f"risk.raise-{source}",
        actor=actor,
        organisation_id=client.organisation_id,
        record_type=clients.RECORD_TYPE,
        record_id=client.id,
    )
    if flag.assigned_to:
        _notify(session, [flag.assigned_to])
    else:
        # Nobody on duty: every clinician hears of it, and the service managers learn that nobody is on duty.
        _notify(
            session,
            [account.id for account in responders(session, client.organisation_id)]
            + [account.id for account in overseers(session, client.organisation_id)],
        )
    return flag


# --- Checking what a worker typed ---------------------------------------------------------------------------------


def clean_text(value: str | None, name: str, *, required: bool, errors: list[FieldError]) -> str:
    text = _CONTROL.sub("", (value or "").replace("\r\n", "\n")).strip()
    if required and not text:
        errors.append(FieldError(name, N_("Write what you saw or heard.") if name == "seen" else N_("Write this down.")))
    elif len(text) > TEXT_LIMIT:
        errors.append(FieldError(name, N_("Write at most %(limit)s characters."), params={"limit": TEXT_LIMIT}))
    return text


def raise_by_worker(
    session: Session, settings: Settings, actor: Actor, client_id: str, *, source: str, seen: str | None,
    done: str | None, request_id: str | None = None,
) -> RiskFlag:
    """A worker raises a flag (risk.raise, in scope): risk to self or others (their judgement), or a safeguarding
    concern; what they saw or heard is needed, what they did is optional."""
    clients.check(actor, "risk.raise")
    client = clients.find_client(session, actor, client_id, "risk.raise")
    errors: list[FieldError] = []
    if source not in RAISED_BY_HAND:
        errors.append(FieldError("source", N_("Choose what kind of risk it is."), allowed=list(RAISED_BY_HAND)))
    seen_text = clean_text(seen, "seen", required=True, errors=errors)
    done_text = clean_text(done, "done", required=False, errors=errors)
    if errors:
        raise InvalidInput(errors=errors)
    return raise_flag(session, settings, client=client, source=source, actor=actor, seen=seen_text, done=done_text)


# --- Finding flags --------------------------------------------------------------------------------------------------


def find_flag(session: Session, actor: Actor, flag_id: str, permission: str) -> RiskFlag:
    """A flag of the actor's organisation that `permission` reaches: risk.respond and risk.oversee, any flag of the
    organisation; risk.raise, a flag of a person in the actor's scope. NotFound otherwise."""
    clients.check(actor, permission)
    flag = session.scalar(
        select(RiskFlag).where(RiskFlag.id == flag_id, RiskFlag.organisation_id == actor.organisation_id)
    ) if isinstance(flag_id, str) and len(flag_id) <= 36 else None
    if flag is None:
        raise NotFound(FLAG_NOT_FOUND)
    if permission == "risk.raise":
        try:
            clients.find_client(session, actor, flag.client_id, "risk.raise")
        except NotFound:
            raise NotFound(FLAG_NOT_FOUND) from None
    return flag


def _mine_or_unassigned(actor: Actor) -> Any:
    return and_(
        RiskFlag.organisation_id == actor.organisation_id,
        RiskFlag.status == "open",
        or_(RiskFlag.assigned_to == actor.account_id, RiskFlag.assigned_to.is_(None)),
    )


def open_flags_for(session: Session, actor: Actor, *, limit: int | None = None) -> list[RiskFlag]:
    """The clinician's list: open flags given to them or to nobody, in their organisation, soonest due (so overdue)
    first."""
    clients.check(actor, "risk.respond")
    statement = select(RiskFlag).where(_mine_or_unassigned(actor)).order_by(RiskFlag.due_at, RiskFlag.id)
    return list(session.scalars(statement.limit(limit or PAGE)))


def flags_of_client(session: Session, client_id: str, *, limit: int = PAGE) -> list[RiskFlag]:
    return list(
        session.scalars(select(RiskFlag).where(RiskFlag.client_id == client_id).order_by(RiskFlag.raised_at.desc(), RiskFlag.id).limit(limit))
    )


@dataclass(frozen=True)
class Banner:
    """What the top of a staff page says: flags needing an answer today (clinician), escalated flags (manager)."""

    to_answer: int = 0
    escalated: int = 0


def banner(session: Session, actor: Actor | None) -> Banner | None:
    """One or two cheap counts (indexed on organisation, status, due), only for those who answer or oversee."""
    if actor is None or not (actor.can("risk.respond") or actor.can("risk.oversee")):
        return None
    to_answer = escalated = 0
    if actor.can("risk.respond"):
        to_answer = session.scalar(select(func.count()).select_from(RiskFlag).where(_mine_or_unassigned(actor))) or 0
    if actor.can("risk.oversee"):
        escalated = session.scalar(
            select(func.count()).select_from(RiskFlag).where(
                RiskFlag.organisation_id == actor.organisation_id,
                RiskFlag.status == "open",
                RiskFlag.escalated_at.is_not(None),
            )
        ) or 0
    if not to_answer and not escalated:
        return None
    return Banner(to_answer=to_answer, escalated=escalated)


def oversight_flags(session: Session, actor: Actor) -> tuple[list[RiskFlag], list[RiskFlag]]:
    """The organisation's open flags (escalated and soonest due first) and those closed in the last week."""
    clients.check(actor, "risk.oversee")
    open_rows = list(
        session.scalars(
            select(RiskFlag)
            .where(RiskFlag.organisation_id == actor.organisation_id, RiskFlag.status == "open")
            .order_by(RiskFlag.escalated_at.is_(None), RiskFlag.due_at, RiskFlag.id)
            .limit(max(1, PAGE * 4 // 5))
        )
    )
    closed_rows = list(
        session.scalars(
            select(RiskFlag)
            .where(
                RiskFlag.organisation_id == actor.organisation_id,
                RiskFlag.status == "closed",
                RiskFlag.closed_at >= clock.utc_now() - RECENTLY_CLOSED,
            )
            .order_by(RiskFlag.closed_at.desc(), RiskFlag.id)
            .limit(PAGE - len(open_rows))
        )
    )
    # Both lists together name at most one page of people.
    return open_rows, closed_rows


def account_names(session: Session, account_ids: set[str | None]) -> dict[str, str]:
    ids = {item for item in account_ids if item}
    if not ids:
        return {}
    return dict(session.execute(select(StaffAccount.id, StaffAccount.name).where(StaffAccount.id.in_(ids))).all())


# --- What the clinician sees --------------------------------------------------------------------------------------


@dataclass
class FlagView:
    """The minimum a clinician needs to act on a flag (opened from the person's sealed data)."""

    flag: RiskFlag
    client_id: str
    preferred_name: str
    languages: list[str]
    interpreter_needed: bool
    interpreter_language: str | None
    do_not_contact: bool
    contact: list[dict[str, Any]]
    seen: str
    done: str
    notes: list[dict[str, Any]]
    outcome_notes: str | None
    screening: dict[str, Any] | None
    raised_by: str | None
    assigned_to: str | None
    closed_by: str | None
    names: dict[str, str] = field(default_factory=dict)


def _details(session: Session, settings: Settings, flag: RiskFlag) -> dict[str, Any]:
    if flag.details is None:
        return {"seen": "", "done": "", "notes": []}
    key = keys.data_key(session, settings, clients.SUBJECT, flag.client_id)
    data = key.open_json(RiskFlag.__tablename__, "details", flag.id, flag.details)
    data.setdefault("notes", [])
    return data


def _screening(session: Session, settings: Settings, flag: RiskFlag) -> dict[str, Any] | None:
    """The screening that raised the flag: instrument, date, total, item 9's answer (read from its models directly)."""
    if not flag.screening_id:
        return None
    from carebridge.screening.models import Screening

    row = session.get(Screening, flag.screening_id)
    if row is None:
        return None
    item9 = None
    try:
        key = keys.data_key(session, settings, clients.SUBJECT, row.client_id)
        answers = key.open_json("screening", "answers", row.id, row.answers)
        items = answers.get("items", {}) if isinstance(answers, dict) else {}
        item9 = items.get(PHQ9_RISK_ITEM) if row.instrument == "phq-9" and isinstance(items, dict) else None
    except Exception:  # noqa: BLE001 - answers that do not open hide item 9, never the flag page
        item9 = None
    return {"instrument": row.instrument, "completed_at": row.completed_at, "total": row.total, "band": row.band, "item9": item9}



def _contact_routes(session: Session, settings: Settings, client: Client) -> list[dict[str, Any]]:
    """The ways of contacting the person (kind and safe times, not the numbers: the clinician opens the person's
    page for those)."""
    from carebridge.clients.models import ContactChannel

    rows = list(session.scalars(select(ContactChannel).where(ContactChannel.client_id == client.id).order_by(ContactChannel.created_at)))
    if not rows:
        return []
    key = keys.data_key(session, settings, clients.SUBJECT, client.id)
    routes = []
    for row in rows:
        try:
            safe_times = key.open_text("client_contact_channel", "safe_times", row.id, row.safe_times) if row.safe_times else None
        except Exception:  # noqa: BLE001 - a value that does not open is not shown
            safe_times = None
        routes.append({"kind": row.kind, "safe_times": safe_times})
    return routes


def read_flag(session: Session, settings: Settings, actor: Actor, flag_id: str, *, request_id: str | None = None) -> FlagView:
    """The clinician's view of one flag of their organisation (risk.respond is organisation-wide for flags), audited
    `risk.read` on the person's record."""
    flag = find_flag(session, actor, flag_id, "risk.respond")
    client = session.get(Client, flag.client_id)
    if client is None:
        raise NotFound(FLAG_NOT_FOUND)
    profile = clients.open_profile(session, settings, client)
    details = _details(session, settings, flag)
    outcome_notes = None
    if flag.outcome_notes is not None:
        key = keys.data_key(session, settings, clients.SUBJECT, client.id)
        outcome_notes = key.open_text(RiskFlag.__tablename__, "outcome_notes", flag.id, flag.outcome_notes)
    names = account_names(
        session, {flag.raised_by, flag.assigned_to, flag.closed_by} | {note.get("by") for note in details["notes"]}
    )
    audit.record(session, "risk.read", actor=actor, record_type=clients.RECORD_TYPE, record_id=client.id, request_id=request_id)
    return FlagView(
        flag=flag,
        client_id=client.id,
        preferred_name=profile.preferred_name,
        languages=profile.languages,
        interpreter_needed=profile.interpreter_needed,
        interpreter_language=profile.interpreter_language,
        do_not_contact=client.do_not_contact,
        contact=_contact_routes(session, settings, client),
        seen=details.get("seen", ""),
        done=details.get("done", ""),
        notes=[
            {"by": names.get(note.get("by") or ""), "at": dt.datetime.fromisoformat(note["at"]), "text": note.get("text", "")}
            for note in details["notes"]
        ],
        outcome_notes=outcome_notes,
        screening=_screening(session, settings, flag),
        raised_by=names.get(flag.raised_by or ""),
        assigned_to=names.get(flag.assigned_to or ""),
        closed_by=names.get(flag.closed_by or ""),
        names=names,
    )


# --- Recording what one did, closing ---------------------------------------------------------------------------------


def add_note(
    session: Session, settings: Settings, actor: Actor, flag_id: str, text: str | None, *, request_id: str | None = None
) -> RiskFlag:
    """Add "what I did" to an open flag (anyone who may raise one for the person, or a clinician); sealed, audited
    `risk.note`."""
    permission = "risk.respond" if actor.can("risk.respond") else "risk.raise"
    flag = find_flag(session, actor, flag_id, permission)
    errors: list[FieldError] = []
    note = clean_text(text, "note", required=True, errors=errors)
    if errors:
        raise InvalidInput(errors=errors)
    if flag.status != "open":
        raise Conflict(N_("This risk flag is closed: nothing can be added to it."))
    details = _details(session, settings, flag)
    details["notes"].append({"by": actor.account_id, "at": clock.utc_now().isoformat(), "text": note})
    key = keys.data_key(session, settings, clients.SUBJECT, flag.client_id)
    flag.details = key.seal_json(RiskFlag.__tablename__, "details", flag.id, details)
    audit.record(session, "risk.note", actor=actor, record_type=clients.RECORD_TYPE, record_id=flag.client_id, request_id=request_id)
    return flag


def close_flag(
    session: Session, settings: Settings, actor: Actor, flag_id: str, *, outcome: str | None, notes: str | None,
    request_id: str | None = None,
) -> RiskFlag:
    """Only a clinician (risk.respond) closes a flag, with an outcome and notes (sealed); audited `risk.close`."""
    if not actor.can("risk.respond"):
        raise Forbidden(N_("Only a clinician can close a risk flag."))
    flag = find_flag(session, actor, flag_id, "risk.respond")
    errors: list[FieldError] = []
    if outcome not in OUTCOMES:
        errors.append(FieldError("outcome", N_("Choose the outcome."), allowed=list(OUTCOMES)))
    text = clean_text(notes, "outcome_notes", required=True, errors=errors)
    if errors:
        raise InvalidInput(errors=errors)
    if flag.status != "open":
        raise Conflict(N_("This risk flag is already closed."))
    key = keys.data_key(session, settings, clients.SUBJECT, flag.client_id)
    flag.status = "closed"
    flag.outcome = outcome
    flag.outcome_notes = key.seal_text(RiskFlag.__tablename__, "outcome_notes", flag.id, text)
    flag.closed_by = actor.account_id
    flag.closed_at = clock.utc_now()
    audit.record(session, "risk.close", actor=actor, record_type=clients.RECORD_TYPE, record_id=flag.client_id, request_id=request_id)
    return flag


# --- Escalation (the risk.escalate job) --------------------------------------------------------------------------------


def escalate_due(session: Session, settings: Settings) -> int:
    """Escalate every open flag past its deadline that has not been: escalated_at set, audited `risk.escalate` (by
    the system), the organisation's service managers told (payload-free, once per organisation per run).
    Idempotent: a second run finds nothing. Returns how many flags escalated."""
    now = clock.utc_now()
    due = list(
        session.scalars(
            select(RiskFlag)
            .where(RiskFlag.status == "open", RiskFlag.escalated_at.is_(None), RiskFlag.due_at <= now)
            .order_by(RiskFlag.due_at, RiskFlag.id)
        )
    )
    organisations: set[str] = set()
    for flag in due:
        flag.escalated_at = now
        audit.record(
            session, "risk.escalate", organisation_id=flag.organisation_id, record_type=clients.RECORD_TYPE, record_id=flag.client_id
        )
        organisations.add(flag.organisation_id)
    for organisation_id in sorted(organisations):
        _notify(session, [account.id for account in overseers(session, organisation_id)])
    session.flush()
    return len(due)


# --- The duty rota -------------------------------------------------------------------------------------------------------


def rota(session: Session, settings: Settings, organisation_id: str, *, days: int = ROTA_DAYS) -> list[tuple[dt.date, list[tuple[DutyAssignment, StaffAccount]]]]:
    """Each of the next `days` days (today first) with who is on duty."""
    start = local_today(settings)
    end = start + dt.timedelta(days=days - 1)
    rows = session.execute(
        select(DutyAssignment, StaffAccount)
        .join(StaffAccount, StaffAccount.id == DutyAssignment.account_id)
        .where(DutyAssignment.organisation_id == organisation_id, DutyAssignment.day >= start, DutyAssignment.day <= end)
        .order_by(DutyAssignment.day, DutyAssignment.created_at, DutyAssignment.id)
    ).all()
    by_day: dict[dt.date, list[tuple[DutyAssignment, StaffAccount]]] = {start + dt.timedelta(days=n): [] for n in range(days)}
    for duty, account in rows:
        by_day.setdefault(duty.day, []).append((duty, account))
    return sorted(by_day.items())


def check_duty(
    session: Session, settings: Settings, actor: Actor, *, account_id: Any, day: Any, phone: Any
) -> tuple[str, dt.date, str | None]:
    """A duty entry's checks: a clinician of the actor's organisation, a day of the next ROTA_DAYS, an optional phone."""
    errors: list[FieldError] = []
    clinician_ids = {account.id for account in responders(session, actor.organisation_id)}
    if not isinstance(account_id, str) or account_id not in clinician_ids:
        errors.append(FieldError("account_id", N_("Choose a clinician of your organisation.")))
    start = local_today(settings)
    chosen: dt.date | None = None
    if isinstance(day, dt.date):
        chosen = day
    elif isinstance(day, str):
        try:
            chosen = dt.date.fromisoformat(day.strip())
        except ValueError:
            chosen = None
    if chosen is None or not start <= chosen < start + dt.timedelta(days=ROTA_DAYS):
        errors.append(FieldError("day", N_("Choose a day in the next %(days)s days."), params={"days": ROTA_DAYS}))
    phone_text = phone.strip() if isinstance(phone, str) else ""
    if phone_text and not PHONE.fullmatch(phone_text):
        errors.append(FieldError("phone", N_("Enter a phone number, e.g. 020 7946 0000, or leave it empty.")))
    if errors:
        raise InvalidInput(errors=errors)
    assert chosen is not None and isinstance(account_id, str)
    return account_id, chosen, phone_text or None


def add_duty(
    session: Session, settings: Settings, actor: Actor, *, account_id: Any, day: Any, phone: Any = None,
    request_id: str | None = None,
) -> DutyAssignment:
    """Put a clinician of the actor's organisation on duty on a day of the next ROTA_DAYS (risk.oversee)."""
    clients.check(actor, "risk.oversee")
    account_id, chosen, phone_text = check_duty(session, settings, actor, account_id=account_id, day=day, phone=phone)
    existing = session.scalar(
        select(DutyAssignment).where(
            DutyAssignment.organisation_id == actor.organisation_id,
            DutyAssignment.day == chosen,
            DutyAssignment.account_id == account_id,
        )
    )
    if existing is not None:
        existing.phone = phone_text
        return existing
    duty = DutyAssignment(
        organisation_id=actor.organisation_id, account_id=account_id, day=chosen, phone=phone_text,
        created_by=actor.account_id, created_at=clock.utc_now(),
    )
    session.add(duty)
    session.flush()
    audit.record(session, "risk.duty.add", actor=actor, record_type="risk_duty", record_id=duty.id, request_id=request_id)
    return duty


def remove_duty(session: Session, actor: Actor, duty_id: str, *, request_id: str | None = None) -> None:
    clients.check(actor, "risk.oversee")
    duty = session.scalar(
        select(DutyAssignment).where(DutyAssignment.id == duty_id, DutyAssignment.organisation_id == actor.organisation_id)
    ) if isinstance(duty_id, str) and len(duty_id) <= 36 else None
    if duty is None:
        raise NotFound(N_("We could not find that day on the duty rota."))
    audit.record(session, "risk.duty.remove", actor=actor, record_type="risk_duty", record_id=duty.id, request_id=request_id)
    session.delete(duty)
    session.flush()


def replace_rota(
    session: Session, settings: Settings, actor: Actor, entries: list[dict[str, Any]], *, request_id: str | None = None
) -> None:
    """The API's PUT: the next ROTA_DAYS days become exactly `entries` ({account_id, day, phone})."""
    clients.check(actor, "risk.oversee")
    start = local_today(settings)
    end = start + dt.timedelta(days=ROTA_DAYS - 1)
    current = list(
        session.scalars(
            select(DutyAssignment).where(
                DutyAssignment.organisation_id == actor.organisation_id, DutyAssignment.day >= start, DutyAssignment.day <= end
            )
        )
    )
    wanted: dict[tuple[str, dt.date], dict[str, Any]] = {}
    errors: list[FieldError] = []
    for index, entry in enumerate(entries):
        try:
            account_id, day, phone = check_duty(
                session, settings, actor, account_id=entry.get("account_id"), day=entry.get("day"), phone=entry.get("phone")
            )
            probe = {"account_id": account_id, "day": day, "phone": phone}
        except InvalidInput as problem:
            errors.extend(
                FieldError(error.name, error.message, pointer=f"/{index}/{error.name}", allowed=error.allowed, params=error.params)
                for error in problem.errors
            )
            continue
        wanted[(probe["account_id"], probe["day"])] = probe
    if errors:
        raise InvalidInput(errors=errors)
    for duty in current:
        if (duty.account_id, duty.day) not in wanted:
            remove_duty(session, actor, duty.id, request_id=request_id)
    for probe in wanted.values():
        add_duty(session, settings, actor, account_id=probe["account_id"], day=probe["day"], phone=probe["phone"], request_id=request_id)
