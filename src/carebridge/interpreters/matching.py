"""Who can interpret for a booking: the rules, as pure functions over plain values (the service loads them).

For a request (a time window, a language with its dialect, a modality, a gender preference) a candidate is proposed
only if all of these hold, and is otherwise left out with the reason:

- language: the exact tag ("ar-SY" for "ar-SY") ranks first; the same macro-language ("ar-IQ" or "ar" for "ar-SY";
  "prs" and "fa" are both Persian, "ckb" and "kmr" both Kurdish) is proposed after, labelled "same language, another
  dialect"; anything else is not proposed;
- modality: they work that way (in person, phone, video);
- gender: when the person asked for a female or male interpreter, only those;
- availability: one of their recurring rules (RFC 5545, read by directory.schedules) covers the whole window;
- no live (requested or accepted) booking of theirs overlaps the window;
- exclusions: named ones for this person, and, when the person asked for "not someone from my community", anyone who
  is a local community member for the requested language;
- accreditation: an expired one is left out unless the booker explicitly allows unaccredited interpreters.

Ranking: exact dialect before macro-language, accredited before not, then fewer hours booked that week (spreads the
work), then by id (stable).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from carebridge.directory import schedules
from carebridge.errors import N_

# Individual languages that share a macro-language or are spoken variants of one (ISO 639-3 macrolanguages, and the
# Arabic varieties written with a region subtag in practice).
MACRO = {
    "prs": "fa", "pes": "fa", "fas": "fa", "per": "fa", "tgk": "fa",
    "ckb": "ku", "kmr": "ku", "sdh": "ku", "kur": "ku",
    "apc": "ar", "ajp": "ar", "acm": "ar", "arz": "ar", "apd": "ar", "ary": "ar", "arq": "ar", "ara": "ar", "ayl": "ar",
    "pbt": "ps", "pbu": "ps", "pus": "ps",
    "zho": "zh", "cmn": "zh", "yue": "zh",
    "swh": "sw", "swa": "sw",
    "msa": "ms", "zsm": "ms",
}

EXACT = "exact"
MACRO_MATCH = "macro"

# Why someone was left out (shown to the booker for the register's sake, never about the person).
REASONS = {
    "language": N_("Does not speak the language"),
    "modality": N_("Does not work this way"),
    "gender": N_("Not the gender the person asked for"),
    "unavailable": N_("Not available at that time"),
    "booked": N_("Already booked at that time"),
    "excluded": N_("The person asked not to have this interpreter"),
    "community": N_("A member of the person’s community"),
    "unaccredited": N_("Accreditation expired"),
    "inactive": N_("No longer on the register"),
}


@lru_cache(maxsize=4096)
def macro_language(tag: str) -> str:
    """The macro-language of a BCP 47 tag: its primary subtag, folded to the macro-language when it has one."""
    primary = tag.split("-", 1)[0].lower()
    return MACRO.get(primary, primary)


def language_match(requested: str, offered: str) -> str | None:
    """EXACT, MACRO_MATCH or None."""
    if requested.casefold() == offered.casefold():
        return EXACT
    if macro_language(requested) == macro_language(offered):
        return MACRO_MATCH
    return None


@dataclass(frozen=True)
class Request:
    starts_at: dt.datetime
    ends_at: dt.datetime
    language: str
    modality: str
    # any | female | male
    gender: str = "any"
    not_from_community: bool = False
    excluded_ids: frozenset[str] = frozenset()
    allow_unaccredited: bool = False


@dataclass
class Candidate:
    id: str
    languages: Sequence[dict[str, Any]]
    modalities: Sequence[str]
    gender: str | None
    availability: Sequence[dict[str, Any]]
    accreditation_expires: dt.date | None
    active: bool = True
    # Live bookings as (starts_at, ends_at).
    busy: Sequence[tuple[dt.datetime, dt.datetime]] = ()
    _rules: tuple[Any, ...] | None = field(default=None, repr=False, compare=False)

    def rules(self, zone: str) -> tuple[Any, ...]:
        if self._rules is None:
            self._rules = _compiled(_rules_key(self.availability), zone)
        return self._rules


def _rules_key(availability: Sequence[dict[str, Any]]) -> tuple[tuple[tuple[str, Any], ...], ...]:
    return tuple(tuple(sorted((key, value) for key, value in rule.items() if isinstance(value, (str, int, float)))) for rule in availability)


@lru_cache(maxsize=8192)
def _compiled(key: tuple[tuple[tuple[str, Any], ...], ...], zone: str) -> tuple[Any, ...]:
    """Rules read once per distinct set (registers share a few patterns); the compiled rules cache their dates."""
    return schedules.compile_schedules([dict(rule) for rule in key], zone)


@dataclass(frozen=True)
class Match:
    candidate_id: str
    language: str
    match: str  # EXACT | MACRO_MATCH
    accredited: bool
    booked_hours: float


@dataclass(frozen=True)
class Refusal:
    candidate_id: str
    reason: str


def accredited(expires: dt.date | None, on: dt.date) -> bool:
    """Accredited on a day: an expiry date on or after it. No expiry recorded: not accredited."""
    return expires is not None and expires >= on


def available(rules: Iterable[Any], starts_at: dt.datetime, ends_at: dt.datetime) -> bool:
    """Whether one occurrence of one rule covers the whole window [starts_at, ends_at)."""
    start, end = starts_at.timestamp(), ends_at.timestamp()
    for rule in rules:
        for opens, closes in schedules.occurrences(rule, start, end):
            if opens <= start and closes >= end:
                return True
    return False


def overlaps(busy: Iterable[tuple[dt.datetime, dt.datetime]], starts_at: dt.datetime, ends_at: dt.datetime) -> bool:
    return any(start < ends_at and end > starts_at for start, end in busy)


def _best_language(request: Request, candidate: Candidate) -> tuple[str, str, bool] | None:
    """(tag offered, EXACT|MACRO_MATCH, community member for it), the best the candidate offers."""
    best: tuple[str, str, bool] | None = None
    for entry in candidate.languages:
        tag = entry.get("tag") or ""
        found = language_match(request.language, tag)
        if found == EXACT:
            return tag, EXACT, bool(entry.get("community"))
        if found == MACRO_MATCH and best is None:
            best = (tag, MACRO_MATCH, bool(entry.get("community")))
    return best


def _community_for(request: Request, candidate: Candidate) -> bool:
    """A local community member for the requested language (any dialect of it)."""
    return any(entry.get("community") and language_match(request.language, entry.get("tag") or "") for entry in candidate.languages)


def judge(request: Request, candidate: Candidate, *, zone: str, today: dt.date) -> Match | Refusal:
    """Propose the candidate for the request, or say why not (the first rule that fails)."""
    if not candidate.active:
        return Refusal(candidate.id, "inactive")
    if candidate.id in request.excluded_ids:
        return Refusal(candidate.id, "excluded")
    language = _best_language(request, candidate)
    if language is None:
        return Refusal(candidate.id, "language")
    if request.not_from_community and _community_for(request, candidate):
        return Refusal(candidate.id, "community")
    if request.modality not in candidate.modalities:
        return Refusal(candidate.id, "modality")
    if request.gender in ("female", "male") and candidate.gender != request.gender:
        return Refusal(candidate.id, "gender")
    is_accredited = accredited(candidate.accreditation_expires, today)
    if not is_accredited and not request.allow_unaccredited:
        return Refusal(candidate.id, "unaccredited")
    if not available(candidate.rules(zone), request.starts_at, request.ends_at):
        return Refusal(candidate.id, "unavailable")
    if overlaps(candidate.busy, request.starts_at, request.ends_at):
        return Refusal(candidate.id, "booked")
    week_start = request.starts_at - dt.timedelta(days=request.starts_at.weekday())
    week_end = week_start + dt.timedelta(days=7)
    hours = sum((min(end, week_end) - max(start, week_start)).total_seconds() for start, end in candidate.busy
                if start < week_end and end > week_start) / 3600
    return Match(candidate.id, language[0], language[1], is_accredited, round(hours, 2))


def rank(request: Request, candidates: Iterable[Candidate], *, zone: str, today: dt.date) -> tuple[list[Match], list[Refusal]]:
    """The proposed candidates, best first, and those left out with why."""
    matches: list[Match] = []
    refusals: list[Refusal] = []
    for candidate in candidates:
        verdict = judge(request, candidate, zone=zone, today=today)
        (matches if isinstance(verdict, Match) else refusals).append(verdict)  # type: ignore[arg-type]
    matches.sort(key=lambda m: (m.match != EXACT, not m.accredited, m.booked_hours, m.candidate_id))
    return matches, refusals
