"""Social prescribing's tables (issue 11): the "what matters to you" conversation and ONS4 personal wellbeing.

The person's own words (what matters, strengths, what they want to try) are sealed with the person's data key. The
four ONS4 answers are kept clear, as screening totals are: four whole numbers 0-10 say nothing about who the person
is or what they said, and the wellbeing figures (change from start to follow-up over a caseload) are worked out from
them without opening every record; the record itself is found only through the person's record and its scope.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from carebridge.db import Base, UTCDateTime, new_id

ID = String(36)


class Conversation(Base):
    """A "what matters to you" conversation, recorded by the link worker."""

    __tablename__ = "prescribing_conversation"
    __table_args__ = (Index("ix_prescribing_conversation_client_id_held_on", "client_id", "held_on"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(ID, ForeignKey("client.id", ondelete="CASCADE"))
    organisation_id: Mapped[str] = mapped_column(ID, ForeignKey("staff_organisation.id"))
    held_on: Mapped[date] = mapped_column(Date)
    # Sealed JSON: {"what_matters": ..., "strengths": ..., "want_to_try": ...}, in the person's words.
    details: Mapped[bytes] = mapped_column(LargeBinary)
    # The action-plan goal made from "what they want to try" (plans), once made.
    goal_id: Mapped[str | None] = mapped_column(ID, ForeignKey("plan_goal.id", ondelete="SET NULL"))
    created_by: Mapped[str | None] = mapped_column(ID, ForeignKey("staff_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)


class Wellbeing(Base):
    """ONS4 personal wellbeing answers, at the start or at a follow-up."""

    __tablename__ = "prescribing_wellbeing"
    __table_args__ = (
        Index("ix_prescribing_wellbeing_client_id_taken_on", "client_id", "taken_on"),
        CheckConstraint("stage IN ('start', 'follow-up')", name="stage"),
        CheckConstraint(
            "life_satisfaction BETWEEN 0 AND 10 AND worthwhile BETWEEN 0 AND 10 AND happiness BETWEEN 0 AND 10 "
            "AND anxiety BETWEEN 0 AND 10",
            name="scores",
        ),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(ID, ForeignKey("client.id", ondelete="CASCADE"))
    organisation_id: Mapped[str] = mapped_column(ID, ForeignKey("staff_organisation.id"))
    # start | follow-up
    stage: Mapped[str] = mapped_column(String(16))
    taken_on: Mapped[date] = mapped_column(Date)
    life_satisfaction: Mapped[int] = mapped_column(SmallInteger)
    worthwhile: Mapped[int] = mapped_column(SmallInteger)
    happiness: Mapped[int] = mapped_column(SmallInteger)
    anxiety: Mapped[int] = mapped_column(SmallInteger)
    created_by: Mapped[str | None] = mapped_column(ID, ForeignKey("staff_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
