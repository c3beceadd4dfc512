"""Possible duplicates: other records that may be the same person, found by blind index, decided by staff, linked,
never merged (there is no merge at all).

    found = duplicates.possible_duplicates(session, settings, actor, client)    # undecided, in the actor's scope
    duplicates.decide(session, settings, actor, client.id, other.id, duplicates.SAME_PERSON)
    linked = duplicates.linked_records(session, settings, actor, client)

A record is a possible duplicate of another when they share the name-and-birth-date index (clients.service), the
blind index of a phone number or e-mail address of a contact channel (clients.contact), or that of a reference
number (clients.references: the same health-service number or case reference). The indexes are kept up to
date when a record is created, when its name or birth date changes (clients.service) when a channel is added or
changed (clients.contact) and when a reference number is added (clients.references); the comparison is made when the person's page is shown, so it is never stale. Only records
in the actor's person.read scope are ever compared or shown: a record outside it is never hinted at.

A decision is stored once per pair (ClientLink, the smaller id first): "same person" links them, and each record's
page then shows the other; "not the same person" stops proposing the pair. Deciding again replaces the decision.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from carebridge.accounts.access import Actor
from carebridge.audit import service as audit
from carebridge.clients import service as clients
from carebridge.clients.contact import NUMBER_KINDS
from carebridge.clients.models import Client, ClientLink, ClientReference, ContactChannel
from carebridge.config import Settings
from carebridge.errors import N_, FieldError, InvalidInput, NotFound
from carebridge.kit import clock

SAME_PERSON = "same-person"
NOT_SAME_PERSON = "not-same-person"
DECISIONS = (SAME_PERSON, NOT_SAME_PERSON)

SAME_PHONE = "same-phone"
SAME_EMAIL = "same-email"
SAME_NAME_BIRTH_DATE = "same-name-birth-date"
SAME_REFERENCE = "same-reference"
# Most telling first: what ClientLink.reason keeps when several apply.
REASONS = (SAME_REFERENCE, SAME_PHONE, SAME_EMAIL, SAME_NAME_BIRTH_DATE)
# The most candidates shown for one record: more would mean an index shared by many (a shelter's phone).
LIMIT = 20


@dataclass(frozen=True)
class PossibleDuplicate:
    client_id: str
    preferred_name: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class LinkedRecord:
    client_id: str
    preferred_name: str
    reason: str


def _reason_of_kind(kind: str) -> str:
    return SAME_PHONE if kind in NUMBER_KINDS else SAME_EMAIL


def _matches(session: Session, actor: Actor, client: Client) -> dict[str, set[str]]:
    """Other records in the actor's person.read scope sharing an index with `client`: id → reasons."""
    own = session.execute(
        select(ContactChannel.kind, ContactChannel.lookup_index).where(
            ContactChannel.client_id == client.id, ContactChannel.lookup_index.is_not(None)
        )
    ).all()
    reason_by_index = {index: _reason_of_kind(kind) for kind, index in own}
    found: dict[str, set[str]] = {}
    in_scope = and_(clients.scope(actor, "person.read"), Client.id != client.id)
    if reason_by_index:
        rows = session.execute(
            select(ContactChannel.client_id, ContactChannel.lookup_index)
            .join(Client, Client.id == ContactChannel.client_id)
            .where(ContactChannel.lookup_index.in_(list(reason_by_index)), in_scope)
        ).all()
        for other_id, index in rows:
            found.setdefault(other_id, set()).add(reason_by_index[index])
    references = list(session.scalars(
        select(ClientReference.lookup_index).where(ClientReference.client_id == client.id)
    ))
    if references:
        for other_id in session.scalars(
            select(ClientReference.client_id)
            .join(Client, Client.id == ClientReference.client_id)
            .where(ClientReference.lookup_index.in_(references), in_scope)
        ):
            found.setdefault(other_id, set()).add(SAME_REFERENCE)
    if client.name_birth_date_index:
        for other_id in session.scalars(
            select(Client.id).where(Client.name_birth_date_index == client.name_birth_date_index, in_scope)
        ):
            found.setdefault(other_id, set()).add(SAME_NAME_BIRTH_DATE)
    return found


def _pair(client_id: str, other_id: str) -> tuple[str, str]:
    return (client_id, other_id) if client_id < other_id else (other_id, client_id)


def _links(session: Session, client_id: str) -> list[ClientLink]:
    return list(
        session.scalars(
            select(ClientLink).where(or_(ClientLink.client_id == client_id, ClientLink.other_client_id == client_id))
        )
    )


def _other(link: ClientLink, client_id: str) -> str:
    return link.other_client_id if link.client_id == client_id else link.client_id


def _names(session: Session, settings: Settings, ids: list[str]) -> dict[str, str]:
    if not ids:
        return {}
    rows = list(session.scalars(select(Client).where(Client.id.in_(ids))))
    return {client_id: profile.preferred_name for client_id, profile in clients.open_profiles(session, settings, rows).items()}


def _audit_shown(session: Session, actor: Actor, ids: list[str], request_id: str | None) -> None:
    """Showing another record's name is a read of that record: it appears in its "who has seen my record"."""
    for other_id in ids:
        audit.record(session, "client.duplicate.shown", actor=actor, record_type=clients.RECORD_TYPE,
                     record_id=other_id, request_id=request_id)


def possible_duplicates(
    session: Session, settings: Settings, actor: Actor, client: Client, *, request_id: str | None = None
) -> list[PossibleDuplicate]:
    """The records in the actor's person.read scope that may be the same person as `client` and that nobody has
    decided about yet, by name, with why. Each one shown is audited `client.duplicate.shown` on that record; the
    caller audits the read of `client`."""
    found = _matches(session, actor, client)
    decided = {_other(link, client.id) for link in _links(session, client.id)}
    ids = sorted(other for other in found if other not in decided)[:LIMIT]
    names = _names(session, settings, ids)
    result = [
        PossibleDuplicate(other, names[other], tuple(reason for reason in REASONS if reason in found[other]))
        for other in ids
        if other in names  # an erased record (no key) is nobody's duplicate
    ]
    _audit_shown(session, actor, [item.client_id for item in result], request_id)
    return sorted(result, key=lambda item: (item.preferred_name.casefold(), item.client_id))


def linked_records(
    session: Session, settings: Settings, actor: Actor, client: Client, *, request_id: str | None = None
) -> list[LinkedRecord]:
    """The records staff linked to `client` as the same person, those in the actor's person.read scope (each shown
    audited `client.duplicate.shown`)."""
    links = {_other(link, client.id): link for link in _links(session, client.id) if link.decision == SAME_PERSON}
    if not links:
        return []
    visible = set(session.scalars(select(Client.id).where(Client.id.in_(list(links)), clients.scope(actor, "person.read"))))
    names = _names(session, settings, sorted(visible))
    result = sorted(
        (LinkedRecord(other, names[other], links[other].reason) for other in visible if other in names),
        key=lambda item: (item.preferred_name.casefold(), item.client_id),
    )
    _audit_shown(session, actor, [item.client_id for item in result], request_id)
    return result


def decide(
    session: Session,
    settings: Settings,
    actor: Actor,
    client_id: str,
    other_id: str,
    decision: str,
    *,
    request_id: str | None = None,
) -> ClientLink:
    """Record that two records are (or are not) the same person: person.write on this record, person.read on the
    other, and the pair must be a possible duplicate or already decided. Audited `client.link.same-person` or
    `client.link.not-same-person` on both records."""
    clients.check(actor, "person.write")
    if decision not in DECISIONS:
        raise InvalidInput(errors=[FieldError("decision", N_("Choose whether it is the same person."),
                                              allowed=list(DECISIONS))])
    client = clients.find_client(session, actor, client_id, "person.write")
    if other_id == client.id:
        raise NotFound(N_("We could not find that person's record."))
    other = clients.find_client(session, actor, other_id, "person.read")
    first, second = _pair(client.id, other.id)
    link = session.scalar(select(ClientLink).where(ClientLink.client_id == first, ClientLink.other_client_id == second))
    reasons = _matches(session, actor, client).get(other.id, set())
    if link is None and not reasons:
        raise NotFound(N_("We could not find that person's record."))
    now = clock.utc_now()
    if link is None:
        link = ClientLink(client_id=first, other_client_id=second, reason=next(r for r in REASONS if r in reasons))
        session.add(link)
    link.decision = decision
    link.decided_by = actor.account_id
    link.decided_at = now
    session.flush()
    for record_id in (client.id, other.id):
        audit.record(session, f"client.link.{decision}", actor=actor, record_type=clients.RECORD_TYPE,
                     record_id=record_id, request_id=request_id)
    return link


def read_duplicates(
    session: Session, settings: Settings, actor: Actor, client_id: str, *, request_id: str | None = None
) -> tuple[list[PossibleDuplicate], list[LinkedRecord]]:
    """Possible duplicates and linked records of one record (person.read), audited `client.duplicates.read`."""
    clients.check(actor, "person.read")
    client = clients.find_client(session, actor, client_id, "person.read")
    audit.record(session, "client.duplicates.read", actor=actor, record_type=clients.RECORD_TYPE, record_id=client.id,
                 request_id=request_id)
    return (
        possible_duplicates(session, settings, actor, client, request_id=request_id),
        linked_records(session, settings, actor, client, request_id=request_id),
    )
