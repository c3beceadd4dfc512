"""Referrals and their history.

A referral goes from a person's record to a service in the directory (an HSDS service_at_location). The directory
can be re-imported, so the referral keeps the ids it was sent to and the names at the time (public directory data, in
clear) rather than a foreign key. When the directory organisation is linked to a staff organisation
(staff_organisation.directory_organization_id) the referral lands in that organisation's inbox
(`receiving_organisation_id`); otherwise the referrer tracks it.

What the receiver may see is chosen by the referrer from a short list and copied, sealed with the person's data key,
into `shared` at the moment of sending (minimum necessary; erasing the person shreds it with the rest). `shared_fields`
names the chosen items in clear so that the pages and reports know what was shared without opening anything.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from carebridge.db import Base, UTCDateTime, new_id

ID = String(36)


class Referral(Base):
    __tablename__ = "referral"
    __table_args__ = (
        # The receiving organisation's inbox, and the no-answer job (status = requested, oldest first).
        Index("ix_referral_receiving_organisation_id_status_requested_at", "receiving_organisation_id", "status", "requested_at"),
        Index("ix_referral_referring_organisation_id_status", "referring_organisation_id", "status"),
        Index("ix_referral_status_requested_at", "status", "requested_at"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    # referral | social-prescribing
    kind: Mapped[str] = mapped_column(String(24), default="referral")
    client_id: Mapped[str] = mapped_column(ID, ForeignKey("client.id", ondelete="CASCADE"), index=True)
    referring_organisation_id: Mapped[str] = mapped_column(ID, ForeignKey("staff_organisation.id"))
    referring_team_id: Mapped[str | None] = mapped_column(ID, ForeignKey("staff_team.id", ondelete="SET NULL"))
    referred_by: Mapped[str | None] = mapped_column(ID, ForeignKey("staff_account.id", ondelete="SET NULL"))
    # The directory's ids (no foreign key: the directory can be re-imported) and names at the time.
    service_at_location_id: Mapped[str] = mapped_column(String(64))
    service_id: Mapped[str] = mapped_column(String(64))
    directory_organization_id: Mapped[str | None] = mapped_column(String(64), index=True)
    service_name: Mapped[str] = mapped_column(Text, default="")
    organization_name: Mapped[str] = mapped_column(Text, default="")
    # The staff organisation that receives it in Carebridge; None: the referrer tracks it (phone, letter).
    receiving_organisation_id: Mapped[str | None] = mapped_column(ID, ForeignKey("staff_organisation.id"))
    # states.State
    status: Mapped[str] = mapped_column(String(24), default="draft")
    # routine | urgent
    priority: Mapped[str] = mapped_column(String(16), default="routine")
    # states.REASONS code of the last move that needed one; its words (for "other") are in `details`.
    status_reason: Mapped[str | None] = mapped_column(String(32))
    # Clear list of the shared items' names, comma-separated (referrals.service.SHAREABLE).
    shared_fields: Mapped[str] = mapped_column(String(200), default="")
    # Sealed JSON: the items the receiver sees (name to use, languages and interpreter need, reason, contact route,
    # immigration situation when the service's eligibility needs it and the person agreed).
    shared: Mapped[bytes | None] = mapped_column(LargeBinary)
    # Sealed JSON, the referrer's side only: note for the person's printout (what to bring), reason words, etc.
    details: Mapped[bytes | None] = mapped_column(LargeBinary)
    # Sealed: what was done (the receiver's outcome when completed): closes the loop on the referrer's page.
    outcome: Mapped[bytes | None] = mapped_column(LargeBinary)
    # The person must not be contacted (do not contact): passed on to the receiver and obeyed (Gravity's
    # contacting-subject-prohibited). Copied when sent and kept in step with the record.
    contact_prohibited: Mapped[bool] = mapped_column(Boolean, default=False)
    # The share consent it went under; None with consent_override (a safeguarding emergency, with a sealed reason).
    consent_id: Mapped[str | None] = mapped_column(ID)
    consent_override: Mapped[bool] = mapped_column(Boolean, default=False)
    override_reason: Mapped[bytes | None] = mapped_column(LargeBinary)
    # The service manager saw the override (their list shows the ones not yet seen).
    override_seen_by: Mapped[str | None] = mapped_column(ID, ForeignKey("staff_account.id", ondelete="SET NULL"))
    override_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Optimistic concurrency: a move names the version it saw; a stale one is refused (409).
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Made by `carebridge demo load`.
    fictional: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The receiver's first answer (accepted or rejected): time to acceptance.
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ReferralEvent(Base):
    """One move of a referral: who (party and account), from which state to which, when, and the reason code."""

    __tablename__ = "referral_event"
    __table_args__ = (Index("ix_referral_event_referral_id_at", "referral_id", "at"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    referral_id: Mapped[str] = mapped_column(ID, ForeignKey("referral.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    # states.Party
    party: Mapped[str] = mapped_column(String(16))
    account_id: Mapped[str | None] = mapped_column(ID, ForeignKey("staff_account.id", ondelete="SET NULL"))
    from_status: Mapped[str | None] = mapped_column(String(24))
    to_status: Mapped[str] = mapped_column(String(24))
    reason: Mapped[str | None] = mapped_column(String(32))
    # Sealed with the person's key: the words given with the move.
    note: Mapped[bytes | None] = mapped_column(LargeBinary)
