"""The job table: work to do after a transaction commits, claimed by `carebridge worker`.

A row carries ids only (the payload is JSON, never personal data) and, on failure, the exception's type and a short
code (never its message: a message can quote personal data).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from carebridge.db import Base, UTCDateTime, new_id

# queued: waiting for run_at; running: claimed by a worker (locked_by, locked_at); done; failed: waiting for a
# retry at run_at; dead: out of attempts (dead-letter, kept for a person to look at).
STATES = ("queued", "running", "done", "failed", "dead")


class Job(Base):
    __tablename__ = "job"
    __table_args__ = (
        # Claiming reads the due jobs of a state in run_at order.
        Index("ix_job_state_run_at", "state", "run_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=5)
    run_at: Mapped[datetime] = mapped_column(UTCDateTime)
    locked_by: Mapped[str | None] = mapped_column(String(100))
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # "SMTPServerDisconnected", "HTTPError:503": the type and a short code, never the message.
    last_error: Mapped[str | None] = mapped_column(String(100))
    # Enqueueing twice with the same key makes one job (e.g. a schedule's occurrence, "schedule:jobs.purge:<time>").
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
