"""The caseload: scope, filters, paging, what a row says, and that every row shown is audited `client.list`."""

from __future__ import annotations

import datetime as dt

import pytest
from factories import clients as factories
from sqlalchemy import update

from carebridge.clients import service
from carebridge.clients.models import Client
from carebridge.errors import InvalidInput
from carebridge.kit import clock

SETTINGS = factories.settings()


def _ids(result) -> list[str]:
    return [entry.id for entry in result.entries]


def _set(session, client, **values) -> None:
    session.execute(update(Client).where(Client.id == client.id).values(**values))
    session.expire_all()


@pytest.fixture
def team(session):
    worker = factories.caseworker(session)
    colleague = factories.member(session, worker, name="Colleague")
    return worker, colleague


def test_my_caseload_is_mine_and_my_teams_is_everyone_in_scope(session, team):
    worker, colleague = team
    mine = factories.client(session, SETTINGS, worker.actor, preferred_name="Mine")
    theirs = factories.client(session, SETTINGS, colleague.actor, preferred_name="Theirs")
    outsider = factories.caseworker(session, organisation_=worker.organisation)
    elsewhere = factories.client(session, SETTINGS, outsider.actor)
    result = service.caseload(session, SETTINGS, worker.actor, service.CaseloadFilters())
    assert _ids(result) == [mine.id]
    entry = result.entries[0]
    assert (entry.preferred_name, entry.languages, entry.team_name, entry.caseworker_name) == (
        "Mine", ["ar"], worker.team.name, "Sam Tester"
    )
    team_view = service.caseload(session, SETTINGS, worker.actor, service.CaseloadFilters(mine=False))
    assert set(_ids(team_view)) == {mine.id, theirs.id}
    assert elsewhere.id not in _ids(team_view)


def test_a_peer_supporter_sees_only_their_own_even_in_the_team_view(session, team):
    worker, _ = team
    peer = factories.member(session, worker, roles=("peer-supporter",))
    factories.client(session, SETTINGS, worker.actor)
    result = service.caseload(session, SETTINGS, peer.actor, service.CaseloadFilters(mine=False))
    assert result.entries == []


def test_every_row_shown_is_audited_client_list_and_only_those(session, team):
    worker, _ = team
    clients = [factories.client(session, SETTINGS, worker.actor) for _ in range(3)]
    result = service.caseload(session, SETTINGS, worker.actor, service.CaseloadFilters(), page_size=2)
    shown = _ids(result)
    assert len(shown) == 2 and result.has_next
    for client in clients:
        expected = ["client.create", "client.list"] if client.id in shown else ["client.create"]
        assert factories.audit_actions(session, client.id) == expected


def test_status_filter_and_the_team_filter_refuses_a_team_not_ones_own(session, team):
    worker, _ = team
    open_ = factories.client(session, SETTINGS, worker.actor)
    closed = factories.client(session, SETTINGS, worker.actor)
    service.close_client(session, SETTINGS, worker.actor, closed.id)
    by_status = {
        status: _ids(service.caseload(session, SETTINGS, worker.actor, service.CaseloadFilters(status=status)))
        for status in ("open", "closed", "all")
    }
    assert by_status == {"open": [open_.id], "closed": [closed.id], "all": by_status["all"]}
    assert set(by_status["all"]) == {open_.id, closed.id}
    assert _ids(service.caseload(session, SETTINGS, worker.actor, service.CaseloadFilters(team_id=worker.team.id)))
    other = factories.caseworker(session)
    with pytest.raises(InvalidInput):
        service.caseload(session, SETTINGS, worker.actor, service.CaseloadFilters(team_id=other.team.id))
    with pytest.raises(InvalidInput):
        service.caseload(session, SETTINGS, worker.actor, service.CaseloadFilters(status="deleted"))


def test_last_contact_and_needs_attention_filters_and_the_order_oldest_contact_first(session, team):
    worker, _ = team
    now = clock.utc_now()
    recent = factories.client(session, SETTINGS, worker.actor, preferred_name="Recent")
    _set(session, recent, last_contact_at=now - dt.timedelta(days=2))
    stale = factories.client(session, SETTINGS, worker.actor, preferred_name="Stale")
    _set(session, stale, last_contact_at=now - dt.timedelta(days=40))
    flagged = factories.client(session, SETTINGS, worker.actor, preferred_name="Flagged")
    _set(session, flagged, last_contact_at=now - dt.timedelta(days=10), needs_attention=True)
    new_never = factories.client(session, SETTINGS, worker.actor, preferred_name="New")
    old_never = factories.client(session, SETTINGS, worker.actor, preferred_name="Old")
    _set(session, old_never, created_at=now - dt.timedelta(days=60))

    def ids(**filters):
        return _ids(service.caseload(session, SETTINGS, worker.actor, service.CaseloadFilters(**filters)))

    assert set(ids(last_contact="within-7")) == {recent.id}
    assert set(ids(last_contact="none-30")) == {stale.id, new_never.id, old_never.id}
    assert set(ids(needs_attention=True)) == {stale.id, flagged.id, old_never.id}
    everyone = ids()
    assert everyone.index(stale.id) < everyone.index(flagged.id) < everyone.index(recent.id)
    assert everyone.index(old_never.id) < everyone.index(stale.id), "never contacted comes first"
    reasons = {entry.id: entry.attention for entry in service.caseload(session, SETTINGS, worker.actor, service.CaseloadFilters()).entries}
    assert reasons == {recent.id: None, stale.id: "no-contact", flagged.id: "flagged", new_never.id: None, old_never.id: "no-contact"}


def test_pages_of_fifty_cover_every_record_once(session, team):
    worker, _ = team
    made = {factories.client(session, SETTINGS, worker.actor).id for _ in range(53)}
    first = service.caseload(session, SETTINGS, worker.actor, service.CaseloadFilters(), 1)
    second = service.caseload(session, SETTINGS, worker.actor, service.CaseloadFilters(), 2)
    assert len(first.entries) == 50 and first.has_next and not second.has_next
    assert set(_ids(first)) | set(_ids(second)) == made and len(_ids(second)) == 3


def test_the_caseload_shows_no_immigration_situation(session, team):
    worker, _ = team
    factories.client(session, SETTINGS, worker.actor)
    entry = service.caseload(session, SETTINGS, worker.actor, service.CaseloadFilters()).entries[0]
    assert not any("immigration" in name for name in vars(entry))


def test_an_organisation_wide_manager_filters_by_any_team_of_the_organisation_and_no_other(session):
    from factories import accounts as account_factories

    first = factories.caseworker(session)
    second = factories.caseworker(session, organisation_=first.organisation)
    elsewhere = factories.caseworker(session)
    in_first = factories.client(session, SETTINGS, first.actor)
    in_second = factories.client(session, SETTINGS, second.actor)
    manager = account_factories.actor_for(account_factories.account(
        session, roles=("service-manager",), organisation_=first.organisation, teams=()))
    assert {key for key, _ in service.caseload_team_choices(session, manager)} == {first.team.id, second.team.id}
    for team_, expected in ((first.team, in_first), (second.team, in_second)):
        shown = service.caseload(session, SETTINGS, manager, service.CaseloadFilters(mine=False, team_id=team_.id))
        assert _ids(shown) == [expected.id]
    with pytest.raises(InvalidInput) as refused:
        service.caseload(session, SETTINGS, manager, service.CaseloadFilters(mine=False, team_id=elsewhere.team.id))
    assert [error.name for error in refused.value.errors] == ["team"]


def test_a_team_scoped_worker_is_offered_only_their_own_teams(session, team):
    worker, _ = team
    factories.caseworker(session, organisation_=worker.organisation)  # another team of the same organisation
    assert [key for key, _ in service.caseload_team_choices(session, worker.actor)] == [worker.team.id]
