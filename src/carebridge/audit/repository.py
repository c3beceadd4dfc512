"""Every query of the audit trail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, func, insert, select, text
from sqlalchemy.orm import Session

from carebridge.audit.models import AuditEvent
from carebridge.db import UTCDateTime, is_postgresql

# The key of the PostgreSQL advisory lock that serialises appends ("cb-audit" as a 64-bit integer): held from
# reading the last event until the caller's transaction ends, so two writers can never chain onto the same event.
CHAIN_LOCK_KEY = int.from_bytes(b"cb-audit", "big")
# How long a writer waits for the chain lock before its unit of work fails (NotSaved, 503) instead of hanging behind
# a transaction that never ends. The caller's own lock_timeout is restored in the same statement.
CHAIN_LOCK_TIMEOUT_MS = 30_000
_LOCK = text(
    "WITH previous AS MATERIALIZED (SELECT current_setting('lock_timeout') AS value) "
    "SELECT set_config('lock_timeout', :timeout, true), pg_advisory_xact_lock(:key), "
    "set_config('lock_timeout', previous.value, true) FROM previous"
)

COLUMNS = (
    AuditEvent.seq,
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


def lock_chain(session: Session) -> None:
    """Serialise appends. PostgreSQL: a transaction-level advisory lock. SQLite has one writer at a time already (and
    the primary key on seq refuses a second event with the same number, so the chain cannot fork there either)."""
    if is_postgresql(session):
        session.execute(_LOCK, {"key": CHAIN_LOCK_KEY, "timeout": f"{CHAIN_LOCK_TIMEOUT_MS}ms"})


def last_event(session: Session) -> tuple[int, str] | None:
    row = session.execute(select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)).first()
    return (row.seq, row.hash) if row else None


def append(session: Session, values: dict[str, Any]) -> None:
    session.execute(insert(AuditEvent).values(**values))


# PostgreSQL: read the last event, hash and insert the next one in one statement (a fresh snapshot, taken after the
# lock), so that only this statement and the COMMIT run while the lock is held. The hash is SHA-256 of the canonical
# encoding, completed here from the pieces audit.chain.canonical_template made.
_APPEND_NEXT = text(
    """
    INSERT INTO audit_event (seq, at, account_id, organisation_id, action, record_type, record_id, outcome,
                             request_id, previous_hash, hash)
    SELECT next.seq, :at, :account_id, :organisation_id, :action, :record_type, :record_id, :outcome, :request_id,
           next.previous_hash,
           encode(sha256(convert_to(:before || next.previous_hash || :between || next.seq::text || :after, 'UTF8')),
                  'hex')
    FROM (
        SELECT coalesce(max(seq), 0) + 1 AS seq,
               coalesce((SELECT hash FROM audit_event ORDER BY seq DESC LIMIT 1), :genesis) AS previous_hash
        FROM audit_event
    ) AS next
    RETURNING seq, hash
    """
).bindparams(bindparam("at", type_=UTCDateTime()))


def append_next(session: Session, fields: dict[str, Any], pieces: tuple[str, str, str], genesis: str) -> tuple[int, str]:
    before, between, after = pieces
    row = session.execute(
        _APPEND_NEXT, {**fields, "before": before, "between": between, "after": after, "genesis": genesis}
    ).one()
    return row.seq, row.hash


def chain_batches(session: Session, batch_size: int = 5000) -> Iterator[list[dict[str, Any]]]:
    """The whole chain in seq order, in batches fetched by keyset (constant memory, however long the chain)."""
    after = None
    while True:
        query = select(*COLUMNS).order_by(AuditEvent.seq).limit(batch_size)
        if after is not None:
            query = query.where(AuditEvent.seq > after)
        rows = [dict(row._mapping) for row in session.execute(query)]
        if not rows:
            return
        yield rows
        after = rows[-1]["seq"]


def max_seq(session: Session) -> int:
    return session.scalar(select(func.max(AuditEvent.seq))) or 0


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
