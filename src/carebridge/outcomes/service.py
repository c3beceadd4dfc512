"""Outcomes over time: one person's PHQ-9 and GAD-7 scores, and a service's figures (counts only, never a person).

    scores = person_scores(session, settings, actor, client, request_id=...)      # the person's page (audited)
    report = outcomes_report(session, actor, Period(start, end), organisation_id=None)

The person's scores: every PHQ-9 and GAD-7 of the person, oldest first, with the first and latest compared
(outcomes.measures). Reading them is audited `outcomes.read` on the person's record.

The service's figures, over a period (the deployment's days, both ends included), for the actor's organisation — or,
for holders of report.all-organisations, every organisation or one chosen:
- people assessed, by category (their latest assessment in the period; a staff override wins over the rules);
- people screened and people screened positive, by instrument;
- risk flags opened, and how many were closed within a day (closed_at - raised_at <= 24 hours);
- reliable improvement, deterioration, recovery and reliable recovery for PHQ-9 and GAD-7, among people with two
  scores or more in the period (first and latest in the period compared, in SQL with the thresholds of
  outcomes.measures);
- goals set in the period, by their status now (achieved, open, stopped).
Only people with consent for anonymous statistics in force are counted (firewall.reports' rule, joined in SQL), and
every count under 10 is suppressed (firewall.reports.suppress / shown). A rate is shown only when the two counts it
is made of are. Producing the figures is audited `report.outcomes` (record_type organisation).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import BigInteger, ColumnElement, Select, and_, case, cast, func, literal, select, text
from sqlalchemy.orm import Session

from carebridge.accounts.access import Actor
from carebridge.accounts.models import Organisation
from carebridge.assessments.models import Assessment
from carebridge.audit import service as audit
from carebridge.clients import service as clients
from carebridge.clients.models import Client
from carebridge.consent import service as consent
from carebridge.consent.models import Consent
from carebridge.errors import N_, FieldError, Forbidden, InvalidInput, NotFound
from carebridge.firewall import reports
from carebridge.firewall.reports import Breakdown, Figure, shown
from carebridge.kit import clock
from carebridge.outcomes.measures import MEASURES, Change, compare
from carebridge.plans.models import Goal
from carebridge.risk.models import RiskFlag
from carebridge.screening.models import Screening

THRESHOLD = reports.THRESHOLD
CATEGORIES = {
    "resilience": N_("Resilience"),
    "guidance": N_("Guidance"),
    "complex": N_("Complex"),
    "critical": N_("Critical"),
}
INSTRUMENTS = {"phq-9": "PHQ-9", "gad-7": "GAD-7", "pc-ptsd-5": "PC-PTSD-5", "rhs-15": "RHS-15"}
GOAL_STATUSES = {"achieved": N_("Achieved"), "open": N_("Open"), "stopped": N_("Stopped")}
# The longest period a report covers: ten years is far beyond any planning question and keeps the input bounded.
LONGEST_PERIOD_DAYS = 3660
DAY = dt.timedelta(hours=24)


# --- One person ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Score:
    id: str
    instrument: str
    completed_at: dt.datetime
    total: int
    band: str


@dataclass(frozen=True)
class Series:
    instrument: str
    scores: list[Score]
    # None with fewer than two scores.
    change: Change | None


def person_scores(
    session: Session, actor: Actor, client: Client, *, request_id: str | None = None
) -> list[Series] | None:
    """The person's PHQ-9 and GAD-7 series (None when the actor may not read screening for this person: no
    screening.read, or out of its scope); audited `outcomes.read`."""
    if not actor.can("screening.read"):
        return None
    try:
        clients.find_client(session, actor, client.id, "screening.read")
    except NotFound:  # out of scope for screening (a receptionist reads the record, not the scores)
        return None
    rows = session.execute(
        select(Screening.id, Screening.instrument, Screening.completed_at, Screening.total, Screening.band)
        .where(Screening.client_id == client.id, Screening.instrument.in_(tuple(MEASURES)))
        .order_by(Screening.completed_at, Screening.id)
    ).all()
    audit.record(
        session, "outcomes.read", actor=actor, record_type=clients.RECORD_TYPE, record_id=client.id, request_id=request_id
    )
    series = []
    for instrument, measure in MEASURES.items():
        scores = [Score(row.id, row.instrument, row.completed_at, row.total, row.band) for row in rows if row.instrument == instrument]
        change = compare(measure, scores[0].total, scores[-1].total) if len(scores) >= 2 else None
        series.append(Series(instrument, scores, change))
    return series


# --- A service's figures ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Days of the deployment's calendar, both included."""

    start: dt.date
    end: dt.date

    def bounds(self, timezone: str | None) -> tuple[dt.datetime, dt.datetime]:
        """[start of the first day, start of the day after the last) in UTC."""
        zone = clock.zone(timezone) if timezone else dt.UTC
        begin = dt.datetime.combine(self.start, dt.time(), tzinfo=zone).astimezone(dt.UTC)
        finish = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time(), tzinfo=zone).astimezone(dt.UTC)
        return begin, finish


def default_period(timezone: str | None) -> Period:
    """The last 12 months up to today."""
    today = clock.today(timezone)
    try:
        year_ago = today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        year_ago = today.replace(year=today.year - 1, day=28)
    return Period(year_ago + dt.timedelta(days=1), today)


def parse_period(start: str, end: str, timezone: str | None) -> Period:
    """A period from the form's or the query's from/to (YYYY-MM-DD; either may be empty: the default's end)."""
    default = default_period(timezone)
    errors = []
    values = {}
    for name, value, fallback in (("from", start, default.start), ("to", end, default.end)):
        value = (value or "").strip()
        if not value:
            values[name] = fallback
            continue
        try:
            values[name] = dt.date.fromisoformat(value)
        except ValueError:
            errors.append(FieldError(name, N_("Enter a date like 2026-03-31.")))
    if errors:
        raise InvalidInput(N_("Check the dates of the period."), errors=errors)
    if values["from"] > values["to"]:
        raise InvalidInput(
            N_("Check the dates of the period."), errors=[FieldError("to", N_("The end of the period must not be before its start."))]
        )
    if (values["to"] - values["from"]).days > LONGEST_PERIOD_DAYS:
        raise InvalidInput(
            N_("Check the dates of the period."), errors=[FieldError("from", N_("A period can be at most ten years long."))]
        )
    return Period(values["from"], values["to"])


@dataclass(frozen=True)
class Rate:
    """A share of people, in whole per cent; None when either count it is made of is suppressed (or none to divide)."""

    percent: int | None

    @property
    def suppressed(self) -> bool:
        return self.percent is None


def _rate(numerator: Figure, denominator: Figure) -> Rate:
    if numerator.suppressed or denominator.suppressed or not denominator.count:
        return Rate(None)
    return Rate(round(100 * (numerator.count or 0) / denominator.count))


@dataclass(frozen=True)
class ScreeningRow:
    instrument: str
    title: str
    screened: Figure
    positive: Figure


@dataclass(frozen=True)
class ChangeRow:
    instrument: str
    title: str
    reliable_change: int
    caseness: int
    people: Figure  # people with two scores or more in the period
    improvement: Figure
    improvement_rate: Rate
    deterioration: Figure
    deterioration_rate: Rate
    at_caseness: Figure  # of them, at caseness at their first score: those recovery is counted for
    recovery: Figure
    recovery_rate: Rate
    reliable_recovery: Figure
    reliable_recovery_rate: Rate


@dataclass(frozen=True)
class RiskFigures:
    opened: Figure
    closed_within_a_day: Figure
    share: Rate


@dataclass(frozen=True)
class OutcomesReport:
    period: Period
    # None: every organisation (report.all-organisations).
    organisation_id: str | None
    organisation_name: str | None
    counted: Figure
    categories: Breakdown
    screening: list[ScreeningRow]
    risk: RiskFigures
    change: list[ChangeRow]
    goals: Breakdown
    threshold: int = THRESHOLD
    organisations: list[tuple[str, str]] = field(default_factory=list)


def organisations_to_choose(session: Session, actor: Actor) -> list[tuple[str, str]]:
    """(id, name) of the organisations the actor may see the figures of, by name."""
    query = select(Organisation.id, Organisation.name).order_by(Organisation.name, Organisation.id)
    if not actor.can("report.all-organisations"):
        query = query.where(Organisation.id == actor.organisation_id)
    return [(row.id, row.name) for row in session.execute(query)]


def report_organisations(
    session: Session, actor: Actor, organisation_id: str | None
) -> tuple[list[tuple[str, str]], list[str] | None, str | None]:
    """The rule every aggregate report (outcomes, referral figures) starts with: report.aggregate is needed; the
    organisations the actor may choose among, which are counted (None: all) and the one named. Forbidden for another
    organisation without report.all-organisations; InvalidInput for an unknown one."""
    if not actor.can("report.aggregate"):
        raise Forbidden(N_("You do not have permission to do that."))
    organisations = organisations_to_choose(session, actor)
    organisation_ids, named = report_scope(actor, organisation_id)
    if named is not None and named not in dict(organisations):
        raise InvalidInput(
            N_("Choose an organisation from the list."), errors=[FieldError("organisation", N_("Choose an organisation from the list."))]
        )
    return organisations, organisation_ids, named


def report_scope(actor: Actor, organisation_id: str | None) -> tuple[list[str] | None, str | None]:
    """Which organisations are counted (None: all) and the one named, for this actor and choice."""
    if not actor.can("report.all-organisations"):
        if organisation_id and organisation_id != actor.organisation_id:
            # Another organisation's figures are not this actor's to see.
            raise Forbidden(N_("You do not have permission to do that."))
        return [actor.organisation_id], actor.organisation_id
    if organisation_id:
        return [organisation_id], organisation_id
    return None, None


def _counted_people(organisation_ids: list[str] | None, *, joined: bool = True) -> Select:
    """The ids of people counted: consent for anonymous statistics in force (firewall.reports' rule), in SQL. Rows
    already filtered by their organisation need no join to the client table (`joined=False`): a row's person is in
    the row's organisation."""
    query = select(Consent.client_id).where(Consent.purpose == consent.STATISTICS, Consent.withdrawn_at.is_(None))
    if joined and organisation_ids is not None:
        query = query.join(Client, Client.id == Consent.client_id).where(Client.organisation_id.in_(organisation_ids))
    return query


def _where(model, organisation_ids: list[str] | None, counted: Select, moment, begin, finish) -> ColumnElement[bool]:  # noqa: ANN001
    clauses = [moment >= begin, moment < finish, model.client_id.in_(counted)]
    if organisation_ids is not None:
        clauses.append(model.organisation_id.in_(organisation_ids))
    return and_(*clauses)


def _packed(moment, value, base: int):  # noqa: ANN001, ANN202
    """PostgreSQL: the moment in microseconds since 1970, times `base`, plus a small value (0 <= value < base). The
    min or max of it per person is the value at their first or latest moment — found by a hash aggregate, without
    sorting anyone's rows (the window functions' sort spilled to disk at 50,000 screenings)."""
    # date_part (double precision) rather than extract (numeric, several times slower): microseconds since 1970 are
    # about 1.8e15, inside the 2**53 a double holds exactly.
    return cast(func.floor(func.date_part("epoch", moment) * 1_000_000), BigInteger) * base + value


def _is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _categories(session: Session, where: ColumnElement[bool]) -> dict[str, int]:
    """People by the category of their latest assessment in the period (an override wins)."""
    category = func.coalesce(Assessment.category_override, Assessment.category)
    codes = list(CATEGORIES)
    if _is_postgresql(session):
        code = case(*((category == name, index) for index, name in enumerate(codes)), else_=len(codes))
        person = (
            select(func.mod(func.max(_packed(Assessment.assessed_at, code, 10)), 10).label("code"))
            .where(where)
            .group_by(Assessment.client_id)
            .subquery()
        )
        rows = session.execute(select(person.c.code, func.count()).group_by(person.c.code)).all()
        return {codes[row[0]]: row[1] for row in rows if row[0] < len(codes)}
    latest = (
        select(
            category.label("category"),
            func.row_number()
            .over(partition_by=Assessment.client_id, order_by=(Assessment.assessed_at.desc(), Assessment.id.desc()))
            .label("rank"),
        )
        .where(where)
        .subquery()
    )
    rows = session.execute(
        select(latest.c.category, func.count()).where(latest.c.rank == 1).group_by(latest.c.category)
    ).all()
    return {row[0]: row[1] for row in rows}


def _threshold(column, attribute: str):  # noqa: ANN001, ANN202
    """A CASE giving each instrument's threshold (reliable_change or caseness) from outcomes.measures (NULL for the
    instruments without one: every comparison with it is then not true)."""
    return case(*((column == code, literal(getattr(measure, attribute))) for code, measure in MEASURES.items()))


CHANGE_FIGURES = ("people", "improvement", "deterioration", "at_caseness", "recovery", "reliable_recovery")


# A screening total is below this (RHS-15's 14 items x 4 + the thermometer's 10 = 66 at most).
TOTAL_BASE = 1000


def _per_person_postgresql(where: ColumnElement[bool]):  # noqa: ANN202
    """One row per person and instrument (scores, first, latest, positive at least once): a hash aggregate."""
    packed = _packed(Screening.completed_at, Screening.total, TOTAL_BASE)
    return (
        select(
            Screening.instrument,
            func.count().label("scores"),
            func.mod(func.min(packed), TOTAL_BASE).label("first"),
            func.mod(func.max(packed), TOTAL_BASE).label("latest"),
            func.max(case((Screening.positive.is_(True), 1), else_=0)).label("positive"),
        )
        .where(where)
        .group_by(Screening.client_id, Screening.instrument)
        .subquery()
    )


def _per_person_portable(where: ColumnElement[bool]):  # noqa: ANN202
    """The same with window functions (SQLite; one window, one sort): first and latest by (completed_at, id)."""
    window = {
        "partition_by": (Screening.client_id, Screening.instrument),
        "order_by": (Screening.completed_at, Screening.id),
    }
    whole = {**window, "rows": (None, None)}
    ranked = (
        select(
            Screening.instrument,
            func.row_number().over(**window).label("up"),
            func.first_value(Screening.total).over(**whole).label("first"),
            func.last_value(Screening.total).over(**whole).label("latest"),
            func.count().over(**whole).label("scores"),
            func.max(case((Screening.positive.is_(True), 1), else_=0)).over(**whole).label("positive"),
        )
        .where(where)
        .subquery()
    )
    return select(ranked).where(ranked.c.up == 1).subquery()


def _screening(session: Session, where: ColumnElement[bool]) -> dict[str, dict[str, int]]:
    """Per instrument, in one pass over the period's screenings: people screened, people
    screened positive at least once, and — for PHQ-9 and GAD-7 — people with two scores or more and how many of them
    improved, deteriorated, were at caseness first, recovered, reliably recovered (first and latest score in the
    period; the same rules as outcomes.measures.compare, tested against it)."""
    person = _per_person_postgresql(where) if _is_postgresql(session) else _per_person_portable(where)
    reliable = _threshold(person.c.instrument, "reliable_change")
    caseness = _threshold(person.c.instrument, "caseness")
    repeated = person.c.scores >= 2
    improved = and_(repeated, person.c.first - person.c.latest >= reliable)
    worse = and_(repeated, person.c.latest - person.c.first >= reliable)
    at_caseness = and_(repeated, person.c.first >= caseness)
    recovered = and_(at_caseness, person.c.latest < caseness)

    def count_if(condition):  # noqa: ANN001, ANN202
        return func.sum(case((condition, 1), else_=0))

    rows = session.execute(
        select(
            person.c.instrument,
            func.count(),
            func.sum(person.c.positive),
            count_if(and_(repeated, reliable.is_not(None))),
            count_if(improved),
            count_if(worse),
            count_if(at_caseness),
            count_if(recovered),
            count_if(and_(recovered, improved)),
        ).group_by(person.c.instrument)
    ).all()
    names = ("screened", "positive", *CHANGE_FIGURES)
    return {row[0]: dict(zip(names, (int(value or 0) for value in row[1:]), strict=True)) for row in rows}


def _risk(session: Session, where: ColumnElement[bool]) -> tuple[int, int]:
    """Flags raised in the period, and how many of them were closed within 24 hours of being raised (computed here:
    date arithmetic is not portable between the two databases, and flags are few next to screenings)."""
    rows = session.execute(select(RiskFlag.raised_at, RiskFlag.closed_at).where(where)).all()
    quick = sum(1 for row in rows if row.closed_at is not None and row.closed_at - row.raised_at <= DAY)
    return len(rows), quick


def _goals(session: Session, where: ColumnElement[bool]) -> dict[str, int]:
    rows = session.execute(select(Goal.status, func.count()).where(where).group_by(Goal.status)).all()
    return {row[0]: row[1] for row in rows}


def _breakdown(name: str, title: str, labels: dict[str, str], counts: dict[str, int]) -> Breakdown:
    total = sum(counts.get(key, 0) for key in labels)
    total_figure = Figure("total", N_("Total"), shown(total))
    cells = [reports.Cell(key, label, counts.get(key, 0)) for key, label in labels.items()]
    return Breakdown(name, title, total_figure, reports.suppress(cells, total_shown=not total_figure.suppressed))


def _figure(key: str, label: str, count: int) -> Figure:
    return Figure(key, label, shown(count))


def outcomes_report(
    session: Session,
    actor: Actor,
    period: Period,
    *,
    timezone: str | None = None,
    organisation_id: str | None = None,
    request_id: str | None = None,
) -> OutcomesReport:
    """The figures (suppressed) for the period; audited `report.outcomes`."""
    organisations, organisation_ids, named = report_organisations(session, actor, organisation_id)
    names = dict(organisations)
    begin, finish = period.bounds(timezone)
    counted = _counted_people(organisation_ids, joined=False)
    if _is_postgresql(session):
        # psycopg prepares a statement on its fifth run, and PostgreSQL may then plan it once for any period and
        # organisation ("generic plan"): the screening figures took 57 ms instead of 31 ms from the tenth page view on
        # (bench/outcomes.py). These few analytic statements are planned in well under a millisecond: plan them for
        # their own values every time, for this transaction only.
        session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))

    counted_total = session.scalar(
        select(func.count(func.distinct(_counted_people(organisation_ids).subquery().c.client_id)))
    ) or 0
    categories = _categories(session, _where(Assessment, organisation_ids, counted, Assessment.assessed_at, begin, finish))
    screened = _screening(session, _where(Screening, organisation_ids, counted, Screening.completed_at, begin, finish))
    opened, quick = _risk(session, _where(RiskFlag, organisation_ids, counted, RiskFlag.raised_at, begin, finish))
    goals = _goals(session, _where(Goal, organisation_ids, counted, Goal.created_at, begin, finish))

    screening_rows = []
    for code, title in INSTRUMENTS.items():
        found = screened.get(code, {})
        people, positive = found.get("screened", 0), found.get("positive", 0)
        screening_rows.append(
            ScreeningRow(code, title, _figure("screened", N_("People screened"), people), _figure("positive", N_("Screened positive"), positive))
        )
    change_rows = []
    for code, measure in MEASURES.items():
        found = screened.get(code, {})
        people = _figure("people", N_("People with two scores or more"), found.get("people", 0))
        improvement = _figure("improvement", N_("Reliable improvement"), found.get("improvement", 0))
        deterioration = _figure("deterioration", N_("Reliable deterioration"), found.get("deterioration", 0))
        at_caseness = _figure("at_caseness", N_("At caseness at the first score"), found.get("at_caseness", 0))
        recovery = _figure("recovery", N_("Recovery"), found.get("recovery", 0))
        reliable_recovery = _figure("reliable_recovery", N_("Reliable recovery"), found.get("reliable_recovery", 0))
        change_rows.append(
            ChangeRow(
                instrument=code,
                title=measure.title,
                reliable_change=measure.reliable_change,
                caseness=measure.caseness,
                people=people,
                improvement=improvement,
                improvement_rate=_rate(improvement, people),
                deterioration=deterioration,
                deterioration_rate=_rate(deterioration, people),
                at_caseness=at_caseness,
                recovery=recovery,
                recovery_rate=_rate(recovery, at_caseness),
                reliable_recovery=reliable_recovery,
                reliable_recovery_rate=_rate(reliable_recovery, at_caseness),
            )
        )
    opened_figure = _figure("opened", N_("Risk flags opened"), opened)
    quick_figure = _figure("closed_within_a_day", N_("Closed within a day"), quick)
    report = OutcomesReport(
        period=period,
        organisation_id=named,
        organisation_name=names.get(named) if named else None,
        counted=_figure("counted", N_("People who agreed to be counted"), counted_total),
        categories=_breakdown("categories", N_("People assessed, by category"), CATEGORIES, categories),
        screening=screening_rows,
        risk=RiskFigures(opened_figure, quick_figure, _rate(quick_figure, opened_figure)),
        change=change_rows,
        goals=_breakdown("goals", N_("Goals set in the period, by status now"), GOAL_STATUSES, goals),
        organisations=organisations if actor.can("report.all-organisations") else [],
    )
    audit.record(
        session,
        "report.outcomes",
        actor=actor,
        record_type="organisation",
        record_id=named or actor.organisation_id,
        request_id=request_id,
    )
    return report
