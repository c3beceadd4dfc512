"""The demo social prescribing: made through the service for a few demo people, idempotent (both databases)."""

from __future__ import annotations

from sqlalchemy import func, select

from carebridge.accounts.demo import load_demo_accounts
from carebridge.clients.demo import load_demo_people
from carebridge.config import Settings
from carebridge.prescribing import demo
from carebridge.prescribing.models import Conversation, Wellbeing


def test_demo_prescribing_is_made_once(session) -> None:
    settings = Settings(demo=True)
    load_demo_accounts(session, settings)
    load_demo_people(session, settings)
    message = demo.load_demo(session, settings)
    assert "3 FICTIONAL people" in message
    assert session.scalar(select(func.count()).select_from(Conversation)) == 3
    assert session.scalar(select(func.count()).select_from(Wellbeing)) == 6
    assert demo.load_demo(session, settings) == "Demo social prescribing: already there."
    assert session.scalar(select(func.count()).select_from(Conversation)) == 3
