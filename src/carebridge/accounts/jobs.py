"""The accounts domain's own job: forgetting what sign-in no longer needs, every night.

- Sessions that ended, or that nobody used, more than `KEEP_SESSIONS` ago: no request can use them again (the idle
  and absolute limits are hours), and the staff member's "your sessions" page shows only open ones. Who signed in and
  out stays in the audit trail, which is never purged here.
- Sign-in attempts older than the throttle needs (`throttle.KEEP`): they only count recent failures. Until now they
  were pruned only for an account that signed in again.

Idempotent by nature: running it twice deletes nothing more.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, or_
from sqlalchemy.orm import Session

from carebridge.accounts import throttle
from carebridge.accounts.models import SignInAttempt, StaffSession
from carebridge.jobs.service import Schedule
from carebridge.kit import clock

KEEP_SESSIONS = dt.timedelta(days=30)


def purge_sign_in_records(session: Session, _payload: dict[str, Any]) -> None:
    """The `accounts.purge` handler."""
    now = clock.utc_now()
    session.execute(
        delete(StaffSession).where(
            or_(StaffSession.ended_at < now - KEEP_SESSIONS, StaffSession.last_seen_at < now - KEEP_SESSIONS)
        )
    )
    session.execute(delete(SignInAttempt).where(SignInAttempt.at < now - throttle.KEEP))


HANDLERS = {"accounts.purge": purge_sign_in_records}

SCHEDULES = [Schedule("accounts.purge", daily_at=dt.time(3, 45))]
