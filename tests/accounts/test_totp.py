"""The second factor: TOTP steps and replay, the secret encrypted at rest, the key file, recovery codes."""

from __future__ import annotations

import base64
import datetime as dt
import stat

import pytest
from cryptography.exceptions import InvalidTag
from factories import accounts as factories

from carebridge.accounts import secrets, totp
from carebridge.config import Settings, get_settings
from carebridge.kit import clock


@pytest.mark.parametrize("offset,accepted", [(-2, False), (-1, True), (0, True), (1, True), (2, False)])
def test_a_code_is_accepted_one_step_either_side_and_no_further(session, offset: int, accepted: bool) -> None:  # noqa: ANN001
    account = factories.enrolled_account(session)
    assert totp.accept_code(session, get_settings(), account, factories.totp_code(step_offset=offset)) is accepted


def test_a_code_is_never_accepted_twice_nor_an_older_one_after_a_newer(session) -> None:  # noqa: ANN001
    settings = get_settings()
    account = factories.enrolled_account(session)
    current, previous = factories.totp_code(), factories.totp_code(step_offset=-1)
    assert totp.accept_code(session, settings, account, current)
    assert not totp.accept_code(session, settings, account, current)
    assert not totp.accept_code(session, settings, account, previous)
    session.expire_all()
    assert session.get(type(account), account.id).totp_last_step == totp.current_step()
    with clock.pinned(clock.utc_now() + dt.timedelta(seconds=30)):
        assert totp.accept_code(session, settings, account, factories.totp_code())


def test_codes_with_spaces_are_read_and_letters_refused(session) -> None:  # noqa: ANN001
    account = factories.enrolled_account(session)
    code = factories.totp_code()
    assert not totp.accept_code(session, get_settings(), account, "abcdef")
    assert totp.accept_code(session, get_settings(), account, f"{code[:3]} {code[3:]}")


def test_the_secret_is_stored_encrypted_and_bound_to_its_account(session) -> None:  # noqa: ANN001
    settings = get_settings()
    first = factories.enrolled_account(session)
    second = factories.enrolled_account(session)
    stored = bytes(first.totp_secret)
    assert factories.TOTP_SECRET.encode() not in stored
    assert stored[:1] == secrets.VERSION and stored[1:5] == secrets.key_id(secrets.master_key(settings))
    assert totp.secret_of(settings, first) == factories.TOTP_SECRET
    # Copied into another account's row, it does not decrypt.
    second.totp_secret = stored
    with pytest.raises(InvalidTag):
        totp.secret_of(settings, second)


def test_the_key_file_is_made_once_with_mode_0600(tmp_path) -> None:  # noqa: ANN001
    path = tmp_path / "deep" / "staff-secret.key"
    key = secrets.master_key(Settings(staff_secret_key_file=path))
    assert len(key) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    secrets._load_key.cache_clear()
    assert secrets.master_key(Settings(staff_secret_key_file=path)) == key


def test_the_key_can_come_from_the_environment_and_must_be_32_bytes(tmp_path) -> None:  # noqa: ANN001
    key = bytes(range(32))
    settings = Settings(staff_secret_key=base64.b64encode(key).decode(), staff_secret_key_file=tmp_path / "unused")
    assert secrets.master_key(settings) == key
    assert not (tmp_path / "unused").exists()
    with pytest.raises(secrets.SecretKeyError):
        secrets.master_key(Settings(staff_secret_key=base64.b64encode(b"short").decode()))


def test_a_value_encrypted_with_another_key_is_refused() -> None:
    sealed = secrets.encrypt(bytes(32), b"x", b"ad")
    with pytest.raises(secrets.SecretKeyError):
        secrets.decrypt(bytes([1] * 32), sealed, b"ad")
    assert secrets.decrypt(bytes(32), sealed, b"ad") == b"x"


def test_recovery_codes_are_ten_single_use_and_replaced_as_a_set(session) -> None:  # noqa: ANN001
    account = factories.enrolled_account(session)
    codes = totp.new_recovery_codes(session, account.id)
    assert len(codes) == 10 and all(totp.looks_like_recovery_code(code) for code in codes)
    assert totp.use_recovery_code(session, account.id, codes[0])
    assert not totp.use_recovery_code(session, account.id, codes[0])
    assert totp.recovery_codes_left(session, account.id) == 9
    other = factories.enrolled_account(session)
    assert not totp.use_recovery_code(session, other.id, codes[1])
    fresh = totp.new_recovery_codes(session, account.id)
    assert not totp.use_recovery_code(session, account.id, codes[1])
    assert totp.use_recovery_code(session, account.id, fresh[1].replace("-", " ").upper())


def test_the_qr_code_is_inline_svg_with_a_label() -> None:
    svg = totp.qr_svg(totp.provisioning_uri(factories.TOTP_SECRET, "a@example.org"), 'QR "code"')
    assert svg.startswith("<svg") and 'role="img"' in svg and 'aria-label="QR &#34;code&#34;"' in svg
    assert "<image" not in svg and "http" not in svg.split(">", 1)[1].split("<path", 1)[0].replace("http://www.w3.org", "")
