"""The canonical encoding, the heads and the stripes' check, without a database."""

import datetime as dt
import hashlib

import pytest

from carebridge.audit import chain


def _event(stripe_seq: int, previous_hash: str, stripe: int = 0, **changes) -> dict:
    fields = {
        "stripe": stripe,
        "stripe_seq": stripe_seq,
        "at": dt.datetime(2026, 11, 23, 12, 0, 0, 123456, tzinfo=dt.UTC),
        "account_id": "acc-1",
        "organisation_id": "org-1",
        "action": "sign-in.success",
        "record_type": None,
        "record_id": None,
        "outcome": "success",
        "request_id": "req-1",
        "previous_hash": previous_hash,
        **changes,
    }
    fields["hash"] = chain.event_hash(fields)
    return fields


def _stripe(count: int, stripe: int = 0) -> list[dict]:
    events, previous = [], chain.GENESIS
    for seq in range(1, count + 1):
        events.append(_event(seq, previous, stripe, request_id=f"req-{stripe}-{seq}"))
        previous = events[-1]["hash"]
    return events


def _trail(*counts: int) -> list[dict]:
    """Stripes 0, 1, ... with these many events each, in (stripe, stripe_seq) order."""
    return [event for stripe, count in enumerate(counts) for event in _stripe(count, stripe)]


def _result(events, **options) -> chain.Result:
    verifier = chain.Verifier(max_seq=max((e["stripe_seq"] for e in events), default=0), stripes=3, **options)
    verifier.feed(events)
    return verifier.result()


def test_the_canonical_encoding_is_exactly_as_documented():
    encoded = chain.canonical(_event(1, chain.GENESIS, stripe=3))
    assert encoded == (
        b'{"account_id":"acc-1","action":"sign-in.success","at":"2026-11-23T12:00:00.123456Z",'
        b'"organisation_id":"org-1","outcome":"success","previous_hash":"' + b"0" * 64 + b'",'
        b'"record_id":null,"record_type":null,"request_id":"req-1","stripe":3,"stripe_seq":1}'
    )
    assert chain.event_hash(_event(1, chain.GENESIS, stripe=3)) == hashlib.sha256(encoded).hexdigest()


def test_the_stripe_is_inside_the_hash():
    assert _event(1, chain.GENESIS, stripe=0)["hash"] != _event(1, chain.GENESIS, stripe=1)["hash"]


def test_at_is_encoded_in_utc_whatever_zone_it_comes_in_and_naive_is_utc():
    london_summer = dt.datetime(2027, 6, 30, 13, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert chain.format_at(london_summer) == "2027-06-30T12:00:00.000000Z"
    assert chain.format_at(dt.datetime(2027, 6, 30, 12, 0)) == "2027-06-30T12:00:00.000000Z"


def test_every_stripe_verifies_and_reports_its_head():
    events = _trail(5, 3, 4)
    result = _result(events)
    assert result.ok and result.intact == 12
    assert result.heads == {0: (5, events[4]["hash"]), 1: (3, events[7]["hash"]), 2: (4, events[11]["hash"])}


def test_an_empty_trail_is_intact_and_its_head_names_no_stripe():
    result = chain.Verifier().result()
    assert result.ok and result.intact == 0 and result.heads == {}
    assert result.head == hashlib.sha256(b"").hexdigest() + "/"


def test_the_head_is_the_combined_hash_then_each_stripes_head():
    heads = {0: (5, "a" * 64), 2: (4, "b" * 64), 1: (0, chain.GENESIS)}
    combined = hashlib.sha256(f"0:5:{'a' * 64}\n2:4:{'b' * 64}\n".encode()).hexdigest()
    assert chain.format_head(heads) == f"{combined}/0:5:{'a' * 16},2:4:{'b' * 16}"
    parsed = chain.parse_head(chain.format_head(heads).upper())
    assert parsed.combined == combined and parsed.stripes == {0: (5, "a" * 16), 2: (4, "b" * 16)}
    for nonsense in ("ab" * 32 + "x", "zz" * 32 + "/0:1:ab", "ab" * 32 + "/0:1"):
        with pytest.raises(ValueError):
            chain.parse_head(nonsense)


def test_the_first_broken_event_is_named_in_each_stripe_for_each_kind_of_damage():
    def breaks(events):
        return [(b.stripe, b.stripe_seq, b.problem) for b in _result(events).breaks]

    edited = _trail(5, 5)
    edited[2] = {**edited[2], "action": "account.disable"}
    edited[6] = {**edited[6], "outcome": "failure"}
    assert breaks(edited) == [(0, 3, "hash-mismatch"), (1, 2, "hash-mismatch")]

    deleted = _trail(5, 5)
    del deleted[7]
    assert breaks(deleted) == [(1, 4, "gap")]
    assert "event 3 is missing" in _result(deleted).broken.message

    swapped = _trail(5, 5)
    swapped[6], swapped[7] = {**swapped[7], "stripe_seq": 2}, {**swapped[6], "stripe_seq": 3}
    broken = _result(swapped).broken
    assert (broken.stripe, broken.stripe_seq, broken.problem) == (1, 2, "out-of-order")
    assert "written as stripe 1 event 3" in broken.message

    moved = _trail(3, 3)  # the last event of stripe 0 relabelled as stripe 1's fourth
    moved.append({**moved.pop(2), "stripe": 1, "stripe_seq": 4})
    broken = _result(moved).broken
    assert (broken.stripe, broken.stripe_seq, broken.problem) == (1, 4, "out-of-order")
    assert "written as stripe 0 event 3" in broken.message

    forged = _trail(5, 5)
    forged[7] = _event(3, forged[6]["hash"], stripe=1, action="account.disable")  # a correct hash for the edit
    assert breaks(forged) == [(1, 4, "previous-hash-mismatch")]


def test_a_break_in_one_stripe_does_not_hide_the_others():
    events = _trail(4, 4, 4)
    events[1] = {**events[1], "action": "account.disable"}
    result = _result(events)
    assert [(b.stripe, b.stripe_seq) for b in result.breaks] == [(0, 2)]
    assert result.intact == 1 + 4 + 4 and result.heads[2] == (4, events[-1]["hash"])


def test_a_head_kept_earlier_must_still_be_in_every_stripe_it_names():
    events = _trail(5, 5)
    kept = chain.format_head({0: (4, events[3]["hash"]), 1: (5, events[9]["hash"])})
    assert _result(events, expect_head=kept).ok
    assert _result(events + _stripe(2, 2), expect_head=kept).ok, "a stripe begun later does not matter"

    truncated = events[:8]  # the last two of stripe 1 deleted
    result = _result(truncated, expect_head=kept)
    assert [(b.stripe, b.problem) for b in result.breaks] == [(1, "head-missing")]
    assert "ends at event 3" in result.broken.message

    rewritten = events[:5] + _stripe(5, 1)[:4] + [_event(5, events[8]["hash"], stripe=1, action="roles.change")]
    assert [(b.stripe, b.problem) for b in _result(rewritten, expect_head=kept).breaks] == [(1, "head-missing")]

    wrong_combined = "0" * 64 + kept[64:]
    assert _result(events, expect_head=wrong_combined).broken.problem == "head-missing"


def test_the_template_completed_with_stripe_seq_and_previous_hash_is_the_canonical_encoding():
    fields = _event(41, "ab" * 32, stripe=5, record_type="person", record_id="p-1", request_id=None)
    pieces = chain.canonical_template({k: v for k, v in fields.items() if k not in {"stripe_seq", "previous_hash"}})
    before, between, after = pieces
    assert (before + "ab" * 32 + between + "41" + after).encode() == chain.canonical(fields)
