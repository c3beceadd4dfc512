"""The staff JSON API of the clients domain (/api/v1/clients): the same services, permissions and scope as the pages.

Reading needs person.read, changing person.write; a record outside the caller's scope is 404 like a missing one.
Every error is a problem document (RFC 9457). A browser script calling it with the session cookie sends the form
token in `X-CSRF-Token` on unsafe methods.
"""

from __future__ import annotations

from typing import Annotated

from typing import Literal

from fastapi import APIRouter, Depends, Query, Request, Response

from carebridge.accounts.access import Actor, requires
from carebridge.clients import service
from carebridge.clients.models import Client
from carebridge.clients.schemas import (
    CaseloadEntryOut,
    CaseloadOut,
    ClientCreate,
    ClientOut,
    ClientPatch,
    Interpreter,
    LookupIn,
    LookupOut,
    NeedsAttention,
    VISIBLE,
)
from carebridge.config import Settings
from carebridge.problems import problem_responses
from carebridge.web import SessionDep, SettingsDep, request_id



router = APIRouter(prefix="/api/v1/clients", tags=["staff: people's records"])
# Finding people by an exact number or address. Not /api/v1/clients/lookup: that path is also /api/v1/clients/
# {client_id} (GET, PATCH), so its Allow header and unsupported methods would answer for a record called "lookup".
lookup_router = APIRouter(prefix="/api/v1", tags=["staff: people's records"])
Reader = Annotated[Actor, Depends(requires("person.read"))]
Writer = Annotated[Actor, Depends(requires("person.write"))]

S401 = "Not signed in (no valid staff session, or the second factor is not done yet)."
S403 = "Signed in, but the account's roles do not hold the permission."
S404 = "No such record, or not one the caller may see (the same answer)."
S409 = "The record changed since the `version` given, or is already in the state asked for."


def client_out(session, settings: Settings, client: Client) -> ClientOut:  # noqa: ANN001
    profile = service.open_profile(session, settings, client)
    team_name, caseworker_name = service.record_names(session, client)
    return ClientOut(
        id=client.id,
        preferred_name=profile.preferred_name,
        birth_date=profile.birth_date,
        birth_year=profile.birth_year,
        gender=profile.gender,
        languages=profile.languages,
        interpreter=Interpreter(
            needed=profile.interpreter_needed,
            language=profile.interpreter_language,
            gender=profile.interpreter_gender,  # type: ignore[arg-type]
            not_from_community=profile.interpreter_not_from_community,
        ),
        team_id=client.team_id,
        team_name=team_name,
        owner_account_id=client.owner_account_id,
        caseworker_name=caseworker_name,
        jurisdiction=client.jurisdiction,
        status=client.status,  # type: ignore[arg-type]
        do_not_contact=client.do_not_contact,
        needs_attention=client.needs_attention,
        attention=service.attention_of(client),  # type: ignore[arg-type]
        fictional=client.fictional,
        version=client.version,
        created_at=client.created_at,
        updated_at=client.updated_at,
        last_contact_at=client.last_contact_at,
        closed_at=client.closed_at,
        erase_after=client.erase_after,
    )


@router.get(
    "",
    response_model=CaseloadOut,
    summary="A caseload: the people's records the caller may read, 50 a page",
    description="Filters as on the caseload page: `mine` (records where the caller is the caseworker; default) or "
    "every record in scope, `team` (a team the caller's scope covers: any of the organisation's for an organisation-wide scope), `status`, `last_contact` (`none-30`: no contact for "
    "30 days; `within-7`), `needs_attention` (flagged, open with no contact for 30 days, or with overdue action-plan steps). Oldest last contact "
    "first. Every record listed is audited `client.list`. Never the immigration situation. Needs `person.read`.",
    responses=problem_responses(401, 403, 422, s401=S401, s403=S403),
)
def list_clients(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: Reader,
    mine: bool = True,
    team: Annotated[str | None, Query(max_length=36, pattern=VISIBLE)] = None,
    status: Literal["open", "closed", "all"] = "open",
    last_contact: Literal["any", "none-30", "within-7"] = "any",
    needs_attention: bool = False,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> CaseloadOut:
    filters = service.CaseloadFilters(
        mine=mine, team_id=team or None, status=status, last_contact=last_contact, needs_attention=needs_attention
    )
    result = service.caseload(session, settings, actor, filters, page, request_id=request_id(request))
    return CaseloadOut(
        people=[
            CaseloadEntryOut(
                id=entry.id,
                preferred_name=entry.preferred_name,
                languages=entry.languages,
                team_name=entry.team_name,
                caseworker_name=entry.caseworker_name,
                status=entry.status,  # type: ignore[arg-type]
                last_contact_at=entry.last_contact_at,
                attention=entry.attention,  # type: ignore[arg-type]
                do_not_contact=entry.do_not_contact,
                fictional=entry.fictional,
                overdue_steps=entry.overdue_steps,
            )
            for entry in result.entries
        ],
        page=result.page,
        has_next=result.has_next,
    )


@router.post(
    "",
    response_model=ClientOut,
    status_code=201,
    summary="Create a person's record",
    description="Audited `client.create`. The answer's Location is the record's URL. Needs `person.write`.",
    responses=problem_responses(401, 403, 422, s401=S401, s403=S403),
)
def create_client(
    request: Request, response: Response, session: SessionDep, settings: SettingsDep, actor: Writer, body: ClientCreate
) -> ClientOut:
    fields = body.model_dump(exclude={"team_id", "owner_account_id", "jurisdiction"})
    client = service.create_client(
        session,
        settings,
        actor,
        service.Profile(**fields),
        team_id=body.team_id,
        owner_account_id=body.owner_account_id,
        jurisdiction=body.jurisdiction,
        request_id=request_id(request),
    )
    response.headers["Location"] = f"/api/v1/clients/{client.id}"
    return client_out(session, settings, client)


@lookup_router.post(
    "/client-lookup",
    response_model=LookupOut,
    summary="Find people by an exact phone number, e-mail address or reference number",
    description="A POST so that the number or address never appears in a URL. Compared by blind index (HMAC of the "
    "normalised value: E.164 phone numbers, case-folded e-mail addresses, reference numbers without spaces or "
    "dashes), so nobody is decrypted to search; names cannot be searched. Only records in the caller's scope are "
    "found; the others are not revealed, not even that they exist. Every record listed is audited `client.list`. "
    "Needs `person.read`.",
    responses=problem_responses(401, 403, 422, s401=S401, s403=S403),
)
def lookup(request: Request, session: SessionDep, settings: SettingsDep, actor: Reader, body: LookupIn) -> LookupOut:
    entries = service.find_people(session, settings, actor, body.value, request_id=request_id(request))
    return LookupOut(people=[CaseloadEntryOut(**vars(entry)) for entry in entries])


@router.get(
    "/{client_id}",
    response_model=ClientOut,
    summary="Read one person's record",
    description="Audited `client.read`. Needs `person.read`.",
    responses=problem_responses(401, 403, 404, 422, s401=S401, s403=S403, s404=S404),
)
def read_client(request: Request, session: SessionDep, settings: SettingsDep, actor: Reader, client_id: str) -> ClientOut:
    client = service.get_client(session, settings, actor, client_id, request_id=request_id(request))
    return client_out(session, settings, client)


@router.patch(
    "/{client_id}",
    response_model=ClientOut,
    summary="Change a person's record",
    description="Only the fields given change. `version` is the record's version the change starts from: if "
    "someone changed the record since, the answer is 409 and nothing changes. Audited `client.update`. Needs "
    "`person.write`.",
    responses=problem_responses(401, 403, 404, 409, 422, s401=S401, s403=S403, s404=S404, s409=S409),
)
def patch_client(
    request: Request, session: SessionDep, settings: SettingsDep, actor: Writer, client_id: str, body: ClientPatch
) -> ClientOut:
    client = service.find_client(session, actor, client_id, "person.write")
    profile = service.open_profile(session, settings, client)
    given = body.model_fields_set
    for name in service.Profile.__dataclass_fields__:
        if name in given:
            setattr(profile, name, getattr(body, name) if getattr(body, name) is not None or name not in _REQUIRED else "")
    if "birth_date" in given and body.birth_date is not None and "birth_year" not in given:
        profile.birth_year = None
    if "birth_year" in given and body.birth_year is not None and "birth_date" not in given:
        profile.birth_date = None
    if profile.languages is None:
        profile.languages = []
    assignment = service.Assignment(
        team_id=body.team_id if "team_id" in given else client.team_id,
        owner_account_id=body.owner_account_id if "owner_account_id" in given else client.owner_account_id,
        jurisdiction=(body.jurisdiction or client.jurisdiction) if "jurisdiction" in given else client.jurisdiction,
    )
    for flag in ("interpreter_needed", "interpreter_not_from_community"):
        if getattr(profile, flag) is None:
            setattr(profile, flag, False)
    if profile.interpreter_gender is None:
        profile.interpreter_gender = "any"
    client = service.update_client(
        session, settings, actor, client_id, profile, assignment, version=body.version, request_id=request_id(request)
    )
    return client_out(session, settings, client)


_REQUIRED = frozenset({"preferred_name"})


def _action(path: str, function, summary: str, action: str):  # noqa: ANN001, ANN202
    @router.post(
        path,
        response_model=ClientOut,
        summary=summary,
        description=f"Audited `{action}`. Needs `person.write`.",
        responses=problem_responses(401, 403, 404, 409, 422, s401=S401, s403=S403, s404=S404, s409=S409),
    )
    def route(request: Request, session: SessionDep, settings: SettingsDep, actor: Writer, client_id: str) -> ClientOut:
        client = function(session, settings, actor, client_id, request_id=request_id(request))
        return client_out(session, settings, client)

    route.__name__ = function.__name__
    return route


close = _action("/{client_id}/close", service.close_client, "Close a person's case (erased after the retention period)", "client.close")
reopen = _action("/{client_id}/reopen", service.reopen_client, "Reopen a closed case", "client.reopen")
contact_made = _action(
    "/{client_id}/contact-made", service.record_contact, "Record that staff spoke with or met the person now", "client.contact-made"
)


@router.post(
    "/{client_id}/needs-attention",
    response_model=ClientOut,
    summary="Flag or unflag a record as needing attention",
    description="Audited `client.attention`. Needs `person.write`.",
    responses=problem_responses(401, 403, 404, 422, s401=S401, s403=S403, s404=S404),
)
def needs_attention(
    request: Request, session: SessionDep, settings: SettingsDep, actor: Writer, client_id: str, body: NeedsAttention
) -> ClientOut:
    client = service.set_needs_attention(
        session, settings, actor, client_id, body.needs_attention, request_id=request_id(request)
    )
    return client_out(session, settings, client)
