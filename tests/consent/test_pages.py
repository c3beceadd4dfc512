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


def test_the_explanation_opens_in_the_persons_language_with_a_switcher(client, session) -> None:  # noqa: ANN001
    """A Dari speaker's explanation opened by an English-speaking worker is in Dari's nearest interface language
    (fa), not in English; ?lang= switches it, and the switcher keeps the purpose."""
    worker = clients.caseworker(session)
    person = clients.client(session, SETTINGS, worker.actor, languages=["prs", "en"])
    session.commit()
    audit_factories.sign_in_as(client, worker.actor)
    url = f"/staff/clients/{person.id}/consent/explanation?purpose=contact"
    page = client.get(url, headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert '<html lang="fa" dir="rtl">' in page.text
    assert f"/staff/clients/{person.id}/consent/explanation?purpose=contact&amp;lang=ar" in page.text
    assert 'class="no-print language-switcher"' in page.text  # the printout layout, its switcher not printed
    assert 'aria-current="true"' in page.text
    english = client.get(url + "&lang=en")
    assert '<html lang="en" dir="ltr">' in english.text
    assert "Contacting you" in english.text
    # A language the interface does not have falls back to the person's, never a 500.
    assert '<html lang="fa"' in client.get(url + "&lang=xx").text


def test_the_form_and_the_section_default_to_the_persons_language(client, session) -> None:  # noqa: ANN001
    worker = clients.caseworker(session)
    person = clients.client(session, SETTINGS, worker.actor, languages=["ar-SY"])
    session.commit()
    audit_factories.sign_in_as(client, worker.actor)
    form = client.get(f"/staff/clients/{person.id}/consent/new?purpose=case-work", headers={"Accept-Language": "en"})
    assert '<option value="ar" lang="ar" selected>' in form.text
    assert "consent/explanation?purpose=case-work&amp;lang=ar" in form.text
    page = client.get(f"/staff/clients/{person.id}", headers={"Accept-Language": "en"})
    assert f"/staff/clients/{person.id}/consent/explanation?lang=ar" in page.text


def test_the_contact_section_shows_each_channels_consent_with_a_link_to_record_or_withdraw(client, session) -> None:  # noqa: ANN001
    worker = clients.caseworker(session)
    person = clients.client(session, SETTINGS, worker.actor)
    phone = consents.channel(session, SETTINGS, person, "phone", "+447700900456", safe_times="after 6pm")
    organisation = consents.channel(session, SETTINGS, person, "organisation", "Harbour Centre")
    in_person = consents.channel(session, SETTINGS, person, "in-person")
    given = consents.given(session, worker.actor, person, consent.CONTACT, channel_id=phone.id)
    session.commit()
    token = audit_factories.sign_in_as(client, worker.actor)
    page = client.get(f"/staff/clients/{person.id}")
    assert f'href="#consent-{given.id}"' in page.text and f'id="consent-{given.id}"' in page.text
    record = f"/staff/clients/{person.id}/consent/new?purpose=contact&amp;channel_id={organisation.id}"
    assert record in page.text
    assert f"channel_id={in_person.id}" not in page.text
    assert f"channel_id={phone.id}" not in page.text  # already given: a link to withdraw instead
    assert "after 6pm" in page.text
    # The link opens the form with the purpose and channel chosen; recording it turns the channel's answer to yes.
    form = client.get(record.replace("&amp;", "&"))
    assert 'value="contact" checked' in form.text and f'value="{organisation.id}" checked' in form.text
    response = client.post(
        f"/staff/clients/{person.id}/consent/new",
        data={"csrf_token": token, "purpose": "contact", "method": "spoken", "explanation_language": "en",
              "explanation_version": explanations.CURRENT, "channel_id": organisation.id},
        follow_redirects=False,
    )
    assert response.status_code == 303
    session.expire_all()
    assert consent.active_consent(session, person.id, consent.CONTACT, channel_id=organisation.id) is not None
    assert record not in client.get(f"/staff/clients/{person.id}").text


def test_a_withdrawn_case_work_consent_is_shown_first_with_what_to_do(client, session, setup) -> None:  # noqa: ANN001
    worker, person, sms = setup
    given = consents.given(session, worker.actor, person, consent.CASE_WORK)
    consents.given(session, worker.actor, person, consent.CONTACT, channel_id=sms.id)
    session.commit()
    token = audit_factories.sign_in_as(client, worker.actor)
    assert 'id="case-work-withdrawn"' not in client.get(f"/staff/clients/{person.id}").text
    client.post(f"/staff/clients/{person.id}/consent/{given.id}/withdraw", data={"csrf_token": token, "confirm": "yes"})
    page = client.get(f"/staff/clients/{person.id}").text
    assert 'id="case-work-withdrawn"' in page
    assert f'action="/staff/clients/{person.id}/reminders"' not in page  # nobody contacts the person meanwhile
    response = client.post(
        f"/staff/clients/{person.id}/reminders", data={"csrf_token": token, "channel_id": sms.id}, follow_redirects=False
    )
    assert response.headers["location"] == _person_page(person.id, "contact-not-allowed")
