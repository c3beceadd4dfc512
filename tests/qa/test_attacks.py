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
    """A record of a team with a clinician's sensitive note, and a service manager outside that team who reads and
    may export every record of the organisation. (Not a link worker of the same team: issue 9 lets the author's team
    read sensitive notes, clients.notes.may_read.)"""
    from factories import accounts as account_factories

    settings = app.state.settings
    clinician = factories.caseworker(session, roles=("clinician",))
    manager = account_factories.account(session, roles=("service-manager",), organisation_=clinician.organisation,
                                        teams=(), name="Curious Colleague")
    colleague = factories.Caseworker(clinician.organisation, None, manager, account_factories.actor_for(manager))
    record = factories.client(session, settings, clinician.actor, preferred_name="Amina Marker-Export")
    notes.add_note(session, settings, clinician.actor, record.id, "Met at the drop-in marker-normal", notes.NORMAL)
    notes.add_note(session, settings, clinician.actor, record.id, "Trauma history marker-sensitive", notes.SENSITIVE)
    session.commit()
    return settings, clinician, colleague, record


def test_a_colleague_who_may_not_read_a_sensitive_note_cannot_read_it_through_the_copy(client, session, sensitive_record):
    """The copy of the record held every note, sensitive ones too, whoever made it: a service manager
    (organisation-wide, outside the note's team) read a clinician's sensitive notes by exporting the record."""
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


# --- A careless deployer: the keys of people's records -------------------------------------------------------------


def _key_text() -> str:
    import base64
    import os

    return base64.b64encode(os.urandom(32)).decode()


@pytest.fixture
def key_files(tmp_path):
    from carebridge.config import Settings

    record, blind = tmp_path / "record.keys", tmp_path / "blind-index.key"
    record.write_text(_key_text() + "\n")
    blind.write_text(_key_text() + "\n")
    return record, blind, lambda **changes: Settings(
        **{"record_key_file": record, "blind_index_key_file": blind, "demo": False, **changes}
    )


def test_the_server_starts_with_usable_keys(session_factory, key_files):
    from carebridge import cli

    record, blind, settings = key_files
    assert cli.keys_refusal(session_factory, settings()) is None


@pytest.mark.parametrize("broken", ["record-missing", "blind-missing", "not-base64", "binary", "empty", "short"])
def test_the_server_does_not_start_when_a_key_file_is_missing_or_broken(session_factory, key_files, broken):
    """With CAREBRIDGE_DEMO=false and no (or a broken) key file, `carebridge serve` started, answered /health, and
    every person's page was a 500: the deployer learned of it from staff, not from the command."""
    from carebridge import cli

    record, blind, settings = key_files
    if broken == "record-missing":
        record.unlink()
    elif broken == "blind-missing":
        blind.unlink()
    elif broken == "not-base64":
        record.write_text("not a key!\n")
    elif broken == "binary":
        record.write_bytes(b"\xff\xfe\x00secret-ish")
    elif broken == "empty":
        record.write_text("# nothing here\n")
    else:
        blind.write_text("c2hvcnQ=\n")
    refusal = cli.keys_refusal(session_factory, settings())
    assert refusal is not None and refusal.startswith("carebridge: not starting:")
    assert "secret-ish" not in refusal and "\\xff" not in refusal
    assert "docs/deploying.md" in refusal


def test_the_server_does_not_start_while_a_retired_key_still_wraps_data_keys(session, session_factory, key_files):
    """A key-encryption key taken out of the key file by hand (not `carebridge keys retire`, which checks) while data
    keys are still wrapped by it: every record under it would be a 500."""
    from carebridge import cli
    from carebridge.keys import keyring

    record, blind, settings = key_files
    old = settings()
    worker = factories.caseworker(session)
    factories.client(session, old, worker.actor, preferred_name="Under The Old Key")
    session.commit()
    old_id = keyring.keyring(old).active_id
    record.write_text(_key_text() + "\n")
    refusal = cli.keys_refusal(session_factory, settings())
    assert refusal is not None and old_id in refusal and "keys rotate" in refusal


def test_in_demo_mode_missing_key_files_are_made_as_before(session_factory, key_files):
    from carebridge import cli

    record, blind, settings = key_files
    record.unlink()
    blind.unlink()
    assert cli.keys_refusal(session_factory, settings(demo=True)) is None
    assert record.exists() and blind.exists()


# --- The immigration situation: only for those who work on the record -------------------------------------------


@pytest.fixture
def kept_situation(app, session):
    """A record in England (where the rules depend on it) whose immigration situation is kept with consent."""
    from carebridge.clients import immigration
    from carebridge.consent import service as consent
    from carebridge.consent.models import Consent
    from carebridge.kit import clock

    settings = app.state.settings
    worker = factories.caseworker(session)
    record = factories.client(session, settings, worker.actor, preferred_name="Amina Marker-Situation")
    record.jurisdiction = "GB-ENG"
    session.add(Consent(client_id=record.id, purpose=consent.IMMIGRATION_SITUATION, method="spoken",
                        explanation_version="2026-12", explanation_language="en", given_at=clock.utc_now()))
    session.flush()
    immigration.record_situation(session, settings, worker.actor, record.id, "asylum-seeker")
    session.commit()
    return settings, worker, record


@pytest.mark.parametrize("role", ["receptionist", "cultural-mediator", "service-manager"])
def test_staff_who_only_read_the_record_do_not_see_the_immigration_situation(client, session, kept_situation, role):
    """A receptionist (books appointments and interpreters), a cultural mediator or a service manager reads the
    record, but has no need for the immigration situation: it was in their person page's section and in
    GET /api/v1/clients/{id}/immigration-situation."""
    from carebridge.clients import immigration

    settings, worker, record = kept_situation
    reader = factories.member(session, worker, roles=(role,), name="Only Reads")
    if role == "cultural-mediator":
        record.owner_account_id = reader.account.id  # assigned to them: their `own` scope holds it
    session.commit()
    client.headers["X-CSRF-Token"] = audit_factories.sign_in_as(client, reader.actor)
    page = client.get(f"/staff/clients/{record.id}")
    assert page.status_code == 200
    assert "asked for asylum" not in page.text and 'id="immigration"' not in page.text
    api = client.get(f"/api/v1/clients/{record.id}/immigration-situation")
    assert api.status_code in (403, 404) and "asylum" not in api.text
    with pytest.raises((NotFound, __import__("carebridge.errors", fromlist=["Forbidden"]).Forbidden)):
        immigration.read_situation(session, settings, reader.actor, record.id)


def test_the_caseworker_still_sees_and_changes_it(client, session, kept_situation):
    settings, worker, record = kept_situation
    client.headers["X-CSRF-Token"] = audit_factories.sign_in_as(client, worker.actor)
    page = client.get(f"/staff/clients/{record.id}")
    assert 'id="immigration"' in page.text and "asked for asylum" in page.text
    api = client.get(f"/api/v1/clients/{record.id}/immigration-situation")
    assert api.status_code == 200 and api.json()["status"] == "asylum-seeker"


def test_the_copy_gives_each_way_of_contact_as_the_person_reads_it_not_as_sealed_json(session, two_organisations):
    """The copy showed a channel's sealed details as raw JSON ('{"number":"+447700900555"}'), in the PDF too."""
    from carebridge.clients import contact
    from carebridge.rights import pdf
    from carebridge.rights import service as rights

    settings, ours, theirs, record = two_organisations
    contact.add_channel(session, settings, ours.actor, record.id, contact.ChannelInput("sms", value="07700 900555"))
    contact.add_channel(session, settings, ours.actor, record.id, contact.ChannelInput("email", value="amina@example.org"))
    contact.add_channel(session, settings, ours.actor, record.id, contact.ChannelInput(
        "organisation", organisation="Refugee Centre", ask_for="Ask for Mo at the desk"))
    document = rights.export_record(session, settings, ours.actor, record.id)
    assert sorted(
        (item["kind"], item["value"], item["organisation"], item["ask_for"]) for item in document["contact_channels"]
    ) == [
        ("email", "amina@example.org", None, None), ("organisation", None, "Refugee Centre", "Ask for Mo at the desk"),
        ("sms", "+447700900555", None, None),
    ]
    html = pdf.export_html(document, "en", settings)
    assert '{"' not in html and "Ask for Mo at the desk" in html


def test_the_copy_says_the_immigration_situation_in_plain_words_in_the_persons_language(session, kept_situation):
    """The PDF showed the code as it is kept ("status asylum-seeker"), in English whatever the language."""
    from carebridge.rights import pdf
    from carebridge.rights import service as rights

    settings, worker, record = kept_situation
    document = rights.export_record(session, settings, worker.actor, record.id)
    english = pdf.export_html(document, "en", settings)
    assert "asked for asylum" in english and "asylum-seeker" not in english
    french = pdf.export_html(document, "fr", settings)
    assert "asylum-seeker" not in french and "asked for asylum" not in french
