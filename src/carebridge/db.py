"""Engine, session factory, naming convention and the declarative Base.

The request owns the transaction: `session_scope` / the `SessionDep` dependency commit once when the unit of
work succeeds and roll back as a whole when it fails. Domain services never call commit().
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Column, DateTime, MetaData, String, Table, Text, create_engine, event, insert, select, update
from sqlalchemy.engine import Dialect, Engine, make_url
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.schema import CreateIndex
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from carebridge.config import get_settings

log = logging.getLogger("carebridge")

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


@compiles(CreateIndex, "sqlite")
def _sqlite_create_index(element: CreateIndex, compiler: object, **kw: object) -> str:
    """SQLite refuses NULLS FIRST in an index (it puts NULLs first in ascending order anyway): an index declared
    with it for PostgreSQL (clients.models' caseload order) is made without it here."""
    return compiler.visit_create_index(element, **kw).replace(" NULLS FIRST", "")  # type: ignore[attr-defined]


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A moment, always aware and in UTC on the way out, on both databases (SQLite keeps no zone: naive values
    read back from it are UTC because only UTC is written). A naive value on the way in is a bug: refused."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("a naive datetime cannot be stored: use kit.clock.now()")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def new_id() -> str:
    """A random identifier for a new row (UUID4 as text: the same on both databases, and guessing one is useless)."""
    return str(uuid.uuid4())


# Small facts about the installation itself, by name: e.g. "demo" = which demo data was loaded, at which directory
# revision (so that `make run` does not reload it needlessly). Not directory data: never exported or published.
app_state = Table(
    "app_state",
    Base.metadata,
    Column("name", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)


def read_state(session: Session, name: str) -> str | None:
    return session.execute(select(app_state.c.value).where(app_state.c.name == name)).scalar()


def write_state(session: Session, name: str, value: str) -> None:
    if session.execute(update(app_state).where(app_state.c.name == name).values(value=value)).rowcount == 0:
        session.execute(insert(app_state).values(name=name, value=value))


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def _configure_sqlite(engine: Engine) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINT (used by tests and nested units of work);
    # hand transaction control to SQLAlchemy, as its documentation recommends.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):  # type: ignore[no-untyped-def]
        connection.exec_driver_sql("BEGIN")


@lru_cache
def get_engine() -> Engine:
    return make_engine(get_settings().database_url)


@lru_cache
def get_session_factory() -> sessionmaker[Session]:
    # audit_stripes: read by audit.repository from the session (domain code does not read settings itself).
    return sessionmaker(bind=get_engine(), expire_on_commit=False, info={"audit_stripes": get_settings().audit_stripes})


@contextmanager
def session_scope(factory: sessionmaker[Session] | None = None) -> Iterator[Session]:
    """One unit of work (HTTP requests, CLI commands and jobs alike): commit if the block succeeds, roll back
    everything if it raises. A commit that fails raises NotSaved, whose message says nothing of the data."""
    session = (factory or get_session_factory())()
    try:
        yield session
        commit(session)
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def commit(session: Session) -> None:
    """Commit, turning a database failure into NotSaved. Only the failure's type is logged: a database's message
    can quote the values that were being written."""
    from carebridge.errors import N_, NotSaved

    try:
        session.commit()
    except SQLAlchemyError as error:
        log.error("commit failed: %s", type(error).__name__)
        raise NotSaved(N_("Nothing was saved. Please try again in a moment.")) from None


def is_postgresql(session_or_engine: Session | Engine) -> bool:
    bind = session_or_engine.get_bind() if isinstance(session_or_engine, Session) else session_or_engine
    return bind.dialect.name == "postgresql"
