"""Break the glass: a reason, a limited time, an audit event, and the service manager's review list."""

from datetime import timedelta

import pytest
from factories import accounts as factories

from carebridge.accounts import break_glass
from carebridge.errors import Forbidden, InvalidInput
from carebridge.kit import clock


@pytest.fixture
def audited(monkeypatch):
    from carebridge.audit import service as audit

    events = []
    monkeypatch.setattr(audit, "record", lambda session, action, **kw: events.append((action, kw)))
    return events


def test_opening_a_record_needs_the_permission_and_a_real_reason(session, audited):
    organisation = factories.organisation(session)
    worker = factories.actor_for(factories.account(session, roles=("link-worker",), organisation_=organisation))
    mediator = factories.actor_for(factories.account(session, roles=("cultural-mediator",), organisation_=organisation))

    with pytest.raises(Forbidden):
        break_glass.open_record(session, mediator, "client", "c-1", "Safeguarding call from the hospital")
    with pytest.raises(InvalidInput) as raised:
        break_glass.open_record(session, worker, "client", "c-1", "   urgent  ")
    assert raised.value.errors[0].name == "reason"
    assert [action for action, _ in audited if action.startswith("break-glass")] == []
    audited.clear()

    grant = break_glass.open_record(session, worker, "client", "c-1", "Safeguarding   call from the hospital", minutes=15)
    assert grant.reason == "Safeguarding call from the hospital"
    assert grant.expires_at - grant.granted_at == timedelta(minutes=15)
    assert grant.organisation_id == organisation.id
    assert [(action, kw["record_type"], kw["record_id"]) for action, kw in audited] == [("break-glass.open", "client", "c-1")]
    assert "Safeguarding" not in repr(audited)  # the reason is in the grant, not in the audit trail

    assert break_glass.active_grant(session, worker, "client", "c-1").id == grant.id
    assert break_glass.active_grant(session, worker, "client", "c-2") is None
    assert break_glass.active_grant(session, mediator, "client", "c-1") is None
    with clock.pinned(clock.now() + timedelta(minutes=15)):
        assert break_glass.active_grant(session, worker, "client", "c-1") is None


def test_the_service_manager_sees_their_organisations_grants_newest_first(session, audited):
    ours, theirs = factories.organisation(session), factories.organisation(session)
    manager = factories.actor_for(factories.account(session, roles=("service-manager",), organisation_=ours))
    worker = factories.actor_for(factories.account(session, roles=("clinician",), organisation_=ours, name="Ana Worker"))
    stranger = factories.actor_for(factories.account(session, roles=("clinician",), organisation_=theirs))
    start = clock.now()
    for minutes in range(3):
        with clock.pinned(start + timedelta(minutes=minutes)):
            break_glass.open_record(session, worker, "client", f"c-{minutes}", "Emergency admission tonight")
    break_glass.open_record(session, stranger, "client", "c-9", "Emergency admission elsewhere")

    rows, total = break_glass.grants_for_review(session, manager, limit=2)
    assert total == 3
    assert [row.record_id for row in rows] == ["c-2", "c-1"]
    assert rows[0].staff_name == "Ana Worker" and rows[0].active
    rest, _ = break_glass.grants_for_review(session, manager, limit=2, offset=2)
    assert [row.record_id for row in rest] == ["c-0"]
    with clock.pinned(start + timedelta(hours=5)):
        assert not break_glass.grants_for_review(session, manager)[0][0].active
    with pytest.raises(Forbidden):
        break_glass.grants_for_review(session, worker)
