"""Tampering with the trail is refused by the database, and, by someone who gets past that (an attacker with the
database's owner rights, who drops the triggers first), found and named by `verify`. Both databases."""

import pytest
from factories import audit as factories
from sqlalchemy import insert, select, text
from sqlalchemy.exc import DBAPIError

from carebridge.audit import chain, repository, service
from carebridge.audit.models import AuditEvent


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
    """Six events written and flushed; their sequence numbers."""
    numbers = factories.events(session, 6, account_id="acc-1", organisation_id="org-1")
    session.flush()
    assert service.verify(session).ok
    return numbers


def _broken(session, **options) -> chain.Break:
    session.expire_all()
    result = service.verify(session, **options)
    assert result.broken is not None, "the tampering was not found"
    return result.broken


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_event SET action = 'nothing.happened' WHERE seq = {seq}",
        "UPDATE audit_event SET hash = previous_hash WHERE seq = {seq}",
        "DELETE FROM audit_event WHERE seq = {seq}",
        "DELETE FROM audit_event",
    ],
)
def test_the_database_refuses_update_and_delete(session, connection, trail, statement):
    savepoint = connection.begin_nested()
    with pytest.raises(DBAPIError) as refused:
        connection.exec_driver_sql(statement.format(seq=trail[2]))
    savepoint.rollback()
    assert "append-only" in str(refused.value)
    assert service.verify(session).ok and service.head(session)[0] == trail[-1]


def test_postgresql_refuses_truncate(session, connection, trail):
    if not _is_postgresql(connection):
        pytest.skip("TRUNCATE is PostgreSQL's (SQLite has none)")
    savepoint = connection.begin_nested()
    with pytest.raises(DBAPIError) as refused:
        connection.exec_driver_sql("TRUNCATE audit_event")
    savepoint.rollback()
    assert "append-only: TRUNCATE refused" in str(refused.value)
    assert service.head(session)[0] == trail[-1]


def test_an_edited_field_is_a_hash_mismatch(session, connection, trail):
    _attacker_drops_the_triggers(connection)
    connection.execute(text("UPDATE audit_event SET account_id = 'acc-2' WHERE seq = :seq"), {"seq": trail[2]})
    broken = _broken(session)
    assert (broken.seq, broken.problem) == (trail[2], "hash-mismatch")


def test_an_event_deleted_in_the_middle_is_a_gap(session, connection, trail):
    _attacker_drops_the_triggers(connection)
    connection.execute(text("DELETE FROM audit_event WHERE seq = :seq"), {"seq": trail[2]})
    broken = _broken(session)
    assert (broken.seq, broken.problem) == (trail[3], "gap")
    assert f"event {trail[2]} is missing" in broken.message


def test_the_last_events_deleted_are_caught_with_the_head_kept_earlier(session, connection, trail):
    kept_seq, kept_hash = service.head(session)
    assert kept_seq == trail[-1]
    _attacker_drops_the_triggers(connection)
    connection.execute(text("DELETE FROM audit_event WHERE seq >= :seq"), {"seq": trail[-2]})
    session.expire_all()
    assert service.verify(session).ok, "without the head kept elsewhere a shorter chain looks whole"
    broken = _broken(session, expect_head=kept_hash)
    assert broken.problem == "head-missing" and f"ends at event {trail[-3]}" in broken.message


def test_two_events_swapped_are_out_of_order(session, connection, trail):
    _attacker_drops_the_triggers(connection)
    first, second = trail[2], trail[3]
    for old, new in ((first, -1), (second, first), (-1, second)):
        connection.execute(text("UPDATE audit_event SET seq = :new WHERE seq = :old"), {"old": old, "new": new})
    broken = _broken(session)
    assert (broken.seq, broken.problem) == (first, "out-of-order")
    assert f"written as event {second}" in broken.message


def test_a_forged_event_inserted_in_the_middle_is_found(session, connection, trail):
    """The attacker shifts the later events up by one and inserts a well-formed event, correctly hashed and linked
    to the one before it: the event after it no longer sits where it was written."""
    _attacker_drops_the_triggers(connection)
    place = trail[3]
    for seq in reversed(trail[3:]):
        connection.execute(text("UPDATE audit_event SET seq = :new WHERE seq = :old"), {"old": seq, "new": seq + 1})
    previous = connection.execute(select(*repository.COLUMNS).where(AuditEvent.seq == place - 1)).one()
    forged = {
        "seq": place, "at": previous.at, "account_id": "acc-1", "organisation_id": "org-1",
        "action": "roles.change", "record_type": "staff_account", "record_id": "acc-1", "outcome": "success",
        "request_id": None, "previous_hash": previous.hash,
    }
    forged["hash"] = chain.event_hash(forged)
    connection.execute(insert(AuditEvent).values(**forged))
    broken = _broken(session)
    assert (broken.seq, broken.problem) == (place + 1, "out-of-order")
    assert f"written as event {place}" in broken.message


def test_a_forged_event_without_a_place_in_the_chain_is_found(session, connection, trail):
    """A forged event squeezed in with a made-up hash (the attacker does not bother to link it)."""
    _attacker_drops_the_triggers(connection)
    connection.execute(text("DELETE FROM audit_event WHERE seq = :seq"), {"seq": trail[2]})
    connection.execute(
        text(
            "INSERT INTO audit_event (seq, at, action, outcome, previous_hash, hash) "
            "SELECT :seq, at, 'roles.change', 'success', previous_hash, :hash FROM audit_event WHERE seq = :before"
        ),
        {"seq": trail[2], "before": trail[1], "hash": "f" * 64},
    )
    broken = _broken(session)
    assert (broken.seq, broken.problem) == (trail[2], "hash-mismatch")


def test_an_edited_event_with_a_recomputed_hash_breaks_the_next_link(session, connection, trail):
    _attacker_drops_the_triggers(connection)
    row = connection.execute(select(*repository.COLUMNS).where(AuditEvent.seq == trail[2])).mappings().one()
    edited = {name: row[name] for name in chain.FIELDS} | {"action": "account.create"}
    new_hash = chain.event_hash(edited)
    connection.execute(
        text("UPDATE audit_event SET action = 'account.create', hash = :hash WHERE seq = :seq"),
        {"hash": new_hash, "seq": trail[2]},
    )
    broken = _broken(session)
    assert (broken.seq, broken.problem) == (trail[3], "previous-hash-mismatch")
