"""Demo people: about 40 FICTIONAL people across the caseloads of "Fairhaven Community Health (demo)" (accounts.demo),
so that `make run` shows the caseload and the person's page at once. Made by `carebridge demo load` (with
CAREBRIDGE_DEMO=true, after the demo staff accounts), through clients.service — so sealed with their own data keys
exactly like real records — and marked `Client.fictional`. Idempotent: a person already there (by name, read from
the sealed profiles of the fictional records) is not made again. `carebridge demo remove` destroys their data keys
(crypto-shredding, as an erasure does) and deletes the rows.

The names are invented, in several scripts (Arabic, Dari/Persian and Pashto, Tigrinya, Ukrainian, Latin); any
likeness to a real person is chance. Loading is one function per part (`PARTS`): the people now; contact channels,
notes and consents follow, through their own services (clients.contact, clients.notes, consent.service), for the
open records; do-not-contact is set through the contact service.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from carebridge.accounts import demo as accounts_demo
from carebridge.accounts import service as accounts
from carebridge.accounts.access import Actor
from carebridge.accounts.models import Organisation, StaffAccount, Team
from carebridge.audit import service as audit
from carebridge.clients import service as clients
from carebridge.clients.models import Client
from carebridge.keys import service as keys
from carebridge.keys.keyring import KeyringError
from carebridge.kit import clock

HARBOURSIDE, OUTREACH = accounts_demo.TEAMS


@dataclass(frozen=True)
class DemoPerson:
    name: str
    team: str
    # The demo role whose account is the caseworker (owner): link-worker, outreach-worker, cultural-mediator,
    # peer-supporter or clinician.
    owner: str
    languages: tuple[str, ...]
    # An interpreter: (language, gender wanted, not from the person's community) — or None.
    interpreter: tuple[str, str, bool] | None = None
    # A full date of birth ("1990-04-17"), a year (1990) or nothing.
    born: str | int | None = None
    gender: str | None = None
    last_contact_days: int | None = 7
    do_not_contact: bool = False
    needs_attention: bool = False
    # Closed this many days ago.
    closed_days: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


L, O, M, P, C = "link-worker", "outreach-worker", "cultural-mediator", "peer-supporter", "clinician"

# Invented names. Languages are BCP 47 tags, the main one first (dialects where they matter for interpreting).
PEOPLE: tuple[DemoPerson, ...] = (
    # Arabic script: Arabic
    DemoPerson("ليلى الورداني", HARBOURSIDE, L, ("ar-SY",), ("ar-SY", "female", False), "1988-03-14", "woman", 3),
    DemoPerson("سامر القنديلي", HARBOURSIDE, L, ("ar-IQ", "ckb"), None, 1979, "man", 12),
    DemoPerson("نور الهدى السمّاكة", HARBOURSIDE, M, ("ar-SD",), ("ar-SD", "female", True), 1995, "woman", 40,
               needs_attention=True),
    DemoPerson("يوسف البرتقالي", OUTREACH, O, ("ar-YE",), ("ar-YE", "any", False), None, None, 95),
    DemoPerson("هالة الزيتوني", OUTREACH, P, ("ar-PS", "en"), None, "2001-11-02", "woman", 1),
    DemoPerson("عمر الفانوسي", HARBOURSIDE, C, ("ar-LY",), ("ar", "male", False), 1969, "man", 21, closed_days=30),
    # Arabic script: Dari, Persian, Pashto
    DemoPerson("فرشته باغستانی", OUTREACH, O, ("prs",), ("prs", "female", True), "1992-06-30", "woman", 5,
               do_not_contact=True),
    DemoPerson("مهدی کوهپایه‌نشین", OUTREACH, O, ("prs", "ps"), ("prs", "any", False), 1984, "man", 60,
               needs_attention=True),
    DemoPerson("زهره آسمانگرد", HARBOURSIDE, L, ("fa-IR",), None, 1990, "woman", 14),
    DemoPerson("نوید ستاره‌چین", HARBOURSIDE, C, ("fa-IR", "en"), None, "1999-01-09", "man", 2),
    DemoPerson("گلالی دریاکنار", OUTREACH, P, ("prs",), ("prs", "female", False), 2003, "woman", None),
    DemoPerson("احمد شاه‌توت", OUTREACH, O, ("prs", "uz-AF"), ("prs", "male", True), 1975, "man", 180, closed_days=200),
    DemoPerson("ملالۍ غرنۍ", OUTREACH, O, ("ps",), ("ps", "female", True), 1997, "woman", 8),
    # Ge'ez script: Tigrinya (and Amharic)
    DemoPerson("ሳባ ተስፋጽዮን", HARBOURSIDE, L, ("ti",), ("ti", "female", True), "1996-09-11", "woman", 4),
    DemoPerson("ኣማኑኤል ሓርነትኣብ", OUTREACH, O, ("ti", "ar"), ("ti", "any", False), 2005, "man", 33,
               needs_attention=True),
    DemoPerson("ሉላ ብርሃነመስቀል", HARBOURSIDE, M, ("ti",), ("ti", "female", False), 1993, "woman", 10),
    DemoPerson("ፊልሞን ዘርኣይሰናይ", OUTREACH, P, ("ti", "en"), None, "2000-05-20", "man", 16),
    DemoPerson("ማርታ ገነትወርቅ", HARBOURSIDE, C, ("am",), ("am", "female", False), 1987, "woman", 75, do_not_contact=True),
    # Cyrillic: Ukrainian (and Russian)
    DemoPerson("Оксана Соняшникова", HARBOURSIDE, L, ("uk",), None, "1983-08-24", "woman", 6),
    DemoPerson("Богдан Вишнеславський", HARBOURSIDE, L, ("uk", "ru"), None, 1958, "man", 28),
    DemoPerson("Мирослава Калинова", OUTREACH, P, ("uk",), None, 1991, "woman", 2),
    DemoPerson("Тарас Зорянський", HARBOURSIDE, L, ("uk",), ("uk", "any", False), 1947, "man", 120,
               needs_attention=True),
    DemoPerson("Ярина Лелеченко", HARBOURSIDE, C, ("uk", "en"), None, "2004-02-29", None, 9),
    DemoPerson("Остап Медовиченко", OUTREACH, P, ("ru", "uk"), None, 1966, "man", 45, closed_days=90),
    # Latin script: Kurdish, Somali, Spanish, French, Lingala, Turkish, Tigrinya/Amharic transliterated, English
    DemoPerson("Rojîn Berfînzade", HARBOURSIDE, L, ("kmr",), ("kmr", "female", True), "1994-12-01", "woman", 11),
    DemoPerson("Dilan Çiyayîkar", OUTREACH, O, ("kmr", "tr"), None, 1989, "non-binary", 19),
    DemoPerson("Hodan Cirfiidoow", OUTREACH, O, ("so",), ("so", "female", False), 1985, "woman", 3),
    DemoPerson("Ayaan Maroodiyeh", HARBOURSIDE, M, ("so", "en"), None, 2002, "woman", 52),
    DemoPerson("Lucía Brisamar", HARBOURSIDE, M, ("es-CO",), ("es", "any", False), "1990-07-15", "woman", 7),
    DemoPerson("Mateo Gaviotán", OUTREACH, O, ("es-VE",), None, 1998, "man", 200, do_not_contact=True),
    DemoPerson("Chantal Lunambeki", HARBOURSIDE, L, ("fr-CD", "ln"), ("ln", "female", False), 1982, "woman", 25),
    DemoPerson("Jean-Baptiste Nuagebleu", OUTREACH, P, ("fr-CM",), None, "1977-10-05", "man", 13, closed_days=10),
    DemoPerson("Grâce Mbalawanda", HARBOURSIDE, C, ("ln", "fr"), ("ln", "any", True), 1999, "woman", 1),
    DemoPerson("Emre Kuşyuvası", OUTREACH, O, ("tr",), None, 1993, "man", None),
    DemoPerson("Rahel Kidanesol", HARBOURSIDE, L, ("ti", "en"), None, 2006, "woman", 17),
    DemoPerson("Dawit Tesfaberhe", OUTREACH, O, ("am", "en"), None, "1986-04-04", "man", 88),
    DemoPerson("Amina Starfield-Oduya", HARBOURSIDE, C, ("en", "sw"), None, 1972, "woman", 30),
    DemoPerson("Kofi Lanternby", OUTREACH, P, ("tw", "en"), None, 1964, "man", 5),
    DemoPerson("Blessing Okonquill", HARBOURSIDE, L, ("en", "pcm"), None, "1997-03-03", "woman", 365, closed_days=340),
    DemoPerson("Nikolai Snegirevsky", OUTREACH, O, ("ru",), ("ru", "male", False), 1955, "man", 58),
)

# The parts of the demo, in order. Each takes (session, settings, context, people just made) and says what it did.
Part = Callable[[Session, Any, "DemoContext", list[tuple[Client, DemoPerson]]], str | None]


@dataclass
class DemoContext:
    organisation: Organisation
    teams: dict[str, Team]
    accounts: dict[str, StaffAccount]
    actors: dict[str, Actor]


def _context(session: Session) -> DemoContext | None:
    organisation = session.scalar(select(Organisation).where(Organisation.name == accounts_demo.ORGANISATION))
    if organisation is None:
        return None
    teams = {
        team.name: team
        for team in session.scalars(select(Team).where(Team.organisation_id == organisation.id)).all()
    }
    found = {}
    for role in (L, O, M, P, C):
        account = session.scalar(
            select(StaffAccount)
            .where(StaffAccount.email_key == accounts.email_key(accounts_demo.email_of(role)))
            .options(selectinload(StaffAccount.roles), selectinload(StaffAccount.memberships))
            .execution_options(populate_existing=True)
        )
        if account is None or not account.active:
            return None
        found[role] = account
    return DemoContext(
        organisation, teams, found, {role: accounts.actor_for(account) for role, account in found.items()}
    )


def _profile(person: DemoPerson) -> clients.Profile:
    birth_date = dt.date.fromisoformat(person.born) if isinstance(person.born, str) else None
    birth_year = person.born if isinstance(person.born, int) else None
    language, gender, outside = person.interpreter or (None, "any", False)
    return clients.Profile(
        preferred_name=person.name,
        birth_date=birth_date,
        birth_year=birth_year,
        gender=person.gender,
        languages=list(person.languages),
        interpreter_needed=person.interpreter is not None,
        interpreter_language=language,
        interpreter_gender=gender,
        interpreter_not_from_community=outside,
    )


def existing_names(session: Session, settings: Any, organisation_id: str) -> set[str]:
    """The names of the fictional people already in the demo organisation (their profiles opened in memory)."""
    fictional = list(
        session.scalars(
            select(Client).where(Client.organisation_id == organisation_id, Client.fictional.is_(True))
        ).all()
    )
    return {profile.preferred_name for profile in clients.open_profiles(session, settings, fictional).values()}


def _people(session: Session, settings: Any, context: DemoContext, made: list[tuple[Client, DemoPerson]]) -> str:
    """The people themselves, through clients.service: each with its own data key, audited `client.create`."""
    try:
        there = existing_names(session, settings, context.organisation.id)
    except KeyringError:
        # The key file was replaced (var/record-keys deleted in a checkout): the demo people already there cannot be
        # read, and making 40 more would only hide that. `make run` must still start.
        return (
            "Demo people: not created — the fictional people already there were sealed under a key that is no longer"
            " in the keyring; run `carebridge demo remove` and load again."
        )
    now = clock.utc_now()
    for person in PEOPLE:
        if person.name in there:
            continue
        # Created by the team's writer (a cultural mediator cannot write; a peer supporter only their own).
        creator = L if person.team == HARBOURSIDE else O
        client = clients.create_client(
            session,
            settings,
            context.actors[creator],
            _profile(person),
            team_id=context.teams[person.team].id,
            owner_account_id=context.accounts[person.owner].id,
            fictional=True,
        )
        if person.last_contact_days is not None:
            client.last_contact_at = now - dt.timedelta(days=person.last_contact_days, hours=len(made) % 9)
        client.needs_attention = person.needs_attention
        if person.closed_days is not None:
            client.status = "closed"
            client.closed_at = now - dt.timedelta(days=person.closed_days)
            client.erase_after = client.closed_at + dt.timedelta(days=settings.client_retention_days)
        made.append((client, person))
    session.flush()
    if not made:
        return f"Demo people: all {len(PEOPLE)} already there."
    return f"Demo people: {len(made)} FICTIONAL people created in {accounts_demo.ORGANISATION!r}."


def _writer(context: DemoContext, person: DemoPerson) -> Actor:
    """Who writes a demo person's details: the team's writer, as for the person (see _people)."""
    return context.actors[L if person.team == HARBOURSIDE else O]


# The organisation the demo people can be reached through, and what they say about safe times (in their words).
DROP_IN = "Fairhaven Community Kitchen (demo)"
SAFE_TIMES = (
    "Weekday mornings, before 11.",
    "Not at weekends: my husband is home.",
    "Any time; text first, please.",
    "After 6 in the evening.",
    "Only Tuesdays and Thursdays, at the drop-in.",
)
NOTES = (
    ("normal", "First meeting at the drop-in. Wants help registering with a GP."),
    ("normal", "Went together to the pharmacy; the prescription is sorted."),
    ("normal", "Asked about English classes near the harbour; gave the college leaflet."),
    ("normal", "Housing letter explained with the interpreter; a reply is due in two weeks."),
    ("sensitive", "Spoke about the journey and does not sleep well; offered the talking-therapy referral."),
    ("sensitive", "Worried about a relative still abroad; agreed to talk again next week."),
)


def _channels(session: Session, settings: Any, context: DemoContext, made: list[tuple[Client, DemoPerson]]) -> str | None:
    """A phone for most people (fictional numbers of the 07700 900xxx range, kept for drama), an e-mail for some, the
    drop-in for a few, each with safe times; do-not-contact set through the contact service for those who asked."""
    from carebridge.clients import contact

    added = 0
    for number, (client, person) in enumerate(made):
        if client.status != "open":
            continue
        actor = _writer(context, person)
        # Text messages for those who get reminders (reminders go by SMS or e-mail only), calls for the others.
        kind = "sms" if number % 2 == 0 else "phone"
        wanted = [contact.ChannelInput(kind, f"07700 900{100 + number:03d}", safe_times=SAFE_TIMES[number % 5])]
        if number % 3 == 0:
            wanted.append(contact.ChannelInput("email", f"demo.person{number}@example.org"))
        if number % 4 == 1:
            wanted.append(contact.ChannelInput("organisation", organisation=DROP_IN,
                                               ask_for="Ask the volunteer coordinator.", safe_times=SAFE_TIMES[4]))
        for data in wanted:
            contact.add_channel(session, settings, actor, client.id, data)
            added += 1
        if person.do_not_contact:
            contact.set_do_not_contact(session, actor, client.id, True)
    session.flush()
    return f"Demo contact details: {added} channels added." if added else None


def _notes(session: Session, settings: Any, context: DemoContext, made: list[tuple[Client, DemoPerson]]) -> str | None:
    """Two or three case notes per open record, one in three with a sensitive one."""
    from carebridge.clients import notes

    added = 0
    for number, (client, person) in enumerate(made):
        if client.status != "open":
            continue
        chosen = [NOTES[number % 4], NOTES[(number + 1) % 4]]
        if number % 3 == 0:
            chosen.append(NOTES[4 + number % 2])
        for sensitivity, body in chosen:
            notes.add_note(session, settings, _writer(context, person), client.id, body, sensitivity)
            added += 1
    session.flush()
    return f"Demo notes: {added} notes added." if added else None


def _consents(session: Session, settings: Any, context: DemoContext, made: list[tuple[Client, DemoPerson]]) -> str | None:
    """Consent to case work for every open record (through the interpreter where one is needed), statistics for
    most, reminders by text message for those who may be contacted."""
    from carebridge.clients.models import ContactChannel
    from carebridge.consent import explanations
    from carebridge.consent import service as consent

    given = 0
    for number, (client, person) in enumerate(made):
        if client.status != "open":
            continue
        actor = _writer(context, person)
        if person.interpreter is not None:
            how = {"method": consent.INTERPRETER, "interpreter_language": person.interpreter[0]}
        else:
            how = {"method": consent.SPOKEN if number % 2 else consent.WRITTEN}
        common = {"explanation_version": explanations.CURRENT, "explanation_language": "en", **how}
        consent.record_consent(session, actor, client.id, consent.CASE_WORK, **common)
        given += 1
        if number % 5 != 4:
            consent.record_consent(session, actor, client.id, consent.STATISTICS, **common)
            given += 1
        if not person.do_not_contact and number % 2 == 0:
            sms = session.scalar(
                select(ContactChannel.id).where(ContactChannel.client_id == client.id, ContactChannel.kind == "sms")
            )
            if sms is not None:
                # Reminders by text, and being contacted by text when the caseworker needs them.
                for purpose in (consent.REMINDERS, consent.CONTACT):
                    consent.record_consent(session, actor, client.id, purpose, channel_id=sms, **common)
                    given += 1
    session.flush()
    return f"Demo consents: {given} recorded." if given else None


# The parts of the demo, in order; each works on the people just made (`made`), so loading again adds nothing.
PARTS: list[Part] = [_people, _channels, _notes, _consents]


def load_demo_people(session: Session, settings: Any) -> str:
    """Create the demo people that are missing (after accounts.demo.load_demo_accounts); say what was done."""
    context = _context(session)
    if context is None:
        return "Demo people: not created (the demo organisation and its active staff accounts are missing)."
    made: list[tuple[Client, DemoPerson]] = []
    said = [part(session, settings, context, made) for part in PARTS]
    return "\n".join(line for line in said if line)


def remove_demo_people(session: Session) -> int:
    """Erase every fictional person: destroy their data key (nothing of them can be read again, backups
    included once the key-encryption keys of those backups are retired), then delete their rows. Audited
    `client.demo-remove` (ids only). How many."""
    ids = list(session.scalars(select(Client.id).where(Client.fictional.is_(True))).all())
    for client_id in ids:
        keys.destroy_data_key(session, clients.SUBJECT, client_id)
        audit.record(session, "client.demo-remove", record_type=clients.RECORD_TYPE, record_id=client_id)
    if ids:
        session.execute(delete(Client).where(Client.id.in_(ids)))
    session.flush()
    return len(ids)
