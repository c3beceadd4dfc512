"""Sending a text message: a provider interface, `send(to, text)`, and two providers chosen by settings.sms_provider.

- `http`: a JSON-over-HTTPS provider — POST {"to", "from", "text"} to settings.sms_http_url with
  `Authorization: Bearer <sms_http_token>`; any 2xx is accepted. Timeouts and error statuses raise (urllib's
  HTTPError/URLError, or TimeoutError), so in a job they become retries. Most SMS gateways offer such an endpoint,
  or a small relay gives them one; only this file knows its shape.
- `outbox`: development — writes the message to the sms_outbox table in the caller's transaction; nothing leaves
  the machine.

Texts are payload-free like every notification: that something needs attention, and a link to sign in.
"""

from __future__ import annotations

import json
import re
import urllib.request
from typing import Protocol
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from carebridge.config import Settings
from carebridge.kit import clock
from carebridge.notifications.models import SmsOutbox

PHONE = re.compile(r"\+[1-9][0-9]{6,14}")  # E.164


class SmsNotSent(Exception):
    """The provider answered, but not with success."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class SmsProvider(Protocol):
    def send(self, to: str, text: str) -> None: ...


def _check(to: str) -> None:
    if not PHONE.fullmatch(to):
        raise ValueError("an SMS number is written in E.164 form, e.g. +447700900123")


class OutboxSms:
    def __init__(self, session: Session) -> None:
        self.session = session

    def send(self, to: str, text: str) -> None:
        _check(to)
        self.session.add(SmsOutbox(to=to, text=text, created_at=clock.utc_now()))
        self.session.flush()


class HttpSms:
    def __init__(self, url: str, token: str, sender: str, timeout: float) -> None:
        parts = urlsplit(url)
        if parts.scheme != "https" and parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("the SMS provider's address must be https:// (plain http only on this machine)")
        self.url, self.token, self.sender, self.timeout = url, token, sender, timeout

    def send(self, to: str, text: str) -> None:
        _check(to)
        request = urllib.request.Request(
            self.url,
            data=json.dumps({"to": to, "from": self.sender, "text": text}).encode(),
            headers={
                "Content-Type": "application/json",
                "Accept": "application/json",
                "Authorization": f"Bearer {self.token}",
            },
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - scheme checked above
            if not 200 <= response.status < 300:
                raise SmsNotSent(str(response.status))


def provider(settings: Settings, session: Session) -> SmsProvider | None:
    """The provider the settings choose, or None when SMS is off."""
    if settings.sms_provider == "outbox":
        return OutboxSms(session)
    if settings.sms_provider == "http":
        return HttpSms(
            settings.sms_http_url,
            settings.sms_http_token.get_secret_value(),
            settings.sms_sender,
            settings.sms_timeout_seconds,
        )
    if settings.sms_provider == "":
        return None
    raise ValueError("CAREBRIDGE_SMS_PROVIDER is one of outbox, http or empty")
