"""The "What care can I get?" checker and the clinician view: server-rendered, no JavaScript, no server state.

    /entitlements                 which country are you in?  `jurisdiction`      -> /entitlements/question
    /entitlements/question        one question per page, chosen by the engine    -> ... -> /entitlements/result
    /entitlements/result          what care you can get, grouped by need
    /entitlements/result.pdf      the same as a one-page leaflet (weasyprint)
    /entitlements/result.mp3      the same read aloud (espeak-ng, MP3)
    /staff/entitlements           the clinician view: a country, then only its rules' questions; results first

Answers travel in GET query parameters (see presentation.Answers). A question form is sent back to the question
URL with `answered=<fact>`: a valid answer redirects (303) to the next question or to the result, a missing or
invalid one re-shows the question with an error summary (422). `change=<fact>` shows an answered question again,
its answer selected. The back link replays the flow from no answers (the engine is deterministic), so it needs no
state either. Any answer that is not valid — from an old bookmark or a hand-edited URL — is asked again with an
explanation; nothing a person can type into the address bar gives a server error.

Every checker page says that this is information, not legal advice, which country's rules it uses, and how many
of them a lawyer has not yet checked; every result says how its own rule was checked. Results, leaflets and audio are
made on request and never written to disk; leaflets and audio are kept in a bounded in-memory cache keyed by a digest
of (rules revision, language, date, answers), with a weak ETag.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from carebridge.access import PublicAccess
from carebridge import i18n
from carebridge.config import Settings
from carebridge.entitlements import audio, leaflet, presentation, service
from carebridge.entitlements.presentation import (
    AUDIO_PATH,
    LEAFLET_PATH,
    QUESTION_PATH,
    RESULT_PATH,
    START_PATH,
    UNKNOWN,
    AnswerError,
    Answers,
    N_,
)
from carebridge.entitlements.rulebook import Rulebook
from carebridge.entitlements.vocabulary import FACTS, QUESTION_ORDER, SERVICE_CATEGORIES, STATUSES
from carebridge.kit.cache import GeneratedCache
from carebridge.web import LanguageDep, render

router = APIRouter(include_in_schema=False, dependencies=[PublicAccess])

STAFF_PATH = "/staff/entitlements"
# Answers are personal: no browser or proxy may keep a copy of a page, a leaflet or a recording made from them.
PRIVATE = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}


def _private(response: Response) -> Response:
    response.headers.update(PRIVATE)
    return response


def _errors(lang: str, errors: list[AnswerError]) -> list[dict[str, str]]:
    """Errors as the form macros want them: the field's id and a translated message."""
    return [{"name": error.name, "message": i18n.gettext(lang, error.message, **error.params)} for error in errors]


def _rulebooks() -> list[Rulebook]:
    return service.jurisdictions()


def _rulebook(code: str | None) -> Rulebook | None:
    return next((rulebook for rulebook in _rulebooks() if rulebook.jurisdiction == code), None)


def _context(rulebook: Rulebook | None, lang: str) -> dict[str, Any]:
    """What every checker page shows about the rules it uses (and marking of rule texts not yet translated)."""
    text_attrs = {"text_attrs": lambda text: presentation.text_attributes(text, lang)}
    if rulebook is None:
        return {"rules": None, **text_attrs}
    translate = i18n.get_translations(lang).gettext
    return {
        **text_attrs,
        "rules": {
            "jurisdiction": rulebook.jurisdiction,
            "name": translate(rulebook.name),
            "checked": rulebook.last_reviewed,
            "checked_text": presentation.format_day(rulebook.last_reviewed, lang),
            "review_text": presentation.rules_review_text(rulebook, lang),
        }
    }


# ---------------------------------------------------------------------------------------------------------------
# Choose the country


def _country_page(
    request: Request, lang: str, answers: Answers, errors: list[AnswerError] | None = None
) -> Response:
    translate = i18n.get_translations(lang).gettext
    options = [
        (
            rulebook.jurisdiction,
            translate(rulebook.name),
            # How much the rules answer and how much of that is checked: a thin rules base must not look full.
            presentation.coverage_text(rulebook, lang),
        )
        for rulebook in _rulebooks()
    ]
    # In the reader's alphabetical order: a person looks for their country's name, not its code.
    options.sort(key=lambda option: option[1].casefold())
    carried = {**answers.params(lang), "answered": "jurisdiction"}
    carried.pop("jurisdiction", None)
    context = {
        "options": options,
        "selected": answers.jurisdiction,
        "errors": _errors(lang, errors or []),
        "action": START_PATH,
        "carried": carried,
        "back_href": f"/?lang={lang}",
        "rules": None,
    }
    response = render(
        request, "public/entitlements/country.html", context, status_code=422 if errors else 200, language=lang
    )
    return _private(response)


COUNTRY_ERROR = N_("Choose the country you are in")


@router.get(START_PATH, response_class=HTMLResponse)
def choose_country(request: Request, lang: LanguageDep) -> Response:
    answers = Answers.from_query(request.query_params)
    if request.query_params.get("answered") == "jurisdiction":
        if _rulebook(answers.jurisdiction) is None:
            return _country_page(request, lang, answers, [AnswerError("jurisdiction", COUNTRY_ERROR)])
        return _private(RedirectResponse(answers.url(QUESTION_PATH, lang), status_code=303))
    if answers.jurisdiction is not None and _rulebook(answers.jurisdiction) is None:
        return _country_page(request, lang, answers.without(), [AnswerError("jurisdiction", COUNTRY_ERROR)])
    return _country_page(request, lang, answers)


# ---------------------------------------------------------------------------------------------------------------
# One question per page


def _question_page(
    request: Request,
    lang: str,
    rulebook: Rulebook,
    answers: Answers,
    fact: str,
    *,
    back_href: str,
    errors: list[AnswerError] | None = None,
) -> Response:
    view = presentation.question_view(rulebook, fact, lang, selected=answers.values.get(fact))
    carried = {**answers.without(fact).params(lang), "answered": fact}
    options: list[tuple[str | None, str, str | None]] = [(option.value, option.label, option.hint) for option in view.options]
    if view.kind == "choice":
        options += [(None, i18n.gettext(lang, N_("or")), None), (UNKNOWN, view.unknown_label, None)]
    context = {
        "view": view,
        "options": options,
        "errors": _errors(lang, errors or []),
        "action": QUESTION_PATH,
        "carried": carried,
        "back_href": back_href,
        "value": answers.values.get(fact) if view.kind == "integer" and answers.values.get(fact) != UNKNOWN else None,
        **_context(rulebook, lang),
    }
    response = render(
        request, "public/entitlements/question.html", context, status_code=422 if errors else 200, language=lang
    )
    return _private(response)


def _back_href(rulebook: Rulebook, answers: Answers, asked: list[str], fact: str, lang: str) -> str:
    """One step back: the question asked before `fact`, its answer selected; before the first, the country."""
    earlier = asked[: asked.index(fact)] if fact in asked else asked
    if earlier:
        return answers.url(QUESTION_PATH, lang, change=earlier[-1])
    return f"{START_PATH}?{urlencode({'lang': lang, 'jurisdiction': rulebook.jurisdiction})}"


def _checked(
    request: Request, lang: str, params: dict[str, str] | None = None
) -> tuple[Rulebook | None, Answers, Response | None]:
    """The rulebook and answers of a checker URL, or the page that must be shown instead (the country question,
    or the first question whose answer is not valid)."""
    answers = Answers.from_query(params if params is not None else request.query_params)
    rulebook = _rulebook(answers.jurisdiction)
    if rulebook is None:
        if answers.jurisdiction is None:
            return None, answers, _private(RedirectResponse(f"{START_PATH}?lang={lang}", status_code=303))
        return None, answers, _country_page(request, lang, answers, [AnswerError("jurisdiction", COUNTRY_ERROR)])
    if answers.errors:
        fact = next(name for name in QUESTION_ORDER if name in answers.errors)
        asked, _next = presentation.asked_sequence(rulebook, answers.without(*answers.errors), _today())
        back = _back_href(rulebook, answers, asked, fact, lang)
        return rulebook, answers, _question_page(
            request, lang, rulebook, answers, fact, back_href=back, errors=[answers.errors[fact]]
        )
    return rulebook, answers, None


def _today() -> dt.date:
    return presentation.today()


@router.get(QUESTION_PATH, response_class=HTMLResponse)
def ask(request: Request, lang: LanguageDep) -> Response:
    params = dict(request.query_params)
    answered = params.get("answered")
    skipped = params.pop("skip", None)
    if skipped in FACTS:
        # The "I don't know" button of a number question names its question instead of sending a number.
        params[skipped] = UNKNOWN
        answered = skipped
    if (answered in FACTS or answered == "status") and not (params.get(answered) or "").strip():
        # Sent without an answer: ask again, saying what is missing.
        answers = Answers.from_query(params)
        rulebook = _rulebook(answers.jurisdiction)
        if rulebook is not None and not answers.errors:
            asked, _next = presentation.asked_sequence(rulebook, answers, _today())
            message = N_("Choose an answer") if _is_choice(answered) else N_("Enter a number, or choose “I don't know”")
            return _question_page(
                request, lang, rulebook, answers, answered,
                back_href=_back_href(rulebook, answers, asked, answered, lang),
                errors=[AnswerError(answered, message)],
            )
    rulebook, answers, instead = _checked(request, lang, params)
    if instead is not None:
        return instead
    assert rulebook is not None
    on_date = _today()
    change = params.get("change")
    asked, next_fact = presentation.asked_sequence(rulebook, answers, on_date)
    if change in answers.values and not answered:
        return _question_page(
            request, lang, rulebook, answers, change, back_href=_back_href(rulebook, answers, asked, change, lang)
        )
    if next_fact is None:
        return _private(RedirectResponse(answers.url(RESULT_PATH, lang), status_code=303))
    if answered:
        # A clean address for the next question: reloading it does not re-send anything.
        return _private(RedirectResponse(answers.url(QUESTION_PATH, lang), status_code=303))
    return _question_page(
        request, lang, rulebook, answers, next_fact, back_href=_back_href(rulebook, answers, asked, next_fact, lang)
    )


def _is_choice(fact: str) -> bool:
    return fact == "status" or FACTS[fact].kind == "boolean"


# ---------------------------------------------------------------------------------------------------------------
# The result, and its take-aways


@router.get(RESULT_PATH, response_class=HTMLResponse)
def result(request: Request, lang: LanguageDep) -> Response:
    rulebook, answers, instead = _checked(request, lang)
    if instead is not None:
        return instead
    assert rulebook is not None
    on_date = _today()
    asked, next_fact = presentation.asked_sequence(rulebook, answers, on_date)
    if next_fact is not None:
        return _private(RedirectResponse(answers.url(QUESTION_PATH, lang), status_code=303))
    view = presentation.present(rulebook, answers, lang, on_date, asked=asked)
    back = answers.url(QUESTION_PATH, lang, change=asked[-1]) if asked else f"{START_PATH}?lang={lang}"
    context = {
        "view": view,
        "back_href": back,
        "leaflet_href": answers.url(LEAFLET_PATH, lang),
        "audio_href": answers.url(AUDIO_PATH, lang) if audio.available() else None,
        "restart_href": f"{START_PATH}?lang={lang}",
        **_context(rulebook, lang),
    }
    return _private(render(request, "public/entitlements/result.html", context, language=lang))


def _view_for_download(
    request: Request, lang: str, on_date: dt.date | None = None
) -> tuple[presentation.ResultView | None, Response | None]:
    """The result for a leaflet or a recording, or the page to show instead: an answer that is not valid is asked
    again, with the error explained, exactly as on the result page."""
    rulebook, answers, instead = _checked(request, lang)
    if instead is not None:
        return None, instead
    assert rulebook is not None
    on_date = on_date or _today()
    asked, _next = presentation.asked_sequence(rulebook, answers, on_date)
    return presentation.present(rulebook, answers, lang, on_date, asked=asked), None


# Leaflets and recordings take 0.3-1.2 s of CPU each: each is made once per (rules revision, language, date,
# answers) and kept in a bounded in-memory cache (kit.cache; settings.download_cache_items / _mb, 0 turns it off).
_downloads: GeneratedCache | None = None


def downloads(settings: Settings) -> GeneratedCache:
    """The process's cache of made leaflets and recordings, sized by the settings of the first app to ask."""
    global _downloads
    if _downloads is None:
        _downloads = GeneratedCache(settings.download_cache_items, int(settings.download_cache_mb * 1024 * 1024))
    return _downloads


@lru_cache(maxsize=64)
def _file_digest(path: str, modified_ns: int, size: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def rules_revision(rulebook: Rulebook) -> str:
    """The revision of a rulebook: a digest of its file (a changed file is a new revision, whatever it says)."""
    try:
        stat = Path(rulebook.path).stat()
        return _file_digest(rulebook.path, stat.st_mtime_ns, stat.st_size)
    except OSError:
        return f"{rulebook.jurisdiction}@{id(rulebook)}"


def _download_key(kind: str, request: Request, lang: str, on_date: dt.date) -> tuple[str, str, Response | None]:
    """The cache key (a digest: the answers are not kept readable) of a leaflet or recording, or the page to show."""
    rulebook, answers, instead = _checked(request, lang)
    if instead is not None:
        return "", "", instead
    assert rulebook is not None
    material = [kind, rules_revision(rulebook), lang, on_date.isoformat(), sorted(answers.params(lang).items())]
    return hashlib.sha256(json.dumps(material, ensure_ascii=False).encode()).hexdigest()[:40], rulebook.jurisdiction, None


def _serve_download(request: Request, lang: str, kind: str, make: Callable[[presentation.ResultView], bytes],
                    media_type: str) -> Response:
    on_date = _today()  # once: the key, the content and the file name agree even at midnight
    key, jurisdiction, instead = _download_key(kind, request, lang, on_date)
    if instead is not None:
        return instead
    # A weak ETag: the same key is the same leaflet in meaning (a remade PDF differs only in its metadata).
    etag = f'W/"{key}"'
    headers = {"ETag": etag, "Content-Language": lang}
    # If-None-Match uses the weak comparison (RFC 9110 13.1.2): W/"x" and "x" both match; "*" matches any.
    wanted = {tag.strip().removeprefix("W/") for tag in request.headers.get("if-none-match", "").split(",")}
    if etag.removeprefix("W/") in wanted or "*" in wanted:
        return _private(Response(status_code=304, headers=headers))

    def generate() -> bytes:
        view, _instead = _view_for_download(request, lang, on_date)
        assert view is not None
        return make(view)

    body = downloads(request.app.state.settings).get_or_make(key, generate)
    filename = f"carebridge-{jurisdiction.lower()}-{on_date.isoformat()}.{kind}"
    headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return _private(Response(body, media_type=media_type, headers=headers))


def _audio(view: presentation.ResultView) -> bytes:
    title = i18n.gettext(view.language, N_("What care you can get in %(place)s"), place=view.name)
    return audio.read_aloud(presentation.audio_script(view), view.language, title=title)


@router.get(LEAFLET_PATH)
def result_leaflet(request: Request, lang: LanguageDep) -> Response:
    return _serve_download(request, lang, "pdf", leaflet.render_leaflet, "application/pdf")


@router.get(AUDIO_PATH)
def result_audio(request: Request, lang: LanguageDep) -> Response:
    return _serve_download(request, lang, "mp3", _audio, audio.MEDIA_TYPE)


# ---------------------------------------------------------------------------------------------------------------
# The clinician view


STAFF_FIELDS = ("status", *(name for name in QUESTION_ORDER if name != "status"))


def _staff_form(
    rulebook: Rulebook | None, answers: Answers, lang: str, on_date: dt.date, date_text: str | None
) -> dict[str, Any]:
    """The questions the chosen country's rules use, and nothing else (no country: none)."""
    translate = i18n.get_translations(lang).gettext
    fields = []
    for name in presentation.questions_used(rulebook) if rulebook is not None else ():
        value = answers.values.get(name)
        value = None if value == UNKNOWN else value
        label = translate(presentation.STAFF_LABELS[name])
        if name == "status":
            options = [(status, translate(presentation.STAFF_STATUS_LABELS[status])) for status in STATUSES]
            fields.append({"name": name, "label": label, "kind": "choice", "options": options, "value": value})
        elif FACTS[name].kind == "boolean":
            options = [("yes", translate(N_("Yes"))), ("no", translate(N_("No")))]
            fields.append({"name": name, "label": label, "kind": "choice", "options": options,
                           "value": presentation.format_value(value) if value is not None else None})
        else:
            fields.append({"name": name, "label": label, "kind": "integer", "value": value,
                           "unit": FACTS[name].unit})
    return {"fields": fields, "on_date": date_text if date_text is not None else on_date.isoformat()}


@router.get(STAFF_PATH, response_class=HTMLResponse)
def clinician_view(request: Request, lang: LanguageDep) -> Response:
    """Public (it stores nothing), but not for search engines. A country first (the deployment's own by default),
    then only the questions that country's rules use; once they are sent, the results come first on the page."""
    query = request.query_params
    answers = Answers.from_query(query)
    errors: list[AnswerError] = [answers.errors[name] for name in STAFF_FIELDS if name in answers.errors]
    chosen = answers.jurisdiction if "jurisdiction" in query else request.app.state.settings.jurisdiction
    rulebook = _rulebook(chosen)
    # The questions form always sends on_date; the country chooser sends only the country.
    submitted = "jurisdiction" in query and any(name in query for name in (*STAFF_FIELDS, "on_date"))
    if "jurisdiction" in query and rulebook is None:
        errors.insert(0, AnswerError("jurisdiction", N_("Choose a country")))
    date_text = (query.get("on_date") or "").strip()[:10] or None
    on_date = _today()
    if date_text:
        try:
            on_date = dt.date.fromisoformat(date_text)
        except ValueError:
            errors.append(AnswerError("on_date", N_("Enter a date like 2026-11-23")))
        else:
            if not dt.date(1990, 1, 1) <= on_date <= dt.date(2100, 12, 31):
                errors.append(AnswerError("on_date", N_("Enter a date between 1990 and 2100")))
    view = None
    if submitted and not errors and rulebook is not None:
        view = presentation.present(rulebook, answers, lang, on_date)
    translate = i18n.get_translations(lang).gettext
    context = {
        "jurisdictions": sorted(((r.jurisdiction, translate(r.name)) for r in _rulebooks()), key=lambda j: j[1].casefold()),
        "answers": answers,
        "chosen": rulebook.jurisdiction if rulebook is not None else None,
        "country_name": translate(rulebook.name) if rulebook is not None else None,
        "form": _staff_form(rulebook, answers, lang, on_date, date_text),
        "errors": _errors(lang, errors),
        "view": view,
        "categories": SERVICE_CATEGORIES,
        "staff_labels": {name: translate(label) for name, label in presentation.STAFF_LABELS.items()},
        "staff_outcomes": {name: translate(label) for name, label in presentation.STAFF_OUTCOME_LABELS.items()},
        "staff_safety_unknown": translate(presentation.STAFF_SAFETY_UNKNOWN),
        "coverage_text": presentation.coverage_text(rulebook, lang) if rulebook is not None else None,
        **_context(rulebook, lang),
    }
    response = render(
        request, "staff/entitlements/clinician.html", context, status_code=422 if errors else 200, language=lang
    )
    return _private(response)
