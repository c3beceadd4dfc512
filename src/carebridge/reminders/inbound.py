"""Text messages a person sends back to a reminder: STOP (in any of our six languages) and other replies.

The number is matched through the contact channel's blind index (clients.contact: E.164, then
keys.keyring.blind_index), never by reading numbers. STOP withdraws the person's consent to reminders and to be contacted by that
channel at once (consent.service.withdraw_by_person) and cancels the reminders not yet sent; START does NOT sign the
person up again: a worker records their consent again, with the explanation, as for any consent. Any other reply is
kept sealed with the person's data key, shown on their page, and their caseworker gets a payload-free "new message"
notification. An unknown number leaves nothing behind, and the answer is the same whether the number is known or not.
"""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import select
from sqlalchemy.orm import Session

from carebridge.audit import service as audit
from carebridge.clients import service as clients
from carebridge.clients.models import Client, ContactChannel
from carebridge.config import Settings
from carebridge.consent import service as consent
from carebridge.db import new_id
from carebridge.keys import normalise
from carebridge.keys import service as keys
from carebridge.keys.keyring import blind_index
from carebridge.kit import clock
from carebridge.notifications import service as notifications
from carebridge.reminders.models import InboundMessage, Reminder

TEXT_MAXIMUM = 1600  # ten SMS segments; longer is cut
NUMBER_KINDS = ("sms", "phone")

# The words that stop reminders: the whole message, in any case, without punctuation. English carriers' standard
# set, and the words for "stop" / "unsubscribe" / "cancel" in Arabic, Persian (Dari), Ukrainian, French and Spanish.
STOP_WORDS = frozenset({
    # en
    "stop", "stopall", "stop all", "unsubscribe", "cancel", "end", "quit",
    # ar (after folding alef forms: إلغاء -> الغاء)
    "توقف", "قف", "ايقاف", "الغاء", "الغاء الاشتراك",
    # fa
    "لغو", "ایست", "توقف", "لغو اشتراک",
    # uk
    "стоп", "зупинити", "відписатися", "скасувати",
    # fr (after removing accents: arrêt -> arret)
    "arret", "arreter", "desabonner", "desinscrire", "annuler",
    # es
    "baja", "parar", "alto", "cancelar", "darse de baja",
})

_PUNCTUATION = re.compile(r"[\W_]+", re.UNICODE)
_ALEF = str.maketrans({"إ": "ا", "أ": "ا", "آ": "ا", "ى": "ي", "ي": "ی", "ك": "ک"})


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = unicodedata.normalize("NFKC", text).translate(_ALEF)
    return " ".join(_PUNCTUATION.sub(" ", text).split())


_STOP_FOLDED = frozenset(_fold(word) for word in STOP_WORDS)


def is_stop(text: str) -> bool:
    """Whether a message is a STOP word (the whole message, any case, accents and punctuation ignored)."""
    return _fold(text) in _STOP_FOLDED


def _channels_of_number(session: Session, settings: Settings, number: str) -> list[ContactChannel]:
    try:
        e164 = normalise.phone(number, settings.phone_region)
    except ValueError:
        return []
    index = blind_index(settings, normalise.PHONE, e164)
    return list(session.scalars(
        select(ContactChannel).where(ContactChannel.lookup_index == index, ContactChannel.kind.in_(NUMBER_KINDS))
    ))


def receive(session: Session, settings: Settings, number: str, text: str) -> int:
    """Act on one inbound message from `number`; returns how many channels it matched (never shown to the sender)."""
    channels = _channels_of_number(session, settings, number)
    stop = is_stop(text)
    now = clock.utc_now()
    for channel in channels:
        client = session.get(Client, channel.client_id)
        if client is None:
            continue
        message = InboundMessage(id=new_id(), client_id=client.id, channel_id=channel.id, received_at=now)
        if stop:
            message.kind = "stop"
            # "Stop texting me": reminders and any other contact by this channel end; other channels are untouched.
            for purpose in (consent.REMINDERS, consent.CONTACT):
                consent.withdraw_by_person(session, client.id, purpose, channel_id=channel.id)
            for reminder in session.scalars(
                select(Reminder).where(
                    Reminder.client_id == client.id, Reminder.channel_id == channel.id,
                    Reminder.state.in_(("scheduled", "queued")),
                )
            ):
                reminder.state, reminder.reason, reminder.settled_at = "cancelled", "stop", now
        else:
            message.kind = "reply"
            key = keys.data_key(session, settings, clients.SUBJECT, client.id)
            message.text = key.seal_text("inbound_message", "text", message.id, text[:TEXT_MAXIMUM])
            if client.owner_account_id:
                notifications.notify_staff_later(session, client.owner_account_id, notifications.NEW_MESSAGE)
        session.add(message)
        session.flush()
        audit.record(
            session, "reminder.stop" if stop else "reminder.reply", organisation_id=client.organisation_id,
            record_type=clients.RECORD_TYPE, record_id=client.id,
        )
    return len(channels)
