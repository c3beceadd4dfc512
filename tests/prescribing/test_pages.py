"""The social-prescribing pages and API through the real app (signed in, CSRF, scope): the person page's section, a
conversation made a plan goal, ONS4 at start and follow-up with the change shown, finding activities (need and area
posted, never in the URL; results link to the referral form with ids only), a safeguarding concern, and junk
answered with 4xx."""

from __future__ import annotations

import datetime as dt

import pytest
from factories import audit as audit_factories
from factories import clients as client_factories
from sqlalchemy import select

from carebridge.directory import service as directory
from carebridge.kit import clock
from carebridge.risk.models import RiskFlag


@pytest.fixture(autouse=True)
def _catalogs(compiled_catalogs):
    return compiled_catalogs


@pytest.fixture
def world(app, session):
    settings = app.state.settings
    worker = client_factories.caseworker(session)
    person = client_factories.client(session, settings, worker.actor, preferred_name="Amina", languages=["ar"])
    session.commit()
    with clock.pinned(dt.datetime(2026, 12, 6, 12, 0, tzinfo=dt.UTC)):
        yield worker, person


def test_conversation_goal_and_wellbeing_through_the_pages(client, session, world) -> None:
    worker, person = world
    token = audit_factories.sign_in_as(client, worker.actor)
    page = client.get(f"/staff/clients/{person.id}")
    assert page.status_code == 200 and 'id="prescribing"' in page.text
    base = f"/staff/clients/{person.id}/social-prescribing"
    assert client.get(f"{base}/conversation").status_code == 200
    bad = client.post(f"{base}/conversation", data={"csrf_token": token, "held_on": "soon", "strengths": "Kept words"})
    assert bad.status_code == 422 and 'href="#held_on"' in bad.text and 'href="#what_matters"' in bad.text
    assert "Kept words" in bad.text
    saved = client.post(f"{base}/conversation", follow_redirects=False, data={
        "csrf_token": token, "held_on": "2026-12-01", "what_matters": "My children", "want_to_try": "Football on Mondays"})
    assert saved.status_code == 303 and saved.headers["location"].endswith("?prescribing=conversation#prescribing")
    shown = client.get(saved.headers["location"])
    assert "My children" in shown.text and "Football on Mondays" in shown.text
    action = next(part.split('"')[0] for part in shown.text.split('action="')[1:] if part.startswith(f"{base}/conversations/"))
    goal = client.post(action, data={"csrf_token": token, "version": "1"}, follow_redirects=False)
    assert goal.status_code == 303 and goal.headers["location"].endswith("?prescribing=goal#prescribing")
    again = client.get(goal.headers["location"])
    assert "This is a goal of the action plan." in again.text
    assert client.get(f"{base}/wellbeing").status_code == 200
    junk = client.post(f"{base}/wellbeing", data={"csrf_token": token, "stage": "start", "taken_on": "2026-12-01",
                                                  "life_satisfaction": "12"})
    assert junk.status_code == 422 and 'href="#life_satisfaction"' in junk.text and 'href="#anxiety"' in junk.text
    for stage, day, scores in (("start", "2026-09-01", ("3", "4", "2", "8")), ("follow-up", "2026-12-01", ("6", "7", "6", "3"))):
        data = dict(zip(("life_satisfaction", "worthwhile", "happiness", "anxiety"), scores, strict=True))
        done = client.post(f"{base}/wellbeing", follow_redirects=False,
                           data={"csrf_token": token, "stage": stage, "taken_on": day, **data})
        assert done.status_code == 303
    final = client.get(f"/staff/clients/{person.id}")
    assert "Change from the start to the latest follow-up" in final.text and "lower is better" in final.text
    api = client.get(f"/api/v1/clients/{person.id}/social-prescribing")
    assert api.status_code == 200
    body = api.json()
    assert {c["question"]: c["direction"] for c in body["changes"]}["anxiety"] == "better"
    assert body["conversations"][0]["goal_id"]


def test_finding_activities_posts_the_area_and_links_to_the_referral_form(client, session, world) -> None:
    worker, person = world
    directory.load_demo_data(session)
    session.commit()
    token = audit_factories.sign_in_as(client, worker.actor)
    base = f"/staff/clients/{person.id}/social-prescribing/find"
    assert client.get(base).status_code == 200
    found = client.post(base, data={"csrf_token": token, "need": "arts-culture", "language": "ar", "women_only": "1"})
    assert found.status_code == 200 and "Women&#39;s sewing circle" in found.text
    assert f"/staff/clients/{person.id}/referrals/new?service_at_location_id=" in found.text
    assert "kind=social-prescribing" in found.text and "arts-culture" not in found.text.split("referrals/new?")[1][:200]
    junk = client.post(base, data={"csrf_token": token, "need": "dental", "near": "Atlantis"})
    assert junk.status_code == 422
    assert "prescribing.find" in client_factories.audit_actions(session, person.id)


def test_a_safeguarding_concern_from_the_section(client, session, world) -> None:
    worker, person = world
    token = audit_factories.sign_in_as(client, worker.actor)
    base = f"/staff/clients/{person.id}/social-prescribing/concern"
    assert client.get(base).status_code == 200
    assert client.post(base, data={"csrf_token": token}).status_code == 422
    raised = client.post(base, data={"csrf_token": token, "seen": "Locked in at night"}, follow_redirects=False)
    assert raised.status_code == 303
    session.expire_all()
    flag = session.scalars(select(RiskFlag).where(RiskFlag.client_id == person.id)).one()
    assert flag.source == "safeguarding"


def test_the_api_writes_and_refuses_junk(client, session, world) -> None:
    worker, person = world
    token = audit_factories.sign_in_as(client, worker.actor)
    client.headers["X-CSRF-Token"] = token or ""
    url = f"/api/v1/clients/{person.id}/social-prescribing"
    made = client.post(f"{url}/conversations", json={"held_on": "2026-12-01", "what_matters": "Peace"})
    assert made.status_code == 201 and made.json()["what_matters"] == "Peace"
    score = client.post(f"{url}/wellbeing", json={"stage": "start", "taken_on": "2026-12-01", "life_satisfaction": 5,
                                                  "worthwhile": 5, "happiness": 9, "anxiety": 1})
    assert score.status_code == 201 and score.json()["bands"] == {"life_satisfaction": "medium", "worthwhile": "medium",
                                                                  "happiness": "very-high", "anxiety": "very-low"}
    junk = client.post(f"{url}/wellbeing", json={"stage": "start", "taken_on": "2026-12-01", "life_satisfaction": 11})
    assert junk.status_code == 422 and junk.headers["content-type"].startswith("application/problem+json")
    future = client.post(f"{url}/conversations", json={"held_on": "2027-12-01", "what_matters": "x"})
    assert future.status_code == 422
    assert client.get("/api/v1/clients/nope/social-prescribing").status_code == 404
