"""Recording audit events. (Interface fixed here; the chain, the triggers and verification are being built.)"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from carebridge.accounts.access import Actor


def record(
    session: Session,
    action: str,
    *,
    actor: Actor | None = None,
    account_id: str | None = None,
    organisation_id: str | None = None,
    record_type: str | None = None,
    record_id: str | None = None,
    outcome: str = "success",
    request_id: str | None = None,
) -> None:
    """Append one event in the caller's transaction (it is kept only if the action is). `actor` is who acted;
    without one (a failed sign-in), `account_id`/`organisation_id` say whose account it concerned, if known.
    Never pass personal data: the record's type and id say what was touched."""
