"""The staff JSON API of the rights domain (problem documents; response models).

- GET  /api/v1/clients/{id}/seen-by   (person.read): the record's history, newest first, in plain words.
- POST /api/v1/clients/{id}/export    (person.export): the complete copy (format carebridge.client-export, version 1;
  docs/client-export.md), never cached.
- POST /api/v1/clients/{id}/erase     (person.erase): erase for good; the body must say {"confirm": "erase"}.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from carebridge import i18n
from carebridge.accounts.access import Actor, requires
from carebridge.clients import service as clients
from carebridge.problems import problem_responses
from carebridge.rights import service
from carebridge.web import SessionDep, SettingsDep, request_id

router = APIRouter(prefix="/api/v1", tags=["staff: the person's rights"])

Reader = Annotated[Actor, Depends(requires("person.read"))]
Exporter = Annotated[Actor, Depends(requires("person.export"))]
Eraser = Annotated[Actor, Depends(requires("person.erase"))]
ClientId = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9-]+$")]


class SeenByEvent(BaseModel):
    at: datetime  # in the deployment's time zone
    staff_name: str | None  # the system's name for a scheduled job
    organisation_name: str | None
    action: str  # the audited action (client.read, consent.give, ...)
    description: str  # the action in plain words, in `language`
    outcome: str


class SeenByPage(BaseModel):
    client_id: str
    language: str
    events: list[SeenByEvent]
    # Give as `before` to get older events; null on the last page.
    next_before: int | None


class EraseRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Exactly the word: anything else is refused by the schema itself (422), so the description tells the truth.
    confirm: Literal["erase"] = Field(description='The word "erase": the caller means it.')


# The languages the wording comes in, named in the schema (an enum): what the schema allows is what is accepted.
InterfaceLanguage = Literal[tuple(i18n.LANGUAGES)]  # type: ignore[valid-type]


@router.get(
    "/clients/{client_id}/seen-by",
    response_model=SeenByPage,
    summary="Who has seen a person's record",
    description="Every audited read and write of the record, newest first, with the staff member's name, their "
    "organisation, when, and what in plain words in `language` (default: the person's first language the interface "
    "has, else the deployment's). Looking is itself recorded (`client.seen-by`). Needs `person.read` within scope.",
    responses=problem_responses(401, 403, 404, 422),
)
def seen_by(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: Reader,
    client_id: ClientId,
    language: Annotated[InterfaceLanguage | None, Query(description="en, ar, fa, uk, fr or es")] = None,
    before: Annotated[int | None, Query(ge=1, le=9_223_372_036_854_775_807)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = service.SEEN_BY_PAGE,
) -> SeenByPage:
    found = service.seen_by(session, settings, actor, client_id, before=before, limit=limit, request_id=request_id(request))
    default = service.person_language(clients.open_profile(session, settings, found.client), settings)
    chosen = service.chosen_language(language, default)
    rows = service.seen_by_rows(found.events, chosen)
    return SeenByPage(
        client_id=found.client.id,
        language=chosen,
        events=[
            SeenByEvent(
                at=row["at"], staff_name=row["staff_name"], organisation_name=row["organisation_name"],
                action=row["action"], description=row["what"], outcome=row["outcome"],
            )
            for row in rows
        ],
        next_before=found.next_before,
    )


@router.post(
    "/clients/{client_id}/export",
    summary="A complete copy of a person's record",
    description="Everything the record holds (profile, contact channels, every note, consents, the immigration "
    "situation if kept, linked record ids, and every domain's rows about the person: assessments, action plan, "
    "screenings, risk flags, referrals, appointments, reminders, interpreter bookings, volunteer matches, social "
    "prescribing; who has seen it) as one JSON document of format `carebridge.client-export` version 2 "
    "(docs/client-export.md). Never cached. Recorded (`client.export`). Needs `person.export` within scope.",
    responses={200: {"content": {"application/json": {}}}, **problem_responses(401, 403, 404, 422)},
)
def export(request: Request, session: SessionDep, settings: SettingsDep, actor: Exporter, client_id: ClientId) -> Response:
    document: dict[str, Any] = service.export_record(session, settings, actor, client_id, request_id=request_id(request))
    return Response(
        orjson.dumps(document),
        media_type="application/json",
        headers={
            "Cache-Control": "no-store",
            "Content-Disposition": f'attachment; filename="carebridge-record-{document["record"]["id"]}.json"',
        },
    )


@router.post(
    "/clients/{client_id}/erase",
    status_code=204,
    summary="Erase a person's record for good",
    description='Destroys the person\'s data key (so every copy of their encrypted data, backups included, can no '
    'longer be read) and deletes the record\'s rows. The body must be {"confirm": "erase"}. Recorded '
    "(`client.erase`: who, when, the id). Needs `person.erase` within scope.",
    responses=problem_responses(401, 403, 404, 422),
)
def erase(
    request: Request, session: SessionDep, settings: SettingsDep, actor: Eraser, client_id: ClientId, body: EraseRequest
) -> Response:
    service.erase_client(
        session, settings, actor, client_id, typed=body.confirm, language=i18n.negotiate_language(request),
        request_id=request_id(request),
    )
    return Response(status_code=204)
