"""`POST /api/v1/sms/inbound`: the SMS provider tells us of a text a person sent (a reply to a reminder, or STOP).

Public (no staff session), so it trusts only what is signed:
- `X-Carebridge-Signature: sha256=<hex>`, HMAC-SHA256 of the raw body under settings.sms_webhook_secret, compared in
  constant time; no secret configured: every request is refused;
- `X-Carebridge-Timestamp`: the body's `timestamp` (Unix seconds), within five minutes of now;
- the body's `id` is accepted once (its SHA-256 is kept for a day; a second delivery is refused as a replay).
The body is JSON `{"from": "+447700900123", "text": "STOP", "id": "provider-message-id", "timestamp": 1795000000}`.
The answer (202) is the same whether the number is known or not. What is done: reminders.inbound.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel

from carebridge.access import PublicAccess
from carebridge.errors import N_, CarebridgeError, FieldError, InvalidInput
from carebridge.kit import clock
from carebridge.problems import problem_responses
from carebridge.reminders import inbound
from carebridge.reminders.models import InboundSeen
from carebridge.web import SessionDep, SettingsDep

router = APIRouter(prefix="/api/v1", tags=["SMS provider: inbound messages"])

SIGNATURE_HEADER = "X-Carebridge-Signature"
TIMESTAMP_HEADER = "X-Carebridge-Timestamp"
TOLERANCE = dt.timedelta(minutes=5)
BODY_MAXIMUM = 16_000
ID_MAXIMUM = 200
NUMBER_MAXIMUM = 40


class SignatureRefused(CarebridgeError):
    status_code = 401
    title = N_("The message is not signed, or its signature or time is not right")
    type_slug = "bad-signature"


class Replayed(CarebridgeError):
    status_code = 409
    title = N_("This message was already received")
    type_slug = "replayed"


class Accepted(BaseModel):
    status: str = "accepted"


def signature_of(secret: str, body: bytes) -> str:
    """The header value a provider sends: `sha256=` and the HMAC-SHA256 of the raw body, in hex."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _moment(value: Any) -> dt.datetime | None:
    if isinstance(value, bool):
        return None
    try:
        seconds = int(value) if isinstance(value, (int, str)) else None
    except ValueError:
        return None
    if seconds is None or not 0 < seconds < 10**11:
        return None
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


@router.post(
    "/sms/inbound",
    status_code=202,
    response_model=Accepted,
    dependencies=[PublicAccess],
    responses=problem_responses(400, 401, 409, 422),
    summary="A text message a person sent back (signed by the SMS provider)",
)
async def sms_inbound(request: Request, session: SessionDep, settings: SettingsDep) -> Accepted:
    body = await request.body()
    secret = settings.sms_webhook_secret.get_secret_value()
    given = request.headers.get(SIGNATURE_HEADER, "")
    if not secret or len(body) > BODY_MAXIMUM or not hmac.compare_digest(
        signature_of(secret, body).encode(), given.encode()[:200]
    ):
        raise SignatureRefused()
    try:
        data = json.loads(body)
    except ValueError:
        raise InvalidInput(errors=[FieldError("body", N_("The body must be JSON."))]) from None
    errors: list[FieldError] = []
    if not isinstance(data, dict):
        raise InvalidInput(errors=[FieldError("body", N_("The body must be a JSON object."))])
    number, text, message_id = data.get("from"), data.get("text"), data.get("id")
    if not isinstance(number, str) or not 0 < len(number) <= NUMBER_MAXIMUM:
        errors.append(FieldError("from", N_("Give the sender's number."), pointer="/from"))
    if not isinstance(text, str):
        errors.append(FieldError("text", N_("Give the text of the message."), pointer="/text"))
    if not isinstance(message_id, str) or not 0 < len(message_id) <= ID_MAXIMUM:
        errors.append(FieldError("id", N_("Give the provider's id of the message."), pointer="/id"))
    sent_at = _moment(data.get("timestamp"))
    if sent_at is None:
        errors.append(FieldError("timestamp", N_("Give the time the message was sent, in Unix seconds."), pointer="/timestamp"))
    if errors:
        raise InvalidInput(errors=errors)
    assert isinstance(number, str) and isinstance(text, str) and isinstance(message_id, str) and sent_at is not None
    if _moment(request.headers.get(TIMESTAMP_HEADER, "")) != sent_at or abs(clock.utc_now() - sent_at) > TOLERANCE:
        raise SignatureRefused()
    message_hash = hashlib.sha256(message_id.encode()).hexdigest()
    if session.get(InboundSeen, message_hash) is not None:
        raise Replayed()
    session.add(InboundSeen(message_hash=message_hash, received_at=clock.utc_now()))
    session.flush()
    inbound.receive(session, settings, number, text)
    return Accepted()
