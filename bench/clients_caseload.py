"""A caseload page's server-side work on PostgreSQL: clients.service.caseload for 50 people out of N (scope query,
team and caseworker names, one query for the 50 data keys, 50 profiles decrypted, 50 `client.list` audit events
appended with audit.record_many) and the COMMIT, as one request's unit of work does it.

Three variants, timed in alternating rounds: `full` (as served), `no audit` (record_many skipped: what auditing
every row costs), `one event` (one audit event instead of 50: the durable commit alone), `query only` (the scoped page query alone: what decryption and audit cost together).
Target: p99 of `full` under 50 ms.

    python bench/clients_caseload.py [--people 2000] [--calls 300]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = BENCH_DIR.parent
sys.path.insert(0, str(PROJECT_ROOT / "src"))

from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.orm import sessionmaker  # noqa: E402

from carebridge.accounts import service as accounts  # noqa: E402
from carebridge.audit import service as audit  # noqa: E402
from carebridge.cli import upgrade_database  # noqa: E402
from carebridge.clients import repository, service  # noqa: E402
from carebridge.config import Settings  # noqa: E402
from carebridge.db import make_engine, session_scope  # noqa: E402

POSTGRES_URL = os.environ.get("CAREBRIDGE_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@contextmanager
def fresh_database():  # noqa: ANN201
    name = f"carebridge_bench_clients_{uuid.uuid4().hex[:8]}"
    admin = make_engine(POSTGRES_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade_database(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--calls", type=int, default=300)
    arguments = parser.parse_args()
    settings = Settings()
    with fresh_database() as url:
        engine = make_engine(url)
        factory = sessionmaker(bind=engine, expire_on_commit=False)
        with session_scope(factory) as session:
            organisation = accounts.create_organisation(session, "Bench organisation")
            team = accounts.create_team(session, organisation, "Bench team")
            account = accounts.create_account(
                session, email="bench@example.org", name="Bench Worker", organisation=organisation,
                roles=("link-worker",), password="correct horse battery staple", teams=(team,),
            )
            session.flush()
            actor = accounts.actor_for(accounts.account_by_id(session, account.id))
        started = time.perf_counter()
        for chunk in range(0, arguments.people, 500):
            with session_scope(factory) as session:
                for number in range(chunk, min(arguments.people, chunk + 500)):
                    service.create_client(
                        session, settings, actor,
                        service.Profile(preferred_name=f"Person {number}", languages=["prs", "fa"], birth_year=1990),
                    )
        print(f"{arguments.people} people made in {time.perf_counter() - started:.1f} s", flush=True)
        with engine.connect() as connection:
            connection.execute(text("ANALYZE"))
            connection.commit()

        filters = service.CaseloadFilters(mine=False)
        real_record_many = audit.record_many

        def full() -> None:
            with session_scope(factory) as session:
                page = service.caseload(session, settings, actor, filters, 1, request_id=uuid.uuid4().hex)
                assert len(page.entries) == 50

        def no_audit() -> None:
            audit.record_many = lambda *args, **kwargs: None
            try:
                full()
            finally:
                audit.record_many = real_record_many

        def one_event() -> None:
            # The same page with one audit event instead of fifty: separates the durable commit (WAL flush), which
            # any audited read pays, from the cost of the batch itself.
            def single(session, action, *, actor, record_type, record_ids, request_id=None):  # noqa: ANN001, ANN202
                audit.record(session, action, actor=actor, record_type=record_type, record_id=list(record_ids)[0],
                             request_id=request_id)

            audit.record_many = single
            try:
                full()
            finally:
                audit.record_many = real_record_many

        def query_only() -> None:
            with session_scope(factory) as session:
                rows = repository.caseload_page(session, [service.scope(actor, "person.read")], limit=51, offset=0)
                assert len(rows) == 51

        variants = {"full": full, "one event": one_event, "no audit": no_audit, "query only": query_only}
        times: dict[str, list[float]] = {name: [] for name in variants}
        for function in variants.values():
            for _ in range(20):
                function()
        for _ in range(arguments.calls):
            for name, function in variants.items():
                start = time.perf_counter()
                function()
                times[name].append((time.perf_counter() - start) * 1000)
        for name, values in times.items():
            print(
                f"{name:>10}: median {statistics.median(values):6.2f} ms   p99 {percentile(values, 0.99):6.2f} ms   "
                f"({len(values)} calls, {arguments.people} people)",
                flush=True,
            )
        with session_scope(factory) as session:
            assert audit.verify(session).ok
        engine.dispose()


if __name__ == "__main__":
    main()
