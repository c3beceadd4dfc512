"""A small, safe condition language for entitlement rules.

Rule files write conditions as short sentences a legal adviser can read::

    receives_asylum_support and months_in_country >= 36
    not trafficking_victim and (age < 18 or unaccompanied_minor)

Each condition is parsed (by hand, never `eval`) into a JsonLogic tree, the interchange form the API publishes::

    {"and": [{"var": "receives_asylum_support"}, {">=": [{"var": "months_in_country"}, 36]}]}

The subset: `and`, `or`, `!` (not), `var`, the comparisons `<` `<=` `>` `>=` `==` `!=` between one fact and one
literal, and the literals true, false and whole numbers. Rule files may also write the JsonLogic form directly.

Evaluation is three-valued (Kleene): a fact that has not been answered is unknown, and so is any comparison with
it; `false and unknown` is false, `true or unknown` is true, otherwise unknown spreads. Python's None stands for
unknown. docs/entitlements.md is the user's guide to this module.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from carebridge.entitlements.vocabulary import FACTS

Expression = Any  # a JsonLogic tree: bool | {"var": str} | {op: [...]}
TruthValue = bool | None
Person = Mapping[str, Any]

COMPARISONS: tuple[str, ...] = ("<", "<=", ">", ">=", "==", "!=")
CONNECTIVES: tuple[str, ...] = ("and", "or", "!")
KEYWORDS = {"and", "or", "not", "true", "false"}


class ExpressionError(ValueError):
    """A condition that cannot be parsed or does not make sense; `column` is 1-based when known."""

    def __init__(self, message: str, column: int | None = None):
        self.message = message
        self.column = column
        super().__init__(f"{message} (at column {column})" if column else message)


# ---------------------------------------------------------------------------------------------------------------
# Text form -> tree

_TOKEN = re.compile(r"\s*(?:(?P<number>-?\d+)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<op><=|>=|==|!=|<|>|\(|\)))")


@dataclass(frozen=True)
class _Token:
    kind: str  # number | name | keyword | op | end
    text: str
    column: int


def _tokenise(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position >= len(text):
            break
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            raise ExpressionError(f"unexpected character {text[position]!r}", position + 1)
        kind = match.lastgroup or "op"
        value = match.group(kind)
        column = match.start(kind) + 1
        if kind == "name" and value in KEYWORDS:
            kind = "keyword"
        tokens.append(_Token(kind, value, column))
        position = match.end()
    tokens.append(_Token("end", "", len(text) + 1))
    return tokens


class _Parser:
    def __init__(self, text: str):
        self.tokens = _tokenise(text)
        self.index = 0

    def peek(self) -> _Token:
        return self.tokens[self.index]

    def take(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def parse(self) -> Expression:
        if self.peek().kind == "end":
            raise ExpressionError("the condition is empty", 1)
        tree = self.disjunction()
        token = self.peek()
        if token.kind != "end":
            raise ExpressionError(f"unexpected {token.text!r}; expected 'and', 'or' or the end", token.column)
        return tree

    def disjunction(self) -> Expression:
        parts = [self.conjunction()]
        while self.peek().kind == "keyword" and self.peek().text == "or":
            self.take()
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else {"or": parts}

    def conjunction(self) -> Expression:
        parts = [self.negation()]
        while self.peek().kind == "keyword" and self.peek().text == "and":
            self.take()
            parts.append(self.negation())
        return parts[0] if len(parts) == 1 else {"and": parts}

    def negation(self) -> Expression:
        token = self.peek()
        if token.kind == "keyword" and token.text == "not":
            self.take()
            return {"!": [self.negation()]}
        return self.primary()

    def primary(self) -> Expression:
        token = self.peek()
        if token.kind == "op" and token.text == "(":
            self.take()
            inner = self.disjunction()
            closing = self.take()
            if closing.text != ")":
                raise ExpressionError("a '(' is not closed", closing.column)
            return inner
        left = self.operand()
        token = self.peek()
        if token.kind == "op" and token.text in COMPARISONS:
            self.take()
            right = self.operand()
            return {token.text: [left, right]}
        return left

    def operand(self) -> Expression:
        token = self.take()
        if token.kind == "number":
            return int(token.text)
        if token.kind == "keyword" and token.text in ("true", "false"):
            return token.text == "true"
        if token.kind == "name":
            return {"var": token.text}
        if token.kind == "end":
            raise ExpressionError("the condition stops too early", token.column)
        raise ExpressionError(f"unexpected {token.text!r}; expected a fact, a number, true or false", token.column)


def parse(text: str) -> Expression:
    """Parse the text form into a JsonLogic tree (structure only; `check` tests names and types)."""
    if not isinstance(text, str):
        raise ExpressionError("a condition must be text")
    return _Parser(text).parse()


# ---------------------------------------------------------------------------------------------------------------
# Tree -> text form

_PRECEDENCE = {"or": 1, "and": 2, "!": 3}


def _node_op(node: Expression) -> str | None:
    return next(iter(node)) if isinstance(node, dict) and len(node) == 1 else None


def to_text(node: Expression) -> str:
    """The text form of a tree; `parse(to_text(tree)) == tree` for every well-formed tree."""
    op = _node_op(node)
    if isinstance(node, bool):
        return "true" if node else "false"
    if isinstance(node, int):
        return str(node)
    if op == "var":
        return node["var"]
    if op in ("and", "or"):
        return f" {op} ".join(_wrapped(child, _PRECEDENCE[op] + 1) for child in node[op])
    if op == "!":
        return "not " + _wrapped(node["!"][0], _PRECEDENCE["!"])
    if op in COMPARISONS:
        left, right = node[op]
        return f"{to_text(left)} {op} {to_text(right)}"
    raise ExpressionError(f"not a condition: {node!r}")


def _wrapped(node: Expression, minimum: int) -> str:
    op = _node_op(node)
    precedence = _PRECEDENCE.get(op or "", 4)
    text = to_text(node)
    return f"({text})" if precedence < minimum else text


# ---------------------------------------------------------------------------------------------------------------
# JsonLogic input -> checked tree


def normalise(node: Any, path: str = "") -> Expression:
    """Check the shape of a JsonLogic tree written by hand and return it in canonical form."""
    if isinstance(node, bool) or (isinstance(node, int) and not isinstance(node, bool)):
        return node
    if not isinstance(node, dict) or len(node) != 1:
        raise ExpressionError(f"{path or 'condition'}: expected true, false, a number or a one-key mapping")
    op, args = next(iter(node.items()))
    if op == "var":
        if not isinstance(args, str):
            raise ExpressionError(f"{path}/var: the fact name must be text")
        return {"var": args}
    if op == "!":
        if not isinstance(args, list):
            args = [args]
        if len(args) != 1:
            raise ExpressionError(f"{path}/!: 'not' takes exactly one condition")
        return {"!": [normalise(args[0], f"{path}/!/0")]}
    if op in ("and", "or"):
        if not isinstance(args, list) or len(args) < 2:
            raise ExpressionError(f"{path}/{op}: '{op}' takes a list of at least two conditions")
        return {op: [normalise(arg, f"{path}/{op}/{i}") for i, arg in enumerate(args)]}
    if op in COMPARISONS:
        if not isinstance(args, list) or len(args) != 2:
            raise ExpressionError(f"{path}/{op}: a comparison takes exactly two values")
        for i, arg in enumerate(args):
            if not (isinstance(arg, (bool, int)) or (isinstance(arg, dict) and list(arg) == ["var"])):
                raise ExpressionError(f"{path}/{op}/{i}: compare a fact ({{var: name}}) with a number, true or false")
        return {op: [normalise(arg, f"{path}/{op}/{i}") for i, arg in enumerate(args)]}
    raise ExpressionError(f"{path or 'condition'}: unknown operator {op!r}; allowed: and, or, !, var, "
                          + ", ".join(COMPARISONS))


def from_source(source: Any) -> Expression:
    """A condition as written in a rule file: text, or a JsonLogic mapping."""
    if isinstance(source, str):
        return parse(source)
    return normalise(source)


# ---------------------------------------------------------------------------------------------------------------
# Type checking


@dataclass(frozen=True)
class CheckedExpression:
    tree: Expression
    facts: frozenset[str]
    # For integer facts: the values either side of every number they are compared with. Together with the
    # domain minimum, these represent every distinct behaviour of the condition (used by the validator and to
    # decide whether an unanswered fact can still change an outcome).
    representative_values: Mapping[str, frozenset[int]]


def check(tree: Expression) -> CheckedExpression:
    """Check fact names and types; raise ExpressionError with a plain explanation of the first problem."""
    facts: set[str] = set()
    values: dict[str, set[int]] = {}

    def visit(node: Expression, needs_condition: bool = True) -> None:
        op = _node_op(node)
        if isinstance(node, bool):
            return
        if isinstance(node, int):
            raise ExpressionError(f"the number {node} on its own is not a condition; compare a fact with it")
        if op == "var":
            fact = _fact(node["var"])
            if fact.kind != "boolean":
                raise ExpressionError(
                    f"{fact.name} is a number; compare it with one, for example {fact.name} >= 3"
                )
            facts.add(fact.name)
            return
        if op in ("and", "or", "!"):
            for child in node[op]:
                visit(child)
            return
        if op in COMPARISONS:
            left, right = node[op]
            variables = [side for side in (left, right) if _node_op(side) == "var"]
            literals = [side for side in (left, right) if _node_op(side) != "var"]
            if len(variables) != 1:
                raise ExpressionError(f"compare one fact with one value, not {to_text(node)!r}")
            fact = _fact(variables[0]["var"])
            literal = literals[0]
            if fact.kind == "boolean":
                if not isinstance(literal, bool) or op not in ("==", "!="):
                    raise ExpressionError(
                        f"{fact.name} is true or false; write {fact.name} or not {fact.name}"
                    )
            elif isinstance(literal, bool) or not isinstance(literal, int):
                raise ExpressionError(f"{fact.name} is a number; compare it with a whole number")
            else:
                values.setdefault(fact.name, set()).update((literal - 1, literal, literal + 1))
            facts.add(fact.name)
            return
        raise ExpressionError(f"not a condition: {node!r}")

    visit(tree)
    clipped: dict[str, frozenset[int]] = {}
    for name, numbers in values.items():
        fact = FACTS[name]
        low = fact.minimum if fact.minimum is not None else min(numbers)
        high = fact.maximum if fact.maximum is not None else max(numbers)
        clipped[name] = frozenset({low} | {n for n in numbers if low <= n <= high})
    return CheckedExpression(tree, frozenset(facts), clipped)


def _fact(name: str):  # noqa: ANN202
    if name == "status":
        raise ExpressionError("conditions cannot test the status; list statuses under `groups:` instead")
    fact = FACTS.get(name)
    if fact is None:
        raise ExpressionError(f"unknown fact {name!r}; known facts: {', '.join(FACTS)}")
    return fact


# ---------------------------------------------------------------------------------------------------------------
# Evaluation


def evaluate(tree: Expression, person: Person) -> TruthValue:
    """Three-valued evaluation, straight from the tree (the reference the compiled form is tested against)."""
    op = _node_op(tree)
    if isinstance(tree, bool):
        return tree
    if op == "var":
        return person.get(tree["var"])
    if op == "!":
        value = evaluate(tree["!"][0], person)
        return None if value is None else not value
    if op == "and":
        values = [evaluate(child, person) for child in tree["and"]]
        return False if False in values else (None if None in values else True)
    if op == "or":
        values = [evaluate(child, person) for child in tree["or"]]
        return True if True in values else (None if None in values else False)
    if op in COMPARISONS:
        left, right = (_operand(side, person) for side in tree[op])
        if left is None or right is None:
            return None
        return _COMPARE[op](left, right)
    raise ExpressionError(f"not a condition: {tree!r}")


def _operand(node: Expression, person: Person) -> Any:
    return person.get(node["var"]) if _node_op(node) == "var" else node


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}

Compiled = Callable[[Person], TruthValue]


def compile_expression(tree: Expression) -> Compiled:
    """A fast closure with the same meaning as `evaluate(tree, person)`."""
    op = _node_op(tree)
    if isinstance(tree, bool):
        constant = tree
        return lambda person: constant
    if op == "var":
        name = tree["var"]
        return lambda person: person.get(name)
    if op == "!":
        inner = compile_expression(tree["!"][0])

        def negate(person: Person) -> TruthValue:
            value = inner(person)
            return None if value is None else not value

        return negate
    if op == "and":
        parts = tuple(compile_expression(child) for child in tree["and"])

        def conjunction(person: Person) -> TruthValue:
            result: TruthValue = True
            for part in parts:
                value = part(person)
                if value is False:
                    return False
                if value is None:
                    result = None
            return result

        return conjunction
    if op == "or":
        parts = tuple(compile_expression(child) for child in tree["or"])

        def disjunction(person: Person) -> TruthValue:
            result: TruthValue = False
            for part in parts:
                value = part(person)
                if value is True:
                    return True
                if value is None:
                    result = None
            return result

        return disjunction
    if op in COMPARISONS:
        left, right = tree[op]
        compare = _COMPARE[op]
        if _node_op(left) == "var" and _node_op(right) != "var":
            name, literal = left["var"], right

            def fact_then_value(person: Person) -> TruthValue:
                value = person.get(name)
                return None if value is None else compare(value, literal)

            return fact_then_value
        if _node_op(right) == "var" and _node_op(left) != "var":
            name, literal = right["var"], left

            def value_then_fact(person: Person) -> TruthValue:
                value = person.get(name)
                return None if value is None else compare(literal, value)

            return value_then_fact
        return lambda person: evaluate(tree, person)
    raise ExpressionError(f"not a condition: {tree!r}")


def conjuncts(tree: Expression) -> list[Expression]:
    """The parts of a top-level `and` (or the tree itself), for explaining which part failed."""
    return list(tree["and"]) if _node_op(tree) == "and" else [tree]
