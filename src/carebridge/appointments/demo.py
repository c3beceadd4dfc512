"""Demo appointments and reminder preferences (issue 11): FICTIONAL, made through appointments.service and
reminders.service by each demo person's own caseworker, so sealed and audited like real ones.

For the first eight open demo people (clients.demo's order) whose caseworker may write their record: one appointment in the coming days (times spread over
the working day; every third needs an interpreter, the second is by video) and one attended last week. The first two
people with a text-message channel and consent to reminders by it get reminder preferences (the second one chose
details, with a weekday safe window). Idempotent: when any demo person already has an appointment, nothing is added.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from carebridge.accounts import service as accounts
from carebridge.appointments import service
from carebridge.appointments.models import Appointment
from carebridge.clients.models import ContactChannel
from carebridge.consent import service as consent
from carebridge.kit import clock

PLACES = ("Community centre, room 2", "Health centre, ground floor", "Advice centre, desk 4", "Library meeting room")
WITH = ("The link worker", "The practice nurse", "The housing adviser", "The benefits adviser")


def load_demo(session: Session, settings: Any) -> str:
    from carebridge.outcomes.demo import _demo_people
    from carebridge.reminders import service as reminders

    people = [(client, person) for client, person in _demo_people(session, settings) if client.status == "open"][:8]
    if not people:
        return ""
    ids = [client.id for client, _ in people]
    if session.scalar(select(Appointment.id).where(Appointment.client_id.in_(ids)).limit(1)) is not None:
        return "Demo appointments: already there."
    today = clock.today(settings.timezone)
    made = reminded = 0
    for index, (client, _) in enumerate(people):
        owner = accounts.account_by_id(session, client.owner_account_id) if client.owner_account_id else None
        if owner is None:
            continue
        actor = accounts.actor_for(owner)
        if not actor.can("person.write"):
            continue
        day = today + dt.timedelta(days=1 + index % 5)
        details = {"place": PLACES[index % len(PLACES)], "with_whom": WITH[index % len(WITH)]}
        ahead = service.AppointmentInput(
            day=day.isoformat(), time=f"{10 + index % 6:02d}:{'30' if index % 2 else '00'}", duration_minutes=45,
            modality="video" if made == 2 else "in-person", interpreter_needed=(made // 2) % 3 == 0,
            what_to_bring="Letter from the council" if index % 4 == 0 else None, **details,
        )
        service.create_appointment(session, settings, actor, client.id, ahead, fictional=True)
        past = service.AppointmentInput(
            day=(today - dt.timedelta(days=7)).isoformat(), time="11:00", duration_minutes=30,
            modality="phone", **details,
        )
        earlier = service.create_appointment(session, settings, actor, client.id, past, fictional=True)
        service.set_status(session, settings, actor, earlier.id, "attended", version=earlier.version)
        made += 2
        if reminded < 2:
            for channel in session.scalars(
                select(ContactChannel).where(ContactChannel.client_id == client.id, ContactChannel.kind == "sms")
            ):
                if consent.active_consent(session, client.id, consent.REMINDERS, channel_id=channel.id) is None:
                    continue
                reminders.set_preferences(
                    session, settings, actor, client.id,
                    reminders.PreferenceInput(channel.id, with_details=reminded == 1,
                                              days=(0, 1, 2, 3, 4) if reminded == 1 else (),
                                              start="10:00" if reminded == 1 else "", end="18:00" if reminded == 1 else ""),
                )
                reminded += 1
                break
    return f"Demo appointments: {made} made, reminder preferences for {reminded} people."


