"""Loading the rules bases: one YAML decision table per jurisdiction, in ./rules/<CODE>.yaml.

Loading checks each file against its schema (reporting file and line), parses every condition, and compiles the
result into a `Rulebook`: rules sorted by specificity and, per date range ("epoch") in which the set of rules in
force does not change, the candidate rules for each service category. Evaluation then does no parsing, sorting
or date filtering of its own. docs/entitlements.md describes the file format for the people who edit it.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from carebridge.entitlements import expressions
from carebridge.entitlements.vocabulary import (
    CONFIDENCE_LEVELS,
    FACTS,
    OUTCOMES,
    REVIEW_STATES,
    SERVICE_CATEGORIES,
    STATUSES,
)

RULES_DIR = Path(__file__).parent / "rules"
TESTS_SUFFIX = ".tests.yaml"

StatusName = Literal[STATUSES]  # type: ignore[valid-type]
CategoryName = Literal[SERVICE_CATEGORIES]  # type: ignore[valid-type]
RuleOutcome = Literal[tuple(o for o in OUTCOMES if o != "unknown")]  # type: ignore[valid-type]
Confidence = Literal[CONFIDENCE_LEVELS]  # type: ignore[valid-type]
ReviewState = Literal[REVIEW_STATES]  # type: ignore[valid-type]
Identifier = Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=80)]
Text = Annotated[str, Field(min_length=1)]


# ---------------------------------------------------------------------------------------------------------------
# Problems, reported as path:line: level: message


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    level: str  # "error" or "warning"
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.level}: {self.message} [{self.code}]"


class RulesError(Exception):
    """A rules base that cannot be loaded; `problems` says where and why."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


# ---------------------------------------------------------------------------------------------------------------
# YAML with line numbers


class LineDict(dict):
    line: int = 0
    key_lines: dict[Any, int]


class LineList(list):
    line: int = 0
    item_lines: list[int]


class _LineLoader(yaml.SafeLoader):
    def __init__(self, stream: Any):
        super().__init__(stream)
        self.duplicate_keys: list[tuple[Any, int]] = []


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    mapping = LineDict()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in mapping:
            loader.duplicate_keys.append((key, key_node.start_mark.line + 1))
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = key_node.start_mark.line + 1
    return mapping


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> LineList:
    sequence = LineList(loader.construct_object(child, deep=True) for child in node.value)
    sequence.line = node.start_mark.line + 1
    sequence.item_lines = [child.start_mark.line + 1 for child in node.value]
    return sequence


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def load_yaml(path: Path) -> tuple[Any, list[Problem]]:
    """The document with line numbers attached, and any syntax or duplicate-key problems."""
    text = path.read_text(encoding="utf-8")
    loader = _LineLoader(text)
    try:
        document = loader.get_single_data()
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        return None, [Problem(str(path), line, "error", "yaml", f"not valid YAML: {error}")]
    finally:
        loader.dispose()
    problems = [
        Problem(str(path), line, "error", "duplicate-key", f"the key {key!r} appears twice in the same block")
        for key, line in loader.duplicate_keys
    ]
    return document, problems


def line_of(document: Any, location: Iterable[Any]) -> int:
    """The line of the deepest node on `location` (a pydantic error location) that the document knows."""
    node, line = document, getattr(document, "line", 1) or 1
    for part in location:
        if isinstance(node, LineDict) and part in node:
            line = node.key_lines.get(part, line)
            node = node[part]
        elif isinstance(node, LineList) and isinstance(part, int) and 0 <= part < len(node):
            line = node.item_lines[part]
            node = node[part]
        else:
            break
    return line


# ---------------------------------------------------------------------------------------------------------------
# The file schema


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceSpec(_Strict):
    citation: Text
    url: Annotated[str, Field(pattern=r"^https?://\S+$")]
    confidence: Confidence | None = None
    note: str | None = None


class FactRowSpec(_Strict):
    """One row of the shared facts table that this file encodes, so tests can prove each one is covered."""

    id: Identifier
    summary: Text
    source: Text


class _Entry(_Strict):
    id: Identifier
    implements: list[Identifier] = []
    groups: Literal["everyone"] | Annotated[list[StatusName], Field(min_length=1)]
    when: str | dict | bool | None = None
    categories: Literal["all"] | Annotated[list[CategoryName], Field(min_length=1)]
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    # Who looked at this entry last, how and when. `review: checked` means `reviewer` (a named person) checked it
    # against the primary source (the law itself) on `last_reviewed`; `review: pending` means no lawyer has checked
    # it yet, and it was taken from the secondary source named in `taken_from` on `last_reviewed`.
    last_reviewed: dt.date
    reviewer: Text
    review: ReviewState
    taken_from: Text | None = None
    notes: str | None = None

    @model_validator(mode="after")
    def _review_is_complete(self) -> _Entry:
        if self.review == "pending" and not self.taken_from:
            raise ValueError("review: pending needs taken_from, the secondary source the entry was taken from")
        if self.review == "checked" and self.taken_from:
            raise ValueError("review: checked means checked against the primary source: leave out taken_from")
        return self

    @field_validator("groups", "categories")
    @classmethod
    def _no_repeats(cls, value: Any) -> Any:
        if isinstance(value, list) and len(set(value)) != len(value):
            raise ValueError("lists an item twice")
        return value


class RuleSpec(_Entry):
    outcome: RuleOutcome
    upfront_payment: bool | None
    cost: Text
    conditions: list[Text] = []
    documents: list[Text] = []
    steps: Annotated[list[Text], Field(min_length=1)]
    safe_to_go: str | None = None
    explanation: Text
    sources: list[SourceSpec] = []
    confidence: Confidence

    @model_validator(mode="after")
    def _checked_against_the_law(self) -> RuleSpec:
        if self.review == "checked" and self.confidence != "primary":
            raise ValueError("review: checked means checked against the primary source, so confidence must be primary")
        return self


class GapSpec(_Entry):
    reason: Text
    ask: Text


# Who answers an emergency number; the pages say it in whole, translated phrases (carebridge.emergency).
EMERGENCY_SERVICES = ("all", "ambulance", "ambulance-fire", "fire", "police")
EmergencyNumberPattern = Annotated[str, Field(pattern=r"^[0-9]{2,4}( ?[0-9]{2,4})?$")]


class EmergencyNumberSpec(_Strict):
    number: EmergencyNumberPattern
    answers: Literal[EMERGENCY_SERVICES]  # type: ignore[valid-type]


class EmergencySpec(_Strict):
    """The country's emergency numbers, shown first wherever a person may be in an emergency. 112 must be there
    (it works in every EU country and in the UK); national numbers follow where they exist."""

    numbers: Annotated[list[EmergencyNumberSpec], Field(min_length=1)]
    sources: Annotated[list[SourceSpec], Field(min_length=1)]
    last_reviewed: dt.date
    reviewer: Text
    notes: str | None = None

    @field_validator("numbers")
    @classmethod
    def _has_112_once_each(cls, value: list[EmergencyNumberSpec]) -> list[EmergencyNumberSpec]:
        digits = [item.number.replace(" ", "") for item in value]
        if len(set(digits)) != len(digits):
            raise ValueError("lists a number twice")
        if "112" not in digits:
            raise ValueError("must list 112, the emergency number that works in every EU country and the UK")
        return value


class RuleFileSpec(_Strict):
    jurisdiction: Annotated[str, Field(pattern=r"^[A-Z]{2}(-[A-Z]{2,3})?$")]
    name: Text
    country_name: Text
    where_to_ask: Text
    questions: dict[str, Text] = {}
    emergency: EmergencySpec | None = None
    facts: list[FactRowSpec] = []
    rules: list[RuleSpec]
    gaps: list[GapSpec] = []

    @field_validator("questions")
    @classmethod
    def _known_questions(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - set(FACTS) - {"status"})
        if unknown:
            raise ValueError(f"unknown facts {unknown}; known: status, {', '.join(FACTS)}")
        return value


# ---------------------------------------------------------------------------------------------------------------
# Compiled form


@dataclass(frozen=True)
class Source:
    citation: str
    url: str
    confidence: str | None = None
    note: str | None = None

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"citation": self.citation, "url": self.url}
        if self.confidence:
            data["confidence"] = self.confidence
        if self.note:
            data["note"] = self.note
        return data


@dataclass(frozen=True)
class ConditionPart:
    text: str
    check: expressions.Compiled
    facts: tuple[str, ...]


@dataclass(eq=False)
class Rule:
    """One rule (or one declared gap, `kind == "gap"`) ready to evaluate."""

    jurisdiction: str
    id: str
    kind: str  # "rule" or "gap"
    order: int  # position in the file: the last tie-breaker, for stable results
    path: str
    line: int
    groups: frozenset[str] | None  # None: everyone
    when_tree: expressions.Expression
    when_text: str | None
    condition: expressions.Compiled
    condition_parts: tuple[ConditionPart, ...]
    facts: frozenset[str]  # facts the condition reads (not the status)
    representative_values: Mapping[str, frozenset[int]]
    categories: tuple[str, ...]
    outcome: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    last_reviewed: dt.date
    reviewer: str
    implements: tuple[str, ...]
    review: str = "pending"  # "checked" (by `reviewer`, in the law itself) or "pending" (see `taken_from`)
    taken_from: str | None = None  # pending: the secondary source the entry was taken from
    notes: str | None = None
    upfront_payment: bool | None = None
    cost: str | None = None
    conditions: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()
    steps: tuple[str, ...] = ()
    safe_to_go: str | None = None
    explanation: str | None = None
    sources: tuple[Source, ...] = ()
    confidence: str | None = None
    reason: str | None = None  # gaps: why the facts are silent (for reviewers)
    ask: str | None = None  # gaps: what to ask and where (for people)
    specificity: tuple[int, int] = field(init=False)
    rank: tuple[int, int, int, int] = field(init=False)
    reads_status: bool = field(init=False)

    def __post_init__(self) -> None:
        # More facts tested in the condition wins; then fewer statuses in `groups` wins. Gaps rank below rules.
        groups_excluded = 0 if self.groups is None else len(STATUSES) - len(self.groups)
        self.specificity = (len(self.facts), groups_excluded)
        self.rank = (1 if self.kind == "gap" else 0, -self.specificity[0], -self.specificity[1], self.order)
        self.reads_status = self.groups is not None

    def in_force(self, on_date: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= on_date) and (
            self.valid_to is None or on_date <= self.valid_to
        )

    def applies(self, person: Mapping[str, Any]) -> expressions.TruthValue:
        """True, False, or None when it depends on something not answered yet."""
        if self.groups is not None:
            status = person.get("status")
            if status is None:
                condition = self.condition(person)
                return False if condition is False else None
            if status not in self.groups:
                return False
        return self.condition(person)

    @property
    def groups_list(self) -> list[str]:
        return ["everyone"] if self.groups is None else [s for s in STATUSES if s in self.groups]


@dataclass
class Epoch:
    """A date range in which the same rules are in force."""

    start: dt.date | None
    end: dt.date | None  # inclusive; None: open
    candidates: dict[str, tuple[Rule, ...]]  # per category, best first
    not_in_force: dict[str, tuple[Rule, ...]]  # per category, for the explanation trace
    rules: tuple[Rule, ...]  # all in force
    # Per category, the person fields its rules read: a category's answer depends on these and nothing else,
    # which is what lets the engine cache its analysis of a category by just these answers.
    reads: dict[str, tuple[str, ...]] = field(default_factory=dict)
    cache: dict[Any, Any] = field(default_factory=dict, repr=False)
    # Analyses worked out once per process for where every checker starts: nothing answered, or only the status.
    precomputed: dict[Any, Any] = field(default_factory=dict, repr=False)
    coverage: Any = field(default=None, repr=False)  # SituationCoverage per status, worked out on first use


@dataclass(frozen=True)
class SituationCoverage:
    """What a rules base answers for one situation (status): the areas of care in which at least one set of answers
    gets an answer other than "We do not know yet", and of those the areas answered whatever the other answers are."""

    status: str
    answered: tuple[str, ...]  # service categories, in vocabulary order
    always: tuple[str, ...]  # the answered areas that no other answer turns into "We do not know yet"

    @property
    def covered(self) -> bool:
        return bool(self.answered)

    @property
    def partly(self) -> bool:
        """Some answers in this situation (for example "no" to a benefits question) still lead to "unknown"."""
        return self.answered != self.always


@dataclass(frozen=True)
class Coverage:
    total: int  # areas of care (service categories) there are
    answered: int  # areas at least one rule (not only a gap) answers, for at least one situation
    not_reviewed: int  # answered areas with a rule that no lawyer has checked against the law yet
    pending_entries: int  # rules and gaps not yet checked
    entries: int  # rules and gaps
    # Per situation (every status, in vocabulary order): what the rules in force answer for it.
    situations: tuple[SituationCoverage, ...] = ()

    @property
    def covered_statuses(self) -> tuple[str, ...]:
        return tuple(s.status for s in self.situations if s.covered)


def _fact_values(name: str, rules: Iterable[Rule]) -> tuple[Any, ...]:
    fact = FACTS[name]
    if fact.kind == "boolean":
        return (False, True)
    values: set[int] = {fact.minimum or 0}
    for rule in rules:
        values |= rule.representative_values.get(name, frozenset())
    return tuple(sorted(values))


def situation_coverage(epoch: Epoch) -> tuple[SituationCoverage, ...]:
    """For each status, the areas the rules in force answer: every combination of answers that can make a
    difference (the representative values of each fact the area's rules read) is resolved as the engine resolves
    a full set of answers: the best-ranked entry that applies wins, and only a rule (not a gap) answers."""
    answered: dict[str, list[str]] = {status: [] for status in STATUSES}
    always: dict[str, list[str]] = {status: [] for status in STATUSES}
    for category in SERVICE_CATEGORIES:
        candidates = epoch.candidates[category]
        names = [name for name in epoch.reads[category] if name != "status"]
        domains = [_fact_values(name, candidates) for name in names]
        for status in STATUSES:
            results = []
            for values in itertools.product(*domains):
                person = {"status": status, **dict(zip(names, values, strict=True))}
                winner = next((entry for entry in candidates if entry.applies(person) is True), None)
                results.append(winner is not None and winner.kind == "rule")
            if any(results):
                answered[status].append(category)
                if all(results):
                    always[status].append(category)
    return tuple(SituationCoverage(status, tuple(answered[status]), tuple(always[status])) for status in STATUSES)


@dataclass
class Rulebook:
    jurisdiction: str
    name: str
    country_name: str
    where_to_ask: str
    questions: Mapping[str, str]
    facts: tuple[FactRowSpec, ...]
    entries: tuple[Rule, ...]  # rules then gaps, in file order
    path: str
    epochs: tuple[Epoch, ...] = ()
    boundaries: tuple[dt.date, ...] = ()  # epochs[i + 1] starts at boundaries[i]
    emergency: EmergencySpec | None = None  # the country's emergency numbers, with their sources

    @property
    def rules(self) -> tuple[Rule, ...]:
        return tuple(entry for entry in self.entries if entry.kind == "rule")

    @property
    def gaps(self) -> tuple[Rule, ...]:
        return tuple(entry for entry in self.entries if entry.kind == "gap")

    @property
    def last_reviewed(self) -> dt.date:
        """The date of the least recently checked rule: what a page may honestly call "last checked"."""
        return min(entry.last_reviewed for entry in self.entries)

    @property
    def coverage(self) -> Coverage:
        """Coverage of the rules in force today (the deployment's clock)."""
        from carebridge.kit import clock

        return self.coverage_on(clock.today())

    def coverage_on(self, on_date: dt.date) -> Coverage:
        """How many of the ten areas of care (service categories) its rules answer, for which situations, and how
        many of those rest on a rule no lawyer has checked yet: so that a thin rules base does not look like a full
        one. Worked out once per date range in which the rules in force do not change."""
        epoch = self.epoch(on_date)
        if epoch.coverage is None:  # the situations depend on the conditions only, which do not change
            epoch.coverage = situation_coverage(epoch)
        in_force = [entry for entry in epoch.rules if entry.kind == "rule"]
        answered = {category for rule in in_force for category in rule.categories}
        pending = {category for rule in in_force if rule.review != "checked" for category in rule.categories}
        return Coverage(total=len(SERVICE_CATEGORIES), answered=len(answered), not_reviewed=len(pending & answered),
                        pending_entries=sum(1 for entry in self.entries if entry.review != "checked"),
                        entries=len(self.entries), situations=epoch.coverage)

    def epoch(self, on_date: dt.date) -> Epoch:
        return self.epochs[bisect.bisect_right(self.boundaries, on_date)]

    def entry(self, entry_id: str) -> Rule | None:
        return next((entry for entry in self.entries if entry.id == entry_id), None)

    def question_text(self, fact: str) -> str:
        from carebridge.entitlements.vocabulary import STATUS_QUESTION

        if fact in self.questions:
            return self.questions[fact]
        return STATUS_QUESTION if fact == "status" else FACTS[fact].question


def _build_epochs(entries: tuple[Rule, ...]) -> tuple[tuple[Epoch, ...], tuple[dt.date, ...]]:
    points: set[dt.date] = set()
    for entry in entries:
        if entry.valid_from is not None:
            points.add(entry.valid_from)
        if entry.valid_to is not None and entry.valid_to < dt.date.max:
            points.add(entry.valid_to + dt.timedelta(days=1))
    boundaries = tuple(sorted(points))
    starts: list[dt.date | None] = [None, *boundaries]
    epochs = []
    for index, start in enumerate(starts):
        probe = start if start is not None else (boundaries[0] - dt.timedelta(days=1) if boundaries else dt.date.min)
        end = boundaries[index] - dt.timedelta(days=1) if index < len(boundaries) else None
        in_force = tuple(sorted((e for e in entries if e.in_force(probe)), key=lambda e: e.rank))
        candidates = {c: tuple(e for e in in_force if c in e.categories) for c in SERVICE_CATEGORIES}
        not_in_force = {
            c: tuple(e for e in entries if c in e.categories and not e.in_force(probe)) for c in SERVICE_CATEGORIES
        }
        reads = {
            c: tuple(sorted({name for e in candidates[c] for name in e.facts}
                            | ({"status"} if any(e.reads_status for e in candidates[c]) else set())))
            for c in SERVICE_CATEGORIES
        }
        epochs.append(Epoch(start, end, candidates, not_in_force, in_force, reads))
    return tuple(epochs), boundaries


def _compile_condition(source: Any) -> tuple[expressions.Expression, expressions.CheckedExpression]:
    tree = True if source is None else expressions.from_source(source)
    return tree, expressions.check(tree)


def compile_file(path: Path) -> tuple[Rulebook | None, list[Problem]]:
    """Load and compile one rules file. Returns (None, problems) when it has errors that prevent compiling."""
    where = str(path)
    document, problems = load_yaml(path)
    if document is None:
        return None, problems
    try:
        spec = RuleFileSpec.model_validate(document)
    except ValidationError as error:
        for detail in error.errors():
            location = detail["loc"]
            label = ".".join(str(part) for part in location) or "file"
            problems.append(
                Problem(where, line_of(document, location), "error", "schema", f"{label}: {detail['msg']}")
            )
        return None, problems

    if spec.jurisdiction != path.name.removesuffix(".yaml"):
        problems.append(
            Problem(where, line_of(document, ["jurisdiction"]), "error", "schema",
                    f"jurisdiction {spec.jurisdiction!r} does not match the file name {path.name!r}")
        )

    entries: list[Rule] = []
    seen: dict[str, int] = {}
    fact_ids = {row.id for row in spec.facts}
    for kind, specs in (("rule", spec.rules), ("gap", spec.gaps)):
        section = "rules" if kind == "rule" else "gaps"
        for index, item in enumerate(specs):
            line = line_of(document, [section, index])
            if item.id in seen:
                problems.append(Problem(where, line, "error", "duplicate-id",
                                        f"the id {item.id!r} is already used on line {seen[item.id]}"))
                continue
            seen[item.id] = line
            for fact_id in item.implements:
                if fact_id not in fact_ids:
                    problems.append(Problem(where, line_of(document, [section, index, "implements"]), "error",
                                            "unknown-fact-row", f"{item.id}: implements unknown fact row {fact_id!r}"))
            if item.valid_from and item.valid_to and item.valid_to < item.valid_from:
                problems.append(Problem(where, line_of(document, [section, index, "valid_to"]), "error", "dates",
                                        f"{item.id}: valid_to {item.valid_to} is before valid_from {item.valid_from}"))
            try:
                tree, checked = _compile_condition(item.when)
            except expressions.ExpressionError as error:
                problems.append(Problem(where, line_of(document, [section, index, "when"]), "error", "condition",
                                        f"{item.id}: condition: {error}"))
                continue
            parts = tuple(
                ConditionPart(expressions.to_text(part), expressions.compile_expression(part),
                              tuple(sorted(expressions.check(part).facts)))
                for part in expressions.conjuncts(tree)
            )
            common: dict[str, Any] = {
                "jurisdiction": spec.jurisdiction,
                "id": item.id,
                "kind": kind,
                "order": len(entries),
                "path": where,
                "line": line,
                "groups": None if item.groups == "everyone" else frozenset(item.groups),
                "when_tree": tree,
                "when_text": None if item.when is None else expressions.to_text(tree),
                "condition": expressions.compile_expression(tree),
                "condition_parts": parts if item.when is not None else (),
                "facts": checked.facts,
                "representative_values": checked.representative_values,
                "categories": tuple(c for c in SERVICE_CATEGORIES if item.categories == "all" or c in item.categories),
                "valid_from": item.valid_from,
                "valid_to": item.valid_to,
                "last_reviewed": item.last_reviewed,
                "reviewer": item.reviewer,
                "review": item.review,
                "taken_from": item.taken_from,
                "implements": tuple(item.implements),
                "notes": item.notes,
            }
            if isinstance(item, RuleSpec):
                entries.append(Rule(
                    **common,
                    outcome=item.outcome,
                    upfront_payment=item.upfront_payment,
                    cost=item.cost,
                    conditions=tuple(item.conditions),
                    documents=tuple(item.documents),
                    steps=tuple(item.steps),
                    safe_to_go=item.safe_to_go,
                    explanation=item.explanation,
                    sources=tuple(Source(s.citation, s.url, s.confidence, s.note) for s in item.sources),
                    confidence=item.confidence,
                ))
            else:
                entries.append(Rule(**common, outcome="unknown", reason=item.reason, ask=item.ask))

    if any(p.level == "error" for p in problems):
        return None, problems
    frozen = tuple(entries)
    epochs, boundaries = _build_epochs(frozen)
    rulebook = Rulebook(
        jurisdiction=spec.jurisdiction,
        name=spec.name,
        country_name=spec.country_name,
        where_to_ask=spec.where_to_ask,
        questions=dict(spec.questions),
        facts=tuple(spec.facts),
        entries=frozen,
        path=where,
        epochs=epochs,
        boundaries=boundaries,
        emergency=spec.emergency,
    )
    return rulebook, problems


def rule_files(directory: Path = RULES_DIR) -> list[Path]:
    return sorted(p for p in directory.glob("*.yaml") if not p.name.endswith(TESTS_SUFFIX))


def compile_directory(directory: Path = RULES_DIR) -> tuple[dict[str, Rulebook], list[Problem]]:
    rulebooks: dict[str, Rulebook] = {}
    problems: list[Problem] = []
    for path in rule_files(directory):
        rulebook, found = compile_file(path)
        problems.extend(found)
        if rulebook is not None:
            rulebooks[rulebook.jurisdiction] = rulebook
    return rulebooks, problems


@lru_cache(maxsize=8)
def _cached(directory: str) -> dict[str, Rulebook]:
    rulebooks, problems = compile_directory(Path(directory))
    errors = [p for p in problems if p.level == "error"]
    if errors:
        raise RulesError(errors)
    return rulebooks


def get_rulebooks(directory: Path | None = None) -> dict[str, Rulebook]:
    """All rules bases, compiled once per process. Raises RulesError if any file has errors."""
    return _cached(str(directory or RULES_DIR))


def clear_cache() -> None:
    _cached.cache_clear()
