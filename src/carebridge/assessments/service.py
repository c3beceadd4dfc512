"""Needs assessments: create one (the category from the rules kept as data), read them, override the category with a
reason, and see how each domain has moved between assessments.

    assessment = create_assessment(session, settings, actor, client, {
        "domains": {"housing": {"score": 4, "words": "...", "strengths": "..."}, ...},
        "what_matters": "...",
    })
    views = list_assessments(session, settings, actor, client)        # oldest first, audited assessment.read
    override_assessment(session, settings, actor, assessment.id, "critical", "Eviction notice came today.")

The answers and the basis of the category (which rule, its explanation, the scores it used) are sealed with the
person's data key; the category, the rules' version and who/when stay in clear. Each read and write is audited
(`assessment.create`, `assessment.read`, `assessment.override`) with the record's id only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from carebridge.accounts.access import Actor
from carebridge.accounts.models import StaffAccount
from carebridge.assessments import rules as category_rules
from carebridge.assessments.models import Assessment
from carebridge.assessments.rules import CATEGORIES, DOMAINS, SCORES
from carebridge.audit import service as audit
from carebridge.clients import service as clients
from carebridge.clients.models import Client
from carebridge.config import Settings
from carebridge.db import new_id
from carebridge.errors import N_, CarebridgeError, FieldError, InvalidInput, NotFound
from carebridge.keys import service as keys
from carebridge.kit import clock
from carebridge.kit.text import clean_text

TABLE = "assessment"
TEXT_MAXIMUM = 2_000
REASON_MAXIMUM = 2_000

# Better, worse, same, not discussed (a lower score is better: 1 managing well ... 4 in crisis).
BETTER, WORSE, SAME, NOT_DISCUSSED = "better", "worse", "same", "not-discussed"


@dataclass(frozen=True)
class AssessmentView:
    id: str
    client_id: str
    assessed_at: dt.datetime
    assessed_by: str | None  # the staff member's name (None: a former member of staff)
    category: str  # in force: the override if any, else what the rules said
    rules_category: str
    rules_version: str
    answers: dict[str, Any]  # {"domains": {domain: {"score", "words", "strengths"}}, "what_matters"}
    basis: dict[str, Any]  # {"rule", "explanation": {lang: text}, "meaning": {lang: text}, "used": {domain: score}}
    override_category: str | None
    override_reason: str | None
    overridden_by: str | None
    overridden_at: dt.datetime | None

    def scores(self) -> dict[str, int | None]:
        return {domain: self.answers["domains"].get(domain, {}).get("score") for domain in DOMAINS}


class RulesUnavailable(CarebridgeError):
    """The category rules file in force does not load: no assessment is made with other rules than the service's.
    The file's problems (with their lines) are in the log and in `carebridge assessments check-rules`."""

    status_code = 503
    title = N_("The assessment rules could not be loaded")
    type_slug = "assessment-rules-unavailable"


def rules_in_force(settings: Settings) -> category_rules.Rules:
    try:
        return category_rules.load_rules(settings)
    except category_rules.RulesError as error:
        import logging

        logging.getLogger(__name__).error("assessment rules refused: %s", error)
        raise RulesUnavailable(N_("Tell your service manager: the assessment rules file has a problem.")) from None


# ---------------------------------------------------------------------------------------------------------------
# Checking the answers


def check_answers(answers: Any) -> dict[str, Any]:
    """The answers as they are kept: every domain present (score 1-4 or None, the person's words, strengths),
    texts cleaned; InvalidInput naming each field (`<domain>-score`, `<domain>-words`, `<domain>-strengths`,
    `what_matters`) otherwise. At least one domain must be scored."""
    errors: list[FieldError] = []
    if not isinstance(answers, dict):
        raise InvalidInput(errors=[FieldError("answers", N_("Give the answers of the assessment."))])
    given = answers.get("domains") or {}
    if not isinstance(given, dict):
        given = {}
    for name in given:
        if name not in DOMAINS:
            errors.append(FieldError("domains", N_("There is no such domain."), allowed=list(DOMAINS)))
            break
    domains: dict[str, dict[str, Any]] = {}
    for domain in DOMAINS:
        raw = given.get(domain) or {}
        if not isinstance(raw, dict):
            raw = {}
        score = raw.get("score")
        if score in ("", None):
            score = None
        elif isinstance(score, str) and score.strip().isdigit():
            score = int(score.strip())
        if score is not None and (isinstance(score, bool) or score not in SCORES):
            errors.append(FieldError(f"{domain}-score", N_("Choose a score from 1 to 4, or “not discussed”."),
                                     allowed=[str(item) for item in SCORES]))
            score = None
        texts = {}
        for part in ("words", "strengths"):
            value = raw.get(part)
            try:
                texts[part] = clean_text(value if isinstance(value, str) else None, f"{domain}-{part}", maximum=TEXT_MAXIMUM) or ""
            except InvalidInput as problem:
                errors.extend(problem.errors)
                texts[part] = ""
        domains[domain] = {"score": score, "words": texts["words"], "strengths": texts["strengths"]}
    what_matters_raw = answers.get("what_matters")
    try:
        what_matters = clean_text(what_matters_raw if isinstance(what_matters_raw, str) else None, "what_matters",
                                  maximum=TEXT_MAXIMUM) or ""
    except InvalidInput as problem:
        errors.extend(problem.errors)
        what_matters = ""
    if not errors and all(item["score"] is None for item in domains.values()):
        errors.append(FieldError(f"{DOMAINS[0]}-score", N_("Score at least one domain: the category needs one.")))
    if errors:
        raise InvalidInput(errors=errors)
    return {"domains": domains, "what_matters": what_matters}


# ---------------------------------------------------------------------------------------------------------------
# Writing


def create_assessment(
    session: Session,
    settings: Settings,
    actor: Actor,
    client: Client | str,
    answers: dict,
    *,
    assessed_at: dt.datetime | None = None,
    request_id: str | None = None,
) -> Assessment:
    """A new assessment of `client` (person.write in scope): the answers checked and sealed, the category from the
    rules in force with what led to it; audited `assessment.create`."""
    clients.check(actor, "person.write")
    client = clients.find_client(session, actor, client if isinstance(client, str) else client.id, "person.write")
    kept = check_answers(answers)
    rules = rules_in_force(settings)
    scores = {domain: kept["domains"][domain]["score"] for domain in DOMAINS}
    match = rules.categorise(scores)
    assessment = Assessment(
        id=new_id(),
        client_id=client.id,
        organisation_id=client.organisation_id,
        assessed_by=actor.account_id,
        assessed_at=assessed_at or clock.utc_now(),
        category=match.category,
        rules_version=rules.version,
        version=1,
    )
    key = keys.data_key(session, settings, clients.SUBJECT, client.id)
    assessment.answers = key.seal_json(TABLE, "answers", assessment.id, kept)
    assessment.basis = key.seal_json(
        TABLE,
        "basis",
        assessment.id,
        {
            "rule": match.rule.id,
            "explanation": match.rule.explanation,
            "meaning": rules.meanings.get(match.category, {}),
            "used": match.used,
        },
    )
    session.add(assessment)
    session.flush()
    audit.record(session, "assessment.create", actor=actor, record_type=clients.RECORD_TYPE, record_id=client.id,
                 request_id=request_id)
    return assessment


def override_assessment(
    session: Session,
    settings: Settings,
    actor: Actor,
    assessment_id: str,
    category: str | None,
    reason: str | None,
    *,
    request_id: str | None = None,
) -> Assessment:
    """Staff choose another category, with a reason (sealed); audited `assessment.override`. Overriding again
    replaces the category and reason in force; the audit trail keeps that it happened each time."""
    clients.check(actor, "person.write")
    assessment, client = _find(session, actor, assessment_id, "person.write")
    errors: list[FieldError] = []
    if category not in CATEGORIES:
        errors.append(FieldError("category", N_("Choose the category."), allowed=list(CATEGORIES)))
    try:
        text = clean_text(reason, "reason", maximum=REASON_MAXIMUM, empty=N_("Say why the category is different."))
    except InvalidInput as problem:
        errors.extend(problem.errors)
        text = None
    if errors:
        raise InvalidInput(errors=errors)
    key = keys.data_key(session, settings, clients.SUBJECT, client.id)
    assessment.category_override = category
    assessment.override_reason = key.seal_text(TABLE, "override_reason", assessment.id, text or "")
    assessment.overridden_by = actor.account_id
    assessment.overridden_at = clock.utc_now()
    assessment.version = (assessment.version or 1) + 1
    session.flush()
    audit.record(session, "assessment.override", actor=actor, record_type=clients.RECORD_TYPE, record_id=client.id,
                 request_id=request_id)
    return assessment


# ---------------------------------------------------------------------------------------------------------------
# Reading


def _find(session: Session, actor: Actor, assessment_id: str, permission: str) -> tuple[Assessment, Client]:
    assessment = session.get(Assessment, assessment_id) if isinstance(assessment_id, str) and len(assessment_id) <= 36 else None
    if assessment is None:
        raise NotFound(N_("We could not find that assessment."))
    try:
        client = clients.find_client(session, actor, assessment.client_id, permission)
    except NotFound:
        raise NotFound(N_("We could not find that assessment.")) from None
    return assessment, client


def _names(session: Session, rows: list[Assessment]) -> dict[str, str]:
    ids = {row.assessed_by for row in rows} | {row.overridden_by for row in rows}
    ids.discard(None)
    if not ids:
        return {}
    return dict(session.execute(select(StaffAccount.id, StaffAccount.name).where(StaffAccount.id.in_(ids))).all())


def _views(session: Session, settings: Settings, client: Client, rows: list[Assessment]) -> list[AssessmentView]:
    if not rows:
        return []
    key = keys.data_key(session, settings, clients.SUBJECT, client.id)
    names = _names(session, rows)
    views = []
    for row in rows:
        views.append(
            AssessmentView(
                id=row.id,
                client_id=row.client_id,
                assessed_at=row.assessed_at,
                assessed_by=names.get(row.assessed_by or ""),
                category=row.effective_category,
                rules_category=row.category,
                rules_version=row.rules_version,
                answers=key.open_json(TABLE, "answers", row.id, row.answers),
                basis=key.open_json(TABLE, "basis", row.id, row.basis),
                override_category=row.category_override,
                override_reason=key.open_text(TABLE, "override_reason", row.id, row.override_reason)
                if row.override_reason is not None else None,
                overridden_by=names.get(row.overridden_by or ""),
                overridden_at=row.overridden_at,
            )
        )
    return views


def assessments_of(session: Session, settings: Settings, client: Client) -> list[AssessmentView]:
    """A person's assessments, oldest first (the caller found `client` in scope and audits the read)."""
    rows = list(
        session.scalars(
            select(Assessment).where(Assessment.client_id == client.id).order_by(Assessment.assessed_at, Assessment.id)
        )
    )
    return _views(session, settings, client, rows)


def list_assessments(
    session: Session, settings: Settings, actor: Actor, client: Client, *, request_id: str | None = None
) -> list[AssessmentView]:
    """A person's assessments, oldest first (person.read in scope); audited `assessment.read` when there are any."""
    clients.check(actor, "person.read")
    client = clients.find_client(session, actor, client.id, "person.read")
    views = assessments_of(session, settings, client)
    if views:
        audit.record(session, "assessment.read", actor=actor, record_type=clients.RECORD_TYPE, record_id=client.id,
                     request_id=request_id)
    return views


def read_assessment(
    session: Session, settings: Settings, actor: Actor, assessment_id: str, *, request_id: str | None = None
) -> tuple[Client, AssessmentView]:
    """One assessment (person.read in scope of its person; 404 otherwise); audited `assessment.read`."""
    clients.check(actor, "person.read")
    assessment, client = _find(session, actor, assessment_id, "person.read")
    view = _views(session, settings, client, [assessment])[0]
    audit.record(session, "assessment.read", actor=actor, record_type=clients.RECORD_TYPE, record_id=client.id,
                 request_id=request_id)
    return client, view


# ---------------------------------------------------------------------------------------------------------------
# How each domain has moved


def change(before: int | None, after: int | None) -> str:
    """better / worse / same, or not-discussed when either was not discussed (lower scores are better)."""
    if before is None or after is None:
        return NOT_DISCUSSED
    if after < before:
        return BETTER
    if after > before:
        return WORSE
    return SAME


@dataclass(frozen=True)
class DomainMovement:
    domain: str
    # One cell per assessment, oldest first: (score or None, change since the assessment before; None for the first).
    cells: list[tuple[int | None, str | None]]
    since_previous: str | None  # latest vs the one before (None with a single assessment)
    since_first: str | None  # latest vs the first


def movement(views: list[AssessmentView]) -> list[DomainMovement]:
    """Per domain: the score at each assessment (oldest first) and how it moved."""
    rows = []
    for domain in DOMAINS:
        scores = [view.scores()[domain] for view in views]
        cells = [(score, None if index == 0 else change(scores[index - 1], score)) for index, score in enumerate(scores)]
        rows.append(
            DomainMovement(
                domain,
                cells,
                change(scores[-2], scores[-1]) if len(scores) >= 2 else None,
                change(scores[0], scores[-1]) if len(scores) >= 2 else None,
            )
        )
    return rows
