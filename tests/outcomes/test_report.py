"""The outcomes figures: counted only with consent for statistics, 9 hidden and 10 shown, the SQL's reliable change
and recovery equal to outcomes.measures, the period, and who sees which organisation."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from factories import accounts
from factories import clients as client_factories
from sqlalchemy import select

from carebridge.audit.models import AuditEvent
from carebridge.config import Settings
from carebridge.consent import service as consent
from carebridge.consent.models import Consent
from carebridge.errors import Forbidden, InvalidInput
from carebridge.kit import clock
from carebridge.outcomes import rows, service
from carebridge.outcomes.measures import MEASURES, compare


def _consent(session, client_id: str, *, withdrawn: bool = False) -> None:
    session.add(Consent(
        client_id=client_id, purpose=consent.STATISTICS, method="spoken", explanation_version="1",
        explanation_language="en", given_at=clock.utc_now(), withdrawn_at=clock.utc_now() if withdrawn else None,
    ))


def _people(session, settings, worker, count: int, *, agreed: bool = True, prefix: str = "Outcomemarker"):
    made = []
    for index in range(count):
        person = client_factories.client(session, settings, worker.actor, preferred_name=f"{prefix} {index}")
        if agreed:
            _consent(session, person.id)
        made.append(person)
    session.flush()
    return made


def _period():
    return service.default_period(None)


def _ago(days: int) -> dt.datetime:
    return clock.utc_now() - dt.timedelta(days=days)


@pytest.fixture
def world(session):
    settings = Settings()
    worker = client_factories.caseworker(session)
    manager = accounts.actor_for(accounts.account(session, roles=("service-manager",), organisation_=worker.organisation))
    planner = accounts.actor_for(accounts.account(session, roles=("planner",), organisation_=worker.organisation))
    return {"settings": settings, "worker": worker, "manager": manager, "planner": planner}


def test_nine_hidden_ten_shown_and_only_people_who_agreed(session, world):
    settings, worker = world["settings"], world["worker"]
    complex_people = _people(session, settings, worker, 10)
    critical_people = _people(session, settings, worker, 9, prefix="Criticalmarker")
    refused = _people(session, settings, worker, 5, agreed=False, prefix="Refusedmarker")
    withdrawn = _people(session, settings, worker, 3, agreed=False, prefix="Withdrawnmarker")
    for person in withdrawn:
        _consent(session, person.id, withdrawn=True)
    for person in complex_people + refused + withdrawn:
        rows.add_assessment(session, settings, person, category="complex", assessed_at=_ago(30), scores={})
    for person in critical_people:
        rows.add_assessment(session, settings, person, category="critical", assessed_at=_ago(30), scores={})
    session.flush()
    report = service.outcomes_report(session, world["manager"], _period())
    cells = {cell.key: cell.count for cell in report.categories.cells}
    # 10 complex (the 8 without consent in force are not counted), 9 critical hidden; the total 19 is shown, so the
    # smallest other cell (resilience, guidance: 0) is hidden with it — complex stays.
    assert cells["complex"] == 10
    assert cells["critical"] is None
    assert report.categories.total.count == 19
    assert report.counted.count == 19
    events = session.scalars(select(AuditEvent.action).where(AuditEvent.action == "report.outcomes")).all()
    assert events == ["report.outcomes"]


def test_latest_assessment_in_the_period_counts_with_the_override(session, world):
    settings, worker = world["settings"], world["worker"]
    people = _people(session, settings, worker, 10)
    for person in people:
        rows.add_assessment(session, settings, person, category="critical", assessed_at=_ago(200), scores={})
        rows.add_assessment(session, settings, person, category="complex", assessed_at=_ago(20), scores={},
                            category_override="guidance")
        rows.add_assessment(session, settings, person, category="critical", assessed_at=_ago(400), scores={})  # before
    session.flush()
    report = service.outcomes_report(session, world["manager"], _period())
    cells = {cell.key: cell.count for cell in report.categories.cells}
    assert cells["guidance"] == 10 and report.categories.total.count == 10


def test_reliable_change_in_sql_equals_the_pure_rules(session, world):
    settings, worker = world["settings"], world["worker"]
    generator = random.Random(10)
    people = _people(session, settings, worker, 60)
    expected = {code: {"people": 0, "improvement": 0, "deterioration": 0, "at_caseness": 0, "recovery": 0,
                       "reliable_recovery": 0} for code in MEASURES}
    for person in people:
        for code, measure in MEASURES.items():
            count = generator.choice([0, 1, 2, 3, 4])
            totals = [generator.randint(0, measure.maximum) for _ in range(count)]
            for index, total in enumerate(totals):
                rows.add_screening(session, settings, person, instrument=code, total=total, completed_at=_ago(300 - 40 * index))
            # A score outside the period never counts.
            rows.add_screening(session, settings, person, instrument=code, total=measure.maximum, completed_at=_ago(500))
            if count >= 2:
                change = compare(measure, totals[0], totals[-1])
                found = expected[code]
                found["people"] += 1
                found["improvement"] += change.reliable_improvement
                found["deterioration"] += change.reliable_deterioration
                found["at_caseness"] += change.at_caseness_first
                found["recovery"] += change.recovery
                found["reliable_recovery"] += change.reliable_recovery
    session.flush()
    begin, finish = _period().bounds(None)
    from carebridge.screening.models import Screening

    where = service._where(Screening, [worker.organisation.id], service._counted_people([worker.organisation.id]),
                           Screening.completed_at, begin, finish)
    found = service._screening(session, where)
    for code in MEASURES:
        assert {key: found[code][key] for key in service.CHANGE_FIGURES} == expected[code], code
    assert expected["phq-9"]["people"] >= 10  # the comparison ran on enough people to matter


def test_screening_risk_and_goals(session, world):
    settings, worker = world["settings"], world["worker"]
    people = _people(session, settings, worker, 12)
    for index, person in enumerate(people):
        rows.add_screening(session, settings, person, instrument="phq-9", total=14, completed_at=_ago(10))
        rows.add_screening(session, settings, person, instrument="phq-9", total=3, completed_at=_ago(5))
        raised = _ago(40)
        closed = raised + dt.timedelta(hours=24 if index < 10 else 25)
        rows.add_flag(session, settings, person, source="worker", raised_at=raised, seen="", done="", closed_at=closed)
        rows.add_goal(session, settings, person, domain="housing", text="A home", status="achieved", created_at=_ago(60))
    session.flush()
    report = service.outcomes_report(session, world["manager"], _period())
    phq = next(row for row in report.screening if row.instrument == "phq-9")
    assert phq.screened.count == 12 and phq.positive.count == 12
    gad = next(row for row in report.screening if row.instrument == "gad-7")
    assert gad.screened.count is None
    assert report.risk.opened.count == 12 and report.risk.closed_within_a_day.count == 10
    assert report.risk.share.percent == 83
    change = next(row for row in report.change if row.instrument == "phq-9")
    assert change.people.count == 12 and change.reliable_recovery.count == 12 and change.reliable_recovery_rate.percent == 100
    goals = {cell.key: cell.count for cell in report.goals.cells}
    assert goals == {"achieved": 12, "open": None, "stopped": None}
    assert report.goals.total.count == 12


def test_a_service_manager_sees_only_their_organisation_a_planner_every_one(session, world):
    settings = world["settings"]
    other = client_factories.caseworker(session)
    for person in _people(session, settings, other, 10, prefix="Elsewheremarker"):
        rows.add_assessment(session, settings, person, category="complex", assessed_at=_ago(5), scores={})
    for person in _people(session, settings, world["worker"], 10):
        rows.add_assessment(session, settings, person, category="complex", assessed_at=_ago(5), scores={})
    session.flush()
    manager, planner = world["manager"], world["planner"]
    assert service.outcomes_report(session, manager, _period()).categories.total.count == 10
    with pytest.raises(Forbidden):
        service.outcomes_report(session, manager, _period(), organisation_id=other.organisation.id)
    every = service.outcomes_report(session, planner, _period())
    assert every.organisation_id is None and every.categories.total.count == 20
    one = service.outcomes_report(session, planner, _period(), organisation_id=other.organisation.id)
    assert one.categories.total.count == 10 and one.organisation_name == other.organisation.name
    with pytest.raises(InvalidInput):
        service.outcomes_report(session, planner, _period(), organisation_id="not-an-organisation")
    worker = world["worker"].actor
    with pytest.raises(Forbidden):
        service.outcomes_report(session, worker, _period())


@pytest.mark.parametrize(("start", "end", "field"), [
    ("2026-13-01", "", "from"), ("", "yesterday", "to"), ("2026-06-01", "2026-05-01", "to"), ("2000-01-01", "2026-01-01", "from"),
])
def test_bad_periods_are_refused_with_the_field(start, end, field):
    with pytest.raises(InvalidInput) as raised:
        service.parse_period(start, end, None)
    assert [error.name for error in raised.value.errors] == [field]


def test_the_default_period_is_the_last_twelve_months():
    period = service.parse_period("", "", None)
    today = clock.today(None)
    assert period.end == today and (period.end - period.start).days in (364, 365)
