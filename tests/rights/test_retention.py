"""Retention: the daily rights.retention job erases closed records past their day and warns caseworkers once
before, as the system; idempotent; run through the real worker on both databases, with the fixed clock."""

from __future__ import annotations

import datetime as dt

import pytest
from factories import clients as client_factories
from factories import jobs as job_factories
from factories import rights as factories
from sqlalchemy import select

from carebridge import domains
from carebridge.audit.models import AuditEvent
from carebridge.clients.models import Client
from carebridge.config import Settings
from carebridge.jobs.models import Job
from carebridge.keys.models import RecordKey
from carebridge.kit import clock
from carebridge.rights import jobs as rights_jobs
from carebridge.rights import service


def _notify_jobs(session):  # noqa: ANN001, ANN202
    return [job.payload for job in session.scalars(select(Job).where(Job.kind == "notify.staff")).all()]


def _run(session_factory) -> None:  # noqa: ANN001
    """Enqueue the job due now and run the real worker once, with every domain's handlers (no SMTP server: the
    notify.staff jobs it queues go dead as no-smtp, and stay to be counted)."""
    with session_factory() as session:
        job_id = job_factories.job(session, "rights.retention", {}).id
        session.commit()
    assert job_factories.worker(session_factory).run_once() >= 1
    with session_factory() as session:
        assert session.get(Job, job_id).state == "done"


@pytest.fixture
def people(session):  # noqa: ANN001, ANN201
    settings = Settings()
    worker = client_factories.caseworker(session)
    now = clock.utc_now()
    past = factories.full_record(session, settings, worker.actor, name="Past Person")
    factories.close(past.client, erase_after=now - dt.timedelta(minutes=1))
    soon = client_factories.client(session, settings, worker.actor)
    factories.close(soon, erase_after=now + dt.timedelta(days=10))
    later = client_factories.client(session, settings, worker.actor)
    factories.close(later, erase_after=now + dt.timedelta(days=31))
    still_open = client_factories.client(session, settings, worker.actor)
    session.commit()
    return {"worker": worker, "past": past.client.id, "other": past.other.id, "soon": soon.id, "later": later.id,
            "open": still_open.id}


def test_the_job_erases_what_is_due_and_warns_once_what_is_near_idempotently(session, session_factory, people):
    _run(session_factory)
    session.expire_all()

    assert session.get(Client, people["past"]) is None
    assert session.scalar(select(RecordKey).where(RecordKey.subject_id == people["past"])) is None
    for kept in ("soon", "later", "open", "other"):
        assert session.get(Client, people[kept]) is not None, kept
    erased = session.scalar(select(AuditEvent).where(AuditEvent.action == "client.erase"))
    assert (erased.account_id, erased.record_id) == (None, people["past"])
    assert erased.organisation_id == people["worker"].organisation.id

    soon = session.get(Client, people["soon"])
    assert soon.retention_warned_at == clock.utc_now()
    assert session.get(Client, people["later"]).retention_warned_at is None
    assert _notify_jobs(session) == [{"account_id": people["worker"].actor.account_id, "reason": "retention-warning"}]
    warning = session.scalar(select(AuditEvent).where(AuditEvent.action == "client.retention-warning"))
    assert (warning.account_id, warning.record_id) == (None, people["soon"])

    # Again the same day: nothing more. A day later, only the later record comes within the 30 days: warned once;
    # the soon one is not warned twice.
    _run(session_factory)
    session.expire_all()
    assert len(_notify_jobs(session)) == 1
    with clock.pinned(clock.utc_now() + dt.timedelta(days=1)):
        _run(session_factory)
        _run(session_factory)
    session.expire_all()
    warned = session.scalars(select(AuditEvent.record_id).where(AuditEvent.action == "client.retention-warning")
                             .order_by(AuditEvent.seq)).all()
    assert warned == [people["soon"], people["later"]]
    assert len(_notify_jobs(session)) == 2
    assert len(session.scalars(select(AuditEvent).where(AuditEvent.action == "client.erase")).all()) == 1


def test_the_later_record_is_warned_when_its_day_comes_near_and_erased_on_it(session, session_factory, people):
    with clock.pinned(clock.utc_now() + dt.timedelta(days=2)):
        _run(session_factory)
    session.expire_all()
    assert session.get(Client, people["later"]).retention_warned_at is not None
    with clock.pinned(clock.utc_now() + dt.timedelta(days=32)):
        _run(session_factory)
    session.expire_all()
    assert session.get(Client, people["later"]) is None
    assert session.get(Client, people["soon"]) is None
    assert session.get(Client, people["open"]) is not None


def test_no_warning_when_warnings_are_off(session, people):
    result = service.apply_retention(session, Settings(client_retention_warning_days=0))
    assert result == service.RetentionResult(erased=1, warned=0)
    assert _notify_jobs(session) == []


def test_a_closed_record_shows_the_day_it_will_be_erased_in_the_deployments_zone(session, people):
    soon = session.get(Client, people["soon"])
    soon.erase_after = dt.datetime(2026, 12, 3, 23, 30, tzinfo=dt.UTC)
    assert service.erase_date(Settings(timezone="Europe/Madrid"), soon) == dt.date(2026, 12, 4)
    assert service.erase_date(Settings(), session.get(Client, people["open"])) is None


def test_it_is_scheduled_every_night_and_its_warning_is_a_staff_notification_without_personal_data():
    from carebridge.notifications import service as notifications

    schedules = [schedule for schedule in domains.job_schedules() if schedule.kind == "rights.retention"]
    assert len(schedules) == 1 and schedules[0].daily_at == rights_jobs.SCHEDULES[0].daily_at
    subject, body = notifications.staff_message("retention-warning", "en", Settings())
    assert "erased" in subject and "/staff/sign-in" in body


def test_a_record_erased_by_retention_is_unreadable_with_every_key_that_remains(session):
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    from carebridge.keys import service as keys
    from carebridge.keys.keyring import keyring
    from carebridge.kit import crypto

    settings = Settings()
    worker = client_factories.caseworker(session)
    record = factories.full_record(session, settings, worker.actor)
    factories.close(record.client, erase_after=clock.utc_now() - dt.timedelta(days=1))
    captured = factories.sealed_values(record)
    assert service.apply_retention(session, settings).erased == 1
    session.flush()

    remaining = session.scalars(select(RecordKey)).all()
    candidates = [keys.data_key(session, settings, row.subject_type, row.subject_id).key for row in remaining]
    candidates += list(keyring(settings).by_id.values())
    assert candidates
    for stored, associated in captured:
        for key in candidates:
            with pytest.raises(InvalidTag):
                AESGCM(key).decrypt(stored[5:crypto.HEADER_BYTES], stored[crypto.HEADER_BYTES:], associated)


def _warned_accounts(session):  # noqa: ANN001, ANN202
    return sorted(payload["account_id"] for payload in _notify_jobs(session) if payload["reason"] == "retention-warning")


@pytest.fixture
def closing_team(session):  # noqa: ANN001, ANN201
    """A team with a caseworker (who owns the record about to be erased), a colleague, a colleague of another team,
    a disabled colleague and a receptionist (who reads records but does not work on them), and the organisation's service manager."""
    settings = Settings()
    worker = client_factories.caseworker(session)
    colleague = client_factories.member(session, worker, name="Cole League")
    disabled = client_factories.member(session, worker, name="Dis Abled")
    disabled.account.active = False
    receptionist = client_factories.member(session, worker, roles=("receptionist",), name="Rae Reception")
    elsewhere = client_factories.caseworker(session, organisation_=worker.organisation)
    manager = client_factories.caseworker(session, roles=("service-manager",), organisation_=worker.organisation)
    other_organisation = client_factories.caseworker(session, roles=("service-manager",))
    record = client_factories.client(session, settings, worker.actor)
    factories.close(record, erase_after=clock.utc_now() + dt.timedelta(days=10))
    session.flush()
    return {"worker": worker, "colleague": colleague, "disabled": disabled, "receptionist": receptionist, "elsewhere": elsewhere,
            "manager": manager, "other_organisation": other_organisation, "record": record}


def test_the_owner_alone_is_warned_while_their_account_is_active(session, closing_team):
    assert service.apply_retention(session, Settings()).warned == 1
    assert _warned_accounts(session) == [closing_team["worker"].account.id]


def test_a_disabled_owner_is_replaced_by_the_active_members_of_the_team_who_work_with_records(session, closing_team):
    closing_team["worker"].account.active = False
    session.flush()
    assert service.apply_retention(session, Settings()).warned == 1
    # Not the disabled colleague, not the receptionist (no person.write), not another team's worker.
    assert _warned_accounts(session) == [closing_team["colleague"].account.id]


def test_a_record_without_owner_goes_to_its_team_and_without_team_to_the_service_managers(session, closing_team):
    record = closing_team["record"]
    record.owner_account_id = None
    session.flush()
    service.apply_retention(session, Settings())
    team = sorted([closing_team["worker"].account.id, closing_team["colleague"].account.id])
    assert _warned_accounts(session) == team

    second = client_factories.client(session, Settings(), closing_team["worker"].actor)
    factories.close(second, erase_after=clock.utc_now() + dt.timedelta(days=5))
    second.owner_account_id, second.team_id = None, None
    session.flush()
    service.apply_retention(session, Settings())
    # The organisation's own service manager, never another organisation's.
    assert _warned_accounts(session) == sorted([*team, closing_team["manager"].account.id])


def test_an_owner_whose_role_no_longer_reads_records_is_replaced_too(session, closing_team):
    from carebridge.accounts.models import StaffRole

    worker = closing_team["worker"].account
    session.execute(StaffRole.__table__.update().where(StaffRole.account_id == worker.id).values(role="planner"))
    session.flush()
    service.apply_retention(session, Settings())
    assert _warned_accounts(session) == [closing_team["colleague"].account.id]
