"""Demo referrals (issue 11): three more fictional staff organisations, each linked to a demo directory organisation
and with one fictional receiver account (the published demo password and TOTP key, like accounts.demo), and
referrals in several states both ways with "Fairhaven Community Health (demo)" — all made through the services
(sealed, audited, consented), all fictional, and made once: loading again changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from carebridge.accounts import demo as accounts_demo
from carebridge.accounts import service as accounts
from carebridge.accounts.models import Organisation, StaffAccount, Team
from carebridge.clients import service as clients
from carebridge.clients.models import Client
from carebridge.consent import explanations
from carebridge.consent import service as consent
from carebridge.directory.models import Organization, Service, ServiceAtLocation
from carebridge.referrals import service
from carebridge.referrals.models import Referral


@dataclass(frozen=True)
class DemoOrganisation:
    name: str
    directory_name: str
    receiver_email: str
    receiver_name: str
    person_name: str
    person_languages: tuple[str, ...]


# Fictional organisations, linked to the demo directory's organisations of the same name.
ORGANISATIONS = (
    DemoOrganisation("Fairhaven Refugee Welcome Centre (demo)", "Fairhaven Refugee Welcome Centre",
                     "referrals-welcome", "Hana Tesfaye (demo welcome centre)", "Mariam Yousef", ("ar",)),
    DemoOrganisation("Fairhaven Minds Together (demo)", "Fairhaven Minds Together",
                     "referrals-minds", "Tomasz Nowak (demo Minds Together)", "Olena Bondar", ("uk",)),
    DemoOrganisation("Fairhaven Food Bank (demo)", "Fairhaven Food Bank",
                     "referrals-foodbank", "Bilal Ahmadi (demo food bank)", "Farid Noori", ("fa", "ps")),
)
# The directory organisation the demo organisation receives referrals for.
FAIRHAVEN_DIRECTORY = "Fairhaven Community Health NHS Trust"
TEAM = "Referrals team"


def email_of(local: str) -> str:
    return f"{local}@{accounts_demo.EMAIL_DOMAIN}"


def _directory_organization(session: Session, name: str) -> str | None:
    return session.scalar(select(Organization.id).where(Organization.name == name).order_by(Organization.id).limit(1))


def _service_at_location(session: Session, organization_id: str) -> str | None:
    return session.scalar(
        select(ServiceAtLocation.id).join(Service, Service.id == ServiceAtLocation.service_id)
        .where(Service.organization_id == organization_id).order_by(ServiceAtLocation.id).limit(1)
    )


def _actor(session: Session, email: str) -> Any:
    account = session.scalar(
        select(StaffAccount).where(StaffAccount.email_key == accounts.email_key(email))
        .options(selectinload(StaffAccount.roles), selectinload(StaffAccount.memberships))
        .execution_options(populate_existing=True)
    )
    return accounts.actor_for(account) if account is not None and account.active else None


def _organisation(session: Session, settings: Any, entry: DemoOrganisation, directory_id: str) -> Organisation:
    organisation = session.scalar(select(Organisation).where(Organisation.name == entry.name))
    if organisation is None:
        organisation = accounts.create_organisation(session, entry.name)
    if organisation.directory_organization_id is None:
        organisation.directory_organization_id = directory_id
    team = session.scalar(select(Team).where(Team.organisation_id == organisation.id, Team.name == TEAM)) \
        or accounts.create_team(session, organisation, TEAM)
    if accounts.account_by_email(session, email_of(entry.receiver_email)) is None:
        account = accounts.create_account(
            session, email=email_of(entry.receiver_email), name=entry.receiver_name, organisation=organisation,
            roles=["link-worker"], password=accounts_demo.PASSWORD, teams=[team], demo=True,
        )
        accounts_demo._store_totp_key(settings, account)  # noqa: SLF001 - the demo accounts' one shared key
    session.flush()
    return organisation


def _share(session: Session, actor: Any, client: Client, organisation_id: str) -> None:
    if consent.active_consent(session, client.id, consent.SHARE, staff_organisation_id=organisation_id) is None:
        consent.record_consent(session, actor, client.id, consent.SHARE, method=consent.SPOKEN,
                               explanation_version=explanations.CURRENT, explanation_language="en",
                               staff_organisation_id=organisation_id)


def _refer(session: Session, settings: Any, referrer: Any, receiver: Any, client: Client, link_id: str, organisation_id: str,
           moves: list[tuple[str, dict[str, Any]]], *, priority: str = "routine", reason: str, note: str = "") -> Referral:
    _share(session, referrer, client, organisation_id)
    draft = service.create_referral(session, settings, referrer, client.id, service_at_location_id=link_id,
                                    priority=priority, reason=reason, note=note, fictional=True)
    referral = service.send_referral(session, settings, referrer, draft.id, version=draft.version,
                                     share=["name", "languages", "reason"])
    for target, options in moves:
        referral = service.move(session, settings, receiver, referral.id, target, version=referral.version, **options)
    return referral


def load_demo(session: Session, settings: Any) -> str:
    """Create what is missing of the demo organisations and receivers; the demo referrals once."""
    fairhaven = session.scalar(select(Organisation).where(Organisation.name == accounts_demo.ORGANISATION))
    worker = _actor(session, accounts_demo.email_of("link-worker"))
    fairhaven_directory = _directory_organization(session, FAIRHAVEN_DIRECTORY)
    if fairhaven is None or worker is None or fairhaven_directory is None:
        return "Demo referrals: not made (the demo organisation, its link worker or the demo directory is missing)."
    if fairhaven.directory_organization_id is None:
        fairhaven.directory_organization_id = fairhaven_directory
    made = []
    for entry in ORGANISATIONS:
        directory_id = _directory_organization(session, entry.directory_name)
        if directory_id is None:
            continue
        made.append((entry, _organisation(session, settings, entry, directory_id), directory_id))
    if session.scalar(select(Referral.id).where(Referral.fictional.is_(True)).limit(1)) is not None:
        return f"Demo referrals: already there ({len(made)} demo organisations)."
    people = list(session.scalars(
        select(Client).where(Client.fictional.is_(True), Client.organisation_id == fairhaven.id, Client.status == "open",
                             clients.scope(worker, "referral.send")).order_by(Client.created_at, Client.id).limit(len(made) + 1)
    ))
    fairhaven_receiver = _actor(session, accounts_demo.email_of("receptionist")) or worker
    fairhaven_link = _service_at_location(session, fairhaven_directory)
    count = 0
    # Fairhaven refers its people to each organisation, in several states.
    states = [
        ([], "urgent", "Arrived last week, sleeping on a friend's floor; needs help with everything at once."),
        ([("accepted", {}), ("in-progress", {})], "routine", "Low mood since the crossing; wants to talk to someone."),
        ([("accepted", {}), ("completed", {"outcome": "Food parcel given; booked for a weekly parcel on Thursdays."})],
         "routine", "No money for food until the first payment arrives."),
    ]
    for (entry, organisation, directory_id), person, (moves, priority, reason) in zip(made, people, states, strict=False):
        receiver = _actor(session, email_of(entry.receiver_email))
        link_id = _service_at_location(session, directory_id)
        if receiver is None or link_id is None:
            continue
        _refer(session, settings, worker, receiver, person, link_id, organisation.id, moves, priority=priority,
               reason=reason, note="Bring this paper and any letter you have.")
        count += 1
    if made and len(people) > len(made):
        entry, organisation, directory_id = made[0]
        receiver = _actor(session, email_of(entry.receiver_email))
        link_id = _service_at_location(session, directory_id)
        if receiver is not None and link_id is not None:
            _refer(session, settings, worker, receiver, people[len(made)], link_id, organisation.id,
                   [("rejected", {"reason": "no-capacity"})], reason="Needs a caseworker for an asylum appeal.")
            count += 1
    # Each organisation refers one person of its own to Fairhaven Community Health.
    for index, (entry, organisation, _directory_id) in enumerate(made):
        referrer = _actor(session, email_of(entry.receiver_email))
        if referrer is None or fairhaven_link is None:
            continue
        person = session.scalar(select(Client).where(Client.fictional.is_(True), Client.organisation_id == organisation.id).limit(1))
        if person is None:
            person = clients.create_client(
                session, settings, referrer,
                clients.Profile(preferred_name=entry.person_name, languages=list(entry.person_languages),
                                interpreter_needed=True, interpreter_language=entry.person_languages[0]),
                team_id=next(iter(sorted(referrer.team_ids)), None), owner_account_id=referrer.account_id, fictional=True,
            )
        moves = [[], [("accepted", {})], [("accepted", {}), ("on-hold", {"reason": "person-unreachable"})]][index % 3]
        _refer(session, settings, referrer, fairhaven_receiver, person, fairhaven_link, fairhaven.id, moves,
               priority="urgent" if index == 0 else "routine",
               reason="Needs a GP registration and a health check.", note="Bring any health papers you have.")
        count += 1
    session.flush()
    return f"Demo referrals: {count} made among {len(made) + 1} demo organisations."
