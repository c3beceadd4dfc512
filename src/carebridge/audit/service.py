"""Recording audit events in a hash chain, and checking the chain.

`record()` appends one event in the caller's transaction: it is kept only if the action is. On PostgreSQL it takes
one stripe's advisory lock (the first free one of N parallel chains), held until that transaction ends — so call it
as late in the unit of work as is sensible (after the slow parts), to keep that stripe free for others. See docs/decisions/0004-audit-trail.md.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from carebridge.audit import chain, repository
from carebridge.audit.models import AuditEvent
from carebridge.db import is_postgresql
from carebridge.errors import N_, FieldError, Forbidden, InvalidInput, NotSaved
from carebridge.kit import clock

if TYPE_CHECKING:
    from carebridge.accounts.access import Actor

log = logging.getLogger("carebridge")

# Shapes the fields may have. Anything else is refused, so that free text (a name, an e-mail, a note) cannot slip
# into the trail by mistake: an `@` or a space is never valid here.
ACTION = re.compile(r"[a-z][a-z0-9-]*(\.[a-z0-9-]+)+")
WORD = re.compile(r"[a-z][a-z0-9_-]*")
IDENTIFIER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]*")
OUTCOMES = frozenset({"success", "failure", "denied"})


def _checked(value: str | None, pattern: re.Pattern[str], length: int, name: str) -> str | None:
    if value is None:
        return None
    value = str(value)
    if len(value) > length or not pattern.fullmatch(value):
        # Never the value itself in the message: it may be exactly the personal data that must not be stored.
        raise ValueError(f"audit event field {name!r} is not a valid {name} (ids and dotted names only)")
    return value


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
    without one (a failed sign-in), `account_id`/`organisation_id` say whose account it concerned, if known. An
    explicit `organisation_id` names the organisation concerned even with an actor (an administrator acting in
    another organisation). Never pass personal data: the record's type and id say what was touched."""
    if actor is not None:
        account_id = actor.account_id
        organisation_id = organisation_id or actor.organisation_id
    if outcome not in OUTCOMES:
        raise ValueError(f"audit outcome must be one of {sorted(OUTCOMES)}")
    fields = {
        "at": clock.utc_now(),
        "account_id": _checked(account_id, IDENTIFIER, 36, "account_id"),
        "organisation_id": _checked(organisation_id, IDENTIFIER, 36, "organisation_id"),
        "action": _checked(action, ACTION, 64, "action"),
        "record_type": _checked(record_type, WORD, 32, "record_type"),
        "record_id": _checked(record_id, IDENTIFIER, 64, "record_id"),
        "outcome": outcome,
        "request_id": _checked(request_id, IDENTIFIER, 64, "request_id"),
    }
    try:
        stripe = repository.lock_stripe(session)
    except OperationalError:
        # No stripe was free, and waiting CHAIN_LOCK_TIMEOUT_MS behind another writer's transaction for one did not
        # help: the unit of work fails as a whole (503).
        log.error("audit stripe lock not obtained in time")
        raise NotSaved(N_("Nothing was saved. Please try again in a moment.")) from None
    fields["stripe"] = stripe
    if is_postgresql(session):
        repository.append_next(session, stripe, fields, chain.canonical_template(fields), chain.GENESIS)
        return
    last = repository.last_event(session, stripe)
    fields["stripe_seq"] = last[0] + 1 if last else 1
    fields["previous_hash"] = last[1] if last else chain.GENESIS
    fields["hash"] = chain.event_hash(fields)
    repository.append(session, fields)


def record_many(
    session: Session,
    action: str,
    *,
    actor: Actor,
    record_type: str,
    record_ids: Iterable[str],
    request_id: str | None = None,
) -> None:
    """Append one event per record id (the same action, actor and request), in the caller's transaction: what a list
    of people's records writes, so that each person's "who has seen my record" names it. One stripe lock, one read of
    the stripe's last event and one multi-row insert, whatever the number: the chain is built here while the lock is
    held (every event still links to the one before it, exactly as `record` would have made them one by one)."""
    ids = list(dict.fromkeys(record_ids))
    if not ids:
        return
    base = {
        "at": clock.utc_now(),
        "account_id": _checked(actor.account_id, IDENTIFIER, 36, "account_id"),
        "organisation_id": _checked(actor.organisation_id, IDENTIFIER, 36, "organisation_id"),
        "action": _checked(action, ACTION, 64, "action"),
        "record_type": _checked(record_type, WORD, 32, "record_type"),
        "outcome": "success",
        "request_id": _checked(request_id, IDENTIFIER, 64, "request_id"),
    }
    events = [{**base, "record_id": _checked(record_id, IDENTIFIER, 64, "record_id")} for record_id in ids]
    try:
        stripe = repository.lock_stripe(session)
    except OperationalError:
        log.error("audit stripe lock not obtained in time")
        raise NotSaved(N_("Nothing was saved. Please try again in a moment.")) from None
    # Read after the lock (PostgreSQL: a fresh snapshot per statement), so nobody can chain onto the same event.
    last = repository.last_event(session, stripe)
    sequence, previous = (last[0], last[1]) if last else (0, chain.GENESIS)
    for event in events:
        sequence += 1
        event["stripe"] = stripe
        event["stripe_seq"] = sequence
        event["previous_hash"] = previous
        event["hash"] = previous = chain.event_hash(event)
    repository.append_many(session, events)


def head(session: Session) -> str:
    """The trail's head as one line to keep elsewhere (chain.format_head: the combined hash, then each stripe's
    `stripe:stripe_seq:hash-prefix`); `verify(expect_head=...)` accepts it."""
    return chain.format_head(repository.heads(session))


def latest_seq(session: Session) -> int:
    """The newest event's display number (0 for an empty trail)."""
    return repository.latest_seq(session)


def verify(session: Session, *, expect_head: str | None = None, batch_size: int = 5000) -> chain.Result:
    """Walk every stripe (streaming) and report how much is intact, and the first broken event of each stripe."""
    verifier = chain.Verifier(
        max_seq=repository.max_stripe_seq(session), stripes=repository.stripe_count(session), expect_head=expect_head
    )
    for batch in repository.chain_batches(session, batch_size):
        verifier.feed(batch)
    return verifier.result()


def verify_events(
    events: Iterable[dict], *, expect_head: str | None = None, max_seq: int | None = None, stripes: int = 1
) -> chain.Result:
    """The same check over events given in (stripe, stripe_seq) order (for tests and tools)."""
    verifier = chain.Verifier(max_seq=max_seq, stripes=stripes, expect_head=expect_head)
    verifier.feed(events)
    return verifier.result()


# --- Reading the trail (the staff page and the staff API) -------------------------------------------------------

PAGE_SIZE = 50
READ_ALL = "audit.read-all"


@dataclass(frozen=True)
class EventRow:
    event: AuditEvent
    account_name: str | None
    organisation_name: str | None


@dataclass(frozen=True)
class EventPage:
    rows: list[EventRow]
    next_before: int | None  # pass as `before` for the next (older) page; None on the last page
    head_seq: int  # the newest event's display number
    head: str  # the trail's head (chain.format_head), to keep elsewhere


def _day(value: str | None, name: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            errors=[FieldError(name, N_("Enter a date like 2026-11-23."))]
        ) from None


def build_filter(
    actor: Actor,
    *,
    timezone: str,
    organisation_id: str | None = None,
    action: str | None = None,
    account_id: str | None = None,
    record_type: str | None = None,
    record_id: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    before: int | None = None,
) -> repository.EventFilter:
    """The filter an actor may apply: without audit.read-all, always their own organisation. Dates are whole days
    in the deployment's time zone, both ends included."""
    errors = []
    checks = (
        ("action", action, ACTION, 64),
        ("account_id", account_id, IDENTIFIER, 36),
        ("organisation_id", organisation_id, IDENTIFIER, 36),
        ("record_type", record_type, WORD, 32),
        ("record_id", record_id, IDENTIFIER, 64),
    )
    for name, value, pattern, length in checks:
        if value and (len(value) > length or not pattern.fullmatch(value)):
            errors.append(FieldError(name, N_("This is not a valid value for this filter.")))
    try:
        first = _day(date_from, "date_from")
    except InvalidInput as error:
        errors.extend(error.errors)
        first = None
    try:
        last = _day(date_to, "date_to")
    except InvalidInput as error:
        errors.extend(error.errors)
        last = None
    if errors:
        raise InvalidInput(errors=errors)
    zone = ZoneInfo(timezone)
    since = dt.datetime.combine(first, dt.time(), zone) if first else None
    until = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), zone) if last else None
    if not actor.can(READ_ALL):
        organisation_id = actor.organisation_id
    return repository.EventFilter(
        organisation_id=organisation_id or None,
        action=action or None,
        account_id=account_id or None,
        record_type=record_type or None,
        record_id=record_id or None,
        since=since,
        until=until,
        before_seq=before,
    )


def read_events(
    session: Session,
    actor: Actor,
    event_filter: repository.EventFilter,
    *,
    limit: int | None = None,
    request_id: str | None = None,
) -> EventPage:
    """One page of events, newest first, with the staff member's and organisation's names. Reading the trail is
    itself audited (`audit.read`), recorded last so the chain lock is held briefly."""
    if not actor.can(READ_ALL) and event_filter.organisation_id != actor.organisation_id:
        raise Forbidden()
    limit = limit or PAGE_SIZE
    events = repository.list_events(session, event_filter, limit + 1)
    more = len(events) > limit
    events = events[:limit]
    names = repository.account_names(session, {e.account_id for e in events if e.account_id})
    organisations = repository.organisation_names(session, {e.organisation_id for e in events if e.organisation_id})
    page = EventPage(
        rows=[EventRow(e, names.get(e.account_id or ""), organisations.get(e.organisation_id or "")) for e in events],
        next_before=events[-1].seq if more and events else None,
        head_seq=latest_seq(session),
        head=head(session),
    )
    record(session, "audit.read", actor=actor, record_type="audit_event", request_id=request_id)
    return page


def staff_choices(session: Session, actor: Actor, organisation_id: str | None = None) -> list[tuple[str, str]]:
    """(account id, name) of the staff of one organisation, to pick whose events to show: the actor's own, or with
    audit.read-all the organisation chosen in the filter (one organisation's list keeps the page small; anyone else
    can be found by e-mail)."""
    if actor.can(READ_ALL) and organisation_id:
        return repository.staff_choices(session, organisation_id)
    return repository.staff_choices(session, actor.organisation_id)


def organisation_choices(session: Session, actor: Actor) -> list[tuple[str, str]]:
    if not actor.can(READ_ALL):
        return []
    return repository.organisation_choices(session)


def account_id_for_email(session: Session, actor: Actor, email: str) -> str | None:
    """The id of the staff account with this e-mail, if the actor may see its events (the same None whether it does
    not exist or is outside their organisation)."""
    from carebridge.accounts import service as accounts

    account = accounts.account_by_email(session, email)
    if account is None or (not actor.can(READ_ALL) and account.organisation_id != actor.organisation_id):
        return None
    return account.id

