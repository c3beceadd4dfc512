"""A person's reference numbers elsewhere — a health-service number, another organisation's case reference, a
refugee council's reference — kept so that staff can find the record again by exact match (clients.service.
find_people), never shown in a list.

    references.add_reference(session, settings, actor, client_id, ReferenceInput("health-service", "943 476 5919"))
    references.remove_reference(session, settings, actor, client_id, reference_id)
    views = references.list_references(session, settings, client)

The reference as typed and its label are sealed with the person's data key, bound to the row; `lookup_index` is the
blind index (keys.keyring.blind_index, kind `reference`) of the normalised value (keys.normalise.reference: NFKC,
case folded, letters and digits only), the same whatever the kind, so one search finds it. A reference shorter
than REFERENCE_MINIMUM letters and digits, or without a digit, is refused: it would be too easy to guess from its
index, or it is a word (a name) rather than a number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from carebridge.accounts.access import Actor
from carebridge.audit import service as audit
from carebridge.clients import service as clients
from carebridge.clients.models import Client, ClientReference
from carebridge.config import Settings
from carebridge.db import new_id
from carebridge.errors import N_, FieldError, InvalidInput, NotFound
from carebridge.keys import normalise
from carebridge.keys import service as keys
from carebridge.keys.keyring import blind_index
from carebridge.kit import clock
from carebridge.kit.text import clean_text

HEALTH_SERVICE = "health-service"
CASE_REFERENCE = "case-reference"
REFUGEE_COUNCIL = "refugee-council"
OTHER = "other"
KINDS = (HEALTH_SERVICE, CASE_REFERENCE, REFUGEE_COUNCIL, OTHER)

TABLE = "client_reference"
VALUE_MAXIMUM = 100
LABEL_MAXIMUM = 200
# Letters and digits a reference must have to be indexed (and so to be looked up): fewer would be guessable.
REFERENCE_MINIMUM = 5


@dataclass
class ReferenceInput:
    """What a form or an API call says: the kind, the reference as written, and whose it is (optional label)."""

    kind: str
    value: str | None = None
    label: str | None = None


@dataclass(frozen=True)
class ReferenceView:
    id: str
    kind: str
    value: str
    label: str | None
    created_at: datetime


def reference_index(settings: Settings, value: str) -> str | None:
    """The blind index of a reference number, or None when it has too few letters and digits to be indexed, or no
    digit at all (a reference number has one; a word or a name is not one, and must not look as if it could be
    searched)."""
    normalised = normalise.reference(value)
    if len(normalised) < REFERENCE_MINIMUM or not any(character.isdigit() for character in normalised):
        return None
    return blind_index(settings, normalise.REFERENCE, normalised)


def _clean(settings: Settings, data: ReferenceInput) -> tuple[str, str | None, str]:
    """(value, label, index), or InvalidInput naming every field with a problem."""
    errors: list[FieldError] = []
    if data.kind not in KINDS:
        errors.append(FieldError("kind", N_("Choose what kind of reference number it is."), allowed=list(KINDS)))
    value: str | None = None
    label: str | None = None
    index: str | None = None
    try:
        value = clean_text(data.value, "value", maximum=VALUE_MAXIMUM, multiline=False, empty=N_("Enter the reference number."))
    except InvalidInput as problem:
        errors.extend(problem.errors)
    if value is not None:
        index = reference_index(settings, value)
        if index is None:
            errors.append(FieldError(
                "value", N_("Enter the whole reference number: at least %(minimum)s letters or numbers, with at least one number."),
                params={"minimum": REFERENCE_MINIMUM}))
    try:
        label = clean_text(data.label, "label", maximum=LABEL_MAXIMUM, multiline=False)
    except InvalidInput as problem:
        errors.extend(problem.errors)
    if errors:
        raise InvalidInput(errors=errors)
    assert value is not None and index is not None
    return value, label, index


def add_reference(
    session: Session,
    settings: Settings,
    actor: Actor,
    client_id: str,
    data: ReferenceInput,
    *,
    request_id: str | None = None,
) -> ClientReference:
    """A new reference number on the record (person.write); audited `client.reference.create`."""
    clients.check(actor, "person.write")
    client = clients.find_client(session, actor, client_id, "person.write")
    value, label, index = _clean(settings, data)
    key = keys.data_key(session, settings, clients.SUBJECT, client.id)
    reference = ClientReference(id=new_id(), client_id=client.id, kind=data.kind, lookup_index=index,
                                created_at=clock.utc_now())
    reference.value = key.seal_json(TABLE, "value", reference.id, {"value": value, "label": label})
    session.add(reference)
    session.flush()
    audit.record(session, "client.reference.create", actor=actor, record_type=clients.RECORD_TYPE,
                 record_id=client.id, request_id=request_id)
    return reference


def remove_reference(
    session: Session,
    settings: Settings,
    actor: Actor,
    client_id: str,
    reference_id: str,
    *,
    request_id: str | None = None,
) -> None:
    """Delete a reference number (person.write); audited `client.reference.remove`. A wrong one is corrected by
    removing it and adding the right one."""
    clients.check(actor, "person.write")
    client = clients.find_client(session, actor, client_id, "person.write")
    reference = session.scalar(
        select(ClientReference).where(ClientReference.id == reference_id, ClientReference.client_id == client.id)
    )
    if reference is None:
        raise NotFound(N_("We could not find that reference number."))
    session.delete(reference)
    session.flush()
    audit.record(session, "client.reference.remove", actor=actor, record_type=clients.RECORD_TYPE,
                 record_id=client.id, request_id=request_id)


def list_references(session: Session, settings: Settings, client: Client) -> list[ReferenceView]:
    """The record's reference numbers, oldest first, opened. The caller has found `client` in the actor's scope and
    audits the read (the person's page: client.read)."""
    rows = session.scalars(
        select(ClientReference)
        .where(ClientReference.client_id == client.id)
        .order_by(ClientReference.created_at, ClientReference.id)
    ).all()
    if not rows:
        return []
    key = keys.data_key(session, settings, clients.SUBJECT, client.id)
    views = []
    for row in rows:
        sealed = key.open_json(TABLE, "value", row.id, row.value)
        views.append(ReferenceView(row.id, row.kind, sealed.get("value") or "", sealed.get("label"), row.created_at))
    return views


def read_references(
    session: Session, settings: Settings, actor: Actor, client_id: str, *, request_id: str | None = None
) -> list[ReferenceView]:
    """The reference numbers of one record (person.read), audited `client.reference.read` (the API)."""
    clients.check(actor, "person.read")
    client = clients.find_client(session, actor, client_id, "person.read")
    audit.record(session, "client.reference.read", actor=actor, record_type=clients.RECORD_TYPE, record_id=client.id,
                 request_id=request_id)
    return list_references(session, settings, client)
