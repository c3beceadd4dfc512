"""Normalising values before a blind index (keys.keyring.blind_index), so that the same phone number, e-mail or name
typed two ways gives the same index. Only values with enough entropy to resist guessing are indexed: phone numbers,
e-mails, reference numbers, and a name together with a full date of birth — never a birth year, a nationality or a
language alone (a dictionary of all of them would reverse the index).
"""

from __future__ import annotations

import datetime as dt
import unicodedata

import phonenumbers

# The kinds of blind index there are; keys.keyring.blind_index separates them.
PHONE = "phone"
EMAIL = "email"
REFERENCE = "reference"
NAME_BIRTH_DATE = "name-birth-date"


def text(value: str) -> str:
    """Unicode NFKC, case folded, runs of white space as one space, trimmed."""
    return " ".join(unicodedata.normalize("NFKC", value).casefold().split())


def email(value: str) -> str:
    return text(value).replace(" ", "")


def phone(value: str, region: str) -> str:
    """E.164 (+447700900123); ValueError when it is not a possible phone number (the message carries no digits).
    A number without a country code is read in `region` (settings.phone_region)."""
    try:
        number = phonenumbers.parse(unicodedata.normalize("NFKC", value), region.upper() or None)
    except phonenumbers.NumberParseException:
        raise ValueError("not a phone number") from None
    if not phonenumbers.is_possible_number(number):
        raise ValueError("not a possible phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def reference(value: str) -> str:
    """A reference number: NFKC (fullwidth digits and letters become plain ones), case folded, letters and digits
    only — spaces, dashes of every kind, dots, slashes and other punctuation are how people write it, not part of it
    ("AB-12 345/6" and "ab123456" are one reference)."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", value).casefold() if ch.isalnum())


def name_birth_date(name: str, birth_date: dt.date) -> str:
    return f"{text(name)}\x1f{birth_date.isoformat()}"
