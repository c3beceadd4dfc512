"""Organisation, team and account services: permission checks, audit in the same call, sessions ended on changes."""

import pytest
from factories import accounts as factories
from sqlalchemy import select

from carebridge.accounts import service
from carebridge.accounts.models import RecoveryCode, StaffSession
from carebridge.errors import Conflict, Forbidden, InvalidInput, NotFound


@pytest.fixture
def audited(monkeypatch):
    """The audit events and jobs the services ask for, captured where they call them (carebridge.audit.service and
    carebridge.jobs.service)."""
    from carebridge.audit import service as audit
    from carebridge.jobs import service as jobs

    events: list[tuple[str, dict]] = []
    queued: list[tuple[str, dict]] = []
    monkeypatch.setattr(audit, "record", lambda session, action, **kw: events.append((action, kw)))
    monkeypatch.setattr(jobs, "enqueue", lambda session, kind, payload=None, **kw: queued.append((kind, payload)))
    return events, queued


def _admin(session, organisation=None):
    account = factories.account(session, roles=("administrator",), organisation_=organisation)
    return account, factories.actor_for(account)


def _open_sessions(session, account_id):
    return session.scalars(
        select(StaffSession).where(StaffSession.account_id == account_id, StaffSession.ended_at.is_(None))
    ).all()


def test_an_organisation_links_only_to_a_directory_organization_that_exists(session, audited):
    from carebridge.directory.models import Organization

    with pytest.raises(InvalidInput) as raised:
        service.create_organisation(session, "Harbour Clinic", directory_organization_id="no-such-id")
    assert raised.value.errors[0].name == "directory_organization_id"

    session.add(Organization(id="org-1", name="Harbour Clinic"))
    session.flush()
    organisation = service.create_organisation(session, "Harbour Clinic", directory_organization_id="org-1")
    assert organisation.directory_organization_id == "org-1"
    assert audited[0][-1][0] == "organisation.create"
    with pytest.raises(Conflict):
        service.create_organisation(session, " Harbour Clinic ")


def test_only_administrators_manage_organisations_teams_and_accounts(session):
    organisation = factories.organisation(session)
    manager = factories.account(session, roles=("service-manager",), organisation_=organisation)
    actor = factories.actor_for(manager)
    with pytest.raises(Forbidden):
        service.create_organisation(session, "Another", actor=actor)
    with pytest.raises(Forbidden):
        service.create_team(session, organisation, "Night team", actor=actor)
    with pytest.raises(Forbidden):
        service.create_account(
            session, email="new@example.org", name="New Person", organisation=organisation, roles=["clinician"],
            password=factories.PASSWORD, actor=actor,
        )
    target = factories.account(session, organisation_=organisation)
    for change in (
        lambda: service.change_roles(session, actor, target.id, ["clinician"]),
        lambda: service.disable_account(session, actor, target.id),
        lambda: service.enable_account(session, actor, target.id),
        lambda: service.reset_second_factor(session, actor, target.id),
    ):
        with pytest.raises(Forbidden):
            change()

    _, admin = _admin(session)
    team = service.create_team(session, organisation, "Night team", actor=admin)
    with pytest.raises(Conflict):
        service.create_team(session, organisation, "Night team", actor=admin)
    made = service.create_account(
        session, email="new@example.org", name="New Person", organisation=organisation, roles=["clinician"],
        password=factories.PASSWORD, teams=[team], actor=admin,
    )
    assert factories.actor_for(made).team_ids == {team.id}


def test_a_service_manager_lists_only_their_own_organisations_staff(session):
    ours, theirs = factories.organisation(session), factories.organisation(session)
    manager = factories.account(session, roles=("service-manager",), organisation_=ours)
    colleague = factories.account(session, organisation_=ours, name="Ada Colleague")
    stranger = factories.account(session, organisation_=theirs, name="Bo Stranger")
    actor = factories.actor_for(manager)

    seen = {account.id for account in service.list_accounts(session, actor)}
    assert seen == {manager.id, colleague.id}
    assert service.list_accounts(session, actor, organisation_id=theirs.id) == []
    with pytest.raises(NotFound):
        service.readable_account(session, actor, stranger.id)
    assert service.readable_account(session, actor, colleague.id).id == colleague.id

    _, admin = _admin(session)
    everyone = {account.id for account in service.list_accounts(session, admin)}
    assert {manager.id, colleague.id, stranger.id} <= everyone
    only_managers = service.list_accounts(session, admin, organisation_id=ours.id, role="service-manager")
    assert [account.id for account in only_managers] == [manager.id]

    planner = factories.actor_for(factories.account(session, roles=("planner",), organisation_=ours))
    with pytest.raises(Forbidden):
        service.list_accounts(session, planner)


def test_changing_roles_ends_sessions_and_is_audited(session, audited):
    events, _ = audited
    account = factories.account(session, roles=("link-worker",))
    other = factories.account(session, roles=("link-worker",))
    factories.staff_session(session, account)
    factories.staff_session(session, other)
    _, admin = _admin(session)

    service.change_roles(session, admin, account.id, ["clinician", "link-worker"])
    assert factories.actor_for(account).roles == {"clinician", "link-worker"}
    assert _open_sessions(session, account.id) == []
    ended = session.scalars(select(StaffSession).where(StaffSession.account_id == account.id)).one()
    assert ended.end_reason == "roles-changed" and ended.ended_at is not None
    assert len(_open_sessions(session, other.id)) == 1
    assert ("roles.change", account.id) in [(action, kw.get("record_id")) for action, kw in events]

    with pytest.raises(InvalidInput):
        service.change_roles(session, admin, account.id, ["immigration-officer"])
    with pytest.raises(InvalidInput):
        service.change_roles(session, admin, account.id, [])
    with pytest.raises(InvalidInput):
        service.change_roles(session, admin, admin.account_id, ["link-worker"])


def test_disabling_ends_sessions_and_enabling_lets_the_account_back(session, audited):
    events, _ = audited
    account = factories.account(session)
    factories.staff_session(session, account)
    admin_account, admin = _admin(session)

    service.disable_account(session, admin, account.id)
    assert not account.active and account.disabled_at is not None
    assert _open_sessions(session, account.id) == []
    assert session.scalars(select(StaffSession.end_reason).where(StaffSession.account_id == account.id)).one() == "disabled"
    service.enable_account(session, admin, account.id)
    assert account.active and account.disabled_at is None
    assert [action for action, _ in events][-2:] == ["account.disable", "account.enable"]
    with pytest.raises(InvalidInput):
        service.disable_account(session, admin, admin_account.id)
    with pytest.raises(NotFound):
        service.disable_account(session, admin, "00000000-0000-0000-0000-000000000000")


def test_resetting_a_second_factor_clears_it_ends_sessions_and_notifies_the_owner(session, audited):
    from carebridge.kit import clock

    events, queued = audited
    account = factories.account(session)
    account.totp_secret = b"secret"
    account.totp_confirmed_at = clock.now()
    account.totp_last_step = 123
    session.add(RecoveryCode(account_id=account.id, code_hash="hash"))
    factories.staff_session(session, account)
    _, admin = _admin(session)
    session.flush()

    service.reset_second_factor(session, admin, account.id)
    assert (account.totp_secret, account.totp_confirmed_at, account.totp_last_step) == (None, None, None)
    assert session.scalars(select(RecoveryCode).where(RecoveryCode.account_id == account.id)).all() == []
    assert _open_sessions(session, account.id) == []
    assert ("second-factor.reset", account.id) in [(action, kw.get("record_id")) for action, kw in events]
    assert queued == [("notify.staff", {"account_id": account.id, "reason": "second-factor-reset"})]
    with pytest.raises(Forbidden):
        service.reset_second_factor(session, None, account.id)


def test_team_membership_changes_stay_within_the_organisation(session, audited):
    events, _ = audited
    ours, theirs = factories.organisation(session), factories.organisation(session)
    team, other_team = factories.team(session, ours), factories.team(session, theirs)
    account = factories.account(session, organisation_=ours)
    factories.staff_session(session, account)
    _, admin = _admin(session)

    service.add_team_member(session, admin, account.id, team.id)
    assert factories.actor_for(account).team_ids == {team.id}
    assert _open_sessions(session, account.id) == []
    with pytest.raises(InvalidInput):
        service.add_team_member(session, admin, account.id, other_team.id)
    with pytest.raises(InvalidInput):
        service.set_teams(session, admin, account.id, [other_team.id])
    service.set_teams(session, admin, account.id, [])
    assert factories.actor_for(account).team_ids == frozenset()
    assert [action for action, _ in events if action.startswith("team.")][-2:] == ["team.add-member", "team.remove-member"]
    with pytest.raises(InvalidInput):
        factories.account(session, organisation_=ours, teams=(other_team,))


# QA defects 7b, 8, 10, 11, 12 (after the merge of issue 8).

HIDDEN = "Use only visible letters, numbers, spaces and punctuation"


@pytest.mark.parametrize(
    "name",
    ["\u202eevil\u202c Name", "Name\u2067x\u2069", "Ada\u200fAdmin", "Bell\x07Ringer", "Zero\u200bWidth", "Tab\tName",
     "Line\nBreak", "Arabic\u061cmark", "\ufeffBom"],
)
def test_names_with_hidden_characters_are_refused_with_a_plain_message(session, audited, name):
    organisation = factories.organisation(session)
    for create in (
        lambda: service.create_organisation(session, name),
        lambda: service.create_team(session, organisation, name),
        lambda: factories.account(session, organisation_=organisation, name=name),
    ):
        with pytest.raises(InvalidInput) as raised:
            create()
        assert [error.name for error in raised.value.errors] == ["name"]
        assert raised.value.errors[0].message.startswith(HIDDEN)


def test_persian_names_keep_their_zero_width_non_joiner_and_names_are_trimmed(session, audited):
    organisation = service.create_organisation(session, "  خانه\u200cی سلامت  ")
    assert organisation.name == "خانه\u200cی سلامت"
    account = factories.account(session, organisation_=organisation, name="  Ana Lopez ")
    assert account.name == "Ana Lopez"


def test_lengths_match_the_columns_and_are_refused_with_the_limit(session, audited):
    organisation = factories.organisation(session)
    assert service.create_organisation(session, "o" * 200).name == "o" * 200
    for create in (
        lambda: service.create_organisation(session, "o" * 201),
        lambda: service.create_team(session, organisation, "t" * 201),
        lambda: factories.account(session, organisation_=organisation, name="n" * 5000),
    ):
        with pytest.raises(InvalidInput) as raised:
            create()
        assert raised.value.errors[0].message == "Use at most %(maximum)s characters."
        assert raised.value.errors[0].params == {"maximum": 200}
    with pytest.raises(InvalidInput) as raised:
        factories.account(session, organisation_=organisation, email="a" * 320 + "@example.org")
    assert [error.name for error in raised.value.errors] == ["email"]
    with pytest.raises(InvalidInput) as raised:
        service.create_account(
            session, email="x@example.org", name="X Y", organisation=organisation, roles=["clinician"],
            password=factories.PASSWORD, languages="ar " * 100,
        )
    assert [error.name for error in raised.value.errors] == ["languages"]


def test_organisation_names_are_unique_whatever_their_case_or_width(session, audited):
    service.create_organisation(session, "Harbour Health")
    for other in ("harbour health", "HARBOUR HEALTH ", "Ｈａｒｂｏｕｒ Health"):
        with pytest.raises(Conflict) as raised:
            service.create_organisation(session, other)
        assert raised.value.detail == "An organisation with this name already exists."
    assert service.organisation_by_name(session, "harbour HEALTH").name == "Harbour Health"
    organisation = service.organisation_by_name(session, "Harbour Health")
    service.create_team(session, organisation, "Night team")
    with pytest.raises(Conflict):
        service.create_team(session, organisation, "NIGHT TEAM")


def test_an_unknown_role_is_named_when_it_is_short_and_plain(session, audited):
    organisation = factories.organisation(session)
    with pytest.raises(InvalidInput) as raised:
        factories.account(session, organisation_=organisation, roles=("superuser",))
    error = raised.value.errors[0]
    assert error.name == "roles" and error.message % error.params == (
        "There is no role called superuser. Choose roles from the list."
    )
    for strange in ("<script>alert(1)</script>", "x" * 33, "wizard\u202e", "a b"):
        with pytest.raises(InvalidInput) as raised:
            factories.account(session, organisation_=organisation, roles=(strange,))
        error = raised.value.errors[0]
        assert error.message == "One of the roles given does not exist. Choose roles from the list." and not error.params
    with pytest.raises(InvalidInput) as raised:
        factories.account(session, organisation_=organisation, roles=())
    assert raised.value.errors[0].message == "Choose at least one role from the list."


def test_a_team_of_another_organisation_is_an_error_not_dropped(session, audited):
    ours, theirs = factories.organisation(session), factories.organisation(session)
    their_team = factories.team(session, theirs)
    with pytest.raises(InvalidInput) as raised:
        factories.account(session, organisation_=ours, teams=(their_team,))
    assert [error.name for error in raised.value.errors] == ["teams"]
