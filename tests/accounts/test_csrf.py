"""CSRF: a token on every unsafe request (the session's, or the sign-in form's signed double-submit value) and a
request from this site (Sec-Fetch-Site, Origin, or Referer without Origin)."""

from __future__ import annotations

import datetime as dt

import pytest
from factories import accounts as factories
from fastapi.testclient import TestClient

from carebridge.kit import clock


@pytest.fixture
def signed_in(session, client):  # noqa: ANN001, ANN201
    account = factories.account(session, roles=("planner",))
    session.commit()
    assert factories.sign_in(client, account.email).headers["location"] == "/staff"
    return client


def _sign_out_everywhere(client, token: str | None, headers: dict[str, str]):  # noqa: ANN001, ANN202
    data = {"csrf_token": token} if token is not None else {}
    return client.post("/staff/account/sign-out-everywhere", data=data, headers=headers, follow_redirects=False)


@pytest.mark.parametrize(
    "token,headers",
    [
        (None, factories.SAME_ORIGIN),
        ("", factories.SAME_ORIGIN),
        ("forged", factories.SAME_ORIGIN),
        ("RIGHT", {"Origin": "https://evil.example"}),
        ("RIGHT", {"Origin": "http://testserver.evil.example"}),
        ("RIGHT", {"Origin": "http://testserver", "Sec-Fetch-Site": "cross-site"}),
        ("RIGHT", {"Origin": "http://testserver", "Sec-Fetch-Site": "same-site"}),
        ("RIGHT", {"Origin": "null"}),
        ("RIGHT", {"Referer": "https://evil.example/page"}),
        ("RIGHT", {}),
    ],
    ids=["no token", "empty token", "forged token", "other origin", "look-alike origin", "cross-site fetch",
         "same-site fetch", "null origin alone", "other referer", "no origin at all"],
)
def test_an_unsafe_request_without_the_token_or_from_elsewhere_is_refused(signed_in, token, headers) -> None:  # noqa: ANN001
    right = factories.form_token(signed_in.get("/staff/account").text)
    response = _sign_out_everywhere(signed_in, right if token == "RIGHT" else token, headers)
    assert response.status_code == 403
    assert "This form has expired" in response.text and "Go back, reload the page and try again." in response.text
    assert "change your role" not in response.text
    assert signed_in.get("/staff", follow_redirects=False).status_code == 200  # nothing happened


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://testserver"},
        {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"},
        {"Origin": "null", "Sec-Fetch-Site": "same-origin"},
        {"Referer": "http://testserver/staff/account"},
        {"Sec-Fetch-Site": "same-origin"},
    ],
    ids=["origin", "origin and fetch metadata", "null origin with same-origin fetch", "referer", "fetch metadata only"],
)
def test_a_form_of_this_site_with_its_token_is_accepted(signed_in, headers) -> None:  # noqa: ANN001
    token = factories.form_token(signed_in.get("/staff/account").text)
    assert _sign_out_everywhere(signed_in, token, headers).status_code == 303


def test_the_api_takes_the_token_in_a_header(signed_in) -> None:  # noqa: ANN001
    from carebridge.accounts import csrf

    token = factories.form_token(signed_in.get("/staff/account").text)
    request_headers = {**factories.SAME_ORIGIN, csrf.HEADER: token}
    response = signed_in.post("/staff/account/sign-out-everywhere", headers=request_headers, follow_redirects=False)
    assert response.status_code == 303


def test_the_token_changes_with_the_session(session, client) -> None:  # noqa: ANN001
    account = factories.account(session, roles=("planner",))
    session.commit()
    factories.sign_in(client, account.email)
    first = factories.form_token(client.get("/staff").text)
    client.post("/staff/sign-out", data={"csrf_token": first}, headers=factories.SAME_ORIGIN)
    factories.sign_in(client, account.email)
    second = factories.form_token(client.get("/staff").text)
    assert first != second
    assert _sign_out_everywhere(client, first, factories.SAME_ORIGIN).status_code == 403


def test_the_sign_in_form_needs_its_cookie_and_a_fresh_signed_token(session, client) -> None:  # noqa: ANN001
    account = factories.account(session, roles=("planner",))
    session.commit()
    data = {"email": account.email, "password": factories.PASSWORD}
    token = factories.form_token(client.get("/staff/sign-in").text)

    stranger = TestClient(client.app, raise_server_exceptions=False)  # has no sign-in cookie
    assert stranger.post("/staff/sign-in", data={**data, "csrf_token": token}, headers=factories.SAME_ORIGIN).status_code == 403
    assert client.post("/staff/sign-in", data={**data, "csrf_token": "1." + token.split(".")[1]},
                       headers=factories.SAME_ORIGIN).status_code == 403
    assert client.post("/staff/sign-in", data={**data, "csrf_token": token},
                       headers={"Origin": "https://evil.example"}).status_code == 403
    with clock.pinned(clock.utc_now() + dt.timedelta(hours=3)):
        assert client.post("/staff/sign-in", data={**data, "csrf_token": token},
                           headers=factories.SAME_ORIGIN).status_code == 403
    response = client.post("/staff/sign-in", data={**data, "csrf_token": token}, headers=factories.SAME_ORIGIN,
                           follow_redirects=False)
    assert response.status_code == 303


def test_a_token_from_before_sign_in_is_worthless_after_it(session, client) -> None:  # noqa: ANN001
    account = factories.enrolled_account(session)
    session.commit()
    page = client.get("/staff/sign-in")
    response = client.post("/staff/sign-in", data={"email": account.email, "password": factories.PASSWORD,
                                                   "csrf_token": factories.form_token(page.text)},
                           headers=factories.SAME_ORIGIN, follow_redirects=False)
    partial_token = factories.form_token(client.get(response.headers["location"]).text)
    client.post("/staff/sign-in/code", data={"code": factories.totp_code(), "csrf_token": partial_token},
                headers=factories.SAME_ORIGIN)
    assert client.get("/staff").status_code == 200
    assert _sign_out_everywhere(client, partial_token, factories.SAME_ORIGIN).status_code == 403
