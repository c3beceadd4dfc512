"""A one-page PDF leaflet of a checker result, in the reader's language, for people who cannot keep a web page.

The leaflet is an HTML template (templates/public/entitlements/leaflet.html) rendered in the reader's language and
laid out by WeasyPrint, which shapes Arabic script with HarfBuzz: letters join, and right-to-left text runs the
right way. The fonts are system fonts from Debian's fonts-noto-core: Noto Sans (Latin, Cyrillic) and Noto Naskh
Arabic (Arabic and Persian letters), named in the template's CSS.

It should fit on one A4 page: a long result (many "it depends" answers, long translations) is laid out again at a
smaller scale until it does, then with only the first steps of each result (the footer says where to see
everything). If it still does not fit, the whole leaflet is printed on a second page: results and the footer are
never dropped. The PDF is made in memory and never written to disk; entitlements.pages keeps recent ones in a bounded in-memory cache.
"""

from __future__ import annotations

import re
from dataclasses import replace
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


def _same_text(category: CategoryView) -> tuple:
    """Everything the leaflet prints about a result except its heading."""
    return (category.outcome, category.tone, category.outcome_label, category.caveat, category.explanation,
            category.ask, category.cost, category.upfront_payment, category.upfront_text,
            tuple(category.documents or ()), tuple(category.steps or ()),
            tuple(better.text for better in category.better_if or ()),
            category.safety if category.safety_from_rules else None,
            category.sources[0].citation if category.sources else None, category.review_text)


def merged(view: ResultView) -> list[CategoryView]:
    """The results in reading order, results that would print the very same text merged into one card under all
    their headings ("See a doctor · Emergency care · …"): an undocumented person in France gets the same answer for
    every need, and ten copies of it do not fit on a page."""
    cards: dict[tuple, CategoryView] = {}
    for category in (category for need in view.needs for category in need.categories):
        key = _same_text(category)
        if key in cards:
            cards[key] = replace(cards[key], label=f"{cards[key].label} · {category.label}")
        else:
            cards[key] = category
    return list(cards.values())


def columns(view: ResultView) -> list[list[CategoryView]]:
    """The results in reading order (identical ones merged), split in two columns of about the same length."""
    items = merged(view)
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
    """The leaflet as PDF bytes: one page when it fits, else two; nothing is ever left out silently.

    Tries are largest first: full text at each scale, then with only the first steps of each result (the page's
    footer says where to see everything). If even that does not fit on one page (a long Spanish or Italian result
    does), the whole leaflet goes on as many pages as it needs at the smallest readable scale: every result and the
    footer are always there."""
    for max_steps in (None, 2, 1):
        for font_size in SCALES:
            document = _document(leaflet_html(view, font_size=font_size, max_steps=max_steps))
            if len(document.pages) == 1:
                return document.write_pdf()
    document = _document(leaflet_html(view, font_size=SCALES[-1], max_steps=None))
    return document.write_pdf()
