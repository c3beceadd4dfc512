"""Closed-loop referrals: a draft from a person's record to a directory service, sending it (consent gate, minimum
necessary), every other move through the one state table (states.py), the receiver's and the referrer's views, the
lists, and closing unanswered referrals (the `referrals.no-answer` job).

Contract for other domains (social prescribing sends kind "social-prescribing" through the same functions):

    referral = service.create_referral(session, settings, actor, client_id, service_at_location_id=..., kind=...)
    service.send_referral(session, settings, actor, referral.id, version=referral.version, share=["name", ...])
    service.move(session, settings, actor, referral.id, "accepted", version=...)
    view = service.read_referral(session, settings, actor, referral.id)

Services never commit. Every read or write of a person's data is audited (`referral.*`, on the person's record);
what the receiver may see is copied, sealed with the person's key, into `referral.shared` at sending, and shown only
while the referral (or another of the same person to the same organisation) is open and the share consent is still in
force (or the referral went under a recorded safeguarding override). Notifications carry nothing but the reason.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from carebridge.accounts.access import Actor
from carebridge.accounts.models import Organisation, StaffAccount, StaffRole
from carebridge.accounts.permissions import ROLES
from carebridge.audit import service as audit
from carebridge.clients import service as clients
from carebridge.clients.models import Client, ContactChannel, ImmigrationSituation
from carebridge.config import Settings
from carebridge.consent import service as consent
from carebridge.consent.models import Consent
from carebridge.errors import N_, Conflict, FieldError, Forbidden, InvalidInput, NotFound
from carebridge.keys import service as keys
from carebridge.kit import clock
from carebridge.notifications import service as notifications
from carebridge.referrals import access
from carebridge.referrals.models import Referral, ReferralEvent
from carebridge.referrals.states import (
    FINISHED,
    NO_ANSWER,
    OPEN,
    REASONS,
    MoveRefused,
    Party,
    State,
    allowed,
    check,
    moves_for,
)

KINDS = ("referral", "social-prescribing")
PRIORITIES = ("routine", "urgent")
# What the referrer may let the receiver see (minimum necessary), in the order the form shows them.
NAME, LANGUAGES, REASON, CONTACT, IMMIGRATION = "name", "languages", "reason", "contact", "immigration"
SHAREABLE = (NAME, LANGUAGES, REASON, CONTACT, IMMIGRATION)
# Reasons a person may give (the system alone closes for no answer).
PERSON_REASONS = tuple(reason for reason in REASONS if reason != NO_ANSWER)
TEXT_LIMIT = 2000
PAGE = 50
# The referrer's list shows these first: the loop needs the referrer (refused, failed, waiting).
NEEDS_ATTENTION = (State.REJECTED.value, State.FAILED.value, State.ON_HOLD.value)
TABLE = Referral.__tablename__
EVENT_TABLE = ReferralEvent.__tablename__
STALE = N_("Someone else changed this referral while you were looking at it. Check what it says now and try again.")
NOT_NOW = N_("This referral cannot be moved to that state now.")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


# --- Small helpers -------------------------------------------------------------------------------------------------


def clean_text(value: str | None, name: str, *, required: bool, errors: list[FieldError], message: str | None = None) -> str:
    text = _CONTROL.sub("", (value or "").replace("\r\n", "\n")).strip()
    if required and not text:
        errors.append(FieldError(name, message or N_("Write this down.")))
    elif len(text) > TEXT_LIMIT:
        errors.append(FieldError(name, N_("Write at most %(limit)s characters."), params={"limit": TEXT_LIMIT}))
    return text


def _key(session: Session, settings: Settings, referral: Referral) -> keys.DataKey:
    return keys.data_key(session, settings, clients.SUBJECT, referral.client_id)


def _open_json(key: keys.DataKey, referral: Referral, column: str) -> Any:
    stored = getattr(referral, column)
    return key.open_json(TABLE, column, referral.id, stored) if stored is not None else None


def _roles_granting(permission: str) -> list[str]:
    return [name for name, role in ROLES.items() if permission in role.grants]


def receivers_of(session: Session, organisation_id: str) -> list[str]:
    """Active accounts of the organisation that receive referrals (referral.receive)."""
    return list(
        session.scalars(
            select(StaffAccount.id).where(
                StaffAccount.organisation_id == organisation_id,
                StaffAccount.active.is_(True),
                StaffAccount.id.in_(select(StaffRole.account_id).where(StaffRole.role.in_(_roles_granting("referral.receive")))),
            ).order_by(StaffAccount.id)
        )
    )


def _notify(session: Session, account_ids: list[str | None], *, besides: str | None = None) -> None:
    for account_id in dict.fromkeys(account_ids):
        if account_id and account_id != besides:
            notifications.notify_staff_later(session, account_id, notifications.REFERRAL)


def _audit(session: Session, action: str, actor: Actor | None, referral: Referral, request_id: str | None = None) -> None:
    audit.record(session, action, actor=actor, organisation_id=None if actor else referral.referring_organisation_id,
                 record_type=clients.RECORD_TYPE, record_id=referral.client_id, request_id=request_id)


# --- The directory service a referral goes to ----------------------------------------------------------------------


@dataclass(frozen=True)
class Destination:
    service_at_location_id: str
    service_id: str
    service_name: str
    organization_id: str | None
    organization_name: str
    receiving_organisation_id: str | None


def destination(session: Session, service_at_location_id: str) -> Destination | None:
    """The directory's service at a location, its organisation, and the staff organisation that receives referrals
    for it in Carebridge (the one linked to that directory organisation), or None when it is not in the directory."""
    from carebridge.directory import service as directory

    if not isinstance(service_at_location_id, str) or not 0 < len(service_at_location_id) <= 64:
        return None
    document = directory.get_service_at_location(session, service_at_location_id)
    if document is None:
        return None
    service_doc = document.get("service") or {}
    organization = service_doc.get("organization") or {}
    organization_id = service_doc.get("organization_id") or organization.get("id")
    receiving = None
    if organization_id:
        receiving = session.scalar(
            select(Organisation.id).where(Organisation.directory_organization_id == organization_id).order_by(Organisation.created_at, Organisation.id).limit(1)
        )
    return Destination(
        service_at_location_id=document["id"],
        service_id=document.get("service_id") or service_doc.get("id") or "",
        service_name=service_doc.get("name") or "",
        organization_id=organization_id,
        organization_name=organization.get("name") or "",
        receiving_organisation_id=receiving,
    )


# --- Creating and sending -------------------------------------------------------------------------------------------


def create_referral(
    session: Session, settings: Settings, actor: Actor, client_id: str, *, service_at_location_id: str,
    kind: str = "referral", priority: str = "routine", reason: str | None = None, note: str | None = None,
    fictional: bool = False, request_id: str | None = None,
) -> Referral:
    """A draft referral of a person in the actor's scope (referral.send) to a directory service at a location.
    `reason` is the reason for referral (shareable), `note` the worker's note for the person's printout (what to
    bring). Audited `referral.create`."""
    clients.check(actor, "referral.send")
    client = clients.find_client(session, actor, client_id, "referral.send")
    errors: list[FieldError] = []
    found = destination(session, service_at_location_id)
    if found is None:
        errors.append(FieldError("service_at_location_id", N_("Choose a service from the directory.")))
    if kind not in KINDS:
        errors.append(FieldError("kind", N_("Choose what kind of referral it is."), allowed=list(KINDS)))
    if priority not in PRIORITIES:
        errors.append(FieldError("priority", N_("Choose how urgent it is."), allowed=list(PRIORITIES)))
    reason_text = clean_text(reason, "reason", required=True, errors=errors, message=N_("Write why you are referring the person."))
    note_text = clean_text(note, "note", required=False, errors=errors)
    if errors or found is None:
        raise InvalidInput(errors=errors)
    now = clock.utc_now()
    referral = Referral(
        kind=kind,
        client_id=client.id,
        referring_organisation_id=actor.organisation_id,
        referring_team_id=client.team_id if client.team_id in actor.team_ids else next(iter(sorted(actor.team_ids)), None),
        referred_by=actor.account_id,
        service_at_location_id=found.service_at_location_id,
        service_id=found.service_id,
        directory_organization_id=found.organization_id,
        service_name=found.service_name,
        organization_name=found.organization_name,
        receiving_organisation_id=found.receiving_organisation_id,
        status=State.DRAFT.value,
        priority=priority,
        contact_prohibited=client.do_not_contact,
        fictional=fictional,
        version=1,
        created_at=now,
        updated_at=now,
    )
    session.add(referral)
    session.flush()
    referral.details = keys.data_key(session, settings, clients.SUBJECT, client.id).seal_json(
        TABLE, "details", referral.id, {"reason": reason_text, "note": note_text}
    )
    session.add(ReferralEvent(referral_id=referral.id, at=now, party=Party.REFERRER.value, account_id=actor.account_id,
                              from_status=None, to_status=State.DRAFT.value))
    session.flush()
    _audit(session, "referral.create", actor, referral, request_id)
    return referral


def share_consent(session: Session, referral: Referral) -> Consent | None:
    """The person's consent in force to share with the receiving organisation: given for the staff organisation, or
    for the directory organisation."""
    found = None
    if referral.receiving_organisation_id:
        found = consent.active_consent(session, referral.client_id, consent.SHARE,
                                       staff_organisation_id=referral.receiving_organisation_id)
    if found is None and referral.directory_organization_id:
        found = consent.active_consent(session, referral.client_id, consent.SHARE,
                                       directory_organization_id=referral.directory_organization_id)
    return found


def _check_version(referral: Referral, version: int | None) -> None:
    if version is None or version != referral.version:
        raise Conflict(STALE)


def _contact_item(session: Session, settings: Settings, client: Client, channel_id: str | None, errors: list[FieldError]) -> dict[str, Any] | None:
    if client.do_not_contact:
        errors.append(FieldError("contact", N_("This person must not be contacted: no contact route can be shared.")))
        return None
    channel = session.scalar(select(ContactChannel).where(ContactChannel.id == channel_id, ContactChannel.client_id == client.id)) \
        if isinstance(channel_id, str) and 0 < len(channel_id) <= 36 else None
    if channel is None:
        errors.append(FieldError("channel_id", N_("Choose which of the person’s contact routes to share.")))
        return None
    key = keys.data_key(session, settings, clients.SUBJECT, client.id)
    value = key.open_json("client_contact_channel", "value", channel.id, channel.value) if channel.value else None
    safe_times = key.open_text("client_contact_channel", "safe_times", channel.id, channel.safe_times) if channel.safe_times else None
    text = ""
    if isinstance(value, dict):
        text = str(value.get("number") or value.get("email") or value.get("organisation") or "")
    return {"kind": channel.kind, "value": text, "safe_times": safe_times or ""}


def _immigration_item(session: Session, settings: Settings, client: Client, eligibility_needs_it: bool,
                      errors: list[FieldError]) -> dict[str, Any] | None:
    row = session.get(ImmigrationSituation, client.id)
    if row is None:
        errors.append(FieldError("share", N_("The person’s record holds no immigration situation to share.")))
        return None
    if not eligibility_needs_it:
        errors.append(FieldError("eligibility_needs_immigration",
                                 N_("Share the immigration situation only when the service’s eligibility needs it: tick that it does.")))
        return None
    if consent.active_consent(session, client.id, consent.IMMIGRATION_SITUATION) is None:
        errors.append(FieldError("share", N_("The person has not agreed to their immigration situation being kept and shared.")))
        return None
    key = keys.data_key(session, settings, clients.SUBJECT, client.id)
    return key.open_json(ImmigrationSituation.__tablename__, "situation", client.id, row.situation)


def send_referral(
    session: Session, settings: Settings, actor: Actor, referral_id: str, *, version: int | None, share: list[str],
    channel_id: str | None = None, eligibility_needs_immigration: bool = False, override_reason: str | None = None,
    request_id: str | None = None,
) -> Referral:
    """Send a draft (draft -> requested): copy the chosen items, sealed, into `shared`; needs the person's share
    consent for the receiving organisation — without it ConsentRequired (409), unless the actor holds
    referral.consent-override and gives a safeguarding reason (recorded, sealed, audited `referral.consent-override`).
    Audited `referral.send`; the receiving organisation's staff are told (payload-free)."""
    referral, parties = access.find_referral(session, actor, referral_id)
    if Party.REFERRER not in parties:
        raise Forbidden()
    if not allowed(referral.status, State.REQUESTED, Party.REFERRER):
        raise Conflict(NOT_NOW)
    _check_version(referral, version)
    client = session.get(Client, referral.client_id)
    if client is None:
        raise NotFound(N_("We could not find that referral."))
    errors: list[FieldError] = []
    chosen = [item for item in SHAREABLE if item in set(share or [])]
    if any(item not in SHAREABLE for item in share or []):
        errors.append(FieldError("share", N_("Choose what the receiver may see from the list."), allowed=list(SHAREABLE)))
    profile = clients.open_profile(session, settings, client)
    key = keys.data_key(session, settings, clients.SUBJECT, client.id)
    details = _open_json(key, referral, "details") or {}
    shared: dict[str, Any] = {}
    if NAME in chosen:
        shared[NAME] = profile.preferred_name
    if LANGUAGES in chosen:
        shared[LANGUAGES] = {"languages": list(profile.languages), "interpreter_needed": profile.interpreter_needed,
                             "interpreter_language": profile.interpreter_language,
                             "interpreter_gender": profile.interpreter_gender}
    if REASON in chosen:
        shared[REASON] = details.get("reason", "")
    if CONTACT in chosen:
        item = _contact_item(session, settings, client, channel_id, errors)
        if item is not None:
            shared[CONTACT] = item
    if IMMIGRATION in chosen:
        item = _immigration_item(session, settings, client, eligibility_needs_immigration, errors)
        if item is not None:
            shared[IMMIGRATION] = item
    reason_text = clean_text(override_reason, "override_reason", required=False, errors=errors)
    if errors:
        raise InvalidInput(errors=errors)
    given = share_consent(session, referral)
    if given is None:
        if not reason_text:
            raise consent.ConsentRequired()
        if not actor.can("referral.consent-override"):
            raise Forbidden()
    now = clock.utc_now()
    referral.shared = key.seal_json(TABLE, "shared", referral.id, shared)
    referral.shared_fields = ",".join(item for item in SHAREABLE if item in shared)
    referral.contact_prohibited = client.do_not_contact
    referral.consent_id = given.id if given else None
    referral.consent_override = given is None
    referral.override_reason = key.seal_text(TABLE, "override_reason", referral.id, reason_text) if given is None else None
    _record_move(session, referral, State.REQUESTED, Party.REFERRER, actor.account_id, now=now)
    referral.requested_at = now
    session.flush()
    _audit(session, "referral.send", actor, referral, request_id)
    if given is None:
        _audit(session, "referral.consent-override", actor, referral, request_id)
    if referral.receiving_organisation_id:
        _notify(session, receivers_of(session, referral.receiving_organisation_id), besides=actor.account_id)
    return referral


# --- Moves ----------------------------------------------------------------------------------------------------------


def _record_move(session: Session, referral: Referral, target: State, party: Party, account_id: str | None, *,
                 now: dt.datetime, reason: str | None = None, note: bytes | None = None,
                 event_id: str | None = None) -> ReferralEvent:
    event = ReferralEvent(referral_id=referral.id, at=now, party=party.value, account_id=account_id,
                          from_status=referral.status, to_status=target.value, reason=reason, note=note)
    if event_id:
        event.id = event_id
    session.add(event)
    if referral.status == State.REQUESTED.value and target in (State.ACCEPTED, State.REJECTED) and referral.answered_at is None:
        referral.answered_at = now
    referral.status = target.value
    if reason is not None or target in (State.IN_PROGRESS, State.ACCEPTED, State.COMPLETED):
        referral.status_reason = reason
    if target in FINISHED:
        referral.closed_at = now
    referral.version += 1
    referral.updated_at = now
    return event


def _party_for(parties: frozenset[Party], current: str, target: State) -> Party | None:
    """Which party the actor moves as: the referrer first (a tracked referral's referrer plays both)."""
    for party in (Party.REFERRER, Party.RECEIVER):
        if party in parties and allowed(current, target, party):
            return party
    return None


def find_as(session: Session, actor: Actor, referral_id: str, side: Party | None) -> tuple[Referral, frozenset[Party], bool]:
    """The referral, the parties the actor plays on it from this side, and whether they see it from the referrer's
    side. `side` REFERRER: the referrer (a tracked referral's referrer plays both parts) or a reader of the person's
    record in the referring organisation; RECEIVER: the receiving organisation's staff; None: whichever they are.
    NotFound otherwise (the same answer as a missing referral)."""
    referral, parties = access.find_referral(session, actor, referral_id)
    if side is Party.RECEIVER:
        if Party.RECEIVER not in parties or referral.receiving_organisation_id != actor.organisation_id:
            raise NotFound(N_("We could not find that referral."))
        return referral, frozenset({Party.RECEIVER}), False
    if side is Party.REFERRER:
        if Party.REFERRER not in parties and not access.can_read_as_manager(session, actor, referral):
            raise NotFound(N_("We could not find that referral."))
        return referral, parties if Party.REFERRER in parties else frozenset(), True
    return referral, parties, Party.REFERRER in parties or not parties


def move(
    session: Session, settings: Settings, actor: Actor, referral_id: str, target: str, *, version: int | None,
    reason: str | None = None, words: str | None = None, outcome: str | None = None, side: Party | None = None,
    request_id: str | None = None,
) -> Referral:
    """Every move but sending, as the table allows for the party the actor plays. A move the table has for nobody
    from this state is a Conflict (409); one only the other party may make is Forbidden (403); a stale version is a
    Conflict. Rejected, cancelled, on-hold and failed need a reason (from states.REASONS, words for "other");
    completed needs an outcome. Writes a ReferralEvent, is audited `referral.move`, and tells the other side.
    `side` as for find_as (the pages and the API have one address per side)."""
    referral, parties, _referrer_side = find_as(session, actor, referral_id, side)
    try:
        wanted = State(target)
    except ValueError:
        raise InvalidInput(errors=[FieldError("to", N_("Choose what happens to the referral."), allowed=[s.value for s in State])]) from None
    if wanted is State.REQUESTED:
        raise Conflict(NOT_NOW)
    party = _party_for(parties, referral.status, wanted)
    if party is None:
        if (State(referral.status), wanted) in _moves_from_any_party():
            raise Forbidden()
        raise Conflict(NOT_NOW)
    _check_version(referral, version)
    errors: list[FieldError] = []
    if reason is not None and reason != "" and reason not in PERSON_REASONS:
        errors.append(FieldError("reason", N_("Choose a reason from the list."), allowed=list(PERSON_REASONS)))
        reason = None
    reason = reason or None
    words_text = clean_text(words, "words", required=reason == "other", errors=errors,
                            message=N_("Write the reason in your own words."))
    outcome_text = clean_text(outcome, "outcome", required=False, errors=errors)
    try:
        check(referral.status, wanted, party, reason=reason, outcome=outcome_text or None)
    except ValueError as missing:
        if str(missing) == "reason":
            errors.append(FieldError("reason", N_("Choose a reason."), allowed=list(PERSON_REASONS)))
        else:
            errors.append(FieldError("outcome", N_("Write what was done: it closes the loop for the referrer.")))
    except MoveRefused:  # pragma: no cover - _party_for chose an allowed party
        raise Conflict(NOT_NOW) from None
    if errors:
        raise InvalidInput(errors=errors)
    key = _key(session, settings, referral)
    now = clock.utc_now()
    from carebridge.db import new_id

    event_id = new_id()
    note = key.seal_text(EVENT_TABLE, "note", event_id, words_text) if words_text else None
    if wanted is State.COMPLETED:
        referral.outcome = key.seal_text(TABLE, "outcome", referral.id, outcome_text)
    _record_move(session, referral, wanted, party, actor.account_id, now=now, reason=reason, note=note, event_id=event_id)
    session.flush()
    _audit(session, "referral.move", actor, referral, request_id)
    if party is Party.RECEIVER and Party.REFERRER not in parties:
        _notify(session, [referral.referred_by], besides=actor.account_id)
    elif party is Party.REFERRER and referral.receiving_organisation_id and _was_sent(session, referral):
        _notify(session, receivers_of(session, referral.receiving_organisation_id), besides=actor.account_id)
    return referral


def _moves_from_any_party() -> set[tuple[State, State]]:
    from carebridge.referrals.states import MOVES

    return set(MOVES)


def _was_sent(session: Session, referral: Referral) -> bool:
    return referral.requested_at is not None


def expire_unanswered(session: Session, settings: Settings) -> int:
    """Close requested referrals nobody answered within settings.referral_no_answer_days as rejected ("no-answer"),
    party system; the referrer is told. Idempotent. The number closed."""
    now = clock.utc_now()
    cutoff = now - dt.timedelta(days=settings.referral_no_answer_days)
    rows = list(
        session.scalars(
            select(Referral)
            .where(Referral.status == State.REQUESTED.value, Referral.requested_at <= cutoff)
            .order_by(Referral.requested_at, Referral.id)
            .limit(1000)
            .with_for_update(skip_locked=True)
        )
    )
    for referral in rows:
        check(referral.status, State.REJECTED, Party.SYSTEM, reason=NO_ANSWER, outcome=None)
        _record_move(session, referral, State.REJECTED, Party.SYSTEM, None, now=now, reason=NO_ANSWER)
        session.flush()
        _audit(session, "referral.no-answer", None, referral)
        _notify(session, [referral.referred_by])
    return len(rows)


# --- Reading ---------------------------------------------------------------------------------------------------------


@dataclass
class EventView:
    at: dt.datetime
    party: str
    from_status: str | None
    to_status: str
    reason: str | None
    note: str | None
    by: str | None


@dataclass
class ReferralView:
    """One referral as the actor may see it. `shared` is empty for a receiver once access ended or consent was
    withdrawn; `details` and `outcome` (and the client id) are the referrer's side only."""

    referral: Referral
    parties: frozenset[Party]
    referrer_side: bool
    sees_details: bool
    consent_in_force: bool
    shared: dict[str, Any]
    details: dict[str, Any]
    outcome: str | None
    override_reason: str | None
    contact_prohibited: bool
    events: list[EventView]
    moves: list[str]
    referred_by: str | None
    receiving_organisation: str | None
    client_id: str | None
    preferred_name: str | None = None
    names: dict[str, str] = field(default_factory=dict)


def account_names(session: Session, account_ids: set[str | None]) -> dict[str, str]:
    ids = {item for item in account_ids if item}
    if not ids:
        return {}
    return dict(session.execute(select(StaffAccount.id, StaffAccount.name).where(StaffAccount.id.in_(ids))).all())


def organisation_name(session: Session, organisation_id: str | None) -> str | None:
    if not organisation_id:
        return None
    return session.scalar(select(Organisation.name).where(Organisation.id == organisation_id))


def contact_prohibited(session: Session, referral: Referral) -> bool:
    """The stricter of what was copied at sending and what the record says now."""
    now_flag = session.scalar(select(Client.do_not_contact).where(Client.id == referral.client_id))
    return bool(referral.contact_prohibited or now_flag)


def receiver_may_see(session: Session, actor: Actor, referral: Referral) -> tuple[bool, bool]:
    """(sees the shared details now, the consent is in force): open (or another open one to the same organisation)
    and either a share consent in force or a recorded override."""
    in_force = referral.consent_override or share_consent(session, referral) is not None
    return access.receiver_sees_details(session, actor, referral) and in_force, in_force


def read_referral(session: Session, settings: Settings, actor: Actor, referral_id: str, *, side: Party | None = None,
                  request_id: str | None = None) -> ReferralView:
    """The referral as the actor may see it from `side` (as for find_as), audited `referral.read` on the person's
    record."""
    referral, parties, referrer_side = find_as(session, actor, referral_id, side)
    key = _key(session, settings, referral)
    if referrer_side:
        sees, in_force = True, referral.consent_override or share_consent(session, referral) is not None
    else:
        sees, in_force = receiver_may_see(session, actor, referral)
    shared = (_open_json(key, referral, "shared") or {}) if sees else {}
    prohibited = contact_prohibited(session, referral)
    if prohibited:
        shared.pop(CONTACT, None)
    details = (_open_json(key, referral, "details") or {}) if referrer_side else {}
    outcome = key.open_text(TABLE, "outcome", referral.id, referral.outcome) if referral.outcome is not None and (referrer_side or sees) else None
    override_reason = key.open_text(TABLE, "override_reason", referral.id, referral.override_reason) \
        if referrer_side and referral.override_reason is not None else None
    rows = list(session.scalars(select(ReferralEvent).where(ReferralEvent.referral_id == referral.id).order_by(ReferralEvent.at, ReferralEvent.id)))
    names = account_names(session, {row.account_id for row in rows} | {referral.referred_by})
    events = []
    for row in rows:
        # The words given with a move: both sides see the receiver's and the system's; the referrer's own words stay
        # on the referrer's side. The receiver sees none once access ended.
        visible = row.note is not None and (referrer_side or (sees and row.party != Party.REFERRER.value))
        note = key.open_text(EVENT_TABLE, "note", row.id, row.note) if visible else None
        events.append(EventView(at=row.at, party=row.party, from_status=row.from_status, to_status=row.to_status,
                                reason=row.reason, note=note, by=names.get(row.account_id or "")))
    moves: list[str] = []
    for party in (Party.REFERRER, Party.RECEIVER):
        if party in parties:
            moves += [target.value for target in moves_for(referral.status, party) if target.value not in moves]
    preferred_name = None
    if referrer_side:
        client = session.get(Client, referral.client_id)
        preferred_name = clients.open_profile(session, settings, client).preferred_name if client is not None else None
    _audit(session, "referral.read", actor, referral, request_id)
    return ReferralView(
        referral=referral, parties=parties, referrer_side=referrer_side, sees_details=sees, consent_in_force=in_force,
        shared=shared, details=details, outcome=outcome, override_reason=override_reason, contact_prohibited=prohibited,
        events=events, moves=moves, referred_by=names.get(referral.referred_by or ""),
        receiving_organisation=organisation_name(session, referral.receiving_organisation_id),
        client_id=referral.client_id if referrer_side else None, preferred_name=preferred_name, names=names,
    )


# --- Lists -----------------------------------------------------------------------------------------------------------


@dataclass
class Row:
    """One line of a list: nothing sealed but the name (from the record for the referrer, from `shared` for the
    receiver, and only while they may see it)."""

    referral: Referral
    name: str | None
    contact_prohibited: bool
    needs_attention: bool


@dataclass
class Listing:
    rows: list[Row]
    total: int
    page: int
    per_page: int = PAGE


def _page(page: int | None) -> int:
    return page if isinstance(page, int) and 0 < page < 10_000 else 1


def referrals_sent(session: Session, settings: Settings, actor: Actor, *, status: str | None = None, page: int = 1,
                   request_id: str | None = None) -> Listing:
    """The referrals of people in the actor's referral.send scope sent from their organisation (mine or my team's),
    the ones that need the referrer first (refused, failed, on hold), then urgent, then newest. Each person shown is
    audited `referral.list`."""
    clients.check(actor, "referral.send")
    where = [Referral.referring_organisation_id == actor.organisation_id,
             Referral.client_id.in_(select(Client.id).where(clients.scope(actor, "referral.send")))]
    if status:
        if status not in {state.value for state in State}:
            raise InvalidInput(errors=[FieldError("status", N_("Choose a state from the list."), allowed=[s.value for s in State])])
        where.append(Referral.status == status)
    page = _page(page)
    total = session.scalar(select(func.count()).select_from(Referral).where(*where)) or 0
    attention = case((Referral.status.in_(NEEDS_ATTENTION), 0), else_=1)
    urgent = case((Referral.priority == "urgent", 0), else_=1)
    referrals = list(session.scalars(
        select(Referral).where(*where).order_by(attention, urgent, Referral.updated_at.desc(), Referral.id)
        .offset((page - 1) * PAGE).limit(PAGE)
    ))
    people = {row.id: row for row in session.scalars(select(Client).where(Client.id.in_({r.client_id for r in referrals})))} if referrals else {}
    profiles = clients.open_profiles(session, settings, list(people.values()))
    if people:
        audit.record_many(session, "referral.list", actor=actor, record_type=clients.RECORD_TYPE,
                          record_ids=sorted(people), request_id=request_id)
    rows = [Row(referral=r, name=profiles[r.client_id].preferred_name if r.client_id in profiles else None,
                contact_prohibited=bool(r.contact_prohibited or (people.get(r.client_id) and people[r.client_id].do_not_contact)),
                needs_attention=r.status in NEEDS_ATTENTION) for r in referrals]
    return Listing(rows=rows, total=total, page=page)


def inbox(session: Session, settings: Settings, actor: Actor, *, page: int = 1, closed: bool = False,
          request_id: str | None = None) -> Listing:
    """The referrals sent to the actor's organisation (referral.receive): open ones, urgent first, oldest first (or
    the closed ones, newest first, shells only). The name to use is shown when it was shared and may still be seen;
    each person named is audited `referral.list`."""
    clients.check(actor, "referral.receive")
    where = [Referral.receiving_organisation_id == actor.organisation_id]
    page = _page(page)
    if closed:
        where.append(Referral.status.in_(sorted(FINISHED)))
        order: tuple[Any, ...] = (Referral.closed_at.desc(), Referral.id)
    else:
        where.append(Referral.status.in_(sorted(OPEN)))
        order = (case((Referral.priority == "urgent", 0), else_=1), Referral.requested_at, Referral.id)
    total = session.scalar(select(func.count()).select_from(Referral).where(*where)) or 0
    # One query for the page, the record's do-not-contact flag and whether the share consent is still in force.
    rows = session.execute(
        select(Referral, Client.do_not_contact, _consent_in_force())
        .join(Client, Client.id == Referral.client_id)
        .where(*where).order_by(*order).offset((page - 1) * PAGE).limit(PAGE)
    ).all()
    referrals = [row[0] for row in rows]
    dnc = {row[0].client_id: bool(row[1]) for row in rows}
    consented = {row[0].id for row in rows if row[2]}
    names: dict[str, str] = {}
    if not closed and referrals:
        named = [r for r in referrals if NAME in (r.shared_fields or "").split(",") and r.shared is not None
                 and (r.consent_override or r.id in consented)]
        found = keys.data_keys(session, settings, clients.SUBJECT, {r.client_id for r in named})
        for r in named:
            if r.client_id in found:
                names[r.id] = (found[r.client_id].open_json(TABLE, "shared", r.id, r.shared) or {}).get(NAME)
        shown = sorted({r.client_id for r in named if names.get(r.id)})
        if shown:
            audit.record_many(session, "referral.list", actor=actor, record_type=clients.RECORD_TYPE, record_ids=shown,
                              request_id=request_id)
    rows = [Row(referral=r, name=names.get(r.id), contact_prohibited=bool(r.contact_prohibited or dnc.get(r.client_id)),
                needs_attention=False) for r in referrals]
    return Listing(rows=rows, total=total, page=page)


def _consent_in_force() -> Any:
    """Whether the referral's person has a share consent in force for its receiving organisation (as a staff
    organisation or as the directory organisation): a correlated EXISTS, for a list."""
    from sqlalchemy import exists

    return exists().where(
        Consent.client_id == Referral.client_id, Consent.purpose == consent.SHARE, Consent.withdrawn_at.is_(None),
        or_(Consent.staff_organisation_id == Referral.receiving_organisation_id,
            Consent.directory_organization_id == Referral.directory_organization_id),
    ).correlate(Referral)


def referrals_of_client(session: Session, client_id: str, *, limit: int = PAGE) -> list[Referral]:
    """A person's referrals sent from their record, newest first (the person page's section)."""
    return list(session.scalars(
        select(Referral).where(Referral.client_id == client_id, Referral.status != State.ENTERED_IN_ERROR.value)
        .order_by(Referral.created_at.desc(), Referral.id).limit(limit)
    ))


def outcomes_of(session: Session, settings: Settings, referrals: list[Referral]) -> dict[str, str]:
    """The outcome words of the completed ones (the loop closed), opened for the referrer's page."""
    completed = [r for r in referrals if r.outcome is not None]
    if not completed:
        return {}
    found = keys.data_keys(session, settings, clients.SUBJECT, {r.client_id for r in completed})
    return {r.id: found[r.client_id].open_text(TABLE, "outcome", r.id, r.outcome) or "" for r in completed if r.client_id in found}


def open_referrals_count(session: Session, organisation_id: str) -> int:
    return session.scalar(select(func.count()).select_from(Referral).where(
        and_(Referral.receiving_organisation_id == organisation_id, Referral.status.in_(sorted(OPEN))))) or 0


def contact_routes(session: Session, client_id: str) -> list[ContactChannel]:
    """The person's channels that could be shared (not "in person only")."""
    return list(session.scalars(select(ContactChannel).where(ContactChannel.client_id == client_id,
                                                             or_(ContactChannel.kind != "in-person")).order_by(ContactChannel.created_at)))


def may_refer(session: Session, actor: Actor, client_id: str) -> bool:
    """Whether the person is in the actor's referral.send scope (the "Refer" button)."""
    if not actor.can("referral.send"):
        return False
    return bool(session.scalar(select(func.count()).select_from(Client).where(Client.id == client_id,
                                                                             clients.scope(actor, "referral.send"))))


def has_immigration_situation(session: Session, client_id: str) -> bool:
    return session.get(ImmigrationSituation, client_id) is not None
