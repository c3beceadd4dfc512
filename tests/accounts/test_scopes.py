"""Record scopes, for real on both databases, against a table that exists now: staff accounts stand in for people's
records (owner = the account itself, organisation = its organisation, teams = its team memberships)."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from factories import accounts as factories
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from carebridge.accounts import scopes
from carebridge.accounts.access import Actor
from carebridge.accounts.models import BreakGlassGrant, StaffAccount, TeamMembership
from carebridge.accounts.permissions import ROLES, permissions_of, scope_of
from carebridge.kit import clock


def _visible(session, actor, permission="person.read"):
    clause = scopes.scope_clause(
        actor,
        permission,
        record_type="staff_account",
        record_id=StaffAccount.id,
        owner=StaffAccount.id,
        team=lambda team_ids: StaffAccount.id.in_(
            select(TeamMembership.account_id).where(TeamMembership.team_id.in_(team_ids))
        ),
        organisation=StaffAccount.organisation_id,
    )
    return set(session.scalars(select(StaffAccount.id).where(clause)))


def _actor(account, roles, teams=(), organisation=None):
    return Actor(
        account_id=account.id,
        organisation_id=organisation.id if organisation else account.organisation_id,
        team_ids=frozenset(team.id for team in teams),
        roles=frozenset(roles),
        permissions=permissions_of(frozenset(roles)),
    )


@dataclass
class World:
    organisations: list
    teams: list
    records: list  # StaffAccount rows
    memberships: dict  # account id -> set of team ids


def _world(session) -> World:
    """Two organisations with two teams each, and twelve accounts spread over them (made directly: hashing twelve
    passwords would only slow the test)."""
    organisations = [factories.organisation(session) for _ in range(2)]
    teams = [factories.team(session, organisation) for organisation in organisations for _ in range(2)]
    records, memberships = [], {}
    for number in range(12):
        organisation = organisations[number % 2]
        own_teams = [team for team in teams if team.organisation_id == organisation.id]
        record = StaffAccount(
            email=f"record{number}@example.org",
            email_key=f"record{number}@example.org-{id(session)}",
            name=f"Record {number}",
            organisation_id=organisation.id,
            password_hash="not-a-hash",
            created_at=clock.now(),
        )
        session.add(record)
        session.flush()
        chosen = {own_teams[0].id} if number % 3 == 0 else {own_teams[1].id} if number % 3 == 1 else set()
        if number == 5:
            chosen = {team.id for team in own_teams}
        session.add_all(TeamMembership(account_id=record.id, team_id=team_id) for team_id in chosen)
        memberships[record.id] = chosen
        records.append(record)
    session.flush()
    return World(organisations, teams, records, memberships)


def test_own_team_and_organisation_scopes(session):
    world = _world(session)
    me = world.records[0]  # organisation 0, team 0
    team_zero = world.teams[0]

    own = _visible(session, _actor(me, ["peer-supporter"]))
    assert own == {me.id}

    team = _visible(session, _actor(me, ["link-worker"], teams=[team_zero]))
    expected_team = {record.id for record in world.records if team_zero.id in world.memberships[record.id]}
    assert team == expected_team | {me.id} and len(team) > 1

    organisation = _visible(session, _actor(me, ["receptionist"]))
    expected_organisation = {record.id for record in world.records if record.organisation_id == me.organisation_id}
    assert organisation == expected_organisation and len(expected_organisation) == 6

    # The widest of several roles applies.
    assert _visible(session, _actor(me, ["peer-supporter", "receptionist"])) == expected_organisation


def test_a_record_with_one_team_column(session):
    """Records with a single team column pass the column itself (here: membership rows, owned by their account)."""
    world = _world(session)
    me, team_zero = world.records[0], world.teams[0]
    clause = scopes.scope_clause(
        _actor(me, ["clinician"], teams=[team_zero]), "person.read-sensitive", record_type="membership",
        record_id=TeamMembership.account_id, owner=TeamMembership.account_id, team=TeamMembership.team_id,
    )
    rows = session.execute(select(TeamMembership.account_id, TeamMembership.team_id).where(clause)).all()
    assert rows and {team_id for _, team_id in rows} == {team_zero.id}
    assert {account_id for account_id, _ in rows} == {
        record.id for record in world.records if team_zero.id in world.memberships[record.id]
    }


def test_no_permission_or_a_permission_without_scope_sees_nothing(session):
    world = _world(session)
    me = world.records[0]
    assert _visible(session, _actor(me, ["planner"])) == set()
    assert _visible(session, _actor(me, ["administrator"])) == set()
    assert _visible(session, _actor(me, ["service-manager"]), "staff.read") == set()
    assert _visible(session, None) == set()
    # The same actor sees records with a permission it holds (the clause is not false for some other reason).
    assert _visible(session, _actor(me, ["service-manager"])) != set()


def test_an_unexpired_break_the_glass_grant_opens_that_one_record(session):
    world = _world(session)
    me, outside, other_outside = world.records[0], world.records[1], world.records[3]
    actor = _actor(me, ["link-worker"])
    assert outside.id not in _visible(session, actor)
    now = clock.now()
    session.add_all(
        [
            BreakGlassGrant(
                account_id=me.id, organisation_id=me.organisation_id, record_type="staff_account",
                record_id=outside.id, reason="Urgent safeguarding call", granted_at=now, expires_at=now + timedelta(hours=1),
            ),
            BreakGlassGrant(
                account_id=me.id, organisation_id=me.organisation_id, record_type="staff_account",
                record_id=other_outside.id, reason="Urgent safeguarding call", granted_at=now - timedelta(hours=2),
                expires_at=now - timedelta(seconds=1),
            ),
            BreakGlassGrant(
                account_id=me.id, organisation_id=me.organisation_id, record_type="client",
                record_id=other_outside.id, reason="Another record type", granted_at=now, expires_at=now + timedelta(hours=1),
            ),
        ]
    )
    session.flush()
    visible = _visible(session, actor)
    assert outside.id in visible
    assert other_outside.id not in visible  # expired, and a grant for another record type opens nothing here
    with clock.pinned(now + timedelta(hours=1)):
        assert outside.id not in _visible(session, actor)
    # A role without break-glass.use gets nothing from a grant.
    assert outside.id not in _visible(session, _actor(me, ["peer-supporter"]))


ROLE_NAMES = sorted(ROLES)


@pytest.fixture
def world(session):
    return _world(session)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_list_never_contains_a_record_outside_the_actors_scope(session, world, data):
    me = data.draw(st.sampled_from(world.records), label="actor's account")
    roles = data.draw(st.sets(st.sampled_from(ROLE_NAMES), max_size=3), label="roles")
    organisation = data.draw(st.sampled_from(world.organisations), label="actor's organisation")
    teams = data.draw(
        st.sets(st.sampled_from([team for team in world.teams if team.organisation_id == organisation.id]), max_size=2),
        label="actor's teams",
    )
    permission = data.draw(st.sampled_from(["person.read", "person.write", "person.read-sensitive", "staff.read"]))
    grants = data.draw(
        st.lists(st.tuples(st.sampled_from(world.records), st.booleans()), max_size=3), label="grants (record, expired)"
    )
    actor = _actor(me, roles, teams=teams, organisation=organisation)
    now = clock.now()
    nested = session.begin_nested()
    try:
        for record, expired in grants:
            session.add(
                BreakGlassGrant(
                    account_id=me.id, organisation_id=organisation.id, record_type="staff_account", record_id=record.id,
                    reason="Hypothesis grant", granted_at=now - timedelta(hours=2),
                    expires_at=now - timedelta(minutes=1) if expired else now + timedelta(minutes=30),
                )
            )
        session.flush()
        visible = _visible(session, actor, permission)
    finally:
        nested.rollback()

    scope = scope_of(actor.roles, permission) if actor.can(permission) else None
    granted = {record.id for record, expired in grants if not expired} if actor.can("break-glass.use") else set()
    for record in world.records:
        in_scope = scope is not None and (
            record.id == me.id
            or (scope.value in ("team", "organisation") and bool(world.memberships[record.id] & {t.id for t in teams}))
            or (scope.value == "organisation" and record.organisation_id == organisation.id)
            or record.id in granted
        )
        assert (record.id in visible) == in_scope, (record.id, roles, permission)
