"""Contact channels and do-not-contact: sealed, blind-indexed, scoped, audited; consent read-only."""

from __future__ import annotations

import pytest
from factories import clients as factories
from sqlalchemy import select, text

from carebridge.audit.models import AuditEvent
from carebridge.clients import contact
from carebridge.clients.models import ContactChannel
from carebridge.config import Settings
from carebridge.consent import service as consent
from carebridge.consent.models import Consent
from carebridge.errors import InvalidInput, NotFound
from carebridge.keys import normalise
from carebridge.keys.keyring import blind_index
from carebridge.kit import clock


@pytest.fixture
def settings() -> Settings:
    return Settings()


@pytest.fixture
def world(session, settings):  # noqa: ANN001, ANN201
    worker = factories.caseworker(session)
    person = factories.client(session, settings, worker.actor, preferred_name="Amina")
    return worker, person


def _actions(session, client_id: str) -> list[str]:  # noqa: ANN001
    return list(session.scalars(
        select(AuditEvent.action).where(AuditEvent.record_type == "client", AuditEvent.record_id == client_id)
        .order_by(AuditEvent.seq)
    ))


def _consent_to_reminders(session, client_id: str, channel_id: str) -> Consent:  # noqa: ANN001
    row = Consent(client_id=client_id, purpose=consent.REMINDERS, channel_id=channel_id, method="spoken",
                  explanation_version="1", explanation_language="ar", given_at=clock.utc_now())
    session.add(row)
    session.flush()
    return row


def test_a_channel_is_sealed_and_nothing_of_it_is_in_the_row(session, settings, world) -> None:  # noqa: ANN001
    worker, person = world
    channel = contact.add_channel(session, settings, worker.actor, person.id, contact.ChannelInput(
        "phone", value="07700 900123", safe_times="MARKER-SAFE weekdays 10–12\nnever evenings"))
    session.flush()
    raw = session.execute(text("select kind, value, safe_times, lookup_index from client_contact_channel where id = :id"),
                          {"id": channel.id}).one()
    assert raw.kind == "phone"
    for column in (raw.value, raw.safe_times):
        data = bytes(column)
        assert b"MARKER" not in data and b"7700" not in data and b"900123" not in data
    assert raw.lookup_index == blind_index(settings, normalise.PHONE, "+447700900123")
    [view] = contact.list_channels(session, settings, worker.actor, person)
    assert view.value == "+44 7700 900123"
    assert view.safe_times == "MARKER-SAFE weekdays 10–12\nnever evenings"
    assert view.consent_to_contact is False
    assert _actions(session, person.id)[-1] == "client.channel.create"


@pytest.mark.parametrize("typed", ["07700 900123", "+44 7700 900123", "+44 (0)7700-900123", "0044 7700 900123"])
def test_a_phone_number_typed_any_way_gives_the_same_index(session, settings, world, typed) -> None:  # noqa: ANN001
    worker, person = world
    channel = contact.add_channel(session, settings, worker.actor, person.id, contact.ChannelInput("sms", value=typed))
    assert channel.lookup_index == blind_index(settings, normalise.PHONE, "+447700900123")


def test_an_email_is_validated_and_indexed_case_blind(session, settings, world) -> None:  # noqa: ANN001
    worker, person = world
    one = contact.add_channel(session, settings, worker.actor, person.id,
                              contact.ChannelInput("email", value="Amina.X@Example.org"))
    two = contact.add_channel(session, settings, worker.actor, person.id,
                              contact.ChannelInput("email", value="amina.x@example.ORG"))
    assert one.lookup_index == two.lookup_index is not None
    with pytest.raises(InvalidInput) as refused:
        contact.add_channel(session, settings, worker.actor, person.id, contact.ChannelInput("email", value="not an address"))
    assert [error.name for error in refused.value.errors] == ["value"]


def test_organisation_and_in_person_channels(session, settings, world) -> None:  # noqa: ANN001
    worker, person = world
    contact.add_channel(session, settings, worker.actor, person.id, contact.ChannelInput(
        "organisation", organisation="Women's Centre", ask_for="Ask for Sara at the desk\nsay it is about the course"))
    contact.add_channel(session, settings, worker.actor, person.id, contact.ChannelInput("in-person", value="ignored"))
    # Oldest first; with the clock pinned both were made at the same moment.
    views = {view.kind: view for view in contact.list_channels(session, settings, worker.actor, person)}
    org, in_person = views["organisation"], views["in-person"]
    assert (org.organisation, org.ask_for, org.value) == (
        "Women's Centre", "Ask for Sara at the desk\nsay it is about the course", None)
    assert in_person.kind == "in-person" and in_person.value is None
    rows = session.scalars(select(ContactChannel).where(ContactChannel.client_id == person.id)).all()
    assert all(row.lookup_index is None for row in rows)


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        (contact.ChannelInput("fax", value="1"), ["kind"]),
        (contact.ChannelInput("phone", value=""), ["value"]),
        (contact.ChannelInput("phone", value="12"), ["value"]),
        (contact.ChannelInput("phone", value="x" * 41), ["value"]),
        (contact.ChannelInput("email", value="a@b.c" + "x" * 320), ["value"]),
        (contact.ChannelInput("organisation", organisation=""), ["organisation"]),
        (contact.ChannelInput("organisation", organisation="Centre\u202e", ask_for="x" * 501), ["organisation", "ask_for"]),
        (contact.ChannelInput("in-person", safe_times="x" * 501), ["safe_times"]),
        (contact.ChannelInput("in-person", safe_times="bell\u0007"), ["safe_times"]),
    ],
)
def test_bad_input_names_its_fields_and_keeps_nothing(session, settings, world, data, fields) -> None:  # noqa: ANN001
    worker, person = world
    with pytest.raises(InvalidInput) as refused:
        contact.add_channel(session, settings, worker.actor, person.id, data)
    assert [error.name for error in refused.value.errors] == fields
    assert session.scalars(select(ContactChannel).where(ContactChannel.client_id == person.id)).all() == []


def test_change_and_remove_a_channel(session, settings, world) -> None:  # noqa: ANN001
    worker, person = world
    channel = contact.add_channel(session, settings, worker.actor, person.id, contact.ChannelInput("phone", value="07700 900123"))
    contact.change_channel(session, settings, worker.actor, person.id, channel.id,
                           contact.ChannelInput("phone", value="07700 900456", safe_times="mornings"))
    [view] = contact.list_channels(session, settings, worker.actor, person)
    assert (view.value, view.safe_times) == ("+44 7700 900456", "mornings")
    with pytest.raises(InvalidInput):
        contact.change_channel(session, settings, worker.actor, person.id, channel.id, contact.ChannelInput("email", value="a@b.org"))
    contact.remove_channel(session, settings, worker.actor, person.id, channel.id)
    assert contact.list_channels(session, settings, worker.actor, person) == []
    assert _actions(session, person.id)[-2:] == ["client.channel.change", "client.channel.remove"]
    with pytest.raises(NotFound):
        contact.remove_channel(session, settings, worker.actor, person.id, channel.id)


def test_another_teams_worker_cannot_see_or_touch_the_channels(session, settings, world) -> None:  # noqa: ANN001
    worker, person = world
    channel = contact.add_channel(session, settings, worker.actor, person.id, contact.ChannelInput("phone", value="07700 900123"))
    stranger = factories.caseworker(session, organisation_=worker.organisation)
    for attempt in (
        lambda: contact.read_channels(session, settings, stranger.actor, person.id),
        lambda: contact.add_channel(session, settings, stranger.actor, person.id, contact.ChannelInput("in-person")),
        lambda: contact.remove_channel(session, settings, stranger.actor, person.id, channel.id),
        lambda: contact.set_do_not_contact(session, stranger.actor, person.id, True),
    ):
        with pytest.raises(NotFound):
            attempt()
    # A channel of another record is not found through this one.
    other = factories.client(session, settings, worker.actor)
    with pytest.raises(NotFound):
        contact.remove_channel(session, settings, worker.actor, other.id, channel.id)


def test_consent_to_contact_is_shown_per_channel(session, settings, world) -> None:  # noqa: ANN001
    worker, person = world
    phone = contact.add_channel(session, settings, worker.actor, person.id, contact.ChannelInput("phone", value="07700 900123"))
    contact.add_channel(session, settings, worker.actor, person.id, contact.ChannelInput("email", value="a@example.org"))
    [mail] = [view for view in contact.list_channels(session, settings, worker.actor, person) if view.kind == "email"]
    # Consent to be contacted is its own purpose (consent.CONTACT): a reminders consent does not show as one.
    _consent_to_reminders(session, person.id, mail.id)
    views = contact.list_channels(session, settings, worker.actor, person)
    assert sorted((view.kind, view.consent_to_contact, view.consent_to_reminders) for view in views) == [
        ("email", False, True), ("phone", False, False)]
    given = Consent(client_id=person.id, purpose=consent.CONTACT, channel_id=phone.id, method="spoken",
                    explanation_version="2026-12", explanation_language="ar", given_at=clock.utc_now())
    session.add(given)
    session.flush()
    views = contact.list_channels(session, settings, worker.actor, person)
    assert sorted((view.kind, view.consent_to_contact, view.contact_consent_id) for view in views) == [
        ("email", False, None), ("phone", True, given.id)]


def test_do_not_contact_is_set_and_cleared_audited_and_obeyed(session, settings, world) -> None:  # noqa: ANN001
    worker, person = world
    phone = contact.add_channel(session, settings, worker.actor, person.id, contact.ChannelInput("phone", value="07700 900123"))
    _consent_to_reminders(session, person.id, phone.id)
    assert consent.contact_route(session, person, phone.id).id == phone.id
    contact.set_do_not_contact(session, worker.actor, person.id, True)
    with pytest.raises(consent.ContactNotAllowed):
        consent.contact_route(session, person, phone.id)
    # The channel is still shown: nothing is hidden, only not used.
    assert len(contact.list_channels(session, settings, worker.actor, person)) == 1
    contact.set_do_not_contact(session, worker.actor, person.id, False)
    assert consent.contact_route(session, person, phone.id).id == phone.id
    assert _actions(session, person.id)[-2:] == ["client.do-not-contact.set", "client.do-not-contact.clear"]


def test_a_reader_without_write_permission_cannot_change_anything(session, settings, world) -> None:  # noqa: ANN001
    worker, person = world
    from carebridge.errors import Forbidden

    receptionist = factories.caseworker(session, roles=("receptionist",), organisation_=worker.organisation,
                                        team_=worker.team)
    _, views = contact.read_channels(session, settings, receptionist.actor, person.id)
    assert views == []
    with pytest.raises(Forbidden):
        contact.add_channel(session, settings, receptionist.actor, person.id, contact.ChannelInput("in-person"))
    with pytest.raises(Forbidden):
        contact.set_do_not_contact(session, receptionist.actor, person.id, True)
