"""Staff organisations, teams and accounts for tests, made through accounts.service."""

from __future__ import annotations

import itertools

from sqlalchemy.orm import Session

from carebridge.accounts import service
from carebridge.accounts.models import Organisation, StaffAccount, Team

# A password that meets the policy; every factory account has it unless told otherwise.
PASSWORD = "correct horse battery staple"
# The TOTP secret test accounts enrol with (base32), so that tests can compute codes with pyotp.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

_numbers = itertools.count(1)


def organisation(session: Session, name: str | None = None) -> Organisation:
    return service.create_organisation(session, name or f"Test organisation {next(_numbers)}")


def team(session: Session, organisation_: Organisation, name: str | None = None) -> Team:
    return service.create_team(session, organisation_, name or f"Team {next(_numbers)}")


def account(
    session: Session,
    *,
    roles: tuple[str, ...] = ("link-worker",),
    organisation_: Organisation | None = None,
    teams: tuple[Team, ...] = (),
    email: str | None = None,
    name: str = "Sam Tester",
    password: str = PASSWORD,
) -> StaffAccount:
    number = next(_numbers)
    return service.create_account(
        session,
        email=email or f"staff{number}@example.org",
        name=name,
        organisation=organisation_ or organisation(session),
        roles=roles,
        password=password,
        teams=teams,
    )


def actor_for(account_: StaffAccount):  # noqa: ANN201 - an accounts.access.Actor
    """The Actor of an account just made (its roles and teams read back from the database)."""
    from sqlalchemy import select
    from sqlalchemy.orm import object_session, selectinload

    session = object_session(account_)
    session.flush()
    loaded = session.scalar(
        select(StaffAccount)
        .where(StaffAccount.id == account_.id)
        .options(selectinload(StaffAccount.roles), selectinload(StaffAccount.memberships))
        .execution_options(populate_existing=True)
    )
    return service.actor_for(loaded)


def staff_session(session: Session, account_: StaffAccount):  # noqa: ANN201 - a StaffSession
    """An open signed-in session row for the account (what sign-in makes), to see it end."""
    import os

    from carebridge.accounts.models import StaffSession
    from carebridge.kit import clock

    row = StaffSession(
        token_hash=os.urandom(32),
        account_id=account_.id,
        csrf_secret=os.urandom(32),
        created_at=clock.now(),
        last_seen_at=clock.now(),
        second_factor_at=clock.now(),
    )
    session.add(row)
    session.flush()
    return row
