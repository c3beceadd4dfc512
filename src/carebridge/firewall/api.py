"""The staff JSON API of the firewall domain: figures for planners (report.aggregate), counts only.

A suppressed count (below the threshold, or hidden so that another cannot be worked out by subtraction) is `null`
with `suppressed: true`; the true value never leaves the server.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel

from carebridge.accounts.access import Actor, requires
from carebridge.firewall import reports
from carebridge.problems import problem_responses
from carebridge.web import SessionDep, SettingsDep, request_id

router = APIRouter(prefix="/api/v1", tags=["staff"])


class FigureOut(BaseModel):
    key: str
    label: str
    count: int | None
    suppressed: bool


class BreakdownOut(BaseModel):
    name: str
    total: FigureOut
    cells: list[FigureOut]


class CaseloadReportOut(BaseModel):
    """Counts of the organisation's people; breakdowns only of those who agreed to be counted."""

    organisation_id: str
    threshold: int
    records_total: FigureOut
    consented_total: FigureOut
    breakdowns: list[BreakdownOut]


def _figure(figure: reports.Figure) -> FigureOut:
    return FigureOut(key=figure.key, label=figure.label, count=figure.count, suppressed=figure.suppressed)


@router.get(
    "/reports/caseload",
    response_model=CaseloadReportOut,
    responses=problem_responses(
        401, 403, s401="Not signed in.", s403="Signed in, but the account's roles do not hold report.aggregate."
    ),
)
def caseload_report(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: Actor = Depends(requires("report.aggregate")),
) -> CaseloadReportOut:
    report = reports.caseload(session, settings, actor, request_id=request_id(request))
    return CaseloadReportOut(
        organisation_id=report.organisation_id,
        threshold=report.threshold,
        records_total=_figure(report.records_total),
        consented_total=_figure(report.consented_total),
        breakdowns=[
            BreakdownOut(name=item.name, total=_figure(item.total), cells=[_figure(cell) for cell in item.cells])
            for item in report.breakdowns
        ],
    )
