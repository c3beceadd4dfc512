"""Figures for planners: counts only, consent for statistics for the breakdowns, small counts suppressed (the 9/10
boundary) and secondary suppression where a total would give a hidden count away."""

from __future__ import annotations

import datetime as dt

import pytest
from factories import accounts
from factories import clients as client_factories

from carebridge.config import Settings
from carebridge.consent import service as consent
from carebridge.consent.models import Consent
from carebridge.firewall import reports
from carebridge.kit import clock


def _cells(*counts: int) -> list[reports.Cell]:
    return [reports.Cell(str(index), str(index), count) for index, count in enumerate(counts)]


def _shown(figures: list[reports.Figure]) -> list[int | None]:
    return [figure.count for figure in figures]


@pytest.mark.parametrize(
    ("counts", "total_shown", "expected"),
    [
        ((10, 30), True, [10, 30]),
        ((9, 30), True, [None, None]),  # 9 is hidden, and 30 with it: total - 30 would give 9
        ((9, 10, 30), True, [None, None, 30]),  # the smallest other cell goes with it
        ((9, 8, 30), True, [None, None, 30]),  # two hidden already: neither can be worked out alone
        ((0, 25), True, [None, None]),  # a zero is a small count too ("nobody here needs ...")
        ((9, 30), False, [None, 30]),  # no total shown: nothing to subtract from
        ((12,), True, [12]),
        ((9,), True, [None]),
    ],
)
def test_suppression(counts, total_shown, expected):
    assert _shown(reports.suppress(_cells(*counts), total_shown=total_shown)) == expected


def test_a_count_is_shown_from_ten():
    assert reports.shown(9) is None and reports.shown(10) == 10 and reports.shown(0) is None


def test_small_languages_are_pooled_before_suppression():
    kept, pooled = reports.pool_small({"ar": 10, "fa": 9, "ti": 1})
    assert kept == {"ar": 10} and pooled == 10


def _consent(session, client_id: str, *, withdrawn: bool = False) -> Consent:
    # The consent service of this branch has the checks only (recording is the consent helper's work): the rows are
    # written as that service will write them.
    row = Consent(
        client_id=client_id,
        purpose=consent.STATISTICS,
        method="spoken",
        explanation_version="1",
        explanation_language="en",
        given_at=clock.utc_now(),
        withdrawn_at=clock.utc_now() if withdrawn else None,
    )
    session.add(row)
    session.flush()
    return row


@pytest.fixture
def population(session):
    """25 people: 21 agreed to be counted (ar 10, fa 9, uk 2; 9 need an interpreter), 2 did not, 2 withdrew."""
    settings = Settings()
    worker = client_factories.caseworker(session)
    planner = accounts.actor_for(accounts.account(session, roles=("planner",), organisation_=worker.organisation))
    languages = ["ar"] * 10 + ["fa"] * 9 + ["uk"] * 2
    people = []
    for index, language in enumerate(languages):
        person = client_factories.client(
            session, settings, worker.actor, preferred_name=f"Countmarker {index}", languages=[language, "en"],
            interpreter_needed=index % 7 < 3,  # 9 of 21
        )
        person.last_contact_at = clock.utc_now() - dt.timedelta(days=5 if index < 15 else 200)
        _consent(session, person.id)
        people.append(person)
    for index in range(4):
        person = client_factories.client(session, settings, worker.actor, preferred_name=f"Uncounted {index}")
        if index >= 2:
            _consent(session, person.id, withdrawn=True)
    other = client_factories.caseworker(session)
    _consent(session, client_factories.client(session, settings, other.actor).id)  # another organisation
    session.flush()
    return {"settings": settings, "planner": planner, "worker": worker, "people": people}


def test_the_consent_query_agrees_with_active_consent(session, population):
    organisation_id = population["worker"].organisation.id
    from sqlalchemy import select

    from carebridge.clients.models import Client

    ids = session.scalars(select(Client.id).where(Client.organisation_id == organisation_id)).all()
    expected = {client_id for client_id in ids if consent.active_consent(session, client_id, consent.STATISTICS)}
    assert reports.consented_client_ids(session, organisation_id) == expected
    assert len(expected) == 21


def test_the_caseload_figures_count_only_consenting_people_and_suppress_small_counts(session, population):
    report = reports.caseload(session, population["settings"], population["planner"])
    assert report.records_total.count == 25
    assert report.consented_total.count == 21
    breakdowns = {item.name: item for item in report.breakdowns}
    languages = {cell.key: cell.count for cell in breakdowns["first_language"].cells}
    assert languages == {"ar": 10, "other": 11}  # fa 9 and uk 2 pooled: no rare language named
    interpreter = {cell.key: cell.count for cell in breakdowns["interpreter"].cells}
    assert interpreter == {"yes": None, "no": None}  # 9 hidden, and 12 with it (21 - 12 = 9)
    status = {cell.key: cell.count for cell in breakdowns["status"].cells}
    assert status == {"open": None, "closed": None}  # closed 0 hidden, open with it
    contact = {cell.key: cell.count for cell in breakdowns["last_contact"].cells}
    assert contact == {"30": 15, "90": None, "older": None, "never": None}
    team = [cell.count for cell in breakdowns["team"].cells]
    assert team == [21]
    for item in report.breakdowns:
        assert item.total.count == 21


def test_fewer_than_ten_people_in_total_shows_nothing_but_that(session):
    settings = Settings()
    worker = client_factories.caseworker(session)
    planner = accounts.actor_for(accounts.account(session, roles=("planner",), organisation_=worker.organisation))
    for _ in range(9):
        _consent(session, client_factories.client(session, settings, worker.actor).id)
    report = reports.caseload(session, settings, planner)
    assert report.records_total.count is None and report.consented_total.count is None
    assert all(cell.count is None for item in report.breakdowns for cell in item.cells)
    _consent(session, client_factories.client(session, settings, worker.actor).id)
    report = reports.caseload(session, settings, planner)
    assert report.records_total.count == 10 and report.consented_total.count == 10


def test_only_planners_and_managers_get_figures(session, population):
    from carebridge.errors import Forbidden

    with pytest.raises(Forbidden):
        reports.caseload(session, population["settings"], population["worker"].actor)


def test_the_page_and_the_api_show_counts_and_never_a_person(client, session, sign_in, population):
    account = accounts.account(session, roles=("planner",), organisation_=population["worker"].organisation)
    session.commit()
    sign_in(account)
    page = client.get("/staff/reports")
    assert page.status_code == 200
    assert "fewer than 10" in page.text and "Countmarker" not in page.text and "Uncounted" not in page.text
    assert "<script" not in page.text and len(page.content) < 100_000
    arabic = client.get("/staff/reports", params={"lang": "ar"})
    assert arabic.status_code == 200 and 'dir="rtl"' in arabic.text
    api = client.get("/api/v1/reports/caseload")
    assert api.status_code == 200
    body = api.json()
    assert body["records_total"] == {"key": "records", "label": "Records in total", "count": 25, "suppressed": False}
    interpreter = next(item for item in body["breakdowns"] if item["name"] == "interpreter")
    assert all(cell["count"] is None and cell["suppressed"] for cell in interpreter["cells"])
    assert "Countmarker" not in api.text
