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


@pytest.fixture
def sensitive_record(app, session):
    """A record of a team with a clinician's sensitive note, and a link worker of the same team who may export it."""
    settings = app.state.settings
    clinician = factories.caseworker(session, roles=("clinician",))
    colleague = factories.member(session, clinician, roles=("link-worker",), name="Curious Colleague")
    record = factories.client(session, settings, clinician.actor, preferred_name="Amina Marker-Export")
    notes.add_note(session, settings, clinician.actor, record.id, "Met at the drop-in marker-normal", notes.NORMAL)
    notes.add_note(session, settings, clinician.actor, record.id, "Trauma history marker-sensitive", notes.SENSITIVE)
    session.commit()
    return settings, clinician, colleague, record


def test_a_colleague_who_may_not_read_a_sensitive_note_cannot_read_it_through_the_copy(client, session, sensitive_record):
    """The copy of the record held every note, sensitive ones too, whoever made it: a link worker (or a service
    manager, organisation-wide) read a clinician's sensitive notes by exporting the record."""
    settings, clinician, colleague, record = sensitive_record
    # The person's page hides it from the colleague...
    assert [view.body for view in notes.read_notes(session, settings, colleague.actor, record.id).notes] == [
        "Met at the drop-in marker-normal"
    ]
    token = audit_factories.sign_in_as(client, colleague.actor)
    page = client.get(f"/staff/clients/{record.id}/export")
    assert page.status_code == 200
    assert "leaves them out" in page.text
    for form in ("json", "pdf"):
        response = client.post(
            f"/staff/clients/{record.id}/export", data={"format": form, "language": "en", "csrf_token": token}
        )
        assert response.status_code == 200
        assert b"marker-sensitive" not in response.content
    document = client.post(
        f"/staff/clients/{record.id}/export", data={"format": "json", "language": "en", "csrf_token": token}
    ).json()
    assert [note["text"] for note in document["notes"]] == ["Met at the drop-in marker-normal"]
    assert document["notes_withheld"] == 1
    client.headers["X-CSRF-Token"] = token
    api = client.post(f"/api/v1/clients/{record.id}/export")
    assert api.status_code == 200, api.text[:300]
    assert b"marker-sensitive" not in api.content


def test_the_clinician_of_the_team_still_makes_the_complete_copy(session, sensitive_record):
    from carebridge.rights import service as rights

    settings, clinician, colleague, record = sensitive_record
    document = rights.export_record(session, settings, clinician.actor, record.id)
    assert sorted(note["text"] for note in document["notes"]) == [
        "Met at the drop-in marker-normal", "Trauma history marker-sensitive"
    ]
    assert document["notes_withheld"] == 0
