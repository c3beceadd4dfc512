"""Volunteers and network families (WHO's case study of volunteering programmes), and matches of a person to one.

A volunteer's name, contact and availability are sealed with the volunteer's own data key (subject "volunteer"):
removing a volunteer destroys that key (crypto-shredding). Their languages, area, interests, background-check dates
and status stay in clear: matching filters and ranks on them without opening anyone, and none of them names a person.

A match belongs to one person's record: what the volunteer is shown (the name to use if the person agreed, the area,
the shared interests, how to meet) is sealed with the person's data key; states, dates and reasons stay in clear.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from carebridge.db import Base, UTCDateTime, new_id

ID = String(36)


class Volunteer(Base):
    __tablename__ = "volunteer"

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    organisation_id: Mapped[str] = mapped_column(ID, ForeignKey("staff_organisation.id"), index=True)
    # volunteer | family
    kind: Mapped[str] = mapped_column(String(16))
    # Sealed JSON with the volunteer's key: {"display_name", "contact", "availability", "interests_other"}.
    details: Mapped[bytes | None] = mapped_column(LargeBinary)
    # BCP 47 tags, space separated, as clients' languages are normalised ("ar-SY prs en").
    languages: Mapped[str] = mapped_column(String(400), default="")
    # A coarse area (a district or postcode area), as typed.
    area: Mapped[str] = mapped_column(String(100), default="")
    # Interest codes (service.INTERESTS), space separated.
    interests: Mapped[str] = mapped_column(String(400), default="")
    check_on: Mapped[date | None] = mapped_column(Date)
    check_expires_on: Mapped[date | None] = mapped_column(Date)
    # active | paused | removed
    status: Mapped[str] = mapped_column(String(16), default="active")
    max_matches: Mapped[int] = mapped_column(Integer, default=1)
    # The volunteer's own sign-in (role `volunteer`), when they have one.
    account_id: Mapped[str | None] = mapped_column(ID, ForeignKey("staff_account.id", ondelete="SET NULL"), unique=True)
    created_by: Mapped[str | None] = mapped_column(ID, ForeignKey("staff_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)


class VolunteerMatch(Base):
    __tablename__ = "volunteer_match"
    __table_args__ = (Index("ix_volunteer_match_volunteer_id_status", "volunteer_id", "status"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(ID, ForeignKey("client.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[str] = mapped_column(ID, ForeignKey("staff_organisation.id"), index=True)
    volunteer_id: Mapped[str] = mapped_column(ID, ForeignKey("volunteer.id", ondelete="CASCADE"))
    # proposed | active | declined | ended
    status: Mapped[str] = mapped_column(String(16), default="proposed")
    # Sealed JSON with the person's key: what the volunteer is shown
    # {"name_to_use", "languages", "area", "shared_interests", "how_to_meet"}.
    shared: Mapped[bytes] = mapped_column(LargeBinary)
    # The person's agreement to share these with this volunteer, recorded on the match: who recorded it and how.
    person_agreed: Mapped[bool] = mapped_column(Boolean, default=False)
    # in-person | phone | interpreter | written
    agreed_how: Mapped[str] = mapped_column(String(16))
    agreed_recorded_by: Mapped[str | None] = mapped_column(ID, ForeignKey("staff_account.id", ondelete="SET NULL"))
    proposed_by: Mapped[str | None] = mapped_column(ID, ForeignKey("staff_account.id", ondelete="SET NULL"))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Who recorded the answer: the volunteer's own account, or the worker who heard it.
    answered_by: Mapped[str | None] = mapped_column(ID, ForeignKey("staff_account.id", ondelete="SET NULL"))
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # service.END_REASONS
    ended_reason: Mapped[str | None] = mapped_column(String(32))
    ended_by: Mapped[str | None] = mapped_column(ID, ForeignKey("staff_account.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(Integer, default=1)


class VolunteerExclusion(Base):
    """A volunteer or family the person does not want to be matched with: never proposed to them."""

    __tablename__ = "volunteer_exclusion"
    __table_args__ = (UniqueConstraint("client_id", "volunteer_id"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(ID, ForeignKey("client.id", ondelete="CASCADE"), index=True)
    volunteer_id: Mapped[str] = mapped_column(ID, ForeignKey("volunteer.id", ondelete="CASCADE"))
    created_by: Mapped[str | None] = mapped_column(ID, ForeignKey("staff_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
