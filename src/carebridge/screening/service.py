"""Recording and reading screenings (issue 10 §3).

    screening = record_screening(session, settings, client=client, instrument="phq-9", answers={...}, language="en",
                                 mode="staff", actor=actor)         # scored, sealed, audited; item 9 > 0 raises a flag
    rows = list_screenings(session, settings, actor, client)        # newest first; audited screening.read
    row = get_screening(session, settings, actor, screening_id)     # scoped like the person's record
    answers = open_answers(session, settings, actor, row)           # {"items": {linkId: value}, "difficulty": ...}

The answers are sealed with the person's data key (associated data: table, column, row id); the total, band,
positive and risk stay in clear for the outcomes page (models.py says why). Nothing here commits: the request (or
job) owns the transaction, and the risk flag an item-9 answer raises is written in the same one.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from carebridge.accounts.access import Actor
from carebridge.audit import service as audit
from carebridge.clients import service as clients
from carebridge.clients.models import Client
from carebridge.config import Settings
from carebridge.db import new_id
from carebridge.errors import N_, FieldError, InvalidInput, NotFound
from carebridge.keys import service as keys
from carebridge.kit import clock
from carebridge.screening import instruments, scoring
from carebridge.screening.models import Screening, ScreeningLink

STAFF = "staff"
SELF = "self"
MODES = (STAFF, SELF)
# The language recorded when an interpreter read the English wording to the person (no validated translation).
INTERPRETER = "interpreter"
TABLE = Screening.__tablename__
ADMINISTER = "screening.administer"
READ = "screening.read"

MESSAGES = {
    "missing": N_("Choose an answer to this question."),
    "impossible": N_("Choose one of the answers given."),
    "unexpected": N_("This question is not part of the questionnaire."),
}


class InvalidAnswers(InvalidInput, ValueError):
    """Answers that cannot be scored: a 422 with one field error per item (`answers.<linkId>`), and a ValueError
    whose `link_id` names the first item (the pages show it next to the question)."""

    def __init__(self, problem: scoring.AnswerError):
        self.link_id = problem.link_id
        self.reason = problem.reason
        allowed = [str(value) for value in problem.allowed] or None
        super().__init__(errors=[FieldError(f"answers.{problem.link_id}", MESSAGES[problem.reason],
                                            pointer=f"/answers/{problem.link_id}", allowed=allowed)])


def _language(instrument: str, language: Any, settings: Settings) -> str:
    offered = instruments.languages(instrument, settings)
    if isinstance(language, str) and (language in offered or (language == INTERPRETER and offered)):
        return language
    raise InvalidInput(errors=[FieldError(
        "language", N_("Choose a language this questionnaire has a validated translation in, or an interpreter."),
        allowed=[*offered, INTERPRETER] if offered else [],
    )])


def _instrument(instrument: Any, settings: Settings) -> str:
    if instrument in instruments.INSTRUMENTS and not instruments.unavailable_reason(instrument, settings):
        return instrument
    raise InvalidInput(errors=[FieldError(
        "instrument", N_("Choose one of the questionnaires offered."),
        allowed=[code for code in instruments.INSTRUMENTS if not instruments.unavailable_reason(code, settings)],
    )])


def sealed_answers(answers: dict[str, Any]) -> dict[str, Any]:
    """What is sealed: the scored items and, apart, PHQ-9's optional difficulty question."""
    items = {link_id: value for link_id, value in answers.items() if link_id != scoring.DIFFICULTY and value is not None}
    return {"items": items, "difficulty": answers.get(scoring.DIFFICULTY)}


def record_screening(
    session: Session,
    settings: Settings,
    *,
    client: Client,
    instrument: str,
    answers: dict[str, int],
    language: str,
    mode: str,
    actor: Actor | None = None,
    link: ScreeningLink | None = None,
) -> Screening:
    """Score `answers`, store them sealed with the score in clear, audit `screening.record`, and when the score says
    so (PHQ-9 item 9 above 0) raise a risk flag in the same transaction.

    mode "staff": `actor` administers it with the person and needs screening.administer over the record (else
    Forbidden / NotFound). mode "self": the person on a one-use `link` the caller has already checked (valid, not
    used, not expired); the link is marked used and points at the screening. InvalidInput for an unknown or
    unavailable instrument or a language without a validated wording; InvalidAnswers (an InvalidInput and a
    ValueError) for a missing or impossible answer."""
    if mode == STAFF:
        clients.check(actor, ADMINISTER)
        client = clients.find_client(session, actor, client.id, ADMINISTER)
    elif mode == SELF:
        if link is None or link.client_id != client.id or link.instrument != instrument:
            raise ValueError("a self-screening is recorded with the link it was made on, for its person and instrument")
    else:
        raise ValueError(f"mode must be one of {MODES}")
    instrument = _instrument(instrument, settings)
    language = _language(instrument, language, settings)
    if not isinstance(answers, dict):
        raise InvalidInput(errors=[FieldError("answers", N_("Answer the questions."))])
    try:
        result = instruments.score(instrument, answers, settings)
    except scoring.AnswerError as problem:
        raise InvalidAnswers(problem) from None
    key = keys.data_key(session, settings, clients.SUBJECT, client.id)
    screening = Screening(
        id=new_id(),
        client_id=client.id,
        organisation_id=client.organisation_id,
        instrument=instrument,
        language=language,
        mode=mode,
        administered_by=actor.account_id if (actor is not None and mode == STAFF) else None,
        completed_at=clock.utc_now(),
        total=result.total,
        band=result.band,
        positive=result.positive,
        risk=result.risk,
    )
    screening.answers = key.seal_json(TABLE, "answers", screening.id, sealed_answers(answers))
    session.add(screening)
    session.flush()
    if link is not None and mode == SELF:
        link.screening_id = screening.id
        if link.used_at is None:
            link.used_at = screening.completed_at
    audit.record(
        session,
        "screening.record",
        actor=actor if mode == STAFF else None,
        organisation_id=client.organisation_id,
        record_type=clients.RECORD_TYPE,
        record_id=client.id,
    )
    if result.risk:
        from carebridge.risk import service as risk

        risk.raise_flag(session, settings, client=client, source="screening",
                        actor=actor if mode == STAFF else None, screening_id=screening.id)
    return screening


def list_screenings(
    session: Session,
    settings: Settings,
    actor: Actor,
    client: Client,
    instrument: str | None = None,
    *,
    request_id: str | None = None,
) -> list[Screening]:
    """A person's screenings, newest first (one instrument's when given); screening.read over the record; audited
    `screening.read` once for the list. Nothing is unsealed."""
    clients.check(actor, READ)
    client = clients.find_client(session, actor, client.id, READ)
    query = select(Screening).where(Screening.client_id == client.id)
    if instrument is not None:
        query = query.where(Screening.instrument == instrument)
    rows = list(session.scalars(query.order_by(Screening.completed_at.desc(), Screening.id.desc())))
    audit.record(session, "screening.read", actor=actor, record_type=clients.RECORD_TYPE, record_id=client.id,
                 request_id=request_id)
    return rows


def get_screening(
    session: Session, settings: Settings, actor: Actor, screening_id: str, *, request_id: str | None = None
) -> Screening:
    """One screening, if its person's record is in the actor's screening.read scope (NotFound otherwise, the same as
    a missing one); audited `screening.read`."""
    clients.check(actor, READ)
    screening = session.get(Screening, screening_id) if isinstance(screening_id, str) and len(screening_id) <= 36 else None
    if screening is None:
        raise NotFound(N_("We could not find that screening."))
    try:
        client = clients.find_client(session, actor, screening.client_id, READ)
    except NotFound:
        raise NotFound(N_("We could not find that screening.")) from None
    audit.record(session, "screening.read", actor=actor, record_type=clients.RECORD_TYPE, record_id=client.id,
                 request_id=request_id)
    return screening


def client_of(session: Session, actor: Actor, screening: Screening, permission: str = READ) -> Client:
    """The person a screening belongs to, in the actor's scope (NotFound otherwise)."""
    return clients.find_client(session, actor, screening.client_id, permission)


def open_answers(session: Session, settings: Settings, actor: Actor, screening: Screening) -> dict[str, Any]:
    """The sealed answers of a screening the actor has read (get_screening / list_screenings audited the read):
    {"items": {linkId: value}, "difficulty": value or None}. Checks screening.read and scope again."""
    clients.check(actor, READ)
    client = client_of(session, actor, screening)
    key = keys.data_key(session, settings, clients.SUBJECT, client.id)
    data = key.open_json(TABLE, "answers", screening.id, screening.answers)
    return {"items": dict(data.get("items", {})), "difficulty": data.get("difficulty")}
