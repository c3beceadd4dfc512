"""The registry of domains (carebridge/domains.py) is the one place a domain plugs in.

Every entry resolves; the app, the command line and the migrations read the registry rather than lists of their own
(a fake domain added to the registry appears in all of them); the app refuses a route that declares no access; two
domains cannot claim the same job kind.
"""

from __future__ import annotations

import argparse
import sys
import types
from pathlib import Path

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient

from carebridge import access, cli, domains
from carebridge.access import PublicAccess
from carebridge.app import create_app

SRC = Path(__file__).resolve().parents[1] / "src" / "carebridge"


@pytest.mark.parametrize("domain", domains.DOMAINS, ids=lambda domain: domain.name)
def test_every_entry_resolves(domain: domains.Domain) -> None:
    checked = 0
    for name in domain.routers:
        assert isinstance(domains._resolve(name), APIRouter), name  # noqa: SLF001
        checked += 1
    for name in domain.startup:
        assert callable(domains._resolve(name)), name  # noqa: SLF001
        checked += 1
    if domain.models:
        assert isinstance(domains._resolve(domain.models), types.ModuleType)  # noqa: SLF001
        checked += 1
    if domain.cli:
        assert callable(domains._resolve(domain.cli).register), domain.cli  # noqa: SLF001
        checked += 1
    if domain.jobs:
        handlers = domains._resolve(domain.jobs).HANDLERS  # noqa: SLF001
        assert handlers and all(isinstance(kind, str) and callable(run) for kind, run in handlers.items())
        checked += 1
    for path, label, permission in domain.menu:
        from carebridge.accounts.permissions import PERMISSIONS

        assert path.startswith("/staff") and label and permission in PERMISSIONS, (path, permission)
        checked += 1
    assert checked, f"{domain.name} declares nothing"


def test_job_kinds_resolve_without_a_clash() -> None:
    handlers = domains.job_handlers()
    assert all(callable(run) for run in handlers.values())


def test_every_table_belongs_to_a_registered_models_module() -> None:
    from carebridge.db import Base

    domains.import_models()
    registered = {domain.models for domain in domains.DOMAINS if domain.models}
    owners = {table.name: mapper.class_.__module__ for mapper in Base.registry.mappers for table in mapper.tables}
    assert owners, "no mapped tables found"
    assert set(owners.values()) <= registered | {"carebridge.db"}, owners


# --- a fake domain, added to the registry only ---------------------------------------------------------------------

FAKE = "carebridge_fake_domain_for_tests"


@pytest.fixture
def fake_domain(monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    module = types.ModuleType(FAKE)
    module.started = []
    router = APIRouter(dependencies=[PublicAccess])

    @router.get("/api/v1/fake-domain")
    def fake_route() -> dict:
        return {"fake": True}

    def register(commands: argparse._SubParsersAction) -> None:  # noqa: SLF001
        commands.add_parser("fake-domain-command").set_defaults(func=lambda _args: 0)

    def startup(app: FastAPI) -> None:
        module.started.append(app)

    def run_fake_job(_session, _payload) -> None:  # noqa: ANN001
        pass

    module.router, module.register, module.startup, module.HANDLERS = router, register, startup, {"fake.job": run_fake_job}
    monkeypatch.setitem(sys.modules, FAKE, module)
    entry = domains.Domain(
        "fake", routers=(f"{FAKE}:router",), cli=FAKE, startup=(f"{FAKE}:startup",), jobs=FAKE, models=FAKE
    )
    monkeypatch.setattr(domains, "DOMAINS", (*domains.DOMAINS, entry))
    return module


def test_a_domain_added_to_the_registry_appears_in_the_app_the_command_and_the_worker(fake_domain, session_factory) -> None:  # noqa: ANN001
    app = create_app(session_factory=session_factory)
    assert "/api/v1/fake-domain" in {route.path for route in access.api_routes(app)}
    with TestClient(app) as client:  # runs the start-up work
        assert client.get("/api/v1/fake-domain").json() == {"fake": True}
    assert fake_domain.started == [app]

    parser = cli.build_parser()
    assert parser.parse_args(["fake-domain-command"]).func(None) == 0
    assert "fake.job" in domains.job_handlers()


def test_the_migrations_import_models_through_the_registry(fake_domain, monkeypatch) -> None:  # noqa: ANN001
    imported: list[str] = []
    real_resolve = domains._resolve  # noqa: SLF001

    def recording_resolve(name: str):  # noqa: ANN202
        imported.append(name)
        return real_resolve(name)

    monkeypatch.setattr(domains, "_resolve", recording_resolve)
    domains.import_models()
    assert FAKE in imported
    env = (SRC / "migrations" / "env.py").read_text(encoding="utf-8")
    assert "domains.import_models()" in env
    # ...and nowhere else does a list of model modules: env.py imports no domain's models by name.
    assert ".models" not in env


def test_a_job_kind_claimed_by_two_domains_is_refused(fake_domain, monkeypatch) -> None:  # noqa: ANN001
    twice = domains.Domain("fake-again", jobs=FAKE)
    monkeypatch.setattr(domains, "DOMAINS", (*domains.DOMAINS, twice))
    with pytest.raises(RuntimeError, match="fake.job"):
        domains.job_handlers()


def test_the_app_refuses_to_build_with_a_route_that_declares_no_access(monkeypatch, session_factory) -> None:  # noqa: ANN001
    module = types.ModuleType(FAKE)
    module.router = APIRouter()

    @module.router.get("/api/v1/forgot-to-say-who-may")
    def undeclared() -> dict:
        return {}

    monkeypatch.setitem(sys.modules, FAKE, module)
    monkeypatch.setattr(domains, "DOMAINS", (*domains.DOMAINS, domains.Domain("careless", routers=(f"{FAKE}:router",))))
    with pytest.raises(access.UndeclaredAccess, match="forgot-to-say-who-may"):
        create_app(session_factory=session_factory)


def test_the_app_as_built_declares_access_on_every_route(app) -> None:  # noqa: ANN001
    routes = access.api_routes(app)
    # Routers included (FastAPI 0.163 keeps them as one entry of app.routes each): far more than the app's own two.
    assert len(routes) > 20 and "/find/results" in {route.path for route in routes}
    assert all(access.declared_access(route) for route in routes)
