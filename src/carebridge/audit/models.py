"""The audit trail's one table. Append-only: the migration adds triggers that refuse UPDATE and DELETE (and TRUNCATE
on PostgreSQL), and a deployment grants the app's role only SELECT and INSERT (docs/deploying.md).

Never personal data here: ids, action names and outcomes only. Deliberately no foreign keys: an event outlives the
account or record it names, and nothing may cascade into this table.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from carebridge.db import Base, UTCDateTime


class AuditEvent(Base):
    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_organisation_id_seq", "organisation_id", "seq"),
        Index("ix_audit_event_account_id_seq", "account_id", "seq"),
    )

    # Chain order: 1, 2, 3, ... with no gap. Assigned by audit.service under the chain lock (previous + 1), not by a
    # database sequence: a rolled-back transaction must not leave a hole that would look like a deleted event.
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
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
    # Hex SHA-256 (audit.chain): of the previous event (64 zeros for the first), and of this one.
    previous_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
