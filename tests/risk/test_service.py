"""Risk flags in the service (both databases): the deadline at the end of the local day (23:30, clock changes),
the clinician on duty, nobody on duty, sealing, closing only by a clinician, escalation through the real job runner,
crisis lines from settings."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings as hypothesis_settings, strategies as st
from pydantic import ValidationError
from sqlalchemy import select

from carebridge.config import Settings
from carebridge.errors import Conflict, Forbidden, InvalidInput
from carebridge.jobs.models import Job
from carebridge.kit import clock
from carebridge.risk import guidance, service
from carebridge.risk.models import RiskFlag
from factories import clients as client_factories
from factories import jobs
from factories import risk as factories

LONDON = Settings(timezone="Europe/London", risk_min_response_hours=4)


# --- The deadline -------------------------------------------------------------------------------------------------


def test_a_flag_raised_in_the_morning_is_due_at_midnight_local_time() -> None:
    # 23 Nov 2026: London is on GMT.
    assert service.due_at(LONDON, dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)) == dt.datetime(2026, 11, 24, 0, 0, tzinfo=dt.UTC)


def test_a_flag_raised_at_23_30_gets_the_minimum_hours_not_half_an_hour() -> None:
    raised = dt.datetime(2026, 11, 23, 23, 30, tzinfo=dt.UTC)
    assert service.due_at(LONDON, raised) == raised + dt.timedelta(hours=4)


def test_in_summer_the_local_day_ends_at_23_00_utc() -> None:
    # 30 June: BST, so the local day ends at 23:00 UTC.
    assert service.due_at(LONDON, dt.datetime(2027, 6, 30, 16, 0, tzinfo=dt.UTC)) == dt.datetime(2027, 6, 30, 23, 0, tzinfo=dt.UTC)
    # 23:30 UTC on 30 April is already 1 May in London: due at the end of 1 May (23:00 UTC).
    assert service.due_at(LONDON, dt.datetime(2027, 4, 30, 23, 30, tzinfo=dt.UTC)) == dt.datetime(2027, 5, 1, 23, 0, tzinfo=dt.UTC)


def test_on_the_days_the_clocks_change_the_local_midnight_is_kept() -> None:
    # 28 March 2027: BST starts at 01:00 UTC; the day ends at 23:00 UTC.
    assert service.due_at(LONDON, dt.datetime(2027, 3, 28, 8, 0, tzinfo=dt.UTC)) == dt.datetime(2027, 3, 28, 23, 0, tzinfo=dt.UTC)
    # 25 October 2026: BST ends at 01:00 UTC; that day lasts 25 hours and ends at 00:00 UTC on the 26th.
    assert service.due_at(LONDON, dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC)) == dt.datetime(2026, 10, 26, 0, 0, tzinfo=dt.UTC)


@hypothesis_settings(max_examples=300, deadline=None)
@given(
    raised=st.datetimes(min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2030, 12, 31), timezones=st.just(dt.UTC)),
    hours=st.integers(min_value=1, max_value=24),
    zone=st.sampled_from(["Europe/London", "Europe/Berlin", "Asia/Kabul", "America/New_York", "UTC"]),
)
def test_the_deadline_is_never_before_the_minimum_nor_needlessly_later(raised: dt.datetime, hours: int, zone: str) -> None:
    from zoneinfo import ZoneInfo

    settings = Settings(timezone=zone, risk_min_response_hours=hours)
    due = service.due_at(settings, raised)
    assert due >= raised + dt.timedelta(hours=hours)
    local_due = due.astimezone(ZoneInfo(zone))
    # Either exactly local midnight after the day it was raised, or exactly the minimum.
    assert due == raised + dt.timedelta(hours=hours) or (local_due.time() == dt.time(0) and local_due.date() > raised.astimezone(ZoneInfo(zone)).date())


# --- Who answers -----------------------------------------------------------------------------------------------------


def _notified(session, reason: str = "risk-flag") -> list[str]:  # noqa: ANN001
    rows = session.scalars(select(Job).where(Job.kind == "notify.staff")).all()
    return sorted(row.payload["account_id"] for row in rows if row.payload.get("reason") == reason)


def test_the_flag_goes_to_the_clinician_on_duty_today_who_alone_is_told(session) -> None:
    settings = client_factories.settings()
    world = factories.world(session, settings)
    factories.on_duty(session, world.other_clinician, clock.today(), phone="020 7946 0000")
    flag = factories.flag(session, settings, world.person, world.actor("peer"))
    assert flag.assigned_to == world.other_clinician.id and flag.status == "open"
    assert flag.due_at.astimezone(dt.UTC) == dt.datetime(2026, 11, 24, 0, 0, tzinfo=dt.UTC)
    assert _notified(session) == [world.other_clinician.id]
    # Only ids in the job: no name, no person.
    job = session.scalars(select(Job).where(Job.kind == "notify.staff")).one()
    assert set(job.payload) == {"account_id", "reason"}
    assert "risk.raise-worker" in client_factories.audit_actions(session, world.person.id)


def test_yesterdays_duty_does_not_count(session) -> None:
    settings = client_factories.settings()
    world = factories.world(session, settings)
    factories.on_duty(session, world.other_clinician, clock.today() - dt.timedelta(days=1))
    flag = factories.flag(session, settings, world.person, world.actor("peer"))
    assert flag.assigned_to is None


def test_nobody_on_duty_every_clinician_and_the_service_manager_are_told(session) -> None:
    settings = client_factories.settings()
    world = factories.world(session, settings)
    flag = factories.flag(session, settings, world.person, world.actor("peer"))
    assert flag.assigned_to is None
    assert _notified(session) == sorted([world.clinician.id, world.other_clinician.id, world.manager.id])
    # Both clinicians see it in their list and banner.
    for who in ("clinician", "other_clinician"):
        actor = world.actor(who)
        assert [item.id for item in service.open_flags_for(session, actor)] == [flag.id]
        assert service.banner(session, actor) == service.Banner(to_answer=1, escalated=0)
    assert service.banner(session, world.actor("peer")) is None


def test_what_was_seen_and_done_is_sealed(session) -> None:
    settings = client_factories.settings()
    world = factories.world(session, settings)
    flag = factories.flag(session, settings, world.person, world.actor("peer"), seen="Unmistakablesecretwords")
    assert b"Unmistakablesecretwords" not in flag.details
    view = service.read_flag(session, settings, world.actor("clinician"), flag.id)
    assert view.seen == "Unmistakablesecretwords" and view.preferred_name == "Layla Testperson"
    assert "risk.read" in client_factories.audit_actions(session, world.person.id)


def test_a_peer_supporter_adds_what_they_did_but_cannot_close(session) -> None:
    settings = client_factories.settings()
    world = factories.world(session, settings)
    flag = factories.flag(session, settings, world.person, world.actor("peer"))
    service.add_note(session, settings, world.actor("peer"), flag.id, "Called the crisis line with them")
    with pytest.raises(Forbidden):
        service.close_flag(session, settings, world.actor("peer"), flag.id, outcome="risk-assessed", notes="x")
    assert flag.status == "open"
    service.close_flag(session, settings, world.actor("clinician"), flag.id, outcome="plan-made", notes="Safety plan agreed")
    assert flag.status == "closed" and flag.outcome == "plan-made" and flag.closed_by == world.clinician.id
    assert b"Safety plan" not in flag.outcome_notes
    with pytest.raises(Conflict):
        service.close_flag(session, settings, world.actor("clinician"), flag.id, outcome="plan-made", notes="again")
    with pytest.raises(Conflict):
        service.add_note(session, settings, world.actor("peer"), flag.id, "too late")
    view = service.read_flag(session, settings, world.actor("clinician"), flag.id)
    assert [note["text"] for note in view.notes] == ["Called the crisis line with them"]
    assert view.outcome_notes == "Safety plan agreed"
    actions = client_factories.audit_actions(session, world.person.id)
    assert "risk.note" in actions and "risk.close" in actions


def test_closing_needs_an_outcome_and_notes(session) -> None:
    settings = client_factories.settings()
    world = factories.world(session, settings)
    flag = factories.flag(session, settings, world.person, world.actor("peer"))
    with pytest.raises(InvalidInput) as problem:
        service.close_flag(session, settings, world.actor("clinician"), flag.id, outcome="fine", notes="  ")
    assert {error.name for error in problem.value.errors} == {"outcome", "outcome_notes"}


def test_a_worker_must_say_what_they_saw_and_choose_a_kind(session) -> None:
    settings = client_factories.settings()
    world = factories.world(session, settings)
    with pytest.raises(InvalidInput) as problem:
        service.raise_by_worker(session, settings, world.actor("receptionist"), world.person.id, source="screening", seen="", done="")
    assert {error.name for error in problem.value.errors} == {"source", "seen"}
    flag = service.raise_by_worker(session, settings, world.actor("receptionist"), world.person.id, source="safeguarding",
                                   seen="Bruises on the child", done="")
    assert flag.source == "safeguarding"


def test_another_organisations_clinician_cannot_reach_the_flag(session) -> None:
    from carebridge.errors import NotFound

    settings = client_factories.settings()
    world = factories.world(session, settings)
    elsewhere = factories.world(session, settings)
    flag = factories.flag(session, settings, world.person, world.actor("peer"))
    with pytest.raises(NotFound):
        service.read_flag(session, settings, elsewhere.actor("clinician"), flag.id)
    assert service.open_flags_for(session, elsewhere.actor("clinician")) == []


# --- Escalation through the job runner ---------------------------------------------------------------------------------


def test_an_unanswered_flag_escalates_on_time_through_the_job_not_before(session_factory) -> None:
    from carebridge.risk.jobs import SCHEDULES

    with session_factory() as session:
        settings = client_factories.settings()
        world = factories.world(session, settings)
        flag = factories.flag(session, settings, world.person, world.actor("peer"))
        answered = factories.flag(session, settings, world.person, world.actor("peer"))
        service.close_flag(session, settings, world.actor("clinician"), answered.id, outcome="risk-assessed", notes="Seen")
        flag_id, due, manager_id, person_id = flag.id, flag.due_at, world.manager.id, world.person.id
        session.commit()
    assert due.astimezone(dt.UTC) == dt.datetime(2026, 11, 24, 0, 0, tzinfo=dt.UTC)
    worker = jobs.worker(session_factory, schedules=SCHEDULES)

    def escalated() -> dt.datetime | None:
        with session_factory() as session:
            return session.get(RiskFlag, flag_id).escalated_at

    # Five-minute runs through the afternoon and evening: not escalated before its deadline.
    with clock.pinned(dt.datetime(2026, 11, 23, 23, 55, tzinfo=dt.UTC)):
        worker.run_once()
    assert escalated() is None
    with clock.pinned(dt.datetime(2026, 11, 24, 0, 0, tzinfo=dt.UTC)):
        worker.run_once()
    assert escalated() is not None
    with session_factory() as session:
        rows = session.scalars(select(Job).where(Job.kind == "notify.staff")).all()
        to_manager = [row for row in rows if row.payload["account_id"] == manager_id]
        # Once for "nobody on duty" when raised (twice: two flags), once for the escalation.
        assert len(to_manager) == 3
        assert client_factories.audit_actions(session, person_id).count("risk.escalate") == 1
        closed = session.scalars(select(RiskFlag).where(RiskFlag.status == "closed")).one()
        assert closed.escalated_at is None
    # Again five minutes later: nothing more.
    with clock.pinned(dt.datetime(2026, 11, 24, 0, 5, tzinfo=dt.UTC)):
        worker.run_once()
    with session_factory() as session:
        assert client_factories.audit_actions(session, person_id).count("risk.escalate") == 1
        rows = session.scalars(select(Job).where(Job.kind == "notify.staff")).all()
        assert len([row for row in rows if row.payload["account_id"] == manager_id]) == 3
    with session_factory() as session:
        from carebridge.accounts import service as accounts

        actor = accounts.actor_for(accounts.account_by_id(session, manager_id))
        assert service.banner(session, actor) == service.Banner(to_answer=0, escalated=1)


# --- The duty rota -------------------------------------------------------------------------------------------------------


def test_the_rota_takes_clinicians_of_the_organisation_on_the_next_14_days(session) -> None:
    settings = client_factories.settings()
    world = factories.world(session, settings)
    manager = world.actor("manager")
    today = service.local_today(settings)
    duty = service.add_duty(session, settings, manager, account_id=world.clinician.id, day=today.isoformat(), phone="+44 20 7946 0000")
    assert [account.id for _, account in service.on_duty(session, world.organisation.id, today)] == [world.clinician.id]
    with pytest.raises(InvalidInput) as problem:
        service.add_duty(session, settings, manager, account_id=world.peer.id, day=(today + dt.timedelta(days=14)).isoformat(), phone="call me")
    assert {error.name for error in problem.value.errors} == {"account_id", "day", "phone"}
    days = service.rota(session, settings, world.organisation.id)
    assert len(days) == 14 and days[0][0] == today and [account.id for _, account in days[0][1]] == [world.clinician.id]
    service.replace_rota(session, settings, manager, [{"account_id": world.other_clinician.id, "day": today + dt.timedelta(days=1)}])
    days = service.rota(session, settings, world.organisation.id)
    assert days[0][1] == [] and [account.id for _, account in days[1][1]] == [world.other_clinician.id]
    with pytest.raises(Forbidden):
        service.remove_duty(session, world.actor("clinician"), duty.id)


# --- What to do now -------------------------------------------------------------------------------------------------------


def test_crisis_lines_come_from_settings_and_a_bad_value_refuses_to_start() -> None:
    settings = Settings(crisis_lines="116 123=Samaritans, 0800 689 5652=Refugee Council helpline")
    assert settings.crisis_line_list() == [("116 123", "Samaritans"), ("0800 689 5652", "Refugee Council helpline")]
    for bad in ("Samaritans", "116123", "call=Samaritans", "116 123="):
        with pytest.raises(ValidationError) as problem:
            Settings(crisis_lines=bad)
        assert "crisis line" in str(problem.value)


def test_the_guidance_names_the_crisis_lines_and_the_clinician_on_duty(session) -> None:
    settings = Settings(crisis_lines="116 123=Samaritans")
    world = factories.world(session, client_factories.settings())
    factories.on_duty(session, world.clinician, clock.today(), phone="020 7946 0000")
    found = guidance.guidance(session, settings, world.actor("peer"))
    assert found["crisis_lines"] == [{"number": "116 123", "tel": "tel:116123", "name": "Samaritans"}]
    assert found["on_duty"] == [{"name": "Dr Cleo Clinician", "phone": "020 7946 0000", "tel": "tel:02079460000"}]
    assert found["emergency_numbers"]
