"""The volunteers service on both databases: the register (sealed with the volunteer's own key, crypto-shredded on
removal, stale edits refused), matching within scope (never paused, expired, at capacity or excluded; the person's
agreement required), the volunteer's answer and the payload-free notifications, and what the volunteer sees."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from factories import accounts
from factories import clients as client_factories
from factories import volunteers as factories
from sqlalchemy import select

from carebridge.errors import Conflict, InvalidInput, NotFound
from carebridge.jobs.models import Job
from carebridge.keys import service as keys
from carebridge.volunteers import service as volunteers
from carebridge.volunteers.models import Volunteer, VolunteerMatch


@pytest.fixture
def world(session):
    settings = client_factories.settings()
    worker = client_factories.caseworker(session)
    person = client_factories.client(session, settings, worker.actor, preferred_name="Amina Q", languages=["ar-SY", "en"])
    volunteer_account = accounts.account(session, roles=("volunteer",), organisation_=worker.organisation, name="Vera V")
    return settings, worker, person, volunteer_account


def _notified(session, account_id: str) -> list[dict]:
    return [job.payload for job in session.scalars(select(Job).where(Job.kind == "notify.staff"))
            if job.payload.get("account_id") == account_id]


def test_the_register_seals_what_names_a_volunteer_with_their_own_key(session, world) -> None:
    settings, worker, _person, account = world
    volunteer = factories.volunteer(session, settings, worker.actor, display_name="Rania Zedkowska",
                                    contact="rania@example.org", availability="Sundays after church",
                                    account_id=account.id)
    session.flush()
    row = session.get(Volunteer, volunteer.id)
    assert b"Rania" not in bytes(row.details) and b"Sundays" not in bytes(row.details)
    view = volunteers.read_volunteer(session, settings, worker.actor, volunteer.id)
    assert (view.display_name, view.contact, view.availability) == ("Rania Zedkowska", "rania@example.org", "Sundays after church")
    assert view.languages == ["ar", "en"] and view.check_valid and view.account_id == account.id
    listed = volunteers.list_volunteers(session, settings, worker.actor)
    assert [item.id for item in listed] == [volunteer.id]


def test_bad_input_names_every_field(session, world) -> None:
    settings, worker, _person, _account = world
    with pytest.raises(InvalidInput) as problem:
        volunteers.create_volunteer(session, settings, worker.actor, volunteers.VolunteerInput(
            kind="robot", display_name="", languages=["not a language!"], interests=["skydiving"],
            check_on=dt.date(2026, 5, 1), check_expires_on=dt.date(2026, 4, 1), max_matches=0, account_id="nobody"))
    names = {error.name for error in problem.value.errors}
    assert names == {"kind", "display_name", "languages", "interests", "check_expires_on", "max_matches", "account_id"}


def test_a_stale_edit_is_refused(session, world) -> None:
    settings, worker, _person, _account = world
    volunteer = factories.volunteer(session, settings, worker.actor)
    data = volunteers.VolunteerInput(kind="family", display_name="The Haddads", languages=["ar"], area="Eastfield",
                                     check_on=factories.CHECK_ON, check_expires_on=factories.CHECK_EXPIRES_ON)
    changed = volunteers.update_volunteer(session, settings, worker.actor, volunteer.id, data, version=1)
    assert changed.version == 2 and changed.kind == "family"
    with pytest.raises(Conflict):
        volunteers.update_volunteer(session, settings, worker.actor, volunteer.id, data, version=1)


def test_candidates_are_ranked_and_explained_and_the_blocked_are_left_out(session, world) -> None:
    settings, worker, person, _account = world
    best = factories.volunteer(session, settings, worker.actor, display_name="Best", languages=["ar", "en"],
                               area="northside", interests=["football", "cooking"])
    second = factories.volunteer(session, settings, worker.actor, display_name="Second", languages=["ar"],
                                 area="Northside", interests=[])
    factories.volunteer(session, settings, worker.actor, display_name="Nothing shared", languages=["uk"], area="Westend",
                        interests=["music"])
    paused = factories.volunteer(session, settings, worker.actor, display_name="Paused", languages=["ar", "en"])
    volunteers.set_paused(session, settings, worker.actor, paused.id, True)
    factories.volunteer(session, settings, worker.actor, display_name="Expired", languages=["ar", "en"],
                        check_expires_on=dt.date(2026, 11, 22))
    factories.volunteer(session, settings, worker.actor, display_name="No check", languages=["ar", "en"],
                        check_on=None, check_expires_on=None)
    full = factories.volunteer(session, settings, worker.actor, display_name="Full", languages=["ar", "en"], max_matches=1)
    other_person = client_factories.client(session, settings, worker.actor, languages=["ar"])
    factories.match(session, settings, worker.actor, other_person, full)
    unwanted = factories.volunteer(session, settings, worker.actor, display_name="Unwanted", languages=["ar", "en"])
    volunteers.exclude_volunteer(session, worker.actor, person.id, unwanted.id)

    found = volunteers.find_candidates(session, settings, worker.actor, person.id, area="Northside ",
                                       interests=["football"])
    assert [suggestion.name for suggestion in found] == ["Best", "Second"]
    top = found[0].proposal
    assert top.shared_languages == ("ar-SY", "en") and top.same_area and top.shared_interests == ("football",)
    assert found[1].proposal.shared_languages == ("ar-SY",)
    assert best.id != second.id
    assert "volunteer.match.search" in client_factories.audit_actions(session, person.id)


def test_a_blocked_volunteer_cannot_be_proposed_and_agreement_is_required(session, world) -> None:
    settings, worker, person, _account = world
    volunteer = factories.volunteer(session, settings, worker.actor, check_expires_on=dt.date(2026, 11, 1))
    with pytest.raises(InvalidInput) as problem:
        factories.match(session, settings, worker.actor, person, volunteer)
    assert [error.name for error in problem.value.errors] == ["volunteer_id"]
    fine = factories.volunteer(session, settings, worker.actor)
    with pytest.raises(InvalidInput) as problem:
        volunteers.propose_match(session, settings, worker.actor, person.id, volunteers.MatchInput(
            volunteer_id=fine.id, how_to_meet="", person_agreed=False, agreed_how="telepathy"))
    assert {error.name for error in problem.value.errors} == {"how_to_meet", "person_agreed", "agreed_how"}


def test_matches_are_scoped_to_the_workers_people(session, world) -> None:
    settings, worker, person, _account = world
    volunteer = factories.volunteer(session, settings, worker.actor)
    stranger = client_factories.caseworker(session, organisation_=worker.organisation)
    with pytest.raises(NotFound):
        volunteers.find_candidates(session, settings, stranger.actor, person.id)
    with pytest.raises(NotFound):
        factories.match(session, settings, stranger.actor, person, volunteer)
    match = factories.match(session, settings, worker.actor, person, volunteer)
    with pytest.raises(NotFound):
        volunteers.end_match(session, settings, stranger.actor, person.id, match.id, "other")
    elsewhere = client_factories.caseworker(session)
    with pytest.raises(NotFound):
        volunteers.read_volunteer(session, settings, elsewhere.actor, volunteer.id)


def test_propose_answer_end_with_notifications_and_what_the_volunteer_sees(session, world) -> None:
    settings, worker, person, account = world
    volunteer = factories.volunteer(session, settings, worker.actor, account_id=account.id, interests=["football", "music"])
    match = factories.match(session, settings, worker.actor, person, volunteer, interests=["football"],
                            how_to_meet="Library, Tuesday 4pm")
    assert match.status == "proposed" and match.person_agreed and match.agreed_recorded_by == worker.account.id
    assert _notified(session, account.id) == [{"account_id": account.id, "reason": "match"}]
    volunteer_actor = accounts.actor_for(account)

    seen = volunteers.own_matches(session, settings, volunteer_actor)
    assert len(seen) == 1
    assert dataclasses.asdict(seen[0]) == {
        "id": match.id, "status": "proposed", "name_to_use": "Amina Q", "languages": ["ar-SY", "en"],
        "area": "Northside", "shared_interests": ["football"], "how_to_meet": "Library, Tuesday 4pm",
        "proposed_at": match.proposed_at,
    }
    volunteers.answer_match(session, settings, volunteer_actor, match.id, "accept")
    assert session.get(VolunteerMatch, match.id).status == "active"
    assert _notified(session, worker.account.id) == [{"account_id": worker.account.id, "reason": "match"}]
    with pytest.raises(Conflict):
        volunteers.answer_match(session, settings, volunteer_actor, match.id, "decline")

    volunteers.end_match(session, settings, worker.actor, person.id, match.id, "goal-met", exclude=True)
    assert volunteers.own_matches(session, settings, volunteer_actor) == []
    with pytest.raises(NotFound):
        volunteers.own_match(session, settings, volunteer_actor, match.id)
    assert len(_notified(session, account.id)) == 2
    assert volunteer.id in volunteers.excluded_ids(session, person.id)
    actions = client_factories.audit_actions(session, person.id)
    for action in ("volunteer.match.propose", "volunteer.match.view", "volunteer.match.answer", "volunteer.match.end",
                   "volunteer.exclude"):
        assert action in actions


def test_the_name_is_shared_only_if_the_person_agreed_to_it(session, world) -> None:
    settings, worker, person, account = world
    volunteer = factories.volunteer(session, settings, worker.actor, account_id=account.id)
    factories.match(session, settings, worker.actor, person, volunteer, share_name=False)
    seen = volunteers.own_matches(session, settings, accounts.actor_for(account))
    assert len(seen) == 1 and seen[0].name_to_use is None


def test_another_volunteer_cannot_answer_or_see_the_match(session, world) -> None:
    settings, worker, person, account = world
    volunteer = factories.volunteer(session, settings, worker.actor, account_id=account.id)
    match = factories.match(session, settings, worker.actor, person, volunteer)
    other_account = accounts.account(session, roles=("volunteer",), organisation_=worker.organisation)
    factories.volunteer(session, settings, worker.actor, account_id=other_account.id)
    other = accounts.actor_for(other_account)
    assert volunteers.own_matches(session, settings, other) == []
    with pytest.raises(NotFound):
        volunteers.answer_match(session, settings, other, match.id, "accept")


def test_the_worker_records_a_decline(session, world) -> None:
    settings, worker, person, _account = world
    volunteer = factories.volunteer(session, settings, worker.actor)
    match = factories.match(session, settings, worker.actor, person, volunteer)
    volunteers.answer_match(session, settings, worker.actor, match.id, "decline", client_id=person.id)
    assert session.get(VolunteerMatch, match.id).status == "declined"
    views = volunteers.read_matches(session, settings, worker.actor, person.id)
    assert [view.status for view in views] == ["declined"]


def test_removing_a_volunteer_shreds_their_key_and_ends_their_matches(session, world) -> None:
    settings, worker, person, account = world
    volunteer = factories.volunteer(session, settings, worker.actor, account_id=account.id)
    match = factories.match(session, settings, worker.actor, person, volunteer)
    volunteers.remove_volunteer(session, settings, worker.actor, volunteer.id)
    with pytest.raises(keys.KeyDestroyed):
        keys.data_key(session, settings, volunteers.SUBJECT, volunteer.id)
    row = session.get(Volunteer, volunteer.id)
    assert row.status == "removed" and row.details is None and row.account_id is None and row.languages == ""
    assert session.get(VolunteerMatch, match.id).ended_reason == "volunteer-removed"
    assert volunteers.list_volunteers(session, settings, worker.actor) == []
    with pytest.raises(NotFound):
        volunteers.read_volunteer(session, settings, worker.actor, volunteer.id)
    views = volunteers.read_matches(session, settings, worker.actor, person.id)
    assert views[0].volunteer_name == "" and views[0].status == "ended"
