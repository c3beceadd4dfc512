"""FHIR R4 export of screenings: each administration as a QuestionnaireResponse, its score as an Observation, and a
Bundle (type collection) of both for one screening or for all of a person's.

    bundle = screening_bundle(session, settings, actor, screening_id)   # screening.read in scope; audited
    bundle = client_bundle(session, settings, actor, client_id)         # every screening of one person

Nothing identifying leaves: the person is a Patient with only the record's random id (no name, no birth date), the
staff member a Practitioner with only their account's id. Answers are coded with the LOINC answer codes where they
exist (PHQ-9, GAD-7, PC-PTSD-5 yes/no) and our own code system otherwise (RHS-15); the total is coded 44261-6
(PHQ-9), 70274-6 (GAD-7) or with our code; its band is the Observation's interpretation in our band code system.

`problems(bundle, settings)` are our own checks on top of fhir.resources' R4B models (which check no invariants and
accept unknown codes): every reference resolves inside the bundle, every code comes from a declared system and, for
answers, from the Questionnaire's options, and the Observation's total is what the answers score.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from carebridge.accounts.access import Actor
from carebridge.audit import service as audit
from carebridge.clients import service as clients
from carebridge.config import Settings
from carebridge.kit import fhir as fhir_walk
from carebridge.screening import instruments, scoring
from carebridge.screening import service as screenings
from carebridge.screening.instruments import CODE_SYSTEM, FHIR_BASE, LOINC, TOTAL_CODES
from carebridge.screening.models import Screening

CATEGORY_SYSTEM = "http://terminology.hl7.org/CodeSystem/observation-category"
BAND_SYSTEM = f"{FHIR_BASE}/CodeSystem/screening-band"
SYSTEMS = frozenset({LOINC, CODE_SYSTEM, BAND_SYSTEM, CATEGORY_SYSTEM})
MEDIA_TYPE = "application/fhir+json"
BAND_DISPLAY = {
    "minimal": "Minimal", "mild": "Mild", "moderate": "Moderate", "moderately-severe": "Moderately severe",
    "severe": "Severe", "negative": "Negative screen", "positive": "Positive screen",
}
POSITIVE_CODE = (CODE_SYSTEM, "screening-positive", "At or above the instrument's cut-off")
RISK_CODE = (CODE_SYSTEM, "screening-risk", "An answer started the risk workflow (PHQ-9 item 9 above 0)")
THERMOMETER_CODE = (CODE_SYSTEM, "rhs-15-thermometer", "RHS-15 distress thermometer (item 15)")


def _instant(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _coding(system: str, code: str, display: str | None = None) -> dict[str, str]:
    coding = {"system": system, "code": code}
    if display:
        coding["display"] = display
    return coding


def _full_url(resource_type: str, resource_id: str) -> str:
    return f"{FHIR_BASE}/{resource_type}/{resource_id}"


def observation_id(screening: Screening) -> str:
    return f"{screening.id}-score"


def questionnaire_response(screening: Screening, answers: dict[str, Any]) -> dict[str, Any]:
    """The administration as a QuestionnaireResponse (answers as {"items": {linkId: value}, "difficulty": ...})."""
    structure = instruments.structure(screening.instrument)
    values = dict(answers.get("items", {}))
    if answers.get("difficulty") is not None:
        values[scoring.DIFFICULTY] = answers["difficulty"]
    items = []
    for item in structure["item"]:
        if item["type"] == "display" or values.get(item["linkId"]) is None:
            continue
        option = next(
            option for option in item["answerOption"] if instruments.ordinal(option) == values[item["linkId"]]
        )
        items.append({"linkId": item["linkId"], "answer": [{"valueCoding": dict(option["valueCoding"])}]})
    resource: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "id": screening.id,
        "questionnaire": instruments.canonical(screening.instrument),
        "status": "completed",
        "subject": {"reference": f"Patient/{screening.client_id}"},
        "authored": _instant(screening.completed_at),
        "item": items,
    }
    if screening.language != screenings.INTERPRETER:
        resource["language"] = screening.language
    else:
        resource["language"] = instruments.ENGLISH
        resource["extension"] = [{"url": f"{FHIR_BASE}/StructureDefinition/read-by-interpreter", "valueBoolean": True}]
    if screening.mode == screenings.SELF:
        resource["author"] = {"reference": f"Patient/{screening.client_id}"}
        resource["source"] = {"reference": f"Patient/{screening.client_id}"}
    elif screening.administered_by:
        resource["author"] = {"reference": f"Practitioner/{screening.administered_by}"}
        resource["source"] = {"reference": f"Patient/{screening.client_id}"}
    return resource


def observation(screening: Screening, answers: dict[str, Any]) -> dict[str, Any]:
    """The score as an Observation (category survey), derived from the QuestionnaireResponse."""
    system, code, display = TOTAL_CODES[screening.instrument]
    band_display = BAND_DISPLAY.get(screening.band, screening.band)
    components = [
        {"code": {"coding": [_coding(*POSITIVE_CODE)]}, "valueBoolean": bool(screening.positive)},
    ]
    if screening.instrument == scoring.PHQ9:
        components.append({"code": {"coding": [_coding(*RISK_CODE)]}, "valueBoolean": bool(screening.risk)})
    thermometer = answers.get("items", {}).get(scoring.RHS15_THERMOMETER)
    if screening.instrument == scoring.RHS15 and thermometer is not None:
        components.append({"code": {"coding": [_coding(*THERMOMETER_CODE)]}, "valueInteger": int(thermometer)})
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "id": observation_id(screening),
        "status": "final",
        "category": [{"coding": [_coding(CATEGORY_SYSTEM, "survey", "Survey")]}],
        "code": {"coding": [_coding(system, code, display)]},
        "subject": {"reference": f"Patient/{screening.client_id}"},
        "effectiveDateTime": _instant(screening.completed_at),
        "issued": _instant(screening.completed_at),
        "valueInteger": int(screening.total),
        "interpretation": [{"coding": [_coding(BAND_SYSTEM, screening.band, band_display)], "text": band_display}],
        "component": components,
        "derivedFrom": [{"reference": f"QuestionnaireResponse/{screening.id}"}],
    }
    if screening.mode == screenings.STAFF and screening.administered_by:
        resource["performer"] = [{"reference": f"Practitioner/{screening.administered_by}"}]
    elif screening.mode == screenings.SELF:
        resource["performer"] = [{"reference": f"Patient/{screening.client_id}"}]
    return resource


def bundle(items: Iterable[tuple[Screening, dict[str, Any]]], client_id: str, timestamp: dt.datetime) -> dict[str, Any]:
    """A collection Bundle: the Patient (its random id only), the Practitioners who administered (ids only), and each
    screening's QuestionnaireResponse and Observation."""
    entries: list[dict[str, Any]] = [
        {"fullUrl": _full_url("Patient", client_id), "resource": {"resourceType": "Patient", "id": client_id}}
    ]
    practitioners: set[str] = set()
    resources: list[dict[str, Any]] = []
    for screening, answers in items:
        if screening.client_id != client_id:
            raise ValueError("a bundle holds one person's screenings")
        if screening.mode == screenings.STAFF and screening.administered_by and screening.administered_by not in practitioners:
            practitioners.add(screening.administered_by)
            entries.append({
                "fullUrl": _full_url("Practitioner", screening.administered_by),
                "resource": {"resourceType": "Practitioner", "id": screening.administered_by},
            })
        resources.append(questionnaire_response(screening, answers))
        resources.append(observation(screening, answers))
    entries.extend({"fullUrl": _full_url(resource["resourceType"], resource["id"]), "resource": resource}
                   for resource in resources)
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": _instant(timestamp),
        "entry": entries,
    }


# --- Export with access checks --------------------------------------------------------------------------------------


def screening_bundle(session: Session, settings: Settings, actor: Actor, screening_id: str,
                     *, request_id: str | None = None) -> dict[str, Any]:
    """One screening as a Bundle (screening.read over its person's record); audited `screening.export`."""
    from carebridge.kit import clock

    screening = screenings.get_screening(session, settings, actor, screening_id, request_id=request_id)
    answers = screenings.open_answers(session, settings, actor, screening)
    audit.record(session, "screening.export", actor=actor, record_type=clients.RECORD_TYPE,
                 record_id=screening.client_id, request_id=request_id)
    return bundle([(screening, answers)], screening.client_id, clock.utc_now())


def client_bundle(session: Session, settings: Settings, actor: Actor, client_id: str,
                  *, request_id: str | None = None) -> dict[str, Any]:
    """Every screening of one person as a Bundle, oldest first (screening.read); audited `screening.export`."""
    from carebridge.kit import clock

    clients.check(actor, screenings.READ)
    client = clients.find_client(session, actor, client_id, screenings.READ)
    rows = screenings.list_screenings(session, settings, actor, client, request_id=request_id)
    items = [(row, screenings.open_answers(session, settings, actor, row)) for row in reversed(rows)]
    audit.record(session, "screening.export", actor=actor, record_type=clients.RECORD_TYPE, record_id=client.id,
                 request_id=request_id)
    return bundle(items, client.id, clock.utc_now())


# --- Our own checks -----------------------------------------------------------------------------------------------






def problems(document: dict[str, Any], settings: Settings) -> list[str]:
    """What is wrong with an exported Bundle: the R4B models' verdict, then our checks (see the module's doc)."""
    from fhir.resources.R4B.bundle import Bundle
    from pydantic import ValidationError

    found: list[str] = []
    try:
        Bundle.model_validate(document)
    except (ValidationError, ValueError) as problem:
        return [f"not a valid R4B Bundle: {problem}"]
    if document.get("type") != "collection":
        found.append("the bundle is not a collection")
    entries = document.get("entry", [])
    full_urls = {entry["fullUrl"] for entry in entries}
    by_id = {(entry["resource"]["resourceType"], entry["resource"]["id"]): entry["resource"] for entry in entries}
    for entry in entries:
        resource = entry["resource"]
        if entry["fullUrl"] != _full_url(resource["resourceType"], resource["id"]):
            found.append(f"{entry['fullUrl']}: the fullUrl does not name the resource")
        for reference in fhir_walk.references(resource):
            kind, _, target = reference.partition("/")
            if not target or _full_url(kind, target) not in full_urls:
                found.append(f"{resource['resourceType']}/{resource['id']}: {reference} is not in the bundle")
        for coding in fhir_walk.codings(resource):
            if coding["system"] not in SYSTEMS:
                found.append(f"{resource['resourceType']}/{resource['id']}: code system {coding['system']} is not ours")
    for (resource_type, resource_id), resource in by_id.items():
        if resource_type == "QuestionnaireResponse":
            found.extend(_check_response(resource, by_id, settings))
        if resource_type in ("Patient", "Practitioner") and set(resource) - {"resourceType", "id"}:
            found.append(f"{resource_type}/{resource_id}: carries more than its id")
    return found


def _check_response(response: dict[str, Any], by_id: dict, settings: Settings) -> list[str]:
    found: list[str] = []
    name = f"QuestionnaireResponse/{response['id']}"
    canonical = response.get("questionnaire", "")
    code = next((one for one in instruments.INSTRUMENTS if instruments.canonical(one) == canonical), None)
    if code is None:
        return [f"{name}: {canonical} is not one of our questionnaires"]
    structure = {item["linkId"]: item for item in instruments.structure(code)["item"]}
    values: dict[str, int] = {}
    for item in response.get("item", []):
        question = structure.get(item["linkId"])
        if question is None or question["type"] == "display":
            found.append(f"{name}: {item['linkId']} is not a question of {code}")
            continue
        [answer] = item["answer"]
        coding = answer["valueCoding"]
        option = next((option for option in question["answerOption"]
                       if option["valueCoding"]["system"] == coding["system"]
                       and option["valueCoding"]["code"] == coding["code"]), None)
        if option is None:
            found.append(f"{name}: {item['linkId']} answered {coding['code']}, not one of its options")
            continue
        values[item["linkId"]] = instruments.ordinal(option)
    observations = [resource for (kind, _), resource in by_id.items() if kind == "Observation"
                    and f"QuestionnaireResponse/{response['id']}" in [ref["reference"] for ref in resource.get("derivedFrom", [])]]
    if len(observations) != 1:
        return [*found, f"{name}: {len(observations)} Observations derive from it (1 expected)"]
    [score_observation] = observations
    try:
        result = instruments.score(code, values, settings)
    except ValueError as problem:
        return [*found, f"{name}: its answers do not score: {problem}"]
    if score_observation.get("valueInteger") != result.total:
        found.append(f"{name}: the Observation says {score_observation.get('valueInteger')}, the answers score "
                     f"{result.total}")
    band = score_observation["interpretation"][0]["coding"][0]["code"]
    if band != result.band:
        found.append(f"{name}: the Observation's band {band} is not the answers' {result.band}")
    expected_code = TOTAL_CODES[code][1]
    if score_observation["code"]["coding"][0]["code"] != expected_code:
        found.append(f"{name}: the Observation is not coded {expected_code}")
    return found
