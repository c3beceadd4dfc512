"""The staff platform's own secret key, and what is encrypted or signed with it.

One 32-byte key, never in the database: from `CAREBRIDGE_STAFF_SECRET_KEY` (base64) when set, otherwise from the
key file (setting `staff_secret_key_file`, `var/staff-secret.key` in a checkout), created with mode 0600 when it is
missing. A copy of the database alone therefore gives away no second-factor secret.

- `encrypt`/`decrypt`: AES-256-GCM with associated data naming where the value lives (table, column, row id), so a
  ciphertext copied into another row or column does not decrypt. Stored as version ‖ key id ‖ nonce ‖ ciphertext;
  the key id (4 bytes of the key's SHA-256) says which key made it, for a later rotation.
- `derived_key(settings, purpose)`: a separate key per use (sign-in form tokens, hashing network addresses), so no
  two uses share a key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets as random
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from carebridge.config import Settings

VERSION = b"\x01"
KEY_BYTES = 32
NONCE_BYTES = 12


class SecretKeyError(RuntimeError):
    pass


def master_key(settings: Settings) -> bytes:
    return _load_key(settings.staff_secret_key, str(settings.staff_secret_key_file))


@lru_cache(maxsize=8)
def _load_key(from_environment: str, key_file: str) -> bytes:
    if from_environment:
        try:
            key = base64.b64decode(from_environment, validate=True)
        except ValueError:
            raise SecretKeyError("CAREBRIDGE_STAFF_SECRET_KEY is not base64") from None
        if len(key) != KEY_BYTES:
            raise SecretKeyError("CAREBRIDGE_STAFF_SECRET_KEY must decode to 32 bytes")
        return key
    return _key_from_file(Path(key_file))


def _key_from_file(path: Path) -> bytes:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written under another name and linked into place: two processes starting together end up with one key.
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{random.token_hex(4)}")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(base64.b64encode(random.token_bytes(KEY_BYTES)) + b"\n")
            try:
                os.link(temporary, path)
            except FileExistsError:
                pass
        finally:
            temporary.unlink(missing_ok=True)
    try:
        key = base64.b64decode(path.read_bytes().strip(), validate=True)
    except ValueError:
        raise SecretKeyError(f"{path} does not hold a base64 key") from None
    if len(key) != KEY_BYTES:
        raise SecretKeyError(f"{path} must hold 32 bytes, base64-encoded")
    return key


def key_id(key: bytes) -> bytes:
    return hashlib.sha256(key).digest()[:4]


def associated_data(table: str, column: str, row_id: str) -> bytes:
    return f"{table}\x1f{column}\x1f{row_id}".encode()


def encrypt(key: bytes, plaintext: bytes, associated: bytes) -> bytes:
    nonce = random.token_bytes(NONCE_BYTES)
    return VERSION + key_id(key) + nonce + AESGCM(key).encrypt(nonce, plaintext, associated)


def decrypt(key: bytes, stored: bytes, associated: bytes) -> bytes:
    """The plaintext; raises SecretKeyError if it was made with another key or version, and
    cryptography's InvalidTag if it was altered or belongs elsewhere."""
    if stored[:1] != VERSION:
        raise SecretKeyError("unknown encryption version")
    if stored[1:5] != key_id(key):
        raise SecretKeyError("encrypted with another key")
    nonce = stored[5 : 5 + NONCE_BYTES]
    return AESGCM(key).decrypt(nonce, stored[5 + NONCE_BYTES :], associated)


def derived_key(settings: Settings, purpose: str) -> bytes:
    return _derive(master_key(settings), purpose)


@lru_cache(maxsize=32)
def _derive(key: bytes, purpose: str) -> bytes:
    return hmac.new(key, b"carebridge-staff\x00" + purpose.encode(), hashlib.sha256).digest()
