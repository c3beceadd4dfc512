"""The second factor: TOTP (RFC 6238, pyotp) and single-use recovery codes.

- The secret (160 random bits, base32) is encrypted at rest with the staff secret key (accounts.secrets; associated
  data = staff_account.totp_secret.<account id>). Enrolment stores it unconfirmed; a correct code confirms it.
- A code is accepted for the current 30-second step and one step either side, and only for a step later than the
  last one accepted (`totp_last_step`, updated with a conditional UPDATE, so two requests racing with one code cannot
  both pass): a code is never accepted twice.
- Ten recovery codes of 80 random bits (16 base32 characters, shown in groups of four), stored as SHA-256 (a long
  random code needs no slow hash), each usable once, in place of a TOTP code.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets

import pyotp
import segno
from markupsafe import Markup
from sqlalchemy import delete, or_, update
from sqlalchemy.orm import Session

from carebridge.accounts import secrets as staff_secrets
from carebridge.accounts.models import RecoveryCode, StaffAccount
from carebridge.config import Settings
from carebridge.kit import clock

ISSUER = "Carebridge"
STEP_SECONDS = 30
RECOVERY_CODE_COUNT = 10
_CODE = re.compile(r"[0-9]{6}")
_RECOVERY = re.compile(r"[a-z2-7]{16}")


def new_secret() -> str:
    return pyotp.random_base32(32)


def _associated(account_id: str) -> bytes:
    return staff_secrets.associated_data("staff_account", "totp_secret", account_id)


def store_secret(settings: Settings, account: StaffAccount, secret: str) -> None:
    """Keep a new, not yet confirmed secret for the account (enrolment)."""
    key = staff_secrets.master_key(settings)
    account.totp_secret = staff_secrets.encrypt(key, secret.encode("ascii"), _associated(account.id))
    account.totp_confirmed_at = None
    account.totp_last_step = None


def secret_of(settings: Settings, account: StaffAccount) -> str | None:
    if account.totp_secret is None:
        return None
    key = staff_secrets.master_key(settings)
    return staff_secrets.decrypt(key, bytes(account.totp_secret), _associated(account.id)).decode("ascii")


def normalise(code: str) -> str:
    return re.sub(r"[\s-]+", "", code).lower()


def looks_like_totp(code: str) -> bool:
    return bool(_CODE.fullmatch(normalise(code)))


def looks_like_recovery_code(code: str) -> bool:
    return bool(_RECOVERY.fullmatch(normalise(code)))


def current_step() -> int:
    return int(clock.utc_now().timestamp()) // STEP_SECONDS


def matching_step(secret: str, code: str) -> int | None:
    """The time step (now, or one either side) this code belongs to, or None."""
    code = normalise(code)
    if not _CODE.fullmatch(code):
        return None
    totp = pyotp.TOTP(secret, interval=STEP_SECONDS)
    now_step = current_step()
    found = None
    for step in (now_step - 1, now_step, now_step + 1):
        # Compare all three (no early exit), in constant time.
        if secrets.compare_digest(totp.generate_otp(step), code):
            found = step
    return found


def accept_code(session: Session, settings: Settings, account: StaffAccount, code: str) -> bool:
    """True, and the step remembered, if the code is right for the account's secret and newer than the last one."""
    secret = secret_of(settings, account)
    step = matching_step(secret, code) if secret else None
    if step is None:
        return False
    result = session.execute(
        update(StaffAccount)
        .where(
            StaffAccount.id == account.id,
            or_(StaffAccount.totp_last_step.is_(None), StaffAccount.totp_last_step < step),
        )
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    account.totp_last_step = step
    return True


def confirm(session: Session, settings: Settings, account: StaffAccount, code: str) -> bool:
    """Enrolment: the first correct code confirms the stored secret."""
    if not accept_code(session, settings, account, code):
        return False
    account.totp_confirmed_at = clock.utc_now()
    session.flush()
    return True


def provisioning_uri(secret: str, account_email: str) -> str:
    return pyotp.TOTP(secret, interval=STEP_SECONDS).provisioning_uri(name=account_email, issuer_name=ISSUER)


def grouped(text: str, size: int = 4) -> str:
    """A key or code in groups of four, easier to read out and type."""
    return " ".join(text[index : index + size] for index in range(0, len(text), size))


def qr_svg(uri: str, label: str) -> Markup:
    """The QR code as inline SVG (no image request: the CSP allows only our own and data: images), labelled for
    screen readers."""
    svg = segno.make(uri, error="m").svg_inline(scale=4, border=4, dark="#0b0c0c", light="#ffffff", omitsize=False)
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{Markup.escape(label)}" focusable="false" ', 1)
    return Markup(svg)


# Recovery codes.


def _hash_recovery(code: str) -> str:
    return hashlib.sha256(b"carebridge-recovery\x00" + normalise(code).encode("ascii", "replace")).hexdigest()


def new_recovery_codes(session: Session, account_id: str) -> list[str]:
    """Ten new codes (any earlier ones no longer work); returned once, for showing, never stored in the clear."""
    session.execute(delete(RecoveryCode).where(RecoveryCode.account_id == account_id))
    codes = [base64.b32encode(secrets.token_bytes(10)).decode("ascii").lower() for _ in range(RECOVERY_CODE_COUNT)]
    session.add_all(RecoveryCode(account_id=account_id, code_hash=_hash_recovery(code)) for code in codes)
    session.flush()
    return [grouped(code).replace(" ", "-") for code in codes]


def use_recovery_code(session: Session, account_id: str, code: str) -> bool:
    if not looks_like_recovery_code(code):
        return False
    result = session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.account_id == account_id,
            RecoveryCode.code_hash == _hash_recovery(code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=clock.utc_now())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def recovery_codes_left(session: Session, account_id: str) -> int:
    from sqlalchemy import func, select

    return session.scalar(
        select(func.count()).where(RecoveryCode.account_id == account_id, RecoveryCode.used_at.is_(None))
    ) or 0
