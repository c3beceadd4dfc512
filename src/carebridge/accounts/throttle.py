"""Growing delays after failed sign-ins (table `staff_sign_in_attempt`), never a hard lock.

A hard lock would let anyone lock a member of staff out by typing their e-mail address wrongly a few times; a delay
that grows only slows guessing down. Failures are counted

- per account: by a keyed hash of the e-mail address as typed (so an address with no account is counted exactly like
  one with: the answer never says which), over the last 15 minutes and since that account's last success;
- per network address: by a keyed hash of the address (the table holds no address), over the last 15 minutes. A
  success does not erase it. An address is slowed down only when it is clearly spraying: failures for at least
  `SPRAY_ACCOUNTS` different accounts in 15 minutes. A shelter or an office shares one address (so does everyone
  behind a proxy that does not forward addresses): one person's typos, or a few people's, must never keep the others
  out, so below that a correct password for an account that is not itself throttled is always let in. When an
  address is spraying, its wait grows from 1 s and is capped at `LONGEST_ADDRESS_WAIT` (5 minutes), shorter than an
  account's (ADR 0006);
- per account for second-factor codes (`code_key`), the same way as passwords.

After `free` failures, the next attempt must wait 2^(n - free) seconds after the latest failure, at most 15 minutes.
A refused attempt is not itself counted (it cannot make the wait longer). Keys are HMAC-SHA256 with a key derived
from the staff secret key, so the table cannot be matched against a list of addresses.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from carebridge.accounts.models import SignInAttempt
from carebridge.config import Settings
from carebridge.kit import clock

WINDOW = timedelta(minutes=15)
LONGEST_WAIT = timedelta(minutes=15)
FREE_PER_ACCOUNT = 5
# An address is throttled only once it has failed for this many different accounts (e-mail keys) in WINDOW.
SPRAY_ACCOUNTS = 50
LONGEST_ADDRESS_WAIT = timedelta(minutes=5)
# Rows older than this are of no use to the counts and are removed as new ones come.
KEEP = timedelta(days=1)


def _key(settings: Settings, kind: str, value: str) -> str:
    from carebridge.accounts import secrets as staff_secrets

    secret = staff_secrets.derived_key(settings, "sign-in-throttle")
    return hmac.new(secret, f"{kind}\x1f{value}".encode(), hashlib.sha256).hexdigest()


def account_key(settings: Settings, email_key: str) -> str:
    return _key(settings, "account", email_key)


def code_key(settings: Settings, account_id: str) -> str:
    return _key(settings, "code", account_id)


def address_key(settings: Settings, address: str | None) -> str:
    return _key(settings, "address", address or "unknown")


def wait_for(
    failures: int, latest: datetime | None, free: int, moment: datetime, longest: timedelta = LONGEST_WAIT
) -> timedelta:
    """How much longer the next attempt must wait, given the failures counted and the latest one."""
    if failures < free or latest is None:
        return timedelta(0)
    delay = min(timedelta(seconds=2 ** min(failures - free, 20)), longest)
    return max(latest + delay - moment, timedelta(0))


def _failures(session: Session, column, key: str, since: datetime) -> tuple[int, datetime | None]:  # noqa: ANN001
    count, latest = session.execute(
        select(func.count(), func.max(SignInAttempt.at)).where(
            column == key, SignInAttempt.at > since, SignInAttempt.succeeded.is_(False)
        )
    ).one()
    return count, latest


@dataclass(frozen=True)
class Keys:
    account: str
    address: str


def wait(session: Session, keys: Keys) -> timedelta:
    """How long this account key and address must still wait (zero: they may try now)."""
    moment = clock.utc_now()
    since = moment - WINDOW
    last_success = session.scalar(
        select(func.max(SignInAttempt.at)).where(
            SignInAttempt.email_key == keys.account, SignInAttempt.succeeded.is_(True), SignInAttempt.at > since
        )
    )
    account_failures, account_latest = _failures(session, SignInAttempt.email_key, keys.account, last_success or since)
    return max(wait_for(account_failures, account_latest, FREE_PER_ACCOUNT, moment), address_wait(session, keys, moment))


def address_wait(session: Session, keys: Keys, moment: datetime) -> timedelta:
    """The address's own wait: zero unless it failed for SPRAY_ACCOUNTS different accounts in the window."""
    accounts, failures, latest = session.execute(
        select(func.count(func.distinct(SignInAttempt.email_key)), func.count(), func.max(SignInAttempt.at)).where(
            SignInAttempt.address_key == keys.address,
            SignInAttempt.at > moment - WINDOW,
            SignInAttempt.succeeded.is_(False),
        )
    ).one()
    if accounts < SPRAY_ACCOUNTS:
        return timedelta(0)
    return wait_for(failures, latest, SPRAY_ACCOUNTS, moment, LONGEST_ADDRESS_WAIT)


def record(session: Session, keys: Keys, *, succeeded: bool) -> None:
    moment = clock.utc_now()
    session.execute(
        delete(SignInAttempt).where(SignInAttempt.email_key == keys.account, SignInAttempt.at < moment - KEEP)
    )
    session.add(SignInAttempt(email_key=keys.account, address_key=keys.address, at=moment, succeeded=succeeded))
    session.flush()


def minutes(wait: timedelta) -> int:
    """A wait as whole minutes for the message ("Try again in N minutes"), at least one."""
    return max(1, math.ceil(wait.total_seconds() / 60))
