"""The category rules of the needs assessment, kept as data (rules.yaml beside this module, or the file named by
`settings.assessment_rules_file`), and the tests kept beside them (rules.tests.yaml).

    rules = load_rules(settings)                  # RulesError (with file:line problems) when the file is not right
    match = rules.categorise({"housing": 4, "finances": 3})   # Match(category="critical", rule=..., used={...})

A rules file has a `version`, the four categories (lowest first, each with its meaning) and an ordered list of rules.
The first rule whose conditions hold gives the category; rules go from the highest category to the lowest, and the
last one says `otherwise: true`, so every set of answers gets exactly one category. Conditions only ever say "at
least": a score of the domain at least N, or at least `count` domains (of `among`, less `except`) scored at least N.
So raising a score never lowers the category. A domain not discussed counts as below 1.

Loading checks the file against a JSON Schema, then its meaning: unknown domains, scores out of range, duplicate
ids, categories out of order, rules that no answers could ever reach (an earlier rule always wins), categories no
rule gives. Each problem names the file and line. docs/assessments.md explains the format to a service manager.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator

from carebridge.entitlements.rulebook import Problem, RulesError, line_of, load_yaml

SHIPPED = Path(__file__).with_name("rules.yaml")
TESTS_SUFFIX = ".tests.yaml"

# The domains of a person's life the assessment covers (fixed: plans, outcomes and demo data use these keys).
DOMAINS: tuple[str, ...] = (
    "housing",
    "finances",
    "health",
    "education",
    "employment",
    "social-connections",
    "language",
    "legal",
    "safety",
)
SCORES: tuple[int, ...] = (1, 2, 3, 4)
# Lowest first: the rank of a category is its index here.
CATEGORIES: tuple[str, ...] = ("resilience", "guidance", "complex", "critical")
LANGUAGES = ("en", "ar", "fa", "uk", "fr", "es")

__all__ = ["CATEGORIES", "DOMAINS", "SCORES", "Problem", "RulesError", "Rules", "Rule", "Match", "load_rules",
           "load_file", "run_tests"]

# ---------------------------------------------------------------------------------------------------------------
# The file's schema

_TEXT = {
    "oneOf": [
        {"type": "string", "minLength": 1},
        {
            "type": "object",
            "properties": {code: {"type": "string", "minLength": 1} for code in LANGUAGES},
            "required": ["en"],
            "additionalProperties": False,
        },
    ]
}
_DOMAIN = {"type": "string"}  # checked by meaning, to name the unknown domain
_SCORE = {"type": "integer"}  # likewise, to say the range
_CONDITION = {
    "oneOf": [
        {
            "type": "object",
            "properties": {"domain": _DOMAIN, "at_least": _SCORE},
            "required": ["domain", "at_least"],
            "additionalProperties": False,
        },
        {
            "type": "object",
            "properties": {
                "count": {"type": "integer", "minimum": 1},
                "at_least": _SCORE,
                "among": {"type": "array", "items": _DOMAIN, "minItems": 1},
                "except": {"type": "array", "items": _DOMAIN, "minItems": 1},
            },
            "required": ["count", "at_least"],
            "additionalProperties": False,
        },
    ]
}
SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {
        "version": {"type": "string", "minLength": 1, "maxLength": 64},
        "categories": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"id": {"enum": list(CATEGORIES)}, "meaning": _TEXT},
                "required": ["id", "meaning"],
                "additionalProperties": False,
            },
            "minItems": len(CATEGORIES),
            "maxItems": len(CATEGORIES),
        },
        "rules": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "properties": {
                    "id": {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$", "maxLength": 64},
                    "category": {"enum": list(CATEGORIES)},
                    "explanation": _TEXT,
                    "all": {"type": "array", "items": _CONDITION, "minItems": 1},
                    "any": {"type": "array", "items": _CONDITION, "minItems": 1},
                    "otherwise": {"const": True},
                },
                "required": ["id", "category", "explanation"],
                "oneOf": [{"required": ["all"]}, {"required": ["any"]}, {"required": ["otherwise"]}],
                "additionalProperties": False,
            },
        },
    },
    "required": ["version", "categories", "rules"],
    "additionalProperties": False,
}
_VALIDATOR = Draft202012Validator(SCHEMA)


# ---------------------------------------------------------------------------------------------------------------
# The rules, loaded


@dataclass(frozen=True)
class Condition:
    """At least `count` of `domains` scored at least `at_least` (one named domain: count 1 of that domain)."""

    domains: tuple[str, ...]
    at_least: int
    count: int = 1

    def holds(self, scores: Mapping[str, int | None]) -> bool:
        return sum(1 for domain in self.domains if (scores.get(domain) or 0) >= self.at_least) >= self.count

    def used(self, scores: Mapping[str, int | None]) -> dict[str, int]:
        """The answers that made it hold."""
        return {domain: scores[domain] for domain in self.domains if (scores.get(domain) or 0) >= self.at_least}  # type: ignore[misc]

    def minimal_points(self) -> Iterable[dict[str, int]]:
        """The least answers that make it hold (one per choice of domains)."""
        for chosen in itertools.combinations(self.domains, self.count):
            yield {domain: self.at_least for domain in chosen}


@dataclass(frozen=True)
class Rule:
    id: str
    category: str
    explanation: dict[str, str]
    line: int
    all: tuple[Condition, ...] = ()
    any: tuple[Condition, ...] = ()
    otherwise: bool = False

    def holds(self, scores: Mapping[str, int | None]) -> bool:
        if self.otherwise:
            return True
        if self.all:
            return all(condition.holds(scores) for condition in self.all)
        return any(condition.holds(scores) for condition in self.any)

    def used(self, scores: Mapping[str, int | None]) -> dict[str, int]:
        found: dict[str, int] = {}
        for condition in self.all or self.any:
            if condition.holds(scores):
                found.update(condition.used(scores))
        return {domain: found[domain] for domain in DOMAINS if domain in found}

    def minimal_points(self) -> list[dict[str, int]]:
        if self.otherwise:
            return [{}]
        if self.any:
            return [point for condition in self.any for point in condition.minimal_points()]
        points: list[dict[str, int]] = [{}]
        for condition in self.all:
            points = [
                {**point, **{d: max(point.get(d, 0), s) for d, s in extra.items()}}
                for point in points
                for extra in condition.minimal_points()
            ]
        return points

    def text(self, language: str) -> str:
        return self.explanation.get(language) or self.explanation["en"]


@dataclass(frozen=True)
class Match:
    category: str
    rule: Rule
    # The domain scores the rule used (what led to the category).
    used: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Rules:
    version: str
    meanings: dict[str, dict[str, str]]
    rules: tuple[Rule, ...]
    path: str

    def categorise(self, scores: Mapping[str, int | None]) -> Match:
        for rule in self.rules:
            if rule.holds(scores):
                return Match(rule.category, rule, rule.used(scores))
        raise AssertionError("a loaded rules file always ends with an `otherwise` rule")  # pragma: no cover

    def rule(self, rule_id: str) -> Rule | None:
        return next((rule for rule in self.rules if rule.id == rule_id), None)

    def meaning(self, category: str, language: str) -> str:
        texts = self.meanings.get(category, {})
        return texts.get(language) or texts.get("en", "")

    def as_dict(self) -> dict[str, Any]:
        """The rules in force, for the API (transparency: the rules, never a person)."""

        def conditions(items: tuple[Condition, ...]) -> list[dict[str, Any]]:
            return [{"domains": list(item.domains), "at_least": item.at_least, "count": item.count} for item in items]

        return {
            "version": self.version,
            "categories": [{"id": category, "meaning": self.meanings[category]} for category in CATEGORIES],
            "rules": [
                {
                    "id": rule.id,
                    "category": rule.category,
                    "explanation": rule.explanation,
                    "all": conditions(rule.all),
                    "any": conditions(rule.any),
                    "otherwise": rule.otherwise,
                }
                for rule in self.rules
            ],
        }


# ---------------------------------------------------------------------------------------------------------------
# Loading


def _texts(value: Any) -> dict[str, str]:
    return {"en": value} if isinstance(value, str) else {str(k): str(v) for k, v in value.items()}


def _condition(raw: Mapping[str, Any], problem: Any) -> Condition | None:
    bad = False
    for name in [raw["domain"]] if "domain" in raw else [*raw.get("among", []), *raw.get("except", [])]:
        if name not in DOMAINS:
            problem(f"unknown domain {name!r} (the domains are: {', '.join(DOMAINS)})")
            bad = True
    if raw["at_least"] not in SCORES:
        problem(f"score {raw['at_least']!r} is out of range: scores go from 1 to 4")
        bad = True
    if bad:
        return None
    if "domain" in raw:
        return Condition((raw["domain"],), raw["at_least"])
    among = [d for d in DOMAINS if d in raw.get("among", DOMAINS) and d not in raw.get("except", ())]
    if raw["count"] > len(among):
        problem(f"count {raw['count']} is more than the {len(among)} domain(s) it counts among: it can never hold")
        return None
    return Condition(tuple(among), raw["at_least"], raw["count"])


def parse(document: Any, path: str) -> tuple[Rules | None, list[Problem]]:
    """The rules of a YAML document already read (with lines, see entitlements.rulebook.load_yaml)."""
    problems: list[Problem] = []

    def add(location: Iterable[Any], message: str, code: str) -> None:
        problems.append(Problem(path, line_of(document, list(location)), "error", code, message))

    for error in sorted(_VALIDATOR.iter_errors(document), key=lambda e: list(map(str, e.absolute_path))):
        where = "/".join(str(part) for part in error.absolute_path) or "the file"
        add(error.absolute_path, f"{where}: {_schema_message(error)}", "schema")
    if problems:
        return None, problems

    categories = [item["id"] for item in document["categories"]]
    if categories != list(CATEGORIES):
        add(["categories"], "the categories must be, in this order (lowest first): " + ", ".join(CATEGORIES), "categories")
    meanings = {item["id"]: _texts(item["meaning"]) for item in document["categories"]}

    rules: list[Rule] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(document["rules"]):
        line = line_of(document, ["rules", index])
        if raw["id"] in seen:
            add(["rules", index, "id"], f"rule {raw['id']!r}: the id is already used on line {seen[raw['id']]}", "duplicate-id")
        seen.setdefault(raw["id"], line)
        conditions: dict[str, list[Condition]] = {"all": [], "any": []}
        for kind in ("all", "any"):
            for number, item in enumerate(raw.get(kind, [])):
                def problem(message: str, kind: str = kind, number: int = number) -> None:
                    add(["rules", index, kind, number], f"rule {raw['id']!r}: {message}", "condition")

                condition = _condition(item, problem)
                if condition is not None:
                    conditions[kind].append(condition)
        rules.append(
            Rule(raw["id"], raw["category"], _texts(raw["explanation"]), line, tuple(conditions["all"]),
                 tuple(conditions["any"]), bool(raw.get("otherwise")))
        )
    if problems:
        return None, problems

    for index in range(1, len(rules)):
        before, rule = rules[index - 1], rules[index]
        if CATEGORIES.index(rule.category) > CATEGORIES.index(before.category):
            add(["rules", index, "category"], f"rule {rule.id!r} gives {rule.category!r} after rule {before.id!r} gave "
                f"{before.category!r}: order the rules from the highest category to the lowest", "order")
    if not rules[-1].otherwise:
        add(["rules", len(rules) - 1], "the last rule must say `otherwise: true` (the category when no other rule "
            "holds), so every set of answers gets a category", "no-otherwise")
    for index, rule in enumerate(rules):
        earlier = rules[:index]
        if not any(not any(other.holds(point) for other in earlier) for point in rule.minimal_points()):
            winner = next((other.id for other in earlier if any(other.holds(p) for p in rule.minimal_points())), "?")
            add(["rules", index], f"rule {rule.id!r} can never give its category: whenever it holds, an earlier rule "
                f"(such as {winner!r}) holds too", "unreachable")
    if problems:
        return None, problems
    given = {rule.category for rule in rules}
    for category in CATEGORIES:
        if category not in given:
            add(["rules"], f"no rule gives the category {category!r}", "category-unreachable")
    if problems:
        return None, problems
    return Rules(document["version"], meanings, tuple(rules), path), []


def _schema_message(error: Any) -> str:
    if error.validator == "additionalProperties":
        return error.message.replace("Additional properties are not allowed", "unknown key(s)")
    if error.validator == "oneOf" and isinstance(error.instance, dict) and {"id", "category"} <= set(error.instance):
        return "a rule needs exactly one of `all`, `any` or `otherwise` (and only known keys)"
    if error.validator == "oneOf":
        return ("not a valid condition or text: a condition is `domain` + `at_least`, or `count` + `at_least` "
                "(with `among` / `except`)")
    return error.message


def _read_yaml(path: Path) -> tuple[Any, list[Problem]]:
    try:
        return load_yaml(path)
    except (OSError, UnicodeDecodeError) as error:
        return None, [Problem(str(path), 1, "error", "read", f"cannot read the file: {error}")]
    except yaml.YAMLError as error:  # e.g. a control character, refused before parsing starts
        return None, [Problem(str(path), 1, "error", "yaml", f"not valid YAML: {error}")]


def load_file(path: Path) -> Rules:
    """The rules of one file, or RulesError naming each problem with its line."""
    document, problems = _read_yaml(path)
    if problems:
        raise RulesError(problems)
    rules, problems = parse(document, str(path))
    if problems or rules is None:
        raise RulesError(problems)
    return rules


_cache: dict[tuple[str, float], Rules] = {}


def rules_path(settings: Any = None) -> Path:
    configured = getattr(settings, "assessment_rules_file", None) if settings is not None else None
    return Path(configured) if configured else SHIPPED


def load_rules(settings: Any = None) -> Rules:
    """The rules in force (the settings' file or the shipped one), loaded again when the file changes."""
    path = rules_path(settings)
    key = (str(path), path.stat().st_mtime if path.exists() else 0.0)
    if key not in _cache:
        _cache.clear()
        _cache[key] = load_file(path)
    return _cache[key]


# ---------------------------------------------------------------------------------------------------------------
# The tests beside the rules


_CASE_SCHEMA = Draft202012Validator(
    {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {
                "name": {"type": "string", "minLength": 1},
                "scores": {"type": "object", "additionalProperties": {"type": ["integer", "null"]}},
                "category": {"enum": list(CATEGORIES)},
                "rule": {"type": "string"},
            },
            "required": ["name", "scores", "category"],
            "additionalProperties": False,
        },
    }
)


@dataclass(frozen=True)
class CaseResult:
    name: str
    line: int
    passed: bool
    message: str


def tests_path(rules_file: Path) -> Path:
    name = rules_file.name.removesuffix(".yaml").removesuffix(".yml")
    return rules_file.with_name(name + TESTS_SUFFIX)


def run_tests(rules: Rules, path: Path) -> tuple[list[CaseResult], list[Problem]]:
    """Each case of the tests file (answers → the category and rule expected), against `rules`."""
    document, problems = _read_yaml(path)
    if problems:
        return [], problems
    for error in _CASE_SCHEMA.iter_errors(document):
        problems.append(Problem(str(path), line_of(document, list(error.absolute_path)), "error", "schema",
                                f"{'/'.join(map(str, error.absolute_path)) or 'the file'}: {_schema_message(error)}"))
    if problems:
        return [], problems
    results = []
    for index, case in enumerate(document):
        line = line_of(document, [index])
        unknown = [d for d in case["scores"] if d not in DOMAINS]
        bad = [f"{d}: {s}" for d, s in case["scores"].items() if s is not None and s not in SCORES]
        if unknown or bad:
            message = "unknown domain(s) " + ", ".join(unknown) if unknown else "score(s) out of range " + ", ".join(bad)
            results.append(CaseResult(case["name"], line, False, message))
            continue
        match = rules.categorise(case["scores"])
        expected_rule = case.get("rule")
        if expected_rule is not None and rules.rule(expected_rule) is None:
            results.append(CaseResult(case["name"], line, False, f"no rule has the id {expected_rule!r}"))
            continue
        passed = match.category == case["category"] and (expected_rule is None or match.rule.id == expected_rule)
        message = "" if passed else (
            f"expected {case['category']}" + (f" by rule {expected_rule}" if expected_rule else "")
            + f", got {match.category} by rule {match.rule.id}"
        )
        results.append(CaseResult(case["name"], line, passed, message))
    return results, []
