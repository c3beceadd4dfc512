"""`carebridge audit verify` and `carebridge audit head`, on the test's database."""

import pytest
from factories import audit as factories
from sqlalchemy import text

from carebridge import cli, db
from carebridge.audit import chain, service


@pytest.fixture
def command(session_factory, monkeypatch):
    """Run `carebridge ...` on the test's database; (exit code, stdout, stderr)."""
    monkeypatch.setattr(db, "get_session_factory", lambda: session_factory)

    def run(capsys, *arguments):
        code = cli.main(list(arguments))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_head_prints_the_trails_head_on_one_line(session, command, capsys):
    factories.events(session, 3)
    session.commit()
    head = service.head(session)
    code, out, _ = command(capsys, "audit", "head")
    assert code == 0 and out == f"{head}\n" and " " not in head
    assert chain.parse_head(head).stripes, "the head names the stripe written to"


def test_verify_says_how_many_events_are_intact_and_the_head(session, command, capsys):
    factories.striped(session, 2, 2)
    head = service.head(session)
    stripes = len(chain.parse_head(head).stripes)
    code, out, _ = command(capsys, "audit", "verify", "--expect-head", head)
    assert code == 0
    assert out.strip() == f"audit trail intact: 4 events in {stripes} stripes; head {head}"


def test_verify_exits_1_naming_the_first_broken_event(session, connection, command, capsys):
    numbers = factories.events(session, 4)
    session.commit()
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("DROP TRIGGER audit_event_no_update_or_delete ON audit_event")
    else:
        connection.exec_driver_sql("DROP TRIGGER audit_event_no_update")
    stripe, stripe_seq = connection.execute(
        text("SELECT stripe, stripe_seq FROM audit_event WHERE seq = :seq"), {"seq": numbers[1]}
    ).one()
    connection.execute(text("UPDATE audit_event SET outcome = 'failure' WHERE seq = :seq"), {"seq": numbers[1]})
    code, out, err = command(capsys, "audit", "verify")
    assert code == 1 and out == ""
    assert f"audit trail BROKEN at stripe {stripe} event {stripe_seq} (hash-mismatch)" in err
    assert "intact events (before each stripe's first break): 1" in err


def test_verify_with_a_head_that_is_not_in_the_trail_exits_1(session, command, capsys):
    factories.events(session, 2)
    session.commit()
    code, _, err = command(capsys, "audit", "verify", "--expect-head", "ab" * 32 + "/0:9:abababababababab")
    assert code == 1 and "(head-missing)" in err


def test_verify_refuses_a_value_that_is_not_a_head(session, command, capsys):
    code, _, err = command(capsys, "audit", "verify", "--expect-head", "ab" * 32 + "x")
    assert code == 2 and "not an audit head" in err
