"""No double booking under real concurrency on PostgreSQL: eight threads, each in its own session and transaction,
book the same interpreter for overlapping times at once; the slot key lets exactly one commit, the others get
Conflict ("just booked by someone else") and leave nothing behind. Committed rows need a database of their own."""

from __future__ import annotations

import datetime as dt
import threading
import uuid

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker

from carebridge.cli import upgrade_database
from carebridge.config import Settings
from carebridge.db import make_engine, session_scope
from carebridge.errors import Conflict
from carebridge.interpreters import service
from carebridge.interpreters.models import InterpreterBooking, InterpreterBookingSlot
from factories import interpreters as factories
from factories.interpreters import at, search

ATTEMPTS = 8
SETTINGS = Settings(timezone="Europe/London")


@pytest.fixture
def own_postgresql_database(engine):  # noqa: ANN001, ANN201
    if engine.dialect.name != "postgresql":
        pytest.skip("concurrent bookings are tested on PostgreSQL (SQLite has one writer at a time)")
    name = f"carebridge_interpreters_{uuid.uuid4().hex[:8]}"
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


def test_of_eight_concurrent_overlapping_bookings_exactly_one_wins(own_postgresql_database) -> None:  # noqa: ANN001
    factory = sessionmaker(bind=own_postgresql_database, expire_on_commit=False)
    with session_scope(factory) as session:
        world = factories.world(session, SETTINGS)
        nadia = factories.interpreter(session, SETTINGS, world)
        worker, person_id, nadia_id = world.actor("worker"), world.person.id, nadia.id
    start = threading.Barrier(ATTEMPTS)
    won: list[str] = []
    lost: list[int] = []
    failures: list[BaseException] = []

    def attempt(number: int) -> None:
        # Overlapping windows: 10:00–11:00, 10:15–11:15, 10:30–11:30, ... each overlaps the first.
        wanted = search(start=at(10, (number % 4) * 15))
        try:
            start.wait()
            with session_scope(factory) as session:
                booking = service.book(session, SETTINGS, worker, person_id, nadia_id, wanted)
                won.append(booking.id)
        except Conflict:
            lost.append(number)
        except BaseException as error:  # noqa: BLE001 - reported below
            failures.append(error)

    threads = [threading.Thread(target=attempt, args=(number,)) for number in range(ATTEMPTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert len(won) == 1 and len(lost) == ATTEMPTS - 1
    with session_scope(factory) as session:
        assert session.scalar(select(func.count()).select_from(InterpreterBooking)) == 1
        held = session.scalars(select(InterpreterBookingSlot.booking_id).distinct()).all()
        assert held == won
        first = session.scalar(select(InterpreterBooking))
        assert first.ends_at - first.starts_at == dt.timedelta(hours=1)
