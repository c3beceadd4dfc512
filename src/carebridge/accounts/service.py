"""Organisations, teams and staff accounts: the rules. No HTTP, no commits (the caller's unit of work commits).

Every change that matters to security is audited here, in the same transaction (audit.service.record).

Services take the acting staff member (`actor`) and check the permission themselves, whatever the route checked:
`organisation.manage` for organisations and teams, `staff.manage` for accounts, roles, teams and second factors
(administrators only: a service manager holds `staff.read` and sees their organisation's staff, but changes go
through an administrator, so nobody can give themselves or a colleague access to people's records; see
docs/permissions.md). `actor=None` means the installation's operator at the command line (`carebridge staff ...`),
who already holds the database itself.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from carebridge.accounts import passwords, sessions
from carebridge.accounts.access import Actor
from carebridge.accounts.models import (
    Organisation,
    RecoveryCode,
    StaffAccount,
    StaffRole,
    Team,
    TeamMembership,
)
from carebridge.accounts.permissions import ROLES, permissions_of
from carebridge.audit import service as audit
from carebridge.errors import N_, Conflict, FieldError, Forbidden, InvalidInput, NotFound
from carebridge.jobs import service as jobs
from carebridge.kit import clock

EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")

# The lengths of the database columns (accounts/models.py): a longer value is refused with a message, never cut.
NAME_MAXIMUM = 200
EMAIL_MAXIMUM = 320
LANGUAGES_MAXIMUM = 200

# Invisible characters a name may still need: the zero-width non-joiner and joiner (Persian and other scripts write
# words with them). Every other control or format character is refused: the bidirectional embeddings, overrides,
# isolates and marks (U+202A-202E, U+2066-2069, U+200E/F, U+061C) would let "\u202eevil\u202c Name" show as
# "Name live" in every list, and the rest (bell, zero-width space, byte-order mark...) only hide what a name is.
ALLOWED_FORMAT = frozenset("\u200c\u200d")
# A role named in an error message is shown only when it is short and plain; anything else gets a generic message.
PLAIN_ROLE = re.compile(r"[A-Za-z0-9._-]{1,32}")


def _hidden_characters(text: str) -> bool:
    return any(
        unicodedata.category(character) in {"Cc", "Cf", "Cs", "Co", "Zl", "Zp"} and character not in ALLOWED_FORMAT
        for character in text
    )


def clean_name(value: str, field: str, empty: str, *, maximum: int = NAME_MAXIMUM) -> str:
    """A name as it is kept (NFC, trimmed), or InvalidInput on `field`: empty, too long, or with hidden characters."""
    name = unicodedata.normalize("NFC", value).strip()
    if not name:
        raise InvalidInput(errors=[FieldError(field, empty)])
    if _hidden_characters(name):
        raise InvalidInput(
            errors=[
                FieldError(
                    field,
                    N_(
                        "Use only visible letters, numbers, spaces and punctuation: the name contains a hidden "
                        "character, such as one that changes the direction of text."
                    ),
                )
            ]
        )
    if len(name) > maximum:
        raise InvalidInput(
            errors=[FieldError(field, N_("Use at most %(maximum)s characters."), params={"maximum": maximum})]
        )
    return name


def name_key(name: str) -> str:
    """How organisation and team names are compared: NFKC, case-folded, trimmed ("Harbour Health" = "HARBOUR HEALTH")."""
    return unicodedata.normalize("NFKC", name).casefold().strip()


def email_key(email: str) -> str:
    """How e-mail addresses are compared: NFKC, case-folded, trimmed."""
    return unicodedata.normalize("NFKC", email).strip().casefold()


def check_permission(actor: Actor | None, permission: str) -> None:
    """Refuse (403) an actor who lacks the permission; None is the operator at the command line."""
    if actor is not None and not actor.can(permission):
        raise Forbidden(N_("You do not have permission to do that."))


def create_organisation(
    session: Session, name: str, *, directory_organization_id: str | None = None, actor: Actor | None = None
) -> Organisation:
    check_permission(actor, "organisation.manage")
    name = clean_name(name, "name", N_("Enter the organisation's name."))
    directory_organization_id = (directory_organization_id or "").strip() or None
    if directory_organization_id is not None and (
        len(directory_organization_id) > 64 or _hidden_characters(directory_organization_id)
    ):
        raise InvalidInput(
            errors=[
                FieldError(
                    "directory_organization_id", N_("There is no organisation with that id in the directory.")
                )
            ]
        )
    if directory_organization_id is not None:
        from carebridge.directory.models import Organization

        if session.get(Organization, directory_organization_id) is None:
            raise InvalidInput(
                errors=[
                    FieldError(
                        "directory_organization_id",
                        N_("There is no organisation with that id in the directory."),
                    )
                ]
            )
    key = name_key(name)
    if any(name_key(existing) == key for existing in session.scalars(select(Organisation.name))):
        raise Conflict(N_("An organisation with this name already exists."))
    organisation = Organisation(name=name, directory_organization_id=directory_organization_id, created_at=clock.now())
    session.add(organisation)
    session.flush()
    audit.record(session, "organisation.create", actor=actor, record_type="organisation", record_id=organisation.id)
    return organisation


def organisation_by_name(session: Session, name: str) -> Organisation:
    """The organisation with this name, compared as name_key does (so the command line may differ in case)."""
    organisation = session.scalar(select(Organisation).where(Organisation.name == name.strip()))
    if organisation is None:
        key = name_key(name)
        organisation = next(
            (item for item in session.scalars(select(Organisation)) if name_key(item.name) == key), None
        )
    if organisation is None:
        raise NotFound(N_("There is no organisation with that name."))
    return organisation


def create_team(session: Session, organisation: Organisation, name: str, *, actor: Actor | None = None) -> Team:
    check_permission(actor, "organisation.manage")
    name = clean_name(name, "name", N_("Enter the team's name."))
    key = name_key(name)
    existing = session.scalars(select(Team.name).where(Team.organisation_id == organisation.id))
    if any(name_key(item) == key for item in existing):
        raise Conflict(N_("This organisation already has a team with this name."))
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
    if unknown:
        if len(unknown) == 1 and PLAIN_ROLE.fullmatch(unknown[0]):
            message, params = N_("There is no role called %(role)s. Choose roles from the list."), {"role": unknown[0]}
        else:
            message, params = N_("One of the roles given does not exist. Choose roles from the list."), {}
        raise InvalidInput(errors=[FieldError("roles", message, allowed=sorted(ROLES), params=params)])
    if not roles:
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
    check_permission(actor, "staff.manage")
    teams = list(teams)
    errors = []
    email = email.strip()
    if not EMAIL.fullmatch(email) or _hidden_characters(email):
        errors.append(FieldError("email", N_("Enter an e-mail address, like name@example.org.")))
    elif len(email) > EMAIL_MAXIMUM:
        errors.append(FieldError("email", N_("Use at most %(maximum)s characters."), params={"maximum": EMAIL_MAXIMUM}))
    try:
        name = clean_name(name, "name", N_("Enter the person's name."))
    except InvalidInput as error:
        errors.extend(error.errors)
    languages = " ".join(languages.split())
    if _hidden_characters(languages) or len(languages) > LANGUAGES_MAXIMUM:
        errors.append(
            FieldError("languages", N_("Give language codes separated by spaces, for example: ar fa uk"))
        )
    problem = passwords.password_problem(password, email=email, name=name)
    if problem:
        errors.append(FieldError("password", problem))
    try:
        roles = _check_roles(roles)
    except InvalidInput as error:
        errors.extend(error.errors)
    if any(team.organisation_id != organisation.id for team in teams):
        errors.append(FieldError("teams", N_("Choose teams of the account's own organisation.")))
    if errors:
        raise InvalidInput(errors=errors)
    key = email_key(email)
    if session.scalar(select(StaffAccount.id).where(StaffAccount.email_key == key)):
        raise Conflict(N_("A staff account with this e-mail address already exists."))
    account = StaffAccount(
        email=email,
        email_key=key,
        name=name,
        languages=languages,
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


def organisation_by_id(session: Session, organisation_id: str) -> Organisation:
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound(N_("There is no organisation with that name."))
    return organisation


def team_by_name(session: Session, organisation: Organisation, name: str) -> Team:
    team = session.scalar(select(Team).where(Team.organisation_id == organisation.id, Team.name == name.strip()))
    if team is None:
        raise NotFound(N_("This organisation has no team with that name."))
    return team


def list_organisations(session: Session) -> list[Organisation]:
    return list(session.scalars(select(Organisation).options(selectinload(Organisation.teams)).order_by(Organisation.name)))


def list_accounts(
    session: Session,
    actor: Actor | None = None,
    *,
    organisation_id: str | None = None,
    role: str | None = None,
    active: bool | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[StaffAccount]:
    """Staff accounts, by name. An actor without `staff.manage` (a service manager) sees only their own
    organisation's staff, whatever filter they ask for."""
    check_permission(actor, "staff.read")
    query = select(StaffAccount).options(selectinload(StaffAccount.roles), selectinload(StaffAccount.memberships))
    if actor is not None and not actor.can("staff.manage"):
        query = query.where(StaffAccount.organisation_id == actor.organisation_id)
    if organisation_id:
        query = query.where(StaffAccount.organisation_id == organisation_id)
    if role:
        query = query.where(StaffAccount.id.in_(select(StaffRole.account_id).where(StaffRole.role == role)))
    if active is not None:
        query = query.where(StaffAccount.active.is_(active))
    query = query.order_by(StaffAccount.name, StaffAccount.id).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))


def readable_account(session: Session, actor: Actor | None, account_id: str) -> StaffAccount:
    """One account as `actor` may see it (staff.read, own organisation unless staff.manage); NotFound otherwise, so
    an id from another organisation says nothing about whether it exists."""
    check_permission(actor, "staff.read")
    account = account_by_id(session, account_id)
    if account is None or (
        actor is not None and not actor.can("staff.manage") and account.organisation_id != actor.organisation_id
    ):
        raise NotFound(N_("There is no staff account with that id."))
    return account


def _managed_account(session: Session, actor: Actor | None, account_id: str) -> StaffAccount:
    check_permission(actor, "staff.manage")
    account = account_by_id(session, account_id)
    if account is None:
        raise NotFound(N_("There is no staff account with that id."))
    return account


def _audit_account(session: Session, action: str, actor: Actor | None, account: StaffAccount) -> None:
    audit.record(
        session,
        action,
        actor=actor,
        account_id=account.id if actor is None else None,
        organisation_id=account.organisation_id,
        record_type="staff_account",
        record_id=account.id,
    )


def change_roles(session: Session, actor: Actor | None, account_id: str, roles: Iterable[str]) -> StaffAccount:
    """Replace the account's roles; its sessions end (the new permissions apply from its next sign-in).
    Administrators cannot take the administrator role from themselves (so one always remains to undo a mistake)."""
    account = _managed_account(session, actor, account_id)
    roles = _check_roles(roles)
    if actor is not None and actor.account_id == account.id and "administrator" not in roles:
        raise InvalidInput(errors=[FieldError("roles", N_("You cannot remove your own administrator role."))])
    if sorted(role.role for role in account.roles) == roles:
        return account
    account.roles = [role for role in account.roles if role.role in roles] + [
        StaffRole(account_id=account.id, role=role)
        for role in roles
        if role not in {held.role for held in account.roles}
    ]
    session.flush()
    sessions.end_sessions(session, account.id, "roles-changed")
    _audit_account(session, "roles.change", actor, account)
    return account


def set_teams(session: Session, actor: Actor | None, account_id: str, team_ids: Iterable[str]) -> StaffAccount:
    """Make the account a member of exactly these teams (of its own organisation)."""
    account = _managed_account(session, actor, account_id)
    wanted = set(team_ids)
    if wanted:
        found = set(session.scalars(select(Team.id).where(Team.id.in_(wanted), Team.organisation_id == account.organisation_id)))
        if found != wanted:
            raise InvalidInput(errors=[FieldError("teams", N_("Choose teams of the account's own organisation."))])
    current = {membership.team_id for membership in account.memberships}
    for team_id in sorted(wanted - current):
        add_team_member(session, actor, account.id, team_id, _account=account)
    for team_id in sorted(current - wanted):
        remove_team_member(session, actor, account.id, team_id, _account=account)
    return account


def add_team_member(
    session: Session, actor: Actor | None, account_id: str, team_id: str, *, _account: StaffAccount | None = None
) -> None:
    """A team widens what its members see (team scope): ending their sessions makes the change apply at once."""
    account = _account or _managed_account(session, actor, account_id)
    team = session.get(Team, team_id)
    if team is None or team.organisation_id != account.organisation_id:
        raise InvalidInput(errors=[FieldError("teams", N_("Choose teams of the account's own organisation."))])
    if any(membership.team_id == team_id for membership in account.memberships):
        return
    account.memberships.append(TeamMembership(account_id=account.id, team_id=team_id))
    session.flush()
    sessions.end_sessions(session, account.id, "roles-changed")
    audit.record(
        session, "team.add-member", actor=actor, account_id=account.id if actor is None else None,
        organisation_id=account.organisation_id, record_type="staff_account", record_id=account.id,
    )


def remove_team_member(
    session: Session, actor: Actor | None, account_id: str, team_id: str, *, _account: StaffAccount | None = None
) -> None:
    account = _account or _managed_account(session, actor, account_id)
    kept = [membership for membership in account.memberships if membership.team_id != team_id]
    if len(kept) == len(account.memberships):
        return
    account.memberships = kept
    session.flush()
    sessions.end_sessions(session, account.id, "roles-changed")
    audit.record(
        session, "team.remove-member", actor=actor, account_id=account.id if actor is None else None,
        organisation_id=account.organisation_id, record_type="staff_account", record_id=account.id,
    )


def disable_account(session: Session, actor: Actor | None, account_id: str) -> StaffAccount:
    """The account can no longer sign in, and its open sessions end now."""
    account = _managed_account(session, actor, account_id)
    if actor is not None and actor.account_id == account.id:
        raise InvalidInput(errors=[FieldError("account", N_("You cannot disable your own account."))])
    if not account.active:
        return account
    account.active = False
    account.disabled_at = clock.now()
    session.flush()
    sessions.end_sessions(session, account.id, "disabled")
    _audit_account(session, "account.disable", actor, account)
    return account


def enable_account(session: Session, actor: Actor | None, account_id: str) -> StaffAccount:
    account = _managed_account(session, actor, account_id)
    if account.active:
        return account
    account.active = True
    account.disabled_at = None
    session.flush()
    _audit_account(session, "account.enable", actor, account)
    return account


def reset_second_factor(session: Session, actor: Actor, account_id: str) -> StaffAccount:
    """For a lost phone: the account enrols again at its next sign-in. Only an administrator may do it (never the
    command line alone: `--by` names the administrator), it is audited, its sessions end, and the owner is told."""
    if actor is None or not actor.can("staff.manage"):
        raise Forbidden(N_("You do not have permission to do that."))
    account = _managed_account(session, actor, account_id)
    account.totp_secret = None
    account.totp_confirmed_at = None
    account.totp_last_step = None
    session.execute(delete(RecoveryCode).where(RecoveryCode.account_id == account.id))
    session.flush()
    sessions.end_sessions(session, account.id, "second-factor-reset")
    _audit_account(session, "second-factor.reset", actor, account)
    jobs.enqueue(session, "notify.staff", {"account_id": account.id, "reason": "second-factor-reset"})
    return account
