"""The interface catalogs (the `messages` domain): complete, well-formed and honest about review.

Every language the interface offers has a catalog with every message translated (no fuzzy entries), the same
named placeholders as the English text, and a header that says whether a native speaker has reviewed it.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from carebridge import i18n

ROOT = Path(__file__).resolve().parents[1]
LOCALE_DIR = ROOT / "locale"
LANGUAGES = list(i18n.LANGUAGES)
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
REVIEW_MARKER = re.compile(r"^# Native-speaker review: (pending|done by .+, \d{4}-\d{2}-\d{2})$", re.MULTILINE)


@cache
def catalog(language: str) -> Catalog:
    path = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as po_file:
        return read_po(po_file, locale=language, domain="messages")


def messages(language: str):  # noqa: ANN201
    return [message for message in catalog(language) if message.id]


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_interface_language_has_a_catalog(language: str) -> None:
    assert (LOCALE_DIR / language / "LC_MESSAGES" / "messages.po").is_file()


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_says_who_wrote_it_and_whether_a_native_speaker_reviewed_it(language: str) -> None:
    header = catalog(language).header_comment
    assert "Carebridge team" in header
    assert REVIEW_MARKER.search(header), f"{language}: the header comment needs a 'Native-speaker review:' line"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_and_none_is_fuzzy(language: str) -> None:
    expected_forms = catalog(language).num_plurals
    problems = []
    for message in messages(language):
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
        if message.pluralizable and len(strings) != expected_forms:
            problems.append(f"{len(strings)} plural forms instead of {expected_forms}: {message.id!r}")
        if not all(strings):
            problems.append(f"untranslated: {message.id!r}")
    assert not problems, f"{language}:\n" + "\n".join(problems)


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_placeholders_of_the_original(language: str) -> None:
    problems = []
    for message in messages(language):
        ids = message.id if isinstance(message.id, (list, tuple)) else [message.id]
        strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
        wanted = set().union(*(placeholders(text) for text in ids))
        got = [placeholders(text) for text in strings]
        if message.pluralizable:
            # A plural form may leave out the number ("one month"), but together they use every placeholder.
            if set().union(*got) != wanted or any(not names <= wanted for names in got):
                problems.append(f"{message.id!r}: {got} instead of {wanted}")
        elif got[0] != wanted:
            problems.append(f"{message.id!r}: {got[0]} instead of {wanted}")
        for text in strings:
            try:
                text % {name: "x" for name in wanted} if wanted else text  # noqa: B018
            except (KeyError, ValueError, TypeError) as error:
                problems.append(f"{text!r} cannot be formatted: {error}")
    assert not problems, f"{language}:\n" + "\n".join(problems)


def test_right_to_left_languages_are_the_ones_written_right_to_left() -> None:
    assert {code for code, language in i18n.LANGUAGES.items() if language.direction == "rtl"} == {"ar", "fa"}
