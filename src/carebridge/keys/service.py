"""Per-person data keys (envelope encryption) and sealing values with them.

Every person's record has its own random 256-bit data key. It is stored only wrapped (AES-256-GCM) by the active
key-encryption key (keys.keyring), bound to its subject, so a copy of the database alone decrypts nothing. Values
are sealed with the person's data key and bound to their table, column and row (kit.crypto), so a ciphertext moved
to another row, column or person does not open.

    key = keys.create_data_key(session, settings, "client", client.id)      # a new person
    client.profile = key.seal_json("client", "profile", client.id, {...})
    key = keys.data_key(session, settings, "client", client.id)             # later: raises KeyDestroyed if erased
    profile = key.open_json("client", "profile", client.id, client.profile)
    keys.destroy_data_key(session, "client", client.id)                     # erasure: crypto-shredding

An unwrapped data key lives only in memory, for the unit of work that asked for it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from carebridge.config import Settings
from carebridge.errors import N_, NotFound
from carebridge.keys.keyring import Keyring, KeyringError, keyring
from carebridge.keys.models import RecordKey
from carebridge.kit import clock, crypto


class KeyDestroyed(NotFound):
    """The subject's data key is gone (the record was erased) or never existed: nothing of it can be read."""

    title = N_("This record has been erased")
    type_slug = "erased"


def _wrap_associated(subject_type: str, subject_id: str) -> bytes:
    return crypto.associated_data("record_key", subject_type, subject_id)


@dataclass(frozen=True)
class DataKey:
    """One subject's unwrapped data key. Seals and opens values bound to (table, column, row id)."""

    subject_type: str
    subject_id: str
    key: bytes

    def __repr__(self) -> str:  # never the key itself, in a log or a traceback
        return f"DataKey({self.subject_type!r}, {self.subject_id!r})"

    def seal(self, table: str, column: str, row_id: str, plaintext: bytes) -> bytes:
        return crypto.encrypt(self.key, plaintext, crypto.associated_data(table, column, row_id))

    def open(self, table: str, column: str, row_id: str, stored: bytes) -> bytes:
        return crypto.decrypt(self.key, bytes(stored), crypto.associated_data(table, column, row_id))

    def seal_text(self, table: str, column: str, row_id: str, value: str | None) -> bytes | None:
        return None if value is None else self.seal(table, column, row_id, value.encode("utf-8"))

    def open_text(self, table: str, column: str, row_id: str, stored: bytes | None) -> str | None:
        return None if stored is None else self.open(table, column, row_id, stored).decode("utf-8")

    def seal_json(self, table: str, column: str, row_id: str, value: Any) -> bytes:
        data = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        return self.seal(table, column, row_id, data.encode("utf-8"))

    def open_json(self, table: str, column: str, row_id: str, stored: bytes) -> Any:
        return json.loads(self.open(table, column, row_id, stored))


def _wrap(ring: Keyring, data_key: bytes, subject_type: str, subject_id: str) -> bytes:
    return crypto.encrypt(ring.active, data_key, _wrap_associated(subject_type, subject_id))


def _unwrap(settings: Settings, row: Any, ring: Keyring | None = None) -> bytes:
    """The data key inside `row` (a RecordKey, or a row of its id, subject_type, subject_id, wrapped and kek_id)."""
    ring = ring or keyring(settings)
    kek = ring.by_id.get(crypto.stored_key_id(row.wrapped))
    if kek is None:
        raise KeyringError(
            f"record key {row.id} is wrapped by key {row.kek_id}, which is not in the keyring (retired too early?)"
        )
    return crypto.decrypt(kek, bytes(row.wrapped), _wrap_associated(row.subject_type, row.subject_id))


def create_data_key(session: Session, settings: Settings, subject_type: str, subject_id: str) -> DataKey:
    """A new random data key for a new subject, stored wrapped under the active key-encryption key."""
    ring = keyring(settings)
    data_key = crypto.new_key()
    session.add(
        RecordKey(
            subject_type=subject_type,
            subject_id=subject_id,
            wrapped=_wrap(ring, data_key, subject_type, subject_id),
            kek_id=ring.active_id,
            created_at=clock.utc_now(),
        )
    )
    return DataKey(subject_type, subject_id, data_key)


def data_key(session: Session, settings: Settings, subject_type: str, subject_id: str) -> DataKey:
    """The subject's data key; KeyDestroyed when it was erased (or never made)."""
    row = session.scalar(
        select(RecordKey).where(RecordKey.subject_type == subject_type, RecordKey.subject_id == subject_id)
    )
    if row is None:
        raise KeyDestroyed()
    return DataKey(subject_type, subject_id, _unwrap(settings, row))


def data_keys(session: Session, settings: Settings, subject_type: str, subject_ids: Iterable[str]) -> dict[str, DataKey]:
    """The data keys of several subjects in one query (a caseload page); erased ones are simply absent."""
    ids = sorted(set(subject_ids))
    if not ids:
        return {}
    # Plain rows, not ORM objects: a page's 50 keys are read and dropped, never changed (no identity map to fill).
    rows = session.execute(
        select(RecordKey.id, RecordKey.subject_type, RecordKey.subject_id, RecordKey.wrapped, RecordKey.kek_id).where(
            RecordKey.subject_type == subject_type, RecordKey.subject_id.in_(ids)
        )
    ).all()
    ring = keyring(settings)  # once per page, not per row (it checks the key file's stamp)
    return {row.subject_id: DataKey(subject_type, row.subject_id, _unwrap(settings, row, ring)) for row in rows}


def destroy_data_key(session: Session, subject_type: str, subject_id: str) -> bool:
    """Crypto-shredding: delete the subject's wrapped data key. Whether there was one."""
    result = session.execute(
        delete(RecordKey).where(RecordKey.subject_type == subject_type, RecordKey.subject_id == subject_id)
    )
    return bool(result.rowcount)


def usage(session: Session) -> dict[str, int]:
    """How many data keys each key-encryption key (hex id) wraps: what `keys status` shows and `retire` checks."""
    rows = session.execute(select(RecordKey.kek_id, func.count()).group_by(RecordKey.kek_id)).all()
    return {kek_id: count for kek_id, count in rows}
