"""Administration pages: staff accounts, organisations and teams, and the service manager's break-the-glass review.

Every route declares its permission (`requires`), and the services check it again. Forms post, then redirect
(303) to a page; the only ids in URLs are random account and organisation ids, never an e-mail or a name. A form
with a problem is shown again (422) with an error summary and what was typed; a password typed into it is never shown
again. The services check every value (lengths of the database columns, hidden characters); the form fields' own
limits (TRANSPORT_LIMIT) only bound what a request may carry, far above any real value, so that a long value gets the
service's message beside its field and not a bare 422 page.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from carebridge.accounts import break_glass, service
from carebridge.accounts.access import Actor, requires
from carebridge.accounts.models import Team
from carebridge.accounts.permissions import ROLES
from carebridge.accounts.rendering import form_errors, render_staff
from carebridge.errors import N_, Conflict, FieldError, InvalidInput
from carebridge.web import SessionDep

# Pages, not API: kept out of the OpenAPI description (as the public pages are).
router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
TRANSPORT_LIMIT = 10_000

StaffReader = Annotated[Actor, Depends(requires("staff.read"))]
StaffManager = Annotated[Actor, Depends(requires("staff.manage"))]
OrganisationManager = Annotated[Actor, Depends(requires("organisation.manage"))]
BreakGlassReviewer = Annotated[Actor, Depends(requires("break-glass.review"))]

# What each result of an account action says on the account's page (?done=...).
DONE = {
    "created": N_("The account was created. Give the person their password in a safe way; it is not shown again."),
    "roles": N_("Roles and teams were saved. The person must sign in again."),
    "disabled": N_("The account was disabled. The person was signed out everywhere."),
    "enabled": N_("The account was enabled."),
    "second-factor": N_(
        "The second factor was reset. The person sets up a new one at their next sign-in, and will be told by e-mail "
        "if e-mail is set up for this installation."
    ),
    "not-confirmed": N_("Nothing was changed: tick the box to confirm."),
}
# What the page says instead when this installation has no mail server (CAREBRIDGE_SMTP_HOST is empty).
DONE_WITHOUT_EMAIL = {
    "second-factor": N_(
        "The second factor was reset. The person sets up a new one at their next sign-in. This installation cannot "
        "send e-mail, so nobody has told them: tell them yourself, in another way."
    ),
}


def _can_send_email(request: Request) -> bool:
    return bool(request.app.state.settings.smtp_host)


def _as_invalid(problem: InvalidInput | Conflict, field: str) -> list[FieldError]:
    """A form's problems: an InvalidInput's own, or a Conflict shown on the field it concerns."""
    if isinstance(problem, Conflict):
        return [FieldError(field, problem.detail or problem.title)]
    return problem.errors


def _see_other(url: str) -> Response:
    return RedirectResponse(url, status_code=303)


def _role_options() -> list[tuple[str, str]]:
    return [(name, role.purpose) for name, role in ROLES.items()]


@router.get("/staff/admin/accounts")
def accounts_page(
    request: Request,
    session: SessionDep,
    actor: StaffReader,
    organisation: Annotated[str | None, Query(max_length=36)] = None,
    role: Annotated[str | None, Query(max_length=32)] = None,
    active: Annotated[str | None, Query(pattern="^(yes|no)?$")] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    organisations = service.list_organisations(session)
    if not actor.can("staff.manage"):
        organisations = [item for item in organisations if item.id == actor.organisation_id]
    rows = service.list_accounts(
        session,
        actor,
        organisation_id=organisation or None,
        role=role if role in ROLES else None,
        active={"yes": True, "no": False}.get(active or ""),
        limit=PAGE_SIZE + 1,
        offset=(page - 1) * PAGE_SIZE,
    )
    names = {item.id: item.name for item in organisations}
    return render_staff(
        request,
        "staff/admin/accounts.html",
        {
            "accounts": rows[:PAGE_SIZE],
            "organisation_names": names,
            "organisations": organisations,
            "roles": list(ROLES),
            "selected": {"organisation": organisation or "", "role": role or "", "active": active or ""},
            "page": page,
            "has_next": len(rows) > PAGE_SIZE,
            "can_manage": actor.can("staff.manage"),
        },
    )


def _new_account_form(request: Request, session: Any, *, values: dict, errors: list, status_code: int = 200) -> Response:
    return render_staff(
        request,
        "staff/admin/account_new.html",
        {
            "organisations": service.list_organisations(session),
            "role_options": _role_options(),
            "values": values,
            "errors": errors,
        },
        status_code=status_code,
    )


@router.get("/staff/admin/accounts/new")
def new_account_page(request: Request, session: SessionDep, actor: StaffManager) -> Response:
    return _new_account_form(request, session, values={"roles": [], "teams": []}, errors=[])


@router.post("/staff/admin/accounts/new")
def create_account(
    request: Request,
    session: SessionDep,
    actor: StaffManager,
    email: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    name: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    organisation: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    password: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    languages: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    roles: Annotated[list[str], Form()] = [],  # noqa: B006 - FastAPI copies defaults
    teams: Annotated[list[str], Form()] = [],  # noqa: B006
) -> Response:
    values = {"email": email, "name": name, "organisation": organisation, "languages": languages, "roles": roles, "teams": teams}
    chosen = next((item for item in service.list_organisations(session) if item.id == organisation), None)
    try:
        if chosen is None:
            raise InvalidInput(errors=[FieldError("organisation", N_("Choose the organisation the person works for."))])
        # Every team ticked goes to the service, which refuses a team of another organisation (never dropped here).
        chosen_teams = [session.get(Team, team_id) for team_id in dict.fromkeys(teams)]
        if any(team is None for team in chosen_teams):
            raise InvalidInput(errors=[FieldError("teams", N_("Choose teams of the account's own organisation."))])
        account = service.create_account(
            session,
            email=email,
            name=name,
            organisation=chosen,
            roles=roles,
            password=password,
            languages=languages,
            teams=chosen_teams,
            actor=actor,
        )
    except (InvalidInput, Conflict) as problem:
        errors = form_errors(request, _as_invalid(problem, "email"))
        return _new_account_form(request, session, values=values, errors=errors, status_code=422)
    return _see_other(f"/staff/admin/accounts/{account.id}?done=created")


def _account_page(
    request: Request, session: Any, actor: Actor, account_id: str, *, errors: list | None = None, done: str | None = None,
    status_code: int = 200,
) -> Response:
    account = service.readable_account(session, actor, account_id)
    organisation = service.organisation_by_id(session, account.organisation_id)
    teams = next(item for item in service.list_organisations(session) if item.id == organisation.id).teams
    return render_staff(
        request,
        "staff/admin/account.html",
        {
            "account": account,
            "organisation": organisation,
            "teams": teams,
            "held_roles": {role.role for role in account.roles},
            "held_teams": {membership.team_id for membership in account.memberships},
            "role_options": _role_options(),
            "can_manage": actor.can("staff.manage"),
            "is_self": actor.account_id == account.id,
            "done": (DONE if _can_send_email(request) else {**DONE, **DONE_WITHOUT_EMAIL}).get(done or ""),
            "can_send_email": _can_send_email(request),
            "errors": errors or [],
            "has_second_factor": account.totp_confirmed_at is not None,
        },
        status_code=status_code,
    )


@router.get("/staff/admin/accounts/{account_id}")
def account_page(
    request: Request,
    session: SessionDep,
    actor: StaffReader,
    account_id: str,
    done: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    return _account_page(request, session, actor, account_id, done=done)


@router.post("/staff/admin/accounts/{account_id}/roles")
def change_roles(
    request: Request,
    session: SessionDep,
    actor: StaffManager,
    account_id: str,
    roles: Annotated[list[str], Form()] = [],  # noqa: B006
    teams: Annotated[list[str], Form()] = [],  # noqa: B006
) -> Response:
    try:
        service.change_roles(session, actor, account_id, roles)
        service.set_teams(session, actor, account_id, teams)
    except InvalidInput as problem:
        session.rollback()
        return _account_page(request, session, actor, account_id, errors=form_errors(request, problem.errors), status_code=422)
    return _see_other(f"/staff/admin/accounts/{account_id}?done=roles")


def _confirmed_action(action: str, done: str):  # noqa: ANN202
    def route(
        request: Request,
        session: SessionDep,
        actor: StaffManager,
        account_id: str,
        confirm: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    ) -> Response:
        if confirm != "yes":
            service.readable_account(session, actor, account_id)
            return _see_other(f"/staff/admin/accounts/{account_id}?done=not-confirmed")
        try:
            getattr(service, action)(session, actor, account_id)
        except InvalidInput as problem:
            session.rollback()
            return _account_page(request, session, actor, account_id, errors=form_errors(request, problem.errors), status_code=422)
        return _see_other(f"/staff/admin/accounts/{account_id}?done={done}")

    route.__name__ = f"{action}_page"
    return route


router.post("/staff/admin/accounts/{account_id}/disable")(_confirmed_action("disable_account", "disabled"))
router.post("/staff/admin/accounts/{account_id}/enable")(_confirmed_action("enable_account", "enabled"))
router.post("/staff/admin/accounts/{account_id}/reset-second-factor")(
    _confirmed_action("reset_second_factor", "second-factor")
)


def _organisations_page(
    request: Request, session: Any, *, errors: list | None = None, values: dict | None = None, status_code: int = 200,
    done: bool = False,
) -> Response:
    return render_staff(
        request,
        "staff/admin/organisations.html",
        {
            "organisations": service.list_organisations(session),
            "errors": errors or [],
            "values": values or {},
            "done": done,
        },
        status_code=status_code,
    )


@router.get("/staff/admin/organisations")
def organisations_page(
    request: Request, session: SessionDep, actor: OrganisationManager, done: Annotated[str | None, Query(max_length=10)] = None
) -> Response:
    return _organisations_page(request, session, done=done == "yes")


@router.post("/staff/admin/organisations")
def create_organisation(
    request: Request,
    session: SessionDep,
    actor: OrganisationManager,
    name: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    directory_organization_id: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
) -> Response:
    try:
        service.create_organisation(session, name, directory_organization_id=directory_organization_id, actor=actor)
    except (InvalidInput, Conflict) as problem:
        values = {"name": name, "directory_organization_id": directory_organization_id}
        errors = form_errors(request, _as_invalid(problem, "name"))
        return _organisations_page(request, session, errors=errors, values=values, status_code=422)
    return _see_other("/staff/admin/organisations?done=yes")


@router.post("/staff/admin/organisations/{organisation_id}/teams")
def create_team(
    request: Request,
    session: SessionDep,
    actor: OrganisationManager,
    organisation_id: str,
    name: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
) -> Response:
    organisation = service.organisation_by_id(session, organisation_id)
    try:
        service.create_team(session, organisation, name, actor=actor)
    except (InvalidInput, Conflict) as problem:
        errors = [
            {"name": f"team-{organisation_id}", "message": item["message"]}
            for item in form_errors(request, _as_invalid(problem, "name"))
        ]
        values = {f"team-{organisation_id}": name}
        return _organisations_page(request, session, errors=errors, values=values, status_code=422)
    return _see_other("/staff/admin/organisations?done=yes")


@router.get("/staff/break-glass")
def break_glass_page(
    request: Request,
    session: SessionDep,
    actor: BreakGlassReviewer,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    rows, total = break_glass.grants_for_review(session, actor, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    return render_staff(
        request,
        "staff/admin/break_glass.html",
        {"grants": rows, "total": total, "page": page, "has_next": page * PAGE_SIZE < total},
    )
