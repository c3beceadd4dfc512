"""SMS: the HTTP adapter against a real local HTTP server, the development outbox, and payload-free texts."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from carebridge.jobs.service import error_code
from carebridge.notifications import service, sms
from carebridge.notifications.models import SmsOutbox
from factories import jobs


class Gateway(BaseHTTPRequestHandler):
    """A tiny SMS provider: /ok accepts, /busy answers 503, /slow answers too late."""

    received: list[tuple[str, dict, dict]] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's hook name
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).received.append((self.path, dict(self.headers), body))
        if self.path == "/slow":
            time.sleep(1.5)
        status = {"/ok": 202, "/busy": 503}.get(self.path, 200)
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"id": "m-1"}')

    def log_message(self, *_args) -> None:  # noqa: ANN002 - keep the test output quiet
        pass


@pytest.fixture
def gateway() -> Iterator[str]:
    Gateway.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_http_adapter_posts_json_with_the_token(gateway: str) -> None:
    provider = sms.HttpSms(f"{gateway}/ok", "secret-token", "Carebridge", timeout=5)
    provider.send("+447700900123", "You have a new message in Carebridge.")
    [(path, headers, body)] = Gateway.received
    assert path == "/ok"
    assert headers["Authorization"] == "Bearer secret-token"
    assert headers["Content-Type"] == "application/json"
    assert body == {"to": "+447700900123", "from": "Carebridge", "text": "You have a new message in Carebridge."}


def test_an_error_status_raises_with_a_code_for_the_retry(gateway: str) -> None:
    provider = sms.HttpSms(f"{gateway}/busy", "t", "Carebridge", timeout=5)
    with pytest.raises(urllib.error.HTTPError) as raised:
        provider.send("+447700900123", "x")
    assert error_code(raised.value) == "HTTPError:503"


def test_a_slow_provider_times_out(gateway: str) -> None:
    provider = sms.HttpSms(f"{gateway}/slow", "t", "Carebridge", timeout=0.3)
    with pytest.raises((TimeoutError, urllib.error.URLError)):
        provider.send("+447700900123", "x")


def test_a_failing_provider_makes_the_job_retry(session_factory, gateway: str) -> None:
    from carebridge.jobs.models import Job

    def text_someone(session, payload: dict) -> None:  # noqa: ANN001
        from carebridge.jobs.service import current_job

        settings = current_job(session).settings
        service.send_sms(session, settings, "+447700900123", service.sms_new_message("en", settings))

    with session_factory() as session:
        job_id = jobs.job(session, "test.sms").id
        session.commit()
    worker = jobs.worker(
        session_factory, {"test.sms": text_someone}, sms_provider="http", sms_http_url=f"{gateway}/busy",
        sms_http_token="t",
    )
    assert worker.run_once() == 1
    with session_factory() as session:
        job = session.get(Job, job_id)
        assert (job.state, job.last_error) == ("failed", "HTTPError:503")


def test_plain_http_is_refused_except_on_this_machine() -> None:
    with pytest.raises(ValueError):
        sms.HttpSms("http://sms.example.com/send", "t", "Carebridge", timeout=5)
    sms.HttpSms("https://sms.example.com/send", "t", "Carebridge", timeout=5)
    sms.HttpSms("http://localhost:9000/send", "t", "Carebridge", timeout=5)


@pytest.mark.parametrize("number", ["07700900123", "+44 7700 900123", "+0123456789", "call me"])
def test_a_number_must_be_in_e164_form(session_factory, number: str) -> None:
    with session_factory() as session, pytest.raises(ValueError):
        sms.OutboxSms(session).send(number, "x")


def test_the_development_outbox_writes_its_table(session_factory) -> None:
    settings = jobs.settings(sms_provider="outbox", public_base_url="https://care.example.org")
    with session_factory() as session:
        assert service.send_sms(session, settings, "+447700900123", service.sms_new_message("en", settings))
        session.commit()
    with session_factory() as session:
        [row] = session.scalars(select(SmsOutbox)).all()
    assert (row.to, row.text) == (
        "+447700900123", "You have a new message in Carebridge. Sign in: https://care.example.org/staff/sign-in"
    )


def test_no_provider_sends_nothing(session_factory) -> None:
    with session_factory() as session:
        assert service.send_sms(session, jobs.settings(sms_provider=""), "+447700900123", "x") is False
        with pytest.raises(ValueError):
            service.send_sms(session, jobs.settings(sms_provider="carrier-pigeon"), "+447700900123", "x")
