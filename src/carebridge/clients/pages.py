"""Staff pages of the clients domain: the caseload, creating and editing a person's record, the person's page.

No JavaScript: filters are a GET form, changes are forms that POST and then redirect (303) to a page that says what
was done (?done=...). A form with a problem is shown again (422; 409 when someone else changed the record meanwhile)
with an error summary and what was typed. Only the record's random id is ever in a URL. Reading needs person.read,
changing person.write; the services check again and scope every query, so a record outside the actor's scope is the
same 404 as a missing one.
"""

from __future__ import annotations

import datetime as dt
import importlib
import re
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup
from starlette.datastructures import FormData

from carebridge import i18n
from carebridge.accounts import break_glass
from carebridge.accounts.access import Actor, requires
from carebridge.accounts.rendering import form_errors, render_staff
from carebridge.clients import sections, service
from carebridge.clients.models import Client
from carebridge.errors import N_, Conflict, FieldError, InvalidInput, NotFound
from carebridge.web import SessionDep, SettingsDep, request_id, template_environment, url_with

router = APIRouter(include_in_schema=False)

Reader = Annotated[Actor, Depends(requires("person.read"))]
Writer = Annotated[Actor, Depends(requires("person.write"))]
# Bounds what one form field may carry (far above any real value): the service's own limits give the messages.
TRANSPORT_LIMIT = 10_000

DONE = {
    "created": N_("The record was created."),
    "updated": N_("The record was saved."),
    "contact": N_("The contact was recorded."),
    "closed": N_("The case was closed. The record will be erased at the end of the retention period."),
    "reopened": N_("The case was reopened. It will not be erased."),
    "flagged": N_("The record is marked as needing attention."),
    "unflagged": N_("The record is no longer marked as needing attention."),
    "not-confirmed": N_("Nothing was changed: tick the box to confirm."),
}


def _see_other(url: str) -> Response:
    return RedirectResponse(url, status_code=303)


# --- The caseload -------------------------------------------------------------------------------------------------


@router.get("/staff/clients")
def caseload_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: Reader,
    view: Annotated[str, Query(max_length=8)] = "mine",
    team: Annotated[str, Query(max_length=36)] = "",
    status: Annotated[str, Query(max_length=16)] = "open",
    last_contact: Annotated[str, Query(max_length=16)] = "any",
    attention: Annotated[str, Query(max_length=1)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    filters = service.CaseloadFilters(
        mine=view != "team", team_id=team or None, status=status, last_contact=last_contact, needs_attention=attention == "1"
    )
    errors: list[dict[str, str]] = []
    result = None
    try:
        result = service.caseload(session, settings, actor, filters, page, request_id=request_id(request))
    except InvalidInput as problem:
        errors = form_errors(request, problem.errors)
    return render_staff(
        request,
        "staff/clients/index.html",
        {
            "entries": result.entries if result else [],
            "page": page,
            "has_next": bool(result and result.has_next),
            "errors": errors,
            "selected": {"view": "team" if view == "team" else "mine", "team": team, "status": status,
                         "last_contact": last_contact, "attention": attention == "1"},
            "teams": service.caseload_team_choices(session, actor),
            "all_teams": service.organisation_wide(actor),
            "can_write": actor.can("person.write"),
            "no_contact_days": service.NO_CONTACT_DAYS,
        },
        status_code=422 if errors else 200,
    )


@router.post("/staff/clients/find")
def find_person(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: Reader,
    value: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
) -> Response:
    """Find a person by an exact phone number, e-mail address or reference number (clients.service.find_people).
    The form posts and the answer is this page, not a redirect: what was typed must stay out of every URL."""
    errors: list[dict[str, str]] = []
    entries: list[service.CaseloadEntry] = []
    try:
        entries = service.find_people(session, settings, actor, value, request_id=request_id(request))
    except InvalidInput as problem:
        errors = form_errors(request, problem.errors)
    return render_staff(
        request,
        "staff/clients/find.html",
        {"value": value, "errors": errors, "entries": entries, "searched": not errors},
        status_code=422 if errors else 200,
    )


# --- The form (new and edit) ------------------------------------------------------------------------------------


def _profile_from_form(form: FormData) -> tuple[service.Profile, list[FieldError]]:
    """The profile typed into the form, and the problems found reading it (a date that is not one...); the service
    checks the rest."""
    errors: list[FieldError] = []
    birth_date = None
    text = str(form.get("birth_date", "")).strip()
    if text:
        try:
            birth_date = dt.date.fromisoformat(text)
        except ValueError:
            errors.append(FieldError("birth_date", N_("Enter a real date, for example 2001-03-27.")))
    birth_year = None
    text = str(form.get("birth_year", "")).strip()
    if text:
        if text.isdigit() and len(text) == 4:
            birth_year = int(text)
        else:
            errors.append(FieldError("birth_year", N_("Enter a year of four digits, for example 1990.")))
    languages = [str(value) for value in form.getlist("languages")]
    languages += str(form.get("languages_other", "")).replace(",", " ").split()
    profile = service.Profile(
        preferred_name=str(form.get("preferred_name", "")),
        birth_date=birth_date,
        birth_year=birth_year,
        gender=str(form.get("gender", "")) or None,
        languages=languages,
        interpreter_needed=form.get("interpreter_needed") == "1",
        interpreter_language=str(form.get("interpreter_language", "")) or None,
        interpreter_gender=str(form.get("interpreter_gender", "any")) or "any",
        interpreter_not_from_community=form.get("interpreter_not_from_community") == "1",
    )
    return profile, errors


def _form_values(form: FormData | None, profile: service.Profile | None = None, client: Client | None = None) -> dict[str, Any]:
    if form is not None:
        values = {key: str(form.get(key, "")) for key in (
            "preferred_name", "birth_date", "birth_year", "gender", "languages_other", "interpreter_language",
            "interpreter_gender", "team_id", "owner_account_id", "jurisdiction")}
        values["languages"] = [str(value) for value in form.getlist("languages")]
        values["interpreter_needed"] = form.get("interpreter_needed") == "1"
        values["interpreter_not_from_community"] = form.get("interpreter_not_from_community") == "1"
        return values
    values: dict[str, Any] = {"interpreter_gender": "any", "languages": [], "languages_other": ""}
    if profile is not None:
        common = {tag for tag, _ in service.COMMON_LANGUAGES}
        values.update(
            preferred_name=profile.preferred_name,
            birth_date=profile.birth_date.isoformat() if profile.birth_date else "",
            birth_year=str(profile.birth_year) if profile.birth_year else "",
            gender=profile.gender or "",
            languages=[tag for tag in profile.languages if tag in common],
            languages_other=" ".join(tag for tag in profile.languages if tag not in common),
            interpreter_needed=profile.interpreter_needed,
            interpreter_language=profile.interpreter_language or "",
            interpreter_gender=profile.interpreter_gender,
            interpreter_not_from_community=profile.interpreter_not_from_community,
        )
    if client is not None:
        values.update(team_id=client.team_id or "", owner_account_id=client.owner_account_id or "", jurisdiction=client.jurisdiction)
    return values


def _language_options(request: Request) -> list[tuple[str, str]]:
    translate = i18n.get_translations(i18n.negotiate_language(request)).gettext
    return [(tag, translate(label)) for tag, label in service.COMMON_LANGUAGES]


def _form_page(
    request: Request,
    session: Any,
    settings: Any,
    actor: Actor,
    *,
    values: dict[str, Any],
    errors: list[dict[str, str]],
    client: Client | None = None,
    version: int | None = None,
    stale: bool = False,
    status_code: int = 200,
) -> Response:
    teams = service.team_choices(session, actor)
    caseworkers: list[tuple[str, str]] = []
    if client is not None:
        if client.team_id and client.team_id not in {key for key, _ in teams}:
            teams = [*teams, *[(key, name) for key, name in service.team_choices_by_id(session, {client.team_id})]]
        caseworkers = service.caseworker_choices(session, actor, client.team_id)
        if client.owner_account_id and client.owner_account_id not in {key for key, _ in caseworkers}:
            _, name = service.record_names(session, client)
            caseworkers = [*caseworkers, (client.owner_account_id, name or "")]
    return render_staff(
        request,
        "staff/clients/edit.html" if client is not None else "staff/clients/new.html",
        {
            "values": values,
            "errors": errors,
            "client": client,
            "version": version,
            "stale": stale,
            "teams": teams,
            "caseworkers": caseworkers,
            "jurisdiction_options": [(code, code) for code in service.jurisdiction_choices(settings)],
            "language_options": _language_options(request),
        },
        status_code=status_code,
    )


@router.get("/staff/clients/new")
def new_client_page(request: Request, session: SessionDep, settings: SettingsDep, actor: Writer) -> Response:
    values = _form_values(None)
    teams = service.team_choices(session, actor)
    values.update(team_id=teams[0][0] if teams else "", jurisdiction=settings.jurisdiction)
    return _form_page(request, session, settings, actor, values=values, errors=[])


@router.post("/staff/clients/new")
async def create_client(request: Request, session: SessionDep, settings: SettingsDep, actor: Writer) -> Response:
    form = await request.form(max_part_size=TRANSPORT_LIMIT)
    profile, errors = _profile_from_form(form)
    team_id = str(form.get("team_id", "")) or None
    try:
        if errors:
            try:
                service.check_profile(profile)
            except InvalidInput as problem:
                errors += [error for error in problem.errors if error.name not in {e.name for e in errors}]
            raise InvalidInput(errors=errors)
        if team_id is not None and team_id not in actor.team_ids:
            raise InvalidInput(errors=[FieldError("team_id", N_("Choose one of your own teams."))])
        client = service.create_client(
            session,
            settings,
            actor,
            profile,
            team_id=team_id,
            jurisdiction=str(form.get("jurisdiction", "")) or None,
            request_id=request_id(request),
        )
    except InvalidInput as problem:
        session.rollback()
        return _form_page(
            request, session, settings, actor, values=_form_values(form), errors=form_errors(request, problem.errors),
            status_code=422,
        )
    return _see_other(f"/staff/clients/{client.id}?done=created")


@router.get("/staff/clients/{client_id}/edit")
def edit_client_page(request: Request, session: SessionDep, settings: SettingsDep, actor: Writer, client_id: str) -> Response:
    client = service.get_client(session, settings, actor, client_id, permission="person.write", request_id=request_id(request))
    profile = service.open_profile(session, settings, client)
    return _form_page(
        request, session, settings, actor, values=_form_values(None, profile, client), errors=[], client=client,
        version=client.version,
    )


@router.post("/staff/clients/{client_id}/edit")
async def edit_client(request: Request, session: SessionDep, settings: SettingsDep, actor: Writer, client_id: str) -> Response:
    form = await request.form(max_part_size=TRANSPORT_LIMIT)
    client = service.find_client(session, actor, client_id, "person.write")
    profile, errors = _profile_from_form(form)
    version_text = str(form.get("version", ""))
    version = int(version_text) if version_text.isdigit() and len(version_text) < 10 else 0
    assignment = service.Assignment(
        team_id=str(form.get("team_id", "")) or None,
        owner_account_id=str(form.get("owner_account_id", "")) or None,
        jurisdiction=str(form.get("jurisdiction", "")),
    )
    try:
        if errors:
            raise InvalidInput(errors=errors)
        service.update_client(
            session, settings, actor, client_id, profile, assignment, version=version, request_id=request_id(request)
        )
    except InvalidInput as problem:
        session.rollback()
        client = service.find_client(session, actor, client_id, "person.write")
        return _form_page(
            request, session, settings, actor, values=_form_values(form), errors=form_errors(request, problem.errors),
            client=client, version=version, status_code=422,
        )
    except Conflict as problem:
        session.rollback()
        client = service.find_client(session, actor, client_id, "person.write")
        # What was typed stays; the form now carries the current version, so saving again after checking applies it.
        return _form_page(
            request, session, settings, actor, values=_form_values(form),
            errors=form_errors(request, [FieldError("preferred_name", problem.detail or problem.title)]),
            client=client, version=client.version, stale=True, status_code=409,
        )
    return _see_other(f"/staff/clients/{client_id}?done=updated")


# --- The person's page ------------------------------------------------------------------------------------------


def _render_sections(request: Request, session: Any, settings: Any, actor: Actor, client: Client) -> list[Markup]:
    """Each section of clients.sections whose provider gives a context, rendered with the page's own context plus
    that one."""
    language = i18n.negotiate_language(request)
    env = template_environment(language)
    base = {
        "request": request,
        "settings": settings,
        "request_id": request_id(request),
        "lang": language,
        "dir": i18n.direction(language),
        "url_with": lambda **changes: url_with(request, **changes),
        "actor": actor,
        "csrf_token": getattr(request.state, "csrf_token", ""),
        "client": client,
    }
    rendered = []
    for section in sections.SECTIONS:
        module_name, _, function_name = section.provider.partition(":")
        provider = getattr(importlib.import_module(module_name), function_name)
        context = provider(session, settings, actor, client, request)
        if context is None:
            continue
        rendered.append(Markup(env.get_template(section.template).render(**{**base, **context})))
    return rendered


# Only a well-formed record id (db.new_id: a UUID) can be opened in an emergency; anything else is no record.
RECORD_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _not_found(
    request: Request,
    settings: Any,
    client_id: str,
    *,
    reason: str = "",
    errors: list[dict[str, str]] | None = None,
    status_code: int = 404,
) -> Response:
    """The person page's 404 for an actor who may break the glass: the same page whether the record exists (outside
    their scope) or not, with the form to open it in an emergency."""
    return render_staff(
        request,
        "staff/clients/not_found.html",
        {
            "client_id": client_id if RECORD_ID.fullmatch(client_id) else None,
            "reason": reason,
            "errors": errors or [],
            "minimum": break_glass.MINIMUM_REASON,
            "minutes": settings.break_glass_minutes,
        },
        status_code=status_code,
    )


def _emergency_until(session: Any, settings: Any, actor: Actor, client: Client) -> str | None:
    """HH:MM (the installation's time zone) until which the actor's break-the-glass grant for this record lasts."""
    if not actor.can("break-glass.use"):
        return None
    grant = break_glass.active_grant(session, actor, service.RECORD_TYPE, client.id)
    if grant is None:
        return None
    return grant.expires_at.astimezone(ZoneInfo(settings.timezone)).strftime("%H:%M")


@router.get("/staff/clients/{client_id}")
def client_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: Reader,
    client_id: str,
    done: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    try:
        client = service.get_client(session, settings, actor, client_id, request_id=request_id(request))
    except NotFound:
        if actor.can("break-glass.use"):
            return _not_found(request, settings, client_id)
        raise
    profile = service.open_profile(session, settings, client)
    team_name, caseworker_name = service.record_names(session, client)
    translate = i18n.get_translations(i18n.negotiate_language(request)).gettext
    labels = dict(service.COMMON_LANGUAGES)
    return render_staff(
        request,
        "staff/clients/show.html",
        {
            "client": client,
            "profile": profile,
            "profile_languages": [(tag, translate(labels[tag]) if tag in labels else None) for tag in profile.languages],
            "interpreter_language": (
                translate(labels[profile.interpreter_language]) if profile.interpreter_language in labels else None
            ),
            "team_name": team_name,
            "caseworker_name": caseworker_name,
            "attention": service.attention_of(client),
            "no_contact_days": service.NO_CONTACT_DAYS,
            "done": DONE.get(done),
            "can_write": actor.can("person.write") and service.can_write(session, actor, client),
            "sections": _render_sections(request, session, settings, actor, client),
            "emergency_until": _emergency_until(session, settings, actor, client),
        },
    )


@router.post("/staff/clients/{client_id}/break-glass")
def break_the_glass(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: Annotated[Actor, Depends(requires("break-glass.use"))],
    client_id: str,
    reason: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
) -> Response:
    """Open one record in an emergency (accounts.break_glass: audited `break-glass.open`, listed for the service
    manager), then its page. Nothing here looks the record up: for an id that is no record the grant opens
    nothing, and the page after it is the same 404."""
    if not RECORD_ID.fullmatch(client_id):
        raise NotFound()
    try:
        break_glass.open_record(
            session, actor, service.RECORD_TYPE, client_id, reason,
            minutes=settings.break_glass_minutes, request_id=request_id(request),
        )
    except InvalidInput as problem:
        return _not_found(request, settings, client_id, reason=reason, errors=form_errors(request, problem.errors),
                          status_code=422)
    return _see_other(f"/staff/clients/{client_id}")


def _action(path: str, function, done: str, *, confirm: bool = False):  # noqa: ANN001, ANN202
    @router.post(path)
    def route(
        request: Request,
        session: SessionDep,
        settings: SettingsDep,
        actor: Writer,
        client_id: str,
        confirmed: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    ) -> Response:
        if confirm and confirmed != "yes":
            service.find_client(session, actor, client_id, "person.write")
            return _see_other(f"/staff/clients/{client_id}?done=not-confirmed")
        try:
            function(session, settings, actor, client_id, request_id=request_id(request))
        except Conflict:
            # Already in that state (another tab, a second click): the page shows how it is now.
            session.rollback()
            return _see_other(f"/staff/clients/{client_id}")
        return _see_other(f"/staff/clients/{client_id}?done={done}")

    route.__name__ = f"{function.__name__}_page"
    return route


record_contact = _action("/staff/clients/{client_id}/contact-made", service.record_contact, "contact")
close_client = _action("/staff/clients/{client_id}/close", service.close_client, "closed", confirm=True)
reopen_client = _action("/staff/clients/{client_id}/reopen", service.reopen_client, "reopened")


@router.post("/staff/clients/{client_id}/needs-attention")
def needs_attention(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: Writer,
    client_id: str,
    flag: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
) -> Response:
    service.set_needs_attention(session, settings, actor, client_id, flag == "1", request_id=request_id(request))
    return _see_other(f"/staff/clients/{client_id}?done={'flagged' if flag == '1' else 'unflagged'}")
