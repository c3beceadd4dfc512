"""Rotating and retiring key-encryption keys: every record stays readable before, during and after; a key still in
use cannot be retired; running processes pick up the new key file; the environment-variable path."""

from __future__ import annotations

import base64
import os
import stat
import threading

import pytest
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from carebridge.audit.models import AuditEvent
from carebridge.cli import main
from carebridge.clients import service as clients
from carebridge.clients.models import Client
from carebridge.config import Settings, get_settings
from carebridge.db import make_engine, session_scope
from carebridge.keys import rotation
from carebridge.keys import service as keys
from carebridge.keys.keyring import keyring
from carebridge.kit import crypto
from factories import clients as client_factory


def _settings(tmp_path, **overrides) -> Settings:  # noqa: ANN001
    return Settings(
        record_key_file=tmp_path / "record-keys", blind_index_key_file=tmp_path / "blind-index.key", **overrides
    )


def _people(session: Session, settings: Settings, count: int) -> dict[str, str]:
    worker = client_factory.caseworker(session)
    names = {}
    for number in range(count):
        client = client_factory.client(session, settings, worker.actor, preferred_name=f"Rotated Person {number}")
        names[client.id] = f"Rotated Person {number}"
    session.commit()
    return names


def _read_all(session: Session, settings: Settings, names: dict[str, str]) -> None:
    people = session.scalars(select(Client).where(Client.id.in_(names))).all()
    profiles = clients.open_profiles(session, settings, list(people))
    assert {client_id: profile.preferred_name for client_id, profile in profiles.items()} == names


def _key_count(settings: Settings) -> int:
    lines = settings.record_key_file.read_text().splitlines()
    return len([line for line in lines if line.strip() and not line.startswith("#")])


def test_rotate_then_retire_keeps_every_record_readable(session, session_factory, tmp_path) -> None:  # noqa: ANN001
    settings = _settings(tmp_path)
    names = _people(session, settings, 5)
    old = keyring(settings)

    report = rotation.rotate(settings, session_factory, batch_size=2)

    new = keyring(settings)  # the cached ring is replaced: the file changed
    assert new.active_id != old.active_id and old.active in new.by_id.values()
    assert (report.rewrapped, report.batches, report.remaining, report.unreadable) == (5, 3, 0, 0)
    assert stat.S_IMODE(os.stat(settings.record_key_file).st_mode) == 0o600
    assert _key_count(settings) == 2
    assert settings.record_key_file.read_text().splitlines()[0] == base64.b64encode(new.active).decode()
    session.expire_all()
    assert keys.usage(session) == {new.active_id: 5}
    _read_all(session, settings, names)

    # Idempotent: nothing left to do.
    again = rotation.rotate(settings, session_factory, rewrap_only=True)
    assert (again.rewrapped, again.remaining) == (0, 0)

    rotation.retire(settings, session_factory, old.active_id)
    assert _key_count(settings) == 1
    assert old.active_id not in {key.hex() for key in keyring(settings).by_id}
    session.expire_all()
    _read_all(session, settings, names)
    # A record made after the rotation is wrapped under the new key.
    more = _people(session, settings, 1)
    assert keys.usage(session) == {new.active_id: 6}
    _read_all(session, settings, more)

    actions = session.scalars(select(AuditEvent).where(AuditEvent.action.in_(["keys.rotate", "keys.retire"]))).all()
    assert sorted((event.action, event.record_id) for event in actions) == [
        ("keys.retire", old.active_id),
        ("keys.rotate", new.active_id),
        ("keys.rotate", new.active_id),
    ]


def test_retiring_a_key_still_in_use_the_active_key_or_an_unknown_one_is_refused(session, session_factory, tmp_path) -> None:  # noqa: ANN001, E501
    settings = _settings(tmp_path)
    names = _people(session, settings, 3)
    old = keyring(settings).active_id
    new = rotation.add_key(settings)  # a new key, nothing re-wrapped yet: the old key still wraps all three

    with pytest.raises(rotation.RotationError, match="still wraps 3 data keys"):
        rotation.retire(settings, session_factory, old)
    with pytest.raises(rotation.RotationError, match="active key"):
        rotation.retire(settings, session_factory, new)
    with pytest.raises(rotation.RotationError, match="not in the keyring"):
        rotation.retire(settings, session_factory, "00000000")
    assert _key_count(settings) == 2
    _read_all(session, settings, names)  # readable under either key throughout

    # An interrupted run (one batch) is finished by the next one.
    with pytest.raises(_Interrupted):
        rotation.rewrap(settings, session_factory, batch_size=1, after_batch=_stop_after_first)
    session.expire_all()
    assert keys.usage(session) == {old: 2, new: 1}
    _read_all(session, settings, names)
    assert rotation.rewrap(settings, session_factory).rewrapped == 2
    rotation.retire(settings, session_factory, old)
    session.expire_all()
    _read_all(session, settings, names)


class _Interrupted(Exception):
    pass


def _stop_after_first(report: rotation.RewrapReport) -> None:
    raise _Interrupted


def test_a_process_holding_the_old_ring_reloads_it_even_within_the_same_timestamp(tmp_path) -> None:  # noqa: ANN001
    settings = _settings(tmp_path)
    before = keyring(settings)
    stamp = os.stat(settings.record_key_file).st_mtime_ns
    rotation.add_key(settings)
    os.utime(settings.record_key_file, ns=(stamp, stamp))  # a file system with coarse timestamps
    after = keyring(settings)
    assert after.active_id != before.active_id
    assert set(before.by_id) < set(after.by_id)


def test_with_the_keys_in_the_environment_rotate_explains_how_and_rewrap_only_does_the_rest(
    session, session_factory, tmp_path, monkeypatch, capsys  # noqa: ANN001
) -> None:
    old, new = crypto.new_key(), crypto.new_key()
    encoded = base64.b64encode(old).decode()
    settings = _settings(tmp_path, record_keys=SecretStr(encoded))
    names = _people(session, settings, 3)

    monkeypatch.setenv("CAREBRIDGE_RECORD_KEYS", encoded)
    get_settings.cache_clear()
    try:
        assert main(["keys", "rotate"]) == 2
    finally:
        monkeypatch.delenv("CAREBRIDGE_RECORD_KEYS")
        get_settings.cache_clear()
    printed = capsys.readouterr().out
    assert "FIRST in CAREBRIDGE_RECORD_KEYS" in printed and "--rewrap-only" in printed
    assert encoded not in printed
    with pytest.raises(rotation.RotationError):
        rotation.rotate(settings, session_factory)
    assert not settings.record_key_file.exists()

    both = _settings(tmp_path, record_keys=SecretStr(f"{base64.b64encode(new).decode()},{encoded}"))
    report = rotation.rotate(both, session_factory, rewrap_only=True)
    assert report.rewrapped == 3
    session.expire_all()
    only_new = _settings(tmp_path, record_keys=SecretStr(base64.b64encode(new).decode()))
    _read_all(session, only_new, names)
    with pytest.raises(rotation.RotationError, match="remove key .* from it on every process"):
        rotation.retire(both, session_factory, crypto.key_id(old).hex())


def test_records_stay_readable_from_another_connection_while_batches_commit(committed_postgres, tmp_path) -> None:  # noqa: ANN001
    settings = _settings(tmp_path)
    engine = make_engine(committed_postgres)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    try:
        with session_scope(factory) as session:
            names = _people(session, settings, 40)
        old = keyring(settings).active_id
        seen_mixed = []
        errors: list[BaseException] = []
        reads = 0
        done = threading.Event()

        def reader() -> None:
            nonlocal reads
            while not done.is_set():
                try:
                    with session_scope(factory) as other:
                        _read_all(other, settings, names)
                    reads += 1
                except BaseException as error:  # noqa: BLE001 - reported below
                    errors.append(error)
                    return

        def after_batch(report: rotation.RewrapReport) -> None:
            # Between two committed batches: some keys under each KEK, and all readable on another connection.
            with session_scope(factory) as other:
                usage = keys.usage(other)
                _read_all(other, settings, names)
            if len(usage) == 2:
                seen_mixed.append(usage)

        thread = threading.Thread(target=reader)
        thread.start()
        try:
            report = rotation.rotate(settings, factory, batch_size=7, after_batch=after_batch)
        finally:
            done.set()
            thread.join()
        assert not errors, errors
        assert reads > 0
        assert report.rewrapped == 40 and report.batches == 6
        assert seen_mixed and all(old in usage for usage in seen_mixed)
        rotation.retire(settings, factory, old)
        with session_scope(factory) as session:
            _read_all(session, settings, names)
    finally:
        engine.dispose()


@pytest.fixture
def cli_settings(tmp_path, monkeypatch):  # noqa: ANN001, ANN201
    """`carebridge keys ...` reading its settings from the environment (get_settings is cached: cleared around)."""
    monkeypatch.setenv("CAREBRIDGE_RECORD_KEY_FILE", str(tmp_path / "record-keys"))
    monkeypatch.setenv("CAREBRIDGE_BLIND_INDEX_KEY_FILE", str(tmp_path / "blind-index.key"))
    monkeypatch.delenv("CAREBRIDGE_RECORD_KEYS", raising=False)
    get_settings.cache_clear()
    yield monkeypatch
    monkeypatch.undo()
    get_settings.cache_clear()


def test_the_commands_refuse_with_a_message_not_a_traceback(cli_settings, tmp_path, capsys) -> None:  # noqa: ANN001
    cli_settings.setenv("CAREBRIDGE_DEMO", "false")
    get_settings.cache_clear()
    assert main(["keys", "rotate"]) == 2
    assert "carebridge keys init" in capsys.readouterr().out
    assert not (tmp_path / "record-keys").exists()

    assert main(["keys", "init"]) == 0
    capsys.readouterr()
    assert main(["keys", "retire", "0badc0de"]) == 1
    assert "not in the keyring" in capsys.readouterr().out
    active = keyring(get_settings()).active_id
    assert main(["keys", "retire", active]) == 1
    assert "active key" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["keys", "rotate", "--batch-size", "0"])
