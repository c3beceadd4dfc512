"""The risk domain's job: `risk.escalate`, every five minutes.

It escalates each open flag past its deadline (risk.service.escalate_due): escalated_at set, audited
`risk.escalate`, the organisation's service managers told by a payload-free `notify.staff` ("risk-flag").
Idempotent: a flag escalates once; a second run finds nothing to do.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from carebridge.jobs.service import Schedule, current_job
from carebridge.risk import service


def escalate(session: Session, _payload: dict[str, Any]) -> None:
    """The `risk.escalate` handler."""
    service.escalate_due(session, current_job(session).settings)


HANDLERS = {"risk.escalate": escalate}

SCHEDULES = [Schedule("risk.escalate", every=dt.timedelta(minutes=5))]
