"""Staff pages of the consent domain: the person page's consent section, recording a consent, withdrawing one (one
POST with a confirmation box), the printable explanation, and queuing a reminder to the person.

Every route declares its permission and goes through the services, which check it again and scope the record
(a record outside scope is 404, as a missing one). Forms post, then redirect (303) to the person's page with a short
result code (`?consent=given`), never personal data; a form with a problem is shown again (422) with an error summary
and what was typed.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from carebridge import i18n
from carebridge.accounts.access import Actor, requires
from carebridge.accounts.models import Organisation, StaffAccount
from carebridge.accounts.rendering import form_errors, render_staff
from carebridge.audit import service as audit
from carebridge.clients.models import Client, ContactChannel
from carebridge.config import Settings
from carebridge.consent import explanations
from carebridge.consent import service as consent
from carebridge.errors import N_, FieldError, InvalidInput
from carebridge.web import SessionDep, SettingsDep, request_id

router = APIRouter(include_in_schema=False)

TRANSPORT_LIMIT = 1_000
Reader = Annotated[Actor, Depends(requires("person.read"))]
Writer = Annotated[Actor, Depends(requires("person.write"))]

PURPOSE_HINTS = {
    consent.CASE_WORK: N_("Keeping a record of the person at all."),
    consent.SHARE: N_("Sharing with one named organisation, for a referral."),
    consent.REMINDERS: N_("Sending reminders by one of the person's ways to be contacted."),
    consent.CONTACT: N_("Contacting the person by one of their ways to be contacted: by phone, text message, e-mail or through an organisation."),
    consent.STATISTICS: N_("Counting the person, anonymously, in figures."),
    consent.IMMIGRATION_SITUATION: N_("Keeping the immigration situation, when it changes what the person can get."),
}
METHOD_LABELS = {
    consent.SPOKEN: N_("Spoken"),
    consent.WRITTEN: N_("Written"),
    consent.INTERPRETER: N_("Through an interpreter"),
}
CHANNEL_LABELS = {
    "phone": N_("Phone"),
    "sms": N_("Text message"),
    "email": N_("E-mail"),
    "organisation": N_("Through an organisation"),
    "in-person": N_("In person only"),
}
WEEKDAY_LABELS = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"), N_("Saturday"), N_("Sunday"))
# What the person page's consent section says after a form (?consent=...).
NOTICES = {
    "given": N_("The consent was recorded."),
    "withdrawn": N_("The consent was withdrawn. It no longer applies, from now."),
    "not-confirmed": N_("Nothing was changed: tick the box to confirm."),
    "reminder-queued": N_("The reminder will be sent in a few minutes."),
    "contact-not-allowed": N_(
        "No reminder was queued: this person must not be contacted this way (do not contact, or no consent for "
        "this channel)."
    ),
    "no-safe-time": N_("No message was queued: there is no safe time to send it this week."),
}


def language_for_person(session: Session, settings: Settings, client: Client, asked: str | None) -> str:
    """The language to give an explanation in: ?lang= when the interface has it, else the person's own first
    language the interface has (rights.service.person_language), else the deployment's."""
    from carebridge.clients import service as clients
    from carebridge.rights import service as rights

    chosen = i18n.language_or_none(asked) if asked else None
    if chosen:
        return chosen
    return rights.person_language(clients.open_profile(session, settings, client), settings)


def person_page(client_id: str, notice: str) -> str:
    return f"/staff/clients/{client_id}?consent={notice}#consent"


def _see_other(url: str) -> Response:
    return RedirectResponse(url, status_code=303)


def _channel_labels(session: Session, client_id: str) -> dict[str, str]:
    rows = session.scalars(select(ContactChannel).where(ContactChannel.client_id == client_id).order_by(ContactChannel.created_at))
    return {row.id: row.kind for row in rows}


def _describe(session: Session, rows: list[Any], channels: dict[str, str]) -> list[dict[str, Any]]:
    """What the section shows of each consent: nothing sealed, only names of staff and organisations."""
    account_ids = {row.recorded_by for row in rows} | {row.withdrawn_by for row in rows}
    account_ids.discard(None)
    names = dict(session.execute(select(StaffAccount.id, StaffAccount.name).where(StaffAccount.id.in_(account_ids))).all()) if account_ids else {}
    described = []
    for row in rows:
        organisation = None
        if row.staff_organisation_id:
            organisation = consent.staff_organisation_name(session, row.staff_organisation_id)
        elif row.directory_organization_id:
            organisation = consent.directory_organization_name(session, row.directory_organization_id) or row.directory_organization_id
        described.append(
            {
                "id": row.id,
                "purpose": row.purpose,
                "title": explanations.TITLES.get(row.purpose, row.purpose),
                "organisation": organisation,
                "channel_kind": channels.get(row.channel_id) if row.channel_id else None,
                "method": METHOD_LABELS.get(row.method, row.method),
                "interpreter_language": row.interpreter_language,
                "version": row.explanation_version,
                "language": row.explanation_language,
                "recorded_by": names.get(row.recorded_by),
                "given_at": row.given_at,
                "withdrawn_at": row.withdrawn_at,
                "withdrawn_by": names.get(row.withdrawn_by),
            }
        )
    return described


def section(session: Session, settings: Settings, actor: Actor, client: Client, request: Request) -> dict[str, Any] | None:
    """The person page's consent section (clients.sections): consents in force per purpose with who, when, how and
    which explanation; withdrawn ones; the forms to record, withdraw, and send a reminder."""
    if not actor.can("person.read"):
        return None
    from carebridge.notifications import person

    rows = consent.consents_of(session, client.id)
    channels = _channel_labels(session, client.id)
    described = _describe(session, rows, channels)
    current = [item for item in described if item["withdrawn_at"] is None]
    withdrawn_case_work = consent.case_work_withdrawn(session, client.id)
    reminder_channels = []
    if not client.do_not_contact:
        for channel_id, kind in channels.items():
            if kind in person.SENDABLE_KINDS and consent.active_consent(session, client.id, person.PURPOSE, channel_id=channel_id):
                reminder_channels.append({"id": channel_id, "kind": kind, "safe_times": _safe_times(session, settings, client, channel_id)})
    safe_window = None
    if reminder_channels:
        from carebridge.reminders import service as reminders

        preference = reminders.preference_of(session, settings, client.id)
        safe_window = preference.window if preference is not None else None
    notice = request.query_params.get("consent")
    return {
        "consent_section": {
            "client_id": client.id,
            "current": current,
            "withdrawn": [item for item in described if item["withdrawn_at"] is not None],
            "missing": [
                (purpose, explanations.TITLES[purpose])
                for purpose in consent.PURPOSES
                if purpose not in {item["purpose"] for item in current}
            ],
            "case_work_withdrawn_at": withdrawn_case_work.withdrawn_at if withdrawn_case_work is not None else None,
            "do_not_contact": client.do_not_contact,
            "reminder_channels": reminder_channels,
            "safe_window": safe_window,
            "weekday_labels": WEEKDAY_LABELS,
            "channel_labels": CHANNEL_LABELS,
            "person_language": language_for_person(session, settings, client, None),
            "can_write": actor.can("person.write"),
            "notice": NOTICES.get(notice or ""),
            "notice_is_problem": notice in ("not-confirmed", "contact-not-allowed", "no-safe-time"),
            "csrf_token": getattr(request.state, "csrf_token", ""),
        }
    }


def _safe_times(session: Session, settings: Settings, client: Client, channel_id: str) -> str | None:
    """The channel's safe times, opened to show the sender (the person's own words; not enforced by the clock)."""
    from carebridge.keys import service as keys

    channel = session.get(ContactChannel, channel_id)
    if channel is None or channel.safe_times is None:
        return None
    try:
        key = keys.data_key(session, settings, "client", client.id)
        return key.open_text("client_contact_channel", "safe_times", channel.id, channel.safe_times)
    except Exception:  # noqa: BLE001 - a value that does not open is not shown, and never breaks the page
        return None


# The printable explanation ------------------------------------------------------------------------------------------


@router.get("/staff/clients/{client_id}/consent/explanation")
def explanation_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: Reader,
    client_id: str,
    purpose: Annotated[str, Query(max_length=32)] = consent.CASE_WORK,
    version: Annotated[str, Query(max_length=16)] = explanations.CURRENT,
    lang: Annotated[str, Query(max_length=16)] = "",
) -> Response:
    """The explanation the person is given, to read out or print: in the person's language unless ?lang= asks for
    another (a switcher offers each). A printout of its own (staff/printout_layout.html). Nothing of the person is
    on it: only the organisation's name."""
    from carebridge.clients import service as clients
    from carebridge.directory.pages import format_day
    from carebridge.emergency import emergency_numbers
    from carebridge.kit import clock
    from carebridge.web import render

    if purpose not in consent.PURPOSES or not explanations.exists(version, purpose):
        raise InvalidInput(
            errors=[FieldError("purpose", N_("Choose what the person agreed to."), allowed=list(consent.PURPOSES))]
        )
    client = clients.find_client(session, actor, client_id, "person.read")
    audit.record(
        session, "consent.explanation.read", actor=actor, record_type="client", record_id=client.id,
        request_id=request_id(request),
    )
    language = language_for_person(session, settings, client, lang)
    return render(
        request,
        "staff/consent/explanation.html",
        {
            "client_id": client.id,
            "explanation": explanations.explanation(purpose, version),
            "purposes": [(item, explanations.TITLES[item]) for item in consent.PURPOSES],
            "organisation": consent.staff_organisation_name(session, client.organisation_id),
            "languages": i18n.LANGUAGES,
            "emergency_numbers": emergency_numbers(client.jurisdiction, settings),
            "printed_on": clock.today(settings.timezone),
            "format_day": lambda day: format_day(day, language),
        },
        language=language,
    )


# Recording a consent ------------------------------------------------------------------------------------------------


def _form(
    request: Request,
    session: Session,
    client: Client,
    *,
    values: dict[str, Any],
    errors: list,
    person_language: str,
    status_code: int = 200,
) -> Response:
    organisations = session.execute(select(Organisation.id, Organisation.name).order_by(Organisation.name)).all()
    channels = [
        (channel_id, kind, kind in consent.REMINDER_KINDS)
        for channel_id, kind in _channel_labels(session, client.id).items()
        if kind in consent.CONTACT_KINDS
    ]
    return render_staff(
        request,
        "staff/consent/new.html",
        {
            "client_id": client.id,
            "values": values,
            "errors": errors,
            "purposes": [(item, explanations.TITLES[item], PURPOSE_HINTS[item]) for item in consent.PURPOSES],
            "methods": list(METHOD_LABELS.items()),
            "organisations": organisations,
            "channels": channels,
            "channel_labels": CHANNEL_LABELS,
            "version": explanations.CURRENT,
            "person_language": person_language,
        },
        status_code=status_code,
    )


@router.get("/staff/clients/{client_id}/consent/new")
def new_consent_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: Writer,
    client_id: str,
    purpose: Annotated[str, Query(max_length=32)] = "",
    channel_id: Annotated[str, Query(max_length=36)] = "",
) -> Response:
    """The form, its purpose (and channel) chosen when the link says so; the explanation's language is the person's
    by default (language_for_person)."""
    from carebridge.clients import service as clients

    client = clients.find_client(session, actor, client_id, "person.write")
    language = language_for_person(session, settings, client, None)
    values = {
        "purpose": purpose if purpose in consent.PURPOSES else "",
        "explanation_language": language,
        "channel_id": channel_id if channel_id in _channel_labels(session, client.id) else "",
    }
    return _form(request, session, client, values=values, errors=[], person_language=language)


@router.post("/staff/clients/{client_id}/consent/new")
def record_consent(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: Writer,
    client_id: str,
    purpose: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    method: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    interpreter_language: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    explanation_language: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    explanation_version: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    organisation: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    directory_organization_id: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    channel_id: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
) -> Response:
    from carebridge.clients import service as clients

    client = clients.find_client(session, actor, client_id, "person.write")
    values = {
        "purpose": purpose, "method": method, "interpreter_language": interpreter_language,
        "explanation_language": explanation_language, "organisation": organisation,
        "directory_organization_id": directory_organization_id, "channel_id": channel_id,
    }
    try:
        consent.record_consent(
            session,
            actor,
            client.id,
            purpose,
            method=method,
            interpreter_language=interpreter_language,
            explanation_version=explanation_version,
            explanation_language=explanation_language,
            # The form shows every field; only those of the chosen purpose count (the API is strict about the rest).
            staff_organisation_id=organisation if purpose == consent.SHARE else None,
            directory_organization_id=directory_organization_id if purpose == consent.SHARE else None,
            channel_id=channel_id if purpose in consent.CHANNEL_PURPOSES else None,
            request_id=request_id(request),
        )
    except InvalidInput as problem:
        return _form(
            request, session, client, values=values, errors=form_errors(request, problem.errors),
            person_language=language_for_person(session, settings, client, None), status_code=422,
        )
    return _see_other(person_page(client.id, "given"))


# Withdrawing ----------------------------------------------------------------------------------------------------------


@router.post("/staff/clients/{client_id}/consent/{consent_id}/withdraw")
def withdraw_consent(
    request: Request,
    session: SessionDep,
    actor: Writer,
    client_id: str,
    consent_id: str,
    confirm: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
) -> Response:
    """One POST: the form's confirmation box ticked, the consent ends now."""
    found = consent.find_consent(session, actor, consent_id, "person.write")
    if found.client_id != client_id:
        from carebridge.errors import NotFound

        raise NotFound(N_("We could not find that consent."))
    if confirm != "yes":
        return _see_other(person_page(found.client_id, "not-confirmed"))
    consent.withdraw_consent(session, actor, found.id, request_id=request_id(request))
    return _see_other(person_page(found.client_id, "withdrawn"))


# Contacting the person -------------------------------------------------------------------------------------------------


@router.post("/staff/clients/{client_id}/reminders")
def send_reminder(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: Writer,
    client_id: str,
    channel_id: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
) -> Response:
    """Queue the fixed "please contact us" reminder by one channel; contact_route decides, now and again at sending."""
    from carebridge.clients import service as clients
    from carebridge.notifications import person

    client = clients.find_client(session, actor, client_id, "person.write")
    try:
        person.queue_reminder(session, settings, actor, client.id, channel_id, request_id=request_id(request))
    except consent.ContactNotAllowed:
        return _see_other(person_page(client.id, "contact-not-allowed"))
    except InvalidInput as problem:
        safe_time_missing = any(error.message == person.NO_SAFE_TIME for error in problem.errors)
        return _see_other(person_page(client.id, "no-safe-time" if safe_time_missing else "contact-not-allowed"))
    return _see_other(person_page(client.id, "reminder-queued"))
