"""Appointment reminders to the person: preferences, scheduling, sending, and what the person texts back.

    reminders.set_preferences(session, settings, actor, client_id, PreferenceInput(...), version=...)
    reminders.schedule_for_appointment(session, settings, appointment)      # called by appointments.service
    job_id = reminders.queue_reminder(session, settings, actor, client_id, channel_id)   # "remind now"

The gate is consent.service.contact_route (do-not-contact, the channel is the person's, consent to reminders by that
channel), checked when a reminder is scheduled and again by the worker at the moment of sending. A reminder is due
`settings.reminder_hours_before` hours before the appointment; a moment in the deployment's quiet hours
(`reminder_quiet_start`–`reminder_quiet_end`) or outside the person's own safe window moves to the next allowed
moment before the appointment, and when there is none the reminder is recorded as not sent ("no-allowed-moment").

The `reminders.scan` job (every five minutes) enqueues one `reminders.send` job per due reminder; its payload is the
reminder's id only. The text is built in the worker, in the person's language, and never stored: by default
"Reminder from <sender>: appointment on <day> at <time>. Reply STOP to stop." — no service, place or health word,
<sender> being the organisation's neutral sender name. A person who chose details also gets the place and with whom.
Every reminder is recorded (scheduled, queued, sent, not sent and why, cancelled and why) in the `reminder` table.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from typing import Any

from babel.dates import format_date, format_time
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from carebridge import i18n
from carebridge.accounts.access import Actor
from carebridge.appointments.models import Appointment
from carebridge.audit import service as audit
from carebridge.clients import service as clients
from carebridge.clients.models import Client, ContactChannel
from carebridge.config import Settings
from carebridge.consent import service as consent
from carebridge.db import new_id
from carebridge.errors import N_, Conflict, FieldError, InvalidInput
from carebridge.jobs.models import Job
from carebridge.jobs.service import PermanentError, current_job, enqueue
from carebridge.keys import service as keys
from carebridge.kit import clock
from carebridge.notifications import email, sms
from carebridge.notifications.models import NotificationSent
from carebridge.notifications.person import language_of, open_channel_value
from carebridge.reminders.models import (
    InboundMessage,
    InboundSeen,
    Reminder,
    ReminderPreference,
    ReminderSender,
)

log = logging.getLogger("carebridge.reminders")

SEND_KIND = "reminders.send"
SCAN_KIND = "reminders.scan"
# notification_sent.reason of a sent reminder (its account_id column holds the client id, as notifications.person)
SENT_REASON = "appointment-reminder"
CONTACT_NOT_ALLOWED = "contact-not-allowed"
SENDABLE_KINDS = ("sms", "email")
SENDER_MAXIMUM = 11  # an SMS alphanumeric sender id is at most 11 characters
_SENDER = re.compile(r"[A-Za-z0-9][A-Za-z0-9 .-]{0,10}")
_HOUR = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")
STALE = N_("Someone else changed these reminder settings while you were editing them. Check what they say now and make your change again.")

TEXT = N_("Reminder from %(sender)s: appointment on %(day)s at %(time)s. Reply STOP to stop.")
TEXT_WITH_DETAILS = N_(
    "Reminder from %(sender)s: appointment on %(day)s at %(time)s, at %(place)s with %(with)s. Reply STOP to stop."
)
SUBJECT = N_("Reminder from %(sender)s")


# --- Moments -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """The person's safe window: on these weekdays (Monday 0), from `start` to `end` (deployment time)."""

    days: tuple[int, ...]
    start: dt.time
    end: dt.time

    def as_json(self) -> dict[str, Any]:
        return {"days": list(self.days), "from": self.start.strftime("%H:%M"), "to": self.end.strftime("%H:%M")}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Window:
        return cls(tuple(int(day) for day in data["days"]), parse_hour(data["from"]), parse_hour(data["to"]))


def parse_hour(value: str) -> dt.time:
    match = _HOUR.fullmatch(value.strip())
    if not match:
        raise ValueError("a time is written HH:MM")
    return dt.time(int(match[1]), int(match[2]))


def _in_span(moment: dt.time, start: dt.time, end: dt.time) -> bool:
    """Whether `moment` is in [start, end), a span that may run past midnight (20:00–09:00)."""
    if start == end:
        return False
    if start < end:
        return start <= moment < end
    return moment >= start or moment < end


def next_allowed(
    due: dt.datetime, before: dt.datetime, settings: Settings, window: Window | None = None
) -> dt.datetime | None:
    """The first moment at or after `due` outside the quiet hours and inside the person's window, if it is before
    `before` (the appointment); else None. Moments are aware; the answer is in UTC."""
    zone = clock.zone(settings.timezone)
    quiet_start, quiet_end = parse_hour(settings.reminder_quiet_start), parse_hour(settings.reminder_quiet_end)
    moment = due.astimezone(zone)
    for _ in range(64):  # each step moves forward to a boundary; a week of boundaries is far fewer than 64
        if moment >= before:
            return None
        local = moment.timetz().replace(tzinfo=None)
        if _in_span(local, quiet_start, quiet_end):
            moment = _next_time(moment, quiet_end, zone)
            continue
        if window is not None:
            if not window.days:
                return None
            if moment.weekday() not in window.days or not _in_span(local, window.start, window.end):
                # the next start of the window on an allowed day (today's if it is still ahead)
                moment = _next_time(moment, window.start, zone, days=window.days)
                continue
        return moment.astimezone(dt.UTC)
    return None


def _next_time(moment: dt.datetime, at: dt.time, zone: Any, days: tuple[int, ...] | None = None) -> dt.datetime:
    day = moment.date()
    for _ in range(9):
        candidate = dt.datetime.combine(day, at, tzinfo=zone)
        if candidate > moment and (days is None or candidate.weekday() in days):
            return candidate
        day += dt.timedelta(days=1)
    return moment + dt.timedelta(days=8)


# --- Preferences ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PreferenceInput:
    channel_id: str | None
    with_details: bool = False
    # the safe window: weekdays (0 Monday .. 6 Sunday) and HH:MM from/to; no days and no hours: any time
    days: tuple[int, ...] = ()
    start: str = ""
    end: str = ""


@dataclass(frozen=True)
class PreferenceView:
    channel_id: str | None
    with_details: bool
    window: Window | None
    version: int


def _check(actor: Actor, permission: str) -> None:
    clients.check(actor, permission)


def _window_of(session: Session, settings: Settings, preference: ReminderPreference) -> Window | None:
    if preference.safe_window is None:
        return None
    key = keys.data_key(session, settings, clients.SUBJECT, preference.client_id)
    data = key.open_json("reminder_preference", "safe_window", preference.client_id, preference.safe_window)
    return Window.from_json(data) if data else None


def preference_of(session: Session, settings: Settings, client_id: str) -> PreferenceView | None:
    """The person's preferences, opened (no check, no audit: for callers that found the record and audit)."""
    row = session.get(ReminderPreference, client_id)
    if row is None:
        return None
    return PreferenceView(row.channel_id, row.with_details, _window_of(session, settings, row), row.version)


def _clean_window(data: PreferenceInput) -> tuple[Window | None, list[FieldError]]:
    errors: list[FieldError] = []
    days = tuple(sorted(set(data.days)))
    if any(day not in range(7) for day in days):
        errors.append(FieldError("days", N_("Choose days of the week from the list.")))
    start = end = None
    for name, value in (("start", data.start), ("end", data.end)):
        if (value or "").strip():
            try:
                parsed = parse_hour(value)
            except ValueError:
                errors.append(FieldError(name, N_("Enter a time like 09:30.")))
                continue
            if name == "start":
                start = parsed
            else:
                end = parsed
    if errors:
        return None, errors
    if not days and start is None and end is None:
        return None, []
    if start is None or end is None:
        errors.append(FieldError("start", N_("Enter both times of the safe window, or neither.")))
        return None, errors
    if not start < end:
        errors.append(FieldError("end", N_("The end of the safe window must be after its start.")))
        return None, errors
    return Window(days or tuple(range(7)), start, end), []


def set_preferences(
    session: Session,
    settings: Settings,
    actor: Actor,
    client_id: str,
    data: PreferenceInput,
    *,
    version: int | None = None,
    request_id: str | None = None,
) -> ReminderPreference:
    """Set how the person wants to be reminded (person.write, scoped; audited `reminder.preferences.update`).

    The channel must pass consent.contact_route now (consent to reminders by it, not do-not-contact); the person's
    booked appointments are then scheduled again. `version` is the one the form was shown (Conflict if stale)."""
    _check(actor, "person.write")
    client = clients.find_client(session, actor, client_id, "person.write")
    errors: list[FieldError] = []
    channel_id = (data.channel_id or "").strip() or None
    if channel_id is not None:
        if len(channel_id) > 36:
            errors.append(FieldError("channel_id", N_("Choose one of the person's ways to be contacted.")))
        else:
            try:
                channel = consent.contact_route(session, client, channel_id, consent.REMINDERS)
            except consent.ContactNotAllowed:
                errors.append(FieldError(
                    "channel_id",
                    N_("The person has not agreed to reminders this way, or must not be contacted. Record their consent first."),
                ))
            else:
                if channel.kind not in SENDABLE_KINDS:
                    errors.append(FieldError("channel_id", N_("Reminders can be sent only by text message or e-mail.")))
    window, window_errors = _clean_window(data)
    errors.extend(window_errors)
    if errors:
        raise InvalidInput(errors=errors)
    row = session.get(ReminderPreference, client.id)
    if row is not None and version is not None and row.version != version:
        raise Conflict(STALE)
    key = keys.data_key(session, settings, clients.SUBJECT, client.id)
    if row is None:
        row = ReminderPreference(client_id=client.id, version=0, updated_at=clock.utc_now())
        session.add(row)
    row.channel_id = channel_id
    row.with_details = bool(data.with_details)
    row.safe_window = key.seal_json("reminder_preference", "safe_window", client.id, window.as_json()) if window else None
    row.version = (row.version or 0) + 1
    row.updated_by = actor.account_id
    row.updated_at = clock.utc_now()
    session.flush()
    audit.record(session, "reminder.preferences.update", actor=actor, record_type=clients.RECORD_TYPE,
                 record_id=client.id, request_id=request_id)
    for appointment in session.scalars(
        select(Appointment).where(
            Appointment.client_id == client.id, Appointment.status == "booked",
            Appointment.starts_at > clock.utc_now(),
        )
    ):
        schedule_for_appointment(session, settings, appointment)
    return row


# --- The sender name -----------------------------------------------------------------------------------------------


def sender_name(session: Session, settings: Settings, organisation_id: str) -> str:
    """The neutral name an organisation's reminders come from: its own, else settings.sms_sender."""
    name = session.scalar(select(ReminderSender.name).where(ReminderSender.organisation_id == organisation_id))
    return name or settings.sms_sender


def set_sender_name(session: Session, actor: Actor, name: str, *, request_id: str | None = None) -> ReminderSender:
    """Set the actor's organisation's sender name (organisation.manage; audited `reminder.sender.update`).
    Letters, digits, spaces, dots and dashes, at most 11 characters (what an SMS sender id can carry)."""
    _check(actor, "organisation.manage")
    cleaned = " ".join((name or "").split())
    if not cleaned:
        raise InvalidInput(errors=[FieldError("name", N_("Enter the name reminders are sent from."))])
    if len(cleaned) > SENDER_MAXIMUM or not _SENDER.fullmatch(cleaned):
        raise InvalidInput(errors=[FieldError(
            "name", N_("Use at most 11 letters, digits, spaces, dots or dashes, starting with a letter or digit."),
        )])
    row = session.get(ReminderSender, actor.organisation_id)
    if row is None:
        row = ReminderSender(organisation_id=actor.organisation_id)
        session.add(row)
    row.name = cleaned
    row.updated_by = actor.account_id
    row.updated_at = clock.utc_now()
    session.flush()
    audit.record(session, "reminder.sender.update", actor=actor, record_type="organisation",
                 record_id=actor.organisation_id, request_id=request_id)
    return row


# --- Scheduling ----------------------------------------------------------------------------------------------------


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _settle(reminder: Reminder, state: str, reason: str | None) -> None:
    reminder.state = state
    reminder.reason = reason
    reminder.settled_at = clock.utc_now()


def cancel_for_appointment(session: Session, appointment_id: str, reason: str) -> int:
    """Cancel the appointment's reminders not yet sent (its queued send job then finds nothing to do)."""
    count = 0
    for reminder in session.scalars(
        select(Reminder).where(Reminder.appointment_id == appointment_id, Reminder.state.in_(("scheduled", "queued")))
    ):
        _settle(reminder, "cancelled", reason)
        count += 1
    session.flush()
    return count


def schedule_for_appointment(session: Session, settings: Settings, appointment: Appointment) -> Reminder | None:
    """(Re)schedule the appointment's reminder from the person's preferences: the ones not yet sent are cancelled
    ("appointment-changed") and a new one is recorded — scheduled, or not sent with why (the person may not be
    contacted that way, or there is no allowed moment before the appointment). None when the person has chosen no
    reminders or the appointment is not booked and ahead."""
    cancel_for_appointment(session, appointment.id, "appointment-changed")
    now = clock.utc_now()
    starts_at = _aware(appointment.starts_at)
    if appointment.status != "booked" or starts_at <= now:
        return None
    preference = session.get(ReminderPreference, appointment.client_id)
    if preference is None or preference.channel_id is None:
        return None
    reminder = Reminder(
        id=new_id(), appointment_id=appointment.id, client_id=appointment.client_id,
        organisation_id=appointment.organisation_id, channel_id=preference.channel_id,
        kind="referral" if appointment.referral_id else "appointment", state="scheduled",
        due_at=starts_at - dt.timedelta(hours=settings.reminder_hours_before), created_at=now,
    )
    session.add(reminder)
    client = session.get(Client, appointment.client_id)
    assert client is not None
    try:
        consent.contact_route(session, client, preference.channel_id, consent.REMINDERS)
    except consent.ContactNotAllowed:
        _settle(reminder, "not-sent", CONTACT_NOT_ALLOWED)
        session.flush()
        return reminder
    moment = next_allowed(max(_aware(reminder.due_at), now), starts_at, settings,
                          _window_of(session, settings, preference))
    if moment is None:
        _settle(reminder, "not-sent", "no-allowed-moment")
    else:
        reminder.due_at = moment
    session.flush()
    return reminder


def queue_reminder(
    session: Session,
    settings: Settings,
    actor: Actor,
    client_id: str,
    channel_id: str,
    *,
    request_id: str | None = None,
) -> str:
    """Remind the person now of their next booked appointment by one of their channels (person.write, scoped;
    audited `reminder.queue`) — the "remind now" button and the contacting feature consent.CONTACT_FEATURES names.
    ContactNotAllowed when contact_route refuses; InvalidInput when there is no appointment ahead or no allowed
    moment before it. In quiet hours or outside the person's window the job waits for the next allowed moment.
    Returns the send job's id."""
    _check(actor, "person.write")
    client = clients.find_client(session, actor, client_id, "person.write")
    channel = consent.contact_route(session, client, channel_id, consent.REMINDERS)
    if channel.kind not in SENDABLE_KINDS:
        raise InvalidInput(errors=[FieldError("channel_id", N_("Reminders can be sent only by text message or e-mail."))])
    now = clock.utc_now()
    appointment = session.scalar(
        select(Appointment)
        .where(Appointment.client_id == client.id, Appointment.status == "booked", Appointment.starts_at > now)
        .order_by(Appointment.starts_at)
        .limit(1)
    )
    if appointment is None:
        raise InvalidInput(errors=[FieldError("channel_id", N_("The person has no booked appointment to be reminded of."))])
    preference = session.get(ReminderPreference, client.id)
    window = _window_of(session, settings, preference) if preference is not None else None
    moment = next_allowed(now, _aware(appointment.starts_at), settings, window)
    if moment is None:
        raise InvalidInput(errors=[FieldError(
            "channel_id", N_("There is no time before the appointment when the person may be sent a reminder."),
        )])
    reminder = Reminder(
        id=new_id(), appointment_id=appointment.id, client_id=client.id, organisation_id=appointment.organisation_id,
        channel_id=channel.id, kind="referral" if appointment.referral_id else "appointment", state="queued",
        due_at=moment, created_at=now,
    )
    session.add(reminder)
    session.flush()
    job_id = enqueue(session, SEND_KIND, {"reminder_id": reminder.id}, run_at=moment)
    assert job_id is not None
    reminder.job_id = job_id
    session.flush()
    audit.record(session, "reminder.queue", actor=actor, record_type=clients.RECORD_TYPE, record_id=client.id,
                 request_id=request_id)
    return job_id


def enqueue_due(session: Session, settings: Settings) -> int:
    """The `reminders.scan` job's work: each scheduled reminder now due gets one `reminders.send` job (payload: its
    id), after checking the moment is still allowed (a late scan must not send in the quiet hours); and each queued
    reminder whose send job died is recorded as not sent with the job's short code. Returns how many were queued."""
    now = clock.utc_now()
    queued = 0
    for reminder in session.scalars(
        select(Reminder).where(Reminder.state == "scheduled", Reminder.due_at <= now).order_by(Reminder.due_at).limit(500)
    ):
        appointment = session.get(Appointment, reminder.appointment_id)
        if appointment is None or appointment.status != "booked":
            _settle(reminder, "cancelled", "appointment-cancelled")
            continue
        preference = session.get(ReminderPreference, reminder.client_id)
        window = _window_of(session, settings, preference) if preference is not None else None
        moment = next_allowed(now, _aware(appointment.starts_at), settings, window)
        if moment is None:
            _settle(reminder, "not-sent", "no-allowed-moment")
            continue
        if moment > now:
            reminder.due_at = moment
            continue
        # Keyed by the reminder and its moment: two scans never queue it twice, and a reminder a late worker put back
        # to wait (send) is queued again at its new moment.
        key = f"reminder:{reminder.id}:{_aware(reminder.due_at).isoformat()}"
        job_id = enqueue(session, SEND_KIND, {"reminder_id": reminder.id}, idempotency_key=key)
        if job_id is None:
            continue  # another scan queued it a moment ago
        reminder.state = "queued"
        reminder.job_id = job_id
        queued += 1
    dead = session.execute(
        select(Reminder, Job.last_error)
        .join(Job, Job.id == Reminder.job_id)
        .where(Reminder.state == "queued", Job.state == "dead")
    ).all()
    for reminder, last_error in dead:
        code = (last_error or "failed").partition(":")[2] or (last_error or "failed")
        _settle(reminder, "not-sent", code[:40])
    # The inbound webhook refuses messages older than five minutes, so a day of seen ids is ample against replays.
    session.execute(delete(InboundSeen).where(InboundSeen.received_at < now - dt.timedelta(days=1)))
    session.flush()
    return queued


# --- Sending -------------------------------------------------------------------------------------------------------


def reminder_text(
    language: str, sender: str, starts_at: dt.datetime, settings: Settings, details: dict[str, Any] | None = None
) -> tuple[str, str]:
    """The subject and text of a reminder in `language`: the sender, the day and the time (formatted for the
    language), and — only when the person chose details — the place and with whom."""
    local = _aware(starts_at).astimezone(clock.zone(settings.timezone))
    locale = i18n.formatting_locale(language, settings.jurisdiction)
    day = format_date(local.date(), format="full", locale=locale)
    time = format_time(local.timetz(), format="short", locale=locale)
    subject = i18n.gettext(language, SUBJECT, sender=sender)
    if details and (details.get("place") or details.get("with")):
        text = i18n.gettext(language, TEXT_WITH_DETAILS, sender=sender, day=day, time=time,
                            place=details.get("place") or "-", **{"with": details.get("with") or "-"})
    else:
        text = i18n.gettext(language, TEXT, sender=sender, day=day, time=time)
    return subject, text


def send(session: Session, payload: dict[str, Any]) -> None:
    """The `reminders.send` job handler: the reminder still queued and its appointment still booked, contact_route
    checked again, the moment still allowed; then the text is built, sent, and the reminder recorded as sent."""
    job = current_job(session)
    settings = job.settings
    reminder_id = payload.get("reminder_id")
    if not isinstance(reminder_id, str) or len(reminder_id) > 36:
        raise PermanentError("bad-payload")
    if session.scalar(select(NotificationSent.id).where(NotificationSent.job_id == job.id)) is not None:
        return  # this job already did its work (it is being run again)
    reminder = session.get(Reminder, reminder_id)
    if reminder is None or reminder.state != "queued":
        return  # cancelled since (STOP, the appointment moved): nothing to send
    appointment = session.get(Appointment, reminder.appointment_id)
    client = session.get(Client, reminder.client_id)
    if appointment is None or client is None or appointment.status != "booked":
        _settle(reminder, "cancelled", "appointment-cancelled")
        return
    if reminder.channel_id is None:
        _settle(reminder, "not-sent", "no-channel")
        return
    try:
        channel = consent.contact_route(session, client, reminder.channel_id, consent.REMINDERS)
    except consent.ContactNotAllowed:
        # the scan records it as not sent when it finds this job dead (the handler's own writes are rolled back)
        log.info("job %s: the person may no longer be contacted this way; nothing was sent", job.id)
        raise PermanentError(CONTACT_NOT_ALLOWED) from None
    now = clock.utc_now()
    preference = session.get(ReminderPreference, client.id)
    window = _window_of(session, settings, preference) if preference is not None else None
    moment = next_allowed(now, _aware(appointment.starts_at), settings, window)
    if moment is None:
        _settle(reminder, "not-sent", "no-allowed-moment")
        return
    if moment > now + dt.timedelta(minutes=1):
        reminder.state, reminder.due_at, reminder.job_id = "scheduled", moment, None  # a late worker: wait again
        return
    if channel.kind not in SENDABLE_KINDS:
        raise PermanentError("channel-cannot-send")
    try:
        key = keys.data_key(session, settings, clients.SUBJECT, client.id)
    except keys.KeyDestroyed:
        raise PermanentError("erased") from None
    details = None
    if preference is not None and preference.with_details and appointment.details is not None:
        details = key.open_json("appointment", "details", appointment.id, appointment.details)
    language = language_of(clients.open_profile(session, settings, client).languages, settings)
    subject, text = reminder_text(
        language, sender_name(session, settings, appointment.organisation_id), appointment.starts_at, settings, details
    )
    to = open_channel_value(key, channel)
    if not to:
        raise PermanentError("no-address")
    if channel.kind == "sms":
        provider = sms.provider(settings, session)
        if provider is None:
            raise PermanentError("no-sms")
        if not sms.PHONE.fullmatch(to):
            raise PermanentError("bad-number")
        provider.send(to, text)
    else:
        if not email.configured(settings):
            raise PermanentError("no-smtp")
        email.send(settings, email.build(settings, to=to, subject=subject, body=text + "\n", language=language, key=job.id))
    _settle(reminder, "sent", None)
    session.add(NotificationSent(
        job_id=job.id, account_id=client.id, reason=SENT_REASON, channel=channel.kind, outcome="sent", sent_at=now,
    ))
    session.flush()
    audit.record(session, "reminder.send", organisation_id=client.organisation_id, record_type=clients.RECORD_TYPE,
                 record_id=client.id)


# --- Reading -------------------------------------------------------------------------------------------------------


def reminders_of(session: Session, client_id: str) -> list[Reminder]:
    """The person's reminders, newest first (no check, no audit: for callers that found the record and audit)."""
    return list(session.scalars(
        select(Reminder).where(Reminder.client_id == client_id).order_by(Reminder.created_at.desc()).limit(100)
    ))


@dataclass(frozen=True)
class ReplyView:
    id: str
    kind: str
    text: str | None
    received_at: dt.datetime


def replies_of(session: Session, settings: Settings, client_id: str) -> list[ReplyView]:
    """What the person texted back, opened, newest first (no check, no audit: see reminders_of)."""
    rows = list(session.scalars(
        select(InboundMessage).where(InboundMessage.client_id == client_id)
        .order_by(InboundMessage.received_at.desc()).limit(50)
    ))
    if not rows:
        return []
    key = keys.data_key(session, settings, clients.SUBJECT, client_id)
    return [
        ReplyView(row.id, row.kind, key.open_text("inbound_message", "text", row.id, row.text) if row.text else None,
                  row.received_at)
        for row in rows
    ]


def channels_for_reminders(session: Session, client_id: str) -> list[ContactChannel]:
    """The person's channels a reminder can go by (sms, email)."""
    return list(session.scalars(
        select(ContactChannel).where(ContactChannel.client_id == client_id, ContactChannel.kind.in_(SENDABLE_KINDS))
        .order_by(ContactChannel.created_at)
    ))
