"""The consent pages: recording (with an error summary), withdrawing (one POST, confirmed), the printable explanation
in six languages, queuing a reminder, the person page's section, and scope (outside it: 404)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from carebridge.audit.models import AuditEvent
from carebridge.clients.models import Client
from carebridge.config import Settings
from carebridge.consent import explanations
from carebridge.consent import service as consent
from carebridge.i18n import LANGUAGES
from carebridge.jobs.models import Job
from factories import audit as audit_factories
from factories import clients
from factories import consent as consents

SETTINGS = Settings()
NAME = "Zarghuna Marker-7Q"


@pytest.fixture(autouse=True)
def _catalogs(compiled_catalogs):  # noqa: ANN001, ANN202
    return compiled_catalogs


@pytest.fixture
def setup(session):  # noqa: ANN001, ANN201
    worker = clients.caseworker(session)
    person = clients.client(session, SETTINGS, worker.actor, preferred_name=NAME)
    sms = consents.channel(session, SETTINGS, person, safe_times="weekdays 10-12 only")
    session.commit()
    return worker, person, sms


def _person_page(client_id: str, notice: str) -> str:
    return f"/staff/clients/{client_id}?consent={notice}#consent"


def test_recording_consent_redirects_to_the_person_page(client, session, setup) -> None:  # noqa: ANN001
    worker, person, sms = setup
    token = audit_factories.sign_in_as(client, worker.actor)
    page = client.get(f"/staff/clients/{person.id}/consent/new?purpose=reminders")
    assert page.status_code == 200
    assert 'value="reminders" checked' in page.text and f'value="{sms.id}"' in page.text
    response = client.post(
        f"/staff/clients/{person.id}/consent/new",
        data={
            "csrf_token": token, "purpose": "reminders", "method": "interpreter", "interpreter_language": "prs",
            "explanation_language": "fa", "explanation_version": explanations.CURRENT, "channel_id": sms.id,
            "organisation": worker.organisation.id,  # left chosen in the form: counts only for share
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == _person_page(person.id, "given")
    session.expire_all()
    given = consent.active_consent(session, person.id, consent.REMINDERS, channel_id=sms.id)
    assert (given.method, given.interpreter_language, given.explanation_language) == ("interpreter", "prs", "fa")


def test_a_form_with_problems_is_shown_again_with_an_error_summary(client, session, setup) -> None:  # noqa: ANN001
    worker, person, _ = setup
    token = audit_factories.sign_in_as(client, worker.actor)
    response = client.post(
        f"/staff/clients/{person.id}/consent/new",
        data={"csrf_token": token, "purpose": "share", "method": "interpreter", "interpreter_language": "not a tag!",
              "explanation_language": "en", "explanation_version": explanations.CURRENT},
        follow_redirects=False,
    )
    assert response.status_code == 422
    assert 'class="error-summary"' in response.text
    for field in ("organisation", "interpreter_language"):
        assert f'href="#{field}"' in response.text
    assert 'value="not a tag!"' in response.text
    assert consent.consents_of(session, person.id) == []


def test_withdrawing_needs_the_box_ticked_and_then_ends_the_consent(client, session, setup) -> None:  # noqa: ANN001
    worker, person, _ = setup
    given = consents.given(session, worker.actor, person, consent.STATISTICS)
    session.commit()
    token = audit_factories.sign_in_as(client, worker.actor)
    url = f"/staff/clients/{person.id}/consent/{given.id}/withdraw"
    response = client.post(url, data={"csrf_token": token}, follow_redirects=False)
    assert response.headers["location"] == _person_page(person.id, "not-confirmed")
    session.expire_all()
    assert consent.active_consent(session, person.id, consent.STATISTICS) is not None
    response = client.post(url, data={"csrf_token": token, "confirm": "yes"}, follow_redirects=False)
    assert response.headers["location"] == _person_page(person.id, "withdrawn")
    session.expire_all()
    assert consent.active_consent(session, person.id, consent.STATISTICS) is None


def test_a_consent_is_withdrawn_only_through_its_own_persons_path(client, session, setup) -> None:  # noqa: ANN001
    worker, person, _ = setup
    other = clients.client(session, SETTINGS, worker.actor)
    given = consents.given(session, worker.actor, person, consent.STATISTICS)
    session.commit()
    token = audit_factories.sign_in_as(client, worker.actor)
    response = client.post(
        f"/staff/clients/{other.id}/consent/{given.id}/withdraw", data={"csrf_token": token, "confirm": "yes"},
        follow_redirects=False,
    )
    assert response.status_code == 404


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_the_explanation_is_printable_in_each_language_without_the_persons_name(client, session, setup, language: str) -> None:  # noqa: ANN001
    worker, person, _ = setup
    audit_factories.sign_in_as(client, worker.actor)
    for purpose in consent.PURPOSES:
        page = client.get(f"/staff/clients/{person.id}/consent/explanation?purpose={purpose}&lang={language}")
        assert page.status_code == 200
        assert f'lang="{language}"' in page.text
        assert explanations.CURRENT in page.text
        assert NAME not in page.text
        assert worker.organisation.name in page.text
        assert "css/consent.css" in page.text
    events = session.scalars(
        select(AuditEvent.action).where(AuditEvent.record_type == "client", AuditEvent.record_id == person.id)
    ).all()
    assert events.count("consent.explanation.read") == len(consent.PURPOSES)


def test_an_unknown_purpose_is_a_422_not_a_500(client, session, setup) -> None:  # noqa: ANN001
    worker, person, _ = setup
    audit_factories.sign_in_as(client, worker.actor)
    assert client.get(f"/staff/clients/{person.id}/consent/explanation?purpose=everything").status_code == 422
    assert client.get(f"/staff/clients/{person.id}/consent/explanation?version=1999").status_code == 422


def test_a_reminder_is_queued_from_the_page_and_refused_when_contact_is_not_allowed(client, session, setup) -> None:  # noqa: ANN001
    worker, person, sms = setup
    consents.given(session, worker.actor, person, consent.CONTACT, channel_id=sms.id)
    session.commit()
    token = audit_factories.sign_in_as(client, worker.actor)
    url = f"/staff/clients/{person.id}/reminders"
    response = client.post(url, data={"csrf_token": token, "channel_id": sms.id}, follow_redirects=False)
    assert response.headers["location"] == _person_page(person.id, "reminder-queued")
    assert session.scalar(select(Job.payload).where(Job.kind == "notify.person")) == {
        "client_id": person.id, "channel_id": sms.id, "reason": "please-contact",
    }
    session.get(Client, person.id).do_not_contact = True
    session.commit()
    response = client.post(url, data={"csrf_token": token, "channel_id": sms.id}, follow_redirects=False)
    assert response.headers["location"] == _person_page(person.id, "contact-not-allowed")
    assert len(session.scalars(select(Job.id).where(Job.kind == "notify.person")).all()) == 1


def test_outside_scope_every_page_is_not_found(client, session, setup) -> None:  # noqa: ANN001
    worker, person, sms = setup
    given = consents.given(session, worker.actor, person, consent.STATISTICS)
    stranger = clients.caseworker(session)
    session.commit()
    token = audit_factories.sign_in_as(client, stranger.actor)
    assert client.get(f"/staff/clients/{person.id}/consent/new").status_code == 404
    assert client.get(f"/staff/clients/{person.id}/consent/explanation").status_code == 404
    for url, data in (
        (f"/staff/clients/{person.id}/consent/new", {"purpose": "statistics", "method": "spoken"}),
        (f"/staff/clients/{person.id}/consent/{given.id}/withdraw", {"confirm": "yes"}),
        (f"/staff/clients/{person.id}/reminders", {"channel_id": sms.id}),
    ):
        assert client.post(url, data={"csrf_token": token, **data}, follow_redirects=False).status_code == 404


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_section_shows_consents_and_the_reminder_form(session, setup, language: str) -> None:  # noqa: ANN001
    from types import SimpleNamespace

    from carebridge.clients.sections import SECTIONS
    from carebridge.consent import pages
    from carebridge.web import template_environment

    worker, person, sms = setup
    consents.given(session, worker.actor, person, consent.CONTACT, channel_id=sms.id, method="written")
    withdrawn = consents.given(session, worker.actor, person, consent.STATISTICS)
    consent.withdraw_consent(session, worker.actor, withdrawn.id)
    [entry] = [item for item in SECTIONS if item.name == "consent"]
    assert entry.provider == "carebridge.consent.pages:section"
    request = SimpleNamespace(query_params={"consent": "given"}, state=SimpleNamespace(csrf_token="token-1"))
    context = pages.section(session, SETTINGS, worker.actor, person, request)
    env = template_environment(language)
    for wrapped in (context, {"section": context}):  # however the person page passes it
        html = env.get_template(entry.template).render(lang=language, **wrapped)
        assert 'id="consent"' in html
        assert f'action="/staff/clients/{person.id}/reminders"' in html
        assert "weekdays 10-12 only" in html  # safe times shown to the sender
        assert f"/consent/{withdrawn.id}/withdraw" not in html
        assert len(re.findall(r'/withdraw"', html)) == 1
        assert 'name="csrf_token" value="token-1"' in html
    person.do_not_contact = True
    html = env.get_template(entry.template).render(lang=language, **pages.section(session, SETTINGS, worker.actor, person, request))
    assert f'action="/staff/clients/{person.id}/reminders"' not in html
