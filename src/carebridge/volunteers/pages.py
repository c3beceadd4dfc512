"""Staff pages of volunteers and network families: the organisation's register (/staff/volunteers: add, change, pause,
remove), the person page's "volunteers" section with finding and proposing a match (/staff/clients/{client_id}/
volunteers/...), and the volunteer's own matches (/staff/volunteering).

Every route declares its permission; the services check it again and scope the person, so a record outside the
actor's scope is the same 404 as a missing one. Forms post, then redirect (303) with `?done=`; a form with a problem
is shown again (422; 409 for a stale edit, keeping what was typed) with an error summary. The person's area and
interests are posted, never put in a URL. No JavaScript.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from carebridge import i18n
from carebridge.accounts.access import Actor, requires
from carebridge.accounts.rendering import form_errors, render_staff
from carebridge.clients import service as clients
from carebridge.clients.models import Client
from carebridge.errors import N_, Conflict, FieldError, InvalidInput, NotFound
from carebridge.volunteers import service as volunteers
from carebridge.web import SessionDep, SettingsDep, request_id

router = APIRouter(include_in_schema=False)

TRANSPORT_LIMIT = 10_000
Manager = Annotated[Actor, Depends(requires(volunteers.MANAGE))]
Volunteering = Annotated[Actor, Depends(requires(volunteers.OWN))]

KIND_LABELS = {volunteers.VOLUNTEER: N_("Volunteer"), volunteers.FAMILY: N_("Network family")}
INTEREST_LABELS = {
    "football": N_("Football"), "sport": N_("Other sport"), "walking": N_("Walking"), "cooking": N_("Cooking"),
    "music": N_("Music"), "arts": N_("Arts"), "crafts": N_("Crafts"), "gardening": N_("Gardening"),
    "reading": N_("Reading"), "faith": N_("Faith and worship"), "language-practice": N_("Practising a language"),
    "children": N_("Activities with children"), "games": N_("Games"), "technology": N_("Computers and phones"),
    "other": N_("Something else"),
}
MATCH_STATUS_LABELS = {
    volunteers.PROPOSED: N_("Proposed, waiting for the volunteer’s answer"),
    volunteers.MATCHED: N_("Active"),
    volunteers.DECLINED: N_("Declined by the volunteer"),
    volunteers.ENDED: N_("Ended"),
}
END_REASON_LABELS = {
    "goal-met": N_("What the match was for is done"),
    "person-ended": N_("The person wanted to end it"),
    "volunteer-ended": N_("The volunteer wanted to end it"),
    "no-contact": N_("They could not meet or stay in touch"),
    "safeguarding": N_("A safeguarding concern"),
    "other": N_("Another reason"),
    volunteers.VOLUNTEER_REMOVED: N_("The volunteer left the register"),
}
AGREED_HOW_LABELS = {
    "in-person": N_("In person"), "phone": N_("By phone"), "interpreter": N_("Through an interpreter"),
    "written": N_("In writing"),
}
DONE = {
    "added": N_("The volunteer was added."),
    "changed": N_("The volunteer was saved."),
    "paused": N_("The volunteer was paused: they will not be proposed until they are active again."),
    "resumed": N_("The volunteer is active again."),
    "removed": N_("The volunteer was removed, and what named them was erased."),
    "proposed": N_("The match was proposed. The volunteer has been told to sign in and answer."),
    "answered": N_("The volunteer’s answer was recorded."),
    "ended": N_("The match was ended."),
    "accepted": N_("You accepted the match. Thank you."),
    "declined": N_("You declined the match."),
}
LANGUAGE_NAMES = dict(clients.COMMON_LANGUAGES)


def _see_other(url: str) -> Response:
    return RedirectResponse(url, status_code=303)


def _done(request: Request) -> str | None:
    return DONE.get(request.query_params.get("done", ""))


def _section_done(request: Request) -> str | None:
    """What the person page's section says after its forms (?done=volunteer-...)."""
    done = request.query_params.get("done", "")
    return DONE.get(done.removeprefix("volunteer-")) if done.startswith("volunteer-") else None


def _translate(request: Request) -> Any:
    return i18n.get_translations(i18n.negotiate_language(request)).gettext


def language_label(translate: Any, tag: str) -> str:
    """A language's name in the reader's language when it is one of the common ones ("ar-SY" -> Arabic (Syria),
    else "ar" -> Arabic), else the tag itself."""
    name = LANGUAGE_NAMES.get(tag) or LANGUAGE_NAMES.get(tag.split("-")[0])
    return translate(name) if name else tag


def _common(request: Request, settings: Any = None) -> dict[str, Any]:
    """What every volunteers template uses; `settings` from the caller when it has them (a person-page section is
    given them), else the app's."""
    translate = _translate(request)
    return {
        "kind_labels": KIND_LABELS,
        "interest_labels": INTEREST_LABELS,
        "match_status_labels": MATCH_STATUS_LABELS,
        "end_reason_labels": END_REASON_LABELS,
        "agreed_how_labels": AGREED_HOW_LABELS,
        "language_label": lambda tag: language_label(translate, tag),
        "interest_options": [(interest, translate(INTEREST_LABELS[interest])) for interest in volunteers.INTERESTS],
        "today": volunteers.today(settings if settings is not None else request.app.state.settings),
    }


def _date(text: str, name: str, errors: list[FieldError]) -> dt.date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        errors.append(FieldError(name, N_("Enter a real date, for example 2027-03-27.")))
        return None


# --- The register --------------------------------------------------------------------------------------------------


@router.get("/staff/volunteers")
def register_page(request: Request, session: SessionDep, settings: SettingsDep, actor: Manager) -> Response:
    views = volunteers.list_volunteers(session, settings, actor, request_id=request_id(request))
    return render_staff(request, "staff/volunteers/index.html",
                        {"volunteers": views, "done": _done(request), **_common(request)})


def _form(request: Request, session: Any, actor: Actor, *, values: dict[str, Any], errors: list, volunteer_id: str | None = None,
          version: int | None = None, stale: bool = False, status_code: int = 200) -> Response:
    translate = _translate(request)
    return render_staff(request, "staff/volunteers/form.html", {
        "volunteer_id": volunteer_id,
        "version": version,
        "stale": stale,
        "values": values,
        "errors": errors,
        "kind_options": [(kind, translate(KIND_LABELS[kind]), None) for kind in volunteers.KINDS],
        "account_options": volunteers.volunteer_accounts(session, actor, include=volunteer_id),
        "interests": volunteers.INTERESTS,
        **_common(request),
    }, status_code=status_code)


EMPTY = {"kind": "", "display_name": "", "contact": "", "languages": "", "area": "", "interests": [],
         "interests_other": "", "availability": "", "check_on": "", "check_expires_on": "", "max_matches": "1",
         "account_id": ""}


def _values_of(view: volunteers.VolunteerView) -> dict[str, Any]:
    return {
        "kind": view.kind, "display_name": view.display_name, "contact": view.contact,
        "languages": " ".join(view.languages), "area": view.area, "interests": view.interests,
        "interests_other": view.interests_other, "availability": view.availability,
        "check_on": view.check_on.isoformat() if view.check_on else "",
        "check_expires_on": view.check_expires_on.isoformat() if view.check_expires_on else "",
        "max_matches": str(view.max_matches), "account_id": view.account_id or "",
    }


def _input_of(values: dict[str, Any], errors: list[FieldError]) -> volunteers.VolunteerInput:
    check_on = _date(values["check_on"], "check_on", errors)
    expires = _date(values["check_expires_on"], "check_expires_on", errors)
    text = (values["max_matches"] or "").strip()
    number = int(text) if text.isdigit() and len(text) < 4 else 0
    return volunteers.VolunteerInput(
        kind=values["kind"], display_name=values["display_name"], contact=values["contact"],
        languages=[values["languages"]], area=values["area"], interests=list(values["interests"]),
        interests_other=values["interests_other"], availability=values["availability"], check_on=check_on,
        check_expires_on=expires, max_matches=number, account_id=values["account_id"] or None,
    )


def _check_all(session: Any, settings: Any, actor: Actor, data: volunteers.VolunteerInput, errors: list[FieldError],
               volunteer_id: str | None) -> None:
    """Every problem of the form at once: the dates that did not parse, and the service's own checks."""
    if not errors:
        return
    try:
        volunteers.check_volunteer_input(session, actor, data, settings, volunteer_id)
    except InvalidInput as problem:
        errors += [error for error in problem.errors if error.name not in {e.name for e in errors}]
    raise InvalidInput(errors=errors)


@router.get("/staff/volunteers/new")
def new_volunteer_page(request: Request, session: SessionDep, actor: Manager) -> Response:
    return _form(request, session, actor, values=dict(EMPTY), errors=[])


@router.post("/staff/volunteers/new")
def create_volunteer(
    request: Request, session: SessionDep, settings: SettingsDep, actor: Manager,
    kind: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    display_name: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    contact: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    languages: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    area: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    interests: Annotated[list[str] | None, Form(max_length=40)] = None,
    interests_other: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    availability: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    check_on: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    check_expires_on: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    max_matches: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "1",
    account_id: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
) -> Response:
    values = {"kind": kind, "display_name": display_name, "contact": contact, "languages": languages, "area": area,
              "interests": interests or [], "interests_other": interests_other, "availability": availability,
              "check_on": check_on, "check_expires_on": check_expires_on, "max_matches": max_matches,
              "account_id": account_id}
    errors: list[FieldError] = []
    try:
        data = _input_of(values, errors)
        _check_all(session, settings, actor, data, errors, None)
        volunteers.create_volunteer(session, settings, actor, data, request_id=request_id(request))
    except InvalidInput as problem:
        session.rollback()
        return _form(request, session, actor, values=values, errors=form_errors(request, problem.errors), status_code=422)
    return _see_other("/staff/volunteers?done=added")


@router.get("/staff/volunteers/{volunteer_id}/edit")
def edit_volunteer_page(request: Request, session: SessionDep, settings: SettingsDep, actor: Manager,
                        volunteer_id: str) -> Response:
    view = volunteers.read_volunteer(session, settings, actor, volunteer_id, request_id=request_id(request))
    return _form(request, session, actor, values=_values_of(view), errors=[], volunteer_id=view.id, version=view.version)


@router.post("/staff/volunteers/{volunteer_id}/edit")
def edit_volunteer(
    request: Request, session: SessionDep, settings: SettingsDep, actor: Manager, volunteer_id: str,
    kind: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    display_name: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    contact: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    languages: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    area: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    interests: Annotated[list[str] | None, Form(max_length=40)] = None,
    interests_other: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    availability: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    check_on: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    check_expires_on: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    max_matches: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "1",
    account_id: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    version: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
) -> Response:
    volunteer = volunteers.find_volunteer(session, actor, volunteer_id)
    values = {"kind": kind, "display_name": display_name, "contact": contact, "languages": languages, "area": area,
              "interests": interests or [], "interests_other": interests_other, "availability": availability,
              "check_on": check_on, "check_expires_on": check_expires_on, "max_matches": max_matches,
              "account_id": account_id}
    number = int(version) if version.isdigit() and len(version) < 10 else 0
    errors: list[FieldError] = []
    try:
        data = _input_of(values, errors)
        _check_all(session, settings, actor, data, errors, volunteer.id)
        volunteers.update_volunteer(session, settings, actor, volunteer.id, data, version=number,
                                    request_id=request_id(request))
    except InvalidInput as problem:
        session.rollback()
        return _form(request, session, actor, values=values, errors=form_errors(request, problem.errors),
                     volunteer_id=volunteer_id, version=number, status_code=422)
    except Conflict as problem:
        session.rollback()
        current = volunteers.find_volunteer(session, actor, volunteer_id)
        return _form(request, session, actor, values=values,
                     errors=form_errors(request, [FieldError("display_name", problem.detail or problem.title)]),
                     volunteer_id=volunteer_id, version=current.version, stale=True, status_code=409)
    return _see_other("/staff/volunteers?done=changed")


@router.post("/staff/volunteers/{volunteer_id}/pause")
def pause_volunteer(request: Request, session: SessionDep, settings: SettingsDep, actor: Manager, volunteer_id: str,
                    paused: Annotated[str, Form(max_length=8)] = "1") -> Response:
    volunteers.set_paused(session, settings, actor, volunteer_id, paused == "1", request_id=request_id(request))
    return _see_other(f"/staff/volunteers?done={'paused' if paused == '1' else 'resumed'}")


@router.get("/staff/volunteers/{volunteer_id}/remove")
def remove_volunteer_page(request: Request, session: SessionDep, settings: SettingsDep, actor: Manager,
                          volunteer_id: str) -> Response:
    view = volunteers.read_volunteer(session, settings, actor, volunteer_id, request_id=request_id(request))
    return render_staff(request, "staff/volunteers/remove.html", {"volunteer": view, "errors": [], **_common(request)})


@router.post("/staff/volunteers/{volunteer_id}/remove")
def remove_volunteer(request: Request, session: SessionDep, settings: SettingsDep, actor: Manager, volunteer_id: str,
                     confirm: Annotated[str, Form(max_length=8)] = "") -> Response:
    if confirm != "1":
        view = volunteers.read_volunteer(session, settings, actor, volunteer_id, request_id=request_id(request))
        errors = form_errors(request, [FieldError("confirm", N_("Tick the box to confirm the removal."))])
        return render_staff(request, "staff/volunteers/remove.html",
                            {"volunteer": view, "errors": errors, **_common(request)}, status_code=422)
    volunteers.remove_volunteer(session, settings, actor, volunteer_id, request_id=request_id(request))
    return _see_other("/staff/volunteers?done=removed")


# --- The person page's section ---------------------------------------------------------------------------------


def section(session: Any, settings: Any, actor: Actor, client: Client, request: Request) -> dict[str, Any] | None:
    """The person's matches and "find a volunteer", for those who keep volunteers for this person (volunteer.manage
    in scope); not shown to others. Not audited again: the person's page is audited `client.read`."""
    if not actor.can(volunteers.MANAGE):
        return None
    try:
        volunteers.find_person(session, actor, client.id)
    except NotFound:
        return None
    return {
        "matches": volunteers.matches_of(session, settings, client),
        "volunteers_done": _section_done(request),
        "end_reasons": volunteers.END_REASONS,
        **_common(request, settings),
    }


def _find_page(request: Request, session: Any, settings: Any, actor: Actor, client: Client, *, values: dict[str, Any],
               errors: list, searched: bool, status_code: int = 200) -> Response:
    suggestions = []
    if searched:
        try:
            suggestions = volunteers.find_candidates(session, settings, actor, client.id, area=values["area"],
                                                     interests=list(values["interests"]), request_id=request_id(request))
        except InvalidInput as problem:
            errors = errors + form_errors(request, problem.errors)
            status_code = 422
    translate = _translate(request)
    return render_staff(request, "staff/volunteers/find.html", {
        "client_id": client.id,
        "values": values,
        "errors": errors,
        "searched": searched,
        "suggestions": suggestions,
        "interests": volunteers.INTERESTS,
        "agreed_how_options": [(how, translate(AGREED_HOW_LABELS[how]), None) for how in volunteers.AGREED_HOW],
        **_common(request),
    }, status_code=status_code)


FIND_EMPTY = {"area": "", "interests": [], "volunteer_id": "", "how_to_meet": "", "person_agreed": "", "agreed_how": "",
              "share_name": ""}


@router.get("/staff/clients/{client_id}/volunteers/find")
def find_page(request: Request, session: SessionDep, settings: SettingsDep, actor: Manager, client_id: str) -> Response:
    client = volunteers.find_person(session, actor, client_id)
    return _find_page(request, session, settings, actor, client, values=dict(FIND_EMPTY), errors=[], searched=False)


@router.post("/staff/clients/{client_id}/volunteers/find")
def find(request: Request, session: SessionDep, settings: SettingsDep, actor: Manager, client_id: str,
         area: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
         interests: Annotated[list[str] | None, Form(max_length=40)] = None) -> Response:
    client = volunteers.find_person(session, actor, client_id)
    values = {**FIND_EMPTY, "area": area, "interests": interests or []}
    return _find_page(request, session, settings, actor, client, values=values, errors=[], searched=True)


@router.post("/staff/clients/{client_id}/volunteers/propose")
def propose(
    request: Request, session: SessionDep, settings: SettingsDep, actor: Manager, client_id: str,
    area: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    interests: Annotated[list[str] | None, Form(max_length=40)] = None,
    volunteer_id: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    how_to_meet: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    person_agreed: Annotated[str, Form(max_length=8)] = "",
    agreed_how: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    share_name: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    client = volunteers.find_person(session, actor, client_id)
    values = {"area": area, "interests": interests or [], "volunteer_id": volunteer_id, "how_to_meet": how_to_meet,
              "person_agreed": person_agreed, "agreed_how": agreed_how, "share_name": share_name}
    try:
        volunteers.propose_match(session, settings, actor, client.id, volunteers.MatchInput(
            volunteer_id=volunteer_id, area=area, interests=list(interests or []), how_to_meet=how_to_meet,
            person_agreed=person_agreed == "1", agreed_how=agreed_how, share_name=share_name == "1",
        ), request_id=request_id(request))
    except InvalidInput as problem:
        session.rollback()
        client = volunteers.find_person(session, actor, client_id)
        return _find_page(request, session, settings, actor, client, values=values,
                          errors=form_errors(request, problem.errors), searched=True, status_code=422)
    return _see_other(f"/staff/clients/{client.id}?done=volunteer-proposed#volunteers")


@router.post("/staff/clients/{client_id}/volunteers/matches/{match_id}/answer")
def record_answer(request: Request, session: SessionDep, settings: SettingsDep, actor: Manager, client_id: str,
                  match_id: str, answer: Annotated[str, Form(max_length=16)] = "") -> Response:
    volunteers.answer_match(session, settings, actor, match_id, answer, client_id=client_id,
                            request_id=request_id(request))
    return _see_other(f"/staff/clients/{client_id}?done=volunteer-answered#volunteers")


@router.post("/staff/clients/{client_id}/volunteers/matches/{match_id}/end")
def end(request: Request, session: SessionDep, settings: SettingsDep, actor: Manager, client_id: str, match_id: str,
        reason: Annotated[str, Form(max_length=32)] = "", exclude: Annotated[str, Form(max_length=8)] = "") -> Response:
    volunteers.end_match(session, settings, actor, client_id, match_id, reason, exclude=exclude == "1",
                         request_id=request_id(request))
    return _see_other(f"/staff/clients/{client_id}?done=volunteer-ended#volunteers")


# --- The volunteer's own matches ---------------------------------------------------------------------------------


@router.get("/staff/volunteering")
def own_page(request: Request, session: SessionDep, settings: SettingsDep, actor: Volunteering) -> Response:
    matches = volunteers.own_matches(session, settings, actor, request_id=request_id(request))
    return render_staff(request, "staff/volunteers/own.html",
                        {"matches": matches, "done": _done(request), **_common(request)})


@router.post("/staff/volunteering/{match_id}/answer")
def own_answer(request: Request, session: SessionDep, settings: SettingsDep, actor: Volunteering, match_id: str,
               answer: Annotated[str, Form(max_length=16)] = "") -> Response:
    volunteers.answer_match(session, settings, actor, match_id, answer, request_id=request_id(request))
    return _see_other(f"/staff/volunteering?done={'accepted' if answer == 'accept' else 'declined'}")
