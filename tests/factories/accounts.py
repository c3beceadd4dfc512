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


# Second factor and signing in (accounts.totp, accounts.pages).

# What a browser on this site sends with a form: the site's own Origin (accounts.csrf checks it).
SAME_ORIGIN = {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"}


def enrol(session: Session, account_: StaffAccount, *, secret: str = TOTP_SECRET, settings=None) -> StaffAccount:  # noqa: ANN001
    """Give the account a confirmed TOTP second factor with `secret` (as if it had scanned the QR code)."""
    from carebridge.accounts import totp
    from carebridge.config import get_settings
    from carebridge.kit import clock

    totp.store_secret(settings or get_settings(), account_, secret)
    account_.totp_confirmed_at = clock.utc_now()
    session.flush()
    return account_


def enrolled_account(session: Session, **kwargs) -> StaffAccount:  # noqa: ANN003
    """An account (as `account`) with a confirmed second factor using TOTP_SECRET."""
    return enrol(session, account(session, **kwargs))


def totp_code(secret: str = TOTP_SECRET, step_offset: int = 0) -> str:
    """The code an authenticator app with `secret` shows now (kit.clock's now), or `step_offset` steps away."""
    import pyotp

    from carebridge.kit import clock

    return pyotp.TOTP(secret).at(clock.utc_now().timestamp() + 30 * step_offset)


def form_token(page_html: str) -> str:
    """The csrf_token hidden field of the (first) form on a page."""
    import re

    match = re.search(r'name="csrf_token" value="([^"]+)"', page_html)
    assert match, "the page has no form token"
    return match.group(1)


def sign_in(client, email: str, *, password: str = PASSWORD, code: str | None = None):  # noqa: ANN001, ANN201
    """Sign in through the pages with a TestClient: the password form, then the code form when the account has a
    second factor (`code`, default the current TOTP code). Returns the last response (not followed)."""
    page = client.get("/staff/sign-in")
    response = client.post(
        "/staff/sign-in",
        data={"email": email, "password": password, "csrf_token": form_token(page.text)},
        headers=SAME_ORIGIN,
        follow_redirects=False,
    )
    if response.status_code != 303 or not response.headers["location"].startswith("/staff/sign-in/code"):
        return response
    page = client.get(response.headers["location"])
    return client.post(
        "/staff/sign-in/code",
        data={"code": code or totp_code(), "csrf_token": form_token(page.text)},
        headers=SAME_ORIGIN,
        follow_redirects=False,
    )
