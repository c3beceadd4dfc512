"""`carebridge entitlements validate`: is every rules base well formed, consistent, complete and current?

Reported, each with file and line:

- schema errors, bad conditions, duplicate ids, impossible dates (from loading, see rulebook.py);
- rules without a source, review dates in the future, reviews older than 12 months;
- rows of the facts table that no rule or gap encodes;
- ties: two equally specific rules that both apply to the same person on the same date with different outcomes;
- gaps: a status and a service category, on some date, for which no rule and no declared gap applies;
- rules and gaps that never apply, and "crossing" exceptions (see docs/entitlements.md);
- a "yes" to a disclosure fact (trafficking, torture) that makes an outcome worse: the engine assumes "no" when
  they are not answered, which is only safe if "no" is the law's base case and "yes" only opens exceptions.

The last three are exact, not sampled: conditions only compare facts with constants, so trying each boolean both
ways and each number just below, at and above every constant it is compared with covers every behaviour.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from carebridge.entitlements.rulebook import (
    RULES_DIR,
    Epoch,
    Problem,
    Rule,
    Rulebook,
    compile_directory,
)
from carebridge.entitlements.vocabulary import DISCLOSURE_FACTS, FACTS, SERVICE_CATEGORIES, STATUSES
from carebridge.kit import clock

REVIEW_INTERVAL_MONTHS = 12

# How much care an outcome gives, roughly: a disclosure fact's "yes" must never move an outcome to a higher number.
# (Limited care, care with charges and care that is billed later are not ordered among themselves.)
OUTCOME_SEVERITY: dict[str, int] = {
    "covered-free": 0,
    "covered-limited": 1,
    "covered-with-charges": 1,
    "charged-never-withheld": 1,
    "emergency-only": 2,
    "not-covered": 3,
}


def validate(rules_dir: Path | None = None, today: dt.date | None = None) -> list[Problem]:
    """Every problem in every rules base, sorted by file and line."""
    rulebooks, problems = compile_directory(rules_dir or RULES_DIR)
    for rulebook in rulebooks.values():
        problems.extend(check_rulebook(rulebook, today or clock.today()))
    return sorted(set(problems))


def check_rulebook(rulebook: Rulebook, today: dt.date) -> list[Problem]:
    problems: list[Problem] = []
    problems.extend(_check_entries(rulebook, today))
    problems.extend(_check_fact_rows(rulebook))
    problems.extend(_check_decisions(rulebook))
    return problems


def _problem(rule: Rule, level: str, code: str, message: str) -> Problem:
    return Problem(rule.path, rule.line, level, code, message)


def _months_before(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    for last_day in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last_day))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _check_entries(rulebook: Rulebook, today: dt.date) -> Iterable[Problem]:
    oldest_allowed = _months_before(today, REVIEW_INTERVAL_MONTHS)
    for entry in rulebook.entries:
        if entry.kind == "rule" and not entry.sources:
            yield _problem(entry, "error", "missing-source",
                           f"{entry.id}: a rule needs at least one source (citation and url)")
        if entry.last_reviewed > today:
            yield _problem(entry, "error", "review-date",
                           f"{entry.id}: last_reviewed {entry.last_reviewed} is after today ({today})")
        elif entry.last_reviewed < oldest_allowed:
            yield _problem(entry, "warning", "stale",
                           f"{entry.id}: last reviewed {entry.last_reviewed}, more than {REVIEW_INTERVAL_MONTHS} "
                           f"months ago; check it against its sources and update last_reviewed")
        if entry.groups is not None and len(entry.groups) == len(STATUSES):
            yield _problem(entry, "warning", "all-statuses",
                           f"{entry.id}: lists every status; write `groups: everyone` so the status is never asked")


def _check_fact_rows(rulebook: Rulebook) -> Iterable[Problem]:
    encoded = {fact_id for entry in rulebook.entries for fact_id in entry.implements}
    for row in rulebook.facts:
        if row.id not in encoded:
            yield Problem(rulebook.path, 1, "error", "fact-not-encoded",
                          f"fact row {row.id!r} is not implemented by any rule or gap")


# ---------------------------------------------------------------------------------------------------------------
# Ties, gaps, unused rules, crossing exceptions


def _coverage_start(rulebook: Rulebook) -> dt.date | None:
    """The base describes the law from its earliest rule; before that every answer is unknown by design."""
    starts = [rule.valid_from for rule in rulebook.rules]
    if not starts or any(start is None for start in starts):
        return None
    return min(starts)  # type: ignore[type-var]


def _analysed_epochs(rulebook: Rulebook) -> list[Epoch]:
    start = _coverage_start(rulebook)
    return [epoch for epoch in rulebook.epochs if start is None or epoch.end is None or epoch.end >= start]


def _domains(rules: Sequence[Rule], names: Sequence[str]) -> list[tuple[Any, ...]]:
    domains: list[tuple[Any, ...]] = []
    for name in names:
        if FACTS[name].kind == "boolean":
            domains.append((False, True))
        else:
            values: set[int] = set()
            for rule in rules:
                values |= rule.representative_values.get(name, frozenset())
            domains.append(tuple(sorted(values)))
    return domains


def _people(status: str | None, rules: Sequence[Rule]) -> Iterable[dict[str, Any]]:
    names = sorted({name for rule in rules for name in rule.facts})
    for point in itertools.product(*_domains(rules, names)):
        person: dict[str, Any] = dict(zip(names, point, strict=True))
        if status is not None:
            person["status"] = status
        yield person


def _describe(person: dict[str, Any]) -> str:
    parts = []
    for name, value in person.items():
        shown = ("yes" if value else "no") if isinstance(value, bool) else value
        parts.append(f"{name}={shown}")
    return ", ".join(parts) or "anyone"


def _period(epoch: Epoch) -> str:
    start = epoch.start.isoformat() if epoch.start else "the beginning"
    end = epoch.end.isoformat() if epoch.end else "now"
    return f"{start} to {end}"


def _is_exception_to(narrow: Rule, broad: Rule) -> bool:
    """True when everyone `narrow` applies to is also someone `broad` applies to."""
    if broad.groups is not None and (narrow.groups is None or not narrow.groups <= broad.groups):
        return False
    pair = (narrow, broad)
    return all(broad.condition(person) for person in _people(None, pair) if narrow.condition(person))


def _check_decisions(rulebook: Rulebook) -> list[Problem]:
    problems: list[Problem] = []
    applied: set[str] = set()
    reported: set[tuple[str, ...]] = set()
    for epoch in _analysed_epochs(rulebook):
        for category in SERVICE_CATEGORIES:
            candidates = epoch.candidates[category]
            uncovered: dict[str, dict[str, Any]] = {}  # status -> an example person
            for status in STATUSES:
                relevant = [rule for rule in candidates if rule.groups is None or status in rule.groups]
                decided: dict[tuple[Any, ...], Rule | None] = {}
                for person in _people(status, relevant):
                    matching = [rule for rule in relevant if rule.condition(person) is True]
                    decided[tuple(sorted(person.items()))] = matching[0] if matching else None
                    if not matching:
                        uncovered.setdefault(status, person)
                        continue
                    winner = matching[0]
                    applied.add(winner.id)
                    for other in matching[1:]:
                        problems.extend(_compare(winner, other, category, epoch, person, reported))
                problems.extend(_check_disclosures(decided, category, epoch, reported))
            if uncovered:
                example = next(iter(uncovered.values()))
                problems.append(Problem(
                    rulebook.path, 1, "error", "gap",
                    f"no rule and no declared gap for {category} on {_period(epoch)} for status "
                    f"{', '.join(uncovered)} (for example {_describe(example)}); add a rule, or list it under "
                    f"`gaps:` with what to ask",
                ))
    for entry in rulebook.entries:
        if entry.id not in applied and any(e for e in _analysed_epochs(rulebook) if entry in e.rules):
            what = "gap is covered by rules everywhere; remove it" if entry.kind == "gap" else (
                "rule never applies: for everyone it matches, a more specific rule wins")
            problems.append(_problem(entry, "warning", "unused", f"{entry.id}: {what}"))
    return problems


def _check_disclosures(
    decided: dict[tuple[Any, ...], Rule | None], category: str, epoch: Epoch, reported: set[tuple[str, ...]]
) -> Iterable[Problem]:
    """People who differ only in a disclosure fact: the "yes" must not get less care than the "no"."""
    for key, no_rule in decided.items():
        person = dict(key)
        for name in DISCLOSURE_FACTS:
            if person.get(name) is not False:
                continue
            yes_rule = decided.get(tuple(sorted({**person, name: True}.items())))
            if no_rule is None or yes_rule is None or no_rule.kind != "rule" or yes_rule.kind != "rule":
                continue
            if OUTCOME_SEVERITY[yes_rule.outcome] <= OUTCOME_SEVERITY[no_rule.outcome]:
                continue
            marker = ("disclosure", yes_rule.id, no_rule.id, name)
            if marker in reported:
                continue
            reported.add(marker)
            yield _problem(yes_rule, "error", "disclosure-worse",
                           f"{yes_rule.id} gives {yes_rule.outcome} for {category} when {name} is yes, but "
                           f"{no_rule.id} gives {no_rule.outcome} when it is no (for example {_describe(person)}, "
                           f"on {_period(epoch)}); the engine assumes no when {name} is not answered, so it would "
                           f"promise more than the law gives. A disclosure fact may only open exceptions in the "
                           f"person's favour (docs/entitlements.md, \"Disclosure facts and assumptions\")")


def _compare(
    winner: Rule, other: Rule, category: str, epoch: Epoch, person: dict[str, Any], reported: set[tuple[str, ...]]
) -> Iterable[Problem]:
    if other.rank[:3] == winner.rank[:3]:
        key = ("tie", winner.id, other.id)
        if key in reported:
            return
        reported.add(key)
        if other.outcome != winner.outcome:
            yield _problem(winner, "error", "tie",
                           f"{winner.id} (line {winner.line}) and {other.id} (line {other.line}) are equally specific "
                           f"and both apply to {_describe(person)} for {category} on {_period(epoch)}, with "
                           f"different outcomes ({winner.outcome} / {other.outcome}); make one more specific or stop "
                           f"them overlapping")
        elif winner.kind == "rule":
            yield _problem(winner, "warning", "tie-same-outcome",
                           f"{winner.id} and {other.id} (line {other.line}) are equally specific and both apply to "
                           f"{_describe(person)} for {category}; the first in the file is shown")
        return
    if winner.kind != "rule" or other.kind != "rule" or other.outcome == winner.outcome or other.when_text is None:
        return
    key = ("crossing", winner.id, other.id)
    if key in reported:
        return
    reported.add(key)
    if not _is_exception_to(winner, other):
        yield _problem(other, "warning", "crossing",
                       f"{winner.id} (line {winner.line}) overrides {other.id} for {_describe(person)} only by ranking, "
                       f"but is not an exception to it (it also applies to people {other.id} does not); check the "
                       f"order is intended, or stop the two overlapping")
