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
from carebridge.kit import clock


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
    # A caseworker records requests too (they meet the public), and never decides either.
    own = service.record_request(session, settings, world["worker"], _request())
    with pytest.raises(Forbidden):
        service.propose(session, settings, world["worker"], own.id, "refuse", "No.")
    # Only a role that never meets the public holds nothing here.
    from carebridge.accounts.models import Organisation

    planner = accounts.actor_for(accounts.account(
        session, roles=("planner",), organisation_=session.get(Organisation, world["manager"].organisation_id)
    ))
    with pytest.raises(Forbidden):
        service.record_request(session, settings, planner, _request())


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


def test_the_person_is_told_and_the_caseworker_records_it(session, settings, world, fixed_clock):
    person = world["person"]
    today = fixed_clock.date()
    told = service.record_request(session, settings, world["manager"], _request(client_id=person.id))
    assert service.must_tell(told, today)
    assert [entry.id for entry in service.about_person(session, settings, world["worker"], person.id)] == [told.id]
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
    assert not service.must_tell(told, today)
    with pytest.raises(Conflict):
        service.record_person_told(session, settings, world["worker"], person.id, told.id, "2026-11-23")
    assert "disclosure.person-told" in _actions(session, "client", person.id)


def _claimed(session, settings, world):
    return service.record_request(
        session, settings, world["manager"],
        _request(kind="court", client_id=world["person"].id, court_order_claimed=True,
                 court_order_reference="ORDER-MARKER-9"),
    )


def _shown(session, settings, world) -> list[str]:
    return [entry.id for entry in service.about_person(session, settings, world["worker"], world["person"].id)]


def test_a_claimed_court_order_hides_nothing_and_its_reference_is_sealed(session, settings, world, fixed_clock):
    entry = _claimed(session, settings, world)
    assert entry.gag_status == "claimed" and not service.gag_in_effect(entry, fixed_clock.date())
    assert service.must_tell(entry, fixed_clock.date())
    assert _shown(session, settings, world) == [entry.id]
    assert service.told_to_person(session, settings, world["person"].id) == [entry]
    assert b"ORDER-MARKER" not in entry.court_order_reference
    assert service.get_request(session, settings, world["admin_one"], entry.id).court_order_reference == "ORDER-MARKER-9"
    assert "disclosure.record" in _actions(session, "client", world["person"].id)
    with pytest.raises(InvalidInput) as problem:  # a claim names the order
        service.record_request(session, settings, world["manager"], _request(court_order_claimed=True))
    assert [error.name for error in problem.value.errors] == ["court_order_reference"]


def test_one_administrator_cannot_gag_alone(session, settings, world, fixed_clock):
    entry = _claimed(session, settings, world)
    until = fixed_clock.date() + dt.timedelta(days=60)
    service.propose_gag(session, settings, world["admin_one"], entry.id, "ORDER-MARKER-9", until)
    assert entry.gag_status == "proposed" and _shown(session, settings, world) == [entry.id]
    with pytest.raises(Forbidden):
        service.confirm_gag(session, settings, world["admin_one"], entry.id)
    with pytest.raises(Forbidden):
        service.send_back_gag(session, settings, world["admin_one"], entry.id)
    with pytest.raises(Conflict):  # nor propose it again to confirm it under another proposal
        service.propose_gag(session, settings, world["admin_one"], entry.id, "ORDER-MARKER-9", until)
    with pytest.raises(NotFound):  # another organisation's administrator cannot reach it
        service.confirm_gag(session, settings, world["stranger_admin"], entry.id)
    assert entry.gag_status == "proposed" and _shown(session, settings, world) == [entry.id]
    service.send_back_gag(session, settings, world["admin_two"], entry.id)
    assert entry.gag_status == "claimed" and entry.gag_until is None and _shown(session, settings, world) == [entry.id]


def test_the_recorder_cannot_gag(session, settings, world, fixed_clock):
    entry = _claimed(session, settings, world)
    until = fixed_clock.date() + dt.timedelta(days=60)
    for recorder in (world["manager"], world["worker"]):
        with pytest.raises(Forbidden):
            service.propose_gag(session, settings, recorder, entry.id, "ORDER", until)
        with pytest.raises(Forbidden):
            service.confirm_gag(session, settings, recorder, entry.id)
    assert entry.gag_status == "claimed"


@pytest.mark.parametrize(
    ("reference", "until", "fields"),
    [
        ("", dt.date(2027, 1, 1), ["court_order_reference"]),
        ("ORDER", dt.date(2026, 11, 23), ["gag_until"]),  # today: not after today
        ("ORDER", dt.date(2028, 1, 1), ["gag_until"]),  # more than a year ahead
        ("ORDER", "01/01/2027", ["gag_until"]),
        ("O" * 101, None, ["court_order_reference", "gag_until"]),
    ],
)
def test_a_gag_needs_a_reference_and_an_end_or_review_date(session, settings, world, reference, until, fields):
    entry = _claimed(session, settings, world)
    with pytest.raises(InvalidInput) as problem:
        service.propose_gag(session, settings, world["admin_one"], entry.id, reference, until)
    assert [error.name for error in problem.value.errors] == fields
    assert entry.gag_status == "claimed"


def test_a_gag_needs_a_linked_person(session, settings, world):
    entry = service.record_request(session, settings, world["admin_one"], _request())
    with pytest.raises(Conflict):
        service.propose_gag(session, settings, world["admin_one"], entry.id, "ORDER", dt.date(2027, 1, 1))


def test_a_confirmed_gag_keeps_the_request_from_the_person_until_its_date(session, settings, world, fixed_clock):
    """The person's page, the "told" form and "who has seen my record" show the request until two administrators
    confirm the gag, not while it lasts, and again from its end or review date; every step is audited."""
    from carebridge.rights import service as rights

    person = world["person"]
    other = service.record_request(session, settings, world["manager"], _request(client_id=person.id))
    entry = _claimed(session, settings, world)
    until = fixed_clock.date() + dt.timedelta(days=30)

    def seen() -> list[str]:
        return [event.action for event in rights.seen_by(session, settings, world["worker"], person.id).events]

    assert "disclosure.record" in seen()
    service.propose_gag(session, settings, world["admin_one"], entry.id, "ORDER-MARKER-9", until)
    assert "disclosure.gag-propose" in seen()
    service.confirm_gag(session, settings, world["admin_two"], entry.id)
    assert entry.gag_status == "confirmed" and entry.gag_confirmed_by == world["admin_two"].account_id
    assert service.gag_in_effect(entry, fixed_clock.date()) and not service.must_tell(entry, fixed_clock.date())
    assert _shown(session, settings, world) == [other.id]
    assert service.told_to_person(session, settings, person.id) == [other]
    assert not any(action.startswith("disclosure.") for action in seen())
    with pytest.raises(NotFound):
        service.record_person_told(session, settings, world["worker"], person.id, entry.id, "2026-11-23")
    assert _actions(session, "disclosure_request", entry.id) == [
        "disclosure.record", "disclosure.gag-propose", "disclosure.gag-confirm"
    ]

    with clock.pinned(fixed_clock + dt.timedelta(days=30)):  # the end or review date: the person is told
        assert not service.gag_in_effect(entry, clock.today(settings.timezone))
        assert service.must_tell(entry, clock.today(settings.timezone))
        assert set(_shown(session, settings, world)) == {other.id, entry.id}
        assert entry in service.told_to_person(session, settings, person.id)
        assert {"disclosure.record", "disclosure.gag-confirm"} <= set(seen())
        service.record_person_told(session, settings, world["worker"], person.id, entry.id, "2026-12-23")
    assert entry.person_told_at is not None


def test_the_gag_actions_have_plain_words_for_the_person():
    from carebridge.rights.service import ACTIONS

    for action in ("disclosure.gag-propose", "disclosure.gag-confirm", "disclosure.gag-send-back"):
        assert ACTIONS[action]


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


@pytest.mark.parametrize(
    "role",
    ["link-worker", "outreach-worker", "peer-supporter", "cultural-mediator", "clinician", "receptionist",
     "interpreter", "volunteer"],
)
def test_every_role_that_meets_the_public_records_a_request_and_sees_only_its_own(session, settings, world, role):
    organisation_id = world["admin_one"].organisation_id
    from carebridge.accounts.models import Organisation

    organisation = session.get(Organisation, organisation_id)
    recorder = accounts.actor_for(accounts.account(session, roles=(role,), organisation_=organisation))
    others = service.record_request(session, settings, world["manager"], _request())
    service.propose(session, settings, world["admin_one"], others.id, "refuse", "No legal duty, marker reason.")
    mine = service.record_request(session, settings, recorder, _request(kind="immigration-enforcement"))
    service.propose(session, settings, world["admin_one"], mine.id, "refuse", "Secret reasoning marker.")
    service.confirm(session, settings, world["admin_two"], mine.id)
    assert service.list_requests(session, recorder, limit=10) == [mine]
    assert service.count_requests(session, recorder) == 1
    opened = service.get_request(session, settings, recorder, mine.id)
    assert opened.row.status == "refused" and opened.details.requester.startswith("DC Marker")
    assert opened.proposal_reason is None  # the administrators' reasons are not the recorder's to read
    with pytest.raises(NotFound):
        service.get_request(session, settings, recorder, others.id)
    with pytest.raises(NotFound):
        service.link_person(session, settings, recorder, others.id, world["person"].id)
    with pytest.raises(Forbidden):
        service.propose(session, settings, recorder, mine.id, "refuse", "x")
    # The register's readers see both.
    assert {entry.id for entry in service.list_requests(session, world["manager"], limit=10)} >= {mine.id, others.id}
    assert service.get_request(session, settings, world["manager"], others.id).proposal_reason
