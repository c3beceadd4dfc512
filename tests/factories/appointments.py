"""Appointments and reminder preferences for tests, made through appointments.service and reminders.service (so
sealed like real ones)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from carebridge.appointments import service
from carebridge.appointments.models import Appointment
from carebridge.clients import contact
from carebridge.clients.models import Client, ContactChannel
from carebridge.config import Settings
from carebridge.kit import clock
from carebridge.reminders import service as reminders
from factories import consent as consents


def booked(
    session: Session,
    settings: Settings,
    actor: Any,
    client: Client,
    *,
    at: dt.datetime | None = None,
    minutes: int = 60,
    **options: Any,
) -> Appointment:
    """An appointment for `client` at `at` (aware; default: two days from now at 14:00 in the deployment's zone)."""
    if at is None:
        day = clock.now(settings.timezone).date() + dt.timedelta(days=2)
        at = dt.datetime.combine(day, dt.time(14, 0), tzinfo=clock.zone(settings.timezone))
    local = at.astimezone(clock.zone(settings.timezone))
    values: dict[str, Any] = {"place": "Room 2, 10 High Street", "with_whom": "Dr Amal", "what_to_bring": "Letter"}
    values.update(options)
    data = service.AppointmentInput(
        day=local.date().isoformat(), time=local.strftime("%H:%M"), duration_minutes=minutes, **values
    )
    return service.create_appointment(session, settings, actor, client.id, data)


def booked_for_contact_test(session: Session, settings: Settings, actor: Any, client: Client) -> None:
    """What the appointment reminder needs before it can be queued (consent.CONTACT_FEATURES' `prepare`)."""
    booked(session, settings, actor, client)


def sms_channel(session: Session, settings: Settings, actor: Any, client: Client, number: str = "+447700900123") -> ContactChannel:
    """A text-message channel made as staff make one (blind-indexed, so an inbound text finds it)."""
    return contact.add_channel(session, settings, actor, client.id, contact.ChannelInput(kind="sms", value=number))


def reminded(
    session: Session,
    settings: Settings,
    actor: Any,
    client: Client,
    *,
    kind: str = "sms",
    value: str = "+447700900123",
    with_details: bool = False,
    days: tuple[int, ...] = (),
    start: str = "",
    end: str = "",
) -> ContactChannel:
    """A channel with consent to reminders, chosen in the person's reminder preferences."""
    if kind == "sms":
        channel = sms_channel(session, settings, actor, client, value)
    else:
        channel = contact.add_channel(session, settings, actor, client.id, contact.ChannelInput(kind=kind, value=value))
    consents.given(session, actor, client, "reminders", channel_id=channel.id)
    reminders.set_preferences(
        session, settings, actor, client.id,
        reminders.PreferenceInput(channel.id, with_details=with_details, days=days, start=start, end=end),
    )
    return channel
