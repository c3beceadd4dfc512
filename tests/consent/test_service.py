"""Recording, withdrawing and checking consent, per purpose: scope, validation, audit, and what withdrawing does."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from carebridge.audit.models import AuditEvent
from carebridge.clients.models import ImmigrationSituation
from carebridge.config import Settings
from carebridge.consent import explanations
from carebridge.consent import service as consent
from carebridge.errors import Forbidden, InvalidInput, NotFound
from carebridge.kit import clock
from factories import accounts, clients
from factories import consent as consents

SETTINGS = Settings()


@pytest.fixture
def worker(session):  # noqa: ANN001, ANN201
    return clients.caseworker(session)


@pytest.fixture
def person(session, worker):  # noqa: ANN001, ANN201
    return clients.client(session, SETTINGS, worker.actor)


def _events(session, client_id: str) -> list[str]:  # noqa: ANN001
    return list(
        session.scalars(
            select(AuditEvent.action).where(AuditEvent.record_type == "client", AuditEvent.record_id == client_id)
        )
    )


def _targets(session, worker, person):  # noqa: ANN001, ANN202
    """For each purpose, what a consent to it names (an organisation for share, a channel for reminders)."""
    sms = consents.channel(session, SETTINGS, person)
    return {
        consent.CASE_WORK: {},
        consent.SHARE: {"staff_organisation_id": worker.organisation.id},
        consent.REMINDERS: {"channel_id": sms.id},
        consent.CONTACT: {"channel_id": consents.channel(session, SETTINGS, person, "phone", "+447700900456").id},
        consent.STATISTICS: {},
        consent.IMMIGRATION_SITUATION: {},
    }


@pytest.mark.parametrize("purpose", consent.PURPOSES)
def test_each_purpose_is_checked_given_missing_and_withdrawn(session, worker, person, purpose: str) -> None:  # noqa: ANN001
    target = _targets(session, worker, person)[purpose]
    with pytest.raises(consent.ConsentRequired):
        consent.require_consent(session, person.id, purpose, **target)
    given = consents.given(session, worker.actor, person, purpose, **target)
    assert consent.require_consent(session, person.id, purpose, **target).id == given.id
    consent.withdraw_consent(session, worker.actor, given.id)
    with pytest.raises(consent.ConsentRequired):
        consent.require_consent(session, person.id, purpose, **target)
    assert _events(session, person.id).count("consent.give") == 1
    assert _events(session, person.id).count("consent.withdraw") == 1


def test_share_consent_is_for_the_one_named_organisation(session, worker, person) -> None:  # noqa: ANN001
    other = accounts.organisation(session)
    consents.given(session, worker.actor, person, consent.SHARE, staff_organisation_id=worker.organisation.id)
    assert consent.active_consent(session, person.id, consent.SHARE, staff_organisation_id=worker.organisation.id)
    assert consent.active_consent(session, person.id, consent.SHARE, staff_organisation_id=other.id) is None
    assert consent.active_consent(session, person.id, consent.SHARE) is None


def test_share_with_a_directory_organization_is_checked_against_the_directory(session, worker, person) -> None:  # noqa: ANN001
    from carebridge.directory.models import Organization

    session.add(Organization(id="org-harbour-clinic", name="Harbour Clinic", description=""))
    session.flush()
    given = consents.given(session, worker.actor, person, consent.SHARE, directory_organization_id="org-harbour-clinic")
    assert given.directory_organization_id == "org-harbour-clinic"
    with pytest.raises(InvalidInput) as problem:
        consents.given(session, worker.actor, person, consent.SHARE, directory_organization_id="no-such-org")
    assert [error.name for error in problem.value.errors] == ["directory_organization_id"]
    with pytest.raises(InvalidInput) as problem:
        consents.given(
            session, worker.actor, person, consent.SHARE,
            directory_organization_id="org-harbour-clinic", staff_organisation_id=worker.organisation.id,
        )
    assert [error.name for error in problem.value.errors] == ["organisation"]


def test_reminders_consent_is_per_channel_and_never_in_person(session, worker, person) -> None:  # noqa: ANN001
    sms = consents.channel(session, SETTINGS, person)
    mail = consents.channel(session, SETTINGS, person, "email", "amina@example.org")
    in_person = consents.channel(session, SETTINGS, person, "in-person")
    consents.given(session, worker.actor, person, consent.REMINDERS, channel_id=sms.id)
    assert consent.active_consent(session, person.id, consent.REMINDERS, channel_id=mail.id) is None
    with pytest.raises(InvalidInput) as problem:
        consents.given(session, worker.actor, person, consent.REMINDERS, channel_id=in_person.id)
    assert [error.name for error in problem.value.errors] == ["channel_id"]
    # A channel of another person is no channel of this one.
    other = clients.client(session, SETTINGS, worker.actor)
    theirs = consents.channel(session, SETTINGS, other)
    with pytest.raises(InvalidInput):
        consents.given(session, worker.actor, person, consent.REMINDERS, channel_id=theirs.id)


@pytest.mark.parametrize(
    ("kind", "value"),
    [("phone", "+447700900456"), ("sms", "+447700900123"), ("email", "amina@example.org"), ("organisation", "Harbour Clinic")],
)
def test_consent_to_contact_is_per_channel_for_every_kind_that_reaches_the_person(session, worker, person, kind, value) -> None:  # noqa: ANN001
    channel = consents.channel(session, SETTINGS, person, kind, value)
    other = consents.channel(session, SETTINGS, person, "phone", "+447700900999")
    assert consent.active_consent(session, person.id, consent.CONTACT, channel_id=channel.id) is None
    given = consents.given(session, worker.actor, person, consent.CONTACT, channel_id=channel.id, explanation_language="fa")
    assert (given.purpose, given.channel_id, given.explanation_language) == (consent.CONTACT, channel.id, "fa")
    assert consent.active_consent(session, person.id, consent.CONTACT, channel_id=channel.id).id == given.id
    assert consent.active_consent(session, person.id, consent.CONTACT, channel_id=other.id) is None
    assert consent.active_consent(session, person.id, consent.CONTACT) is None  # a channel is always named
    # Consent to contact is not consent to reminders by the same channel, nor the other way round.
    assert consent.active_consent(session, person.id, consent.REMINDERS, channel_id=channel.id) is None
    consent.withdraw_consent(session, worker.actor, given.id)
    assert consent.active_consent(session, person.id, consent.CONTACT, channel_id=channel.id) is None
    assert _events(session, person.id).count("consent.withdraw") == 1


def test_contact_consent_is_never_for_in_person_and_reminders_never_by_phone(session, worker, person) -> None:  # noqa: ANN001
    in_person = consents.channel(session, SETTINGS, person, "in-person")
    phone = consents.channel(session, SETTINGS, person, "phone", "+447700900456")
    with pytest.raises(InvalidInput) as problem:
        consents.given(session, worker.actor, person, consent.CONTACT, channel_id=in_person.id)
    assert [error.name for error in problem.value.errors] == ["channel_id"]
    with pytest.raises(InvalidInput) as problem:
        consents.given(session, worker.actor, person, consent.CONTACT)
    assert [error.name for error in problem.value.errors] == ["channel_id"]
    with pytest.raises(InvalidInput) as problem:
        consents.given(session, worker.actor, person, consent.REMINDERS, channel_id=phone.id)
    assert [error.name for error in problem.value.errors] == ["channel_id"]
    with pytest.raises(InvalidInput) as problem:
        consents.given(session, worker.actor, person, consent.STATISTICS, channel_id=phone.id)
    assert [error.name for error in problem.value.errors] == ["channel_id"]


def test_while_case_work_consent_is_withdrawn_no_other_consent_counts(session, worker, person) -> None:  # noqa: ANN001
    phone = consents.channel(session, SETTINGS, person, "phone", "+447700900456")
    # A record with no case-work consent recorded at all (made before consents were recorded) is not affected.
    assert consent.case_work_withdrawn(session, person.id) is None
    consent.require_case_work(session, person.id)
    contact = consents.given(session, worker.actor, person, consent.CONTACT, channel_id=phone.id)
    share = consents.given(session, worker.actor, person, consent.SHARE, staff_organisation_id=worker.organisation.id)
    case_work = consents.given(session, worker.actor, person, consent.CASE_WORK)
    assert consent.active_consent(session, person.id, consent.CONTACT, channel_id=phone.id).id == contact.id
    consent.withdraw_consent(session, worker.actor, case_work.id)
    assert consent.case_work_withdrawn(session, person.id).id == case_work.id
    assert person.needs_attention is True
    with pytest.raises(consent.ConsentRequired):
        consent.require_case_work(session, person.id)
    # Nothing else counts: nobody is contacted, nothing is shared.
    assert consent.active_consent(session, person.id, consent.CONTACT, channel_id=phone.id) is None
    with pytest.raises(consent.ConsentRequired):
        consent.require_consent(session, person.id, consent.SHARE, staff_organisation_id=worker.organisation.id)
    with pytest.raises(consent.ContactNotAllowed):
        consent.contact_route(session, person, phone.id, consent.CONTACT)
    # No new consent but case work itself can be recorded.
    with pytest.raises(InvalidInput) as problem:
        consents.given(session, worker.actor, person, consent.STATISTICS)
    assert [error.name for error in problem.value.errors] == ["purpose"]
    # The other grants were not withdrawn: when the person agrees again, they count again.
    assert share.withdrawn_at is None and contact.withdrawn_at is None
    consents.given(session, worker.actor, person, consent.CASE_WORK)
    assert consent.case_work_withdrawn(session, person.id) is None
    assert consent.contact_route(session, person, phone.id, consent.CONTACT).id == phone.id
    consent.require_case_work(session, person.id)


def test_bad_input_names_every_field(session, worker, person) -> None:  # noqa: ANN001
    with pytest.raises(InvalidInput) as problem:
        consent.record_consent(
            session, worker.actor, person.id, "everything", method="nodded", explanation_version="1999",
            explanation_language="xx", channel_id="c",
        )
    assert {error.name for error in problem.value.errors} == {"purpose", "method", "explanation_language", "channel_id"}
    with pytest.raises(InvalidInput) as problem:
        consents.given(session, worker.actor, person, consent.CASE_WORK, method="interpreter")
    assert [error.name for error in problem.value.errors] == ["interpreter_language"]
    with pytest.raises(InvalidInput) as problem:
        consents.given(session, worker.actor, person, consent.CASE_WORK, method="interpreter",
                       interpreter_language="fa\u202eAF")
    assert [error.name for error in problem.value.errors] == ["interpreter_language"]
    with pytest.raises(InvalidInput) as problem:
        consents.given(session, worker.actor, person, consent.CASE_WORK, explanation_version="2020-01")
    assert [error.name for error in problem.value.errors] == ["explanation_version"]
    with pytest.raises(InvalidInput) as problem:
        consents.given(session, worker.actor, person, consent.STATISTICS, staff_organisation_id=worker.organisation.id)
    assert [error.name for error in problem.value.errors] == ["organisation"]
    given = consents.given(session, worker.actor, person, consent.CASE_WORK, method="interpreter",
                           interpreter_language="prs", explanation_language="fa")
    assert (given.method, given.interpreter_language, given.explanation_language) == ("interpreter", "prs", "fa")
    assert given.explanation_version == explanations.CURRENT


def test_one_grant_in_force_at_a_time(session, worker, person) -> None:  # noqa: ANN001
    first = consents.given(session, worker.actor, person, consent.STATISTICS)
    with pytest.raises(InvalidInput):
        consents.given(session, worker.actor, person, consent.STATISTICS)
    consent.withdraw_consent(session, worker.actor, first.id)
    again = consents.given(session, worker.actor, person, consent.STATISTICS)
    assert {row.id for row in consent.consents_of(session, person.id)} == {first.id, again.id}
    assert consent.active_consent(session, person.id, consent.STATISTICS).id == again.id


def test_withdrawing_takes_effect_at_once_and_twice_changes_nothing(session, worker, person, fixed_clock) -> None:  # noqa: ANN001
    given = consents.given(session, worker.actor, person, consent.CASE_WORK)
    withdrawn = consent.withdraw_consent(session, worker.actor, given.id)
    assert withdrawn.withdrawn_at == clock.utc_now()
    assert withdrawn.withdrawn_by == worker.account.id
    assert consent.active_consent(session, person.id, consent.CASE_WORK) is None
    assert person.needs_attention is True  # no case-work consent: the caseworker closes the record
    consent.withdraw_consent(session, worker.actor, given.id)
    assert _events(session, person.id).count("consent.withdraw") == 1


def test_withdrawing_immigration_consent_erases_the_situation_in_the_same_unit_of_work(session, worker, person) -> None:  # noqa: ANN001
    given = consents.given(session, worker.actor, person, consent.IMMIGRATION_SITUATION)
    session.add(
        ImmigrationSituation(
            client_id=person.id, situation=b"sealed", consent_id=given.id, recorded_by=worker.account.id,
            recorded_at=clock.utc_now(),
        )
    )
    session.flush()
    consent.withdraw_consent(session, worker.actor, given.id)
    assert session.scalar(select(ImmigrationSituation).where(ImmigrationSituation.client_id == person.id)) is None


def test_outside_scope_is_not_found_and_reading_needs_permission(session, worker, person) -> None:  # noqa: ANN001
    given = consents.given(session, worker.actor, person, consent.STATISTICS)
    stranger = clients.caseworker(session)  # another organisation
    with pytest.raises(NotFound):
        consent.withdraw_consent(session, stranger.actor, given.id)
    with pytest.raises(NotFound):
        consents.given(session, stranger.actor, person, consent.CASE_WORK)
    with pytest.raises(NotFound):
        consent.list_consents(session, stranger.actor, person.id)
    with pytest.raises(NotFound):
        consent.withdraw_consent(session, worker.actor, "no-such-consent")
    planner = accounts.actor_for(accounts.account(session, roles=("planner",), organisation_=worker.organisation))
    with pytest.raises(Forbidden):
        consent.list_consents(session, planner, person.id)
    receptionist = accounts.actor_for(
        accounts.account(session, roles=("receptionist",), organisation_=worker.organisation)
    )
    assert [row.id for row in consent.list_consents(session, receptionist, person.id)] == [given.id]
    with pytest.raises(Forbidden):
        consent.withdraw_consent(session, receptionist, given.id)
    assert given.withdrawn_at is None


def test_consents_of_lists_current_and_withdrawn_newest_first(session, worker, person, fixed_clock) -> None:  # noqa: ANN001
    import datetime as dt

    from carebridge.kit import clock as kit_clock

    first = consents.given(session, worker.actor, person, consent.CASE_WORK)
    first.given_at = kit_clock.utc_now() - dt.timedelta(days=2)
    second = consents.given(session, worker.actor, person, consent.STATISTICS)
    consent.withdraw_consent(session, worker.actor, second.id)
    assert [row.id for row in consent.consents_of(session, person.id)] == [second.id, first.id]
