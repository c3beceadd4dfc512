"""The screening instruments, defined as data: FHIR R4 Questionnaire resources (screening/questionnaires/*.json) with
LOINC codes where they exist, item texts only in validated wordings, scored in code (screening.scoring).

CONTRACT (issue 10 skeleton) — the screening work fills this in; pages, links, outcomes and the demo use only this:

    INSTRUMENTS: tuple[str, ...]                       # ("phq-9", "gad-7", "pc-ptsd-5", "rhs-15")
    get(code, language, settings) -> Instrument | None # None: no validated wording in that language (or RHS-15
                                                       # without the deployment's licensed file)
    languages(code, settings) -> tuple[str, ...]       # languages with a validated wording ("en" first)
    score(code, answers: dict[str, int], settings) -> Score   # ValueError on a missing or impossible answer

`answers` maps an item's linkId to its value (0–3 for PHQ-9/GAD-7; 0/1 for PC-PTSD-5; 0–4 and the 0–10 thermometer
for RHS-15). PC-PTSD-5's exposure question has its own linkId; its "no" ends the questionnaire with score 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field

INSTRUMENTS: tuple[str, ...] = ("phq-9", "gad-7", "pc-ptsd-5", "rhs-15")


@dataclass(frozen=True)
class Option:
    value: int
    # LOINC answer code where there is one (PHQ-9/GAD-7: LA6568-5 ... LA6571-9)
    code: str | None
    text: str


@dataclass(frozen=True)
class Item:
    link_id: str
    text: str
    options: tuple[Option, ...]
    loinc: str | None = None
    # Shown only when the gate item has this value (PC-PTSD-5 items after "yes" to exposure); None: always.
    enable_when: tuple[str, int] | None = None


@dataclass(frozen=True)
class Instrument:
    code: str
    title: str
    language: str
    # Where the wording comes from (the validated translation's source, or the instrument's publisher).
    source: str
    licence: str
    preamble: str
    items: tuple[Item, ...]
    loinc_panel: str | None = None
    loinc_total: str | None = None
    # The FHIR Questionnaire this was read from (for export and for the API).
    questionnaire: dict = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True)
class Score:
    instrument: str
    total: int
    band: str
    positive: bool
    # An answer starts the risk workflow (PHQ-9 item 9 > 0), whatever the total.
    risk: bool
