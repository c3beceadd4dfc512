"""Background jobs: how many no-op jobs a second `carebridge worker` threads get through, and enqueue cost.

For each database (a temporary SQLite file; a temporary PostgreSQL database on 127.0.0.1:5432, dropped afterwards):
migrate, enqueue N jobs in one transaction, then run K worker threads (each with its own engine, as separate worker
processes would have) until none is due. Each job is a full claim (read, UPDATE … RETURNING, commit), a handler
unit of work and its "done" (commit) — the per-job overhead of the queue, not of any real handler. Checks that every
job ran exactly once.

    python bench/jobs_throughput.py [--jobs 2000] [--threads 1,4] [--databases sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from carebridge.cli import upgrade_database  # noqa: E402
from carebridge.config import Settings  # noqa: E402
from carebridge.db import make_engine, session_scope  # noqa: E402
from carebridge.jobs.models import Job  # noqa: E402
from carebridge.jobs.service import current_job, enqueue  # noqa: E402
from carebridge.jobs.worker import Worker  # noqa: E402

POSTGRES_URL = os.environ.get("CAREBRIDGE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@contextmanager
def database(kind: str) -> Iterator[str]:
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{folder}/bench.db"
            upgrade_database(url)
            yield url
        return
    name = f"carebridge_bench_jobs_{uuid.uuid4().hex[:8]}"
    admin = make_engine(POSTGRES_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
        upgrade_database(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def measure(url: str, jobs: int, threads: int) -> dict[str, float]:
    engine = make_engine(url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    started = time.perf_counter()
    with session_scope(factory) as session:
        for n in range(jobs):
            enqueue(session, "bench.noop", {"n": n})
    enqueue_seconds = time.perf_counter() - started

    runs: Counter[str] = Counter()
    lock = threading.Lock()

    def noop(session, _payload) -> None:  # noqa: ANN001
        with lock:
            runs[current_job(session).id] += 1

    settings = Settings(worker_poll_seconds=0.05)
    engines = [make_engine(url) for _ in range(threads)]
    workers = [
        Worker(sessionmaker(bind=worker_engine, expire_on_commit=False), settings, {"bench.noop": noop})
        for worker_engine in engines
    ]
    barrier = threading.Barrier(threads + 1)

    def work(worker: Worker) -> None:
        barrier.wait()
        worker.run_once()

    pool = [threading.Thread(target=work, args=(worker,)) for worker in workers]
    for thread in pool:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in pool:
        thread.join()
    run_seconds = time.perf_counter() - started
    with session_scope(factory) as session:
        done = session.scalar(select(func.count()).select_from(Job).where(Job.state == "done"))
        session.execute(Job.__table__.delete())
    assert done == jobs and len(runs) == jobs and set(runs.values()) == {1}, "a job ran twice or not at all"
    for worker_engine in engines:
        worker_engine.dispose()
    engine.dispose()
    return {"enqueue_per_second": jobs / enqueue_seconds, "jobs_per_second": jobs / run_seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2000)
    parser.add_argument("--threads", default="1,4")
    parser.add_argument("--databases", default="sqlite,postgresql")
    args = parser.parse_args()
    for kind in args.databases.split(","):
        with database(kind) as url:
            for threads in (int(value) for value in args.threads.split(",")):
                if kind == "sqlite" and threads > 1:
                    continue  # one worker on SQLite (ADR 0005)
                result = measure(url, args.jobs, threads)
                print(
                    f"{kind:10} {threads} worker thread(s): {result['jobs_per_second']:7.0f} jobs/s run, "
                    f"{result['enqueue_per_second']:7.0f} jobs/s enqueued ({args.jobs} jobs, each run exactly once)"
                )


if __name__ == "__main__":
    main()
