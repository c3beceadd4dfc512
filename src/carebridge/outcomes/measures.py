"""Reliable change and recovery as NHS Talking Therapies define them (pure functions, no database).

    change = compare(MEASURES["phq-9"], first=16, latest=7)

- PHQ-9: a reliable change is 6 points or more; caseness is a score of 10 or more.
- GAD-7: a reliable change is 4 points or more; caseness is a score of 8 or more.
- Reliable improvement: the score fell by at least the reliable change; reliable deterioration: it rose by at least
  as much (symmetric).
- Recovery: the first score was at caseness and the latest is below it. Someone not at caseness at the start is not
  counted for recovery at all (neither recovered nor not): there was nothing to recover from on that measure.
- Reliable recovery: recovery and reliable improvement together.

We compare the person's first and latest scores (NHS Talking Therapies compares the first and last of a course of
treatment; a person here has no "end of treatment", so the latest score stands in for it and the page says so).
Source: the NHS Talking Therapies for anxiety and depression Manual (NHS England), its definitions of recovery,
reliable improvement and reliable recovery (docs/outcomes.md). The SQL of outcomes.service counts the same thing (tested against these).
"""

from __future__ import annotations

from dataclasses import dataclass

from carebridge.errors import N_


@dataclass(frozen=True)
class Measure:
    instrument: str
    title: str
    reliable_change: int
    caseness: int
    maximum: int
    # The lower bound of each band above the first: light reference lines on the chart.
    band_floors: tuple[int, ...]


MEASURES: dict[str, Measure] = {
    "phq-9": Measure("phq-9", "PHQ-9", reliable_change=6, caseness=10, maximum=27, band_floors=(5, 10, 15, 20)),
    "gad-7": Measure("gad-7", "GAD-7", reliable_change=4, caseness=8, maximum=21, band_floors=(5, 10, 15)),
}

BAND_LABELS = {
    "minimal": N_("minimal"),
    "mild": N_("mild"),
    "moderate": N_("moderate"),
    "moderately-severe": N_("moderately severe"),
    "severe": N_("severe"),
    "negative": N_("negative"),
    "positive": N_("positive"),
}


@dataclass(frozen=True)
class Change:
    first: int
    latest: int
    reliable_improvement: bool
    reliable_deterioration: bool
    # The first score was at caseness: only then can recovery be counted.
    at_caseness_first: bool
    recovery: bool
    reliable_recovery: bool

    @property
    def difference(self) -> int:
        """How far the score moved, always positive (the direction is in the flags)."""
        return abs(self.latest - self.first)


def compare(measure: Measure, first: int, latest: int) -> Change:
    """The first and the latest score of one measure, compared."""
    improvement = first - latest >= measure.reliable_change
    deterioration = latest - first >= measure.reliable_change
    at_caseness = first >= measure.caseness
    recovery = at_caseness and latest < measure.caseness
    return Change(
        first=first,
        latest=latest,
        reliable_improvement=improvement,
        reliable_deterioration=deterioration,
        at_caseness_first=at_caseness,
        recovery=recovery,
        reliable_recovery=recovery and improvement,
    )


def verdict(change: Change) -> str:
    """The one word for the person's page: reliable-recovery | recovery | reliable-improvement |
    reliable-deterioration | no-reliable-change."""
    if change.reliable_recovery:
        return "reliable-recovery"
    if change.reliable_deterioration:
        return "reliable-deterioration"
    if change.recovery:
        return "recovery"
    if change.reliable_improvement:
        return "reliable-improvement"
    return "no-reliable-change"
