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
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from babel.dates import format_date as babel_format_date
from babel.dates import format_skeleton, get_day_names
from babel.lists import format_list
from babel.numbers import format_currency, format_decimal
from babel.units import format_unit
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup, escape
from sqlalchemy.orm import Session

from carebridge.access import PublicAccess
from carebridge import i18n
from carebridge.config import Settings, settings_in_effect
from carebridge.directory import schedules as opening_hours
from carebridge.directory import search, taxonomy
from carebridge.directory import service as directory_service
from carebridge.emergency import EMERGENCY_CATEGORY, emergency_numbers
from carebridge.errors import N_, NotFound
from carebridge.kit import clock
from carebridge.kit.text import FSI, PDI, compact, isolate
from carebridge.web import LanguageDep, SessionDep, SettingsDep, keep, render, template_environment

router = APIRouter(include_in_schema=False, dependencies=[PublicAccess])

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
FILTERS = (
    "free", "no_status_check", "no_documents", "open_now",
    # for community activities (social prescribing, issue 11)
    "low_cost", "childcare", "faith_sensitive", "transport_help", "women_only", "men_only",
)
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
    # Community activities (social prescribing, issue 11)
    "sport-exercise": (N_("Sport and exercise"), N_("Football, walking groups, swimming and exercise classes.")),
    "arts-culture": (N_("Arts and culture"), N_("Music, sewing, crafts, drama, museums and libraries.")),
    "faith-cultural-groups": (N_("Faith and cultural groups"), N_("Places of worship, faith groups and cultural clubs.")),
    "volunteering": (N_("Volunteering"), N_("Give some of your time to help others and meet people.")),
    "parent-groups": (N_("Parent and toddler groups"), N_("Play and meet other parents with your small children.")),
    "befriending": (N_("Befriending"), N_("Someone to meet and talk to every week, so you feel less alone.")),
    "gardening-outdoors": (N_("Gardening and the outdoors"), N_("Community gardens, growing food and walks in nature.")),
    "cooking-eating-together": (N_("Cooking and eating together"), N_("Cook and share meals with other people.")),
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
    low_cost: bool = False
    childcare: bool = False
    faith_sensitive: bool = False
    transport_help: bool = False
    women_only: bool = False
    men_only: bool = False
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
            **{name: _flag(query.get(name)) for name in FILTERS[4:]},
            page=min(max(page, 1), MAX_PAGE),
        )

    def params(self, lang: str, *, without: tuple[str, ...] = (), keep_page: bool = True) -> dict[str, str]:
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
        values["page"] = str(self.page) if keep_page and self.page > 1 else None
        return {key: str(value) for key, value in values.items() if value not in (None, "") and key not in without}

    def url(self, path: str, lang: str, *, without: tuple[str, ...] = (), keep_page: bool = True, **extra: Any) -> str:
        params = self.params(lang, without=without, keep_page=keep_page)
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


def _check_where(session: Session, answers: Answers, lang: str, *, required: bool = True) -> tuple[list[PageError], Any]:
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


def _check_language(session: Session, answers: Answers, lang: str, *, required: bool = True) -> list[PageError]:
    if answers.language is None and not required:
        return []
    if answers.language == ANY_LANGUAGE:
        return []
    if answers.language is None or answers.language not in {code for code, _ in service_languages(session, lang)}:
        return [_error(lang, "language", N_("Choose a language, or choose any language"))]
    return []


def check_answers(session: Session, answers: Answers, lang: str, *, upto: str, required: bool = True) -> Checked:
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


def find_place(session: Session, text: str) -> search.Place | None:
    """The gazetteer place a person typed (a neighbourhood, the city, a district or a postcode, a full postcode
    the gazetteer does not list standing for its district), or None if it is not known."""
    return search.find_place(session, text)


def place_examples(session: Session, lang: str) -> Markup | None:
    """Names a person could type on the "where" page, from the gazetteer, as a list in the page's language; each
    isolated and kept whole (the `keep` class: no line break inside; FSI ... PDI so that a copy keeps its order too)
    so that "Ashby Park" or "FH1 1AA" is never split across lines or reordered in right-to-left text."""
    names = search.place_examples(search.search_index_for_session(session).get())
    if not names:
        return None
    items = [str(Markup('<bdi class="keep" dir="auto">{}</bdi>').format(f"{FSI}{name}{PDI}")) for name in names]
    return Markup(format_list(items, locale=i18n.formatting_locale(lang)))  # noqa: S704 - every item escaped above


def service_languages(session: Session, lang: str) -> list[tuple[str, str]]:
    """The languages a person can ask for: the interface languages first, then every language a service in the
    directory speaks or has interpreters for; as (code, label) with the label in the reader's language."""
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
    return format_unit(value, "length-kilometer", length="short", locale=i18n.formatting_locale(lang), format="#,##0" if whole else "#,##0.#")


def format_day(day: date, lang: str) -> str:
    return babel_format_date(day, format="long", locale=i18n.formatting_locale(lang))


def format_time(moment: datetime, lang: str) -> str:
    return format_skeleton("Hm", moment, locale=i18n.formatting_locale(lang))


def weekday_name(moment: datetime | date, lang: str) -> str:
    return get_day_names("wide", locale=i18n.formatting_locale(lang))[moment.weekday()]


def _settings(settings: Settings | None) -> Settings:
    """The deployment's settings: the app's, passed down by the routes (request.app.state.settings); a helper
    called without them (a test, a script) uses the settings in effect (config.settings_in_effect)."""
    return settings or settings_in_effect()


def deployment_now(settings: Settings | None = None) -> datetime:
    return clock.now(_settings(settings).timezone)


def describe_next_opening(
    value: str | datetime | None, lang: str, now: datetime | None = None, settings: Settings | None = None
) -> str | None:
    """ "Opens today at 09:00" / "Opens tomorrow at 09:00" / "Opens Monday at 09:00", in the deployment's time."""
    if not value:
        return None
    try:
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError:
        return None
    zone = ZoneInfo(_settings(settings).timezone)
    moment = (moment if moment.tzinfo else moment.replace(tzinfo=zone)).astimezone(zone)
    now = (now or deployment_now(settings)).astimezone(zone)
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


def _formatting(lang: str, settings: Settings) -> dict[str, Any]:
    return {
        "format_distance": lambda km, whole=False: format_distance(km, lang, whole=whole),
        "format_day": lambda day: format_day(day, lang),
        "describe_next_opening": lambda value: describe_next_opening(value, lang, settings=settings),
        "lang_attributes": lambda content_language: lang_attributes(content_language, lang),
        "label_case": label_case,
        "category_label": lambda code: CATEGORY_LABELS.get(code, (code, ""))[0],
    }


# ---------------------------------------------------------------------------------------------------------------
# Opening hours in words, in the reader's language

DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
ORDINAL_DAY = re.compile(r"^(-?[1-5])?(MO|TU|WE|TH|FR|SA|SU)$")


def _hhmm(value: str | None) -> tuple[int, int] | None:
    match = re.match(r"^(\d{1,2}):(\d{2})", value or "")
    if not match:
        return None
    hours, minutes = int(match.group(1)), int(match.group(2))
    return (hours, minutes) if hours <= 24 and minutes < 60 else None


def _clock(hours_minutes: tuple[int, int], lang: str) -> str:
    hours, minutes = hours_minutes
    return format_time(datetime(2000, 1, 1, hours % 24, minutes), lang)


def describe_hours(opens_at: str | None, closes_at: str | None, lang: str) -> str | None:
    """ "09:00 to 17:00", "Open 24 hours", "20:00 to 08:00 the next morning"."""
    opens, closes = _hhmm(opens_at), _hhmm(closes_at)
    if opens is None or closes is None:
        return None
    end_of_day = closes in {(23, 59), (24, 0)}
    if opens == (0, 0) and (end_of_day or closes == (0, 0)):
        return i18n.gettext(lang, N_("Open 24 hours"))
    if end_of_day:
        return i18n.gettext(lang, N_("%(opens)s to midnight"), opens=_clock(opens, lang))
    if closes < opens:
        return i18n.gettext(
            lang, N_("%(opens)s to %(closes)s the next morning"), opens=_clock(opens, lang), closes=_clock(closes, lang)
        )
    return i18n.gettext(lang, N_("%(opens)s to %(closes)s"), opens=_clock(opens, lang), closes=_clock(closes, lang))


def describe_days(byday: str | None, freq: str | None, lang: str) -> str | None:
    """ "Monday to Friday", "Every day", "Tuesday, Thursday", "First Saturday of the month"."""
    codes = [code.strip().upper() for code in (byday or "").split(",") if code.strip()]
    names = get_day_names("wide", locale=i18n.formatting_locale(lang))
    if (freq or "").upper() == "MONTHLY":
        parts = []
        for code in codes:
            match = ORDINAL_DAY.match(code)
            if not match or not match.group(1):
                return None
            ordinal = int(match.group(1))
            day = names[DAY_CODES.index(match.group(2))]
            message = {
                1: N_("first %(day)s of the month"),
                2: N_("second %(day)s of the month"),
                3: N_("third %(day)s of the month"),
                4: N_("fourth %(day)s of the month"),
                -1: N_("last %(day)s of the month"),
            }.get(ordinal)
            if message is None:
                return None
            parts.append(i18n.gettext(lang, message, day=day))
        return label_case(format_list(parts, locale=i18n.formatting_locale(lang))) if parts else None
    if (freq or "WEEKLY").upper() != "WEEKLY" or not codes or any(code not in DAY_CODES for code in codes):
        return None
    indexes = sorted({DAY_CODES.index(code) for code in codes})
    if len(indexes) == 7:
        return i18n.gettext(lang, N_("Every day"))
    runs: list[list[int]] = []
    for index in indexes:
        if runs and index == runs[-1][-1] + 1:
            runs[-1].append(index)
        else:
            runs.append([index])
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(i18n.gettext(lang, N_("%(first)s to %(last)s"), first=names[run[0]], last=names[run[-1]]))
        else:
            parts.extend(names[index] for index in run)
    return label_case(format_list(parts, locale=i18n.formatting_locale(lang)))


def describe_schedules(
    schedules: list[dict[str, Any]], lang: str, today: date | None = None, settings: Settings | None = None
) -> list[tuple[str, str]]:
    """Opening hours as (days, hours) rows in the reader's language. Schedules no longer valid are left out;
    one that starts later says from when; one the words cannot describe falls back to its own description."""
    today = today or deployment_now(settings).date()
    rows: list[tuple[str, str]] = []
    for schedule in schedules:
        valid_from, valid_to = _as_date(schedule.get("valid_from")), _as_date(schedule.get("valid_to"))
        if valid_to and valid_to < today:
            continue
        days = describe_days(schedule.get("byday"), schedule.get("freq"), lang)
        hours = describe_hours(schedule.get("opens_at"), schedule.get("closes_at"), lang)
        if days is None or hours is None:
            if schedule.get("description"):
                rows.append(("", str(schedule["description"])))
            continue
        if valid_from and valid_from > today:
            hours = i18n.gettext(lang, N_("%(hours)s, from %(date)s"), hours=hours, date=format_day(valid_from, lang))
        rows.append((days, hours))
    return rows


def _as_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


# ---------------------------------------------------------------------------------------------------------------
# A service record (a redacted HSDS dict from service.get_service) as the service page shows it


def _term_values(attributes: list[dict[str, Any]], term: taxonomy.Term) -> list[str | None]:
    return [attribute.get("value") for attribute in attributes if attribute.get("taxonomy_term_id") == term.id]


def _has(attributes: list[dict[str, Any]], term: taxonomy.Term) -> bool:
    return bool(_term_values(attributes, term))


def _first(values: list[str | None]) -> str | None:
    return next((value for value in values if value), None)


def _phones(*records: dict[str, Any] | None) -> list[dict[str, Any]]:
    phones, seen = [], set()
    for record in records:
        for phone in (record or {}).get("phones") or []:
            if phone.get("number") and phone["number"] not in seen:
                seen.add(phone["number"])
                phones.append(phone)
    return phones


def is_stale(last_verified: date | None, settings: Settings | None = None) -> bool:
    if last_verified is None:
        return True
    settings = _settings(settings)
    return (deployment_now(settings).date() - last_verified).days > settings.verification_stale_days


def location_view(service_at_location: dict[str, Any], lang: str, settings: Settings | None = None) -> dict[str, Any]:
    """One place where the service is given. A confidential location shows only its area and phone numbers,
    whatever the record holds: the redaction upstream is not the only line of defence."""
    from carebridge.directory import hsds  # here, not at the top: this is the only use in this module

    location = service_at_location.get("location") or {}
    confidential = hsds.is_confidential_location_document(location)
    if confidential:  # through the one allow-list again, whatever the record holds
        location = hsds.redact_location(location)
        service_at_location = {"location": location}
    addresses = [a for a in location.get("addresses") or [] if a.get("address_type", "physical") == "physical"]
    address = addresses[0] if addresses else None
    area = None
    if address:
        area = address.get("address_2") or address.get("city") or None
    view: dict[str, Any] = {
        "name": None if confidential else location.get("name"),
        "confidential": confidential,
        "virtual": location.get("location_type") == "virtual",
        "area": area,
        "city": (address or {}).get("city"),
        "phones": _phones(service_at_location, location),
        "hours": describe_schedules(service_at_location.get("schedules") or [], lang, settings=settings),
        "has_schedule": bool(service_at_location.get("schedules")),
        "url": location.get("url") if location.get("location_type") == "virtual" else None,
    }
    if not confidential:
        view.update(
            address_lines=[
                line
                for line in (
                    (address or {}).get("address_1"),
                    (address or {}).get("address_2"),
                    " ".join(part for part in ((address or {}).get("city"), isolate((address or {}).get("postal_code"), "postcode")) if part),
                )
                if line
            ],
            description=location.get("description"),
            transportation=location.get("transportation"),
            accessibility=[a.get("description") for a in location.get("accessibility") or [] if a.get("description")],
        )
    return view


def service_view(service: dict[str, Any], lang: str, settings: Settings | None = None) -> dict[str, Any]:
    attributes = service.get("attributes") or []
    last_verified = _as_date(_first(_term_values(attributes, taxonomy.LAST_VERIFIED)) or service.get("assured_date"))
    content_language = _first(_term_values(attributes, taxonomy.CONTENT_LANGUAGE))
    categories = [
        taxonomy.TERMS_BY_ID[a["taxonomy_term_id"]].code
        for a in attributes
        if a.get("taxonomy_term_id") in taxonomy.TERMS_BY_ID and a.get("link_type") == "category"
    ]
    spoken = [language["code"] for language in service.get("languages") or [] if language.get("code")]
    interpreters = [code for code in _term_values(attributes, taxonomy.INTERPRETERS) if code and code not in spoken]
    organization = service.get("organization") or {}
    return {
        "id": service.get("id"),
        "name": service.get("name") or "",
        "description": service.get("description"),
        "organization": organization.get("name"),
        "organization_website": organization.get("website"),
        "content_language": content_language,
        "categories": [code for code in dict.fromkeys(categories) if code in CATEGORY_LABELS],
        "free": _has(attributes, taxonomy.FREE),
        "no_status_check": _has(attributes, taxonomy.NO_STATUS_CHECK) and not _has(attributes, taxonomy.STATUS_CHECK),
        "status_check": taxonomy.status_check_state(
            taxonomy.TERMS_BY_ID[a["taxonomy_term_id"]].code for a in attributes if a.get("taxonomy_term_id") in taxonomy.TERMS_BY_ID
        ),
        "status_check_detail": _first(_term_values(attributes, taxonomy.STATUS_CHECK)),
        "no_documents": _has(attributes, taxonomy.NO_DOCUMENTS),
        "childcare": _has(attributes, taxonomy.CHILDCARE),
        "transport_help": _has(attributes, taxonomy.TRANSPORT_HELP),
        "same_gender_clinician": _has(attributes, taxonomy.SAME_GENDER_CLINICIAN),
        "eligible_gender": _first(_term_values(attributes, taxonomy.ELIGIBLE_GENDER)),
        "languages": spoken,
        "interpreter_languages": list(dict.fromkeys(interpreters)),
        "interpretation_services": service.get("interpretation_services"),
        "application_process": service.get("application_process"),
        "eligibility_description": service.get("eligibility_description"),
        "minimum_age": service.get("minimum_age"),
        "maximum_age": service.get("maximum_age"),
        "fees_description": service.get("fees_description"),
        "cost_options": [
            option
            for option in service.get("cost_options") or []
            if option.get("amount") is not None or option.get("option") or option.get("amount_description")
        ],
        "documents": [d.get("document") for d in service.get("required_documents") or [] if d.get("document")],
        "alert": service.get("alert"),
        "url": service.get("url"),
        "email": service.get("email"),
        "phones": _phones(service),
        "locations": [location_view(sal, lang, settings) for sal in service.get("service_at_locations") or []],
        "last_verified": last_verified,
        "stale": is_stale(last_verified, settings),
        "source": _first(_term_values(attributes, taxonomy.SOURCE)),
    }


def format_money(amount: float, currency: str | None, lang: str) -> str:
    if currency:
        return format_currency(amount, currency, locale=i18n.formatting_locale(lang))
    return format_decimal(amount, locale=i18n.formatting_locale(lang))


_BIDI_MARKS = re.compile("[\u200e\u200f\u061c]")


def kept_money(amount: float, currency: str | None, lang: str) -> Markup:
    """A price as one piece that keeps its order and never wraps inside a sentence in either direction (the `keep`
    filter's "amount" kind): in Arabic "27.40 UK£" came out as "£UK 27.40" without it. The direction marks Babel
    puts in some locales' patterns are left out: the isolate does their work."""
    return keep(_BIDI_MARKS.sub("", format_money(amount, currency, lang)), "amount")


# ---------------------------------------------------------------------------------------------------------------
# Pages


def _question(
    request: Request,
    lang: str,
    step: str,
    answers: Answers,
    *,
    session: Session,
    errors: list[PageError] | None = None,
) -> HTMLResponse:
    """Render one question of the flow (also used by later steps to re-ask a question whose answer is wrong)."""
    index = FLOW.index(step)
    back_href = answers.url(PATHS[FLOW[index - 1]], lang, keep_page=False) if index else f"/?lang={lang}"
    own_fields = {"need": ("category",), "where": ("near", "anywhere"), "language": ("language",)}[step]
    context: dict[str, Any] = {
        "answers": answers,
        "errors": errors or [],
        "action": PATHS[step],
        "carried": {**answers.params(lang, without=own_fields, keep_page=False), "answered": "1"},
        "back_href": back_href,
        # Once a person has chosen urgent or emergency care, every later page starts with the numbers to call.
        "emergency_numbers": _emergency_numbers_for(answers.category, request.app.state.settings) if step != "need" else (),
    }
    if step == "need":
        context["options"] = [
            (code, i18n.gettext(lang, label), i18n.gettext(lang, hint)) for code, (label, hint) in CATEGORY_LABELS.items()
        ]
    elif step == "where":
        context["anywhere_href"] = answers.url(PATHS["language"], lang, without=("near",), keep_page=False, anywhere=1)
        context["place_examples"] = place_examples(session, lang)
    elif step == "language":
        context["options"] = _language_options(session, lang)
        # Most people want to speak the language they read the site in: the question starts on it.
        context["selected"] = answers.language if answers.language is not None or errors else lang
    return render(
        request,
        f"public/finder/{step}.html",
        context,
        status_code=422 if errors else 200,
        language=lang,
    )


def _language_options(session: Session, lang: str) -> list[tuple[str | None, Markup | str, str | None]]:
    options: list[tuple[str | None, Markup | str, str | None]] = []
    for code, label in service_languages(session, lang):
        # Each language also in its own name, so that a person finds theirs whatever the page's language.
        native = i18n.LANGUAGES[code].native_name if code in i18n.LANGUAGES else label_case(i18n.language_name(code, code))
        if native and native != code and native.casefold() != label.casefold():
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
            if checked.place is not None and not answers.anywhere:
                answers = replace(answers, near=checked.place.name)  # "fh11aa" is carried on as "FH1 1AA"
            return RedirectResponse(answers.url(PATHS[following], lang, keep_page=False), status_code=303)
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
def about(request: Request, lang: LanguageDep, settings: SettingsDep) -> Response:
    return render(
        request,
        "public/about.html",
        {"stale_months": max(1, round(settings.verification_stale_days / 30.4))},
        language=lang,
    )


def speaks(languages: list[str] | tuple[str, ...], code: str) -> bool:
    """Whether `code` is among `languages`, by primary language ("ar" is spoken where "ar-SY" is listed)."""
    primary = code.split("-")[0].lower()
    return any(language.split("-")[0].lower() == primary for language in languages)


def render_reception_card(
    service_name: str,
    service_language: str | None,
    spoken_language: str,
    reader_language: str,
    service_languages: list[str] | tuple[str, ...] = (),
    local_language: str | None = None,
) -> list[Markup]:
    """The "show this at the reception desk" card: the same sentences in the local language (for the receptionist)
    and in the reader's, each rendered with its own catalog and marked with its own lang and dir. It asks for an
    interpreter only when the language the person speaks is neither the local one nor one the staff speak
    (`service_languages`, the service's published languages)."""
    local = local_language or settings_in_effect().local_language
    needs_interpreter = spoken_language != local and not speaks(service_languages, spoken_language)
    # A local language without a catalog would come out in English, so that half must say it is English.
    halves = dict.fromkeys(language if language in i18n.LANGUAGES else "en" for language in (local, reader_language))
    rendered = []
    for language in halves:
        service_markup = Markup("<strong{}>{}</strong>").format(
            lang_attributes(service_language, language), service_name
        )
        html = template_environment(language).get_template("public/finder/_reception.html").render(
            lang=language,
            dir=i18n.direction(language),
            service_markup=service_markup,
            spoken_language=i18n.language_name(spoken_language, language),
            needs_interpreter=needs_interpreter,
        )
        rendered.append(Markup(html))
    return rendered


def _safe_url(url: str | None) -> str | None:
    """Only web links from records: a `javascript:` or `data:` URL in imported data must never become a link."""
    return url if url and re.match(r"^https?://", url, re.IGNORECASE) else None


def _language_list(codes: list[str], lang: str) -> str | None:
    return format_list([i18n.language_name(code, lang) for code in codes], locale=i18n.formatting_locale(lang)) if codes else None


# ---------------------------------------------------------------------------------------------------------------
# Results


def run_search(session: Session, answers: Answers) -> dict[str, Any]:
    """search_services with the finder's answers, as the API's JSON (a dict)."""
    found = search.search_services(
        session,
        category=answers.category,
        near=None if answers.anywhere else answers.near,
        language=None if answers.language in (None, ANY_LANGUAGE) else answers.language,
        free=answers.free or None,
        no_status_check=answers.no_status_check or None,
        no_documents=answers.no_documents or None,
        open_now=answers.open_now or None,
        **{name: getattr(answers, name) or None for name in FILTERS[4:]},
        page=answers.page,
        per_page=PER_PAGE,
    )
    return found.model_dump()


def result_view(result: dict[str, Any], answers: Answers, lang: str, settings: Settings | None = None) -> dict[str, Any]:
    """One search result as the results list shows it (the result is the search API's result object)."""
    address = result.get("address") or {}
    confidential = bool(result.get("confidential_address"))
    distance = result.get("distance_km")
    languages = list(result.get("languages") or [])
    interpreters = [code for code in result.get("interpreter_languages") or [] if code not in languages]
    wanted = answers.language if answers.language not in (None, ANY_LANGUAGE) else None
    if wanted and wanted not in languages and wanted in interpreters:
        languages_text = i18n.gettext(
            lang, N_("You can have an interpreter for %(language)s."), language=i18n.language_name(wanted, lang)
        )
    elif languages:
        languages_text = i18n.gettext(lang, N_("The staff speak: %(languages)s."), languages=_language_list(languages, lang))
    else:
        languages_text = None
    open_now = result.get("open_now")
    if open_now and result.get("open_until"):
        opening = i18n.gettext(lang, N_("Open now, until %(time)s"), time=_local_time(result["open_until"], lang, settings))
    elif open_now:
        opening = i18n.gettext(lang, N_("Open now"))
    elif open_now is None or not result.get("has_schedule", True):
        opening = i18n.gettext(lang, N_("Call to ask when you can go"))
    else:
        opening = describe_next_opening(result.get("next_opening"), lang, settings=settings) or i18n.gettext(lang, N_("Closed"))
    address_text = None
    if not confidential and address:
        parts = (result.get("location_name"), address.get("address_1"), address.get("address_2"), isolate(address.get("postal_code"), "postcode"))
        address_text = ", ".join(part for part in parts if part)
    amounts = [
        (float(option["amount"]), option.get("currency"))
        for option in result.get("cost_options") or []
        if isinstance(option.get("amount"), (int, float)) and option["amount"] > 0
    ]
    if result.get("free"):
        cost_text = None  # the "Free" tag says it
    elif amounts:
        amount, currency = min(amounts, key=lambda item: item[0])
        cost_text = Markup(escape(i18n.gettext(lang, N_("It costs money: from %(amount)s.")))) % {
            "amount": kept_money(amount, currency, lang)
        }
    else:
        cost_text = i18n.gettext(lang, N_("You may have to pay. Ask the service."))
    return {
        "name": result.get("name") or "",
        "organization": result.get("organization"),
        "cost_text": cost_text,
        "documents": [] if result.get("no_documents") else [str(d) for d in result.get("documents") or [] if d],
        "href": answers.url(f"/services/{quote(str(result.get('service_id') or ''), safe='')}", lang),
        "lang_attributes": lang_attributes(result.get("content_language"), lang),
        "distance": (
            i18n.gettext(lang, N_("%(distance)s away"), distance=format_distance(distance, lang, whole=confidential))
            if distance is not None
            else None
        ),
        "open_now": bool(open_now),
        "opening": opening,
        "virtual": result.get("location_type") == "virtual",
        "confidential_address": confidential,
        "area": result.get("area") or address.get("address_2") or address.get("city"),
        "address": address_text,
        "free": bool(result.get("free")),
        "no_status_check": bool(result.get("no_status_check")),
        "status_check": result.get("status_check") or ("no-check" if result.get("no_status_check") else "unknown"),
        "no_documents": bool(result.get("no_documents")),
        "childcare": bool(result.get("childcare")),
        "transport_help": bool(result.get("transport_help")),
        "languages_text": languages_text,
        "last_verified": _as_date(result.get("last_verified")),
        "stale": bool(result.get("verification_stale")),
    }


def _emergency_numbers_for(category: str | None, settings: Settings | None = None) -> tuple[Any, ...]:
    """The deployment's emergency numbers when the page is about urgent or emergency care, else none."""
    return emergency_numbers(settings=_settings(settings)) if category == EMERGENCY_CATEGORY else ()


def _local_time(value: str, lang: str, settings: Settings | None = None) -> str:
    moment = datetime.fromisoformat(value)
    zone = ZoneInfo(_settings(settings).timezone)
    return format_time((moment if moment.tzinfo else moment.replace(tzinfo=zone)).astimezone(zone), lang)


@router.get(PATHS["results"], response_class=HTMLResponse)
def results(request: Request, session: SessionDep, lang: LanguageDep, settings: SettingsDep) -> Response:
    answers = Answers.from_request(request)
    checked = check_answers(session, answers, lang, upto="results", required=False)
    if checked.step is not None:
        return _question(request, lang, checked.step, answers, session=session, errors=checked.errors)
    found = run_search(session, answers)
    total = int(found.get("total") or 0)
    pages = max(1, -(-total // PER_PAGE))
    if answers.page > pages and total:
        return RedirectResponse(answers.url(PATHS["results"], lang, keep_page=False), status_code=303)
    language_label = (
        label_case(i18n.language_name(answers.language, lang))
        if answers.language not in (None, ANY_LANGUAGE)
        else i18n.gettext(lang, N_("Any language"))
    )
    context = {
        "answers": answers,
        "total": total,
        "page": answers.page,
        "pages": pages,
        "first_number": (answers.page - 1) * PER_PAGE + 1,
        "results": [result_view(result, answers, lang, settings) for result in found.get("results") or []],
        "need_label": i18n.gettext(lang, CATEGORY_LABELS[answers.category][0])
        if answers.category
        else i18n.gettext(lang, N_("Any kind of help")),
        "place_label": None if answers.anywhere or not answers.near else getattr(checked.place, "name", answers.near),
        "language_label": language_label,
        "back_href": answers.url(PATHS["language"], lang, keep_page=False),
        "change": {step: answers.url(PATHS[step], lang, keep_page=False) for step in ("need", "where", "language")},
        "filter_carried": answers.params(lang, without=FILTERS, keep_page=False),
        "previous_href": replace(answers, page=answers.page - 1).url(PATHS["results"], lang)
        if answers.page > 1
        else None,
        "next_href": replace(answers, page=answers.page + 1).url(PATHS["results"], lang)
        if answers.page < pages
        else None,
        "without_filters_href": Answers(
            category=answers.category, near=answers.near, anywhere=answers.anywhere, language=answers.language
        ).url(PATHS["results"], lang),
        "any_language_href": replace(answers, language=ANY_LANGUAGE, page=1).url(PATHS["results"], lang)
        if answers.language not in (None, ANY_LANGUAGE)
        else None,
        "everywhere_href": replace(answers, anywhere=True, page=1).url(PATHS["results"], lang)
        if not answers.anywhere and answers.near
        else None,
        "emergency_numbers": _emergency_numbers_for(answers.category, settings),
        **_formatting(lang, settings),
    }
    return render(request, "public/finder/results.html", context, language=lang)


# ---------------------------------------------------------------------------------------------------------------
# One service


def _schedule_rows(schedules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Schedules as search's schedule functions read them: the Carebridge time-zone attribute names the zone."""
    rows = []
    for schedule in schedules:
        zone = _first(_term_values(schedule.get("attributes") or [], taxonomy.TIME_ZONE))
        rows.append({**schedule, "timezone_name": schedule.get("timezone_name") or zone})
    return rows


def open_status(
    service: dict[str, Any], lang: str, now: datetime | None = None, settings: Settings | None = None
) -> str | None:
    """ "Open now, until 17:00" / "Opens tomorrow at 09:00" over all the service's places, or None without hours."""
    rows = [row for sal in service.get("service_at_locations") or [] for row in _schedule_rows(sal.get("schedules") or [])]
    rows += _schedule_rows(service.get("schedules") or [])
    if not rows:
        return None
    settings = _settings(settings)
    now = now or deployment_now(settings)
    zone = settings.timezone
    if opening_hours.is_open_at(rows, now, default_zone=zone):
        until = opening_hours.open_until(rows, now, default_zone=zone)
        if until is None:
            return i18n.gettext(lang, N_("Open now"))
        until = until.astimezone(ZoneInfo(zone))
        if until.date() == now.date():
            return i18n.gettext(lang, N_("Open now, until %(time)s"), time=format_time(until, lang))
        return i18n.gettext(
            lang, N_("Open now, until %(day)s at %(time)s"), day=weekday_name(until, lang), time=format_time(until, lang)
        )
    return describe_next_opening(opening_hours.next_opening(rows, now, default_zone=zone), lang, now, settings) or i18n.gettext(
        lang, N_("Closed")
    )


def _restatements(view: dict[str, Any]) -> set[str]:
    """The ways a record's English eligibility text can say no more than its age and gender fields (as the demo
    build and many publishers write it), compacted: "For people aged 18 and over." for minimum_age 18."""
    low, high = view.get("minimum_age"), view.get("maximum_age")
    gender = view.get("eligible_gender")
    if low is None and high is None and gender not in ("female", "male"):
        return set()
    whos = {"female": ("women", "females"), "male": ("men", "males")}.get(gender or "", ("people", "anyone", "adults"))
    ages: list[str] = []
    if low is not None and high is not None:
        ages = [f"aged {int(low)} to {int(high)}", f"aged {int(low)}-{int(high)}", f"aged between {int(low)} and {int(high)}"]
    elif low is not None:
        ages = [f"aged {int(low)} {tail}" for tail in ("and over", "or over", "or older", "and older", "plus")]
        ages.append(f"aged {int(low)}+")
    elif high is not None:
        ages = [f"aged {int(high)} {tail}" for tail in ("and under", "or under", "or younger", "and younger")]
    phrases = {f"for {who} {age}" for who in whos for age in ages}
    if not ages:
        phrases |= {f"for {who} only" for who in whos} | {f"only for {who}" for who in whos}
    return {compact(phrase) for phrase in phrases}


def eligibility_text(view: dict[str, Any]) -> str | None:
    """The record's eligibility text, unless it only restates the age and gender fields, which the page already
    says in the reader's language (_who_can_use): the page said "For people aged 18 or older. For people aged 18
    and over." for the safe house."""
    text = view.get("eligibility_description")
    if not text or not str(text).strip():
        return None
    if compact(str(text)) in _restatements(view):
        return None
    return str(text)


def _who_can_use(view: dict[str, Any], lang: str) -> list[str]:
    texts = []
    low, high = view.get("minimum_age"), view.get("maximum_age")
    if low is not None and high is not None:
        texts.append(i18n.gettext(lang, N_("For people aged %(low)s to %(high)s."), low=int(low), high=int(high)))
    elif low is not None:
        texts.append(i18n.gettext(lang, N_("For people aged %(low)s or older."), low=int(low)))
    elif high is not None:
        texts.append(i18n.gettext(lang, N_("For people aged %(high)s or younger."), high=int(high)))
    if view.get("eligible_gender") == "female":
        texts.append(i18n.gettext(lang, N_("Only for women.")))
    elif view.get("eligible_gender") == "male":
        texts.append(i18n.gettext(lang, N_("Only for men.")))
    if view.get("same_gender_clinician"):
        texts.append(i18n.gettext(lang, N_("You can ask to see a doctor or nurse of the same gender as you.")))
    return texts


def _costs(view: dict[str, Any], lang: str) -> list[Markup]:
    costs = []
    for option in view["cost_options"]:
        parts = [escape(str(part)) for part in (option.get("option"), option.get("amount_description")) if part]
        if option.get("amount") is not None:
            parts.append(kept_money(float(option["amount"]), option.get("currency"), lang))
        costs.append(Markup(": ").join(parts))
    return costs


def get_service_record(session: Session, service_id: str) -> dict[str, Any] | None:
    """The service as a full HSDS record with confidential places redacted, or None."""
    return directory_service.get_service(session, service_id)


@router.get("/services/{service_id}", response_class=HTMLResponse)
def service_page(
    service_id: str, request: Request, session: SessionDep, lang: LanguageDep, settings: SettingsDep
) -> Response:
    answers = Answers.from_request(request)
    if len(service_id) > 64 or not service_id.isprintable():
        raise NotFound()
    record = get_service_record(session, service_id)
    if record is None:
        raise NotFound()
    view = service_view(record, lang, settings)
    for place in view["locations"]:
        place["url"] = _safe_url(place.get("url"))
    view["url"] = _safe_url(view.get("url"))
    view["organization_website"] = _safe_url(view.get("organization_website"))
    if not view["phones"] and not any(place["phones"] for place in view["locations"]):
        view["phones"] = _phones(record.get("organization"))
    content_language = view["content_language"]
    local = settings.local_language
    spoken = answers.language if answers.language not in (None, ANY_LANGUAGE) else lang
    reception = None
    # No card where there is no reception desk to show it at: every place of the service is confidential (a refuge
    # arranges a meeting by phone; the card would also tell an onlooker the person is going there).
    only_confidential = bool(view["locations"]) and all(place["confidential"] for place in view["locations"])
    if (spoken != local or lang != local) and not only_confidential:
        reception = render_reception_card(view["name"], content_language, spoken, lang, view["languages"], local)
    has_answers = any((answers.category, answers.near, answers.anywhere, answers.language))
    context = {
        "service": view,
        "record_lang": lang_attributes(content_language, lang),
        "record_language_note": i18n.gettext(
            lang,
            N_("This information is written in %(language)s."),
            language=i18n.language_name(content_language, lang),
        )
        if content_language and content_language.split("-")[0] != lang
        else None,
        "open_status": open_status(record, lang, settings=settings),
        "reception": reception,
        "spoken_names": _language_list(view["languages"], lang),
        "interpreter_names": _language_list(view["interpreter_languages"], lang),
        "costs": _costs(view, lang),
        "who_text": _who_can_use(view, lang),
        "eligibility_text": eligibility_text(view),
        "back_href": answers.url(PATHS["results"], lang) if has_answers else f"/?lang={lang}",
        # A&E and other urgent care (by their category term) carry the emergency numbers on their page.
        "emergency_numbers": _emergency_numbers_for(
            EMERGENCY_CATEGORY if EMERGENCY_CATEGORY in view["categories"] else None, settings
        ),
        **_formatting(lang, settings),
    }
    return render(request, "public/finder/service.html", context, language=lang)
