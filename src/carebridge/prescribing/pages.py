"""Staff pages of social prescribing (issue 11): the person page's "Social prescribing" section, recording a "what
matters to you" conversation, turning what the person wants to try into a plan goal, ONS4 wellbeing at start and
follow-up, finding community activities (need and area posted, never in the URL; each result links to the referral
form with ids only) and raising a safeguarding concern (the risk workflow).

Every route declares its permission; the services check it again and scope the record. Forms post, then redirect
(303) with a short result code, never personal data; a form with a problem is shown again (422) with an error summary
and what was typed.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from carebridge import i18n
from carebridge.accounts.access import Actor, requires
from carebridge.accounts.rendering import form_errors, render_staff
from carebridge.clients import service as clients
from carebridge.clients.models import Client
from carebridge.config import Settings
from carebridge.errors import N_, Conflict, FieldError, InvalidInput
from carebridge.prescribing import ons4, service
from carebridge.web import SessionDep, SettingsDep, request_id

router = APIRouter(include_in_schema=False)

TRANSPORT_LIMIT = 20_000
Reader = Annotated[Actor, Depends(requires("person.read"))]
Writer = Annotated[Actor, Depends(requires("person.write"))]
Raiser = Annotated[Actor, Depends(requires("risk.raise"))]

NOTICES = {
    "conversation": N_("The conversation was saved."),
    "goal": N_("A goal was added to the person’s action plan."),
    "wellbeing": N_("The wellbeing answers were saved."),
    "concern": N_("The safeguarding concern was raised. The clinician on duty has been told."),
}
STAGE_LABELS = {"start": N_("At the start"), "follow-up": N_("At a follow-up")}
FILTER_LABELS = {
    "low_cost": N_("Free or low cost"),
    "childcare": N_("Childcare provided"),
    "faith_sensitive": N_("Faith-sensitive"),
    "transport_help": N_("Help with transport"),
    "women_only": N_("Women only"),
    "men_only": N_("Men only"),
}
# The activity kinds by their taxonomy names (translated in the staff domain).
NEED_LABELS = {
    "language-classes": N_("Language classes"),
    "food": N_("Food"),
    "social-support": N_("Social support"),
    "sport-exercise": N_("Sport and exercise"),
    "arts-culture": N_("Arts and culture"),
    "faith-cultural-groups": N_("Faith and cultural groups"),
    "volunteering": N_("Volunteering"),
    "parent-groups": N_("Parent and toddler groups"),
    "befriending": N_("Befriending"),
    "gardening-outdoors": N_("Gardening and the outdoors"),
    "cooking-eating-together": N_("Cooking and eating together"),
}
MAX_PLACE = 80


def _see_other(url: str) -> Response:
    return RedirectResponse(url, status_code=303)


def _csrf(request: Request) -> str:
    return getattr(request.state, "csrf_token", "")


def _date(value: str, name: str, errors: list[FieldError]) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value.strip()) if value.strip() else None
    except ValueError:
        errors.append(FieldError(name, N_("Enter the date, for example 2026-12-01.")))
        return None


# --- The person page's section -------------------------------------------------------------------------------------


def _wellbeing_rows(view: service.PrescribingView) -> list[dict[str, Any]]:
    return [
        {
            "stage": STAGE_LABELS[item.stage],
            "taken_on": item.taken_on.isoformat(),
            "scores": [(item.scores[q], ons4.BAND_LABELS[item.bands[q]]) for q in ons4.QUESTIONS],
        }
        for item in view.wellbeing
    ]


def _changes(view: service.PrescribingView) -> list[dict[str, Any]]:
    return [
        {
            "question": ons4.SHORT[change.question],
            "start": change.start,
            "follow_up": change.follow_up,
            "difference": f"{change.difference:+d}" if change.difference else "0",
            "direction": ons4.DIRECTION_LABELS[change.direction],
            "direction_code": change.direction,
            "start_band": ons4.BAND_LABELS[change.start_band],
            "follow_up_band": ons4.BAND_LABELS[change.follow_up_band],
            "lower_is_better": change.question in ons4.LOWER_IS_BETTER,
        }
        for change in view.changes
    ]


def section(session: Session, settings: Settings, actor: Actor, client: Client, request: Request) -> dict[str, Any] | None:
    """The person page's social-prescribing section (clients.sections): conversations, wellbeing and its change,
    links to record, find activities and raise a concern. Shown to whoever may read the record. Not audited again:
    the person's page that shows it (which found the record in the reader's scope) is audited `client.read`."""
    if not actor.can("person.read"):
        return None
    view = service.record_of(session, settings, client)
    notice = request.query_params.get("prescribing")
    return {
        "prescribing_section": {
            "client_id": client.id,
            "conversations": view.conversations,
            "wellbeing": _wellbeing_rows(view),
            "changes": _changes(view),
            "questions": [ons4.SHORT[q] for q in ons4.QUESTIONS],
            "can_write": actor.can("person.write"),
            "can_raise": actor.can("risk.raise"),
            "notice": NOTICES.get(notice or ""),
            "csrf_token": _csrf(request),
        }
    }


# --- The conversation ----------------------------------------------------------------------------------------------


def _conversation_form(request: Request, client: Client, *, values: dict[str, Any], errors: list, status_code: int = 200) -> Response:
    return render_staff(
        request,
        "staff/prescribing/conversation.html",
        {"client_id": client.id, "values": values, "errors": errors, "limit": service.TEXT_MAXIMUM},
        status_code=status_code,
    )


@router.get("/staff/clients/{client_id}/social-prescribing/conversation")
def conversation_page(request: Request, session: SessionDep, settings: SettingsDep, actor: Writer, client_id: str) -> Response:
    client = clients.find_client(session, actor, client_id, "person.write")
    return _conversation_form(request, client, values={}, errors=[])


@router.post("/staff/clients/{client_id}/social-prescribing/conversation")
def conversation_save(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: Writer,
    client_id: str,
    held_on: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    what_matters: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    strengths: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    want_to_try: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
) -> Response:
    client = clients.find_client(session, actor, client_id, "person.write")
    values = {"held_on": held_on, "what_matters": what_matters, "strengths": strengths, "want_to_try": want_to_try}
    # A date that cannot be read is no date: the service then says how to write one, with every other problem.
    day = _date(held_on, "held_on", [])
    try:
        service.record_conversation(session, settings, actor, client.id, held_on=day, what_matters=what_matters,
                                    strengths=strengths, want_to_try=want_to_try, request_id=request_id(request))
    except InvalidInput as problem:
        return _conversation_form(request, client, values=values, errors=form_errors(request, problem.errors), status_code=422)
    return _see_other(f"/staff/clients/{client.id}?prescribing=conversation#prescribing")


@router.post("/staff/clients/{client_id}/social-prescribing/conversations/{conversation_id}/goal")
def make_goal(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: Writer,
    client_id: str,
    conversation_id: str,
    version: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    client = clients.find_client(session, actor, client_id, "person.write")
    conversation, owner = service.find_conversation(session, actor, conversation_id, "person.write")
    if owner.id != client.id:
        raise service.NotFound(service.NO_CONVERSATION)
    number = int(version) if version.isascii() and version.isdigit() else -1
    try:
        service.make_goal(session, settings, actor, conversation.id, version=number, request_id=request_id(request))
    except (Conflict, InvalidInput):
        # Already made, changed meanwhile or nothing to try: the section shows the conversation as it is now.
        return _see_other(f"/staff/clients/{client.id}#prescribing")
    return _see_other(f"/staff/clients/{client.id}?prescribing=goal#prescribing")


# --- ONS4 ------------------------------------------------------------------------------------------------------------


def _wellbeing_form(request: Request, client: Client, *, values: dict[str, Any], errors: list, status_code: int = 200) -> Response:
    return render_staff(
        request,
        "staff/prescribing/wellbeing.html",
        {
            "client_id": client.id,
            "values": values,
            "errors": errors,
            "stages": [(stage, STAGE_LABELS[stage]) for stage in service.STAGES],
            "questions": [(q, ons4.TEXTS[q]) for q in ons4.QUESTIONS],
            "scale": list(range(ons4.LOWEST, ons4.HIGHEST + 1)),
        },
        status_code=status_code,
    )


@router.get("/staff/clients/{client_id}/social-prescribing/wellbeing")
def wellbeing_page(request: Request, session: SessionDep, settings: SettingsDep, actor: Writer, client_id: str) -> Response:
    client = clients.find_client(session, actor, client_id, "person.write")
    return _wellbeing_form(request, client, values={}, errors=[])


@router.post("/staff/clients/{client_id}/social-prescribing/wellbeing")
def wellbeing_save(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: Writer,
    client_id: str,
    stage: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    taken_on: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    life_satisfaction: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    worthwhile: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    happiness: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    anxiety: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
) -> Response:
    client = clients.find_client(session, actor, client_id, "person.write")
    answers = {"life_satisfaction": life_satisfaction, "worthwhile": worthwhile, "happiness": happiness, "anxiety": anxiety}
    values = {"stage": stage, "taken_on": taken_on, **answers}
    # A date that cannot be read is no date: the service then says how to write one, with every other problem.
    day = _date(taken_on, "taken_on", [])
    try:
        service.record_wellbeing(session, settings, actor, client.id, stage=stage, taken_on=day, answers=answers,
                                 request_id=request_id(request))
    except InvalidInput as problem:
        return _wellbeing_form(request, client, values=values, errors=form_errors(request, problem.errors), status_code=422)
    return _see_other(f"/staff/clients/{client.id}?prescribing=wellbeing#prescribing")


# --- Finding activities ------------------------------------------------------------------------------------------------


def _find_page(
    request: Request, client: Client, *, values: dict[str, Any], errors: list, results: list[dict[str, Any]] | None,
    total: int = 0, status_code: int = 200,
) -> Response:
    return render_staff(
        request,
        "staff/prescribing/find.html",
        {
            "client_id": client.id,
            "values": values,
            "errors": errors,
            "needs": [("", N_("Any kind of activity"))] + [(code, NEED_LABELS[code]) for code in service.ACTIVITY_CATEGORIES],
            "filters": list(FILTER_LABELS.items()),
            "results": results,
            "total": total,
        },
        status_code=status_code,
    )


@router.get("/staff/clients/{client_id}/social-prescribing/find")
def find_page(request: Request, session: SessionDep, settings: SettingsDep, actor: Reader, client_id: str) -> Response:
    client = clients.find_client(session, actor, client_id, "person.read")
    return _find_page(request, client, values={}, errors=[], results=None)


def _result(client_id: str, item: dict[str, Any], lang: str) -> dict[str, Any]:
    link_id = item.get("service_at_location_id")
    query = urlencode({"service_at_location_id": link_id, "kind": "social-prescribing"}) if link_id else None
    facts = [label for name, label in FILTER_LABELS.items() if name in ("low_cost", "childcare", "transport_help") and item.get(name)]
    if item.get("eligible_gender") == "female":
        facts.append(FILTER_LABELS["women_only"])
    elif item.get("eligible_gender") == "male":
        facts.append(FILTER_LABELS["men_only"])
    return {
        "name": item.get("name") or "",
        "organization": item.get("organization"),
        "area": item.get("area"),
        "languages": [i18n.language_name(code, lang) for code in item.get("languages") or []],
        "facts": facts,
        "faith": item.get("faith_sensitive"),
        "refer_href": f"/staff/clients/{client_id}/referrals/new?{query}" if query else None,
    }


@router.post("/staff/clients/{client_id}/social-prescribing/find")
def find_results(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: Reader,
    client_id: str,
    need: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    near: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    language: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    low_cost: Annotated[str, Form(max_length=16)] = "",
    childcare: Annotated[str, Form(max_length=16)] = "",
    faith_sensitive: Annotated[str, Form(max_length=16)] = "",
    transport_help: Annotated[str, Form(max_length=16)] = "",
    women_only: Annotated[str, Form(max_length=16)] = "",
    men_only: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    client = service.record_search(session, actor, client_id, request_id=request_id(request))
    flags = {"low_cost": low_cost, "childcare": childcare, "faith_sensitive": faith_sensitive,
             "transport_help": transport_help, "women_only": women_only, "men_only": men_only}
    wanted = {name: value == "1" for name, value in flags.items()}
    values = {"need": need, "near": near, "language": language, **wanted}
    errors: list[FieldError] = []
    if len(near) > MAX_PLACE:
        errors.append(FieldError("near", N_("Write at most %(limit)s characters."), params={"limit": MAX_PLACE}))
    if len(language) > 16:
        errors.append(FieldError("language", N_("Write a language code such as ar, fa or uk.")))
    try:
        if errors:
            raise InvalidInput(errors=errors)
        found = service.search_activities(session, need=need or None, language=language.strip() or None,
                                          near=near.strip() or None, per_page=20, **wanted)
    except InvalidInput as problem:
        return _find_page(request, client, values=values, errors=form_errors(request, problem.errors), results=None, status_code=422)
    lang = i18n.negotiate_language(request)
    results = [_result(client.id, item, lang) for item in found.results]
    return _find_page(request, client, values=values, errors=[], results=results, total=found.total)


# --- Safeguarding -------------------------------------------------------------------------------------------------------


def _concern_form(request: Request, client: Client, *, values: dict[str, Any], errors: list, status_code: int = 200) -> Response:
    return render_staff(
        request,
        "staff/prescribing/concern.html",
        {"client_id": client.id, "values": values, "errors": errors, "limit": 5000},
        status_code=status_code,
    )


@router.get("/staff/clients/{client_id}/social-prescribing/concern")
def concern_page(request: Request, session: SessionDep, settings: SettingsDep, actor: Raiser, client_id: str) -> Response:
    client = clients.find_client(session, actor, client_id, "risk.raise")
    return _concern_form(request, client, values={}, errors=[])


@router.post("/staff/clients/{client_id}/social-prescribing/concern")
def concern_raise(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: Raiser,
    client_id: str,
    seen: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    done: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
) -> Response:
    client = clients.find_client(session, actor, client_id, "risk.raise")
    try:
        service.raise_concern(session, settings, actor, client.id, seen=seen, done=done, request_id=request_id(request))
    except InvalidInput as problem:
        return _concern_form(request, client, values={"seen": seen, "done": done},
                             errors=form_errors(request, problem.errors), status_code=422)
    return _see_other(f"/staff/clients/{client.id}?prescribing=concern#prescribing")
