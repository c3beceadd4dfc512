"""A date that ends a sentence ends it once. Babel's long Ukrainian date ends with an abbreviation's stop
("22 листопада 2026 р.", "р." for "року"); the sentence's own stop must not follow it ("р.."). One helper does it
(kit.text.fill, used by i18n.gettext), for every sentence and every language, not the Ukrainian catalog."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from carebridge import i18n
from carebridge.entitlements import presentation, service
from carebridge.entitlements.presentation import Answers
from carebridge.kit.text import fill, isolate, without_isolates

LANGUAGES = list(i18n.LANGUAGES)
# Month ends, a leap day, the year's end: every month's name in the genitive, and one- and two-digit days.
DAYS = [dt.date(2026, month, 1) for month in range(1, 13)] + [dt.date(2028, 2, 29), dt.date(2026, 12, 31)]
DOUBLE_STOP = re.compile(r"\.\s*\.")
TEMPLATES = Path(presentation.__file__).resolve().parents[1] / "templates"


def visible(text: str) -> str:
    return without_isolates(text)


def test_the_ukrainian_long_date_does_end_with_a_stop():
    """What the rest of this file is about (if babel ever drops the "р.", the fix stays harmless)."""
    assert presentation.format_day(dt.date(2026, 11, 22), "uk").endswith("р.")


def test_fill_drops_the_sentences_stop_after_a_value_that_ends_with_one():
    date = "22 листопада 2026 р."
    assert fill("Перевірено %(date)s.", {"date": date}) == "Перевірено 22 листопада 2026 р."
    assert visible(fill("Перевірено %(date)s.", {"date": isolate(date)})) == "Перевірено 22 листопада 2026 р."
    # Elsewhere in the sentence the value keeps what follows it, and other values keep their stops.
    assert fill("%(date)s, %(name)s.", {"date": date, "name": "Anna"}) == "22 листопада 2026 р., Anna."
    assert fill("On %(date)s.", {"date": "22 November 2026"}) == "On 22 November 2026."
    assert fill("%(a)s. %(b)s.", {"a": "Co.", "b": "x"}) == "Co. x."


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("day", DAYS, ids=str)
def test_review_sentences_end_with_one_stop_in_every_language(lang, day):
    sentences = [
        presentation.review_text("checked", "Dr Ana Reviewer", None, day, lang),
        presentation.review_text("pending", None, "Carebridge entitlement facts table", day, lang),
        presentation.review_text("checked", "Dr Ana Reviewer", None, day, lang, isolate=False),
        presentation.review_text("pending", None, "Carebridge entitlement facts table", day, lang, isolate=False),
    ]
    for sentence in sentences:
        assert not DOUBLE_STOP.search(visible(sentence)), (lang, sentence)
        assert visible(sentence).rstrip().endswith((".", "。")), (lang, sentence)
    if lang == "uk":  # the case this is about: the date ends the sentence, with its own stop only
        assert sentences[2].endswith(presentation.format_day(day, lang)), sentences


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_rules_base_checked_in_full_says_when_with_one_stop(lang):
    checked_in_full = SimpleNamespace(coverage=SimpleNamespace(pending_entries=0), last_reviewed=dt.date(2026, 11, 22))
    text = presentation.rules_review_text(checked_in_full, lang)
    assert presentation.format_day(checked_in_full.last_reviewed, lang).split()[-2] in visible(text).replace("\u00a0", " ")
    assert not DOUBLE_STOP.search(visible(text)), (lang, text)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_result_page_and_audio_script_have_no_double_stop(client, lang):
    person = {"jurisdiction": "SE", "status": "undocumented", "age": "30"}
    response = client.get("/entitlements/result", params={**person, "lang": lang})
    assert response.status_code == 200
    page = re.sub(r"<[^>]+>", "", response.text)
    assert not DOUBLE_STOP.search(visible(page)), [m.group(0) for m in DOUBLE_STOP.finditer(visible(page))]
    rulebook = service.get_rulebook("SE")
    view = presentation.present(rulebook, Answers.from_query(person), lang, on_date=dt.date(2026, 11, 22))
    assert not DOUBLE_STOP.search(presentation.audio_script(view))


def test_no_template_ends_a_sentence_with_a_date():
    """Templates fill their sentences with Jinja's gettext, which kit.text.fill does not see: a date there may end a
    sentence only through i18n.gettext (in the view), never as `{{ date }}.` inside a {% trans %} block."""
    found = []
    for path in TEMPLATES.rglob("*.html"):
        for block in re.findall(r"{%-? *trans\b(.*?){%-? *endtrans", path.read_text(encoding="utf-8"), re.S):
            if re.search(r"{{ *\w*(date|day|when|checked|reviewed)\w* *}}\s*\.", block):
                found.append((path.name, block[:80]))
    assert not found
