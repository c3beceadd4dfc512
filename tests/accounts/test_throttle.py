"""Growing delays after failed sign-ins and codes: per account (existing or not, the same) and per network address;
never a hard lock; a success does not clear the address's count."""

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


def test_many_failures_from_one_address_slow_that_address_for_every_account(session, client) -> None:  # noqa: ANN001
    account = factories.account(session, roles=("planner",))
    session.commit()
    start = clock.utc_now()
    for number in range(throttle.FREE_PER_ADDRESS):
        with clock.pinned(start + dt.timedelta(seconds=number)):
            assert _attempt(client, f"guess{number}@example.org").status_code == 401
    with clock.pinned(start + dt.timedelta(seconds=throttle.FREE_PER_ADDRESS - 1, milliseconds=100)):
        assert _attempt(client, account.email, factories.PASSWORD).status_code == 429


def test_a_success_does_not_clear_the_address_count_but_clears_the_account_count(session, client) -> None:  # noqa: ANN001
    account = factories.account(session, roles=("planner",))
    session.commit()
    start = clock.utc_now()
    for number in range(throttle.FREE_PER_ADDRESS - 1):
        with clock.pinned(start + dt.timedelta(seconds=number)):
            email = account.email if number < 4 else f"guess{number}@example.org"
            assert _attempt(client, email).status_code == 401
    moment = start + dt.timedelta(seconds=throttle.FREE_PER_ADDRESS)
    with clock.pinned(moment):
        assert _attempt(client, account.email, factories.PASSWORD).status_code == 303
    with clock.pinned(moment + dt.timedelta(seconds=1)):
        # The account's four failures were before its success: a fifth failure is not yet throttled...
        assert _attempt(TestClient(client.app), account.email).status_code == 401
    with clock.pinned(moment + dt.timedelta(seconds=1, milliseconds=500)):
        # ...but the address now has 20 failures in 15 minutes.
        assert _attempt(TestClient(client.app), "another@example.org").status_code == 429


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


def test_the_attempts_table_holds_no_address_and_no_e_mail(session, client) -> None:  # noqa: ANN001
    from sqlalchemy import select

    from carebridge.accounts.models import SignInAttempt

    _attempt(client, "visible@example.org")
    rows = session.execute(select(SignInAttempt.email_key, SignInAttempt.address_key)).all()
    assert len(rows) == 1
    email_key, address_key = rows[0]
    assert "visible" not in email_key and "testclient" not in address_key
    assert len(email_key) == len(address_key) == 64
