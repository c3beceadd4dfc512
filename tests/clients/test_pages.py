"""The staff pages of people's records through the real app: signed in, CSRF, scope, POST-redirect-GET, errors."""

from __future__ import annotations

import re

import pytest
from factories import audit as audit_factories
from factories import clients as factories

from carebridge.clients import sections, service
from carebridge.clients.models import Client


@pytest.fixture(autouse=True)
def _catalogs(compiled_catalogs):
    return compiled_catalogs


@pytest.fixture
def world(app, session):
    settings = app.state.settings
    worker = factories.caseworker(session)
    client = factories.client(session, settings, worker.actor, preferred_name="Amina Test", languages=["prs", "fa"])
    session.commit()
    return {"settings": settings, "worker": worker, "client": client}


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _form(html: str, **changes) -> dict:
    """The edit form's values as a browser would send them, with changes."""
    data: dict = {}
    for match in re.finditer(r'<input[^>]*name="([^"]+)"[^>]*>', html):
        tag = match.group(0)
        value = re.search(r'value="([^"]*)"', tag)
        if 'type="checkbox"' in tag or 'type="radio"' in tag:
            if " checked" in tag:
                data.setdefault(match.group(1), []).append(value.group(1))
        else:
            data[match.group(1)] = value.group(1) if value else ""
    for match in re.finditer(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        selected = re.search(r'<option value="([^"]*)" selected', match.group(2))
        first = re.search(r'<option value="([^"]*)"', match.group(2))
        data[match.group(1)] = (selected or first).group(1) if (selected or first) else ""
    data.update(changes)
    return data


def test_the_caseload_lists_my_people_and_audits_each_row(app, client, session, world):
    audit_factories.sign_in_as(client, world["worker"].actor)
    response = client.get("/staff/clients")
    assert response.status_code == 200
    assert "Amina Test" in response.text and f'/staff/clients/{world["client"].id}' in response.text
    assert "client.list" in factories.audit_actions(session, world["client"].id)
    assert len(response.content) < 100_000


def test_a_bad_filter_is_an_error_summary_not_a_crash(app, client, world):
    audit_factories.sign_in_as(client, world["worker"].actor)
    response = client.get("/staff/clients", params={"status": "deleted"})
    assert response.status_code == 422
    assert 'href="#status"' in response.text and 'id="status"' in response.text


def test_adding_a_person_redirects_to_their_page_which_is_audited(app, client, session, world):
    token = audit_factories.sign_in_as(client, world["worker"].actor)
    page = client.get("/staff/clients/new")
    assert page.status_code == 200
    response = client.post(
        "/staff/clients/new",
        data=_form(page.text, csrf_token=token, preferred_name="Олена", languages=["uk"], birth_year="1980"),
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text[:500]
    location = response.headers["location"]
    assert re.fullmatch(r"/staff/clients/[0-9a-f-]{36}\?done=created", location)
    assert "Олена" not in location
    shown = client.get(location)
    assert "Олена" in shown.text and "The record was created." in shown.text
    client_id = location.split("/")[-1].split("?")[0]
    assert factories.audit_actions(session, client_id) == ["client.create", "client.read"]


def test_a_bad_form_is_shown_again_with_what_was_typed_and_an_error_summary(app, client, world):
    token = audit_factories.sign_in_as(client, world["worker"].actor)
    page = client.get("/staff/clients/new")
    response = client.post(
        "/staff/clients/new",
        data=_form(page.text, csrf_token=token, preferred_name="Kept name", birth_date="2001-02-30", languages_other="zz-ZZ"),
    )
    assert response.status_code == 422
    assert 'href="#birth_date"' in response.text and 'href="#languages"' in response.text
    assert 'value="Kept name"' in response.text and 'value="zz-ZZ"' in response.text


def test_editing_with_a_stale_version_is_409_and_keeps_what_was_typed(app, client, session, world):
    token = audit_factories.sign_in_as(client, world["worker"].actor)
    record = world["client"]
    page = client.get(f"/staff/clients/{record.id}/edit")
    assert page.status_code == 200 and 'value="Amina Test"' in page.text
    first = client.post(f"/staff/clients/{record.id}/edit", data=_form(page.text, csrf_token=token, preferred_name="First"), follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"].endswith("?done=updated")
    stale = client.post(f"/staff/clients/{record.id}/edit", data=_form(page.text, csrf_token=token, preferred_name="Second"))
    assert stale.status_code == 409
    assert "Someone else changed this record" in stale.text and 'value="Second"' in stale.text
    # The form now carries the current version: saving again after checking applies.
    again = client.post(f"/staff/clients/{record.id}/edit", data=_form(stale.text, csrf_token=token), follow_redirects=False)
    assert again.status_code == 303
    session.expire_all()
    kept = session.get(Client, record.id)
    assert service.open_profile(session, world["settings"], kept).preferred_name == "Second" and kept.version == 3


def test_contact_attention_close_and_reopen_from_the_persons_page(app, client, session, world):
    token = audit_factories.sign_in_as(client, world["worker"].actor)
    path = f"/staff/clients/{world['client'].id}"
    for action, data, done in (
        ("contact-made", {}, "contact"),
        ("needs-attention", {"flag": "1"}, "flagged"),
        ("close", {}, "not-confirmed"),
        ("close", {"confirmed": "yes"}, "closed"),
        ("reopen", {}, "reopened"),
    ):
        response = client.post(f"{path}/{action}", data={"csrf_token": token, **data}, follow_redirects=False)
        assert (response.status_code, response.headers["location"]) == (303, f"{path}?done={done}")
    actions = factories.audit_actions(session, world["client"].id)
    for action in ("client.contact-made", "client.attention", "client.close", "client.reopen"):
        assert action in actions


def test_without_the_form_token_a_change_is_refused(app, client, world):
    audit_factories.sign_in_as(client, world["worker"].actor)
    response = client.post(f"/staff/clients/{world['client'].id}/contact-made", data={}, follow_redirects=False)
    assert response.status_code in (400, 403)


def test_another_teams_worker_gets_404_and_a_receptionist_cannot_change(app, client, session, world):
    other = factories.caseworker(session, organisation_=world["worker"].organisation)
    receptionist = factories.member(session, world["worker"], roles=("receptionist",))
    session.commit()
    audit_factories.sign_in_as(client, other.actor)
    assert client.get(f"/staff/clients/{world['client'].id}").status_code == 404
    assert client.get("/staff/clients/not-a-record").status_code == 404
    token = audit_factories.sign_in_as(client, receptionist.actor)
    page = client.get(f"/staff/clients/{world['client'].id}")
    assert page.status_code == 200 and "/contact-made" not in page.text
    assert client.post(f"/staff/clients/{world['client'].id}/contact-made", data={"csrf_token": token}).status_code == 403


def test_do_not_contact_is_a_banner_and_fictional_records_say_so(app, client, session, world):
    record = session.get(Client, world["client"].id)
    record.do_not_contact = True
    record.fictional = True
    session.commit()
    audit_factories.sign_in_as(client, world["worker"].actor)
    page = client.get(f"/staff/clients/{record.id}")
    assert 'class="do-not-contact" role="alert"' in page.text
    assert page.text.index("do-not-contact") < page.text.index("<h1>")
    assert "Fictional (demo)" in page.text
    listing = client.get("/staff/clients")
    assert "Do not contact" in listing.text and "Fictional (demo)" in listing.text


def test_the_pages_are_right_to_left_in_arabic_and_small(app, client, world):
    audit_factories.sign_in_as(client, world["worker"].actor)
    for path in ("/staff/clients", f"/staff/clients/{world['client'].id}", f"/staff/clients/{world['client'].id}/edit", "/staff/clients/new"):
        response = client.get(path, params={"lang": "ar"})
        assert response.status_code == 200, path
        assert '<html lang="ar" dir="rtl">' in response.text
        assert len(response.content) < 100_000
        assert "<script" not in response.text


def test_the_sections_are_rendered_in_order_when_their_provider_gives_a_context(app, client, world, monkeypatch):
    calls = []

    def shown(session, settings, actor, record, request):
        calls.append(("shown", record.id, actor.account_id))
        return {}

    def hidden(session, settings, actor, record, request):
        calls.append(("hidden", record.id, actor.account_id))
        return None

    module = __import__(__name__, fromlist=["x"])
    monkeypatch.setattr(module, "section_shown", shown, raising=False)
    monkeypatch.setattr(module, "section_hidden", hidden, raising=False)
    monkeypatch.setattr(
        sections,
        "SECTIONS",
        (
            sections.Section("one", "staff/clients/_form.html", f"{__name__}:section_shown"),
            sections.Section("two", "staff/clients/_form.html", f"{__name__}:section_hidden"),
        ),
    )
    audit_factories.sign_in_as(client, world["worker"].actor)
    assert client.get(f"/staff/clients/{world['client'].id}").status_code == 200
    assert [call[0] for call in calls] == ["shown", "hidden"]
    assert calls[0][1:] == (world["client"].id, world["worker"].actor.account_id)


def test_no_personal_data_in_any_url_of_the_pages(app, client, world):
    audit_factories.sign_in_as(client, world["worker"].actor)
    for path in ("/staff/clients", f"/staff/clients/{world['client'].id}"):
        html = client.get(path).text
        for url in re.findall(r'(?:href|action)="([^"]+)"', html):
            assert "Amina" not in url
