"""Shared fixtures: every test that touches the database runs on SQLite and on PostgreSQL.

Each database is built by running the migrations (never create_all). Each test runs inside a transaction that is
rolled back afterwards; the app under test gets sessions joined to that transaction.

PostgreSQL comes from CAREBRIDGE_TEST_POSTGRES_URL (default: the local server, database `test`). Without it the
PostgreSQL runs are skipped and the summary says so loudly; under CI (CI=true) a missing PostgreSQL is a failure.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from carebridge.cli import upgrade_database
from carebridge.db import make_engine
from carebridge.kit import clock

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
POSTGRES_URL = os.environ.get("CAREBRIDGE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = PROJECT_ROOT.parent / "shared"

_skipped_for_missing: dict[str, str] = {}

# Every test runs at this moment, whatever day it is run on: Monday 23 November 2026, noon in London (GMT, so also
# 12:00 UTC), the day after the seeded rules' review (22 November 2026) and a weekday when most demo services are
# open. A test that needs another moment uses `clock.pinned(...)` or the `DATE_SPREAD` below.
FIXED_NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
# Moments across a year for the date-sensitive tests (leaflets, opening hours and open now, "last checked",
# staleness): month ends, a leap day, the year's end, and both sides of Europe/London's clock changes (last
# Sunday of March and of October, at 01:00 UTC).
DATE_SPREAD = {
    "31 Jan 23:59 UTC": dt.datetime(2027, 1, 31, 23, 59, tzinfo=dt.UTC),
    "28 Feb 2027 (not leap)": dt.datetime(2027, 2, 28, 12, 0, tzinfo=dt.UTC),
    "29 Feb 2028 (leap day)": dt.datetime(2028, 2, 29, 12, 0, tzinfo=dt.UTC),
    "before BST starts": dt.datetime(2027, 3, 28, 0, 59, tzinfo=dt.UTC),
    "BST started": dt.datetime(2027, 3, 28, 1, 0, tzinfo=dt.UTC),
    "30 Apr 23:30 UTC (1 May in London)": dt.datetime(2027, 4, 30, 23, 30, tzinfo=dt.UTC),
    "30 Jun": dt.datetime(2027, 6, 30, 16, 0, tzinfo=dt.UTC),
    "31 Aug 23:00 UTC (1 Sep in London)": dt.datetime(2027, 8, 31, 23, 0, tzinfo=dt.UTC),
    "before BST ends": dt.datetime(2026, 10, 25, 0, 59, tzinfo=dt.UTC),
    "BST ended": dt.datetime(2026, 10, 25, 1, 0, tzinfo=dt.UTC),
    "30 Nov": dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC),
    "31 Dec 23:59 UTC": dt.datetime(2026, 12, 31, 23, 59, tzinfo=dt.UTC),
}


@pytest.fixture(scope="session", autouse=True)
def _one_password_hash_per_password() -> Iterator[None]:
    """Test accounts mostly share one password (factories.accounts.PASSWORD), and hashing it with the production
    Argon2id parameters costs ~50 ms each time: thousands of accounts made that hash alone for minutes of CI. Each
    password is hashed once per process with the real parameters and the hash is reused (the same salt for every
    account with that password: harmless in a test database). Verifying a (hash, password) pair runs the real Argon2id
    check once per process and reuses its answer (the many sign-ins through the pages cost ~50 ms each otherwise).
    The functions that call them (accounts.service, accounts.pages) are the real ones."""
    from carebridge.accounts import passwords

    real_hash, real_verify = passwords.hash_password, passwords.verify_password
    hashes: dict[str, str] = {}
    verified: dict[tuple[str, str], bool] = {}

    def hash_once(password: str) -> str:
        if password not in hashes:
            hashes[password] = real_hash(password)
        return hashes[password]

    def verify_once(password_hash: str, password: str) -> bool:
        # The answer for a hash and a password never changes: the real check runs the first time, and its answer
        # (right or wrong) is reused for the thousands of sign-ins through the pages that follow.
        if (password_hash, password) not in verified:
            verified[(password_hash, password)] = real_verify(password_hash, password)
        return verified[(password_hash, password)]

    passwords.hash_password, passwords.verify_password = hash_once, verify_once
    yield
    passwords.hash_password, passwords.verify_password = real_hash, real_verify


@pytest.fixture(autouse=True)
def fixed_clock() -> Iterator[dt.datetime]:
    """Pin kit.clock for every test (see FIXED_NOW); the server itself reads the real clock."""
    with clock.pinned(FIXED_NOW) as moment:
        yield moment


@pytest.fixture(params=list(DATE_SPREAD.values()), ids=list(DATE_SPREAD))
def spread_moment(request: pytest.FixtureRequest) -> Iterator[dt.datetime]:
    """A test that takes this fixture runs once per moment of DATE_SPREAD, with the clock pinned there."""
    with clock.pinned(request.param) as moment:
        yield moment


@pytest.fixture(autouse=True)
def _fresh_download_cache() -> Iterator[None]:
    """Each test starts with an empty leaflet/audio cache (entitlements.pages.downloads)."""
    from carebridge.entitlements import pages

    pages._downloads = None
    yield
    pages._downloads = None


def require(what: str, available: bool, how_to_get_it: str) -> None:
    """Skip a test whose real dependency is missing, loudly; under CI, fail instead."""
    if available:
        return
    message = f"{what} is not available: {how_to_get_it}"
    if IN_CI:
        pytest.fail(f"{message} (CI=true: missing {what} is a failure, not a skip)", pytrace=False)
    _skipped_for_missing[what] = how_to_get_it
    pytest.skip(message)


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # noqa: ANN001, ARG001
    for what, how in _skipped_for_missing.items():
        terminalreporter.write_sep("!", f"{what.upper()} TESTS WERE SKIPPED", red=True, bold=True)
        terminalreporter.write_line(f"  {how}", red=True)


def _postgres_reachable() -> bool:
    try:
        engine = make_engine(POSTGRES_URL)
        with engine.connect() as connection:
            connection.execute(text("select 1"))
        engine.dispose()
        return True
    except Exception:  # noqa: BLE001 - any failure to connect means "not available"
        return False


@pytest.fixture(scope="session")
def _postgres_database() -> Iterator[str | None]:
    """A fresh PostgreSQL database for this test session (one per xdist worker), migrated to head."""
    if not _postgres_reachable():
        yield None
        return
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = f"carebridge_test_{worker}_{uuid.uuid4().hex[:8]}"
    admin = make_engine(POSTGRES_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    upgrade_database(url)
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def _sqlite_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'carebridge.db'}"
    upgrade_database(url)
    return url


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str:
    if request.param == "sqlite":
        return request.getfixturevalue("_sqlite_database")
    url = request.getfixturevalue("_postgres_database")
    require(
        "PostgreSQL",
        url is not None,
        f"could not connect to {POSTGRES_URL}; set CAREBRIDGE_TEST_POSTGRES_URL to a PostgreSQL 15 server",
    )
    return url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine):  # noqa: ANN201
    with engine.connect() as connection:
        transaction = connection.begin()
        yield connection
        transaction.rollback()


@pytest.fixture
def session_factory(connection) -> sessionmaker[Session]:  # noqa: ANN001
    """Sessions joined to the test's transaction: their commits are savepoints, rolled back after the test."""
    return sessionmaker(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)


@pytest.fixture(scope="module")
def demo_city_connection(engine: Engine):  # noqa: ANN201
    """One transaction for a whole module with the fictional Fairhaven directory loaded once, rolled back at the
    end. A module whose tests only read uses it as its `connection`:

        @pytest.fixture(scope="module")
        def connection(demo_city_connection):
            return demo_city_connection
    """
    from carebridge.directory.service import load_demo_data

    with engine.connect() as connection:
        transaction = connection.begin()
        session = Session(bind=connection, join_transaction_mode="create_savepoint")
        load_demo_data(session)
        session.commit()
        session.close()
        yield connection
        transaction.rollback()


@pytest.fixture(scope="session")
def compiled_catalogs() -> None:
    """Pages are rendered with the compiled catalogs: compile any .po newer than its .mo (as `make translations`)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    from carebridge import i18n
    from carebridge.config import get_settings

    for po_path in get_settings().locale_dir.glob("*/LC_MESSAGES/*.po"):
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file, locale=po_path.parts[-3])
            with mo_path.open("wb") as mo_file:
                write_mo(mo_file, catalog)
    i18n.get_translations.cache_clear()


@pytest.fixture
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    session = session_factory()
    yield session
    session.close()


@pytest.fixture
def app(session_factory: sessionmaker[Session]):  # noqa: ANN201
    from carebridge.app import create_app

    return create_app(session_factory=session_factory)


@pytest.fixture
def client(app):  # noqa: ANN001, ANN201
    from fastapi.testclient import TestClient

    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture(scope="session")
def hsds_dir() -> Path:
    """The official HSDS 3.1 schemas and examples, beside the project (../shared/hsds/3.1)."""
    path = SHARED_DIR / "hsds" / "3.1"
    if not (path / "schema" / "compiled" / "service.json").is_file():
        pytest.fail(f"the official HSDS 3.1 material is missing at {path}; it must sit beside the project root")
    return path


@pytest.fixture
def sign_in(client, session, compiled_catalogs):  # noqa: ANN001, ANN201, ARG001
    """Signs a staff account in through the pages for real (password, then TOTP), so every request passes the
    session cookie, CSRF and requires(). `sign_in(account)` returns the session's form token; `sign_in(None)` signs
    out. (A test module may define its own.)"""
    from factories import accounts as factories

    client.headers.update(factories.SAME_ORIGIN)

    def act_as(account):  # noqa: ANN001, ANN202
        client.cookies.clear()
        if account is None:
            return None
        if account.totp_confirmed_at is None:
            factories.enrol(session, account)
            session.commit()
        landed = factories.sign_in(client, account.email)
        assert landed.status_code == 303, landed.text[:300]
        home = client.get("/staff")
        assert home.status_code == 200
        return factories.form_token(home.text)

    return act_as
