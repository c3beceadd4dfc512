"""The worker: claims due jobs and runs each in its own unit of work.

Claiming is one conditional UPDATE … RETURNING of a due job's row (state queued or failed with run_at passed, or
running with a lock older than `stuck_after`, left by a crashed worker):

- on PostgreSQL the job is chosen with SELECT … FOR UPDATE SKIP LOCKED, so several workers (processes, or threads
  with --concurrency) claim different jobs side by side without waiting on each other;
- on SQLite, SQLAlchemy silently drops FOR UPDATE, and SQLite has one writer at a time anyway: run one worker. A
  second one is harmless, not faster: the UPDATE re-checks the state in its WHERE and SQLite runs it atomically,
  so a job is claimed once; `--concurrency` above 1 is refused there. A read comes first, in its own transaction,
  so that an idle worker never asks for the write lock.

The handler then runs in its own transaction (`db.session_scope`), which first re-writes the job's row (still this
worker's? — if not, it was recovered from a worker thought dead, and nothing runs); the job is marked done in that
same transaction. If the handler raises, its work is rolled back and, in a new transaction, the job is scheduled for a retry with
exponential back-off and jitter, or marked dead after its last attempt (logged as an error). Only the exception's
type and a short code are kept and logged, never its message.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from carebridge.config import Settings
from carebridge.db import is_postgresql, session_scope
from carebridge.jobs.models import Job
from carebridge.jobs.service import (
    JobContext,
    PermanentError,
    Schedule,
    enqueue_next_occurrences,
    error_code,
    retry_delay,
)
from carebridge.kit import clock

log = logging.getLogger("carebridge.jobs")

Handler = Callable[[Session, dict[str, Any]], None]


class UnknownJobKind(Exception):
    """No domain handles this kind (a typo, or a domain removed): retrying cannot help."""


class OutOfAttempts(Exception):
    """Claimed again (its worker crashed) after its last attempt: it has had its chances."""


class LostLock(Exception):
    """The job was taken over (this worker was thought dead) before it finished: its work is rolled back."""


@dataclass(frozen=True)
class Claimed:
    id: str
    kind: str
    payload: dict[str, Any]
    attempts: int
    max_attempts: int


def worker_name() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass
class Worker:
    session_factory: sessionmaker[Session]
    settings: Settings
    handlers: dict[str, Handler]
    schedules: list[Schedule] = field(default_factory=list)
    name: str = field(default_factory=worker_name)
    stop: threading.Event = field(default_factory=threading.Event)

    @property
    def stuck_after(self) -> dt.timedelta:
        return dt.timedelta(seconds=self.settings.job_stuck_seconds)

    # The loop ------------------------------------------------------------------------------------------------

    def run_once(self) -> int:
        """Enqueue the schedules' next occurrences, then run due jobs until none is left (or a stop is asked).
        Returns how many jobs were run."""
        if self.schedules:
            with session_scope(self.session_factory) as session:
                enqueue_next_occurrences(session, self.schedules)
        ran = 0
        while not self.stop.is_set():
            claimed = self.claim()
            if claimed is None:
                break
            self.run(claimed)
            ran += 1
        return ran

    def run_forever(self) -> None:
        log.info("worker %s started", self.name)
        while not self.stop.is_set():
            try:
                self.run_once()
            except Exception as error:  # noqa: BLE001 - the database may be away for a moment: wait and try again
                log.error("worker %s: %s while looking for jobs", self.name, error_code(error))
            self.stop.wait(self.settings.worker_poll_seconds)
        log.info("worker %s stopped", self.name)

    # Claiming ------------------------------------------------------------------------------------------------

    def _due(self, now: dt.datetime) -> Any:
        return or_(
            and_(Job.state.in_(("queued", "failed")), Job.run_at <= now),
            and_(Job.state == "running", Job.locked_at < now - self.stuck_after),
        )

    def claim(self) -> Claimed | None:
        """Take one due job (the earliest) for this worker, in a transaction of its own, and return it."""
        now = clock.utc_now()
        table = Job.__table__
        with session_scope(self.session_factory) as session:
            candidate = select(table.c.id).where(self._due(now)).order_by(table.c.run_at, table.c.created_at).limit(1)
            if is_postgresql(session):
                candidate = candidate.with_for_update(skip_locked=True)
            elif session.execute(candidate).first() is None:
                # On SQLite a read first: an idle worker then never asks for the write lock, so it never queues
                # behind the app's transactions (readers do not wait for a writer there). Ended before the
                # UPDATE, so that the UPDATE starts a fresh transaction and cannot meet an outdated snapshot.
                return None
            else:
                session.commit()
            statement = (
                update(table)
                .where(table.c.id == candidate.scalar_subquery(), self._due(now))
                .values(state="running", locked_by=self.name, locked_at=now, attempts=table.c.attempts + 1)
                .returning(table.c.id, table.c.kind, table.c.payload, table.c.attempts, table.c.max_attempts)
            )
            row = session.execute(statement).first()
        if row is None:
            return None
        return Claimed(row.id, row.kind, dict(row.payload or {}), row.attempts, row.max_attempts)

    # Running -------------------------------------------------------------------------------------------------

    def run(self, claimed: Claimed) -> None:
        handler = self.handlers.get(claimed.kind)
        try:
            if claimed.attempts > claimed.max_attempts:
                raise OutOfAttempts()
            with session_scope(self.session_factory) as session:
                if handler is None:
                    raise UnknownJobKind()
                # First a write: the job's own row, still ours? On PostgreSQL this locks the row for the handler's
                # whole run (another worker's SKIP LOCKED passes it by, even once it looks stuck); on SQLite it takes
                # the write lock at once (waiting its turn), so the handler's later writes cannot fail on a snapshot
                # that another writer outdated — after, say, an e-mail went out.
                self._finish(session, claimed, state="running", locked_by=self.name, locked_at=clock.utc_now())
                session.info["job"] = JobContext(claimed.id, claimed.kind, claimed.attempts, self.settings)
                handler(session, claimed.payload)
                self._finish(session, claimed, state="done", last_error=None)
        except Exception as error:  # noqa: BLE001 - any failure of a handler is a failed attempt
            self._failed(claimed, error)
        else:
            log.info("job %s (%s) done on attempt %d", claimed.id, claimed.kind, claimed.attempts)

    def _finish(self, session: Session, claimed: Claimed, **values: Any) -> None:
        table = Job.__table__
        now = clock.utc_now()
        if values.get("state") in ("done", "dead"):
            values["finished_at"] = now
        values = {"locked_by": None, "locked_at": None, **values}
        result = session.execute(
            update(table)
            .where(table.c.id == claimed.id, table.c.state == "running", table.c.locked_by == self.name)
            .values(**values)
        )
        if result.rowcount != 1:
            raise LostLock()

    def _failed(self, claimed: Claimed, error: Exception) -> None:
        code = error_code(error)
        permanent = isinstance(error, (PermanentError, UnknownJobKind, OutOfAttempts))
        try:
            with session_scope(self.session_factory) as session:
                if permanent or claimed.attempts >= claimed.max_attempts:
                    self._finish(session, claimed, state="dead", last_error=code)
                    log.error(
                        "job %s (%s) is dead after %d attempts: %s", claimed.id, claimed.kind, claimed.attempts, code
                    )
                else:
                    run_at = clock.utc_now() + retry_delay(claimed.attempts)
                    self._finish(session, claimed, state="failed", last_error=code, run_at=run_at)
                    log.warning(
                        "job %s (%s) failed on attempt %d: %s; retry at %s",
                        claimed.id, claimed.kind, claimed.attempts, code, run_at.isoformat(timespec="seconds"),
                    )
        except LostLock:
            log.warning("job %s (%s) was taken over by another worker: %s", claimed.id, claimed.kind, code)


def default_handlers() -> dict[str, Handler]:
    from carebridge import domains

    return domains.job_handlers()


def default_schedules() -> list[Schedule]:
    from carebridge import domains

    return domains.job_schedules()


def run_workers(
    session_factory: sessionmaker[Session], settings: Settings, *, concurrency: int = 1, once: bool = False
) -> int:
    """`carebridge worker`: `concurrency` worker threads (each with its own connections) until SIGTERM or SIGINT,
    which let the job in hand finish; with `once`, until no job is due. Returns how many jobs ran."""
    handlers, schedules = default_handlers(), default_schedules()
    stop = threading.Event()
    workers = [Worker(session_factory, settings, handlers, schedules, stop=stop) for _ in range(concurrency)]
    def on_signal(_number: int, _frame: Any) -> None:
        if stop.is_set():
            # A second signal: stop now. The job in hand stays `running` and is run again after job_stuck_seconds.
            log.warning("worker stopping at once; the job in hand will be run again later")
            raise SystemExit(1)
        log.info("worker stopping after the job in hand (signal again to stop at once)")
        stop.set()

    if threading.current_thread() is threading.main_thread():
        for signal_number in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signal_number, on_signal)
    counts = [0] * concurrency

    def work(index: int) -> None:
        if once:
            counts[index] = workers[index].run_once()
        else:
            workers[index].run_forever()

    # Daemon threads, so that a second signal ends the process even while a handler is stuck.
    threads = [
        threading.Thread(target=work, args=(index,), name=f"worker-{index}", daemon=True) for index in range(concurrency)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        while thread.is_alive():
            thread.join(0.2)  # a short join keeps the main thread free to receive the signal
    return sum(counts)
