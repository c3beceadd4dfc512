"""Finding directory services for a goal (the finder's search, server-side, prefilled from the goal and the person)
and attaching them; the plans JSON API (goals, steps, services; 409 on a stale version; problem documents). On the
fictional Fairhaven directory, loaded once for the module, on both databases."""

from __future__ import annotations

import pytest
from factories import audit as audit_factories
from factories import clients as client_factories
from factories import plans as factories

from carebridge.directory import search
from carebridge.plans import service as plans


@pytest.fixture(scope="module")
def connection(demo_city_connection):  # noqa: ANN001, ANN201 - overrides tests/conftest.py's: the demo city, loaded once
    return demo_city_connection


@pytest.fixture(autouse=True)
def _catalogs(compiled_catalogs):  # noqa: ANN001, ANN202
    return compiled_catalogs


@pytest.fixture
def world(session, app, client):  # noqa: ANN001, ANN201
    client.follow_redirects = False
    settings = app.state.settings
    worker = client_factories.caseworker(session)
    person = client_factories.client(session, settings, worker.actor, preferred_name="Amina", languages=["fa-IR"])
    goal = factories.goal(session, settings, worker.actor, person, domain="health", text="See a doctor about my back")
    session.commit()
    return settings, worker, person, goal


def test_the_search_is_prefilled_and_services_can_be_attached_and_detached(client, session, world) -> None:  # noqa: ANN001
    settings, worker, person, goal = world
    csrf = audit_factories.sign_in_as(client, worker.actor)
    base = f"/staff/clients/{person.id}/plan/goals/{goal.id}"
    page = client.get(f"{base}/services")
    assert page.status_code == 200
    assert 'id="category-primary-care" name="category" type="checkbox" value="primary-care" checked' in page.text
    assert 'id="language" name="language" type="text" value="fa"' in page.text
    assert "services found" in page.text and "Attach to the goal" in page.text
    assert len(page.content) < 100_000

    found = client.post(f"{base}/services/search", data={
        "csrf_token": csrf, "category": "primary-care", "language": "", "near": "FH1 1AA", "no_status_check": "1"})
    assert found.status_code == 200
    expected = search.search_services(session, category="primary-care", near="FH1 1AA", no_status_check=True, per_page=10)
    assert expected.total > 0
    first = expected.results[0]
    assert first["name"] in found.text  # names may carry escaped characters; the demo's do not
    assert "FH1" not in str(found.url)  # the person's area never goes into a URL

    unknown = client.post(f"{base}/services/search", data={"csrf_token": csrf, "category": "housing", "near": "Atlantis"})
    assert unknown.status_code == 422 and "error-summary" in unknown.text and 'href="#near"' in unknown.text

    attached = client.post(f"{base}/services", data={
        "csrf_token": csrf, "service_id": first["service_id"], "location_id": first["location_id"] or ""})
    assert attached.status_code == 303 and "service-attached" in attached.headers["location"]
    client.post(f"{base}/services", data={"csrf_token": csrf, "service_id": first["service_id"],
                                          "location_id": first["location_id"] or ""})  # again: nothing changes
    session.expire_all()
    [view] = plans.plan_of(session, settings, person).goals
    assert [item.name for item in view.services] == [first["name"]]
    assert view.services[0].service_at_location_id is not None
    goal_page = client.get(base)
    assert first["name"] in goal_page.text and "Take it off the goal" in goal_page.text

    printed = client.get(f"/staff/clients/{person.id}/plan/print", params={"lang": "en"})
    assert printed.status_code == 200 and first["name"] in printed.text and "Phone:" in printed.text

    bogus = client.post(f"{base}/services", data={"csrf_token": csrf, "service_id": "not-a-service"})
    assert bogus.status_code == 422
    detached = client.post(f"{base}/services/remove", data={"csrf_token": csrf, "attached_id": view.services[0].id})
    assert detached.status_code == 303
    session.expire_all()
    assert plans.plan_of(session, settings, person).goals[0].services == []
    assert client.post(f"{base}/services/remove", data={"csrf_token": csrf, "attached_id": "x"}).status_code == 404
    actions = client_factories.audit_actions(session, person.id)
    assert {"plan.service.attach", "plan.service.detach", "plan.print"} <= set(actions)


def test_the_api(client, session, world) -> None:  # noqa: ANN001
    settings, worker, person, goal = world
    csrf = audit_factories.sign_in_as(client, worker.actor)
    client.headers["X-CSRF-Token"] = csrf
    listed = client.get(f"/api/v1/clients/{person.id}/goals")
    assert listed.status_code == 200 and [g["text"] for g in listed.json()["items"]] == ["See a doctor about my back"]

    created = client.post(f"/api/v1/clients/{person.id}/goals",
                          json={"domain": "language", "text": "Learn English", "review_on": "2027-01-15"})
    assert created.status_code == 201, created.text
    body = created.json()
    assert created.headers["location"] == f"/api/v1/goals/{body['id']}" and body["version"] == 1
    bad = client.post(f"/api/v1/clients/{person.id}/goals", json={"domain": "language", "text": "  "})
    assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"

    step = client.post(f"/api/v1/goals/{body['id']}/steps",
                       json={"description": "Enrol at the college", "who": "person", "due_on": "2026-11-01"})
    assert step.status_code == 201 and step.json()["overdue"] is True
    done = client.patch(f"/api/v1/steps/{step.json()['id']}", json={"status": "done"})
    assert done.status_code == 200 and done.json()["status"] == "done" and done.json()["overdue"] is False

    changed = client.patch(f"/api/v1/goals/{body['id']}", json={"version": 1, "text": "Learn English for work"})
    assert changed.status_code == 200 and changed.json()["version"] == 2
    assert changed.json()["review_on"] == "2027-01-15"  # not given: kept
    stale = client.patch(f"/api/v1/goals/{body['id']}", json={"version": 1, "status": "achieved"})
    assert stale.status_code == 409 and stale.headers["content-type"] == "application/problem+json"
    cleared = client.patch(f"/api/v1/goals/{body['id']}", json={"version": 2, "review_on": None, "status": "achieved"})
    assert cleared.json()["review_on"] is None and cleared.json()["achieved_at"] is not None

    result = search.search_services(session, category="language-classes", per_page=1).results[0]
    attached = client.post(f"/api/v1/goals/{body['id']}/services", json={"service_id": result["service_id"]})
    assert attached.status_code == 200 and attached.json()["items"][0]["name"] == result["name"]
    attached_id = attached.json()["items"][0]["id"]
    assert client.get(f"/api/v1/goals/{body['id']}").json()["services"][0]["id"] == attached_id
    assert client.delete(f"/api/v1/goals/{body['id']}/services/{attached_id}").json() == {"items": []}
    assert client.delete(f"/api/v1/goals/{body['id']}/services/{attached_id}").status_code == 404
    assert client.get("/api/v1/goals/00000000-0000-4000-8000-000000000000").status_code == 404
    actions = set(client_factories.audit_actions(session, person.id))
    assert {"plan.read", "plan.goal.create", "plan.goal.update", "plan.step.create", "plan.step.update",
            "plan.service.attach", "plan.service.detach"} <= actions
