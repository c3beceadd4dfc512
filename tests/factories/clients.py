"""People's records for tests, made through clients.service (so sealed like real data)."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from carebridge.clients import service
from carebridge.clients.models import Client
from carebridge.config import Settings
from factories import accounts

_numbers = itertools.count(1)


@dataclass
class Caseworker:
    """A link worker in a team of an organisation, with their Actor: who creates test records."""

    organisation: Any
    team: Any
    account: Any
    actor: Any


def caseworker(session: Session, *, roles: tuple[str, ...] = ("link-worker",), organisation_=None, team_=None) -> Caseworker:  # noqa: ANN001
    organisation_ = organisation_ or accounts.organisation(session)
    team_ = team_ or accounts.team(session, organisation_)
    account = accounts.account(session, roles=roles, organisation_=organisation_, teams=(team_,))
    return Caseworker(organisation_, team_, account, accounts.actor_for(account))


def client(
    session: Session,
    settings: Settings,
    actor: Any,
    *,
    preferred_name: str | None = None,
    birth_date: dt.date | None = None,
    birth_year: int | None = None,
    languages: list[str] | None = None,
    **profile: Any,
) -> Client:
    return service.create_client(
        session,
        settings,
        actor,
        service.Profile(
            preferred_name=preferred_name or f"Person {next(_numbers)}",
            birth_date=birth_date,
            birth_year=birth_year,
            languages=languages if languages is not None else ["ar"],
            **profile,
        ),
    )
