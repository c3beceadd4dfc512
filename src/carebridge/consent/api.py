"""The staff JSON API of the consent domain (problem documents; response models).

    GET  /api/v1/clients/{client_id}/consents       person.read   every consent, in force and withdrawn, newest first
    POST /api/v1/clients/{client_id}/consents       person.write  record one (201)
    POST /api/v1/consents/{consent_id}/withdraw     person.write  withdraw one, at once

A path with only a consent id is scoped through the consent's person: outside scope it is 404, as a missing one.
A browser script calling it with the session cookie sends the form token in `X-CSRF-Token` on unsafe methods.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from typing import Literal

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel, ConfigDict, Field

from carebridge.accounts.access import Actor, requires
from carebridge.consent import service as consent
from carebridge.consent.models import Consent
from carebridge.problems import problem_responses
from carebridge.web import SessionDep, request_id



router = APIRouter(prefix="/api/v1", tags=["staff"])

Reader = Annotated[Actor, Depends(requires("person.read"))]
Writer = Annotated[Actor, Depends(requires("person.write"))]
# Ids as the audit API takes them: no control characters or spaces (the request guard refuses those anyway).
IDENTIFIER = r"^[A-Za-z0-9][A-Za-z0-9._:-]*$"
Id = Annotated[str, Path(max_length=36, pattern=IDENTIFIER)]
Purpose = Literal["case-work", "share", "reminders", "contact", "statistics", "immigration-situation"]
Method = Literal["spoken", "written", "interpreter"]
Language = Literal["en", "ar", "fa", "uk", "fr", "es"]


class ConsentOut(BaseModel):
    """One consent: what for, who recorded it, when, how, and which explanation the person was given."""

    id: str
    client_id: str
    purpose: Purpose
    active: bool = Field(description="In force now (given and not withdrawn).")
    staff_organisation_id: str | None = Field(None, description="share: a staff organisation.")
    directory_organization_id: str | None = Field(None, description="share: a directory (HSDS) organization.")
    organisation_name: str | None = Field(None, description="share: the organisation's name.")
    channel_id: str | None = Field(None, description="reminders and contact: the person's contact channel.")
    method: Method
    interpreter_language: str | None = Field(None, description="BCP 47, when through an interpreter.")
    explanation_version: str
    explanation_language: str
    recorded_by: str | None = Field(None, description="The staff account that recorded it.")
    given_at: datetime
    withdrawn_at: datetime | None = None
    withdrawn_by: str | None = None


class ConsentIn(BaseModel):
    """A consent the person gave. share names one organisation (staff or directory); reminders and contact name a channel."""

    model_config = ConfigDict(extra="forbid")

    purpose: Purpose
    method: Method
    interpreter_language: str | None = Field(
        None, max_length=35, pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,4}$",
        description="BCP 47; required when method is interpreter, refused otherwise.",
    )
    explanation_version: str = Field(
        pattern=r"^[0-9]{4}-[0-9]{2}$", description="The version of the explanation the person was given, e.g. 2026-12."
    )
    explanation_language: Language = Field(description="The language the explanation was given in.")
    staff_organisation_id: str | None = Field(None, max_length=36, pattern=IDENTIFIER)
    directory_organization_id: str | None = Field(None, max_length=64, pattern=IDENTIFIER)
    channel_id: str | None = Field(None, max_length=36, pattern=IDENTIFIER)


def _out(session: SessionDep, row: Consent) -> ConsentOut:
    name = None
    if row.staff_organisation_id:
        name = consent.staff_organisation_name(session, row.staff_organisation_id)
    elif row.directory_organization_id:
        name = consent.directory_organization_name(session, row.directory_organization_id)
    return ConsentOut(
        id=row.id,
        client_id=row.client_id,
        purpose=row.purpose,
        active=row.withdrawn_at is None,
        staff_organisation_id=row.staff_organisation_id,
        directory_organization_id=row.directory_organization_id,
        organisation_name=name,
        channel_id=row.channel_id,
        method=row.method,
        interpreter_language=row.interpreter_language,
        explanation_version=row.explanation_version,
        explanation_language=row.explanation_language,
        recorded_by=row.recorded_by,
        given_at=row.given_at,
        withdrawn_at=row.withdrawn_at,
        withdrawn_by=row.withdrawn_by,
    )


@router.get(
    "/clients/{client_id}/consents",
    response_model=list[ConsentOut],
    responses=problem_responses(401, 403, 404, 422),
)
def list_consents(request: Request, session: SessionDep, actor: Reader, client_id: Id) -> list[ConsentOut]:
    rows = consent.list_consents(session, actor, client_id, request_id=request_id(request))
    return [_out(session, row) for row in rows]


@router.post(
    "/clients/{client_id}/consents",
    response_model=ConsentOut,
    status_code=201,
    responses=problem_responses(401, 403, 404, 422),
)
def record_consent(request: Request, session: SessionDep, actor: Writer, client_id: Id, body: ConsentIn) -> ConsentOut:
    row = consent.record_consent(
        session,
        actor,
        client_id,
        body.purpose,
        method=body.method,
        interpreter_language=body.interpreter_language,
        explanation_version=body.explanation_version,
        explanation_language=body.explanation_language,
        staff_organisation_id=body.staff_organisation_id,
        directory_organization_id=body.directory_organization_id,
        channel_id=body.channel_id,
        request_id=request_id(request),
    )
    return _out(session, row)


@router.post(
    "/consents/{consent_id}/withdraw",
    response_model=ConsentOut,
    responses=problem_responses(401, 403, 404, 422),
)
def withdraw_consent(request: Request, session: SessionDep, actor: Writer, consent_id: Id) -> ConsentOut:
    row = consent.withdraw_consent(session, actor, consent_id, request_id=request_id(request))
    return _out(session, row)
