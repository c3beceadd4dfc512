"""The rights domain's job: retention, every night.

`rights.retention` erases closed records whose erase_after has passed (crypto-shredding, as the system: audited
`client.erase` with no account) and warns each caseworker, once per record, settings.client_retention_warning_days
before (a `notify.staff` job with the reason "retention-warning": no name, no id in the message). Idempotent: a second
run finds nothing left to do.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from carebridge.jobs.service import Schedule, current_job
from carebridge.rights import service


def retention(session: Session, _payload: dict[str, Any]) -> None:
    """The `rights.retention` handler."""
    service.apply_retention(session, current_job(session).settings)


HANDLERS = {"rights.retention": retention}

# After the night's purges, before the working day.
SCHEDULES = [Schedule("rights.retention", daily_at=dt.time(4, 15))]
