"""Staff sessions: hashed tokens, cookie attributes, idle and absolute timeouts, cheap last_seen_at, ending them."""

from __future__ import annotations

import datetime as dt

from factories import accounts as factories
from fastapi.testclient import TestClient
from sqlalchemy import select

from carebridge.accounts import sessions
from carebridge.accounts.models import StaffSession
from carebridge.config import Settings, get_settings
from carebridge.kit import clock


def _signed_in(session, client, roles=("planner",)):  # noqa: ANN001, ANN202
    account = factories.account(session, roles=roles)
    session.commit()
    assert factories.sign_in(client, account.email).headers["location"] == "/staff"
    return account


def test_a_session_ends_after_30_idle_minutes(session, client) -> None:  # noqa: ANN001
    _signed_in(session, client)
    start = clock.utc_now()
    with clock.pinned(start + dt.timedelta(minutes=29)):
        assert client.get("/staff", follow_redirects=False).status_code == 200
    # Idle time counts from the last request, not from sign-in.
    with clock.pinned(start + dt.timedelta(minutes=58)):
        assert client.get("/staff", follow_redirects=False).status_code == 200
    with clock.pinned(start + dt.timedelta(minutes=58 + 30)):
        response = client.get("/staff", follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/staff/sign-in")


def test_a_session_ends_12_hours_after_sign_in_however_active(session, client) -> None:  # noqa: ANN001
    _signed_in(session, client)
    start = clock.utc_now()
    moment = start
    while moment < start + dt.timedelta(hours=12) - dt.timedelta(minutes=20):
        moment += dt.timedelta(minutes=20)
        with clock.pinned(moment):
            assert client.get("/api/v1/staff/me").status_code == 200, moment - start
    with clock.pinned(start + dt.timedelta(hours=12)):
        assert client.get("/api/v1/staff/me").status_code == 401


def test_the_timeouts_are_settings(session, session_factory) -> None:  # noqa: ANN001
    from carebridge.app import create_app

    settings = Settings(staff_session_idle_minutes=5, staff_session_absolute_hours=1)
    with TestClient(create_app(settings=settings, session_factory=session_factory)) as client:
        _signed_in(session, client)
        with clock.pinned(clock.utc_now() + dt.timedelta(minutes=6)):
            assert client.get("/api/v1/staff/me").status_code == 401


def test_last_seen_is_written_at_most_once_a_minute(session, client) -> None:  # noqa: ANN001
    account = _signed_in(session, client)
    start = clock.utc_now()

    def last_seen() -> dt.datetime:
        session.expire_all()
        return session.scalar(
            select(StaffSession.last_seen_at).where(StaffSession.account_id == account.id, StaffSession.ended_at.is_(None))
        )

    with clock.pinned(start + dt.timedelta(seconds=59)):
        client.get("/api/v1/staff/me")
    assert last_seen() == start
    with clock.pinned(start + dt.timedelta(seconds=61)):
        client.get("/api/v1/staff/me")
    assert last_seen() == start + dt.timedelta(seconds=61)


def test_end_sessions_ends_every_open_session_of_the_account(session, client) -> None:  # noqa: ANN001
    account = _signed_in(session, client)
    other_account = factories.account(session, roles=("planner",))
    session.commit()
    other = TestClient(client.app, raise_server_exceptions=False)
    factories.sign_in(other, other_account.email)

    assert sessions.end_sessions(session, account.id, "roles-changed") == 1
    session.commit()
    assert client.get("/api/v1/staff/me").status_code == 401
    assert other.get("/api/v1/staff/me").status_code == 200
    reasons = session.scalars(select(StaffSession.end_reason).where(StaffSession.account_id == account.id)).all()
    assert reasons == ["roles-changed"]


def test_a_made_up_or_overlong_token_is_nobody(session) -> None:  # noqa: ANN001
    settings = get_settings()
    assert sessions.current(session, "not-a-token", settings) is None
    assert sessions.current(session, "x" * 5000, settings) is None
    assert sessions.current(session, None, settings) is None


def test_with_secure_cookies_the_cookie_is_host_prefixed_and_secure(session, session_factory) -> None:  # noqa: ANN001
    from carebridge.app import create_app

    settings = Settings(secure_cookies=True)
    app = create_app(settings=settings, session_factory=session_factory)
    with TestClient(app, base_url="https://testserver") as client:
        account = factories.account(session, roles=("planner",))
        session.commit()
        page = client.get("/staff/sign-in")
        assert "__Host-carebridge_sign_in=" in page.headers["set-cookie"]
        response = client.post(
            "/staff/sign-in",
            data={"email": account.email, "password": factories.PASSWORD, "csrf_token": factories.form_token(page.text)},
            headers={"Origin": "https://testserver"},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text[:500]
        cookie = next(value for value in response.headers.get_list("set-cookie") if "carebridge_session" in value)
        assert cookie.startswith("__Host-carebridge_session=")
        assert "Secure" in cookie and "HttpOnly" in cookie and "Path=/" in cookie and "SameSite=lax" in cookie
        assert "Domain" not in cookie
        assert client.get("/api/v1/staff/me").status_code == 200


def test_an_authenticated_request_costs_one_query_and_no_write_within_a_minute(session, client, connection) -> None:  # noqa: ANN001
    from sqlalchemy import event

    _signed_in(session, client)
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:  # noqa: ANN001
        if statement.lstrip().upper().startswith(("SELECT", "INSERT", "UPDATE", "DELETE")):
            statements.append(statement)

    event.listen(connection, "before_cursor_execute", record)
    try:
        with clock.pinned(clock.utc_now() + dt.timedelta(seconds=30)):
            assert client.get("/staff/recovery-codes").status_code == 200  # a page that reads nothing itself
        assert len(statements) == 1 and "staff_session" in statements[0] and "staff_role" in statements[0]
        statements.clear()
        with clock.pinned(clock.utc_now() + dt.timedelta(seconds=90)):
            assert client.get("/staff/recovery-codes").status_code == 200
        assert len(statements) == 2 and statements[1].lstrip().upper().startswith("UPDATE")
    finally:
        event.remove(connection, "before_cursor_execute", record)


def _events(session, action: str):  # noqa: ANN001, ANN202
    from carebridge.audit.models import AuditEvent

    session.expire_all()
    return session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def test_over_https_the_cookies_are_host_prefixed_and_secure_without_the_setting(session, session_factory) -> None:  # noqa: ANN001
    # Defect 4: behind HTTPS (the scheme uvicorn sets from X-Forwarded-Proto) the cookies lacked Secure and __Host-.
    from carebridge.app import create_app

    settings = Settings(secure_cookies=False)
    app = create_app(settings=settings, session_factory=session_factory)
    account = factories.account(session, roles=("planner",))
    session.commit()
    with TestClient(app, base_url="https://testserver") as client:
        page = client.get("/staff/sign-in")
        sign_in_cookie = page.headers["set-cookie"]
        assert sign_in_cookie.startswith("__Host-carebridge_sign_in=") and "Secure" in sign_in_cookie
        response = client.post(
            "/staff/sign-in",
            data={"email": account.email, "password": factories.PASSWORD, "csrf_token": factories.form_token(page.text)},
            headers={"Origin": "https://testserver"},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text[:500]
        cookie = next(value for value in response.headers.get_list("set-cookie") if "carebridge_session=" in value)
        assert cookie.startswith("__Host-carebridge_session=") and "Secure" in cookie and "Domain" not in cookie
        assert client.get("/api/v1/staff/me").status_code == 200
    # Over plain HTTP (development on 127.0.0.1) they stay plain, or browsers would refuse them.
    with TestClient(app, base_url="http://testserver") as client:
        page = client.get("/staff/sign-in")
        assert page.headers["set-cookie"].startswith("carebridge_sign_in=") and "Secure" not in page.headers["set-cookie"]


def test_an_idle_session_is_ended_and_audited_once(session, client) -> None:  # noqa: ANN001
    account = _signed_in(session, client)
    later = clock.utc_now() + dt.timedelta(minutes=31)
    with clock.pinned(later):
        assert client.get("/api/v1/staff/me").status_code == 401
        assert client.get("/staff", follow_redirects=False).status_code == 303
    events = _events(session, "session.expired")
    assert [(event.account_id, event.record_type) for event in events] == [(account.id, "staff_session")]
    row = session.scalars(select(StaffSession).where(StaffSession.id == events[0].record_id)).one()
    assert row.end_reason == "expired-idle" and row.ended_at is not None


def test_a_session_past_its_absolute_limit_is_audited_as_such(session, client) -> None:  # noqa: ANN001
    _signed_in(session, client)
    start = clock.utc_now()
    moment = start
    while moment < start + dt.timedelta(hours=12) - dt.timedelta(minutes=25):
        moment += dt.timedelta(minutes=25)
        with clock.pinned(moment):
            assert client.get("/api/v1/staff/me").status_code == 200
    with clock.pinned(start + dt.timedelta(hours=12, minutes=1)):
        assert client.get("/api/v1/staff/me").status_code == 401
    events = _events(session, "session.expired")
    assert len(events) == 1
    assert session.get(StaffSession, events[0].record_id).end_reason == "expired-absolute"


def test_a_signed_in_actor_refused_for_a_permission_is_audited(session, client) -> None:  # noqa: ANN001
    from carebridge.accounts.permissions import PERMISSIONS

    account = _signed_in(session, client, roles=("planner",))
    assert client.get("/api/v1/staff/audit-events").status_code == 403
    events = _events(session, "access.denied")
    assert len(events) == 1
    event = events[0]
    assert (event.account_id, event.outcome, event.record_type) == (account.id, "denied", "permission")
    assert event.record_id in PERMISSIONS


def test_serve_warns_when_a_real_deployment_has_not_forced_secure_cookies() -> None:
    from carebridge.cli import secure_cookies_warning

    warning = secure_cookies_warning(Settings(demo=False, secure_cookies=False))
    assert warning is not None and "CAREBRIDGE_SECURE_COOKIES=true" in warning
    assert secure_cookies_warning(Settings(demo=False, secure_cookies=True)) is None
    assert secure_cookies_warning(Settings(demo=True, secure_cookies=False)) is None
