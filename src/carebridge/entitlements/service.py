"""The entitlements engine: what care a person can get in a jurisdiction on a date, and what to ask next.

`evaluate` answers, for every service category, with the rule that applies and everything it says (cost,
documents, steps, sources, confidence, review date), plus a trace of every rule it looked at and why it did or did
not apply. Missing answers are handled in three-valued logic: a rule that depends on an unanswered fact is
"undecided", and a category whose result could still change is reported as `unknown`, listing the possible outcomes
and the facts that would settle it. It never picks an answer the person's facts do not support.

The one exception is the disclosure facts (vocabulary.DISCLOSURE_FACTS: trafficking, torture). Nobody has to tell
us about those before we tell them anything, so unanswered they are assumed "no", which is the law's base case:
the result says which of them it assumed (`assumptions`), and what a "yes" would change (`better_if`).

`next_question` returns a question whose answer can change at least one outcome, or None when nothing can. It asks
a disclosure fact last, only when nothing else can change an outcome, and marks it sensitive and optional.
Both are pure functions of the rules bases: no database, no HTTP, no global state beyond the compiled rules.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from carebridge.entitlements.rulebook import Epoch, Rule, Rulebook, get_rulebooks
from carebridge.entitlements.vocabulary import (
    CATEGORY_LABELS,
    DISCLOSURE_ASSUMPTION,
    DISCLOSURE_FACTS,
    FACTS,
    OUTCOMES,
    QUESTION_ORDER,
    SERVICE_CATEGORIES,
    STATUS_LABELS,
    STATUSES,
    InvalidPerson,
    N_,
    clean_person,
)
from carebridge.errors import FieldError, InvalidInput

Translate = Callable[[str], str]

# The most completions of the unanswered facts the engine will try for one category before it falls back to a
# cautious answer (every undecided rule counts as possible). Real rules need a few dozen at most.
ENUMERATION_LIMIT = 4096


def _identity(text: str) -> str:
    return text


class UnknownJurisdiction(InvalidInput):
    title = N_("We do not have rules for that country")


def invalid_person(error: InvalidPerson) -> InvalidInput:
    return InvalidInput(
        N_("Some answers are not ones we know."),
        errors=[
            FieldError(problem.field, problem.message, pointer=f"/person/{problem.field}", allowed=problem.allowed)
            for problem in error.problems
        ],
    )


# ---------------------------------------------------------------------------------------------------------------
# Results


@dataclass(slots=True)
class TraceEntry:
    """One rule the engine looked at for one category, and what it concluded."""

    rule_id: str
    kind: str  # "rule" or "gap"
    verdict: str  # applied | outranked | not-applicable | undecided | not-in-force
    message: str  # message id with %(name)s placeholders
    params: dict[str, Any] = field(default_factory=dict)

    def reason(self, translate: Translate = _identity) -> str:
        return translate(self.message) % self.params if self.params else translate(self.message)

    def as_dict(self, translate: Translate = _identity) -> dict[str, Any]:
        return {"rule_id": self.rule_id, "kind": self.kind, "verdict": self.verdict, "reason": self.reason(translate)}


@dataclass(slots=True)
class PossibleOutcome:
    outcome: str
    rule_id: str | None


@dataclass(slots=True)
class Assumption:
    """An unanswered disclosure fact that the result takes as `assumed` (always false: the law's base case)."""

    fact: str
    assumed: bool


@dataclass(slots=True)
class BetterIf:
    """What the result would be if an assumed disclosure fact had the other value (answered `value`)."""

    fact: str
    value: bool
    outcome: str
    determined: bool
    rule_id: str | None
    kind: str | None  # "rule", "gap", or None
    explanation: str | None  # the explanation of the rule that would apply: it says who it is for
    cost: str | None
    upfront_payment: bool | None
    ask: str | None
    possible_outcomes: list[PossibleOutcome] = field(default_factory=list)
    missing_facts: list[str] = field(default_factory=list)


@dataclass(slots=True)
class CategoryResult:
    service_category: str
    outcome: str
    # False when the outcome could still change with more answers; see possible_outcomes and missing_facts.
    determined: bool
    rule_id: str | None = None
    kind: str | None = None  # "rule", "gap", or None (no rule and no declared gap, or undecided)
    cost: str | None = None
    upfront_payment: bool | None = None
    conditions: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)
    safe_to_go: str | None = None
    explanation: str | None = None
    ask: str | None = None  # for unknown: what to ask, and where
    sources: list[dict[str, Any]] = field(default_factory=list)
    confidence: str | None = None
    last_reviewed: dt.date | None = None
    reviewer: str | None = None
    review: str | None = None  # "checked" (against the law, by reviewer) or "pending" (taken from taken_from)
    taken_from: str | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    possible_outcomes: list[PossibleOutcome] = field(default_factory=list)
    missing_facts: list[str] = field(default_factory=list)
    # Unanswered disclosure facts whose value could change this result: it is given as if each were `assumed`.
    assumptions: list[Assumption] = field(default_factory=list)
    # Each answer to one assumed disclosure fact that would change this result, and the result it would give.
    better_if: list[BetterIf] = field(default_factory=list)
    trace: list[TraceEntry] = field(default_factory=list)


@dataclass(slots=True)
class Evaluation:
    jurisdiction: str
    on_date: dt.date
    person: dict[str, Any]
    results: list[CategoryResult]
    rules_last_reviewed: dt.date

    def result(self, category: str) -> CategoryResult:
        return next(result for result in self.results if result.service_category == category)

    def outcomes(self) -> dict[str, str]:
        return {result.service_category: result.outcome for result in self.results}


@dataclass(slots=True)
class Choice:
    value: str
    label: str


@dataclass(slots=True)
class Question:
    fact: str  # "status" or a fact name
    kind: str  # "choice", "boolean" or "integer"
    text: str
    service_categories: list[str]  # the categories whose outcome the answer can change
    choices: list[Choice] = field(default_factory=list)
    minimum: int | None = None
    maximum: int | None = None
    unit: str | None = None
    # A disclosure fact: intimate, asked only when nothing else can help. Not answering it ("I'd rather not say")
    # is a full answer: the engine keeps assuming `assumed`.
    sensitive: bool = False
    optional: bool = False
    assumed: bool | None = None


# ---------------------------------------------------------------------------------------------------------------
# Entry points


def jurisdictions(rules_dir: Path | None = None) -> list[Rulebook]:
    rulebooks = get_rulebooks(rules_dir)
    return [rulebooks[code] for code in sorted(rulebooks)]


def get_rulebook(jurisdiction: str, rules_dir: Path | None = None) -> Rulebook:
    rulebooks = get_rulebooks(rules_dir)
    rulebook = rulebooks.get(jurisdiction)
    if rulebook is not None and not rulebook.epochs[-1].precomputed:
        precompute(rulebook)
    if rulebook is None:
        allowed = sorted(rulebooks)
        raise UnknownJurisdiction(
            N_("We do not have rules for that country."),
            errors=[FieldError("jurisdiction", N_("unknown jurisdiction"), pointer="/jurisdiction", allowed=allowed)],
        )
    return rulebook


def evaluate(
    jurisdiction: str,
    person: Mapping[str, Any],
    on_date: dt.date,
    *,
    translate: Translate | None = None,
    rules_dir: Path | None = None,
) -> Evaluation:
    """What each kind of care means for this person in this jurisdiction on this date."""
    rulebook = get_rulebook(jurisdiction, rules_dir)
    try:
        answers = clean_person(person)
    except InvalidPerson as error:
        raise invalid_person(error) from error
    evaluation = _evaluate(rulebook, answers, on_date)
    if translate is not None:
        _translate(evaluation, translate)
    return evaluation


def next_question(
    jurisdiction: str,
    answers: Mapping[str, Any],
    on_date: dt.date,
    *,
    declined: Iterable[str] = (),
    translate: Translate | None = None,
    rules_dir: Path | None = None,
) -> Question | None:
    """A question whose answer can change at least one outcome, or None if no answer can change anything.

    Disclosure facts are asked only when no other question can change an outcome (with them assumed "no"), and
    come back marked sensitive and optional. `declined` are questions the person chose not to answer ("I'd rather
    not say", "I don't know"): they are not asked again, and stay unanswered (a disclosure fact keeps its
    assumption).
    """
    rulebook = get_rulebook(jurisdiction, rules_dir)
    try:
        person = clean_person(answers)
    except InvalidPerson as error:
        raise invalid_person(error) from error
    skip = _check_declined(declined)
    relevant = {name: categories for name, categories in relevant_facts(rulebook, person, on_date).items()
                if name not in skip}
    if not relevant:
        return None
    order = {name: index for index, name in enumerate(QUESTION_ORDER)}
    plain = [name for name in relevant if name == "status" or not FACTS[name].disclosure]
    # Disclosure facts (trafficking, torture) only when nothing else can help.
    choices = plain or list(relevant)

    def left_to_ask(name: str) -> float:
        # How much would still be open after this answer, on average over its possible answers: asking
        # "do you get asylum benefits?" first can settle everything at once when the answer is no.
        values = _answer_values(rulebook, name, on_date)
        total = 0
        for value in values:
            after = relevant_facts(rulebook, {**person, name: value}, on_date)
            total += sum(len(categories) for fact, categories in after.items() if fact not in skip)
        return total / len(values)

    def priority(name: str) -> tuple[bool, float, int, int]:
        sensitive = name != "status" and FACTS[name].sensitive
        return (sensitive, left_to_ask(name), -len(relevant[name]), order[name])

    best = min(choices, key=priority)
    return _question(rulebook, best, relevant[best], translate or _identity)


def _check_declined(declined: Iterable[str]) -> frozenset[str]:
    names = frozenset(declined)
    unknown = sorted(names - set(QUESTION_ORDER))
    if unknown:
        raise InvalidInput(
            N_("Some answers are not ones we know."),
            errors=[FieldError("declined", f"unknown fact {name!r}", pointer="/declined",
                               allowed=list(QUESTION_ORDER)) for name in unknown],
        )
    return names


def _answer_values(rulebook: Rulebook, name: str, on_date: dt.date) -> tuple[Any, ...]:
    if name == "status":
        return STATUSES
    fact = FACTS[name]
    if fact.kind == "boolean":
        return (False, True)
    values: set[int] = {fact.minimum or 0}
    for rule in rulebook.epoch(on_date).rules:
        values |= rule.representative_values.get(name, frozenset())
    return tuple(sorted(values))


def relevant_facts(rulebook: Rulebook, person: Mapping[str, Any], on_date: dt.date) -> dict[str, list[str]]:
    """For each unanswered fact (or the status) whose answer can change some outcome: the categories it changes.

    Other facts count when they can change an outcome with the unanswered disclosure facts assumed "no"; an
    unanswered disclosure fact counts when it can change an outcome at all (it is one of the result's
    `assumptions`).
    """
    epoch = rulebook.epoch(on_date)
    unanswered, assumed_person = _assume(person)
    relevant: dict[str, list[str]] = {}
    for category in SERVICE_CATEGORIES:
        assessment = _cached_assessment(epoch, category, person, assumed_person, unanswered)
        for name in (*assessment.headline.relevant, *assessment.assumed):
            relevant.setdefault(name, []).append(category)
    return relevant


def _assume(person: Mapping[str, Any]) -> tuple[tuple[str, ...], Mapping[str, Any]]:
    """The unanswered disclosure facts, and the person with each of them taken as the assumed value."""
    unanswered = tuple(name for name in DISCLOSURE_FACTS if person.get(name) is None)
    if not unanswered:
        return (), person
    return unanswered, {**person, **dict.fromkeys(unanswered, DISCLOSURE_ASSUMPTION)}


# ---------------------------------------------------------------------------------------------------------------
# The core

# Assessments kept per epoch; the answers a category reads are few, and people give the same answers again and again.
ANALYSIS_CACHE_SIZE = 8192


@dataclass
class _Analysis:
    winner: Rule | None  # the best rule that certainly applies (may still be overtaken if not determined)
    outranked: list[Rule]  # rules that certainly apply but lose to the winner
    undecided_above: list[Rule]  # undecided rules ranked above the winner: they could still overtake it
    outcomes: dict[str, str | None]  # possible outcome -> an example rule id (None: no rule at all)
    determined: bool
    relevant: list[str]  # unanswered facts that can change the outcome
    conflict: list[Rule]  # rules tied with the winner that disagree with it (a validator error)
    # The explored completions (see _enumerate), kept so that the analyses with some of the unanswered facts
    # fixed (the disclosure assumptions) come from the same exploration. None when nothing was explored.
    leaves: list[_Leaf] | None = None
    names: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Assessment:
    headline: _Analysis  # with the unanswered disclosure facts assumed
    assumed: list[str]  # unanswered disclosure facts that can change the outcome
    better_if: list[tuple[str, _Analysis]]  # (fact, analysis with fact = not assumed) where that changes the outcome


def _cached_assessment(
    epoch: Epoch,
    category: str,
    person: Mapping[str, Any],
    assumed_person: Mapping[str, Any],
    unanswered: tuple[str, ...],
    verdicts: Mapping[int, bool | None] | None = None,
    store: dict[Any, Any] | None = None,
) -> _Assessment:
    """The assessment of one category for these answers, cached by the answers the category reads.

    `verdicts` may give every rule's verdict for `assumed_person` already; `store` is where precompute collects.
    """
    key = (category, *(person.get(name) for name in epoch.reads[category]))
    assessment = epoch.precomputed.get(key) or epoch.cache.get(key)
    if assessment is None and store is not None:
        assessment = store.get(key)
    if assessment is None:
        assessment = _assess(epoch, category, person, assumed_person, unanswered, verdicts)
        if store is not None:
            store[key] = assessment
        else:
            if len(epoch.cache) >= ANALYSIS_CACHE_SIZE:
                epoch.cache.clear()
            epoch.cache[key] = assessment
    return assessment


def _analyse_for(
    epoch: Epoch,
    category: str,
    person: Mapping[str, Any],
    verdicts: Mapping[int, bool | None] | None = None,
    explored: tuple[_Analysis, Mapping[str, Any]] | None = None,
    only: Sequence[str] | None = None,
    *,
    lazy: bool = False,
) -> _Analysis | None:
    candidates = epoch.candidates[category]
    if verdicts is None:
        verdicts = {id(rule): rule.applies(person) for rule in candidates}
    return _analyse(candidates, verdicts, person, explored, only, lazy=lazy)


def _assess(
    epoch: Epoch,
    category: str,
    person: Mapping[str, Any],
    assumed_person: Mapping[str, Any],
    unanswered: tuple[str, ...],
    verdicts: Mapping[int, bool | None] | None = None,
) -> _Assessment:
    """One category for one person: the headline analysis under the assumptions, which assumptions it rests on,
    and which single other answer to an assumed fact would change it.

    Exact, like the analysis itself. A disclosure fact is an assumption when some completion of the unanswered
    facts changes with it; a "yes" is listed in better_if when, with the other assumptions kept, some completion
    of the other unanswered facts gets a different outcome with it than without it. Usually every combination of
    the open disclosure facts is settled by ranking alone (_assess_corners); otherwise the completions of the
    person as answered (nothing assumed) are explored once, and the headline (the completions where every
    assumption holds), the assumptions and better_if are all read off that one exploration.
    """
    reads = epoch.reads[category]
    open_facts = [name for name in unanswered if name in reads]
    if not open_facts:
        return _Assessment(_analyse_for(epoch, category, assumed_person, verdicts), [], [])
    quick = _assess_corners(epoch, category, assumed_person, open_facts, verdicts)
    if quick is not None:
        return quick
    # Only the disclosure facts' relevance is wanted here: the other facts' is the headline's.
    raw = _analyse_for(epoch, category, person, only=open_facts)
    assumptions = dict.fromkeys(open_facts, DISCLOSURE_ASSUMPTION)
    headline = _analyse_for(epoch, category, assumed_person, verdicts, (raw, assumptions))
    assumed = [name for name in open_facts if name in raw.relevant]
    changes: list[tuple[str, _Analysis]] = []
    for name in assumed:
        other_value = not DISCLOSURE_ASSUMPTION
        variant = _analyse_for(epoch, category, {**assumed_person, name: other_value}, None,
                               (raw, {**assumptions, name: other_value}))
        if headline.determined and variant.determined:
            changed = next(iter(headline.outcomes)) != next(iter(variant.outcomes))
        elif len(open_facts) == 1:
            changed = True  # with no other assumption, the question is whether it is relevant at all: it is
        else:
            others = {key: value for key, value in assumptions.items() if key != name}
            if raw.leaves is not None:
                changed = bool(_settle(raw.leaves, raw.names, others, only=(name,))[1])
            else:
                without = {key: value for key, value in assumed_person.items() if key != name}
                changed = name in _analyse_for(epoch, category, without).relevant
        if changed:
            changes.append((name, variant))
    return _Assessment(headline, assumed, changes)


def _assess_corners(
    epoch: Epoch,
    category: str,
    assumed_person: Mapping[str, Any],
    open_facts: list[str],
    verdicts: Mapping[int, bool | None] | None,
) -> _Assessment | None:
    """The assessment when every "corner" (each open disclosure fact false or true, the rest as answered) is
    settled by ranking alone, without exploring completions; None when one is not (then _assess explores).

    Then each corner's outcome holds for every completion of the other unanswered facts, so a disclosure fact can
    change the outcome exactly when two corners that differ only in it have different outcomes.
    """
    if len(open_facts) > 3:
        return None
    corners: dict[tuple[bool, ...], _Analysis] = {}
    outcomes: dict[tuple[bool, ...], str] = {}
    for values in itertools.product((DISCLOSURE_ASSUMPTION, not DISCLOSURE_ASSUMPTION), repeat=len(open_facts)):
        assumed = all(value == DISCLOSURE_ASSUMPTION for value in values)
        corner_person = assumed_person if assumed else {**assumed_person, **dict(zip(open_facts, values))}
        analysis = _analyse_for(epoch, category, corner_person, verdicts if assumed else None, lazy=True)
        if analysis is None or not analysis.determined:
            return None
        corners[values] = analysis
        outcomes[values] = next(iter(analysis.outcomes))
    base = (DISCLOSURE_ASSUMPTION,) * len(open_facts)
    assumed_facts = []
    changes: list[tuple[str, _Analysis]] = []
    for index, name in enumerate(open_facts):
        if any(outcome != outcomes[values[:index] + (not values[index],) + values[index + 1:]]
               for values, outcome in outcomes.items()):
            assumed_facts.append(name)
            flipped = base[:index] + (not DISCLOSURE_ASSUMPTION,) + base[index + 1:]
            if outcomes[flipped] != outcomes[base]:
                changes.append((name, corners[flipped]))
    return _Assessment(corners[base], assumed_facts, changes)


def precompute(rulebook: Rulebook) -> None:
    """Work out, for every date range, the answers for nothing answered and for each status alone.

    Every checker starts there, and with few answers the engine has the most completions to consider; done once
    per process (a few milliseconds per rules base), so that no one waits for it.
    """
    for epoch in rulebook.epochs:
        if epoch.precomputed:
            continue
        table: dict[Any, _Assessment] = {}
        for person in ({}, *({"status": status} for status in STATUSES)):
            unanswered, assumed_person = _assume(person)
            verdicts = {id(rule): rule.applies(assumed_person) for rule in epoch.rules}
            for category in SERVICE_CATEGORIES:
                _cached_assessment(epoch, category, person, assumed_person, unanswered, verdicts, table)
        epoch.precomputed = table


def clear_caches() -> None:
    """Forget cached analyses (the benchmark measures the engine without them)."""
    for rulebook in get_rulebooks().values():
        for epoch in rulebook.epochs:
            epoch.cache.clear()


def _analyse(
    candidates: Sequence[Rule],
    verdicts: Mapping[int, bool | None],
    person: Mapping[str, Any],
    explored: tuple[_Analysis, Mapping[str, Any]] | None = None,
    only: Sequence[str] | None = None,
    *,
    lazy: bool = False,
) -> _Analysis | None:
    """What the candidates say for these answers (None if `lazy` and it would take exploring completions).

    `explored` may give an analysis of fewer answers (the person without some answers) that explored its
    completions, and the answers this person adds (`fixed`): then this person's completions are read off that
    exploration instead of being explored again. `only` limits `relevant` to those facts.
    """
    winner: Rule | None = None
    outranked: list[Rule] = []
    undecided: list[Rule] = []
    conflict: list[Rule] = []
    for rule in candidates:
        verdict = verdicts[id(rule)]
        if verdict is True:
            if winner is None:
                winner = rule
            else:
                if rule.rank[:3] == winner.rank[:3] and rule.outcome != winner.outcome:
                    conflict.append(rule)
                outranked.append(rule)
        elif verdict is None and winner is None:
            undecided.append(rule)

    outcomes: dict[str, str | None] = {}
    for rule in undecided:
        outcomes.setdefault(rule.outcome, rule.id)
    if winner is not None:
        outcomes.setdefault(winner.outcome, winner.id)
    else:
        outcomes.setdefault("unknown", None)
    if conflict:
        outcomes.setdefault("unknown", None)

    # The exact outcomes are a subset of these, so one possible outcome settles it.
    if len(outcomes) == 1 or not undecided:
        return _Analysis(winner, outranked, undecided, outcomes, len(outcomes) == 1, [], conflict)

    if lazy:
        return None
    if explored is not None and explored[0].leaves is not None:
        # The rules undecided here are undecided there too, and its leaves cover every completion of these answers.
        base, fixed = explored
        exact_outcomes, relevant = _settle(base.leaves, base.names, fixed, only)
        return _Analysis(winner, outranked, undecided, exact_outcomes, len(exact_outcomes) == 1, relevant, conflict)

    # Try every representative completion of the facts the undecided rules read.
    exact = _enumerate(undecided, winner, person)
    if exact is None:  # too many combinations: stay cautious
        missing = sorted({name for rule in undecided for name in _missing(rule, person)}, key=QUESTION_ORDER.index)
        return _Analysis(winner, outranked, undecided, outcomes, len(outcomes) == 1, missing, conflict)
    leaves, names = exact
    exact_outcomes, relevant = _settle(leaves, names, {}, only)
    return _Analysis(winner, outranked, undecided, exact_outcomes, len(exact_outcomes) == 1, relevant, conflict,
                     leaves, names)


def _missing(rule: Rule, person: Mapping[str, Any]) -> list[str]:
    """The unanswered facts that can still change whether the rule applies.

    A part of the condition that is already true or false stays so whatever else is answered (Kleene logic is
    monotonic), so only the facts of undecided parts count.
    """
    names = sorted({name for part in rule.condition_parts if part.check(person) is None for name in part.facts
                    if person.get(name) is None})
    if rule.reads_status and person.get("status") is None:
        names.append("status")
    return names


_ORDER = {name: index for index, name in enumerate(QUESTION_ORDER)}


def _first_missing(rule: Rule, person: Mapping[str, Any]) -> str:
    """The first (in QUESTION_ORDER) unanswered fact of an undecided part of the rule's condition."""
    best = None
    for part in rule.condition_parts:
        if part.check(person) is None:
            for name in part.facts:
                if person.get(name) is None and (best is None or _ORDER[name] < _ORDER[best]):
                    best = name
    if best is None:
        raise AssertionError(f"{rule.id} is not undecided")
    return best


def _domains(undecided: list[Rule], names: list[str]) -> list[tuple[Any, ...]]:
    """The values worth trying for each unanswered fact: every distinct behaviour of the undecided rules."""
    domains: list[tuple[Any, ...]] = []
    for name in names:
        if name == "status":
            # Statuses that every undecided rule treats alike are interchangeable: keep one of each kind.
            seen: dict[tuple[bool, ...], str] = {}
            for status in STATUSES:
                signature = tuple(rule.groups is None or status in rule.groups for rule in undecided)
                seen.setdefault(signature, status)
            domains.append(tuple(seen.values()))
        elif FACTS[name].kind == "boolean":
            domains.append((False, True))
        else:
            values: set[int] = set()
            for rule in undecided:
                values |= rule.representative_values.get(name, frozenset())
            domains.append(tuple(sorted(values)) or (FACTS[name].minimum or 0,))
    return domains


# A block of completions: the values it fixes (the other unanswered facts are free), its outcome, and a rule that
# gives it (None: no rule).
_Leaf = tuple[dict[str, Any], str, Rule | None]


def _enumerate(
    undecided: list[Rule], winner: Rule | None, person: Mapping[str, Any]
) -> tuple[list[_Leaf], list[str]] | None:
    """The completions of the unanswered facts, as blocks sharing an outcome; None if it would take too long.

    Explores the completions as a tree: branch on one fact at a time, and stop as soon as the rules still
    undecided in a branch all lead to one outcome. Each leaf is a block of completions (values for some of the
    facts); together they cover every completion exactly once. Returns the leaves and the unanswered facts the
    undecided rules read.
    """
    names = sorted({name for rule in undecided for name in _missing(rule, person)}, key=QUESTION_ORDER.index)
    domains = dict(zip(names, _domains(undecided, names), strict=True))
    leaves: list[_Leaf] = []
    budget = [ENUMERATION_LIMIT]

    def explore(current: dict[str, Any], fixed: dict[str, Any], rules: list[Rule], best: Rule | None) -> bool:
        budget[0] -= 1
        if budget[0] < 0:
            return False
        open_rules: list[Rule] = []
        for rule in rules:
            verdict = rule.applies(current)
            if verdict is True:
                best = rule
                break
            if verdict is None:
                open_rules.append(rule)
        outcomes = {rule.outcome for rule in open_rules} | {best.outcome if best else "unknown"}
        if len(outcomes) == 1:
            leaves.append((fixed, outcomes.pop(), best or (open_rules[0] if open_rules else None)))
            return True
        # Branch on the status first if an open rule reads it; else on the first unanswered fact of the best open
        # rule (it is open, so its condition has an undecided part).
        if current.get("status") is None and any(rule.reads_status for rule in open_rules):
            name = "status"
        else:
            name = _first_missing(open_rules[0], current)
        for value in domains[name]:
            if not explore({**current, name: value}, {**fixed, name: value}, open_rules, best):
                return False
        return True

    if not explore(dict(person), {}, undecided, winner):
        return None
    return leaves, names


def _settle(
    leaves: Sequence[_Leaf],
    names: Sequence[str],
    fixed: Mapping[str, Any],
    only: Sequence[str] | None = None,
) -> tuple[dict[str, str | None], list[str]]:
    """The exact possible outcomes of the completions that agree with `fixed`, and the facts they depend on
    (among `only`, when given).

    The leaves that agree with `fixed` (fix the same values, or leave those facts free) cover exactly those
    completions. A fact matters exactly when two of them with different outcomes fix it differently and agree on
    every other fact they both fix: then two people who differ only in that fact get different outcomes.
    """
    if fixed:
        kept = [(values, outcome, rule) for values, outcome, rule in leaves
                if all(values.get(name, value) == value for name, value in fixed.items())]
    else:
        kept = list(leaves)
    outcomes: dict[str, str | None] = {}
    for _, outcome, rule in kept:
        outcomes.setdefault(outcome, rule.id if rule is not None else None)
    open_names = [name for name in (names if only is None else only) if name not in fixed]
    if len(outcomes) < 2 or not open_names:
        return outcomes, []
    relevant = []
    for name in open_names:
        by_value: dict[Any, list[tuple[dict[str, Any], str]]] = {}
        for values, outcome, _ in kept:
            if name in values:
                by_value.setdefault(values[name], []).append((values, outcome))
        if len(by_value) > 1 and _differs_only_in(name, list(by_value.values())):
            relevant.append(name)
    return outcomes, relevant


def _differs_only_in(name: str, groups: list[list[tuple[dict[str, Any], str]]]) -> bool:
    """Do two blocks from different groups (different values of `name`) have different outcomes and agree on
    every other fact they both fix?"""
    for first_group, second_group in itertools.combinations(groups, 2):
        for first, first_outcome in first_group:
            for second, second_outcome in second_group:
                if first_outcome != second_outcome and all(
                    second.get(key, value) == value for key, value in first.items() if key != name
                ):
                    return True
    return False


def _evaluate(rulebook: Rulebook, person: dict[str, Any], on_date: dt.date) -> Evaluation:
    epoch = rulebook.epoch(on_date)
    unanswered, assumed_person = _assume(person)
    verdicts = {id(rule): rule.applies(assumed_person) for rule in epoch.rules}
    results = []
    for category in SERVICE_CATEGORIES:
        candidates = epoch.candidates[category]
        assessment = _cached_assessment(epoch, category, person, assumed_person, unanswered, verdicts)
        analysis = assessment.headline
        result = _result(rulebook, category, analysis)
        result.assumptions = [Assumption(name, DISCLOSURE_ASSUMPTION) for name in assessment.assumed]
        result.better_if = [_better_if(rulebook, category, name, variant) for name, variant in assessment.better_if]
        result.trace = _trace(candidates, epoch.not_in_force[category], verdicts, analysis, assumed_person, on_date,
                              assessment.assumed, unanswered)
        results.append(result)
    return Evaluation(rulebook.jurisdiction, on_date, person, results, rulebook.last_reviewed)


def _better_if(rulebook: Rulebook, category: str, name: str, analysis: _Analysis) -> BetterIf:
    result = _result(rulebook, category, analysis)
    return BetterIf(
        fact=name,
        value=not DISCLOSURE_ASSUMPTION,
        outcome=result.outcome,
        determined=result.determined,
        rule_id=result.rule_id,
        kind=result.kind,
        explanation=result.explanation,
        cost=result.cost,
        upfront_payment=result.upfront_payment,
        ask=result.ask,
        possible_outcomes=result.possible_outcomes if not result.determined else [],
        missing_facts=result.missing_facts,
    )


def _result(rulebook: Rulebook, category: str, analysis: _Analysis) -> CategoryResult:
    possible = [PossibleOutcome(outcome, analysis.outcomes[outcome]) for outcome in OUTCOMES if outcome in analysis.outcomes]
    if not analysis.determined:
        return CategoryResult(
            service_category=category,
            outcome="unknown",
            determined=False,
            explanation=N_("This depends on answers we do not have yet."),
            ask=rulebook.where_to_ask,
            possible_outcomes=possible,
            missing_facts=list(analysis.relevant),
        )
    if analysis.conflict:
        return CategoryResult(
            service_category=category,
            outcome="unknown",
            determined=True,
            explanation=N_("Our rules disagree about this. We are checking them."),
            ask=rulebook.where_to_ask,
            possible_outcomes=possible,
        )
    # Determined: the winner if there is one; otherwise every completion led to the same undecided rule's outcome.
    rule = analysis.winner
    if rule is None:
        example = possible[0].rule_id
        rule = rulebook.entry(example) if example else None
    if rule is None:
        return CategoryResult(
            service_category=category,
            outcome="unknown",
            determined=True,
            explanation=N_("Our rules do not cover this yet."),
            ask=rulebook.where_to_ask,
            possible_outcomes=possible,
        )
    if rule.kind == "gap":
        return CategoryResult(
            service_category=category,
            outcome="unknown",
            determined=True,
            rule_id=rule.id,
            kind="gap",
            explanation=N_("Our rules do not say yet what you can get."),
            ask=rule.ask,
            last_reviewed=rule.last_reviewed,
            reviewer=rule.reviewer,
            review=rule.review,
            taken_from=rule.taken_from,
            valid_from=rule.valid_from,
            valid_to=rule.valid_to,
            possible_outcomes=possible,
        )
    return CategoryResult(
        service_category=category,
        outcome=rule.outcome,
        determined=True,
        rule_id=rule.id,
        kind="rule",
        cost=rule.cost,
        upfront_payment=rule.upfront_payment,
        conditions=list(rule.conditions),
        documents=list(rule.documents),
        steps=list(rule.steps),
        safe_to_go=rule.safe_to_go,
        explanation=rule.explanation,
        sources=[source.as_dict() for source in rule.sources],
        confidence=rule.confidence,
        last_reviewed=rule.last_reviewed,
        reviewer=rule.reviewer,
        review=rule.review,
        taken_from=rule.taken_from,
        valid_from=rule.valid_from,
        valid_to=rule.valid_to,
        possible_outcomes=possible,
    )


def _trace(
    candidates: Sequence[Rule],
    not_in_force: Iterable[Rule],
    verdicts: Mapping[int, bool | None],
    analysis: _Analysis,
    person: Mapping[str, Any],
    on_date: dt.date,
    assumed: Sequence[str] = (),
    unanswered: Iterable[str] = (),
) -> list[TraceEntry]:
    """Every candidate rule and why it did or did not apply, for the person with the assumptions made.

    `assumed` are the assumptions the result rests on (named on the rule applied); `unanswered` are all the
    disclosure facts taken as assumed, shown as "no (assumed)" where a condition was not met.
    """
    entries: list[TraceEntry] = []
    undecided_above = {id(rule) for rule in analysis.undecided_above}
    assuming = (" (assuming " + ", ".join(f"{name} = {_show(DISCLOSURE_ASSUMPTION)}" for name in assumed) + ")"
                if assumed else "")
    unanswered = frozenset(unanswered)
    for rule in candidates:
        verdict = verdicts[id(rule)]
        if rule is analysis.winner:
            if analysis.determined:
                entries.append(TraceEntry(rule.id, rule.kind, "applied", N_("applies: %(who)s%(when)s"),
                                          {"who": _who(rule), "when": _when(rule) + assuming}))
            else:
                entries.append(TraceEntry(rule.id, rule.kind, "applied",
                                          N_("applies, but a more specific rule may apply once more is known"), {}))
        elif verdict is True:
            entries.append(TraceEntry(rule.id, rule.kind, "outranked",
                                      N_("also applies, but %(winner)s is more specific"),
                                      {"winner": analysis.winner.id if analysis.winner else "?"}))
        elif verdict is None:
            missing = ", ".join(sorted(_missing(rule, person), key=QUESTION_ORDER.index))
            message = (N_("undecided: depends on %(facts)s") if id(rule) in undecided_above
                       else N_("undecided (depends on %(facts)s), but a more specific rule applies"))
            entries.append(TraceEntry(rule.id, rule.kind, "undecided", message, {"facts": missing}))
        else:
            entries.append(_not_applicable(rule, person, unanswered))
    for rule in not_in_force:
        entries.append(TraceEntry(rule.id, rule.kind, "not-in-force", N_("not in force on %(date)s (%(period)s)"),
                                  {"date": on_date.isoformat(), "period": _period(rule)}))
    return entries


def _not_applicable(rule: Rule, person: Mapping[str, Any], assumed: frozenset[str] = frozenset()) -> TraceEntry:
    status = person.get("status")
    if rule.groups is not None and status is not None and status not in rule.groups:
        return TraceEntry(rule.id, rule.kind, "not-applicable", N_("not for status %(status)s (only for %(groups)s)"),
                          {"status": status, "groups": ", ".join(rule.groups_list)})
    for part in rule.condition_parts:
        if part.check(person) is False:
            values = ", ".join(f"{name} = {_show(person.get(name))}{' (assumed)' if name in assumed else ''}"
                               for name in part.facts)
            return TraceEntry(rule.id, rule.kind, "not-applicable", N_("condition not met: %(condition)s (%(values)s)"),
                              {"condition": part.text, "values": values})
    return TraceEntry(rule.id, rule.kind, "not-applicable", N_("condition not met: %(condition)s"),
                      {"condition": rule.when_text or "true"})


def _who(rule: Rule) -> str:
    return "everyone" if rule.groups is None else ", ".join(rule.groups_list)


def _when(rule: Rule) -> str:
    return f" when {rule.when_text}" if rule.when_text else ""


def _show(value: Any) -> str:
    if value is None:
        return "not answered"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _period(rule: Rule) -> str:
    start = rule.valid_from.isoformat() if rule.valid_from else "..."
    end = rule.valid_to.isoformat() if rule.valid_to else "..."
    return f"{start} to {end}"


def _question(rulebook: Rulebook, name: str, categories: list[str], translate: Translate) -> Question:
    text = translate(rulebook.question_text(name)).replace("{country}", rulebook.country_name)
    if name == "status":
        choices = [Choice(status, translate(STATUS_LABELS[status])) for status in STATUSES]
        return Question("status", "choice", text, categories, choices=choices)
    fact = FACTS[name]
    return Question(name, fact.kind, text, categories, minimum=fact.minimum, maximum=fact.maximum, unit=fact.unit,
                    sensitive=fact.sensitive, optional=fact.disclosure,
                    assumed=DISCLOSURE_ASSUMPTION if fact.disclosure else None)


def _translate(evaluation: Evaluation, translate: Translate) -> None:
    for result in evaluation.results:
        for name in ("cost", "safe_to_go", "explanation", "ask"):
            value = getattr(result, name)
            if value:
                setattr(result, name, translate(value))
        result.conditions = [translate(text) for text in result.conditions]
        result.documents = [translate(text) for text in result.documents]
        result.steps = [translate(text) for text in result.steps]
        for better in result.better_if:
            for name in ("cost", "explanation", "ask"):
                value = getattr(better, name)
                if value:
                    setattr(better, name, translate(value))


def category_label(category: str, translate: Translate = _identity) -> str:
    return translate(CATEGORY_LABELS[category])


def precompute_at_startup(app: object) -> None:  # noqa: ARG001 - start-up work (domains.py) takes the app
    """The checker's starting points (nothing answered, status only), worked out once per process, so that the
    first person to ask about a country does not wait for it."""
    for rulebook in jurisdictions():
        precompute(rulebook)
