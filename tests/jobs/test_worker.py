"""The worker: a job runs only after its transaction commits, once; failures retry with back-off and end dead;
scheduled and recurring jobs wait for their time; a job left by a crashed worker is taken up again."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from carebridge.db import app_state, read_state, write_state
from carebridge.jobs import service
from carebridge.jobs.models import Job
from carebridge.jobs.service import PermanentError, Schedule
from carebridge.kit import clock
from factories import jobs

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)


class Recorder:
    """A handler that remembers each payload it ran with (and, optionally, fails)."""

    def __init__(self, error: Exception | None = None) -> None:
        self.payloads: list[dict] = []
        self.error = error

    def __call__(self, session: Session, payload: dict) -> None:
        self.payloads.append(payload)
        write_state(session, f"ran-{payload.get('n', 0)}", "yes")
        if self.error is not None:
            raise self.error


def job_row(session_factory, job_id: str) -> Job:
    with session_factory() as session:
        return session.get(Job, job_id)


def test_a_job_enqueued_in_a_rolled_back_transaction_never_runs(session_factory) -> None:
    handler = Recorder()
    with session_factory() as session:
        jobs.job(session, "test.record", {"n": 1})
        session.rollback()
    assert jobs.worker(session_factory, {"test.record": handler}).run_once() == 0
    assert handler.payloads == []
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Job)) == 0


def test_a_committed_job_runs_once_and_is_marked_done(session_factory) -> None:
    handler = Recorder()
    with session_factory() as session:
        job_id = jobs.job(session, "test.record", {"n": 1}).id
        session.commit()
    worker = jobs.worker(session_factory, {"test.record": handler})
    assert worker.run_once() == 1
    assert worker.run_once() == 0
    assert handler.payloads == [{"n": 1}]
    row = job_row(session_factory, job_id)
    assert (row.state, row.attempts, row.locked_by, row.last_error) == ("done", 1, None, None)
    assert row.finished_at == NOW
    with session_factory() as session:
        assert read_state(session, "ran-1") == "yes"


def test_a_failed_handler_leaves_nothing_behind_and_retries_with_growing_waits(session_factory, caplog) -> None:
    handler = Recorder(ValueError("Amira Haddad's address is 1 Secret Lane"))
    with session_factory() as session:
        job_id = jobs.job(session, "test.record", {"n": 2}, max_attempts=3).id
        session.commit()
    worker = jobs.worker(session_factory, {"test.record": handler})
    caplog.set_level(logging.INFO, logger="carebridge")

    moment = NOW
    for attempt, (low, high) in enumerate([(30, 37.5), (120, 150)], start=1):
        with clock.pinned(moment):
            assert worker.run_once() == 1
        row = job_row(session_factory, job_id)
        assert (row.state, row.attempts, row.last_error, row.locked_by) == ("failed", attempt, "ValueError", None)
        wait = (row.run_at - moment).total_seconds()
        assert low <= wait <= high
        with clock.pinned(row.run_at - dt.timedelta(seconds=1)):
            assert worker.run_once() == 0  # not yet
        moment = row.run_at
    with clock.pinned(moment):
        assert worker.run_once() == 1
    row = job_row(session_factory, job_id)
    assert (row.state, row.attempts, row.last_error, row.finished_at) == ("dead", 3, "ValueError", moment)
    assert len(handler.payloads) == 3
    with session_factory() as session:
        # Each attempt's own write was rolled back with it.
        assert session.scalar(select(func.count()).select_from(app_state).where(app_state.c.name == "ran-2")) == 0
    assert "dead" in caplog.text
    assert "Secret Lane" not in caplog.text and "Amira" not in caplog.text


def test_retry_delays_grow_fourfold_with_jitter_and_are_capped() -> None:
    for attempts, seconds in [(1, 30), (2, 120), (3, 480), (4, 1920), (5, 7680), (9, 6 * 3600)]:
        for _ in range(20):
            delay = service.retry_delay(attempts).total_seconds()
            assert seconds <= delay <= seconds * 1.25


def test_a_job_of_no_known_kind_and_a_permanent_error_go_dead_at_once(session_factory) -> None:
    def malformed(_session: Session, _payload: dict) -> None:
        raise PermanentError("bad-payload")

    with session_factory() as session:
        unknown = jobs.job(session, "test.nobody-handles").id
        permanent = jobs.job(session, "test.malformed").id
        session.commit()
    assert jobs.worker(session_factory, {"test.malformed": malformed}).run_once() == 2
    assert job_row(session_factory, unknown).last_error == "UnknownJobKind"
    assert job_row(session_factory, permanent).last_error == "PermanentError:bad-payload"
    assert {job_row(session_factory, unknown).state, job_row(session_factory, permanent).state} == {"dead"}


def test_a_scheduled_job_waits_for_its_time(session_factory) -> None:
    handler = Recorder()
    with session_factory() as session:
        jobs.job(session, "test.record", {"n": 3}, run_at=NOW + dt.timedelta(hours=1))
        session.commit()
    worker = jobs.worker(session_factory, {"test.record": handler})
    with clock.pinned(NOW + dt.timedelta(minutes=59, seconds=59)):
        assert worker.run_once() == 0
    with clock.pinned(NOW + dt.timedelta(hours=1)):
        assert worker.run_once() == 1
    assert handler.payloads == [{"n": 3}]


def test_jobs_run_in_the_order_they_fall_due(session_factory) -> None:
    handler = Recorder()
    with session_factory() as session:
        for n, minutes in [(1, 3), (2, 1), (3, 2)]:
            jobs.job(session, "test.record", {"n": n}, run_at=NOW - dt.timedelta(minutes=minutes))
        session.commit()
    assert jobs.worker(session_factory, {"test.record": handler}).run_once() == 3
    assert [payload["n"] for payload in handler.payloads] == [1, 3, 2]


def test_a_job_left_running_by_a_crashed_worker_is_run_again_and_the_late_worker_does_nothing(session_factory) -> None:
    handler = Recorder()
    with session_factory() as session:
        job_id = jobs.job(session, "test.record", {"n": 4}).id
        session.commit()
    crashed = jobs.worker(session_factory, {"test.record": handler}, name="crashed", job_stuck_seconds=600)
    claimed = crashed.claim()
    assert claimed is not None and claimed.id == job_id
    rescuer = jobs.worker(session_factory, {"test.record": handler}, name="rescuer", job_stuck_seconds=600)
    with clock.pinned(NOW + dt.timedelta(seconds=599)):
        assert rescuer.run_once() == 0  # still within the first worker's lock
    with clock.pinned(NOW + dt.timedelta(seconds=601)):
        assert rescuer.run_once() == 1
        row = job_row(session_factory, job_id)
        assert (row.state, row.attempts) == ("done", 2)
        # The first worker wakes up: it finds the job no longer its own and leaves it as the rescuer did.
        with session_factory() as session:
            write_state(session, "ran-4", "by the rescuer")
            session.commit()
        crashed.run(claimed)
    row = job_row(session_factory, job_id)
    assert (row.state, row.attempts, row.finished_at) == ("done", 2, NOW + dt.timedelta(seconds=601))
    assert len(handler.payloads) == 1
    with session_factory() as session:
        assert read_state(session, "ran-4") == "by the rescuer"


def test_a_job_that_crashed_its_worker_on_the_last_attempt_goes_dead(session_factory) -> None:
    with session_factory() as session:
        job_id = jobs.job(session, "test.record", max_attempts=1).id
        session.commit()
    handler = Recorder()
    crashed = jobs.worker(session_factory, {"test.record": handler}, job_stuck_seconds=60)
    assert crashed.claim() is not None
    with clock.pinned(NOW + dt.timedelta(seconds=61)):
        assert jobs.worker(session_factory, {"test.record": handler}, job_stuck_seconds=60).run_once() == 1
    row = job_row(session_factory, job_id)
    assert (row.state, row.attempts, row.last_error) == ("dead", 2, "OutOfAttempts")
    assert handler.payloads == []


def test_an_idempotency_key_makes_one_job(session_factory) -> None:
    with session_factory() as session:
        first = service.enqueue(session, "test.record", {"n": 5}, idempotency_key="once")
        second = service.enqueue(session, "test.record", {"n": 6}, idempotency_key="once")
        session.commit()
        assert first is not None and second is None
        assert session.scalar(select(func.count()).select_from(Job)) == 1


@pytest.mark.parametrize("kind", ["notify", "Notify.Staff", "notify staff", "", "a." + "b" * 70])
def test_a_kind_must_be_a_dotted_name(session_factory, kind: str) -> None:
    with session_factory() as session, pytest.raises(ValueError):
        service.enqueue(session, kind)


def test_a_payload_that_is_not_json_is_refused_when_enqueued(session_factory) -> None:
    with session_factory() as session, pytest.raises(TypeError):
        service.enqueue(session, "test.record", {"when": dt.date(2026, 1, 1)})


def test_a_schedule_keeps_one_occurrence_enqueued_however_many_workers_look(session_factory) -> None:
    handler = Recorder()
    schedule = Schedule("test.record", daily_at=dt.time(3, 0), payload={"n": 7})
    first = jobs.worker(session_factory, {"test.record": handler}, schedules=[schedule])
    second = jobs.worker(session_factory, {"test.record": handler}, schedules=[schedule])
    assert first.run_once() == 0 and second.run_once() == 0
    with session_factory() as session:
        rows = session.scalars(select(Job)).all()
        assert [(row.kind, row.run_at, row.state) for row in rows] == [
            ("test.record", dt.datetime(2026, 11, 24, 3, 0, tzinfo=dt.UTC), "queued")
        ]
    with clock.pinned(dt.datetime(2026, 11, 24, 3, 0, tzinfo=dt.UTC)):
        assert second.run_once() == 1
        assert first.run_once() == 0
    assert handler.payloads == [{"n": 7}]
    with session_factory() as session:
        states = sorted((row.run_at, row.state) for row in session.scalars(select(Job)))
        assert states == [
            (dt.datetime(2026, 11, 24, 3, 0, tzinfo=dt.UTC), "done"),
            (dt.datetime(2026, 11, 25, 3, 0, tzinfo=dt.UTC), "queued"),
        ]


def test_schedule_occurrences_follow_the_deployments_clock() -> None:
    daily = Schedule("test.record", daily_at=dt.time(3, 0))
    # London is on BST until 25 October 2026: 03:00 there is 02:00 UTC.
    assert daily.next_after(dt.datetime(2026, 10, 23, 12, 0, tzinfo=dt.UTC)) == dt.datetime(
        2026, 10, 24, 2, 0, tzinfo=dt.UTC
    )
    assert daily.next_after(dt.datetime(2026, 10, 25, 2, 59, tzinfo=dt.UTC)) == dt.datetime(
        2026, 10, 25, 3, 0, tzinfo=dt.UTC
    )
    assert daily.next_after(dt.datetime(2026, 11, 24, 3, 0, tzinfo=dt.UTC)) == dt.datetime(
        2026, 11, 25, 3, 0, tzinfo=dt.UTC
    )
    every = Schedule("test.record", every=dt.timedelta(minutes=15))
    assert every.next_after(dt.datetime(2026, 11, 23, 12, 7, tzinfo=dt.UTC)) == dt.datetime(
        2026, 11, 23, 12, 15, tzinfo=dt.UTC
    )
    assert every.next_after(dt.datetime(2026, 11, 23, 12, 15, tzinfo=dt.UTC)) == dt.datetime(
        2026, 11, 23, 12, 30, tzinfo=dt.UTC
    )
    with pytest.raises(ValueError):
        Schedule("test.record")
    with pytest.raises(ValueError):
        Schedule("test.record", every=dt.timedelta(seconds=5))


def test_every_domains_schedule_names_a_kind_some_domain_handles() -> None:
    from carebridge import domains

    schedules = domains.job_schedules()
    assert schedules, "the jobs domain declares its nightly purge"
    handlers = domains.job_handlers()
    assert {schedule.kind for schedule in schedules} <= set(handlers)


def test_the_nightly_purge_forgets_old_finished_jobs_only(session_factory) -> None:
    with session_factory() as session:
        ids = {}
        for name, state, age in [
            ("old-done", "done", 8), ("new-done", "done", 6), ("old-dead", "dead", 91), ("new-dead", "dead", 89),
            ("queued", "queued", 100),
        ]:
            job = jobs.job(session, "test.record", run_at=NOW + dt.timedelta(days=1))
            job.state, job.finished_at = state, NOW - dt.timedelta(days=age)
            ids[name] = job.id
        jobs.job(session, "jobs.purge")
        session.commit()
    assert jobs.worker(session_factory).run_once() == 1
    with session_factory() as session:
        kept = set(session.scalars(select(Job.id).where(Job.kind == "test.record")))
    assert kept == {ids["new-done"], ids["new-dead"], ids["queued"]}


def test_the_payload_and_error_never_carry_a_message(session_factory) -> None:
    """last_error keeps the type and a short code only; a long or odd code is dropped."""
    import smtplib

    assert service.error_code(smtplib.SMTPResponseException(451, b"mailbox amira@example.org busy")) == (
        "SMTPResponseException:451"
    )
    assert service.error_code(ConnectionRefusedError(111, "refused")) == "ConnectionRefusedError:111"
    assert service.error_code(KeyError("amira@example.org")) == "KeyError"
    error = RuntimeError("x")
    error.code = "amira haddad lives at"  # type: ignore[attr-defined]
    assert service.error_code(error) == "RuntimeError"
    with session_factory() as session:
        session.execute(update(Job).values(state="done"))  # no rows: proves the table is reachable


def test_a_stop_asked_during_a_job_lets_it_finish_and_takes_no_other(session_factory) -> None:
    with session_factory() as session:
        first = jobs.job(session, "test.stop", {"n": 8}, run_at=NOW - dt.timedelta(minutes=1)).id
        second = jobs.job(session, "test.stop", {"n": 9}).id
        session.commit()
    ran: list[int] = []
    worker = jobs.worker(session_factory, {})

    def stop_midway(session: Session, payload: dict) -> None:
        worker.stop.set()  # what SIGTERM does, while this job is in hand
        ran.append(payload["n"])
        write_state(session, "stopped-midway", "finished")

    worker.handlers["test.stop"] = stop_midway
    assert worker.run_once() == 1
    assert ran == [8]
    assert job_row(session_factory, first).state == "done"
    assert job_row(session_factory, second).state == "queued"
    with session_factory() as session:
        assert read_state(session, "stopped-midway") == "finished"


def test_dead_jobs_can_be_queued_again_once_their_cause_is_fixed(session_factory) -> None:
    handler = Recorder(ValueError("down"))
    with session_factory() as session:
        job_id = jobs.job(session, "test.record", {"n": 10}, max_attempts=1).id
        other = jobs.job(session, "test.other", max_attempts=1).id
        session.commit()
    worker = jobs.worker(session_factory, {"test.record": handler})
    assert worker.run_once() == 2
    assert {job_row(session_factory, job_id).state, job_row(session_factory, other).state} == {"dead"}
    handler.error = None
    with session_factory() as session:
        assert service.requeue_dead(session, "test.record") == 1
        session.commit()
    assert worker.run_once() == 1
    row = job_row(session_factory, job_id)
    assert (row.state, row.attempts) == ("done", 1)
    assert job_row(session_factory, other).state == "dead"
