"""Matching, property-tested (hypothesis): it never proposes a paused, removed, expired, unchecked, at-capacity or
excluded volunteer; ranking is monotone in shared languages; every proposal shares something and says what."""

from __future__ import annotations

import datetime as dt

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from carebridge.volunteers import matching

TODAY = dt.date(2026, 11, 23)
LANGUAGES = ["ar", "ar-SY", "prs", "fa", "uk", "en", "ti", "so", "ps"]
INTERESTS = ["football", "music", "cooking", "faith", "walking"]
AREAS = ["Northside", "northside ", "Eastfield", "", "Westend"]

candidates = st.builds(
    matching.Candidate,
    id=st.uuids().map(str),
    languages=st.lists(st.sampled_from(LANGUAGES), max_size=4).map(tuple),
    area=st.sampled_from(AREAS),
    interests=st.frozensets(st.sampled_from(INTERESTS), max_size=3),
    status=st.sampled_from(["active", "active", "active", "paused", "removed"]),
    check_expires_on=st.one_of(st.none(), st.dates(dt.date(2026, 1, 1), dt.date(2028, 1, 1))),
    open_matches=st.integers(0, 4),
    max_matches=st.integers(1, 4),
)


@st.composite
def searches(draw):
    pool = draw(st.lists(candidates, max_size=25, unique_by=lambda candidate: candidate.id))
    excluded = frozenset(draw(st.lists(st.sampled_from([c.id for c in pool]), max_size=5))) if pool else frozenset()
    need = matching.Need(
        languages=tuple(draw(st.lists(st.sampled_from(LANGUAGES), min_size=1, max_size=3))),
        area=draw(st.sampled_from([*AREAS, None])),
        interests=draw(st.frozensets(st.sampled_from(INTERESTS), max_size=3)),
        excluded=excluded,
    )
    return pool, need


@settings(max_examples=300, deadline=None)
@given(searches())
def test_never_proposes_the_paused_expired_excluded_or_full(search) -> None:
    pool, need = search
    for proposal in matching.propose(pool, need, TODAY, limit=100):
        candidate = proposal.candidate
        assert candidate.status == "active"
        assert candidate.check_expires_on is not None and candidate.check_expires_on >= TODAY
        assert candidate.open_matches < candidate.max_matches
        assert candidate.id not in need.excluded
        assert proposal.shared_languages or proposal.same_area or proposal.shared_interests


@settings(max_examples=300, deadline=None)
@given(searches())
def test_everyone_allowed_and_sharing_something_is_proposed(search) -> None:
    pool, need = search
    proposed = {proposal.candidate.id for proposal in matching.propose(pool, need, TODAY, limit=100)}
    for candidate in pool:
        comparison = matching.compare(candidate, need)
        shares = bool(comparison.shared_languages or comparison.same_area or comparison.shared_interests)
        assert (candidate.id in proposed) == (matching.blocked(candidate, need, TODAY) is None and shares)


@settings(max_examples=300, deadline=None)
@given(searches())
def test_ranking_is_monotone_in_shared_languages(search) -> None:
    pool, need = search
    ranked = matching.propose(pool, need, TODAY, limit=100)
    counts = [len(proposal.shared_languages) for proposal in ranked]
    assert counts == sorted(counts, reverse=True)


@settings(max_examples=200, deadline=None)
@given(candidates, st.lists(st.sampled_from(LANGUAGES), min_size=1, max_size=3))
def test_speaking_one_more_of_the_persons_languages_never_ranks_lower(candidate, person_languages) -> None:
    need = matching.Need(languages=tuple(person_languages))
    missing = [tag for tag in person_languages if matching.primary(tag) not in {matching.primary(t) for t in candidate.languages}]
    assume(missing)
    richer = matching.Candidate(**{**candidate.__dict__, "languages": (*candidate.languages, missing[0]),
                                   "id": "z" + candidate.id})
    assert matching.compare(richer, need).rank_key < matching.compare(candidate, need).rank_key


def test_languages_match_by_primary_subtag_and_dari_is_not_farsi() -> None:
    volunteer = matching.Candidate(id="v", languages=("ar", "fa"), area="", interests=frozenset(), status="active",
                                   check_expires_on=TODAY, open_matches=0, max_matches=1)
    proposal = matching.compare(volunteer, matching.Need(languages=("ar-SY", "prs", "ar-IQ")))
    assert proposal.shared_languages == ("ar-SY",)
    assert matching.blocked(volunteer, matching.Need(languages=("ar",)), TODAY) is None
    assert matching.blocked(volunteer, matching.Need(languages=("ar",)), TODAY + dt.timedelta(days=1)) == "check-expired"
