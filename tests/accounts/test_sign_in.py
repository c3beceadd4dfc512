"""Signing in end to end through the pages (TestClient): password, second factor, enrolment, recovery codes,
sign-out, the audit events, and the same answer whether or not an account exists."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from argon2 import PasswordHasher
from factories import accounts as factories
from sqlalchemy import select

from carebridge.accounts import sessions
from carebridge.accounts.models import RecoveryCode, StaffAccount, StaffSession
from carebridge.kit import clock


@pytest.fixture
def audited(monkeypatch):  # noqa: ANN001, ANN201
    """The sign-in audit events recorded, as (action, keyword arguments) (the factories' own events left out)."""
    from carebridge.audit import service

    events: list[tuple[str, dict]] = []

    def record(session, action, **kwargs):  # noqa: ANN001, ANN003, ANN202
        if not action.startswith(("organisation.", "team.", "account.")):
            events.append((action, kwargs))

    monkeypatch.setattr(service, "record", record)
    return events


def _cookie(response) -> str:  # noqa: ANN001
    match = re.search(r"carebridge_session=([^;]+)", response.headers.get("set-cookie", ""))
    assert match, response.headers.get("set-cookie")
    return match.group(1)


def test_password_and_code_sign_in_lands_on_the_staff_home_page(session, client, audited) -> None:  # noqa: ANN001
    account = factories.enrolled_account(session, roles=("link-worker",), name="Amal Haddad")
    session.commit()

    page = client.get("/staff/sign-in")
    assert page.status_code == 200
    assert 'autocomplete="username"' in page.text and 'autocomplete="current-password"' in page.text
    response = client.post(
        "/staff/sign-in",
        data={"email": account.email.upper(), "password": factories.PASSWORD, "csrf_token": factories.form_token(page.text)},
        headers=factories.SAME_ORIGIN,
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/staff/sign-in/code"
    password_token = _cookie(response)
    set_cookie = response.headers["set-cookie"].lower()
    assert "httponly" in set_cookie and "samesite=lax" in set_cookie and "path=/" in set_cookie

    # Password only: no staff page yet, and 401 on the API.
    assert client.get("/staff", follow_redirects=False).headers["location"] == "/staff/sign-in/code"
    assert client.get("/api/v1/staff/me").status_code == 401

    code_page = client.get("/staff/sign-in/code")
    assert 'autocomplete="one-time-code"' in code_page.text and 'inputmode="numeric"' in code_page.text
    response = client.post(
        "/staff/sign-in/code",
        data={"code": factories.totp_code(), "csrf_token": factories.form_token(code_page.text)},
        headers=factories.SAME_ORIGIN,
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/staff"
    full_token = _cookie(response)
    assert full_token != password_token  # a new session id after the second factor

    home = client.get("/staff")
    assert home.status_code == 200 and "Amal Haddad" in home.text and "link-worker" in home.text
    me = client.get("/api/v1/staff/me").json()
    assert me["name"] == "Amal Haddad" and me["roles"] == ["link-worker"] and "person.read" in me["permissions"]

    rows = session.scalars(select(StaffSession).where(StaffSession.account_id == account.id)).all()
    by_hash = {row.token_hash: row for row in rows}
    assert by_hash[sessions.hash_token(password_token)].end_reason == "replaced"
    live = by_hash[sessions.hash_token(full_token)]
    assert live.ended_at is None and live.second_factor_at is not None
    # Only the token's hash is stored.
    assert all(full_token.encode() not in bytes(row.token_hash) for row in rows)
    assert [action for action, _ in audited] == ["sign-in.success", "second-factor.success"]


def test_a_wrong_password_and_an_unknown_account_get_the_same_answer(session, client, audited) -> None:  # noqa: ANN001
    account = factories.enrolled_account(session)
    session.commit()

    answers = []
    for email, password in [(account.email, "wrong password entirely"), ("nobody@example.org", factories.PASSWORD)]:
        page = client.get("/staff/sign-in")
        response = client.post(
            "/staff/sign-in",
            data={"email": email, "password": password, "csrf_token": factories.form_token(page.text)},
            headers=factories.SAME_ORIGIN,
        )
        answers.append((response.status_code, re.sub(r'value="[^"]*"', "", response.text)))
    assert answers[0][0] == answers[1][0] == 401
    assert "The e-mail address or the password is not right" in answers[0][1]
    assert answers[0][1] == answers[1][1]
    assert [(action, kwargs.get("account_id"), kwargs["outcome"]) for action, kwargs in audited] == [
        ("sign-in.failure", account.id, "failure"),
        ("sign-in.failure", None, "failure"),
    ]
    assert client.cookies.get(sessions.PLAIN_COOKIE) is None


def test_a_missing_field_is_named_in_the_error_summary(session, client) -> None:  # noqa: ANN001
    page = client.get("/staff/sign-in?lang=ar")
    response = client.post(
        "/staff/sign-in?lang=ar",
        data={"email": "", "password": "", "csrf_token": factories.form_token(page.text)},
        headers=factories.SAME_ORIGIN,
    )
    assert response.status_code == 422
    assert '<html lang="ar" dir="rtl">' in response.text
    assert 'href="#email"' in response.text and 'href="#password"' in response.text


def test_an_anonymous_visitor_is_sent_to_sign_in_and_then_back(session, client) -> None:  # noqa: ANN001
    account = factories.enrolled_account(session)
    session.commit()
    response = client.get("/staff/account", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/staff/sign-in?next=/staff/account"
    page = client.get(response.headers["location"])
    assert 'name="next" value="/staff/account"' in page.text
    response = client.post(
        "/staff/sign-in",
        data={"email": account.email, "password": factories.PASSWORD, "next": "/staff/account",
              "csrf_token": factories.form_token(page.text)},
        headers=factories.SAME_ORIGIN,
        follow_redirects=False,
    )
    assert response.headers["location"] == "/staff/sign-in/code?next=/staff/account"
    code_page = client.get(response.headers["location"])
    response = client.post(
        "/staff/sign-in/code",
        data={"code": factories.totp_code(), "next": "/staff/account", "csrf_token": factories.form_token(code_page.text)},
        headers=factories.SAME_ORIGIN,
        follow_redirects=False,
    )
    assert response.headers["location"] == "/staff/account"


@pytest.mark.parametrize(
    "target", ["//evil.example/staff", "https://evil.example/", "/staff/../admin", "/staff\\x", "/elsewhere", "/staff?x=1"]
)
def test_where_to_go_after_sign_in_is_only_ever_a_staff_path(target: str) -> None:
    from carebridge.accounts.access import safe_next

    assert safe_next(target) == "/staff"
    assert safe_next("/staff/account") == "/staff/account"


def test_an_account_without_a_second_factor_that_needs_one_enrols_then_gets_recovery_codes(
    session, client, audited  # noqa: ANN001
) -> None:
    account = factories.account(session, roles=("clinician",))
    session.commit()
    response = factories.sign_in(client, account.email)
    assert response.status_code == 303 and response.headers["location"] == "/staff/sign-in/enrol"
    assert client.get("/staff", follow_redirects=False).headers["location"] == "/staff/sign-in/enrol"

    page = client.get("/staff/sign-in/enrol")
    assert page.status_code == 200 and "<svg" in page.text and 'role="img"' in page.text
    key = re.search(r"<code>([A-Z2-7 ]+)</code>", page.text).group(1)
    assert len(key.split()) == 8 and all(len(group) == 4 for group in key.split())
    secret = key.replace(" ", "")
    session.expire_all()
    stored = session.get(StaffAccount, account.id)
    assert stored.totp_secret is not None and secret.encode() not in bytes(stored.totp_secret)
    assert stored.totp_confirmed_at is None
    # Reloading the page keeps the same key.
    assert key in client.get("/staff/sign-in/enrol").text

    wrong = client.post(
        "/staff/sign-in/enrol", data={"code": "000000", "csrf_token": factories.form_token(page.text)},
        headers=factories.SAME_ORIGIN,
    )
    assert wrong.status_code == 401 and 'href="#code"' in wrong.text
    response = client.post(
        "/staff/sign-in/enrol",
        data={"code": factories.totp_code(secret), "csrf_token": factories.form_token(page.text)},
        headers=factories.SAME_ORIGIN,
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/staff/recovery-codes"
    shown = client.get("/staff/recovery-codes")
    codes = re.findall(r"<code>([a-z2-7]{4}(?:-[a-z2-7]{4}){3})</code>", shown.text)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert not re.findall(r"<code>[a-z2-7]{4}-", client.get("/staff/recovery-codes").text)  # shown once
    stored_hashes = session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.account_id == account.id)).all()
    assert len(stored_hashes) == 10 and not set(codes) & set(stored_hashes)
    assert "second-factor.enrol" in [action for action, _ in audited]

    # A recovery code replaces a TOTP code, once.
    client.post("/staff/sign-out", data={"csrf_token": factories.form_token(client.get("/staff").text)},
                headers=factories.SAME_ORIGIN)
    assert factories.sign_in(client, account.email, code=codes[3].upper()).headers["location"] == "/staff"
    client.post("/staff/sign-out", data={"csrf_token": factories.form_token(client.get("/staff").text)},
                headers=factories.SAME_ORIGIN)
    again = factories.sign_in(client, account.email, code=codes[3])
    assert again.status_code == 401
    assert "recovery-code.use" in [action for action, _ in audited]


def test_a_code_is_never_accepted_twice(session, client) -> None:  # noqa: ANN001
    account = factories.enrolled_account(session)
    session.commit()
    code = factories.totp_code()
    assert factories.sign_in(client, account.email, code=code).headers["location"] == "/staff"
    other = type(client)(client.app, raise_server_exceptions=False)
    assert factories.sign_in(other, account.email, code=code).status_code == 401
    # The next step's code is accepted (±1 step), then a new sign-in 30 s later works with the then current code.
    with clock.pinned(clock.utc_now() + dt.timedelta(seconds=30)):
        assert factories.sign_in(other, account.email).headers["location"] == "/staff"


def test_an_account_whose_roles_need_no_second_factor_signs_in_with_its_password(session, client) -> None:  # noqa: ANN001
    account = factories.account(session, roles=("planner",))
    session.commit()
    response = factories.sign_in(client, account.email)
    assert response.status_code == 303 and response.headers["location"] == "/staff"
    assert client.get("/staff").status_code == 200


def test_a_hash_made_with_old_parameters_is_replaced_at_sign_in(session, client) -> None:  # noqa: ANN001
    account = factories.account(session, roles=("planner",))
    old_hash = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(factories.PASSWORD)
    account.password_hash = old_hash
    session.commit()
    assert factories.sign_in(client, account.email).headers["location"] == "/staff"
    session.expire_all()
    new_hash = session.get(StaffAccount, account.id).password_hash
    assert new_hash != old_hash and "m=19456,t=4,p=1" in new_hash


def test_sign_out_ends_this_session_and_sign_out_everywhere_ends_all(session, client, audited) -> None:  # noqa: ANN001
    account = factories.account(session, roles=("planner",))
    session.commit()
    other = type(client)(client.app, raise_server_exceptions=False)
    factories.sign_in(client, account.email)
    factories.sign_in(other, account.email)
    account_page = client.get("/staff/account")
    assert account_page.text.count("<dt>Signed in</dt>") == 2 and "This browser" in account_page.text

    response = client.post(
        "/staff/account/sign-out-everywhere", data={"csrf_token": factories.form_token(account_page.text)},
        headers=factories.SAME_ORIGIN, follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/staff/sign-in"
    assert other.get("/staff", follow_redirects=False).status_code == 303
    assert client.get("/staff", follow_redirects=False).status_code == 303
    ended = session.scalars(select(StaffSession.end_reason).where(StaffSession.account_id == account.id)).all()
    assert ended == ["signed-out-everywhere", "signed-out-everywhere"]

    factories.sign_in(client, account.email)
    home = client.get("/staff")
    response = client.post("/staff/sign-out", data={"csrf_token": factories.form_token(home.text)},
                           headers=factories.SAME_ORIGIN, follow_redirects=False)
    assert response.headers["location"] == "/staff/sign-in"
    assert client.get("/staff", follow_redirects=False).status_code == 303
    assert [action for action, _ in audited].count("sign-out.this-session") == 1
    assert "sign-out.everywhere" in [action for action, _ in audited]


def test_a_disabled_account_loses_its_session_at_once(session, client) -> None:  # noqa: ANN001
    account = factories.account(session, roles=("planner",))
    session.commit()
    factories.sign_in(client, account.email)
    assert client.get("/staff").status_code == 200
    session.get(StaffAccount, account.id).active = False
    session.commit()
    assert client.get("/staff", follow_redirects=False).status_code == 303
    assert client.get("/api/v1/staff/me").status_code == 401
    # And it cannot sign in again: the same answer as a wrong password.
    assert factories.sign_in(client, account.email).status_code == 401
