"""The password policy (accounts/passwords.py): what a guesser tries first is refused, whatever its length; a few
plain words are accepted. Property tests (hypothesis) for the runs, walks and repeated chunks."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carebridge.accounts import passwords

TOO_COMMON = "This password is too common and easy to guess. Choose another one."


@pytest.mark.parametrize(
    "password",
    [
        "123456789012",  # a digit run longer than any in the common list
        "210987654321",  # backwards
        "7890123456789",  # round the digit row again
        "abcdefghijkl",
        "zyxwvutsrqpo",
        "qwertyuiopas",  # a keyboard walk along the rows
        "azertyuiopqs",
        "qwertzuiopas",
        "1qaz2wsx3edc",  # down the columns
        "abcabcabcabc",  # one short chunk repeated
        "asdf asdf asdf",
        "2024abcdefgh!!",  # a run with digits and symbols around it
        "QWERTYUIOPASDF",
    ],
)
def test_runs_walks_and_repeated_chunks_are_too_common(password):
    assert passwords.password_problem(password) == TOO_COMMON


@pytest.mark.parametrize(
    "password",
    ["a long and quiet river morning", "plum orbit kettle", "Tr0ub4dor&3 lamp", "five green lanterns sing"],
)
def test_a_few_plain_words_are_accepted(password):
    assert passwords.password_problem(password) is None


ROWS = [row for row in passwords.SEQUENCES if len(row) >= 9]


@settings(max_examples=200, deadline=None)
@given(
    row=st.sampled_from(ROWS),
    start=st.integers(min_value=0, max_value=40),
    length=st.integers(min_value=12, max_value=40),
    backwards=st.booleans(),
    upper=st.booleans(),
)
def test_any_run_along_a_row_of_twelve_or_more_is_refused(row, start, length, backwards, upper):
    line = row[::-1] if backwards else row
    text = (line * 10)[start % len(line):][:length]
    text = text.upper() if upper else text
    assert len(text) == length
    assert passwords.password_problem(text) == TOO_COMMON


@settings(max_examples=200, deadline=None)
@given(
    chunk=st.text(alphabet=st.characters(categories=["Ll", "Lu", "Nd"]), min_size=1, max_size=passwords.MAXIMUM_CHUNK),
    times=st.integers(min_value=3, max_value=30),
)
def test_any_short_chunk_repeated_to_twelve_or_more_is_refused(chunk, times):
    text = chunk * max(times, -(-passwords.MINIMUM_LENGTH // len(chunk)))
    assert len(text) >= passwords.MINIMUM_LENGTH
    assert passwords.password_problem(text) == TOO_COMMON


WORDS = ["river", "lantern", "orbit", "kettle", "meadow", "copper", "harbour", "violet", "thunder", "pebble"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(WORDS), min_size=3, max_size=5, unique=True))
def test_three_or_more_different_words_are_accepted(words):
    assert passwords.password_problem(" ".join(words)) is None


@settings(max_examples=100, deadline=None)
@given(st.text(min_size=0, max_size=11))
def test_anything_shorter_than_twelve_is_refused_for_its_length(text):
    assert passwords.password_problem(text) == (
        "Use at least 12 characters. A few words you will remember make a good password."
    )
