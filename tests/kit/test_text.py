"""Text folded for matching in any script."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from carebridge.kit.text import compact, fold, query_words, words


def test_fold_drops_case_and_accents() -> None:
    assert fold("Médecins du Monde") == "medecins du monde"
    assert fold("STRASSE") == fold("Straße") == "strasse"
    assert fold("Ёлка") == "елка"


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
