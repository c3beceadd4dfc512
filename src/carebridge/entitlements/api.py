"""The entitlements JSON API: evaluate a person's entitlements, ask the next useful question, list the rules.

Unknown jurisdictions, statuses, facts and languages get a 422 problem document (RFC 9457, via carebridge.errors)
that lists the allowed values. Texts come back in the requested language (gettext `entitlements` domain); rule
texts whose translation is missing stay in English rather than being guessed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import orjson
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from carebridge.access import PublicAccess
from carebridge import i18n
from carebridge.entitlements import presentation, schemas, service
from carebridge.entitlements.rulebook import Rule
from carebridge.entitlements.vocabulary import OUTCOME_LABELS
from carebridge.errors import N_, FieldError, InvalidInput
from carebridge.problems import problem_responses
from carebridge.kit import clock

router = APIRouter(tags=["entitlements"], dependencies=[PublicAccess])

PROBLEMS = problem_responses(
    422, s422="Unknown jurisdiction, status, fact or language, or a malformed value (a problem document listing "
    "the allowed values).",
)
DATE_SHAPE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _rules_parameters() -> list[dict[str, Any]]:
    return [
        {"name": "jurisdiction", "in": "query", "required": True, "description": "ISO 3166 code, e.g. GB-ENG.",
         "schema": {"type": "string", "enum": sorted(service.get_rulebooks())}},
        {"name": "on_date", "in": "query", "required": False, "description": "Mark which rules are in force on "
         "this date (YYYY-MM-DD).", "schema": {"type": "string", "format": "date"}},
        {"name": "language", "in": "query", "required": False, "description": "Language of the texts (default: "
         "negotiated).", "schema": {"type": "string", "enum": list(i18n.LANGUAGES)}},
    ]


def _language(request: Request, requested: str | None) -> str:
    if requested is None:
        return i18n.negotiate_language(request)
    language = i18n.language_or_none(requested)
    if language is None:
        raise InvalidInput(
            N_("We do not have texts in that language."),
            errors=[FieldError("language", N_("unknown language"), pointer="/language", allowed=list(i18n.LANGUAGES))],
        )
    return language


def _json(data: Any) -> Response:
    return Response(orjson.dumps(data), media_type="application/json", headers={"Cache-Control": "no-store"})


@router.post(
    "/api/v1/entitlements/evaluate",
    summary="What care can this person get?",
    description="For every service category: the outcome, cost, whether payment can be asked upfront, conditions, "
    "documents, steps, sources, confidence, the date the rule was last reviewed, and an explanation trace. "
    "Unanswered facts are never guessed: a category they could change comes back as unknown with its possible "
    "outcomes and the facts that would settle it. The exception is the disclosure facts (trafficking, torture or "
    "violence), which nobody has to reveal: unanswered, they are assumed false (the law's base case), and each "
    "result lists the assumptions it rests on and what a true answer would change (better_if).",
    response_model=None,
    responses={200: {"model": schemas.EvaluateResponse}, **PROBLEMS},
)
async def evaluate_entitlements(body: schemas.EvaluateRequest, request: Request) -> Response:
    language = _language(request, body.language)
    translate = i18n.get_translations(language).gettext
    on_date = body.on_date or clock.today()
    evaluation = service.evaluate(body.jurisdiction, body.person, on_date, translate=translate)
    rulebook = service.get_rulebook(body.jurisdiction)
    return _json({
        "jurisdiction": evaluation.jurisdiction,
        "jurisdiction_name": translate(rulebook.name),
        "on_date": on_date.isoformat(),
        "language": language,
        "rules_last_reviewed": evaluation.rules_last_reviewed.isoformat(),
        "notice": translate(schemas.NOTICE),
        "results": [_result(result, translate, body.include_trace, language) for result in evaluation.results],
    })


def _result(
    result: service.CategoryResult, translate: Callable[[str], str], include_trace: bool, language: str
) -> dict[str, Any]:
    data = {
        "service_category": result.service_category,
        "label": service.category_label(result.service_category, translate),
        "outcome": result.outcome,
        "outcome_label": translate(OUTCOME_LABELS[result.outcome]),
        "determined": result.determined,
        "upfront_payment": result.upfront_payment,
        "cost": result.cost,
        "conditions": result.conditions,
        "documents": result.documents,
        "steps": result.steps,
        "safe_to_go": result.safe_to_go,
        "explanation": result.explanation,
        "ask": result.ask,
        "sources": result.sources,
        "confidence": result.confidence,
        "last_reviewed": result.last_reviewed.isoformat() if result.last_reviewed else None,
        "reviewer": result.reviewer,
        "review": result.review,
        "taken_from": result.taken_from,
        "review_text": presentation.review_text(result.review, result.reviewer, result.taken_from,
                                                result.last_reviewed, language, isolate=False),
        "rule_id": result.rule_id,
        "rule_kind": result.kind,
        "valid_from": result.valid_from.isoformat() if result.valid_from else None,
        "valid_to": result.valid_to.isoformat() if result.valid_to else None,
        "possible_outcomes": [{"outcome": p.outcome, "rule_id": p.rule_id} for p in result.possible_outcomes],
        "missing_facts": result.missing_facts,
        "assumptions": [{"fact": a.fact, "assumed": a.assumed} for a in result.assumptions],
        "better_if": [
            {
                "fact": b.fact,
                "value": b.value,
                "outcome": b.outcome,
                "outcome_label": translate(OUTCOME_LABELS[b.outcome]),
                "determined": b.determined,
                "rule_id": b.rule_id,
                "rule_kind": b.kind,
                "explanation": b.explanation,
                "cost": b.cost,
                "upfront_payment": b.upfront_payment,
                "ask": b.ask,
                "possible_outcomes": [{"outcome": p.outcome, "rule_id": p.rule_id} for p in b.possible_outcomes],
                "missing_facts": b.missing_facts,
            }
            for b in result.better_if
        ],
    }
    if include_trace:
        data["trace"] = [entry.as_dict(translate) for entry in result.trace]
    return data


@router.post(
    "/api/v1/entitlements/next-question",
    summary="The next question worth asking",
    description="A question whose answer can change at least one outcome, given the answers so far; "
    "`done: true` and no question when no answer can change anything. The status is only asked where it matters. "
    "Disclosure questions come last, only when nothing else can change an outcome, marked sensitive and optional: "
    "leaving one unanswered keeps its assumed value.",
    response_model=schemas.NextQuestionResponse,
    responses=PROBLEMS,
)
def next_question(body: schemas.NextQuestionRequest, request: Request) -> schemas.NextQuestionResponse:
    # A plain `def`: with few answers the engine may think for some milliseconds, so it runs off the event loop.
    language = _language(request, body.language)
    translate = i18n.get_translations(language).gettext
    on_date = body.on_date or clock.today()
    question = service.next_question(body.jurisdiction, body.person, on_date, declined=body.declined,
                                     translate=translate)
    return schemas.NextQuestionResponse(
        jurisdiction=body.jurisdiction,
        on_date=on_date,
        language=language,
        done=question is None,
        question=None if question is None else schemas.Question(
            fact=question.fact,
            kind=question.kind,
            text=question.text,
            service_categories=question.service_categories,
            choices=[schemas.Choice(value=c.value, label=c.label) for c in question.choices],
            minimum=question.minimum,
            maximum=question.maximum,
            unit=question.unit,
            sensitive=question.sensitive,
            optional=question.optional,
            assumed=question.assumed,
        ),
    )


@router.get(
    "/api/v1/entitlements/jurisdictions",
    summary="Jurisdictions with a rules base",
    response_model=schemas.JurisdictionList,
    responses=problem_responses(),
)
async def list_jurisdictions(request: Request) -> schemas.JurisdictionList:
    language = i18n.negotiate_language(request)
    translate = i18n.get_translations(language).gettext
    on_date = clock.today()
    return schemas.JurisdictionList(jurisdictions=[
        schemas.Jurisdiction(
            code=rulebook.jurisdiction,
            name=translate(rulebook.name),
            rules_last_reviewed=rulebook.last_reviewed,
            rule_count=len(rulebook.rules),
            gap_count=len(rulebook.gaps),
            areas_total=coverage.total,
            areas_answered=coverage.answered,
            areas_not_reviewed=coverage.not_reviewed,
            rules_not_reviewed=coverage.pending_entries,
            covered_statuses=list(coverage.covered_statuses),
            situations=[
                schemas.SituationCoverageOut(status=situation.status, areas_answered=len(situation.answered),
                                             service_categories=list(situation.answered),
                                             areas_always_answered=len(situation.always))
                for situation in coverage.situations
            ],
            coverage_text=presentation.coverage_text(rulebook, language, on_date),
        )
        for rulebook in service.jurisdictions()
        for coverage in (rulebook.coverage_on(on_date),)
    ])


@router.get(
    "/api/v1/entitlements/rules",
    summary="The rules and declared gaps of one jurisdiction",
    description="Every rule with its condition (plain text and JsonLogic), outcome, texts, sources, confidence, "
    "validity dates and review date; and every declared gap with what to ask. With on_date, each says whether it "
    "is in force on that date.",
    response_model=schemas.RuleList,
    responses=PROBLEMS,
    openapi_extra={"parameters": _rules_parameters()},
)
async def list_rules(
    request: Request,
    # Read as text and checked here (one 422 problem document naming each bad value); described above.
    jurisdiction: str | None = Query(None, include_in_schema=False),
    on_date_text: str | None = Query(None, alias="on_date", include_in_schema=False),
    language: str | None = Query(None, include_in_schema=False),
) -> schemas.RuleList:
    on_date = _date("on_date", on_date_text)
    if language is not None and language not in i18n.LANGUAGES:
        raise InvalidInput(
            N_("We do not have texts in that language."),
            errors=[FieldError("language", N_("unknown language"), pointer="/language", allowed=list(i18n.LANGUAGES))],
        )
    rulebook = service.get_rulebook(jurisdiction or "")
    translate = i18n.get_translations(_language(request, language)).gettext
    return schemas.RuleList(
        jurisdiction=rulebook.jurisdiction,
        name=translate(rulebook.name),
        language=_language(request, language),
        rules_last_reviewed=rulebook.last_reviewed,
        rules=[_rule(entry, translate, on_date, _language(request, language)) for entry in rulebook.entries],
    )


def _date(name: str, text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        if not DATE_SHAPE.match(text):
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(errors=[FieldError(name, N_("must be a date: YYYY-MM-DD"), allowed=["YYYY-MM-DD"])]) from None


def _rule(
    entry: Rule, translate: Callable[[str], str], on_date: dt.date | None, language: str
) -> schemas.RuleOut:
    def text(value: str | None) -> str | None:
        return translate(value) if value else None

    return schemas.RuleOut(
        id=entry.id,
        kind=entry.kind,
        groups=entry.groups_list,
        when=entry.when_text,
        when_jsonlogic=entry.when_tree,
        categories=list(entry.categories),
        outcome=entry.outcome,
        specificity=list(entry.specificity),
        upfront_payment=entry.upfront_payment,
        cost=text(entry.cost),
        conditions=[translate(t) for t in entry.conditions],
        documents=[translate(t) for t in entry.documents],
        steps=[translate(t) for t in entry.steps],
        safe_to_go=text(entry.safe_to_go),
        explanation=text(entry.explanation),
        reason=entry.reason,
        ask=text(entry.ask),
        sources=[schemas.Source(**source.as_dict()) for source in entry.sources],
        confidence=entry.confidence,
        valid_from=entry.valid_from,
        valid_to=entry.valid_to,
        in_force=entry.in_force(on_date) if on_date else None,
        last_reviewed=entry.last_reviewed,
        reviewer=entry.reviewer,
        review=entry.review,
        taken_from=entry.taken_from,
        review_text=presentation.review_text(entry.review, entry.reviewer, entry.taken_from, entry.last_reviewed,
                                             language, isolate=False) or "",
        implements=list(entry.implements),
    )

