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


def settings() -> Settings:
    """The settings tests use for records (the development key file, as the app under test does)."""
    return Settings()


def member(session: Session, of: Caseworker, *, roles: tuple[str, ...] = ("link-worker",), name: str = "Sam Tester") -> Caseworker:
    """Another member of the same team (and organisation) as `of`."""
    account = accounts.account(session, roles=roles, organisation_=of.organisation, teams=(of.team,), name=name)
    return Caseworker(of.organisation, of.team, account, accounts.actor_for(account))


def audit_actions(session: Session, client_id: str) -> list[str]:
    """The audit trail's actions about one record, oldest first."""
    from sqlalchemy import select

    from carebridge.audit.models import AuditEvent

    return list(
        session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.record_type == "client", AuditEvent.record_id == client_id)
            .order_by(AuditEvent.seq)
        )
    )
