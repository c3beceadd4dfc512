"""Self-screening links: a worker gives a person a one-use link to answer one validated questionnaire themselves,
without an account (issue 10 §3).

- The URL is `/s/<token>`: 32 random bytes (secrets.token_urlsafe(32), 43 characters), nothing else — no client id,
  no name, no instrument. Only the token's SHA-256 is stored (ScreeningLink.token_hash): a copy of the database
  cannot be turned back into working links, and the lookup is by an exact hash (no timing leak about the token).
- It works once and for settings.screening_link_hours (48 by default) from its creation. Using it is a conditional
  UPDATE (`used_at IS NULL`), so two submissions racing (the back button, a double tap) record one screening.
- Only languages with a validated wording of the instrument can be chosen (screening.instruments.languages).
- Creating, revoking and using a link are audited (`screening.link.create`, `screening.link.revoke`,
  `screening.link.use`, record_type client); a revoked link is deleted: it leaves no trace but its audit events.
- The `screening.links-expire` job (screening.jobs) deletes links that expired unused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from carebridge.accounts.access import Actor
from carebridge.audit import service as audit
from carebridge.clients import service as clients
from carebridge.clients.models import Client
from carebridge.config import Settings
from carebridge.errors import N_, FieldError, InvalidInput, NotFound
from carebridge.kit import clock
from carebridge.screening import instruments
from carebridge.screening.models import ScreeningLink

ADMINISTER = "screening.administer"
READ = "screening.read"
# secrets.token_urlsafe(32): 43 characters of the URL-safe base64 alphabet. Anything else is no link at all, and is
# answered without a look into the database.
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def link_path(token: str) -> str:
    return f"/s/{token}"


@dataclass(frozen=True)
class CreatedLink:
    """What the worker sees once: the link (with its token) and when it stops working."""

    link: ScreeningLink
    token: str

    @property
    def path(self) -> str:
        return link_path(self.token)


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def create_link(
    session: Session,
    settings: Settings,
    actor: Actor,
    client_id: str,
    instrument: str,
    language: str,
    *,
    request_id: str | None = None,
) -> CreatedLink:
    """A new one-use link for the person (screening.administer in scope), for an instrument in one of its validated
    languages. InvalidInput (fields `instrument`, `language`) when either cannot be offered."""
    client = clients.find_client(session, actor, client_id, ADMINISTER)
    errors = []
    if instrument not in instruments.INSTRUMENTS or not instruments.languages(instrument, settings):
        errors.append(FieldError("instrument", N_("Choose a questionnaire.")))
    elif language not in instruments.languages(instrument, settings):
        errors.append(
            FieldError("language", N_("Choose a language this questionnaire has a validated wording in."))
        )
    if errors:
        raise InvalidInput(errors=errors)
    token = secrets.token_urlsafe(32)
    now = clock.utc_now()
    link = ScreeningLink(
        token_hash=token_hash(token),
        client_id=client.id,
        organisation_id=client.organisation_id,
        instrument=instrument,
        language=language,
        created_by=actor.account_id,
        created_at=now,
        expires_at=now + dt.timedelta(hours=settings.screening_link_hours),
        used_at=None,
    )
    session.add(link)
    session.flush()
    audit.record(
        session, "screening.link.create", actor=actor, record_type=clients.RECORD_TYPE, record_id=client.id,
        request_id=request_id,
    )
    return CreatedLink(link, token)


def open_links(session: Session, client: Client) -> list[ScreeningLink]:
    """The person's links that still work (not used, not expired), soonest to expire first. The caller has checked
    the actor may see the person's screening."""
    now = clock.utc_now()
    rows = session.scalars(
        select(ScreeningLink)
        .where(ScreeningLink.client_id == client.id, ScreeningLink.used_at.is_(None), ScreeningLink.expires_at > now)
        .order_by(ScreeningLink.expires_at, ScreeningLink.id)
    )
    return list(rows)


def revoke_link(
    session: Session, actor: Actor, client_id: str, link_id: str, *, request_id: str | None = None
) -> None:
    """Revoke (delete) an unused link of the person (screening.administer in scope). NotFound for a link that is not
    the person's, or is already used: a used link is part of its screening's history."""
    client = clients.find_client(session, actor, client_id, ADMINISTER)
    link = session.scalar(
        select(ScreeningLink).where(
            ScreeningLink.id == link_id, ScreeningLink.client_id == client.id, ScreeningLink.used_at.is_(None)
        )
    )
    if link is None:
        raise NotFound(N_("We could not find that link. It may have been used or revoked already."))
    session.delete(link)
    session.flush()
    audit.record(
        session, "screening.link.revoke", actor=actor, record_type=clients.RECORD_TYPE, record_id=client.id,
        request_id=request_id,
    )


def usable_link(session: Session, token: str) -> ScreeningLink | None:
    """The link this token opens, if it still works (unused, not expired); None for every other case alike (unknown,
    used, expired, revoked, malformed), so that the public page cannot tell them apart."""
    if not isinstance(token, str) or not TOKEN_SHAPE.fullmatch(token):
        return None
    link = session.scalar(select(ScreeningLink).where(ScreeningLink.token_hash == token_hash(token)))
    if link is None or link.used_at is not None or _aware(link.expires_at) <= clock.utc_now():
        return None
    return link


def claim_link(session: Session, link: ScreeningLink) -> bool:
    """Mark the link used, now, if nobody else has: one conditional UPDATE, so of two submissions racing only one
    wins (True); the other gets False and must record nothing."""
    now = clock.utc_now()
    result = session.execute(
        update(ScreeningLink)
        .where(ScreeningLink.id == link.id, ScreeningLink.used_at.is_(None), ScreeningLink.expires_at > now)
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    session.refresh(link)
    return True


def record_use(session: Session, link: ScreeningLink, screening_id: str, *, request_id: str | None = None) -> None:
    """After the screening is stored: the link points at it, and the use is audited (no actor: the person)."""
    link.screening_id = screening_id
    session.flush()
    audit.record(
        session, "screening.link.use", organisation_id=link.organisation_id, record_type=clients.RECORD_TYPE,
        record_id=link.client_id, request_id=request_id,
    )


def delete_expired(session: Session, now: dt.datetime | None = None) -> int:
    """Delete the links that expired unused; how many. Used links stay (they point at their screening)."""
    now = now or clock.utc_now()
    result = session.execute(
        delete(ScreeningLink)
        .where(ScreeningLink.used_at.is_(None), ScreeningLink.expires_at <= now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0
