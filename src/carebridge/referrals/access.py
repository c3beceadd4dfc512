"""Who may act on a referral, and as which party: the one place this is decided (pages, API, FHIR export, reports).

- The **referrer** is staff of the referring organisation holding `referral.send` whose scope covers the person's
  record (a service manager reading the record with `person.read` may look, not act).
- The **receiver** is staff of the receiving organisation holding `referral.receive`. While the referral is open
  (states.OPEN) they see what it shares, nothing else of the record; once it ends they see only its shell (service,
  dates, state), unless another referral of the same person to their organisation is open.
- A referral to an organisation that does not use Carebridge (`receiving_organisation_id` None) is tracked by the
  referrer, who then plays the receiver's part too (they phoned, wrote, heard back).

    referral, parties = access.find_referral(session, actor, referral_id)      # NotFound when neither
"""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from carebridge.accounts.access import Actor
from carebridge.clients import service as clients
from carebridge.clients.models import Client
from carebridge.errors import N_, NotFound
from carebridge.referrals.models import Referral
from carebridge.referrals.states import OPEN, Party


def _referrer_can(session: Session, actor: Actor, referral: Referral, permission: str) -> bool:
    if referral.referring_organisation_id != actor.organisation_id or not actor.can(permission):
        return False
    return bool(
        session.scalar(select(exists().where(Client.id == referral.client_id, clients.scope(actor, permission))))
    )


def parties_of(session: Session, actor: Actor, referral: Referral) -> frozenset[Party]:
    """The parties `actor` plays on this referral (none, one or both)."""
    parties: set[Party] = set()
    if _referrer_can(session, actor, referral, "referral.send"):
        parties.add(Party.REFERRER)
        if referral.receiving_organisation_id is None:
            parties.add(Party.RECEIVER)
    if actor.can("referral.receive") and referral.receiving_organisation_id == actor.organisation_id:
        parties.add(Party.RECEIVER)
    return frozenset(parties)


def can_read_as_manager(session: Session, actor: Actor, referral: Referral) -> bool:
    """A reader of the person's record in the referring organisation (a service manager) may see the referral."""
    return _referrer_can(session, actor, referral, "person.read")


def find_referral(session: Session, actor: Actor, referral_id: str) -> tuple[Referral, frozenset[Party]]:
    """The referral and the parties the actor plays on it; NotFound when the actor is neither party nor a reader of
    the person's record in the referring organisation (parties is then empty). Not audited: the caller audits."""
    referral = session.get(Referral, referral_id) if isinstance(referral_id, str) and len(referral_id) <= 36 else None
    if referral is not None:
        parties = parties_of(session, actor, referral)
        if parties or can_read_as_manager(session, actor, referral):
            return referral, parties
    raise NotFound(N_("We could not find that referral."))


def receiver_sees_details(session: Session, actor: Actor, referral: Referral) -> bool:
    """Whether the receiving side may see what the referral shares now: it is open, or another referral of the same
    person to the same receiving organisation is open."""
    if referral.status in OPEN:
        return True
    if referral.receiving_organisation_id is None:
        return False
    return bool(
        session.scalar(
            select(
                exists().where(
                    Referral.client_id == referral.client_id,
                    Referral.receiving_organisation_id == referral.receiving_organisation_id,
                    Referral.status.in_(sorted(OPEN)),
                )
            )
        )
    )
