"""Reminders: the person's reminder preferences, each reminder scheduled for an appointment (its outcome, never its
text), the organisation's neutral sender name, and text messages the person sent back.

What could say something about the person's life is sealed with their data key: the safe window (when a message is
safe to receive) and the text of a reply. What the scheduler and the worker act on is in clear: which channel (an
id), whether details are wanted, when a reminder is due and what became of it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from carebridge.db import Base, UTCDateTime, new_id

ID = String(36)
# A reminder's life: scheduled (waiting for its moment) -> queued (a send job exists) -> sent | not-sent;
# scheduled or queued -> cancelled (the appointment moved or was cancelled, or the person said STOP).
STATES = ("scheduled", "queued", "sent", "not-sent", "cancelled")
KINDS = ("appointment", "referral")


class ReminderPreference(Base):
    """How one person wants to be reminded (one row per person; none: no reminders)."""

    __tablename__ = "reminder_preference"

    client_id: Mapped[str] = mapped_column(ID, ForeignKey("client.id", ondelete="CASCADE"), primary_key=True)
    # One of the person's contact channels (sms or email) with reminders consent; checked again at every send.
    channel_id: Mapped[str | None] = mapped_column(
        ID, ForeignKey("client_contact_channel.id", ondelete="SET NULL"), index=True
    )
    # The person chose to receive the place and with whom in the reminder (default: no details at all).
    with_details: Mapped[bool] = mapped_column(Boolean, default=False)
    # Sealed JSON {"days": [0..6] (Monday 0), "from": "HH:MM", "to": "HH:MM"}: when a message is safe; None: any time
    # outside the deployment's quiet hours.
    safe_window: Mapped[bytes | None] = mapped_column(LargeBinary)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_by: Mapped[str | None] = mapped_column(ID, ForeignKey("staff_account.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Reminder(Base):
    """One reminder of one appointment: when it is due and what became of it (never its text)."""

    __tablename__ = "reminder"
    __table_args__ = (Index("ix_reminder_state_due_at", "state", "due_at"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    appointment_id: Mapped[str] = mapped_column(ID, ForeignKey("appointment.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[str] = mapped_column(ID, ForeignKey("client.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[str] = mapped_column(ID, ForeignKey("staff_organisation.id"))
    channel_id: Mapped[str | None] = mapped_column(ID, ForeignKey("client_contact_channel.id", ondelete="SET NULL"))
    # KINDS: an appointment linked to a referral is a referral reminder
    kind: Mapped[str] = mapped_column(String(16), default="appointment")
    # STATES
    state: Mapped[str] = mapped_column(String(16), default="scheduled")
    # Why it was not sent or was cancelled: a short code (quiet-hours, no-allowed-moment, contact-not-allowed, stop,
    # appointment-changed, appointment-cancelled, ...).
    reason: Mapped[str | None] = mapped_column(String(40))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    job_id: Mapped[str | None] = mapped_column(ID)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ReminderSender(Base):
    """The neutral name an organisation's reminders are sent from (not the service's name); none: settings.sms_sender."""

    __tablename__ = "reminder_sender"

    organisation_id: Mapped[str] = mapped_column(ID, ForeignKey("staff_organisation.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    updated_by: Mapped[str | None] = mapped_column(ID, ForeignKey("staff_account.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class InboundMessage(Base):
    """A text message a person sent back (a reply or STOP). The text of a reply is sealed; STOP keeps no text."""

    __tablename__ = "inbound_message"
    __table_args__ = (Index("ix_inbound_message_client_id_received_at", "client_id", "received_at"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(ID, ForeignKey("client.id", ondelete="CASCADE"))
    channel_id: Mapped[str | None] = mapped_column(ID, ForeignKey("client_contact_channel.id", ondelete="SET NULL"))
    # "stop" | "reply"
    kind: Mapped[str] = mapped_column(String(8))
    text: Mapped[bytes | None] = mapped_column(LargeBinary)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)


class InboundSeen(Base):
    """The provider's message ids already received (SHA-256, so no provider data is kept), to refuse a replay."""

    __tablename__ = "inbound_seen"

    message_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
