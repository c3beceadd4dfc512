"""Rule tests written in YAML beside the rules: rules/<CODE>.tests.yaml.

Each case gives a person, a date and the outcomes expected for some service categories; `covers` names the rows
of the facts table it checks, and every row must be covered by at least one case. The same cases run from
`carebridge entitlements test` and from pytest (tests/entitlements/test_rule_cases.py, one test per case).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from carebridge.entitlements.rulebook import (
    RULES_DIR,
    TESTS_SUFFIX,
    Problem,
    RulesError,
    get_rulebooks,
    line_of,
    load_yaml,
)
from carebridge.entitlements.service import evaluate, next_question
from carebridge.entitlements.vocabulary import (
    CONFIDENCE_LEVELS,
    DISCLOSURE_FACTS,
    OUTCOMES,
    PERSON_FIELDS,
    SERVICE_CATEGORIES,
)

Outcome = Literal[OUTCOMES]  # type: ignore[valid-type]
Category = Literal[SERVICE_CATEGORIES]  # type: ignore[valid-type]
DisclosureFact = Literal[DISCLOSURE_FACTS]  # type: ignore[valid-type]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Expectation(_Strict):
    outcome: Outcome
    upfront_payment: bool | None = None
    rule: str | None = None
    confidence: Literal[CONFIDENCE_LEVELS] | None = None  # type: ignore[valid-type]
    missing_facts: list[str] | None = None
    possible_outcomes: list[Outcome] | None = None
    determined: bool | None = None
    # The unanswered disclosure facts the result assumes "no" for ([] for none), and for each "yes" that would
    # change the result, the outcome it would give ({} for none).
    assumptions: list[DisclosureFact] | None = None
    better_if: dict[DisclosureFact, Outcome] | None = None


class CaseSpec(_Strict):
    name: Annotated[str, Field(min_length=1)]
    covers: list[str] = []
    on_date: dt.date
    person: dict[str, Any]
    expect: dict[Category, Outcome | Expectation]
    # The fact the engine should ask next ("status" or a fact name), or "none" when nothing more can help.
    next_question: Literal[("none", *PERSON_FIELDS)] | None = None  # type: ignore[valid-type]


class CaseFileSpec(_Strict):
    jurisdiction: str
    cases: Annotated[list[CaseSpec], Field(min_length=1)]


@dataclass
class RuleCase:
    jurisdiction: str
    path: str
    line: int
    spec: CaseSpec

    @property
    def id(self) -> str:
        return f"{self.jurisdiction}: {self.spec.name}"


@dataclass
class CaseResult:
    case: RuleCase
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures


def case_files(directory: Path = RULES_DIR) -> list[Path]:
    return sorted(directory.glob(f"*{TESTS_SUFFIX}"))


def collect_cases(directory: Path | None = None) -> tuple[list[RuleCase], list[Problem]]:
    """Every case in every tests file, and problems with the files themselves (schema, coverage of facts)."""
    directory = directory or RULES_DIR
    cases: list[RuleCase] = []
    problems: list[Problem] = []
    for path in case_files(directory):
        document, found = load_yaml(path)
        problems.extend(found)
        if document is None:
            continue
        try:
            spec = CaseFileSpec.model_validate(document)
        except ValidationError as error:
            for detail in error.errors():
                label = ".".join(str(part) for part in detail["loc"])
                problems.append(Problem(str(path), line_of(document, detail["loc"]), "error", "schema",
                                        f"{label}: {detail['msg']}"))
            continue
        expected_name = f"{spec.jurisdiction}{TESTS_SUFFIX}"
        if path.name != expected_name:
            problems.append(Problem(str(path), 1, "error", "schema",
                                    f"cases for {spec.jurisdiction} belong in {expected_name}"))
        for index, case in enumerate(spec.cases):
            cases.append(RuleCase(spec.jurisdiction, str(path), line_of(document, ["cases", index]), case))
    problems.extend(_coverage(directory, cases))
    return cases, problems


def _coverage(directory: Path, cases: list[RuleCase]) -> list[Problem]:
    try:
        rulebooks = get_rulebooks(directory)
    except RulesError as error:
        return error.problems
    problems: list[Problem] = []
    covered: dict[str, set[str]] = {}
    for case in cases:
        rulebook = rulebooks.get(case.jurisdiction)
        if rulebook is None:
            problems.append(Problem(case.path, case.line, "error", "unknown-jurisdiction",
                                    f"no rules file for {case.jurisdiction!r}"))
            continue
        known = {row.id for row in rulebook.facts}
        for fact_id in case.spec.covers:
            if fact_id not in known:
                problems.append(Problem(case.path, case.line, "error", "unknown-fact-row",
                                        f"{case.spec.name}: covers unknown fact row {fact_id!r}"))
        covered.setdefault(case.jurisdiction, set()).update(case.spec.covers)
    for code, rulebook in rulebooks.items():
        for row in rulebook.facts:
            if row.id not in covered.get(code, set()):
                problems.append(Problem(rulebook.path, 1, "error", "fact-not-tested",
                                        f"fact row {row.id!r} has no test case in {code}{TESTS_SUFFIX}"))
    return problems


def run_case(case: RuleCase, rules_dir: Path | None = None) -> CaseResult:
    result = CaseResult(case)
    spec = case.spec
    try:
        evaluation = evaluate(case.jurisdiction, spec.person, spec.on_date, rules_dir=rules_dir)
    except Exception as error:  # noqa: BLE001 - a broken case is reported, not raised
        result.failures.append(f"evaluation failed: {error}")
        return result
    for category, expected in spec.expect.items():
        actual = evaluation.result(category)
        expectation = expected if isinstance(expected, Expectation) else Expectation(outcome=expected)
        checks: list[tuple[str, Any, Any]] = [("outcome", expectation.outcome, actual.outcome)]
        if expectation.upfront_payment is not None:
            checks.append(("upfront_payment", expectation.upfront_payment, actual.upfront_payment))
        if expectation.rule is not None:
            checks.append(("rule", expectation.rule, actual.rule_id))
        if expectation.confidence is not None:
            checks.append(("confidence", expectation.confidence, actual.confidence))
        if expectation.missing_facts is not None:
            checks.append(("missing_facts", sorted(expectation.missing_facts), sorted(actual.missing_facts)))
        if expectation.possible_outcomes is not None:
            checks.append(("possible_outcomes", sorted(expectation.possible_outcomes),
                           sorted(p.outcome for p in actual.possible_outcomes)))
        if expectation.determined is not None:
            checks.append(("determined", expectation.determined, actual.determined))
        if expectation.assumptions is not None:
            checks.append(("assumptions", sorted(expectation.assumptions),
                           sorted(a.fact for a in actual.assumptions)))
        if expectation.better_if is not None:
            checks.append(("better_if", dict(sorted(expectation.better_if.items())),
                           dict(sorted((b.fact, b.outcome) for b in actual.better_if))))
        for label, want, got in checks:
            if want != got:
                result.failures.append(f"{category}: expected {label} {want!r}, got {got!r} (rule {actual.rule_id})")
    if spec.next_question is not None:
        question = next_question(case.jurisdiction, spec.person, spec.on_date, rules_dir=rules_dir)
        got = question.fact if question else "none"
        if got != spec.next_question:
            result.failures.append(f"next question: expected {spec.next_question!r}, got {got!r}")
    return result


def run_rule_tests(rules_dir: Path | None = None) -> tuple[list[CaseResult], list[Problem]]:
    cases, problems = collect_cases(rules_dir)
    return [run_case(case, rules_dir) for case in cases], problems
