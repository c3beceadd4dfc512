"""No page scrolls sideways on a 360 px phone (issue 7, QA finding P1.3): long unbreakable words such as
"Asylbewerberleistungsgesetz" or "barnmorskemottagning", and long citations, wrap inside their column instead of
widening the page. Real Chromium, JavaScript off, every country's checker result in English and Arabic, and the
clinician view."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import pytest

from carebridge.entitlements import presentation, service
from carebridge.entitlements.presentation import Answers

pytestmark = pytest.mark.browser

WIDTH = 360
COUNTRIES = [rulebook.jurisdiction for rulebook in service.jurisdictions()]
# Two situations for each country: what QA saw (Germany's asylum seeker, 447 px) and an undocumented adult; answers a
# country's rules do not read are ignored by the checker.
SITUATIONS = {
    "asylum support": {"age": "30", "months_in_country": "30", "receives_asylum_support": "yes",
                       "torture_or_violence_survivor": "yes"},
    "undocumented": {"status": "undocumented", "age": "30", "has_health_insurance": "no", "months_in_country": "5",
                     "income_below_threshold": "yes"},
}
# A question the situation does not answer is answered with these (or "Not known"), so that the checker shows the
# result rather than asking on.
OTHERWISE = {"age": "30", "months_in_country": "30", "pregnant": "no"}


def result_query(pytestconfig, jurisdiction: str, situation: str, lang: str) -> str:  # noqa: ANN001
    """The query of a result page: the situation's answers, plus every other question this country asks."""
    on_date = pytestconfig.pluginmanager.get_plugin(str(Path(__file__).resolve().parents[1] / "conftest.py")).FIXED_NOW
    rulebook = service.get_rulebook(jurisdiction)
    values = {"jurisdiction": jurisdiction, **SITUATIONS[situation]}
    for _ in range(len(presentation.QUESTION_ORDER) + 1):
        _asked, question = presentation.asked_sequence(rulebook, Answers.from_query(values), on_date.date())
        if question is None:
            return urlencode({"lang": lang, **values})
        values[question] = OTHERWISE.get(question, "unknown")
    raise AssertionError(f"the checker for {jurisdiction} never stops asking")


def scroll_width(browser, url: str) -> tuple[int, str]:  # noqa: ANN001
    context = browser.new_context(viewport={"width": WIDTH, "height": 780}, java_script_enabled=False)
    try:
        page = context.new_page()
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        return page.evaluate("document.documentElement.scrollWidth"), page.url
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize("situation", list(SITUATIONS))
@pytest.mark.parametrize("jurisdiction", COUNTRIES)
def test_the_checker_result_does_not_scroll_sideways_at_360_px(live_server: str, browser, pytestconfig,
                                                                jurisdiction: str, situation: str,
                                                                lang: str) -> None:  # noqa: ANN001
    query = result_query(pytestconfig, jurisdiction, situation, lang)
    width, landed = scroll_width(browser, f"{live_server}/entitlements/result?{query}")
    assert "/entitlements/result" in landed  # a result page, not a question the checker still wanted to ask
    assert width <= WIDTH, f"{jurisdiction} {situation} {lang}: the page is {width}px wide"


@pytest.mark.parametrize("lang", ["en", "ar", "uk"])
@pytest.mark.parametrize("jurisdiction", COUNTRIES)
def test_the_clinician_view_does_not_scroll_sideways_at_360_px(live_server: str, browser, jurisdiction: str,
                                                               lang: str) -> None:  # noqa: ANN001
    query = urlencode({"lang": lang, "jurisdiction": jurisdiction, **SITUATIONS["asylum support"]})
    width, _landed = scroll_width(browser, f"{live_server}/staff/entitlements?{query}")
    assert width <= WIDTH, f"clinician view {jurisdiction} {lang}: the page is {width}px wide"
