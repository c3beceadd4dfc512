"""Referrals and the organisations around them for tests, made through referrals.service (so sealed, audited and
notified like real ones). The directory service they go to comes from the fictional Fairhaven directory, which the
test module loads (tests/conftest.py's demo_city_connection)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from carebridge.config import Settings
from carebridge.consent import service as consent
from carebridge.directory.models import Service, ServiceAtLocation
from carebridge.referrals import service
from carebridge.referrals.models import Referral
from factories import accounts, clients
from factories import consent as consent_factories


def directory_service(session: Session, index: int = 0) -> tuple[str, str]:
    """(service_at_location id, directory organization id) of a service of the loaded directory that belongs to an
    organisation, the `index`-th by id."""
    rows = session.execute(
        select(ServiceAtLocation.id, Service.organization_id)
        .join(Service, Service.id == ServiceAtLocation.service_id)
        .where(Service.organization_id.is_not(None))
        .order_by(Service.organization_id, ServiceAtLocation.id)
    ).all()
    assert rows, "the directory is empty: load the demo city (demo_city_connection)"
    seen: list[tuple[str, str]] = []
    for link_id, organization_id in rows:
        if all(organization_id != other for _, other in seen):
            seen.append((link_id, organization_id))
    return seen[index % len(seen)]


@dataclass
class World:
    """A referring organisation (a link worker owning the person's record, a peer supporter of the same team, a
    service manager) and a receiving organisation in Carebridge linked to a directory organisation (a receptionist
    and a link worker who receive), the service at a location to refer to, and the person."""

    referring: Any
    team: Any
    worker: Any
    peer: Any
    manager: Any
    receiving: Any
    receiver: Any
    other_receiver: Any
    outsider: Any
    service_at_location_id: str
    directory_organization_id: str
    person: Any

    def actor(self, who: str) -> Any:
        return accounts.actor_for(getattr(self, who))


# Each world refers to another directory organisation: tests of a module share the loaded directory, and a directory
# organisation is linked to one staff organisation.
_worlds = itertools.count()


def world(session: Session, settings: Settings, *, person_name: str = "Layla Testperson", index: int | None = None,
          **profile: Any) -> World:
    link_id, organization_id = directory_service(session, next(_worlds) if index is None else index)
    referring = accounts.organisation(session)
    team = accounts.team(session, referring)
    worker = accounts.account(session, roles=("link-worker",), organisation_=referring, teams=(team,), name="Lina Linkworker")
    peer = accounts.account(session, roles=("peer-supporter",), organisation_=referring, teams=(team,), name="Pat Peer")
    manager = accounts.account(session, roles=("service-manager",), organisation_=referring, teams=(team,), name="Mo Manager")
    receiving = accounts.organisation(session)
    receiving.directory_organization_id = organization_id
    receiving_team = accounts.team(session, receiving)
    receiver = accounts.account(session, roles=("receptionist",), organisation_=receiving, teams=(receiving_team,), name="Rae Receiver")
    other = accounts.account(session, roles=("link-worker",), organisation_=receiving, teams=(receiving_team,), name="Oli Other")
    outsider_org = accounts.organisation(session)
    outsider = accounts.account(session, roles=("link-worker",), organisation_=outsider_org, name="Ola Outsider")
    person = clients.client(session, settings, accounts.actor_for(worker), preferred_name=person_name,
                            languages=profile.pop("languages", ["ar"]), **profile)
    session.flush()
    return World(referring, team, worker, peer, manager, receiving, receiver, other, outsider, link_id, organization_id, person)


def share_consent(session: Session, world_: World, *, directory: bool = False) -> Any:
    """The person's consent to share with the receiving organisation (as a staff organisation, or as the directory
    organisation)."""
    target = {"directory_organization_id": world_.directory_organization_id} if directory else {
        "staff_organisation_id": world_.receiving.id}
    return consent_factories.given(session, world_.actor("worker"), world_.person, consent.SHARE, **target)


def draft(session: Session, settings: Settings, world_: World, *, priority: str = "routine", kind: str = "referral",
          reason: str = "Needs a GP registration", note: str = "Bring a letter with your address") -> Referral:
    return service.create_referral(session, settings, world_.actor("worker"), world_.person.id,
                                   service_at_location_id=world_.service_at_location_id, kind=kind, priority=priority,
                                   reason=reason, note=note)


def sent(session: Session, settings: Settings, world_: World, *, share: tuple[str, ...] = ("name", "languages", "reason"),
         consent_first: bool = True, **options: Any) -> Referral:
    if consent_first and service.share_consent(session, draft_shell(world_)) is None:
        share_consent(session, world_)
    referral = draft(session, settings, world_, **options)
    return service.send_referral(session, settings, world_.actor("worker"), referral.id, version=referral.version,
                                 share=list(share))


def draft_shell(world_: World) -> Referral:
    """An unsaved referral naming the world's organisations, to ask whether consent is in force."""
    return Referral(client_id=world_.person.id, receiving_organisation_id=world_.receiving.id,
                    directory_organization_id=world_.directory_organization_id)


def moved(session: Session, settings: Settings, world_: World, referral: Referral, target: str, who: str = "receiver",
          **options: Any) -> Referral:
    return service.move(session, settings, world_.actor(who), referral.id, target, version=referral.version, **options)
