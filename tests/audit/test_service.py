"""audit.service.record: what an event holds, the chain it extends, and the transaction it belongs to."""

import pytest
from factories import audit as factories
from sqlalchemy import select

from carebridge.audit import chain, service
from carebridge.audit.models import AuditEvent
from carebridge.kit import clock


def _event(session, seq: int) -> AuditEvent:
    return session.scalars(select(AuditEvent).where(AuditEvent.seq == seq)).one()


def test_an_event_from_an_actor_takes_their_account_and_organisation_and_the_request_id(session):
    actor = factories.actor(session, roles=("link-worker",))
    service.record(
        session, "person.read", actor=actor, record_type="person", record_id="p-42", request_id="abc123"
    )
    event = _event(session, service.latest_seq(session))
    assert (event.account_id, event.organisation_id) == (actor.account_id, actor.organisation_id)
    assert (event.action, event.record_type, event.record_id, event.outcome) == ("person.read", "person", "p-42", "success")
    assert event.request_id == "abc123"
    assert event.at == clock.utc_now()
    assert event.hash == chain.event_hash({c: getattr(event, c) for c in chain.FIELDS})
    assert f"{event.stripe}:{event.stripe_seq}:{event.hash[:16]}" in service.head(session)


def test_without_an_actor_the_explicit_account_and_organisation_are_kept(session):
    service.record(session, "sign-in.failure", account_id="acc-9", organisation_id="org-9", outcome="failure")
    event = _event(session, service.latest_seq(session))
    assert (event.account_id, event.organisation_id, event.outcome) == ("acc-9", "org-9", "failure")


def test_events_of_one_transaction_chain_one_after_another_in_one_stripe(session):
    numbers = factories.events(session, 3)
    assert numbers == sorted(numbers) and len(set(numbers)) == 3, "display order follows appends (gaps allowed)"
    first, second, third = (_event(session, n) for n in numbers)
    assert first.stripe == second.stripe == third.stripe
    assert (second.stripe_seq, third.stripe_seq) == (first.stripe_seq + 1, first.stripe_seq + 2)
    assert second.previous_hash == first.hash and third.previous_hash == second.hash
    if first.stripe_seq == 1:
        assert first.previous_hash == chain.GENESIS
    result = service.verify(session)
    assert result.ok and result.heads[third.stripe] == (third.stripe_seq, third.hash)


def test_a_stripes_first_event_links_to_the_genesis(session):
    service.record(session, "sign-in.success", account_id="acc-1")
    event = _event(session, service.latest_seq(session))
    assert (event.stripe_seq, event.previous_hash) == (1, chain.GENESIS)


def test_separate_transactions_use_several_stripes_on_postgresql_and_one_on_sqlite(session, connection):
    session.info["audit_stripes"] = 4
    numbers = factories.events(session, 8, commit_each=True)
    stripes = set(session.scalars(select(AuditEvent.stripe).where(AuditEvent.seq.in_(numbers))))
    assert stripes == ({0, 1, 2, 3} if connection.dialect.name == "postgresql" else {0})
    assert service.verify(session).ok


def test_an_event_of_a_rolled_back_action_is_not_kept(session_factory):
    with session_factory() as session:
        before = service.head(session), service.latest_seq(session)
        session.commit()
    with session_factory() as session:
        service.record(session, "account.disable", account_id="acc-1")
        assert service.latest_seq(session) > before[1]
        session.rollback()
    with session_factory() as session:
        assert (service.head(session), service.latest_seq(session)) == before
        service.record(session, "account.disable", account_id="acc-1")
        session.commit()
    with session_factory() as session:
        assert service.latest_seq(session) > before[1]
        assert service.verify(session).ok


@pytest.mark.parametrize(
    "fields",
    [
        {"record_id": "someone@example.org"},
        {"record_id": "Amina Yusuf"},
        {"account_id": "a" * 37},
        {"record_type": "Person Name"},
        {"request_id": "line\nbreak"},
    ],
)
def test_anything_that_looks_like_free_text_or_personal_data_is_refused(session, fields):
    before = service.head(session)
    with pytest.raises(ValueError) as refused:
        service.record(session, "person.read", **fields)
    assert "@" not in str(refused.value) and "Amina" not in str(refused.value)
    assert service.head(session) == before


def test_an_action_must_be_a_dotted_name_and_the_outcome_one_we_know(session):
    with pytest.raises(ValueError):
        service.record(session, "signed in")
    with pytest.raises(ValueError):
        service.record(session, "sign-in.success", outcome="maybe")


def test_account_services_record_their_changes(session):
    start = service.latest_seq(session)
    factories.actor(session, roles=("administrator",))
    actions = session.scalars(select(AuditEvent.action).where(AuditEvent.seq > start).order_by(AuditEvent.seq)).all()
    assert "account.create" in actions


def test_a_rolled_back_savepoint_does_not_lose_the_stripes_lock(session, connection):
    """PostgreSQL releases the locks taken inside a savepoint that is rolled back: the next event of the transaction
    takes its stripe's lock again rather than appending without it."""
    if connection.dialect.name != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's")
    from sqlalchemy import text

    from carebridge.audit import repository

    savepoint = session.begin_nested()
    service.record(session, "sign-in.success", account_id="acc-1")
    savepoint.rollback()
    service.record(session, "sign-in.success", account_id="acc-1")
    stripe = _event(session, service.latest_seq(session)).stripe
    held = session.scalar(
        text(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted "
            "AND ((classid::bigint << 32) | objid::bigint) = :key"
        ),
        {"key": repository.CHAIN_LOCK_KEY + stripe},
    )
    assert held == 1
