"""Possible duplicates: same phone (typed any way), same e-mail, or same name and full birth date, by blind index;
only within the actor's scope; decided by staff, linked (never merged), audited on both records."""

from __future__ import annotations

import datetime as dt

import pytest
from factories import clients as factories
from sqlalchemy import func, select

from carebridge.audit.models import AuditEvent
from carebridge.clients import contact, duplicates
from carebridge.clients.models import Client, ClientLink
from carebridge.config import Settings
from carebridge.errors import InvalidInput, NotFound

BIRTH = dt.date(1990, 5, 17)


@pytest.fixture
def settings() -> Settings:
    return Settings()


@pytest.fixture
def worker(session):  # noqa: ANN001, ANN201
    return factories.caseworker(session)


def _phone(session, settings, actor, client, typed: str) -> None:  # noqa: ANN001
    contact.add_channel(session, settings, actor, client.id, contact.ChannelInput("phone", value=typed))


def test_the_same_phone_typed_two_ways_is_found(session, settings, worker) -> None:  # noqa: ANN001
    one = factories.client(session, settings, worker.actor, preferred_name="Amina")
    two = factories.client(session, settings, worker.actor, preferred_name="A. K.")
    _phone(session, settings, worker.actor, one, "07700 900123")
    _phone(session, settings, worker.actor, two, "+44 7700 900123")
    [found] = duplicates.possible_duplicates(session, settings, worker.actor, one)
    assert (found.client_id, found.preferred_name, found.reasons) == (two.id, "A. K.", ("same-phone",))
    [back] = duplicates.possible_duplicates(session, settings, worker.actor, two)
    assert back.client_id == one.id


def test_a_phone_and_an_sms_channel_with_one_number_match(session, settings, worker) -> None:  # noqa: ANN001
    one = factories.client(session, settings, worker.actor)
    two = factories.client(session, settings, worker.actor)
    _phone(session, settings, worker.actor, one, "07700 900123")
    contact.add_channel(session, settings, worker.actor, two.id, contact.ChannelInput("sms", value="+447700900123"))
    assert [item.reasons for item in duplicates.possible_duplicates(session, settings, worker.actor, one)] == [("same-phone",)]


def test_same_name_and_birth_date_and_same_email_are_found_together(session, settings, worker) -> None:  # noqa: ANN001
    one = factories.client(session, settings, worker.actor, preferred_name="Amina Khan", birth_date=BIRTH)
    two = factories.client(session, settings, worker.actor, preferred_name="  AMINA   khan ", birth_date=BIRTH)
    for client in (one, two):
        contact.add_channel(session, settings, worker.actor, client.id, contact.ChannelInput("email", value="Amina@Example.org"))
    [found] = duplicates.possible_duplicates(session, settings, worker.actor, one)
    assert found.reasons == ("same-email", "same-name-birth-date")


def test_different_people_are_not_proposed(session, settings, worker) -> None:  # noqa: ANN001
    one = factories.client(session, settings, worker.actor, preferred_name="Amina", birth_date=BIRTH)
    factories.client(session, settings, worker.actor, preferred_name="Amina", birth_date=BIRTH + dt.timedelta(days=1))
    factories.client(session, settings, worker.actor, preferred_name="Amira", birth_date=BIRTH)
    # A name with a birth year only is never indexed: too guessable.
    factories.client(session, settings, worker.actor, preferred_name="Amina", birth_year=1990)
    other = factories.client(session, settings, worker.actor)
    _phone(session, settings, worker.actor, one, "07700 900123")
    _phone(session, settings, worker.actor, other, "07700 900124")
    assert duplicates.possible_duplicates(session, settings, worker.actor, one) == []


def test_a_record_outside_the_actors_scope_is_never_shown(session, settings, worker) -> None:  # noqa: ANN001
    mine = factories.client(session, settings, worker.actor, preferred_name="Amina", birth_date=BIRTH)
    elsewhere = factories.caseworker(session)  # another organisation
    same_org_other_team = factories.caseworker(session, organisation_=worker.organisation)
    for other in (elsewhere, same_org_other_team):
        theirs = factories.client(session, settings, other.actor, preferred_name="Amina", birth_date=BIRTH)
        _phone(session, settings, other.actor, theirs, "07700 900123")
    _phone(session, settings, worker.actor, mine, "07700 900123")
    assert duplicates.possible_duplicates(session, settings, worker.actor, mine) == []
    # A service manager reads the whole organisation: the other team's record is proposed to them, not the other
    # organisation's.
    manager = factories.caseworker(session, roles=("service-manager",), organisation_=worker.organisation)
    [found] = duplicates.possible_duplicates(session, settings, manager.actor, mine)
    theirs_in_org = session.scalar(select(Client.id).where(Client.owner_account_id == same_org_other_team.account.id))
    assert found.client_id == theirs_in_org
    # And nothing about it can be decided by someone who cannot see it.
    with pytest.raises(NotFound):
        duplicates.decide(session, settings, worker.actor, mine.id, theirs_in_org, duplicates.SAME_PERSON)


def test_linking_shows_each_record_to_the_other_and_merges_nothing(session, settings, worker) -> None:  # noqa: ANN001
    one = factories.client(session, settings, worker.actor, preferred_name="Amina", birth_date=BIRTH)
    two = factories.client(session, settings, worker.actor, preferred_name="Amina", birth_date=BIRTH)
    clients_before = session.scalar(select(func.count()).select_from(Client))
    link = duplicates.decide(session, settings, worker.actor, two.id, one.id, duplicates.SAME_PERSON)
    assert (link.client_id, link.other_client_id) == tuple(sorted((one.id, two.id)))
    assert link.reason == "same-name-birth-date"
    assert session.scalar(select(func.count()).select_from(Client)) == clients_before
    for this, that in ((one, two), (two, one)):
        assert duplicates.possible_duplicates(session, settings, worker.actor, this) == []
        [linked] = duplicates.linked_records(session, settings, worker.actor, this)
        assert linked.client_id == that.id
    for record_id in (one.id, two.id):
        actions = set(session.scalars(select(AuditEvent.action).where(AuditEvent.record_id == record_id)))
        assert "client.link.same-person" in actions and "client.duplicate.shown" in actions
    # Deciding again replaces the decision: one row per pair.
    duplicates.decide(session, settings, worker.actor, one.id, two.id, duplicates.NOT_SAME_PERSON)
    assert session.scalar(select(func.count()).select_from(ClientLink).where(ClientLink.client_id == link.client_id)) == 1
    assert duplicates.linked_records(session, settings, worker.actor, one) == []
    assert duplicates.possible_duplicates(session, settings, worker.actor, one) == []


def test_decisions_need_a_real_candidate_and_a_known_decision(session, settings, worker) -> None:  # noqa: ANN001
    one = factories.client(session, settings, worker.actor, preferred_name="Amina", birth_date=BIRTH)
    unrelated = factories.client(session, settings, worker.actor, preferred_name="Sara")
    with pytest.raises(NotFound):
        duplicates.decide(session, settings, worker.actor, one.id, unrelated.id, duplicates.SAME_PERSON)
    with pytest.raises(NotFound):
        duplicates.decide(session, settings, worker.actor, one.id, one.id, duplicates.SAME_PERSON)
    with pytest.raises(InvalidInput):
        duplicates.decide(session, settings, worker.actor, one.id, unrelated.id, "merge")
