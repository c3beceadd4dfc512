"""Risk flags, duty and the people around them for tests, made through risk.service (so sealed like real data)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from carebridge.config import Settings
from carebridge.risk import service
from carebridge.risk.models import DutyAssignment, RiskFlag
from factories import accounts, clients


@dataclass
class Service:
    """An organisation with a team: a peer supporter (who owns the person's record), a clinician, a second
    clinician, a service manager, a receptionist, a planner, and the person."""

    organisation: Any
    team: Any
    peer: Any
    clinician: Any
    other_clinician: Any
    manager: Any
    receptionist: Any
    planner: Any
    person: Any

    def actor(self, who: str) -> Any:
        return accounts.actor_for(getattr(self, who))


def world(session: Session, settings: Settings, *, person_name: str = "Layla Testperson") -> Service:
    organisation = accounts.organisation(session)
    team = accounts.team(session, organisation)

    def make(roles: tuple[str, ...], name: str) -> Any:
        return accounts.account(session, roles=roles, organisation_=organisation, teams=(team,), name=name)

    peer = make(("peer-supporter",), "Pat Peer")
    clinician = make(("clinician",), "Dr Cleo Clinician")
    other = make(("clinician",), "Dr Olu Other")
    manager = make(("service-manager",), "Mo Manager")
    receptionist = make(("receptionist",), "Rae Reception")
    planner = accounts.account(session, roles=("planner",), organisation_=organisation, name="Pia Planner")
    person = clients.client(session, settings, accounts.actor_for(peer), preferred_name=person_name, languages=["ar"])
    session.flush()
    return Service(organisation, team, peer, clinician, other, manager, receptionist, planner, person)


def on_duty(session: Session, account: Any, day: dt.date, phone: str | None = None) -> DutyAssignment:
    duty = DutyAssignment(
        organisation_id=account.organisation_id, account_id=account.id, day=day, phone=phone, created_at=dt.datetime.now(dt.UTC)
    )
    session.add(duty)
    session.flush()
    return duty


def flag(session: Session, settings: Settings, person: Any, actor: Any = None, *, source: str = "worker",
         seen: str = "Said they had thought about ending their life", done: str = "Stayed with them") -> RiskFlag:
    return service.raise_flag(session, settings, client=person, source=source, actor=actor, seen=seen, done=done)
