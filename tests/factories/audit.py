"""Audit events and signed-in actors for the audit tests, made through audit.service and accounts.service."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from carebridge.accounts import service as accounts
from carebridge.accounts.access import Actor
from carebridge.accounts.models import Organisation
from carebridge.audit import service

from factories import accounts as account_factories


def events(
    session: Session, count: int, action: str = "sign-in.success", *, commit_each: bool = False, **fields: Any
) -> list[int]:
    """`count` events appended to the trail; their (display) sequence numbers. All in the session's transaction (so
    one stripe), or with `commit_each` each in a transaction of its own (spread over the stripes, on PostgreSQL)."""
    numbers = []
    for number in range(count):
        service.record(session, action, request_id=f"request-{number}", **fields)
        numbers.append(service.latest_seq(session))
        if commit_each:
            session.commit()
    return numbers


def striped(session: Session, stripes: int, each: int, **fields: Any) -> dict[int, list[int]]:
    """`each` events in each of `stripes` stripes on PostgreSQL (SQLite: all in stripe 0), each event in its own
    transaction; stripe -> the events' (display) sequence numbers in stripe order."""
    from sqlalchemy import select

    from carebridge.audit.models import AuditEvent

    session.info["audit_stripes"] = stripes
    numbers = events(session, stripes * each, commit_each=True, **fields)
    rows = session.execute(
        select(AuditEvent.stripe, AuditEvent.seq).where(AuditEvent.seq.in_(numbers)).order_by(AuditEvent.stripe_seq)
    )
    by_stripe: dict[int, list[int]] = {}
    for stripe, seq in rows:
        by_stripe.setdefault(stripe, []).append(seq)
    return by_stripe


def actor(
    session: Session,
    roles: tuple[str, ...] = ("service-manager",),
    organisation_: Organisation | None = None,
    name: str = "Sam Tester",
) -> Actor:
    account = account_factories.account(session, roles=roles, organisation_=organisation_, name=name)
    session.flush()
    loaded = accounts.account_by_id(session, account.id)
    assert loaded is not None
    return accounts.actor_for(loaded)


def sign_in_as(client: Any, who: Actor, name: str = "Sam Tester") -> str | None:
    """Sign `who` in for real through the pages with the TestClient `client` (password, then the TOTP code; the
    account is enrolled first if it has no second factor yet), so that requests go through the session cookie, CSRF
    and `requires(...)`. The client then sends the site's own Origin with every request, as a browser does with a
    form. Returns the session's CSRF token (the one the staff pages put in their forms)."""
    from carebridge.accounts.models import StaffAccount

    with client.app.state.session_factory() as session:
        account = session.get(StaffAccount, who.account_id)
        assert account is not None
        if account.totp_confirmed_at is None:
            account_factories.enrol(session, account)
        email = account.email
        session.commit()
    client.cookies.clear()
    client.headers.update(account_factories.SAME_ORIGIN)
    landed = account_factories.sign_in(client, email)
    assert landed.status_code == 303, landed.text[:300]
    home = client.get("/staff")
    assert home.status_code == 200
    return account_factories.form_token(home.text)
