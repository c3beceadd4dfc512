"""The audit trail's one table. Append-only: the migration adds triggers that refuse UPDATE and DELETE (and TRUNCATE
on PostgreSQL), and a deployment grants the app's role only SELECT and INSERT (docs/deploying.md).

Never personal data here: ids, action names and outcomes only. Deliberately no foreign keys: an event outlives the
account or record it names, and nothing may cascade into this table.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from carebridge.db import Base, UTCDateTime


class AuditEvent(Base):
    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_organisation_id_seq", "organisation_id", "seq"),
        Index("ix_audit_event_account_id_seq", "account_id", "seq"),
        # "Who has seen my record": every event about one record, newest first.
        Index("ix_audit_event_record_type_record_id_seq", "record_type", "record_id", "seq"),
        # Each stripe's chain order, and the backstop against a fork: two events can never take one place.
        UniqueConstraint("stripe", "stripe_seq", name="uq_audit_event_stripe_stripe_seq"),
    )

    # Display order only (newest first on the page, keyset pagination): a database sequence, so gaps are allowed (a
    # rolled-back transaction leaves one) and it is not hashed. The evidence is each stripe's own order below.
    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    # Which of the parallel chains (audit.chain) the event belongs to, and its place there: 1, 2, 3, ... with no gap,
    # assigned under that stripe's lock (previous + 1), so a gap means a deleted event.
    stripe: Mapped[int] = mapped_column(SmallInteger)
    stripe_seq: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Who acted (or, for a failed sign-in without an actor, whose account it concerned), and which organisation.
    account_id: Mapped[str | None] = mapped_column(String(36))
    organisation_id: Mapped[str | None] = mapped_column(String(36))
    # Dotted name: sign-in.success, roles.change, audit.read, ...
    action: Mapped[str] = mapped_column(String(64))
    record_type: Mapped[str | None] = mapped_column(String(32))
    record_id: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16))
    request_id: Mapped[str | None] = mapped_column(String(64))
    # Hex SHA-256 (audit.chain): of the previous event of the same stripe (64 zeros for its first), and of this one.
    previous_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
