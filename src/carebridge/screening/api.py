"""JSON API of the screening domain under /api/v1 (issue 10 §3): the instruments as FHIR Questionnaires, a person's
screenings (list, record one, read one) and their FHIR export (a Bundle of QuestionnaireResponse + Observation).

Reading needs screening.read, recording screening.administer, both within the caller's scope of the person's record
(a record or screening outside it is 404 like a missing one). Every error is a problem document (RFC 9457); answers
that cannot be scored are a 422 naming each item (`answers.<linkId>`).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints, WithJsonSchema

from carebridge.accounts.access import Actor, requires
from carebridge.clients import service as clients
from carebridge.errors import NotFound
from carebridge.problems import problem_responses
from carebridge.screening import fhir, instruments
from carebridge.screening import service as screenings
from carebridge.web import SessionDep, SettingsDep, request_id

router = APIRouter(prefix="/api/v1", tags=["staff: screening"])
Reader = Annotated[Actor, Depends(requires(screenings.READ))]
Administer = Annotated[Actor, Depends(requires(screenings.ADMINISTER))]

Code = Literal["phq-9", "gad-7", "pc-ptsd-5", "rhs-15"]
Band = Literal["minimal", "mild", "moderate", "moderately-severe", "severe", "negative", "positive"]
RecordId = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9-]+$")]
LanguageTag = Annotated[str, StringConstraints(max_length=16, pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$|^interpreter$")]
LINK_ID = r"^[a-z0-9-]+$"
LinkId = Annotated[str, StringConstraints(max_length=32, pattern=LINK_ID)]
MAXIMUM_ANSWERS = 40
# Said as propertyNames + additionalProperties (pydantic would say patternProperties, which leaves other keys free).
Answers = Annotated[dict[LinkId, StrictInt | None], WithJsonSchema({
    "type": "object",
    "maxProperties": MAXIMUM_ANSWERS,
    "propertyNames": {"pattern": LINK_ID, "maxLength": 32},
    "additionalProperties": {"anyOf": [{"type": "integer"}, {"type": "null"}]},
})]

S401 = "Not signed in (no valid staff session, or the second factor is not done yet)."
S403 = "Signed in, but the account's roles do not hold the permission."
S404 = "No such record or screening, or not one the caller may see (the same answer)."
FHIR_JSON = fhir.MEDIA_TYPE


class FhirResponse(JSONResponse):
    media_type = FHIR_JSON


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class QuestionnaireOut(BaseModel):
    code: Code
    title: str
    url: str = Field(description="The Questionnaire's canonical URL; `version` is its version.")
    version: str
    languages: list[str] = Field(description="Languages with a validated wording here (English first); empty when "
                                 "the instrument is not offered.")
    offered: bool
    unavailable_reason: str | None = Field(description="Why it is not offered (RHS-15 without the licensed file).")
    questionnaire: dict[str, Any] = Field(description="The FHIR R4 Questionnaire (structure and English wording; "
                                          "RHS-15: structure only).")


class QuestionnaireList(BaseModel):
    items: list[QuestionnaireOut]


class ScreeningIn(_Model):
    """`answers` maps each item's linkId to its value: PHQ-9 and GAD-7 `item-1`… 0–3 (PHQ-9 also `difficulty`, 0–3,
    optional, not scored); PC-PTSD-5 `exposure` 0/1 then, after 1, `item-1`…`item-5` 0/1; RHS-15 `item-1`…`item-14`
    0–4 and `item-15` (thermometer) 0–10. `language`: one with a validated wording, or `interpreter`."""

    instrument: Code
    language: LanguageTag
    answers: Answers = Field(max_length=MAXIMUM_ANSWERS)


class ScreeningOut(BaseModel):
    id: str
    client_id: str
    instrument: Code
    language: str
    mode: Literal["staff", "self"]
    completed_at: dt.datetime
    total: int = Field(description="PHQ-9 0–27, GAD-7 0–21, PC-PTSD-5 number of yes 0–5, RHS-15 sum of items 1–14.")
    band: Band
    positive: bool
    risk: bool = Field(description="An answer started the risk workflow (PHQ-9 item 9 above 0): a flag was raised.")


class ScreeningList(BaseModel):
    items: list[ScreeningOut] = Field(description="Newest first.")


class ScreeningDetail(ScreeningOut):
    answers: dict[str, int] = Field(description="The scored items' answers by linkId.")
    difficulty: int | None = Field(description="PHQ-9's difficulty question (not scored), if answered.")


def _out(row: Any) -> ScreeningOut:
    return ScreeningOut(id=row.id, client_id=row.client_id, instrument=row.instrument, language=row.language,
                        mode=row.mode, completed_at=row.completed_at, total=row.total, band=row.band,
                        positive=row.positive, risk=row.risk)


def _questionnaire(code: str, settings: Any) -> QuestionnaireOut:
    resource = instruments.structure(code)
    return QuestionnaireOut(
        code=code, title=resource["title"], url=resource["url"], version=resource["version"],
        languages=list(instruments.languages(code, settings)),
        offered=instruments.unavailable_reason(code, settings) is None,
        unavailable_reason=instruments.unavailable_reason(code, settings), questionnaire=resource,
    )


@router.get(
    "/questionnaires",
    response_model=QuestionnaireList,
    summary="The screening instruments",
    description="Each instrument as a FHIR R4 Questionnaire with the languages it has a validated wording in here. "
    "Needs `screening.read`.",
    responses=problem_responses(401, 403, s401=S401, s403=S403),
)
def list_questionnaires(settings: SettingsDep, actor: Reader) -> QuestionnaireList:
    return QuestionnaireList(items=[_questionnaire(code, settings) for code in instruments.INSTRUMENTS])


@router.get(
    "/questionnaires/{code}",
    response_class=FhirResponse,
    summary="One screening instrument as a FHIR Questionnaire",
    description="The FHIR R4 Questionnaire (`application/fhir+json`); with `language`, the validated wording in that "
    "language (404 when there is none: use an interpreter). RHS-15's licensed texts come only with `language` and the "
    "deployment's file. Needs `screening.read`.",
    responses={200: {"content": {FHIR_JSON: {"schema": {"type": "object"}}}},
               **problem_responses(401, 403, 404, 422, s401=S401, s403=S403,
                                   s404="No validated wording of it in that language.")},
)
def get_questionnaire(settings: SettingsDep, actor: Reader, code: Code,
                      language: Annotated[LanguageTag | None, Query()] = None) -> FhirResponse:
    if language is None:
        return FhirResponse(instruments.structure(code))
    instrument = instruments.get(code, language, settings)
    if instrument is None:
        raise NotFound(instruments.USE_AN_INTERPRETER)
    return FhirResponse(instrument.questionnaire)


@router.get(
    "/clients/{client_id}/screenings",
    response_model=ScreeningList,
    summary="A person's screenings, newest first",
    description="Date, instrument, total, band, positive and risk of each (not the answers). Audited "
    "`screening.read`. Needs `screening.read`.",
    responses=problem_responses(401, 403, 404, 422, s401=S401, s403=S403, s404=S404),
)
def list_screenings(request: Request, session: SessionDep, settings: SettingsDep, actor: Reader, client_id: RecordId,
                    instrument: Annotated[Code | None, Query()] = None) -> ScreeningList:
    client = clients.find_client(session, actor, client_id, screenings.READ)
    rows = screenings.list_screenings(session, settings, actor, client, instrument, request_id=request_id(request))
    return ScreeningList(items=[_out(row) for row in rows])


@router.post(
    "/clients/{client_id}/screenings",
    status_code=201,
    response_model=ScreeningOut,
    summary="Record a screening done with the person",
    description="Scores the answers and stores them sealed; a PHQ-9 item-9 answer above 0 raises a risk flag for the "
    "clinician on duty. 422 names each answer that cannot be scored. Audited `screening.record`. Needs "
    "`screening.administer`.",
    responses=problem_responses(401, 403, 404, 422, s401=S401, s403=S403, s404=S404),
)
def record_screening(session: SessionDep, settings: SettingsDep, actor: Administer, client_id: RecordId,
                     body: ScreeningIn) -> ScreeningOut:
    client = clients.find_client(session, actor, client_id, screenings.ADMINISTER)
    row = screenings.record_screening(session, settings, client=client, instrument=body.instrument,
                                      answers=dict(body.answers), language=body.language, mode=screenings.STAFF,
                                      actor=actor)
    return _out(row)


@router.get(
    "/screenings/{screening_id}",
    response_model=ScreeningDetail,
    summary="One screening with its answers",
    description="Audited `screening.read`. Needs `screening.read` over the person's record.",
    responses=problem_responses(401, 403, 404, 422, s401=S401, s403=S403, s404=S404),
)
def get_screening(request: Request, session: SessionDep, settings: SettingsDep, actor: Reader,
                  screening_id: RecordId) -> ScreeningDetail:
    row = screenings.get_screening(session, settings, actor, screening_id, request_id=request_id(request))
    answers = screenings.open_answers(session, settings, actor, row)
    return ScreeningDetail(**_out(row).model_dump(), answers=answers["items"], difficulty=answers["difficulty"])


@router.get(
    "/screenings/{screening_id}/fhir",
    response_class=FhirResponse,
    summary="One screening as FHIR",
    description="A FHIR R4 Bundle (collection): the QuestionnaireResponse, the score as an Observation, and the "
    "Patient and Practitioner by id only. Audited `screening.export`. Needs `screening.read`.",
    responses={200: {"content": {FHIR_JSON: {"schema": {"type": "object"}}}},
               **problem_responses(401, 403, 404, 422, s401=S401, s403=S403, s404=S404)},
)
def screening_fhir(request: Request, session: SessionDep, settings: SettingsDep, actor: Reader,
                   screening_id: RecordId) -> FhirResponse:
    document = fhir.screening_bundle(session, settings, actor, screening_id, request_id=request_id(request))
    return FhirResponse(document, headers={"Cache-Control": "no-store"})


@router.get(
    "/clients/{client_id}/screenings/fhir",
    response_class=FhirResponse,
    summary="A person's screenings as FHIR",
    description="A FHIR R4 Bundle (collection) of every screening of the person, oldest first. Audited "
    "`screening.export`. Needs `screening.read`.",
    responses={200: {"content": {FHIR_JSON: {"schema": {"type": "object"}}}},
               **problem_responses(401, 403, 404, 422, s401=S401, s403=S403, s404=S404)},
)
def client_fhir(request: Request, session: SessionDep, settings: SettingsDep, actor: Reader,
                client_id: RecordId) -> FhirResponse:
    document = fhir.client_bundle(session, settings, actor, client_id, request_id=request_id(request))
    return FhirResponse(document, headers={"Cache-Control": "no-store"})

