"""Request and response models of the entitlements JSON API.

The evaluate request and answer keep the names issue 3 fixes (jurisdiction, on_date, language, person, results,
service_category, outcome, upfront_payment, cost, conditions, documents, steps, sources, confidence, last_reviewed,
rule_id, explanation) and add fields. The person is checked by the vocabulary (vocabulary.clean_person) rather than
by pydantic, so that an unknown status or fact gets a 422 problem document listing the allowed values.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, WithJsonSchema, field_validator

from carebridge.entitlements.vocabulary import (
    CONFIDENCE_LEVELS,
    DISCLOSURE_ASSUMPTION,
    DISCLOSURE_FACTS,
    FACTS,
    OUTCOMES,
    SERVICE_CATEGORIES,
    STATUSES,
)

NOTICE = "This is information, not legal advice."
DATE_SHAPE = re.compile(r"\d{4}-\d{2}-\d{2}")


def person_json_schema() -> dict[str, Any]:
    properties: dict[str, Any] = {
        "status": {"type": ["string", "null"], "enum": [*STATUSES, None],
                   "description": "Immigration status. Leave out (or null) if not known."}
    }
    for fact in FACTS.values():
        description = fact.question.replace("{country}", "the country")
        if fact.disclosure:
            description += (f" Optional and sensitive: when not answered it is assumed {str(DISCLOSURE_ASSUMPTION).lower()}"
                            " (see `assumptions` and `better_if` in the results).")
        schema: dict[str, Any] = {"type": [fact.kind, "null"], "description": description}
        if fact.minimum is not None:
            schema["minimum"] = fact.minimum
        if fact.maximum is not None:
            schema["maximum"] = fact.maximum
        properties[fact.name] = schema
    return {
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
        "description": "What the person has answered. Every field is optional: a missing field (or null) means "
        "not answered, and the engine never guesses it, except the disclosure facts ("
        + ", ".join(DISCLOSURE_FACTS) + "), which are assumed false when not answered; each result says which "
        "it assumed (`assumptions`) and what a true answer would change (`better_if`).",
    }


PersonAnswers = Annotated[dict[str, Any], WithJsonSchema(person_json_schema())]


def _jurisdictions(schema: dict[str, Any]) -> None:
    from carebridge.entitlements.service import get_rulebooks

    schema["enum"] = sorted(get_rulebooks())


def _languages(schema: dict[str, Any]) -> None:
    from carebridge.i18n import LANGUAGES

    schema.pop("anyOf", None)
    schema.update({"type": ["string", "null"], "enum": [*LANGUAGES, None]})


def _question_names(schema: dict[str, Any]) -> None:
    from carebridge.entitlements.service import QUESTION_ORDER

    schema["items"] = {"type": "string", "enum": list(QUESTION_ORDER)}


# include_trace is a StrictBool: JSON true or false only (a lax 0 for false would be accepted against the
# description). The person's answers are checked by the vocabulary, which is strict the same way.
class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")

    jurisdiction: str = Field(description="ISO 3166 code of a jurisdiction with a rules base, e.g. GB-ENG.",
                              examples=["GB-ENG"], json_schema_extra=_jurisdictions)
    on_date: dt.date | None = Field(None, description="The date to apply the law of, YYYY-MM-DD (default: today).")
    language: str | None = Field(None, description="Language of the texts, e.g. en or ar (default: negotiated "
                                                   "from the request).", json_schema_extra=_languages)
    person: PersonAnswers = Field(default_factory=dict)

    @field_validator("person", mode="before")
    @classmethod
    def _whole_numbers(cls, value: Any) -> Any:
        """JSON Schema's integers include 34.0: read a whole-valued number as the whole number it is."""
        if not isinstance(value, dict):
            return value
        return {
            name: int(answer) if isinstance(answer, float) and answer.is_integer() and name in FACTS
            and FACTS[name].kind == "integer" else answer
            for name, answer in value.items()
        }

    @field_validator("on_date", mode="before")
    @classmethod
    def _a_date_in_words(cls, value: Any) -> Any:
        """Only the form the description gives: pydantic alone would also take a number (seconds since 1970)."""
        if value is not None and not (isinstance(value, str) and DATE_SHAPE.fullmatch(value)):
            raise ValueError("must be a date written YYYY-MM-DD")
        return value


class EvaluateRequest(_Request):
    include_trace: StrictBool = Field(True, description="Include the explanation trace of every rule considered.")

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{
            "jurisdiction": "GB-ENG", "on_date": "2026-11-23", "language": "en",
            "person": {"status": "undocumented", "age": 34, "pregnant": True},
        }]},
    )


class NextQuestionRequest(_Request):
    declined: list[str] = Field(default_factory=list, json_schema_extra=_question_names, description="Questions the person chose not to answer "
                                "(\"I'd rather not say\", \"I don't know\"): they are not asked again and stay "
                                "unanswered; an optional (disclosure) question keeps its assumed value.")


class Source(BaseModel):
    citation: str
    url: str
    confidence: str | None = None
    note: str | None = None


class PossibleOutcome(BaseModel):
    outcome: str
    rule_id: str | None = Field(description="A rule (or gap) that gives this outcome; null when no rule would apply.")


class TraceEntry(BaseModel):
    rule_id: str
    kind: str = Field(description="rule or gap")
    verdict: str = Field(description="applied, outranked, not-applicable, undecided or not-in-force")
    reason: str


class Assumption(BaseModel):
    fact: str = Field(description="A disclosure fact the person has not answered: one of " + ", ".join(DISCLOSURE_FACTS))
    assumed: bool = Field(description="The value the result takes for it (always false: the law's base case).")


class BetterIf(BaseModel):
    fact: str = Field(description="An assumed disclosure fact.")
    value: bool = Field(description="The answer that would change the result (true).")
    outcome: str = Field(description="The outcome with that answer; unknown when it would then depend on other "
                                     "answers (see possible_outcomes and missing_facts).")
    outcome_label: str
    determined: bool
    rule_id: str | None = Field(description="The rule (or gap) that would apply.")
    rule_kind: str | None
    explanation: str | None = Field(description="That rule's plain-language explanation, which says who it is for.")
    cost: str | None
    upfront_payment: bool | None
    ask: str | None
    possible_outcomes: list[PossibleOutcome]
    missing_facts: list[str]


class CategoryResult(BaseModel):
    service_category: str = Field(description="One of: " + ", ".join(SERVICE_CATEGORIES))
    label: str = Field(description="The category in plain words, in the requested language.")
    outcome: str = Field(description="One of: " + ", ".join(OUTCOMES))
    outcome_label: str
    determined: bool = Field(description="false when more answers could still change the outcome "
                                         "(then outcome is unknown; see possible_outcomes and missing_facts). "
                                         "A result that rests on assumed disclosure facts is determined: see "
                                         "assumptions and better_if.")
    upfront_payment: bool | None = Field(description="Can payment be asked before care? null: the source does not say.")
    cost: str | None
    conditions: list[str]
    documents: list[str]
    steps: list[str]
    safe_to_go: str | None = Field(description="Where the law forbids status checks or reporting.")
    explanation: str | None
    ask: str | None = Field(description="For unknown results: what to ask, and where.")
    sources: list[Source]
    confidence: str | None = Field(description="One of: " + ", ".join(CONFIDENCE_LEVELS))
    last_reviewed: dt.date | None
    reviewer: str | None
    review: str | None = Field(description="checked: the reviewer checked the rule against the primary source (the "
                               "law itself) on last_reviewed; pending: no lawyer has checked it yet, it was taken "
                               "from taken_from on last_reviewed; null when no rule gives the result.")
    taken_from: str | None = Field(description="For a pending review: the secondary source the rule was taken from.")
    review_text: str | None = Field(description="The review in plain words, in the requested language.")
    rule_id: str | None = Field(description="The rule applied, or the declared gap; null when undecided.")
    rule_kind: str | None = Field(description="rule, gap, or null")
    valid_from: dt.date | None
    valid_to: dt.date | None
    possible_outcomes: list[PossibleOutcome]
    missing_facts: list[str] = Field(description="Unanswered facts (or status) whose answer can change the outcome, "
                                                 "disclosure facts apart (they are in assumptions).")
    assumptions: list[Assumption] = Field(description="Unanswered disclosure facts whose value could change this "
                                                      "result; it is given as if each had the assumed value.")
    better_if: list[BetterIf] = Field(description="Each answer to one assumed disclosure fact that would change "
                                                  "this result, with the result it would give.")
    trace: list[TraceEntry] | None = None


class EvaluateResponse(BaseModel):
    jurisdiction: str
    jurisdiction_name: str
    on_date: dt.date
    language: str
    rules_last_reviewed: dt.date = Field(description="The oldest review date among this jurisdiction's rules.")
    notice: str = Field(description="Always shown with the results.")
    results: list[CategoryResult]


class Choice(BaseModel):
    value: str
    label: str


class Question(BaseModel):
    fact: str = Field(description="status, or the fact to answer (a person field)")
    kind: str = Field(description="choice, boolean or integer")
    text: str
    service_categories: list[str] = Field(description="The categories whose outcome the answer can change.")
    choices: list[Choice] = []
    minimum: int | None = None
    maximum: int | None = None
    unit: str | None = None
    sensitive: bool = Field(False, description="An intimate question: explain why it is asked, and that it may be "
                                                "left unanswered.")
    optional: bool = Field(False, description="Leaving it unanswered (\"I'd rather not say\") is a full answer: the "
                                              "engine keeps the assumed value, and the next question moves on.")
    assumed: bool | None = Field(None, description="For an optional question: the value assumed while it is not "
                                                   "answered.")


class NextQuestionResponse(BaseModel):
    jurisdiction: str
    on_date: dt.date
    language: str
    done: bool = Field(description="true when no answer can change any outcome any more.")
    question: Question | None


class SituationCoverageOut(BaseModel):
    status: str = Field(description="The situation (a status).")
    areas_answered: int = Field(description="Areas of care in which at least one set of answers in this situation "
                                            "gets an answer other than unknown.")
    service_categories: list[str] = Field(description="Those areas.")
    areas_always_answered: int = Field(description="Of those, the areas answered whatever the other answers are; "
                                                   "0 means some answer leaves every area unknown.")


class Jurisdiction(BaseModel):
    code: str
    name: str
    rules_last_reviewed: dt.date
    rule_count: int
    gap_count: int
    areas_total: int = Field(description="The areas of care (service categories) there are.")
    areas_answered: int = Field(description="The areas at least one rule answers for at least one situation (the "
                                            "others are declared gaps or not covered); see situations for which.")
    areas_not_reviewed: int = Field(description="Of the areas answered, those with a rule no lawyer has checked "
                                                "against the law yet.")
    rules_not_reviewed: int = Field(description="Rules and gaps whose review is pending.")
    covered_statuses: list[str] = Field(description="The situations (statuses) for which the rules answer at least "
                                                    "one area; for the others every area is unknown.")
    situations: list[SituationCoverageOut] = Field(description="Every situation, with the areas its rules answer.")
    coverage_text: str = Field(description="The same in plain words, in the negotiated language: which groups are "
                                           "covered, then how many rules no lawyer has checked yet.")


class JurisdictionList(BaseModel):
    jurisdictions: list[Jurisdiction]


class RuleOut(BaseModel):
    id: str
    kind: str = Field(description="rule, or gap (where the facts are silent)")
    groups: list[str] = Field(description="Statuses, or [\"everyone\"].")
    when: str | None = Field(description="The condition in the plain text form.")
    when_jsonlogic: Any = Field(description="The same condition as a JsonLogic tree (true when there is none).")
    categories: list[str]
    outcome: str
    specificity: list[int] = Field(description="[facts tested by the condition, statuses excluded]: higher wins.")
    upfront_payment: bool | None = None
    cost: str | None = None
    conditions: list[str] = []
    documents: list[str] = []
    steps: list[str] = []
    safe_to_go: str | None = None
    explanation: str | None = None
    reason: str | None = None
    ask: str | None = None
    sources: list[Source] = []
    confidence: str | None = None
    valid_from: dt.date | None
    valid_to: dt.date | None
    in_force: bool | None = Field(None, description="Whether the rule is in force on on_date, when on_date is given.")
    last_reviewed: dt.date
    reviewer: str
    review: str = Field(description="checked (by reviewer, against the primary source, on last_reviewed) or pending "
                                    "(not yet checked by a lawyer; taken from taken_from on last_reviewed).")
    taken_from: str | None = None
    review_text: str = Field(description="The review in plain words, in the requested language.")
    implements: list[str]


class RuleList(BaseModel):
    jurisdiction: str
    name: str
    language: str
    rules_last_reviewed: dt.date
    rules: list[RuleOut]
