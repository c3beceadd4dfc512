"""Contacting a person: the reminder staff send from the person's page ("please contact us"), the first feature
that contacts a person (consent.service.CONTACT_FEATURES lists every one).

    job_id = person.queue_reminder(session, settings, actor, client.id, channel.id)   # ContactNotAllowed

The gate is consent.service.contact_route with the purpose `contact` (staff reaching the person: the person agreed
to be contacted by this channel), checked twice: when staff queue the reminder, and again in the worker at the
moment of sending — consent withdrawn or do-not-contact set in between, and the job ends without sending:
PermanentError("contact-not-allowed"). The `notify.person` job's payload is ids and a reason code only
({"client_id", "channel_id", "reason"}); the text is a fixed sentence in the person's language naming the
organisation ("This is a message from <organisation>. Please contact us."), never why. The number or address is
opened (decrypted) only in the worker, at send time.

When it is safe: the message waits for the first moment outside the deployment's quiet hours and inside the person's
own safe window, when they gave one (reminders.service: the structured window of their reminder preferences), within
the next week; with no such moment nothing is queued. A channel's safe times are the person's own words (free text):
they are shown to the sender next to the button, and cannot be checked by the clock.

Sent once per job, as staff notifications (notifications.service): the job id is recorded in notification_sent with
the outcome (its `account_id` column holds the client id for a person's notification).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from carebridge import i18n
from carebridge.accounts.access import Actor
from carebridge.audit import service as audit
from carebridge.clients.models import Client, ContactChannel
from carebridge.config import Settings
from carebridge.consent import service as consent
from carebridge.errors import N_, FieldError, Forbidden, InvalidInput
from carebridge.jobs.service import PermanentError, current_job, enqueue
from carebridge.keys import service as keys
from carebridge.kit import clock
from carebridge.notifications import email, sms
from carebridge.notifications.models import NotificationSent

log = logging.getLogger("carebridge.notifications")

KIND = "notify.person"
PLEASE_CONTACT = "please-contact"
REASONS = (PLEASE_CONTACT,)
# The kinds a reminder can be sent by (a phone call or a message through an organisation is made by a person).
SENDABLE_KINDS = ("sms", "email")
CONTACT_NOT_ALLOWED = "contact-not-allowed"

# The consent a "please contact us" message needs: to be contacted by this channel (consent.service.CONTACT).
PURPOSE = consent.CONTACT
NO_SAFE_TIME = N_("There is no safe time to send a message to the person this week.")
# How far ahead a message may wait for a safe moment.
SAFE_MOMENT_HORIZON = dt.timedelta(days=7)

TEXTS = {PLEASE_CONTACT: N_("This is a message from %(organisation)s. Please contact us.")}
SUBJECTS = {PLEASE_CONTACT: N_("A message from %(organisation)s")}


def queue_reminder(
    session: Session,
    settings: Settings,
    actor: Actor,
    client_id: str,
    channel_id: str,
    reason: str = PLEASE_CONTACT,
    *,
    request_id: str | None = None,
) -> str:
    """Queue a reminder to the person by one of their channels (person.write, scoped; audited
    `client.reminder.queue`). ContactNotAllowed when contact_route refuses; InvalidInput for a channel a reminder
    cannot be sent by. Returns the job's id."""
    from carebridge.clients import service as clients

    if not actor.can("person.write"):
        raise Forbidden(N_("You do not have permission to do that."))
    if reason not in REASONS:
        raise ValueError(f"reason must be one of {', '.join(REASONS)}")
    client = clients.find_client(session, actor, client_id, "person.write")
    channel = consent.contact_route(session, client, channel_id, PURPOSE)
    if channel.kind not in SENDABLE_KINDS:
        raise InvalidInput(
            errors=[FieldError("channel_id", N_("Reminders can be sent only by text message or e-mail."))]
        )
    moment = next_safe_moment(session, settings, client.id)
    if moment is None:
        raise InvalidInput(
            errors=[FieldError("channel_id", NO_SAFE_TIME)]
        )
    now = clock.utc_now()
    job_id = enqueue(
        session, KIND, {"client_id": client.id, "channel_id": channel.id, "reason": reason},
        run_at=moment if moment > now else None,
    )
    assert job_id is not None
    audit.record(
        session, "client.reminder.queue", actor=actor, record_type="client", record_id=client.id, request_id=request_id
    )
    return job_id


def next_safe_moment(session: Session, settings: Settings, client_id: str) -> dt.datetime | None:
    """The first moment from now, within a week, outside the deployment's quiet hours and inside the person's own safe
    window (when they gave one with their reminder preferences); None when there is none."""
    from carebridge.reminders import service as reminders

    preference = reminders.preference_of(session, settings, client_id)
    now = clock.utc_now()
    return reminders.next_allowed(now, now + SAFE_MOMENT_HORIZON, settings, preference.window if preference else None)


def language_of(languages: list[str], settings: Settings) -> str:
    """The first of the person's languages that the interface speaks, else the deployment's default."""
    for tag in languages:
        code = i18n.language_or_none(tag)
        if code:
            return code
    return i18n.language_or_none(settings.default_language) or "en"


def reminder_text(reason: str, language: str, organisation: str) -> tuple[str, str]:
    """The subject (e-mail) and text of a reminder: fixed sentences naming the organisation, nothing else."""
    return (
        i18n.gettext(language, SUBJECTS[reason], organisation=organisation),
        i18n.gettext(language, TEXTS[reason], organisation=organisation),
    )


def open_channel_value(key: keys.DataKey, channel: ContactChannel) -> str | None:
    """The channel's number or address, opened. clients.contact keeps a channel's details as sealed JSON
    ({"number": E.164} or {"email": ...}); plain sealed text is taken as it is."""
    if channel.value is None:
        return None
    raw = key.open("client_contact_channel", "value", channel.id, channel.value).decode("utf-8")
    try:
        data = json.loads(raw)
    except ValueError:
        return raw
    if isinstance(data, str):
        return data
    if isinstance(data, dict):
        for name in ("number", "email", "value", "address"):
            if isinstance(data.get(name), str):
                return data[name]
    return raw


def _record(session: Session, job_id: str, client_id: str, reason: str, kind: str, outcome: str) -> None:
    session.add(
        NotificationSent(
            job_id=job_id, account_id=client_id, reason=reason, channel=kind, outcome=outcome, sent_at=clock.utc_now()
        )
    )
    session.flush()


def notify_person(session: Session, payload: dict[str, Any]) -> None:
    """The `notify.person` job handler: check contact_route again, open the value, send, record, audit."""
    job = current_job(session)
    settings = job.settings
    client_id, channel_id, reason = payload.get("client_id"), payload.get("channel_id"), payload.get("reason")
    if not isinstance(client_id, str) or not isinstance(channel_id, str) or reason not in REASONS:
        raise PermanentError("bad-payload")
    if session.scalar(select(NotificationSent.id).where(NotificationSent.job_id == job.id)) is not None:
        return  # this job already did its work (it is being run again)
    client = session.get(Client, client_id)
    if client is None:
        raise PermanentError("no-client")  # erased since it was queued
    try:
        channel = consent.contact_route(session, client, channel_id, PURPOSE)
    except consent.ContactNotAllowed:
        log.info("job %s: the person may no longer be contacted this way; nothing was sent", job.id)
        raise PermanentError(CONTACT_NOT_ALLOWED) from None
    if channel.kind not in SENDABLE_KINDS:
        raise PermanentError("channel-cannot-send")
    try:
        key = keys.data_key(session, settings, "client", client.id)
    except keys.KeyDestroyed:
        raise PermanentError("erased") from None
    from carebridge.clients import service as clients

    language = language_of(clients.open_profile(session, settings, client).languages, settings)
    organisation = consent.staff_organisation_name(session, client.organisation_id) or "Carebridge"
    subject, text = reminder_text(reason, language, organisation)
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
        message = email.build(settings, to=to, subject=subject, body=text + "\n", language=language, key=job.id)
        email.send(settings, message)
    _record(session, job.id, client.id, reason, channel.kind, "sent")
    audit.record(
        session, "client.reminder.send", organisation_id=client.organisation_id, record_type="client",
        record_id=client.id,
    )
