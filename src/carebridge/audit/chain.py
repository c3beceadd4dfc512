"""The hash chain: how an event is encoded and hashed, and how a chain is checked.

Canonical encoding (docs/decisions/0004-audit-trail.md says the same; change neither without a new version):
a JSON object of exactly these keys —
    seq, at, account_id, organisation_id, action, record_type, record_id, outcome, request_id, previous_hash
— keys sorted, no whitespace (separators "," and ":"), non-ASCII kept as UTF-8 (ensure_ascii off), absent values as
null, `seq` a JSON integer, `at` as ISO 8601 in UTC with microseconds and a Z (2026-11-23T12:00:00.000000Z), all other
values strings. hash = lowercase hex SHA-256 of those UTF-8 bytes. The first event's previous_hash is 64 zeros.

`seq` is inside the hash, so an event moved to another place in the chain no longer matches its hash; `verify`
then finds where it was written (see Verifier).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64
FIELDS = (
    "seq",
    "at",
    "account_id",
    "organisation_id",
    "action",
    "record_type",
    "record_id",
    "outcome",
    "request_id",
    "previous_hash",
)


def format_at(at: dt.datetime) -> str:
    if at.tzinfo is None:
        # SQLite gives back naive values; only UTC is ever written (db.UTCDateTime).
        at = at.replace(tzinfo=dt.UTC)
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(fields: dict[str, Any]) -> bytes:
    """The exact bytes that are hashed (see the module's docstring)."""
    values = {name: fields.get(name) for name in FIELDS}
    values["at"] = format_at(values["at"])
    values["seq"] = int(values["seq"])
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def event_hash(fields: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(fields)).hexdigest()


_PREVIOUS_MARK = "PREVIOUS-HASH-GOES-HERE"
_SEQ_MARK = 987654321987654321


def canonical_template(fields: dict[str, Any]) -> tuple[str, str, str]:
    """The canonical encoding of an event whose seq and previous_hash are not known yet, as three pieces:
    canonical = before + previous_hash + between + str(seq) + after. The database completes it (PostgreSQL appends
    in one statement: audit.repository.append_next); the pieces come from `canonical` itself, so they cannot drift
    from it. Both fields are plain ASCII (hex digits, an integer), so they need no JSON escaping."""
    text = canonical({**fields, "previous_hash": _PREVIOUS_MARK, "seq": _SEQ_MARK}).decode("utf-8")
    before, rest = text.split(f'"{_PREVIOUS_MARK}"', 1)
    between, after = rest.split(str(_SEQ_MARK), 1)
    return before + '"', '"' + between, after


@dataclass(frozen=True)
class Break:
    """The first broken event: its sequence number, what is wrong (a short code) and a sentence for people."""

    seq: int
    problem: str  # gap | out-of-order | hash-mismatch | previous-hash-mismatch | head-missing
    message: str


@dataclass(frozen=True)
class Result:
    intact: int
    head_seq: int
    head_hash: str
    broken: Break | None

    @property
    def ok(self) -> bool:
        return self.broken is None


class Verifier:
    """Walks a chain in `seq` order, one event at a time (constant memory), stopping at the first broken event.

    The checks on each event, in this order (the first that fails names the event):
    - gap: its seq is not the previous seq + 1 (events were deleted; the first event must be 1);
    - its stored hash does not match its contents: `out-of-order` when the same contents hash correctly under
      another seq (the event was moved, e.g. two events swapped or events inserted before it), otherwise
      `hash-mismatch` (a field was edited);
    - previous-hash-mismatch: its previous_hash is not the hash of the event before it (an event before it was
      replaced by one with a recomputed hash, or an event was inserted).
    """

    def __init__(self, *, max_seq: int | None = None, expect_head: str | None = None) -> None:
        self.expected_seq = 1
        self.previous_hash = GENESIS
        self.max_seq = max_seq
        self.expect_head = expect_head.lower() if expect_head else None
        self.head_found = False
        self.broken: Break | None = None
        self.intact = 0

    def feed(self, events: Iterable[dict[str, Any]]) -> bool:
        """Check these events (the next ones in seq order); False once a break is found."""
        for fields in events:
            if self.broken is not None:
                return False
            self._check(fields)
        return self.broken is None

    def _check(self, fields: dict[str, Any]) -> None:
        seq = int(fields["seq"])
        if seq != self.expected_seq:
            if self.expected_seq == seq - 1:
                missing = f"event {self.expected_seq} is missing"
            else:
                missing = f"events {self.expected_seq} to {seq - 1} are missing"
            self.broken = Break(seq, "gap", f"event {seq}: a gap in the sequence, {missing} (deleted)")
            return
        stored = fields["hash"]
        if event_hash(fields) != stored:
            written_as = self._written_as(fields)
            if written_as is not None:
                self.broken = Break(
                    seq,
                    "out-of-order",
                    f"event {seq}: out of order, it was written as event {written_as} (events were reordered, "
                    "or inserted before it)",
                )
            else:
                self.broken = Break(
                    seq, "hash-mismatch", f"event {seq}: hash mismatch, its contents were changed after it was written"
                )
            return
        if fields["previous_hash"] != self.previous_hash:
            self.broken = Break(
                seq,
                "previous-hash-mismatch",
                f"event {seq}: its previous hash does not match the hash of event {seq - 1} (an event before it was "
                "replaced or inserted)",
            )
            return
        if self.expect_head is not None and stored == self.expect_head:
            self.head_found = True
        self.previous_hash = stored
        self.expected_seq = seq + 1
        self.intact += 1

    def _written_as(self, fields: dict[str, Any]) -> int | None:
        """The other seq under which these contents hash to the stored hash, if any (only on the failure path: one
        hash per possible position)."""
        limit = max(self.max_seq or 0, int(fields["seq"])) + 1
        for candidate in range(1, limit + 1):
            if candidate != int(fields["seq"]) and event_hash({**fields, "seq": candidate}) == fields["hash"]:
                return candidate
        return None

    def result(self) -> Result:
        broken = self.broken
        if broken is None and self.expect_head is not None and not self.head_found:
            broken = Break(
                self.expected_seq,
                "head-missing",
                f"the head kept earlier ({self.expect_head}) is not in the chain, which now ends at event "
                f"{self.expected_seq - 1}: events after it were deleted (or the chain was rewritten)",
            )
        return Result(
            intact=self.intact, head_seq=self.expected_seq - 1, head_hash=self.previous_hash, broken=broken
        )
