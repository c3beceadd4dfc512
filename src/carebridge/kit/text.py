"""Text normalised for matching what people type against what records say, in any script.

Case is folded, diacritics are dropped (Latin accents, Cyrillic breves, Arabic harakat and hamza seats), and the
letters that Arabic and Persian keyboards write differently are unified, so "Médecin", "medecin", "عِيادة" and
"عيادة" match. Used by search (`q`, `near`) and anything else that compares names.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Letters written differently in Arabic and Persian (and by different keyboards), unified for matching.
_FOLD = str.maketrans(
    {
        "\u0640": None,  # tatweel (kashida), a stretching stroke
        "\u0649": "\u064a",  # alef maqsura -> yeh
        "\u06cc": "\u064a",  # Farsi yeh -> Arabic yeh
        "\u06a9": "\u0643",  # keheh -> kaf
        "\u0629": "\u0647",  # teh marbuta -> heh
        "\u0671": "\u0627",  # alef wasla -> alef
        "\u200c": None,  # zero-width non-joiner (Persian)
        "\u200d": None,
        "\u00df": "ss",
    }
)
_WORD = re.compile(r"\w+")
_ASCII_WORD = re.compile(r"[a-z0-9]+")
_ARABIC_ARTICLE = "\u0627\u0644"  # "al-"


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Case-folded text without diacritics, with Arabic-script letter variants unified."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return unicodedata.normalize("NFC", stripped.translate(_FOLD))


def words(text: str | None) -> list[str]:
    """The folded words of a text. An Arabic word with the article also counts without it ("العيادة" -> "عيادة")."""
    if not text:
        return []
    if text.isascii():
        return _ASCII_WORD.findall(text.lower())
    found = []
    for word in _WORD.findall(fold(text)):
        word = word.strip("_")
        if not word:
            continue
        found.append(word)
        if word.startswith(_ARABIC_ARTICLE) and len(word) > 3:
            found.append(word[2:])
    return found


def compact(text: str) -> str:
    """Folded letters and digits only: "FH1 1AA", "fh11aa" and "Town Centre" -> "fh11aa", "towncentre"."""
    return "".join(char for char in fold(text) if char.isalnum())


def query_words(text: str | None) -> list[str]:
    """The words of a search: like `words`, but an Arabic word with the article is looked for without it, which
    finds records written with or without it (records index both forms)."""
    found: list[str] = []
    for word in _WORD.findall(fold(text or "")):
        word = word.strip("_")
        if word.startswith(_ARABIC_ARTICLE) and len(word) > 3:
            word = word[2:]
        if word and word not in found:
            found.append(word)
    return found
