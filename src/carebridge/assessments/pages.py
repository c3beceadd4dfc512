"""Staff pages of the needs assessment: the new-assessment form, an assessment's page (answers, category, which
answers led to it, the override form) and the person page's section (latest category, how each domain has moved).

Reading needs person.read, assessing and overriding person.write, always in scope of the person (404 otherwise).
Forms post, then redirect (303); a form with a problem is shown again (422) with an error summary and what was typed.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from carebridge import i18n
from carebridge.accounts.access import Actor, requires
from carebridge.accounts.rendering import form_errors, render_staff
from carebridge.assessments import labels
from carebridge.assessments import service as assessments
from carebridge.assessments.rules import CATEGORIES, DOMAINS, SCORES
from carebridge.clients import service as clients
from carebridge.clients.models import Client
from carebridge.config import Settings
from carebridge.errors import N_, InvalidInput, NotFound
from carebridge.web import SessionDep, SettingsDep, request_id

router = APIRouter(include_in_schema=False)

TRANSPORT_LIMIT = 20_000
Reader = Annotated[Actor, Depends(requires("person.read"))]
Writer = Annotated[Actor, Depends(requires("person.write"))]

NOTICES = {
    "created": N_("The assessment was saved."),
    "overridden": N_("The category was changed, with your reason."),
}


def _see_other(url: str) -> Response:
    return RedirectResponse(url, status_code=303)


def _scale(domain: str) -> list[tuple[str, str, str]]:
    """The radio options of a domain: (value, label, hint): scores 1-4 with their anchors, then not discussed."""
    return [(str(score), labels.SCORE_NAMES[score], labels.ANCHORS[domain][score]) for score in SCORES] + [
        ("", labels.NOT_DISCUSSED_LABEL, "")
    ]


def _common() -> dict[str, Any]:
    return {
        "domains": DOMAINS,
        "domain_names": labels.DOMAIN_NAMES,
        "domain_hints": labels.DOMAIN_HINTS,
        "category_names": labels.CATEGORY_NAMES,
        "change_names": labels.CHANGE_NAMES,
        "change_marks": labels.CHANGE_MARKS,
        "categories": CATEGORIES,
        "text_maximum": assessments.TEXT_MAXIMUM,
    }


def _text(mapping: dict[str, str] | None, language: str) -> str:
    mapping = mapping or {}
    return mapping.get(language) or mapping.get("en", "")


# The person page's section ------------------------------------------------------------------------------------------


def section(session: Session, settings: Settings, actor: Actor, client: Client, request: Request) -> dict[str, Any] | None:
    """The latest category with its date and who, a link to (re-)assess, and how each domain has moved."""
    if not actor.can("person.read"):
        return None
    views = assessments.assessments_of(session, settings, client)
    if views:
        from carebridge.audit import service as audit

        audit.record(session, "assessment.read", actor=actor, record_type=clients.RECORD_TYPE, record_id=client.id,
                     request_id=request_id(request))
    # Only the last few columns fit a page; older assessments are on their own pages.
    shown = views[-6:]
    return {
        "assessment_section": {
            **_common(),
            "client_id": client.id,
            "latest": views[-1] if views else None,
            "assessments": list(reversed(views)),
            "shown": shown,
            "movement": assessments.movement(shown) if shown else [],
            "can_write": actor.can("person.write") and clients.can_write(session, actor, client),
        }
    }


# The new assessment --------------------------------------------------------------------------------------------------


def _new_form(request: Request, client: Client, *, values: dict[str, Any], errors: list, status_code: int = 200) -> Response:
    return render_staff(
        request,
        "staff/assessments/new.html",
        {
            **_common(),
            "client_id": client.id,
            "values": values,
            "errors": errors,
            "scales": {domain: _scale(domain) for domain in DOMAINS},
        },
        status_code=status_code,
    )


@router.get("/staff/clients/{client_id}/assessments/new")
def new_assessment_page(request: Request, session: SessionDep, actor: Writer, client_id: str) -> Response:
    client = clients.find_client(session, actor, client_id, "person.write")
    values = {"domains": {domain: {"score": "", "words": "", "strengths": ""} for domain in DOMAINS}, "what_matters": ""}
    return _new_form(request, client, values=values, errors=[])


@router.post("/staff/clients/{client_id}/assessments/new")
async def create_assessment(request: Request, session: SessionDep, settings: SettingsDep, actor: Writer,
                            client_id: str) -> Response:
    client = clients.find_client(session, actor, client_id, "person.write")
    form = await request.form(max_part_size=TRANSPORT_LIMIT)

    def field(name: str) -> str:
        value = form.get(name)
        return value[:TRANSPORT_LIMIT] if isinstance(value, str) else ""

    values = {
        "domains": {
            domain: {
                "score": field(f"{domain}-score"),
                "words": field(f"{domain}-words"),
                "strengths": field(f"{domain}-strengths"),
            }
            for domain in DOMAINS
        },
        "what_matters": field("what_matters"),
    }
    try:
        assessment = assessments.create_assessment(session, settings, actor, client, values,
                                                   request_id=request_id(request))
    except InvalidInput as problem:
        return _new_form(request, client, values=values, errors=form_errors(request, problem.errors), status_code=422)
    return _see_other(f"/staff/clients/{client.id}/assessments/{assessment.id}?assessment=created")


# One assessment -------------------------------------------------------------------------------------------------------


def _show(request: Request, session: Session, actor: Actor, client: Client, view: assessments.AssessmentView, *,
          values: dict[str, Any] | None = None, errors: list | None = None, status_code: int = 200) -> Response:
    language = i18n.negotiate_language(request)
    notice = request.query_params.get("assessment")
    return render_staff(
        request,
        "staff/assessments/show.html",
        {
            **_common(),
            "client_id": client.id,
            "view": view,
            "explanation": _text(view.basis.get("explanation"), language),
            "meaning": _text(view.basis.get("meaning"), language),
            "used": view.basis.get("used") or {},
            "anchors": labels.ANCHORS,
            "score_names": labels.SCORE_NAMES,
            "can_write": actor.can("person.write") and clients.can_write(session, actor, client),
            "values": values or {"category": "", "reason": ""},
            "errors": errors or [],
            "notice": NOTICES.get(notice or "") if status_code == 200 else None,
        },
        status_code=status_code,
    )


def _in_path(client_id: str, view: assessments.AssessmentView) -> None:
    if view.client_id != client_id:
        raise NotFound(N_("We could not find that assessment."))


@router.get("/staff/clients/{client_id}/assessments/{assessment_id}")
def assessment_page(request: Request, session: SessionDep, settings: SettingsDep, actor: Reader, client_id: str,
                    assessment_id: str) -> Response:
    client = clients.find_client(session, actor, client_id, "person.read")
    if assessment_id == "new":  # pragma: no cover - the form's own route is declared first
        raise NotFound()
    found, view = assessments.read_assessment(session, settings, actor, assessment_id, request_id=request_id(request))
    _in_path(client.id, view)
    return _show(request, session, actor, found, view)


@router.post("/staff/clients/{client_id}/assessments/{assessment_id}/override")
def override_assessment(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: Writer,
    client_id: str,
    assessment_id: str,
    category: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    reason: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
) -> Response:
    client = clients.find_client(session, actor, client_id, "person.write")
    found, view = assessments.read_assessment(session, settings, actor, assessment_id, request_id=request_id(request))
    _in_path(client.id, view)
    try:
        assessments.override_assessment(session, settings, actor, assessment_id, category, reason,
                                        request_id=request_id(request))
    except InvalidInput as problem:
        return _show(request, session, actor, found, view, values={"category": category, "reason": reason},
                     errors=form_errors(request, problem.errors), status_code=422)
    return _see_other(f"/staff/clients/{client.id}/assessments/{assessment_id}?assessment=overridden")
