"""Several workers against one real database (committed rows, not the rolled-back test transaction): each job runs
exactly once — threads with their own connections, and real `carebridge worker` processes.

These tests commit, so they clean the job table up after themselves; each test session has its own database.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from carebridge.db import make_engine
from carebridge.jobs.models import Job
from factories import jobs

PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CAREBRIDGE = os.path.join(os.path.dirname(sys.executable), "carebridge")


@pytest.fixture
def committed(database_url: str):  # noqa: ANN201
    """Session factories on separate engines (separate connections) against the real database; the job table is
    emptied afterwards."""
    engines = []

    def factory() -> sessionmaker[Session]:
        engine = make_engine(database_url)
        engines.append(engine)
        return sessionmaker(bind=engine, expire_on_commit=False)

    yield factory
    with factory()() as session:
        session.execute(delete(Job))
        session.commit()
    for engine in engines:
        engine.dispose()


def test_a_job_is_not_visible_to_a_worker_until_its_transaction_commits(committed) -> None:
    ran: list[dict] = []
    writer = committed()()
    jobs.job(writer, "test.record", {"n": 1})
    worker = jobs.worker(committed(), {"test.record": lambda _session, payload: ran.append(payload)})
    assert worker.run_once() == 0
    writer.commit()
    writer.close()
    assert worker.run_once() == 1
    assert ran == [{"n": 1}]


@pytest.mark.parametrize("workers", [4])
def test_concurrent_workers_run_each_job_exactly_once(committed, database_url: str, workers: int) -> None:
    count = 200 if database_url.startswith("postgresql") else 60
    with committed()() as session:
        ids = [jobs.job(session, "test.count", {"n": n}).id for n in range(count)]
        session.commit()
    runs: Counter[str] = Counter()
    by_worker: Counter[str] = Counter()
    lock = threading.Lock()

    def handler(session: Session, payload: dict) -> None:
        from carebridge.jobs.service import current_job

        job = current_job(session)
        time.sleep(0.002)  # long enough for the workers to overlap
        with lock:
            runs[job.id] += 1

    pool = [jobs.worker(committed(), {"test.count": handler}, name=f"thread-{index}") for index in range(workers)]
    start = threading.Barrier(workers)
    errors: list[BaseException] = []

    def work(worker) -> None:  # noqa: ANN001
        start.wait()
        try:
            by_worker[worker.name] = worker.run_once()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(worker,)) for worker in pool]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors
    assert set(runs) == set(ids) and set(runs.values()) == {1}
    assert sum(by_worker.values()) == count
    with committed()() as session:
        rows = session.execute(select(Job.state, Job.attempts).where(Job.id.in_(ids))).all()
    assert {tuple(row) for row in rows} == {("done", 1)}
    if database_url.startswith("postgresql"):
        # With SKIP LOCKED the workers share the work rather than queueing behind one another.
        assert sum(1 for ran in by_worker.values() if ran > 0) >= 2, by_worker


def _environment(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(CAREBRIDGE_DATABASE_URL=database_url, CAREBRIDGE_WORKER_POLL_SECONDS="0.1", CAREBRIDGE_SMTP_HOST="")
    return env


def test_two_worker_processes_claim_each_job_once(committed, database_url: str) -> None:
    """Real `carebridge worker --once` processes. No domain handles the kind, so each job goes dead on its first
    claim: a job claimed twice would show two attempts."""
    with committed()() as session:
        ids = [jobs.job(session, "test.nobody-handles", {"n": n}).id for n in range(60)]
        session.commit()
    processes = [
        subprocess.Popen(
            [CAREBRIDGE, "worker", "--once"], env=_environment(database_url), cwd=PROJECT_ROOT,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=120) for process in processes]
    assert [process.returncode for process in processes] == [0, 0], outputs
    ran = sum(int(stdout.split()[0]) for stdout, _stderr in outputs)
    # Each process also adds the nightly purge's next occurrence (once between them), which is not due yet.
    assert ran == 60
    with committed()() as session:
        rows = session.execute(select(Job.state, Job.attempts, Job.last_error).where(Job.id.in_(ids))).all()
        purges = session.scalars(select(Job.run_at).where(Job.kind == "jobs.purge")).all()
    assert {tuple(row) for row in rows} == {("dead", 1, "UnknownJobKind")}
    assert len(purges) == 1
    assert all("test.nobody-handles" in stderr for _stdout, stderr in outputs if "dead" in stderr)


def test_the_worker_stops_gracefully_on_sigterm(committed, database_url: str) -> None:
    process = subprocess.Popen(
        [CAREBRIDGE, "worker"], env=_environment(database_url), cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    deadline = time.monotonic() + 60
    with committed()() as session:
        # It is running when it has added the nightly purge's next occurrence.
        while session.scalar(select(Job.id).where(Job.kind == "jobs.purge")) is None:
            assert process.poll() is None and time.monotonic() < deadline, process.communicate()
            time.sleep(0.1)
            session.rollback()
    process.send_signal(signal.SIGTERM)
    _stdout, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    assert "stopped" in stderr


def test_more_than_one_worker_thread_is_refused_on_sqlite(tmp_path) -> None:  # noqa: ANN001
    result = subprocess.run(
        [CAREBRIDGE, "worker", "--once", "--concurrency", "2"],
        env=_environment(f"sqlite:///{tmp_path / 'refused.db'}"), cwd=PROJECT_ROOT,
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2
    assert "PostgreSQL" in result.stderr


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_worker_threads_share_a_process_on_postgresql(committed, database_url: str) -> None:
    with committed()() as session:
        ids = [jobs.job(session, "test.nobody-handles").id for _ in range(20)]
        jobs.job(session, "jobs.purge", run_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
        session.commit()
    result = subprocess.run(
        [CAREBRIDGE, "worker", "--once", "--concurrency", "3"], env=_environment(database_url), cwd=PROJECT_ROOT,
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "21 jobs run"
    with committed()() as session:
        assert set(session.scalars(select(Job.attempts).where(Job.id.in_(ids)))) == {1}


def test_jobs_status_counts_by_state_and_says_why_dead_jobs_died(committed, database_url: str) -> None:
    with committed()() as session:
        jobs.job(session, "test.waiting", run_at=dt.datetime(2100, 1, 1, tzinfo=dt.UTC))
        for _ in range(2):
            dead = jobs.job(session, "test.broken")
            dead.state, dead.last_error = "dead", "SMTPServerDisconnected"
        session.commit()
    result = subprocess.run(
        [CAREBRIDGE, "jobs", "status"], env=_environment(database_url), cwd=PROJECT_ROOT,
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "queued   1" in lines and "dead     2" in lines and "running  0" in lines
    assert "dead: 2 × test.broken (SMTPServerDisconnected)" in lines
