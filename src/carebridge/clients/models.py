"""A person's record (the people staff support: "clients" in the code, "people" on the pages).

Minimal and pseudonymous: what identifies or describes the person is sealed with the person's own data key
(keys.service) — the profile (preferred name, date or year of birth, gender as they describe it, languages,
interpreter needs), contact details, safe times, notes, the immigration situation. What stays in clear is only what
the software must act on without reading the person: ids, who works on the record, status and dates, and the
do-not-contact flag (every contacting feature must be able to obey it). Blind indexes (keys.keyring.blind_index)
find possible duplicates by exact match without decrypting.

Relationships are `lazy="raise"`: every query says what it loads.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from carebridge.db import Base, UTCDateTime, new_id

ID = String(36)
# A blind index value: hex HMAC-SHA256.
INDEX = String(64)


class Client(Base):
    __tablename__ = "client"
    __table_args__ = (
        Index("ix_client_organisation_id_status", "organisation_id", "status"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    organisation_id: Mapped[str] = mapped_column(ID, ForeignKey("staff_organisation.id"))
    team_id: Mapped[str | None] = mapped_column(ID, ForeignKey("staff_team.id", ondelete="SET NULL"))
    # The caseworker: the staff member who works with the person (scope `own`).
    owner_account_id: Mapped[str | None] = mapped_column(ID, ForeignKey("staff_account.id", ondelete="SET NULL"))
    # The entitlements jurisdiction whose rules apply (GB-ENG, ES, ...).
    jurisdiction: Mapped[str] = mapped_column(String(16))
    # open | closed
    status: Mapped[str] = mapped_column(String(16), default="open")
    # Sealed JSON: preferred_name, birth_date or birth_year, gender, languages, interpreter (clients.service).
    profile: Mapped[bytes] = mapped_column(LargeBinary)
    # Nobody may contact the person (someone who might see their phone puts them at risk): every feature that
    # contacts a person checks it first (consent.service.contact_route).
    do_not_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    # Staff flagged the record as needing attention (the caseload's filter also counts no contact for too long).
    needs_attention: Mapped[bool] = mapped_column(Boolean, default=False)
    # Blind index of the preferred name with a full date of birth (never with a year alone): possible duplicates.
    name_birth_date_index: Mapped[str | None] = mapped_column(INDEX, index=True)
    # Made by `carebridge demo load`: fictional, and shown as such.
    fictional: Mapped[bool] = mapped_column(Boolean, default=False)
    # Optimistic concurrency: an edit names the version it started from; a stale one is refused (409), not lost.
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_contact_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when closed: the record is erased (crypto-shredded) on this day; the caseworker is warned before.
    erase_after: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    retention_warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


# The caseload's order (clients.repository.caseload_page: never contacted first, then oldest contact, oldest record,
# id), led by what its WHERE pins: the status alone (a team's or organisation's records), the caseworker (my
# caseload) or the team. PostgreSQL then reads a page's rows in order from the index and stops after 51, instead of
# sorting every record in scope. SQLite puts NULLs first in ascending order anyway (db.py drops the NULLS FIRST).
def _caseload_order(*leading: object) -> tuple[object, ...]:
    return (*leading, Client.status, Client.last_contact_at.asc().nulls_first(), Client.created_at, Client.id)


Index("ix_client_caseload", *_caseload_order())
Index("ix_client_owner_caseload", *_caseload_order(Client.owner_account_id))
Index("ix_client_team_caseload", *_caseload_order(Client.team_id))


class ContactChannel(Base):
    """One way to reach the person: phone, sms, email, organisation (through a named organisation), in-person."""

    __tablename__ = "client_contact_channel"

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(ID, ForeignKey("client.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    # Sealed: the number, address or organisation and how to ask for the person there.
    value: Mapped[bytes | None] = mapped_column(LargeBinary)
    # Sealed: when it is safe to use (free text in the person's words: "weekdays 10–12, never evenings").
    safe_times: Mapped[bytes | None] = mapped_column(LargeBinary)
    # Blind index of the normalised phone number (E.164) or e-mail.
    lookup_index: Mapped[str | None] = mapped_column(INDEX, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ClientReference(Base):
    """A reference number the person has elsewhere (a health-service number, another organisation's case reference,
    a refugee council's reference): how staff find the record again by exact match (clients.references)."""

    __tablename__ = "client_reference"

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(ID, ForeignKey("client.id", ondelete="CASCADE"), index=True)
    # health-service | case-reference | refugee-council | other: a handful of values, nothing about the person.
    kind: Mapped[str] = mapped_column(String(32))
    # Sealed JSON: the reference as typed and its label (whose number it is: "Red Cross tracing", "GP surgery").
    value: Mapped[bytes] = mapped_column(LargeBinary)
    # Blind index of the normalised reference (keys.normalise.reference), whatever its kind.
    lookup_index: Mapped[str] = mapped_column(INDEX, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ClientNote(Base):
    """A free-text note. `sensitive` notes (health, trauma) are read only by the author's team (members of
    `team_id`, and the author) and by clinicians (person.read-sensitive over the record): clients.notes.may_read."""

    __tablename__ = "client_note"
    __table_args__ = (Index("ix_client_note_client_id_created_at", "client_id", "created_at"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(ID, ForeignKey("client.id", ondelete="CASCADE"))
    author_account_id: Mapped[str | None] = mapped_column(ID, ForeignKey("staff_account.id", ondelete="SET NULL"))
    # The author's team when writing: who may read a sensitive note.
    team_id: Mapped[str | None] = mapped_column(ID, ForeignKey("staff_team.id", ondelete="SET NULL"))
    # normal | sensitive
    sensitivity: Mapped[str] = mapped_column(String(16), default="normal")
    body: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ImmigrationSituation(Base):
    """Stored only when it changes what the person can get (the entitlements rules say the question matters), only
    with consent for that purpose, never in lists or search, and erased when the case closes."""

    __tablename__ = "client_immigration_situation"

    client_id: Mapped[str] = mapped_column(ID, ForeignKey("client.id", ondelete="CASCADE"), primary_key=True)
    # Sealed JSON: the entitlements answer(s) it records, e.g. {"status": "asylum-seeker"}.
    situation: Mapped[bytes] = mapped_column(LargeBinary)
    # The consent (purpose immigration-situation) it was kept under; withdrawing it erases this row. No foreign key:
    # the consent table comes after this one, and both go with the client.
    consent_id: Mapped[str] = mapped_column(ID)
    recorded_by: Mapped[str | None] = mapped_column(ID, ForeignKey("staff_account.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ClientLink(Base):
    """Two records staff judged to be (or not to be) the same person: linked, never merged."""

    __tablename__ = "client_link"
    __table_args__ = (UniqueConstraint("client_id", "other_client_id", name="uq_client_link_client_id_other_client_id"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    # Stored once per pair, the smaller id first.
    client_id: Mapped[str] = mapped_column(ID, ForeignKey("client.id", ondelete="CASCADE"), index=True)
    other_client_id: Mapped[str] = mapped_column(ID, ForeignKey("client.id", ondelete="CASCADE"), index=True)
    # same-person | not-same-person
    decision: Mapped[str] = mapped_column(String(24))
    # Why it was proposed: same-reference, same-phone, same-email, same-name-birth-date
    reason: Mapped[str] = mapped_column(String(32))
    decided_by: Mapped[str | None] = mapped_column(ID, ForeignKey("staff_account.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)
