"""Consents and contact channels for tests, made through consent.service (channels sealed like real ones)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from carebridge.clients.models import Client, ContactChannel
from carebridge.config import Settings
from carebridge.consent import explanations
from carebridge.consent import service
from carebridge.consent.models import Consent
from carebridge.db import new_id
from carebridge.keys import service as keys
from carebridge.kit import clock


def channel(
    session: Session,
    settings: Settings,
    client: Client,
    kind: str = "sms",
    value: str | None = "+447700900123",
    *,
    safe_times: str | None = None,
) -> ContactChannel:
    """A contact channel of `client`, its value and safe times sealed as clients.contact keeps them (the details as
    sealed JSON: {"number": E.164} or {"email": ...}; safe times as sealed text)."""
    key = keys.data_key(session, settings, "client", client.id)
    row = ContactChannel(id=new_id(), client_id=client.id, kind=kind, created_at=clock.utc_now())
    details = {"email": value} if kind == "email" else {"organisation": value} if kind == "organisation" else {"number": value}
    row.value = key.seal_json("client_contact_channel", "value", row.id, details) if value and kind != "in-person" else None
    row.safe_times = key.seal_text("client_contact_channel", "safe_times", row.id, safe_times)
    session.add(row)
    session.flush()
    return row


def given(session: Session, actor: Any, client: Client, purpose: str, **options: Any) -> Consent:
    """A consent given now, spoken, with the current explanation in English unless told otherwise."""
    values: dict[str, Any] = {
        "method": "spoken",
        "explanation_version": explanations.CURRENT,
        "explanation_language": "en",
    }
    values.update(options)
    return service.record_consent(session, actor, client.id, purpose, **values)
