"""Needs assessments (Scottish Refugee Council's Holistic Integration Service, SPRAR): a person-centred look at each
domain of a person's life, scored on a short anchored scale, with their own words and strengths.

The category (resilience / guidance / complex / critical) comes from the rules kept as data
(assessments/rules.yaml), never from code; `category` is what the rules said, `category_override` what staff chose
instead, with a sealed reason. The answers (scores, the person's words, strengths) are sealed with the person's data
key; the category stays in clear because the outcomes page counts people by category without reading anyone.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from carebridge.db import Base, UTCDateTime, new_id

ID = String(36)


class Assessment(Base):
    __tablename__ = "assessment"
    __table_args__ = (
        Index("ix_assessment_client_id_assessed_at", "client_id", "assessed_at"),
        Index("ix_assessment_organisation_id_assessed_at", "organisation_id", "assessed_at"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(ID, ForeignKey("client.id", ondelete="CASCADE"))
    organisation_id: Mapped[str] = mapped_column(ID, ForeignKey("staff_organisation.id"))
    assessed_by: Mapped[str | None] = mapped_column(ID, ForeignKey("staff_account.id", ondelete="SET NULL"))
    assessed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Sealed JSON: {domain: {"score": int | None, "words": str, "strengths": str}} plus "what_matters".
    answers: Mapped[bytes] = mapped_column(LargeBinary)
    # What the rules said: resilience | guidance | complex | critical.
    category: Mapped[str] = mapped_column(String(16))
    # The version of the rules file that said it (its `version`), so an old assessment keeps its explanation.
    rules_version: Mapped[str] = mapped_column(String(64))
    # Sealed JSON: what led to the category, kept as it was said so that it survives a change of the rules:
    # {"rule": id, "explanation": {lang: text}, "used": {domain: score}, "meaning": {lang: text}}.
    # Sealed because which rule matched says something about the person (e.g. "housing in crisis").
    basis: Mapped[bytes] = mapped_column(LargeBinary)
    # Staff chose another category: which, why (sealed), who, when.
    category_override: Mapped[str | None] = mapped_column(String(16))
    override_reason: Mapped[bytes | None] = mapped_column(LargeBinary)
    overridden_by: Mapped[str | None] = mapped_column(ID, ForeignKey("staff_account.id", ondelete="SET NULL"))
    overridden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    @property
    def effective_category(self) -> str:
        return self.category_override or self.category
