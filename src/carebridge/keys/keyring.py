"""The key-encryption keys (KEKs) that wrap each person's data key, and the blind-index key: never in the database.

From the environment (CAREBRIDGE_RECORD_KEYS: comma-separated base64 keys, the active one first;
CAREBRIDGE_BLIND_INDEX_KEY) when set, otherwise from key files (settings `record_key_file`, one base64 key per line,
active first, `#` comments allowed; `blind_index_key_file`). In demo mode (`make run`) missing files are created with
mode 0600; otherwise a missing key is an error that names `carebridge keys init`, because a new key made silently in
production would leave every existing record unreadable.

The files are read again when they change (their modification time), so running servers and workers pick up the
new key that `carebridge keys rotate` adds without a restart (docs/deploying.md).
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from carebridge.config import Settings
from carebridge.kit.crypto import CryptoError, create_key_file, decode_key, key_id


class KeyringError(CryptoError):
    """No usable key: the message says which setting or file, and what to do (never the key)."""


@dataclass(frozen=True)
class Keyring:
    """The key-encryption keys in effect: `active` wraps new and rotated data keys; `by_id` unwraps (key id → key)."""

    active: bytes
    by_id: dict[bytes, bytes]

    @property
    def active_id(self) -> str:
        return key_id(self.active).hex()


def _stamp(path: Path) -> tuple[int, int, int]:
    """What changes when the file is replaced or rewritten: modification time, inode (`keys rotate` renames a new
    file into place, so two changes within the file system's timestamp granularity still differ) and size."""
    try:
        status = os.stat(path)
    except FileNotFoundError:
        return (0, 0, 0)
    return (status.st_mtime_ns, status.st_ino, status.st_size)


def keyring(settings: Settings) -> Keyring:
    from_environment = settings.record_keys.get_secret_value()
    path = Path(settings.record_key_file)
    if not from_environment and not path.exists():
        if not settings.demo:
            raise KeyringError(
                f"no record keys: set CAREBRIDGE_RECORD_KEYS or create {path} with `carebridge keys init`"
            )
        create_key_file(path)
    return _keyring(from_environment, str(path), (0, 0, 0) if from_environment else _stamp(path))


@lru_cache(maxsize=8)
def _keyring(from_environment: str, key_file: str, _stamp: tuple[int, int, int]) -> Keyring:
    if from_environment:
        texts = [part for part in from_environment.split(",") if part.strip()]
        where = "CAREBRIDGE_RECORD_KEYS"
    else:
        lines = Path(key_file).read_text(encoding="ascii").splitlines()
        texts = [line for line in lines if line.strip() and not line.lstrip().startswith("#")]
        where = key_file
    if not texts:
        raise KeyringError(f"{where} holds no key")
    keys = [decode_key(text, where) for text in texts]
    return Keyring(active=keys[0], by_id={key_id(key): key for key in keys})


def blind_index_key(settings: Settings) -> bytes:
    from_environment = settings.blind_index_key.get_secret_value()
    if from_environment:
        return _decoded(from_environment, "CAREBRIDGE_BLIND_INDEX_KEY")
    path = Path(settings.blind_index_key_file)
    if not path.exists():
        if not settings.demo:
            raise KeyringError(
                f"no blind-index key: set CAREBRIDGE_BLIND_INDEX_KEY or create {path} with `carebridge keys init`"
            )
        create_key_file(path)
    return _file_key(str(path), _stamp(path))


@lru_cache(maxsize=8)
def _decoded(text: str, where: str) -> bytes:
    return decode_key(text, where)


@lru_cache(maxsize=8)
def _file_key(key_file: str, _stamp: tuple[int, int, int]) -> bytes:
    return decode_key(Path(key_file).read_bytes(), key_file)


def blind_index(settings: Settings, kind: str, normalised: str) -> str:
    """HMAC-SHA256 (hex) of an already normalised value (keys.normalise), separated by kind so that a phone number
    and an e-mail never share an index value."""
    message = kind.encode() + b"\x00" + normalised.encode()
    return hmac.new(blind_index_key(settings), message, hashlib.sha256).hexdigest()
