"""The entitlements engine: what care a person can get in a jurisdiction on a date, and what to ask next.

`evaluate` answers, for every service category, with the rule that applies and everything it says (cost,
documents, steps, sources, confidence, review date), plus a trace of every rule it looked at and why it did or did
not apply. Missing answers are handled in three-valued logic: a rule that depends on an unanswered fact is
"undecided", and a category whose result could still change is reported as `unknown`, listing the possible outcomes
and the facts that would settle it. It never picks an answer the person's facts do not support.

`next_question` returns a question whose answer can change at least one outcome, or None when nothing can.
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
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    possible_outcomes: list[PossibleOutcome] = field(default_factory=list)
    missing_facts: list[str] = field(default_factory=list)
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
    translate: Translate | None = None,
    rules_dir: Path | None = None,
) -> Question | None:
    """A question whose answer can change at least one outcome, or None if no answer can change anything."""
    rulebook = get_rulebook(jurisdiction, rules_dir)
    try:
        person = clean_person(answers)
    except InvalidPerson as error:
        raise invalid_person(error) from error
    relevant = relevant_facts(rulebook, person, on_date)
    if not relevant:
        return None
    order = {name: index for index, name in enumerate(QUESTION_ORDER)}

    def left_to_ask(name: str) -> float:
        # How much would still be open after this answer, on average over its possible answers: asking
        # "do you get asylum benefits?" first can settle everything at once when the answer is no.
        values = _answer_values(rulebook, name, on_date)
        total = 0
        for value in values:
            after = relevant_facts(rulebook, {**person, name: value}, on_date)
            total += sum(len(categories) for categories in after.values())
        return total / len(values)

    def priority(name: str) -> tuple[bool, float, int, int]:
        # Sensitive questions (trafficking, torture) only when nothing else can help.
        sensitive = name != "status" and FACTS[name].sensitive
        return (sensitive, left_to_ask(name), -len(relevant[name]), order[name])

    best = min(relevant, key=priority)
    return _question(rulebook, best, relevant[best], translate or _identity)


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
    """For each unanswered fact (or the status) whose answer can change some outcome: the categories it changes."""
    epoch = rulebook.epoch(on_date)
    verdicts = {id(rule): rule.applies(person) for rule in epoch.rules}
    relevant: dict[str, list[str]] = {}
    for category in SERVICE_CATEGORIES:
        analysis = _cached_analysis(epoch, category, verdicts, person)
        for name in analysis.relevant:
            relevant.setdefault(name, []).append(category)
    return relevant


# ---------------------------------------------------------------------------------------------------------------
# The core

# Analyses kept per epoch; the answers a category reads are few, and people give the same answers again and again.
ANALYSIS_CACHE_SIZE = 8192


def _cached_analysis(
    epoch: Epoch, category: str, verdicts: Mapping[int, bool | None], person: Mapping[str, Any]
) -> _Analysis:
    key = (category, *(person.get(name) for name in epoch.reads[category]))
    analysis = epoch.precomputed.get(key) or epoch.cache.get(key)
    if analysis is None:
        analysis = _analyse(epoch.candidates[category], verdicts, person)
        if len(epoch.cache) >= ANALYSIS_CACHE_SIZE:
            epoch.cache.clear()
        epoch.cache[key] = analysis
    return analysis


def precompute(rulebook: Rulebook) -> None:
    """Work out, for every date range, the answers for nothing answered and for each status alone.

    Every checker starts there, and with few answers the engine has the most completions to consider; done once
    per process (a few milliseconds per rules base), so that no one waits for it.
    """
    for epoch in rulebook.epochs:
        if epoch.precomputed:
            continue
        table: dict[Any, _Analysis] = {}
        for person in ({}, *({"status": status} for status in STATUSES)):
            verdicts = {id(rule): rule.applies(person) for rule in epoch.rules}
            for category in SERVICE_CATEGORIES:
                key = (category, *(person.get(name) for name in epoch.reads[category]))
                if key not in table:
                    table[key] = _analyse(epoch.candidates[category], verdicts, person)
        epoch.precomputed = table


def clear_caches() -> None:
    """Forget cached analyses (the benchmark measures the engine without them)."""
    for rulebook in get_rulebooks().values():
        for epoch in rulebook.epochs:
            epoch.cache.clear()


@dataclass
class _Analysis:
    winner: Rule | None  # the best rule that certainly applies (may still be overtaken if not determined)
    outranked: list[Rule]  # rules that certainly apply but lose to the winner
    undecided_above: list[Rule]  # undecided rules ranked above the winner: they could still overtake it
    outcomes: dict[str, str | None]  # possible outcome -> an example rule id (None: no rule at all)
    determined: bool
    relevant: list[str]  # unanswered facts that can change the outcome
    conflict: list[Rule]  # rules tied with the winner that disagree with it (a validator error)


def _analyse(
    candidates: Sequence[Rule],
    verdicts: Mapping[int, bool | None],
    person: Mapping[str, Any],
) -> _Analysis:
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

    # Try every representative completion of the facts the undecided rules read.
    exact = _enumerate(undecided, winner, person)
    if exact is None:  # too many combinations: stay cautious
        missing = sorted({name for rule in undecided for name in _missing(rule, person)}, key=QUESTION_ORDER.index)
        return _Analysis(winner, outranked, undecided, outcomes, len(outcomes) == 1, missing, conflict)
    exact_outcomes, relevant = exact
    determined = len(exact_outcomes) == 1
    return _Analysis(winner, outranked, undecided, exact_outcomes, determined, relevant, conflict)


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


def _enumerate(
    undecided: list[Rule], winner: Rule | None, person: Mapping[str, Any]
) -> tuple[dict[str, str | None], list[str]] | None:
    """The exact possible outcomes, and the unanswered facts they depend on; None if it would take too long.

    Explores the completions of the unanswered facts as a tree: branch on one fact at a time, and stop as soon as
    the rules still undecided in a branch all lead to one outcome. Each leaf is a block of completions (values for
    some of the facts) sharing an outcome; a fact matters exactly when two leaves with different outcomes agree on
    every other fact they both fix.
    """
    names = sorted({name for rule in undecided for name in _missing(rule, person)}, key=QUESTION_ORDER.index)
    domains = dict(zip(names, _domains(undecided, names), strict=True))
    leaves: list[tuple[dict[str, Any], str, Rule | None]] = []
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
        missing = {name for rule in open_rules for name in _missing(rule, current)}
        first = _missing(open_rules[0], current)
        name = "status" if "status" in missing else min(first or missing, key=QUESTION_ORDER.index)
        for value in domains[name]:
            if not explore({**current, name: value}, {**fixed, name: value}, open_rules, best):
                return False
        return True

    if not explore(dict(person), {}, undecided, winner):
        return None
    outcomes: dict[str, str | None] = {}
    for _, outcome, rule in leaves:
        outcomes.setdefault(outcome, rule.id if rule is not None else None)
    found: set[str] = set()
    if len(outcomes) > 1:
        by_outcome: dict[str, list[dict[str, Any]]] = {}
        for fixed, outcome, _ in leaves:
            by_outcome.setdefault(outcome, []).append(fixed)
        for first_group, second_group in itertools.combinations(by_outcome.values(), 2):
            for first, second in itertools.product(first_group, second_group):
                # Disjoint blocks always disagree on some fact they both fix; if on exactly one, two people who
                # differ only in that fact get different outcomes.
                differing = [name for name, value in first.items() if name in second and second[name] != value]
                if len(differing) == 1:
                    found.add(differing[0])
            if len(found) == len(names):
                break
    return outcomes, [name for name in names if name in found]


def _evaluate(rulebook: Rulebook, person: dict[str, Any], on_date: dt.date) -> Evaluation:
    epoch = rulebook.epoch(on_date)
    verdicts = {id(rule): rule.applies(person) for rule in epoch.rules}
    results = []
    for category in SERVICE_CATEGORIES:
        candidates = epoch.candidates[category]
        analysis = _cached_analysis(epoch, category, verdicts, person)
        result = _result(rulebook, category, analysis)
        result.trace = _trace(candidates, epoch.not_in_force[category], verdicts, analysis, person, on_date)
        results.append(result)
    return Evaluation(rulebook.jurisdiction, on_date, person, results, rulebook.last_reviewed)


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
) -> list[TraceEntry]:
    entries: list[TraceEntry] = []
    undecided_above = {id(rule) for rule in analysis.undecided_above}
    for rule in candidates:
        verdict = verdicts[id(rule)]
        if rule is analysis.winner:
            if analysis.determined:
                entries.append(TraceEntry(rule.id, rule.kind, "applied", N_("applies: %(who)s%(when)s"),
                                          {"who": _who(rule), "when": _when(rule)}))
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
            entries.append(_not_applicable(rule, person))
    for rule in not_in_force:
        entries.append(TraceEntry(rule.id, rule.kind, "not-in-force", N_("not in force on %(date)s (%(period)s)"),
                                  {"date": on_date.isoformat(), "period": _period(rule)}))
    return entries


def _not_applicable(rule: Rule, person: Mapping[str, Any]) -> TraceEntry:
    status = person.get("status")
    if rule.groups is not None and status is not None and status not in rule.groups:
        return TraceEntry(rule.id, rule.kind, "not-applicable", N_("not for status %(status)s (only for %(groups)s)"),
                          {"status": status, "groups": ", ".join(rule.groups_list)})
    for part in rule.condition_parts:
        if part.check(person) is False:
            values = ", ".join(f"{name} = {_show(person.get(name))}" for name in part.facts)
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
    return Question(name, fact.kind, text, categories, minimum=fact.minimum, maximum=fact.maximum, unit=fact.unit)


def _translate(evaluation: Evaluation, translate: Translate) -> None:
    for result in evaluation.results:
        for name in ("cost", "safe_to_go", "explanation", "ask"):
            value = getattr(result, name)
            if value:
                setattr(result, name, translate(value))
        result.conditions = [translate(text) for text in result.conditions]
        result.documents = [translate(text) for text in result.documents]
        result.steps = [translate(text) for text in result.steps]


def category_label(category: str, translate: Translate = _identity) -> str:
    return translate(CATEGORY_LABELS[category])
