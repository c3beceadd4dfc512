"""The public service finder pages, on SQLite and PostgreSQL (through `client`).

One question per page with an error summary that links to its field; answers carried in the query string;
the language switcher keeps them; results and service pages show the facts a migrant needs; confidential addresses
never reach the HTML; no query string, however strange, gets a 500.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import cssselect2
import pytest
import tinyhtml5
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from carebridge import i18n
from carebridge.directory import models, pages, taxonomy

FH1_1AA = "FH1 1AA"


@pytest.fixture(scope="module", autouse=True)
def _compiled_catalogs(compiled_catalogs) -> None:  # noqa: ANN001
    """Pages are rendered with the compiled catalogs (tests/conftest.py compiles them when a .po is newer)."""


@pytest.fixture(scope="module")
def connection(demo_city_connection):  # noqa: ANN001, ANN201 - overrides tests/conftest.py's: the demo city, loaded once
    return demo_city_connection


@pytest.fixture
def demo(session):  # noqa: ANN001, ANN201
    """A session on the module's database, which holds the demo city."""
    return session


class Page:
    """A fetched HTML page with CSS selectors."""

    def __init__(self, response) -> None:  # noqa: ANN001
        self.response = response
        self.status = response.status_code
        self.text = response.text
        self.root = cssselect2.ElementWrapper.from_html_root(tinyhtml5.parse(response.text))

    def all(self, selector: str) -> list:
        return [element.etree_element for element in self.root.query_all(selector)]

    def one(self, selector: str):  # noqa: ANN201
        found = self.all(selector)
        assert found, f"nothing matches {selector!r}"
        return found[0]

    def text_of(self, selector: str) -> str:
        return " ".join(" ".join("".join(element.itertext()).split()) for element in self.all(selector))

    def hidden(self) -> dict[str, str]:
        return {element.get("name"): element.get("value") for element in self.all("form input[type=hidden]")}

    @property
    def html_lang(self) -> tuple[str, str]:
        html = self.one("html")
        return html.get("lang"), html.get("dir")


def get(client, url: str) -> Page:  # noqa: ANN001
    return Page(client.get(url, follow_redirects=False))


def location_of(response) -> tuple[str, dict[str, list[str]]]:  # noqa: ANN001
    parts = urlsplit(response.headers["location"])
    return parts.path, parse_qs(parts.query)


def assert_error_summary_links_to(page: Page, field_id: str) -> None:
    assert page.status == 422
    summary_links = page.all(".error-summary a")
    assert [link.get("href") for link in summary_links] == [f"#{field_id}"]
    assert page.all(f"#{field_id}"), f"the error summary links to #{field_id}, which is not on the page"
    assert page.all(f"#{field_id}-error"), "the field shows its own error message too"
    assert page.one("title").text.startswith(i18n.gettext(page.html_lang[0], "Error:"))


# --------------------------------------------------------------------------------------------------------------
# Home and about


def test_home_asks_for_the_language_first_and_makes_the_promise(client) -> None:  # noqa: ANN001
    page = get(client, "/")
    assert page.status == 200
    choices = page.all(".language-choices a")
    assert [(a.get("lang"), "".join(a.itertext()).strip("→ ")) for a in choices] == [
        (code, language.native_name) for code, language in i18n.LANGUAGES.items()
    ]
    assert [a.get("href") for a in choices] == [f"/find/need?lang={code}" for code in i18n.LANGUAGES]
    assert {a.get("dir") for a in choices if a.get("lang") in ("ar", "fa")} == {"rtl"}
    assert "We never share your information with immigration authorities." in page.text_of("main")


@pytest.mark.parametrize("lang", ["en", "ar", "fa", "uk", "fr", "es"])
def test_about_page_in_every_language(client, lang: str) -> None:  # noqa: ANN001
    page = get(client, f"/about?lang={lang}")
    assert page.status == 200
    assert page.html_lang == (lang, i18n.direction(lang))
    assert i18n.gettext(lang, "We never share your information with immigration authorities.") in page.text_of("main")
    assert "Open Referral" in page.text_of("main")
    if lang != "en":
        # Translated, not English: the heading differs from the English text.
        assert page.text_of("h1") != "About Carebridge and your privacy"
        assert i18n.gettext(lang, "This translation has not yet been checked by a native speaker.") in page.text


# --------------------------------------------------------------------------------------------------------------
# What do you need?


def test_need_question_lists_every_category_once(client) -> None:  # noqa: ANN001
    page = get(client, "/find/need?lang=en")
    assert page.status == 200
    values = [radio.get("value") for radio in page.all("input[type=radio][name=category]")]
    assert values == list(taxonomy.CATEGORY_CODES)
    assert page.one("legend h1").text == "What do you need help with?"
    assert page.one("a.back-link").get("href") == "/?lang=en"
    assert page.hidden() == {"lang": "en", "answered": "1"}


def test_every_category_has_plain_words(client) -> None:  # noqa: ANN001
    assert set(pages.CATEGORY_LABELS) == set(taxonomy.CATEGORY_CODES)


@pytest.mark.parametrize("query", ["answered=1", "answered=1&category=", "answered=1&category=astrology"])
def test_need_without_a_valid_answer_shows_the_error_summary(client, query: str) -> None:  # noqa: ANN001
    page = get(client, f"/find/need?lang=en&{query}")
    assert_error_summary_links_to(page, "category")
    assert page.text_of(".error-summary") == "There is a problem Choose what you need help with"


def test_need_answer_goes_to_where_carrying_it(client) -> None:  # noqa: ANN001
    response = client.get("/find/need?lang=ar&category=food&answered=1", follow_redirects=False)
    assert response.status_code == 303
    assert location_of(response) == ("/find/where", {"lang": ["ar"], "category": ["food"]})


def test_error_summary_is_translated(client) -> None:  # noqa: ANN001
    page = get(client, "/find/need?lang=ar&answered=1")
    assert page.html_lang == ("ar", "rtl")
    assert page.text_of(".error-summary a") == i18n.gettext("ar", "Choose what you need help with")
    assert page.text_of(".error-summary a") != "Choose what you need help with"


# --------------------------------------------------------------------------------------------------------------
# Where are you?


def test_where_question_carries_the_need_and_offers_anywhere(client) -> None:  # noqa: ANN001
    page = get(client, "/find/where?lang=en&category=dental")
    assert page.status == 200
    assert page.hidden() == {"lang": "en", "category": "dental", "answered": "1"}
    assert page.one("a.back-link").get("href") == "/find/need?lang=en&category=dental"
    assert page.one("label[for=near]").text == "Where are you?"
    anywhere = [a.get("href") for a in page.all("main a") if "anywhere=1" in (a.get("href") or "")]
    assert anywhere == ["/find/language?lang=en&category=dental&anywhere=1"]


def test_where_without_a_place_shows_the_error_summary(client, demo) -> None:  # noqa: ANN001, ARG001
    page = get(client, "/find/where?lang=en&category=dental&near=+&answered=1")
    assert_error_summary_links_to(page, "near")
    assert page.text_of(".error-summary a") == "Enter a postcode or the name of your area"


def test_an_unknown_place_re_shows_the_question_with_what_was_typed(client, demo) -> None:  # noqa: ANN001, ARG001
    page = get(client, "/find/where?lang=en&category=dental&near=%3Cb%3EAtlantis%3C%2Fb%3E&answered=1")
    assert_error_summary_links_to(page, "near")
    assert "<b>Atlantis</b>" not in page.text  # escaped, never markup
    assert page.text_of(".error-summary a") == "We could not find the place “<b>Atlantis</b>”. Check the spelling, or enter a postcode."
    assert page.one("input#near").get("value") == "<b>Atlantis</b>"
    assert page.one("input#near").get("aria-invalid") == "true"
    assert "near-error" in page.one("input#near").get("aria-describedby")


@pytest.mark.parametrize(("typed", "canonical"), [("fh11aa", FH1_1AA), ("  FH1   1aa ", FH1_1AA), ("harbourside", "Harbourside")])
def test_a_known_place_goes_on_to_the_language_question(client, demo, typed: str, canonical: str) -> None:  # noqa: ANN001, ARG001
    response = client.get("/find/where", params={"lang": "en", "category": "food", "near": typed, "answered": "1"}, follow_redirects=False)
    assert response.status_code == 303
    assert location_of(response) == ("/find/language", {"lang": ["en"], "category": ["food"], "near": [canonical]})


def test_reaching_a_later_question_without_earlier_answers_asks_the_first_missing_one(client) -> None:  # noqa: ANN001
    page = get(client, "/find/language?lang=en")
    assert page.status == 200
    assert page.all("input[name=category]"), "the need question is asked first"
    assert not page.all(".error-summary"), "a missing answer is asked for, not reported as a mistake"


def test_a_wrong_earlier_answer_is_explained_on_its_own_question(client, demo) -> None:  # noqa: ANN001, ARG001
    page = get(client, "/find/language?lang=en&category=food&near=Atlantis")
    assert_error_summary_links_to(page, "near")
    assert page.one("form").get("action") == "/find/where"


# --------------------------------------------------------------------------------------------------------------
# Which language?


def test_language_question_offers_interface_languages_then_the_directory_s_then_any(client, demo) -> None:  # noqa: ANN001, ARG001
    page = get(client, "/find/language?lang=en&category=food&near=FH1+1AA")
    assert page.status == 200
    values = [radio.get("value") for radio in page.all("input[type=radio][name=language]")]
    assert values[:6] == list(i18n.LANGUAGES)
    assert values[-1] == "any"
    assert {"ti", "so", "ps"} <= set(values), "languages the demo services speak or interpret are offered"
    assert len(values) == len(set(values))
    arabic = page.one("label[for=language-2]")
    assert "".join(arabic.itertext()) == "Arabic (العربية)"
    assert arabic.find("{http://www.w3.org/1999/xhtml}span").get("lang") == "ar"
    assert page.hidden() == {"lang": "en", "category": "food", "near": FH1_1AA, "answered": "1"}
    assert page.one("a.back-link").get("href") == "/find/where?lang=en&category=food&near=FH1+1AA"


def test_language_without_an_answer_shows_the_error_summary(client, demo) -> None:  # noqa: ANN001, ARG001
    for query in ("answered=1", "answered=1&language=klingon"):
        page = get(client, f"/find/language?lang=en&category=food&anywhere=1&{query}")
        assert_error_summary_links_to(page, "language")


def test_language_answer_goes_to_the_results(client, demo) -> None:  # noqa: ANN001, ARG001
    response = client.get("/find/language?lang=fa&category=food&anywhere=1&language=ti&answered=1", follow_redirects=False)
    assert response.status_code == 303
    assert location_of(response) == (
        "/find/results",
        {"lang": ["fa"], "category": ["food"], "anywhere": ["1"], "language": ["ti"]},
    )


# --------------------------------------------------------------------------------------------------------------
# Results


def result_names(page: Page) -> list[str]:
    return ["".join(link.itertext()) for link in page.all(".result h2 a")]


def test_results_show_the_facts_a_person_needs_nearest_first(client, demo) -> None:  # noqa: ANN001, ARG001
    page = get(client, "/find/results?lang=en&category=food&near=FH1+1AA&language=any")
    assert page.status == 200
    assert re.fullmatch(r"\d+ places found", page.one("h1").text)
    total = int(page.one("h1").text.split()[0])
    assert total > len(page.all(".result")) > 0
    distances = [float(re.search(r"([\d.]+) km away", text).group(1)) for text in (" ".join(p.itertext()) for p in page.all(".result p")) if "km away" in text]
    assert distances == sorted(distances) and distances
    first = page.all(".result")[0]
    text = " ".join(" ".join(first.itertext()).split())
    assert re.search(r"Open now|Opens (today|tomorrow|on) |Call to ask|Closed", text)
    assert "Last checked:" in text
    assert page.all(".result .tag")
    answers = [" ".join("".join(cell.itertext()).split()) for cell in page.all(".answers dt, .answers dd")]
    assert answers == [
        "You need", "Food", "ChangeChange what you need",
        "Where", FH1_1AA, "ChangeChange where you are",
        "Language", "Any language", "ChangeChange the language",
    ]
    href = page.one(".result h2 a").get("href")
    assert href.startswith("/services/") and "category=food" in href and "near=FH1+1AA" in href


def test_filters_narrow_the_results_and_keep_the_other_answers(client, demo) -> None:  # noqa: ANN001, ARG001
    everything = get(client, "/find/results?lang=en&category=primary-care&anywhere=1&language=any")
    free = get(client, "/find/results?lang=en&category=primary-care&anywhere=1&language=any&free=1&no_status_check=1")
    assert int(free.one("h1").text.split()[0]) < int(everything.one("h1").text.split()[0])
    for result in free.all(".result"):
        tags = [tag.text for tag in result.iter("{http://www.w3.org/1999/xhtml}span") if "tag" in (tag.get("class") or "")]
        assert "Free" in tags and "No immigration status check" in tags
    assert free.one("input#free").get("checked") is not None
    filter_form = free.one("form.filters")
    assert filter_form.get("method") == "get" and filter_form.get("action") == "/find/results"
    hidden = {element.get("name"): element.get("value") for element in filter_form.iter("{http://www.w3.org/1999/xhtml}input") if element.get("type") == "hidden"}
    assert hidden == {"lang": "en", "category": "primary-care", "anywhere": "1", "language": "any"}


def test_results_are_paged(client, demo) -> None:  # noqa: ANN001, ARG001
    first = get(client, "/find/results?lang=en&anywhere=1&language=any")
    total = int(first.one("h1").text.split()[0])
    assert total > pages.PER_PAGE
    assert len(first.all(".result")) == pages.PER_PAGE
    next_href = first.one("a[rel=next]").get("href")
    assert "page=2" in next_href
    second = get(client, next_href)
    assert second.status == 200
    assert not set(result_names(first)) & set(result_names(second)) or total <= pages.PER_PAGE
    assert "page=2" not in second.one("a[rel=prev]").get("href")
    beyond = client.get("/find/results?lang=en&anywhere=1&language=any&page=400", follow_redirects=False)
    assert beyond.status_code == 303 and "page=" not in beyond.headers["location"]


def test_no_results_suggests_what_to_change(client, demo) -> None:  # noqa: ANN001, ARG001
    page = get(client, "/find/results?lang=en&category=maternity&near=FH1+1AA&language=ti&free=1&no_documents=1&open_now=1")
    assert page.status == 200
    assert page.one("h1").text == "0 places found"
    links = [a.get("href") for a in page.all("main .panel a")]
    assert any("free" not in link and "language=ti" in link for link in links)
    assert any("language=any" in link for link in links)
    assert any("anywhere=1" in link for link in links)


def test_results_in_arabic_are_right_to_left_and_translated(client, demo) -> None:  # noqa: ANN001, ARG001
    page = get(client, "/find/results?lang=ar&category=housing&near=Harbourside&language=ar")
    assert page.status == 200
    assert page.html_lang == ("ar", "rtl")
    assert "places found" not in page.one("h1").text
    # English records are marked as English on the Arabic page.
    assert {link.get("lang") for link in page.all(".result h2 a")} == {"en"}
    assert {link.get("dir") for link in page.all(".result h2 a")} == {"ltr"}


def test_record_language_is_marked_when_it_differs_from_the_page(client, demo) -> None:  # noqa: ANN001
    written_in = {}
    for attribute in demo.scalars(select(models.Attribute).where(models.Attribute.taxonomy_term_id == taxonomy.CONTENT_LANGUAGE.id)):
        written_in[attribute.link_id] = attribute.value
    arabic_ids = [service_id for service_id, language in written_in.items() if language == "ar"]
    assert arabic_ids, "the demo data has records written in Arabic"
    page = get(client, f"/services/{arabic_ids[0]}?lang=en")
    assert page.status == 200
    heading = page.one("h1 span")
    assert (heading.get("lang"), heading.get("dir")) == ("ar", "rtl")
    assert "This information is written in Arabic." in page.text_of("main")
    same = get(client, f"/services/{arabic_ids[0]}?lang=ar")
    assert same.one("h1 span").get("lang") is None, "no lang attribute when the record is in the page's language"


def test_results_accept_missing_answers_from_links_elsewhere(client, demo) -> None:  # noqa: ANN001, ARG001
    page = get(client, "/find/results?category=primary-care&lang=uk")
    assert page.status == 200
    assert page.html_lang == ("uk", "ltr")
    assert page.all(".result")


def test_results_re_ask_a_question_whose_answer_is_wrong(client, demo) -> None:  # noqa: ANN001, ARG001
    page = get(client, "/find/results?lang=en&category=astrology&anywhere=1&language=any")
    assert_error_summary_links_to(page, "category")
    page = get(client, "/find/results?lang=en&category=food&near=Atlantis&language=any")
    assert_error_summary_links_to(page, "near")


def test_language_switcher_keeps_every_answer(client, demo) -> None:  # noqa: ANN001, ARG001
    query = "lang=en&near=FH1+1AA&language=any&free=1&page=2"
    page = get(client, f"/find/results?{query}")
    assert page.status == 200
    switcher = {a.get("lang"): a.get("href") for a in page.all(".language-switcher a")}
    assert set(switcher) == set(i18n.LANGUAGES)
    for code, href in switcher.items():
        path, params = urlsplit(href).path, parse_qs(urlsplit(href).query)
        assert path == "/find/results"
        assert params == {**parse_qs(query), "lang": [code]}
    assert page.one(".language-switcher a[aria-current]").get("lang") == "en"
    switched = client.get(switcher["fa"])
    assert '<html lang="fa" dir="rtl">' in switched.text
    assert "carebridge_lang=fa" in switched.headers["set-cookie"]


# --------------------------------------------------------------------------------------------------------------
# Service page


def confidential_locations(session) -> list[tuple[str, models.Location, models.Address]]:  # noqa: ANN001
    """(service id, location, address) for every location marked confidential, with its real whereabouts."""
    location_ids = session.scalars(
        select(models.Attribute.link_id).where(models.Attribute.taxonomy_term_id == taxonomy.CONFIDENTIAL_ADDRESS.id)
    ).all()
    found = []
    for location_id in location_ids:
        location = session.get(models.Location, location_id)
        address = session.scalars(select(models.Address).where(models.Address.location_id == location_id)).first()
        for service_id in session.scalars(
            select(models.ServiceAtLocation.service_id).where(models.ServiceAtLocation.location_id == location_id)
        ):
            found.append((service_id, location, address))
    return found


def secrets_of(location: models.Location, address: models.Address) -> list[str]:
    secrets = [address.address_1, address.postal_code, address.postal_code.replace(" ", "")]
    if address.address_2:
        secrets.append(f"{address.address_1}, {address.address_2}")
    for coordinate in (location.latitude, location.longitude):
        secrets += [f"{coordinate:.4f}", f"{coordinate:.3f}", str(coordinate)]
    return [secret for secret in secrets if secret]


def test_confidential_places_never_reach_the_html(client, demo) -> None:  # noqa: ANN001
    places = confidential_locations(demo)
    assert len(places) == 2, "the demo data has two confidential locations"
    for service_id, location, address in places:
        secrets = secrets_of(location, address)
        for lang in ("en", "ar"):
            page = get(client, f"/services/{service_id}?lang={lang}&near=FH1+1AA&language=ar")
            assert page.status == 200
            for secret in secrets:
                assert secret not in page.text, f"{secret!r} leaked on the service page"
            assert i18n.gettext(lang, "The address is private, to keep people safe. Call them and they will tell you how to get there.") in page.text_of("main")
            assert page.all("a[href^='tel:']"), "a confidential place still gives a phone number"
    # And on every results page that lists them.
    for query in ("category=housing&near=FH1+1AA", "category=housing&anywhere=1", "near=Southmoor", "anywhere=1&page=2"):
        for page_number in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10):
            page = get(client, f"/find/results?lang=en&language=any&{query}&page={page_number}")
            if page.status != 200:
                break
            for _service_id, location, address in places:
                for secret in secrets_of(location, address):
                    assert secret not in page.text, f"{secret!r} leaked on /find/results?{query}"


def test_confidential_distance_is_whole_kilometres(client, demo) -> None:  # noqa: ANN001
    service_ids = {service_id for service_id, _location, _address in confidential_locations(demo)}
    page = get(client, "/find/results?lang=en&category=housing&near=Harbourside&language=any")
    for result in page.all(".result"):
        href = next(result.iter("{http://www.w3.org/1999/xhtml}a")).get("href")
        text = " ".join(" ".join(result.itertext()).split())
        if urlsplit(href).path.rsplit("/", 1)[-1] in service_ids:
            assert re.search(r"\b\d+ km away", text) and not re.search(r"\d\.\d km away", text)
            assert "The address is private" in text


def test_service_page_shows_everything_and_the_reception_card_in_two_languages(client, demo) -> None:  # noqa: ANN001
    service_id = demo.scalars(select(models.Service.id).where(models.Service.name == "Accident and Emergency (A&E)")).one()
    page = get(client, f"/services/{service_id}?lang=ar&category=emergency&near=FH1+1AA&language=ar")
    assert page.status == 200
    assert page.html_lang == ("ar", "rtl")
    halves = page.all(".reception .reception__half")
    assert [(half.get("lang"), half.get("dir")) for half in halves] == [("en", "ltr"), ("ar", "rtl")]
    english = " ".join("".join(halves[0].itertext()).split())
    assert english == "Hello. I would like to use this service: Accident and Emergency (A&E). I speak Arabic. I need an interpreter, please. Thank you."
    arabic = " ".join("".join(halves[1].itertext()).split())
    assert "العربية" in arabic and "Accident and Emergency (A&E)" in arabic and "Hello" not in arabic
    main = page.text_of("main")
    for words in ("Beacon Road", "FH4 1BH", "01632 960100"):
        assert words in main
    assert page.one("a.back-link").get("href") == "/find/results?lang=ar&category=emergency&near=FH1+1AA&language=ar"
    assert page.all(".summary-list.hours dt"), "opening hours are listed"


def test_reception_card_in_the_local_language_only_when_nobody_needs_another(client, demo) -> None:  # noqa: ANN001
    service_id = demo.scalars(select(models.Service.id).where(models.Service.name == "Accident and Emergency (A&E)")).one()
    assert not get(client, f"/services/{service_id}?lang=en&language=en").all(".reception")
    page = get(client, f"/services/{service_id}?lang=en&language=ti")
    halves = page.all(".reception .reception__half")
    assert [half.get("lang") for half in halves] == ["en"]
    assert "I speak Tigrinya. I need an interpreter, please." in " ".join("".join(halves[0].itertext()).split())


def test_reception_card_asks_for_an_interpreter_only_where_staff_do_not_speak_the_language(client, demo) -> None:  # noqa: ANN001
    name = "GP practice for refugees, people seeking asylum and people without a home"
    service_id = demo.scalars(select(models.Service.id).where(models.Service.name == name)).one()
    spoken = set(demo.scalars(select(models.Language.code).where(models.Language.service_id == service_id)))
    assert "ar" in spoken and "uk" not in spoken
    arabic = get(client, f"/services/{service_id}?lang=ar&language=ar")
    halves = [" ".join("".join(half.itertext()).split()) for half in arabic.all(".reception .reception__half")]
    assert len(halves) == 2 and "I speak Arabic." in halves[0]
    assert "interpreter" not in halves[0]
    assert i18n.gettext("ar", "I need an interpreter, please.") not in halves[1]
    ukrainian = get(client, f"/services/{service_id}?lang=en&language=uk").text_of(".reception")
    assert "I speak Ukrainian. I need an interpreter, please." in ukrainian


def test_no_reception_card_for_a_place_with_no_reception_desk(client, demo) -> None:  # noqa: ANN001
    # Every place of the refuge is confidential: there is no desk to show the card at.
    refuge = demo.scalars(select(models.Service.id).where(models.Service.name == "Women's refuge")).one()
    for query in ("lang=ar&language=ar", "lang=en&language=fa", "lang=fa"):
        page = get(client, f"/services/{refuge}?{query}")
        assert page.status == 200 and page.all("a[href^='tel:']")
        assert not page.all(".reception"), query


@pytest.mark.parametrize("lang", ["ar", "fa", "en"])
def test_prices_are_isolated_and_kept_whole(client, demo, lang: str) -> None:  # noqa: ANN001
    # QA saw "£UK 27.40" for the dental price in Arabic: the amount must be one left-to-right piece.
    expected = pages.format_money(27.40, "GBP", lang).replace("\u200f", "").replace("\u200e", "")
    page = get(client, f"/find/results?lang={lang}&category=emergency&near=FH1+1AA&language=ar")
    assert page.status == 200
    kept = [element for element in page.all(".result p bdi.keep") if "27" in "".join(element.itertext())]
    assert kept, "no price on the urgent care results"
    for element in kept:
        assert element.get("dir") == "ltr"
        assert "".join(element.itertext()) == f"\u2066{expected}\u2069"
    # And on the service pages that list a price.
    service_ids = demo.scalars(select(models.CostOption.service_id).where(models.CostOption.amount == 27.40)).all()
    assert service_ids
    service_page = get(client, f"/services/{service_ids[0]}?lang={lang}")
    amounts = ["".join(element.itertext()) for element in service_page.all("main li bdi.keep")]
    assert f"\u2066{expected}\u2069" in amounts


def test_who_can_use_it_is_said_once(client, demo) -> None:  # noqa: ANN001
    # The safe house's record says "For people aged 18 and over." and has minimum_age 18: the page said both.
    service_id = demo.scalars(select(models.Service.id).where(models.Service.name == "Safe house for survivors of trafficking")).one()
    assert demo.get(models.Service, service_id).eligibility_description == "For people aged 18 and over."
    section = get(client, f"/services/{service_id}?lang=en").text_of("main")
    assert section.count("aged 18") == 1 and "For people aged 18 or older." in section
    refuge = demo.scalars(select(models.Service.id).where(models.Service.name == "Women's refuge")).one()
    main = get(client, f"/services/{refuge}?lang=en").text_of("main")
    assert main.count("aged 16") == 1 and "Only for women." in main


def test_an_eligibility_text_that_says_more_than_the_fields_is_kept() -> None:
    view = {"minimum_age": 18, "maximum_age": None, "eligible_gender": None}
    assert pages.eligibility_text({**view, "eligibility_description": "For people aged 18 and over."}) is None
    assert pages.eligibility_text({**view, "eligibility_description": "for people aged 18+"}) is None
    kept = "For people aged 18 and over who live in Fairhaven."
    assert pages.eligibility_text({**view, "eligibility_description": kept}) == kept
    other = {"minimum_age": None, "maximum_age": None, "eligible_gender": None, "eligibility_description": "For people aged 18 and over."}
    assert pages.eligibility_text(other) == "For people aged 18 and over."  # no field says it: the text is all there is
    women = {"minimum_age": None, "maximum_age": None, "eligible_gender": "female", "eligibility_description": "For women only."}
    assert pages.eligibility_text(women) is None


@pytest.mark.parametrize("service_id", ["no-such-service", "x" * 500, "%00", "..%2F..%2Fetc"])
def test_unknown_service_is_a_404_page(client, service_id: str) -> None:  # noqa: ANN001
    response = client.get(f"/services/{service_id}?lang=fr")
    assert response.status_code == 404
    assert '<html lang="fr"' in response.text


# --------------------------------------------------------------------------------------------------------------
# No input produces a 500


FINDER_PATHS = ["/", "/find/need", "/find/where", "/find/language", "/find/results", "/about", "/services/x"]
PARAMETERS = ["lang", "category", "near", "anywhere", "language", "free", "no_status_check", "no_documents", "open_now", "page", "answered"]
nasty_text = st.one_of(
    st.text(max_size=300),
    st.sampled_from(["", " ", "\x00", "FH1 1AA", "any", "food", "1", "-1", "99999999999999999999", "NaN", "ar", "💥", "' OR 1=1 --", "<script>"]),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(path=st.sampled_from(FINDER_PATHS), params=st.dictionaries(st.sampled_from(PARAMETERS), nasty_text, max_size=8))
def test_garbage_parameters_never_give_a_500(client, demo, path: str, params: dict[str, str]) -> None:  # noqa: ANN001, ARG001
    response = client.get(path, params=params, follow_redirects=False)
    assert response.status_code in {200, 303, 404, 422}, (path, params, response.status_code)
    if response.status_code != 303:
        assert response.headers["content-type"].startswith("text/html")


# --------------------------------------------------------------------------------------------------------------
# Words for opening hours, dates and distances (no database)


def test_opening_hours_in_words() -> None:
    assert pages.describe_days("MO,TU,WE,TH,FR", "WEEKLY", "en") == "Monday to Friday"
    assert pages.describe_days("MO,WE,TH,FR,SU", "WEEKLY", "en") == "Monday, Wednesday to Friday and Sunday"
    assert pages.describe_days("SA,SU", None, "en") == "Saturday and Sunday"
    assert pages.describe_days("MO,TU,WE,TH,FR,SA,SU", "WEEKLY", "en") == "Every day"
    assert pages.describe_days("1SA,-1FR", "MONTHLY", "en") == "First Saturday of the month and last Friday of the month"
    assert pages.describe_days("XX", "WEEKLY", "en") is None
    assert pages.describe_hours("09:00", "17:30", "en") == "09:00 to 17:30"
    assert pages.describe_hours("00:00", "23:59", "en") == "Open 24 hours"
    assert pages.describe_hours("20:00", "08:00", "en") == "20:00 to 08:00 the next morning"
    assert pages.describe_hours("18:00", "24:00", "en") == "18:00 to midnight"
    assert pages.describe_hours("nine", "17:00", "en") is None


def test_opening_hours_in_other_languages() -> None:
    assert pages.describe_days("MO,TU,WE,TH,FR", "WEEKLY", "fr") == "Du lundi au vendredi"
    assert pages.describe_days("MO,TU,WE,TH,FR", "WEEKLY", "ar") == "من الاثنين إلى الجمعة"
    assert pages.describe_hours("09:00", "17:00", "es") == "de 9:00 a 17:00"  # Spanish writes 9:00


def test_schedules_no_longer_valid_are_left_out_and_future_ones_say_from_when() -> None:
    rows = pages.describe_schedules(
        [
            {"freq": "WEEKLY", "byday": "MO", "opens_at": "09:00", "closes_at": "12:00", "valid_to": "2026-01-31"},
            {"freq": "WEEKLY", "byday": "TU", "opens_at": "19:30", "closes_at": "07:30", "valid_from": "2026-12-01"},
            {"freq": "YEARLY", "description": "Once a year"},
        ],
        "en",
        today=date(2026, 11, 22),
    )
    assert rows == [("Tuesday", "19:30 to 07:30 the next morning, from 1 December 2026"), ("", "Once a year")]


def test_next_opening_in_words() -> None:
    zone = ZoneInfo("Europe/London")
    now = datetime(2026, 11, 23, 20, 0, tzinfo=zone)  # a Monday evening
    assert pages.describe_next_opening("2026-11-23T21:00:00+00:00", "en", now) == "Opens today at 21:00"
    assert pages.describe_next_opening("2026-11-24T09:00:00+00:00", "en", now) == "Opens tomorrow at 09:00"
    assert pages.describe_next_opening("2026-11-26T09:00:00+00:00", "en", now) == "Opens on Thursday at 09:00"
    assert pages.describe_next_opening("2026-12-14T09:00:00+00:00", "en", now) == "Opens on 14 December 2026 at 09:00"
    assert pages.describe_next_opening("garbage", "en", now) is None


def test_distances_in_the_reader_s_locale() -> None:
    assert pages.format_distance(1.26, "en") == "1.3 km"
    assert pages.format_distance(1.26, "fr") == "1,3\u202fkm"  # French puts a narrow space before the unit
    assert pages.format_distance(1.4, "en", whole=True) == "1 km"
