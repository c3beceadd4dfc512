"""The staff JSON API of the accounts domain (under /api/v1/staff; problem documents; response models).

A browser script calling it with the session cookie sends the form token in `X-CSRF-Token` on unsafe methods.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends
from pydantic import BaseModel
from sqlalchemy import select

from carebridge.accounts.access import Actor, requires
from carebridge.accounts.models import Organisation, StaffAccount
from carebridge.problems import problem_responses
from carebridge.web import SessionDep

router = APIRouter(prefix="/api/v1/staff", tags=["staff"])


class OrganisationOut(BaseModel):
    id: str
    name: str


class Me(BaseModel):
    """The signed-in staff member: who, where, and what they may do."""

    id: str
    name: str
    organisation: OrganisationOut
    roles: list[str]
    permissions: list[str]


@router.get(
    "/me",
    response_model=Me,
    responses=problem_responses(
        401, 403, s401="Not signed in (no valid staff session cookie, or the second factor is not done yet).",
        s403="Signed in, but the account's roles do not hold the permission.",
    ),
)
def me(session: SessionDep, actor: Actor = Depends(requires("self.manage"))) -> Me:
    name, organisation_name = session.execute(
        select(StaffAccount.name, Organisation.name)
        .join(Organisation, Organisation.id == StaffAccount.organisation_id)
        .where(StaffAccount.id == actor.account_id)
    ).one()
    return Me(
        id=actor.account_id,
        name=name,
        organisation=OrganisationOut(id=actor.organisation_id, name=organisation_name),
        roles=sorted(actor.roles),
        permissions=sorted(actor.permissions),
    )
