"""Per-person data keys: sealed values open only with their own key and place; erasing the key ends reading."""

from __future__ import annotations

import pytest
from cryptography.exceptions import InvalidTag

from carebridge.config import Settings
from carebridge.keys import service as keys
from carebridge.keys.keyring import KeyringError, keyring
from carebridge.kit import crypto


def test_a_sealed_value_opens_only_in_its_own_row_and_column(session) -> None:  # noqa: ANN001
    settings = Settings()
    key = keys.create_data_key(session, settings, "client", "row-1")
    sealed = key.seal_text("client", "profile", "row-1", "Amina")
    assert b"Amina" not in sealed
    assert key.open_text("client", "profile", "row-1", sealed) == "Amina"
    with pytest.raises(InvalidTag):
        key.open_text("client", "profile", "row-2", sealed)
    with pytest.raises(InvalidTag):
        key.open_text("client", "notes", "row-1", sealed)
    other = keys.create_data_key(session, settings, "client", "row-2")
    with pytest.raises(crypto.CryptoError):
        other.open_text("client", "profile", "row-1", sealed)


def test_the_data_key_is_stored_only_wrapped_and_destroying_it_ends_reading(session) -> None:  # noqa: ANN001
    settings = Settings()
    key = keys.create_data_key(session, settings, "client", "row-3")
    session.flush()
    assert keys.data_key(session, settings, "client", "row-3").key == key.key
    assert keys.destroy_data_key(session, "client", "row-3")
    with pytest.raises(keys.KeyDestroyed):
        keys.data_key(session, settings, "client", "row-3")
    assert "row-3" not in keys.data_keys(session, settings, "client", ["row-3"])


def test_outside_demo_mode_a_missing_key_file_is_an_error_not_a_new_key(tmp_path) -> None:  # noqa: ANN001
    with pytest.raises(KeyringError, match="carebridge keys init"):
        keyring(Settings(demo=False, record_key_file=tmp_path / "missing"))
    assert not (tmp_path / "missing").exists()
