"""Honest about what we know: every rule and result says how it was reviewed, in the same words on the result page,
the leaflet, the audio script and the clinician view; "We checked this in the law itself" only for a rule a named
reviewer checked against the law; the country list says how much each rules base answers and how much is checked."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from html import unescape

import pytest

from carebridge import i18n
from carebridge.entitlements import leaflet, presentation, service
from carebridge.entitlements.presentation import Answers
from carebridge.entitlements.rulebook import RULES_DIR, compile_file, get_rulebooks

LANGUAGES = list(i18n.LANGUAGES)
ON_DATE = dt.date(2026, 12, 1)
CHECKED_ON = dt.date(2026, 11, 30)
REVIEWER = "Dr Ana Reviewer"
# An undocumented adult in Sweden: primary care comes from se-adults-care-that-cannot-wait (confidence primary).
PERSON = {"jurisdiction": "SE", "status": "undocumented", "age": "30"}
CHECKED_RULE = "se-adults-care-that-cannot-wait"


def text_of(html: str) -> str:
    return plain(unescape(re.sub(r"<[^>]+>", " ", html)))


def plain(text: str) -> str:
    """Whitespace of any kind (a narrow no-break space in a Ukrainian date) as single spaces, without the bidi
    isolates around names."""
    return " ".join(text.replace("\u2068", "").replace("\u2069", "").split())


def source_name(lang: str) -> str:
    return i18n.get_translations(lang).gettext("Carebridge entitlement facts table")


@pytest.fixture
def checked_rule(monkeypatch):  # noqa: ANN001, ANN201
    """One demo rule as if a named reviewer had checked it against the law (every demo rule is pending)."""
    rule = service.get_rulebook("SE").entry(CHECKED_RULE)
    assert rule is not None and rule.kind == "rule" and rule.confidence == "primary"
    monkeypatch.setattr(rule, "review", "checked")
    monkeypatch.setattr(rule, "reviewer", REVIEWER)
    monkeypatch.setattr(rule, "taken_from", None)
    monkeypatch.setattr(rule, "last_reviewed", CHECKED_ON)
    return rule


@pytest.fixture(autouse=True)
def _fixed_day(monkeypatch):  # noqa: ANN001, ANN202
    monkeypatch.setattr(presentation, "today", lambda: ON_DATE)


def outputs(client, person: dict[str, str], lang: str) -> dict[str, str]:  # noqa: ANN001
    """The four forms a result takes, as text: result page, leaflet, audio script, clinician view."""
    rulebook = service.get_rulebook(person["jurisdiction"])
    answers = Answers.from_query(person)
    asked, _next = presentation.asked_sequence(rulebook, answers, ON_DATE)
    view = presentation.present(rulebook, answers, lang, ON_DATE, asked=asked)
    page = client.get("/entitlements/result", params={**person, "lang": lang})
    assert page.status_code == 200, text_of(page.text)[:300]
    staff = client.get("/staff/entitlements", params={**person, "lang": lang, "on_date": ON_DATE.isoformat()})
    assert staff.status_code == 200
    return {
        "result page": text_of(page.text),
        "leaflet": text_of(leaflet.leaflet_html(view)),
        "audio": plain(presentation.audio_script(view)),
        "clinician view": text_of(staff.text),
    }


def checked_sentence(lang: str) -> str:
    sentence = plain(i18n.gettext(lang, presentation.CHECKED_IN_THE_LAW))
    assert sentence
    return sentence


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_checked_rule_names_its_reviewer_and_date_in_all_four_outputs(client, checked_rule, lang):
    checked = plain(i18n.gettext(lang, presentation.REVIEW_CHECKED, reviewer=REVIEWER,
                                 date=presentation.format_day(CHECKED_ON, lang)))
    pending = plain(i18n.gettext(lang, presentation.REVIEW_PENDING, source=source_name(lang),
                                 date=presentation.format_day(dt.date(2026, 11, 22), lang)))
    with_confidence = 0
    for name, text in outputs(client, PERSON, lang).items():
        assert checked in text, (name, lang)
        # The other results in Sweden are still pending, and say so.
        assert pending in text, (name, lang)
        if name in ("result page", "clinician view"):  # the two that show the confidence level
            assert checked_sentence(lang) in text, (name, lang)
            with_confidence += 1
    assert with_confidence == 2


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_pending_rule_says_not_yet_checked_by_a_lawyer_and_never_checked_in_the_law(client, lang):
    rule = service.get_rulebook("SE").entry(CHECKED_RULE)
    assert rule.review == "pending" and rule.confidence == "primary"
    pending = plain(i18n.gettext(lang, presentation.REVIEW_PENDING, source=source_name(lang),
                                 date=presentation.format_day(rule.last_reviewed, lang)))
    for name, text in outputs(client, PERSON, lang).items():
        assert pending in text, (name, lang)
        assert checked_sentence(lang) not in text, (name, lang)


def test_the_checked_sentence_only_where_a_reviewer_checked_the_rule_every_rule_every_language():
    """A sweep over every rule and gap of every rules base, in every language, as each result would show it."""
    swept = 0
    for rulebook in get_rulebooks().values():
        for entry in rulebook.entries:
            for lang in LANGUAGES:
                for review in ("pending", "checked"):
                    shown = dataclasses.replace(entry, review=review)  # the same rule, reviewed each way
                    texts = [presentation.confidence_text(shown.confidence, shown.review, lang),
                             presentation.review_text(shown.review, REVIEWER, shown.taken_from, shown.last_reviewed,
                                                      lang)]
                    says_checked = any(checked_sentence(lang) in (text or "") for text in texts)
                    assert says_checked == (review == "checked" and entry.confidence == "primary"), (entry.id, lang)
                    swept += 1
                # And as the demo data has it: every demo rule is pending.
                assert entry.review == "pending"
                assert checked_sentence(lang) not in (presentation.confidence_text(entry.confidence, entry.review,
                                                                                   lang) or "")
    assert swept == 2 * len(LANGUAGES) * sum(len(r.entries) for r in get_rulebooks().values()) > 0


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("code", sorted(get_rulebooks()))
def test_no_output_of_any_country_says_checked_in_the_law_while_its_rules_are_pending(client, code, lang):
    person = {"jurisdiction": code}  # nothing answered: every category, with every possible outcome
    for name, text in outputs(client, person, lang).items():
        assert checked_sentence(lang) not in text, (code, lang, name)
        assert text  # the output was made


def test_names_keep_their_direction_and_the_seeded_source_is_translated(checked_rule):
    rule = service.get_rulebook("SE").entry("se-children-same-as-residents")
    arabic = presentation.review_text(rule.review, rule.reviewer, rule.taken_from, rule.last_reviewed, "ar")
    assert f"\u2068{source_name('ar')}\u2069" in arabic and source_name("ar") != rule.taken_from
    checked = presentation.review_text("checked", REVIEWER, None, CHECKED_ON, "fa")
    assert f"\u2068{REVIEWER}\u2069" in checked
    assert "\u2068" not in presentation.review_text("checked", REVIEWER, None, CHECKED_ON, "fa", isolate=False)


def test_the_api_states_the_review_of_every_result_and_rule(client, checked_rule):
    response = client.post("/api/v1/entitlements/evaluate", json={
        "jurisdiction": "SE", "on_date": ON_DATE.isoformat(), "language": "en",
        "person": {"status": "undocumented", "age": 30}})
    assert response.status_code == 200
    results = {r["service_category"]: r for r in response.json()["results"]}
    assert results["primary-care"]["review"] == "checked"
    assert results["primary-care"]["review_text"] == (f"Checked by {REVIEWER} against the law itself on "
                                                      "30 November 2026.")
    assert results["primary-care"]["taken_from"] is None
    emergency = results["emergency"]
    assert emergency["review"] == "pending" and emergency["taken_from"] == "Carebridge entitlement facts table"
    assert emergency["review_text"].startswith("Not yet checked by a lawyer. Taken from Carebridge")
    rules = client.get("/api/v1/entitlements/rules", params={"jurisdiction": "SE", "language": "en"}).json()["rules"]
    assert {rule["id"]: rule["review"] for rule in rules}[CHECKED_RULE] == "checked"
    assert all(rule["review_text"] for rule in rules)


# ---------------------------------------------------------------------------------------------------------------
# How much each country's rules answer


def test_coverage_counts_areas_answered_and_not_reviewed(checked_rule):
    england = service.get_rulebook("GB-ENG").coverage
    assert (england.total, england.answered, england.not_reviewed) == (10, 7, 7)
    sweden = service.get_rulebook("SE").coverage
    assert sweden.answered == 10 and sweden.pending_entries == len(service.get_rulebook("SE").entries) - 1
    # One checked rule does not make its areas reviewed while another pending rule also answers them.
    assert sweden.not_reviewed == 10


def test_an_area_is_reviewed_when_every_rule_answering_it_is_checked(monkeypatch):
    rulebook = service.get_rulebook("IT")
    for rule in rulebook.rules:
        if "emergency" in rule.categories:
            monkeypatch.setattr(rule, "review", "checked")
    coverage = rulebook.coverage
    assert coverage.not_reviewed == coverage.answered - len(
        {c for r in rulebook.rules if r.review == "checked" for c in r.categories}
        - {c for r in rulebook.rules if r.review != "checked" for c in r.categories})
    assert coverage.not_reviewed < coverage.answered


def test_the_api_country_list_says_how_much_is_answered_and_checked(client):
    response = client.get("/api/v1/entitlements/jurisdictions", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    england = next(j for j in response.json()["jurisdictions"] if j["code"] == "GB-ENG")
    assert (england["areas_total"], england["areas_answered"], england["areas_not_reviewed"]) == (10, 7, 7)
    assert england["rules_not_reviewed"] == len(service.get_rulebook("GB-ENG").entries)
    assert england["coverage_text"] == ("Our rules answer for every situation: 7 of 10 areas of care. Rules not "
                                        "yet checked by a lawyer: 21 of 21. Each result says how it was checked.")


# ---------------------------------------------------------------------------------------------------------------
# The data model is validated


RULE = """jurisdiction: XX
name: Testland
country_name: Testland
where_to_ask: Ask someone.
rules:
  - id: xx-a
    groups: everyone
    categories: all
    outcome: covered-free
    upfront_payment: false
    cost: Free.
    steps: [Go.]
    explanation: It is free.
    sources:
      - {citation: A law, url: "https://example.org/law"}
    confidence: CONFIDENCE
    last_reviewed: 2026-11-01
    reviewer: A Reviewer
REVIEW"""


@pytest.mark.parametrize(("confidence", "review", "message"), [
    ("primary", "", "review: Field required"),
    ("primary", "    review: pending\n", "review: pending needs taken_from"),
    ("primary", "    review: checked\n    taken_from: A guide\n", "leave out taken_from"),
    ("secondary", "    review: checked\n", "confidence must be primary"),
    ("primary", "    review: maybe\n", "review: Input should be 'checked' or 'pending'"),
])
def test_a_review_that_does_not_say_how_the_rule_was_checked_is_an_error(tmp_path, confidence, review, message):
    path = tmp_path / "XX.yaml"
    path.write_text(RULE.replace("CONFIDENCE", confidence).replace("REVIEW", review))
    rulebook, problems = compile_file(path)
    assert rulebook is None
    assert any(message in problem.message for problem in problems), [str(p) for p in problems]


@pytest.mark.parametrize("review", ["    review: checked\n", "    review: pending\n    taken_from: A guide\n"])
def test_a_complete_review_loads(tmp_path, review):
    path = tmp_path / "XX.yaml"
    path.write_text(RULE.replace("CONFIDENCE", "primary").replace("REVIEW", review))
    rulebook, problems = compile_file(path)
    assert rulebook is not None, [str(p) for p in problems]


def test_every_demo_rule_is_honestly_pending_and_names_its_source():
    for path in sorted(RULES_DIR.glob("*.yaml")):
        if path.name.endswith(".tests.yaml"):
            continue
        text = path.read_text()
        assert "legal review pending" not in text  # said by `review: pending`, not hidden in the reviewer's name
    for rulebook in get_rulebooks().values():
        for entry in rulebook.entries:
            assert entry.review == "pending" and entry.taken_from, entry.id


def test_only_a_base_whose_every_rule_is_checked_says_when_it_was_checked(client, monkeypatch):
    rulebook = service.get_rulebook("IT")
    pending = client.get("/entitlements/question", params={"lang": "en", "jurisdiction": "IT"})
    assert f"Rules not yet checked by a lawyer: {len(rulebook.entries)} of {len(rulebook.entries)}." in text_of(
        pending.text)
    assert "A lawyer checked all these rules" not in text_of(pending.text)
    for entry in rulebook.entries:
        monkeypatch.setattr(entry, "review", "checked")
        monkeypatch.setattr(entry, "last_reviewed", CHECKED_ON)
    checked = text_of(client.get("/entitlements/question", params={"lang": "en", "jurisdiction": "IT"}).text)
    assert "A lawyer checked all these rules against the law. The oldest check was on 30 November 2026." in checked
    assert rulebook.coverage.not_reviewed == 0 and rulebook.coverage.pending_entries == 0
