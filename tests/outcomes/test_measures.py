"""Reliable change and recovery as NHS Talking Therapies define them (PHQ-9: change >= 6, caseness >= 10; GAD-7:
change >= 4, caseness >= 8), first and latest compared: boundaries on both sides, symmetry, and who counts for
recovery."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from carebridge.outcomes.measures import MEASURES, compare, verdict

PHQ9, GAD7 = MEASURES["phq-9"], MEASURES["gad-7"]


def scores(measure):  # noqa: ANN001, ANN201
    return st.integers(min_value=0, max_value=measure.maximum)


measures = st.sampled_from(list(MEASURES.values()))


@pytest.mark.parametrize(("measure", "first", "latest", "improved"), [
    (PHQ9, 16, 10, True), (PHQ9, 16, 11, False),  # exactly 6 counts, 5 does not
    (GAD7, 12, 8, True), (GAD7, 12, 9, False),  # exactly 4 counts, 3 does not
])
def test_reliable_improvement_boundary(measure, first, latest, improved):
    assert compare(measure, first, latest).reliable_improvement is improved


@pytest.mark.parametrize(("measure", "first", "latest", "worse"), [
    (PHQ9, 4, 10, True), (PHQ9, 4, 9, False), (GAD7, 3, 7, True), (GAD7, 3, 6, False),
])
def test_reliable_deterioration_boundary(measure, first, latest, worse):
    assert compare(measure, first, latest).reliable_deterioration is worse


@pytest.mark.parametrize(("measure", "first", "at_caseness"), [(PHQ9, 10, True), (PHQ9, 9, False), (GAD7, 8, True), (GAD7, 7, False)])
def test_caseness_boundary_at_the_start(measure, first, at_caseness):
    change = compare(measure, first, 0)
    assert change.at_caseness_first is at_caseness
    assert change.recovery is at_caseness  # the latest (0) is below caseness: recovered exactly when at caseness first


@pytest.mark.parametrize(("measure", "latest", "recovered"), [(PHQ9, 9, True), (PHQ9, 10, False), (GAD7, 7, True), (GAD7, 8, False)])
def test_caseness_boundary_at_the_end(measure, latest, recovered):
    assert compare(measure, measure.maximum, latest).recovery is recovered


def test_recovery_without_reliable_improvement_is_not_reliable_recovery():
    change = compare(PHQ9, 11, 8)  # at caseness, now below it, but only 3 points
    assert change.recovery and not change.reliable_improvement and not change.reliable_recovery
    assert verdict(change) == "recovery"
    assert verdict(compare(PHQ9, 16, 7)) == "reliable-recovery"
    assert verdict(compare(PHQ9, 4, 12)) == "reliable-deterioration"
    assert verdict(compare(PHQ9, 22, 15)) == "reliable-improvement"
    assert verdict(compare(PHQ9, 12, 10)) == "no-reliable-change"


@given(measures.flatmap(lambda m: st.tuples(st.just(m), scores(m), scores(m))))
def test_the_rules(case):
    measure, first, latest = case
    change = compare(measure, first, latest)
    assert change.reliable_improvement == (first - latest >= measure.reliable_change)
    assert change.reliable_deterioration == (latest - first >= measure.reliable_change)
    assert not (change.reliable_improvement and change.reliable_deterioration)
    assert change.recovery == (first >= measure.caseness and latest < measure.caseness)
    assert change.reliable_recovery == (change.recovery and change.reliable_improvement)
    assert change.difference == abs(latest - first)


@given(measures.flatmap(lambda m: st.tuples(st.just(m), scores(m), scores(m))))
def test_deterioration_mirrors_improvement(case):
    measure, first, latest = case
    assert compare(measure, first, latest).reliable_improvement == compare(measure, latest, first).reliable_deterioration


@given(measures.flatmap(lambda m: st.tuples(st.just(m), st.integers(0, m.caseness - 1), scores(m))))
def test_not_at_caseness_at_the_start_is_never_counted_for_recovery(case):
    measure, first, latest = case
    change = compare(measure, first, latest)
    assert not change.at_caseness_first and not change.recovery and not change.reliable_recovery
