"""The risk flag's notification through a real SMTP server (aiosmtpd on 127.0.0.1): sent to the clinician on duty,
in their language, carrying nothing — no name of the person, no record, no word about risk."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller

from carebridge.kit import clock
from factories import clients as client_factories
from factories import jobs
from factories import risk as factories


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: ANN001, N802 - aiosmtpd's hook name
        self.messages.append((list(envelope.rcpt_tos), email.message_from_bytes(envelope.content, policy=email.policy.default)))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_clinician_on_duty_gets_an_email_that_says_nothing(session_factory, smtp_server, compiled_catalogs, language: str) -> None:
    inbox, port = smtp_server
    settings = client_factories.settings()
    with session_factory() as session:
        world = factories.world(session, settings, person_name="Yasmin Qasemi")
        world.clinician.languages = language
        factories.on_duty(session, world.clinician, clock.today())
        flag = factories.flag(session, settings, world.person, world.actor("peer"), seen="She spoke of suicide", done="Stayed")
        clinician_email, ids = world.clinician.email, (world.person.id, flag.id, world.peer.id)
        session.commit()
    worker = jobs.worker(
        session_factory, smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False,
        smtp_from="Carebridge <no-reply@carebridge.example>", public_base_url="https://care.example.org/",
    )
    assert worker.run_once() == 1
    [(recipients, message)] = inbox.messages
    assert recipients == [clinician_email]
    subject, body = message["Subject"], message.get_content()
    if language == "en":
        assert subject == "Something needs your attention today in Carebridge"
        assert "Something needs your attention today in Carebridge." in body
    else:
        assert "Carebridge" in subject and "Something" not in subject and message["Content-Language"] == "ar"
    assert "https://care.example.org/staff/sign-in" in body
    text = (subject + "\n" + body).lower()
    for forbidden in ("yasmin", "qasemi", "suicide", "risk", "flag", "danger", "harm", "pat peer", *ids):
        assert forbidden.lower() not in text, forbidden
    assert "/staff/risk" not in body
