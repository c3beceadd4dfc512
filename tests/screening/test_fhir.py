"""FHIR export: a screening as a QuestionnaireResponse and its score as an Observation in a collection Bundle, valid
for fhir.resources' R4B models and for our own checks (references resolve inside the bundle, codes from the declared
systems and the Questionnaire's options, the total is what the answers score); a golden file for one PHQ-9."""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
from pathlib import Path

import pytest
from factories import clients as factories
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from carebridge.config import Settings
from carebridge.errors import NotFound
from carebridge.screening import fhir, service
from carebridge.screening.models import Screening

GOLDEN = Path(__file__).parent / "golden" / "phq-9-bundle.json"
MOMENT = dt.datetime(2026, 11, 30, 9, 15, tzinfo=dt.UTC)
CLIENT_ID = "0b6a1b1e-3f0e-4c55-9a5e-3b1f1c2d4e5f"
STAFF_ID = "7d2c6f0a-1e4b-4b8f-8c9d-0a1b2c3d4e5f"
SCREENING_ID = "5e3f9a2b-8c7d-4e6f-9a1b-2c3d4e5f6a7b"
PHQ9 = {"items": {"item-1": 2, "item-2": 2, "item-3": 1, "item-4": 3, "item-5": 0, "item-6": 1, "item-7": 1,
                  "item-8": 0, "item-9": 1}, "difficulty": 2}


@pytest.fixture
def settings() -> Settings:
    return Settings()


def phq9_screening(**changes: object) -> Screening:
    values = {"id": SCREENING_ID, "client_id": CLIENT_ID, "organisation_id": "org", "instrument": "phq-9",
              "language": "en", "mode": "staff", "administered_by": STAFF_ID, "completed_at": MOMENT, "total": 11,
              "band": "moderate", "positive": True, "risk": True, "answers": b""} | changes
    return Screening(**values)


def golden_bundle() -> dict:
    return fhir.bundle([(phq9_screening(), PHQ9)], CLIENT_ID, MOMENT + dt.timedelta(hours=1))


def test_one_phq9_matches_the_golden_file(settings: Settings) -> None:
    document = golden_bundle()
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert document == json.loads(GOLDEN.read_text(encoding="utf-8"))


def test_the_golden_bundle_is_valid_r4b_and_passes_our_checks(settings: Settings) -> None:
    document = json.loads(GOLDEN.read_text(encoding="utf-8"))
    Bundle.model_validate(document)
    assert fhir.problems(document, settings) == []
    resources = {entry["resource"]["resourceType"]: entry["resource"] for entry in document["entry"]}
    response = QuestionnaireResponse.model_validate(resources["QuestionnaireResponse"])
    assert response.questionnaire == "https://carebridge.example/fhir/Questionnaire/phq-9|1.0.0"
    assert response.status == "completed" and response.subject.reference == f"Patient/{CLIENT_ID}"
    assert response.author.reference == f"Practitioner/{STAFF_ID}"
    assert [item.linkId for item in response.item] == [f"item-{n}" for n in range(1, 10)] + ["difficulty"]
    assert response.item[8].answer[0].valueCoding.code == "LA6569-3"
    assert response.item[9].answer[0].valueCoding.code == "LA6575-0"
    observation = Observation.model_validate(resources["Observation"])
    assert observation.code.coding[0].code == "44261-6" and observation.valueInteger == 11
    assert observation.category[0].coding[0].code == "survey"
    assert observation.interpretation[0].coding[0].code == "moderate"
    assert observation.derivedFrom[0].reference == f"QuestionnaireResponse/{SCREENING_ID}"
    assert resources["Patient"] == {"resourceType": "Patient", "id": CLIENT_ID}
    assert resources["Practitioner"] == {"resourceType": "Practitioner", "id": STAFF_ID}


def test_our_checks_catch_what_the_models_let_through(settings: Settings) -> None:
    good = golden_bundle()

    def entry(document: dict, kind: str) -> dict:
        return next(one["resource"] for one in document["entry"] if one["resource"]["resourceType"] == kind)

    wrong_total = copy.deepcopy(good)
    entry(wrong_total, "Observation")["valueInteger"] = 12
    wrong_code = copy.deepcopy(good)
    entry(wrong_code, "QuestionnaireResponse")["item"][0]["answer"][0]["valueCoding"]["code"] = "LA9999-9"
    foreign_system = copy.deepcopy(good)
    entry(foreign_system, "Observation")["code"]["coding"][0]["system"] = "http://snomed.info/sct"
    dangling = copy.deepcopy(good)
    dangling["entry"] = [one for one in dangling["entry"] if one["resource"]["resourceType"] != "Practitioner"]
    named = copy.deepcopy(good)
    entry(named, "Patient")["name"] = [{"text": "Somebody"}]
    cases = {
        "the answers score 11": wrong_total,
        "LA9999-9, not one of its options": wrong_code,
        "code system http://snomed.info/sct": foreign_system,
        f"Practitioner/{STAFF_ID} is not in the bundle": dangling,
        "carries more than its id": named,
    }
    for says, document in cases.items():
        Bundle.model_validate(document)  # the models accept each of these
        found = fhir.problems(document, settings)
        assert any(says in problem for problem in found), (says, found)


@pytest.mark.parametrize(("instrument", "answers", "total", "band", "positive", "risk"), [
    ("gad-7", {"items": {f"item-{n}": 2 for n in range(1, 8)}, "difficulty": None}, 14, "moderate", True, False),
    ("pc-ptsd-5", {"items": {"exposure": 0}, "difficulty": None}, 0, "negative", False, False),
    ("pc-ptsd-5", {"items": {"exposure": 1} | {f"item-{n}": 1 for n in range(1, 6)}, "difficulty": None}, 5,
     "positive", True, False),
    ("rhs-15", {"items": {f"item-{n}": 1 for n in range(1, 15)} | {"item-15": 3}, "difficulty": None}, 14, "positive",
     True, False),
])
def test_every_instrument_exports_valid_fhir(settings: Settings, instrument, answers, total, band, positive, risk) -> None:  # noqa: ANN001
    screening = phq9_screening(instrument=instrument, total=total, band=band, positive=positive, risk=risk, mode="self",
                               administered_by=None, language="interpreter")
    document = fhir.bundle([(screening, answers)], CLIENT_ID, MOMENT)
    Bundle.model_validate(document)
    assert fhir.problems(document, settings) == []
    response = next(one["resource"] for one in document["entry"]
                    if one["resource"]["resourceType"] == "QuestionnaireResponse")
    assert response["author"] == {"reference": f"Patient/{CLIENT_ID}"}
    assert len(response["item"]) == len(answers["items"])
    assert [one["resource"]["resourceType"] for one in document["entry"]] == ["Patient", "QuestionnaireResponse",
                                                                                "Observation"]


def test_exporting_stored_screenings_is_scoped_audited_and_valid(session, settings) -> None:  # noqa: ANN001
    worker = factories.caseworker(session)
    person = factories.client(session, settings, worker.actor)
    first = service.record_screening(session, settings, client=person, instrument="phq-9", language="en", mode="staff",
                                     actor=worker.actor, answers=PHQ9["items"] | {"difficulty": 2})
    service.record_screening(session, settings, client=person, instrument="gad-7", language="en", mode="staff",
                             actor=worker.actor, answers={f"item-{n}": 1 for n in range(1, 8)})
    one = fhir.screening_bundle(session, settings, worker.actor, first.id)
    assert fhir.problems(one, settings) == []
    everything = fhir.client_bundle(session, settings, worker.actor, person.id)
    assert fhir.problems(everything, settings) == []
    kinds = [entry["resource"]["resourceType"] for entry in everything["entry"]]
    assert kinds.count("QuestionnaireResponse") == 2 and kinds.count("Observation") == 2 and kinds.count("Practitioner") == 1
    assert factories.audit_actions(session, person.id)[-1] == "screening.export"
    stranger = factories.caseworker(session)
    with pytest.raises(NotFound):
        fhir.screening_bundle(session, settings, stranger.actor, first.id)
    with pytest.raises(NotFound):
        fhir.client_bundle(session, settings, stranger.actor, person.id)
