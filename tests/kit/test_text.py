"""Text folded for matching in any script."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from carebridge.kit.text import (FSI, LRI, NBSP, PDI, WORD_JOINER, compact, fold, isolate, query_words,
                                  unbreakable, without_isolates, words)
from carebridge.web import keep


def test_fold_drops_case_and_accents() -> None:
    assert fold("Médecins du Monde") == "medecins du monde"
    assert fold("STRASSE") == fold("Straße") == "strasse"
    assert fold("Ёлка") == "елка"
    assert fold("𝐀") == fold(fold("𝐀")) == "a"  # a compatibility form folds in one pass (found by hypothesis)


def test_fold_unifies_arabic_and_persian_spellings() -> None:
    assert fold("عِيَادَة") == fold("عيادة")  # harakat
    assert fold("أحمد") == fold("احمد") == fold("إحمد") == fold("آحمد")  # hamza seats
    assert fold("کلینیک") == fold("كلينيك")  # Persian keheh and yeh
    assert fold("مـسـتـشـفـى") == fold("مستشفي")  # tatweel, alef maqsura


def test_words_index_arabic_words_with_and_without_the_article() -> None:
    assert words("العيادة الطبية") == ["العياده", "عياده", "الطبيه", "طبيه"]
    assert query_words("العيادة") == ["عياده"]
    assert words("Family doctors, 24/7!") == ["family", "doctors", "24", "7"]
    assert words(None) == [] and query_words("") == []


def test_compact_for_place_names_and_postcodes() -> None:
    assert compact("FH1 1AA") == compact("fh11aa") == "fh11aa"
    assert compact("Ashby Park") == "ashbypark"


@given(st.text(max_size=60))
def test_folding_is_idempotent_and_words_are_folded(text: str) -> None:
    assert fold(fold(text)) == fold(text)
    for word in words(text):
        assert word == fold(word) and word


def test_isolate_keeps_a_value_whole_and_in_its_own_direction() -> None:
    assert isolate("22 نوفمبر 2026") == f"{FSI}22{NBSP}نوفمبر{NBSP}2026{PDI}"  # a date takes its own letters' way
    assert isolate("+44 20 7946 0000", "phone") == f"{LRI}+44{NBSP}20{NBSP}7946{NBSP}0000{PDI}"  # always LTR
    assert isolate("SI 2017/756", "code") == f"{LRI}SI{NBSP}2017/{WORD_JOINER}756{PDI}"
    assert isolate("FH1 1AA", "postcode", unbreak=False) == f"{LRI}FH1 1AA{PDI}"
    assert isolate("") == "" and isolate(None) == "" and isolate("  ") == "  "
    assert without_isolates(isolate("2.5 km", "quantity")) == "2.5 km"
    assert unbreakable(" a  b-c ") == f"a{NBSP}b-{WORD_JOINER}c"


def test_keep_filter_marks_up_an_isolated_unwrapped_value() -> None:
    assert keep("6 December 2026") == f'<bdi class="keep">{FSI}6 December 2026{PDI}</bdi>'
    assert keep("<b>1AA</b>", "postcode") == f'<bdi class="keep" dir="ltr">{LRI}&lt;b&gt;1AA&lt;/b&gt;{PDI}</bdi>'
    assert keep(None) == "" and keep("") == ""


@given(st.text(max_size=40), st.sampled_from(["date", "quantity", "distance", "phone", "postcode", "code"]))
def test_isolated_values_read_the_same_without_the_controls(text: str, kind: str) -> None:
    isolated = isolate(text, kind)
    if text.strip():
        assert isolated[0] in (FSI, LRI) and isolated[-1] == PDI
        assert " " not in isolated and "\n" not in isolated
        assert without_isolates(isolated).split() == text.split() or "-" in text or "/" in text or "\u2069" in text
    else:
        assert isolated == text
