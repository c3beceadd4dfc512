"""The disclosure register: requests for a person's information received from outside, and what was done with them.

    entry = firewall.record_request(session, settings, actor, RequestInput(...))         # disclosure.record
    firewall.link_person(session, settings, actor, entry.id, client_id)                   # + person.read on them
    firewall.propose(session, settings, admin_one, entry.id, "refuse", "No legal duty.")   # disclosure.decide
    firewall.confirm(session, settings, admin_two, entry.id)                               # another administrator
    firewall.record_person_told(session, settings, caseworker, client_id, entry.id, day)   # person.write on them

Rules the software keeps whatever anyone proposes:
- two administrators: the one who confirms a decision is never the one who proposed it;
- nothing is ever disclosed to immigration enforcement, and no bulk request (about many people) is ever answered:
  only "refuse" can be proposed or confirmed for those (`refused_by_rule`);
- the person is told, unless a court order forbids it: until the caseworker records that they told them, the
  register and the person's page say so.

What the requester gave (who asked, their reference, what they asked for, the legal basis) and the proposer's reason
are sealed with the entry's own data key (keys.service, subject `disclosure_request`): they may name the person.
Every action is audited with record_type `disclosure_request`, and also with record_type `client` and the person's
id when the entry is about one of our people (so "who has seen my record" shows it) — unless a court order forbids
telling the person, since that list is shown to them. Audit events carry ids only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from carebridge.accounts.access import Actor
from carebridge.audit import service as audit
from carebridge.clients import service as clients
from carebridge.config import Settings
from carebridge.errors import N_, Conflict, FieldError, Forbidden, InvalidInput, NotFound
from carebridge.firewall.models import DisclosureRequest
from carebridge.keys import service as keys
from carebridge.kit import clock
from carebridge.kit.text import clean_text as shared_clean_text

RECORD_TYPE = "disclosure_request"
SUBJECT = "disclosure_request"
REQUESTER_KINDS = ("police", "court", "immigration-enforcement", "local-authority", "other")
DECISIONS = ("disclose", "refuse")
# received -> proposed -> disclosed | refused; a proposal sent back returns to received.
STATUSES = ("received", "proposed", "disclosed", "refused")
OPEN_STATUSES = ("received", "proposed")

REQUESTER_MAXIMUM = 200
REFERENCE_MAXIMUM = 100
ASKED_FOR_MAXIMUM = 2000
LEGAL_BASIS_MAXIMUM = 1000
REASON_MAXIMUM = 2000

# Invisible characters free text may hold: line breaks and tabs, and the zero-width non-joiner and joiner (Persian
# and other scripts need them). Direction overrides and other hidden characters are refused (accounts.service).

REFUSED_IMMIGRATION = N_(
    "Carebridge never discloses anything to immigration enforcement: care records are for care. Only a refusal can "
    "be recorded."
)
REFUSED_BULK = N_(
    "Carebridge never answers a request about many people at once: each person's record is disclosed only on its "
    "own, for a reason that concerns that person. Only a refusal can be recorded."
)


@dataclass
class RequestInput:
    """What staff type in when a request arrives (all free text is sealed)."""

    requester_kind: str
    requester: str
    reference: str = ""
    asked_for: str = ""
    legal_basis: str = ""
    received_on: dt.date | None = None
    client_id: str | None = None
    bulk: bool = False
    court_order_forbids_telling: bool = False


@dataclass
class Details:
    requester: str
    reference: str
    asked_for: str
    legal_basis: str


@dataclass
class Entry:
    """An entry as a page or the API shows it: the row and, for one entry at a time, its opened details."""

    row: DisclosureRequest
    details: Details | None = None
    proposal_reason: str | None = None

    @property
    def refusal_rule(self) -> str | None:
        return refused_by_rule(self.row)


def refused_by_rule(entry: DisclosureRequest) -> str | None:
    """Why the software refuses this request whatever is proposed (a message id), or None."""
    if entry.requester_kind == "immigration-enforcement":
        return REFUSED_IMMIGRATION
    if entry.bulk:
        return REFUSED_BULK
    return None


def must_tell(entry: DisclosureRequest) -> bool:
    """The person is to be told and has not been yet."""
    return entry.client_id is not None and not entry.court_order_forbids_telling and entry.person_told_at is None


def _check(actor: Actor | None, permission: str) -> None:
    if actor is None or not actor.can(permission):
        raise Forbidden(N_("You do not have permission to do that."))


def clean_text(value: str | None, field: str, *, maximum: int, empty: str | None = None) -> str:
    """Free text as kept (kit.text.clean_text: NFC, trimmed, line breaks allowed), "" when empty and not required."""
    return shared_clean_text(value, field, maximum=maximum, empty=empty) or ""


def parse_date(value: str | None, field: str, *, settings: Settings, not_before: dt.date | None = None) -> dt.date:
    """A day typed as YYYY-MM-DD: not in the future, and not before `not_before` when given."""
    text = (value or "").strip()
    try:
        day = dt.date.fromisoformat(text)
        if len(text) != 10:
            raise ValueError
    except ValueError:
        raise InvalidInput(
            errors=[FieldError(field, N_("Enter the date as year-month-day, for example 2026-11-23."))]
        ) from None
    if day > clock.today(settings.timezone):
        raise InvalidInput(errors=[FieldError(field, N_("The date cannot be in the future."))])
    if not_before is not None and day < not_before:
        raise InvalidInput(
            errors=[FieldError(field, N_("The date cannot be before the request was received."))]
        )
    return day


def _midday_utc(day: dt.date, settings: Settings) -> dt.datetime:
    """A day as a stored moment: noon in the deployment's zone (the day stays the same in every zone we show)."""
    return dt.datetime.combine(day, dt.time(12), tzinfo=clock.zone(settings.timezone)).astimezone(dt.UTC)


def _audit(session: Session, action: str, actor: Actor, entry: DisclosureRequest, request_id: str | None) -> None:
    """An event on the entry, and one on the person's record too — except while a court order forbids telling the
    person: "who has seen my record" (rights) lists the record's events, and would tell them. The entry's own events
    and its client_id still say, to the register's readers, whom it concerned."""
    audit.record(session, action, actor=actor, record_type=RECORD_TYPE, record_id=entry.id, request_id=request_id)
    if entry.client_id is not None and not entry.court_order_forbids_telling:
        audit.record(session, action, actor=actor, record_type="client", record_id=entry.client_id, request_id=request_id)


def record_request(
    session: Session, settings: Settings, actor: Actor, data: RequestInput, *, request_id: str | None = None
) -> DisclosureRequest:
    """A new entry in the actor's organisation; audited `disclosure.record`. All problems at once (InvalidInput)."""
    _check(actor, "disclosure.record")
    errors: list[FieldError] = []
    values: dict[str, str] = {}

    def take(name: str, value: str, maximum: int, empty: str | None = None) -> None:
        try:
            values[name] = clean_text(value, name, maximum=maximum, empty=empty)
        except InvalidInput as problem:
            errors.extend(problem.errors)

    if data.requester_kind not in REQUESTER_KINDS:
        errors.append(FieldError("requester_kind", N_("Choose who sent the request."), allowed=list(REQUESTER_KINDS)))
    take("requester", data.requester, REQUESTER_MAXIMUM, N_("Enter who asked: the person and the body they act for."))
    take("reference", data.reference, REFERENCE_MAXIMUM)
    take("asked_for", data.asked_for, ASKED_FOR_MAXIMUM, N_("Enter what they asked for."))
    take("legal_basis", data.legal_basis, LEGAL_BASIS_MAXIMUM)
    received_on = data.received_on or clock.today(settings.timezone)
    if received_on > clock.today(settings.timezone):
        errors.append(FieldError("received_on", N_("The date cannot be in the future.")))
    client_id = (data.client_id or "").strip() or None
    if client_id is not None:
        try:
            _person_in_scope(session, actor, client_id, "client_id")
        except InvalidInput as problem:
            errors.extend(problem.errors)
    if errors:
        raise InvalidInput(errors=errors)
    entry = DisclosureRequest(
        id=_new_id(),
        organisation_id=actor.organisation_id,
        requester_kind=data.requester_kind,
        client_id=client_id,
        bulk=bool(data.bulk),
        court_order_forbids_telling=bool(data.court_order_forbids_telling),
        status="received",
        received_at=_midday_utc(received_on, settings),
        received_by=actor.account_id,
    )
    key = keys.create_data_key(session, settings, SUBJECT, entry.id)
    entry.details = key.seal_json(RECORD_TYPE, "details", entry.id, values)
    session.add(entry)
    session.flush()
    _audit(session, "disclosure.record", actor, entry, request_id)
    return entry


def _new_id() -> str:
    from carebridge.db import new_id

    return new_id()


def _person_in_scope(session: Session, actor: Actor, client_id: str, field: str) -> None:
    """The person must be one the actor may read (person.read scope): otherwise a field error, the same whether the
    record is out of scope or does not exist."""
    if not actor.can("person.read"):
        raise InvalidInput(
            errors=[
                FieldError(
                    field,
                    N_("You cannot open people's records, so you cannot link one: a service manager can link it later."),
                )
            ]
        )
    if len(client_id) > 36:
        raise InvalidInput(errors=[FieldError(field, N_("We could not find a person with that record number."))])
    try:
        clients.find_client(session, actor, client_id, "person.read")
    except NotFound:
        raise InvalidInput(
            errors=[FieldError(field, N_("We could not find a person with that record number."))]
        ) from None


def _find(session: Session, actor: Actor, entry_id: str, *, for_update: bool = False) -> DisclosureRequest:
    """An entry of the actor's organisation, or NotFound (the same for another organisation's)."""
    query = select(DisclosureRequest).where(
        DisclosureRequest.id == entry_id, DisclosureRequest.organisation_id == actor.organisation_id
    )
    if for_update:
        query = query.with_for_update()
    entry = session.scalar(query)
    if entry is None:
        raise NotFound(N_("We could not find that request in the register."))
    return entry


def list_requests(session: Session, actor: Actor, *, limit: int, offset: int = 0) -> list[DisclosureRequest]:
    """The organisation's register, newest first, without opening anything sealed (not audited: no details)."""
    _check(actor, "disclosure.record")
    return list(
        session.scalars(
            select(DisclosureRequest)
            .where(DisclosureRequest.organisation_id == actor.organisation_id)
            .order_by(DisclosureRequest.received_at.desc(), DisclosureRequest.id)
            .limit(limit)
            .offset(offset)
        )
    )


def count_requests(session: Session, actor: Actor) -> int:
    _check(actor, "disclosure.record")
    return session.scalar(
        select(func.count()).select_from(DisclosureRequest).where(DisclosureRequest.organisation_id == actor.organisation_id)
    ) or 0


def get_request(
    session: Session, settings: Settings, actor: Actor, entry_id: str, *, request_id: str | None = None
) -> Entry:
    """One entry with its details opened; audited `disclosure.read`."""
    _check(actor, "disclosure.record")
    entry = _find(session, actor, entry_id)
    key = keys.data_key(session, settings, SUBJECT, entry.id)
    details = Details(**{
        name: value
        for name, value in key.open_json(RECORD_TYPE, "details", entry.id, entry.details).items()
        if name in Details.__dataclass_fields__
    })
    reason = key.open_text(RECORD_TYPE, "proposal_reason", entry.id, entry.proposal_reason)
    _audit(session, "disclosure.read", actor, entry, request_id)
    return Entry(entry, details, reason)


def link_person(
    session: Session, settings: Settings, actor: Actor, entry_id: str, client_id: str, *, request_id: str | None = None
) -> DisclosureRequest:
    """Say which of our people the request is about (once); the linker must be able to read that person's record."""
    _check(actor, "disclosure.record")
    entry = _find(session, actor, entry_id, for_update=True)
    if entry.client_id is not None:
        raise Conflict(N_("This request is already linked to a person."))
    client_id = (client_id or "").strip()
    if not client_id:
        raise InvalidInput(errors=[FieldError("client_id", N_("Enter the person's record number."))])
    _person_in_scope(session, actor, client_id, "client_id")
    entry.client_id = client_id
    session.flush()
    _audit(session, "disclosure.link", actor, entry, request_id)
    return entry


def propose(
    session: Session,
    settings: Settings,
    actor: Actor,
    entry_id: str,
    decision: str,
    reason: str,
    *,
    request_id: str | None = None,
) -> DisclosureRequest:
    """The first administrator proposes to disclose or to refuse, with a reason. A request the software refuses
    (immigration enforcement, bulk) can only be proposed for refusal."""
    _check(actor, "disclosure.decide")
    entry = _find(session, actor, entry_id, for_update=True)
    if entry.status != "received":
        raise Conflict(N_("A decision has already been proposed or made on this request."))
    errors: list[FieldError] = []
    if decision not in DECISIONS:
        errors.append(FieldError("decision", N_("Choose whether to disclose or to refuse."), allowed=list(DECISIONS)))
    elif decision == "disclose" and refused_by_rule(entry):
        errors.append(FieldError("decision", refused_by_rule(entry)))
    try:
        reason = clean_text(reason, "reason", maximum=REASON_MAXIMUM, empty=N_("Give the reason for the decision."))
    except InvalidInput as problem:
        errors.extend(problem.errors)
    if errors:
        raise InvalidInput(errors=errors)
    key = keys.data_key(session, settings, SUBJECT, entry.id)
    entry.status = "proposed"
    entry.proposed_decision = decision
    entry.proposed_by = actor.account_id
    entry.proposed_at = clock.utc_now()
    entry.proposal_reason = key.seal_text(RECORD_TYPE, "proposal_reason", entry.id, reason)
    session.flush()
    _audit(session, f"disclosure.propose-{decision}", actor, entry, request_id)
    return entry


def confirm(
    session: Session, settings: Settings, actor: Actor, entry_id: str, *, request_id: str | None = None
) -> DisclosureRequest:
    """A second, different administrator confirms the proposed decision: the request is then disclosed or refused."""
    _check(actor, "disclosure.decide")
    entry = _find(session, actor, entry_id, for_update=True)
    if entry.status != "proposed" or entry.proposed_decision not in DECISIONS:
        raise Conflict(N_("There is no proposed decision to confirm on this request."))
    if entry.proposed_by == actor.account_id:
        raise Forbidden(N_("Another administrator must confirm the decision you proposed."))
    if entry.proposed_decision == "disclose" and refused_by_rule(entry):
        # Defence in depth: propose() refuses this already.
        raise Forbidden(refused_by_rule(entry))
    entry.status = "disclosed" if entry.proposed_decision == "disclose" else "refused"
    entry.decided_by = actor.account_id
    entry.decided_at = clock.utc_now()
    session.flush()
    _audit(session, f"disclosure.confirm-{entry.proposed_decision}", actor, entry, request_id)
    return entry


def send_back(
    session: Session, settings: Settings, actor: Actor, entry_id: str, *, request_id: str | None = None
) -> DisclosureRequest:
    """A second administrator does not agree with the proposal: it is dropped and the request is open again."""
    _check(actor, "disclosure.decide")
    entry = _find(session, actor, entry_id, for_update=True)
    if entry.status != "proposed":
        raise Conflict(N_("There is no proposed decision to confirm on this request."))
    if entry.proposed_by == actor.account_id:
        raise Forbidden(N_("Another administrator must confirm the decision you proposed."))
    entry.status = "received"
    entry.proposed_decision = None
    entry.proposed_by = None
    entry.proposed_at = None
    entry.proposal_reason = None
    session.flush()
    _audit(session, "disclosure.send-back", actor, entry, request_id)
    return entry


def about_person(session: Session, actor: Actor, client_id: str) -> list[DisclosureRequest]:
    """The entries about one person that their caseworkers are shown: not those a court order keeps from the person
    (a caseworker who does not know cannot let it slip). The caller has checked the person is in scope."""
    return list(
        session.scalars(
            select(DisclosureRequest)
            .where(
                DisclosureRequest.client_id == client_id,
                DisclosureRequest.organisation_id == actor.organisation_id,
                DisclosureRequest.court_order_forbids_telling.is_(False),
            )
            .order_by(DisclosureRequest.received_at.desc())
        )
    )


def entry_about_person(session: Session, actor: Actor, client_id: str, entry_id: str) -> DisclosureRequest:
    """One entry about this person that may be told, or NotFound."""
    entry = session.scalar(
        select(DisclosureRequest).where(
            DisclosureRequest.id == entry_id,
            DisclosureRequest.client_id == client_id,
            DisclosureRequest.organisation_id == actor.organisation_id,
            DisclosureRequest.court_order_forbids_telling.is_(False),
        )
    )
    if entry is None:
        raise NotFound(N_("We could not find that request in the register."))
    return entry


def record_person_told(
    session: Session,
    settings: Settings,
    actor: Actor,
    client_id: str,
    entry_id: str,
    told_on: str,
    *,
    request_id: str | None = None,
) -> DisclosureRequest:
    """The caseworker told the person about the request, on `told_on` (YYYY-MM-DD); needs person.write on them."""
    clients.check(actor, "person.write")
    clients.find_client(session, actor, client_id, "person.write")
    entry = entry_about_person(session, actor, client_id, entry_id)
    if entry.person_told_at is not None:
        raise Conflict(N_("It is already recorded that the person was told."))
    received_on = entry.received_at.astimezone(clock.zone(settings.timezone)).date()
    day = parse_date(told_on, "told_on", settings=settings, not_before=received_on)
    entry.person_told_at = _midday_utc(day, settings)
    entry.person_told_by = actor.account_id
    session.flush()
    _audit(session, "disclosure.person-told", actor, entry, request_id)
    return entry
