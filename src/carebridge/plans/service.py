"""Action plans: goals agreed with the person, per domain of the needs assessment, each with steps (who does what, by
when) and directory services attached to it (SPRAR-style signposting).

    goal = plans.create_goal(session, settings, actor, client, domain="housing", text="A safe flat for us")
    step = plans.add_step(session, settings, actor, goal, description="Call the council", who="worker",
                          due_on=date(2026, 12, 1))
    plans.set_step_status(session, settings, actor, step, "done")
    plans.set_goal_status(session, settings, actor, goal, "achieved")
    view = plans.read_plan(session, settings, actor, client)          # decrypted; the caller audits `plan.read`

Every write is checked against person.write in the actor's scope (clients.find_client: a record outside it is
NotFound, like a missing one) and audited with the record's id only (`plan.goal.create`, `plan.step.update`...).
The goal's words, the steps' descriptions (and the other organisation's name) and the attached services are sealed
with the person's data key, bound to table, column and row id. Statuses and dates stay in clear: the caseload counts
overdue steps without opening anyone's plan.

A step is overdue when it is still to do and its due date is before today in the deployment's time zone
(kit.clock.today(settings.timezone)): due today is not overdue yet.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import Session

from carebridge.accounts.access import Actor
from carebridge.assessments import labels as assessment_labels
from carebridge.assessments import rules as assessment_rules
from carebridge.audit import service as audit
from carebridge.clients import service as clients
from carebridge.clients.models import Client
from carebridge.config import Settings
from carebridge.db import new_id
from carebridge.errors import N_, Conflict, FieldError, InvalidInput, NotFound
from carebridge.keys import service as keys
from carebridge.kit import clock
from carebridge.kit.text import clean_text
from carebridge.plans.models import Goal, Step

# The domains of the needs assessment (issue 10 §1), with their names: a goal belongs to one.
DOMAINS = assessment_rules.DOMAINS
DOMAIN_LABELS = assessment_labels.DOMAIN_NAMES
OPEN, ACHIEVED, STOPPED = "open", "achieved", "stopped"
GOAL_STATUSES = (OPEN, ACHIEVED, STOPPED)
TODO, DONE, CANCELLED = "todo", "done", "cancelled"
STEP_STATUSES = (TODO, DONE, CANCELLED)
PERSON, WORKER, ORGANISATION = "person", "worker", "organisation"
WHO = (PERSON, WORKER, ORGANISATION)

TEXT_MAXIMUM = 1_000
DESCRIPTION_MAXIMUM = 1_000
ORGANISATION_MAXIMUM = 200
SERVICES_MAXIMUM = 20
# How far ahead a review or due date may be set (a typo such as 2206 is caught).
FURTHEST_YEARS = 5

GOAL_TABLE = "plan_goal"
STEP_TABLE = "plan_step"

STALE = N_("Someone else changed this goal while you were editing it. Check what it says now and make your change again.")
NO_GOAL = N_("We could not find that goal.")
NO_STEP = N_("We could not find that step.")

# Which directory categories (docs/taxonomy.md) "find services" searches for a goal of each domain.
DOMAIN_CATEGORIES: dict[str, tuple[str, ...]] = {
    "housing": ("housing",),
    "finances": ("social-support", "food", "legal-advice"),
    "health": ("primary-care", "mental-health", "dental", "maternity", "medicines"),
    "education": ("language-classes", "social-support"),
    "employment": ("social-support", "language-classes"),
    "social-connections": ("social-support",),
    "language": ("language-classes",),
    "legal": ("legal-advice",),
    "safety": ("housing", "legal-advice", "mental-health", "social-support"),
}


# --- Views (decrypted, in memory only) ------------------------------------------------------------------------


@dataclass(frozen=True)
class StepView:
    id: str
    goal_id: str
    description: str
    who: str
    organisation: str | None
    due_on: dt.date | None
    status: str
    overdue: bool
    done_at: dt.datetime | None
    created_at: dt.datetime


@dataclass(frozen=True)
class AttachedService:
    """A directory service attached to a goal, with the names it had when it was attached."""

    id: str  # the service_at_location id, or the service id for a service with no location
    service_id: str
    service_at_location_id: str | None
    location_id: str | None
    name: str
    organisation: str | None
    attached_at: str


@dataclass(frozen=True)
class GoalView:
    id: str
    client_id: str
    domain: str
    text: str
    status: str
    review_on: dt.date | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    achieved_at: dt.datetime | None
    steps: list[StepView] = field(default_factory=list)
    services: list[AttachedService] = field(default_factory=list)

    @property
    def overdue_steps(self) -> list[StepView]:
        return [step for step in self.steps if step.overdue]


@dataclass(frozen=True)
class PlanView:
    goals: list[GoalView]

    @property
    def overdue_steps(self) -> list[tuple[GoalView, StepView]]:
        return [(goal, step) for goal in self.goals for step in goal.steps if step.overdue]

    def by_domain(self) -> list[tuple[str, list[GoalView]]]:
        """(domain, its goals) in the order of DOMAINS, only domains that have goals."""
        return [(domain, [g for g in self.goals if g.domain == domain]) for domain in DOMAINS
                if any(g.domain == domain for g in self.goals)]


# --- Rules -------------------------------------------------------------------------------------------------------


def today(settings: Settings) -> dt.date:
    return clock.today(settings.timezone)


def is_overdue(status: str, due_on: dt.date | None, on: dt.date) -> bool:
    """A step still to do whose due date is before `on` (the deployment's today): due today is not overdue."""
    return status == TODO and due_on is not None and due_on < on


def overdue_clause(on: dt.date) -> Any:
    """The WHERE of overdue steps (on the indexed client_id, status, due_on)."""
    return and_(Step.status == TODO, Step.due_on.is_not(None), Step.due_on < on)


def _check_date(value: dt.date | None, name: str, errors: list[FieldError], settings: Settings) -> None:
    if value is None:
        return
    now = today(settings)
    if value.year < 2000 or value > now.replace(year=now.year + FURTHEST_YEARS, day=min(now.day, 28)):
        errors.append(FieldError(name, N_("Enter a date within the next %(years)s years."), params={"years": FURTHEST_YEARS}))


def _goal_fields(
    settings: Settings, domain: str | None, text: str | None, review_on: dt.date | None
) -> tuple[str, str]:
    errors: list[FieldError] = []
    if domain not in DOMAINS:
        errors.append(FieldError("domain", N_("Choose what the goal is about."), allowed=list(DOMAINS)))
    cleaned = None
    try:
        cleaned = clean_text(text, "text", maximum=TEXT_MAXIMUM, empty=N_("Write the goal in the person’s own words."))
    except InvalidInput as problem:
        errors.extend(problem.errors)
    if cleaned is not None and len(cleaned) > TEXT_MAXIMUM:
        errors.append(FieldError("text", N_("Use at most %(maximum)s characters."), params={"maximum": TEXT_MAXIMUM}))
    _check_date(review_on, "review_on", errors, settings)
    if errors:
        raise InvalidInput(errors=errors)
    assert domain is not None and cleaned is not None
    return domain, cleaned


# --- Finding goals and steps in scope ------------------------------------------------------------------------------


def find_goal(session: Session, actor: Actor | None, goal_id: str, permission: str = "person.read") -> tuple[Goal, Client]:
    """The goal and its person's record if the record is in the actor's scope for `permission`; NotFound otherwise."""
    clients.check(actor, permission)
    found = session.execute(
        select(Goal, Client).join(Client, Client.id == Goal.client_id).where(Goal.id == goal_id, clients.scope(actor, permission))
    ).first()
    if found is None:
        raise NotFound(NO_GOAL)
    return found[0], found[1]


def find_step(session: Session, actor: Actor | None, step_id: str, permission: str = "person.read") -> tuple[Step, Goal, Client]:
    clients.check(actor, permission)
    found = session.execute(
        select(Step, Goal, Client)
        .join(Goal, Goal.id == Step.goal_id)
        .join(Client, Client.id == Step.client_id)
        .where(Step.id == step_id, clients.scope(actor, permission))
    ).first()
    if found is None:
        raise NotFound(NO_STEP)
    return found[0], found[1], found[2]


def _writable_client(session: Session, actor: Actor, client: Client | str) -> Client:
    clients.check(actor, "person.write")
    return clients.find_client(session, actor, client if isinstance(client, str) else client.id, "person.write")


# --- Goals -------------------------------------------------------------------------------------------------------


def create_goal(
    session: Session,
    settings: Settings,
    actor: Actor,
    client: Client | str,
    *,
    domain: str,
    text: str,
    review_on: dt.date | None = None,
    request_id: str | None = None,
) -> Goal:
    """A new open goal on the person's plan; audited `plan.goal.create`."""
    record = _writable_client(session, actor, client)
    domain, cleaned = _goal_fields(settings, domain, text, review_on)
    now = clock.utc_now()
    goal = Goal(
        id=new_id(),
        client_id=record.id,
        organisation_id=record.organisation_id,
        domain=domain,
        status=OPEN,
        review_on=review_on,
        created_by=actor.account_id,
        created_at=now,
        updated_at=now,
        version=1,
    )
    key = keys.data_key(session, settings, clients.SUBJECT, record.id)
    goal.text = key.seal_text(GOAL_TABLE, "text", goal.id, cleaned)
    session.add(goal)
    session.flush()
    audit.record(session, "plan.goal.create", actor=actor, record_type=clients.RECORD_TYPE, record_id=record.id,
                 request_id=request_id)
    return goal


def update_goal(
    session: Session,
    settings: Settings,
    actor: Actor,
    goal_id: str,
    *,
    version: int,
    domain: str | None = None,
    text: str | None = None,
    review_on: dt.date | None = None,
    status: str | None = None,
    change_review_on: bool = True,
    request_id: str | None = None,
) -> Goal:
    """Change a goal (fields given as None keep their value, except review_on unless change_review_on is False), if
    nobody changed it since `version` (Conflict otherwise: the edit is refused, not lost). Audited `plan.goal.update`."""
    goal, client = find_goal(session, actor, goal_id, "person.write")
    key = keys.data_key(session, settings, clients.SUBJECT, client.id)
    current_text = key.open_text(GOAL_TABLE, "text", goal.id, goal.text) or ""
    new_review = review_on if change_review_on else goal.review_on
    errors: list[FieldError] = []
    try:
        domain, cleaned = _goal_fields(settings, domain or goal.domain, current_text if text is None else text, new_review if change_review_on else None)
    except InvalidInput as problem:
        errors.extend(problem.errors)
    if status is not None and status not in GOAL_STATUSES:
        errors.append(FieldError("status", N_("Choose open, achieved or stopped."), allowed=list(GOAL_STATUSES)))
    if errors:
        raise InvalidInput(errors=errors)
    if goal.version != version:
        raise Conflict(STALE)
    new_status = status or goal.status
    now = clock.utc_now()
    achieved_at = goal.achieved_at
    if new_status == ACHIEVED and goal.status != ACHIEVED:
        achieved_at = now
    elif new_status != ACHIEVED:
        achieved_at = None
    changed = session.execute(
        update(Goal)
        .where(Goal.id == goal.id, Goal.version == version)
        .values(
            domain=domain,
            text=key.seal_text(GOAL_TABLE, "text", goal.id, cleaned),
            review_on=new_review,
            status=new_status,
            achieved_at=achieved_at,
            updated_at=now,
            version=version + 1,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        raise Conflict(STALE)
    session.refresh(goal)
    audit.record(session, "plan.goal.update", actor=actor, record_type=clients.RECORD_TYPE, record_id=client.id,
                 request_id=request_id)
    return goal


def set_goal_status(
    session: Session, settings: Settings, actor: Actor, goal: Goal | str, status: str, *, request_id: str | None = None
) -> Goal:
    """Mark a goal open, achieved or stopped (whatever its version: a status change is not an edit of its words).
    Audited `plan.goal.status`."""
    if status not in GOAL_STATUSES:
        raise InvalidInput(errors=[FieldError("status", N_("Choose open, achieved or stopped."), allowed=list(GOAL_STATUSES))])
    found, client = find_goal(session, actor, goal if isinstance(goal, str) else goal.id, "person.write")
    if found.status != status:
        now = clock.utc_now()
        found.status = status
        found.achieved_at = now if status == ACHIEVED else None
        found.updated_at = now
        found.version = found.version + 1
        session.flush()
    audit.record(session, "plan.goal.status", actor=actor, record_type=clients.RECORD_TYPE, record_id=client.id,
                 request_id=request_id)
    return found


# --- Steps -------------------------------------------------------------------------------------------------------


def _step_fields(
    settings: Settings, description: str | None, who: str | None, due_on: dt.date | None, organisation: str | None
) -> tuple[str, str, str | None]:
    errors: list[FieldError] = []
    cleaned = None
    try:
        cleaned = clean_text(description, "description", maximum=DESCRIPTION_MAXIMUM, empty=N_("Write what is to be done."))
    except InvalidInput as problem:
        errors.extend(problem.errors)
    if who not in WHO:
        errors.append(FieldError("who", N_("Choose who does it."), allowed=list(WHO)))
    other = None
    try:
        other = clean_text(organisation, "organisation", maximum=ORGANISATION_MAXIMUM, multiline=False)
    except InvalidInput as problem:
        errors.extend(problem.errors)
    if who == ORGANISATION and not other and not any(e.name == "organisation" for e in errors):
        errors.append(FieldError("organisation", N_("Name the organisation that does it.")))
    _check_date(due_on, "due_on", errors, settings)
    if errors:
        raise InvalidInput(errors=errors)
    assert cleaned is not None and who is not None
    return cleaned, who, other if who == ORGANISATION else None


def add_step(
    session: Session,
    settings: Settings,
    actor: Actor,
    goal: Goal | str,
    *,
    description: str,
    who: str,
    due_on: dt.date | None = None,
    organisation: str | None = None,
    request_id: str | None = None,
) -> Step:
    """A new step (to do) of a goal; audited `plan.step.create`."""
    found, client = find_goal(session, actor, goal if isinstance(goal, str) else goal.id, "person.write")
    cleaned, who, other = _step_fields(settings, description, who, due_on, organisation)
    step = Step(
        id=new_id(), goal_id=found.id, client_id=client.id, who=who, due_on=due_on, status=TODO,
        created_at=clock.utc_now(),
    )
    key = keys.data_key(session, settings, clients.SUBJECT, client.id)
    step.description = key.seal_json(STEP_TABLE, "description", step.id, {"description": cleaned, "organisation": other})
    session.add(step)
    session.flush()
    audit.record(session, "plan.step.create", actor=actor, record_type=clients.RECORD_TYPE, record_id=client.id,
                 request_id=request_id)
    return step


def set_step_status(
    session: Session, settings: Settings, actor: Actor, step: Step | str, status: str, *, request_id: str | None = None
) -> Step:
    """Mark a step to do, done or cancelled; audited `plan.step.update`."""
    if status not in STEP_STATUSES:
        raise InvalidInput(errors=[FieldError("status", N_("Choose to do, done or cancelled."), allowed=list(STEP_STATUSES))])
    found, _goal, client = find_step(session, actor, step if isinstance(step, str) else step.id, "person.write")
    if found.status != status:
        found.status = status
        found.done_at = clock.utc_now() if status == DONE else None
        session.flush()
    audit.record(session, "plan.step.update", actor=actor, record_type=clients.RECORD_TYPE, record_id=client.id,
                 request_id=request_id)
    return found


# --- Reading the plan ----------------------------------------------------------------------------------------------


def _services_of(key: Any, goal: Goal) -> list[AttachedService]:
    if goal.services is None:
        return []
    return [AttachedService(**item) for item in key.open_json(GOAL_TABLE, "services", goal.id, goal.services)]


def goal_view(key: Any, goal: Goal, steps: list[Step], on: dt.date) -> GoalView:
    step_views = []
    for step in steps:
        data = key.open_json(STEP_TABLE, "description", step.id, step.description)
        step_views.append(StepView(
            id=step.id, goal_id=goal.id, description=data.get("description") or "", who=step.who,
            organisation=data.get("organisation"), due_on=step.due_on, status=step.status,
            overdue=is_overdue(step.status, step.due_on, on), done_at=step.done_at, created_at=step.created_at,
        ))
    return GoalView(
        id=goal.id, client_id=goal.client_id, domain=goal.domain,
        text=key.open_text(GOAL_TABLE, "text", goal.id, goal.text) or "", status=goal.status, review_on=goal.review_on,
        version=goal.version, created_at=goal.created_at, updated_at=goal.updated_at, achieved_at=goal.achieved_at,
        steps=step_views, services=_services_of(key, goal),
    )


def _step_order(step: Step) -> tuple:
    # Still to do first, by due date (none last); then done and cancelled.
    return (step.status != TODO, step.due_on is None, step.due_on or dt.date.max, step.created_at, step.id)


def plan_of(session: Session, settings: Settings, client: Client, *, goal_ids: list[str] | None = None) -> PlanView:
    """The record's goals (open first, then by domain and age) with their steps, decrypted. Not audited, no scope
    check: the caller has found `client` in the actor's scope and audits the read."""
    query = select(Goal).where(Goal.client_id == client.id)
    if goal_ids is not None:
        query = query.where(Goal.id.in_(goal_ids))
    goals = list(session.scalars(query))
    if not goals:
        return PlanView([])
    steps = list(session.scalars(select(Step).where(Step.goal_id.in_([g.id for g in goals]))))
    by_goal: dict[str, list[Step]] = {}
    for step in sorted(steps, key=_step_order):
        by_goal.setdefault(step.goal_id, []).append(step)
    order = {domain: index for index, domain in enumerate(DOMAINS)}
    goals.sort(key=lambda g: (g.status != OPEN, order.get(g.domain, 99), g.created_at, g.id))
    key = keys.data_key(session, settings, clients.SUBJECT, client.id)
    on = today(settings)
    return PlanView([goal_view(key, goal, by_goal.get(goal.id, []), on) for goal in goals])


def read_plan(
    session: Session, settings: Settings, actor: Actor, client: Client | str, *, request_id: str | None = None
) -> PlanView:
    """The person's whole plan (person.read, scoped); audited `plan.read`."""
    clients.check(actor, "person.read")
    record = clients.find_client(session, actor, client if isinstance(client, str) else client.id, "person.read")
    audit.record(session, "plan.read", actor=actor, record_type=clients.RECORD_TYPE, record_id=record.id,
                 request_id=request_id)
    return plan_of(session, settings, record)


def read_goal(
    session: Session, settings: Settings, actor: Actor, goal_id: str, *, permission: str = "person.read",
    request_id: str | None = None,
) -> tuple[GoalView, Client]:
    """One goal with its steps and services (scoped); audited `plan.read`."""
    goal, client = find_goal(session, actor, goal_id, permission)
    audit.record(session, "plan.read", actor=actor, record_type=clients.RECORD_TYPE, record_id=client.id,
                 request_id=request_id)
    return plan_of(session, settings, client, goal_ids=[goal.id]).goals[0], client


def read_step(
    session: Session, settings: Settings, step: Step, goal: Goal, client: Client
) -> StepView:
    key = keys.data_key(session, settings, clients.SUBJECT, client.id)
    return goal_view(key, goal, [step], today(settings)).steps[0]


# --- Overdue steps for the caseload --------------------------------------------------------------------------------


def overdue_counts(session: Session, client_ids: list[str], on: dt.date) -> dict[str, int]:
    """How many overdue steps each of these records has (one grouped query; records without any are absent)."""
    if not client_ids:
        return {}
    query = (
        select(Step.client_id, func.count())
        .where(Step.client_id.in_(client_ids), overdue_clause(on))
        .group_by(Step.client_id)
    )
    return {client_id: count for client_id, count in session.execute(query)}


def has_overdue_steps(on: dt.date) -> Any:
    """EXISTS an overdue step of the caseload's Client row (for the "needs attention" filter)."""
    return select(Step.id).where(Step.client_id == Client.id, overdue_clause(on)).exists()


# --- Directory services ------------------------------------------------------------------------------------------


@dataclass
class ServiceSearch:
    """What "find services" searches for a goal: categories (from its domain), a language, an area, and filters."""

    categories: list[str]
    language: str | None = None
    near: str | None = None
    no_status_check: bool = False
    no_documents: bool = False
    free: bool = False
    page: int = 1


def primary_language(tag: str) -> str | None:
    """The ISO 639 code the directory search understands, from a BCP 47 tag ("ar-SY" -> "ar")."""
    from carebridge.directory.search import iso_639

    return iso_639(tag.split("-")[0]) if tag else None


def default_search(session: Session, settings: Settings, client: Client, goal: Goal) -> ServiceSearch:
    """The search "find services" opens with: the goal's domain's categories and the person's first language. The
    record holds no address: the worker types the area."""
    profile = clients.open_profile(session, settings, client)
    language = next((code for code in (primary_language(tag) for tag in profile.languages) if code), None)
    return ServiceSearch(categories=list(DOMAIN_CATEGORIES.get(goal.domain, ())), language=language)


def search_services(session: Session, search: ServiceSearch, *, index_holder: Any = None, per_page: int = 10) -> Any:
    """The directory's own search (directory.search), server-side; InvalidInput names a bad parameter."""
    from carebridge.directory import search as directory_search

    return directory_search.search_services(
        session,
        index_holder=index_holder,
        category=search.categories or None,
        language=search.language or None,
        near=search.near or None,
        no_status_check=search.no_status_check,
        no_documents=search.no_documents,
        free=search.free,
        page=search.page,
        per_page=per_page,
    )


def _directory_entry(session: Session, service_id: str, location_id: str | None) -> dict[str, Any]:
    from carebridge.directory import service as directory

    record = directory.get_service(session, service_id) if service_id and len(service_id) <= 64 else None
    if record is None:
        raise InvalidInput(errors=[FieldError("service_id", N_("That service is not in the directory any more."))])
    link = None
    for item in record.get("service_at_locations") or []:
        if (item.get("location") or {}).get("id") == location_id or (location_id is None and link is None):
            link = item
            if location_id is not None:
                break
    if location_id is not None and link is None:
        raise InvalidInput(errors=[FieldError("service_id", N_("That service is not in the directory any more."))])
    return {
        "id": (link or {}).get("id") or record["id"],
        "service_id": record["id"],
        "service_at_location_id": (link or {}).get("id"),
        "location_id": ((link or {}).get("location") or {}).get("id"),
        "name": record.get("name") or "",
        "organisation": (record.get("organization") or {}).get("name"),
    }


def attach_service(
    session: Session, settings: Settings, actor: Actor, goal: Goal | str, *, service_id: str,
    location_id: str | None = None, request_id: str | None = None,
) -> list[AttachedService]:
    """Attach a directory service (at one of its locations) to a goal, with its names as they are now; attaching it
    again changes nothing. Audited `plan.service.attach`."""
    found, client = find_goal(session, actor, goal if isinstance(goal, str) else goal.id, "person.write")
    entry = _directory_entry(session, service_id, location_id or None)
    key = keys.data_key(session, settings, clients.SUBJECT, client.id)
    services = [vars(item) for item in _services_of(key, found)]
    if not any(item["id"] == entry["id"] for item in services):
        if len(services) >= SERVICES_MAXIMUM:
            raise InvalidInput(errors=[FieldError("service_id", N_("A goal can have at most %(maximum)s services."),
                                                  params={"maximum": SERVICES_MAXIMUM})])
        services.append({**entry, "attached_at": clock.utc_now().date().isoformat()})
        found.services = key.seal_json(GOAL_TABLE, "services", found.id, services)
        found.updated_at = clock.utc_now()
        session.flush()
    audit.record(session, "plan.service.attach", actor=actor, record_type=clients.RECORD_TYPE, record_id=client.id,
                 request_id=request_id)
    return [AttachedService(**item) for item in services]


def detach_service(
    session: Session, settings: Settings, actor: Actor, goal: Goal | str, attached_id: str, *,
    request_id: str | None = None,
) -> list[AttachedService]:
    """Take a service off a goal (NotFound when it is not attached). Audited `plan.service.detach`."""
    found, client = find_goal(session, actor, goal if isinstance(goal, str) else goal.id, "person.write")
    key = keys.data_key(session, settings, clients.SUBJECT, client.id)
    services = [vars(item) for item in _services_of(key, found)]
    kept = [item for item in services if item["id"] != attached_id]
    if len(kept) == len(services):
        raise NotFound(N_("That service is not attached to the goal."))
    found.services = key.seal_json(GOAL_TABLE, "services", found.id, kept) if kept else None
    found.updated_at = clock.utc_now()
    session.flush()
    audit.record(session, "plan.service.detach", actor=actor, record_type=clients.RECORD_TYPE, record_id=client.id,
                 request_id=request_id)
    return [AttachedService(**item) for item in kept]


def service_details(session: Session, service: AttachedService, lang: str, settings: Settings) -> dict[str, Any] | None:
    """What the printed plan says of an attached service today: address, phones, opening times (confidential places
    redacted by the directory's own view); None when the service left the directory."""
    from carebridge.directory import service as directory
    from carebridge.directory.pages import service_view

    record = directory.get_service(session, service.service_id)
    if record is None:
        return None
    view = service_view(record, lang, settings)
    places = view["locations"]
    chosen = places
    if service.location_id is not None:
        ids = [(item.get("location") or {}).get("id") for item in record.get("service_at_locations") or []]
        chosen = [place for place, location_id in zip(places, ids, strict=False) if location_id == service.location_id] or places[:1]
    return {"view": view, "places": chosen[:1], "phones": view["phones"]}
