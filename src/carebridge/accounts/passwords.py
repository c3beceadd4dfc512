"""Staff passwords: argon2id hashes, and the policy a new password must meet.

The profile is OWASP's argon2id minimum (19 MiB, parallelism 1) with four passes instead of two, which costs about
50 ms on the 2-core machine we measure on (docs/performance.md): argon2-cffi's default profile costs 0.3-0.5 s, and a
few concurrent sign-ins would saturate the server. Hashing is CPU-bound: async code calls it through
`starlette.concurrency.run_in_threadpool`, never on the event loop. When the profile changes, a hash made with the
old one is replaced at the next successful sign-in (`needs_rehash`).

The policy follows NIST SP 800-63B: at least 12 characters, not a common password (the 30,000 most common of
zxcvbn's list, also with digits and symbols stripped from the end), not a run or a keyboard walk (`123456789012`,
`abcdefghijkl`, `qwertyuiopas`, also backwards) nor one short chunk repeated (`abcabcabcabc`) — what a guesser tries
first, whatever its length — not the service's name or the person's own e-mail or name; no composition rules (they make
passwords harder to remember, not to guess).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from carebridge.errors import N_

MINIMUM_LENGTH = 12
MAXIMUM_LENGTH = 256  # argon2 takes any length; this only bounds the work a hostile form can cause
COMMON_PASSWORDS_PATH = Path(__file__).with_name("common-passwords.txt")

HASHER = PasswordHasher(time_cost=4, memory_cost=19 * 1024, parallelism=1, hash_len=32, salt_len=16)


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return HASHER.check_needs_rehash(password_hash)


# A hash of a random password, verified against when an account does not exist, so that the answer takes as long
# whether or not it does.
_DUMMY_HASH: str | None = None


def verify_nothing(password: str) -> None:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_password("no account has this password, it is only compared against")
    verify_password(_DUMMY_HASH, password)


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_PATH.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def _normal(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


# Rows a keyboard walk follows (QWERTY, AZERTY, QWERTZ and the digit row); runs are read along them and along the
# alphabet and the digits, forwards or backwards.
SEQUENCES = (
    "0123456789",
    "abcdefghijklmnopqrstuvwxyz",
    "1234567890",
    "qwertyuiopasdfghjklzxcvbnm",
    "azertyuiopqsdfghjklmwxcvbn",
    "qwertzuiopasdfghjklyxcvbnm",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
    "azertyuiop",
    "qsdfghjklm",
    "wxcvbn",
    "qwertzuiop",
    "yxcvbnm",
    "qazwsxedcrfvtgbyhnujmikolp",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
)
MAXIMUM_CHUNK = 4  # a password that is one chunk of up to this many characters, repeated, is refused


def _is_walk(text: str) -> bool:
    """Whether `text` (3 or more characters) is a run along one of SEQUENCES (forwards or backwards, each row may be
    read round again: `7890123`), possibly with one symbol or space between its parts."""
    letters = re.sub(r"[\W_]+", "", text)
    if len(letters) < 3:
        return False
    for row in SEQUENCES:
        for line in (row, row[::-1]):
            doubled = line * (len(letters) // len(line) + 2)
            if letters in doubled:
                return True
    return False


def _is_repeated(text: str) -> bool:
    text = re.sub(r"[\W_]+", "", text) or text
    for size in range(1, MAXIMUM_CHUNK + 1):
        chunk = text[:size]
        if len(text) >= 2 * size and (chunk * (len(text) // size + 1)).startswith(text):
            return True
    return False


def _guessable(normal: str) -> bool:
    """A run, a keyboard walk or a repeated chunk, alone or with a few digits or symbols around it."""
    core = re.sub(r"^[\W\d_]+|[\W\d_]+$", "", normal) or normal
    return any(_is_walk(text) or _is_repeated(text) for text in {normal, core} if len(text) >= 3)


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Why this password may not be used (a message id to translate), or None if it may."""
    if len(password) < MINIMUM_LENGTH:
        return N_("Use at least 12 characters. A few words you will remember make a good password.")
    if len(password) > MAXIMUM_LENGTH:
        return N_("Use at most 256 characters.")
    normal = _normal(password)
    stripped = re.sub(r"[\W\d_]+$", "", normal)
    common = common_passwords()
    if (
        normal in common
        or (len(stripped) >= 4 and stripped in common)
        or len(set(normal)) <= 3
        or _guessable(normal)
        or _is_repeated(password)  # as typed too: normalising may widen a chunk ("ŉ" is "ʼn")
    ):
        return N_("This password is too common and easy to guess. Choose another one.")
    words = {"carebridge"}
    local_part = _normal(email).partition("@")[0]
    if len(local_part) >= 4:
        words.add(local_part)
    words.update(part for part in _normal(name).split() if len(part) >= 4)
    if any(word in normal for word in words):
        return N_("Do not use your name, your e-mail address or the name of this service in your password.")
    return None
