"""The inbound SMS webhook: signed (HMAC-SHA256 of the raw body), fresh (a timestamp within five minutes), once (a
message id seen once); STOP in any of our six languages withdraws the reminders consent for that number's channel at
once and cancels what was queued; other replies are kept sealed and the caseworker is told (payload-free); an unknown
number gets the same answer and leaves nothing; bad input is a 4xx problem document."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from factories import appointments as factories
from factories import clients, jobs
from fastapi.testclient import TestClient
from sqlalchemy import select

from carebridge.clients.models import Client
from carebridge.config import Settings
from carebridge.consent import service as consent
from carebridge.jobs.models import Job
from carebridge.kit import clock
from carebridge.notifications.models import SmsOutbox
from carebridge.reminders import inbound
from carebridge.reminders import service as reminders
from carebridge.reminders.models import InboundMessage, InboundSeen, Reminder
from carebridge.reminders.webhook import signature_of

SECRET = "a-test-webhook-secret"
SETTINGS = Settings(sms_webhook_secret=SECRET)
NUMBER = "+447700900123"
PATH = "/api/v1/sms/inbound"


@pytest.fixture
def api(session_factory) -> TestClient:
    from carebridge.app import create_app

    with TestClient(create_app(settings=SETTINGS, session_factory=session_factory), raise_server_exceptions=False) as api:
        yield api


def _post(api: TestClient, body: dict | bytes, *, secret: str = SECRET, timestamp: int | None = None,
          sign: bool = True, headers: dict | None = None):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    sent = {"Content-Type": "application/json"}
    if sign:
        sent["X-Carebridge-Signature"] = signature_of(secret, raw)
    stamp = timestamp if timestamp is not None else (json.loads(raw).get("timestamp") if not isinstance(body, bytes) else None)
    if stamp is not None:
        sent["X-Carebridge-Timestamp"] = str(stamp)
    sent.update(headers or {})
    return api.post(PATH, content=raw, headers=sent)


def _message(text: str, *, number: str = NUMBER, message_id: str = "m-1", at: dt.datetime | None = None) -> dict:
    return {"from": number, "text": text, "id": message_id, "timestamp": int((at or clock.utc_now()).timestamp())}


def _person(session_factory, *, book: bool = True):
    with session_factory() as session:
        worker = clients.caseworker(session)
        client = clients.client(session, SETTINGS, worker.actor)
        channel = factories.reminded(session, SETTINGS, worker.actor, client)
        if book:
            factories.booked(session, SETTINGS, worker.actor, client)
        session.commit()
        return worker, client.id, channel.id


def _stored(session_factory) -> tuple[int, int]:
    with session_factory() as session:
        return (len(session.scalars(select(InboundMessage.id)).all()), len(session.scalars(select(InboundSeen.message_hash)).all()))


def test_an_unsigned_message_is_refused(api, session_factory) -> None:
    _person(session_factory)
    answer = _post(api, _message("STOP"), sign=False)
    assert answer.status_code == 401
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert _stored(session_factory) == (0, 0)


def test_a_wrong_signature_is_refused(api, session_factory) -> None:
    _, client_id, channel_id = _person(session_factory)
    assert _post(api, _message("STOP"), secret="another-secret").status_code == 401
    tampered = json.dumps(_message("hello")).encode()
    signature = signature_of(SECRET, tampered)
    changed = tampered.replace(b"hello", b"STOP!")
    answer = api.post(PATH, content=changed, headers={"X-Carebridge-Signature": signature,
                                                      "X-Carebridge-Timestamp": str(json.loads(changed)["timestamp"])})
    assert answer.status_code == 401
    with session_factory() as session:
        assert consent.active_consent(session, client_id, consent.REMINDERS, channel_id=channel_id) is not None


def test_no_secret_configured_refuses_everything(session_factory) -> None:
    from carebridge.app import create_app

    with TestClient(create_app(settings=Settings(), session_factory=session_factory), raise_server_exceptions=False) as api:
        assert _post(api, _message("STOP"), secret="").status_code == 401


def test_an_old_or_mismatched_timestamp_is_refused(api, session_factory) -> None:
    _person(session_factory)
    old = _message("STOP", at=clock.utc_now() - dt.timedelta(minutes=6))
    assert _post(api, old).status_code == 401
    fresh = _message("STOP")
    assert _post(api, fresh, timestamp=fresh["timestamp"] - 60).status_code == 401  # header not the signed time
    assert _stored(session_factory) == (0, 0)


def test_a_replayed_message_is_refused(api, session_factory) -> None:
    _person(session_factory)
    assert _post(api, _message("Thanks")).status_code == 202
    assert _post(api, _message("Thanks")).status_code == 409
    assert _stored(session_factory) == (1, 1)


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'{"from": 12, "text": null}', b"{}"])
def test_bad_bodies_are_problem_documents(api, body: bytes) -> None:
    answer = _post(api, body, timestamp=int(clock.utc_now().timestamp()))
    assert 400 <= answer.status_code < 500
    assert answer.json()["status"] == answer.status_code


def test_stop_withdraws_consent_at_once_and_a_queued_reminder_is_not_sent(api, session_factory) -> None:
    worker, client_id, channel_id = _person(session_factory)
    with session_factory() as session:  # the reminder is queued (its send job waits to run) ...
        job_id = reminders.queue_reminder(session, SETTINGS, worker.actor, client_id, channel_id)
        session.commit()
    answer = _post(api, _message("stop"))  # ... then STOP arrives
    assert answer.status_code == 202 and answer.json() == {"status": "accepted"}
    with session_factory() as session:
        assert consent.active_consent(session, client_id, consent.REMINDERS, channel_id=channel_id) is None
        states = {reminder.state for reminder in session.scalars(select(Reminder).where(Reminder.client_id == client_id))}
        assert states == {"cancelled"}
        [message] = session.scalars(select(InboundMessage)).all()
        assert (message.kind, message.text) == ("stop", None)
    jobs.worker(session_factory).run_once()
    with session_factory() as session:
        assert session.scalars(select(SmsOutbox)).all() == []
        assert session.get(Job, job_id).state == "done"  # it found nothing to send


def test_stop_also_ends_consent_to_be_contacted_on_that_channel_only(api, session_factory) -> None:
    """STOP means "stop texting me": no reminders and no "please contact us" texts by that number; another channel's
    consent to be contacted is the person's to keep."""
    from factories import consent as consent_factories

    worker, client_id, channel_id = _person(session_factory, book=False)
    with session_factory() as session:
        client = session.get(Client, client_id)
        other = consent_factories.channel(session, SETTINGS, client, "email", "marker-stop@example.org")
        for channel in (channel_id, other.id):
            consent_factories.given(session, worker.actor, client, consent.CONTACT, channel_id=channel)
        session.commit()
        other_id = other.id
    assert _post(api, _message("STOP")).status_code == 202
    with session_factory() as session:
        assert consent.active_consent(session, client_id, consent.CONTACT, channel_id=channel_id) is None
        assert consent.active_consent(session, client_id, consent.REMINDERS, channel_id=channel_id) is None
        assert consent.active_consent(session, client_id, consent.CONTACT, channel_id=other_id) is not None


@pytest.mark.parametrize("word", [
    "STOP", "Stop.", "stopall", "UNSUBSCRIBE", "cancel", "END", "quit",
    "توقف", "إلغاء", "ایست", "لغو", "СТОП", "відписатися", "ARRÊT", "désabonner", "BAJA", "parar",
])
def test_stop_words_in_six_languages(word: str) -> None:
    assert inbound.is_stop(word)


@pytest.mark.parametrize("text", ["Stop by at 3?", "I will come", "START", "", "ok thanks"])
def test_other_messages_are_not_stop(text: str) -> None:
    assert not inbound.is_stop(text)


def test_stop_in_arabic_through_the_webhook(api, session_factory) -> None:
    _, client_id, channel_id = _person(session_factory)
    assert _post(api, _message("إلغاء")).status_code == 202
    with session_factory() as session:
        assert consent.active_consent(session, client_id, consent.REMINDERS, channel_id=channel_id) is None


def test_start_does_not_sign_the_person_up_again(api, session_factory) -> None:
    _, client_id, channel_id = _person(session_factory)
    assert _post(api, _message("STOP", message_id="m-1")).status_code == 202
    assert _post(api, _message("START", message_id="m-2")).status_code == 202
    with session_factory() as session:
        assert consent.active_consent(session, client_id, consent.REMINDERS, channel_id=channel_id) is None


def test_a_reply_is_kept_sealed_and_the_caseworker_is_told_without_payload(api, session_factory) -> None:
    worker, client_id, _ = _person(session_factory)
    assert _post(api, _message("I will be 10 minutes late")).status_code == 202
    with session_factory() as session:
        [message] = session.scalars(select(InboundMessage)).all()
        assert message.kind == "reply" and b"late" not in message.text
        assert [reply.text for reply in reminders.replies_of(session, SETTINGS, client_id)] == ["I will be 10 minutes late"]
        [job] = session.scalars(select(Job).where(Job.kind == "notify.staff")).all()
        assert job.payload == {"account_id": session.get(Client, client_id).owner_account_id, "reason": "new-message"}


def test_an_unknown_number_gets_the_same_answer_and_leaves_nothing(api, session_factory) -> None:
    _person(session_factory)
    known = _post(api, _message("hello", message_id="m-1"))
    unknown = _post(api, _message("hello", number="+447700900999", message_id="m-2"))
    nonsense = _post(api, _message("STOP", number="not a number", message_id="m-3"))
    assert known.status_code == unknown.status_code == nonsense.status_code == 202
    assert known.json() == unknown.json() == nonsense.json()
    assert _stored(session_factory) == (1, 3)
