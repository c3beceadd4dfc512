"""The public service finder: a language first, then one question per page, then results and a service page.

All pages are GET and carry the answers given so far in the query string: no server-side session, every step is
bookmarkable and the browser's back button works. Nothing needs JavaScript.

    /                    choose a language (links)          -> /find/need?lang=ar
    /find/need           what do you need?   `category`     -> /find/where
    /find/where          where are you?      `near` | `anywhere=1`  -> /find/language
    /find/language       which language?     `language` (ISO 639 or "any")  -> /find/results
    /find/results        results; filters `free`, `no_status_check`, `no_documents`, `open_now`; `page`
    /services/{id}       one service: printable, with a "show this at the reception desk" card
    /about               privacy promise, where the data comes from

A question form is sent back to its own URL with `answered=1`: a valid answer redirects (303) to the next question,
an invalid one re-shows the question with an error summary (status 422). The parameter names are the search API's,
so other pages can link into the flow with what they already know, e.g. the entitlements checker links to
`/find/where?category=primary-care&lang=ar`. The results page accepts missing answers (all categories, anywhere,
any language) and re-shows the question of any answer that is present but not valid.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from babel.dates import format_date as babel_format_date
from babel.dates import format_skeleton, get_day_names
from babel.units import format_unit
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from carebridge import i18n
from carebridge.config import get_settings
from carebridge.errors import N_
from carebridge.web import LanguageDep, SessionDep, render, template_environment

router = APIRouter(include_in_schema=False)

FLOW = ("need", "where", "language", "results")
PATHS = {
    "home": "/",
    "need": "/find/need",
    "where": "/find/where",
    "language": "/find/language",
    "results": "/find/results",
}
ANY_LANGUAGE = "any"
PER_PAGE = 10
MAX_PAGE = 500
MAX_PLACE_LENGTH = 80
FILTERS = ("free", "no_status_check", "no_documents", "open_now")
TRUE_VALUES = {"1", "true", "on", "yes"}

# What each category is called on the "what do you need?" page: plain words, reading age about 9.
# The codes are taxonomy.CATEGORY_TERMS; a test checks that every one has a label here.
CATEGORY_LABELS: dict[str, tuple[str, str]] = {
    "primary-care": (N_("See a doctor"), N_("A family doctor (GP), a health centre or a walk-in clinic.")),
    "emergency": (N_("Urgent or emergency care"), N_("When you are badly hurt or very ill and cannot wait.")),
    "hospital-care": (N_("Hospital care"), N_("Tests and treatment in a hospital.")),
    "mental-health": (N_("Mental health"), N_("Someone to talk to about worry, sadness, fear or trauma.")),
    "dental": (N_("Teeth"), N_("A dentist, or help with toothache.")),
    "maternity": (N_("Pregnancy and babies"), N_("Care before and after a baby is born.")),
    "sexual-reproductive-health": (
        N_("Sexual health"),
        N_("Contraception, tests for sexual infections and abortion care."),
    ),
    "vaccination": (N_("Vaccines"), N_("Vaccines for children and adults.")),
    "communicable-diseases": (N_("Tests for infections"), N_("Tests and treatment for TB, HIV and hepatitis.")),
    "medicines": (N_("Medicines"), N_("A pharmacy, or free medicines.")),
    "legal-advice": (N_("Legal advice"), N_("Help with immigration, asylum and your rights.")),
    "food": (N_("Food"), N_("Food banks, free meals and food parcels.")),
    "housing": (N_("A place to stay"), N_("Emergency shelter, housing advice and safe places to stay.")),
    "language-classes": (N_("Language classes"), N_("Free or cheap classes to learn the local language.")),
    "social-support": (N_("Other help"), N_("Drop-in centres, people to talk to, and help with forms.")),
}


# ---------------------------------------------------------------------------------------------------------------
# Answers carried through the flow


def _clean_text(value: str | None, limit: int) -> str | None:
    """User text without control characters (PostgreSQL refuses NUL), squeezed and cut to a sane length."""
    if value is None:
        return None
    value = "".join(ch for ch in value if unicodedata.category(ch)[0] != "C" or ch in " \t")
    value = re.sub(r"\s+", " ", value).strip()[:limit]
    return value or None


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in TRUE_VALUES


@dataclass(frozen=True)
class Answers:
    """The finder's answers as given in the query string; values are as sent (validated by each step)."""

    category: str | None = None
    near: str | None = None
    anywhere: bool = False
    language: str | None = None
    free: bool = False
    no_status_check: bool = False
    no_documents: bool = False
    open_now: bool = False
    page: int = 1

    @classmethod
    def from_request(cls, request: Request) -> Answers:
        query = request.query_params
        try:
            page = int(query.get("page", "1"))
        except ValueError:
            page = 1
        return cls(
            category=_clean_text(query.get("category"), 64),
            near=_clean_text(query.get("near"), MAX_PLACE_LENGTH),
            anywhere=_flag(query.get("anywhere")),
            language=_clean_text(query.get("language"), 16),
            free=_flag(query.get("free")),
            no_status_check=_flag(query.get("no_status_check")),
            no_documents=_flag(query.get("no_documents")),
            open_now=_flag(query.get("open_now")),
            page=min(max(page, 1), MAX_PAGE),
        )

    def params(self, lang: str, *, without: tuple[str, ...] = (), page: bool = True) -> dict[str, str]:
        """The answers as query parameters, in a stable order, leaving out empty ones and those named."""
        values: dict[str, Any] = {
            "lang": lang,
            "category": self.category,
            "near": None if self.anywhere else self.near,
            "anywhere": "1" if self.anywhere else None,
            "language": self.language,
        }
        for name in FILTERS:
            values[name] = "1" if getattr(self, name) else None
        values["page"] = str(self.page) if page and self.page > 1 else None
        return {key: str(value) for key, value in values.items() if value not in (None, "") and key not in without}

    def url(self, path: str, lang: str, *, without: tuple[str, ...] = (), page: bool = True, **extra: Any) -> str:
        params = self.params(lang, without=without, page=page)
        params.update({key: str(value) for key, value in extra.items() if value is not None})
        return path + ("?" + urlencode(params) if params else "")

    @property
    def has_filters(self) -> bool:
        return any(getattr(self, name) for name in FILTERS)


@dataclass
class PageError:
    """One problem shown in the error summary; `name` is the id of the field it links to."""

    name: str
    message: str


@dataclass
class Checked:
    """The outcome of checking the answers: the first step that needs asking again, and why."""

    step: str | None = None
    errors: list[PageError] = field(default_factory=list)
    place: Any = None


def _error(lang: str, name: str, message: str, **params: Any) -> PageError:
    return PageError(name=name, message=i18n.gettext(lang, message, **params))


def _check_need(answers: Answers, lang: str, *, required: bool = True) -> list[PageError]:
    if answers.category is None and not required:
        return []
    if answers.category not in CATEGORY_LABELS:
        return [_error(lang, "category", N_("Choose what you need help with"))]
    return []


def _check_where(session: Any, answers: Answers, lang: str, *, required: bool = True) -> tuple[list[PageError], Any]:
    if answers.anywhere or (answers.near is None and not required):
        return [], None
    if answers.near is None:
        return [_error(lang, "near", N_("Enter a postcode or the name of your area"))], None
    place = find_place(session, answers.near)
    if place is None:
        return [
            _error(
                lang,
                "near",
                N_("We could not find the place “%(place)s”. Check the spelling, or enter a postcode."),
                place=answers.near,
            )
        ], None
    return [], place


def _check_language(session: Any, answers: Answers, lang: str, *, required: bool = True) -> list[PageError]:
    if answers.language is None and not required:
        return []
    if answers.language == ANY_LANGUAGE:
        return []
    if answers.language is None or answers.language not in {code for code, _ in service_languages(session, lang)}:
        return [_error(lang, "language", N_("Choose a language, or choose any language"))]
    return []


def check_answers(session: Any, answers: Answers, lang: str, *, upto: str, required: bool = True) -> Checked:
    """Check the answers of every question before `upto`; the first step whose answer is wrong is reported."""
    steps = FLOW[: FLOW.index(upto)]
    place = None
    for step in steps:
        if step == "need":
            errors = _check_need(answers, lang, required=required)
        elif step == "where":
            errors, place = _check_where(session, answers, lang, required=required)
        else:
            errors = _check_language(session, answers, lang, required=required)
        if errors:
            return Checked(step=step, errors=errors)
    return Checked(place=place)


# ---------------------------------------------------------------------------------------------------------------
# What the questions need from the directory (search engineer's functions)


def find_place(session: Any, text: str) -> Any:
    """The gazetteer place a person typed (a neighbourhood or a postcode), or None if it is not known."""
    from carebridge.directory import search

    return search.find_place(session, text)


def service_languages(session: Any, lang: str) -> list[tuple[str, str]]:
    """The languages a person can ask for: the interface languages first, then every language a service in the
    directory speaks or has interpreters for; as (code, label) with the label in the reader's language."""
    from carebridge.directory import search

    codes = list(i18n.LANGUAGES)
    others = sorted(
        (code for code in search.languages_offered(session) if code not in i18n.LANGUAGES),
        key=lambda code: i18n.language_name(code, lang).casefold(),
    )
    return [(code, label_case(i18n.language_name(code, lang))) for code in codes + others]


# ---------------------------------------------------------------------------------------------------------------
# Formatting in the reader's locale (Babel)


def label_case(text: str) -> str:
    """Language names are lower case inside French, Spanish and Ukrainian sentences; as a label, capitalise."""
    return text[:1].upper() + text[1:]


def format_distance(kilometres: float, lang: str, *, whole: bool = False) -> str:
    value = round(kilometres) if whole else kilometres
    return format_unit(value, "length-kilometer", length="short", locale=lang, format="#,##0" if whole else "#,##0.#")


def format_day(day: date, lang: str) -> str:
    return babel_format_date(day, format="long", locale=lang)


def format_time(moment: datetime, lang: str) -> str:
    return format_skeleton("Hm", moment, locale=lang)


def weekday_name(moment: datetime | date, lang: str) -> str:
    return get_day_names("wide", locale=lang)[moment.weekday()]


def deployment_now() -> datetime:
    return datetime.now(ZoneInfo(get_settings().timezone))


def describe_next_opening(value: str | datetime | None, lang: str, now: datetime | None = None) -> str | None:
    """ "Opens today at 09:00" / "Opens tomorrow at 09:00" / "Opens Monday at 09:00", in the deployment's time."""
    if not value:
        return None
    try:
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError:
        return None
    zone = ZoneInfo(get_settings().timezone)
    moment = (moment if moment.tzinfo else moment.replace(tzinfo=zone)).astimezone(zone)
    now = (now or deployment_now()).astimezone(zone)
    time = format_time(moment, lang)
    days = (moment.date() - now.date()).days
    if days <= 0:
        return i18n.gettext(lang, N_("Opens today at %(time)s"), time=time)
    if days == 1:
        return i18n.gettext(lang, N_("Opens tomorrow at %(time)s"), time=time)
    if days < 7:
        return i18n.gettext(lang, N_("Opens on %(day)s at %(time)s"), day=weekday_name(moment, lang), time=time)
    return i18n.gettext(lang, N_("Opens on %(date)s at %(time)s"), date=format_day(moment.date(), lang), time=time)


def lang_attributes(content_language: str | None, page_language: str) -> Markup:
    """lang/dir attributes for record text written in another language than the page, so that screen readers
    pronounce it right and right-to-left text lays out right."""
    if not content_language or content_language.split("-")[0].lower() == page_language:
        return Markup("")
    return Markup(' lang="{}" dir="{}"').format(content_language, i18n.direction(content_language))


def _formatting(lang: str) -> dict[str, Any]:
    return {
        "format_distance": lambda km, whole=False: format_distance(km, lang, whole=whole),
        "format_day": lambda day: format_day(day, lang),
        "describe_next_opening": lambda value: describe_next_opening(value, lang),
        "lang_attributes": lambda content_language: lang_attributes(content_language, lang),
        "label_case": label_case,
        "category_label": lambda code: CATEGORY_LABELS.get(code, (code, ""))[0],
    }


# ---------------------------------------------------------------------------------------------------------------
# Pages


def _question(
    request: Request,
    lang: str,
    step: str,
    answers: Answers,
    *,
    session: Any,
    errors: list[PageError] | None = None,
) -> HTMLResponse:
    """Render one question of the flow (also used by later steps to re-ask a question whose answer is wrong)."""
    index = FLOW.index(step)
    back_href = answers.url(PATHS[FLOW[index - 1]], lang, page=False) if index else f"/?lang={lang}"
    own_fields = {"need": ("category",), "where": ("near", "anywhere"), "language": ("language",)}[step]
    context: dict[str, Any] = {
        "answers": answers,
        "errors": errors or [],
        "action": PATHS[step],
        "carried": {**answers.params(lang, without=own_fields, page=False), "answered": "1"},
        "back_href": back_href,
    }
    if step == "need":
        context["options"] = [
            (code, i18n.gettext(lang, label), i18n.gettext(lang, hint)) for code, (label, hint) in CATEGORY_LABELS.items()
        ]
    elif step == "where":
        context["anywhere_href"] = answers.url(PATHS["language"], lang, without=("near",), page=False, anywhere=1)
    elif step == "language":
        context["options"] = _language_options(session, lang)
    return render(
        request,
        f"public/finder/{step}.html",
        context,
        status_code=422 if errors else 200,
        language=lang,
    )


def _language_options(session: Any, lang: str) -> list[tuple[str | None, Markup | str, str | None]]:
    options: list[tuple[str | None, Markup | str, str | None]] = []
    for code, label in service_languages(session, lang):
        native = i18n.LANGUAGES[code].native_name if code in i18n.LANGUAGES else None
        if native and native != label:
            label = Markup('{} <span lang="{}" dir="{}">({})</span>').format(
                label, code, i18n.direction(code), native
            )
        options.append((code, label, None))
    options.append((None, i18n.gettext(lang, N_("or")), None))
    options.append((ANY_LANGUAGE, i18n.gettext(lang, N_("Any language")), None))
    return options


def _given(answers: Answers, step: str) -> bool:
    return {"need": answers.category, "where": answers.near, "language": answers.language}[step] is not None


def _ask(step: str):  # noqa: ANN202 - a route factory
    following = FLOW[FLOW.index(step) + 1]

    def ask(request: Request, session: SessionDep, lang: LanguageDep) -> Response:
        answers = Answers.from_request(request)
        answered = _flag(request.query_params.get("answered"))
        checked = check_answers(session, answers, lang, upto=following if answered else step)
        if checked.step is not None:
            # An earlier answer that is missing (an old bookmark) is simply asked; one that is wrong is explained.
            show_errors = checked.step == step or _given(answers, checked.step)
            return _question(
                request, lang, checked.step, answers, session=session, errors=checked.errors if show_errors else None
            )
        if answered:
            return RedirectResponse(answers.url(PATHS[following], lang, page=False), status_code=303)
        return _question(request, lang, step, answers, session=session)

    ask.__name__ = f"ask_{step}"
    return ask


for _step in ("need", "where", "language"):
    router.add_api_route(PATHS[_step], _ask(_step), methods=["GET"], response_class=HTMLResponse)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, lang: LanguageDep) -> Response:
    choices = [
        (code, language, f"{PATHS['need']}?{urlencode({'lang': code})}") for code, language in i18n.LANGUAGES.items()
    ]
    return render(request, "public/home.html", {"choices": choices}, language=lang)


@router.get("/about", response_class=HTMLResponse)
def about(request: Request, lang: LanguageDep) -> Response:
    settings = get_settings()
    return render(
        request,
        "public/about.html",
        {"stale_months": max(1, round(settings.verification_stale_days / 30.4))},
        language=lang,
    )


def render_reception_card(
    service_name: str, service_language: str | None, spoken_language: str, reader_language: str
) -> list[Markup]:
    """The "show this at the reception desk" card: the same sentences in the local language (for the receptionist)
    and in the reader's, each rendered with its own catalog and marked with its own lang and dir."""
    local = get_settings().local_language
    halves = []
    for language in dict.fromkeys([local, reader_language]):
        # A local language without a catalog falls back to English text, so the half must say it is English.
        language = language if language in i18n.LANGUAGES else "en"
        env = template_environment(language)
        halves.append(
            Markup(
                env.get_template("public/finder/_reception.html").render(
                    lang=language,
                    dir=i18n.direction(language),
                    service_name=service_name,
                    service_lang_attributes=lang_attributes(service_language, language),
                    spoken_language=i18n.language_name(spoken_language, language),
                    needs_interpreter=spoken_language != local,
                    is_local=language == local,
                )
            )
        )
    return halves
