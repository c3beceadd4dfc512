"""Locale negotiation, gettext catalogs and text direction.

A page's language comes from `?lang=` (remembered in a cookie), then the cookie, then Accept-Language, then the
default. Catalogs are compiled from locale/<lang>/LC_MESSAGES/*.po; every domain found there is merged into one
gettext catalog per language, so each product area can keep its own .po file.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.core import UnknownLocaleError
from babel.support import NullTranslations, Translations
from starlette.requests import HTTPConnection

from carebridge.config import settings_in_effect
from carebridge.kit.text import fill

LANG_COOKIE = "carebridge_lang"


@dataclass(frozen=True)
class Language:
    code: str
    native_name: str
    english_name: str
    direction: str  # "ltr" or "rtl"


# The languages with complete interface catalogs. Order is the order of the language switcher.
LANGUAGES: dict[str, Language] = {
    lang.code: lang
    for lang in (
        Language("en", "English", "English", "ltr"),
        Language("ar", "العربية", "Arabic", "rtl"),
        Language("fa", "فارسی", "Farsi", "rtl"),
        Language("uk", "Українська", "Ukrainian", "ltr"),
        Language("fr", "Français", "French", "ltr"),
        Language("es", "Español", "Spanish", "ltr"),
    )
}


# Languages we have no catalog for whose speakers read one we have: Dari and Iranian Persian read Farsi.
# Only mutual intelligibility in writing counts here (Pashto speakers, say, are not sent to Farsi).
READ_AS = {"prs": "fa", "pes": "fa"}


def language_or_none(code: str | None) -> str | None:
    if not code:
        return None
    code = code.strip().lower().replace("_", "-").split("-")[0]
    code = READ_AS.get(code, code)
    return code if code in LANGUAGES else None


def negotiate_language(connection: HTTPConnection) -> str:
    """The reader's language: ?lang=, the cookie, Accept-Language, then the default language of the app serving
    the request (its settings.default_language)."""
    from_query = language_or_none(connection.query_params.get("lang"))
    if from_query:
        return from_query
    from_cookie = language_or_none(connection.cookies.get(LANG_COOKIE))
    if from_cookie:
        return from_cookie
    header = connection.headers.get("accept-language", "")
    candidates = []
    for index, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        candidates.append((-quality, index, tag))
    for _quality, _index, tag in sorted(candidates):
        code = language_or_none(tag)
        if code:
            return code
    app = connection.scope.get("app")
    settings = getattr(getattr(app, "state", None), "settings", None) or settings_in_effect()
    return settings.default_language


def direction(code: str) -> str:
    lang = LANGUAGES.get(code)
    if lang:
        return lang.direction
    try:
        return Locale.parse(code.replace("-", "_")).character_order == "right-to-left" and "rtl" or "ltr"
    except (UnknownLocaleError, ValueError):
        return "ltr"


def formatting_locale(code: str, jurisdiction: str | None = None) -> str:
    """The Babel locale for dates, times and numbers: the language in the deployment's own country where Babel
    knows that variant (English in England writes 22 November 2026, not November 22, 2026). The country is
    `jurisdiction`'s, else that of the app serving this request (config.settings_in_effect)."""
    return _formatting_locale(code, (jurisdiction or settings_in_effect().jurisdiction).split("-")[0].upper())


@lru_cache(maxsize=256)
def _formatting_locale(code: str, region: str) -> str:
    try:
        Locale.parse(f"{code}_{region}")
    except (UnknownLocaleError, ValueError):
        return code
    return f"{code}_{region}"


def language_name(code: str, in_language: str) -> str:
    """The name of a language (any ISO 639 code) in the reader's language, or the code if unknown."""
    try:
        name = Locale.parse(code.replace("-", "_")).get_display_name(Locale.parse(in_language))
    except (UnknownLocaleError, ValueError, TypeError):
        return code
    return name or code


# Every language needs every gettext domain compiled: `messages` (layout, finder), `entitlements` (checker) and
# `staff` (the staff platform).
CATALOG_DOMAINS = ("messages", "entitlements", "staff")


def missing_catalogs(locale_dir: Path | None = None) -> list[Path]:
    """The compiled catalogs (.mo) that the server needs and cannot find; empty when all are there.

    Without them every page would silently be in English whatever the person asked for, so `carebridge serve`
    refuses to start. A wheel carries them (compiled at build time); a checkout gets them from `make install`.
    """
    folder = locale_dir or settings_in_effect().locale_dir
    return [
        folder / code / "LC_MESSAGES" / f"{domain}.mo"
        for code in LANGUAGES
        for domain in CATALOG_DOMAINS
        if not (folder / code / "LC_MESSAGES" / f"{domain}.mo").is_file()
    ]


def get_translations(code: str, locale_dir: Path | None = None) -> NullTranslations:
    """The merged catalog of language `code` from `locale_dir` (default: that of the settings in effect)."""
    return _translations(code, locale_dir or settings_in_effect().locale_dir)


@lru_cache(maxsize=64)
def _translations(code: str, locale_dir: Path) -> NullTranslations:
    messages_dir = locale_dir / code / "LC_MESSAGES"
    if code not in LANGUAGES or not messages_dir.is_dir():
        return NullTranslations()
    catalog: NullTranslations | None = None
    for mo_file in sorted(messages_dir.glob("*.mo")):
        domain = mo_file.stem
        loaded = Translations.load(str(locale_dir), [code], domain=domain)
        if catalog is None:
            catalog = loaded
        elif isinstance(catalog, Translations) and isinstance(loaded, Translations):
            catalog.merge(loaded)
    return catalog or NullTranslations()


get_translations.cache_clear = _translations.cache_clear  # type: ignore[attr-defined]  # tests recompile catalogs


def gettext(code: str, message: str, **params: object) -> str:
    """`message` in language `code`, with its named placeholders filled. A value that ends with a full stop (a
    Ukrainian date: "22 листопада 2026 р.") is not followed by a second one at the end of a sentence
    (kit.text.fill)."""
    text = get_translations(code).gettext(message)
    return fill(text, params) if params else text
