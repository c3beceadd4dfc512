"""QA of the consent pages as a link worker uses them in English, Arabic and Persian (2026-12-06). Each test is a
defect QA found, kept so that it stays fixed."""

from __future__ import annotations

import re

import pytest

from carebridge.config import Settings
from carebridge.consent import explanations
from carebridge.consent import service as consent
from factories import audit as audit_factories
from factories import clients
from factories import consent as consents

SETTINGS = Settings()


@pytest.fixture(autouse=True)
def _catalogs(compiled_catalogs):  # noqa: ANN001, ANN202
    return compiled_catalogs


@pytest.fixture
def setup(session):  # noqa: ANN001, ANN201
    worker = clients.caseworker(session)
    person = clients.client(session, SETTINGS, worker.actor, preferred_name="Ruslan QA")
    sms = consents.channel(session, SETTINGS, person)
    session.commit()
    return worker, person, sms


@pytest.mark.parametrize("lang", ["ar", "fa", "en"])
def test_the_explanation_version_keeps_its_order_in_right_to_left_pages(client, session, setup, lang: str) -> None:  # noqa: ANN001
    """QA (link-worker-consent-new-ar-360.png): the version "2026-12" read "12-2026" on Arabic and Persian pages: the
    date-like code was not isolated from the right-to-left sentence around it."""
    worker, person, sms = setup
    consents.given(session, worker.actor, person, consent.STATISTICS)
    session.commit()
    audit_factories.sign_in_as(client, worker.actor)
    version = re.escape(explanations.CURRENT)
    isolated = rf'<bdi class="keep" dir="ltr">\W*{version}\W*</bdi>'
    for path in (
        f"/staff/clients/{person.id}/consent/new",
        f"/staff/clients/{person.id}/consent/explanation?purpose=statistics",
        f"/staff/clients/{person.id}",
    ):
        page = client.get(f"{path}{'&' if '?' in path else '?'}lang={lang}")
        assert page.status_code == 200, path
        shown = re.sub(r'value="[^"]*"', "", page.text)  # the hidden field carries it as it is
        assert len(re.findall(version, shown)) == len(re.findall(isolated, shown)) > 0, path


@pytest.mark.parametrize("kind", ["phone", "organisation"])
def test_consent_to_reminders_is_only_for_a_way_reminders_can_go(client, session, setup, kind: str) -> None:  # noqa: ANN001
    """QA (link-worker-consent-new-ar-360.png): the form offered "Phone" and "Through an organisation" for consent to
    reminders and recorded it, while reminders go only by text message or e-mail (the explanation the person is given
    says so); the person's page then said "the person has not agreed to reminders by text message or e-mail"."""
    from carebridge.notifications import person as person_notifications

    assert set(consent.REMINDER_KINDS) == set(person_notifications.SENDABLE_KINDS)
    worker, person, sms = setup
    other = consents.channel(session, SETTINGS, person, kind=kind, value="Harbour Centre" if kind == "organisation" else "+447700900456")
    session.commit()
    token = audit_factories.sign_in_as(client, worker.actor)
    form = client.get(f"/staff/clients/{person.id}/consent/new")
    # The form offers every way to be contacted (consent to contact is for any of them), and says which are for
    # contact only; the service still refuses reminders by them.
    assert f'value="{sms.id}"' in form.text and f'value="{other.id}"' in form.text
    assert f'id="channel-{other.id}-hint"' in form.text and f'id="channel-{sms.id}-hint"' not in form.text
    response = client.post(
        f"/staff/clients/{person.id}/consent/new",
        data={"csrf_token": token, "purpose": "reminders", "method": "spoken", "explanation_language": "en",
              "explanation_version": explanations.CURRENT, "channel_id": other.id},
        follow_redirects=False,
    )
    assert response.status_code == 422
    assert "text message or e-mail" in response.text
    assert consent.active_consent(session, person.id, consent.REMINDERS, channel_id=other.id) is None
