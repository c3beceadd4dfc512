"""Notes: sealed, append-only, newest first; sensitive notes read only by their author's team (the author and the
members of the team they were written in) and by clinicians (person.read-sensitive over the record); everyone else
sees how many, never what or by whom."""

from __future__ import annotations

import datetime as dt

import pytest
from factories import accounts as account_factories
from factories import clients as factories
from sqlalchemy import select, text

from carebridge.audit.models import AuditEvent
from carebridge.clients import notes
from carebridge.clients.models import ClientNote
from carebridge.config import Settings
from carebridge.errors import Forbidden, InvalidInput, NotFound
from carebridge.kit import clock


@pytest.fixture
def settings() -> Settings:
    return Settings()


@pytest.fixture
def team_world(session, settings):  # noqa: ANN001, ANN201
    """One organisation with two teams: the author (link worker), a clinician and a link worker of the same team, a
    clinician of the other team who is also in scope via organisation (none: clinicians are team-scoped), and a
    service manager who reads the whole organisation."""
    author = factories.caseworker(session)
    organisation, team = author.organisation, author.team
    other_team = account_factories.team(session, organisation)

    def member(roles, teams):  # noqa: ANN001, ANN202
        account = account_factories.account(session, roles=roles, organisation_=organisation, teams=teams)
        return account_factories.actor_for(account)

    people = {
        "author": author.actor,
        "clinician of the team": member(("clinician",), (team,)),
        "link worker of the team": member(("link-worker",), (team,)),
        "clinician of both teams": member(("clinician",), (team, other_team)),
        "service manager": member(("service-manager",), ()),
        "receptionist": member(("receptionist",), ()),
    }
    person = factories.client(session, settings, author.actor, preferred_name="Amina")
    return people, person


# Who reads the sensitive note written by the author (in the author's team), given they may read the record at all.
SENSITIVE_TABLE = {
    "author": True,
    "clinician of the team": True,
    "clinician of both teams": True,
    # Issue 9: "visible only to their author's team and clinicians" — a colleague of the author's team reads it.
    "link worker of the team": True,
    "service manager": False,
    "receptionist": False,
}


@pytest.mark.parametrize(("who", "reads"), SENSITIVE_TABLE.items(), ids=list(SENSITIVE_TABLE))
def test_who_reads_a_sensitive_note(session, settings, team_world, who, reads) -> None:  # noqa: ANN001
    people, person = team_world
    notes.add_note(session, settings, people["author"], person.id, "MARKER-normal", "normal")
    with clock.pinned(clock.utc_now() + dt.timedelta(minutes=1)):
        notes.add_note(session, settings, people["author"], person.id, "MARKER-sensitive\nsecond line", "sensitive")
    view = notes.read_notes(session, settings, people[who], person.id)
    bodies = [note.body for note in view.notes]
    if reads:
        assert bodies == ["MARKER-sensitive\nsecond line", "MARKER-normal"]  # newest first
        assert view.hidden_sensitive == 0
    else:
        assert bodies == ["MARKER-normal"]
        assert view.hidden_sensitive == 1


def test_a_clinician_reads_it_once_the_record_is_in_their_scope_and_the_old_team_s_colleague_still_does(session, settings) -> None:  # noqa: ANN001
    author = factories.caseworker(session)
    colleague = factories.member(session, author, name="Colleague")
    other_team = account_factories.team(session, author.organisation)
    clinician = account_factories.actor_for(account_factories.account(
        session, roles=("clinician",), organisation_=author.organisation, teams=(other_team,)))
    link_worker = account_factories.actor_for(account_factories.account(
        session, roles=("link-worker",), organisation_=author.organisation, teams=(other_team,)))
    person = factories.client(session, settings, author.actor)
    notes.add_note(session, settings, author.actor, person.id, "written in the first team", "sensitive")
    with pytest.raises(NotFound):
        notes.read_notes(session, settings, clinician, person.id)
    person.team_id = other_team.id
    person.owner_account_id = link_worker.account_id
    session.flush()
    # A clinician is whoever holds person.read-sensitive over the record, now in their team.
    assert [note.body for note in notes.read_notes(session, settings, clinician, person.id).notes] == [
        "written in the first team"]
    # The new team's link worker is not the author's team: they see only that it exists.
    view = notes.read_notes(session, settings, link_worker, person.id)
    assert view.notes == [] and view.hidden_sensitive == 1
    # The author's team is the team the note was written in, wherever the record goes (if they may still read it).
    assert notes.may_read(colleague.actor, session.get(ClientNote, _only_note_id(session, person.id)))


def _only_note_id(session, client_id: str) -> str:  # noqa: ANN001
    return session.scalars(select(ClientNote.id).where(ClientNote.client_id == client_id)).one()


def test_may_read_without_the_clinician_answer_never_shows_more(session, settings, team_world) -> None:  # noqa: ANN001
    people, person = team_world
    note = notes.add_note(session, settings, people["author"], person.id, "sensitive", "sensitive")
    for who, reads in SENSITIVE_TABLE.items():
        assert notes.may_read(people[who], note) <= reads, who
        expected = notes.reads_sensitive(session, people[who], person)
        assert notes.may_read(people[who], note, clinician=expected) is reads, who


def test_notes_are_sealed_and_audited(session, settings, team_world) -> None:  # noqa: ANN001
    people, person = team_world
    note = notes.add_note(session, settings, people["author"], person.id, "MARKER-secret trauma", "sensitive")
    session.flush()
    raw = bytes(session.execute(text("select body from client_note where id = :id"), {"id": note.id}).scalar_one())
    assert b"MARKER" not in raw and b"trauma" not in raw
    notes.read_notes(session, settings, people["service manager"], person.id)
    actions = list(session.scalars(select(AuditEvent.action).where(
        AuditEvent.record_type == "client", AuditEvent.record_id == person.id).order_by(AuditEvent.seq)))
    assert actions[-2:] == ["client.note.create", "client.note.read"]


def test_a_hidden_note_gives_no_author_and_is_never_opened(session, settings, team_world) -> None:  # noqa: ANN001
    people, person = team_world
    notes.add_note(session, settings, people["author"], person.id, "sensitive only", "sensitive")
    # With only a hidden note, the person's key is not even fetched: the view carries nothing but the count.
    view = notes.list_notes(session, settings, people["receptionist"], person)
    assert view == notes.NotesView([], 1)


@pytest.mark.parametrize(
    ("body", "sensitivity", "fields"),
    [
        ("", "normal", ["body"]),
        ("   \n  ", "normal", ["body"]),
        ("x" * 10_001, "normal", ["body"]),
        ("fine", "secret", ["sensitivity"]),
        ("right\u202eto left", "normal", ["body"]),
        ("bell\u0007", "normal", ["body"]),
    ],
)
def test_bad_notes_are_refused(session, settings, team_world, body, sensitivity, fields) -> None:  # noqa: ANN001
    people, person = team_world
    with pytest.raises(InvalidInput) as refused:
        notes.add_note(session, settings, people["author"], person.id, body, sensitivity)
    assert [error.name for error in refused.value.errors] == fields


def test_long_multi_line_notes_are_kept_as_written(session, settings, team_world) -> None:  # noqa: ANN001
    people, person = team_world
    body = ("line\tone\r\n" * 1000)[:10_000]
    notes.add_note(session, settings, people["author"], person.id, body, "normal")
    [note] = notes.read_notes(session, settings, people["author"], person.id).notes
    assert note.body == body.replace("\r\n", "\n").strip()
    assert note.written_by_me and note.author_name == "Sam Tester"


def test_only_writers_in_scope_add_notes(session, settings, team_world) -> None:  # noqa: ANN001
    people, person = team_world
    with pytest.raises(Forbidden):
        notes.add_note(session, settings, people["receptionist"], person.id, "hello", "normal")
    stranger = factories.caseworker(session)
    with pytest.raises(NotFound):
        notes.add_note(session, settings, stranger.actor, person.id, "hello", "normal")
    with pytest.raises(NotFound):
        notes.read_notes(session, settings, stranger.actor, person.id)
