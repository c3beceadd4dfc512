"""How to reach a person safely: their contact channels, when it is safe to use them, and the do-not-contact flag.

    channel = contact.add_channel(session, settings, actor, client_id, ChannelInput("phone", value="07700 900123"))
    contact.change_channel(session, settings, actor, client_id, channel.id, ChannelInput("phone", value="..."))
    contact.remove_channel(session, settings, actor, client_id, channel.id)
    contact.set_do_not_contact(session, actor, client_id, True)
    views = contact.list_channels(session, settings, actor, client)

Kinds: phone, sms (a number), email (an address), organisation (the name of an organisation and how to ask for the
person there), in-person (no value). What the channel says and its safe times are sealed with the person's data
key; phone numbers (E.164, read in settings.phone_region when typed without a country code) and e-mail addresses
are blind-indexed in `lookup_index`, which is how possible duplicates are found (clients.duplicates) without
decrypting anyone. Whether a channel may be used to contact the person is decided by consent.service.contact_route
at the moment of contact; this module only shows whether the person consented to be contacted by each channel
(consent purpose `contact`, any kind but in-person) and to reminders by it (text message and e-mail).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import phonenumbers
from sqlalchemy import select
from sqlalchemy.orm import Session

from carebridge.accounts.access import Actor
from carebridge.accounts.service import EMAIL
from carebridge.audit import service as audit
from carebridge.clients import service as clients
from carebridge.clients.models import Client, ContactChannel
from carebridge.kit.text import clean_text
from carebridge.config import Settings
from carebridge.consent import service as consent
from carebridge.db import new_id
from carebridge.errors import N_, FieldError, InvalidInput, NotFound
from carebridge.keys import normalise
from carebridge.keys import service as keys
from carebridge.keys.keyring import blind_index
from carebridge.kit import clock

PHONE = "phone"
SMS = "sms"
EMAIL_KIND = "email"
ORGANISATION = "organisation"
IN_PERSON = "in-person"
KINDS = (PHONE, SMS, EMAIL_KIND, ORGANISATION, IN_PERSON)
NUMBER_KINDS = (PHONE, SMS)

TABLE = "client_contact_channel"
NUMBER_MAXIMUM = 40
EMAIL_MAXIMUM = 320
ORGANISATION_MAXIMUM = 200
ASK_FOR_MAXIMUM = 500
SAFE_TIMES_MAXIMUM = 500


@dataclass
class ChannelInput:
    """What a form or an API call says about a channel. `value` is the number or the address; `organisation` and
    `ask_for` are for the organisation kind; `safe_times` for every kind."""

    kind: str
    value: str | None = None
    organisation: str | None = None
    ask_for: str | None = None
    safe_times: str | None = None


@dataclass(frozen=True)
class ChannelView:
    """A channel, opened: what the contact section and the API show."""

    id: str
    kind: str
    value: str | None
    organisation: str | None
    ask_for: str | None
    safe_times: str | None
    # The person consented to be contacted by this channel (consent.service.active_consent, purpose contact).
    consent_to_contact: bool
    created_at: datetime
    # The consent in force to be contacted by this channel (to link to its withdrawal), and whether the person
    # consented to appointment reminders by it.
    contact_consent_id: str | None = None
    consent_to_reminders: bool = False


@dataclass(frozen=True)
class _Cleaned:
    details: dict[str, Any]
    safe_times: str | None
    lookup_index: str | None


def _clean(settings: Settings, data: ChannelInput) -> _Cleaned:
    """The channel's sealed details and its blind index, or InvalidInput naming every field with a problem."""
    errors: list[FieldError] = []
    details: dict[str, Any] = {}
    index: str | None = None

    def text(value: str | None, field: str, maximum: int, *, multiline: bool = False, empty: str | None = None) -> str | None:
        try:
            return clean_text(value, field, maximum=maximum, multiline=multiline, empty=empty)
        except InvalidInput as problem:
            errors.extend(problem.errors)
            return None

    if data.kind not in KINDS:
        raise InvalidInput(errors=[FieldError("kind", N_("Choose how to reach the person."), allowed=list(KINDS))])
    if data.kind in NUMBER_KINDS:
        typed = text(data.value, "value", NUMBER_MAXIMUM, empty=N_("Enter the phone number."))
        if typed is not None:
            try:
                number = normalise.phone(typed, settings.phone_region)
            except ValueError:
                errors.append(FieldError("value", N_(
                    "Enter a phone number, like 07700 900123 or +44 7700 900123.")))
            else:
                details["number"] = number
                index = blind_index(settings, normalise.PHONE, number)
    elif data.kind == EMAIL_KIND:
        typed = text(data.value, "value", EMAIL_MAXIMUM, empty=N_("Enter the e-mail address."))
        if typed is not None:
            if not EMAIL.fullmatch(typed):
                errors.append(FieldError("value", N_("Enter an e-mail address, like name@example.org.")))
            else:
                details["email"] = typed
                index = blind_index(settings, normalise.EMAIL, normalise.email(typed))
    elif data.kind == ORGANISATION:
        details["organisation"] = text(
            data.organisation, "organisation", ORGANISATION_MAXIMUM, empty=N_("Enter the name of the organisation.")
        )
        details["ask_for"] = text(data.ask_for, "ask_for", ASK_FOR_MAXIMUM, multiline=True)
    safe_times = text(data.safe_times, "safe_times", SAFE_TIMES_MAXIMUM, multiline=True)
    if errors:
        raise InvalidInput(errors=errors)
    return _Cleaned(details, safe_times, index)


def _seal(key: keys.DataKey, channel: ContactChannel, cleaned: _Cleaned) -> None:
    channel.value = key.seal_json(TABLE, "value", channel.id, cleaned.details) if cleaned.details else None
    channel.safe_times = key.seal_text(TABLE, "safe_times", channel.id, cleaned.safe_times)
    channel.lookup_index = cleaned.lookup_index


def _channel_of(session: Session, client: Client, channel_id: str) -> ContactChannel:
    channel = session.scalar(
        select(ContactChannel).where(ContactChannel.id == channel_id, ContactChannel.client_id == client.id)
    )
    if channel is None:
        raise NotFound(N_("We could not find that way of contacting the person."))
    return channel


def add_channel(
    session: Session,
    settings: Settings,
    actor: Actor,
    client_id: str,
    data: ChannelInput,
    *,
    request_id: str | None = None,
) -> ContactChannel:
    """A new channel on the record (person.write); audited `client.channel.create`."""
    clients.check(actor, "person.write")
    client = clients.find_client(session, actor, client_id, "person.write")
    cleaned = _clean(settings, data)
    key = keys.data_key(session, settings, clients.SUBJECT, client.id)
    channel = ContactChannel(id=new_id(), client_id=client.id, kind=data.kind, created_at=clock.utc_now())
    _seal(key, channel, cleaned)
    session.add(channel)
    session.flush()
    audit.record(session, "client.channel.create", actor=actor, record_type=clients.RECORD_TYPE, record_id=client.id,
                 request_id=request_id)
    return channel


def change_channel(
    session: Session,
    settings: Settings,
    actor: Actor,
    client_id: str,
    channel_id: str,
    data: ChannelInput,
    *,
    request_id: str | None = None,
) -> ContactChannel:
    """Replace what a channel says (its kind stays: another kind is another channel); audited `client.channel.change`.
    A consent to reminders by this channel stays with it: the person agreed to this channel, whatever its number."""
    clients.check(actor, "person.write")
    client = clients.find_client(session, actor, client_id, "person.write")
    channel = _channel_of(session, client, channel_id)
    if data.kind != channel.kind:
        raise InvalidInput(errors=[FieldError("kind", N_(
            "A way of contacting cannot change its kind: remove it and add a new one."), allowed=[channel.kind])])
    cleaned = _clean(settings, data)
    key = keys.data_key(session, settings, clients.SUBJECT, client.id)
    _seal(key, channel, cleaned)
    session.flush()
    audit.record(session, "client.channel.change", actor=actor, record_type=clients.RECORD_TYPE, record_id=client.id,
                 request_id=request_id)
    return channel


def remove_channel(
    session: Session,
    settings: Settings,
    actor: Actor,
    client_id: str,
    channel_id: str,
    *,
    request_id: str | None = None,
) -> None:
    """Delete a channel (its consents to reminders and to contact go with it); audited `client.channel.remove`."""
    clients.check(actor, "person.write")
    client = clients.find_client(session, actor, client_id, "person.write")
    channel = _channel_of(session, client, channel_id)
    session.delete(channel)
    session.flush()
    audit.record(session, "client.channel.remove", actor=actor, record_type=clients.RECORD_TYPE, record_id=client.id,
                 request_id=request_id)


def set_do_not_contact(
    session: Session,
    actor: Actor,
    client_id: str,
    value: bool,
    *,
    request_id: str | None = None,
) -> Client:
    """Set or clear the do-not-contact flag (person.write); audited `client.do-not-contact.set|clear`. Every feature
    that contacts a person reads the flag at the moment of contact (consent.service.contact_route)."""
    clients.check(actor, "person.write")
    client = clients.find_client(session, actor, client_id, "person.write")
    client.do_not_contact = bool(value)
    client.updated_at = clock.utc_now()
    session.flush()
    action = "client.do-not-contact.set" if value else "client.do-not-contact.clear"
    audit.record(session, action, actor=actor, record_type=clients.RECORD_TYPE, record_id=client.id,
                 request_id=request_id)
    return client


def display_number(e164: str) -> str:
    """A stored number as people read it (+44 7700 900123)."""
    try:
        return phonenumbers.format_number(phonenumbers.parse(e164, None), phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    except phonenumbers.NumberParseException:
        return e164


def _view(session: Session, key: keys.DataKey, client: Client, channel: ContactChannel) -> ChannelView:
    details = key.open_json(TABLE, "value", channel.id, channel.value) if channel.value is not None else {}
    value = None
    if "number" in details:
        value = display_number(details["number"])
    elif "email" in details:
        value = details["email"]
    contact_consent = (
        consent.active_consent(session, client.id, consent.CONTACT, channel_id=channel.id)
        if channel.kind in consent.CONTACT_KINDS
        else None
    )
    reminders = (
        channel.kind in consent.REMINDER_KINDS
        and consent.active_consent(session, client.id, consent.REMINDERS, channel_id=channel.id) is not None
    )
    return ChannelView(
        id=channel.id,
        kind=channel.kind,
        value=value,
        organisation=details.get("organisation"),
        ask_for=details.get("ask_for"),
        safe_times=key.open_text(TABLE, "safe_times", channel.id, channel.safe_times),
        consent_to_contact=contact_consent is not None,
        created_at=channel.created_at,
        contact_consent_id=contact_consent.id if contact_consent is not None else None,
        consent_to_reminders=reminders,
    )


def list_channels(session: Session, settings: Settings, actor: Actor, client: Client) -> list[ChannelView]:
    """The record's channels, oldest first, opened. The caller has found `client` in the actor's scope and audits
    the read."""
    rows = session.scalars(
        select(ContactChannel)
        .where(ContactChannel.client_id == client.id)
        .order_by(ContactChannel.created_at, ContactChannel.id)
    ).all()
    if not rows:
        return []
    key = keys.data_key(session, settings, clients.SUBJECT, client.id)
    return [_view(session, key, client, channel) for channel in rows]


def get_channel(session: Session, settings: Settings, actor: Actor, client: Client, channel_id: str) -> ChannelView:
    channel = _channel_of(session, client, channel_id)
    return _view(session, keys.data_key(session, settings, clients.SUBJECT, client.id), client, channel)


def read_channels(
    session: Session, settings: Settings, actor: Actor, client_id: str, *, request_id: str | None = None
) -> tuple[Client, list[ChannelView]]:
    """The channels of one record (person.read), audited `client.channel.read`."""
    clients.check(actor, "person.read")
    client = clients.find_client(session, actor, client_id, "person.read")
    audit.record(session, "client.channel.read", actor=actor, record_type=clients.RECORD_TYPE, record_id=client.id,
                 request_id=request_id)
    return client, list_channels(session, settings, actor, client)
