"""The screening domain's job: `screening.links-expire`, every hour, deletes the self-screening links that expired
unused (screening.links.delete_expired). An expired link already opens nothing; this only stops keeping it.
Idempotent: a second run finds nothing left to do."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from sqlalchemy.orm import Session

from carebridge.jobs.service import Schedule
from carebridge.screening import links

log = logging.getLogger("carebridge.screening")


def links_expire(session: Session, _payload: dict[str, Any]) -> None:
    """The `screening.links-expire` handler."""
    deleted = links.delete_expired(session)
    if deleted:
        log.info("deleted %d expired self-screening links", deleted)


HANDLERS = {"screening.links-expire": links_expire}

SCHEDULES = [Schedule("screening.links-expire", every=dt.timedelta(hours=1))]
