"""Staff pages for the referral figures and the service manager's list of referrals sent without consent (issue 11).

- /staff/referrals/report (report.aggregate): the referral figures over a period, counts only, small ones
  suppressed; holders of report.all-organisations choose an organisation or see every one. A GET form (only dates
  and an organisation's random id travel in the address); a bad date is shown again (422) with an error summary and
  what was typed. Audited `report.referrals`.
- /staff/referrals/overrides (referral.oversee): the organisation's referrals sent without the person's consent (a
  safeguarding emergency), those not yet reviewed first, 50 a page, with who sent them, when, and the reason (opened
  for the manager; each person on the page audited `referral.override-read`). A POST "I have reviewed this" marks
  one reviewed (override_seen_by/at), then redirects (303) with a short result code, never personal data.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response

from carebridge.accounts.access import Actor, requires
from carebridge.accounts.rendering import form_errors, render_staff
from carebridge.config import Settings
from carebridge.errors import N_, InvalidInput
from carebridge.referrals import reports
from carebridge.referrals.reports import STATE_LABELS
from carebridge.web import SessionDep, SettingsDep, request_id

router = APIRouter(include_in_schema=False)

Planner = Annotated[Actor, Depends(requires("report.aggregate"))]
Overseer = Annotated[Actor, Depends(requires("referral.oversee"))]
# Far above a date or an id: a longer value is answered with the form's message, not a bare error.
TRANSPORT_LIMIT = 200
NOTICES = {
    "seen": N_("Marked as reviewed."),
    "already": N_("Someone had already marked it as reviewed."),
}
BAR_WIDTH = 200


def _local(settings: Settings, moment: dt.datetime | None) -> str:
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(ZoneInfo(settings.timezone)).strftime("%Y-%m-%d %H:%M")


def _bars(report: reports.ReferralReport) -> list[dict[str, Any]]:
    """The overall referrals by state as bar lengths (of the largest shown count); a suppressed count has no bar."""
    shown = [cell.count for cell in report.total.states.cells if cell.count is not None]
    largest = max(shown, default=0)
    return [
        {"key": cell.key, "label": cell.label, "figure": cell,
         "width": round(BAR_WIDTH * cell.count / largest) if cell.count and largest else 0}
        for cell in report.total.states.cells
    ]


@router.get("/staff/referrals/report")
def report_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: Planner,
    start: Annotated[str, Query(alias="from", max_length=TRANSPORT_LIMIT)] = "",
    end: Annotated[str, Query(alias="to", max_length=TRANSPORT_LIMIT)] = "",
    organisation: Annotated[str, Query(max_length=TRANSPORT_LIMIT)] = "",
) -> Response:
    values = {"from": start, "to": end, "organisation": organisation}
    try:
        period = reports.parse_period(start, end, settings.timezone)
        report = reports.referral_report(
            session, actor, period, timezone=settings.timezone, organisation_id=organisation or None,
            request_id=request_id(request),
        )
    except InvalidInput as problem:
        return render_staff(
            request,
            "staff/referrals/report.html",
            {
                "report": None,
                "values": values,
                "errors": form_errors(request, problem.errors),
                "organisations": reports.organisations_to_choose(session, actor)
                if actor.can("report.all-organisations") else [],
                "states": STATE_LABELS,
            },
            status_code=422,
        )
    values = {"from": period.start.isoformat(), "to": period.end.isoformat(), "organisation": report.organisation_id or ""}
    return render_staff(
        request,
        "staff/referrals/report.html",
        {"report": report, "values": values, "errors": [], "organisations": report.organisations,
         "states": STATE_LABELS, "bars": _bars(report), "bar_width": BAR_WIDTH},
    )


@router.get("/staff/referrals/overrides")
def overrides_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: Overseer,
    page: Annotated[str, Query(max_length=TRANSPORT_LIMIT)] = "1",
) -> Response:
    number = int(page) if page.isdigit() and len(page) <= 6 else 1
    found = reports.overrides(session, settings, actor, page=number, request_id=request_id(request))
    rows = [
        {
            "referral_id": row.referral_id,
            "client_id": row.client_id,
            "person_name": row.person_name,
            "service_name": row.service_name,
            "organization_name": row.organization_name,
            "sent_by": row.sent_by,
            "sent_at": _local(settings, row.sent_at),
            "reason": row.reason,
            "seen_by": row.seen_by,
            "seen_at": _local(settings, row.seen_at) if row.seen_at else "",
        }
        for row in found.rows
    ]
    return render_staff(
        request,
        "staff/referrals/overrides.html",
        {"rows": rows, "found": found, "notice": NOTICES.get(request.query_params.get("done") or "")},
    )


@router.post("/staff/referrals/overrides/{referral_id}/seen")
def mark_seen(
    request: Request,
    session: SessionDep,
    actor: Overseer,
    referral_id: str,
) -> Response:
    changed = reports.mark_override_seen(session, actor, referral_id, request_id=request_id(request))
    return RedirectResponse(f"/staff/referrals/overrides?done={'seen' if changed else 'already'}", status_code=303)
