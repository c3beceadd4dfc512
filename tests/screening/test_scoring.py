"""Scoring of PHQ-9, GAD-7, PC-PTSD-5 and RHS-15: a test on both sides of every band boundary and cut-off, and
properties (hypothesis): the total is the sum, the band never goes down as the total goes up, an item-9 answer above 0
always starts the risk workflow, and an answer outside the scale is always refused."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from carebridge.screening import scoring
from carebridge.screening.scoring import AnswerError, score

PHQ9_ITEMS = [f"item-{n}" for n in range(1, 10)]
GAD7_ITEMS = [f"item-{n}" for n in range(1, 8)]
PTSD_ITEMS = [f"item-{n}" for n in range(1, 6)]
RHS_ITEMS = [f"item-{n}" for n in range(1, 15)]


def spread(total: int, items: list[str], top: int, *, last_zero: bool = False) -> dict[str, int]:
    """Answers adding up to `total`, each at most `top` (the last item kept at 0 when asked: PHQ-9's item 9)."""
    answers = {link_id: 0 for link_id in items}
    fillable = items[:-1] if last_zero else items
    remaining = total
    for link_id in fillable:
        answers[link_id] = min(top, remaining)
        remaining -= answers[link_id]
    assert remaining == 0, "that total does not fit"
    return answers


# --- PHQ-9 --------------------------------------------------------------------------------------------------------

PHQ9_BOUNDARIES = [
    (0, "minimal", False), (4, "minimal", False), (5, "mild", False), (9, "mild", False), (10, "moderate", True),
    (14, "moderate", True), (15, "moderately-severe", True), (19, "moderately-severe", True), (20, "severe", True),
    (24, "severe", True),
]


@pytest.mark.parametrize(("total", "band", "positive"), PHQ9_BOUNDARIES)
def test_phq9_bands_on_both_sides_of_each_boundary(total: int, band: str, positive: bool) -> None:
    result = score("phq-9", spread(total, PHQ9_ITEMS, 3, last_zero=True))
    assert (result.total, result.band, result.positive, result.risk) == (total, band, positive, False)


def test_phq9_top_of_the_scale_is_27_severe_with_risk() -> None:
    result = score("phq-9", {link_id: 3 for link_id in PHQ9_ITEMS})
    assert (result.total, result.band, result.positive, result.risk) == (27, "severe", True, True)


@pytest.mark.parametrize("item9", [1, 2, 3])
def test_phq9_item9_above_0_is_risk_whatever_the_total(item9: int) -> None:
    answers = {link_id: 0 for link_id in PHQ9_ITEMS} | {"item-9": item9}
    result = score("phq-9", answers)
    assert result.risk is True
    assert result.total == item9 and result.band == "minimal" and result.positive is False


def test_phq9_item9_at_0_is_no_risk_even_when_severe() -> None:
    answers = {link_id: 3 for link_id in PHQ9_ITEMS} | {"item-9": 0}
    assert score("phq-9", answers).risk is False


def test_phq9_difficulty_is_optional_and_not_scored() -> None:
    answers = spread(7, PHQ9_ITEMS, 3)
    assert score("phq-9", answers | {"difficulty": 3}).total == 7
    assert score("phq-9", answers | {"difficulty": None}).total == 7
    with pytest.raises(AnswerError) as raised:
        score("phq-9", answers | {"difficulty": 4})
    assert raised.value.link_id == "difficulty"


# --- GAD-7 --------------------------------------------------------------------------------------------------------

GAD7_BOUNDARIES = [
    (0, "minimal", False), (4, "minimal", False), (5, "mild", False), (9, "mild", False), (10, "moderate", True),
    (14, "moderate", True), (15, "severe", True), (21, "severe", True),
]


@pytest.mark.parametrize(("total", "band", "positive"), GAD7_BOUNDARIES)
def test_gad7_bands_on_both_sides_of_each_boundary(total: int, band: str, positive: bool) -> None:
    result = score("gad-7", spread(total, GAD7_ITEMS, 3))
    assert (result.total, result.band, result.positive, result.risk) == (total, band, positive, False)


def test_gad7_has_no_item_8_or_difficulty() -> None:
    for extra in ("item-8", "difficulty"):
        with pytest.raises(AnswerError) as raised:
            score("gad-7", spread(3, GAD7_ITEMS, 3) | {extra: 0})
        assert (raised.value.link_id, raised.value.reason) == (extra, "unexpected")


# --- PC-PTSD-5 ----------------------------------------------------------------------------------------------------


def test_pc_ptsd5_no_exposure_is_0_negative_and_stops() -> None:
    result = score("pc-ptsd-5", {"exposure": 0})
    assert (result.total, result.band, result.positive) == (0, "negative", False)


def test_pc_ptsd5_no_exposure_refuses_item_answers() -> None:
    with pytest.raises(AnswerError) as raised:
        score("pc-ptsd-5", {"exposure": 0, "item-3": 1})
    assert (raised.value.link_id, raised.value.reason) == ("item-3", "impossible")


@pytest.mark.parametrize(("yes", "cutoff", "positive"), [
    (0, 3, False), (2, 3, False), (3, 3, True), (5, 3, True), (3, 4, False), (4, 4, True), (1, 1, True), (0, 1, False),
])
def test_pc_ptsd5_cutoff_on_both_sides(yes: int, cutoff: int, positive: bool) -> None:
    answers = {"exposure": 1} | {link_id: int(index < yes) for index, link_id in enumerate(PTSD_ITEMS)}
    result = score("pc-ptsd-5", answers, pc_ptsd5_cutoff=cutoff)
    assert (result.total, result.positive, result.band) == (yes, positive, "positive" if positive else "negative")


def test_pc_ptsd5_exposure_yes_needs_all_five_items() -> None:
    with pytest.raises(AnswerError) as raised:
        score("pc-ptsd-5", {"exposure": 1, "item-1": 1, "item-2": 1, "item-3": 1, "item-4": 1})
    assert (raised.value.link_id, raised.value.reason) == ("item-5", "missing")


def test_pc_ptsd5_exposure_is_required() -> None:
    with pytest.raises(AnswerError) as raised:
        score("pc-ptsd-5", {link_id: 1 for link_id in PTSD_ITEMS})
    assert raised.value.link_id == "exposure"


# --- RHS-15 -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("total", "thermometer", "positive"), [
    (11, 4, False), (12, 4, True), (0, 5, True), (0, 4, False), (11, 5, True), (56, 10, True), (0, 0, False),
])
def test_rhs15_positive_on_sum_12_or_thermometer_5(total: int, thermometer: int, positive: bool) -> None:
    answers = spread(total, RHS_ITEMS, 4) | {"item-15": thermometer}
    result = score("rhs-15", answers)
    assert (result.total, result.positive, result.band) == (total, positive, "positive" if positive else "negative")


def test_rhs15_total_is_the_sum_of_items_1_to_14_only() -> None:
    result = score("rhs-15", spread(3, RHS_ITEMS, 4) | {"item-15": 10})
    assert result.total == 3


def test_rhs15_thermometer_is_0_to_10() -> None:
    with pytest.raises(AnswerError) as raised:
        score("rhs-15", spread(0, RHS_ITEMS, 4) | {"item-15": 11})
    assert (raised.value.link_id, raised.value.reason, raised.value.allowed) == ("item-15", "impossible", tuple(range(11)))


# --- Everything else refused --------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [-1, 4, "2", 1.0, True, None, [1]])
def test_an_impossible_answer_names_its_item(bad: object) -> None:
    answers = spread(5, PHQ9_ITEMS, 3, last_zero=True) | {"item-4": bad}
    with pytest.raises(ValueError) as raised:
        score("phq-9", answers)
    assert isinstance(raised.value, AnswerError) and raised.value.link_id == "item-4"
    assert raised.value.reason == ("missing" if bad is None else "impossible")


def test_unknown_instrument_and_non_mapping_answers_are_refused() -> None:
    with pytest.raises(ValueError):
        score("phq-10", {})
    with pytest.raises(ValueError):
        score("phq-9", [("item-1", 0)])  # type: ignore[arg-type]


# --- Properties ---------------------------------------------------------------------------------------------------

SCALES = {
    "phq-9": (PHQ9_ITEMS, range(4)),
    "gad-7": (GAD7_ITEMS, range(4)),
    "rhs-15": (RHS_ITEMS, range(5)),
}


def answers_for(instrument: str):
    items, scale = SCALES[instrument]
    return st.fixed_dictionaries({link_id: st.integers(scale.start, scale.stop - 1) for link_id in items})


@given(answers_for("phq-9"))
def test_phq9_total_is_the_sum_and_item9_decides_risk(answers: dict[str, int]) -> None:
    result = score("phq-9", answers)
    assert result.total == sum(answers.values())
    assert result.risk is (answers["item-9"] > 0)
    assert result.positive is (result.total >= 10)


@given(answers_for("gad-7"))
def test_gad7_total_is_the_sum(answers: dict[str, int]) -> None:
    result = score("gad-7", answers)
    assert result.total == sum(answers.values()) and result.risk is False


@given(answers_for("rhs-15"), st.integers(0, 10))
def test_rhs15_total_is_the_sum_of_1_to_14(answers: dict[str, int], thermometer: int) -> None:
    result = score("rhs-15", answers | {"item-15": thermometer})
    assert result.total == sum(answers.values())
    assert result.positive is (result.total >= 12 or thermometer >= 5)


@given(st.integers(1, 5), st.lists(st.integers(0, 1), min_size=5, max_size=5))
def test_pc_ptsd5_total_is_the_number_of_yes(cutoff: int, values: list[int]) -> None:
    answers = {"exposure": 1} | dict(zip(PTSD_ITEMS, values, strict=True))
    result = score("pc-ptsd-5", answers, pc_ptsd5_cutoff=cutoff)
    assert result.total == sum(values) and result.positive is (sum(values) >= cutoff)


@pytest.mark.parametrize("instrument", ["phq-9", "gad-7"])
@given(data=st.data())
def test_band_is_monotone_in_the_total(instrument: str, data: st.DataObject) -> None:
    first = data.draw(answers_for(instrument))
    second = data.draw(answers_for(instrument))
    low, high = sorted((score(instrument, first), score(instrument, second)), key=lambda result: result.total)
    order = scoring.BANDS[instrument]
    assert order.index(low.band) <= order.index(high.band)
    assert low.positive <= high.positive


@given(data=st.data())
def test_phq9_item9_above_0_always_gives_risk(data: st.DataObject) -> None:
    answers = data.draw(answers_for("phq-9")) | {"item-9": data.draw(st.integers(1, 3))}
    assert score("phq-9", answers).risk is True


@pytest.mark.parametrize("instrument", ["phq-9", "gad-7", "rhs-15"])
@given(data=st.data())
def test_answers_outside_the_scale_are_always_refused(instrument: str, data: st.DataObject) -> None:
    items, scale = SCALES[instrument]
    answers = data.draw(answers_for(instrument))
    link_id = data.draw(st.sampled_from(items))
    bad = data.draw(st.one_of(st.integers(max_value=scale.start - 1), st.integers(min_value=scale.stop)))
    with pytest.raises(AnswerError) as raised:
        score(instrument, answers | {link_id: bad})
    assert raised.value.link_id == link_id and raised.value.reason == "impossible"


@given(st.lists(st.integers(0, 1), min_size=5, max_size=5), st.integers().filter(lambda value: value not in (0, 1)))
def test_pc_ptsd5_refuses_values_other_than_0_and_1(values: list[int], bad: int) -> None:
    answers = {"exposure": 1} | dict(zip(PTSD_ITEMS, values, strict=True)) | {"item-2": bad}
    with pytest.raises(AnswerError):
        score("pc-ptsd-5", answers)
