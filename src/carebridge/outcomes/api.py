"""JSON API of the outcomes domain under /api/v1 (issue 10 §5): the outcomes figures (report.aggregate).

    GET /api/v1/reports/outcomes?from=2026-01-01&to=2026-12-31[&organisation=<id>]

The same figures as /staff/outcomes. A suppressed count is `null` with `suppressed: true` and the reason; a rate is
`null` when a count it is made of is suppressed. The true values never leave the server.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel

from carebridge.accounts.access import Actor, requires
from carebridge.firewall.reports import Breakdown, Figure
from carebridge.outcomes import service
from carebridge.problems import problem_responses
from carebridge.web import SessionDep, SettingsDep, request_id

router = APIRouter(prefix="/api/v1", tags=["staff"])

SUPPRESSED_REASON = "fewer than 10 people, or hidden so that another count cannot be worked out by subtraction"


class FigureOut(BaseModel):
    key: str
    label: str
    count: int | None
    suppressed: bool
    reason: str | None = None


class RateOut(BaseModel):
    percent: int | None
    suppressed: bool


class BreakdownOut(BaseModel):
    name: str
    total: FigureOut
    cells: list[FigureOut]


class ScreeningOut(BaseModel):
    instrument: str
    screened: FigureOut
    positive: FigureOut


class RiskOut(BaseModel):
    opened: FigureOut
    closed_within_a_day: FigureOut
    share_closed_within_a_day: RateOut


class ChangeOut(BaseModel):
    instrument: str
    reliable_change: int
    caseness: int
    people: FigureOut
    reliable_improvement: FigureOut
    reliable_improvement_rate: RateOut
    reliable_deterioration: FigureOut
    reliable_deterioration_rate: RateOut
    at_caseness_first: FigureOut
    recovery: FigureOut
    recovery_rate: RateOut
    reliable_recovery: FigureOut
    reliable_recovery_rate: RateOut


class OutcomesReportOut(BaseModel):
    """Outcomes of the people who agreed to be counted, over a period (both days included)."""

    period_from: str
    period_to: str
    organisation_id: str | None
    threshold: int
    counted: FigureOut
    categories: BreakdownOut
    screening: list[ScreeningOut]
    risk_flags: RiskOut
    change: list[ChangeOut]
    goals: BreakdownOut


def _figure(figure: Figure) -> FigureOut:
    return FigureOut(
        key=figure.key,
        label=figure.label,
        count=figure.count,
        suppressed=figure.suppressed,
        reason=SUPPRESSED_REASON if figure.suppressed else None,
    )


def _rate(rate: service.Rate) -> RateOut:
    return RateOut(percent=rate.percent, suppressed=rate.suppressed)


def _breakdown(breakdown: Breakdown) -> BreakdownOut:
    return BreakdownOut(name=breakdown.name, total=_figure(breakdown.total), cells=[_figure(cell) for cell in breakdown.cells])


@router.get(
    "/reports/outcomes",
    response_model=OutcomesReportOut,
    responses=problem_responses(
        401, 403, 422,
        s401="Not signed in.",
        s403="Signed in, but the account's roles do not hold report.aggregate, or the organisation asked for is not "
        "the account's own (report.all-organisations).",
        s422="A date is not YYYY-MM-DD, the period ends before it starts or is longer than ten years, or the "
        "organisation is unknown.",
    ),
)
def outcomes_report(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: Annotated[Actor, Depends(requires("report.aggregate"))],
    start: Annotated[dt.date | None, Query(alias="from", description="First day, YYYY-MM-DD (default: a year before today)")] = None,
    end: Annotated[dt.date | None, Query(alias="to", description="Last day, included, YYYY-MM-DD (default: today)")] = None,
    organisation: Annotated[
        str | None, Query(max_length=36, pattern=r"^[0-9a-f-]+$", description="One organisation (report.all-organisations)")
    ] = None,
) -> OutcomesReportOut:
    period = service.parse_period(start.isoformat() if start else "", end.isoformat() if end else "", settings.timezone)
    report = service.outcomes_report(
        session, actor, period, timezone=settings.timezone, organisation_id=organisation or None, request_id=request_id(request)
    )
    return OutcomesReportOut(
        period_from=report.period.start.isoformat(),
        period_to=report.period.end.isoformat(),
        organisation_id=report.organisation_id,
        threshold=report.threshold,
        counted=_figure(report.counted),
        categories=_breakdown(report.categories),
        screening=[ScreeningOut(instrument=row.instrument, screened=_figure(row.screened), positive=_figure(row.positive)) for row in report.screening],
        risk_flags=RiskOut(
            opened=_figure(report.risk.opened),
            closed_within_a_day=_figure(report.risk.closed_within_a_day),
            share_closed_within_a_day=_rate(report.risk.share),
        ),
        change=[
            ChangeOut(
                instrument=row.instrument,
                reliable_change=row.reliable_change,
                caseness=row.caseness,
                people=_figure(row.people),
                reliable_improvement=_figure(row.improvement),
                reliable_improvement_rate=_rate(row.improvement_rate),
                reliable_deterioration=_figure(row.deterioration),
                reliable_deterioration_rate=_rate(row.deterioration_rate),
                at_caseness_first=_figure(row.at_caseness),
                recovery=_figure(row.recovery),
                recovery_rate=_rate(row.recovery_rate),
                reliable_recovery=_figure(row.reliable_recovery),
                reliable_recovery_rate=_rate(row.reliable_recovery_rate),
            )
            for row in report.change
        ],
        goals=_breakdown(report.goals),
    )
