"""axe-core, WCAG 2.0/2.1/2.2 A and AA, reports zero violations on every public finder page, left-to-right (English)
and right-to-left (Arabic), including error states, a confidential service and error pages."""

from __future__ import annotations

import pytest



pytestmark = pytest.mark.browser

PAGE_NAMES = [
    "home", "about", "need", "need with an error", "where", "where with an error", "language",
    "language with an error", "results", "results page 2 with filters", "no results", "service",
    "confidential service", "not found", "unknown service",
]


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize("name", PAGE_NAMES)
def test_no_accessibility_violations(live_server: str, finder_pages: dict[str, str], axe_check, name: str, lang: str) -> None:  # noqa: ANN001
    path = finder_pages[name]
    axe_check(f"{live_server}{path}{'&' if '?' in path else '?'}lang={lang}", lang)


def test_every_finder_page_is_checked(finder_pages: dict[str, str]) -> None:
    assert set(PAGE_NAMES) == set(finder_pages)
