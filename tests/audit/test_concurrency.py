"""Concurrent writers on PostgreSQL make one chain, never a fork: 8 threads, each appending in its own committed
transactions, in a database of their own (committed events cannot be removed from the shared test database)."""

import threading
import time
import uuid

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker

from carebridge.audit import service
from carebridge.audit.models import AuditEvent
from carebridge.cli import upgrade_database
from carebridge.db import make_engine, session_scope

WRITERS = 8
EVENTS_EACH = 40


@pytest.fixture
def own_postgresql_database(engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("concurrent writers are a PostgreSQL matter (SQLite has one writer)")
    name = f"carebridge_audit_{uuid.uuid4().hex[:8]}"
    admin = engine.execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(engine.url).set(database=name).render_as_string(hide_password=False)
    upgrade_database(url)
    own = make_engine(url)
    yield own
    own.dispose()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def test_eight_concurrent_writers_make_one_chain_without_a_fork(own_postgresql_database):
    factory = sessionmaker(bind=own_postgresql_database, expire_on_commit=False)
    start = threading.Barrier(WRITERS)
    failures: list[BaseException] = []

    def write(writer: int) -> None:
        try:
            start.wait()
            for number in range(EVENTS_EACH):
                with session_scope(factory) as session:
                    service.record(session, "sign-in.success", account_id=f"writer-{writer}", request_id=f"r{number}")
        except BaseException as error:  # noqa: BLE001 - reported below
            failures.append(error)

    threads = [threading.Thread(target=write, args=(writer,)) for writer in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []

    with session_scope(factory) as session:
        total = WRITERS * EVENTS_EACH
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == total
        assert session.scalar(select(func.count(func.distinct(AuditEvent.previous_hash)))) == total, "a fork"
        writers_seen = session.scalar(select(func.count(func.distinct(AuditEvent.account_id))))
        assert writers_seen == WRITERS
        result = service.verify(session)
        assert result.ok and result.intact == total and result.head_seq == total


def test_without_the_lock_a_second_writer_is_refused_rather_than_forking_the_chain(own_postgresql_database, monkeypatch):
    """The primary key on seq is the backstop: two writers that read the same last event cannot both append."""
    from sqlalchemy.exc import IntegrityError

    from carebridge.audit import repository

    monkeypatch.setattr(repository, "lock_chain", lambda session: None)
    factory = sessionmaker(bind=own_postgresql_database, expire_on_commit=False)
    first = factory()
    service.record(first, "sign-in.success", account_id="first")
    outcome: list[BaseException | None] = []

    def second_writer() -> None:
        try:
            with session_scope(factory) as session:
                service.record(session, "sign-in.success", account_id="second")
            outcome.append(None)
        except BaseException as error:  # noqa: BLE001 - inspected below
            outcome.append(error)

    thread = threading.Thread(target=second_writer)
    thread.start()
    thread.join(timeout=1)
    assert thread.is_alive(), "the second insert should wait for the first transaction's row"
    first.commit()
    first.close()
    thread.join()
    assert len(outcome) == 1 and outcome[0] is not None
    assert isinstance(outcome[0], IntegrityError)
    with session_scope(factory) as session:
        result = service.verify(session)
        assert result.ok and result.intact == 1


def test_a_writer_behind_a_transaction_that_never_ends_fails_instead_of_hanging(own_postgresql_database, monkeypatch):
    from carebridge.audit import repository
    from carebridge.errors import NotSaved

    monkeypatch.setattr(repository, "CHAIN_LOCK_TIMEOUT_MS", 300)
    factory = sessionmaker(bind=own_postgresql_database, expire_on_commit=False)
    holder = factory()
    service.record(holder, "sign-in.success", account_id="holder")
    waiter = factory()
    waiter.execute(text("SET lock_timeout = '7s'"))
    try:
        started = time.perf_counter()
        with pytest.raises(NotSaved):
            service.record(waiter, "sign-in.success", account_id="waiter")
        assert time.perf_counter() - started < 5, "the chain's own timeout, not the caller's 7 s"
    finally:
        waiter.rollback()
    # The caller's own setting is back once the lock is taken.
    holder.commit()
    waiter.execute(text("SET LOCAL lock_timeout = '7s'"))
    service.record(waiter, "sign-in.success", account_id="waiter")
    assert waiter.scalar(text("SELECT current_setting('lock_timeout')")) == "7s"
    waiter.commit()
    holder.close()
    waiter.close()
