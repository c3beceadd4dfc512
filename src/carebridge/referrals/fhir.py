"""FHIR R4 export of a referral in the shape of HL7's Gravity SDOH Clinical Care guide (STU2): a Bundle (type
collection) holding an SDOHCC ServiceRequest (what is asked for) and an SDOHCC Task for Referral Management (where the
referral stands), the Patient, the Organizations and, once completed, the Procedure that says what was done.

    bundle = export(session, settings, actor, referral_id, request_id=...)   # referrer or receiver; audited
    bundle = referral_bundle(referral, view, timestamp)                     # the pure mapping (tests, golden files)
    problems(bundle) -> list[str]                                           # R4B models + our own checks

Minimum necessary: the Patient carries its random record id and only what the referral shares and the actor may see
now (the name to use, languages, interpreter need); nothing else of the record. The receiver sees the shared items
and the outcome only while `access.receiver_sees_details` holds and the share consent is still in force; afterwards
the export is the referral's shell (service, dates, state, reason code). The referrer always sees what they shared and
the outcome. A service manager who may only look at the referral (no party) cannot export it.

The mapping (docs/referral-reports.md has it as a table):
- Task.status is our state (our states are Gravity's referral Task statuses: FHIR TaskStatus without ready and
  received); ServiceRequest.status follows: draft → draft, requested/accepted/in-progress → active, on-hold →
  on-hold, completed → completed, rejected/cancelled/failed → revoked, entered-in-error → entered-in-error.
- Task.statusReason (coded in our referral-status-reason system, text required by the guide) while the state is
  one that needs a reason (rejected, cancelled, on-hold, failed).
- priority routine | urgent on both; Task.code task-code#fulfill; Task.focus → the ServiceRequest; Task.for → the
  Patient; Task.requester → the referring Organization; Task.owner → the receiving Organization (the directory's
  organisation when it does not use Carebridge); Task.authoredOn is when it was requested (or created, for a draft),
  Task.lastModified the last change.
- Task.output (type resulting-activity) → a Procedure (status completed) whose code.text is the outcome, when the
  referral is completed and the actor may see the outcome.
- "Do not contact": ServiceRequest.orderDetail = SDOHCC temporary code contacting-subject-prohibited (the guide's
  SubjectContactDetail slice), from the referral's flag or the record's do-not-contact, whichever is stricter.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from carebridge.accounts.access import Actor
from carebridge.accounts.models import Organisation
from carebridge.audit import service as audit
from carebridge.clients import service as clients
from carebridge.clients.models import Client
from carebridge.config import Settings
from carebridge.consent.models import Consent
from carebridge.errors import N_, Forbidden
from carebridge.keys import service as keys
from carebridge.keys.service import KeyDestroyed
from carebridge.kit import clock
from carebridge.kit import fhir as fhir_walk
from carebridge.referrals import access
from carebridge.referrals.models import Referral
from carebridge.referrals.states import NEEDS_REASON, REASONS, Party, State
from carebridge.screening.instruments import FHIR_BASE

MEDIA_TYPE = "application/fhir+json"
SDOHCC = "http://hl7.org/fhir/us/sdoh-clinicalcare"
SERVICE_REQUEST_PROFILE = f"{SDOHCC}/StructureDefinition/SDOHCC-ServiceRequest"
TASK_PROFILE = f"{SDOHCC}/StructureDefinition/SDOHCC-TaskForReferralManagement"
PROCEDURE_PROFILE = f"{SDOHCC}/StructureDefinition/SDOHCC-Procedure"
TEMPORARY_CODES = f"{SDOHCC}/CodeSystem/SDOHCC-CodeSystemTemporaryCodes"
TASK_CODE = "http://hl7.org/fhir/CodeSystem/task-code"
SNOMED = "http://snomed.info/sct"
BCP47 = "urn:ietf:bcp:47"
REASON_SYSTEM = f"{FHIR_BASE}/CodeSystem/referral-status-reason"
KIND_SYSTEM = f"{FHIR_BASE}/CodeSystem/referral-kind"
INTERPRETER_REQUIRED = "http://hl7.org/fhir/StructureDefinition/patient-interpreterRequired"
IMMIGRATION_EXTENSION = f"{FHIR_BASE}/StructureDefinition/immigration-situation"
SYSTEMS = frozenset({TEMPORARY_CODES, TASK_CODE, SNOMED, BCP47, REASON_SYSTEM, KIND_SYSTEM})

SOCIAL_SERVICE = (SNOMED, "410606002", "Social service procedure")
PATIENT_REFERRAL = (SNOMED, "3457005", "Patient referral")
FULFILL = (TASK_CODE, "fulfill", "Fulfill the focal request")
RESULTING_ACTIVITY = (TEMPORARY_CODES, "resulting-activity", "Resulting Activity")
CONTACT_PROHIBITED = (TEMPORARY_CODES, "contacting-subject-prohibited", "Contacting Subject Prohibited")
KINDS = {"referral": "Referral", "social-prescribing": "Social prescribing"}
REASON_DISPLAY = {
    "no-answer": "No answer from the receiving service in time",
    "not-eligible": "Not eligible for the service",
    "no-capacity": "The service has no capacity",
    "person-declined": "The person declined",
    "person-unreachable": "The person could not be reached",
    "duplicate": "Duplicate referral",
    "safeguarding": "Safeguarding",
    "other": "Other reason",
}
NO_REASON_RECORDED = "No reason recorded"
# ServiceRequest.status (RequestStatus) for each Task.status.
REQUEST_STATUS = {
    State.DRAFT: "draft",
    State.REQUESTED: "active",
    State.ACCEPTED: "active",
    State.IN_PROGRESS: "active",
    State.ON_HOLD: "on-hold",
    State.COMPLETED: "completed",
    State.REJECTED: "revoked",
    State.CANCELLED: "revoked",
    State.FAILED: "revoked",
    State.ENTERED_IN_ERROR: "entered-in-error",
}
# The guide's referral Task status value set: FHIR TaskStatus without ready and received.
GRAVITY_TASK_STATUSES = frozenset(
    {"draft", "requested", "accepted", "rejected", "cancelled", "in-progress", "on-hold", "completed", "failed",
     "entered-in-error"}
)
# Keys of the sealed `shared` JSON (referrals.service.SHAREABLE) this export maps; anything else is left out.
SHARED_NAME, SHARED_LANGUAGES, SHARED_INTERPRETER, SHARED_REASON, SHARED_CONTACT, SHARED_IMMIGRATION = (
    "name", "languages", "interpreter", "reason", "contact", "immigration"
)
_FHIR_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
_ID_NAMESPACE = uuid.UUID("5b0c1f39-7a3e-4f57-9d1e-8f0a3c0b6e21")


@dataclass(frozen=True)
class View:
    """What the export may carry for this actor: the shared items (already opened) and the outcome, or None."""

    shared: dict[str, Any] = field(default_factory=dict)
    outcome: str | None = None
    contact_prohibited: bool = False
    referring_name: str = ""
    receiving_name: str = ""


# --- The mapping ----------------------------------------------------------------------------------------------------


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


def fhir_id(value: str, prefix: str = "") -> str:
    """A FHIR id for one of our ids or a directory id: itself when it fits FHIR's pattern, else a stable UUID of it."""
    candidate = f"{prefix}{value}"
    return candidate if _FHIR_ID.match(candidate) else str(uuid.uuid5(_ID_NAMESPACE, candidate))


def receiving_organisation_id(referral: Referral) -> str:
    """The Organization the Task is owned by: the staff organisation, or the directory's organisation."""
    if referral.receiving_organisation_id:
        return referral.receiving_organisation_id
    return fhir_id(referral.directory_organization_id or referral.service_id, "directory-")


def _patient(referral: Referral, view: View) -> dict[str, Any]:
    patient: dict[str, Any] = {"resourceType": "Patient", "id": referral.client_id}
    shared = view.shared
    name = shared.get(SHARED_NAME)
    if isinstance(name, str) and name.strip():
        patient["name"] = [{"use": "usual", "text": name.strip()}]
    contact = shared.get(SHARED_CONTACT)
    if not view.contact_prohibited and isinstance(contact, dict) and contact.get("kind") in {"phone", "email", "sms"}:
        value = contact.get("value")
        if isinstance(value, str) and value.strip():
            patient["telecom"] = [{"system": "email" if contact["kind"] == "email" else "phone", "value": value.strip()}]
    languages = shared.get(SHARED_LANGUAGES)
    if isinstance(languages, list):
        tags = [tag for tag in languages if isinstance(tag, str) and tag.strip()]
        patient["communication"] = [
            {"language": {"coding": [_coding(BCP47, tag.strip())]}, **({"preferred": True} if index == 0 else {})}
            for index, tag in enumerate(tags)
        ] or None
        if patient["communication"] is None:
            del patient["communication"]
    interpreter = shared.get(SHARED_INTERPRETER)
    if isinstance(interpreter, bool):
        patient["extension"] = [{"url": INTERPRETER_REQUIRED, "valueBoolean": interpreter}]
    return patient


def _contact_note(contact: Any) -> str | None:
    """A contact route that is not a phone number or an address (an organisation to ask, in person) as words."""
    if isinstance(contact, str) and contact.strip():
        return contact.strip()
    if isinstance(contact, dict) and contact.get("kind") not in {"phone", "email", "sms"}:
        parts = [str(contact[key]).strip() for key in ("organisation", "ask_for", "value") if contact.get(key)]
        return "; ".join(part for part in parts if part) or None
    return None


def service_request(referral: Referral, view: View) -> dict[str, Any]:
    state = State(referral.status)
    resource: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "id": referral.id,
        "meta": {"profile": [SERVICE_REQUEST_PROFILE]},
        "status": REQUEST_STATUS[state],
        "intent": "order",
        "category": [{"coding": [_coding(*SOCIAL_SERVICE)]},
                     {"coding": [_coding(KIND_SYSTEM, referral.kind, KINDS.get(referral.kind))]}],
        "priority": referral.priority,
        "code": {"coding": [_coding(*PATIENT_REFERRAL)], "text": referral.service_name or referral.service_id},
        "subject": {"reference": f"Patient/{referral.client_id}"},
        "authoredOn": _instant(referral.requested_at or referral.created_at),
        "requester": {"reference": f"Organization/{referral.referring_organisation_id}"},
        "performer": [{"reference": f"HealthcareService/{fhir_id(referral.service_id, 'service-')}"}],
        "identifier": [{"system": f"{FHIR_BASE}/directory/service-at-location", "value": referral.service_at_location_id}],
    }
    if view.contact_prohibited:
        resource["orderDetail"] = [{"coding": [_coding(*CONTACT_PROHIBITED)]}]
    reason = view.shared.get(SHARED_REASON)
    if isinstance(reason, str) and reason.strip():
        resource["reasonCode"] = [{"text": reason.strip()}]
    notes = []
    contact = _contact_note(view.shared.get(SHARED_CONTACT)) if not view.contact_prohibited else None
    if contact:
        notes.append({"text": f"Contact route: {contact}"})
    if notes:
        resource["note"] = notes
    immigration = view.shared.get(SHARED_IMMIGRATION)
    if isinstance(immigration, str) and immigration.strip():
        resource["extension"] = [{"url": IMMIGRATION_EXTENSION, "valueString": immigration.strip()}]
    return resource


def task(referral: Referral, view: View) -> dict[str, Any]:
    state = State(referral.status)
    resource: dict[str, Any] = {
        "resourceType": "Task",
        "id": referral.id,
        "meta": {"profile": [TASK_PROFILE]},
        "status": state.value,
        "intent": "order",
        "priority": referral.priority,
        "code": {"coding": [_coding(*FULFILL)]},
        "focus": {"reference": f"ServiceRequest/{referral.id}"},
        "for": {"reference": f"Patient/{referral.client_id}"},
        "authoredOn": _instant(referral.requested_at or referral.created_at),
        "lastModified": _instant(referral.updated_at),
        "requester": {"reference": f"Organization/{referral.referring_organisation_id}"},
        "owner": {"reference": f"Organization/{receiving_organisation_id(referral)}"},
    }
    if state in NEEDS_REASON:
        code = referral.status_reason if referral.status_reason in REASONS else None
        display = REASON_DISPLAY[code] if code else NO_REASON_RECORDED
        reason: dict[str, Any] = {"text": display}
        if code:
            reason["coding"] = [_coding(REASON_SYSTEM, code, display)]
        resource["statusReason"] = reason
    if referral.requested_at or referral.closed_at:
        period: dict[str, str] = {}
        if referral.requested_at:
            period["start"] = _instant(referral.requested_at)
        if referral.closed_at:
            period["end"] = _instant(referral.closed_at)
        resource["executionPeriod"] = period
    if state is State.COMPLETED and view.outcome:
        resource["output"] = [{
            "type": {"coding": [_coding(*RESULTING_ACTIVITY)]},
            "valueReference": {"reference": f"Procedure/{procedure_id(referral)}"},
        }]
    return resource


def procedure_id(referral: Referral) -> str:
    return f"{referral.id}-outcome"


def procedure(referral: Referral, view: View) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Procedure",
        "id": procedure_id(referral),
        "meta": {"profile": [PROCEDURE_PROFILE]},
        "status": "completed",
        "code": {"coding": [_coding(*SOCIAL_SERVICE)], "text": view.outcome},
        "subject": {"reference": f"Patient/{referral.client_id}"},
        "basedOn": [{"reference": f"ServiceRequest/{referral.id}"}],
    }
    if referral.closed_at:
        resource["performedDateTime"] = _instant(referral.closed_at)
    return resource


def referral_bundle(referral: Referral, view: View, timestamp: dt.datetime) -> dict[str, Any]:
    """The Bundle (type collection): Task, ServiceRequest, Patient, the Organizations, the HealthcareService and, when
    completed with a visible outcome, the Procedure."""
    receiving = receiving_organisation_id(referral)
    service_id = fhir_id(referral.service_id, "service-")
    resources: list[dict[str, Any]] = [task(referral, view), service_request(referral, view), _patient(referral, view)]
    referring: dict[str, Any] = {"resourceType": "Organization", "id": referral.referring_organisation_id}
    if view.referring_name:
        referring["name"] = view.referring_name
    resources.append(referring)
    if receiving != referral.referring_organisation_id:
        name = view.receiving_name or referral.organization_name
        owner: dict[str, Any] = {"resourceType": "Organization", "id": receiving}
        if name:
            owner["name"] = name
        if referral.directory_organization_id:
            owner["identifier"] = [{"system": f"{FHIR_BASE}/directory/organization", "value": referral.directory_organization_id}]
        resources.append(owner)
    healthcare_service: dict[str, Any] = {
        "resourceType": "HealthcareService",
        "id": service_id,
        "identifier": [{"system": f"{FHIR_BASE}/directory/service", "value": referral.service_id}],
        "providedBy": {"reference": f"Organization/{receiving}"},
    }
    if referral.service_name:
        healthcare_service["name"] = referral.service_name
    resources.append(healthcare_service)
    if State(referral.status) is State.COMPLETED and view.outcome:
        resources.append(procedure(referral, view))
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": _instant(timestamp),
        "entry": [{"fullUrl": _full_url(resource["resourceType"], resource["id"]), "resource": resource}
                  for resource in resources],
    }


# --- Export with access checks --------------------------------------------------------------------------------------


def _consent_in_force(session: Session, referral: Referral) -> bool:
    """The share consent the referral went under is still in force (an override has none: it stands)."""
    if referral.consent_override and referral.consent_id is None:
        return True
    if referral.consent_id is None:
        return False
    row = session.get(Consent, referral.consent_id)
    return row is not None and row.withdrawn_at is None


def view_for(session: Session, settings: Settings, actor: Actor, referral: Referral,
             parties: frozenset[Party]) -> View:
    """What this actor's export may carry (see the module's doc)."""
    client = session.get(Client, referral.client_id)
    prohibited = bool(referral.contact_prohibited or (client is not None and client.do_not_contact))
    referrer = Party.REFERRER in parties
    details = referrer or (
        Party.RECEIVER in parties
        and access.receiver_sees_details(session, actor, referral)
        and _consent_in_force(session, referral)
    )
    shared: dict[str, Any] = {}
    outcome: str | None = None
    if details and (referral.shared is not None or referral.outcome is not None):
        try:
            key = keys.data_key(session, settings, clients.SUBJECT, referral.client_id)
        except KeyDestroyed:
            key = None
        if key is not None:
            if referral.shared is not None:
                opened = key.open_json("referral", "shared", referral.id, referral.shared)
                shared = opened if isinstance(opened, dict) else {}
            if referral.outcome is not None:
                outcome = key.open_text("referral", "outcome", referral.id, referral.outcome)
    wanted = [i for i in (referral.referring_organisation_id, referral.receiving_organisation_id) if i]
    names = {row.id: row.name for row in session.execute(
        select(Organisation.id, Organisation.name).where(Organisation.id.in_(wanted)))}
    return View(
        shared=shared,
        outcome=outcome,
        contact_prohibited=prohibited,
        referring_name=names.get(referral.referring_organisation_id, ""),
        receiving_name=names.get(referral.receiving_organisation_id or "", ""),
    )


def export(session: Session, settings: Settings, actor: Actor, referral_id: str,
           *, request_id: str | None = None) -> dict[str, Any]:
    """The referral as a Bundle, for its referrer or its receiver; audited `referral.export-fhir` on the person's
    record. NotFound when the actor may not see the referral, Forbidden when they may look but play no party."""
    referral, parties = access.find_referral(session, actor, referral_id)
    if not parties:
        raise Forbidden(N_("Only the referrer or the receiving organisation can export a referral."))
    view = view_for(session, settings, actor, referral, parties)
    audit.record(session, "referral.export-fhir", actor=actor, record_type=clients.RECORD_TYPE,
                 record_id=referral.client_id, request_id=request_id)
    return referral_bundle(referral, view, clock.utc_now())


# --- Our own checks -------------------------------------------------------------------------------------------------






def problems(document: dict[str, Any]) -> list[str]:
    """What is wrong with an exported Bundle: the R4B models' verdict, then the guide's rules we rely on."""
    from fhir.resources.R4B.bundle import Bundle

    try:
        Bundle.model_validate(document)
    except Exception as problem:  # noqa: BLE001 - pydantic's ValidationError and its kin: reported, not raised
        return [f"not a valid R4B Bundle: {problem}"]
    found: list[str] = []
    if document.get("type") != "collection":
        found.append("the Bundle is not a collection")
    resources = [entry.get("resource", {}) for entry in document.get("entry", [])]
    by_reference = {f"{resource.get('resourceType')}/{resource.get('id')}": resource for resource in resources}
    for entry in document.get("entry", []):
        resource = entry.get("resource", {})
        if entry.get("fullUrl") != _full_url(resource.get("resourceType", ""), resource.get("id", "")):
            found.append(f"fullUrl {entry.get('fullUrl')} does not name its resource")
    if len(by_reference) != len(resources):
        found.append("two entries share a type and id")
    for reference in fhir_walk.references(document):
        if reference not in by_reference:
            found.append(f"reference {reference} does not resolve inside the Bundle")
    for coding in fhir_walk.codings(document):
        if coding.get("system") not in SYSTEMS:
            found.append(f"code {coding.get('code')} is from an undeclared system {coding.get('system')}")
    tasks = [resource for resource in resources if resource.get("resourceType") == "Task"]
    requests = [resource for resource in resources if resource.get("resourceType") == "ServiceRequest"]
    if len(tasks) != 1 or len(requests) != 1:
        return [*found, "the Bundle must hold exactly one Task and one ServiceRequest"]
    found.extend(_check_task(tasks[0], requests[0], by_reference))
    found.extend(_check_request(requests[0], tasks[0]))
    return found


def _check_task(resource: dict[str, Any], request: dict[str, Any], by_reference: dict[str, Any]) -> list[str]:
    found = []
    if TASK_PROFILE not in resource.get("meta", {}).get("profile", []):
        found.append("the Task does not claim the SDOHCC Task for Referral Management profile")
    for element in ("status", "intent", "code", "focus", "for", "authoredOn", "requester"):
        if element not in resource:
            found.append(f"Task.{element} is missing")
    status = resource.get("status")
    if status not in GRAVITY_TASK_STATUSES:
        found.append(f"Task.status {status} is not in the guide's referral task statuses")
    if resource.get("intent") != "order":
        found.append("Task.intent must be order")
    if resource.get("priority") not in {None, "routine", "urgent"}:
        found.append("Task.priority must be routine or urgent")
    codings = resource.get("code", {}).get("coding", [])
    if not any(c.get("system") == TASK_CODE and c.get("code") == "fulfill" for c in codings):
        found.append("Task.code must be task-code#fulfill")
    if resource.get("focus", {}).get("reference") != f"ServiceRequest/{request.get('id')}":
        found.append("Task.focus must be the ServiceRequest")
    if not str(resource.get("for", {}).get("reference", "")).startswith("Patient/"):
        found.append("Task.for must be a Patient")
    for element in ("requester", "owner"):
        reference = resource.get(element, {}).get("reference")
        if reference is not None and not reference.startswith("Organization/"):
            found.append(f"Task.{element} must be an Organization")
    if status in {state.value for state in NEEDS_REASON} and not resource.get("statusReason", {}).get("text"):
        found.append(f"Task.statusReason.text is required when the Task is {status}")
    for output in resource.get("output", []):
        types = output.get("type", {}).get("coding", [])
        if not any(c.get("system") == TEMPORARY_CODES and c.get("code") == "resulting-activity" for c in types):
            found.append("Task.output.type must be resulting-activity")
        target = by_reference.get(output.get("valueReference", {}).get("reference", ""))
        if target is None or target.get("resourceType") != "Procedure" or target.get("status") != "completed":
            found.append("Task.output must name a completed Procedure")
    if resource.get("output") and status != "completed":
        found.append("only a completed Task carries an output")
    return found


def _check_request(resource: dict[str, Any], task_resource: dict[str, Any]) -> list[str]:
    found = []
    if SERVICE_REQUEST_PROFILE not in resource.get("meta", {}).get("profile", []):
        found.append("the ServiceRequest does not claim the SDOHCC ServiceRequest profile")
    for element in ("status", "intent", "code", "subject"):
        if element not in resource:
            found.append(f"ServiceRequest.{element} is missing")
    try:
        expected = REQUEST_STATUS[State(task_resource.get("status"))]
    except ValueError:
        expected = None
    if resource.get("status") != expected:
        found.append(f"ServiceRequest.status {resource.get('status')} does not follow Task.status")
    if resource.get("subject") != task_resource.get("for"):
        found.append("ServiceRequest.subject and Task.for differ")
    if resource.get("priority") != task_resource.get("priority"):
        found.append("ServiceRequest.priority and Task.priority differ")
    for detail in resource.get("orderDetail", []):
        codings = detail.get("coding", [])
        if not any(c.get("system") == TEMPORARY_CODES and c.get("code") == CONTACT_PROHIBITED[1] for c in codings):
            found.append("ServiceRequest.orderDetail carries an unknown code")
    return found
