"""What the checker shows: answers from the query string, results in plain words grouped by need, the audio script,
and the `entitlements` catalogs (complete, well-formed, honest about review) in all six languages."""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from carebridge import i18n
from carebridge.entitlements import presentation, service
from carebridge.entitlements.presentation import UNKNOWN, Answers, parse_value
from carebridge.entitlements.vocabulary import FACTS, QUESTION_ORDER, SERVICE_CATEGORIES, STATUSES
from carebridge.web import template_environment

ROOT = Path(__file__).resolve().parents[2]
LOCALE_DIR = ROOT / "locale"
LANGUAGES = list(i18n.LANGUAGES)
TODAY = dt.date(2026, 11, 23)


# ---------------------------------------------------------------------------------------------------------------
# Answers


@pytest.mark.parametrize(
    ("name", "raw", "value"),
    [
        ("status", "undocumented", "undocumented"),
        ("status", " Refugee ", "refugee"),
        ("status", "unknown", UNKNOWN),
        ("pregnant", "yes", True),
        ("pregnant", "no", False),
        ("pregnant", "true", True),
        ("pregnant", "UNKNOWN", UNKNOWN),
        ("age", "34", 34),
        ("age", "٣٤", 34),  # Arabic-Indic digits
        ("age", "۳۴", 34),  # Persian digits
        ("age", "0", 0),
        ("age", "+5", 5),
        ("months_in_country", "1 2", 12),
        ("age", "", None),
        ("age", None, None),
        ("age", "\x00", None),
    ],
)
def test_answers_are_read_from_the_query_string(name, raw, value):
    parsed, error = parse_value(name, raw)
    assert error is None
    assert parsed == value


@pytest.mark.parametrize(
    ("name", "raw", "message"),
    [
        ("status", "martian", "Choose the answer closest to your situation"),
        ("pregnant", "perhaps", "Choose yes, no or one of the other answers"),
        ("age", "abc", "Enter a whole number, like 5"),
        ("age", "-1", "Enter a whole number, like 5"),
        ("age", "3.5", "Enter a whole number, like 5"),
        ("age", "1e3", "Enter a whole number, like 5"),
        ("age", "99999", "Enter a whole number, like 5"),
        ("age", "131", "Enter a number from %(low)s to %(high)s"),
    ],
)
def test_answers_that_are_not_valid_say_why(name, raw, message):
    parsed, error = parse_value(name, raw)
    assert parsed is None
    assert error is not None and error.name == name and error.message == message


def test_unknown_answers_are_not_told_to_the_engine():
    answers = Answers.from_query({"jurisdiction": "gb-eng", "status": "unknown", "age": "30", "pregnant": "no"})
    assert answers.jurisdiction == "GB-ENG"
    assert answers.person == {"age": 30, "pregnant": False}
    assert answers.declined == {"status"}
    assert answers.params("ar") == {"lang": "ar", "jurisdiction": "GB-ENG", "status": "unknown", "age": "30",
                                    "pregnant": "no"}


def test_answers_keep_the_question_order_whatever_the_url_order():
    answers = Answers.from_query({"pregnant": "yes", "jurisdiction": "DE", "status": "refugee"})
    assert list(answers.values) == [name for name in QUESTION_ORDER if name in ("status", "pregnant")]
    assert list(answers.with_answer("age", 3).values) == ["status", "age", "pregnant"]


def test_a_declined_question_is_not_asked_again_and_the_next_relevant_one_is():
    rulebook = service.get_rulebook("GB-ENG")
    first = presentation.next_fact(rulebook, Answers("GB-ENG"), TODAY)
    assert first is not None
    declined = Answers("GB-ENG", {first: UNKNOWN})
    following = presentation.next_fact(rulebook, declined, TODAY)
    assert following != first
    if following is not None:
        assert following in service.relevant_facts(rulebook, {}, TODAY)


def test_the_asked_sequence_replays_the_flow():
    rulebook = service.get_rulebook("GB-ENG")
    answers = Answers("GB-ENG")
    asked_in_order = []
    for _ in QUESTION_ORDER:
        fact = presentation.next_fact(rulebook, answers, TODAY)
        if fact is None:
            break
        asked_in_order.append(fact)
        value = "undocumented" if fact == "status" else (False if FACTS[fact].kind == "boolean" else 30)
        answers = answers.with_answer(fact, value)
    assert presentation.asked_sequence(rulebook, answers, TODAY) == (asked_in_order, None)
    partial = answers.without(asked_in_order[-1])
    assert presentation.asked_sequence(rulebook, partial, TODAY) == (asked_in_order[:-1], asked_in_order[-1])


# ---------------------------------------------------------------------------------------------------------------
# Results


def test_every_category_belongs_to_exactly_one_need():
    categories = [category for need in presentation.NEEDS for category in need.categories]
    assert sorted(categories) == sorted(SERVICE_CATEGORIES)
    assert len(set(categories)) == len(categories)


def test_every_outcome_has_words_and_a_tone():
    from carebridge.entitlements.vocabulary import OUTCOMES

    assert set(presentation.OUTCOME_TONES) == set(OUTCOMES)


def test_the_view_of_a_known_case_has_everything_the_page_shows():
    rulebook = service.get_rulebook("GB-ENG")
    answers = Answers.from_query({"jurisdiction": "GB-ENG", "status": "undocumented", "age": "34", "pregnant": "yes",
                                  "trafficking_victim": "no", "torture_or_violence_survivor": "no"})
    view = presentation.present(rulebook, answers, "en", TODAY)
    assert view.name == "England" and view.rules_checked == rulebook.last_reviewed
    maternity = view.categories["maternity"]
    assert maternity.outcome == "charged-never-withheld"
    assert maternity.upfront_payment is False
    assert maternity.upfront_text == "You do not have to pay before you get this care."
    assert any("SI 2017/756" in source.citation for source in maternity.sources)
    assert maternity.last_reviewed_text == "22 November 2026"
    assert maternity.finder_url == "/find/where?category=maternity&lang=en"
    assert maternity.rule_id == "gb-eng-maternity-chargeable"
    # Pregnant: the pregnancy need comes right after "see a doctor".
    assert [need.code for need in view.needs][:2] == ["doctor", "pregnancy"]
    assert [answer.fact for answer in view.answers] == list(answers.values)
    assert view.answers[0].answer == "I do not have papers that let me stay here"


def test_it_depends_names_the_questions_that_would_settle_it():
    rulebook = service.get_rulebook("DE")
    answers = Answers.from_query({"jurisdiction": "DE", "receives_asylum_support": "yes", "months_in_country": "unknown"})
    view = presentation.present(rulebook, answers, "en", TODAY)
    hospital = view.categories["hospital-care"]
    assert hospital.outcome == "unknown" and not hospital.determined
    assert hospital.depends_on == ["How many months have you lived in Germany?"]
    assert set(hospital.possible) == {"You can get some of this care", "You can get this care, but you may have to pay"}
    assert hospital.ask


def test_an_unverified_rule_carries_a_visible_caveat_on_the_page():
    rulebook = service.get_rulebook("GB-ENG")
    answers = Answers.from_query({"jurisdiction": "GB-ENG", "status": "undocumented", "age": "30"})
    view = presentation.present(rulebook, answers, "en", TODAY)
    # No seeded rule is unverified yet: make one so, as a rules base edit would.
    result = service.evaluate("GB-ENG", answers.person, TODAY).result("primary-care")
    result.confidence = "unverified"
    category = presentation._category_view(result, rulebook, "en", lambda text: text)
    assert category.caveat == presentation.UNVERIFIED_CAVEAT
    view.needs[0].categories[0] = category
    html = template_environment("en").get_template("public/entitlements/result.html").render(
        view=view, lang="en", dir="ltr", back_href="/", leaflet_href="/", audio_href="/", restart_href="/",
        rules=None, text_attrs=lambda text: "", url_with=lambda **changes: "/", request=None,
    )
    assert '<div class="notice"><p><strong>Be careful: we have not checked this yet' in html
    from carebridge.entitlements.leaflet import leaflet_html

    leaflet = leaflet_html(view)
    assert '<p class="caveat">Be careful: we have not checked this yet' in leaflet


def test_the_audio_script_reads_what_matters_without_links_or_citations():
    rulebook = service.get_rulebook("GB-ENG")
    answers = Answers.from_query({"jurisdiction": "GB-ENG", "status": "undocumented", "age": "34"})
    script = presentation.audio_script(presentation.present(rulebook, answers, "en", TODAY))
    # First who to call in an emergency, each number digit by digit (see test_audio for how espeak-ng reads them).
    assert script.startswith("In an emergency, call 9 9 9: Ambulance, fire service and police. In an emergency, "
                             "call 1 1 2: Ambulance, fire service and police.\n\nWhat care you can get in England.")
    assert "This is information, not legal advice." in script
    rules = len(rulebook.entries)
    assert f"Rules not yet checked by a lawyer: {rules} of {rules}. Each result says how it was checked." in script
    assert "Not yet checked by a lawyer. Taken from Carebridge entitlement facts table on 22 November 2026." in script
    assert "http" not in script and "SI 2015/238" not in script
    assert "Anyone in England can see a GP (family doctor) for free." in script
    # Results that would be read out the same are read once, naming each kind of care.
    view = presentation.present(rulebook, answers, "en", TODAY)
    paragraphs = script.split("\n\n")
    bodies = [paragraph.split(". ", 1)[1] for paragraph in paragraphs[4:-1]]
    assert len(bodies) == len(set(bodies))
    labels = [category.label for need in view.needs for category in need.categories]
    assert all(label in script for label in labels)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("jurisdiction", ["GB-ENG", "FR", "DE"])
def test_the_audio_script_says_the_emergency_numbers_first_in_every_language(lang, jurisdiction):
    rulebook = service.get_rulebook(jurisdiction)
    view = presentation.present(rulebook, Answers.from_query({"jurisdiction": jurisdiction}), lang, TODAY)
    assert view.emergency_numbers
    first, rest = presentation.audio_script(view).split("\n\n", 1)
    translate = i18n.get_translations(lang).gettext
    expected = [i18n.gettext(lang, "In an emergency, call %(number)s: %(answers)s.",
                             number=presentation.spoken_number(item.number), answers=translate(item.label))
                for item in view.emergency_numbers]
    assert first == " ".join(expected)
    if lang != "en":  # in the reader's language
        assert "In an emergency" not in first
    for item in view.emergency_numbers:
        assert presentation.spoken_number(item.number) in first
        assert not re.search(rf"(?<!\d){item.number}(?!\d)", first)  # never written whole ("112" is "a hundred...")
    assert rest.startswith(presentation._sentence(i18n.gettext(lang, "What care you can get in %(place)s",
                                                                place=view.name)))


@pytest.mark.parametrize(("number", "spoken"), [("112", "1 1 2"), ("999", "9 9 9"), ("15", "1 5"),
                                                 ("116 117", "1 1 6, 1 1 7"), ("0800 123", "0 8 0 0, 1 2 3")])
def test_emergency_numbers_are_spoken_digit_by_digit(number, spoken):
    assert presentation.spoken_number(number) == spoken


@pytest.mark.parametrize("lang", LANGUAGES)
def test_results_are_in_the_readers_language(lang):
    rulebook = service.get_rulebook("GB-ENG")
    answers = Answers.from_query({"jurisdiction": "GB-ENG", "status": "undocumented", "age": "34"})
    view = presentation.present(rulebook, answers, lang, TODAY)
    doctor = view.categories["primary-care"]
    translate = i18n.get_translations(lang).gettext
    assert doctor.explanation == translate(
        "Anyone in England can see a GP (family doctor) for free. You do not need papers to register."
    )
    if lang != "en":
        assert doctor.explanation != "Anyone in England can see a GP (family doctor) for free. You do not need papers to register."
        assert view.name != "England"


def test_rule_texts_not_yet_translated_are_marked_as_english():
    english = "Anyone in England can see a GP (family doctor) for free. You do not need papers to register."
    assert presentation.text_attributes(english, "ar") == ' lang="en" dir="ltr"'
    assert presentation.text_attributes(english, "en") == ""
    assert presentation.text_attributes(i18n.gettext("ar", english), "ar") == ""


def test_every_person_field_has_a_staff_label_and_questions_have_plain_hints():
    assert set(presentation.STAFF_LABELS) == set(QUESTION_ORDER)
    for fact in presentation.PRIVATE_FACTS:
        assert fact == "status" or FACTS[fact].sensitive
    assert set(STATUSES)  # the status question offers every status (tested on the page)


# ---------------------------------------------------------------------------------------------------------------
# The `entitlements` catalogs

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
REVIEW_MARKER = re.compile(r"^# Native-speaker review: (pending|done by .+, \d{4}-\d{2}-\d{2})$", re.MULTILINE)


@cache
def catalog(language: str) -> Catalog:
    with (LOCALE_DIR / language / "LC_MESSAGES" / "entitlements.po").open("rb") as po_file:
        return read_po(po_file, locale=language, domain="entitlements")


@cache
def source_messages() -> frozenset:
    """What extraction finds today: babel-entitlements.cfg's mapping plus the rules bases' YAML extractor."""
    with (ROOT / "babel-entitlements.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    yaml_pattern = "src/carebridge/entitlements/rules/*.yaml"
    if not any(pattern == yaml_pattern for pattern, _method in method_map):
        method_map.insert(0, (yaml_pattern, "carebridge.entitlements.babel_extract:extract_rules"))

    def only_the_source(path: str) -> bool:
        first = Path(path).resolve().relative_to(ROOT).parts[:1]
        return first in ((), ("src",))

    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=DEFAULT_KEYWORDS, directory_filter=only_the_source
    ):
        found.add(message if isinstance(message, str) else tuple(message))
    return frozenset(found)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalog_says_who_wrote_it_and_whether_a_native_speaker_reviewed_it(language):
    header = catalog(language).header_comment
    assert "Carebridge team" in header
    assert REVIEW_MARKER.search(header), f"{language}: the header comment needs a 'Native-speaker review:' line"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_in_the_source_is_translated_and_none_is_fuzzy(language):
    known = catalog(language)
    problems = []
    for message_id in sorted(source_messages(), key=str):
        message = known.get(message_id)
        if message is None:
            problems.append(f"missing: {message_id!r}")
            continue
        strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
        if message.fuzzy:
            problems.append(f"fuzzy: {message_id!r}")
        if message.pluralizable and len(strings) != known.num_plurals:
            problems.append(f"{len(strings)} plural forms instead of {known.num_plurals}: {message_id!r}")
        if not all(strings):
            problems.append(f"untranslated: {message_id!r}")
    assert not problems, f"{language}: run the extraction in docs/translating-entitlements.md:\n" + "\n".join(problems)


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_placeholders_of_the_original(language):
    problems = []
    for message in catalog(language):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, (list, tuple)) else [message.id]
        strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
        wanted = set().union(*(set(PLACEHOLDER.findall(text)) for text in ids))
        got = [set(PLACEHOLDER.findall(text)) for text in strings if text]
        if message.pluralizable:
            if got and (set().union(*got) != wanted or any(not names <= wanted for names in got)):
                problems.append(f"{message.id!r}: {got} instead of {wanted}")
        elif got and got[0] != wanted:
            problems.append(f"{message.id!r}: {got[0]} instead of {wanted}")
        # Question texts carry {country}: it must survive translation.
        for text in strings:
            if text and "{country}" in ids[0] and "{country}" not in text:
                problems.append(f"{message.id!r}: lost {{country}}")
    assert not problems, f"{language}:\n" + "\n".join(problems)


@pytest.mark.parametrize("language", ["ar", "fa"])
def test_right_to_left_catalogs_are_written_in_arabic_script(language):
    arabic = re.compile(r"[\u0600-\u06FF]")
    untranslated = [m.id for m in catalog(language) if m.id and m.string and not arabic.search(
        m.string if isinstance(m.string, str) else m.string[0])]
    assert not untranslated, untranslated


def test_what_a_yes_to_trafficking_or_torture_would_change_is_said_not_guessed():
    """Nobody has to tell us about trafficking or torture. Unanswered, the result is the law's base case, and it
    says what a "yes" would change — on the page, the leaflet, the recording and the clinician view."""
    rulebook = service.get_rulebook("GB-ENG")
    answers = Answers.from_query({"jurisdiction": "GB-ENG", "status": "undocumented", "age": "34",
                                  "trafficking_victim": "unknown", "torture_or_violence_survivor": "unknown"})
    view = presentation.present(rulebook, answers, "en", TODAY)
    hospital = view.categories["hospital-care"]
    assert hospital.outcome == "covered-with-charges"
    assert set(hospital.assumed) == {"trafficking_victim", "torture_or_violence_survivor"}
    better = {item.fact: item for item in hospital.better_if}
    assert better["trafficking_victim"].outcome == "covered-free"
    assert better["trafficking_victim"].text == (
        "If you were brought here or kept here by force or by tricks to work for others (trafficking): "
        "You can get this care for free"
    )
    assert better["torture_or_violence_survivor"].outcome == "covered-limited"
    assert better["trafficking_victim"].text in presentation.audio_script(view)
    from carebridge.entitlements.leaflet import leaflet_html

    assert better["trafficking_victim"].text in leaflet_html(view)
    # A "no" given is not an assumption: nothing is said about what a "yes" would change.
    answered = Answers.from_query({"jurisdiction": "GB-ENG", "status": "undocumented", "age": "34",
                                   "trafficking_victim": "no", "torture_or_violence_survivor": "no"})
    hospital = presentation.present(rulebook, answered, "en", TODAY).categories["hospital-care"]
    assert hospital.assumed == [] and hospital.better_if == []
    # In Arabic, the sentence is whole and in Arabic.
    arabic = presentation.present(rulebook, answers, "ar", TODAY).categories["hospital-care"].better_if[0]
    assert arabic.text.startswith("إذا")
