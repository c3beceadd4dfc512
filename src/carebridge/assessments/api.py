"""JSON API of the needs assessment under /api/v1: a person's assessments (list, create), one assessment, overriding
its category with a reason, and the category rules in force (for transparency). The same services, permissions and
scope as the pages: reading needs person.read, assessing and overriding person.write; an assessment or record
outside the caller's scope is 404 like a missing one. Every error is a problem document (RFC 9457)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from carebridge.accounts.access import Actor, requires
from carebridge.assessments import rules as category_rules
from carebridge.assessments import service as assessments
from carebridge.clients import service as clients
from carebridge.problems import problem_responses
from carebridge.web import SessionDep, SettingsDep, request_id

router = APIRouter(prefix="/api/v1", tags=["staff: needs assessments"])
Reader = Annotated[Actor, Depends(requires("person.read"))]
Writer = Annotated[Actor, Depends(requires("person.write"))]

S401 = "Not signed in (no valid staff session, or the second factor is not done yet)."
S403 = "Signed in, but the account's roles do not hold the permission."
S404 = "No such record or assessment, or not one the caller may see (the same answer)."
TRANSPORT_LIMIT = 20_000
MULTILINE = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$"
LongText = Annotated[str | None, Field(max_length=TRANSPORT_LIMIT, pattern=MULTILINE)]

Domain = Literal[category_rules.DOMAINS]  # type: ignore[valid-type]
Category = Literal[category_rules.CATEGORIES]  # type: ignore[valid-type]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DomainAnswer(_Model):
    """`score`: 1 managing well / no help needed, 2 some guidance needed, 3 needs support and advocacy, 4 in crisis;
    null: not discussed. `words`: what matters to the person here, in their words. `strengths`: theirs, here."""

    score: Annotated[int, Field(ge=1, le=4)] | None = None
    words: LongText = None
    strengths: LongText = None


class AssessmentIn(_Model):
    """The answers; a domain left out was not discussed. At least one domain must be scored. The `legal` domain is
    only what affects care: never the immigration status itself."""

    domains: dict[Domain, DomainAnswer]
    what_matters: LongText = None


class DomainAnswerOut(BaseModel):
    score: int | None
    words: str
    strengths: str


class Basis(BaseModel):
    rule: str = Field(description="The id of the rule that gave the category.")
    explanation: dict[str, str] = Field(description="The rule's explanation, by language, as it was when assessed.")
    used: dict[str, int] = Field(description="The domain scores the rule used: the answers that led to the category.")


class Override(BaseModel):
    category: Category
    reason: str
    overridden_by: str | None
    overridden_at: dt.datetime | None


class AssessmentOut(BaseModel):
    id: str
    client_id: str
    assessed_at: dt.datetime
    assessed_by: str | None = Field(description="The name of the staff member (null: a former member of staff).")
    category: Category = Field(description="The category in force: the override if there is one.")
    rules_category: Category = Field(description="The category the rules gave.")
    rules_version: str
    basis: Basis
    override: Override | None
    domains: dict[str, DomainAnswerOut]
    what_matters: str


class AssessmentList(BaseModel):
    items: list[AssessmentOut] = Field(description="Oldest first.")


class OverrideIn(_Model):
    category: Category
    reason: Annotated[str, Field(max_length=TRANSPORT_LIMIT, pattern=MULTILINE)]


class RulesOut(BaseModel):
    version: str
    categories: list[dict[str, Any]]
    rules: list[dict[str, Any]]


def _out(view: assessments.AssessmentView) -> AssessmentOut:
    override = None
    if view.override_category:
        override = Override(category=view.override_category, reason=view.override_reason or "",
                            overridden_by=view.overridden_by, overridden_at=view.overridden_at)
    return AssessmentOut(
        id=view.id,
        client_id=view.client_id,
        assessed_at=view.assessed_at,
        assessed_by=view.assessed_by,
        category=view.category,
        rules_category=view.rules_category,
        rules_version=view.rules_version,
        basis=Basis(rule=view.basis.get("rule", ""), explanation=view.basis.get("explanation") or {},
                    used=view.basis.get("used") or {}),
        override=override,
        domains={domain: DomainAnswerOut(**answer) for domain, answer in view.answers["domains"].items()},
        what_matters=view.answers.get("what_matters", ""),
    )


@router.get(
    "/clients/{client_id}/assessments",
    response_model=AssessmentList,
    summary="A person's needs assessments, oldest first",
    description="Audited `assessment.read`. Needs `person.read`.",
    responses=problem_responses(401, 403, 404, 422, s401=S401, s403=S403, s404=S404),
)
def list_assessments(request: Request, session: SessionDep, settings: SettingsDep, actor: Reader,
                     client_id: str) -> AssessmentList:
    client = clients.find_client(session, actor, client_id, "person.read")
    views = assessments.list_assessments(session, settings, actor, client, request_id=request_id(request))
    return AssessmentList(items=[_out(view) for view in views])


@router.post(
    "/clients/{client_id}/assessments",
    status_code=201,
    response_model=AssessmentOut,
    summary="Assess a person's needs",
    description="The category comes from the rules in force (GET /api/v1/assessment-rules). "
    "Audited `assessment.create`. Needs `person.write`.",
    responses=problem_responses(401, 403, 404, 422, 503, s401=S401, s403=S403, s404=S404,
                                s503="The category rules file in force does not load (tell the service manager)."),
)
def create_assessment(request: Request, session: SessionDep, settings: SettingsDep, actor: Writer, client_id: str,
                      body: AssessmentIn) -> AssessmentOut:
    client = clients.find_client(session, actor, client_id, "person.write")
    answers = {"domains": {domain: answer.model_dump() for domain, answer in body.domains.items()},
               "what_matters": body.what_matters}
    assessment = assessments.create_assessment(session, settings, actor, client, answers,
                                               request_id=request_id(request))
    views = assessments.assessments_of(session, settings, client)
    return _out(next(view for view in views if view.id == assessment.id))


@router.get(
    "/assessments/{assessment_id}",
    response_model=AssessmentOut,
    summary="One needs assessment",
    description="Audited `assessment.read`. Needs `person.read` in scope of the person.",
    responses=problem_responses(401, 403, 404, 422, s401=S401, s403=S403, s404=S404),
)
def read_assessment(request: Request, session: SessionDep, settings: SettingsDep, actor: Reader,
                    assessment_id: str) -> AssessmentOut:
    _, view = assessments.read_assessment(session, settings, actor, assessment_id, request_id=request_id(request))
    return _out(view)


@router.post(
    "/assessments/{assessment_id}/override",
    response_model=AssessmentOut,
    summary="Choose another category, with a reason",
    description="The reason is kept sealed with the assessment. Audited `assessment.override`. Needs `person.write` "
    "in scope of the person.",
    responses=problem_responses(401, 403, 404, 422, s401=S401, s403=S403, s404=S404),
)
def override_assessment(request: Request, session: SessionDep, settings: SettingsDep, actor: Writer,
                        assessment_id: str, body: OverrideIn) -> AssessmentOut:
    assessments.override_assessment(session, settings, actor, assessment_id, body.category, body.reason,
                                    request_id=request_id(request))
    session.expire_all()
    _, view = assessments.read_assessment(session, settings, actor, assessment_id, request_id=request_id(request))
    return _out(view)


@router.get(
    "/assessment-rules",
    response_model=RulesOut,
    summary="The needs-assessment category rules in force",
    description="The rules kept as data (docs/assessments.md): the categories and their meanings, and the rules in "
    "order (the first that holds gives the category). No person's data. Needs `person.read`.",
    responses=problem_responses(401, 403, 503, s401=S401, s403=S403),
)
def assessment_rules(settings: SettingsDep, actor: Reader) -> RulesOut:
    return RulesOut(**assessments.rules_in_force(settings).as_dict())
