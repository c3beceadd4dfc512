"""Every query of people's records that is more than a lookup by id: the caseload, the team and caseworker choices.

The scope clause (clients.service.scope) is applied here, in the WHERE of the one query that reads the rows, so a
list can never hold a record outside the actor's scope.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, delete, or_, select
from sqlalchemy.orm import Session

from carebridge.accounts.models import StaffAccount, Team, TeamMembership
from carebridge.clients.models import Client, ClientReference, ContactChannel, ImmigrationSituation


@dataclass(frozen=True)
class CaseloadRow:
    client: Client
    team_name: str | None
    caseworker_name: str | None


def caseload_page(
    session: Session,
    where: list[ColumnElement[bool]],
    *,
    limit: int,
    offset: int,
) -> list[CaseloadRow]:
    """Rows matching every clause of `where` (the scope among them), oldest last contact first (never contacted
    first of all), then the oldest record, then id (a stable order across pages)."""
    query = (
        select(Client, Team.name, StaffAccount.name)
        .outerjoin(Team, Team.id == Client.team_id)
        .outerjoin(StaffAccount, StaffAccount.id == Client.owner_account_id)
        .where(*where)
        .order_by(Client.last_contact_at.asc().nulls_first(), Client.created_at, Client.id)
        .limit(limit)
        .offset(offset)
    )
    return [CaseloadRow(client, team_name, caseworker) for client, team_name, caseworker in session.execute(query)]


def has_lookup_index(indexes: list[str]) -> ColumnElement[bool]:
    """The record has a contact channel or a reference number with one of these blind indexes."""
    return or_(
        Client.id.in_(select(ContactChannel.client_id).where(ContactChannel.lookup_index.in_(indexes))),
        Client.id.in_(select(ClientReference.client_id).where(ClientReference.lookup_index.in_(indexes))),
    )


def no_contact_since(cutoff: dt.datetime) -> ColumnElement[bool]:
    """An open record nobody has been in touch about since `cutoff` (a record made before it and never contacted
    counts too)."""
    return and_(
        Client.status == "open",
        or_(
            Client.last_contact_at < cutoff,
            and_(Client.last_contact_at.is_(None), Client.created_at < cutoff),
        ),
    )


def has_overdue_steps(today: dt.date) -> ColumnElement[bool]:
    """The record has a step of its action plan still to do after its due date (an EXISTS on plan_step's index)."""
    from carebridge.plans import service as plans

    return plans.has_overdue_steps(today)


def overdue_step_counts(session: Session, client_ids: list[str], today: dt.date) -> dict[str, int]:
    """Overdue steps per record of a caseload page: one grouped query for the page, not one per row."""
    from carebridge.plans import service as plans

    return plans.overdue_counts(session, client_ids, today)


def teams_of(session: Session, team_ids: frozenset[str] | set[str]) -> list[tuple[str, str]]:
    """(id, name) of these teams, by name."""
    if not team_ids:
        return []
    return [(key, name) for key, name in session.execute(select(Team.id, Team.name).where(Team.id.in_(sorted(team_ids))).order_by(Team.name))]


def organisation_teams(session: Session, organisation_id: str) -> list[tuple[str, str]]:
    """(id, name) of every team of the organisation, by name."""
    query = select(Team.id, Team.name).where(Team.organisation_id == organisation_id).order_by(Team.name, Team.id)
    return [(key, name) for key, name in session.execute(query)]


def team_in_organisation(session: Session, team_id: str, organisation_id: str) -> bool:
    return session.scalar(select(Team.id).where(Team.id == team_id, Team.organisation_id == organisation_id)) is not None


def team_staff(session: Session, team_id: str) -> list[tuple[str, str]]:
    """(account id, name) of the active staff of a team, by name: who may be a record's caseworker."""
    query = (
        select(StaffAccount.id, StaffAccount.name)
        .join(TeamMembership, TeamMembership.account_id == StaffAccount.id)
        .where(TeamMembership.team_id == team_id, StaffAccount.active.is_(True))
        .order_by(StaffAccount.name, StaffAccount.id)
    )
    return [(key, name) for key, name in session.execute(query)]


def is_team_member(session: Session, account_id: str, team_id: str) -> bool:
    query = (
        select(TeamMembership.account_id)
        .join(StaffAccount, StaffAccount.id == TeamMembership.account_id)
        .where(TeamMembership.team_id == team_id, TeamMembership.account_id == account_id, StaffAccount.active.is_(True))
    )
    return session.scalar(query) is not None


def is_organisation_staff(session: Session, account_id: str, organisation_id: str) -> bool:
    """An active staff account of this organisation (a record's caseworker when it has no team)."""
    query = select(StaffAccount.id).where(
        StaffAccount.id == account_id, StaffAccount.organisation_id == organisation_id, StaffAccount.active.is_(True)
    )
    return session.scalar(query) is not None


def names_of(session: Session, client: Client) -> tuple[str | None, str | None]:
    """The record's team name and caseworker name."""
    team = session.scalar(select(Team.name).where(Team.id == client.team_id)) if client.team_id else None
    caseworker = (
        session.scalar(select(StaffAccount.name).where(StaffAccount.id == client.owner_account_id))
        if client.owner_account_id
        else None
    )
    return team, caseworker


def delete_immigration_situation(session: Session, client_id: str) -> int:
    return session.execute(delete(ImmigrationSituation).where(ImmigrationSituation.client_id == client_id)).rowcount or 0
