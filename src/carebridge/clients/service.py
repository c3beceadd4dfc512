"""People's records: creating, reading and changing them, always as an actor within their scope, always audited.

The spine other domains build on (consent, rights, firewall, later assessments and referrals):

    client = clients.create_client(session, settings, actor, Profile(preferred_name="Amina"), team_id=team.id)
    client = clients.get_client(session, settings, actor, client_id)             # scoped; audited client.read
    profile = clients.open_profile(session, settings, client)                  # decrypted, in memory only

Every read of one record is audited `client.read` (record_type "client", record_id its id) and every write
`client.<verb>`: that is what "who has seen my record" lists (rights). Audit events carry ids only.
A record outside the actor's scope is NotFound, exactly as one that does not exist: a probe learns nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from carebridge.accounts.access import Actor
from carebridge.accounts.scopes import scope_clause
from carebridge.accounts.service import clean_name
from carebridge.audit import service as audit
from carebridge.clients.models import Client
from carebridge.config import Settings
from carebridge.errors import N_, Forbidden, NotFound
from carebridge.keys import normalise
from carebridge.keys import service as keys
from carebridge.keys.keyring import blind_index
from carebridge.kit import clock

RECORD_TYPE = "client"
SUBJECT = "client"


@dataclass
class Profile:
    """What the record says about the person, sealed as one JSON value (client.profile)."""

    preferred_name: str
    birth_date: dt.date | None = None
    birth_year: int | None = None
    gender: str | None = None
    # BCP 47 tags, the person's main language first ("prs", "fa-AF", "ckb", "kmr", "ar-SY").
    languages: list[str] = field(default_factory=list)
    interpreter_needed: bool = False
    interpreter_language: str | None = None
    # any | female | male
    interpreter_gender: str = "any"
    # "Not someone from my community": an interpreter from outside the person's own community.
    interpreter_not_from_community: bool = False

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["birth_date"] = self.birth_date.isoformat() if self.birth_date else None
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Profile:
        data = dict(data)
        if data.get("birth_date"):
            data["birth_date"] = dt.date.fromisoformat(data["birth_date"])
        known = {name for name in cls.__dataclass_fields__}
        return cls(**{key: value for key, value in data.items() if key in known})


def check(actor: Actor | None, permission: str) -> None:
    if actor is None or not actor.can(permission):
        raise Forbidden(N_("You do not have permission to do that."))


def scope(actor: Actor | None, permission: str) -> ColumnElement[bool]:
    """The WHERE clause of the client rows `actor` may use with `permission` (accounts.scopes)."""
    return scope_clause(
        actor,
        permission,
        record_type=RECORD_TYPE,
        record_id=Client.id,
        owner=Client.owner_account_id,
        team=Client.team_id,
        organisation=Client.organisation_id,
    )


def name_birth_date_index(settings: Settings, profile: Profile) -> str | None:
    """The duplicate-finding blind index: only with a full date of birth (a name and a year are too guessable)."""
    if profile.birth_date is None:
        return None
    return blind_index(
        settings, normalise.NAME_BIRTH_DATE, normalise.name_birth_date(profile.preferred_name, profile.birth_date)
    )


def create_client(
    session: Session,
    settings: Settings,
    actor: Actor,
    profile: Profile,
    *,
    team_id: str | None = None,
    owner_account_id: str | None = None,
    jurisdiction: str | None = None,
    fictional: bool = False,
    request_id: str | None = None,
) -> Client:
    """A new record in the actor's organisation, with its own data key; audited `client.create`."""
    check(actor, "person.write")
    profile.preferred_name = clean_name(
        profile.preferred_name, "preferred_name", N_("Enter the name the person wants to be called.")
    )
    if team_id is not None and team_id not in actor.team_ids and not actor.can("staff.manage"):
        raise Forbidden(N_("You can only add people to your own teams."))
    now = clock.utc_now()
    client = Client(
        id=_new_id(),
        organisation_id=actor.organisation_id,
        team_id=team_id if team_id is not None else (min(actor.team_ids) if actor.team_ids else None),
        owner_account_id=owner_account_id or actor.account_id,
        jurisdiction=jurisdiction or settings.jurisdiction,
        status="open",
        do_not_contact=False,
        needs_attention=False,
        fictional=fictional,
        version=1,
        created_at=now,
        updated_at=now,
    )
    key = keys.create_data_key(session, settings, SUBJECT, client.id)
    client.profile = key.seal_json("client", "profile", client.id, profile.as_json())
    client.name_birth_date_index = name_birth_date_index(settings, profile)
    session.add(client)
    session.flush()
    audit.record(session, "client.create", actor=actor, record_type=RECORD_TYPE, record_id=client.id, request_id=request_id)
    return client


def _new_id() -> str:
    from carebridge.db import new_id

    return new_id()


def find_client(session: Session, actor: Actor | None, client_id: str, permission: str = "person.read") -> Client:
    """The record if it exists and is in the actor's scope for `permission`; NotFound otherwise (not audited: the
    caller audits what it does with it)."""
    client = session.scalar(select(Client).where(Client.id == client_id, scope(actor, permission)))
    if client is None:
        raise NotFound(N_("We could not find that person's record."))
    return client


def get_client(
    session: Session,
    settings: Settings,
    actor: Actor,
    client_id: str,
    *,
    permission: str = "person.read",
    request_id: str | None = None,
) -> Client:
    """One record, for reading: scoped and audited `client.read`."""
    check(actor, permission)
    client = find_client(session, actor, client_id, permission)
    audit.record(session, "client.read", actor=actor, record_type=RECORD_TYPE, record_id=client.id, request_id=request_id)
    return client


def open_profile(session: Session, settings: Settings, client: Client) -> Profile:
    key = keys.data_key(session, settings, SUBJECT, client.id)
    return Profile.from_json(key.open_json("client", "profile", client.id, client.profile))


def open_profiles(session: Session, settings: Settings, clients: list[Client]) -> dict[str, Profile]:
    """Several profiles with one query for their keys (a caseload page)."""
    found = keys.data_keys(session, settings, SUBJECT, [client.id for client in clients])
    return {
        client.id: Profile.from_json(found[client.id].open_json("client", "profile", client.id, client.profile))
        for client in clients
        if client.id in found
    }
