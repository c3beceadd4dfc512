"""Organisations, teams and staff accounts: the rules. No HTTP, no commits (the caller's unit of work commits).

Every change that matters to security is audited here, in the same transaction (audit.service.record).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from carebridge.accounts import passwords
from carebridge.accounts.access import Actor
from carebridge.accounts.models import Organisation, StaffAccount, StaffRole, Team, TeamMembership
from carebridge.accounts.permissions import ROLES, permissions_of
from carebridge.audit import service as audit
from carebridge.errors import N_, Conflict, FieldError, InvalidInput, NotFound
from carebridge.kit import clock

EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def email_key(email: str) -> str:
    """How e-mail addresses are compared: NFKC, case-folded, trimmed."""
    return unicodedata.normalize("NFKC", email).strip().casefold()


def create_organisation(
    session: Session, name: str, *, directory_organization_id: str | None = None, actor: Actor | None = None
) -> Organisation:
    name = name.strip()
    if not name:
        raise InvalidInput(errors=[FieldError("name", N_("Enter the organisation's name."))])
    if session.scalar(select(Organisation.id).where(Organisation.name == name)):
        raise Conflict(N_("An organisation with this name already exists."))
    organisation = Organisation(name=name, directory_organization_id=directory_organization_id, created_at=clock.now())
    session.add(organisation)
    session.flush()
    audit.record(session, "organisation.create", actor=actor, record_type="organisation", record_id=organisation.id)
    return organisation


def organisation_by_name(session: Session, name: str) -> Organisation:
    organisation = session.scalar(select(Organisation).where(Organisation.name == name.strip()))
    if organisation is None:
        raise NotFound(N_("There is no organisation with that name."))
    return organisation


def create_team(session: Session, organisation: Organisation, name: str, *, actor: Actor | None = None) -> Team:
    name = name.strip()
    if not name:
        raise InvalidInput(errors=[FieldError("name", N_("Enter the team's name."))])
    team = Team(organisation_id=organisation.id, name=name, created_at=clock.now())
    session.add(team)
    session.flush()
    audit.record(
        session, "team.create", actor=actor, organisation_id=organisation.id, record_type="team", record_id=team.id
    )
    return team


def _check_roles(roles: Iterable[str]) -> list[str]:
    roles = sorted(set(roles))
    unknown = [role for role in roles if role not in ROLES]
    if unknown or not roles:
        raise InvalidInput(
            errors=[FieldError("roles", N_("Choose at least one role from the list."), allowed=sorted(ROLES))]
        )
    return roles


def create_account(
    session: Session,
    *,
    email: str,
    name: str,
    organisation: Organisation,
    roles: Iterable[str],
    password: str,
    languages: str = "",
    teams: Iterable[Team] = (),
    demo: bool = False,
    actor: Actor | None = None,
) -> StaffAccount:
    errors = []
    email = email.strip()
    if not EMAIL.fullmatch(email):
        errors.append(FieldError("email", N_("Enter an e-mail address, like name@example.org.")))
    if not name.strip():
        errors.append(FieldError("name", N_("Enter the person's name.")))
    problem = passwords.password_problem(password, email=email, name=name)
    if problem:
        errors.append(FieldError("password", problem))
    try:
        roles = _check_roles(roles)
    except InvalidInput as error:
        errors.extend(error.errors)
    if errors:
        raise InvalidInput(errors=errors)
    key = email_key(email)
    if session.scalar(select(StaffAccount.id).where(StaffAccount.email_key == key)):
        raise Conflict(N_("A staff account with this e-mail address already exists."))
    account = StaffAccount(
        email=email,
        email_key=key,
        name=name.strip(),
        languages=" ".join(languages.split()),
        organisation_id=organisation.id,
        password_hash=passwords.hash_password(password),
        active=True,
        demo=demo,
        created_at=clock.now(),
    )
    session.add(account)
    session.flush()
    session.add_all(StaffRole(account_id=account.id, role=role) for role in roles)
    session.add_all(TeamMembership(account_id=account.id, team_id=team.id) for team in teams)
    session.flush()
    audit.record(
        session,
        "account.create",
        actor=actor,
        organisation_id=organisation.id,
        record_type="staff_account",
        record_id=account.id,
    )
    return account


def account_by_email(session: Session, email: str) -> StaffAccount | None:
    return session.scalar(
        select(StaffAccount)
        .where(StaffAccount.email_key == email_key(email))
        .options(selectinload(StaffAccount.roles), selectinload(StaffAccount.memberships))
    )


def account_by_id(session: Session, account_id: str) -> StaffAccount | None:
    return session.scalar(
        select(StaffAccount)
        .where(StaffAccount.id == account_id)
        .options(selectinload(StaffAccount.roles), selectinload(StaffAccount.memberships))
    )


def actor_for(account: StaffAccount, session_id: str | None = None) -> Actor:
    """The Actor for an account whose roles and memberships are loaded."""
    roles = frozenset(role.role for role in account.roles)
    return Actor(
        account_id=account.id,
        organisation_id=account.organisation_id,
        team_ids=frozenset(membership.team_id for membership in account.memberships),
        roles=roles,
        permissions=permissions_of(roles),
        session_id=session_id,
    )
