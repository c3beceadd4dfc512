"""Concurrent writers on PostgreSQL make N stripes, none forked, written in parallel: 8 threads, each appending in its
own committed transactions, in a database of their own (committed events cannot be removed from the shared test
database)."""

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


def test_eight_concurrent_writers_make_stripes_without_a_fork(own_postgresql_database):
    factory = sessionmaker(bind=own_postgresql_database, expire_on_commit=False, info={"audit_stripes": 8})
    start = threading.Barrier(WRITERS)
    failures: list[BaseException] = []

    def write(writer: int) -> None:
        try:
            start.wait()
            for number in range(EVENTS_EACH):
                with session_scope(factory) as session:
                    service.record(session, "sign-in.success", account_id=f"writer-{writer}", request_id=f"r{number}")
                    # Two events in one transaction go to one stripe, one after the other.
                    service.record(session, "sign-in.failure", account_id=f"writer-{writer}", request_id=f"r{number}")
        except BaseException as error:  # noqa: BLE001 - reported below
            failures.append(error)

    threads = [threading.Thread(target=write, args=(writer,)) for writer in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []

    with session_scope(factory) as session:
        total = WRITERS * EVENTS_EACH * 2
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == total
        links = select(AuditEvent.stripe, AuditEvent.previous_hash).distinct().subquery()
        assert session.scalar(select(func.count()).select_from(links)) == total, "a fork: two events on one link"
        assert session.scalar(select(func.count(func.distinct(AuditEvent.account_id)))) == WRITERS
        per_stripe = dict(session.execute(select(AuditEvent.stripe, func.count()).group_by(AuditEvent.stripe)).all())
        assert len(per_stripe) > 1, "the stripes were not used in parallel"
        assert set(per_stripe) <= set(range(8))
        pairs = session.execute(
            select(AuditEvent.stripe, AuditEvent.stripe_seq, AuditEvent.action, AuditEvent.request_id, AuditEvent.account_id)
            .order_by(AuditEvent.stripe, AuditEvent.stripe_seq)
        ).all()
        for first, second in zip(pairs, pairs[1:]):
            if first.action == "sign-in.success":
                assert (second.stripe, second.stripe_seq) == (first.stripe, first.stripe_seq + 1)
                assert (second.account_id, second.request_id, second.action) == (
                    first.account_id, first.request_id, "sign-in.failure"
                )
        result = service.verify(session)
        assert result.ok and result.intact == total
        assert {stripe: seq for stripe, (seq, _) in result.heads.items()} == per_stripe
        assert service.verify(session, expect_head=service.head(session)).ok


def test_while_one_transaction_holds_a_stripe_another_takes_a_free_one(own_postgresql_database):
    factory = sessionmaker(bind=own_postgresql_database, expire_on_commit=False, info={"audit_stripes": 2})
    holder = factory()
    service.record(holder, "sign-in.success", account_id="holder")
    held = holder.scalars(select(AuditEvent.stripe)).one()
    other = factory()
    started = time.perf_counter()
    for _ in range(3):  # the rotation starts anywhere: every try lands on the free stripe
        service.record(other, "sign-in.success", account_id="other")
        other.commit()
    assert time.perf_counter() - started < 5
    assert set(other.scalars(select(AuditEvent.stripe))) == {1 - held}
    holder.commit()
    holder.close()
    other.close()


def test_without_the_lock_a_second_writer_is_refused_rather_than_forking_a_stripe(own_postgresql_database, monkeypatch):
    """The unique (stripe, stripe_seq) is the backstop: two writers that read the same last event cannot both
    append."""
    from sqlalchemy.exc import IntegrityError

    from carebridge.audit import repository

    monkeypatch.setattr(repository, "lock_stripe", lambda session: 0)
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


def test_a_writer_when_every_stripe_is_held_by_a_transaction_that_never_ends_fails_instead_of_hanging(
    own_postgresql_database, monkeypatch
):
    from carebridge.audit import repository
    from carebridge.errors import NotSaved

    monkeypatch.setattr(repository, "CHAIN_LOCK_TIMEOUT_MS", 300)
    factory = sessionmaker(bind=own_postgresql_database, expire_on_commit=False, info={"audit_stripes": 2})
    holders = [factory(), factory()]
    for holder in holders:
        service.record(holder, "sign-in.success", account_id="holder")
    assert {h.scalars(select(AuditEvent.stripe)).one() for h in holders} == {0, 1}
    waiter = factory()
    waiter.execute(text("SET lock_timeout = '7s'"))
    try:
        started = time.perf_counter()
        with pytest.raises(NotSaved):
            service.record(waiter, "sign-in.success", account_id="waiter")
        assert time.perf_counter() - started < 5, "the stripes' own timeout, not the caller's 7 s"
    finally:
        waiter.rollback()
    # The caller's own setting is back once the lock is taken.
    holders[0].commit()
    waiter.execute(text("SET LOCAL lock_timeout = '7s'"))
    service.record(waiter, "sign-in.success", account_id="waiter")
    assert waiter.scalar(text("SELECT current_setting('lock_timeout')")) == "7s"
    waiter.commit()
    holders[1].commit()
    for session in (*holders, waiter):
        session.close()
