"""The one-page PDF leaflet, checked with poppler's own tools: one page, the text in the reader's language and in
logical order (Arabic and Farsi too), the Arabic-script font embedded, and a page that is not blank."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from carebridge import i18n
from carebridge.entitlements import leaflet, presentation, service
from carebridge.entitlements.presentation import Answers

LANGUAGES = list(i18n.LANGUAGES)
# pdftotext marks right-to-left runs with Unicode embedding controls; they are not part of the words.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f]")
# Where pdftotext puts a comma or a short-vowel mark between two right-to-left words is a quirk of extraction, not of
# the PDF, and so is dropping the Persian zero-width non-joiner; words and their order are what a copy, a search or
# a screen reader gets. Compare those.
MARKS = re.compile("[\u064b-\u0655\u0670\u0640\u200c\u200d]")
PUNCTUATION = re.compile(r"[\u060c\u061b\u061f.,:;!?()«»\"“”·]")
PEOPLE = {
    "undocumented pregnant woman": {"jurisdiction": "GB-ENG", "status": "undocumented", "age": "34", "pregnant": "yes",
                                    "trafficking_victim": "no", "torture_or_violence_survivor": "no"},
    # Every question declined: the longest result, where most needs say "it depends" and who to ask.
    "nothing known": {"jurisdiction": "GB-ENG", "status": "unknown", "age": "unknown", "pregnant": "unknown",
                      "trafficking_victim": "unknown", "torture_or_violence_survivor": "unknown",
                      "receives_asylum_support": "unknown", "paid_health_surcharge": "unknown",
                      "unaccompanied_minor": "unknown"},
    "asylum seeker in Germany": {"jurisdiction": "DE", "receives_asylum_support": "yes", "months_in_country": "20"},
    "undocumented in France": {"jurisdiction": "FR", "status": "undocumented", "months_in_country": "5",
                               "income_below_threshold": "yes", "age": "40"},
}


@pytest.fixture(autouse=True)
def _poppler(pytestconfig):  # noqa: ANN001, ANN202
    root = pytestconfig.pluginmanager.get_plugin(str(Path(__file__).resolve().parents[1] / "conftest.py"))
    root.require("poppler-utils", bool(shutil.which("pdftotext") and shutil.which("pdfinfo")),
                 "install Debian's poppler-utils (`make system-deps`)")


def view_for(person: dict[str, str], lang: str) -> presentation.ResultView:
    answers = Answers.from_query(person)
    rulebook = service.get_rulebook(answers.jurisdiction)
    asked, _next = presentation.asked_sequence(rulebook, answers, presentation.today())
    return presentation.present(rulebook, answers, lang, asked=asked)


def poppler(tool: str, pdf: bytes, *arguments: str) -> str:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "leaflet.pdf"
        path.write_bytes(pdf)
        return subprocess.run([tool, *arguments, str(path), "-"] if tool == "pdftotext" else [tool, *arguments, str(path)],
                              capture_output=True, text=True, check=True).stdout


def page_count(pdf: bytes) -> int:
    return int(re.search(r"^Pages:\s+(\d+)$", poppler("pdfinfo", pdf), re.MULTILINE).group(1))


def words(text: str) -> str:
    """The words of a text, in order, without punctuation or Arabic short-vowel marks."""
    return " ".join(PUNCTUATION.sub(" ", MARKS.sub("", BIDI_CONTROLS.sub("", text))).split())


def text_of(pdf: bytes) -> str:
    return words(poppler("pdftotext", pdf))


RIGHT_TO_LEFT_LETTER = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
BOX = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>')


def placed_words(pdf: bytes) -> list[tuple[float, float, float, str]]:
    """Every word on the page with where it is drawn: (line top, left, right, letters in logical order).

    pdftotext -bbox-layout gives each word's box and its letters in drawing (visual) order; a right-to-left word is
    turned back to reading order."""
    found = []
    for x_min, y_min, x_max, text in BOX.findall(poppler("pdftotext", pdf, "-bbox-layout")):
        text = text.replace("&amp;", "&")
        if RIGHT_TO_LEFT_LETTER.search(text):
            text = text[::-1]
        found.append((round(float(y_min), 1), float(x_min), float(x_max), words(text)))
    return found


def assert_drawn_whole(pdf: bytes, value: str, direction: str) -> None:
    """`value` (a date) is drawn on one line, its words side by side in reading order: left to right on a
    left-to-right page, right to left on a right-to-left one. pdftotext's plain text is no proof of this: in a
    right-to-left line it moves the space after a number before it ("22 نوفمبر" comes out "22نوفمبر")."""
    wanted = words(value).split()
    placed = placed_words(pdf)
    reading = sorted(placed, key=lambda word: (word[0], -word[1] if direction == "rtl" else word[1]))
    texts = [word[3] for word in reading]
    starts = [index for index in range(len(texts)) if texts[index:index + len(wanted)] == wanted]
    assert starts, (value, texts[:60])
    for start in starts:
        run = reading[start:start + len(wanted)]
        assert len({word[0] for word in run}) == 1, ("the value is split across lines", value, run)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("who", list(PEOPLE))
def test_the_leaflet_is_one_page_in_the_readers_language(lang, who):
    view = view_for(PEOPLE[who], lang)
    pdf = leaflet.render_leaflet(view)
    assert pdf.startswith(b"%PDF-")
    assert page_count(pdf) == 1
    text = text_of(pdf)
    translate = i18n.get_translations(lang).gettext
    # Whole sentences come out in reading (logical) order, right-to-left scripts included.
    for sentence in (translate("This is information, not legal advice."),
                     i18n.gettext(lang, "What care you can get in %(place)s", place=view.name)):
        assert words(sentence) in text, (lang, sentence, text[:400])
    # The dates (today's and the rules' review) are each drawn whole, on one line and in reading order.
    for date in (view.on_date_text, view.rules_checked_text):
        if i18n.direction(lang) == "ltr":
            assert words(date) in text, (lang, date)
        assert_drawn_whole(pdf, date, i18n.direction(lang))
    # How the results were checked (every demo rule is pending; test_review has both kinds). pdftotext drops the space
    # where a Latin name meets a right-to-left word, so the sentence's words are compared in order, spaces aside.
    reviews = {item.review_text for item in view.categories.values() if item.review_text}
    assert reviews
    for review in reviews:
        assert words(review).replace(" ", "") in text.replace(" ", ""), (lang, review)


def test_arabic_words_come_out_in_logical_order_with_an_arabic_font():
    view = view_for(PEOPLE["undocumented pregnant woman"], "ar")
    pdf = leaflet.render_leaflet(view)
    text = text_of(pdf)
    # A word is in logical order if its letters come out first-letter-first: "معلومات" (information), not reversed.
    assert "معلومات" in text and "تامولعم" not in text
    assert words("هذه معلومات، وليست نصيحة قانونية.") in text
    assert "لا تحتاج إلى هوية" in text  # the lam-alef ligature comes out as lam then alef
    assert "إنجلترا" in text
    fonts = poppler("pdffonts", pdf)
    assert re.search(r"Noto-?Sans-?Arabic|Noto-?Naskh-?Arabic", fonts), fonts
    # Citations are English and stay readable inside the right-to-left page.
    assert "SI 2017/756" in text


def test_farsi_uses_persian_letters_in_logical_order():
    pdf = leaflet.render_leaflet(view_for(PEOPLE["undocumented pregnant woman"], "fa"))
    text = text_of(pdf)
    assert words("این اطلاعات است، نه مشاورهٔ حقوقی.") in text
    assert "انگلستان" in text


def test_the_leaflet_renders_to_a_page_with_ink_on_it(tmp_path):
    from PIL import Image

    pdf = leaflet.render_leaflet(view_for(PEOPLE["undocumented pregnant woman"], "ar"))
    (tmp_path / "leaflet.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-singlefile", str(tmp_path / "leaflet.pdf"), str(tmp_path / "page")],
                   check=True)
    image = Image.open(tmp_path / "page.png").convert("L")
    width, height = image.size
    assert abs(height / width - 297 / 210) < 0.02  # A4 portrait
    dark = sum(1 for pixel in image.get_flattened_data() if pixel < 128)
    assert dark / (width * height) > 0.01  # text, not a blank page (a blank page is 0; Arabic text at 40 dpi ~1.8%)
    # Right-to-left: the heading starts at the right. Its top band has more ink on the right half than the left.
    band = image.crop((0, int(height * 0.03), width, int(height * 0.07)))
    left = sum(1 for x in range(width // 2) for y in range(band.height) if band.getpixel((x, y)) < 128)
    right = sum(1 for x in range(width // 2, width) for y in range(band.height) if band.getpixel((x, y)) < 128)
    assert right > left


def test_an_overlong_result_is_still_one_page():
    view = view_for(PEOPLE["undocumented pregnant woman"], "en")
    for need in view.needs:
        for category in need.categories:
            category.steps = category.steps + ["Another long step that a rules base might one day add. " * 4] * 6
    pdf = leaflet.render_leaflet(view)
    assert page_count(pdf) == 1


def test_nothing_is_written_to_disk(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    leaflet.render_leaflet(view_for(PEOPLE["asylum seeker in Germany"], "uk"))
    assert list(tmp_path.iterdir()) == []


def test_the_leaflet_carries_no_link_with_the_answers():
    view = view_for(PEOPLE["undocumented pregnant woman"], "en")
    html = leaflet.leaflet_html(view)
    assert "status=" not in html and "undocumented" not in html
    assert "<script" not in html and "http" not in html.split("<body>")[0]


@pytest.mark.parametrize("lang", ["en", "fr", "uk"])
def test_the_pdf_says_how_each_result_was_checked_and_names_the_law_only_for_a_checked_rule(lang, monkeypatch):
    """A reviewed rule and pending ones: each sentence is in the PDF itself, and the page is still one page."""
    view_pending = view_for(PEOPLE["undocumented pregnant woman"], lang)
    pending_pdf = text_of(leaflet.render_leaflet(view_pending))
    pending = {item.review_text for item in view_pending.categories.values() if item.review_text}
    assert len(pending) == 1  # every demo rule is pending and taken from the same table on the same day
    assert words(pending.pop()) in pending_pdf
    assert "Checked by" not in pending_pdf
    rule = service.get_rulebook("GB-ENG").entry(view_pending.categories["maternity"].rule_id)
    monkeypatch.setattr(rule, "review", "checked")
    monkeypatch.setattr(rule, "reviewer", "Me Claire Juriste")
    monkeypatch.setattr(rule, "taken_from", None)
    view = view_for(PEOPLE["undocumented pregnant woman"], lang)
    reviews = {item.review_text for item in view.categories.values() if item.review_text}
    assert len(reviews) == 2
    pdf = leaflet.render_leaflet(view)
    # Two review sentences instead of one make this leaflet longer; in the longest languages it takes a second page
    # rather than losing anything (test_every_result_and_the_footer_are_on_the_leaflet_and_nothing_overlaps).
    assert page_count(pdf) <= 2
    text = text_of(pdf)
    for review in reviews:
        # Two columns: where a sentence wraps, pdftotext may put the other column's line between its pieces. Its
        # words come out in order, and its date is drawn whole on one line.
        assert in_order(words(review).split(), text.split()), (lang, review)
    assert_drawn_whole(pdf, view.categories["maternity"].last_reviewed_text, "ltr")
    assert "Me Claire Juriste" in text


def in_order(needles: list[str], haystack: list[str]) -> bool:
    """Whether `needles` occur in `haystack` in this order (other words may come between)."""
    remaining = iter(haystack)
    return all(any(word == needle for word in remaining) for needle in needles)


@pytest.mark.parametrize("lang", ["ar", "fa", "en"])
def test_a_date_at_the_end_of_a_line_moves_whole_to_the_next(lang):
    """Wherever the line ends, the rules' date is never split: the notice is lengthened a word at a time so that
    the line ends before, inside and after the date (without isolation and no-wrap, some of these split it)."""
    view = view_for(PEOPLE["asylum seeker in Germany"], lang)
    name = view.name
    pieces = []
    for extra in range(0, 36, 3):
        view.name = " ".join([name] + [name[:4]] * extra)
        html = leaflet.leaflet_html(view)
        pdf = leaflet._document(html).write_pdf()
        assert_drawn_whole(pdf, view.rules_checked_text, i18n.direction(lang))
        lines = {word[0] for word in placed_words(pdf) if word[3] and word[3] in words(view.rules_checked_text).split()}
        pieces.append(len(lines))
    assert pieces  # the sweep ran


# ---------------------------------------------------------------------------------------------------------------
# Made once, served from the cache (entitlements.pages.downloads)

ANSWERS = {"lang": "ar", "jurisdiction": "GB-ENG", "status": "undocumented", "age": "34", "pregnant": "yes"}


@pytest.fixture
def counted(monkeypatch):  # noqa: ANN001, ANN201
    """The real leaflet and audio makers, counted."""
    from carebridge.entitlements import pages

    calls = {"pdf": 0, "mp3": 0}
    real_leaflet, real_audio = leaflet.render_leaflet, pages._audio

    def count_leaflet(view):  # noqa: ANN001, ANN202
        calls["pdf"] += 1
        return real_leaflet(view)

    def count_audio(view):  # noqa: ANN001, ANN202
        calls["mp3"] += 1
        return real_audio(view)

    monkeypatch.setattr(leaflet, "render_leaflet", count_leaflet)
    monkeypatch.setattr(pages, "_audio", count_audio)
    return calls


def test_a_second_request_is_served_without_making_the_leaflet_again(client, counted):
    first = client.get(presentation.LEAFLET_PATH, params=ANSWERS)
    second = client.get(presentation.LEAFLET_PATH, params=ANSWERS)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content and first.content.startswith(b"%PDF-")
    assert counted["pdf"] == 1
    assert first.headers["etag"] == second.headers["etag"] and first.headers["etag"].startswith('W/"')
    assert first.headers["cache-control"] == "no-store"
    # Another language, another answer, another day: another leaflet.
    client.get(presentation.LEAFLET_PATH, params={**ANSWERS, "lang": "fa"})
    client.get(presentation.LEAFLET_PATH, params={**ANSWERS, "age": "35"})
    from carebridge.kit import clock

    with clock.pinned(dt.datetime(2026, 11, 24, 12, 0, tzinfo=dt.UTC)):
        third = client.get(presentation.LEAFLET_PATH, params=ANSWERS)
    assert counted["pdf"] == 4 and third.headers["etag"] != first.headers["etag"]


def test_if_none_match_gets_304_without_making_anything(client, counted):
    first = client.get(presentation.LEAFLET_PATH, params=ANSWERS)
    etag = first.headers["etag"]
    again = client.get(presentation.LEAFLET_PATH, params=ANSWERS, headers={"If-None-Match": f'"other", {etag}'})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    strong = client.get(presentation.LEAFLET_PATH, params=ANSWERS, headers={"If-None-Match": etag.removeprefix("W/")})
    assert strong.status_code == 304  # If-None-Match compares weakly
    assert again.headers["cache-control"] == "no-store"
    stale = client.get(presentation.LEAFLET_PATH, params=ANSWERS, headers={"If-None-Match": 'W/"0000"'})
    assert stale.status_code == 200 and stale.content == first.content
    assert counted["pdf"] == 1


def test_the_recording_is_cached_too(client, counted, pytestconfig):
    from carebridge.entitlements import audio

    root = pytestconfig.pluginmanager.get_plugin(str(Path(__file__).resolve().parents[1] / "conftest.py"))
    root.require("espeak-ng and lame", audio.tools_available(), "install Debian's espeak-ng and lame (`make system-deps`)")
    answers = {**ANSWERS, "lang": "en"}
    first = client.get(presentation.AUDIO_PATH, params=answers)
    second = client.get(presentation.AUDIO_PATH, params=answers, headers={"If-None-Match": "*"})
    third = client.get(presentation.AUDIO_PATH, params=answers)
    assert first.status_code == 200 and second.status_code == 304 and third.content == first.content
    assert counted["mp3"] == 1


def test_concurrent_requests_for_one_leaflet_make_it_once(client, counted):
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(6) as pool:
        responses = list(pool.map(lambda _: client.get(presentation.LEAFLET_PATH, params=ANSWERS), range(6)))
    assert [response.status_code for response in responses] == [200] * 6
    assert len({response.content for response in responses}) == 1
    assert counted["pdf"] == 1


def test_the_cache_stays_within_its_bounds(client, counted, monkeypatch):
    from carebridge.entitlements import pages
    from carebridge.kit.cache import GeneratedCache

    cache = GeneratedCache(3, 400_000)
    monkeypatch.setattr(pages, "_downloads", cache)
    for age in range(20, 26):
        assert client.get(presentation.LEAFLET_PATH, params={**ANSWERS, "age": str(age)}).status_code == 200
        assert len(cache) <= 3 and cache.bytes <= 400_000
    assert counted["pdf"] == 6 and len(cache) >= 1


@pytest.mark.parametrize("lang", ["ar", "fa", "uk"])
def test_the_leaflets_dates_stay_whole_on_any_day(spread_moment, lang):
    """Today's date is on the leaflet, so its length and the lines it falls on change every day: every moment of
    the spread (month ends, 29 February, 31 December, London's clock changes), the dates are drawn whole."""
    from zoneinfo import ZoneInfo

    view = view_for(PEOPLE["undocumented in France"], lang)
    assert view.on_date == spread_moment.astimezone(ZoneInfo("Europe/London")).date()
    pdf = leaflet.render_leaflet(view)
    assert page_count(pdf) == 1
    for date in (view.on_date_text, view.rules_checked_text):
        assert_drawn_whole(pdf, date, i18n.direction(lang))


def test_leaflets_and_recordings_are_made_off_the_event_loop():
    """Plain `def` routes run in the server's thread pool: a leaflet being made never blocks the event loop."""
    import inspect

    from carebridge.entitlements import pages

    for route in (pages.result_leaflet, pages.result_audio):
        assert callable(route) and not inspect.iscoroutinefunction(route)


# ---------------------------------------------------------------------------------------------------------------
# Emergency first: the country's emergency numbers head the leaflet, large, each one whole and left to right

HEIGHTS = re.compile(r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>')


def word_heights(pdf: bytes) -> list[tuple[float, float, str]]:
    """(top, height, letters in logical order) of every word drawn on the page (see placed_words)."""
    return [(float(top), float(bottom) - float(top), text[::-1] if RIGHT_TO_LEFT_LETTER.search(text) else text)
            for top, bottom, text in HEIGHTS.findall(poppler("pdftotext", pdf, "-bbox-layout"))]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("who", ["undocumented pregnant woman", "undocumented in France"])
def test_the_emergency_numbers_come_first_large_and_whole(lang, who):
    from carebridge.web import keep

    view = view_for(PEOPLE[who], lang)
    numbers = [item.number for item in view.emergency_numbers]
    assert "112" in numbers and len(numbers) >= 2  # England: 999 and 112; France: 112, 15, 17, 18
    html = leaflet.leaflet_html(view)
    for number in numbers:  # isolated left to right and kept on one line, as on the web page
        assert str(keep(number, "phone")) in html
    pdf = leaflet.render_leaflet(view)
    assert page_count(pdf) == 1
    text = text_of(pdf)
    heading = words(i18n.gettext(lang, "What care you can get in %(place)s", place=view.name))
    title = words(i18n.get_translations(lang).gettext("In an emergency, call now"))
    assert text.index(title) < text.index(heading), (lang, text[:300])
    before_heading = text[:text.index(heading)]
    placed = word_heights(pdf)
    body = sorted(height for _top, height, _word in placed)
    median = body[len(body) // 2]
    for number in numbers:
        drawn = [(top, height) for top, height, word in placed if words(word) == number]
        assert drawn, (lang, number, "not drawn whole")
        assert re.search(rf"(?<!\d){number}(?!\d)", before_heading), (lang, number, "not before the heading")
        height = max(height for _top, height in drawn)
        assert height > 1.3 * median, (lang, number, height, median, "not large")


def test_a_result_without_emergency_numbers_has_no_empty_box():
    view = view_for(PEOPLE["undocumented pregnant woman"], "en")
    view.emergency_numbers = ()
    assert "data-emergency-numbers" not in leaflet.leaflet_html(view)


def test_numbers_that_answer_the_same_calls_share_one_label():
    from carebridge.emergency import EmergencyNumber

    view = view_for(PEOPLE["undocumented in France"], "en")
    view.emergency_numbers = (EmergencyNumber("999", "all"), EmergencyNumber("112", "all"),
                              EmergencyNumber("15", "ambulance"), EmergencyNumber("17", "police"))
    groups = leaflet.emergency_groups(view)
    assert [([item.number for item in items], label) for items, label in groups] == [
        (["999", "112"], "Ambulance, fire service and police"), (["15"], "Ambulance and emergency doctor"),
        (["17"], "Police")]
    assert leaflet.leaflet_html(view).count("Ambulance, fire service and police") == 1


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_long_citations_wrap_inside_their_column_and_their_codes_stay_whole(lang):
    """England's citations are wider than a column ("NHS (Charges to Overseas Visitors) (Amendment) Regulations
    2017, SI 2017/756, ..."): kept on one line they ran across the other column's text. They wrap, inside their
    column; the statutory instrument's number ("SI 2017/756") still never splits."""
    view = view_for(PEOPLE["undocumented pregnant woman"], lang)
    assert any(len(item.sources[0].citation) > 60 for item in view.categories.values() if item.sources)
    pdf = leaflet.render_leaflet(view)
    middle = float(re.search(r'<page width="([\d.]+)"', poppler("pdftotext", pdf, "-bbox-layout")).group(1)) / 2
    cited = {word for item in view.categories.values() for source in item.sources[:1]
             for word in words(source.citation).split() if len(word) > 3}
    checked = 0
    for _top, left, right, word in placed_words(pdf):
        if word in cited:
            checked += 1
            assert not (left < middle - 1 < middle + 1 < right), (lang, word, left, right, "runs into the other column")
    assert checked > 10  # the citations' words were found and measured
    codes = {match.group(0) for item in view.categories.values() for source in item.sources[:1]
             for match in re.finditer(r"SI \d{4}/\d+", source.citation)}
    assert codes
    for code in codes:
        assert_drawn_whole(pdf, code, "ltr")  # a code is left to right on any page


# Layout: nothing overlaps, nothing is lost (issue 7, QA findings P1.1 and P1.2)

WORD_BOX = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')
PAGE_SIZE = re.compile(r'width="([\d.]+)" height="([\d.]+)"')
# Two situations per country: one with a known status, and every question declined (the longest result).
SITUATIONS = {
    "undocumented": {"status": "undocumented", "age": "30", "has_health_insurance": "no", "months_in_country": "5"},
    "nothing known": PEOPLE["nothing known"],
}


def overlapping_words(pdf: bytes) -> list[tuple]:
    """Word boxes that cross another word's, or lie outside the page, on any page.

    pdftotext's word box is the font's full ascent to descent, taller than a line (Noto Naskh Arabic's is twice the
    line), so the boxes of neighbouring lines always touch. The middle third of a box is where the letters are:
    two of those that meet are text drawn over text (a citation running across the other column's heading)."""
    found = []
    for page in poppler("pdftotext", pdf, "-bbox-layout").split("<page ")[1:]:
        width, height = map(float, PAGE_SIZE.match(page).groups())
        boxes = []
        for x_min, y_min, x_max, y_max, text in WORD_BOX.findall(page):
            x_min, y_min, x_max, y_max = map(float, (x_min, y_min, x_max, y_max))
            if x_min < 0 or y_min < 0 or x_max > width or y_max > height:
                found.append(("outside the page", text))
            third = (y_max - y_min) / 3
            boxes.append((x_min, y_min + third, x_max, y_max - third, text))
        for index, one in enumerate(boxes):
            for other in boxes[index + 1:]:
                across = min(one[2], other[2]) - max(one[0], other[0])
                down = min(one[3], other[3]) - max(one[1], other[1])
                if across > 0.5 and down > 0.5:
                    found.append(("overlap", one[4], other[4]))
    return found


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_a_long_citation_wraps_instead_of_crossing_the_other_column(lang):
    """QA P1.1: "NHS (Charges to Overseas Visitors) Regulations 2015, …" was one unbreakable piece that ran across
    the other column ("Dental care" struck through in English, "الأدوية" covered in Arabic)."""
    view = view_for({"jurisdiction": "GB-ENG", "status": "refugee", "torture_or_violence_survivor": "yes"}, lang)
    citations = [item.sources[0].citation for item in view.categories.values() if item.sources]
    assert any(len(citation) > 60 for citation in citations)  # a citation wider than a column: the case is exercised
    pdf = leaflet.render_leaflet(view)
    assert overlapping_words(pdf) == []
    # The citations are Latin; pdftotext glues a Latin run to the Arabic word before it, so Latin words are compared.
    latin = re.compile(r"[A-Za-z0-9/]+")
    text = latin.findall(text_of(pdf))
    for citation in citations:
        assert in_order(latin.findall(citation), text), citation


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("situation", list(SITUATIONS))
@pytest.mark.parametrize("jurisdiction", [rulebook.jurisdiction for rulebook in service.jurisdictions()])
def test_every_result_and_the_footer_are_on_the_leaflet_and_nothing_overlaps(jurisdiction, situation, lang):
    """QA P1.2: Spain's and Italy's leaflets silently lost Mental health, Sexual health and the footer (only page 1
    was kept). Every result's heading and the footer are there (on a second page if need be), and no words overlap."""
    view = view_for({**SITUATIONS[situation], "jurisdiction": jurisdiction}, lang)
    pdf = leaflet.render_leaflet(view)
    assert page_count(pdf) in (1, 2)
    tokens = text_of(pdf).split()
    labels = [item.label for need in view.needs for item in need.categories]
    assert len(labels) >= 9  # every area of the result page is checked
    for label in labels:
        assert in_order(words(label).split(), tokens), (jurisdiction, lang, label)
    # pdftotext glues "Carebridge" to the right-to-left word before it ("الهجرةCarebridge"): split them again. (It
    # may also leave an Arabic mark as a word of its own where a line ends: other words may come between.)
    footer = " ".join(re.sub(r"(?<=[\u0600-\u06ff])(?=[A-Za-z])", " ", token) for token in tokens).split()
    promise = i18n.gettext(lang, "We never share your information with immigration authorities.")
    assert in_order(words(promise).split(), footer[-len(words(promise).split()) - 30:]), (jurisdiction, lang, promise)
    assert overlapping_words(pdf) == [], (jurisdiction, lang)


def test_results_with_the_same_text_share_one_card_under_all_their_headings():
    """An undocumented person in France gets the same answer (AME) for every need: one card, every heading on it,
    and the Ukrainian leaflet fits on one page again (before, it needed two and the second was thrown away)."""
    view = view_for(PEOPLE["undocumented in France"], "uk")
    labels = [item.label for need in view.needs for item in need.categories]
    cards = leaflet.merged(view)
    assert len(cards) < len(labels)
    # Every heading on exactly one card (a card gathers identical results, wherever they stand in the list).
    assert sorted(label for card in cards for label in card.label.split(" · ")) == sorted(labels)
    pdf = leaflet.render_leaflet(view)
    assert page_count(pdf) == 1
    tokens = text_of(pdf).split()
    for label in labels:
        assert in_order(words(label).split(), tokens), label
