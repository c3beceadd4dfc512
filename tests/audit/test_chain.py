"""The canonical encoding and the chain check, without a database."""

import datetime as dt
import hashlib

from carebridge.audit import chain


def _event(seq: int, previous_hash: str, **changes) -> dict:
    fields = {
        "seq": seq,
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


def _chain(count: int) -> list[dict]:
    events, previous = [], chain.GENESIS
    for seq in range(1, count + 1):
        events.append(_event(seq, previous, request_id=f"req-{seq}"))
        previous = events[-1]["hash"]
    return events


def test_the_canonical_encoding_is_exactly_as_documented():
    encoded = chain.canonical(_event(1, chain.GENESIS))
    assert encoded == (
        b'{"account_id":"acc-1","action":"sign-in.success","at":"2026-11-23T12:00:00.123456Z",'
        b'"organisation_id":"org-1","outcome":"success","previous_hash":"' + b"0" * 64 + b'",'
        b'"record_id":null,"record_type":null,"request_id":"req-1","seq":1}'
    )
    assert chain.event_hash(_event(1, chain.GENESIS)) == hashlib.sha256(encoded).hexdigest()


def test_at_is_encoded_in_utc_whatever_zone_it_comes_in_and_naive_is_utc():
    london_summer = dt.datetime(2027, 6, 30, 13, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert chain.format_at(london_summer) == "2027-06-30T12:00:00.000000Z"
    assert chain.format_at(dt.datetime(2027, 6, 30, 12, 0)) == "2027-06-30T12:00:00.000000Z"


def test_a_whole_chain_verifies_and_reports_its_head():
    events = _chain(5)
    verifier = chain.Verifier(max_seq=5)
    assert verifier.feed(events)
    result = verifier.result()
    assert result.ok and result.intact == 5
    assert (result.head_seq, result.head_hash) == (5, events[-1]["hash"])


def test_an_empty_chain_is_intact_with_the_genesis_head():
    result = chain.Verifier().result()
    assert result.ok and result.intact == 0 and result.head_hash == chain.GENESIS


def test_the_first_broken_event_is_named_for_each_kind_of_damage():
    def first_break(events):
        verifier = chain.Verifier(max_seq=max(e["seq"] for e in events))
        verifier.feed(events)
        return verifier.result().broken

    edited = _chain(5)
    edited[2] = {**edited[2], "action": "account.disable"}
    assert (first_break(edited).seq, first_break(edited).problem) == (3, "hash-mismatch")

    deleted = _chain(5)
    del deleted[2]
    assert (first_break(deleted).seq, first_break(deleted).problem) == (4, "gap")

    swapped = _chain(5)
    swapped[1], swapped[2] = {**swapped[2], "seq": 2}, {**swapped[1], "seq": 3}
    broken = first_break(swapped)
    assert (broken.seq, broken.problem) == (2, "out-of-order") and "written as event 3" in broken.message

    forged = _chain(5)
    forged[2] = _event(3, forged[1]["hash"], action="account.disable")  # a correct hash for the edited event
    assert (first_break(forged).seq, first_break(forged).problem) == (4, "previous-hash-mismatch")


def test_a_head_kept_earlier_must_still_be_in_the_chain():
    events = _chain(5)
    kept = events[3]["hash"]
    verifier = chain.Verifier(max_seq=5, expect_head=kept)
    verifier.feed(events)
    assert verifier.result().ok

    truncated = chain.Verifier(max_seq=3, expect_head=kept)
    truncated.feed(events[:3])
    broken = truncated.result().broken
    assert broken is not None and broken.problem == "head-missing" and "ends at event 3" in broken.message


def test_the_template_completed_with_seq_and_previous_hash_is_the_canonical_encoding():
    fields = _event(41, "ab" * 32, record_type="person", record_id="p-1", request_id=None)
    before, between, after = chain.canonical_template({k: v for k, v in fields.items() if k not in {"seq", "previous_hash"}})
    assert (before + "ab" * 32 + between + "41" + after).encode() == chain.canonical(fields)
