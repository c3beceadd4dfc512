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
