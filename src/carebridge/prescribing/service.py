"""Social prescribing (issue 11): finding community activities, the "what matters to you" conversation, turning what
the person wants to try into a goal of their action plan, ONS4 personal wellbeing at start and follow-up, and a
safeguarding concern raised from the record.

    found = prescribing.search_activities(session, need="arts-culture", language="ar", women_only=True)
    talk = prescribing.record_conversation(session, settings, actor, client_id, held_on=date(2026, 12, 1),
                                           what_matters="...", strengths="...", want_to_try="...")
    goal = prescribing.make_goal(session, settings, actor, talk.id, version=talk.version)
    prescribing.record_wellbeing(session, settings, actor, client_id, stage="start", taken_on=date(2026, 12, 1),
                                 answers={"life_satisfaction": 4, "worthwhile": 5, "happiness": 3, "anxiety": 7})
    view = prescribing.read_record(session, settings, actor, client_id)       # audited prescribing.read
    prescribing.raise_concern(session, settings, actor, client_id, seen="...", done="...")   # risk workflow

Reading needs person.read, writing person.write, a concern risk.raise, each in the actor's scope
(clients.find_client: a record outside it is NotFound, like a missing one). Services never commit. The person's
words are sealed with their data key (table, column and row id bound); the ONS4 numbers stay clear (see models).
Audited: prescribing.read, prescribing.find, prescribing.conversation.create, prescribing.goal.create (and plans'
own plan.goal.create), prescribing.wellbeing.create, and risk's risk.raise-safeguarding.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from carebridge.accounts.access import Actor
from carebridge.audit import service as audit
from carebridge.clients import service as clients
from carebridge.clients.models import Client
from carebridge.config import Settings
from carebridge.db import new_id
from carebridge.directory import search as directory_search
from carebridge.errors import N_, Conflict, FieldError, InvalidInput, NotFound
from carebridge.keys import service as keys
from carebridge.kit import clock
from carebridge.kit.text import clean_text
from carebridge.plans import service as plans
from carebridge.prescribing import ons4
from carebridge.prescribing.models import Conversation, Wellbeing
from carebridge.risk import service as risk

TEXT_MAXIMUM = 2_000
STAGES = ("start", "follow-up")
PAST_YEARS = 5
# The directory categories a link worker prescribes from (taxonomy.CATEGORY_TERMS: the community activities).
ACTIVITY_CATEGORIES = (
    "language-classes", "food", "social-support", "sport-exercise", "arts-culture", "faith-cultural-groups",
    "volunteering", "parent-groups", "befriending", "gardening-outdoors", "cooking-eating-together",
)
# The facts a search can require (directory search parameters of the same names).
FILTERS = ("low_cost", "childcare", "faith_sensitive", "transport_help", "women_only", "men_only")
GOAL_DOMAIN = "social-connections"
CONVERSATION_TABLE = Conversation.__tablename__

NO_CONVERSATION = N_("We could not find that conversation.")
GOAL_MADE = N_("A goal was already made from this conversation. Open the action plan to change it.")
STALE = N_("Someone else changed this conversation while you were looking at it. Check it now and try again.")
NOTHING_TO_TRY = N_("Write what the person wants to try first: that is what the goal says.")


# --- Finding activities -------------------------------------------------------------------------------------------


def search_activities(
    session: Session,
    *,
    need: str | None = None,
    language: str | None = None,
    near: str | None = None,
    page: int = 1,
    per_page: int = 10,
    index_holder: Any = None,
    **filters: bool,
) -> directory_search.SearchPage:
    """Community activities from the directory: of the category `need` (one of ACTIVITY_CATEGORIES; none: any of
    them), in `language` (spoken or interpreted), near a place, with the facts in `filters` (FILTERS, true to require).
    InvalidInput for a bad value (one FieldError per bad parameter, as the search API)."""
    unknown = [name for name in filters if name not in FILTERS]
    if unknown:
        raise TypeError(f"unknown filters {unknown}")
    if need is not None and need not in ACTIVITY_CATEGORIES:
        raise InvalidInput(errors=[FieldError("need", N_("Choose one of the kinds of activity listed."), allowed=list(ACTIVITY_CATEGORIES))])
    params: dict[str, Any] = {
        "category": [need] if need else list(ACTIVITY_CATEGORIES),
        "language": language or None,
        "near": near or None,
        "page": page,
        "per_page": per_page,
    }
    params.update({name: True for name, wanted in filters.items() if wanted})
    return directory_search.search_services(session, index_holder=index_holder, **params)


def record_search(session: Session, actor: Actor, client_id: str, *, request_id: str | None = None) -> Client:
    """The record a search is made for (person.read, scope), audited prescribing.find."""
    clients.check(actor, "person.read")
    client = clients.find_client(session, actor, client_id, "person.read")
    audit.record(session, "prescribing.find", actor=actor, record_type=clients.RECORD_TYPE, record_id=client.id,
                 request_id=request_id)
    return client


# --- The conversation ---------------------------------------------------------------------------------------------


def _text(value: str | None, name: str, errors: list[FieldError], *, empty: str | None = None) -> str:
    try:
        text = clean_text(value, name, maximum=TEXT_MAXIMUM, empty=empty) or ""
    except InvalidInput as problem:
        errors.extend(problem.errors)
        return ""
    if len(text) > TEXT_MAXIMUM:  # (clean_text checks too; kept in case its limit rule changes)
        errors.append(FieldError(name, N_("Write at most %(limit)s characters."), params={"limit": TEXT_MAXIMUM}))
    return text


def _check_day(value: dt.date | None, name: str, settings: Settings, errors: list[FieldError]) -> None:
    today = clock.today(settings.timezone)
    if value is None:
        errors.append(FieldError(name, N_("Enter the date, for example 2026-12-01.")))
    elif value > today:
        errors.append(FieldError(name, N_("The date cannot be in the future.")))
    elif value < today - dt.timedelta(days=365 * PAST_YEARS):
        errors.append(FieldError(name, N_("The date must be within the last %(years)s years."), params={"years": PAST_YEARS}))


def _writable(session: Session, actor: Actor, client_id: str) -> Client:
    clients.check(actor, "person.write")
    return clients.find_client(session, actor, client_id, "person.write")


def record_conversation(
    session: Session,
    settings: Settings,
    actor: Actor,
    client_id: str,
    *,
    held_on: dt.date | None,
    what_matters: str | None,
    strengths: str | None = None,
    want_to_try: str | None = None,
    request_id: str | None = None,
) -> Conversation:
    """A "what matters to you" conversation (person.write); what matters is required. Audited
    prescribing.conversation.create; the words are sealed."""
    client = _writable(session, actor, client_id)
    errors: list[FieldError] = []
    _check_day(held_on, "held_on", settings, errors)
    matters = _text(what_matters, "what_matters", errors, empty=N_("Write what matters to the person, in their words."))
    strong = _text(strengths, "strengths", errors)
    wants = _text(want_to_try, "want_to_try", errors)
    if errors:
        raise InvalidInput(errors=errors)
    conversation = Conversation(
        id=new_id(),
        client_id=client.id,
        organisation_id=client.organisation_id,
        held_on=held_on,
        created_by=actor.account_id,
        created_at=clock.utc_now(),
        version=1,
    )
    key = keys.data_key(session, settings, clients.SUBJECT, client.id)
    conversation.details = key.seal_json(CONVERSATION_TABLE, "details", conversation.id,
                                         {"what_matters": matters, "strengths": strong, "want_to_try": wants})
    session.add(conversation)
    session.flush()
    audit.record(session, "prescribing.conversation.create", actor=actor, record_type=clients.RECORD_TYPE,
                 record_id=client.id, request_id=request_id)
    return conversation




def find_conversation(session: Session, actor: Actor, conversation_id: str, permission: str = "person.read") -> tuple[Conversation, Client]:
    """A conversation of a record in the actor's scope for `permission`; NotFound otherwise (and for an over-long id)."""
    if not conversation_id or len(conversation_id) > 64:
        raise NotFound(NO_CONVERSATION)
    found = session.execute(
        select(Conversation, Client)
        .join(Client, Client.id == Conversation.client_id)
        .where(Conversation.id == conversation_id, clients.scope(actor, permission))
    ).first()
    if found is None:
        raise NotFound(NO_CONVERSATION)
    return found[0], found[1]


def make_goal(
    session: Session,
    settings: Settings,
    actor: Actor,
    conversation_id: str,
    *,
    version: int,
    domain: str = GOAL_DOMAIN,
    request_id: str | None = None,
) -> Any:
    """Turn what the person wants to try into an open goal of their action plan (plans.create_goal, in their words),
    once per conversation: Conflict when a goal was made already or the conversation changed since `version`."""
    clients.check(actor, "person.write")
    conversation, client = find_conversation(session, actor, conversation_id, "person.write")
    if conversation.goal_id is not None:
        raise Conflict(GOAL_MADE)
    if conversation.version != version:
        raise Conflict(STALE)
    key = keys.data_key(session, settings, clients.SUBJECT, client.id)
    words = key.open_json(CONVERSATION_TABLE, "details", conversation.id, conversation.details).get("want_to_try") or ""
    if not words.strip():
        raise InvalidInput(errors=[FieldError("want_to_try", NOTHING_TO_TRY)])
    goal = plans.create_goal(session, settings, actor, client, domain=domain, text=words[: plans.TEXT_MAXIMUM],
                             request_id=request_id)
    # Compare-and-set on the version: of two workers making a goal at once, one wins, the other gets Conflict.
    changed = session.execute(
        update(Conversation)
        .where(Conversation.id == conversation.id, Conversation.version == version, Conversation.goal_id.is_(None))
        .values(goal_id=goal.id, version=version + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        raise Conflict(STALE)
    session.refresh(conversation)
    audit.record(session, "prescribing.goal.create", actor=actor, record_type=clients.RECORD_TYPE, record_id=client.id,
                 request_id=request_id)
    return goal


# --- ONS4 wellbeing -----------------------------------------------------------------------------------------------


def _score(value: Any, name: str, errors: list[FieldError]) -> int | None:
    text = str(value).strip() if value is not None else ""
    if isinstance(value, bool) or not (isinstance(value, int) or (text.isascii() and text.isdigit() and len(text) <= 2)):
        errors.append(FieldError(name, N_("Choose a number from 0 to 10."), allowed=[str(n) for n in range(11)]))
        return None
    number = int(value) if isinstance(value, int) else int(text)
    if not ons4.LOWEST <= number <= ons4.HIGHEST:
        errors.append(FieldError(name, N_("Choose a number from 0 to 10."), allowed=[str(n) for n in range(11)]))
        return None
    return number


def record_wellbeing(
    session: Session,
    settings: Settings,
    actor: Actor,
    client_id: str,
    *,
    stage: str,
    taken_on: dt.date | None,
    answers: dict[str, Any],
    request_id: str | None = None,
) -> Wellbeing:
    """The person's four ONS4 answers (0-10 each) at the start or at a follow-up (person.write). Audited
    prescribing.wellbeing.create."""
    client = _writable(session, actor, client_id)
    errors: list[FieldError] = []
    if stage not in STAGES:
        errors.append(FieldError("stage", N_("Choose start or follow-up."), allowed=list(STAGES)))
    _check_day(taken_on, "taken_on", settings, errors)
    scores = {question: _score(answers.get(question), question, errors) for question in ons4.QUESTIONS}
    if errors:
        raise InvalidInput(errors=errors)
    row = Wellbeing(
        client_id=client.id,
        organisation_id=client.organisation_id,
        stage=stage,
        taken_on=taken_on,
        created_by=actor.account_id,
        created_at=clock.utc_now(),
        **scores,
    )
    session.add(row)
    session.flush()
    audit.record(session, "prescribing.wellbeing.create", actor=actor, record_type=clients.RECORD_TYPE,
                 record_id=client.id, request_id=request_id)
    return row


# --- Reading the record -------------------------------------------------------------------------------------------


@dataclass
class ConversationView:
    id: str
    held_on: dt.date
    what_matters: str
    strengths: str
    want_to_try: str
    goal_id: str | None
    version: int
    created_at: dt.datetime


@dataclass
class WellbeingView:
    id: str
    stage: str
    taken_on: dt.date
    scores: dict[str, int]
    bands: dict[str, str]


@dataclass
class PrescribingView:
    client_id: str
    conversations: list[ConversationView] = field(default_factory=list)
    wellbeing: list[WellbeingView] = field(default_factory=list)
    # Change per question from the first start measure to the latest follow-up after it; empty without both.
    changes: list[ons4.Change] = field(default_factory=list)


def wellbeing_view(row: Wellbeing) -> WellbeingView:
    scores = {question: int(getattr(row, question)) for question in ons4.QUESTIONS}
    return WellbeingView(row.id, row.stage, row.taken_on, scores,
                         {question: ons4.band(question, score) for question, score in scores.items()})


def record_of(session: Session, settings: Settings, client: Client) -> PrescribingView:
    """The person's social-prescribing record, opened (the caller checked access and audits)."""
    key = keys.data_key(session, settings, clients.SUBJECT, client.id)
    talks = session.scalars(
        select(Conversation).where(Conversation.client_id == client.id)
        .order_by(Conversation.held_on.desc(), Conversation.created_at.desc(), Conversation.id)
    ).all()
    conversations = []
    for talk in talks:
        details = key.open_json(CONVERSATION_TABLE, "details", talk.id, talk.details)
        conversations.append(ConversationView(
            talk.id, talk.held_on, details.get("what_matters", ""), details.get("strengths", ""),
            details.get("want_to_try", ""), talk.goal_id, talk.version, talk.created_at,
        ))
    rows = session.scalars(
        select(Wellbeing).where(Wellbeing.client_id == client.id)
        .order_by(Wellbeing.taken_on, Wellbeing.created_at, Wellbeing.id)
    ).all()
    views = [wellbeing_view(row) for row in rows]
    start = next((view for view in views if view.stage == "start"), None)
    follow = None
    if start is not None:
        later = [view for view in views if view.stage == "follow-up" and view.taken_on >= start.taken_on]
        follow = later[-1] if later else None
    found = ons4.changes(start.scores, follow.scores) if start and follow else []
    return PrescribingView(client.id, conversations, views, found)


def read_record(session: Session, settings: Settings, actor: Actor, client_id: str, *, request_id: str | None = None) -> PrescribingView:
    """The record for a reader (person.read, scope); audited prescribing.read."""
    clients.check(actor, "person.read")
    client = clients.find_client(session, actor, client_id, "person.read")
    view = record_of(session, settings, client)
    audit.record(session, "prescribing.read", actor=actor, record_type=clients.RECORD_TYPE, record_id=client.id,
                 request_id=request_id)
    return view


# --- Safeguarding -------------------------------------------------------------------------------------------------


def raise_concern(
    session: Session, settings: Settings, actor: Actor, client_id: str, *, seen: str | None, done: str | None = None,
    request_id: str | None = None,
) -> Any:
    """A safeguarding concern from the social-prescribing record: a risk flag of source "safeguarding" through
    risk.service.raise_by_worker (risk.raise, scope), so it follows the risk workflow (the clinician on duty,
    escalation)."""
    return risk.raise_by_worker(session, settings, actor, client_id, source="safeguarding", seen=seen, done=done,
                                request_id=request_id)
