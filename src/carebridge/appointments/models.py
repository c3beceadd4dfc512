"""Appointments: when and how a person meets a service or a worker.

The time, modality and status are in clear (the worker's day, reminders, interpreter bookings and reports act on
them); where, with whom and why are sealed with the person's data key (`details`), as is a video meeting link.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from carebridge.db import Base, UTCDateTime, new_id

ID = String(36)
MODALITIES = ("in-person", "phone", "video")
STATUSES = ("booked", "cancelled", "attended", "missed")


class Appointment(Base):
    __tablename__ = "appointment"
    __table_args__ = (
        Index("ix_appointment_client_id_starts_at", "client_id", "starts_at"),
        Index("ix_appointment_organisation_id_starts_at", "organisation_id", "starts_at"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(ID, ForeignKey("client.id", ondelete="CASCADE"))
    organisation_id: Mapped[str] = mapped_column(ID, ForeignKey("staff_organisation.id"))
    # The referral it belongs to, if any.
    referral_id: Mapped[str | None] = mapped_column(ID, ForeignKey("referral.id", ondelete="SET NULL"), index=True)
    created_by: Mapped[str | None] = mapped_column(ID, ForeignKey("staff_account.id", ondelete="SET NULL"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # MODALITIES
    modality: Mapped[str] = mapped_column(String(16), default="in-person")
    # STATUSES
    status: Mapped[str] = mapped_column(String(16), default="booked")
    # An interpreter is needed (the booking itself is in the interpreters domain).
    interpreter_needed: Mapped[bool] = mapped_column(Boolean, default=False)
    # Sealed JSON: {"place", "with", "what_to_bring", "note"} in the worker's words.
    details: Mapped[bytes | None] = mapped_column(LargeBinary)
    # Sealed: the video meeting link (interpreters.video makes it from the configured service).
    video_link: Mapped[bytes | None] = mapped_column(LargeBinary)
    fictional: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
