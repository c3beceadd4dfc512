"""ONS4 scoring: every ONS threshold on both sides, anxiety read the other way round, the change per question, and
the whole 0-10 range (hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from carebridge.prescribing import ons4

POSITIVE = ("life_satisfaction", "worthwhile", "happiness")


@pytest.mark.parametrize("question", POSITIVE)
@pytest.mark.parametrize(
    ("score", "expected"),
    [(0, "low"), (4, "low"), (5, "medium"), (6, "medium"), (7, "high"), (8, "high"), (9, "very-high"), (10, "very-high")],
)
def test_positive_questions_bands_on_both_sides_of_every_threshold(question: str, score: int, expected: str) -> None:
    assert ons4.band(question, score) == expected


@pytest.mark.parametrize(
    ("score", "expected"),
    [(0, "very-low"), (1, "very-low"), (2, "low"), (3, "low"), (4, "medium"), (5, "medium"), (6, "high"), (10, "high")],
)
def test_anxiety_bands_on_both_sides_of_every_threshold(score: int, expected: str) -> None:
    assert ons4.band("anxiety", score) == expected


@pytest.mark.parametrize("bad", [-1, 11, 3.5, True, "5", None])
def test_a_score_outside_0_to_10_or_not_a_whole_number_is_refused(bad: object) -> None:
    with pytest.raises(ValueError):
        ons4.band("happiness", bad)  # type: ignore[arg-type]


def test_an_unknown_question_is_refused() -> None:
    with pytest.raises(ValueError):
        ons4.band("joy", 5)


def test_anxiety_falling_is_better_and_the_others_rising_is_better() -> None:
    assert ons4.change("anxiety", 8, 3).direction == "better"
    assert ons4.change("anxiety", 3, 8).direction == "worse"
    assert ons4.change("happiness", 3, 8).direction == "better"
    assert ons4.change("happiness", 8, 3).direction == "worse"
    assert ons4.change("worthwhile", 6, 6).direction == "same"
    change = ons4.change("anxiety", 7, 2)
    assert (change.difference, change.start_band, change.follow_up_band) == (-5, "high", "low")


@given(question=st.sampled_from(ons4.QUESTIONS), score=st.integers(0, 10))
def test_every_answer_in_range_has_one_band(question: str, score: int) -> None:
    assert ons4.band(question, score) in ons4.BAND_LABELS


@given(question=st.sampled_from(ons4.QUESTIONS), start=st.integers(0, 10), follow=st.integers(0, 10))
def test_change_is_the_difference_and_its_direction_follows_the_question(question: str, start: int, follow: int) -> None:
    change = ons4.change(question, start, follow)
    assert change.difference == follow - start
    better = follow < start if question == "anxiety" else follow > start
    assert (change.direction == "better") == better
    assert (change.direction == "same") == (follow == start)


@given(score=st.one_of(st.integers(max_value=-1), st.integers(min_value=11)))
def test_every_answer_out_of_range_is_refused(score: int) -> None:
    with pytest.raises(ValueError):
        ons4.check_score(score)
