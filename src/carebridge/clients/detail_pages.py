"""The person's page, in detail: the contact, notes, possible-duplicates and immigration sections (their providers
for clients.sections) and the forms behind them.

Forms post, then redirect (303) to the person's page, at the section, with `?done=` saying what happened (the
section shows it); a form with a problem is shown again (422, or 409 when the rules or consent refuse) with an error
summary and what was typed. Only random ids in URLs. Every route declares its permission and the services check it
again, scoped: a record outside the actor's scope is 404.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from carebridge.accounts.access import Actor, requires
from carebridge.accounts.rendering import form_errors, render_staff
from carebridge.clients import contact, duplicates, immigration, notes, references
from carebridge.clients import service as clients
from carebridge.clients.models import Client
from carebridge.consent.service import ConsentRequired
from carebridge.entitlements.vocabulary import STATUS_LABELS, STATUSES
from carebridge.errors import N_, CarebridgeError, FieldError, InvalidInput
from carebridge.i18n import get_translations, negotiate_language
from carebridge.web import SessionDep, SettingsDep, request_id

# Pages, not API: kept out of the OpenAPI description.
router = APIRouter(include_in_schema=False)

# What a request may carry per field; the services' own limits (far lower) give the message beside the field.
TRANSPORT_LIMIT = 20_000

Reader = Annotated[Actor, Depends(requires("person.read"))]
Writer = Annotated[Actor, Depends(requires("person.write"))]

KIND_LABELS = {
    contact.PHONE: N_("Phone call"),
    contact.SMS: N_("Text message (SMS)"),
    contact.EMAIL_KIND: N_("E-mail"),
    contact.ORGANISATION: N_("Through an organisation"),
    contact.IN_PERSON: N_("In person only"),
}
REASON_LABELS = {
    duplicates.SAME_PHONE: N_("Same phone number"),
    duplicates.SAME_EMAIL: N_("Same e-mail address"),
    duplicates.SAME_NAME_BIRTH_DATE: N_("Same name and date of birth"),
    duplicates.SAME_REFERENCE: N_("Same reference number"),
}
REFERENCE_KIND_LABELS = {
    references.HEALTH_SERVICE: N_("Health service number"),
    references.CASE_REFERENCE: N_("Another organisation’s case reference"),
    references.REFUGEE_COUNCIL: N_("Refugee council reference"),
    references.OTHER: N_("Other reference number"),
}
# What each section says after its form (?done=...); unknown values are ignored.
DONE = {
    "channel-added": ("contact", N_("The way of contacting the person was added.")),
    "channel-changed": ("contact", N_("The way of contacting the person was changed.")),
    "channel-removed": ("contact", N_("The way of contacting the person was removed.")),
    "dnc-set": ("contact", N_("The person is now marked: do not contact.")),
    "dnc-cleared": ("contact", N_("The person may be contacted again, on the channels they agreed to.")),
    "reference-added": ("references", N_("The reference number was added.")),
    "reference-removed": ("references", N_("The reference number was removed.")),
    "note-added": ("notes", N_("The note was saved.")),
    "linked": ("duplicates", N_("The records were linked as the same person. They were not merged.")),
    "not-linked": ("duplicates", N_("The records were marked as not the same person.")),
    "immigration-saved": ("immigration", N_("The immigration situation was saved.")),
    "immigration-removed": ("immigration", N_("The immigration situation was deleted.")),
}


def _translate(request: Request):  # noqa: ANN202
    return get_translations(negotiate_language(request)).gettext


def _see_other(client_id: str, done: str) -> Response:
    section = DONE[done][0]
    return RedirectResponse(f"/staff/clients/{client_id}?done={done}#{section}", status_code=303)


def _can_write(session: Any, actor: Actor, client: Client) -> bool:
    if not actor.can("person.write"):
        return False
    return session.scalar(select(Client.id).where(Client.id == client.id, clients.scope(actor, "person.write"))) is not None


def _done(request: Request, section: str) -> str | None:
    found = DONE.get(request.query_params.get("done", ""))
    return found[1] if found and found[0] == section else None


# --- Sections of the person's page (clients.sections) ----------------------------------------------------------


def contact_section(session: Any, settings: Any, actor: Actor, client: Client, request: Request) -> dict[str, Any]:
    return {
        "channels": contact.list_channels(session, settings, actor, client),
        "kind_labels": KIND_LABELS,
        "can_write": _can_write(session, actor, client),
        "done": _done(request, "contact"),
    }


def references_section(session: Any, settings: Any, actor: Actor, client: Client, request: Request) -> dict[str, Any]:
    return {
        "references": references.list_references(session, settings, client),
        "kind_labels": REFERENCE_KIND_LABELS,
        "can_write": _can_write(session, actor, client),
        "done": _done(request, "references"),
    }


def notes_section(session: Any, settings: Any, actor: Actor, client: Client, request: Request) -> dict[str, Any]:
    return {
        "notes": notes.list_notes(session, settings, actor, client),
        "can_write": _can_write(session, actor, client),
        "done": _done(request, "notes"),
    }


def duplicates_section(session: Any, settings: Any, actor: Actor, client: Client, request: Request) -> dict[str, Any] | None:
    rid = request_id(request)
    possible = duplicates.possible_duplicates(session, settings, actor, client, request_id=rid)
    linked = duplicates.linked_records(session, settings, actor, client, request_id=rid)
    done = _done(request, "duplicates")
    if not possible and not linked and not done:
        return None
    return {
        "possible": possible,
        "linked": linked,
        "reason_labels": REASON_LABELS,
        "can_write": _can_write(session, actor, client),
        "done": done,
    }


def immigration_section(session: Any, settings: Any, actor: Actor, client: Client, request: Request) -> dict[str, Any] | None:
    # Only for those who work on the record (clients.immigration.read_situation): staff who only read it have no
    # need for the immigration situation, so the section is not there for them at all.
    if not _can_write(session, actor, client):
        return None
    return {
        "immigration": immigration.section_state(session, settings, actor, client),
        "can_write": True,
        "done": _done(request, "immigration"),
    }


# --- Contact channels -------------------------------------------------------------------------------------------


def _channel_form(
    request: Request, client: Client, *, values: dict[str, Any], errors: list, channel_id: str | None = None,
    status_code: int = 200,
) -> Response:
    translate = _translate(request)
    return render_staff(
        request,
        "staff/clients/details/channel_form.html",
        {
            "client_id": client.id,
            "channel_id": channel_id,
            "values": values,
            "errors": errors,
            "kind_options": [(kind, translate(KIND_LABELS[kind]), None) for kind in contact.KINDS],
            "kind_label": translate(KIND_LABELS[values["kind"]]) if values.get("kind") in KIND_LABELS else "",
        },
        status_code=status_code,
    )


@router.get("/staff/clients/{client_id}/contact/new")
def new_channel_page(request: Request, session: SessionDep, actor: Writer, client_id: str) -> Response:
    client = clients.find_client(session, actor, client_id, "person.write")
    return _channel_form(request, client, values={"kind": ""}, errors=[])


@router.post("/staff/clients/{client_id}/contact/new")
def add_channel(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: Writer,
    client_id: str,
    kind: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    value: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    organisation: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    ask_for: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    safe_times: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
) -> Response:
    client = clients.find_client(session, actor, client_id, "person.write")
    data = contact.ChannelInput(kind, value, organisation, ask_for, safe_times)
    try:
        contact.add_channel(session, settings, actor, client.id, data, request_id=request_id(request))
    except InvalidInput as problem:
        return _channel_form(request, client, values=vars(data), errors=form_errors(request, problem.errors), status_code=422)
    return _see_other(client.id, "channel-added")


@router.get("/staff/clients/{client_id}/contact/{channel_id}")
def channel_page(request: Request, session: SessionDep, settings: SettingsDep, actor: Writer, client_id: str,
                 channel_id: str) -> Response:
    client = clients.find_client(session, actor, client_id, "person.write")
    view = contact.get_channel(session, settings, actor, client, channel_id)
    values = {"kind": view.kind, "value": view.value or "", "organisation": view.organisation or "",
              "ask_for": view.ask_for or "", "safe_times": view.safe_times or ""}
    return _channel_form(request, client, values=values, errors=[], channel_id=view.id)


@router.post("/staff/clients/{client_id}/contact/{channel_id}")
def change_channel(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: Writer,
    client_id: str,
    channel_id: str,
    value: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    organisation: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    ask_for: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    safe_times: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
) -> Response:
    client = clients.find_client(session, actor, client_id, "person.write")
    view = contact.get_channel(session, settings, actor, client, channel_id)
    data = contact.ChannelInput(view.kind, value, organisation, ask_for, safe_times)
    try:
        contact.change_channel(session, settings, actor, client.id, view.id, data, request_id=request_id(request))
    except InvalidInput as problem:
        return _channel_form(request, client, values=vars(data), errors=form_errors(request, problem.errors),
                             channel_id=view.id, status_code=422)
    return _see_other(client.id, "channel-changed")


@router.post("/staff/clients/{client_id}/contact/{channel_id}/remove")
def remove_channel(
    request: Request, session: SessionDep, settings: SettingsDep, actor: Writer, client_id: str, channel_id: str
) -> Response:
    contact.remove_channel(session, settings, actor, client_id, channel_id, request_id=request_id(request))
    return _see_other(client_id, "channel-removed")


@router.post("/staff/clients/{client_id}/do-not-contact")
def do_not_contact(
    request: Request,
    session: SessionDep,
    actor: Writer,
    client_id: str,
    flag: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
) -> Response:
    if flag not in ("set", "clear"):
        raise InvalidInput(errors=[FieldError("flag", N_("Choose whether the person may be contacted."))])
    contact.set_do_not_contact(session, actor, client_id, flag == "set", request_id=request_id(request))
    return _see_other(client_id, "dnc-set" if flag == "set" else "dnc-cleared")


# --- Reference numbers -----------------------------------------------------------------------------------------


def _reference_form(request: Request, client: Client, *, values: dict[str, Any], errors: list,
                    status_code: int = 200) -> Response:
    translate = _translate(request)
    return render_staff(
        request,
        "staff/clients/details/reference_form.html",
        {
            "client_id": client.id,
            "values": values,
            "errors": errors,
            "kind_options": [(kind, translate(REFERENCE_KIND_LABELS[kind]), None) for kind in references.KINDS],
            "minimum": references.REFERENCE_MINIMUM,
        },
        status_code=status_code,
    )


@router.get("/staff/clients/{client_id}/references/new")
def new_reference_page(request: Request, session: SessionDep, actor: Writer, client_id: str) -> Response:
    client = clients.find_client(session, actor, client_id, "person.write")
    return _reference_form(request, client, values={"kind": "", "value": "", "label": ""}, errors=[])


@router.post("/staff/clients/{client_id}/references/new")
def add_reference(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: Writer,
    client_id: str,
    kind: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    value: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    label: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
) -> Response:
    client = clients.find_client(session, actor, client_id, "person.write")
    data = references.ReferenceInput(kind, value, label)
    try:
        references.add_reference(session, settings, actor, client.id, data, request_id=request_id(request))
    except InvalidInput as problem:
        return _reference_form(request, client, values=vars(data), errors=form_errors(request, problem.errors),
                               status_code=422)
    return _see_other(client.id, "reference-added")


@router.post("/staff/clients/{client_id}/references/{reference_id}/remove")
def remove_reference(
    request: Request, session: SessionDep, settings: SettingsDep, actor: Writer, client_id: str, reference_id: str
) -> Response:
    references.remove_reference(session, settings, actor, client_id, reference_id, request_id=request_id(request))
    return _see_other(client_id, "reference-removed")


# --- Notes ------------------------------------------------------------------------------------------------------


def _note_form(request: Request, client: Client, *, values: dict, errors: list, status_code: int = 200) -> Response:
    return render_staff(
        request,
        "staff/clients/details/note_form.html",
        {"client_id": client.id, "values": values, "errors": errors, "maximum": notes.BODY_MAXIMUM},
        status_code=status_code,
    )


@router.get("/staff/clients/{client_id}/notes/new")
def new_note_page(request: Request, session: SessionDep, actor: Writer, client_id: str) -> Response:
    client = clients.find_client(session, actor, client_id, "person.write")
    return _note_form(request, client, values={"body": "", "sensitivity": notes.NORMAL}, errors=[])


@router.post("/staff/clients/{client_id}/notes/new")
def add_note(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: Writer,
    client_id: str,
    body: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    sensitivity: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
) -> Response:
    client = clients.find_client(session, actor, client_id, "person.write")
    try:
        notes.add_note(session, settings, actor, client.id, body, sensitivity, request_id=request_id(request))
    except InvalidInput as problem:
        return _note_form(request, client, values={"body": body, "sensitivity": sensitivity},
                          errors=form_errors(request, problem.errors), status_code=422)
    return _see_other(client.id, "note-added")


# --- Possible duplicates ----------------------------------------------------------------------------------------


@router.post("/staff/clients/{client_id}/duplicates/{other_id}")
def decide_duplicate(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: Writer,
    client_id: str,
    other_id: str,
    decision: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
) -> Response:
    duplicates.decide(session, settings, actor, client_id, other_id, decision, request_id=request_id(request))
    return _see_other(client_id, "linked" if decision == duplicates.SAME_PERSON else "not-linked")


# --- Immigration situation --------------------------------------------------------------------------------------


def _immigration_form(
    request: Request, session: Any, settings: Any, actor: Actor, client: Client, *, selected: str | None = None,
    errors: list | None = None, status_code: int = 200,
) -> Response:
    state = immigration.section_state(session, settings, actor, client)
    translate = _translate(request)
    return render_staff(
        request,
        "staff/clients/details/immigration_form.html",
        {
            "client_id": client.id,
            "immigration": state,
            "options": [(status, translate(STATUS_LABELS[status]), None) for status in STATUSES],
            "selected": selected if selected is not None else (state.situation.status if state.situation else None),
            "errors": errors or [],
        },
        status_code=status_code,
    )


@router.get("/staff/clients/{client_id}/immigration-situation")
def immigration_page(request: Request, session: SessionDep, settings: SettingsDep, actor: Writer,
                     client_id: str) -> Response:
    client = clients.find_client(session, actor, client_id, "person.write")
    return _immigration_form(request, session, settings, actor, client)


@router.post("/staff/clients/{client_id}/immigration-situation")
def record_immigration(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: Writer,
    client_id: str,
    status: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
) -> Response:
    client = clients.find_client(session, actor, client_id, "person.write")
    try:
        immigration.record_situation(session, settings, actor, client.id, status, request_id=request_id(request))
    except (InvalidInput, immigration.NotNeeded, ConsentRequired) as problem:
        session.rollback()
        client = clients.find_client(session, actor, client_id, "person.write")
        errors = problem.errors if isinstance(problem, InvalidInput) else [FieldError("status", _refusal(problem))]
        return _immigration_form(request, session, settings, actor, client, selected=status,
                                 errors=form_errors(request, errors), status_code=problem.status_code)
    return _see_other(client.id, "immigration-saved")


def _refusal(problem: CarebridgeError) -> str:
    if isinstance(problem, ConsentRequired):
        return N_("The person has not agreed to their immigration situation being kept. Record their consent first.")
    return N_("The rules for this country do not depend on the immigration situation, so it is not kept.")


@router.post("/staff/clients/{client_id}/immigration-situation/remove")
def remove_immigration(request: Request, session: SessionDep, settings: SettingsDep, actor: Writer,
                       client_id: str) -> Response:
    immigration.remove_situation(session, settings, actor, client_id, request_id=request_id(request))
    return _see_other(client_id, "immigration-removed")
