"""Action plans: goals agreed with the person, per assessment domain, each with steps (who does what, by when).

The goal's words, its steps' descriptions and the directory services attached to it are sealed with the person's
data key (a service's name can say as much as a diagnosis: a refuge, an HIV clinic). Statuses and dates stay in
clear: the caseload shows overdue steps and the outcomes page counts goals achieved without reading anyone.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from carebridge.db import Base, UTCDateTime, new_id

ID = String(36)


class Goal(Base):
    __tablename__ = "plan_goal"
    __table_args__ = (Index("ix_plan_goal_client_id_status", "client_id", "status"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(ID, ForeignKey("client.id", ondelete="CASCADE"))
    organisation_id: Mapped[str] = mapped_column(ID, ForeignKey("staff_organisation.id"), index=True)
    # An assessment domain (assessments.rules DOMAINS): housing, finance, health, ...
    domain: Mapped[str] = mapped_column(String(32))
    # Sealed: the goal in the person's words.
    text: Mapped[bytes] = mapped_column(LargeBinary)
    # Sealed JSON list of directory services attached to the goal: [{"service_at_location_id", "name", ...}].
    services: Mapped[bytes | None] = mapped_column(LargeBinary)
    # open | achieved | stopped
    status: Mapped[str] = mapped_column(String(16), default="open")
    review_on: Mapped[date | None] = mapped_column(Date)
    created_by: Mapped[str | None] = mapped_column(ID, ForeignKey("staff_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    achieved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)


class Step(Base):
    __tablename__ = "plan_step"
    # The caseload asks "which of these people have a step past its due date": open steps by client and due day.
    __table_args__ = (Index("ix_plan_step_client_id_status_due_on", "client_id", "status", "due_on"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    goal_id: Mapped[str] = mapped_column(ID, ForeignKey("plan_goal.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[str] = mapped_column(ID, ForeignKey("client.id", ondelete="CASCADE"))
    # Sealed JSON: {"description": ..., "organisation": name of the other organisation when who == organisation}.
    description: Mapped[bytes] = mapped_column(LargeBinary)
    # person | worker | organisation
    who: Mapped[str] = mapped_column(String(16))
    due_on: Mapped[date | None] = mapped_column(Date)
    # todo | done | cancelled
    status: Mapped[str] = mapped_column(String(16), default="todo")
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
