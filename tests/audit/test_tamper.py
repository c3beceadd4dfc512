"""Tampering with the trail is refused by the database, and, by someone who gets past that (an attacker with the
database's owner rights, who drops the triggers first), found and named by `verify` — in whichever stripe it is,
each stripe's first broken event. Both databases (SQLite has one stripe; PostgreSQL three here)."""

import pytest
from factories import audit as factories
from sqlalchemy import insert, select, text
from sqlalchemy.exc import DBAPIError

from carebridge.audit import chain, repository, service
from carebridge.audit.models import AuditEvent

STRIPES = 3
EACH = 4


def _is_postgresql(connection) -> bool:
    return connection.dialect.name == "postgresql"


def _attacker_drops_the_triggers(connection) -> None:
    if _is_postgresql(connection):
        connection.exec_driver_sql("DROP TRIGGER audit_event_no_update_or_delete ON audit_event")
        connection.exec_driver_sql("DROP TRIGGER audit_event_no_truncate ON audit_event")
    else:
        connection.exec_driver_sql("DROP TRIGGER audit_event_no_update")
        connection.exec_driver_sql("DROP TRIGGER audit_event_no_delete")


@pytest.fixture
def trail(session, connection):
    """Events in STRIPES stripes (one on SQLite), EACH or more per stripe, committed; the attacked stripe's events
    (stripe, [(seq, stripe_seq), ...] in order) — the last stripe, so that a break there comes after intact ones."""
    by_stripe = factories.striped(session, STRIPES, EACH, account_id="acc-1", organisation_id="org-1")
    expected = STRIPES if _is_postgresql(connection) else 1
    assert len(by_stripe) == expected and all(len(numbers) == EACH * STRIPES // expected for numbers in by_stripe.values())
    assert service.verify(session).ok
    stripe = max(by_stripe)
    rows = session.execute(
        select(AuditEvent.seq, AuditEvent.stripe_seq).where(AuditEvent.stripe == stripe).order_by(AuditEvent.stripe_seq)
    ).all()
    return stripe, [(row.seq, row.stripe_seq) for row in rows]


def _broken(session, **options) -> chain.Break:
    session.expire_all()
    result = service.verify(session, **options)
    assert result.broken is not None, "the tampering was not found"
    assert len(result.breaks) == 1, "one stripe was attacked"
    return result.broken


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_event SET action = 'nothing.happened' WHERE seq = {seq}",
        "UPDATE audit_event SET hash = previous_hash WHERE seq = {seq}",
        "UPDATE audit_event SET stripe_seq = stripe_seq + 100 WHERE seq = {seq}",
        "DELETE FROM audit_event WHERE seq = {seq}",
        "DELETE FROM audit_event",
    ],
)
def test_the_database_refuses_update_and_delete(session, connection, trail, statement):
    head = service.head(session)
    savepoint = connection.begin_nested()
    with pytest.raises(DBAPIError) as refused:
        connection.exec_driver_sql(statement.format(seq=trail[1][1][0]))
    savepoint.rollback()
    assert "append-only" in str(refused.value)
    assert service.verify(session, expect_head=head).ok and service.head(session) == head


def test_postgresql_refuses_truncate(session, connection, trail):
    if not _is_postgresql(connection):
        pytest.skip("TRUNCATE is PostgreSQL's (SQLite has none)")
    head = service.head(session)
    savepoint = connection.begin_nested()
    with pytest.raises(DBAPIError) as refused:
        connection.exec_driver_sql("TRUNCATE audit_event")
    savepoint.rollback()
    assert "append-only: TRUNCATE refused" in str(refused.value)
    assert service.head(session) == head


def test_an_edited_field_is_a_hash_mismatch(session, connection, trail):
    stripe, events = trail
    _attacker_drops_the_triggers(connection)
    connection.execute(text("UPDATE audit_event SET account_id = 'acc-2' WHERE seq = :seq"), {"seq": events[2][0]})
    broken = _broken(session)
    assert (broken.stripe, broken.stripe_seq, broken.problem) == (stripe, events[2][1], "hash-mismatch")


def test_an_event_deleted_in_the_middle_is_a_gap(session, connection, trail):
    stripe, events = trail
    _attacker_drops_the_triggers(connection)
    connection.execute(text("DELETE FROM audit_event WHERE seq = :seq"), {"seq": events[1][0]})
    broken = _broken(session)
    assert (broken.stripe, broken.stripe_seq, broken.problem) == (stripe, events[2][1], "gap")
    assert f"event {events[1][1]} is missing" in broken.message


def test_the_last_events_of_a_stripe_deleted_are_caught_with_the_head_kept_earlier(session, connection, trail):
    stripe, events = trail
    kept = service.head(session)
    assert f"{stripe}:{events[-1][1]}:" in kept
    _attacker_drops_the_triggers(connection)
    connection.execute(
        text("DELETE FROM audit_event WHERE stripe = :stripe AND stripe_seq >= :seq"),
        {"stripe": stripe, "seq": events[-2][1]},
    )
    session.expire_all()
    assert service.verify(session).ok, "without the head kept elsewhere a shorter stripe looks whole"
    broken = _broken(session, expect_head=kept)
    assert (broken.stripe, broken.problem) == (stripe, "head-missing")
    assert f"ends at event {events[-3][1]}" in broken.message


def test_two_events_swapped_are_out_of_order(session, connection, trail):
    stripe, events = trail
    _attacker_drops_the_triggers(connection)
    (first_seq, first), (second_seq, second) = events[1], events[2]
    for seq, new in ((first_seq, -1), (second_seq, first), (first_seq, second)):
        connection.execute(text("UPDATE audit_event SET stripe_seq = :new WHERE seq = :seq"), {"seq": seq, "new": new})
    broken = _broken(session)
    assert (broken.stripe, broken.stripe_seq, broken.problem) == (stripe, first, "out-of-order")
    assert f"written as stripe {stripe} event {second}" in broken.message


def test_a_forged_event_inserted_in_the_middle_is_found(session, connection, trail):
    """The attacker shifts the stripe's later events up by one and inserts a well-formed event, correctly hashed and
    linked to the one before it: the event after it no longer sits where it was written."""
    stripe, events = trail
    _attacker_drops_the_triggers(connection)
    place = events[2][1]
    for seq, stripe_seq in reversed(events[2:]):
        connection.execute(text("UPDATE audit_event SET stripe_seq = :new WHERE seq = :seq"), {"seq": seq, "new": stripe_seq + 1})
    previous = connection.execute(select(*repository.COLUMNS).where(AuditEvent.seq == events[1][0])).one()
    forged = {
        "stripe": stripe, "stripe_seq": place, "at": previous.at, "account_id": "acc-1", "organisation_id": "org-1",
        "action": "roles.change", "record_type": "staff_account", "record_id": "acc-1", "outcome": "success",
        "request_id": None, "previous_hash": previous.hash,
    }
    forged["hash"] = chain.event_hash(forged)
    connection.execute(insert(AuditEvent).values(**forged))
    broken = _broken(session)
    assert (broken.stripe, broken.stripe_seq, broken.problem) == (stripe, place + 1, "out-of-order")
    assert f"written as stripe {stripe} event {place}" in broken.message


def test_a_forged_event_without_a_place_in_the_chain_is_found(session, connection, trail):
    """A forged event squeezed in with a made-up hash (the attacker does not bother to link it)."""
    stripe, events = trail
    _attacker_drops_the_triggers(connection)
    connection.execute(text("DELETE FROM audit_event WHERE seq = :seq"), {"seq": events[2][0]})
    connection.execute(
        text(
            "INSERT INTO audit_event (stripe, stripe_seq, at, action, outcome, previous_hash, hash) "
            "SELECT stripe, :place, at, 'roles.change', 'success', hash, :hash FROM audit_event WHERE seq = :before"
        ),
        {"place": events[2][1], "before": events[1][0], "hash": "f" * 64},
    )
    broken = _broken(session)
    assert (broken.stripe, broken.stripe_seq, broken.problem) == (stripe, events[2][1], "hash-mismatch")


def test_an_edited_event_with_a_recomputed_hash_breaks_the_next_link(session, connection, trail):
    stripe, events = trail
    _attacker_drops_the_triggers(connection)
    row = connection.execute(select(*repository.COLUMNS).where(AuditEvent.seq == events[1][0])).mappings().one()
    edited = {name: row[name] for name in chain.FIELDS} | {"action": "account.create"}
    connection.execute(
        text("UPDATE audit_event SET action = 'account.create', hash = :hash WHERE seq = :seq"),
        {"hash": chain.event_hash(edited), "seq": events[1][0]},
    )
    broken = _broken(session)
    assert (broken.stripe, broken.stripe_seq, broken.problem) == (stripe, events[2][1], "previous-hash-mismatch")


def test_damage_in_two_stripes_is_named_in_both(session, connection, trail):
    if not _is_postgresql(connection):
        pytest.skip("SQLite has one stripe")
    stripe, events = trail
    other = session.execute(
        select(AuditEvent.seq, AuditEvent.stripe_seq).where(AuditEvent.stripe != stripe).order_by(AuditEvent.stripe, AuditEvent.stripe_seq)
    ).first()
    _attacker_drops_the_triggers(connection)
    connection.execute(text("UPDATE audit_event SET outcome = 'failure' WHERE seq IN (:a, :b)"), {"a": events[1][0], "b": other.seq})
    session.expire_all()
    result = service.verify(session)
    assert len(result.breaks) == 2 and {b.problem for b in result.breaks} == {"hash-mismatch"}
    assert result.breaks[-1].stripe == stripe
