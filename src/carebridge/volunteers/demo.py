"""Demo volunteers and network families (issue 11): fictional, made through the service, idempotent.

Eight volunteers and families in the demo organisation, one of them the demo volunteer's own sign-in
(volunteer@demo.carebridge.example, made by accounts.demo), with one proposed match (to the demo volunteer, so that
signing in as them shows it) and one active match, both for Harbourside people of the demo. Made as the demo service
manager (volunteer.manage over the organisation).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from carebridge.accounts import demo as accounts_demo
from carebridge.accounts import service as accounts
from carebridge.accounts.models import Organisation, StaffAccount
from carebridge.clients import service as clients
from carebridge.clients.models import Client
from carebridge.kit import clock
from carebridge.volunteers import service as volunteers
from carebridge.volunteers.models import Volunteer

# (kind, name, languages, area, interests, availability, max matches, linked to the demo volunteer's sign-in)
VOLUNTEERS = (
    ("volunteer", "Grace Okafor", ["en", "ar"], "Harbourside", ["cooking", "walking", "children"],
     "Weekday evenings", 2, True),
    ("family", "The Haddad family", ["ar", "en"], "Harbourside", ["cooking", "faith", "children"],
     "Sunday lunch, every other week", 1, False),
    ("volunteer", "Tomasz Nowak", ["pl", "en", "uk"], "Old Town", ["football", "sport"], "Saturday mornings", 2, False),
    ("volunteer", "Farah Azimi", ["prs", "fa", "en"], "Northgate", ["language-practice", "crafts"],
     "Tuesday and Thursday afternoons", 2, False),
    ("family", "The Tesfaye family", ["ti", "am", "en"], "Eastfield", ["music", "faith"], "Weekends", 1, False),
    ("volunteer", "Olena Bondar", ["uk", "ru", "en"], "Harbourside", ["gardening", "reading"], "Mornings", 3, False),
    ("volunteer", "Kofi Mensah", ["en", "fr"], "Old Town", ["football", "technology", "games"], "Evenings", 2, False),
    ("volunteer", "Hevi Bakir", ["kmr", "ckb", "tr", "en"], "Northgate", ["walking", "music"], "Fridays", 1, False),
)
# The demo people the matches are for (clients.demo, Harbourside team).
PROPOSED_FOR = "ليلى الورداني"
ACTIVE_FOR = "سامر القنديلي"


def _account(session: Session, role: str) -> StaffAccount | None:
    return session.scalar(
        select(StaffAccount)
        .where(StaffAccount.email_key == accounts.email_key(accounts_demo.email_of(role)))
        .options(selectinload(StaffAccount.roles), selectinload(StaffAccount.memberships))
        .execution_options(populate_existing=True)
    )


def _person(session: Session, settings: Any, organisation_id: str, name: str) -> Client | None:
    people = list(session.scalars(select(Client).where(Client.organisation_id == organisation_id)))
    profiles = clients.open_profiles(session, settings, people)
    return next((person for person in people if person.id in profiles and profiles[person.id].preferred_name == name), None)


def load_demo(session: Session, settings: Any) -> str:
    organisation = session.scalar(select(Organisation).where(Organisation.name == accounts_demo.ORGANISATION))
    manager = _account(session, "service-manager")
    if organisation is None or manager is None or not manager.active:
        return "Demo volunteers: not created (the demo organisation and its service manager are missing)."
    if session.scalar(select(Volunteer.id).where(Volunteer.organisation_id == organisation.id).limit(1)) is not None:
        return "Demo volunteers: already there."
    actor = accounts.actor_for(manager)
    volunteer_account = _account(session, "volunteer")
    today = clock.today(settings.timezone)
    made: dict[str, Volunteer] = {}
    for index, (kind, name, languages, area, interests, availability, most, linked) in enumerate(VOLUNTEERS):
        made[name] = volunteers.create_volunteer(session, settings, actor, volunteers.VolunteerInput(
            kind=kind, display_name=name, contact=f"07700 900{100 + index}", languages=languages, area=area,
            interests=interests, availability=availability, check_on=today - dt.timedelta(days=60 + 30 * index),
            check_expires_on=today + dt.timedelta(days=700 - 30 * index), max_matches=most,
            account_id=volunteer_account.id if linked and volunteer_account is not None else None,
        ))
    said = [f"Demo volunteers: {len(made)} FICTIONAL volunteers and families created."]
    proposed_for = _person(session, settings, organisation.id, PROPOSED_FOR)
    active_for = _person(session, settings, organisation.id, ACTIVE_FOR)
    if proposed_for is not None:
        volunteers.propose_match(session, settings, actor, proposed_for.id, volunteers.MatchInput(
            volunteer_id=made["Grace Okafor"].id, area="Harbourside", interests=["cooking", "children"],
            how_to_meet="At the Harbourside centre café, with Lena, on Thursday at 5pm.", person_agreed=True,
            agreed_how="interpreter", share_name=True))
    if active_for is not None:
        match = volunteers.propose_match(session, settings, actor, active_for.id, volunteers.MatchInput(
            volunteer_id=made["The Haddad family"].id, area="Harbourside", interests=["cooking"],
            how_to_meet="Sunday lunch at the family's home; the link worker introduces them first.",
            person_agreed=True, agreed_how="in-person", share_name=True))
        volunteers.answer_match(session, settings, actor, match.id, volunteers.ACCEPT, client_id=active_for.id)
    if proposed_for is not None and active_for is not None:
        said.append("Demo volunteer matches: one proposed, one active.")
    return "\n".join(said)
