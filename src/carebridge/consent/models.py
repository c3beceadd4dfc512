"""Consent, per purpose, as the person gave it: who recorded it, when, how, and which explanation they were given.

Purposes (consent.service.PURPOSES): case-work; share (with one named organisation, for a referral); reminders (by
one contact channel); statistics (anonymous figures); immigration-situation (keeping it because it changes what the
person can get). A row is one grant; withdrawing sets `withdrawn_at` and takes effect at once. Nothing here is
sealed: it says what the person agreed to, not who they are.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from carebridge.db import Base, UTCDateTime, new_id

ID = String(36)


class Consent(Base):
    __tablename__ = "consent"
    __table_args__ = (Index("ix_consent_client_id_purpose", "client_id", "purpose"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(ID, ForeignKey("client.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(32))
    # share: the organisation (a staff organisation, or a directory organization by HSDS id when it does not use
    # Carebridge).
    staff_organisation_id: Mapped[str | None] = mapped_column(ID, ForeignKey("staff_organisation.id"))
    directory_organization_id: Mapped[str | None] = mapped_column(String(64))
    # reminders: the channel.
    channel_id: Mapped[str | None] = mapped_column(ID, ForeignKey("client_contact_channel.id", ondelete="CASCADE"))
    # spoken | written | interpreter
    method: Mapped[str] = mapped_column(String(16))
    # BCP 47: the language of the interpreter, when through one.
    interpreter_language: Mapped[str | None] = mapped_column(String(35))
    # The explanation the person was given: its version (consent.explanations) and the language it was given in.
    explanation_version: Mapped[str] = mapped_column(String(16))
    explanation_language: Mapped[str] = mapped_column(String(35))
    recorded_by: Mapped[str | None] = mapped_column(ID, ForeignKey("staff_account.id", ondelete="SET NULL"))
    given_at: Mapped[datetime] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by: Mapped[str | None] = mapped_column(ID, ForeignKey("staff_account.id", ondelete="SET NULL"))
