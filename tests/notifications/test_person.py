"""Reminders to a person (notify.person): queued by staff through contact_route, checked again when sent, a fixed
text in the person's language naming the organisation, the number or address opened only in the worker, sent once."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from carebridge.audit.models import AuditEvent
from carebridge.config import Settings
from carebridge.consent import service as consent
from carebridge.errors import InvalidInput, NotFound
from carebridge.i18n import LANGUAGES
from carebridge.jobs.models import Job
from carebridge.notifications import person
from carebridge.notifications.models import NotificationSent, SmsOutbox
from factories import clients, jobs
from factories import consent as consents

SETTINGS = Settings()
NUMBER = "+447700900123"


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: ANN001, N802 - aiosmtpd's hook name
        self.messages.append(
            (list(envelope.rcpt_tos), email.message_from_bytes(envelope.content, policy=email.policy.default))
        )
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


def _setup(session_factory, kind: str = "sms", value: str = NUMBER, languages=("ar",)):  # noqa: ANN001, ANN202
    with session_factory() as session:
        worker = clients.caseworker(session)
        client = clients.client(session, SETTINGS, worker.actor, languages=list(languages))
        channel = consents.channel(session, SETTINGS, client, kind, value, safe_times="weekdays 10-12")
        consents.given(session, worker.actor, client, consent.CONTACT, channel_id=channel.id)
        organisation = worker.organisation.name
        session.commit()
    return worker, client.id, channel.id, organisation


def _queue(session_factory, worker, client_id: str, channel_id: str) -> str:  # noqa: ANN001
    with session_factory() as session:
        job_id = person.queue_reminder(session, SETTINGS, worker.actor, client_id, channel_id)
        session.commit()
    return job_id


def _state(session_factory, job_id: str) -> tuple[str, str | None]:  # noqa: ANN001
    with session_factory() as session:
        job = session.get(Job, job_id)
        return job.state, job.last_error


def test_a_reminder_is_sent_by_sms_in_the_persons_language_with_ids_only_in_the_job(
    session_factory, compiled_catalogs
) -> None:  # noqa: ANN001
    worker, client_id, channel_id, organisation = _setup(session_factory, languages=("prs", "ar"))
    job_id = _queue(session_factory, worker, client_id, channel_id)
    with session_factory() as session:
        payload = session.get(Job, job_id).payload
    assert payload == {"client_id": client_id, "channel_id": channel_id, "reason": "please-contact"}
    assert jobs.worker(session_factory).run_once() == 1
    assert _state(session_factory, job_id) == ("done", None)
    with session_factory() as session:
        [(to, text)] = session.execute(select(SmsOutbox.to, SmsOutbox.text)).all()
        assert to == NUMBER
        # Dari (prs) is written like Farsi: the interface language is fa.
        assert text == person.reminder_text("please-contact", "fa", organisation)[1]
        assert organisation in text
        sent = session.scalar(select(NotificationSent).where(NotificationSent.job_id == job_id))
        assert (sent.account_id, sent.channel, sent.outcome) == (client_id, "sms", "sent")
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.record_type == "client", AuditEvent.record_id == client_id)
        ).all()
        assert "client.reminder.queue" in actions and "client.reminder.send" in actions


def test_the_language_is_the_persons_first_interface_language() -> None:
    settings = Settings(default_language="fr")
    assert person.language_of(["prs", "ar"], settings) == "fa"
    assert person.language_of(["ps", "ti"], settings) == "fr"
    assert person.language_of(["uk-UA"], settings) == "uk"


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_the_text_is_translated_short_and_names_only_the_organisation(compiled_catalogs, language: str) -> None:
    subject, text = person.reminder_text("please-contact", language, "Harbour Health")
    assert "Harbour Health" in text and "Harbour Health" in subject
    assert "%(" not in text and "%(" not in subject
    assert len(text) <= 160
    if language != "en":
        assert text != person.reminder_text("please-contact", "en", "Harbour Health")[1]


def test_a_reminder_by_e_mail_reaches_the_smtp_server(session_factory, smtp_server, compiled_catalogs) -> None:  # noqa: ANN001
    inbox, port = smtp_server
    worker, client_id, channel_id, organisation = _setup(session_factory, "email", "amina@example.org", ("en",))
    job_id = _queue(session_factory, worker, client_id, channel_id)
    runner = jobs.worker(
        session_factory, smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False,
        smtp_from="Carebridge <no-reply@carebridge.example>",
    )
    assert runner.run_once() == 1
    assert _state(session_factory, job_id) == ("done", None)
    [(recipients, message)] = inbox.messages
    assert recipients == ["amina@example.org"]
    assert message.get_content().strip() == f"This is a message from {organisation}. Please contact us."
    # Run again (as if handed out twice): nothing more is sent.
    with session_factory() as session:
        session.get(Job, job_id).state = "queued"
        session.commit()
    assert runner.run_once() == 1
    assert len(inbox.messages) == 1


def test_without_smtp_an_e_mail_reminder_goes_dead_saying_why(session_factory) -> None:  # noqa: ANN001
    worker, client_id, channel_id, _ = _setup(session_factory, "email", "amina@example.org")
    job_id = _queue(session_factory, worker, client_id, channel_id)
    jobs.worker(session_factory).run_once()
    assert _state(session_factory, job_id) == ("dead", "PermanentError:no-smtp")


def test_only_text_messages_and_e_mails_can_carry_a_reminder(session_factory) -> None:  # noqa: ANN001
    # Consent to reminders by a phone call is refused when recorded (consent.REMINDER_KINDS); a channel changed to a
    # phone call after the person agreed to text messages on it still carries no reminder.
    from carebridge.clients.models import ContactChannel

    worker, client_id, channel_id, _ = _setup(session_factory, "sms", NUMBER)
    with session_factory() as session:
        session.get(ContactChannel, channel_id).kind = "phone"
        session.commit()
    with session_factory() as session, pytest.raises(InvalidInput):
        person.queue_reminder(session, SETTINGS, worker.actor, client_id, channel_id)


def test_outside_scope_nothing_is_queued(session_factory) -> None:  # noqa: ANN001
    _, client_id, channel_id, _ = _setup(session_factory)
    with session_factory() as session:
        stranger = clients.caseworker(session)
        with pytest.raises(NotFound):
            person.queue_reminder(session, SETTINGS, stranger.actor, client_id, channel_id)
        assert session.scalar(select(Job.id).where(Job.kind == "notify.person")) is None


def test_an_erased_person_is_not_contacted(session_factory) -> None:  # noqa: ANN001
    from carebridge.keys import service as keys

    worker, client_id, channel_id, _ = _setup(session_factory)
    job_id = _queue(session_factory, worker, client_id, channel_id)
    with session_factory() as session:
        keys.destroy_data_key(session, "client", client_id)
        session.commit()
    jobs.worker(session_factory).run_once()
    assert _state(session_factory, job_id) == ("dead", "PermanentError:erased")
    with session_factory() as session:
        assert session.scalar(select(SmsOutbox.id)) is None


def _with_safe_window(session_factory, days: tuple[int, ...], start: str, end: str):  # noqa: ANN001, ANN202
    """A person whose text-message channel carries consent to contact and reminders, with a structured safe window
    in their reminder preferences."""
    from factories import appointments

    with session_factory() as session:
        worker = clients.caseworker(session)
        client = clients.client(session, SETTINGS, worker.actor, languages=["ar"])
        channel = appointments.reminded(session, SETTINGS, worker.actor, client, days=days, start=start, end=end)
        consents.given(session, worker.actor, client, consent.CONTACT, channel_id=channel.id)
        session.commit()
    return worker, client.id, channel.id


def test_the_message_waits_for_the_persons_safe_window(session_factory) -> None:  # noqa: ANN001
    import datetime as dt

    from carebridge.kit import clock

    now = clock.utc_now()  # pinned: Monday 23 November 2026, 12:00 in London
    assert now.weekday() == 0 and now.hour == 12
    worker, client_id, channel_id = _with_safe_window(session_factory, (0,), "14:00", "16:00")
    job_id = _queue(session_factory, worker, client_id, channel_id)
    with session_factory() as session:
        run_at = session.get(Job, job_id).run_at
    assert run_at.replace(tzinfo=dt.UTC) == now.replace(hour=14, minute=0, second=0, microsecond=0)
    jobs.worker(session_factory).run_once()
    assert _state(session_factory, job_id)[0] == "queued"  # not sent before the window opens
    with session_factory() as session:
        assert session.scalar(select(SmsOutbox.id)) is None


def test_with_no_safe_moment_this_week_nothing_is_queued(session_factory) -> None:  # noqa: ANN001
    # The person's window (10:00-12:00) lies wholly in the deployment's quiet hours here.
    quiet = Settings(reminder_quiet_start="09:00", reminder_quiet_end="20:00")
    worker, client_id, channel_id = _with_safe_window(session_factory, (0, 1, 2, 3, 4), "10:00", "12:00")
    with session_factory() as session:
        with pytest.raises(InvalidInput) as problem:
            person.queue_reminder(session, quiet, worker.actor, client_id, channel_id)
        assert problem.value.errors[0].message == person.NO_SAFE_TIME
        assert session.scalar(select(Job.id).where(Job.kind == "notify.person")) is None


def test_consent_to_reminders_alone_does_not_allow_the_please_contact_message(session_factory) -> None:  # noqa: ANN001
    from factories import appointments

    with session_factory() as session:
        worker = clients.caseworker(session)
        client = clients.client(session, SETTINGS, worker.actor)
        channel = appointments.reminded(session, SETTINGS, worker.actor, client)
        session.commit()
        with pytest.raises(consent.ContactNotAllowed):
            person.queue_reminder(session, SETTINGS, worker.actor, client.id, channel.id)
