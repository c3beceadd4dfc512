"""The condition language: parsing, printing, type checks and three-valued evaluation."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carebridge.entitlements import expressions
from carebridge.entitlements.expressions import ExpressionError
from carebridge.entitlements.vocabulary import FACTS

BOOLEAN_FACTS = sorted(name for name, fact in FACTS.items() if fact.kind == "boolean")
INTEGER_FACTS = sorted(name for name, fact in FACTS.items() if fact.kind == "integer")


def test_parses_the_plain_text_form_into_jsonlogic():
    tree = expressions.parse("receives_asylum_support and months_in_country >= 36")
    assert tree == {"and": [{"var": "receives_asylum_support"}, {">=": [{"var": "months_in_country"}, 36]}]}


def test_not_binds_tighter_than_and_which_binds_tighter_than_or():
    tree = expressions.parse("not pregnant and age < 18 or trafficking_victim")
    assert tree == {"or": [
        {"and": [{"!": [{"var": "pregnant"}]}, {"<": [{"var": "age"}, 18]}]},
        {"var": "trafficking_victim"},
    ]}


def test_parentheses_group_and_are_kept_when_printed():
    text = "not (age < 18 and unaccompanied_minor)"
    assert expressions.to_text(expressions.parse(text)) == text


@pytest.mark.parametrize(
    ("text", "column"),
    [("age <", 6), ("(pregnant", 10), ("pregnant pregnant", 10), ("age $ 3", 5), ("", 1)],
)
def test_syntax_errors_say_where(text, column):
    with pytest.raises(ExpressionError) as caught:
        expressions.parse(text)
    assert caught.value.column == column


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("months_in_country", "is a number"),
        ("pregnant > 3", "true or false"),
        ("age < true", "whole number"),
        ("hair_colour", "unknown fact"),
        ("status == 3", "groups"),
        ("3", "on its own"),
        ("age < months_in_country", "one fact with one value"),
    ],
)
def test_type_errors_are_explained(text, message):
    with pytest.raises(ExpressionError, match=message):
        expressions.check(expressions.parse(text))


def test_jsonlogic_is_accepted_and_checked():
    tree = expressions.from_source({"and": [{"var": "pregnant"}, {"!": {"var": "has_health_insurance"}}]})
    assert expressions.check(tree).facts == {"pregnant", "has_health_insurance"}
    with pytest.raises(ExpressionError, match="unknown operator"):
        expressions.from_source({"eval": "__import__('os')"})
    with pytest.raises(ExpressionError):
        expressions.from_source({"<": [{"and": [True, False]}, 3]})


def test_representative_values_bracket_every_constant():
    checked = expressions.check(expressions.parse("age < 18 and months_in_country >= 3"))
    assert checked.representative_values["age"] == {0, 17, 18, 19}
    assert checked.representative_values["months_in_country"] == {0, 2, 3, 4}


# ---------------------------------------------------------------------------------------------------------------
# Properties

leaves = st.one_of(
    st.builds(lambda name: {"var": name}, st.sampled_from(BOOLEAN_FACTS)),
    st.builds(
        lambda name, op, value, flipped: {op: [value, {"var": name}] if flipped else [{"var": name}, value]},
        st.sampled_from(INTEGER_FACTS),
        st.sampled_from(expressions.COMPARISONS),
        st.integers(-2, 40),
        st.booleans(),
    ),
    st.builds(
        lambda name, op, value: {op: [{"var": name}, value]},
        st.sampled_from(BOOLEAN_FACTS), st.sampled_from(["==", "!="]), st.booleans(),
    ),
    st.booleans(),
)
trees = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.builds(lambda c: {"!": [c]}, children),
        st.builds(lambda cs: {"and": cs}, st.lists(children, min_size=2, max_size=3)),
        st.builds(lambda cs: {"or": cs}, st.lists(children, min_size=2, max_size=3)),
    ),
    max_leaves=8,
)


def fact_values(name):
    return st.booleans() if FACTS[name].kind == "boolean" else st.integers(0, 40)


complete_people = st.fixed_dictionaries({name: fact_values(name) for name in FACTS})
partial_people = st.fixed_dictionaries({}, optional={name: fact_values(name) for name in FACTS})


def two_valued(tree, person):
    """A plain two-valued reading, written independently of the module, for complete answers."""
    if isinstance(tree, bool):
        return tree
    (op, args), = tree.items()
    if op == "var":
        return person[args]
    if op == "!":
        return not two_valued(args[0], person)
    if op == "and":
        return all(two_valued(a, person) for a in args)
    if op == "or":
        return any(two_valued(a, person) for a in args)
    left, right = (person[a["var"]] if isinstance(a, dict) else a for a in args)
    return {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right,
            "==": left == right, "!=": left != right}[op]


@given(trees)
def test_printing_then_parsing_gives_the_same_tree(tree):
    assert expressions.parse(expressions.to_text(tree)) == tree


@given(trees)
def test_generated_trees_type_check(tree):
    expressions.check(tree)


@given(trees, complete_people)
def test_complete_answers_give_the_plain_two_valued_answer(tree, person):
    assert expressions.evaluate(tree, person) is two_valued(tree, person)
    assert expressions.compile_expression(tree)(person) is two_valued(tree, person)


@given(trees, partial_people)
def test_compiled_and_reference_evaluation_agree(tree, person):
    assert expressions.compile_expression(tree)(person) == expressions.evaluate(tree, person)


@given(trees, partial_people, complete_people)
def test_a_decided_answer_never_changes_when_more_is_answered(tree, partial, filler):
    """Kleene logic is monotonic: true or false with some facts stays so whatever the rest turn out to be."""
    known = expressions.evaluate(tree, partial)
    completed = {**filler, **partial}
    if known is not None:
        assert expressions.evaluate(tree, completed) is known


@given(trees, trees, partial_people)
def test_de_morgan_holds_in_three_valued_logic(a, b, person):
    left = expressions.evaluate({"!": [{"and": [a, b]}]}, person)
    right = expressions.evaluate({"or": [{"!": [a]}, {"!": [b]}]}, person)
    assert left == right


tokens = st.sampled_from(list("ab_<>=!()$ 0123456789-") + [" and ", " or ", "not ", "age", "pregnant", "true"])


@settings(max_examples=300)
@given(st.lists(tokens, max_size=12).map("".join))
def test_the_parser_fails_only_with_expression_errors(text):
    try:
        tree = expressions.parse(text)
    except ExpressionError:
        return
    try:
        expressions.check(tree)
    except ExpressionError:
        pass
