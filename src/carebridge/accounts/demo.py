"""Demo staff accounts: one per role in the fictional "Fairhaven Community Health (demo)", so that `make run` shows
the staff side at once. Made by `carebridge demo load` only when CAREBRIDGE_DEMO=true; idempotent.

Every demo account has the same published password and the same published TOTP key (confirmed, so sign-in asks for
a code; `carebridge demo code` prints the current one for a tester without an authenticator app). They are public
knowledge (docs/demo-city.md): with CAREBRIDGE_DEMO=false the server refuses to start while any is active, and
`carebridge demo remove` disables them all (they are kept, disabled, because the audit trail refers to them).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from carebridge.accounts import service
from carebridge.accounts.models import Organisation, RecoveryCode, StaffAccount, Team
from carebridge.accounts.permissions import ROLES
from carebridge.kit import clock

ORGANISATION = "Fairhaven Community Health (demo)"
TEAMS = ("Harbourside team", "Outreach team")
EMAIL_DOMAIN = "demo.carebridge.example"
# Published in docs/demo-city.md and by `make run`. It meets the password policy (accounts.passwords).
PASSWORD = "harbour lights at dusk"
# The TOTP key every demo account shares (base32), published likewise.
TOTP_KEY = "FAIRHAVENDEMOKEYFAIRHAVENDEMOKEY"

# role -> (name, teams); fictional names, one per role.
ACCOUNTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "administrator": ("Alex Morgan (demo administrator)", ()),
    "service-manager": ("Samira Haddad (demo service manager)", ()),
    "link-worker": ("Lena Kovalenko (demo link worker)", ("Harbourside team",)),
    "outreach-worker": ("Omid Rahimi (demo outreach worker)", ("Outreach team",)),
    "cultural-mediator": ("Carmen Ruiz (demo cultural mediator)", ("Harbourside team",)),
    "peer-supporter": ("Pavlo Shevchenko (demo peer supporter)", ("Outreach team",)),
    "clinician": ("Dr Nadia Karimi (demo clinician)", ("Harbourside team", "Outreach team")),
    "receptionist": ("Rosa Bianchi (demo receptionist)", ()),
    "planner": ("Priya Nair (demo planner)", ()),
    "interpreter": ("Yusuf Demir (demo interpreter)", ()),
    "volunteer": ("Grace Okafor (demo volunteer)", ()),
}
LANGUAGES = {
    "link-worker": "uk ru",
    "outreach-worker": "fa ps",
    "cultural-mediator": "es ar",
    "peer-supporter": "uk",
    "clinician": "fa ar",
    "service-manager": "ar",
    "interpreter": "ar ku tr",
    "volunteer": "en ar",
}


def email_of(role: str) -> str:
    return f"{role}@{EMAIL_DOMAIN}"


def _store_totp_key(settings: Any, account: StaffAccount) -> None:
    """The shared key, confirmed. Stored through the sign-in work's encryption (accounts.totp.store_secret) when it
    is there; as plain bytes before it is merged."""
    try:
        from carebridge.accounts import totp
    except ImportError:  # before the sign-in work is merged
        account.totp_secret = TOTP_KEY.encode("ascii")
    else:
        totp.store_secret(settings, account, TOTP_KEY)
    account.totp_confirmed_at = clock.now()
    account.totp_last_step = None


def load_demo_accounts(session: Session, settings: Any) -> str:
    """Create what is missing of the demo organisation, teams and accounts; say what was done."""
    assert set(ACCOUNTS) == set(ROLES), "one demo account per role"
    organisation = session.scalar(select(Organisation).where(Organisation.name == ORGANISATION))
    if organisation is None:
        organisation = service.create_organisation(session, ORGANISATION)
    teams = {}
    for name in TEAMS:
        existing = session.scalar(
            select(Team).where(Team.organisation_id == organisation.id, Team.name == name)
        )
        teams[name] = existing or service.create_team(session, organisation, name)
    created = 0
    for role, (name, team_names) in ACCOUNTS.items():
        if service.account_by_email(session, email_of(role)) is not None:
            continue
        account = service.create_account(
            session,
            email=email_of(role),
            name=name,
            organisation=organisation,
            roles=[role],
            password=PASSWORD,
            languages=LANGUAGES.get(role, ""),
            teams=[teams[team] for team in team_names],
            demo=True,
        )
        _store_totp_key(settings, account)
        created += 1
    session.flush()
    if created == 0:
        return f"Demo staff accounts: all {len(ACCOUNTS)} already there."
    return f"Demo staff accounts: {created} created in {ORGANISATION!r}."


def active_demo_accounts(session: Session) -> int:
    return len(session.scalars(select(StaffAccount.id).where(StaffAccount.demo.is_(True), StaffAccount.active.is_(True))).all())


def remove_demo_accounts(session: Session) -> int:
    """Disable every active demo account, end its sessions and clear its second factor; how many were disabled."""
    from sqlalchemy import delete

    accounts = session.scalars(select(StaffAccount).where(StaffAccount.demo.is_(True), StaffAccount.active.is_(True))).all()
    for account in accounts:
        service.disable_account(session, None, account.id)
        account.totp_secret = None
        account.totp_confirmed_at = None
        session.execute(delete(RecoveryCode).where(RecoveryCode.account_id == account.id))
    session.flush()
    return len(accounts)


def current_code() -> str:
    """The demo key's TOTP code now (kit.clock's now, so tests can pin it)."""
    import pyotp

    return pyotp.TOTP(TOTP_KEY).at(clock.now())


def command() -> str:
    """How to call the `carebridge` command: from a checkout (`make run`) it is in .venv/bin, not on the PATH."""
    from carebridge.config import IN_CHECKOUT

    return ".venv/bin/carebridge" if IN_CHECKOUT else "carebridge"


def summary() -> str:
    """What `make run` prints after loading the demo: where to sign in, as whom, and how to get a code."""
    width = max(len(email_of(role)) for role in ACCOUNTS)
    lines = [
        "Demo staff accounts (FICTIONAL; CAREBRIDGE_DEMO=true) - sign in at /staff/sign-in:",
        *(f"  {email_of(role).ljust(width)}  {role}" for role in ACCOUNTS),
        f"  password for all: {PASSWORD}",
        f"  TOTP key for all (add it to an authenticator app): {TOTP_KEY}",
        f"  or run `{command()} demo code` for the current six-digit code.",
    ]
    return "\n".join(lines)
