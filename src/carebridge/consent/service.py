"""Consent per purpose: recording, withdrawing, and the checks every service makes before it discloses, contacts or
shares (this module is the one place those checks live).

    consent.require_consent(session, client.id, consent.SHARE, staff_organisation_id=org.id)   # ConsentRequired
    channel = consent.contact_route(session, client, channel_id, consent.REMINDERS)          # ContactNotAllowed

Purposes: case-work; share (with one named organisation, for a referral); reminders (by one contact channel);
statistics (anonymous figures); immigration-situation (keeping it, because it changes what the person can get).
Withdrawal takes effect at once: every check reads the database, nothing is cached.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from carebridge.clients.models import Client, ContactChannel
from carebridge.consent.models import Consent
from carebridge.errors import N_, CarebridgeError

CASE_WORK = "case-work"
SHARE = "share"
REMINDERS = "reminders"
STATISTICS = "statistics"
IMMIGRATION_SITUATION = "immigration-situation"
PURPOSES = (CASE_WORK, SHARE, REMINDERS, STATISTICS, IMMIGRATION_SITUATION)


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
    """The consent in force for this purpose (and organisation or channel, for share and reminders), or None."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown consent purpose {purpose!r}")
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
    if purpose == REMINDERS:
        if not channel_id:
            return None
        query = query.where(Consent.channel_id == channel_id)
    return session.scalars(query.order_by(Consent.given_at.desc()).limit(1)).first()


def require_consent(session: Session, client_id: str, purpose: str, **target: str | None) -> Consent:
    found = active_consent(session, client_id, purpose, **target)
    if found is None:
        raise ConsentRequired()
    return found


def contact_route(session: Session, client: Client, channel_id: str, purpose: str = REMINDERS) -> ContactChannel:
    """The channel to contact the person by, if allowed: not flagged do-not-contact, the channel is theirs, and they
    consented to being contacted by it for this purpose. Every feature that contacts a person calls this first,
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
