"""The readable copy of a person's record: a PDF in their language, laid out by WeasyPrint.

Made the way the checker's leaflet is (entitlements.leaflet): an HTML template rendered in the reader's language with
the project's template environment (web.template_environment), laid out by WeasyPrint, which shapes Arabic script
with HarfBuzz, using the same system fonts from Debian's fonts-noto-core (Noto Naskh Arabic for Arabic and Persian
letters, Noto Sans otherwise), named in the template's CSS. No base URL, no external resource. Made in memory, never
written to disk, never cached: it holds a person's data.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from carebridge import i18n
from carebridge.config import Settings
from carebridge.entitlements.vocabulary import STATUS_LABELS
from carebridge.rights import service
from carebridge.web import template_environment

TEMPLATE = "staff/rights/export_pdf.html"
# The PDF lists this many of the most recent events of the record's history (the JSON copy up to
# service.EXPORT_EVENTS_LIMIT; the seen-by page all of them): laying out 5,000 table rows takes WeasyPrint a minute
# and a half, 300 take a few seconds. The PDF says when it lists only the most recent ones.
PDF_EVENTS_LIMIT = 300


def _when(value: str | None, language: str, zone: ZoneInfo, *, with_time: bool = True) -> str:
    from babel.dates import format_date, format_datetime

    if not value:
        return ""
    moment = dt.datetime.fromisoformat(value)
    locale = i18n.formatting_locale(language)
    if with_time:
        return format_datetime(moment.astimezone(zone), "medium", tzinfo=zone, locale=locale)
    return format_date(moment.astimezone(zone).date(), "long", locale=locale)


def export_html(document: dict[str, Any], language: str, settings: Settings) -> str:
    zone = ZoneInfo(settings.timezone)
    env = template_environment(language)
    profile = document["profile"]
    birth = ""
    if profile.get("birth_date"):
        from babel.dates import format_date

        birth = format_date(dt.date.fromisoformat(profile["birth_date"]), "long", locale=i18n.formatting_locale(language))
    elif profile.get("birth_year"):
        birth = str(profile["birth_year"])
    seen_by = document["seen_by"][:PDF_EVENTS_LIMIT]
    return env.get_template(TEMPLATE).render(
        doc=document,
        seen_by=seen_by,
        seen_by_complete=document["seen_by_complete"] and len(seen_by) == len(document["seen_by"]),
        profile=profile,
        birth=birth,
        lang=language,
        dir=i18n.direction(language),
        when=lambda value, with_time=True: _when(value, language, zone, with_time=with_time),
        describe=lambda action: service.describe(action, language),
        system_name=i18n.gettext(language, service.SYSTEM_NAME),
        language_name=lambda code: i18n.language_name(code, language),
        status_labels=STATUS_LABELS,
    )


def render_export_pdf(document: dict[str, Any], language: str, settings: Settings) -> bytes:
    from weasyprint import HTML

    return HTML(string=export_html(document, language, settings)).write_pdf()
