"""The register of requests for disclosure received from outside (police, courts, immigration enforcement, others).

Acting on a request needs two administrators: one proposes a decision, a different one confirms it. The software
never discloses to immigration enforcement (firewall.service refuses that decision). The person is told, unless a
court order forbids it and two different administrators have confirmed that (the gag), and only until the gag's end
or review date. The request's details are sealed with the register entry's own data key (keys.service,
subject `disclosure_request`), since they may name the person.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from carebridge.db import Base, UTCDateTime, new_id

ID = String(36)


class DisclosureRequest(Base):
    __tablename__ = "disclosure_request"

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    organisation_id: Mapped[str] = mapped_column(ID, ForeignKey("staff_organisation.id"), index=True)
    # police | court | immigration-enforcement | local-authority | other
    requester_kind: Mapped[str] = mapped_column(String(32))
    # Sealed JSON: who asked, their reference, what they asked for, the legal basis they gave.
    details: Mapped[bytes] = mapped_column(LargeBinary)
    # The person it concerns, when it names one of ours (no foreign key: the entry outlives an erased record).
    client_id: Mapped[str | None] = mapped_column(ID)
    # A request about many people at once (bulk): refused by design, recorded all the same.
    bulk: Mapped[bool] = mapped_column(Boolean, default=False)
    # A court order that forbids telling the person (the gag): none | claimed (by whoever recorded the request: it
    # hides nothing) | proposed (by one administrator) | confirmed (by another: hidden from the person until gag_until).
    gag_status: Mapped[str] = mapped_column(String(16), default="none", server_default="none")
    # Sealed text: the court order's reference, as the recorder or the proposing administrator gave it.
    court_order_reference: Mapped[bytes | None] = mapped_column(LargeBinary)
    # The order's end date, or the day it is to be reviewed: from that day the person is told.
    gag_until: Mapped[date | None] = mapped_column(Date)
    gag_proposed_by: Mapped[str | None] = mapped_column(ID, ForeignKey("staff_account.id", ondelete="SET NULL"))
    gag_proposed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    gag_confirmed_by: Mapped[str | None] = mapped_column(ID, ForeignKey("staff_account.id", ondelete="SET NULL"))
    gag_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # received | proposed | disclosed | refused
    status: Mapped[str] = mapped_column(String(16), default="received")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_by: Mapped[str | None] = mapped_column(ID, ForeignKey("staff_account.id", ondelete="SET NULL"))
    # disclose | refuse: proposed by one administrator, confirmed by another.
    proposed_decision: Mapped[str | None] = mapped_column(String(16))
    proposed_by: Mapped[str | None] = mapped_column(ID, ForeignKey("staff_account.id", ondelete="SET NULL"))
    proposed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Sealed text: why the proposer proposes that decision (kept with the decision once it is confirmed).
    proposal_reason: Mapped[bytes | None] = mapped_column(LargeBinary)
    decided_by: Mapped[str | None] = mapped_column(ID, ForeignKey("staff_account.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    person_told_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    person_told_by: Mapped[str | None] = mapped_column(ID, ForeignKey("staff_account.id", ondelete="SET NULL"))
