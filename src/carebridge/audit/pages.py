"""The audit trail page: /staff/audit (permission audit.read-organisation; audit.read-all sees every organisation).

Filters travel in the query string as ids only. Finding a member of staff by e-mail is a POST (the address never
enters a URL): it is resolved to the account id here, then the page redirects (303) to the GET with that id.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from carebridge.accounts.access import Actor, requires
from carebridge.accounts.rendering import render_staff
from carebridge.audit import service
from carebridge.errors import N_, FieldError, InvalidInput
from carebridge.i18n import get_translations, negotiate_language
from carebridge.web import SessionDep, SettingsDep, request_id

router = APIRouter(include_in_schema=False)
ActorDep = Annotated[Actor, Depends(requires("audit.read-organisation"))]

# Unicode isolates: a name (any script, perhaps with direction controls) and an e-mail address (left to right) each
# keep their own direction inside an option's label, which cannot hold <bdi>.
FIRST_STRONG_ISOLATE, LEFT_TO_RIGHT_ISOLATE, POP_ISOLATE = "\u2068", "\u2066", "\u2069"
DATES_REVERSED = N_("The “From” date must be on or before the “To” date.")



def dates_reversed(date_from: str | dt.date | None, date_to: str | dt.date | None) -> bool:
    """Both dates given (valid ISO dates) and the first after the second: a range that can hold nothing."""
    if not date_from or not date_to:
        return False
    first = date_from if isinstance(date_from, dt.date) else dt.date.fromisoformat(date_from)
    last = date_to if isinstance(date_to, dt.date) else dt.date.fromisoformat(date_to)
    return first > last


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
        if dates_reversed(date_from, date_to):
            # Both dates are valid (build_filter checked them) but the range is empty: say so, not "no events".
            raise InvalidInput(errors=[FieldError("date_from", DATES_REVERSED)])
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
        "staff": staff_labels(session, service.staff_choices(session, actor, organisation_id)),
        "organisations": service.organisation_choices(session, actor),
        "older_url": (
            "/staff/audit?" + urlencode({**active, "before": page.next_before}) if page and page.next_before else None
        ),
        "newest_url": ("/staff/audit?" + urlencode(active)) if before else None,
    }
    return render_staff(request, "staff/audit/index.html", context, status_code=422 if errors else 200)


def staff_labels(session: Session, choices: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Each member of staff as "Name (e-mail)": two people may share a name, never an e-mail address."""
    from sqlalchemy import select

    from carebridge.accounts.models import StaffAccount

    ids = [account_id for account_id, _name in choices]
    query = select(StaffAccount.id, StaffAccount.email).where(StaffAccount.id.in_(ids))
    emails = {account_id: email for account_id, email in session.execute(query)} if ids else {}
    return [
        (
            account_id,
            f"{FIRST_STRONG_ISOLATE}{name}{POP_ISOLATE} ({LEFT_TO_RIGHT_ISOLATE}{emails.get(account_id, '')}{POP_ISOLATE})",
        )
        for account_id, name in choices
    ]


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
