"""Rotating and retiring the key-encryption keys (KEKs) that wrap people's data keys, without stopping the service.

Rotation (`carebridge keys rotate`):

1. A new KEK is added in front of the key file (the old ones kept below it), written under another name with mode
   0600 and renamed into place, so a reader sees either the old file or the new one, never half of one. Running
   servers and workers reload the file when it changes (keys.keyring), and from then on wrap new data keys under
   the new KEK while still unwrapping old ones with the old KEK.
   With CAREBRIDGE_RECORD_KEYS the operator does this step: put the new key first in the variable on every process,
   restart them, then run `carebridge keys rotate --rewrap-only`.
2. Every data key not yet under the active KEK is unwrapped and wrapped again under it, in batches (each its own
   short transaction, rows locked FOR UPDATE on PostgreSQL), so readers never wait long and a data key is readable
   under one KEK or the other at every moment. Only the wrapping changes: the data key itself, and so every value
   sealed with it, stays the same — nothing else is re-encrypted.

Idempotent and resumable: a re-run re-wraps what is still under an older KEK and nothing else.

Retirement (`carebridge keys retire KEY_ID`): refused while any data key is still wrapped under that KEK (see
`carebridge keys status`), and for the active KEK; otherwise the KEK is removed from the key file. After that,
backups older than the rotation can no longer be read (docs/decisions/0007-person-record-encryption.md).

Both are audited (`keys.rotate`, `keys.retire`; record_type "kek", record_id the public 8-hex-digit key id — never
key material).
"""

from __future__ import annotations

import base64
import os
import secrets as random
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from carebridge.audit import service as audit
from carebridge.config import Settings
from carebridge.db import session_scope
from carebridge.keys import service
from carebridge.keys.keyring import KeyringError, keyring
from carebridge.keys.models import RecordKey
from carebridge.kit import clock, crypto

DEFAULT_BATCH = 500
RECORD_TYPE = "kek"

ENVIRONMENT_ROTATION = (
    "CAREBRIDGE_RECORD_KEYS is set, so the keys are not in a file this command can change. To rotate:\n"
    "  1. make a new key: python -c \"import base64, os; print(base64.b64encode(os.urandom(32)).decode())\"\n"
    "  2. put it FIRST in CAREBRIDGE_RECORD_KEYS (comma-separated, keep the old keys after it) on EVERY process:\n"
    "     web servers, job workers and this shell;\n"
    "  3. restart them all;\n"
    "  4. run `carebridge keys rotate --rewrap-only` (re-run it until it reports 0 left);\n"
    "  5. when `carebridge keys status` shows 0 data keys under an old key, and the last backup taken while it was\n"
    "     in use has expired, remove it from the variable everywhere (docs/deploying.md, \"Keys\")."
)


class RotationError(KeyringError):
    """A rotation or retirement step refused: the message says why and what to do (never key material)."""


@dataclass
class RewrapReport:
    active_id: str
    rewrapped: int = 0
    batches: int = 0
    # Data keys wrapped under a KEK that is not in the keyring: left as they are, and reported.
    unreadable: int = 0
    # Still under an older KEK when the run ended (made meanwhile by a process that had not yet reloaded the key
    # file): a re-run wraps them.
    remaining: int = 0
    seconds: float = 0.0


def _key_lines(path: Path) -> list[str]:
    return path.read_text(encoding="ascii").splitlines() if path.exists() else []


def _is_key_line(line: str) -> bool:
    return bool(line.strip()) and not line.lstrip().startswith("#")


def _write_key_file(path: Path, lines: list[str]) -> None:
    """Replace `path` atomically (write a sibling with mode 0600, fsync, rename over; fsync the folder)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{random.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write("\n".join(lines) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def add_key(settings: Settings) -> str:
    """Put a new random KEK first in the key file (the others kept after it); its hex key id."""
    if settings.record_keys.get_secret_value():
        raise RotationError(ENVIRONMENT_ROTATION)
    keyring(settings)  # the current file must be readable (and, in demo mode, exist) before it is changed
    path = Path(settings.record_key_file)
    new = crypto.new_key()
    _write_key_file(path, [base64.b64encode(new).decode("ascii"), *_key_lines(path)])
    return crypto.key_id(new).hex()


def rewrap(
    settings: Settings,
    session_factory: sessionmaker[Session] | None = None,
    *,
    batch_size: int = DEFAULT_BATCH,
    after_batch: Callable[[RewrapReport], None] | None = None,
) -> RewrapReport:
    """Wrap every data key not under the active KEK again under it, `batch_size` per transaction."""
    if batch_size < 1:
        raise ValueError("batch size must be at least 1")
    started = time.perf_counter()
    ring = keyring(settings)
    report = RewrapReport(active_id=ring.active_id)
    after = ""
    while True:
        with session_scope(session_factory) as session:
            rows = session.scalars(
                select(RecordKey)
                .where(RecordKey.kek_id != ring.active_id, RecordKey.id > after)
                .order_by(RecordKey.id)
                .limit(batch_size)
                .with_for_update()
            ).all()
            if not rows:
                break
            now = clock.utc_now()
            for row in rows:
                kek = ring.by_id.get(crypto.stored_key_id(row.wrapped))
                if kek is None:
                    report.unreadable += 1
                    continue
                associated = service._wrap_associated(row.subject_type, row.subject_id)
                data_key = crypto.decrypt(kek, bytes(row.wrapped), associated)
                row.wrapped = crypto.encrypt(ring.active, data_key, associated)
                row.kek_id = ring.active_id
                row.rotated_at = now
                report.rewrapped += 1
            after = rows[-1].id
        report.batches += 1
        if after_batch is not None:
            after_batch(report)
    with session_scope(session_factory) as session:
        left = sum(count for kek, count in service.usage(session).items() if kek != ring.active_id)
        report.remaining = max(0, left - report.unreadable)
        audit.record(session, "keys.rotate", record_type=RECORD_TYPE, record_id=ring.active_id)
    report.seconds = time.perf_counter() - started
    return report


def retire(settings: Settings, session_factory: sessionmaker[Session] | None, kek_id: str) -> None:
    """Remove a KEK that no data key is wrapped under any more from the key file; RotationError if it is in use,
    active, unknown, or the keys come from the environment."""
    kek_id = kek_id.strip().lower()
    ring = keyring(settings)
    known = {key.hex() for key in ring.by_id}
    if kek_id not in known:
        raise RotationError(f"key {kek_id} is not in the keyring (`carebridge keys status` lists the key ids)")
    if kek_id == ring.active_id:
        raise RotationError(f"key {kek_id} is the active key: rotate to a new key first (`carebridge keys rotate`)")
    with session_scope(session_factory) as session:
        in_use = service.usage(session).get(kek_id, 0)
    if in_use:
        raise RotationError(
            f"key {kek_id} still wraps {in_use} data keys: run `carebridge keys rotate --rewrap-only` first"
        )
    if settings.record_keys.get_secret_value():
        raise RotationError(
            f"CAREBRIDGE_RECORD_KEYS is set: remove key {kek_id} from it on every process and restart them "
            "(no data key is wrapped under it any more)"
        )
    path = Path(settings.record_key_file)
    kept = [
        line
        for line in _key_lines(path)
        if not _is_key_line(line) or crypto.key_id(crypto.decode_key(line, str(path))).hex() != kek_id
    ]
    # Audited first (committed), then the file changed: if the event cannot be saved the key stays; if the file
    # cannot be written the event names an attempt that a re-run completes.
    with session_scope(session_factory) as session:
        audit.record(session, "keys.retire", record_type=RECORD_TYPE, record_id=kek_id)
    _write_key_file(path, kept)


def rotate(
    settings: Settings,
    session_factory: sessionmaker[Session] | None = None,
    *,
    rewrap_only: bool = False,
    batch_size: int = DEFAULT_BATCH,
    after_batch: Callable[[RewrapReport], None] | None = None,
) -> RewrapReport:
    """`carebridge keys rotate`: a new active KEK (unless `rewrap_only`), then every data key re-wrapped under it."""
    if not rewrap_only:
        add_key(settings)
    return rewrap(settings, session_factory, batch_size=batch_size, after_batch=after_batch)
