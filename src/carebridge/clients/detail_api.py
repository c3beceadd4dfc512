"""The staff JSON API of a record's details (/api/v1/clients/{client_id}/...): contact channels, do-not-contact,
notes, possible duplicates and links, the immigration situation. The same services, permissions and scope as the
pages: reading needs person.read, changing person.write; a record outside the caller's scope is 404 like a missing
one. Every error is a problem document (RFC 9457).

The immigration situation is only ever answered here, one record at a time: never in a list.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from carebridge.accounts.access import Actor, requires
from carebridge.clients import contact, duplicates, immigration, notes, references
from carebridge.clients import service as clients
from carebridge.problems import problem_responses
from carebridge.web import SessionDep, SettingsDep, request_id



router = APIRouter(prefix="/api/v1/clients", tags=["staff: people's records"])
Reader = Annotated[Actor, Depends(requires("person.read"))]
Writer = Annotated[Actor, Depends(requires("person.write"))]

S401 = "Not signed in (no valid staff session, or the second factor is not done yet)."
S403 = "Signed in, but the account's roles do not hold the permission."
S404 = "No such record (or channel), or not one the caller may see (the same answer)."
S409 = "The person has not given consent for this, or the rules of their jurisdiction do not need it."
# What a request may carry per text field; the services' own, lower limits answer with a field error.
TRANSPORT_LIMIT = 20_000

Kind = Literal["phone", "sms", "email", "organisation", "in-person"]
# No control characters (the request guard refuses them before routing: the schema says so too); multi-line text
# may hold line breaks and tabs.
VISIBLE = r"^[^\x00-\x1F\x7F-\x9F]*$"
MULTILINE = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$"
Text = Annotated[str | None, Field(max_length=TRANSPORT_LIMIT, pattern=VISIBLE)]
LongText = Annotated[str | None, Field(max_length=TRANSPORT_LIMIT, pattern=MULTILINE)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ChannelIn(_Model):
    """`value`: the phone number or e-mail address (phone, sms, email). `organisation` and `ask_for`: its name and
    how to ask for the person there (organisation). `safe_times`: when it is safe, in the person's words."""

    kind: Kind
    value: Text = None
    organisation: Text = None
    ask_for: LongText = None
    safe_times: LongText = None


class ChannelPatch(_Model):
    """Only the fields given change; the kind never does (another kind is another channel)."""

    value: Text = None
    organisation: Text = None
    ask_for: LongText = None
    safe_times: LongText = None


class ChannelOut(BaseModel):
    id: str
    kind: Kind
    value: str | None = Field(description="Phone numbers in international format.")
    organisation: str | None
    ask_for: str | None
    safe_times: str | None
    consent_to_contact: bool = Field(description="The person consented to be contacted by this channel.")
    created_at: dt.datetime


class ChannelList(BaseModel):
    items: list[ChannelOut]


ReferenceKind = Literal["health-service", "case-reference", "refugee-council", "other"]


class ReferenceIn(_Model):
    """`value`: the reference as written (spaces and dashes do not matter for finding it); `label`: whose number it
    is (optional)."""

    kind: ReferenceKind
    value: Text = None
    label: Text = None


class ReferenceOut(BaseModel):
    id: str
    kind: ReferenceKind
    value: str
    label: str | None
    created_at: dt.datetime


class ReferenceList(BaseModel):
    items: list[ReferenceOut]


class DoNotContact(_Model):
    do_not_contact: bool


class NoteIn(_Model):
    body: str = Field(max_length=TRANSPORT_LIMIT, pattern=MULTILINE,
                      description="Several lines allowed; at most 10,000 characters.")
    sensitivity: Literal["normal", "sensitive"] = "normal"


class NoteOut(BaseModel):
    id: str
    sensitivity: Literal["normal", "sensitive"]
    body: str
    author_name: str | None
    written_by_me: bool
    created_at: dt.datetime


class NoteList(BaseModel):
    items: list[NoteOut] = Field(description="Newest first; append-only (no change, no delete).")
    hidden_sensitive: int = Field(description="Sensitive notes the caller may not read: only counted.")


Reason = Literal["same-reference", "same-phone", "same-email", "same-name-birth-date"]


class PossibleDuplicateOut(BaseModel):
    client_id: str
    preferred_name: str
    reasons: list[Reason]


class LinkedRecordOut(BaseModel):
    client_id: str
    preferred_name: str
    reason: Reason


class DuplicatesOut(BaseModel):
    possible: list[PossibleDuplicateOut] = Field(description="Undecided, in the caller's scope.")
    linked: list[LinkedRecordOut] = Field(description="Linked as the same person (never merged).")


class LinkIn(_Model):
    other_client_id: str = Field(max_length=36, pattern=VISIBLE)
    decision: Literal["same-person", "not-same-person"]


class LinkOut(BaseModel):
    client_id: str
    other_client_id: str
    decision: Literal["same-person", "not-same-person"]
    reason: Reason
    decided_at: dt.datetime


class ImmigrationStatus(_Model):
    status: Literal[
        "refugee", "asylum-seeker", "refused-asylum-seeker", "temporary-protection", "undocumented",
        "labour-migrant", "student", "eu-citizen", "visitor",
    ]


class ImmigrationOut(BaseModel):
    matters: bool = Field(description="The rules of the person's jurisdiction depend on it (else it is not kept).")
    consent: bool = Field(description="The person consented to it being kept (purpose immigration-situation).")
    status: str | None
    recorded_at: dt.datetime | None


def _channel_out(view: contact.ChannelView) -> ChannelOut:
    return ChannelOut(**vars(view))


# --- Contact channels -------------------------------------------------------------------------------------------


@router.get(
    "/{client_id}/channels",
    response_model=ChannelList,
    summary="The ways of contacting a person",
    description="Audited `client.channel.read`. Needs `person.read`.",
    responses=problem_responses(401, 403, 404, 422, s401=S401, s403=S403, s404=S404),
)
def list_channels(request: Request, session: SessionDep, settings: SettingsDep, actor: Reader,
                  client_id: str) -> ChannelList:
    _, views = contact.read_channels(session, settings, actor, client_id, request_id=request_id(request))
    return ChannelList(items=[_channel_out(view) for view in views])


@router.post(
    "/{client_id}/channels",
    status_code=201,
    response_model=ChannelOut,
    summary="Add a way of contacting a person",
    description="Phone numbers are kept in E.164 (read in the installation's region without a country code). "
    "Audited `client.channel.create`. Needs `person.write`.",
    responses=problem_responses(401, 403, 404, 422, s401=S401, s403=S403, s404=S404),
)
def add_channel(request: Request, session: SessionDep, settings: SettingsDep, actor: Writer, client_id: str,
                body: ChannelIn) -> ChannelOut:
    channel = contact.add_channel(session, settings, actor, client_id, contact.ChannelInput(**body.model_dump()),
                                  request_id=request_id(request))
    client = clients.find_client(session, actor, client_id, "person.write")
    return _channel_out(contact.get_channel(session, settings, actor, client, channel.id))


@router.patch(
    "/{client_id}/channels/{channel_id}",
    response_model=ChannelOut,
    summary="Change a way of contacting a person",
    description="Only the fields given change. Audited `client.channel.change`. Needs `person.write`.",
    responses=problem_responses(401, 403, 404, 422, s401=S401, s403=S403, s404=S404),
)
def change_channel(request: Request, session: SessionDep, settings: SettingsDep, actor: Writer, client_id: str,
                   channel_id: str, body: ChannelPatch) -> ChannelOut:
    client = clients.find_client(session, actor, client_id, "person.write")
    current = contact.get_channel(session, settings, actor, client, channel_id)
    data = contact.ChannelInput(current.kind, current.value, current.organisation, current.ask_for, current.safe_times)
    for name in body.model_fields_set:
        setattr(data, name, getattr(body, name))
    contact.change_channel(session, settings, actor, client.id, channel_id, data, request_id=request_id(request))
    return _channel_out(contact.get_channel(session, settings, actor, client, channel_id))


@router.delete(
    "/{client_id}/channels/{channel_id}",
    status_code=204,
    response_class=Response,
    summary="Remove a way of contacting a person",
    description="Consent to reminders by this channel goes with it. Audited `client.channel.remove`. Needs "
    "`person.write`.",
    responses=problem_responses(401, 403, 404, 422, s401=S401, s403=S403, s404=S404),
)
def remove_channel(request: Request, session: SessionDep, settings: SettingsDep, actor: Writer, client_id: str,
                   channel_id: str) -> Response:
    contact.remove_channel(session, settings, actor, client_id, channel_id, request_id=request_id(request))
    return Response(status_code=204)


@router.put(
    "/{client_id}/do-not-contact",
    response_model=DoNotContact,
    summary="Set or clear: do not contact this person",
    description="Every feature that contacts a person obeys it. Audited `client.do-not-contact.set` or "
    "`client.do-not-contact.clear`. Needs `person.write`.",
    responses=problem_responses(401, 403, 404, 422, s401=S401, s403=S403, s404=S404),
)
def put_do_not_contact(request: Request, session: SessionDep, actor: Writer, client_id: str,
                       body: DoNotContact) -> DoNotContact:
    client = contact.set_do_not_contact(session, actor, client_id, body.do_not_contact, request_id=request_id(request))
    return DoNotContact(do_not_contact=client.do_not_contact)


# --- Reference numbers -----------------------------------------------------------------------------------------


@router.get(
    "/{client_id}/references",
    response_model=ReferenceList,
    summary="A person's reference numbers elsewhere",
    description="Health-service numbers, other organisations' case references, refugee council references. Audited "
    "`client.reference.read`. Needs `person.read`.",
    responses=problem_responses(401, 403, 404, 422, s401=S401, s403=S403, s404=S404),
)
def list_references(request: Request, session: SessionDep, settings: SettingsDep, actor: Reader,
                    client_id: str) -> ReferenceList:
    views = references.read_references(session, settings, actor, client_id, request_id=request_id(request))
    return ReferenceList(items=[ReferenceOut(**vars(view)) for view in views])


@router.post(
    "/{client_id}/references",
    status_code=201,
    response_model=ReferenceOut,
    summary="Add a reference number to a person's record",
    description="Sealed with the person's key; a blind index of the normalised value lets `POST /api/v1/client-"
    "lookup` find it. At least 5 letters or digits, one a digit. Audited `client.reference.create`. Needs `person.write`.",
    responses=problem_responses(401, 403, 404, 422, s401=S401, s403=S403, s404=S404),
)
def add_reference(request: Request, session: SessionDep, settings: SettingsDep, actor: Writer, client_id: str,
                  body: ReferenceIn) -> ReferenceOut:
    row = references.add_reference(session, settings, actor, client_id, references.ReferenceInput(**body.model_dump()),
                                   request_id=request_id(request))
    client = clients.find_client(session, actor, client_id, "person.write")
    view = next(view for view in references.list_references(session, settings, client) if view.id == row.id)
    return ReferenceOut(**vars(view))


@router.delete(
    "/{client_id}/references/{reference_id}",
    status_code=204,
    response_class=Response,
    summary="Remove a reference number",
    description="Audited `client.reference.remove`. Needs `person.write`.",
    responses=problem_responses(401, 403, 404, 422, s401=S401, s403=S403, s404=S404),
)
def remove_reference(request: Request, session: SessionDep, settings: SettingsDep, actor: Writer, client_id: str,
                     reference_id: str) -> Response:
    references.remove_reference(session, settings, actor, client_id, reference_id, request_id=request_id(request))
    return Response(status_code=204)


# --- Notes ------------------------------------------------------------------------------------------------------


def _note_out(view: notes.NoteView) -> NoteOut:
    return NoteOut(**vars(view))


@router.get(
    "/{client_id}/notes",
    response_model=NoteList,
    summary="A person's notes, newest first",
    description="Sensitive notes are given only to their author's team (the author and members of the team they "
    "were written in) and to clinicians (person.read-sensitive over the record); others get only their number. Audited `client.note.read`. Needs `person.read`.",
    responses=problem_responses(401, 403, 404, 422, s401=S401, s403=S403, s404=S404),
)
def list_notes(request: Request, session: SessionDep, settings: SettingsDep, actor: Reader, client_id: str) -> NoteList:
    view = notes.read_notes(session, settings, actor, client_id, request_id=request_id(request))
    return NoteList(items=[_note_out(note) for note in view.notes], hidden_sensitive=view.hidden_sensitive)


@router.post(
    "/{client_id}/notes",
    status_code=201,
    response_model=NoteOut,
    summary="Add a note (notes are never changed or deleted)",
    description="Audited `client.note.create`. Needs `person.write`.",
    responses=problem_responses(401, 403, 404, 422, s401=S401, s403=S403, s404=S404),
)
def add_note(request: Request, session: SessionDep, settings: SettingsDep, actor: Writer, client_id: str,
             body: NoteIn) -> NoteOut:
    note = notes.add_note(session, settings, actor, client_id, body.body, body.sensitivity,
                          request_id=request_id(request))
    client = clients.find_client(session, actor, client_id, "person.write")
    view = next(item for item in notes.list_notes(session, settings, actor, client).notes if item.id == note.id)
    return _note_out(view)


# --- Duplicates and links ---------------------------------------------------------------------------------------


@router.get(
    "/{client_id}/duplicates",
    response_model=DuplicatesOut,
    summary="Records that may be the same person, and records linked to this one",
    description="Found by blind index (same phone, e-mail, or name and date of birth), only within the caller's "
    "scope. Audited `client.duplicates.read`, and `client.duplicate.shown` on each record named. Needs `person.read`.",
    responses=problem_responses(401, 403, 404, 422, s401=S401, s403=S403, s404=S404),
)
def list_duplicates(request: Request, session: SessionDep, settings: SettingsDep, actor: Reader,
                    client_id: str) -> DuplicatesOut:
    possible, linked = duplicates.read_duplicates(session, settings, actor, client_id, request_id=request_id(request))
    return DuplicatesOut(
        possible=[PossibleDuplicateOut(client_id=item.client_id, preferred_name=item.preferred_name,
                                       reasons=list(item.reasons)) for item in possible],  # type: ignore[arg-type]
        linked=[LinkedRecordOut(**vars(item)) for item in linked],
    )


@router.post(
    "/{client_id}/links",
    status_code=201,
    response_model=LinkOut,
    summary="Decide whether a possible duplicate is the same person",
    description="Records are linked, never merged. Deciding again replaces the decision. Audited "
    "`client.link.same-person` or `client.link.not-same-person` on both records. Needs `person.write` on this "
    "record and `person.read` on the other.",
    responses=problem_responses(401, 403, 404, 422, s401=S401, s403=S403, s404=S404),
)
def decide_link(request: Request, session: SessionDep, settings: SettingsDep, actor: Writer, client_id: str,
                body: LinkIn) -> LinkOut:
    link = duplicates.decide(session, settings, actor, client_id, body.other_client_id, body.decision,
                             request_id=request_id(request))
    return LinkOut(client_id=link.client_id, other_client_id=link.other_client_id, decision=link.decision,  # type: ignore[arg-type]
                   reason=link.reason, decided_at=link.decided_at)  # type: ignore[arg-type]


# --- Immigration situation --------------------------------------------------------------------------------------


def _immigration_out(state: immigration.SectionState) -> ImmigrationOut:
    return ImmigrationOut(
        matters=state.matters,
        consent=state.has_consent,
        status=state.situation.status if state.situation else None,
        recorded_at=state.situation.recorded_at if state.situation else None,
    )


@router.get(
    "/{client_id}/immigration-situation",
    response_model=ImmigrationOut,
    summary="A person's immigration situation, if kept",
    description="Audited `client.immigration.read`. Needs `person.write`: only those who work on the record see it.",
    responses=problem_responses(401, 403, 404, 422, s401=S401, s403=S403, s404=S404),
)
def read_immigration(request: Request, session: SessionDep, settings: SettingsDep, actor: Writer,
                     client_id: str) -> ImmigrationOut:
    _, state = immigration.read_situation(session, settings, actor, client_id, request_id=request_id(request))
    return _immigration_out(state)


@router.put(
    "/{client_id}/immigration-situation",
    response_model=ImmigrationOut,
    summary="Keep or replace a person's immigration situation",
    description="Only where the rules of the person's jurisdiction depend on it and with their consent (purpose "
    "immigration-situation); otherwise 409 and nothing is kept. Audited `client.immigration.set`. Needs "
    "`person.write`.",
    responses=problem_responses(401, 403, 404, 409, 422, s401=S401, s403=S403, s404=S404, s409=S409),
)
def put_immigration(request: Request, session: SessionDep, settings: SettingsDep, actor: Writer, client_id: str,
                    body: ImmigrationStatus) -> ImmigrationOut:
    immigration.record_situation(session, settings, actor, client_id, body.status, request_id=request_id(request))
    client = clients.find_client(session, actor, client_id, "person.write")
    return _immigration_out(immigration.section_state(session, settings, actor, client))


@router.delete(
    "/{client_id}/immigration-situation",
    status_code=204,
    response_class=Response,
    summary="Delete a person's immigration situation",
    description="The row is deleted. Audited `client.immigration.remove`. Needs `person.write`.",
    responses=problem_responses(401, 403, 404, 422, s401=S401, s403=S403, s404=S404),
)
def delete_immigration(request: Request, session: SessionDep, settings: SettingsDep, actor: Writer,
                       client_id: str) -> Response:
    immigration.remove_situation(session, settings, actor, client_id, request_id=request_id(request))
    return Response(status_code=204)
