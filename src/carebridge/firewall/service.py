"""The disclosure register: requests for a person's information received from outside, and what was done with them.

    entry = firewall.record_request(session, settings, actor, RequestInput(...))         # disclosure.record
    firewall.link_person(session, settings, actor, entry.id, client_id)                   # + person.read on them
    firewall.propose(session, settings, admin_one, entry.id, "refuse", "No legal duty.")   # disclosure.decide
    firewall.confirm(session, settings, admin_two, entry.id)                               # another administrator
    firewall.propose_gag(session, settings, admin_one, entry.id, reference, until)        # disclosure.decide
    firewall.confirm_gag(session, settings, admin_two, entry.id)                           # another administrator
    firewall.record_person_told(session, settings, caseworker, client_id, entry.id, day)   # person.write on them

Who sees what: every staff member who meets the public may record a request (disclosure.record) and sees the requests
they recorded themselves and their status; the whole register and every request's details need disclosure.read
(administrators, service managers); deciding needs disclosure.decide (administrators).

Rules the software keeps whatever anyone proposes:
- two administrators: the one who confirms a decision is never the one who proposed it;
- nothing is ever disclosed to immigration enforcement, and no bulk request (about many people) is ever answered:
  only "refuse" can be proposed or confirmed for those (`refused_by_rule`);
- the person is told, unless a court order forbids it: until the caseworker records that they told them, the
  register and the person's page say so;
- a court order that forbids telling the person (the gag) hides nothing until two different administrators have
  confirmed it: whoever records the request may only claim one (with the order's reference, sealed). A confirmed gag
  has an end or review date (gag_until); from that day the person is told again like any other.

What the requester gave (who asked, their reference, what they asked for, the legal basis) and the proposer's reason
are sealed with the entry's own data key (keys.service, subject `disclosure_request`): they may name the person.
Every action is audited with record_type `disclosure_request`, and also with record_type `client` and the person's
id when the entry is about one of our people (so "who has seen my record" shows it). While a confirmed gag is in
effect, rights.service leaves the `disclosure.*` events out of what the person is shown (gag_in_effect_for); they
appear again when it ends. Audit events carry ids only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, or_, select
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
# none | claimed -> proposed -> confirmed; a proposal sent back returns to claimed. Only `confirmed` hides anything,
# and only before gag_until.
GAG_STATUSES = ("none", "claimed", "proposed", "confirmed")
# How far ahead a gag's end or review date may be: a court order is reviewed at least this often.
GAG_LONGEST = dt.timedelta(days=366)

REQUESTER_KIND_LABELS = {
    "police": N_("Police"),
    "court": N_("A court"),
    "immigration-enforcement": N_("Immigration enforcement"),
    "local-authority": N_("A local authority"),
    "other": N_("Someone else"),
}
# What the person is told of each request's answer ("who has seen my record", in their language).
PERSON_STATUS_LABELS = {
    "received": N_("We have not answered yet."),
    "proposed": N_("We have not answered yet."),
    "disclosed": N_("We gave them the information they asked for."),
    "refused": N_("We said no. We did not give them your information."),
}

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
    court_order_claimed: bool = False
    court_order_reference: str = ""


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
    court_order_reference: str | None = None

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


def gag_in_effect(entry: DisclosureRequest, today: dt.date) -> bool:
    """Two administrators confirmed a court order forbidding telling the person, and its end or review date has not
    come. A claimed or proposed gag hides nothing."""
    return entry.gag_status == "confirmed" and entry.gag_until is not None and today < entry.gag_until


def must_tell(entry: DisclosureRequest, today: dt.date) -> bool:
    """The person is to be told and has not been yet."""
    return entry.client_id is not None and not gag_in_effect(entry, today) and entry.person_told_at is None


def reads_register(actor: Actor) -> bool:
    """Whether the actor sees the whole register and every request's details, or only what they recorded."""
    return actor.can("disclosure.read")


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
    """An event on the entry, and one on the person's record too. "Who has seen my record" (rights) lists the
    record's events; while a confirmed gag is in effect it leaves the disclosure events out (gag_in_effect_for), and
    shows them again when the gag ends, so the person's history is whole in the end."""
    audit.record(session, action, actor=actor, record_type=RECORD_TYPE, record_id=entry.id, request_id=request_id)
    if entry.client_id is not None:
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
    order_reference = ""
    if data.court_order_claimed:
        try:
            order_reference = clean_text(
                data.court_order_reference, "court_order_reference", maximum=REFERENCE_MAXIMUM,
                empty=N_("Enter the court order's reference, as it is written on the order."),
            )
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
        gag_status="claimed" if data.court_order_claimed else "none",
        status="received",
        received_at=_midday_utc(received_on, settings),
        received_by=actor.account_id,
    )
    key = keys.create_data_key(session, settings, SUBJECT, entry.id)
    entry.details = key.seal_json(RECORD_TYPE, "details", entry.id, values)
    if order_reference:
        entry.court_order_reference = key.seal_text(RECORD_TYPE, "court_order_reference", entry.id, order_reference)
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


def _visible(actor: Actor):  # noqa: ANN202
    """The entries the actor may see: their organisation's register, or only those they recorded themselves."""
    conditions = [DisclosureRequest.organisation_id == actor.organisation_id]
    if not reads_register(actor):
        conditions.append(DisclosureRequest.received_by == actor.account_id)
    return conditions


def _find(session: Session, actor: Actor, entry_id: str, *, for_update: bool = False) -> DisclosureRequest:
    """An entry the actor may see (_visible), or NotFound (the same for one they may not see)."""
    query = select(DisclosureRequest).where(DisclosureRequest.id == entry_id, *_visible(actor))
    if for_update:
        query = query.with_for_update()
    entry = session.scalar(query)
    if entry is None:
        raise NotFound(N_("We could not find that request in the register."))
    return entry


def list_requests(session: Session, actor: Actor, *, limit: int, offset: int = 0) -> list[DisclosureRequest]:
    """The organisation's register (only the actor's own entries without disclosure.read), newest first, without
    opening anything sealed (not audited: no details)."""
    _check(actor, "disclosure.record")
    return list(
        session.scalars(
            select(DisclosureRequest)
            .where(*_visible(actor))
            .order_by(DisclosureRequest.received_at.desc(), DisclosureRequest.id)
            .limit(limit)
            .offset(offset)
        )
    )


def count_requests(session: Session, actor: Actor) -> int:
    _check(actor, "disclosure.record")
    return session.scalar(
        select(func.count()).select_from(DisclosureRequest).where(*_visible(actor))
    ) or 0


def get_request(
    session: Session, settings: Settings, actor: Actor, entry_id: str, *, request_id: str | None = None
) -> Entry:
    """One entry with its details opened; audited `disclosure.read`. Without disclosure.read, only an entry the actor
    recorded, and without the administrators' reasons."""
    _check(actor, "disclosure.record")
    entry = _find(session, actor, entry_id)
    key = keys.data_key(session, settings, SUBJECT, entry.id)
    details = Details(**{
        name: value
        for name, value in key.open_json(RECORD_TYPE, "details", entry.id, entry.details).items()
        if name in Details.__dataclass_fields__
    })
    reason = key.open_text(RECORD_TYPE, "proposal_reason", entry.id, entry.proposal_reason)
    order_reference = key.open_text(RECORD_TYPE, "court_order_reference", entry.id, entry.court_order_reference)
    _audit(session, "disclosure.read", actor, entry, request_id)
    return Entry(entry, details, reason if reads_register(actor) else None, order_reference)


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


# The gag: claimed by the recorder, proposed by one administrator, confirmed by another.


def _gag_until(value: str | dt.date | None, settings: Settings) -> dt.date:
    """The gag's end or review date: after today, and no more than GAG_LONGEST ahead."""
    if isinstance(value, dt.date):
        day = value
    else:
        text = (value or "").strip()
        try:
            day = dt.date.fromisoformat(text)
            if len(text) != 10:
                raise ValueError
        except ValueError:
            raise InvalidInput(
                errors=[FieldError("gag_until", N_("Enter the date as year-month-day, for example 2026-11-23."))]
            ) from None
    today = clock.today(settings.timezone)
    if day <= today:
        raise InvalidInput(errors=[FieldError("gag_until", N_("The end or review date must be after today."))])
    if day > today + GAG_LONGEST:
        raise InvalidInput(
            errors=[FieldError("gag_until", N_("The end or review date must be within a year: a court order that "
                                               "forbids telling the person is looked at again at least once a year."))]
        )
    return day


def propose_gag(
    session: Session,
    settings: Settings,
    actor: Actor,
    entry_id: str,
    reference: str,
    until: str | dt.date | None,
    *,
    request_id: str | None = None,
) -> DisclosureRequest:
    """The first administrator says a court order forbids telling the person, with the order's reference and its end
    or review date. Nothing is hidden from the person until another administrator confirms it."""
    _check(actor, "disclosure.decide")
    entry = _find(session, actor, entry_id, for_update=True)
    if entry.client_id is None:
        raise Conflict(N_("Link the request to a person first: a court order can only forbid telling one person."))
    if entry.gag_status not in ("none", "claimed"):
        raise Conflict(N_("A court order has already been proposed or confirmed on this request."))
    errors: list[FieldError] = []
    try:
        reference = clean_text(
            reference, "court_order_reference", maximum=REFERENCE_MAXIMUM,
            empty=N_("Enter the court order's reference, as it is written on the order."),
        )
    except InvalidInput as problem:
        errors.extend(problem.errors)
    day = None
    try:
        day = _gag_until(until, settings)
    except InvalidInput as problem:
        errors.extend(problem.errors)
    if errors:
        raise InvalidInput(errors=errors)
    key = keys.data_key(session, settings, SUBJECT, entry.id)
    entry.court_order_reference = key.seal_text(RECORD_TYPE, "court_order_reference", entry.id, reference)
    entry.gag_status = "proposed"
    entry.gag_until = day
    entry.gag_proposed_by = actor.account_id
    entry.gag_proposed_at = clock.utc_now()
    session.flush()
    _audit(session, "disclosure.gag-propose", actor, entry, request_id)
    return entry


def confirm_gag(
    session: Session, settings: Settings, actor: Actor, entry_id: str, *, request_id: str | None = None
) -> DisclosureRequest:
    """A second, different administrator confirms the court order: the request is kept from the person until the
    gag's end or review date."""
    _check(actor, "disclosure.decide")
    entry = _find(session, actor, entry_id, for_update=True)
    if entry.gag_status != "proposed":
        raise Conflict(N_("There is no proposed court order to confirm on this request."))
    if entry.gag_proposed_by == actor.account_id:
        raise Forbidden(N_("Another administrator must confirm the court order you proposed."))
    if entry.gag_until is None or entry.gag_until <= clock.today(settings.timezone):
        raise Conflict(N_("The court order's end or review date has passed. Propose it again with a new date."))
    entry.gag_status = "confirmed"
    entry.gag_confirmed_by = actor.account_id
    entry.gag_confirmed_at = clock.utc_now()
    session.flush()
    _audit(session, "disclosure.gag-confirm", actor, entry, request_id)
    return entry


def send_back_gag(
    session: Session, settings: Settings, actor: Actor, entry_id: str, *, request_id: str | None = None
) -> DisclosureRequest:
    """A second administrator does not agree that a court order forbids telling the person: the proposal is dropped
    (the recorder's claim stays, hiding nothing)."""
    _check(actor, "disclosure.decide")
    entry = _find(session, actor, entry_id, for_update=True)
    if entry.gag_status != "proposed":
        raise Conflict(N_("There is no proposed court order to confirm on this request."))
    if entry.gag_proposed_by == actor.account_id:
        raise Forbidden(N_("Another administrator must confirm the court order you proposed."))
    entry.gag_status = "claimed"
    entry.gag_until = None
    entry.gag_proposed_by = None
    entry.gag_proposed_at = None
    session.flush()
    _audit(session, "disclosure.gag-send-back", actor, entry, request_id)
    return entry


def _told_conditions(settings: Settings) -> list:
    """Entries the person may be told about today: no confirmed gag, or one whose end or review date has come."""
    today = clock.today(settings.timezone)
    return [
        or_(
            DisclosureRequest.gag_status != "confirmed",
            DisclosureRequest.gag_until.is_(None),
            DisclosureRequest.gag_until <= today,
        )
    ]


def gag_in_effect_for(session: Session, settings: Settings, client_id: str) -> bool:
    """Whether any confirmed gag about this person is in effect today (rights hides the disclosure events then)."""
    today = clock.today(settings.timezone)
    return session.scalar(
        select(func.count()).select_from(DisclosureRequest).where(
            DisclosureRequest.client_id == client_id,
            DisclosureRequest.gag_status == "confirmed",
            DisclosureRequest.gag_until > today,
        )
    ) > 0


def about_person(session: Session, settings: Settings, actor: Actor, client_id: str) -> list[DisclosureRequest]:
    """The entries about one person that their caseworkers are shown: all but those a confirmed gag keeps from the
    person today (a caseworker who does not know cannot let it slip). The caller has checked the person is in scope."""
    return list(
        session.scalars(
            select(DisclosureRequest)
            .where(
                DisclosureRequest.client_id == client_id,
                DisclosureRequest.organisation_id == actor.organisation_id,
                *_told_conditions(settings),
            )
            .order_by(DisclosureRequest.received_at.desc())
        )
    )


def told_to_person(session: Session, settings: Settings, client_id: str) -> list[DisclosureRequest]:
    """The entries about one person, of any organisation, that the person is shown on "who has seen my record":
    all but those a confirmed gag keeps from them today. The caller (rights) has checked the record is in scope."""
    return list(
        session.scalars(
            select(DisclosureRequest)
            .where(DisclosureRequest.client_id == client_id, *_told_conditions(settings))
            .order_by(DisclosureRequest.received_at.desc())
        )
    )


def entry_about_person(
    session: Session, settings: Settings, actor: Actor, client_id: str, entry_id: str
) -> DisclosureRequest:
    """One entry about this person that may be told, or NotFound."""
    entry = session.scalar(
        select(DisclosureRequest).where(
            DisclosureRequest.id == entry_id,
            DisclosureRequest.client_id == client_id,
            DisclosureRequest.organisation_id == actor.organisation_id,
            *_told_conditions(settings),
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
    entry = entry_about_person(session, settings, actor, client_id, entry_id)
    if entry.person_told_at is not None:
        raise Conflict(N_("It is already recorded that the person was told."))
    received_on = entry.received_at.astimezone(clock.zone(settings.timezone)).date()
    day = parse_date(told_on, "told_on", settings=settings, not_before=received_on)
    entry.person_told_at = _midday_utc(day, settings)
    entry.person_told_by = actor.account_id
    session.flush()
    _audit(session, "disclosure.person-told", actor, entry, request_id)
    return entry
