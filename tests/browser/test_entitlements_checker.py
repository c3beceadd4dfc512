"""The "What care can I get?" checker and the clinician view in real headless Chromium, JavaScript off: the whole flow
in English and in Arabic, axe-core (WCAG 2.2 A and AA) on every checker page both ways, and the 100 KB page budget."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from carebridge import i18n
from carebridge.entitlements import presentation, service
from carebridge.kit.text import without_isolates

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).parent / "screenshots"
BUDGET_BYTES = 100 * 1024
GB_CHECKED = service.get_rulebook("GB-ENG").last_reviewed


def t(lang: str, message: str, **params: object) -> str:
    return i18n.gettext(lang, message, **params)


def expect_direction(page, lang: str) -> None:  # noqa: ANN001
    assert page.get_attribute("html", "lang") == lang
    assert page.get_attribute("html", "dir") == i18n.direction(lang)


def expect_rules_notice(page, lang: str, country: str | None = "England") -> None:  # noqa: ANN001
    """Every checker page says it is not legal advice, whose rules these are and how many a lawyer has not checked."""
    notice = page.get_by_role("complementary", name=t(lang, "About these rules"))
    assert notice.is_visible()
    text = " ".join(without_isolates(notice.inner_text()).split())  # the date is bidi-isolated (kit.text.isolate)
    assert t(lang, "This is information, not legal advice.") in text
    if country:
        rulebook = next(r for r in service.jurisdictions() if r.name == country)
        assert " ".join(t(lang, "These are the rules for %(name)s.", name=t(lang, country)).split()) in text
        assert " ".join(presentation.rules_review_text(rulebook, lang).split()) in text


def asked(page) -> str:  # noqa: ANN001
    return page.locator('input[name="answered"]').get_attribute("value")


def go_on(page, lang: str) -> None:  # noqa: ANN001
    page.get_by_role("button", name=t(lang, "Continue")).click()


def run_checker(page, live_server: str, lang: str) -> list[str]:  # noqa: ANN001
    """An undocumented pregnant woman in England goes through the checker; returns the questions asked."""
    page.goto(f"{live_server}/entitlements?lang={lang}")
    expect_direction(page, lang)
    expect_rules_notice(page, lang, country=None)
    assert page.get_by_role("heading", level=1).inner_text() == t(lang, "Which country are you in?")

    # Continuing without a choice shows the error summary, which links to the field.
    go_on(page, lang)
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    summary.get_by_role("link", name=t(lang, "Choose the country you are in")).click()
    assert page.url.endswith("#jurisdiction")
    page.get_by_label(t(lang, "England"), exact=True).check()
    go_on(page, lang)

    questions = []
    for _ in range(15):
        path, query = urlsplit(page.url).path, parse_qs(urlsplit(page.url).query)
        if path == presentation.RESULT_PATH:
            break
        assert path == presentation.QUESTION_PATH
        assert query["jurisdiction"] == ["GB-ENG"]
        expect_direction(page, lang)
        expect_rules_notice(page, lang)
        fact = asked(page)
        questions.append(fact)
        heading = page.get_by_role("heading", level=1).inner_text()
        if fact == "status":
            assert heading == t(lang, "Which of these is closest to your situation?")
            go_on(page, lang)  # no answer: asked again, with the error
            assert page.locator(".error-summary").get_by_role("link", name=t(lang, "Choose an answer")).is_visible()
            page.get_by_label(t(lang, "I do not have papers that let me stay here")).check()
        elif fact == "age":
            field = page.get_by_label(heading)
            field.fill("thirty")
            go_on(page, lang)
            assert page.locator(".error-summary").is_visible()
            assert page.get_by_label(page.get_by_role("heading", level=1).inner_text()).get_attribute("aria-invalid") == "true"
            page.get_by_label(page.get_by_role("heading", level=1).inner_text()).fill("34")
        elif fact == "pregnant":
            page.get_by_label(t(lang, "Yes"), exact=True).check()
        else:
            page.get_by_label(t(lang, "No"), exact=True).check()
        go_on(page, lang)
    else:
        raise AssertionError(f"no result after {questions}")
    return questions


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_checker_end_to_end(live_server: str, page, lang: str) -> None:  # noqa: ANN001
    questions = run_checker(page, live_server, lang)
    assert questions[0] == "status"

    # The result: grouped by need, the pregnancy care that is never withheld, its law, and what to do.
    expect_direction(page, lang)
    expect_rules_notice(page, lang)
    assert page.get_by_role("heading", level=1).inner_text() == t(lang, "What care you can get in %(place)s",
                                                                 place=t(lang, "England"))
    for need in presentation.NEEDS:
        assert page.get_by_role("heading", level=2, name=t(lang, need.title), exact=True).is_visible()
    maternity = page.locator("#category-maternity")
    assert t(lang, "You will get this care even if you cannot pay, but you may get a bill later") in maternity.inner_text()
    assert t(lang, "You do not have to pay before you get this care.") in maternity.inner_text()
    source = maternity.get_by_role("link", name=re.compile("SI 2017.756"))
    assert source.get_attribute("href").startswith("https://www.legislation.gov.uk/")
    doctor = page.locator("#category-primary-care")
    assert t(lang, "Safe to go?") in doctor.inner_text()
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"entitlements-result-{lang}.png"), full_page=True)

    # The take-aways are plain links, made on request.
    leaflet = page.get_by_role("link", name=t(lang, "Get this as a one-page leaflet to print or keep (PDF)"))
    pdf = page.request.get(leaflet.get_attribute("href") if leaflet.get_attribute("href").startswith("http")
                           else live_server + leaflet.get_attribute("href"))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF-")
    listen = page.get_by_role("link", name=t(lang, "Listen to this page (MP3 audio)"))
    mp3 = page.request.get(live_server + listen.get_attribute("href"))
    assert mp3.status == 200 and mp3.headers["content-type"] == "audio/mpeg"

    # Change an answer: the question comes back with the answer chosen; continuing returns to the result.
    result_url = page.url
    page.locator(".answers").get_by_role("link").first.click()
    assert asked(page) == "status"
    assert page.get_by_label(t(lang, "I do not have papers that let me stay here")).is_checked()
    page.get_by_role("link", name=t(lang, "Back")).click()
    assert urlsplit(page.url).path == "/entitlements"
    assert page.get_by_label(t(lang, "England"), exact=True).is_checked()
    page.goto(result_url)

    # Each need links to matching services in the service finder.
    page.locator("#category-maternity").get_by_role("link", name=re.compile(re.escape(
        t(lang, "Find places near you: %(label)s", label=t(lang, "Pregnancy and baby care"))))).click()
    path, query = urlsplit(page.url).path, parse_qs(urlsplit(page.url).query)
    assert path == "/find/where" and query["category"] == ["maternity"] and query["lang"] == [lang]
    expect_direction(page, lang)


def test_i_dont_know_gives_an_honest_it_depends(live_server: str, page) -> None:  # noqa: ANN001
    page.goto(f"{live_server}/entitlements/question?lang=en&jurisdiction=GB-ENG")
    assert asked(page) == "status"
    page.get_by_label("I'd rather not say").check()
    go_on(page, "en")
    for _ in range(12):
        if urlsplit(page.url).path == presentation.RESULT_PATH:
            break
        if page.get_by_role("button", name="I don't know").count():
            page.get_by_role("button", name="I don't know").click()
        else:
            page.locator('input[type="radio"][value="unknown"]').check()
            go_on(page, "en")
    hospital = page.locator("#category-hospital-care").inner_text()
    assert "We do not know yet" in hospital
    assert "It depends on your answer to:" in hospital
    assert "Which of these is closest to your situation?" in hospital


def test_the_clinician_view(live_server: str, page) -> None:  # noqa: ANN001
    page.goto(f"{live_server}/staff/entitlements?lang=en")
    # The deployment's country is chosen to begin with, and its questions are on the page.
    assert page.get_by_label("Country", exact=True).input_value() == "GB-ENG"
    page.get_by_label("Immigration status").select_option("undocumented")
    page.get_by_label("Age in years").fill("34")
    page.get_by_label("Victim or suspected victim of trafficking or modern slavery").select_option("no")
    page.get_by_label("Survivor of torture").select_option("no")
    page.get_by_label("Date of care").fill("2026-11-23")
    page.get_by_role("button", name="Show what the patient can get").click()
    section = page.locator("section.result", has=page.locator("#staff-maternity"))
    text = section.inner_text()
    for expected in ("charged-never-withheld", "Staff must not ask for payment before care",
                     "The patient must get this care even if they cannot pay.", "gb-eng-maternity-chargeable",
                     "SI 2017/756", "Not yet checked by a lawyer."):
        assert expected in text
    assert section.get_by_role("link", name="SI 2017/756").first.get_attribute("href").startswith(
        "https://www.legislation.gov.uk/")
    # Results first: the first heading after the page's own is the results'.
    assert page.locator("h2").first.get_attribute("id") == "entitlements"
    expect_rules_notice(page, "en")
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "entitlements-clinician-en.png"), full_page=True)

    # A fact left "Not known" that matters: the result says which one, in staff words, instead of guessing.
    # Another country: chosen without JavaScript, the form is re-shaped to the questions Germany's rules use.
    page.get_by_label("Country", exact=True).select_option("DE")
    page.get_by_role("button", name="Show the questions for this country").click()
    assert page.get_by_label("Immigration status").count() == 0  # Germany's rules do not read the status
    page.get_by_label("Receives asylum support").select_option("yes")
    page.get_by_role("button", name="Show what the patient can get").click()
    hospital = page.locator("section.result", has=page.locator("#staff-hospital-care")).inner_text()
    assert "Not known yet: see what it depends on." in hospital
    assert "Months living in the country" in hospital


CLINICIAN_RESULT = ("/staff/entitlements?jurisdiction=GB-ENG&status=undocumented&age=34&pregnant=yes"
                    "&trafficking_victim=no&torture_or_violence_survivor=no&on_date=2026-11-23")


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize(("width", "height"), [(360, 780), (1366, 900)])
@pytest.mark.parametrize("path", ["/staff/entitlements", CLINICIAN_RESULT])
def test_the_clinician_view_fits_a_phone_and_a_desk_screen(live_server: str, browser, lang: str, width: int,
                                                           height: int, path: str) -> None:  # noqa: ANN001
    context = browser.new_context(viewport={"width": width, "height": height}, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{live_server}{path}{'&' if '?' in path else '?'}lang={lang}")
        expect_direction(page, lang)
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        client_width = page.evaluate("document.documentElement.clientWidth")
        assert 0 < client_width <= width  # the viewport we asked for (less a scroll bar, if any)
        assert scroll_width <= client_width, f"{lang} {width}px: the page scrolls sideways ({scroll_width}px)"
        # Nothing inside sticks out either (a long citation, a code, a URL).
        widest = page.evaluate("""() => Math.max(...[...document.querySelectorAll('main *')]
            .map(e => e.getBoundingClientRect()).map(r => Math.max(r.right, document.documentElement.clientWidth - r.left)))""")
        assert widest <= client_width + 1, f"{lang} {width}px: an element is {widest}px wide"
        SCREENSHOTS.mkdir(exist_ok=True)
        kind = "result" if "status=" in path else "form"
        page.screenshot(path=str(SCREENSHOTS / f"entitlements-clinician-{kind}-{lang}-{width}.png"), full_page=True)
    finally:
        context.close()


STACKED_PAGES = {
    "clinician view": CLINICIAN_RESULT,
    "result page": "/entitlements/result?jurisdiction=GB-ENG&status=undocumented&age=34&pregnant=yes"
                   "&trafficking_victim=no&torture_or_violence_survivor=no",
}
# Each label and the value after it in a .summary-list: the label's box and the value's box.
LABEL_VALUE_BOXES = """() => [...document.querySelectorAll('main .summary-list:not(.hours) > dt')]
    .filter(dt => dt.nextElementSibling && dt.nextElementSibling.tagName === 'DD')
    .map(dt => [dt.getBoundingClientRect(), dt.nextElementSibling.getBoundingClientRect()]
        .map(r => ({top: r.top, bottom: r.bottom, left: r.left, right: r.right})))"""


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize("width", [360, 1366])
@pytest.mark.parametrize("name", list(STACKED_PAGES))
def test_label_and_value_lists_stack_on_a_phone(live_server: str, browser, lang: str, width: int,
                                                name: str) -> None:  # noqa: ANN001
    """At 360 px each label of a label/value list sits above its value, starting at the same edge (the right edge
    in Arabic); on a desk screen they stay side by side."""
    context = browser.new_context(viewport={"width": width, "height": 800}, java_script_enabled=False)
    try:
        page = context.new_page()
        path = STACKED_PAGES[name]
        page.goto(f"{live_server}{path}&lang={lang}")
        expect_direction(page, lang)
        pairs = page.evaluate(LABEL_VALUE_BOXES)
        assert len(pairs) >= 4, (name, lang, "no label/value list measured")
        for label, value in pairs:
            if width == 360:
                assert value["top"] >= label["bottom"] - 1, (name, lang, "value beside its label", label, value)
                edge = "right" if lang == "ar" else "left"
                assert abs(value[edge] - label[edge]) <= 1, (name, lang, "value not under its label", label, value)
            else:
                assert value["top"] < label["bottom"], (name, lang, "value below its label on a wide screen")
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize("name", list(STACKED_PAGES))
def test_the_stacked_lists_are_axe_clean_at_360_px(live_server: str, browser, pytestconfig, lang: str,
                                                    name: str) -> None:  # noqa: ANN001
    """The axe check of the other tests runs at a desk width; the stacked layout is checked at a phone's."""
    browser_conftest = pytestconfig.pluginmanager.get_plugin(str(Path(__file__).resolve().parent / "conftest.py"))
    browser_conftest.require(pytestconfig, "axe-core", browser_conftest.AXE_PATH.is_file(), "run `npm ci`")
    context = browser.new_context(viewport={"width": 360, "height": 800}, java_script_enabled=True, bypass_csp=True)
    try:
        page = context.new_page()
        page.goto(f"{live_server}{STACKED_PAGES[name]}&lang={lang}")
        expect_direction(page, lang)
        page.add_script_tag(content=browser_conftest.AXE_PATH.read_text(encoding="utf-8"))
        results = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
            browser_conftest.AXE_TAGS)
        assert not results["violations"], browser_conftest.format_violations(page.url, results["violations"])
    finally:
        context.close()


# ---------------------------------------------------------------------------------------------------------------
# Every checker page: axe-clean both ways, and within the page budget

ANSWERED = "jurisdiction=GB-ENG&status=undocumented&age=34&trafficking_victim=no&torture_or_violence_survivor=no"
CHECKER_PAGES = {
    "country": "/entitlements",
    "country with an error": "/entitlements?answered=jurisdiction",
    "status question": "/entitlements/question?jurisdiction=GB-ENG",
    "status question with an error": "/entitlements/question?jurisdiction=GB-ENG&answered=status",
    "number question": "/entitlements/question?jurisdiction=GB-ENG&status=undocumented",
    "number question with an error": "/entitlements/question?jurisdiction=GB-ENG&status=undocumented&age=old&answered=age",
    "sensitive question": "/entitlements/question?jurisdiction=GB-ENG&status=undocumented&age=34",
    "result": f"/entitlements/result?{ANSWERED}",
    "result that depends": "/entitlements/result?jurisdiction=DE&receives_asylum_support=yes&months_in_country=unknown"
                           "&status=unknown&age=unknown&pregnant=unknown&unaccompanied_minor=unknown"
                           "&torture_or_violence_survivor=unknown&has_health_insurance=unknown",
    "result with what a yes would change": "/entitlements/result?jurisdiction=GB-ENG&status=undocumented&age=34"
                                           "&trafficking_victim=unknown&torture_or_violence_survivor=unknown",
    "clinician view": "/staff/entitlements",
    "clinician view with a result": f"/staff/entitlements?{ANSWERED}&pregnant=yes&on_date=2026-11-23",
    "clinician view with an error": "/staff/entitlements?jurisdiction=GB-ENG&age=old&on_date=soon",
    "clinician view of another country": "/staff/entitlements?jurisdiction=DE",
    "clinician view with an unknown result": "/staff/entitlements?jurisdiction=DE&receives_asylum_support=yes"
                                             "&on_date=2026-11-23",
}


def checker_url(live_server: str, path: str, lang: str) -> str:
    return f"{live_server}{path}{'&' if '?' in path else '?'}lang={lang}"


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize("name", list(CHECKER_PAGES))
def test_no_accessibility_violations(live_server: str, axe_check, name: str, lang: str) -> None:  # noqa: ANN001
    axe_check(checker_url(live_server, CHECKER_PAGES[name], lang), lang)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_every_checker_page_is_within_the_budget(live_server: str, transferred_bytes, lang: str) -> None:  # noqa: ANN001
    report = []
    for name, path in CHECKER_PAGES.items():
        sizes = transferred_bytes(checker_url(live_server, path, lang))
        total = sum(sizes.values())
        report.append(f"{lang} {name}: {total / 1024:.1f} KB")
        assert total <= BUDGET_BYTES, f"{name} transfers {total} bytes: {sizes}"
    print("\n".join(report))


def test_the_pages_listed_are_real_pages(live_server: str) -> None:
    import urllib.request

    for name, path in CHECKER_PAGES.items():
        try:
            with urllib.request.urlopen(checker_url(live_server, path, "en"), timeout=10) as response:  # noqa: S310
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        expected = 422 if "error" in name else 200
        assert status == expected, (name, status)


# ---------------------------------------------------------------------------------------------------------------
# The emergency numbers come first on the result page, within the first screen of a small phone


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_result_shows_the_emergency_numbers_above_the_notice_on_a_small_phone(live_server: str, browser,
                                                                                   lang: str) -> None:  # noqa: ANN001
    context = browser.new_context(viewport={"width": 360, "height": 640}, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{live_server}/entitlements/result?{ANSWERED}&lang={lang}")
        expect_direction(page, lang)
        numbers = page.locator("[data-emergency-numbers] a.emergency__number")
        assert numbers.count() >= 1
        first_number = numbers.first.bounding_box()
        block = page.locator("[data-emergency-numbers]").bounding_box()
        notice = page.get_by_role("complementary", name=t(lang, "About these rules")).bounding_box()
        # Above the yellow "not legal advice" notice, and the first number wholly within the first screen.
        assert block["y"] < notice["y"], (block, notice)
        assert first_number["y"] + first_number["height"] <= 640, first_number
        expect_rules_notice(page, lang)
    finally:
        context.close()
