"""The audit trail page: scope, filters, keyset pages, the e-mail lookup that never puts an address in a URL, and
reading it is itself audited."""

import re

import pytest
from factories import accounts as account_factories
from factories import audit as factories
from sqlalchemy import select

from carebridge.audit import service
from carebridge.audit.models import AuditEvent


@pytest.fixture(autouse=True)
def _catalogs(compiled_catalogs):
    return compiled_catalogs


@pytest.fixture
def two_organisations(session):
    """A service manager in organisation A; events by A's staff and by B's staff."""
    org_a = account_factories.organisation(session)
    org_b = account_factories.organisation(session)
    manager = factories.actor(session, roles=("service-manager",), organisation_=org_a, name="Maya Manager")
    worker_a = factories.actor(session, roles=("link-worker",), organisation_=org_a, name="Ali Worker")
    worker_b = factories.actor(session, roles=("link-worker",), organisation_=org_b, name="Bea Other")
    service.record(session, "person.read", actor=worker_a, record_type="person", record_id="p-a")
    service.record(session, "person.read", actor=worker_b, record_type="person", record_id="p-b")
    session.commit()
    return {"manager": manager, "worker_a": worker_a, "worker_b": worker_b, "org_a": org_a, "org_b": org_b}


def _rows(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    return re.findall(r"<tr>(.*?)</tr>", body, re.S)


def test_a_service_manager_sees_only_their_organisations_events_with_names(app, client, two_organisations):
    factories.sign_in_as(client, two_organisations["manager"])
    response = client.get("/staff/audit")
    assert response.status_code == 200
    rows = _rows(response.text)
    assert rows, "the table lists events"
    assert any("Ali Worker" in row and "p-a" in row for row in rows)
    assert not any("p-b" in row or "Bea Other" in row for row in rows)
    assert "Verify the chain" in response.text
    # The staff to pick from are their organisation's, by id.
    assert f'<option value="{two_organisations["worker_a"].account_id}">Ali Worker</option>' in response.text
    assert two_organisations["worker_b"].account_id not in response.text


def test_an_administrator_with_read_all_sees_every_organisation(app, client, session, two_organisations):
    admin = factories.actor(session, roles=("administrator",), organisation_=two_organisations["org_a"])
    session.commit()
    factories.sign_in_as(client, admin)
    rows = _rows(client.get("/staff/audit").text)
    assert any("p-a" in row for row in rows) and any("p-b" in row for row in rows)
    only_b = _rows(client.get("/staff/audit", params={"organisation_id": two_organisations["org_b"].id}).text)
    assert only_b and all("p-a" not in row for row in only_b)


def test_a_service_manager_cannot_widen_their_scope_with_the_organisation_filter(app, client, two_organisations):
    factories.sign_in_as(client, two_organisations["manager"])
    rows = _rows(client.get("/staff/audit", params={"organisation_id": two_organisations["org_b"].id}).text)
    assert not any("p-b" in row for row in rows)
    assert any("p-a" in row for row in rows)


def test_a_role_without_the_permission_gets_403(app, client, two_organisations):
    factories.sign_in_as(client, two_organisations["worker_a"])
    assert client.get("/staff/audit").status_code == 403


def test_filters_by_account_action_record_and_dates(app, client, session, two_organisations):
    factories.sign_in_as(client, two_organisations["manager"])
    worker = two_organisations["worker_a"]
    by_account = _rows(client.get("/staff/audit", params={"account_id": worker.account_id}).text)
    assert by_account and all("Ali Worker" in row for row in by_account)
    by_record = _rows(client.get("/staff/audit", params={"record_type": "person", "record_id": "p-a"}).text)
    assert len(by_record) == 1
    by_action = _rows(client.get("/staff/audit", params={"action": "account.create"}).text)
    assert by_action and all("account.create" in row for row in by_action)
    today = _rows(client.get("/staff/audit", params={"date_from": "2026-11-23", "date_to": "2026-11-23"}).text)
    assert today
    assert _rows(client.get("/staff/audit", params={"date_from": "2026-11-24"}).text) == []
    assert _rows(client.get("/staff/audit", params={"date_to": "2026-11-22"}).text) == []


def test_a_bad_date_is_an_error_summary_not_a_crash(app, client, two_organisations):
    factories.sign_in_as(client, two_organisations["manager"])
    response = client.get("/staff/audit", params={"date_from": "23/11/2026"})
    assert response.status_code == 422
    assert "There is a problem" in response.text and 'href="#date_from"' in response.text


def test_pages_go_back_by_sequence_number(app, client, session, two_organisations, monkeypatch):
    monkeypatch.setattr(service, "PAGE_SIZE", 2)
    session.info["audit_stripes"] = 3  # spread over stripes (on PostgreSQL): the page is still in order
    factories.events(session, 5, commit_each=True, account_id=two_organisations["worker_a"].account_id,
                     organisation_id=two_organisations["org_a"].id)
    factories.sign_in_as(client, two_organisations["manager"])
    seen: list[str] = []
    # The manager's own (real) sign-in is a sign-in.success too: the account filter leaves it out.
    url = f"/staff/audit?action=sign-in.success&account_id={two_organisations['worker_a'].account_id}"
    pages = 0
    while url:
        html = client.get(url).text
        rows = _rows(html)
        assert 0 < len(rows) <= 2
        seen.extend(re.search(r"request-\d", row).group(0) for row in rows)
        older = re.search(r'href="(/staff/audit\?[^"]*before=\d+[^"]*)">Older events', html)
        url = older.group(1).replace("&amp;", "&") if older else None
        pages += 1
    assert pages == 3
    assert seen == [f"request-{n}" for n in (4, 3, 2, 1, 0)]


def test_finding_staff_by_email_redirects_with_the_account_id_only(app, client, session, two_organisations):
    from carebridge.accounts import service as accounts

    csrf = factories.sign_in_as(client, two_organisations["manager"])
    email = accounts.account_by_id(session, two_organisations["worker_a"].account_id).email
    response = client.post("/staff/audit", data={"email": email.upper(), "csrf_token": csrf}, follow_redirects=False)
    assert response.status_code == 303
    location = response.headers["location"]
    assert location == f"/staff/audit?account_id={two_organisations['worker_a'].account_id}"
    assert "@" not in location and "%40" not in location


def test_an_email_outside_the_organisation_is_the_same_as_an_unknown_one(app, client, session, two_organisations):
    from carebridge.accounts import service as accounts

    csrf = factories.sign_in_as(client, two_organisations["manager"])
    outsider = accounts.account_by_id(session, two_organisations["worker_b"].account_id).email
    for email in (outsider, "nobody@example.org"):
        response = client.post("/staff/audit", data={"email": email, "csrf_token": csrf}, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/staff/audit?not_found=1"
    assert "There is no member of staff with that e-mail address" in client.get("/staff/audit?not_found=1").text


def test_reading_the_page_is_itself_audited(app, client, session, two_organisations):
    manager = two_organisations["manager"]
    factories.sign_in_as(client, manager)
    before = service.latest_seq(session)
    assert client.get("/staff/audit").status_code == 200
    session.expire_all()
    reads = session.scalars(select(AuditEvent).where(AuditEvent.seq > before)).all()
    assert [(e.action, e.account_id, e.organisation_id) for e in reads] == [
        ("audit.read", manager.account_id, manager.organisation_id)
    ]
    assert reads[0].request_id
    assert service.verify(session).ok


def test_the_page_is_right_to_left_in_arabic(app, client, two_organisations):
    factories.sign_in_as(client, two_organisations["manager"])
    response = client.get("/staff/audit", params={"lang": "ar"})
    assert response.status_code == 200
    assert '<html lang="ar" dir="rtl">' in response.text


def test_the_page_is_small_and_loads_nothing_inline(app, client, session, two_organisations):
    factories.events(session, 60, account_id=two_organisations["worker_a"].account_id,
                     organisation_id=two_organisations["org_a"].id)
    session.commit()
    factories.sign_in_as(client, two_organisations["manager"])
    response = client.get("/staff/audit")
    assert len(_rows(response.text)) == service.PAGE_SIZE
    assert len(response.content) <= 100_000
    assert "<style" not in response.text and "<script" not in response.text
    assert "/static/css/audit.css" in response.text
    assert client.get("/static/css/audit.css").status_code == 200


def test_the_page_shows_the_head_to_keep_and_it_verifies(app, client, session, two_organisations):
    session.info["audit_stripes"] = 3
    factories.events(session, 4, commit_each=True, account_id=two_organisations["worker_a"].account_id,
                     organisation_id=two_organisations["org_a"].id)
    factories.sign_in_as(client, two_organisations["manager"])
    session.expire_all()
    head = service.head(session)  # the page's own read is recorded after it computed the head
    html = client.get("/staff/audit").text
    assert f'<code class="audit-hash" dir="ltr">{head}</code>' in html
    session.expire_all()
    assert service.verify(session, expect_head=head).ok
