"""Signing in through the pages for the outcomes page tests (as tests/firewall/conftest.py does)."""

from __future__ import annotations

import pytest
from factories import accounts as factories


@pytest.fixture
def sign_in(client, session, compiled_catalogs):  # noqa: ANN001, ANN201
    """Signs in for real (password, then TOTP), so every request passes the session cookie, CSRF and requires().
    Returns the session's form token. `sign_in(None)` signs out."""
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
