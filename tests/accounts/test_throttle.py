"""Growing delays after failed sign-ins and codes: per account (existing or not, the same) and per network address
only when it sprays many accounts; never a hard lock; a success does not clear the address's count; a refused attempt
is audited."""

from __future__ import annotations

import datetime as dt

import pytest
from factories import accounts as factories
from fastapi.testclient import TestClient

from carebridge.accounts import throttle
from carebridge.kit import clock


@pytest.mark.parametrize(
    "failures,seconds_since,expected",
    [(4, 0, 0), (5, 0, 1), (6, 0, 2), (7, 1, 3), (10, 0, 32), (30, 0, 900), (30, 900, 0), (8, 8, 0)],
)
def test_the_wait_doubles_after_five_failures_up_to_fifteen_minutes(failures: int, seconds_since: int, expected: int) -> None:
    now = clock.utc_now()
    latest = now - dt.timedelta(seconds=seconds_since)
    assert throttle.wait_for(failures, latest, throttle.FREE_PER_ACCOUNT, now) == dt.timedelta(seconds=expected)


def _attempt(client, email: str, password: str = "not the password at all"):  # noqa: ANN001, ANN202
    page = client.get("/staff/sign-in")
    return client.post(
        "/staff/sign-in",
        data={"email": email, "password": password, "csrf_token": factories.form_token(page.text)},
        headers=factories.SAME_ORIGIN,
        follow_redirects=False,
    )


@pytest.mark.parametrize("exists", [True, False], ids=["existing account", "no such account"])
def test_after_five_failures_the_account_must_wait_the_same_whether_or_not_it_exists(session, client, exists: bool) -> None:  # noqa: ANN001
    email = factories.account(session, roles=("planner",)).email if exists else "nobody-here@example.org"
    session.commit()
    start = clock.utc_now()
    for second in range(5):
        with clock.pinned(start + dt.timedelta(seconds=second)):
            assert _attempt(client, email).status_code == 401
    with clock.pinned(start + dt.timedelta(seconds=4, milliseconds=500)):
        refused = _attempt(client, email, factories.PASSWORD)
        assert refused.status_code == 429
        assert "Too many attempts. Try again in 1 minute." in refused.text
    # Not a lock: after the wait, the right password works.
    with clock.pinned(start + dt.timedelta(seconds=6)):
        answer = _attempt(client, email, factories.PASSWORD)
        assert answer.status_code == (303 if exists else 401)


def test_the_wait_grows_with_each_failure(session, client) -> None:  # noqa: ANN001
    email = "someone@example.org"
    moment = clock.utc_now()
    # Twelve failures 70 s apart, each after the wait then due (at most 2^6 = 64 s): all within 15 minutes.
    for _ in range(12):
        with clock.pinned(moment):
            assert _attempt(client, email).status_code == 401
        moment += dt.timedelta(seconds=70)
    latest = moment - dt.timedelta(seconds=70)
    with clock.pinned(latest + dt.timedelta(seconds=1)):
        # Twelve failures: 2^7 = 128 s from the latest, 127 s still to wait: "3 minutes" (whole minutes, rounded up).
        response = _attempt(client, email)
        assert response.status_code == 429 and "Try again in 3 minutes." in response.text
    with clock.pinned(latest + dt.timedelta(seconds=128)):
        assert _attempt(client, email).status_code == 401


def _failures_from_this_address(session, client, accounts: int, each: int = 1) -> None:  # noqa: ANN001
    """`each` recorded failures for each of `accounts` made-up e-mail addresses, from the test client's address."""
    settings = client.app.state.settings
    from carebridge.accounts import service

    for number in range(accounts):
        keys = throttle.Keys(
            account=throttle.account_key(settings, service.email_key(f"guess{number}@example.org")),
            address=throttle.address_key(settings, "testclient"),
        )
        for _ in range(each):
            throttle.record(session, keys, succeeded=False)
    session.commit()


def _audit_events(session, action: str):  # noqa: ANN001, ANN202
    from sqlalchemy import select

    from carebridge.audit.models import AuditEvent

    session.expire_all()
    return session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def test_an_office_full_of_typos_never_keeps_another_account_out(session, client) -> None:  # noqa: ANN001
    # Defect 3: 25 failures from one address used to answer 429 to a correct password for another account.
    account = factories.account(session, roles=("planner",))
    session.commit()
    _failures_from_this_address(session, client, accounts=throttle.SPRAY_ACCOUNTS - 1, each=3)
    assert _attempt(client, account.email, factories.PASSWORD).status_code == 303
    assert _audit_events(session, "sign-in.throttled") == []


def test_an_address_failing_for_many_different_accounts_is_slowed_for_a_short_while(session, client) -> None:  # noqa: ANN001
    account = factories.account(session, roles=("planner",))
    session.commit()
    start = clock.utc_now()
    _failures_from_this_address(session, client, accounts=throttle.SPRAY_ACCOUNTS, each=2)
    with clock.pinned(start + dt.timedelta(milliseconds=100)):
        refused = _attempt(client, account.email, factories.PASSWORD)
        assert refused.status_code == 429 and "Too many attempts" in refused.text
    # Capped at five minutes for an address (never the fifteen of an account).
    with clock.pinned(start + throttle.LONGEST_ADDRESS_WAIT + dt.timedelta(seconds=1)):
        assert _attempt(client, account.email, factories.PASSWORD).status_code == 303
    events = _audit_events(session, "sign-in.throttled")
    assert [(event.account_id, event.outcome) for event in events] == [(account.id, "denied")]


def test_a_refused_attempt_is_audited_without_the_e_mail_address(session, client) -> None:  # noqa: ANN001
    start = clock.utc_now()
    for second in range(5):
        with clock.pinned(start + dt.timedelta(seconds=second)):
            assert _attempt(client, "nobody-here@example.org").status_code == 401
    with clock.pinned(start + dt.timedelta(seconds=4, milliseconds=500)):
        assert _attempt(client, "nobody-here@example.org").status_code == 429
    events = _audit_events(session, "sign-in.throttled")
    assert len(events) == 1 and events[0].account_id is None and events[0].outcome == "denied"
    assert "nobody-here" not in repr([getattr(events[0], column.key) for column in events[0].__table__.columns])


def test_a_success_does_not_clear_the_address_count_but_clears_the_account_count(session, client) -> None:  # noqa: ANN001
    account = factories.account(session, roles=("planner",))
    session.commit()
    start = clock.utc_now()
    _failures_from_this_address(session, client, accounts=throttle.SPRAY_ACCOUNTS - 2)
    for number in range(4):
        with clock.pinned(start + dt.timedelta(seconds=number)):
            assert _attempt(client, account.email).status_code == 401
    moment = start + dt.timedelta(seconds=5)
    with clock.pinned(moment):
        assert _attempt(client, account.email, factories.PASSWORD).status_code == 303
    with clock.pinned(moment + dt.timedelta(seconds=1)):
        # The account's four failures were before its success: a fifth failure is not yet throttled...
        assert _attempt(TestClient(client.app), account.email).status_code == 401
    with clock.pinned(moment + dt.timedelta(seconds=2)):
        # ...and the address's count still holds them: with this one it has failed for SPRAY_ACCOUNTS accounts...
        assert _attempt(TestClient(client.app), "another@example.org").status_code == 401
    with clock.pinned(moment + dt.timedelta(seconds=2, milliseconds=500)):
        # ...so it is now slowed down.
        assert _attempt(TestClient(client.app), "a-third@example.org").status_code == 429


def test_wrong_codes_are_throttled_per_account(session, client) -> None:  # noqa: ANN001
    account = factories.enrolled_account(session)
    session.commit()
    start = clock.utc_now()
    response = factories.sign_in(client, account.email, code="000000")
    assert response.status_code == 401
    for second in range(1, 5):
        with clock.pinned(start + dt.timedelta(seconds=second)):
            page = client.get("/staff/sign-in/code")
            response = client.post("/staff/sign-in/code", data={"code": "000000", "csrf_token": factories.form_token(page.text)},
                                   headers=factories.SAME_ORIGIN)
            assert response.status_code == 401
    with clock.pinned(start + dt.timedelta(seconds=4, milliseconds=500)):
        page = client.get("/staff/sign-in/code")
        response = client.post("/staff/sign-in/code", data={"code": factories.totp_code(), "csrf_token": factories.form_token(page.text)},
                               headers=factories.SAME_ORIGIN)
        assert response.status_code == 429 and "Too many attempts" in response.text
    events = _audit_events(session, "sign-in.throttled")
    assert [(event.account_id, event.record_id, event.outcome) for event in events] == [(account.id, "second-factor", "denied")]


def test_the_attempts_table_holds_no_address_and_no_e_mail(session, client) -> None:  # noqa: ANN001
    from sqlalchemy import select

    from carebridge.accounts.models import SignInAttempt

    _attempt(client, "visible@example.org")
    rows = session.execute(select(SignInAttempt.email_key, SignInAttempt.address_key)).all()
    assert len(rows) == 1
    email_key, address_key = rows[0]
    assert "visible" not in email_key and "testclient" not in address_key
    assert len(email_key) == len(address_key) == 64
