"""Jobs and workers for tests, made through jobs.service and jobs.worker."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from carebridge.config import Settings
from carebridge.jobs import service
from carebridge.jobs.models import Job
from carebridge.jobs.worker import Worker


def job(session: Session, kind: str = "test.noop", payload: dict[str, Any] | None = None, **options: Any) -> Job:
    """Enqueue a job in `session` (not committed) and return its row."""
    job_id = service.enqueue(session, kind, payload, **options)
    assert job_id is not None
    return session.get(Job, job_id)


def settings(**overrides: Any) -> Settings:
    """Settings for a worker under test: quick polling, no SMTP server and the outbox SMS unless told otherwise."""
    values: dict[str, Any] = {"worker_poll_seconds": 0.05, "smtp_host": "", "sms_provider": "outbox"}
    values.update(overrides)
    return Settings(**values)


def worker(
    session_factory: sessionmaker[Session],
    handlers: dict[str, Callable[[Session, dict[str, Any]], None]] | None = None,
    *,
    schedules: list[service.Schedule] | None = None,
    name: str | None = None,
    **setting_overrides: Any,
) -> Worker:
    """A worker with the given handlers (by default every domain's), without signal handling."""
    from carebridge.jobs.worker import default_handlers

    options: dict[str, Any] = {}
    if name:
        options["name"] = name
    return Worker(
        session_factory,
        settings(**setting_overrides),
        default_handlers() if handlers is None else handlers,
        schedules or [],
        **options,
    )
