"""Every query of the audit trail."""

from __future__ import annotations

import datetime as dt
import os
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, func, insert, select, text, tuple_
from sqlalchemy.orm import Session

from carebridge.audit.models import AuditEvent
from carebridge.db import UTCDateTime, is_postgresql

# The keys of the PostgreSQL advisory locks, one per stripe: BASE + stripe ("cb-audit" as a 64-bit integer, plus the
# stripe). A stripe's lock is held from reading its last event until the caller's transaction ends, so two writers
# can never chain onto the same event; writers on different stripes run (and commit) in parallel.
CHAIN_LOCK_KEY = int.from_bytes(b"cb-audit", "big")
# Stripes on PostgreSQL unless the setting audit_stripes says otherwise (SQLite: always 1, it has one writer).
DEFAULT_STRIPES = 8
# How long a writer waits for a stripe's lock (when none is free) before its unit of work fails (NotSaved, 503)
# instead of hanging behind a transaction that never ends. The caller's own lock_timeout is restored in the same
# statement.
CHAIN_LOCK_TIMEOUT_MS = 30_000
_LOCK = text(
    "WITH previous AS MATERIALIZED (SELECT current_setting('lock_timeout') AS value) "
    "SELECT set_config('lock_timeout', :timeout, true), pg_advisory_xact_lock(:key), "
    "set_config('lock_timeout', previous.value, true) FROM previous"
)
# Tries the stripes' locks in the given order, without waiting, and stops at the first it gets (one round trip): the
# rows of unnest come in order (WITH ORDINALITY), the filter is evaluated row by row, and LIMIT 1 stops the scan, so
# exactly one lock is taken, or none if every stripe is held.
_TRY_LOCKS = text(
    "SELECT stripe FROM unnest(CAST(:order AS integer[])) WITH ORDINALITY AS t(stripe, place) "
    "WHERE pg_try_advisory_xact_lock(:base + stripe) LIMIT 1"
)

COLUMNS = (
    AuditEvent.seq,
    AuditEvent.stripe,
    AuditEvent.stripe_seq,
    AuditEvent.at,
    AuditEvent.account_id,
    AuditEvent.organisation_id,
    AuditEvent.action,
    AuditEvent.record_type,
    AuditEvent.record_id,
    AuditEvent.outcome,
    AuditEvent.request_id,
    AuditEvent.previous_hash,
    AuditEvent.hash,
)

# Each process starts its rotation at its own random place (re-drawn in a forked worker), so writers spread over the
# stripes from the first try.
_rotation = 0
_rotation_pid = 0
_SESSION_KEY = "carebridge.audit.stripe"


def stripe_count(session: Session) -> int:
    if not is_postgresql(session):
        return 1
    return max(1, int(session.info.get("audit_stripes", DEFAULT_STRIPES)))


def lock_stripe(session: Session) -> int:
    """Take a stripe for this transaction and return it. A transaction that holds one already keeps it (all its events
    go to one stripe). PostgreSQL: try each stripe's advisory lock without waiting, in a rotating order, and take the
    first that is free; if none is, wait for one (bounded: CHAIN_LOCK_TIMEOUT_MS, then OperationalError). SQLite has one
    writer at a time already: stripe 0 (and the unique (stripe, stripe_seq) refuses a second event in one place)."""
    global _rotation, _rotation_pid
    session.connection()  # begins the transaction if it has not begun, so it can be recognised
    transaction = session.get_transaction()
    held = session.info.get(_SESSION_KEY)
    if held is not None and held[0] is transaction:
        if is_postgresql(session):
            # Taken again (at once: the lock is re-entrant), because a rolled-back savepoint releases the locks taken
            # inside it; the same stripe, so the transaction's events stay together.
            session.execute(_LOCK, {"key": CHAIN_LOCK_KEY + held[1], "timeout": f"{CHAIN_LOCK_TIMEOUT_MS}ms"})
        return held[1]
    stripes = stripe_count(session)
    stripe = 0
    if is_postgresql(session):
        if _rotation_pid != os.getpid():
            _rotation, _rotation_pid = random.randrange(1 << 16), os.getpid()
        _rotation = (_rotation + 1) % stripes
        order = [(_rotation + k) % stripes for k in range(stripes)]
        free = session.execute(_TRY_LOCKS, {"order": order, "base": CHAIN_LOCK_KEY}).scalar()
        if free is not None:
            stripe = int(free)
        else:
            stripe = order[0]
            session.execute(_LOCK, {"key": CHAIN_LOCK_KEY + stripe, "timeout": f"{CHAIN_LOCK_TIMEOUT_MS}ms"})
    session.info[_SESSION_KEY] = (transaction, stripe)
    return stripe


def last_event(session: Session, stripe: int) -> tuple[int, str] | None:
    """A stripe's last event: (stripe_seq, hash)."""
    row = session.execute(
        select(AuditEvent.stripe_seq, AuditEvent.hash)
        .where(AuditEvent.stripe == stripe)
        .order_by(AuditEvent.stripe_seq.desc())
        .limit(1)
    ).first()
    return (row.stripe_seq, row.hash) if row else None


def latest_seq(session: Session) -> int:
    """The newest event's display number (0 for an empty trail)."""
    return session.scalar(select(func.max(AuditEvent.seq))) or 0


def heads(session: Session) -> dict[int, tuple[int, str]]:
    """Every stripe's last event: stripe -> (stripe_seq, hash). One index probe per stripe."""
    stripes = session.scalars(select(AuditEvent.stripe).distinct()).all()
    return {stripe: last for stripe in sorted(stripes) if (last := last_event(session, stripe)) is not None}


def append(session: Session, values: dict[str, Any]) -> int:
    return session.execute(insert(AuditEvent).values(**values).returning(AuditEvent.seq)).scalar_one()


def append_many(session: Session, rows: list[dict[str, Any]]) -> None:
    """Several events, already chained by the caller (audit.service.record_many), in one multi-row INSERT."""
    if rows:
        # executemany: one cached statement, sent as one multi-row INSERT (SQLAlchemy's insertmanyvalues), instead of
        # compiling a fresh 50-row VALUES statement each time.
        session.execute(insert(AuditEvent), rows)


# PostgreSQL: read the stripe's last event, hash and insert the next one in one statement (a fresh snapshot, taken
# after the lock), so that only this statement and the COMMIT run while the lock is held. The hash is SHA-256 of the
# canonical encoding, completed here from the pieces audit.chain.canonical_template made.
_APPEND_NEXT = text(
    """
    INSERT INTO audit_event (stripe, stripe_seq, at, account_id, organisation_id, action, record_type, record_id,
                             outcome, request_id, previous_hash, hash)
    SELECT :stripe, next.stripe_seq, :at, :account_id, :organisation_id, :action, :record_type, :record_id, :outcome,
           :request_id, next.previous_hash,
           encode(sha256(convert_to(:before || next.previous_hash || :between || next.stripe_seq::text || :after,
                                    'UTF8')), 'hex')
    FROM (
        SELECT coalesce(last.stripe_seq, 0) + 1 AS stripe_seq, coalesce(last.hash, :genesis) AS previous_hash
        FROM (SELECT 1) AS one
        LEFT JOIN LATERAL (
            SELECT stripe_seq, hash FROM audit_event WHERE stripe = :stripe ORDER BY stripe_seq DESC LIMIT 1
        ) AS last ON true
    ) AS next
    RETURNING seq, stripe_seq, hash
    """
).bindparams(bindparam("at", type_=UTCDateTime()))


def append_next(
    session: Session, stripe: int, fields: dict[str, Any], pieces: tuple[str, str, str], genesis: str
) -> tuple[int, int, str]:
    before, between, after = pieces
    row = session.execute(
        _APPEND_NEXT,
        {**fields, "stripe": stripe, "before": before, "between": between, "after": after, "genesis": genesis},
    ).one()
    return row.seq, row.stripe_seq, row.hash


def chain_batches(session: Session, batch_size: int = 5000) -> Iterator[list[dict[str, Any]]]:
    """Every stripe in (stripe, stripe_seq) order, in batches fetched by keyset (constant memory, however long)."""
    after: tuple[int, int] | None = None
    while True:
        query = select(*COLUMNS).order_by(AuditEvent.stripe, AuditEvent.stripe_seq).limit(batch_size)
        if after is not None:
            # A row comparison: one range scan of the unique (stripe, stripe_seq) index on both databases.
            query = query.where(tuple_(AuditEvent.stripe, AuditEvent.stripe_seq) > tuple_(*after))
        rows = [dict(row._mapping) for row in session.execute(query)]
        if not rows:
            return
        yield rows
        after = (rows[-1]["stripe"], rows[-1]["stripe_seq"])


def max_stripe_seq(session: Session) -> int:
    return session.scalar(select(func.max(AuditEvent.stripe_seq))) or 0


@dataclass(frozen=True)
class EventFilter:
    organisation_id: str | None = None  # None = every organisation (only for audit.read-all)
    action: str | None = None
    account_id: str | None = None
    record_type: str | None = None
    record_id: str | None = None
    since: dt.datetime | None = None  # inclusive
    until: dt.datetime | None = None  # exclusive
    before_seq: int | None = None  # keyset: events older than this one
    # Leave out actions starting with this (rights: the `disclosure.` events while a confirmed court order forbids
    # telling the person).
    without_action_prefix: str | None = None


def list_events(session: Session, event_filter: EventFilter, limit: int) -> list[AuditEvent]:
    """Newest first, at most `limit`, matching the filter."""
    query = select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(limit)
    f = event_filter
    equal = (
        (AuditEvent.organisation_id, f.organisation_id),
        (AuditEvent.action, f.action),
        (AuditEvent.account_id, f.account_id),
        (AuditEvent.record_type, f.record_type),
        (AuditEvent.record_id, f.record_id),
    )
    for column, value in equal:
        if value is not None:
            query = query.where(column == value)
    if f.since is not None:
        query = query.where(AuditEvent.at >= f.since)
    if f.until is not None:
        query = query.where(AuditEvent.at < f.until)
    if f.before_seq is not None:
        query = query.where(AuditEvent.seq < f.before_seq)
    if f.without_action_prefix is not None:
        query = query.where(AuditEvent.action.not_like(f"{f.without_action_prefix}%"))
    return list(session.scalars(query))



# Names for display. The audit trail stores ids only; the page shows who they are from the accounts tables (read
# only, by id), so a renamed member of staff shows under their current name.
STAFF_CHOICES_LIMIT = 500


def account_names(session: Session, ids: set[str]) -> dict[str, str]:
    from carebridge.accounts.models import StaffAccount

    if not ids:
        return {}
    return {key: value for key, value in session.execute(select(StaffAccount.id, StaffAccount.name).where(StaffAccount.id.in_(ids)))}


def organisation_names(session: Session, ids: set[str]) -> dict[str, str]:
    from carebridge.accounts.models import Organisation

    if not ids:
        return {}
    return {key: value for key, value in session.execute(select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids)))}


def staff_choices(session: Session, organisation_id: str) -> list[tuple[str, str]]:
    from carebridge.accounts.models import StaffAccount

    query = (
        select(StaffAccount.id, StaffAccount.name)
        .where(StaffAccount.organisation_id == organisation_id)
        .order_by(StaffAccount.name, StaffAccount.id)
    )
    return [(key, value) for key, value in session.execute(query.limit(STAFF_CHOICES_LIMIT))]


def organisation_choices(session: Session) -> list[tuple[str, str]]:
    from carebridge.accounts.models import Organisation

    return [(key, value) for key, value in session.execute(select(Organisation.id, Organisation.name).order_by(Organisation.name))]
