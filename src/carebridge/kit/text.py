"""Text normalised for matching what people type against what records say, in any script.

Case is folded, diacritics are dropped (Latin accents, Cyrillic breves, Arabic harakat and hamza seats), and the
letters that Arabic and Persian keyboards write differently are unified, so "Médecin", "medecin", "عِيادة" and
"عيادة" match. Used by search (`q`, `near`) and anything else that compares names.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from carebridge.errors import N_, FieldError, InvalidInput

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
    # Compatibility forms first, then case: "𝐀" (mathematical bold) becomes "A" only after NFKD, and must still fold.
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
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


# ---------------------------------------------------------------------------------------------------------------
# Values that must stay whole: dates, numbers with their unit, postcodes, phone numbers, codes
#
# In right-to-left text the Unicode bidi algorithm reorders the parts of such a value ("22 نوفمبر 2026" can come out
# as "2026 نوفمبر 22" next to a comma, "+44 20 7946" as "7946 20 44+"), and line breaking can split it in two. Each
# value is therefore isolated (FSI … PDI, or LRI … PDI for values that are always left-to-right: phone numbers,
# postcodes, codes) and kept on one line. The isolates are real characters, so the value stays whole wherever the
# text goes: a web page, the PDF leaflet (WeasyPrint ignores CSS `unicode-bidi`, but Pango honours the characters),
# an audio script, a copy and paste. Pages wrap the value in <bdi class="keep"> (CSS: no wrapping); plain text uses
# no-break spaces and word joiners instead.

FSI, LRI, PDI = "\u2068", "\u2066", "\u2069"
NBSP, WORD_JOINER = "\u00a0", "\u2060"
# The kinds of value, and whether each is always left-to-right (True) or takes the direction of its own letters.
KINDS: dict[str, bool] = {
    "date": False,  # "22 November 2026", "22 نوفمبر 2026": in the reader's script
    "quantity": False,  # a number with its unit: "2.5 km", "٣ كم", "20 months"
    "distance": False,
    "amount": True,  # a price with its currency, as Babel formats it: "£27.40", "27.40 UK£" (never "£UK 27.40")
    "phone": True,  # "+44 20 7946 0000", "112"
    "postcode": True,  # "FH1 1AA"
    "code": True,  # "SI 2017/756", "GB-ENG"
}
_BREAKS = re.compile(r"[ \t\n\r\u2009\u202f]+")
_BREAK_AFTER = re.compile(r"([-/\u2010\u2013])")
ISOLATES = re.compile("[\u2066-\u2069]")


def unbreakable(text: str) -> str:
    """The text with no place where a line may break: spaces become no-break spaces, and a word joiner follows each
    hyphen or slash (the characters themselves are kept, so the value reads, copies and searches the same)."""
    return _BREAK_AFTER.sub("\\1" + WORD_JOINER, _BREAKS.sub(NBSP, text.strip()))


def isolate(value: object, kind: str = "date", *, unbreak: bool = True) -> str:
    """`value` as plain text that keeps its order inside any sentence, in either direction, and (with `unbreak`)
    never breaks across lines. Empty values stay empty. An unknown kind is an error in our code, not in the data."""
    text = "" if value is None else str(value)
    if not text.strip():
        return text
    opener = LRI if KINDS[kind] else FSI
    body = unbreakable(text) if unbreak else text.strip()
    return f"{opener}{body}{PDI}"


def is_left_to_right(kind: str) -> bool:
    return KINDS[kind]


def without_isolates(text: str) -> str:
    """The text without bidi isolates and with ordinary spaces: what a comparison of words wants."""
    return ISOLATES.sub("", text).replace(NBSP, " ").replace(WORD_JOINER, "")


# ---------------------------------------------------------------------------------------------------------------
# Filling a sentence with values that may end in a full stop
#
# Some values end with an abbreviation's full stop: Ukrainian long dates ("22 листопада 2026 р.", babel's format,
# "р." for "року"), a name like "Smith & Co.". Put at the end of a sentence ("... on %(date)s."), the sentence's own
# stop doubles it: "р..". `fill` drops the sentence's stop after such a value (the value's stop ends the sentence,
# as typography wants), whatever the language and wherever the translator put the value.

_STOPS = ".\u2026"  # a full stop, or an ellipsis, already ends the sentence


def ends_with_stop(value: object) -> bool:
    """Whether `value`, read as text (bidi isolates and trailing spaces aside), ends with a full stop."""
    text = without_isolates(str(value)).rstrip()
    return bool(text) and text[-1] in _STOPS


def fill(template: str, params: dict[str, object]) -> str:
    """`template % params`, without a doubled full stop where a value ending in one is followed by the sentence's
    stop ("%(date)s." with "22 листопада 2026 р." gives "… 2026 р.", not "… 2026 р..")."""
    for name, value in params.items():
        if ends_with_stop(value):
            template = template.replace(f"%({name})s.", f"%({name})s")
    return template % params


# Characters that are text in a multi-line value; every other control or format character is hidden and refused.
LINE_CHARACTERS = {"\n", "\r", "\t"}
# Joiners written inside words of some scripts (Persian, Indic) and emoji sequences: visible in effect, allowed.
ALLOWED_FORMAT = {"\u200c", "\u200d"}


def clean_text(
    value: str | None, field: str, *, maximum: int, multiline: bool = True, empty: str | None = None
) -> str | None:
    """Free text as it is kept (NFC, trimmed, line breaks as \\n), None when empty (or InvalidInput with `empty`);
    InvalidInput on `field` when too long or carrying a hidden character (one that changes the direction of text,
    a control character; line breaks and tabs only where `multiline`)."""
    text = unicodedata.normalize("NFC", value or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        if empty is not None:
            raise InvalidInput(errors=[FieldError(field, empty)])
        return None
    allowed = LINE_CHARACTERS if multiline else set()
    hidden = any(
        unicodedata.category(character) in {"Cc", "Cf", "Cs", "Co", "Zl", "Zp"}
        and character not in allowed
        and character not in ALLOWED_FORMAT
        for character in text
    )
    if hidden:
        raise InvalidInput(
            errors=[
                FieldError(
                    field,
                    N_(
                        "Use only visible letters, numbers, spaces and punctuation: the text contains a hidden "
                        "character, such as one that changes the direction of text."
                    ),
                )
            ]
        )
    if len(text) > maximum:
        raise InvalidInput(
            errors=[FieldError(field, N_("Use at most %(maximum)s characters."), params={"maximum": maximum})]
        )
    return text
