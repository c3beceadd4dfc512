"""Staff pages of the outcomes domain (issue 10 §5).

- The person's page section `outcomes` (screening.read in scope): PHQ-9 and GAD-7 over time as an SVG chart, the
  same data in a table, and what the first and latest scores say (reliable improvement, recovery) in words. Audited
  `outcomes.read` when the person has scores (a person without any: nothing read, only the page's `client.read`).
- /staff/outcomes (report.aggregate): the service's figures over a period, counts only, small ones suppressed; the
  holders of report.all-organisations choose an organisation or see every one. Audited `report.outcomes`.

The period form is a GET (only dates and an organisation's random id travel in the query); a bad date is shown
again (422) with an error summary and what was typed.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from carebridge.accounts.access import Actor, requires
from carebridge.accounts.rendering import form_errors, render_staff
from carebridge.clients.models import Client
from carebridge.config import Settings
from carebridge.errors import InvalidInput
from carebridge.outcomes import chart, service
from carebridge.outcomes.measures import BAND_LABELS, MEASURES, verdict
from carebridge.web import SessionDep, SettingsDep, request_id

router = APIRouter(include_in_schema=False)

Planner = Annotated[Actor, Depends(requires("report.aggregate"))]
# Far above a date or an id: a longer value is answered with the form's message, not a bare error.
TRANSPORT_LIMIT = 200


def section(session: Session, settings: Settings, actor: Actor, client: Client, request: Request) -> dict[str, Any] | None:
    """The person page's outcomes section (clients.sections); None when the actor may not read this person's
    screening."""
    if not _screened(session, actor, client):
        if not _may_read_scores(session, actor, client):
            return None
        # Nothing read, nothing audited (as the assessment section): the person's page itself is `client.read`.
        series = [service.Series(instrument, [], None) for instrument in MEASURES]
    else:
        series = service.person_scores(session, actor, client, request_id=request_id(request))
    if series is None:
        return None
    rows = sorted(
        (score for item in series for score in item.scores), key=lambda score: (score.completed_at, score.instrument)
    )
    zone = settings.timezone
    return {
        "outcomes_section": {
            "chart": chart.layout(series, zone),
            "series": [
                {
                    "instrument": item.instrument,
                    "measure": MEASURES[item.instrument],
                    "count": len(item.scores),
                    "first_total": item.scores[0].total if item.scores else None,
                    "change": item.change,
                    "verdict": verdict(item.change) if item.change else None,
                    "first_day": _day(item.scores[0].completed_at, zone) if item.scores else None,
                    "latest_day": _day(item.scores[-1].completed_at, zone) if item.scores else None,
                }
                for item in series
            ],
            "rows": [
                {
                    "day": _day(score.completed_at, zone),
                    "title": MEASURES[score.instrument].title,
                    "total": score.total,
                    "maximum": MEASURES[score.instrument].maximum,
                    "band": BAND_LABELS.get(score.band, score.band),
                }
                for score in rows
            ],
        }
    }


def _may_read_scores(session: Session, actor: Actor, client: Client) -> bool:
    """service.person_scores' own check: screening.read, the person in its scope."""
    from carebridge.clients import service as clients
    from carebridge.errors import NotFound

    if not actor.can("screening.read"):
        return False
    try:
        clients.find_client(session, actor, client.id, "screening.read")
    except NotFound:
        return False
    return True


def _screened(session: Session, actor: Actor, client: Client) -> bool:
    """Whether the person has a PHQ-9 or GAD-7 score (read only by those who may read them: person_scores checks)."""
    from sqlalchemy import select

    from carebridge.screening.models import Screening

    return session.scalar(
        select(Screening.id).where(Screening.client_id == client.id, Screening.instrument.in_(tuple(MEASURES))).limit(1)
    ) is not None


def _day(moment, zone: str | None) -> str:  # noqa: ANN001
    from carebridge.kit import clock

    return moment.astimezone(clock.zone(zone)).date().isoformat() if zone else moment.date().isoformat()


@router.get("/staff/outcomes")
def outcomes_page(
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
        period = service.parse_period(start, end, settings.timezone)
        report = service.outcomes_report(
            session,
            actor,
            period,
            timezone=settings.timezone,
            organisation_id=organisation or None,
            request_id=request_id(request),
        )
    except InvalidInput as problem:
        return render_staff(
            request,
            "staff/outcomes/index.html",
            {
                "report": None,
                "values": values,
                "errors": form_errors(request, problem.errors),
                "organisations": service.organisations_to_choose(session, actor)
                if actor.can("report.all-organisations")
                else [],
            },
            status_code=422,
        )
    values = {"from": period.start.isoformat(), "to": period.end.isoformat(), "organisation": report.organisation_id or ""}
    return render_staff(
        request,
        "staff/outcomes/index.html",
        {"report": report, "values": values, "errors": [], "organisations": report.organisations},
    )
