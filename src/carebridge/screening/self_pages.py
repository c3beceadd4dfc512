"""Public pages where a person screens themselves on a one-use link their worker gave them (issue 10 §3): no account,
the public layout, emergencies first on every page.

`/s/<token>` shows the questionnaire in the link's validated language (right to left for Arabic and Farsi) with a
short plain-words introduction (who asked — the organisation, never the worker's name — and what happens with the
answers). Sending it stores the screening (mode "self"), uses up the link and shows a thank-you page that gives no
score: the worker will talk with the person. If an answer started the risk workflow (PHQ-9 item 9 above 0), the
thank-you page shows at once who to call if they are in danger now (the emergency numbers and the deployment's
crisis lines) and says someone will contact them soon; screening.service.record_screening has raised the flag.

An unknown, used, revoked or expired link — or anything that is not a token at all — gets one and the same page
(404), so nobody can learn from it which links exist. The token is the only secret: no form token is needed (a
forger would need the token itself), and the answer pages carry `Cache-Control: no-store` and `Referrer-Policy:
no-referrer` (app.HeadersMiddleware; the layout's meta says no-referrer too). Nothing is loaded from another site.
A second submission of the same link (the back button) records nothing more: the link is claimed by a conditional
update before the screening is written (screening.links.claim_link).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from carebridge import i18n
from carebridge.access import PublicAccess
from carebridge.accounts.models import Organisation
from carebridge.config import Settings
from carebridge.emergency import emergency_numbers
from carebridge.errors import FieldError
from carebridge.screening import forms, instruments, links
from carebridge.screening import service as screenings
from carebridge.screening.models import ScreeningLink
from carebridge.web import SessionDep, SettingsDep, render, request_id

router = APIRouter(include_in_schema=False, dependencies=[PublicAccess])



def _page_language(request: Request, link: ScreeningLink | None) -> str:
    """?lang= when the person chose one; else the link's language when the interface has it; else negotiated."""
    chosen = i18n.language_or_none(request.query_params.get("lang"))
    if chosen:
        return chosen
    if link is not None and link.language in i18n.LANGUAGES:
        return link.language
    return i18n.negotiate_language(request)


def _base_context(settings: Settings) -> dict[str, Any]:
    return {"emergency_numbers": emergency_numbers(settings=settings), "crisis_lines": settings.crisis_line_list()}


def _gone(request: Request, settings: Settings) -> Response:
    return render(
        request, "screening/gone.html", _base_context(settings), status_code=404, language=_page_language(request, None)
    )


def _organisation_name(session: Session, link: ScreeningLink) -> str:
    return session.scalar(select(Organisation.name).where(Organisation.id == link.organisation_id)) or ""


def _questionnaire(
    request: Request, session: Session, settings: Settings, link: ScreeningLink, definition: instruments.Instrument, *,
    values: dict[str, str], errors: list[dict[str, str]], status_code: int = 200,
) -> Response:
    items = forms.shown_items(definition)
    return render(
        request,
        "screening/questionnaire.html",
        {
            **_base_context(settings),
            "organisation": _organisation_name(session, link),
            "instrument": definition,
            "wording_language": definition.language,
            "wording_dir": i18n.direction(definition.language),
            "items": [item for item in items if not item.gated],
            "gated_items": [item for item in items if item.gated],
            "values": values,
            "errors": errors,
            "action": request.url.path,
        },
        status_code=status_code,
        language=_page_language(request, link),
    )


@router.get("/s/{token}")
def self_screening_page(request: Request, session: SessionDep, settings: SettingsDep, token: str) -> Response:
    link = links.usable_link(session, token)
    definition = instruments.get(link.instrument, link.language, settings) if link else None
    if link is None or definition is None:
        return _gone(request, settings)
    return _questionnaire(request, session, settings, link, definition, values={}, errors=[])


@router.post("/s/{token}")
async def submit_self_screening(request: Request, session: SessionDep, settings: SettingsDep, token: str) -> Response:
    link = links.usable_link(session, token)
    definition = instruments.get(link.instrument, link.language, settings) if link else None
    if link is None or definition is None:
        return _gone(request, settings)
    form = await request.form()
    read = forms.read_answers(definition, form)
    errors = list(read.errors)
    if not errors:
        try:
            instruments.score(definition.code, read.answers, settings)
        except ValueError:
            errors.append(FieldError(definition.items[0].link_id, forms.NOT_A_CHOICE, params={"number": 1}))
    if errors:
        language = _page_language(request, link)
        translate = i18n.get_translations(language).gettext
        shown = [
            {"name": error.name, "message": translate(error.message) % error.params if error.params else translate(error.message)}
            for error in errors
        ]
        return _questionnaire(request, session, settings, link, definition, values=read.values, errors=shown,
                              status_code=422)
    if not links.claim_link(session, link):
        # Sent twice (the back button, a double tap): the first one counted.
        return _gone(request, settings)
    client = _client_of(session, link)
    screening = screenings.record_screening(
        session, settings, client=client, instrument=definition.code, answers=read.answers, language=link.language,
        mode="self", actor=None, link=link,
    )
    links.record_use(session, link, screening.id, request_id=request_id(request))
    return render(
        request,
        "screening/thanks.html",
        {**_base_context(settings), "organisation": _organisation_name(session, link), "risk": bool(screening.risk)},
        language=_page_language(request, link),
    )


def _client_of(session: Session, link: ScreeningLink) -> Any:
    from carebridge.clients.models import Client

    return session.get(Client, link.client_id)
