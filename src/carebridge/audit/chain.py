"""The hash chains: how an event is encoded and hashed, and how the chains are checked.

The trail is N parallel hash chains ("stripes", docs/decisions/0004-audit-trail.md): every event belongs to one
stripe and is numbered 1, 2, 3, ... within it (`stripe_seq`, no gap), and its previous_hash is the hash of the event
before it in the same stripe (64 zeros for a stripe's first). Writers on different stripes commit in parallel; within
a stripe appends are serialised (audit.service), so no stripe can fork.

Canonical encoding (docs/decisions/0004-audit-trail.md says the same; change neither without a new version):
a JSON object of exactly these keys —
    stripe, stripe_seq, at, account_id, organisation_id, action, record_type, record_id, outcome, request_id,
    previous_hash
— keys sorted, no whitespace (separators "," and ":"), non-ASCII kept as UTF-8 (ensure_ascii off), absent values as
null, `stripe` and `stripe_seq` JSON integers, `at` as ISO 8601 in UTC with microseconds and a Z
(2026-11-23T12:00:00.000000Z), all other values strings. hash = lowercase hex SHA-256 of those UTF-8 bytes.

The global `seq` (display order, from a database sequence, gaps allowed) is not in the hash: the order that is
evidence is each stripe's `stripe_seq`, and `at`, which is hashed. `stripe` and `stripe_seq` are inside the hash, so
an event moved to another place (or another stripe) no longer matches its hash; `verify` then finds where it was
written (see Verifier).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

GENESIS = "0" * 64
FIELDS = (
    "stripe",
    "stripe_seq",
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
# How many hex digits of each stripe's head hash the compact head shows (the combined SHA-256 covers them whole).
HEAD_PREFIX = 16


def format_at(at: dt.datetime) -> str:
    if at.tzinfo is None:
        # SQLite gives back naive values; only UTC is ever written (db.UTCDateTime).
        at = at.replace(tzinfo=dt.UTC)
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(fields: dict[str, Any]) -> bytes:
    """The exact bytes that are hashed (see the module's docstring)."""
    values = {name: fields.get(name) for name in FIELDS}
    values["at"] = format_at(values["at"])
    values["stripe"] = int(values["stripe"])
    values["stripe_seq"] = int(values["stripe_seq"])
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def event_hash(fields: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(fields)).hexdigest()


_PREVIOUS_MARK = "PREVIOUS-HASH-GOES-HERE"
_SEQ_MARK = 987654321987654321


def canonical_template(fields: dict[str, Any]) -> tuple[str, str, str]:
    """The canonical encoding of an event (its stripe known) whose stripe_seq and previous_hash are not known yet, as
    three pieces: canonical = before + previous_hash + between + str(stripe_seq) + after. The database completes it
    (PostgreSQL appends in one statement: audit.repository.append_next); the pieces come from `canonical` itself, so
    they cannot drift from it. Both fields are plain ASCII (hex digits, an integer), so they need no JSON escaping."""
    text = canonical({**fields, "previous_hash": _PREVIOUS_MARK, "stripe_seq": _SEQ_MARK}).decode("utf-8")
    before, rest = text.split(f'"{_PREVIOUS_MARK}"', 1)
    between, after = rest.split(str(_SEQ_MARK), 1)
    return before + '"', '"' + between, after


# --- Heads: one line a person can keep elsewhere -----------------------------------------------------------------


def combined_head(heads: dict[int, tuple[int, str]]) -> str:
    """SHA-256 over the stripes' (stripe, stripe_seq, hash), in stripe order, one `stripe:stripe_seq:hash` line
    each (empty stripes left out)."""
    lines = "".join(f"{stripe}:{seq}:{hash_}\n" for stripe, (seq, hash_) in sorted(heads.items()) if seq > 0)
    return hashlib.sha256(lines.encode("ascii")).hexdigest()


def format_head(heads: dict[int, tuple[int, str]]) -> str:
    """`COMBINED/0:1234:abcd…,1:1200:…` — the combined head, then each stripe's head (number and hash prefix)."""
    parts = ",".join(f"{s}:{seq}:{h[:HEAD_PREFIX]}" for s, (seq, h) in sorted(heads.items()) if seq > 0)
    return f"{combined_head(heads)}/{parts}"


@dataclass(frozen=True)
class ExpectedHead:
    combined: str
    stripes: dict[int, tuple[int, str]]  # stripe -> (stripe_seq, hash prefix)


def parse_head(value: str) -> ExpectedHead:
    """The value `format_head` printed; ValueError if it is not one."""
    combined, _, rest = value.strip().lower().partition("/")
    if len(combined) != 64 or any(c not in "0123456789abcdef" for c in combined):
        raise ValueError("not an audit head (COMBINED/stripe:seq:hash,...)")
    stripes: dict[int, tuple[int, str]] = {}
    for part in filter(None, rest.split(",")):
        stripe, seq, prefix = part.split(":")
        stripes[int(stripe)] = (int(seq), prefix)
    return ExpectedHead(combined, stripes)


@dataclass(frozen=True)
class Break:
    """The first broken event of a stripe: where it is, what is wrong (a short code) and a sentence for people."""

    stripe: int
    stripe_seq: int
    problem: str  # gap | out-of-order | hash-mismatch | previous-hash-mismatch | head-missing
    message: str

    @property
    def place(self) -> str:
        return f"{self.stripe}:{self.stripe_seq}"


@dataclass
class _Stripe:
    expected_seq: int = 1
    previous_hash: str = GENESIS
    intact: int = 0
    broken: Break | None = None


@dataclass(frozen=True)
class Result:
    intact: int
    heads: dict[int, tuple[int, str]]  # stripe -> (last intact stripe_seq, its hash)
    breaks: list[Break] = field(default_factory=list)  # the first broken event of each broken stripe, by stripe

    @property
    def ok(self) -> bool:
        return not self.breaks

    @property
    def broken(self) -> Break | None:
        return self.breaks[0] if self.breaks else None

    @property
    def head(self) -> str:
        return format_head(self.heads)


class Verifier:
    """Walks the stripes, each in `stripe_seq` order, one event at a time (constant memory: one small state per
    stripe), and names the first broken event of each stripe (a stripe stops being checked at its first break).

    The checks on each event, in this order (the first that fails names the event):
    - gap: its stripe_seq is not the previous one + 1 (events were deleted; a stripe's first event must be 1);
    - its stored hash does not match its contents: `out-of-order` when the same contents hash correctly under
      another place (stripe_seq, or stripe) — the event was moved, e.g. two events swapped or events inserted before
      it — otherwise `hash-mismatch` (a field was edited);
    - previous-hash-mismatch: its previous_hash is not the hash of the stripe's event before it (an event before it
      was replaced by one with a recomputed hash, or an event was inserted).
    With an expected head (kept earlier), every stripe head it names must still be in its stripe, and together they
    must give its combined hash: otherwise `head-missing` (a stripe's tail was deleted, or rewritten).
    """

    def __init__(self, *, max_seq: int | None = None, stripes: int = 1, expect_head: str | None = None) -> None:
        self.max_seq = max_seq
        self.stripe_count = stripes
        self.expected = parse_head(expect_head) if expect_head else None
        self.found: dict[int, str] = {}  # stripe -> full hash of the event the expected head names
        self.stripes: dict[int, _Stripe] = {}

    def feed(self, events: Iterable[dict[str, Any]]) -> None:
        """Check these events (the next ones, ordered by stripe then stripe_seq)."""
        for fields in events:
            state = self.stripes.setdefault(int(fields["stripe"]), _Stripe())
            if state.broken is None:
                self._check(state, fields)

    def _check(self, state: _Stripe, fields: dict[str, Any]) -> None:
        stripe, seq = int(fields["stripe"]), int(fields["stripe_seq"])
        where = f"stripe {stripe} event {seq}"
        if seq != state.expected_seq:
            if state.expected_seq == seq - 1:
                missing = f"event {state.expected_seq} is missing"
            else:
                missing = f"events {state.expected_seq} to {seq - 1} are missing"
            state.broken = Break(stripe, seq, "gap", f"{where}: a gap in the sequence, {missing} (deleted)")
            return
        stored = fields["hash"]
        if event_hash(fields) != stored:
            written_as = self._written_as(fields)
            if written_as is not None:
                state.broken = Break(
                    stripe,
                    seq,
                    "out-of-order",
                    f"{where}: out of order, it was written as stripe {written_as[0]} event {written_as[1]} (events "
                    "were reordered, or inserted before it)",
                )
            else:
                state.broken = Break(
                    stripe, seq, "hash-mismatch", f"{where}: hash mismatch, its contents were changed after it was written"
                )
            return
        if fields["previous_hash"] != state.previous_hash:
            state.broken = Break(
                stripe,
                seq,
                "previous-hash-mismatch",
                f"{where}: its previous hash does not match the hash of event {seq - 1} of the stripe (an event before "
                "it was replaced or inserted)",
            )
            return
        if self.expected is not None and self.expected.stripes.get(stripe, (None,))[0] == seq:
            self.found[stripe] = stored
        state.previous_hash = stored
        state.expected_seq = seq + 1
        state.intact += 1

    def _written_as(self, fields: dict[str, Any]) -> tuple[int, int] | None:
        """The other place (stripe, stripe_seq) under which these contents hash to the stored hash, if any (only on
        the failure path: one hash per possible place)."""
        here = (int(fields["stripe"]), int(fields["stripe_seq"]))
        limit = max(self.max_seq or 0, here[1]) + 1
        stripes = range(max(self.stripe_count, here[0] + 1, *(s + 1 for s in self.stripes)))
        for stripe in [here[0], *(s for s in stripes if s != here[0])]:
            for candidate in range(1, limit + 1):
                if (stripe, candidate) != here and event_hash(
                    {**fields, "stripe": stripe, "stripe_seq": candidate}
                ) == fields["hash"]:
                    return stripe, candidate
        return None

    def result(self) -> Result:
        breaks = [state.broken for _, state in sorted(self.stripes.items()) if state.broken is not None]
        heads = {
            stripe: (state.expected_seq - 1, state.previous_hash)
            for stripe, state in sorted(self.stripes.items())
            if state.expected_seq > 1
        }
        broken_stripes = {b.stripe for b in breaks}
        if self.expected is not None:
            for stripe, (seq, prefix) in sorted(self.expected.stripes.items()):
                if stripe in broken_stripes:
                    continue
                full = self.found.get(stripe)
                if full is None or not full.startswith(prefix):
                    ends = heads.get(stripe, (0, GENESIS))[0]
                    breaks.append(
                        Break(
                            stripe,
                            ends + 1,
                            "head-missing",
                            f"stripe {stripe}: the head kept earlier (event {seq}, {prefix}) is not in the stripe, "
                            f"which now ends at event {ends}: events after it were deleted (or the stripe was "
                            "rewritten)",
                        )
                    )
            if not breaks and len(self.found) == len(self.expected.stripes):
                kept = {stripe: (self.expected.stripes[stripe][0], full) for stripe, full in self.found.items()}
                if combined_head(kept) != self.expected.combined:
                    breaks.append(
                        Break(-1, 0, "head-missing", "the combined head kept earlier does not match the stripes' heads "
                              "it names (the head was mistyped, or the stripes were rewritten)")
                    )
            breaks.sort(key=lambda b: b.stripe)
        return Result(intact=sum(s.intact for s in self.stripes.values()), heads=heads, breaks=breaks)
