"""Scoring of the screening instruments, in code (the bands and cut-offs are the published ones; docs/screening.md).

    score("phq-9", {"item-1": 1, ..., "item-9": 0}) -> Score(total=..., band=..., positive=..., risk=...)

`answers` maps an item's linkId to its value. A missing answer, an answer outside the item's scale, or an answer to an
item the instrument does not have raises AnswerError (a ValueError) naming the item: the pages and the API turn it
into a message for the field. No I/O here: instruments.score() passes the deployment's PC-PTSD-5 cut-off.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from carebridge.screening.instruments import Score

PHQ9 = "phq-9"
GAD7 = "gad-7"
PC_PTSD5 = "pc-ptsd-5"
RHS15 = "rhs-15"

PHQ9_ITEMS = tuple(f"item-{number}" for number in range(1, 10))
# The item whose answer above 0 starts the risk workflow (LOINC 44260-8, "thoughts that you would be better off dead").
PHQ9_RISK_ITEM = PHQ9_ITEMS[8]
GAD7_ITEMS = tuple(f"item-{number}" for number in range(1, 8))
PC_PTSD5_ITEMS = tuple(f"item-{number}" for number in range(1, 6))
RHS15_ITEMS = tuple(f"item-{number}" for number in range(1, 15))
RHS15_THERMOMETER = "item-15"
EXPOSURE = "exposure"
DIFFICULTY = "difficulty"

# (lowest total of the band, band) from the top down.
PHQ9_BANDS = ((20, "severe"), (15, "moderately-severe"), (10, "moderate"), (5, "mild"), (0, "minimal"))
GAD7_BANDS = ((15, "severe"), (10, "moderate"), (5, "mild"), (0, "minimal"))
PHQ9_POSITIVE = 10
GAD7_POSITIVE = 10
PC_PTSD5_DEFAULT_CUTOFF = 3
RHS15_POSITIVE_SUM = 12
RHS15_POSITIVE_THERMOMETER = 5

# Every band an instrument can give, lowest first (the outcomes page and the API list them in this order).
BANDS: dict[str, tuple[str, ...]] = {
    PHQ9: tuple(band for _, band in reversed(PHQ9_BANDS)),
    GAD7: tuple(band for _, band in reversed(GAD7_BANDS)),
    PC_PTSD5: ("negative", "positive"),
    RHS15: ("negative", "positive"),
}
# The highest total each instrument can give.
MAXIMUM_TOTAL = {PHQ9: 27, GAD7: 21, PC_PTSD5: 5, RHS15: 56}


class AnswerError(ValueError):
    """An answer that cannot be scored. `link_id` names the item; `reason` is missing | impossible | unexpected."""

    def __init__(self, instrument: str, link_id: str, reason: str, allowed: tuple[int, ...] = ()):
        self.instrument = instrument
        self.link_id = link_id
        self.reason = reason
        self.allowed = allowed
        if reason == "missing":
            message = f"{instrument}: {link_id} has no answer"
        elif reason == "impossible":
            message = f"{instrument}: {link_id} must be one of {min(allowed)}-{max(allowed)}" if allowed else (
                f"{instrument}: {link_id} must not be answered")
        else:
            message = f"{instrument}: {link_id} is not an item of this instrument"
        super().__init__(message)


def _value(instrument: str, answers: Mapping[str, Any], link_id: str, scale: range) -> int:
    if link_id not in answers or answers[link_id] is None:
        raise AnswerError(instrument, link_id, "missing")
    value = answers[link_id]
    # bool is an int in Python: True must not pass as 1 (a JSON true is not an answer on a scale).
    if isinstance(value, bool) or not isinstance(value, int) or value not in scale:
        raise AnswerError(instrument, link_id, "impossible", tuple(scale))
    return value


def _no_extra(instrument: str, answers: Mapping[str, Any], known: set[str]) -> None:
    for link_id in sorted(set(answers) - known, key=str):
        raise AnswerError(instrument, str(link_id), "unexpected")


def _band(total: int, bands: tuple[tuple[int, str], ...]) -> str:
    for lowest, band in bands:
        if total >= lowest:
            return band
    raise AssertionError("bands start at 0")


def score_phq9(answers: Mapping[str, Any]) -> Score:
    """Total 0–27 over items 1–9 (0–3 each); bands 0–4 minimal, 5–9 mild, 10–14 moderate, 15–19 moderately severe,
    20–27 severe; positive at 10 or more. Any answer above 0 on item 9 starts the risk workflow, whatever the total.
    `difficulty` (0–3) is optional and not scored."""
    _no_extra(PHQ9, answers, {*PHQ9_ITEMS, DIFFICULTY})
    values = [_value(PHQ9, answers, link_id, range(4)) for link_id in PHQ9_ITEMS]
    if answers.get(DIFFICULTY) is not None:
        _value(PHQ9, answers, DIFFICULTY, range(4))
    total = sum(values)
    return Score(PHQ9, total, _band(total, PHQ9_BANDS), total >= PHQ9_POSITIVE, risk=values[PHQ9_ITEMS.index(PHQ9_RISK_ITEM)] > 0)


def score_gad7(answers: Mapping[str, Any]) -> Score:
    """Total 0–21 over items 1–7 (0–3 each); bands 0–4 minimal, 5–9 mild, 10–14 moderate, 15–21 severe; positive at
    10 or more."""
    _no_extra(GAD7, answers, set(GAD7_ITEMS))
    total = sum(_value(GAD7, answers, link_id, range(4)) for link_id in GAD7_ITEMS)
    return Score(GAD7, total, _band(total, GAD7_BANDS), total >= GAD7_POSITIVE, risk=False)


def score_pc_ptsd5(answers: Mapping[str, Any], cutoff: int = PC_PTSD5_DEFAULT_CUTOFF) -> Score:
    """Exposure no (0) → total 0, negative, and items 1–5 must be absent (the screen stopped). Exposure yes (1) →
    the number of "yes" (1) answers to items 1–5; positive at `cutoff` or more."""
    if not 1 <= cutoff <= 5:
        raise ValueError("the PC-PTSD-5 cut-off is between 1 and 5")
    _no_extra(PC_PTSD5, answers, {EXPOSURE, *PC_PTSD5_ITEMS})
    exposed = _value(PC_PTSD5, answers, EXPOSURE, range(2))
    if not exposed:
        for link_id in PC_PTSD5_ITEMS:
            if answers.get(link_id) is not None:
                raise AnswerError(PC_PTSD5, link_id, "impossible")
        return Score(PC_PTSD5, 0, "negative", False, risk=False)
    total = sum(_value(PC_PTSD5, answers, link_id, range(2)) for link_id in PC_PTSD5_ITEMS)
    positive = total >= cutoff
    return Score(PC_PTSD5, total, "positive" if positive else "negative", positive, risk=False)


def score_rhs15(answers: Mapping[str, Any]) -> Score:
    """Items 1–14 (0–4 each) are summed: the total (0–56) is that sum. Item 15 is the distress thermometer (0–10),
    not added to the total. Positive when the sum is 12 or more, or the thermometer is 5 or more."""
    _no_extra(RHS15, answers, {*RHS15_ITEMS, RHS15_THERMOMETER})
    total = sum(_value(RHS15, answers, link_id, range(5)) for link_id in RHS15_ITEMS)
    thermometer = _value(RHS15, answers, RHS15_THERMOMETER, range(11))
    positive = total >= RHS15_POSITIVE_SUM or thermometer >= RHS15_POSITIVE_THERMOMETER
    return Score(RHS15, total, "positive" if positive else "negative", positive, risk=False)


def score(instrument: str, answers: Mapping[str, Any], *, pc_ptsd5_cutoff: int = PC_PTSD5_DEFAULT_CUTOFF) -> Score:
    """Score one administration; ValueError for an unknown instrument, AnswerError for an answer that cannot be
    scored."""
    if not isinstance(answers, Mapping):
        raise ValueError("answers must map each item's linkId to its value")  # noqa: TRY004 - the contract's error
    if instrument == PHQ9:
        return score_phq9(answers)
    if instrument == GAD7:
        return score_gad7(answers)
    if instrument == PC_PTSD5:
        return score_pc_ptsd5(answers, pc_ptsd5_cutoff)
    if instrument == RHS15:
        return score_rhs15(answers)
    raise ValueError(f"unknown instrument {instrument!r}")
