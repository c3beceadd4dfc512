"""The whole service finder flow in real headless Chromium, JavaScript off, in English and in Arabic."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from carebridge import i18n

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).parent / "screenshots"


def _expect_direction(page, lang: str) -> None:  # noqa: ANN001
    assert page.get_attribute("html", "lang") == lang
    assert page.get_attribute("html", "dir") == i18n.direction(lang)


def _query(url: str) -> tuple[str, dict[str, list[str]]]:
    parts = urlsplit(url)
    return parts.path, parse_qs(parts.query)


def _continue(page, lang: str) -> None:  # noqa: ANN001
    page.get_by_role("button", name=i18n.gettext(lang, "Continue")).click()


def test_finder_flow_in_english(live_server: str, page) -> None:  # noqa: ANN001
    page.goto(f"{live_server}/?lang=en")
    _expect_direction(page, "en")
    assert page.get_by_text("We never share your information with immigration authorities.").first.is_visible()
    page.locator(".language-choices").get_by_role("link", name="English").click()

    # What do you need? Continuing without an answer shows the error summary, which links to the field.
    assert page.get_by_role("heading", level=1).inner_text() == "What do you need help with?"
    _continue(page, "en")
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    summary.get_by_role("link", name="Choose what you need help with").click()
    assert page.url.endswith("#category")
    page.get_by_label("Food", exact=True).check()
    _continue(page, "en")

    # Where are you? A place that does not exist first.
    assert "/find/where?" in page.url and "category=food" in page.url
    page.get_by_label("Where are you?").fill("Atlantis")
    _continue(page, "en")
    assert page.locator(".error-summary").inner_text().count("Atlantis") == 1
    assert page.get_by_label("Where are you?").input_value() == "Atlantis"
    page.get_by_label("Where are you?").fill("fh1 1aa")
    _continue(page, "en")

    # Which language?
    assert "/find/language?" in page.url and "near=FH1+1AA" in page.url
    page.get_by_label("Any language").check()
    _continue(page, "en")

    # Results, nearest first, with a filter applied through the small GET form.
    assert "/find/results?" in page.url
    heading = page.get_by_role("heading", level=1).inner_text()
    assert re.fullmatch(r"\d+ places found", heading), heading
    total = int(heading.split()[0])
    page.get_by_label("Places that are free", exact=True).check()
    page.get_by_role("button", name="Update the list").click()
    assert "free=1" in page.url and "near=FH1+1AA" in page.url
    assert int(page.get_by_role("heading", level=1).inner_text().split()[0]) <= total
    results_url = page.url
    first = page.locator(".result h2 a").first
    name = first.inner_text()
    first.click()

    # The service page.
    assert "/services/" in page.url
    assert page.get_by_role("heading", level=1).inner_text() == name
    assert page.get_by_role("heading", name="Where and when").is_visible()
    page.get_by_role("link", name="Back").click()
    assert _query(page.url) == _query(results_url)

    # The browser's back button goes back through the same pages: every step is its own URL.
    page.go_back()
    assert "/services/" in page.url
    page.go_back()
    assert _query(page.url) == _query(results_url)
    page.go_back()
    assert "/find/results" in page.url and "free=1" not in page.url
    page.go_back()
    assert "/find/language" in page.url and "near=FH1+1AA" in page.url
    page.get_by_role("link", name="Back").click()
    assert page.get_by_label("Where are you?").input_value() == "FH1 1AA", "an earlier answer is shown again"


def test_finder_flow_in_arabic_right_to_left(live_server: str, page) -> None:  # noqa: ANN001
    page.goto(f"{live_server}/?lang=en")
    page.locator(".language-choices a[lang=ar]").click()

    _expect_direction(page, "ar")
    assert page.get_by_role("heading", level=1).inner_text() == i18n.gettext("ar", "What do you need help with?")
    page.locator("input[name=category][value=housing]").check()
    _continue(page, "ar")

    _expect_direction(page, "ar")
    page.locator("input#near").fill("Atlantis")
    _continue(page, "ar")
    _expect_direction(page, "ar")
    summary = page.locator(".error-summary")
    assert summary.get_by_role("heading").inner_text() == i18n.gettext("ar", "There is a problem")
    summary.get_by_role("link").click()
    assert page.url.endswith("#near")
    page.locator("input#near").fill("Harbourside")
    _continue(page, "ar")

    _expect_direction(page, "ar")
    page.locator("input[name=language][value=ar]").check()
    _continue(page, "ar")

    _expect_direction(page, "ar")
    assert "/find/results?" in page.url and "lang=ar" in page.url and "language=ar" in page.url
    assert page.locator(".result").count() > 0
    # Right to left for real: the heading's right edge is at the right of the page.
    heading = page.get_by_role("heading", level=1).bounding_box()
    main = page.locator("main").bounding_box()
    assert abs((heading["x"] + heading["width"]) - (main["x"] + main["width"])) < 2
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "results-ar.png"), full_page=True)

    page.locator(".result h2 a").first.click()
    _expect_direction(page, "ar")
    halves = page.locator(".reception .reception__half")
    assert halves.count() == 2
    assert [halves.nth(0).get_attribute("lang"), halves.nth(0).get_attribute("dir")] == ["en", "ltr"]
    assert [halves.nth(1).get_attribute("lang"), halves.nth(1).get_attribute("dir")] == ["ar", "rtl"]
    assert "I speak Arabic." in halves.nth(0).inner_text()
    page.screenshot(path=str(SCREENSHOTS / "service-ar.png"), full_page=True)


def test_language_switcher_keeps_the_answers_and_is_remembered(live_server: str, page) -> None:  # noqa: ANN001
    page.goto(f"{live_server}/find/results?lang=en&category=food&near=FH1+1AA&language=any")
    page.locator(".language-switcher a[lang=fa]").click()
    _expect_direction(page, "fa")
    assert "category=food" in page.url and "near=FH1+1AA" in page.url
    page.goto(f"{live_server}/about")  # no ?lang=: the cookie remembers Farsi
    _expect_direction(page, "fa")


def test_service_page_prints_without_the_site_chrome(live_server: str, page, finder_pages: dict[str, str]) -> None:  # noqa: ANN001
    page.goto(f"{live_server}{finder_pages['service']}&lang=en")
    page.emulate_media(media="print")
    for selector in (".site-header", ".site-footer", ".back-link", ".demo-banner"):
        assert not page.locator(selector).is_visible(), selector
    assert page.locator(".reception").is_visible()
    assert page.get_by_role("heading", level=1).is_visible()


def test_printed_results_are_the_list_without_the_filter_form(live_server: str, page, finder_pages: dict[str, str]) -> None:  # noqa: ANN001
    page.goto(f"{live_server}{finder_pages['results']}&lang=en")
    assert page.locator("form.filters").is_visible()
    page.emulate_media(media="print")
    assert not page.locator("form.filters").is_visible()
    assert page.locator(".result").first.is_visible()


def test_emergency_care_in_farsi_shows_the_numbers_first_and_the_language_step_starts_on_farsi(live_server: str, page) -> None:  # noqa: ANN001
    page.goto(f"{live_server}/find/need?lang=fa")
    page.locator("input[name=category][value=emergency]").check()
    _continue(page, "fa")

    # From the moment urgent care is chosen, the numbers come first, as large left-to-right tel: links.
    _expect_direction(page, "fa")
    block = page.locator("[data-emergency-numbers]")
    assert block.is_visible()
    numbers = block.locator("a.emergency__number")
    assert [numbers.nth(i).inner_text() for i in range(numbers.count())] == ["999", "112"]
    assert [numbers.nth(i).get_attribute("href") for i in range(numbers.count())] == ["tel:999", "tel:112"]
    assert float(numbers.first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 32
    assert numbers.first.evaluate("e => getComputedStyle(e).whiteSpace") == "nowrap"
    page.locator("input#near").fill("FH1 1AA")
    _continue(page, "fa")

    # Which language? It starts on the page's language: continuing at once asks for Farsi-speaking places.
    _expect_direction(page, "fa")
    assert page.locator("input[name=language][value=fa]").is_checked()
    _continue(page, "fa")

    assert "/find/results?" in page.url and "language=fa" in page.url
    first_result = page.locator(".result").first
    assert first_result.is_visible()
    assert block.bounding_box()["y"] + block.bounding_box()["height"] <= first_result.bounding_box()["y"]
    assert block.bounding_box()["y"] < page.get_by_role("heading", level=1).bounding_box()["y"]
    page.screenshot(path=str(SCREENSHOTS / "emergency-results-fa.png"), full_page=True)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_emergency_block_and_the_three_status_states_are_accessible(live_server: str, axe_check, lang: str) -> None:  # noqa: ANN001
    axe_check(f"{live_server}/find/results?lang={lang}&category=emergency&near=FH1+1AA&language=any", lang)
    axe_check(f"{live_server}/find/results?lang={lang}&category=hospital-care&anywhere=1&language=any", lang)
