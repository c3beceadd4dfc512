"""A Babel extractor for the texts people read in the rules bases (rules/<CODE>.yaml).

Rule texts are written in English in the YAML files; each English text is a gettext message id of the
`entitlements` domain, so translators work in locale/<lang>/LC_MESSAGES/entitlements.po like for any other text.
Wire it into babel-entitlements.cfg with:

    [extractors]
    entitlement_rules = carebridge.entitlements.babel_extract:extract_rules

    [entitlement_rules: src/carebridge/entitlements/rules/*.yaml]
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO

from carebridge.entitlements.rulebook import TESTS_SUFFIX, LineDict, LineList, _LineLoader

RULE_TEXTS = ("cost", "safe_to_go", "explanation", "ask")
RULE_TEXT_LISTS = ("conditions", "documents", "steps")


def extract_rules(
    fileobj: BinaryIO, keywords: Any, comment_tags: Any, options: Any  # noqa: ARG001 - Babel's signature
) -> Iterator[tuple[int, None, str, list[str]]]:
    name = getattr(fileobj, "name", "")
    if str(name).endswith(TESTS_SUFFIX):
        return
    loader = _LineLoader(fileobj.read().decode("utf-8"))
    try:
        document = loader.get_single_data()
    finally:
        loader.dispose()
    if not isinstance(document, LineDict):
        return
    for key in ("where_to_ask",):
        if isinstance(document.get(key), str):
            yield document.key_lines[key], None, document[key], [f"{document.get('jurisdiction')}: {key}"]
    questions = document.get("questions") or {}
    if isinstance(questions, LineDict):
        for fact, text in questions.items():
            yield questions.key_lines[fact], None, text, [f"Question about {fact}"]
    for section in ("rules", "gaps"):
        entries = document.get(section) or []
        if not isinstance(entries, LineList):
            continue
        for entry in entries:
            if not isinstance(entry, LineDict):
                continue
            comment = [f"Rule {entry.get('id')}; plain words, reading age about 9"]
            for key in RULE_TEXTS:
                if isinstance(entry.get(key), str):
                    yield entry.key_lines[key], None, entry[key], comment
            for key in RULE_TEXT_LISTS:
                items = entry.get(key)
                if isinstance(items, LineList):
                    for line, text in zip(items.item_lines, items, strict=True):
                        if isinstance(text, str):
                            yield line, None, text, comment
