"""The outcomes page and API (report.aggregate: the service manager sees their organisation, the planner every one
with a choice, a link worker is refused), and the person's chart (screening.read in scope): SVG with a title and a
description, the same data in a table, the verdict in words, audited; axe-clean in English and Arabic."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from factories import accounts, browser
from factories import clients as client_factories
from sqlalchemy import select

from carebridge.audit.models import AuditEvent
from carebridge.config import Settings
from carebridge.consent import service as consent
from carebridge.consent.models import Consent
from carebridge.kit import clock
from carebridge.outcomes import rows


def _ago(days: int) -> dt.datetime:
    return clock.utc_now() - dt.timedelta(days=days)


@pytest.fixture
def world(session):
    settings = Settings()
    worker = client_factories.caseworker(session)
    organisation = worker.organisation
    manager = accounts.account(session, roles=("service-manager",), organisation_=organisation, name="Mo Manager")
    planner = accounts.account(session, roles=("planner",), organisation_=organisation, name="Pat Planner")
    receptionist = accounts.account(session, roles=("receptionist",), organisation_=organisation, name="Rae Desk")
    other = client_factories.caseworker(session)
    people = []
    for index in range(10):
        person = client_factories.client(session, settings, worker.actor, preferred_name=f"Chartmarker {index}")
        session.add(Consent(client_id=person.id, purpose=consent.STATISTICS, method="spoken", explanation_version="1",
                            explanation_language="en", given_at=clock.utc_now()))
        rows.add_assessment(session, settings, person, category="complex", assessed_at=_ago(20), scores={"housing": 3})
        people.append(person)
    for index in range(9):
        person = client_factories.client(session, settings, other.actor, preferred_name=f"Othermarker {index}")
        session.add(Consent(client_id=person.id, purpose=consent.STATISTICS, method="spoken", explanation_version="1",
                            explanation_language="en", given_at=clock.utc_now()))
        rows.add_assessment(session, settings, person, category="critical", assessed_at=_ago(20), scores={})
    charted = people[0]
    for days, phq, gad in ((150, 18, 14), (110, 15, 12), (70, 11, 9), (30, 7, 5)):
        rows.add_screening(session, settings, charted, instrument="phq-9", total=phq, completed_at=_ago(days))
        rows.add_screening(session, settings, charted, instrument="gad-7", total=gad, completed_at=_ago(days))
    session.commit()
    return {"settings": settings, "worker": worker, "manager": manager, "planner": planner, "other": other,
            "receptionist": receptionist, "charted": charted}


def _table(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text))


def test_the_service_manager_sees_their_organisation_only(client, session, sign_in, world):
    sign_in(world["manager"])
    page = client.get("/staff/outcomes")
    assert page.status_code == 200
    text = _table(page.text)
    assert "Complex 10" in text and "Critical fewer than 10" in text
    assert 'name="organisation"' not in page.text  # no choice of organisation
    assert "Chartmarker" not in page.text  # never a person
    refused = client.get("/staff/outcomes", params={"organisation": world["other"].organisation.id})
    assert refused.status_code == 403
    assert session.scalars(select(AuditEvent.record_type).where(AuditEvent.action == "report.outcomes")).all() == ["organisation"]


def test_the_planner_sees_every_organisation_and_can_choose_one(client, sign_in, world):
    sign_in(world["planner"])
    page = client.get("/staff/outcomes")
    assert page.status_code == 200 and 'name="organisation"' in page.text
    text = _table(page.text)
    assert "Figures for every organisation together." in text
    assert "Complex 10" in text and "Critical fewer than 10" in text and "Total 19" in text
    one = client.get("/staff/outcomes", params={"organisation": world["other"].organisation.id})
    assert one.status_code == 200 and "Complex fewer than 10" in _table(one.text)
    unknown = client.get("/staff/outcomes", params={"organisation": "nowhere"})
    assert unknown.status_code == 422 and "Choose an organisation from the list." in unknown.text


def test_a_link_worker_and_the_signed_out_are_refused(client, sign_in, world):
    sign_in(world["worker"].account)
    assert client.get("/staff/outcomes").status_code == 403
    assert client.get("/api/v1/reports/outcomes").status_code == 403
    sign_in(None)
    assert client.get("/staff/outcomes", follow_redirects=False).status_code == 303
    anonymous = client.get("/api/v1/reports/outcomes")
    assert anonymous.status_code == 401 and anonymous.headers["content-type"] == "application/problem+json"


def test_a_bad_period_is_shown_again_with_what_was_typed(client, sign_in, world):
    sign_in(world["manager"])
    page = client.get("/staff/outcomes", params={"from": "31/01/2026", "to": "2026-02-30"})
    assert page.status_code == 422
    assert 'href="#from"' in page.text and 'href="#to"' in page.text
    assert 'value="31/01/2026"' in page.text and "Enter a date like 2026-03-31." in page.text
    backwards = client.get("/staff/outcomes", params={"from": "2026-06-01", "to": "2026-05-01"})
    assert backwards.status_code == 422 and "must not be before its start" in backwards.text


def test_the_api_gives_the_same_figures_with_suppressed_cells_as_null(client, sign_in, world):
    sign_in(world["manager"])
    response = client.get("/api/v1/reports/outcomes")
    assert response.status_code == 200
    body = response.json()
    cells = {cell["key"]: cell for cell in body["categories"]["cells"]}
    assert cells["complex"]["count"] == 10 and not cells["complex"]["suppressed"]
    assert cells["resilience"] == {"key": "resilience", "label": "Resilience", "count": None, "suppressed": True,
                                   "reason": cells["resilience"]["reason"]}
    assert cells["resilience"]["reason"].startswith("fewer than 10")
    phq = next(row for row in body["change"] if row["instrument"] == "phq-9")
    assert phq["reliable_change"] == 6 and phq["caseness"] == 10
    assert phq["people"]["count"] is None and phq["recovery_rate"] == {"percent": None, "suppressed": True}
    bad = client.get("/api/v1/reports/outcomes", params={"from": "soon"})
    assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"
    assert [error["name"] for error in bad.json()["errors"]] == ["from"]
    sign_in(world["planner"])
    assert client.get("/api/v1/reports/outcomes").json()["categories"]["total"]["count"] == 19


def test_the_persons_chart_table_and_verdict(client, session, sign_in, world):
    person = world["charted"]
    sign_in(world["worker"].account)
    page = client.get(f"/staff/clients/{person.id}")
    assert page.status_code == 200
    section = page.text[page.text.index('id="outcomes"'):]
    svg = section[section.index("<svg"):section.index("</svg>")]
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    assert svg.count("<circle") == 4 + 1 and svg.count("<rect") == 4 + 1  # the points and the legend's marker
    assert 'stroke-dasharray="6 4"' in svg  # GAD-7 dashed: not colour alone
    table = _table(section[section.index("<table"):section.index("</table>")])
    assert "PHQ-9 18 of 27 moderately severe" in table and "GAD-7 5 of 21 mild" in table
    assert table.count("of 27") == 4 and table.count("of 21") == 4
    text = _table(section)
    assert "PHQ-9, first and latest scores compared: 18, then 7." in text and "Reliable recovery:" in text
    assert "GAD-7, first and latest scores compared: 14, then 5." in text
    actions = client_factories.audit_actions(session, person.id)
    assert "outcomes.read" in actions


def test_no_section_without_screening_read(client, sign_in, world):
    person = world["charted"]
    sign_in(world["receptionist"])
    page = client.get(f"/staff/clients/{person.id}")
    assert page.status_code == 200 and 'id="outcomes"' not in page.text


@pytest.fixture(scope="module")
def chromium():  # noqa: ANN201
    yield from browser.chromium()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_outcomes_pages_have_no_wcag_violations(chromium, client, sign_in, world, lang):  # noqa: ANN001
    pages: dict[str, tuple[int, bytes]] = {}
    sign_in(world["worker"].account)
    response = client.get(f"/staff/clients/{world['charted'].id}", params={"lang": lang})
    pages["/person"] = (response.status_code, response.content)
    sign_in(world["planner"])
    response = client.get("/staff/outcomes", params={"lang": lang})
    pages["/staff/outcomes"] = (response.status_code, response.content)
    response = client.get("/staff/outcomes", params={"lang": lang, "from": "tomorrow"})
    pages["/errors/outcomes"] = (response.status_code, response.content)
    browser.check_pages(chromium, client, pages, lang)
