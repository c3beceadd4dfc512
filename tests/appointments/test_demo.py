"""Demo appointments: made through the services for the demo people (sealed, fictional), some needing an
interpreter and one by video, nothing added on a second load."""

from __future__ import annotations

from sqlalchemy import select

from carebridge.accounts.demo import load_demo_accounts
from carebridge.appointments import demo
from carebridge.appointments.models import Appointment
from carebridge.clients import demo as people_demo
from carebridge.config import Settings


def test_demo_appointments_are_made_once_sealed_and_fictional(session, tmp_path) -> None:
    settings = Settings(demo=True, record_key_file=tmp_path / "record-keys", blind_index_key_file=tmp_path / "blind-index.key")
    load_demo_accounts(session, settings)
    people_demo.load_demo_people(session, settings)
    said = demo.load_demo(session, settings)
    assert said.startswith("Demo appointments:") and "14 made, reminder preferences for 2 people" in said, said
    rows = list(session.scalars(select(Appointment)))
    assert len(rows) == 14 and all(row.fictional for row in rows)
    assert any(row.interpreter_needed for row in rows) and any(row.modality == "video" for row in rows)
    assert {row.status for row in rows} == {"booked", "attended"}
    assert all(b"centre" not in row.details for row in rows)
    assert demo.load_demo(session, settings) == "Demo appointments: already there."
    assert len(session.scalars(select(Appointment.id)).all()) == 14
