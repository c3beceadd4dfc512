"""What was sent (so that a job run twice, or a burst of "new message" jobs, sends once) and the development SMS
outbox. Neither holds a message's content beyond the fixed, payload-free texts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from carebridge.db import Base, UTCDateTime, new_id


class NotificationSent(Base):
    """One notification sent (or deliberately not sent: `outcome`), written in the job's own transaction."""

    __tablename__ = "notification_sent"
    __table_args__ = (Index("ix_notification_sent_account_id_reason_sent_at", "account_id", "reason", "sent_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    # The job that sent it: unique, so a job that runs again finds it and does not send twice.
    job_id: Mapped[str] = mapped_column(String(36), unique=True)
    account_id: Mapped[str] = mapped_column(String(36))
    reason: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(16))
    # sent, skipped-disabled, skipped-recent (a "new message" sent to the same account moments ago),
    # skipped-no-smtp (no SMTP server configured)
    outcome: Mapped[str] = mapped_column(String(32))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SmsOutbox(Base):
    """The development SMS adapter's "sent" messages (CAREBRIDGE_SMS_PROVIDER=outbox): nothing leaves the machine."""

    __tablename__ = "sms_outbox"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    to: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
