"""Case-work rows written straight through the models, sealed in the formats the other domains read: the demo's
(outcomes.demo) and the tests' one place to write them.

The assessments, plans, screening and risk services own these rows in the running app (with their checks, audit
and risk workflow); when they are merged, each function here can become a call to its service — nothing else in the
demo needs to change. Values are sealed with the person's data key (associated data: table, column, row id).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from carebridge.assessments.models import Assessment
from carebridge.clients import service as clients
from carebridge.clients.models import Client
from carebridge.db import new_id
from carebridge.keys import service as keys
from carebridge.plans.models import Goal, Step
from carebridge.risk.models import RiskFlag
from carebridge.screening.models import Screening

DOMAINS = (
    "housing", "finances", "health", "education", "employment", "social-connections", "language", "legal", "safety",
)
# The lower bound of each band, by instrument (PHQ-9 and GAD-7 scoring; issue 10 §3).
BANDS = {
    "phq-9": ((20, "severe"), (15, "moderately-severe"), (10, "moderate"), (5, "mild"), (0, "minimal")),
    "gad-7": ((15, "severe"), (10, "moderate"), (5, "mild"), (0, "minimal")),
}
# The reason recorded when a row's category is not the rules' (see add_assessment).
OVERRIDE_REASON = "The worker's judgement after talking with the person."
ITEMS = {"phq-9": 9, "gad-7": 7, "pc-ptsd-5": 6, "rhs-15": 15}


def band(instrument: str, total: int) -> str:
    for floor, name in BANDS[instrument]:
        if total >= floor:
            return name
    return "minimal"


def spread(total: int, items: int, maximum: int = 3) -> dict[str, int]:
    """Item answers summing to `total` (as even as they can be), for a sealed QuestionnaireResponse."""
    answers = {}
    left = total
    for index in range(items):
        value = min(maximum, -(-left // (items - index))) if left > 0 else 0
        answers[f"item-{index + 1}"] = value
        left -= value
    return answers


def _key(session: Session, settings: Any, client: Client):  # noqa: ANN202
    return keys.data_key(session, settings, clients.SUBJECT, client.id)


def add_screening(
    session: Session,
    settings: Any,
    client: Client,
    *,
    instrument: str,
    total: int,
    completed_at: dt.datetime,
    administered_by: str | None = None,
    positive: bool | None = None,
    band_: str | None = None,
    items: dict[str, int] | None = None,
    risk: bool = False,
) -> Screening:
    row_id = new_id()
    if instrument in BANDS:
        band_ = band_ or band(instrument, total)
        positive = positive if positive is not None else total >= 10
    else:
        positive = bool(positive)
        band_ = band_ or ("positive" if positive else "negative")
    answers = items or (spread(total, ITEMS[instrument], 4 if instrument == "rhs-15" else 3) if instrument in BANDS else {})
    row = Screening(
        id=row_id,
        client_id=client.id,
        organisation_id=client.organisation_id,
        instrument=instrument,
        language="en",
        mode="staff",
        administered_by=administered_by,
        completed_at=completed_at,
        total=total,
        band=band_,
        positive=positive,
        risk=risk,
        answers=_key(session, settings, client).seal_json("screening", "answers", row_id, {"items": answers}),
    )
    session.add(row)
    return row


def add_assessment(
    session: Session,
    settings: Any,
    client: Client,
    *,
    category: str,
    assessed_at: dt.datetime,
    scores: dict[str, int | None],
    what_matters: str = "",
    assessed_by: str | None = None,
    rules_version: str | None = None,
    category_override: str | None = None,
) -> Assessment:
    """An assessment as assessments.service.create_assessment keeps it: the category and its sealed basis from the rules
    in force over `scores` (which rule, its explanation, the scores it used). When the rules give another category than
    `category` (the demo's story, or a test's figure), the row carries `category` as a worker's override with a
    recorded reason, as the assessment page would after "change the category" — so the category in force is always
    `category` (or `category_override` when given), and the page shows what the rules said."""
    from carebridge.assessments import rules as category_rules

    row_id = new_id()
    key = _key(session, settings, client)
    answers = {
        "domains": {domain: {"score": scores.get(domain), "words": "", "strengths": ""} for domain in DOMAINS},
        "what_matters": what_matters,
    }
    rules = category_rules.load_rules(settings)
    match = rules.categorise({domain: scores.get(domain) for domain in DOMAINS})
    wanted = category_override or category
    override = wanted if wanted != match.category else None
    row = Assessment(
        id=row_id,
        client_id=client.id,
        organisation_id=client.organisation_id,
        assessed_by=assessed_by,
        assessed_at=assessed_at,
        answers=key.seal_json("assessment", "answers", row_id, answers),
        category=match.category,
        rules_version=rules_version or rules.version,
        basis=key.seal_json(
            "assessment", "basis", row_id,
            {
                "rule": match.rule.id,
                "explanation": match.rule.explanation,
                "meaning": rules.meanings.get(match.category, {}),
                "used": match.used,
            },
        ),
        category_override=override,
        override_reason=key.seal_text("assessment", "override_reason", row_id, OVERRIDE_REASON) if override else None,
        overridden_by=assessed_by if override else None,
        overridden_at=assessed_at if override else None,
        version=1,
    )
    session.add(row)
    return row


def add_goal(
    session: Session,
    settings: Any,
    client: Client,
    *,
    domain: str,
    text: str,
    status: str,
    created_at: dt.datetime,
    created_by: str | None = None,
    review_on: dt.date | None = None,
    achieved_at: dt.datetime | None = None,
) -> Goal:
    row_id = new_id()
    row = Goal(
        id=row_id,
        client_id=client.id,
        organisation_id=client.organisation_id,
        domain=domain,
        text=_key(session, settings, client).seal_text("plan_goal", "text", row_id, text),
        services=None,
        status=status,
        review_on=review_on,
        created_by=created_by,
        created_at=created_at,
        updated_at=achieved_at or created_at,
        achieved_at=achieved_at,
    )
    session.add(row)
    return row


def add_step(
    session: Session,
    settings: Any,
    client: Client,
    goal: Goal,
    *,
    description: str,
    who: str,
    due_on: dt.date | None,
    status: str,
    created_at: dt.datetime,
    done_at: dt.datetime | None = None,
) -> Step:
    row_id = new_id()
    row = Step(
        id=row_id,
        goal_id=goal.id,
        client_id=client.id,
        description=_key(session, settings, client).seal_json("plan_step", "description", row_id, {"description": description, "organisation": None}),
        who=who,
        due_on=due_on,
        status=status,
        done_at=done_at,
        created_at=created_at,
    )
    session.add(row)
    return row


def add_flag(
    session: Session,
    settings: Any,
    client: Client,
    *,
    source: str,
    raised_at: dt.datetime,
    seen: str,
    done: str,
    raised_by: str | None = None,
    assigned_to: str | None = None,
    screening_id: str | None = None,
    closed_at: dt.datetime | None = None,
    closed_by: str | None = None,
    outcome: str | None = None,
    outcome_notes: str | None = None,
    due_hours: int = 24,
) -> RiskFlag:
    row_id = new_id()
    key = _key(session, settings, client)
    row = RiskFlag(
        id=row_id,
        client_id=client.id,
        organisation_id=client.organisation_id,
        source=source,
        screening_id=screening_id,
        details=key.seal_json("risk_flag", "details", row_id, {"seen": seen, "done": done, "notes": []}),
        raised_by=raised_by,
        raised_at=raised_at,
        due_at=raised_at + dt.timedelta(hours=due_hours),
        assigned_to=assigned_to,
        status="closed" if closed_at else "open",
        closed_by=closed_by,
        closed_at=closed_at,
        outcome=outcome,
        outcome_notes=key.seal_text("risk_flag", "outcome_notes", row_id, outcome_notes) if outcome_notes else None,
    )
    session.add(row)
    return row
