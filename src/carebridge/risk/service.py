"""Risk flags: raising one (any worker; a PHQ-9 item 9 answer above 0 raises one by itself), answering and closing
it (a clinician, with an outcome), escalating one still open at its deadline (the service manager).

The contract other domains use is `raise_flag`; screening calls it for an item-9 answer, social prescribing (issue 11)
for a safeguarding concern. This first version stores and audits the flag; the risk work adds who is on duty, the
notification and the escalation.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from carebridge.accounts.access import Actor
from carebridge.audit import service as audit
from carebridge.clients import service as clients
from carebridge.clients.models import Client
from carebridge.config import Settings
from carebridge.keys import service as keys
from carebridge.kit import clock
from carebridge.risk.models import RiskFlag

SOURCES = ("screening", "worker", "safeguarding")
OUTCOMES = ("risk-assessed", "plan-made", "referred-on")


def due_at(settings: Settings, raised_at: dt.datetime) -> dt.datetime:
    """The end of the day the flag was raised (the deployment's time zone), and never less than
    settings.risk_min_response_hours after it was raised."""
    zone = ZoneInfo(settings.timezone)
    local = raised_at.astimezone(zone)
    end_of_day = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(0, 0), tzinfo=zone)
    return max(end_of_day, raised_at + dt.timedelta(hours=settings.risk_min_response_hours)).astimezone(dt.UTC)


def raise_flag(
    session: Session,
    settings: Settings,
    *,
    client: Client,
    source: str,
    actor: Actor | None = None,
    screening_id: str | None = None,
    seen: str | None = None,
    done: str | None = None,
) -> RiskFlag:
    """Raise a flag on `client` in the caller's transaction. `actor` is None when the person raised it themselves
    (an item-9 answer on a self-screening link). Permission checks are the caller's (risk.raise for a worker's flag;
    screening.administer or a valid link for a screening's)."""
    if source not in SOURCES:
        raise ValueError(f"risk flag source must be one of {SOURCES}")
    now = clock.utc_now()
    flag = RiskFlag(
        client_id=client.id,
        organisation_id=client.organisation_id,
        source=source,
        screening_id=screening_id,
        raised_by=actor.account_id if actor else None,
        raised_at=now,
        due_at=due_at(settings, now),
        status="open",
    )
    session.add(flag)
    session.flush()
    if seen or done:
        key = keys.data_key(session, settings, clients.SUBJECT, client.id)
        flag.details = key.seal_json(RiskFlag.__tablename__, "details", flag.id, {"seen": seen or "", "done": done or ""})
    audit.record(
        session,
        f"risk.raise-{source}",
        actor=actor,
        organisation_id=client.organisation_id,
        record_type=clients.RECORD_TYPE,
        record_id=client.id,
    )
    return flag
