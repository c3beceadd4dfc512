"""The audit trail page: /staff/audit (permission audit.read-organisation; audit.read-all sees every organisation).

Filters travel in the query string as ids only. Finding a member of staff by e-mail is a POST (the address never
enters a URL): it is resolved to the account id here, then the page redirects (303) to the GET with that id.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from carebridge.accounts.access import Actor, requires
from carebridge.accounts.rendering import render_staff
from carebridge.audit import service
from carebridge.errors import InvalidInput
from carebridge.i18n import get_translations, negotiate_language
from carebridge.web import SessionDep, SettingsDep, request_id

router = APIRouter(include_in_schema=False)
ActorDep = Annotated[Actor, Depends(requires("audit.read-organisation"))]

FILTER_NAMES = ("organisation_id", "action", "account_id", "record_type", "record_id", "date_from", "date_to")


@router.get("/staff/audit")
def audit_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: ActorDep,
    organisation_id: Annotated[str | None, Query(max_length=36)] = None,
    action: Annotated[str | None, Query(max_length=64)] = None,
    account_id: Annotated[str | None, Query(max_length=36)] = None,
    record_type: Annotated[str | None, Query(max_length=32)] = None,
    record_id: Annotated[str | None, Query(max_length=64)] = None,
    date_from: Annotated[str | None, Query(max_length=10)] = None,
    date_to: Annotated[str | None, Query(max_length=10)] = None,
    before: Annotated[int | None, Query(ge=1, le=9_223_372_036_854_775_807)] = None,
    not_found: Annotated[str | None, Query(max_length=1)] = None,
) -> Response:
    values = {
        "organisation_id": organisation_id or "",
        "action": action or "",
        "account_id": account_id or "",
        "record_type": record_type or "",
        "record_id": record_id or "",
        "date_from": date_from or "",
        "date_to": date_to or "",
    }
    errors = []
    page = None
    try:
        event_filter = service.build_filter(
            actor,
            timezone=settings.timezone,
            **{name: value or None for name, value in values.items()},
            before=before,
        )
    except InvalidInput as error:
        translate = get_translations(negotiate_language(request)).gettext
        errors = [{"name": e.name, "message": translate(e.message)} for e in error.errors]
    else:
        page = service.read_events(session, actor, event_filter, request_id=request_id(request))
    active = {name: value for name, value in values.items() if value}
    context = {
        "values": values,
        "errors": errors,
        "page": page,
        "email_not_found": bool(not_found),
        "read_all": actor.can(service.READ_ALL),
        "staff": service.staff_choices(session, actor, organisation_id),
        "organisations": service.organisation_choices(session, actor),
        "older_url": (
            "/staff/audit?" + urlencode({**active, "before": page.next_before}) if page and page.next_before else None
        ),
        "newest_url": ("/staff/audit?" + urlencode(active)) if before else None,
    }
    return render_staff(request, "staff/audit/index.html", context, status_code=422 if errors else 200)


@router.post("/staff/audit")
def find_by_email(
    session: SessionDep,
    actor: ActorDep,
    email: Annotated[str, Form(max_length=320)] = "",
) -> Response:
    """Resolve an e-mail address to the account id server-side, then show that account's events (303 to a GET)."""
    account_id = service.account_id_for_email(session, actor, email) if email.strip() else None
    if account_id is None:
        return RedirectResponse("/staff/audit?not_found=1", status_code=303)
    return RedirectResponse("/staff/audit?" + urlencode({"account_id": account_id}), status_code=303)
