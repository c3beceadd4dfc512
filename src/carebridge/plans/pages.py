"""Staff pages of the plans domain: the person page's plan section, a goal's page (its steps and services), the forms
to add and change goals and steps, "find services" for a goal (the directory's search, server-side), and the plan
printed for the person in their language.

Every route is under the person's record (/staff/clients/{client_id}/plan/...) and declares its permission; the
services check it again and scope the record, so a record (or a goal of another record) outside the actor's scope is
the same 404 as a missing one. Forms post, then redirect (303) with `?done=` saying what happened; a form with a
problem is shown again (422; 409 when someone else changed the goal meanwhile, with what was typed kept) with an
error summary. The directory search is a POST form: the person's area and language never go into a URL.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from carebridge import i18n
from carebridge.accounts.access import Actor, requires
from carebridge.accounts.rendering import form_errors, render_staff
from carebridge.audit import service as audit
from carebridge.clients import service as clients
from carebridge.clients.models import Client
from carebridge.emergency import emergency_numbers
from carebridge.errors import N_, Conflict, FieldError, InvalidInput, NotFound
from carebridge.plans import service as plans
from carebridge.web import SessionDep, SettingsDep, render, request_id

router = APIRouter(include_in_schema=False)

TRANSPORT_LIMIT = 10_000
Reader = Annotated[Actor, Depends(requires("person.read"))]
Writer = Annotated[Actor, Depends(requires("person.write"))]

WHO_LABELS = {
    plans.PERSON: N_("The person"),
    plans.WORKER: N_("The worker"),
    plans.ORGANISATION: N_("Another organisation"),
}
GOAL_STATUS_LABELS = {plans.OPEN: N_("Open"), plans.ACHIEVED: N_("Achieved"), plans.STOPPED: N_("Stopped")}
STEP_STATUS_LABELS = {plans.TODO: N_("To do"), plans.DONE: N_("Done"), plans.CANCELLED: N_("Cancelled")}
# What the pages say after a form (?done=...); unknown values are ignored.
DONE = {
    "goal-added": N_("The goal was added."),
    "goal-changed": N_("The goal was saved."),
    "goal-status": N_("The goal’s status was changed."),
    "step-added": N_("The step was added."),
    "step-status": N_("The step’s status was changed."),
    "service-attached": N_("The service was added to the goal."),
    "service-detached": N_("The service was taken off the goal."),
}
CATEGORY_CODES = tuple(dict.fromkeys(code for codes in plans.DOMAIN_CATEGORIES.values() for code in codes))


def _see_other(url: str) -> Response:
    return RedirectResponse(url, status_code=303)


def _done(request: Request) -> str | None:
    return DONE.get(request.query_params.get("done", ""))


def _date(text: str, name: str, errors: list[FieldError]) -> dt.date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        errors.append(FieldError(name, N_("Enter a real date, for example 2027-03-27.")))
        return None


def _goal_of(session: Any, actor: Actor, client_id: str, goal_id: str, permission: str) -> tuple[Any, Client]:
    goal, client = plans.find_goal(session, actor, goal_id, permission)
    if client.id != client_id:
        raise NotFound(plans.NO_GOAL)
    return goal, client


def _common(request: Request) -> dict[str, Any]:
    return {
        "domain_labels": plans.DOMAIN_LABELS,
        "who_labels": WHO_LABELS,
        "goal_status_labels": GOAL_STATUS_LABELS,
        "step_status_labels": STEP_STATUS_LABELS,
    }


# --- The person page's section ---------------------------------------------------------------------------------


def section(session: Any, settings: Any, actor: Actor, client: Client, request: Request) -> dict[str, Any]:
    """Goals by domain with their steps, overdue steps first of all. Not audited again: the person's page that shows
    it is audited `client.read` (as for the notes section); the plan's own pages and API audit `plan.read`."""
    plan = plans.plan_of(session, settings, client)
    return {
        "plan": plan,
        "can_write": clients.can_write(session, actor, client),
        "plan_done": _done(request),
        **_common(request),
    }


# --- Goals -------------------------------------------------------------------------------------------------------


def _goal_form(
    request: Request, client: Client, *, values: dict[str, Any], errors: list, goal: Any = None,
    version: int | None = None, stale: bool = False, status_code: int = 200,
) -> Response:
    translate = i18n.get_translations(i18n.negotiate_language(request)).gettext
    return render_staff(
        request,
        "staff/plans/goal_form.html",
        {
            "client_id": client.id,
            "goal": goal,
            "values": values,
            "errors": errors,
            "version": version,
            "stale": stale,
            "domain_options": [(domain, translate(plans.DOMAIN_LABELS[domain]), None) for domain in plans.DOMAINS],
            "status_options": [(status, translate(GOAL_STATUS_LABELS[status]), None) for status in plans.GOAL_STATUSES],
            "maximum": plans.TEXT_MAXIMUM,
        },
        status_code=status_code,
    )


@router.get("/staff/clients/{client_id}/plan/goals/new")
def new_goal_page(
    request: Request, session: SessionDep, actor: Writer, client_id: str,
    domain: Annotated[str, Query(max_length=32)] = "",
) -> Response:
    client = clients.find_client(session, actor, client_id, "person.write")
    return _goal_form(request, client, values={"domain": domain if domain in plans.DOMAINS else "", "text": "",
                                               "review_on": ""}, errors=[])


@router.post("/staff/clients/{client_id}/plan/goals/new")
def create_goal(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: Writer,
    client_id: str,
    domain: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    text: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    review_on: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
) -> Response:
    client = clients.find_client(session, actor, client_id, "person.write")
    errors: list[FieldError] = []
    review = _date(review_on, "review_on", errors)
    try:
        if errors:
            try:
                plans._goal_fields(settings, domain, text, None)  # noqa: SLF001 - all the form's problems at once
            except InvalidInput as problem:
                errors += problem.errors
            raise InvalidInput(errors=errors)
        goal = plans.create_goal(session, settings, actor, client, domain=domain, text=text, review_on=review,
                                 request_id=request_id(request))
    except InvalidInput as problem:
        session.rollback()
        client = clients.find_client(session, actor, client_id, "person.write")
        return _goal_form(request, client, values={"domain": domain, "text": text, "review_on": review_on},
                          errors=form_errors(request, problem.errors), status_code=422)
    return _see_other(f"/staff/clients/{client.id}/plan/goals/{goal.id}?done=goal-added")


@router.get("/staff/clients/{client_id}/plan/goals/{goal_id}")
def goal_page(
    request: Request, session: SessionDep, settings: SettingsDep, actor: Reader, client_id: str, goal_id: str
) -> Response:
    _goal, client = _goal_of(session, actor, client_id, goal_id, "person.read")
    view, client = plans.read_goal(session, settings, actor, goal_id, request_id=request_id(request))
    return render_staff(
        request,
        "staff/plans/goal.html",
        {
            "client_id": client.id,
            "goal": view,
            "can_write": clients.can_write(session, actor, client),
            "done": _done(request),
            **_common(request),
        },
    )


@router.get("/staff/clients/{client_id}/plan/goals/{goal_id}/edit")
def edit_goal_page(
    request: Request, session: SessionDep, settings: SettingsDep, actor: Writer, client_id: str, goal_id: str
) -> Response:
    _goal_of(session, actor, client_id, goal_id, "person.write")
    view, client = plans.read_goal(session, settings, actor, goal_id, permission="person.write",
                                   request_id=request_id(request))
    values = {"domain": view.domain, "text": view.text, "review_on": view.review_on.isoformat() if view.review_on else "",
              "status": view.status}
    return _goal_form(request, client, values=values, errors=[], goal=view, version=view.version)


@router.post("/staff/clients/{client_id}/plan/goals/{goal_id}/edit")
def edit_goal(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: Writer,
    client_id: str,
    goal_id: str,
    domain: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    text: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    review_on: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    status: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    version: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
) -> Response:
    _goal_of(session, actor, client_id, goal_id, "person.write")
    values = {"domain": domain, "text": text, "review_on": review_on, "status": status}
    number = int(version) if version.isdigit() and len(version) < 10 else 0
    errors: list[FieldError] = []
    review = _date(review_on, "review_on", errors)
    try:
        if errors:
            raise InvalidInput(errors=errors)
        plans.update_goal(session, settings, actor, goal_id, version=number, domain=domain, text=text,
                          review_on=review, status=status or None, request_id=request_id(request))
    except InvalidInput as problem:
        session.rollback()
        goal, client = _goal_of(session, actor, client_id, goal_id, "person.write")
        return _goal_form(request, client, values=values, errors=form_errors(request, problem.errors), goal=goal,
                          version=number, status_code=422)
    except Conflict as problem:
        session.rollback()
        goal, client = _goal_of(session, actor, client_id, goal_id, "person.write")
        # What was typed stays; the form now carries the current version, so saving again after checking applies it.
        return _goal_form(request, client, values=values,
                          errors=form_errors(request, [FieldError("text", problem.detail or problem.title)]),
                          goal=goal, version=goal.version, stale=True, status_code=409)
    return _see_other(f"/staff/clients/{client_id}/plan/goals/{goal_id}?done=goal-changed")


@router.post("/staff/clients/{client_id}/plan/goals/{goal_id}/status")
def goal_status(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: Writer,
    client_id: str,
    goal_id: str,
    status: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    back: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    goal, _client = _goal_of(session, actor, client_id, goal_id, "person.write")
    plans.set_goal_status(session, settings, actor, goal, status, request_id=request_id(request))
    if back == "person":
        return _see_other(f"/staff/clients/{client_id}?done=goal-status#plan")
    return _see_other(f"/staff/clients/{client_id}/plan/goals/{goal_id}?done=goal-status")


# --- Steps -------------------------------------------------------------------------------------------------------


def _step_form(request: Request, client_id: str, goal: Any, goal_text: str, *, values: dict[str, Any], errors: list,
               status_code: int = 200) -> Response:
    translate = i18n.get_translations(i18n.negotiate_language(request)).gettext
    return render_staff(
        request,
        "staff/plans/step_form.html",
        {
            "client_id": client_id,
            "goal": goal,
            "goal_text": goal_text,
            "values": values,
            "errors": errors,
            "who_options": [(who, translate(WHO_LABELS[who]), None) for who in plans.WHO],
            "maximum": plans.DESCRIPTION_MAXIMUM,
        },
        status_code=status_code,
    )


@router.get("/staff/clients/{client_id}/plan/goals/{goal_id}/steps/new")
def new_step_page(
    request: Request, session: SessionDep, settings: SettingsDep, actor: Writer, client_id: str, goal_id: str
) -> Response:
    _goal_of(session, actor, client_id, goal_id, "person.write")
    view, _client = plans.read_goal(session, settings, actor, goal_id, permission="person.write",
                                    request_id=request_id(request))
    return _step_form(request, client_id, view, view.text,
                      values={"description": "", "who": "", "organisation": "", "due_on": ""}, errors=[])


@router.post("/staff/clients/{client_id}/plan/goals/{goal_id}/steps/new")
def add_step(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: Writer,
    client_id: str,
    goal_id: str,
    description: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    who: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    organisation: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    due_on: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
) -> Response:
    goal, _client = _goal_of(session, actor, client_id, goal_id, "person.write")
    values = {"description": description, "who": who, "organisation": organisation, "due_on": due_on}
    errors: list[FieldError] = []
    due = _date(due_on, "due_on", errors)
    try:
        if errors:
            try:
                plans._step_fields(settings, description, who, None, organisation)  # noqa: SLF001
            except InvalidInput as problem:
                errors += problem.errors
            raise InvalidInput(errors=errors)
        plans.add_step(session, settings, actor, goal, description=description, who=who, due_on=due,
                       organisation=organisation, request_id=request_id(request))
    except InvalidInput as problem:
        session.rollback()
        view, _client = plans.read_goal(session, settings, actor, goal_id, permission="person.write",
                                        request_id=request_id(request))
        return _step_form(request, client_id, view, view.text, values=values,
                          errors=form_errors(request, problem.errors), status_code=422)
    return _see_other(f"/staff/clients/{client_id}/plan/goals/{goal_id}?done=step-added")


@router.post("/staff/clients/{client_id}/plan/steps/{step_id}/status")
def step_status(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: Writer,
    client_id: str,
    step_id: str,
    status: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    back: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    step, goal, client = plans.find_step(session, actor, step_id, "person.write")
    if client.id != client_id:
        raise NotFound(plans.NO_STEP)
    plans.set_step_status(session, settings, actor, step, status, request_id=request_id(request))
    if back == "person":
        return _see_other(f"/staff/clients/{client_id}?done=step-status#plan")
    return _see_other(f"/staff/clients/{client_id}/plan/goals/{goal.id}?done=step-status")


# --- Directory services for a goal -------------------------------------------------------------------------------


def _search_page(
    request: Request, session: Any, settings: Any, actor: Actor, client: Client, goal_id: str,
    search: plans.ServiceSearch, *, errors: list[FieldError] | None = None, status_code: int = 200,
) -> Response:
    from carebridge.directory.pages import CATEGORY_LABELS, _formatting  # noqa: PLC2701 - the finder's formats
    from carebridge.directory.search import search_index_for

    view, _client = plans.read_goal(session, settings, actor, goal_id, permission="person.write",
                                    request_id=request_id(request))
    found = None
    problems = list(errors or [])
    if not problems:
        try:
            found = plans.search_services(session, search, index_holder=search_index_for(request.app))
        except InvalidInput as problem:
            problems = [FieldError("near" if e.name in ("near", "lat", "lon") else e.name, e.message, params=e.params)
                        for e in problem.errors]
            status_code = 422
    translate = i18n.get_translations(i18n.negotiate_language(request)).gettext
    attached = {item.id for item in view.services} | {item.service_id for item in view.services}
    results = []
    if found is not None:
        for result in found.results:
            result = dict(result)
            result["attached"] = result["service_id"] in attached and (
                result.get("location_id") is None
                or any(item.location_id == result.get("location_id") for item in view.services)
            )
            results.append(result)
    return render_staff(
        request,
        "staff/plans/find_services.html",
        {
            "client_id": client.id,
            "goal": view,
            "search": search,
            "errors": form_errors(request, problems),
            "category_options": [(code, translate(CATEGORY_LABELS[code][0])) for code in CATEGORY_CODES
                                 if code in CATEGORY_LABELS],
            "found": found,
            "results": results,
            **_formatting(i18n.negotiate_language(request), settings),
            **_common(request),
        },
        status_code=status_code,
    )


@router.get("/staff/clients/{client_id}/plan/goals/{goal_id}/services")
def find_services_page(
    request: Request, session: SessionDep, settings: SettingsDep, actor: Writer, client_id: str, goal_id: str
) -> Response:
    goal, client = _goal_of(session, actor, client_id, goal_id, "person.write")
    search = plans.default_search(session, settings, client, goal)
    return _search_page(request, session, settings, actor, client, goal_id, search)


@router.post("/staff/clients/{client_id}/plan/goals/{goal_id}/services/search")
async def search_services(
    request: Request, session: SessionDep, settings: SettingsDep, actor: Writer, client_id: str, goal_id: str
) -> Response:
    _goal, client = _goal_of(session, actor, client_id, goal_id, "person.write")
    form = await request.form(max_part_size=TRANSPORT_LIMIT)
    categories = [str(code) for code in form.getlist("category") if str(code) in CATEGORY_CODES]
    page_text = str(form.get("page", "1"))
    search = plans.ServiceSearch(
        categories=categories,
        language=str(form.get("language", "")).strip()[:35] or None,
        near=str(form.get("near", "")).strip()[:80] or None,
        no_status_check=form.get("no_status_check") == "1",
        no_documents=form.get("no_documents") == "1",
        free=form.get("free") == "1",
        page=int(page_text) if page_text.isdigit() and 0 < len(page_text) < 4 and int(page_text) > 0 else 1,
    )
    return _search_page(request, session, settings, actor, client, goal_id, search)


@router.post("/staff/clients/{client_id}/plan/goals/{goal_id}/services")
def attach_service(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: Writer,
    client_id: str,
    goal_id: str,
    service_id: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    location_id: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
) -> Response:
    goal, _client = _goal_of(session, actor, client_id, goal_id, "person.write")
    plans.attach_service(session, settings, actor, goal, service_id=service_id, location_id=location_id or None,
                         request_id=request_id(request))
    return _see_other(f"/staff/clients/{client_id}/plan/goals/{goal_id}?done=service-attached#services")


@router.post("/staff/clients/{client_id}/plan/goals/{goal_id}/services/remove")
def detach_service(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: Writer,
    client_id: str,
    goal_id: str,
    attached_id: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
) -> Response:
    goal, _client = _goal_of(session, actor, client_id, goal_id, "person.write")
    plans.detach_service(session, settings, actor, goal, attached_id, request_id=request_id(request))
    return _see_other(f"/staff/clients/{client_id}/plan/goals/{goal_id}?done=service-detached#services")


# --- The printed plan --------------------------------------------------------------------------------------------


def print_language(request: Request, profile: clients.Profile) -> str:
    """?lang= when it is a language of the interface; else the person's first language the interface has; else the
    worker's own."""
    asked = i18n.language_or_none(request.query_params.get("lang"))
    if asked:
        return asked
    for tag in profile.languages:
        code = i18n.language_or_none(tag.split("-")[0].lower())
        if code:
            return code
    cookie = i18n.language_or_none(request.cookies.get(i18n.LANG_COOKIE))
    return cookie or i18n.negotiate_language(request)


@router.get("/staff/clients/{client_id}/plan/print")
def print_plan(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: Reader,
    client_id: str,
    lang: Annotated[str, Query(max_length=8)] = "",
) -> Response:
    client = clients.find_client(session, actor, client_id, "person.read")
    audit.record(session, "plan.print", actor=actor, record_type=clients.RECORD_TYPE, record_id=client.id,
                 request_id=request_id(request))
    profile = clients.open_profile(session, settings, client)
    language = print_language(request, profile)
    plan = plans.plan_of(session, settings, client)
    goals = [goal for goal in plan.goals if goal.status == plans.OPEN] or plan.goals
    details = {}
    for goal in goals:
        for service in goal.services:
            if service.id not in details:
                details[service.id] = plans.service_details(session, service, language, settings)
    from carebridge.directory.pages import _formatting  # noqa: PLC2701 - the finder's date and number formats

    return render(
        request,
        "staff/plans/print.html",
        {
            "client_id": client.id,
            "preferred_name": profile.preferred_name,
            "goals": goals,
            "details": details,
            "emergency_numbers": emergency_numbers(client.jurisdiction, settings),
            "languages": i18n.LANGUAGES,
            "printed_on": plans.today(settings),
            **_formatting(language, settings),
            **_common(request),
        },
        language=language,
    )
