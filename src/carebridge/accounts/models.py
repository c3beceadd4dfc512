"""Staff organisations, teams and accounts; their sessions, second factors, sign-in attempts and break-the-glass
grants. No table here holds a migrant's data: these are the people who work with them.

Relationships are `lazy="raise"`: every query says what it loads.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from carebridge.db import Base, UTCDateTime, new_id

ID = String(36)


class Organisation(Base):
    """A staff organisation (a charity, a clinic, a council team). It may be the same body as a directory
    `organization` (HSDS), so that referrals can reach it later: the link is by HSDS id, without a foreign key,
    because a directory import may replace its organisations wholesale."""

    __tablename__ = "staff_organisation"

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    directory_organization_id: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    teams: Mapped[list[Team]] = relationship(back_populates="organisation", lazy="raise", order_by="Team.name")


class Team(Base):
    __tablename__ = "staff_team"
    __table_args__ = (UniqueConstraint("organisation_id", "name", name="uq_staff_team_organisation_id_name"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    organisation_id: Mapped[str] = mapped_column(ID, ForeignKey("staff_organisation.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation] = relationship(back_populates="teams", lazy="raise")


class StaffAccount(Base):
    __tablename__ = "staff_account"

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    # Stored as typed, compared through `email_key` (NFKC + casefold), which is unique.
    email: Mapped[str] = mapped_column(String(320))
    email_key: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # BCP 47 tags, space-separated ("ar fa-AF ps").
    languages: Mapped[str] = mapped_column(String(200), default="")
    organisation_id: Mapped[str] = mapped_column(ID, ForeignKey("staff_organisation.id"), index=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Made by `carebridge demo load`; the server refuses to start with CAREBRIDGE_DEMO=false while any exists.
    demo: Mapped[bool] = mapped_column(Boolean, default=False)
    # TOTP: the secret (encrypted by accounts.secrets), when enrolment was confirmed, the last time step accepted
    # (a code is never accepted twice).
    totp_secret: Mapped[bytes | None] = mapped_column(LargeBinary)
    totp_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation] = relationship(lazy="raise")
    roles: Mapped[list[StaffRole]] = relationship(lazy="raise", cascade="all, delete-orphan")
    memberships: Mapped[list[TeamMembership]] = relationship(lazy="raise", cascade="all, delete-orphan")


class StaffRole(Base):
    __tablename__ = "staff_role"

    account_id: Mapped[str] = mapped_column(ID, ForeignKey("staff_account.id", ondelete="CASCADE"), primary_key=True)
    # One of accounts.permissions.ROLES.
    role: Mapped[str] = mapped_column(String(32), primary_key=True)


class TeamMembership(Base):
    __tablename__ = "staff_team_membership"

    account_id: Mapped[str] = mapped_column(ID, ForeignKey("staff_account.id", ondelete="CASCADE"), primary_key=True)
    team_id: Mapped[str] = mapped_column(ID, ForeignKey("staff_team.id", ondelete="CASCADE"), primary_key=True, index=True)


class StaffSession(Base):
    """A signed-in browser. The cookie holds a random token; only its SHA-256 is stored here, so a copy of the
    database cannot be used to sign in."""

    __tablename__ = "staff_session"

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    account_id: Mapped[str] = mapped_column(ID, ForeignKey("staff_account.id", ondelete="CASCADE"), index=True)
    # Per-session secret behind the forms' CSRF tokens.
    csrf_secret: Mapped[bytes] = mapped_column(LargeBinary(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When the second factor was passed in this session; None = password only (may only finish signing in).
    second_factor_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # signed-out, signed-out-everywhere, idle, expired, disabled, roles-changed, replaced (new id at a step up)
    end_reason: Mapped[str | None] = mapped_column(String(32))


class RecoveryCode(Base):
    """Ten single-use codes for a lost phone, stored hashed."""

    __tablename__ = "staff_recovery_code"

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    account_id: Mapped[str] = mapped_column(ID, ForeignKey("staff_account.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(200))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SignInAttempt(Base):
    """Failed (and successful) sign-ins, by account key and by network address key (both hashed: the table says
    how often, not who), for the growing delays."""

    __tablename__ = "staff_sign_in_attempt"
    __table_args__ = (
        Index("ix_staff_sign_in_attempt_email_key_at", "email_key", "at"),
        Index("ix_staff_sign_in_attempt_address_key_at", "address_key", "at"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    email_key: Mapped[str] = mapped_column(String(64))
    address_key: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    succeeded: Mapped[bool] = mapped_column(Boolean, default=False)


class BreakGlassGrant(Base):
    """Access to one record outside the actor's scope, with the reason given, for a limited time. Shown to the
    actor's service manager."""

    __tablename__ = "staff_break_glass_grant"

    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    account_id: Mapped[str] = mapped_column(ID, ForeignKey("staff_account.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[str] = mapped_column(ID, ForeignKey("staff_organisation.id"), index=True)
    record_type: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
