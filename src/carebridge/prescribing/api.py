"""The staff JSON API of social prescribing: a person's record (/api/v1/clients/{client_id}/social-prescribing), a
new "what matters to you" conversation and new ONS4 wellbeing answers.

The same services, permissions and scope as the pages: reading needs person.read, writing person.write; a record
outside the caller's scope is 404 like a missing one. Audited `prescribing.read`,
`prescribing.conversation.create`, `prescribing.wellbeing.create`. Every error is a problem document (RFC 9457).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from carebridge.accounts.access import Actor, requires
from carebridge.prescribing import ons4, service
from carebridge.problems import problem_responses
from carebridge.web import SessionDep, SettingsDep, request_id

router = APIRouter(prefix="/api/v1", tags=["staff: social prescribing"])
Reader = Annotated[Actor, Depends(requires("person.read"))]
Writer = Annotated[Actor, Depends(requires("person.write"))]

S401 = "Not signed in (no valid staff session, or the second factor is not done yet)."
S403 = "Signed in, but the account's roles do not hold the permission."
S404 = "No such record, or not one the caller may see (the same answer)."
TRANSPORT_LIMIT = 20_000
MULTILINE = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$"
Score = Annotated[int, Field(ge=0, le=10, strict=True)]
Band = Literal["very-low", "low", "medium", "high", "very-high"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ConversationOut(BaseModel):
    id: str
    held_on: dt.date
    what_matters: str = Field(description="In the person's words.")
    strengths: str
    want_to_try: str
    goal_id: str | None = Field(description="The action-plan goal made from what they want to try, if any.")
    version: int
    created_at: dt.datetime


class Answers(BaseModel):
    life_satisfaction: int
    worthwhile: int
    happiness: int
    anxiety: int


class Bands(BaseModel):
    life_satisfaction: Band
    worthwhile: Band
    happiness: Band
    anxiety: Band


class WellbeingOut(BaseModel):
    id: str
    stage: Literal["start", "follow-up"]
    taken_on: dt.date
    answers: Answers
    bands: Bands = Field(description="ONS thresholds: 0-4 low, 5-6 medium, 7-8 high, 9-10 very high; anxiety 0-1 "
                         "very low, 2-3 low, 4-5 medium, 6-10 high.")


class ChangeOut(BaseModel):
    question: Literal["life_satisfaction", "worthwhile", "happiness", "anxiety"]
    start: int
    follow_up: int
    difference: int = Field(description="follow_up - start.")
    direction: Literal["better", "worse", "same"] = Field(description="For anxiety, lower is better.")


class RecordOut(BaseModel):
    client_id: str
    conversations: list[ConversationOut] = Field(description="Newest first.")
    wellbeing: list[WellbeingOut] = Field(description="Oldest first.")
    changes: list[ChangeOut] = Field(description="From the first start answers to the latest follow-up; empty "
                                     "without both.")


class ConversationIn(_Model):
    held_on: dt.date
    what_matters: str = Field(max_length=TRANSPORT_LIMIT, pattern=MULTILINE, description="At most 2,000 characters.")
    strengths: str | None = Field(None, max_length=TRANSPORT_LIMIT, pattern=MULTILINE)
    want_to_try: str | None = Field(None, max_length=TRANSPORT_LIMIT, pattern=MULTILINE)


class WellbeingIn(_Model):
    stage: Literal["start", "follow-up"]
    taken_on: dt.date
    life_satisfaction: Score
    worthwhile: Score
    happiness: Score
    anxiety: Score


def _record_out(view: service.PrescribingView) -> RecordOut:
    return RecordOut(
        client_id=view.client_id,
        conversations=[ConversationOut(**vars(item)) for item in view.conversations],
        wellbeing=[
            WellbeingOut(id=item.id, stage=item.stage, taken_on=item.taken_on,  # type: ignore[arg-type]
                         answers=Answers(**item.scores), bands=Bands(**item.bands))  # type: ignore[arg-type]
            for item in view.wellbeing
        ],
        changes=[
            ChangeOut(question=change.question, start=change.start, follow_up=change.follow_up,  # type: ignore[arg-type]
                      difference=change.difference, direction=change.direction)  # type: ignore[arg-type]
            for change in view.changes
        ],
    )


@router.get(
    "/clients/{client_id}/social-prescribing",
    response_model=RecordOut,
    summary="A person's social-prescribing record: what matters, wellbeing and its change",
    description="Audited `prescribing.read`. Needs `person.read`.",
    responses=problem_responses(401, 403, 404, 422, s401=S401, s403=S403, s404=S404),
)
def read_record(request: Request, session: SessionDep, settings: SettingsDep, actor: Reader, client_id: str) -> RecordOut:
    return _record_out(service.read_record(session, settings, actor, client_id, request_id=request_id(request)))


@router.post(
    "/clients/{client_id}/social-prescribing/conversations",
    response_model=ConversationOut,
    status_code=201,
    summary="Write down a \"what matters to you\" conversation",
    description="Audited `prescribing.conversation.create`. Needs `person.write`.",
    responses=problem_responses(401, 403, 404, 422, s401=S401, s403=S403, s404=S404),
)
def create_conversation(
    request: Request, response: Response, session: SessionDep, settings: SettingsDep, actor: Writer, client_id: str,
    body: ConversationIn,
) -> ConversationOut:
    talk = service.record_conversation(
        session, settings, actor, client_id, held_on=body.held_on, what_matters=body.what_matters,
        strengths=body.strengths, want_to_try=body.want_to_try, request_id=request_id(request),
    )
    view = service.record_of(session, settings, service.clients.find_client(session, actor, client_id, "person.write"))
    response.headers["Location"] = f"/api/v1/clients/{talk.client_id}/social-prescribing"
    return next(ConversationOut(**vars(item)) for item in view.conversations if item.id == talk.id)


@router.post(
    "/clients/{client_id}/social-prescribing/wellbeing",
    response_model=WellbeingOut,
    status_code=201,
    summary="Record ONS4 wellbeing answers (start or follow-up)",
    description="Four answers 0-10 (ONS4 personal wellbeing, Office for National Statistics). Audited "
    "`prescribing.wellbeing.create`. Needs `person.write`.",
    responses=problem_responses(401, 403, 404, 422, s401=S401, s403=S403, s404=S404),
)
def create_wellbeing(
    request: Request, response: Response, session: SessionDep, settings: SettingsDep, actor: Writer, client_id: str,
    body: WellbeingIn,
) -> WellbeingOut:
    answers = {question: getattr(body, question) for question in ons4.QUESTIONS}
    row = service.record_wellbeing(session, settings, actor, client_id, stage=body.stage, taken_on=body.taken_on,
                                   answers=answers, request_id=request_id(request))
    response.headers["Location"] = f"/api/v1/clients/{row.client_id}/social-prescribing"
    view = service.wellbeing_view(row)
    return WellbeingOut(id=view.id, stage=view.stage, taken_on=view.taken_on,  # type: ignore[arg-type]
                        answers=Answers(**view.scores), bands=Bands(**view.bands))  # type: ignore[arg-type]
