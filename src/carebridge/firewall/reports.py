"""Figures for planners: counts of people, never a person (permission report.aggregate).

    report = reports.caseload(session, settings, actor)

What is counted, for the actor's own organisation:
- the number of records in total (a count only: it needs no consent, it says nothing about anyone);
- breakdowns by team, status, first language, interpreter needed and last contact — only of the people who gave
  consent for anonymous statistics (consent purpose `statistics`, in force now).

Small counts are suppressed: any count below THRESHOLD (10, zero included) is shown as "fewer than 10". Where a
breakdown's total is shown and exactly one of its cells is suppressed, the smallest other cell is suppressed too
(secondary suppression), so that the hidden one cannot be worked out by subtraction. Languages spoken by fewer than
THRESHOLD people are pooled as "other languages" before that, so that a rare language's mere appearance does not
point at someone. The true counts never leave this module: a `Figure` holds only what may be shown.

Profiles are decrypted here, on the server, in memory, to count first languages and interpreter needs; nothing of
them is kept. Producing the report is audited (`report.caseload`, record_type organisation) — not as a read of
each record: no record is shown to anyone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from carebridge.accounts.access import Actor
from carebridge.accounts.models import Organisation, Team
from carebridge.audit import service as audit
from carebridge.clients import service as clients
from carebridge.clients.models import Client
from carebridge.config import Settings
from carebridge.consent import service as consent
from carebridge.errors import N_, Forbidden
from carebridge.kit import clock

THRESHOLD = 10
BATCH = 1000

STATUS_LABELS = {"open": N_("Open"), "closed": N_("Closed")}
INTERPRETER_LABELS = {"yes": N_("Needs an interpreter"), "no": N_("Does not need an interpreter")}
LAST_CONTACT_LABELS = {
    "30": N_("In the last 30 days"),
    "90": N_("31 to 90 days ago"),
    "older": N_("More than 90 days ago"),
    "never": N_("No contact recorded"),
}
NO_TEAM = N_("No team")
NO_LANGUAGE = N_("No language recorded")
OTHER_LANGUAGES = N_("Other languages")

BREAKDOWN_TITLES = {
    "team": N_("By team"),
    "status": N_("By status"),
    "first_language": N_("By first language"),
    "interpreter": N_("Interpreter needed"),
    "last_contact": N_("By last contact"),
}


@dataclass(frozen=True)
class Figure:
    """One cell as it may be shown: `count` is None when suppressed ("fewer than 10")."""

    key: str
    label: str
    count: int | None
    # Whether `label` is a message id to translate (fixed categories) or a name/code shown as it is.
    translate: bool = True
    # A language tag or a team name: shown in its own direction.
    code: bool = False

    @property
    def suppressed(self) -> bool:
        return self.count is None


@dataclass(frozen=True)
class Breakdown:
    name: str
    title: str
    total: Figure
    cells: list[Figure]


@dataclass(frozen=True)
class CaseloadReport:
    organisation_id: str
    organisation_name: str
    records_total: Figure
    consented_total: Figure
    breakdowns: list[Breakdown] = field(default_factory=list)
    threshold: int = THRESHOLD


@dataclass(frozen=True)
class Cell:
    key: str
    label: str
    count: int
    translate: bool = True
    code: bool = False


def shown(count: int) -> int | None:
    """A count as it may be shown on its own: None below the threshold."""
    return count if count >= THRESHOLD else None


def suppress(cells: list[Cell], *, total_shown: bool) -> list[Figure]:
    """Primary suppression (below THRESHOLD) and, when the total is shown and only one cell would be hidden, the
    smallest other cell as well (secondary), so that no hidden count equals total minus the shown ones."""
    hidden = {index for index, cell in enumerate(cells) if cell.count < THRESHOLD}
    if total_shown and len(hidden) == 1 and len(cells) > 1:
        others = sorted((index for index in range(len(cells)) if index not in hidden), key=lambda i: (cells[i].count, i))
        hidden.add(others[0])
    return [
        Figure(cell.key, cell.label, None if index in hidden else cell.count, cell.translate, cell.code)
        for index, cell in enumerate(cells)
    ]


def _breakdown(name: str, cells: list[Cell], total: int) -> Breakdown:
    total_figure = Figure("total", N_("Total"), shown(total))
    return Breakdown(name, BREAKDOWN_TITLES[name], total_figure, suppress(cells, total_shown=not total_figure.suppressed))


def pool_small(counts: dict[str, int], *, other_key: str = "other") -> tuple[dict[str, int], int]:
    """Categories with at least THRESHOLD people, and the number pooled into "other" (those below it)."""
    kept = {key: count for key, count in counts.items() if count >= THRESHOLD}
    return kept, sum(count for key, count in counts.items() if key not in kept)


def consented_client_ids(session: Session, organisation_id: str) -> set[str]:
    """The organisation's people with consent for anonymous statistics in force now.

    One query instead of consent.active_consent per person (10,000 people = 10,000 queries); the same rule —
    purpose `statistics`, not withdrawn — which tests/firewall/test_reports.py checks against active_consent."""
    from carebridge.consent.models import Consent

    return set(
        session.scalars(
            select(Consent.client_id)
            .join(Client, Client.id == Consent.client_id)
            .where(
                Client.organisation_id == organisation_id,
                Consent.purpose == consent.STATISTICS,
                Consent.withdrawn_at.is_(None),
            )
        )
    )


def _last_contact_bucket(last: dt.datetime | None, now: dt.datetime) -> str:
    if last is None:
        return "never"
    days = (now - last).days
    if days <= 30:
        return "30"
    if days <= 90:
        return "90"
    return "older"


def caseload(session: Session, settings: Settings, actor: Actor, *, request_id: str | None = None) -> CaseloadReport:
    """The caseload figures of the actor's organisation, suppressed; audited `report.caseload`."""
    if not actor.can("report.aggregate"):
        raise Forbidden(N_("You do not have permission to do that."))
    organisation = session.get(Organisation, actor.organisation_id)
    organisation_name = organisation.name if organisation is not None else ""
    teams = {
        team.id: team.name
        for team in session.scalars(select(Team).where(Team.organisation_id == actor.organisation_id).order_by(Team.name))
    }
    rows = session.execute(
        select(Client.id, Client.team_id, Client.status, Client.last_contact_at).where(
            Client.organisation_id == actor.organisation_id
        )
    ).all()
    consented = consented_client_ids(session, actor.organisation_id)
    people = [row for row in rows if row.id in consented]
    now = clock.utc_now()

    by_team: dict[str | None, int] = {team_id: 0 for team_id in teams}
    by_status = {key: 0 for key in STATUS_LABELS}
    by_contact = {key: 0 for key in LAST_CONTACT_LABELS}
    for row in people:
        team_id = row.team_id if row.team_id in teams else None
        by_team[team_id] = by_team.get(team_id, 0) + 1
        by_status[row.status] = by_status.get(row.status, 0) + 1
        by_contact[_last_contact_bucket(row.last_contact_at, now)] += 1

    by_language: dict[str, int] = {}
    by_interpreter = {"yes": 0, "no": 0}
    ids = [row.id for row in people]
    for start in range(0, len(ids), BATCH):
        batch = list(session.scalars(select(Client).where(Client.id.in_(ids[start : start + BATCH]))))
        for profile in clients.open_profiles(session, settings, batch).values():
            language = profile.languages[0] if profile.languages else ""
            by_language[language] = by_language.get(language, 0) + 1
            by_interpreter["yes" if profile.interpreter_needed else "no"] += 1
    counted = sum(by_interpreter.values())  # people whose record could be opened (an erased one cannot)

    team_cells = [Cell(team_id, name, by_team.get(team_id, 0), translate=False, code=True) for team_id, name in teams.items()]
    if by_team.get(None):
        team_cells.append(Cell("none", NO_TEAM, by_team[None]))
    status_cells = [Cell(key, label, by_status.get(key, 0)) for key, label in STATUS_LABELS.items()]
    kept, pooled = pool_small({key: count for key, count in by_language.items() if key})
    language_cells = [
        Cell(tag, tag, count, translate=False, code=True)
        for tag, count in sorted(kept.items(), key=lambda item: (-item[1], item[0]))
    ]
    language_cells.append(Cell("other", OTHER_LANGUAGES, pooled))
    if by_language.get(""):
        language_cells.append(Cell("none", NO_LANGUAGE, by_language[""]))
    interpreter_cells = [Cell(key, label, by_interpreter[key]) for key, label in INTERPRETER_LABELS.items()]
    contact_cells = [Cell(key, label, by_contact[key]) for key, label in LAST_CONTACT_LABELS.items()]

    report = CaseloadReport(
        organisation_id=actor.organisation_id,
        organisation_name=organisation_name,
        records_total=Figure("records", N_("Records in total"), shown(len(rows))),
        consented_total=Figure("consented", N_("People who agreed to be counted"), shown(len(people))),
        breakdowns=[
            _breakdown("team", team_cells, len(people)),
            _breakdown("status", status_cells, len(people)),
            _breakdown("first_language", language_cells, counted),
            _breakdown("interpreter", interpreter_cells, counted),
            _breakdown("last_contact", contact_cells, len(people)),
        ],
    )
    audit.record(
        session,
        "report.caseload",
        actor=actor,
        record_type="organisation",
        record_id=actor.organisation_id,
        request_id=request_id,
    )
    return report
