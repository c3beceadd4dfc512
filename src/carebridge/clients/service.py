"""People's records: creating, reading and changing them, always as an actor within their scope, always audited.

The spine other domains build on (consent, rights, firewall, later assessments and referrals):

    client = clients.create_client(session, settings, actor, Profile(preferred_name="Amina"), team_id=team.id)
    client = clients.get_client(session, settings, actor, client_id)             # scoped; audited client.read
    profile = clients.open_profile(session, settings, client)                  # decrypted, in memory only

Every read of one record is audited `client.read` (record_type "client", record_id its id) and every write
`client.<verb>`: that is what "who has seen my record" lists (rights). Audit events carry ids only.
A record outside the actor's scope is NotFound, exactly as one that does not exist: a probe learns nothing.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.orm import Session

from carebridge.accounts.access import Actor
from carebridge.accounts.scopes import scope_clause
from carebridge.accounts.service import clean_name
from carebridge.audit import service as audit
from carebridge.clients.models import Client
from carebridge.config import Settings
from carebridge.errors import N_, Conflict, FieldError, Forbidden, InvalidInput, NotFound
from carebridge.keys import normalise
from carebridge.keys import service as keys
from carebridge.keys.keyring import blind_index
from carebridge.kit import clock

RECORD_TYPE = "client"
SUBJECT = "client"


@dataclass
class Profile:
    """What the record says about the person, sealed as one JSON value (client.profile)."""

    preferred_name: str
    birth_date: dt.date | None = None
    birth_year: int | None = None
    gender: str | None = None
    # BCP 47 tags, the person's main language first ("prs", "fa-AF", "ckb", "kmr", "ar-SY").
    languages: list[str] = field(default_factory=list)
    interpreter_needed: bool = False
    interpreter_language: str | None = None
    # any | female | male
    interpreter_gender: str = "any"
    # "Not someone from my community": an interpreter from outside the person's own community.
    interpreter_not_from_community: bool = False

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["birth_date"] = self.birth_date.isoformat() if self.birth_date else None
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Profile:
        data = dict(data)
        if data.get("birth_date"):
            data["birth_date"] = dt.date.fromisoformat(data["birth_date"])
        known = {name for name in cls.__dataclass_fields__}
        return cls(**{key: value for key, value in data.items() if key in known})


def check(actor: Actor | None, permission: str) -> None:
    if actor is None or not actor.can(permission):
        raise Forbidden(N_("You do not have permission to do that."))


def scope(actor: Actor | None, permission: str) -> ColumnElement[bool]:
    """The WHERE clause of the client rows `actor` may use with `permission` (accounts.scopes), never outside the
    actor's organisation: a break-the-glass grant for another organisation's record opens nothing."""
    clause = scope_clause(
        actor,
        permission,
        record_type=RECORD_TYPE,
        record_id=Client.id,
        owner=Client.owner_account_id,
        team=Client.team_id,
        organisation=Client.organisation_id,
    )
    if actor is None:
        return clause
    return and_(clause, Client.organisation_id == actor.organisation_id)


def name_birth_date_index(settings: Settings, profile: Profile) -> str | None:
    """The duplicate-finding blind index: only with a full date of birth (a name and a year are too guessable)."""
    if profile.birth_date is None:
        return None
    return blind_index(
        settings, normalise.NAME_BIRTH_DATE, normalise.name_birth_date(profile.preferred_name, profile.birth_date)
    )


def create_client(
    session: Session,
    settings: Settings,
    actor: Actor,
    profile: Profile,
    *,
    team_id: str | None = None,
    owner_account_id: str | None = None,
    jurisdiction: str | None = None,
    fictional: bool = False,
    request_id: str | None = None,
) -> Client:
    """A new record in the actor's organisation, with its own data key; audited `client.create`."""
    check(actor, "person.write")
    profile = check_profile(profile)
    if team_id is not None and team_id not in actor.team_ids and not actor.can("staff.manage"):
        raise Forbidden(N_("You can only add people to your own teams."))
    jurisdiction = check_jurisdiction(jurisdiction, settings)
    chosen_team = team_id if team_id is not None else (min(actor.team_ids) if actor.team_ids else None)
    if owner_account_id and owner_account_id != actor.account_id:
        from carebridge.clients import repository

        if chosen_team is None or not repository.is_team_member(session, owner_account_id, chosen_team):
            raise InvalidInput(
                errors=[FieldError("owner_account_id", N_("Choose a caseworker who works in the record's team."))]
            )
    now = clock.utc_now()
    client = Client(
        id=_new_id(),
        organisation_id=actor.organisation_id,
        team_id=chosen_team,
        owner_account_id=owner_account_id or actor.account_id,
        jurisdiction=jurisdiction,
        status="open",
        do_not_contact=False,
        needs_attention=False,
        fictional=fictional,
        version=1,
        created_at=now,
        updated_at=now,
    )
    key = keys.create_data_key(session, settings, SUBJECT, client.id)
    client.profile = key.seal_json("client", "profile", client.id, profile.as_json())
    client.name_birth_date_index = name_birth_date_index(settings, profile)
    session.add(client)
    session.flush()
    audit.record(session, "client.create", actor=actor, record_type=RECORD_TYPE, record_id=client.id, request_id=request_id)
    return client


def _new_id() -> str:
    from carebridge.db import new_id

    return new_id()


def find_client(session: Session, actor: Actor | None, client_id: str, permission: str = "person.read") -> Client:
    """The record if it exists and is in the actor's scope for `permission`; NotFound otherwise (not audited: the
    caller audits what it does with it)."""
    client = session.scalar(select(Client).where(Client.id == client_id, scope(actor, permission)))
    if client is None:
        raise NotFound(N_("We could not find that person's record."))
    return client


def get_client(
    session: Session,
    settings: Settings,
    actor: Actor,
    client_id: str,
    *,
    permission: str = "person.read",
    request_id: str | None = None,
) -> Client:
    """One record, for reading: scoped and audited `client.read`."""
    check(actor, permission)
    client = find_client(session, actor, client_id, permission)
    audit.record(session, "client.read", actor=actor, record_type=RECORD_TYPE, record_id=client.id, request_id=request_id)
    return client


def open_profile(session: Session, settings: Settings, client: Client) -> Profile:
    key = keys.data_key(session, settings, SUBJECT, client.id)
    return Profile.from_json(key.open_json("client", "profile", client.id, client.profile))


def open_profiles(session: Session, settings: Settings, clients: list[Client]) -> dict[str, Profile]:
    """Several profiles with one query for their keys (a caseload page)."""
    found = keys.data_keys(session, settings, SUBJECT, [client.id for client in clients])
    return {
        client.id: Profile.from_json(found[client.id].open_json("client", "profile", client.id, client.profile))
        for client in clients
        if client.id in found
    }


# --- Checking what the record says --------------------------------------------------------------------------------

GENDER_MAXIMUM = 100
LANGUAGES_MAXIMUM = 10
INTERPRETER_GENDERS = ("any", "female", "male")
EARLIEST_BIRTH_YEAR = 1900
STATUSES = ("open", "closed")

# Languages offered in the form, with the distinctions that matter for an interpreter (Dari is not Farsi, Sorani is
# not Kurmanji); any other well-formed BCP 47 tag can be typed. Labels are English msgids, translated on the page.
COMMON_LANGUAGES: tuple[tuple[str, str], ...] = (
    ("ar", N_("Arabic")),
    ("ar-SY", N_("Arabic (Syria)")),
    ("ar-IQ", N_("Arabic (Iraq)")),
    ("ar-SD", N_("Arabic (Sudan)")),
    ("prs", N_("Dari (Afghanistan)")),
    ("fa", N_("Farsi (Iran)")),
    ("ps", N_("Pashto")),
    ("ckb", N_("Kurdish, Sorani")),
    ("kmr", N_("Kurdish, Kurmanji")),
    ("ti", N_("Tigrinya")),
    ("am", N_("Amharic")),
    ("so", N_("Somali")),
    ("uk", N_("Ukrainian")),
    ("ru", N_("Russian")),
    ("ur", N_("Urdu")),
    ("bn", N_("Bengali")),
    ("sq", N_("Albanian")),
    ("tr", N_("Turkish")),
    ("vi", N_("Vietnamese")),
    ("fr", N_("French")),
    ("es", N_("Spanish")),
    ("en", N_("English")),
)
_COMMON = {tag.casefold(): tag for tag, _ in COMMON_LANGUAGES}

# RFC 5646 langtag, the parts a person's language needs (no extensions, no private use, no grandfathered tags):
# language (2–3 letters, or 4–8 registered ones are not used in practice) [-extlang]{0,3} [-script] [-region]
# [-variant]*.
_LANGTAG = re.compile(
    r"(?P<language>[A-Za-z]{2,3})(?:-[A-Za-z]{3}){0,3}"
    r"(?:-(?P<script>[A-Za-z]{4}))?"
    r"(?:-(?P<region>[A-Za-z]{2}|[0-9]{3}))?"
    r"(?P<variants>(?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*)"
)


@lru_cache(maxsize=4096)
def _known_language(code: str) -> bool:
    import pycountry

    code = code.lower()
    if len(code) == 2:
        return pycountry.languages.get(alpha_2=code) is not None
    return pycountry.languages.get(alpha_3=code) is not None


def normalise_language_tag(value: str) -> str | None:
    """A BCP 47 tag in its conventional case ("ar-SY", "sr-Latn-RS"), or None if it is not well-formed or its
    language subtag is not an ISO 639-1 or 639-3 code (pycountry)."""
    value = value.strip().replace("_", "-")
    if len(value) > 35:
        return None
    match = _LANGTAG.fullmatch(value)
    if match is None or not _known_language(match["language"]):
        return None
    parts = value.split("-")
    out = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            out.append(part.title())
        elif len(part) == 2 and part.isalpha():
            out.append(part.upper())
        else:
            out.append(part.lower())
    return "-".join(out)


_HIDDEN = re.compile(r"[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


def check_profile(profile: Profile, *, today: dt.date | None = None) -> Profile:
    """The profile as it is kept, or InvalidInput naming every field that is wrong (all at once)."""
    errors: list[FieldError] = []
    today = today or clock.today()
    try:
        profile.preferred_name = clean_name(
            profile.preferred_name or "", "preferred_name", N_("Enter the name the person wants to be called.")
        )
    except InvalidInput as problem:
        errors.extend(problem.errors)
    if profile.birth_date is not None and profile.birth_year is not None:
        errors.append(FieldError("birth_date", N_("Give either the date of birth or the year of birth, not both.")))
    if profile.birth_date is not None:
        if profile.birth_date > today:
            errors.append(FieldError("birth_date", N_("The date of birth must be in the past.")))
        elif profile.birth_date.year < EARLIEST_BIRTH_YEAR:
            errors.append(FieldError("birth_date", N_("The date of birth must be after 1900.")))
    if profile.birth_year is not None and not (EARLIEST_BIRTH_YEAR <= profile.birth_year <= today.year):
        errors.append(
            FieldError(
                "birth_year",
                N_("Enter a year of birth between %(first)s and %(last)s."),
                params={"first": EARLIEST_BIRTH_YEAR, "last": today.year},
            )
        )
    if profile.gender is not None:
        gender = unicodedata.normalize("NFC", profile.gender).strip()
        if _HIDDEN.search(gender):
            errors.append(FieldError("gender", N_("Use only visible letters, numbers, spaces and punctuation.")))
        elif len(gender) > GENDER_MAXIMUM:
            errors.append(
                FieldError("gender", N_("Use at most %(maximum)s characters."), params={"maximum": GENDER_MAXIMUM})
            )
        profile.gender = gender or None
    languages: list[str] = []
    for tag in profile.languages:
        normalised = normalise_language_tag(tag) if isinstance(tag, str) else None
        if normalised is None:
            errors.append(
                FieldError(
                    "languages",
                    N_("Enter languages as codes such as prs (Dari), ckb (Sorani) or ar-SY; one is not a language code we know."),
                )
            )
            break
        if normalised not in languages:
            languages.append(normalised)
    if len(languages) > LANGUAGES_MAXIMUM:
        errors.append(
            FieldError("languages", N_("Give at most %(maximum)s languages."), params={"maximum": LANGUAGES_MAXIMUM})
        )
    profile.languages = languages
    if profile.interpreter_gender not in INTERPRETER_GENDERS:
        errors.append(FieldError("interpreter_gender", N_("Choose any, female or male."), allowed=list(INTERPRETER_GENDERS)))
    if profile.interpreter_language:
        normalised = normalise_language_tag(profile.interpreter_language)
        if normalised is None:
            errors.append(FieldError("interpreter_language", N_("Choose the language the interpreter should speak.")))
        profile.interpreter_language = normalised
    else:
        profile.interpreter_language = None
    if profile.interpreter_needed and not profile.interpreter_language:
        if languages:
            profile.interpreter_language = languages[0]
        else:
            errors.append(FieldError("interpreter_language", N_("Choose the language the interpreter should speak.")))
    if errors:
        raise InvalidInput(errors=errors)
    return profile


def check_jurisdiction(code: str | None, settings: Settings) -> str:
    """A jurisdiction with a rules base (entitlements), or the deployment's own."""
    from carebridge.entitlements import service as entitlements

    if not code:
        return settings.jurisdiction
    known = {rulebook.jurisdiction for rulebook in entitlements.jurisdictions()} | {settings.jurisdiction}
    if code not in known:
        raise InvalidInput(
            errors=[FieldError("jurisdiction", N_("Choose one of the jurisdictions listed."), allowed=sorted(known))]
        )
    return code


def jurisdiction_choices(settings: Settings) -> list[str]:
    from carebridge.entitlements import service as entitlements

    return sorted({rulebook.jurisdiction for rulebook in entitlements.jurisdictions()} | {settings.jurisdiction})


# --- Changing a record ----------------------------------------------------------------------------------------------


@dataclass
class Assignment:
    """Who works on the record and under which rules: the team, its caseworker (one of the team's staff), the
    jurisdiction."""

    team_id: str | None
    owner_account_id: str | None
    jurisdiction: str


STALE = N_("Someone else changed this record while you were editing it. Check what it says now and make your change again.")


def _write(session: Session, actor: Actor, client_id: str) -> Client:
    check(actor, "person.write")
    return find_client(session, actor, client_id, "person.write")


def _check_assignment(session: Session, settings: Settings, actor: Actor, client: Client, assignment: Assignment) -> Assignment:
    from carebridge.clients import repository

    errors: list[FieldError] = []
    team_id = assignment.team_id or None
    if team_id != client.team_id and team_id is not None:
        if not repository.team_in_organisation(session, team_id, client.organisation_id) or (
            team_id not in actor.team_ids and not actor.can("staff.manage")
        ):
            errors.append(FieldError("team_id", N_("Choose one of your own teams.")))
    owner = assignment.owner_account_id or None
    if owner is None:
        errors.append(FieldError("owner_account_id", N_("Choose the caseworker.")))
    elif team_id is not None and not errors and not repository.is_team_member(session, owner, team_id):
        errors.append(FieldError("owner_account_id", N_("Choose a caseworker who works in the record's team.")))
    elif team_id is None and not repository.is_organisation_staff(session, owner, client.organisation_id):
        # Without a team the caseworker's `own` scope is the only way in: never staff of another organisation.
        errors.append(FieldError("owner_account_id", N_("Choose a caseworker who works in the record's team.")))
    try:
        jurisdiction = check_jurisdiction(assignment.jurisdiction, settings)
    except InvalidInput as problem:
        errors.extend(problem.errors)
        jurisdiction = client.jurisdiction
    if errors:
        raise InvalidInput(errors=errors)
    return Assignment(team_id, owner, jurisdiction)


def update_client(
    session: Session,
    settings: Settings,
    actor: Actor,
    client_id: str,
    profile: Profile,
    assignment: Assignment,
    *,
    version: int,
    request_id: str | None = None,
) -> Client:
    """Replace the profile and assignment of a record, if nobody changed it since `version` (Conflict otherwise: the
    edit is refused, not lost). Audited `client.update`."""
    client = _write(session, actor, client_id)
    errors: list[FieldError] = []
    try:
        profile = check_profile(profile)
    except InvalidInput as problem:
        errors.extend(problem.errors)
    try:
        assignment = _check_assignment(session, settings, actor, client, assignment)
    except InvalidInput as problem:
        errors.extend(problem.errors)
    if errors:
        raise InvalidInput(errors=errors)
    if client.version != version:
        raise Conflict(STALE)
    key = keys.data_key(session, settings, SUBJECT, client.id)
    changed = session.execute(
        update(Client)
        .where(Client.id == client.id, Client.version == version)
        .values(
            profile=key.seal_json("client", "profile", client.id, profile.as_json()),
            name_birth_date_index=name_birth_date_index(settings, profile),
            team_id=assignment.team_id,
            owner_account_id=assignment.owner_account_id,
            jurisdiction=assignment.jurisdiction,
            version=version + 1,
            updated_at=clock.utc_now(),
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        # Another transaction committed an edit between our read and this write.
        raise Conflict(STALE)
    session.refresh(client)
    audit.record(session, "client.update", actor=actor, record_type=RECORD_TYPE, record_id=client.id, request_id=request_id)
    return client


def set_needs_attention(
    session: Session, settings: Settings, actor: Actor, client_id: str, flag: bool, *, request_id: str | None = None
) -> Client:
    """Flag (or unflag) the record as needing attention; audited `client.attention`."""
    client = _write(session, actor, client_id)
    client.needs_attention = bool(flag)
    client.updated_at = clock.utc_now()
    session.flush()
    audit.record(session, "client.attention", actor=actor, record_type=RECORD_TYPE, record_id=client.id, request_id=request_id)
    return client


def record_contact(
    session: Session, settings: Settings, actor: Actor, client_id: str, *, request_id: str | None = None
) -> Client:
    """"I spoke with or met the person": the record's last contact is now. Audited `client.contact-made`."""
    client = _write(session, actor, client_id)
    if client.status != "open":
        raise Conflict(N_("This record is closed. Reopen it first."))
    client.last_contact_at = clock.utc_now()
    session.flush()
    audit.record(session, "client.contact-made", actor=actor, record_type=RECORD_TYPE, record_id=client.id, request_id=request_id)
    return client


def close_client(
    session: Session, settings: Settings, actor: Actor, client_id: str, *, request_id: str | None = None
) -> Client:
    """Close the case: it is erased `client_retention_days` later (rights' retention job), and the immigration
    situation is erased now. Audited `client.close`."""
    from carebridge.clients import repository

    client = _write(session, actor, client_id)
    if client.status == "closed":
        raise Conflict(N_("This record is already closed."))
    now = clock.utc_now()
    client.status = "closed"
    client.closed_at = now
    client.erase_after = now + dt.timedelta(days=settings.client_retention_days)
    client.retention_warned_at = None
    client.updated_at = now
    repository.delete_immigration_situation(session, client.id)
    session.flush()
    audit.record(session, "client.close", actor=actor, record_type=RECORD_TYPE, record_id=client.id, request_id=request_id)
    return client


def reopen_client(
    session: Session, settings: Settings, actor: Actor, client_id: str, *, request_id: str | None = None
) -> Client:
    """Open a closed case again: it is no longer due to be erased. Audited `client.reopen`."""
    client = _write(session, actor, client_id)
    if client.status == "open":
        raise Conflict(N_("This record is already open."))
    client.status = "open"
    client.closed_at = None
    client.erase_after = None
    client.retention_warned_at = None
    client.updated_at = clock.utc_now()
    session.flush()
    audit.record(session, "client.reopen", actor=actor, record_type=RECORD_TYPE, record_id=client.id, request_id=request_id)
    return client


# --- The caseload ------------------------------------------------------------------------------------------------

CASELOAD_PAGE_SIZE = 50
# A record open this long without contact counts as needing attention.
NO_CONTACT_DAYS = 30
RECENT_CONTACT_DAYS = 7
LAST_CONTACT_FILTERS = ("any", "none-30", "within-7")
STATUS_FILTERS = ("open", "closed", "all")


@dataclass
class CaseloadFilters:
    # True: records where the actor is the caseworker; False: every record in their scope ("my team's").
    mine: bool = True
    team_id: str | None = None
    status: str = "open"
    last_contact: str = "any"
    needs_attention: bool = False


@dataclass(frozen=True)
class CaseloadEntry:
    id: str
    preferred_name: str
    languages: list[str]
    team_name: str | None
    caseworker_name: str | None
    status: str
    last_contact_at: dt.datetime | None
    # flagged: staff said so; no-contact: open and nobody in touch for NO_CONTACT_DAYS; None: neither.
    attention: str | None
    do_not_contact: bool
    fictional: bool
    # Steps of the person's action plan still to do after their due date (plans; today in the deployment's zone).
    overdue_steps: int = 0


@dataclass(frozen=True)
class Caseload:
    entries: list[CaseloadEntry]
    page: int
    has_next: bool


def check_caseload_filters(
    actor: Actor, filters: CaseloadFilters, session: Session | None = None
) -> CaseloadFilters:
    """The filters as given, or InvalidInput naming each one that is wrong. A team must be one the actor's
    person.read scope covers (caseload_team_ids); without a session only the actor's own teams are known."""
    errors: list[FieldError] = []
    if filters.team_id:
        allowed = caseload_team_ids(session, actor) if session is not None else actor.team_ids
        if filters.team_id not in allowed:
            errors.append(FieldError("team", N_("Choose one of the teams listed.")))
    if filters.status not in STATUS_FILTERS:
        errors.append(FieldError("status", N_("Choose open, closed or all."), allowed=list(STATUS_FILTERS)))
    if filters.last_contact not in LAST_CONTACT_FILTERS:
        errors.append(FieldError("last_contact", N_("Choose one of the options."), allowed=list(LAST_CONTACT_FILTERS)))
    if errors:
        raise InvalidInput(errors=errors)
    return filters


def caseload(
    session: Session,
    settings: Settings,
    actor: Actor,
    filters: CaseloadFilters,
    page: int = 1,
    *,
    page_size: int = CASELOAD_PAGE_SIZE,
    request_id: str | None = None,
) -> Caseload:
    """One page of the records the actor may read, filtered; every record shown is audited `client.list` (so the
    person's "who has seen my record" is complete). Never the immigration situation."""
    from carebridge.clients import repository

    check(actor, "person.read")
    check_caseload_filters(actor, filters, session)
    now = clock.utc_now()
    stale = now - dt.timedelta(days=NO_CONTACT_DAYS)
    where: list[ColumnElement[bool]] = [scope(actor, "person.read")]
    if filters.mine:
        where.append(Client.owner_account_id == actor.account_id)
    if filters.team_id:
        where.append(Client.team_id == filters.team_id)
    if filters.status != "all":
        where.append(Client.status == filters.status)
    if filters.last_contact == "none-30":
        where.append(or_(Client.last_contact_at.is_(None), Client.last_contact_at < stale))
    elif filters.last_contact == "within-7":
        where.append(Client.last_contact_at >= now - dt.timedelta(days=RECENT_CONTACT_DAYS))
    today = clock.today(settings.timezone)
    if filters.needs_attention:
        where.append(or_(
            Client.needs_attention.is_(True), repository.no_contact_since(stale), repository.has_overdue_steps(today)
        ))
    rows = repository.caseload_page(session, where, limit=page_size + 1, offset=(max(page, 1) - 1) * page_size)
    has_next = len(rows) > page_size
    entries = _entries(session, settings, rows[:page_size], now, today)
    audit.record_many(
        session, "client.list", actor=actor, record_type=RECORD_TYPE, record_ids=[e.id for e in entries], request_id=request_id
    )
    return Caseload(entries=entries, page=max(page, 1), has_next=has_next)


def _entries(session: Session, settings: Settings, rows: list[Any], now: dt.datetime, today: dt.date) -> list[CaseloadEntry]:
    """Caseload rows (repository.CaseloadRow) as the caseload and a lookup show them: opened, with their flags."""
    from carebridge.clients import repository

    profiles = open_profiles(session, settings, [row.client for row in rows])
    overdue = repository.overdue_step_counts(session, [row.client.id for row in rows], today)
    entries = []
    for row in rows:
        client = row.client
        profile = profiles.get(client.id)
        entries.append(
            CaseloadEntry(
                id=client.id,
                preferred_name=profile.preferred_name if profile else "",
                languages=list(profile.languages) if profile else [],
                team_name=row.team_name,
                caseworker_name=row.caseworker_name,
                status=client.status,
                last_contact_at=client.last_contact_at,
                attention=attention_of(client, now),
                do_not_contact=client.do_not_contact,
                fictional=client.fictional,
                overdue_steps=overdue.get(client.id, 0),
            )
        )
    return entries


# --- Finding a person by an exact phone number, e-mail address or reference number --------------------------------

# The most records one lookup shows (a number shared by many, such as a shelter's phone, finds them all, in pages of
# the caseload's size at most).
LOOKUP_LIMIT = CASELOAD_PAGE_SIZE
LOOKUP_MAXIMUM = 320
# Digits (with the country code) a phone number needs to be looked up: a short one is too easy to guess from its index.
PHONE_MINIMUM_DIGITS = 8
_PHONE_LIKE = re.compile(r"[0-9+()\s.\-]+")
LOOKUP_HINT = N_("Enter a whole phone number, e-mail address or reference number.")


def lookup_indexes(settings: Settings, value: str | None) -> list[str]:
    """The blind indexes an exact lookup of `value` compares: the e-mail address's, or the phone number's (E.164,
    read in settings.phone_region without a country code) and the reference number's — a run of digits may be
    either. InvalidInput (field `value`) when it can be none of them. Never a name: names are sealed, and a blind
    index of something with so few likely values would give them away."""
    from carebridge.accounts.service import EMAIL
    from carebridge.clients.references import reference_index

    typed = unicodedata.normalize("NFKC", value or "").strip()
    if not typed:
        raise InvalidInput(errors=[FieldError("value", LOOKUP_HINT)])
    if len(typed) > LOOKUP_MAXIMUM or _HIDDEN.search(typed):
        raise InvalidInput(errors=[FieldError("value", LOOKUP_HINT)])
    indexes: list[str] = []
    if "@" in typed:
        if EMAIL.fullmatch(typed):
            indexes.append(blind_index(settings, normalise.EMAIL, normalise.email(typed)))
    else:
        if _PHONE_LIKE.fullmatch(typed):
            try:
                number = normalise.phone(typed, settings.phone_region)
            except ValueError:
                number = None
            if number is not None and len(number) - 1 >= PHONE_MINIMUM_DIGITS:
                indexes.append(blind_index(settings, normalise.PHONE, number))
        reference = reference_index(settings, typed)
        if reference is not None:
            indexes.append(reference)
    if not indexes:
        raise InvalidInput(errors=[FieldError("value", LOOKUP_HINT)])
    return indexes


def find_people(
    session: Session, settings: Settings, actor: Actor, value: str | None, *, request_id: str | None = None
) -> list[CaseloadEntry]:
    """The records in the actor's person.read scope with exactly this phone number, e-mail address or reference
    number (by blind index: nobody is decrypted to compare), in the caseload's order, at most LOOKUP_LIMIT. A record
    outside the scope is not found, exactly as if it did not exist. Every record shown is audited `client.list`, as
    on the caseload."""
    from carebridge.clients import repository

    check(actor, "person.read")
    indexes = lookup_indexes(settings, value)
    now = clock.utc_now()
    rows = repository.caseload_page(
        session, [scope(actor, "person.read"), repository.has_lookup_index(indexes)], limit=LOOKUP_LIMIT, offset=0
    )
    entries = _entries(session, settings, rows, now, clock.today(settings.timezone))
    audit.record_many(
        session, "client.list", actor=actor, record_type=RECORD_TYPE, record_ids=[e.id for e in entries], request_id=request_id
    )
    return entries


def attention_of(client: Client, now: dt.datetime | None = None) -> str | None:
    """Why the record needs attention: "flagged" (staff said so), "no-contact" (open, nobody in touch for
    NO_CONTACT_DAYS), or None."""
    if client.needs_attention:
        return "flagged"
    now = now or clock.utc_now()
    stale = now - dt.timedelta(days=NO_CONTACT_DAYS)
    last = client.last_contact_at or client.created_at
    if client.status == "open" and last is not None and _aware(last) < stale:
        return "no-contact"
    return None


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def team_choices(session: Session, actor: Actor) -> list[tuple[str, str]]:
    """The actor's own teams, by name: where they may put a record."""
    from carebridge.clients import repository

    return repository.teams_of(session, actor.team_ids)


def organisation_wide(actor: Actor, permission: str = "person.read") -> bool:
    """Whether the actor holds `permission` over their whole organisation (a service manager, a receptionist)."""
    from carebridge.accounts.permissions import Scope, scope_of

    return actor.can(permission) and scope_of(actor.roles, permission) is Scope.ORGANISATION


def caseload_team_ids(session: Session, actor: Actor) -> frozenset[str]:
    """The teams whose records the actor's person.read scope covers: every team of the organisation for an
    organisation-wide scope, else the actor's own teams."""
    from carebridge.clients import repository

    if organisation_wide(actor):
        return frozenset(key for key, _ in repository.organisation_teams(session, actor.organisation_id))
    return actor.team_ids


def caseload_team_choices(session: Session, actor: Actor) -> list[tuple[str, str]]:
    """(id, name) of every team the caseload may be filtered by (caseload_team_ids), by name."""
    from carebridge.clients import repository

    if organisation_wide(actor):
        return repository.organisation_teams(session, actor.organisation_id)
    return repository.teams_of(session, actor.team_ids)


def caseworker_choices(session: Session, actor: Actor, team_id: str | None) -> list[tuple[str, str]]:
    """Who may be the caseworker of a record of this team (its active staff)."""
    from carebridge.clients import repository

    check(actor, "person.write")
    if team_id is None:
        return []
    return repository.team_staff(session, team_id)


def record_names(session: Session, client: Client) -> tuple[str | None, str | None]:
    """(team name, caseworker name) of a record the caller has already read."""
    from carebridge.clients import repository

    return repository.names_of(session, client)


def team_choices_by_id(session: Session, team_ids: set[str]) -> list[tuple[str, str]]:
    from carebridge.clients import repository

    return repository.teams_of(session, team_ids)


def can_write(session: Session, actor: Actor, client: Client) -> bool:
    """Whether the actor may change this record (its person.write scope holds it)."""
    if not actor.can("person.write"):
        return False
    return session.scalar(select(Client.id).where(Client.id == client.id, scope(actor, "person.write"))) is not None
