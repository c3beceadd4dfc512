"""Referral rows for the FHIR export, report and overrides tests, written directly (the referral service is another
line of work), sealed with the person's data key exactly as the service seals them: `shared` and `override_reason`
as JSON/text under (referral, column, id), `outcome` as text.

    world = referral_rows.world(session, settings)              # two organisations, staff, one person
    row = referral_rows.referral(session, settings, world, status="completed", outcome="Seen twice")
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from carebridge.clients import service as clients_service
from carebridge.config import Settings
from carebridge.consent.models import Consent
from carebridge.db import new_id
from carebridge.keys import service as keys
from carebridge.kit import clock
from carebridge.referrals.models import Referral, ReferralEvent
from carebridge.referrals.states import State
from factories import accounts, clients

_numbers = itertools.count(1)
SHARED = {"name": "Layla", "languages": ["ar", "en"], "interpreter": True, "reason": "Low mood since arriving"}


@dataclass
class World:
    """A referring organisation (link worker, service manager, planner, the person) and a receiving one (a worker
    holding referral.receive, and a service manager)."""

    sender: Any
    team: Any
    link_worker: Any
    manager: Any
    planner: Any
    person: Any
    receiver: Any
    receiving_worker: Any
    receiving_manager: Any

    def actor(self, who: str) -> Any:
        return accounts.actor_for(getattr(self, who))


def world(session: Session, settings: Settings, *, person_name: str = "Layla Testperson") -> World:
    sender = accounts.organisation(session)
    team = accounts.team(session, sender)
    link_worker = accounts.account(session, roles=("link-worker",), organisation_=sender, teams=(team,), name="Lin Linkworker")
    manager = accounts.account(session, roles=("service-manager",), organisation_=sender, teams=(team,), name="Mo Manager")
    planner = accounts.account(session, roles=("planner",), organisation_=sender, name="Pia Planner")
    receiver = accounts.organisation(session)
    receiving_team = accounts.team(session, receiver)
    receiving_worker = accounts.account(session, roles=("link-worker",), organisation_=receiver, teams=(receiving_team,),
                                        name="Rex Receiver")
    receiving_manager = accounts.account(session, roles=("service-manager",), organisation_=receiver, name="Ria Manager")
    person = clients.client(session, settings, accounts.actor_for(link_worker), preferred_name=person_name, languages=["ar"])
    session.flush()
    return World(sender, team, link_worker, manager, planner, person, receiver, receiving_worker, receiving_manager)


def share_consent(session: Session, world_: World, *, withdrawn: bool = False) -> Consent:
    """A consent to share with the receiving organisation (spoken, in force unless `withdrawn`)."""
    now = clock.utc_now()
    row = Consent(
        id=new_id(), client_id=world_.person.id, purpose="share", staff_organisation_id=world_.receiver.id,
        method="spoken", explanation_version="1", explanation_language="en", recorded_by=world_.link_worker.id,
        given_at=now - dt.timedelta(days=5), withdrawn_at=now if withdrawn else None,
    )
    session.add(row)
    session.flush()
    return row


def referral(
    session: Session,
    settings: Settings,
    world_: World,
    *,
    status: str = State.REQUESTED,
    priority: str = "routine",
    reason: str | None = None,
    shared: dict[str, Any] | None = None,
    outcome: str | None = None,
    override_reason: str | None = None,
    contact_prohibited: bool = False,
    tracked: bool = False,
    consent: Consent | None = None,
    requested_at: dt.datetime | None = None,
    answered_at: dt.datetime | None = None,
    closed_at: dt.datetime | None = None,
    receiving_organisation_id: str | None = None,
    organization_name: str | None = None,
    client: Any = None,
) -> Referral:
    """One referral row in `status`, with the moments it would have (requested, answered, closed) unless given."""
    now = clock.utc_now()
    person = client or world_.person
    number = next(_numbers)
    state = State(status)
    requested = requested_at or (None if state is State.DRAFT else now - dt.timedelta(days=3))
    answered = answered_at
    if answered is None and state not in {State.DRAFT, State.REQUESTED, State.CANCELLED, State.ENTERED_IN_ERROR} and requested:
        answered = requested + dt.timedelta(days=1)
    closed = closed_at
    if closed is None and state in {State.REJECTED, State.CANCELLED, State.COMPLETED, State.FAILED, State.ENTERED_IN_ERROR}:
        closed = (answered or requested or now) + dt.timedelta(days=1)
    row = Referral(
        id=new_id(),
        kind="referral",
        client_id=person.id,
        referring_organisation_id=world_.sender.id,
        referring_team_id=world_.team.id,
        referred_by=world_.link_worker.id,
        service_at_location_id=f"sal-{number}",
        service_id=f"svc-{number}",
        # One directory organisation per name given (so a test can send several referrals to it).
        directory_organization_id=f"dir-{organization_name.lower().replace(' ', '-')}" if organization_name else f"dir-org-{number}",
        service_name="Talking therapies drop-in",
        organization_name=organization_name or ("Harbour Counselling" if tracked else "Receiving Service"),
        receiving_organisation_id=None if tracked else (receiving_organisation_id or world_.receiver.id),
        status=state.value,
        priority=priority,
        status_reason=reason,
        shared_fields=",".join(sorted((shared if shared is not None else SHARED))),
        contact_prohibited=contact_prohibited,
        consent_id=None if override_reason else (consent.id if consent else None),
        consent_override=override_reason is not None,
        created_at=(requested or now) - dt.timedelta(minutes=5),
        updated_at=closed or answered or requested or now,
        requested_at=requested,
        answered_at=answered,
        closed_at=closed,
    )
    key = keys.data_key(session, settings, clients_service.SUBJECT, person.id)
    row.shared = key.seal_json("referral", "shared", row.id, shared if shared is not None else SHARED)
    if outcome is not None:
        row.outcome = key.seal_text("referral", "outcome", row.id, outcome)
    if override_reason is not None:
        row.override_reason = key.seal_text("referral", "override_reason", row.id, override_reason)
    session.add(row)
    session.flush()
    session.add(ReferralEvent(referral_id=row.id, at=row.updated_at, party="referrer", account_id=world_.link_worker.id,
                              from_status=None, to_status=row.status, reason=reason))
    session.flush()
    return row
