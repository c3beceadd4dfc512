"""The demo referrals (`carebridge demo load` with CAREBRIDGE_DEMO): three more fictional organisations linked to
demo directory organisations, each with a fictional receiver who can sign in with the published demo password;
referrals in several states both ways with the demo organisation, made through the service (sealed, consented);
loading again changes nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from carebridge import cli
from carebridge.accounts import demo as accounts_demo
from carebridge.accounts import service as accounts
from carebridge.accounts.models import Organisation
from carebridge.config import Settings
from carebridge.referrals import demo
from carebridge.referrals.models import Referral


def test_the_demo_refers_both_ways_once(session_factory) -> None:  # noqa: ANN001
    settings = Settings(demo=True)
    said = cli.load_demo(session_factory, settings=settings)
    assert "Demo referrals:" in said and "made among 4 demo organisations" in said, said
    with session_factory() as session:
        fairhaven = session.scalar(select(Organisation).where(Organisation.name == accounts_demo.ORGANISATION))
        others = {org.name: org for org in session.scalars(select(Organisation).where(
            Organisation.name.in_([entry.name for entry in demo.ORGANISATIONS])))}
        assert len(others) == 3 and all(org.directory_organization_id for org in others.values())
        for entry in demo.ORGANISATIONS:
            account = accounts.account_by_email(session, demo.email_of(entry.receiver_email))
            assert account is not None and account.demo and account.totp_confirmed_at is not None
        referrals = list(session.scalars(select(Referral)))
        assert referrals and all(referral.fictional for referral in referrals)
        sent = [r for r in referrals if r.referring_organisation_id == fairhaven.id]
        received = [r for r in referrals if r.receiving_organisation_id == fairhaven.id]
        assert len(sent) >= 3 and len(received) == 3
        assert {r.status for r in sent} >= {"requested", "in-progress", "completed"}
        assert all(r.shared and b"Arrived" not in r.shared for r in referrals)
        total = session.scalar(select(func.count()).select_from(Referral))
    again = cli.load_demo(session_factory, settings=settings, force=True)
    assert "Demo referrals: already there" in again
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Referral)) == total
