"""What the staff and the public screening pages share: reading a questionnaire's answers from a posted form, and the
words for a score.

Answers come as form fields named by the item's linkId (`item-1`, `exposure`, `difficulty`), each the value of one of
the item's options. An item is required unless it is PHQ-9's `difficulty` (asked, not scored) or it is shown only
after a gate question that was not answered "yes" (PC-PTSD-5's five items after `exposure`). Answers to such items
are **ignored**, not refused: the person (or the worker) may have ticked them before answering "no"; the result page
says they were not counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from carebridge.errors import N_, FieldError
from carebridge.screening.instruments import Instrument, Item

OPTIONAL_ITEMS = frozenset({"difficulty"})

BAND_LABELS = {
    "minimal": N_("Minimal"),
    "mild": N_("Mild"),
    "moderate": N_("Moderate"),
    "moderately-severe": N_("Moderately severe"),
    "severe": N_("Severe"),
    "negative": N_("Below the cut-off"),
    "positive": N_("At or above the cut-off"),
}

# What a result means, in plain words, per instrument: (positive, not positive).
MEANINGS = {
    "phq-9": (
        N_("The answers suggest depression that may need help. Talk with the person about how they feel and what "
           "support they want; a clinician can assess further."),
        N_("The answers do not suggest depression that needs treatment now. Ask again if things change."),
    ),
    "gad-7": (
        N_("The answers suggest anxiety that may need help. Talk with the person about what support they want; a "
           "clinician can assess further."),
        N_("The answers do not suggest anxiety that needs treatment now. Ask again if things change."),
    ),
    "pc-ptsd-5": (
        N_("The answers suggest possible post-traumatic stress. Offer an assessment by a clinician who knows "
           "trauma care."),
        N_("The answers do not suggest post-traumatic stress now."),
    ),
    "rhs-15": (
        N_("The answers suggest emotional distress that may need help. Offer an assessment by a clinician."),
        N_("The answers do not suggest emotional distress that needs an assessment now."),
    ),
}
NOT_A_DIAGNOSIS = N_("A screening result is not a diagnosis. It shows who may need a closer look by a clinician.")
MISSING_ANSWER = N_("Answer question %(number)s.")
NOT_A_CHOICE = N_("Choose one of the answers to question %(number)s.")


@dataclass(frozen=True)
class ShownItem:
    """An item as the pages draw it."""

    link_id: str
    number: int | None  # its question number (None for `difficulty`)
    text: str
    options: tuple[tuple[str, str], ...]  # (value, text)
    required: bool
    gated: bool
    # A display text shown before the item (PHQ-9's "If you checked off any problems, ..." before `difficulty`).
    instruction: str | None = None


def shown_items(instrument: Instrument) -> list[ShownItem]:
    items, number = [], 0
    for item in instrument.items:
        optional = item.link_id in OPTIONAL_ITEMS
        if not optional:
            number += 1
        items.append(
            ShownItem(
                link_id=item.link_id,
                number=None if optional else number,
                text=item.text,
                options=tuple((str(option.value), option.text) for option in item.options),
                required=not optional and item.enable_when is None,
                gated=item.enable_when is not None,
                instruction=getattr(item, "instruction", None),
            )
        )
    return items


def _enabled(item: Item, answers: dict[str, int]) -> bool:
    if item.enable_when is None:
        return True
    gate, value = item.enable_when
    return answers.get(gate) == value


@dataclass
class ReadAnswers:
    answers: dict[str, int]
    # What was typed, as posted (to show the form again as it was).
    values: dict[str, str]
    errors: list[FieldError]
    # Answers given to items whose gate was not "yes": not counted.
    ignored: bool


def read_answers(instrument: Instrument, form: Any) -> ReadAnswers:
    """The answers of a posted form (a Starlette FormData or a dict), checked against the instrument's options."""
    values: dict[str, str] = {}
    for item in instrument.items:
        raw = form.get(item.link_id)
        if isinstance(raw, str) and raw:
            values[item.link_id] = raw[:8]
    answers: dict[str, int] = {}
    errors: list[FieldError] = []
    numbers = {shown.link_id: shown.number for shown in shown_items(instrument)}
    # Gates first, so that the items behind them know whether they count.
    ordered = sorted(instrument.items, key=lambda item: item.enable_when is not None)
    ignored = False
    for item in ordered:
        raw = values.get(item.link_id)
        allowed = {str(option.value): option.value for option in item.options}
        number = numbers[item.link_id] or 0
        if not _enabled(item, answers):
            if raw is not None:
                ignored = True
            continue
        if raw is None:
            if item.link_id not in OPTIONAL_ITEMS:
                errors.append(FieldError(item.link_id, MISSING_ANSWER, params={"number": number}))
            continue
        if raw not in allowed:
            errors.append(FieldError(item.link_id, NOT_A_CHOICE, params={"number": number}))
            continue
        answers[item.link_id] = allowed[raw]
    # In the instrument's order, so that the error summary reads top to bottom.
    order = {item.link_id: index for index, item in enumerate(instrument.items)}
    errors.sort(key=lambda error: order.get(error.name, 0))
    return ReadAnswers(answers, values, errors, ignored)
