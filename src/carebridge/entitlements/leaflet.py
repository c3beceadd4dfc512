"""A one-page PDF leaflet of a checker result, in the reader's language, for people who cannot keep a web page.

The leaflet is an HTML template (templates/public/entitlements/leaflet.html) rendered in the reader's language and
laid out by WeasyPrint, which shapes Arabic script with HarfBuzz: letters join, and right-to-left text runs the
right way. The fonts are system fonts from Debian's fonts-noto-core: Noto Sans (Latin, Cyrillic) and Noto Naskh
Arabic (Arabic and Persian letters), named in the template's CSS.

It must fit on one A4 page: a long result (many "it depends" answers, long translations) is laid out again at a
smaller scale until it does, and as a last resort the least essential lines (the steps after the first two) are
left out — the page says where to see everything. The PDF is made in memory and never written to disk; entitlements.pages keeps recent ones in a bounded in-memory cache.
"""

from __future__ import annotations

import re
from typing import Any

from carebridge import i18n
from carebridge.entitlements.presentation import CategoryView, ResultView, text_attributes
from carebridge.kit.text import isolate, unbreakable
from carebridge.web import template_environment

TEMPLATE = "public/entitlements/leaflet.html"
# Font sizes (points) to try, largest first: 9 pt is the smallest we call readable on paper. Each try is a full
# layout (a few tenths of a second), so there are few.
SCALES = (10.0, 9.0)


def _weight(category: CategoryView) -> int:
    """Roughly how much room a result takes: its characters, plus a line's worth for each block."""
    texts = [category.label, category.outcome_label, category.cost, category.upfront_text, category.explanation,
             category.ask, category.caveat, category.safety if category.safety_from_rules else None,
             *(category.steps or []), *(category.documents or []),
             category.sources[0].citation if category.sources else None]
    return sum(len(text) + 40 for text in texts if text)


def columns(view: ResultView) -> list[list[CategoryView]]:
    """The results in reading order, split in two columns of about the same length."""
    items = [category for need in view.needs for category in need.categories]
    weights = [_weight(item) for item in items]
    total = sum(weights)
    best, running, split = total, 0, len(items)
    for index, weight in enumerate(weights):
        difference = abs(total - 2 * running)
        if difference < best:
            best, split = difference, index
        running += weight
    return [items[:split], items[split:]]


# A statutory instrument's number and the like ("SI 2017/756", "BGBl. I 2025/12"): never split across lines.
_CODE_IN_CITATION = re.compile(r"\b[A-Z][A-Za-z.]{0,5}(?: [IV]{1,3})? \d{1,4}/\d+")


def citation_text(citation: str) -> str:
    """A legal citation for the leaflet: left to right in a page of either direction (isolated), free to wrap
    between its words ("NHS (Charges to Overseas Visitors) (Amendment) Regulations 2017, SI 2017/756, regulation 4"
    is wider than a column: kept on one line it runs across the other column), but its codes stay whole."""
    return isolate(_CODE_IN_CITATION.sub(lambda match: unbreakable(match.group(0)), citation), "code", unbreak=False)


def emergency_groups(view: ResultView) -> list[tuple[list[Any], str]]:
    """The emergency numbers in their order, numbers next to each other that answer the same calls sharing one
    label ("999 / 112 Ambulance, fire service and police"): the page has no height to spare for a label twice."""
    groups: list[tuple[list[Any], str]] = []
    for item in view.emergency_numbers:
        if groups and groups[-1][1] == item.label:
            groups[-1][0].append(item)
        else:
            groups.append(([item], item.label))
    return groups


def leaflet_html(view: ResultView, *, font_size: float = SCALES[0], max_steps: int | None = None) -> str:
    env = template_environment(view.language)
    return env.get_template(TEMPLATE).render(
        view=view,
        columns=columns(view),
        emergency=emergency_groups(view),
        lang=view.language,
        dir=i18n.direction(view.language),
        font_size=font_size,
        max_steps=max_steps,
        text_attrs=lambda text: text_attributes(text, view.language),
        citation=citation_text,
    )


def _document(html: str) -> Any:
    from weasyprint import HTML

    # No base URL and no external resources: everything the leaflet needs is in the HTML.
    return HTML(string=html).render()


def render_leaflet(view: ResultView) -> bytes:
    """The leaflet as PDF bytes, always exactly one page."""
    document = None
    for max_steps in (None, 2, 1):
        for font_size in SCALES:
            document = _document(leaflet_html(view, font_size=font_size, max_steps=max_steps))
            if len(document.pages) == 1:
                return document.write_pdf()
    # Still too long (it never is with the seeded rules): keep the first page, which has the most important needs.
    assert document is not None
    return document.copy(document.pages[:1]).write_pdf()
