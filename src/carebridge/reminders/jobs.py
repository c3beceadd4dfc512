"""The reminders domain's jobs: `reminders.scan` every five minutes enqueues one `reminders.send` per due reminder
(payload: the reminder's id only) and records reminders whose send job died as not sent; `reminders.send` sends one
(reminders.service.send, which checks consent and do-not-contact again at that moment)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from carebridge.jobs.service import Schedule, current_job
from carebridge.reminders.service import SCAN_KIND, SEND_KIND, enqueue_due, send


def scan(session: Session, _payload: dict[str, Any]) -> None:
    """The `reminders.scan` handler."""
    enqueue_due(session, current_job(session).settings)


HANDLERS = {SCAN_KIND: scan, SEND_KIND: send}

SCHEDULES = [Schedule(SCAN_KIND, every=dt.timedelta(minutes=5))]
