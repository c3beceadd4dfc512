"""Referral figures for service managers and planners (permission report.aggregate): counts of referrals, never a
person.

    report = referral_report(session, actor, Period(start, end), timezone=..., organisation_id=None)

Which referrals: those the organisation **sent** (referring organisation) and that were requested in the period (the
deployment's days, both ends included) — drafts were never sent and are not counted. Holders of
report.all-organisations see every organisation's, or one chosen. Each figure is given for all of them and by
receiving organisation (the Carebridge organisation, or the directory's organisation when the receiver does not use
Carebridge); receiving organisations with fewer than 10 referrals in the period are pooled as "Other organisations"
first, so that a rarely used service's name does not point at someone.

The figures (definitions, also in docs/referral-reports.md):
- **sent**: referrals requested in the period, entered-in-error ones left out (a mistake is not a referral);
- **by state now**: how many of them are in each state today (entered-in-error shown apart, not in `sent`);
- **accepted**: those the receiver accepted (answered_at set and not rejected), whatever happened after;
- **median days to acceptance**: the median of answered_at − requested_at over the accepted ones, in days with one
  decimal (computed in SQL with window functions, on both databases);
- **completed** and the **completion rate**: completed ÷ sent;
- **lost** and the **lost rate** (lost ÷ sent): rejected for no answer (the 14-day job), failed, or cancelled before
  the receiver accepted — referrals that never reached the person's help without a receiver saying "not for us".

Small counts are suppressed exactly as the other figures are (firewall.reports): any count below 10 is "fewer than
10"; across a breakdown whose total is shown, a single hidden cell takes the next smallest with it; a rate is shown
only when both counts it is made of are; a median only when the accepted count it is taken over is shown. Producing
the figures is audited `report.referrals` (record_type organisation). No person's data is read: not even the sealed
columns are touched.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from carebridge.accounts.access import Actor
from carebridge.accounts.models import Organisation
from carebridge.audit import service as audit
from carebridge.config import Settings
from carebridge.errors import N_
from carebridge.firewall import reports
from carebridge.firewall.reports import Breakdown, Figure, shown
from carebridge.outcomes.service import (
    Period,
    default_period,
    organisations_to_choose,
    parse_period,
    report_organisations,
)
from carebridge.referrals.models import Referral
from carebridge.referrals.states import NO_ANSWER, State

__all__ = ["Period", "default_period", "parse_period", "referral_report", "organisations_to_choose"]

THRESHOLD = reports.THRESHOLD
OTHER = "other"
OTHER_LABEL = N_("Other organisations (fewer than 10 referrals each)")
ALL_LABEL = N_("All receiving organisations")
STATE_LABELS = {
    State.REQUESTED.value: N_("Waiting for an answer"),
    State.ACCEPTED.value: N_("Accepted"),
    State.IN_PROGRESS.value: N_("In progress"),
    State.ON_HOLD.value: N_("On hold"),
    State.COMPLETED.value: N_("Completed"),
    State.REJECTED.value: N_("Rejected"),
    State.CANCELLED.value: N_("Cancelled"),
    State.FAILED.value: N_("Failed"),
}
ENTERED_IN_ERROR_LABEL = N_("Entered in error")


@dataclass(frozen=True)
class Rate:
    percent: int | None

    @property
    def suppressed(self) -> bool:
        return self.percent is None


@dataclass(frozen=True)
class Row:
    """One receiving organisation (or all, or the pooled small ones) as it may be shown."""

    key: str
    label: str
    translate: bool
    sent: Figure
    states: Breakdown
    accepted: Figure
    median_days: float | None
    completed: Figure
    completion_rate: Rate
    lost: Figure
    lost_rate: Rate


@dataclass(frozen=True)
class ReferralReport:
    period: Period
    organisation_id: str | None
    organisation_name: str | None
    total: Row
    rows: list[Row]
    entered_in_error: Figure
    threshold: int = THRESHOLD
    organisations: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class _Counts:
    label: str
    translate: bool = False
    states: dict[str, int] = field(default_factory=dict)
    accepted: int = 0
    lost: int = 0
    durations: list[float] = field(default_factory=list)

    @property
    def sent(self) -> int:
        return sum(self.states.values())

    def add(self, other: _Counts) -> None:
        for state, count in other.states.items():
            self.states[state] = self.states.get(state, 0) + count
        self.accepted += other.accepted
        self.lost += other.lost


def _rate(numerator: Figure, denominator: Figure) -> Rate:
    if numerator.suppressed or denominator.suppressed or not denominator.count:
        return Rate(None)
    return Rate(round(100 * (numerator.count or 0) / denominator.count))


def _group_key():  # noqa: ANN202
    """The receiving organisation: Carebridge's, else the directory's (a tracked referral), as one text key."""
    return func.coalesce(Referral.receiving_organisation_id, literal("directory:") + func.coalesce(Referral.directory_organization_id, literal("")))


def _duration_seconds(session: Session):  # noqa: ANN202
    if session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", Referral.answered_at - Referral.requested_at)
    return (func.julianday(Referral.answered_at) - func.julianday(Referral.requested_at)) * 86400.0


def _accepted() -> ColumnElement[bool]:
    return and_(Referral.answered_at.is_not(None), Referral.status != State.REJECTED.value)


def _lost() -> ColumnElement[bool]:
    return or_(
        and_(Referral.status == State.REJECTED.value, Referral.status_reason == NO_ANSWER),
        Referral.status == State.FAILED.value,
        and_(Referral.status == State.CANCELLED.value, Referral.answered_at.is_(None)),
    )


def _medians(session: Session, where: ColumnElement[bool]) -> dict[str, float]:
    """Median seconds to acceptance per receiving organisation, and overall (key ""), in SQL on both databases."""
    duration = _duration_seconds(session).label("duration")
    key = _group_key().label("key")
    accepted = select(key, duration).where(where, _accepted()).subquery()
    ranked = select(
        accepted.c.key,
        accepted.c.duration,
        func.row_number().over(partition_by=accepted.c.key, order_by=accepted.c.duration).label("position"),
        func.count().over(partition_by=accepted.c.key).label("size"),
    ).subquery()
    middle = and_(
        ranked.c.position >= (ranked.c.size + 1) // 2,
        ranked.c.position <= (ranked.c.size + 2) // 2,
    )
    medians = {row.key: float(row.median) for row in session.execute(
        select(ranked.c.key, func.avg(ranked.c.duration).label("median")).where(middle).group_by(ranked.c.key)
    )}
    overall = select(
        accepted.c.duration,
        func.row_number().over(order_by=accepted.c.duration).label("position"),
        func.count().over().label("size"),
    ).subquery()
    value = session.scalar(select(func.avg(overall.c.duration)).where(
        overall.c.position >= (overall.c.size + 1) // 2, overall.c.position <= (overall.c.size + 2) // 2))
    if value is not None:
        medians[""] = float(value)
    return medians


def _days(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 86400.0, 1)


def _row(key: str, counts: _Counts, median_seconds: float | None) -> Row:
    sent = Figure("sent", N_("Referrals sent"), shown(counts.sent))
    cells = [reports.Cell(state, label, counts.states.get(state, 0)) for state, label in STATE_LABELS.items()]
    states = Breakdown("states", N_("By state now"), sent, reports.suppress(cells, total_shown=not sent.suppressed))
    completed_figure = next(cell for cell in states.cells if cell.key == State.COMPLETED.value)
    accepted = Figure("accepted", N_("Accepted"), shown(counts.accepted))
    lost = Figure("lost", N_("Lost"), shown(counts.lost))
    return Row(
        key=key,
        label=counts.label,
        translate=counts.translate,
        sent=sent,
        states=states,
        accepted=accepted,
        median_days=None if accepted.suppressed else _days(median_seconds),
        completed=completed_figure,
        completion_rate=_rate(completed_figure, sent),
        lost=lost,
        lost_rate=_rate(lost, sent),
    )


def _suppress_column(rows: list[Row], total: Figure, attribute: str) -> list[Figure]:
    """Secondary suppression down a column (receiving organisations) whose total is shown."""
    figures = [getattr(row, attribute) for row in rows]
    cells = [reports.Cell(str(index), figure.label, figure.count if figure.count is not None else 0) for index, figure in enumerate(figures)]
    # Already-hidden cells stay hidden: give them a count below the threshold for suppress() to see.
    suppressed = reports.suppress(cells, total_shown=not total.suppressed)
    return [Figure(figure.key, figure.label, None if figure.suppressed or after.suppressed else figure.count)
            for figure, after in zip(figures, suppressed, strict=True)]


def referral_report(
    session: Session,
    actor: Actor,
    period: Period,
    *,
    timezone: str | None = None,
    organisation_id: str | None = None,
    request_id: str | None = None,
) -> ReferralReport:
    """The figures (suppressed) for the period; audited `report.referrals`."""
    organisations, organisation_ids, named = report_organisations(session, actor, organisation_id)
    names = dict(organisations)
    begin, finish = period.bounds(timezone)
    clauses = [Referral.requested_at >= begin, Referral.requested_at < finish]
    if organisation_ids is not None:
        clauses.append(Referral.referring_organisation_id.in_(organisation_ids))
    where = and_(*clauses)

    key = _group_key().label("key")
    lost = case((_lost(), 1), else_=0)
    accepted = case((_accepted(), 1), else_=0)
    query = (
        select(
            key,
            func.max(func.coalesce(Organisation.name, Referral.organization_name)).label("label"),
            Referral.status,
            func.count().label("count"),
            func.sum(accepted).label("accepted"),
            func.sum(lost).label("lost"),
        )
        .outerjoin(Organisation, Organisation.id == Referral.receiving_organisation_id)
        .where(where)
        .group_by(key, Referral.status)
    )
    groups: dict[str, _Counts] = {}
    entered_in_error = 0
    for row in session.execute(query):
        if row.status == State.ENTERED_IN_ERROR.value:
            entered_in_error += row.count
            continue
        if row.status not in STATE_LABELS:
            continue
        counts = groups.setdefault(row.key, _Counts(label=row.label or ""))
        counts.states[row.status] = counts.states.get(row.status, 0) + row.count
        counts.accepted += int(row.accepted or 0)
        counts.lost += int(row.lost or 0)
        if row.label and row.label > counts.label:
            counts.label = row.label

    medians = _medians(session, and_(where, Referral.status != State.ENTERED_IN_ERROR.value))
    everyone = _Counts(label=ALL_LABEL, translate=True)
    other = _Counts(label=OTHER_LABEL, translate=True)
    big: list[tuple[str, _Counts]] = []
    for group_key, counts in groups.items():
        everyone.add(counts)
        if counts.sent >= THRESHOLD:
            big.append((group_key, counts))
        else:
            other.add(counts)
    big.sort(key=lambda item: (-item[1].sent, item[1].label, item[0]))
    total = _row("all", everyone, medians.get(""))
    rows = [_row(f"organisation-{index}", counts, medians.get(group_key)) for index, (group_key, counts) in enumerate(big, 1)]
    if other.sent:
        # The pooled organisations' median would mix services: not given.
        rows.append(_row(OTHER, other, None))
    rows = _secondary(rows, total)
    report = ReferralReport(
        period=period,
        organisation_id=named,
        organisation_name=names.get(named) if named else None,
        total=total,
        rows=rows,
        entered_in_error=Figure("entered-in-error", ENTERED_IN_ERROR_LABEL, shown(entered_in_error)),
        organisations=organisations if actor.can("report.all-organisations") else [],
    )
    audit.record(
        session,
        "report.referrals",
        actor=actor,
        record_type="organisation",
        record_id=named or actor.organisation_id,
        request_id=request_id,
    )
    return report


def _secondary(rows: list[Row], total: Row) -> list[Row]:
    """Down each column, so that a hidden organisation's count is not the total minus the shown ones."""
    if len(rows) < 2:
        return rows
    sent = _suppress_column(rows, total.sent, "sent")
    accepted = _suppress_column(rows, total.accepted, "accepted")
    lost = _suppress_column(rows, total.lost, "lost")
    columns: dict[str, list[Figure]] = {}
    for state in STATE_LABELS:
        figures = [next(cell for cell in row.states.cells if cell.key == state) for row in rows]
        total_cell = next(cell for cell in total.states.cells if cell.key == state)
        holder = [Row(row.key, row.label, row.translate, figure, row.states, figure, None, figure, Rate(None), figure, Rate(None))
                  for row, figure in zip(rows, figures, strict=True)]
        columns[state] = _suppress_column(holder, total_cell, "sent")
    result = []
    for index, row in enumerate(rows):
        cells = [columns[state][index] for state in STATE_LABELS]
        states = Breakdown(row.states.name, row.states.title, sent[index], cells)
        completed = columns[State.COMPLETED.value][index]
        result.append(Row(
            key=row.key, label=row.label, translate=row.translate, sent=sent[index], states=states,
            accepted=accepted[index],
            median_days=row.median_days if not accepted[index].suppressed else None,
            completed=completed, completion_rate=_rate(completed, sent[index]),
            lost=lost[index], lost_rate=_rate(lost[index], sent[index]),
        ))
    return result


# --- Referrals sent without consent (the service manager's list) ------------------------------------------------------

OVERRIDES_PAGE = 50


@dataclass(frozen=True)
class Override:
    """One referral sent without consent, as the service manager's list shows it (its reason opened)."""

    referral_id: str
    client_id: str
    person_name: str
    service_name: str
    organization_name: str
    sent_by: str
    sent_at: dt.datetime
    reason: str
    seen_by: str | None
    seen_at: dt.datetime | None


@dataclass(frozen=True)
class OverridesPage:
    rows: list[Override]
    unseen: int
    total: int
    page: int
    pages: int


def _overrides_query(actor: Actor):  # noqa: ANN202
    from carebridge.clients import service as clients
    from carebridge.clients.models import Client

    return (
        select(Referral)
        .join(Client, Client.id == Referral.client_id)
        .where(
            Referral.consent_override.is_(True),
            Referral.referring_organisation_id == actor.organisation_id,
            clients.scope(actor, OVERSEE),
        )
    )


OVERSEE = "referral.oversee"


def overrides(session: Session, settings: Settings, actor: Actor, *, page: int = 1,
              request_id: str | None = None) -> OverridesPage:
    """The organisation's referrals sent without consent, not yet reviewed first (then newest first), 50 a page; each
    row's person is audited `referral.override-read` (their name and the sealed reason are opened)."""
    from carebridge.accounts.models import StaffAccount
    from carebridge.clients import service as clients
    from carebridge.clients.models import Client
    from carebridge.keys import service as keys

    clients.check(actor, OVERSEE)
    base = _overrides_query(actor).subquery()
    total = session.scalar(select(func.count()).select_from(base)) or 0
    unseen = session.scalar(select(func.count()).select_from(base).where(base.c.override_seen_at.is_(None))) or 0
    pages = max(1, -(-total // OVERRIDES_PAGE))
    page = min(max(1, page), pages)
    referrals = list(session.scalars(
        _overrides_query(actor)
        .order_by(Referral.override_seen_at.is_not(None), Referral.created_at.desc(), Referral.id)
        .offset((page - 1) * OVERRIDES_PAGE)
        .limit(OVERRIDES_PAGE)
    ))
    client_ids = list(dict.fromkeys(referral.client_id for referral in referrals))
    people = list(session.scalars(select(Client).where(Client.id.in_(client_ids)))) if client_ids else []
    profiles = clients.open_profiles(session, settings, people)
    data_keys = keys.data_keys(session, settings, clients.SUBJECT, client_ids)
    account_ids = {i for referral in referrals for i in (referral.referred_by, referral.override_seen_by) if i}
    names = {row.id: row.name for row in session.execute(
        select(StaffAccount.id, StaffAccount.name).where(StaffAccount.id.in_(account_ids)))} if account_ids else {}
    if client_ids:
        audit.record_many(session, "referral.override-read", actor=actor, record_type=clients.RECORD_TYPE,
                          record_ids=client_ids, request_id=request_id)
    rows = []
    for referral in referrals:
        key = data_keys.get(referral.client_id)
        reason = ""
        if key is not None and referral.override_reason is not None:
            reason = key.open_text("referral", "override_reason", referral.id, referral.override_reason) or ""
        profile = profiles.get(referral.client_id)
        rows.append(Override(
            referral_id=referral.id,
            client_id=referral.client_id,
            person_name=profile.preferred_name if profile else "",
            service_name=referral.service_name,
            organization_name=referral.organization_name,
            sent_by=names.get(referral.referred_by or "", ""),
            sent_at=referral.requested_at or referral.created_at,
            reason=reason,
            seen_by=names.get(referral.override_seen_by or "") if referral.override_seen_by else None,
            seen_at=referral.override_seen_at,
        ))
    return OverridesPage(rows=rows, unseen=unseen, total=total, page=page, pages=pages)


def mark_override_seen(session: Session, actor: Actor, referral_id: str, *, request_id: str | None = None) -> bool:
    """The service manager has reviewed a referral sent without consent: sets override_seen_by/at once (a second
    manager at the same moment finds it done: False). NotFound outside the actor's organisation and scope. Audited
    `referral.override-seen` on the person's record. The referral's `version` is not touched: reviewing the override
    is not a move, and must not make a worker's pending move stale."""
    from sqlalchemy import update

    from carebridge.clients import service as clients
    from carebridge.errors import NotFound
    from carebridge.kit import clock

    clients.check(actor, OVERSEE)
    referral = session.scalar(_overrides_query(actor).where(Referral.id == referral_id)) if (
        isinstance(referral_id, str) and len(referral_id) <= 36) else None
    if referral is None:
        raise NotFound(N_("We could not find that referral."))
    changed = session.execute(
        update(Referral)
        .where(Referral.id == referral.id, Referral.override_seen_at.is_(None))
        .values(override_seen_by=actor.account_id, override_seen_at=clock.utc_now())
        .execution_options(synchronize_session=False)
    ).rowcount
    session.expire(referral)
    if changed:
        audit.record(session, "referral.override-seen", actor=actor, record_type=clients.RECORD_TYPE,
                     record_id=referral.client_id, request_id=request_id)
    return bool(changed)
