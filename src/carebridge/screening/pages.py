"""Staff pages of the screening domain (issue 10 §3): the person page's "Screening" section, screening a person with a
validated questionnaire (the worker reads the questions with the person), the result, the person's list of results,
and the one-use self-screening links (create, show once, revoke).

- Every route declares its permission and scopes the person with clients.service.find_client (out of scope: 404).
- Languages: only those with a validated wording (screening.instruments.languages) are offered. When none of the
  person's languages has one, the page says so plainly and offers "English, read by a qualified interpreter",
  recorded as language "interpreter" once the worker confirms an interpreter read it. Item texts are never
  machine-translated.
- The questionnaire page and the result page show what to do now if there is risk (risk.guidance); a result that
  started the risk workflow (PHQ-9 item 9 above 0) leads with it and says a flag was raised for the clinician on duty.
- A form with a problem is shown again (422) with an error summary linking each unanswered question, answers kept.
- Forms post, then redirect (303) — except creating a link: its token is shown once, in the answer to the POST, and
  is never stored, so it cannot be shown again by a GET.
"""

from __future__ import annotations

from typing import Annotated, Any

import segno
from fastapi import APIRouter, Depends, Form, Query, Request
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
from carebridge.errors import N_, FieldError, InvalidInput, NotFound
from carebridge.screening import forms, instruments, links
from carebridge.screening import service as screenings
from carebridge.screening.models import Screening
from carebridge.web import SessionDep, SettingsDep, request_id

router = APIRouter(include_in_schema=False)

TRANSPORT_LIMIT = 1_000
ADMINISTER = links.ADMINISTER
READ = links.READ
INTERPRETER = "interpreter"
Administer = Annotated[Actor, Depends(requires(ADMINISTER))]
Reader = Annotated[Actor, Depends(requires(READ))]

# What the person page's section says after a form (?screening=...); unknown values are ignored.
NOTICES = {
    "link-revoked": N_("The link was cancelled. It no longer works."),
}
INSTRUMENT_NAMES = {"phq-9": "PHQ-9", "gad-7": "GAD-7", "pc-ptsd-5": "PC-PTSD-5", "rhs-15": "RHS-15"}
INSTRUMENT_PURPOSES = {
    "phq-9": N_("Depression"),
    "gad-7": N_("Anxiety"),
    "pc-ptsd-5": N_("Post-traumatic stress"),
    "rhs-15": N_("Emotional distress of refugees"),
}



def _risk_guidance(session: Session, settings: Settings, actor: Actor) -> dict[str, Any]:
    from carebridge.risk.guidance import guidance

    return guidance(session, settings, actor)


def _see_other(url: str) -> Response:
    return RedirectResponse(url, status_code=303)


def _translate(request: Request):
    return i18n.get_translations(i18n.negotiate_language(request)).gettext


def _primary(tag: str) -> str:
    return tag.strip().lower().replace("_", "-").split("-")[0]


def _person_languages(session: Session, settings: Settings, client: Client) -> list[str]:
    try:
        return [tag for tag in clients.open_profile(session, settings, client).languages if tag]
    except Exception:  # noqa: BLE001 - a profile that does not open leaves the advice out, never the page
        return []


def language_advice(
    settings: Settings, instrument: str, person_languages: list[str], reader_language: str
) -> dict[str, Any]:
    """Which of the instrument's validated languages fit the person, and for which of their languages there is no
    validated wording (each a sentence for the page). `suggested`: the language to preselect."""
    validated = instruments.languages(instrument, settings)
    spoken = []
    for tag in person_languages:
        primary = _primary(tag)
        if primary and primary not in spoken:
            spoken.append(primary)
    fitting = [language for language in validated if language in spoken]
    missing = [language for language in spoken if language not in validated]
    if fitting:
        suggested = fitting[0]
    elif spoken:
        suggested = INTERPRETER
    else:
        suggested = validated[0] if validated else ""
    return {
        "validated": validated,
        "fitting": fitting,
        "missing": [(language, i18n.language_name(language, reader_language)) for language in missing],
        "suggested": suggested,
    }


def _instrument_choices(settings: Settings) -> list[dict[str, Any]]:
    return [
        {
            "code": code,
            "name": INSTRUMENT_NAMES[code],
            "purpose": INSTRUMENT_PURPOSES[code],
            "languages": instruments.languages(code, settings),
        }
        for code in instruments.INSTRUMENTS
    ]


# --- The person page's section (clients.sections) ------------------------------------------------------------------


def _latest_per_instrument(session: Session, client: Client) -> list[Screening]:
    rows = session.scalars(
        select(Screening)
        .where(Screening.client_id == client.id)
        .order_by(Screening.completed_at.desc(), Screening.id)
    )
    latest: dict[str, Screening] = {}
    for row in rows:
        latest.setdefault(row.instrument, row)
    return [latest[code] for code in instruments.INSTRUMENTS if code in latest]


def section(session: Session, settings: Settings, actor: Actor, client: Client, request: Request) -> dict[str, Any] | None:
    """The latest result per instrument (date, total, band, positive, risk), the open links, and — for those who may
    screen — "start a screening" and "give a link". Shown to screening.read holders with the person in scope."""
    if not actor.can(READ):
        return None
    in_scope = session.scalar(select(Client.id).where(Client.id == client.id, clients.scope(actor, READ)))
    if in_scope is None:
        return None
    can_administer = actor.can(ADMINISTER) and session.scalar(
        select(Client.id).where(Client.id == client.id, clients.scope(actor, ADMINISTER))
    ) is not None
    latest = _latest_per_instrument(session, client)
    if latest:
        audit.record(
            session, "screening.read", actor=actor, record_type=clients.RECORD_TYPE, record_id=client.id,
            request_id=request_id(request),
        )
    choices = _instrument_choices(settings)
    return {
        "screening_section": {
            "client_id": client.id,
            "latest": latest,
            "names": INSTRUMENT_NAMES,
            "band_labels": forms.BAND_LABELS,
            "open_links": links.open_links(session, client) if can_administer else [],
            "can_administer": can_administer,
            "choices": choices,
            "notice": NOTICES.get(request.query_params.get("screening") or ""),
            "csrf_token": getattr(request.state, "csrf_token", ""),
        }
    }


# --- Screening a person (the worker with the person) ---------------------------------------------------------------


def _choose_page(
    request: Request, session: Session, settings: Settings, client: Client, *, instrument: str, errors: list,
    status_code: int = 200,
) -> Response:
    language = i18n.negotiate_language(request)
    person_languages = _person_languages(session, settings, client)
    choices = _instrument_choices(settings)
    return render_staff(
        request,
        "staff/screening/choose.html",
        {
            "client_id": client.id,
            "choices": choices,
            "instrument": instrument,
            "advice": {
                choice["code"]: language_advice(settings, choice["code"], person_languages, language)
                for choice in choices
                if choice["languages"]
            },
            "errors": errors,
        },
        status_code=status_code,
    )


def _questionnaire_page(
    request: Request,
    session: Session,
    settings: Settings,
    actor: Actor,
    client: Client,
    *,
    definition: instruments.Instrument,
    language: str,
    values: dict[str, str],
    errors: list,
    interpreter_confirmed: bool = False,
    status_code: int = 200,
) -> Response:
    reader = i18n.negotiate_language(request)
    advice = language_advice(settings, definition.code, _person_languages(session, settings, client), reader)
    items = forms.shown_items(definition)
    return render_staff(
        request,
        "staff/screening/new.html",
        {
            "client_id": client.id,
            "instrument": definition,
            "name": INSTRUMENT_NAMES[definition.code],
            "language": language,
            "wording_language": definition.language,
            "wording_dir": i18n.direction(definition.language),
            "interpreter": language == INTERPRETER,
            "interpreter_confirmed": interpreter_confirmed,
            "advice": advice,
            "items": [item for item in items if not item.gated],
            "gated_items": [item for item in items if item.gated],
            "values": values,
            "errors": errors,
            "risk_guidance": _risk_guidance(session, settings, actor),
        },
        status_code=status_code,
    )


def _definition(settings: Settings, instrument: str, language: str) -> instruments.Instrument | None:
    if instrument not in instruments.INSTRUMENTS:
        return None
    validated = instruments.languages(instrument, settings)
    if language == INTERPRETER:
        return instruments.get(instrument, "en", settings) if "en" in validated else None
    if language not in validated:
        return None
    return instruments.get(instrument, language, settings)


def _audit_start(session: Session, actor: Actor, client: Client, request: Request) -> None:
    audit.record(
        session, "screening.start", actor=actor, record_type=clients.RECORD_TYPE, record_id=client.id,
        request_id=request_id(request),
    )


@router.get("/staff/clients/{client_id}/screenings/new")
def new_screening_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: Administer,
    client_id: str,
    instrument: Annotated[str, Query(max_length=TRANSPORT_LIMIT)] = "",
    language: Annotated[str, Query(max_length=TRANSPORT_LIMIT)] = "",
) -> Response:
    """?instrument= and ?language= chosen: the questionnaire. Otherwise (or not offered): the choice of both."""
    client = clients.find_client(session, actor, client_id, ADMINISTER)
    _audit_start(session, actor, client, request)
    definition = _definition(settings, instrument, language) if instrument and language else None
    if definition is None:
        errors = []
        if instrument and instrument not in instruments.INSTRUMENTS:
            errors.append(FieldError("instrument", N_("Choose a questionnaire.")))
        elif instrument and language:
            errors.append(FieldError("language", N_("Choose a language this questionnaire has a validated wording in.")))
        return _choose_page(
            request, session, settings, client, instrument=instrument if instrument in instruments.INSTRUMENTS else "",
            errors=form_errors(request, errors), status_code=422 if errors else 200,
        )
    return _questionnaire_page(request, session, settings, actor, client, definition=definition, language=language,
                               values={}, errors=[])


@router.post("/staff/clients/{client_id}/screenings/new")
async def record_screening(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: Administer,
    client_id: str,
) -> Response:
    """Score and store the answers (screening.service.record_screening raises the risk flag itself), then show the
    result. The answers are read from the form by the questionnaire's own linkIds."""
    client = clients.find_client(session, actor, client_id, ADMINISTER)
    form = await request.form()
    instrument = _form_text(form, "instrument")
    language = _form_text(form, "language")
    definition = _definition(settings, instrument, language)
    if definition is None:
        errors = [FieldError("instrument", N_("Choose a questionnaire and a language it has a validated wording in."))]
        return _choose_page(
            request, session, settings, client, instrument=instrument if instrument in instruments.INSTRUMENTS else "",
            errors=form_errors(request, errors), status_code=422,
        )
    read = forms.read_answers(definition, form)
    confirmed = _form_text(form, "interpreter_confirmed") == "yes"
    errors = list(read.errors)
    if language == INTERPRETER and not confirmed:
        errors.append(FieldError(
            "interpreter_confirmed", N_("Confirm that a qualified interpreter read the questions to the person.")
        ))
    if not errors:
        try:
            screening = screenings.record_screening(
                session, settings, client=client, instrument=definition.code, answers=read.answers,
                language=language, mode="staff", actor=actor,
            )
        except (ValueError, InvalidInput):
            errors.append(FieldError(definition.items[0].link_id, N_("Some answers could not be scored. Check each question.")))
        else:
            suffix = "?ignored=1" if read.ignored else ""
            return _see_other(f"/staff/clients/{client.id}/screenings/{screening.id}{suffix}")
    return _questionnaire_page(
        request, session, settings, actor, client, definition=definition, language=language, values=read.values,
        errors=form_errors(request, errors), interpreter_confirmed=confirmed, status_code=422,
    )


def _form_text(form: Any, name: str) -> str:
    value = form.get(name)
    return value[:TRANSPORT_LIMIT] if isinstance(value, str) else ""


# --- Results --------------------------------------------------------------------------------------------------------


def _describe(screening: Screening) -> dict[str, Any]:
    meanings = forms.MEANINGS.get(screening.instrument)
    return {
        "row": screening,
        "name": INSTRUMENT_NAMES.get(screening.instrument, screening.instrument),
        "band": forms.BAND_LABELS.get(screening.band, screening.band),
        "meaning": (meanings[0] if screening.positive else meanings[1]) if meanings else None,
    }


@router.get("/staff/clients/{client_id}/screenings/{screening_id}")
def screening_result_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: Reader,
    client_id: str,
    screening_id: str,
) -> Response:
    client = clients.find_client(session, actor, client_id, READ)
    screening = session.scalar(
        select(Screening).where(Screening.id == screening_id, Screening.client_id == client.id)
    )
    if screening is None:
        raise NotFound(N_("We could not find that screening."))
    audit.record(
        session, "screening.read", actor=actor, record_type=clients.RECORD_TYPE, record_id=client.id,
        request_id=request_id(request),
    )
    return render_staff(
        request,
        "staff/screening/result.html",
        {
            "client_id": client.id,
            "result": _describe(screening),
            "not_a_diagnosis": forms.NOT_A_DIAGNOSIS,
            "ignored": request.query_params.get("ignored") == "1" and screening.instrument == "pc-ptsd-5",
            "risk_guidance": _risk_guidance(session, settings, actor) if screening.risk else None,
            "can_administer": actor.can(ADMINISTER),
        },
    )


@router.get("/staff/clients/{client_id}/screenings")
def screenings_page(request: Request, session: SessionDep, actor: Reader, client_id: str) -> Response:
    """Every screening of the person, newest first (one person's page: totals, bands, no answers)."""
    client = clients.find_client(session, actor, client_id, READ)
    rows = list(
        session.scalars(
            select(Screening).where(Screening.client_id == client.id).order_by(Screening.completed_at.desc(), Screening.id)
        )
    )
    audit.record(
        session, "screening.read", actor=actor, record_type=clients.RECORD_TYPE, record_id=client.id,
        request_id=request_id(request),
    )
    return render_staff(
        request,
        "staff/screening/list.html",
        {"client_id": client.id, "results": [_describe(row) for row in rows]},
    )


# --- Self-screening links -------------------------------------------------------------------------------------------


def _link_form(
    request: Request, session: Session, settings: Settings, client: Client, *, values: dict[str, str], errors: list,
    status_code: int = 200,
) -> Response:
    language = i18n.negotiate_language(request)
    person_languages = _person_languages(session, settings, client)
    choices = [choice for choice in _instrument_choices(settings) if choice["languages"]]
    return render_staff(
        request,
        "staff/screening/link_new.html",
        {
            "client_id": client.id,
            "choices": choices,
            "advice": {
                choice["code"]: language_advice(settings, choice["code"], person_languages, language) for choice in choices
            },
            "values": values,
            "errors": errors,
            "hours": settings.screening_link_hours,
        },
        status_code=status_code,
    )


@router.get("/staff/clients/{client_id}/screening-links/new")
def new_link_page(request: Request, session: SessionDep, settings: SettingsDep, actor: Administer,
                  client_id: str) -> Response:
    client = clients.find_client(session, actor, client_id, ADMINISTER)
    _audit_start(session, actor, client, request)
    return _link_form(request, session, settings, client, values={}, errors=[])


@router.post("/staff/clients/{client_id}/screening-links/new")
def create_link(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: Administer,
    client_id: str,
    instrument: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    language: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
) -> Response:
    """A new link, shown once (its token is stored only as a hash): the address to copy and its QR code."""
    client = clients.find_client(session, actor, client_id, ADMINISTER)
    try:
        created = links.create_link(session, settings, actor, client.id, instrument, language, request_id=request_id(request))
    except InvalidInput as problem:
        return _link_form(request, session, settings, client, values={"instrument": instrument, "language": language},
                          errors=form_errors(request, problem.errors), status_code=422)
    url = settings.public_base_url.rstrip("/") + created.path
    reader = i18n.negotiate_language(request)
    return render_staff(
        request,
        "staff/screening/link_created.html",
        {
            "client_id": client.id,
            "url": url,
            "qr_svg": Markup(segno.make(url, error="m").svg_inline(scale=4, omitsize=False, svgclass="qr-code__image")),
            "expires_at": created.link.expires_at,
            "name": INSTRUMENT_NAMES[created.link.instrument],
            "language_name": i18n.language_name(created.link.language, reader),
        },
    )


@router.post("/staff/clients/{client_id}/screening-links/{link_id}/revoke")
def revoke_link(request: Request, session: SessionDep, actor: Administer, client_id: str, link_id: str) -> Response:
    links.revoke_link(session, actor, client_id, link_id, request_id=request_id(request))
    return _see_other(f"/staff/clients/{client_id}?screening=link-revoked#screening")
