"""Interpreters and cultural mediators, their bookings, the slots a live booking holds, named exclusions, and the
record of every search (for the demand report).

In clear: what matching and reports act on (languages with dialects, modalities, areas, gender, availability rules,
accreditation, times, statuses). Sealed: an external interpreter's name and contact (their own data key, subject
"interpreter"); what a booking shares with the interpreter and its video link (the person's data key); the reason
for a named exclusion (the person's data key). `interpreting_request` holds no person data at all.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from carebridge.db import Base, UTCDateTime, new_id

ID = String(36)
KINDS = ("interpreter", "cultural-mediator")
MODALITIES = ("in-person", "phone", "video")
GENDERS = ("female", "male", "other")
STATUSES = ("requested", "accepted", "declined", "cancelled")
LIVE = ("requested", "accepted")


class Interpreter(Base):
    __tablename__ = "interpreter"
    __table_args__ = (Index("ix_interpreter_organisation_id_active", "organisation_id", "active"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    organisation_id: Mapped[str] = mapped_column(ID, ForeignKey("staff_organisation.id"))
    # KINDS
    kind: Mapped[str] = mapped_column(String(24), default="interpreter")
    # A member of staff (role interpreter or cultural-mediator) answers from /staff/interpreting; None: external,
    # their answers are recorded by the booker.
    account_id: Mapped[str | None] = mapped_column(ID, ForeignKey("staff_account.id", ondelete="SET NULL"), unique=True)
    # Sealed JSON with the interpreter's own data key: {"name", "contact"} (external interpreters).
    identity: Mapped[bytes | None] = mapped_column(LargeBinary)
    # GENDERS or None (not said)
    gender: Mapped[str | None] = mapped_column(String(16))
    # [{"tag": "ar-SY", "community": false}], BCP 47 with the dialect; community: a local community member.
    languages: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # The languages' macro-languages, space-separated with a space at each end (" ar ku "): matching reads only
    # the rows of the macro-language asked for (LIKE '% ar %').
    macros: Mapped[str] = mapped_column(String(200), default=" ")
    # MODALITIES
    modalities: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Free labels of areas (towns, boroughs) where they go in person.
    areas: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Recurring availability, as directory schedules: [{"freq", "byday", "opens_at", "closes_at", ...}].
    availability: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    accreditation_body: Mapped[str | None] = mapped_column(String(120))
    accreditation_level: Mapped[str | None] = mapped_column(String(60))
    accreditation_expires: Mapped[date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    fictional: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class InterpreterBooking(Base):
    __tablename__ = "interpreter_booking"
    __table_args__ = (
        Index("ix_interpreter_booking_interpreter_id_starts_at", "interpreter_id", "starts_at"),
        Index("ix_interpreter_booking_organisation_id_starts_at", "organisation_id", "starts_at"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    organisation_id: Mapped[str] = mapped_column(ID, ForeignKey("staff_organisation.id"))
    interpreter_id: Mapped[str] = mapped_column(ID, ForeignKey("interpreter.id", ondelete="CASCADE"))
    client_id: Mapped[str] = mapped_column(ID, ForeignKey("client.id", ondelete="CASCADE"), index=True)
    appointment_id: Mapped[str | None] = mapped_column(ID, ForeignKey("appointment.id", ondelete="SET NULL"), index=True)
    referral_id: Mapped[str | None] = mapped_column(ID, ForeignKey("referral.id", ondelete="SET NULL"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    language: Mapped[str] = mapped_column(String(35))
    modality: Mapped[str] = mapped_column(String(16))
    # STATUSES
    status: Mapped[str] = mapped_column(String(16), default="requested")
    # The booker chose to allow an interpreter whose accreditation has expired (recorded).
    unaccredited_allowed: Mapped[bool] = mapped_column(Boolean, default=False)
    # Sealed JSON (person's key): {"name_to_use", "where"}: all the interpreter is shown beyond time and language.
    details: Mapped[bytes | None] = mapped_column(LargeBinary)
    # Sealed (person's key): the video meeting link, when the appointment is by video.
    video_link: Mapped[bytes | None] = mapped_column(LargeBinary)
    booked_by: Mapped[str | None] = mapped_column(ID, ForeignKey("staff_account.id", ondelete="SET NULL"))
    answered_by: Mapped[str | None] = mapped_column(ID, ForeignKey("staff_account.id", ondelete="SET NULL"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    fictional: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class InterpreterBookingSlot(Base):
    """One 15-minute slot of an interpreter held by a live (requested or accepted) booking. The primary key makes
    double booking impossible in the database itself, whatever the concurrency."""

    __tablename__ = "interpreter_booking_slot"

    interpreter_id: Mapped[str] = mapped_column(ID, ForeignKey("interpreter.id", ondelete="CASCADE"), primary_key=True)
    slot_start: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    booking_id: Mapped[str] = mapped_column(ID, ForeignKey("interpreter_booking.id", ondelete="CASCADE"), index=True)


class InterpreterExclusion(Base):
    """"Not this interpreter" for a person (the person's wish or a conflict of interest)."""

    __tablename__ = "interpreter_exclusion"
    __table_args__ = (UniqueConstraint("client_id", "interpreter_id", name="uq_interpreter_exclusion_client_id_interpreter_id"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(ID, ForeignKey("client.id", ondelete="CASCADE"), index=True)
    interpreter_id: Mapped[str] = mapped_column(ID, ForeignKey("interpreter.id", ondelete="CASCADE"))
    # Sealed (person's key): why.
    reason: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_by: Mapped[str | None] = mapped_column(ID, ForeignKey("staff_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class InterpretingRequest(Base):
    """One search for an interpreter and what came of it: no person, only the language, the modality and when."""

    __tablename__ = "interpreting_request"
    __table_args__ = (Index("ix_interpreting_request_organisation_id_wanted_at", "organisation_id", "wanted_at"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    organisation_id: Mapped[str] = mapped_column(ID, ForeignKey("staff_organisation.id"))
    language: Mapped[str] = mapped_column(String(35))
    modality: Mapped[str] = mapped_column(String(16))
    wanted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # unmet | booked
    outcome: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
