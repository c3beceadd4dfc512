"""Staff pages of the firewall domain: the disclosure register, telling the person, and the figures for planners.

- /staff/disclosure-requests (disclosure.record): the organisation's register, newest first (without
  disclosure.read: only the requests one recorded oneself); record a new request; one entry with its details; link it
  to a person (needs person.read on them too); propose and confirm a decision, and a court order that forbids telling
  the person (disclosure.decide: two different administrators).
- /staff/clients/{client_id}/disclosure-requests/{entry_id}/told (person.write on that person): the caseworker
  records when they told the person. The person's page shows the open requests about them (section `disclosure`).
- /staff/reports (report.aggregate): counts only, small ones suppressed (firewall.reports).

Forms post, then redirect (303); a form with a problem is shown again (422) with an error summary and what was
typed. Only random ids travel in URLs.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from carebridge.accounts.access import Actor, requires
from carebridge.accounts.rendering import form_errors, render_staff
from carebridge.clients import service as clients
from carebridge.config import Settings
from carebridge.errors import N_, Conflict, FieldError, Forbidden, InvalidInput
from carebridge.firewall import reports, service
from carebridge.i18n import get_translations, negotiate_language
from carebridge.kit import clock
from carebridge.web import SessionDep, SettingsDep, request_id

# Pages, not API: kept out of the OpenAPI description.
router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
# What a request may carry per field: far above any real value, so a long value gets the service's message beside
# its field (422 with the form), not a bare error page.
TRANSPORT_LIMIT = 20_000

Recorder = Annotated[Actor, Depends(requires("disclosure.record"))]
Decider = Annotated[Actor, Depends(requires("disclosure.decide"))]
PersonWriter = Annotated[Actor, Depends(requires("person.write"))]
Planner = Annotated[Actor, Depends(requires("report.aggregate"))]

REQUESTER_KIND_LABELS = service.REQUESTER_KIND_LABELS
STATUS_LABELS = {
    "received": N_("Received, no decision yet"),
    "proposed": N_("Decision proposed, waiting for a second administrator"),
    "disclosed": N_("Disclosed"),
    "refused": N_("Refused"),
}
DECISION_LABELS = {"disclose": N_("Disclose"), "refuse": N_("Refuse")}
DONE = {
    "recorded": N_("The request was recorded in the register."),
    "linked": N_("The request was linked to the person's record."),
    "proposed": N_("Your proposal was saved. Another administrator must confirm it."),
    "confirmed": N_("The decision was confirmed."),
    "sent-back": N_("The proposal was sent back. The request is open again."),
    "told": N_("It is recorded that the person was told."),
    "gag-proposed": N_("The court order was saved. Another administrator must confirm it before it keeps anything from the person."),
    "gag-confirmed": N_("The court order was confirmed. The person is not told until its end or review date."),
    "gag-sent-back": N_("The court order was sent back. The person is told about the request."),
}
GAG_LABELS = {
    "none": N_("No court order was mentioned."),
    "claimed": N_("A court order was mentioned. Until two administrators confirm it, the person is told."),
    "proposed": N_("A court order was proposed, waiting for a second administrator. Until then, the person is told."),
    "confirmed": N_("Two administrators confirmed a court order that forbids telling the person."),
}


def _translate(request: Request):  # noqa: ANN202
    return get_translations(negotiate_language(request)).gettext


def _see_other(url: str) -> Response:
    return RedirectResponse(url, status_code=303)


def _labels() -> dict[str, Any]:
    return {
        "kind_labels": REQUESTER_KIND_LABELS,
        "status_labels": STATUS_LABELS,
        "decision_labels": DECISION_LABELS,
    }


# The register.


@router.get("/staff/disclosure-requests")
def register_page(
    request: Request,
    session: SessionDep,
    actor: Recorder,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    rows = service.list_requests(session, actor, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
    return render_staff(
        request,
        "staff/firewall/register.html",
        {
            "entries": rows[:PAGE_SIZE],
            "page": page,
            "has_next": len(rows) > PAGE_SIZE,
            "must_tell": service.must_tell,
            "gag_in_effect": service.gag_in_effect,
            "today": clock.today(request.app.state.settings.timezone),
            "whole_register": service.reads_register(actor),
            "refused_by_rule": service.refused_by_rule,
            "timezone": clock.zone(request.app.state.settings.timezone),
            **_labels(),
        },
    )


def _new_form(request: Request, actor: Actor, *, values: dict[str, Any], errors: list, status_code: int = 200) -> Response:
    return render_staff(
        request,
        "staff/firewall/new.html",
        {
            "values": values,
            "errors": errors,
            "can_link": actor.can("person.read"),
            "kinds": list(REQUESTER_KIND_LABELS.items()),
            "maximum": {
                "requester": service.REQUESTER_MAXIMUM,
                "reference": service.REFERENCE_MAXIMUM,
                "asked_for": service.ASKED_FOR_MAXIMUM,
                "legal_basis": service.LEGAL_BASIS_MAXIMUM,
                "court_order_reference": service.REFERENCE_MAXIMUM,
            },
        },
        status_code=status_code,
    )


@router.get("/staff/disclosure-requests/new")
def new_request_page(request: Request, settings: SettingsDep, actor: Recorder) -> Response:
    values = {"received_on": clock.today(settings.timezone).isoformat(), "requester_kind": ""}
    return _new_form(request, actor, values=values, errors=[])


@router.post("/staff/disclosure-requests/new")
def create_request(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: Recorder,
    requester_kind: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    requester: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    reference: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    asked_for: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    legal_basis: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    received_on: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    client_id: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    bulk: Annotated[str, Form(max_length=10)] = "",
    court_order: Annotated[str, Form(max_length=10)] = "",
    court_order_reference: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
) -> Response:
    values = {
        "requester_kind": requester_kind,
        "requester": requester,
        "reference": reference,
        "asked_for": asked_for,
        "legal_basis": legal_basis,
        "received_on": received_on,
        "client_id": client_id,
        "bulk": bulk == "1",
        "court_order": court_order == "1",
        "court_order_reference": court_order_reference,
    }
    errors: list[FieldError] = []
    day = None
    try:
        day = service.parse_date(received_on, "received_on", settings=settings)
    except InvalidInput as problem:
        errors.extend(problem.errors)
    try:
        entry = service.record_request(
            session,
            settings,
            actor,
            service.RequestInput(
                requester_kind=requester_kind,
                requester=requester,
                reference=reference,
                asked_for=asked_for,
                legal_basis=legal_basis,
                received_on=day,
                client_id=client_id if actor.can("person.read") else None,
                bulk=bulk == "1",
                court_order_claimed=court_order == "1",
                court_order_reference=court_order_reference,
            ),
            request_id=request_id(request),
        )
    except InvalidInput as problem:
        errors.extend(error for error in problem.errors if error.name != "received_on" or day is not None)
    if errors:
        session.rollback()
        order = ["requester_kind", "requester", "reference", "received_on", "asked_for", "legal_basis", "client_id",
                 "court_order_reference"]
        errors.sort(key=lambda error: order.index(error.name) if error.name in order else len(order))
        return _new_form(request, actor, values=values, errors=form_errors(request, errors), status_code=422)
    return _see_other(f"/staff/disclosure-requests/{entry.id}?done=recorded")


def _entry_page(
    request: Request,
    session: Session,
    settings: Settings,
    actor: Actor,
    entry_id: str,
    *,
    done: str | None = None,
    errors: list | None = None,
    values: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    entry = service.get_request(session, settings, actor, entry_id, request_id=request_id(request))
    row = entry.row
    today = clock.today(settings.timezone)
    return render_staff(
        request,
        "staff/firewall/entry.html",
        {
            "entry": entry,
            "row": row,
            "done": DONE.get(done or ""),
            "errors": errors or [],
            "values": values or {},
            "refusal_rule": entry.refusal_rule,
            "must_tell": service.must_tell(row, today),
            "gag_in_effect": service.gag_in_effect(row, today),
            "gag_label": GAG_LABELS[row.gag_status],
            "whole_register": service.reads_register(actor),
            "can_decide": actor.can("disclosure.decide"),
            "gag_proposed_by_me": row.gag_proposed_by == actor.account_id,
            "can_link": actor.can("person.read") and row.client_id is None,
            "can_propose_gag": actor.can("disclosure.decide") and row.client_id is not None
            and row.gag_status in ("none", "claimed"),
            "can_open_person": actor.can("person.read") and row.client_id is not None,
            "proposed_by_me": row.proposed_by == actor.account_id,
            "decisions": [
                (value, label)
                for value, label in DECISION_LABELS.items()
                if not (value == "disclose" and entry.refusal_rule)
            ],
            "timezone": clock.zone(settings.timezone),
            **_labels(),
        },
        status_code=status_code,
    )


@router.get("/staff/disclosure-requests/{entry_id}")
def entry_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: Recorder,
    entry_id: str,
    done: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    return _entry_page(request, session, settings, actor, entry_id, done=done)


def _form_problem(
    request: Request, session: Session, settings: Settings, actor: Actor, entry_id: str, problem: Exception,
    field: str, values: dict[str, Any],
) -> Response:
    """The entry page again with the problem beside the form's field: 422 (bad input) or 409/403 (state, rule)."""
    session.rollback()
    if isinstance(problem, InvalidInput):
        errors, status = problem.errors, 422
    else:
        errors = [FieldError(field, problem.detail or problem.title)]  # type: ignore[attr-defined]
        status = problem.status_code  # type: ignore[attr-defined]
    return _entry_page(
        request, session, settings, actor, entry_id, errors=form_errors(request, errors), values=values, status_code=status
    )


@router.post("/staff/disclosure-requests/{entry_id}/person")
def link_person(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: Recorder,
    entry_id: str,
    client_id: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
) -> Response:
    try:
        service.link_person(session, settings, actor, entry_id, client_id, request_id=request_id(request))
    except (InvalidInput, Conflict) as problem:
        return _form_problem(request, session, settings, actor, entry_id, problem, "client_id", {"client_id": client_id})
    return _see_other(f"/staff/disclosure-requests/{entry_id}?done=linked")


@router.post("/staff/disclosure-requests/{entry_id}/propose")
def propose(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: Decider,
    entry_id: str,
    decision: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    reason: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
) -> Response:
    try:
        service.propose(session, settings, actor, entry_id, decision, reason, request_id=request_id(request))
    except (InvalidInput, Conflict) as problem:
        values = {"decision": decision, "reason": reason}
        return _form_problem(request, session, settings, actor, entry_id, problem, "decision", values)
    return _see_other(f"/staff/disclosure-requests/{entry_id}?done=proposed")


@router.post("/staff/disclosure-requests/{entry_id}/confirm")
def confirm(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: Decider,
    entry_id: str,
    answer: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
) -> Response:
    try:
        if answer == "confirm":
            service.confirm(session, settings, actor, entry_id, request_id=request_id(request))
            done = "confirmed"
        elif answer == "send-back":
            service.send_back(session, settings, actor, entry_id, request_id=request_id(request))
            done = "sent-back"
        else:
            raise InvalidInput(errors=[FieldError("answer", N_("Choose whether to confirm the decision or send it back."))])
    except (InvalidInput, Conflict, Forbidden) as problem:
        return _form_problem(request, session, settings, actor, entry_id, problem, "answer", {})
    return _see_other(f"/staff/disclosure-requests/{entry_id}?done={done}")


@router.post("/staff/disclosure-requests/{entry_id}/court-order")
def propose_gag(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: Decider,
    entry_id: str,
    court_order_reference: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    gag_until: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
) -> Response:
    try:
        service.propose_gag(
            session, settings, actor, entry_id, court_order_reference, gag_until, request_id=request_id(request)
        )
    except (InvalidInput, Conflict) as problem:
        values = {"court_order_reference": court_order_reference, "gag_until": gag_until}
        return _form_problem(request, session, settings, actor, entry_id, problem, "court_order_reference", values)
    return _see_other(f"/staff/disclosure-requests/{entry_id}?done=gag-proposed")


@router.post("/staff/disclosure-requests/{entry_id}/court-order/confirm")
def confirm_gag(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: Decider,
    entry_id: str,
    gag_answer: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
) -> Response:
    try:
        if gag_answer == "confirm":
            service.confirm_gag(session, settings, actor, entry_id, request_id=request_id(request))
            done = "gag-confirmed"
        elif gag_answer == "send-back":
            service.send_back_gag(session, settings, actor, entry_id, request_id=request_id(request))
            done = "gag-sent-back"
        else:
            raise InvalidInput(
                errors=[FieldError("gag_answer", N_("Choose whether to confirm the court order or send it back."))]
            )
    except (InvalidInput, Conflict, Forbidden) as problem:
        return _form_problem(request, session, settings, actor, entry_id, problem, "gag_answer", {})
    return _see_other(f"/staff/disclosure-requests/{entry_id}?done={done}")


# Telling the person (the caseworker, from the person's page).


def _told_page(
    request: Request,
    session: Session,
    settings: Settings,
    actor: Actor,
    client_id: str,
    entry_id: str,
    *,
    values: dict[str, Any],
    errors: list,
    status_code: int = 200,
) -> Response:
    client = clients.get_client(
        session, settings, actor, client_id, permission="person.write", request_id=request_id(request)
    )
    entry = service.entry_about_person(session, settings, actor, client.id, entry_id)
    return render_staff(
        request,
        "staff/firewall/told.html",
        {
            "client_id": client.id,
            "row": entry,
            "values": values,
            "errors": errors,
            "timezone": clock.zone(settings.timezone),
        },
        status_code=status_code,
    )


@router.get("/staff/clients/{client_id}/disclosure-requests/{entry_id}/told")
def told_page(
    request: Request, session: SessionDep, settings: SettingsDep, actor: PersonWriter, client_id: str, entry_id: str
) -> Response:
    values = {"told_on": clock.today(settings.timezone).isoformat()}
    return _told_page(request, session, settings, actor, client_id, entry_id, values=values, errors=[])


@router.post("/staff/clients/{client_id}/disclosure-requests/{entry_id}/told")
def record_told(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: PersonWriter,
    client_id: str,
    entry_id: str,
    told_on: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
) -> Response:
    try:
        service.record_person_told(session, settings, actor, client_id, entry_id, told_on, request_id=request_id(request))
    except (InvalidInput, Conflict) as problem:
        session.rollback()
        errors = problem.errors if isinstance(problem, InvalidInput) else [FieldError("told_on", problem.detail or problem.title)]
        return _told_page(
            request, session, settings, actor, client_id, entry_id, values={"told_on": told_on},
            errors=form_errors(request, errors), status_code=422 if isinstance(problem, InvalidInput) else 409,
        )
    return _see_other(f"/staff/clients/{client_id}?done=disclosure-told")


def disclosure_section(session: Session, settings: Settings, actor: Actor, client: Any, request: Request) -> dict | None:
    """The person page's section (clients.sections): requests about this person that they are to be told about, or
    were told about; never the request's details. None when there is nothing to show."""
    if not actor.can("person.read"):
        return None
    entries = service.about_person(session, settings, actor, client.id)
    if not entries:
        return None
    return {
        "disclosure_entries": entries,
        "disclosure_can_record_told": actor.can("person.write"),
        "disclosure_timezone": clock.zone(settings.timezone),
        "client_id": client.id,
    }


# Figures for planners.


@router.get("/staff/reports")
def reports_page(request: Request, session: SessionDep, settings: SettingsDep, actor: Planner) -> Response:
    report = reports.caseload(session, settings, actor, request_id=request_id(request))
    return render_staff(request, "staff/reports/index.html", {"report": report})
