"""The person's page in detail: the contact, notes, duplicates and immigration sections and their forms. POST ->
303 -> the person's page at the section; problems re-show the form (422) with an error summary and what was typed;
no personal data in any URL; scope and permissions checked; pages light and in six languages."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from factories import accounts as account_factories
from factories import clients as factories
from sqlalchemy import select

from carebridge import i18n
from carebridge.clients import contact, notes, sections
from carebridge.clients.models import ClientNote, ContactChannel, ImmigrationSituation
from carebridge.consent import service as consent
from carebridge.consent.models import Consent
from carebridge.kit import clock
from carebridge.web import template_environment



@pytest.fixture
def world(session, app):  # noqa: ANN001, ANN201
    settings = app.state.settings
    worker = factories.caseworker(session)
    person = factories.client(session, settings, worker.actor, preferred_name="Amina")
    session.commit()
    return settings, worker, person


def _location(response) -> str:  # noqa: ANN001
    assert response.status_code == 303, response.text[:500]
    return response.headers["location"]


def _render_sections(session, settings, actor, person, request, language="en") -> str:  # noqa: ANN001
    """What the person's page (clients.pages) does with clients.sections: each provider's context into its partial."""
    import importlib

    env = template_environment(language)
    html = []
    for section in sections.SECTIONS:
        module_name, _, function_name = section.provider.partition(":")
        context = getattr(importlib.import_module(module_name), function_name)(session, settings, actor, person, request)
        if context is not None:
            html.append(env.get_template(section.template).render(
                request=request, settings=settings, lang=language, dir=i18n.direction(language),
                url_with=lambda **changes: "", actor=actor, csrf_token="token", client=person, **context))
    return "\n".join(html)


class _Request:
    """What a provider reads of the request: the query (`done`) and the request id."""

    def __init__(self, query: dict[str, str] | None = None) -> None:
        self.query_params = query or {}
        self.scope: dict = {}
        # The consent, rights and disclosure sections (merged after this test was written) read the CSRF token and the
        # reader's language from the request too.
        self.state = type("State", (), {"csrf_token": "token"})()
        self.cookies: dict = {}
        self.headers: dict = {}


def test_adding_a_channel_posts_then_redirects_to_the_section(client, session, sign_in, world) -> None:  # noqa: ANN001
    settings, worker, person = world
    csrf = sign_in(worker.account)
    form = client.get(f"/staff/clients/{person.id}/contact/new")
    assert form.status_code == 200
    assert 'name="csrf_token"' in form.text and 'name="kind"' in form.text and "<textarea" in form.text
    assert len(form.content) < 100_000
    response = client.post(f"/staff/clients/{person.id}/contact/new", data={
        "csrf_token": csrf, "kind": "phone", "value": "07700 900123", "safe_times": "weekdays\r\nnot evenings"},
        follow_redirects=False)
    location = _location(response)
    assert urlsplit(location).path == f"/staff/clients/{person.id}" and location.endswith("?done=channel-added#contact")
    assert "7700" not in location
    session.expire_all()
    [channel] = session.scalars(select(ContactChannel).where(ContactChannel.client_id == person.id)).all()
    [view] = contact.list_channels(session, settings, worker.actor, person)
    assert view.safe_times == "weekdays\nnot evenings"
    # Changing it: the form shows what it says now; removing it.
    edit = client.get(f"/staff/clients/{person.id}/contact/{channel.id}")
    assert "+44 7700 900123" in edit.text and "weekdays" in edit.text
    changed = client.post(f"/staff/clients/{person.id}/contact/{channel.id}", data={
        "csrf_token": csrf, "value": "07700 900999"}, follow_redirects=False)
    assert _location(changed).endswith("done=channel-changed#contact")
    removed = client.post(f"/staff/clients/{person.id}/contact/{channel.id}/remove", data={"csrf_token": csrf},
                          follow_redirects=False)
    assert _location(removed).endswith("done=channel-removed#contact")
    session.expire_all()
    assert session.scalars(select(ContactChannel).where(ContactChannel.client_id == person.id)).all() == []


def test_a_bad_channel_re_shows_the_form_with_its_errors_and_what_was_typed(client, session, sign_in, world) -> None:  # noqa: ANN001
    _, worker, person = world
    csrf = sign_in(worker.account)
    response = client.post(f"/staff/clients/{person.id}/contact/new", data={
        "csrf_token": csrf, "kind": "phone", "value": "call me", "safe_times": "x" * 501})
    assert response.status_code == 422
    assert 'class="error-summary"' in response.text
    assert 'href="#value"' in response.text and 'href="#safe_times"' in response.text
    assert 'value="call me"' in response.text
    no_kind = client.post(f"/staff/clients/{person.id}/contact/new", data={"csrf_token": csrf})
    assert no_kind.status_code == 422 and 'href="#kind"' in no_kind.text


def test_do_not_contact_is_set_and_cleared_from_the_page(client, session, sign_in, world) -> None:  # noqa: ANN001
    _, worker, person = world
    csrf = sign_in(worker.account)
    response = client.post(f"/staff/clients/{person.id}/do-not-contact", data={"csrf_token": csrf, "flag": "set"},
                           follow_redirects=False)
    assert _location(response).endswith("done=dnc-set#contact")
    session.expire_all()
    assert session.get(type(person), person.id).do_not_contact is True
    client.post(f"/staff/clients/{person.id}/do-not-contact", data={"csrf_token": csrf, "flag": "clear"})
    session.expire_all()
    assert session.get(type(person), person.id).do_not_contact is False
    assert client.post(f"/staff/clients/{person.id}/do-not-contact", data={"csrf_token": csrf, "flag": "x"}).status_code == 422


def test_a_note_with_line_breaks_is_added_from_its_form(client, session, sign_in, world) -> None:  # noqa: ANN001
    settings, worker, person = world
    csrf = sign_in(worker.account)
    form = client.get(f"/staff/clients/{person.id}/notes/new")
    assert form.status_code == 200 and "cannot be changed or deleted" in form.text
    response = client.post(f"/staff/clients/{person.id}/notes/new", data={
        "csrf_token": csrf, "body": "First line\r\nSecond line", "sensitivity": "sensitive"}, follow_redirects=False)
    assert _location(response).endswith("done=note-added#notes")
    session.expire_all()
    [note] = session.scalars(select(ClientNote).where(ClientNote.client_id == person.id)).all()
    assert note.sensitivity == "sensitive"
    too_long = client.post(f"/staff/clients/{person.id}/notes/new", data={
        "csrf_token": csrf, "body": "x" * 10_001, "sensitivity": "normal"})
    assert too_long.status_code == 422 and 'href="#body"' in too_long.text


def test_someone_outside_the_scope_gets_404_and_a_reader_403(client, session, sign_in, world) -> None:  # noqa: ANN001
    _, worker, person = world
    stranger = factories.caseworker(session)
    receptionist = account_factories.account(session, roles=("receptionist",), organisation_=worker.organisation)
    session.commit()
    csrf = sign_in(stranger.account)
    assert client.get(f"/staff/clients/{person.id}/contact/new").status_code == 404
    assert client.post(f"/staff/clients/{person.id}/notes/new", data={"csrf_token": csrf, "body": "x",
                                                                     "sensitivity": "normal"}).status_code == 404
    sign_in(receptionist)
    assert client.get(f"/staff/clients/{person.id}/notes/new").status_code == 403


def _immigration_consent(session, client_id: str) -> None:  # noqa: ANN001
    session.add(Consent(client_id=client_id, purpose=consent.IMMIGRATION_SITUATION, method="spoken",
                        explanation_version="1", explanation_language="en", given_at=clock.utc_now()))
    session.commit()


def test_the_immigration_form_needs_consent_and_a_jurisdiction_where_it_matters(client, session, sign_in, world) -> None:  # noqa: ANN001
    _, worker, person = world
    csrf = sign_in(worker.account)
    path = f"/staff/clients/{person.id}/immigration-situation"
    without = client.get(path)
    assert without.status_code == 200 and "has not agreed" in without.text and 'name="status"' not in without.text
    refused = client.post(path, data={"csrf_token": csrf, "status": "undocumented"})
    assert refused.status_code == 409 and 'class="error-summary"' in refused.text
    _immigration_consent(session, person.id)
    form = client.get(path)
    assert 'name="status"' in form.text
    saved = client.post(path, data={"csrf_token": csrf, "status": "asylum-seeker"}, follow_redirects=False)
    assert _location(saved).endswith("done=immigration-saved#immigration")
    session.expire_all()
    assert session.get(ImmigrationSituation, person.id) is not None
    bad = client.post(path, data={"csrf_token": csrf, "status": "nonsense"})
    assert bad.status_code == 422 and 'href="#status"' in bad.text
    removed = client.post(f"{path}/remove", data={"csrf_token": csrf}, follow_redirects=False)
    assert _location(removed).endswith("done=immigration-removed#immigration")
    session.expire_all()
    assert session.get(ImmigrationSituation, person.id) is None
    # Where the rules do not depend on it, the form says so and keeps nothing, consent or not.
    person = session.get(type(person), person.id)
    person.jurisdiction = "DE"
    session.commit()
    assert "do not depend on the immigration situation" in client.get(path).text
    assert client.post(path, data={"csrf_token": csrf, "status": "asylum-seeker"}).status_code == 409
    session.expire_all()
    assert session.get(ImmigrationSituation, person.id) is None


def test_deciding_a_duplicate_from_the_page(client, session, sign_in, world) -> None:  # noqa: ANN001
    settings, worker, person = world
    twin = factories.client(session, settings, worker.actor, preferred_name="Amina K.")
    for record in (person, twin):
        contact.add_channel(session, settings, worker.actor, record.id, contact.ChannelInput("phone", value="07700 900123"))
    session.commit()
    csrf = sign_in(worker.account)
    response = client.post(f"/staff/clients/{person.id}/duplicates/{twin.id}",
                           data={"csrf_token": csrf, "decision": "same-person"}, follow_redirects=False)
    assert _location(response).endswith("done=linked#duplicates")
    assert client.post(f"/staff/clients/{person.id}/duplicates/{twin.id}",
                       data={"csrf_token": csrf, "decision": "merge"}).status_code == 422


def test_the_sections_render_what_each_reader_may_see(session, app, world) -> None:  # noqa: ANN001
    settings, worker, person = world
    phone = contact.add_channel(session, settings, worker.actor, person.id, contact.ChannelInput(
        "phone", value="07700 900123", safe_times="weekdays\nnever evenings"))
    session.add(Consent(client_id=person.id, purpose=consent.REMINDERS, channel_id=phone.id, method="spoken",
                        explanation_version="1", explanation_language="en", given_at=clock.utc_now()))
    contact.set_do_not_contact(session, worker.actor, person.id, True)
    notes.add_note(session, settings, worker.actor, person.id, "Normal note\nline two", "normal")
    with clock.pinned(clock.utc_now() + dt.timedelta(minutes=1)):
        notes.add_note(session, settings, worker.actor, person.id, "SENSITIVE-MARKER", "sensitive")
    twin = factories.client(session, settings, worker.actor, preferred_name="Twin record")
    contact.add_channel(session, settings, worker.actor, twin.id, contact.ChannelInput("sms", value="+447700900123"))
    html = _render_sections(session, settings, worker.actor, person, _Request({"done": "note-added"}))
    assert 'id="do-not-contact"' in html and "+44 7700 900123" in html
    assert "never evenings" in html and "weekdays<" in html.replace("</bdi>", "<")
    assert "SENSITIVE-MARKER" in html and "Normal note" in html
    assert html.index("SENSITIVE-MARKER") < html.index("Normal note")  # newest first
    assert "The note was saved." in html
    assert "Twin record" in html and "Same phone number" in html and 'value="same-person"' in html
    assert "Immigration situation" in html
    # A receptionist of the organisation reads the record but not the sensitive note, and changes nothing.
    receptionist = factories.caseworker(session, roles=("receptionist",), organisation_=worker.organisation)
    other = _render_sections(session, settings, receptionist.actor, person, _Request())
    assert "SENSITIVE-MARKER" not in other and "1 sensitive note you cannot read." in other
    assert "Normal note" in other and 'method="post"' not in other and "/contact/new" not in other


@pytest.mark.parametrize("language", sorted(i18n.LANGUAGES))
def test_the_forms_and_sections_in_every_language(client, session, sign_in, world, language) -> None:  # noqa: ANN001
    settings, worker, person = world
    sign_in(worker.account)
    for path in ("contact/new", "notes/new", "immigration-situation"):
        page = client.get(f"/staff/clients/{person.id}/{path}", params={"lang": language})
        assert page.status_code == 200, path
        assert f'<html lang="{language}" dir="{i18n.direction(language)}"' in page.text
        assert len(page.content) < 100_000
    html = _render_sections(session, settings, worker.actor, person, _Request(), language)
    assert re.search(r'<section class="client-section" id="contact"', html)
