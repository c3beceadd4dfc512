"""audit.service.record_many: one event per record, chained exactly as one-by-one appends would be, on both DBs."""

from factories import audit as factories
from sqlalchemy import select

from carebridge.audit import chain, service
from carebridge.audit.models import AuditEvent


def _events(session, action: str) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)))


def test_one_event_per_record_each_linked_to_the_one_before_and_the_chain_verifies(session):
    actor = factories.actor(session, roles=("link-worker",))
    service.record(session, "sign-in.success", actor=actor)
    before = _events(session, "sign-in.success")[-1]
    service.record_many(
        session, "client.list", actor=actor, record_type="client", record_ids=["c-1", "c-2", "c-3"], request_id="r1"
    )
    service.record(session, "client.read", actor=actor, record_type="client", record_id="c-2")
    listed = _events(session, "client.list")
    assert [event.record_id for event in listed] == ["c-1", "c-2", "c-3"]
    assert {(e.account_id, e.organisation_id, e.request_id, e.record_type, e.outcome) for e in listed} == {
        (actor.account_id, actor.organisation_id, "r1", "client", "success")
    }
    assert listed[0].stripe == before.stripe and listed[0].stripe_seq == before.stripe_seq + 1
    assert listed[0].previous_hash == before.hash
    for earlier, later in zip(listed, listed[1:], strict=False):
        assert (later.stripe, later.stripe_seq, later.previous_hash) == (earlier.stripe, earlier.stripe_seq + 1, earlier.hash)
    for event in listed:
        assert event.hash == chain.event_hash({name: getattr(event, name) for name in chain.FIELDS})
    after = _events(session, "client.read")[-1]
    assert after.previous_hash == listed[-1].hash, "a later single append chains onto the batch"
    session.commit()
    assert service.verify(session).ok


def test_nothing_is_written_for_no_records_and_duplicates_are_written_once(session):
    actor = factories.actor(session, roles=("link-worker",))
    count = len(_events(session, "client.list"))
    service.record_many(session, "client.list", actor=actor, record_type="client", record_ids=[])
    assert len(_events(session, "client.list")) == count
    service.record_many(session, "client.list", actor=actor, record_type="client", record_ids=["c-9", "c-9"])
    assert len(_events(session, "client.list")) == count + 1


def test_free_text_is_refused_like_in_record(session):
    import pytest

    actor = factories.actor(session, roles=("link-worker",))
    with pytest.raises(ValueError):
        service.record_many(session, "client.list", actor=actor, record_type="client", record_ids=["Amina Yusuf"])
