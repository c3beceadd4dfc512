"""Risk flags and who is on duty to answer them.

A flag (from PHQ-9 item 9, from a worker's judgement "risk to self or others", or from a safeguarding concern) is a
same-day task for the organisation's clinician on duty. Anyone working with the person may raise one and record what
they did; only a clinician closes it, with an outcome. A flag still open at its deadline escalates to the service
manager (the `risk.escalate` job). What was seen and done is sealed with the person's data key.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from carebridge.db import Base, UTCDateTime, new_id

ID = String(36)


class RiskFlag(Base):
    __tablename__ = "risk_flag"
    __table_args__ = (Index("ix_risk_flag_organisation_id_status_due_at", "organisation_id", "status", "due_at"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(ID, ForeignKey("client.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[str] = mapped_column(ID, ForeignKey("staff_organisation.id"))
    # screening | worker | safeguarding
    source: Mapped[str] = mapped_column(String(16))
    screening_id: Mapped[str | None] = mapped_column(ID, ForeignKey("screening.id", ondelete="SET NULL"))
    # Sealed JSON: {"seen": what the raiser saw or heard, "done": what they did}.
    details: Mapped[bytes | None] = mapped_column(LargeBinary)
    raised_by: Mapped[str | None] = mapped_column(ID, ForeignKey("staff_account.id", ondelete="SET NULL"))
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The clinician on duty it was given to (None: nobody was on duty; every clinician of the organisation sees it).
    assigned_to: Mapped[str | None] = mapped_column(ID, ForeignKey("staff_account.id", ondelete="SET NULL"))
    # open | closed
    status: Mapped[str] = mapped_column(String(16), default="open")
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by: Mapped[str | None] = mapped_column(ID, ForeignKey("staff_account.id", ondelete="SET NULL"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # risk-assessed | plan-made | referred-on (risk.service.OUTCOMES)
    outcome: Mapped[str | None] = mapped_column(String(24))
    # Sealed: the clinician's account of what they found and did.
    outcome_notes: Mapped[bytes | None] = mapped_column(LargeBinary)


class DutyAssignment(Base):
    """A clinician on duty in an organisation on a day (the deployment's time zone)."""

    __tablename__ = "risk_duty"
    __table_args__ = (UniqueConstraint("organisation_id", "day", "account_id", name="uq_risk_duty_organisation_id_day_account_id"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    organisation_id: Mapped[str] = mapped_column(ID, ForeignKey("staff_organisation.id"))
    account_id: Mapped[str] = mapped_column(ID, ForeignKey("staff_account.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date, index=True)
    # A work phone to call the clinician on while on duty (shown to colleagues in "what to do now"); optional.
    phone: Mapped[str | None] = mapped_column(String(40))
    created_by: Mapped[str | None] = mapped_column(ID, ForeignKey("staff_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
