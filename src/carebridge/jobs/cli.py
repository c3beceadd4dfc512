"""`carebridge worker` (runs background jobs) and `carebridge jobs status` (how many jobs are in each state)."""

from __future__ import annotations

import argparse
import logging
import logging.config
import sys


def _worker(args: argparse.Namespace) -> int:
    from carebridge.cli import LOG_CONFIG
    from carebridge.config import get_settings
    from carebridge.db import get_engine, get_session_factory
    from carebridge.jobs.worker import run_workers

    logging.config.dictConfig(LOG_CONFIG)
    if args.concurrency < 1:
        print("carebridge worker: --concurrency must be at least 1", file=sys.stderr)
        return 2
    if get_engine().dialect.name == "sqlite" and args.concurrency > 1:
        print(
            "carebridge worker: SQLite has one writer at a time, so one worker thread runs there; "
            "use PostgreSQL for --concurrency above 1.",
            file=sys.stderr,
        )
        return 2
    ran = run_workers(get_session_factory(), get_settings(), concurrency=args.concurrency, once=args.once)
    if args.once:
        print(f"{ran} jobs run")
    return 0


def _status(_args: argparse.Namespace) -> int:
    from sqlalchemy import func, select

    from carebridge.db import session_scope
    from carebridge.jobs.models import STATES, Job

    with session_scope() as session:
        counts = dict(session.execute(select(Job.state, func.count()).group_by(Job.state)).all())
        dead = session.execute(
            select(Job.kind, Job.last_error, func.count()).where(Job.state == "dead").group_by(Job.kind, Job.last_error)
        ).all()
    for state in STATES:
        print(f"{state:8} {counts.get(state, 0)}")
    for kind, last_error, count in dead:
        print(f"dead: {count} × {kind} ({last_error})")
    return 0


def _retry_dead(args: argparse.Namespace) -> int:
    from carebridge.db import session_scope
    from carebridge.jobs.service import requeue_dead

    with session_scope() as session:
        count = requeue_dead(session, args.kind)
    print(f"{count} dead jobs queued again")
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    worker = commands.add_parser(
        "worker",
        help="run background jobs (e-mail notifications, scheduled work) until SIGTERM or Ctrl-C",
    )
    worker.add_argument("--once", action="store_true", help="run the jobs that are due now, then stop")
    worker.add_argument(
        "--concurrency", type=int, default=1, help="worker threads (PostgreSQL only above 1; default 1)"
    )
    worker.set_defaults(func=_worker)

    jobs = commands.add_parser("jobs", help="background jobs").add_subparsers(dest="jobs_command", required=True)
    jobs.add_parser("status", help="how many jobs are in each state, and why dead ones died").set_defaults(
        func=_status
    )
    retry = jobs.add_parser("retry-dead", help="queue dead jobs again with fresh attempts (after fixing the cause)")
    retry.add_argument("--kind", help="only jobs of this kind, e.g. notify.staff")
    retry.set_defaults(func=_retry_dead)
