"""AES-256-GCM with associated data, in one stored format, for everything Carebridge encrypts in the application.

Stored as version (1 byte) ‖ key id (4 bytes: the start of the key's SHA-256) ‖ nonce (12 random bytes) ‖ ciphertext
and tag. The associated data names where the value lives (`associated_data(table, column, row_id)`), so a ciphertext
copied into another row or column does not decrypt; the key id says which key made it (for rotation) without
revealing the key. Used by the staff platform's secrets (accounts.secrets) and by people's records (keys.service).
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets as random
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

VERSION = b"\x01"
KEY_BYTES = 32
NONCE_BYTES = 12
HEADER_BYTES = 1 + 4 + NONCE_BYTES


class CryptoError(RuntimeError):
    """A stored value cannot be decrypted with this key: another key made it, or an unknown format version."""


def new_key() -> bytes:
    return random.token_bytes(KEY_BYTES)


def key_id(key: bytes) -> bytes:
    return hashlib.sha256(key).digest()[:4]


def stored_key_id(stored: bytes) -> bytes:
    """The id of the key that made a stored value (see key_id)."""
    return bytes(stored[1:5])


def associated_data(table: str, column: str, row_id: str) -> bytes:
    return f"{table}\x1f{column}\x1f{row_id}".encode()


def encrypt(key: bytes, plaintext: bytes, associated: bytes) -> bytes:
    nonce = random.token_bytes(NONCE_BYTES)
    return VERSION + key_id(key) + nonce + AESGCM(key).encrypt(nonce, plaintext, associated)


def decrypt(key: bytes, stored: bytes, associated: bytes) -> bytes:
    """The plaintext; raises CryptoError if it was made with another key or version, and cryptography's
    InvalidTag if it was altered or belongs elsewhere (another row, column or table)."""
    stored = bytes(stored)
    if stored[:1] != VERSION:
        raise CryptoError("unknown encryption version")
    if stored[1:5] != key_id(key):
        raise CryptoError("encrypted with another key")
    nonce = stored[5:HEADER_BYTES]
    return AESGCM(key).decrypt(nonce, stored[HEADER_BYTES:], associated)


def create_key_file(path: Path) -> None:
    """Write a new random key (base64, one line) to `path` with mode 0600, unless the file exists. Written under
    another name and linked into place, so two processes starting together end up with one key."""
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{random.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(base64.b64encode(new_key()) + b"\n")
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
    finally:
        temporary.unlink(missing_ok=True)


def decode_key(text: str | bytes, where: str) -> bytes:
    """A 32-byte key from its base64 text; CryptoError naming `where` (a setting or a file, never the key) if not."""
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except ValueError:
        raise CryptoError(f"{where} does not hold a base64 key") from None
    if len(key) != KEY_BYTES:
        raise CryptoError(f"{where} must hold 32 bytes, base64-encoded")
    return key
