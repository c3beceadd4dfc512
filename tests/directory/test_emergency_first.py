"""Emergency first, and what a service says about immigration-status checks (issue 7, sections 4, 5 and 6).

- Choosing urgent or emergency care in the finder shows the deployment's emergency numbers before anything else,
  in every language, as large tel: links kept left-to-right; then the places open now, nearest first.
- The service page of an A&E (category `emergency`) carries the numbers; CAREBRIDGE_EMERGENCY_NUMBERS overrides the
  rules base's numbers.
- A service that checks immigration status (the `status-check` term) shows a warning, one that does not says so,
  and one whose record says neither says that we do not know: on results, service page and in the search API.
- The language question starts on the interface language.

Runs on SQLite and PostgreSQL; the clock is fixed (a Tuesday at 03:00 in Fairhaven, when the A&E is open and the
urgent treatment centre and urgent dental care are closed).
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import cssselect2
import pytest
import tinyhtml5

from carebridge import emergency, i18n
from carebridge.config import Settings
from carebridge.directory import search, taxonomy
from carebridge.directory.demo import build
from carebridge.directory.search_index import SearchIndexHolder

NIGHT = datetime(2026, 11, 24, 3, 0, tzinfo=ZoneInfo("Europe/London"))
AE = build.demo_id("service", "hospital-ae")
CHECKS = build.demo_id("service", "hospital-outpatients")  # the overseas visitors check
NO_CHECK = build.demo_id("service", "hospital-tb")
UNKNOWN = build.demo_id("service", "hospital-maternity")
FOOD_BANK_QUERY = "category=food&anywhere=1&language=any"
WARNING = (
    "Warning: this place may ask about your immigration status, or may share information about you with the "
    "immigration authorities."
)
UNKNOWN_TEXT = "We do not know if this place asks about immigration status. Ask them, or a support group, before you go."


@pytest.fixture(scope="module", autouse=True)
def _compiled_catalogs(compiled_catalogs) -> None:  # noqa: ANN001
    """Pages are rendered with the compiled catalogs (tests/conftest.py compiles them when a .po is newer)."""


@pytest.fixture(scope="module")
def connection(demo_city_connection):  # noqa: ANN001, ANN201 - overrides tests/conftest.py's: the demo city, loaded once
    return demo_city_connection


@pytest.fixture
def night_client(app, session_factory):  # noqa: ANN001, ANN201
    """The app, its pages and its search index held at the fixed night-time clock."""
    from fastapi.testclient import TestClient

    from carebridge.kit import clock

    app.state.search_index = SearchIndexHolder(session_factory, clock=lambda: NIGHT, check_seconds=0, background=False)
    with clock.pinned(NIGHT), TestClient(app, raise_server_exceptions=False) as client:
        yield client


class Page:
    def __init__(self, response) -> None:  # noqa: ANN001
        self.status = response.status_code
        self.text = response.text
        self.root = cssselect2.ElementWrapper.from_html_root(tinyhtml5.parse(response.text))

    def all(self, selector: str) -> list:
        return [element.etree_element for element in self.root.query_all(selector)]

    def text_of(self, selector: str) -> str:
        return " ".join(" ".join("".join(element.itertext()).split()) for element in self.all(selector))


def get(client, url: str) -> Page:  # noqa: ANN001
    page = Page(client.get(url, follow_redirects=False))
    assert page.status == 200, page.text[:500]
    return page


def assert_numbers_first(page: Page, lang: str, numbers: list[tuple[str, str]]) -> None:
    """The emergency block is the first thing in <main>, before any result, with each number as a large tel: link
    isolated left-to-right, and who answers it in the page's language."""
    main = page.all("main")[0]
    first = next(iter(main))
    assert first.get("data-emergency-numbers") is not None, "the emergency numbers are not first in <main>"
    links = page.all("[data-emergency-numbers] a.emergency__number")
    assert [(link.get("href"), "".join(link.itertext())) for link in links] == [
        (f"tel:{number.replace(' ', '')}", number) for number, _ in numbers
    ]
    for link in links:
        isolated = link.find("{http://www.w3.org/1999/xhtml}bdi")
        assert isolated is not None and isolated.get("dir") == "ltr"
    labels = [" ".join("".join(label.itertext()).split()) for label in page.all("[data-emergency-numbers] .emergency__label")]
    assert labels == [i18n.gettext(lang, emergency.ANSWERS_LABELS[answers]) for _, answers in numbers]
    title = page.text_of("#emergency-title")
    assert title == i18n.gettext(lang, "In an emergency, call now")
    if lang != "en":
        assert title != "In an emergency, call now", f"the emergency block is not translated into {lang}"
    text = page.text
    assert text.index("data-emergency-numbers") < text.index("<h1"), "the numbers come before the heading"
    if 'class="result"' in text:
        assert text.index("data-emergency-numbers") < text.index('class="result"')


# --------------------------------------------------------------------------------------------------------------
# Emergency numbers first


@pytest.mark.parametrize("lang", list(i18n.LANGUAGES))
def test_choosing_emergency_care_shows_the_numbers_before_any_result_in_every_language(night_client, lang: str) -> None:  # noqa: ANN001
    page = get(night_client, f"/find/results?lang={lang}&category=emergency&near=FH1+1AA&language=any")
    assert page.all(".result"), "the urgent care search found nothing"
    assert_numbers_first(page, lang, [("999", "all"), ("112", "all")])


def test_numbers_also_on_the_questions_after_choosing_emergency_care_but_not_for_other_needs(night_client) -> None:  # noqa: ANN001
    where = get(night_client, "/find/where?lang=ar&category=emergency")
    assert_numbers_first(where, "ar", [("999", "all"), ("112", "all")])
    language = get(night_client, "/find/language?lang=fa&category=emergency&near=FH1+1AA")
    assert_numbers_first(language, "fa", [("999", "all"), ("112", "all")])
    for url in ("/find/need?lang=en", f"/find/results?lang=en&{FOOD_BANK_QUERY}", "/find/where?lang=en&category=food"):
        assert not get(night_client, url).all("[data-emergency-numbers]"), url


@pytest.mark.parametrize(
    ("url", "lang"),
    [
        ("/find/results?lang=en&category=emergency&near=FH1%011AA", "en"),  # a control character: refused up front
        ("/find/results?lang=ar&category=emergency&language=%01", "ar"),
        ("/find/results?lang=fa&category=dental%2Cemergency&near=%ZZ", "fa"),  # a broken percent-escape
        ("/find/where?lang=uk&category=emergency&near=" + "x" * 5000 + "&answered=1", "uk"),
    ],
)
def test_an_error_page_of_an_emergency_request_shows_the_numbers_first(night_client, url: str, lang: str) -> None:  # noqa: ANN001
    response = night_client.get(url, follow_redirects=False)
    assert response.status_code == 422
    page = Page(response)
    assert page.all(".error-summary"), "not the error page"
    assert_numbers_first(page, lang, [("999", "all"), ("112", "all")])


def test_an_error_page_of_another_request_shows_no_numbers(night_client) -> None:  # noqa: ANN001
    for url in ("/find/results?lang=en&category=dental&near=FH1%011AA", "/find/results?lang=en&near=%01&category=emergencyx"):
        response = night_client.get(url, follow_redirects=False)
        assert response.status_code == 422
        assert not Page(response).all("[data-emergency-numbers]"), url


def test_urgent_care_results_put_an_open_a_and_e_before_a_nearer_closed_place(night_client, session) -> None:  # noqa: ANN001
    found = search.search_services(session, category="emergency", near="FH1 1AA", now=NIGHT, per_page=20).results
    by_id = {result["service_id"]: result for result in found}
    ae = by_id[AE]
    nearer_closed = [r for r in found if r["open_now"] is False and r["distance_km"] is not None and r["distance_km"] < ae["distance_km"]]
    assert nearer_closed, "the fixture lost its point: no closed place is nearer than the A&E at night"
    order = [result["service_id"] for result in found]
    assert order.index(AE) < min(order.index(result["service_id"]) for result in nearer_closed)
    # Open now first, then nearest first within each group (no position: last of its group).
    opened = [result["open_now"] is True for result in found]
    assert opened == sorted(opened, reverse=True)
    for group in (True, False):
        distances = [r["distance_km"] for r in found if (r["open_now"] is True) == group]
        placed = [d for d in distances if d is not None]
        assert placed == sorted(placed) and distances[: len(placed)] == placed

    page = get(night_client, "/find/results?lang=en&category=emergency&near=FH1+1AA&language=any")
    names = [" ".join("".join(a.itertext()).split()) for a in page.all(".result h2 a")]
    assert names[0] == "Accident and Emergency (A&E)"
    assert names.index("Accident and Emergency (A&E)") < names.index("Urgent Treatment Centre")


def test_other_searches_keep_nearest_first(session) -> None:  # noqa: ANN001
    found = search.search_services(session, category="dental", near="FH1 1AA", now=NIGHT, per_page=20).results
    distances = [result["distance_km"] for result in found if result["distance_km"] is not None]
    assert len(distances) > 1 and distances == sorted(distances)


def test_the_service_page_of_an_a_and_e_shows_the_numbers_and_others_do_not(night_client) -> None:  # noqa: ANN001
    for lang in ("en", "ar"):
        assert_numbers_first(get(night_client, f"/services/{AE}?lang={lang}"), lang, [("999", "all"), ("112", "all")])
    assert not get(night_client, f"/services/{NO_CHECK}?lang=en").all("[data-emergency-numbers]")


def test_the_setting_overrides_the_rules_base_s_numbers(night_client, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("CAREBRIDGE_EMERGENCY_NUMBERS", "112=ambulance-fire, 110=police")
    configured = Settings()
    monkeypatch.setattr(night_client.app.state, "settings", configured)  # the app's settings (create_app(settings=))
    page = get(night_client, "/find/results?lang=uk&category=emergency&near=FH1+1AA&language=any")
    assert_numbers_first(page, "uk", [("112", "ambulance-fire"), ("110", "police")])
    assert "tel:999" not in page.text
    assert_numbers_first(get(night_client, f"/services/{AE}?lang=fr"), "fr", [("112", "ambulance-fire"), ("110", "police")])


@pytest.mark.parametrize("value", ["99x", "112=doctor", "1", "112,+44"])
def test_a_setting_that_is_not_an_emergency_number_is_refused_at_start(value: str) -> None:
    with pytest.raises(ValueError, match="not an emergency number"):
        Settings(emergency_numbers=value)


def test_without_the_setting_the_numbers_come_from_the_deployment_s_rules_base() -> None:
    england = Settings(jurisdiction="GB-ENG", emergency_numbers="")
    germany = Settings(jurisdiction="DE", emergency_numbers="")
    assert [(n.number, n.answers) for n in emergency.emergency_numbers(settings=england)] == [("999", "all"), ("112", "all")]
    assert [(n.number, n.answers) for n in emergency.emergency_numbers(settings=germany)] == [
        ("112", "ambulance-fire"), ("110", "police"),
    ]
    # The setting is the deployment's: it does not change another country's numbers (the checker shows those).
    configured = Settings(jurisdiction="GB-ENG", emergency_numbers="999")
    assert [n.number for n in emergency.emergency_numbers("FR", settings=configured)] == ["112", "15", "17", "18"]
    assert [n.number for n in emergency.emergency_numbers("XX", settings=configured)] == ["112"]


# --------------------------------------------------------------------------------------------------------------
# Immigration-status checks: three states


def test_the_status_check_term_is_published_and_documented() -> None:
    from pathlib import Path

    assert taxonomy.STATUS_CHECK in taxonomy.ACCESS_TERMS
    assert taxonomy.TERMS_BY_CODE["status-check"] is taxonomy.STATUS_CHECK
    docs = (Path(__file__).resolve().parents[2] / "docs" / "taxonomy.md").read_text(encoding="utf-8")
    assert "`status-check`" in docs
    assert taxonomy.status_check_state({"status-check"}) == "checks"
    assert taxonomy.status_check_state({"no-status-check"}) == "no-check"
    assert taxonomy.status_check_state(set()) == "unknown"
    assert taxonomy.status_check_state({"status-check", "no-status-check"}) == "checks"  # the safe side


def test_a_demo_service_checks_status_and_says_where_that_is_written() -> None:
    from carebridge.directory.demo import load_services

    records = {record["id"]: record for record in load_services()}
    values = [a.get("value") for a in records[CHECKS]["attributes"] if a["taxonomy_term_id"] == taxonomy.STATUS_CHECK.id]
    assert len(values) == 1 and "SI 2015/238" in values[0]


def test_the_search_api_says_which_of_the_three_states_each_result_is_in(client) -> None:  # noqa: ANN001
    states = {}
    for category in ("hospital-care", "communicable-diseases", "maternity"):
        response = client.get("/api/v1/services/search", params={"category": category, "per_page": 50})
        assert response.status_code == 200
        states.update({result["service_id"]: result["status_check"] for result in response.json()["results"]})
    assert states[CHECKS] == "checks"
    assert states[NO_CHECK] == "no-check"
    assert states[UNKNOWN] == "unknown"
    assert set(states.values()) == {"checks", "no-check", "unknown"}
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    result_schema = response.json()["components"]["schemas"]["SearchResult"]["properties"]["status_check"]
    assert set(result_schema["enum"]) == {"checks", "no-check", "unknown"}


def test_results_show_the_three_states_in_words(client) -> None:  # noqa: ANN001
    for lang in i18n.LANGUAGES:
        page = get(client, f"/find/results?lang={lang}&category=hospital-care&anywhere=1&language=any")
        by_name = {}
        for result in page.all(".result"):
            link = result.find(".//{http://www.w3.org/1999/xhtml}h2/{http://www.w3.org/1999/xhtml}a")
            by_name[link.get("href").split("?")[0].rsplit("/", 1)[1]] = result
        warning, unknown = i18n.gettext(lang, WARNING), i18n.gettext(lang, UNKNOWN_TEXT)
        assert lang == "en" or (warning != WARNING and unknown != UNKNOWN_TEXT), f"not translated into {lang}"
        no_check = i18n.gettext(lang, "No immigration status check")

        def text(service_id: str) -> str:
            return " ".join("".join(by_name[service_id].itertext()).split())

        assert warning in text(CHECKS) and unknown not in text(CHECKS) and no_check not in text(CHECKS)
        assert unknown in text(UNKNOWN) and warning not in text(UNKNOWN) and no_check not in text(UNKNOWN)
    page = get(client, "/find/results?lang=en&category=communicable-diseases&anywhere=1&language=any")
    tb = next(r for r in page.all(".result") if NO_CHECK in r.find(".//{http://www.w3.org/1999/xhtml}a").get("href"))
    tb_text = " ".join("".join(tb.itertext()).split())
    assert "No immigration status check" in tb_text and "We do not know if" not in tb_text and "Warning:" not in tb_text


@pytest.mark.parametrize("lang", list(i18n.LANGUAGES))
def test_service_pages_show_the_three_states_in_words(client, lang: str) -> None:  # noqa: ANN001
    warning, unknown = i18n.gettext(lang, WARNING), i18n.gettext(lang, UNKNOWN_TEXT)
    assert lang == "en" or (warning != WARNING and unknown != UNKNOWN_TEXT), f"not translated into {lang}"
    no_check = i18n.gettext(lang, "They do not ask about your immigration status.")
    checks_page = get(client, f"/services/{CHECKS}?lang={lang}")
    states = [element.get("data-status-check") for element in checks_page.all("[data-status-check]")]
    assert set(states) == {"checks"}
    assert warning in checks_page.text_of("main") and unknown not in checks_page.text_of("main")
    assert "SI 2015/238" in checks_page.text_of("main"), "the record's own words on what is checked, with the source"
    unknown_page = get(client, f"/services/{UNKNOWN}?lang={lang}")
    assert {e.get("data-status-check") for e in unknown_page.all("[data-status-check]")} == {"unknown"}
    assert unknown in unknown_page.text_of("main") and warning not in unknown_page.text_of("main")
    no_check_page = get(client, f"/services/{NO_CHECK}?lang={lang}")
    assert {e.get("data-status-check") for e in no_check_page.all("[data-status-check]")} == {"no-check"}
    assert no_check in no_check_page.text_of("main")
    assert warning not in no_check_page.text_of("main") and unknown not in no_check_page.text_of("main")


# --------------------------------------------------------------------------------------------------------------
# The language question


@pytest.mark.parametrize("lang", list(i18n.LANGUAGES))
def test_the_language_question_starts_on_the_interface_language(client, lang: str) -> None:  # noqa: ANN001
    page = get(client, f"/find/language?lang={lang}&category=food&anywhere=1")
    checked = [element.get("value") for element in page.all("input[name=language][checked]")]
    assert checked == [lang]


def test_the_language_question_keeps_an_answer_given_and_preselects_nothing_after_an_error(client) -> None:  # noqa: ANN001
    page = get(client, "/find/language?lang=ar&category=food&anywhere=1&language=so")
    assert [e.get("value") for e in page.all("input[name=language][checked]")] == ["so"]
    response = client.get("/find/language?lang=ar&category=food&anywhere=1&answered=1", follow_redirects=False)
    assert response.status_code == 422
    assert not Page(response).all("input[name=language][checked]")
    assert re.search(r"error-summary", response.text)
