"""Volunteers and network families: the organisation's register, and matching a person to one of them.

    volunteer = volunteers.create_volunteer(session, settings, actor, VolunteerInput(kind="volunteer", ...))
    proposals = volunteers.find_candidates(session, settings, actor, client_id, area="Northside", interests=["football"])
    match = volunteers.propose_match(session, settings, actor, client_id, MatchInput(volunteer_id=..., ...))
    volunteers.answer_match(session, settings, volunteer_actor, match.id, "accept")     # or the worker records it
    volunteers.end_match(session, settings, actor, match.id, "goal-met")
    volunteers.remove_volunteer(session, settings, actor, volunteer.id)                # crypto-shredding

The register belongs to the organisation: anyone holding `volunteer.manage` sees and keeps their organisation's
volunteers (audited with record_type "volunteer"). A match belongs to one person's record and is reached only within
the actor's `volunteer.manage` scope of people (clients.scope): outside it, NotFound like a missing one. Matching is
never automatic (volunteers.matching ranks, the worker proposes, the volunteer answers). A match needs the person's
agreement to share what the volunteer sees, recorded on the match (who recorded it and how): docs/volunteers.md says
why it is not a consent purpose.

A volunteer (role `volunteer`, permission `volunteer.own-matches`) sees only their own proposed and active matches,
and of each only what the match needs (VolunteerMatchView); nothing once it ends or is declined. Each look is audited
on the person's record (`volunteer.match.view`), so "who has seen my record" names it.

Notifications are payload-free (notifications.MATCH): to the volunteer's account when a match is proposed or ended,
to the proposing worker when the volunteer answers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from carebridge.accounts.access import Actor
from carebridge.accounts.models import StaffAccount, StaffRole
from carebridge.audit import service as audit
from carebridge.clients import service as clients
from carebridge.clients.models import Client
from carebridge.config import Settings
from carebridge.db import new_id
from carebridge.errors import (
    N_,
    Conflict,
    FieldError,
    Forbidden,
    InvalidInput,
    NotFound,
)
from carebridge.keys import service as keys
from carebridge.kit import clock
from carebridge.kit.text import clean_text
from carebridge.notifications import service as notifications
from carebridge.volunteers import matching
from carebridge.volunteers.models import Volunteer, VolunteerExclusion, VolunteerMatch

SUBJECT = "volunteer"
RECORD_TYPE = "volunteer"  # audit events about a volunteer (never a person's record): written as the literal
VOLUNTEER_TABLE = "volunteer"
MATCH_TABLE = "volunteer_match"
MANAGE = "volunteer.manage"
OWN = "volunteer.own-matches"

VOLUNTEER, FAMILY = "volunteer", "family"
KINDS = (VOLUNTEER, FAMILY)
ACTIVE, PAUSED, REMOVED = "active", "paused", "removed"
PROPOSED, MATCHED, DECLINED, ENDED = "proposed", "active", "declined", "ended"
OPEN_STATES = (PROPOSED, MATCHED)
ACCEPT, DECLINE = "accept", "decline"
ANSWERS = (ACCEPT, DECLINE)
# How the person's agreement to share with this volunteer was given.
AGREED_HOW = ("in-person", "phone", "interpreter", "written")
END_REASONS = ("goal-met", "person-ended", "volunteer-ended", "no-contact", "safeguarding", "other")
VOLUNTEER_REMOVED = "volunteer-removed"
# The fixed list of interests (with "other", its words sealed with the volunteer's details).
INTERESTS = ("football", "sport", "walking", "cooking", "music", "arts", "crafts", "gardening", "reading", "faith",
             "language-practice", "children", "games", "technology", "other")

NAME_MAXIMUM = 120
CONTACT_MAXIMUM = 300
AVAILABILITY_MAXIMUM = 500
AREA_MAXIMUM = 100
OTHER_MAXIMUM = 200
HOW_TO_MEET_MAXIMUM = 1_000
MAX_MATCHES_LIMIT = 10

NO_VOLUNTEER = N_("We could not find that volunteer.")
NO_MATCH = N_("We could not find that match.")
STALE = N_("Someone else changed this volunteer while you were editing. Check what it says now and save again.")


# --- Inputs and views --------------------------------------------------------------------------------------------


@dataclass
class VolunteerInput:
    kind: str
    display_name: str
    contact: str = ""
    languages: list[str] = field(default_factory=list)
    area: str = ""
    interests: list[str] = field(default_factory=list)
    interests_other: str = ""
    availability: str = ""
    check_on: dt.date | None = None
    check_expires_on: dt.date | None = None
    max_matches: int = 1
    account_id: str | None = None


@dataclass(frozen=True)
class VolunteerView:
    id: str
    kind: str
    display_name: str
    contact: str
    languages: list[str]
    area: str
    interests: list[str]
    interests_other: str
    availability: str
    check_on: dt.date | None
    check_expires_on: dt.date | None
    check_valid: bool
    status: str
    max_matches: int
    open_matches: int
    account_id: str | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


@dataclass
class MatchInput:
    volunteer_id: str
    area: str = ""
    interests: list[str] = field(default_factory=list)
    how_to_meet: str = ""
    person_agreed: bool = False
    agreed_how: str = ""
    share_name: bool = False


@dataclass(frozen=True)
class MatchView:
    """A match as the worker sees it on the person's record."""

    id: str
    client_id: str
    volunteer_id: str
    volunteer_name: str
    volunteer_kind: str
    status: str
    shared: dict
    person_agreed: bool
    agreed_how: str
    proposed_at: dt.datetime
    answered_at: dt.datetime | None
    ended_at: dt.datetime | None
    ended_reason: str | None
    version: int


@dataclass(frozen=True)
class VolunteerMatchView:
    """All a volunteer sees of a match: nothing else of the person's record."""

    id: str
    status: str
    name_to_use: str | None
    languages: list[str]
    area: str
    shared_interests: list[str]
    how_to_meet: str
    proposed_at: dt.datetime


# --- Checks ------------------------------------------------------------------------------------------------------


def today(settings: Settings) -> dt.date:
    return clock.today(settings.timezone)


def check_valid(volunteer: Volunteer, on: dt.date) -> bool:
    return volunteer.check_expires_on is not None and volunteer.check_expires_on >= on


def _require(actor: Actor | None, permission: str) -> Actor:
    if actor is None or not actor.can(permission):
        raise Forbidden(N_("You do not have permission to do that."))
    return actor


def _text(value: str | None, name: str, maximum: int, errors: list[FieldError], *, empty: str | None = None,
          multiline: bool = False) -> str:
    try:
        cleaned = clean_text(value, name, maximum=maximum, multiline=multiline, empty=empty)
    except InvalidInput as problem:
        errors.extend(problem.errors)
        return ""
    if cleaned is not None and len(cleaned) > maximum:
        errors.append(FieldError(name, N_("Use at most %(maximum)s characters."), params={"maximum": maximum}))
        return ""
    return cleaned or ""


def normalise_languages(values: list[str], errors: list[FieldError], name: str = "languages") -> list[str]:
    tags: list[str] = []
    for value in values:
        for part in (value or "").replace(",", " ").split():
            tag = clients.normalise_language_tag(part)
            if tag is None:
                errors.append(FieldError(name, N_("Enter languages as codes such as ar, prs or uk-UA.")))
                return []
            if tag not in tags:
                tags.append(tag)
    if len(tags) > clients.LANGUAGES_MAXIMUM:
        errors.append(FieldError(name, N_("Give at most %(maximum)s languages."), params={"maximum": clients.LANGUAGES_MAXIMUM}))
        return []
    return tags


def normalise_interests(values: list[str], errors: list[FieldError], name: str = "interests") -> list[str]:
    chosen = [value for value in dict.fromkeys(values) if value]
    if any(value not in INTERESTS for value in chosen):
        errors.append(FieldError(name, N_("Choose interests from the list."), allowed=list(INTERESTS)))
        return []
    return [interest for interest in INTERESTS if interest in chosen]


def check_volunteer_input(session: Session, actor: Actor, data: VolunteerInput, settings: Settings,
                           volunteer_id: str | None) -> dict:
    errors: list[FieldError] = []
    if data.kind not in KINDS:
        errors.append(FieldError("kind", N_("Choose a volunteer or a network family."), allowed=list(KINDS)))
    name = _text(data.display_name, "display_name", NAME_MAXIMUM, errors, empty=N_("Enter the name to use."))
    contact = _text(data.contact, "contact", CONTACT_MAXIMUM, errors)
    languages = normalise_languages(data.languages, errors)
    if not languages and not any(error.name == "languages" for error in errors):
        errors.append(FieldError("languages", N_("Enter at least one language they speak.")))
    area = _text(data.area, "area", AREA_MAXIMUM, errors)
    interests = normalise_interests(data.interests, errors)
    other = _text(data.interests_other, "interests_other", OTHER_MAXIMUM, errors)
    availability = _text(data.availability, "availability", AVAILABILITY_MAXIMUM, errors, multiline=True)
    now = today(settings)
    if data.check_on is not None and (data.check_on > now or data.check_on.year < 2000):
        errors.append(FieldError("check_on", N_("Enter the date of the check: today or earlier.")))
    if data.check_expires_on is not None and data.check_expires_on.year > now.year + 10:
        errors.append(FieldError("check_expires_on", N_("Enter an expiry date within the next ten years.")))
    if (data.check_on and data.check_expires_on and data.check_expires_on < data.check_on
            and not any(error.name == "check_on" for error in errors)):
        errors.append(FieldError("check_expires_on", N_("The check cannot expire before it was done.")))
    if not isinstance(data.max_matches, int) or not 1 <= data.max_matches <= MAX_MATCHES_LIMIT:
        errors.append(FieldError("max_matches", N_("Enter a number from 1 to %(maximum)s."), params={"maximum": MAX_MATCHES_LIMIT}))
    account_id = data.account_id or None
    if account_id is not None and account_id not in {
        value for value, _label in volunteer_accounts(session, actor, include=volunteer_id)
    }:
        errors.append(FieldError("account_id", N_("Choose a sign-in with the volunteer role, not linked to another volunteer.")))
    if errors:
        raise InvalidInput(errors=errors)
    return {
        "kind": data.kind, "languages": " ".join(languages), "area": area, "interests": " ".join(interests),
        "check_on": data.check_on, "check_expires_on": data.check_expires_on, "max_matches": data.max_matches,
        "account_id": account_id,
        "details": {"display_name": name, "contact": contact, "availability": availability, "interests_other": other},
    }


def volunteer_accounts(session: Session, actor: Actor, *, include: str | None = None) -> list[tuple[str, str]]:
    """Active sign-ins of the actor's organisation with the role `volunteer` that no other volunteer uses (plus the
    one of volunteer `include`): (account id, name)."""
    taken = select(Volunteer.account_id).where(Volunteer.account_id.is_not(None))
    if include:
        taken = taken.where(Volunteer.id != include)
    rows = session.execute(
        select(StaffAccount.id, StaffAccount.name)
        .where(StaffAccount.organisation_id == actor.organisation_id, StaffAccount.active.is_(True),
               StaffAccount.id.in_(select(StaffRole.account_id).where(StaffRole.role == "volunteer")),
               StaffAccount.id.not_in(taken))
        .order_by(StaffAccount.name, StaffAccount.id)
    )
    return [(row[0], row[1]) for row in rows]


# --- The register ------------------------------------------------------------------------------------------------


def _open_counts(session: Session, volunteer_ids: list[str]) -> dict[str, int]:
    if not volunteer_ids:
        return {}
    rows = session.execute(
        select(VolunteerMatch.volunteer_id, func.count())
        .where(VolunteerMatch.volunteer_id.in_(volunteer_ids), VolunteerMatch.status.in_(OPEN_STATES))
        .group_by(VolunteerMatch.volunteer_id)
    )
    return {volunteer_id: count for volunteer_id, count in rows}


def _view(volunteer: Volunteer, key: keys.DataKey | None, open_matches: int, on: dt.date) -> VolunteerView:
    details = key.open_json(VOLUNTEER_TABLE, "details", volunteer.id, volunteer.details) if key and volunteer.details else {}
    return VolunteerView(
        id=volunteer.id, kind=volunteer.kind, display_name=details.get("display_name", ""),
        contact=details.get("contact", ""), languages=volunteer.languages.split(), area=volunteer.area,
        interests=volunteer.interests.split(), interests_other=details.get("interests_other", ""),
        availability=details.get("availability", ""), check_on=volunteer.check_on,
        check_expires_on=volunteer.check_expires_on, check_valid=check_valid(volunteer, on), status=volunteer.status,
        max_matches=volunteer.max_matches, open_matches=open_matches, account_id=volunteer.account_id,
        version=volunteer.version, created_at=volunteer.created_at, updated_at=volunteer.updated_at,
    )


def find_volunteer(session: Session, actor: Actor | None, volunteer_id: str) -> Volunteer:
    """A volunteer of the actor's organisation's register (not removed); NotFound otherwise."""
    actor = _require(actor, MANAGE)
    if not volunteer_id or len(volunteer_id) > 64:
        raise NotFound(NO_VOLUNTEER)
    found = session.scalar(select(Volunteer).where(
        Volunteer.id == volunteer_id, Volunteer.organisation_id == actor.organisation_id, Volunteer.status != REMOVED))
    if found is None:
        raise NotFound(NO_VOLUNTEER)
    return found


def create_volunteer(session: Session, settings: Settings, actor: Actor, data: VolunteerInput, *,
                     request_id: str | None = None) -> Volunteer:
    """A new volunteer or family on the actor's organisation's register, with a data key of their own. Audited
    `volunteer.create`."""
    _require(actor, MANAGE)
    values = check_volunteer_input(session, actor, data, settings, None)
    now = clock.utc_now()
    volunteer = Volunteer(id=new_id(), organisation_id=actor.organisation_id, status=ACTIVE, created_by=actor.account_id,
                          created_at=now, updated_at=now, version=1,
                          **{name: value for name, value in values.items() if name != "details"})
    key = keys.create_data_key(session, settings, SUBJECT, volunteer.id)
    volunteer.details = key.seal_json(VOLUNTEER_TABLE, "details", volunteer.id, values["details"])
    session.add(volunteer)
    session.flush()
    audit.record(session, "volunteer.create", actor=actor, record_type="volunteer", record_id=volunteer.id,
                 request_id=request_id)
    return volunteer


def update_volunteer(session: Session, settings: Settings, actor: Actor, volunteer_id: str, data: VolunteerInput, *,
                     version: int, request_id: str | None = None) -> Volunteer:
    """Change a volunteer (every field), if nobody changed them since `version` (Conflict otherwise). Audited
    `volunteer.update`."""
    volunteer = find_volunteer(session, actor, volunteer_id)
    values = check_volunteer_input(session, actor, data, settings, volunteer.id)
    if volunteer.version != version:
        raise Conflict(STALE)
    key = keys.data_key(session, settings, SUBJECT, volunteer.id)
    changed = session.execute(
        update(Volunteer)
        .where(Volunteer.id == volunteer.id, Volunteer.version == version)
        .values(**{name: value for name, value in values.items() if name != "details"},
                details=key.seal_json(VOLUNTEER_TABLE, "details", volunteer.id, values["details"]),
                updated_at=clock.utc_now(), version=version + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        raise Conflict(STALE)
    session.refresh(volunteer)
    audit.record(session, "volunteer.update", actor=actor, record_type="volunteer", record_id=volunteer.id,
                 request_id=request_id)
    return volunteer


def set_paused(session: Session, settings: Settings, actor: Actor, volunteer_id: str, paused: bool, *,
               request_id: str | None = None) -> Volunteer:
    """Pause a volunteer (never proposed while paused; their open matches go on) or make them active again. Audited
    `volunteer.pause` / `volunteer.resume`."""
    volunteer = find_volunteer(session, actor, volunteer_id)
    status = PAUSED if paused else ACTIVE
    if volunteer.status != status:
        volunteer.status = status
        volunteer.updated_at = clock.utc_now()
        volunteer.version += 1
        session.flush()
    audit.record(session, "volunteer.pause" if paused else "volunteer.resume", actor=actor, record_type="volunteer",
                 record_id=volunteer.id, request_id=request_id)
    return volunteer


def remove_volunteer(session: Session, settings: Settings, actor: Actor, volunteer_id: str, *,
                     request_id: str | None = None) -> None:
    """Take a volunteer off the register for good: their data key is destroyed (crypto-shredding: their name,
    contact and availability can never be read again), their clear fields are emptied, their sign-in unlinked, and
    their open matches ended ("volunteer-removed"). The row stays as a tombstone for the matches' history. Audited
    `volunteer.remove`, and `volunteer.match.end` on each person whose match ended."""
    volunteer = find_volunteer(session, actor, volunteer_id)
    now = clock.utc_now()
    open_matches = list(session.scalars(select(VolunteerMatch).where(
        VolunteerMatch.volunteer_id == volunteer.id, VolunteerMatch.status.in_(OPEN_STATES))))
    for match in open_matches:
        _end(session, actor, match, VOLUNTEER_REMOVED, now, request_id)
    keys.destroy_data_key(session, SUBJECT, volunteer.id)
    volunteer.details = None
    volunteer.languages = ""
    volunteer.area = ""
    volunteer.interests = ""
    volunteer.account_id = None
    volunteer.status = REMOVED
    volunteer.removed_at = now
    volunteer.updated_at = now
    volunteer.version += 1
    session.flush()
    audit.record(session, "volunteer.remove", actor=actor, record_type="volunteer", record_id=volunteer.id,
                 request_id=request_id)


def list_volunteers(session: Session, settings: Settings, actor: Actor, *, request_id: str | None = None) -> list[VolunteerView]:
    """The organisation's register (not removed), by name. Audited `volunteer.list` (one event per volunteer)."""
    _require(actor, MANAGE)
    rows = list(session.scalars(select(Volunteer).where(
        Volunteer.organisation_id == actor.organisation_id, Volunteer.status != REMOVED)))
    found = keys.data_keys(session, settings, SUBJECT, [row.id for row in rows])
    counts = _open_counts(session, [row.id for row in rows])
    on = today(settings)
    views = [_view(row, found.get(row.id), counts.get(row.id, 0), on) for row in rows]
    views.sort(key=lambda view: (view.status != ACTIVE, view.display_name.casefold(), view.id))
    if rows:
        audit.record_many(session, "volunteer.list", actor=actor, record_type="volunteer",
                          record_ids=[row.id for row in rows], request_id=request_id)
    return views


def read_volunteer(session: Session, settings: Settings, actor: Actor, volunteer_id: str, *,
                   request_id: str | None = None) -> VolunteerView:
    """One volunteer of the register, decrypted. Audited `volunteer.read`."""
    volunteer = find_volunteer(session, actor, volunteer_id)
    audit.record(session, "volunteer.read", actor=actor, record_type="volunteer", record_id=volunteer.id,
                 request_id=request_id)
    return volunteer_view(session, settings, volunteer)


def volunteer_view(session: Session, settings: Settings, volunteer: Volunteer) -> VolunteerView:
    key = keys.data_key(session, settings, SUBJECT, volunteer.id)
    return _view(volunteer, key, _open_counts(session, [volunteer.id]).get(volunteer.id, 0), today(settings))


# --- Matching a person ---------------------------------------------------------------------------------------------


def find_person(session: Session, actor: Actor | None, client_id: str) -> Client:
    """The person's record within the actor's volunteer.manage scope; NotFound otherwise."""
    _require(actor, MANAGE)
    if not client_id or len(client_id) > 64:
        raise NotFound(N_("We could not find that person's record."))
    return clients.find_client(session, actor, client_id, MANAGE)


def excluded_ids(session: Session, client_id: str) -> set[str]:
    return set(session.scalars(select(VolunteerExclusion.volunteer_id).where(VolunteerExclusion.client_id == client_id)))


def _candidates(session: Session, organisation_id: str) -> list[tuple[Volunteer, matching.Candidate]]:
    rows = list(session.scalars(select(Volunteer).where(
        Volunteer.organisation_id == organisation_id, Volunteer.status != REMOVED)))
    counts = _open_counts(session, [row.id for row in rows])
    return [(row, matching.Candidate(
        id=row.id, kind=row.kind, languages=tuple(row.languages.split()), area=row.area,
        interests=frozenset(row.interests.split()), status=row.status, check_expires_on=row.check_expires_on,
        open_matches=counts.get(row.id, 0), max_matches=row.max_matches)) for row in rows]


@dataclass(frozen=True)
class Suggestion:
    """A proposal (matching.Proposal) with the volunteer's name for the worker's page."""

    proposal: matching.Proposal
    name: str
    kind: str


def find_candidates(session: Session, settings: Settings, actor: Actor, client_id: str, *, area: str = "",
                    interests: list[str] | None = None, limit: int = 10,
                    request_id: str | None = None) -> list[Suggestion]:
    """Volunteers and families who may be proposed to the person, best first, each with why (matching). The person's
    languages come from their record; the area and interests are what the worker typed (not stored). Audited
    `volunteer.match.search` (it reads the person's languages)."""
    client = find_person(session, actor, client_id)
    errors: list[FieldError] = []
    area_text = _text(area, "area", AREA_MAXIMUM, errors)
    chosen = normalise_interests(list(interests or []), errors)
    if errors:
        raise InvalidInput(errors=errors)
    profile = clients.open_profile(session, settings, client)
    need = matching.Need(languages=tuple(profile.languages), area=area_text or None, interests=frozenset(chosen),
                         excluded=frozenset(excluded_ids(session, client.id)))
    pairs = _candidates(session, client.organisation_id)
    proposals = matching.propose([candidate for _row, candidate in pairs], need, today(settings), limit=limit)
    rows = {row.id: row for row, _candidate in pairs}
    found = keys.data_keys(session, settings, SUBJECT, [proposal.candidate.id for proposal in proposals])
    audit.record(session, "volunteer.match.search", actor=actor, record_type=clients.RECORD_TYPE, record_id=client.id,
                 request_id=request_id)
    suggestions = []
    for proposal in proposals:
        row = rows[proposal.candidate.id]
        key = found.get(row.id)
        details = key.open_json(VOLUNTEER_TABLE, "details", row.id, row.details) if key and row.details else {}
        suggestions.append(Suggestion(proposal, details.get("display_name", ""), row.kind))
    return suggestions


def propose_match(session: Session, settings: Settings, actor: Actor, client_id: str, data: MatchInput, *,
                  request_id: str | None = None) -> VolunteerMatch:
    """Propose one volunteer to the person (the worker's choice, never automatic). The volunteer must still be one
    matching would propose (active, check valid, not at capacity, not excluded, sharing something), and the person
    must have agreed to share what the volunteer will see. Audited `volunteer.match.propose`; the volunteer's sign-in
    (if any) is told, payload-free."""
    client = find_person(session, actor, client_id)
    errors: list[FieldError] = []
    area_text = _text(data.area, "area", AREA_MAXIMUM, errors)
    chosen = normalise_interests(list(data.interests), errors)
    how_to_meet = _text(data.how_to_meet, "how_to_meet", HOW_TO_MEET_MAXIMUM, errors, multiline=True,
                        empty=N_("Write how and where they will first meet."))
    if not data.person_agreed:
        errors.append(FieldError("person_agreed", N_("The person must agree before anything is shared with a volunteer.")))
    if data.agreed_how not in AGREED_HOW:
        errors.append(FieldError("agreed_how", N_("Choose how the person agreed."), allowed=list(AGREED_HOW)))
    volunteer = None
    if not data.volunteer_id or len(data.volunteer_id) > 64:
        errors.append(FieldError("volunteer_id", N_("Choose a volunteer or family to propose.")))
    else:
        volunteer = session.scalar(select(Volunteer).where(
            Volunteer.id == data.volunteer_id, Volunteer.organisation_id == client.organisation_id))
        if volunteer is None:
            errors.append(FieldError("volunteer_id", N_("Choose a volunteer or family to propose.")))
    if errors:
        raise InvalidInput(errors=errors)
    assert volunteer is not None
    profile = clients.open_profile(session, settings, client)
    need = matching.Need(languages=tuple(profile.languages), area=area_text or None, interests=frozenset(chosen),
                         excluded=frozenset(excluded_ids(session, client.id)))
    candidate = next(candidate for row, candidate in _candidates(session, client.organisation_id) if row.id == volunteer.id)
    if matching.blocked(candidate, need, today(settings)) is not None:
        raise InvalidInput(errors=[FieldError("volunteer_id", N_(
            "This volunteer cannot be proposed now: they are paused, their check has expired, they have as many "
            "matches as they can take, or the person does not want them."))])
    proposal = matching.compare(candidate, need)
    match = VolunteerMatch(
        id=new_id(), client_id=client.id, organisation_id=client.organisation_id, volunteer_id=volunteer.id,
        status=PROPOSED, person_agreed=True, agreed_how=data.agreed_how, agreed_recorded_by=actor.account_id,
        proposed_by=actor.account_id, proposed_at=clock.utc_now(), version=1,
    )
    key = keys.data_key(session, settings, clients.SUBJECT, client.id)
    match.shared = key.seal_json(MATCH_TABLE, "shared", match.id, {
        "name_to_use": profile.preferred_name if data.share_name else None,
        "languages": list(proposal.shared_languages) or list(profile.languages[:1]),
        "area": area_text,
        "shared_interests": list(proposal.shared_interests),
        "how_to_meet": how_to_meet,
    })
    session.add(match)
    session.flush()
    audit.record(session, "volunteer.match.propose", actor=actor, record_type=clients.RECORD_TYPE, record_id=client.id,
                 request_id=request_id)
    if volunteer.account_id:
        notifications.notify_staff_later(session, volunteer.account_id, notifications.MATCH)
    return match


def _match_in_scope(session: Session, actor: Actor, match_id: str) -> tuple[VolunteerMatch, Client]:
    _require(actor, MANAGE)
    if not match_id or len(match_id) > 64:
        raise NotFound(NO_MATCH)
    found = session.execute(
        select(VolunteerMatch, Client).join(Client, Client.id == VolunteerMatch.client_id)
        .where(VolunteerMatch.id == match_id, clients.scope(actor, MANAGE))
    ).first()
    if found is None:
        raise NotFound(NO_MATCH)
    return found[0], found[1]


def find_match(session: Session, actor: Actor, client_id: str, match_id: str) -> tuple[VolunteerMatch, Client]:
    """A match of this person within the actor's scope; NotFound otherwise."""
    match, client = _match_in_scope(session, actor, match_id)
    if client.id != client_id:
        raise NotFound(NO_MATCH)
    return match, client


def _own_volunteer(session: Session, actor: Actor) -> Volunteer | None:
    return session.scalar(select(Volunteer).where(
        Volunteer.account_id == actor.account_id, Volunteer.organisation_id == actor.organisation_id,
        Volunteer.status != REMOVED))


def _own_match(session: Session, actor: Actor | None, match_id: str) -> tuple[VolunteerMatch, Volunteer]:
    actor = _require(actor, OWN)
    volunteer = _own_volunteer(session, actor)
    if volunteer is None or not match_id or len(match_id) > 64:
        raise NotFound(NO_MATCH)
    match = session.scalar(select(VolunteerMatch).where(
        VolunteerMatch.id == match_id, VolunteerMatch.volunteer_id == volunteer.id,
        VolunteerMatch.status.in_(OPEN_STATES)))
    if match is None:
        raise NotFound(NO_MATCH)
    return match, volunteer


def answer_match(session: Session, settings: Settings, actor: Actor, match_id: str, answer: str, *,
                 client_id: str | None = None, request_id: str | None = None) -> VolunteerMatch:
    """The volunteer's answer to a proposed match: accept (the match is active) or decline. Given by the volunteer
    from their own sign-in, or recorded by a worker (with `client_id`, within their scope) who heard it. Audited
    `volunteer.match.answer`; the proposing worker is told, payload-free (unless they recorded it themselves)."""
    if answer not in ANSWERS:
        raise InvalidInput(errors=[FieldError("answer", N_("Choose accept or decline."), allowed=list(ANSWERS))])
    if client_id is not None:
        match, _client = find_match(session, actor, client_id, match_id)
    else:
        match, _volunteer = _own_match(session, actor, match_id)
    if match.status != PROPOSED:
        raise Conflict(N_("This match has already been answered."))
    match.status = MATCHED if answer == ACCEPT else DECLINED
    match.answered_at = clock.utc_now()
    match.answered_by = actor.account_id
    match.version += 1
    session.flush()
    audit.record(session, "volunteer.match.answer", actor=actor, record_type=clients.RECORD_TYPE,
                 record_id=match.client_id, request_id=request_id)
    if match.proposed_by and match.proposed_by != actor.account_id:
        notifications.notify_staff_later(session, match.proposed_by, notifications.MATCH)
    return match


def _end(session: Session, actor: Actor, match: VolunteerMatch, reason: str, now: dt.datetime,
         request_id: str | None) -> None:
    match.status = ENDED
    match.ended_at = now
    match.ended_reason = reason
    match.ended_by = actor.account_id
    match.version += 1
    audit.record(session, "volunteer.match.end", actor=actor, record_type=clients.RECORD_TYPE,
                 record_id=match.client_id, request_id=request_id)


def end_match(session: Session, settings: Settings, actor: Actor, client_id: str, match_id: str, reason: str, *,
              exclude: bool = False, request_id: str | None = None) -> VolunteerMatch:
    """End a proposed or active match with a reason (the volunteer then sees nothing of it); with `exclude`, the
    person is never proposed this volunteer again. Audited `volunteer.match.end`; the volunteer is told."""
    if reason not in END_REASONS:
        raise InvalidInput(errors=[FieldError("reason", N_("Choose why the match ends."), allowed=list(END_REASONS))])
    match, client = find_match(session, actor, client_id, match_id)
    if match.status not in OPEN_STATES:
        raise Conflict(N_("This match has already ended."))
    _end(session, actor, match, reason, clock.utc_now(), request_id)
    session.flush()
    if exclude:
        exclude_volunteer(session, actor, client.id, match.volunteer_id, request_id=request_id)
    account_id = session.scalar(select(Volunteer.account_id).where(Volunteer.id == match.volunteer_id))
    if account_id:
        notifications.notify_staff_later(session, account_id, notifications.MATCH)
    return match


def exclude_volunteer(session: Session, actor: Actor, client_id: str, volunteer_id: str, *,
                      request_id: str | None = None) -> None:
    """The person does not want this volunteer: never proposed to them again. Audited `volunteer.exclude`."""
    client = find_person(session, actor, client_id)
    volunteer = session.scalar(select(Volunteer.id).where(
        Volunteer.id == volunteer_id, Volunteer.organisation_id == client.organisation_id)) if volunteer_id and len(volunteer_id) <= 64 else None
    if volunteer is None:
        raise NotFound(NO_VOLUNTEER)
    if volunteer not in excluded_ids(session, client.id):
        session.add(VolunteerExclusion(id=new_id(), client_id=client.id, volunteer_id=volunteer,
                                       created_by=actor.account_id, created_at=clock.utc_now()))
        session.flush()
    audit.record(session, "volunteer.exclude", actor=actor, record_type=clients.RECORD_TYPE, record_id=client.id,
                 request_id=request_id)


# --- Reading matches ---------------------------------------------------------------------------------------------


def matches_of(session: Session, settings: Settings, client: Client) -> list[MatchView]:
    """The person's matches, open first then newest; not audited, no scope check (the caller found `client` in scope
    and audits the read)."""
    rows = list(session.execute(
        select(VolunteerMatch, Volunteer).join(Volunteer, Volunteer.id == VolunteerMatch.volunteer_id)
        .where(VolunteerMatch.client_id == client.id)
    ))
    if not rows:
        return []
    key = keys.data_key(session, settings, clients.SUBJECT, client.id)
    names = keys.data_keys(session, settings, SUBJECT, [volunteer.id for _match, volunteer in rows])
    views = []
    for match, volunteer in rows:
        volunteer_key = names.get(volunteer.id)
        details = volunteer_key.open_json(VOLUNTEER_TABLE, "details", volunteer.id, volunteer.details) if volunteer_key and volunteer.details else {}
        views.append(MatchView(
            id=match.id, client_id=match.client_id, volunteer_id=volunteer.id,
            volunteer_name=details.get("display_name", ""), volunteer_kind=volunteer.kind, status=match.status,
            shared=key.open_json(MATCH_TABLE, "shared", match.id, match.shared), person_agreed=match.person_agreed,
            agreed_how=match.agreed_how, proposed_at=match.proposed_at, answered_at=match.answered_at,
            ended_at=match.ended_at, ended_reason=match.ended_reason, version=match.version,
        ))
    views.sort(key=lambda view: (view.status not in OPEN_STATES, -view.proposed_at.timestamp(), view.id))
    return views


def read_matches(session: Session, settings: Settings, actor: Actor, client_id: str, *,
                 request_id: str | None = None) -> list[MatchView]:
    """The person's matches (volunteer.manage scope). Audited `volunteer.match.read`."""
    client = find_person(session, actor, client_id)
    audit.record(session, "volunteer.match.read", actor=actor, record_type=clients.RECORD_TYPE, record_id=client.id,
                 request_id=request_id)
    return matches_of(session, settings, client)


def read_match(session: Session, settings: Settings, actor: Actor, client_id: str, match_id: str, *,
               request_id: str | None = None) -> MatchView:
    match, client = find_match(session, actor, client_id, match_id)
    audit.record(session, "volunteer.match.read", actor=actor, record_type=clients.RECORD_TYPE, record_id=client.id,
                 request_id=request_id)
    return next(view for view in matches_of(session, settings, client) if view.id == match.id)


def _volunteer_view_of(session: Session, settings: Settings, match: VolunteerMatch) -> VolunteerMatchView | None:
    try:
        key = keys.data_key(session, settings, clients.SUBJECT, match.client_id)
    except keys.KeyDestroyed:
        return None  # the person's record was erased: nothing of it is left to show
    shared = key.open_json(MATCH_TABLE, "shared", match.id, match.shared)
    return VolunteerMatchView(
        id=match.id, status=match.status, name_to_use=shared.get("name_to_use"),
        languages=list(shared.get("languages") or []), area=shared.get("area") or "",
        shared_interests=list(shared.get("shared_interests") or []), how_to_meet=shared.get("how_to_meet") or "",
        proposed_at=match.proposed_at,
    )


def own_matches(session: Session, settings: Settings, actor: Actor, *, request_id: str | None = None) -> list[VolunteerMatchView]:
    """The signed-in volunteer's proposed and active matches, only what each needs. Audited `volunteer.match.view`
    on each person's record."""
    _require(actor, OWN)
    volunteer = _own_volunteer(session, actor)
    if volunteer is None:
        return []
    rows = list(session.scalars(select(VolunteerMatch).where(
        VolunteerMatch.volunteer_id == volunteer.id, VolunteerMatch.status.in_(OPEN_STATES))
        .order_by(VolunteerMatch.proposed_at.desc(), VolunteerMatch.id)))
    views = [view for view in (_volunteer_view_of(session, settings, row) for row in rows) if view is not None]
    if rows:
        audit.record_many(session, "volunteer.match.view", actor=actor, record_type=clients.RECORD_TYPE,
                          record_ids=sorted({row.client_id for row in rows}), request_id=request_id)
    return views


def own_match(session: Session, settings: Settings, actor: Actor, match_id: str, *,
              request_id: str | None = None) -> VolunteerMatchView:
    match, _volunteer = _own_match(session, actor, match_id)
    view = _volunteer_view_of(session, settings, match)
    if view is None:
        raise NotFound(NO_MATCH)
    audit.record(session, "volunteer.match.view", actor=actor, record_type=clients.RECORD_TYPE,
                 record_id=match.client_id, request_id=request_id)
    return view
