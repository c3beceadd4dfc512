"""Staff notifications by e-mail: real mail to a real SMTP server (aiosmtpd on 127.0.0.1), with nothing personal
in it, sent once, and never to a disabled account."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import socket
from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from carebridge.jobs.models import Job
from carebridge.kit import clock
from carebridge.notifications.models import NotificationSent
from factories import accounts, jobs

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: ANN001, N802 - aiosmtpd's hook name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def smtp_worker(session_factory, port: int):  # noqa: ANN001, ANN201
    return jobs.worker(
        session_factory,
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_starttls=False,
        smtp_from="Carebridge <no-reply@carebridge.example>",
        public_base_url="https://care.example.org/",
    )


def notify(session_factory, account_id: str, reason: str) -> str:  # noqa: ANN001
    with session_factory() as session:
        job_id = jobs.job(session, "notify.staff", {"account_id": account_id, "reason": reason}).id
        session.commit()
    return job_id


def outcome(session_factory, job_id: str) -> tuple[str, str]:  # noqa: ANN001
    with session_factory() as session:
        job = session.get(Job, job_id)
        sent = session.scalar(select(NotificationSent.outcome).where(NotificationSent.job_id == job_id))
        return job.state, sent


@pytest.mark.parametrize("reason", ["new-message", "second-factor-reset", "password-changed"])
def test_a_notification_reaches_the_smtp_server_with_no_personal_data(
    session_factory, smtp_server, compiled_catalogs, reason: str
) -> None:
    inbox, port = smtp_server
    with session_factory() as session:
        account = accounts.account(session, name="Amira Haddad", email="amira.haddad@example.org")
        account_id = account.id
        session.commit()
    job_id = notify(session_factory, account_id, reason)
    assert smtp_worker(session_factory, port).run_once() == 1
    assert outcome(session_factory, job_id) == ("done", "sent")
    [(recipients, message)] = inbox.messages
    assert recipients == ["amira.haddad@example.org"]
    assert message["To"] == "amira.haddad@example.org"
    subject, body = message["Subject"], message.get_content()
    expected_subject = (
        "You have a new message in Carebridge" if reason == "new-message"
        else "A change was made to your Carebridge account"
    )
    assert subject == expected_subject
    assert "https://care.example.org/staff/sign-in" in body
    for personal in ("Amira", "Haddad", "amira.haddad", "amira", account_id):
        assert personal.lower() not in subject.lower()
        assert personal.lower() not in body.lower()
    assert message["Message-ID"] == f"<{job_id}@carebridge.example>"
    assert message["Content-Language"] == "en"


def test_the_message_is_in_the_accounts_first_interface_language(session_factory, smtp_server, compiled_catalogs) -> None:
    inbox, port = smtp_server
    with session_factory() as session:
        account = accounts.account(session)
        account.languages = "ps ar fr"  # Pashto has no interface catalog: Arabic is the first that has
        account_id = account.id
        session.commit()
    notify(session_factory, account_id, "new-message")
    assert smtp_worker(session_factory, port).run_once() == 1
    [(_recipients, message)] = inbox.messages
    assert message["Content-Language"] == "ar"
    assert message["Subject"] != "You have a new message in Carebridge"
    assert "كاريبريدج" in message["Subject"] or "Carebridge" in message["Subject"]
    assert "https://care.example.org/staff/sign-in" in message.get_content()


def test_a_disabled_account_gets_no_notification_except_of_its_disabling(session_factory, smtp_server) -> None:
    inbox, port = smtp_server
    with session_factory() as session:
        account = accounts.account(session)
        account.active = False
        account_id = account.id
        session.commit()
    quiet = notify(session_factory, account_id, "new-message")
    told = notify(session_factory, account_id, "account-disabled")
    assert smtp_worker(session_factory, port).run_once() == 2
    assert outcome(session_factory, quiet) == ("done", "skipped-disabled")
    assert outcome(session_factory, told) == ("done", "sent")
    assert [message["Subject"] for _to, message in inbox.messages] == ["A change was made to your Carebridge account"]


def test_a_job_run_again_does_not_send_again(session_factory, smtp_server) -> None:
    inbox, port = smtp_server
    with session_factory() as session:
        account_id = accounts.account(session).id
        session.commit()
    job_id = notify(session_factory, account_id, "password-changed")
    worker = smtp_worker(session_factory, port)
    assert worker.run_once() == 1
    with session_factory() as session:  # as if the job were handed out once more
        session.get(Job, job_id).state = "queued"
        session.commit()
    assert worker.run_once() == 1
    assert len(inbox.messages) == 1


def test_a_burst_of_new_message_jobs_sends_one_email_a_quarter_of_an_hour(session_factory, smtp_server) -> None:
    inbox, port = smtp_server
    with session_factory() as session:
        account_id = accounts.account(session).id
        other_id = accounts.account(session).id
        session.commit()
    for _ in range(3):
        notify(session_factory, account_id, "new-message")
    notify(session_factory, other_id, "new-message")
    notify(session_factory, account_id, "password-changed")  # security notices are never held back
    worker = smtp_worker(session_factory, port)
    assert worker.run_once() == 5
    assert len(inbox.messages) == 3
    with clock.pinned(NOW + dt.timedelta(minutes=15, seconds=1)):
        notify(session_factory, account_id, "new-message")
        assert worker.run_once() == 1
    assert len(inbox.messages) == 4


def test_an_smtp_server_that_is_away_makes_a_retry_with_only_the_error_type(session_factory) -> None:
    with session_factory() as session:
        account_id = accounts.account(session, email="amira.haddad@example.org").id
        session.commit()
    job_id = notify(session_factory, account_id, "new-message")
    assert smtp_worker(session_factory, free_port()).run_once() == 1
    with session_factory() as session:
        job = session.get(Job, job_id)
        assert (job.state, job.attempts, job.last_error) == ("failed", 1, "ConnectionRefusedError:111")
        assert session.scalar(select(NotificationSent.id).where(NotificationSent.job_id == job_id)) is None


def test_with_starttls_configured_nothing_is_sent_in_clear_to_a_server_without_it(session_factory, smtp_server) -> None:
    inbox, port = smtp_server
    with session_factory() as session:
        account_id = accounts.account(session).id
        session.commit()
    job_id = notify(session_factory, account_id, "new-message")
    worker = jobs.worker(session_factory, smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=True)
    assert worker.run_once() == 1
    with session_factory() as session:
        job = session.get(Job, job_id)
        assert (job.state, job.last_error) == ("failed", "SMTPNotSupportedError")
    assert inbox.messages == []


def test_without_an_smtp_server_the_job_does_not_pretend_it_was_sent(session_factory, caplog) -> None:
    """QA defect 2: with no SMTP server the job used to end `done`, as if the person had been told. It goes dead at
    once with its own code (no retries: nothing will change until someone sets SMTP up), records no "sent"."""
    with session_factory() as session:
        account_id = accounts.account(session, email="amira.haddad@example.org").id
        session.commit()
    job_id = notify(session_factory, account_id, "second-factor-reset")
    assert jobs.worker(session_factory, smtp_host="").run_once() == 1
    with session_factory() as session:
        job = session.get(Job, job_id)
        assert (job.state, job.attempts, job.last_error) == ("dead", 1, "PermanentError:no-smtp")
        assert session.scalars(select(NotificationSent).where(NotificationSent.job_id == job_id)).all() == []
    assert "CAREBRIDGE_SMTP_HOST" in caplog.text and "amira" not in caplog.text


def test_once_smtp_is_set_up_the_held_back_notification_is_sent(session_factory, smtp_server) -> None:
    from carebridge.jobs.service import requeue_dead

    inbox, port = smtp_server
    with session_factory() as session:
        account_id = accounts.account(session, email="amira.haddad@example.org").id
        session.commit()
    job_id = notify(session_factory, account_id, "second-factor-reset")
    assert jobs.worker(session_factory, smtp_host="").run_once() == 1
    assert inbox.messages == []
    with session_factory() as session:
        assert requeue_dead(session, "notify.staff") == 1
        session.commit()
    assert smtp_worker(session_factory, port).run_once() == 1
    assert outcome(session_factory, job_id) == ("done", "sent")
    assert [to for to, _message in inbox.messages] == [["amira.haddad@example.org"]]


def test_jobs_status_shows_notifications_held_back_for_want_of_smtp(session_factory, monkeypatch, capsys) -> None:
    import carebridge.db
    from carebridge.jobs import cli

    with session_factory() as session:
        account_id = accounts.account(session).id
        session.commit()
    notify(session_factory, account_id, "password-changed")
    assert jobs.worker(session_factory, smtp_host="").run_once() == 1
    monkeypatch.setattr(carebridge.db, "get_session_factory", lambda *args, **kwargs: session_factory)
    assert cli._status(None) == 0
    assert "dead: 1 × notify.staff (PermanentError:no-smtp)" in capsys.readouterr().out


@pytest.mark.parametrize(
    "payload", [{}, {"account_id": "x"}, {"account_id": "x", "reason": "birthday"}, {"account_id": 1, "reason": "new-message"}]
)
def test_a_malformed_notification_goes_dead_at_once(session_factory, payload: dict) -> None:
    with session_factory() as session:
        job_id = jobs.job(session, "notify.staff", payload).id
        session.commit()
    assert jobs.worker(session_factory).run_once() == 1
    with session_factory() as session:
        job = session.get(Job, job_id)
        assert (job.state, job.last_error) == ("dead", "PermanentError:bad-payload")


def test_a_notification_for_an_unknown_account_is_dropped(session_factory) -> None:
    job_id = notify(session_factory, "00000000-0000-0000-0000-000000000000", "new-message")
    assert jobs.worker(session_factory).run_once() == 1
    assert outcome(session_factory, job_id) == ("done", "skipped-no-account")


def test_notify_staff_later_enqueues_the_fixed_job(session_factory) -> None:
    from carebridge.notifications.service import notify_staff_later

    with session_factory() as session:
        notify_staff_later(session, "abc", "new-message")
        with pytest.raises(ValueError):
            notify_staff_later(session, "abc", "birthday")
        [job] = session.scalars(select(Job)).all()
        assert (job.kind, job.payload) == ("notify.staff", {"account_id": "abc", "reason": "new-message"})
