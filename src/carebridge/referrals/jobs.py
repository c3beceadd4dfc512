"""The referrals domain's job: `referrals.no-answer`, every hour.

It closes each requested referral nobody answered within `settings.referral_no_answer_days` (14 by default) as
rejected with the reason "no-answer", made by the system party, and tells the referrer (payload-free `notify.staff`,
reason "referral"). Idempotent: a closed referral is no longer requested, so a second run finds nothing to do.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from carebridge.jobs.service import Schedule, current_job
from carebridge.referrals import service


def close_unanswered(session: Session, _payload: dict[str, Any]) -> None:
    """The `referrals.no-answer` handler."""
    service.expire_unanswered(session, current_job(session).settings)


HANDLERS = {"referrals.no-answer": close_unanswered}

SCHEDULES = [Schedule("referrals.no-answer", every=dt.timedelta(hours=1))]
