"""The demo volunteers, on both databases: made through the service, idempotent, one proposed match to the demo
volunteer's own sign-in and one active match."""

from __future__ import annotations

from sqlalchemy import select

from carebridge.accounts.demo import load_demo_accounts
from carebridge.clients.demo import load_demo_people
from carebridge.config import Settings
from carebridge.volunteers import demo
from carebridge.volunteers.models import Volunteer, VolunteerMatch


def test_the_demo_volunteers_are_made_once(session) -> None:
    settings = Settings(demo=True)
    load_demo_accounts(session, settings)
    load_demo_people(session, settings)
    said = demo.load_demo(session, settings)
    assert "8 FICTIONAL" in said and "one proposed, one active" in said
    assert demo.load_demo(session, settings) == "Demo volunteers: already there."
    assert len(session.scalars(select(Volunteer)).all()) == 8
    statuses = sorted(match.status for match in session.scalars(select(VolunteerMatch)))
    assert statuses == ["active", "proposed"]
    linked = session.scalar(select(Volunteer).where(Volunteer.account_id.is_not(None)))
    proposed = session.scalar(select(VolunteerMatch).where(VolunteerMatch.status == "proposed"))
    assert proposed.volunteer_id == linked.id
