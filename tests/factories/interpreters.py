"""Interpreters, bookings and the people around them for tests, made through interpreters.service (so sealed and
checked like real data)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from carebridge.config import Settings
from carebridge.interpreters import service
from carebridge.interpreters.models import Interpreter
from factories import accounts, clients

# Tuesday 24 November 2026 (London is on GMT: local time = UTC); the test clock is Monday the 23rd at noon.
TUESDAY = dt.date(2026, 11, 24)
WEEKDAYS_9_TO_5 = [{"byday": "MO,TU,WE,TH,FR", "opens_at": "09:00", "closes_at": "17:00"}]


def at(hour: int, minute: int = 0, day: dt.date = TUESDAY) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=dt.UTC)


@dataclass
class World:
    """An organisation with a team: a link worker (books, team scope), a receptionist (keeps the register), a staff
    interpreter, a worker of another team, and a person of the team who speaks Syrian Arabic."""

    organisation: Any
    team: Any
    worker: Any
    receptionist: Any
    interpreter_account: Any
    outsider: Any
    person: Any

    def actor(self, who: str) -> Any:
        return accounts.actor_for(getattr(self, who))


def world(session: Session, settings: Settings, *, person_name: str = "Huda Testperson", **profile: Any) -> World:
    organisation = accounts.organisation(session)
    team = accounts.team(session, organisation)
    other_team = accounts.team(session, organisation)
    worker = accounts.account(session, roles=("link-worker",), organisation_=organisation, teams=(team,), name="Lin Worker")
    receptionist = accounts.account(session, roles=("receptionist",), organisation_=organisation, teams=(team,), name="Rae Reception")
    interpreter_account = accounts.account(session, roles=("interpreter",), organisation_=organisation, name="Ines Interpreter")
    outsider = accounts.account(session, roles=("link-worker",), organisation_=organisation, teams=(other_team,), name="Otto Other")
    person = clients.client(session, settings, accounts.actor_for(worker), preferred_name=person_name, languages=["ar-SY"],
                            interpreter_needed=True, interpreter_language="ar-SY", **profile)
    session.flush()
    return World(organisation, team, worker, receptionist, interpreter_account, outsider, person)


def interpreter(session: Session, settings: Settings, world_: World, *, name: str = "Nadia External", languages: Any = (("ar-SY", False),),
                modalities: tuple[str, ...] = ("in-person", "phone", "video"), gender: str | None = "female",
                availability: list[dict[str, Any]] | None = None, expires: dt.date | None = dt.date(2028, 1, 1),
                account: Any = None, kind: str = "interpreter") -> Interpreter:
    data = service.InterpreterInput(
        kind=kind,
        account_id=account.id if account is not None else None,
        name=name if account is None else "",
        contact="07700 900123" if account is None else "",
        gender=gender,
        languages=[{"tag": tag, "community": community} for tag, community in languages],
        modalities=list(modalities),
        areas=["Northside"],
        availability=WEEKDAYS_9_TO_5 if availability is None else availability,
        accreditation_body="NRPSI" if expires else "",
        accreditation_level="Full" if expires else "",
        accreditation_expires=expires,
    )
    return service.create_interpreter(session, settings, world_.actor("receptionist"), data)


def search(language: str = "ar-SY", start: dt.datetime | None = None, hours: float = 1, *, modality: str = "in-person",
           gender: str = "any", allow_unaccredited: bool = False) -> service.Search:
    start = start or at(10)
    return service.Search(language=language, modality=modality, gender=gender, starts_at=start,
                          ends_at=start + dt.timedelta(hours=hours), allow_unaccredited=allow_unaccredited)
