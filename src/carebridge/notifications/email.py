"""Sending one e-mail through the deployment's SMTP server (settings smtp_*), STARTTLS when configured.

Failures raise smtplib's or socket's own exceptions: in a job they become a retry (only their type and reply code are
recorded, never their text, which can quote the recipient).
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, parseaddr

from carebridge.config import Settings
from carebridge.kit import clock


def configured(settings: Settings) -> bool:
    return bool(settings.smtp_host)


def message_id(settings: Settings, key: str) -> str:
    """A Message-ID made from `key` (a job id): the same job sent twice carries the same id, which mail systems use
    to drop the duplicate."""
    domain = parseaddr(settings.smtp_from)[1].rpartition("@")[2] or "carebridge.invalid"
    return f"<{key}@{domain}>"


def build(settings: Settings, *, to: str, subject: str, body: str, language: str, key: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(clock.utc_now().timestamp(), usegmt=True)
    message["Message-ID"] = message_id(settings, key)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body)
    message["Content-Language"] = language  # after set_content, which replaces the Content-* headers
    return message


def send(settings: Settings, message: EmailMessage) -> None:
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_seconds) as smtp:
        if settings.smtp_starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password.get_secret_value())
        smtp.send_message(message)
