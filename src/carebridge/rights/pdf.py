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
# service.EXPORT_EVENTS_LIMIT; the seen-by page and its printable whole history all of them): laying out 5,000 table
# rows takes WeasyPrint a minute and a half, 300 take a few seconds. The PDF says how many it leaves out of how many,
# and where the whole history is printed.
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


def _domain_labels() -> dict[str, dict[str, str]]:
    """Each domain's own words for its stored codes (marked for translation where the domain's pages use them), by
    kind: the copy says "Safety plan made", not "plan-made"."""
    from carebridge.appointments import pages as appointment_pages
    from carebridge.assessments import labels as assessment_labels
    from carebridge.interpreters import pages as interpreter_pages
    from carebridge.plans import pages as plan_pages
    from carebridge.prescribing import ons4
    from carebridge.prescribing import pages as prescribing_pages
    from carebridge.referrals import pages as referral_pages
    from carebridge.risk import pages as risk_pages
    from carebridge.screening import forms as screening_forms
    from carebridge.volunteers import pages as volunteer_pages

    return {
        "assessment_domain": assessment_labels.DOMAIN_NAMES,
        "assessment_category": assessment_labels.CATEGORY_NAMES,
        "goal_status": plan_pages.GOAL_STATUS_LABELS,
        "step_status": plan_pages.STEP_STATUS_LABELS,
        "step_who": plan_pages.WHO_LABELS,
        "screening_band": screening_forms.BAND_LABELS,
        "risk_source": risk_pages.SOURCE_LABELS,
        "risk_outcome": risk_pages.OUTCOME_LABELS,
        "referral_state": referral_pages.STATE_LABELS,
        "referral_reason": referral_pages.REASON_LABELS,
        "referral_priority": referral_pages.PRIORITY_LABELS,
        "referral_kind": referral_pages.KIND_LABELS,
        "referral_party": referral_pages.PARTY_LABELS,
        "referral_share": referral_pages.SHARE_LABELS,
        "appointment_modality": appointment_pages.MODALITY_LABELS,
        "appointment_status": appointment_pages.STATUS_LABELS,
        "reminder_state": appointment_pages.REMINDER_STATES,
        "reminder_reason": appointment_pages.REMINDER_REASONS,
        "interpreter_kind": interpreter_pages.KIND_LABELS,
        "interpreter_modality": interpreter_pages.MODALITY_LABELS,
        "interpreter_status": interpreter_pages.STATUS_LABELS,
        "volunteer_kind": volunteer_pages.KIND_LABELS,
        "match_status": volunteer_pages.MATCH_STATUS_LABELS,
        "match_end_reason": volunteer_pages.END_REASON_LABELS,
        "agreed_how": volunteer_pages.AGREED_HOW_LABELS,
        "wellbeing_stage": prescribing_pages.STAGE_LABELS,
        "wellbeing_question": ons4.SHORT,
    }


def _day(value: str | None, language: str) -> str:
    """A calendar day of the copy (an ISO date) as the reader's language writes it."""
    from babel.dates import format_date

    return format_date(dt.date.fromisoformat(value), "long", locale=i18n.formatting_locale(language)) if value else ""


def _weekday(number: int, language: str) -> str:
    """A day of the week (0 Monday .. 6 Sunday, as reminders store them) in the reader's language."""
    from babel.dates import get_day_names

    return get_day_names("wide", locale=i18n.formatting_locale(language)).get(number, str(number))


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
    labels = _domain_labels()

    def label(kind: str, code: str | None) -> str:
        """The domain's word for a code in the reader's language; the code itself when the domain has no word."""
        if code is None:
            return ""
        words = labels[kind].get(code)
        return i18n.gettext(language, words) if words else code

    return env.get_template(TEMPLATE).render(
        doc=document,
        seen_by=seen_by,
        seen_by_complete=document["seen_by_complete"] and len(seen_by) == len(document["seen_by"]),
        # Copies made before version 2 carry no total: the events they hold are then all that is known.
        seen_by_total=document.get("seen_by_total", len(document["seen_by"])),
        profile=profile,
        birth=birth,
        lang=language,
        dir=i18n.direction(language),
        when=lambda value, with_time=True: _when(value, language, zone, with_time=with_time),
        describe=lambda action: service.describe(action, language),
        system_name=i18n.gettext(language, service.SYSTEM_NAME),
        language_name=lambda code: i18n.language_name(code, language),
        status_labels=STATUS_LABELS,
        label=label,
        day=lambda value: _day(value, language),
        weekday=lambda number: _weekday(number, language),
    )


def render_export_pdf(document: dict[str, Any], language: str, settings: Settings) -> bytes:
    from weasyprint import HTML

    return HTML(string=export_html(document, language, settings)).write_pdf()
