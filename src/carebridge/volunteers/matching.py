"""Matching a person to volunteers and network families: who may be proposed, and in which order. Pure functions.

Never automatic: this ranks candidates for the worker to look at; the worker picks one and proposes, and the volunteer
accepts or declines (volunteers.service).

- Never proposed: a paused or removed volunteer, one whose background check is missing or expired (on `today` it must
  still be valid), one already at capacity (proposed and active matches >= max_matches), one the person excluded.
- Ranked by shared languages first (by primary language subtag: "ar-SY" shares Arabic with "ar"; Dari "prs" is not
  Farsi "fa"), then the same area, then shared interests; ties by fewer open matches, then id (stable).
- A candidate sharing nothing (no language, not the area, no interest) is not proposed.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

ACTIVE = "active"
PAUSED, EXCLUDED, CHECK_EXPIRED, AT_CAPACITY, REMOVED = "paused", "excluded", "check-expired", "at-capacity", "removed"


@dataclass(frozen=True)
class Candidate:
    id: str
    languages: tuple[str, ...]
    area: str
    interests: frozenset[str]
    status: str
    check_expires_on: dt.date | None
    open_matches: int
    max_matches: int
    kind: str = "volunteer"


@dataclass(frozen=True)
class Need:
    """What the person brings to the search: their languages (from the record), the area and interests the worker typed
    (not stored), and the volunteers they excluded."""

    languages: tuple[str, ...]
    area: str | None = None
    interests: frozenset[str] = frozenset()
    excluded: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Proposal:
    candidate: Candidate
    # The person's language tags that the volunteer speaks, in the person's order.
    shared_languages: tuple[str, ...]
    same_area: bool
    shared_interests: tuple[str, ...]

    @property
    def rank_key(self) -> tuple:
        return (-len(self.shared_languages), not self.same_area, -len(self.shared_interests),
                self.candidate.open_matches, self.candidate.id)


def primary(tag: str) -> str:
    return tag.split("-")[0].casefold()


def same_area(one: str | None, other: str | None) -> bool:
    def key(value: str | None) -> str:
        return " ".join(unicodedata.normalize("NFKC", value or "").casefold().split())

    return bool(key(one)) and key(one) == key(other)


def blocked(candidate: Candidate, need: Need, today: dt.date) -> str | None:
    """Why this candidate may not be proposed to this person today, or None."""
    if candidate.status != ACTIVE:
        return REMOVED if candidate.status == REMOVED else PAUSED
    if candidate.id in need.excluded:
        return EXCLUDED
    if candidate.check_expires_on is None or candidate.check_expires_on < today:
        return CHECK_EXPIRED
    if candidate.open_matches >= candidate.max_matches:
        return AT_CAPACITY
    return None


def compare(candidate: Candidate, need: Need) -> Proposal:
    spoken = {primary(tag) for tag in candidate.languages}
    shared: list[str] = []
    for tag in need.languages:
        if primary(tag) in spoken and primary(tag) not in {primary(seen) for seen in shared}:
            shared.append(tag)
    return Proposal(
        candidate=candidate,
        shared_languages=tuple(shared),
        same_area=same_area(need.area, candidate.area),
        shared_interests=tuple(sorted(candidate.interests & need.interests)),
    )


def propose(candidates: Iterable[Candidate], need: Need, today: dt.date, *, limit: int = 10) -> list[Proposal]:
    """The candidates who may be proposed, best first, at most `limit`."""
    proposals = []
    for candidate in candidates:
        if blocked(candidate, need, today) is not None:
            continue
        proposal = compare(candidate, need)
        if proposal.shared_languages or proposal.same_area or proposal.shared_interests:
            proposals.append(proposal)
    proposals.sort(key=lambda proposal: proposal.rank_key)
    return proposals[:limit]
