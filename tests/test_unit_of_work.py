"""One unit of work for HTTP and the CLI: committed before the response is sent; a commit that fails is never a 2xx.

The failing commit is a real database failure on both databases: a foreign key declared DEFERRABLE INITIALLY
DEFERRED is only checked at COMMIT, so the route's writes flush without complaint and the database refuses them at
the very end, as it would for any constraint only the commit can check. The probe tables live in the test's own
database (one per xdist worker) and are dropped afterwards; the app's sessions are bound to the engine itself (not to
the rolled-back test transaction of the `session_factory` fixture), so that commits are real commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Annotated

import pytest
from fastapi import APIRouter, Depends, FastAPI
from fastapi.responses import HTMLResponse, StreamingResponse
from fastapi.testclient import TestClient
from sqlalchemy import Column, ForeignKey, MetaData, String, Table, delete, event, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from carebridge import cli, db
from carebridge.access import PublicAccess
from carebridge.app import create_app
from carebridge.errors import Conflict, InvalidInput, NotSaved
from carebridge.web import SessionDep, get_session

probe_metadata = MetaData()
parents = Table("uow_probe_parent", probe_metadata, Column("id", String(64), primary_key=True))
children = Table(
    "uow_probe_child",
    probe_metadata,
    Column("id", String(64), primary_key=True),
    Column(
        "parent_id",
        String(64),
        ForeignKey("uow_probe_parent.id", deferrable=True, initially="DEFERRED", name="fk_uow_probe_child_parent"),
        nullable=False,
    ),
)


@pytest.fixture
def probe_engine(engine: Engine) -> Iterator[Engine]:
    probe_metadata.create_all(engine)
    yield engine
    probe_metadata.drop_all(engine)


@pytest.fixture
def real_factory(probe_engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=probe_engine, expire_on_commit=False)


def stored_parents(engine: Engine) -> set[str]:
    """What another connection sees as committed."""
    with engine.connect() as connection:
        return set(connection.execute(select(parents.c.id)).scalars())


def write_then_break(session: Session, marker: str) -> None:
    """A row that would be kept, then one the database refuses only at COMMIT (its parent does not exist)."""
    session.execute(insert(parents).values(id=marker))
    session.execute(insert(children).values(id=marker, parent_id="no-such-parent-" + marker))
    session.flush()  # nothing complains yet: the check is deferred to the commit


LateSessionDep = Annotated[Session, Depends(get_session, scope="request")]


def probe_router(engine: Engine, events: list[str]) -> APIRouter:
    router = APIRouter(dependencies=[PublicAccess])

    @router.post("/api/v1/probe/broken")
    def api_broken(session: SessionDep) -> dict:
        write_then_break(session, "api-broken")
        return {"saved": True}

    @router.post("/probe/broken", response_class=HTMLResponse)
    def page_broken(session: SessionDep) -> HTMLResponse:
        write_then_break(session, "page-broken")
        return HTMLResponse("<p>saved</p>")

    @router.post("/staff/probe/broken", response_class=HTMLResponse)
    def staff_page_broken(session: SessionDep) -> HTMLResponse:
        write_then_break(session, "staff-broken")
        return HTMLResponse("<p>saved</p>")

    @router.post("/api/v1/probe/raises")
    def api_raises(session: SessionDep) -> dict:
        session.execute(insert(parents).values(id="api-raises"))
        session.flush()
        raise Conflict()

    @router.post("/probe/raises", response_class=HTMLResponse)
    def page_raises(session: SessionDep) -> HTMLResponse:
        session.execute(insert(parents).values(id="page-raises"))
        session.flush()
        raise InvalidInput()

    def body_seen_from_another_connection(marker: str) -> Iterator[bytes]:
        # Runs while the response body is produced, i.e. after the route returned: is the row committed yet?
        events.append("body")
        yield b"committed" if marker in stored_parents(engine) else b"not committed"

    @router.post("/api/v1/probe/ok")
    def api_ok(session: SessionDep) -> StreamingResponse:
        session.execute(insert(parents).values(id="api-ok"))
        event.listen(session, "after_commit", lambda _session: events.append("commit"))
        return StreamingResponse(body_seen_from_another_connection("api-ok"), media_type="text/plain")

    @router.post("/api/v1/probe/late")
    def api_late(session: LateSessionDep) -> StreamingResponse:
        # The control: the default (request) scope commits only after the response, the defect issue 8 fixes.
        session.execute(insert(parents).values(id="api-late"))
        event.listen(session, "after_commit", lambda _session: events.append("commit"))
        return StreamingResponse(body_seen_from_another_connection("api-late"), media_type="text/plain")

    return router


@pytest.fixture
def events() -> list[str]:
    return []


@pytest.fixture
def probe_app(real_factory: sessionmaker[Session], probe_engine: Engine, events: list[str], compiled_catalogs) -> FastAPI:  # noqa: ANN001
    app = create_app(session_factory=real_factory)
    app.include_router(probe_router(probe_engine, events))

    class ResponseStartRecorder:
        def __init__(self, inner) -> None:  # noqa: ANN001
            self.inner = inner

        async def __call__(self, scope, receive, send) -> None:  # noqa: ANN001
            async def recording_send(message) -> None:  # noqa: ANN001
                if message["type"] == "http.response.start":
                    events.append("response-start")
                await send(message)

            await self.inner(scope, receive, recording_send)

    app.add_middleware(ResponseStartRecorder)
    return app


@pytest.fixture
def probe_client(probe_app: FastAPI) -> TestClient:
    # Not entered as a context manager: the start-up work (search index, checker) is not what is tested here.
    return TestClient(probe_app, raise_server_exceptions=False, headers={"Origin": "http://testserver"})


def test_a_commit_that_fails_is_a_503_problem_document_and_nothing_is_kept(probe_client, probe_engine):
    response = probe_client.post("/api/v1/probe/broken")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 503 and problem["type"].endswith("/not-saved")
    assert "saved" not in problem  # the route's own answer never went out
    assert "api-broken" not in stored_parents(probe_engine)


def test_a_commit_that_fails_on_a_page_is_the_error_page_with_a_reference(probe_client, probe_engine):
    response = probe_client.post("/probe/broken")
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("text/html")
    assert "<p>saved</p>" not in response.text
    assert "Your changes were not saved" in response.text
    reference = response.headers["x-request-id"]
    assert len(reference) == 32 and reference in response.text
    assert "page-broken" not in stored_parents(probe_engine)


def test_a_commit_that_fails_on_a_staff_page_is_the_staff_error_page_with_a_reference(probe_client, probe_engine):
    response = probe_client.post("/staff/probe/broken")
    assert response.status_code == 503
    assert "Nothing was saved. Please try again in a few minutes." in response.text  # the staff error page's text
    assert 'href="/staff"' in response.text
    assert response.headers["x-request-id"] in response.text
    assert "staff-broken" not in stored_parents(probe_engine)


def test_a_route_that_succeeds_has_committed_before_its_response_starts(probe_client, probe_engine, events):
    response = probe_client.post("/api/v1/probe/ok")
    assert response.status_code == 200
    assert response.text == "committed"  # seen from another connection while the body was being produced
    # (GZip holds the response start until the first body chunk, so "body" may come before "response-start".)
    assert events[0] == "commit" and sorted(events) == ["body", "commit", "response-start"]
    assert "api-ok" in stored_parents(probe_engine)


def test_the_control_a_request_scoped_session_commits_only_after_the_response(probe_client, probe_engine, events):
    # Proves the test above can fail: with FastAPI's default scope for yield dependencies the row is not yet
    # committed while the response is sent (the defect issue 8 names), and the events come in the other order.
    response = probe_client.post("/api/v1/probe/late")
    assert response.status_code == 200
    assert response.text == "not committed"
    assert events[-1] == "commit" and sorted(events) == ["body", "commit", "response-start"]


@pytest.mark.parametrize(("path", "status", "marker"), [("/api/v1/probe/raises", 409, "api-raises"), ("/probe/raises", 422, "page-raises")])
def test_a_route_that_raises_rolls_back_everything(probe_client, probe_engine, path, status, marker):
    response = probe_client.post(path)
    assert response.status_code == status
    assert marker not in stored_parents(probe_engine)


def test_every_response_carries_its_request_id(probe_client):
    first = probe_client.get("/api/v1/health")
    second = probe_client.get("/api/v1/health")
    assert len(first.headers["x-request-id"]) == 32
    assert first.headers["x-request-id"] != second.headers["x-request-id"]


# --- the same unit of work for the command line --------------------------------------------------------------------


def test_session_scope_turns_a_failing_commit_into_not_saved_and_keeps_nothing(real_factory, probe_engine, caplog):
    marker = "cli-" + uuid.uuid4().hex
    with pytest.raises(NotSaved) as raised, db.session_scope(real_factory) as session:
        write_then_break(session, marker)
    assert marker not in str(raised.value) and "no-such-parent" not in caplog.text  # no data in messages or logs
    assert marker not in stored_parents(probe_engine)


def test_session_scope_commits_once_when_the_block_succeeds(real_factory, probe_engine):
    marker = "cli-ok-" + uuid.uuid4().hex
    with db.session_scope(real_factory) as session:
        session.execute(insert(parents).values(id=marker))
    assert marker in stored_parents(probe_engine)
    with db.session_scope(real_factory) as session:
        session.execute(delete(parents).where(parents.c.id == marker))


@pytest.fixture
def cli_with_probe_commands(monkeypatch, real_factory):  # noqa: ANN001, ANN201
    """`carebridge probe-broken` / `probe-invalid`: commands added to the real parser, as a domain's cli module would."""
    build = cli.build_parser

    def broken(_args) -> int:  # noqa: ANN001
        with db.session_scope(real_factory) as session:
            write_then_break(session, "cli-command-" + uuid.uuid4().hex)
        return 0

    def invalid(_args) -> int:  # noqa: ANN001
        raise InvalidInput("There is no organisation called %(name)s.", name="Nowhere")

    def with_probes():  # noqa: ANN202
        parser = build()
        commands = next(action for action in parser._actions if action.dest == "command")  # noqa: SLF001
        commands.add_parser("probe-broken").set_defaults(func=broken)
        commands.add_parser("probe-invalid").set_defaults(func=invalid)
        return parser

    monkeypatch.setattr(cli, "build_parser", with_probes)


def test_a_cli_command_whose_commit_fails_exits_1_with_a_plain_message(cli_with_probe_commands, capsys):
    assert cli.main(["probe-broken"]) == 1
    err = capsys.readouterr().err
    assert err == "carebridge: Nothing was saved. Please try again in a moment.\n"
    assert "Traceback" not in err


def test_a_cli_command_refused_for_its_input_exits_2_with_its_message(cli_with_probe_commands, capsys):
    assert cli.main(["probe-invalid"]) == 2
    assert capsys.readouterr().err == "carebridge: There is no organisation called Nowhere.\n"
