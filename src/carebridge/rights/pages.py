"""Staff pages of the rights domain: who has seen a record, the person's copy of it, erasing it, and the person page's
section that leads to them.

- `/staff/clients/{id}/seen-by` (person.read): the record's history in plain words, in the person's language (a
  picker changes it), printable. Looking is itself audited.
- `/staff/clients/{id}/seen-by/print` (person.read): the same report with the whole history at once, to print
  (service.SEEN_BY_PRINT_LIMIT events a printout; beyond that the paper says how many it leaves out and the page
  links to the next part).
- `/staff/clients/{id}/export` (person.export): a confirmation page that says the copy holds everything, every note
  too; its form POSTs and the answer is the file itself (attachment, never cached).
- `/staff/clients/{id}/erase` (person.erase): type the word shown, then the record is erased for good.
- `/staff/rights/erasing-soon` (person.read): closed records in the actor's scope that retention erases soon.

Only random ids in URLs; the language picker is a GET form (it carries no personal data).
"""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from carebridge import i18n
from carebridge.accounts.access import Actor, requires
from carebridge.accounts.rendering import form_errors, render_staff
from carebridge.audit import service as audit
from carebridge.clients import service as clients
from carebridge.clients.models import Client
from carebridge.config import Settings
from carebridge.errors import N_, FieldError, InvalidInput
from carebridge.firewall import service as firewall
from carebridge.kit import clock
from carebridge.rights import pdf, service
from carebridge.web import SessionDep, SettingsDep, request_id, template_environment

# Pages, not API: kept out of the OpenAPI description.
router = APIRouter(include_in_schema=False)

Reader = Annotated[Actor, Depends(requires("person.read"))]
Exporter = Annotated[Actor, Depends(requires("person.export"))]
Eraser = Annotated[Actor, Depends(requires("person.erase"))]
ClientId = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9-]+$")]
TRANSPORT_LIMIT = 1000
FORMATS = ("pdf", "json")
# One page of a list of people is at most 50 (the caseload's size; tests/test_one_person_at_a_time.py).
ERASING_SOON_LIMIT = 50


def _language_options() -> list[tuple[str, str, str]]:
    """(code, native name, direction) of each interface language, each option marked with its own language."""
    return [(code, language.native_name, language.direction) for code, language in i18n.LANGUAGES.items()]


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


def _profile(session: Session, settings: Settings, client: Client) -> clients.Profile:
    return clients.open_profile(session, settings, client)


def _read_for_page(session: Session, settings: Settings, actor: Actor, client: Client, request: Request) -> clients.Profile:
    """The profile a confirmation page shows (the person's name): a read of the record, audited `client.read`."""
    profile = _profile(session, settings, client)
    audit.record(session, "client.read", actor=actor, record_type=service.RECORD_TYPE, record_id=client.id,
                 request_id=request_id(request))
    return profile


# --- Who has seen the record -----------------------------------------------------------------------------------


@router.get("/staff/clients/{client_id}/seen-by")
def seen_by_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: Reader,
    client_id: ClientId,
    language: Annotated[str | None, Query(max_length=16)] = None,
    before: Annotated[int | None, Query(ge=1, le=9_223_372_036_854_775_807)] = None,
) -> Response:
    return _seen_by(request, session, settings, actor, client_id, language, before, whole=False)


@router.get("/staff/clients/{client_id}/seen-by/print")
def seen_by_print_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: Reader,
    client_id: ClientId,
    language: Annotated[str | None, Query(max_length=16)] = None,
    before: Annotated[int | None, Query(ge=1, le=9_223_372_036_854_775_807)] = None,
) -> Response:
    """The whole history on one printout (service.SEEN_BY_PRINT_LIMIT events; a record with more says on paper how
    many older events this printout leaves out, and the page links to the printout of the next part)."""
    return _seen_by(request, session, settings, actor, client_id, language, before, whole=True)


def _seen_by(
    request: Request,
    session: Session,
    settings: Settings,
    actor: Actor,
    client_id: str,
    language: str | None,
    before: int | None,
    *,
    whole: bool,
) -> Response:
    limit = service.SEEN_BY_PRINT_LIMIT if whole else service.SEEN_BY_PAGE
    found = service.seen_by(session, settings, actor, client_id, before=before, limit=limit, request_id=request_id(request))
    profile = _profile(session, settings, found.client)
    default = service.person_language(profile, settings)
    errors: list[dict[str, str]] = []
    try:
        chosen = service.chosen_language(language, default)
    except InvalidInput as error:
        errors = form_errors(request, error.errors)
        chosen = default
    # What a printout of the whole history leaves out, said on the paper itself: never cut silently.
    left_out = service.history_count(session, found.client.id, before=found.next_before) if whole and found.next_before else 0
    # The printable report is in the person's language; the page around it in the staff member's own.
    report = template_environment(chosen).get_template("staff/rights/seen_by_report.html").render(
        lang=chosen,
        dir=i18n.direction(chosen),
        name=profile.preferred_name,
        rows=service.seen_by_rows(found.events, chosen),
        disclosure_requests=[
            {
                "received": date_text(entry.received_at.astimezone(clock.zone(settings.timezone)).date(), chosen),
                "kind": firewall.REQUESTER_KIND_LABELS[entry.requester_kind],
                "answer": firewall.PERSON_STATUS_LABELS[entry.status],
            }
            for entry in found.disclosure_requests
        ],
        today=_today_text(settings, chosen),
        older=bool(found.next_before) and not whole,
        whole=whole,
        left_out=left_out,
        later_part=before is not None,
    )
    base = f"/staff/clients/{found.client.id}/seen-by"
    here = f"{base}/print" if whole else base
    older_url = f"{here}?language={chosen}&before={found.next_before}" if found.next_before else None
    newest_url = f"{here}?language={chosen}" if before else None
    return _no_store(
        render_staff(
            request,
            "staff/rights/seen_by.html",
            {
                "client_id": found.client.id,
                "report": Markup(report),
                "chosen": chosen,
                "language_options": _language_options(),
                "errors": errors,
                "older_url": older_url,
                "newest_url": newest_url,
                "whole": whole,
                "form_action": here,
                "print_url": f"{base}/print?language={chosen}",
                "page_url": f"{base}?language={chosen}",
            },
            status_code=422 if errors else 200,
        )
    )


def _today_text(settings: Settings, language: str) -> str:
    return date_text(clock.today(settings.timezone), language)


def date_text(day: Any, language: str) -> str:
    """A day as the reader's language writes it in full (22 November 2026)."""
    from babel.dates import format_date

    return format_date(day, "long", locale=i18n.formatting_locale(language)) if day else ""


# --- Take it with you ------------------------------------------------------------------------------------------


def _export_form(
    request: Request,
    session: Session,
    settings: Settings,
    actor: Actor,
    client_id: str,
    *,
    values: dict[str, str] | None = None,
    errors: list[dict[str, str]] | None = None,
    status_code: int = 200,
) -> Response:
    client = clients.find_client(session, actor, client_id, "person.export")
    profile = _read_for_page(session, settings, actor, client, request)
    values = values or {"format": "pdf", "language": service.person_language(profile, settings)}
    return _no_store(
        render_staff(
            request,
            "staff/rights/export.html",
            {
                "client_id": client.id,
                "name": profile.preferred_name,
                "notes_withheld": service.notes_withheld(session, actor, client),
                "values": values,
                "errors": errors or [],
                "language_options": _language_options(),
            },
            status_code=status_code,
        )
    )


@router.get("/staff/clients/{client_id}/export")
def export_page(request: Request, session: SessionDep, settings: SettingsDep, actor: Exporter, client_id: ClientId) -> Response:
    return _export_form(request, session, settings, actor, client_id)


@router.post("/staff/clients/{client_id}/export")
def export_record(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: Exporter,
    client_id: ClientId,
    format: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",  # noqa: A002 - the form field's name
    language: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
) -> Response:
    values = {"format": format, "language": language}
    errors: list[FieldError] = []
    if format not in FORMATS:
        errors.append(FieldError("format", N_("Choose PDF or JSON.")))
    if language not in i18n.LANGUAGES:
        errors.append(FieldError("language", N_("Choose one of the languages in the list.")))
    if errors:
        return _export_form(
            request, session, settings, actor, client_id, values=values,
            errors=form_errors(request, errors), status_code=422,
        )
    document = service.export_record(session, settings, actor, client_id, request_id=request_id(request))
    return export_response(document, format, language, settings)


def export_response(document: dict[str, Any], format: str, language: str, settings: Settings) -> Response:  # noqa: A002
    """The export as a download: an attachment, never stored by a browser or a proxy."""
    name = f"carebridge-record-{document['record']['id']}"
    if format == "pdf":
        body, media_type, name = pdf.render_export_pdf(document, language, settings), "application/pdf", f"{name}.pdf"
    else:
        body, media_type, name = orjson.dumps(document, option=orjson.OPT_INDENT_2), "application/json", f"{name}.json"
    return Response(
        body,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
            "Content-Language": language,
            "X-Content-Type-Options": "nosniff",
        },
    )


# --- Erase -----------------------------------------------------------------------------------------------------


def _erase_form(
    request: Request,
    session: Session,
    settings: Settings,
    actor: Actor,
    client_id: str,
    *,
    typed: str = "",
    errors: list[dict[str, str]] | None = None,
    status_code: int = 200,
) -> Response:
    client = clients.find_client(session, actor, client_id, "person.erase")
    profile = _read_for_page(session, settings, actor, client, request)
    return _no_store(
        render_staff(
            request,
            "staff/rights/erase.html",
            {"client_id": client.id, "name": profile.preferred_name, "typed": typed, "errors": errors or []},
            status_code=status_code,
        )
    )


@router.get("/staff/clients/{client_id}/erase")
def erase_page(request: Request, session: SessionDep, settings: SettingsDep, actor: Eraser, client_id: ClientId) -> Response:
    return _erase_form(request, session, settings, actor, client_id)


@router.post("/staff/clients/{client_id}/erase")
def erase_record(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: Eraser,
    client_id: ClientId,
    confirm: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
) -> Response:
    try:
        service.erase_client(
            session, settings, actor, client_id, typed=confirm, language=i18n.negotiate_language(request),
            request_id=request_id(request),
        )
    except InvalidInput as error:
        return _erase_form(
            request, session, settings, actor, client_id, typed=confirm,
            errors=form_errors(request, error.errors), status_code=422,
        )
    return RedirectResponse("/staff/rights/erased", status_code=303)


@router.get("/staff/rights/erased")
def erased_page(request: Request, actor: Eraser) -> Response:
    return render_staff(request, "staff/rights/erased.html")


# --- Records retention erases soon -----------------------------------------------------------------------------


@router.get("/staff/rights/erasing-soon")
def erasing_soon_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: Reader,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    """Closed records within the actor's scope that will be erased, soonest first: where the retention warning's
    e-mail sends the caseworker (it names no one). Each row shown is audited `client.list`."""
    rows = session.scalars(
        select(Client)
        .where(Client.status == "closed", Client.erase_after.is_not(None), clients.scope(actor, "person.read"))
        .order_by(Client.erase_after, Client.id)
        .limit(ERASING_SOON_LIMIT + 1)
        .offset((page - 1) * ERASING_SOON_LIMIT)
    ).all()
    has_next = len(rows) > ERASING_SOON_LIMIT
    rows = rows[:ERASING_SOON_LIMIT]
    profiles = clients.open_profiles(session, settings, list(rows))
    audit.record_many(
        session, "client.list", actor=actor, record_type=service.RECORD_TYPE,
        record_ids=[client.id for client in rows], request_id=request_id(request),
    )
    return _no_store(
        render_staff(
            request,
            "staff/rights/erasing_soon.html",
            {
                "rows": [
                    {"id": client.id, "name": profiles[client.id].preferred_name if client.id in profiles else "",
                     "date": date_text(service.erase_date(settings, client), i18n.negotiate_language(request))}
                    for client in rows
                ],
                "warning_days": settings.client_retention_warning_days,
                "page": page,
                "has_next": has_next,
            },
        )
    )


# --- The person page's section ---------------------------------------------------------------------------------


def section(session: Session, settings: Settings, actor: Actor, client: Client, request: Request) -> dict[str, Any] | None:
    """The person page's "The person's rights" section (clients.sections): links to what this actor may do, and
    when a closed record will be erased."""
    if not actor.can("person.read"):
        return None
    return {
        "rights": {
            "client_id": client.id,
            "erase_on": date_text(service.erase_date(settings, client), i18n.negotiate_language(request)),
            "can_export": actor.can("person.export"),
            "can_erase": actor.can("person.erase"),
        }
    }
