"""JSON API for a referral's FHIR export and the referral figures (issue 11).

    GET /api/v1/referrals/{referral_id}/fhir          a Bundle (application/fhir+json), for the referrer or receiver
    GET /api/v1/reports/referrals?from=&to=[&organisation=]   the figures (report.aggregate), counts only

The export is declared for any signed-in staff member (`self.manage`) because both sides may call it: the referrer
(referral.send in scope) and the receiving organisation (referral.receive); `access.find_referral` decides and
answers 404 to anyone else, 403 to a reader of the record who plays no party. Audited `referral.export-fhir`.
A suppressed count in the figures is `null` with `suppressed: true` and the reason; a rate is `null` when a count it
is made of is suppressed; a median is `null` when the accepted count it is taken over is suppressed.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from carebridge.accounts.access import Actor, requires
from carebridge.firewall.reports import Figure
from carebridge.problems import problem_responses
from carebridge.referrals import fhir, reports
from carebridge.web import SessionDep, SettingsDep, request_id

router = APIRouter(prefix="/api/v1", tags=["staff: referrals"])

SUPPRESSED_REASON = "fewer than 10 referrals, or hidden so that another count cannot be worked out by subtraction"
ReferralId = Annotated[str, Path(max_length=36, pattern=r"^[A-Za-z0-9-]+$")]


class FhirResponse(JSONResponse):
    media_type = fhir.MEDIA_TYPE


@router.get(
    "/referrals/{referral_id}/fhir",
    response_class=FhirResponse,
    summary="One referral as a FHIR Bundle (Gravity SDOHCC ServiceRequest and Task for Referral Management)",
    description="A FHIR R4 Bundle of type collection (`application/fhir+json`): the Task (state, reason, owner, "
    "output), the ServiceRequest (service, priority, do-not-contact), the Patient with only what the referral shares "
    "and the caller may see now, the Organizations, the HealthcareService, and the outcome as a Procedure once "
    "completed. For the referrer, and for the receiving organisation (shared items only while the referral is open "
    "and the consent in force). Audited `referral.export-fhir` on the person's record.",
    responses={200: {"content": {fhir.MEDIA_TYPE: {"schema": {"type": "object"}}}},
               **problem_responses(401, 403, 404, 422, s401="Not signed in.",
                                   s403="The caller may look at the referral (a reader of the record) but is neither "
                                   "its referrer nor its receiver.",
                                   s404="No such referral, or not one the caller may see (the same answer).")},
)
def export_referral(request: Request, session: SessionDep, settings: SettingsDep,
                    actor: Annotated[Actor, Depends(requires("self.manage"))], referral_id: ReferralId) -> FhirResponse:
    document = fhir.export(session, settings, actor, referral_id, request_id=request_id(request))
    return FhirResponse(document, headers={"Cache-Control": "no-store"})


class FigureOut(BaseModel):
    key: str
    count: int | None
    suppressed: bool
    reason: str | None = None


class RateOut(BaseModel):
    percent: int | None
    suppressed: bool


class RowOut(BaseModel):
    key: str
    receiving_organisation: str
    sent: FigureOut
    by_state: list[FigureOut]
    accepted: FigureOut
    median_days_to_acceptance: float | None
    completed: FigureOut
    completion_rate: RateOut
    lost: FigureOut
    lost_rate: RateOut


class ReferralReportOut(BaseModel):
    """Referrals the organisation sent in the period (requested between from and to, both days included)."""

    period_from: str
    period_to: str
    organisation_id: str | None
    threshold: int
    all: RowOut
    by_receiving_organisation: list[RowOut]
    entered_in_error: FigureOut


def _figure(figure: Figure) -> FigureOut:
    return FigureOut(key=figure.key, count=figure.count, suppressed=figure.suppressed,
                     reason=SUPPRESSED_REASON if figure.suppressed else None)


def _rate(rate: reports.Rate) -> RateOut:
    return RateOut(percent=rate.percent, suppressed=rate.suppressed)


def _row(row: reports.Row) -> RowOut:
    return RowOut(
        key=row.key,
        receiving_organisation=row.label,
        sent=_figure(row.sent),
        by_state=[_figure(cell) for cell in row.states.cells],
        accepted=_figure(row.accepted),
        median_days_to_acceptance=row.median_days,
        completed=_figure(row.completed),
        completion_rate=_rate(row.completion_rate),
        lost=_figure(row.lost),
        lost_rate=_rate(row.lost_rate),
    )


@router.get(
    "/reports/referrals",
    response_model=ReferralReportOut,
    summary="Referral figures: by state, time to acceptance, completion and lost referrals, by receiving organisation",
    responses=problem_responses(
        401, 403, 422,
        s401="Not signed in.",
        s403="Signed in, but the account's roles do not hold report.aggregate, or the organisation asked for is not "
        "the account's own (report.all-organisations).",
        s422="A date is not YYYY-MM-DD, the period ends before it starts or is longer than ten years, or the "
        "organisation is unknown.",
    ),
)
def referral_report(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: Annotated[Actor, Depends(requires("report.aggregate"))],
    start: Annotated[dt.date | None, Query(alias="from", description="First day, YYYY-MM-DD (default: a year before today)")] = None,
    end: Annotated[dt.date | None, Query(alias="to", description="Last day, included, YYYY-MM-DD (default: today)")] = None,
    organisation: Annotated[
        str | None, Query(max_length=36, pattern=r"^[0-9a-f-]+$", description="One organisation (report.all-organisations)")
    ] = None,
) -> ReferralReportOut:
    period = reports.parse_period(start.isoformat() if start else "", end.isoformat() if end else "", settings.timezone)
    report = reports.referral_report(
        session, actor, period, timezone=settings.timezone, organisation_id=organisation or None, request_id=request_id(request)
    )
    return ReferralReportOut(
        period_from=report.period.start.isoformat(),
        period_to=report.period.end.isoformat(),
        organisation_id=report.organisation_id,
        threshold=report.threshold,
        all=_row(report.total),
        by_receiving_organisation=[_row(row) for row in report.rows],
        entered_in_error=_figure(report.entered_in_error),
    )
