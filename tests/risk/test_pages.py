"""The risk pages and API through the real app (signed in, CSRF, scope): raising from the person's page, the
clinician's list, flag page and closing, a peer supporter refused closing, the banner, oversight and the duty rota,
junk answered with 4xx, and "what to do now" from settings in English and Arabic."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from carebridge.config import Settings
from carebridge.kit import clock
from carebridge.risk import service
from carebridge.risk.models import DutyAssignment, RiskFlag
from factories import audit as audit_factories
from factories import clients as client_factories
from factories import risk as factories


@pytest.fixture(autouse=True)
def _catalogs(compiled_catalogs):  # noqa: ANN001, ANN202
    return compiled_catalogs


@pytest.fixture
def world(app, session):  # noqa: ANN001, ANN201
    settings = app.state.settings
    found = factories.world(session, settings)
    session.commit()
    return found


def _raise(session, world) -> RiskFlag:  # noqa: ANN001
    flag = factories.flag(session, client_factories.settings(), world.person, world.actor("peer"))
    session.commit()
    return flag


def test_a_receptionist_raises_a_flag_from_the_persons_page(client, session, world) -> None:
    token = audit_factories.sign_in_as(client, world.actor("receptionist"))
    page = client.get(f"/staff/clients/{world.person.id}")
    assert page.status_code == 200
    assert 'id="risk"' in page.text and f"/staff/clients/{world.person.id}/risk-flags/new" in page.text
    assert "What to do now if there is risk" in page.text
    form = client.get(f"/staff/clients/{world.person.id}/risk-flags/new")
    assert form.status_code == 200 and 'name="source"' in form.text
    bad = client.post(f"/staff/clients/{world.person.id}/risk-flags/new", data={"csrf_token": token, "done": "Kept text"})
    assert bad.status_code == 422
    assert 'href="#source"' in bad.text and 'href="#seen"' in bad.text and "Kept text" in bad.text
    response = client.post(
        f"/staff/clients/{world.person.id}/risk-flags/new",
        data={"csrf_token": token, "source": "worker", "seen": "Spoke of not wanting to live", "done": "Stayed"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/staff/clients/{world.person.id}?risk=raised#risk"
    shown = client.get(response.headers["location"])
    assert "The risk flag was raised" in shown.text and "Open risk flags" in shown.text
    session.expire_all()
    flag = session.scalars(select(RiskFlag).where(RiskFlag.client_id == world.person.id)).one()
    assert flag.raised_by == world.receptionist.id and flag.source == "worker"


def test_a_peer_supporter_adds_what_they_did_but_is_refused_closing(client, session, world) -> None:
    flag = _raise(session, world)
    token = audit_factories.sign_in_as(client, world.actor("peer"))
    noted = client.post(
        f"/staff/clients/{world.person.id}/risk-flags/{flag.id}/notes",
        data={"csrf_token": token, "note": "Gave them the crisis line"},
        follow_redirects=False,
    )
    assert noted.status_code == 303 and noted.headers["location"].endswith("?risk=noted#risk")
    client.headers["X-CSRF-Token"] = token
    refused = client.post(f"/staff/risk/flags/{flag.id}/close", data={"csrf_token": token, "outcome": "risk-assessed",
                                                                       "outcome_notes": "done"})
    assert refused.status_code == 403
    api = client.post(f"/api/v1/risk-flags/{flag.id}/close", json={"outcome": "risk-assessed", "notes": "done"})
    assert api.status_code == 403 and api.headers["content-type"].startswith("application/problem+json")
    assert client.get(f"/staff/risk/flags/{flag.id}").status_code == 403
    session.expire_all()
    assert session.get(RiskFlag, flag.id).status == "open"


def test_a_planner_can_do_nothing_with_risk_flags(client, session, world) -> None:
    flag = _raise(session, world)
    token = audit_factories.sign_in_as(client, world.actor("planner"))
    client.headers["X-CSRF-Token"] = token
    assert client.get("/staff/risk").status_code == 403
    assert client.get(f"/staff/clients/{world.person.id}/risk-flags/new").status_code == 403
    assert client.post(f"/staff/clients/{world.person.id}/risk-flags/new", data={"csrf_token": token}).status_code == 403
    assert client.get("/api/v1/risk-flags").status_code == 403
    assert client.get(f"/api/v1/risk-flags/{flag.id}").status_code == 403
    assert client.get("/staff/risk/oversight").status_code == 403


def test_the_clinician_sees_the_banner_the_list_and_the_flag_and_closes_it(client, session, world) -> None:
    world.person.do_not_contact = True
    flag = _raise(session, world)
    token = audit_factories.sign_in_as(client, world.actor("clinician"))
    home = client.get("/staff")
    assert "1 risk flag needs an answer today" in home.text and 'href="/staff/risk"' in home.text
    assert home.text.index("risk-banner") < home.text.index("<h1")
    listing = client.get("/staff/risk")
    assert listing.status_code == 200 and "Layla Testperson" in listing.text and f"/staff/risk/flags/{flag.id}" in listing.text
    assert "risk.list" in client_factories.audit_actions(session, world.person.id)
    page = client.get(f"/staff/risk/flags/{flag.id}")
    assert page.status_code == 200
    for expected in ("Layla Testperson", "Do not contact this person", "Said they had thought about ending their life",
                     "Stayed with them", "Interpreter", f'href="/staff/clients/{world.person.id}"'):
        assert expected in page.text, expected
    assert "risk.read" in client_factories.audit_actions(session, world.person.id)
    bad = client.post(f"/staff/risk/flags/{flag.id}/close", data={"csrf_token": token, "outcome_notes": "Kept notes"})
    assert bad.status_code == 422 and 'href="#outcome"' in bad.text and "Kept notes" in bad.text
    closed = client.post(f"/staff/risk/flags/{flag.id}/close",
                         data={"csrf_token": token, "outcome": "referred-on", "outcome_notes": "Referred to the crisis team"},
                         follow_redirects=False)
    assert closed.status_code == 303 and closed.headers["location"] == f"/staff/risk/flags/{flag.id}?done=closed"
    after = client.get(closed.headers["location"])
    assert "The risk flag was closed." in after.text and "Referred to the crisis team" in after.text
    assert "risk-banner" not in client.get("/staff").text


def test_the_service_manager_sees_escalations_and_keeps_the_rota(client, session, world) -> None:
    flag = _raise(session, world)
    with clock.pinned(dt.datetime(2026, 11, 24, 0, 1, tzinfo=dt.UTC)):
        assert service.escalate_due(session, client_factories.settings()) == 1
    session.commit()
    token = audit_factories.sign_in_as(client, world.actor("manager"))
    client.headers["X-CSRF-Token"] = token
    home = client.get("/staff")
    assert "1 risk flag has passed its deadline and is escalated to you" in home.text
    page = client.get("/staff/risk/oversight")
    assert page.status_code == 200
    assert "Nobody is on duty today" in page.text and "Layla Testperson" in page.text and "Escalated" in page.text
    today = clock.today().isoformat()
    bad = client.post("/staff/risk/duty", data={"csrf_token": token, "account_id": world.peer.id, "day": "2020-01-01", "phone": "x"})
    assert bad.status_code == 422 and 'href="#account_id"' in bad.text and 'href="#day"' in bad.text and 'href="#phone"' in bad.text
    added = client.post("/staff/risk/duty", data={"csrf_token": token, "account_id": world.clinician.id, "day": today,
                                                  "phone": "020 7946 0000"}, follow_redirects=False)
    assert added.status_code == 303
    page = client.get("/staff/risk/oversight")
    assert "Nobody is on duty today" not in page.text and "Dr Cleo Clinician" in page.text
    session.expire_all()
    duty = session.scalars(select(DutyAssignment)).one()
    removed = client.post(f"/staff/risk/duty/{duty.id}/remove", data={"csrf_token": token}, follow_redirects=False)
    assert removed.status_code == 303
    assert client.post("/staff/risk/duty/not-a-duty/remove", data={"csrf_token": token}).status_code == 404
    # The API's rota.
    put = client.put("/api/v1/duty", json=[{"account_id": world.other_clinician.id, "day": today, "phone": None}])
    assert put.status_code == 200 and [item["name"] for item in put.json()["items"]] == ["Dr Olu Other"]
    wrong = client.put("/api/v1/duty", json=[{"account_id": world.peer.id, "day": "1999-01-01"}])
    assert wrong.status_code == 422 and wrong.headers["content-type"].startswith("application/problem+json")
    assert {error["name"] for error in wrong.json()["errors"]} == {"account_id", "day"}
    assert client.get("/api/v1/duty").json()["items"][0]["day"] == today
    assert flag.id


def test_the_api_raises_lists_reads_notes_and_closes(client, session, world) -> None:
    client.headers["X-CSRF-Token"] = audit_factories.sign_in_as(client, world.actor("peer"))
    raised = client.post(f"/api/v1/clients/{world.person.id}/risk-flags", json={"source": "safeguarding", "seen": "A child left alone"})
    assert raised.status_code == 201, raised.text
    flag_id = raised.json()["id"]
    assert raised.json()["unassigned"] is True and raised.json()["status"] == "open"
    assert [item["id"] for item in client.get(f"/api/v1/clients/{world.person.id}/risk-flags").json()["items"]] == [flag_id]
    assert client.post(f"/api/v1/risk-flags/{flag_id}/notes", json={"note": "Called the duty team"}).status_code == 200
    assert client.post(f"/api/v1/risk-flags/{flag_id}/notes", json={"note": ""}).status_code == 422
    bad = client.post(f"/api/v1/clients/{world.person.id}/risk-flags", json={"source": "screening", "seen": "x"})
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("application/problem+json")
    client.headers["X-CSRF-Token"] = audit_factories.sign_in_as(client, world.actor("clinician"))
    mine = client.get("/api/v1/risk-flags").json()["items"]
    assert [(item["id"], item["preferred_name"]) for item in mine] == [(flag_id, "Layla Testperson")]
    detail = client.get(f"/api/v1/risk-flags/{flag_id}").json()
    assert detail["seen"] == "A child left alone" and [note["text"] for note in detail["notes"]] == ["Called the duty team"]
    closed = client.post(f"/api/v1/risk-flags/{flag_id}/close", json={"outcome": "risk-assessed", "notes": "Seen today"})
    assert closed.status_code == 200 and closed.json()["outcome"] == "risk-assessed"
    again = client.post(f"/api/v1/risk-flags/{flag_id}/close", json={"outcome": "risk-assessed", "notes": "Seen today"})
    assert again.status_code == 409
    assert client.get("/api/v1/risk-flags/00000000-0000-0000-0000-000000000000").status_code == 404


JUNK = ["", "x" * 40, "../../etc", "%00", "' OR 1=1 --", "٣", "\u202e", "9" * 300]


def test_junk_is_answered_with_4xx_never_500(client, session, world) -> None:
    flag = _raise(session, world)
    token = audit_factories.sign_in_as(client, world.actor("clinician"))
    client.headers["X-CSRF-Token"] = token
    for junk in JUNK:
        for method, path, data in (
            ("get", f"/staff/risk/flags/{junk}", None),
            ("post", f"/staff/risk/flags/{flag.id}/close", {"csrf_token": token, "outcome": junk, "outcome_notes": junk * 3}),
            ("post", f"/staff/clients/{world.person.id}/risk-flags/new", {"csrf_token": token, "source": junk, "seen": junk}),
            ("post", f"/staff/clients/{world.person.id}/risk-flags/{flag.id}/notes", {"csrf_token": token, "note": junk * 300}),
            ("post", f"/api/v1/risk-flags/{junk or 'x'}/close", {"outcome": junk}),
        ):
            if method == "get":
                response = client.get(path)
            elif path.startswith("/api/"):
                response = client.post(path, json=data)
            else:
                response = client.post(path, data=data)
            assert response.status_code < 500, (path, junk, response.status_code)
    assert client.post("/api/v1/duty", json={}).status_code == 405
    assert client.put("/api/v1/duty", json={"not": "a list"}).status_code == 403


@pytest.mark.parametrize(
    ("lang", "heading"),
    [("en", "What to do now if there is risk"), ("ar", "ما يجب فعله الآن إذا كان هناك خطر")],
)
def test_what_to_do_now_shows_the_deployments_crisis_lines_in_the_workers_language(session_factory, session, lang: str, heading: str) -> None:
    from fastapi.testclient import TestClient

    from carebridge.app import create_app

    settings = Settings(crisis_lines="116 123=Samaritans,0800 689 5652=Refugee Council helpline")
    app = create_app(settings=settings, session_factory=session_factory)
    world = factories.world(session, settings)
    factories.on_duty(session, world.clinician, clock.today(), phone="020 7946 0000")
    session.commit()
    with TestClient(app, raise_server_exceptions=False) as client:
        audit_factories.sign_in_as(client, world.actor("peer"))
        page = client.get(f"/staff/clients/{world.person.id}", params={"lang": lang})
    assert page.status_code == 200
    box = re.search(r'<section class="risk-now".*?</section>', page.text, re.S).group(0)
    for expected in (heading, "Samaritans", 'href="tel:116123"', "Refugee Council helpline", "Dr Cleo Clinician",
                     'href="tel:02079460000"', f"/staff/clients/{world.person.id}/risk-flags/new"):
        assert expected in box, expected


def test_the_lists_of_flags_hold_one_page_overdue_first_and_audit_each_person(client, session, world, monkeypatch) -> None:
    monkeypatch.setattr(service, "PAGE", 3)
    settings = client_factories.settings()
    people = [world.person] + [
        client_factories.client(session, settings, world.actor("peer"), preferred_name=f"Listed person {n}") for n in range(3)
    ]
    with clock.pinned(dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.UTC)):
        overdue = factories.flag(session, settings, people[3], world.actor("peer"))
    for person in people[:3]:
        factories.flag(session, settings, person, world.actor("peer"))
    session.commit()
    audit_factories.sign_in_as(client, world.actor("clinician"))
    page = client.get("/staff/risk")
    assert page.status_code == 200 and page.text.count("/staff/risk/flags/") == 3
    # The overdue one first (the others are due at the same moment).
    assert re.findall(r"/staff/risk/flags/([0-9a-f-]{36})", page.text)[0] == overdue.id and "Overdue" in page.text
    assert client.get("/api/v1/risk-flags").json()["items"][0]["id"] == overdue.id
    listed = [person for person in people if "risk.list" in client_factories.audit_actions(session, person.id)]
    assert len(listed) == 3
    audit_factories.sign_in_as(client, world.actor("manager"))
    oversight = client.get("/staff/risk/oversight")
    assert oversight.status_code == 200
    shown = oversight.text.count("Listed person") + oversight.text.count("Layla Testperson")
    assert shown == 2  # open flags take at most four fifths of the page (here 2 of 3); none closed


def test_the_flag_page_shows_the_screening_that_raised_it(client, session, world) -> None:
    from carebridge.clients import service as clients
    from carebridge.db import new_id
    from carebridge.keys import service as keys
    from carebridge.screening.models import Screening

    settings = client_factories.settings()
    screening = Screening(
        id=new_id(), client_id=world.person.id, organisation_id=world.organisation.id, instrument="phq-9", language="en",
        mode="staff", administered_by=world.peer.id, completed_at=clock.utc_now(), total=7, band="mild", positive=False, risk=True,
        answers=b"",
    )
    key = keys.data_key(session, settings, clients.SUBJECT, world.person.id)
    screening.answers = key.seal_json("screening", "answers", screening.id, {"items": {f"item-{n}": (1 if n == 9 else 0) for n in range(1, 10)}})
    session.add(screening)
    session.flush()
    flag = service.raise_flag(session, settings, client=world.person, source="screening", actor=world.actor("peer"), screening_id=screening.id)
    session.commit()
    assert flag.details is None
    audit_factories.sign_in_as(client, world.actor("clinician"))
    page = client.get(f"/staff/risk/flags/{flag.id}")
    assert page.status_code == 200
    section = page.text[page.text.index("The screening that raised it"):]
    assert "PHQ-9" in section and "<dd>7</dd>" in section and "Answer to item 9" in section and "<dd>1</dd>" in section
    assert "A screening answer (PHQ-9 item 9)" in page.text
    assert client.get(f"/api/v1/risk-flags/{flag.id}").json()["screening"]["item9"] == 1
