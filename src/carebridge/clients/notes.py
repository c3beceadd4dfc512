"""Notes on a person's record: free text, several lines, normal or sensitive, append-only.

    notes.add_note(session, settings, actor, client_id, "Met at the drop-in.\\nNeeds a GP.", "normal")
    view = notes.list_notes(session, settings, actor, client)      # newest first; sensitive ones only when allowed

A note is never changed or deleted once written (the record of what was known when): a correction is a new note.
A sensitive note (health, trauma) is read by its author's team — its author and every member of the team the note
was written in — and by clinicians: staff holding person.read-sensitive whose scope for it covers the record (issue
9: "visible only to their author's team and clinicians"). Anyone else who may read the record (an organisation-wide
service manager or receptionist outside that team) sees only how many such notes there are, never their content or
author. The body is sealed with the person's data key, bound to its row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from carebridge.accounts.access import Actor
from carebridge.accounts.models import StaffAccount
from carebridge.audit import service as audit
from carebridge.clients import service as clients
from carebridge.clients.models import Client, ClientNote
from carebridge.config import Settings
from carebridge.db import new_id
from carebridge.errors import N_, FieldError, InvalidInput
from carebridge.keys import service as keys
from carebridge.kit import clock
from carebridge.kit.text import clean_text

NORMAL = "normal"
SENSITIVE = "sensitive"
SENSITIVITIES = (NORMAL, SENSITIVE)
BODY_MAXIMUM = 10_000
TABLE = "client_note"



@dataclass(frozen=True)
class NoteView:
    id: str
    sensitivity: str
    body: str
    author_name: str | None
    written_by_me: bool
    created_at: datetime


@dataclass(frozen=True)
class NotesView:
    """The notes this actor may read (newest first) and how many sensitive ones they may not."""

    notes: list[NoteView]
    hidden_sensitive: int


def may_read(actor: Actor, note: ClientNote, *, clinician: bool = False) -> bool:
    """Whether `actor` may read this note's content (they may already read the record): a normal note, or a
    sensitive one they wrote, or one written in a team of theirs, or any when `clinician` — reads_sensitive(...) for
    the note's record. Leaving `clinician` out never shows more than the rule allows, only perhaps less."""
    if note.sensitivity != SENSITIVE:
        return True
    if note.author_account_id is not None and note.author_account_id == actor.account_id:
        return True
    if note.team_id is not None and note.team_id in actor.team_ids:
        return True
    return clinician


def reads_sensitive(session: Session, actor: Actor, client: Client) -> bool:
    """Whether the actor is a clinician for this record: holds person.read-sensitive with a scope that covers it."""
    if not actor.can("person.read-sensitive"):
        return False
    query = select(Client.id).where(Client.id == client.id, clients.scope(actor, "person.read-sensitive"))
    return session.scalar(query) is not None


def _author_team(actor: Actor, client: Client) -> str | None:
    """The team the note is written in: the record's team when the author is in it, else the author's first team."""
    if client.team_id is not None and client.team_id in actor.team_ids:
        return client.team_id
    return min(actor.team_ids) if actor.team_ids else None


def add_note(
    session: Session,
    settings: Settings,
    actor: Actor,
    client_id: str,
    body: str | None,
    sensitivity: str = NORMAL,
    *,
    request_id: str | None = None,
) -> ClientNote:
    """Append a note (person.write); audited `client.note.create`."""
    clients.check(actor, "person.write")
    client = clients.find_client(session, actor, client_id, "person.write")
    errors: list[FieldError] = []
    if sensitivity not in SENSITIVITIES:
        errors.append(FieldError("sensitivity", N_("Choose who may read the note."), allowed=list(SENSITIVITIES)))
    try:
        text = clean_text(body, "body", maximum=BODY_MAXIMUM, empty=N_("Write the note."))
    except InvalidInput as problem:
        errors.extend(problem.errors)
    if errors:
        raise InvalidInput(errors=errors)
    assert text is not None
    key = keys.data_key(session, settings, clients.SUBJECT, client.id)
    note = ClientNote(
        id=new_id(),
        client_id=client.id,
        author_account_id=actor.account_id,
        team_id=_author_team(actor, client),
        sensitivity=sensitivity,
        created_at=clock.utc_now(),
    )
    note.body = key.seal_text(TABLE, "body", note.id, text)
    session.add(note)
    session.flush()
    audit.record(session, "client.note.create", actor=actor, record_type=clients.RECORD_TYPE, record_id=client.id,
                 request_id=request_id)
    return note


def list_notes(session: Session, settings: Settings, actor: Actor, client: Client) -> NotesView:
    """The record's notes for this actor, newest first; sensitive notes they may not read are only counted (and never
    decrypted). The caller has found `client` in the actor's scope and audits the read."""
    rows = session.scalars(
        select(ClientNote)
        .where(ClientNote.client_id == client.id)
        .order_by(ClientNote.created_at.desc(), ClientNote.id.desc())
    ).all()
    clinician = any(note.sensitivity == SENSITIVE for note in rows) and reads_sensitive(session, actor, client)
    readable = [note for note in rows if may_read(actor, note, clinician=clinician)]
    hidden = len(rows) - len(readable)
    if not readable:
        return NotesView([], hidden)
    key = keys.data_key(session, settings, clients.SUBJECT, client.id)
    author_ids = {note.author_account_id for note in readable if note.author_account_id}
    names = dict(session.execute(select(StaffAccount.id, StaffAccount.name).where(StaffAccount.id.in_(author_ids))).all()) if author_ids else {}
    return NotesView(
        [
            NoteView(
                id=note.id,
                sensitivity=note.sensitivity,
                body=key.open_text(TABLE, "body", note.id, note.body) or "",
                author_name=names.get(note.author_account_id or ""),
                written_by_me=note.author_account_id == actor.account_id,
                created_at=note.created_at,
            )
            for note in readable
        ],
        hidden,
    )


def read_notes(
    session: Session, settings: Settings, actor: Actor, client_id: str, *, request_id: str | None = None
) -> NotesView:
    """The notes of one record (person.read), audited `client.note.read`."""
    clients.check(actor, "person.read")
    client = clients.find_client(session, actor, client_id, "person.read")
    audit.record(session, "client.note.read", actor=actor, record_type=clients.RECORD_TYPE, record_id=client.id,
                 request_id=request_id)
    return list_notes(session, settings, actor, client)
