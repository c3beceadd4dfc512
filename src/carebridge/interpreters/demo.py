"""Demo interpreters and cultural mediators (issue 11): twelve FICTIONAL entries of the demo organisation's register
— Syrian and Iraqi Arabic, Dari, Farsi, Pashto, Sorani, Kurmanji, Tigrinya, Ukrainian, Russian, Somali — one of
them the demo interpreter account (interpreter@demo.carebridge.example) and one the demo cultural mediator, one with
an expired accreditation, some local community members; and a few bookings for demo people of the Harbourside team,
made through interpreters.service (so sealed and checked like real data).

Idempotent: when the demo organisation already has a fictional interpreter, nothing is added.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from carebridge.accounts import demo as accounts_demo
from carebridge.accounts.access import Actor
from carebridge.accounts.models import Organisation
from carebridge.accounts.service import account_by_email, actor_for
from carebridge.clients.models import Client
from carebridge.errors import CarebridgeError
from carebridge.interpreters import service
from carebridge.interpreters.models import Interpreter
from carebridge.kit import clock

WEEKDAYS = [{"byday": "MO,TU,WE,TH,FR", "opens_at": "09:00", "closes_at": "17:00"}]
MORNINGS = [{"byday": "MO,WE,FR", "opens_at": "08:30", "closes_at": "12:30"}]
EVENINGS = [{"byday": "TU,TH", "opens_at": "13:00", "closes_at": "20:00"}, {"byday": "SA", "opens_at": "10:00", "closes_at": "14:00"}]

# (name or demo role, kind, gender, languages [(tag, community)], modalities, availability, accreditation expiry in days)
REGISTER: tuple[tuple[str, str, str, tuple[tuple[str, bool], ...], tuple[str, ...], list[dict[str, str]], int | None], ...] = (
    ("role:interpreter", "interpreter", "male", (("ar-SY", False), ("kmr", False), ("tr", False)), ("in-person", "phone", "video"), WEEKDAYS, 400),
    ("role:cultural-mediator", "cultural-mediator", "female", (("es", False), ("ar", True)), ("in-person",), MORNINGS, 300),
    ("Rania Fakhoury (fictional)", "interpreter", "female", (("ar-SY", True),), ("in-person", "phone"), WEEKDAYS, 500),
    ("Haidar Al-Musawi (fictional)", "interpreter", "male", (("ar-IQ", False),), ("phone", "video"), EVENINGS, 200),
    ("Mariam Ahmadi (fictional)", "interpreter", "female", (("prs", False), ("ps", False)), ("in-person", "phone", "video"), WEEKDAYS, 600),
    ("Kaveh Tehrani (fictional)", "interpreter", "male", (("fa", False),), ("phone", "video"), WEEKDAYS, 350),
    ("Gul Wazir (fictional)", "interpreter", "female", (("ps", True),), ("in-person",), MORNINGS, 250),
    ("Shilan Rashid (fictional)", "interpreter", "female", (("ckb", False),), ("in-person", "video"), WEEKDAYS, 450),
    ("Azad Kaya (fictional)", "interpreter", "male", (("kmr", True),), ("phone",), EVENINGS, -30),
    ("Selam Tesfaye (fictional)", "interpreter", "female", (("ti", False), ("am", False)), ("in-person", "phone"), WEEKDAYS, 380),
    ("Oksana Melnyk (fictional)", "interpreter", "female", (("uk", False), ("ru", False)), ("in-person", "phone", "video"), WEEKDAYS, 700),
    ("Abdirahman Warsame (fictional)", "interpreter", "male", (("so", True),), ("in-person", "phone"), MORNINGS, None),
)


def _actor(session: Session, role: str) -> Actor | None:
    account = account_by_email(session, accounts_demo.email_of(role))
    return actor_for(account) if account is not None and account.active else None


def load_demo(session: Session, settings: Any) -> str:
    organisation = session.scalar(select(Organisation).where(Organisation.name == accounts_demo.ORGANISATION))
    if organisation is None:
        return ""
    if session.scalar(select(Interpreter.id).where(Interpreter.organisation_id == organisation.id, Interpreter.fictional.is_(True)).limit(1)):
        return "Demo interpreters: already there."
    keeper = _actor(session, "receptionist")
    booker = _actor(session, "link-worker")
    if keeper is None or booker is None:
        return "Demo interpreters: not created (the demo receptionist or link worker account is missing)."
    today = clock.today()
    made: list[Interpreter] = []
    for name, kind, gender, languages, modalities, availability, expires_in in REGISTER:
        account_id = None
        if name.startswith("role:"):
            account = account_by_email(session, accounts_demo.email_of(name.removeprefix("role:")))
            if account is None:
                continue
            account_id, name = account.id, ""
        data = service.InterpreterInput(
            kind=kind, account_id=account_id, name=name, contact="" if account_id else "07700 900000 (fictional)", gender=gender,
            languages=[{"tag": tag, "community": community} for tag, community in languages], modalities=list(modalities),
            areas=["Harbourside", "Old Town"], availability=availability,
            accreditation_body="Fairhaven Interpreting Register (fictional)" if expires_in is not None else "",
            accreditation_level="Community interpreting, level 3" if expires_in is not None else "",
            accreditation_expires=today + dt.timedelta(days=expires_in) if expires_in is not None else None,
        )
        made.append(service.create_interpreter(session, settings, keeper, data, fictional=True))
    bookings = _bookings(session, settings, booker, organisation.id, made)
    return f"Demo interpreters: {len(made)} on the register, {bookings} bookings."


def _bookings(session: Session, settings: Any, booker: Actor, organisation_id: str, made: list[Interpreter]) -> int:
    """A few requested and accepted bookings next week for demo people in the link worker's team."""
    people = list(session.scalars(
        select(Client).where(Client.organisation_id == organisation_id, Client.fictional.is_(True), Client.status == "open",
                             Client.team_id.in_(booker.team_ids)).order_by(Client.created_at, Client.id).limit(4)
    ))
    if not people or not made:
        return 0
    monday = clock.today() + dt.timedelta(days=7 - clock.today().weekday())
    plan = (("ar-SY", 0, 10, "in-person"), ("prs", 1, 11, "phone"), ("uk", 2, 14, "video"), ("ti", 3, 10, "in-person"))
    count = 0
    for person, (language, day, hour, modality) in zip(people, plan, strict=False):
        start = dt.datetime.combine(monday + dt.timedelta(days=day), dt.time(hour), dt.UTC)
        search = service.Search(language=language, modality=modality, starts_at=start, ends_at=start + dt.timedelta(hours=1))
        try:
            found = service.find(session, settings, booker, person.id, search, record=False)
            if not found.matches:
                continue
            booking = service.book(session, settings, booker, person.id, found.matches[0][0].candidate_id, search, fictional=True)
        except CarebridgeError:
            continue
        if count % 2 == 1 and found.matches[0][1].staff is False:
            service.answer(session, settings, booker, booking.id, accept=True, as_booker=True)
        count += 1
    return count
