"""The request guard on a real staff form (new person): a control character is still refused (422, nothing saved),
but the page names the field, shows what was typed without the control characters (HTML-escaped), carries the form
token and posts to the same address, so sending it again saves it. The JSON API keeps its problem document."""

from __future__ import annotations

import html
import re

import pytest
from factories import audit as audit_factories
from factories import clients as factories
from sqlalchemy import func, select

from carebridge.clients.models import Client


@pytest.fixture(autouse=True)
def _catalogs(compiled_catalogs):
    return compiled_catalogs


@pytest.fixture
def worker(session):
    worker = factories.caseworker(session)
    session.commit()
    return worker


def _form(page: str, **changes) -> dict:
    """The new-person form's fields as a browser sends them (text inputs, checked boxes, selects), with changes."""
    data: dict = {}
    for match in re.finditer(r'<input[^>]*name="([^"]+)"[^>]*>', page):
        tag = match.group(0)
        value = re.search(r'value="([^"]*)"', tag)
        if 'type="checkbox"' in tag or 'type="radio"' in tag:
            if " checked" in tag:
                data.setdefault(match.group(1), []).append(value.group(1))
        else:
            data[match.group(1)] = html.unescape(value.group(1)) if value else ""
    for match in re.finditer(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', match.group(2)) or re.search(
            r'<option value="([^"]*)"', match.group(2)
        )
        data[match.group(1)] = chosen.group(1) if chosen else ""
    data.update(changes)
    return data


def _shown_again(page: str) -> list[tuple[str, str]]:
    """What the refused page's form would send: its hidden fields and text boxes, in order."""
    form = re.search(r'<form method="post" action="([^"]+)"[^>]*>(.*?)</form>', page, re.S)
    assert form is not None
    fields = [(name, html.unescape(value)) for name, value in re.findall(
        r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form.group(2))]
    fields += [(html.unescape(name), html.unescape(value)) for name, value in re.findall(
        r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form.group(2), re.S)]
    return fields


def _people(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(Client))


@pytest.mark.parametrize("character", ["\x07", "\x00", "\x1b", "\x85"])
def test_a_control_character_in_the_new_person_form_keeps_what_was_typed(client, session, worker, character):
    token = audit_factories.sign_in_as(client, worker.actor)
    page = client.get("/staff/clients/new")
    before = _people(session)
    typed = f"Amina{character} <b>Guardmarker</b>"
    refused = client.post("/staff/clients/new", data=_form(page.text, csrf_token=token, preferred_name=typed,
                                                           languages=["fa"], birth_year="1990"))
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("text/html")
    assert refused.headers["cache-control"] == "no-store"
    assert _people(session) == before  # still refused: nothing saved
    text = refused.text
    assert 'class="error-summary"' in text and 'href="#preferred_name"' in text and "preferred name" in text
    assert 'id="preferred_name"' in text and 'aria-invalid="true"' in text
    assert "Amina &lt;b&gt;Guardmarker&lt;/b&gt;" in text and "<b>Guardmarker" not in text  # escaped
    assert character not in text
    assert 'action="/staff/clients/new"' in text and f'name="csrf_token" value="{token}"' in text
    again = _shown_again(text)
    assert ("preferred_name", "Amina <b>Guardmarker</b>") in again and ("languages", "fa") in again
    assert ("birth_year", "1990") in again
    # Sending it again saves it, as typed less the invisible character.
    saved = client.post("/staff/clients/new", content=_urlencode(again),
                        headers={"content-type": "application/x-www-form-urlencoded"}, follow_redirects=False)
    assert saved.status_code == 303, saved.text[:800]
    assert _people(session) == before + 1


def _urlencode(fields: list[tuple[str, str]]) -> bytes:
    from urllib.parse import urlencode

    return urlencode(fields).encode()


def test_only_the_fields_that_held_one_are_named(client, session, worker):
    token = audit_factories.sign_in_as(client, worker.actor)
    page = client.get("/staff/clients/new")
    refused = client.post("/staff/clients/new", data=_form(
        page.text, csrf_token=token, preferred_name="Fine name", gender="wo\x0bman", languages=["fa"]))
    assert refused.status_code == 422
    summary = re.search(r'<ul class="error-summary__list">(.*?)</ul>', refused.text, re.S).group(1)
    assert re.findall(r'href="#([^"]+)"', summary) == ["gender"]
    assert "Fine name" in refused.text and "woman" in refused.text


def test_the_page_is_in_the_users_language(client, session, worker):
    token = audit_factories.sign_in_as(client, worker.actor)
    page = client.get("/staff/clients/new")
    refused = client.post("/staff/clients/new?lang=ar", data=_form(page.text, csrf_token=token, preferred_name="a\x07"))
    assert refused.status_code == 422
    assert '<html lang="ar" dir="rtl"' in refused.text
    assert 'action="/staff/clients/new?lang=ar"' in refused.text


def test_a_form_that_cannot_be_decoded_gets_the_plain_error_page(client, session, worker):
    token = audit_factories.sign_in_as(client, worker.actor)
    refused = client.post("/staff/clients/new", content=f"csrf_token={token}&preferred_name=%07&x=%zz".encode(),
                          headers={"content-type": "application/x-www-form-urlencoded"})
    assert refused.status_code == 422 and "<textarea" not in refused.text and "error-summary" in refused.text


def test_the_json_api_still_answers_a_problem_naming_the_pointer(client, session, worker):
    audit_factories.sign_in_as(client, worker.actor)
    response = client.post("/api/v1/clients", json={"preferred_name": "Amina\u0007Marker", "languages": ["fa"]})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert [error["name"] for error in body["errors"]] == ["preferred_name"]
    assert "Amina" not in response.text


@pytest.mark.parametrize("path, secret", [("/staff/sign-in", "password"), ("/staff/sign-in/code", "code")])
def test_a_password_or_a_code_is_never_shown_again(client, path: str, secret: str):
    """The sign-in form refused for an invisible character: the e-mail comes back, the password (or the one-time
    code) does not — not in the page, not in a value — only an empty box to type it into again."""
    typed = "Marker-Secret-4471\x07"
    refused = client.post(path, data={"email": "worker@example.org", secret: typed, "csrf_token": "x"})
    assert refused.status_code == 422
    assert "Marker-Secret-4471" not in refused.text
    box = re.search(rf'<input[^>]*name="{secret}"[^>]*>', refused.text)
    assert box is not None and 'type="password"' in box.group(0) and 'value=' not in box.group(0)
    assert 'autocomplete="off"' in box.group(0)
    if path == "/staff/sign-in":
        assert "worker@example.org" in refused.text
