"""Demo people: 40 fictional, sealed records across the demo caseloads; loading twice adds nothing; removing them
destroys their keys."""

from __future__ import annotations

import unicodedata
from collections import Counter

from sqlalchemy import select

from carebridge.accounts.demo import load_demo_accounts, remove_demo_accounts
from carebridge.audit.models import AuditEvent
from carebridge.clients import demo
from carebridge.clients import service as clients
from carebridge.clients.models import Client
from carebridge.config import Settings
from carebridge.keys.models import RecordKey


def _settings(tmp_path) -> Settings:  # noqa: ANN001
    return Settings(
        demo=True, record_key_file=tmp_path / "record-keys", blind_index_key_file=tmp_path / "blind-index.key"
    )


def _script(name: str) -> str:
    letter = next(ch for ch in name if ch.isalpha())
    return unicodedata.name(letter).split()[0]


def test_the_demo_people_are_fictional_sealed_varied_and_across_the_caseloads(session, tmp_path) -> None:  # noqa: ANN001
    settings = _settings(tmp_path)
    load_demo_accounts(session, settings)
    said = demo.load_demo_people(session, settings)
    assert "40 FICTIONAL people created" in said

    people = session.scalars(select(Client).where(Client.fictional.is_(True))).all()
    assert len(people) == len(demo.PEOPLE) == 40
    profiles = clients.open_profiles(session, settings, list(people))
    assert {profile.preferred_name for profile in profiles.values()} == {person.name for person in demo.PEOPLE}
    for client in people:
        name = profiles[client.id].preferred_name
        assert name.encode() not in bytes(client.profile)

    context = demo._context(session)
    assert Counter(client.team_id for client in people).keys() == {team.id for team in context.teams.values()}
    assert len({client.owner_account_id for client in people}) == 5
    assert {"ARABIC", "ETHIOPIC", "CYRILLIC", "LATIN"} <= {_script(person.name) for person in demo.PEOPLE}
    assert sum(profile.interpreter_needed for profile in profiles.values()) >= 10
    assert 2 <= sum(client.do_not_contact for client in people) <= 6
    closed = [client for client in people if client.status == "closed"]
    assert 2 <= len(closed) <= 8 and all(client.erase_after > client.closed_at for client in closed)
    assert any(client.last_contact_at is None for client in people)
    assert len({client.last_contact_at for client in people}) > 30
    events = session.scalars(select(AuditEvent).where(AuditEvent.action == "client.create")).all()
    assert {event.record_id for event in events} >= {client.id for client in people}


def test_loading_again_adds_nothing_and_remove_destroys_the_keys(session, tmp_path) -> None:  # noqa: ANN001
    settings = _settings(tmp_path)
    load_demo_accounts(session, settings)
    demo.load_demo_people(session, settings)
    assert demo.load_demo_people(session, settings) == "Demo people: all 40 already there."
    assert session.query(Client).filter(Client.fictional.is_(True)).count() == 40

    ids = set(session.scalars(select(Client.id).where(Client.fictional.is_(True))).all())
    assert demo.remove_demo_people(session) == 40
    assert not session.scalars(select(RecordKey).where(RecordKey.subject_id.in_(ids))).all()
    assert not session.scalars(select(Client).where(Client.id.in_(ids))).all()
    removed = session.scalars(select(AuditEvent.record_id).where(AuditEvent.action == "client.demo-remove")).all()
    assert set(removed) == ids

    # After the accounts are removed too, loading people does nothing (no active demo caseworkers).
    remove_demo_accounts(session)
    assert "not created" in demo.load_demo_people(session, settings)


def test_a_replaced_key_file_is_reported_not_a_crash_nor_a_second_set(session, tmp_path) -> None:  # noqa: ANN001
    settings = _settings(tmp_path)
    load_demo_accounts(session, settings)
    demo.load_demo_people(session, settings)
    other = Settings(
        demo=True, record_key_file=tmp_path / "new-record-keys", blind_index_key_file=tmp_path / "blind-index.key"
    )
    assert "no longer in the keyring" in demo.load_demo_people(session, other)
    assert session.query(Client).filter(Client.fictional.is_(True)).count() == 40
    assert demo.remove_demo_people(session) == 40
    assert "40 FICTIONAL people created" in demo.load_demo_people(session, other)


def test_the_demo_people_have_channels_notes_and_consents_through_the_services(session, tmp_path) -> None:  # noqa: ANN001
    from carebridge.clients.models import ClientNote, ContactChannel
    from carebridge.consent.models import Consent

    settings = _settings(tmp_path)
    load_demo_accounts(session, settings)
    said = demo.load_demo_people(session, settings)
    assert "channels added" in said and "notes added" in said and "consents" in said.casefold()
    people = {client.id: client for client in session.scalars(select(Client).where(Client.fictional.is_(True))).all()}
    open_ids = {key for key, client in people.items() if client.status == "open"}
    channels = session.scalars(select(ContactChannel).where(ContactChannel.client_id.in_(people))).all()
    notes = session.scalars(select(ClientNote).where(ClientNote.client_id.in_(people))).all()
    consents = session.scalars(select(Consent).where(Consent.client_id.in_(people))).all()
    assert {channel.client_id for channel in channels} == open_ids
    assert {note.client_id for note in notes} == open_ids and any(note.sensitivity == "sensitive" for note in notes)
    assert {c.client_id for c in consents if c.purpose == "case-work"} == open_ids
    reminders = {c.client_id for c in consents if c.purpose == "reminders"}
    assert reminders and not any(people[key].do_not_contact for key in reminders)
    actions = Counter(session.scalars(select(AuditEvent.action).where(AuditEvent.record_id.in_(people))).all())
    assert actions["client.note.create"] == len(notes) and actions["consent.give"] == len(consents)
    assert actions["client.do-not-contact.set"] == sum(client.do_not_contact for client in people.values()) >= 2
