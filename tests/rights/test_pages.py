"""The rights pages through the real sign-in: who has seen a record (in the person's language, printable), the copy
(POST, attachment, never cached), erasing (the word typed), bad input as 422 with an error summary, scope as 404."""

from __future__ import annotations

import json
import re

import pytest
from factories import audit as audit_factories
from factories import clients as client_factories
from factories import rights as factories
from sqlalchemy import select

from carebridge.audit.models import AuditEvent
from carebridge.clients.models import Client
from carebridge.config import Settings
from carebridge.kit import clock
from carebridge.rights import pages


@pytest.fixture(autouse=True)
def _catalogs(compiled_catalogs):
    return compiled_catalogs


@pytest.fixture
def team(session):  # noqa: ANN001, ANN201
    settings = Settings()
    worker = client_factories.caseworker(session)
    manager = client_factories.caseworker(session, roles=("service-manager",), organisation_=worker.organisation)
    record = factories.full_record(session, settings, worker.actor, name="Amina Marker-Name")
    session.commit()
    return {"worker": worker, "manager": manager, "record": record, "id": record.client.id}


def _actions(session, client_id):  # noqa: ANN001, ANN202
    session.expire_all()
    return session.scalars(
        select(AuditEvent.action).where(AuditEvent.record_type == "client", AuditEvent.record_id == client_id)
        .order_by(AuditEvent.seq)
    ).all()


def test_who_has_seen_shows_the_history_in_the_persons_language_and_is_itself_audited(client, session, team):
    audit_factories.sign_in_as(client, team["worker"].actor)
    response = client.get(f"/staff/clients/{team['id']}/seen-by")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    # The person's first language is Arabic (ar-SY): the report is in Arabic, right to left, the page around it not.
    assert '<html lang="en" dir="ltr">' in response.text
    assert re.search(r'<section class="seen-by-report" lang="ar" dir="rtl"', response.text)
    assert "Created the record." not in response.text
    assert team["worker"].account.name in response.text
    assert "client.seen-by" in _actions(session, team["id"])

    english = client.get(f"/staff/clients/{team['id']}/seen-by", params={"language": "en"})
    assert english.status_code == 200
    assert 'lang="en" dir="ltr" aria-labelledby="seen-by-title"' in english.text
    assert "Created the record." in english.text and "Looked at who has seen the record." in english.text
    assert "Amina Marker-Name" in english.text
    assert len(english.content) < 100_000


def test_a_language_the_interface_does_not_have_is_a_422_with_an_error_summary(client, team):
    audit_factories.sign_in_as(client, team["worker"].actor)
    response = client.get(f"/staff/clients/{team['id']}/seen-by", params={"language": "xx"})
    assert response.status_code == 422
    assert 'class="error-summary"' in response.text and 'href="#language"' in response.text


def test_scope_and_permission(client, session, team):
    stranger = client_factories.caseworker(session, organisation_=team["worker"].organisation)
    planner = client_factories.caseworker(session, roles=("planner",), organisation_=team["worker"].organisation)
    session.commit()
    audit_factories.sign_in_as(client, stranger.actor)
    for path in ("seen-by", "export"):
        assert client.get(f"/staff/clients/{team['id']}/{path}").status_code == 404
    assert client.get(f"/staff/clients/{team['id']}/erase").status_code == 403
    audit_factories.sign_in_as(client, planner.actor)
    assert client.get(f"/staff/clients/{team['id']}/seen-by").status_code == 403


def test_the_copy_is_confirmed_then_posted_and_comes_back_as_an_attachment_never_cached(client, session, team):
    token = audit_factories.sign_in_as(client, team["worker"].actor)
    page = client.get(f"/staff/clients/{team['id']}/export")
    assert page.status_code == 200
    assert "sensitive notes too" in page.text
    assert '<option value="ar" lang="ar" dir="rtl" selected>' in page.text
    # Showing the person's name on the confirmation page is a read of the record.
    assert _actions(session, team["id"])[-1] == "client.read"

    response = client.post(
        f"/staff/clients/{team['id']}/export", data={"format": "json", "language": "en", "csrf_token": token}
    )
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["content-disposition"] == f'attachment; filename="carebridge-record-{team["id"]}.json"'
    document = json.loads(response.content)
    assert document["format"] == "carebridge.client-export"
    assert [note["text"] for note in document["notes"]] == ["Met at the clinic marker-note", "Trauma history marker-sensitive"]
    assert _actions(session, team["id"])[-1] == "client.export"

    pdf = client.post(f"/staff/clients/{team['id']}/export", data={"format": "pdf", "language": "ar", "csrf_token": token})
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert pdf.headers["cache-control"] == "no-store"


def test_a_bad_choice_shows_the_form_again_with_what_was_chosen(client, session, team):
    token = audit_factories.sign_in_as(client, team["worker"].actor)
    response = client.post(
        f"/staff/clients/{team['id']}/export", data={"format": "docx", "language": "zz", "csrf_token": token}
    )
    assert response.status_code == 422
    assert 'href="#format"' in response.text and 'href="#language"' in response.text
    assert "client.export" not in _actions(session, team["id"])
    # Without the form token nothing is made.
    assert client.post(f"/staff/clients/{team['id']}/export", data={"format": "json", "language": "en"}).status_code == 403


def test_erasing_needs_the_word_then_the_record_is_gone(client, session, team):
    token = audit_factories.sign_in_as(client, team["manager"].actor)
    page = client.get(f"/staff/clients/{team['id']}/erase")
    assert page.status_code == 200 and "Nobody can bring it back" in page.text
    assert _actions(session, team["id"])[-1] == "client.read"
    wrong = client.post(f"/staff/clients/{team['id']}/erase", data={"confirm": "yes", "csrf_token": token})
    assert wrong.status_code == 422
    assert 'href="#confirm"' in wrong.text and 'value="yes"' in wrong.text
    session.expire_all()
    assert session.get(Client, team["id"]) is not None

    done = client.post(
        f"/staff/clients/{team['id']}/erase", data={"confirm": "erase", "csrf_token": token}, follow_redirects=False
    )
    assert done.status_code == 303 and done.headers["location"] == "/staff/rights/erased"
    assert client.get("/staff/rights/erased").status_code == 200
    session.expire_all()
    assert session.get(Client, team["id"]) is None
    assert _actions(session, team["id"])[-1] == "client.erase"
    assert client.get(f"/staff/clients/{team['id']}/seen-by").status_code == 404


def test_closed_records_waiting_to_be_erased_are_listed_for_their_caseworker(client, session, team):
    import datetime as dt

    record = session.get(Client, team["id"])
    factories.close(record, erase_after=clock.utc_now() + dt.timedelta(days=12))
    session.commit()
    audit_factories.sign_in_as(client, team["worker"].actor)
    response = client.get("/staff/rights/erasing-soon")
    assert response.status_code == 200
    assert "Amina Marker-Name" in response.text and "5 December 2026" in response.text
    assert _actions(session, team["id"])[-1] == "client.list"


def test_the_person_page_section_links_by_permission_and_says_when_a_closed_record_is_erased(app, session, team):
    import datetime as dt

    from starlette.requests import Request

    from carebridge.web import template_environment

    record = session.get(Client, team["id"])
    factories.close(record, erase_after=dt.datetime(2027, 1, 10, 12, tzinfo=dt.UTC))
    request = Request({"type": "http", "method": "GET", "path": "/", "headers": [], "query_string": b"", "app": app})
    settings = Settings()
    for who, erase_link in ((team["worker"], False), (team["manager"], True)):
        context = pages.section(session, settings, who.actor, record, request)
        html = template_environment("en").get_template("staff/clients/sections/rights.html").render(**context)
        assert f'/staff/clients/{team["id"]}/seen-by' in html
        assert (f'/staff/clients/{team["id"]}/erase' in html) is erase_link
        assert "Date it will be erased:" in html and "10 January 2027" in html
    planner = client_factories.caseworker(session, roles=("planner",))
    assert pages.section(session, settings, planner.actor, record, request) is None


def _rows(html: str) -> int:
    return len(re.findall(r"<tr><td><time ", html))


def test_the_whole_history_prints_on_one_page_in_the_persons_language_and_says_it_is_whole(client, session, team):
    audit_factories.events(session, 150, "client.read", record_type="client", record_id=team["id"],
                           account_id=team["worker"].account.id)
    session.commit()
    audit_factories.sign_in_as(client, team["worker"].actor)
    paged = client.get(f"/staff/clients/{team['id']}/seen-by", params={"language": "en"})
    assert _rows(paged.text) == 100  # the page: a hundred at a time
    assert f'href="/staff/clients/{team["id"]}/seen-by/print?language=en"' in paged.text

    total = len(_actions(session, team["id"]))
    response = client.get(f"/staff/clients/{team['id']}/seen-by/print", params={"language": "en"})
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    assert _rows(response.text) == total > 150
    assert f"This printout lists {total} events." in response.text
    assert "It holds the whole history of the record." in response.text
    assert "Older events are on the next page." not in response.text
    assert "client.seen-by" in _actions(session, team["id"])[total:]

    arabic = client.get(f"/staff/clients/{team['id']}/seen-by/print")
    assert re.search(r'<section class="seen-by-report" lang="ar" dir="rtl"', arabic.text)


def test_a_history_longer_than_a_printout_says_how_many_are_left_out_and_links_the_rest(client, session, team, monkeypatch):
    audit_factories.events(session, 30, "client.read", record_type="client", record_id=team["id"],
                           account_id=team["worker"].account.id)
    session.commit()
    monkeypatch.setattr(pages.service, "SEEN_BY_PRINT_LIMIT", 20)
    total = len(_actions(session, team["id"]))
    audit_factories.sign_in_as(client, team["worker"].actor)
    first = client.get(f"/staff/clients/{team['id']}/seen-by/print", params={"language": "en"})
    assert _rows(first.text) == 20
    assert f"{total - 20} older events are not on it." in first.text
    found = re.search(r'href="(/staff/clients/[^"]+/seen-by/print\?language=en&amp;before=\d+)"', first.text)
    assert found, "the printout of the next part is linked"
    second = client.get(found.group(1).replace("&amp;", "&"))
    assert _rows(second.text) == total - 20
    assert "It holds the whole history of the record." not in second.text  # the older part: no "whole" claim
    assert "older events are not on it" not in second.text
    assert "It holds the oldest events of the record." in second.text
