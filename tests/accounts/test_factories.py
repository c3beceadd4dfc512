"""The account factories work on both databases (every other accounts test builds on them)."""

from factories import accounts as factories

from carebridge.accounts import passwords, service


def test_an_account_is_made_with_its_roles_teams_and_a_verifiable_password(session):
    organisation = factories.organisation(session)
    team = factories.team(session, organisation)
    account = factories.account(session, roles=("clinician", "link-worker"), organisation_=organisation, teams=(team,))
    session.commit()

    loaded = service.account_by_email(session, account.email.upper())
    assert loaded is not None and loaded.id == account.id
    actor = service.actor_for(loaded)
    assert actor.roles == {"clinician", "link-worker"}
    assert actor.team_ids == {team.id}
    assert actor.can("person.read-sensitive") and not actor.can("staff.manage")
    assert passwords.verify_password(loaded.password_hash, factories.PASSWORD)
    assert not passwords.verify_password(loaded.password_hash, factories.PASSWORD + "x")
    assert loaded.created_at.tzinfo is not None
