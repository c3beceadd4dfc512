"""Matching as pure rules (no database): Hypothesis drives random registers and requests, and an independent oracle
checks that a proposal is never excluded, unavailable, double-booked, of the wrong language or gender, a community
member when the person asked for someone from outside, or unaccredited when that was not allowed."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings as hypothesis_settings, strategies as st

from carebridge.interpreters import matching

TAGS = ["ar", "ar-SY", "ar-IQ", "prs", "fa", "ps", "ckb", "kmr", "ti", "uk", "ru", "so"]
DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
MONDAY = dt.date(2027, 3, 1)
TODAY = dt.date(2027, 2, 20)


def test_macro_languages_group_dialects_without_merging_languages() -> None:
    assert matching.language_match("ar-SY", "ar-SY") == matching.EXACT
    assert matching.language_match("ar-SY", "ar-IQ") == matching.MACRO_MATCH
    assert matching.language_match("prs", "fa") == matching.MACRO_MATCH
    assert matching.language_match("ckb", "kmr") == matching.MACRO_MATCH
    assert matching.language_match("ps", "fa") is None
    assert matching.language_match("uk", "ru") is None


@st.composite
def candidates(draw, index: int) -> matching.Candidate:  # noqa: ANN001
    languages = [{"tag": tag, "community": draw(st.booleans())} for tag in draw(st.lists(st.sampled_from(TAGS), min_size=1, max_size=3, unique=True))]
    rules = []
    for _ in range(draw(st.integers(0, 3))):
        opens = draw(st.integers(6, 16))
        rules.append({"byday": ",".join(draw(st.lists(st.sampled_from(DAYS), min_size=1, max_size=7, unique=True))),
                      "opens_at": f"{opens:02d}:00", "closes_at": f"{opens + draw(st.integers(1, 7)):02d}:00"})
    busy = []
    for _ in range(draw(st.integers(0, 3))):
        start = dt.datetime.combine(MONDAY + dt.timedelta(days=draw(st.integers(0, 6))), dt.time(draw(st.integers(6, 20)), draw(st.sampled_from([0, 15, 30, 45]))), dt.UTC)
        busy.append((start, start + dt.timedelta(minutes=draw(st.sampled_from([15, 30, 60, 90, 120])))))
    return matching.Candidate(
        id=f"c{index}",
        languages=languages,
        modalities=draw(st.lists(st.sampled_from(["in-person", "phone", "video"]), min_size=1, max_size=3, unique=True)),
        gender=draw(st.sampled_from([None, "female", "male", "other"])),
        availability=rules,
        accreditation_expires=draw(st.sampled_from([None, dt.date(2026, 1, 1), dt.date(2028, 1, 1)])),
        active=draw(st.booleans()) or True,
        busy=busy,
    )


@st.composite
def registers(draw) -> tuple[matching.Request, list[matching.Candidate]]:  # noqa: ANN001
    found = [draw(candidates(index)) for index in range(draw(st.integers(1, 12)))]
    start = dt.datetime.combine(MONDAY + dt.timedelta(days=draw(st.integers(0, 6))), dt.time(draw(st.integers(5, 20)), draw(st.sampled_from([0, 30]))), dt.UTC)
    request = matching.Request(
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=draw(st.sampled_from([30, 60, 90, 180]))),
        language=draw(st.sampled_from(TAGS)),
        modality=draw(st.sampled_from(["in-person", "phone", "video"])),
        gender=draw(st.sampled_from(["any", "female", "male"])),
        not_from_community=draw(st.booleans()),
        excluded_ids=frozenset(draw(st.lists(st.sampled_from([c.id for c in found]), max_size=3))),
        allow_unaccredited=draw(st.booleans()),
    )
    return request, found


def _available(candidate: matching.Candidate, start: dt.datetime, end: dt.datetime) -> bool:
    """The oracle: a weekly rule whose day is the window's day and whose hours contain it (UTC, same day)."""
    if start.date() != end.date() and end.time() != dt.time(0):
        return False
    day = DAYS[start.weekday()]
    for rule in candidate.availability:
        opens = dt.datetime.combine(start.date(), dt.time.fromisoformat(rule["opens_at"]), dt.UTC)
        closes = dt.datetime.combine(start.date(), dt.time.fromisoformat(rule["closes_at"]), dt.UTC)
        if day in rule["byday"].split(",") and opens <= start and end <= closes:
            return True
    return False


def _prefix(tag: str) -> str:
    return {"prs": "fa", "ckb": "ku", "kmr": "ku"}.get(tag.split("-")[0], tag.split("-")[0])


@hypothesis_settings(max_examples=400, deadline=None)
@given(registers())
def test_never_proposes_an_excluded_unavailable_double_booked_or_wrong_language_interpreter(drawn) -> None:  # noqa: ANN001
    request, found = drawn
    matches, refusals = matching.rank(request, found, zone="UTC", today=TODAY)
    by_id = {candidate.id: candidate for candidate in found}
    assert sorted([m.candidate_id for m in matches] + [r.candidate_id for r in refusals]) == sorted(by_id)
    for match in matches:
        candidate = by_id[match.candidate_id]
        assert candidate.id not in request.excluded_ids
        tags = [entry["tag"] for entry in candidate.languages]
        assert any(_prefix(tag) == _prefix(request.language) for tag in tags)
        assert (match.match == matching.EXACT) == (request.language in tags)
        assert request.modality in candidate.modalities
        if request.gender != "any":
            assert candidate.gender == request.gender
        if request.not_from_community:
            assert not any(entry["community"] and _prefix(entry["tag"]) == _prefix(request.language) for entry in candidate.languages)
        assert _available(candidate, request.starts_at, request.ends_at)
        assert not any(start < request.ends_at and request.starts_at < end for start, end in candidate.busy)
        if not request.allow_unaccredited:
            assert candidate.accreditation_expires is not None and candidate.accreditation_expires >= TODAY
    # Exact dialects are all ranked before the macro-language ones.
    kinds = [match.match for match in matches]
    assert kinds == sorted(kinds, key=lambda kind: kind != matching.EXACT)


def test_the_oracle_and_the_rules_agree_on_a_plain_case() -> None:
    """The property above would pass vacuously if nobody were ever proposed: here someone is."""
    start = dt.datetime(2027, 3, 2, 10, 0, tzinfo=dt.UTC)  # a Tuesday
    candidate = matching.Candidate("c1", [{"tag": "ar-SY"}], ["phone"], "female", [{"byday": "TU", "opens_at": "09:00", "closes_at": "17:00"}],
                                   dt.date(2028, 1, 1))
    request = matching.Request(start, start + dt.timedelta(hours=1), "ar-SY", "phone")
    matches, _ = matching.rank(request, [candidate], zone="UTC", today=TODAY)
    assert [m.candidate_id for m in matches] == ["c1"] and _available(candidate, request.starts_at, request.ends_at)
