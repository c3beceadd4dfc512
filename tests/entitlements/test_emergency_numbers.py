"""Every rules base carries its country's emergency numbers with sources, and the checker's result shows them first.

The result always covers emergency care (the "Emergency" need), so the numbers of the country it answers for come
before everything else on it, in every language.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from carebridge import emergency, i18n
from carebridge.entitlements import presentation, service
from carebridge.entitlements.rulebook import compile_file, get_rulebooks
from carebridge.entitlements.vocabulary import FACTS, QUESTION_ORDER

EXPECTED = {
    "GB-ENG": [("999", "all"), ("112", "all")],
    "DE": [("112", "ambulance-fire"), ("110", "police")],
    "FR": [("112", "all"), ("15", "ambulance"), ("17", "police"), ("18", "fire")],
    "ES": [("112", "all")],
    "IT": [("112", "all"), ("118", "ambulance"), ("113", "police"), ("115", "fire")],
    "SE": [("112", "all")],
}
ANSWERED = re.compile(r'name="answered" value="([^"]+)"')


def test_every_rules_base_carries_its_emergency_numbers_with_sources() -> None:
    rulebooks = get_rulebooks()
    assert set(rulebooks) == set(EXPECTED)
    for code, rulebook in rulebooks.items():
        block = rulebook.emergency
        assert block is not None, f"{code} has no emergency numbers"
        assert [(item.number, item.answers) for item in block.numbers] == EXPECTED[code]
        assert block.sources and all(source.url.startswith("https://") for source in block.sources)
        assert block.reviewer and block.last_reviewed
    # Germany's 116 117 is the out-of-hours doctor, not an emergency number: it must not be offered as one.
    assert "116117" not in {item.number.replace(" ", "") for item in rulebooks["DE"].emergency.numbers}


BASE = """\
jurisdiction: XX
name: Testland
country_name: Testland
where_to_ask: Ask the clinic.
{emergency}
rules:
  - id: xx-primary
    groups: everyone
    categories: all
    outcome: covered-free
    upfront_payment: false
    cost: Free.
    steps: [Go.]
    explanation: Free.
    confidence: secondary
    last_reviewed: 2026-11-22
    reviewer: Test
    review: pending
    taken_from: A test guide
"""
SOURCE = """\
  sources:
    - citation: A law
      url: https://example.org/law
      confidence: primary
  last_reviewed: 2026-12-01
  reviewer: Test
"""


@pytest.mark.parametrize(
    ("numbers", "message"),
    [
        ('    - {number: "999", answers: all}\n', "must list 112"),
        ('    - {number: "112", answers: all}\n    - {number: "112", answers: police}\n', "lists a number twice"),
        ('    - {number: "11a", answers: all}\n', "String should match pattern"),
        ('    - {number: "112", answers: doctor}\n', "Input should be"),
    ],
)
def test_the_emergency_block_is_validated(tmp_path: Path, numbers: str, message: str) -> None:
    path = tmp_path / "XX.yaml"
    path.write_text(BASE.format(emergency="emergency:\n  numbers:\n" + numbers + SOURCE), encoding="utf-8")
    rulebook, problems = compile_file(path)
    assert rulebook is None
    assert any(message in problem.message for problem in problems), [p.message for p in problems]


def test_an_emergency_block_without_a_source_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "XX.yaml"
    numbers = 'emergency:\n  numbers:\n    - {number: "112", answers: all}\n'
    path.write_text(BASE.format(emergency=numbers + "  sources: []\n  last_reviewed: 2026-12-01\n  reviewer: T\n"), encoding="utf-8")
    rulebook, problems = compile_file(path)
    assert rulebook is None and any("emergency.sources" in problem.message for problem in problems)
    path.write_text(BASE.format(emergency=numbers + SOURCE), encoding="utf-8")
    rulebook, problems = compile_file(path)
    assert rulebook is not None, problems
    assert [(n.number, n.answers) for n in rulebook.emergency.numbers] == [("112", "all")]


def test_a_country_without_a_rules_base_gets_112() -> None:
    assert [(n.number, n.answers) for n in emergency.emergency_numbers("XX")] == [("112", "all")]


# ---------------------------------------------------------------------------------------------------------------
# The checker's result


def _result(client, jurisdiction: str, lang: str):  # noqa: ANN001, ANN201
    """Answer every question the checker asks (undocumented, "no", 30) and return the result page."""
    response = client.get(
        "/entitlements", params={"lang": lang, "jurisdiction": jurisdiction, "answered": "jurisdiction"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    url = response.headers["location"]
    for _ in range(len(QUESTION_ORDER) + 2):
        response = client.get(url, follow_redirects=False)
        if response.status_code == 303:
            url = response.headers["location"]
            continue
        assert response.status_code == 200
        if urlsplit(url).path == presentation.RESULT_PATH:
            return response
        fact = ANSWERED.search(response.text).group(1)
        value = "undocumented" if fact == "status" else ("no" if FACTS[fact].kind == "boolean" else "30")
        url = f"{presentation.QUESTION_PATH}?{urlencode({**dict(parse_qsl(urlsplit(url).query)), fact: value, 'answered': fact})}"
    raise AssertionError("the checker did not reach a result")


def _numbers_first(page: str, lang: str, expected: list[tuple[str, str]]) -> None:
    main = page.split('<main id="main"', 1)[1].split(">", 1)[1].lstrip()
    assert main.startswith('<section class="emergency"'), "the emergency numbers are not first in <main>"
    block = main.split("</section>", 1)[0]
    links = re.findall(r'<a class="emergency__number" href="([^"]+)"><bdi dir="ltr">([^<]+)</bdi></a>', block)
    assert links == [(f"tel:{number}", number) for number, _ in expected]
    labels = [html.unescape(label) for label in re.findall(r'<span class="emergency__label">([^<]+)</span>', block)]
    assert labels == [i18n.gettext(lang, emergency.ANSWERS_LABELS[answers]) for _, answers in expected]
    assert main.index("emergency__number") < main.index("<h1")
    assert main.index("emergency__number") < main.index('id="need-emergency"')


@pytest.mark.parametrize("jurisdiction", sorted(EXPECTED))
def test_the_checker_result_shows_the_country_s_emergency_numbers_first(client, jurisdiction: str) -> None:  # noqa: ANN001
    assert service.get_rulebook(jurisdiction) is not None
    _numbers_first(_result(client, jurisdiction, "en").text, "en", EXPECTED[jurisdiction])


@pytest.mark.parametrize("lang", list(i18n.LANGUAGES))
def test_the_checker_result_shows_the_numbers_first_in_every_language(client, lang: str) -> None:  # noqa: ANN001
    page = _result(client, "DE", lang).text
    _numbers_first(page, lang, EXPECTED["DE"])
    title = re.search(r'id="emergency-title"><strong>([^<]+)</strong>', page).group(1)
    assert html.unescape(title) == i18n.gettext(lang, "In an emergency, call now")
    assert lang == "en" or html.unescape(title) != "In an emergency, call now"
