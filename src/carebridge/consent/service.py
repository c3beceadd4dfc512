"""Consent per purpose: recording, withdrawing, and the checks every service makes before it discloses, contacts or
shares (this module is the one place those checks live).

    consent.require_consent(session, client.id, consent.SHARE, staff_organisation_id=org.id)   # ConsentRequired
    channel = consent.contact_route(session, client, channel_id, consent.REMINDERS)          # ContactNotAllowed

Purposes: case-work; share (with one named organisation, for a referral); reminders (appointment reminders, by one
text-message or e-mail channel); contact (staff contacting the person by one channel: a phone call, a text, an
e-mail, a message through a named organisation, or the "please contact us" message); statistics (anonymous
figures); immigration-situation (keeping it, because it changes what the person can get).
Withdrawal takes effect at once: every check reads the database, nothing is cached.

Case work comes first: while the person's consent to case work is withdrawn (and not given again), no other consent
counts — nothing is shared, nobody is contacted, nothing new is kept — until the record is closed or erased, or the
person agrees again (docs/decisions/0008, "Amended"). A record that never had a case-work consent recorded is not
affected: that is a record made before consents were recorded, and its page asks for one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from carebridge.accounts.access import Actor
from carebridge.audit import service as audit
from carebridge.clients.models import Client, ContactChannel, ImmigrationSituation
from carebridge.consent.models import Consent
from carebridge.db import new_id
from carebridge.errors import N_, CarebridgeError, FieldError, Forbidden, InvalidInput, NotFound
from carebridge.kit import clock

CASE_WORK = "case-work"
SHARE = "share"
REMINDERS = "reminders"
CONTACT = "contact"
STATISTICS = "statistics"
IMMIGRATION_SITUATION = "immigration-situation"
PURPOSES = (CASE_WORK, SHARE, REMINDERS, CONTACT, STATISTICS, IMMIGRATION_SITUATION)
# Purposes given for one contact channel.
CHANNEL_PURPOSES = (REMINDERS, CONTACT)


class ConsentRequired(CarebridgeError):
    """The person has not given (or has withdrawn) consent for this purpose: nothing was disclosed, sent or kept."""

    status_code = 409
    title = N_("The person has not given consent for this")
    type_slug = "consent-required"


class ContactNotAllowed(CarebridgeError):
    """The person must not be contacted this way (do not contact, no consent for the channel, or no such channel)."""

    status_code = 409
    title = N_("This person must not be contacted this way")
    type_slug = "contact-not-allowed"


def active_consent(
    session: Session,
    client_id: str,
    purpose: str,
    *,
    staff_organisation_id: str | None = None,
    directory_organization_id: str | None = None,
    channel_id: str | None = None,
) -> Consent | None:
    """The consent in force for this purpose (and organisation or channel, for share, reminders and contact), or
    None. None too for every purpose but case work while consent to case work is withdrawn."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown consent purpose {purpose!r}")
    if purpose != CASE_WORK and case_work_withdrawn(session, client_id):
        return None
    query = select(Consent).where(
        Consent.client_id == client_id, Consent.purpose == purpose, Consent.withdrawn_at.is_(None)
    )
    if purpose == SHARE:
        if not staff_organisation_id and not directory_organization_id:
            return None
        if staff_organisation_id:
            query = query.where(Consent.staff_organisation_id == staff_organisation_id)
        if directory_organization_id:
            query = query.where(Consent.directory_organization_id == directory_organization_id)
    if purpose in CHANNEL_PURPOSES:
        if not channel_id:
            return None
        query = query.where(Consent.channel_id == channel_id)
    return session.scalars(query.order_by(Consent.given_at.desc()).limit(1)).first()


def case_work_withdrawn(session: Session, client_id: str) -> Consent | None:
    """The withdrawn case-work consent, when the person withdrew it and has not agreed again; else None (in force,
    or never recorded). While it is withdrawn the record only waits to be closed or erased."""
    rows = session.scalars(
        select(Consent)
        .where(Consent.client_id == client_id, Consent.purpose == CASE_WORK)
        .order_by(Consent.withdrawn_at.desc())
    ).all()
    if not rows or any(row.withdrawn_at is None for row in rows):
        return None
    return rows[0]


def require_case_work(session: Session, client_id: str) -> None:
    """ConsentRequired while consent to case work is withdrawn: for any service about to add new case work (a note,
    a plan, a referral, an assessment) to the record."""
    if case_work_withdrawn(session, client_id) is not None:
        raise ConsentRequired()


def require_consent(session: Session, client_id: str, purpose: str, **target: str | None) -> Consent:
    found = active_consent(session, client_id, purpose, **target)
    if found is None:
        raise ConsentRequired()
    return found


def contact_route(session: Session, client: Client, channel_id: str, purpose: str = REMINDERS) -> ContactChannel:
    """The channel to contact the person by, if allowed: not flagged do-not-contact, the channel is theirs, and they
    consented to being contacted by it for this purpose (reminders or contact; none counts while consent to case work
    is withdrawn). Every feature that contacts a person calls this first,
    at the moment of contact (a queued reminder checks again when it is sent)."""
    session.refresh(client, attribute_names=["do_not_contact"])
    if client.do_not_contact:
        raise ContactNotAllowed()
    channel = session.scalar(
        select(ContactChannel).where(ContactChannel.id == channel_id, ContactChannel.client_id == client.id)
    )
    if channel is None or channel.kind == "in-person":
        raise ContactNotAllowed()
    if active_consent(session, client.id, purpose, channel_id=channel.id) is None:
        raise ContactNotAllowed()
    return channel


# Recording and withdrawing ----------------------------------------------------------------------------------------

SPOKEN = "spoken"
WRITTEN = "written"
INTERPRETER = "interpreter"
METHODS = (SPOKEN, WRITTEN, INTERPRETER)
# Channels that can carry a reminder at all: "in-person" is a way to meet, not to send.
NOT_CONTACTABLE_KINDS = ("in-person",)
# Reminders go by text message or e-mail only (notifications.person.SENDABLE_KINDS; the explanation says so).
REMINDER_KINDS = ("sms", "email")
# Staff may be allowed to contact a person by any channel that reaches them (in person is a way to meet).
CONTACT_KINDS = ("phone", "sms", "email", "organisation")
# A BCP 47 tag, loosely: a primary language subtag and up to a few subtags ("prs", "fa-AF", "ar-SY", "sr-Latn-RS").
_BCP47 = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,4}")
_BCP47_MAXIMUM = 35
_DIRECTORY_ID_MAXIMUM = 64


@dataclass(frozen=True)
class ContactFeature:
    """One feature that contacts a person. `queue` is called by staff (it checks contact_route and enqueues `job`);
    the job's handler checks contact_route again when it sends. tests/test_contact_features.py walks this list."""

    name: str
    purpose: str
    # "module:function" (session, settings, actor, client_id, channel_id, *, request_id=None) -> job id
    queue: str
    job: str
    # "module:function": the job handler (session, payload)
    send: str


# Every feature that contacts a person. A new one is added here, and the contact test then holds it to
# do-not-contact, consent (given, missing, withdrawn before and after queuing) and in-person-only channels.
CONTACT_FEATURES: tuple[ContactFeature, ...] = (
    ContactFeature(
        name="please-contact",
        purpose=CONTACT,
        queue="carebridge.notifications.person:queue_reminder",
        job="notify.person",
        send="carebridge.notifications.person:notify_person",
    ),
    ContactFeature(
        name="appointment-reminder",
        purpose=REMINDERS,
        queue="carebridge.reminders.service:queue_reminder",
        job="reminders.send",
        send="carebridge.reminders.jobs:send",
    ),
)


def _check(actor: Actor | None, permission: str) -> None:
    if actor is None or not actor.can(permission):
        raise Forbidden(N_("You do not have permission to do that."))


def clean_language_tag(value: str | None, field_name: str, empty: str) -> str:
    """A BCP 47 tag as kept ("fa-AF"), or InvalidInput on `field_name`."""
    tag = (value or "").strip()
    if not tag:
        raise InvalidInput(errors=[FieldError(field_name, empty)])
    if len(tag) > _BCP47_MAXIMUM or not _BCP47.fullmatch(tag):
        raise InvalidInput(
            errors=[FieldError(field_name, N_("Enter a language code such as ar, fa-AF, prs or uk."))]
        )
    return tag


def directory_organization_name(session: Session, organization_id: str) -> str | None:
    """The name of a directory (HSDS) organization, or None when the directory has no such organization."""
    from carebridge.directory.models import Organization

    return session.scalar(select(Organization.name).where(Organization.id == organization_id))


def staff_organisation_name(session: Session, organisation_id: str) -> str | None:
    from carebridge.accounts.models import Organisation

    return session.scalar(select(Organisation.name).where(Organisation.id == organisation_id))


def _validated(
    session: Session,
    client: Client,
    purpose: str,
    *,
    method: str,
    interpreter_language: str | None,
    explanation_version: str,
    explanation_language: str,
    staff_organisation_id: str | None,
    directory_organization_id: str | None,
    channel_id: str | None,
) -> dict[str, str | None]:
    """The consent's fields, checked; InvalidInput naming every field that is wrong."""
    from carebridge import i18n
    from carebridge.consent import explanations

    errors: list[FieldError] = []
    values: dict[str, str | None] = {
        "staff_organisation_id": None, "directory_organization_id": None, "channel_id": None,
        "interpreter_language": None,
    }
    if purpose not in PURPOSES:
        errors.append(FieldError("purpose", N_("Choose what the person agreed to."), allowed=list(PURPOSES)))
    if method not in METHODS:
        errors.append(FieldError("method", N_("Choose how the person gave their consent."), allowed=list(METHODS)))
    elif method == INTERPRETER:
        try:
            values["interpreter_language"] = clean_language_tag(
                interpreter_language, "interpreter_language", N_("Enter the language the interpreter used.")
            )
        except InvalidInput as problem:
            errors.extend(problem.errors)
    elif (interpreter_language or "").strip():
        errors.append(
            FieldError("interpreter_language", N_("Give an interpreter's language only when an interpreter was used."))
        )
    if purpose in PURPOSES and not explanations.exists(explanation_version, purpose):
        errors.append(
            FieldError(
                "explanation_version",
                N_("Record the version of the explanation the person was given."),
                allowed=list(explanations.versions_of(purpose)),
            )
        )
    if explanation_language not in i18n.LANGUAGES:
        errors.append(
            FieldError(
                "explanation_language",
                N_("Choose the language the explanation was given in."),
                allowed=list(i18n.LANGUAGES),
            )
        )
    staff_organisation_id = (staff_organisation_id or "").strip() or None
    directory_organization_id = (directory_organization_id or "").strip() or None
    channel_id = (channel_id or "").strip() or None
    if purpose == SHARE:
        if bool(staff_organisation_id) == bool(directory_organization_id):
            errors.append(
                FieldError("organisation", N_("Choose the one organisation the person agreed to share with."))
            )
        elif staff_organisation_id:
            if len(staff_organisation_id) > 36 or staff_organisation_name(session, staff_organisation_id) is None:
                errors.append(FieldError("organisation", N_("Choose an organisation from the list.")))
            else:
                values["staff_organisation_id"] = staff_organisation_id
        elif directory_organization_id is not None:
            if (
                len(directory_organization_id) > _DIRECTORY_ID_MAXIMUM
                or directory_organization_name(session, directory_organization_id) is None
            ):
                errors.append(
                    FieldError("directory_organization_id", N_("There is no organisation with this id in the directory."))
                )
            else:
                values["directory_organization_id"] = directory_organization_id
    elif staff_organisation_id or directory_organization_id:
        errors.append(FieldError("organisation", N_("Name an organisation only for consent to share.")))
    if purpose in CHANNEL_PURPOSES:
        channel = (
            session.scalar(
                select(ContactChannel).where(ContactChannel.id == channel_id, ContactChannel.client_id == client.id)
            )
            if channel_id and len(channel_id) <= 36
            else None
        )
        if channel is None:
            errors.append(FieldError("channel_id", N_("Choose one of the person's ways to be contacted.")))
        elif channel.kind in NOT_CONTACTABLE_KINDS:
            errors.append(
                FieldError(
                    "channel_id",
                    N_("A person cannot be sent reminders in person. Choose another way.")
                    if purpose == REMINDERS
                    else N_("In person only is a way to meet, not to contact. Choose another way."),
                )
            )
        elif purpose == REMINDERS and channel.kind not in REMINDER_KINDS:
            errors.append(
                FieldError("channel_id", N_("Reminders go by text message or e-mail only. Choose one of those ways."))
            )
        elif purpose == CONTACT and channel.kind not in CONTACT_KINDS:
            errors.append(FieldError("channel_id", N_("Choose one of the person's ways to be contacted.")))
        else:
            values["channel_id"] = channel.id
    elif channel_id:
        errors.append(
            FieldError("channel_id", N_("Choose a way of contact only for consent to reminders or to contact."))
        )
    if purpose in PURPOSES and purpose != CASE_WORK and case_work_withdrawn(session, client.id) is not None:
        errors.append(
            FieldError(
                "purpose",
                N_("The person withdrew consent to keeping a record. Record that consent again first, or close "
                   "the record."),
            )
        )
    if errors:
        raise InvalidInput(errors=errors)
    return values


def record_consent(
    session: Session,
    actor: Actor,
    client_id: str,
    purpose: str,
    *,
    method: str,
    explanation_version: str,
    explanation_language: str,
    interpreter_language: str | None = None,
    staff_organisation_id: str | None = None,
    directory_organization_id: str | None = None,
    channel_id: str | None = None,
    request_id: str | None = None,
) -> Consent:
    """Record that the person gave consent for `purpose` (person.write, scoped; audited `consent.give`).

    One grant at a time per purpose (and organisation or channel): while one is in force, another is refused — to
    record it again (a newer explanation), withdraw the old one first, so that the history says what happened."""
    from carebridge.clients import service as clients

    _check(actor, "person.write")
    client = clients.find_client(session, actor, client_id, "person.write")
    values = _validated(
        session,
        client,
        purpose,
        method=method,
        interpreter_language=interpreter_language,
        explanation_version=explanation_version,
        explanation_language=explanation_language,
        staff_organisation_id=staff_organisation_id,
        directory_organization_id=directory_organization_id,
        channel_id=channel_id,
    )
    target = {key: values[key] for key in ("staff_organisation_id", "directory_organization_id", "channel_id")}
    if active_consent(session, client.id, purpose, **target) is not None:
        raise InvalidInput(
            errors=[
                FieldError(
                    "purpose",
                    N_("This consent is already recorded. To record it again, withdraw the one in force first."),
                )
            ]
        )
    consent = Consent(
        id=new_id(),
        client_id=client.id,
        purpose=purpose,
        method=method,
        interpreter_language=values["interpreter_language"],
        explanation_version=explanation_version,
        explanation_language=explanation_language,
        staff_organisation_id=values["staff_organisation_id"],
        directory_organization_id=values["directory_organization_id"],
        channel_id=values["channel_id"],
        recorded_by=actor.account_id,
        given_at=clock.utc_now(),
    )
    session.add(consent)
    session.flush()
    audit.record(session, "consent.give", actor=actor, record_type="client", record_id=client.id, request_id=request_id)
    return consent


def find_consent(session: Session, actor: Actor | None, consent_id: str, permission: str) -> Consent:
    """A consent whose person is in the actor's scope for `permission`; NotFound otherwise (as a missing one)."""
    from carebridge.clients import service as clients

    consent = session.get(Consent, consent_id) if consent_id and len(consent_id) <= 36 else None
    if consent is None:
        raise NotFound(N_("We could not find that consent."))
    try:
        clients.find_client(session, actor, consent.client_id, permission)
    except NotFound:
        raise NotFound(N_("We could not find that consent.")) from None
    return consent


def withdraw_consent(session: Session, actor: Actor, consent_id: str, *, request_id: str | None = None) -> Consent:
    """Withdraw a consent, at once (person.write, scoped through the consent's person; audited `consent.withdraw`).

    Every grant in force for the same purpose and organisation or channel ends with it (there is normally one), so
    no check finds consent afterwards. Withdrawing consent to keep the immigration situation erases it in the same
    unit of work; withdrawing consent to case work flags the record as needing attention (the caseworker closes it).
    Withdrawing a consent already withdrawn changes nothing (a form sent twice)."""
    from carebridge.clients.models import Client as ClientRow

    _check(actor, "person.write")
    consent = find_consent(session, actor, consent_id, "person.write")
    if consent.withdrawn_at is not None:
        return consent
    now = clock.utc_now()
    siblings = select(Consent).where(
        Consent.client_id == consent.client_id,
        Consent.purpose == consent.purpose,
        Consent.withdrawn_at.is_(None),
    )
    for column in (Consent.staff_organisation_id, Consent.directory_organization_id, Consent.channel_id):
        value = getattr(consent, column.key)
        siblings = siblings.where(column.is_(None) if value is None else column == value)
    for row in session.scalars(siblings):
        row.withdrawn_at = now
        row.withdrawn_by = actor.account_id
    if consent.purpose == IMMIGRATION_SITUATION:
        session.execute(delete(ImmigrationSituation).where(ImmigrationSituation.client_id == consent.client_id))
    if consent.purpose == CASE_WORK:
        client = session.get(ClientRow, consent.client_id)
        if client is not None:
            client.needs_attention = True
    session.flush()
    audit.record(
        session, "consent.withdraw", actor=actor, record_type="client", record_id=consent.client_id,
        request_id=request_id,
    )
    return consent


def withdraw_by_person(session: Session, client_id: str, purpose: str, *, channel_id: str | None = None) -> int:
    """The person withdrew a consent themselves, with no staff member acting (a STOP text for reminders by one
    channel): every grant in force for the purpose (and channel) ends at once; audited `consent.withdraw-by-person`.
    Returns how many grants ended (0: none was in force)."""
    query = select(Consent).where(
        Consent.client_id == client_id, Consent.purpose == purpose, Consent.withdrawn_at.is_(None)
    )
    if channel_id is not None:
        query = query.where(Consent.channel_id == channel_id)
    now = clock.utc_now()
    ended = 0
    for row in session.scalars(query):
        row.withdrawn_at = now
        ended += 1
    session.flush()
    if ended:
        from carebridge.clients.models import Client as ClientRow

        client = session.get(ClientRow, client_id)
        audit.record(
            session, "consent.withdraw-by-person", organisation_id=client.organisation_id if client else None,
            record_type="client", record_id=client_id,
        )
    return ended


def consents_of(session: Session, client_id: str) -> list[Consent]:
    """Every consent of one person, in force and withdrawn, newest first. No check and no audit: for callers that
    have already found the record in scope and audited reading it (the person page, the export)."""
    return list(
        session.scalars(
            select(Consent).where(Consent.client_id == client_id).order_by(Consent.given_at.desc(), Consent.id)
        )
    )


def list_consents(session: Session, actor: Actor, client_id: str, *, request_id: str | None = None) -> list[Consent]:
    """The consents of one person for an actor who may read the record (scoped; audited `consent.read`)."""
    from carebridge.clients import service as clients

    _check(actor, "person.read")
    client = clients.find_client(session, actor, client_id, "person.read")
    audit.record(session, "consent.read", actor=actor, record_type="client", record_id=client.id, request_id=request_id)
    return consents_of(session, client.id)
