"""The staff JSON API of action plans: a person's goals (/api/v1/clients/{client_id}/goals), one goal
(/api/v1/goals/{goal_id}), its steps and its directory services, one step (/api/v1/steps/{step_id}).

The same services, permissions and scope as the pages: reading needs person.read, changing person.write; a goal or
step of a record outside the caller's scope is 404 like a missing one. A goal's PATCH carries the `version` it starts
from (409 when someone changed the goal since: nothing changes). Every read and write is audited (`plan.read`,
`plan.goal.create`, `plan.goal.update`, `plan.step.create`, `plan.step.update`, `plan.service.attach`,
`plan.service.detach`). Every error is a problem document (RFC 9457).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from carebridge.accounts.access import Actor, requires
from carebridge.clients import service as clients
from carebridge.plans import service as plans
from carebridge.problems import problem_responses
from carebridge.web import SessionDep, SettingsDep, request_id

router = APIRouter(prefix="/api/v1", tags=["staff: action plans"])
Reader = Annotated[Actor, Depends(requires("person.read"))]
Writer = Annotated[Actor, Depends(requires("person.write"))]

S401 = "Not signed in (no valid staff session, or the second factor is not done yet)."
S403 = "Signed in, but the account's roles do not hold the permission."
S404 = "No such record, goal or step, or not one the caller may see (the same answer)."
S409 = "The goal changed since the `version` given: nothing was changed."
TRANSPORT_LIMIT = 20_000
VISIBLE = r"^[^\x00-\x1F\x7F-\x9F]*$"
MULTILINE = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$"
ID = Annotated[str, Field(max_length=64, pattern=VISIBLE)]

Domain = Literal["housing", "finances", "health", "education", "employment", "social-connections", "language", "legal", "safety"]
GoalStatus = Literal["open", "achieved", "stopped"]
StepStatus = Literal["todo", "done", "cancelled"]
Who = Literal["person", "worker", "organisation"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StepOut(BaseModel):
    id: str
    goal_id: str
    description: str
    who: Who
    organisation: str | None = Field(description="The other organisation, when `who` is organisation.")
    due_on: dt.date | None
    status: StepStatus
    overdue: bool = Field(description="Still to do after its due date (today in the deployment's time zone).")
    done_at: dt.datetime | None
    created_at: dt.datetime


class ServiceOut(BaseModel):
    id: str = Field(description="The service_at_location id (the service id for a service with no location).")
    service_id: str
    service_at_location_id: str | None
    location_id: str | None
    name: str = Field(description="The service's name when it was attached.")
    organisation: str | None
    attached_at: str


class GoalOut(BaseModel):
    id: str
    client_id: str
    domain: Domain
    text: str = Field(description="The goal in the person's own words.")
    status: GoalStatus
    review_on: dt.date | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    achieved_at: dt.datetime | None
    steps: list[StepOut]
    services: list[ServiceOut]


class GoalList(BaseModel):
    items: list[GoalOut] = Field(description="Open goals first, then by domain and age.")


class GoalIn(_Model):
    domain: Domain
    text: str = Field(max_length=TRANSPORT_LIMIT, pattern=MULTILINE, description="At most 1,000 characters.")
    review_on: dt.date | None = None


class GoalPatch(_Model):
    """Only the fields given change; `version` is required."""

    version: int = Field(ge=1, le=2_000_000_000)
    domain: Domain | None = None
    text: str | None = Field(None, max_length=TRANSPORT_LIMIT, pattern=MULTILINE)
    review_on: dt.date | None = None
    status: GoalStatus | None = None


class StepIn(_Model):
    description: str = Field(max_length=TRANSPORT_LIMIT, pattern=MULTILINE, description="At most 1,000 characters.")
    who: Who
    organisation: str | None = Field(None, max_length=TRANSPORT_LIMIT, pattern=VISIBLE,
                                     description="Required when `who` is organisation.")
    due_on: dt.date | None = None


class StepPatch(_Model):
    status: StepStatus


class ServiceIn(_Model):
    service_id: ID
    location_id: ID | None = Field(None, description="One of the service's locations; none: its first.")


class ServiceList(BaseModel):
    items: list[ServiceOut]


def _goal_out(view: plans.GoalView) -> GoalOut:
    return GoalOut(
        id=view.id, client_id=view.client_id, domain=view.domain,  # type: ignore[arg-type]
        text=view.text, status=view.status, review_on=view.review_on,  # type: ignore[arg-type]
        version=view.version, created_at=view.created_at, updated_at=view.updated_at, achieved_at=view.achieved_at,
        steps=[StepOut(**vars(step)) for step in view.steps],
        services=[ServiceOut(**vars(item)) for item in view.services],
    )


def _read(session, settings, client, goal_id: str) -> GoalOut:  # noqa: ANN001
    return _goal_out(plans.plan_of(session, settings, client, goal_ids=[goal_id]).goals[0])


@router.get(
    "/clients/{client_id}/goals",
    response_model=GoalList,
    summary="A person's action plan: their goals with steps and services",
    description="Audited `plan.read`. Needs `person.read`.",
    responses=problem_responses(401, 403, 404, 422, s401=S401, s403=S403, s404=S404),
)
def list_goals(request: Request, session: SessionDep, settings: SettingsDep, actor: Reader, client_id: str) -> GoalList:
    plan = plans.read_plan(session, settings, actor, client_id, request_id=request_id(request))
    return GoalList(items=[_goal_out(goal) for goal in plan.goals])


@router.post(
    "/clients/{client_id}/goals",
    response_model=GoalOut,
    status_code=201,
    summary="Add a goal to a person's plan",
    description="Audited `plan.goal.create`. The answer's Location is the goal's URL. Needs `person.write`.",
    responses=problem_responses(401, 403, 404, 422, s401=S401, s403=S403, s404=S404),
)
def create_goal(
    request: Request, response: Response, session: SessionDep, settings: SettingsDep, actor: Writer, client_id: str,
    body: GoalIn,
) -> GoalOut:
    client = clients.find_client(session, actor, client_id, "person.write")
    goal = plans.create_goal(session, settings, actor, client, domain=body.domain, text=body.text,
                             review_on=body.review_on, request_id=request_id(request))
    response.headers["Location"] = f"/api/v1/goals/{goal.id}"
    return _read(session, settings, client, goal.id)


@router.get(
    "/goals/{goal_id}",
    response_model=GoalOut,
    summary="Read one goal with its steps and services",
    description="Audited `plan.read`. Needs `person.read`.",
    responses=problem_responses(401, 403, 404, 422, s401=S401, s403=S403, s404=S404),
)
def read_goal(request: Request, session: SessionDep, settings: SettingsDep, actor: Reader, goal_id: str) -> GoalOut:
    view, _client = plans.read_goal(session, settings, actor, goal_id, request_id=request_id(request))
    return _goal_out(view)


@router.patch(
    "/goals/{goal_id}",
    response_model=GoalOut,
    summary="Change a goal",
    description="Only the fields given change (`review_on: null` clears the review date). `version` is the goal's "
    "version the change starts from: if someone changed the goal since, the answer is 409 and nothing changes. "
    "Audited `plan.goal.update`. Needs `person.write`.",
    responses=problem_responses(401, 403, 404, 409, 422, s401=S401, s403=S403, s404=S404, s409=S409),
)
def patch_goal(
    request: Request, session: SessionDep, settings: SettingsDep, actor: Writer, goal_id: str, body: GoalPatch
) -> GoalOut:
    given = body.model_fields_set
    goal = plans.update_goal(
        session, settings, actor, goal_id, version=body.version, domain=body.domain, text=body.text,
        review_on=body.review_on, change_review_on="review_on" in given, status=body.status,
        request_id=request_id(request),
    )
    _goal, client = plans.find_goal(session, actor, goal.id, "person.write")
    return _read(session, settings, client, goal.id)


@router.post(
    "/goals/{goal_id}/steps",
    response_model=StepOut,
    status_code=201,
    summary="Add a step to a goal",
    description="Who does it: the person, the worker, or another organisation (named). Audited `plan.step.create`. "
    "Needs `person.write`.",
    responses=problem_responses(401, 403, 404, 422, s401=S401, s403=S403, s404=S404),
)
def create_step(
    request: Request, response: Response, session: SessionDep, settings: SettingsDep, actor: Writer, goal_id: str,
    body: StepIn,
) -> StepOut:
    step = plans.add_step(session, settings, actor, goal_id, description=body.description, who=body.who,
                          due_on=body.due_on, organisation=body.organisation, request_id=request_id(request))
    found, goal, client = plans.find_step(session, actor, step.id, "person.write")
    response.headers["Location"] = f"/api/v1/steps/{step.id}"
    return StepOut(**vars(plans.read_step(session, settings, found, goal, client)))


@router.patch(
    "/steps/{step_id}",
    response_model=StepOut,
    summary="Change a step's status (to do, done, cancelled)",
    description="Audited `plan.step.update`. Needs `person.write`.",
    responses=problem_responses(401, 403, 404, 422, s401=S401, s403=S403, s404=S404),
)
def patch_step(
    request: Request, session: SessionDep, settings: SettingsDep, actor: Writer, step_id: str, body: StepPatch
) -> StepOut:
    plans.set_step_status(session, settings, actor, step_id, body.status, request_id=request_id(request))
    found, goal, client = plans.find_step(session, actor, step_id, "person.write")
    return StepOut(**vars(plans.read_step(session, settings, found, goal, client)))


@router.post(
    "/goals/{goal_id}/services",
    response_model=ServiceList,
    summary="Attach a directory service to a goal",
    description="The service (at one of its locations) is kept with its name and organisation as they are now; "
    "attaching it again changes nothing. Find services with `/api/v1/services/search`. Audited "
    "`plan.service.attach`. Needs `person.write`.",
    responses=problem_responses(401, 403, 404, 422, s401=S401, s403=S403, s404=S404),
)
def attach_service(
    request: Request, session: SessionDep, settings: SettingsDep, actor: Writer, goal_id: str, body: ServiceIn
) -> ServiceList:
    items = plans.attach_service(session, settings, actor, goal_id, service_id=body.service_id,
                                 location_id=body.location_id, request_id=request_id(request))
    return ServiceList(items=[ServiceOut(**vars(item)) for item in items])


@router.delete(
    "/goals/{goal_id}/services/{attached_id}",
    response_model=ServiceList,
    summary="Take a service off a goal",
    description="`attached_id` is the attached service's `id`. Audited `plan.service.detach`. Needs `person.write`.",
    responses=problem_responses(401, 403, 404, 422, s401=S401, s403=S403, s404=S404),
)
def detach_service(
    request: Request, session: SessionDep, settings: SettingsDep, actor: Writer, goal_id: str, attached_id: str
) -> ServiceList:
    items = plans.detach_service(session, settings, actor, goal_id, attached_id, request_id=request_id(request))
    return ServiceList(items=[ServiceOut(**vars(item)) for item in items])
