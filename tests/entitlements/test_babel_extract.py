"""Rule texts reach the translators."""

from __future__ import annotations

from carebridge.entitlements.babel_extract import extract_rules
from carebridge.entitlements.rulebook import RULES_DIR, get_rulebooks


def test_every_text_a_person_reads_is_extracted_with_its_line():
    rulebook = get_rulebooks()["GB-ENG"]
    with (RULES_DIR / "GB-ENG.yaml").open("rb") as handle:
        extracted = {message: line for line, _, message, _ in extract_rules(handle, None, None, None)}
    for rule in rulebook.rules:
        for text in (rule.cost, rule.explanation, *rule.steps, *rule.conditions, *rule.documents):
            assert text in extracted
    for gap in rulebook.gaps:
        assert gap.ask in extracted
    assert rulebook.where_to_ask in extracted
    assert all(line > 1 for line in extracted.values())
