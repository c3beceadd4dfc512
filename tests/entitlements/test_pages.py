"""The "What care can I get?" checker and the clinician view, through the app (on SQLite and PostgreSQL).

The pages do not read the database, but they run in the real app with its middleware, error handlers and sessions,
so every test runs on both databases like every other page test.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carebridge import i18n
from carebridge.entitlements import presentation, service
from carebridge.entitlements.vocabulary import FACTS, QUESTION_ORDER, STATUSES
from carebridge.kit.text import without_isolates

JURISDICTIONS = [rulebook.jurisdiction for rulebook in service.jurisdictions()]
DISCLAIMER = "This is information, not legal advice."
ANSWERED = re.compile(r'name="answered" value="([^"]+)"')


def text_of(page: str) -> str:
    """The visible text of a page, squeezed, for assertions about what a person reads."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r"</?bdi\b[^>]*>", "", page)  # inline isolation, not a break between words
    # Dates and codes are bidi-isolated (kit.text.isolate): the isolates are invisible, not part of the words.
    return re.sub(r"\s+", " ", without_isolates(html.unescape(re.sub(r"<[^>]+>", " ", page)))).strip()


def asked_fact(page: str) -> str:
    match = ANSWERED.search(page)
    assert match, "not a question page"
    return match.group(1)


def query_of(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query))


def rules_checked(code: str, lang: str = "en") -> str:
    return presentation.format_day(service.get_rulebook(code).last_reviewed, lang)


def walk(client, jurisdiction: str, answers: dict[str, str], *, lang: str = "en", default: str = "no"):  # noqa: ANN001, ANN201
    """Go through the checker like a person: choose the country, answer each question asked (from `answers`, else
    `default` for yes/no questions and 30 for numbers). Returns (result response, facts asked in order)."""
    response = client.get(
        "/entitlements", params={"lang": lang, "jurisdiction": jurisdiction, "answered": "jurisdiction"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    url = response.headers["location"]
    asked: list[str] = []
    for _ in range(len(QUESTION_ORDER) + 2):
        response = client.get(url, follow_redirects=False)
        if response.status_code == 303:
            url = response.headers["location"]
            continue
        assert response.status_code == 200, text_of(response.text)
        if urlsplit(url).path == presentation.RESULT_PATH:
            return response, asked
        fact = asked_fact(response.text)
        assert fact not in asked, f"{fact} asked twice"
        asked.append(fact)
        if fact in answers:
            value = answers[fact]
        elif fact == "status":
            value = "undocumented"
        else:
            value = default if FACTS[fact].kind == "boolean" else "30"
        params = {**query_of(url), fact: value, "answered": fact}
        url = f"{presentation.QUESTION_PATH}?{urlencode(params)}"
    raise AssertionError(f"the checker did not reach a result; asked {asked}")


# ---------------------------------------------------------------------------------------------------------------
# Choosing the country


def test_the_start_page_asks_for_the_country_and_says_how_much_each_answers_and_how_much_is_checked(client):
    response = client.get("/entitlements?lang=en")
    assert response.status_code == 200
    page = text_of(response.text)
    assert "Which country are you in?" in page
    assert DISCLAIMER in page
    for code in JURISDICTIONS:
        assert f'value="{code}"' in response.text
        name = service.get_rulebook(code).name
        assert name in page
    # England's rules answer 7 of the 10 areas of care for every situation (three are declared gaps); Italy's answer
    # only for people without papers: a thin rules base must not look like a full one. No rule is checked by a lawyer.
    assert "Our rules answer for every situation: 7 of 10 areas of care." in page
    assert ("Our rules cover people without papers (10 of 10 areas of care). For other situations we do not know "
            "yet.") in page
    assert "Areas of care our rules answer" not in page
    for code in JURISDICTIONS:
        entries = service.get_rulebook(code).entries
        assert f"Rules not yet checked by a lawyer: {len(entries)} of {len(entries)}." in page
    assert "Rules last checked on" not in page
    assert response.headers["cache-control"] == "no-store"


def test_choosing_a_country_goes_to_the_first_question(client):
    response = client.get(
        "/entitlements?lang=en&jurisdiction=GB-ENG&answered=jurisdiction", follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/entitlements/question?lang=en&jurisdiction=GB-ENG"


@pytest.mark.parametrize("jurisdiction", ["", "XX", "gb", "<script>", "GB-ENG' OR 1=1"])
def test_no_country_or_an_unknown_one_is_explained_on_the_country_page(client, jurisdiction):
    response = client.get("/entitlements", params={"lang": "en", "jurisdiction": jurisdiction, "answered": "jurisdiction"})
    assert response.status_code == 422
    assert 'class="error-summary"' in response.text
    assert '<a href="#jurisdiction">Choose the country you are in</a>' in response.text
    assert "<script>" not in response.text


def test_a_question_page_without_a_country_goes_back_to_the_start(client):
    response = client.get("/entitlements/question?lang=en", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/entitlements?lang=en"


def test_the_country_is_case_insensitive(client):
    response = client.get("/entitlements/question?lang=en&jurisdiction=gb-eng")
    assert response.status_code == 200
    assert "These are the rules for England." in text_of(response.text)


# ---------------------------------------------------------------------------------------------------------------
# One question per page


def test_each_question_page_shows_one_question_the_disclaimer_the_country_and_the_date(client):
    response = client.get("/entitlements/question?lang=en&jurisdiction=GB-ENG")
    assert response.status_code == 200
    page = text_of(response.text)
    question = service.next_question("GB-ENG", {}, presentation.today())
    assert question is not None
    assert asked_fact(response.text) == question.fact
    assert response.text.count("<h1") == 1
    assert question.text in page
    assert DISCLAIMER in page
    rulebook = service.get_rulebook("GB-ENG")
    assert (f"These are the rules for England. Rules not yet checked by a lawyer: {len(rulebook.entries)} of "
            f"{len(rulebook.entries)}. Each result says how it was checked.") in page
    assert "They were last checked on" not in page
    assert response.headers["cache-control"] == "no-store"


def test_the_status_question_offers_every_status_and_rather_not_say(client):
    response = client.get("/entitlements/question?lang=en&jurisdiction=GB-ENG&change=status&status=refugee")
    assert response.status_code == 200
    assert asked_fact(response.text) == "status"
    for status in STATUSES:
        assert f'value="{status}"' in response.text
    assert 'value="unknown"' in response.text
    assert "I&#39;d rather not say" in response.text or "I'd rather not say" in response.text
    # The current answer is selected, and it is not carried twice.
    assert re.search(r'value="refugee"\s+checked', response.text)
    assert 'type="hidden" name="status"' not in response.text


def test_an_empty_answer_is_asked_again_with_an_error_summary(client):
    response = client.get("/entitlements/question?lang=en&jurisdiction=GB-ENG&answered=status")
    assert response.status_code == 422
    assert '<a href="#status">Choose an answer</a>' in response.text
    assert "Error:" in response.text.split("</title>")[0]


def test_a_number_that_is_not_a_number_is_explained(client):
    response = client.get("/entitlements/question?lang=en&jurisdiction=GB-ENG&status=undocumented&age=abc&answered=age")
    assert response.status_code == 422
    assert '<a href="#age">Enter a whole number, like 5</a>' in response.text
    assert 'aria-invalid="true"' in response.text


def test_a_number_out_of_range_is_explained(client):
    response = client.get("/entitlements/question?lang=en&jurisdiction=GB-ENG&status=undocumented&age=400&answered=age")
    assert response.status_code == 422
    assert "Enter a number from 0 to 130" in response.text


def test_a_wrong_answer_carried_from_an_old_link_is_asked_again(client):
    response = client.get("/entitlements/result?lang=en&jurisdiction=GB-ENG&status=martian&pregnant=yes")
    assert response.status_code == 422
    assert asked_fact(response.text) == "status"
    assert '<a href="#status">Choose the answer closest to your situation</a>' in response.text
    # The other answers are kept.
    assert '<input type="hidden" name="pregnant" value="yes">' in response.text


def test_a_valid_answer_goes_on_to_a_clean_address(client):
    response = client.get(
        "/entitlements/question?lang=en&jurisdiction=GB-ENG&status=undocumented&answered=status",
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert "answered" not in response.headers["location"]
    assert query_of(response.headers["location"])["status"] == "undocumented"


def test_i_dont_know_on_a_number_question_records_unknown(client):
    response = client.get(
        "/entitlements/question?lang=en&jurisdiction=GB-ENG&status=undocumented&age=&answered=age&skip=age",
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert query_of(response.headers["location"])["age"] == "unknown"


def test_numbers_in_arabic_or_persian_digits_are_understood(client):
    for digits in ("٣٤", "۳۴"):
        response = client.get(
            "/entitlements/question",
            params={"lang": "ar", "jurisdiction": "GB-ENG", "status": "undocumented", "age": digits, "answered": "age"},
            follow_redirects=False,
        )
        assert response.status_code == 303
        assert query_of(response.headers["location"])["age"] == "34"


def test_the_back_link_goes_to_the_previous_question_with_its_answer_selected(client):
    _result, asked = walk(client, "GB-ENG", {"status": "undocumented", "age": "34"})
    assert len(asked) >= 2
    first, second = asked[0], asked[1]
    answers = {"status": "undocumented", "age": "34"}
    params = {"lang": "en", "jurisdiction": "GB-ENG", first: answers.get(first, "no")}
    response = client.get(presentation.QUESTION_PATH, params=params)
    assert asked_fact(response.text) == second
    back = html.unescape(re.search(r'class="back-link" href="([^"]+)"', response.text).group(1))
    assert query_of(back)["change"] == first
    previous = client.get(back)
    assert asked_fact(previous.text) == first
    # And from the first question, back goes to the country, still chosen.
    back = html.unescape(re.search(r'class="back-link" href="([^"]+)"', previous.text).group(1))
    assert urlsplit(back).path == "/entitlements"
    assert re.search(r'value="GB-ENG"\s+checked', client.get(back).text)


def test_only_questions_that_can_change_an_outcome_are_asked(client):
    """Every question the checker asks is one whose answer can change some result for this person."""
    on_date = presentation.today()
    for jurisdiction in JURISDICTIONS:
        for status in ("undocumented", "refugee", "asylum-seeker", "visitor"):
            _result, asked = walk(client, jurisdiction, {"status": status})
            rulebook = service.get_rulebook(jurisdiction)
            given: dict = {}
            for fact in asked:
                assert fact in service.relevant_facts(rulebook, given, on_date), (jurisdiction, status, fact)
                given[fact] = status if fact == "status" else (False if FACTS[fact].kind == "boolean" else 30)
            assert service.relevant_facts(rulebook, given, on_date) == {}


def test_status_is_not_asked_when_it_changes_nothing(client):
    """After the facts that decide everything are given, the status is not asked even though it is unknown; where
    it does matter, it is asked. Every country is checked one way or the other, and both ways occur."""
    on_date = presentation.today()
    checked: dict[str, list[str]] = {"status asked": [], "status not asked": []}
    for jurisdiction in JURISDICTIONS:
        rulebook = service.get_rulebook(jurisdiction)
        response = client.get(presentation.QUESTION_PATH, params={"lang": "en", "jurisdiction": jurisdiction})
        assert response.status_code in (200, 303)
        _result, asked = walk(client, jurisdiction, {})
        if "status" not in service.relevant_facts(rulebook, {}, on_date):
            assert response.status_code == 303 or asked_fact(response.text) != "status"
            assert "status" not in asked, (jurisdiction, asked)
            checked["status not asked"].append(jurisdiction)
        else:
            assert "status" in asked, (jurisdiction, asked)
            checked["status asked"].append(jurisdiction)
    assert sorted(checked["status asked"] + checked["status not asked"]) == sorted(JURISDICTIONS)
    assert checked["status asked"] and checked["status not asked"], checked


# ---------------------------------------------------------------------------------------------------------------
# Results


def test_gb_eng_undocumented_pregnant_woman_is_told_maternity_care_is_never_withheld(client):
    result, asked = walk(client, "GB-ENG", {"status": "undocumented", "age": "34", "pregnant": "yes"})
    assert "status" in asked
    page = text_of(result.text)
    assert DISCLAIMER in page
    assert "They were last checked on" not in page
    maternity = text_of(result.text.split('id="category-maternity"')[1].split("</section>")[0])
    assert "You will get this care even if you cannot pay, but you may get a bill later" in maternity
    assert "You do not have to pay before you get this care." in maternity
    assert "SI 2017/756" in maternity
    assert "legislation.gov.uk" in result.text.split('id="category-maternity"')[1].split("</section>")[0]
    # text_of drops the invisible isolates around the source's name and the date.
    assert ("Not yet checked by a lawyer. Taken from Carebridge entitlement facts table on "
            f"{rules_checked('GB-ENG')}.") in maternity
    assert "We checked this in the law itself" not in page
    assert "/find/where?category=maternity&amp;lang=en" in result.text
    assert result.headers["cache-control"] == "no-store"


def test_the_result_is_grouped_by_need_with_everything_a_person_needs(client):
    result, _asked = walk(client, "GB-ENG", {"status": "undocumented", "age": "34"})
    page = text_of(result.text)
    for need in presentation.NEEDS:
        assert f'id="need-{need.code}"' in result.text
        assert need.title in page
    doctor = text_of(result.text.split('id="need-doctor"')[1].split("</section>")[0])
    for label in ("Cost", "Paying first", "Papers", "How to get it", "Safe to go?", "Where this comes from",
                  "How we checked this"):
        assert label in doctor
    assert "does not have to check your ID" in doctor  # the GP rule's "safe to go" note
    assert "SI 2015/238" in doctor
    # Where the rules do not say whether staff may check status, the page says so instead of reassuring.
    assert "Our rules do not say if staff may ask about your papers" in page
    assert "/entitlements/result.pdf?" in result.text and "/entitlements/result.mp3?" in result.text


def test_an_answer_not_given_leads_to_it_depends_not_a_guess(client):
    result, asked = walk(client, "GB-ENG", {"status": "unknown"})
    assert asked[0] == "status"
    hospital = text_of(result.text.split('id="category-hospital-care"')[1].split("</section>")[0])
    assert "We do not know yet" in hospital
    assert "It depends on your answer to:" in hospital
    assert "Which of these is closest to your situation?" in hospital
    assert "It could be one of these:" in hospital
    # The free-for-everyone care is still known.
    doctor = text_of(result.text.split('id="category-primary-care"')[1].split("</section>")[0])
    assert "You can get this care for free" in doctor
    assert "I&#39;d rather not say" in result.text or "I'd rather not say" in result.text


def test_the_result_asks_the_remaining_questions_first(client):
    response = client.get("/entitlements/result?lang=en&jurisdiction=GB-ENG", follow_redirects=False)
    assert response.status_code == 303
    assert urlsplit(response.headers["location"]).path == presentation.QUESTION_PATH


def test_change_links_on_the_result_show_the_question_with_the_answer_selected(client):
    result, asked = walk(client, "GB-ENG", {"status": "undocumented", "age": "34"})
    links = [html.unescape(link) for link in re.findall(r'href="([^"]*change=[^"]*)"', result.text)]
    assert {query_of(link)["change"] for link in links} == set(asked)
    status_link = next(link for link in links if query_of(link)["change"] == "status")
    page = client.get(status_link)
    assert asked_fact(page.text) == "status"
    assert re.search(r'value="undocumented"\s+checked', page.text)


@pytest.mark.parametrize("lang", ["en", "ar", "fa", "uk", "fr", "es"])
def test_every_language_gets_the_whole_checker_in_its_direction(client, lang):
    result, _asked = walk(client, "GB-ENG", {"status": "undocumented"}, lang=lang)
    direction = "rtl" if lang in ("ar", "fa") else "ltr"
    assert f'<html lang="{lang}" dir="{direction}">' in result.text
    assert "/find/where?category=primary-care&amp;lang=" + lang in result.text


# ---------------------------------------------------------------------------------------------------------------
# Take-aways


def test_the_leaflet_and_the_recording_are_made_on_request(client):
    params = {"lang": "en", "jurisdiction": "GB-ENG", "status": "undocumented", "age": "34"}
    pdf = client.get(presentation.LEAFLET_PATH, params=params)
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert pdf.headers["cache-control"] == "no-store"
    mp3 = client.get(presentation.AUDIO_PATH, params=params)
    assert mp3.status_code == 200
    assert mp3.headers["content-type"] == "audio/mpeg"
    assert mp3.content[:3] == b"ID3"
    assert mp3.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("path", [presentation.LEAFLET_PATH, presentation.AUDIO_PATH])
def test_take_aways_with_wrong_answers_are_an_error_page_not_a_file(client, path):
    response = client.get(path, params={"lang": "en", "jurisdiction": "GB-ENG", "age": "-3"})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    assert "Enter a whole number, like 5" in text_of(response.text)
    assert asked_fact(response.text) == "age"
    response = client.get(path, params={"lang": "en", "jurisdiction": "Atlantis"})
    assert response.status_code == 422
    assert "Choose the country you are in" in text_of(response.text)


# ---------------------------------------------------------------------------------------------------------------
# The clinician view


def test_the_clinician_view_starts_with_the_deployments_country_and_its_questions(client):
    response = client.get("/staff/entitlements?lang=en")
    assert response.status_code == 200
    # A country chooser, then the questions of the chosen country on one form.
    assert response.text.count("<form") == 2
    assert response.text.index('id="jurisdiction"') < response.text.index('name="on_date"')
    # The deployment's country (settings.jurisdiction, England by default) is chosen to begin with.
    assert re.search(r'<option value="GB-ENG"\s+selected>', response.text)
    assert 'id="entitlements"' not in response.text  # nothing asked yet, so no results
    assert DISCLAIMER in text_of(response.text)


@pytest.mark.parametrize("code", JURISDICTIONS)
def test_the_clinician_view_asks_only_what_the_chosen_countrys_rules_use(client, code):
    response = client.get("/staff/entitlements", params={"lang": "en", "jurisdiction": code})
    assert response.status_code == 200
    assert 'id="entitlements"' not in response.text  # choosing the country shows its questions, not results
    rulebook = service.get_rulebook(code)
    used = {fact for entry in rulebook.entries for fact in entry.facts}
    if any(entry.groups is not None for entry in rulebook.entries):
        used.add("status")
    asked = set(re.findall(r'<(?:select|input class="input[^"]*") id="([a-z_]+)"', response.text)) - {"jurisdiction",
                                                                                                  "on_date"}
    assert asked == used, code
    assert 'type="hidden" name="jurisdiction" value="' + code + '"' in response.text
    assert QUESTION_ORDER  # the order they come in is the checker's


def test_the_clinician_view_asks_few_questions_where_the_rules_read_few(client):
    italy = client.get("/staff/entitlements", params={"lang": "en", "jurisdiction": "IT"}).text
    assert 'id="status"' in italy and 'id="age"' not in italy and 'id="pregnant"' not in italy
    germany = client.get("/staff/entitlements", params={"lang": "en", "jurisdiction": "DE"}).text
    assert 'id="receives_asylum_support"' in germany and 'id="status"' not in germany


def test_the_clinician_view_is_not_for_search_engines_and_shows_the_results_first(client):
    response = client.get("/staff/entitlements", params={"lang": "en", "jurisdiction": "SE", "status": "undocumented",
                                                         "age": "30", "on_date": "2026-11-23"})
    assert response.status_code == 200
    assert '<meta name="robots" content="noindex">' in response.text
    assert response.headers["x-robots-tag"] == "noindex"
    assert response.headers["cache-control"] == "no-store"
    # After sending, the results come before any form, with a link down to change the answers.
    results = response.text.index('id="entitlements"')
    assert results < response.text.index("<form")
    assert response.text.index('<h1') < results
    assert 'href="#change-answers"' in response.text
    for path in ("/staff/entitlements?lang=en", "/staff/entitlements?lang=ar&jurisdiction=DE"):
        page = client.get(path)
        assert '<meta name="robots" content="noindex">' in page.text and page.headers["x-robots-tag"] == "noindex"


def test_the_clinician_view_speaks_to_staff_with_codes_as_small_print(client):
    response = client.get("/staff/entitlements", params={"lang": "en", "jurisdiction": "SE", "status": "undocumented",
                                                         "age": "30", "on_date": "2026-11-23"})
    section = response.text.split('id="staff-primary-care"')[1].split("</section>")[0]
    assert "The patient can get" in text_of(section)
    heading = section.split("</h3>")[0]
    assert "primary-care" not in heading  # no code in the heading
    small_print = section.split('class="small muted code-print"')[1]
    assert re.search(r'<code dir="ltr">se-[a-z0-9-]+</code>', small_print)  # the rule code
    assert "You can get" not in text_of(section)  # staff are told about the patient, not addressed as the patient


@pytest.mark.parametrize("lang", ["en", "ar", "fa", "uk", "fr", "es"])
def test_the_clinician_view_status_options_and_safety_line_speak_to_staff(client, lang):
    from carebridge.entitlements.vocabulary import STATUS_LABELS

    translate = i18n.get_translations(lang).gettext
    page = html.unescape(client.get("/staff/entitlements", params={
        "lang": lang, "jurisdiction": "IT", "status": "eu-citizen", "on_date": "2026-11-23"}).text)
    options = re.findall(r'<option value="([a-z-]+)"[^>]*>([^<]*)</option>', page.split('id="status"')[1].split("</select>")[0])
    assert [value for value, _label in options] == list(STATUSES)
    for value, label in options:
        assert label == translate(presentation.STAFF_STATUS_LABELS[value])
        assert label != translate(STATUS_LABELS[value])  # not "I have refugee status…"
    # Italy's rules say nothing about status checks: staff get the staff sentence, not "A support group can tell you".
    section = page.split('id="staff-primary-care"')[1].split("</section>")[0]
    assert translate(presentation.STAFF_SAFETY_UNKNOWN) in section
    assert translate(presentation.SAFETY_UNKNOWN) not in section
    if lang == "en":
        assert "I have" not in page and "A support group can tell you" not in page


def test_the_clinician_view_shows_outcome_codes_upfront_payment_rule_ids_and_legal_references(client):
    response = client.get(
        "/staff/entitlements",
        params={"lang": "en", "jurisdiction": "GB-ENG", "status": "undocumented", "pregnant": "yes", "age": "34",
                "trafficking_victim": "no", "on_date": "2026-11-23"},
    )
    assert response.status_code == 200
    section = response.text.split('id="staff-maternity"')[1].split("</section>")[0]
    assert "charged-never-withheld" in section.split('class="small muted code-print"')[1]  # the code, as small print
    assert "The patient must get this care even if they cannot pay." in section
    assert "Staff must not ask for payment before care" in section
    assert "gb-eng-maternity-chargeable" in section
    assert "SI 2017/756" in section
    assert re.search(r'href="https://www\.legislation\.gov\.uk/[^"]+"', section)
    assert "Why: every rule that was considered" in section
    for category in presentation.SERVICE_CATEGORIES:
        assert f'id="staff-{category}"' in response.text
    assert "These are the rules for England." in text_of(response.text)


def test_the_clinician_view_uses_the_rules_in_force_on_the_date_given(client):
    before = client.get("/staff/entitlements", params={"lang": "en", "jurisdiction": "SE", "status": "undocumented",
                                                       "age": "30", "on_date": "2013-06-30"})
    after = client.get("/staff/entitlements", params={"lang": "en", "jurisdiction": "SE", "status": "undocumented",
                                                      "age": "30", "on_date": "2013-07-01"})
    assert before.status_code == after.status_code == 200

    def primary_care(page: str) -> str:
        return page.split('id="staff-primary-care"')[1].split("</section>")[0]

    assert "emergency-only" in primary_care(before.text)
    assert "se-before-july-2013-emergency-only" in primary_care(before.text)
    assert "covered-limited" in primary_care(after.text)
    assert "se-before-july-2013-emergency-only" not in primary_care(after.text).split("Why:")[0]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"jurisdiction": "XX"}, "Choose a country"),
        ({"jurisdiction": "GB-ENG", "on_date": "23/11/2026"}, "Enter a date like 2026-11-23"),
        ({"jurisdiction": "GB-ENG", "on_date": "1066-10-14"}, "Enter a date between 1990 and 2100"),
        ({"jurisdiction": "GB-ENG", "age": "old"}, "Enter a whole number, like 5"),
        ({"jurisdiction": "GB-ENG", "pregnant": "perhaps"}, "Choose yes, no or one of the other answers"),
    ],
)
def test_the_clinician_view_explains_what_is_wrong(client, params, message):
    response = client.get("/staff/entitlements", params={"lang": "en", **params})
    assert response.status_code == 422
    assert message in text_of(response.text)
    assert 'class="error-summary"' in response.text


# ---------------------------------------------------------------------------------------------------------------
# No input gives a server error

CHECKER_PATHS = [
    "/entitlements",
    presentation.QUESTION_PATH,
    presentation.RESULT_PATH,
    presentation.LEAFLET_PATH,
    presentation.AUDIO_PATH,
    "/staff/entitlements",
]
PARAM_NAMES = ["jurisdiction", "lang", "answered", "change", "skip", "on_date", *QUESTION_ORDER, "x"]
values = st.one_of(
    st.sampled_from(["", "unknown", "yes", "no", "GB-ENG", "DE", "undocumented", "30", "-1", "1e9", "status", "age",
                     "٣٤", "2026-02-30", "%00", "\x00", "../../etc/passwd", "<b>", "𝟘"]),
    st.text(max_size=40),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    path=st.sampled_from([p for p in CHECKER_PATHS if p not in (presentation.LEAFLET_PATH, presentation.AUDIO_PATH)]),
    params=st.dictionaries(st.sampled_from(PARAM_NAMES), values, max_size=8),
)
def test_garbage_query_parameters_never_give_a_server_error(client, path, params):
    response = client.get(path, params=params, follow_redirects=False)
    assert response.status_code in (200, 303, 422), (path, params, response.status_code)
    if response.status_code == 422:
        assert 'class="error-summary"' in response.text


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    path=st.sampled_from([presentation.LEAFLET_PATH, presentation.AUDIO_PATH]),
    params=st.dictionaries(st.sampled_from(PARAM_NAMES), values, max_size=6),
)
def test_garbage_query_parameters_never_break_the_take_aways(client, path, params):
    response = client.get(path, params=params, follow_redirects=False)
    assert response.status_code in (200, 303, 422), (path, params, response.status_code)


def test_dates_are_today_in_the_deployment_time_zone():
    from carebridge.kit import clock

    # 23:30 UTC on 30 June is already 1 July in London (BST): the checker's "today" is London's.
    with clock.pinned(dt.datetime(2027, 6, 30, 23, 30, tzinfo=dt.UTC)):
        assert presentation.today() == dt.date(2027, 7, 1)
    with clock.pinned(dt.datetime(2027, 12, 31, 23, 30, tzinfo=dt.UTC)):  # GMT: still 31 December
        assert presentation.today() == dt.date(2027, 12, 31)


def test_the_result_and_the_clinician_view_say_what_a_yes_would_change(client):
    unanswered = {"lang": "en", "jurisdiction": "GB-ENG", "status": "undocumented", "age": "34",
                  "trafficking_victim": "unknown", "torture_or_violence_survivor": "unknown"}
    result = client.get("/entitlements/result", params=unanswered)
    hospital = text_of(result.text.split('id="category-hospital-care"')[1].split("</section>")[0])
    assert "You can get this care, but you may have to pay" in hospital
    assert "You did not have to tell us about this, but it can change what you get." in hospital
    assert "(trafficking): You can get this care for free" in hospital
    staff = client.get("/staff/entitlements", params={**unanswered, "trafficking_victim": "",
                                                      "torture_or_violence_survivor": ""})
    section = text_of(staff.text.split('id="staff-hospital-care"')[1].split("</section>")[0])
    assert "Victim or suspected victim of trafficking or modern slavery: taken as no" in section
    assert "The patient can get this care free of charge." in section and "gb-eng-exempt-modern-slavery" in section
