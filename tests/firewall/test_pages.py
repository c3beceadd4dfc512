"""The register's pages, without JavaScript: forms post then redirect (303), problems re-show the form (422) with an
error summary and what was typed, only random ids in URLs, and each page only for its permission."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from factories import accounts
from factories import clients as client_factories
from sqlalchemy import select

from carebridge.config import Settings
from carebridge.kit import clock
from carebridge.firewall.models import DisclosureRequest


@pytest.fixture
def world(session):
    settings = Settings()
    worker = client_factories.caseworker(session)
    organisation = worker.organisation
    admin_one = accounts.account(session, roles=("administrator",), organisation_=organisation, name="Ada One")
    admin_two = accounts.account(session, roles=("administrator",), organisation_=organisation, name="Bo Two")
    manager = accounts.account(session, roles=("service-manager",), organisation_=organisation, name="Mo Manager")
    planner = accounts.account(session, roles=("planner",), organisation_=organisation, name="Pat Planner")
    person = client_factories.client(session, settings, worker.actor, preferred_name="Zahra Pagemarker")
    session.commit()
    return {"worker": worker.account, "admin_one": admin_one, "admin_two": admin_two, "manager": manager,
            "planner": planner, "person": person}


FORM = {
    "requester_kind": "police",
    "requester": "DC Wordmarker",
    "reference": "REF-77",
    "asked_for": "Where the person lives",
    "legal_basis": "None given on the phone",
    "received_on": "2026-11-22",
}


def _entry(session, entry_id):
    session.expire_all()
    return session.scalar(select(DisclosureRequest).where(DisclosureRequest.id == entry_id))


def test_record_propose_confirm_end_to_end_with_two_administrators(client, session, sign_in, world):
    csrf = sign_in(world["admin_one"])
    register = client.get("/staff/disclosure-requests")
    assert register.status_code == 200 and "No request has been recorded." in register.text
    form = client.get("/staff/disclosure-requests/new")
    assert form.status_code == 200 and 'name="client_id"' not in form.text  # an administrator cannot link
    created = client.post("/staff/disclosure-requests/new", data={**FORM, "csrf_token": csrf}, follow_redirects=False)
    assert created.status_code == 303
    location = created.headers["location"]
    assert re.fullmatch(r"/staff/disclosure-requests/[0-9a-f-]{36}\?done=recorded", location), location
    entry_id = location.split("/")[-1].split("?")[0]
    page = client.get(location)
    assert page.status_code == 200 and "DC Wordmarker" in page.text and "Where the person lives" in page.text
    register = client.get("/staff/disclosure-requests")
    assert f"/staff/disclosure-requests/{entry_id}" in register.text
    assert "DC Wordmarker" not in register.text  # details only on the entry's own page

    proposed = client.post(
        f"/staff/disclosure-requests/{entry_id}/propose",
        data={"decision": "refuse", "reason": "No legal basis", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert proposed.status_code == 303
    page = client.get(proposed.headers["location"])
    assert "Another administrator must confirm it." in page.text and 'action="/staff/disclosure-requests/' + entry_id + '/confirm"' not in page.text
    forced = client.post(
        f"/staff/disclosure-requests/{entry_id}/confirm", data={"answer": "confirm", "csrf_token": csrf}, follow_redirects=False
    )
    assert forced.status_code == 403 and "error-summary" in forced.text
    assert _entry(session, entry_id).status == "proposed"

    csrf = sign_in(world["admin_two"])
    page = client.get(f"/staff/disclosure-requests/{entry_id}")
    assert f'action="/staff/disclosure-requests/{entry_id}/confirm"' in page.text
    unanswered = client.post(f"/staff/disclosure-requests/{entry_id}/confirm", data={"csrf_token": csrf})
    assert unanswered.status_code == 422 and 'href="#answer"' in unanswered.text
    confirmed = client.post(
        f"/staff/disclosure-requests/{entry_id}/confirm", data={"answer": "confirm", "csrf_token": csrf}, follow_redirects=False
    )
    assert confirmed.status_code == 303
    assert _entry(session, entry_id).status == "refused"


def test_bad_input_reshows_the_form_with_an_error_summary_and_what_was_typed(client, session, sign_in, world):
    csrf = sign_in(world["admin_one"])
    response = client.post(
        "/staff/disclosure-requests/new",
        data={**FORM, "requester_kind": "", "requester": "Kept Typed", "received_on": "2026-13-01",
              "asked_for": "x" * 2001, "csrf_token": csrf},
    )
    assert response.status_code == 422
    for field in ("requester_kind", "received_on", "asked_for"):
        assert f'href="#{field}"' in response.text
    assert 'value="Kept Typed"' in response.text
    assert session.scalar(select(DisclosureRequest.id)) is None


def test_immigration_enforcement_can_only_be_refused_and_the_page_says_why(client, session, sign_in, world):
    csrf = sign_in(world["admin_one"])
    created = client.post(
        "/staff/disclosure-requests/new",
        data={**FORM, "requester_kind": "immigration-enforcement", "csrf_token": csrf},
        follow_redirects=False,
    )
    entry_id = created.headers["location"].split("/")[-1].split("?")[0]
    page = client.get(f"/staff/disclosure-requests/{entry_id}")
    assert "never discloses anything to immigration enforcement" in page.text
    assert 'value="disclose"' not in page.text and 'value="refuse"' in page.text
    refused = client.post(
        f"/staff/disclosure-requests/{entry_id}/propose",
        data={"decision": "disclose", "reason": "They insist", "csrf_token": csrf},
    )
    assert refused.status_code == 422 and "never discloses anything to immigration enforcement" in refused.text
    assert _entry(session, entry_id).status == "received"


def test_a_service_manager_links_the_person_and_the_caseworker_records_telling(client, session, sign_in, world, fixed_clock):
    person = world["person"]
    csrf = sign_in(world["admin_one"])
    created = client.post("/staff/disclosure-requests/new", data={**FORM, "csrf_token": csrf}, follow_redirects=False)
    entry_id = created.headers["location"].split("/")[-1].split("?")[0]
    assert "client_id" not in client.get(f"/staff/disclosure-requests/{entry_id}").text

    csrf = sign_in(world["manager"])
    page = client.get(f"/staff/disclosure-requests/{entry_id}")
    assert 'name="client_id"' in page.text and 'value="refuse"' not in page.text  # links, never decides
    wrong = client.post(f"/staff/disclosure-requests/{entry_id}/person", data={"client_id": "nobody", "csrf_token": csrf})
    assert wrong.status_code == 422 and 'href="#client_id"' in wrong.text and 'value="nobody"' in wrong.text
    linked = client.post(
        f"/staff/disclosure-requests/{entry_id}/person", data={"client_id": person.id, "csrf_token": csrf},
        follow_redirects=False,
    )
    assert linked.status_code == 303
    page = client.get(linked.headers["location"])
    assert "The person has not been told yet" in page.text
    assert "Zahra Pagemarker" not in page.text
    assert client.post(f"/staff/disclosure-requests/{entry_id}/propose", data={"decision": "refuse", "reason": "x",
                                                                            "csrf_token": csrf}).status_code == 403

    csrf = sign_in(world["worker"])
    # The caseworker may record requests (disclosure.record), but sees only those they recorded themselves.
    assert client.get(f"/staff/disclosure-requests/{entry_id}").status_code == 404
    assert entry_id not in client.get("/staff/disclosure-requests").text
    told_url = f"/staff/clients/{person.id}/disclosure-requests/{entry_id}/told"
    form = client.get(told_url)
    assert form.status_code == 200 and "a request for disclosure about this person was received" in form.text
    bad = client.post(told_url, data={"told_on": "2026-11-30", "csrf_token": csrf})
    assert bad.status_code == 422 and 'href="#told_on"' in bad.text and 'value="2026-11-30"' in bad.text
    told = client.post(told_url, data={"told_on": "2026-11-23", "csrf_token": csrf}, follow_redirects=False)
    assert told.status_code == 303 and told.headers["location"] == f"/staff/clients/{person.id}?done=disclosure-told"
    assert _entry(session, entry_id).person_told_at is not None

    with clock.pinned(fixed_clock + dt.timedelta(minutes=2)):  # a new second-factor code: the last one is spent
        sign_in(world["manager"])
        assert "Date the person was told:" in client.get(f"/staff/disclosure-requests/{entry_id}").text


def test_each_page_needs_its_permission(client, session, sign_in, world):
    sign_in(world["planner"])
    assert client.get("/staff/disclosure-requests").status_code == 403
    assert client.get("/staff/reports").status_code == 200
    sign_in(world["worker"])
    assert client.get("/staff/reports").status_code == 403
    assert client.get("/api/v1/reports/caseload").status_code == 403
    sign_in(None)
    assert client.get("/staff/disclosure-requests", follow_redirects=False).status_code == 303
    assert client.get("/api/v1/reports/caseload").status_code == 401


def test_the_person_page_section_says_only_that_a_request_arrived(session, world, app):
    from carebridge.firewall import pages, service
    from carebridge.web import template_environment

    settings = Settings()
    manager = accounts.actor_for(world["manager"])
    worker = accounts.actor_for(world["worker"])
    person = world["person"]
    assert pages.disclosure_section(session, settings, worker, person, None) is None
    service.record_request(
        session, settings, manager,
        service.RequestInput("police", "DC Sectionmarker", asked_for="Everything", client_id=person.id),
    )
    gagged = service.record_request(
        session, settings, manager,
        service.RequestInput("court", "Judge Secretmarker", asked_for="Everything", client_id=person.id,
                             court_order_claimed=True, court_order_reference="ORDER-1"),
    )
    # A court order claimed by whoever recorded the request keeps nothing from the person.
    context = pages.disclosure_section(session, settings, worker, person, None)
    assert context is not None and len(context["disclosure_entries"]) == 2
    until = clock.today(settings.timezone) + dt.timedelta(days=30)
    service.propose_gag(session, settings, accounts.actor_for(world["admin_one"]), gagged.id, "ORDER-1", until)
    assert len(pages.disclosure_section(session, settings, worker, person, None)["disclosure_entries"]) == 2
    service.confirm_gag(session, settings, accounts.actor_for(world["admin_two"]), gagged.id)
    context = pages.disclosure_section(session, settings, worker, person, None)
    assert context is not None and len(context["disclosure_entries"]) == 1
    html = template_environment("en").get_template("staff/clients/sections/disclosure.html").render(**context)
    assert "a request for disclosure about this person was received" in html and "Tell them." in html and "/told" in html
    assert "Sectionmarker" not in html and "Secretmarker" not in html and "Everything" not in html
    arabic = template_environment("ar").get_template("staff/clients/sections/disclosure.html").render(**context)
    assert "/told" in arabic


def test_the_court_order_through_the_pages_claim_propose_confirm_and_the_persons_report(
    client, session, sign_in, world, fixed_clock
):
    person = world["person"]
    csrf = sign_in(world["worker"])  # a caseworker records it, claiming a court order
    missing = client.post(
        "/staff/disclosure-requests/new",
        data={**FORM, "requester_kind": "court", "court_order": "1", "client_id": person.id, "csrf_token": csrf},
    )
    assert missing.status_code == 422 and 'href="#court_order_reference"' in missing.text
    assert 'value="DC Wordmarker"' in missing.text
    created = client.post(
        "/staff/disclosure-requests/new",
        data={**FORM, "requester_kind": "court", "court_order": "1", "court_order_reference": "ORD-PAGEMARK",
              "client_id": person.id, "csrf_token": csrf},
        follow_redirects=False,
    )
    assert created.status_code == 303
    entry_id = created.headers["location"].split("/")[-1].split("?")[0]
    page = client.get(f"/staff/disclosure-requests/{entry_id}")
    assert "Until two administrators confirm it, the person is told." in page.text
    assert "/court-order" not in page.text  # the recorder cannot gag
    assert client.post(f"/staff/disclosure-requests/{entry_id}/court-order",
                       data={"court_order_reference": "X", "gag_until": "2026-12-20", "csrf_token": csrf}).status_code == 403
    report = client.get(f"/staff/clients/{person.id}/seen-by?language=ar")
    assert report.status_code == 200 and 'id="seen-by-requests-title"' in report.text
    assert 'id="disclosure-title"' in client.get(f"/staff/clients/{person.id}").text

    with clock.pinned(fixed_clock + dt.timedelta(minutes=2)):
        csrf = sign_in(world["admin_one"])
        page = client.get(f"/staff/disclosure-requests/{entry_id}")
        assert f'action="/staff/disclosure-requests/{entry_id}/court-order"' in page.text and "ORD-PAGEMARK" in page.text
        bad = client.post(f"/staff/disclosure-requests/{entry_id}/court-order",
                          data={"court_order_reference": "ORD-PAGEMARK", "gag_until": "2026-11-01", "csrf_token": csrf})
        assert bad.status_code == 422 and 'href="#gag_until"' in bad.text and 'value="2026-11-01"' in bad.text
        proposed = client.post(f"/staff/disclosure-requests/{entry_id}/court-order",
                               data={"court_order_reference": "ORD-PAGEMARK", "gag_until": "2026-12-20",
                                     "csrf_token": csrf}, follow_redirects=False)
        assert proposed.status_code == 303 and proposed.headers["location"].endswith("?done=gag-proposed")
        assert "You proposed the court order." in client.get(proposed.headers["location"]).text
        alone = client.post(f"/staff/disclosure-requests/{entry_id}/court-order/confirm",
                            data={"gag_answer": "confirm", "csrf_token": csrf})
        assert alone.status_code == 403 and "error-summary" in alone.text
        assert _entry(session, entry_id).gag_status == "proposed"

    with clock.pinned(fixed_clock + dt.timedelta(minutes=4)):
        csrf = sign_in(world["admin_two"])
        offered = client.get(f"/staff/disclosure-requests/{entry_id}").text
        assert f'action="/staff/disclosure-requests/{entry_id}/court-order/confirm"' in offered
        assert 'id="gag_answer-confirm" name="gag_answer"' in offered and 'id="gag_answer-send-back"' in offered
        unanswered = client.post(f"/staff/disclosure-requests/{entry_id}/court-order/confirm", data={"csrf_token": csrf})
        assert unanswered.status_code == 422 and 'href="#gag_answer"' in unanswered.text
        assert 'aria-describedby="gag_answer-error"' in unanswered.text
        confirmed = client.post(f"/staff/disclosure-requests/{entry_id}/court-order/confirm",
                                data={"gag_answer": "confirm", "csrf_token": csrf}, follow_redirects=False)
        assert confirmed.status_code == 303
        assert _entry(session, entry_id).gag_status == "confirmed"
        assert "A court order forbids telling the person. Until:" in client.get(f"/staff/disclosure-requests/{entry_id}").text

    with clock.pinned(fixed_clock + dt.timedelta(minutes=6)):
        sign_in(world["worker"])
        report = client.get(f"/staff/clients/{person.id}/seen-by")
        assert report.status_code == 200 and 'id="seen-by-requests-title"' not in report.text
        assert "Recorded a request from outside" not in report.text
        assert 'id="disclosure-title"' not in client.get(f"/staff/clients/{person.id}").text
