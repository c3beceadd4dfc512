"""Attacks on the person's record through the real app (qa-attack): each test failed before its fix."""

from __future__ import annotations

import pytest
from factories import audit as audit_factories
from factories import clients as factories

from carebridge.clients import notes
from carebridge.clients import service as clients
from carebridge.errors import InvalidInput, NotFound

PROBLEM = "application/problem+json"


@pytest.fixture
def two_organisations(app, session):
    settings = app.state.settings
    ours = factories.caseworker(session)
    theirs = factories.caseworker(session, roles=("peer-supporter",))  # another organisation
    record = factories.client(session, settings, ours.actor, preferred_name="Alice Marker-Owner")
    session.commit()
    return settings, ours, theirs, record


def test_a_record_cannot_be_handed_to_a_caseworker_of_another_organisation_through_the_api(client, session, two_organisations):
    """Leaving the team empty skipped every check of the caseworker: a link worker could make a peer supporter of
    another organisation the record's caseworker, whose `own` scope then opened it."""
    settings, ours, theirs, record = two_organisations
    client.headers["X-CSRF-Token"] = audit_factories.sign_in_as(client, ours.actor)
    response = client.patch(
        f"/api/v1/clients/{record.id}", json={"version": 1, "team_id": None, "owner_account_id": theirs.account.id}
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert [error["name"] for error in response.json()["errors"]] == ["owner_account_id"]
    session.expire_all()
    with pytest.raises(NotFound):
        clients.find_client(session, theirs.actor, record.id)


@pytest.mark.parametrize("owner", ["another-organisation", "missing", "inactive"])
def test_without_a_team_the_caseworker_must_be_active_staff_of_the_records_organisation(session, two_organisations, owner):
    settings, ours, theirs, record = two_organisations
    colleague = factories.member(session, ours, name="Gone Colleague")
    colleague.account.active = False
    session.flush()
    owner_id = {"another-organisation": theirs.account.id, "missing": "no-such-account",
                "inactive": colleague.account.id}[owner]
    with pytest.raises(InvalidInput) as problem:
        clients.update_client(
            session, settings, ours.actor, record.id, clients.open_profile(session, settings, record),
            clients.Assignment(team_id=None, owner_account_id=owner_id, jurisdiction=record.jurisdiction), version=1,
        )
    assert [error.name for error in problem.value.errors] == ["owner_account_id"]


def test_without_a_team_a_caseworker_of_the_same_organisation_is_still_accepted(session, two_organisations):
    settings, ours, theirs, record = two_organisations
    colleague = factories.member(session, ours, name="Kept Colleague")
    changed = clients.update_client(
        session, settings, ours.actor, record.id, clients.open_profile(session, settings, record),
        clients.Assignment(team_id=None, owner_account_id=colleague.account.id, jurisdiction=record.jurisdiction),
        version=1,
    )
    assert (changed.team_id, changed.owner_account_id) == (None, colleague.account.id)
