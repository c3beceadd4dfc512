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
