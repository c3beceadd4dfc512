"""A fresh PostgreSQL database with real commits, for what the per-test rolled-back transaction cannot show: a
second connection reading while rotation batches commit."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from carebridge.cli import upgrade_database
from carebridge.db import make_engine

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def committed_postgres(request: pytest.FixtureRequest) -> Iterator[str]:
    # Both files are called conftest.py: the root one is fetched from pytest's plugin registry.
    root = request.config.pluginmanager.get_plugin(str(PROJECT_ROOT / "tests" / "conftest.py"))
    POSTGRES_URL, _postgres_reachable, require = root.POSTGRES_URL, root._postgres_reachable, root.require  # noqa: N806
    require(
        "PostgreSQL",
        _postgres_reachable(),
        f"could not connect to {POSTGRES_URL}; set CAREBRIDGE_TEST_POSTGRES_URL to a PostgreSQL 15 server",
    )
    name = f"carebridge_keys_{uuid.uuid4().hex[:8]}"
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
