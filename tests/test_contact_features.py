"""Every feature that contacts a person (consent.service.CONTACT_FEATURES) obeys the person: do-not-contact, no
consent, consent withdrawn (before and after queuing) and an in-person-only channel each stop it — at queuing and
again at sending. A new contacting feature is added to the registry and is then held to all of this here."""

from __future__ import annotations

import importlib

import pytest
from sqlalchemy import select

from carebridge.clients.models import Client
from carebridge.config import Settings
from carebridge.consent import service as consent
from carebridge.jobs.models import Job
from carebridge.notifications.models import NotificationSent, SmsOutbox
from factories import clients, jobs
from factories import consent as consents

SETTINGS = Settings()
FEATURES = {feature.name: feature for feature in consent.CONTACT_FEATURES}
# What a feature's `queue` needs to exist first (session, settings, actor, client): a booked appointment, for a
# reminder of one. Kept here, with the test data, so that the registry in src names no test code.
PREPARE = {"appointment-reminder": "factories.appointments:booked_for_contact_test"}


def _resolve(name: str):  # noqa: ANN202
    module, _, attribute = name.partition(":")
    return getattr(importlib.import_module(module), attribute)


def test_the_registry_names_real_functions_and_job_kinds() -> None:
    from carebridge import domains

    assert FEATURES, "no contacting feature is registered"
    handlers = domains.job_handlers()
    for feature in consent.CONTACT_FEATURES:
        assert callable(_resolve(feature.queue))
        assert handlers[feature.job] is _resolve(feature.send)
        assert feature.purpose in consent.PURPOSES


def _person(session_factory, feature, *, kind: str = "sms", with_consent: bool = True):  # noqa: ANN001, ANN202
    with session_factory() as session:
        worker = clients.caseworker(session)
        client = clients.client(session, SETTINGS, worker.actor)
        channel = consents.channel(session, SETTINGS, client, kind)
        if feature.name in PREPARE:
            _resolve(PREPARE[feature.name])(session, SETTINGS, worker.actor, client)
        grant = None
        if with_consent:
            grant = consents.given(session, worker.actor, client, feature.purpose, channel_id=channel.id)
        session.commit()
        return worker, client.id, channel.id, grant.id if grant else None


def _queue(session_factory, feature, worker, client_id: str, channel_id: str) -> str:  # noqa: ANN001
    with session_factory() as session:
        job_id = _resolve(feature.queue)(session, SETTINGS, worker.actor, client_id, channel_id)
        session.commit()
    return job_id


def _sent(session_factory) -> int:  # noqa: ANN001
    with session_factory() as session:
        return len(session.scalars(select(SmsOutbox.id)).all()) + len(
            session.scalars(select(NotificationSent.id).where(NotificationSent.outcome == "sent")).all()
        )


def _job(session_factory, job_id: str) -> tuple[str, str | None]:  # noqa: ANN001
    with session_factory() as session:
        job = session.get(Job, job_id)
        return job.state, job.last_error


@pytest.mark.parametrize("name", list(FEATURES))
def test_with_consent_and_no_flag_it_contacts(session_factory, compiled_catalogs, name: str) -> None:  # noqa: ANN001
    """The control: everything below fails for the reason it names, not because the feature never works."""
    feature = FEATURES[name]
    worker, client_id, channel_id, _ = _person(session_factory, feature)
    job_id = _queue(session_factory, feature, worker, client_id, channel_id)
    jobs.worker(session_factory).run_once()
    assert _job(session_factory, job_id) == ("done", None)
    assert _sent(session_factory) == 2  # the outbox's message and its record


@pytest.mark.parametrize("name", list(FEATURES))
def test_do_not_contact_blocks_it_when_queued_and_when_sent(session_factory, name: str) -> None:  # noqa: ANN001
    feature = FEATURES[name]
    worker, client_id, channel_id, _ = _person(session_factory, feature)
    job_id = _queue(session_factory, feature, worker, client_id, channel_id)
    with session_factory() as session:
        session.get(Client, client_id).do_not_contact = True
        session.commit()
    with session_factory() as session, pytest.raises(consent.ContactNotAllowed):
        _resolve(feature.queue)(session, SETTINGS, worker.actor, client_id, channel_id)
    jobs.worker(session_factory).run_once()
    assert _job(session_factory, job_id) == ("dead", "PermanentError:contact-not-allowed")
    assert _sent(session_factory) == 0


@pytest.mark.parametrize("name", list(FEATURES))
def test_no_consent_blocks_it(session_factory, name: str) -> None:  # noqa: ANN001
    feature = FEATURES[name]
    worker, client_id, channel_id, _ = _person(session_factory, feature, with_consent=False)
    with session_factory() as session, pytest.raises(consent.ContactNotAllowed):
        _resolve(feature.queue)(session, SETTINGS, worker.actor, client_id, channel_id)
    with session_factory() as session:
        assert session.scalar(select(Job.id).where(Job.kind == feature.job)) is None


@pytest.mark.parametrize("name", list(FEATURES))
def test_consent_for_another_purpose_or_channel_does_not_count(session_factory, name: str) -> None:  # noqa: ANN001
    feature = FEATURES[name]
    worker, client_id, channel_id, _ = _person(session_factory, feature)
    with session_factory() as session:
        client = session.get(Client, client_id)
        other = consents.channel(session, SETTINGS, client, "sms", "+447700900999")
        # Every other purpose is given, those for a channel on `other` itself: only the feature's own purpose, for
        # this very channel, opens it (the feature's purpose is given on the first channel only).
        others = []
        for purpose in consent.PURPOSES:
            if purpose in (feature.purpose, consent.SHARE):
                continue
            target = {"channel_id": other.id} if purpose in consent.CHANNEL_PURPOSES else {}
            others.append(consents.given(session, worker.actor, client, purpose, **target).purpose)
        assert set(consent.CHANNEL_PURPOSES) - {feature.purpose} <= set(others)
        session.commit()
        with pytest.raises(consent.ContactNotAllowed):
            _resolve(feature.queue)(session, SETTINGS, worker.actor, client_id, other.id)


@pytest.mark.parametrize("name", list(FEATURES))
def test_withdrawn_consent_blocks_it_before_and_after_queuing(session_factory, name: str) -> None:  # noqa: ANN001
    feature = FEATURES[name]
    worker, client_id, channel_id, grant_id = _person(session_factory, feature)
    job_id = _queue(session_factory, feature, worker, client_id, channel_id)
    with session_factory() as session:
        consent.withdraw_consent(session, worker.actor, grant_id)
        session.commit()
    with session_factory() as session, pytest.raises(consent.ContactNotAllowed):
        _resolve(feature.queue)(session, SETTINGS, worker.actor, client_id, channel_id)
    jobs.worker(session_factory).run_once()
    assert _job(session_factory, job_id) == ("dead", "PermanentError:contact-not-allowed")
    assert _sent(session_factory) == 0


@pytest.mark.parametrize("name", list(FEATURES))
def test_an_in_person_only_channel_blocks_it(session_factory, name: str) -> None:  # noqa: ANN001
    feature = FEATURES[name]
    worker, client_id, channel_id, _ = _person(session_factory, feature, kind="in-person", with_consent=False)
    with session_factory() as session, pytest.raises(consent.ContactNotAllowed):
        _resolve(feature.queue)(session, SETTINGS, worker.actor, client_id, channel_id)
    # Even a consent row written around the service (an import, a bug) does not open an in-person channel.
    with session_factory() as session:
        from carebridge.consent.models import Consent
        from carebridge.kit import clock

        session.add(
            Consent(
                client_id=client_id, purpose=feature.purpose, channel_id=channel_id, method="spoken",
                explanation_version="2026-12", explanation_language="en", given_at=clock.utc_now(),
            )
        )
        session.commit()
    with session_factory() as session, pytest.raises(consent.ContactNotAllowed):
        _resolve(feature.queue)(session, SETTINGS, worker.actor, client_id, channel_id)
