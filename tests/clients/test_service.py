"""clients.service: the profile's rules, changing a record (with optimistic concurrency), closing and reopening,
scope, and the audit events each read and write leaves."""

from __future__ import annotations

import datetime as dt

import pytest
from factories import clients as factories
from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st
from sqlalchemy import select

from carebridge.clients import service
from carebridge.clients.models import Client, ImmigrationSituation
from carebridge.errors import Conflict, Forbidden, InvalidInput, NotFound
from carebridge.kit import clock

SETTINGS = factories.settings()


def _fields(problem: InvalidInput) -> set[str]:
    return {error.name for error in problem.errors}


def _profile(**changes) -> service.Profile:
    return service.Profile(**{"preferred_name": "Amina", **changes})


# --- The profile's rules (no database) -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tag", "kept"),
    [
        ("prs", "prs"), ("fa", "fa"), ("ps", "ps"), ("ckb", "ckb"), ("kmr", "kmr"), ("ti", "ti"), ("ar", "ar"),
        ("ar-sy", "ar-SY"), ("AR_SY", "ar-SY"), ("uk", "uk"), ("ru", "ru"), ("so", "so"), ("am", "am"),
        ("sr-latn-rs", "sr-Latn-RS"), ("es-419", "es-419"),
    ],
)
def test_language_tags_are_kept_in_their_conventional_case(tag, kept):
    assert service.normalise_language_tag(tag) == kept


@pytest.mark.parametrize("tag", ["", "xx", "qqq", "english", "ar-", "-ar", "ar SY", "a", "ar-SYR1", "ar-x-private", "12"])
def test_malformed_or_unknown_language_tags_are_refused(tag):
    assert service.normalise_language_tag(tag) is None


def test_every_language_offered_in_the_form_is_valid():
    for tag, _ in service.COMMON_LANGUAGES:
        assert service.normalise_language_tag(tag) == tag


def test_a_name_in_any_script_is_kept_and_hidden_characters_are_refused():
    assert service.check_profile(_profile(preferred_name="  أمينة  ")).preferred_name == "أمينة"
    assert service.check_profile(_profile(preferred_name="Олена")).preferred_name == "Олена"
    for bad in ("Am\u202eina", "Am\u200bina", "", "   ", "x" * 201):
        with pytest.raises(InvalidInput) as problem:
            service.check_profile(_profile(preferred_name=bad))
        assert _fields(problem.value) == {"preferred_name"}


def test_birth_is_a_past_date_after_1900_or_a_year_but_not_both():
    today = clock.today()
    assert service.check_profile(_profile(birth_date=dt.date(1990, 5, 1))).birth_date == dt.date(1990, 5, 1)
    assert service.check_profile(_profile(birth_year=1990)).birth_year == 1990
    cases = {
        "birth_date": [_profile(birth_date=today + dt.timedelta(days=1)), _profile(birth_date=dt.date(1899, 12, 31)),
                       _profile(birth_date=dt.date(1990, 1, 1), birth_year=1990)],
        "birth_year": [_profile(birth_year=1899), _profile(birth_year=today.year + 1), _profile(birth_year=90)],
    }
    for field, profiles in cases.items():
        for profile in profiles:
            with pytest.raises(InvalidInput) as problem:
                service.check_profile(profile)
            assert _fields(problem.value) == {field}


def test_gender_is_free_text_of_at_most_100_visible_characters():
    assert service.check_profile(_profile(gender=" non-binary ")).gender == "non-binary"
    assert service.check_profile(_profile(gender="  ")).gender is None
    for bad in ("x" * 101, "wo\u202eman"):
        with pytest.raises(InvalidInput) as problem:
            service.check_profile(_profile(gender=bad))
        assert _fields(problem.value) == {"gender"}


def test_languages_are_checked_deduplicated_and_the_interpreter_defaults_to_the_main_language():
    profile = service.check_profile(_profile(languages=["PRS", "prs", "fa-af"], interpreter_needed=True))
    assert profile.languages == ["prs", "fa-AF"]
    assert profile.interpreter_language == "prs"
    with pytest.raises(InvalidInput) as problem:
        service.check_profile(_profile(languages=["prs", "klingon"]))
    assert _fields(problem.value) == {"languages"}
    with pytest.raises(InvalidInput) as problem:
        service.check_profile(_profile(interpreter_needed=True))
    assert _fields(problem.value) == {"interpreter_language"}
    with pytest.raises(InvalidInput) as problem:
        service.check_profile(_profile(interpreter_gender="either"))
    assert _fields(problem.value) == {"interpreter_gender"}


def test_every_problem_is_named_at_once():
    with pytest.raises(InvalidInput) as problem:
        service.check_profile(_profile(preferred_name="", birth_year=1800, gender="x" * 101, languages=["zz"]))
    assert _fields(problem.value) == {"preferred_name", "birth_year", "gender", "languages"}


@hypothesis_settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.text(max_size=250),
    gender=st.none() | st.text(max_size=150),
    languages=st.lists(st.text(max_size=12), max_size=12),
    year=st.none() | st.integers(min_value=-10, max_value=3000),
)
def test_the_profile_check_either_keeps_a_clean_profile_or_names_fields_never_anything_else(name, gender, languages, year):
    try:
        profile = service.check_profile(
            service.Profile(preferred_name=name, gender=gender, languages=languages, birth_year=year),
            today=dt.date(2026, 12, 6),
        )
    except InvalidInput as problem:
        assert problem.errors and _fields(problem) <= {"preferred_name", "gender", "languages", "birth_year", "interpreter_language"}
        return
    assert 0 < len(profile.preferred_name) <= 200 and profile.preferred_name == profile.preferred_name.strip()
    assert all(service.normalise_language_tag(tag) == tag for tag in profile.languages)
    assert profile.gender is None or len(profile.gender) <= 100
    assert year is None or 1900 <= year <= 2026


# --- Creating, changing, closing ------------------------------------------------------------------------------


def test_creating_checks_the_profile_and_audits(session):
    worker = factories.caseworker(session)
    with pytest.raises(InvalidInput):
        factories.client(session, SETTINGS, worker.actor, languages=["not a language"])
    client = factories.client(session, SETTINGS, worker.actor, languages=["ckb"])
    assert (client.owner_account_id, client.team_id, client.jurisdiction) == (
        worker.account.id, worker.team.id, SETTINGS.jurisdiction
    )
    assert factories.audit_actions(session, client.id) == ["client.create"]


def test_an_update_replaces_the_profile_and_assignment_bumps_the_version_and_audits(session):
    worker = factories.caseworker(session)
    colleague = factories.member(session, worker, name="Colleague")
    client = factories.client(session, SETTINGS, worker.actor, preferred_name="Amina")
    updated = service.update_client(
        session, SETTINGS, worker.actor, client.id,
        _profile(preferred_name="Mina", languages=["prs"], birth_year=1990),
        service.Assignment(worker.team.id, colleague.account.id, SETTINGS.jurisdiction),
        version=1,
    )
    assert updated.version == 2 and updated.owner_account_id == colleague.account.id
    profile = service.open_profile(session, SETTINGS, updated)
    assert (profile.preferred_name, profile.languages, profile.birth_year) == ("Mina", ["prs"], 1990)
    assert b"Mina" not in session.scalar(select(Client.profile).where(Client.id == client.id))
    assert factories.audit_actions(session, client.id) == ["client.create", "client.update"]


def test_a_stale_version_is_a_conflict_and_changes_nothing(session):
    worker = factories.caseworker(session)
    client = factories.client(session, SETTINGS, worker.actor, preferred_name="Amina")
    assignment = service.Assignment(worker.team.id, worker.account.id, SETTINGS.jurisdiction)
    service.update_client(session, SETTINGS, worker.actor, client.id, _profile(preferred_name="First"), assignment, version=1)
    with pytest.raises(Conflict):
        service.update_client(session, SETTINGS, worker.actor, client.id, _profile(preferred_name="Second"), assignment, version=1)
    assert service.open_profile(session, SETTINGS, session.get(Client, client.id)).preferred_name == "First"


def test_the_caseworker_must_work_in_the_team_and_the_team_must_be_ones_own(session):
    worker = factories.caseworker(session)
    stranger = factories.caseworker(session, organisation_=worker.organisation)
    client = factories.client(session, SETTINGS, worker.actor)
    with pytest.raises(InvalidInput) as problem:
        service.update_client(
            session, SETTINGS, worker.actor, client.id, _profile(),
            service.Assignment(worker.team.id, stranger.account.id, SETTINGS.jurisdiction), version=1,
        )
    assert _fields(problem.value) == {"owner_account_id"}
    with pytest.raises(InvalidInput) as problem:
        service.update_client(
            session, SETTINGS, worker.actor, client.id, _profile(),
            service.Assignment(stranger.team.id, stranger.account.id, "XX-NOPE"), version=1,
        )
    assert _fields(problem.value) == {"team_id", "jurisdiction"}


def test_contact_and_attention_are_recorded_and_audited(session):
    worker = factories.caseworker(session)
    client = factories.client(session, SETTINGS, worker.actor)
    service.record_contact(session, SETTINGS, worker.actor, client.id)
    service.set_needs_attention(session, SETTINGS, worker.actor, client.id, True)
    assert client.last_contact_at == clock.utc_now() and client.needs_attention
    assert factories.audit_actions(session, client.id)[-2:] == ["client.contact-made", "client.attention"]


def test_closing_sets_the_erasure_date_and_erases_the_immigration_situation_now(session):
    worker = factories.caseworker(session)
    client = factories.client(session, SETTINGS, worker.actor)
    session.add(ImmigrationSituation(client_id=client.id, situation=b"sealed", consent_id="c", recorded_at=clock.utc_now()))
    session.flush()
    service.close_client(session, SETTINGS, worker.actor, client.id)
    assert client.status == "closed" and client.closed_at == clock.utc_now()
    assert client.erase_after == clock.utc_now() + dt.timedelta(days=SETTINGS.client_retention_days)
    assert session.get(ImmigrationSituation, client.id) is None
    with pytest.raises(Conflict):
        service.close_client(session, SETTINGS, worker.actor, client.id)
    with pytest.raises(Conflict):
        service.record_contact(session, SETTINGS, worker.actor, client.id)
    service.reopen_client(session, SETTINGS, worker.actor, client.id)
    assert (client.status, client.closed_at, client.erase_after) == ("open", None, None)
    assert factories.audit_actions(session, client.id)[-2:] == ["client.close", "client.reopen"]


# --- Scope ------------------------------------------------------------------------------------------------------


def test_a_link_worker_of_another_team_gets_not_found_for_reading_and_writing(session):
    worker = factories.caseworker(session)
    other = factories.caseworker(session, organisation_=worker.organisation)
    client = factories.client(session, SETTINGS, worker.actor)
    with pytest.raises(NotFound):
        service.get_client(session, SETTINGS, other.actor, client.id)
    for change in (service.record_contact, service.close_client, service.reopen_client):
        with pytest.raises(NotFound):
            change(session, SETTINGS, other.actor, client.id)
    assert "client.read" not in factories.audit_actions(session, client.id)


def test_a_peer_supporter_reads_only_records_they_are_the_caseworker_of(session):
    worker = factories.caseworker(session)
    peer = factories.member(session, worker, roles=("peer-supporter",))
    theirs = factories.client(session, SETTINGS, worker.actor)
    service.update_client(
        session, SETTINGS, worker.actor, theirs.id, _profile(),
        service.Assignment(worker.team.id, peer.account.id, SETTINGS.jurisdiction), version=1,
    )
    not_theirs = factories.client(session, SETTINGS, worker.actor)
    assert service.get_client(session, SETTINGS, peer.actor, theirs.id).id == theirs.id
    with pytest.raises(NotFound):
        service.get_client(session, SETTINGS, peer.actor, not_theirs.id)


def test_a_role_without_person_write_cannot_change_a_record_it_can_read(session):
    worker = factories.caseworker(session)
    receptionist = factories.member(session, worker, roles=("receptionist",))
    client = factories.client(session, SETTINGS, worker.actor)
    assert service.get_client(session, SETTINGS, receptionist.actor, client.id)
    with pytest.raises(Forbidden):
        service.record_contact(session, SETTINGS, receptionist.actor, client.id)
