"""A full person's record for the rights tests: channels, notes, consents, an immigration situation and a link,
sealed with the person's data key where the real services seal them (rights.service's docstring names the places).

The channels, notes and immigration services are being written in parallel; until they land, the rows are made here
directly, sealed the same way (the person's data key, bound to table, column and row)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from carebridge.clients.models import Client, ClientLink, ClientNote, ContactChannel, ImmigrationSituation
from carebridge.config import Settings
from carebridge.consent.models import Consent
from carebridge.db import new_id
from carebridge.keys import service as keys
from carebridge.kit import clock
from factories import clients as client_factories


@dataclass
class FullRecord:
    client: Client
    other: Client
    channel: ContactChannel
    note: ClientNote
    sensitive_note: ClientNote
    consent: Consent
    situation: ImmigrationSituation
    link: ClientLink


def full_record(session: Session, settings: Settings, actor: Any, *, name: str = "Amina Marker-Name") -> FullRecord:
    client = client_factories.client(
        session, settings, actor, preferred_name=name, birth_date=dt.date(1990, 5, 17), languages=["ar-SY", "en"],
        gender="woman (marker-gender)",
    )
    other = client_factories.client(session, settings, actor, preferred_name="Other Person")
    key = keys.data_key(session, settings, "client", client.id)
    now = clock.utc_now()
    channel_id = new_id()
    channel = ContactChannel(
        id=channel_id, client_id=client.id, kind="phone",
        value=key.seal_json("client_contact_channel", "value", channel_id, {"number": "+447700900123"}),  # as clients.contact
        safe_times=key.seal_text("client_contact_channel", "safe_times", channel_id, "weekdays marker-times"),
        lookup_index="0" * 64, created_at=now,
    )
    note_id, sensitive_id = new_id(), new_id()
    note = ClientNote(
        id=note_id, client_id=client.id, author_account_id=actor.account_id, team_id=min(actor.team_ids, default=None),
        sensitivity="normal", body=key.seal_text("client_note", "body", note_id, "Met at the clinic marker-note"),
        created_at=now,
    )
    sensitive = ClientNote(
        id=sensitive_id, client_id=client.id, author_account_id=actor.account_id,
        team_id=min(actor.team_ids, default=None), sensitivity="sensitive",
        body=key.seal_text("client_note", "body", sensitive_id, "Trauma history marker-sensitive"),
        created_at=now + dt.timedelta(seconds=1),
    )
    session.add_all([channel, note, sensitive])
    session.flush()
    consent = Consent(
        client_id=client.id, purpose="immigration-situation", method="interpreter", interpreter_language="ar",
        explanation_version="1", explanation_language="ar", recorded_by=actor.account_id, given_at=now,
    )
    session.add(consent)
    session.flush()
    situation = ImmigrationSituation(
        client_id=client.id,
        situation=key.seal_json("client_immigration_situation", "situation", client.id, {"status": "marker-status"}),
        consent_id=consent.id, recorded_by=actor.account_id, recorded_at=now,
    )
    first, second = sorted([client.id, other.id])
    link = ClientLink(
        client_id=first, other_client_id=second, decision="same-person", reason="same-phone",
        decided_by=actor.account_id, decided_at=now,
    )
    session.add_all([situation, link])
    session.flush()
    return FullRecord(client, other, channel, note, sensitive, consent, situation, link)


def sealed_values(record: FullRecord) -> list[tuple[bytes, bytes]]:
    """Every sealed value of the person with the associated data it is bound to: what erasure must make unreadable."""
    from carebridge.kit import crypto

    client, channel = record.client, record.channel
    return [
        (bytes(client.profile), crypto.associated_data("client", "profile", client.id)),
        (bytes(channel.value), crypto.associated_data("client_contact_channel", "value", channel.id)),
        (bytes(channel.safe_times), crypto.associated_data("client_contact_channel", "safe_times", channel.id)),
        (bytes(record.note.body), crypto.associated_data("client_note", "body", record.note.id)),
        (bytes(record.sensitive_note.body), crypto.associated_data("client_note", "body", record.sensitive_note.id)),
        (bytes(record.situation.situation),
         crypto.associated_data("client_immigration_situation", "situation", client.id)),
    ]


def close(client: Client, *, erase_after: dt.datetime) -> None:
    """Close a record as clients.service's close_client does (status, closed_at, erase_after)."""
    client.status = "closed"
    client.closed_at = clock.utc_now()
    client.erase_after = erase_after


@dataclass
class EveryDomain:
    """A person with rows in every domain that keeps rows about a person, all made through the domains' services
    (so sealed like real data), each carrying a marker word the copy must show decrypted."""

    world: Any  # factories.referrals.World: the referring organisation's link worker owns the record
    person: Client
    clinician: Any
    volunteer: Any
    interpreter: Any
    ids: dict[str, str]


def every_domain(session: Session, settings: Settings) -> EveryDomain:
    from carebridge.assessments import service as assessments
    from carebridge.clients import references
    from carebridge.interpreters import service as interpreters
    from carebridge.plans import service as plans
    from carebridge.reminders import inbound
    from carebridge.risk import service as risk
    from carebridge.screening import service as screening
    from factories import accounts
    from factories import appointments as appointment_factories
    from factories import assessments as assessment_factories
    from factories import interpreters as interpreter_factories
    from factories import prescribing as prescribing_factories
    from factories import referrals as referral_factories
    from factories import volunteers as volunteer_factories

    world = referral_factories.world(session, settings, person_name="Marker-Name Person")
    worker = world.actor("worker")
    person = world.person
    clinician = accounts.account(session, roles=("clinician",), organisation_=world.referring, teams=(world.team,),
                                 name="Dr Marker-Clinician")
    receptionist = accounts.account(session, roles=("receptionist",), organisation_=world.referring,
                                    teams=(world.team,), name="Rae Marker-Reception")
    manager = world.actor("manager")
    ids: dict[str, str] = {}

    answers = assessment_factories.answers(housing=1, health=3)
    answers["domains"]["housing"]["words"] = "marker-assessment-words"
    assessment = assessments.create_assessment(session, settings, worker, person, answers)
    assessments.override_assessment(session, settings, worker, assessment.id, "critical", "marker-override-reason")
    ids["assessment"] = assessment.id

    references.add_reference(session, settings, worker, person.id,
                             references.ReferenceInput("case-reference", "MRK-77123", "marker-reference-label"))

    goal = plans.create_goal(session, settings, worker, person, domain="housing", text="marker-goal-text")
    plans.add_step(session, settings, worker, goal, description="marker-step-description", who="organisation",
                   organisation="marker-step-organisation")
    ids["goal"] = goal.id

    phq9 = {f"item-{n}": 0 for n in range(1, 10)} | {"item-1": 2, "item-2": 3}
    found = screening.record_screening(session, settings, client=person, instrument="phq-9", answers=phq9,
                                       language="en", mode="staff", actor=worker)
    ids["screening"] = found.id

    flag = risk.raise_flag(session, settings, client=person, source="safeguarding", actor=worker,
                           seen="marker-risk-seen", done="marker-risk-done")
    risk.add_note(session, settings, worker, flag.id, "marker-risk-note")
    risk.close_flag(session, settings, accounts.actor_for(clinician), flag.id, outcome="plan-made",
                    notes="marker-risk-outcome")
    ids["risk_flag"] = flag.id

    referral = referral_factories.sent(session, settings, world, reason="marker-referral-reason",
                                       note="marker-referral-note")
    referral = referral_factories.moved(session, settings, world, referral, "accepted")
    referral_factories.moved(session, settings, world, referral, "completed", outcome="marker-referral-outcome")
    ids["referral"] = referral.id

    appointment = appointment_factories.booked(session, settings, worker, person, place="marker-appointment-place")
    ids["appointment"] = appointment.id
    channel = appointment_factories.reminded(session, settings, worker, person, value="+447700900456",
                                             days=(0, 1, 2), start="10:00", end="16:00")
    ids["channel"] = channel.id
    inbound.receive(session, settings, "+447700900456", "marker-reply-text")

    world_for_interpreters = interpreter_factories.World(
        world.referring, world.team, world.worker, receptionist, None, world.outsider, person,
    )
    nadia = interpreter_factories.interpreter(session, settings, world_for_interpreters, name="Nadia Marker-Interpreter")
    other = interpreter_factories.interpreter(session, settings, world_for_interpreters, name="Omar Marker-Excluded",
                                              gender="male")
    interpreters.add_exclusion(session, settings, worker, person.id, other.id, "marker-exclusion-reason")
    booking = interpreters.book(session, settings, worker, person.id, nadia.id, interpreter_factories.search(),
                                name_to_use="marker-booking-name", where="marker-booking-where")
    ids["booking"] = booking.id

    volunteer = volunteer_factories.volunteer(session, settings, manager, display_name="Vera Marker-Volunteer",
                                              contact="07700 900999")
    volunteer_factories.match(session, settings, worker, person, volunteer, how_to_meet="marker-how-to-meet")

    prescribing_factories.conversation(session, settings, worker, person, what_matters="marker-what-matters")
    prescribing_factories.wellbeing(session, settings, worker, person, scores=(4, 5, 3, 7))
    session.flush()
    return EveryDomain(world, person, clinician, volunteer, nadia, ids)
