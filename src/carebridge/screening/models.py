"""Validated screening: each administration of an instrument (PHQ-9, GAD-7, PC-PTSD-5, RHS-15) and the one-use
links a person can screen themselves on.

The item answers are sealed with the person's data key (they are the FHIR QuestionnaireResponse). The total, its
band, whether it is positive and whether it started the risk workflow stay in clear next to the pseudonymous client
id: the outcomes page and its benchmark (10,000 people, 50,000 screenings) aggregate them in SQL without opening
anyone's record (ADR 0009).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from carebridge.db import Base, UTCDateTime, new_id

ID = String(36)


class Screening(Base):
    __tablename__ = "screening"
    __table_args__ = (
        Index("ix_screening_client_id_instrument_completed_at", "client_id", "instrument", "completed_at"),
        Index("ix_screening_organisation_id_instrument_completed_at", "organisation_id", "instrument", "completed_at"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(ID, ForeignKey("client.id", ondelete="CASCADE"))
    organisation_id: Mapped[str] = mapped_column(ID, ForeignKey("staff_organisation.id"))
    # phq-9 | gad-7 | pc-ptsd-5 | rhs-15
    instrument: Mapped[str] = mapped_column(String(16))
    # The language of the validated wording used (BCP 47), or "interpreter" when an interpreter read the English
    # wording to the person.
    language: Mapped[str] = mapped_column(String(16))
    # staff (with the person) | self (on a link)
    mode: Mapped[str] = mapped_column(String(8))
    administered_by: Mapped[str | None] = mapped_column(ID, ForeignKey("staff_account.id", ondelete="SET NULL"))
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    total: Mapped[int] = mapped_column(Integer)
    # minimal | mild | moderate | moderately-severe | severe | negative | positive (the instrument's own bands)
    band: Mapped[str] = mapped_column(String(24))
    positive: Mapped[bool] = mapped_column(Boolean)
    # An answer started the risk workflow (PHQ-9 item 9 above 0).
    risk: Mapped[bool] = mapped_column(Boolean, default=False)
    # Sealed JSON: {"items": {linkId: value}, ...} — the QuestionnaireResponse's answers.
    answers: Mapped[bytes] = mapped_column(LargeBinary)


class ScreeningLink(Base):
    """A link a worker gives a person to screen themselves: no account, one use, expires (48 hours by default).
    Only the SHA-256 of its random token is stored; the URL carries nothing else."""

    __tablename__ = "screening_link"

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    client_id: Mapped[str] = mapped_column(ID, ForeignKey("client.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[str] = mapped_column(ID, ForeignKey("staff_organisation.id"))
    instrument: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(16))
    created_by: Mapped[str | None] = mapped_column(ID, ForeignKey("staff_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    screening_id: Mapped[str | None] = mapped_column(ID, ForeignKey("screening.id", ondelete="SET NULL"))
