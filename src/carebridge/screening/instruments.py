"""The screening instruments, defined as data: FHIR R4 Questionnaire resources (screening/questionnaires/*.json) with
LOINC codes where they exist, item texts only in validated wordings, scored in code (screening.scoring).

CONTRACT (issue 10 skeleton) — the screening work fills this in; pages, links, outcomes and the demo use only this:

    INSTRUMENTS: tuple[str, ...]                       # ("phq-9", "gad-7", "pc-ptsd-5", "rhs-15")
    get(code, language, settings) -> Instrument | None # None: no validated wording in that language (or RHS-15
                                                       # without the deployment's licensed file)
    languages(code, settings) -> tuple[str, ...]       # languages with a validated wording ("en" first)
    score(code, answers: dict[str, int], settings) -> Score   # ValueError on a missing or impossible answer
                                                       # (scoring.AnswerError: .link_id names the item)
    unavailable_reason(code, settings) -> str | None   # why an instrument is not offered at all (a message id)
    check(settings) -> list[Check]                     # every instrument, its languages and the problems found

`answers` maps an item's linkId to its value (0–3 for PHQ-9/GAD-7; 0/1 for PC-PTSD-5; 0–4 and the 0–10 thermometer
for RHS-15). PC-PTSD-5's exposure question has its own linkId; its "no" ends the questionnaire with score 0.

`Instrument.items` are the questions only, in order. A line to show before an item (PC-PTSD-5's "In the past month,
have you:" before item-1, shown only after "yes" to exposure) is `Item.instruction`.

Validated translations: `<settings.screening_translations_dir>/<instrument>/<language>.json`, and for RHS-15 the
licensed texts in `settings.rhs15_file` (docs/screening.md gives the format):

    {"source": "citation or URL of the validated translation", "licence": "...", "preamble": "...",
     "title": "optional", "items": {linkId: text, ...}, "options": {answer code: text, ...}}

A file with a missing or extra linkId or answer code, or an empty text, is refused (and named by `check`); its
language is then not offered. Files are read again when they change (cached per path, size and mtime).
"""

from __future__ import annotations

import copy
import json
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from carebridge.errors import N_

if TYPE_CHECKING:
    from carebridge.config import Settings

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
    # Scored items are required; PHQ-9's `difficulty` is not (and is not scored).
    required: bool = True
    # A line shown before this item (PC-PTSD-5: "In the past month, have you:" before item-1); None: nothing.
    instruction: str | None = None


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


# --- Loading -------------------------------------------------------------------------------------------------------

QUESTIONNAIRE_DIR = Path(__file__).resolve().parent / "questionnaires"
FHIR_BASE = "https://carebridge.example/fhir"
LOINC = "http://loinc.org"
# Our own codes where LOINC has none (PC-PTSD-5 and RHS-15 items, RHS-15 answers, totals and bands).
CODE_SYSTEM = f"{FHIR_BASE}/CodeSystem/screening"
ORDINAL_VALUE = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
WORDING_SOURCE = f"{FHIR_BASE}/StructureDefinition/wording-source"
ENGLISH = "en"
RHS15 = "rhs-15"
# What is on display items (no answer): the preamble before the first question, and lines between questions.
PREAMBLE = "preamble"
LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
TEXT_MAXIMUM = 2_000
FILE_MAXIMUM = 512 * 1024

UNAVAILABLE_RHS15 = N_(
    "RHS-15 is not offered here: its questions are licensed by Pathways to Wellness, and this service has not "
    "loaded its licensed copy (CAREBRIDGE_RHS15_FILE)."
)
USE_AN_INTERPRETER = N_(
    "There is no validated translation of this questionnaire in that language: use an interpreter with the English "
    "wording."
)


class InstrumentFileError(ValueError):
    """A translation or licence file that cannot be used; the message names the file."""


@dataclass(frozen=True)
class Check:
    """What `carebridge screening check-instruments` prints for one instrument."""

    code: str
    title: str
    languages: tuple[str, ...]
    problems: tuple[str, ...]
    unavailable: str | None = None


_lock = threading.Lock()
_structures: dict[str, dict] = {}
_files: dict[tuple[str, str], tuple[tuple[int, int], Any]] = {}


def _validate_fhir(resource: dict, name: str) -> None:
    from fhir.resources.R4B.questionnaire import Questionnaire
    from pydantic import ValidationError

    try:
        Questionnaire.model_validate(resource)
    except (ValidationError, ValueError, TypeError) as problem:
        raise InstrumentFileError(f"{name}: not a valid FHIR R4 Questionnaire: {problem}") from None


def structure(code: str) -> dict:
    """The shipped Questionnaire of `code` (English texts; for RHS-15 structure only), checked against the
    fhir.resources R4B model once per process. A copy: callers may change it."""
    if code not in INSTRUMENTS:
        raise KeyError(code)
    with _lock:
        if code not in _structures:
            path = QUESTIONNAIRE_DIR / f"{code}.json"
            resource = json.loads(path.read_text(encoding="utf-8"))
            _validate_fhir(resource, path.name)
            _structures[code] = resource
        return copy.deepcopy(_structures[code])


def canonical(code: str) -> str:
    """The Questionnaire's canonical reference: url|version."""
    resource = structure(code)
    return f"{resource['url']}|{resource['version']}"


def _text_items(resource: dict) -> list[dict]:
    """Every item with text, in order, flattened (groups would be walked; ours are flat)."""
    found: list[dict] = []

    def walk(items: list[dict]) -> None:
        for item in items:
            found.append(item)
            walk(item.get("item", []))

    walk(resource.get("item", []))
    return found


def _option_codes(resource: dict) -> list[str]:
    codes: list[str] = []
    for item in _text_items(resource):
        for option in item.get("answerOption", []):
            code = option["valueCoding"]["code"]
            if code not in codes:
                codes.append(code)
    return codes


def _expected_keys(resource: dict) -> tuple[list[str], list[str]]:
    """(linkIds a wording file gives texts for, answer codes it gives texts for); the preamble is its own key."""
    link_ids = [item["linkId"] for item in _text_items(resource) if item["linkId"] != PREAMBLE]
    return link_ids, _option_codes(resource)


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip()) and len(value) <= TEXT_MAXIMUM


def validate_wording(code: str, data: Any, name: str) -> dict:
    """Check a wording file's content against the instrument's structure; the problems name the file."""
    problems: list[str] = []
    if not isinstance(data, dict):
        raise InstrumentFileError(f"{name}: must be a JSON object")
    resource = structure(code)
    link_ids, option_codes = _expected_keys(resource)
    known = {"source", "licence", "preamble", "title", "items", "options", "language"}
    for key in sorted(set(data) - known):
        problems.append(f"unknown key {key!r}")
    for key in ("source", "licence", "preamble"):
        if not _text(data.get(key)):
            problems.append(f"{key!r} must be a non-empty text")
    if "title" in data and not _text(data["title"]):
        problems.append("'title' must be a non-empty text when given")
    for key, expected in (("items", link_ids), ("options", option_codes)):
        texts = data.get(key)
        if not isinstance(texts, dict):
            problems.append(f"{key!r} must be an object")
            continue
        for missing in [one for one in expected if one not in texts]:
            problems.append(f"{key}: {missing!r} is missing")
        for extra in sorted(set(texts) - set(expected)):
            problems.append(f"{key}: {extra!r} is not part of {code}")
        for one in expected:
            if one in texts and not _text(texts[one]):
                problems.append(f"{key}: {one!r} must be a non-empty text")
    if problems:
        raise InstrumentFileError(f"{name}: " + "; ".join(problems))
    return data


def _read_wording(code: str, path: Path) -> dict:
    """The validated content of a wording file, cached by path, size and modification time."""
    try:
        stat = path.stat()
    except OSError as problem:
        raise InstrumentFileError(f"{path}: cannot be read ({problem.strerror})") from None
    stamp = (stat.st_mtime_ns, stat.st_size)
    key = (code, str(path))
    with _lock:
        cached = _files.get(key)
    if cached is not None and cached[0] == stamp:
        if isinstance(cached[1], InstrumentFileError):
            raise cached[1]
        return cached[1]
    try:
        if stat.st_size > FILE_MAXIMUM:
            raise InstrumentFileError(f"{path}: larger than {FILE_MAXIMUM} bytes")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as problem:
            raise InstrumentFileError(f"{path}: not readable JSON ({problem})") from None
        result: Any = validate_wording(code, data, str(path))
    except InstrumentFileError as problem:
        result = problem
    with _lock:
        _files[key] = (stamp, result)
    if isinstance(result, InstrumentFileError):
        raise result
    return result


def _translation_files(code: str, settings: Settings) -> dict[str, Path]:
    """language -> file in the validated-translations folder (English never: it ships)."""
    folder = Path(settings.screening_translations_dir) / code
    try:
        paths = sorted(folder.glob("*.json")) if folder.is_dir() else []
    except OSError:
        paths = []
    return {path.stem: path for path in paths}


def _rhs15_wording(settings: Settings) -> tuple[str, dict] | None:
    """(language, texts) of the deployment's licensed RHS-15 file; None without one. Raises for a bad file."""
    path = settings.rhs15_file
    if path is None or str(path) == "":
        return None
    data = _read_wording(RHS15, Path(path))
    language = data.get("language", ENGLISH)
    if not isinstance(language, str) or not LANGUAGE_TAG.match(language):
        raise InstrumentFileError(f"{path}: 'language' must be a language tag such as \"en\"")
    return language, data


def _wordings(code: str, settings: Settings) -> tuple[dict[str, dict | None], list[str]]:
    """language -> wording (None: the shipped English), and the problems found on the way."""
    found: dict[str, dict | None] = {}
    problems: list[str] = []
    if code == RHS15:
        try:
            licensed = _rhs15_wording(settings)
        except InstrumentFileError as problem:
            return {}, [str(problem)]
        if licensed is None:
            return {}, []
        found[licensed[0]] = licensed[1]
    else:
        found[ENGLISH] = None
    for language, path in _translation_files(code, settings).items():
        if not LANGUAGE_TAG.match(language):
            problems.append(f"{path}: the file name must be a language tag, such as ar.json")
            continue
        if language in found:
            problems.append(f"{path}: {language} is already given (English ships with Carebridge)")
            continue
        try:
            found[language] = _read_wording(code, path)
        except InstrumentFileError as problem:
            problems.append(str(problem))
    return found, problems


def languages(code: str, settings: Settings) -> tuple[str, ...]:
    """The languages `code` has a validated wording in, English (or the licensed file's language) first; () when the
    instrument is not offered."""
    if code not in INSTRUMENTS:
        return ()
    found, _ = _wordings(code, settings)
    return tuple(found)


def unavailable_reason(code: str, settings: Settings) -> str | None:
    """Why `code` is not offered in any language (a message id to translate), or None when it is."""
    if code not in INSTRUMENTS:
        return N_("We do not know that questionnaire.")
    if code == RHS15 and not languages(code, settings):
        return UNAVAILABLE_RHS15
    return None


def _localise(resource: dict, language: str, wording: dict | None) -> dict:
    resource = copy.deepcopy(resource)
    resource["language"] = language
    if wording is None:
        return resource
    if wording.get("title"):
        resource["title"] = wording["title"]
    items, options = wording["items"], wording["options"]
    for item in _text_items(resource):
        link_id = item["linkId"]
        item["text"] = wording["preamble"] if link_id == PREAMBLE else items[link_id]
        if "code" in item:
            item["code"] = [{key: value for key, value in coding.items() if key != "display"} for coding in item["code"]]
        for option in item.get("answerOption", []):
            option["valueCoding"]["display"] = options[option["valueCoding"]["code"]]
    return resource


def ordinal(option: dict) -> int:
    for extension in option.get("extension", []):
        if extension.get("url") == ORDINAL_VALUE:
            return int(extension["valueDecimal"])
    raise InstrumentFileError(f"answer {option['valueCoding']['code']} has no ordinal value")


def _instrument(code: str, language: str, resource: dict, wording: dict | None) -> Instrument:
    items: list[Item] = []
    preamble = ""
    instruction: str | None = None
    for item in resource["item"]:
        if item["type"] == "display":
            if item["linkId"] == PREAMBLE:
                preamble = item["text"]
            else:
                instruction = item["text"]
            continue
        gate = None
        if item.get("enableWhen"):
            condition = item["enableWhen"][0]
            gate_item = next(one for one in resource["item"] if one["linkId"] == condition["question"])
            gate_value = next(
                ordinal(option) for option in gate_item["answerOption"]
                if option["valueCoding"]["code"] == condition["answerCoding"]["code"]
            )
            gate = (condition["question"], gate_value)
        loinc = next((coding["code"] for coding in item.get("code", []) if coding["system"] == LOINC), None)
        options = tuple(
            Option(ordinal(option), option["valueCoding"]["code"] if option["valueCoding"]["system"] == LOINC else None,
                   option["valueCoding"].get("display", str(ordinal(option))))
            for option in item["answerOption"]
        )
        items.append(Item(item["linkId"], item["text"], options, loinc, gate, bool(item.get("required", False)),
                          instruction))
        instruction = None
    panel = next((coding["code"] for coding in resource.get("code", []) if coding["system"] == LOINC), None)
    source = wording["source"] if wording else next(
        extension["valueString"] for extension in resource["extension"] if extension["url"] == WORDING_SOURCE
    )
    licence = wording["licence"] if wording else resource["copyright"]
    return Instrument(
        code=code,
        title=resource["title"],
        language=language,
        source=source,
        licence=licence,
        preamble=preamble,
        items=tuple(items),
        loinc_panel=panel,
        loinc_total=TOTAL_CODES[code][1] if TOTAL_CODES[code][0] == LOINC else None,
        questionnaire=resource,
    )


# The code of each instrument's total score: (system, code, display).
TOTAL_CODES: dict[str, tuple[str, str, str]] = {
    "phq-9": (LOINC, "44261-6", "Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]"),
    "gad-7": (LOINC, "70274-6", "Generalized anxiety disorder 7 item (GAD-7) total score [Reported.PHQ]"),
    "pc-ptsd-5": (CODE_SYSTEM, "pc-ptsd-5-total", "PC-PTSD-5 number of \"yes\" answers"),
    "rhs-15": (CODE_SYSTEM, "rhs-15-total", "RHS-15 sum of items 1-14"),
}


def get(code: str, language: str, settings: Settings) -> Instrument | None:
    """`code` in `language` with its validated wording; None when there is none (the page says: use an interpreter),
    when the instrument is unknown, or for RHS-15 without the deployment's licensed file."""
    if code not in INSTRUMENTS or not isinstance(language, str):
        return None
    found, _ = _wordings(code, settings)
    if language not in found:
        return None
    wording = found[language]
    base = structure(code)
    if code == RHS15 and wording is None:
        return None
    resource = _localise(base, language, wording)
    return _instrument(code, language, resource, wording)


def score(code: str, answers: dict[str, int], settings: Settings) -> Score:
    """Score `answers` (linkId -> value); scoring.AnswerError (a ValueError) names a missing or impossible answer."""
    from carebridge.screening import scoring

    return scoring.score(code, answers, pc_ptsd5_cutoff=settings.pc_ptsd5_cutoff)


def check(settings: Settings) -> list[Check]:
    """Every instrument: its structure checked against FHIR R4B, its languages, and each problem with a file."""
    results: list[Check] = []
    for code in INSTRUMENTS:
        problems: list[str] = []
        try:
            resource = structure(code)
            title = resource["title"]
        except (InstrumentFileError, OSError, ValueError) as problem:
            results.append(Check(code, code, (), (str(problem),)))
            continue
        found, file_problems = _wordings(code, settings)
        problems.extend(file_problems)
        for language, wording in found.items():
            try:
                _instrument(code, language, _localise(resource, language, wording), wording)
            except (InstrumentFileError, KeyError, StopIteration) as problem:
                problems.append(f"{code} ({language}): {problem}")
        results.append(Check(code, title, tuple(found), tuple(problems), unavailable_reason(code, settings)))
    return results


def answer_texts(instrument: Instrument) -> dict[str, dict[int, str]]:
    """linkId -> {value: option text}: what each answer said, in the instrument's language (for a summary)."""
    return {item.link_id: {option.value: option.text for option in item.options} for item in instrument.items}


__all__ = [
    "INSTRUMENTS", "Check", "Instrument", "InstrumentFileError", "Item", "Option", "Score", "canonical", "check", "get",
    "languages", "score", "structure", "unavailable_reason",
]
