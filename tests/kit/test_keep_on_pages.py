"""Pages put dates, distances and phone numbers through the `keep` filter: one bidi-isolated, unwrapped piece.

In Arabic and Farsi pages, without isolation "+44 20 7946 0000" can show as "0000 7946 20 44+" and a date's day
and year can swap places with the words around them; without no-wrap a date splits across lines."""

from __future__ import annotations

import re

import pytest

from carebridge.entitlements import presentation, service
from carebridge.kit.text import FSI, LRI, PDI, isolate

KEPT = re.compile(r'<bdi class="keep"( dir="ltr")?>([\u2066\u2068])([^<]*)\u2069</bdi>')


@pytest.fixture(scope="module")
def connection(demo_city_connection):  # noqa: ANN001, ANN201 - overrides tests/conftest.py's: the demo city, loaded once
    return demo_city_connection


def kept(html: str) -> list[tuple[bool, str, str]]:
    return [(bool(ltr), opener, value) for ltr, opener, value in KEPT.findall(html)]


@pytest.mark.parametrize("lang", ["ar", "fa", "en"])
def test_finder_results_keep_distances_and_dates_whole(client, lang):
    response = client.get("/find/results", params={"lang": lang, "category": "food", "near": "FH1 1AA",
                                                   "language": "any"})
    assert response.status_code == 200
    pieces = kept(response.text)
    distances = [value for ltr, _opener, value in pieces if re.search(r"\d", value) and not ltr]
    assert len(distances) >= 2, pieces[:5]  # each result's distance and "last checked" date
    assert "<span>" + FSI not in response.text  # every distance is inside its <bdi>


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_service_page_phone_numbers_are_left_to_right_isolates(client, lang):
    results = client.get("/find/results", params={"lang": lang, "category": "primary-care", "anywhere": "1",
                                                  "language": "any"})
    links = re.findall(r'href="(/services/[^"?]+)', results.text)
    assert links
    phones = []
    for link in links[:8]:
        page = client.get(link, params={"lang": lang}).text
        for number in re.findall(r'<a href="tel:[^"]*" dir="ltr">(.*?)</a>', page):
            phones.append(number)
    assert phones, "no phone number on the first services: choose others"
    for number in phones:
        assert number.startswith(f'<bdi class="keep" dir="ltr">{LRI}') and number.endswith(f"{PDI}</bdi>"), number


@pytest.mark.parametrize("lang", ["ar", "fa"])
def test_checker_result_and_clinician_view_keep_their_dates_whole(client, lang):
    answers = {"lang": lang, "jurisdiction": "GB-ENG", "status": "undocumented", "age": "34", "pregnant": "yes",
               "trafficking_victim": "no", "torture_or_violence_survivor": "no"}
    checked = presentation.format_day(service.get_rulebook("GB-ENG").last_reviewed, lang)
    today = presentation.format_day(presentation.today(), lang)
    result = client.get(presentation.RESULT_PATH, params=answers).text
    clinician = client.get("/staff/entitlements", params=answers).text
    # Today's date goes through the `keep` filter; the rules' date sits inside the review sentence, made in Python,
    # so it is kept whole there as text (an isolate around no-break spaces), as on the country list.
    checked_in_text = isolate(checked)
    for page in (result, clinician):
        values = [value for _ltr, opener, value in kept(page) if opener == FSI]
        assert today in values, values[:6]
        assert checked_in_text in page and checked not in page, checked
    # The country list gives each country's coverage (how much its rules answer, how much is unchecked), and a
    # date only where a lawyer checked every rule: none of the seeded bases. No date there may be left breakable.
    start = client.get("/entitlements", params={"lang": lang}).text
    assert checked not in start and presentation.coverage_text(service.get_rulebook("GB-ENG"), lang) in start


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_postcodes_in_addresses_are_left_to_right_isolates(client, lang):
    results = client.get("/find/results", params={"lang": lang, "category": "food", "near": "FH1 1AA",
                                                  "language": "any"}).text
    postcode = re.compile(LRI + r"FH\d{1,2}\u00a0\d[A-Z]{2}" + PDI)
    assert postcode.search(results), results[:300]
    assert not re.search(r"(?<!\u2066)FH\d{1,2} \d[A-Z]{2}(?!\u2069)", results.split("<main", 1)[-1].split("</form>")[-1])
    links = re.findall(r'href="(/services/[^"?]+)', results)
    addresses = [client.get(link, params={"lang": lang}).text for link in links[:5]]
    assert any(postcode.search(page.split('class="address"', 1)[-1][:400]) for page in addresses)
