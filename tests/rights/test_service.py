"""The person's rights, as services: who has seen the record, the complete copy, erasure (crypto-shredding that
really leaves nothing readable), on both databases."""

from __future__ import annotations

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from factories import clients as client_factories
from factories import rights as factories
from sqlalchemy import func, select

from carebridge.audit.models import AuditEvent
from carebridge.clients import service as clients
from carebridge.clients.models import Client, ClientLink, ClientNote, ContactChannel, ImmigrationSituation
from carebridge.config import Settings
from carebridge.consent.models import Consent
from carebridge.errors import Forbidden, InvalidInput, NotFound
from carebridge.keys import service as keys
from carebridge.keys.keyring import keyring
from carebridge.keys.models import RecordKey
from carebridge.kit import crypto
from carebridge.rights import service


@pytest.fixture(autouse=True)
def _catalogs(compiled_catalogs):
    return compiled_catalogs


@pytest.fixture
def settings() -> Settings:
    return Settings()


def _events(session, client_id):  # noqa: ANN001, ANN202
    return session.execute(
        select(AuditEvent.action, AuditEvent.account_id)
        .where(AuditEvent.record_type == "client", AuditEvent.record_id == client_id)
        .order_by(AuditEvent.seq)
    ).all()


def test_who_has_seen_lists_every_event_of_the_record_newest_first_with_names(session, settings):
    worker = client_factories.caseworker(session)
    colleague = client_factories.caseworker(
        session, organisation_=worker.organisation, team_=worker.team, roles=("clinician",)
    )
    client = client_factories.client(session, settings, worker.actor)
    other = client_factories.client(session, settings, worker.actor)
    clients.get_client(session, settings, colleague.actor, client.id)
    clients.get_client(session, settings, worker.actor, other.id)

    found = service.seen_by(session, settings, worker.actor, client.id)

    assert [event.action for event in found.events] == ["client.read", "client.create"]
    assert found.events[0].account_id == colleague.actor.account_id
    assert found.events[0].staff_name == colleague.account.name
    assert found.events[0].organisation_name == worker.organisation.name
    assert str(found.events[0].at.tzinfo) == "Europe/London"
    assert found.next_before is None
    # Looking is itself recorded, after the listing.
    assert _events(session, client.id)[-1] == ("client.seen-by", worker.actor.account_id)


def test_who_has_seen_pages_through_older_events(session, settings):
    worker = client_factories.caseworker(session)
    client = client_factories.client(session, settings, worker.actor)
    for _ in range(4):
        clients.get_client(session, settings, worker.actor, client.id)
    first = service.seen_by(session, settings, worker.actor, client.id, limit=3)
    assert len(first.events) == 3 and first.next_before is not None
    second = service.seen_by(session, settings, worker.actor, client.id, before=first.next_before, limit=3)
    assert [event.action for event in second.events] == ["client.read", "client.create"]
    assert second.next_before is None


def test_a_record_outside_scope_is_not_found_and_a_role_without_person_read_is_refused(session, settings):
    worker = client_factories.caseworker(session)
    stranger = client_factories.caseworker(session, organisation_=worker.organisation)  # another team
    planner = client_factories.caseworker(session, roles=("planner",), organisation_=worker.organisation)
    client = client_factories.client(session, settings, worker.actor)
    with pytest.raises(NotFound):
        service.seen_by(session, settings, stranger.actor, client.id)
    with pytest.raises(Forbidden):
        service.seen_by(session, settings, planner.actor, client.id)
    with pytest.raises(NotFound):
        service.seen_by(session, settings, worker.actor, "no-such-record")


def test_actions_are_said_in_plain_words_in_the_persons_language_and_unknown_ones_by_name():
    assert service.describe("client.read", "en") == "Opened the record."
    assert service.describe("client.read", "ar") != "Opened the record."
    assert service.describe("client.referral.send", "en") == "Did something with the record (client.referral.send)."
    assert "client.referral.send" in service.describe("client.referral.send", "fa")


@pytest.mark.parametrize(
    ("languages", "expected"),
    [(["prs", "en"], "fa"), (["ti", "uk"], "uk"), (["ti"], "en"), ([], "en"), (["ar-SY"], "ar")],
)
def test_the_report_is_in_the_persons_first_language_the_interface_has(languages, expected):
    profile = clients.Profile(preferred_name="A", languages=languages)
    assert service.person_language(profile, Settings()) == expected
    assert service.person_language(profile, Settings(default_language="fr")) == (expected if languages and expected != "en" else "fr")


def test_the_export_holds_everything_every_note_too_and_is_audited(session, settings):
    worker = client_factories.caseworker(session)
    record = factories.full_record(session, settings, worker.actor)
    document = service.export_record(session, settings, worker.actor, record.client.id)

    assert document["format"] == "carebridge.client-export" and document["version"] == 2
    assert document["record"]["id"] == record.client.id
    assert document["profile"]["preferred_name"] == "Amina Marker-Name"
    assert document["profile"]["birth_date"] == "1990-05-17"
    assert document["contact_channels"] == [
        {
            "id": record.channel.id, "kind": "phone", "value": "+447700900123", "organisation": None, "ask_for": None,
            "safe_times": "weekdays marker-times",
            "created_at": record.channel.created_at.isoformat(),
        }
    ]
    assert [note["text"] for note in document["notes"]] == [
        "Met at the clinic marker-note", "Trauma history marker-sensitive"
    ]
    assert [note["sensitivity"] for note in document["notes"]] == ["normal", "sensitive"]
    assert document["consents"][0]["purpose"] == "immigration-situation"
    assert document["immigration_situation"] == {"status": "marker-status"}
    assert document["linked_records"] == [
        {"other_record_id": record.other.id, "decision": "same-person", "reason": "same-phone",
         "decided_at": record.link.decided_at.isoformat()}
    ]
    assert [event["action"] for event in document["seen_by"]] == ["client.create"]
    assert document["seen_by_complete"] is True
    assert _events(session, record.client.id)[-1] == ("client.export", worker.actor.account_id)


def test_the_export_needs_person_export_within_scope(session, settings):
    worker = client_factories.caseworker(session)
    receptionist = client_factories.caseworker(session, roles=("receptionist",), organisation_=worker.organisation)
    stranger = client_factories.caseworker(session, organisation_=worker.organisation)
    client = client_factories.client(session, settings, worker.actor)
    with pytest.raises(Forbidden):
        service.export_record(session, settings, receptionist.actor, client.id)
    with pytest.raises(NotFound):
        service.export_record(session, settings, stranger.actor, client.id)
    assert "client.export" not in [action for action, _ in _events(session, client.id)]


def _manager(session, worker):  # noqa: ANN001, ANN202
    return client_factories.caseworker(session, roles=("service-manager",), organisation_=worker.organisation)


def test_erasing_needs_the_word_and_then_leaves_only_the_audit_event(session, settings):
    worker = client_factories.caseworker(session)
    manager = _manager(session, worker)
    record = factories.full_record(session, settings, worker.actor)
    client_id, other_id = record.client.id, record.other.id

    with pytest.raises(Forbidden):
        service.erase_client(session, settings, worker.actor, client_id, typed="erase")
    with pytest.raises(InvalidInput) as refused:
        service.erase_client(session, settings, manager.actor, client_id, typed="delete")
    assert refused.value.errors[0].name == "confirm"
    assert session.get(Client, client_id) is not None

    service.erase_client(session, settings, manager.actor, client_id, typed="  ERASE ")
    session.flush()

    for model, column in ((ContactChannel, ContactChannel.client_id), (ClientNote, ClientNote.client_id),
                          (Consent, Consent.client_id), (ImmigrationSituation, ImmigrationSituation.client_id),
                          (Client, Client.id)):
        assert session.scalar(select(func.count()).select_from(model).where(column == client_id)) == 0, model
    assert session.scalar(select(func.count()).select_from(ClientLink).where(ClientLink.other_client_id == other_id)
                          .where(ClientLink.client_id == client_id)) == 0
    assert session.scalar(select(func.count()).select_from(ClientLink).where(ClientLink.client_id == other_id)
                          .where(ClientLink.other_client_id == client_id)) == 0
    assert session.scalar(select(RecordKey).where(RecordKey.subject_id == client_id)) is None
    # The other record stays whole.
    assert session.get(Client, other_id) is not None
    assert keys.data_key(session, settings, "client", other_id)
    # The trail keeps who and the id, nothing else.
    erased = session.scalar(select(AuditEvent).where(AuditEvent.action == "client.erase"))
    assert (erased.account_id, erased.record_type, erased.record_id) == (manager.actor.account_id, "client", client_id)
    with pytest.raises(NotFound):
        clients.get_client(session, settings, manager.actor, client_id)


def test_the_word_may_be_typed_in_the_readers_language(session, settings):
    worker = client_factories.caseworker(session)
    manager = _manager(session, worker)
    client = client_factories.client(session, settings, worker.actor)
    from carebridge import i18n

    arabic = i18n.gettext("ar", service.ERASE_WORD)
    assert arabic != service.ERASE_WORD
    service.erase_client(session, settings, manager.actor, client.id, typed=arabic, language="ar")
    assert session.get(Client, client.id) is None


def _opens(key: bytes, stored: bytes, associated: bytes) -> bool:
    """Whether `key` opens a stored value, whatever key id its header names (the header is not trusted here)."""
    try:
        AESGCM(key).decrypt(stored[5:crypto.HEADER_BYTES], stored[crypto.HEADER_BYTES:], associated)
    except InvalidTag:
        return False
    return True


def test_after_erasing_no_remaining_key_of_any_subject_and_no_key_encryption_key_opens_anything(session, settings):
    """The issue's "done when": every sealed value of the person, captured before erasing, stays unreadable with every
    key that remains: every data key of every other subject, and every key-encryption key of the keyring."""
    worker = client_factories.caseworker(session)
    manager = _manager(session, worker)
    record = factories.full_record(session, settings, worker.actor)
    captured = factories.sealed_values(record)
    person_key = keys.data_key(session, settings, "client", record.client.id).key
    # The capture is right: the person's own key opens every value before erasing.
    assert all(_opens(person_key, stored, associated) for stored, associated in captured)
    del person_key

    service.erase_client(session, settings, manager.actor, record.client.id, typed="erase")
    session.flush()

    remaining = session.scalars(select(RecordKey)).all()
    assert remaining, "other subjects' keys remain (the other record's at least)"
    ring = keyring(settings)
    candidates = [
        keys.data_key(session, settings, row.subject_type, row.subject_id).key for row in remaining
    ] + list(ring.by_id.values())
    for stored, associated in captured:
        for candidate in candidates:
            assert not _opens(candidate, stored, associated)
    with pytest.raises(keys.KeyDestroyed):
        keys.data_key(session, settings, "client", record.client.id)
