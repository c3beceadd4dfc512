"""The staff platform's own secret key, and what is encrypted or signed with it.

One 32-byte key, never in the database: from `CAREBRIDGE_STAFF_SECRET_KEY` (base64) when set, otherwise from the
key file (setting `staff_secret_key_file`, `var/staff-secret.key` in a checkout), created with mode 0600 when it is
missing. A copy of the database alone therefore gives away no second-factor secret.

- `encrypt`/`decrypt`: AES-256-GCM with associated data naming where the value lives (table, column, row id), in the
  one format of kit.crypto (re-exported here), so a ciphertext copied into another row or column does not decrypt.
- `derived_key(settings, purpose)`: a separate key per use (sign-in form tokens, hashing network addresses), so no
  two uses share a key.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache
from pathlib import Path

from carebridge.config import Settings
from carebridge.kit.crypto import (
    VERSION,
    CryptoError,
    associated_data,
    create_key_file,
    decode_key,
    decrypt,
    encrypt,
    key_id,
)

__all__ = ["VERSION", "SecretKeyError", "associated_data", "decrypt", "derived_key", "encrypt", "key_id", "master_key"]

# A decryption with the wrong key raises this (kit.crypto.CryptoError); a bad key setting raises it too.
SecretKeyError = CryptoError


def master_key(settings: Settings) -> bytes:
    return _load_key(settings.staff_secret_key, str(settings.staff_secret_key_file))


@lru_cache(maxsize=8)
def _load_key(from_environment: str, key_file: str) -> bytes:
    if from_environment:
        return decode_key(from_environment, "CAREBRIDGE_STAFF_SECRET_KEY")
    path = Path(key_file)
    create_key_file(path)
    return decode_key(path.read_bytes(), str(path))


def derived_key(settings: Settings, purpose: str) -> bytes:
    return _derive(master_key(settings), purpose)


@lru_cache(maxsize=32)
def _derive(key: bytes, purpose: str) -> bytes:
    return hmac.new(key, b"carebridge-staff\x00" + purpose.encode(), hashlib.sha256).digest()
