"""Appointment reminders through the real job machinery: due `reminder_hours_before` hours ahead, never in the quiet
hours or outside the person's window, only with consent and never to a person flagged do-not-contact (checked when
scheduled and again when sent), recorded without their text, by SMS (the outbox provider) or e-mail (a real SMTP
server), in the person's language with the organisation's neutral sender name."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import socket
from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller
from factories import appointments as factories
from factories import clients, jobs
from sqlalchemy import select

from carebridge.appointments import service as appointments
from carebridge.appointments.models import Appointment
from carebridge.clients.models import Client
from carebridge.config import Settings
from carebridge.consent import service as consent
from carebridge.jobs.models import Job
from carebridge.kit import clock
from carebridge.notifications.models import SmsOutbox
from carebridge.reminders import jobs as reminder_jobs
from carebridge.reminders import service as reminders
from carebridge.reminders.models import Reminder

SETTINGS = Settings()
LONDON = clock.zone("Europe/London")
# The tests' clock: Monday 23 November 2026, 12:00 in London. The default appointment: Wednesday 25th at 14:00.
WEDNESDAY_2PM = dt.datetime(2026, 11, 25, 14, 0, tzinfo=LONDON)


def _london(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=LONDON)


def _person(session_factory, *, languages=("en",), **preferences):
    with session_factory() as session:
        worker = clients.caseworker(session)
        client = clients.client(session, SETTINGS, worker.actor, languages=list(languages))
        channel = factories.reminded(session, SETTINGS, worker.actor, client, **preferences)
        session.commit()
        return worker, client.id, channel.id


def _book(session_factory, worker, client_id: str, at: dt.datetime = WEDNESDAY_2PM, **options) -> str:
    with session_factory() as session:
        appointment = factories.booked(session, SETTINGS, worker.actor, session.get(Client, client_id), at=at, **options)
        session.commit()
        return appointment.id


def _reminders(session_factory, appointment_id: str) -> list[Reminder]:
    with session_factory() as session:
        return list(session.scalars(
            select(Reminder).where(Reminder.appointment_id == appointment_id).order_by(Reminder.created_at)
        ))


def _outbox(session_factory) -> list[SmsOutbox]:
    with session_factory() as session:
        return list(session.scalars(select(SmsOutbox)))


def _run_schedule_at(session_factory, moment: dt.datetime, **settings) -> None:
    """The worker with the reminders schedule, run at `moment` and again five minutes later (its scan then runs)."""
    worker = jobs.worker(session_factory, schedules=reminder_jobs.SCHEDULES, **settings)
    with clock.pinned(moment):
        worker.run_once()
    with clock.pinned(moment + dt.timedelta(minutes=5)):
        worker.run_once()


# --- When -----------------------------------------------------------------------------------------------------------


def test_next_allowed_moves_out_of_the_quiet_hours_to_their_end() -> None:
    assert reminders.next_allowed(_london(23, 22), _london(24, 14), SETTINGS) == _london(24, 9).astimezone(dt.UTC)
    assert reminders.next_allowed(_london(23, 19, 59), _london(24, 14), SETTINGS) == _london(23, 19, 59)


def test_next_allowed_is_none_when_no_moment_is_left_before_the_appointment() -> None:
    assert reminders.next_allowed(_london(23, 22), _london(24, 8, 30), SETTINGS) is None


def test_next_allowed_keeps_to_the_persons_window() -> None:
    weekday_evenings = reminders.Window((0, 1, 2, 3, 4), dt.time(17), dt.time(19))
    saturday = dt.datetime(2026, 11, 28, 10, 0, tzinfo=LONDON)
    assert reminders.next_allowed(saturday, _london(30, 12) + dt.timedelta(days=1), SETTINGS, weekday_evenings) == (
        _london(30, 17).astimezone(dt.UTC)
    )
    # A window that ends later than the quiet hours begin: the quiet hours still win.
    late = reminders.Window(tuple(range(7)), dt.time(19), dt.time(23))
    assert reminders.next_allowed(_london(23, 20, 30), _london(25, 12), SETTINGS, late) == _london(24, 19).astimezone(dt.UTC)


def test_a_reminder_is_scheduled_hours_before_and_recorded_without_text(session_factory) -> None:
    worker, client_id, channel_id = _person(session_factory)
    appointment_id = _book(session_factory, worker, client_id)
    [reminder] = _reminders(session_factory, appointment_id)
    assert (reminder.state, reminder.channel_id, reminder.kind) == ("scheduled", channel_id, "appointment")
    assert clock_aware(reminder.due_at) == (WEDNESDAY_2PM - dt.timedelta(hours=SETTINGS.reminder_hours_before))
    assert not hasattr(reminder, "text")


def clock_aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def test_a_reminder_due_in_the_quiet_hours_waits_for_their_end(session_factory) -> None:
    worker, client_id, _ = _person(session_factory)
    appointment_id = _book(session_factory, worker, client_id, at=_london(25, 8, 30))
    [reminder] = _reminders(session_factory, appointment_id)
    assert reminder.state == "scheduled"
    assert clock_aware(reminder.due_at) == _london(24, 9)


def test_a_reminder_with_no_allowed_moment_is_recorded_as_not_sent(session_factory) -> None:
    worker, client_id, _ = _person(session_factory)
    with clock.pinned(_london(23, 21)):
        appointment_id = _book(session_factory, worker, client_id, at=_london(24, 8))
    [reminder] = _reminders(session_factory, appointment_id)
    assert (reminder.state, reminder.reason) == ("not-sent", "no-allowed-moment")


def test_a_reminder_outside_the_persons_window_moves_into_it(session_factory) -> None:
    worker, client_id, _ = _person(session_factory, days=(1,), start="17:00", end="18:30")  # Tuesdays 17:00–18:30
    appointment_id = _book(session_factory, worker, client_id)
    [reminder] = _reminders(session_factory, appointment_id)
    assert clock_aware(reminder.due_at) == _london(24, 17)


def test_a_referral_appointment_is_a_referral_reminder(session_factory) -> None:
    worker, client_id, _ = _person(session_factory)
    appointment_id = _book(session_factory, worker, client_id)
    with session_factory() as session:
        from carebridge.referrals.models import Referral

        columns = {column.name for column in Referral.__table__.columns}
        assert {"client_id", "referring_organisation_id"} <= columns
        appointment = session.get(Appointment, appointment_id)
        appointment.referral_id = None  # the referral itself is the referrals domain's; the kind follows the link
        session.commit()
    assert _reminders(session_factory, appointment_id)[0].kind == "appointment"


# --- Sending through the worker ------------------------------------------------------------------------------------


def test_the_worker_sends_the_default_text_by_sms_at_the_due_moment(session_factory, compiled_catalogs) -> None:
    worker, client_id, _ = _person(session_factory)
    appointment_id = _book(session_factory, worker, client_id)
    _run_schedule_at(session_factory, _london(24, 13, 50))  # before it is due (13:50, 13:55): nothing
    assert _outbox(session_factory) == []
    assert _reminders(session_factory, appointment_id)[0].state == "scheduled"
    _run_schedule_at(session_factory, _london(24, 14, 0))
    [message] = _outbox(session_factory)
    assert message.to == "+447700900123"
    assert message.text == (
        "Reminder from Carebridge: appointment on Wednesday, 25 November 2026 at 14:00. Reply STOP to stop."
    )
    [reminder] = _reminders(session_factory, appointment_id)
    assert (reminder.state, reminder.reason) == ("sent", None)
    with session_factory() as session:
        job = session.get(Job, reminder.job_id)
        assert job.payload == {"reminder_id": reminder.id}  # ids only
        assert job.state == "done"
    _run_schedule_at(session_factory, _london(24, 14, 10))  # sent once
    assert len(_outbox(session_factory)) == 1


def test_the_text_has_no_place_unless_the_person_chose_details(session_factory, compiled_catalogs) -> None:
    worker, client_id, _ = _person(session_factory, with_details=True)
    _book(session_factory, worker, client_id)
    _run_schedule_at(session_factory, _london(24, 14))
    [message] = _outbox(session_factory)
    assert "Room 2, 10 High Street" in message.text and "Dr Amal" in message.text
    assert "Letter" not in message.text  # what to bring is never sent


def test_the_organisations_sender_name_and_the_persons_language(session_factory, compiled_catalogs) -> None:
    worker, client_id, _ = _person(session_factory, languages=("uk",))
    with session_factory() as session:
        from factories import accounts

        manager = accounts.account(session, roles=("administrator",), organisation_=worker.organisation)
        reminders.set_sender_name(session, accounts.actor_for(manager), "Clinic 4")
        session.commit()
    _book(session_factory, worker, client_id)
    _run_schedule_at(session_factory, _london(24, 14))
    [message] = _outbox(session_factory)
    assert "Clinic 4" in message.text and "STOP" in message.text
    assert "25" in message.text and "14:00" in message.text
    assert "Reminder" not in message.text  # Ukrainian, not English


def test_do_not_contact_set_after_scheduling_stops_it_and_is_recorded(session_factory) -> None:
    worker, client_id, _ = _person(session_factory)
    appointment_id = _book(session_factory, worker, client_id)
    with clock.pinned(_london(24, 14)):
        with session_factory() as session:
            reminders.enqueue_due(session, SETTINGS)
            session.get(Client, client_id).do_not_contact = True
            session.commit()
        jobs.worker(session_factory).run_once()
        with session_factory() as session:
            reminders.enqueue_due(session, SETTINGS)
            session.commit()
    assert _outbox(session_factory) == []
    [reminder] = _reminders(session_factory, appointment_id)
    assert (reminder.state, reminder.reason) == ("not-sent", "contact-not-allowed")


def test_consent_withdrawn_after_scheduling_stops_it(session_factory) -> None:
    worker, client_id, channel_id = _person(session_factory)
    _book(session_factory, worker, client_id)
    with session_factory() as session:
        grant = consent.active_consent(session, client_id, consent.REMINDERS, channel_id=channel_id)
        consent.withdraw_consent(session, worker.actor, grant.id)
        session.commit()
    _run_schedule_at(session_factory, _london(24, 14))
    assert _outbox(session_factory) == []


def test_without_consent_nothing_is_scheduled_to_be_sent(session_factory) -> None:
    with session_factory() as session:
        worker = clients.caseworker(session)
        client = clients.client(session, SETTINGS, worker.actor)
        channel = factories.sms_channel(session, SETTINGS, worker.actor, client)
        with pytest.raises(Exception) as refused:
            reminders.set_preferences(session, SETTINGS, worker.actor, client.id, reminders.PreferenceInput(channel.id))
        assert refused.value.errors[0].name == "channel_id"


def test_a_cancelled_appointment_cancels_its_reminder(session_factory) -> None:
    worker, client_id, _ = _person(session_factory)
    appointment_id = _book(session_factory, worker, client_id)
    with session_factory() as session:
        appointments.set_status(session, SETTINGS, worker.actor, appointment_id, "cancelled", version=1)
        session.commit()
    [reminder] = _reminders(session_factory, appointment_id)
    assert (reminder.state, reminder.reason) == ("cancelled", "appointment-changed")
    _run_schedule_at(session_factory, _london(24, 14))
    assert _outbox(session_factory) == []


def test_a_moved_appointment_moves_its_reminder(session_factory) -> None:
    worker, client_id, _ = _person(session_factory)
    appointment_id = _book(session_factory, worker, client_id)
    with session_factory() as session:
        data = appointments.AppointmentInput(day="2026-11-26", time="15:00")
        appointments.update_appointment(session, SETTINGS, worker.actor, appointment_id, data, version=1)
        session.commit()
    old, new = _reminders(session_factory, appointment_id)
    assert old.state == "cancelled" and new.state == "scheduled"
    assert clock_aware(new.due_at) == _london(25, 15)


# --- E-mail --------------------------------------------------------------------------------------------------------


class Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def test_an_e_mail_reminder_goes_through_a_real_smtp_server_with_a_neutral_subject(
    session_factory, compiled_catalogs, smtp_server
) -> None:
    inbox, port = smtp_server
    worker, client_id, _ = _person(session_factory, kind="email", value="layla@example.org")
    _book(session_factory, worker, client_id)
    _run_schedule_at(session_factory, _london(24, 14), smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False)
    [message] = inbox.messages
    assert message["To"] == "layla@example.org"
    assert message["Subject"] == "Reminder from Carebridge"
    assert "appointment on Wednesday, 25 November 2026 at 14:00" in message.get_content()
    assert "Room 2" not in message.get_content()


# --- "Remind now" (the contacting feature) ---------------------------------------------------------------------------


def test_remind_now_in_the_quiet_hours_waits_for_their_end(session_factory) -> None:
    worker, client_id, channel_id = _person(session_factory)
    _book(session_factory, worker, client_id)
    with clock.pinned(_london(23, 22)), session_factory() as session:
        job_id = reminders.queue_reminder(session, SETTINGS, worker.actor, client_id, channel_id)
        session.commit()
    with session_factory() as session:
        assert clock_aware(session.get(Job, job_id).run_at) == _london(24, 9)


def test_remind_now_needs_an_appointment_ahead(session_factory) -> None:
    worker, client_id, channel_id = _person(session_factory)
    with session_factory() as session, pytest.raises(Exception) as refused:
        reminders.queue_reminder(session, SETTINGS, worker.actor, client_id, channel_id)
    assert refused.value.status_code == 422


def test_a_send_job_run_late_in_the_quiet_hours_waits_and_is_sent_at_their_end(session_factory, compiled_catalogs) -> None:
    worker, client_id, _ = _person(session_factory)
    appointment_id = _book(session_factory, worker, client_id)
    with clock.pinned(_london(24, 14)), session_factory() as session:
        assert reminders.enqueue_due(session, SETTINGS) == 1  # queued at 14:00 ...
        session.commit()
    with clock.pinned(_london(24, 21)):  # ... but the worker only runs at 21:00, in the quiet hours
        jobs.worker(session_factory).run_once()
    assert _outbox(session_factory) == []
    [reminder] = _reminders(session_factory, appointment_id)
    assert (reminder.state, clock_aware(reminder.due_at)) == ("scheduled", _london(25, 9))
    _run_schedule_at(session_factory, _london(25, 8, 55))  # the scans at 8:55 and 9:00
    assert len(_outbox(session_factory)) == 1
    assert _reminders(session_factory, appointment_id)[0].state == "sent"
