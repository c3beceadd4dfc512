"""The disclosure register's rules: two administrators, refusals by rule, telling the person, scope, bad input,
sealing and audit."""

from __future__ import annotations

import datetime as dt

import pytest
from factories import accounts
from factories import clients as client_factories
from sqlalchemy import select

from carebridge.audit.models import AuditEvent
from carebridge.config import Settings
from carebridge.errors import Conflict, Forbidden, InvalidInput, NotFound
from carebridge.firewall import service
from carebridge.firewall.models import DisclosureRequest


@pytest.fixture
def settings() -> Settings:
    return Settings()


@pytest.fixture
def world(session, settings):
    worker = client_factories.caseworker(session)
    organisation = worker.organisation
    admin_one = accounts.actor_for(accounts.account(session, roles=("administrator",), organisation_=organisation))
    admin_two = accounts.actor_for(accounts.account(session, roles=("administrator",), organisation_=organisation))
    manager = accounts.actor_for(accounts.account(session, roles=("service-manager",), organisation_=organisation))
    elsewhere = client_factories.caseworker(session)
    stranger_admin = accounts.actor_for(
        accounts.account(session, roles=("administrator",), organisation_=elsewhere.organisation)
    )
    person = client_factories.client(session, settings, worker.actor, preferred_name="Amina Marker")
    other_person = client_factories.client(session, settings, elsewhere.actor, preferred_name="Other Marker")
    return {
        "worker": worker.actor, "admin_one": admin_one, "admin_two": admin_two, "manager": manager,
        "stranger_admin": stranger_admin, "person": person, "other_person": other_person,
    }


def _request(kind: str = "police", **changes) -> service.RequestInput:  # noqa: ANN003
    data = service.RequestInput(
        requester_kind=kind,
        requester="DC Marker Smith, Fairhaven Police",
        reference="REF-MARKER-1",
        asked_for="The address and phone number of the person",
        legal_basis="Section 29 of the Data Protection Act",
    )
    for name, value in changes.items():
        setattr(data, name, value)
    return data


def _actions(session, record_type: str, record_id: str) -> list[str]:
    return list(
        session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.record_type == record_type, AuditEvent.record_id == record_id)
            .order_by(AuditEvent.at, AuditEvent.stripe_seq)
        )
    )


def test_the_details_are_sealed_with_the_entrys_own_key_and_open_for_the_organisation(session, settings, world):
    entry = service.record_request(session, settings, world["admin_one"], _request())
    session.flush()
    raw = session.scalar(select(DisclosureRequest.details).where(DisclosureRequest.id == entry.id))
    assert b"Marker" not in bytes(raw) and b"Section 29" not in bytes(raw)
    opened = service.get_request(session, settings, world["admin_two"], entry.id)
    assert opened.details.requester == "DC Marker Smith, Fairhaven Police"
    assert opened.details.legal_basis == "Section 29 of the Data Protection Act"
    with pytest.raises(NotFound):
        service.get_request(session, settings, world["stranger_admin"], entry.id)
    assert _actions(session, "disclosure_request", entry.id) == ["disclosure.record", "disclosure.read"]


def test_two_different_administrators_are_needed_to_act(session, settings, world):
    entry = service.record_request(session, settings, world["admin_one"], _request())
    service.propose(session, settings, world["admin_one"], entry.id, "refuse", "No legal duty to answer.")
    assert entry.status == "proposed"
    with pytest.raises(Forbidden):
        service.confirm(session, settings, world["admin_one"], entry.id)
    with pytest.raises(Forbidden):
        service.send_back(session, settings, world["admin_one"], entry.id)
    assert entry.status == "proposed" and entry.decided_by is None
    service.confirm(session, settings, world["admin_two"], entry.id)
    assert entry.status == "refused"
    assert entry.proposed_by == world["admin_one"].account_id and entry.decided_by == world["admin_two"].account_id
    with pytest.raises(Conflict):
        service.confirm(session, settings, world["admin_two"], entry.id)
    with pytest.raises(Conflict):
        service.propose(session, settings, world["admin_two"], entry.id, "disclose", "Changed my mind.")
    reason = service.get_request(session, settings, world["admin_two"], entry.id).proposal_reason
    assert reason == "No legal duty to answer."
    assert b"legal duty" not in bytes(entry.proposal_reason)


def test_a_service_manager_may_record_but_never_decide(session, settings, world):
    entry = service.record_request(session, settings, world["manager"], _request())
    with pytest.raises(Forbidden):
        service.propose(session, settings, world["manager"], entry.id, "refuse", "No.")
    with pytest.raises(Forbidden):
        service.record_request(session, settings, world["worker"], _request())


def test_a_proposal_sent_back_opens_the_request_again(session, settings, world):
    entry = service.record_request(session, settings, world["admin_one"], _request("court"))
    service.propose(session, settings, world["admin_one"], entry.id, "disclose", "A court order requires it.")
    service.send_back(session, settings, world["admin_two"], entry.id)
    assert entry.status == "received" and entry.proposed_by is None and entry.proposal_reason is None
    # Now the second administrator proposes and the first confirms: still two different people.
    service.propose(session, settings, world["admin_two"], entry.id, "disclose", "The order is valid.")
    service.confirm(session, settings, world["admin_one"], entry.id)
    assert entry.status == "disclosed"


@pytest.mark.parametrize(
    "changes",
    [{"requester_kind": "immigration-enforcement"}, {"bulk": True}, {"requester_kind": "court", "bulk": True}],
    ids=["immigration enforcement", "bulk", "bulk court order"],
)
def test_the_software_refuses_immigration_enforcement_and_bulk_whatever_is_proposed(session, settings, world, changes):
    entry = service.record_request(session, settings, world["admin_one"], _request(**changes))
    assert service.refused_by_rule(entry)
    with pytest.raises(InvalidInput) as problem:
        service.propose(session, settings, world["admin_one"], entry.id, "disclose", "They insist.")
    assert problem.value.errors[0].name == "decision"
    assert entry.status == "received"
    # Even a proposal forced into the row (a bug, a hand-edited database) is not confirmed.
    entry.status, entry.proposed_decision, entry.proposed_by = "proposed", "disclose", world["admin_one"].account_id
    session.flush()
    with pytest.raises(Forbidden):
        service.confirm(session, settings, world["admin_two"], entry.id)
    assert entry.status == "proposed"
    entry.status, entry.proposed_decision, entry.proposed_by = "received", None, None
    service.propose(session, settings, world["admin_one"], entry.id, "refuse", "Refused by rule.")
    service.confirm(session, settings, world["admin_two"], entry.id)
    assert entry.status == "refused"


def test_linking_needs_the_person_in_the_linkers_scope(session, settings, world):
    person, other = world["person"], world["other_person"]
    with pytest.raises(InvalidInput) as problem:
        service.record_request(session, settings, world["admin_one"], _request(client_id=person.id))
    assert problem.value.errors[0].name == "client_id"
    entry = service.record_request(session, settings, world["admin_one"], _request())
    with pytest.raises(InvalidInput):
        service.link_person(session, settings, world["admin_one"], entry.id, person.id)
    with pytest.raises(InvalidInput):  # another organisation's person: the same answer as a missing one
        service.link_person(session, settings, world["manager"], entry.id, other.id)
    with pytest.raises(InvalidInput):
        service.link_person(session, settings, world["manager"], entry.id, "no-such-person")
    service.link_person(session, settings, world["manager"], entry.id, person.id)
    assert entry.client_id == person.id
    with pytest.raises(Conflict):
        service.link_person(session, settings, world["manager"], entry.id, person.id)
    assert "disclosure.link" in _actions(session, "client", person.id)
    assert _actions(session, "disclosure_request", entry.id)[-1] == "disclosure.link"


def test_the_person_is_told_unless_a_court_order_forbids_it(session, settings, world, fixed_clock):
    person = world["person"]
    told = service.record_request(session, settings, world["manager"], _request(client_id=person.id))
    silent = service.record_request(
        session, settings, world["manager"], _request(client_id=person.id, court_order_forbids_telling=True)
    )
    assert service.must_tell(told) and not service.must_tell(silent)
    shown = service.about_person(session, world["worker"], person.id)
    assert [entry.id for entry in shown] == [told.id]
    with pytest.raises(NotFound):
        service.record_person_told(session, settings, world["worker"], person.id, silent.id, "2026-11-23")
    with pytest.raises(InvalidInput):
        service.record_person_told(session, settings, world["worker"], person.id, told.id, "2026-11-24")  # future
    with pytest.raises(InvalidInput):
        service.record_person_told(session, settings, world["worker"], person.id, told.id, "2026-11-22")  # before
    with pytest.raises(InvalidInput):
        service.record_person_told(session, settings, world["worker"], person.id, told.id, "23/11/2026")
    with pytest.raises(Forbidden):
        service.record_person_told(session, settings, world["manager"], person.id, told.id, "2026-11-23")
    service.record_person_told(session, settings, world["worker"], person.id, told.id, "2026-11-23")
    assert told.person_told_by == world["worker"].account_id
    assert told.person_told_at.date() == dt.date(2026, 11, 23)
    assert not service.must_tell(told)
    with pytest.raises(Conflict):
        service.record_person_told(session, settings, world["worker"], person.id, told.id, "2026-11-23")
    assert "disclosure.person-told" in _actions(session, "client", person.id)


def test_a_request_a_court_order_keeps_from_the_person_leaves_no_trace_on_their_record(session, settings, world):
    """"Who has seen my record" lists the record's audit events to the person: a gagged request must not be among
    them. The entry's own events still name every step."""
    person = world["person"]
    before = _actions(session, "client", person.id)
    entry = service.record_request(
        session, settings, world["manager"], _request(client_id=person.id, court_order_forbids_telling=True)
    )
    service.get_request(session, settings, world["admin_one"], entry.id)
    service.propose(session, settings, world["admin_one"], entry.id, "disclose", "The order is valid.")
    service.confirm(session, settings, world["admin_two"], entry.id)
    assert _actions(session, "client", person.id) == before
    assert _actions(session, "disclosure_request", entry.id) == [
        "disclosure.record", "disclosure.read", "disclosure.propose-disclose", "disclosure.confirm-disclose"
    ]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"requester_kind": "tax-office"}, "requester_kind"),
        ({"requester": "  "}, "requester"),
        ({"requester": "x" * 201}, "requester"),
        ({"requester": "Officer \u202eecilop"}, "requester"),
        ({"reference": "R" * 101}, "reference"),
        ({"asked_for": ""}, "asked_for"),
        ({"asked_for": "a" * 2001}, "asked_for"),
        ({"legal_basis": "\u0000"}, "legal_basis"),
        ({"received_on": dt.date(2026, 11, 24)}, "received_on"),
    ],
)
def test_bad_input_is_refused_field_by_field(session, settings, world, changes, field):
    with pytest.raises(InvalidInput) as problem:
        service.record_request(session, settings, world["admin_one"], _request(**changes))
    assert [error.name for error in problem.value.errors] == [field]
    assert "Marker" not in str(problem.value)


def test_free_text_keeps_line_breaks_and_persian_joiners(session, settings, world):
    entry = service.record_request(
        session, settings, world["admin_one"], _request(asked_for="Line one\nLine two", requester="می\u200cخواهم")
    )
    opened = service.get_request(session, settings, world["admin_one"], entry.id)
    assert opened.details.asked_for == "Line one\nLine two" and opened.details.requester == "می\u200cخواهم"


def test_a_proposal_needs_a_decision_and_a_reason(session, settings, world):
    entry = service.record_request(session, settings, world["admin_one"], _request())
    with pytest.raises(InvalidInput) as problem:
        service.propose(session, settings, world["admin_one"], entry.id, "maybe", "")
    assert {error.name for error in problem.value.errors} == {"decision", "reason"}
