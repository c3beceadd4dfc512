"""Enqueueing jobs, the schedules domains declare, and what a running handler may ask about its job.

A job is a row added in the caller's transaction: if that transaction rolls back the job never existed, and a worker
sees it only once it commits. Handlers (`HANDLERS` in a domain's jobs module, listed in carebridge/domains.py) are
called as `handler(session, payload)` inside their own unit of work; the worker marks the job done in that same
transaction, so the handler's writes and "done" commit together or not at all.

Delivery is at least once: a worker that crashes after a handler's side effect outside the database (an e-mail went
out) but before the commit leaves the job to be run again. So every handler must be idempotent — do nothing the
second time when what it does is already done (see notifications.service for how a notification dedupes).
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from carebridge.db import is_postgresql, new_id
from carebridge.jobs.models import Job
from carebridge.kit import clock

if TYPE_CHECKING:
    from carebridge.config import Settings

KIND = re.compile(r"[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+")
DEFAULT_MAX_ATTEMPTS = 5
# Retries wait 30 s, 2 min, 8 min, 32 min, ~2 h, then at most 6 h, each plus up to a quarter more at random (so that
# jobs that failed together do not all retry in the same second).
FIRST_RETRY = dt.timedelta(seconds=30)
RETRY_FACTOR = 4
LONGEST_RETRY = dt.timedelta(hours=6)


class PermanentError(Exception):
    """Raised by a handler for a job that can never succeed (a malformed payload): no retry, straight to dead.
    Its `code` (a short word) is recorded; its message, like any exception's, is not."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def enqueue(
    session: Session,
    kind: str,
    payload: dict[str, Any] | None = None,
    *,
    run_at: dt.datetime | None = None,
    idempotency_key: str | None = None,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
) -> str | None:
    """Add a job in the caller's transaction: it runs (once, after run_at if given) only if that transaction commits.
    The payload is JSON and carries ids, never personal data. With an `idempotency_key` already used by another job,
    nothing is added and None is returned; otherwise the new job's id."""
    if not KIND.fullmatch(kind) or len(kind) > 64:
        raise ValueError("a job kind is a dotted lower-case name such as notify.staff")
    payload = dict(payload or {})
    json.dumps(payload)  # a payload that cannot be stored fails here, in the caller, not in the worker
    if run_at is not None and run_at.tzinfo is None:
        raise ValueError("run_at must be an aware datetime")
    now = clock.utc_now()
    values = {
        "id": new_id(),
        "kind": kind,
        "payload": payload,
        "state": "queued",
        "attempts": 0,
        "max_attempts": max_attempts,
        "run_at": run_at or now,
        "idempotency_key": idempotency_key,
        "created_at": now,
    }
    if idempotency_key is None:
        session.add(Job(**values))
        session.flush()
        return values["id"]
    dialect_insert = postgresql.insert if is_postgresql(session) else sqlite.insert
    table = Job.__table__
    statement = (
        dialect_insert(table)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(table.c.id)
    )
    return session.execute(statement).scalar()


@dataclass(frozen=True)
class JobContext:
    """What the worker tells a handler about the job it runs, in `session.info["job"]`."""

    id: str
    kind: str
    attempt: int
    settings: Settings


def current_job(session: Session) -> JobContext:
    """The job a handler is running (the worker puts it on the handler's session)."""
    try:
        return session.info["job"]
    except KeyError:
        raise RuntimeError("current_job() is only available inside a job handler run by the worker") from None


def retry_delay(attempts: int, rng: random.Random | None = None) -> dt.timedelta:
    """How long to wait before attempt number `attempts + 1`, after `attempts` failures (1, 2, …)."""
    base = min(LONGEST_RETRY, FIRST_RETRY * RETRY_FACTOR ** max(0, attempts - 1))
    return base * (1 + (rng or random).random() / 4)


def error_code(error: BaseException) -> str:
    """The exception's type and a short code (an SMTP reply code, an HTTP status, an errno, a PermanentError's
    code), never its message."""
    code = getattr(error, "code", None)
    for attribute in ("smtp_code", "status_code", "errno"):
        code = code if code is not None else getattr(error, attribute, None)
    name = type(error).__name__
    if isinstance(code, (int, str)) and re.fullmatch(r"[A-Za-z0-9_.-]{1,24}", str(code)):
        return f"{name}:{code}"[:100]
    return name[:100]


@dataclass(frozen=True)
class Schedule:
    """A recurring job a domain declares in its jobs module (`SCHEDULES = [Schedule(...)]`): every day at a time
    of the deployment's zone (`daily_at`), or at a fixed interval from midnight of the deployment's zone (`every`).
    The worker keeps exactly one future occurrence enqueued, keyed so that several workers add it once."""

    kind: str
    daily_at: dt.time | None = None
    every: dt.timedelta | None = None
    payload: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if (self.daily_at is None) == (self.every is None):
            raise ValueError("a schedule runs either daily_at a time or every interval")
        if self.every is not None and self.every < dt.timedelta(minutes=1):
            raise ValueError("a schedule runs at most once a minute")

    def next_after(self, moment: dt.datetime) -> dt.datetime:
        """The first occurrence strictly after `moment` (aware), as an aware UTC moment."""
        local = moment.astimezone(clock.now().tzinfo)
        zone = local.tzinfo
        if self.daily_at is not None:
            day = local.date()
            while True:
                candidate = dt.datetime.combine(day, self.daily_at, tzinfo=zone)
                if candidate > local:
                    return candidate.astimezone(dt.UTC)
                day += dt.timedelta(days=1)
        assert self.every is not None
        midnight = dt.datetime.combine(local.date(), dt.time(0), tzinfo=zone).astimezone(dt.UTC)
        elapsed = moment.astimezone(dt.UTC) - midnight
        steps = elapsed // self.every + 1
        return midnight + self.every * steps

    def key(self, occurrence: dt.datetime) -> str:
        return f"schedule:{self.kind}:{occurrence.astimezone(dt.UTC).isoformat()}"


def enqueue_next_occurrences(session: Session, schedules: list[Schedule]) -> int:
    """Make sure each schedule's next occurrence is enqueued (idempotent: its key is unique). Returns how many were
    added."""
    now = clock.utc_now()
    added = 0
    for schedule in schedules:
        occurrence = schedule.next_after(now)
        key = schedule.key(occurrence)
        # Looked up first: usually it is there, and a read takes no write lock (SQLite) and burns no sequence.
        if session.scalar(select(Job.id).where(Job.idempotency_key == key)) is not None:
            continue
        if enqueue(session, schedule.kind, schedule.payload, run_at=occurrence, idempotency_key=key):
            added += 1
    return added


# Finished jobs are kept this long (for a person checking what ran), dead ones longer (to look into the failure).
KEEP_DONE = dt.timedelta(days=7)
KEEP_DEAD = dt.timedelta(days=90)


def purge_finished(session: Session, _payload: dict[str, Any]) -> None:
    """The `jobs.purge` handler: forget done and dead jobs past their keeping time (idempotent by nature)."""
    now = clock.utc_now()
    session.execute(delete(Job).where(Job.state == "done", Job.finished_at < now - KEEP_DONE))
    session.execute(delete(Job).where(Job.state == "dead", Job.finished_at < now - KEEP_DEAD))


def requeue_dead(session: Session, kind: str | None = None) -> int:
    """Give dead jobs (of one kind, or all) a fresh set of attempts, due now — once their cause is fixed (an SMTP
    password corrected). Returns how many."""
    statement = (
        update(Job)
        .where(Job.state == "dead")
        .values(state="queued", attempts=0, run_at=clock.utc_now(), finished_at=None)
        .execution_options(synchronize_session=False)
    )
    if kind is not None:
        statement = statement.where(Job.kind == kind)
    return session.execute(statement).rowcount
