"""The person's rights over their record: who has seen it, a complete copy to take away, erasure, and retention.

    page = rights.seen_by(session, settings, actor, client_id)                 # audited client.seen-by
    export = rights.export_record(session, settings, actor, client_id)         # audited client.export
    rights.erase_client(session, settings, actor, client_id, typed="erase")    # audited client.erase
    rights.apply_retention(session, settings)                                  # the daily rights.retention job

"Who has seen my record" reads the audit trail's events about the record (record_type "client", record_id its id):
every read and write by anyone, whatever their organisation (someone who opened it in an emergency is listed too).
Erasing destroys the person's data key first (crypto-shredding: every copy of their sealed values, in backups too,
becomes unreadable), then deletes their rows; the audit trail keeps only that it happened, by whom and the id.

Where values are sealed (keys.service, bound to table, column and row): client.profile (JSON), client_contact_channel
value and safe_times (text, row = the channel's id), client_note body (text, row = the note's id),
client_immigration_situation situation (JSON, row = the client's id).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from carebridge import i18n
from carebridge.accounts.access import Actor
from carebridge.audit import repository as audit_repository
from carebridge.audit import service as audit
from carebridge.audit.models import AuditEvent
from carebridge.clients import notes as client_notes
from carebridge.clients import service as clients
from carebridge.clients.models import (
    Client,
    ClientLink,
    ClientNote,
    ClientReference,
    ContactChannel,
    ImmigrationSituation,
)
from carebridge.config import Settings
from carebridge.consent.models import Consent
from carebridge.errors import N_, FieldError, InvalidInput
from carebridge.keys import service as keys
from carebridge.kit import clock
from carebridge.rights import exporting

log = logging.getLogger("carebridge.rights")

RECORD_TYPE = clients.RECORD_TYPE
SUBJECT = clients.SUBJECT

# The "who has seen my record" page lists this many events at a time (older ones one link away).
SEEN_BY_PAGE = 100
# The printable whole history lists this many events on one printout (newest first); when the record has more, the
# printout says how many older ones it leaves out and the page links to the next printout, which starts where it
# stopped. Rendering 10,000 rows as HTML takes well under a second; the browser paginates them when printing.
SEEN_BY_PRINT_LIMIT = 10_000
# An export carries at most this many events of the record's history (newest first), and says when there were more.
EXPORT_EVENTS_LIMIT = 5000
EXPORT_FORMAT = "carebridge.client-export"
# 2: every domain's rows about the person (rights.exporting.EXPORTERS), not only the clients and consent domains'.
EXPORT_VERSION = 2

# What each audited action means, in plain words the person can read (record_type "client").
ACTIONS: dict[str, str] = {
    "client.create": N_("Created the record."),
    "client.read": N_("Opened the record."),
    "client.list": N_("Saw the person's name in a list of people."),
    "client.search": N_("Found the record in a search."),
    "client.update": N_("Changed the person's details."),
    "client.close": N_("Closed the record."),
    "client.reopen": N_("Opened the record again after it was closed."),
    "client.assign": N_("Changed who works with the person."),
    "client.do-not-contact": N_("Changed whether the person may be contacted."),
    "client.attention": N_("Changed whether the record needs attention."),
    "client.note.create": N_("Wrote a note."),
    "client.note.read": N_("Read the notes."),
    "client.channel.create": N_("Added a way to contact the person."),
    "client.channel.update": N_("Changed a way to contact the person."),
    "client.channel.delete": N_("Removed a way to contact the person."),
    "client.channel.read": N_("Read the ways to contact the person."),
    "client.link": N_("Linked the record to another record of the same person."),
    "client.duplicates.read": N_("Looked for other records of the same person."),
    "client.immigration.record": N_("Recorded the person's immigration situation."),
    "client.immigration.read": N_("Read the person's immigration situation."),
    "client.immigration.delete": N_("Removed the person's immigration situation."),
    "client.seen-by": N_("Looked at who has seen the record."),
    "client.export": N_("Made a copy of the whole record for the person."),
    "client.retention-warning": N_("Warned the caseworker that the closed record will soon be erased."),
    "client.break-glass": N_("Opened the record in an emergency, giving a reason."),
    "consent.give": N_("Recorded the person's consent."),
    "consent.withdraw": N_("Recorded that the person withdrew their consent."),
    "consent.read": N_("Read the person's consents."),
    "disclosure.record": N_("Recorded a request from outside for the person's information."),
    "notify.person": N_("Sent the person a message."),
    # The names the services record (QA 2026-12-06: these showed as "Did something with the record (...)").
    "client.contact-made": N_("Recorded speaking with or meeting the person."),
    "client.duplicate.shown": N_("Saw the person's name among possible records of the same person."),
    "client.link.same-person": N_("Linked the record to another record of the same person."),
    "client.link.not-same-person": N_("Recorded that another record is not of the same person."),
    "client.channel.change": N_("Changed a way to contact the person."),
    "client.reference.create": N_("Added a reference number."),
    "client.reference.remove": N_("Removed a reference number."),
    "client.reference.read": N_("Read the reference numbers."),
    "client.channel.remove": N_("Removed a way to contact the person."),
    "client.do-not-contact.set": N_("Marked the person: do not contact."),
    "client.do-not-contact.clear": N_("Allowed the person to be contacted again."),
    "client.immigration.set": N_("Recorded the person's immigration situation."),
    "client.immigration.remove": N_("Removed the person's immigration situation."),
    "client.reminder.queue": N_("Asked for a reminder to be sent to the person."),
    "client.reminder.send": N_("Sent the person a message."),
    "consent.explanation.read": N_("Opened the explanation of consent to give to the person."),
    "break-glass.open": N_("Opened the record in an emergency, giving a reason."),
    "disclosure.read": N_("Read a request from outside for the person's information."),
    "disclosure.link": N_("Linked a request from outside to the person's record."),
    "disclosure.propose-disclose": N_("Proposed giving the person's information to those who asked for it."),
    "disclosure.propose-refuse": N_("Proposed refusing a request for the person's information."),
    "disclosure.confirm-disclose": N_("Agreed to give the person's information to those who asked for it."),
    "disclosure.confirm-refuse": N_("Agreed to refuse a request for the person's information."),
    "disclosure.send-back": N_("Did not agree with the proposed answer to a request for the person's information."),
    "disclosure.person-told": N_("Recorded that the person was told about a request for their information."),
    "disclosure.gag-propose": N_("Said that a court order forbids telling the person about a request for their information."),
    "disclosure.gag-confirm": N_("Agreed that a court order forbade telling the person about a request for their information, for a time."),
    "disclosure.gag-send-back": N_("Did not agree that a court order forbids telling the person about a request for their information."),
    # assessments (issue 10): the needs assessment.
    "assessment.create": N_("Assessed the person's needs with them."),
    "assessment.read": N_("Read the person's needs assessments."),
    "assessment.override": N_("Changed the category of a needs assessment, giving a reason."),
    # Action plans (plans, issue 10).
    "plan.read": N_("Read the person's action plan."),
    "plan.print": N_("Printed the person's action plan."),
    "plan.goal.create": N_("Added a goal to the person's action plan."),
    "plan.goal.update": N_("Changed a goal of the person's action plan."),
    "plan.goal.status": N_("Marked a goal of the person's action plan as open, achieved or stopped."),
    "plan.step.create": N_("Added a step to the person's action plan."),
    "plan.step.update": N_("Marked a step of the person's action plan as done, cancelled or to do."),
    "plan.service.attach": N_("Added a service to a goal of the person's action plan."),
    "plan.service.detach": N_("Took a service off a goal of the person's action plan."),
    # screening (issue 10): instruments, scores and their FHIR export
    "screening.record": N_("Recorded the person's answers to a screening questionnaire and its score."),
    "screening.read": N_("Read the person's screening questionnaires and scores."),
    "screening.export": N_("Exported the person's screening answers and scores in the FHIR format."),
    # Screening pages and self-screening links (issue 10, screening domain pages).
    "screening.start": N_("Opened a health questionnaire to ask the person."),
    "screening.link.create": N_("Made a link for the person to answer a health questionnaire themselves."),
    "screening.link.revoke": N_("Cancelled a link the person had been given to answer a health questionnaire."),
    "screening.link.use": N_("The person answered a health questionnaire on the link they were given."),
    # Risk flags (issue 10, risk domain).
    "risk.raise-worker": N_("Raised a risk flag: risk to the person or to others."),
    "risk.raise-safeguarding": N_("Raised a risk flag: a safeguarding concern."),
    "risk.raise-screening": N_("A screening answer raised a risk flag for a clinician to answer today."),
    "risk.read": N_("Read a risk flag to answer it."),
    "risk.list": N_("Saw the person's name in a list of risk flags."),
    "risk.note": N_("Added what they did to a risk flag."),
    "risk.close": N_("Closed a risk flag with an outcome."),
    "risk.escalate": N_("Passed a risk flag not answered in time to the service manager."),
    # Referrals (issue 11, referrals domain).
    "referral.create": N_("Started a referral of the person to a service."),
    "referral.send": N_("Sent a referral of the person to a service, with what the person agreed to share."),
    "referral.consent-override": N_("Sent a referral without the person's consent, because of a safeguarding emergency."),
    "referral.move": N_("Changed the state of a referral of the person (accepted, completed, cancelled or another)."),
    "referral.read": N_("Read a referral of the person."),
    "referral.list": N_("Saw the person's name in a list of referrals."),
    "referral.print": N_("Printed a referral's details for the person."),
    "referral.no-answer": N_("Closed a referral of the person that the service did not answer in time."),
    # Social prescribing (issue 11)
    "prescribing.read": N_("Read the person's social prescribing record."),
    "prescribing.find": N_("Looked for community activities for the person."),
    "prescribing.conversation.create": N_("Wrote down a \u201cwhat matters to you\u201d conversation with the person."),
    "prescribing.goal.create": N_("Turned what the person wants to try into a goal of their action plan."),
    "prescribing.wellbeing.create": N_("Recorded the person's answers to four wellbeing questions."),
    # outcomes (issue 10): the person's PHQ-9 and GAD-7 scores over time on their page.
    "outcomes.read": N_("Saw the person's screening scores over time."),
    # Referral FHIR export and the service manager's overrides list (issue 11, referrals/fhir.py, report_pages.py).
    "referral.export-fhir": N_("Exported a referral of the person in the FHIR format."),
    "referral.override-read": N_("Read why a referral of the person was sent without their consent."),
    "referral.override-seen": N_("Marked as reviewed a referral of the person sent without their consent."),
    # Interpreters and cultural mediators (issue 11, interpreters domain).
    "interpreting.search": N_("Looked for an interpreter for the person."),
    "interpreting.book": N_("Booked an interpreter for the person."),
    "interpreting.accept": N_("Accepted to interpret for the person."),
    "interpreting.decline": N_("Declined to interpret for the person."),
    "interpreting.cancel": N_("Cancelled an interpreter booked for the person."),
    "interpreting.list": N_("Saw the person's name in an interpreter's list of bookings."),
    "interpreting.read": N_("Saw the person's interpreter bookings."),
    "interpreting.exclusion.add": N_("Noted an interpreter the person should not have."),
    "interpreting.exclusion.remove": N_("Removed an interpreter from those the person should not have."),
    # Volunteers and network families (issue 11, volunteers domain).
    "volunteer.match.search": N_("Looked for a volunteer or family who could be matched with the person."),
    "volunteer.match.propose": N_("Proposed a volunteer or family to the person, with their agreement."),
    "volunteer.match.answer": N_("Recorded a volunteer's answer to a match with the person."),
    "volunteer.match.end": N_("Ended the person's match with a volunteer or family."),
    "volunteer.match.read": N_("Read the person's matches with volunteers and families."),
    "volunteer.match.view": N_("A volunteer matched with the person saw what the match shares with them."),
    "volunteer.exclude": N_("Recorded that the person does not want to be matched with a volunteer or family."),
    # Appointments and reminders (issue 11).
    "appointment.create": N_("Booked an appointment for the person."),
    "appointment.update": N_("Changed the time or details of the person's appointment."),
    "appointment.cancel": N_("Cancelled the person's appointment."),
    "appointment.attended": N_("Marked that the person came to their appointment."),
    "appointment.missed": N_("Marked that the person missed their appointment."),
    "appointment.rebook": N_("Put the person's appointment back to booked."),
    "appointment.read": N_("Saw the person's appointments."),
    "appointment.list": N_("Saw the person's name in a day's list of appointments."),
    "reminder.preferences.update": N_("Changed how the person wants to be reminded of appointments."),
    "reminder.queue": N_("Asked for an appointment reminder to be sent to the person."),
    "reminder.send": N_("An appointment reminder was sent to the person."),
    "reminder.stop": N_("The person replied STOP: no more reminders by that number."),
    "reminder.reply": N_("The person replied to a reminder by text message."),
    "consent.withdraw-by-person": N_("The person withdrew their consent themselves."),
}
UNKNOWN_ACTION = N_("Did something with the record (%(action)s).")
SYSTEM_NAME = N_("Carebridge (automatic)")

ERASE_WORD = N_("erase")


def describe(action: str, language: str) -> str:
    """The plain sentence for an audited action, in `language`; an action this list does not know yet is named."""
    message = ACTIONS.get(action)
    if message is None:
        return i18n.gettext(language, UNKNOWN_ACTION, action=action)
    return i18n.gettext(language, message)


def person_language(profile: clients.Profile | None, settings: Settings) -> str:
    """The person's first language that the interface has, else the deployment's."""
    for tag in (profile.languages if profile else []) or []:
        code = i18n.language_or_none(tag)
        if code:
            return code
    return i18n.language_or_none(settings.default_language) or "en"


def chosen_language(value: str | None, default: str) -> str:
    """A language asked for by the picker: one of the interface's, or a field error."""
    if not value:
        return default
    if value not in i18n.LANGUAGES:
        raise InvalidInput(errors=[FieldError("language", N_("Choose one of the languages in the list."))])
    return value


# --- Who has seen my record ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeenEvent:
    seq: int
    at: dt.datetime  # aware, in the deployment's time zone
    account_id: str | None
    staff_name: str | None  # None: the system (a scheduled job), or an account since deleted
    organisation_name: str | None
    action: str
    outcome: str


@dataclass(frozen=True)
class SeenBy:
    client: Client
    events: list[SeenEvent]
    next_before: int | None  # pass as `before` for older events; None on the last page
    # Requests from outside for the person's information that they may be told about (firewall.told_to_person).
    disclosure_requests: list[Any] = field(default_factory=list)


def _events(session: Session, settings: Settings, client_id: str, *, before: int | None, limit: int) -> tuple[list[SeenEvent], bool]:
    # While two administrators' confirmed court order forbids telling the person about a request for their
    # information, none of the disclosure events is shown to them (they show again when it ends: firewall.service).
    from carebridge.firewall import service as firewall

    hidden = "disclosure." if firewall.gag_in_effect_for(session, settings, client_id) else None
    found = audit_repository.list_events(
        session,
        audit_repository.EventFilter(
            record_type=RECORD_TYPE, record_id=client_id, before_seq=before, without_action_prefix=hidden
        ),
        limit + 1,
    )
    more = len(found) > limit
    found = found[:limit]
    names = audit_repository.account_names(session, {event.account_id for event in found if event.account_id})
    organisations = audit_repository.organisation_names(
        session, {event.organisation_id for event in found if event.organisation_id}
    )
    zone = ZoneInfo(settings.timezone)
    return [
        SeenEvent(
            seq=event.seq,
            at=event.at.astimezone(zone),
            account_id=event.account_id,
            staff_name=names.get(event.account_id or ""),
            organisation_name=organisations.get(event.organisation_id or ""),
            action=event.action,
            outcome=event.outcome,
        )
        for event in found
    ], more


def seen_by(
    session: Session,
    settings: Settings,
    actor: Actor,
    client_id: str,
    *,
    before: int | None = None,
    limit: int = SEEN_BY_PAGE,
    request_id: str | None = None,
) -> SeenBy:
    """Every audited event about the record, newest first, one page at a time (person.read, within scope). Looking
    is itself audited `client.seen-by` — recorded after the listing, so it shows from the next look on."""
    clients.check(actor, "person.read")
    client = clients.find_client(session, actor, client_id, "person.read")
    events, more = _events(session, settings, client.id, before=before, limit=limit)
    from carebridge.firewall import service as firewall

    requests = firewall.told_to_person(session, settings, client.id)
    audit.record(session, "client.seen-by", actor=actor, record_type=RECORD_TYPE, record_id=client.id, request_id=request_id)
    return SeenBy(
        client=client, events=events, next_before=events[-1].seq if more and events else None,
        disclosure_requests=requests,
    )


def seen_by_rows(events: list[SeenEvent], language: str) -> list[dict[str, Any]]:
    """The events as the page, the PDF and the API show them: who, their organisation, when, and what in words."""
    from babel.dates import format_datetime

    locale = i18n.formatting_locale(language)
    system = i18n.gettext(language, SYSTEM_NAME)
    return [
        {
            "at": event.at,
            "when": format_datetime(event.at, "medium", tzinfo=event.at.tzinfo, locale=locale),
            "staff_name": event.staff_name or (system if event.account_id is None else None),
            "organisation_name": event.organisation_name,
            "action": event.action,
            "what": describe(event.action, language),
            "outcome": event.outcome,
        }
        for event in events
    ]


# --- Take it with you ------------------------------------------------------------------------------------------


def _channel(key: keys.DataKey, channel: ContactChannel) -> dict[str, Any]:
    """One way of contact as the copy shows it. clients.contact seals the details as JSON ({"number": E.164},
    {"email": ...} or {"organisation": ..., "ask_for": ...}) and the safe times as text."""
    details = key.open_json("client_contact_channel", "value", channel.id, channel.value) if channel.value is not None else {}
    return {
        "id": channel.id,
        "kind": channel.kind,
        "value": details.get("number") or details.get("email"),
        "organisation": details.get("organisation"),
        "ask_for": details.get("ask_for"),
        "safe_times": key.open_text("client_contact_channel", "safe_times", channel.id, channel.safe_times),
        "created_at": _iso(channel.created_at),
    }


def _iso(value: dt.datetime | dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def export_record(
    session: Session, settings: Settings, actor: Actor, client_id: str, *, request_id: str | None = None
) -> dict[str, Any]:
    """A complete copy of the person's own record as one JSON-ready value (EXPORT_FORMAT, version EXPORT_VERSION;
    docs in docs/client-export.md). Every note the actor may read is in it, sensitive ones too: it is the person's
    own data; sensitive notes the actor may not read are left out and counted (`notes_withheld`), so that the copy
    is no way around who may read them — someone in the team they were written in, or a clinician, makes the complete
    copy. Other
    records linked to it are named by id only. Needs person.export within scope; audited `client.export`."""
    clients.check(actor, "person.export")
    client = clients.find_client(session, actor, client_id, "person.export")
    key = keys.data_key(session, settings, SUBJECT, client.id)
    profile = clients.Profile.from_json(key.open_json("client", "profile", client.id, client.profile))
    channels = session.scalars(
        select(ContactChannel).where(ContactChannel.client_id == client.id).order_by(ContactChannel.created_at, ContactChannel.id)
    ).all()
    every_note = session.scalars(
        select(ClientNote).where(ClientNote.client_id == client.id).order_by(ClientNote.created_at, ClientNote.id)
    ).all()
    # A sensitive note is read only by its author's team and by clinicians (clients.notes.may_read), and so is it
    # copied: whoever else makes the copy gets it without them, counted, and the page says who can make it whole.
    clinician = client_notes.reads_sensitive(session, actor, client)
    notes = [note for note in every_note if client_notes.may_read(actor, note, clinician=clinician)]
    consents = session.scalars(
        select(Consent).where(Consent.client_id == client.id).order_by(Consent.given_at, Consent.id)
    ).all()
    situation = session.get(ImmigrationSituation, client.id)
    links = session.scalars(
        select(ClientLink)
        .where(or_(ClientLink.client_id == client.id, ClientLink.other_client_id == client.id))
        .order_by(ClientLink.decided_at, ClientLink.id)
    ).all()
    events, more = _events(session, settings, client.id, before=None, limit=EXPORT_EVENTS_LIMIT)
    # Every other domain's rows about the person (assessments, plans, screening, ...), each by its own exporter.
    context = exporting.ExportContext(session=session, key=key, client=client)
    sections: dict[str, Any] = {}
    withheld: list[str] = []
    for exporter in exporting.EXPORTERS:
        if exporter.readable_by(actor):
            sections.update(exporter(context))
        else:
            withheld.append(exporter.domain)
    names = audit_repository.account_names(
        session, {note.author_account_id for note in notes if note.author_account_id}
        | {consent.recorded_by for consent in consents if consent.recorded_by}
        | context.staff_ids
    )
    document: dict[str, Any] = {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported_at": _iso(clock.utc_now()),
        "record": {
            "id": client.id,
            "status": client.status,
            "jurisdiction": client.jurisdiction,
            "created_at": _iso(client.created_at),
            "updated_at": _iso(client.updated_at),
            "last_contact_at": _iso(client.last_contact_at),
            "closed_at": _iso(client.closed_at),
            "erase_after": _iso(client.erase_after),
            "do_not_contact": client.do_not_contact,
            "fictional": client.fictional,
        },
        "profile": profile.as_json(),
        "contact_channels": [_channel(key, channel) for channel in channels],
        "notes": [
            {
                "id": note.id,
                "sensitivity": note.sensitivity,
                "text": key.open_text("client_note", "body", note.id, note.body),
                "written_by": names.get(note.author_account_id or ""),
                "created_at": _iso(note.created_at),
            }
            for note in notes
        ],
        "notes_withheld": len(every_note) - len(notes),
        "consents": [
            {
                "id": consent.id,
                "purpose": consent.purpose,
                "staff_organisation_id": consent.staff_organisation_id,
                "directory_organization_id": consent.directory_organization_id,
                "channel_id": consent.channel_id,
                "method": consent.method,
                "interpreter_language": consent.interpreter_language,
                "explanation_version": consent.explanation_version,
                "explanation_language": consent.explanation_language,
                "recorded_by": names.get(consent.recorded_by or ""),
                "given_at": _iso(consent.given_at),
                "withdrawn_at": _iso(consent.withdrawn_at),
            }
            for consent in consents
        ],
        "immigration_situation": (
            key.open_json("client_immigration_situation", "situation", client.id, situation.situation)
            if situation is not None
            else None
        ),
        "linked_records": [
            {
                "other_record_id": link.other_client_id if link.client_id == client.id else link.client_id,
                "decision": link.decision,
                "reason": link.reason,
                "decided_at": _iso(link.decided_at),
            }
            for link in links
        ],
        **exporting.resolve_staff(sections, names),
        "sections_withheld": withheld,
        "seen_by": [
            {
                "at": _iso(event.at),
                "staff_name": event.staff_name,
                "organisation_name": event.organisation_name,
                "action": event.action,
                "outcome": event.outcome,
            }
            for event in events
        ],
        "seen_by_complete": not more,
        "seen_by_total": history_count(session, client.id),
    }
    audit.record(session, "client.export", actor=actor, record_type=RECORD_TYPE, record_id=client.id, request_id=request_id)
    return document


# --- Erasure ---------------------------------------------------------------------------------------------------


def notes_withheld(session: Session, actor: Actor, client: Client) -> int:
    """How many of the record's sensitive notes a copy made by `actor` leaves out (export_record)."""
    rows = session.scalars(
        select(ClientNote).where(ClientNote.client_id == client.id, ClientNote.sensitivity == client_notes.SENSITIVE)
    ).all()
    clinician = client_notes.reads_sensitive(session, actor, client)
    return sum(1 for note in rows if not client_notes.may_read(actor, note, clinician=clinician))


def erase_words(language: str) -> set[str]:
    """What may be typed to confirm an erasure: the word shown in the reader's language, or the English one."""
    return {i18n.gettext(language, ERASE_WORD).casefold(), ERASE_WORD}


def _shred(session: Session, client: Client) -> None:
    """Destroy the data key first (from then on nothing sealed for the person can be read, anywhere), then every row
    of the record, its blind indexes with them. Children are deleted explicitly, not left to ON DELETE CASCADE, so
    the erasure does not depend on a database setting."""
    keys.destroy_data_key(session, SUBJECT, client.id)
    client_id = client.id
    session.execute(delete(Consent).where(Consent.client_id == client_id))
    session.execute(delete(ContactChannel).where(ContactChannel.client_id == client_id))
    session.execute(delete(ClientNote).where(ClientNote.client_id == client_id))
    session.execute(delete(ClientReference).where(ClientReference.client_id == client_id))
    session.execute(delete(ImmigrationSituation).where(ImmigrationSituation.client_id == client_id))
    session.execute(
        delete(ClientLink).where(or_(ClientLink.client_id == client_id, ClientLink.other_client_id == client_id))
    )
    session.execute(delete(Client).where(Client.id == client_id))
    session.expunge(client)


def erase_client(
    session: Session,
    settings: Settings,
    actor: Actor,
    client_id: str,
    *,
    typed: str,
    language: str = "en",
    request_id: str | None = None,
) -> None:
    """Erase a person's record for good (person.erase, within scope), once the word shown has been typed. Audited
    `client.erase`: who, when and the id, nothing else."""
    clients.check(actor, "person.erase")
    client = clients.find_client(session, actor, client_id, "person.erase")
    if (typed or "").strip().casefold() not in erase_words(language):
        raise InvalidInput(
            errors=[FieldError("confirm", N_("Type the word shown to confirm that the record is to be erased."))]
        )
    _shred(session, client)
    audit.record(session, "client.erase", actor=actor, record_type=RECORD_TYPE, record_id=client_id, request_id=request_id)


# --- Retention -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RetentionResult:
    erased: int
    warned: int


def apply_retention(session: Session, settings: Settings) -> RetentionResult:
    """What the daily `rights.retention` job does, as the system (no actor): erase closed records whose erase_after
    has passed; warn the caseworker of those to be erased within settings.client_retention_warning_days, once per
    record (retention_warned_at). Idempotent: a second run the same day finds nothing left to do."""
    from carebridge.notifications import service as notifications

    now = clock.utc_now()
    due = session.scalars(
        select(Client).where(Client.status == "closed", Client.erase_after.is_not(None), Client.erase_after <= now)
    ).all()
    for client in due:
        client_id, organisation_id = client.id, client.organisation_id
        _shred(session, client)
        audit.record(
            session, "client.erase", account_id=None, organisation_id=organisation_id, record_type=RECORD_TYPE,
            record_id=client_id,
        )
    warned = 0
    if settings.client_retention_warning_days > 0:
        horizon = now + dt.timedelta(days=settings.client_retention_warning_days)
        soon = session.scalars(
            select(Client).where(
                Client.status == "closed",
                Client.erase_after.is_not(None),
                Client.erase_after > now,
                Client.erase_after <= horizon,
                Client.retention_warned_at.is_(None),
            )
        ).all()
        for client in soon:
            claimed = session.execute(
                update(Client)
                .where(Client.id == client.id, Client.retention_warned_at.is_(None))
                .values(retention_warned_at=now)
                .execution_options(synchronize_session=False)
            )
            if not claimed.rowcount:
                continue  # another run warned first
            for account_id in retention_recipients(session, client):
                notifications.notify_staff_later(session, account_id, notifications.RETENTION_WARNING)
            audit.record(
                session, "client.retention-warning", account_id=None, organisation_id=client.organisation_id,
                record_type=RECORD_TYPE, record_id=client.id,
            )
            warned += 1
    if due or warned:
        log.info("retention: %d records erased, %d caseworkers warned", len(due), warned)
    return RetentionResult(erased=len(due), warned=warned)


def _active_holders(
    session: Session, organisation_id: str, permission: str, *, team_id: str | None = None, account_id: str | None = None
) -> list[str]:
    """Active accounts of the organisation (of the team, or only that account, when given) whose roles grant
    `permission`, by id."""
    from carebridge.accounts.models import StaffAccount, StaffRole, TeamMembership
    from carebridge.accounts.permissions import ROLES

    roles = [name for name, role in ROLES.items() if permission in role.grants]
    query = select(StaffAccount.id).where(
        StaffAccount.organisation_id == organisation_id,
        StaffAccount.active.is_(True),
        StaffAccount.id.in_(select(StaffRole.account_id).where(StaffRole.role.in_(roles))),
    )
    if account_id is not None:
        query = query.where(StaffAccount.id == account_id)
    if team_id is not None:
        query = query.where(StaffAccount.id.in_(select(TeamMembership.account_id).where(TeamMembership.team_id == team_id)))
    return list(session.scalars(query.order_by(StaffAccount.id)))


def retention_recipients(session: Session, client: Client) -> list[str]:
    """Who is warned that a closed record will soon be erased, so that the warning always reaches someone who can
    act on it (see it on /staff/rights/erasing-soon, reopen it): its caseworker while their account is active and
    may still read records; otherwise the active members of the record's team who work with records
    (person.write); otherwise the organisation's service managers (person.erase). Ids only: the warning names no
    one."""
    if client.owner_account_id and _active_holders(
        session, client.organisation_id, "person.read", account_id=client.owner_account_id
    ):
        return [client.owner_account_id]
    if client.team_id:
        team = _active_holders(session, client.organisation_id, "person.write", team_id=client.team_id)
        if team:
            return team
    return _active_holders(session, client.organisation_id, "person.erase")


def erase_date(settings: Settings, client: Client) -> dt.date | None:
    """The day (deployment's time zone) a closed record will be erased, for its page."""
    if client.status != "closed" or client.erase_after is None:
        return None
    return client.erase_after.astimezone(ZoneInfo(settings.timezone)).date()


def history_count(session: Session, client_id: str, *, before: int | None = None) -> int:
    """How many events the trail holds about a record (the section's summary); with `before`, how many are older
    than that event (what a printout that stops there leaves out)."""
    from sqlalchemy import func

    query = select(func.count()).select_from(AuditEvent).where(
        AuditEvent.record_type == RECORD_TYPE, AuditEvent.record_id == client_id
    )
    if before is not None:
        query = query.where(AuditEvent.seq < before)
    return session.scalar(query) or 0
