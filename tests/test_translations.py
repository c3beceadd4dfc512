"""The interface catalogs, every gettext domain (`messages`, `entitlements`, `staff`) in every language: complete,
well-formed, current and honest about review.

Every language the interface offers has a catalog per domain with every message translated (no fuzzy entries), the
same named placeholders as the English text, and a header that says whether a native speaker has reviewed it. The
catalogs must also cover every message the source code marks today, each domain by its own mapping (babel.cfg,
babel-entitlements.cfg, babel-staff.cfg): a new interface string without a translation fails here (run
`make extract-messages`, translate, see docs/translating.md).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from carebridge import i18n

ROOT = Path(__file__).resolve().parents[1]
LOCALE_DIR = ROOT / "locale"
LANGUAGES = list(i18n.LANGUAGES)
DOMAINS = list(i18n.CATALOG_DOMAINS)
MAPPINGS = {"messages": "babel.cfg", "entitlements": "babel-entitlements.cfg", "staff": "babel-staff.cfg"}
EVERY_CATALOG = [pytest.param(domain, language, id=f"{domain}-{language}") for domain in DOMAINS for language in LANGUAGES]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
REVIEW_MARKER = re.compile(r"^# Native-speaker review: (pending|done by .+, \d{4}-\d{2}-\d{2})$", re.MULTILINE)


@cache
def catalog(domain: str, language: str) -> Catalog:
    path = LOCALE_DIR / language / "LC_MESSAGES" / f"{domain}.po"
    with path.open("rb") as po_file:
        return read_po(po_file, locale=language, domain=domain)


def messages(domain: str, language: str):  # noqa: ANN201
    return [message for message in catalog(domain, language) if message.id]


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def test_every_domain_has_its_mapping() -> None:
    assert set(MAPPINGS) == set(DOMAINS) and all((ROOT / name).is_file() for name in MAPPINGS.values())


@cache
def source_message_ids(domain: str) -> frozenset[str]:
    """What `make extract-messages` finds in the source today (the domain's mapping, paths relative to the root)."""
    with (ROOT / MAPPINGS[domain]).open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    found = set()
    def only_the_source(path: str) -> bool:  # babel.cfg only maps src/carebridge; skip .venv, node_modules, ...
        first = Path(path).resolve().relative_to(ROOT).parts[:1]
        return first in ((), ("src",))

    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=DEFAULT_KEYWORDS, directory_filter=only_the_source
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return frozenset(found)


@pytest.mark.parametrize(("domain", "language"), EVERY_CATALOG)
def test_every_interface_language_has_a_catalog(domain: str, language: str) -> None:
    assert (LOCALE_DIR / language / "LC_MESSAGES" / f"{domain}.po").is_file()
    assert messages(domain, language), f"{domain}/{language} is empty"


@pytest.mark.parametrize(("domain", "language"), EVERY_CATALOG)
def test_catalog_says_who_wrote_it_and_whether_a_native_speaker_reviewed_it(domain: str, language: str) -> None:
    header = catalog(domain, language).header_comment
    assert "Carebridge team" in header
    assert REVIEW_MARKER.search(header), f"{domain}/{language}: the header comment needs a 'Native-speaker review:' line"


@pytest.mark.parametrize(("domain", "language"), EVERY_CATALOG)
def test_every_message_is_translated_and_none_is_fuzzy(domain: str, language: str) -> None:
    expected_forms = catalog(domain, language).num_plurals
    problems = []
    for message in messages(domain, language):
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
        if message.pluralizable and len(strings) != expected_forms:
            problems.append(f"{len(strings)} plural forms instead of {expected_forms}: {message.id!r}")
        if not all(strings):
            problems.append(f"untranslated: {message.id!r}")
    assert not problems, f"{domain}/{language}:\n" + "\n".join(problems)


@pytest.mark.parametrize(("domain", "language"), EVERY_CATALOG)
def test_translations_keep_the_placeholders_of_the_original(domain: str, language: str) -> None:
    problems = []
    for message in messages(domain, language):
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
    assert not problems, f"{domain}/{language}:\n" + "\n".join(problems)


@pytest.mark.parametrize(("domain", "language"), EVERY_CATALOG)
def test_catalog_covers_every_message_in_the_source(domain: str, language: str) -> None:
    in_catalog = {
        message.id[0] if isinstance(message.id, (list, tuple)) else message.id for message in messages(domain, language)
    }
    found = source_message_ids(domain)
    assert found, f"the {domain} mapping finds no message at all in the source"
    missing = sorted(found - in_catalog)
    assert not missing, (
        f"{domain}/{language} has no translation for {len(missing)} interface message(s); run `make extract-messages` and "
        "translate them (docs/translating.md):\n" + "\n".join(missing)
    )


def test_right_to_left_languages_are_the_ones_written_right_to_left() -> None:
    assert {code for code, language in i18n.LANGUAGES.items() if language.direction == "rtl"} == {"ar", "fa"}
