"""ONS4 personal wellbeing: four questions, each answered 0-10, and the ONS thresholds.

Source: Office for National Statistics, "Personal well-being user guidance" and the Annual Population Survey
questions (ONS, free to use under the Open Government Licence v3.0). The questions are asked in this order, each
"where 0 is 'not at all' and 10 is 'completely'":

    life_satisfaction  Overall, how satisfied are you with your life nowadays?
    worthwhile         Overall, to what extent do you feel that the things you do in your life are worthwhile?
    happiness          Overall, how happy did you feel yesterday?
    anxiety            On a scale where 0 is "not at all anxious" and 10 is "completely anxious", overall, how
                       anxious did you feel yesterday?

ONS thresholds: for life satisfaction, worthwhile and happiness 0-4 low, 5-6 medium, 7-8 high, 9-10 very high; for
anxiety (where lower is better) 0-1 very low, 2-3 low, 4-5 medium, 6-10 high.
"""

from __future__ import annotations

from dataclasses import dataclass

from carebridge.errors import N_

LOWEST, HIGHEST = 0, 10
QUESTIONS = ("life_satisfaction", "worthwhile", "happiness", "anxiety")
LOWER_IS_BETTER = frozenset({"anxiety"})

TEXTS = {
    "life_satisfaction": N_("Overall, how satisfied are you with your life nowadays?"),
    "worthwhile": N_("Overall, to what extent do you feel that the things you do in your life are worthwhile?"),
    "happiness": N_("Overall, how happy did you feel yesterday?"),
    "anxiety": N_("On a scale where 0 is “not at all anxious” and 10 is “completely anxious”, overall, how anxious did you feel yesterday?"),
}
SHORT = {
    "life_satisfaction": N_("Life satisfaction"),
    "worthwhile": N_("Worthwhile"),
    "happiness": N_("Happiness yesterday"),
    "anxiety": N_("Anxiety yesterday"),
}
BAND_LABELS = {
    "very-low": N_("Very low"),
    "low": N_("Low"),
    "medium": N_("Medium"),
    "high": N_("High"),
    "very-high": N_("Very high"),
}
DIRECTION_LABELS = {
    "better": N_("Better"),
    "worse": N_("Worse"),
    "same": N_("No change"),
}

# (highest score in the band, band): the ONS thresholds.
_POSITIVE_BANDS = ((4, "low"), (6, "medium"), (8, "high"), (10, "very-high"))
_ANXIETY_BANDS = ((1, "very-low"), (3, "low"), (5, "medium"), (10, "high"))


def check_score(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not LOWEST <= value <= HIGHEST:
        raise ValueError("an ONS4 answer is a whole number from 0 to 10")
    return value


def band(question: str, score: int) -> str:
    """The ONS threshold band of one answer: very-low, low, medium, high or very-high."""
    if question not in QUESTIONS:
        raise ValueError(f"unknown ONS4 question {question!r}")
    check_score(score)
    for highest, name in _ANXIETY_BANDS if question in LOWER_IS_BETTER else _POSITIVE_BANDS:
        if score <= highest:
            return name
    raise AssertionError("unreachable")  # pragma: no cover


@dataclass(frozen=True)
class Change:
    question: str
    start: int
    follow_up: int
    difference: int  # follow_up - start
    direction: str  # better | worse | same (anxiety: lower is better)
    start_band: str
    follow_up_band: str


def change(question: str, start: int, follow_up: int) -> Change:
    """The change in one answer from start to follow-up; for anxiety a fall is better."""
    difference = check_score(follow_up) - check_score(start)
    improved = -difference if question in LOWER_IS_BETTER else difference
    direction = "better" if improved > 0 else "worse" if improved < 0 else "same"
    return Change(question, start, follow_up, difference, direction, band(question, start), band(question, follow_up))


def changes(start: dict[str, int], follow_up: dict[str, int]) -> list[Change]:
    """The change per question, in the ONS order."""
    return [change(question, start[question], follow_up[question]) for question in QUESTIONS]
