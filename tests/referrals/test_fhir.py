"""The referral's FHIR export (Gravity SDOHCC ServiceRequest + Task for Referral Management): every state exports
and validates (R4B models and our checks), golden files for three states, minimum necessary per party, the route's
access and its audit, and a hypothesis walk over states × reasons × priority × sharing."""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
from pathlib import Path

import pytest
from factories import clients, referral_rows
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from carebridge.config import Settings
from carebridge.errors import Forbidden, NotFound
from carebridge.referrals import fhir
from carebridge.referrals.models import Referral
from carebridge.referrals.states import NEEDS_REASON, REASONS, State

GOLDEN = Path(__file__).parent / "golden"
NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def settings() -> Settings:
    return clients.settings()


def _resource(bundle: dict, resource_type: str) -> dict:
    found = [entry["resource"] for entry in bundle["entry"] if entry["resource"]["resourceType"] == resource_type]
    assert len(found) == 1, [entry["resource"]["resourceType"] for entry in bundle["entry"]]
    return found[0]


def _fixed_row(status: str, *, reason: str | None = None, priority: str = "routine", tracked: bool = False) -> Referral:
    """A referral row with fixed ids and moments (no database): the golden files' input."""
    requested = NOW - dt.timedelta(days=10)
    return Referral(
        id="6f1c2a9e-0b8d-4f7a-9a51-1f6f3f0c2d11", kind="referral", client_id="0d7e3b57-5a3f-4d0e-8f55-9a2b3c4d5e6f",
        referring_organisation_id="a1b2c3d4-0000-4000-8000-000000000001", referring_team_id=None, referred_by=None,
        service_at_location_id="sal-0001", service_id="svc-0001", directory_organization_id="org-0001",
        service_name="Talking therapies drop-in", organization_name="Harbour Counselling",
        receiving_organisation_id=None if tracked else "a1b2c3d4-0000-4000-8000-000000000002",
        status=status, priority=priority, status_reason=reason, shared_fields="interpreter,languages,name,reason",
        contact_prohibited=False, consent_override=False, version=1, fictional=False,
        created_at=requested - dt.timedelta(minutes=5), updated_at=NOW - dt.timedelta(days=1),
        requested_at=None if status == "draft" else requested,
        answered_at=requested + dt.timedelta(days=2) if status in {"accepted", "completed", "rejected"} else None,
        closed_at=NOW - dt.timedelta(days=1) if status in {"completed", "rejected", "cancelled"} else None,
    )


FULL_VIEW = fhir.View(shared=dict(referral_rows.SHARED), outcome="Seen twice; joined the Arabic-speaking group",
                      referring_name="Northside Link Workers", receiving_name="Harbour Counselling")
GOLDEN_CASES = {
    "requested": dict(status="requested", priority="urgent"),
    "rejected-no-answer": dict(status="rejected", reason="no-answer"),
    "completed": dict(status="completed"),
}


@pytest.mark.parametrize("name", sorted(GOLDEN_CASES))
def test_the_mapping_matches_the_golden_files(name: str) -> None:
    bundle = fhir.referral_bundle(_fixed_row(**GOLDEN_CASES[name]), FULL_VIEW, NOW)
    path = GOLDEN / f"referral-{name}.json"
    if os.environ.get("CAREBRIDGE_WRITE_GOLDEN"):
        path.write_text(json.dumps(bundle, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert bundle == json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(GOLDEN_CASES))
def test_the_golden_files_are_valid_r4b_and_pass_our_checks(name: str) -> None:
    document = json.loads((GOLDEN / f"referral-{name}.json").read_text(encoding="utf-8"))
    assert fhir.problems(document) == []


def test_the_completed_golden_file_says_what_gravity_says() -> None:
    bundle = json.loads((GOLDEN / "referral-completed.json").read_text(encoding="utf-8"))
    task = _resource(bundle, "Task")
    request = _resource(bundle, "ServiceRequest")
    assert task["meta"]["profile"] == ["http://hl7.org/fhir/us/sdoh-clinicalcare/StructureDefinition/SDOHCC-TaskForReferralManagement"]
    assert request["meta"]["profile"] == ["http://hl7.org/fhir/us/sdoh-clinicalcare/StructureDefinition/SDOHCC-ServiceRequest"]
    assert task["code"]["coding"] == [{"system": "http://hl7.org/fhir/CodeSystem/task-code", "code": "fulfill",
                                       "display": "Fulfill the focal request"}]
    assert task["intent"] == "order" and task["status"] == "completed" and request["status"] == "completed"
    assert task["focus"] == {"reference": f"ServiceRequest/{request['id']}"}
    assert task["for"] == request["subject"] == {"reference": "Patient/0d7e3b57-5a3f-4d0e-8f55-9a2b3c4d5e6f"}
    assert task["requester"] == {"reference": "Organization/a1b2c3d4-0000-4000-8000-000000000001"}
    assert task["owner"] == {"reference": "Organization/a1b2c3d4-0000-4000-8000-000000000002"}
    assert task["output"][0]["type"]["coding"][0]["code"] == "resulting-activity"
    procedure = _resource(bundle, "Procedure")
    assert procedure["code"]["text"] == "Seen twice; joined the Arabic-speaking group"
    assert task["output"][0]["valueReference"] == {"reference": f"Procedure/{procedure['id']}"}
    patient = _resource(bundle, "Patient")
    assert patient["name"] == [{"use": "usual", "text": "Layla"}]
    assert [c["language"]["coding"][0]["code"] for c in patient["communication"]] == ["ar", "en"]


def test_a_rejected_task_has_its_reason_coded_and_in_words() -> None:
    bundle = json.loads((GOLDEN / "referral-rejected-no-answer.json").read_text(encoding="utf-8"))
    task = _resource(bundle, "Task")
    assert task["statusReason"]["coding"][0]["code"] == "no-answer"
    assert task["statusReason"]["text"]
    assert _resource(bundle, "ServiceRequest")["status"] == "revoked"
    assert "output" not in task


@pytest.mark.parametrize("state", list(State))
def test_every_state_exports_and_validates(state: State) -> None:
    reason = "other" if state in NEEDS_REASON else None
    bundle = fhir.referral_bundle(_fixed_row(state.value, reason=reason), FULL_VIEW, NOW)
    assert fhir.problems(bundle) == []
    task = _resource(bundle, "Task")
    assert task["status"] == state.value
    assert _resource(bundle, "ServiceRequest")["status"] == fhir.REQUEST_STATUS[state]
    assert ("statusReason" in task) == (state in NEEDS_REASON)
    assert ("output" in task) == (state is State.COMPLETED)


def test_a_tracked_referral_is_owned_by_the_directory_organisation() -> None:
    bundle = fhir.referral_bundle(_fixed_row("accepted", tracked=True), FULL_VIEW, NOW)
    assert fhir.problems(bundle) == []
    owner = _resource(bundle, "Task")["owner"]["reference"]
    organisations = {e["resource"]["id"]: e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Organization"}
    assert owner == "Organization/directory-org-0001"
    assert organisations["directory-org-0001"]["name"] == "Harbour Counselling"


def test_do_not_contact_is_the_gravity_order_detail_and_no_contact_route_leaves() -> None:
    view = fhir.View(shared={"contact": {"kind": "phone", "value": "+447700900123"}}, contact_prohibited=True)
    bundle = fhir.referral_bundle(_fixed_row("requested"), view, NOW)
    assert fhir.problems(bundle) == []
    assert _resource(bundle, "ServiceRequest")["orderDetail"] == [{"coding": [{
        "system": fhir.TEMPORARY_CODES, "code": "contacting-subject-prohibited", "display": "Contacting Subject Prohibited"}]}]
    assert "+447700900123" not in json.dumps(bundle)
    allowed = fhir.referral_bundle(_fixed_row("requested"), fhir.View(shared=view.shared), NOW)
    assert _resource(allowed, "Patient")["telecom"] == [{"system": "phone", "value": "+447700900123"}]
    assert "orderDetail" not in _resource(allowed, "ServiceRequest")


@pytest.mark.parametrize(
    "breakage, expected",
    [
        (lambda b: _resource(b, "Task").__setitem__("focus", {"reference": "ServiceRequest/elsewhere"}), "does not resolve"),
        (lambda b: _resource(b, "Task").pop("statusReason"), "statusReason.text is required"),
        (lambda b: _resource(b, "Task")["code"]["coding"][0].__setitem__("code", "approve"), "task-code#fulfill"),
        (lambda b: _resource(b, "Task").__setitem__("status", "received"), "not in the guide's referral task statuses"),
        (lambda b: _resource(b, "ServiceRequest").__setitem__("status", "active"), "does not follow Task.status"),
        (lambda b: _resource(b, "Task")["meta"].__setitem__("profile", []), "does not claim"),
        (lambda b: _resource(b, "Task")["statusReason"]["coding"][0].__setitem__("system", "http://example.org"), "undeclared system"),
        (lambda b: _resource(b, "Task").__setitem__("priority", "sometime"), "must be routine or urgent"),
        (lambda b: _resource(b, "Task").__setitem__("authoredOn", "yesterday"), "not a valid R4B Bundle"),
    ],
)
def test_our_checks_catch_a_broken_export(breakage, expected: str) -> None:  # noqa: ANN001
    bundle = copy.deepcopy(json.loads((GOLDEN / "referral-rejected-no-answer.json").read_text(encoding="utf-8")))
    assert fhir.problems(bundle) == []
    breakage(bundle)
    found = fhir.problems(bundle)
    assert any(expected in problem for problem in found), found


@hypothesis_settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    state=st.sampled_from(list(State)),
    reason=st.one_of(st.none(), st.sampled_from(REASONS), st.text(max_size=40)),
    priority=st.sampled_from(["routine", "urgent"]),
    tracked=st.booleans(),
    prohibited=st.booleans(),
    shared=st.fixed_dictionaries({}, optional={
        "name": st.text(max_size=30), "languages": st.lists(st.sampled_from(["ar", "fa", "uk", "fr", "es", "en", "ps"]), max_size=3),
        "interpreter": st.booleans(), "reason": st.text(max_size=60),
        "contact": st.one_of(st.text(max_size=20), st.fixed_dictionaries({"kind": st.sampled_from(["phone", "organisation", "in-person"]),
                                                                           "value": st.text(max_size=20)})),
    }),
    outcome=st.one_of(st.none(), st.text(min_size=1, max_size=60)),
)
def test_any_state_reason_and_sharing_exports_a_valid_bundle(state, reason, priority, tracked, prohibited, shared, outcome) -> None:  # noqa: ANN001, PLR0913
    row = _fixed_row(state.value, reason=reason, priority=priority, tracked=tracked)
    view = fhir.View(shared=shared, outcome=outcome, contact_prohibited=prohibited)
    bundle = fhir.referral_bundle(row, view, NOW)
    assert fhir.problems(bundle) == []
    task = _resource(bundle, "Task")
    if state in NEEDS_REASON:
        assert task["statusReason"]["text"]
        assert ("coding" in task["statusReason"]) == (reason in REASONS)
    assert ("output" in task) == (state is State.COMPLETED and bool(outcome))


# --- With the database: who may export, and what they see ------------------------------------------------------------


def test_the_referrer_exports_everything_shared_and_the_outcome(session, settings) -> None:  # noqa: ANN001
    world = referral_rows.world(session, settings)
    consent = referral_rows.share_consent(session, world)
    row = referral_rows.referral(session, settings, world, status="completed", outcome="Seen twice", consent=consent)
    bundle = fhir.export(session, settings, world.actor("link_worker"), row.id)
    assert fhir.problems(bundle) == []
    assert _resource(bundle, "Patient")["name"] == [{"use": "usual", "text": "Layla"}]
    assert _resource(bundle, "Procedure")["code"]["text"] == "Seen twice"
    # Nothing of the record beyond what was shared: not the record's own name, birth date or gender.
    assert "Testperson" not in json.dumps(bundle)
    assert set(_resource(bundle, "Patient")) <= {"resourceType", "id", "name", "communication", "extension", "telecom"}
    assert clients.audit_actions(session, world.person.id).count("referral.export-fhir") == 1


def test_the_receiver_sees_the_shared_items_only_while_the_referral_is_open(session, settings) -> None:  # noqa: ANN001
    world = referral_rows.world(session, settings)
    consent = referral_rows.share_consent(session, world)
    row = referral_rows.referral(session, settings, world, status="accepted", consent=consent)
    open_bundle = fhir.export(session, settings, world.actor("receiving_worker"), row.id)
    assert _resource(open_bundle, "Patient").get("name") == [{"use": "usual", "text": "Layla"}]
    assert _resource(open_bundle, "ServiceRequest")["reasonCode"] == [{"text": "Low mood since arriving"}]
    row.status, row.outcome = "completed", None
    session.flush()
    shell = fhir.export(session, settings, world.actor("receiving_worker"), row.id)
    assert fhir.problems(shell) == []
    assert set(_resource(shell, "Patient")) == {"resourceType", "id"}
    assert "reasonCode" not in _resource(shell, "ServiceRequest")
    assert "Layla" not in json.dumps(shell) and "Low mood" not in json.dumps(shell)


def test_a_withdrawn_consent_hides_the_shared_items_from_the_receiver_at_once(session, settings) -> None:  # noqa: ANN001
    world = referral_rows.world(session, settings)
    consent = referral_rows.share_consent(session, world, withdrawn=True)
    row = referral_rows.referral(session, settings, world, status="requested", consent=consent)
    bundle = fhir.export(session, settings, world.actor("receiving_worker"), row.id)
    assert set(_resource(bundle, "Patient")) == {"resourceType", "id"}
    referrer = fhir.export(session, settings, world.actor("link_worker"), row.id)
    assert _resource(referrer, "Patient")["name"] == [{"use": "usual", "text": "Layla"}]


def test_the_records_do_not_contact_is_passed_on_even_when_the_referral_predates_it(session, settings) -> None:  # noqa: ANN001
    world = referral_rows.world(session, settings)
    row = referral_rows.referral(session, settings, world, status="requested", consent=referral_rows.share_consent(session, world))
    world.person.do_not_contact = True
    session.flush()
    bundle = fhir.export(session, settings, world.actor("receiving_worker"), row.id)
    assert _resource(bundle, "ServiceRequest")["orderDetail"][0]["coding"][0]["code"] == "contacting-subject-prohibited"


def test_neither_a_looker_nor_a_stranger_may_export(session, settings) -> None:  # noqa: ANN001
    world = referral_rows.world(session, settings)
    row = referral_rows.referral(session, settings, world, status="requested")
    with pytest.raises(Forbidden):
        fhir.export(session, settings, world.actor("manager"), row.id)  # reads the record, plays no party
    with pytest.raises(NotFound):
        fhir.export(session, settings, world.actor("planner"), row.id)
    with pytest.raises(NotFound):
        fhir.export(session, settings, world.actor("link_worker"), "x" * 37)
    assert "referral.export-fhir" not in clients.audit_actions(session, world.person.id)


# --- The route --------------------------------------------------------------------------------------------------------


def test_the_route_answers_fhir_json_for_a_party_and_404_or_403_otherwise(client, session, sign_in) -> None:  # noqa: ANN001
    settings = clients.settings()
    world = referral_rows.world(session, settings)
    row = referral_rows.referral(session, settings, world, status="requested", consent=referral_rows.share_consent(session, world))
    session.commit()
    sign_in(world.receiving_worker)
    response = client.get(f"/api/v1/referrals/{row.id}/fhir")
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-type"].startswith("application/fhir+json")
    assert response.headers["cache-control"] == "no-store"
    assert fhir.problems(response.json()) == []
    assert client.get(f"/api/v1/referrals/{'9' * 36}/fhir").status_code == 404
    too_long = client.get(f"/api/v1/referrals/{'9' * 37}/fhir")
    assert too_long.status_code == 422 and too_long.headers["content-type"].startswith("application/problem+json")
    sign_in(world.manager)
    assert client.get(f"/api/v1/referrals/{row.id}/fhir").status_code == 403
    sign_in(world.planner)
    assert client.get(f"/api/v1/referrals/{row.id}/fhir").status_code in {403, 404}
    sign_in(None)
    assert client.get(f"/api/v1/referrals/{row.id}/fhir").status_code == 401
