"""Interpreters in the service (both databases): the register (external names sealed with their own key), finding
by dialect then macro-language, exclusions (named, "not someone from my community"), gender, availability,
accreditation, booking with its slots, answering, cancelling, the interpreter's own view, video links and the demand
report."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from carebridge.config import Settings
from carebridge.errors import Conflict, Forbidden, InvalidInput, NotFound
from carebridge.interpreters import service
from carebridge.interpreters.models import Interpreter, InterpreterBooking, InterpreterBookingSlot, InterpretingRequest
from carebridge.jobs.models import Job
from factories import accounts
from factories import clients as client_factories
from factories import interpreters as factories
from factories.interpreters import at, search

SETTINGS = Settings(timezone="Europe/London")


@pytest.fixture
def world(session):
    return factories.world(session, SETTINGS)


def _ids(found: service.Found) -> list[str]:
    return [match.candidate_id for match, _ in found.matches]


def _reasons(found: service.Found) -> dict[str, str]:
    return {refusal.candidate_id: refusal.reason for refusal, _ in found.refusals}


def test_an_external_interpreters_name_and_contact_are_sealed_with_their_own_key(session, world) -> None:
    nadia = factories.interpreter(session, SETTINGS, world, name="Nadia Quillfeather")
    session.flush()
    stored = session.scalar(select(Interpreter.identity).where(Interpreter.id == nadia.id))
    assert stored is not None and b"Quillfeather" not in stored and b"07700" not in stored
    entry = service.entry(session, SETTINGS, world.actor("worker"), nadia.id)
    assert (entry.name, entry.contact, entry.staff) == ("Nadia Quillfeather", "07700 900123", False)


def test_a_staff_interpreter_is_named_from_their_account_and_must_hold_the_role(session, world) -> None:
    staff = factories.interpreter(session, SETTINGS, world, account=world.interpreter_account)
    assert staff.identity is None
    assert service.entry(session, SETTINGS, world.actor("worker"), staff.id).name == "Ines Interpreter"
    with pytest.raises(InvalidInput) as problem:
        factories.interpreter(session, SETTINGS, world, account=world.worker)
    assert [error.name for error in problem.value.errors] == ["account_id"]


def test_only_the_register_keepers_change_it(session, world) -> None:
    data = service.InterpreterInput(name="X", languages=[{"tag": "uk"}], modalities=["phone"])
    with pytest.raises(Forbidden):
        service.create_interpreter(session, SETTINGS, world.actor("worker"), data)


def test_bad_input_is_named_field_by_field(session, world) -> None:
    data = service.InterpreterInput(kind="wizard", name="", gender="robot", languages=[{"tag": "not a tag"}], modalities=["carrier-pigeon"],
                                    availability=[{"byday": "XX", "opens_at": "9", "closes_at": "5"}])
    with pytest.raises(InvalidInput) as problem:
        service.create_interpreter(session, SETTINGS, world.actor("receptionist"), data)
    names = {error.name for error in problem.value.errors}
    assert {"kind", "name", "gender", "languages.0.tag", "modalities", "availability.0.byday"} <= names


def test_a_stale_edit_is_a_conflict(session, world) -> None:
    nadia = factories.interpreter(session, SETTINGS, world)
    data = service.InterpreterInput(name="Nadia", languages=[{"tag": "ar-SY"}], modalities=["phone"])
    service.update_interpreter(session, SETTINGS, world.actor("receptionist"), nadia.id, data, version=1)
    with pytest.raises(Conflict):
        service.update_interpreter(session, SETTINGS, world.actor("receptionist"), nadia.id, data, version=1)


def test_the_exact_dialect_comes_first_and_the_macro_language_is_labelled(session, world) -> None:
    iraqi = factories.interpreter(session, SETTINGS, world, name="Iraqi Arabic", languages=(("ar-IQ", False),))
    syrian = factories.interpreter(session, SETTINGS, world, name="Syrian Arabic", languages=(("ar-SY", False),))
    farsi = factories.interpreter(session, SETTINGS, world, name="Farsi", languages=(("fa", False),))
    found = service.find(session, SETTINGS, world.actor("worker"), world.person.id, search("ar-SY"))
    assert _ids(found) == [syrian.id, iraqi.id]
    assert [match.match for match, _ in found.matches] == ["exact", "macro"]
    assert farsi.id not in _ids(found)


def test_dari_is_not_farsi_but_is_offered_as_the_same_macro_language(session, world) -> None:
    dari = factories.interpreter(session, SETTINGS, world, name="Dari", languages=(("prs", False),))
    farsi = factories.interpreter(session, SETTINGS, world, name="Farsi", languages=(("fa", False),))
    sorani = factories.interpreter(session, SETTINGS, world, name="Sorani", languages=(("ckb", False),))
    found = service.find(session, SETTINGS, world.actor("worker"), world.person.id, search("prs"))
    assert [(match.candidate_id, match.match) for match, _ in found.matches] == [(dari.id, "exact"), (farsi.id, "macro")]
    kurmanji = service.find(session, SETTINGS, world.actor("worker"), world.person.id, search("kmr"))
    assert [(match.candidate_id, match.match) for match, _ in kurmanji.matches] == [(sorani.id, "macro")]


def test_not_someone_from_my_community_leaves_out_local_community_members_of_that_language(session) -> None:
    world = factories.world(session, SETTINGS, interpreter_not_from_community=True)
    local = factories.interpreter(session, SETTINGS, world, name="Local", languages=(("ar-SY", True),))
    outside = factories.interpreter(session, SETTINGS, world, name="Outside", languages=(("ar-SY", False), ("fa", True)))
    found = service.find(session, SETTINGS, world.actor("worker"), world.person.id, search("ar-SY"))
    assert _ids(found) == [outside.id]
    assert _reasons(found)[local.id] == "community"
    assert found.community_excluded


def test_a_named_exclusion_leaves_the_interpreter_out_and_its_reason_is_sealed(session, world) -> None:
    cousin = factories.interpreter(session, SETTINGS, world, name="Cousin")
    other = factories.interpreter(session, SETTINGS, world, name="Other")
    exclusion = service.add_exclusion(session, SETTINGS, world.actor("worker"), world.person.id, cousin.id, "Is her cousin Zebulon")
    assert b"Zebulon" not in exclusion.reason
    found = service.find(session, SETTINGS, world.actor("worker"), world.person.id, search())
    assert _ids(found) == [other.id] and _reasons(found)[cousin.id] == "excluded"
    assert [text for _, text in service.exclusions_of(session, SETTINGS, world.person)] == ["Is her cousin Zebulon"]
    service.remove_exclusion(session, world.actor("worker"), world.person.id, exclusion.id)
    assert set(_ids(service.find(session, SETTINGS, world.actor("worker"), world.person.id, search()))) == {cousin.id, other.id}


def test_gender_modality_availability_and_accreditation(session, world) -> None:
    man = factories.interpreter(session, SETTINGS, world, name="Man", gender="male")
    phone_only = factories.interpreter(session, SETTINGS, world, name="Phone", modalities=("phone",))
    expired = factories.interpreter(session, SETTINGS, world, name="Expired", expires=dt.date(2026, 1, 1))
    woman = factories.interpreter(session, SETTINGS, world, name="Woman")
    found = service.find(session, SETTINGS, world.actor("worker"), world.person.id, search(gender="female"))
    assert _ids(found) == [woman.id]
    assert _reasons(found) == {man.id: "gender", phone_only.id: "modality", expired.id: "unaccredited"}
    evening = service.find(session, SETTINGS, world.actor("worker"), world.person.id, search(start=at(18)))
    assert _ids(evening) == [] and set(_reasons(evening).values()) >= {"unavailable"}
    allowed = service.find(session, SETTINGS, world.actor("worker"), world.person.id, search(allow_unaccredited=True))
    assert expired.id in _ids(allowed)
    booking = service.book(session, SETTINGS, world.actor("worker"), world.person.id, expired.id, search(allow_unaccredited=True))
    assert booking.unaccredited_allowed is True


def test_the_persons_gender_wish_applies_when_the_booker_says_any(session) -> None:
    world = factories.world(session, SETTINGS, interpreter_gender="female")
    man = factories.interpreter(session, SETTINGS, world, name="Man", gender="male")
    found = service.find(session, SETTINGS, world.actor("worker"), world.person.id, search())
    assert _ids(found) == [] and _reasons(found) == {man.id: "gender"}


def test_booking_holds_slots_and_a_second_overlapping_booking_is_refused(session, world) -> None:
    nadia = factories.interpreter(session, SETTINGS, world)
    booking = service.book(session, SETTINGS, world.actor("worker"), world.person.id, nadia.id, search(hours=1), name_to_use="Huda", where="Room 3")
    slots = list(session.scalars(select(InterpreterBookingSlot.slot_start).where(InterpreterBookingSlot.booking_id == booking.id)))
    assert len(slots) == 4
    assert b"Room 3" not in booking.details
    with pytest.raises(Conflict):
        service.book(session, SETTINGS, world.actor("worker"), world.person.id, nadia.id, search(start=at(10, 45)))
    # Back to back is fine.
    service.book(session, SETTINGS, world.actor("worker"), world.person.id, nadia.id, search(start=at(11)))


def test_the_database_refuses_overlapping_slots_even_past_the_matching(session, world) -> None:
    nadia = factories.interpreter(session, SETTINGS, world)
    service.book(session, SETTINGS, world.actor("worker"), world.person.id, nadia.id, search())
    now = at(9)
    twin = InterpreterBooking(id="twin-booking", organisation_id=world.organisation.id, interpreter_id=nadia.id, client_id=world.person.id,
                              starts_at=at(10, 30), ends_at=at(11, 30), language="ar-SY", modality="phone", status="requested",
                              version=1, created_at=now, updated_at=now)
    with pytest.raises(Conflict):
        service._hold(session, twin)
    assert session.scalar(select(func.count()).select_from(InterpreterBooking).where(InterpreterBooking.id == "twin-booking")) == 0


def test_the_interpreter_accepts_or_declines_only_their_own_and_declining_frees_the_time(session, world) -> None:
    staff = factories.interpreter(session, SETTINGS, world, account=world.interpreter_account)
    booking = service.book(session, SETTINGS, world.actor("worker"), world.person.id, staff.id, search())
    told = session.scalars(select(Job.payload).where(Job.kind == "notify.staff")).all()
    assert {"account_id": world.interpreter_account.id, "reason": "booking"} in told
    with pytest.raises(Forbidden):
        service.answer(session, SETTINGS, world.actor("receptionist"), booking.id, accept=True)  # not an interpreter
    another = accounts.account(session, roles=("interpreter",), organisation_=world.organisation, name="Ivo Interpreter")
    factories.interpreter(session, SETTINGS, world, account=another)
    with pytest.raises(NotFound):
        service.answer(session, SETTINGS, accounts.actor_for(another), booking.id, accept=True)  # not theirs
    assert service.my_bookings(session, SETTINGS, accounts.actor_for(another)) == []
    mine = service.my_bookings(session, SETTINGS, world.actor("interpreter_account"))
    assert [(item.booking.id, item.name_to_use) for item in mine] == [(booking.id, "Huda Testperson")]
    service.answer(session, SETTINGS, world.actor("interpreter_account"), booking.id, accept=False)
    assert booking.status == "declined"
    assert session.scalar(select(func.count()).select_from(InterpreterBookingSlot).where(InterpreterBookingSlot.booking_id == booking.id)) == 0
    with pytest.raises(Conflict):
        service.answer(session, SETTINGS, world.actor("interpreter_account"), booking.id, accept=True)
    again = service.book(session, SETTINGS, world.actor("worker"), world.person.id, staff.id, search())
    service.answer(session, SETTINGS, world.actor("interpreter_account"), again.id, accept=True)
    assert again.status == "accepted"


def test_an_external_interpreters_answer_is_recorded_by_the_booker_and_cancelling_frees_the_time(session, world) -> None:
    nadia = factories.interpreter(session, SETTINGS, world)
    booking = service.book(session, SETTINGS, world.actor("worker"), world.person.id, nadia.id, search())
    service.answer(session, SETTINGS, world.actor("worker"), booking.id, accept=True, as_booker=True)
    assert booking.status == "accepted"
    service.cancel(session, SETTINGS, world.actor("worker"), booking.id)
    assert booking.status == "cancelled"
    assert session.scalar(select(func.count()).select_from(InterpreterBookingSlot).where(InterpreterBookingSlot.booking_id == booking.id)) == 0
    with pytest.raises(Conflict):
        service.cancel(session, SETTINGS, world.actor("worker"), booking.id)


def test_a_worker_outside_the_persons_scope_finds_nothing(session, world) -> None:
    nadia = factories.interpreter(session, SETTINGS, world)
    booking = service.book(session, SETTINGS, world.actor("worker"), world.person.id, nadia.id, search())
    with pytest.raises(NotFound):
        service.find(session, SETTINGS, world.actor("outsider"), world.person.id, search())
    with pytest.raises(NotFound):
        service.cancel(session, SETTINGS, world.actor("outsider"), booking.id)
    with pytest.raises(NotFound):
        service.find_booking(session, world.actor("worker"), "x" * 37, "interpreter.book")


def test_a_video_booking_gets_a_sealed_link_from_the_template_or_none(session, world) -> None:
    nadia = factories.interpreter(session, SETTINGS, world)
    with_template = Settings(timezone="Europe/London", video_link_template="https://meet.example/cb-{room}")
    booking = service.book(session, with_template, world.actor("worker"), world.person.id, nadia.id, search(modality="video"))
    link = service.video_link(session, with_template, booking)
    assert link is not None and link.startswith("https://meet.example/cb-") and len(link) > len("https://meet.example/cb-") + 16
    assert b"meet.example" not in booking.video_link
    plain = service.book(session, SETTINGS, world.actor("worker"), world.person.id, nadia.id, search(start=at(14), modality="video"))
    assert plain.video_link is None and service.video_link(session, SETTINGS, plain) is None


def test_searches_are_counted_without_the_person_and_the_report_suppresses_small_counts(session, world) -> None:
    nadia = factories.interpreter(session, SETTINGS, world)
    for hour in range(9, 16):  # 7 bookings: fewer than 10
        service.book(session, SETTINGS, world.actor("worker"), world.person.id, nadia.id, search(start=at(hour)))
    for _ in range(10):  # 10 searches for Tigrinya found nobody
        service.find(session, SETTINGS, world.actor("worker"), world.person.id, search("ti"))
    outcomes = dict(session.execute(select(InterpretingRequest.outcome, func.count()).where(
        InterpretingRequest.organisation_id == world.organisation.id).group_by(InterpretingRequest.outcome)).all())
    assert outcomes == {"booked": 7, "unmet": 10}
    manager = client_factories.member(session, client_factories.Caseworker(world.organisation, world.team, world.worker, world.actor("worker")),
                                      roles=("service-manager",), name="Mo Manager")
    report = service.demand(session, SETTINGS, manager.actor)
    rows = {(row.month, row.language): row for row in report.rows}
    assert rows[("2026-11", "ar-SY")].bookings is None and rows[("2026-11", "ar-SY")].booked_hours is None
    assert rows[("2026-11", "ti")].unmet == 10
    with pytest.raises(Forbidden):
        service.demand(session, SETTINGS, world.actor("worker"))


def test_a_change_to_the_register_is_seen_by_the_next_search_at_once(session, world) -> None:
    nadia = factories.interpreter(session, SETTINGS, world)
    assert _ids(service.find(session, SETTINGS, world.actor("worker"), world.person.id, search())) == [nadia.id]
    data = service.InterpreterInput(name="Nadia", languages=[{"tag": "uk"}], modalities=["in-person"], availability=factories.WEEKDAYS_9_TO_5,
                                    accreditation_body="NRPSI", accreditation_expires=dt.date(2028, 1, 1))
    service.update_interpreter(session, SETTINGS, world.actor("receptionist"), nadia.id, data, version=1)  # same clock: same updated_at
    assert _ids(service.find(session, SETTINGS, world.actor("worker"), world.person.id, search())) == []
    assert _ids(service.find(session, SETTINGS, world.actor("worker"), world.person.id, search("uk"))) == [nadia.id]
