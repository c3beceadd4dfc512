"""Staff pages of the referrals domain: the person page's "Referrals" section (state, the outcome that closes the
loop, "Refer"), the new referral form with its directory search (posted: the person's area and language never go
into a URL), the referral page for both parties with the allowed moves as buttons, "Referrals sent", "Referrals
received" (the inbox), and the printout for the person in their language.

Every route declares its permission; the service checks it again and scopes the record. Forms post, then redirect
(303) with a short result code, never personal data; a form with a problem is shown again (422, or 409 when consent
is missing or someone else moved the referral meanwhile) with an error summary and what was typed.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from carebridge import i18n
from carebridge.accounts.access import Actor, requires
from carebridge.accounts.rendering import form_errors, render_staff
from carebridge.audit import service as audit
from carebridge.clients import service as clients
from carebridge.clients.models import Client
from carebridge.config import Settings
from carebridge.consent import service as consent
from carebridge.emergency import emergency_numbers
from carebridge.errors import N_, Conflict, FieldError, InvalidInput, NotFound
from carebridge.referrals import service
from carebridge.referrals.models import Referral
from carebridge.referrals.states import NEEDS_OUTCOME, NEEDS_REASON, Party, State
from carebridge.web import SessionDep, SettingsDep, render, request_id

router = APIRouter(include_in_schema=False)

TRANSPORT_LIMIT = 10_000
Sender = Annotated[Actor, Depends(requires("referral.send"))]
Receiver = Annotated[Actor, Depends(requires("referral.receive"))]

STATE_LABELS = {
    "draft": N_("Draft, not sent"),
    "requested": N_("Sent, waiting for an answer"),
    "accepted": N_("Accepted"),
    "rejected": N_("Refused"),
    "cancelled": N_("Cancelled"),
    "in-progress": N_("In progress"),
    "on-hold": N_("On hold"),
    "completed": N_("Completed"),
    "failed": N_("Could not be done"),
    "entered-in-error": N_("Entered in error"),
}
MOVE_LABELS = {
    "accepted": N_("Accept the referral"),
    "rejected": N_("Refuse the referral"),
    "cancelled": N_("Cancel the referral"),
    "in-progress": N_("Mark as in progress"),
    "on-hold": N_("Put on hold"),
    "completed": N_("Complete, with the outcome"),
    "failed": N_("Mark as could not be done"),
    "entered-in-error": N_("Mark as entered in error"),
}
REASON_LABELS = {
    "no-answer": N_("Nobody answered in time"),
    "not-eligible": N_("The person is not eligible for the service"),
    "no-capacity": N_("The service has no capacity"),
    "person-declined": N_("The person said no"),
    "person-unreachable": N_("The person could not be reached"),
    "duplicate": N_("A duplicate referral"),
    "safeguarding": N_("A safeguarding reason"),
    "other": N_("Another reason (write it below)"),
}
PRIORITY_LABELS = {"routine": N_("Routine"), "urgent": N_("Urgent")}
KIND_LABELS = {"referral": N_("Referral"), "social-prescribing": N_("Social prescribing")}
PARTY_LABELS = {"referrer": N_("The referrer"), "receiver": N_("The receiving organisation"),
                "system": N_("Carebridge (automatic)")}
SHARE_LABELS = {
    "name": N_("The name the person uses"),
    "languages": N_("Their languages and interpreter need"),
    "reason": N_("The reason for the referral"),
    "contact": N_("One way to contact them"),
    "immigration": N_("Their immigration situation"),
}
CHANNEL_LABELS = {
    "phone": N_("Phone"),
    "sms": N_("Text message"),
    "email": N_("E-mail"),
    "organisation": N_("Through an organisation"),
    "in-person": N_("In person only"),
}
DONE = {
    "sent": N_("The referral was sent."),
    "draft": N_("The referral was saved as a draft. It is not sent yet."),
    "moved": N_("The referral’s state was changed."),
}
SECTION_DONE = {"sent": DONE["sent"], "draft": DONE["draft"]}
NO_CONSENT = N_("The person has not agreed to share anything with this organisation. Record their consent first. "
                "Only in a safeguarding emergency may you send it without consent, with the reason.")


def _see_other(url: str) -> Response:
    return RedirectResponse(url, status_code=303)


def _local(settings: Settings, moment: dt.datetime | None) -> str:
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(ZoneInfo(settings.timezone)).strftime("%Y-%m-%d %H:%M")


def _labels() -> dict[str, Any]:
    return {
        "state_labels": STATE_LABELS, "move_labels": MOVE_LABELS, "reason_labels": REASON_LABELS,
        "priority_labels": PRIORITY_LABELS, "kind_labels": KIND_LABELS, "party_labels": PARTY_LABELS,
        "share_labels": SHARE_LABELS, "channel_labels": CHANNEL_LABELS,
    }


def _page_number(text: str | None) -> int:
    return int(text) if text and text.isdigit() and len(text) < 5 and int(text) > 0 else 1


# --- The person page's section -------------------------------------------------------------------------------------


def section(session: Session, settings: Settings, actor: Actor, client: Client, request: Request) -> dict[str, Any] | None:
    """The person's referrals (state, priority, outcome when completed) and "Refer" — for those who may refer them.
    Not audited again: the person's page that shows it is audited `client.read`."""
    if not (actor.can("referral.send") or actor.can("person.read")):
        return None
    referrals = [item for item in service.referrals_of_client(session, client.id, limit=20)
                 if item.referring_organisation_id == actor.organisation_id]
    outcomes = service.outcomes_of(session, settings, referrals)
    return {
        "referrals_section": {
            "client_id": client.id,
            "rows": [{"referral": item, "updated_at": _local(settings, item.updated_at), "outcome": outcomes.get(item.id)}
                     for item in referrals],
            "can_refer": service.may_refer(session, actor, client.id),
            "can_open": actor.can("referral.send"),
            "notice": SECTION_DONE.get(request.query_params.get("referral") or ""),
        },
        **_labels(),
    }


# --- A new referral -----------------------------------------------------------------------------------------------


def _search_results(session: Session, request: Request, form: dict[str, Any]) -> tuple[Any, list[dict[str, Any]], list[FieldError]]:
    """The directory's own search (server-side), each result with the id of its service at a location."""
    from carebridge.directory.models import ServiceAtLocation
    from carebridge.directory.search import search_index_for
    from carebridge.plans import service as plans

    search = plans.ServiceSearch(categories=[], language=form.get("language") or None, near=form.get("near") or None,
                                 free=form.get("free") == "1", page=form.get("page") or 1)
    try:
        found = directory_search(session, request, search, form.get("q") or None, search_index_for)
    except InvalidInput as problem:
        return None, [], [FieldError("near" if error.name in ("near", "lat", "lon") else
                                     error.name if error.name in ("q", "language") else "q", error.message, params=error.params)
                          for error in problem.errors]
    pairs = [(result["service_id"], result.get("location_id")) for result in found.results]
    links: dict[tuple[str, str | None], str] = {}
    if pairs:
        rows = session.execute(select(ServiceAtLocation.id, ServiceAtLocation.service_id, ServiceAtLocation.location_id)
                               .where(ServiceAtLocation.service_id.in_({service_id for service_id, _ in pairs}))
                               .order_by(ServiceAtLocation.id)).all()
        for link_id, service_id, location_id in rows:
            links.setdefault((service_id, location_id), link_id)
            links.setdefault((service_id, None), link_id)
    results = []
    for result in found.results:
        link = links.get((result["service_id"], result.get("location_id"))) or links.get((result["service_id"], None))
        if link:
            results.append({**result, "service_at_location_id": link})
    return found, results, []


def directory_search(session: Session, request: Request, search: Any, q: str | None, index_for: Any) -> Any:
    from carebridge.directory import search as directory

    return directory.search_services(session, index_holder=index_for(request.app), q=q, language=search.language,
                                     near=search.near, free=search.free, page=search.page, per_page=10)


def _new_form(request: Request, session: Session, settings: Settings, actor: Actor, client: Client, *,
              values: dict[str, Any], errors: list[FieldError] | None = None, search: dict[str, Any] | None = None,
              status_code: int = 200) -> Response:
    chosen = service.destination(session, values.get("service_at_location_id") or "") \
        if values.get("service_at_location_id") else None
    problems = list(errors or [])
    found, results = None, []
    if search is not None:
        found, results, search_errors = _search_results(session, request, search)
        problems += search_errors
        if search_errors:
            status_code = 422
    has_consent = None
    if chosen is not None:
        shell = Referral(client_id=client.id, receiving_organisation_id=chosen.receiving_organisation_id,
                         directory_organization_id=chosen.organization_id)
        has_consent = service.share_consent(session, shell) is not None
    routes = service.contact_routes(session, client.id)
    return render_staff(
        request,
        "staff/referrals/new.html",
        {
            "client_id": client.id,
            "values": values,
            "errors": form_errors(request, problems),
            "chosen": chosen,
            "receiving_name": service.organisation_name(session, chosen.receiving_organisation_id) if chosen else None,
            "has_consent": has_consent,
            "can_override": actor.can("referral.consent-override"),
            "do_not_contact": client.do_not_contact,
            "routes": [(route.id, route.kind) for route in routes],
            "has_immigration": service.has_immigration_situation(session, client.id),
            "search": search or {},
            "found": found,
            "results": results,
            "kinds": service.KINDS,
            "priorities": service.PRIORITIES,
            "shareable": service.SHAREABLE,
            "limit": service.TEXT_LIMIT,
            **_labels(),
        },
        status_code=status_code,
    )


@router.get("/staff/clients/{client_id}/referrals/new")
def new_referral_page(
    request: Request, session: SessionDep, settings: SettingsDep, actor: Sender, client_id: str,
    service_at_location_id: Annotated[str, Query(max_length=64)] = "",
    kind: Annotated[str, Query(max_length=24)] = "referral",
) -> Response:
    """The form, with a directory service already chosen (`service_at_location_id`) or the search to find one.
    Only ids travel in the URL (social prescribing links here with kind=social-prescribing)."""
    client = clients.find_client(session, actor, client_id, "referral.send")
    values = {"service_at_location_id": service_at_location_id, "kind": kind if kind in service.KINDS else "referral",
              "priority": "routine", "share": ["name", "languages", "reason"]}
    errors = []
    if service_at_location_id and service.destination(session, service_at_location_id) is None:
        values["service_at_location_id"] = ""
        errors.append(FieldError("q", N_("That service is not in the directory any more. Find another one.")))
    return _new_form(request, session, settings, actor, client, values=values, errors=errors,
                     status_code=404 if errors else 200)


@router.post("/staff/clients/{client_id}/referrals/new/search")
async def search_for_referral(request: Request, session: SessionDep, settings: SettingsDep, actor: Sender,
                              client_id: str) -> Response:
    client = clients.find_client(session, actor, client_id, "referral.send")
    form = await request.form(max_part_size=TRANSPORT_LIMIT)
    search = {
        "q": str(form.get("q", "")).strip()[:100],
        "language": str(form.get("language", "")).strip()[:35],
        "near": str(form.get("near", "")).strip()[:80],
        "free": "1" if form.get("free") == "1" else "",
        "page": _page_number(str(form.get("page", "1"))),
    }
    kind = str(form.get("kind", "referral"))
    values = {"service_at_location_id": "", "kind": kind if kind in service.KINDS else "referral", "priority": "routine",
              "share": ["name", "languages", "reason"]}
    return _new_form(request, session, settings, actor, client, values=values, search=search)


def _share_values(form: Any) -> dict[str, Any]:
    return {
        "share": [str(item) for item in form.getlist("share")][:10],
        "channel_id": str(form.get("channel_id", ""))[:64],
        "eligibility_needs_immigration": form.get("eligibility_needs_immigration") == "1",
        "override_reason": str(form.get("override_reason", ""))[:TRANSPORT_LIMIT],
    }


def _send_problem(error: Exception, actor: Actor) -> tuple[list[FieldError], int]:
    if isinstance(error, consent.ConsentRequired):
        return [FieldError("override_reason" if actor.can("referral.consent-override") else "share", NO_CONSENT)], 409
    if isinstance(error, Conflict):
        return [FieldError("version", error.detail or service.STALE)], 409
    assert isinstance(error, InvalidInput)
    return list(error.errors), 422


@router.post("/staff/clients/{client_id}/referrals/new")
async def create_referral(request: Request, session: SessionDep, settings: SettingsDep, actor: Sender,
                          client_id: str) -> Response:
    """Save the referral as a draft (action=draft) or save and send it at once (action=send); a problem with sending
    keeps nothing (the draft too is rolled back) and shows the form again with what was typed."""
    client = clients.find_client(session, actor, client_id, "referral.send")
    form = await request.form(max_part_size=TRANSPORT_LIMIT)
    values = {
        "service_at_location_id": str(form.get("service_at_location_id", ""))[:64],
        "kind": str(form.get("kind", ""))[:24],
        "priority": str(form.get("priority", ""))[:16],
        "reason": str(form.get("reason", ""))[:TRANSPORT_LIMIT],
        "note": str(form.get("note", ""))[:TRANSPORT_LIMIT],
        **_share_values(form),
    }
    sending = form.get("action") != "draft"
    savepoint = session.begin_nested()
    try:
        referral = service.create_referral(
            session, settings, actor, client.id, service_at_location_id=values["service_at_location_id"],
            kind=values["kind"], priority=values["priority"], reason=values["reason"], note=values["note"],
            request_id=request_id(request),
        )
        if sending:
            service.send_referral(
                session, settings, actor, referral.id, version=referral.version, share=values["share"],
                channel_id=values["channel_id"] or None,
                eligibility_needs_immigration=values["eligibility_needs_immigration"],
                override_reason=values["override_reason"], request_id=request_id(request),
            )
    except (InvalidInput, consent.ConsentRequired, Conflict) as problem:
        savepoint.rollback()
        errors, status_code = _send_problem(problem, actor)
        return _new_form(request, session, settings, actor, client, values=values, errors=errors, status_code=status_code)
    savepoint.commit()
    return _see_other(f"/staff/referrals/{referral.id}?done={'sent' if sending else 'draft'}")


# --- Lists (before /staff/referrals/{referral_id}) -------------------------------------------------------------------


def _rows(settings: Settings, listing: service.Listing) -> list[dict[str, Any]]:
    return [
        {
            "id": row.referral.id, "name": row.name, "status": row.referral.status, "priority": row.referral.priority,
            "kind": row.referral.kind, "service_name": row.referral.service_name,
            "organization_name": row.referral.organization_name, "needs_attention": row.needs_attention,
            "contact_prohibited": row.contact_prohibited, "requested_at": _local(settings, row.referral.requested_at),
            "updated_at": _local(settings, row.referral.updated_at), "tracked": row.referral.receiving_organisation_id is None,
        }
        for row in listing.rows
    ]


@router.get("/staff/referrals")
def referrals_sent(
    request: Request, session: SessionDep, settings: SettingsDep, actor: Sender,
    status: Annotated[str, Query(max_length=24)] = "", page: Annotated[str, Query(max_length=6)] = "1",
) -> Response:
    """Referrals of my and my team's people, those needing the referrer first; each person shown audited
    `referral.list`."""
    chosen = status if status in STATE_LABELS else ""
    listing = service.referrals_sent(session, settings, actor, status=chosen or None, page=_page_number(page),
                                     request_id=request_id(request))
    return render_staff(request, "staff/referrals/sent.html", {
        "rows": _rows(settings, listing), "listing": listing, "status": chosen, **_labels()})


@router.get("/staff/referrals/inbox")
def referrals_received(
    request: Request, session: SessionDep, settings: SettingsDep, actor: Receiver,
    page: Annotated[str, Query(max_length=6)] = "1", closed: Annotated[str, Query(max_length=1)] = "",
) -> Response:
    """Referrals sent to my organisation: open ones urgent first, oldest first (or the closed ones, shells only)."""
    listing = service.inbox(session, settings, actor, page=_page_number(page), closed=closed == "1",
                            request_id=request_id(request))
    return render_staff(request, "staff/referrals/inbox.html", {
        "rows": _rows(settings, listing), "listing": listing, "closed": closed == "1", **_labels()})


# --- One referral ---------------------------------------------------------------------------------------------------


def _referral_page(request: Request, session: Session, settings: Settings, actor: Actor, referral_id: str, *,
                   side: Party, values: dict[str, Any] | None = None, errors: list[FieldError] | None = None, failed_move: str | None = None,
                   status_code: int = 200) -> Response:
    view = service.read_referral(session, settings, actor, referral_id, side=side, request_id=request_id(request))
    referral = view.referral
    routes, has_consent = [], None
    if referral.status == State.DRAFT.value and view.referrer_side and view.parties:
        routes = [(route.id, route.kind) for route in service.contact_routes(session, referral.client_id)]
        has_consent = service.share_consent(session, referral) is not None
    translated = form_errors(request, errors or [])
    if failed_move:
        # Each move has its own form: the fields carry the move's name so that their ids stay unique.
        translated = [{**error, "name": f"{error['name']}-{failed_move}"} if error["name"] in ("reason", "words", "outcome")
                      else error for error in translated]
    client = session.get(Client, referral.client_id) if view.referrer_side else None
    return render_staff(
        request,
        "staff/referrals/referral.html",
        {
            "view": view,
            "referral": referral,
            "base": _base(side, referral.id),
            "events": [{**vars(event), "at": _local(settings, event.at)} for event in view.events],
            "dates": {"created_at": _local(settings, referral.created_at), "requested_at": _local(settings, referral.requested_at),
                      "closed_at": _local(settings, referral.closed_at)},
            "errors": translated,
            "values": values or {"share": ["name", "languages", "reason"]},
            "failed_move": failed_move,
            "needs_reason": {state.value for state in NEEDS_REASON},
            "needs_outcome": {state.value for state in NEEDS_OUTCOME},
            "person_reasons": service.PERSON_REASONS,
            "notice": DONE.get(request.query_params.get("done") or ""),
            "routes": routes,
            "has_consent": has_consent,
            "can_override": actor.can("referral.consent-override"),
            "do_not_contact": bool(client and client.do_not_contact),
            "has_immigration": bool(view.referrer_side and service.has_immigration_situation(session, referral.client_id)),
            "shareable": service.SHAREABLE,
            "limit": service.TEXT_LIMIT,
            **_labels(),
        },
        status_code=status_code,
    )


@router.get("/staff/referrals/inbox/{referral_id}")
def received_referral_page(request: Request, session: SessionDep, settings: SettingsDep, actor: Receiver,
                           referral_id: str) -> Response:
    """The receiver's view: the service, the states and history, and only what the referral shares while it is open
    and the consent is in force. Audited `referral.read` on the person."""
    return _referral_page(request, session, settings, actor, referral_id, side=Party.RECEIVER)


@router.post("/staff/referrals/inbox/{referral_id}/move")
def move_received_referral(
    request: Request, session: SessionDep, settings: SettingsDep, actor: Receiver, referral_id: str,
    to: Annotated[str, Form(max_length=24)] = "",
    version: Annotated[str, Form(max_length=10)] = "",
    reason: Annotated[str, Form(max_length=32)] = "",
    words: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    outcome: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
) -> Response:
    return _move(request, session, settings, actor, referral_id, Party.RECEIVER,
                 {"to": to, "version": version, "reason": reason, "words": words, "outcome": outcome})


@router.get("/staff/referrals/{referral_id}")
def referral_page(request: Request, session: SessionDep, settings: SettingsDep, actor: Sender, referral_id: str) -> Response:
    """The referrer's view: everything, with the person's page, the outcome when completed, and the moves the
    referrer may make (a referral tracked by the referrer: the receiver's moves too). Audited `referral.read`."""
    return _referral_page(request, session, settings, actor, referral_id, side=Party.REFERRER)


@router.post("/staff/referrals/{referral_id}/send")
async def send_draft(request: Request, session: SessionDep, settings: SettingsDep, actor: Sender, referral_id: str) -> Response:
    form = await request.form(max_part_size=TRANSPORT_LIMIT)
    values = _share_values(form)
    version = str(form.get("version", ""))
    try:
        service.send_referral(session, settings, actor, referral_id, version=int(version) if version.isdigit() and len(version) < 10 else None,
                              share=values["share"], channel_id=values["channel_id"] or None,
                              eligibility_needs_immigration=values["eligibility_needs_immigration"],
                              override_reason=values["override_reason"], request_id=request_id(request))
    except (InvalidInput, consent.ConsentRequired, Conflict) as problem:
        errors, status_code = _send_problem(problem, actor)
        return _referral_page(request, session, settings, actor, referral_id, side=Party.REFERRER, values=values,
                              errors=errors, status_code=status_code)
    return _see_other(f"/staff/referrals/{referral_id}?done=sent")


@router.post("/staff/referrals/{referral_id}/move")
def move_referral(
    request: Request, session: SessionDep, settings: SettingsDep, actor: Sender, referral_id: str,
    to: Annotated[str, Form(max_length=24)] = "",
    version: Annotated[str, Form(max_length=10)] = "",
    reason: Annotated[str, Form(max_length=32)] = "",
    words: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
    outcome: Annotated[str, Form(max_length=TRANSPORT_LIMIT)] = "",
) -> Response:
    return _move(request, session, settings, actor, referral_id, Party.REFERRER,
                 {"to": to, "version": version, "reason": reason, "words": words, "outcome": outcome})


def _move(request: Request, session: Session, settings: Settings, actor: Actor, referral_id: str, side: Party,
          values: dict[str, str]) -> Response:
    to, version = values["to"], values["version"]
    try:
        service.move(session, settings, actor, referral_id, to, version=int(version) if version.isdigit() else None,
                     reason=values["reason"] or None, words=values["words"], outcome=values["outcome"], side=side,
                     request_id=request_id(request))
    except InvalidInput as problem:
        return _referral_page(request, session, settings, actor, referral_id, side=side, errors=problem.errors,
                              values=values, failed_move=to if to in MOVE_LABELS else None, status_code=422)
    except Conflict as problem:
        return _referral_page(request, session, settings, actor, referral_id, side=side,
                              errors=[FieldError("moves", problem.detail or service.STALE)], values=values, status_code=409)
    return _see_other(f"{_base(side, referral_id)}?done=moved")


def _base(side: Party, referral_id: str) -> str:
    return f"/staff/referrals/inbox/{referral_id}" if side is Party.RECEIVER else f"/staff/referrals/{referral_id}"


# --- The printout for the person ------------------------------------------------------------------------------------


def _print_language(request: Request, languages: list[str]) -> str:
    asked = i18n.language_or_none(request.query_params.get("lang"))
    if asked:
        return asked
    for tag in languages:
        code = i18n.language_or_none(tag.split("-")[0].lower())
        if code:
            return code
    return i18n.negotiate_language(request)


def _place(session: Session, settings: Settings, referral: Referral, lang: str) -> dict[str, Any] | None:
    """Where: the service's address, phones and opening hours from the directory today (confidential places
    redacted by the directory's own view); None when it left the directory."""
    from carebridge.directory import service as directory
    from carebridge.directory.pages import service_view

    record = directory.get_service(session, referral.service_id)
    if record is None:
        return None
    view = service_view(record, lang, settings)
    links = [(item.get("id"), view_place) for item, view_place in zip(record.get("service_at_locations") or [], view["locations"], strict=False)]
    places = [place for link_id, place in links if link_id == referral.service_at_location_id] or view["locations"][:1]
    return {"view": view, "places": places[:1], "phones": view["phones"]}


def _appointment(session: Session, settings: Settings, referral: Referral) -> str | None:
    from carebridge.appointments.models import Appointment

    starts = session.scalar(select(Appointment.starts_at).where(
        Appointment.referral_id == referral.id, Appointment.status == "booked").order_by(Appointment.starts_at).limit(1))
    return _local(settings, starts) if starts else None


@router.get("/staff/referrals/{referral_id}/print")
def print_referral(request: Request, session: SessionDep, settings: SettingsDep, actor: Sender, referral_id: str,
                   lang: Annotated[str, Query(max_length=8)] = "") -> Response:
    """Where, when, in which language and what to bring, in the person's language, emergency numbers first.
    The referrer's side only. Audited `referral.read` and `referral.print`."""
    view = service.read_referral(session, settings, actor, referral_id, side=Party.REFERRER, request_id=request_id(request))
    referral = view.referral
    client = session.get(Client, referral.client_id)
    if client is None:
        raise NotFound(N_("We could not find that referral."))
    profile = clients.open_profile(session, settings, client)
    language = _print_language(request, profile.languages)
    audit.record(session, "referral.print", actor=actor, record_type=clients.RECORD_TYPE, record_id=client.id,
                 request_id=request_id(request))
    from carebridge.directory.pages import _formatting  # noqa: PLC2701 - the finder's date and number formats

    return render(
        request,
        "staff/referrals/print.html",
        {
            "referral": referral,
            "preferred_name": profile.preferred_name,
            "interpreter_needed": profile.interpreter_needed,
            "interpreter_language": profile.interpreter_language or (profile.languages[0] if profile.languages else None),
            "note": view.details.get("note") or "",
            "detail": _place(session, settings, referral, language),
            "appointment": _appointment(session, settings, referral),
            "emergency_numbers": emergency_numbers(client.jurisdiction, settings),
            "languages": i18n.LANGUAGES,
            "printed_on": _today(settings),
            **_formatting(language, settings),
            **_labels(),
        },
        language=language,
    )


def _today(settings: Settings) -> dt.date:
    from carebridge.kit import clock

    return clock.utc_now().astimezone(ZoneInfo(settings.timezone)).date()
